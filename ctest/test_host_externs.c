/* Host-made externs (memories, globals, tables, functions made in a
 * store), defined into a linker with wb_linker_define_extern (names with
 * U+0000 too), funcref tables, table copies, and a table of externrefs
 * grown and filled from inside a host function. */
#include "check.h"

static int finalized[4];
static void fin(void *data) { finalized[(int *)data - finalized]++; }

static wb_val_t funcref(wb_func_t f) {
  wb_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = WB_FUNCREF;
  v.of.funcref = f;
  return v;
}

static wb_val_t externref(wb_ref_t r) {
  wb_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = WB_EXTERNREF;
  v.of.ref = r;
  return v;
}

static wb_status_t twice(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)c, (void)na, (void)nr;
  r[0] = val_i32(a[0].of.i32 * 2);
  return WB_OK;
}

/* Grows the caller's externref table by args[0] elements of a new
 * externref and fills the first of them again, from inside the callback. */
static wb_status_t grow_from_host(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)na, (void)nr;
  wb_table_t t;
  wb_store_t s;
  wb_ref_t ref;
  uint64_t prev;
  wb_status_t st;
  if ((st = wb_caller_get_table(c, "refs", &t)) || (st = wb_caller_store(c, &s))) return st;
  if ((st = wb_externref_new(s, &finalized[2], fin, &ref))) return st;
  wb_val_t v = externref(ref);
  st = wb_table_grow(t, (uint64_t)a[0].of.i32, &v, &prev);
  if (st == WB_OK) st = wb_table_fill(t, prev, &v, 1);
  wb_ref_delete(ref); /* the table holds it now */
  if (st) return st;
  r[0] = val_i32((int32_t)prev);
  return WB_OK;
}

static const char *WAT =
    "(module\n"
    "  (import \"host\" \"mem\" (memory 1 2))\n"
    "  (import \"host\" \"g\" (global $g (mut i32)))\n"
    "  (import \"host\" \"funcs\" (table $funcs 4 funcref))\n"
    "  (import \"host\" \"twice\" (func $twice (param i32) (result i32)))\n"
    "  (import \"host\\00with nul\" \"grow\" (func $grow (param i32) (result i32)))\n"
    "  (type $unary (func (param i32) (result i32)))\n"
    "  (table $refs (export \"refs\") 0 externref)\n"
    "  (func (export \"store\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
    "  (func (export \"bump\") (global.set $g (i32.add (global.get $g) (i32.const 1))))\n"
    "  (func (export \"call\") (param i32 i32) (result i32)\n"
    "    (call_indirect $funcs (type $unary) (local.get 1) (local.get 0)))\n"
    "  (func (export \"grow\") (param i32) (result i32) (call $grow (local.get 0)))\n"
    "  (func (export \"count\") (result i32) (table.size $refs))\n"
    "  (func (export \"is_null\") (param i32) (result i32) (ref.is_null (table.get $refs (local.get 0)))))\n";

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, WAT);
  wb_store_t s;
  OK(wb_store_new(e, &s));

  /* ---- made in the store ---- */
  wb_memory_t mem;
  wb_memorytype_t mt = {1, 2, true, false, false, 16}, mt2;
  OK(wb_memory_new(s, &mt, &mem));
  OK(wb_memory_type(mem, &mt2));
  CHECK(mt2.min == 1 && mt2.has_max && mt2.max == 2 && !mt2.is64 && mt2.page_size_log2 == 16);
  wb_global_t g;
  wb_globaltype_t gt = {{WB_I32, 0, WB_HEAP_NONE_GIVEN, 0, 0}, true}, gt2;
  wb_val_t v = val_i32(41);
  OK(wb_global_new(s, &gt, &v, &g));
  OK(wb_global_type(g, &gt2));
  CHECK(gt2.is_mutable && gt2.content.kind == WB_I32);
  const wb_valkind_t i32[1] = {WB_I32};
  wb_func_t tw;
  OK(wb_func_new(s, i32, 1, i32, 1, twice, NULL, NULL, &tw));
  wb_valtype_t p[1], r[1];
  OK(wb_func_type(tw, p, 1, r, 1));
  CHECK(p[0].kind == WB_I32 && r[0].kind == WB_I32);
  wb_val_t res;
  v = val_i32(21);
  OK(wb_func_call(tw, &v, 1, &res, 1)); /* a host function called from the host */
  CHECK(res.of.i32 == 42);
  wb_func_t gr;
  OK(wb_func_new(s, i32, 1, i32, 1, grow_from_host, NULL, NULL, &gr));
  wb_table_t funcs;
  wb_tabletype_t tt = {{WB_FUNCREF, 1, WB_HEAP_FUNC, 0, 0}, 4, 8, true, false}, tt2;
  wb_val_t init = funcref(tw);
  OK(wb_table_new(s, &tt, &init, &funcs));
  OK(wb_table_type(funcs, &tt2));
  CHECK(tt2.min == 4 && tt2.has_max && tt2.max == 8 && tt2.element.kind == WB_FUNCREF);

  /* ---- defined into a linker, names with U+0000 included ---- */
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_extern(l, "host", 4, "mem", 3, &(wb_extern_t){WB_EXTERN_MEMORY, {.memory = mem}}));
  OK(wb_linker_define_extern(l, "host", 4, "g", 1, &(wb_extern_t){WB_EXTERN_GLOBAL, {.global = g}}));
  OK(wb_linker_define_extern(l, "host", 4, "funcs", 5, &(wb_extern_t){WB_EXTERN_TABLE, {.table = funcs}}));
  OK(wb_linker_define_extern(l, "host", 4, "twice", 5, &(wb_extern_t){WB_EXTERN_FUNC, {.func = tw}}));
  EXPECT(wb_linker_define_extern(l, "host", 4, "twice", 5, &(wb_extern_t){WB_EXTERN_FUNC, {.func = tw}}),
         WB_ERR_LINK, ""); /* no shadowing */
  OK(wb_linker_define_extern(l, "host\0with nul", 13, "grow", 4, &(wb_extern_t){WB_EXTERN_FUNC, {.func = gr}}));
  wb_instance_t i;
  OK(wb_linker_instantiate(l, s, m, &i));
  wb_template_t tmpl;
  EXPECT(wb_template_new(l, m, &tmpl), WB_ERR_INVALID_ARGUMENT, "store"); /* it holds a store's objects */
  wb_store_t other;
  OK(wb_store_new(e, &other));
  EXPECT(wb_linker_instantiate(l, other, m, &i), WB_ERR_INVALID_ARGUMENT, "another store");
  OK(wb_store_delete(other));

  /* ---- wasm uses them; the host sees it ---- */
  wb_func_t f;
  wb_val_t args[2] = {val_i32(8), val_i32(0x1234)};
  OK(wb_instance_get_func(i, "store", &f));
  OK(wb_func_call(f, args, 2, NULL, 0));
  int32_t word = 0;
  OK(wb_memory_read(mem, 8, &word, 4));
  CHECK(word == 0x1234);
  OK(wb_instance_get_func(i, "bump", &f));
  OK(wb_func_call(f, NULL, 0, NULL, 0));
  OK(wb_global_get(g, &v));
  CHECK(v.of.i32 == 42);
  OK(wb_instance_get_func(i, "call", &f));
  args[0] = val_i32(3), args[1] = val_i32(5);
  OK(wb_func_call(f, args, 2, &res, 1)); /* funcs[3] is `twice` (the table's init) */
  CHECK(res.of.i32 == 10);

  /* ---- funcref tables from the host ---- */
  wb_val_t got;
  OK(wb_table_get(funcs, 0, &got));
  CHECK(got.kind == WB_FUNCREF && got.of.funcref.id == tw.id); /* the same function, the same handle */
  wb_val_t null_func = funcref((wb_func_t){0});
  OK(wb_table_set(funcs, 3, &null_func));
  EXPECT(wb_func_call(f, args, 2, &res, 1), WB_ERR_TRAP, ""); /* call_indirect to null */
  CHECK(wb_last_trap_code() == WB_TRAP_INDIRECT_CALL_TO_NULL);
  uint64_t prev = 0, size = 0;
  OK(wb_table_grow(funcs, 2, &got, &prev));
  CHECK(prev == 4);
  OK(wb_table_copy(funcs, 1, funcs, 0, 5)); /* overlapping, as memmove */
  OK(wb_table_get(funcs, 4, &got));
  CHECK(got.of.funcref.id == 0); /* what was at 3 */
  OK(wb_table_get(funcs, 5, &got));
  CHECK(got.of.funcref.id == tw.id);
  OK(wb_table_size(funcs, &size));
  CHECK(size == 6);
  EXPECT(wb_table_copy(funcs, 2, funcs, 0, 5), WB_ERR_OUT_OF_BOUNDS, "");
  EXPECT(wb_table_grow(funcs, 3, NULL, NULL), WB_ERR_LIMIT, ""); /* max 8 */
  wb_table_t refs;
  OK(wb_instance_get_table(i, "refs", &refs));
  EXPECT(wb_table_copy(refs, 0, funcs, 0, 0), WB_ERR_TYPE_MISMATCH, "element type");
  /* a function out of a table called from the host */
  OK(wb_table_get(funcs, 0, &got));
  v = val_i32(4);
  OK(wb_func_call(got.of.funcref, &v, 1, &res, 1));
  CHECK(res.of.i32 == 8);

  /* ---- a table of externrefs grown and filled from a host function ---- */
  OK(wb_instance_get_func(i, "grow", &f));
  v = val_i32(3);
  OK(wb_func_call(f, &v, 1, &res, 1));
  CHECK(res.of.i32 == 0);
  OK(wb_func_call(f, &v, 1, &res, 1));
  CHECK(res.of.i32 == 3);
  OK(wb_table_size(refs, &size));
  CHECK(size == 6);
  void *data;
  OK(wb_table_get(refs, 4, &got));
  OK(wb_externref_data(got.of.ref, &data));
  CHECK(data == &finalized[2]);
  OK(wb_ref_delete(got.of.ref));
  /* and from the host, with a reference of its own */
  wb_ref_t mine;
  OK(wb_externref_new(s, &finalized[1], fin, &mine));
  wb_val_t ev = externref(mine);
  OK(wb_table_grow(refs, 2, &ev, &prev));
  CHECK(prev == 6);
  OK(wb_table_fill(refs, 0, &ev, 2));
  OK(wb_table_copy(refs, 6, refs, 3, 2)); /* the callback's references over the host's */
  OK(wb_ref_delete(mine));
  OK(wb_store_gc(s));
  CHECK(finalized[1] == 0); /* the table still holds it at 0 and 1 */
  wb_val_t nul = externref((wb_ref_t){0});
  OK(wb_table_fill(refs, 0, &nul, 2));
  OK(wb_store_gc(s));
  CHECK(finalized[1] == 1);
  CHECK(finalized[2] == 0);
  OK(wb_store_delete(s));
  CHECK(finalized[2] == 2); /* one per call of the host function */

  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("host_externs");
}
