/* The C objects behind the handles, shared by dispatch/ (which crosses into
 * wasm) and lifecycle/ (which creates and deletes them). Internal header.
 *
 * Ownership: a handle slot's obj points to one of these. Shared kinds
 * (engine, module) are freed by the last reference (handles/). Store-bound
 * kinds are freed with their store, by the store's owner thread. A store
 * object outlives its wasmtime store: wb_store_delete deletes the wasmtime
 * store at once, and the last reference (a concurrent wb_store_interrupt
 * may hold one) frees the object and drops its engine reference. */
#ifndef WB_OBJECTS_H
#define WB_OBJECTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <wasmtime.h>

#include "../handles/handles.h"

/* Native stack kept free beyond max_wasm_stack for Wasmtime's own host
 * frames and the signal handler that turns a guard-page hit into a trap. */
#define WBD_STACK_MARGIN (128u * 1024u)
#define WBD_DEFAULT_MAX_WASM_STACK (512u * 1024u)

/* wbd_engine_t.features: what the engine's modules may contain */
#define WBD_FEATURE_GC 1u
#define WBD_FEATURE_FUNCTION_REFERENCES 2u
#define WBD_FEATURE_EXCEPTIONS 4u
#define WBD_FEATURE_THREADS 8u
#define WBD_FEATURE_COMPONENT_MODEL 16u

typedef struct wbd_engine {
  wasm_engine_t *engine;
  uint64_t serial;          /* identifies the engine across handles */
  uint64_t max_wasm_stack;
  bool epoch_interruption;
  bool consume_fuel;
  bool async_support;
  bool guest_shared_memory;  /* modules may define shared memories (wb_engine_config_t) */
  uint32_t features;         /* WBD_FEATURE_* */
  /* deadlines: stores of this engine that have a timeout or deadline set;
   * while non-zero the ticker (deadline.c) bumps this engine's epoch */
  _Atomic int64_t timed_stores;
  _Atomic int ticked;       /* on the ticker's list (which holds a reference) */
} wbd_engine_t;

typedef struct wbd_module {
  wasmtime_module_t *module;
  uint64_t engine_serial;
} wbd_module_t;

/* Dedup map of a store's export handles: the same wasm object always gets
 * the same handle, so repeated lookups do not grow the handle table. */
typedef struct wbd_handle_map {
  uint64_t *keys;   /* 0 = empty */
  uint64_t *ids;
  uint32_t cap, len;
} wbd_handle_map_t;

/* Output of a WASI stream captured into memory; owned by the WASI context
 * (freed by its finalizer). Wasmtime writes it from a thread of its own (a
 * tokio worker), the store's owner thread reads it: both under `lock`. At
 * most `limit` bytes are kept; the rest is counted in `dropped`. */
typedef struct wbd_capture {
  /* Wasmtime's WASI 0.2 streams (which its WASI 0.1 uses too) call the
   * capture callback on a Wasmtime-internal (tokio) thread, not the store's
   * owner: writer and reader take the lock */
  pthread_mutex_t lock;
  uint8_t *data;
  size_t len, cap;
  uint64_t limit, dropped;
} wbd_capture_t;

typedef struct wbd_caller {
  wasmtime_caller_t *caller; /* NULL outside the callback; level 0 keeps it in the store */
  uint32_t index;            /* its own slot index (store-bound slots record their store's) */
  uint32_t level;            /* the nesting level of host calls it serves */
} wbd_caller_t;

/* The Wasmtime caller behind a caller object (NULL outside its callback). */
#define WBD_CALLER_OF(store, c) ((c)->level == 0 ? (store)->caller0_ptr : (c)->caller)

typedef struct wbd_store {
  wasmtime_store_t *store;   /* NULL once wb_store_delete ran */
  wbh_slot_t *slot;          /* this store's own slot and id */
  uint64_t id;
  wasmtime_context_t *ctx;
  wbd_engine_t *engine;      /* holds a reference on engine_id */
  uint64_t engine_id;
  uintptr_t stack_needed;    /* max_wasm_stack + margin */
  /* WBD_ATTN_* bits: whether a call must look at interrupts or deadlines
   * before it starts; one word, so that a call without either reads one */
  _Atomic uint32_t attention;
  /* owner thread only */
  int interrupt_fired;       /* the epoch callback stopped the current call */
  int depth;                 /* calls into wasm in progress */
  /* Moves on whenever a memory of the store may have grown, and so moved:
   * on every return from wasm (wbd_wasm_leave) and in wb_memory_grow. While
   * wasm runs (depth > 0) it may have grown meanwhile; see wbd_memory_t. */
  uint64_t grow_epoch;
  wbd_handle_map_t exports;
  /* host functions: one caller slot per nesting level of host calls */
  uint32_t host_depth, ncaller_slots;
  wbh_slot_t **caller_slots;
  /* level 0 (a host call not nested in another), cached for the trampoline:
   * caller_slots[0], the id its current generation gives, and its Wasmtime
   * caller (NULL outside the callback; kept here rather than in the caller
   * object, one load nearer); caller0_slot is NULL when caller_slots[0] is */
  wbh_slot_t *caller0_slot;
  uint64_t caller0_id;
  wasmtime_caller_t *caller0_ptr;
  /* deadlines (deadline.c); 0 = none; CLOCK_MONOTONIC nanoseconds */
  uint64_t call_timeout_ns, call_deadline_ns, deadline_ns;
  int deadline_fired;        /* the epoch callback stopped a call for time */
  int timed;                 /* counted in engine->timed_stores; WBD_ATTN_TIMED mirrors it */
  /* WASI capture buffers of the current WASI context (NULL when not captured) */
  wbd_capture_t *captured[2];
  bool has_wasi;             /* the store has a WASI context (its own, or the default empty one) */
  /* WASI's guard (lifecycle/wasi_guard.c): the open-file limit and count,
   * the forwarders to Wasmtime's own functions; lifecycle frees it */
  void *wasi_guard;
  uint32_t max_open_files;   /* of the current WASI context */
  /* Shared memories (wb_shared_memory_t ids, each holding a handle
   * reference, and their objects) that the store's instances import: a
   * guest parked in memory.atomic.wait on one of them never reaches an
   * epoch check, so the ticker wakes such waits when the store must stop
   * (deadline.c). Owner thread writes (the ticker reads under its lock). */
  uint64_t *shared_ids;
  void **shared_objs;
  uint32_t nshared;
  bool watched;              /* on the ticker's list of stores with shared memories */
  uint64_t stuck_since_ns, woken_ns; /* the ticker's, under its lock */
  /* component/: the store's component-model state (host resources, host-call
   * scratch memory), NULL until first needed; freed at delete through
   * wbd_component_store_fini (set by component/, owner thread) */
  struct wbc_store *component;
  /* The stack pointer in the innermost running component host callback's
   * trampoline (0 when none runs), set and restored by component/'s
   * trampolines; core host callbacks are found through their callers.
   * wbd_callback_escaped compares it with the stack. Owner thread. */
  uintptr_t callback_frame;
} wbd_store_t;

/* Frees a store's component state (wbd_store_t.component) after its
 * wasmtime store is gone; set by component/ when it loads. */
extern void (*wbd_component_store_fini)(wbd_store_t *s);


/* A host function defined into a linker; Wasmtime owns it (finalizer). */
typedef struct wbd_hostfn {
  wb_host_callback_t callback;
  void *env;
  wb_finalizer_t finalizer;
  char *label;               /* "\"module\" \"name\"", for messages */
  uint32_t nparams, nresults;
  bool numeric;              /* at most 16 params and results, all i32/i64/f32/f64 */
  uint8_t kinds[];           /* params then results */
} wbd_hostfn_t;

enum { WBD_KIND_UNSUPPORTED = 0xFF };

typedef struct wbd_func {
  wasmtime_func_t func;
  /* the func's store and its context (both live as long as the func), so
   * that a call reaches them without going through the store's slot */
  struct wbd_store *store;
  wasmtime_context_t *ctx;
  uint32_t nparams, nresults;
  bool numeric;              /* at most 16 params and results, all i32/i64/f32/f64 */
  bool all_i32;              /* numeric, and every value an i32 */
  /* wb_func_call's gate to its fast path: the counts when numeric, else
   * SIZE_MAX (no count matches), so that two compares check both; nvals is
   * the larger count, the length of the raw buffer */
  size_t fast_nparams, fast_nresults, nvals;
  uint8_t kinds[];           /* params then results: wb_valkind_t or WBD_KIND_UNSUPPORTED */
} wbd_func_t;

typedef struct wbd_instance {
  wasmtime_instance_t instance;
} wbd_instance_t;

typedef struct wbd_memory {
  wasmtime_memory_t memory;
  wasmtime_context_t *ctx;   /* its store's (as for wbd_func_t) */
  /* A size in bytes the memory has at least: a wasm memory never shrinks,
   * so an access within it needs no size query (a shared memory may grow
   * on other threads meanwhile; it only grows too). Refreshed when an
   * access goes beyond it. Owner thread. */
  size_t known_size;
  /* The memory's base as seen when its store's grow_epoch was known_epoch:
   * valid while the epoch is unchanged and no wasm of the store is running
   * (only growing moves a memory, a shared one never). Owner thread. */
  uint8_t *known_base;
  uint64_t known_epoch;
} wbd_memory_t;

typedef struct wbd_global {
  wasmtime_global_t global;
  uint8_t kind;
  bool is_mutable;
} wbd_global_t;

static inline wbd_store_t *wbd_store_of(wbh_slot_t *store_slot) { return (wbd_store_t *)store_slot->obj; }

/* Handles for wasm objects of a store (owner thread). Exports are deduped. */
wb_status_t wbd_instance_handle(wbh_slot_t *store_slot, const wasmtime_instance_t *inst, uint64_t *id_out);
wb_status_t wbd_func_handle(wbh_slot_t *store_slot, const wasmtime_func_t *func, uint64_t *id_out);
wb_status_t wbd_memory_handle(wbh_slot_t *store_slot, const wasmtime_memory_t *mem, uint64_t *id_out);
wb_status_t wbd_global_handle(wbh_slot_t *store_slot, const wasmtime_global_t *global, uint64_t *id_out);

/* Records st as this thread's last error with a formatted prefix, ": " and
 * Wasmtime's message for err (without the Rust backtrace that
 * RUST_BACKTRACE adds); takes ownership of err. */
wb_status_t wbd_fail_error(wb_status_t st, wasmtime_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The length of a Wasmtime message without its Rust backtrace, and without
 * a trailing NUL. */
size_t wbd_message_len(const char *msg, size_t len);

/* Turns a failed call into a status and this thread's last error (message
 * with the wasm backtrace, trap code); takes ownership of err and trap. */
wb_status_t wbd_fail_call(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap, const char *what);

/* Prepares a new wasmtime store: epoch deadline and interrupt callback. */
void wbd_store_init(wbd_store_t *s);
/* Undoes what the store's deadlines registered (at store delete). */
void wbd_store_fini(wbd_store_t *s);

/* A handle for an export of the right kind (`what` names it in messages);
 * deletes ext when it is not kept. */
wb_status_t wbd_extern_handle(wbh_slot_t *store_slot, wasmtime_extern_t *ext, wasmtime_extern_kind_t want,
                              const char *name, uint64_t *out);

/* The Wasmtime trampoline behind every host function; env is a wbd_hostfn_t. */
wasm_trap_t *wbd_host_trampoline(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n);
/* The same for host functions whose parameters and results are all numbers
 * (wbd_hostfn_t.numeric): no conversion can fail, no buffer to allocate. */
wasm_trap_t *wbd_host_trampoline_numeric(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n);
/* The trampoline for a host function: wbd_host_trampoline, or one of the
 * numeric trampolines (one per small shape, or any count). */
wasmtime_func_unchecked_callback_t wbd_host_trampoline_for(const wbd_hostfn_t *h);
void wbd_hostfn_finalize(void *env);

/* Checks for an interrupt that came before the call, starts the outermost
 * call's time budget and checks the store deadline. */
static inline wb_status_t wbd_call_begin(wbd_store_t *s);

/* nanoseconds of CLOCK_MONOTONIC */
uint64_t wbd_now_ns(void);
wb_status_t wbd_fail_deadline(wbd_store_t *s);

/* Checks a name (export, import, argument...): non-NULL, at most
 * WBD_MAX_NAME bytes, valid UTF-8; *len_out is its length. `what` names it
 * in the message. */
#define WBD_MAX_NAME 65535
wb_status_t wbd_check_name(const char *name, const char *what, size_t *len_out);

/* wb_valkind_t of a Wasmtime value type, or WBD_KIND_UNSUPPORTED. */
uint8_t wbd_valkind_of(const wasm_valtype_t *t);

/* Refuses a call into wasm on a thread without enough native stack left. */
wb_status_t wbd_check_stack_slow(const wbd_store_t *s);
static inline wb_status_t wbd_check_stack(const wbd_store_t *s) {
  if (__builtin_expect(wbh_stack_has(s->stack_needed), 1)) return WB_OK;
  return wbd_check_stack_slow(s); /* a thread's first call, or too little stack */
}

/* The attention word's bits (wbd_store_t.attention). */
#define WBD_ATTN_INTERRUPT 1u /* wb_store_interrupt was called; any thread sets it */
#define WBD_ATTN_TIMED 2u     /* the store has a deadline or call timeout; owner thread */

wb_status_t wbd_call_begin_slow(wbd_store_t *s);
static inline wb_status_t wbd_call_begin(wbd_store_t *s) {
  if (__builtin_expect(atomic_load_explicit(&s->attention, memory_order_relaxed) != 0, 0))
    return wbd_call_begin_slow(s);
  return WB_OK;
}

/* The store whose wasm this thread runs now (the innermost entry into
 * Wasmtime), for the host trampoline, which would otherwise ask Wasmtime
 * with two calls. Every call into Wasmtime that may run wasm goes through
 * wbd_wasm_enter and wbd_wasm_leave, which also count the store's depth
 * (a store in a call cannot be deleted, so the pointer stays valid). */
extern __thread wbd_store_t *wbd_tls_running __attribute__((tls_model("initial-exec")));

static inline __attribute__((always_inline)) wbd_store_t *wbd_wasm_enter(wbd_store_t *s) {
  wbd_store_t *outer = wbd_tls_running;
  wbd_tls_running = s;
  s->depth++;
  return outer;
}

static inline __attribute__((always_inline)) void wbd_wasm_leave(wbd_store_t *s, wbd_store_t *outer) {
  s->depth--;
  s->grow_epoch++;
  wbd_tls_running = outer;
}

/* Wakes every thread parked in memory.atomic.wait on a shared memory (the
 * object of a wb_shared_memory_t); set by lifecycle/ (waits.c). */
extern void (*wbd_wake_waiters)(void *shared_memory);
/* Records that the store's instances import a shared memory (its handle id,
 * retained here, and its object) and puts the store on the ticker's watch
 * (deadline.c). Owner thread. wbd_store_fini takes it off the watch; the
 * store's destructor releases the references. */
wb_status_t wbd_store_add_shared(wbd_store_t *s, uint64_t id, void *obj);
/* Wakes the ticker to look at watched stores (an interrupt came). */
void wbd_ticker_poke(void);

/* Whether the store's innermost host callback was left without returning
 * (a longjmp out of it, or its thread exited): the store is inside a call
 * (depth > 0) but the calling thread's stack is above that callback's
 * frame, where no code of the call can be running. Owner thread. */
int wbd_callback_escaped(const wbd_store_t *s);

/* Forgets a call that was left without returning, so that the store can be
 * deleted. On the owner thread (a longjmp), that thread's Wasmtime state is
 * broken too: every later call into wasm on it is refused with
 * WB_ERR_UNUSABLE. */
void wbd_abandon_call(wbd_store_t *s, bool on_owner_thread);

/* Statistics kept by dispatch. */
extern _Atomic uint64_t wbd_traps, wbd_interrupts;

#endif
