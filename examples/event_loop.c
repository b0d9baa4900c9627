/* A single-threaded epoll loop that serves many wasm calls through a pool
 * without ever blocking on one: it submits without waiting, sleeps in
 * epoll_wait on the pool's eventfd (wb_pool_notify_fd) next to its other
 * descriptors (here a timer), and collects results as they complete.
 *
 * Completion callbacks (wb_future_on_complete) run on the pool's workers;
 * this one only appends the finished request's slot to a list under a
 * mutex, and the eventfd then wakes the loop to take the list. The same
 * shape fits libuv (uv_poll_t on the descriptor) or asio
 * (posix::stream_descriptor). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <wasmbound.h>

#define CALLS 1000
#define IN_FLIGHT 64

static const char *WAT =
    "(module (func $fib (export \"fib\") (param i32) (result i32)"
    "  (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))"
    "    (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))"
    "                   (call $fib (i32.sub (local.get 0) (i32.const 2))))))))";

typedef struct slot {
  wb_future_t future;
  int32_t n;
  int busy;
} slot_t;

static slot_t slots[IN_FLIGHT];
/* finished slots, appended by the callbacks (on worker threads) */
static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static int done_list[IN_FLIGHT], ndone;

static void on_done(void *user, wb_status_t status) {
  (void)status; /* the loop reads the outcome from the future */
  pthread_mutex_lock(&done_mu);
  done_list[ndone++] = (int)(intptr_t)user;
  pthread_mutex_unlock(&done_mu);
}

static int32_t fib(int32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int fail(const char *what, wb_status_t st) {
  fprintf(stderr, "%s: %s: %s\n", what, wb_status_name(st), wb_last_error());
  return 1;
}

int main(void) {
  wb_engine_t engine;
  wb_module_t module;
  wb_linker_t linker;
  wb_template_t tmpl;
  wb_pool_t pool;
  uint32_t fib_index;
  wb_pool_config_t cfg;
  wb_status_t st;
  if ((st = wb_engine_new(NULL, &engine)) ||
      (st = wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module)) ||
      (st = wb_linker_new(engine, &linker)) || (st = wb_template_new(linker, module, &tmpl)) ||
      (st = wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION)))
    return fail("setup", st);
  cfg.workers = 2;
  cfg.queue_capacity = IN_FLIGHT;
  if ((st = wb_pool_new(engine, tmpl, &cfg, &pool)) || (st = wb_pool_func_index(pool, "fib", &fib_index)))
    return fail("pool", st);

  /* the loop's descriptors: the pool's completions and a 1 ms timer (the
   * other work a real loop does: sockets, timers, signals) */
  int notify_fd, ep = epoll_create1(EPOLL_CLOEXEC);
  if ((st = wb_pool_notify_fd(pool, &notify_fd))) return fail("wb_pool_notify_fd", st);
  int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  struct itimerspec every_ms = {{0, 1000000}, {0, 1000000}};
  timerfd_settime(timer, 0, &every_ms, 0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = notify_fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, notify_fd, &ev);
  ev.data.fd = timer;
  epoll_ctl(ep, EPOLL_CTL_ADD, timer, &ev);

  int submitted = 0, served = 0, wrong = 0, wakeups = 0;
  uint64_t ticks = 0;
  while (served < CALLS) {
    /* keep the pool busy: submit into every free slot, never waiting */
    for (int i = 0; i < IN_FLIGHT && submitted < CALLS; i++) {
      if (slots[i].busy) continue;
      wb_val_t arg = {.kind = WB_I32, .of.i32 = 15 + submitted % 10};
      st = wb_pool_submit(pool, fib_index, &arg, 1, false, &slots[i].future);
      if (st == WB_ERR_BUSY) break; /* the queue is full: completions will make room */
      if (st) return fail("wb_pool_submit", st);
      slots[i].n = arg.of.i32;
      slots[i].busy = 1;
      if ((st = wb_future_on_complete(slots[i].future, on_done, (void *)(intptr_t)i))) return fail("on_complete", st);
      submitted++;
    }
    struct epoll_event got[2];
    int k = epoll_wait(ep, got, 2, -1);
    if (k < 0 && errno == EINTR) continue;
    wakeups++;
    for (int e = 0; e < k; e++) {
      uint64_t count;
      if (read(got[e].data.fd, &count, sizeof count) != (ssize_t)sizeof count) continue;
      if (got[e].data.fd == timer) ticks += count; /* the loop's other work */
    }
    /* take what completed; the results are already there (timeout 0) */
    int mine[IN_FLIGHT], n;
    pthread_mutex_lock(&done_mu);
    n = ndone;
    memcpy(mine, done_list, (size_t)n * sizeof *mine);
    ndone = 0;
    pthread_mutex_unlock(&done_mu);
    for (int j = 0; j < n; j++) {
      slot_t *s = &slots[mine[j]];
      wb_val_t r;
      st = wb_future_wait(s->future, 0, &r, 1);
      if (st || r.of.i32 != fib(s->n)) wrong++;
      wb_future_delete(s->future);
      s->busy = 0;
      served++;
    }
  }
  printf("event_loop: %d calls served, %d wrong, one thread, %d wake-ups, %llu timer ticks handled meanwhile\n",
         served, wrong, wakeups, (unsigned long long)ticks);
  close(timer);
  close(ep); /* the pool's descriptor leaves with the pool */
  wb_pool_delete(pool);
  wb_template_delete(tmpl);
  wb_linker_delete(linker);
  wb_module_delete(module);
  wb_engine_delete(engine);
  return wrong != 0;
}
