/* Host-made externs: memories, globals and functions created in a store
 * (tables are in dispatch/tables.c), to define into a linker with
 * wb_linker_define_extern. Store-bound: the owner thread only. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../dispatch/values.h"
#include "lifecycle.h"

static bool limit_error(wasmtime_error_t *err) {
  wasm_byte_vec_t msg = {0, 0};
  wasmtime_error_message(err, &msg);
  bool limit = msg.data && (memmem(msg.data, msg.size, "resource limit exceeded", 23) ||
                            memmem(msg.data, msg.size, "exceeds memory limits", 21) ||
                            memmem(msg.data, msg.size, "maximum concurrent limit", 24));
  wasm_byte_vec_delete(&msg);
  return limit;
}

wb_status_t wb_memory_new(wb_store_t store, const wb_memorytype_t *type, wb_memory_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!type || !out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL", type ? "out" : "type");
  if (type->shared)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "a shared memory belongs to no store: make it with wb_shared_memory_new");
  wasm_memorytype_t *mt = 0;
  wasmtime_error_t *err = wasmtime_memorytype_new(type->min, type->has_max, type->max, type->is64, false,
                                                  type->page_size_log2, &mt);
  if (err) return wbd_fail_error(WB_ERR_INVALID_ARGUMENT, err, "bad memory type");
  wasmtime_memory_t mem;
  err = wasmtime_memory_new(wbd_store_of(ss)->ctx, mt, &mem);
  wasm_memorytype_delete(mt);
  if (err) {
    bool limit = limit_error(err);
    return wbd_fail_error(limit ? WB_ERR_LIMIT : WB_ERR_INVALID_ARGUMENT, err, "cannot create the memory");
  }
  return wbd_memory_handle(ss, &mem, &out->id);
}

wb_status_t wb_global_new(wb_store_t store, const wb_globaltype_t *type, const wb_val_t *value, wb_global_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!type || !value || !out)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL", !type ? "type" : !value ? "value" : "out");
  const wb_valtype_t *c = &type->content;
  wasm_valkind_t kind;
  switch (c->kind) { /* wasm_valtype_new panics on any other kind */
  case WB_I32: kind = WASM_I32; break;
  case WB_I64: kind = WASM_I64; break;
  case WB_F32: kind = WASM_F32; break;
  case WB_F64: kind = WASM_F64; break;
  case WB_V128: kind = WASMTIME_V128; break;
  case WB_FUNCREF: kind = WASM_FUNCREF; break;
  case WB_EXTERNREF: kind = WASM_EXTERNREF; break;
  default: kind = 0xFF; break;
  }
  bool basic = kind != 0xFF && (c->kind <= WB_V128 || (c->nullable && (c->heap == WB_HEAP_FUNC || c->heap == WB_HEAP_EXTERN)));
  if (!basic)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "Wasmtime 39's C API can make globals of numbers, v128, and nullable "
                                          "funcref and externref only (kind %u, heap type %u)",
                    c->kind, c->heap);
  wbd_store_t *s = wbd_store_of(ss);
  wb_globaltype_t t = *type;
  t.content = wbd_valtype_of_kind(c->kind);
  wasmtime_val_t v;
  if ((st = wbd_val_to_val(ss, s, value, &t.content, "value", 0, &v))) return st;
  wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new(kind), type->is_mutable ? WASM_VAR : WASM_CONST);
  wasmtime_global_t global;
  wasmtime_error_t *err = wasmtime_global_new(s->ctx, gt, &v, &global);
  wasm_globaltype_delete(gt);
  if (err) return wbd_fail_error(WB_ERR_TYPE_MISMATCH, err, "cannot create the global");
  wbd_typeinfo_t ti = {0, 0, &t, 0};
  return wbd_global_handle(ss, &global, &ti, &out->id);
}

wb_status_t wb_func_new(wb_store_t store, const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                        size_t nresults, wb_host_callback_t callback, void *env, wb_finalizer_t finalizer,
                        wb_func_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st == WB_OK && !out) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (st) {
    if (finalizer) finalizer(env); /* ownership of env was passed in */
    return st;
  }
  wbd_hostfn_t *h;
  static const char label[] = "(wb_func_new)";
  if ((st = wbl_hostfn_new(label, 0, label, sizeof label - 1, params, nparams, results, nresults, callback, 0,
                           env, finalizer, &h)))
    return st;
  free(h->label);
  h->label = strdup("made by wb_func_new");
  wasm_functype_t *ft = wbl_hostfn_type(h);
  wbd_store_t *s = wbd_store_of(ss);
  wasmtime_func_t func;
  /* the store owns h from here: Wasmtime calls wbd_hostfn_finalize when the
   * function goes (with the store) */
  wasmtime_func_new_unchecked(s->ctx, ft, wbd_host_trampoline_for(h), h, wbd_hostfn_finalize, &func);
  wasm_functype_delete(ft);
  /* its type: the kinds it was made with */
  size_t n = nparams + nresults;
  wb_valtype_t *vals = malloc((n + 1) * sizeof *vals);
  if (!vals) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a function type");
  for (size_t i = 0; i < nparams; i++) vals[i] = wbd_valtype_of_kind((uint8_t)params[i]);
  for (size_t i = 0; i < nresults; i++) vals[nparams + i] = wbd_valtype_of_kind((uint8_t)results[i]);
  wbd_type_t ft2 = {WBD_COMP_FUNC, (uint32_t)nparams, (uint32_t)nresults, vals};
  wbd_typeinfo_t ti = {0, &ft2, 0, 0};
  st = wbd_func_handle(ss, &func, &ti, &out->id);
  free(vals);
  return st;
}
