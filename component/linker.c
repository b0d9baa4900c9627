/* Component linkers (creator-thread builders), their host functions and
 * resource types, and component templates (shared).
 *
 * Wasmtime's component linker defines an interface (an instance) once: a
 * second definition of the same name is an error, or, with shadowing,
 * replaces the first whole. wasmbound's linker is therefore a recipe of
 * definitions, and the Wasmtime linker is built from it when it is needed,
 * with each interface's functions, resources and modules defined together
 * (WASI 0.2 first, so that user definitions may shadow it). A template
 * builds its own Wasmtime linker once and never changes it: Wasmtime's
 * component linker instantiates through a shared reference, so every
 * thread may instantiate from it at once (the host functions' env must be
 * thread-safe, as for core templates). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"

/* ---- host functions -------------------------------------------------------------------- */

/* The types of one import signature a host function serves; a definition
 * may serve imports of several types (components decide), so the last one
 * seen is cached and replaced when another comes. Never freed while the
 * host function lives: other threads may be reading it. */
typedef struct wbc_hostsig {
  struct wbc_hostsig *next_retired;
  wbc_arena_t arena;
  wbc_functype_t ft;
  uint32_t nparams;
  wasmtime_component_valtype_t *params; /* clones, compared with the next call's */
  wasmtime_component_valtype_t result;
  bool has_result;
  wasmtime_component_resource_type_t **restypes;
  uint8_t result_kind; /* the result's Wasmtime type kind (fast path), 0xFF: none */
} wbc_hostsig_t;

static void hostsig_free(wbc_hostsig_t *g) {
  for (uint32_t i = 0; i < g->nparams; i++) wasmtime_component_valtype_delete(&g->params[i]);
  free(g->params);
  if (g->has_result) wasmtime_component_valtype_delete(&g->result);
  for (uint32_t i = 0; i < g->ft.nresources; i++)
    if (g->restypes[i]) wasmtime_component_resource_type_delete(g->restypes[i]);
  free(g->restypes);
  wbc_arena_free(&g->arena);
  free(g);
}

void wbc_hostfn_unref(wbc_hostfn_t *h) {
  if (atomic_fetch_sub(&h->refs, 1) != 1) return;
  if (h->finalizer) h->finalizer(h->env);
  wbc_hostsig_t *g = atomic_load(&h->sig);
  if (g) hostsig_free(g);
  for (wbc_hostsig_t *r = h->retired, *next; r; r = next) {
    next = r->next_retired;
    hostsig_free(r);
  }
  pthread_mutex_destroy(&h->retired_lock);
  free(h->label);
  free(h);
}

static void hostfn_finalize(void *env) { wbc_hostfn_unref(env); }
static void restype_finalize(void *env) { wbc_restype_unref(env); }

static inline bool scalar_kind(uint8_t k) { return k <= WASMTIME_COMPONENT_VALTYPE_STRING; }


static bool same_valtype(const wasmtime_component_valtype_t *a, const wasmtime_component_valtype_t *b) {
  if (a->kind != b->kind) return false;
  return scalar_kind(a->kind) || wasmtime_component_valtype_equal(a, b);
}

/* Whether ty is the signature g was made from. Scalars compare by kind in
 * C; only compound types ask Wasmtime. */
static bool hostsig_matches(const wbc_hostsig_t *g, const wasmtime_component_func_type_t *ty) {
  if (wasmtime_component_func_type_param_count(ty) != g->nparams) return false;
  for (uint32_t i = 0; i < g->nparams; i++) {
    const char *name;
    size_t len;
    wasmtime_component_valtype_t vt;
    if (!wasmtime_component_func_type_param_nth(ty, i, &name, &len, &vt)) return false;
    bool same = same_valtype(&vt, &g->params[i]);
    if (!scalar_kind(vt.kind)) wasmtime_component_valtype_delete(&vt);
    if (!same) return false;
  }
  wasmtime_component_valtype_t rt;
  bool has = wasmtime_component_func_type_result(ty, &rt);
  if (has != g->has_result) {
    if (has) wasmtime_component_valtype_delete(&rt);
    return false;
  }
  if (!has) return true;
  bool same = same_valtype(&rt, &g->result);
  if (!scalar_kind(rt.kind)) wasmtime_component_valtype_delete(&rt);
  return same;
}

static wbc_hostsig_t *hostsig_new(const wasmtime_component_func_type_t *ty) {
  wbc_hostsig_t *g = calloc(1, sizeof *g);
  if (!g) {
    wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a host function's type");
    return 0;
  }
  if (wbc_functype_build(&g->arena, ty, &g->ft)) {
    hostsig_free(g);
    return 0;
  }
  g->nparams = g->ft.nparams;
  g->params = calloc(g->nparams ? g->nparams : 1, sizeof *g->params);
  g->restypes = calloc(g->ft.nresources ? g->ft.nresources : 1, sizeof *g->restypes);
  if (!g->params || !g->restypes) {
    hostsig_free(g);
    wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a host function's type");
    return 0;
  }
  for (uint32_t i = 0; i < g->nparams; i++) {
    const char *name;
    size_t len;
    wasmtime_component_func_type_param_nth(ty, i, &name, &len, &g->params[i]);
  }
  g->has_result = wasmtime_component_func_type_result(ty, &g->result);
  if (g->ft.nresources) wbc_collect_restypes(ty, g->restypes, g->ft.nresources);
  g->result_kind = g->has_result ? g->result.kind : 0xFF;
  return g;
}

/* The cached signature for ty, or a new one (NULL: error set). */
static wbc_hostsig_t *hostsig_for(wbc_hostfn_t *h, const wasmtime_component_func_type_t *ty) {
  wbc_hostsig_t *g = atomic_load_explicit(&h->sig, memory_order_acquire);
  if (__builtin_expect(g && hostsig_matches(g, ty), 1)) return g;
  wbc_hostsig_t *n = hostsig_new(ty);
  if (!n) return 0;
  wbc_hostsig_t *old = atomic_exchange_explicit(&h->sig, n, memory_order_acq_rel);
  if (old) { /* other threads may still read it: kept until the function goes */
    pthread_mutex_lock(&h->retired_lock);
    old->next_retired = h->retired;
    h->retired = old;
    pthread_mutex_unlock(&h->retired_lock);
  }
  return n;
}

/* A trap with a message Wasmtime reports as the call's failure. */
static wasmtime_error_t *host_error(const wbc_hostfn_t *h, const char *fmt, const char *detail) {
  char msg[4096];
  snprintf(msg, sizeof msg, fmt, h->label, detail);
  return wasmtime_error_new(msg);
}

/* A callback's failure as the trap Wasmtime reports. */
static __attribute__((noinline, cold)) wasmtime_error_t *host_failed(const wbc_hostfn_t *h, wb_status_t st,
                                                                    uint64_t failures_before) {
  char detail[4096];
  if (wbi_tls_failures == failures_before)
    snprintf(detail, sizeof detail, "%s (it set no message)", wb_status_name(st));
  else
    snprintf(detail, sizeof detail, "%s: %s", wb_status_name(st), wb_last_error());
  return host_error(h, "host function %s failed with %s", detail);
}

/* What Wasmtime calls for every host function: converts the arguments,
 * runs the user's callback, checks its result against the import's type
 * before Wasmtime sees it (a bad one is a trap, never an abort), and ends
 * the borrows and scratch memory of the call. Owner thread of the store. */
static wasmtime_error_t *host_general(wbc_hostfn_t *h, wbd_store_t *s, const wasmtime_component_func_type_t *ty,
                                      wasmtime_component_val_t *args, size_t nargs, wasmtime_component_val_t *results,
                                      size_t nresults);

/* Whether the call fits g's fast path: its signature is g's. The arguments
 * Wasmtime lifted carry their types (a scalar's or string's kind is its
 * type); only the result's type is asked of Wasmtime (no allocation for a
 * scalar or string). */
static inline bool flat_call(const wbc_hostsig_t *g, const wasmtime_component_func_type_t *ty,
                             const wasmtime_component_val_t *args, size_t nargs, size_t nresults) {
  if (!g || nargs != g->ft.fast_nparams || nresults != (g->has_result ? 1u : 0u)) return false;
  for (size_t i = 0; i < nargs; i++)
    if (args[i].kind != g->ft.fast_kinds[i]) return false;
  if (!nresults) return true;
  wasmtime_component_valtype_t rt;
  if (!wasmtime_component_func_type_result(ty, &rt)) return false;
  if (scalar_kind(rt.kind)) return rt.kind == g->result_kind;
  wasmtime_component_valtype_delete(&rt);
  return false;
}

/* A flat value from a callback's result into a Wasmtime value Wasmtime frees:
 * its kind, chars and UTF-8 checked first. */
static wasmtime_error_t *flat_result(const wbc_hostfn_t *h, const wbc_type_t *t, const wb_cval_t *v,
                                     wasmtime_component_val_t *out) {
  if ((uint32_t)v->kind == 0x7F)
    return host_error(h, "host function %s returned WB_OK but set no result (it returns %s)", wbc_kind_name(t->kind));
  if ((uint32_t)v->kind != t->kind || t->kind == WB_CVAL_CHAR || t->kind == WB_CVAL_STRING) {
    wb_status_t st = wbc_check_value(0, t, 0, v, "result", 0, &(wbc_resource_t **){0}, &(uint32_t){0});
    if (st) return host_error(h, "host function %s returned a bad %s", wb_last_error());
  }
  if (t->kind == WB_CVAL_STRING) {
    wbc_value_to_owned(0, t, v, out); /* a copy Wasmtime owns */
    return 0;
  }
  out->kind = wbc_wasmtime_kind(t->kind);
  if (t->kind == WB_CVAL_BOOL) out->of.boolean = wbc_bool_of(v);
  else memcpy(&out->of, &v->of, 8); /* the bits, at offset 0 of both unions */
  return 0;
}

static wasmtime_error_t *host_trampoline(void *env, wasmtime_context_t *ctx, const wasmtime_component_func_type_t *ty,
                                         wasmtime_component_val_t *args, size_t nargs,
                                         wasmtime_component_val_t *results, size_t nresults) {
  wbc_hostfn_t *h = env;
  /* every entry into wasm goes through wbd_wasm_enter, which records the store */
  wbd_store_t *s = wbd_running_store();
  if (__builtin_expect(!s, 0)) s = wasmtime_context_get_data(ctx);
  if (__builtin_expect(!s, 0)) return host_error(h, "host function %s: called in a store wasmbound did not make%s", "");
  wbc_hostsig_t *g = atomic_load_explicit(&h->sig, memory_order_acquire);
  wbc_store_t *cs = s->component;
  if (__builtin_expect(!cs || !flat_call(g, ty, args, nargs, nresults), 0))
    return host_general(h, s, ty, args, nargs, results, nresults);
  /* the fast path: scalars and strings (borrowed from Wasmtime's arguments) */
  wb_cval_t cargs[16];
  for (size_t i = 0; i < nargs; i++) {
    const wasmtime_component_val_t *a = &args[i];
    wb_cval_t *c = &cargs[i];
    c->kind = (wb_cval_kind_t)g->ft.params[i]->kind;
    switch (a->kind) {
    case WASMTIME_COMPONENT_BOOL: c->of.b = a->of.boolean; break;
    case WASMTIME_COMPONENT_S8: c->of.s8 = a->of.s8; break;
    case WASMTIME_COMPONENT_U8: c->of.u8 = a->of.u8; break;
    case WASMTIME_COMPONENT_S16: c->of.s16 = a->of.s16; break;
    case WASMTIME_COMPONENT_U16: c->of.u16 = a->of.u16; break;
    case WASMTIME_COMPONENT_S32: c->of.s32 = a->of.s32; break;
    case WASMTIME_COMPONENT_U32: c->of.u32 = a->of.u32; break;
    case WASMTIME_COMPONENT_S64: c->of.s64 = a->of.s64; break;
    case WASMTIME_COMPONENT_U64: c->of.u64 = a->of.u64; break;
    case WASMTIME_COMPONENT_F32: c->of.f32 = a->of.f32; break;
    case WASMTIME_COMPONENT_F64: c->of.f64 = a->of.f64; break;
    case WASMTIME_COMPONENT_CHAR: c->of.ch = a->of.character; break;
    default:
      c->of.str.data = a->of.string.size ? (const char *)a->of.string.data : "";
      c->of.str.len = a->of.string.size;
      break;
    }
  }
  wbc_arena_mark_t mark = wbc_arena_mark(&cs->scratch);
  cs->host_depth++;
  wb_cval_t result;
  result.kind = (wb_cval_kind_t)0x7F; /* "not set" */
  uint64_t failures = wbi_tls_failures;
  uintptr_t outer_frame = s->callback_frame; /* for wbd_callback_escaped */
  s->callback_frame = wbh_stack_pointer();
  wb_status_t st = h->callback(h->env, (wb_store_t){s->id}, cargs, nargs, nresults ? &result : 0);
  s->callback_frame = outer_frame;
  wasmtime_error_t *err = 0;
  if (__builtin_expect(st != WB_OK, 0)) err = host_failed(h, st, failures);
  else if (nresults) err = flat_result(h, g->ft.result, &result, &results[0]);
  cs->host_depth--;
  if (cs->scratch.head != mark.head || cs->scratch.used != mark.used) wbc_arena_reset(&cs->scratch, mark);
  return err;
}

/* Every other call: any types, resources; (re)learns the signature. */
static wasmtime_error_t *host_general(wbc_hostfn_t *h, wbd_store_t *s, const wasmtime_component_func_type_t *ty,
                                      wasmtime_component_val_t *args, size_t nargs, wasmtime_component_val_t *results,
                                      size_t nresults) {
  wbc_hostsig_t *g = hostsig_for(h, ty);
  wbc_store_t *cs = g ? wbc_store_of(s) : 0;
  if (!g || !cs) return host_error(h, "host function %s: %s", wb_last_error());
  const wbc_functype_t *ft = &g->ft;
  if (nargs != ft->nparams || nresults != (ft->result ? 1u : 0u))
    return host_error(h, "host function %s: Wasmtime passed other counts than its type says%s", "");
  wbc_arena_mark_t mark = wbc_arena_mark(&cs->scratch);
  uint32_t scoped_from = cs->nscoped;
  cs->host_depth++;
  wasmtime_error_t *err = 0;
  wb_cval_t inline_args[8], *cargs = inline_args;
  if (nargs > 8 && !(cargs = wbc_arena_alloc(&cs->scratch, nargs * sizeof *cargs))) {
    err = host_error(h, "host function %s: %s", "out of memory for the arguments");
    goto out;
  }
  for (size_t i = 0; i < nargs; i++) {
    wb_status_t st = wbc_value_from_wasmtime(s, ft->params[i], &args[i], &cs->scratch, true, &cargs[i]);
    if (st) {
      err = host_error(h, "host function %s: cannot pass an argument: %s", wb_last_error());
      goto out;
    }
  }
  wb_cval_t result;
  memset(&result, 0, sizeof result);
  result.kind = (wb_cval_kind_t)0x7F; /* "not set" */
  uint64_t failures = wbi_tls_failures;
  uintptr_t outer_frame = s->callback_frame; /* for wbd_callback_escaped */
  s->callback_frame = wbh_stack_pointer();
  wb_status_t st = h->callback(h->env, (wb_store_t){s->id}, cargs, nargs, ft->result ? &result : 0);
  s->callback_frame = outer_frame;
  if (st != WB_OK) {
    err = host_failed(h, st, failures);
    goto out;
  }
  if (ft->result) {
    if ((uint32_t)result.kind == 0x7F) {
      err = host_error(h, "host function %s returned WB_OK but set no result (it returns %s)", ft->text);
      goto out;
    }
    wbc_resource_t **owned = 0;
    uint32_t nowned = 0;
    st = wbc_check_value(s, ft->result, g->restypes, &result, "result", &cs->scratch, &owned, &nowned);
    if (st) {
      err = host_error(h, "host function %s returned a bad %s", wb_last_error());
      goto out;
    }
    wbc_value_to_owned(s, ft->result, &result, &results[0]);
    for (uint32_t i = 0; i < nowned; i++) wbc_resource_retire(owned[i]); /* moved to the guest */
  }
out:
  wbc_resource_end_scoped(s, scoped_from);
  cs->host_depth--;
  wbc_arena_reset(&cs->scratch, mark);
  return err;
}

wb_status_t wb_component_host_alloc(wb_store_t store, size_t size, void **out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (!size || size > WBC_MAX_BYTES)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "size %zu is 0 or over 1 GiB", size);
  wbc_store_t *cs = wbd_store_of(ss)->component;
  if (!cs || !cs->host_depth)
    return wbi_fail(WB_ERR_BUSY, "wb_component_host_alloc works only inside a component host function of the store");
  void *p = wbc_arena_alloc(&cs->scratch, size);
  if (!p) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu bytes", size);
  *out = p;
  return WB_OK;
}

/* ---- linkers ----------------------------------------------------------------------------- */

static void def_free(wbc_def_t *d) {
  free(d->iface);
  free(d->name);
  if (d->fn) wbc_hostfn_unref(d->fn);
  if (d->res) wbc_restype_unref(d->res);
  if (d->module) wasmtime_module_delete(d->module);
}

static void destroy_linker(void *obj) {
  wbc_linker_t *l = obj;
  for (size_t i = 0; i < l->ndefs; i++) def_free(&l->defs[i]);
  free(l->defs);
  if (l->built) wasmtime_component_linker_delete(l->built);
  uint64_t engine_id = l->engine_id;
  free(l);
  wbh_release(engine_id);
}

static void destroy_template(void *obj) {
  wbc_template_t *t = obj;
  wasmtime_component_linker_delete(t->linker);
  uint64_t comp_id = t->comp_id;
  free(t);
  wbh_release(comp_id);
}

wb_status_t wb_component_linker_new(wb_engine_t engine, wb_component_linker_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *eobj;
  wb_status_t st = wbh_acquire(engine.id, WBH_KIND_ENGINE, &eobj);
  if (st) return st;
  if ((st = wbc_check_engine(eobj))) {
    wbh_release(engine.id);
    return st;
  }
  wbc_linker_t *l = calloc(1, sizeof *l);
  if (!l) {
    wbh_release(engine.id);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a component linker");
  }
  l->engine = eobj;
  l->engine_id = engine.id;
  uint64_t id;
  st = wbh_alloc(WBH_KIND_COMPONENT_LINKER, l, 0, &id);
  if (st) {
    destroy_linker(l);
    return st;
  }
  out->id = id;
  return WB_OK;
}

static wb_status_t owned_linker(wb_component_linker_t linker, wbc_linker_t **out) {
  wbh_slot_t *slot = 0;
  wb_status_t st = wbh_owned(linker.id, WBH_KIND_COMPONENT_LINKER, &slot);
  if (st == WB_OK) *out = slot->obj;
  return st;
}

wb_status_t wb_component_linker_delete(wb_component_linker_t linker) {
  /* like every builder: also from any thread once the creator exited (it
   * was creator-only, so a linker of an exited thread could never go) */
  return wbh_delete_builder(linker.id, WBH_KIND_COMPONENT_LINKER);
}

wb_status_t wb_component_linker_allow_shadowing(wb_component_linker_t linker, bool allow) {
  wbc_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st) return st;
  if (l->shadowing != allow && l->built) {
    wasmtime_component_linker_delete(l->built);
    l->built = 0;
  }
  l->shadowing = allow;
  return WB_OK;
}

/* Checks iface (NULL or "" = the root) and name; NULL-safe. */
static wb_status_t check_names(const char *iface, const char *name) {
  size_t len;
  wb_status_t st = iface ? wbd_check_name(iface, "iface", &len) : WB_OK;
  if (st == WB_OK) st = wbd_check_name(name, "name", &len);
  if (st == WB_OK && !len) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "name is empty");
  if (st == WB_OK && iface && strchr(iface, '#'))
    st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "iface \"%s\" contains '#': define into one interface at a time", iface);
  return st;
}

/* Adds a definition, or replaces one of the same name with shadowing on. */
static wb_status_t add_def(wbc_linker_t *l, wbc_def_t *d) {
  for (size_t i = 0; i < l->ndefs; i++) {
    wbc_def_t *o = &l->defs[i];
    if (strcmp(o->iface, d->iface) || strcmp(o->name, d->name)) continue;
    if (!l->shadowing) {
      wb_status_t st = wbi_fail(WB_ERR_LINK, "%s%s%s is defined twice (allow shadowing to replace it)", d->iface,
                                d->iface[0] ? "#" : "", d->name);
      def_free(d);
      return st;
    }
    def_free(o);
    *o = *d;
    goto changed;
  }
  if (l->ndefs == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    wbc_def_t *defs = realloc(l->defs, cap * sizeof *defs);
    if (!defs) {
      def_free(d);
      return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a definition");
    }
    l->defs = defs;
    l->cap = cap;
  }
  l->defs[l->ndefs++] = *d;
changed:
  if (l->built) {
    wasmtime_component_linker_delete(l->built);
    l->built = 0;
  }
  return WB_OK;
}

static wb_status_t new_def(int kind, const char *iface, const char *name, wbc_def_t *d) {
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->iface = strdup(iface ? iface : "");
  d->name = strdup(name);
  if (!d->iface || !d->name) {
    free(d->iface);
    free(d->name);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a definition");
  }
  return WB_OK;
}

static char *label_of(const char *iface, const char *name) {
  char *label = 0;
  if (asprintf(&label, "%s%s%s", iface && iface[0] ? iface : "", iface && iface[0] ? "#" : "", name) < 0) return 0;
  return label;
}

wb_status_t wb_component_linker_define_func(wb_component_linker_t linker, const char *iface, const char *name,
                                            wb_component_host_callback_t callback, void *env,
                                            wb_finalizer_t finalizer) {
  wbc_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st == WB_OK) st = check_names(iface, name);
  if (st == WB_OK && !callback) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "callback is NULL");
  wbc_hostfn_t *h = st == WB_OK ? calloc(1, sizeof *h) : 0;
  if (st == WB_OK && !h) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a host function");
  if (st == WB_OK && !(h->label = label_of(iface, name))) {
    free(h);
    st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a host function");
  }
  if (st) {
    if (finalizer) finalizer(env); /* ownership of env was passed in */
    return st;
  }
  atomic_init(&h->refs, 1);
  h->callback = callback;
  h->env = env;
  h->finalizer = finalizer;
  pthread_mutex_init(&h->retired_lock, 0);
  wbc_def_t d;
  if ((st = new_def(WBC_DEF_FUNC, iface, name, &d))) {
    wbc_hostfn_unref(h);
    return st;
  }
  d.fn = h;
  return add_def(l, &d);
}

static _Atomic uint32_t next_restype_id = 1;

wb_status_t wb_component_linker_define_resource(wb_component_linker_t linker, const char *iface, const char *name,
                                                wb_resource_destructor_t destructor, void *env,
                                                wb_finalizer_t finalizer, uint32_t *type_out) {
  wbc_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st == WB_OK) st = check_names(iface, name);
  if (st == WB_OK && !type_out) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "type_out is NULL");
  wbc_restype_t *t = st == WB_OK ? calloc(1, sizeof *t) : 0;
  if (st == WB_OK && !t) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a resource type");
  if (st == WB_OK && !(t->label = label_of(iface, name))) {
    free(t);
    st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a resource type");
  }
  if (st) {
    if (finalizer) finalizer(env);
    return st;
  }
  atomic_init(&t->refs, 1);
  t->id = atomic_fetch_add(&next_restype_id, 1);
  t->destructor = destructor;
  t->env = env;
  t->finalizer = finalizer;
  wbc_restype_register(t);
  wbc_def_t d;
  if ((st = new_def(WBC_DEF_RESOURCE, iface, name, &d))) {
    wbc_restype_unref(t);
    return st;
  }
  d.res = t;
  uint32_t id = t->id;
  st = add_def(l, &d);
  if (st == WB_OK) *type_out = id;
  return st;
}

wb_status_t wb_component_linker_define_module(wb_component_linker_t linker, const char *iface, const char *name,
                                              wb_module_t module) {
  wbc_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st == WB_OK) st = check_names(iface, name);
  if (st) return st;
  void *mobj;
  if ((st = wbh_acquire(module.id, WBH_KIND_MODULE, &mobj))) return st;
  wbd_module_t *m = mobj;
  if (m->engine_serial != l->engine->serial) {
    wbh_release(module.id);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the module was compiled by another engine than the linker's");
  }
  wasmtime_module_t *clone = wasmtime_module_clone(m->module);
  wbh_release(module.id);
  wbc_def_t d;
  if ((st = new_def(WBC_DEF_MODULE, iface, name, &d))) {
    wasmtime_module_delete(clone);
    return st;
  }
  d.module = clone;
  return add_def(l, &d);
}

wb_status_t wb_component_linker_define_wasi(wb_component_linker_t linker) {
  wbc_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st) return st;
  if (l->wasi && !l->shadowing) return wbi_fail(WB_ERR_LINK, "WASI 0.2 is defined twice");
  l->wasi = true;
  if (l->built) {
    wasmtime_component_linker_delete(l->built);
    l->built = 0;
  }
  return WB_OK;
}

/* One definition into an open linker instance. */
static wasmtime_error_t *define_one(wasmtime_component_linker_instance_t *li, const wbc_def_t *d) {
  size_t len = strlen(d->name);
  switch (d->kind) {
  case WBC_DEF_FUNC:
    atomic_fetch_add(&d->fn->refs, 1); /* the Wasmtime linker's, dropped by its finalizer */
    return wasmtime_component_linker_instance_add_func(li, d->name, len, host_trampoline, d->fn, hostfn_finalize);
  case WBC_DEF_RESOURCE: {
    wasmtime_component_resource_type_t *ty = wasmtime_component_resource_type_new_host(d->res->id);
    wbc_restype_ref(d->res);
    wasmtime_error_t *err = wasmtime_component_linker_instance_add_resource(li, d->name, len, ty,
                                                                            wbc_host_resource_dtor, d->res,
                                                                            restype_finalize);
    wasmtime_component_resource_type_delete(ty);
    return err;
  }
  default: return wasmtime_component_linker_instance_add_module(li, d->name, len, d->module);
  }
}

wb_status_t wbc_linker_build(wbc_linker_t *l, wasmtime_component_linker_t **out) {
  wasmtime_component_linker_t *wl = wasmtime_component_linker_new(l->engine->engine);
  wasmtime_component_linker_allow_shadowing(wl, l->shadowing);
  wasmtime_error_t *err = 0;
  if (l->wasi && (err = wasmtime_component_linker_add_wasip2(wl))) {
    wasmtime_component_linker_delete(wl);
    return wbd_fail_error(WB_ERR_LINK, err, "cannot define WASI 0.2");
  }
  /* Each interface once, with all its definitions; a linker instance must
   * be deleted before its parent (or the linker) is used again. */
  bool *done = calloc(l->ndefs ? l->ndefs : 1, sizeof *done);
  if (!done) {
    wasmtime_component_linker_delete(wl);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  }
  const wbc_def_t *failed = 0;
  for (size_t i = 0; i < l->ndefs && !err; i++) {
    if (done[i]) continue;
    const char *iface = l->defs[i].iface;
    wasmtime_component_linker_instance_t *root = wasmtime_component_linker_root(wl), *li = root;
    if (iface[0] && (err = wasmtime_component_linker_instance_add_instance(root, iface, strlen(iface), &li))) {
      failed = &l->defs[i];
      li = 0;
    }
    for (size_t j = i; j < l->ndefs && !err; j++) {
      if (done[j] || strcmp(l->defs[j].iface, iface)) continue;
      done[j] = true;
      if ((err = define_one(li, &l->defs[j]))) failed = &l->defs[j];
    }
    if (li && li != root) wasmtime_component_linker_instance_delete(li);
    wasmtime_component_linker_instance_delete(root);
  }
  free(done);
  if (err) {
    wasmtime_component_linker_delete(wl);
    return wbd_fail_error(WB_ERR_LINK, err, "cannot define %s%s%s", failed->iface, failed->iface[0] ? "#" : "",
                          failed->name);
  }
  *out = wl;
  return WB_OK;
}

/* The linker's Wasmtime linker, built when its definitions changed. */
static wb_status_t built(wbc_linker_t *l, wasmtime_component_linker_t **out) {
  if (!l->built) {
    wb_status_t st = wbc_linker_build(l, &l->built);
    if (st) return st;
  }
  *out = l->built;
  return WB_OK;
}

wb_status_t wb_component_linker_instantiate(wb_component_linker_t linker, wb_store_t store,
                                            wb_component_t component, wb_component_instance_t *out) {
  wbc_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st) return st;
  wbh_slot_t *ss, *same;
  if ((st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same))) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *cobj;
  if ((st = wbh_acquire(component.id, WBH_KIND_COMPONENT, &cobj))) return st;
  wbc_component_t *c = cobj;
  wasmtime_component_linker_t *wl = 0;
  if (c->engine_serial != l->engine->serial)
    st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "the component was compiled by another engine than the linker's");
  else st = built(l, &wl);
  uint64_t id = 0;
  if (st == WB_OK) st = wbc_instantiate(wl, l->wasi, ss, c, component.id, &id);
  wbh_release(component.id);
  if (st == WB_OK) out->id = id;
  return st;
}

/* ---- templates ----------------------------------------------------------------------------- */

wb_status_t wb_component_template_new(wb_component_linker_t linker, wb_component_t component,
                                      wb_component_template_t *out) {
  wbc_linker_t *l;
  wb_status_t st = owned_linker(linker, &l);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *cobj;
  if ((st = wbh_acquire(component.id, WBH_KIND_COMPONENT, &cobj))) return st;
  wbc_component_t *c = cobj;
  if (c->engine_serial != l->engine->serial) {
    wbh_release(component.id);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the component was compiled by another engine than the linker's");
  }
  wasmtime_component_linker_t *wl;
  if ((st = wbc_linker_build(l, &wl))) { /* its own: never changed again */
    wbh_release(component.id);
    return st;
  }
  wbc_template_t *t = calloc(1, sizeof *t);
  if (!t) {
    wasmtime_component_linker_delete(wl);
    wbh_release(component.id);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a component template");
  }
  t->linker = wl;
  t->comp = c;
  t->comp_id = component.id; /* the acquired reference moves to the template */
  t->engine_serial = c->engine_serial;
  t->wasi = l->wasi;
  uint64_t id;
  if ((st = wbh_alloc(WBH_KIND_COMPONENT_TEMPLATE, t, 0, &id))) {
    destroy_template(t);
    return st;
  }
  out->id = id;
  return WB_OK;
}

wb_status_t wb_component_template_instantiate(wb_component_template_t tmpl, wb_store_t store,
                                              wb_component_instance_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *tobj;
  if ((st = wbh_acquire(tmpl.id, WBH_KIND_COMPONENT_TEMPLATE, &tobj))) return st;
  wbc_template_t *t = tobj;
  uint64_t id = 0;
  st = wbc_instantiate(t->linker, t->wasi, ss, t->comp, t->comp_id, &id);
  wbh_release(tmpl.id);
  if (st == WB_OK) out->id = id;
  return st;
}

wb_status_t wb_component_template_func_index(wb_component_template_t tmpl, const char *path, uint32_t *out) {
  void *tobj;
  wb_status_t st = wbh_acquire(tmpl.id, WBH_KIND_COMPONENT_TEMPLATE, &tobj);
  if (st) return st;
  st = wbc_component_func_index(((wbc_template_t *)tobj)->comp, path, out);
  wbh_release(tmpl.id);
  return st;
}

wb_status_t wb_component_template_delete(wb_component_template_t tmpl) {
  return wbh_delete_shared(tmpl.id, WBH_KIND_COMPONENT_TEMPLATE);
}

void wbc_linker_init(void) {
  wbh_set_destructor(WBH_KIND_COMPONENT_LINKER, destroy_linker);
  wbh_set_destructor(WBH_KIND_COMPONENT_TEMPLATE, destroy_template);
}
