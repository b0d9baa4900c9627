/* Stopping wasm: an interrupt from another thread, a time limit per call,
 * and a deadline for a whole store. Each stopped call returns
 * WB_ERR_INTERRUPTED (trap code INTERRUPT) and the store stays usable.
 *
 *   cmake --build build --target interrupt && build/examples/interrupt
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wasmbound.h"

static const char *WAT =
    "(module\n"
    "  (func (export \"forever\") (loop br 0))\n"
    "  (func (export \"quick\") (result i32) i32.const 7))";

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A watchdog: wb_store_interrupt is the one store function any thread may call. */
static void *watchdog(void *arg) {
  const wb_store_t *store = arg;
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, NULL);
  wb_store_interrupt(*store);
  return NULL;
}

/* Runs "forever" and says how it ended. */
static wb_status_t run(const char *how, wb_func_t forever) {
  double t0 = now_ms();
  wb_status_t st = wb_func_call(forever, NULL, 0, NULL, 0);
  printf("%-28s %s after %3.0f ms (trap code %s)\n", how, wb_status_name(st), now_ms() - t0,
         wb_trap_code_name(wb_last_trap_code()));
  return st;
}

int main(void) {
  wb_engine_t engine;
  wb_module_t module;
  wb_store_t store;
  wb_instance_t instance;
  wb_func_t forever, quick;
  wb_val_t r;
  CHECK(wb_engine_new(NULL, &engine)); /* epoch_interruption is on by default */
  CHECK(wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module));
  CHECK(wb_store_new(engine, &store));
  CHECK(wb_instance_new(store, module, &instance));
  CHECK(wb_instance_get_func(instance, "forever", &forever));
  CHECK(wb_instance_get_func(instance, "quick", &quick));
  int stopped = 0;

  /* 1. another thread interrupts the running call */
  pthread_t t;
  pthread_create(&t, NULL, watchdog, &store);
  stopped += run("interrupted by a watchdog:", forever) == WB_ERR_INTERRUPTED;
  pthread_join(t, NULL);

  /* 2. every call gets at most 30 ms */
  CHECK(wb_store_set_call_timeout(store, 30));
  stopped += run("call timeout 30 ms:", forever) == WB_ERR_INTERRUPTED;
  CHECK(wb_func_call(quick, NULL, 0, &r, 1)); /* a call within the limit runs */
  CHECK(wb_store_set_call_timeout(store, 0));

  /* 3. the store as a whole has 80 ms */
  CHECK(wb_store_set_deadline(store, 80));
  stopped += run("store deadline 80 ms:", forever) == WB_ERR_INTERRUPTED;
  stopped += wb_func_call(quick, NULL, 0, &r, 1) == WB_ERR_INTERRUPTED; /* past it: refused too */
  CHECK(wb_store_set_deadline(store, 0));                                /* lift it */
  CHECK(wb_func_call(quick, NULL, 0, &r, 1));
  printf("after lifting the deadline, quick() = %d: the store is still usable\n", r.of.i32);

  CHECK(wb_store_delete(store));
  CHECK(wb_module_delete(module));
  CHECK(wb_engine_delete(engine));
  printf("interrupt: %d of 4 calls stopped\n", stopped);
  return stopped == 4 ? 0 : 1;
}
