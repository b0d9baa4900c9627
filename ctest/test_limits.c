/* Limits: memory, table and instance limits per store; deadlines per call
 * and per store; fuel. After each fires, the store stays usable. */
#include <time.h>

#include "check.h"

static const char *wat =
    "(module (memory (export \"mem\") 1) (table 1 funcref)"
    " (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)"
    " (func (export \"grow_table\") (param i32) (result i32) ref.null func local.get 0 table.grow)"
    " (func (export \"spin\") (loop br 0))"
    " (func (export \"ok\") (result i32) i32.const 1))";

static wb_func_t func(wb_instance_t i, const char *name) {
  wb_func_t f;
  OK(wb_instance_get_func(i, name, &f));
  return f;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void check_usable(wb_instance_t inst) {
  wb_val_t r;
  OK(wb_func_call(func(inst, "ok"), NULL, 0, &r, 1));
  CHECK(r.of.i32 == 1);
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_store_limits_t lim = {4 * 65536, 10, 2, 0, 0};
  OK(wb_store_set_limits(s, &lim));
  EXPECT(wb_store_set_limits(s, NULL), WB_ERR_INVALID_ARGUMENT, "NULL");
  wb_instance_t inst, extra;
  OK(wb_instance_new(s, m, &inst));

  /* guest growth past the memory limit fails as wasm expects */
  wb_val_t a = val_i32(3), r;
  OK(wb_func_call(func(inst, "grow"), &a, 1, &r, 1));
  CHECK(r.of.i32 == 1);
  a = val_i32(1);
  OK(wb_func_call(func(inst, "grow"), &a, 1, &r, 1));
  CHECK(r.of.i32 == -1);
  /* host-side growth gets WB_ERR_LIMIT */
  wb_memory_t mem;
  OK(wb_instance_get_memory(inst, "mem", &mem));
  EXPECT(wb_memory_grow(mem, 1, NULL), WB_ERR_LIMIT, "");
  /* table growth */
  a = val_i32(9);
  OK(wb_func_call(func(inst, "grow_table"), &a, 1, &r, 1));
  CHECK(r.of.i32 == 1);
  a = val_i32(1);
  OK(wb_func_call(func(inst, "grow_table"), &a, 1, &r, 1));
  CHECK(r.of.i32 == -1);
  /* instance count: 2 allowed, the third refused on the host side */
  OK(wb_instance_new(s, m, &extra));
  EXPECT(wb_instance_new(s, m, &extra), WB_ERR_LIMIT, "limit");
  check_usable(inst);

  /* a per-call timeout stops a runaway call, and later calls still run */
  OK(wb_store_set_call_timeout(s, 50));
  double t0 = now_ms();
  EXPECT(wb_func_call(func(inst, "spin"), NULL, 0, NULL, 0), WB_ERR_INTERRUPTED, "time limit");
  double took = now_ms() - t0;
  CHECK(took >= 45 && took < 5000);
  CHECK(wb_last_trap_code() == WB_TRAP_INTERRUPT);
  check_usable(inst);
  t0 = now_ms();
  EXPECT(wb_func_call(func(inst, "spin"), NULL, 0, NULL, 0), WB_ERR_INTERRUPTED, "time limit");
  CHECK(now_ms() - t0 >= 45); /* each call gets its own budget */
  OK(wb_store_set_call_timeout(s, 0));

  /* a store deadline: calls run until it passes, then are refused */
  OK(wb_store_set_deadline(s, 60));
  check_usable(inst);
  EXPECT(wb_func_call(func(inst, "spin"), NULL, 0, NULL, 0), WB_ERR_INTERRUPTED, "time limit");
  EXPECT(wb_func_call(func(inst, "ok"), NULL, 0, &r, 1), WB_ERR_INTERRUPTED, "deadline has passed");
  OK(wb_store_set_deadline(s, 0));
  check_usable(inst);
  OK(wb_store_delete(s));

  /* fuel */
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg));
  cfg.consume_fuel = true;
  wb_engine_t fe;
  OK(wb_engine_new(&cfg, &fe));
  wb_module_t fm = compile_wat(fe, wat);
  OK(wb_store_new(fe, &s));
  OK(wb_store_set_fuel(s, 10000));
  OK(wb_instance_new(s, fm, &inst));
  EXPECT(wb_func_call(func(inst, "spin"), NULL, 0, NULL, 0), WB_ERR_OUT_OF_FUEL, "");
  OK(wb_store_set_fuel(s, 10000));
  check_usable(inst);
  OK(wb_store_delete(s));
  OK(wb_module_delete(fm));
  OK(wb_engine_delete(fe));

  /* deadlines need epoch interruption */
  OK(wb_engine_config_init(&cfg));
  cfg.epoch_interruption = false;
  OK(wb_engine_new(&cfg, &fe));
  OK(wb_store_new(fe, &s));
  EXPECT(wb_store_set_call_timeout(s, 10), WB_ERR_INVALID_ARGUMENT, "epoch_interruption");
  OK(wb_store_delete(s));
  OK(wb_engine_delete(fe));

  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("limits");
}
