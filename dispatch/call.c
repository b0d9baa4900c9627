/* The hot paths: calls, memory access and globals. No Go, no locks: each
 * checks its handle and the calling thread (handles.h, wbh_bound), checks
 * the arguments against what was cached when the handle was made, and then
 * uses Wasmtime's unchecked entry points. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

_Atomic uint64_t wbd_traps, wbd_interrupts;

/* ---- calls -------------------------------------------------------------- */

#define WBD_INLINE_VALS 16

/* A call through Wasmtime's checked entry point (wbd_func_t.mode
 * WBD_CALL_CHECKED): Wasmtime checks the arguments' subtypes (a typed
 * funcref, an eqref...), which wasmbound cannot do itself. The counts,
 * pointers, stack and interrupts are checked already. */
static __attribute__((noinline)) wb_status_t call_checked(wbd_func_t *f, wbh_slot_t *ss, const wb_val_t *args,
                                                         size_t nargs, wb_val_t *results, size_t nresults) {
  wbd_store_t *s = f->store;
  wasmtime_val_t inline_args[WBD_INLINE_VALS], inline_res[WBD_INLINE_VALS];
  wb_val_t inline_conv[WBD_INLINE_VALS];
  wasmtime_val_t *vargs = inline_args, *vres = inline_res;
  wb_val_t *conv = inline_conv;
  wb_status_t st = WB_OK;
  if (__builtin_expect(nargs > WBD_INLINE_VALS || nresults > WBD_INLINE_VALS, 0)) {
    vargs = malloc((nargs + 1) * sizeof *vargs);
    vres = malloc((nresults + 1) * sizeof *vres);
    conv = malloc((nresults + 1) * sizeof *conv);
    if (!vargs || !vres || !conv) {
      st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu call values", nargs + nresults);
      goto out;
    }
  }
  for (size_t i = 0; i < nargs && st == WB_OK; i++)
    st = wbd_val_to_val(ss, s, &args[i], f->typed ? &f->types[i] : 0, "argument", i, &vargs[i]);
  if (st) goto out;
  wasm_trap_t *trap = 0;
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_func_call(f->ctx, &f->func, vargs, nargs, vres, nresults, &trap);
  wbd_wasm_leave(s, outer);
  if (err || trap) {
    st = wbd_fail_call(s, err, trap, "call");
    goto out;
  }
  size_t done = 0;
  for (; done < nresults && st == WB_OK; done++)
    st = wbd_val_from_val(ss, s, &vres[done], f->typed ? &f->types[nargs + done] : 0, f->info, &conv[done]);
  if (st) {
    for (size_t i = done; i < nresults; i++) wasmtime_val_unroot(&vres[i]);
    wbd_vals_drop(conv, done - 1);
    goto out;
  }
  memcpy(results, conv, nresults * sizeof *conv);
out:
  if (vargs != inline_args) free(vargs);
  if (vres != inline_res) free(vres);
  if (conv != inline_conv) free(conv);
  return st;
}

/* The general call: any value kinds and counts (v128 and references are
 * checked and converted out of line, more than 16 values use the heap),
 * and every call that fails wb_func_call's gate: checks the counts and
 * pointers, the stack and interrupts (the handle is checked already). */
static __attribute__((noinline)) wb_status_t call_general(wbd_func_t *f, wbh_slot_t *ss, const wb_val_t *args,
                                                         size_t nargs, wb_val_t *results, size_t nresults) {
  wbd_store_t *s = f->store;
  if (nargs != f->nparams || nresults != f->nresults)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function takes %u arguments and returns %u results; got %zu and %zu",
                    f->nparams, f->nresults, nargs, nresults);
  if (nargs && !args) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "args is NULL with a non-zero count");
  if (nresults && !results) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "results is NULL with a non-zero count");
  if (f->mode == WBD_CALL_REFUSED)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function cannot be called from the host: %s", f->refusal);
  wb_status_t st = wbd_check_stack(s);
  if (st != WB_OK) return st;
  st = wbd_call_begin(s);
  if (st != WB_OK) return st;
  wbd_gate_reopen(s); /* closed by a set and clear that raced, or by nothing left to attend to */
  if (f->mode == WBD_CALL_CHECKED) {
    if ((st = wbd_refuse_async(s, "a call that needs Wasmtime's checked path (wasmtime_func_call)"))) return st;
    return call_checked(f, ss, args, nargs, results, nresults);
  }
  size_t n = f->nvals;
  wasmtime_val_raw_t inline_buf[WBD_INLINE_VALS];
  wasmtime_val_raw_t *buf = inline_buf;
  if (__builtin_expect(n > WBD_INLINE_VALS, 0)) {
    buf = malloc(n * sizeof *buf);
    if (!buf) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu call values", n);
  }
  for (size_t i = 0; i < nargs; i++) {
    if (f->kinds[i] >= WB_FUNCREF && f->kinds[i] != WBD_KIND_UNSUPPORTED)
      st = wbd_ref_to_raw(ss, s, &args[i], &f->types[i], "argument", i, &buf[i]);
    else
      st = wbd_val_to_raw(ss, s, &args[i], f->kinds[i], i, &buf[i]);
    if (__builtin_expect(st != WB_OK, 0)) goto out;
  }
  wasm_trap_t *trap = 0;
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_func_call_unchecked(f->ctx, &f->func, buf, n, &trap);
  wbd_wasm_leave(s, outer);
  if (__builtin_expect(err != 0 || trap != 0, 0)) {
    st = wbd_fail_call(s, err, trap, "call");
    goto out;
  }
  if (nresults) {
    /* results are written only when all convert: straight into `results`
     * when no conversion can fail, else through a buffer */
    int direct = 1;
    for (size_t i = 0; i < nresults; i++) direct &= wbd_kind_cannot_fail(f->kinds[nargs + i]);
    if (__builtin_expect(direct, 1)) {
      for (size_t i = 0; i < nresults; i++) wbd_val_from_raw(ss, s, &buf[i], f->kinds[nargs + i], &results[i]);
      goto out;
    }
    wb_val_t tmp[WBD_INLINE_VALS];
    wb_val_t *conv = nresults <= WBD_INLINE_VALS ? tmp : malloc(nresults * sizeof *conv);
    if (!conv) {
      st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu results", nresults);
      goto out;
    }
    size_t done = 0;
    for (; done < nresults && st == WB_OK; done++) {
      uint8_t k = f->kinds[nargs + done];
      if (k >= WB_FUNCREF && k != WBD_KIND_UNSUPPORTED)
        st = wbd_raw_to_val(ss, s, &buf[done], &f->types[nargs + done], f->info, &conv[done]);
      else
        st = wbd_val_from_raw(ss, s, &buf[done], k, &conv[done]);
    }
    if (st == WB_OK) memcpy(results, conv, nresults * sizeof *conv);
    else wbd_vals_drop(conv, done - 1);
    if (conv != tmp) free(conv);
  }
out:
  if (buf != inline_buf) free(buf);
  return st;
}

/* The fast path's call: every parameter and result a number, at most 16
 * of each, the counts and pointers checked (wb_func_call's gate). The
 * arguments are checked against the cached kinds, the results cannot fail.
 * Stamped out per shape (fast_call_for): for the small shapes np and nr
 * are constants and, where every value has one kind (`uniform`), so are
 * the kinds, so that the copies unroll into a few moves and the frame
 * holds only what the shape needs; one more for any numeric shape (np, nr
 * and kinds read from f, the copies in loops). */
static inline __attribute__((always_inline)) wb_status_t numeric_call(wbd_func_t *f, wbh_slot_t *ss,
                                                                     const wb_val_t *args, wb_val_t *results,
                                                                     size_t nargs, size_t nresults, int uniform,
                                                                     wasmtime_val_raw_t *buf) {
  wbd_store_t *s = f->store;
  /* Anything unusual (a thread's first call, too little stack, an
   * interrupt or time limit, an argument of the wrong kind) is a tail call
   * into call_general, which checks everything again and says what is
   * wrong: nothing of it needs to live in this frame. */
  if (__builtin_expect(!wbd_gate_open(s), 0)) return call_general(f, ss, args, nargs, results, nresults);
  const uint8_t *kinds = f->kinds;
#define WBD_KIND(i) (uniform >= 0 ? (uint8_t)uniform : kinds[i])
  /* every kind compared, one branch (for i32 functions, WB_I32 being 0:
   * the kinds or'ed together) */
  uint32_t wrong = 0;
  for (size_t i = 0; i < nargs; i++) wrong |= (uint32_t)args[i].kind ^ WBD_KIND(i);
  if (__builtin_expect(wrong != 0, 0)) return call_general(f, ss, args, nargs, results, nresults);
  for (size_t i = 0; i < nargs; i++) wbd_num_to_raw(WBD_KIND(i), &args[i], &buf[i]);
  wb_status_t st = wbd_call_unchecked(s, f->ctx, &f->func, buf, f->nvals);
  if (__builtin_expect(st != WB_OK, 0)) return st;
  for (size_t i = 0; i < nresults; i++) wbd_num_from_raw(WBD_KIND(nargs + i), &buf[i], &results[i]);
#undef WBD_KIND
  return wbd_ok();
}

static wb_status_t fast_any(wbd_func_t *f, wbh_slot_t *ss, const wb_val_t *args, wb_val_t *results) {
  wasmtime_val_raw_t buf[WBD_INLINE_VALS];
  return numeric_call(f, ss, args, results, f->nparams, f->nresults, -1, buf);
}

#define WBD_FAST_SHAPE(NAME, NP, NR, UNIFORM)                                                      \
  static wb_status_t NAME(wbd_func_t *f, wbh_slot_t *ss, const wb_val_t *args, wb_val_t *results) { \
    wasmtime_val_raw_t buf[(NP) > (NR) ? (NP) : (NR) ? (NR) : 1];                                \
    return numeric_call(f, ss, args, results, NP, NR, UNIFORM, buf);                              \
  }
#define WBD_FAST_SHAPES(U, T)                                                                        \
  WBD_FAST_SHAPE(fast_0_0_##T, 0, 0, U)                                                              \
  WBD_FAST_SHAPE(fast_1_0_##T, 1, 0, U) WBD_FAST_SHAPE(fast_2_0_##T, 2, 0, U)                         \
  WBD_FAST_SHAPE(fast_3_0_##T, 3, 0, U) WBD_FAST_SHAPE(fast_4_0_##T, 4, 0, U)                         \
  WBD_FAST_SHAPE(fast_0_1_##T, 0, 1, U) WBD_FAST_SHAPE(fast_1_1_##T, 1, 1, U)                         \
  WBD_FAST_SHAPE(fast_2_1_##T, 2, 1, U) WBD_FAST_SHAPE(fast_3_1_##T, 3, 1, U)                         \
  WBD_FAST_SHAPE(fast_4_1_##T, 4, 1, U)
WBD_FAST_SHAPES(WB_I32, i32)
WBD_FAST_SHAPES(WB_I64, i64)
WBD_FAST_SHAPES(-1, mixed)

wbd_fast_call_t wbd_fast_call_for(const wbd_func_t *f) {
  /* [uniform: mixed, i32, i64][nresults][nparams] */
  static const wbd_fast_call_t shaped[3][2][5] = {
      {{fast_0_0_mixed, fast_1_0_mixed, fast_2_0_mixed, fast_3_0_mixed, fast_4_0_mixed},
       {fast_0_1_mixed, fast_1_1_mixed, fast_2_1_mixed, fast_3_1_mixed, fast_4_1_mixed}},
      {{fast_0_0_i32, fast_1_0_i32, fast_2_0_i32, fast_3_0_i32, fast_4_0_i32},
       {fast_0_1_i32, fast_1_1_i32, fast_2_1_i32, fast_3_1_i32, fast_4_1_i32}},
      {{fast_0_0_i64, fast_1_0_i64, fast_2_0_i64, fast_3_0_i64, fast_4_0_i64},
       {fast_0_1_i64, fast_1_1_i64, fast_2_1_i64, fast_3_1_i64, fast_4_1_i64}},
  };
  if (!f->numeric) return 0;
  if (f->nparams > 4 || f->nresults > 1) return fast_any;
  uint32_t n = f->nparams + f->nresults, i32 = 0, i64 = 0;
  for (uint32_t i = 0; i < n; i++) {
    i32 += f->kinds[i] == WB_I32;
    i64 += f->kinds[i] == WB_I64;
  }
  int uniform = n && i32 == n ? 1 : n && i64 == n ? 2 : 0;
  return shaped[uniform][f->nresults][f->nparams];
}

/* wb_func_call past its handle and owner checks. */
static inline __attribute__((always_inline)) wb_status_t call_gated(wbd_func_t *f, wbh_slot_t *ss,
                                                                     const wb_val_t *args, size_t nargs,
                                                                     wb_val_t *results, size_t nresults) {
  /* The gate to the fast path: a numeric function (else the fast counts
   * match nothing), the right counts, and both pointers set. Everything
   * else, including every mistake, goes the general way, which says what
   * is wrong. The fast path itself is a function for the function's shape
   * (wbd_fast_call_for), chosen when the handle was made. */
  if (__builtin_expect(nargs != f->fast_nparams || nresults != f->fast_nresults || !args || !results, 0))
    return call_general(f, ss, args, nargs, results, nresults);
  return f->fast(f, ss, args, results);
}

/* wb_func_call when the quick checks fail: the full check says why (and a
 * thread's first call gets its token here). */
static __attribute__((noinline)) wb_status_t call_slow(wb_func_t func, const wb_val_t *args, size_t nargs,
                                                      wb_val_t *results, size_t nresults) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_FUNC, &fs, &ss);
  if (st != WB_OK) return st;
  return call_gated((wbd_func_t *)fs->obj, ss, args, nargs, results, nresults);
}

wb_status_t wb_func_call(wb_func_t func, const wb_val_t *args, size_t nargs, wb_val_t *results, size_t nresults) {
  /* wbh_bound without its slow paths, so that every way out of here is a
   * tail call: this function needs no frame, the shape's function has the
   * only one. A thread without a token yet (0) matches no owner. */
  wbh_slot_t *fs = wbh_peek(func.id, WBH_KIND_FUNC);
  if (__builtin_expect(!fs, 0)) return call_slow(func, args, nargs, results, nresults);
  wbh_slot_t *ss = fs->store_slot;
  if (__builtin_expect(atomic_load_explicit(&ss->owner, memory_order_acquire) != wbh_tls_token, 0))
    return call_slow(func, args, nargs, results, nresults);
  return call_gated((wbd_func_t *)fs->obj, ss, args, nargs, results, nresults);
}

wb_status_t wb_func_arity(wb_func_t func, size_t *nparams, size_t *nresults) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_FUNC, &fs, &ss);
  if (st) return st;
  wbd_func_t *f = (wbd_func_t *)fs->obj;
  if (nparams) *nparams = f->nparams;
  if (nresults) *nresults = f->nresults;
  return WB_OK;
}

wb_status_t wb_func_type(wb_func_t func, wb_valtype_t *params, size_t nparams, wb_valtype_t *results,
                         size_t nresults) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_FUNC, &fs, &ss);
  if (st) return st;
  wbd_func_t *f = (wbd_func_t *)fs->obj;
  if (nparams < f->nparams || nresults < f->nresults)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "the function has %u parameters and %u results; the arrays have room for %zu and %zu", f->nparams,
                    f->nresults, nparams, nresults);
  if ((f->nparams && !params) || (f->nresults && !results))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL", f->nparams && !params ? "params" : "results");
  if (!f->typed)
    return wbi_fail(WB_ERR_TYPE_MISMATCH,
                    "the function's type cannot be learned through Wasmtime 39's C API: it is a function reference "
                    "of unknown origin in a store whose modules use reference types that API cannot describe "
                    "(GC, typed function references, exceptions); its counts are known (wb_func_arity)");
  if (f->nparams) memcpy(params, f->types, f->nparams * sizeof *params);
  if (f->nresults) memcpy(results, f->types + f->nparams, f->nresults * sizeof *results);
  return WB_OK;
}

/* Appends " (param k...)" or " (result k...)" (nothing for n == 0) to buf,
 * the kinds read one by one through kind(i). */
static void append_kinds(char *buf, size_t cap, const char *word, size_t n, uint8_t (*kind)(const void *, size_t),
                         const void *kinds) {
  if (n == 0) return;
  size_t len = strlen(buf);
  len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, " (%s", word);
  for (size_t i = 0; i < n && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, " %s", wbd_kind_name(kind(kinds, i)));
  if (len < cap) snprintf(buf + len, cap - len, ")");
}
static uint8_t cached_kind(const void *kinds, size_t i) { return ((const uint8_t *)kinds)[i]; }
static uint8_t user_kind(const void *kinds, size_t i) {
  uint32_t k = (uint32_t)((const wb_valkind_t *)kinds)[i];
  return k <= WB_CONTREF ? (uint8_t)k : WBD_KIND_UNSUPPORTED;
}

wb_status_t wb_func_check_type(wb_func_t func, const wb_valkind_t *params, size_t nparams,
                               const wb_valkind_t *results, size_t nresults) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_FUNC, &fs, &ss);
  if (st) return st;
  if (nparams && !params) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "params is NULL with a count of %zu", nparams);
  if (nresults && !results) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "results is NULL with a count of %zu", nresults);
  const wbd_func_t *f = (const wbd_func_t *)fs->obj;
  int same = nparams == f->nparams && nresults == f->nresults;
  for (size_t i = 0; same && i < nparams; i++) same = (uint32_t)params[i] == f->kinds[i];
  for (size_t i = 0; same && i < nresults; i++) same = (uint32_t)results[i] == f->kinds[f->nparams + i];
  if (same) return WB_OK;
  /* say both types, as WAT: "(func (param i32) (result i64))" */
  char has[512] = "(func", asked[512] = "(func";
  append_kinds(has, sizeof has, "param", f->nparams, cached_kind, f->kinds);
  append_kinds(has, sizeof has, "result", f->nresults, cached_kind, f->kinds + f->nparams);
  if (nparams > 1000 || nresults > 1000) /* more than wasm allows: do not read such arrays */
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function has type %s), not a type of %zu parameters and %zu results",
                    has, nparams, nresults);
  append_kinds(asked, sizeof asked, "param", nparams, user_kind, params);
  append_kinds(asked, sizeof asked, "result", nresults, user_kind, results);
  return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function has type %s), not %s)", has, asked);
}

/* ---- memory ------------------------------------------------------------- */

wb_status_t wb_memory_size(wb_memory_t memory, uint64_t *bytes) {
  wbh_slot_t *ms, *ss;
  wb_status_t st = wbh_bound(memory.id, WBH_KIND_MEMORY, &ms, &ss);
  if (st) return st;
  if (!bytes) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "bytes (the out-parameter) is NULL");
  *bytes = wasmtime_memory_data_size(wbd_store_of(ss)->ctx, &((wbd_memory_t *)ms->obj)->memory);
  return WB_OK;
}

wb_status_t wb_memory_grow(wb_memory_t memory, uint64_t delta_pages, uint64_t *previous_pages) {
  wbh_slot_t *ms, *ss;
  wb_status_t st = wbh_bound(memory.id, WBH_KIND_MEMORY, &ms, &ss);
  if (st) return st;
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t prev = 0;
  wasmtime_error_t *err = wasmtime_memory_grow(s->ctx, &((wbd_memory_t *)ms->obj)->memory, delta_pages, &prev);
  s->grow_epoch++; /* the memory may have moved */
  if (err)
    return wbd_fail_error(WB_ERR_LIMIT, err, "memory.grow by %llu pages refused", (unsigned long long)delta_pages);
  if (previous_pages) *previous_pages = prev;
  return WB_OK;
}

/* The base of a memory now. Remembered while no wasm of the store runs
 * (wbd_memory_t.known_base); asked of Wasmtime otherwise. */
static inline __attribute__((always_inline)) uint8_t *memory_base(wbd_memory_t *mo, const wbd_store_t *s) {
  if (__builtin_expect(mo->known_epoch == s->grow_epoch && s->depth == 0, 1)) return mo->known_base;
  uint8_t *base = wasmtime_memory_data(mo->ctx, &mo->memory);
  if (s->depth == 0) {
    mo->known_base = base;
    mo->known_epoch = s->grow_epoch;
  }
  return base;
}

/* Finds [offset, offset+len) in the memory, or reports why not. */
static inline __attribute__((always_inline)) wb_status_t memory_span(wb_memory_t memory, uint64_t offset, size_t len,
                                                                    const void *host, uint8_t **at) {
  wbh_slot_t *ms, *ss;
  wb_status_t st = wbh_bound(memory.id, WBH_KIND_MEMORY, &ms, &ss);
  if (__builtin_expect(st != WB_OK, 0)) return st;
  if (__builtin_expect(!host && len, 0))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the host buffer is NULL with len %zu", len);
  wbd_memory_t *mo = ms->obj;
  size_t size = mo->known_size;
  if (__builtin_expect(offset > size || len > size - offset, 0)) {
    /* beyond what was seen: the memory may have grown since */
    size = mo->known_size = wasmtime_memory_data_size(mo->ctx, &mo->memory);
    if (offset > size || len > size - offset)
      return wbi_fail(WB_ERR_OUT_OF_BOUNDS,
                      "memory access out of bounds: offset %llu + length %zu exceeds the memory size %zu",
                      (unsigned long long)offset, len, size);
  }
  *at = memory_base(mo, wbd_store_of(ss)) + offset;
  return WB_OK;
}

/* The quick way to [offset, offset+len): the handle is live and this
 * thread owns its store, the span lies within the size last seen, and the
 * base last seen is still the base (no wasm of the store runs, nothing grew
 * since). False when any of that fails: memory_span then decides. No
 * frame, no call, no error set. */
static inline __attribute__((always_inline)) int memory_quick(wb_memory_t memory, uint64_t offset, size_t len,
                                                             uint8_t **at) {
  wbh_slot_t *ms = wbh_peek(memory.id, WBH_KIND_MEMORY);
  if (__builtin_expect(!ms, 0)) return 0;
  wbh_slot_t *ss = ms->store_slot; /* read once: the owner's load below is an acquire */
  if (__builtin_expect(atomic_load_explicit(&ss->owner, memory_order_acquire) != wbh_tls_token, 0)) return 0;
  const wbd_memory_t *mo = ms->obj;
  uint64_t end;
  if (__builtin_expect(__builtin_add_overflow(offset, len, &end) || end > mo->known_size, 0)) return 0;
  const wbd_store_t *s = wbd_store_of(ss);
  if (__builtin_expect(mo->known_epoch != s->grow_epoch || s->depth != 0, 0)) return 0;
  *at = mo->known_base + offset;
  return 1;
}

/* wb_memory_read and wb_memory_write past a failed quick check: the full
 * checks, each saying what is wrong, and the copy when none is. */
static __attribute__((noinline)) wb_status_t memory_copy_slow(wb_memory_t memory, uint64_t offset, void *host,
                                                             size_t len, int write) {
  uint8_t *at = 0;
  wb_status_t st = memory_span(memory, offset, len, host, &at);
  if (st == WB_OK && len) write ? memcpy(at, host, len) : memcpy(host, at, len);
  return st;
}

wb_status_t wb_memory_read(wb_memory_t memory, uint64_t offset, void *dst, size_t len) {
  uint8_t *at;
  if (__builtin_expect(!memory_quick(memory, offset, len, &at) || !dst, 0))
    return memory_copy_slow(memory, offset, dst, len, 0);
  memcpy(dst, at, len);
  return WB_OK;
}

wb_status_t wb_memory_write(wb_memory_t memory, uint64_t offset, const void *src, size_t len) {
  uint8_t *at;
  if (__builtin_expect(!memory_quick(memory, offset, len, &at) || !src, 0))
    return memory_copy_slow(memory, offset, (void *)src, len, 1);
  memcpy(at, src, len);
  return WB_OK;
}

/* ---- globals ------------------------------------------------------------ */

wb_status_t wb_global_get(wb_global_t global, wb_val_t *out) {
  wbh_slot_t *gs, *ss;
  wb_status_t st = wbh_bound(global.id, WBH_KIND_GLOBAL, &gs, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_global_t *g = (wbd_global_t *)gs->obj;
  wbd_store_t *s = wbd_store_of(ss);
  /* wasmtime_global_get aborts on exnref and contref values, null or not */
  if (g->typed ? (g->kind == WB_EXNREF || g->kind == WB_CONTREF) : !wbd_store_no_exn(s))
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the global %s, which Wasmtime 39's C API cannot read (it aborts on "
                                          "exception and continuation references)",
                    g->typed ? "holds such references" : "may hold exception references");
  wasmtime_val_t v;
  wasmtime_global_get(s->ctx, &g->global, &v);
  wb_val_t r;
  st = wbd_val_from_val(ss, s, &v, g->typed ? &g->type.content : 0, g->info, &r);
  if (st) return st;
  *out = r;
  return WB_OK;
}

wb_status_t wb_global_type(wb_global_t global, wb_globaltype_t *out) {
  wbh_slot_t *gs, *ss;
  wb_status_t st = wbh_bound(global.id, WBH_KIND_GLOBAL, &gs, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_global_t *g = (wbd_global_t *)gs->obj;
  if (!g->typed)
    return wbi_fail(WB_ERR_TYPE_MISMATCH,
                    "the global's type cannot be learned through Wasmtime 39's C API (a global of unknown origin in a "
                    "store whose modules use reference types that API cannot describe)");
  *out = g->type;
  out->is_mutable = g->is_mutable;
  return WB_OK;
}

wb_status_t wb_global_set(wb_global_t global, const wb_val_t *value) {
  wbh_slot_t *gs, *ss;
  wb_status_t st = wbh_bound(global.id, WBH_KIND_GLOBAL, &gs, &ss);
  if (st) return st;
  if (!value) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "value is NULL");
  wbd_global_t *g = (wbd_global_t *)gs->obj;
  wbd_store_t *s = wbd_store_of(ss);
  if (!g->is_mutable) return wbi_fail(WB_ERR_TYPE_MISMATCH, "the global is immutable");
  if (g->typed && (g->kind == WB_EXNREF || g->kind == WB_CONTREF))
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the global holds %s, which Wasmtime 39's C API cannot set",
                    g->kind == WB_EXNREF ? "exception references" : "continuation references");
  wasmtime_val_t v;
  /* checked by wasmbound (kind, store, nullability) and then by Wasmtime
   * (subtypes), which returns an error rather than abort */
  st = wbd_val_to_val(ss, s, value, g->typed ? &g->type.content : 0, "the global's value", WBD_NO_INDEX, &v);
  if (st) return st;
  wasmtime_error_t *err = wasmtime_global_set(s->ctx, &g->global, &v);
  if (err) return wbd_fail_error(WB_ERR_TYPE_MISMATCH, err, "global.set refused");
  return WB_OK;
}

wb_status_t wb_memory_type(wb_memory_t memory, wb_memorytype_t *out) {
  wbh_slot_t *ms, *ss;
  wb_status_t st = wbh_bound(memory.id, WBH_KIND_MEMORY, &ms, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  /* wasmtime_memorytype_* read 64-bit limits: nothing here can abort */
  wasm_memorytype_t *mt = wasmtime_memory_type(wbd_store_of(ss)->ctx, &((wbd_memory_t *)ms->obj)->memory);
  wb_memorytype_t t;
  memset(&t, 0, sizeof t);
  t.min = wasmtime_memorytype_minimum(mt);
  t.has_max = wasmtime_memorytype_maximum(mt, &t.max);
  if (!t.has_max) t.max = 0;
  t.is64 = wasmtime_memorytype_is64(mt);
  t.shared = wasmtime_memorytype_isshared(mt);
  t.page_size_log2 = wasmtime_memorytype_page_size_log2(mt);
  wasm_memorytype_delete(mt);
  *out = t;
  return WB_OK;
}
