/* lifecycle: creating and deleting what handles name. Internal header. */
#ifndef WB_LIFECYCLE_H
#define WB_LIFECYCLE_H

#include <pthread.h>

#include "../dispatch/objects.h"

/* A shared memory (wb_shared_memory_t; shareable). */
typedef struct wbl_shared_memory {
  wasmtime_sharedmemory_t *memory;
  uint64_t engine_serial;
  wbd_engine_t *engine;      /* a reference on engine_id, for the waker */
  uint64_t engine_id;
  /* The waker (waits.c): a private store with a tiny instance that imports
   * this memory and notifies every address, so that a thread parked in
   * memory.atomic.wait wakes and reaches the epoch check that stops it.
   * Made on first use; used under wake_lock by whichever thread wakes. */
  pthread_mutex_t wake_lock;
  int wake_state;            /* 0 not made yet, 1 ready, -1 cannot be made */
  wasmtime_store_t *wake_store;
  wasmtime_func_t wake_func;
} wbl_shared_memory_t;

/* The shared memories a linker defined, which its templates and the stores
 * it instantiates into remember; each entry holds a handle reference. */
typedef struct wbl_shared_set {
  uint64_t *ids;
  uint32_t n;
} wbl_shared_set_t;

wb_status_t wbl_shared_set_add(wbl_shared_set_t *set, uint64_t memory_id); /* retains */
wb_status_t wbl_shared_set_copy(wbl_shared_set_t *dst, const wbl_shared_set_t *src);
void wbl_shared_set_clear(wbl_shared_set_t *set); /* releases */
/* The store now holds instances that import the set's memories: their waits
 * must be wakeable when the store is interrupted or runs out of time. */
wb_status_t wbl_store_share(wbd_store_t *s, const wbl_shared_set_t *set);
void wbl_shared_memory_destroy(wbl_shared_memory_t *m);

/* Reads a caller's engine configuration of any version (NULL: the
 * defaults) into a struct of the current version (config.c). */
wb_status_t wbl_engine_config_read(const wb_engine_config_t *user, wb_engine_config_t *out);
/* Refuses what Wasmtime's engine constructor would refuse (and so abort
 * on), given the effective max_wasm_stack. */
wb_status_t wbl_engine_config_check(const wb_engine_config_t *c, uint64_t max_wasm_stack);

/* Wasmtime's wat2wasm, module new/validate/deserialize, with the same
 * contracts, run on a stack big enough for them (compile.c): the calling
 * thread's when it has enough left, a helper thread's otherwise. */
wasmtime_error_t *wbl_wat2wasm(const char *wat, size_t len, wasm_byte_vec_t *out);
wasmtime_error_t *wbl_module_new(wasm_engine_t *engine, const uint8_t *wasm, size_t len, wasmtime_module_t **out);
wasmtime_error_t *wbl_module_validate(wasm_engine_t *engine, const uint8_t *wasm, size_t len);
wasmtime_error_t *wbl_module_deserialize(wasm_engine_t *engine, const uint8_t *bytes, size_t len,
                                         wasmtime_module_t **out);

/* Lists a module's imports or exports (types.c). */
wb_status_t wbl_module_list(uint64_t module_id, bool imports, wb_extern_list_t *out);

/* A host function's object (linker.c): on failure its finalizer has run.
 * One of callback (general) and typed (numbers and v128 only) is set. */
wb_status_t wbl_hostfn_new(const char *module, size_t mlen, const char *name, size_t nlen,
                           const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results, size_t nresults,
                           wb_host_callback_t callback, wb_typed_host_callback_t typed, void *env,
                           wb_finalizer_t finalizer, wbd_hostfn_t **out);
/* Its Wasmtime function type (the caller deletes it). */
wasm_functype_t *wbl_hostfn_type(const wbd_hostfn_t *h);

/* Registers the destructors of every kind with handles/. */
void wbl_init(void);

/* Registers the destructors of linking's kinds (linker.c, wasi.c). */
void wbl_init_linking(void);

/* Turns a failed instantiation into WB_ERR_LINK, WB_ERR_LIMIT or a trap status. */
wb_status_t wbl_fail_instantiate(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap);

/* What every instantiation does before it may run wasm (a start function):
 * enough native stack, no pending interrupt, the store deadline not passed
 * and the call timeout armed for it (dispatch/deadline.c), and, when the
 * linking defines WASI, a WASI context in the store (an empty one unless
 * wb_store_set_wasi gave it one), because Wasmtime aborts the process when
 * a WASI function runs in a store without one. */
wb_status_t wbl_instantiate_begin(wbd_store_t *s, bool needs_wasi);

/* Gives the store an empty WASI context (no args, env, stdin or
 * directories; output discarded) unless it has one (wasi.c). */
wb_status_t wbl_store_default_wasi(wbd_store_t *s);

/* WASI's limits: open files per store, bytes kept per captured stream. */
#define WBL_DEFAULT_MAX_OPEN_FILES 128u
#define WBL_DEFAULT_OUTPUT_LIMIT ((uint64_t)1 << 20)

/* WASI's guard (wasi_guard.c): wrappers of Wasmtime's WASI functions that
 * keep a store's open files under its limit and make poll_oneoff's sleeps
 * interruptible. Defined into a linker after Wasmtime's WASI. */
wb_status_t wbl_wasi_guard_define(wasmtime_linker_t *linker, bool shadowing);
/* The store's WASI context changed: forget what the guard knew. */
void wbl_wasi_guard_reset(wbd_store_t *s);
/* Frees the store's guard (at store deletion). */
void wbl_wasi_guard_free(wbd_store_t *s);

/* Stores abandoned and not yet deleted (store.c). */
uint64_t wbl_abandoned_stores(void);

/* Object-level entry points for code that holds references itself (pools):
 * they work after the user deleted the engine's or template's handle. */
wb_status_t wbl_store_new(wbd_engine_t *e, uint64_t engine_id, uint64_t *out);
wb_status_t wbl_template_instantiate(void *template_obj, uint64_t store_id, uint64_t *out);
/* A shallow clone of the template's module; delete it with wasmtime_module_delete. */
wasmtime_module_t *wbl_template_module(void *template_obj);
uint64_t wbl_template_engine_serial(void *template_obj);
/* The template's module types (NULL when its module has none); valid while
 * the template object is. */
const wbd_modinfo_t *wbl_template_info(void *template_obj);

#endif
