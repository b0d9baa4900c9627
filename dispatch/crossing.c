/* What surrounds a crossing into wasm: handles for what comes back out of
 * it, failed calls turned into statuses, and interrupts (the epoch callback
 * on the owner thread, wb_store_interrupt from any thread). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects.h"

/* ---- handles for a store's wasm objects (owner thread) ------------------ */

static uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
  h ^= h >> 29;
  return h ? h : 1;
}

static uint64_t *map_find(wbd_handle_map_t *m, uint64_t key) {
  if (!m->cap) return 0;
  for (uint32_t i = (uint32_t)key & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == key) return &m->ids[i];
    if (m->keys[i] == 0) return 0;
  }
}

static int map_put(wbd_handle_map_t *m, uint64_t key, uint64_t id) {
  if ((m->len + 1) * 2 > m->cap) {
    uint32_t cap = m->cap ? m->cap * 2 : 16;
    uint64_t *keys = calloc(cap, sizeof *keys), *ids = calloc(cap, sizeof *ids);
    if (!keys || !ids) {
      free(keys);
      free(ids);
      return -1;
    }
    for (uint32_t j = 0; j < m->cap; j++) {
      if (!m->keys[j]) continue;
      uint32_t i = (uint32_t)m->keys[j] & (cap - 1);
      while (keys[i]) i = (i + 1) & (cap - 1);
      keys[i] = m->keys[j];
      ids[i] = m->ids[j];
    }
    free(m->keys);
    free(m->ids);
    m->keys = keys;
    m->ids = ids;
    m->cap = cap;
  }
  uint32_t i = (uint32_t)key & (m->cap - 1);
  while (m->keys[i]) i = (i + 1) & (m->cap - 1);
  m->keys[i] = key;
  m->ids[i] = id;
  m->len++;
  return 0;
}

/* Allocates a handle for obj in the store and remembers it under key. */
static wb_status_t new_child(wbh_slot_t *ss, uint8_t kind, void *obj, uint64_t key, uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t id;
  if (!obj) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a %s", wbh_kind_name(kind));
  wb_status_t st = wbh_alloc(kind, obj, ss, &id);
  if (st) {
    free(obj);
    return st;
  }
  if (key && map_put(&s->exports, key, id) != 0) {
    /* the handle stays valid (freed with the store); it is just not deduped */
  }
  *id_out = id;
  return WB_OK;
}

/* ---- types: what Wasmtime's C API may be asked, and what wasmbound knows -- */

wb_valtype_t wbd_valtype_of_kind(uint8_t kind) {
  wb_valtype_t t = {kind, 0, WB_HEAP_NONE_GIVEN, 0, 0};
  switch (kind) {
  case WB_FUNCREF: t.nullable = 1, t.heap = WB_HEAP_FUNC; break;
  case WB_EXTERNREF: t.nullable = 1, t.heap = WB_HEAP_EXTERN; break;
  case WB_ANYREF: t.nullable = 1, t.heap = WB_HEAP_ANY; break;
  case WB_EXNREF: t.nullable = 1, t.heap = WB_HEAP_EXN; break;
  default: break;
  }
  return t;
}

wb_valtype_t wbd_valtype_of_basic(const wasm_valtype_t *t) {
  switch (wasm_valtype_kind(t)) { /* aborts for other references: see the callers */
  case WASMTIME_I32: return wbd_valtype_of_kind(WB_I32);
  case WASMTIME_I64: return wbd_valtype_of_kind(WB_I64);
  case WASMTIME_F32: return wbd_valtype_of_kind(WB_F32);
  case WASMTIME_F64: return wbd_valtype_of_kind(WB_F64);
  case WASMTIME_V128: return wbd_valtype_of_kind(WB_V128);
  case WASM_FUNCREF: return wbd_valtype_of_kind(WB_FUNCREF);
  default: return wbd_valtype_of_kind(WB_EXTERNREF);
  }
}

void wbd_modinfo_release(wbd_modinfo_t *m) {
  if (m && atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1) free(m);
}

const wbd_type_t *wbd_modinfo_functype(const wbd_modinfo_t *m, uint32_t type_index) {
  if (!m || type_index >= m->ntypes || m->types[type_index].comp != WBD_COMP_FUNC) return 0;
  return &m->types[type_index];
}

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  return c ? c : (alen > blen) - (alen < blen);
}

const wbd_import_t *wbd_modinfo_export(const wbd_modinfo_t *m, const char *name, size_t len) {
  if (!m) return 0;
  uint32_t lo = 0, hi = m->nexports;
  while (lo < hi) { /* export_order is sorted by name_cmp */
    uint32_t mid = lo + (hi - lo) / 2;
    const wbd_import_t *e = &m->exports[m->export_order[mid]];
    int c = name_cmp(e->name, e->name_len, name, len);
    if (c == 0) return e;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

wb_status_t wbd_check_instantiable(const wbd_modinfo_t *info) {
  if (!info || !(info->flags & WBD_INFO_HUGE_TABLE)) return WB_OK;
  /* Wasmtime allocates a table's elements when it instantiates: for a
   * minimum whose size overflows it panics (vm/table.rs, checked_mul), and
   * for a continuation table the allocation itself aborts when it fails */
  return wbi_fail(WB_ERR_LIMIT, "the module defines a table of more than %llu elements (or a continuation table of "
                                "more than %u), which cannot be allocated and on which Wasmtime 39 may abort the "
                                "process: refused",
                  (unsigned long long)WBD_MAX_TABLE_MIN, 1u << 24);
}

wbd_store_types_t *wbd_store_types(wbd_store_t *s) {
  if (!s->types && !(s->types = calloc(1, sizeof *s->types)))
    wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the store's types");
  return s->types;
}

wb_status_t wbd_store_add_info(wbd_store_t *s, wbd_modinfo_t *info) {
  wbd_store_types_t *t = wbd_store_types(s);
  if (!t) return WB_ERR_NO_MEMORY;
  if (!info) {
    t->unknown_module = true;
    return WB_OK;
  }
  for (uint32_t i = 0; i < t->ninfos; i++)
    if (t->infos[i] == info) return WB_OK;
  if (t->ninfos == t->capinfos) {
    uint32_t cap = t->capinfos ? t->capinfos * 2 : 4;
    wbd_modinfo_t **infos = realloc(t->infos, cap * sizeof *infos);
    if (!infos) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the store's module types");
    t->infos = infos;
    t->capinfos = cap;
  }
  wbd_modinfo_retain(info);
  t->infos[t->ninfos++] = info;
  if (t->ninfos == 1) t->flags = info->flags;
  else t->flags = (t->flags & info->flags & WBD_INFO_ALL_BASIC) | ((t->flags | info->flags) & ~WBD_INFO_ALL_BASIC);
  return WB_OK;
}

void wbd_store_types_fini(wbd_store_t *s) {
  wbd_store_types_t *t = s->types;
  if (!t) return;
  for (uint32_t i = 0; i < t->ninfos; i++) wbd_modinfo_release(t->infos[i]);
  free(t->infos);
  free(t);
  s->types = 0;
}

/* Every function, global and table of a store comes from a module
 * instantiated in it (of which it holds the types), from a host function
 * (numbers, funcref and externref only), or is host-made (the same): so
 * what those modules declare bounds what Wasmtime can be asked about. */
bool wbd_store_types_basic(const wbd_store_t *s) {
  if (!(s->engine->features & WBD_FEATURES_BEYOND_CAPI)) return true;
  const wbd_store_types_t *t = s->types;
  return !t || (!t->unknown_module && (t->ninfos == 0 || (t->flags & WBD_INFO_ALL_BASIC)));
}

bool wbd_store_no_exn(const wbd_store_t *s) {
  if (!(s->engine->features & (WBD_FEATURE_EXCEPTIONS | WBD_FEATURE_STACK_SWITCHING))) return true;
  const wbd_store_types_t *t = s->types;
  return !t || (!t->unknown_module && !(t->flags & WBD_INFO_EXN_OR_CONT));
}

wb_status_t wbd_instance_handle(wbh_slot_t *ss, const wasmtime_instance_t *inst, wbd_modinfo_t *info,
                                uint64_t *id_out) {
  wb_status_t st = wbd_store_add_info(wbd_store_of(ss), info);
  if (st) return st;
  wbd_instance_t *obj = malloc(sizeof *obj);
  if (obj) {
    obj->instance = *inst;
    obj->info = info;
  }
  return new_child(ss, WBH_KIND_INSTANCE, obj, 0, id_out);
}

uint64_t wbd_typed_handle(wbh_slot_t *ss, const wasmtime_extern_t *ext) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key = 0;
  uint8_t kind = 0;
  switch (ext->kind) {
  case WASMTIME_EXTERN_FUNC:
    key = mix(WBH_KIND_FUNC, (uint64_t)(uintptr_t)wasmtime_func_to_raw(s->ctx, &ext->of.func)), kind = WBH_KIND_FUNC;
    break;
  case WASMTIME_EXTERN_GLOBAL:
    key = mix(mix(mix(WBH_KIND_GLOBAL, ext->of.global.__private1), ext->of.global.__private2),
              ext->of.global.__private3);
    kind = WBH_KIND_GLOBAL;
    break;
  case WASMTIME_EXTERN_TABLE:
    key = mix(mix(WBH_KIND_TABLE, ext->of.table.__private1), ext->of.table.__private2), kind = WBH_KIND_TABLE;
    break;
  default: return 0;
  }
  uint64_t *known = map_find(&s->exports, key);
  wbh_slot_t *hs = known ? wbh_peek(*known, kind) : 0;
  if (!hs) return 0;
  bool typed = kind == WBH_KIND_FUNC ? ((wbd_func_t *)hs->obj)->typed
               : kind == WBH_KIND_GLOBAL ? ((wbd_global_t *)hs->obj)->typed
                                         : ((wbd_table_t *)hs->obj)->typed;
  return typed ? *known : 0;
}

/* Sets what follows from a function's types: its kinds, the fast path's
 * gate, and how a call crosses (WBD_CALL_*). */
static void func_classify(wbd_func_t *f, const wbd_store_t *s) {
  size_t n = (size_t)f->nparams + f->nresults;
  f->numeric = f->all_i32 = false;
  f->fast_nparams = f->fast_nresults = SIZE_MAX;
  f->refusal = 0;
  if (!f->typed) {
    memset(f->kinds, WBD_KIND_UNSUPPORTED, n);
    /* Wasmtime checks the arguments; its checked results abort on exnrefs */
    f->mode = wbd_store_no_exn(s) ? WBD_CALL_CHECKED : WBD_CALL_REFUSED;
    if (f->mode == WBD_CALL_REFUSED)
      f->refusal = "its type cannot be learned through Wasmtime 39's C API (a function reference of unknown "
                   "origin, in a store whose modules use exception or continuation references), so it cannot "
                   "be called safely from the host; call it from wasm";
    return;
  }
  bool checked = false, raw = false, refuse = false;
  for (size_t i = 0; i < n; i++) {
    const wb_valtype_t *t = &f->types[i];
    f->kinds[i] = t->kind;
    if (t->kind == WB_EXNREF) raw = true;
    if (t->kind == WB_CONTREF) refuse = true;
    if (i < f->nparams && t->kind == WB_ANYREF && t->heap != WB_HEAP_ANY && t->heap != WB_HEAP_NONE) checked = true;
    if (i < f->nparams && t->heap == WB_HEAP_CONCRETE_FUNC) checked = true;
  }
  f->numeric = f->nparams <= 16 && f->nresults <= 16;
  for (size_t i = 0; i < n; i++) f->numeric = f->numeric && f->kinds[i] <= WB_F64;
  f->all_i32 = f->numeric;
  for (size_t i = 0; i < n; i++) f->all_i32 = f->all_i32 && f->kinds[i] == WB_I32;
  if (f->numeric) {
    f->fast_nparams = f->nparams;
    f->fast_nresults = f->nresults;
    f->fast = wbd_fast_call_for(f);
  }
  f->mode = WBD_CALL_RAW;
  if (refuse) {
    f->mode = WBD_CALL_REFUSED;
    f->refusal = "its type has continuation references (stack switching), which Wasmtime 39's C API cannot pass";
  } else if (checked && raw) {
    f->mode = WBD_CALL_REFUSED;
    f->refusal = "its parameters need Wasmtime's subtype checks, which Wasmtime 39's C API offers only on a path "
                 "that aborts on exception references, and its type has one";
  } else if (checked) {
    f->mode = WBD_CALL_CHECKED;
  }
}

/* Gives an untyped function the type t (a function type of t's module). */
static void func_set_type(wbd_func_t *f, const wbd_store_t *s, const wbd_typeinfo_t *t) {
  if (t->func->nparams != f->nparams || t->func->nresults != f->nresults) return; /* cannot be: keep it untyped */
  memcpy(f->types, t->func->vals, ((size_t)f->nparams + f->nresults) * sizeof *f->types);
  f->info = t->info;
  f->typed = true;
  func_classify(f, s);
}

/* The handle a function already has (given its raw funcref), typed by t
 * if it was not; 0 when it has none. */
static uint64_t func_known(wbd_store_t *s, void *raw, const wbd_typeinfo_t *t, uint64_t *key) {
  *key = mix(WBH_KIND_FUNC, (uint64_t)(uintptr_t)raw);
  uint64_t *known = map_find(&s->exports, *key);
  if (!known) return 0;
  wbh_slot_t *fs = wbh_peek(*known, WBH_KIND_FUNC);
  wbd_func_t *f = fs ? fs->obj : 0;
  if (f && !f->typed && t && t->func) func_set_type(f, s, t);
  return *known;
}

wb_status_t wbd_funcref_handle(wbh_slot_t *ss, void *raw, const wbd_typeinfo_t *t, uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key;
  uint64_t id = func_known(s, raw, t, &key);
  if (id) { /* the common case: no conversion needed */
    *id_out = id;
    return WB_OK;
  }
  wasmtime_func_t f;
  wasmtime_func_from_raw(s->ctx, raw, &f);
  return wbd_func_handle(ss, &f, t, id_out);
}

wb_status_t wbd_func_handle(wbh_slot_t *ss, const wasmtime_func_t *func, const wbd_typeinfo_t *t, uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key;
  uint64_t known = func_known(s, wasmtime_func_to_raw(s->ctx, func), t, &key);
  if (known) {
    *id_out = known;
    return WB_OK;
  }
  /* The counts are always safe to ask; the kinds only when they are of
   * types Wasmtime's C API can describe. */
  uint32_t np, nr;
  wasm_functype_t *ft = 0;
  if (t && t->func) {
    np = t->func->nparams;
    nr = t->func->nresults;
  } else {
    ft = wasmtime_func_type(s->ctx, func);
    np = (uint32_t)wasm_functype_params(ft)->size;
    nr = (uint32_t)wasm_functype_results(ft)->size;
  }
  size_t n = (size_t)np + nr;
  size_t types_at = (sizeof(wbd_func_t) + n + 7) & ~(size_t)7;
  wbd_func_t *f = malloc(types_at + n * sizeof(wb_valtype_t) + 1);
  if (f) {
    f->func = *func;
    f->store = s;
    f->ctx = s->ctx;
    f->nparams = np;
    f->nresults = nr;
    f->nvals = np > nr ? np : nr;
    f->types = (wb_valtype_t *)((char *)f + types_at);
    f->info = 0;
    f->typed = false;
    if (t && t->func) {
      memcpy(f->types, t->func->vals, n * sizeof *f->types);
      f->info = t->info;
      f->typed = true;
    } else if (wbd_store_types_basic(s)) {
      const wasm_valtype_vec_t *params = wasm_functype_params(ft), *results = wasm_functype_results(ft);
      for (uint32_t i = 0; i < np; i++) f->types[i] = wbd_valtype_of_basic(params->data[i]);
      for (uint32_t i = 0; i < nr; i++) f->types[np + i] = wbd_valtype_of_basic(results->data[i]);
      f->typed = true;
    }
    func_classify(f, s);
  }
  if (ft) wasm_functype_delete(ft);
  return new_child(ss, WBH_KIND_FUNC, f, key, id_out);
}

wb_status_t wbd_memory_handle(wbh_slot_t *ss, const wasmtime_memory_t *mem, uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key = mix(mix(WBH_KIND_MEMORY, mem->__private1), mem->__private2);
  uint64_t *known = map_find(&s->exports, key);
  if (known) {
    *id_out = *known;
    return WB_OK;
  }
  wbd_memory_t *m = malloc(sizeof *m);
  if (m) {
    m->memory = *mem;
    m->ctx = s->ctx;
    m->known_size = 0; /* the first access asks */
    m->known_base = 0;
    m->known_epoch = s->grow_epoch - 1; /* not known */
  }
  return new_child(ss, WBH_KIND_MEMORY, m, key, id_out);
}

static void global_set_type(wbd_global_t *g, const wbd_typeinfo_t *t) {
  g->type = *t->global;
  g->info = t->info;
  g->kind = g->type.content.kind;
  g->typed = true;
}

wb_status_t wbd_global_handle(wbh_slot_t *ss, const wasmtime_global_t *global, const wbd_typeinfo_t *t,
                              uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key = mix(mix(mix(WBH_KIND_GLOBAL, global->__private1), global->__private2), global->__private3);
  uint64_t *known = map_find(&s->exports, key);
  if (known) {
    wbh_slot_t *gs = wbh_peek(*known, WBH_KIND_GLOBAL);
    wbd_global_t *g = gs ? gs->obj : 0;
    if (g && !g->typed && t && t->global) global_set_type(g, t);
    *id_out = *known;
    return WB_OK;
  }
  wbd_global_t *g = calloc(1, sizeof *g);
  if (g) {
    g->global = *global;
    g->kind = WBD_KIND_UNSUPPORTED;
    /* the mutability is always safe to ask, the content type not */
    wasm_globaltype_t *gt = wasmtime_global_type(s->ctx, global);
    g->is_mutable = wasm_globaltype_mutability(gt) == WASM_VAR;
    if (t && t->global) {
      global_set_type(g, t);
    } else if (wbd_store_types_basic(s)) {
      g->type.content = wbd_valtype_of_basic(wasm_globaltype_content(gt));
      g->type.is_mutable = g->is_mutable;
      g->kind = g->type.content.kind;
      g->typed = true;
    }
    wasm_globaltype_delete(gt);
  }
  return new_child(ss, WBH_KIND_GLOBAL, g, key, id_out);
}

wb_status_t wbd_table_handle(wbh_slot_t *ss, const wasmtime_table_t *table, const wbd_typeinfo_t *t,
                             uint64_t *id_out) {
  wbd_store_t *s = wbd_store_of(ss);
  uint64_t key = mix(mix(WBH_KIND_TABLE, table->__private1), table->__private2);
  uint64_t *known = map_find(&s->exports, key);
  if (known) {
    wbh_slot_t *ts = wbh_peek(*known, WBH_KIND_TABLE);
    wbd_table_t *tb = ts ? ts->obj : 0;
    if (tb && !tb->typed && t && t->table) {
      tb->type = *t->table;
      tb->info = t->info;
      tb->typed = tb->elem_known = true;
    }
    *id_out = *known;
    return WB_OK;
  }
  wbd_table_t *tb = calloc(1, sizeof *tb);
  if (tb) {
    tb->table = *table;
    if (t && t->table) {
      tb->type = *t->table;
      tb->info = t->info;
      tb->typed = tb->elem_known = true;
    } else if (wbd_store_types_basic(s)) {
      /* the element type only: whether the table is 64-bit is not known,
       * and wasm_tabletype_limits panics for limits beyond 32 bits */
      wasm_tabletype_t *tt = wasmtime_table_type(s->ctx, table);
      tb->type.element = wbd_valtype_of_basic(wasm_tabletype_element(tt));
      wasm_tabletype_delete(tt);
      tb->elem_known = true;
    }
  }
  return new_child(ss, WBH_KIND_TABLE, tb, key, id_out);
}

wb_status_t wbd_ref_handle(wbh_slot_t *ss, uint8_t kind, void *rooted, uint64_t *id_out) {
  wbd_ref_t *r = malloc(sizeof *r);
  if (!r) {
    if (kind == WB_EXTERNREF) wasmtime_externref_unroot(rooted);
    else wasmtime_anyref_unroot(rooted);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a reference");
  }
  r->kind = kind;
  if (kind == WB_EXTERNREF) r->of.ext = *(wasmtime_externref_t *)rooted;
  else r->of.any = *(wasmtime_anyref_t *)rooted;
  uint64_t id;
  wb_status_t st = wbh_alloc(WBH_KIND_REF, r, ss, &id);
  if (st) {
    if (kind == WB_EXTERNREF) wasmtime_externref_unroot(&r->of.ext);
    else wasmtime_anyref_unroot(&r->of.any);
    free(r);
    return st;
  }
  *id_out = id;
  return WB_OK;
}

static const char *extern_kind_name(wasmtime_extern_kind_t k) {
  switch (k) {
  case WASMTIME_EXTERN_FUNC: return "a function";
  case WASMTIME_EXTERN_GLOBAL: return "a global";
  case WASMTIME_EXTERN_TABLE: return "a table";
  case WASMTIME_EXTERN_MEMORY: return "a memory";
  case WASMTIME_EXTERN_SHAREDMEMORY: return "a shared memory";
  default: return "another kind of export";
  }
}

wb_status_t wbd_extern_handle(wbh_slot_t *ss, wasmtime_extern_t *ext, wasmtime_extern_kind_t want, const char *name,
                              const wbd_typeinfo_t *t, uint64_t *out) {
  if (ext->kind != want) {
    wb_status_t st = wbi_fail(WB_ERR_TYPE_MISMATCH, "export \"%s\" is %s, not %s", name,
                              extern_kind_name(ext->kind), extern_kind_name(want));
    wasmtime_extern_delete(ext);
    return st;
  }
  switch (want) {
  case WASMTIME_EXTERN_FUNC: return wbd_func_handle(ss, &ext->of.func, t, out);
  case WASMTIME_EXTERN_MEMORY: return wbd_memory_handle(ss, &ext->of.memory, out);
  case WASMTIME_EXTERN_TABLE: return wbd_table_handle(ss, &ext->of.table, t, out);
  default: return wbd_global_handle(ss, &ext->of.global, t, out);
  }
}

/* ---- names ------------------------------------------------------------------ */

/* Checks an export or import name: non-NULL, at most WBD_MAX_NAME bytes,
 * valid UTF-8. */
wb_status_t wbd_check_name(const char *name, const char *what, size_t *len_out) {
  if (!name) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL", what);
  size_t len = strnlen(name, WBD_MAX_NAME + 1);
  wb_status_t st = wbd_check_name_len(name, len, what);
  if (st == WB_OK) *len_out = len;
  return st;
}

wb_status_t wbd_check_name_len(const char *name, size_t len, const char *what) {
  if (!name && len) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL with a length of %zu", what, len);
  if (!name) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL", what);
  if (len > WBD_MAX_NAME)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is longer than %u bytes", what, WBD_MAX_NAME);
  const unsigned char *p = (const unsigned char *)name, *end = p + len;
  while (p < end) {
    unsigned c = *p;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!n || (size_t)(end - p) < n) goto bad;
    for (size_t i = 1; i < n; i++)
      if ((p[i] & 0xC0) != 0x80) goto bad;
    if (n == 2 && c < 0xC2) goto bad;                            /* overlong */
    if (n == 3 && c == 0xE0 && p[1] < 0xA0) goto bad;            /* overlong */
    if (n == 3 && c == 0xED && p[1] >= 0xA0) goto bad;           /* surrogate */
    if (n == 4 && (c > 0xF4 || (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) goto bad;
    p += n;
  }
  return WB_OK;
bad:
  return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is not valid UTF-8 (bad byte at offset %zu)", what,
                  (size_t)(p - (const unsigned char *)name));
}

/* ---- native stack ----------------------------------------------------------- */

/* Set on a thread that left a host callback by longjmp: Wasmtime's
 * per-thread record of its calls still lists the abandoned one, and the
 * next trap on this thread would walk it into freed stack. Its stack bound
 * is kept poisoned, so that every call takes the slow path below. */
static __thread int tls_tainted;

int wbd_callback_escaped(const wbd_store_t *s) {
  if (s->depth <= 0) return 0;
  /* the deepest frame of a running host callback: a core one's Wasmtime
   * caller lives in its trampoline's frame, below the wasm that called the
   * host and above the callback's own frames; a component one records its
   * trampoline's stack pointer */
  uintptr_t deepest = UINTPTR_MAX;
  if (wbd_host_depth(s) > 0) {
    uint32_t level = wbd_host_depth(s) - 1;
    const void *frame = level == 0 ? (const void *)s->caller0_ptr
                        : level < s->ncaller_slots && s->caller_slots[level]
                            ? (const void *)((const wbd_caller_t *)s->caller_slots[level]->obj)->caller
                            : 0;
    if (frame) deepest = (uintptr_t)frame;
  }
  if (s->callback_frame && s->callback_frame < deepest) deepest = s->callback_frame;
  /* in a call but in no callback, or above the deepest one: nothing of
   * the call can be running */
  return deepest == UINTPTR_MAX || wbh_stack_pointer() > deepest;
}

void wbd_abandon_call(wbd_store_t *s, bool on_owner_thread) {
  s->depth = 0;
  s->host_nested = 0;
  s->caller0_ptr = s->ncaller_slots && s->caller_slots[0] ? 0 : WBD_NO_CALLER_SLOT;
  s->callback_frame = 0;
  s->trap_slot = 0; /* an abandoned nested call may have left a trap there */
  if (!on_owner_thread) return;
  wbd_tls_running = &wbd_no_store;
  tls_tainted = 1;
  wbh_tls_stack_low = WBH_STACK_POISONED;
  wbh_log(WB_LOG_ERROR, "a host callback was left by longjmp (or another non-local exit): this thread can no longer "
                        "call into wasm; its store was deleted");
}

wb_status_t wbd_check_stack_slow(const wbd_store_t *s) {
  if (tls_tainted)
    return wbi_fail(WB_ERR_UNUSABLE, "this thread left a host callback by longjmp (or another non-local exit), "
                                     "which skipped Wasmtime's frames: Wasmtime's state on this thread is broken, "
                                     "so it may not call into wasm again; use another thread");
  uintptr_t left = wbh_stack_left_slow(); /* finds the bounds on a thread's first call */
  if (left >= s->stack_needed) return WB_OK;
  return wbi_fail(WB_ERR_NATIVE_STACK,
                  "this thread has %lu KiB of native stack left, but a call into wasm needs "
                  "%lu KiB (the engine's max_wasm_stack plus a %u KiB margin); give the thread "
                  "a bigger stack or lower max_wasm_stack",
                  (unsigned long)(left / 1024), (unsigned long)(s->stack_needed / 1024), WBD_STACK_MARGIN / 1024);
}

/* ---- Wasmtime's messages ---------------------------------------------------- */

size_t wbd_message_len(const char *msg, size_t len) {
  if (len && msg[len - 1] == 0) len--; /* wasm_trap_message counts its NUL */
  /* Wasmtime appends a native Rust backtrace when RUST_BACKTRACE is set: it
   * says nothing about the guest (the wasm backtrace, when there is one,
   * comes before it) and must not reach users. */
  const char *native = len ? memmem(msg, len, "\nStack backtrace:", 17) : 0;
  if (native) {
    len = (size_t)(native - msg);
    while (len && msg[len - 1] == '\n') len--;
  }
  return len;
}

wb_status_t wbd_fail_error(wb_status_t st, wasmtime_error_t *err, const char *fmt, ...) {
  char prefix[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  wasm_byte_vec_t msg = {0, 0};
  if (err) wasmtime_error_message(err, &msg);
  size_t len = msg.data ? wbd_message_len(msg.data, msg.size) : 0;
  wbi_fail(st, "%s%s%.*s", prefix, len ? ": " : "", (int)len, msg.data ? msg.data : "");
  wasm_byte_vec_delete(&msg);
  if (err) wasmtime_error_delete(err);
  return st;
}

/* ---- failed calls --------------------------------------------------------- */

/* Wasmtime's trap codes are those of its Rust enum (0 stack overflow ... 24
 * cannot leave component); wb_trap_code_t is that plus one. */
static wb_trap_code_t trap_code_of(wasm_trap_t *trap) {
  wasmtime_trap_code_t code;
  if (trap && wasmtime_trap_code(trap, &code) && code + 1 <= WB_TRAP_CANNOT_LEAVE_COMPONENT)
    return (wb_trap_code_t)(code + 1);
  return WB_TRAP_HOST;
}

wb_status_t wbd_call_unchecked_entering(wbd_store_t *s, wasmtime_context_t *ctx, const wasmtime_func_t *func,
                                        wasmtime_val_raw_t *vals, size_t nvals) {
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_func_call_unchecked(ctx, func, vals, nvals, &s->trap_slot);
  wbd_wasm_leave(s, outer);
  if (err || s->trap_slot) return wbd_fail_call_slot(s, err);
  return WB_OK;
}

wb_status_t wbd_fail_call_slot(wbd_store_t *s, wasmtime_error_t *err) {
  wasm_trap_t *trap = s->trap_slot;
  s->trap_slot = 0;
  return wbd_fail_call(s, err, trap, "call");
}

wb_status_t wbd_fail_call(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap, const char *what) {
  int exit_code;
  if (err && !trap && wasmtime_error_exit_status(err, &exit_code)) {
    /* WASI proc_exit: 0 is success, anything else WB_ERR_EXIT */
    wasmtime_error_delete(err);
    if (s) s->interrupt_fired = s->deadline_fired = 0;
    if (exit_code == 0) {
      wbi_set_exit_code(0);
      return WB_OK;
    }
    wb_status_t st = wbi_fail(WB_ERR_EXIT, "%s: the WASI program exited with code %d", what, exit_code);
    wbi_set_exit_code(exit_code);
    return st;
  }
  wasm_byte_vec_t msg = {0, 0};
  wb_status_t st = WB_ERR_TRAP;
  wb_trap_code_t code = WB_TRAP_HOST;
  if (trap) {
    code = trap_code_of(trap);
    wasm_trap_message(trap, &msg);
  } else if (err) {
    wasmtime_error_message(err, &msg);
  }
  size_t len = msg.data ? wbd_message_len(msg.data, msg.size) : 0;
  const char *prefix = "";
  /* Errors (not traps) that Wasmtime raises for two reasons of its own,
   * known by their messages (Wasmtime 39's C API has no other way to tell):
   * an uncaught wasm exception (ThrownException; the exception stays
   * pending in the store, which stays usable) and an argument of the wrong
   * type on the checked call path. */
  static const char exn[] = "thrown Wasm exception", mismatch[] = "argument type mismatch";
  if (err && !trap && len >= sizeof exn - 1 && !memcmp(msg.data, exn, sizeof exn - 1)) {
    wbi_fail(WB_ERR_EXCEPTION, "%s failed: a wasm exception was thrown and not caught inside wasm (Wasmtime 39's C "
                               "API cannot hand exceptions to the host): %.*s",
             what, (int)len, msg.data);
    wbi_set_trap_code(WB_TRAP_EXCEPTION);
    if (s) s->interrupt_fired = s->deadline_fired = 0;
    atomic_fetch_add_explicit(&wbd_traps, 1, memory_order_relaxed);
    wasm_byte_vec_delete(&msg);
    wasmtime_error_delete(err);
    return WB_ERR_EXCEPTION;
  }
  if (err && !trap && len >= sizeof mismatch - 1 && !memcmp(msg.data, mismatch, sizeof mismatch - 1)) {
    wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: %.*s", what, (int)len, msg.data);
    if (s) s->interrupt_fired = s->deadline_fired = 0;
    wasm_byte_vec_delete(&msg);
    wasmtime_error_delete(err);
    return WB_ERR_TYPE_MISMATCH;
  }
  if (code == WB_TRAP_OUT_OF_FUEL) {
    st = WB_ERR_OUT_OF_FUEL;
  } else if (code == WB_TRAP_INTERRUPT || (s && (s->interrupt_fired || s->deadline_fired))) {
    st = WB_ERR_INTERRUPTED;
    if (s && s->deadline_fired) prefix = "the store's deadline or call timeout passed: ";
    code = WB_TRAP_INTERRUPT;
    atomic_fetch_add_explicit(&wbd_interrupts, 1, memory_order_relaxed);
  } else {
    atomic_fetch_add_explicit(&wbd_traps, 1, memory_order_relaxed);
  }
  if (s) s->interrupt_fired = s->deadline_fired = 0;
  wbi_fail(st, "%s failed: %s%.*s", what, prefix, (int)len, msg.data ? msg.data : "");
  wbi_set_trap_code(code);
  wasm_byte_vec_delete(&msg);
  if (trap) wasm_trap_delete(trap);
  if (err) wasmtime_error_delete(err);
  return st;
}

/* ---- interrupts ----------------------------------------------------------- */

/* Runs on the owner thread when the engine's epoch passes the store's
 * deadline: wb_store_interrupt bumps the epoch, and only the store whose
 * flag is set stops; every other store continues at once. */
static wasmtime_error_t *on_epoch_deadline(wasmtime_context_t *ctx, void *data, uint64_t *delta,
                                           wasmtime_update_deadline_kind_t *kind) {
  (void)ctx;
  wbd_store_t *s = data;
  if (wbd_attention_clear(s, WBD_ATTN_INTERRUPT) & WBD_ATTN_INTERRUPT) {
    s->interrupt_fired = 1;
    return wasmtime_error_new("wasm execution interrupted by wb_store_interrupt");
  }
  if (s->timed) {
    uint64_t now = wbd_now_ns();
    if ((s->deadline_ns && now >= s->deadline_ns) || (s->call_deadline_ns && now >= s->call_deadline_ns)) {
      s->deadline_fired = 1;
      return wasmtime_error_new("wasm execution interrupted: time limit reached");
    }
  }
  *delta = 1;
  *kind = WASMTIME_UPDATE_DEADLINE_CONTINUE;
  return 0;
}

/* (no field of it is written: the trampolines leave it at caller0_ptr) */
wbd_store_t wbd_no_store = {.caller0_ptr = WBD_NO_CALLER_SLOT};

void wbd_store_init(wbd_store_t *s) {
  s->caller0_ptr = WBD_NO_CALLER_SLOT; /* host.c makes the slot on the first host call */
  if (s->engine->epoch_interruption) {
    wasmtime_store_epoch_deadline_callback(s->store, on_epoch_deadline, s, 0);
    wasmtime_context_set_epoch_deadline(s->ctx, 1);
  }
}

wb_status_t wb_store_interrupt(wb_store_t store) {
  void *obj;
  wb_status_t st = wbh_acquire(store.id, WBH_KIND_STORE, &obj);
  if (st) return st;
  wbd_store_t *s = obj;
  wbd_attention_set(s, WBD_ATTN_INTERRUPT);
  if (s->engine->epoch_interruption) wasmtime_engine_increment_epoch(s->engine->engine);
  /* a guest parked in memory.atomic.wait does not see the epoch: the
   * ticker wakes it if it does not stop by itself (deadline.c) */
  if (__atomic_load_n(&s->watched, __ATOMIC_RELAXED)) wbd_ticker_poke();
  wbh_release(store.id);
  return WB_OK;
}
