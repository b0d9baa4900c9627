/* Bounding what a guest may take: a store's memory limit (growth past it
 * fails as wasm expects, memory.grow returns -1) and fuel (each instruction
 * costs some; at zero the call returns WB_ERR_OUT_OF_FUEL). The store stays
 * usable after either.
 *
 *   cmake --build build --target limits_fuel && build/examples/limits_fuel
 */
#include <stdio.h>
#include <string.h>

#include "wasmbound.h"

static const char *WAT =
    "(module\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)\n"
    "  (func (export \"count\") (param i32) (result i32) (local i32)\n"
    "    (loop $l local.get 1 i32.const 1 i32.add local.tee 1 local.get 0 i32.lt_s br_if $l)\n"
    "    local.get 1))";

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

int main(void) {
  wb_engine_config_t cfg;
  wb_engine_t engine;
  wb_module_t module;
  wb_store_t store;
  wb_instance_t instance;
  wb_func_t grow, count;
  wb_val_t arg = {.kind = WB_I32}, r;
  CHECK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.consume_fuel = true; /* an engine switch: every store of it then meters fuel */
  CHECK(wb_engine_new(&cfg, &engine));
  CHECK(wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module));
  CHECK(wb_store_new(engine, &store));

  /* memory: at most 4 pages (256 KiB) for any memory of this store */
  wb_store_limits_t limits;
  CHECK(wb_store_limits_init(&limits, WB_STORE_LIMITS_VERSION));
  limits.memory_bytes = 4 * 65536;
  CHECK(wb_store_set_limits(store, &limits));
  CHECK(wb_store_set_fuel(store, 1000000));
  CHECK(wb_instance_new(store, module, &instance));
  CHECK(wb_instance_get_func(instance, "grow", &grow));
  CHECK(wb_instance_get_func(instance, "count", &count));
  arg.of.i32 = 2;
  CHECK(wb_func_call(grow, &arg, 1, &r, 1));
  printf("memory.grow 2 pages: %d (the old size)\n", r.of.i32);
  int32_t within = r.of.i32;
  CHECK(wb_func_call(grow, &arg, 1, &r, 1));
  printf("memory.grow 2 more: %d (past the 4-page limit: refused, as wasm expects)\n", r.of.i32);
  int32_t refused = r.of.i32;

  /* fuel: a loop of 1000 steps costs some; one of a billion runs out */
  uint64_t before, after;
  CHECK(wb_store_get_fuel(store, &before));
  arg.of.i32 = 1000;
  CHECK(wb_func_call(count, &arg, 1, &r, 1));
  CHECK(wb_store_get_fuel(store, &after));
  printf("count(1000) = %d used %llu fuel\n", r.of.i32, (unsigned long long)(before - after));
  arg.of.i32 = 1000000000;
  wb_status_t st = wb_func_call(count, &arg, 1, &r, 1);
  printf("count(1000000000): %s (trap code %s)\n", wb_status_name(st), wb_trap_code_name(wb_last_trap_code()));
  CHECK(wb_store_set_fuel(store, 100000)); /* refuel: the store is still usable */
  arg.of.i32 = 10;
  CHECK(wb_func_call(count, &arg, 1, &r, 1));
  printf("refuelled: count(10) = %d\n", r.of.i32);

  CHECK(wb_store_delete(store));
  CHECK(wb_module_delete(module));
  CHECK(wb_engine_delete(engine));
  int ok = within == 1 && refused == -1 && st == WB_ERR_OUT_OF_FUEL && r.of.i32 == 10 && before > after;
  printf("limits_fuel: %s\n", ok ? "memory limit and fuel both held" : "WRONG");
  return ok ? 0 : 1;
}
