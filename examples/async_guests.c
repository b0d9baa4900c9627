/* Async calls: 1,000 guests interleaved on one thread. Each guest has its
 * own store of an engine with async_support and yields every 10,000 units
 * of fuel; the loop polls every unfinished guest once per round until all
 * have finished, then checks each result. Half of the guests also wait on
 * an async host function ("host" "lookup"), which the loop completes after
 * each round, as an event loop would when its I/O is ready.
 *
 *   cmake --build build --target async_guests && build/examples/async_guests
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmbound.h"

static const char *WAT =
    "(module\n"
    "  (import \"host\" \"lookup\" (func $lookup (param i32) (result i32)))\n"
    "  (func $sum (param $n i32) (result i32) (local $i i32) (local $acc i32)\n"
    "    (block $out (loop $l\n"
    "      (br_if $out (i32.ge_u (local.get $i) (local.get $n)))\n"
    "      (local.set $acc (i32.add (local.get $acc) (local.get $i)))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $acc))\n"
    "  (func (export \"work\") (param $n i32) (result i32) (call $sum (local.get $n)))\n"
    "  (func (export \"work_and_wait\") (param $n i32) (result i32)\n"
    "    (i32.add (call $sum (local.get $n)) (call $lookup (local.get $n)))))";

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

enum { GUESTS = 1000 };

/* The host's queue of lookups waiting for their answer. */
static struct {
  wb_async_token_t token;
  int32_t key;
} waiting[GUESTS];
static int nwaiting;

/* An async host function: it queues the request and returns; the guest
 * waits (its future yields) until the loop answers it. */
static wb_status_t lookup(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs,
                          wb_async_token_t token) {
  (void)env, (void)caller, (void)nargs;
  waiting[nwaiting].token = token;
  waiting[nwaiting++].key = args[0].of.i32;
  return WB_OK;
}

static uint32_t sum_to(uint32_t n) { return (uint32_t)((uint64_t)n * (n - 1) / 2); }

int main(void) {
  wb_engine_config_t cfg;
  CHECK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.async_support = true;
  cfg.consume_fuel = true;
  cfg.async_stack_size = 256 * 1024; /* each unfinished guest has one such stack */
  cfg.max_wasm_stack = 128 * 1024;
  wb_engine_t engine;
  wb_module_t module;
  wb_linker_t linker;
  wb_template_t tmpl;
  CHECK(wb_engine_new(&cfg, &engine));
  CHECK(wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module));
  CHECK(wb_linker_new(engine, &linker));
  wb_valkind_t i32 = WB_I32;
  CHECK(wb_linker_define_async_func(linker, "host", "lookup", &i32, 1, &i32, 1, lookup, NULL, NULL));
  CHECK(wb_template_new(linker, module, &tmpl));

  static wb_store_t stores[GUESTS];
  static wb_call_future_t futures[GUESTS];
  static bool finished[GUESTS];
  for (int i = 0; i < GUESTS; i++) {
    wb_instance_t inst;
    wb_func_t f;
    CHECK(wb_store_new(engine, &stores[i]));
    CHECK(wb_store_set_fuel(stores[i], UINT64_C(1) << 40));
    CHECK(wb_store_set_fuel_async_yield_interval(stores[i], 10000));
    CHECK(wb_template_instantiate(tmpl, stores[i], &inst));
    CHECK(wb_instance_get_func(inst, i % 2 ? "work_and_wait" : "work", &f));
    wb_val_t n = {.kind = WB_I32, .of.i32 = 10000 + i};
    CHECK(wb_func_call_async(f, &n, 1, &futures[i])); /* starts nothing yet */
  }

  int left = GUESTS, rounds = 0, answered = 0;
  while (left > 0) {
    rounds++;
    for (int i = 0; i < GUESTS; i++) { /* one slice of every unfinished guest */
      if (finished[i]) continue;
      bool done;
      CHECK(wb_call_future_poll(futures[i], &done));
      if (done) finished[i] = true, left--;
    }
    for (int k = 0; k < nwaiting; k++, answered++) { /* the "I/O" is ready */
      wb_val_t r = {.kind = WB_I32, .of.i32 = waiting[k].key * 2};
      CHECK(wb_async_complete(waiting[k].token, &r, 1));
    }
    nwaiting = 0;
  }

  int wrong = 0;
  for (int i = 0; i < GUESTS; i++) {
    wb_val_t r;
    CHECK(wb_call_future_results(futures[i], &r, 1));
    uint32_t n = 10000u + (uint32_t)i, want = sum_to(n) + (i % 2 ? 2 * n : 0);
    wrong += (uint32_t)r.of.i32 != want;
    CHECK(wb_call_future_delete(futures[i]));
    CHECK(wb_store_delete(stores[i]));
  }
  printf("async_guests: %d guests finished on one thread in %d rounds, %d host lookups answered, %d wrong\n",
         GUESTS, rounds, answered, wrong);
  CHECK(wb_template_delete(tmpl));
  CHECK(wb_linker_delete(linker));
  CHECK(wb_module_delete(module));
  CHECK(wb_engine_delete(engine));
  return wrong != 0 || answered != GUESTS / 2;
}
