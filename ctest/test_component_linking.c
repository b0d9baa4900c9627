/* Components: compiling, validating, serializing, introspecting with WIT
 * types, function paths (semver-compatible), and linking: host functions
 * under interfaces (semver-compatible too), core modules a component
 * imports, shadowing, and missing or mismatched imports (WB_ERR_LINK naming
 * them).
 *
 *   test_component_linking COMPONENTS_DIR
 */
#include <pthread.h>

#include "component_util.h"

static wb_engine_t engine;

/* imports a core module and an interface function; exports an interface */
static const char *IMPORTS_MODULE =
    "(component\n"
    "  (import \"ns:lib/core\" (core module $lib (export \"seven\" (func (result i32)))))\n"
    "  (import \"ns:lib/host@1.2.0\" (instance $h (export \"scale\" (func (param \"x\" u32) (result u32)))))\n"
    "  (alias export $h \"scale\" (func $scale))\n"
    "  (core func $scale_l (canon lower (func $scale)))\n"
    "  (core instance $l (instantiate $lib))\n"
    "  (core module $m\n"
    "    (import \"lib\" \"seven\" (func $seven (result i32)))\n"
    "    (import \"host\" \"scale\" (func $scale (param i32) (result i32)))\n"
    "    (func (export \"go\") (result i32) (call $scale (call $seven))))\n"
    "  (core instance $i (instantiate $m (with \"lib\" (instance $l))\n"
    "    (with \"host\" (instance (export \"scale\" (func $scale_l))))))\n"
    "  (func $go (result u32) (canon lift (core func $i \"go\")))\n"
    "  (instance $api (export \"go\" (func $go)))\n"
    "  (export \"ns:lib/api@1.4.2\" (instance $api)))";

static const char *CORE_SEVEN = "(module (func (export \"seven\") (result i32) i32.const 7))";
static const char *CORE_EIGHT = "(module (func (export \"seven\") (result i32) i32.const 8))";
static const char *CORE_WRONG = "(module (func (export \"seven\") (result i64) i64.const 7))";

static uint32_t scale_by = 6;

static wb_status_t scale(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)s, (void)nargs;
  *result = wb_cval_u32(args[0].of.u32 * *(uint32_t *)env);
  return WB_OK;
}

static uint32_t go(wb_component_linker_t l, wb_component_t c) {
  wb_store_t s;
  wb_component_instance_t inst;
  wb_component_func_t f;
  wb_cresult_t r = WB_CRESULT_INIT;
  OK(wb_store_new(engine, &s));
  OK(wb_component_linker_instantiate(l, s, c, &inst));
  /* the export is 1.4.2: any 1.x path finds it */
  OK(wb_component_instance_get_func(inst, "ns:lib/api@1.0.0#go", &f));
  OK(wb_component_func_call(f, NULL, 0, &r));
  uint32_t v = r.value.of.u32;
  OK(wb_store_delete(s));
  return v;
}

static void linking(void) {
  wb_component_t c = compile_component(engine, IMPORTS_MODULE);
  wb_module_t seven = compile_wat(engine, CORE_SEVEN), eight = compile_wat(engine, CORE_EIGHT),
              wrong = compile_wat(engine, CORE_WRONG);
  wb_component_linker_t l;
  wb_store_t s;
  wb_component_instance_t inst;
  OK(wb_store_new(engine, &s));
  OK(wb_component_linker_new(engine, &l));
  /* nothing defined: the first missing import is named */
  EXPECT(wb_component_linker_instantiate(l, s, c, &inst), WB_ERR_LINK, "ns:lib/core");
  OK(wb_component_linker_define_module(l, NULL, "ns:lib/core", seven));
  EXPECT(wb_component_linker_instantiate(l, s, c, &inst), WB_ERR_LINK, "ns:lib/host@1.2.0");
  /* a newer semver-compatible version of the interface links */
  OK(wb_component_linker_define_func(l, "ns:lib/host@1.3.1", "scale", scale, &scale_by, NULL));
  CHECK(go(l, c) == 42);
  /* duplicates: refused, then replaced with shadowing */
  EXPECT(wb_component_linker_define_module(l, NULL, "ns:lib/core", eight), WB_ERR_LINK, "defined twice");
  OK(wb_component_linker_allow_shadowing(l, true));
  OK(wb_component_linker_define_module(l, NULL, "ns:lib/core", eight));
  CHECK(go(l, c) == 48);
  /* a template keeps the definitions it was made with */
  wb_component_template_t t;
  OK(wb_component_template_new(l, c, &t));
  OK(wb_component_linker_define_module(l, NULL, "ns:lib/core", wrong));
  EXPECT(wb_component_linker_instantiate(l, s, c, &inst), WB_ERR_LINK, "ns:lib/core");
  OK(wb_component_template_instantiate(t, s, &inst));
  uint32_t go_index;
  OK(wb_component_template_func_index(t, "ns:lib/api@1.4.2#go", &go_index));
  wb_component_func_t f;
  wb_cresult_t r = WB_CRESULT_INIT;
  OK(wb_component_instance_func(inst, go_index, &f));
  OK(wb_component_func_call(f, NULL, 0, &r));
  CHECK(r.value.of.u32 == 48);
  OK(wb_component_template_delete(t));
  /* a mismatched host function type is a link error at instantiation */
  wb_component_linker_t l2;
  OK(wb_component_linker_new(engine, &l2));
  OK(wb_component_linker_define_module(l2, NULL, "ns:lib/core", seven));
  OK(wb_component_linker_define_module(l2, "ns:lib/host@1.2.0", "scale", seven)); /* a module, not a func */
  EXPECT(wb_component_linker_instantiate(l2, s, c, &inst), WB_ERR_LINK, "scale");
  OK(wb_component_linker_delete(l2));
  /* paths: not there, another major version, not a function */
  uint32_t index;
  EXPECT(wb_component_func_index(c, "ns:lib/api@2.0.0#go", &index), WB_ERR_NOT_FOUND, "ns:lib/api@2.0.0");
  EXPECT(wb_component_func_index(c, "ns:lib/api@1.4.2#stop", &index), WB_ERR_NOT_FOUND, "\"stop\"");
  EXPECT(wb_component_func_index(c, "ns:lib/api@1.4.2", &index), WB_ERR_TYPE_MISMATCH, "not a function");
  OK(wb_component_func_index(c, "ns:lib/api@1.4.2#go", &index));
  uint32_t again;
  OK(wb_component_func_index(c, "ns:lib/api@1.4.2#go", &again)); /* the same path, the same index */
  CHECK(again == index);
  OK(wb_store_delete(s));
  OK(wb_component_linker_delete(l));
  OK(wb_module_delete(seven));
  OK(wb_module_delete(eight));
  OK(wb_module_delete(wrong));
  OK(wb_component_delete(c));
}

static const wb_citem_desc_t *find(const wb_citem_list_t *l, const char *path) {
  for (size_t i = 0; i < l->count; i++)
    if (!strcmp(l->items[i].path, path)) return &l->items[i];
  fprintf(stderr, "no item %s\n", path);
  exit(1);
}

static void introspection_and_serialization(void) {
  wb_component_t c = load_component(engine, "values.wat");
  wb_citem_list_t ex, im;
  OK(wb_component_exports(c, &ex));
  OK(wb_component_imports(c, &im));
  const wb_citem_desc_t *d = find(&ex, "echo-items");
  CHECK(d->kind == WB_CITEM_FUNC);
  CHECK(!strcmp(d->type, "func(x: list<record { name: string, v: option<variant { none, num(u32), text(string), "
                         "nested(record { a: u32, b: string, c: list<u8>, d: option<char> }) }>, tags: flags { read, "
                         "write, exec, f3, f4, f5, f6, f7, f8, f9 }, pair: tuple<enum { red, green, blue }, s64> }>, "
                         "pad: tuple<u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64>) "
                         "-> tuple<list<record { name: string, v: option<variant { none, num(u32), text(string), "
                         "nested(record { a: u32, b: string, c: list<u8>, d: option<char> }) }>, tags: flags { read, "
                         "write, exec, f3, f4, f5, f6, f7, f8, f9 }, pair: tuple<enum { red, green, blue }, s64> }>, "
                         "tuple<u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64>>"));
  CHECK(find(&ex, "blob")->kind == WB_CITEM_RESOURCE);
  CHECK(!strcmp(find(&ex, "[method]blob.get")->type, "func(self: borrow<resource>) -> u32"));
  CHECK(!strcmp(find(&ex, "echo-res")->type, "func(x: result<string, u32>, pad: tuple<u64, u64, u64, u64, u64, u64, "
                                               "u64, u64, u64, u64, u64, u64, u64, u64, u64, u64>) -> tuple<result<string, "
                                               "u32>, tuple<u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, "
                                               "u64, u64, u64, u64>>"));
  CHECK(find(&im, "counter")->kind == WB_CITEM_RESOURCE);
  CHECK(!strcmp(find(&im, "counter-add")->type, "func(c: borrow<resource>, n: u32)"));
  CHECK(!strcmp(find(&im, "hs-char")->type, "func(x: char) -> char"));
  wb_citem_list_dispose(&ex);
  wb_citem_list_dispose(&im);
  CHECK(!ex.items && !ex.count);

  wb_component_t hello = load_component(engine, "hello_wasi.wat");
  OK(wb_component_imports(hello, &im));
  CHECK(find(&im, "wasi:io/streams@0.2.0")->kind == WB_CITEM_INSTANCE);
  CHECK(!strcmp(find(&im, "wasi:cli/stdout@0.2.0#get-stdout")->type, "func() -> own<resource>"));
  wb_citem_list_dispose(&im);

  /* serialize, deserialize, and run what came back */
  wb_bytes_t bytes;
  OK(wb_component_serialize(hello, &bytes));
  wb_component_t back;
  OK(wb_component_deserialize(engine, bytes.data, bytes.len, &back));
  wb_bytes_dispose(&bytes);
  wb_component_linker_t l;
  wb_store_t s;
  wb_wasi_config_t w;
  wb_component_instance_t inst;
  OK(wb_component_linker_new(engine, &l));
  OK(wb_component_linker_define_wasi(l));
  OK(wb_wasi_config_new(&w));
  OK(wb_wasi_config_set_stdout(w, WB_STDIO_CAPTURE, NULL));
  OK(wb_store_new(engine, &s));
  OK(wb_store_set_wasi(s, w));
  OK(wb_component_linker_instantiate(l, s, back, &inst));
  OK(wb_component_run(inst));
  wb_bytes_t out;
  OK(wb_store_wasi_output(s, 1, &out));
  CHECK(out.len == 20 && !memcmp(out.data, "hello from WASI 0.2\n", 20));
  wb_bytes_dispose(&out);
  /* a command runs once */
  EXPECT(wb_component_run(inst), WB_ERR_UNUSABLE, "runs once");
  /* not a command */
  wb_component_t plain = compile_component(
      engine, "(component (core module $m (func (export \"f\"))) (core instance $i (instantiate $m))"
              " (func (export \"f\") (canon lift (core func $i \"f\"))))");
  OK(wb_component_linker_instantiate(l, s, plain, &inst));
  EXPECT(wb_component_run(inst), WB_ERR_NOT_FOUND, "not a WASI 0.2 command");
  OK(wb_component_delete(plain));
  OK(wb_store_delete(s));
  OK(wb_wasi_config_delete(w));
  OK(wb_component_linker_delete(l));

  /* validation */
  size_t len;
  char *text = component_text("values.wat", &len);
  OK(wb_component_validate(engine, (const uint8_t *)text, len));
  text[len / 2] = '(';
  EXPECT(wb_component_validate(engine, (const uint8_t *)text, len), WB_ERR_COMPILE, "");
  free(text);
  OK(wb_component_delete(back));
  OK(wb_component_delete(hello));
  OK(wb_component_delete(c));
}

/* Builders of a thread that exited: any thread may delete them, the
 * component linker like the core linker and the WASI configuration. */
static wb_component_linker_t orphan_cl;
static wb_linker_t orphan_l;
static wb_wasi_config_t orphan_w;
static void *make_builders(void *arg) {
  (void)arg;
  OK(wb_component_linker_new(engine, &orphan_cl));
  OK(wb_linker_new(engine, &orphan_l));
  OK(wb_wasi_config_new(&orphan_w));
  return 0;
}

static void builders_of_an_exited_thread(void) {
  pthread_t t;
  CHECK(pthread_create(&t, 0, make_builders, 0) == 0);
  CHECK(pthread_join(t, 0) == 0);
  OK(wb_component_linker_delete(orphan_cl));
  OK(wb_linker_delete(orphan_l));
  OK(wb_wasi_config_delete(orphan_w));
  EXPECT(wb_component_linker_delete(orphan_cl), WB_ERR_INVALID_HANDLE, "");
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  components_dir = argv[1];
  OK(wb_engine_new(NULL, &engine));
  linking();
  introspection_and_serialization();
  builders_of_an_exited_thread();
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("component_linking");
}
