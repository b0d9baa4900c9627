/* WIT types: built once from Wasmtime's type objects into plain C trees
 * (wbc_type_t) that the value checks walk without calling Wasmtime, and
 * their text. Also the arena everything here is allocated from. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"

/* ---- arenas ------------------------------------------------------------------ */

struct wbc_chunk {
  wbc_chunk_t *next;
  size_t cap;
  _Alignas(16) unsigned char data[];
};

void *wbc_arena_alloc(wbc_arena_t *a, size_t size) {
  size = (size + 15) & ~(size_t)15;
  if (!a->head || a->cap - a->used < size) {
    size_t cap = a->head ? a->head->cap * 2 : 1024;
    if (cap > 1u << 20) cap = 1u << 20;
    if (cap < size) cap = size;
    wbc_chunk_t *c = malloc(sizeof *c + cap);
    if (!c) return 0;
    c->next = a->head;
    c->cap = cap;
    a->head = c;
    a->cap = cap;
    a->used = 0;
  }
  void *p = a->head->data + a->used;
  a->used += size;
  return p;
}

char *wbc_arena_strndup(wbc_arena_t *a, const char *s, size_t len) {
  char *p = wbc_arena_alloc(a, len + 1);
  if (!p) return 0;
  if (len) memcpy(p, s, len);
  p[len] = 0;
  return p;
}

void wbc_arena_free(wbc_arena_t *a) {
  for (wbc_chunk_t *c = a->head, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  a->head = 0;
  a->used = a->cap = 0;
}

wbc_arena_mark_t wbc_arena_mark(const wbc_arena_t *a) { return (wbc_arena_mark_t){a->head, a->used}; }

void wbc_arena_reset(wbc_arena_t *a, wbc_arena_mark_t m) {
  while (a->head && a->head != m.head) {
    wbc_chunk_t *next = a->head->next;
    free(a->head);
    a->head = next;
  }
  a->used = a->head ? m.used : 0;
  a->cap = a->head ? a->head->cap : 0;
}

/* ---- text ------------------------------------------------------------------------- */

void wbc_buf_puts(wbc_buf_t *b, const char *s) { wbc_buf_printf(b, "%s", s); }

void wbc_buf_printf(wbc_buf_t *b, const char *fmt, ...) {
  if (b->failed) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data ? b->data + b->len : 0, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = true;
      return;
    }
    if ((size_t)n < room) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = b->cap ? b->cap * 2 : 128;
    while (cap - b->len <= (size_t)n) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
      b->failed = true;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
}

const char *wbc_kind_name(uint8_t kind) {
  static const char *const names[] = {"bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32",
                                      "f64", "char", "string", "list", "list<u8>", "record", "tuple", "variant",
                                      "enum", "option", "result", "flags", "own", "borrow"};
  return kind <= WB_CVAL_BORROW ? names[kind] : "an invalid wb_cval_kind_t";
}

void wbc_type_text(wbc_buf_t *b, const wbc_type_t *t) {
  switch (t->kind) {
  case WB_CVAL_LIST:
    wbc_buf_puts(b, "list<");
    wbc_type_text(b, t->elem);
    wbc_buf_puts(b, ">");
    break;
  case WB_CVAL_OPTION:
    wbc_buf_puts(b, "option<");
    wbc_type_text(b, t->elem);
    wbc_buf_puts(b, ">");
    break;
  case WB_CVAL_RESULT:
    if (!t->items[0] && !t->items[1]) {
      wbc_buf_puts(b, "result");
      break;
    }
    wbc_buf_puts(b, "result<");
    if (t->items[0]) wbc_type_text(b, t->items[0]);
    else wbc_buf_puts(b, "_");
    if (t->items[1]) {
      wbc_buf_puts(b, ", ");
      wbc_type_text(b, t->items[1]);
    }
    wbc_buf_puts(b, ">");
    break;
  case WB_CVAL_TUPLE:
    wbc_buf_puts(b, "tuple<");
    for (uint32_t i = 0; i < t->n; i++) {
      if (i) wbc_buf_puts(b, ", ");
      wbc_type_text(b, t->items[i]);
    }
    wbc_buf_puts(b, ">");
    break;
  case WB_CVAL_RECORD:
    wbc_buf_puts(b, "record { ");
    for (uint32_t i = 0; i < t->n; i++) {
      wbc_buf_printf(b, "%s%s: ", i ? ", " : "", t->names[i]);
      wbc_type_text(b, t->items[i]);
    }
    wbc_buf_puts(b, " }");
    break;
  case WB_CVAL_VARIANT:
    wbc_buf_puts(b, "variant { ");
    for (uint32_t i = 0; i < t->n; i++) {
      wbc_buf_printf(b, "%s%s", i ? ", " : "", t->names[i]);
      if (t->items[i]) {
        wbc_buf_puts(b, "(");
        wbc_type_text(b, t->items[i]);
        wbc_buf_puts(b, ")");
      }
    }
    wbc_buf_puts(b, " }");
    break;
  case WB_CVAL_ENUM:
  case WB_CVAL_FLAGS:
    wbc_buf_puts(b, t->kind == WB_CVAL_ENUM ? "enum { " : "flags { ");
    for (uint32_t i = 0; i < t->n; i++) wbc_buf_printf(b, "%s%s", i ? ", " : "", t->names[i]);
    wbc_buf_puts(b, " }");
    break;
  case WB_CVAL_OWN:
  case WB_CVAL_BORROW:
    wbc_buf_puts(b, t->kind == WB_CVAL_OWN ? "own<resource>" : "borrow<resource>");
    break;
  default:
    wbc_buf_puts(b, wbc_kind_name(t->kind));
  }
}

/* ---- building types -------------------------------------------------------------- */

/* The status of the last failed build on this thread (build sets the error). */
static __thread wb_status_t build_status;
static const wbc_type_t *build(wbc_arena_t *a, const wasmtime_component_valtype_t *t, uint32_t *res, int depth);

static const wbc_type_t *scalar(uint8_t kind) {
  /* one shared, immutable node per scalar kind */
  static wbc_type_t nodes[WB_CVAL_STRING + 1];
  static int init;
  if (!__atomic_load_n(&init, __ATOMIC_ACQUIRE)) {
    for (uint8_t k = 0; k <= WB_CVAL_STRING; k++) nodes[k].kind = k; /* idempotent: races write the same */
    __atomic_store_n(&init, 1, __ATOMIC_RELEASE);
  }
  return &nodes[kind];
}

static wbc_type_t *node(wbc_arena_t *a, uint8_t kind, uint32_t n, bool with_items, bool with_names) {
  wbc_type_t *t = wbc_arena_alloc(a, sizeof *t);
  if (!t) return 0;
  memset(t, 0, sizeof *t);
  t->kind = kind;
  t->n = n;
  if (with_items && n) {
    if (!(t->items = wbc_arena_alloc(a, n * sizeof *t->items))) return 0;
    memset(t->items, 0, n * sizeof *t->items);
  }
  if (with_names && n) {
    if (!(t->names = wbc_arena_alloc(a, n * sizeof *t->names))) return 0;
    memset(t->names, 0, n * sizeof *t->names);
  }
  return t;
}

/* A child type Wasmtime hands out as an owned value: built, then deleted. */
static const wbc_type_t *child(wbc_arena_t *a, wasmtime_component_valtype_t *vt, uint32_t *res, int depth) {
  const wbc_type_t *t = build(a, vt, res, depth + 1);
  wasmtime_component_valtype_delete(vt);
  return t;
}

static bool any_resource(const wbc_type_t *t) { return t && t->has_resource; }

static const wbc_type_t *build(wbc_arena_t *a, const wasmtime_component_valtype_t *t, uint32_t *res, int depth) {
  if (depth > WBC_MAX_DEPTH) {
    build_status = wbi_fail(WB_ERR_TYPE_MISMATCH, "a type nests deeper than %d levels", WBC_MAX_DEPTH);
    return 0;
  }
  wbc_type_t *n = 0;
  wasmtime_component_valtype_t vt;
  switch (t->kind) {
  case WASMTIME_COMPONENT_VALTYPE_BOOL: return scalar(WB_CVAL_BOOL);
  case WASMTIME_COMPONENT_VALTYPE_S8: return scalar(WB_CVAL_S8);
  case WASMTIME_COMPONENT_VALTYPE_S16: return scalar(WB_CVAL_S16);
  case WASMTIME_COMPONENT_VALTYPE_S32: return scalar(WB_CVAL_S32);
  case WASMTIME_COMPONENT_VALTYPE_S64: return scalar(WB_CVAL_S64);
  case WASMTIME_COMPONENT_VALTYPE_U8: return scalar(WB_CVAL_U8);
  case WASMTIME_COMPONENT_VALTYPE_U16: return scalar(WB_CVAL_U16);
  case WASMTIME_COMPONENT_VALTYPE_U32: return scalar(WB_CVAL_U32);
  case WASMTIME_COMPONENT_VALTYPE_U64: return scalar(WB_CVAL_U64);
  case WASMTIME_COMPONENT_VALTYPE_F32: return scalar(WB_CVAL_F32);
  case WASMTIME_COMPONENT_VALTYPE_F64: return scalar(WB_CVAL_F64);
  case WASMTIME_COMPONENT_VALTYPE_CHAR: return scalar(WB_CVAL_CHAR);
  case WASMTIME_COMPONENT_VALTYPE_STRING: return scalar(WB_CVAL_STRING);
  case WASMTIME_COMPONENT_VALTYPE_LIST: {
    if (!(n = node(a, WB_CVAL_LIST, 0, false, false))) break;
    wasmtime_component_list_type_element(t->of.list, &vt);
    if (!(n->elem = child(a, &vt, res, depth))) return 0;
    n->is_bytes = n->elem->kind == WB_CVAL_U8;
    n->has_resource = any_resource(n->elem);
    return n;
  }
  case WASMTIME_COMPONENT_VALTYPE_OPTION: {
    if (!(n = node(a, WB_CVAL_OPTION, 0, false, false))) break;
    wasmtime_component_option_type_ty(t->of.option, &vt);
    if (!(n->elem = child(a, &vt, res, depth))) return 0;
    n->has_resource = any_resource(n->elem);
    return n;
  }
  case WASMTIME_COMPONENT_VALTYPE_RESULT: {
    if (!(n = node(a, WB_CVAL_RESULT, 2, true, false))) break;
    if (wasmtime_component_result_type_ok(t->of.result, &vt) && !(n->items[0] = child(a, &vt, res, depth))) return 0;
    if (wasmtime_component_result_type_err(t->of.result, &vt) && !(n->items[1] = child(a, &vt, res, depth)))
      return 0;
    n->has_resource = any_resource(n->items[0]) || any_resource(n->items[1]);
    return n;
  }
  case WASMTIME_COMPONENT_VALTYPE_TUPLE: {
    size_t count = wasmtime_component_tuple_type_types_count(t->of.tuple);
    if (!(n = node(a, WB_CVAL_TUPLE, (uint32_t)count, true, false))) break;
    for (size_t i = 0; i < count; i++) {
      if (!wasmtime_component_tuple_type_types_nth(t->of.tuple, i, &vt)) goto bad;
      if (!(n->items[i] = child(a, &vt, res, depth))) return 0;
      n->has_resource |= any_resource(n->items[i]);
    }
    return n;
  }
  case WASMTIME_COMPONENT_VALTYPE_RECORD: {
    size_t count = wasmtime_component_record_type_field_count(t->of.record);
    if (!(n = node(a, WB_CVAL_RECORD, (uint32_t)count, true, true))) break;
    for (size_t i = 0; i < count; i++) {
      const char *name;
      size_t len;
      if (!wasmtime_component_record_type_field_nth(t->of.record, i, &name, &len, &vt)) goto bad;
      if (!(n->names[i] = wbc_arena_strndup(a, name, len))) {
        wasmtime_component_valtype_delete(&vt);
        break;
      }
      if (!(n->items[i] = child(a, &vt, res, depth))) return 0;
      n->has_resource |= any_resource(n->items[i]);
    }
    if (n->n && !n->names[n->n - 1]) break;
    return n;
  }
  case WASMTIME_COMPONENT_VALTYPE_VARIANT: {
    size_t count = wasmtime_component_variant_type_case_count(t->of.variant);
    if (!(n = node(a, WB_CVAL_VARIANT, (uint32_t)count, true, true))) break;
    for (size_t i = 0; i < count; i++) {
      const char *name;
      size_t len;
      bool has_payload = false;
      if (!wasmtime_component_variant_type_case_nth(t->of.variant, i, &name, &len, &has_payload, &vt)) goto bad;
      n->names[i] = wbc_arena_strndup(a, name, len);
      if (has_payload) {
        if (!n->names[i]) {
          wasmtime_component_valtype_delete(&vt);
          n = 0;
          break;
        }
        if (!(n->items[i] = child(a, &vt, res, depth))) return 0;
        n->has_resource |= any_resource(n->items[i]);
      } else {
        n->items[i] = 0;
        if (!n->names[i]) {
          n = 0;
          break;
        }
      }
    }
    if (!n) break;
    return n;
  }
  case WASMTIME_COMPONENT_VALTYPE_ENUM:
  case WASMTIME_COMPONENT_VALTYPE_FLAGS: {
    bool is_enum = t->kind == WASMTIME_COMPONENT_VALTYPE_ENUM;
    size_t count = is_enum ? wasmtime_component_enum_type_names_count(t->of.enum_)
                           : wasmtime_component_flags_type_names_count(t->of.flags);
    if (!is_enum && count > 64) {
      build_status = wbi_fail(WB_ERR_TYPE_MISMATCH, "a flags type with %zu flags (wasmbound passes at most 64)", count);
      return 0;
    }
    if (!(n = node(a, is_enum ? WB_CVAL_ENUM : WB_CVAL_FLAGS, (uint32_t)count, false, true))) break;
    for (size_t i = 0; i < count; i++) {
      const char *name;
      size_t len;
      bool ok = is_enum ? wasmtime_component_enum_type_names_nth(t->of.enum_, i, &name, &len)
                        : wasmtime_component_flags_type_names_nth(t->of.flags, i, &name, &len);
      if (!ok) goto bad;
      if (!(n->names[i] = wbc_arena_strndup(a, name, len))) return 0;
    }
    return n;
  }
  case WASMTIME_COMPONENT_VALTYPE_OWN:
  case WASMTIME_COMPONENT_VALTYPE_BORROW:
    if (!(n = node(a, t->kind == WASMTIME_COMPONENT_VALTYPE_OWN ? WB_CVAL_OWN : WB_CVAL_BORROW, 0, false, false)))
      break;
    n->res_index = (*res)++;
    n->has_resource = true;
    return n;
  case WASMTIME_COMPONENT_VALTYPE_FUTURE:
  case WASMTIME_COMPONENT_VALTYPE_STREAM:
  case WASMTIME_COMPONENT_VALTYPE_ERROR_CONTEXT:
    build_status = wbi_fail(WB_ERR_TYPE_MISMATCH, "the type uses %s, which wasmbound cannot pass (component-model async)",
             t->kind == WASMTIME_COMPONENT_VALTYPE_FUTURE   ? "future"
             : t->kind == WASMTIME_COMPONENT_VALTYPE_STREAM ? "stream"
                                                            : "error-context");
    return 0;
  default:
  bad:
    build_status = wbi_fail(WB_ERR_TYPE_MISMATCH, "a component type of kind %d that wasmbound does not know", (int)t->kind);
    return 0;
  }
  build_status = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a component type");
  return 0;
}

const wbc_type_t *wbc_type_build(wbc_arena_t *a, const wasmtime_component_valtype_t *t, uint32_t *res_count) {
  return build(a, t, res_count, 0);
}

static bool is_flat(const wbc_type_t *t) { return t->kind <= WB_CVAL_STRING; }

uint8_t wbc_wasmtime_kind(uint8_t cval_kind) {
  static const uint8_t kinds[] = {WASMTIME_COMPONENT_BOOL, WASMTIME_COMPONENT_S8,  WASMTIME_COMPONENT_U8,
                                  WASMTIME_COMPONENT_S16,  WASMTIME_COMPONENT_U16, WASMTIME_COMPONENT_S32,
                                  WASMTIME_COMPONENT_U32,  WASMTIME_COMPONENT_S64, WASMTIME_COMPONENT_U64,
                                  WASMTIME_COMPONENT_F32,  WASMTIME_COMPONENT_F64, WASMTIME_COMPONENT_CHAR,
                                  WASMTIME_COMPONENT_STRING};
  return cval_kind <= WB_CVAL_STRING ? kinds[cval_kind] : 0xFF;
}

wb_status_t wbc_functype_build(wbc_arena_t *a, const wasmtime_component_func_type_t *t, wbc_functype_t *ft) {
  memset(ft, 0, sizeof *ft);
  size_t np = wasmtime_component_func_type_param_count(t);
  if (np > 1000) return wbi_fail(WB_ERR_TYPE_MISMATCH, "a function with %zu parameters", np);
  ft->nparams = (uint32_t)np;
  ft->params = wbc_arena_alloc(a, (np ? np : 1) * sizeof *ft->params);
  ft->param_names = wbc_arena_alloc(a, (np ? np : 1) * sizeof *ft->param_names);
  if (!ft->params || !ft->param_names) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a function type");
  ft->flat = true;
  for (size_t i = 0; i < np; i++) {
    const char *name;
    size_t len;
    wasmtime_component_valtype_t vt;
    if (!wasmtime_component_func_type_param_nth(t, i, &name, &len, &vt))
      return wbi_fail(WB_ERR_INTERNAL, "Wasmtime lists %zu parameters but has no parameter %zu", np, i);
    ft->param_names[i] = wbc_arena_strndup(a, name, len);
    ft->params[i] = wbc_type_build(a, &vt, &ft->nresources);
    wasmtime_component_valtype_delete(&vt);
    if (!ft->params[i]) return build_status;
    if (!ft->param_names[i]) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a function type");
    ft->flat &= is_flat(ft->params[i]);
    ft->has_resource |= ft->params[i]->has_resource;
  }
  wasmtime_component_valtype_t rt;
  if (wasmtime_component_func_type_result(t, &rt)) {
    ft->result = wbc_type_build(a, &rt, &ft->nresources);
    wasmtime_component_valtype_delete(&rt);
    if (!ft->result) return build_status;
    ft->flat &= is_flat(ft->result);
    ft->has_resource |= ft->result->has_resource;
  }
  ft->fast_nparams = ft->flat && ft->nparams <= 16 ? ft->nparams : SIZE_MAX;
  for (uint32_t i = 0; ft->fast_nparams != SIZE_MAX && i < ft->nparams; i++)
    ft->fast_kinds[i] = wbc_wasmtime_kind(ft->params[i]->kind);
  wbc_buf_t b = {0};
  wbc_buf_puts(&b, "func(");
  for (uint32_t i = 0; i < ft->nparams; i++) {
    wbc_buf_printf(&b, "%s%s: ", i ? ", " : "", ft->param_names[i]);
    wbc_type_text(&b, ft->params[i]);
  }
  wbc_buf_puts(&b, ")");
  if (ft->result) {
    wbc_buf_puts(&b, " -> ");
    wbc_type_text(&b, ft->result);
  }
  ft->text = b.failed ? 0 : wbc_arena_strndup(a, b.data, b.len);
  free(b.data);
  if (!ft->text) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a function type");
  return WB_OK;
}

/* ---- resource types of a function, as an instance sees them ------------------------ */

/* Mirrors build's order (params, then the result; depth first; list and
 * option elements, result ok then err, members, fields and payloads in
 * order): the n-th own/borrow met here is res_index n there. */
static void collect(const wasmtime_component_valtype_t *t, wasmtime_component_resource_type_t **out, uint32_t *n,
                    uint32_t max) {
  wasmtime_component_valtype_t vt;
  switch (t->kind) {
  case WASMTIME_COMPONENT_VALTYPE_LIST:
    wasmtime_component_list_type_element(t->of.list, &vt);
    collect(&vt, out, n, max);
    wasmtime_component_valtype_delete(&vt);
    break;
  case WASMTIME_COMPONENT_VALTYPE_OPTION:
    wasmtime_component_option_type_ty(t->of.option, &vt);
    collect(&vt, out, n, max);
    wasmtime_component_valtype_delete(&vt);
    break;
  case WASMTIME_COMPONENT_VALTYPE_RESULT:
    if (wasmtime_component_result_type_ok(t->of.result, &vt)) {
      collect(&vt, out, n, max);
      wasmtime_component_valtype_delete(&vt);
    }
    if (wasmtime_component_result_type_err(t->of.result, &vt)) {
      collect(&vt, out, n, max);
      wasmtime_component_valtype_delete(&vt);
    }
    break;
  case WASMTIME_COMPONENT_VALTYPE_TUPLE:
    for (size_t i = 0; wasmtime_component_tuple_type_types_nth(t->of.tuple, i, &vt); i++) {
      collect(&vt, out, n, max);
      wasmtime_component_valtype_delete(&vt);
    }
    break;
  case WASMTIME_COMPONENT_VALTYPE_RECORD: {
    const char *name;
    size_t len;
    for (size_t i = 0; wasmtime_component_record_type_field_nth(t->of.record, i, &name, &len, &vt); i++) {
      collect(&vt, out, n, max);
      wasmtime_component_valtype_delete(&vt);
    }
    break;
  }
  case WASMTIME_COMPONENT_VALTYPE_VARIANT: {
    const char *name;
    size_t len;
    bool has = false;
    for (size_t i = 0; wasmtime_component_variant_type_case_nth(t->of.variant, i, &name, &len, &has, &vt); i++)
      if (has) {
        collect(&vt, out, n, max);
        wasmtime_component_valtype_delete(&vt);
      }
    break;
  }
  case WASMTIME_COMPONENT_VALTYPE_OWN:
  case WASMTIME_COMPONENT_VALTYPE_BORROW:
    if (*n < max)
      out[*n] = wasmtime_component_resource_type_clone(t->kind == WASMTIME_COMPONENT_VALTYPE_OWN ? t->of.own
                                                                                                 : t->of.borrow);
    (*n)++;
    break;
  default:
    break;
  }
}

uint32_t wbc_collect_restypes(const wasmtime_component_func_type_t *t, wasmtime_component_resource_type_t **out,
                              uint32_t max) {
  uint32_t n = 0;
  wasmtime_component_valtype_t vt;
  const char *name;
  size_t len;
  for (size_t i = 0; wasmtime_component_func_type_param_nth(t, i, &name, &len, &vt); i++) {
    collect(&vt, out, &n, max);
    wasmtime_component_valtype_delete(&vt);
  }
  if (wasmtime_component_func_type_result(t, &vt)) {
    collect(&vt, out, &n, max);
    wasmtime_component_valtype_delete(&vt);
  }
  return n;
}
