/* Store hand-off: a store belongs to one thread at a time. The owner gives it
 * up with wb_store_release; another thread takes it with wb_store_adopt and
 * carries on with the same instances and state. While it is released nobody
 * may use it, and a thread that is not the owner is refused.
 *
 *   cmake --build build --target handoff && build/examples/handoff
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "wasmbound.h"

static const char *WAT =
    "(module (global $n (mut i32) (i32.const 0))\n"
    "  (func (export \"bump\") (result i32) global.get $n i32.const 1 i32.add global.set $n global.get $n))";

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

struct job {
  wb_store_t store;
  wb_func_t bump;
  int32_t seen;
  wb_status_t status;
};

/* The worker adopts the store, calls into it, and hands it back. */
static void *worker(void *arg) {
  struct job *j = arg;
  wb_val_t r;
  if ((j->status = wb_store_adopt(j->store)) == WB_OK &&
      (j->status = wb_func_call(j->bump, NULL, 0, &r, 1)) == WB_OK) {
    j->seen = r.of.i32;
    j->status = wb_store_release(j->store); /* give it back */
  }
  if (j->status) fprintf(stderr, "worker: %s: %s\n", wb_status_name(j->status), wb_last_error());
  return NULL;
}

int main(void) {
  wb_engine_t engine;
  wb_module_t module;
  wb_instance_t instance;
  struct job job;
  wb_val_t r;
  CHECK(wb_engine_new(NULL, &engine));
  CHECK(wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module));
  CHECK(wb_store_new(engine, &job.store)); /* this thread owns it */
  CHECK(wb_instance_new(job.store, module, &instance));
  CHECK(wb_instance_get_func(instance, "bump", &job.bump));
  CHECK(wb_func_call(job.bump, NULL, 0, &r, 1)); /* 1, on the main thread */

  CHECK(wb_store_release(job.store)); /* from here on nobody owns it */
  wb_status_t released = wb_func_call(job.bump, NULL, 0, &r, 1);
  printf("main calls the released store: refused: %s\n", wb_status_name(released));

  pthread_t t;
  pthread_create(&t, NULL, worker, &job);
  pthread_join(t, NULL);
  CHECK(job.status);
  printf("the worker adopted it and counted %d\n", job.seen); /* 2: the state moved with it */

  CHECK(wb_store_adopt(job.store)); /* main takes it back */
  CHECK(wb_func_call(job.bump, NULL, 0, &r, 1));
  printf("main adopted it back and counted %d\n", r.of.i32);

  CHECK(wb_store_delete(job.store));
  CHECK(wb_module_delete(module));
  CHECK(wb_engine_delete(engine));
  if (released != WB_ERR_WRONG_THREAD || job.seen != 2 || r.of.i32 != 3) return 1;
  printf("handoff: main 1, worker 2, main 3: one store, three owners in turn\n");
  return 0;
}
