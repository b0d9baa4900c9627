/* The raw twin: the same work through the Wasmtime C API directly, linked
 * against the same libwasmtime.a that wasmtime-go ships (and that wasmbound
 * links). The engine is configured like wasmbound's default engine
 * (lifecycle/engine.go): same features, epoch interruption on (stores get a
 * far deadline), Cranelift speed, 512 KiB max_wasm_stack, and for the
 * template case the same pooling-allocator limits.
 *
 * Also the baseline of pool_roundtrip: a minimal mutex + condition-variable
 * handoff to one worker thread that runs no wasm. */
#include "bench.h" /* first: it defines _GNU_SOURCE */

#include <pthread.h>
#include <wasmtime.h>

#define FAR_DEADLINE (UINT64_C(1) << 60)

static wasm_engine_t *engine, *pooling_engine;
static wasmtime_store_t *store;
static wasmtime_context_t *ctx;

static void check(wasmtime_error_t *err, wasm_trap_t *trap, const char *what) {
  if (!err && !trap) return;
  wasm_byte_vec_t msg;
  if (err) wasmtime_error_message(err, &msg);
  else wasm_trap_message(trap, &msg);
  DIE("%s: %.*s", what, (int)msg.size, msg.data);
}

static wasm_engine_t *new_engine(int pooling) {
  wasm_config_t *c = wasm_config_new();
  wasmtime_config_wasm_threads_set(c, true);
  wasmtime_config_wasm_simd_set(c, true);
  wasmtime_config_wasm_relaxed_simd_set(c, true);
  wasmtime_config_wasm_multi_memory_set(c, true);
  wasmtime_config_wasm_memory64_set(c, false);
  wasmtime_config_wasm_tail_call_set(c, true);
  wasmtime_config_consume_fuel_set(c, false);
  wasmtime_config_epoch_interruption_set(c, true);
  wasmtime_config_signals_based_traps_set(c, true);
  wasmtime_config_cranelift_opt_level_set(c, WASMTIME_OPT_LEVEL_SPEED);
  wasmtime_config_parallel_compilation_set(c, true);
  wasmtime_config_max_wasm_stack_set(c, 512 * 1024);
  if (pooling) {
    wasmtime_pooling_allocation_config_t *pc = wasmtime_pooling_allocation_config_new();
    wasmtime_pooling_allocation_config_total_core_instances_set(pc, 1000);
    wasmtime_pooling_allocation_config_total_memories_set(pc, 1000);
    wasmtime_pooling_allocation_config_total_tables_set(pc, 1000);
    wasmtime_pooling_allocation_config_max_memory_size_set(pc, 10 << 20);
    wasmtime_pooling_allocation_strategy_set(c, pc);
    wasmtime_pooling_allocation_config_delete(pc);
  }
  wasm_engine_t *e = wasm_engine_new_with_config(c);
  if (!e) DIE("Wasmtime rejected the engine configuration");
  return e;
}

static wasmtime_module_t *compile(wasm_engine_t *e, const char *wat) {
  wasm_byte_vec_t wasm;
  check(wasmtime_wat2wasm(wat, strlen(wat), &wasm), 0, "wat2wasm");
  wasmtime_module_t *m = 0;
  check(wasmtime_module_new(e, (const uint8_t *)wasm.data, wasm.size, &m), 0, "module");
  wasm_byte_vec_delete(&wasm);
  return m;
}

static wasmtime_store_t *new_store(wasm_engine_t *e) {
  wasmtime_store_t *s = wasmtime_store_new(e, 0, 0);
  wasmtime_context_set_epoch_deadline(wasmtime_store_context(s), FAR_DEADLINE);
  return s;
}

static void get_export(wasmtime_instance_t *inst, const char *name, wasmtime_extern_t *out) {
  if (!wasmtime_instance_export_get(ctx, inst, name, strlen(name), out)) DIE("no export %s", name);
}

/* ---- calls ------------------------------------------------------------------ */

static wasmtime_func_t add_fn;
static wasmtime_memory_t memory;

static void setup_add(void) {
  static int done;
  if (done) return;
  done = 1;
  wasmtime_module_t *m = compile(engine, WAT_ADD);
  wasmtime_instance_t inst;
  wasm_trap_t *trap = 0;
  check(wasmtime_instance_new(ctx, m, 0, 0, &inst, &trap), trap, "instantiate");
  wasmtime_extern_t e;
  get_export(&inst, "add", &e);
  add_fn = e.of.func;
  get_export(&inst, "memory", &e);
  memory = e.of.memory;
  wasmtime_module_delete(m);
}

static uint64_t run_call_unchecked(uint64_t iters) {
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wasmtime_val_raw_t v[2];
    v[0].i32 = (int32_t)i;
    v[1].i32 = 1;
    wasm_trap_t *trap = 0;
    wasmtime_error_t *err = wasmtime_func_call_unchecked(ctx, &add_fn, v, 2, &trap);
    if (__builtin_expect(err != 0 || trap != 0, 0)) check(err, trap, "call");
    sum += (uint32_t)v[0].i32;
  }
  uint64_t ns = bench_now() - t0;
  bench_sink = sum;
  return ns;
}

static uint64_t run_call_checked(uint64_t iters) {
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wasmtime_val_t args[2], res[1];
    args[0].kind = WASMTIME_I32;
    args[0].of.i32 = (int32_t)i;
    args[1].kind = WASMTIME_I32;
    args[1].of.i32 = 1;
    wasm_trap_t *trap = 0;
    wasmtime_error_t *err = wasmtime_func_call(ctx, &add_fn, args, 2, res, 1, &trap);
    if (__builtin_expect(err != 0 || trap != 0, 0)) check(err, trap, "call");
    sum += (uint32_t)res[0].of.i32;
  }
  uint64_t ns = bench_now() - t0;
  bench_sink = sum;
  return ns;
}

/* ---- reference calls ---------------------------------------------------------- */

static wasmtime_func_t id_ext, id_fn;
static wasmtime_externref_t ext_ref;

static void setup_refs(void) {
  static int done;
  if (done) return;
  done = 1;
  wasmtime_module_t *m = compile(engine, WAT_REFS);
  wasmtime_instance_t inst;
  wasm_trap_t *trap = 0;
  check(wasmtime_instance_new(ctx, m, 0, 0, &inst, &trap), trap, "instantiate");
  wasmtime_extern_t e;
  get_export(&inst, "id_externref", &e);
  id_ext = e.of.func;
  get_export(&inst, "id_funcref", &e);
  id_fn = e.of.func;
  if (!wasmtime_externref_new(ctx, &ext_ref, 0, &ext_ref)) DIE("externref_new");
  wasmtime_module_delete(m);
}

/* The raw API's way to pass a reference without its checked call path:
 * to raw and back, a new root for the result, unrooted when done with
 * (as the wasmbound side deletes its handle). */
static uint64_t run_externref(uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wasmtime_val_raw_t v[1];
    v[0].externref = wasmtime_externref_to_raw(ctx, &ext_ref);
    wasm_trap_t *trap = 0;
    wasmtime_error_t *err = wasmtime_func_call_unchecked(ctx, &id_ext, v, 1, &trap);
    if (__builtin_expect(err != 0 || trap != 0, 0)) check(err, trap, "call");
    wasmtime_externref_t out;
    wasmtime_externref_from_raw(ctx, v[0].externref, &out);
    wasmtime_externref_unroot(&out);
  }
  return bench_now() - t0;
}

static uint64_t run_funcref(uint64_t iters) {
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wasmtime_val_raw_t v[1];
    v[0].funcref = wasmtime_func_to_raw(ctx, &id_fn);
    wasm_trap_t *trap = 0;
    wasmtime_error_t *err = wasmtime_func_call_unchecked(ctx, &id_fn, v, 1, &trap);
    if (__builtin_expect(err != 0 || trap != 0, 0)) check(err, trap, "call");
    wasmtime_func_t out;
    wasmtime_func_from_raw(ctx, v[0].funcref, &out);
    sum += out.store_id;
  }
  uint64_t ns = bench_now() - t0;
  bench_sink = sum;
  return ns;
}

/* ---- host functions ------------------------------------------------------------- */

static wasmtime_func_t run_fn;

static wasm_trap_t *host_f(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n) {
  (void)env;
  (void)caller;
  (void)n;
  vals[0].i32 = vals[0].i32 + 1;
  return 0;
}

static void setup_host(void) {
  wasmtime_module_t *m = compile(engine, WAT_HOST);
  wasmtime_linker_t *l = wasmtime_linker_new(engine);
  wasm_valtype_vec_t params, results;
  wasm_valtype_vec_new_uninitialized(&params, 1);
  params.data[0] = wasm_valtype_new(WASM_I32);
  wasm_valtype_vec_new_uninitialized(&results, 1);
  results.data[0] = wasm_valtype_new(WASM_I32);
  wasm_functype_t *ft = wasm_functype_new(&params, &results);
  check(wasmtime_linker_define_func_unchecked(l, "env", 3, "f", 1, ft, host_f, 0, 0), 0, "define");
  wasm_functype_delete(ft);
  wasmtime_instance_t inst;
  wasm_trap_t *trap = 0;
  check(wasmtime_linker_instantiate(l, ctx, m, &inst, &trap), trap, "instantiate");
  wasmtime_extern_t e;
  get_export(&inst, "run", &e);
  run_fn = e.of.func;
  wasmtime_linker_delete(l);
  wasmtime_module_delete(m);
}

static uint64_t run_host_call(uint64_t iters) {
  uint64_t t0 = bench_now();
  wasmtime_val_raw_t v[1];
  v[0].i32 = (int32_t)iters;
  wasm_trap_t *trap = 0;
  wasmtime_error_t *err = wasmtime_func_call_unchecked(ctx, &run_fn, v, 1, &trap);
  uint64_t ns = bench_now() - t0;
  check(err, trap, "run");
  if ((uint32_t)v[0].i32 != (uint32_t)iters) DIE("host_call: run returned %d, expected %" PRIu64, v[0].i32, iters);
  return ns;
}

/* ---- instantiation ----------------------------------------------------------------- */

static wasmtime_instance_pre_t *pre;
static wasmtime_module_t *inst_module;
static wasmtime_linker_t *inst_linker;

static void setup_template(void) {
  pooling_engine = new_engine(1); /* here, not in main: see bench_wasmbound.c */
  wasmtime_module_t *m = compile(pooling_engine, WAT_INST);
  wasmtime_linker_t *l = wasmtime_linker_new(pooling_engine);
  check(wasmtime_linker_instantiate_pre(l, m, &pre), 0, "instantiate_pre");
  wasmtime_linker_delete(l);
  wasmtime_module_delete(m);
}

static uint64_t run_template(uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wasmtime_store_t *s = new_store(pooling_engine);
    wasmtime_instance_t inst;
    wasm_trap_t *trap = 0;
    wasmtime_error_t *err = wasmtime_instance_pre_instantiate(pre, wasmtime_store_context(s), &inst, &trap);
    if (__builtin_expect(err != 0 || trap != 0, 0)) check(err, trap, "instantiate");
    wasmtime_store_delete(s);
  }
  return bench_now() - t0;
}

static void setup_default(void) {
  inst_module = compile(engine, WAT_INST);
  inst_linker = wasmtime_linker_new(engine);
}

static uint64_t run_default(uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wasmtime_store_t *s = new_store(engine);
    wasmtime_instance_t inst;
    wasm_trap_t *trap = 0;
    wasmtime_error_t *err = wasmtime_linker_instantiate(inst_linker, wasmtime_store_context(s), inst_module, &inst, &trap);
    if (__builtin_expect(err != 0 || trap != 0, 0)) check(err, trap, "instantiate");
    wasmtime_store_delete(s);
  }
  return bench_now() - t0;
}

/* ---- memory -------------------------------------------------------------------------- */

/* lengths come from volatiles: a host does not know them at compile time,
 * so neither side gets an inlined fixed-size copy */
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
    uint8_t *data = wasmtime_memory_data(ctx, &memory);
    memcpy(data + off, src64, len);
  }
  return bench_now() - t0;
}

static uint64_t run_read_64k(uint64_t iters) {
  size_t len = len_64k;
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    const uint8_t *data = wasmtime_memory_data(ctx, &memory);
    memcpy(dst64k, data, len);
    sum += dst64k[i & 0xFFFF];
  }
  uint64_t ns = bench_now() - t0;
  bench_sink = sum;
  return ns;
}

/* ---- the pool baseline: a mutex + condition variable handoff (bench.h) ---------------- */

/* ---- memory overhead: the raw equivalents ---------------------------------------------- */

static void mem(void) {
  static wasmtime_store_t *stores[BENCH_STORES];
  uint64_t m0 = bench_malloced();
  for (int i = 0; i < BENCH_STORES; i++) stores[i] = new_store(engine);
  uint64_t m1 = bench_malloced();
  for (int i = 0; i < BENCH_STORES; i++) wasmtime_store_delete(stores[i]);

  wasmtime_module_t *m = compile(engine, WAT_TINY);
  wasmtime_store_t *s = new_store(engine);
  wasmtime_context_t *c = wasmtime_store_context(s);
  wasmtime_store_limiter(s, -1, -1, 2 * BENCH_HANDLES, -1, -1); /* Wasmtime's default: 10,000 instances */
  wasmtime_instance_t inst;
  wasm_trap_t *trap = 0;
  check(wasmtime_instance_new(c, m, 0, 0, &inst, &trap), trap, "instantiate"); /* first-use allocations */
  uint64_t h0 = bench_malloced();
  for (int i = 0; i < BENCH_HANDLES; i++)
    check(wasmtime_instance_new(c, m, 0, 0, &inst, &trap), trap, "instantiate");
  uint64_t h1 = bench_malloced();
  wasmtime_store_delete(s);
  wasmtime_module_delete(m);
  printf("mem %.1f %.1f\n", (double)(m1 - m0) / BENCH_STORES, (double)(h1 - h0) / BENCH_HANDLES);
}

#include "component_raw.h" /* the component cases */

static bench_case_t cases[] = {
    COMPONENT_CASES
    {"call_i32_add", setup_add, run_call_unchecked, 0, 0, 0},
    {"call_i32_add_checked", setup_add, run_call_checked, 0, 0, 0},
    /* the twin of wasmbound's typed path is the same unchecked call (for
     * bench/icount.sh, which asks both sides by one name) */
    {"call_i32_add_typed", setup_add, run_call_unchecked, 0, 0, 0},
    {"call_externref", setup_refs, run_externref, 0, 0, 0},
    {"call_funcref", setup_refs, run_funcref, 0, 0, 0},
    {"host_call", setup_host, run_host_call, 0, 0, 0},
    {"host_call_typed", setup_host, run_host_call, 0, 0, 0}, /* the raw side has one kind of host function */
    {"instantiate_template", setup_template, run_template, 0, 0, 0},
    {"instantiate_default", setup_default, run_default, 0, 0, 0},
    {"memory_write_64", setup_add, run_write_64, 0, 0, 0},
    {"memory_read_64k", setup_add, run_read_64k, 0, 0, 0},
    {"pool_roundtrip", bench_setup_handoff, bench_run_handoff, 0, 0, 0},
    {0, 0, 0, 0, 0, 0},
};

int main(int argc, char **argv) {
  engine = new_engine(0);
  store = new_store(engine);
  ctx = wasmtime_store_context(store);
  return bench_main(argc, argv, cases, mem);
}
