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

/* ---- caller handles ----------------------------------------------------------
 *
 * A callback's wb_caller_t must die with the callback: one kept and used
 * later is WB_ERR_INVALID_HANDLE. So every callback gets an id of its own,
 * and the trampolines pay for that with one add. A caller slot (one per
 * nesting level of host calls, kept for the store's life) stays live in
 * the generation it was allocated with; the ids its callbacks are given
 * count on from there, held in the store (level 0, the common case: one
 * load nearer) or in the caller object (deeper levels) rather than in the
 * slot's state word, and only wbd_caller_bound compares them. Before the
 * store's delete frees the slots, wbd_callers_fini moves each slot's state
 * to the last id it gave, so that the slot's next user starts beyond every
 * id ever issued for it (no id comes back to life). A slot whose ids would
 * pass the last generation is retired and replaced. */

/* The id a level's current (or next) callback is given (0 while the level
 * has no slot), and its Wasmtime caller (NULL outside the callback): level
 * 0 keeps both in the store. */
static inline uint64_t *caller_id_at(wbd_store_t *s, wbd_caller_t *c) {
  return c->level == 0 ? &s->caller0_id : &c->id;
}
static inline wasmtime_caller_t **caller_ptr_at(wbd_store_t *s, wbd_caller_t *c) {
  return c->level == 0 ? &s->caller0_ptr : &c->caller;
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
  if (!s->caller_slots[level]) {
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
    *caller_id_at(s, obj) = cid;
    if (level == 0) s->caller0_ptr = 0; /* ready */
  }
  return WB_OK;
}

/* A level's ids would pass the last generation: its slot is retired (each
 * of its ids, the last included, then reads as one whose callback
 * returned) and the level gets a new one on next use. */
static __attribute__((noinline, cold)) void caller_slot_used_up(wbd_store_t *s, uint32_t level) {
  wbh_use_up(s->caller_slots[level]);
  s->caller_slots[level] = 0;
  /* (caller0_id keeps the last id plus one generation, wrapped: level_0_failed
   * reads the last id from it) */
  if (level == 0) s->caller0_ptr = WBD_NO_CALLER_SLOT;
}

/* The next id of a level after a callback: false when its ids are used up.
 * The generation is bits 32-63, so the add carries out exactly when it
 * would pass 0xFFFFFFFF; ids up to that generation are only compared by
 * wbd_caller_bound, and a slot freed at 0xFFFFFFFF is retired.
 * The add is 64 bits wide, as wide as the next callback's load of the id:
 * an add to the upper half alone saved an instruction, but the next load
 * could not take its value from that 4-byte store while it was still in
 * the store buffer, and waited. On x86-64 it is written out so that it
 * stays where the source puts it, the add right before its jump, after
 * the caller's pointer is cleared: the compiler moved the add of the
 * portable form ahead of that store, and the host call (make bench,
 * host_call) took 5.95 ns where this takes 5.75, the old 4-byte add 6.02. */
static inline __attribute__((always_inline)) bool caller_id_next(uint64_t *id) {
#if defined(__x86_64__) && defined(__GNUC__)
  __asm__ goto("addq %1, %0\n\tjc %l[used_up]" : "+m"(*id) : "r"(UINT64_C(1) << 32) : "cc" : used_up);
  return true;
used_up:
  return false;
#else
  return !__builtin_add_overflow(*id, UINT64_C(1) << 32, id);
#endif
}

/* A caller id for this nesting level of host calls, valid until leave.
 * The trampolines' common case, level 0 with a slot, is WBD_LEVEL_0_CALL,
 * inlined; this is every other (and async host functions'). */
static wb_status_t caller_enter(wbd_store_t *s, wasmtime_caller_t *caller, uint64_t *id) {
  /* (a caller in caller0_ptr is what says that level 0 is in progress) */
  if ((uintptr_t)caller <= 1) return wbi_fail(WB_ERR_INTERNAL, "a host function was called without its caller");
  uint32_t level = wbd_host_depth(s);
  if (level >= s->ncaller_slots || !s->caller_slots[level]) {
    wb_status_t st = caller_slot_new(s, level);
    if (st) return st;
  }
  wbd_caller_t *c = s->caller_slots[level]->obj;
  *caller_ptr_at(s, c) = caller;
  if (level > 0) s->host_nested = level;
  *id = *caller_id_at(s, c);
  return WB_OK;
}

/* Ends the callback that caller_enter began (the innermost in progress):
 * its id dies. Nested callbacks use deeper levels and leave this one's
 * where it was. */
static void caller_leave(wbd_store_t *s) {
  uint32_t level = s->host_nested;
  if (level > 0) s->host_nested = level - 1;
  wbd_caller_t *c = s->caller_slots[level]->obj;
  *caller_ptr_at(s, c) = 0;
  if (__builtin_expect(!caller_id_next(caller_id_at(s, c)), 0)) caller_slot_used_up(s, level);
}

void wbd_callers_fini(wbd_store_t *s) {
  for (uint32_t level = 0; level < s->ncaller_slots; level++) {
    wbh_slot_t *cs = s->caller_slots[level];
    if (!cs) continue;
    uint32_t gen = (uint32_t)(*caller_id_at(s, cs->obj) >> 32); /* (at the last, freeing retires it) */
    uint64_t state = atomic_load_explicit(&cs->state, memory_order_relaxed);
    atomic_store_explicit(&cs->state, (uint64_t)gen << 32 | (state & 0xFFFFFFFFu), memory_order_release);
  }
}

/* Whether a level-0 caller id of a released or orphaned store is one
 * whose callback returned: as for every other kind, a dead handle is
 * WB_ERR_INVALID_HANDLE on any thread. Such a store runs on no thread, so
 * its ids hold still; a reference keeps the store object while it is read
 * (a thread adopting and deleting it meanwhile cannot free it), and the
 * load is atomic (a thread adopting it and calling could move the id:
 * either answer is true then). Deeper levels' ids live in caller objects,
 * which the store's delete frees: those are reported as on the wrong
 * thread. */
static bool caller_returned(wbh_slot_t *cs, uint64_t id) {
  uint64_t store_id = wbh_make_id(cs->store_gen, WBH_KIND_STORE, cs->store_index);
  void *obj;
  if (wbh_acquire(store_id, WBH_KIND_STORE, &obj) != WB_OK) return false;
  const wbd_store_t *s = obj;
  bool returned = s->ncaller_slots > 0 && s->caller_slots[0] == cs &&
                  id < __atomic_load_n(&s->caller0_id, __ATOMIC_RELAXED);
  wbh_release(store_id);
  return returned;
}

/* Checks a caller id for the calling thread: a live caller slot of a store
 * this thread owns, and the id its level's running callback was given. */
wb_status_t wbd_caller_bound(wb_caller_t caller, wbd_store_t **s_out, wasmtime_caller_t **caller_out) {
  uint64_t id = caller.id;
  wbh_slot_t *cs = wbh_id_kind(id) == WBH_KIND_CALLER ? wbh_slot_of_id(id) : 0;
  if (!cs) return wbh_fail_invalid(id, WBH_KIND_CALLER);
  uint64_t state = atomic_load_explicit(&cs->state, memory_order_acquire);
  /* live, a caller's, and allocated no later than the id was issued (ids
   * only count on from the slot's generation) */
  if (((state & WBH_STATE_KIND_MASK) >> WBH_STATE_KIND_SHIFT) != WBH_KIND_CALLER ||
      wbh_id_gen(id) < (uint32_t)(state >> 32))
    return wbh_fail_invalid(id, WBH_KIND_CALLER);
  uint64_t owner = atomic_load_explicit(&cs->store_slot->owner, memory_order_acquire);
  if (owner != wbh_tls_token) {
    if ((owner == WBH_OWNER_RELEASED || owner == WBH_OWNER_ORPHANED) && caller_returned(cs, id))
      return wbi_fail(WB_ERR_INVALID_HANDLE,
                      "invalid handle: wb_caller_t (id 0x%016llx) used after its host function returned",
                      (unsigned long long)id);
    return wbh_fail_owner(cs->store_slot, WBH_KIND_CALLER);
  }
  /* this thread owns the store, so the slot and the ids stay as read */
  wbd_store_t *s = wbd_store_of(cs->store_slot);
  wbd_caller_t *c = cs->obj;
  uint64_t current = *caller_id_at(s, c);
  wasmtime_caller_t *running = *caller_ptr_at(s, c);
  if (id != current || (uintptr_t)running <= 1) {
    if (id < current)
      return wbi_fail(WB_ERR_INVALID_HANDLE,
                      "invalid handle: wb_caller_t (id 0x%016llx) used after its host function returned",
                      (unsigned long long)id);
    return wbi_fail(WB_ERR_INVALID_HANDLE, "invalid handle: forged wb_caller_t (id 0x%016llx was never issued)",
                    (unsigned long long)id);
  }
  *s_out = s;
  *caller_out = running;
  return WB_OK;
}

/* The id of the innermost host callback running on this thread (0 for
 * none): what a failure happened in (wbi_fail_stamp_hook). The thread's
 * running store is the one whose wasm called it. */
static uint64_t innermost_callback_id(void) {
  const wbd_store_t *s = wbd_tls_running; /* (wbd_no_store's level 0 is never busy) */
  if (!s || !wbd_level_0_busy(s)) return 0;
  if (s->host_nested == 0) return s->caller0_id;
  return ((const wbd_caller_t *)s->caller_slots[s->host_nested]->obj)->id;
}

__attribute__((constructor)) static void stamp_failures(void) { wbi_fail_stamp_hook = innermost_callback_id; }

/* A failed host function's trap. `message`: whether this thread's last
 * error says why (the callback set it, or a call it made failed, or the
 * trampoline did). */
static __attribute__((noinline, cold)) wasm_trap_t *host_trap(const wbd_hostfn_t *h, wb_status_t st, bool message) {
  char msg[4096];
  int n;
  if (!message)
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
/* (the result comes as a copy: a pointer into the trampoline's frame would
 * be kept in a callee-saved register across the callback for this path) */
static __attribute__((noinline, cold)) wasm_trap_t *result_kind_trap(const wbd_hostfn_t *h, wbd_store_t *s,
                                                                     wb_val_t result, uint8_t kind, uint32_t i) {
  wasmtime_val_raw_t ignored;
  wb_status_t st = wbd_named_to_raw(s->slot, s, &result, kind, "the callback's result", i, &ignored);
  return host_trap(h, st, true);
}

/* Runs a host function's callback with the caller handle of its level:
 * the general callback with args and results, or the typed one with vals.
 * The general way; the trampolines below inline their common case
 * instead (level_0_ready). When the callback fails, *message is set to
 * whether this thread's last error says why (host_trap); a failure before
 * it has one. */
static wb_status_t callback_run(const wbd_hostfn_t *h, wbd_store_t *s, wasmtime_caller_t *caller,
                                const wb_val_t *args, wb_val_t *results, wasmtime_val_raw_t *vals, size_t nvals,
                                bool *message) {
  uint64_t id;
  wb_status_t st = caller_enter(s, caller, &id);
  if (st != WB_OK) return st;
  if (h->typed)
    st = h->typed(h->env, (wb_caller_t){id}, (wb_raw_t *)vals, nvals);
  else
    st = h->callback(h->env, (wb_caller_t){id}, args, h->nparams, results, h->nresults);
  caller_leave(s);
  if (st != WB_OK) *message = wbi_tls_fail_stamp == id;
  return st;
}

/* The trampolines' common case: the thread knows the calling store (the
 * one it entered last, objects.h), and the callback is not nested in
 * another of the store and finds a caller slot ready (level 0). Anything
 * else takes the general trampoline, a tail call, so that the fast one
 * keeps nothing but the store and the values in registers across the
 * callback. */
static inline __attribute__((always_inline)) wbd_store_t *level_0_ready(void) {
  wbd_store_t *s = wbd_tls_running;
  /* caller0_ptr is NULL exactly when level 0 is free and has a slot (and
   * never for wbd_no_store) */
  if (__builtin_expect(s->caller0_ptr != 0, 0)) return 0;
  return s;
}

/* What a trampoline needs after the callback only when it failed (the
 * function) stays in the frame rather than in a register that every call
 * would save and restore: volatile makes the compiler store it once and
 * load it only where it is used. */
#define WBD_FAILURE_PATH_ONLY volatile

/* No trap: a NULL made where it is returned, for the reason of wbd_ok
 * (the compiler would keep the NULL it read from caller0_ptr alive across
 * the callback in a callee-saved register). */
static inline __attribute__((always_inline)) wasm_trap_t *no_trap(void) {
#if defined(__x86_64__)
  wasm_trap_t *none;
  __asm__("xorl %k0, %k0" : "=r"(none));
  return none;
#else
  return 0;
#endif
}

/* Level 0 after its callback: the callback's id dies. */
static inline __attribute__((always_inline)) void level_0_leave(wbd_store_t *s) {
  if (__builtin_expect(!caller_id_next(&s->caller0_id), 0)) caller_slot_used_up(s, 0);
}

/* A level-0 callback failed, after level_0_leave: its failure as a trap. */
static __attribute__((noinline, cold)) wasm_trap_t *level_0_failed(const wbd_hostfn_t *h, const wbd_store_t *s,
                                                                   wb_status_t st) {
  uint64_t id = s->caller0_id - (UINT64_C(1) << 32); /* the callback's (mod 2^64: also when used up) */
  return host_trap(h, st, wbi_tls_fail_stamp == id);
}

/* Level 0 around one callback: what caller_enter and caller_leave do for
 * it, inlined with the level a constant (`invoke` is the callback's call,
 * made with `id`), but for the id's end: level_0_leave follows.
 * level_0_ready said it may. Setting caller0_ptr is what makes the level
 * in progress (nested callbacks then take deeper ones). */
#define WBD_LEVEL_0_CALL(s, caller, st, invoke)                                    \
  do {                                                                            \
    uint64_t id = (s)->caller0_id;                                                \
    (s)->caller0_ptr = (caller);                                                  \
    st = (invoke);                                                                \
    /* nested callbacks left their levels as they found them */                   \
    (s)->caller0_ptr = 0;                                                         \
  } while (0)

/* A typed host function (wb_linker_define_func_typed) the general way. */
static __attribute__((noinline)) wasm_trap_t *typed_trampoline_slow(const wbd_hostfn_t *h, wasmtime_caller_t *caller,
                                                                    wasmtime_val_raw_t *vals, size_t n) {
  wbd_store_t *s = wasmtime_context_get_data(wasmtime_caller_context(caller));
  bool message = true;
  wb_status_t st = callback_run(h, s, caller, 0, 0, vals, n, &message);
  return st == WB_OK ? 0 : host_trap(h, st, message);
}

/* The trampoline of a typed host function: Wasmtime's raw values are the
 * callback's, in place, so that beyond the callback it finds the store,
 * issues the caller handle and turns a failure into a trap. */
wasm_trap_t *wbd_host_trampoline_typed(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) {
  const wbd_hostfn_t *h = env;
  wbd_store_t *s = level_0_ready();
  if (__builtin_expect(!s, 0)) return typed_trampoline_slow(h, caller, vals, n);
  const wbd_hostfn_t *WBD_FAILURE_PATH_ONLY fn = h;
  wb_status_t st;
  WBD_LEVEL_0_CALL(s, caller, st, h->typed(h->env, (wb_caller_t){id}, (wb_raw_t *)vals, n));
  level_0_leave(s);
  if (__builtin_expect(st != WB_OK, 0)) return level_0_failed(fn, s, st);
  return no_trap();
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
  wbd_store_t *s = level_0_ready();
  if (__builtin_expect(!s, 0)) return wbd_host_trampoline((void *)h, caller, vals, 0);
  const wbd_hostfn_t *WBD_FAILURE_PATH_ONLY fn = h;
  const uint8_t *kinds = h->kinds;
#define WBD_KIND(i) (uniform >= 0 ? (uint8_t)uniform : kinds[i])
  for (uint32_t i = 0; i < np; i++) wbd_num_from_raw(WBD_KIND(i), &vals[i], &args[i]);
  for (uint32_t i = 0; i < nr; i++) {
    results[i].kind = (wb_valkind_t)WBD_KIND(np + i);
    results[i].of.i64 = 0;
  }
  wb_status_t st;
  WBD_LEVEL_0_CALL(s, caller, st, h->callback(h->env, (wb_caller_t){id}, args, np, results, nr));
  level_0_leave(s);
  /* one test for the common case: the callback succeeded and left each
   * result's kind as it was set */
  uint32_t failed = (uint32_t)st;
  for (uint32_t i = 0; i < nr; i++) failed |= (uint32_t)results[i].kind ^ WBD_KIND(np + i);
  if (__builtin_expect(failed != 0, 0)) {
    if (st != WB_OK) return level_0_failed(fn, s, st);
    for (uint32_t i = 0; i < nr; i++)
      if ((uint32_t)results[i].kind != WBD_KIND(np + i))
        return result_kind_trap(fn, s, results[i], WBD_KIND(np + i), i);
  }
  for (uint32_t i = 0; i < nr; i++) {
    uint8_t k = WBD_KIND(np + i);
    wbd_num_to_raw(k, &results[i], &vals[i]);
  }
#undef WBD_KIND
  return no_trap();
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
    wb_val_t buf[NP + NR + 1]; /* one array: each pointer is then one lea from the frame */           \
    return numeric_body(env, caller, vals, NP, NR, UNIFORM, buf, buf + NP);                           \
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
  bool message = true; /* a failure of the trampoline's own has one */
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
  if (st == WB_OK) st = callback_run(h, s, caller, args, results, vals, 0, &message);
  /* (a result may be one of the arguments: converted before those go) */
  for (uint32_t i = 0; i < h->nresults && st == WB_OK; i++) {
    st = wbd_named_to_raw(ss, s, &results[i], h->kinds[h->nparams + i], "the callback's result", i, &vals[i]);
  }
  wbd_vals_drop(args, converted); /* borrowed by the callback: valid during it only */
  wasm_trap_t *trap = st == WB_OK ? 0 : host_trap(h, st, message);
  if (args != args_buf) free(args);
  if (results != results_buf) free(results);
  return trap;
}

/* ---- the caller handle ------------------------------------------------------ */

static wb_status_t caller_export(wb_caller_t caller, const char *name, int want, uint64_t *out) {
  wbd_store_t *s;
  wasmtime_caller_t *c;
  wb_status_t st = wbd_caller_bound(caller, &s, &c);
  if (st) return st;
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
  wbd_store_t *s;
  wasmtime_caller_t *c;
  wb_status_t st = wbd_caller_bound(caller, &s, &c);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  out->id = s->id;
  return WB_OK;
}

/* caller_enter and caller_leave for async host functions (async.c). */
wb_status_t wbd_caller_enter(wbd_store_t *s, wasmtime_caller_t *caller, uint64_t *id) {
  return caller_enter(s, caller, id);
}

void wbd_caller_leave(wbd_store_t *s) { caller_leave(s); }
