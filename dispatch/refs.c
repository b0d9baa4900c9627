/* References: wb_ref_t handles (externrefs and anyrefs the host holds,
 * each a Wasmtime root), their conversions to and from the values Wasmtime
 * takes, and what Wasmtime's C API lacks (any.convert_extern and friends),
 * done by a small internal wasm module instantiated in the store on first
 * use. Store-bound: everything here runs on the store's owner thread.
 *
 * What Wasmtime 39's C API aborts on, and the guard for each:
 * - a value of another store (its roots carry the store's id, which
 *   Wasmtime asserts): every handle's store is compared with the store it
 *   is used in before Wasmtime sees it;
 * - an exnref or contref value (wasmtime_val_t conversions abort on both,
 *   even null): such values never reach those conversions (callers check
 *   the static type; raw exnrefs are passed as null or refused);
 * - an unrooted reference: every wbd_ref_t holds its own root, and raw
 *   values never outlive the call that produced them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

/* ---- the handles -------------------------------------------------------------- */

wb_status_t wbd_refuse_async(const wbd_store_t *s, const char *what) {
  if (!s->engine->async_support) return WB_OK;
  return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                  "%s is not possible in a store of an engine with async_support: Wasmtime 39's C API aborts the "
                  "process there",
                  what);
}

void wbd_ref_destroy(void *obj) {
  wbd_ref_t *r = obj;
  /* An OwnedRooted's root is an Arc'd liveness flag: dropping it is safe
   * also after its store was deleted (store deletion frees the store's
   * handles after the wasmtime store). */
  if (r->kind == WB_EXTERNREF) wasmtime_externref_unroot(&r->of.ext);
  else wasmtime_anyref_unroot(&r->of.any);
  free(r);
}

/* The object behind a value's handle of kind (a ref or a func), checked:
 * live, this thread's, of the given store. */
static wb_status_t value_object(wbh_slot_t *ss, uint64_t id, uint8_t kind, const char *what, size_t i, void **out) {
  wbh_slot_t *vs, *vstore;
  wb_status_t st = wbh_bound(id, kind, &vs, &vstore);
  if (st) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s: ", wbd_named_value(what, i));
    return wbi_fail_prefix(st, prefix);
  }
  if (vstore != ss)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is %s of another store; wasm values cannot cross stores",
                    wbd_named_value(what, i),
                    kind == WBH_KIND_FUNC ? "a function" : "a reference");
  *out = vs->obj;
  return WB_OK;
}

static wb_status_t ref_of(wbh_slot_t *ss, uint64_t id, const char *what, size_t i, wbd_ref_t **out) {
  return value_object(ss, id, WBH_KIND_REF, what, i, (void **)out);
}

static wb_status_t func_of(wbh_slot_t *ss, uint64_t id, const char *what, size_t i, wbd_func_t **out) {
  return value_object(ss, id, WBH_KIND_FUNC, what, i, (void **)out);
}

static const char *heap_name(uint8_t heap) {
  static const char *const names[] = {"",       "func",  "nofunc", "extern", "noextern", "any",   "eq",
                                      "i31",    "struct", "array", "none",   "exn",      "noexn", "cont",
                                      "nocont", "a concrete function type", "a concrete struct type",
                                      "a concrete array type", "a concrete continuation type"};
  return heap < sizeof names / sizeof names[0] ? names[heap] : "?";
}

static int heap_is_bottom(uint8_t heap) {
  return heap == WB_HEAP_NOFUNC || heap == WB_HEAP_NOEXTERN || heap == WB_HEAP_NONE || heap == WB_HEAP_NOEXN ||
         heap == WB_HEAP_NOCONT;
}

/* The checks every reference value gets: its kind (hierarchy), null
 * against nullability, bottom types (only null), exnrefs (only null, as
 * Wasmtime 39's C API cannot hold a non-null one). */
static wb_status_t ref_check(const wb_val_t *v, const wb_valtype_t *t, const char *what, size_t i) {
  if ((uint32_t)v->kind != t->kind)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: expected %s, got %s", wbd_named_value(what, i), wbd_kind_name(t->kind),
                    (uint32_t)v->kind <= WB_CONTREF ? wbd_kind_name((uint8_t)v->kind) : "an invalid wb_valkind_t");
  if (t->kind == WB_CONTREF)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s is a continuation reference, which Wasmtime 39's C API cannot pass",
                    wbd_named_value(what, i));
  uint64_t id = v->of.ref.id; /* funcref's id is at the same place */
  if (id == 0) {
    if (!t->nullable)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s is null, but its type (ref %s) is not nullable", wbd_named_value(what, i),
                      heap_name(t->heap));
    return WB_OK;
  }
  if (heap_is_bottom(t->heap))
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: its type (ref null %s) holds only null", wbd_named_value(what, i),
                    heap_name(t->heap));
  if (t->kind == WB_EXNREF)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: Wasmtime 39's C API cannot pass a non-null exnref", wbd_named_value(what, i));
  return WB_OK;
}

wb_status_t wbd_ref_to_raw(wbh_slot_t *ss, wbd_store_t *s, const wb_val_t *v, const wb_valtype_t *t, const char *what,
                           size_t i, wasmtime_val_raw_t *out) {
  wb_valtype_t top;
  if (!t) {
    top = wbd_valtype_of_kind((uint8_t)v->kind);
    t = &top;
  }
  wb_status_t st = ref_check(v, t, what, i);
  if (st) return st;
  uint64_t id = v->of.ref.id;
  switch (t->kind) {
  case WB_FUNCREF: {
    if (!id) {
      out->funcref = 0;
      return WB_OK;
    }
    if (t->heap != WB_HEAP_FUNC) break;
    wbd_func_t *f;
    if ((st = func_of(ss, id, what, i, &f))) return st;
    out->funcref = wasmtime_func_to_raw(s->ctx, &f->func);
    return WB_OK;
  }
  case WB_EXTERNREF:
  case WB_ANYREF: {
    if (!id) {
      out->externref = 0;
      return WB_OK;
    }
    if (t->heap != WB_HEAP_EXTERN && t->heap != WB_HEAP_ANY) break;
    wbd_ref_t *r;
    if ((st = ref_of(ss, id, what, i, &r))) return st;
    if (r->kind != t->kind)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: expected %s, got a handle of an %s", wbd_named_value(what, i),
                      wbd_kind_name(t->kind), wbd_kind_name(r->kind));
    if (r->kind == WB_EXTERNREF) out->externref = wasmtime_externref_to_raw(s->ctx, &r->of.ext);
    else out->anyref = wasmtime_anyref_to_raw(s->ctx, &r->of.any);
    return WB_OK;
  }
  case WB_EXNREF:
    out->anyref = 0; /* ref_check let only null through */
    return WB_OK;
  default: break;
  }
  return wbi_fail(WB_ERR_INTERNAL, "%s: a raw %s value needs Wasmtime's type check", wbd_named_value(what, i),
                  wbd_kind_name(t->kind));
}

wb_status_t wbd_val_to_val(wbh_slot_t *ss, wbd_store_t *s, const wb_val_t *v, const wb_valtype_t *t, const char *what,
                           size_t i, wasmtime_val_t *out) {
  (void)s;
  wb_valtype_t top;
  if (!t) {
    if ((uint32_t)v->kind > WB_CONTREF)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s has an invalid wb_valkind_t (%d)", wbd_named_value(what, i), (int)v->kind);
    top = wbd_valtype_of_kind((uint8_t)v->kind);
    t = &top;
  }
  if (t->kind <= WB_V128) {
    if ((uint32_t)v->kind != t->kind)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: expected %s, got %s", wbd_named_value(what, i), wbd_kind_name(t->kind),
                      (uint32_t)v->kind <= WB_CONTREF ? wbd_kind_name((uint8_t)v->kind) : "an invalid wb_valkind_t");
    out->kind = t->kind; /* WASMTIME_I32 .. WASMTIME_V128 are wb_valkind_t's numbers */
    switch (t->kind) {
    case WB_I32: out->of.i32 = v->of.i32; break;
    case WB_I64: out->of.i64 = v->of.i64; break;
    case WB_F32: out->of.f32 = v->of.f32; break;
    case WB_F64: out->of.f64 = v->of.f64; break;
    default: memcpy(out->of.v128, v->of.v128, 16); break;
    }
    return WB_OK;
  }
  wb_status_t st = ref_check(v, t, what, i);
  if (st) return st;
  uint64_t id = v->of.ref.id;
  switch (t->kind) {
  case WB_FUNCREF:
    out->kind = WASMTIME_FUNCREF;
    memset(&out->of.funcref, 0, sizeof out->of.funcref);
    if (id) {
      wbd_func_t *f;
      if ((st = func_of(ss, id, what, i, &f))) return st;
      out->of.funcref = f->func;
    }
    return WB_OK;
  case WB_EXTERNREF:
  case WB_ANYREF:
    out->kind = t->kind == WB_EXTERNREF ? WASMTIME_EXTERNREF : WASMTIME_ANYREF;
    memset(&out->of, 0, sizeof out->of);
    if (id) {
      wbd_ref_t *r;
      if ((st = ref_of(ss, id, what, i, &r))) return st;
      if (r->kind != t->kind)
        return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: expected %s, got a handle of an %s", wbd_named_value(what, i),
                        wbd_kind_name(t->kind), wbd_kind_name(r->kind));
      if (r->kind == WB_EXTERNREF) out->of.externref = r->of.ext; /* borrowed */
      else out->of.anyref = r->of.any;
    }
    return WB_OK;
  default:
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: Wasmtime 39's C API cannot pass %s values here", wbd_named_value(what, i),
                    wbd_kind_name(t->kind));
  }
}

/* A funcref's type from the static type it came through: a concrete
 * function type says what the function can be called as. */
static wbd_typeinfo_t funcref_type(const wb_valtype_t *t, const wbd_modinfo_t *info) {
  wbd_typeinfo_t ti = {info, 0, 0, 0};
  if (t && t->heap == WB_HEAP_CONCRETE_FUNC) ti.func = wbd_modinfo_functype(info, t->type_index);
  return ti;
}

static wb_status_t funcref_handle(wbh_slot_t *ss, const wasmtime_func_t *f, const wb_valtype_t *t,
                                  const wbd_modinfo_t *info, uint64_t *id) {
  wbd_typeinfo_t ti = funcref_type(t, info);
  return wbd_func_handle(ss, f, ti.func ? &ti : 0, id);
}

wb_status_t wbd_raw_to_val(wbh_slot_t *ss, wbd_store_t *s, const wasmtime_val_raw_t *r, const wb_valtype_t *t,
                           const wbd_modinfo_t *info, wb_val_t *out) {
  out->kind = (wb_valkind_t)t->kind;
  out->of.ref.id = 0;
  switch (t->kind) {
  case WB_FUNCREF: {
    if (!r->funcref) return WB_OK;
    wbd_typeinfo_t ti = funcref_type(t, info);
    return wbd_funcref_handle(ss, r->funcref, ti.func ? &ti : 0, &out->of.funcref.id);
  }
  case WB_EXTERNREF: {
    if (!r->externref) return WB_OK;
    wasmtime_externref_t e;
    wasmtime_externref_from_raw(s->ctx, r->externref, &e);
    if (!e.store_id) return WB_OK;
    return wbd_ref_handle(ss, WB_EXTERNREF, &e, &out->of.ref.id);
  }
  case WB_ANYREF: {
    if (!r->anyref) return WB_OK;
    wasmtime_anyref_t a;
    wasmtime_anyref_from_raw(s->ctx, r->anyref, &a);
    if (!a.store_id) return WB_OK;
    return wbd_ref_handle(ss, WB_ANYREF, &a, &out->of.ref.id);
  }
  case WB_EXNREF:
    if (!r->anyref) return WB_OK; /* exnrefs are 32-bit GC references, like anyrefs */
    return wbi_fail(WB_ERR_TYPE_MISMATCH,
                    "a result is a non-null exnref, which Wasmtime 39's C API cannot hold (the call ran; its "
                    "results are lost)");
  default:
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "a result has type %s, which wasmbound cannot return",
                    wbd_kind_name(t->kind));
  }
}

wb_status_t wbd_val_from_val(wbh_slot_t *ss, wbd_store_t *s, wasmtime_val_t *v, const wb_valtype_t *t,
                             const wbd_modinfo_t *info, wb_val_t *out) {
  (void)s;
  out->of.ref.id = 0;
  switch (v->kind) {
  case WASMTIME_I32: out->kind = WB_I32, out->of.i32 = v->of.i32; return WB_OK;
  case WASMTIME_I64: out->kind = WB_I64, out->of.i64 = v->of.i64; return WB_OK;
  case WASMTIME_F32: out->kind = WB_F32, out->of.f32 = v->of.f32; return WB_OK;
  case WASMTIME_F64: out->kind = WB_F64, out->of.f64 = v->of.f64; return WB_OK;
  case WASMTIME_V128: out->kind = WB_V128, memcpy(out->of.v128, v->of.v128, 16); return WB_OK;
  case WASMTIME_FUNCREF:
    out->kind = WB_FUNCREF;
    if (!v->of.funcref.store_id) return WB_OK;
    return funcref_handle(ss, &v->of.funcref, t && t->kind == WB_FUNCREF ? t : 0, info, &out->of.funcref.id);
  case WASMTIME_EXTERNREF:
    out->kind = WB_EXTERNREF;
    if (!v->of.externref.store_id) return WB_OK;
    return wbd_ref_handle(ss, WB_EXTERNREF, &v->of.externref, &out->of.ref.id);
  case WASMTIME_ANYREF:
    out->kind = WB_ANYREF;
    if (!v->of.anyref.store_id) return WB_OK;
    return wbd_ref_handle(ss, WB_ANYREF, &v->of.anyref, &out->of.ref.id);
  default:
    wasmtime_val_unroot(v);
    return wbi_fail(WB_ERR_INTERNAL, "Wasmtime returned a value of kind %d", (int)v->kind);
  }
}

void wbd_vals_drop(const wb_val_t *vals, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if ((vals[i].kind != WB_EXTERNREF && vals[i].kind != WB_ANYREF) || !vals[i].of.ref.id) continue;
    wbh_slot_t *rs = wbh_peek(vals[i].of.ref.id, WBH_KIND_REF);
    if (rs) wbh_delete_bound(rs, vals[i].of.ref.id);
  }
}

/* ---- the internal helper module ------------------------------------------------- */

/* What Wasmtime 39's C API cannot do with references, done in wasm. */
static const char HELPER_WAT[] =
    "(module\n"
    "  (func (export \"kind\") (param anyref) (result i32)\n"
    "    (if (ref.is_null (local.get 0)) (then (return (i32.const 0))))\n"
    "    (if (ref.test (ref i31) (local.get 0)) (then (return (i32.const 1))))\n"
    "    (if (ref.test (ref struct) (local.get 0)) (then (return (i32.const 2))))\n"
    "    (if (ref.test (ref array) (local.get 0)) (then (return (i32.const 3))))\n"
    "    (i32.const 4))\n"
    "  (func (export \"internalize\") (param externref) (result anyref) (any.convert_extern (local.get 0)))\n"
    "  (func (export \"externalize\") (param anyref) (result externref) (extern.convert_any (local.get 0))))\n";
static const char *const HELPER_FUNCS[3] = {"kind", "internalize", "externalize"};
enum { HELPER_KIND, HELPER_INTERNALIZE, HELPER_EXTERNALIZE };

static wb_status_t helper_module(wbd_engine_t *e, wasmtime_module_t **out) {
  wasmtime_module_t *m = atomic_load_explicit(&e->helper, memory_order_acquire);
  if (m) {
    *out = m;
    return WB_OK;
  }
  wasm_byte_vec_t wasm;
  wasmtime_error_t *err = wasmtime_wat2wasm(HELPER_WAT, sizeof HELPER_WAT - 1, &wasm);
  if (err) return wbd_fail_error(WB_ERR_INTERNAL, err, "the internal reference module");
  err = wasmtime_module_new(e->engine, (const uint8_t *)wasm.data, wasm.size, &m);
  wasm_byte_vec_delete(&wasm);
  if (err) return wbd_fail_error(WB_ERR_INTERNAL, err, "the internal reference module");
  wasmtime_module_t *none = 0;
  if (!atomic_compare_exchange_strong(&e->helper, &none, m)) { /* another thread was first */
    wasmtime_module_delete(m);
    m = none;
  }
  *out = m;
  return WB_OK;
}

/* Calls helper function fn with one raw argument and one raw result. */
static wb_status_t helper_call(wbd_store_t *s, int fn, wasmtime_val_raw_t *val) {
  if (!(s->engine->features & WBD_FEATURE_GC))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "this needs an engine with wasm_gc on (anyref values)");
  wb_status_t st = wbd_check_stack(s);
  if (st) return st;
  wbd_store_types_t *types = wbd_store_types(s);
  if (!types) return WB_ERR_NO_MEMORY;
  if (!types->has_helper && (st = wbd_refuse_async(s, "instantiating wasmbound's internal reference module")))
    return st;
  if (!types->has_helper) {
    wasmtime_module_t *m;
    if ((st = helper_module(s->engine, &m))) return st;
    wasmtime_instance_t inst;
    wasm_trap_t *trap = 0;
    wbd_store_t *outer = wbd_wasm_enter(s);
    wasmtime_error_t *err = wasmtime_instance_new(s->ctx, m, 0, 0, &inst, &trap);
    wbd_wasm_leave(s, outer);
    if (err || trap) {
      st = wbd_fail_call(s, err, trap, "instantiating wasmbound's internal reference module");
      /* a store limit is the likely cause: say which */
      if (st == WB_ERR_TRAP && !trap) st = WB_ERR_LIMIT;
      return wbi_fail_prefix(st, "(it counts against the store's instance limit) ");
    }
    for (int i = 0; i < 3; i++) {
      wasmtime_extern_t ext;
      if (!wasmtime_instance_export_get(s->ctx, &inst, HELPER_FUNCS[i], strlen(HELPER_FUNCS[i]), &ext) ||
          ext.kind != WASMTIME_EXTERN_FUNC)
        return wbi_fail(WB_ERR_INTERNAL, "the internal reference module has no function %s", HELPER_FUNCS[i]);
      types->helper_fn[i] = ext.of.func;
    }
    types->has_helper = true;
  }
  if ((st = wbd_call_begin(s))) return st;
  wasm_trap_t *trap = 0;
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_func_call_unchecked(s->ctx, &types->helper_fn[fn], val, 1, &trap);
  wbd_wasm_leave(s, outer);
  if (err || trap) return wbd_fail_call(s, err, trap, "wasmbound's internal reference module");
  return WB_OK;
}

/* The kind of a non-null anyref (1 i31, 2 struct, 3 array, 4 another). */
static wb_status_t anyref_kind(wbd_store_t *s, wbd_ref_t *r, int *out) {
  uint32_t u;
  if (wasmtime_anyref_i31_get_u(s->ctx, &r->of.any, &u)) { /* no wasm needed */
    *out = 1;
    return WB_OK;
  }
  wasmtime_val_raw_t v;
  v.anyref = wasmtime_anyref_to_raw(s->ctx, &r->of.any);
  wb_status_t st = helper_call(s, HELPER_KIND, &v);
  if (st == WB_OK) *out = v.i32;
  return st;
}

/* ---- the public functions ------------------------------------------------------- */

static wb_status_t bound_ref(wb_ref_t ref, wbh_slot_t **rs, wbh_slot_t **ss, wbd_ref_t **r) {
  wb_status_t st = wbh_bound(ref.id, WBH_KIND_REF, rs, ss);
  if (st == WB_OK) *r = (*rs)->obj;
  return st;
}

wb_status_t wb_externref_new(wb_store_t store, void *data, wb_finalizer_t finalizer, wb_ref_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st == WB_OK && !out) st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (st == WB_OK) st = wbd_refuse_async(wbd_store_of(ss), "wb_externref_new");
  if (st) {
    if (finalizer) finalizer(data); /* ownership of data was passed in */
    return st;
  }
  wasmtime_externref_t e;
  /* on failure Wasmtime drops the data it was given: the finalizer has run */
  if (!wasmtime_externref_new(wbd_store_of(ss)->ctx, data, finalizer, &e))
    return wbi_fail(WB_ERR_NO_MEMORY, "Wasmtime could not allocate the externref (its GC heap is full)");
  return wbd_ref_handle(ss, WB_EXTERNREF, &e, &out->id);
}

wb_status_t wb_externref_data(wb_ref_t ref, void **out) {
  wbh_slot_t *rs, *ss;
  wbd_ref_t *r;
  wb_status_t st = bound_ref(ref, &rs, &ss, &r);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (r->kind != WB_EXTERNREF)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the reference is an anyref, not an externref (wb_ref_externalize "
                                          "gives the externref an anyref came from)");
  wbd_store_t *s = wbd_store_of(ss);
  void *data = wasmtime_externref_data(s->ctx, &r->of.ext);
  if (!data && (s->engine->features & WBD_FEATURE_GC)) {
    /* NULL: the host's own NULL, or an anyref that wasm externalized
     * (extern.convert_any), which carries no host pointer */
    wasmtime_val_raw_t v;
    v.externref = wasmtime_externref_to_raw(s->ctx, &r->of.ext);
    if ((st = helper_call(s, HELPER_INTERNALIZE, &v))) return st;
    wasmtime_val_raw_t k = v;
    if ((st = helper_call(s, HELPER_KIND, &k))) return st;
    if (k.i32 >= 1 && k.i32 <= 3)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "the externref is %s that wasm converted (extern.convert_any); it "
                                            "carries no host pointer",
                      k.i32 == 1 ? "an i31ref" : k.i32 == 2 ? "a struct" : "an array");
  }
  *out = data;
  return WB_OK;
}

wb_status_t wb_i31ref_new(wb_store_t store, uint32_t value, wb_ref_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_store_t *s = wbd_store_of(ss);
  if (!(s->engine->features & WBD_FEATURE_GC))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "i31refs need an engine with wasm_gc on");
  wasmtime_anyref_t a;
  wasmtime_anyref_from_i31(s->ctx, value, &a);
  return wbd_ref_handle(ss, WB_ANYREF, &a, &out->id);
}

wb_status_t wb_i31ref_get(wb_ref_t ref, bool sign_extend, int32_t *out) {
  wbh_slot_t *rs, *ss;
  wbd_ref_t *r;
  wb_status_t st = bound_ref(ref, &rs, &ss, &r);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wasmtime_context_t *ctx = wbd_store_of(ss)->ctx;
  if (r->kind == WB_ANYREF) {
    if (sign_extend) {
      int32_t v;
      if (wasmtime_anyref_i31_get_s(ctx, &r->of.any, &v)) {
        *out = v;
        return WB_OK;
      }
    } else {
      uint32_t v;
      if (wasmtime_anyref_i31_get_u(ctx, &r->of.any, &v)) {
        *out = (int32_t)v;
        return WB_OK;
      }
    }
  }
  return wbi_fail(WB_ERR_TYPE_MISMATCH, "the reference is not an i31ref");
}

wb_status_t wb_ref_kind(wb_ref_t ref, wb_refkind_t *out) {
  wbh_slot_t *rs, *ss;
  wbd_ref_t *r;
  wb_status_t st = bound_ref(ref, &rs, &ss, &r);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (r->kind == WB_EXTERNREF) {
    *out = WB_REFKIND_EXTERN;
    return WB_OK;
  }
  int k = 0;
  if ((st = anyref_kind(wbd_store_of(ss), r, &k))) return st;
  static const wb_refkind_t kinds[] = {WB_REFKIND_ANY, WB_REFKIND_I31, WB_REFKIND_STRUCT, WB_REFKIND_ARRAY,
                                       WB_REFKIND_ANY};
  *out = kinds[k >= 0 && k <= 4 ? k : 4];
  return WB_OK;
}

wb_status_t wb_ref_eq(wb_ref_t a, wb_ref_t b, bool *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbh_slot_t *as = 0, *ass = 0, *bs = 0, *bss = 0;
  wbd_ref_t *ra = 0, *rb = 0;
  wb_status_t st;
  if (a.id && (st = bound_ref(a, &as, &ass, &ra))) return wbi_fail_prefix(st, "a: ");
  if (b.id && (st = bound_ref(b, &bs, &bss, &rb))) return wbi_fail_prefix(st, "b: ");
  if (!ra || !rb) { /* null is equal to null only */
    *out = !ra && !rb;
    return WB_OK;
  }
  if (ass != bss) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the references are of different stores");
  if (ra->kind != rb->kind) {
    *out = false;
    return WB_OK;
  }
  /* Both are rooted, so their raw values (GC heap references, or an i31's
   * bits) are the same exactly when they are the same object: wasm's
   * ref.eq for eqrefs. */
  wasmtime_context_t *ctx = wbd_store_of(ass)->ctx;
  uint32_t x, y;
  if (ra->kind == WB_EXTERNREF) {
    x = wasmtime_externref_to_raw(ctx, &ra->of.ext);
    y = wasmtime_externref_to_raw(ctx, &rb->of.ext);
  } else {
    x = wasmtime_anyref_to_raw(ctx, &ra->of.any);
    y = wasmtime_anyref_to_raw(ctx, &rb->of.any);
  }
  *out = x == y;
  return WB_OK;
}

wb_status_t wb_ref_delete(wb_ref_t ref) {
  if (ref.id == 0) return WB_OK;
  wbh_slot_t *rs, *ss;
  wb_status_t st = wbh_bound(ref.id, WBH_KIND_REF, &rs, &ss);
  if (st) return st;
  wbh_delete_bound(rs, ref.id);
  return WB_OK;
}

wb_status_t wb_ref_clone(wb_ref_t ref, wb_ref_t *out) {
  wbh_slot_t *rs, *ss;
  wbd_ref_t *r;
  wb_status_t st = bound_ref(ref, &rs, &ss, &r);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (r->kind == WB_EXTERNREF) {
    wasmtime_externref_t e;
    wasmtime_externref_clone(&r->of.ext, &e);
    return wbd_ref_handle(ss, WB_EXTERNREF, &e, &out->id);
  }
  wasmtime_anyref_t a;
  wasmtime_anyref_clone(&r->of.any, &a);
  return wbd_ref_handle(ss, WB_ANYREF, &a, &out->id);
}

/* any.convert_extern (to_any) or extern.convert_any. */
static wb_status_t convert(wb_store_t store, wb_ref_t ref, bool to_any, wb_ref_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_store_t *s = wbd_store_of(ss);
  uint8_t from = to_any ? WB_EXTERNREF : WB_ANYREF;
  wb_val_t v = {.kind = (wb_valkind_t)from, .of.ref = ref};
  wasmtime_val_raw_t raw;
  if ((st = wbd_ref_to_raw(ss, s, &v, 0, "reference", 0, &raw))) return st;
  if (!(s->engine->features & WBD_FEATURE_GC))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "this needs an engine with wasm_gc on (anyref values)");
  if (ref.id == 0) {
    out->id = 0;
    return WB_OK;
  }
  if ((st = helper_call(s, to_any ? HELPER_INTERNALIZE : HELPER_EXTERNALIZE, &raw))) return st;
  wb_valtype_t t = wbd_valtype_of_kind(to_any ? WB_ANYREF : WB_EXTERNREF);
  wb_val_t r;
  if ((st = wbd_raw_to_val(ss, s, &raw, &t, 0, &r))) return st;
  *out = r.of.ref;
  return WB_OK;
}

wb_status_t wb_ref_internalize(wb_store_t store, wb_ref_t externref, wb_ref_t *out) {
  return convert(store, externref, true, out);
}

wb_status_t wb_ref_externalize(wb_store_t store, wb_ref_t anyref, wb_ref_t *out) {
  return convert(store, anyref, false, out);
}

wb_status_t wb_store_gc(wb_store_t store) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if ((st = wbd_refuse_async(wbd_store_of(ss), "wb_store_gc"))) return st;
  wasmtime_context_gc(wbd_store_of(ss)->ctx);
  return WB_OK;
}
