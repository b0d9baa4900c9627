/* Worker pools: 8 submitter threads x 10,000 verified calls; a trap recycles
 * the instance; timeouts stop runaway calls without stalling the other
 * workers; shutdown under load completes every call exactly once; futures
 * waited, polled and cancelled from threads other than the submitter. */
#define _POSIX_C_SOURCE 200809L /* POSIX under -std=c11 and -std=c17 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "check.h"

static const char *wat =
    "(module\n"
    "  (global $state (mut i32) (i32.const 0))\n"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)\n"
    "  (func (export \"set\") (param i32) local.get 0 global.set $state)\n"
    "  (func (export \"get\") (result i32) global.get $state)\n"
    "  (func (export \"set_and_trap\") (param i32) local.get 0 global.set $state unreachable)\n"
    "  (func (export \"spin\") (loop br 0))\n"
    "  (func (export \"work\") (param i32) (result i32)\n"
    "    (loop $l local.get 0 i32.const 1 i32.sub local.tee 0 br_if $l) i32.const 7)\n"
    "  (func (export \"swap\") (param i64 f64) (result f64 i64) local.get 1 local.get 0))";

static wb_engine_t engine;
static wb_template_t tmpl;

static wb_pool_t make_pool(uint32_t workers, uint32_t queue, uint64_t timeout_ms, uint64_t recycle) {
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = workers;
  cfg.queue_capacity = queue;
  cfg.call_timeout_ms = timeout_ms;
  cfg.recycle_after_calls = recycle;
  wb_pool_t p;
  OK(wb_pool_new(engine, tmpl, &cfg, &p));
  return p;
}

static uint32_t index_of(wb_pool_t p, const char *name) {
  uint32_t i;
  OK(wb_pool_func_index(p, name, &i));
  return i;
}

/* ---- 1. many submitters, every result verified ------------------------------ */

static wb_pool_t busy_pool;
static atomic_long verified;
static void *submitter(void *arg) {
  int id = (int)(intptr_t)arg;
  uint32_t add = index_of(busy_pool, "add");
  for (int k = 0; k < 10000; k++) {
    wb_val_t a[2] = {val_i32(id * 100000), val_i32(k)}, r;
    if (k % 2) {
      OK(wb_pool_call_index(busy_pool, add, a, 2, &r, 1));
    } else {
      wb_future_t f;
      OK(wb_pool_submit(busy_pool, add, a, 2, true, &f));
      OK(wb_future_wait(f, UINT64_MAX, &r, 1));
      OK(wb_future_delete(f));
    }
    CHECK(r.kind == WB_I32 && r.of.i32 == id * 100000 + k);
    atomic_fetch_add(&verified, 1);
  }
  return NULL;
}

/* ---- 4. shutdown under load ------------------------------------------------ */

typedef struct load {
  wb_pool_t pool;
  int ok, interrupted, refused;
} load_t;

static void *load_submitter(void *arg) {
  load_t *l = arg;
  uint32_t work = index_of(l->pool, "work");
  wb_future_t futures[400];
  int n = 0;
  for (int k = 0; k < 400; k++) {
    wb_val_t a = val_i32(20000);
    wb_status_t st = wb_pool_submit(l->pool, work, &a, 1, k % 3 != 0, &futures[n]);
    if (st == WB_OK) n++;
    else {
      CHECK(st == WB_ERR_BUSY);
      l->refused++;
    }
  }
  for (int k = 0; k < n; k++) {
    wb_val_t r;
    wb_status_t st = wb_future_wait(futures[k], UINT64_MAX, &r, 1);
    if (st == WB_OK) {
      CHECK(r.of.i32 == 7);
      l->ok++;
    } else {
      CHECK(st == WB_ERR_INTERRUPTED);
      CHECK(strstr(wb_last_error(), "cancel") || strstr(wb_last_error(), "interrupt"));
      l->interrupted++;
    }
    OK(wb_future_delete(futures[k]));
  }
  return NULL;
}

/* ---- 5. futures on other threads -------------------------------------------- */

static wb_future_t shared_future;
static void *waiter(void *arg) {
  wb_val_t r;
  OK(wb_future_wait(shared_future, UINT64_MAX, &r, 1));
  *(int32_t *)arg = r.of.i32;
  return NULL;
}
static void *poller(void *arg) {
  bool done = false;
  while (!done) OK(wb_future_poll(shared_future, &done));
  *(int *)arg = 1;
  return NULL;
}
static void *canceller(void *arg) {
  OK(wb_future_cancel(*(wb_future_t *)arg));
  return NULL;
}

static void run(void *(*fn)(void *), void *arg) {
  pthread_t t;
  CHECK(pthread_create(&t, NULL, fn, arg) == 0);
  CHECK(pthread_join(t, NULL) == 0);
}

int main(void) {
  OK(wb_engine_new(NULL, &engine));
  wb_module_t m = compile_wat(engine, wat);
  wb_linker_t l;
  OK(wb_linker_new(engine, &l));
  OK(wb_template_new(l, m, &tmpl));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));

  /* config and argument checks */
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  CHECK(cfg.workers == 2 && cfg.queue_capacity == 1024);
  wb_pool_t p;
  cfg.workers = 0;
  EXPECT(wb_pool_new(engine, tmpl, &cfg, &p), WB_ERR_INVALID_ARGUMENT, "workers");
  cfg.workers = 1;
  cfg.fuel_per_call = 10;
  EXPECT(wb_pool_new(engine, tmpl, &cfg, &p), WB_ERR_INVALID_ARGUMENT, "consume_fuel");
  cfg.version = 0;
  EXPECT(wb_pool_new(engine, tmpl, &cfg, &p), WB_ERR_INVALID_ARGUMENT, "wb_pool_config_init");

  /* 1 */
  busy_pool = make_pool(2, 256, 0, 0);
  pthread_t threads[8];
  for (int t = 0; t < 8; t++) CHECK(pthread_create(&threads[t], NULL, submitter, (void *)(intptr_t)t) == 0);
  for (int t = 0; t < 8; t++) CHECK(pthread_join(threads[t], NULL) == 0);
  CHECK(atomic_load(&verified) == 80000);
  wb_pool_stats_t ps = WB_POOL_STATS_INIT;
  OK(wb_pool_stats_get(busy_pool, &ps));
  CHECK(ps.submitted == 80000 && ps.completed == 80000 && ps.failed == 0 && ps.queue_depth == 0);
  CHECK(ps.queue_high_water >= 1 && ps.busy_ns > 0 && ps.workers == 2);
  /* kinds, counts, names */
  wb_val_t a[2] = {val_i64(5), val_i32(1)}, r[2];
  EXPECT(wb_pool_call(busy_pool, "add", a, 2, r, 1), WB_ERR_TYPE_MISMATCH, "argument 0");
  EXPECT(wb_pool_call(busy_pool, "add", a, 1, r, 1), WB_ERR_TYPE_MISMATCH, "takes 2 arguments");
  EXPECT(wb_pool_call(busy_pool, "nope", a, 2, r, 1), WB_ERR_NOT_FOUND, "\"nope\"");
  a[0] = val_i32(1);
  EXPECT(wb_pool_call(busy_pool, "add", a, 2, r, 2), WB_ERR_TYPE_MISMATCH, "returns 1 results");
  a[0] = val_i64(-3);
  a[1].kind = WB_F64;
  a[1].of.f64 = 0.5;
  OK(wb_pool_call(busy_pool, "swap", a, 2, r, 2));
  CHECK(r[0].kind == WB_F64 && r[0].of.f64 == 0.5 && r[1].kind == WB_I64 && r[1].of.i64 == -3);
  OK(wb_pool_delete(busy_pool));
  EXPECT(wb_pool_call(busy_pool, "add", a, 2, r, 1), WB_ERR_INVALID_HANDLE, "deleted");

  /* 2. a trap recycles the instance: its state is gone afterwards */
  p = make_pool(1, 16, 0, 0);
  a[0] = val_i32(42);
  OK(wb_pool_call(p, "set", a, 1, NULL, 0));
  OK(wb_pool_call(p, "get", NULL, 0, r, 1));
  CHECK(r[0].of.i32 == 42);
  a[0] = val_i32(7);
  EXPECT(wb_pool_call(p, "set_and_trap", a, 1, NULL, 0), WB_ERR_TRAP, "unreachable");
  CHECK(wb_last_trap_code() == WB_TRAP_UNREACHABLE);
  OK(wb_pool_call(p, "get", NULL, 0, r, 1));
  CHECK(r[0].of.i32 == 0);
  OK(wb_pool_stats_get(p, &ps));
  CHECK(ps.recycled == 1 && ps.failed_by_status[WB_ERR_TRAP] == 1);
  OK(wb_pool_delete(p));
  /* recycle after K calls */
  p = make_pool(1, 16, 0, 3);
  a[0] = val_i32(5);
  OK(wb_pool_call(p, "set", a, 1, NULL, 0));
  OK(wb_pool_call(p, "get", NULL, 0, r, 1));
  CHECK(r[0].of.i32 == 5);
  OK(wb_pool_call(p, "get", NULL, 0, r, 1)); /* the third call: recycled after it */
  OK(wb_pool_call(p, "get", NULL, 0, r, 1));
  CHECK(r[0].of.i32 == 0);
  OK(wb_pool_delete(p));

  /* 3. a timeout stops a runaway call; the other worker keeps serving */
  /* (1 s: the 200 calls below must finish while the runaway runs, also
   * under AddressSanitizer on a loaded machine) */
  p = make_pool(2, 16, 1000, 0);
  uint32_t spin = index_of(p, "spin");
  wb_future_t runaway;
  OK(wb_pool_submit(p, spin, NULL, 0, true, &runaway));
  for (int k = 0; k < 200; k++) {
    a[0] = val_i32(k);
    a[1] = val_i32(1);
    OK(wb_pool_call(p, "add", a, 2, r, 1));
    CHECK(r[0].of.i32 == k + 1);
  }
  bool done = true;
  OK(wb_future_poll(runaway, &done));
  CHECK(!done); /* the 200 calls finished while the runaway still ran */
  EXPECT(wb_future_wait(runaway, 10, NULL, 0), WB_ERR_TIMEOUT, "did not complete");
  EXPECT(wb_future_wait(runaway, UINT64_MAX, NULL, 0), WB_ERR_INTERRUPTED, "time limit");
  OK(wb_future_delete(runaway));
  OK(wb_pool_call(p, "get", NULL, 0, r, 1)); /* still serving */
  OK(wb_pool_delete(p));

  /* 4. shutdown under load: every call completes exactly once */
  for (int mode = 0; mode < 2; mode++) {
    load_t loads[4];
    memset(loads, 0, sizeof loads);
    p = make_pool(2, 64, 0, 0);
    for (int t = 0; t < 4; t++) {
      loads[t].pool = p;
      CHECK(pthread_create(&threads[t], NULL, load_submitter, &loads[t]) == 0);
    }
    struct timespec pause = {0, 20 * 1000000};
    nanosleep(&pause, NULL);
    OK(wb_pool_shutdown(p, mode == 0 ? WB_SHUTDOWN_DRAIN : WB_SHUTDOWN_CANCEL));
    EXPECT(wb_pool_call(p, "get", NULL, 0, r, 1), WB_ERR_BUSY, "shut down");
    for (int t = 0; t < 4; t++) CHECK(pthread_join(threads[t], NULL) == 0);
    int ok = 0, interrupted = 0, refused = 0;
    for (int t = 0; t < 4; t++) ok += loads[t].ok, interrupted += loads[t].interrupted, refused += loads[t].refused;
    OK(wb_pool_stats_get(p, &ps));
    CHECK(ok + interrupted + refused == 4 * 400);
    CHECK(ps.submitted == (uint64_t)(ok + interrupted));
    CHECK(ps.completed == (uint64_t)ok && ps.failed == (uint64_t)interrupted && ps.queue_depth == 0);
    if (mode == 0) CHECK(interrupted == 0); /* drain runs everything it accepted */
    OK(wb_pool_shutdown(p, WB_SHUTDOWN_CANCEL)); /* twice is harmless */
    OK(wb_pool_delete(p));
    printf("shutdown %s: %d completed, %d cancelled, %d refused\n", mode ? "cancel" : "drain", ok, interrupted,
           refused);
  }

  /* 5. futures waited, polled and cancelled from other threads */
  p = make_pool(1, 16, 0, 0);
  a[0] = val_i32(100000);
  OK(wb_pool_submit(p, index_of(p, "work"), a, 1, true, &shared_future));
  int32_t seen = 0;
  int polled = 0;
  pthread_t w, q;
  CHECK(pthread_create(&w, NULL, waiter, &seen) == 0);
  CHECK(pthread_create(&q, NULL, poller, &polled) == 0);
  CHECK(pthread_join(w, NULL) == 0 && pthread_join(q, NULL) == 0);
  CHECK(seen == 7 && polled == 1);
  OK(wb_future_cancel(shared_future)); /* completed: left as it is */
  OK(wb_future_wait(shared_future, 0, r, 1));
  OK(wb_future_delete(shared_future));
  /* cancel a running call and a queued one from another thread */
  wb_future_t running, queued;
  OK(wb_pool_submit(p, spin, NULL, 0, true, &running));
  OK(wb_pool_submit(p, index_of(p, "get"), NULL, 0, true, &queued));
  for (bool d = false; !d;) { /* wait until the worker took the spin */
    wb_pool_stats_get(p, &ps);
    d = ps.queue_depth == 1;
  }
  run(canceller, &queued);
  run(canceller, &running);
  EXPECT(wb_future_wait(queued, UINT64_MAX, r, 1), WB_ERR_INTERRUPTED, "wb_future_cancel");
  EXPECT(wb_future_wait(running, UINT64_MAX, NULL, 0), WB_ERR_INTERRUPTED, "");
  OK(wb_future_delete(queued));
  OK(wb_future_delete(running));
  OK(wb_pool_call(p, "get", NULL, 0, r, 1)); /* a fresh instance, no interrupt left behind */
  OK(wb_pool_call(p, "get", NULL, 0, r, 1));
  /* a non-blocking submit to a full queue */
  OK(wb_pool_submit(p, spin, NULL, 0, true, &running));
  wb_future_t fill[16], extra;
  for (int k = 0; k < 16; k++) OK(wb_pool_submit(p, index_of(p, "get"), NULL, 0, true, &fill[k]));
  EXPECT(wb_pool_submit(p, index_of(p, "get"), NULL, 0, false, &extra), WB_ERR_BUSY, "full");
  /* deleting the pool with calls in flight completes them all */
  OK(wb_pool_delete(p));
  EXPECT(wb_future_wait(running, UINT64_MAX, NULL, 0), WB_ERR_INTERRUPTED, "");
  for (int k = 0; k < 16; k++) {
    EXPECT(wb_future_wait(fill[k], UINT64_MAX, r, 1), WB_ERR_INTERRUPTED, "shut down");
    OK(wb_future_delete(fill[k]));
  }
  OK(wb_future_delete(running));
  OK(wb_future_delete((wb_future_t){0}));
  OK(wb_pool_delete((wb_pool_t){0}));

  OK(wb_template_delete(tmpl));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("pool");
}
