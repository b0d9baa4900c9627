/* api_fuzz: a libFuzzer harness that reads its input as a program of
 * wasmbound API calls and runs it on two threads: the main thread (T0) and
 * one persistent second thread (T1) that runs the operations handed to it,
 * one at a time. Operations never overlap, so every status is predictable:
 * a model tracks which handles are alive, which thread owns each store,
 * which store and instance each child belongs to, the state of every
 * instance (memory bytes and size, globals, pending interrupts), and the
 * library's statistics. After every call the returned status (and result)
 * is compared with the model's prediction; a mismatch abort()s, which
 * libFuzzer reports as a crash with the input.
 *
 * Everything an input creates is deleted at its end (and checked against
 * wb_stats_get), so nothing leaks from one input to the next. The shared
 * fixture (two engines and a few compiled modules) is made once, in
 * LLVMFuzzerInitialize; programs also create and delete engines and modules
 * of their own, so deleting engines and modules that have users is fuzzed.
 *
 * Build: clang -fsanitize=fuzzer (fuzz/run.sh); gcc with fuzz/replay_main.c
 * replays the corpus as the CTest fuzz_regressions. API_FUZZ_TRACE=1 in the
 * environment prints every operation and its status.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmbound.h"

/* ---- limits ----------------------------------------------------------------- */

enum {
  MAX_ENTS = 512,       /* model entries per input (fixture included) */
  MAX_OPS = 200,        /* operations per input */
  MAX_ENGINES = 2,      /* engines an input may create */
  MAX_MODULES = 3,      /* modules an input may compile */
  MAX_STORES = 8,       /* stores live at once */
  MAX_INSTANCES = 12,   /* instances an input may create */
  MAX_RESTARTS = 2,     /* T1 exits (orphaning its stores) and is replaced */
  PAGE = 65536,
  IOBUF = 4 * PAGE,
};

/* ---- the modules ------------------------------------------------------------ */

static const char *MAIN_WAT =
    "(module\n"
    " (memory (export \"mem\") 1 3)\n"
    " (global $g (export \"g\") (mut i32) (i32.const 0))\n"
    " (global (export \"c\") i64 (i64.const 7))\n"
    " (global (export \"fr\") (mut funcref) (ref.null func))\n"
    " (table (export \"tab\") 1 funcref)\n"
    " (func (export \"add\") (export \"add2\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)\n"
    " (func (export \"sum64\") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)\n"
    " (func (export \"fmul\") (param f64 f64) (result f64) local.get 0 local.get 1 f64.mul)\n"
    " (func (export \"id_fr\") (param funcref) (result funcref) local.get 0)\n"
    " (func (export \"trap\") unreachable)\n"
    " (func (export \"load\") (param i32) (result i32) local.get 0 i32.load)\n"
    " (func (export \"store\") (param i32 i32) local.get 0 local.get 1 i32.store)\n"
    " (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)\n"
    " (func (export \"size\") (result i32) memory.size)\n"
    " (func (export \"get_g\") (result i32) global.get $g)\n"
    " (func (export \"set_g\") (param i32) local.get 0 global.set $g)\n"
    " (func (export \"v\") (param v128) (result v128) local.get 0))";
static const char *TINY_WAT = "(module (func (export \"f\") (result i32) i32.const 7) (memory (export \"mem\") 0 1))";
static const char *IMPORTS_WAT = "(module (import \"env\" \"h\" (func)))";
static const char *START_TRAP_WAT = "(module (func $s unreachable) (start $s))";
static const char *INVALID_WAT = "(module (func (result i32)))";

enum { MOD_MAIN, MOD_TINY, MOD_IMPORTS, MOD_START_TRAP };

/* function descriptors; index = slot in an instance's fent[] */
enum { F_ADD, F_SUM64, F_FMUL, F_ID_FR, F_TRAP, F_LOAD, F_STORE, F_GROW, F_SIZE, F_GET_G, F_SET_G, F_V, F_F, NFUNCS };
typedef struct fdesc {
  int np, nr;
  wb_valkind_t p[2], r[1];
} fdesc_t;
static const fdesc_t FUNCS[NFUNCS] = {
    [F_ADD] = {2, 1, {WB_I32, WB_I32}, {WB_I32}},
    [F_SUM64] = {2, 1, {WB_I64, WB_I64}, {WB_I64}},
    [F_FMUL] = {2, 1, {WB_F64, WB_F64}, {WB_F64}},
    [F_ID_FR] = {1, 1, {WB_FUNCREF, WB_I32}, {WB_FUNCREF}},
    [F_TRAP] = {0, 0, {WB_I32, WB_I32}, {WB_I32}},
    [F_LOAD] = {1, 1, {WB_I32, WB_I32}, {WB_I32}},
    [F_STORE] = {2, 0, {WB_I32, WB_I32}, {WB_I32}},
    [F_GROW] = {1, 1, {WB_I32, WB_I32}, {WB_I32}},
    [F_SIZE] = {0, 1, {WB_I32, WB_I32}, {WB_I32}},
    [F_GET_G] = {0, 1, {WB_I32, WB_I32}, {WB_I32}},
    [F_SET_G] = {1, 0, {WB_I32, WB_I32}, {WB_I32}},
    [F_V] = {1, 1, {WB_V128, WB_I32}, {WB_V128}},
    [F_F] = {0, 1, {WB_I32, WB_I32}, {WB_I32}},
};

enum { G_G, G_C, G_FR, NGLOBALS };
enum { X_FUNC, X_MEMORY, X_GLOBAL, X_TABLE, X_NONE };

/* names a lookup may ask for; NULL and invalid UTF-8 included */
static const char *const NAMES[] = {"add", "add2", "sum64", "fmul", "id_fr", "trap", "load", "store", "grow",
                                    "size", "get_g", "set_g", "v", "f", "mem", "g", "c", "fr", "tab", "nope",
                                    "", NULL, "\xff\xfe"};
enum { NNAMES = sizeof NAMES / sizeof NAMES[0] };

/* what name means in a module: kind and slot (function or global index) */
static int export_of(int modkind, const char *name, int *slot) {
  static const struct {
    const char *name;
    int kind, slot;
  } main_x[] = {{"add", X_FUNC, F_ADD},     {"add2", X_FUNC, F_ADD},   {"sum64", X_FUNC, F_SUM64},
                {"fmul", X_FUNC, F_FMUL},   {"id_fr", X_FUNC, F_ID_FR}, {"trap", X_FUNC, F_TRAP},
                {"load", X_FUNC, F_LOAD},   {"store", X_FUNC, F_STORE}, {"grow", X_FUNC, F_GROW},
                {"size", X_FUNC, F_SIZE},   {"get_g", X_FUNC, F_GET_G}, {"set_g", X_FUNC, F_SET_G},
                {"v", X_FUNC, F_V},         {"mem", X_MEMORY, 0},      {"g", X_GLOBAL, G_G},
                {"c", X_GLOBAL, G_C},       {"fr", X_GLOBAL, G_FR},    {"tab", X_TABLE, 0}};
  if (modkind == MOD_MAIN) {
    for (size_t i = 0; i < sizeof main_x / sizeof main_x[0]; i++)
      if (strcmp(main_x[i].name, name) == 0) {
        *slot = main_x[i].slot;
        return main_x[i].kind;
      }
  } else if (modkind == MOD_TINY) {
    if (strcmp(name, "f") == 0) {
      *slot = F_F;
      return X_FUNC;
    }
    if (strcmp(name, "mem") == 0) {
      *slot = 0;
      return X_MEMORY;
    }
  }
  return X_NONE;
}

/* ---- the model ---------------------------------------------------------------- */

enum { K_ENGINE, K_MODULE, K_STORE, K_INSTANCE, K_FUNC, K_MEMORY, K_GLOBAL, NKINDS };
static const char *const KIND_NAMES[NKINDS] = {"engine", "module", "store", "instance", "func", "memory", "global"};
enum { OWN_T0, OWN_T1, OWN_RELEASED, OWN_ORPHANED };

typedef struct ent {
  uint64_t id;
  int kind, live, fixture;
  int engine;  /* module, store: its engine's entry */
  int store;   /* instance, func, memory, global: its store's entry */
  int inst;    /* func, memory, global: its instance's entry */
  int modkind; /* module, instance */
  int slot;    /* func: F_*; global: G_* */
  /* stores */
  int owner, pending;
  /* instances */
  uint32_t pages, max_pages;
  uint8_t *mem; /* shadow of the linear memory (max_pages bytes) */
  int32_t g;
  int fr;       /* entry of the func in global "fr", -1 = null */
  int fent[NFUNCS], ment, gent[NGLOBALS];
} ent_t;

static ent_t E[MAX_ENTS];
static int nents, nfixture;
static int engines_made, modules_made, instances_made, restarts;

/* expected values of the library's event counters */
static uint64_t want_wrong_thread, want_traps, want_interrupts;

static __thread int me = -1; /* 0 on T0, 1 on T1 */
static int trace;
static int op_no;

static void fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void fail(int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "\napi_fuzz.c:%d: MODEL MISMATCH at operation %d on T%d: ", line, op_no, me);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n  last error on this thread: %s\n", wb_last_error());
  fflush(stderr);
  abort();
}
#define FAIL(...) fail(__LINE__, __VA_ARGS__)

static void tracef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void tracef(const char *fmt, ...) {
  if (!trace) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "[%3d T%d] ", op_no, me);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static int find(uint64_t id) {
  if (id == 0) return -1;
  for (int i = 0; i < nents; i++)
    if (E[i].id == id) return i;
  return -1;
}

static int add_ent(uint64_t id, int kind) {
  if (id == 0) FAIL("a new %s has the null id", KIND_NAMES[kind]);
  if (find(id) >= 0) FAIL("a new %s reuses the id %#llx of an earlier handle", KIND_NAMES[kind], (unsigned long long)id);
  if (nents >= MAX_ENTS) FAIL("model full");
  ent_t *e = &E[nents];
  memset(e, 0, sizeof *e);
  e->id = id;
  e->kind = kind;
  e->live = 1;
  e->engine = e->store = e->inst = e->fr = e->ment = -1;
  for (int i = 0; i < NFUNCS; i++) e->fent[i] = -1;
  for (int i = 0; i < NGLOBALS; i++) e->gent[i] = -1;
  return nents++;
}

static int count_live(int kind) {
  int n = 0;
  for (int i = 0; i < nents; i++) n += E[i].kind == kind && E[i].live;
  return n;
}

static void kill_store(int s) {
  E[s].live = 0;
  for (int i = 0; i < nents; i++)
    if (E[i].store == s && E[i].live) {
      E[i].live = 0;
      if (E[i].kind == K_INSTANCE) {
        free(E[i].mem);
        E[i].mem = 0;
      }
    }
}

/* expect: the status must be `want`; failures must leave a message */
static void expect(const char *what, wb_status_t got, wb_status_t want) {
  tracef("%s -> %s (model: %s)", what, wb_status_name(got), wb_status_name(want));
  if (got != want) FAIL("%s returned %s, the model expected %s", what, wb_status_name(got), wb_status_name(want));
  if (got != WB_OK && !wb_last_error()[0]) FAIL("%s returned %s with an empty wb_last_error()", what, wb_status_name(got));
  if (got == WB_ERR_WRONG_THREAD) want_wrong_thread++;
}

/* ---- predictions shared by many operations ------------------------------------- */

/* A store-bound handle (or a store) used on this thread: wbh_bound's answer. */
static wb_status_t pred_bound(uint64_t id, int kind, int *ent) {
  int i = find(id);
  *ent = -1;
  if (i < 0 || E[i].kind != kind || !E[i].live) return WB_ERR_INVALID_HANDLE;
  int s = kind == K_STORE ? i : E[i].store;
  if (E[s].owner != me) return WB_ERR_WRONG_THREAD;
  *ent = i;
  return WB_OK;
}

/* A shared handle (engine, module): live and of that kind. */
static wb_status_t pred_shared(uint64_t id, int kind, int *ent) {
  int i = find(id);
  *ent = -1;
  if (i < 0 || E[i].kind != kind || !E[i].live) return WB_ERR_INVALID_HANDLE;
  *ent = i;
  return WB_OK;
}

/* ---- reading the program ----------------------------------------------------------- */

typedef struct rd {
  const uint8_t *p;
  size_t n;
} rd_t;

static uint8_t u8(rd_t *r) {
  if (!r->n) return 0;
  r->n--;
  return *r->p++;
}
static uint32_t u32(rd_t *r) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)u8(r) << (8 * i);
  return v;
}
static uint64_t u64(rd_t *r) { return (uint64_t)u32(r) | (uint64_t)u32(r) << 32; }

/* An id to present as `kind`: a known handle of that kind (live first, or
 * any), one of another kind, one with a bit flipped or a field changed, a
 * raw 64-bit value, or null. */
static uint64_t choose(rd_t *r, int kind) {
  uint8_t s = u8(r);
  int idx[MAX_ENTS], n = 0;
  if (s < 0xC0) {
    for (int i = 0; i < nents; i++)
      if (E[i].kind == kind && (E[i].live || s >= 0x90)) idx[n++] = i;
    if (!n)
      for (int i = 0; i < nents; i++)
        if (E[i].kind == kind) idx[n++] = i;
    return n ? E[idx[s % n]].id : 0;
  }
  if (s < 0xD0) return nents ? E[u8(r) % nents].id : 0; /* any kind */
  if (s >= 0xFC) return 0;
  if (s >= 0xF4) return u64(r); /* raw */
  for (int i = 0; i < nents; i++)
    if (E[i].kind == kind) idx[n++] = i;
  uint64_t base = n ? E[idx[u8(r) % n]].id : 0;
  if (s < 0xE0) return base ^ (UINT64_C(1) << (u8(r) % 64)); /* one bit flipped */
  if (s < 0xE8) return base + ((uint64_t)(u8(r) % 3) - 1) * (UINT64_C(1) << 32); /* generation +-1 */
  if (s < 0xF0) return (base & ~(UINT64_C(0xff) << 24)) | (uint64_t)(u8(r) % 16) << 24; /* kind tag */
  return base ^ (uint64_t)u8(r);                                                       /* nearby slot */
}

/* ---- T1: the second thread ------------------------------------------------------- */

typedef void (*op_fn)(rd_t *r);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static op_fn job;
static rd_t *job_rd;
static int job_state; /* 0 idle, 1 posted, 2 done */
static int t1_quit;
static pthread_t t1;

static void *t1_main(void *arg) {
  (void)arg;
  me = 1;
  pthread_mutex_lock(&mu);
  for (;;) {
    while (job_state != 1 && !t1_quit) pthread_cond_wait(&cv, &mu);
    if (t1_quit) break;
    pthread_mutex_unlock(&mu);
    job(job_rd);
    pthread_mutex_lock(&mu);
    job_state = 2;
    pthread_cond_broadcast(&cv);
  }
  pthread_mutex_unlock(&mu);
  return 0;
}

static void t1_start(void) {
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 8u << 20); /* wasm needs max_wasm_stack + margin */
  t1_quit = 0;
  if (pthread_create(&t1, &a, t1_main, 0)) {
    fprintf(stderr, "api_fuzz: cannot start the second thread\n");
    abort();
  }
  pthread_attr_destroy(&a);
}

static void t1_stop(void) {
  pthread_mutex_lock(&mu);
  t1_quit = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  pthread_join(t1, 0);
}

static void run_on(int thread, op_fn fn, rd_t *r) {
  if (thread == 0) {
    fn(r);
    return;
  }
  pthread_mutex_lock(&mu);
  job = fn;
  job_rd = r;
  job_state = 1;
  pthread_cond_broadcast(&cv);
  while (job_state != 2) pthread_cond_wait(&cv, &mu);
  job_state = 0;
  pthread_mutex_unlock(&mu);
}

/* ---- statistics ------------------------------------------------------------------ */

static void check_stats(void) {
  wb_stats_t s = WB_STATS_INIT;
  if (wb_stats_get(&s) != WB_OK) FAIL("wb_stats_get failed");
  uint64_t engines = 0, orphans = 0;
  for (int i = 0; i < nents; i++) {
    /* a deleted engine's object lives on while its stores do, but its
     * handle no longer counts as live */
    if (E[i].kind == K_ENGINE) engines += E[i].live;
    if (E[i].kind == K_STORE && E[i].live && E[i].owner == OWN_ORPHANED) orphans++;
  }
  struct {
    const char *name;
    uint64_t got, want;
  } c[] = {
      {"live_engines", s.live_engines, engines},
      {"live_modules", s.live_modules, (uint64_t)count_live(K_MODULE)},
      {"live_stores", s.live_stores, (uint64_t)count_live(K_STORE)},
      {"live_instances", s.live_instances, (uint64_t)count_live(K_INSTANCE)},
      {"live_funcs", s.live_funcs, (uint64_t)count_live(K_FUNC)},
      {"live_memories", s.live_memories, (uint64_t)count_live(K_MEMORY)},
      {"live_globals", s.live_globals, (uint64_t)count_live(K_GLOBAL)},
      {"live_handles", s.live_handles,
       engines + (uint64_t)(count_live(K_MODULE) + count_live(K_STORE) + count_live(K_INSTANCE) + count_live(K_FUNC) +
                            count_live(K_MEMORY) + count_live(K_GLOBAL))},
      {"orphaned_stores", s.orphaned_stores, orphans},
      {"wrong_thread_refusals", s.wrong_thread_refusals, want_wrong_thread},
      {"traps", s.traps, want_traps},
      {"interrupts", s.interrupts, want_interrupts},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
    if (c[i].got != c[i].want)
      FAIL("wb_stats_get: %s is %llu, the model expected %llu", c[i].name, (unsigned long long)c[i].got,
           (unsigned long long)c[i].want);
}

/* ---- operations --------------------------------------------------------------------- */

static const uint64_t SENTINEL = UINT64_C(0x5e5e5e5e5e5e5e5e);

static void op_engine_new(rd_t *r) {
  (void)r;
  if (engines_made >= MAX_ENGINES || nents + 1 >= MAX_ENTS) return;
  wb_engine_config_t cfg;
  expect("wb_engine_config_init", wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION), WB_OK);
  cfg.parallel_compilation = false; /* one core for the fuzzer */
  wb_engine_t e = {SENTINEL};
  expect("wb_engine_new", wb_engine_new(&cfg, &e), WB_OK);
  engines_made++;
  int i = add_ent(e.id, K_ENGINE);
  E[i].engine = i;
}

static void op_engine_delete(rd_t *r) {
  uint64_t id = choose(r, K_ENGINE);
  int i = find(id);
  if (i >= 0 && E[i].fixture && E[i].kind == K_ENGINE && E[i].live) return; /* shared by all inputs */
  wb_status_t want = id == 0 ? WB_OK : pred_shared(id, K_ENGINE, &i);
  expect("wb_engine_delete", wb_engine_delete((wb_engine_t){id}), want);
  if (want == WB_OK && i >= 0) E[i].live = 0;
}

static void op_module_new(rd_t *r) {
  uint64_t eid = choose(r, K_ENGINE);
  int which = u8(r) % 4;
  if (modules_made >= MAX_MODULES || nents + 1 >= MAX_ENTS) return;
  const char *src = which == 0 ? INVALID_WAT : which == 1 ? IMPORTS_WAT : TINY_WAT;
  int e;
  wb_status_t want = pred_shared(eid, K_ENGINE, &e);
  if (want == WB_OK && which == 0) want = WB_ERR_COMPILE;
  wb_module_t m = {SENTINEL};
  modules_made++;
  expect("wb_module_new", wb_module_new((wb_engine_t){eid}, (const uint8_t *)src, strlen(src), &m), want);
  if (want != WB_OK) {
    if (m.id != SENTINEL) FAIL("wb_module_new wrote its out-parameter on failure");
    return;
  }
  int i = add_ent(m.id, K_MODULE);
  E[i].engine = e;
  E[i].modkind = which == 1 ? MOD_IMPORTS : MOD_TINY;
}

static void op_module_delete(rd_t *r) {
  uint64_t id = choose(r, K_MODULE);
  int i = find(id);
  if (i >= 0 && E[i].fixture && E[i].kind == K_MODULE && E[i].live) return;
  wb_status_t want = id == 0 ? WB_OK : pred_shared(id, K_MODULE, &i);
  expect("wb_module_delete", wb_module_delete((wb_module_t){id}), want);
  if (want == WB_OK && i >= 0) E[i].live = 0;
}

/* random bytes (or WAT) to validate: they may or may not be a module */
static void op_module_validate(rd_t *r) {
  uint64_t eid = choose(r, K_ENGINE);
  size_t len = u8(r) % 48;
  if (len > r->n) len = r->n;
  uint8_t bytes[48];
  memcpy(bytes, r->p, len);
  r->p += len;
  r->n -= len;
  int e;
  wb_status_t want = len == 0 ? WB_ERR_INVALID_ARGUMENT : pred_shared(eid, K_ENGINE, &e);
  wb_status_t got = wb_module_validate((wb_engine_t){eid}, len ? bytes : (const uint8_t *)"", len);
  if (want == WB_OK && got == WB_ERR_COMPILE) want = WB_ERR_COMPILE;
  expect("wb_module_validate", got, want);
}

static void op_store_new(rd_t *r) {
  uint64_t eid = choose(r, K_ENGINE);
  if (count_live(K_STORE) >= MAX_STORES || nents + 1 >= MAX_ENTS) return;
  int e;
  wb_status_t want = pred_shared(eid, K_ENGINE, &e);
  wb_store_t s = {SENTINEL};
  expect("wb_store_new", wb_store_new((wb_engine_t){eid}, &s), want);
  if (want != WB_OK) {
    if (s.id != SENTINEL) FAIL("wb_store_new wrote its out-parameter on failure");
    return;
  }
  int i = add_ent(s.id, K_STORE);
  E[i].engine = e;
  E[i].owner = me;
}

static void op_store_delete(rd_t *r) {
  uint64_t id = choose(r, K_STORE);
  int i = find(id);
  wb_status_t want = WB_OK;
  if (id != 0) {
    if (i < 0 || E[i].kind != K_STORE || !E[i].live) want = WB_ERR_INVALID_HANDLE;
    else if (E[i].owner != me && E[i].owner != OWN_RELEASED && E[i].owner != OWN_ORPHANED) want = WB_ERR_WRONG_THREAD;
  }
  expect("wb_store_delete", wb_store_delete((wb_store_t){id}), want);
  if (want == WB_OK && id != 0) kill_store(i);
}

static void op_store_release(rd_t *r) {
  uint64_t id = choose(r, K_STORE);
  int i;
  wb_status_t want = pred_bound(id, K_STORE, &i);
  expect("wb_store_release", wb_store_release((wb_store_t){id}), want);
  if (want == WB_OK) E[i].owner = OWN_RELEASED;
}

static void op_store_adopt(rd_t *r) {
  uint64_t id = choose(r, K_STORE);
  int i = find(id);
  wb_status_t want = WB_OK;
  if (i < 0 || E[i].kind != K_STORE || !E[i].live) want = WB_ERR_INVALID_HANDLE;
  else if (E[i].owner != me && E[i].owner != OWN_RELEASED && E[i].owner != OWN_ORPHANED) want = WB_ERR_WRONG_THREAD;
  expect("wb_store_adopt", wb_store_adopt((wb_store_t){id}), want);
  if (want == WB_OK) E[i].owner = me;
}

static void op_store_interrupt(rd_t *r) {
  uint64_t id = choose(r, K_STORE);
  int i;
  wb_status_t want = pred_shared(id, K_STORE, &i); /* any thread, any owner */
  expect("wb_store_interrupt", wb_store_interrupt((wb_store_t){id}), want);
  if (want == WB_OK) E[i].pending = 1;
}

static void op_instance_new(rd_t *r) {
  uint64_t sid = choose(r, K_STORE), mid = choose(r, K_MODULE);
  if (instances_made >= MAX_INSTANCES || nents + 1 >= MAX_ENTS) return;
  int s, m = -1;
  wb_status_t want = pred_bound(sid, K_STORE, &s);
  if (want == WB_OK) want = pred_shared(mid, K_MODULE, &m);
  if (want == WB_OK && E[m].engine != E[s].engine) want = WB_ERR_INVALID_ARGUMENT;
  if (want == WB_OK && E[m].modkind == MOD_IMPORTS) want = WB_ERR_LINK;
  if (want == WB_OK && E[m].modkind == MOD_START_TRAP) want = WB_ERR_TRAP;
  instances_made++;
  wb_instance_t inst = {SENTINEL};
  wb_status_t got = wb_instance_new((wb_store_t){sid}, (wb_module_t){mid}, &inst);
  if ((want == WB_OK || want == WB_ERR_TRAP) && E[s].pending) {
    /* a pending interrupt stops the next instantiation (its start function
     * is the store's next wasm), whether or not it has a start function,
     * once (README: start functions run under interrupts) */
    want = WB_ERR_INTERRUPTED;
    E[s].pending = 0;
    want_interrupts++;
    if (got == WB_ERR_INTERRUPTED && wb_last_trap_code() != WB_TRAP_INTERRUPT)
      FAIL("interrupted instantiation: trap code %d", wb_last_trap_code());
  } else if (want == WB_ERR_TRAP) {
    want_traps++;
    if (got == WB_ERR_TRAP && wb_last_trap_code() != WB_TRAP_UNREACHABLE)
      FAIL("trapping start function: trap code %d, expected UNREACHABLE", wb_last_trap_code());
  }
  expect("wb_instance_new", got, want);
  if (want != WB_OK) {
    if (inst.id != SENTINEL) FAIL("wb_instance_new wrote its out-parameter on failure");
    return;
  }
  int i = add_ent(inst.id, K_INSTANCE);
  E[i].store = s;
  E[i].modkind = E[m].modkind;
  E[i].pages = E[m].modkind == MOD_MAIN ? 1 : 0;
  E[i].max_pages = E[m].modkind == MOD_MAIN ? 3 : 1;
  E[i].mem = calloc(E[i].max_pages, PAGE);
  if (!E[i].mem) abort();
}

/* wb_instance_get_func / _memory / _global */
static void op_get_export(rd_t *r, int want_x) {
  uint64_t iid = choose(r, K_INSTANCE);
  const char *name = NAMES[u8(r) % NNAMES];
  int null_out = u8(r) % 16 == 0;
  if (nents + 1 >= MAX_ENTS) return;
  int in, slot = 0, x = X_NONE;
  wb_status_t want = pred_bound(iid, K_INSTANCE, &in);
  if (want == WB_OK && (!name || name[0] == '\xff')) want = WB_ERR_INVALID_ARGUMENT;
  if (want == WB_OK && null_out) want = WB_ERR_INVALID_ARGUMENT;
  if (want == WB_OK) {
    x = export_of(E[in].modkind, name, &slot);
    want = x == X_NONE ? WB_ERR_NOT_FOUND : x != want_x ? WB_ERR_TYPE_MISMATCH : WB_OK;
  }
  uint64_t out = SENTINEL;
  wb_status_t got;
  const char *what;
  if (want_x == X_FUNC) {
    what = "wb_instance_get_func";
    got = wb_instance_get_func((wb_instance_t){iid}, name, null_out ? NULL : (wb_func_t *)&out);
  } else if (want_x == X_MEMORY) {
    what = "wb_instance_get_memory";
    got = wb_instance_get_memory((wb_instance_t){iid}, name, null_out ? NULL : (wb_memory_t *)&out);
  } else {
    what = "wb_instance_get_global";
    got = wb_instance_get_global((wb_instance_t){iid}, name, null_out ? NULL : (wb_global_t *)&out);
  }
  expect(what, got, want);
  if (want != WB_OK) {
    if (out != SENTINEL) FAIL("%s wrote its out-parameter on failure", what);
    return;
  }
  int *known = want_x == X_FUNC ? &E[in].fent[slot] : want_x == X_MEMORY ? &E[in].ment : &E[in].gent[slot];
  if (*known >= 0) { /* the same export gives the same handle */
    if (out != E[*known].id)
      FAIL("%s(\"%s\") gave %#llx, but the same export gave %#llx before", what, name, (unsigned long long)out,
           (unsigned long long)E[*known].id);
    return;
  }
  int k = want_x == X_FUNC ? K_FUNC : want_x == X_MEMORY ? K_MEMORY : K_GLOBAL;
  int i = add_ent(out, k);
  E[i].store = E[in].store;
  E[i].inst = in;
  E[i].slot = slot;
  *known = i;
}

static void op_get_func(rd_t *r) { op_get_export(r, X_FUNC); }
static void op_get_memory(rd_t *r) { op_get_export(r, X_MEMORY); }
static void op_get_global(rd_t *r) { op_get_export(r, X_GLOBAL); }

/* a funcref argument: null, or any func id (maybe of another store or thread) */
static wb_status_t pred_funcref(uint64_t id, int store, int *ent) {
  *ent = -1;
  if (id == 0) return WB_OK;
  wb_status_t st = pred_bound(id, K_FUNC, ent);
  if (st == WB_OK && E[*ent].store != store) return WB_ERR_INVALID_ARGUMENT;
  return st;
}

static int32_t addr_arg(rd_t *r, const ent_t *in) {
  uint8_t b = u8(r);
  if (b < 64) return b;
  if (b < 160) return (int32_t)(in->pages * PAGE - (b - 64) % 8);
  return (int32_t)u32(r);
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static void op_call(rd_t *r) {
  uint64_t fid = choose(r, K_FUNC);
  uint8_t pattern = u8(r);
  int f;
  wb_status_t want = pred_bound(fid, K_FUNC, &f);
  const fdesc_t *d = want == WB_OK ? &FUNCS[E[f].slot] : &FUNCS[F_ADD];
  ent_t *in = want == WB_OK ? &E[E[f].inst] : NULL;
  size_t nargs = (size_t)d->np, nres = (size_t)d->nr;
  int null_args = 0, null_res = 0, bad_kind = -1;
  switch (pattern % 16) {
  case 0: nargs++; break;
  case 1: nres = nres ? nres - 1 : 1; break;
  case 2: null_args = 1; break;
  case 3: null_res = 1; break;
  case 4: bad_kind = nargs ? (int)(u8(r) % nargs) : -1; break;
  default: break;
  }
  wb_val_t args[3], res[2];
  memset(args, 0, sizeof args);
  memset(res, 0xa5, sizeof res);
  int fr_ent[3] = {-1, -1, -1};
  wb_status_t arg_st[3] = {WB_OK, WB_OK, WB_OK};
  for (size_t a = 0; a < nargs && a < 3; a++) {
    wb_valkind_t k = a < (size_t)d->np ? d->p[a] : WB_I32;
    if ((int)a == bad_kind) k = (wb_valkind_t)((k + 1 + u8(r) % 6) % 7);
    args[a].kind = k;
    switch (k) {
    case WB_I32: args[a].of.i32 = in && (E[f].slot == F_LOAD || E[f].slot == F_STORE) && a == 0 ? addr_arg(r, in) : (int32_t)u32(r); break;
    case WB_I64: args[a].of.i64 = (int64_t)u64(r); break;
    case WB_F32: args[a].of.f32 = (float)(int8_t)u8(r); break;
    case WB_F64: args[a].of.f64 = (double)(int32_t)u32(r); break;
    case WB_V128:
      for (int b = 0; b < 16; b++) args[a].of.v128[b] = u8(r);
      break;
    case WB_FUNCREF:
      args[a].of.funcref.id = choose(r, K_FUNC);
      if (in) arg_st[a] = pred_funcref(args[a].of.funcref.id, in->store, &fr_ent[a]);
      break;
    default: break;
    }
  }
  if (want == WB_OK && (nargs != (size_t)d->np || nres != (size_t)d->nr)) want = WB_ERR_TYPE_MISMATCH;
  if (want == WB_OK && ((null_args && nargs) || (null_res && nres))) want = WB_ERR_INVALID_ARGUMENT;
  if (want == WB_OK && E[E[f].store].pending) {
    want = WB_ERR_INTERRUPTED;
    E[E[f].store].pending = 0;
    want_interrupts++;
  }
  for (size_t a = 0; a < nargs && want == WB_OK; a++) {
    if ((int)a == bad_kind && args[a].kind != d->p[a]) want = WB_ERR_TYPE_MISMATCH;
    else if (args[a].kind == WB_FUNCREF) want = arg_st[a];
  }
  /* what the function does */
  int trap = 0;
  wb_val_t out = {0};
  out.kind = d->nr ? d->r[0] : WB_I32;
  int check_value = 1, out_fr = -1;
  if (want == WB_OK) {
    uint64_t size = (uint64_t)in->pages * PAGE;
    switch (E[f].slot) {
    case F_ADD: out.of.i32 = (int32_t)((uint32_t)args[0].of.i32 + (uint32_t)args[1].of.i32); break;
    case F_SUM64: out.of.i64 = (int64_t)((uint64_t)args[0].of.i64 + (uint64_t)args[1].of.i64); break;
    case F_FMUL: check_value = 0; break;
    case F_ID_FR: out_fr = fr_ent[0]; break;
    case F_TRAP: trap = WB_TRAP_UNREACHABLE; break;
    case F_LOAD:
    case F_STORE: {
      uint64_t at = (uint32_t)args[0].of.i32;
      if (at + 4 > size) trap = WB_TRAP_MEMORY_OUT_OF_BOUNDS;
      else if (E[f].slot == F_LOAD) out.of.i32 = (int32_t)le32(in->mem + at);
      else
        for (int b = 0; b < 4; b++) in->mem[at + b] = (uint8_t)((uint32_t)args[1].of.i32 >> (8 * b));
      break;
    }
    case F_GROW: {
      uint32_t delta = (uint32_t)args[0].of.i32;
      out.of.i32 = -1;
      if (delta <= in->max_pages - in->pages) {
        out.of.i32 = (int32_t)in->pages;
        in->pages += delta;
      }
      break;
    }
    case F_SIZE: out.of.i32 = (int32_t)in->pages; break;
    case F_GET_G: out.of.i32 = in->g; break;
    case F_SET_G: in->g = args[0].of.i32; break;
    case F_V: memcpy(out.of.v128, args[0].of.v128, 16); break;
    case F_F: out.of.i32 = 7; break;
    }
    if (trap) {
      want = WB_ERR_TRAP;
      want_traps++;
    }
  }
  wb_status_t got = wb_func_call((wb_func_t){fid}, null_args ? NULL : args, nargs, null_res ? NULL : res, nres);
  char what[64];
  snprintf(what, sizeof what, "wb_func_call(?, pattern %d)", pattern % 16);
  if (in) {
    static const char *const fnames[NFUNCS] = {"add", "sum64", "fmul", "id_fr", "trap", "load", "store",
                                                "grow", "size", "get_g", "set_g", "v", "f"};
    snprintf(what, sizeof what, "wb_func_call(\"%s\", pattern %d)", fnames[E[f].slot], pattern % 16);
  }
  expect(what, got, want);
  if (got == WB_ERR_TRAP && wb_last_trap_code() != (wb_trap_code_t)trap)
    FAIL("%s: trap code %d, expected %d", what, wb_last_trap_code(), trap);
  if (got == WB_ERR_INTERRUPTED && wb_last_trap_code() != WB_TRAP_INTERRUPT)
    FAIL("%s: interrupted with trap code %d", what, wb_last_trap_code());
  if (got != WB_OK) {
    unsigned char probe[sizeof res];
    memset(probe, 0xa5, sizeof probe);
    if (memcmp(res, probe, sizeof res) != 0) FAIL("%s wrote its results on failure", what);
    return;
  }
  if (!d->nr || !check_value) return;
  if (res[0].kind != out.kind) FAIL("%s: result kind %d, expected %d", what, res[0].kind, out.kind);
  switch (out.kind) {
  case WB_I32:
    if (res[0].of.i32 != out.of.i32) FAIL("%s returned %d, the model expected %d", what, res[0].of.i32, out.of.i32);
    break;
  case WB_I64:
    if (res[0].of.i64 != out.of.i64) FAIL("%s returned %lld, expected %lld", what, (long long)res[0].of.i64, (long long)out.of.i64);
    break;
  case WB_V128:
    if (memcmp(res[0].of.v128, out.of.v128, 16) != 0) FAIL("%s: v128 result differs", what);
    break;
  case WB_FUNCREF: {
    uint64_t w = out_fr >= 0 ? E[out_fr].id : 0;
    if (res[0].of.funcref.id != w)
      FAIL("%s returned funcref %#llx, expected %#llx", what, (unsigned long long)res[0].of.funcref.id, (unsigned long long)w);
    break;
  }
  default: break;
  }
}

static void op_func_arity(rd_t *r) {
  uint64_t fid = choose(r, K_FUNC);
  uint8_t nulls = u8(r);
  int f;
  wb_status_t want = pred_bound(fid, K_FUNC, &f);
  size_t np = 99, nr = 99;
  expect("wb_func_arity", wb_func_arity((wb_func_t){fid}, nulls & 1 ? NULL : &np, nulls & 2 ? NULL : &nr), want);
  if (want != WB_OK) {
    if (np != 99 || nr != 99) FAIL("wb_func_arity wrote its out-parameters on failure");
    return;
  }
  if (!(nulls & 1) && np != (size_t)FUNCS[E[f].slot].np) FAIL("arity: %zu params", np);
  if (!(nulls & 2) && nr != (size_t)FUNCS[E[f].slot].nr) FAIL("arity: %zu results", nr);
}

static void op_memory_size(rd_t *r) {
  uint64_t mid = choose(r, K_MEMORY);
  int null_out = u8(r) % 16 == 0;
  int m;
  wb_status_t want = pred_bound(mid, K_MEMORY, &m);
  if (want == WB_OK && null_out) want = WB_ERR_INVALID_ARGUMENT;
  uint64_t size = SENTINEL;
  expect("wb_memory_size", wb_memory_size((wb_memory_t){mid}, null_out ? NULL : &size), want);
  if (want != WB_OK) return;
  if (size != (uint64_t)E[E[m].inst].pages * PAGE)
    FAIL("wb_memory_size: %llu bytes, the model has %u pages", (unsigned long long)size, E[E[m].inst].pages);
}

static void op_memory_grow(rd_t *r) {
  uint64_t mid = choose(r, K_MEMORY);
  uint8_t b = u8(r);
  uint64_t delta = b < 200 ? b % 4 : u64(r);
  int null_prev = b % 7 == 0;
  int m;
  wb_status_t want = pred_bound(mid, K_MEMORY, &m);
  ent_t *in = want == WB_OK ? &E[E[m].inst] : NULL;
  if (want == WB_OK && delta > in->max_pages - in->pages) want = WB_ERR_LIMIT;
  uint64_t prev = SENTINEL;
  expect("wb_memory_grow", wb_memory_grow((wb_memory_t){mid}, delta, null_prev ? NULL : &prev), want);
  if (want != WB_OK) {
    if (prev != SENTINEL) FAIL("wb_memory_grow wrote previous_pages on failure");
    return;
  }
  if (!null_prev && prev != in->pages) FAIL("wb_memory_grow: previous %llu pages, model %u", (unsigned long long)prev, in->pages);
  in->pages += (uint32_t)delta;
}

static uint8_t iobuf[IOBUF + 64];

static void op_memory_rw(rd_t *r, int write) {
  uint64_t mid = choose(r, K_MEMORY);
  uint8_t b = u8(r), lb = u8(r);
  int m;
  wb_status_t want = pred_bound(mid, K_MEMORY, &m);
  ent_t *in = want == WB_OK ? &E[E[m].inst] : NULL;
  uint64_t size = in ? (uint64_t)in->pages * PAGE : PAGE;
  uint64_t off;
  if (b < 96) off = u8(r) + (uint64_t)(b % 4) * PAGE;       /* near a page start */
  else if (b < 192) off = size - (b - 96) % 40;             /* near the end (wraps when size is 0) */
  else off = u64(r);
  size_t len;
  if (lb < 160) len = lb;
  else if (lb < 224) len = (size_t)(size > off ? size - off : 0) + (lb % 3) - 1; /* to the end, +-1 */
  else len = SIZE_MAX - lb % 8;
  int null_buf = lb % 29 == 0;
  if (want == WB_OK && null_buf && len) want = WB_ERR_INVALID_ARGUMENT;
  if (want == WB_OK && (off > size || len > size - off)) want = WB_ERR_OUT_OF_BOUNDS;
  uint8_t fill = u8(r);
  /* the bytes a correct call may touch, and a few past them */
  size_t span = (len < IOBUF ? len : IOBUF) + 64;
  wb_status_t got;
  if (write) {
    memset(iobuf, fill, span);
    got = wb_memory_write((wb_memory_t){mid}, off, null_buf ? NULL : iobuf, len);
  } else {
    memset(iobuf, 0xEE, span);
    got = wb_memory_read((wb_memory_t){mid}, off, null_buf ? NULL : iobuf, len);
  }
  char what[96];
  snprintf(what, sizeof what, "wb_memory_%s(offset %llu, len %zu, size %llu)", write ? "write" : "read",
           (unsigned long long)off, len, (unsigned long long)size);
  expect(what, got, want);
  if (want != WB_OK) {
    if (!write)
      for (size_t i = 0; i < span; i++)
        if (iobuf[i] != 0xEE) FAIL("%s wrote into the host buffer on failure", what);
    return;
  }
  if (len > IOBUF) FAIL("%s: a read of %zu bytes succeeded", what, len);
  if (write) {
    memcpy(in->mem + off, iobuf, len);
  } else {
    if (memcmp(iobuf, in->mem + off, len) != 0) FAIL("%s: the bytes differ from the model's", what);
    if (iobuf[len] != 0xEE) FAIL("%s wrote past len", what);
  }
}

static void op_memory_read(rd_t *r) { op_memory_rw(r, 0); }
static void op_memory_write(rd_t *r) { op_memory_rw(r, 1); }

static void op_global_get(rd_t *r) {
  uint64_t gid = choose(r, K_GLOBAL);
  int null_out = u8(r) % 16 == 0;
  int g;
  wb_status_t want = pred_bound(gid, K_GLOBAL, &g);
  if (want == WB_OK && null_out) want = WB_ERR_INVALID_ARGUMENT;
  wb_val_t v;
  memset(&v, 0xa5, sizeof v);
  expect("wb_global_get", wb_global_get((wb_global_t){gid}, null_out ? NULL : &v), want);
  if (want != WB_OK) return;
  ent_t *in = &E[E[g].inst];
  switch (E[g].slot) {
  case G_G:
    if (v.kind != WB_I32 || v.of.i32 != in->g) FAIL("global g: kind %d value %d, model %d", v.kind, v.of.i32, in->g);
    break;
  case G_C:
    if (v.kind != WB_I64 || v.of.i64 != 7) FAIL("global c: kind %d value %lld", v.kind, (long long)v.of.i64);
    break;
  case G_FR: {
    uint64_t w = in->fr >= 0 ? E[in->fr].id : 0;
    if (v.kind != WB_FUNCREF || v.of.funcref.id != w)
      FAIL("global fr: kind %d value %#llx, model %#llx", v.kind, (unsigned long long)v.of.funcref.id,
           (unsigned long long)w);
    break;
  }
  }
}

static void op_global_set(rd_t *r) {
  uint64_t gid = choose(r, K_GLOBAL);
  uint8_t b = u8(r);
  int g;
  wb_status_t want = pred_bound(gid, K_GLOBAL, &g);
  int null_val = b % 23 == 0;
  wb_val_t v;
  memset(&v, 0, sizeof v);
  /* mostly the global's own kind */
  wb_valkind_t own = want == WB_OK ? (E[g].slot == G_G ? WB_I32 : E[g].slot == G_C ? WB_I64 : WB_FUNCREF) : WB_I32;
  v.kind = b % 4 == 0 ? (wb_valkind_t)(u8(r) % 8) : own;
  int fr = -1;
  wb_status_t fr_st = WB_OK;
  if (v.kind == WB_FUNCREF) {
    v.of.funcref.id = choose(r, K_FUNC);
    if (want == WB_OK) fr_st = pred_funcref(v.of.funcref.id, E[g].store, &fr);
  } else {
    v.of.i64 = (int64_t)u64(r);
  }
  if (want == WB_OK && null_val) want = WB_ERR_INVALID_ARGUMENT;
  if (want == WB_OK && E[g].slot == G_C) want = WB_ERR_TYPE_MISMATCH;
  if (want == WB_OK && v.kind != own) want = WB_ERR_TYPE_MISMATCH;
  if (want == WB_OK && v.kind == WB_FUNCREF) want = fr_st;
  expect("wb_global_set", wb_global_set((wb_global_t){gid}, null_val ? NULL : &v), want);
  if (want != WB_OK) return;
  ent_t *in = &E[E[g].inst];
  if (E[g].slot == G_G) in->g = v.of.i32;
  else in->fr = fr;
}

/* an id presented as every store-bound kind and as a module, read-only calls */
static void op_sweep(rd_t *r) {
  uint64_t id = choose(r, (int)(u8(r) % NKINDS));
  int i;
  wb_status_t want;
  size_t n;
  uint64_t u;
  wb_val_t v;
  wb_func_t f;
  want = pred_bound(id, K_FUNC, &i);
  expect("sweep wb_func_arity", wb_func_arity((wb_func_t){id}, &n, &n), want);
  want = pred_bound(id, K_MEMORY, &i);
  expect("sweep wb_memory_size", wb_memory_size((wb_memory_t){id}, &u), want);
  want = pred_bound(id, K_GLOBAL, &i);
  expect("sweep wb_global_get", wb_global_get((wb_global_t){id}, &v), want);
  want = pred_bound(id, K_INSTANCE, &i);
  if (want == WB_OK) want = WB_ERR_INVALID_ARGUMENT; /* NULL name */
  expect("sweep wb_instance_get_func", wb_instance_get_func((wb_instance_t){id}, NULL, &f), want);
  want = pred_bound(id, K_STORE, &i);
  if (want == WB_OK) want = WB_ERR_INVALID_ARGUMENT; /* no consume_fuel */
  expect("sweep wb_store_get_fuel", wb_store_get_fuel((wb_store_t){id}, &u), want);
  want = pred_shared(id, K_MODULE, &i);
  wb_extern_list_t list = WB_EXTERN_LIST_INIT;
  expect("sweep wb_module_exports", wb_module_exports((wb_module_t){id}, &list), want);
  wb_extern_list_dispose(&list);
}

/* T1 exits (its stores become orphans) and a fresh T1 takes its place */
static void op_restart(rd_t *r) {
  (void)r;
  if (restarts >= MAX_RESTARTS) return;
  restarts++;
  t1_stop();
  for (int i = 0; i < nents; i++)
    if (E[i].kind == K_STORE && E[i].live && E[i].owner == OWN_T1) E[i].owner = OWN_ORPHANED;
  t1_start();
  tracef("T1 restarted");
}

static const struct {
  const char *name;
  op_fn fn;
} OPS[] = {
    {"engine_new", op_engine_new},     {"engine_delete", op_engine_delete}, {"module_new", op_module_new},
    {"module_delete", op_module_delete}, {"module_validate", op_module_validate}, {"store_new", op_store_new},
    {"store_new", op_store_new},       {"store_delete", op_store_delete},   {"store_release", op_store_release},
    {"store_adopt", op_store_adopt},   {"store_interrupt", op_store_interrupt}, {"instance_new", op_instance_new},
    {"instance_new", op_instance_new}, {"get_func", op_get_func},           {"get_func", op_get_func},
    {"get_memory", op_get_memory},     {"get_global", op_get_global},       {"call", op_call},
    {"call", op_call},                 {"call", op_call},                   {"func_arity", op_func_arity},
    {"memory_size", op_memory_size},   {"memory_grow", op_memory_grow},     {"memory_read", op_memory_read},
    {"memory_write", op_memory_write}, {"global_get", op_global_get},       {"global_set", op_global_set},
    {"sweep", op_sweep},               {"restart", op_restart},
};
enum { NOPS = sizeof OPS / sizeof OPS[0] };

/* ---- fixture and driver ------------------------------------------------------------ */

static int ready;

static uint64_t must_module(uint64_t engine, const char *wat) {
  wb_module_t m;
  if (wb_module_new((wb_engine_t){engine}, (const uint8_t *)wat, strlen(wat), &m) != WB_OK) {
    fprintf(stderr, "api_fuzz: cannot compile a fixture module: %s\n", wb_last_error());
    abort();
  }
  return m.id;
}

static void setup(void) {
  if (ready) return;
  ready = 1;
  me = 0;
  trace = getenv("API_FUZZ_TRACE") != NULL;
  wb_engine_t e0, e1;
  if (wb_engine_new(NULL, &e0) != WB_OK || wb_engine_new(NULL, &e1) != WB_OK) {
    fprintf(stderr, "api_fuzz: cannot create the fixture engines: %s\n", wb_last_error());
    abort();
  }
  int a = add_ent(e0.id, K_ENGINE), b = add_ent(e1.id, K_ENGINE);
  E[a].engine = a;
  E[b].engine = b;
  const struct {
    int engine, modkind;
    const char *wat;
  } mods[] = {{a, MOD_MAIN, MAIN_WAT},        {a, MOD_TINY, TINY_WAT}, {a, MOD_IMPORTS, IMPORTS_WAT},
              {a, MOD_START_TRAP, START_TRAP_WAT}, {b, MOD_TINY, TINY_WAT}, {b, MOD_MAIN, MAIN_WAT}};
  for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
    int m = add_ent(must_module(E[mods[i].engine].id, mods[i].wat), K_MODULE);
    E[m].engine = mods[i].engine;
    E[m].modkind = mods[i].modkind;
  }
  for (int i = 0; i < nents; i++) E[i].fixture = 1;
  nfixture = nents;
  wb_stats_t s = WB_STATS_INIT;
  wb_stats_get(&s);
  want_wrong_thread = s.wrong_thread_refusals;
  want_traps = s.traps;
  want_interrupts = s.interrupts;
  t1_start();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  setup();
  return 0;
}

/* deletes everything the input left alive, each store on a thread allowed to */
static void op_cleanup(rd_t *r) {
  (void)r;
  for (int i = nfixture; i < nents; i++) {
    if (!E[i].live || E[i].kind != K_STORE) continue;
    if (E[i].owner != me && E[i].owner != OWN_RELEASED && E[i].owner != OWN_ORPHANED) continue;
    expect("cleanup wb_store_delete", wb_store_delete((wb_store_t){E[i].id}), WB_OK);
    kill_store(i);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  rd_t rd = {data, size};
  nents = nfixture;
  engines_made = modules_made = instances_made = restarts = 0;
  for (op_no = 0; rd.n > 0 && op_no < MAX_OPS; op_no++) {
    uint8_t b = u8(&rd);
    int op = (b & 0x7f) % NOPS, thread = b >> 7;
    if (OPS[op].fn == op_restart) thread = 0;
    tracef("op %s on T%d", OPS[op].name, thread);
    run_on(thread, OPS[op].fn, &rd);
    check_stats();
  }
  run_on(1, op_cleanup, &rd);
  run_on(0, op_cleanup, &rd);
  for (int i = nfixture; i < nents; i++) {
    if (!E[i].live) continue;
    if (E[i].kind == K_STORE) FAIL("cleanup left store %#llx alive", (unsigned long long)E[i].id);
    if (E[i].kind == K_MODULE) {
      expect("cleanup wb_module_delete", wb_module_delete((wb_module_t){E[i].id}), WB_OK);
      E[i].live = 0;
    }
  }
  for (int i = nfixture; i < nents; i++)
    if (E[i].live && E[i].kind == K_ENGINE) {
      expect("cleanup wb_engine_delete", wb_engine_delete((wb_engine_t){E[i].id}), WB_OK);
      E[i].live = 0;
    }
  check_stats();
  for (int i = nfixture; i < nents; i++)
    if (E[i].live) FAIL("cleanup left a %s alive", KIND_NAMES[E[i].kind]);
  return 0;
}
