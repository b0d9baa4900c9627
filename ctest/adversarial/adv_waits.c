/* Guests parked in memory.atomic.wait (issue 14 item 4): every way to stop
 * a call stops them too, and a module may not define a shared memory whose
 * waits nothing could end. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "cases.h"

/* imports a shared memory made by the host; waits on address 0 (which holds
 * 0) without a timeout, in a loop, as a futex user would */
#define WAITER                                                                                 \
  "(module (import \"env\" \"mem\" (memory 1 16 shared))"                                     \
  " (func (export \"wait32\") (result i32) (local i32)"                                        \
  "  (loop $again (local.set 0 (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))" \
  "   (br_if $again (i32.eq (i32.load (i32.const 0)) (i32.const 0)))) (local.get 0))"          \
  " (func (export \"wait64\") (result i32) (local i32)"                                        \
  "  (loop $again (local.set 0 (memory.atomic.wait64 (i32.const 8) (i64.const 0) (i64.const -1)))" \
  "   (br_if $again (i64.eq (i64.load (i32.const 8)) (i64.const 0)))) (local.get 0))"           \
  " (func (export \"wait_once\") (result i32)"                                                  \
  "  (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))"

typedef struct waiter {
  wb_engine_t engine;
  wb_module_t module;
  wb_shared_memory_t memory;
  const char *func;
  uint64_t timeout_ms, deadline_ms;
  _Atomic uint64_t store;  /* published once the call is about to start */
  wb_status_t status, next_status;
  char message[512];
} waiter_t;

static void *run_waiter(void *arg) {
  waiter_t *w = arg;
  wb_linker_t l;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_linker_new(w->engine, &l));
  OK(wb_linker_define_shared_memory(l, "env", "mem", w->memory));
  OK(wb_store_new(w->engine, &s));
  if (w->timeout_ms) OK(wb_store_set_call_timeout(s, w->timeout_ms));
  OK(wb_linker_instantiate(l, s, w->module, &inst));
  OK(wb_instance_get_func(inst, w->func, &f));
  if (w->deadline_ms) OK(wb_store_set_deadline(s, w->deadline_ms));
  atomic_store(&w->store, s.id);
  wb_val_t r;
  w->status = wb_func_call(f, NULL, 0, &r, 1);
  snprintf(w->message, sizeof w->message, "%s", wb_last_error());
  w->next_status = w->status == WB_OK ? wb_func_call(f, NULL, 0, &r, 1) : WB_OK;
  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  return 0;
}

static void start(waiter_t *w, pthread_t *t) {
  CHECK(pthread_create(t, 0, run_waiter, w) == 0);
  while (!atomic_load(&w->store)) usleep(1000);
  usleep(50 * 1000); /* let it park */
}

static void setup(waiter_t *w, const char *func) {
  memset(w, 0, sizeof *w);
  OK(wb_engine_new(NULL, &w->engine));
  w->module = adv_compile(w->engine, WAITER);
  OK(wb_shared_memory_new(w->engine, 1, 16, &w->memory));
  w->func = func;
}

static void teardown(waiter_t *w) {
  OK(wb_shared_memory_delete(w->memory));
  OK(wb_module_delete(w->module));
  OK(wb_engine_delete(w->engine));
  check_no_live_handles();
}

static void interrupt_case(const char *func) {
  waiter_t w;
  pthread_t t;
  setup(&w, func);
  start(&w, &t);
  OK(wb_store_interrupt((wb_store_t){atomic_load(&w.store)}));
  CHECK(pthread_join(t, 0) == 0);
  if (w.status != WB_ERR_INTERRUPTED) fprintf(stderr, "status %s: %s\n", wb_status_name(w.status), w.message);
  CHECK(w.status == WB_ERR_INTERRUPTED);
  teardown(&w);
}

/* wb_store_interrupt from another thread ends a wait without a timeout */
static void item04_wait32_interrupt(void) { interrupt_case("wait32"); }
static void item04_wait64_interrupt(void) { interrupt_case("wait64"); }

/* A guest that waits once, without a loop after it, is woken and returns
 * (the wait says "ok", as a spurious wake may): the interrupt then stops
 * the store's next call, as wb_store_interrupt promises. */
static void item04_wait_once_then_next_call(void) {
  waiter_t w;
  pthread_t t;
  setup(&w, "wait_once");
  start(&w, &t);
  OK(wb_store_interrupt((wb_store_t){atomic_load(&w.store)}));
  CHECK(pthread_join(t, 0) == 0);
  CHECK(w.status == WB_ERR_INTERRUPTED || (w.status == WB_OK && w.next_status == WB_ERR_INTERRUPTED));
  teardown(&w);
}

/* so does the call timeout */
static void item04_wait_call_timeout(void) {
  waiter_t w;
  pthread_t t;
  setup(&w, "wait32");
  w.timeout_ms = 100;
  start(&w, &t);
  CHECK(pthread_join(t, 0) == 0);
  CHECK(w.status == WB_ERR_INTERRUPTED);
  CHECK(strstr(w.message, "time") != NULL);
  teardown(&w);
}

/* and the store deadline */
static void item04_wait_store_deadline(void) {
  waiter_t w;
  pthread_t t;
  setup(&w, "wait64");
  w.deadline_ms = 100;
  start(&w, &t);
  CHECK(pthread_join(t, 0) == 0);
  CHECK(w.status == WB_ERR_INTERRUPTED);
  teardown(&w);
}

/* Two guests wait on the same memory; stopping one leaves the other parked
 * (it sees a spurious wake, finds the value unchanged, and waits again). */
static void item04_wait_other_waiter_unharmed(void) {
  waiter_t a, b;
  pthread_t ta, tb;
  setup(&a, "wait32");
  b = a;
  atomic_store(&b.store, 0);
  start(&a, &ta);
  start(&b, &tb);
  OK(wb_store_interrupt((wb_store_t){atomic_load(&a.store)}));
  CHECK(pthread_join(ta, 0) == 0);
  CHECK(a.status == WB_ERR_INTERRUPTED);
  usleep(100 * 1000);
  /* b is still waiting: its thread has not finished */
  CHECK(pthread_tryjoin_np(tb, 0) != 0);
  OK(wb_store_interrupt((wb_store_t){atomic_load(&b.store)}));
  CHECK(pthread_join(tb, 0) == 0);
  CHECK(b.status == WB_ERR_INTERRUPTED);
  teardown(&a);
}

/* A pool whose guest waits forever: cancelling the future and deleting the
 * pool both end the wait. */
static void item04_wait_pool_cancel_and_delete(void) {
  wb_engine_t e;
  wb_shared_memory_t mem;
  wb_linker_t l;
  wb_template_t t;
  wb_pool_t p;
  uint32_t index;
  wb_future_t f1, f2;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, WAITER);
  OK(wb_shared_memory_new(e, 1, 16, &mem));
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_shared_memory(l, "env", "mem", mem));
  OK(wb_template_new(l, m, &t));
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = 2;
  OK(wb_pool_new(e, t, &cfg, &p));
  OK(wb_pool_func_index(p, "wait32", &index));
  OK(wb_pool_submit(p, index, NULL, 0, true, &f1));
  OK(wb_pool_submit(p, index, NULL, 0, true, &f2));
  usleep(100 * 1000);
  OK(wb_future_cancel(f1));
  wb_val_t r;
  EXPECT(wb_future_wait(f1, UINT64_MAX, &r, 1), WB_ERR_INTERRUPTED, "");
  OK(wb_pool_delete(p)); /* f2's guest is still parked */
  EXPECT(wb_future_wait(f2, UINT64_MAX, &r, 1), WB_ERR_INTERRUPTED, "");
  OK(wb_future_delete(f1));
  OK(wb_future_delete(f2));
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  OK(wb_shared_memory_delete(mem));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* A module that defines its own shared memory is refused by default (its
 * waits could never be woken), and accepted when the engine allows it. */
static void item04_guest_shared_memory_refused(void) {
  const char *wat = "(module (memory 1 1 shared) (func (export \"f\") (result i32)"
                    " (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))";
  wb_engine_t e;
  wb_module_t m;
  OK(wb_engine_new(NULL, &e));
  EXPECT(wb_module_new(e, (const uint8_t *)wat, strlen(wat), &m), WB_ERR_COMPILE, "guest_shared_memory");
  EXPECT(wb_module_validate(e, (const uint8_t *)wat, strlen(wat)), WB_ERR_COMPILE, "shared memory");
  OK(wb_engine_delete(e));
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.guest_shared_memory = true;
  OK(wb_engine_new(&cfg, &e));
  OK(wb_module_new(e, (const uint8_t *)wat, strlen(wat), &m));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

ADV_TABLE(waits) = {
    {"item04_wait32_interrupt", item04_wait32_interrupt},
    {"item04_wait64_interrupt", item04_wait64_interrupt},
    {"item04_wait_once_then_next_call", item04_wait_once_then_next_call},
    {"item04_wait_call_timeout", item04_wait_call_timeout},
    {"item04_wait_store_deadline", item04_wait_store_deadline},
    {"item04_wait_other_waiter_unharmed", item04_wait_other_waiter_unharmed},
    {"item04_wait_pool_cancel_and_delete", item04_wait_pool_cancel_and_delete},
    {"item04_guest_shared_memory_refused", item04_guest_shared_memory_refused},
};
ADV_COUNT(waits);
