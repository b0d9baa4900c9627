/* Async calls in a store (engines with async_support): call futures that
 * the store's owner thread polls, guests that yield on fuel and epoch
 * ticks, and async host functions that complete later.
 *
 * Wasmtime's rules, and how each is kept (docs/hazards.md has the rows):
 *  - in an async store, every synchronous entry into wasm panics (aborts):
 *    the store's attention word carries WBD_ATTN_ASYNC for good, so every
 *    such entry takes wbd_call_begin's slow path, which refuses it;
 *  - one unfinished future per store (wbd_store_t.async_future);
 *  - a future borrows its store, its func, its argument and result arrays
 *    and its trap and error slots until it is deleted: all of them live in
 *    the future object (or, the store, until wbd_async_store_fini has
 *    cancelled the future);
 *  - polling a future after it completed panics: a finished future is never
 *    polled again (its Wasmtime future is deleted at once);
 *  - polling a future from inside its own call (a host callback) would run
 *    it re-entrantly: no future is polled or deleted while this thread is
 *    inside a call into wasm;
 *  - the continuation Wasmtime starts with panics when called: the async
 *    trampoline always sets one.
 * Everything here runs on the store's owner thread. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

/* lifecycle/ (store.c): a failed instantiation as a status */
wb_status_t wbl_fail_instantiate(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap);

enum { FUT_CALL, FUT_INSTANTIATE };
enum { FUT_RUNNING, FUT_DONE };

typedef struct wbd_call_future {
  wasmtime_call_future_t *fut; /* NULL once finished or cancelled */
  wbd_store_t *store;
  uint64_t id;
  uint8_t kind, state;
  bool polling;                /* inside wasmtime_call_future_poll */
  /* what Wasmtime's future points to until it is deleted */
  wasm_trap_t *trap;
  wasmtime_error_t *err;
  wasmtime_func_t func;
  wasmtime_val_t *args, *vres; /* one block: nargs then nresults */
  size_t nargs, nresults;
  wbd_func_t *f;               /* lives as long as the store */
  wasmtime_instance_t inst;
  wbd_modinfo_t *info;         /* instantiation: its module's types (held by the template or module) */
  uint64_t template_id;        /* a reference held on the template, or 0 */
  /* the outcome, once done */
  wb_status_t status;
  wb_trap_code_t trap_code;
  char *message;
  wb_val_t *results;
  uint64_t instance_id;
} wbd_call_future_t;

/* ---- stopping and starting ------------------------------------------------- */

/* The epoch callback of async stores: stops the call as crossing.c's does,
 * and otherwise yields when the store asked for epoch yields. */
static wasmtime_error_t *async_on_epoch(wasmtime_context_t *ctx, void *data, uint64_t *delta,
                                        wasmtime_update_deadline_kind_t *kind) {
  (void)ctx;
  wbd_store_t *s = data;
  const char *why;
  if (wbd_store_must_stop(s, &why)) return wasmtime_error_new(why);
  *delta = 1;
  *kind = s->async_epoch_yield ? WASMTIME_UPDATE_DEADLINE_YIELD : WASMTIME_UPDATE_DEADLINE_CONTINUE;
  return 0;
}

void wbd_async_store_init(wbd_store_t *s) {
  if (s->engine->epoch_interruption) wasmtime_store_epoch_deadline_callback(s->store, async_on_epoch, s, 0);
  wbd_attention_set(s, WBD_ATTN_ASYNC); /* closes the hot paths' gate for good: they refuse */
}

wb_status_t wbd_async_refuse_sync(wbd_store_t *s) {
  if (s->async_future)
    return wbi_fail(WB_ERR_BUSY, "the store has an unfinished call future: poll it to the end or delete it "
                                 "(wb_call_future_delete) before using the store's wasm otherwise");
  return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                  "the store's engine has async_support: its wasm runs only through call futures "
                  "(wb_func_call_async, wb_template_instantiate_async)");
}

/* What every async start checks: no other future, not inside a call of the
 * store, an interrupt that came before, the time budget. */
static wb_status_t async_begin(wbd_store_t *s) {
  if (!s->engine->async_support)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "the store's engine has no async_support: call with wb_func_call (or make the engine with "
                    "async_support = true)");
  if (s->async_future) return wbd_async_refuse_sync(s);
  if (s->depth > 0)
    return wbi_fail(WB_ERR_BUSY, "cannot start a call future from inside a call into the store's wasm");
  return wbd_call_begin_checks(s);
}

/* ---- futures ------------------------------------------------------------------ */

void wbd_call_future_destroy(void *obj) {
  wbd_call_future_t *cf = obj;
  /* a Wasmtime future still here was being polled when its thread went
   * away (wbd_async_store_fini left it): it cannot be dropped safely */
  if (cf->trap) wasm_trap_delete(cf->trap);
  if (cf->err) wasmtime_error_delete(cf->err);
  if (cf->template_id) wbh_release(cf->template_id);
  free(cf->args);
  free(cf->results);
  free(cf->message);
  free(cf);
}

static wb_status_t future_new(wbh_slot_t *ss, uint8_t kind, size_t nvals, wbd_call_future_t **out) {
  wbd_call_future_t *cf = calloc(1, sizeof *cf);
  wasmtime_val_t *vals = nvals ? calloc(nvals, sizeof *vals) : 0;
  if (!cf || (nvals && !vals)) {
    free(cf);
    free(vals);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a call future");
  }
  cf->store = wbd_store_of(ss);
  cf->kind = kind;
  cf->args = vals;
  uint64_t id;
  wb_status_t st = wbh_alloc(WBH_KIND_CALL_FUTURE, cf, ss, &id);
  if (st) {
    free(vals);
    free(cf);
    return st;
  }
  cf->id = id;
  *out = cf;
  return WB_OK;
}

/* Deletes the Wasmtime future of an unfinished call: Wasmtime resumes its
 * fiber to unwind it, which drops the continuations of waiting async host
 * calls (their finalizers run). */
static void cancel(wbd_call_future_t *cf) {
  wbd_store_t *s = cf->store;
  if (cf->fut) {
    wbd_store_t *outer = wbd_wasm_enter(s);
    wasmtime_call_future_delete(cf->fut);
    wbd_wasm_leave(s, outer);
    cf->fut = 0;
  }
  if (s->async_future == cf->id) s->async_future = 0;
}

/* Records the outcome st with this thread's last error as the future's
 * (so that another thread, after an adopt, reads the same). */
static void record(wbd_call_future_t *cf, wb_status_t st) {
  cf->state = FUT_DONE;
  cf->status = st;
  if (st != WB_OK) {
    cf->message = strdup(wb_last_error());
    cf->trap_code = wb_last_trap_code();
  }
}

/* The future's Wasmtime future is ready: turns its outcome into a status
 * and results (or an instance), and deletes it. */
static void finish(wbd_call_future_t *cf, wbh_slot_t *ss) {
  wbd_store_t *s = cf->store;
  wbi_error_state_t *saved = wbi_error_save(); /* the poller's own last error stays */
  wasm_trap_t *trap = cf->trap;
  wasmtime_error_t *err = cf->err;
  cf->trap = 0;
  cf->err = 0;
  wb_status_t st = WB_OK;
  if (cf->kind == FUT_CALL) {
    if (err || trap) {
      st = wbd_fail_call(s, err, trap, "call");
    } else if (cf->nresults) {
      wbd_func_t *f = cf->f;
      cf->results = calloc(cf->nresults, sizeof *cf->results);
      size_t done = 0;
      if (!cf->results) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu results", cf->nresults);
      for (; st == WB_OK && done < cf->nresults; done++)
        st = wbd_val_from_val(ss, s, &cf->vres[done], f->typed ? &f->types[cf->nargs + done] : 0, f->info,
                              &cf->results[done]);
      if (st) {
        for (size_t i = done; i < cf->nresults; i++) wasmtime_val_unroot(&cf->vres[i]);
        if (cf->results && done) wbd_vals_drop(cf->results, done - 1);
      }
    }
  } else {
    if (err || trap) st = wbl_fail_instantiate(s, err, trap);
    else st = wbd_instance_handle(ss, &cf->inst, cf->info, &cf->instance_id);
  }
  record(cf, st);
  wbi_error_restore(saved);
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_call_future_delete(cf->fut);
  wbd_wasm_leave(s, outer);
  cf->fut = 0;
  if (s->async_future == cf->id) s->async_future = 0;
}

/* One poll of a running future (the handle and thread are checked). */
static void poll_once(wbd_call_future_t *cf, wbh_slot_t *ss) {
  wbd_store_t *s = cf->store;
  /* a stop asked for between polls ends the call now, whether or not the
   * guest would reach an epoch check (fuel yields without epochs, a guest
   * waiting on an async host function) */
  const char *why;
  if (wbd_store_must_stop(s, &why)) {
    cancel(cf);
    wbi_error_state_t *saved = wbi_error_save();
    atomic_fetch_add_explicit(&wbd_interrupts, 1, memory_order_relaxed);
    s->interrupt_fired = s->deadline_fired = 0;
    wb_status_t st = wbi_fail(WB_ERR_INTERRUPTED, "%s failed: %s (between polls of its call future)",
                              cf->kind == FUT_CALL ? "call" : "instantiation", why);
    wbi_set_trap_code(WB_TRAP_INTERRUPT);
    record(cf, st);
    wbi_error_restore(saved);
    return;
  }
  cf->polling = s->async_polling = true;
  wbd_store_t *outer = wbd_wasm_enter(s);
  bool ready = wasmtime_call_future_poll(cf->fut);
  wbd_wasm_leave(s, outer);
  cf->polling = s->async_polling = false;
  if (ready) finish(cf, ss);
}

void wbd_async_store_fini(wbd_store_t *s) {
  if (!s->async_future) return;
  wbh_slot_t *cs = wbh_peek(s->async_future, WBH_KIND_CALL_FUTURE);
  wbd_call_future_t *cf = cs ? cs->obj : 0;
  if (cf && cf->fut && !cf->polling) cancel(cf);
  else if (cf) cf->fut = 0; /* left inside a poll (its thread is gone): leaked, never touched again */
  s->async_future = 0;
}

wb_status_t wb_func_call_async(wb_func_t func, const wb_val_t *args, size_t nargs, wb_call_future_t *out) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_FUNC, &fs, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_func_t *f = fs->obj;
  wbd_store_t *s = f->store;
  if (nargs != f->nparams)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function takes %u arguments; got %zu", f->nparams, nargs);
  if (nargs && !args) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "args is NULL with a non-zero count");
  if (f->mode == WBD_CALL_REFUSED)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function cannot be called from the host: %s", f->refusal);
  /* the arguments are checked (and converted) before anything else */
  size_t nvals = (size_t)f->nparams + f->nresults;
  wasmtime_val_t *vals = nvals ? calloc(nvals, sizeof *vals) : 0;
  if (nvals && !vals) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu call values", nvals);
  for (size_t i = 0; i < nargs && st == WB_OK; i++)
    st = wbd_val_to_val(ss, s, &args[i], f->typed ? &f->types[i] : 0, "argument", i, &vals[i]);
  wbd_call_future_t *cf = 0;
  if (st == WB_OK) st = async_begin(s);
  if (st == WB_OK) st = future_new(ss, FUT_CALL, 0, &cf);
  if (st) {
    free(vals);
    return st;
  }
  cf->args = vals;
  cf->f = f;
  cf->func = f->func;
  cf->nargs = f->nparams;
  cf->nresults = f->nresults;
  cf->vres = vals ? vals + f->nparams : 0;
  cf->fut = wasmtime_func_call_async(f->ctx, &cf->func, cf->args, cf->nargs, cf->vres, cf->nresults, &cf->trap,
                                     &cf->err);
  s->async_future = cf->id;
  out->id = cf->id;
  return WB_OK;
}

static wb_status_t bound_future(wb_call_future_t fut, wbh_slot_t **cs, wbh_slot_t **ss, wbd_call_future_t **cf) {
  wb_status_t st = wbh_bound(fut.id, WBH_KIND_CALL_FUTURE, cs, ss);
  if (st == WB_OK) *cf = (*cs)->obj;
  return st;
}

wb_status_t wb_call_future_poll(wb_call_future_t fut, bool *done) {
  wbh_slot_t *cs, *ss;
  wbd_call_future_t *cf;
  wb_status_t st = bound_future(fut, &cs, &ss, &cf);
  if (st) return st;
  if (!done) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "done is NULL");
  if (cf->state == FUT_RUNNING) {
    if (wbd_running_store())
      return wbi_fail(WB_ERR_BUSY, "cannot poll a call future from inside a call into wasm (a host callback)");
    poll_once(cf, ss);
  }
  *done = cf->state == FUT_DONE;
  return WB_OK;
}

/* The outcome of a finished future as this thread's status. */
static wb_status_t outcome(const wbd_call_future_t *cf) {
  if (cf->state != FUT_DONE)
    return wbi_fail(WB_ERR_BUSY, "the call future has not finished: poll it until it says done");
  if (cf->status == WB_OK) return WB_OK;
  wb_status_t st = wbi_fail(cf->status, "%s", cf->message ? cf->message : "the call failed (out of memory for its message)");
  wbi_set_trap_code(cf->trap_code);
  return st;
}

wb_status_t wb_call_future_results(wb_call_future_t fut, wb_val_t *results, size_t nresults) {
  wbh_slot_t *cs, *ss;
  wbd_call_future_t *cf;
  wb_status_t st = bound_future(fut, &cs, &ss, &cf);
  if (st) return st;
  if (cf->kind != FUT_CALL)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the future is an instantiation's: use wb_call_future_instance");
  if ((st = outcome(cf))) return st;
  if (nresults != cf->nresults)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function returns %zu results; got room for %zu", cf->nresults,
                    nresults);
  if (nresults && !results) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "results is NULL with a non-zero count");
  if (nresults) memcpy(results, cf->results, nresults * sizeof *results);
  return WB_OK;
}

wb_status_t wb_call_future_instance(wb_call_future_t fut, wb_instance_t *out) {
  wbh_slot_t *cs, *ss;
  wbd_call_future_t *cf;
  wb_status_t st = bound_future(fut, &cs, &ss, &cf);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (cf->kind != FUT_INSTANTIATE)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the future is a call's: use wb_call_future_results");
  if ((st = outcome(cf))) return st;
  out->id = cf->instance_id;
  return WB_OK;
}

wb_status_t wb_call_future_delete(wb_call_future_t fut) {
  if (fut.id == 0) return WB_OK;
  wbh_slot_t *cs, *ss;
  wbd_call_future_t *cf;
  wb_status_t st = bound_future(fut, &cs, &ss, &cf);
  if (st) return st;
  if (wbd_store_of(ss)->depth > 0)
    return wbi_fail(WB_ERR_BUSY, "cannot delete a call future from inside a call into its store's wasm");
  cancel(cf);
  wbh_delete_bound(cs, fut.id);
  return WB_OK;
}

/* ---- instantiation ------------------------------------------------------------ */

/* Starts an async instantiation; *out is the future (its handle made). */
static wb_status_t instantiate_start(wbh_slot_t *ss, const wasmtime_linker_t *linker, wasmtime_module_t *module,
                                     const wasmtime_instance_pre_t *pre, wbd_modinfo_t *info, bool needs_wasi,
                                     wbd_call_future_t **out) {
  wbd_store_t *s = wbd_store_of(ss);
  wb_status_t st = async_begin(s);
  if (st) return st;
  if (needs_wasi)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "WASI cannot be used in a store of an engine with async_support (Wasmtime's WASI preview 1 "
                    "of its C API runs synchronously)");
  if ((st = wbd_check_instantiable(info))) return st;
  wbd_call_future_t *cf;
  if ((st = future_new(ss, FUT_INSTANTIATE, 0, &cf))) return st;
  cf->info = info;
  cf->fut = linker ? wasmtime_linker_instantiate_async(linker, s->ctx, module, &cf->inst, &cf->trap, &cf->err)
                   : wasmtime_instance_pre_instantiate_async(pre, s->ctx, &cf->inst, &cf->trap, &cf->err);
  s->async_future = cf->id;
  *out = cf;
  return WB_OK;
}

wb_status_t wbd_async_instantiate_start(wbh_slot_t *ss, const wasmtime_instance_pre_t *pre, wbd_modinfo_t *info,
                                        uint64_t template_id, bool needs_wasi, uint64_t *out) {
  wbd_call_future_t *cf;
  wb_status_t st = instantiate_start(ss, 0, 0, pre, info, needs_wasi, &cf);
  if (st) return st;
  cf->template_id = template_id; /* the caller's reference, now the future's */
  *out = cf->id;
  return WB_OK;
}

wb_status_t wbd_async_instantiate_now(wbh_slot_t *ss, const wasmtime_linker_t *linker, wasmtime_module_t *module,
                                      const wasmtime_instance_pre_t *pre, wbd_modinfo_t *info, bool needs_wasi,
                                      uint64_t *out) {
  wbd_store_t *s = wbd_store_of(ss);
  if (wbd_running_store())
    return wbi_fail(WB_ERR_BUSY, "cannot instantiate in an async store from inside a call into wasm");
  wbd_call_future_t *cf;
  wb_status_t st = instantiate_start(ss, linker, module, pre, info, needs_wasi, &cf);
  if (st) return st;
  while (cf->state == FUT_RUNNING) {
    poll_once(cf, ss);
    if (cf->state == FUT_RUNNING && s->async_waiting > 0) {
      /* the start function waits on an async host function, which only
       * this thread could complete, after this call returns */
      cancel(cf);
      wbh_delete_bound(wbh_slot_at(wbh_id_index(cf->id)), cf->id);
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "the start function called an async host function, which cannot complete while "
                      "instantiation waits for it: instantiate with wb_template_instantiate_async");
    }
  }
  st = outcome(cf);
  if (st == WB_OK) *out = cf->instance_id;
  wbh_delete_bound(wbh_slot_at(wbh_id_index(cf->id)), cf->id);
  return st;
}

/* ---- settings ------------------------------------------------------------------ */

wb_status_t wb_store_set_fuel_async_yield_interval(wb_store_t store, uint64_t interval) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  wbd_store_t *s = wbd_store_of(ss);
  if (!s->engine->async_support || !s->engine->consume_fuel)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "fuel yields need an engine with async_support and consume_fuel");
  if (s->async_future || s->depth > 0)
    return wbi_fail(WB_ERR_BUSY, "cannot change fuel yields while a call future of the store is unfinished");
  wasmtime_error_t *err = wasmtime_context_fuel_async_yield_interval(s->ctx, interval);
  if (err) return wbd_fail_error(WB_ERR_INVALID_ARGUMENT, err, "fuel yield interval");
  return WB_OK;
}

wb_status_t wb_store_set_epoch_async_yield(wb_store_t store, bool enable) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  wbd_store_t *s = wbd_store_of(ss);
  if (!s->engine->async_support || !s->engine->epoch_interruption)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "epoch yields need an engine with async_support and epoch_interruption");
  return wbd_async_epoch_ticks(s, enable);
}

/* ---- async host functions -------------------------------------------------------- */

enum { TOKEN_PENDING, TOKEN_DONE, TOKEN_FAILED };

typedef struct wbd_token {
  wbd_asyncfn_t *h;
  wbd_store_t *store;
  uint64_t id;
  wasmtime_val_t *results;    /* Wasmtime's, valid until the continuation is dropped */
  wasm_trap_t **trap_ret;     /* the same */
  uint8_t state;
  char *message;              /* TOKEN_FAILED */
  wb_val_t vals[];            /* TOKEN_DONE: the results */
} wbd_token_t;

void wbd_asyncfn_finalize(void *env) {
  wbd_asyncfn_t *h = env;
  if (h->finalizer) h->finalizer(h->env);
  free(h->label);
  free(h);
}

static wasm_trap_t *trap_of(const char *msg) { return wasmtime_trap_new(msg, strlen(msg)); }

/* Polled by Wasmtime (inside wb_call_future_poll, on the guest's stack):
 * whether the host call is over; writes its results or trap. */
static bool token_ready(void *env) {
  wbd_token_t *t = env;
  if (!t) return true; /* the trampoline could not make a token; it set a trap */
  wbd_store_t *s = t->store;
  const char *why;
  switch (t->state) {
  case TOKEN_DONE:
    for (uint32_t i = 0; i < t->h->nresults; i++) {
      wasmtime_val_t *r = &t->results[i];
      switch (t->vals[i].kind) {
      case WB_I32: r->kind = WASMTIME_I32; r->of.i32 = t->vals[i].of.i32; break;
      case WB_I64: r->kind = WASMTIME_I64; r->of.i64 = t->vals[i].of.i64; break;
      case WB_F32: r->kind = WASMTIME_F32; r->of.f32 = t->vals[i].of.f32; break;
      default: r->kind = WASMTIME_F64; r->of.f64 = t->vals[i].of.f64; break;
      }
    }
    return true;
  case TOKEN_FAILED:
    *t->trap_ret = trap_of(t->message ? t->message : "an async host function failed (out of memory for its message)");
    return true;
  default:
    if (!wbd_store_must_stop(s, &why)) return false;
    *t->trap_ret = trap_of(why);
    t->state = TOKEN_FAILED;
    s->async_waiting--;
    return true;
  }
}

/* Drops a token when Wasmtime drops its continuation: after the call went
 * on, or when its future was cancelled. */
static void token_free(void *env) {
  wbd_token_t *t = env;
  if (!t) return;
  if (t->state == TOKEN_PENDING) t->store->async_waiting--;
  wbh_slot_t *ts = wbh_peek(t->id, WBH_KIND_ASYNC_TOKEN);
  if (ts) wbh_delete_bound(ts, t->id);
  free(t->message);
  free(t);
}

static void token_fail(wbd_token_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void token_fail(wbd_token_t *t, const char *fmt, ...) {
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  free(t->message);
  t->message = strdup(msg);
  if (t->state == TOKEN_PENDING) t->store->async_waiting--;
  t->state = TOKEN_FAILED;
}

void wbd_async_trampoline(void *env, wasmtime_caller_t *caller, const wasmtime_val_t *args, size_t nargs,
                          wasmtime_val_t *results, size_t nresults, wasm_trap_t **trap_ret,
                          wasmtime_async_continuation_t *cont) {
  (void)nresults;
  wbd_asyncfn_t *h = env;
  wbd_store_t *s = wasmtime_context_get_data(wasmtime_caller_context(caller));
  cont->callback = token_ready;
  cont->finalizer = token_free;
  cont->env = 0;
  wbd_token_t *t = calloc(1, sizeof *t + h->nresults * sizeof(wb_val_t));
  wb_val_t inline_args[16];
  wb_val_t *argv = nargs <= 16 ? inline_args : malloc(nargs * sizeof *argv);
  uint64_t id = 0;
  if (!t || !argv || wbh_alloc(WBH_KIND_ASYNC_TOKEN, t, s->slot, &id) != WB_OK) {
    free(t);
    if (argv != inline_args) free(argv);
    *trap_ret = trap_of("out of memory for an async host call");
    return;
  }
  t->h = h;
  t->store = s;
  t->id = id;
  t->results = results;
  t->trap_ret = trap_ret;
  t->state = TOKEN_PENDING;
  s->async_waiting++;
  cont->env = t;
  for (size_t i = 0; i < nargs; i++) {
    memset(&argv[i], 0, sizeof argv[i]);
    switch (args[i].kind) {
    case WASMTIME_I32: argv[i].kind = WB_I32; argv[i].of.i32 = args[i].of.i32; break;
    case WASMTIME_I64: argv[i].kind = WB_I64; argv[i].of.i64 = args[i].of.i64; break;
    case WASMTIME_F32: argv[i].kind = WB_F32; argv[i].of.f32 = args[i].of.f32; break;
    default: argv[i].kind = WB_F64; argv[i].of.f64 = args[i].of.f64; break;
    }
  }
  /* (wb_store_delete from inside the callback answers WB_ERR_BUSY: see
   * wbd_store_t.async_polling) */
  uint64_t caller_id;
  bool message = true; /* whether this thread's last error says why it failed */
  wb_status_t st = wbd_caller_enter(s, caller, &caller_id);
  if (st == WB_OK) {
    st = h->callback(h->env, (wb_caller_t){caller_id}, argv, nargs, (wb_async_token_t){id});
    wbd_caller_leave(s);
    /* the stamp of a failure in the callback (status.h) */
    if (st != WB_OK) message = wbi_tls_fail_stamp == caller_id;
  }
  if (argv != inline_args) free(argv);
  if (st != WB_OK && t->state == TOKEN_PENDING) {
    if (!message)
      token_fail(t, "host function %s failed with %s (it set no message)", h->label, wb_status_name(st));
    else
      token_fail(t, "host function %s failed with %s: %s", h->label, wb_status_name(st), wb_last_error());
  }
}

static wb_status_t bound_token(wb_async_token_t token, wbd_token_t **out) {
  wbh_slot_t *ts, *ss;
  wb_status_t st = wbh_bound(token.id, WBH_KIND_ASYNC_TOKEN, &ts, &ss);
  if (st) return st;
  wbd_token_t *t = ts->obj;
  if (t->state != TOKEN_PENDING)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the async host call %s was already %s", t->h->label,
                    t->state == TOKEN_DONE ? "completed" : "failed");
  *out = t;
  return WB_OK;
}

wb_status_t wb_async_complete(wb_async_token_t token, const wb_val_t *results, size_t nresults) {
  wbd_token_t *t;
  wb_status_t st = bound_token(token, &t);
  if (st) return st;
  const wbd_asyncfn_t *h = t->h;
  if (nresults != h->nresults)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "host function %s returns %u results; got %zu", h->label, h->nresults,
                    nresults);
  if (nresults && !results) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "results is NULL with a non-zero count");
  for (size_t i = 0; i < nresults; i++)
    if ((uint32_t)results[i].kind != h->kinds[h->nparams + i])
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "result %zu of host function %s must be a %s, not a %s", i, h->label,
                      wbd_kind_name(h->kinds[h->nparams + i]),
                      (uint32_t)results[i].kind <= WB_CONTREF ? wbd_kind_name((uint8_t)results[i].kind) : "bad kind");
  if (nresults) memcpy(t->vals, results, nresults * sizeof *results);
  t->state = TOKEN_DONE;
  t->store->async_waiting--;
  return WB_OK;
}

wb_status_t wb_async_fail(wb_async_token_t token, const char *message) {
  wbd_token_t *t;
  wb_status_t st = bound_token(token, &t);
  if (st) return st;
  token_fail(t, "host function %s failed: %s", t->h->label, message ? message : "wb_async_fail (no message)");
  if (!t->message) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the message");
  return WB_OK;
}
