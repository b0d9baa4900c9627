/* The handle table under a tight address-space limit (docs/hazards.md,
 * row 26): run under `ulimit -v` (ctest/CMakeLists.txt), where a table
 * reserved at load, 1 GiB, kept the Go runtime from starting. Reserved with
 * the first handle and halved until it fits, it leaves room for the
 * runtime, and handles work; a forged id never reads past the table. */
#include "check.h"

int main(void) {
  /* before the first handle there is no table yet: forged ids of shared
   * and store-bound kinds find nothing */
  EXPECT(wb_engine_delete((wb_engine_t){UINT64_C(0x0000000101000003)}), WB_ERR_INVALID_HANDLE, "");
  wb_val_t none;
  EXPECT(wb_func_call((wb_func_t){UINT64_C(0x0000000107000003)}, NULL, 0, &none, 1), WB_ERR_INVALID_HANDLE, "");
  EXPECT(wb_caller_store((wb_caller_t){UINT64_C(0x000000010a000003)}, &(wb_store_t){0}), WB_ERR_INVALID_HANDLE, "");
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_store_t s;
  OK(wb_store_new(e, &s));
  /* no memory: Wasmtime's default reservation for one would not fit */
  wb_module_t m = compile_wat(e, "(module (func (export \"add\") (param i32 i32) (result i32)"
                                 " local.get 0 local.get 1 i32.add))");
  wb_instance_t inst;
  OK(wb_instance_new(s, m, &inst));
  wb_func_t add;
  OK(wb_instance_get_func(inst, "add", &add));
  wb_val_t args[2] = {val_i32(40), val_i32(2)}, r;
  OK(wb_func_call(add, args, 2, &r, 1));
  CHECK(r.of.i32 == 42);
  /* forged ids of every index range: the table's end is never passed */
  const uint64_t forged[] = {UINT64_C(0x0000000107000005), UINT64_C(0x0000000107fffffe),
                             (add.id & ~UINT64_C(0xFFFFFF)) | 0xFFFFFF, add.id + (UINT64_C(1) << 32)};
  for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
    EXPECT(wb_func_call((wb_func_t){forged[i]}, args, 2, &r, 1), WB_ERR_INVALID_HANDLE, "");
    /* the same index under a shared kind's and the caller's tag */
    uint64_t low = forged[i] & UINT64_C(0xFFFFFFFF00FFFFFF);
    EXPECT(wb_module_delete((wb_module_t){low | UINT64_C(0x02000000)}), WB_ERR_INVALID_HANDLE, "");
    EXPECT(wb_caller_store((wb_caller_t){low | UINT64_C(0x0a000000)}, &(wb_store_t){0}), WB_ERR_INVALID_HANDLE, "");
  }
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("table_rlimit");
}
