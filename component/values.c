/* Component values: checking wb_cval_t against WIT types and converting
 * between them and Wasmtime's wasmtime_component_val_t, in both directions.
 *
 * Wasmtime aborts the process on invalid UTF-8 or chars in values the host
 * gives it, and type-checks arguments only after it has entered the
 * instance (a mistake poisons the instance). So every value the host gives
 * is checked here completely first: kinds, counts, UTF-8, chars, flags,
 * cases, payloads, record field names and every resource handle.
 *
 * Argument values point at the caller's memory (strings are not copied:
 * Wasmtime copies what it reads) and at arrays in a per-call arena, and are
 * never handed to Wasmtime's destructors. Host function results are built
 * with Wasmtime's own allocators, because Wasmtime frees them. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "component.h"

/* ---- UTF-8 and chars ------------------------------------------------------------ */

int wbc_utf8_valid(const char *str, size_t len, size_t *bad) {
  const unsigned char *p = (const unsigned char *)str, *end = p + len;
  while (p < end) {
    /* ASCII, 64 bytes at a time (SSE2, the x86-64 baseline), then 8 */
#if defined(__SSE2__)
    while (end - p >= 64) {
      __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
      __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
      __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
      __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
      if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)))) break;
      p += 64;
    }
#endif
    while (end - p >= 8) {
      uint64_t w;
      memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p >= end) break;
    unsigned c = *p;
    if (c < 0x80) {
      p++;
      continue;
    }
    size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!n || (size_t)(end - p) < n) goto fail;
    for (size_t i = 1; i < n; i++)
      if ((p[i] & 0xC0) != 0x80) goto fail;
    if (n == 2 && c < 0xC2) goto fail;                 /* overlong */
    if (n == 3 && c == 0xE0 && p[1] < 0xA0) goto fail; /* overlong */
    if (n == 3 && c == 0xED && p[1] >= 0xA0) goto fail; /* surrogate */
    if (n == 4 && (c > 0xF4 || (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) goto fail;
    p += n;
  }
  return 1;
fail:
  *bad = (size_t)(p - (const unsigned char *)str);
  return 0;
}

static inline bool valid_char(uint32_t c) { return c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF); }

static wb_status_t check_string(const char *data, size_t len, const char *what) {
  if (__builtin_expect(!data && len, 0))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL with a length of %zu", what, len);
  size_t bad;
  if (__builtin_expect(!wbc_utf8_valid(data, len, &bad), 0))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is not valid UTF-8 (bad byte at offset %zu)", what, bad);
  return WB_OK;
}

static wb_status_t fail_kind(const wbc_type_t *t, const wb_cval_t *v) {
  wbc_buf_t b = {0};
  wbc_type_text(&b, t);
  wb_status_t st = wbi_fail(WB_ERR_TYPE_MISMATCH, "expected %s, got %s", b.failed ? wbc_kind_name(t->kind) : b.data,
                            wbc_kind_name((uint8_t)((uint32_t)v->kind <= WB_CVAL_BORROW ? v->kind : 0xFF)));
  free(b.data);
  return st;
}

/* A case given by name or index: its index in t, or a failure. */
static wb_status_t case_of(const wbc_type_t *t, const wb_cval_t *v, uint32_t *out) {
  const char *what = t->kind == WB_CVAL_ENUM ? "enum" : "variant";
  if (v->of.choice.name) {
    size_t len;
    if (check_string(v->of.choice.name, strnlen(v->of.choice.name, 65536), "the case name")) return WB_ERR_INVALID_ARGUMENT;
    len = strlen(v->of.choice.name);
    for (uint32_t i = 0; i < t->n; i++)
      if (strlen(t->names[i]) == len && memcmp(t->names[i], v->of.choice.name, len) == 0) {
        *out = i;
        return WB_OK;
      }
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the %s has no case \"%s\"", what, v->of.choice.name);
  }
  if (v->of.choice.index >= t->n)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "case index %u is out of range (the %s has %u cases)", v->of.choice.index,
                    what, t->n);
  *out = v->of.choice.index;
  return WB_OK;
}

/* ---- checking a value ---------------------------------------------------------------- */

typedef struct check_ctx {
  wbd_store_t *s;
  wasmtime_component_resource_type_t *const *restypes;
  uint64_t mark;             /* resources seen in this value set */
  bool own_allowed_from_borrow; /* never: kept for clarity */
  /* own resources passed (to retire once Wasmtime took them) */
  wbc_resource_t **owned;
  uint32_t nowned, owned_cap;
  wbc_arena_t *a;
} check_ctx_t;

static wb_status_t check(check_ctx_t *cx, const wbc_type_t *t, const wb_cval_t *v, int depth);

static wb_status_t check_items(check_ctx_t *cx, const wbc_type_t *t, const wb_cval_t *items, size_t n,
                               const char *what, int depth) {
  if (n && !items) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the %s's items are NULL with a count of %zu", what, n);
  for (size_t i = 0; i < n; i++) {
    wb_status_t st = check(cx, t->kind == WB_CVAL_LIST ? t->elem : t->items[i], &items[i], depth + 1);
    if (st) {
      char prefix[160];
      if (t->kind == WB_CVAL_RECORD) snprintf(prefix, sizeof prefix, "field \"%s\": ", t->names[i]);
      else snprintf(prefix, sizeof prefix, "%s %zu: ", t->kind == WB_CVAL_LIST ? "element" : "member", i);
      return wbi_fail_prefix(st, prefix);
    }
  }
  return WB_OK;
}

static wb_status_t check_resource(check_ctx_t *cx, const wbc_type_t *t, const wb_cval_t *v) {
  wbc_resource_t *r;
  wb_status_t st = wbc_resource_get(v->of.resource.id, cx->s, &r);
  if (st) return st;
  if (t->kind == WB_CVAL_OWN && !r->owned)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the resource handle is a borrow, which cannot be passed as own");
  if (cx->restypes && cx->restypes[t->res_index] && !wasmtime_component_resource_type_equal(cx->restypes[t->res_index], r->ty))
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the resource is of another resource type than the %s expects",
                    t->kind == WB_CVAL_OWN ? "own" : "borrow");
  if (r->mark == cx->mark) {
    if (r->marked_own || t->kind == WB_CVAL_OWN)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "the resource is passed twice, once as own (an own resource moves to the callee, so it "
                      "cannot also be passed again)");
  } else {
    r->mark = cx->mark;
    r->marked_own = false;
  }
  if (t->kind == WB_CVAL_OWN) {
    r->marked_own = true;
    if (cx->nowned == cx->owned_cap) {
      uint32_t cap = cx->owned_cap ? cx->owned_cap * 2 : 8;
      wbc_resource_t **o = wbc_arena_alloc(cx->a, cap * sizeof *o);
      if (!o) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
      if (cx->nowned) memcpy(o, cx->owned, cx->nowned * sizeof *o);
      cx->owned = o;
      cx->owned_cap = cap;
    }
    cx->owned[cx->nowned++] = r;
  }
  return WB_OK;
}

static wb_status_t check(check_ctx_t *cx, const wbc_type_t *t, const wb_cval_t *v, int depth) {
  if (depth > WBC_MAX_DEPTH) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the value nests deeper than %d levels", WBC_MAX_DEPTH);
  uint32_t k = (uint32_t)v->kind;
  if (t->is_bytes && k == WB_CVAL_BYTES) {
    if (v->of.bytes.len && !v->of.bytes.data)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the bytes are NULL with a length of %zu", v->of.bytes.len);
    if (v->of.bytes.len > WBC_MAX_LIST)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT, "a list of %zu elements is longer than wasmbound passes (%zu)",
                      v->of.bytes.len, WBC_MAX_LIST);
    return WB_OK;
  }
  if (k != t->kind) return fail_kind(t, v);
  switch (t->kind) {
  case WB_CVAL_CHAR:
    if (!valid_char(v->of.ch))
      return wbi_fail(WB_ERR_INVALID_ARGUMENT, "char 0x%X is not a Unicode scalar value (a surrogate or above U+10FFFF)",
                      v->of.ch);
    return WB_OK;
  case WB_CVAL_STRING: return check_string(v->of.str.data, v->of.str.len, "the string");
  case WB_CVAL_LIST:
    if (v->of.list.len > WBC_MAX_LIST)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT, "a list of %zu elements is longer than wasmbound passes (%zu)",
                      v->of.list.len, WBC_MAX_LIST);
    return check_items(cx, t, v->of.list.items, v->of.list.len, "list", depth);
  case WB_CVAL_TUPLE:
  case WB_CVAL_RECORD: {
    const char *what = t->kind == WB_CVAL_TUPLE ? "tuple" : "record";
    if (v->of.list.len != t->n)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "the %s has %u %s, got %zu", what, t->n,
                      t->kind == WB_CVAL_TUPLE ? "members" : "fields", v->of.list.len);
    if (t->kind == WB_CVAL_RECORD && v->of.list.names)
      for (uint32_t i = 0; i < t->n; i++) {
        const char *name = v->of.list.names[i];
        if (name && strcmp(name, t->names[i]) != 0) {
          size_t bad;
          if (!wbc_utf8_valid(name, strnlen(name, 65536), &bad))
            return wbi_fail(WB_ERR_INVALID_ARGUMENT, "record field name %u is not valid UTF-8", i);
          return wbi_fail(WB_ERR_TYPE_MISMATCH, "record field %u is \"%s\", not \"%.200s\" (fields go in WIT order)",
                          i, t->names[i], name);
        }
      }
    return check_items(cx, t, v->of.list.items, v->of.list.len, what, depth);
  }
  case WB_CVAL_VARIANT: {
    uint32_t c;
    wb_status_t st = case_of(t, v, &c);
    if (st) return st;
    const wbc_type_t *pt = t->items[c];
    if (!pt) {
      if (v->of.choice.payload)
        return wbi_fail(WB_ERR_TYPE_MISMATCH, "variant case \"%s\" has no payload, but one was given", t->names[c]);
      return WB_OK;
    }
    if (!v->of.choice.payload)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "variant case \"%s\" needs a payload, but none was given", t->names[c]);
    st = check(cx, pt, v->of.choice.payload, depth + 1);
    if (st) {
      char prefix[160];
      snprintf(prefix, sizeof prefix, "variant case \"%s\": ", t->names[c]);
      return wbi_fail_prefix(st, prefix);
    }
    return WB_OK;
  }
  case WB_CVAL_ENUM: {
    uint32_t c;
    return case_of(t, v, &c);
  }
  case WB_CVAL_OPTION:
    if (v->of.choice.index > 1)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "option index %u is neither 0 (none) nor 1 (some)", v->of.choice.index);
    if (v->of.choice.index == 0) {
      if (v->of.choice.payload) return wbi_fail(WB_ERR_TYPE_MISMATCH, "option none (index 0) with a payload");
      return WB_OK;
    }
    if (!v->of.choice.payload) return wbi_fail(WB_ERR_TYPE_MISMATCH, "option some (index 1) without a payload");
    {
      wb_status_t st = check(cx, t->elem, v->of.choice.payload, depth + 1);
      return st ? wbi_fail_prefix(st, "option some: ") : WB_OK;
    }
  case WB_CVAL_RESULT: {
    if (v->of.choice.index > 1)
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "result index %u is neither 0 (ok) nor 1 (err)", v->of.choice.index);
    const wbc_type_t *pt = t->items[v->of.choice.index];
    const char *side = v->of.choice.index ? "err" : "ok";
    if (!pt) {
      if (v->of.choice.payload) return wbi_fail(WB_ERR_TYPE_MISMATCH, "result %s has no payload, but one was given", side);
      return WB_OK;
    }
    if (!v->of.choice.payload) return wbi_fail(WB_ERR_TYPE_MISMATCH, "result %s needs a payload, but none was given", side);
    wb_status_t st = check(cx, pt, v->of.choice.payload, depth + 1);
    if (st) return wbi_fail_prefix(st, v->of.choice.index ? "result err: " : "result ok: ");
    return WB_OK;
  }
  case WB_CVAL_FLAGS:
    if (t->n < 64 && (v->of.flags >> t->n))
      return wbi_fail(WB_ERR_TYPE_MISMATCH, "flags 0x%llx set bits beyond the type's %u flags",
                      (unsigned long long)v->of.flags, t->n);
    return WB_OK;
  case WB_CVAL_OWN:
  case WB_CVAL_BORROW: return check_resource(cx, t, v);
  default: return WB_OK; /* numbers and bool: any bits are a value */
  }
}

/* ---- arguments into Wasmtime values (borrowed; never freed by Wasmtime) --------------- */

static void set_name(wasm_name_t *n, const char *s) {
  n->size = strlen(s);
  n->data = (wasm_byte_t *)s;
}

static wb_status_t lower(wbc_arena_t *a, const wbc_type_t *t, const wb_cval_t *v, wasmtime_component_val_t *out);

static wb_status_t lower_payload(wbc_arena_t *a, const wbc_type_t *t, const wb_cval_t *v,
                                 wasmtime_component_val_t **out) {
  *out = 0;
  if (!t || !v) return WB_OK;
  wasmtime_component_val_t *p = wbc_arena_alloc(a, sizeof *p);
  if (!p) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for an argument");
  *out = p;
  return lower(a, t, v, p);
}

/* The value was checked: only memory can fail here. */
static wb_status_t lower(wbc_arena_t *a, const wbc_type_t *t, const wb_cval_t *v, wasmtime_component_val_t *out) {
  switch (t->kind) {
  case WB_CVAL_BOOL: out->kind = WASMTIME_COMPONENT_BOOL; out->of.boolean = wbc_bool_of(v); return WB_OK;
  case WB_CVAL_S8: out->kind = WASMTIME_COMPONENT_S8; out->of.s8 = v->of.s8; return WB_OK;
  case WB_CVAL_U8: out->kind = WASMTIME_COMPONENT_U8; out->of.u8 = v->of.u8; return WB_OK;
  case WB_CVAL_S16: out->kind = WASMTIME_COMPONENT_S16; out->of.s16 = v->of.s16; return WB_OK;
  case WB_CVAL_U16: out->kind = WASMTIME_COMPONENT_U16; out->of.u16 = v->of.u16; return WB_OK;
  case WB_CVAL_S32: out->kind = WASMTIME_COMPONENT_S32; out->of.s32 = v->of.s32; return WB_OK;
  case WB_CVAL_U32: out->kind = WASMTIME_COMPONENT_U32; out->of.u32 = v->of.u32; return WB_OK;
  case WB_CVAL_S64: out->kind = WASMTIME_COMPONENT_S64; out->of.s64 = v->of.s64; return WB_OK;
  case WB_CVAL_U64: out->kind = WASMTIME_COMPONENT_U64; out->of.u64 = v->of.u64; return WB_OK;
  case WB_CVAL_F32: out->kind = WASMTIME_COMPONENT_F32; out->of.f32 = v->of.f32; return WB_OK;
  case WB_CVAL_F64: out->kind = WASMTIME_COMPONENT_F64; out->of.f64 = v->of.f64; return WB_OK;
  case WB_CVAL_CHAR: out->kind = WASMTIME_COMPONENT_CHAR; out->of.character = v->of.ch; return WB_OK;
  case WB_CVAL_STRING:
    out->kind = WASMTIME_COMPONENT_STRING;
    out->of.string.size = v->of.str.len;
    out->of.string.data = (wasm_byte_t *)v->of.str.data;
    return WB_OK;
  case WB_CVAL_LIST: {
    bool bytes = v->kind == WB_CVAL_BYTES;
    size_t n = bytes ? v->of.bytes.len : v->of.list.len;
    out->kind = WASMTIME_COMPONENT_LIST;
    out->of.list.size = n;
    out->of.list.data = 0;
    if (!n) return WB_OK;
    wasmtime_component_val_t *items = wbc_arena_alloc(a, n * sizeof *items);
    if (!items) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a list of %zu elements", n);
    out->of.list.data = items;
    if (bytes) {
      for (size_t i = 0; i < n; i++) {
        items[i].kind = WASMTIME_COMPONENT_U8;
        items[i].of.u8 = v->of.bytes.data[i];
      }
      return WB_OK;
    }
    for (size_t i = 0; i < n; i++) {
      wb_status_t st = lower(a, t->elem, &v->of.list.items[i], &items[i]);
      if (st) return st;
    }
    return WB_OK;
  }
  case WB_CVAL_TUPLE: {
    out->kind = WASMTIME_COMPONENT_TUPLE;
    out->of.tuple.size = t->n;
    out->of.tuple.data = 0;
    if (!t->n) return WB_OK;
    wasmtime_component_val_t *items = wbc_arena_alloc(a, t->n * sizeof *items);
    if (!items) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for an argument");
    out->of.tuple.data = items;
    for (uint32_t i = 0; i < t->n; i++) {
      wb_status_t st = lower(a, t->items[i], &v->of.list.items[i], &items[i]);
      if (st) return st;
    }
    return WB_OK;
  }
  case WB_CVAL_RECORD: {
    out->kind = WASMTIME_COMPONENT_RECORD;
    out->of.record.size = t->n;
    out->of.record.data = 0;
    if (!t->n) return WB_OK;
    wasmtime_component_valrecord_entry_t *e = wbc_arena_alloc(a, t->n * sizeof *e);
    if (!e) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for an argument");
    out->of.record.data = e;
    for (uint32_t i = 0; i < t->n; i++) {
      set_name(&e[i].name, t->names[i]); /* the type's own name, whatever the caller spelled */
      wb_status_t st = lower(a, t->items[i], &v->of.list.items[i], &e[i].val);
      if (st) return st;
    }
    return WB_OK;
  }
  case WB_CVAL_VARIANT: {
    uint32_t c = 0;
    case_of(t, v, &c);
    out->kind = WASMTIME_COMPONENT_VARIANT;
    set_name(&out->of.variant.discriminant, t->names[c]);
    return lower_payload(a, t->items[c], v->of.choice.payload, &out->of.variant.val);
  }
  case WB_CVAL_ENUM: {
    uint32_t c = 0;
    case_of(t, v, &c);
    out->kind = WASMTIME_COMPONENT_ENUM;
    set_name(&out->of.enumeration, t->names[c]);
    return WB_OK;
  }
  case WB_CVAL_OPTION:
    out->kind = WASMTIME_COMPONENT_OPTION;
    return lower_payload(a, t->elem, v->of.choice.index ? v->of.choice.payload : 0, &out->of.option);
  case WB_CVAL_RESULT:
    out->kind = WASMTIME_COMPONENT_RESULT;
    out->of.result.is_ok = v->of.choice.index == 0;
    return lower_payload(a, t->items[v->of.choice.index], v->of.choice.payload, &out->of.result.val);
  case WB_CVAL_FLAGS: {
    out->kind = WASMTIME_COMPONENT_FLAGS;
    size_t n = (size_t)__builtin_popcountll(v->of.flags);
    out->of.flags.size = n;
    out->of.flags.data = 0;
    if (!n) return WB_OK;
    wasm_name_t *names = wbc_arena_alloc(a, n * sizeof *names);
    if (!names) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for an argument");
    out->of.flags.data = names;
    size_t j = 0;
    for (uint32_t i = 0; i < t->n && i < 64; i++)
      if (v->of.flags >> i & 1) set_name(&names[j++], t->names[i]);
    return WB_OK;
  }
  case WB_CVAL_OWN:
  case WB_CVAL_BORROW: {
    wbc_resource_t *r;
    wbh_slot_t *rs = wbh_slot_at(wbh_id_index(v->of.resource.id)); /* checked live by check_resource */
    r = rs->obj;
    out->kind = WASMTIME_COMPONENT_RESOURCE;
    out->of.resource = r->any; /* Wasmtime copies the handle; it never frees an argument */
    return WB_OK;
  }
  default: return wbi_fail(WB_ERR_INTERNAL, "lower: type kind %d", t->kind);
  }
}

wb_status_t wbc_args_to_wasmtime(wbd_store_t *s, const wbc_functype_t *ft,
                                 wasmtime_component_resource_type_t *const *restypes, const wb_cval_t *args,
                                 size_t nargs, wbc_arena_t *into, wasmtime_component_val_t **out) {
  return wbc_args_to_wasmtime_owned(s, ft, restypes, args, nargs, into, out, 0, 0);
}

wb_status_t wbc_args_to_wasmtime_owned(wbd_store_t *s, const wbc_functype_t *ft,
                                       wasmtime_component_resource_type_t *const *restypes, const wb_cval_t *args,
                                       size_t nargs, wbc_arena_t *into, wasmtime_component_val_t **out,
                                       wbc_resource_t ***owned, uint32_t *nowned) {
  if (nargs != ft->nparams)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "the function takes %u arguments (%s), got %zu", ft->nparams, ft->text, nargs);
  if (nargs && !args) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "args is NULL with a count of %zu", nargs);
  check_ctx_t cx = {s, restypes, 0, false, 0, 0, 0, into};
  if (ft->has_resource) {
    wbc_store_t *cs = wbc_store_of(s);
    if (!cs) return WB_ERR_NO_MEMORY;
    cx.mark = ++cs->mark;
  }
  for (size_t i = 0; i < nargs; i++) {
    wb_status_t st = check(&cx, ft->params[i], &args[i], 0);
    if (st) {
      char prefix[300];
      snprintf(prefix, sizeof prefix, "argument %zu (%s): ", i, ft->param_names[i]);
      return wbi_fail_prefix(st, prefix);
    }
  }
  wasmtime_component_val_t *vals = wbc_arena_alloc(into, (nargs ? nargs : 1) * sizeof *vals);
  if (!vals) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the arguments");
  for (size_t i = 0; i < nargs; i++) {
    wb_status_t st = lower(into, ft->params[i], &args[i], &vals[i]);
    if (st) return st;
  }
  *out = vals;
  if (owned) {
    *owned = cx.owned;
    *nowned = cx.nowned;
  }
  return WB_OK;
}

wb_status_t wbc_check_value(wbd_store_t *s, const wbc_type_t *t, wasmtime_component_resource_type_t *const *restypes,
                            const wb_cval_t *v, const char *what, wbc_arena_t *a, wbc_resource_t ***owned,
                            uint32_t *nowned) {
  check_ctx_t cx = {s, restypes, 0, false, 0, 0, 0, a};
  if (t->has_resource) {
    wbc_store_t *cs = wbc_store_of(s);
    if (!cs) return WB_ERR_NO_MEMORY;
    cx.mark = ++cs->mark;
  }
  wb_status_t st = check(&cx, t, v, 0);
  *owned = cx.owned;
  *nowned = cx.nowned;
  if (st) {
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%s: ", what);
    return wbi_fail_prefix(st, prefix);
  }
  return WB_OK;
}

/* ---- host function results into Wasmtime values (Wasmtime frees them) ---------------- */

static void owned_name(wasm_name_t *n, const char *s) { wasm_byte_vec_new(n, strlen(s), (const wasm_byte_t *)s); }

static void to_owned(wbd_store_t *s, const wbc_type_t *t, const wb_cval_t *v, wasmtime_component_val_t *out);

static wasmtime_component_val_t *owned_payload(wbd_store_t *s, const wbc_type_t *t, const wb_cval_t *v) {
  if (!t || !v) return 0;
  wasmtime_component_val_t tmp;
  to_owned(s, t, v, &tmp);
  return wasmtime_component_val_new(&tmp); /* moves tmp into a Wasmtime allocation */
}

/* The value was checked. Wasmtime's allocators abort on exhaustion, as it does. */
static void to_owned(wbd_store_t *s, const wbc_type_t *t, const wb_cval_t *v, wasmtime_component_val_t *out) {
  switch (t->kind) {
  case WB_CVAL_STRING:
    out->kind = WASMTIME_COMPONENT_STRING;
    wasm_byte_vec_new(&out->of.string, v->of.str.len, v->of.str.data);
    return;
  case WB_CVAL_LIST: {
    bool bytes = v->kind == WB_CVAL_BYTES;
    size_t n = bytes ? v->of.bytes.len : v->of.list.len;
    out->kind = WASMTIME_COMPONENT_LIST;
    if (!n) {
      wasmtime_component_vallist_new_empty(&out->of.list);
      return;
    }
    wasmtime_component_vallist_new_uninit(&out->of.list, n); /* n bools: nothing to drop when overwritten */
    for (size_t i = 0; i < n; i++) {
      if (bytes) {
        out->of.list.data[i].kind = WASMTIME_COMPONENT_U8;
        out->of.list.data[i].of.u8 = v->of.bytes.data[i];
      } else {
        to_owned(s, t->elem, &v->of.list.items[i], &out->of.list.data[i]);
      }
    }
    return;
  }
  case WB_CVAL_TUPLE:
    out->kind = WASMTIME_COMPONENT_TUPLE;
    if (!t->n) {
      wasmtime_component_valtuple_new_empty(&out->of.tuple);
      return;
    }
    wasmtime_component_valtuple_new_uninit(&out->of.tuple, t->n);
    for (uint32_t i = 0; i < t->n; i++) to_owned(s, t->items[i], &v->of.list.items[i], &out->of.tuple.data[i]);
    return;
  case WB_CVAL_RECORD:
    out->kind = WASMTIME_COMPONENT_RECORD;
    if (!t->n) {
      wasmtime_component_valrecord_new_empty(&out->of.record);
      return;
    }
    wasmtime_component_valrecord_new_uninit(&out->of.record, t->n); /* empty names: nothing to drop */
    for (uint32_t i = 0; i < t->n; i++) {
      owned_name(&out->of.record.data[i].name, t->names[i]);
      to_owned(s, t->items[i], &v->of.list.items[i], &out->of.record.data[i].val);
    }
    return;
  case WB_CVAL_VARIANT: {
    uint32_t c = 0;
    case_of(t, v, &c);
    out->kind = WASMTIME_COMPONENT_VARIANT;
    owned_name(&out->of.variant.discriminant, t->names[c]);
    out->of.variant.val = owned_payload(s, t->items[c], v->of.choice.payload);
    return;
  }
  case WB_CVAL_ENUM: {
    uint32_t c = 0;
    case_of(t, v, &c);
    out->kind = WASMTIME_COMPONENT_ENUM;
    owned_name(&out->of.enumeration, t->names[c]);
    return;
  }
  case WB_CVAL_OPTION:
    out->kind = WASMTIME_COMPONENT_OPTION;
    out->of.option = owned_payload(s, t->elem, v->of.choice.index ? v->of.choice.payload : 0);
    return;
  case WB_CVAL_RESULT:
    out->kind = WASMTIME_COMPONENT_RESULT;
    out->of.result.is_ok = v->of.choice.index == 0;
    out->of.result.val = owned_payload(s, t->items[v->of.choice.index], v->of.choice.payload);
    return;
  case WB_CVAL_FLAGS: {
    out->kind = WASMTIME_COMPONENT_FLAGS;
    size_t n = (size_t)__builtin_popcountll(v->of.flags);
    if (!n) {
      wasmtime_component_valflags_new_empty(&out->of.flags);
      return;
    }
    wasmtime_component_valflags_new_uninit(&out->of.flags, n);
    size_t j = 0;
    for (uint32_t i = 0; i < t->n && i < 64; i++)
      if (v->of.flags >> i & 1) owned_name(&out->of.flags.data[j++], t->names[i]);
    return;
  }
  case WB_CVAL_OWN:
  case WB_CVAL_BORROW: {
    wbc_resource_t *r = wbh_slot_at(wbh_id_index(v->of.resource.id))->obj;
    out->kind = WASMTIME_COMPONENT_RESOURCE;
    out->of.resource = wasmtime_component_resource_any_clone(r->any); /* Wasmtime frees the clone */
    return;
  }
  default: {
    /* scalars: the same bits through the borrowed conversion */
    wbc_arena_t none = {0};
    lower(&none, t, v, out);
    return;
  }
  }
}

wb_status_t wbc_value_to_owned(wbd_store_t *s, const wbc_type_t *t, const wb_cval_t *v, wasmtime_component_val_t *out) {
  to_owned(s, t, v, out);
  return WB_OK;
}

/* ---- Wasmtime values into wb_cval_t --------------------------------------------------- */

typedef struct raise_ctx {
  wbd_store_t *s;
  wbc_arena_t *a;
  bool scoped;      /* borrows become handles that end with the host call */
} raise_ctx_t;

static uint32_t name_index(const wbc_type_t *t, const wasm_name_t *n) {
  for (uint32_t i = 0; i < t->n; i++)
    if (strlen(t->names[i]) == n->size && memcmp(t->names[i], n->data, n->size) == 0) return i;
  return UINT32_MAX;
}

static wb_status_t raise(raise_ctx_t *cx, const wbc_type_t *t, const wasmtime_component_val_t *w, wb_cval_t *out);

static wb_status_t raise_payload(raise_ctx_t *cx, const wbc_type_t *t, const wasmtime_component_val_t *w,
                                 const wb_cval_t **out) {
  *out = 0;
  if (!w || !t) return WB_OK;
  wb_cval_t *p = wbc_arena_alloc(cx->a, sizeof *p);
  if (!p) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a result");
  *out = p;
  return raise(cx, t, w, p);
}

static const char *arena_name(raise_ctx_t *cx, const char *s) { return wbc_arena_strndup(cx->a, s, strlen(s)); }

#define WBC_KIND_IS(w, k)                                                                                       \
  do {                                                                                                          \
    if ((w)->kind != (k))                                                                                       \
      return wbi_fail(WB_ERR_INTERNAL, "Wasmtime gave a value of kind %d where the type says %s", (w)->kind,    \
                      wbc_kind_name(t->kind));                                                                  \
  } while (0)

static wb_status_t raise(raise_ctx_t *cx, const wbc_type_t *t, const wasmtime_component_val_t *w, wb_cval_t *out) {
  memset(out, 0, sizeof *out);
  out->kind = (wb_cval_kind_t)t->kind;
  switch (t->kind) {
  case WB_CVAL_BOOL: WBC_KIND_IS(w, WASMTIME_COMPONENT_BOOL); out->of.b = w->of.boolean; return WB_OK;
  case WB_CVAL_S8: WBC_KIND_IS(w, WASMTIME_COMPONENT_S8); out->of.s8 = w->of.s8; return WB_OK;
  case WB_CVAL_U8: WBC_KIND_IS(w, WASMTIME_COMPONENT_U8); out->of.u8 = w->of.u8; return WB_OK;
  case WB_CVAL_S16: WBC_KIND_IS(w, WASMTIME_COMPONENT_S16); out->of.s16 = w->of.s16; return WB_OK;
  case WB_CVAL_U16: WBC_KIND_IS(w, WASMTIME_COMPONENT_U16); out->of.u16 = w->of.u16; return WB_OK;
  case WB_CVAL_S32: WBC_KIND_IS(w, WASMTIME_COMPONENT_S32); out->of.s32 = w->of.s32; return WB_OK;
  case WB_CVAL_U32: WBC_KIND_IS(w, WASMTIME_COMPONENT_U32); out->of.u32 = w->of.u32; return WB_OK;
  case WB_CVAL_S64: WBC_KIND_IS(w, WASMTIME_COMPONENT_S64); out->of.s64 = w->of.s64; return WB_OK;
  case WB_CVAL_U64: WBC_KIND_IS(w, WASMTIME_COMPONENT_U64); out->of.u64 = w->of.u64; return WB_OK;
  case WB_CVAL_F32: WBC_KIND_IS(w, WASMTIME_COMPONENT_F32); out->of.f32 = w->of.f32; return WB_OK;
  case WB_CVAL_F64: WBC_KIND_IS(w, WASMTIME_COMPONENT_F64); out->of.f64 = w->of.f64; return WB_OK;
  case WB_CVAL_CHAR: WBC_KIND_IS(w, WASMTIME_COMPONENT_CHAR); out->of.ch = w->of.character; return WB_OK;
  case WB_CVAL_STRING:
    WBC_KIND_IS(w, WASMTIME_COMPONENT_STRING);
    out->of.str.data = w->of.string.size ? (const char *)w->of.string.data : "";
    out->of.str.len = w->of.string.size;
    return WB_OK;
  case WB_CVAL_LIST: {
    WBC_KIND_IS(w, WASMTIME_COMPONENT_LIST);
    size_t n = w->of.list.size;
    if (t->is_bytes) {
      out->kind = WB_CVAL_BYTES;
      uint8_t *b = wbc_arena_alloc(cx->a, n ? n : 1);
      if (!b) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu bytes", n);
      for (size_t i = 0; i < n; i++) b[i] = w->of.list.data[i].of.u8;
      out->of.bytes.data = b;
      out->of.bytes.len = n;
      return WB_OK;
    }
    wb_cval_t *items = wbc_arena_alloc(cx->a, (n ? n : 1) * sizeof *items);
    if (!items) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a list of %zu elements", n);
    for (size_t i = 0; i < n; i++) {
      wb_status_t st = raise(cx, t->elem, &w->of.list.data[i], &items[i]);
      if (st) return st;
    }
    out->of.list.items = items;
    out->of.list.len = n;
    return WB_OK;
  }
  case WB_CVAL_TUPLE:
  case WB_CVAL_RECORD: {
    bool rec = t->kind == WB_CVAL_RECORD;
    WBC_KIND_IS(w, rec ? WASMTIME_COMPONENT_RECORD : WASMTIME_COMPONENT_TUPLE);
    size_t n = rec ? w->of.record.size : w->of.tuple.size;
    if (n != t->n) return wbi_fail(WB_ERR_INTERNAL, "Wasmtime gave %zu members for a type of %u", n, t->n);
    wb_cval_t *items = wbc_arena_alloc(cx->a, (n ? n : 1) * sizeof *items);
    const char **names = rec ? wbc_arena_alloc(cx->a, (n ? n : 1) * sizeof *names) : 0;
    if (!items || (rec && !names)) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a result");
    for (size_t i = 0; i < n; i++) {
      wb_status_t st = raise(cx, t->items[i], rec ? &w->of.record.data[i].val : &w->of.tuple.data[i], &items[i]);
      if (st) return st;
      if (rec && !(names[i] = arena_name(cx, t->names[i]))) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
    }
    out->of.list.items = items;
    out->of.list.len = n;
    out->of.list.names = names;
    return WB_OK;
  }
  case WB_CVAL_VARIANT:
  case WB_CVAL_ENUM: {
    bool var = t->kind == WB_CVAL_VARIANT;
    WBC_KIND_IS(w, var ? WASMTIME_COMPONENT_VARIANT : WASMTIME_COMPONENT_ENUM);
    uint32_t c = name_index(t, var ? &w->of.variant.discriminant : &w->of.enumeration);
    if (c == UINT32_MAX) return wbi_fail(WB_ERR_INTERNAL, "Wasmtime gave a case the type does not have");
    out->of.choice.index = c;
    if (!(out->of.choice.name = arena_name(cx, t->names[c]))) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
    return var ? raise_payload(cx, t->items[c], w->of.variant.val, &out->of.choice.payload) : WB_OK;
  }
  case WB_CVAL_OPTION:
    WBC_KIND_IS(w, WASMTIME_COMPONENT_OPTION);
    out->of.choice.index = w->of.option ? 1 : 0;
    return raise_payload(cx, t->elem, w->of.option, &out->of.choice.payload);
  case WB_CVAL_RESULT: {
    WBC_KIND_IS(w, WASMTIME_COMPONENT_RESULT);
    uint32_t side = w->of.result.is_ok ? 0 : 1;
    out->of.choice.index = side;
    return raise_payload(cx, t->items[side], w->of.result.val, &out->of.choice.payload);
  }
  case WB_CVAL_FLAGS: {
    WBC_KIND_IS(w, WASMTIME_COMPONENT_FLAGS);
    uint64_t bits = 0;
    for (size_t i = 0; i < w->of.flags.size; i++) {
      uint32_t f = name_index(t, &w->of.flags.data[i]);
      if (f == UINT32_MAX || f >= 64) return wbi_fail(WB_ERR_INTERNAL, "Wasmtime gave a flag the type does not have");
      bits |= 1ull << f;
    }
    out->of.flags = bits;
    return WB_OK;
  }
  case WB_CVAL_OWN:
  case WB_CVAL_BORROW: {
    WBC_KIND_IS(w, WASMTIME_COMPONENT_RESOURCE);
    uint64_t id;
    bool scoped = cx->scoped && t->kind == WB_CVAL_BORROW;
    wb_status_t st = wbc_resource_wrap(cx->s, wasmtime_component_resource_any_clone(w->of.resource), scoped, &id);
    if (st) return st;
    out->of.resource.id = id;
    return WB_OK;
  }
  default: return wbi_fail(WB_ERR_INTERNAL, "raise: type kind %d", t->kind);
  }
}

wb_status_t wbc_value_from_wasmtime(wbd_store_t *s, const wbc_type_t *t, const wasmtime_component_val_t *v,
                                    wbc_arena_t *a, bool scoped, wb_cval_t *out) {
  raise_ctx_t cx = {s, a, scoped};
  return raise(&cx, t, v, out);
}

/* ---- results ------------------------------------------------------------------------ */

/* What wb_cresult_t.reserved holds. */
typedef struct wbc_result_private {
  wasmtime_component_val_t val; /* kept: strings in the result point into it */
  wbc_arena_t *arena;           /* the rest of the result, or NULL */
  uint8_t has_val;
} wbc_result_private_t;
_Static_assert(sizeof(wbc_result_private_t) <= sizeof(((wb_cresult_t *)0)->reserved),
               "a result's private part fits its reserved words");

static inline wbc_result_private_t *priv(wb_cresult_t *r) { return (wbc_result_private_t *)(void *)r->reserved; }

void wbc_result_clear(wb_cresult_t *out) {
  out->value.kind = WB_CVAL_BOOL;
  out->has_value = false;
  priv(out)->has_val = 0;
  priv(out)->arena = 0;
}

wb_status_t wbc_result_from_wasmtime(wbd_store_t *s, const wbc_type_t *t, wasmtime_component_val_t *val,
                                     wb_cresult_t *out) {
  wbc_result_clear(out);
  wbc_result_private_t *p = priv(out);
  p->val = *val; /* ownership moves to the result */
  p->has_val = 1;
  out->has_value = true;
  if (t->kind <= WB_CVAL_STRING || t->kind == WB_CVAL_OWN) /* nothing more to allocate */
    return raise(&(raise_ctx_t){s, 0, false}, t, &p->val, &out->value);
  p->arena = calloc(1, sizeof *p->arena);
  if (!p->arena) {
    wb_cresult_dispose(out);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a result");
  }
  raise_ctx_t cx = {s, p->arena, false};
  wb_status_t st = raise(&cx, t, &p->val, &out->value);
  if (st) wb_cresult_dispose(out);
  return st;
}

void wb_cresult_dispose(wb_cresult_t *result) {
  if (!result) return;
  wbc_result_private_t *p = priv(result);
  if (p->has_val) wasmtime_component_val_delete(&p->val);
  if (p->arena) {
    wbc_arena_free(p->arena);
    free(p->arena);
  }
  wbc_result_clear(result);
}

/* ---- builders --------------------------------------------------------------------- */

static wb_cval_t cv(wb_cval_kind_t k) {
  wb_cval_t v;
  memset(&v, 0, sizeof v);
  v.kind = k;
  return v;
}

wb_cval_t wb_cval_bool(bool x) { wb_cval_t v = cv(WB_CVAL_BOOL); v.of.b = x; return v; }
wb_cval_t wb_cval_s8(int8_t x) { wb_cval_t v = cv(WB_CVAL_S8); v.of.s8 = x; return v; }
wb_cval_t wb_cval_u8(uint8_t x) { wb_cval_t v = cv(WB_CVAL_U8); v.of.u8 = x; return v; }
wb_cval_t wb_cval_s16(int16_t x) { wb_cval_t v = cv(WB_CVAL_S16); v.of.s16 = x; return v; }
wb_cval_t wb_cval_u16(uint16_t x) { wb_cval_t v = cv(WB_CVAL_U16); v.of.u16 = x; return v; }
wb_cval_t wb_cval_s32(int32_t x) { wb_cval_t v = cv(WB_CVAL_S32); v.of.s32 = x; return v; }
wb_cval_t wb_cval_u32(uint32_t x) { wb_cval_t v = cv(WB_CVAL_U32); v.of.u32 = x; return v; }
wb_cval_t wb_cval_s64(int64_t x) { wb_cval_t v = cv(WB_CVAL_S64); v.of.s64 = x; return v; }
wb_cval_t wb_cval_u64(uint64_t x) { wb_cval_t v = cv(WB_CVAL_U64); v.of.u64 = x; return v; }
wb_cval_t wb_cval_f32(float x) { wb_cval_t v = cv(WB_CVAL_F32); v.of.f32 = x; return v; }
wb_cval_t wb_cval_f64(double x) { wb_cval_t v = cv(WB_CVAL_F64); v.of.f64 = x; return v; }
wb_cval_t wb_cval_char(uint32_t x) { wb_cval_t v = cv(WB_CVAL_CHAR); v.of.ch = x; return v; }

wb_cval_t wb_cval_string(const char *s) {
  wb_cval_t v = cv(WB_CVAL_STRING);
  v.of.str.data = s ? s : "";
  v.of.str.len = s ? strlen(s) : 0;
  return v;
}

wb_cval_t wb_cval_string_n(const char *data, size_t len) {
  wb_cval_t v = cv(WB_CVAL_STRING);
  v.of.str.data = data;
  v.of.str.len = len;
  return v;
}

wb_cval_t wb_cval_bytes(const uint8_t *data, size_t len) {
  wb_cval_t v = cv(WB_CVAL_BYTES);
  v.of.bytes.data = data;
  v.of.bytes.len = len;
  return v;
}

static wb_cval_t seq(wb_cval_kind_t k, const wb_cval_t *items, const char *const *names, size_t len) {
  wb_cval_t v = cv(k);
  v.of.list.items = items;
  v.of.list.len = len;
  v.of.list.names = names;
  return v;
}

wb_cval_t wb_cval_list(const wb_cval_t *items, size_t len) { return seq(WB_CVAL_LIST, items, 0, len); }
wb_cval_t wb_cval_tuple(const wb_cval_t *items, size_t len) { return seq(WB_CVAL_TUPLE, items, 0, len); }
wb_cval_t wb_cval_record(const wb_cval_t *items, const char *const *names, size_t len) {
  return seq(WB_CVAL_RECORD, items, names, len);
}

static wb_cval_t choice(wb_cval_kind_t k, uint32_t index, const char *name, const wb_cval_t *payload) {
  wb_cval_t v = cv(k);
  v.of.choice.index = index;
  v.of.choice.name = name;
  v.of.choice.payload = payload;
  return v;
}

wb_cval_t wb_cval_variant(const char *name, const wb_cval_t *payload) {
  return choice(WB_CVAL_VARIANT, 0, name ? name : "", payload);
}
wb_cval_t wb_cval_variant_index(uint32_t index, const wb_cval_t *payload) {
  return choice(WB_CVAL_VARIANT, index, 0, payload);
}
wb_cval_t wb_cval_enum(const char *name) { return choice(WB_CVAL_ENUM, 0, name ? name : "", 0); }
wb_cval_t wb_cval_enum_index(uint32_t index) { return choice(WB_CVAL_ENUM, index, 0, 0); }
wb_cval_t wb_cval_option(const wb_cval_t *payload) { return choice(WB_CVAL_OPTION, payload ? 1 : 0, 0, payload); }
wb_cval_t wb_cval_result(bool is_err, const wb_cval_t *payload) {
  return choice(WB_CVAL_RESULT, is_err ? 1 : 0, 0, payload);
}
wb_cval_t wb_cval_flags(uint64_t bits) { wb_cval_t v = cv(WB_CVAL_FLAGS); v.of.flags = bits; return v; }
wb_cval_t wb_cval_own(wb_resource_t r) { wb_cval_t v = cv(WB_CVAL_OWN); v.of.resource = r; return v; }
wb_cval_t wb_cval_borrow(wb_resource_t r) { wb_cval_t v = cv(WB_CVAL_BORROW); v.of.resource = r; return v; }
