/* WASI's guard: wrappers around four of Wasmtime's WASI preview1 functions,
 * defined over them in every linker that defines WASI.
 *
 * - path_open, fd_close, fd_renumber: a guest could open host files until
 *   the whole process ran out of descriptors (the host's own open() then
 *   failing with EMFILE). The guard counts what a store's guest opened and
 *   has not closed, and past the store's limit (wb_wasi_config_set_max_open_
 *   files; 128 by default) path_open fails with WASI's EMFILE without
 *   touching the host.
 * - poll_oneoff: a guest sleeping on a clock (a long or endless timeout)
 *   blocked its thread inside Wasmtime, where no interrupt, deadline or
 *   call timeout reaches it. The guard sleeps in slices instead, and stops
 *   the call the moment the store should stop.
 *
 * A host function cannot simply call Wasmtime's WASI function: called from
 * the host, it has no calling instance to find the guest's "memory" export
 * in. So each wrapper reaches the real function through a forwarder: a tiny
 * wasm instance, made once per store and guest memory, that imports the
 * real functions and the guest's memory, exports that memory as its own
 * "memory", and exports one wasm function per WASI function that calls it.
 * Everything runs on the store's owner thread (inside the guest's call). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lifecycle.h"

enum { F_PATH_OPEN, F_FD_CLOSE, F_FD_RENUMBER, F_POLL_ONEOFF, F_COUNT };

static const char *const names[F_COUNT] = {"path_open", "fd_close", "fd_renumber", "poll_oneoff"};
static const char *const signatures[F_COUNT] = {
    "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)",
    "(param i32) (result i32)",
    "(param i32 i32) (result i32)",
    "(param i32 i32 i32 i32) (result i32)",
};
static const uint32_t nparams[F_COUNT] = {9, 1, 2, 4};

#define WASI_ERRNO_SUCCESS 0
#define WASI_ERRNO_EMFILE 33
#define WASI_ERRNO_NOMEM 48

/* One guest memory's forwarder in a store. */
typedef struct forwarder {
  uint64_t key;                 /* which guest memory */
  wasmtime_func_t fn[F_COUNT];
} forwarder_t;

typedef struct guard {
  int32_t *fds;                 /* descriptors the guest opened and has not closed */
  uint32_t nfds, capfds;
  forwarder_t *fwd;
  uint32_t nfwd;
} guard_t;

void wbl_wasi_guard_reset(wbd_store_t *s) {
  guard_t *g = s->wasi_guard;
  if (g) g->nfds = 0; /* a new WASI context: nothing of the old one is open */
}

void wbl_wasi_guard_free(wbd_store_t *s) {
  guard_t *g = s->wasi_guard;
  if (!g) return;
  free(g->fds);
  free(g->fwd);
  free(g);
  s->wasi_guard = 0;
}

static guard_t *guard_of(wbd_store_t *s) {
  if (!s->wasi_guard) s->wasi_guard = calloc(1, sizeof(guard_t));
  return s->wasi_guard;
}

static int fd_index(const guard_t *g, int32_t fd) {
  for (uint32_t i = 0; i < g->nfds; i++)
    if (g->fds[i] == fd) return (int)i;
  return -1;
}

static void fd_forget(guard_t *g, int32_t fd) {
  int i = fd_index(g, fd);
  if (i >= 0) g->fds[i] = g->fds[--g->nfds];
}

static int fd_remember(guard_t *g, int32_t fd) {
  if (fd_index(g, fd) >= 0) return 0;
  if (g->nfds == g->capfds) {
    uint32_t cap = g->capfds ? g->capfds * 2 : 16;
    int32_t *fds = realloc(g->fds, cap * sizeof *fds);
    if (!fds) return -1;
    g->fds = fds;
    g->capfds = cap;
  }
  g->fds[g->nfds++] = fd;
  return 0;
}

/* ---- forwarders ------------------------------------------------------------- */

/* The guest's memory as an extern, and a key that names it in the store. */
static int guest_memory(wasmtime_caller_t *caller, wasmtime_extern_t *mem, uint64_t *key, char *type, size_t cap) {
  if (!wasmtime_caller_export_get(caller, "memory", 6, mem)) return 0;
  wasmtime_context_t *ctx = wasmtime_caller_context(caller);
  if (mem->kind == WASMTIME_EXTERN_MEMORY) {
    wasm_memorytype_t *mt = wasmtime_memory_type(ctx, &mem->of.memory);
    snprintf(type, cap, "%s0", wasmtime_memorytype_is64(mt) ? "i64 " : "");
    wasm_memorytype_delete(mt);
    *key = (uint64_t)mem->of.memory.__private1 << 32 | mem->of.memory.__private2;
    return 1;
  }
  if (mem->kind == WASMTIME_EXTERN_SHAREDMEMORY) {
    wasm_memorytype_t *mt = wasmtime_sharedmemory_type(mem->of.sharedmemory);
    snprintf(type, cap, "%s0 %llu shared", wasmtime_memorytype_is64(mt) ? "i64 " : "",
             wasmtime_memorytype_is64(mt) ? (unsigned long long)1 << 48 : 65536ull);
    wasm_memorytype_delete(mt);
    *key = (uint64_t)(uintptr_t)wasmtime_sharedmemory_data(mem->of.sharedmemory);
    return 1;
  }
  wasmtime_extern_delete(mem);
  return 0;
}

/* Makes the forwarder of a guest memory in the caller's store. */
static forwarder_t *forwarder_for(wbd_store_t *s, guard_t *g, wasmtime_caller_t *caller) {
  wasmtime_extern_t mem;
  uint64_t key;
  char memtype[64];
  if (!guest_memory(caller, &mem, &key, memtype, sizeof memtype)) return 0;
  for (uint32_t i = 0; i < g->nfwd; i++)
    if (g->fwd[i].key == key) {
      wasmtime_extern_delete(&mem);
      return &g->fwd[i];
    }
  char wat[2048];
  int n = snprintf(wat, sizeof wat, "(module");
  for (int f = 0; f < F_COUNT; f++)
    n += snprintf(wat + n, sizeof wat - (size_t)n, " (import \"wasi_snapshot_preview1\" \"%s\" (func $%s %s))",
                  names[f], names[f], signatures[f]);
  n += snprintf(wat + n, sizeof wat - (size_t)n, " (import \"guest\" \"memory\" (memory %s)) (export \"memory\" (memory 0))",
                memtype);
  for (int f = 0; f < F_COUNT; f++) {
    n += snprintf(wat + n, sizeof wat - (size_t)n, " (func (export \"%s\") %s", names[f], signatures[f]);
    for (uint32_t p = 0; p < nparams[f]; p++) n += snprintf(wat + n, sizeof wat - (size_t)n, " local.get %u", p);
    n += snprintf(wat + n, sizeof wat - (size_t)n, " call $%s)", names[f]);
  }
  snprintf(wat + n, sizeof wat - (size_t)n, ")");

  wasmtime_context_t *ctx = wasmtime_caller_context(caller);
  wasm_byte_vec_t wasm = {0, 0};
  wasmtime_module_t *module = 0;
  wasmtime_linker_t *linker = wasmtime_linker_new(s->engine->engine);
  forwarder_t *result = 0;
  wasmtime_error_t *err = wasmtime_wat2wasm(wat, strlen(wat), &wasm);
  if (!err) err = wasmtime_module_new(s->engine->engine, (const uint8_t *)wasm.data, wasm.size, &module);
  if (!err) err = wasmtime_linker_define_wasi(linker);
  if (!err) err = wasmtime_linker_define(linker, ctx, "guest", 5, "memory", 6, &mem);
  wasmtime_instance_t inst;
  wasm_trap_t *trap = 0;
  if (!err) err = wasmtime_linker_instantiate(linker, ctx, module, &inst, &trap);
  if (!err && !trap) {
    forwarder_t *fwd = realloc(g->fwd, (g->nfwd + 1) * sizeof *fwd);
    if (fwd) {
      g->fwd = fwd;
      forwarder_t *f = &fwd[g->nfwd];
      f->key = key;
      int ok = 1;
      for (int i = 0; i < F_COUNT && ok; i++) {
        wasmtime_extern_t e;
        ok = wasmtime_instance_export_get(ctx, &inst, names[i], strlen(names[i]), &e) && e.kind == WASMTIME_EXTERN_FUNC;
        if (ok) f->fn[i] = e.of.func;
      }
      if (ok) result = &fwd[g->nfwd++];
    }
  }
  if (err) wasmtime_error_delete(err);
  if (trap) wasm_trap_delete(trap);
  wasm_byte_vec_delete(&wasm);
  if (module) wasmtime_module_delete(module);
  wasmtime_linker_delete(linker);
  wasmtime_extern_delete(&mem);
  return result;
}

/* Calls Wasmtime's own function f through the forwarder; a trap (the store
 * was interrupted inside it, say) is passed on. */
static wasm_trap_t *forward(wbd_store_t *s, forwarder_t *fwd, int f, wasmtime_caller_t *caller,
                            wasmtime_val_raw_t *vals, size_t n) {
  wasm_trap_t *trap = 0;
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_func_call_unchecked(wasmtime_caller_context(caller), &fwd->fn[f], vals, n, &trap);
  wbd_wasm_leave(s, outer);
  if (err) {
    /* an error is no trap: carry its message on as one (a WASI exit, for
     * one, must stay an exit: turn it into the same error the guest's own
     * call would have raised) */
    int code;
    if (wasmtime_error_exit_status(err, &code)) {
      wasmtime_error_delete(err);
      return wasmtime_trap_new("exit", 4); /* unreachable for these four functions */
    }
    wasm_byte_vec_t msg;
    wasmtime_error_message(err, &msg);
    size_t len = wbd_message_len(msg.data, msg.size);
    trap = wasmtime_trap_new(msg.data, len);
    wasm_byte_vec_delete(&msg);
    wasmtime_error_delete(err);
  }
  return trap;
}

static wbd_store_t *store_of(wasmtime_caller_t *caller) {
  return wasmtime_context_get_data(wasmtime_caller_context(caller));
}

static wasm_trap_t *no_forwarder(const char *fn) {
  char msg[160];
  int n = snprintf(msg, sizeof msg, "WASI %s: the calling instance exports no memory named \"memory\"", fn);
  return wasmtime_trap_new(msg, (size_t)n);
}

/* ---- the wrappers ---------------------------------------------------------------- */

static uint8_t *memory_base(wasmtime_caller_t *caller, size_t *size) {
  wasmtime_extern_t mem;
  uint8_t *base = 0;
  *size = 0;
  if (!wasmtime_caller_export_get(caller, "memory", 6, &mem)) return 0;
  if (mem.kind == WASMTIME_EXTERN_MEMORY) {
    wasmtime_context_t *ctx = wasmtime_caller_context(caller);
    base = wasmtime_memory_data(ctx, &mem.of.memory);
    *size = wasmtime_memory_data_size(ctx, &mem.of.memory);
  } else if (mem.kind == WASMTIME_EXTERN_SHAREDMEMORY) {
    base = wasmtime_sharedmemory_data(mem.of.sharedmemory);
    *size = wasmtime_sharedmemory_data_size(mem.of.sharedmemory);
  }
  wasmtime_extern_delete(&mem);
  return base;
}

static wasm_trap_t *guard_path_open(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) {
  (void)env;
  wbd_store_t *s = store_of(caller);
  guard_t *g = guard_of(s);
  if (!g) {
    vals[0].i32 = WASI_ERRNO_NOMEM;
    return 0;
  }
  if (g->nfds >= s->max_open_files) {
    vals[0].i32 = WASI_ERRNO_EMFILE; /* the store's limit, not the process's */
    return 0;
  }
  forwarder_t *fwd = forwarder_for(s, g, caller);
  if (!fwd) return no_forwarder("path_open");
  uint32_t opened_ptr = (uint32_t)vals[8].i32;
  wasm_trap_t *trap = forward(s, fwd, F_PATH_OPEN, caller, vals, n);
  if (trap || vals[0].i32 != WASI_ERRNO_SUCCESS) return trap;
  size_t size;
  uint8_t *base = memory_base(caller, &size);
  if (base && size >= 4 && opened_ptr <= size - 4) {
    int32_t fd;
    memcpy(&fd, base + opened_ptr, 4);
    if (fd_remember(g, fd) != 0) return wasmtime_trap_new("out of memory", 13);
  }
  return 0;
}

static wasm_trap_t *guard_fd_close(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) {
  (void)env;
  wbd_store_t *s = store_of(caller);
  guard_t *g = guard_of(s);
  forwarder_t *fwd = g ? forwarder_for(s, g, caller) : 0;
  if (!fwd) return no_forwarder("fd_close");
  int32_t fd = vals[0].i32;
  wasm_trap_t *trap = forward(s, fwd, F_FD_CLOSE, caller, vals, n);
  if (!trap && vals[0].i32 == WASI_ERRNO_SUCCESS) fd_forget(g, fd);
  return trap;
}

static wasm_trap_t *guard_fd_renumber(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) {
  (void)env;
  wbd_store_t *s = store_of(caller);
  guard_t *g = guard_of(s);
  forwarder_t *fwd = g ? forwarder_for(s, g, caller) : 0;
  if (!fwd) return no_forwarder("fd_renumber");
  int32_t from = vals[0].i32, to = vals[1].i32;
  wasm_trap_t *trap = forward(s, fwd, F_FD_RENUMBER, caller, vals, n);
  if (!trap && vals[0].i32 == WASI_ERRNO_SUCCESS && from != to) {
    fd_forget(g, to); /* closed by the renumbering */
    if (fd_index(g, from) >= 0) {
      fd_forget(g, from);
      if (fd_remember(g, to) != 0) return wasmtime_trap_new("out of memory", 13);
    }
  }
  return trap;
}

/* poll_oneoff's subscriptions (WASI preview1): 48 bytes each; a clock
 * subscription (tag 0) has its clock id at 16, timeout at 24, flags at 40
 * (bit 0: the timeout is an absolute time of that clock). */
#define SUB_SIZE 48
#define SLICE_NS 10000000ull /* sleep at most 10 ms before looking at the store again */

static uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Whether the store's call should stop now; sets why (as the epoch callback
 * would) so that the call ends with WB_ERR_INTERRUPTED. */
static int store_must_stop(wbd_store_t *s) {
  const char *why;
  return wbd_store_must_stop(s, &why);
}

static wasm_trap_t *guard_poll_oneoff(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) {
  (void)env;
  wbd_store_t *s = store_of(caller);
  guard_t *g = guard_of(s);
  forwarder_t *fwd = g ? forwarder_for(s, g, caller) : 0;
  if (!fwd) return no_forwarder("poll_oneoff");
  uint32_t in = (uint32_t)vals[0].i32, nsubs = (uint32_t)vals[2].i32;
  size_t size;
  uint8_t *base = memory_base(caller, &size);
  /* only clock subscriptions can block (descriptors are always ready in
   * Wasmtime's WASI), and only those are slept here */
  int all_clocks = base && nsubs > 0 && (uint64_t)in + (uint64_t)nsubs * SUB_SIZE <= size;
  uint64_t wake = UINT64_MAX; /* CLOCK_MONOTONIC ns of the earliest clock */
  for (uint32_t i = 0; all_clocks && i < nsubs; i++) {
    const uint8_t *sub = base + in + (size_t)i * SUB_SIZE;
    uint32_t id;
    uint64_t timeout;
    uint16_t flags;
    memcpy(&id, sub + 16, 4);
    memcpy(&timeout, sub + 24, 8);
    memcpy(&flags, sub + 40, 2);
    if (sub[8] != 0 || id > 1) {
      all_clocks = 0; /* a descriptor, or a clock Wasmtime checks itself */
      break;
    }
    uint64_t now_mono = clock_ns(CLOCK_MONOTONIC), at;
    if (flags & 1) { /* absolute time of that clock */
      uint64_t now = id == 0 ? clock_ns(CLOCK_REALTIME) : now_mono;
      at = timeout <= now ? now_mono : now_mono + (timeout - now);
    } else {
      at = timeout > UINT64_MAX - now_mono ? UINT64_MAX : now_mono + timeout;
    }
    if (at < wake) wake = at;
  }
  if (!all_clocks || wake <= clock_ns(CLOCK_MONOTONIC) + SLICE_NS)
    return forward(s, fwd, F_POLL_ONEOFF, caller, vals, n);
  /* sleep until the earliest clock, a slice at a time */
  for (;;) {
    if (store_must_stop(s)) return wasmtime_trap_new("wasm execution interrupted in WASI poll_oneoff", 45);
    uint64_t now = clock_ns(CLOCK_MONOTONIC);
    if (now >= wake) break;
    uint64_t ns = wake - now < SLICE_NS ? wake - now : SLICE_NS;
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    nanosleep(&ts, 0);
  }
  /* the time has come: let Wasmtime report the events, with every relative
   * timeout made 0 for that call and restored after (the guest's
   * subscriptions are its memory) */
  base = memory_base(caller, &size);
  if (!base || (uint64_t)in + (uint64_t)nsubs * SUB_SIZE > size) return forward(s, fwd, F_POLL_ONEOFF, caller, vals, n);
  uint64_t *saved = malloc((size_t)nsubs * sizeof *saved);
  if (!saved) {
    vals[0].i32 = WASI_ERRNO_NOMEM;
    return 0;
  }
  for (uint32_t i = 0; i < nsubs; i++) {
    uint8_t *sub = base + in + (size_t)i * SUB_SIZE;
    uint64_t zero = 0;
    memcpy(&saved[i], sub + 24, 8);
    uint16_t flags;
    memcpy(&flags, sub + 40, 2);
    if (!(flags & 1)) memcpy(sub + 24, &zero, 8);
  }
  wasm_trap_t *trap = forward(s, fwd, F_POLL_ONEOFF, caller, vals, n);
  base = memory_base(caller, &size);
  if (base && (uint64_t)in + (uint64_t)nsubs * SUB_SIZE <= size)
    for (uint32_t i = 0; i < nsubs; i++) memcpy(base + in + (size_t)i * SUB_SIZE + 24, &saved[i], 8);
  free(saved);
  return trap;
}

static const wasmtime_func_unchecked_callback_t wrappers[F_COUNT] = {guard_path_open, guard_fd_close,
                                                                      guard_fd_renumber, guard_poll_oneoff};

static wasm_functype_t *functype(int f) {
  wasm_valtype_vec_t params, results;
  wasm_valtype_vec_new_uninitialized(&params, nparams[f]);
  for (uint32_t i = 0; i < nparams[f]; i++)
    params.data[i] = wasm_valtype_new(f == F_PATH_OPEN && (i == 5 || i == 6) ? WASM_I64 : WASM_I32);
  wasm_valtype_vec_new_uninitialized(&results, 1);
  results.data[0] = wasm_valtype_new(WASM_I32);
  return wasm_functype_new(&params, &results);
}

wb_status_t wbl_wasi_guard_define(wasmtime_linker_t *linker, bool shadowing) {
  wasmtime_linker_allow_shadowing(linker, true);
  wasmtime_error_t *err = 0;
  for (int f = 0; f < F_COUNT && !err; f++) {
    /* a functype per definition: one binds to the first engine it meets */
    wasm_functype_t *ft = functype(f);
    err = wasmtime_linker_define_func_unchecked(linker, "wasi_snapshot_preview1", 22, names[f], strlen(names[f]), ft,
                                                wrappers[f], 0, 0);
    wasm_functype_delete(ft);
  }
  wasmtime_linker_allow_shadowing(linker, shadowing);
  return err ? wbd_fail_error(WB_ERR_LINK, err, "cannot define WASI's guard") : WB_OK;
}
