/* Tables: made by the host or exported by wasm, of any reference element
 * type Wasmtime's C API can carry. Store-bound: the owner thread only.
 *
 * Wasmtime 39's C API has table get/set/grow/size only: fill and copy are
 * loops of get and set here, after a bounds check, so that an out-of-bounds
 * range writes nothing. Its element conversions abort on exnrefs and
 * contrefs (null ones too): tables of those are refused before Wasmtime
 * sees them. Its tabletype limits are 32-bit (wasm_tabletype_limits panics
 * beyond that): they are asked only of 32-bit tables. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

static wb_status_t bound_table(wb_table_t table, wbh_slot_t **ss, wbd_table_t **t) {
  wbh_slot_t *ts;
  wb_status_t st = wbh_bound(table.id, WBH_KIND_TABLE, &ts, ss);
  if (st == WB_OK) *t = ts->obj;
  return st;
}

/* The table's element type, when known (else NULL). */
static const wb_valtype_t *elem_of(const wbd_table_t *t) { return t->elem_known ? &t->type.element : 0; }

/* Refuses tables whose elements Wasmtime's conversions abort on. */
static wb_status_t check_elements(const wbd_table_t *t, const wbd_store_t *s, const char *what) {
  if (t->elem_known && (t->type.element.kind == WB_EXNREF || t->type.element.kind == WB_CONTREF))
    return wbi_fail(WB_ERR_TYPE_MISMATCH,
                    "cannot %s: the table holds %s, which Wasmtime 39's C API cannot read or write (it aborts on them)",
                    what, t->type.element.kind == WB_EXNREF ? "exception references" : "continuation references");
  if (!t->elem_known && !wbd_store_no_exn(s))
    return wbi_fail(WB_ERR_TYPE_MISMATCH,
                    "cannot %s: the table's element type is unknown (a table of unknown origin) and the store's "
                    "modules use exception references, which Wasmtime 39's C API aborts on",
                    what);
  return WB_OK;
}

static wb_status_t out_of_bounds(const char *what, uint64_t index, uint64_t len, uint64_t size) {
  return wbi_fail(WB_ERR_OUT_OF_BOUNDS, "table %s out of bounds: index %llu + %llu elements exceeds the size %llu", what,
                  (unsigned long long)index, (unsigned long long)len, (unsigned long long)size);
}

/* A null value of the table's element type, for NULL init values. */
static wb_status_t null_init(const wbd_table_t *t, const wb_val_t *init, wb_val_t *null_out) {
  if (init) return WB_OK;
  if (!t->elem_known)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "init is NULL, but the table's element type is unknown: pass a null value of its kind");
  memset(null_out, 0, sizeof *null_out);
  null_out->kind = (wb_valkind_t)t->type.element.kind;
  return WB_OK;
}

static bool is_limit_error(const char *msg, size_t len) {
  return memmem(msg, len, "failed to grow table", 20) || memmem(msg, len, "resource limit exceeded", 23) ||
         memmem(msg, len, "exceeds table limits", 20) || memmem(msg, len, "maximum concurrent limit", 24);
}

/* WB_ERR_LIMIT for Wasmtime's limit errors, else `otherwise`. */
static wb_status_t fail_table(wb_status_t otherwise, wasmtime_error_t *err, const char *what) {
  wasm_byte_vec_t msg = {0, 0};
  wasmtime_error_message(err, &msg);
  wb_status_t st = msg.data && is_limit_error(msg.data, msg.size) ? WB_ERR_LIMIT : otherwise;
  wasm_byte_vec_delete(&msg);
  return wbd_fail_error(st, err, "%s", what);
}

wb_status_t wb_table_new(wb_store_t store, const wb_tabletype_t *type, const wb_val_t *init, wb_table_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (!type || !out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL", type ? "out" : "type");
  const wb_valtype_t *e = &type->element;
  bool func = e->kind == WB_FUNCREF && e->heap == WB_HEAP_FUNC, ext = e->kind == WB_EXTERNREF && e->heap == WB_HEAP_EXTERN;
  if (!(func || ext) || !e->nullable)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "Wasmtime 39's C API can make tables of funcref and externref (nullable) "
                                          "only; element kind %u, heap type %u, nullable %u",
                    e->kind, e->heap, e->nullable);
  if (type->is64) return wbi_fail(WB_ERR_TYPE_MISMATCH, "Wasmtime 39's C API cannot make 64-bit tables");
  if (type->min > UINT32_MAX || (type->has_max && (type->max > UINT32_MAX || type->max < type->min)))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "bad table limits: min %llu, max %llu (32-bit, min <= max)",
                    (unsigned long long)type->min, (unsigned long long)type->max);
  wbd_store_t *s = wbd_store_of(ss);
  wb_tabletype_t t = *type;
  t.element = wbd_valtype_of_kind(e->kind);
  wb_val_t null;
  const wb_val_t *v = init;
  if (!v) {
    memset(&null, 0, sizeof null);
    null.kind = (wb_valkind_t)e->kind;
    v = &null;
  }
  wasmtime_val_t val;
  if ((st = wbd_val_to_val(ss, s, v, &t.element, "init value", 0, &val))) return st;
  wasm_limits_t limits = {(uint32_t)t.min, t.has_max ? (uint32_t)t.max : wasm_limits_max_default};
  wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new(func ? WASM_FUNCREF : WASM_EXTERNREF), &limits);
  wasmtime_table_t table;
  wasmtime_error_t *err = wasmtime_table_new(s->ctx, tt, &val, &table);
  wasm_tabletype_delete(tt);
  if (err) return fail_table(WB_ERR_TYPE_MISMATCH, err, "cannot create the table");
  wbd_typeinfo_t ti = {0, 0, 0, &t};
  return wbd_table_handle(ss, &table, &ti, &out->id);
}

wb_status_t wb_table_type(wb_table_t table, wb_tabletype_t *out) {
  wbh_slot_t *ss;
  wbd_table_t *t;
  wb_status_t st = bound_table(table, &ss, &t);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if (!t->typed)
    return wbi_fail(WB_ERR_TYPE_MISMATCH,
                    "the table's type cannot be learned through Wasmtime 39's C API (a table of unknown origin)");
  wbd_store_t *s = wbd_store_of(ss);
  wb_tabletype_t r = t->type;
  r.min = wasmtime_table_size(s->ctx, &t->table);
  if (!r.is64) { /* the table's own maximum (an import's declared one may be looser) */
    wasm_tabletype_t *tt = wasmtime_table_type(s->ctx, &t->table);
    const wasm_limits_t *l = wasm_tabletype_limits(tt);
    if (l->max != wasm_limits_max_default) r.has_max = true, r.max = l->max;
    else if (!(r.has_max && r.max == wasm_limits_max_default)) r.has_max = false, r.max = 0;
    wasm_tabletype_delete(tt);
  }
  *out = r;
  return WB_OK;
}

wb_status_t wb_table_size(wb_table_t table, uint64_t *out) {
  wbh_slot_t *ss;
  wbd_table_t *t;
  wb_status_t st = bound_table(table, &ss, &t);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  *out = wasmtime_table_size(wbd_store_of(ss)->ctx, &t->table);
  return WB_OK;
}

wb_status_t wb_table_get(wb_table_t table, uint64_t index, wb_val_t *out) {
  wbh_slot_t *ss;
  wbd_table_t *t;
  wb_status_t st = bound_table(table, &ss, &t);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_store_t *s = wbd_store_of(ss);
  if ((st = check_elements(t, s, "read the table"))) return st;
  wasmtime_val_t v;
  if (!wasmtime_table_get(s->ctx, &t->table, index, &v))
    return out_of_bounds("get", index, 1, wasmtime_table_size(s->ctx, &t->table));
  wb_val_t r;
  if ((st = wbd_val_from_val(ss, s, &v, elem_of(t), t->info, &r))) return st;
  *out = r;
  return WB_OK;
}

wb_status_t wb_table_set(wb_table_t table, uint64_t index, const wb_val_t *value) {
  wbh_slot_t *ss;
  wbd_table_t *t;
  wb_status_t st = bound_table(table, &ss, &t);
  if (st) return st;
  if (!value) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "value is NULL");
  wbd_store_t *s = wbd_store_of(ss);
  if ((st = check_elements(t, s, "write the table"))) return st;
  uint64_t size = wasmtime_table_size(s->ctx, &t->table);
  if (index >= size) return out_of_bounds("set", index, 1, size);
  wasmtime_val_t v;
  if ((st = wbd_val_to_val(ss, s, value, elem_of(t), "value", 0, &v))) return st;
  wasmtime_error_t *err = wasmtime_table_set(s->ctx, &t->table, index, &v);
  if (err) return wbd_fail_error(WB_ERR_TYPE_MISMATCH, err, "table.set refused");
  return WB_OK;
}

wb_status_t wb_table_grow(wb_table_t table, uint64_t delta, const wb_val_t *init, uint64_t *previous) {
  wbh_slot_t *ss;
  wbd_table_t *t;
  wb_status_t st = bound_table(table, &ss, &t);
  if (st) return st;
  wbd_store_t *s = wbd_store_of(ss);
  if ((st = check_elements(t, s, "grow the table"))) return st;
  wb_val_t null;
  if ((st = null_init(t, init, &null))) return st;
  wasmtime_val_t v;
  if ((st = wbd_val_to_val(ss, s, init ? init : &null, elem_of(t), "init value", 0, &v))) return st;
  uint64_t prev = 0;
  wasmtime_error_t *err = wasmtime_table_grow(s->ctx, &t->table, delta, &v, &prev);
  if (err) return fail_table(WB_ERR_TYPE_MISMATCH, err, "table.grow refused");
  if (previous) *previous = prev;
  return WB_OK;
}

wb_status_t wb_table_fill(wb_table_t table, uint64_t index, const wb_val_t *value, uint64_t len) {
  wbh_slot_t *ss;
  wbd_table_t *t;
  wb_status_t st = bound_table(table, &ss, &t);
  if (st) return st;
  if (!value) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "value is NULL");
  wbd_store_t *s = wbd_store_of(ss);
  if ((st = check_elements(t, s, "fill the table"))) return st;
  uint64_t size = wasmtime_table_size(s->ctx, &t->table);
  if (index > size || len > size - index) return out_of_bounds("fill", index, len, size);
  wasmtime_val_t v;
  if ((st = wbd_val_to_val(ss, s, value, elem_of(t), "value", 0, &v))) return st;
  for (uint64_t i = 0; i < len; i++) {
    wasmtime_error_t *err = wasmtime_table_set(s->ctx, &t->table, index + i, &v);
    if (err) return wbd_fail_error(WB_ERR_TYPE_MISMATCH, err, "table fill refused at element %llu",
                                   (unsigned long long)(index + i));
  }
  return WB_OK;
}

/* Whether every value of type `from` is a value of type `to` (as far as
 * wasmbound can tell without Wasmtime: equal types, or `to` the nullable
 * top of the same hierarchy). */
static bool elements_fit(const wbd_table_t *from, const wbd_table_t *to) {
  const wb_valtype_t *a = &from->type.element, *b = &to->type.element;
  if (a->kind != b->kind) return false;
  if (a->nullable && !b->nullable) return false;
  wb_valtype_t top = wbd_valtype_of_kind(b->kind);
  if (b->nullable && b->heap == top.heap) return true;
  if (a->heap != b->heap) return false;
  if (a->heap >= WB_HEAP_CONCRETE_FUNC) return from->info == to->info && a->type_index == b->type_index;
  return true;
}

wb_status_t wb_table_copy(wb_table_t dst, uint64_t dst_index, wb_table_t src, uint64_t src_index, uint64_t len) {
  wbh_slot_t *ss, *sss;
  wbd_table_t *d, *sr;
  wb_status_t st = bound_table(dst, &ss, &d);
  if (st) return wbi_fail_prefix(st, "dst: ");
  if ((st = bound_table(src, &sss, &sr))) return wbi_fail_prefix(st, "src: ");
  if (ss != sss) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the tables are of different stores");
  wbd_store_t *s = wbd_store_of(ss);
  if ((st = check_elements(d, s, "copy into the table")) || (st = check_elements(sr, s, "copy from the table")))
    return st;
  if (d != sr && (!d->elem_known || !sr->elem_known || !elements_fit(sr, d)))
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the source table's elements do not fit the destination's element type "
                                          "(or their types are not known)");
  uint64_t dsize = wasmtime_table_size(s->ctx, &d->table), ssize = wasmtime_table_size(s->ctx, &sr->table);
  if (dst_index > dsize || len > dsize - dst_index) return out_of_bounds("copy (destination)", dst_index, len, dsize);
  if (src_index > ssize || len > ssize - src_index) return out_of_bounds("copy (source)", src_index, len, ssize);
  /* as memmove: backwards when the destination overlaps the source's end */
  bool backwards = d == sr && dst_index > src_index;
  for (uint64_t k = 0; k < len; k++) {
    uint64_t i = backwards ? len - 1 - k : k;
    wasmtime_val_t v;
    if (!wasmtime_table_get(s->ctx, &sr->table, src_index + i, &v))
      return out_of_bounds("copy (source)", src_index + i, 1, ssize);
    wasmtime_error_t *err = wasmtime_table_set(s->ctx, &d->table, dst_index + i, &v);
    wasmtime_val_unroot(&v);
    if (err) return wbd_fail_error(WB_ERR_TYPE_MISMATCH, err, "table copy refused at element %llu",
                                   (unsigned long long)(dst_index + i));
  }
  return WB_OK;
}
