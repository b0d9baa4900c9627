/* Worker pools: the thread rule turned into a service. Each worker is a C
 * thread that owns one store and instance, made from a template, that no
 * other thread ever touches; any thread submits calls through a bounded
 * queue and gets the result back through a request it waits on.
 *
 * Locking: pool->lock guards the queue, the workers' current requests, the
 * shutdown state and the statistics. Each request has its own lock and
 * condition for its completion, so a future outlives its pool. A request is
 * reference counted: one reference for its waiter (a future handle or a
 * blocking call), one for the pool until it completes; while not completed
 * it also holds a reference on the pool's handle, which keeps the pool
 * object alive for anyone who needs its lock to cancel it.
 *
 * Every request completes exactly once, in complete(), under its own lock
 * and never under pool->lock (queued requests that are cancelled wait on
 * pool->cancelled until the lock is let go): completion runs the future's
 * callback and signals the pool's eventfd, and a callback may use the pool.
 *
 * Hand-off: waiters for a result and one idle worker at a time spin
 * briefly before they sleep (see "spinning before sleeping"); wake-ups go
 * only to sleepers, and a batch is queued under one lock with one wake-up.
 *
 * Cancellation (pthread_cancel of a thread inside these functions): every
 * function that takes a lock runs with cancellation disabled, except the
 * waits a caller may sit in for long (for a result, for room in the queue),
 * which restore the caller's state inside a cleanup handler that unlocks
 * and drops what the waiter held. A cancelled waiter leaves no lock held
 * and no reference behind. (Asynchronous cancellation is not supported.)
 *
 * A worker's thread may not wait for its own pool (a host function calling
 * wb_pool_call on the pool that runs it): it could be the only worker that
 * would ever run that call. Such waits are refused with WB_ERR_WRONG_THREAD. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "../lifecycle/lifecycle.h"

enum { REQ_QUEUED, REQ_RUNNING, REQ_DONE };

typedef struct pool pool_t;

typedef struct request {
  pthread_mutex_t mu;
  pthread_cond_t done_cv;
  _Atomic int refs;
  uint64_t pool_id;          /* the pool reference held until completion */
  pool_t *pool;
  struct request *next;      /* queue link, under pool->lock */
  int state;                 /* under pool->lock until REQ_DONE, then under mu */
  int cancel_requested;      /* under pool->lock */
  _Atomic int done;          /* written under mu; spinning waiters read it without */
  uint32_t parked;           /* under mu: waiters asleep on done_cv */
  int is_future;             /* made by a submit (a future), not a blocking call */
  wb_future_callback_t callback; /* under mu; taken by complete() */
  void *callback_user;
  int callback_set;          /* under mu: wb_future_on_complete was called once */
  uint32_t func_index, nargs, nresults;
  wb_val_t *args, *results;  /* one block */
  /* the outcome */
  wb_status_t status;
  wb_trap_code_t trap_code;
  int32_t exit_code;
  char *message;
} request_t;

typedef struct worker {
  pool_t *pool;
  pthread_t thread;
  uint64_t store;            /* owned by this worker's thread only */
  wb_func_t *funcs;          /* by export index; id 0 for non-functions */
  uint64_t calls;            /* since the last recycle */
  request_t *current;        /* under pool->lock */
  int starting;              /* under pool->lock: instantiating the template in `store` */
  wb_status_t start_status;
  char *start_error;
} worker_t;

typedef struct export {
  char *name;
  int is_func;
  uint32_t nparams, nresults;
  uint8_t *kinds;            /* params then results */
} export_t;

struct pool {
  pthread_mutex_t lock;
  pthread_cond_t work_cv, space_cv, ready_cv, joined_cv;
  request_t *head, *tail;
  uint32_t depth;
  wb_pool_config_t cfg;
  int shutting_down, cancelling, joining, joined;
  uint32_t started, alive;
  worker_t *workers;
  uint32_t nworkers;
  wbd_engine_t *engine;
  uint64_t engine_id, template_id; /* references held for the pool's life */
  void *template_obj;
  export_t *exports;
  uint32_t nexports;
  wb_pool_stats_t stats;
  uint32_t parked_workers;   /* under lock: workers asleep on work_cv */
  uint32_t space_waiters;    /* under lock: submitters asleep on space_cv */
  request_t *cancelled;      /* under lock: cancelled queued requests, completed once the lock is let go */
  _Atomic uint32_t spin_ns;  /* how long waiters spin for a result before they sleep (adaptive) */
  _Atomic int notify_fd;     /* the eventfd of wb_pool_notify_fd, or -1 */
  _Atomic int stopping;      /* shutting_down, for spinning workers */
  _Atomic int spinning_workers; /* 1 while an idle worker spins for work */
};

/* The pool whose worker this thread is, if any: its own shutdown would join itself. */
static __thread pool_t *tls_worker_of;
/* The pool whose completion callback this thread is running, if any: the
 * callback may run inside a cancel that completes several calls in turn,
 * so waiting there for another of them would wait for itself. */
static __thread pool_t *tls_callback_of;
/* How long this thread spins for a result before it sleeps (0: not yet adapted). */
static __thread uint32_t tls_wait_spin;

static int cancel_off(void) {
  int old = PTHREAD_CANCEL_DISABLE;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  return old;
}

static void cancel_restore(int old) { pthread_setcancelstate(old, 0); }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- spinning before sleeping ---------------------------------------------------------
 * A hand-off between two threads that both sleep costs two futex wakes and,
 * on a machine whose CPUs doze, tens of microseconds. So both sides spin
 * first, briefly and boundedly: a waiter for a result, a worker for its next
 * call. The spin adapts: it grows (up to SPIN_MAX_NS) while spinning pays
 * off and halves each time it does not, down to SPIN_MIN_NS; it never spins
 * on a single CPU. A worker with nothing to do sleeps after its spin, so an
 * idle pool uses no CPU. */
#define SPIN_MIN_NS 2000u
#define SPIN_MAX_NS 100000u
#define SPIN_START_NS 30000u

static int spin_allowed(void) {
  static _Atomic int cpus;
  int n = atomic_load_explicit(&cpus, memory_order_relaxed);
  if (!n) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    n = c > 1 ? (int)c : 1;
    atomic_store_explicit(&cpus, n, memory_order_relaxed);
  }
  return n > 1;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Spins until *word is non-zero or budget_ns passed; returns whether it got there. */
static int spin_until(const _Atomic int *word, const void *const *ptr, uint32_t budget_ns) {
  if (!budget_ns || !spin_allowed()) return 0;
  uint64_t until = now_ns() + budget_ns;
  for (;;) {
    for (int i = 0; i < 64; i++) {
      if (word && atomic_load_explicit(word, memory_order_acquire)) return 1;
      if (ptr && __atomic_load_n(ptr, __ATOMIC_ACQUIRE)) return 1;
      cpu_relax();
    }
    if (now_ns() >= until) return 0;
  }
}

/* The next budget after a spin that succeeded or not. */
static uint32_t spin_adapt(uint32_t ns, int won) {
  if (won) return ns + ns / 8 > SPIN_MAX_NS ? SPIN_MAX_NS : ns + ns / 8;
  return ns / 2 < SPIN_MIN_NS ? SPIN_MIN_NS : ns / 2;
}

/* ---- requests ------------------------------------------------------------------ */

static void request_unref(request_t *r) {
  if (atomic_fetch_sub(&r->refs, 1) != 1) return;
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->done_cv);
  free(r->message);
  free(r->args);
  free(r);
}

static void destroy_future(void *obj) { request_unref(obj); }

/* Records the outcome, wakes the waiters, runs the completion callback and
 * signals the pool's eventfd; drops the pool's references. Called exactly
 * once per request, without pool->lock (the callback may use the pool). */
static void complete(request_t *r, wb_status_t st, const char *message, wb_trap_code_t trap, int32_t exit_code) {
  uint64_t pool_id = r->pool_id;
  pool_t *p = r->pool;
  pthread_mutex_lock(&r->mu);
  r->status = st;
  r->trap_code = trap;
  r->exit_code = exit_code;
  r->message = st != WB_OK && message ? strdup(message) : 0;
  r->state = REQ_DONE;
  atomic_store_explicit(&r->done, 1, memory_order_release);
  if (r->parked) pthread_cond_broadcast(&r->done_cv);
  wb_future_callback_t cb = r->callback;
  void *user = r->callback_user;
  r->callback = 0;
  int is_future = r->is_future;
  pthread_mutex_unlock(&r->mu);
  if (cb) {
    pool_t *outer = tls_callback_of;
    tls_callback_of = p;
    cb(user, st);
    tls_callback_of = outer;
  }
  if (is_future) {
    int fd = atomic_load_explicit(&p->notify_fd, memory_order_acquire);
    uint64_t one = 1;
    /* an eventfd write fails only when the counter would overflow (it is then readable anyway) */
    if (fd >= 0 && write(fd, &one, sizeof one) < 0) {
    }
  }
  request_unref(r);
  wbh_release(pool_id);
}

static void count_outcome(pool_t *p, wb_status_t st) {
  if (st == WB_OK) p->stats.completed++;
  else {
    p->stats.failed++;
    if ((unsigned)st < 32) p->stats.failed_by_status[st]++;
  }
}

static void cancel_locked(pool_t *p, request_t *r, const char *why);
static void flush_cancelled(pool_t *p);

/* ---- workers ---------------------------------------------------------------------- */

/* The template's instantiation, start function included, runs under the
 * pool's start_timeout_ms and with fuel_per_call; a cancelling shutdown
 * interrupts it (the store is published under the lock first, so that
 * either the shutdown sees it or it sees the shutdown). */
static wb_status_t instantiate(worker_t *w, wb_store_t store) {
  pool_t *p = w->pool;
  wb_status_t st = WB_OK;
  if (p->cfg.memory_limit_bytes) {
    wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
    lim.memory_bytes = p->cfg.memory_limit_bytes;
    if ((st = wb_store_set_limits(store, &lim))) return st;
  }
  int timed = p->engine->epoch_interruption;
  uint64_t start_ms = p->cfg.start_timeout_ms > (UINT64_C(1) << 40) ? UINT64_C(1) << 40 : p->cfg.start_timeout_ms;
  if (timed && (st = wb_store_set_call_timeout(store, start_ms))) return st;
  if (p->cfg.fuel_per_call && (st = wb_store_set_fuel(store, p->cfg.fuel_per_call))) return st;
  wb_instance_t inst;
  st = wbl_template_instantiate(p->template_obj, store.id, &inst.id);
  if (st == WB_ERR_INTERRUPTED) {
    pthread_mutex_lock(&p->lock);
    int cancelled = p->cancelling;
    pthread_mutex_unlock(&p->lock);
    if (cancelled) return wbi_fail_prefix(st, "stopped because the pool was cancelled: ");
    char prefix[160];
    snprintf(prefix, sizeof prefix, "the start function ran past the pool's start_timeout_ms (%llu ms): ",
             (unsigned long long)start_ms);
    return wbi_fail_prefix(st, prefix);
  }
  if (st) return st;
  /* from now on the calls' own budget (0 removes the start's) */
  if (timed && (st = wb_store_set_call_timeout(store, p->cfg.call_timeout_ms))) return st;
  for (uint32_t i = 0; i < p->nexports; i++) {
    w->funcs[i].id = 0;
    if (p->exports[i].is_func && (st = wb_instance_get_func(inst, p->exports[i].name, &w->funcs[i]))) return st;
  }
  return WB_OK;
}

static wb_status_t start_instance(worker_t *w) {
  pool_t *p = w->pool;
  uint64_t id = 0;
  wb_status_t st = wbl_store_new(p->engine, p->engine_id, &id);
  if (st) return st;
  pthread_mutex_lock(&p->lock);
  w->store = id;
  w->starting = 1;
  int cancelled = p->cancelling;
  pthread_mutex_unlock(&p->lock);
  st = cancelled ? wbi_fail(WB_ERR_INTERRUPTED, "the pool was cancelled before this worker made its instance")
                 : instantiate(w, (wb_store_t){id});
  pthread_mutex_lock(&p->lock);
  w->starting = 0;
  pthread_mutex_unlock(&p->lock);
  w->calls = 0;
  return st;
}

static wb_status_t recycle(worker_t *w) {
  pool_t *p = w->pool;
  uint64_t old = w->store;
  pthread_mutex_lock(&p->lock);
  w->store = 0;
  p->stats.recycled++;
  pthread_mutex_unlock(&p->lock);
  wb_store_delete((wb_store_t){old});
  return start_instance(w);
}

static void run_request(worker_t *w, request_t *r) {
  pool_t *p = w->pool;
  uint64_t t0 = now_ns();
  wb_status_t st = WB_OK;
  if (p->cfg.fuel_per_call) st = wb_store_set_fuel((wb_store_t){w->store}, p->cfg.fuel_per_call);
  if (st == WB_OK) st = wb_func_call(w->funcs[r->func_index], r->args, r->nargs, r->results, r->nresults);
  int recycle_now = st == WB_ERR_TRAP || st == WB_ERR_INTERRUPTED || st == WB_ERR_OUT_OF_FUEL || st == WB_ERR_EXIT ||
                    st == WB_ERR_LIMIT;
  wb_trap_code_t trap = st ? wb_last_trap_code() : WB_TRAP_NONE;
  int32_t exit_code = st ? wb_last_exit_code() : -1;
  pthread_mutex_lock(&p->lock);
  /* a cancel may have left an interrupt pending for the next call: recycle */
  if (r->cancel_requested) recycle_now = 1;
  w->current = 0;
  count_outcome(p, st);
  p->stats.busy_ns += now_ns() - t0;
  pthread_mutex_unlock(&p->lock);
  complete(r, st, st ? wb_last_error() : 0, trap, exit_code);
  if (++w->calls >= p->cfg.recycle_after_calls && p->cfg.recycle_after_calls) recycle_now = 1;
  if (recycle_now) {
    wb_status_t rs = recycle(w);
    if (rs) { /* cannot make a fresh instance: this worker stops; the others go on */
      pthread_mutex_lock(&p->lock);
      w->start_status = rs;
      pthread_mutex_unlock(&p->lock);
    }
  }
}

static void *worker_main(void *arg) {
  worker_t *w = arg;
  pool_t *p = w->pool;
  tls_worker_of = p;
  wb_status_t st = start_instance(w);
  pthread_mutex_lock(&p->lock);
  w->start_status = st;
  if (st) w->start_error = strdup(wb_last_error());
  p->started++;
  if (st == WB_OK) p->alive++;
  pthread_cond_broadcast(&p->ready_cv);
  uint32_t spin = SPIN_START_NS;
  while (st == WB_OK && w->start_status == WB_OK) {
    int expect_none = 0;
    if (!p->head && !p->shutting_down &&
        atomic_compare_exchange_strong(&p->spinning_workers, &expect_none, 1)) {
      /* one idle worker at a time spins for the next call (lock-free
       * peeks), so that spinners never crowd out the workers that run
       * calls; then it sleeps like the others */
      pthread_mutex_unlock(&p->lock);
      int won = spin_until(&p->stopping, (const void *const *)&p->head, spin);
      spin = spin_adapt(spin, won);
      atomic_store(&p->spinning_workers, 0);
      pthread_mutex_lock(&p->lock);
    }
    if (!p->head && !p->shutting_down) {
      while (!p->head && !p->shutting_down) {
        p->parked_workers++;
        pthread_cond_wait(&p->work_cv, &p->lock);
        p->parked_workers--;
      }
    }
    request_t *r = p->head;
    if (!r) break; /* shutting down and nothing left */
    p->head = r->next;
    if (!p->head) p->tail = 0;
    p->depth--;
    r->state = REQ_RUNNING;
    w->current = r;
    if (p->space_waiters) pthread_cond_signal(&p->space_cv);
    pthread_mutex_unlock(&p->lock);
    run_request(w, r);
    pthread_mutex_lock(&p->lock);
  }
  int stopped_pool = 0;
  if (st == WB_OK && --p->alive == 0 && !p->shutting_down) {
    /* the last worker could not recycle its instance: nobody would ever run
     * what is queued, so the pool stops and says why */
    p->shutting_down = 1;
    atomic_store(&p->stopping, 1);
    while (p->head) cancel_locked(p, p->head, "cancelled: the pool's workers could not make fresh instances");
    pthread_cond_broadcast(&p->space_cv);
    stopped_pool = 1;
  }
  pthread_mutex_unlock(&p->lock);
  if (stopped_pool) flush_cancelled(p);
  if (w->store) wb_store_delete((wb_store_t){w->store});
  w->store = 0;
  return 0;
}

/* ---- the pool object ----------------------------------------------------------------- */

static void free_exports(pool_t *p) {
  for (uint32_t i = 0; i < p->nexports; i++) {
    free(p->exports[i].name);
    free(p->exports[i].kinds);
  }
  free(p->exports);
}

static void destroy_pool(void *obj) {
  pool_t *p = obj;
  for (uint32_t i = 0; i < p->nworkers; i++) {
    free(p->workers[i].funcs);
    free(p->workers[i].start_error);
  }
  free(p->workers);
  free_exports(p);
  if (atomic_load(&p->notify_fd) >= 0) close(atomic_load(&p->notify_fd));
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->work_cv);
  pthread_cond_destroy(&p->space_cv);
  pthread_cond_destroy(&p->ready_cv);
  pthread_cond_destroy(&p->joined_cv);
  uint64_t engine_id = p->engine_id, template_id = p->template_id;
  free(p);
  wbh_release(template_id);
  wbh_release(engine_id);
}

/* The template's exported functions and their kinds: from its module's
 * types (modinfo), since Wasmtime's C API aborts when it describes a tag
 * or a reference type beyond funcref and externref. */
static wb_status_t read_exports(pool_t *p) {
  const wbd_modinfo_t *info = wbl_template_info(p->template_obj);
  if (!info) {
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the template's module has no type information (deserialized from "
                                             "bytes that do not carry it; serialize with wb_module_serialize)");
  }
  p->exports = calloc(info->nexports + 1, sizeof *p->exports);
  wb_status_t st = p->exports ? WB_OK : wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  for (uint32_t i = 0; i < info->nexports && st == WB_OK; i++) {
    const wbd_import_t *x = &info->exports[i];
    export_t *e = &p->exports[p->nexports++];
    e->name = strndup(x->name, x->name_len);
    const wbd_type_t *ft = x->kind == WB_EXTERN_FUNC && x->index < info->nfuncs
                               ? wbd_modinfo_functype(info, info->funcs[x->index])
                               : 0;
    e->is_func = ft != 0;
    if (ft) {
      e->nparams = ft->nparams;
      e->nresults = ft->nresults;
      e->kinds = malloc(ft->nparams + ft->nresults + 1);
      for (uint32_t k = 0; e->kinds && k < ft->nparams + ft->nresults; k++) e->kinds[k] = ft->vals[k].kind;
    }
    if (!e->name || (e->is_func && !e->kinds)) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  }
  return st;
}

/* 1: 0.1.0; 2: 0.3.0 (start_timeout_ms) */
static const size_t pool_config_sizes[] = {0, offsetof(wb_pool_config_t, start_timeout_ms), sizeof(wb_pool_config_t)};
static const wbi_versioned_t pool_config_info = {"wb_pool_config_t", "wb_pool_config_init", WB_POOL_CONFIG_VERSION,
                                                 pool_config_sizes};
static const size_t pool_stats_sizes[] = {0, sizeof(wb_pool_stats_t)}; /* 1: 0.2.0 */
static const wbi_versioned_t pool_stats_info = {"wb_pool_stats_t", "WB_POOL_STATS_INIT", WB_POOL_STATS_VERSION,
                                                pool_stats_sizes};

static void pool_config_defaults(wb_pool_config_t *c) {
  memset(c, 0, sizeof *c);
  c->version = WB_POOL_CONFIG_VERSION;
  c->workers = 2;
  c->queue_capacity = 1024;
  c->start_timeout_ms = WB_POOL_DEFAULT_START_TIMEOUT_MS;
}

wb_status_t wb_pool_config_init(wb_pool_config_t *out, uint32_t version) {
  wb_pool_config_t d;
  pool_config_defaults(&d);
  return wbi_versioned_write(&pool_config_info, out, version, &d);
}

/* Interrupts the workers that are making their instances (pool->lock held). */
static void interrupt_starting(pool_t *p) {
  for (uint32_t i = 0; i < p->nworkers; i++)
    if (p->workers[i].starting && p->workers[i].store) wb_store_interrupt((wb_store_t){p->workers[i].store});
}

static void stop_workers(pool_t *p, uint32_t n) {
  pthread_mutex_lock(&p->lock);
  p->shutting_down = 1;
  atomic_store(&p->stopping, 1);
  p->cancelling = 1;
  interrupt_starting(p);
  pthread_cond_broadcast(&p->work_cv);
  pthread_mutex_unlock(&p->lock);
  for (uint32_t i = 0; i < n; i++) pthread_join(p->workers[i].thread, 0);
}

static wb_status_t pool_new(wb_engine_t engine, wb_template_t tmpl, const wb_pool_config_t *config, wb_pool_t *out);

wb_status_t wb_pool_new(wb_engine_t engine, wb_template_t tmpl, const wb_pool_config_t *config, wb_pool_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wb_pool_config_t cfg, defaults;
  pool_config_defaults(&defaults);
  wb_status_t vst = wbi_versioned_read(&pool_config_info, config, &defaults, &cfg, 0);
  if (vst) return vst;
  if (cfg.workers == 0 || cfg.workers > 256)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "config.workers is %u; it must be 1..256", cfg.workers);
  if (cfg.queue_capacity == 0 || cfg.queue_capacity > (1u << 24))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "config.queue_capacity is %u; it must be 1..16777216",
                    cfg.queue_capacity);
  if (cfg.start_timeout_ms == 0)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "config.start_timeout_ms is 0; it must be at least 1 (default %u)",
                    WB_POOL_DEFAULT_START_TIMEOUT_MS);
  int cancel_state = cancel_off(); /* every wait below is bounded */
  wb_status_t st = pool_new(engine, tmpl, &cfg, out);
  cancel_restore(cancel_state);
  return st;
}

static wb_status_t pool_new(wb_engine_t engine, wb_template_t tmpl, const wb_pool_config_t *config, wb_pool_t *out) {
  wb_pool_config_t cfg = *config;
  void *eobj, *tobj;
  wb_status_t st = wbh_acquire(engine.id, WBH_KIND_ENGINE, &eobj);
  if (st) return st;
  st = wbh_acquire(tmpl.id, WBH_KIND_TEMPLATE, &tobj);
  if (st) {
    wbh_release(engine.id);
    return st;
  }
  wbd_engine_t *e = eobj;
  if (wbl_template_engine_serial(tobj) != e->serial) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "the template belongs to another engine");
  else if (cfg.fuel_per_call && !e->consume_fuel) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "fuel_per_call needs an engine with consume_fuel");
  else if (cfg.call_timeout_ms && !e->epoch_interruption) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "call_timeout_ms needs an engine with epoch_interruption");
  pool_t *p = st ? 0 : calloc(1, sizeof *p);
  if (!st && !p) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a pool");
  if (st) {
    wbh_release(tmpl.id);
    wbh_release(engine.id);
    return st;
  }
  /* the two references taken above now belong to the pool */
  p->cfg = cfg;
  p->engine = e;
  p->engine_id = engine.id;
  p->template_id = tmpl.id;
  p->template_obj = tobj;
  atomic_init(&p->notify_fd, -1);
  pthread_mutex_init(&p->lock, 0);
  pthread_cond_init(&p->work_cv, 0);
  pthread_cond_init(&p->space_cv, 0);
  pthread_cond_init(&p->ready_cv, 0);
  pthread_cond_init(&p->joined_cv, 0);
  p->workers = calloc(cfg.workers, sizeof *p->workers);
  p->stats.workers = cfg.workers;
  st = p->workers ? read_exports(p) : wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  uint32_t launched = 0;
  for (; st == WB_OK && launched < cfg.workers; launched++) {
    worker_t *w = &p->workers[launched];
    w->pool = p;
    w->funcs = calloc(p->nexports + 1, sizeof *w->funcs);
    if (!w->funcs || pthread_create(&w->thread, 0, worker_main, w) != 0)
      st = wbi_fail(WB_ERR_NO_MEMORY, "cannot start worker thread %u", launched);
    if (st) break;
  }
  pthread_mutex_lock(&p->lock);
  p->nworkers = launched;
  pthread_mutex_unlock(&p->lock);
  if (st == WB_OK) { /* wait until every worker has its instance, or one failed (each is under start_timeout_ms) */
    pthread_mutex_lock(&p->lock);
    while (p->started < p->nworkers && p->alive == p->started) pthread_cond_wait(&p->ready_cv, &p->lock);
    for (uint32_t i = 0; i < p->nworkers && st == WB_OK; i++)
      if (p->workers[i].start_status)
        st = wbi_fail(p->workers[i].start_status, "pool worker %u could not instantiate the template: %s", i,
                      p->workers[i].start_error ? p->workers[i].start_error : "");
    pthread_mutex_unlock(&p->lock);
  }
  uint64_t id = 0;
  if (st == WB_OK) st = wbh_alloc(WBH_KIND_POOL, p, 0, &id);
  if (st) {
    stop_workers(p, launched);
    destroy_pool(p);
    return st;
  }
  out->id = id;
  return WB_OK;
}

/* ---- submitting ------------------------------------------------------------------------ */

static wb_status_t check_call(pool_t *p, uint32_t index, const wb_val_t *args, size_t nargs) {
  if (index >= p->nexports || !p->exports[index].is_func)
    return wbi_fail(WB_ERR_NOT_FOUND, "function index %u is not an exported function of the pool's module", index);
  const export_t *e = &p->exports[index];
  if (nargs != e->nparams)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "\"%s\" takes %u arguments; got %zu", e->name, e->nparams, nargs);
  if (nargs && !args) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "args is NULL with a non-zero count");
  for (size_t i = 0; i < e->nparams + e->nresults; i++) {
    uint8_t k = e->kinds[i];
    if (k > WB_V128)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "\"%s\" has a %s of a reference type: such values cannot cross into a pool's "
                                            "stores", e->name, i < e->nparams ? "parameter" : "result");
    if (i < nargs && (uint32_t)args[i].kind != k)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "argument %zu of \"%s\": expected kind %u, got %d", i, e->name, k,
                      (int)args[i].kind);
  }
  return WB_OK;
}

/* What a cancelled waiter leaves behind, for its cleanup handler. */
typedef struct waiter {
  pthread_mutex_t *locked; /* held when the handler runs */
  uint32_t *sleepers;      /* the count of sleepers this waiter was in, under `locked` */
  request_t **requests;    /* references to drop */
  size_t nrequests;
  int unqueued;            /* the requests were never queued: drop them whole (drop_unqueued) */
  uint64_t handle;         /* a handle acquired by the waiter (or 0) */
} waiter_t;

static void drop_unqueued(request_t **reqs, size_t n);

static void waiter_cancelled(void *arg) {
  waiter_t *w = arg;
  --*w->sleepers;
  pthread_mutex_unlock(w->locked);
  if (w->unqueued) drop_unqueued(w->requests, w->nrequests);
  else
    for (size_t i = 0; i < w->nrequests; i++) request_unref(w->requests[i]);
  if (w->handle) wbh_release(w->handle);
}

static wb_status_t refuse_own_worker(pool_t *p, const char *what) {
  (void)p;
  return wbi_fail(WB_ERR_WRONG_THREAD, "%s on one of the pool's own workers (a host function of a call it runs): the "
                  "wait could deadlock, since this worker may be the one that has to run the call; submit without "
                  "waiting (wb_pool_submit with block false, then wb_future_poll), or use another pool", what);
}

static wb_status_t make_requests(pool_t *p, uint64_t pool_id, uint32_t index, const wb_val_t *args, size_t nargs,
                                 size_t n, int is_future, request_t **reqs);
static wb_status_t enqueue(pool_t *p, request_t **reqs, size_t n, bool block, int cancel_state);

/* Queues ncalls calls of one function (the arguments of call i at
 * args[i * nargs]); on WB_OK each out[i] holds two references (the
 * waiter's and the pool's). want_results is SIZE_MAX for futures, else the
 * blocking caller's room. */
static wb_status_t submit_n(uint64_t pool_id, uint32_t index, const wb_val_t *args, size_t nargs, size_t ncalls,
                            bool block, size_t want_results, request_t **out) {
  void *obj;
  wb_status_t st = wbh_acquire(pool_id, WBH_KIND_POOL, &obj);
  if (st) return st;
  pool_t *p = obj;
  if (ncalls > p->cfg.queue_capacity)
    st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "a batch of %zu calls can never fit the pool's queue (capacity %u)", ncalls,
                  p->cfg.queue_capacity);
  for (size_t i = 0; i < ncalls && st == WB_OK; i++) {
    st = check_call(p, index, args ? args + i * nargs : 0, nargs);
    if (st && ncalls > 1) wbi_fail_prefix(st, i ? "a call of the batch: " : "the first call of the batch: ");
  }
  if (st == WB_OK && want_results != SIZE_MAX && want_results != p->exports[index].nresults)
    st = wbi_fail(WB_ERR_TYPE_MISMATCH, "\"%s\" returns %u results; got room for %zu", p->exports[index].name,
                  p->exports[index].nresults, want_results);
  if (st == WB_OK && want_results != SIZE_MAX && tls_worker_of == p) st = refuse_own_worker(p, "wb_pool_call");
  if (st) {
    wbh_release(pool_id);
    return st;
  }
  if ((st = make_requests(p, pool_id, index, args, nargs, ncalls, want_results == SIZE_MAX, out))) return st;
  int cancel_state = cancel_off();
  st = enqueue(p, out, ncalls, block, cancel_state);
  cancel_restore(cancel_state);
  return st;
}

static wb_status_t submit(uint64_t pool_id, uint32_t index, const wb_val_t *args, size_t nargs, bool block,
                          size_t want_results, request_t **out) {
  return submit_n(pool_id, index, args, nargs, 1, block, want_results, out);
}

/* Drops requests that were never queued: both their references and the pool reference each holds. */
static void drop_unqueued(request_t **reqs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint64_t pool_id = reqs[i]->pool_id;
    atomic_store(&reqs[i]->refs, 1);
    request_unref(reqs[i]);
    wbh_release(pool_id);
  }
}

/* Makes n requests for one function, the arguments of request i at
 * args[i * nargs]; each holds a pool reference (the one the caller acquired
 * becomes the first's). On failure nothing is left and that reference is released. */
static wb_status_t make_requests(pool_t *p, uint64_t pool_id, uint32_t index, const wb_val_t *args, size_t nargs,
                                 size_t n, int is_future, request_t **reqs) {
  uint32_t nresults = p->exports[index].nresults;
  for (size_t i = 0; i < n; i++) {
    request_t *r = calloc(1, sizeof *r);
    wb_val_t *vals = r ? malloc((nargs + nresults + 1) * sizeof(wb_val_t)) : 0;
    if (!vals) {
      free(r);
      if (i) drop_unqueued(reqs, i); /* each of those held a reference; the first was the caller's */
      else wbh_release(pool_id);
      return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a call");
    }
    if (i) wbh_retain(pool_id);
    r->args = vals;
    if (nargs) memcpy(r->args, args + i * nargs, nargs * sizeof(wb_val_t));
    r->results = r->args + nargs;
    r->nargs = (uint32_t)nargs;
    r->nresults = nresults;
    r->func_index = index;
    r->pool = p;
    r->pool_id = pool_id; /* travels with the request until it completes */
    r->is_future = is_future;
    atomic_init(&r->refs, 2);
    pthread_mutex_init(&r->mu, 0);
    pthread_cond_init(&r->done_cv, 0);
    reqs[i] = r;
  }
  return WB_OK;
}

/* Queues n requests at once, all or none (one lock, one wake-up); with
 * cancellation off, except that the wait for room restores the caller's
 * cancel_state inside a cleanup handler. */
static wb_status_t enqueue(pool_t *p, request_t **reqs, size_t n, bool block, int cancel_state) {
  wb_status_t st = WB_OK;
  pthread_mutex_lock(&p->lock);
  if (!p->shutting_down && p->depth + n > p->cfg.queue_capacity && block && tls_worker_of == p)
    st = refuse_own_worker(p, "waiting for room in the pool's full queue");
  while (!st && !p->shutting_down && p->depth + n > p->cfg.queue_capacity && block) {
    waiter_t w = {&p->lock, &p->space_waiters, reqs, n, 1, 0};
    pthread_cleanup_push(waiter_cancelled, &w);
    cancel_restore(cancel_state);
    p->space_waiters++;
    pthread_cond_wait(&p->space_cv, &p->lock);
    p->space_waiters--;
    cancel_off();
    pthread_cleanup_pop(0);
  }
  if (st) {
  } else if (p->shutting_down) st = wbi_fail(WB_ERR_BUSY, "the pool is shut down");
  else if (p->depth + n > p->cfg.queue_capacity)
    st = wbi_fail(WB_ERR_BUSY, "the pool's queue is full (%u calls)", p->cfg.queue_capacity);
  if (st) {
    pthread_mutex_unlock(&p->lock);
    drop_unqueued(reqs, n);
    return st;
  }
  for (size_t i = 0; i < n; i++) {
    request_t *r = reqs[i];
    r->state = REQ_QUEUED;
    if (p->tail) p->tail->next = r;
    else p->head = r;
    p->tail = r;
  }
  p->depth += (uint32_t)n;
  p->stats.submitted += n;
  if (p->depth > p->stats.queue_high_water) p->stats.queue_high_water = p->depth;
  /* a spinning worker sees the queue without a wake-up; sleeping ones need one */
  if (p->parked_workers && (p->depth > 1 || !atomic_load(&p->spinning_workers))) {
    if (n == 1) pthread_cond_signal(&p->work_cv);
    else pthread_cond_broadcast(&p->work_cv);
  }
  pthread_mutex_unlock(&p->lock);
  return WB_OK;
}

/* Waits for a request; reports its outcome to this thread. When the thread
 * is cancelled in the wait, it drops the waiter's reference on r
 * (ref_held) or releases `handle` (the future's handle it acquired). */
static wb_status_t await(request_t *r, uint64_t timeout_ms, wb_val_t *results, size_t nresults, int ref_held,
                         uint64_t handle) {
  if (nresults != r->nresults)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function returns %u results; got room for %zu", r->nresults, nresults);
  if (nresults && !results) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "results is NULL with a non-zero count");
  int done = atomic_load_explicit(&r->done, memory_order_acquire);
  /* r->pool is only compared: a request that is not done keeps its pool alive */
  if (!done && timeout_ms && tls_worker_of == r->pool)
    return refuse_own_worker(r->pool, "wb_future_wait (with a non-zero timeout) for a call of this pool");
  if (!done && timeout_ms && tls_callback_of == r->pool)
    return wbi_fail(WB_ERR_WRONG_THREAD, "wb_future_wait (with a non-zero timeout) in a completion callback of the same "
                                         "pool: the callback may run inside a cancel that completes that call after it "
                                         "returns; look with timeout 0 instead");
  if (!done && timeout_ms) { /* spin first (the budget is this thread's: the pool may be gone when done) */
    uint32_t budget = tls_wait_spin ? tls_wait_spin : SPIN_START_NS;
    done = spin_until(&r->done, 0, budget);
    tls_wait_spin = spin_adapt(budget, done);
  }
  if (!done && timeout_ms) {
    int cancel_state = cancel_off();
    pthread_mutex_lock(&r->mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    uint64_t ns = (uint64_t)until.tv_nsec + (timeout_ms % 1000) * 1000000ull;
    until.tv_sec += (time_t)(timeout_ms / 1000 + ns / 1000000000ull);
    until.tv_nsec = (long)(ns % 1000000000ull);
    request_t *mine[1] = {r};
    waiter_t w = {&r->mu, &r->parked, mine, ref_held ? 1 : 0, 0, handle};
    r->parked++;
    pthread_cleanup_push(waiter_cancelled, &w);
    cancel_restore(cancel_state);
    if (timeout_ms == UINT64_MAX) {
      while (!r->done) pthread_cond_wait(&r->done_cv, &r->mu);
    } else {
      while (!r->done && pthread_cond_timedwait(&r->done_cv, &r->mu, &until) != ETIMEDOUT) {
      }
    }
    cancel_off();
    pthread_cleanup_pop(0);
    r->parked--;
    done = r->done;
    pthread_mutex_unlock(&r->mu);
    cancel_restore(cancel_state);
  }
  if (!done) return wbi_fail(WB_ERR_TIMEOUT, "the call did not complete within %llu ms", (unsigned long long)timeout_ms);
  /* done is final: the outcome fields no longer change */
  if (r->status == WB_OK) {
    if (nresults) memcpy(results, r->results, nresults * sizeof *results);
    return WB_OK;
  }
  wbi_fail(r->status, "%s", r->message ? r->message : "the call failed");
  wbi_set_trap_code(r->trap_code);
  wbi_set_exit_code(r->exit_code);
  return r->status;
}

static wb_status_t func_index(pool_t *p, const char *name, uint32_t *out) {
  size_t len;
  wb_status_t st = wbd_check_name(name, "name", &len);
  if (st) return st;
  for (uint32_t i = 0; i < p->nexports; i++)
    if (p->exports[i].is_func && strcmp(p->exports[i].name, name) == 0) {
      *out = i;
      return WB_OK;
    }
  return wbi_fail(WB_ERR_NOT_FOUND, "the pool's module exports no function named \"%s\"", name);
}

wb_status_t wb_pool_func_index(wb_pool_t pool, const char *name, uint32_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(pool.id, WBH_KIND_POOL, &obj);
  if (st) return st;
  st = func_index(obj, name, out);
  wbh_release(pool.id);
  return st;
}

wb_status_t wb_pool_call_index(wb_pool_t pool, uint32_t index, const wb_val_t *args, size_t nargs, wb_val_t *results,
                               size_t nresults) {
  if (nresults && !results) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "results is NULL with a non-zero count");
  request_t *r;
  wb_status_t st = submit(pool.id, index, args, nargs, true, nresults, &r);
  if (st) return st;
  st = await(r, UINT64_MAX, results, nresults, 1, 0);
  request_unref(r);
  return st;
}

wb_status_t wb_pool_call(wb_pool_t pool, const char *name, const wb_val_t *args, size_t nargs, wb_val_t *results,
                         size_t nresults) {
  void *obj;
  uint32_t index;
  wb_status_t st = wbh_acquire(pool.id, WBH_KIND_POOL, &obj);
  if (st) return st;
  st = func_index(obj, name, &index);
  wbh_release(pool.id);
  return st ? st : wb_pool_call_index(pool, index, args, nargs, results, nresults);
}

wb_status_t wb_pool_submit(wb_pool_t pool, uint32_t index, const wb_val_t *args, size_t nargs, bool block,
                           wb_future_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  request_t *r;
  wb_status_t st = submit(pool.id, index, args, nargs, block, SIZE_MAX, &r);
  if (st) return st;
  uint64_t id;
  st = wbh_alloc(WBH_KIND_FUTURE, r, 0, &id);
  if (st) { /* the call runs anyway; nobody will see its result */
    request_unref(r);
    return st;
  }
  out->id = id;
  return WB_OK;
}

wb_status_t wb_pool_submit_batch(wb_pool_t pool, uint32_t index, const wb_val_t *args, size_t nargs, size_t ncalls,
                                 bool block, wb_future_t *out) {
  if (ncalls == 0) return WB_OK;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (ncalls > (1u << 24)) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "ncalls is %zu; at most 16777216", ncalls);
  request_t **reqs = malloc(ncalls * sizeof *reqs);
  if (!reqs) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a batch of %zu calls", ncalls);
  memset(out, 0, ncalls * sizeof *out);
  wb_status_t st = submit_n(pool.id, index, args, nargs, ncalls, block, SIZE_MAX, reqs);
  if (st) {
    free(reqs);
    return st;
  }
  size_t made = 0;
  for (; made < ncalls; made++) {
    uint64_t id;
    if ((st = wbh_alloc(WBH_KIND_FUTURE, reqs[made], 0, &id))) break;
    out[made].id = id;
  }
  if (st) { /* the calls run anyway; nobody will see their results */
    for (size_t i = 0; i < made; i++) wb_future_delete(out[i]);
    for (size_t i = made; i < ncalls; i++) request_unref(reqs[i]);
    for (size_t i = 0; i < ncalls; i++) out[i].id = 0;
  }
  free(reqs);
  return st;
}

/* ---- futures ------------------------------------------------------------------------------ */

wb_status_t wb_future_wait(wb_future_t future, uint64_t timeout_ms, wb_val_t *results, size_t nresults) {
  void *obj;
  wb_status_t st = wbh_acquire(future.id, WBH_KIND_FUTURE, &obj);
  if (st) return st;
  st = await(obj, timeout_ms, results, nresults, 0, future.id);
  wbh_release(future.id);
  return st;
}

wb_status_t wb_future_poll(wb_future_t future, bool *done) {
  if (!done) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "done is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(future.id, WBH_KIND_FUTURE, &obj);
  if (st) return st;
  request_t *r = obj;
  pthread_mutex_lock(&r->mu);
  *done = r->done != 0;
  pthread_mutex_unlock(&r->mu);
  wbh_release(future.id);
  return WB_OK;
}

wb_status_t wb_future_on_complete(wb_future_t future, wb_future_callback_t callback, void *user) {
  if (!callback) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "callback is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(future.id, WBH_KIND_FUTURE, &obj);
  if (st) return st;
  request_t *r = obj;
  int cancel_state = cancel_off();
  pthread_mutex_lock(&r->mu);
  int done = r->done, taken = r->callback != 0 || r->callback_set;
  if (!done && !taken) {
    r->callback = callback;
    r->callback_user = user;
  }
  if (!taken) r->callback_set = 1;
  pthread_mutex_unlock(&r->mu);
  cancel_restore(cancel_state);
  if (taken) st = wbi_fail(WB_ERR_BUSY, "the future already has a completion callback (one per future)");
  else if (done) callback(user, r->status); /* already complete: at once, on this thread */
  wbh_release(future.id);
  return st;
}

wb_status_t wb_pool_notify_fd(wb_pool_t pool, int *fd) {
  if (!fd) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "fd is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(pool.id, WBH_KIND_POOL, &obj);
  if (st) return st;
  pool_t *p = obj;
  int cancel_state = cancel_off();
  pthread_mutex_lock(&p->lock);
  int e = atomic_load(&p->notify_fd);
  if (e < 0) {
    e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (e < 0) st = wbi_fail(WB_ERR_NO_MEMORY, "eventfd failed: %s", strerror(errno));
    else atomic_store_explicit(&p->notify_fd, e, memory_order_release);
  }
  pthread_mutex_unlock(&p->lock);
  cancel_restore(cancel_state);
  if (st == WB_OK) *fd = e;
  wbh_release(pool.id);
  return st;
}

/* Completes the requests cancel_locked took off the queue (pool->lock not held). */
static void flush_cancelled(pool_t *p) {
  pthread_mutex_lock(&p->lock);
  request_t *stack = p->cancelled, *r = 0;
  p->cancelled = 0;
  pthread_mutex_unlock(&p->lock);
  while (stack) { /* in the order they were cancelled */
    request_t *next = stack->next;
    stack->next = r;
    r = stack;
    stack = next;
  }
  while (r) {
    request_t *next = r->next;
    char *why = r->message;
    r->message = 0;
    complete(r, WB_ERR_INTERRUPTED, why ? why : "cancelled", WB_TRAP_INTERRUPT, -1);
    free(why);
    r = next;
  }
}

/* Cancels one request (pool->lock held): a queued one leaves the queue (and
 * completes at the next flush_cancelled), a running one is interrupted. */
static void cancel_locked(pool_t *p, request_t *r, const char *why) {
  if (r->state == REQ_QUEUED) {
    request_t **pp = &p->head, *prev = 0;
    while (*pp && *pp != r) prev = *pp, pp = &(*pp)->next;
    if (*pp) {
      *pp = r->next;
      if (p->tail == r) p->tail = prev;
      p->depth--;
      count_outcome(p, WB_ERR_INTERRUPTED);
      if (p->space_waiters) pthread_cond_signal(&p->space_cv);
      /* completed by flush_cancelled once the lock is let go */
      r->state = REQ_DONE;
      r->message = strdup(why);
      r->next = p->cancelled;
      p->cancelled = r;
    }
  } else if (r->state == REQ_RUNNING && !r->cancel_requested) {
    r->cancel_requested = 1;
    for (uint32_t i = 0; i < p->nworkers; i++)
      if (p->workers[i].current == r) wb_store_interrupt((wb_store_t){p->workers[i].store});
  }
}

wb_status_t wb_future_cancel(wb_future_t future) {
  void *obj;
  wb_status_t st = wbh_acquire(future.id, WBH_KIND_FUTURE, &obj);
  if (st) return st;
  int cancel_state = cancel_off();
  request_t *r = obj;
  /* keep the pool alive while we use its lock: the request holds a pool
   * reference until it completes, so one more may be taken under r->mu */
  pthread_mutex_lock(&r->mu);
  int done = r->done;
  if (!done) wbh_retain(r->pool_id);
  pthread_mutex_unlock(&r->mu);
  if (!done) {
    pool_t *p = r->pool;
    uint64_t pool_id = r->pool_id;
    pthread_mutex_lock(&p->lock);
    cancel_locked(p, r, "cancelled by wb_future_cancel");
    pthread_mutex_unlock(&p->lock);
    flush_cancelled(p);
    wbh_release(pool_id);
  }
  wbh_release(future.id);
  cancel_restore(cancel_state);
  return WB_OK;
}

wb_status_t wb_future_delete(wb_future_t future) { return wbh_delete_shared(future.id, WBH_KIND_FUTURE); }

/* ---- shutdown, delete, statistics ---------------------------------------------------------- */

static void shutdown_and_join(pool_t *p, wb_shutdown_mode_t mode);

static wb_status_t shutdown_pool(pool_t *p, wb_shutdown_mode_t mode) {
  if (tls_worker_of == p)
    return wbi_fail(WB_ERR_BUSY, "a pool cannot be shut down or deleted from one of its own workers");
  /* bounded: running calls and instantiations are interrupted (cancel) or
   * end under their time limits (drain), so a cancel can wait until after */
  int cancel_state = cancel_off();
  shutdown_and_join(p, mode);
  cancel_restore(cancel_state);
  return WB_OK;
}

static void shutdown_and_join(pool_t *p, wb_shutdown_mode_t mode) {
  pthread_mutex_lock(&p->lock);
  p->shutting_down = 1;
  atomic_store(&p->stopping, 1);
  if (mode == WB_SHUTDOWN_CANCEL && !p->cancelling) {
    p->cancelling = 1;
    while (p->head) cancel_locked(p, p->head, "cancelled: the pool was shut down");
    for (uint32_t i = 0; i < p->nworkers; i++)
      if (p->workers[i].current) cancel_locked(p, p->workers[i].current, "");
    interrupt_starting(p); /* a worker recycling its instance: its start function */
  }
  pthread_cond_broadcast(&p->work_cv);
  pthread_cond_broadcast(&p->space_cv);
  int joining = p->joining;
  p->joining = 1;
  pthread_mutex_unlock(&p->lock);
  flush_cancelled(p);
  if (joining) { /* another thread joins: wait for it */
    pthread_mutex_lock(&p->lock);
    while (!p->joined) pthread_cond_wait(&p->joined_cv, &p->lock);
    pthread_mutex_unlock(&p->lock);
    return;
  }
  for (uint32_t i = 0; i < p->nworkers; i++) pthread_join(p->workers[i].thread, 0);
  pthread_mutex_lock(&p->lock);
  /* a worker that stopped early (it could not recycle) leaves work behind */
  while (p->head) cancel_locked(p, p->head, "cancelled: the pool has no workers left");
  pthread_mutex_unlock(&p->lock);
  flush_cancelled(p);
  pthread_mutex_lock(&p->lock);
  p->joined = 1;
  pthread_cond_broadcast(&p->joined_cv);
  pthread_mutex_unlock(&p->lock);
}

wb_status_t wb_pool_shutdown(wb_pool_t pool, wb_shutdown_mode_t mode) {
  if ((unsigned)mode > WB_SHUTDOWN_CANCEL) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "mode %d is not a wb_shutdown_mode_t", (int)mode);
  void *obj;
  wb_status_t st = wbh_acquire(pool.id, WBH_KIND_POOL, &obj);
  if (st) return st;
  st = shutdown_pool(obj, mode);
  wbh_release(pool.id);
  return st;
}

wb_status_t wb_pool_delete(wb_pool_t pool) {
  if (pool.id == 0) return WB_OK;
  void *obj;
  wb_status_t st = wbh_acquire(pool.id, WBH_KIND_POOL, &obj);
  if (st) return st;
  st = shutdown_pool(obj, WB_SHUTDOWN_CANCEL);
  wbh_release(pool.id);
  return st ? st : wbh_delete_shared(pool.id, WBH_KIND_POOL);
}

wb_status_t wb_pool_stats_get(wb_pool_t pool, wb_pool_stats_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  uint32_t version;
  memcpy(&version, out, sizeof version);
  wb_status_t st = wbi_version_check(&pool_stats_info, version);
  if (st) return st;
  void *obj;
  st = wbh_acquire(pool.id, WBH_KIND_POOL, &obj);
  if (st) return st;
  pool_t *p = obj;
  pthread_mutex_lock(&p->lock);
  wb_pool_stats_t r = p->stats;
  r.queue_depth = p->depth;
  pthread_mutex_unlock(&p->lock);
  wbh_release(pool.id);
  return wbi_versioned_fill(&pool_stats_info, out, &r);
}

void wbp_init(void) {
  wbh_set_destructor(WBH_KIND_POOL, destroy_pool);
  wbh_set_destructor(WBH_KIND_FUTURE, destroy_future);
}
