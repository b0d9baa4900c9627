/* Stores, instances and calls with every value kind; argument checks;
 * funcrefs, including one of another store (refused before Wasmtime). */
#include <math.h>

#include "check.h"

static const char *wat =
    "(module\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (table 4 funcref)\n"
    "  (elem declare func $double)\n"
    "  (func $double (export \"double\") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)\n"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)\n"
    "  (func (export \"add64\") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)\n"
    "  (func (export \"mulf\") (param f32 f32) (result f32) local.get 0 local.get 1 f32.mul)\n"
    "  (func (export \"divd\") (param f64 f64) (result f64) local.get 0 local.get 1 f64.div)\n"
    "  (func (export \"vadd\") (param v128 v128) (result v128) local.get 0 local.get 1 i32x4.add)\n"
    "  (func (export \"swap\") (param i32 i64) (result i64 i32) local.get 1 local.get 0)\n"
    "  (func (export \"get_double\") (result funcref) ref.func $double)\n"
    "  (func (export \"call_ref\") (param funcref i32) (result i32)\n"
    "    i32.const 0 local.get 0 table.set\n"
    "    local.get 1 i32.const 0 call_indirect (type $t))\n"
    "  (func (export \"is_null\") (param funcref) (result i32) local.get 0 ref.is_null)\n"
    "  (func (export \"many\") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)\n"
    "    (result i32)\n"
    "    local.get 0 local.get 19 i32.add)\n"
    "  (func (export \"nothing\")))";

static wb_func_t get(wb_instance_t i, const char *name) {
  wb_func_t f;
  OK(wb_instance_get_func(i, name, &f));
  return f;
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_instance_t inst;
  OK(wb_instance_new(s, m, &inst));

  wb_val_t a[20], r[2];
  /* i32 */
  a[0] = val_i32(2);
  a[1] = val_i32(40);
  OK(wb_func_call(get(inst, "add"), a, 2, r, 1));
  CHECK(r[0].kind == WB_I32 && r[0].of.i32 == 42);
  a[0] = val_i32(INT32_MAX);
  a[1] = val_i32(1);
  OK(wb_func_call(get(inst, "add"), a, 2, r, 1));
  CHECK(r[0].of.i32 == INT32_MIN);
  /* i64 */
  a[0] = val_i64(INT64_C(1) << 40);
  a[1] = val_i64(-1);
  OK(wb_func_call(get(inst, "add64"), a, 2, r, 1));
  CHECK(r[0].kind == WB_I64 && r[0].of.i64 == (INT64_C(1) << 40) - 1);
  /* f32 */
  a[0].kind = a[1].kind = WB_F32;
  a[0].of.f32 = 1.5f;
  a[1].of.f32 = -4.0f;
  OK(wb_func_call(get(inst, "mulf"), a, 2, r, 1));
  CHECK(r[0].kind == WB_F32 && r[0].of.f32 == -6.0f);
  /* f64, including inf */
  a[0].kind = a[1].kind = WB_F64;
  a[0].of.f64 = 1.0;
  a[1].of.f64 = 0.0;
  OK(wb_func_call(get(inst, "divd"), a, 2, r, 1));
  CHECK(r[0].kind == WB_F64 && isinf(r[0].of.f64));
  a[1].of.f64 = 4.0;
  OK(wb_func_call(get(inst, "divd"), a, 2, r, 1));
  CHECK(r[0].of.f64 == 0.25);
  /* v128 */
  a[0].kind = a[1].kind = WB_V128;
  for (int k = 0; k < 16; k++) {
    a[0].of.v128[k] = (uint8_t)k;
    a[1].of.v128[k] = (uint8_t)(k % 4 == 0 ? 1 : 0);
  }
  OK(wb_func_call(get(inst, "vadd"), a, 2, r, 1));
  CHECK(r[0].kind == WB_V128);
  for (int k = 0; k < 16; k++) CHECK(r[0].of.v128[k] == (uint8_t)(k + (k % 4 == 0 ? 1 : 0)));
  /* multiple results */
  a[0] = val_i32(7);
  a[1] = val_i64(-9);
  OK(wb_func_call(get(inst, "swap"), a, 2, r, 2));
  CHECK(r[0].kind == WB_I64 && r[0].of.i64 == -9 && r[1].kind == WB_I32 && r[1].of.i32 == 7);
  /* more values than fit the inline buffer */
  for (int k = 0; k < 20; k++) a[k] = val_i32(k + 1);
  OK(wb_func_call(get(inst, "many"), a, 20, r, 1));
  CHECK(r[0].of.i32 == 21);
  /* no params, no results */
  OK(wb_func_call(get(inst, "nothing"), NULL, 0, NULL, 0));

  /* funcref out, funcref in, null funcref */
  OK(wb_func_call(get(inst, "get_double"), NULL, 0, r, 1));
  CHECK(r[0].kind == WB_FUNCREF && r[0].of.funcref.id != 0);
  wb_func_t dbl = r[0].of.funcref;
  CHECK(dbl.id == get(inst, "double").id); /* same function, same handle */
  a[0].kind = WB_FUNCREF;
  a[0].of.funcref = dbl;
  a[1] = val_i32(21);
  OK(wb_func_call(get(inst, "call_ref"), a, 2, r, 1));
  CHECK(r[0].of.i32 == 42);
  a[0].of.funcref.id = 0;
  OK(wb_func_call(get(inst, "is_null"), a, 1, r, 1));
  CHECK(r[0].of.i32 == 1);
  a[0].of.funcref = dbl;
  OK(wb_func_call(get(inst, "is_null"), a, 1, r, 1));
  CHECK(r[0].of.i32 == 0);

  /* a funcref of another store is refused before Wasmtime sees it */
  wb_store_t s2;
  wb_instance_t inst2;
  OK(wb_store_new(e, &s2));
  OK(wb_instance_new(s2, m, &inst2));
  a[0].of.funcref = get(inst2, "double");
  EXPECT(wb_func_call(get(inst, "call_ref"), a, 2, r, 1), WB_ERR_INVALID_ARGUMENT, "another store");
  a[0].of.funcref.id = 0xdeadbeef12345678ull;
  EXPECT(wb_func_call(get(inst, "is_null"), a, 1, r, 1), WB_ERR_INVALID_HANDLE, "argument 0");
  OK(wb_store_delete(s2));

  /* argument checks: counts, kinds, NULL arrays; results untouched on error */
  wb_func_t add = get(inst, "add");
  a[0] = val_i32(1);
  a[1] = val_i32(2);
  r[0] = val_i32(-77);
  EXPECT(wb_func_call(add, a, 1, r, 1), WB_ERR_TYPE_MISMATCH, "takes 2 arguments");
  EXPECT(wb_func_call(add, a, 2, r, 0), WB_ERR_TYPE_MISMATCH, "returns 1 results");
  EXPECT(wb_func_call(add, a, 3, r, 1), WB_ERR_TYPE_MISMATCH, "");
  a[1] = val_i64(2);
  EXPECT(wb_func_call(add, a, 2, r, 1), WB_ERR_TYPE_MISMATCH, "argument 1: expected i32, got i64");
  a[1].kind = (wb_valkind_t)99;
  EXPECT(wb_func_call(add, a, 2, r, 1), WB_ERR_TYPE_MISMATCH, "invalid wb_valkind_t");
  a[1] = val_i32(2);
  EXPECT(wb_func_call(add, NULL, 2, r, 1), WB_ERR_INVALID_ARGUMENT, "args is NULL");
  EXPECT(wb_func_call(add, a, 2, NULL, 1), WB_ERR_INVALID_ARGUMENT, "results is NULL");
  CHECK(r[0].of.i32 == -77);

  size_t np = 0, nr = 0;
  OK(wb_func_arity(add, &np, &nr));
  CHECK(np == 2 && nr == 1);
  OK(wb_func_arity(add, NULL, NULL));

  /* export lookup errors */
  wb_func_t f;
  wb_memory_t mem;
  EXPECT(wb_instance_get_func(inst, "nope", &f), WB_ERR_NOT_FOUND, "\"nope\"");
  EXPECT(wb_instance_get_memory(inst, "add", &mem), WB_ERR_TYPE_MISMATCH, "is a function, not a memory");
  EXPECT(wb_instance_get_func(inst, NULL, &f), WB_ERR_INVALID_ARGUMENT, "name is NULL");
  EXPECT(wb_instance_get_func(inst, "a\xff", &f), WB_ERR_INVALID_ARGUMENT, "UTF-8");
  EXPECT(wb_instance_get_func(inst, "add", NULL), WB_ERR_INVALID_ARGUMENT, "out");
  char *longname = malloc(70000);
  memset(longname, 'a', 69999);
  longname[69999] = 0;
  EXPECT(wb_instance_get_func(inst, longname, &f), WB_ERR_INVALID_ARGUMENT, "longer than");
  free(longname);

  /* many instances in one store; the store's delete takes them all */
  for (int k = 0; k < 50; k++) OK(wb_instance_new(s, m, &inst2));
  OK(wb_store_delete(s));
  EXPECT(wb_func_call(add, a, 2, r, 1), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_instance_get_func(inst, "add", &f), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("calls");
}
