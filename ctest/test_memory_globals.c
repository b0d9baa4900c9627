/* Memory size/grow/read/write at the edges, offset overflow, grow past the
 * maximum, host access to what wasm grew; global get/set of every kind,
 * immutable globals. */
#include "check.h"

static const char *wat =
    "(module\n"
    "  (memory (export \"mem\") 1 2)\n"
    "  (memory (export \"fixed\") 0 0)\n"
    "  (memory $grown (export \"grown\") 1 4)\n"
    "  (global (export \"gi32\") (mut i32) (i32.const 5))\n"
    "  (global (export \"gi64\") (mut i64) (i64.const -5))\n"
    "  (global (export \"gf32\") (mut f32) (f32.const 1.5))\n"
    "  (global (export \"gf64\") (mut f64) (f64.const 2.5))\n"
    "  (global (export \"gv128\") (mut v128) (v128.const i32x4 1 2 3 4))\n"
    "  (global (export \"gref\") (mut funcref) (ref.null func))\n"
    "  (global (export \"const\") i32 (i32.const 9))\n"
    "  (func $f (export \"f\") (result i32) i32.const 1)\n"
    "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load)\n"
    "  (func (export \"read_gi32\") (result i32) global.get 0)\n"
    "  (func (export \"grow_grown\") (param i32) (result i32) local.get 0 memory.grow $grown)\n"
    "  (func (export \"load_grown\") (param i32) (result i32) local.get 0 i32.load $grown))";

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_instance_t inst;
  OK(wb_instance_new(s, m, &inst));
  wb_memory_t mem, fixed;
  OK(wb_instance_get_memory(inst, "mem", &mem));
  OK(wb_instance_get_memory(inst, "fixed", &fixed));

  uint64_t size = 0;
  OK(wb_memory_size(mem, &size));
  CHECK(size == 65536);
  EXPECT(wb_memory_size(mem, NULL), WB_ERR_INVALID_ARGUMENT, "NULL");

  /* write and read back, seen by wasm too */
  uint32_t v = 0x11223344, back = 0;
  OK(wb_memory_write(mem, 100, &v, sizeof v));
  OK(wb_memory_read(mem, 100, &back, sizeof back));
  CHECK(back == v);
  wb_func_t load;
  OK(wb_instance_get_func(inst, "load", &load));
  wb_val_t a = val_i32(100), r;
  OK(wb_func_call(load, &a, 1, &r, 1));
  CHECK((uint32_t)r.of.i32 == v);

  /* the edges: the last byte is fine, one past is not, nothing is copied */
  uint8_t byte = 0xAB, buf[8] = {0};
  OK(wb_memory_write(mem, 65535, &byte, 1));
  OK(wb_memory_read(mem, 65535, buf, 1));
  CHECK(buf[0] == 0xAB);
  OK(wb_memory_read(mem, 65536, buf, 0)); /* empty read at the end */
  EXPECT(wb_memory_read(mem, 65536, buf, 1), WB_ERR_OUT_OF_BOUNDS, "out of bounds");
  EXPECT(wb_memory_write(mem, 65533, buf, 4), WB_ERR_OUT_OF_BOUNDS, "exceeds the memory size 65536");
  EXPECT(wb_memory_read(mem, 65537, buf, 0), WB_ERR_OUT_OF_BOUNDS, "");
  /* offset + len overflowing 64 bits */
  EXPECT(wb_memory_read(mem, UINT64_MAX, buf, 2), WB_ERR_OUT_OF_BOUNDS, "");
  EXPECT(wb_memory_read(mem, 1, buf, SIZE_MAX), WB_ERR_OUT_OF_BOUNDS, "");
  EXPECT(wb_memory_write(mem, UINT64_MAX - 1, buf, 4), WB_ERR_OUT_OF_BOUNDS, "");
  EXPECT(wb_memory_read(mem, 0, NULL, 4), WB_ERR_INVALID_ARGUMENT, "NULL");
  EXPECT(wb_memory_write(mem, 0, NULL, 4), WB_ERR_INVALID_ARGUMENT, "NULL");
  EXPECT(wb_memory_read(fixed, 0, buf, 1), WB_ERR_OUT_OF_BOUNDS, "");

  /* grow to the maximum, then past it */
  uint64_t prev = 99;
  OK(wb_memory_grow(mem, 1, &prev));
  CHECK(prev == 1);
  OK(wb_memory_size(mem, &size));
  CHECK(size == 131072);
  OK(wb_memory_write(mem, 131071, &byte, 1));
  prev = 99;
  EXPECT(wb_memory_grow(mem, 1, &prev), WB_ERR_LIMIT, "refused");
  CHECK(prev == 99);
  EXPECT(wb_memory_grow(mem, UINT64_MAX, NULL), WB_ERR_LIMIT, "");
  OK(wb_memory_grow(mem, 0, NULL));
  EXPECT(wb_memory_grow(fixed, 1, NULL), WB_ERR_LIMIT, "");

  /* wasm grows a memory: the host reaches the new pages (wasmbound keeps
   * the size it saw last, and must notice the growth) */
  wb_memory_t grown;
  OK(wb_instance_get_memory(inst, "grown", &grown));
  OK(wb_memory_write(grown, 65532, &v, sizeof v));
  EXPECT(wb_memory_write(grown, 65536, &v, sizeof v), WB_ERR_OUT_OF_BOUNDS, "exceeds the memory size 65536");
  wb_func_t grow_grown, load_grown;
  OK(wb_instance_get_func(inst, "grow_grown", &grow_grown));
  OK(wb_instance_get_func(inst, "load_grown", &load_grown));
  a = val_i32(2);
  OK(wb_func_call(grow_grown, &a, 1, &r, 1));
  CHECK(r.of.i32 == 1);
  uint32_t far = 0x55667788;
  OK(wb_memory_write(grown, 3 * 65536 - 4, &far, sizeof far));
  a = val_i32(3 * 65536 - 4);
  OK(wb_func_call(load_grown, &a, 1, &r, 1));
  CHECK((uint32_t)r.of.i32 == far);
  back = 0;
  OK(wb_memory_read(grown, 65532, &back, sizeof back));
  CHECK(back == v);
  EXPECT(wb_memory_read(grown, 3 * 65536, &back, 1), WB_ERR_OUT_OF_BOUNDS, "exceeds the memory size 196608");

  /* globals: every kind */
  wb_global_t g;
  wb_val_t val;
  OK(wb_instance_get_global(inst, "gi32", &g));
  OK(wb_global_get(g, &val));
  CHECK(val.kind == WB_I32 && val.of.i32 == 5);
  val = val_i32(77);
  OK(wb_global_set(g, &val));
  wb_func_t read;
  OK(wb_instance_get_func(inst, "read_gi32", &read));
  OK(wb_func_call(read, NULL, 0, &r, 1));
  CHECK(r.of.i32 == 77);
  val = val_i64(1);
  EXPECT(wb_global_set(g, &val), WB_ERR_TYPE_MISMATCH, "the global's value: expected i32, got i64");
  CHECK(strstr(wb_last_error(), "argument") == NULL);
  EXPECT(wb_global_set(g, NULL), WB_ERR_INVALID_ARGUMENT, "NULL");
  EXPECT(wb_global_get(g, NULL), WB_ERR_INVALID_ARGUMENT, "NULL");

  OK(wb_instance_get_global(inst, "gi64", &g));
  OK(wb_global_get(g, &val));
  CHECK(val.kind == WB_I64 && val.of.i64 == -5);
  val.of.i64 = INT64_MIN;
  OK(wb_global_set(g, &val));
  OK(wb_global_get(g, &val));
  CHECK(val.of.i64 == INT64_MIN);

  OK(wb_instance_get_global(inst, "gf32", &g));
  OK(wb_global_get(g, &val));
  CHECK(val.kind == WB_F32 && val.of.f32 == 1.5f);
  OK(wb_instance_get_global(inst, "gf64", &g));
  OK(wb_global_get(g, &val));
  CHECK(val.kind == WB_F64 && val.of.f64 == 2.5);
  val.of.f64 = -0.125;
  OK(wb_global_set(g, &val));
  OK(wb_global_get(g, &val));
  CHECK(val.of.f64 == -0.125);

  OK(wb_instance_get_global(inst, "gv128", &g));
  OK(wb_global_get(g, &val));
  CHECK(val.kind == WB_V128 && val.of.v128[0] == 1 && val.of.v128[4] == 2 && val.of.v128[12] == 4);
  memset(val.of.v128, 0xEE, 16);
  OK(wb_global_set(g, &val));
  OK(wb_global_get(g, &val));
  CHECK(val.of.v128[15] == 0xEE);

  OK(wb_instance_get_global(inst, "gref", &g));
  OK(wb_global_get(g, &val));
  CHECK(val.kind == WB_FUNCREF && val.of.funcref.id == 0);
  wb_func_t f;
  OK(wb_instance_get_func(inst, "f", &f));
  val.of.funcref = f;
  OK(wb_global_set(g, &val));
  OK(wb_global_get(g, &val));
  CHECK(val.of.funcref.id == f.id);

  OK(wb_instance_get_global(inst, "const", &g));
  OK(wb_global_get(g, &val));
  CHECK(val.of.i32 == 9);
  EXPECT(wb_global_set(g, &val), WB_ERR_TYPE_MISMATCH, "immutable");
  wb_global_t same;
  OK(wb_instance_get_global(inst, "const", &same));
  CHECK(same.id == g.id);

  OK(wb_store_delete(s));
  EXPECT(wb_memory_read(mem, 0, buf, 1), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_global_get(g, &val), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("memory_globals");
}
