/* Converting values between wb_val_t and Wasmtime's raw form, checking
 * kinds and store identity on the way in. Internal header (dispatch/). */
#ifndef WB_VALUES_H
#define WB_VALUES_H

#include <stdio.h>
#include <string.h>

#include "objects.h"

static inline const char *wbd_kind_name(uint8_t k) {
  static const char *const names[] = {"i32",     "i64",    "f32",    "f64",    "v128",
                                      "funcref", "externref", "anyref", "exnref", "contref"};
  return k <= WB_CONTREF ? names[k] : "a type wasmbound cannot pass";
}

/* What a value is, for messages: what (e.g. "argument") and its index i,
 * or what alone when i is WBD_NO_INDEX. */
#define WBD_NO_INDEX ((size_t)-1)
static __attribute__((unused)) const char *wbd_val_label(char buf[64], const char *what, size_t i) {
  if (i == WBD_NO_INDEX) return what;
  snprintf(buf, 64, "%s %zu", what, i);
  return buf;
}

/* wbd_val_label in a buffer of this thread's, for messages that name a
 * value or two (each call takes the other of two buffers). */
static __attribute__((unused)) const char *wbd_named_value(const char *what, size_t i) {
  static __thread char buf[2][64];
  static __thread int which;
  which ^= 1;
  return wbd_val_label(buf[which], what, i);
}

/* References (refs.c): see below. */

/* Converts one value going into wasm (an argument, a host function's result,
 * a global's new value: `what` and index i say which, for messages);
 * funcrefs must be live funcs of the same store. The general case, out of
 * line: the hot paths call wbd_val_to_raw. */
/* References (refs.c). `t` is the type a value must have (NULL: the
 * nullable top type of its kind); `what` and `i` name it in messages
 * ("argument", 2). */

/* Checks a reference value and converts it to its raw form, for a type
 * wasmbound can check fully itself (the top or bottom type of its
 * hierarchy, nullable or not; exnrefs null only). */
wb_status_t wbd_ref_to_raw(wbh_slot_t *ss, wbd_store_t *s, const wb_val_t *v, const wb_valtype_t *t, const char *what,
                           size_t i, wasmtime_val_raw_t *out);
/* Checks any value (number or reference) against t and converts it to a
 * wasmtime_val_t for Wasmtime's checked paths, which check subtypes
 * themselves. References are borrowed: do not unroot *out. */
wb_status_t wbd_val_to_val(wbh_slot_t *ss, wbd_store_t *s, const wb_val_t *v, const wb_valtype_t *t, const char *what,
                           size_t i, wasmtime_val_t *out);
/* Converts a raw value of type t (a reference when not a number) into a
 * wb_val_t: a reference becomes a new handle (a funcref the store's);
 * info holds t's type indices. */
wb_status_t wbd_raw_to_val(wbh_slot_t *ss, wbd_store_t *s, const wasmtime_val_raw_t *r, const wb_valtype_t *t,
                           const wbd_modinfo_t *info, wb_val_t *out);
/* Converts a wasmtime_val_t that the caller owns into a wb_val_t, taking
 * over its root (unrooting it on failure); t (may be NULL) is its static
 * type, for the types of funcrefs. */
wb_status_t wbd_val_from_val(wbh_slot_t *ss, wbd_store_t *s, wasmtime_val_t *v, const wb_valtype_t *t,
                             const wbd_modinfo_t *info, wb_val_t *out);
/* Deletes the wb_ref_t handles among vals (the results converted before a
 * later one failed). */
void wbd_vals_drop(const wb_val_t *vals, size_t n);

static __attribute__((noinline, unused)) wb_status_t wbd_val_to_raw_any(wbh_slot_t *store_slot, wbd_store_t *s,
                                                                      const wb_val_t *v, uint8_t want,
                                                                      const char *what, size_t i,
                                                                      wasmtime_val_raw_t *out) {
  char label[64];
  if (__builtin_expect((uint32_t)v->kind != want, 0)) {
    if (want == WBD_KIND_UNSUPPORTED || want == WB_CONTREF)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s has type %s, which wasmbound cannot pass",
                      wbd_val_label(label, what, i), wbd_kind_name(want));
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s: expected %s, got %s", wbd_val_label(label, what, i),
                    wbd_kind_name(want),
                    (uint32_t)v->kind <= WB_CONTREF ? wbd_kind_name((uint8_t)v->kind) : "an invalid wb_valkind_t");
  }
  switch (want) {
  case WB_I32: out->i32 = v->of.i32; break;
  case WB_I64: out->i64 = v->of.i64; break;
  case WB_F32: out->f32 = v->of.f32; break;
  case WB_F64: out->f64 = v->of.f64; break;
  case WB_V128: memcpy(out->v128, v->of.v128, 16); break;
  case WB_FUNCREF:
  case WB_EXTERNREF:
  case WB_ANYREF:
  case WB_EXNREF: return wbd_ref_to_raw(store_slot, s, v, 0, what, i, out);
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
  case WB_FUNCREF:
  case WB_EXTERNREF:
  case WB_ANYREF:
  case WB_EXNREF: {
    wb_valtype_t t = wbd_valtype_of_kind(kind);
    return wbd_raw_to_val(store_slot, s, r, &t, 0, out);
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
