/* Component pools: worker threads that each own one store and one instance
 * of a component template, running component calls for any thread.
 *
 * Self-contained (pools/ is the core pools' package): a blocking call puts
 * a job on the pool's queue and waits for it; the job points at the
 * caller's arguments and result (the caller waits, so they stay valid), and
 * a worker runs it through the same call path as wb_component_func_call on
 * its own store. An instance that failed (trap, interrupt, fuel, exit) is
 * unusable, so its worker makes a fresh store and instance before its next
 * call; so it does after recycle_after_calls calls.
 *
 * Locking: pool->lock guards the queue, each job's completion and the
 * shutdown state; a worker's store is touched only by its worker. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"

typedef struct job {
  struct job *next;
  uint32_t index;
  const wb_cval_t *args;
  size_t nargs;
  wb_cresult_t *out;
  pthread_cond_t done_cv;
  int done;
  wb_status_t status;
  wb_trap_code_t trap;
  int32_t exit_code;
  char *message;
} job_t;

typedef struct cpool cpool_t;

typedef struct cworker {
  cpool_t *pool;
  pthread_t thread;
  uint64_t store;        /* owned by this worker's thread only */
  uint64_t instance;
  uint64_t calls;        /* since the last fresh instance */
  wb_status_t start_status;
  char *start_error;
} cworker_t;

struct cpool {
  pthread_mutex_t lock;
  pthread_cond_t work_cv, space_cv, ready_cv;
  job_t *head, *tail;
  uint32_t depth;
  wb_pool_config_t cfg;
  int shutting_down, joined;
  uint32_t started;
  cworker_t *workers;
  uint64_t tmpl_id;      /* a reference held for the pool's life */
  wbc_template_t *tmpl;
};

/* The pool whose worker this thread is (calls into it would wait on itself). */
static __thread cpool_t *tls_worker_of;

static void destroy_pool(void *obj) {
  cpool_t *p = obj;
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->work_cv);
  pthread_cond_destroy(&p->space_cv);
  pthread_cond_destroy(&p->ready_cv);
  free(p->workers);
  uint64_t tmpl_id = p->tmpl_id;
  free(p);
  wbh_release(tmpl_id);
}

/* A fresh store and instance for the worker (its own thread). */
static wb_status_t fresh_instance(cworker_t *w) {
  cpool_t *p = w->pool;
  if (w->store) {
    wb_store_delete((wb_store_t){w->store});
    w->store = w->instance = 0;
  }
  wbc_component_t *c = p->tmpl->comp;
  uint64_t sid;
  wb_status_t st = wbl_store_new(c->engine, c->engine_id, &sid);
  if (st) return st;
  wb_store_t store = {sid};
  wbh_slot_t *ss = wbh_slot_at(wbh_id_index(sid));
  wbd_store_t *s = wbd_store_of(ss);
  if (p->cfg.memory_limit_bytes) {
    wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
    lim.memory_bytes = p->cfg.memory_limit_bytes;
    st = wb_store_set_limits(store, &lim);
  }
  if (st == WB_OK && p->cfg.call_timeout_ms) st = wb_store_set_call_timeout(store, p->cfg.call_timeout_ms);
  uint64_t iid = 0;
  if (st == WB_OK) st = wbc_instantiate(p->tmpl->linker, p->tmpl->wasi, ss, c, p->tmpl->comp_id, &iid);
  if (st) {
    wb_store_delete(store);
    return st;
  }
  w->store = sid;
  w->instance = iid;
  w->calls = 0;
  return WB_OK;
}

static void run_job(cworker_t *w, job_t *j) {
  cpool_t *p = w->pool;
  wb_status_t st = WB_OK;
  bool stale = !w->store;
  if (!stale && p->cfg.recycle_after_calls && w->calls >= p->cfg.recycle_after_calls) stale = true;
  if (!stale) stale = ((wbc_instance_t *)wbh_slot_at(wbh_id_index(w->instance))->obj)->unusable;
  if (stale) st = fresh_instance(w);
  uint64_t fid = 0;
  if (st == WB_OK) {
    wbh_slot_t *is, *ss;
    st = wbh_bound(w->instance, WBH_KIND_COMPONENT_INSTANCE, &is, &ss);
    if (st == WB_OK) st = wbc_instance_func(is, ss, j->index, &fid);
  }
  if (st == WB_OK && p->cfg.fuel_per_call) st = wb_store_set_fuel((wb_store_t){w->store}, p->cfg.fuel_per_call);
  if (st == WB_OK) {
    w->calls++;
    st = wbc_call(wbh_slot_at(wbh_id_index(fid))->obj, j->args, j->nargs, j->out);
  }
  j->status = st;
  if (st) {
    j->message = strdup(wb_last_error());
    j->trap = wb_last_trap_code();
  }
  j->exit_code = wb_last_exit_code();
}

static void *worker_main(void *arg) {
  cworker_t *w = arg;
  cpool_t *p = w->pool;
  tls_worker_of = p;
  w->start_status = fresh_instance(w);
  if (w->start_status) w->start_error = strdup(wb_last_error());
  pthread_mutex_lock(&p->lock);
  p->started++;
  pthread_cond_broadcast(&p->ready_cv);
  if (w->start_status) {
    pthread_mutex_unlock(&p->lock);
    return 0;
  }
  for (;;) {
    while (!p->head && !p->shutting_down) pthread_cond_wait(&p->work_cv, &p->lock);
    if (!p->head) break; /* shutting down, nothing queued */
    job_t *j = p->head;
    p->head = j->next;
    if (!p->head) p->tail = 0;
    p->depth--;
    pthread_cond_signal(&p->space_cv);
    pthread_mutex_unlock(&p->lock);
    run_job(w, j);
    pthread_mutex_lock(&p->lock);
    j->done = 1;
    pthread_cond_signal(&j->done_cv);
  }
  pthread_mutex_unlock(&p->lock);
  if (w->store) wb_store_delete((wb_store_t){w->store});
  w->store = 0;
  return 0;
}

/* Stops the workers: queued jobs complete with WB_ERR_BUSY, running ones finish. */
static void stop(cpool_t *p, uint32_t nthreads) {
  pthread_mutex_lock(&p->lock);
  p->shutting_down = 1;
  for (job_t *j = p->head, *next; j; j = next) {
    next = j->next;
    j->status = WB_ERR_BUSY;
    j->message = strdup("the component pool was deleted before the call ran");
    j->done = 1;
    pthread_cond_signal(&j->done_cv);
  }
  p->head = p->tail = 0;
  p->depth = 0;
  pthread_cond_broadcast(&p->work_cv);
  pthread_cond_broadcast(&p->space_cv);
  pthread_mutex_unlock(&p->lock);
  for (uint32_t i = 0; i < nthreads; i++) pthread_join(p->workers[i].thread, 0);
  for (uint32_t i = 0; i < nthreads; i++) free(p->workers[i].start_error);
}

wb_status_t wb_component_pool_new(wb_component_template_t tmpl, const wb_pool_config_t *config,
                                  wb_component_pool_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wb_pool_config_t cfg;
  wb_status_t st = wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION);
  if (st) return st;
  if (config) {
    if (config->version == 0 || config->version > WB_POOL_CONFIG_VERSION)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT, "config.version %u is not one this library knows (use wb_pool_config_init)",
                      config->version);
    /* version 1 ends where version 2 appended start_timeout_ms (which component pools do not use) */
    memcpy(&cfg, config, config->version == 1 ? offsetof(wb_pool_config_t, start_timeout_ms) : sizeof cfg);
  }
  if (cfg.workers == 0 || cfg.workers > 256)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "config.workers %u is outside 1..256", cfg.workers);
  if (cfg.queue_capacity == 0 || cfg.queue_capacity > 1u << 20)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "config.queue_capacity %u is outside 1..1048576", cfg.queue_capacity);
  void *tobj;
  if ((st = wbh_acquire(tmpl.id, WBH_KIND_COMPONENT_TEMPLATE, &tobj))) return st;
  cpool_t *p = calloc(1, sizeof *p);
  cworker_t *ws = calloc(cfg.workers, sizeof *ws);
  if (!p || !ws) {
    free(p);
    free(ws);
    wbh_release(tmpl.id);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a component pool");
  }
  pthread_mutex_init(&p->lock, 0);
  pthread_cond_init(&p->work_cv, 0);
  pthread_cond_init(&p->space_cv, 0);
  pthread_cond_init(&p->ready_cv, 0);
  p->cfg = cfg;
  p->workers = ws;
  p->tmpl_id = tmpl.id; /* the acquired reference */
  p->tmpl = tobj;
  uint32_t n = 0;
  for (; n < cfg.workers; n++) {
    ws[n].pool = p;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8u << 20); /* room for max_wasm_stack and Wasmtime's frames */
    int rc = pthread_create(&ws[n].thread, &attr, worker_main, &ws[n]);
    pthread_attr_destroy(&attr);
    if (rc) {
      st = wbi_fail(WB_ERR_NO_MEMORY, "cannot start a pool worker thread (error %d)", rc);
      break;
    }
  }
  pthread_mutex_lock(&p->lock);
  while (p->started < n) pthread_cond_wait(&p->ready_cv, &p->lock);
  pthread_mutex_unlock(&p->lock);
  for (uint32_t i = 0; i < n && st == WB_OK; i++)
    if (ws[i].start_status)
      st = wbi_fail(ws[i].start_status, "a pool worker could not instantiate the template: %s",
                    ws[i].start_error ? ws[i].start_error : "");
  if (st) {
    stop(p, n);
    destroy_pool(p);
    return st;
  }
  uint64_t id;
  if ((st = wbh_alloc(WBH_KIND_COMPONENT_POOL, p, 0, &id))) {
    stop(p, n);
    destroy_pool(p);
    return st;
  }
  out->id = id;
  return WB_OK;
}

wb_status_t wb_component_pool_func_index(wb_component_pool_t pool, const char *path, uint32_t *out) {
  void *obj;
  wb_status_t st = wbh_acquire(pool.id, WBH_KIND_COMPONENT_POOL, &obj);
  if (st) return st;
  st = wbc_component_func_index(((cpool_t *)obj)->tmpl->comp, path, out);
  wbh_release(pool.id);
  return st;
}

wb_status_t wb_component_pool_call(wb_component_pool_t pool, uint32_t func_index, const wb_cval_t *args,
                                   size_t nargs, wb_cresult_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(pool.id, WBH_KIND_COMPONENT_POOL, &obj);
  if (st) return st;
  cpool_t *p = obj;
  wbc_result_clear(out);
  const wbc_export_t *ex = wbc_component_export(p->tmpl->comp, func_index);
  if (!ex) st = wbi_fail(WB_ERR_NOT_FOUND, "no function of the pool's component has index %u", func_index);
  else if (ex->type.has_resource)
    st = wbi_fail(WB_ERR_TYPE_MISMATCH, "%s has resource types (%s): resources belong to one store, so the "
                                        "function cannot run in a pool", ex->path, ex->type.text);
  else if (tls_worker_of == p)
    st = wbi_fail(WB_ERR_BUSY, "a pool's own worker cannot wait for a call into its pool (it could wait on itself)");
  if (st) {
    wbh_release(pool.id);
    return st;
  }
  job_t j;
  memset(&j, 0, sizeof j);
  j.index = func_index;
  j.args = args;
  j.nargs = nargs;
  j.out = out;
  pthread_cond_init(&j.done_cv, 0);
  pthread_mutex_lock(&p->lock);
  while (p->depth >= p->cfg.queue_capacity && !p->shutting_down) pthread_cond_wait(&p->space_cv, &p->lock);
  if (p->shutting_down) {
    pthread_mutex_unlock(&p->lock);
    pthread_cond_destroy(&j.done_cv);
    wbh_release(pool.id);
    return wbi_fail(WB_ERR_BUSY, "the component pool is being deleted");
  }
  if (p->tail) p->tail->next = &j;
  else p->head = &j;
  p->tail = &j;
  p->depth++;
  pthread_cond_signal(&p->work_cv);
  while (!j.done) pthread_cond_wait(&j.done_cv, &p->lock);
  pthread_mutex_unlock(&p->lock);
  pthread_cond_destroy(&j.done_cv);
  wbh_release(pool.id);
  if (j.status) {
    st = wbi_fail(j.status, "%s", j.message ? j.message : "(no message)");
    wbi_set_trap_code(j.trap);
    if (j.status == WB_ERR_EXIT) wbi_set_exit_code(j.exit_code);
    free(j.message);
    return st;
  }
  return WB_OK;
}

wb_status_t wb_component_pool_delete(wb_component_pool_t pool) {
  if (pool.id == 0) return WB_OK;
  void *obj;
  wb_status_t st = wbh_acquire(pool.id, WBH_KIND_COMPONENT_POOL, &obj);
  if (st) return st;
  cpool_t *p = obj;
  if (tls_worker_of == p) {
    wbh_release(pool.id);
    return wbi_fail(WB_ERR_BUSY, "a pool cannot be deleted from one of its own workers");
  }
  pthread_mutex_lock(&p->lock);
  int first = !p->joined;
  p->joined = 1;
  pthread_mutex_unlock(&p->lock);
  st = wbh_delete_shared(pool.id, WBH_KIND_COMPONENT_POOL);
  if (st == WB_OK && first) stop(p, p->cfg.workers);
  wbh_release(pool.id);
  return st;
}

void wbc_pool_init(void) { wbh_set_destructor(WBH_KIND_COMPONENT_POOL, destroy_pool); }
