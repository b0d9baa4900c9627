/* Every hazard of Wasmtime's component C API that issue 17 lists, each as a
 * case that now gets a status (none aborts the process or poisons an
 * instance the host did not trap):
 *
 *  - invalid UTF-8 and invalid chars, in arguments and in host results
 *  - post-return: run by wasmbound exactly once per call, never after a
 *    failure; calls after failed calls
 *  - a function or resource of another store; another engine; another thread
 *  - WASI 0.2 in a store without WASI settings (an empty context); engines with async support
 *    or without the component model
 *  - poisoning: traps, failing host functions, and wrongly typed host results
 *    make the instance unusable (a status); wrong arguments do not
 *  - result slots (never uninitialised), results freed twice
 *  - trap codes, and no Rust backtraces in messages (RUST_BACKTRACE=1)
 *  - host resources carry a pointer, not just a 32-bit rep
 *  - list<u8> passes as one buffer (1 MiB)
 *  - WASI stdout/stderr written on Wasmtime's internal thread, captured on
 *    four threads at once
 *  - re-entering an instance from its own host function; deleting the store
 *    from inside a call
 *
 *   test_component_hazards COMPONENTS_DIR
 */
#define _GNU_SOURCE /* setenv */
#include <pthread.h>

#include "component_util.h"

static wb_engine_t engine;

/* ---- host functions whose results are wrong in every way ------------------------------- */

static const char *bad_mode;

static wb_status_t bad_result(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)nargs;
  static wb_cval_t items[4];
  static const char *names[4] = {"a", "b", "c", "d"};
  wb_cval_t *pair;
  OK(wb_component_host_alloc(s, 2 * sizeof *pair, (void **)&pair));
  pair[1] = args[1];
  *result = wb_cval_tuple(pair, 2);
  if (!strcmp(bad_mode, "utf8")) {
    *result = wb_cval_string("\xed\xa0\x80"); /* a surrogate, encoded */
  } else if (!strcmp(bad_mode, "char")) {
    *result = wb_cval_char(0xDFFF);
  } else if (!strcmp(bad_mode, "char-big")) {
    *result = wb_cval_char(0x7FFFFFFF);
  } else if (!strcmp(bad_mode, "kind")) {
    *result = wb_cval_string("not a u32");
  } else if (!strcmp(bad_mode, "enum")) {
    pair[0] = wb_cval_enum("purple");
  } else if (!strcmp(bad_mode, "flags")) {
    pair[0] = wb_cval_flags(1ull << 63);
  } else if (!strcmp(bad_mode, "record")) {
    items[0] = wb_cval_u32(1);
    pair[0] = wb_cval_record(items, names, 1);
  } else if (!strcmp(bad_mode, "field")) {
    items[0] = wb_cval_u32(1), items[1] = wb_cval_string("x"), items[2] = wb_cval_bytes(NULL, 0);
    items[3] = wb_cval_option(NULL);
    static const char *wrong[4] = {"a", "b", "see", "d"};
    pair[0] = wb_cval_record(items, wrong, 4);
  } else if (!strcmp(bad_mode, "payload")) {
    pair[0] = wb_cval_variant("num", NULL);
  } else if (!strcmp(bad_mode, "none")) {
    /* returns WB_OK without setting the result */
    *result = (wb_cval_t){(wb_cval_kind_t)0x7F, {0}};
  } else if (!strcmp(bad_mode, "nested-utf8")) {
    items[0] = wb_cval_string("ok");
    items[1] = wb_cval_string_n("\xff", 1);
    pair[0] = wb_cval_list(items, 2);
  }
  return WB_OK;
}

typedef struct bad_case {
  const char *mode, *func, *part;
} bad_case_t;

static void bad_host_results(void) {
  static const bad_case_t cases[] = {
      {"utf8", "via-string", "the string is not valid UTF-8"},
      {"char", "via-char", "char 0xDFFF is not a Unicode scalar value"},
      {"char-big", "via-char", "char 0x7FFFFFFF"},
      {"kind", "via-u32", "expected u32, got string"},
      {"enum", "via-color", "no case \"purple\""},
      {"flags", "via-perms", "beyond the type's 10 flags"},
      {"record", "via-rec", "has 4 fields, got 1"},
      {"field", "via-rec", "is \"c\", not \"see\""},
      {"payload", "via-var", "needs a payload"},
      {"nested-utf8", "via-strings", "element 1: the string is not valid UTF-8"},
      {"none", "via-u32", "set no result"},
  };
  wb_component_t c = load_component(engine, "values.wat");
  wb_component_linker_t l;
  OK(wb_component_linker_new(engine, &l));
  OK(wb_component_linker_allow_shadowing(l, true));
  const char *names[] = {"h-bytes", "h-strings", "h-matrix", "h-rec", "h-tup", "h-var", "h-color", "h-optstr",
                         "h-optopt", "h-res", "h-resempty", "h-reserr", "h-perms", "h-items", "hs-bool", "hs-s8",
                         "hs-u8", "hs-s16", "hs-u16", "hs-s32", "hs-u32", "hs-s64", "hs-u64", "hs-f32", "hs-f64",
                         "hs-char", "hs-string", "make-counter", "counter-get", "counter-add", "host-fail"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    OK(wb_component_linker_define_func(l, NULL, names[i], bad_result, NULL, NULL));
  uint32_t counter_type;
  OK(wb_component_linker_define_resource(l, NULL, "counter", NULL, NULL, NULL, &counter_type));
  wb_store_t s;
  OK(wb_store_new(engine, &s));
  wb_cval_t pad[16];
  for (int i = 0; i < 16; i++) pad[i] = wb_cval_u64(0);
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    bad_mode = cases[k].mode;
    wb_component_instance_t inst;
    wb_component_func_t f;
    OK(wb_component_linker_instantiate(l, s, c, &inst));
    OK(wb_component_instance_get_func(inst, cases[k].func, &f));
    wb_cval_t args[2] = {wb_cval_u32(1), wb_cval_tuple(pad, 16)};
    wb_bytes_t ty;
    OK(wb_component_func_type(f, &ty));
    size_t nargs = strstr((const char *)ty.data, "pad:") ? 2 : 1;
    if (!strcmp(cases[k].func, "via-string")) args[0] = wb_cval_string("fine");
    if (!strcmp(cases[k].func, "via-char")) args[0] = wb_cval_char('c');
    if (!strcmp(cases[k].func, "via-color")) args[0] = wb_cval_enum("red");
    if (!strcmp(cases[k].func, "via-perms")) args[0] = wb_cval_flags(1);
    if (!strcmp(cases[k].func, "via-var")) args[0] = wb_cval_variant("none", NULL);
    if (!strcmp(cases[k].func, "via-strings")) args[0] = wb_cval_list(NULL, 0);
    wb_cval_t fields[4] = {wb_cval_u32(1), wb_cval_string("x"), wb_cval_bytes(NULL, 0), wb_cval_option(NULL)};
    if (!strcmp(cases[k].func, "via-rec")) args[0] = wb_cval_record(fields, NULL, 4);
    wb_bytes_dispose(&ty);
    wb_cresult_t r = WB_CRESULT_INIT;
    EXPECT(wb_component_func_call(f, args, nargs, &r), WB_ERR_TRAP, cases[k].part);
    CHECK(strstr(wb_last_error(), "returned a bad result") || strstr(wb_last_error(), "set no result"));
    CHECK(wb_last_trap_code() == WB_TRAP_HOST);
    CHECK(!r.has_value);
    /* the guest trapped: that instance is done, the store is not */
    EXPECT(wb_component_instance_usable(inst), WB_ERR_UNUSABLE, cases[k].part);
    EXPECT(wb_component_func_call(f, args, nargs, &r), WB_ERR_UNUSABLE, "make a new instance");
  }
  OK(wb_store_delete(s));
  OK(wb_component_linker_delete(l));
  OK(wb_component_delete(c));
}

/* ---- post-return, traps, result slots ------------------------------------------------------- */

static const char *COUNTING =
    "(component\n"
    "  (core module $m\n"
    "    (memory (export \"mem\") 1)\n"
    "    (global $posts (mut i32) (i32.const 0))\n"
    "    (func (export \"realloc\") (param i32 i32 i32 i32) (result i32) i32.const 256)\n"
    "    (func (export \"name\") (result i32)\n"
    "      (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 5)) (i32.const 0))\n"
    "    (func (export \"post\") (param i32) (global.set $posts (i32.add (global.get $posts) (i32.const 1))))\n"
    "    (func (export \"posts\") (result i32) (global.get $posts))\n"
    "    (func (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))\n"
    "    (data (i32.const 100) \"posts\"))\n"
    "  (core instance $i (instantiate $m))\n"
    "  (func (export \"name\") (result string) (canon lift (core func $i \"name\") (memory $i \"mem\")\n"
    "    (realloc (func $i \"realloc\")) (post-return (func $i \"post\"))))\n"
    "  (func (export \"posts\") (result u32) (canon lift (core func $i \"posts\")))\n"
    "  (func (export \"div\") (param \"a\" s32) (param \"b\" s32) (result s32) (canon lift (core func $i \"div\"))))";

static uint32_t call_u32(wb_component_func_t f) {
  wb_cresult_t r = WB_CRESULT_INIT;
  OK(wb_component_func_call(f, NULL, 0, &r));
  CHECK(r.has_value && r.value.kind == WB_CVAL_U32);
  return r.value.of.u32;
}

static void post_return_and_traps(void) {
  wb_component_t c = compile_component(engine, COUNTING);
  wb_component_linker_t l;
  wb_store_t s;
  wb_component_instance_t inst;
  wb_component_func_t name, posts, divf;
  OK(wb_component_linker_new(engine, &l));
  OK(wb_store_new(engine, &s));
  OK(wb_component_linker_instantiate(l, s, c, &inst));
  OK(wb_component_instance_get_func(inst, "name", &name));
  OK(wb_component_instance_get_func(inst, "posts", &posts));
  OK(wb_component_instance_get_func(inst, "div", &divf));
  /* an uninitialised result struct: the library empties it first */
  wb_cresult_t r;
  memset(&r, 0xAB, sizeof r);
  OK(wb_component_func_call(name, NULL, 0, &r));
  CHECK(r.value.kind == WB_CVAL_STRING && r.value.of.str.len == 5 && !memcmp(r.value.of.str.data, "posts", 5));
  wb_cresult_dispose(&r);
  wb_cresult_dispose(&r);
  wb_cresult_dispose(NULL);
  OK(wb_component_func_call(name, NULL, 0, &r));
  wb_cresult_dispose(&r);
  CHECK(call_u32(posts) == 2); /* post-return ran once per call, by itself */
  /* a refused call runs no post-return and breaks nothing */
  wb_cval_t one = wb_cval_u32(1);
  EXPECT(wb_component_func_call(name, &one, 1, &r), WB_ERR_TYPE_MISMATCH, "takes 0 arguments");
  wb_cval_t ab[2] = {wb_cval_s32(7), wb_cval_u32(0)};
  EXPECT(wb_component_func_call(divf, ab, 2, &r), WB_ERR_TYPE_MISMATCH, "expected s32, got u32");
  CHECK(call_u32(posts) == 2);
  ab[1] = wb_cval_s32(2);
  OK(wb_component_func_call(divf, ab, 2, &r));
  CHECK(r.value.of.s32 == 3);
  /* a trap: its code, no Rust backtrace, then every call is refused without
   * entering Wasmtime (post-return after a failure would abort) */
  ab[1] = wb_cval_s32(0);
  EXPECT(wb_component_func_call(divf, ab, 2, &r), WB_ERR_TRAP, "integer divide by zero");
  CHECK(wb_last_trap_code() == WB_TRAP_INTEGER_DIVISION_BY_ZERO);
  CHECK(!strstr(wb_last_error(), "Stack backtrace"));
  for (int i = 0; i < 3; i++) {
    EXPECT(wb_component_func_call(name, NULL, 0, &r), WB_ERR_UNUSABLE, "divide by zero");
    EXPECT(wb_component_func_call(divf, ab, 2, &r), WB_ERR_UNUSABLE, "");
  }
  /* a new instance in the same store works */
  OK(wb_component_linker_instantiate(l, s, c, &inst));
  OK(wb_component_instance_get_func(inst, "posts", &posts));
  CHECK(call_u32(posts) == 0);
  /* the store deleted: its handles are dead, not dangling */
  OK(wb_store_delete(s));
  EXPECT(wb_component_func_call(posts, NULL, 0, &r), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_component_instance_usable(inst), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_component_linker_delete(l));
  OK(wb_component_delete(c));
}

/* ---- engines, stores, threads ----------------------------------------------------------------- */

static wb_component_func_t other_thread_func;
static wb_component_t shared_component;

static void *other_thread(void *arg) {
  (void)arg;
  wb_cresult_t r = WB_CRESULT_INIT;
  EXPECT(wb_component_func_call(other_thread_func, NULL, 0, &r), WB_ERR_WRONG_THREAD, "wrong thread");
  /* the component itself is shared */
  uint32_t index;
  OK(wb_component_func_index(shared_component, "posts", &index));
  wb_store_t s;
  wb_component_linker_t l;
  wb_component_instance_t inst;
  wb_component_func_t f;
  OK(wb_store_new(engine, &s));
  OK(wb_component_linker_new(engine, &l));
  OK(wb_component_linker_instantiate(l, s, shared_component, &inst));
  OK(wb_component_instance_func(inst, index, &f));
  CHECK(call_u32(f) == 0);
  OK(wb_store_delete(s));
  OK(wb_component_linker_delete(l));
  return NULL;
}

static void engines_stores_threads(void) {
  wb_engine_config_t cfg;
  wb_engine_t async_engine, no_cm, other;
  wb_component_t c;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.async_support = true;
  OK(wb_engine_new(&cfg, &async_engine));
  EXPECT(wb_component_new(async_engine, (const uint8_t *)COUNTING, strlen(COUNTING), &c), WB_ERR_INVALID_ARGUMENT,
         "async_support");
  wb_component_linker_t l;
  EXPECT(wb_component_linker_new(async_engine, &l), WB_ERR_INVALID_ARGUMENT, "async_support");
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.wasm_component_model = false;
  OK(wb_engine_new(&cfg, &no_cm));
  EXPECT(wb_component_new(no_cm, (const uint8_t *)COUNTING, strlen(COUNTING), &c), WB_ERR_INVALID_ARGUMENT,
         "wasm_component_model");
  /* a component of another engine */
  OK(wb_engine_new(NULL, &other));
  c = compile_component(other, COUNTING);
  wb_store_t s;
  wb_component_instance_t inst;
  OK(wb_store_new(engine, &s));
  OK(wb_component_linker_new(engine, &l));
  EXPECT(wb_component_linker_instantiate(l, s, c, &inst), WB_ERR_INVALID_ARGUMENT, "another engine");
  OK(wb_component_delete(c));
  /* WASI 0.2 linked, but the store has no WASI settings: the store gets an
   * empty WASI context (Wasmtime would abort at the guest's first WASI call
   * in a store without one), and the command runs, its output discarded */
  c = load_component(engine, "hello_wasi.wat");
  OK(wb_component_linker_define_wasi(l));
  wb_store_t bare;
  OK(wb_store_new(engine, &bare));
  OK(wb_component_linker_instantiate(l, bare, c, &inst));
  OK(wb_component_run(inst));
  wb_component_template_t t;
  OK(wb_component_template_new(l, c, &t));
  OK(wb_component_template_instantiate(t, bare, &inst));
  OK(wb_component_run(inst));
  OK(wb_component_template_delete(t));
  OK(wb_store_delete(bare));
  OK(wb_component_delete(c));
  /* another thread: store-bound handles refused, the component shared */
  shared_component = compile_component(engine, COUNTING);
  OK(wb_component_linker_instantiate(l, s, shared_component, &inst));
  OK(wb_component_instance_get_func(inst, "posts", &other_thread_func));
  pthread_t th;
  CHECK(pthread_create(&th, NULL, other_thread, NULL) == 0);
  CHECK(pthread_join(th, NULL) == 0);
  CHECK(call_u32(other_thread_func) == 0);
  OK(wb_store_delete(s));
  OK(wb_component_linker_delete(l));
  OK(wb_component_delete(shared_component));
  OK(wb_engine_delete(other));
  OK(wb_engine_delete(no_cm));
  OK(wb_engine_delete(async_engine));
}

/* ---- big lists, re-entrance, deleting from inside ----------------------------------------------- */

static wb_component_func_t reenter_target;
static wb_component_func_t other_instance_func;

static wb_status_t reenter(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)args, (void)nargs;
  wb_cresult_t r = WB_CRESULT_INIT;
  wb_cval_t x = wb_cval_u32(5);
  /* into the instance that is calling us: refused, nothing poisoned */
  EXPECT(wb_component_func_call(reenter_target, &x, 1, &r), WB_ERR_BUSY, "re-entering");
  /* into another instance of the same store: fine */
  OK(wb_component_func_call(other_instance_func, &x, 1, &r));
  CHECK(r.value.of.u32 == 5);
  /* the store cannot go while it runs */
  EXPECT(wb_store_delete(s), WB_ERR_BUSY, "inside one of its own calls");
  *result = wb_cval_u32(args[0].of.u32 + 1);
  return WB_OK;
}

static wb_status_t echo_pair(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)nargs;
  wb_cval_t *pair;
  wb_status_t st = wb_component_host_alloc(s, 2 * sizeof *pair, (void **)&pair);
  if (st) return st;
  pair[0] = args[0], pair[1] = args[1];
  *result = wb_cval_tuple(pair, 2);
  return WB_OK;
}

static wb_status_t echo_one(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)s, (void)nargs;
  *result = args[0];
  return WB_OK;
}

static void big_lists_and_reentrance(void) {
  wb_component_t c = load_component(engine, "values.wat");
  wb_component_linker_t l;
  OK(wb_component_linker_new(engine, &l));
  const char *pairs[] = {"h-bytes", "h-strings", "h-matrix", "h-rec", "h-tup", "h-var", "h-color", "h-optstr",
                         "h-optopt", "h-res", "h-resempty", "h-reserr", "h-perms", "h-items"};
  for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
    OK(wb_component_linker_define_func(l, NULL, pairs[i], echo_pair, NULL, NULL));
  const char *ones[] = {"hs-bool", "hs-s8", "hs-u8", "hs-s16", "hs-u16", "hs-s32", "hs-s64", "hs-u64",
                        "hs-f32", "hs-f64", "hs-char", "hs-string", "make-counter", "counter-get",
                        "counter-add", "host-fail"};
  for (size_t i = 0; i < sizeof ones / sizeof *ones; i++)
    OK(wb_component_linker_define_func(l, NULL, ones[i], echo_one, NULL, NULL));
  OK(wb_component_linker_define_func(l, NULL, "hs-u32", reenter, NULL, NULL));
  uint32_t type;
  OK(wb_component_linker_define_resource(l, NULL, "counter", NULL, NULL, NULL, &type));
  wb_store_t s;
  wb_component_instance_t a, b;
  OK(wb_store_new(engine, &s));
  OK(wb_component_linker_instantiate(l, s, c, &a));
  OK(wb_component_linker_instantiate(l, s, c, &b));
  /* 1 MiB of list<u8>, one buffer each way */
  size_t n = 1u << 20;
  uint8_t *big = malloc(n);
  for (size_t i = 0; i < n; i++) big[i] = (uint8_t)(i * 31 + 7);
  wb_cval_t pad[16];
  for (int i = 0; i < 16; i++) pad[i] = wb_cval_u64((uint64_t)i);
  wb_cval_t args[2] = {wb_cval_bytes(big, n), wb_cval_tuple(pad, 16)};
  wb_component_func_t f;
  wb_cresult_t r = WB_CRESULT_INIT;
  OK(wb_component_instance_get_func(a, "via-bytes", &f));
  OK(wb_component_func_call(f, args, 2, &r));
  const wb_cval_t *got = &r.value.of.list.items[0];
  CHECK(got->kind == WB_CVAL_BYTES && got->of.bytes.len == n && !memcmp(got->of.bytes.data, big, n));
  wb_cresult_dispose(&r);
  free(big);
  /* re-entrance from a host function */
  OK(wb_component_instance_get_func(a, "via-u32", &reenter_target));
  OK(wb_component_instance_get_func(b, "echo-u32", &other_instance_func));
  wb_cval_t x = wb_cval_u32(41);
  OK(wb_component_func_call(reenter_target, &x, 1, &r));
  CHECK(r.value.of.u32 == 42);
  OK(wb_component_instance_usable(a)); /* refused re-entrance poisoned nothing */
  OK(wb_component_func_call(reenter_target, &x, 1, &r));
  CHECK(r.value.of.u32 == 42);
  EXPECT(wb_component_host_alloc(s, 16, (void **)&big), WB_ERR_BUSY, "only inside");
  OK(wb_store_delete(s));
  OK(wb_component_linker_delete(l));
  OK(wb_component_delete(c));
}

/* ---- WASI output from Wasmtime's internal thread, on four threads at once ----------------------- */

static wb_component_template_t hello_template;

static void *hello_worker(void *arg) {
  (void)arg;
  wb_wasi_config_t w;
  OK(wb_wasi_config_new(&w));
  OK(wb_wasi_config_set_stdout(w, WB_STDIO_CAPTURE, NULL));
  for (int round = 0; round < 20; round++) {
    wb_store_t s;
    OK(wb_store_new(engine, &s));
    OK(wb_store_set_wasi(s, w));
    for (int k = 0; k < 5; k++) {
      wb_component_instance_t inst;
      OK(wb_component_template_instantiate(hello_template, s, &inst));
      OK(wb_component_run(inst));
      CHECK(wb_last_exit_code() == 0);
      EXPECT(wb_component_run(inst), WB_ERR_UNUSABLE, "runs once");
    }
    wb_bytes_t out;
    OK(wb_store_wasi_output(s, 1, &out));
    const char *line = "hello from WASI 0.2\n";
    CHECK(out.len == 5 * strlen(line));
    for (int k = 0; k < 5; k++) CHECK(!memcmp(out.data + k * strlen(line), line, strlen(line)));
    wb_bytes_dispose(&out);
    OK(wb_store_delete(s));
  }
  OK(wb_wasi_config_delete(w));
  return NULL;
}

static void wasi_output_threads(void) {
  wb_component_t c = load_component(engine, "hello_wasi.wat");
  wb_component_linker_t l;
  OK(wb_component_linker_new(engine, &l));
  OK(wb_component_linker_define_wasi(l));
  OK(wb_component_template_new(l, c, &hello_template));
  OK(wb_component_linker_delete(l));
  OK(wb_component_delete(c));
  pthread_t th[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&th[i], NULL, hello_worker, NULL) == 0);
  for (int i = 0; i < 4; i++) CHECK(pthread_join(th[i], NULL) == 0);
  OK(wb_component_template_delete(hello_template));
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  components_dir = argv[1];
  setenv("RUST_BACKTRACE", "1", 1); /* Wasmtime then appends Rust backtraces; none may reach a message */
  OK(wb_engine_new(NULL, &engine));
  bad_host_results();
  post_return_and_traps();
  engines_stores_threads();
  big_lists_and_reentrance();
  wasi_output_threads();
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("component_hazards");
}
