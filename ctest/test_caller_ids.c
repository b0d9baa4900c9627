/* The end of a caller slot's ids: every host callback's wb_caller_t is a
 * handle of its own, and a store's first nesting level issues them from
 * one table slot, one generation per callback (bits 32-63 of the id). After
 * its last generation (0xFFFFFFFF) the slot is retired and the level takes
 * a new one. This test makes the 2^32 callbacks that takes (about 25 s) and
 * checks what a host would: the callback of the last generation fails with
 * its own message, callers issued before are dead, callbacks after it get
 * working callers, and the store is deleted cleanly. White-box in one
 * respect: it reads the generation of the first caller from its id, to fail
 * exactly at the last one. */
#include <inttypes.h>
#include <stdint.h>

#include "check.h"

static const char *wat =
    "(module\n"
    "  (import \"host\" \"tick\" (func $tick (param i64)))\n"
    "  (import \"host\" \"keep\" (func $keep))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"keep\") call $keep)\n"
    "  (func (export \"spin\") (param $n i64) (local $i i64)\n"
    "    (block (loop (br_if 1 (i64.ge_u (local.get $i) (local.get $n)))\n"
    "      (call $tick (local.get $i))\n"
    "      (local.set $i (i64.add (local.get $i) (i64.const 1))) (br 0)))))";

/* what a dead caller's use says */
#define RETURNED "used after its host function returned"

static wb_caller_t kept;        /* the last caller "keep" saw */
static uint64_t fail_at;        /* the "spin" index whose callback fails */
static wb_caller_t last_caller; /* the caller of that callback */
static int use_callers;         /* every "tick" uses its caller (and none fails) */
static uint64_t callers_used;

static wb_status_t keep(void *env, wb_caller_t caller, wb_raw_t *vals, size_t nvals) {
  (void)env, (void)vals, (void)nvals;
  kept = caller;
  wb_memory_t mem;
  return wb_caller_get_memory(caller, "memory", &mem);
}

static wb_status_t tick(void *env, wb_caller_t caller, wb_raw_t *vals, size_t nvals) {
  (void)env, (void)nvals;
  if (__builtin_expect(!use_callers, 1)) {
    if (__builtin_expect((uint64_t)vals[0].i64 != fail_at, 1)) return WB_OK;
    last_caller = caller;
    return wb_set_error(WB_ERR_TRAP, "the callback of the last generation");
  }
  wb_memory_t mem;
  wb_status_t st = wb_caller_get_memory(caller, "memory", &mem);
  if (st == WB_OK) callers_used++;
  return st;
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  wb_valkind_t i64[1] = {WB_I64};
  OK(wb_linker_define_func_typed(l, "host", "tick", i64, 1, NULL, 0, tick, NULL, NULL));
  OK(wb_linker_define_func_typed(l, "host", "keep", NULL, 0, NULL, 0, keep, NULL, NULL));
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_instance_t inst;
  OK(wb_linker_instantiate(l, s, m, &inst));
  wb_func_t keep_fn = instance_func(inst, "keep"), spin_fn = instance_func(inst, "spin");

  /* a store's first callback makes level 0's slot; the second runs on it */
  OK(wb_func_call(keep_fn, NULL, 0, NULL, 0));
  OK(wb_func_call(keep_fn, NULL, 0, NULL, 0));
  wb_caller_t first = kept;
  uint32_t gen = (uint32_t)(first.id >> 32);
  CHECK(gen < 0xFFFFFFF0u); /* a slot fresh enough for the count below */
  wb_memory_t mem;
  EXPECT(wb_caller_get_memory(first, "memory", &mem), WB_ERR_INVALID_HANDLE, RETURNED);

  /* spin's callback i has generation gen + 1 + i: the last one fails */
  fail_at = UINT64_C(0xFFFFFFFF) - gen - 1;
  wb_val_t n = val_i64((int64_t)(fail_at + 1));
  EXPECT(wb_func_call(spin_fn, &n, 1, NULL, 0), WB_ERR_TRAP, "the callback of the last generation");
  CHECK((uint32_t)(last_caller.id >> 32) == 0xFFFFFFFFu);
  CHECK((uint32_t)last_caller.id == (uint32_t)first.id); /* the same slot */
  EXPECT(wb_caller_get_memory(last_caller, "memory", &mem), WB_ERR_INVALID_HANDLE, RETURNED);
  EXPECT(wb_caller_get_memory(first, "memory", &mem), WB_ERR_INVALID_HANDLE, RETURNED);

  /* the next callbacks take a new slot, and their callers work */
  OK(wb_func_call(keep_fn, NULL, 0, NULL, 0));
  CHECK((uint32_t)kept.id != (uint32_t)first.id);
  EXPECT(wb_caller_get_memory(kept, "memory", &mem), WB_ERR_INVALID_HANDLE, RETURNED);
  EXPECT(wb_caller_get_memory(last_caller, "memory", &mem), WB_ERR_INVALID_HANDLE, RETURNED);
  use_callers = 1;
  n = val_i64(1000);
  OK(wb_func_call(spin_fn, &n, 1, NULL, 0));
  CHECK(callers_used == 1000);

  OK(wb_store_delete(s));
  /* the store's delete retires the used-up slot: its ids stay dead */
  EXPECT(wb_caller_get_memory(last_caller, "memory", &mem), WB_ERR_INVALID_HANDLE, RETURNED);
  EXPECT(wb_caller_get_memory(kept, "memory", &mem), WB_ERR_INVALID_HANDLE, RETURNED);
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  printf("caller_ids: the first caller's generation was %" PRIu32 "\n", gen);
  DONE("caller_ids");
}
