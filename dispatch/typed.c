/* The typed call path: a function checked once against a signature its
 * host names (wb_func_typed), then called with raw values in place
 * (wb_typed_call). Per call it keeps exactly the checks the promise needs
 * (the handle, the owner thread, the native stack, a pending interrupt or
 * time limit) and drops the rest: no kinds to compare, no counts to check
 * against a signature, no values to copy. */
#include "values.h"

_Static_assert(sizeof(wb_raw_t) == sizeof(wasmtime_val_raw_t), "a wb_raw_t is a wasmtime_val_raw_t");
_Static_assert(_Alignof(wb_raw_t) >= _Alignof(wasmtime_val_raw_t), "and aligned as one");

wb_status_t wb_func_typed(wb_func_t func, const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                          size_t nresults, wb_typed_func_t *out) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_FUNC, &fs, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  for (size_t i = 0; i < nparams && params; i++)
    if ((uint32_t)params[i] > WB_V128)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "params[%zu] is %s: a typed call passes numbers and v128 only (call "
                                            "functions with references through wb_func_call)",
                      i, (uint32_t)params[i] <= WB_CONTREF ? wbd_kind_name((uint8_t)params[i]) : "not a kind");
  for (size_t i = 0; i < nresults && results; i++)
    if ((uint32_t)results[i] > WB_V128)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "results[%zu] is %s: a typed call passes numbers and v128 only (call "
                                            "functions with references through wb_func_call)",
                      i, (uint32_t)results[i] <= WB_CONTREF ? wbd_kind_name((uint8_t)results[i]) : "not a kind");
  /* the exact type, or a message that names both */
  if ((st = wb_func_check_type(func, params, nparams, results, nresults))) return st;
  wbd_func_t *f = fs->obj;
  wbd_store_t *s = f->store;
  /* a store of an async engine runs wasm through call futures only: refused
   * here rather than at every call */
  if (s->engine->async_support)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the store's engine has async_support: call with wb_func_call_async");
  if (f->typed_id && wbh_peek(f->typed_id, WBH_KIND_TYPED_FUNC)) {
    out->id = f->typed_id; /* one typed handle per function */
    return WB_OK;
  }
  uint64_t id;
  /* the object is the function's own: the typed handle owns nothing */
  if ((st = wbh_alloc(WBH_KIND_TYPED_FUNC, f, ss, &id))) return st;
  /* what every call needs, in the slot the handle check reads (handles.h):
   * the store and its context live as long as the function */
  wbh_slot_t *ts = wbh_slot_of_id(id);
  ts->typed_ctx = f->ctx;
  ts->typed_store = s;
  f->typed_id = id;
  out->id = id;
  return WB_OK;
}

/* The call past every check: the store's depth and running store around
 * Wasmtime's unchecked call. nvals is the caller's room, at least the
 * function's f->nvals (Wasmtime only bounds its reads and writes by the
 * function's type): passed as it came, it needs no register moved. */
static inline __attribute__((always_inline)) wb_status_t typed_run(const wbh_slot_t *fs, const wbd_func_t *f,
                                                                  wbd_store_t *s, wb_raw_t *vals, size_t nvals) {
  wb_status_t st = wbd_call_unchecked(s, fs->typed_ctx, &f->func, (wasmtime_val_raw_t *)vals, nvals);
  if (__builtin_expect(st != WB_OK, 0)) return st;
  return wbd_ok();
}

/* wb_typed_call when a quick check fails: every check again, each saying
 * what is wrong, and the call when none is (a NULL vals for a function
 * without values, a thread's first call, an interrupt to take). */
static __attribute__((noinline, cold)) wb_status_t typed_slow(wb_typed_func_t func, wb_raw_t *vals, size_t nvals) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_TYPED_FUNC, &fs, &ss);
  if (st != WB_OK) return st;
  wbd_func_t *f = (wbd_func_t *)fs->obj;
  /* a short or NULL buffer (a function without values needs none) */
  if (nvals < f->nvals || (!vals && f->nvals)) {
    if (nvals < f->nvals)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "vals has room for %zu values; the function needs %zu (the larger of its %u parameters and %u "
                      "results)",
                      nvals, f->nvals, f->nparams, f->nresults);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "vals is NULL with a count of %zu", nvals);
  }
  wbd_store_t *s = fs->typed_store;
  if ((st = wbd_check_stack(s)) != WB_OK) return st;
  if ((st = wbd_call_begin(s)) != WB_OK) return st;
  wbd_gate_reopen(s); /* closed by a set and clear that raced, or by nothing left to attend to */
  return typed_run(fs, f, s, vals, nvals);
}

wb_status_t wb_typed_call(wb_typed_func_t func, wb_raw_t *vals, size_t nvals) {
  /* The quick checks, each failure a tail call into typed_slow, so that
   * only the call itself needs a frame: the handle is live and this
   * thread owns its store, vals holds the function's values, the stack
   * suffices and nothing (an interrupt, a time limit) needs attention. */
  wbh_slot_t *fs = wbh_peek_bound(func.id, WBH_KIND_TYPED_FUNC);
  if (__builtin_expect(!fs, 0)) return typed_slow(func, vals, nvals);
  const wbd_func_t *f = (const wbd_func_t *)fs->obj;
  if (__builtin_expect(nvals < f->nvals || !vals, 0)) return typed_slow(func, vals, nvals);
  wbd_store_t *s = fs->typed_store;
  if (__builtin_expect(!wbd_gate_open(s), 0)) return typed_slow(func, vals, nvals);
  return typed_run(fs, f, s, vals, nvals);
}
