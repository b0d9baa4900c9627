/* Shared memory between two threads, each with its own store: one waits
 * with memory.atomic.wait32, the other stores and notifies; the host sees
 * the same bytes. */
#define _POSIX_C_SOURCE 200809L /* POSIX under -std=c11 and -std=c17 */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

static const char *wat =
    "(module (import \"env\" \"mem\" (memory 1 4 shared))"
    " (func (export \"wait\") (result i32)"
    "   (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))"
    "   (i32.atomic.load (i32.const 4)))"
    " (func (export \"publish\") (param i32) (result i32)"
    "   (i32.atomic.store (i32.const 4) (local.get 0))"
    "   (i32.atomic.store (i32.const 0) (i32.const 1))"
    "   (memory.atomic.notify (i32.const 0) (i32.const 1))))";

static wb_engine_t engine;
static wb_module_t module;
static wb_shared_memory_t shared;
static atomic_int waiting;

static wb_func_t instantiate(wb_store_t *s, const char *name) {
  wb_linker_t l;
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_linker_new(engine, &l));
  OK(wb_linker_define_shared_memory(l, "env", "mem", shared));
  OK(wb_store_new(engine, s));
  OK(wb_linker_instantiate(l, *s, module, &inst));
  OK(wb_linker_delete(l));
  OK(wb_instance_get_func(inst, name, &f));
  return f;
}

static void *waiter(void *arg) {
  wb_store_t s;
  wb_func_t wait = instantiate(&s, "wait");
  wb_val_t r;
  atomic_store(&waiting, 1);
  OK(wb_func_call(wait, NULL, 0, &r, 1));
  *(int32_t *)arg = r.of.i32;
  OK(wb_store_delete(s));
  return NULL;
}

int main(void) {
  OK(wb_engine_new(NULL, &engine));
  module = compile_wat(engine, wat);
  OK(wb_shared_memory_new(engine, 1, 4, &shared));
  EXPECT(wb_shared_memory_new(engine, 5, 4, &shared), WB_ERR_INVALID_ARGUMENT, "min <= max");

  int32_t seen = 0;
  pthread_t t;
  CHECK(pthread_create(&t, NULL, waiter, &seen) == 0);
  while (!atomic_load(&waiting)) sched_yield();
  wb_store_t s;
  wb_func_t publish = instantiate(&s, "publish");
  /* notify until the waiter was really parked (it may not have reached the wait yet) */
  wb_val_t a = val_i32(4242), woken;
  for (int i = 0; i < 2000; i++) {
    OK(wb_func_call(publish, &a, 1, &woken, 1));
    if (woken.of.i32 == 1) break;
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  CHECK(pthread_join(t, NULL) == 0);
  CHECK(seen == 4242);

  /* the host sees the same memory */
  int32_t v = 0;
  OK(wb_shared_memory_read(shared, 4, &v, 4));
  CHECK(v == 4242);
  v = 7;
  OK(wb_shared_memory_write(shared, 8, &v, 4));
  uint64_t size, prev;
  OK(wb_shared_memory_size(shared, &size));
  CHECK(size == 65536);
  EXPECT(wb_shared_memory_read(shared, 65535, &v, 4), WB_ERR_OUT_OF_BOUNDS, "out of bounds");
  EXPECT(wb_shared_memory_read(shared, 0, NULL, 4), WB_ERR_INVALID_ARGUMENT, "NULL");
  OK(wb_shared_memory_grow(shared, 1, &prev));
  CHECK(prev == 1);
  EXPECT(wb_shared_memory_grow(shared, 10, &prev), WB_ERR_LIMIT, "");
  OK(wb_shared_memory_read(shared, 65536 + 100, &v, 4));

  OK(wb_store_delete(s));
  OK(wb_shared_memory_delete(shared));
  EXPECT(wb_shared_memory_size(shared, &size), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_module_delete(module));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("shared_memory");
}
