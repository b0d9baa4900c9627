/* Helpers the component tests share: reading component text from
 * ctest/components, and comparing component values. */
#ifndef WB_COMPONENT_UTIL_H
#define WB_COMPONENT_UTIL_H

#include <math.h>

#include "check.h"

static const char *components_dir = "components"; /* argv[1] of the tests */

/* The text of ctest/components/NAME (malloc'd; *len its length). */
static inline char *component_text(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", components_dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
  buf[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static inline wb_component_t load_component(wb_engine_t engine, const char *name) {
  size_t len;
  char *text = component_text(name, &len);
  wb_component_t c;
  OK(wb_component_new(engine, (const uint8_t *)text, len, &c));
  free(text);
  return c;
}

static inline wb_component_t compile_component(wb_engine_t engine, const char *text) {
  wb_component_t c;
  OK(wb_component_new(engine, (const uint8_t *)text, strlen(text), &c));
  return c;
}

/* Deep equality of two values; a list<u8> may be given either way. */
static inline int cval_equal(const wb_cval_t *a, const wb_cval_t *b) {
  if (a->kind == WB_CVAL_BYTES || b->kind == WB_CVAL_BYTES) {
    const wb_cval_t *x = a->kind == WB_CVAL_BYTES ? a : b, *y = x == a ? b : a;
    if (y->kind == WB_CVAL_BYTES)
      return x->of.bytes.len == y->of.bytes.len &&
             (!x->of.bytes.len || !memcmp(x->of.bytes.data, y->of.bytes.data, x->of.bytes.len));
    if (y->kind != WB_CVAL_LIST || y->of.list.len != x->of.bytes.len) return 0;
    for (size_t i = 0; i < x->of.bytes.len; i++)
      if (y->of.list.items[i].kind != WB_CVAL_U8 || y->of.list.items[i].of.u8 != x->of.bytes.data[i]) return 0;
    return 1;
  }
  if (a->kind != b->kind) return 0;
  switch (a->kind) {
  case WB_CVAL_BOOL: return a->of.b == b->of.b;
  case WB_CVAL_S8: return a->of.s8 == b->of.s8;
  case WB_CVAL_U8: return a->of.u8 == b->of.u8;
  case WB_CVAL_S16: return a->of.s16 == b->of.s16;
  case WB_CVAL_U16: return a->of.u16 == b->of.u16;
  case WB_CVAL_S32: return a->of.s32 == b->of.s32;
  case WB_CVAL_U32: return a->of.u32 == b->of.u32;
  case WB_CVAL_S64: return a->of.s64 == b->of.s64;
  case WB_CVAL_U64: return a->of.u64 == b->of.u64;
  case WB_CVAL_F32: return a->of.f32 == b->of.f32 || (isnan(a->of.f32) && isnan(b->of.f32));
  case WB_CVAL_F64: return a->of.f64 == b->of.f64 || (isnan(a->of.f64) && isnan(b->of.f64));
  case WB_CVAL_CHAR: return a->of.ch == b->of.ch;
  case WB_CVAL_STRING:
    return a->of.str.len == b->of.str.len && (!a->of.str.len || !memcmp(a->of.str.data, b->of.str.data, a->of.str.len));
  case WB_CVAL_LIST:
  case WB_CVAL_RECORD:
  case WB_CVAL_TUPLE:
    if (a->of.list.len != b->of.list.len) return 0;
    for (size_t i = 0; i < a->of.list.len; i++)
      if (!cval_equal(&a->of.list.items[i], &b->of.list.items[i])) return 0;
    return 1;
  case WB_CVAL_VARIANT:
  case WB_CVAL_ENUM:
  case WB_CVAL_OPTION:
  case WB_CVAL_RESULT:
    if (a->of.choice.name && b->of.choice.name) { /* a case given by name has no index */
      if (strcmp(a->of.choice.name, b->of.choice.name)) return 0;
    } else if (a->of.choice.index != b->of.choice.index) {
      return 0;
    }
    if (!a->of.choice.payload || !b->of.choice.payload) return a->of.choice.payload == b->of.choice.payload;
    return cval_equal(a->of.choice.payload, b->of.choice.payload);
  case WB_CVAL_FLAGS: return a->of.flags == b->of.flags;
  default: return a->of.resource.id == b->of.resource.id;
  }
}

#endif
