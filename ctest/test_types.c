/* Full types through the safe layer, for modules whose types Wasmtime's C
 * API cannot describe (GC and typed-function references, exceptions, tags,
 * 64-bit tables): module imports and exports, function, global, table and
 * memory types, export enumeration, names with U+0000, exceptions that
 * reach the host, link errors that name both types, and serialized
 * modules that keep their types. None of it may abort. */
#include "check.h"

static const char *WAT =
    "(module\n"
    "  (rec (type $node (sub (struct (field (ref null $node))))) (type $leaf (sub $node (struct (field (ref null $node)) (field i32)))))\n"
    "  (type $f (func (param (ref $node) eqref) (result (ref null $f))))\n"
    "  (type $tagty (func (param i32)))\n"
    "  (import \"env\" \"tag\" (tag $imported (param i64)))\n"
    "  (import \"env\" \"g\" (global $gi (ref null $node)))\n"
    "  (tag $e (export \"e\") (param i32))\n"
    "  (memory (export \"m64\") i64 1 2)\n"
    "  (table (export \"t64\") i64 3 funcref)\n"
    "  (table (export \"tf\") 2 (ref null $f))\n"
    "  (global (export \"gn\") (mut (ref null $node)) (ref.null $node))\n"
    "  (global (export \"gx\") (mut exnref) (ref.null exn))\n"
    "  (func $h (export \"h\") (type $f) ref.func $h)\n"
    "  (func (export \"exn\") (param exnref) (result exnref) local.get 0)\n"
    "  (func (export \"throw\") (param i32) local.get 0 throw $e)\n"
    "  (func (export \"catch\") (param i32) (result i32)\n"
    "    (block $c (result i32) (try_table (catch $e $c) (local.get 0) (throw $e)) (i32.const -1)))\n"
    "  (func (export \"a\\00b\") (result i32) i32.const 42)\n"
    "  (elem declare func $h))\n";

static int callbacks;

/* Looks up the caller's exports of every kind, typed from its module. */
static wb_status_t inspect(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)a, (void)na, (void)r, (void)nr;
  wb_func_t f;
  wb_valtype_t p[1], res[1];
  wb_extern_t x;
  wb_global_t g;
  wb_globaltype_t gt;
  OK(wb_caller_get_func(c, "typed", &f));
  OK(wb_func_type(f, p, 1, res, 1));
  CHECK(p[0].kind == WB_ANYREF && p[0].heap == WB_HEAP_I31 && !p[0].nullable);
  CHECK(res[0].kind == WB_FUNCREF && res[0].heap == WB_HEAP_CONCRETE_FUNC);
  OK(wb_caller_get_global(c, "gi31", &g));
  OK(wb_global_type(g, &gt));
  CHECK(gt.content.heap == WB_HEAP_I31);
  EXPECT(wb_caller_get_export(c, "oops", 4, &x), WB_ERR_TYPE_MISMATCH, "tag");
  OK(wb_caller_get_export(c, "typed", 5, &x));
  CHECK(x.kind == WB_EXTERN_FUNC && x.of.func.id == f.id);
  callbacks++;
  return WB_OK;
}

static void check_valtype(wb_valtype_t t, uint8_t kind, uint8_t nullable, uint8_t heap, uint32_t index) {
  CHECK(t.kind == kind && t.nullable == nullable && t.heap == heap && t.reserved == 0);
  if (heap >= WB_HEAP_CONCRETE_FUNC) CHECK(t.type_index == index);
}

static int find(const wb_extern_list_t *l, const char *name, size_t len) {
  for (size_t i = 0; i < l->count; i++)
    if (l->items[i].name_len == len && memcmp(l->items[i].name, name, len) == 0) return (int)i;
  return -1;
}

int main(void) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.wasm_gc = true;
  cfg.wasm_function_references = true;
  cfg.wasm_exceptions = true;
  wb_engine_t e;
  OK(wb_engine_new(&cfg, &e));
  wb_module_t m = compile_wat(e, WAT);

  /* ---- module imports and exports, with full types ---- */
  wb_extern_list_t list = WB_EXTERN_LIST_INIT;
  OK(wb_module_imports(m, &list));
  CHECK(list.count == 2);
  CHECK(list.items[0].kind == WB_EXTERN_TAG && strcmp(list.items[0].type, "(tag (param i64))") == 0);
  CHECK(list.items[0].detail->func.nparams == 1 && list.items[0].detail->func.params[0].kind == WB_I64);
  CHECK(list.items[1].kind == WB_EXTERN_GLOBAL && strcmp(list.items[1].type, "(global (ref null 0))") == 0);
  check_valtype(list.items[1].detail->global.content, WB_ANYREF, 1, WB_HEAP_CONCRETE_STRUCT, 0);
  CHECK(list.items[1].module_len == 3 && list.items[1].name_len == 1);
  wb_extern_list_dispose(&list);
  CHECK(list.version == WB_EXTERN_LIST_VERSION && list.items == NULL);
  OK(wb_module_exports(m, &list));
  int k = find(&list, "h", 1);
  CHECK(k >= 0 && strcmp(list.items[k].type, "(func (param (ref 0) eqref) (result (ref null 2)))") == 0);
  const wb_functype_t *ft = &list.items[k].detail->func;
  CHECK(ft->nparams == 2 && ft->nresults == 1);
  check_valtype(ft->params[0], WB_ANYREF, 0, WB_HEAP_CONCRETE_STRUCT, 0);
  check_valtype(ft->params[1], WB_ANYREF, 1, WB_HEAP_EQ, 0);
  check_valtype(ft->results[0], WB_FUNCREF, 1, WB_HEAP_CONCRETE_FUNC, 2);
  k = find(&list, "m64", 3);
  CHECK(k >= 0 && list.items[k].detail->memory.is64 && list.items[k].detail->memory.max == 2);
  CHECK(list.items[k].detail->memory.page_size_log2 == 16);
  k = find(&list, "t64", 3);
  CHECK(k >= 0 && list.items[k].detail->table.is64 && list.items[k].detail->table.min == 3);
  k = find(&list, "e", 1);
  CHECK(k >= 0 && list.items[k].kind == WB_EXTERN_TAG);
  k = find(&list, "a\0b", 3);
  CHECK(k >= 0 && list.items[k].name_len == 3); /* a name with U+0000 keeps its length */
  k = find(&list, "gx", 2);
  CHECK(k >= 0 && list.items[k].detail->global.is_mutable);
  check_valtype(list.items[k].detail->global.content, WB_EXNREF, 1, WB_HEAP_EXN, 0);
  wb_extern_list_dispose(&list);
  list.version = 99;
  EXPECT(wb_module_exports(m, &list), WB_ERR_INVALID_ARGUMENT, "WB_EXTERN_LIST_INIT");
  list.version = WB_EXTERN_LIST_VERSION;

  /* ---- instantiate: the imports from a provider instance ---- */
  wb_module_t provider = compile_wat(
      e, "(module (rec (type $node (sub (struct (field (ref null $node)))))"
         " (type $leaf (sub $node (struct (field (ref null $node)) (field i32))))) (tag (export \"tag\") (param i64))"
         " (global (export \"g\") (ref null $node) (ref.null $node)))");
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_instance_t pi, i;
  OK(wb_instance_new(s, provider, &pi));
  EXPECT(wb_instance_new(s, m, &i), WB_ERR_LINK, "use a linker"); /* imports a tag: no abort */
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_instance(l, "env", pi));
  OK(wb_linker_instantiate(l, s, m, &i));

  /* ---- exports of every kind, typed ---- */
  wb_func_t h;
  OK(wb_instance_get_func(i, "h", &h));
  wb_valtype_t params[2], results[1];
  OK(wb_func_type(h, params, 2, results, 1));
  check_valtype(params[0], WB_ANYREF, 0, WB_HEAP_CONCRETE_STRUCT, 0);
  check_valtype(results[0], WB_FUNCREF, 1, WB_HEAP_CONCRETE_FUNC, 2);
  EXPECT(wb_func_type(h, params, 1, results, 1), WB_ERR_INVALID_ARGUMENT, "room");
  wb_global_t g;
  wb_globaltype_t gt;
  OK(wb_instance_get_global(i, "gn", &g));
  OK(wb_global_type(g, &gt));
  CHECK(gt.is_mutable);
  check_valtype(gt.content, WB_ANYREF, 1, WB_HEAP_CONCRETE_STRUCT, 0);
  wb_val_t v;
  OK(wb_global_get(g, &v));
  CHECK(v.kind == WB_ANYREF && v.of.ref.id == 0);
  OK(wb_global_set(g, &v));
  wb_ref_t i31;
  OK(wb_i31ref_new(s, 3, &i31));
  v.of.ref = i31; /* an i31 is not a $node: Wasmtime's check refuses it */
  EXPECT(wb_global_set(g, &v), WB_ERR_TYPE_MISMATCH, "");
  OK(wb_instance_get_global(i, "gx", &g));
  EXPECT(wb_global_get(g, &v), WB_ERR_TYPE_MISMATCH, "exception");
  wb_memory_t mem;
  wb_memorytype_t mt;
  OK(wb_instance_get_memory(i, "m64", &mem));
  OK(wb_memory_type(mem, &mt));
  CHECK(mt.is64 && mt.min == 1 && mt.has_max && mt.max == 2 && !mt.shared && mt.page_size_log2 == 16);
  wb_table_t t;
  wb_tabletype_t tt;
  OK(wb_instance_get_table(i, "t64", &t));
  OK(wb_table_type(t, &tt));
  CHECK(tt.is64 && tt.min == 3 && !tt.has_max);
  check_valtype(tt.element, WB_FUNCREF, 1, WB_HEAP_FUNC, 0);
  OK(wb_instance_get_table(i, "tf", &t));
  OK(wb_table_type(t, &tt));
  check_valtype(tt.element, WB_FUNCREF, 1, WB_HEAP_CONCRETE_FUNC, 2);
  /* a typed funcref from a call: its type comes from the static type */
  wb_ref_t node = {0};
  wb_val_t args[2];
  memset(args, 0, sizeof args);
  args[0].kind = WB_ANYREF;
  args[1].kind = WB_ANYREF;
  EXPECT(wb_func_call(h, args, 2, &v, 1), WB_ERR_TYPE_MISMATCH, "not nullable"); /* (ref $node) is not null */
  (void)node;
  wb_extern_t x;
  EXPECT(wb_instance_get_export(i, "e", 1, &x), WB_ERR_TYPE_MISMATCH, "tag");
  EXPECT(wb_instance_get_func(i, "e", (wb_func_t *)&x.of), WB_ERR_TYPE_MISMATCH, "tag");
  OK(wb_instance_get_export(i, "a\0b", 3, &x));
  CHECK(x.kind == WB_EXTERN_FUNC);
  OK(wb_func_call(x.of.func, NULL, 0, &v, 1));
  CHECK(v.of.i32 == 42);
  EXPECT(wb_instance_get_export(i, "a", 1, &x), WB_ERR_NOT_FOUND, "");
  EXPECT(wb_instance_get_export(i, "a\xff", 2, &x), WB_ERR_INVALID_ARGUMENT, "UTF-8");
  wb_export_list_t exports = WB_EXPORT_LIST_INIT;
  OK(wb_instance_exports(i, &exports));
  CHECK(exports.count == 11);
  int tags = 0, funcs = 0;
  for (size_t j = 0; j < exports.count; j++) {
    tags += exports.items[j].item.kind == WB_EXTERN_TAG;
    funcs += exports.items[j].item.kind == WB_EXTERN_FUNC && exports.items[j].item.of.func.id != 0;
  }
  CHECK(tags == 1 && funcs == 5);
  wb_export_list_dispose(&exports);
  wb_export_list_dispose(&exports);
  wb_export_list_dispose(NULL);

  /* ---- exnrefs: null passes, non-null cannot exist ---- */
  wb_func_t fx;
  OK(wb_instance_get_func(i, "exn", &fx));
  memset(&v, 0, sizeof v);
  v.kind = WB_EXNREF;
  wb_val_t r;
  OK(wb_func_call(fx, &v, 1, &r, 1));
  CHECK(r.kind == WB_EXNREF && r.of.ref.id == 0);

  /* ---- an exception that reaches the host; the store stays usable ---- */
  wb_func_t thrower, catcher;
  OK(wb_instance_get_func(i, "throw", &thrower));
  OK(wb_instance_get_func(i, "catch", &catcher));
  v = val_i32(7);
  EXPECT(wb_func_call(thrower, &v, 1, NULL, 0), WB_ERR_EXCEPTION, "exception");
  CHECK(wb_last_trap_code() == WB_TRAP_EXCEPTION);
  OK(wb_func_call(catcher, &v, 1, &r, 1));
  CHECK(r.of.i32 == 7);
  EXPECT(wb_func_call(thrower, &v, 1, NULL, 0), WB_ERR_EXCEPTION, "");
  wb_module_t starter = compile_wat(e, "(module (tag $e) (func $s throw $e) (start $s))");
  EXPECT(wb_instance_new(s, starter, &pi), WB_ERR_EXCEPTION, "start function");
  CHECK(wb_last_trap_code() == WB_TRAP_EXCEPTION);
  OK(wb_func_call(catcher, &v, 1, &r, 1));

  /* ---- a host function looks up its caller's GC-typed exports ---- */
  wb_linker_t l3;
  OK(wb_linker_new(e, &l3));
  OK(wb_linker_define_func(l3, "host", "inspect", NULL, 0, NULL, 0, inspect, NULL, NULL));
  wb_module_t caller = compile_wat(
      e, "(module (type $t (func)) (import \"host\" \"inspect\" (func $i)) (tag (export \"oops\"))"
         " (global (export \"gi31\") i31ref (ref.i31 (i32.const 1)))"
         " (func $typed (export \"typed\") (param (ref i31)) (result (ref $t)) unreachable)"
         " (func (export \"run\") call $i))");
  OK(wb_linker_instantiate(l3, s, caller, &pi));
  wb_func_t run;
  OK(wb_instance_get_func(pi, "run", &run));
  OK(wb_func_call(run, NULL, 0, NULL, 0));
  CHECK(callbacks == 1);
  OK(wb_func_call(run, NULL, 0, NULL, 0)); /* typed from the handle the first lookup made */
  CHECK(callbacks == 2);
  OK(wb_linker_delete(l3));
  OK(wb_module_delete(caller));

  /* ---- a guest's table.grow that Wasmtime could not allocate fails as wasm
   *      expects (the store's default table limit), instead of aborting ---- */
  wb_module_t grower = compile_wat(
      e, "(module (table $t 0 funcref) (table $u i64 0 funcref)"
         " (func (export \"g32\") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))"
         " (func (export \"g64\") (param i64) (result i64) (table.grow $u (ref.null func) (local.get 0))))");
  OK(wb_instance_new(s, grower, &pi));
  wb_func_t g32, g64;
  OK(wb_instance_get_func(pi, "g32", &g32));
  OK(wb_instance_get_func(pi, "g64", &g64));
  v = val_i32((int32_t)0xFFFFFFF0u);
  OK(wb_func_call(g32, &v, 1, &r, 1));
  CHECK(r.of.i32 == -1);
  v = val_i64((int64_t)1 << 40);
  OK(wb_func_call(g64, &v, 1, &r, 1));
  CHECK(r.of.i64 == -1);
  v = val_i32(1000);
  OK(wb_func_call(g32, &v, 1, &r, 1));
  CHECK(r.of.i32 == 0);
  OK(wb_module_delete(grower));
  wb_module_t bigtab = compile_wat(e, "(module (table 0xffff_ffff funcref))");
  EXPECT(wb_instance_new(s, bigtab, &pi), WB_ERR_LIMIT, "table");
  OK(wb_module_delete(bigtab));

  /* ---- a table Wasmtime would abort on while allocating it is refused ---- */
  wb_module_t huge = compile_wat(e, "(module (table i64 0xffff_ffff_ffff_ffff funcref))");
  EXPECT(wb_instance_new(s, huge, &pi), WB_ERR_LIMIT, "table of more than");
  EXPECT(wb_linker_instantiate(l, s, huge, &pi), WB_ERR_LIMIT, "table of more than");
  OK(wb_module_delete(huge));

  /* ---- link errors name the import and both types ---- */
  wb_module_t wants = compile_wat(e, "(module (import \"host\" \"mem\" (memory 2 3)) (import \"host\" \"tab\" (table 5 funcref)))");
  wb_linker_t l2;
  OK(wb_linker_new(e, &l2));
  wb_table_t tab, small_tab;
  wb_tabletype_t ttype = {{WB_FUNCREF, 1, WB_HEAP_FUNC, 0, 0}, 5, 0, false, false};
  OK(wb_table_new(s, &ttype, NULL, &tab));
  ttype.min = 1;
  OK(wb_table_new(s, &ttype, NULL, &small_tab));
  wb_extern_t item = {WB_EXTERN_TABLE, {.table = tab}};
  OK(wb_linker_define_extern(l2, "host", 4, "tab", 3, &item));
  wb_memory_t small, big;
  wb_memorytype_t smt = {1, 1, true, false, false, 16}, bigt = {2, 3, true, false, false, 16};
  OK(wb_memory_new(s, &smt, &small));
  OK(wb_memory_new(s, &bigt, &big));
  item.kind = WB_EXTERN_MEMORY;
  item.of.memory = small;
  OK(wb_linker_define_extern(l2, "host", 4, "mem", 3, &item));
  EXPECT(wb_linker_instantiate(l2, s, wants, &pi), WB_ERR_LINK, "host::mem"); /* limits: not WB_ERR_LIMIT */
  CHECK(strstr(wb_last_error(), "expected memory limits (min: 2, max: 3)") != NULL);
  CHECK(strstr(wb_last_error(), "provided memory limits (min: 1, max: 1)") != NULL);
  OK(wb_linker_allow_shadowing(l2, true));
  item.of.memory = big;
  OK(wb_linker_define_extern(l2, "host", 4, "mem", 3, &item));
  item.kind = WB_EXTERN_TABLE;
  item.of.table = small_tab;
  OK(wb_linker_define_extern(l2, "host", 4, "tab", 3, &item));
  EXPECT(wb_linker_instantiate(l2, s, wants, &pi), WB_ERR_LINK, "host::tab");
  CHECK(strstr(wb_last_error(), "table limits") != NULL);
  item.kind = WB_EXTERN_FUNC;
  item.of.func = h;
  OK(wb_linker_define_extern(l2, "host", 4, "tab", 3, &item));
  EXPECT(wb_linker_instantiate(l2, s, wants, &pi), WB_ERR_LINK, "expected table");
  OK(wb_table_grow(small_tab, 4, NULL, NULL)); /* now it has 5 elements */
  item.kind = WB_EXTERN_TABLE;
  item.of.table = small_tab;
  OK(wb_linker_define_extern(l2, "host", 4, "tab", 3, &item));
  OK(wb_linker_instantiate(l2, s, wants, &pi));

  /* ---- a serialized module keeps its types; raw bytes do not ---- */
  wb_bytes_t bytes;
  OK(wb_module_serialize(m, &bytes));
  wb_module_t back;
  OK(wb_module_deserialize(e, bytes.data, bytes.len, &back));
  OK(wb_module_exports(back, &list));
  k = find(&list, "h", 1);
  CHECK(k >= 0 && strcmp(list.items[k].type, "(func (param (ref 0) eqref) (result (ref null 2)))") == 0);
  wb_extern_list_dispose(&list);
  /* Wasmtime's bytes alone (without the types wasmbound appends: the
   * skeleton, its length, "wbinfo01"): the module loads, its types are
   * unknown, and what would need them is refused, not aborted */
  CHECK(bytes.len > 16 && memcmp(bytes.data + bytes.len - 8, "wbinfo01", 8) == 0);
  uint64_t skel = 0;
  memcpy(&skel, bytes.data + bytes.len - 16, 8);
  wb_module_t bare;
  OK(wb_module_deserialize(e, bytes.data, bytes.len - 16 - skel, &bare));
  EXPECT(wb_module_exports(bare, &list), WB_ERR_INVALID_ARGUMENT, "no wasmbound type information");
  OK(wb_linker_instantiate(l, s, bare, &pi));
  EXPECT(wb_instance_get_func(pi, "h", &h), WB_ERR_TYPE_MISMATCH, "no type information");
  wb_bytes_dispose(&bytes);

  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  OK(wb_linker_delete(l2));
  OK(wb_module_delete(m));
  OK(wb_module_delete(back));
  OK(wb_module_delete(bare));
  OK(wb_module_delete(provider));
  OK(wb_module_delete(starter));
  OK(wb_module_delete(wants));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("types");
}
