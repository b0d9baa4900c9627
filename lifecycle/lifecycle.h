/* lifecycle: creating and deleting what handles name. Internal header. */
#ifndef WB_LIFECYCLE_H
#define WB_LIFECYCLE_H

#include "../dispatch/objects.h"

/* Reads a caller's engine configuration of any version (NULL: the
 * defaults) into a struct of the current version (config.c). */
wb_status_t wbl_engine_config_read(const wb_engine_config_t *user, wb_engine_config_t *out);

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

/* Object-level entry points for code that holds references itself (pools):
 * they work after the user deleted the engine's or template's handle. */
wb_status_t wbl_store_new(wbd_engine_t *e, uint64_t engine_id, uint64_t *out);
wb_status_t wbl_template_instantiate(void *template_obj, uint64_t store_id, uint64_t *out);
/* A shallow clone of the template's module; delete it with wasmtime_module_delete. */
wasmtime_module_t *wbl_template_module(void *template_obj);
uint64_t wbl_template_engine_serial(void *template_obj);

#endif
