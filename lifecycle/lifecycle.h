/* lifecycle: creating and deleting what handles name. Internal header. */
#ifndef WB_LIFECYCLE_H
#define WB_LIFECYCLE_H

#include "../dispatch/objects.h"

/* Reads a caller's engine configuration of any version (NULL: the
 * defaults) into a struct of the current version (config.c). */
wb_status_t wbl_engine_config_read(const wb_engine_config_t *user, wb_engine_config_t *out);

/* Lists a module's imports or exports (types.c). */
wb_status_t wbl_module_list(uint64_t module_id, bool imports, wb_extern_list_t *out);

/* A host function's object (linker.c): on failure its finalizer has run. */
wb_status_t wbl_hostfn_new(const char *module, size_t mlen, const char *name, size_t nlen,
                           const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results, size_t nresults,
                           wb_host_callback_t callback, void *env, wb_finalizer_t finalizer, wbd_hostfn_t **out);
/* Its Wasmtime function type (the caller deletes it). */
wasm_functype_t *wbl_hostfn_type(const wbd_hostfn_t *h);

/* Registers the destructors of every kind with handles/. */
void wbl_init(void);

/* Registers the destructors of linking's kinds (linker.c, wasi.c). */
void wbl_init_linking(void);

/* Turns a failed instantiation into WB_ERR_LINK, WB_ERR_LIMIT or a trap status. */
wb_status_t wbl_fail_instantiate(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap);

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
