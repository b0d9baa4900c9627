/* The wasi-testsuite's NAME.json files (see ../shared/testdata/wasi-testsuite
 * /README.md): a small JSON reader and the file reader both runners share
 * (test_wasi_testsuite.c for WASI 0.1 modules, test_wasi_p2_testsuite.c for
 * WASI 0.2 components). */
#ifndef WB_WASI_SPEC_H
#define WB_WASI_SPEC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct spec {
  char *args[32];
  int nargs;
  char *env_names[32], *env_values[32];
  int nenv;
  char *root;
  int exit_code;
  char *stdout_text, *stderr_text; /* NULL: not checked */
} spec_t;

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  return p;
}

/* Parses a JSON string at p (which points at '"'); returns a malloc'd copy. */
static char *parse_string(const char **pp) {
  const char *p = *pp + 1;
  size_t cap = 64, n = 0;
  char *out = malloc(cap);
  while (*p && *p != '"') {
    char c = *p++;
    if (c == '\\') {
      c = *p++;
      switch (c) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'u': {
        unsigned v = 0;
        sscanf(p, "%4x", &v);
        p += 4;
        if (v < 0x80) c = (char)v;
        else { /* encode as UTF-8 (BMP only; the suite needs no more) */
          if (n + 4 > cap) out = realloc(out, cap *= 2);
          if (v < 0x800) {
            out[n++] = (char)(0xC0 | v >> 6);
          } else {
            out[n++] = (char)(0xE0 | v >> 12);
            out[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
          }
          c = (char)(0x80 | (v & 0x3F));
        }
        break;
      }
      default: break; /* \" \\ \/ */
      }
    }
    if (n + 2 > cap) out = realloc(out, cap *= 2);
    out[n++] = c;
  }
  out[n] = 0;
  *pp = *p ? p + 1 : p;
  return out;
}

static int parse_spec(const char *text, spec_t *sp) {
  memset(sp, 0, sizeof *sp);
  const char *p = skip_ws(text);
  if (*p++ != '{') return -1;
  for (;;) {
    p = skip_ws(p);
    if (*p == '}') return 0;
    if (*p == ',') { p++; continue; }
    if (*p != '"') return -1;
    char *key = parse_string(&p);
    p = skip_ws(p);
    if (*p++ != ':') return -1;
    p = skip_ws(p);
    if (!strcmp(key, "args")) {
      if (*p++ != '[') return -1;
      for (;;) {
        p = skip_ws(p);
        if (*p == ']') { p++; break; }
        if (*p == ',') { p++; continue; }
        if (*p != '"' || sp->nargs == 32) return -1;
        sp->args[sp->nargs++] = parse_string(&p);
      }
    } else if (!strcmp(key, "env")) {
      if (*p++ != '{') return -1;
      for (;;) {
        p = skip_ws(p);
        if (*p == '}') { p++; break; }
        if (*p == ',') { p++; continue; }
        if (*p != '"' || sp->nenv == 32) return -1;
        sp->env_names[sp->nenv] = parse_string(&p);
        p = skip_ws(p);
        if (*p++ != ':') return -1;
        p = skip_ws(p);
        sp->env_values[sp->nenv++] = parse_string(&p);
      }
    } else if (*p == '"') {
      char *v = parse_string(&p);
      if (!strcmp(key, "root")) sp->root = v;
      else if (!strcmp(key, "stdout")) sp->stdout_text = v;
      else if (!strcmp(key, "stderr")) sp->stderr_text = v;
      else free(v);
    } else {
      long v = strtol(p, (char **)&p, 10);
      if (!strcmp(key, "exit_code")) sp->exit_code = (int)v;
    }
    free(key);
  }
}

static __attribute__((unused)) char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
  buf[n] = 0;
  fclose(f);
  if (len) *len = (size_t)n;
  return buf;
}


static void free_spec(spec_t *sp) {
  for (int i = 0; i < sp->nargs; i++) free(sp->args[i]);
  for (int i = 0; i < sp->nenv; i++) free(sp->env_names[i]), free(sp->env_values[i]);
  free(sp->root);
  free(sp->stdout_text);
  free(sp->stderr_text);
}

#endif
