/* Deadlines and interrupts around instantiation (issue 14 item 6): a call's
 * time budget ends with the call, and start functions run under the same
 * budget and interrupts as calls. */
#include <unistd.h>

#include "cases.h"

#define QUICK "(module (func (export \"quick\") (result i32) i32.const 7))"
/* a start function that does some work (a few hundred thousand iterations) */
#define BUSY_START                                                                                        \
  "(module (global $g (mut i32) (i32.const 0))"                                                          \
  " (func $start (local i32) (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1)))"               \
  "   (br_if $l (i32.lt_u (local.get 0) (i32.const 300000)))) (global.set $g (local.get 0)))"            \
  " (start $start))"
#define ENDLESS_START "(module (func $start (loop $l (br $l))) (start $start))"

/* A call timeout, one call, a pause longer than the timeout, then several
 * instantiations with start functions: none may fail for the old call's
 * budget. */
static void item06_timeout_then_instantiate(void) {
  wb_engine_t e;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  wb_val_t r;
  OK(wb_engine_new(NULL, &e));
  wb_module_t quick = adv_compile(e, QUICK), busy = adv_compile(e, BUSY_START);
  OK(wb_store_new(e, &s));
  OK(wb_store_set_call_timeout(s, 20));
  OK(wb_instance_new(s, quick, &inst));
  OK(wb_instance_get_func(inst, "quick", &f));
  OK(wb_func_call(f, NULL, 0, &r, 1));
  usleep(60 * 1000);
  for (int i = 0; i < 5; i++) OK(wb_instance_new(s, busy, &inst));
  OK(wb_func_call(f, NULL, 0, &r, 1));
  CHECK(r.of.i32 == 7);
  OK(wb_store_delete(s));
  OK(wb_module_delete(quick));
  OK(wb_module_delete(busy));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* An endless start function under a 50 ms call timeout stops with
 * WB_ERR_INTERRUPTED, through every way to instantiate; the store stays
 * usable. */
static void item06_endless_start_under_timeout(void) {
  wb_engine_t e;
  wb_store_t s;
  wb_linker_t l;
  wb_template_t t;
  wb_instance_t inst;
  OK(wb_engine_new(NULL, &e));
  wb_module_t endless = adv_compile(e, ENDLESS_START), quick = adv_compile(e, QUICK);
  OK(wb_store_new(e, &s));
  OK(wb_store_set_call_timeout(s, 50));
  double t0 = adv_now_ms();
  EXPECT(wb_instance_new(s, endless, &inst), WB_ERR_INTERRUPTED, "time limit");
  CHECK(wb_last_trap_code() == WB_TRAP_INTERRUPT);
  OK(wb_linker_new(e, &l));
  EXPECT(wb_linker_instantiate(l, s, endless, &inst), WB_ERR_INTERRUPTED, "time limit");
  OK(wb_template_new(l, endless, &t));
  EXPECT(wb_template_instantiate(t, s, &inst), WB_ERR_INTERRUPTED, "time limit");
  CHECK(adv_now_ms() - t0 < 20000); /* three budgets of 50 ms, not an endless run */
  OK(wb_instance_new(s, quick, &inst));
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  OK(wb_store_delete(s));
  OK(wb_module_delete(endless));
  OK(wb_module_delete(quick));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* An interrupt that came before an instantiation stops it (its start
 * function is the store's next wasm), once. */
static void item06_interrupt_before_instantiate(void) {
  wb_engine_t e;
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_engine_new(NULL, &e));
  wb_module_t busy = adv_compile(e, BUSY_START);
  OK(wb_store_new(e, &s));
  OK(wb_store_interrupt(s));
  EXPECT(wb_instance_new(s, busy, &inst), WB_ERR_INTERRUPTED, "wb_store_interrupt");
  OK(wb_instance_new(s, busy, &inst));
  OK(wb_store_delete(s));
  OK(wb_module_delete(busy));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* Removing a timeout between calls leaves no stale budget behind, even
 * with a store deadline that keeps the store timed. */
static void item06_timeout_removed_with_deadline(void) {
  wb_engine_t e;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  wb_val_t r;
  OK(wb_engine_new(NULL, &e));
  wb_module_t quick = adv_compile(e, QUICK), busy = adv_compile(e, BUSY_START);
  OK(wb_store_new(e, &s));
  OK(wb_store_set_deadline(s, 600000));
  OK(wb_store_set_call_timeout(s, 10));
  OK(wb_instance_new(s, quick, &inst));
  OK(wb_instance_get_func(inst, "quick", &f));
  OK(wb_func_call(f, NULL, 0, &r, 1));
  OK(wb_store_set_call_timeout(s, 0));
  usleep(30 * 1000);
  for (int i = 0; i < 5; i++) OK(wb_instance_new(s, busy, &inst));
  OK(wb_store_delete(s));
  OK(wb_module_delete(quick));
  OK(wb_module_delete(busy));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

ADV_TABLE(deadlines) = {
    {"item06_timeout_then_instantiate", item06_timeout_then_instantiate},
    {"item06_endless_start_under_timeout", item06_endless_start_under_timeout},
    {"item06_interrupt_before_instantiate", item06_interrupt_before_instantiate},
    {"item06_timeout_removed_with_deadline", item06_timeout_removed_with_deadline},
};
ADV_COUNT(deadlines);
