/* Handles: null, forged, deleted, wrong kind, slot reuse after delete, and
 * random ids of every kind all refused without a crash. */
#include "check.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, "(module (memory (export \"mem\") 1) (global (export \"g\") i32 (i32.const 1))"
                                 " (func (export \"f\") (result i32) i32.const 3))");
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_instance_t i;
  OK(wb_instance_new(s, m, &i));
  wb_func_t f;
  OK(wb_instance_get_func(i, "f", &f));
  wb_val_t r;
  uint64_t u;

  /* null */
  EXPECT(wb_func_call((wb_func_t){0}, NULL, 0, &r, 1), WB_ERR_INVALID_HANDLE, "null wb_func_t");
  EXPECT(wb_store_new((wb_engine_t){0}, &s), WB_ERR_INVALID_HANDLE, "null wb_engine_t");
  EXPECT(wb_instance_new((wb_store_t){0}, m, &i), WB_ERR_INVALID_HANDLE, "null wb_store_t");
  EXPECT(wb_memory_size((wb_memory_t){0}, &u), WB_ERR_INVALID_HANDLE, "null wb_memory_t");
  /* deleting null handles is a no-op */
  OK(wb_store_delete((wb_store_t){0}));
  OK(wb_module_delete((wb_module_t){0}));
  OK(wb_engine_delete((wb_engine_t){0}));

  /* wrong kind: the id of one kind presented as another */
  EXPECT(wb_func_call((wb_func_t){m.id}, NULL, 0, &r, 1), WB_ERR_INVALID_HANDLE,
         "a wb_module_t (id");
  EXPECT(wb_engine_delete((wb_engine_t){m.id}), WB_ERR_INVALID_HANDLE, "where a wb_engine_t is expected");
  EXPECT(wb_module_delete((wb_module_t){s.id}), WB_ERR_INVALID_HANDLE, "wrong kind");
  EXPECT(wb_store_delete((wb_store_t){f.id}), WB_ERR_INVALID_HANDLE, "wrong kind");
  EXPECT(wb_memory_size((wb_memory_t){f.id}, &u), WB_ERR_INVALID_HANDLE, "wrong kind");

  /* forged: right kind, wrong generation or slot */
  EXPECT(wb_func_call((wb_func_t){f.id + (UINT64_C(5) << 32)}, NULL, 0, &r, 1), WB_ERR_INVALID_HANDLE,
         "forged");
  EXPECT(wb_func_call((wb_func_t){(f.id & ~UINT64_C(0xFFFFFF)) | 0xFFFFF0}, NULL, 0, &r, 1),
         WB_ERR_INVALID_HANDLE, "forged");
  EXPECT(wb_func_call((wb_func_t){UINT64_C(0xFF) << 24 | 1}, NULL, 0, &r, 1), WB_ERR_INVALID_HANDLE, "");

  /* deleted, then the slot reused: the old id stays dead */
  wb_module_t m2 = compile_wat(e, "(module)");
  OK(wb_module_delete(m2));
  EXPECT(wb_module_delete(m2), WB_ERR_INVALID_HANDLE, "was deleted");
  wb_module_t m3 = compile_wat(e, "(module)");
  CHECK(m3.id != m2.id);
  EXPECT(wb_module_delete(m2), WB_ERR_INVALID_HANDLE, "was deleted");
  OK(wb_module_delete(m3));

  wb_store_t s2;
  OK(wb_store_new(e, &s2));
  OK(wb_store_delete(s2));
  EXPECT(wb_store_delete(s2), WB_ERR_INVALID_HANDLE, "was deleted");
  wb_store_t s3;
  OK(wb_store_new(e, &s3));
  CHECK(s3.id != s2.id);
  EXPECT(wb_instance_new(s2, m, &i), WB_ERR_INVALID_HANDLE, "was deleted");
  OK(wb_store_delete(s3));

  /* a million random ids of every kind: none accepted, none crashes */
  int accepted = 0;
  for (int k = 0; k < 1000000; k++) {
    uint64_t id = next_random();
    if (id == f.id || id == s.id || id == m.id || id == e.id) continue;
    switch (k % 6) {
    case 0: accepted += wb_func_call((wb_func_t){id}, NULL, 0, &r, 1) == WB_OK; break;
    case 1: accepted += wb_memory_size((wb_memory_t){id}, &u) == WB_OK; break;
    case 2: accepted += wb_global_get((wb_global_t){id}, &r) == WB_OK; break;
    case 3: accepted += wb_store_interrupt((wb_store_t){id}) == WB_OK; break;
    case 4: accepted += wb_instance_get_func((wb_instance_t){id}, "f", &f) == WB_OK; break;
    case 5: accepted += wb_module_delete((wb_module_t){id}) == WB_OK; break;
    }
  }
  CHECK(accepted == 0);
  /* the real handles still work */
  OK(wb_func_call(f, NULL, 0, &r, 1));
  CHECK(r.of.i32 == 3);

  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("handles");
}
