/* One memory, two threads: a shared memory (threads proposal) imported by
 * instances in two stores, each owned by its own thread. Both add to one
 * counter with wasm atomics, and one waits (memory.atomic.wait32) until the
 * other signals it (memory.atomic.notify). The host reads the result from
 * any thread with wb_shared_memory_read.
 *
 *   cmake --build build --target shared_memory && build/examples/shared_memory
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wasmbound.h"

static const char *WAT =
    "(module\n"
    "  (import \"env\" \"mem\" (memory 1 1 shared))\n"
    "  ;; the counter at 0: n atomic increments\n"
    "  (func (export \"add\") (param $n i32) (local $i i32)\n"
    "    (loop $l\n"
    "      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))\n"
    "  ;; the flag at 4: wait while it is 0 (at most 10 s): 0 woken, 1 already set, 2 timed out\n"
    "  (func (export \"wait\") (result i32)\n"
    "    (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const 10000000000)))\n"
    "  (func (export \"signal\") (result i32)\n"
    "    (i32.atomic.store (i32.const 4) (i32.const 1))\n"
    "    (memory.atomic.notify (i32.const 4) (i32.const 1))))";

#define N 100000

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

static wb_engine_t engine;
static wb_template_t tmpl; /* shareable: each thread instantiates it into its own store */

struct worker {
  int waits;     /* waits for the other's signal, else signals */
  int32_t woken; /* wait's result */
  int failed;
};

static int work(struct worker *w) {
  wb_store_t store;
  wb_instance_t instance;
  wb_func_t add, sync;
  wb_val_t n = {.kind = WB_I32, .of.i32 = N}, r;
  CHECK(wb_store_new(engine, &store)); /* this thread's own store */
  CHECK(wb_template_instantiate(tmpl, store, &instance));
  CHECK(wb_instance_get_func(instance, "add", &add));
  CHECK(wb_instance_get_func(instance, w->waits ? "wait" : "signal", &sync));
  if (w->waits) {
    CHECK(wb_func_call(sync, NULL, 0, &r, 1)); /* parks this thread until signalled */
    w->woken = r.of.i32;
    CHECK(wb_func_call(add, &n, 1, NULL, 0));
  } else {
    CHECK(wb_func_call(add, &n, 1, NULL, 0));
    CHECK(wb_func_call(sync, NULL, 0, &r, 1));
  }
  CHECK(wb_store_delete(store));
  return 0;
}

static void *thread_main(void *arg) {
  struct worker *w = arg;
  w->failed = work(w);
  return NULL;
}

int main(void) {
  wb_module_t module;
  wb_linker_t linker;
  wb_shared_memory_t mem;
  CHECK(wb_engine_new(NULL, &engine)); /* threads (atomics, shared memory) are on by default */
  CHECK(wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module));
  CHECK(wb_shared_memory_new(engine, 1, 1, &mem));
  CHECK(wb_linker_new(engine, &linker));
  CHECK(wb_linker_define_shared_memory(linker, "env", "mem", mem));
  CHECK(wb_template_new(linker, module, &tmpl));

  struct worker waiter = {.waits = 1}, signaller = {.waits = 0};
  pthread_t t1, t2;
  pthread_create(&t1, NULL, thread_main, &waiter);
  pthread_create(&t2, NULL, thread_main, &signaller);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);

  int32_t counter = 0; /* the host reads the shared memory from any thread */
  CHECK(wb_shared_memory_read(mem, 0, &counter, sizeof counter));
  printf("wait returned %d (0: woken by notify, 1: the flag was already set)\n", waiter.woken);
  int ok = !waiter.failed && !signaller.failed && (waiter.woken == 0 || waiter.woken == 1) && counter == 2 * N;
  printf("shared_memory: 2 threads x %d atomic adds = %d%s\n", N, counter, ok ? "" : " (WRONG)");

  CHECK(wb_template_delete(tmpl));
  CHECK(wb_linker_delete(linker));
  CHECK(wb_shared_memory_delete(mem));
  CHECK(wb_module_delete(module));
  CHECK(wb_engine_delete(engine));
  return ok ? 0 : 1;
}
