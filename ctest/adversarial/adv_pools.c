/* Pools at the edges (issue 14 items 5, 7, 8): a start function that never
 * ends, at wb_pool_new and when a worker recycles its instance; a host
 * function that calls its own pool; a thread cancelled while it waits on a
 * pool; fuel and start functions. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "cases.h"

#define ENDLESS_START                                                                \
  "(module (func $start (loop $l (br $l))) (start $start)"                          \
  " (func (export \"quick\") (result i32) i32.const 7))"

/* The start function asks the host whether to hang: the first instance
 * starts, the ones after it (made when the worker recycles) never end. */
#define HANG_ON_RECYCLE                                                              \
  "(module (import \"env\" \"hang\" (func $hang (result i32)))"                     \
  " (func $start (if (call $hang) (then (loop $l (br $l))))) (start $start)"         \
  " (func (export \"quick\") (result i32) i32.const 7))"

static _Atomic int starts;

static wb_status_t hang_after_first(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs,
                                    wb_val_t *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)nresults;
  results[0].kind = WB_I32;
  results[0].of.i32 = atomic_fetch_add(&starts, 1) > 0;
  return WB_OK;
}

static wb_template_t plain_template(wb_engine_t e, wb_module_t m) {
  wb_linker_t l;
  wb_template_t t;
  OK(wb_linker_new(e, &l));
  OK(wb_template_new(l, m, &t));
  OK(wb_linker_delete(l));
  return t;
}

/* With the default configuration (the fields of version 1 only, as a
 * program built before start_timeout_ms sets them), wb_pool_new over an
 * endless start function returns, after the default start timeout, with
 * WB_ERR_INTERRUPTED and a message that names the setting. */
static void item05_endless_start_default_config(void) {
  wb_engine_t e;
  wb_pool_t p = {0};
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, ENDLESS_START);
  wb_template_t t = plain_template(e, m);
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, 1));
  cfg.workers = 2;
  EXPECT(wb_pool_new(e, t, &cfg, &p), WB_ERR_INTERRUPTED, "start_timeout_ms");
  CHECK(p.id == 0);
  OK(wb_template_delete(t));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* A short start_timeout_ms ends every worker's endless start function;
 * nothing is left behind, and a pool over a good template still works. */
static void item05_endless_start_short_timeout(void) {
  wb_engine_t e;
  wb_pool_t p;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, ENDLESS_START);
  wb_template_t t = plain_template(e, m);
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = 4;
  cfg.start_timeout_ms = 50;
  EXPECT(wb_pool_new(e, t, &cfg, &p), WB_ERR_INTERRUPTED, "could not instantiate the template");
  CHECK(strstr(wb_last_error(), "start_timeout_ms (50 ms)"));
  cfg.start_timeout_ms = 0;
  EXPECT(wb_pool_new(e, t, &cfg, &p), WB_ERR_INVALID_ARGUMENT, "start_timeout_ms");
  OK(wb_template_delete(t));
  OK(wb_module_delete(m));
  wb_module_t good = adv_compile(e, "(module (func (export \"quick\") (result i32) i32.const 7))");
  t = plain_template(e, good);
  cfg.start_timeout_ms = 50;
  OK(wb_pool_new(e, t, &cfg, &p));
  wb_val_t r;
  OK(wb_pool_call(p, "quick", NULL, 0, &r, 1));
  CHECK(r.of.i32 == 7);
  OK(wb_pool_delete(p));
  OK(wb_template_delete(t));
  OK(wb_module_delete(good));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

typedef struct hang_rig {
  wb_engine_t e;
  wb_module_t m;
  wb_template_t t;
  wb_pool_t p;
} hang_rig_t;

/* One worker over HANG_ON_RECYCLE that recycles after every call, having
 * run one call on its first instance. */
static void hang_rig_up(hang_rig_t *h, uint64_t start_timeout_ms) {
  static const wb_valkind_t i32 = WB_I32;
  wb_linker_t l;
  OK(wb_engine_new(NULL, &h->e));
  h->m = adv_compile(h->e, HANG_ON_RECYCLE);
  OK(wb_linker_new(h->e, &l));
  OK(wb_linker_define_func(l, "env", "hang", NULL, 0, &i32, 1, hang_after_first, NULL, NULL));
  OK(wb_template_new(l, h->m, &h->t));
  OK(wb_linker_delete(l));
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = 1;
  cfg.recycle_after_calls = 1;
  cfg.start_timeout_ms = start_timeout_ms;
  OK(wb_pool_new(h->e, h->t, &cfg, &h->p));
  wb_val_t r;
  OK(wb_pool_call(h->p, "quick", NULL, 0, &r, 1));
  CHECK(r.of.i32 == 7);
}

static void hang_rig_down(hang_rig_t *h) {
  OK(wb_pool_delete(h->p));
  OK(wb_template_delete(h->t));
  OK(wb_module_delete(h->m));
  OK(wb_engine_delete(h->e));
  check_no_live_handles();
}

/* A worker recycling its instance runs a start function that never ends
 * (under a start timeout of ten minutes): wb_pool_delete interrupts it and
 * returns instead of joining the worker forever. */
static void item05_recycle_endless_start_delete(void) {
  hang_rig_t h;
  hang_rig_up(&h, 600000);
  while (atomic_load(&starts) < 2) usleep(1000); /* the worker is in the second start function */
  hang_rig_down(&h);
}

/* The same recycling under a short start timeout: the worker gives up on
 * its instance, the pool (with no worker left) says so to the next call
 * instead of leaving it queued forever, and can be deleted. */
static void item05_recycle_endless_start_timeout(void) {
  hang_rig_t h;
  hang_rig_up(&h, 30);
  wb_val_t r;
  wb_status_t st = wb_pool_call(h.p, "quick", NULL, 0, &r, 1);
  CHECK(st == WB_ERR_INTERRUPTED || st == WB_ERR_BUSY);
  CHECK(strstr(wb_last_error(), "could not make fresh instances") || strstr(wb_last_error(), "shut down"));
  hang_rig_down(&h);
}

/* ---- item 7: a pool's host function calls its own pool ------------------------------ */

#define REENTER                                                                      \
  "(module (import \"env\" \"reenter\" (func $re))"                                 \
  " (func (export \"outer\") (result i32) (call $re) i32.const 1)"                   \
  " (func (export \"leaf\") (result i32) i32.const 42)"                              \
  " (func (export \"spin\") (loop $l (br $l))))"

static wb_pool_t own_pool;
static wb_status_t seen_call, seen_wait, seen_full, seen_poll_wait;
static char seen_call_msg[1024], seen_wait_msg[1024], seen_full_msg[1024];
static wb_future_t leaf_future, extra_future;

static wb_status_t reenter(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                           size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  wb_val_t r;
  uint32_t leaf;
  seen_call = wb_pool_call(own_pool, "leaf", NULL, 0, &r, 1);
  snprintf(seen_call_msg, sizeof seen_call_msg, "%s", wb_last_error());
  if (wb_pool_func_index(own_pool, "leaf", &leaf) != WB_OK) return WB_ERR_NOT_FOUND;
  if (wb_pool_submit(own_pool, leaf, NULL, 0, false, &leaf_future) != WB_OK) return WB_ERR_BUSY;
  seen_wait = wb_future_wait(leaf_future, UINT64_MAX, &r, 1);
  snprintf(seen_wait_msg, sizeof seen_wait_msg, "%s", wb_last_error());
  seen_poll_wait = wb_future_wait(leaf_future, 0, &r, 1); /* a look without waiting is fine */
  /* the queue (capacity 1) holds leaf now: waiting for room would deadlock */
  seen_full = wb_pool_submit(own_pool, leaf, NULL, 0, true, &extra_future);
  snprintf(seen_full_msg, sizeof seen_full_msg, "%s", wb_last_error());
  return WB_OK;
}

static void item07_host_calls_own_pool(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_template_t t;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, REENTER);
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_func(l, "env", "reenter", NULL, 0, NULL, 0, reenter, NULL, NULL));
  OK(wb_template_new(l, m, &t));
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = 1; /* the worker that runs outer is the only one that could run leaf */
  cfg.queue_capacity = 1;
  OK(wb_pool_new(e, t, &cfg, &own_pool));
  wb_val_t r;
  OK(wb_pool_call(own_pool, "outer", NULL, 0, &r, 1));
  CHECK(r.of.i32 == 1);
  CHECK(seen_call == WB_ERR_WRONG_THREAD);
  CHECK(strstr(seen_call_msg, "own workers") && strstr(seen_call_msg, "deadlock"));
  CHECK(seen_wait == WB_ERR_WRONG_THREAD);
  CHECK(strstr(seen_wait_msg, "own workers"));
  CHECK(seen_poll_wait == WB_ERR_TIMEOUT);
  CHECK(seen_full == WB_ERR_WRONG_THREAD);
  CHECK(strstr(seen_full_msg, "full queue"));
  /* the call submitted from inside ran afterwards */
  OK(wb_future_wait(leaf_future, UINT64_MAX, &r, 1));
  CHECK(r.of.i32 == 42);
  OK(wb_future_delete(leaf_future));
  /* from any other thread the same calls are fine */
  OK(wb_pool_call(own_pool, "leaf", NULL, 0, &r, 1));
  OK(wb_pool_delete(own_pool));
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* ---- item 7: pthread_cancel of a thread waiting on a pool --------------------------- */

typedef struct cancel_rig {
  wb_engine_t e;
  wb_module_t m;
  wb_template_t t;
  wb_pool_t p;
  uint32_t spin, leaf;
} cancel_rig_t;

static void rig_up(cancel_rig_t *c, uint32_t capacity) {
  OK(wb_engine_new(NULL, &c->e));
  c->m = adv_compile(c->e, "(module (func (export \"leaf\") (result i32) i32.const 42)"
                           " (func (export \"spin\") (loop $l (br $l))))");
  c->t = plain_template(c->e, c->m);
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = 1;
  cfg.queue_capacity = capacity;
  OK(wb_pool_new(c->e, c->t, &cfg, &c->p));
  OK(wb_pool_func_index(c->p, "spin", &c->spin));
  OK(wb_pool_func_index(c->p, "leaf", &c->leaf));
}

/* The pool still runs calls, and deletes cleanly, with no handle left. */
static void rig_down_checked(cancel_rig_t *c) {
  wb_val_t r;
  OK(wb_pool_call(c->p, "leaf", NULL, 0, &r, 1));
  CHECK(r.of.i32 == 42);
  OK(wb_pool_delete(c->p));
  OK(wb_template_delete(c->t));
  OK(wb_module_delete(c->m));
  OK(wb_engine_delete(c->e));
  check_no_live_handles();
}

static void cancel_and_join(pthread_t th) {
  usleep(100 * 1000); /* let it reach its wait (cancellation is deferred to it anyway) */
  CHECK(pthread_cancel(th) == 0);
  void *ret = 0;
  CHECK(pthread_join(th, &ret) == 0);
  CHECK(ret == PTHREAD_CANCELED);
}

static void wait_until_running(cancel_rig_t *c) {
  for (;;) { /* the worker took the call off the queue */
    wb_pool_stats_t s = WB_POOL_STATS_INIT;
    OK(wb_pool_stats_get(c->p, &s));
    if (s.submitted >= 1 && s.queue_depth == 0) return;
    usleep(1000);
  }
}

static wb_future_t spin_future;

static void *wait_forever(void *arg) {
  (void)arg;
  wb_future_wait(spin_future, UINT64_MAX, NULL, 0);
  return 0;
}

/* A thread cancelled in wb_future_wait: the future, the pool and
 * wb_pool_delete work afterwards. */
static void item07_cancel_future_waiter(void) {
  cancel_rig_t c;
  rig_up(&c, 4);
  OK(wb_pool_submit(c.p, c.spin, NULL, 0, true, &spin_future));
  pthread_t th;
  CHECK(pthread_create(&th, 0, wait_forever, 0) == 0);
  cancel_and_join(th);
  OK(wb_future_cancel(spin_future));
  EXPECT(wb_future_wait(spin_future, UINT64_MAX, NULL, 0), WB_ERR_INTERRUPTED, "");
  OK(wb_future_delete(spin_future));
  rig_down_checked(&c);
}

static cancel_rig_t *call_rig;

static void *call_forever(void *arg) {
  (void)arg;
  wb_pool_call_index(call_rig->p, call_rig->spin, NULL, 0, NULL, 0);
  return 0;
}

/* A thread cancelled in wb_pool_call: wb_pool_delete stops its call and
 * returns; nothing is leaked. */
static void item07_cancel_call_waiter(void) {
  cancel_rig_t c;
  rig_up(&c, 4);
  call_rig = &c;
  pthread_t th;
  CHECK(pthread_create(&th, 0, call_forever, 0) == 0);
  cancel_and_join(th);
  /* its spin still runs; the delete interrupts it */
  wait_until_running(&c);
  OK(wb_pool_delete(c.p));
  wb_val_t r;
  EXPECT(wb_pool_call(c.p, "leaf", NULL, 0, &r, 1), WB_ERR_INVALID_HANDLE, "");
  OK(wb_template_delete(c.t));
  OK(wb_module_delete(c.m));
  OK(wb_engine_delete(c.e));
  check_no_live_handles();
}

static void *submit_blocked(void *arg) {
  (void)arg;
  wb_future_t f;
  wb_pool_submit(call_rig->p, call_rig->leaf, NULL, 0, true, &f);
  return 0;
}

/* A thread cancelled while wb_pool_submit waits for room in a full queue:
 * the pool's lock is free afterwards, the queued and running calls can be
 * cancelled, and the pool runs calls again. */
static void item07_cancel_submit_waiter(void) {
  cancel_rig_t c;
  rig_up(&c, 1);
  call_rig = &c;
  wb_future_t running, queued;
  OK(wb_pool_submit(c.p, c.spin, NULL, 0, true, &running));
  wait_until_running(&c);
  OK(wb_pool_submit(c.p, c.spin, NULL, 0, false, &queued)); /* the queue is full now */
  pthread_t th;
  CHECK(pthread_create(&th, 0, submit_blocked, 0) == 0);
  cancel_and_join(th);
  OK(wb_future_cancel(queued));
  EXPECT(wb_future_wait(queued, UINT64_MAX, NULL, 0), WB_ERR_INTERRUPTED, "");
  OK(wb_future_cancel(running));
  EXPECT(wb_future_wait(running, UINT64_MAX, NULL, 0), WB_ERR_INTERRUPTED, "");
  OK(wb_future_delete(running));
  OK(wb_future_delete(queued));
  rig_down_checked(&c);
}

/* ---- item 8: fuel_per_call and start functions -------------------------------------- */

/* The start function and "burn" run the same loop: each needs more than
 * half of fuel_per_call, so a call that got only what the start left would
 * run out; "burn" succeeding on every fresh instance shows that each call
 * gets the full fuel_per_call. */
#define FUEL_START                                                                                      \
  "(module (global $g (mut i32) (i32.const 0))"                                                        \
  " (func $loop (param $n i32) (local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))" \
  "   (br_if $l (i32.lt_u (local.get $i) (local.get $n)))) (global.set $g (local.get $i)))"             \
  " (func $start (call $loop (i32.const 100000))) (start $start)"                                       \
  " (func (export \"burn\") (param i32) (result i32) (call $loop (local.get 0)) (global.get $g)))"

static void item08_fuel_per_call_with_start(void) {
  wb_engine_config_t ec;
  OK(wb_engine_config_init(&ec, WB_ENGINE_CONFIG_VERSION));
  ec.consume_fuel = true;
  wb_engine_t e;
  OK(wb_engine_new(&ec, &e));
  wb_module_t m = adv_compile(e, FUEL_START);
  /* what the start function costs, measured in a store of our own */
  wb_store_t s;
  wb_instance_t inst;
  uint64_t left;
  OK(wb_store_new(e, &s));
  OK(wb_store_set_fuel(s, 100000000));
  OK(wb_instance_new(s, m, &inst));
  OK(wb_store_get_fuel(s, &left));
  uint64_t start_cost = 100000000 - left;
  CHECK(start_cost > 100000);
  OK(wb_store_delete(s));
  wb_template_t t = plain_template(e, m);
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = 2;
  cfg.fuel_per_call = start_cost * 3 / 2; /* enough for the start or for one burn, not for both */
  cfg.recycle_after_calls = 1;            /* every call on a fresh instance */
  wb_pool_t p;
  OK(wb_pool_new(e, t, &cfg, &p));
  wb_val_t arg = val_i32(100000), r;
  for (int i = 0; i < 6; i++) {
    OK(wb_pool_call(p, "burn", &arg, 1, &r, 1));
    CHECK(r.of.i32 == 100000);
  }
  arg = val_i32(1000000); /* more than a call's fuel */
  EXPECT(wb_pool_call(p, "burn", &arg, 1, &r, 1), WB_ERR_OUT_OF_FUEL, "");
  arg = val_i32(100000);
  OK(wb_pool_call(p, "burn", &arg, 1, &r, 1));
  OK(wb_pool_delete(p));
  /* a start function that needs more than fuel_per_call fails at wb_pool_new, saying so */
  cfg.fuel_per_call = start_cost / 2;
  EXPECT(wb_pool_new(e, t, &cfg, &p), WB_ERR_OUT_OF_FUEL, "could not instantiate");
  OK(wb_template_delete(t));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

ADV_TABLE(pools) = {
    {"item05_endless_start_default_config", item05_endless_start_default_config},
    {"item05_endless_start_short_timeout", item05_endless_start_short_timeout},
    {"item05_recycle_endless_start_delete", item05_recycle_endless_start_delete},
    {"item05_recycle_endless_start_timeout", item05_recycle_endless_start_timeout},
    {"item07_host_calls_own_pool", item07_host_calls_own_pool},
    {"item07_cancel_future_waiter", item07_cancel_future_waiter},
    {"item07_cancel_call_waiter", item07_cancel_call_waiter},
    {"item07_cancel_submit_waiter", item07_cancel_submit_waiter},
    {"item08_fuel_per_call_with_start", item08_fuel_per_call_with_start},
};
ADV_COUNT(pools);
