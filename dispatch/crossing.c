/* What surrounds a crossing into wasm: handles for what comes back out of
 * it, failed calls turned into statuses, and interrupts (the epoch callback
 * on the owner thread, wb_store_interrupt from any thread). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects.h"

/* ---- handles for a store's wasm objects (owner thread) ------------------ */

static uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
  h ^= h >> 29;
  return h ? h : 1;
}

static uint64_t *map_find(wbd_handle_map_t *m, uint64_t key) {
  if (!m->cap) return 0;
  for (uint32_t i = (uint32_t)key & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == key) return &m->ids[i];
    if (m->keys[i] == 0) return 0;
  }
}

static int map_put(wbd_handle_map_t *m, uint64_t key, uint64_t id) {
  if ((m->len + 1) * 2 > m->cap) {
    uint32_t cap = m->cap ? m->cap * 2 : 16;
    uint64_t *keys = calloc(cap, sizeof *keys), *ids = calloc(cap, sizeof *ids);
    if (!keys || !ids) {
      free(keys);
      free(ids);
      return -1;
    }
    for (uint32_t j = 0; j < m->cap; j++) {
      if (!m->keys[j]) continue;
      uint32_t i = (uint32_t)m->keys[j] & (cap - 1);
      while (keys[i]) i = (i + 1) & (cap - 1);
      keys[i] = m->keys[j];
      ids[i] = m->ids[j];
    }
    free(m->keys);
    free(m->ids);
    m->keys = keys;
    m->ids = ids;
    m->cap = cap;
  }
  uint32_t i = (uint32_t)key & (m->cap - 1);
  while (m->keys[i]) i = (i + 1) & (m->cap - 1);
  m->keys[i] = key;
  m->ids[i] = id;
  m->len++;
  return 0;
}

/* Allocates a handle for obj in the store and remembers it under key. */
static wb_status_t new_child(wbh_slot_t *ss, uint8_t kind, void *obj, uint64_t key, uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t id;
  if (!obj) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a %s", wbh_kind_name(kind));
  wb_status_t st = wbh_alloc(kind, obj, ss, &id);
  if (st) {
    free(obj);
    return st;
  }
  if (key && map_put(&s->exports, key, id) != 0) {
    /* the handle stays valid (freed with the store); it is just not deduped */
  }
  *id_out = id;
  return WB_OK;
}

uint8_t wbd_valkind_of(const wasm_valtype_t *t) {
  switch (wasm_valtype_kind(t)) {
  case WASMTIME_I32: return WB_I32;
  case WASMTIME_I64: return WB_I64;
  case WASMTIME_F32: return WB_F32;
  case WASMTIME_F64: return WB_F64;
  case WASMTIME_V128: return WB_V128;
  case WASM_FUNCREF: return WB_FUNCREF;
  case WASM_EXTERNREF: return WB_EXTERNREF;
  default: return WBD_KIND_UNSUPPORTED;
  }
}

wb_status_t wbd_instance_handle(wbh_slot_t *ss, const wasmtime_instance_t *inst, uint64_t *id_out) {
  wbd_instance_t *obj = malloc(sizeof *obj);
  if (obj) obj->instance = *inst;
  return new_child(ss, WBH_KIND_INSTANCE, obj, 0, id_out);
}

wb_status_t wbd_func_handle(wbh_slot_t *ss, const wasmtime_func_t *func, uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key = mix(WBH_KIND_FUNC, (uint64_t)(uintptr_t)wasmtime_func_to_raw(s->ctx, func));
  uint64_t *known = map_find(&s->exports, key);
  if (known) {
    *id_out = *known;
    return WB_OK;
  }
  wasm_functype_t *ft = wasmtime_func_type(s->ctx, func);
  const wasm_valtype_vec_t *params = wasm_functype_params(ft), *results = wasm_functype_results(ft);
  wbd_func_t *f = malloc(sizeof *f + params->size + results->size);
  if (f) {
    f->func = *func;
    f->store = s;
    f->ctx = s->ctx;
    f->nparams = (uint32_t)params->size;
    f->nresults = (uint32_t)results->size;
    for (size_t i = 0; i < params->size; i++) f->kinds[i] = wbd_valkind_of(params->data[i]);
    for (size_t i = 0; i < results->size; i++) f->kinds[params->size + i] = wbd_valkind_of(results->data[i]);
    /* wb_func_call's fast path (call.c) */
    f->numeric = params->size <= 16 && results->size <= 16;
    for (size_t i = 0; i < params->size + results->size; i++) f->numeric = f->numeric && f->kinds[i] <= WB_F64;
    f->all_i32 = f->numeric;
    for (size_t i = 0; i < params->size + results->size; i++) f->all_i32 = f->all_i32 && f->kinds[i] == WB_I32;
    f->fast_nparams = f->numeric ? params->size : SIZE_MAX;
    f->fast_nresults = f->numeric ? results->size : SIZE_MAX;
    f->nvals = params->size > results->size ? params->size : results->size;
  }
  wasm_functype_delete(ft);
  return new_child(ss, WBH_KIND_FUNC, f, key, id_out);
}

wb_status_t wbd_memory_handle(wbh_slot_t *ss, const wasmtime_memory_t *mem, uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key = mix(mix(WBH_KIND_MEMORY, mem->__private1), mem->__private2);
  uint64_t *known = map_find(&s->exports, key);
  if (known) {
    *id_out = *known;
    return WB_OK;
  }
  wbd_memory_t *m = malloc(sizeof *m);
  if (m) {
    m->memory = *mem;
    m->ctx = s->ctx;
    m->known_size = 0; /* the first access asks */
    m->known_base = 0;
    m->known_epoch = s->grow_epoch - 1; /* not known */
  }
  return new_child(ss, WBH_KIND_MEMORY, m, key, id_out);
}

wb_status_t wbd_global_handle(wbh_slot_t *ss, const wasmtime_global_t *global, uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key = mix(mix(mix(WBH_KIND_GLOBAL, global->__private1), global->__private2), global->__private3);
  uint64_t *known = map_find(&s->exports, key);
  if (known) {
    *id_out = *known;
    return WB_OK;
  }
  wbd_global_t *g = malloc(sizeof *g);
  if (g) {
    wasm_globaltype_t *gt = wasmtime_global_type(s->ctx, global);
    g->global = *global;
    g->kind = wbd_valkind_of(wasm_globaltype_content(gt));
    g->is_mutable = wasm_globaltype_mutability(gt) == WASM_VAR;
    wasm_globaltype_delete(gt);
  }
  return new_child(ss, WBH_KIND_GLOBAL, g, key, id_out);
}

static const char *extern_kind_name(wasmtime_extern_kind_t k) {
  switch (k) {
  case WASMTIME_EXTERN_FUNC: return "a function";
  case WASMTIME_EXTERN_GLOBAL: return "a global";
  case WASMTIME_EXTERN_TABLE: return "a table";
  case WASMTIME_EXTERN_MEMORY: return "a memory";
  case WASMTIME_EXTERN_SHAREDMEMORY: return "a shared memory";
  default: return "another kind of export";
  }
}

wb_status_t wbd_extern_handle(wbh_slot_t *ss, wasmtime_extern_t *ext, wasmtime_extern_kind_t want, const char *name,
                              uint64_t *out) {
  if (ext->kind != want) {
    wb_status_t st = wbi_fail(WB_ERR_TYPE_MISMATCH, "export \"%s\" is %s, not %s", name,
                              extern_kind_name(ext->kind), extern_kind_name(want));
    wasmtime_extern_delete(ext);
    return st;
  }
  switch (want) {
  case WASMTIME_EXTERN_FUNC: return wbd_func_handle(ss, &ext->of.func, out);
  case WASMTIME_EXTERN_MEMORY: return wbd_memory_handle(ss, &ext->of.memory, out);
  default: return wbd_global_handle(ss, &ext->of.global, out);
  }
}

/* ---- names ------------------------------------------------------------------ */

/* Checks an export or import name: non-NULL, at most WBD_MAX_NAME bytes,
 * valid UTF-8. */
wb_status_t wbd_check_name(const char *name, const char *what, size_t *len_out) {
  if (!name) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL", what);
  size_t len = strnlen(name, WBD_MAX_NAME + 1);
  if (len > WBD_MAX_NAME)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is longer than %u bytes", what, WBD_MAX_NAME);
  const unsigned char *p = (const unsigned char *)name, *end = p + len;
  while (p < end) {
    unsigned c = *p;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!n || (size_t)(end - p) < n) goto bad;
    for (size_t i = 1; i < n; i++)
      if ((p[i] & 0xC0) != 0x80) goto bad;
    if (n == 2 && c < 0xC2) goto bad;                            /* overlong */
    if (n == 3 && c == 0xE0 && p[1] < 0xA0) goto bad;            /* overlong */
    if (n == 3 && c == 0xED && p[1] >= 0xA0) goto bad;           /* surrogate */
    if (n == 4 && (c > 0xF4 || (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) goto bad;
    p += n;
  }
  *len_out = len;
  return WB_OK;
bad:
  return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is not valid UTF-8 (bad byte at offset %zu)", what,
                  (size_t)(p - (const unsigned char *)name));
}

/* ---- native stack ----------------------------------------------------------- */

/* Set on a thread that left a host callback by longjmp: Wasmtime's
 * per-thread record of its calls still lists the abandoned one, and the
 * next trap on this thread would walk it into freed stack. Its stack bound
 * is kept poisoned, so that every call takes the slow path below. */
static __thread int tls_tainted;

int wbd_callback_escaped(const wbd_store_t *s) {
  if (s->depth <= 0) return 0;
  /* the deepest frame of a running host callback: a core one's Wasmtime
   * caller lives in its trampoline's frame, below the wasm that called the
   * host and above the callback's own frames; a component one records its
   * trampoline's stack pointer */
  uintptr_t deepest = UINTPTR_MAX;
  if (s->host_depth > 0) {
    uint32_t level = s->host_depth - 1;
    const void *frame = level == 0 ? (const void *)s->caller0_ptr
                        : level < s->ncaller_slots && s->caller_slots[level]
                            ? (const void *)((const wbd_caller_t *)s->caller_slots[level]->obj)->caller
                            : 0;
    if (frame) deepest = (uintptr_t)frame;
  }
  if (s->callback_frame && s->callback_frame < deepest) deepest = s->callback_frame;
  /* in a call but in no callback, or above the deepest one: nothing of
   * the call can be running */
  return deepest == UINTPTR_MAX || wbh_stack_pointer() > deepest;
}

void wbd_abandon_call(wbd_store_t *s, bool on_owner_thread) {
  s->depth = 0;
  s->host_depth = 0;
  s->caller0_ptr = 0;
  s->callback_frame = 0;
  if (!on_owner_thread) return;
  wbd_tls_running = 0;
  tls_tainted = 1;
  wbh_tls_stack_low = WBH_STACK_POISONED;
  wbh_log(WB_LOG_ERROR, "a host callback was left by longjmp (or another non-local exit): this thread can no longer "
                        "call into wasm; its store was deleted");
}

wb_status_t wbd_check_stack_slow(const wbd_store_t *s) {
  if (tls_tainted)
    return wbi_fail(WB_ERR_UNUSABLE, "this thread left a host callback by longjmp (or another non-local exit), "
                                     "which skipped Wasmtime's frames: Wasmtime's state on this thread is broken, "
                                     "so it may not call into wasm again; use another thread");
  uintptr_t left = wbh_stack_left_slow(); /* finds the bounds on a thread's first call */
  if (left >= s->stack_needed) return WB_OK;
  return wbi_fail(WB_ERR_NATIVE_STACK,
                  "this thread has %lu KiB of native stack left, but a call into wasm needs "
                  "%lu KiB (the engine's max_wasm_stack plus a %u KiB margin); give the thread "
                  "a bigger stack or lower max_wasm_stack",
                  (unsigned long)(left / 1024), (unsigned long)(s->stack_needed / 1024), WBD_STACK_MARGIN / 1024);
}

/* ---- Wasmtime's messages ---------------------------------------------------- */

size_t wbd_message_len(const char *msg, size_t len) {
  if (len && msg[len - 1] == 0) len--; /* wasm_trap_message counts its NUL */
  /* Wasmtime appends a native Rust backtrace when RUST_BACKTRACE is set: it
   * says nothing about the guest (the wasm backtrace, when there is one,
   * comes before it) and must not reach users. */
  const char *native = len ? memmem(msg, len, "\nStack backtrace:", 17) : 0;
  if (native) {
    len = (size_t)(native - msg);
    while (len && msg[len - 1] == '\n') len--;
  }
  return len;
}

wb_status_t wbd_fail_error(wb_status_t st, wasmtime_error_t *err, const char *fmt, ...) {
  char prefix[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  wasm_byte_vec_t msg = {0, 0};
  if (err) wasmtime_error_message(err, &msg);
  size_t len = msg.data ? wbd_message_len(msg.data, msg.size) : 0;
  wbi_fail(st, "%s%s%.*s", prefix, len ? ": " : "", (int)len, msg.data ? msg.data : "");
  wasm_byte_vec_delete(&msg);
  if (err) wasmtime_error_delete(err);
  return st;
}

/* ---- failed calls --------------------------------------------------------- */

/* Wasmtime's trap codes are those of its Rust enum (0 stack overflow ... 24
 * cannot leave component); wb_trap_code_t is that plus one. */
static wb_trap_code_t trap_code_of(wasm_trap_t *trap) {
  wasmtime_trap_code_t code;
  if (trap && wasmtime_trap_code(trap, &code) && code + 1 <= WB_TRAP_CANNOT_LEAVE_COMPONENT)
    return (wb_trap_code_t)(code + 1);
  return WB_TRAP_HOST;
}

wb_status_t wbd_fail_call(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap, const char *what) {
  int exit_code;
  if (err && !trap && wasmtime_error_exit_status(err, &exit_code)) {
    /* WASI proc_exit: 0 is success, anything else WB_ERR_EXIT */
    wasmtime_error_delete(err);
    if (s) s->interrupt_fired = s->deadline_fired = 0;
    if (exit_code == 0) {
      wbi_set_exit_code(0);
      return WB_OK;
    }
    wb_status_t st = wbi_fail(WB_ERR_EXIT, "%s: the WASI program exited with code %d", what, exit_code);
    wbi_set_exit_code(exit_code);
    return st;
  }
  wasm_byte_vec_t msg = {0, 0};
  wb_status_t st = WB_ERR_TRAP;
  wb_trap_code_t code = WB_TRAP_HOST;
  if (trap) {
    code = trap_code_of(trap);
    wasm_trap_message(trap, &msg);
  } else if (err) {
    wasmtime_error_message(err, &msg);
  }
  size_t len = msg.data ? wbd_message_len(msg.data, msg.size) : 0;
  const char *prefix = "";
  if (code == WB_TRAP_OUT_OF_FUEL) {
    st = WB_ERR_OUT_OF_FUEL;
  } else if (code == WB_TRAP_INTERRUPT || (s && (s->interrupt_fired || s->deadline_fired))) {
    st = WB_ERR_INTERRUPTED;
    if (s && s->deadline_fired) prefix = "the store's deadline or call timeout passed: ";
    code = WB_TRAP_INTERRUPT;
    atomic_fetch_add_explicit(&wbd_interrupts, 1, memory_order_relaxed);
  } else {
    atomic_fetch_add_explicit(&wbd_traps, 1, memory_order_relaxed);
  }
  if (s) s->interrupt_fired = s->deadline_fired = 0;
  wbi_fail(st, "%s failed: %s%.*s", what, prefix, (int)len, msg.data ? msg.data : "");
  wbi_set_trap_code(code);
  wasm_byte_vec_delete(&msg);
  if (trap) wasm_trap_delete(trap);
  if (err) wasmtime_error_delete(err);
  return st;
}

/* ---- interrupts ----------------------------------------------------------- */

/* Runs on the owner thread when the engine's epoch passes the store's
 * deadline: wb_store_interrupt bumps the epoch, and only the store whose
 * flag is set stops; every other store continues at once. */
static wasmtime_error_t *on_epoch_deadline(wasmtime_context_t *ctx, void *data, uint64_t *delta,
                                           wasmtime_update_deadline_kind_t *kind) {
  (void)ctx;
  wbd_store_t *s = data;
  if (atomic_fetch_and(&s->attention, ~WBD_ATTN_INTERRUPT) & WBD_ATTN_INTERRUPT) {
    s->interrupt_fired = 1;
    return wasmtime_error_new("wasm execution interrupted by wb_store_interrupt");
  }
  if (s->timed) {
    uint64_t now = wbd_now_ns();
    if ((s->deadline_ns && now >= s->deadline_ns) || (s->call_deadline_ns && now >= s->call_deadline_ns)) {
      s->deadline_fired = 1;
      return wasmtime_error_new("wasm execution interrupted: time limit reached");
    }
  }
  *delta = 1;
  *kind = WASMTIME_UPDATE_DEADLINE_CONTINUE;
  return 0;
}

void wbd_store_init(wbd_store_t *s) {
  if (s->engine->epoch_interruption) {
    wasmtime_store_epoch_deadline_callback(s->store, on_epoch_deadline, s, 0);
    wasmtime_context_set_epoch_deadline(s->ctx, 1);
  }
}

wb_status_t wb_store_interrupt(wb_store_t store) {
  void *obj;
  wb_status_t st = wbh_acquire(store.id, WBH_KIND_STORE, &obj);
  if (st) return st;
  wbd_store_t *s = obj;
  atomic_fetch_or(&s->attention, WBD_ATTN_INTERRUPT);
  if (s->engine->epoch_interruption) wasmtime_engine_increment_epoch(s->engine->engine);
  /* a guest parked in memory.atomic.wait does not see the epoch: the
   * ticker wakes it if it does not stop by itself (deadline.c) */
  if (__atomic_load_n(&s->watched, __ATOMIC_RELAXED)) wbd_ticker_poke();
  wbh_release(store.id);
  return WB_OK;
}
