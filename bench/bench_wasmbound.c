/* The wasmbound side: the same work as bench_raw.c through the public API
 * (wasmbound.h) only, with the default engine configuration (and the
 * pooling allocator switched on for the template case). Also the cases with
 * no raw twin: threads (1 thread against 2, both wasmbound) and pool
 * throughput. */
#include "bench.h" /* first: it defines _GNU_SOURCE */

#include <pthread.h>
#include <stdatomic.h>

#include "wasmbound.h"

#define OK(call)                                                                           \
  do {                                                                                     \
    wb_status_t st_ = (call);                                                              \
    if (st_ != WB_OK) DIE("%s: %s: %s", #call, wb_status_name(st_), wb_last_error());      \
  } while (0)

static wb_engine_t engine, pooling_engine;
static wb_store_t store;

static wb_module_t compile(wb_engine_t e, const char *wat) {
  wb_module_t m;
  OK(wb_module_new(e, (const uint8_t *)wat, strlen(wat), &m));
  return m;
}

static wb_val_t i32(int32_t v) {
  wb_val_t r;
  memset(&r, 0, sizeof r);
  r.kind = WB_I32;
  r.of.i32 = v;
  return r;
}

/* ---- calls ------------------------------------------------------------------ */

static wb_func_t add_fn;
static wb_memory_t memory;

static void setup_add(void) {
  static int done;
  if (done) return;
  done = 1;
  wb_module_t m = compile(engine, WAT_ADD);
  wb_instance_t inst;
  OK(wb_instance_new(store, m, &inst));
  OK(wb_instance_get_func(inst, "add", &add_fn));
  OK(wb_instance_get_memory(inst, "memory", &memory));
  OK(wb_module_delete(m));
}

static uint64_t call_loop(wb_func_t f, uint64_t iters) {
  wb_val_t args[2] = {i32(0), i32(1)}, res[1];
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    args[0].of.i32 = (int32_t)i;
    args[1].of.i32 = 1;
    wb_status_t st = wb_func_call(f, args, 2, res, 1);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_func_call: %s", wb_last_error());
    sum += (uint32_t)res[0].of.i32;
  }
  uint64_t ns = bench_now() - t0;
  bench_sink = sum;
  return ns;
}

static uint64_t run_call(uint64_t iters) { return call_loop(add_fn, iters); }

/* the same call through the typed path: checked once against (i32 i32) -> i32,
 * then called with raw values in place */
static wb_typed_func_t add_typed;

static void setup_add_typed(void) {
  setup_add();
  static const wb_valkind_t params[] = {WB_I32, WB_I32}, results[] = {WB_I32};
  OK(wb_func_typed(add_fn, params, 2, results, 1, &add_typed));
}

static uint64_t run_call_typed(uint64_t iters) {
  wb_raw_t vals[2];
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    vals[0].i32 = (int32_t)i;
    vals[1].i32 = 1;
    wb_status_t st = wb_typed_call(add_typed, vals, 2);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_typed_call: %s", wb_last_error());
    sum += (uint32_t)vals[0].i32;
  }
  uint64_t ns = bench_now() - t0;
  bench_sink = sum;
  return ns;
}

/* ---- reference calls: the value in, the same value out ------------------------- */

static wb_func_t id_ext, id_fn;
static wb_ref_t ext_ref;

static void setup_refs(void) {
  static int done;
  if (done) return;
  done = 1;
  wb_module_t m = compile(engine, WAT_REFS);
  wb_instance_t inst;
  OK(wb_instance_new(store, m, &inst));
  OK(wb_instance_get_func(inst, "id_externref", &id_ext));
  OK(wb_instance_get_func(inst, "id_funcref", &id_fn));
  OK(wb_externref_new(store, &ext_ref, 0, &ext_ref));
  OK(wb_module_delete(m));
}

/* as a host would: the result is a new handle, deleted when done with */
static uint64_t run_externref(uint64_t iters) {
  wb_val_t arg, res;
  memset(&arg, 0, sizeof arg);
  arg.kind = WB_EXTERNREF;
  arg.of.ref = ext_ref;
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_status_t st = wb_func_call(id_ext, &arg, 1, &res, 1);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_func_call: %s", wb_last_error());
    wb_ref_delete(res.of.ref);
  }
  return bench_now() - t0;
}

/* a funcref result is the store's (deduplicated) handle: nothing to delete */
static uint64_t run_funcref(uint64_t iters) {
  wb_val_t arg, res;
  memset(&arg, 0, sizeof arg);
  arg.kind = WB_FUNCREF;
  arg.of.funcref = id_fn;
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_status_t st = wb_func_call(id_fn, &arg, 1, &res, 1);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_func_call: %s", wb_last_error());
    sum += res.of.funcref.id;
  }
  uint64_t ns = bench_now() - t0;
  bench_sink = sum;
  return ns;
}

/* ---- host functions ------------------------------------------------------------- */

static wb_func_t run_fn;

static wb_status_t host_f(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                          size_t nresults) {
  (void)env;
  (void)caller;
  (void)nargs;
  (void)nresults;
  results[0].of.i32 = args[0].of.i32 + 1; /* results[0].kind is preset to WB_I32 */
  return WB_OK;
}

/* the same function, typed: the values in place (Wasmtime's unchecked
 * host functions, which the raw side uses, pass them so too) */
static wb_status_t host_f_typed(void *env, wb_caller_t caller, wb_raw_t *vals, size_t nvals) {
  (void)env;
  (void)caller;
  (void)nvals;
  vals[0].i32 = vals[0].i32 + 1;
  return WB_OK;
}

/* "env" "f" defined as a general host function, or as a typed one */
static void setup_host_as(bool typed) {
  wb_module_t m = compile(engine, WAT_HOST);
  wb_linker_t l;
  OK(wb_linker_new(engine, &l));
  wb_valkind_t k[1] = {WB_I32};
  if (typed)
    OK(wb_linker_define_func_typed(l, "env", "f", k, 1, k, 1, host_f_typed, 0, 0));
  else
    OK(wb_linker_define_func(l, "env", "f", k, 1, k, 1, host_f, 0, 0));
  wb_instance_t inst;
  OK(wb_linker_instantiate(l, store, m, &inst));
  OK(wb_instance_get_func(inst, "run", &run_fn));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
}

static void setup_host(void) { setup_host_as(false); }
static void setup_host_typed(void) { setup_host_as(true); }

static uint64_t run_host_call(uint64_t iters) {
  wb_val_t arg = i32((int32_t)iters), res;
  uint64_t t0 = bench_now();
  OK(wb_func_call(run_fn, &arg, 1, &res, 1));
  uint64_t ns = bench_now() - t0;
  if ((uint32_t)res.of.i32 != (uint32_t)iters) DIE("host_call: run returned %d, expected %" PRIu64, res.of.i32, iters);
  return ns;
}

/* ---- instantiation ----------------------------------------------------------------- */

static wb_template_t tmpl;
static wb_module_t inst_module;
static wb_linker_t inst_linker;

static void setup_template(void) {
  /* made here, not in main: its reservation (terabytes of address space)
   * is refused under valgrind, which bench/icount.sh uses */
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.pooling_allocator = true;
  OK(wb_engine_new(&cfg, &pooling_engine));
  wb_module_t m = compile(pooling_engine, WAT_INST);
  wb_linker_t l;
  OK(wb_linker_new(pooling_engine, &l));
  OK(wb_template_new(l, m, &tmpl));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
}

static uint64_t run_template(uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_store_t s;
    wb_instance_t inst;
    OK(wb_store_new(pooling_engine, &s));
    OK(wb_template_instantiate(tmpl, s, &inst));
    OK(wb_store_delete(s));
  }
  return bench_now() - t0;
}

static void setup_default(void) {
  inst_module = compile(engine, WAT_INST);
  OK(wb_linker_new(engine, &inst_linker));
}

/* wb_linker_instantiate, like the raw side's wasmtime_linker_instantiate */
static uint64_t run_default(uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_store_t s;
    wb_instance_t inst;
    OK(wb_store_new(engine, &s));
    OK(wb_linker_instantiate(inst_linker, s, inst_module, &inst));
    OK(wb_store_delete(s));
  }
  return bench_now() - t0;
}

/* ---- memory -------------------------------------------------------------------------- */

static volatile size_t len_64 = 64, len_64k = 65536, write_offset = 1024;
/* the source is not written in the timed loop: a store to it right before
 * the copy's wider loads stalls store forwarding, more or less at random,
 * and the raw loop (nothing between the store and the copy) took the
 * stall in some runs only (5 or 13 ns) */
static uint8_t src64[64] __attribute__((aligned(64)));
static uint8_t dst64k[65536] __attribute__((aligned(64)));

static uint64_t run_write_64(uint64_t iters) {
  size_t len = len_64, off = write_offset;
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_status_t st = wb_memory_write(memory, off, src64, len);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_memory_write: %s", wb_last_error());
  }
  return bench_now() - t0;
}

static uint64_t run_read_64k(uint64_t iters) {
  size_t len = len_64k;
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_status_t st = wb_memory_read(memory, 0, dst64k, len);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_memory_read: %s", wb_last_error());
    sum += dst64k[i & 0xFFFF];
  }
  uint64_t ns = bench_now() - t0;
  bench_sink = sum;
  return ns;
}

/* ---- threads: 1 thread doing N calls against 2 threads doing N calls each ------------- */

/* Two persistent threads, each with its own store, instance and func; a
 * sample wakes `active` of them, each does `iters` calls, and the wall time
 * from the wake-up to the last one done is the sample. */
typedef struct tworker {
  pthread_t thread;
  wb_func_t fn;
} tworker_t;

static tworker_t tw[2];
static pthread_mutex_t tw_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tw_go = PTHREAD_COND_INITIALIZER, tw_done = PTHREAD_COND_INITIALIZER;
static uint64_t tw_round, tw_iters;
static int tw_active, tw_running, tw_ready;

static void *thread_main(void *arg) {
  tworker_t *w = arg;
  int index = (int)(w - tw);
  wb_store_t s;
  wb_instance_t inst;
  wb_module_t m = compile(engine, WAT_ADD);
  OK(wb_store_new(engine, &s));
  OK(wb_instance_new(s, m, &inst));
  OK(wb_instance_get_func(inst, "add", &w->fn));
  OK(wb_module_delete(m));
  call_loop(w->fn, 1000); /* this thread's first calls (thread token, stack bounds) */
  uint64_t seen = 0;
  pthread_mutex_lock(&tw_mu);
  tw_ready++;
  pthread_cond_broadcast(&tw_done);
  for (;;) {
    while (tw_round == seen) pthread_cond_wait(&tw_go, &tw_mu);
    seen = tw_round;
    if (index >= tw_active) continue;
    uint64_t iters = tw_iters;
    pthread_mutex_unlock(&tw_mu);
    call_loop(w->fn, iters);
    pthread_mutex_lock(&tw_mu);
    if (--tw_running == 0) pthread_cond_broadcast(&tw_done);
  }
  return 0;
}

static void setup_threads(void) {
  static int done;
  if (done) return;
  done = 1;
  for (int i = 0; i < 2; i++)
    if (pthread_create(&tw[i].thread, 0, thread_main, &tw[i])) DIE("pthread_create");
  pthread_mutex_lock(&tw_mu);
  while (tw_ready < 2) pthread_cond_wait(&tw_done, &tw_mu);
  pthread_mutex_unlock(&tw_mu);
}

static uint64_t run_threads(int active, uint64_t iters) {
  pthread_mutex_lock(&tw_mu);
  uint64_t t0 = bench_now();
  tw_active = tw_running = active;
  tw_iters = iters;
  tw_round++;
  pthread_cond_broadcast(&tw_go);
  while (tw_running) pthread_cond_wait(&tw_done, &tw_mu);
  uint64_t ns = bench_now() - t0;
  pthread_mutex_unlock(&tw_mu);
  return ns;
}

static uint64_t run_threads_1(uint64_t iters) { return run_threads(1, iters); }
static uint64_t run_threads_2(uint64_t iters) { return run_threads(2, iters); }

/* ---- pools ------------------------------------------------------------------------- */

static wb_pool_t pool_1w, pool_2w;

static wb_pool_t new_pool(uint32_t workers) {
  wb_module_t m = compile(engine, WAT_ADD);
  wb_linker_t l;
  wb_template_t t;
  OK(wb_linker_new(engine, &l));
  OK(wb_template_new(l, m, &t));
  wb_pool_config_t cfg;
  OK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = workers;
  wb_pool_t p;
  OK(wb_pool_new(engine, t, &cfg, &p));
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  return p;
}

static void setup_pool_1w(void) {
  if (!pool_1w.id) pool_1w = new_pool(1);
}

static uint64_t run_pool_roundtrip(uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_val_t args[2] = {i32((int32_t)i), i32(1)}, res;
    wb_status_t st = wb_pool_call(pool_1w, "add", args, 2, &res, 1);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_pool_call: %s", wb_last_error());
    if (res.of.i32 != (int32_t)i + 1) DIE("wb_pool_call: wrong result");
  }
  return bench_now() - t0;
}

/* pool_roundtrip's latency distribution: each call timed on its own; the
 * sample reports the percentile's ns as ns/op (ns * iters is returned). */
static uint64_t *lat;
static uint64_t lat_cap;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t pool_percentile(uint64_t iters, double q) {
  if (iters > lat_cap) {
    free(lat);
    lat = malloc(iters * sizeof *lat);
    if (!lat) DIE("out of memory");
    lat_cap = iters;
  }
  for (uint64_t i = 0; i < iters; i++) {
    wb_val_t args[2] = {i32((int32_t)i), i32(1)}, res;
    uint64_t t0 = bench_now();
    wb_status_t st = wb_pool_call(pool_1w, "add", args, 2, &res, 1);
    lat[i] = bench_now() - t0;
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_pool_call: %s", wb_last_error());
  }
  qsort(lat, iters, sizeof *lat, cmp_u64);
  uint64_t k = (uint64_t)(q * (double)(iters - 1));
  return lat[k] * iters;
}

static uint64_t run_pool_p50(uint64_t iters) { return pool_percentile(iters, 0.50); }
static uint64_t run_pool_p99(uint64_t iters) { return pool_percentile(iters, 0.99); }

/* The anchors: a bare two-thread ping-pong, no wasm, no library. A request
 * goes to a partner thread that answers it; one round trip per iteration.
 * Over a mutex and two condition variables (both sides sleep: bench.h's
 * hand-off, the raw side's twin of pool_roundtrip), and over a spinning
 * atomic (neither sleeps: the floor of a hand-off on this machine). */
static _Atomic int32_t spin_req, spin_ans;
static _Atomic int spin_stop;

/* the partner spins only while a sample runs, so it burns no CPU between cases */
static void *spin_partner(void *arg) {
  (void)arg;
  int32_t seen = 0;
  while (!atomic_load_explicit(&spin_stop, memory_order_relaxed)) {
    int32_t r = atomic_load_explicit(&spin_req, memory_order_acquire);
    if (r != seen) {
      seen = r;
      atomic_store_explicit(&spin_ans, r, memory_order_release);
    }
  }
  return 0;
}

static uint64_t run_anchor_spin(uint64_t iters) {
  pthread_t t;
  atomic_store(&spin_stop, 0);
  atomic_store(&spin_req, 0);
  atomic_store(&spin_ans, 0);
  if (pthread_create(&t, 0, spin_partner, 0)) DIE("pthread_create");
  uint64_t t0 = bench_now();
  for (uint64_t i = 1; i <= iters; i++) {
    atomic_store_explicit(&spin_req, (int32_t)i, memory_order_release);
    while (atomic_load_explicit(&spin_ans, memory_order_acquire) != (int32_t)i) {
    }
  }
  uint64_t ns = bench_now() - t0;
  atomic_store(&spin_stop, 1);
  pthread_join(t, 0);
  return ns;
}

/* Throughput: N submitter threads for a fixed time against 2 workers; the
 * "iterations" are milliseconds, and the sample reports ns per call. */
#define SUBMITTERS 4
static _Atomic int tp_stop;
static _Atomic uint64_t tp_calls;

static void *submitter(void *arg) {
  (void)arg;
  uint64_t n = 0;
  while (!tp_stop) {
    wb_val_t args[2] = {i32((int32_t)n), i32(1)}, res;
    wb_status_t st = wb_pool_call(pool_2w, "add", args, 2, &res, 1);
    if (st != WB_OK) DIE("wb_pool_call: %s", wb_last_error());
    n++;
  }
  tp_calls += n;
  return 0;
}

static void setup_pool_2w(void) {
  if (!pool_2w.id) pool_2w = new_pool(2);
}

static uint64_t tp_last_calls;

static uint64_t throughput(int submitters, uint64_t ms) {
  pthread_t t[SUBMITTERS];
  tp_stop = 0;
  tp_calls = 0;
  uint64_t t0 = bench_now();
  for (int i = 0; i < submitters; i++)
    if (pthread_create(&t[i], 0, submitter, 0)) DIE("pthread_create");
  struct timespec d = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  nanosleep(&d, 0);
  tp_stop = 1;
  for (int i = 0; i < submitters; i++) pthread_join(t[i], 0);
  uint64_t ns = bench_now() - t0;
  tp_last_calls = tp_calls;
  /* report ns per call scaled so that ns/op = elapsed / calls */
  return tp_last_calls ? (uint64_t)((double)ns * (double)ms / (double)tp_last_calls) : ns;
}

static uint64_t run_pool_throughput(uint64_t ms) { return throughput(SUBMITTERS, ms); }
static uint64_t run_pool_tp_1(uint64_t ms) { return throughput(1, ms); }
static uint64_t run_pool_tp_2(uint64_t ms) { return throughput(2, ms); }

/* ---- memory overhead ------------------------------------------------------------------ */

static void mem(void) {
  static wb_store_t stores[BENCH_STORES];
  uint64_t m0 = bench_malloced();
  for (int i = 0; i < BENCH_STORES; i++) OK(wb_store_new(engine, &stores[i]));
  uint64_t m1 = bench_malloced();
  for (int i = 0; i < BENCH_STORES; i++) OK(wb_store_delete(stores[i]));

  wb_module_t m = compile(engine, WAT_TINY);
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(engine, &s));
  wb_store_limits_t lim = {WB_STORE_LIMITS_VERSION, 0, 0, 2 * BENCH_HANDLES, 0, 0}; /* Wasmtime's default: 10,000 instances */
  OK(wb_store_set_limits(s, &lim));
  OK(wb_instance_new(s, m, &inst)); /* first-use allocations */
  uint64_t h0 = bench_malloced();
  for (int i = 0; i < BENCH_HANDLES; i++) OK(wb_instance_new(s, m, &inst));
  uint64_t h1 = bench_malloced();
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  printf("mem %.1f %.1f\n", (double)(m1 - m0) / BENCH_STORES, (double)(h1 - h0) / BENCH_HANDLES);
}

#include "component_wb.h" /* the component cases */

static bench_case_t cases[] = {
    COMPONENT_CASES
    {"call_i32_add", setup_add, run_call, 0, 0, 0},
    {"call_i32_add_typed", setup_add_typed, run_call_typed, 0, 0, 0},
    {"call_externref", setup_refs, run_externref, 0, 0, 0},
    {"call_funcref", setup_refs, run_funcref, 0, 0, 0},
    {"host_call", setup_host, run_host_call, 0, 0, 0},
    {"host_call_typed", setup_host_typed, run_host_call, 0, 0, 0},
    {"instantiate_template", setup_template, run_template, 0, 0, 0},
    {"instantiate_default", setup_default, run_default, 0, 0, 0},
    {"memory_write_64", setup_add, run_write_64, 0, 0, 0},
    {"memory_read_64k", setup_add, run_read_64k, 0, 0, 0},
    {"threads_1", setup_threads, run_threads_1, 0, 0, 0},
    {"threads_2", setup_threads, run_threads_2, "threads_1", 0, 0},
    {"pool_roundtrip", setup_pool_1w, run_pool_roundtrip, 0, 0, 0},
    {"pool_throughput", setup_pool_2w, run_pool_throughput, 0, 0, 0},
    {"pool_tp_1", setup_pool_2w, run_pool_tp_1, 0, 0, 0},
    {"pool_tp_2", setup_pool_2w, run_pool_tp_2, 0, 0, 0},
    {"pool_p50", setup_pool_1w, run_pool_p50, "pool_roundtrip", 0, 0},
    {"pool_p99", setup_pool_1w, run_pool_p99, "pool_roundtrip", 0, 0},
    {"anchor_condvar", bench_setup_handoff, bench_run_handoff, 0, 0, 0},
    {"anchor_spin", 0, run_anchor_spin, 0, 0, 0},
    {0, 0, 0, 0, 0, 0},
};

int main(int argc, char **argv) {
  OK(wb_engine_new(NULL, &engine));
  OK(wb_store_new(engine, &store));
  /* pool_throughput's "iterations" are milliseconds: fix them, no calibration */
  for (bench_case_t *c = cases; c->name; c++)
    if (strncmp(c->name, "pool_t", 6) == 0) c->iters = 150; /* pool_throughput, pool_tp_N */
  return bench_main(argc, argv, cases, mem);
}
