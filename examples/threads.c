/* One engine and one module, compiled once and shared; four worker threads,
 * each with its own store, call into wasm and check every result. Then one
 * deliberate mistake: a thread uses another thread's function. wasmbound
 * refuses it with WB_ERR_WRONG_THREAD instead of corrupting the store.
 *
 *   make demo
 */
#define _POSIX_C_SOURCE 200809L /* POSIX under -std=c11 and -std=c17 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "wasmbound.h"

static const char *WAT =
    "(module\n"
    "  (func $fib (export \"fib\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))\n"
    "      (then (local.get 0))\n"
    "      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))\n"
    "                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))\n"
    ")";

#define FAIL(what, st) \
  (fprintf(stderr, "%s: %s: %s\n", what, wb_status_name(st), wb_last_error()), 1)

static wb_engine_t engine;  /* shared by every thread */
static wb_module_t module;  /* compiled once, shared */

typedef struct worker {
  int index;
  int failed;
  wb_func_t fib; /* published for main's deliberate mistake below */
} worker_t;

/* Workers wait here while they still own their stores, so that main can try
 * to use one of them (the mistake), then once more before cleaning up. */
static pthread_barrier_t checked, mistake_made;

static int expected_fib(int n) { return n < 2 ? n : expected_fib(n - 1) + expected_fib(n - 2); }

static void *work(void *arg) {
  worker_t *w = arg;
  wb_store_t store;
  wb_instance_t inst;
  wb_status_t st;
  /* the store is this thread's: only it may use the store and its handles */
  if ((st = wb_store_new(engine, &store))) {
    w->failed = FAIL("wb_store_new", st);
  } else if ((st = wb_instance_new(store, module, &inst)) || (st = wb_instance_get_func(inst, "fib", &w->fib))) {
    w->failed = FAIL("setup", st);
  } else {
    for (int n = 0; n < 25 && !w->failed; n++) {
      wb_val_t in = {.kind = WB_I32, .of.i32 = n}, out;
      if ((st = wb_func_call(w->fib, &in, 1, &out, 1))) {
        w->failed = FAIL("wb_func_call", st);
      } else if (out.of.i32 != expected_fib(n)) {
        fprintf(stderr, "thread %d: fib(%d) = %d, expected %d\n", w->index, n, out.of.i32, expected_fib(n));
        w->failed = 1;
      }
    }
    if (!w->failed) printf("thread %d: fib(0..24) all correct, in its own store\n", w->index);
  }
  pthread_barrier_wait(&checked);
  pthread_barrier_wait(&mistake_made);
  wb_store_delete(store); /* deletes the instance and func with it; NULL-safe */
  return NULL;
}

int main(void) {
  wb_status_t st;
  if ((st = wb_engine_new(NULL, &engine))) return FAIL("wb_engine_new", st);
  if ((st = wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module))) return FAIL("wb_module_new", st);

  enum { N = 4 };
  worker_t workers[N] = {{0}};
  pthread_t threads[N];
  pthread_barrier_init(&checked, NULL, N + 1);
  pthread_barrier_init(&mistake_made, NULL, N + 1);
  for (int i = 0; i < N; i++) {
    workers[i].index = i;
    pthread_create(&threads[i], NULL, work, &workers[i]);
  }
  pthread_barrier_wait(&checked);

  /* The deliberate mistake: main calls thread 0's function while thread 0
   * owns its store. With Wasmtime's C API this is undefined behaviour; here
   * it is refused before Wasmtime is touched. */
  wb_val_t in = {.kind = WB_I32, .of.i32 = 10}, out;
  st = wb_func_call(workers[0].fib, &in, 1, &out, 1);
  printf("main calls thread 0's fib: refused: %s\n  %s\n", wb_status_name(st), wb_last_error());
  int failed = st != WB_ERR_WRONG_THREAD;

  pthread_barrier_wait(&mistake_made);
  for (int i = 0; i < N; i++) {
    pthread_join(threads[i], NULL);
    failed |= workers[i].failed;
  }
  wb_module_delete(module);
  wb_engine_delete(engine);
  pthread_barrier_destroy(&checked);
  pthread_barrier_destroy(&mistake_made);
  printf(failed ? "demo FAILED\n" : "demo passed\n");
  return failed;
}
