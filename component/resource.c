/* Resources: store-bound handles (wb_resource_t) for the `own` and `borrow`
 * values the host holds, host resource types and their per-store records,
 * and each store's component state.
 *
 * Wasmtime gives a host resource only a 32-bit "rep": wasmbound makes the
 * rep an index into the store's table of host resources, each with its
 * type and user pointer, so that the type's destructor gets the user
 * pointer back, exactly once: when the guest drops its own handle
 * (Wasmtime calls wbc_host_resource_dtor), when the host drops its own
 * handle (wb_resource_drop), or when the store is deleted.
 *
 * A handle's object is reused after the handle is dropped: its slot moves
 * to the next generation (so every old id of it is dead) and waits on the
 * store's spare list, so a store that makes many resources does not grow
 * the handle table. Owner thread only, like everything in a store. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"

/* ---- the store's component state ---------------------------------------------------- */

wbc_store_t *wbc_store_of(wbd_store_t *s) {
  if (__builtin_expect(s->component != 0, 1)) return s->component;
  s->component = calloc(1, sizeof *s->component);
  if (!s->component) wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the store's component state");
  return s->component;
}

/* After the wasmtime store is gone (wb_store_delete): every host resource
 * still alive gets its destructor now. The handle objects are freed by
 * their kind's destructor right after. */
static void store_fini(wbd_store_t *s) {
  wbc_store_t *cs = s->component;
  s->component = 0;
  for (uint32_t i = 0; i < cs->nres; i++) {
    wbc_hostres_t *h = &cs->res[i];
    if (!h->type) continue;
    wbc_restype_t *t = h->type;
    h->type = 0;
    if (t->destructor) t->destructor(t->env, h->user);
    wbc_restype_unref(t);
  }
  free(cs->res);
  free(cs->scoped);
  wbc_arena_free(&cs->scratch);
  free(cs);
}

static void destroy_resource(void *obj) {
  wbc_resource_t *r = obj;
  /* the wasmtime store is gone: these free host memory only */
  if (r->any) wasmtime_component_resource_any_delete(r->any);
  if (r->ty) wasmtime_component_resource_type_delete(r->ty);
  free(r);
}

/* ---- host resource types (process-wide registry by id) ------------------------------- */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static wbc_restype_t *registry;

void wbc_restype_register(wbc_restype_t *t) {
  pthread_mutex_lock(&registry_lock);
  t->next_registered = registry;
  registry = t;
  pthread_mutex_unlock(&registry_lock);
}

wbc_restype_t *wbc_restype_find(uint32_t id) {
  pthread_mutex_lock(&registry_lock);
  wbc_restype_t *t = registry;
  while (t && t->id != id) t = t->next_registered;
  if (t) atomic_fetch_add(&t->refs, 1);
  pthread_mutex_unlock(&registry_lock);
  return t;
}

void wbc_restype_ref(wbc_restype_t *t) { atomic_fetch_add(&t->refs, 1); }

void wbc_restype_unref(wbc_restype_t *t) {
  /* under the registry lock, so that find cannot revive a type going away */
  pthread_mutex_lock(&registry_lock);
  if (atomic_fetch_sub(&t->refs, 1) != 1) {
    pthread_mutex_unlock(&registry_lock);
    return;
  }
  for (wbc_restype_t **p = &registry; *p; p = &(*p)->next_registered)
    if (*p == t) {
      *p = t->next_registered;
      break;
    }
  pthread_mutex_unlock(&registry_lock);
  if (t->finalizer) t->finalizer(t->env);
  free(t->label);
  free(t);
}

/* ---- host resource records -------------------------------------------------------------- */

static wb_status_t hostres_new(wbc_store_t *cs, wbc_restype_t *t, void *user, uint32_t *rep) {
  uint32_t i;
  if (cs->free_res) {
    i = cs->free_res - 1;
    cs->free_res = cs->res[i].next_free;
  } else {
    if (cs->nres == UINT32_MAX - 1) return wbi_fail(WB_ERR_LIMIT, "too many host resources in one store");
    if ((cs->nres & (cs->nres - 1)) == 0) { /* grow at powers of two */
      uint32_t cap = cs->nres ? cs->nres * 2 : 16;
      wbc_hostres_t *r = realloc(cs->res, cap * sizeof *r);
      if (!r) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a host resource");
      cs->res = r;
    }
    i = cs->nres++;
  }
  cs->res[i].type = t; /* takes the caller's reference */
  cs->res[i].user = user;
  cs->res[i].next_free = 0;
  *rep = i;
  return WB_OK;
}

/* Ends a host resource: its destructor runs once, the record is freed. */
static void hostres_destroy(wbc_store_t *cs, uint32_t rep) {
  if (rep >= cs->nres || !cs->res[rep].type) return;
  wbc_restype_t *t = cs->res[rep].type;
  void *user = cs->res[rep].user;
  cs->res[rep].type = 0;
  cs->res[rep].user = 0;
  cs->res[rep].next_free = cs->free_res;
  cs->free_res = rep + 1;
  if (t->destructor) t->destructor(t->env, user);
  wbc_restype_unref(t);
}

wasmtime_error_t *wbc_host_resource_dtor(void *data, wasmtime_context_t *ctx, uint32_t rep) {
  wbc_restype_t *t = data;
  wbd_store_t *s = wasmtime_context_get_data(ctx);
  if (!s || !s->component) return 0; /* a store wasmbound did not make, or no resource ever made in it */
  wbc_store_t *cs = s->component;
  if (rep < cs->nres && cs->res[rep].type && cs->res[rep].type->id == t->id) {
    uintptr_t outer_frame = s->callback_frame; /* a host callback too (wbd_callback_escaped) */
    s->callback_frame = wbh_stack_pointer();
    hostres_destroy(cs, rep);
    s->callback_frame = outer_frame;
  }
  return 0;
}

/* ---- handles ------------------------------------------------------------------------------ */

static wb_status_t handle_for(wbd_store_t *s, wbc_store_t *cs, wbc_resource_t **out, uint64_t *id) {
  wbc_resource_t *r = cs->spare;
  if (r) {
    cs->spare = r->next_spare;
    wbh_slot_t *slot = wbh_slot_at(r->index);
    uint32_t gen = (uint32_t)(atomic_load_explicit(&slot->state, memory_order_relaxed) >> 32);
    *id = wbh_make_id(gen, WBH_KIND_RESOURCE, r->index);
    *out = r;
    return WB_OK;
  }
  r = calloc(1, sizeof *r);
  if (!r) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a resource handle");
  wb_status_t st = wbh_alloc(WBH_KIND_RESOURCE, r, s->slot, id);
  if (st) {
    free(r);
    return st;
  }
  r->index = wbh_id_index(*id);
  *out = r;
  return WB_OK;
}

static wb_status_t scoped_push(wbc_store_t *cs, uint64_t id) {
  if (cs->nscoped == cs->scoped_cap) {
    uint32_t cap = cs->scoped_cap ? cs->scoped_cap * 2 : 8;
    uint64_t *p = realloc(cs->scoped, cap * sizeof *p);
    if (!p) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a borrow handle");
    cs->scoped = p;
    cs->scoped_cap = cap;
  }
  cs->scoped[cs->nscoped++] = id;
  return WB_OK;
}

wb_status_t wbc_resource_wrap(wbd_store_t *s, wasmtime_component_resource_any_t *any, bool scoped, uint64_t *out) {
  wbc_store_t *cs = wbc_store_of(s);
  if (!cs) {
    wasmtime_component_resource_any_delete(any);
    return WB_ERR_NO_MEMORY;
  }
  bool owned = wasmtime_component_resource_any_owned(any);
  int64_t rep = -1;
  /* A host resource? Converting a guest resource fails on its type before
   * Wasmtime's tables are touched; a host one leaves the host table and
   * goes straight back, so that its rep (our record) is known. */
  wasmtime_component_resource_host_t *host = 0;
  wasmtime_error_t *err = wasmtime_component_resource_any_to_host(s->ctx, any, &host);
  if (err) {
    wasmtime_error_delete(err);
  } else {
    wasmtime_component_resource_any_delete(any);
    any = 0;
    rep = wasmtime_component_resource_host_rep(host);
    err = wasmtime_component_resource_host_to_any(s->ctx, host, &any);
    wasmtime_component_resource_host_delete(host);
    if (err) return wbd_fail_error(WB_ERR_INTERNAL, err, "cannot hand a host resource back to Wasmtime");
  }
  wbc_resource_t *r;
  wb_status_t st = handle_for(s, cs, &r, out);
  if (st) {
    wasmtime_component_resource_any_delete(any);
    return st;
  }
  r->store = s;
  if (scoped && (st = scoped_push(cs, *out))) {
    wasmtime_component_resource_any_delete(any);
    wbc_resource_retire(r);
    return st;
  }
  r->any = any;
  r->ty = wasmtime_component_resource_any_type(any);
  r->store = s;
  r->owned = owned;
  r->scoped = scoped;
  r->host_rep = rep;
  r->mark = 0;
  r->marked_own = false;
  return WB_OK;
}

void wbc_resource_retire(wbc_resource_t *r) {
  if (r->any) wasmtime_component_resource_any_delete(r->any);
  if (r->ty) wasmtime_component_resource_type_delete(r->ty);
  r->any = 0;
  r->ty = 0;
  wbh_slot_t *slot = wbh_slot_at(r->index);
  if (!wbh_next_generation(slot)) return; /* used up: the slot stays dead until its store goes */
  wbc_store_t *cs = r->store->component;
  r->next_spare = cs->spare;
  cs->spare = r;
}

wb_status_t wbc_resource_get(uint64_t id, wbd_store_t *s, wbc_resource_t **out) {
  wbh_slot_t *rs, *ss;
  wb_status_t st = wbh_bound(id, WBH_KIND_RESOURCE, &rs, &ss);
  if (st) return st;
  wbc_resource_t *r = rs->obj;
  if (!r->any)
    return wbi_fail(WB_ERR_INVALID_HANDLE, "invalid handle: wb_resource_t (id 0x%016llx) was dropped",
                    (unsigned long long)id);
  if (s && r->store != s)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "the resource belongs to another store; component values cannot cross stores");
  *out = r;
  return WB_OK;
}

/* Ends a handle Wasmtime still knows: drops it there, then retires it. A
 * host resource whose record outlives the drop is destroyed here. */
static wb_status_t drop(wbd_store_t *s, wbc_resource_t *r) {
  wb_status_t st = WB_OK;
  bool guest_owned = r->owned && r->host_rep < 0;
  if (guest_owned) {
    /* may run the guest's destructor: wasm */
    st = wbd_check_stack(s);
    if (st == WB_OK) st = wbd_call_begin(s);
    if (st) return st;
  }
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_component_resource_any_drop(s->ctx, r->any);
  wbd_wasm_leave(s, outer);
  if (err) st = wbc_fail_call(s, err, "dropping the resource");
  int64_t rep = r->host_rep;
  bool owned = r->owned;
  wbc_resource_retire(r);
  if (rep >= 0 && owned && s->component) hostres_destroy(s->component, (uint32_t)rep);
  return st;
}

void wbc_resource_end_scoped(wbd_store_t *s, uint32_t from) {
  wbc_store_t *cs = s->component;
  if (!cs) return;
  while (cs->nscoped > from) {
    uint64_t id = cs->scoped[--cs->nscoped];
    wbh_slot_t *slot = wbh_peek(id, WBH_KIND_RESOURCE);
    if (!slot) continue; /* the callback dropped it already */
    wbc_resource_t *r = slot->obj;
    if (!r->any) continue;
    drop(s, r); /* a borrow: no wasm runs */
  }
}

/* ---- the public functions ---------------------------------------------------------------- */

wb_status_t wb_resource_new(wb_store_t store, uint32_t type, void *user, wb_resource_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_store_t *s = wbd_store_of(ss);
  wbc_restype_t *t = wbc_restype_find(type);
  if (!t)
    return wbi_fail(WB_ERR_NOT_FOUND, "no resource type has id %u (ids come from wb_component_linker_define_resource)",
                    type);
  wbc_store_t *cs = wbc_store_of(s);
  uint32_t rep = 0;
  if (!cs) st = WB_ERR_NO_MEMORY;
  else st = hostres_new(cs, t, user, &rep);
  if (st) {
    wbc_restype_unref(t);
    return st;
  }
  /* the record now holds the type's reference */
  wasmtime_component_resource_host_t *host = wasmtime_component_resource_host_new(true, rep, type);
  wasmtime_component_resource_any_t *any = 0;
  wasmtime_error_t *err = wasmtime_component_resource_host_to_any(s->ctx, host, &any);
  wasmtime_component_resource_host_delete(host);
  if (err) {
    cs->res[rep].type = 0; /* no destructor: the resource never existed */
    cs->res[rep].next_free = cs->free_res;
    cs->free_res = rep + 1;
    wbc_restype_unref(t);
    return wbd_fail_error(WB_ERR_INTERNAL, err, "cannot make the resource");
  }
  wbc_resource_t *r;
  uint64_t id;
  st = handle_for(s, cs, &r, &id);
  if (st) {
    wasmtime_error_t *e = wasmtime_component_resource_any_drop(s->ctx, any);
    if (e) wasmtime_error_delete(e);
    wasmtime_component_resource_any_delete(any);
    hostres_destroy(cs, rep);
    return st;
  }
  r->any = any;
  r->ty = wasmtime_component_resource_any_type(any);
  r->store = s;
  r->owned = true;
  r->scoped = false;
  r->host_rep = rep;
  r->mark = 0;
  out->id = id;
  return WB_OK;
}

wb_status_t wb_resource_drop(wb_resource_t resource) {
  if (resource.id == 0) return WB_OK;
  wbc_resource_t *r;
  wb_status_t st = wbc_resource_get(resource.id, 0, &r);
  if (st) return st;
  return drop(r->store, r);
}

wb_status_t wb_resource_host_data(wb_resource_t resource, uint32_t *type, void **user) {
  wbc_resource_t *r;
  wb_status_t st = wbc_resource_get(resource.id, 0, &r);
  if (st) return st;
  wbc_store_t *cs = r->store->component;
  if (r->host_rep < 0 || !cs || (uint64_t)r->host_rep >= cs->nres || !cs->res[r->host_rep].type)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the resource is defined by the guest, not by a host resource type");
  if (type) *type = cs->res[r->host_rep].type->id;
  if (user) *user = cs->res[r->host_rep].user;
  return WB_OK;
}

wb_status_t wb_resource_owned(wb_resource_t resource, bool *out) {
  wbc_resource_t *r;
  wb_status_t st = wbc_resource_get(resource.id, 0, &r);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  *out = r->owned;
  return WB_OK;
}

void wbc_resource_init(void) {
  wbh_set_destructor(WBH_KIND_RESOURCE, destroy_resource);
  wbd_component_store_fini = store_fini;
}
