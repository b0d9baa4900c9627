/* Converting values between wb_val_t and Wasmtime's raw form, checking
 * kinds and store identity on the way in. Internal header (dispatch/). */
#ifndef WB_VALUES_H
#define WB_VALUES_H

#include <stdio.h>
#include <string.h>

#include "objects.h"

static inline const char *wbd_kind_name(uint8_t k) {
  static const char *const names[] = {"i32", "i64", "f32", "f64", "v128", "funcref", "externref"};
  return k <= WB_EXTERNREF ? names[k] : "a type wasmbound cannot pass";
}

/* What a value is, for messages: what (e.g. "argument") and its index i,
 * or what alone when i is WBD_NO_INDEX. */
#define WBD_NO_INDEX ((size_t)-1)
static __attribute__((unused)) const char *wbd_val_label(char buf[64], const char *what, size_t i) {
  if (i == WBD_NO_INDEX) return what;
  snprintf(buf, 64, "%s %zu", what, i);
  return buf;
}

/* Converts one value going into wasm (an argument, a host function's result,
 * a global's new value: `what` and index i say which, for messages);
 * funcrefs must be live funcs of the same store. The general case, out of
 * line: the hot paths call wbd_val_to_raw. */
static __attribute__((noinline, unused)) wb_status_t wbd_val_to_raw_any(wbh_slot_t *store_slot, wbd_store_t *s,
                                                                      const wb_val_t *v, uint8_t want,
                                                                      const char *what, size_t i,
                                                                      wasmtime_val_raw_t *out) {
  char label[64];
  if (__builtin_expect((uint32_t)v->kind != want, 0)) {
    if (want == WBD_KIND_UNSUPPORTED || want == WB_EXTERNREF)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s has type %s, which wasmbound cannot pass",
                      wbd_val_label(label, what, i), wbd_kind_name(want));
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: expected %s, got %s", wbd_val_label(label, what, i),
                    wbd_kind_name(want),
                    (uint32_t)v->kind <= WB_EXTERNREF ? wbd_kind_name((uint8_t)v->kind) : "an invalid wb_valkind_t");
  }
  switch (want) {
  case WB_I32: out->i32 = v->of.i32; break;
  case WB_I64: out->i64 = v->of.i64; break;
  case WB_F32: out->f32 = v->of.f32; break;
  case WB_F64: out->f64 = v->of.f64; break;
  case WB_V128: memcpy(out->v128, v->of.v128, 16); break;
  case WB_FUNCREF: {
    uint64_t id = v->of.funcref.id;
    if (id == 0) {
      out->funcref = 0;
      break;
    }
    wbh_slot_t *fs, *fstore;
    wb_status_t st = wbh_bound(id, WBH_KIND_FUNC, &fs, &fstore);
    if (st) {
      char prefix[80];
      snprintf(prefix, sizeof prefix, "%s (funcref): ", wbd_val_label(label, what, i));
      return wbi_fail_prefix(st, prefix);
    }
    if (fstore != store_slot)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "%s (funcref) is a function of another store; wasm values cannot cross stores",
                      wbd_val_label(label, what, i));
    out->funcref = wasmtime_func_to_raw(s->ctx, &((wbd_func_t *)fs->obj)->func);
    break;
  }
  default:
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s has type %s, which wasmbound cannot pass",
                    wbd_val_label(label, what, i), wbd_kind_name(want));
  }
  return WB_OK;
}

/* Converts one result; the caller writes it out only when all succeed.
 * The general case, out of line: the hot paths call wbd_val_from_raw. */
static __attribute__((noinline, unused)) wb_status_t wbd_val_from_raw_any(wbh_slot_t *store_slot, wbd_store_t *s,
                                                                        const wasmtime_val_raw_t *r, uint8_t kind,
                                                                        wb_val_t *out) {
  out->kind = (wb_valkind_t)kind;
  switch (kind) {
  case WB_I32: out->of.i32 = r->i32; break;
  case WB_I64: out->of.i64 = r->i64; break;
  case WB_F32: out->of.f32 = r->f32; break;
  case WB_F64: out->of.f64 = r->f64; break;
  case WB_V128: memcpy(out->of.v128, r->v128, 16); break;
  case WB_FUNCREF: {
    out->of.funcref.id = 0;
    if (!r->funcref) break;
    wasmtime_func_t f;
    wasmtime_func_from_raw(s->ctx, r->funcref, &f);
    return wbd_func_handle(store_slot, &f, &out->of.funcref.id);
  }
  default:
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "a result has a type wasmbound cannot return");
  }
  return WB_OK;
}

/* Numbers only (the fast paths of funcs and host functions whose values are
 * all numbers, wbd_func_t.numeric and wbd_hostfn_t.numeric): the bits are
 * copied at their exact width (the JIT and the user store them at that
 * width, and a wider load would stall); the union's other bytes are left. */
static inline __attribute__((always_inline)) void wbd_num_to_raw(uint8_t kind, const wb_val_t *v,
                                                                wasmtime_val_raw_t *out) {
  if (kind == WB_I64 || kind == WB_F64) out->i64 = v->of.i64;
  else out->i32 = v->of.i32;
}

static inline __attribute__((always_inline)) void wbd_num_from_raw(uint8_t kind, const wasmtime_val_raw_t *r,
                                                                  wb_val_t *out) {
  out->kind = (wb_valkind_t)kind;
  if (kind == WB_I64 || kind == WB_F64) out->of.i64 = r->i64;
  else out->of.i32 = r->i32;
}

/* A result kind whose conversion cannot fail (no funcref, nothing unsupported). */
static inline int wbd_kind_cannot_fail(uint8_t kind) { return kind <= WB_V128; }

/* The hot path of wbd_val_to_raw_any for argument i: numbers of the
 * expected kind inline, everything else (v128, funcref, mismatches) out of
 * line. wbd_named_to_raw is the same for a value that is not an argument. */
#define wbd_val_to_raw(store_slot, s, v, want, i, out) wbd_named_to_raw(store_slot, s, v, want, "argument", i, out)
static inline __attribute__((always_inline)) wb_status_t wbd_named_to_raw(wbh_slot_t *store_slot, wbd_store_t *s,
                                                                         const wb_val_t *v, uint8_t want,
                                                                         const char *what, size_t i,
                                                                         wasmtime_val_raw_t *out) {
  if (__builtin_expect((uint32_t)v->kind == want, 1)) {
    switch (want) {
    case WB_I32: out->i32 = v->of.i32; return WB_OK;
    case WB_I64: out->i64 = v->of.i64; return WB_OK;
    case WB_F32: out->f32 = v->of.f32; return WB_OK;
    case WB_F64: out->f64 = v->of.f64; return WB_OK;
    default: break;
    }
  }
  return wbd_val_to_raw_any(store_slot, s, v, want, what, i, out);
}

/* The hot path of wbd_val_from_raw_any, like wbd_val_to_raw. */
static inline __attribute__((always_inline)) wb_status_t wbd_val_from_raw(wbh_slot_t *store_slot, wbd_store_t *s,
                                                                         const wasmtime_val_raw_t *r, uint8_t kind,
                                                                         wb_val_t *out) {
  switch (kind) {
  case WB_I32: out->kind = WB_I32; out->of.i32 = r->i32; return WB_OK;
  case WB_I64: out->kind = WB_I64; out->of.i64 = r->i64; return WB_OK;
  case WB_F32: out->kind = WB_F32; out->of.f32 = r->f32; return WB_OK;
  case WB_F64: out->kind = WB_F64; out->of.f64 = r->f64; return WB_OK;
  default: return wbd_val_from_raw_any(store_slot, s, r, kind, out);
  }
}

#endif
