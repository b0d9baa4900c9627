/* Linkers (creator-thread builders), templates (shareable InstancePre) and
 * shared memories (shareable). Store-independent objects are reference
 * counted through their handles; a linker that received objects of a store
 * (wb_linker_define_instance) remembers it, because Wasmtime aborts the
 * process when such a linker meets another store. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"

typedef struct wbl_linker {
  wasmtime_linker_t *linker;
  wbl_shared_set_t shared;   /* the shared memories defined into it (waits.c) */
  wbd_engine_t *engine;
  uint64_t engine_id;        /* a reference held for the linker's life */
  uint64_t bound_store;      /* id of the store its definitions belong to, or 0 */
  bool has_wasi;             /* WASI is defined: instantiation needs a WASI context */
  bool shadowing;            /* wb_linker_allow_shadowing's setting */
  wasmtime_store_t *scratch; /* a store for store-independent definitions */
} wbl_linker_t;

typedef struct wbl_template {
  wasmtime_instance_pre_t *pre;
  wbl_shared_set_t shared;   /* its linker's shared memories, for its stores */
  uint64_t engine_serial;
  bool has_wasi;             /* its linker defined WASI */
  wbd_modinfo_t *info; /* its module's types (a reference), or NULL */
} wbl_template_t;

static void destroy_linker(void *obj) {
  wbl_linker_t *l = obj;
  wasmtime_linker_delete(l->linker);
  if (l->scratch) wasmtime_store_delete(l->scratch);
  wbl_shared_set_clear(&l->shared);
  uint64_t engine_id = l->engine_id;
  free(l);
  wbh_release(engine_id);
}

static void destroy_template(void *obj) {
  wbl_template_t *t = obj;
  wasmtime_instance_pre_delete(t->pre);
  wbl_shared_set_clear(&t->shared);
  wbd_modinfo_release(t->info);
  free(t);
}

static void destroy_shared_memory(void *obj) { wbl_shared_memory_destroy(obj); }

void wbl_wasi_init(void);
void wbl_waits_init(void);

void wbl_init_linking(void) {
  wbh_set_destructor(WBH_KIND_LINKER, destroy_linker);
  wbh_set_destructor(WBH_KIND_TEMPLATE, destroy_template);
  wbh_set_destructor(WBH_KIND_SHARED_MEMORY, destroy_shared_memory);
  wbl_wasi_init();
  wbl_waits_init();
}

static wb_status_t link_error(wb_status_t st, const char *what, wasmtime_error_t *err) {
  return wbd_fail_error(st, err, "%s", what);
}

/* ---- linkers ---------------------------------------------------------------- */

wb_status_t wb_linker_new(wb_engine_t engine, wb_linker_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *eobj;
  wb_status_t st = wbh_acquire(engine.id, WBH_KIND_ENGINE, &eobj);
  if (st) return st;
  wbl_linker_t *l = calloc(1, sizeof *l);
  if (!l) {
    wbh_release(engine.id);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a linker");
  }
  l->engine = eobj;
  l->engine_id = engine.id;
  l->linker = wasmtime_linker_new(l->engine->engine);
  uint64_t id;
  st = wbh_alloc(WBH_KIND_LINKER, l, 0, &id);
  if (st) {
    destroy_linker(l);
    return st;
  }
  out->id = id;
  return WB_OK;
}

static wb_status_t owned_linker(wb_linker_t linker, wbl_linker_t **out) {
  wbh_slot_t *slot = 0;
  wb_status_t st = wbh_owned(linker.id, WBH_KIND_LINKER, &slot);
  if (st == WB_OK) *out = slot->obj;
  return st;
}

wb_status_t wb_linker_delete(wb_linker_t linker) {
  return wbh_delete_builder(linker.id, WBH_KIND_LINKER);
}

wb_status_t wb_linker_allow_shadowing(wb_linker_t linker, bool allow) {
  wbl_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st) return st;
  wasmtime_linker_allow_shadowing(l->linker, allow);
  l->shadowing = allow;
  return WB_OK;
}

static wb_status_t check_names(const char *module, const char *name, size_t *mlen, size_t *nlen) {
  wb_status_t st = wbd_check_name(module, "module", mlen);
  if (st == WB_OK && name) st = wbd_check_name(name, "name", nlen);
  else if (st == WB_OK) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "name is NULL");
  return st;
}

static wasm_valtype_t *valtype_of(wb_valkind_t k) {
  switch (k) {
  case WB_I32: return wasm_valtype_new(WASM_I32);
  case WB_I64: return wasm_valtype_new(WASM_I64);
  case WB_F32: return wasm_valtype_new(WASM_F32);
  case WB_F64: return wasm_valtype_new(WASM_F64);
  case WB_V128: return wasm_valtype_new(WASMTIME_V128);
  case WB_FUNCREF: return wasm_valtype_new(WASM_FUNCREF);
  case WB_EXTERNREF: return wasm_valtype_new(WASM_EXTERNREF);
  default: return 0;
  }
}

static wb_status_t check_kinds(const wb_valkind_t *kinds, size_t n, const char *what) {
  if (n && !kinds) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL with a count of %zu", what, n);
  if (n > 1000) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%zu %s is more than wasm allows (1000)", n, what);
  for (size_t i = 0; i < n; i++)
    if ((unsigned)kinds[i] > WB_EXTERNREF)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "%s[%zu] is not a kind a host function can take (%d): Wasmtime 39's C API makes host "
                      "functions of numbers, v128, funcref and externref only",
                      what, i, (int)kinds[i]);
  return WB_OK;
}

static wasm_functype_t *functype_of(const wb_valkind_t *params, size_t np, const wb_valkind_t *results, size_t nr) {
  wasm_valtype_vec_t pv, rv;
  wasm_valtype_vec_new_uninitialized(&pv, np);
  for (size_t i = 0; i < np; i++) pv.data[i] = valtype_of(params[i]);
  wasm_valtype_vec_new_uninitialized(&rv, nr);
  for (size_t i = 0; i < nr; i++) rv.data[i] = valtype_of(results[i]);
  return wasm_functype_new(&pv, &rv); /* takes both vectors */
}

/* A host function's kinds, params then results, as bytes. */
static void copy_kinds(uint8_t *out, const wb_valkind_t *params, size_t np, const wb_valkind_t *results, size_t nr) {
  for (size_t i = 0; i < np; i++) out[i] = (uint8_t)params[i];
  for (size_t i = 0; i < nr; i++) out[np + i] = (uint8_t)results[i];
}

/* A host function's label for messages, "\"module\" \"name\"" (NULL when out
 * of memory). */
static char *host_label(const char *module, size_t mlen, const char *name, size_t nlen) {
  char *label = malloc(mlen + nlen + 6);
  if (label) snprintf(label, mlen + nlen + 6, "\"%.*s\" \"%.*s\"", (int)mlen, module, (int)nlen, name);
  return label;
}

/* A host function's object for the trampolines (dispatch/host.c), or a
 * status; on failure the finalizer has run (ownership of env was passed
 * in). module and name label it in messages. */
/* A typed host function's kinds: numbers and v128, whose raw values need
 * no conversion. */
static wb_status_t check_typed_kinds(const wb_valkind_t *kinds, size_t n, const char *what) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned)kinds[i] > WB_V128)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "%s[%zu] is %s: a typed host function takes and returns numbers and v128 only (define "
                      "functions of references with wb_linker_define_func)",
                      what, i, kinds[i] == WB_FUNCREF ? "WB_FUNCREF" : "WB_EXTERNREF");
  return WB_OK;
}

wb_status_t wbl_hostfn_new(const char *module, size_t mlen, const char *name, size_t nlen,
                           const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results, size_t nresults,
                           wb_host_callback_t callback, wb_typed_host_callback_t typed, void *env,
                           wb_finalizer_t finalizer, wbd_hostfn_t **out) {
  wb_status_t st = WB_OK;
  if (!callback && !typed) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "callback is NULL");
  if (st == WB_OK) st = check_kinds(params, nparams, "params");
  if (st == WB_OK) st = check_kinds(results, nresults, "results");
  if (st == WB_OK && typed) st = check_typed_kinds(params, nparams, "params");
  if (st == WB_OK && typed) st = check_typed_kinds(results, nresults, "results");
  wbd_hostfn_t *h = st == WB_OK ? malloc(sizeof *h + nparams + nresults) : 0;
  if (st == WB_OK && !h) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a host function");
  if (st) {
    if (finalizer) finalizer(env); /* ownership of env was passed in */
    return st;
  }
  h->callback = callback;
  h->typed = typed;
  h->env = env;
  h->finalizer = finalizer;
  h->nparams = (uint32_t)nparams;
  h->nresults = (uint32_t)nresults;
  copy_kinds(h->kinds, params, nparams, results, nresults);
  h->numeric = nparams <= 16 && nresults <= 16; /* the trampoline's fast path (dispatch/host.c) */
  for (size_t i = 0; i < nparams + nresults; i++) h->numeric = h->numeric && h->kinds[i] <= WB_F64;
  h->label = host_label(module, mlen, name, nlen);
  *out = h;
  return WB_OK;
}

wasm_functype_t *wbl_hostfn_type(const wbd_hostfn_t *h) {
  wb_valkind_t kinds[2000];
  for (uint32_t i = 0; i < h->nparams + h->nresults; i++) kinds[i] = (wb_valkind_t)h->kinds[i];
  return functype_of(kinds, h->nparams, kinds + h->nparams, h->nresults);
}

/* wb_linker_define_func and wb_linker_define_func_typed: one of callback
 * and typed. */
static wb_status_t define_func(wb_linker_t linker, const char *module, const char *name, const wb_valkind_t *params,
                               size_t nparams, const wb_valkind_t *results, size_t nresults,
                               wb_host_callback_t callback, wb_typed_host_callback_t typed, void *env,
                               wb_finalizer_t finalizer) {
  wbl_linker_t *l;
  size_t mlen, nlen;
  wb_status_t st = owned_linker(linker, &l);
  if (st == WB_OK) st = check_names(module, name, &mlen, &nlen);
  if (st) {
    if (finalizer) finalizer(env); /* ownership of env was passed in */
    return st;
  }
  wbd_hostfn_t *h;
  if ((st = wbl_hostfn_new(module, mlen, name, nlen, params, nparams, results, nresults, callback, typed, env,
                           finalizer, &h)))
    return st;
  wasm_functype_t *ft = wbl_hostfn_type(h);
  /* From here Wasmtime owns h: it calls wbd_hostfn_finalize when the last
   * copy of the function goes, including when the definition fails. */
  wasmtime_error_t *err = wasmtime_linker_define_func_unchecked(
      l->linker, module, mlen, name, nlen, ft, typed ? wbd_host_trampoline_typed : wbd_host_trampoline_for(h), h,
      wbd_hostfn_finalize);
  wasm_functype_delete(ft);
  if (err) return link_error(WB_ERR_LINK, "cannot define the host function", err);
  return WB_OK;
}

wb_status_t wb_linker_define_func(wb_linker_t linker, const char *module, const char *name,
                                  const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                                  size_t nresults, wb_host_callback_t callback, void *env, wb_finalizer_t finalizer) {
  return define_func(linker, module, name, params, nparams, results, nresults, callback, 0, env, finalizer);
}

wb_status_t wb_linker_define_func_typed(wb_linker_t linker, const char *module, const char *name,
                                        const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                                        size_t nresults, wb_typed_host_callback_t callback, void *env,
                                        wb_finalizer_t finalizer) {
  return define_func(linker, module, name, params, nparams, results, nresults, 0, callback, env, finalizer);
}

wb_status_t wb_linker_define_instance(wb_linker_t linker, const char *module, wb_instance_t instance) {
  wbl_linker_t *l;
  size_t mlen;
  wb_status_t st = owned_linker(linker, &l);
  if (st) return st;
  st = wbd_check_name(module, "module", &mlen);
  if (st) return st;
  wbh_slot_t *is, *ss;
  st = wbh_bound(instance.id, WBH_KIND_INSTANCE, &is, &ss);
  if (st) return st;
  wbd_store_t *s = wbd_store_of(ss);
  if (s->engine->serial != l->engine->serial)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the instance's store belongs to another engine than the linker");
  if (l->bound_store && l->bound_store != s->id)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "the linker already holds objects of another store; one linker can hold instances of one "
                    "store only");
  wasmtime_error_t *err = wasmtime_linker_define_instance(l->linker, s->ctx, module, mlen,
                                                          &((wbd_instance_t *)is->obj)->instance);
  if (err) return link_error(WB_ERR_LINK, "cannot define the instance", err);
  l->bound_store = s->id;
  return WB_OK;
}

wb_status_t wb_linker_define_extern(wb_linker_t linker, const char *module, size_t module_len, const char *name,
                                    size_t name_len, const wb_extern_t *item) {
  wbl_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st) return st;
  if ((st = wbd_check_name_len(module, module_len, "module")) || (st = wbd_check_name_len(name, name_len, "name")))
    return st;
  if (!item) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "item is NULL");
  static const uint8_t kinds[] = {WBH_KIND_FUNC, WBH_KIND_GLOBAL, WBH_KIND_TABLE, WBH_KIND_MEMORY};
  if ((unsigned)item->kind > WB_EXTERN_MEMORY)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "item->kind %d is not a function, global, table or memory",
                    (int)item->kind);
  wbh_slot_t *xs, *ss;
  if ((st = wbh_bound(item->of.func.id, kinds[item->kind], &xs, &ss))) return wbi_fail_prefix(st, "item: ");
  wbd_store_t *s = wbd_store_of(ss);
  if (s->engine->serial != l->engine->serial)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the item's store belongs to another engine than the linker");
  if (l->bound_store && l->bound_store != s->id)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "the linker already holds objects of another store; one linker can hold objects of one "
                    "store only");
  wasmtime_extern_t ext;
  ext.kind = (wasmtime_extern_kind_t)item->kind; /* WB_EXTERN_FUNC..MEMORY are WASMTIME_EXTERN_FUNC..MEMORY */
  switch (item->kind) {
  case WB_EXTERN_FUNC: ext.of.func = ((wbd_func_t *)xs->obj)->func; break;
  case WB_EXTERN_GLOBAL: ext.of.global = ((wbd_global_t *)xs->obj)->global; break;
  case WB_EXTERN_TABLE: ext.of.table = ((wbd_table_t *)xs->obj)->table; break;
  default: ext.of.memory = ((wbd_memory_t *)xs->obj)->memory; break;
  }
  wasmtime_error_t *err = wasmtime_linker_define(l->linker, s->ctx, module, module_len, name, name_len, &ext);
  if (err) return link_error(WB_ERR_LINK, "cannot define the extern", err);
  l->bound_store = s->id;
  return WB_OK;
}

wb_status_t wb_linker_define_wasi(wb_linker_t linker) {
  wbl_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st) return st;
  wasmtime_error_t *err = wasmtime_linker_define_wasi(l->linker);
  if (err) return link_error(WB_ERR_LINK, "cannot define WASI", err);
  if ((st = wbl_wasi_guard_define(l->linker, l->shadowing))) return st;
  l->has_wasi = true;
  return WB_OK;
}

wb_status_t wb_linker_define_shared_memory(wb_linker_t linker, const char *module, const char *name,
                                           wb_shared_memory_t memory) {
  wbl_linker_t *l;
  size_t mlen, nlen;
  wb_status_t st = owned_linker(linker, &l);
  if (st == WB_OK) st = check_names(module, name, &mlen, &nlen);
  if (st) return st;
  void *mobj;
  st = wbh_acquire(memory.id, WBH_KIND_SHARED_MEMORY, &mobj);
  if (st) return st;
  wbl_shared_memory_t *m = mobj;
  if (m->engine_serial != l->engine->serial) {
    st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "the shared memory belongs to another engine than the linker");
  } else {
    /* Wasmtime's define wants a store context even for a shared memory,
     * which belongs to no store: a private scratch store serves. */
    if (!l->scratch) l->scratch = wasmtime_store_new(l->engine->engine, 0, 0);
    wasmtime_extern_t item;
    item.kind = WASMTIME_EXTERN_SHAREDMEMORY;
    item.of.sharedmemory = m->memory;
    wasmtime_error_t *err =
        wasmtime_linker_define(l->linker, wasmtime_store_context(l->scratch), module, mlen, name, nlen, &item);
    if (err) st = link_error(WB_ERR_LINK, "cannot define the shared memory", err);
    else st = wbl_shared_set_add(&l->shared, memory.id);
  }
  wbh_release(memory.id);
  return st;
}

/* Checks what instantiating through a linker needs: this thread owns the
 * linker and the store, the module is of the same engine, and the linker
 * holds no objects of another store. Takes a module reference on WB_OK. */
static wb_status_t prepare(wb_linker_t linker, wb_store_t store, wb_module_t module, wbl_linker_t **l_out,
                           wbh_slot_t **ss_out, wbd_module_t **m_out) {
  wbl_linker_t *l;
  wbh_slot_t *ss, *same;
  wb_status_t st = owned_linker(linker, &l);
  if (st == WB_OK && store.id) st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  void *mobj;
  st = wbh_acquire(module.id, WBH_KIND_MODULE, &mobj);
  if (st) return st;
  wbd_module_t *m = mobj;
  if (m->engine_serial != l->engine->serial) {
    wbh_release(module.id);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the module was compiled by another engine than the linker's");
  }
  if (store.id && wbd_store_of(ss)->engine->serial != l->engine->serial) {
    wbh_release(module.id);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the store belongs to another engine than the linker");
  }
  if (l->bound_store && l->bound_store != store.id) {
    wbh_release(module.id);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    store.id ? "the linker holds objects of another store (wb_linker_define_instance), so it can "
                               "instantiate only into that store"
                             : "the linker holds objects of a store (wb_linker_define_instance), so it cannot make "
                               "a template that other stores could use");
  }
  *l_out = l;
  if (ss_out) *ss_out = ss;
  *m_out = m;
  return WB_OK;
}

static wb_status_t finish_instance(wbh_slot_t *ss, wasmtime_error_t *err, wasm_trap_t *trap,
                                   const wasmtime_instance_t *inst, wbd_modinfo_t *info, uint64_t *out) {
  if (err || trap) return wbl_fail_instantiate(wbd_store_of(ss), err, trap);
  return wbd_instance_handle(ss, inst, info, out);
}

wb_status_t wb_linker_instantiate(wb_linker_t linker, wb_store_t store, wb_module_t module, wb_instance_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (!store.id) return wbh_fail_invalid(0, WBH_KIND_STORE);
  wbl_linker_t *l;
  wbh_slot_t *ss;
  wbd_module_t *m;
  wb_status_t st = prepare(linker, store, module, &l, &ss, &m);
  if (st) return st;
  wbd_store_t *s = wbd_store_of(ss);
  if (s->engine->async_support) { /* polled to completion here (dispatch/async.c) */
    st = wbd_async_instantiate_now(ss, l->linker, m->module, 0, m->info, l->has_wasi, &out->id);
    wbh_release(module.id);
    return st;
  }
  st = wbl_instantiate_begin(s, l->has_wasi);
  if (st == WB_OK) st = wbd_check_instantiable(m->info);
  if (st == WB_OK) {
    wasmtime_instance_t inst;
    wasm_trap_t *trap = 0;
    wbd_store_t *outer = wbd_wasm_enter(s);
    wasmtime_error_t *err = wasmtime_linker_instantiate(l->linker, s->ctx, m->module, &inst, &trap);
    wbd_wasm_leave(s, outer);
    st = finish_instance(ss, err, trap, &inst, m->info, &out->id);
    if (st == WB_OK) st = wbl_store_share(s, &l->shared);
  }
  wbh_release(module.id);
  return st;
}

/* ---- templates -------------------------------------------------------------- */

wb_status_t wb_template_new(wb_linker_t linker, wb_module_t module, wb_template_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbl_linker_t *l;
  wbd_module_t *m;
  wb_status_t st = prepare(linker, (wb_store_t){0}, module, &l, 0, &m);
  if (st) return st;
  wasmtime_instance_pre_t *pre = 0;
  wasmtime_error_t *err = wasmtime_linker_instantiate_pre(l->linker, m->module, &pre);
  uint64_t serial = m->engine_serial;
  wbd_modinfo_t *info = m->info;
  wbd_modinfo_retain(info);
  wbh_release(module.id);
  if (err) {
    wbd_modinfo_release(info);
    return link_error(WB_ERR_LINK, "cannot link the template", err);
  }
  wbl_template_t *t = malloc(sizeof *t);
  if (!t) {
    wasmtime_instance_pre_delete(pre);
    wbd_modinfo_release(info);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a template");
  }
  t->pre = pre;
  t->engine_serial = serial;
  t->has_wasi = l->has_wasi;
  t->shared = (wbl_shared_set_t){0};
  if ((st = wbl_shared_set_copy(&t->shared, &l->shared))) {
    destroy_template(t);
    return st;
  }
  t->info = info;
  uint64_t id;
  st = wbh_alloc(WBH_KIND_TEMPLATE, t, 0, &id);
  if (st) {
    destroy_template(t);
    return st;
  }
  out->id = id;
  return WB_OK;
}

wb_status_t wbl_template_instantiate(void *tobj, uint64_t store_id, uint64_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store_id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  wbl_template_t *t = tobj;
  wbd_store_t *s = wbd_store_of(ss);
  if (t->engine_serial != s->engine->serial)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the template belongs to another engine than the store");
  if (s->engine->async_support) { /* polled to completion here (dispatch/async.c) */
    if ((st = wbd_async_instantiate_now(ss, 0, 0, t->pre, t->info, t->has_wasi, out))) return st;
    return wbl_store_share(s, &t->shared);
  }
  if ((st = wbl_instantiate_begin(s, t->has_wasi)) || (st = wbd_check_instantiable(t->info))) return st;
  wasmtime_instance_t inst;
  wasm_trap_t *trap = 0;
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_instance_pre_instantiate(t->pre, s->ctx, &inst, &trap);
  wbd_wasm_leave(s, outer);
  st = finish_instance(ss, err, trap, &inst, t->info, out);
  return st == WB_OK ? wbl_store_share(s, &t->shared) : st;
}

const wbd_modinfo_t *wbl_template_info(void *tobj) { return ((wbl_template_t *)tobj)->info; }

wasmtime_module_t *wbl_template_module(void *tobj) {
  return wasmtime_instance_pre_module(((wbl_template_t *)tobj)->pre);
}

uint64_t wbl_template_engine_serial(void *tobj) { return ((wbl_template_t *)tobj)->engine_serial; }

wb_status_t wb_template_instantiate(wb_template_t tmpl, wb_store_t store, wb_instance_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *tobj;
  st = wbh_acquire(tmpl.id, WBH_KIND_TEMPLATE, &tobj);
  if (st) return st;
  st = wbl_template_instantiate(tobj, store.id, &out->id);
  wbh_release(tmpl.id);
  return st;
}

wb_status_t wb_template_delete(wb_template_t tmpl) { return wbh_delete_shared(tmpl.id, WBH_KIND_TEMPLATE); }

/* ---- shared memory ------------------------------------------------------------ */

wb_status_t wb_shared_memory_new(wb_engine_t engine, uint32_t min_pages, uint32_t max_pages,
                                 wb_shared_memory_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (max_pages < min_pages || max_pages > 65536)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "pages must satisfy min <= max <= 65536 (got %u, %u)", min_pages,
                    max_pages);
  void *eobj;
  wb_status_t st = wbh_acquire(engine.id, WBH_KIND_ENGINE, &eobj);
  if (st) return st;
  wbd_engine_t *e = eobj;
  if (e->async_support) { /* its waker (waits.c) would instantiate synchronously in a store of the engine */
    wbh_release(engine.id);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "shared memories cannot be made for an engine with async_support");
  }
  wasm_memorytype_t *mt = 0;
  wasmtime_sharedmemory_t *mem = 0;
  wasmtime_error_t *err = wasmtime_memorytype_new(min_pages, true, max_pages, false, true, 16, &mt);
  if (!err) {
    err = wasmtime_sharedmemory_new(e->engine, mt, &mem);
    wasm_memorytype_delete(mt);
  }
  uint64_t serial = e->serial;
  if (err) {
    wbh_release(engine.id);
    return link_error(WB_ERR_INVALID_ARGUMENT, "cannot create the shared memory", err);
  }
  wbl_shared_memory_t *m = calloc(1, sizeof *m);
  if (!m) {
    wasmtime_sharedmemory_delete(mem);
    wbh_release(engine.id);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  }
  m->memory = mem;
  m->engine_serial = serial;
  m->engine = e; /* the reference taken above is the memory's now (its waker compiles with it) */
  m->engine_id = engine.id;
  pthread_mutex_init(&m->wake_lock, 0);
  uint64_t id;
  st = wbh_alloc(WBH_KIND_SHARED_MEMORY, m, 0, &id);
  if (st) {
    destroy_shared_memory(m);
    return st;
  }
  out->id = id;
  return WB_OK;
}

wb_status_t wb_shared_memory_delete(wb_shared_memory_t memory) {
  return wbh_delete_shared(memory.id, WBH_KIND_SHARED_MEMORY);
}

wb_status_t wb_shared_memory_size(wb_shared_memory_t memory, uint64_t *bytes) {
  if (!bytes) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "bytes is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(memory.id, WBH_KIND_SHARED_MEMORY, &obj);
  if (st) return st;
  *bytes = wasmtime_sharedmemory_data_size(((wbl_shared_memory_t *)obj)->memory);
  wbh_release(memory.id);
  return WB_OK;
}

wb_status_t wb_shared_memory_grow(wb_shared_memory_t memory, uint64_t delta_pages, uint64_t *previous_pages) {
  void *obj;
  wb_status_t st = wbh_acquire(memory.id, WBH_KIND_SHARED_MEMORY, &obj);
  if (st) return st;
  uint64_t prev = 0;
  wasmtime_error_t *err = wasmtime_sharedmemory_grow(((wbl_shared_memory_t *)obj)->memory, delta_pages, &prev);
  wbh_release(memory.id);
  if (err) return link_error(WB_ERR_LIMIT, "shared memory grow refused", err);
  if (previous_pages) *previous_pages = prev;
  return WB_OK;
}

static wb_status_t shared_copy(wb_shared_memory_t memory, uint64_t offset, void *host, size_t len, int write) {
  if (!host && len) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the host buffer is NULL with len %zu", len);
  void *obj;
  wb_status_t st = wbh_acquire(memory.id, WBH_KIND_SHARED_MEMORY, &obj);
  if (st) return st;
  wasmtime_sharedmemory_t *mem = ((wbl_shared_memory_t *)obj)->memory;
  uint8_t *data = wasmtime_sharedmemory_data(mem);
  size_t size = wasmtime_sharedmemory_data_size(mem);
  if (offset > size || len > size - offset)
    st = wbi_fail(WB_ERR_OUT_OF_BOUNDS, "shared memory access out of bounds: offset %llu + length %zu exceeds %zu",
                  (unsigned long long)offset, len, size);
  else if (len && write)
    memcpy(data + offset, host, len);
  else if (len)
    memcpy(host, data + offset, len);
  wbh_release(memory.id);
  return st;
}

wb_status_t wb_shared_memory_read(wb_shared_memory_t memory, uint64_t offset, void *dst, size_t len) {
  return shared_copy(memory, offset, dst, len, 0);
}

wb_status_t wb_shared_memory_write(wb_shared_memory_t memory, uint64_t offset, const void *src, size_t len) {
  return shared_copy(memory, offset, (void *)src, len, 1);
}

/* ---- async (engines with async_support; dispatch/async.c runs them) -------- */

wb_status_t wb_template_instantiate_async(wb_template_t tmpl, wb_store_t store, wb_call_future_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *tobj;
  if ((st = wbh_acquire(tmpl.id, WBH_KIND_TEMPLATE, &tobj))) return st;
  wbl_template_t *t = tobj;
  if (t->engine_serial != wbd_store_of(ss)->engine->serial) {
    wbh_release(tmpl.id);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the template belongs to another engine than the store");
  }
  /* engines with async_support have no shared memories, so t->shared is empty */
  uint64_t id;
  st = wbd_async_instantiate_start(ss, t->pre, t->info, tmpl.id, t->has_wasi, &id);
  if (st) {
    wbh_release(tmpl.id);
    return st;
  }
  out->id = id; /* the future holds the template reference until it is deleted */
  return WB_OK;
}

wb_status_t wb_linker_define_async_func(wb_linker_t linker, const char *module, const char *name,
                                        const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                                        size_t nresults, wb_async_host_callback_t callback, void *env,
                                        wb_finalizer_t finalizer) {
  wbl_linker_t *l;
  size_t mlen = 0, nlen = 0;
  wb_status_t st = owned_linker(linker, &l);
  if (st == WB_OK) st = check_names(module, name, &mlen, &nlen);
  /* Wasmtime's Linker::func_new_async panics for an engine without async support */
  if (st == WB_OK && !l->engine->async_support)
    st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "async host functions need an engine with async_support");
  if (st == WB_OK && !callback) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "callback is NULL");
  if (st == WB_OK) st = check_kinds(params, nparams, "params");
  if (st == WB_OK) st = check_kinds(results, nresults, "results");
  for (size_t i = 0; st == WB_OK && i < nparams + nresults; i++) {
    wb_valkind_t k = i < nparams ? params[i] : results[i - nparams];
    if ((unsigned)k > WB_F64)
      st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "async host functions take and return numbers only (i32, i64, f32, "
                                             "f64); %s[%zu] is not one",
                    i < nparams ? "params" : "results", i < nparams ? i : i - nparams);
  }
  wbd_asyncfn_t *h = st == WB_OK ? malloc(sizeof *h + nparams + nresults) : 0;
  if (st == WB_OK && !h) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a host function");
  if (st) {
    if (finalizer) finalizer(env); /* ownership of env was passed in */
    return st;
  }
  h->callback = callback;
  h->env = env;
  h->finalizer = finalizer;
  h->nparams = (uint32_t)nparams;
  h->nresults = (uint32_t)nresults;
  copy_kinds(h->kinds, params, nparams, results, nresults);
  h->label = host_label(module, mlen, name, nlen);
  wasm_functype_t *ft = functype_of(params, nparams, results, nresults);
  /* From here Wasmtime owns h: it calls wbd_asyncfn_finalize when the last
   * copy of the function goes, including when the definition fails. */
  wasmtime_error_t *err = wasmtime_linker_define_async_func(l->linker, module, mlen, name, nlen, ft,
                                                            wbd_async_trampoline, h, wbd_asyncfn_finalize);
  wasm_functype_delete(ft);
  if (err) return link_error(WB_ERR_LINK, "cannot define the async host function", err);
  return WB_OK;
}
