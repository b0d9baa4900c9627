/* Time limits: one ticker thread for the whole library bumps the epoch of
 * every engine that has stores with a deadline or call timeout, once a
 * millisecond; each such store's epoch callback (crossing.c) then compares
 * the clock with its limits on its owner thread. No thread per store,
 * engines without timed stores are never ticked, and while no engine is
 * ticked the thread (named "wb-ticker") sleeps on a condition variable
 * instead of waking a CPU a thousand times a second.
 *
 * The ticker also watches the stores whose instances import shared
 * memories: a guest parked in memory.atomic.wait never reaches an epoch
 * check, so when such a store is in a call that should stop (an interrupt,
 * a passed deadline or call timeout) and has not stopped after a few
 * milliseconds, the ticker wakes every waiter of its shared memories
 * (wbd_wake_waiters, lifecycle/waits.c), again every WBD_REWAKE_NS, until
 * the call ends. */
#define _GNU_SOURCE /* pthread_setname_np */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "objects.h"

#define WBD_TICK_NS 1000000L
#define WBD_STUCK_NS 5000000ull  /* a stop not taken after this long: wake the waiters */
#define WBD_REWAKE_NS 20000000ull

void (*wbd_wake_waiters)(void *shared_memory);

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
  if (attn & WBD_ATTN_ASYNC) return wbd_async_refuse_sync(s); /* async stores: call futures only */
  return wbd_call_begin_checks(s);
}

wb_status_t wbd_call_begin_checks(wbd_store_t *s) {
  uint32_t attn = atomic_load_explicit(&s->attention, memory_order_relaxed);
  if ((attn & WBD_ATTN_INTERRUPT) && (wbd_attention_clear(s, WBD_ATTN_INTERRUPT) & WBD_ATTN_INTERRUPT)) {
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

/* Whether the store must stop now (an interrupt, or a time limit passed);
 * sets the flag wbd_fail_call reads, and says why in *why. */
int wbd_store_must_stop(wbd_store_t *s, const char **why) {
  if (wbd_attention_clear(s, WBD_ATTN_INTERRUPT) & WBD_ATTN_INTERRUPT) {
    s->interrupt_fired = 1;
    *why = "wasm execution interrupted by wb_store_interrupt";
    return 1;
  }
  if (s->timed) {
    uint64_t now = wbd_now_ns();
    if ((s->deadline_ns && now >= s->deadline_ns) || (s->call_deadline_ns && now >= s->call_deadline_ns)) {
      s->deadline_fired = 1;
      *why = "wasm execution interrupted: time limit reached";
      return 1;
    }
  }
  return 0;
}

/* The ticker's engines: each entry holds a reference on the engine. */
static pthread_mutex_t ticker_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ticker_work = PTHREAD_COND_INITIALIZER; /* nticked became non-zero */
static uint64_t *ticked_ids;
static wbd_engine_t **ticked;
static size_t nticked, capticked;
static int ticker_running;
/* stores with shared memories (each entry stays valid until wbd_store_fini
 * takes it off, under ticker_lock) and whether one of them needs looking at */
static wbd_store_t **watched;
static size_t nwatched, capwatched;
static int watch_pending;

/* Whether a watched store is in a call that should stop. Reads what the
 * owner thread writes, racily but harmlessly: a stale value delays the
 * wake by a tick. */
static int wants_stop(wbd_store_t *s, uint64_t now) {
  if (__atomic_load_n(&s->depth, __ATOMIC_RELAXED) <= 0) return 0;
  if (atomic_load_explicit(&s->attention, memory_order_relaxed) & WBD_ATTN_INTERRUPT) return 1;
  if (!__atomic_load_n(&s->timed, __ATOMIC_RELAXED)) return 0;
  uint64_t d = __atomic_load_n(&s->deadline_ns, __ATOMIC_RELAXED);
  uint64_t c = __atomic_load_n(&s->call_deadline_ns, __ATOMIC_RELAXED);
  return (d && now >= d) || (c && now >= c);
}

/* Wakes the waiters of watched stores that should stop but have not (ticker
 * lock held); returns whether any still needs watching closely. */
static int wake_stuck(void) {
  int again = 0;
  uint64_t now = wbd_now_ns();
  for (size_t i = 0; i < nwatched; i++) {
    wbd_store_t *s = watched[i];
    if (!wants_stop(s, now)) {
      s->stuck_since_ns = 0;
      continue;
    }
    again = 1;
    if (!s->stuck_since_ns) s->stuck_since_ns = now;
    if (now - s->stuck_since_ns < WBD_STUCK_NS || now - s->woken_ns < WBD_REWAKE_NS) continue;
    for (uint32_t k = 0; k < s->nshared && wbd_wake_waiters; k++) wbd_wake_waiters(s->shared_objs[k]);
    s->woken_ns = wbd_now_ns();
  }
  return again;
}

static void *ticker_main(void *arg) {
  (void)arg;
  struct timespec tick = {0, WBD_TICK_NS};
  pthread_setname_np(pthread_self(), "wb-ticker");
  pthread_mutex_lock(&ticker_lock);
  for (;;) {
    while (nticked == 0 && !watch_pending) pthread_cond_wait(&ticker_work, &ticker_lock);
    pthread_mutex_unlock(&ticker_lock);
    nanosleep(&tick, 0);
    pthread_mutex_lock(&ticker_lock);
    watch_pending = nwatched ? wake_stuck() : 0;
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

/* Starts the ticker thread if it is not running (ticker lock held). */
static wb_status_t ensure_ticker(void) {
  if (ticker_running) return WB_OK;
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  wb_status_t st = WB_OK;
  if (pthread_create(&t, &attr, ticker_main, 0) == 0) ticker_running = 1;
  else st = wbi_fail(WB_ERR_NO_MEMORY, "cannot start the deadline ticker thread");
  pthread_attr_destroy(&attr);
  return st;
}

wb_status_t wbd_store_add_shared(wbd_store_t *s, uint64_t id, void *obj) {
  for (uint32_t k = 0; k < s->nshared; k++)
    if (s->shared_ids[k] == id) return WB_OK;
  wb_status_t st = WB_OK;
  pthread_mutex_lock(&ticker_lock);
  uint64_t *ids = realloc(s->shared_ids, (s->nshared + 1) * sizeof *ids);
  if (ids) s->shared_ids = ids;
  void **objs = ids ? realloc(s->shared_objs, (s->nshared + 1) * sizeof *objs) : 0;
  if (objs) s->shared_objs = objs;
  if (!ids || !objs) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  if (st == WB_OK && !s->watched && nwatched == capwatched) {
    size_t cap = capwatched ? capwatched * 2 : 8;
    wbd_store_t **w = realloc(watched, cap * sizeof *w);
    if (w) {
      watched = w;
      capwatched = cap;
    } else {
      st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
    }
  }
  if (st == WB_OK) st = ensure_ticker();
  if (st == WB_OK) {
    wbh_retain(id);
    s->shared_ids[s->nshared] = id;
    s->shared_objs[s->nshared++] = obj;
    if (!s->watched) watched[nwatched++] = s;
    s->watched = true;
  }
  pthread_mutex_unlock(&ticker_lock);
  return st;
}

void wbd_ticker_poke(void) {
  pthread_mutex_lock(&ticker_lock);
  watch_pending = 1;
  pthread_cond_signal(&ticker_work);
  pthread_mutex_unlock(&ticker_lock);
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
  if (st == WB_OK) st = ensure_ticker();
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
  if (want) wbd_attention_set(s, WBD_ATTN_TIMED);
  else wbd_attention_clear(s, WBD_ATTN_TIMED);
  return WB_OK;
}

/* Epoch yields of an async store (async.c): while on, the store counts as
 * timed for its engine, so that the ticker moves the epoch every tick. */
wb_status_t wbd_async_epoch_ticks(wbd_store_t *s, bool on) {
  if (on == s->async_epoch_yield) return WB_OK;
  if (on) {
    atomic_fetch_add(&s->engine->timed_stores, 1);
    wb_status_t st = start_ticking(s);
    if (st) {
      atomic_fetch_sub(&s->engine->timed_stores, 1);
      return st;
    }
  } else {
    atomic_fetch_sub(&s->engine->timed_stores, 1);
  }
  s->async_epoch_yield = on;
  return WB_OK;
}

void wbd_store_fini(wbd_store_t *s) {
  s->deadline_ns = s->call_timeout_ns = 0;
  update_timed(s);
  wbd_async_epoch_ticks(s, false);
  if (s->watched) {
    pthread_mutex_lock(&ticker_lock);
    for (size_t i = 0; i < nwatched; i++)
      if (watched[i] == s) {
        watched[i] = watched[--nwatched];
        break;
      }
    s->watched = false;
    pthread_mutex_unlock(&ticker_lock);
  }
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
  if (s->depth == 0 && !s->async_future) s->call_deadline_ns = 0; /* an unfinished call future is in progress */
  return update_timed(s);
}

wb_status_t wb_store_set_deadline(wb_store_t store, uint64_t ms) {
  wbd_store_t *s = 0;
  wb_status_t st = timed_store(store, ms, &s);
  if (st) return st;
  s->deadline_ns = ms ? wbd_now_ns() + ms * 1000000ull : 0;
  return update_timed(s);
}
