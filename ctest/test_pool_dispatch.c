/* Pool dispatch for servers (issue 18 items 1 and 2): batch submission,
 * completion callbacks, the pool's eventfd, and an idle pool that uses no
 * CPU although its workers spin for work between calls. Every assertion is
 * about behaviour (counts, results, statuses), except the idle test, which
 * bounds the CPU time an idle pool may use. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char *ADD =
    "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)"
    " (func (export \"spin\") (loop $l (br $l))))";

static wb_engine_t engine;
static wb_template_t tmpl;

static wb_pool_t new_pool(uint32_t workers, uint32_t capacity) {
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = workers;
  cfg.queue_capacity = capacity;
  wb_pool_t p;
  OK(wb_pool_new(engine, tmpl, &cfg, &p));
  return p;
}

/* ---- batches -------------------------------------------------------------------------- */

static void batch(void) {
  wb_pool_t p = new_pool(2, 256);
  uint32_t add;
  OK(wb_pool_func_index(p, "add", &add));
  enum { N = 200 };
  static wb_val_t args[2 * N];
  static wb_future_t fs[N];
  for (int i = 0; i < N; i++) {
    args[2 * i] = val_i32(i);
    args[2 * i + 1] = val_i32(1000);
  }
  OK(wb_pool_submit_batch(p, add, args, 2, N, true, fs));
  for (int i = 0; i < N; i++) {
    wb_val_t r;
    OK(wb_future_wait(fs[i], UINT64_MAX, &r, 1));
    CHECK(r.of.i32 == i + 1000);
    OK(wb_future_delete(fs[i]));
  }
  /* all or none: a bad argument in the middle queues nothing */
  args[2 * 50 + 1].kind = WB_I64;
  wb_pool_stats_t before = WB_POOL_STATS_INIT, after = WB_POOL_STATS_INIT;
  OK(wb_pool_stats_get(p, &before));
  EXPECT(wb_pool_submit_batch(p, add, args, 2, N, true, fs), WB_ERR_TYPE_MISMATCH, "batch");
  CHECK(fs[0].id == 0 && fs[N - 1].id == 0);
  OK(wb_pool_stats_get(p, &after));
  CHECK(after.submitted == before.submitted);
  args[2 * 50 + 1].kind = WB_I32;
  OK(wb_pool_delete(p));

  /* without block, a batch that does not fit now is refused whole */
  p = new_pool(1, 4);
  uint32_t spin;
  OK(wb_pool_func_index(p, "spin", &spin));
  OK(wb_pool_func_index(p, "add", &add));
  wb_future_t running, queued[3];
  OK(wb_pool_submit(p, spin, NULL, 0, true, &running));
  for (;;) { /* until the worker took it */
    OK(wb_pool_stats_get(p, &before));
    if (before.queue_depth == 0) break;
    usleep(1000);
  }
  OK(wb_pool_submit_batch(p, add, args, 2, 3, false, queued)); /* 3 of 4 places */
  EXPECT(wb_pool_submit_batch(p, add, args, 2, 2, false, fs), WB_ERR_BUSY, "full");
  OK(wb_pool_stats_get(p, &after));
  CHECK(after.queue_depth == 3);
  OK(wb_future_cancel(running));
  EXPECT(wb_future_wait(running, UINT64_MAX, NULL, 0), WB_ERR_INTERRUPTED, "");
  for (int i = 0; i < 3; i++) {
    wb_val_t r;
    OK(wb_future_wait(queued[i], UINT64_MAX, &r, 1));
    CHECK(r.of.i32 == i + 1000);
    OK(wb_future_delete(queued[i]));
  }
  OK(wb_future_delete(running));
  OK(wb_pool_delete(p));
}

/* ---- callbacks ------------------------------------------------------------------------ */

typedef struct seen {
  _Atomic int calls;
  _Atomic int status;
  pthread_t thread;
} seen_t;

static void record(void *user, wb_status_t status) {
  seen_t *s = user;
  s->thread = pthread_self();
  atomic_store(&s->status, (int)status);
  atomic_fetch_add(&s->calls, 1);
}

static wb_future_t waiting_on;
static _Atomic int seen_in_callback = -1;

static void wait_in_callback(void *user, wb_status_t status) {
  (void)user, (void)status;
  wb_val_t r;
  atomic_store(&seen_in_callback, (int)wb_future_wait(waiting_on, UINT64_MAX, &r, 1));
}

static void callbacks(void) {
  wb_pool_t p = new_pool(1, 16);
  uint32_t add, spin;
  OK(wb_pool_func_index(p, "add", &add));
  OK(wb_pool_func_index(p, "spin", &spin));
  wb_val_t args[2] = {val_i32(2), val_i32(3)}, r;

  /* registered before completion: runs once, on another thread (the worker) */
  wb_future_t running, f;
  seen_t a = {0}, b = {0}, c = {0}, d = {0};
  OK(wb_pool_submit(p, spin, NULL, 0, true, &running));
  OK(wb_pool_submit(p, add, args, 2, true, &f));
  OK(wb_future_on_complete(f, record, &a));
  OK(wb_future_on_complete(running, record, &d));
  CHECK(atomic_load(&a.calls) == 0); /* the worker is busy spinning */
  OK(wb_future_cancel(running));
  OK(wb_future_wait(f, UINT64_MAX, &r, 1));
  CHECK(r.of.i32 == 5);
  while (atomic_load(&a.calls) == 0) usleep(100); /* it runs right after the result is out */
  CHECK(atomic_load(&a.status) == WB_OK);
  CHECK(!pthread_equal(a.thread, pthread_self()));
  EXPECT(wb_future_wait(running, UINT64_MAX, NULL, 0), WB_ERR_INTERRUPTED, "");
  while (atomic_load(&d.calls) == 0) usleep(100);
  CHECK(atomic_load(&d.status) == WB_ERR_INTERRUPTED);
  OK(wb_future_delete(running));

  /* registered after completion: at once, on this thread */
  EXPECT(wb_future_on_complete(f, record, &b), WB_ERR_BUSY, "already");
  wb_future_t g;
  OK(wb_pool_submit(p, add, args, 2, true, &g));
  OK(wb_future_wait(g, UINT64_MAX, &r, 1));
  OK(wb_future_on_complete(g, record, &b));
  CHECK(atomic_load(&b.calls) == 1 && pthread_equal(b.thread, pthread_self()));

  /* a callback that waits on a future of its own pool is refused: here it
   * runs inside wb_future_cancel, and the call it would wait for is queued
   * behind an endless one */
  wb_future_t q1, w;
  OK(wb_pool_submit(p, spin, NULL, 0, true, &running));
  OK(wb_pool_submit(p, add, args, 2, true, &q1));
  OK(wb_pool_submit(p, add, args, 2, true, &w));
  waiting_on = w;
  OK(wb_future_on_complete(q1, wait_in_callback, NULL));
  OK(wb_future_cancel(q1));
  CHECK(atomic_load(&seen_in_callback) == WB_ERR_WRONG_THREAD);
  OK(wb_future_cancel(running));
  OK(wb_future_wait(w, UINT64_MAX, &r, 1));
  CHECK(r.of.i32 == 5);
  OK(wb_future_delete(q1));
  OK(wb_future_delete(w));
  OK(wb_future_delete(running));

  /* a queued call cancelled before it runs: the callback says so, once */
  wb_future_t h;
  OK(wb_pool_submit(p, spin, NULL, 0, true, &running));
  OK(wb_pool_submit(p, add, args, 2, true, &h));
  OK(wb_future_on_complete(h, record, &c));
  OK(wb_future_delete(h)); /* the callback still runs */
  OK(wb_pool_delete(p));   /* cancels both */
  CHECK(atomic_load(&c.calls) == 1 && atomic_load(&c.status) == WB_ERR_INTERRUPTED);
  CHECK(atomic_load(&a.calls) == 1 && atomic_load(&d.calls) == 1);
  OK(wb_future_delete(running));
  OK(wb_future_delete(f));
  OK(wb_future_delete(g));
}

static int fcntl_closed(int fd) { return fcntl(fd, F_GETFD) < 0 && errno == EBADF; }

/* ---- the eventfd: no notification lost ----------------------------------------------- */

#define SUBMITTERS 4
#define CALLS_EACH 25000 /* 100,000 in all */

static wb_pool_t tp;
static uint32_t tp_add;
static _Atomic uint64_t callbacks_run, wrong_results;

static void count_completion(void *user, wb_status_t status) {
  (void)user;
  if (status != WB_OK) atomic_fetch_add(&wrong_results, 1);
  atomic_fetch_add(&callbacks_run, 1);
}

static void *submitter(void *arg) {
  intptr_t me = (intptr_t)arg;
  for (int i = 0; i < CALLS_EACH; i++) {
    wb_val_t args[2] = {val_i32((int32_t)me), val_i32(i)};
    wb_future_t f;
    OK(wb_pool_submit(tp, tp_add, args, 2, true, &f));
    if (i % 2) OK(wb_future_on_complete(f, count_completion, NULL));
    else { /* half of them also checked for their result */
      wb_val_t r;
      OK(wb_future_wait(f, UINT64_MAX, &r, 1));
      if (r.of.i32 != (int32_t)me + i) atomic_fetch_add(&wrong_results, 1);
      atomic_fetch_add(&callbacks_run, 1);
    }
    OK(wb_future_delete(f));
  }
  return 0;
}

static void eventfd_counts_every_completion(void) {
  tp = new_pool(2, 1024);
  OK(wb_pool_func_index(tp, "add", &tp_add));
  int fd, fd2;
  OK(wb_pool_notify_fd(tp, &fd));
  OK(wb_pool_notify_fd(tp, &fd2));
  CHECK(fd >= 0 && fd == fd2);
  /* blocking calls are not futures: they do not count */
  wb_val_t args[2] = {val_i32(1), val_i32(2)}, r;
  OK(wb_pool_call_index(tp, tp_add, args, 2, &r, 1));
  uint64_t n = 0;
  CHECK(read(fd, &n, sizeof n) < 0 && errno == EAGAIN);

  pthread_t t[SUBMITTERS];
  for (intptr_t i = 0; i < SUBMITTERS; i++) CHECK(pthread_create(&t[i], 0, submitter, (void *)i) == 0);
  /* the loop side: sleep on the descriptor, add up what it counted */
  uint64_t counted = 0, want = (uint64_t)SUBMITTERS * CALLS_EACH;
  while (counted < want) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int k = poll(&pfd, 1, -1);
    CHECK(k == 1 || (k < 0 && errno == EINTR));
    if (k == 1 && read(fd, &n, sizeof n) == (ssize_t)sizeof n) counted += n;
  }
  for (int i = 0; i < SUBMITTERS; i++) CHECK(pthread_join(t[i], 0) == 0);
  CHECK(counted == want);
  CHECK(read(fd, &n, sizeof n) < 0 && errno == EAGAIN); /* not one too many */
  while (atomic_load(&callbacks_run) < want) usleep(1000);
  CHECK(atomic_load(&callbacks_run) == want);
  CHECK(atomic_load(&wrong_results) == 0);
  wb_pool_stats_t s = WB_POOL_STATS_INIT;
  OK(wb_pool_stats_get(tp, &s));
  CHECK(s.completed == want + 1);
  OK(wb_pool_delete(tp));
  /* the pool closed its descriptor */
  CHECK(fcntl_closed(fd));
}

/* ---- every call completes once, also under cancels and a cancelling delete ---------- */

#define RACERS 4
#define RACE_EACH 2000

static wb_pool_t rp;
static uint32_t rp_add, rp_spin;
static _Atomic int race_seen[RACERS * RACE_EACH];
static _Atomic int race_interrupted;

static void mark_once(void *user, wb_status_t status) {
  atomic_fetch_add(&race_seen[(intptr_t)user], 1);
  if (status == WB_ERR_INTERRUPTED) atomic_fetch_add(&race_interrupted, 1);
}

static void *racer(void *arg) {
  intptr_t me = (intptr_t)arg;
  unsigned seed = (unsigned)me * 7919u + 1;
  for (int i = 0; i < RACE_EACH; i++) {
    intptr_t k = me * RACE_EACH + i;
    seed = seed * 1103515245u + 12345u;
    wb_val_t args[2] = {val_i32(1), val_i32(2)};
    wb_future_t f;
    int spin = (seed >> 16) % 50 == 0; /* now and then a call that only a cancel ends */
    OK(wb_pool_submit(rp, spin ? rp_spin : rp_add, args, spin ? 0 : 2, true, &f));
    OK(wb_future_on_complete(f, mark_once, (void *)k));
    if (spin || (seed >> 8) % 4 == 0) OK(wb_future_cancel(f));
    OK(wb_future_delete(f));
  }
  return 0;
}

static void every_completion_once(void) {
  rp = new_pool(2, 64);
  OK(wb_pool_func_index(rp, "add", &rp_add));
  OK(wb_pool_func_index(rp, "spin", &rp_spin));
  int fd;
  OK(wb_pool_notify_fd(rp, &fd));
  pthread_t t[RACERS];
  for (intptr_t i = 0; i < RACERS; i++) CHECK(pthread_create(&t[i], 0, racer, (void *)i) == 0);
  for (int i = 0; i < RACERS; i++) CHECK(pthread_join(t[i], 0) == 0);
  /* some calls may still be queued or running: the delete cancels them, and
   * their callbacks have run when it returns */
  uint64_t counted = 0, n;
  while (read(fd, &n, sizeof n) == (ssize_t)sizeof n) counted += n;
  OK(wb_pool_delete(rp));
  for (int k = 0; k < RACERS * RACE_EACH; k++) CHECK(atomic_load(&race_seen[k]) == 1);
  CHECK(atomic_load(&race_interrupted) > 0);
  CHECK(counted <= (uint64_t)RACERS * RACE_EACH);
}

/* ---- an idle pool --------------------------------------------------------------------- */

static double cpu_seconds(void) {
  struct rusage ru;
  CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void idle_pool_sleeps(void) {
  wb_pool_t p = new_pool(4, 64);
  wb_val_t args[2] = {val_i32(1), val_i32(2)}, r;
  for (int i = 0; i < 2000; i++) OK(wb_pool_call(p, "add", args, 2, &r, 1)); /* the spins have adapted */
  usleep(50 * 1000);                                                          /* past any spin */
  double c0 = cpu_seconds();
  struct timespec two = {2, 0};
  while (nanosleep(&two, &two) != 0) {
  }
  double used = cpu_seconds() - c0;
  printf("idle pool (4 workers): %.2f ms of CPU over 2 s\n", used * 1e3);
  CHECK(used < 0.02); /* < 1% of 2 s, for the whole process */
  OK(wb_pool_call(p, "add", args, 2, &r, 1));
  CHECK(r.of.i32 == 3);
  OK(wb_pool_delete(p));
}

int main(void) {
  OK(wb_engine_new(NULL, &engine));
  wb_module_t m = compile_wat(engine, ADD);
  wb_linker_t l;
  OK(wb_linker_new(engine, &l));
  OK(wb_template_new(l, m, &tmpl));
  OK(wb_linker_delete(l));
  batch();
  callbacks();
  eventfd_counts_every_completion();
  every_completion_once();
  idle_pool_sleeps();
  OK(wb_template_delete(tmpl));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  printf("pool_dispatch: batches, callbacks, 100000 notifications, every completion once under cancels, idle pool: ok\n");
  return 0;
}
