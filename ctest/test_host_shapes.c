/* Host functions of every signature the fast trampolines specialise, and a
 * few beyond: 0 to 5 parameters, 0 to 2 results, all i32, all i64, all f32,
 * all f64, or mixed kinds. wasmbound picks a trampoline per signature when a
 * function is defined (dispatch/host.c: one per small shape, per uniform
 * kind, and general ones), so each must pass every value at its width and
 * position, preset the results, refuse a result of the wrong kind, and turn
 * a failing callback into a trap. The calls go through wb_func_call's own
 * fast path too. */
#include "check.h"

#define MAX_PARAMS 5
#define MAX_RESULTS 2

enum { PAT_I32, PAT_I64, PAT_F32, PAT_F64, PAT_MIXED, PAT_COUNT };
static const char *const pattern_names[PAT_COUNT] = {"i32", "i64", "f32", "f64", "mixed"};
static const char *const kind_wat[] = {"i32", "i64", "f32", "f64"};

/* The kind of value i (parameters first, then results) of a pattern. */
static wb_valkind_t kind_at(int pattern, int i) {
  if (pattern == PAT_MIXED) return (wb_valkind_t)((i * 3 + 1) % 4); /* i64 f64 f32 i32 i64 ... */
  return (wb_valkind_t)pattern;
}

typedef struct shape {
  int pattern, np, nr;
  wb_valkind_t kinds[MAX_PARAMS + MAX_RESULTS];
  int calls;
} shape_t;

/* What the callback does this time. */
static enum { ANSWER, WRONG_RESULT_KIND, FAIL } mode;
static wb_store_t the_store;

/* The bits of a value at its width (i32 and f32 zero-extended). */
static uint64_t bits_of(const wb_val_t *v) {
  switch (v->kind) {
  case WB_I32: return (uint32_t)v->of.i32;
  case WB_F32: {
    uint32_t b;
    memcpy(&b, &v->of.f32, 4);
    return b;
  }
  case WB_I64: return (uint64_t)v->of.i64;
  case WB_F64: {
    uint64_t b;
    memcpy(&b, &v->of.f64, 8);
    return b;
  }
  default: return 0;
  }
}

/* The value an argument i of kind k gets in the test: wide values use their
 * high bits, narrow ones their sign, so that a copy at the wrong width or
 * into the wrong position shows. */
static wb_val_t arg_value(wb_valkind_t k, int i) {
  wb_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = k;
  switch (k) {
  case WB_I32: v.of.i32 = (int32_t)(0x80000011u + (uint32_t)i * 0x01010101u); break;
  case WB_I64: v.of.i64 = (int64_t)(0x8000000300000005ull + (uint64_t)i * 0x0100000001000001ull); break;
  case WB_F32: v.of.f32 = -1.5f - (float)i * 0.25f; break;
  case WB_F64: v.of.f64 = 1e300 / (double)(i + 1); break;
  default: break;
  }
  return v;
}

/* Result j of kind k, derived from all the arguments. */
static wb_val_t result_value(wb_valkind_t k, int j, const wb_val_t *args, int np) {
  uint64_t acc = 0x9E3779B97F4A7C15ull * (uint64_t)(j + 1);
  for (int i = 0; i < np; i++) acc = (acc ^ bits_of(&args[i])) * 0x100000001B3ull + (uint64_t)i;
  wb_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = k;
  switch (k) {
  case WB_I32: v.of.i32 = (int32_t)(uint32_t)(acc >> 17); break;
  case WB_I64: v.of.i64 = (int64_t)acc; break;
  case WB_F32: v.of.f32 = (float)(acc % 100003) - 0.5f; break;
  case WB_F64: v.of.f64 = (double)(acc % 1000003) * 1e-3 - 7.0; break;
  default: break;
  }
  return v;
}

static wb_status_t host(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                        size_t nresults) {
  shape_t *sh = env;
  sh->calls++;
  CHECK(nargs == (size_t)sh->np && nresults == (size_t)sh->nr);
  for (int i = 0; i < sh->np; i++) {
    wb_val_t want = arg_value(sh->kinds[i], i);
    CHECK(args[i].kind == sh->kinds[i]);
    CHECK(bits_of(&args[i]) == bits_of(&want));
  }
  for (int j = 0; j < sh->nr; j++) { /* preset: the declared kind, zero */
    CHECK(results[j].kind == sh->kinds[sh->np + j]);
    CHECK(bits_of(&results[j]) == 0);
  }
  wb_store_t s;
  OK(wb_caller_store(caller, &s));
  CHECK(s.id == the_store.id);
  if (mode == FAIL) {
    char msg[96];
    snprintf(msg, sizeof msg, "shape %s/%d/%d says no", pattern_names[sh->pattern], sh->np, sh->nr);
    return wb_set_error(WB_ERR_INVALID_ARGUMENT, msg);
  }
  for (int j = 0; j < sh->nr; j++) results[j] = result_value(sh->kinds[sh->np + j], j, args, sh->np);
  if (mode == WRONG_RESULT_KIND && sh->nr) {
    wb_valkind_t k = results[sh->nr - 1].kind;
    results[sh->nr - 1].kind = k == WB_I32 ? WB_I64 : WB_I32;
  }
  return WB_OK;
}

#define NSHAPES (PAT_COUNT * (MAX_PARAMS + 1) * (MAX_RESULTS + 1))
static shape_t shapes[NSHAPES];

static void name_of(char *buf, size_t n, const char *prefix, const shape_t *sh) {
  snprintf(buf, n, "%s_%s_%d_%d", prefix, pattern_names[sh->pattern], sh->np, sh->nr);
}

/* The WAT signature of a shape: "(param ...) (result ...)". */
static void signature(char *sig, size_t n, const shape_t *sh) {
  size_t l = 0;
  sig[0] = 0;
  if (sh->np) {
    l += (size_t)snprintf(sig + l, n - l, "(param");
    for (int i = 0; i < sh->np; i++) l += (size_t)snprintf(sig + l, n - l, " %s", kind_wat[sh->kinds[i]]);
    l += (size_t)snprintf(sig + l, n - l, ") ");
  }
  if (sh->nr) {
    l += (size_t)snprintf(sig + l, n - l, "(result");
    for (int j = 0; j < sh->nr; j++) l += (size_t)snprintf(sig + l, n - l, " %s", kind_wat[sh->kinds[sh->np + j]]);
    snprintf(sig + l, n - l, ")");
  }
}

/* One module: for every shape, an import "host" "h_<shape>" and an export
 * "c_<shape>" that passes its parameters to the import and returns what the
 * import returns. */
static char *module_wat(void) {
  size_t cap = 1 << 20, len = 0;
  char *w = malloc(cap);
  CHECK(w != NULL);
  len += (size_t)snprintf(w + len, cap - len, "(module\n");
  for (int s = 0; s < NSHAPES; s++) {
    char name[64], sig[256];
    name_of(name, sizeof name, "h", &shapes[s]);
    signature(sig, sizeof sig, &shapes[s]);
    len += (size_t)snprintf(w + len, cap - len, "  (import \"host\" \"%s\" (func $%s %s))\n", name, name, sig);
  }
  for (int s = 0; s < NSHAPES; s++) {
    char name[64], export[64], sig[256];
    name_of(name, sizeof name, "h", &shapes[s]);
    name_of(export, sizeof export, "c", &shapes[s]);
    signature(sig, sizeof sig, &shapes[s]);
    len += (size_t)snprintf(w + len, cap - len, "  (func (export \"%s\") %s", export, sig);
    for (int i = 0; i < shapes[s].np; i++) len += (size_t)snprintf(w + len, cap - len, " local.get %d", i);
    len += (size_t)snprintf(w + len, cap - len, " call $%s)\n", name);
  }
  len += (size_t)snprintf(w + len, cap - len, ")\n");
  CHECK(len < cap);
  return w;
}

static void call_shape(wb_instance_t inst, shape_t *sh) {
  char export[64];
  name_of(export, sizeof export, "c", sh);
  wb_func_t f;
  OK(wb_instance_get_func(inst, export, &f));
  wb_val_t args[MAX_PARAMS], results[MAX_RESULTS];
  for (int i = 0; i < sh->np; i++) args[i] = arg_value(sh->kinds[i], i);
  memset(results, 0xA5, sizeof results);

  mode = ANSWER;
  OK(wb_func_call(f, args, (size_t)sh->np, results, (size_t)sh->nr));
  for (int j = 0; j < sh->nr; j++) {
    wb_val_t want = result_value(sh->kinds[sh->np + j], j, args, sh->np);
    if (results[j].kind != want.kind || bits_of(&results[j]) != bits_of(&want)) {
      fprintf(stderr, "%s: result %d is kind %d bits 0x%llx, expected kind %d bits 0x%llx\n", export, j,
              (int)results[j].kind, (unsigned long long)bits_of(&results[j]), (int)want.kind,
              (unsigned long long)bits_of(&want));
      exit(1);
    }
  }

  char msg[96];
  mode = FAIL;
  snprintf(msg, sizeof msg, "shape %s/%d/%d says no", pattern_names[sh->pattern], sh->np, sh->nr);
  EXPECT(wb_func_call(f, args, (size_t)sh->np, results, (size_t)sh->nr), WB_ERR_TRAP, msg);

  if (sh->nr) {
    mode = WRONG_RESULT_KIND;
    EXPECT(wb_func_call(f, args, (size_t)sh->np, results, (size_t)sh->nr), WB_ERR_TRAP, "the callback's result");
  }

  /* a wrong argument kind is refused by wb_func_call before the host runs */
  if (sh->np) {
    int before = sh->calls;
    wb_val_t bad[MAX_PARAMS];
    memcpy(bad, args, sizeof bad);
    bad[0].kind = bad[0].kind == WB_I32 ? WB_I64 : WB_I32;
    mode = ANSWER;
    EXPECT(wb_func_call(f, bad, (size_t)sh->np, results, (size_t)sh->nr), WB_ERR_TYPE_MISMATCH, "argument 0");
    CHECK(sh->calls == before);
  }
}

int main(void) {
  int n = 0;
  for (int p = 0; p < PAT_COUNT; p++)
    for (int np = 0; np <= MAX_PARAMS; np++)
      for (int nr = 0; nr <= MAX_RESULTS; nr++) {
        shape_t *sh = &shapes[n++];
        sh->pattern = p;
        sh->np = np;
        sh->nr = nr;
        for (int i = 0; i < np + nr; i++) sh->kinds[i] = kind_at(p, i);
      }
  CHECK(n == NSHAPES);

  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  char *wat = module_wat();
  wb_module_t m = compile_wat(e, wat);
  free(wat);
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  for (int s = 0; s < NSHAPES; s++) {
    char name[64];
    name_of(name, sizeof name, "h", &shapes[s]);
    OK(wb_linker_define_func(l, "host", name, shapes[s].kinds, (size_t)shapes[s].np, shapes[s].kinds + shapes[s].np,
                             (size_t)shapes[s].nr, host, &shapes[s], NULL));
  }
  OK(wb_store_new(e, &the_store));
  wb_instance_t inst;
  OK(wb_linker_instantiate(l, the_store, m, &inst));
  for (int s = 0; s < NSHAPES; s++) call_shape(inst, &shapes[s]);
  for (int s = 0; s < NSHAPES; s++) CHECK(shapes[s].calls == 2 + (shapes[s].nr ? 1 : 0));

  OK(wb_store_delete(the_store));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("host_shapes");
}
