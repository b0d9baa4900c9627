/* Every module of the WebAssembly spec testsuite through every
 * introspection and lookup function, with every feature Wasmtime 39 has
 * on (GC, function references, exceptions, wide arithmetic, custom page
 * sizes, threads, memory64): nothing may abort the process.
 *
 *   test_spec_walk DIR          runs every .wast under DIR, each in its own
 *                               process (posix_spawn), two at a time, each
 *                               under a time limit; a child that dies by a
 *                               signal or runs out of time is a failure
 *   test_spec_walk --file F     walks one .wast (the child)
 *
 * A child compiles each module of its script (text, `binary` and `quote`
 * forms, definitions), lists its imports and exports, instantiates it in
 * the script's store (imports from a spectest module made of host-made
 * externs, from modules the script registered, or made up from the import
 * types where the C API can make them), and then looks up every export
 * by name and by kind and reads every type, global, table and memory.
 * Any status is fine where the module is invalid or unlinkable; what is
 * checked is that a compiled module can always be described, that every
 * export of an instance can be looked up (tags are refused with a status),
 * and that the process survives. Exit code 77 (CTest's skip) when DIR does
 * not exist. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

/* ---- the child: one script ---------------------------------------------------- */

static int failures;
static long nmodules, ncompiled, ninstances, nexports, nrefused;

#define FAIL(...)                                  \
  do {                                             \
    fprintf(stderr, "FAIL %s: ", script);          \
    fprintf(stderr, __VA_ARGS__);                  \
    fprintf(stderr, " (last error: %s)\n", wb_last_error()); \
    failures++;                                    \
  } while (0)

static const char *script;

typedef struct buf {
  char *data;
  size_t len, cap;
} buf_t;

static void put(buf_t *b, const void *p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->data = realloc(b->data, b->cap);
    CHECK(b->data);
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
}

/* Skips whitespace and comments from p; returns the next token's start. */
static const char *skip(const char *p, const char *end) {
  for (;;) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    if (p + 1 < end && p[0] == ';' && p[1] == ';') {
      while (p < end && *p != '\n') p++;
    } else if (p + 1 < end && p[0] == '(' && p[1] == ';') {
      int depth = 1;
      p += 2;
      while (p < end && depth) {
        if (p + 1 < end && p[0] == '(' && p[1] == ';') depth++, p += 2;
        else if (p + 1 < end && p[0] == ';' && p[1] == ')') depth--, p += 2;
        else p++;
      }
    } else {
      return p;
    }
  }
}

static const char *skip_string(const char *p, const char *end) {
  for (p++; p < end && *p != '"'; p++)
    if (*p == '\\') p++;
  return p < end ? p + 1 : end;
}

/* The end of the form that starts at p ('('). */
static const char *form_end(const char *p, const char *end) {
  int depth = 0;
  while (p < end) {
    p = skip(p, end);
    if (p >= end) break;
    if (*p == '"') p = skip_string(p, end);
    else if (*p == '(') depth++, p++;
    else if (*p == ')') {
      p++;
      if (--depth == 0) return p;
    } else p++;
  }
  return end;
}

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Appends the decoded bytes of the string literal at p to b. */
static const char *decode_string(const char *p, const char *end, buf_t *b) {
  for (p++; p < end && *p != '"'; p++) {
    if (*p != '\\') {
      put(b, p, 1);
      continue;
    }
    p++;
    char c = 0;
    switch (*p) {
    case 'n': c = '\n'; break;
    case 't': c = '\t'; break;
    case 'r': c = '\r'; break;
    case '\\': c = '\\'; break;
    case '\'': c = '\''; break;
    case '"': c = '"'; break;
    case 'u': { /* \u{hex}: UTF-8 */
      unsigned cp = 0;
      for (p += 2; p < end && *p != '}'; p++) cp = cp * 16 + (unsigned)hexval(*p);
      unsigned char u[4];
      int n = cp < 0x80 ? (u[0] = (unsigned char)cp, 1)
              : cp < 0x800 ? (u[0] = (unsigned char)(0xC0 | cp >> 6), u[1] = (unsigned char)(0x80 | (cp & 63)), 2)
              : cp < 0x10000 ? (u[0] = (unsigned char)(0xE0 | cp >> 12), u[1] = (unsigned char)(0x80 | (cp >> 6 & 63)),
                                u[2] = (unsigned char)(0x80 | (cp & 63)), 3)
                             : (u[0] = (unsigned char)(0xF0 | cp >> 18), u[1] = (unsigned char)(0x80 | (cp >> 12 & 63)),
                                u[2] = (unsigned char)(0x80 | (cp >> 6 & 63)), u[3] = (unsigned char)(0x80 | (cp & 63)), 4);
      put(b, u, (size_t)n);
      continue;
    }
    default:
      c = (char)(hexval(p[0]) * 16 + hexval(p[1]));
      p++;
      break;
    }
    put(b, &c, 1);
  }
  return p < end ? p + 1 : end;
}

/* The script's state: one store, a linker with spectest and the registered
 * instances, the last instance and the named ones. */
static wb_engine_t engine;
static wb_store_t store;
static wb_linker_t linker;
static wb_instance_t last;
static struct named {
  char name[128];
  wb_instance_t inst;
} named[256];
static int nnamed;
static char registered[64][128];
static int nregistered;

static wb_status_t zeros(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)c, (void)a, (void)na;
  for (size_t i = 0; i < nr; i++) {
    wb_valkind_t k = r[i].kind;
    memset(&r[i], 0, sizeof r[i]);
    r[i].kind = k;
  }
  return WB_OK;
}

static bool basic(wb_valtype_t t) {
  return t.kind <= WB_V128 || (t.nullable && (t.heap == WB_HEAP_FUNC || t.heap == WB_HEAP_EXTERN));
}

static void define(const char *module, const char *name, wb_extern_t item) {
  if (wb_linker_define_extern(linker, module, strlen(module), name, strlen(name), &item) != WB_OK)
    FAIL("define %s.%s", module, name);
}

static void make_spectest(void) {
  static const struct {
    const char *name;
    wb_valkind_t params[2];
    size_t n;
  } prints[] = {{"print", {WB_I32}, 0},         {"print_i32", {WB_I32}, 1},        {"print_i64", {WB_I64}, 1},
                {"print_f32", {WB_F32}, 1},     {"print_f64", {WB_F64}, 1},        {"print_i32_f32", {WB_I32, WB_F32}, 2},
                {"print_f64_f64", {WB_F64, WB_F64}, 2}};
  for (size_t i = 0; i < sizeof prints / sizeof prints[0]; i++) {
    wb_func_t f;
    OK(wb_func_new(store, prints[i].params, prints[i].n, NULL, 0, zeros, NULL, NULL, &f));
    define("spectest", prints[i].name, (wb_extern_t){WB_EXTERN_FUNC, {.func = f}});
  }
  static const struct {
    const char *name;
    wb_valkind_t kind;
  } globals[] = {{"global_i32", WB_I32}, {"global_i64", WB_I64}, {"global_f32", WB_F32}, {"global_f64", WB_F64}};
  for (size_t i = 0; i < 4; i++) {
    wb_globaltype_t gt = {{(uint8_t)globals[i].kind, 0, 0, 0, 0}, false};
    wb_val_t v;
    memset(&v, 0, sizeof v);
    v.kind = globals[i].kind;
    if (v.kind == WB_I32) v.of.i32 = 666;
    if (v.kind == WB_I64) v.of.i64 = 666;
    if (v.kind == WB_F32) v.of.f32 = 666.6f;
    if (v.kind == WB_F64) v.of.f64 = 666.6;
    wb_global_t g;
    OK(wb_global_new(store, &gt, &v, &g));
    define("spectest", globals[i].name, (wb_extern_t){WB_EXTERN_GLOBAL, {.global = g}});
  }
  wb_tabletype_t tt = {{WB_FUNCREF, 1, WB_HEAP_FUNC, 0, 0}, 10, 20, true, false};
  wb_table_t t;
  OK(wb_table_new(store, &tt, NULL, &t));
  define("spectest", "table", (wb_extern_t){WB_EXTERN_TABLE, {.table = t}});
  wb_memorytype_t mt = {1, 2, true, false, false, 16};
  wb_memory_t m;
  OK(wb_memory_new(store, &mt, &m));
  define("spectest", "memory", (wb_extern_t){WB_EXTERN_MEMORY, {.memory = m}});
  wb_shared_memory_t sm;
  OK(wb_shared_memory_new(engine, 1, 2, &sm));
  OK(wb_linker_define_shared_memory(linker, "spectest", "shared_memory", sm));
  OK(wb_shared_memory_delete(sm));
}

static bool is_registered(const char *module, size_t len) {
  if (len == 8 && !memcmp(module, "spectest", 8)) return true;
  for (int i = 0; i < nregistered; i++)
    if (strlen(registered[i]) == len && !memcmp(registered[i], module, len)) return true;
  return false;
}

/* Makes up the module's other imports from their types, where the C API
 * can make such externs. */
static void make_up_imports(const wb_extern_list_t *imports) {
  for (size_t i = 0; i < imports->count; i++) {
    const wb_extern_desc_t *d = &imports->items[i];
    if (is_registered(d->module, d->module_len)) continue;
    const wb_externtype_t *t = d->detail;
    wb_extern_t item;
    memset(&item, 0, sizeof item);
    item.kind = d->kind;
    wb_status_t st = WB_ERR_TYPE_MISMATCH;
    switch (d->kind) {
    case WB_EXTERN_FUNC: {
      wb_valkind_t kinds[64];
      size_t n = t->func.nparams + t->func.nresults;
      bool ok = n <= 64;
      for (size_t k = 0; ok && k < t->func.nparams; k++) ok = basic(t->func.params[k]), kinds[k] = t->func.params[k].kind;
      for (size_t k = 0; ok && k < t->func.nresults; k++)
        ok = basic(t->func.results[k]), kinds[t->func.nparams + k] = t->func.results[k].kind;
      if (ok)
        st = wb_func_new(store, kinds, t->func.nparams, kinds + t->func.nparams, t->func.nresults, zeros, NULL, NULL,
                         &item.of.func);
      break;
    }
    case WB_EXTERN_MEMORY:
      if (t->memory.shared) continue;
      st = wb_memory_new(store, &t->memory, &item.of.memory);
      break;
    case WB_EXTERN_TABLE:
      if (basic(t->table.element)) st = wb_table_new(store, &t->table, NULL, &item.of.table);
      break;
    case WB_EXTERN_GLOBAL:
      if (basic(t->global.content)) {
        wb_val_t zero;
        memset(&zero, 0, sizeof zero);
        zero.kind = (wb_valkind_t)t->global.content.kind;
        st = wb_global_new(store, &t->global, &zero, &item.of.global);
      }
      break;
    default: break;
    }
    if (st == WB_OK) {
      if (wb_linker_define_extern(linker, d->module, d->module_len, d->name, d->name_len, &item) != WB_OK)
        FAIL("define the made-up import \"%s\" \"%s\"", d->module, d->name);
    } else if (st != WB_ERR_TYPE_MISMATCH && st != WB_ERR_INVALID_ARGUMENT && st != WB_ERR_LIMIT) {
      FAIL("make an import of type %s: %s", d->type, wb_status_name(st));
    }
  }
}

/* Every export of an instance, looked up every way there is. */
static void walk(wb_instance_t inst) {
  wb_export_list_t list = WB_EXPORT_LIST_INIT;
  wb_status_t st = wb_instance_exports(inst, &list);
  if (st != WB_OK) {
    FAIL("wb_instance_exports: %s", wb_status_name(st));
    return;
  }
  for (size_t i = 0; i < list.count; i++) {
    const wb_export_t *e = &list.items[i];
    nexports++;
    wb_extern_t x;
    st = wb_instance_get_export(inst, e->name, e->name_len, &x);
    if (e->item.kind == WB_EXTERN_TAG || e->item.kind == WB_EXTERN_OTHER) {
      if (st != WB_ERR_TYPE_MISMATCH) FAIL("export \"%s\" (kind %d): %s", e->name, e->item.kind, wb_status_name(st));
      nrefused++;
      continue;
    }
    if (st != WB_OK || x.kind != e->item.kind || x.of.func.id != e->item.of.func.id) {
      FAIL("wb_instance_get_export \"%s\": %s", e->name, wb_status_name(st));
      continue;
    }
    bool has_nul = strlen(e->name) != e->name_len;
    wb_valtype_t p[1024], r[1024];
    size_t np, nr;
    wb_val_t v;
    uint64_t u;
    switch (x.kind) {
    case WB_EXTERN_FUNC: {
      wb_func_t f;
      if (!has_nul && (st = wb_instance_get_func(inst, e->name, &f)) != WB_OK) FAIL("get_func \"%s\"", e->name);
      if ((st = wb_func_arity(x.of.func, &np, &nr)) != WB_OK) FAIL("arity \"%s\"", e->name);
      if (np <= 1024 && nr <= 1024 && (st = wb_func_type(x.of.func, p, np, r, nr)) != WB_OK)
        FAIL("wb_func_type \"%s\": %s", e->name, wb_status_name(st));
      break;
    }
    case WB_EXTERN_GLOBAL: {
      wb_global_t g;
      wb_globaltype_t gt;
      if (!has_nul && wb_instance_get_global(inst, e->name, &g) != WB_OK) FAIL("get_global \"%s\"", e->name);
      if (wb_global_type(x.of.global, &gt) != WB_OK) FAIL("wb_global_type \"%s\"", e->name);
      st = wb_global_get(x.of.global, &v);
      if (st == WB_OK && (v.kind == WB_EXTERNREF || v.kind == WB_ANYREF)) wb_ref_delete(v.of.ref);
      if (st != WB_OK && !(st == WB_ERR_TYPE_MISMATCH && (gt.content.kind == WB_EXNREF || gt.content.kind == WB_CONTREF)))
        FAIL("wb_global_get \"%s\": %s", e->name, wb_status_name(st));
      break;
    }
    case WB_EXTERN_TABLE: {
      wb_table_t t;
      wb_tabletype_t tt;
      if (!has_nul && wb_instance_get_table(inst, e->name, &t) != WB_OK) FAIL("get_table \"%s\"", e->name);
      if (wb_table_type(x.of.table, &tt) != WB_OK) FAIL("wb_table_type \"%s\"", e->name);
      if (wb_table_size(x.of.table, &u) != WB_OK) FAIL("wb_table_size \"%s\"", e->name);
      st = wb_table_get(x.of.table, 0, &v);
      if (st == WB_OK && (v.kind == WB_EXTERNREF || v.kind == WB_ANYREF)) wb_ref_delete(v.of.ref);
      if (st != WB_OK && !(st == WB_ERR_OUT_OF_BOUNDS && u == 0) &&
          !(st == WB_ERR_TYPE_MISMATCH && (tt.element.kind == WB_EXNREF || tt.element.kind == WB_CONTREF)))
        FAIL("wb_table_get \"%s\": %s", e->name, wb_status_name(st));
      break;
    }
    case WB_EXTERN_MEMORY: {
      wb_memory_t m;
      wb_memorytype_t mt;
      if (!has_nul && wb_instance_get_memory(inst, e->name, &m) != WB_OK) FAIL("get_memory \"%s\"", e->name);
      if (wb_memory_type(x.of.memory, &mt) != WB_OK) FAIL("wb_memory_type \"%s\"", e->name);
      if (wb_memory_size(x.of.memory, &u) != WB_OK) FAIL("wb_memory_size \"%s\"", e->name);
      break;
    }
    default: break;
    }
  }
  wb_export_list_dispose(&list);
}

/* Wasmtime's WAT parser refuses raw bidirectional-override characters
 * ("likely-confusing unicode character"), which names.wast has in its
 * strings: the same text with them as \u{...} escapes. */
static bool escape_bidi(const uint8_t *bytes, size_t len, buf_t *out) {
  bool changed = false;
  for (size_t i = 0; i < len; i++) {
    if (i + 2 < len && bytes[i] == 0xE2 &&
        ((bytes[i + 1] == 0x80 && bytes[i + 2] >= 0xAA && bytes[i + 2] <= 0xAE) ||
         (bytes[i + 1] == 0x81 && bytes[i + 2] >= 0xA6 && bytes[i + 2] <= 0xA9))) {
      char esc[16];
      unsigned cp = 0x2000 | (unsigned)(bytes[i + 1] & 0x3F) << 6 | (bytes[i + 2] & 0x3F);
      int n = snprintf(esc, sizeof esc, "\\u{%x}", cp);
      put(out, esc, (size_t)n);
      i += 2;
      changed = true;
    } else {
      put(out, &bytes[i], 1);
    }
  }
  return changed;
}

/* One module: compile, describe, instantiate, walk. top: a top-level
 * form (its instance becomes the current one), id: its $name or "". */
static void run_module(const uint8_t *bytes, size_t len, bool top, const char *id) {
  nmodules++;
  wb_module_t m;
  buf_t escaped = {0, 0, 0};
  wb_status_t cst = wb_module_new(engine, bytes, len, &m);
  if (cst != WB_OK && escape_bidi(bytes, len, &escaped))
    cst = wb_module_new(engine, (const uint8_t *)escaped.data, escaped.len, &m);
  free(escaped.data);
  if (cst != WB_OK) return; /* invalid or malformed: fine */
  ncompiled++;
  wb_extern_list_t imports = WB_EXTERN_LIST_INIT, exports = WB_EXTERN_LIST_INIT;
  wb_status_t st = wb_module_imports(m, &imports);
  if (st != WB_OK) FAIL("wb_module_imports: %s", wb_status_name(st));
  st = wb_module_exports(m, &exports);
  if (st != WB_OK) FAIL("wb_module_exports: %s", wb_status_name(st));
  make_up_imports(&imports);
  wb_instance_t inst;
  st = wb_linker_instantiate(linker, store, m, &inst);
  if (st == WB_OK) {
    ninstances++;
    walk(inst);
    if (top) last = inst;
    if (top && id[0] && nnamed < 256) {
      snprintf(named[nnamed].name, sizeof named[nnamed].name, "%s", id);
      named[nnamed++].inst = inst;
    }
  } else if (st == WB_ERR_INTERNAL || st == WB_ERR_INVALID_ARGUMENT || st == WB_ERR_INVALID_HANDLE) {
    FAIL("instantiate: %s", wb_status_name(st));
  }
  wb_extern_list_dispose(&imports);
  wb_extern_list_dispose(&exports);
  wb_module_delete(m);
}

/* A (module ...) form from p to end: its bytes or text. */
static void module_form(const char *p, const char *end, bool top) {
  const char *q = skip(p + 7, end); /* after "(module" */
  char id[128] = "";
  bool binary = false, quote = false;
  for (;;) {
    if (*q == '$') {
      const char *s = q;
      while (q < end && *q != ' ' && *q != '\n' && *q != '\t' && *q != ')' && *q != '(') q++;
      snprintf(id, sizeof id, "%.*s", (int)(q - s), s);
    } else if (!strncmp(q, "definition", 10)) {
      q += 10;
    } else if (!strncmp(q, "instance", 8)) {
      return; /* an instance of a definition: nothing new to compile */
    } else if (!strncmp(q, "binary", 6)) {
      binary = true, q += 6;
    } else if (!strncmp(q, "quote", 5)) {
      quote = true, q += 5;
    } else {
      break;
    }
    q = skip(q, end);
  }
  buf_t b = {0, 0, 0};
  if (binary || quote) {
    if (quote) put(&b, "(module ", 8);
    while ((q = skip(q, end)) < end && *q == '"') q = decode_string(q, end, &b);
    if (quote) put(&b, ")", 1);
  } else {
    /* the form's own text, without the words wb_module_new does not know */
    put(&b, "(module ", 8);
    put(&b, q, (size_t)(end - q));
  }
  if (b.len) run_module((const uint8_t *)b.data, b.len, top, id);
  free(b.data);
}

static void registration(const char *p, const char *end) {
  buf_t name = {0, 0, 0};
  const char *q = skip(p + 9, end); /* after "(register" */
  if (q < end && *q == '"') q = decode_string(q, end, &name);
  q = skip(q, end);
  wb_instance_t inst = last;
  if (q < end && *q == '$') {
    const char *s = q;
    while (q < end && *q != ' ' && *q != ')' && *q != '\n') q++;
    for (int i = 0; i < nnamed; i++)
      if (strlen(named[i].name) == (size_t)(q - s) && !memcmp(named[i].name, s, (size_t)(q - s))) inst = named[i].inst;
  }
  if (name.data && inst.id && nregistered < 64) {
    if (wb_linker_define_instance(linker, name.data, inst) != WB_OK) FAIL("register \"%s\"", name.data);
    snprintf(registered[nregistered++], sizeof registered[0], "%s", name.data);
  }
  free(name.data);
}

static int walk_script(const char *path) {
  script = path;
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)n + 1);
  CHECK(text && fread(text, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
  text[n] = 0;
  const char *end = text + n;

  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.wasm_gc = cfg.wasm_function_references = cfg.wasm_exceptions = true;
  cfg.wasm_wide_arithmetic = cfg.wasm_custom_page_sizes = true;
  cfg.wasm_threads = cfg.wasm_memory64 = true;
  cfg.guest_shared_memory = true;
  OK(wb_engine_new(&cfg, &engine));
  OK(wb_store_new(engine, &store));
  OK(wb_linker_new(engine, &linker));
  OK(wb_linker_allow_shadowing(linker, true));
  make_spectest();

  /* every (module ...) at any depth; registrations at the top level */
  int depth = 0;
  for (const char *p = text; p < end;) {
    p = skip(p, end);
    if (p >= end) break;
    if (*p == '"') {
      p = skip_string(p, end);
    } else if (*p == '(') {
      const char *q = skip(p + 1, end);
      if (!strncmp(q, "module", 6) && (q[6] == ' ' || q[6] == '\n' || q[6] == ')' || q[6] == '\t' || q[6] == '\r')) {
        const char *e = form_end(p, end);
        module_form(q - 1, e, depth == 0);
        p = e;
        continue;
      }
      if (depth == 0 && !strncmp(q, "register", 8)) {
        const char *e = form_end(p, end);
        registration(q - 1, e);
        p = e;
        continue;
      }
      depth++, p++;
    } else if (*p == ')') {
      depth--, p++;
    } else {
      p++;
    }
  }
  OK(wb_store_delete(store));
  OK(wb_linker_delete(linker));
  OK(wb_engine_delete(engine));
  free(text);
  check_no_live_handles();
  printf("spec-walk %s: %ld modules, %ld compiled, %ld instances, %ld exports (%ld refused: tags), %d failed\n",
         path, nmodules, ncompiled, ninstances, nexports, nrefused, failures);
  return failures ? 1 : 0;
}

/* ---- the driver: every script in its own process ------------------------------ */

static char **scripts;
static size_t nscripts, capscripts;

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb, (void)ftw;
  size_t n = strlen(path);
  if (type == FTW_F && n > 5 && !strcmp(path + n - 5, ".wast")) {
    if (nscripts == capscripts) {
      capscripts = capscripts ? capscripts * 2 : 256;
      scripts = realloc(scripts, capscripts * sizeof *scripts);
      CHECK(scripts);
    }
    scripts[nscripts++] = strdup(path);
  }
  return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--file")) return walk_script(argv[2]);
  CHECK(argc == 2);
  struct stat st;
  if (stat(argv[1], &st) != 0) {
    printf("spec-walk: %s does not exist: skipped\n", argv[1]);
    return 77;
  }
  CHECK(nftw(argv[1], collect, 16, FTW_PHYS) == 0);
  qsort(scripts, nscripts, sizeof *scripts, by_name);
  const char *env = getenv("SPEC_WALK_JOBS");
  int jobs = env ? atoi(env) : 2;
  if (jobs < 1 || jobs > 64) jobs = 2;
  /* SPEC_WALK_STRIDE=n walks every n-th script only (the sanitizer tree,
   * where each process is several times slower) */
  env = getenv("SPEC_WALK_STRIDE");
  size_t stride = env && atoi(env) > 0 ? (size_t)atoi(env) : 1;
  if (stride > 1) {
    size_t kept = 0;
    for (size_t i = 0; i < nscripts; i++) {
      if (i % stride == 0) scripts[kept++] = scripts[i];
      else free(scripts[i]);
    }
    nscripts = kept;
  }
  /* Some scripts define tables of 2^32 elements (32 GiB). The kernel lends
   * that lazily; AddressSanitizer's allocator refuses it and, by default,
   * kills the process: let it return NULL, which Wasmtime reports. */
  const char *asan = getenv("ASAN_OPTIONS");
  if (asan) {
    char opts[1024];
    snprintf(opts, sizeof opts, "%s%sallocator_may_return_null=1", asan, asan[0] ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
  }
  double limit = 600; /* seconds per script (the sanitizer build is slow) */
  struct child {
    pid_t pid;
    size_t script;
    double started;
  } running[64];
  int nrunning = 0, bad = 0;
  size_t next = 0, done = 0;
  while (done < nscripts) {
    while (nrunning < jobs && next < nscripts) {
      char *child_argv[] = {argv[0], "--file", scripts[next], NULL};
      pid_t pid;
      CHECK(posix_spawn(&pid, argv[0], NULL, NULL, child_argv, environ) == 0);
      running[nrunning++] = (struct child){pid, next++, now()};
    }
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == 0) {
      for (int i = 0; i < nrunning; i++)
        if (now() - running[i].started > limit) {
          fprintf(stderr, "FAIL %s: still running after %.0f s: killed\n", scripts[running[i].script], limit);
          kill(running[i].pid, SIGKILL);
          running[i].started = now() + 1e9; /* reported once */
          bad++;
        }
      usleep(20000);
      continue;
    }
    CHECK(pid > 0);
    for (int i = 0; i < nrunning; i++) {
      if (running[i].pid != pid) continue;
      const char *name = scripts[running[i].script];
      if (WIFSIGNALED(status)) {
        if (running[i].started < now()) { /* not one we killed for time */
          fprintf(stderr, "FAIL %s: the process died by signal %d (%s)\n", name, WTERMSIG(status),
                  strsignal(WTERMSIG(status)));
          bad++;
        }
      } else if (WEXITSTATUS(status) != 0) {
        fprintf(stderr, "FAIL %s: exit code %d\n", name, WEXITSTATUS(status));
        bad++;
      }
      running[i] = running[--nrunning];
      done++;
      break;
    }
  }
  printf("spec-walk: %zu scripts, %d failed\n", nscripts, bad);
  for (size_t i = 0; i < nscripts; i++) free(scripts[i]);
  free(scripts);
  return bad ? 1 : 0;
}
