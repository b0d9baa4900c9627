/* Store-bound control plane: stores, instances, export lookup, fuel. These
 * take store-bound handles, so they run entirely in C on the owner thread:
 * the thread check is the same inline one the hot paths use, and no Go
 * runtime is entered for it. Engines and modules are in Go (lifecycle.go). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../dispatch/objects.h"
#include "lifecycle.h"


/* ---- destructors (run by handles/ when an object's life ends) ------------ */

static void destroy_engine(void *obj) {
  wbd_engine_t *e = obj;
  if (e->helper) wasmtime_module_delete(e->helper);
  wasm_engine_delete(e->engine);
  free(e);
}

static void destroy_module(void *obj) {
  wbd_module_t *m = obj;
  wasmtime_module_delete(m->module);
  wbd_modinfo_release(m->info);
  free(m->info_error);
  free(m);
}

/* The store object's last reference: its wasmtime store is already gone. */
static void destroy_store(void *obj) {
  wbd_store_t *s = obj;
  if (s->store) wasmtime_store_delete(s->store); /* only if never deleted (cannot happen today) */
  free(s->exports.keys);
  free(s->exports.ids);
  free(s->caller_slots);
  wbl_wasi_guard_free(s);
  for (uint32_t i = 0; i < s->nshared; i++) wbh_release(s->shared_ids[i]);
  free(s->shared_ids);
  free(s->shared_objs);
  wbd_store_types_fini(s);
  uint64_t engine_id = s->engine_id;
  free(s);
  wbh_release(engine_id);
}

static void destroy_plain(void *obj) { free(obj); }

void wbl_init(void) {
  wbh_set_destructor(WBH_KIND_ENGINE, destroy_engine);
  wbh_set_destructor(WBH_KIND_MODULE, destroy_module);
  wbh_set_destructor(WBH_KIND_STORE, destroy_store);
  wbh_set_destructor(WBH_KIND_INSTANCE, destroy_plain);
  wbh_set_destructor(WBH_KIND_FUNC, destroy_plain);
  wbh_set_destructor(WBH_KIND_MEMORY, destroy_plain);
  wbh_set_destructor(WBH_KIND_GLOBAL, destroy_plain);
  wbh_set_destructor(WBH_KIND_CALLER, destroy_plain);
  wbh_set_destructor(WBH_KIND_TABLE, destroy_plain);
  wbh_set_destructor(WBH_KIND_REF, wbd_ref_destroy);
  wbh_set_destructor(WBH_KIND_CALL_FUTURE, wbd_call_future_destroy);
  wbl_init_linking();
}

/* ---- stores --------------------------------------------------------------- */

void (*wbd_component_store_fini)(wbd_store_t *s);
/* A table grows by allocating its elements in Rust, which aborts the
 * process when the allocation fails: a guest's `table.grow` by 2^32 on a
 * table without a maximum did. So no store runs without a limit on table
 * elements; 0 in wb_store_limits_t means this one. */
#define WBL_DEFAULT_TABLE_ELEMENTS 10000000

wb_status_t wbl_store_new(wbd_engine_t *e, uint64_t engine_id, uint64_t *out) {
  wbd_store_t *s = calloc(1, sizeof *s);
  if (!s) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a store");
  wbh_retain(engine_id); /* the store's own reference, dropped by destroy_store */
  s->store = wasmtime_store_new(e->engine, s, 0); /* data: found again by host functions */
  s->ctx = wasmtime_store_context(s->store);
  s->engine = e;
  s->engine_id = engine_id;
  s->stack_needed = (uintptr_t)e->max_wasm_stack + WBD_STACK_MARGIN;
  atomic_init(&s->stack_gate, s->stack_needed);
  wbd_store_init(s);
  /* Wasmtime aborts the process when a store of an async engine enters
   * wasm synchronously: such stores run wasm through call futures only
   * (dispatch/async.c refuses the rest) */
  if (e->async_support) wbd_async_store_init(s);
  wasmtime_store_limiter(s->store, -1, WBL_DEFAULT_TABLE_ELEMENTS, -1, -1, -1); /* -1: Wasmtime's defaults */
  uint64_t id;
  wb_status_t st = wbh_alloc(WBH_KIND_STORE, s, 0, &id);
  if (st) {
    wasmtime_store_delete(s->store);
    free(s);
    wbh_release(engine_id);
    return st;
  }
  s->id = id;
  s->slot = wbh_slot_at(wbh_id_index(id));
  *out = id;
  return WB_OK;
}

/* ---- abandoned stores ------------------------------------------------------- */

/* Stores given up by a thread that could not delete them (wb_store_abandon:
 * a C++ Store destroyed off its owner thread, say). Each is deleted by the
 * first thread that may: its owner at its next wb_store_new, wb_store_delete
 * or wb_store_abandon, or, once the owner has exited and the store is an
 * orphan, any thread at those calls. */
static pthread_mutex_t abandoned_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *abandoned;
static size_t nabandoned_slots;
static _Atomic uint64_t nabandoned;

static wb_status_t delete_store(uint64_t id);

/* Deletes the abandoned stores this thread may delete now. */
static void reap_abandoned(void) {
  if (atomic_load_explicit(&nabandoned, memory_order_relaxed) == 0) return;
  pthread_mutex_lock(&abandoned_lock);
  for (size_t i = 0; i < nabandoned_slots;) {
    uint64_t id = abandoned[i];
    wbh_slot_t *ss = wbh_peek(id, WBH_KIND_STORE);
    uint64_t owner = ss ? atomic_load(&ss->owner) : 0;
    bool gone = !ss, mine = ss && (owner == wbh_token() || owner == WBH_OWNER_RELEASED || owner == WBH_OWNER_ORPHANED);
    if (mine) {
      wbi_error_state_t *saved = wbi_error_save(); /* the caller's own error stays */
      gone = delete_store(id) == WB_OK;
      wbi_error_restore(saved);
    }
    if (gone) {
      abandoned[i] = abandoned[--nabandoned_slots];
      atomic_fetch_sub(&nabandoned, 1);
    } else {
      i++;
    }
  }
  pthread_mutex_unlock(&abandoned_lock);
}

uint64_t wbl_abandoned_stores(void) { return atomic_load(&nabandoned); }

wb_status_t wb_store_abandon(wb_store_t store) {
  if (store.id == 0) return WB_OK;
  wbh_slot_t *ss = wbh_peek(store.id, WBH_KIND_STORE);
  if (!ss) return wbh_fail_invalid(store.id, WBH_KIND_STORE);
  uint64_t owner = atomic_load(&ss->owner);
  if (owner == wbh_token() || owner == WBH_OWNER_RELEASED || owner == WBH_OWNER_ORPHANED) {
    wb_status_t st = delete_store(store.id);
    if (st != WB_ERR_BUSY) return st;
  }
  /* its owner (or its own call, for BUSY) is in the way: later, then */
  pthread_mutex_lock(&abandoned_lock);
  bool known = false;
  for (size_t i = 0; i < nabandoned_slots && !known; i++) known = abandoned[i] == store.id;
  uint64_t *grown = known ? abandoned : realloc(abandoned, (nabandoned_slots + 1) * sizeof *grown);
  if (grown && !known) {
    abandoned = grown;
    abandoned[nabandoned_slots++] = store.id;
    atomic_fetch_add(&nabandoned, 1);
  }
  pthread_mutex_unlock(&abandoned_lock);
  if (!grown) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the list of abandoned stores");
  if (!known)
    wbh_log(WB_LOG_WARN,
            "store 0x%016llx was abandoned by a thread that may not delete it (owned by thread %d): it will be "
            "deleted when its owner next creates or deletes a store, or by any thread once the owner has exited",
            (unsigned long long)store.id, (int)atomic_load(&ss->owner_tid));
  return WB_OK;
}

wb_status_t wb_store_new(wb_engine_t engine, wb_store_t *out) {
  reap_abandoned();
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *eobj;
  wb_status_t st = wbh_acquire(engine.id, WBH_KIND_ENGINE, &eobj);
  if (st) return st;
  uint64_t id;
  st = wbl_store_new(eobj, engine.id, &id);
  wbh_release(engine.id);
  if (st == WB_OK) out->id = id;
  return st;
}

wb_status_t wb_store_delete(wb_store_t store) {
  if (store.id == 0) return WB_OK;
  wb_status_t st = delete_store(store.id);
  if (st == WB_OK) reap_abandoned();
  return st;
}

static wb_status_t delete_store(uint64_t id) {
  wb_store_t store = {id};
  wbh_slot_t *ss = wbh_peek(store.id, WBH_KIND_STORE);
  /* an orphan's owner thread exited: no call of it can still be running */
  bool orphan = ss && atomic_load(&ss->owner) == WBH_OWNER_ORPHANED;
  wb_status_t st = wbh_store_claim(store.id, &ss);
  if (st) return st;
  wbd_store_t *s = wbd_store_of(ss);
  if (s->depth > 0) {
    if (orphan) wbd_abandon_call(s, false);
    else if (!s->async_polling && wbd_callback_escaped(s)) wbd_abandon_call(s, true);
    else
      return wbi_fail(WB_ERR_BUSY, "cannot delete a store from inside one of its own calls (a host callback); "
                                   "delete it after the outermost call returns");
  }
  wbd_async_store_fini(s); /* cancels an unfinished call future, which borrows the store */
  wbd_store_fini(s);
  wasmtime_store_delete(s->store);
  s->store = 0;
  s->ctx = 0;
  if (s->component && wbd_component_store_fini) wbd_component_store_fini(s); /* host resources' destructors */
  wbd_callers_fini(s);
  /* after the last entry above (cancelling a call future enters the store) */
  wbd_store_forget(s);
  wbh_delete_store(ss, store.id);
  return WB_OK;
}

wb_status_t wb_store_release(wb_store_t store) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (wbd_store_of(ss)->depth > 0)
    return wbi_fail(WB_ERR_BUSY, "cannot release a store from inside one of its own calls (a host callback)");
  st = wbh_store_release(store.id);
  if (st == WB_OK) wbd_store_forget(wbd_store_of(ss)); /* its next owner may delete it */
  return st;
}

wb_status_t wb_store_adopt(wb_store_t store) { return wbh_store_adopt(store.id); }

static wb_status_t fuel_error(wasmtime_error_t *err) {
  wb_status_t st = wbd_fail_error(WB_ERR_INVALID_ARGUMENT, err, "fuel");
  return wbi_fail_prefix(st, "(create the engine with consume_fuel = true) ");
}

wb_status_t wb_store_set_fuel(wb_store_t store, uint64_t fuel) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  wasmtime_error_t *err = wasmtime_context_set_fuel(wbd_store_of(ss)->ctx, fuel);
  return err ? fuel_error(err) : WB_OK;
}

wb_status_t wb_store_get_fuel(wb_store_t store, uint64_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  uint64_t fuel;
  wasmtime_error_t *err = wasmtime_context_get_fuel(wbd_store_of(ss)->ctx, &fuel);
  if (err) return fuel_error(err);
  *out = fuel;
  return WB_OK;
}

static const size_t limits_sizes[] = {0, sizeof(wb_store_limits_t)}; /* 1: 0.2.0 */
static const wbi_versioned_t limits_info = {"wb_store_limits_t", "wb_store_limits_init", WB_STORE_LIMITS_VERSION,
                                            limits_sizes};

wb_status_t wb_store_limits_init(wb_store_limits_t *out, uint32_t version) {
  wb_store_limits_t none = WB_STORE_LIMITS_INIT;
  return wbi_versioned_write(&limits_info, out, version, &none);
}

wb_status_t wb_store_set_limits(wb_store_t store, const wb_store_limits_t *user) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!user) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "limits is NULL");
  wb_store_limits_t none = WB_STORE_LIMITS_INIT, lim;
  if ((st = wbi_versioned_read(&limits_info, user, &none, &lim, 0))) return st;
  const wb_store_limits_t *limits = &lim;
#define WBL_LIMIT(v) ((v) == 0 || (v) > INT64_MAX ? -1 : (int64_t)(v))
  int64_t table_elements = limits->table_elements ? WBL_LIMIT(limits->table_elements) : WBL_DEFAULT_TABLE_ELEMENTS;
  wasmtime_store_limiter(wbd_store_of(ss)->store, WBL_LIMIT(limits->memory_bytes), table_elements,
                         WBL_LIMIT(limits->instances), WBL_LIMIT(limits->tables), WBL_LIMIT(limits->memories));
#undef WBL_LIMIT
  return WB_OK;
}

/* ---- instances ------------------------------------------------------------ */

wb_status_t wb_instance_new(wb_store_t store, wb_module_t module, wb_instance_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *mobj;
  st = wbh_acquire(module.id, WBH_KIND_MODULE, &mobj);
  if (st) return st;
  wbd_module_t *m = mobj;
  wbd_store_t *s = wbd_store_of(ss);
  if (m->engine_serial != s->engine->serial) {
    st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "the module was compiled by another engine than the store's");
    goto done;
  }
  /* the module's types say whether it has imports (wasmtime_module_imports
   * aborts on a tag); without them Wasmtime's own count check refuses */
  if (m->info && m->info->nimports) {
    const wbd_import_t *im = &m->info->imports[0];
    st = wbi_fail(WB_ERR_LINK, "the module has %u import%s (the first is \"%s\" \"%s\"); "
                               "wb_instance_new takes modules without imports: use a linker",
                  m->info->nimports, m->info->nimports == 1 ? "" : "s", im->module, im->name);
    goto done;
  }
  if (s->engine->async_support) { /* Wasmtime's only async instantiation goes through a linker */
    wasmtime_linker_t *empty = wasmtime_linker_new(s->engine->engine);
    uint64_t id;
    st = wbd_async_instantiate_now(ss, empty, m->module, 0, m->info, false, &id);
    wasmtime_linker_delete(empty);
    if (st == WB_OK) out->id = id;
    goto done;
  }
  st = wbl_instantiate_begin(s, false);
  if (st == WB_OK) st = wbd_check_instantiable(m->info);
  if (st) goto done;
  wasmtime_instance_t inst;
  wasm_trap_t *trap = 0;
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_instance_new(s->ctx, m->module, 0, 0, &inst, &trap);
  wbd_wasm_leave(s, outer);
  if (err || trap) {
    st = wbl_fail_instantiate(s, err, trap);
    goto done;
  }
  uint64_t id;
  st = wbd_instance_handle(ss, &inst, m->info, &id);
  if (st == WB_OK) out->id = id;
done:
  wbh_release(module.id);
  return st;
}

wb_status_t wbl_instantiate_begin(wbd_store_t *s, bool needs_wasi) {
  wb_status_t st = wbd_check_stack(s);
  if (st == WB_OK) st = wbd_call_begin(s);
  if (st == WB_OK && needs_wasi && !s->has_wasi) st = wbl_store_default_wasi(s);
  return st;
}

wb_status_t wbl_fail_instantiate(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap) {
  if (trap) return wbd_fail_call(s, 0, trap, "instantiation (the start function)");
  /* An interrupt or deadline stops the start function with an error from
   * the epoch callback, not a trap: report it like a stopped call (and
   * clear the flag, or the store's next trap would read as an interrupt). */
  if (s && (s->interrupt_fired || s->deadline_fired))
    return wbd_fail_call(s, err, 0, "instantiation (the start function)");
  wasm_byte_vec_t msg;
  wasmtime_error_message(err, &msg);
  size_t len = wbd_message_len(msg.data, msg.size);
  /* a start function that threw a wasm exception */
  if (len >= 21 && !memcmp(msg.data, "thrown Wasm exception", 21)) {
    wasm_byte_vec_delete(&msg);
    return wbd_fail_call(s, err, 0, "instantiation (the start function)");
  }
  wasmtime_error_delete(err);
  wb_status_t st = WB_ERR_LINK;
  /* Wasmtime reports store and pooling-allocator limits as errors of
   * instantiation, in these words of its own (vm/memory.rs, vm/table.rs,
   * store.rs, the pooling allocator); an import that does not match, its
   * limits included ("incompatible import type for `m::n`... expected
   * memory limits ... doesn't match provided ..."), is a link error */
  static const char *const limit_words[] = {"resource limit exceeded", "exceeds memory limits",
                                            "exceeds table limits", "maximum concurrent limit",
                                            "exceeds the limit of", "exceeds the per-instance limit"};
  bool link = (len >= 24 && !memcmp(msg.data, "incompatible import type", 24)) ||
              (len >= 14 && !memcmp(msg.data, "unknown import", 14));
  for (size_t i = 0; !link && i < sizeof limit_words / sizeof limit_words[0]; i++)
    if (memmem(msg.data, len, limit_words[i], strlen(limit_words[i]))) st = WB_ERR_LIMIT;
  st = wbi_fail(st, "instantiation failed: %.*s", (int)len, msg.data);
  wasm_byte_vec_delete(&msg);
  return st;
}

static wb_status_t get_export(wb_instance_t instance, const char *name, wasmtime_extern_kind_t want,
                              uint64_t *out) {
  wbh_slot_t *is, *ss;
  wb_status_t st = wbh_bound(instance.id, WBH_KIND_INSTANCE, &is, &ss);
  if (st) return st;
  size_t len;
  st = wbd_check_name(name, "name", &len);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wb_extern_t e; /* the kind and type come from the module's types (dispatch/exports.c) */
  st = wbd_instance_export(instance, name, len, (int)want, &e);
  if (st == WB_OK) *out = e.of.func.id;
  return st;
}

wb_status_t wb_instance_get_func(wb_instance_t instance, const char *name, wb_func_t *out) {
  return get_export(instance, name, WASMTIME_EXTERN_FUNC, out ? &out->id : 0);
}

wb_status_t wb_instance_get_memory(wb_instance_t instance, const char *name, wb_memory_t *out) {
  return get_export(instance, name, WASMTIME_EXTERN_MEMORY, out ? &out->id : 0);
}

wb_status_t wb_instance_get_global(wb_instance_t instance, const char *name, wb_global_t *out) {
  return get_export(instance, name, WASMTIME_EXTERN_GLOBAL, out ? &out->id : 0);
}

wb_status_t wb_instance_get_table(wb_instance_t instance, const char *name, wb_table_t *out) {
  return get_export(instance, name, WASMTIME_EXTERN_TABLE, out ? &out->id : 0);
}

/* ---- statistics ----------------------------------------------------------- */

static const size_t stats_sizes[] = {0, sizeof(wb_stats_t)}; /* 1: 0.2.0 */
static const wbi_versioned_t stats_info = {"wb_stats_t", "WB_STATS_INIT", WB_STATS_VERSION, stats_sizes};

wb_status_t wb_stats_get(wb_stats_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wb_stats_t r = WB_STATS_INIT;
  r.live_engines = atomic_load(&wbh_live[WBH_KIND_ENGINE]);
  r.live_modules = atomic_load(&wbh_live[WBH_KIND_MODULE]);
  r.live_stores = atomic_load(&wbh_live[WBH_KIND_STORE]);
  r.live_instances = atomic_load(&wbh_live[WBH_KIND_INSTANCE]);
  r.live_funcs = atomic_load(&wbh_live[WBH_KIND_FUNC]);
  r.live_memories = atomic_load(&wbh_live[WBH_KIND_MEMORY]);
  r.live_globals = atomic_load(&wbh_live[WBH_KIND_GLOBAL]);
  r.live_linkers = atomic_load(&wbh_live[WBH_KIND_LINKER]);
  r.live_templates = atomic_load(&wbh_live[WBH_KIND_TEMPLATE]);
  for (int k = 1; k < WBH_KIND_COUNT; k++) r.live_handles += atomic_load(&wbh_live[k]);
  r.live_pools = atomic_load(&wbh_live[WBH_KIND_POOL]);
  r.live_futures = atomic_load(&wbh_live[WBH_KIND_FUTURE]);
  r.orphaned_stores = atomic_load(&wbh_orphaned_now);
  r.orphans_total = atomic_load(&wbh_orphans_total);
  r.wrong_thread_refusals = atomic_load(&wbh_wrong_thread);
  r.traps = atomic_load(&wbd_traps);
  r.interrupts = atomic_load(&wbd_interrupts);
  r.abandoned_stores = wbl_abandoned_stores();
  return wbi_versioned_fill(&stats_info, out, &r);
}
