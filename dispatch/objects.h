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

#include <stdatomic.h>
#include <stdbool.h>
#include <wasmtime.h>

#include "../handles/handles.h"

/* Native stack kept free beyond max_wasm_stack for Wasmtime's own host
 * frames and the signal handler that turns a guard-page hit into a trap. */
#define WBD_STACK_MARGIN (128u * 1024u)
#define WBD_DEFAULT_MAX_WASM_STACK (512u * 1024u)

typedef struct wbd_engine {
  wasm_engine_t *engine;
  uint64_t serial;          /* identifies the engine across handles */
  uint64_t max_wasm_stack;
  bool epoch_interruption;
  bool consume_fuel;
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

typedef struct wbd_store {
  wasmtime_store_t *store;   /* NULL once wb_store_delete ran */
  wasmtime_context_t *ctx;
  wbd_engine_t *engine;      /* holds a reference on engine_id */
  uint64_t engine_id;
  uintptr_t stack_needed;    /* max_wasm_stack + margin */
  _Atomic int interrupt_pending; /* set by any thread, consumed by the owner */
  /* owner thread only */
  int interrupt_fired;       /* the epoch callback stopped the current call */
  int depth;                 /* calls into wasm in progress */
  wbd_handle_map_t exports;
} wbd_store_t;

enum { WBD_KIND_UNSUPPORTED = 0xFF };

typedef struct wbd_func {
  wasmtime_func_t func;
  uint32_t nparams, nresults;
  uint8_t kinds[];           /* params then results: wb_valkind_t or WBD_KIND_UNSUPPORTED */
} wbd_func_t;

typedef struct wbd_instance {
  wasmtime_instance_t instance;
} wbd_instance_t;

typedef struct wbd_memory {
  wasmtime_memory_t memory;
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

/* Turns a failed call into a status and this thread's last error (message
 * with the wasm backtrace, trap code); takes ownership of err and trap. */
wb_status_t wbd_fail_call(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap, const char *what);

/* Prepares a new wasmtime store: epoch deadline and interrupt callback. */
void wbd_store_init(wbd_store_t *s);

/* wb_valkind_t of a Wasmtime value type, or WBD_KIND_UNSUPPORTED. */
uint8_t wbd_valkind_of(const wasm_valtype_t *t);

/* Refuses a call into wasm on a thread without enough native stack left. */
static inline wb_status_t wbd_check_stack(const wbd_store_t *s) {
  uintptr_t left = wbh_stack_left();
  if (__builtin_expect(left < s->stack_needed, 0))
    return wbi_fail(WB_ERR_NATIVE_STACK,
                    "this thread has %lu KiB of native stack left, but a call into wasm needs "
                    "%lu KiB (the engine's max_wasm_stack plus a %u KiB margin); give the thread "
                    "a bigger stack or lower max_wasm_stack",
                    (unsigned long)(left / 1024), (unsigned long)(s->stack_needed / 1024),
                    WBD_STACK_MARGIN / 1024);
  return WB_OK;
}

/* Statistics kept by dispatch. */
extern _Atomic uint64_t wbd_traps, wbd_interrupts;

#endif
