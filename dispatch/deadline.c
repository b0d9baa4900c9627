/* Time limits: one ticker thread for the whole library bumps the epoch of
 * every engine that has stores with a deadline or call timeout, once a
 * millisecond; each such store's epoch callback (crossing.c) then compares
 * the clock with its limits on its owner thread. No thread per store,
 * engines without timed stores are never ticked, and while no engine is
 * ticked the thread (named "wb-ticker") sleeps on a condition variable
 * instead of waking a CPU a thousand times a second. */
#define _GNU_SOURCE /* pthread_setname_np */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "objects.h"

#define WBD_TICK_NS 1000000L

uint64_t wbd_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

wb_status_t wbd_fail_deadline(wbd_store_t *s) {
  (void)s;
  atomic_fetch_add_explicit(&wbd_interrupts, 1, memory_order_relaxed);
  wb_status_t st = wbi_fail(WB_ERR_INTERRUPTED, "the store's deadline has passed (wb_store_set_deadline)");
  wbi_set_trap_code(WB_TRAP_INTERRUPT);
  return st;
}

wb_status_t wbd_call_begin_slow(wbd_store_t *s) {
  uint32_t attn = atomic_load_explicit(&s->attention, memory_order_relaxed);
  if ((attn & WBD_ATTN_INTERRUPT) &&
      (atomic_fetch_and(&s->attention, ~WBD_ATTN_INTERRUPT) & WBD_ATTN_INTERRUPT)) {
    atomic_fetch_add_explicit(&wbd_interrupts, 1, memory_order_relaxed);
    wb_status_t st = wbi_fail(WB_ERR_INTERRUPTED, "interrupted by wb_store_interrupt before the call started");
    wbi_set_trap_code(WB_TRAP_INTERRUPT);
    return st;
  }
  if (s->timed && s->depth == 0) {
    uint64_t now = wbd_now_ns();
    if (s->deadline_ns && now >= s->deadline_ns) return wbd_fail_deadline(s);
    s->call_deadline_ns = s->call_timeout_ns ? now + s->call_timeout_ns : 0;
  }
  return WB_OK;
}

/* The ticker's engines: each entry holds a reference on the engine. */
static pthread_mutex_t ticker_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ticker_work = PTHREAD_COND_INITIALIZER; /* nticked became non-zero */
static uint64_t *ticked_ids;
static wbd_engine_t **ticked;
static size_t nticked, capticked;
static int ticker_running;

static void *ticker_main(void *arg) {
  (void)arg;
  struct timespec tick = {0, WBD_TICK_NS};
  pthread_setname_np(pthread_self(), "wb-ticker");
  pthread_mutex_lock(&ticker_lock);
  for (;;) {
    while (nticked == 0) pthread_cond_wait(&ticker_work, &ticker_lock);
    pthread_mutex_unlock(&ticker_lock);
    nanosleep(&tick, 0);
    pthread_mutex_lock(&ticker_lock);
    for (size_t i = 0; i < nticked;) {
      wbd_engine_t *e = ticked[i];
      if (atomic_load(&e->timed_stores) > 0) {
        wasmtime_engine_increment_epoch(e->engine);
        i++;
        continue;
      }
      /* no timed stores left: drop it (and our reference) */
      uint64_t id = ticked_ids[i];
      atomic_store(&e->ticked, 0);
      ticked[i] = ticked[nticked - 1];
      ticked_ids[i] = ticked_ids[nticked - 1];
      nticked--;
      pthread_mutex_unlock(&ticker_lock);
      wbh_release(id);
      pthread_mutex_lock(&ticker_lock);
    }
  }
  return 0;
}

/* Puts the store's engine on the ticker (the store holds an engine reference,
 * so retaining one more is safe). */
static wb_status_t start_ticking(wbd_store_t *s) {
  wbd_engine_t *e = s->engine;
  if (!e->epoch_interruption)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "deadlines need an engine with epoch_interruption (the default)");
  wb_status_t st = WB_OK;
  pthread_mutex_lock(&ticker_lock);
  if (!atomic_load(&e->ticked)) {
    if (nticked == capticked) {
      size_t cap = capticked ? capticked * 2 : 8;
      uint64_t *ids = realloc(ticked_ids, cap * sizeof *ids);
      if (ids) ticked_ids = ids;
      wbd_engine_t **es = realloc(ticked, cap * sizeof *es);
      if (es) ticked = es;
      if (!ids || !es) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the deadline ticker");
      else capticked = cap;
    }
    if (st == WB_OK) {
      wbh_retain(s->engine_id);
      ticked[nticked] = e;
      ticked_ids[nticked++] = s->engine_id;
      atomic_store(&e->ticked, 1);
      pthread_cond_signal(&ticker_work);
    }
  }
  if (st == WB_OK && !ticker_running) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, ticker_main, 0) == 0) ticker_running = 1;
    else st = wbi_fail(WB_ERR_NO_MEMORY, "cannot start the deadline ticker thread");
    pthread_attr_destroy(&attr);
  }
  pthread_mutex_unlock(&ticker_lock);
  return st;
}

static wb_status_t update_timed(wbd_store_t *s) {
  int want = s->deadline_ns || s->call_timeout_ns;
  if (want && !s->timed) {
    atomic_fetch_add(&s->engine->timed_stores, 1);
    wb_status_t st = start_ticking(s);
    if (st) {
      atomic_fetch_sub(&s->engine->timed_stores, 1);
      s->deadline_ns = s->call_timeout_ns = 0;
      return st;
    }
  } else if (!want && s->timed) {
    atomic_fetch_sub(&s->engine->timed_stores, 1);
  }
  s->timed = want;
  if (want) atomic_fetch_or(&s->attention, WBD_ATTN_TIMED);
  else atomic_fetch_and(&s->attention, ~WBD_ATTN_TIMED);
  return WB_OK;
}

void wbd_store_fini(wbd_store_t *s) {
  s->deadline_ns = s->call_timeout_ns = 0;
  update_timed(s);
}

static wb_status_t timed_store(wb_store_t store, uint64_t ms, wbd_store_t **out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (ms > UINT64_C(1) << 40) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%llu ms is too long", (unsigned long long)ms);
  *out = wbd_store_of(ss);
  return WB_OK;
}

wb_status_t wb_store_set_call_timeout(wb_store_t store, uint64_t ms) {
  wbd_store_t *s = 0;
  wb_status_t st = timed_store(store, ms, &s);
  if (st) return st;
  s->call_timeout_ns = ms * 1000000ull;
  /* the next outermost call arms its own budget; an old one must not
   * outlive the setting (a call in progress keeps the budget it started with) */
  if (s->depth == 0) s->call_deadline_ns = 0;
  return update_timed(s);
}

wb_status_t wb_store_set_deadline(wb_store_t store, uint64_t ms) {
  wbd_store_t *s = 0;
  wb_status_t st = timed_store(store, ms, &s);
  if (st) return st;
  s->deadline_ns = ms ? wbd_now_ns() + ms * 1000000ull : 0;
  return update_timed(s);
}
