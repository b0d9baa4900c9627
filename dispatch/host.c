/* Host functions: the C trampoline Wasmtime calls when wasm calls an import
 * defined by wb_linker_define_func, and the caller handle it hands to the
 * user's callback. No Go on this path. */
#include <stdlib.h>

#include "values.h"

#define WBD_INLINE_VALS 16

void wbd_hostfn_finalize(void *env) {
  wbd_hostfn_t *h = env;
  if (h->finalizer) h->finalizer(h->env);
  free(h->label);
  free(h);
}

/* A caller slot for this nesting level when there is none yet. */
static __attribute__((noinline)) wb_status_t caller_slot_new(wbd_store_t *s, uint32_t level) {
  if (level >= s->ncaller_slots) {
    uint32_t n = s->ncaller_slots ? s->ncaller_slots * 2 : 4;
    wbh_slot_t **slots = realloc(s->caller_slots, n * sizeof *slots);
    if (!slots) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a caller handle");
    for (uint32_t i = s->ncaller_slots; i < n; i++) slots[i] = 0;
    s->caller_slots = slots;
    s->ncaller_slots = n;
  }
  wbh_slot_t *cs = s->caller_slots[level];
  if (!cs) {
    wbd_caller_t *obj = calloc(1, sizeof *obj);
    uint64_t cid;
    if (!obj) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a caller handle");
    wb_status_t st = wbh_alloc(WBH_KIND_CALLER, obj, s->slot, &cid);
    if (st) {
      free(obj);
      return st;
    }
    obj->index = wbh_id_index(cid);
    obj->level = level;
    s->caller_slots[level] = wbh_slot_at(obj->index);
    if (level == 0) {
      s->caller0_slot = s->caller_slots[0];
      s->caller0_id = cid;
    }
  }
  return WB_OK;
}

/* A caller id for this nesting level of host calls, valid until leave;
 * *slot_out is the caller slot, for caller_leave. */
static inline __attribute__((always_inline)) wb_status_t caller_enter(wbd_store_t *s, wasmtime_caller_t *caller,
                                                                     uint64_t *id, wbh_slot_t **slot_out) {
  uint32_t level = s->host_depth;
  if (__builtin_expect(level == 0 && s->caller0_slot != 0, 1)) { /* no loads through the slot */
    s->caller0_ptr = caller;
    s->host_depth = 1;
    *id = s->caller0_id;
    *slot_out = s->caller0_slot;
    return WB_OK;
  }
  if (__builtin_expect(level >= s->ncaller_slots || !s->caller_slots[level], 0)) {
    wb_status_t st = caller_slot_new(s, level);
    if (st) return st;
  }
  wbh_slot_t *cs = s->caller_slots[level];
  wbd_caller_t *c = cs->obj;
  if (level == 0) s->caller0_ptr = caller;
  else c->caller = caller;
  s->host_depth = level + 1;
  *id = wbh_make_id((uint32_t)(atomic_load_explicit(&cs->state, memory_order_relaxed) >> 32), WBH_KIND_CALLER,
                    c->index);
  *slot_out = cs;
  return WB_OK;
}

/* Ends the callback that caller_enter began. Nested callbacks use deeper
 * levels and leave this one's slot where it was (the array may move). */
static inline __attribute__((always_inline)) void caller_leave(wbd_store_t *s, wbh_slot_t *cs) {
  uint32_t level = --s->host_depth;
  /* every id issued for this callback dies with it (the slot moves to its
   * next generation) */
  if (__builtin_expect(level == 0, 1)) {
    /* cs is caller0_slot, and caller0_id carries its generation: the bump
     * needs no decoding of the state word unless the generation is used up */
    s->caller0_ptr = 0;
    uint64_t id = s->caller0_id;
    if (__builtin_expect(wbh_id_gen(id) < 0xFFFFFFFEu, 1)) {
      uint64_t state = atomic_load_explicit(&cs->state, memory_order_relaxed);
      atomic_store_explicit(&cs->state, state + (UINT64_C(1) << 32), memory_order_release);
      s->caller0_id = id + (UINT64_C(1) << 32);
      return;
    }
  } else {
    ((wbd_caller_t *)cs->obj)->caller = 0;
  }
  /* a used-up slot is dropped here (its store's delete frees it) and
   * replaced on next use */
  if (__builtin_expect(!wbh_next_generation(cs), 0)) {
    s->caller_slots[level] = 0;
    if (level == 0) s->caller0_slot = 0;
  } else if (level == 0) {
    s->caller0_id += UINT64_C(1) << 32;
  }
}

static __attribute__((noinline, cold)) wasm_trap_t *host_trap(const wbd_hostfn_t *h, wb_status_t st,
                                                              uint64_t failures_before) {
  char msg[4096];
  int n;
  if (wbi_tls_failures == failures_before)
    n = snprintf(msg, sizeof msg, "host function %s failed with %s (it set no message)", h->label,
                 wb_status_name(st));
  else
    n = snprintf(msg, sizeof msg, "host function %s failed with %s: %s", h->label, wb_status_name(st),
                 wb_last_error());
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof msg) n = sizeof msg - 1;
  return wasmtime_trap_new(msg, (size_t)n);
}

/* A callback changed a result's kind: says what is wrong, as a trap. */
static __attribute__((noinline, cold)) wasm_trap_t *result_kind_trap(const wbd_hostfn_t *h, wbd_store_t *s,
                                                                     const wb_val_t *result, uint8_t kind,
                                                                     uint32_t i, uint64_t failures_before) {
  wasmtime_val_raw_t ignored;
  wb_status_t st = wbd_named_to_raw(s->slot, s, result, kind, "the callback's result", i, &ignored);
  return host_trap(h, st, failures_before);
}

/* The trampolines for the common case (h->numeric, chosen when the
 * function is defined): at most 16 parameters and results, all of them
 * numbers, so no conversion can fail and no buffer is allocated. They do
 * what the general one below does. numeric_body is stamped out for each
 * small shape (np parameters, nr results, constants there, so the copies
 * unroll and the frame holds only what the shape needs), once more where
 * every value of the shape is an i32, or every one an i64 (`uniform`: the
 * kinds are constants then), and once for any count and kinds
 * (wbd_host_trampoline_numeric). uniform < 0: the kinds are read from h. */
static inline __attribute__((always_inline)) wasm_trap_t *numeric_body(const wbd_hostfn_t *h,
                                                                      wasmtime_caller_t *caller,
                                                                      wasmtime_val_raw_t *vals, uint32_t np,
                                                                      uint32_t nr, int uniform, wb_val_t *args,
                                                                      wb_val_t *results) {
  /* the store this thread entered last (objects.h) */
  wbd_store_t *s = wbd_tls_running;
  if (__builtin_expect(!s, 0)) s = wasmtime_context_get_data(wasmtime_caller_context(caller));
  uint64_t failures = wbi_tls_failures;
  const uint8_t *kinds = h->kinds;
#define WBD_KIND(i) (uniform >= 0 ? (uint8_t)uniform : kinds[i])
  for (uint32_t i = 0; i < np; i++) wbd_num_from_raw(WBD_KIND(i), &vals[i], &args[i]);
  for (uint32_t i = 0; i < nr; i++) {
    results[i].kind = (wb_valkind_t)WBD_KIND(np + i);
    results[i].of.i64 = 0;
  }
  uint64_t caller_id = 0;
  wbh_slot_t *cs = 0;
  wb_status_t st = caller_enter(s, caller, &caller_id, &cs);
  if (__builtin_expect(st != WB_OK, 0)) return host_trap(h, st, failures);
  st = h->callback(h->env, (wb_caller_t){caller_id}, args, np, results, nr);
  caller_leave(s, cs);
  if (__builtin_expect(st != WB_OK, 0)) return host_trap(h, st, failures);
  for (uint32_t i = 0; i < nr; i++) {
    uint8_t k = WBD_KIND(np + i);
    if (__builtin_expect((uint32_t)results[i].kind != k, 0)) return result_kind_trap(h, s, &results[i], k, i, failures);
    wbd_num_to_raw(k, &results[i], &vals[i]);
  }
#undef WBD_KIND
  return 0;
}

wasm_trap_t *wbd_host_trampoline_numeric(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) {
  (void)n;
  const wbd_hostfn_t *h = env;
  wb_val_t args[WBD_INLINE_VALS], results[WBD_INLINE_VALS];
  return numeric_body(h, caller, vals, h->nparams, h->nresults, -1, args, results);
}

#define WBD_SHAPED_TRAMPOLINE(NAME, NP, NR, UNIFORM)                                                   \
  static wasm_trap_t *NAME(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) { \
    (void)n;                                                                                          \
    wb_val_t args[NP + 1], results[NR + 1];                                                           \
    return numeric_body(env, caller, vals, NP, NR, UNIFORM, args, results);                           \
  }
/* mixed kinds (and the shape without values) */
WBD_SHAPED_TRAMPOLINE(host_0_0, 0, 0, -1)
WBD_SHAPED_TRAMPOLINE(host_1_0, 1, 0, -1)
WBD_SHAPED_TRAMPOLINE(host_2_0, 2, 0, -1)
WBD_SHAPED_TRAMPOLINE(host_3_0, 3, 0, -1)
WBD_SHAPED_TRAMPOLINE(host_4_0, 4, 0, -1)
WBD_SHAPED_TRAMPOLINE(host_0_1, 0, 1, -1)
WBD_SHAPED_TRAMPOLINE(host_1_1, 1, 1, -1)
WBD_SHAPED_TRAMPOLINE(host_2_1, 2, 1, -1)
WBD_SHAPED_TRAMPOLINE(host_3_1, 3, 1, -1)
WBD_SHAPED_TRAMPOLINE(host_4_1, 4, 1, -1)
/* every value an i32 */
WBD_SHAPED_TRAMPOLINE(host_1_0_i32, 1, 0, WB_I32)
WBD_SHAPED_TRAMPOLINE(host_2_0_i32, 2, 0, WB_I32)
WBD_SHAPED_TRAMPOLINE(host_3_0_i32, 3, 0, WB_I32)
WBD_SHAPED_TRAMPOLINE(host_4_0_i32, 4, 0, WB_I32)
WBD_SHAPED_TRAMPOLINE(host_0_1_i32, 0, 1, WB_I32)
WBD_SHAPED_TRAMPOLINE(host_1_1_i32, 1, 1, WB_I32)
WBD_SHAPED_TRAMPOLINE(host_2_1_i32, 2, 1, WB_I32)
WBD_SHAPED_TRAMPOLINE(host_3_1_i32, 3, 1, WB_I32)
WBD_SHAPED_TRAMPOLINE(host_4_1_i32, 4, 1, WB_I32)
/* every value an i64 */
WBD_SHAPED_TRAMPOLINE(host_1_0_i64, 1, 0, WB_I64)
WBD_SHAPED_TRAMPOLINE(host_2_0_i64, 2, 0, WB_I64)
WBD_SHAPED_TRAMPOLINE(host_3_0_i64, 3, 0, WB_I64)
WBD_SHAPED_TRAMPOLINE(host_4_0_i64, 4, 0, WB_I64)
WBD_SHAPED_TRAMPOLINE(host_0_1_i64, 0, 1, WB_I64)
WBD_SHAPED_TRAMPOLINE(host_1_1_i64, 1, 1, WB_I64)
WBD_SHAPED_TRAMPOLINE(host_2_1_i64, 2, 1, WB_I64)
WBD_SHAPED_TRAMPOLINE(host_3_1_i64, 3, 1, WB_I64)
WBD_SHAPED_TRAMPOLINE(host_4_1_i64, 4, 1, WB_I64)

wasmtime_func_unchecked_callback_t wbd_host_trampoline_for(const wbd_hostfn_t *h) {
  /* [uniform: mixed, i32, i64][nresults][nparams] */
  static const wasmtime_func_unchecked_callback_t shaped[3][2][5] = {
      {{host_0_0, host_1_0, host_2_0, host_3_0, host_4_0}, {host_0_1, host_1_1, host_2_1, host_3_1, host_4_1}},
      {{host_0_0, host_1_0_i32, host_2_0_i32, host_3_0_i32, host_4_0_i32},
       {host_0_1_i32, host_1_1_i32, host_2_1_i32, host_3_1_i32, host_4_1_i32}},
      {{host_0_0, host_1_0_i64, host_2_0_i64, host_3_0_i64, host_4_0_i64},
       {host_0_1_i64, host_1_1_i64, host_2_1_i64, host_3_1_i64, host_4_1_i64}},
  };
  if (!h->numeric) return wbd_host_trampoline;
  if (h->nparams > 4 || h->nresults > 1) return wbd_host_trampoline_numeric;
  uint32_t n = h->nparams + h->nresults, i32 = 0, i64 = 0;
  for (uint32_t i = 0; i < n; i++) {
    i32 += h->kinds[i] == WB_I32;
    i64 += h->kinds[i] == WB_I64;
  }
  int uniform = n && i32 == n ? 1 : n && i64 == n ? 2 : 0;
  return shaped[uniform][h->nresults][h->nparams];
}

wasm_trap_t *wbd_host_trampoline(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) {
  (void)n;
  const wbd_hostfn_t *h = env;
  wasmtime_context_t *ctx = wasmtime_caller_context(caller);
  wbd_store_t *s = wasmtime_context_get_data(ctx);
  wbh_slot_t *ss = s->slot;
  uint64_t failures = wbi_tls_failures;
  wb_val_t args_buf[WBD_INLINE_VALS], results_buf[WBD_INLINE_VALS];
  wb_val_t *args = args_buf, *results = results_buf;
  wb_status_t st = WB_OK;
  if (__builtin_expect(h->nparams > WBD_INLINE_VALS || h->nresults > WBD_INLINE_VALS, 0)) {
    args = malloc((h->nparams + 1) * sizeof *args);
    results = malloc((h->nresults + 1) * sizeof *results);
    if (!args || !results) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for host call values");
  }
  uint32_t converted = 0; /* arguments converted: their wb_ref_t handles are dropped after the callback */
  for (; converted < h->nparams && st == WB_OK; converted++)
    st = wbd_val_from_raw(ss, s, &vals[converted], h->kinds[converted], &args[converted]);
  if (st) converted--;
  for (uint32_t i = 0; i < h->nresults && st == WB_OK; i++) {
    memset(&results[i], 0, sizeof results[i]);
    results[i].kind = (wb_valkind_t)h->kinds[h->nparams + i];
  }
  uint64_t caller_id = 0;
  wbh_slot_t *cs = 0;
  if (st == WB_OK) st = caller_enter(s, caller, &caller_id, &cs);
  if (st == WB_OK) {
    st = h->callback(h->env, (wb_caller_t){caller_id}, args, h->nparams, results, h->nresults);
    caller_leave(s, cs);
  }
  /* (a result may be one of the arguments: converted before those go) */
  for (uint32_t i = 0; i < h->nresults && st == WB_OK; i++) {
    st = wbd_named_to_raw(ss, s, &results[i], h->kinds[h->nparams + i], "the callback's result", i, &vals[i]);
  }
  wbd_vals_drop(args, converted); /* borrowed by the callback: valid during it only */
  wasm_trap_t *trap = st == WB_OK ? 0 : host_trap(h, st, failures);
  if (args != args_buf) free(args);
  if (results != results_buf) free(results);
  return trap;
}

/* ---- the caller handle ------------------------------------------------------ */

static wb_status_t caller_export(wb_caller_t caller, const char *name, int want, uint64_t *out) {
  wbh_slot_t *cs, *ss;
  wb_status_t st = wbh_bound(caller.id, WBH_KIND_CALLER, &cs, &ss);
  if (st) return st;
  if (!WBD_CALLER_OF(wbd_store_of(ss), (wbd_caller_t *)cs->obj))
    return wbi_fail(WB_ERR_INVALID_HANDLE, "invalid handle: the wb_caller_t is used outside its callback");
  size_t len;
  if ((st = wbd_check_name(name, "name", &len))) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wb_extern_t e; /* the kind and type are checked against the module's types (exports.c) */
  st = wbd_caller_export(caller, name, len, want, &e);
  if (st == WB_OK) *out = e.of.func.id;
  return st;
}

wb_status_t wb_caller_get_memory(wb_caller_t caller, const char *name, wb_memory_t *out) {
  return caller_export(caller, name, WB_EXTERN_MEMORY, out ? &out->id : 0);
}

wb_status_t wb_caller_get_func(wb_caller_t caller, const char *name, wb_func_t *out) {
  return caller_export(caller, name, WB_EXTERN_FUNC, out ? &out->id : 0);
}

wb_status_t wb_caller_get_global(wb_caller_t caller, const char *name, wb_global_t *out) {
  return caller_export(caller, name, WB_EXTERN_GLOBAL, out ? &out->id : 0);
}

wb_status_t wb_caller_get_table(wb_caller_t caller, const char *name, wb_table_t *out) {
  return caller_export(caller, name, WB_EXTERN_TABLE, out ? &out->id : 0);
}

wb_status_t wb_caller_store(wb_caller_t caller, wb_store_t *out) {
  wbh_slot_t *cs, *ss;
  wb_status_t st = wbh_bound(caller.id, WBH_KIND_CALLER, &cs, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  out->id = wbd_store_of(ss)->id;
  return WB_OK;
}

/* caller_enter and caller_leave for async host functions (async.c). */
wb_status_t wbd_caller_enter(wbd_store_t *s, wasmtime_caller_t *caller, uint64_t *id, wbh_slot_t **slot_out) {
  return caller_enter(s, caller, id, slot_out);
}

void wbd_caller_leave(wbd_store_t *s, wbh_slot_t *slot) { caller_leave(s, slot); }
