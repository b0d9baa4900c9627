/* Engines and compilation at the edges: configurations Wasmtime refuses
 * (issue 14 item 2: its engine constructor aborts on them) and compiling on
 * threads with little stack (item 3). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cases.h"

#define ADD "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"

/* An engine that was made must work: a store, an instance, a call. */
static void engine_works(wb_engine_t e) {
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  wb_module_t m = adv_compile(e, ADD);
  OK(wb_store_new(e, &s));
  OK(wb_instance_new(s, m, &inst));
  OK(wb_instance_get_func(inst, "add", &f));
  wb_val_t a[2] = {val_i32(2), val_i32(40)}, r;
  OK(wb_func_call(f, a, 2, &r, 1));
  CHECK(r.of.i32 == 42);
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
}

/* Either made and working, or refused with WB_ERR_INVALID_ARGUMENT and a
 * message naming the field: never an abort. */
static void try_config(const wb_engine_config_t *cfg, const char *want_part) {
  wb_engine_t e;
  wb_status_t st = wb_engine_new(cfg, &e);
  if (want_part) {
    if (st != WB_ERR_INVALID_ARGUMENT || !strstr(wb_last_error(), want_part)) {
      fprintf(stderr, "expected a refusal naming \"%s\", got %s: %s\n", want_part, wb_status_name(st), wb_last_error());
      exit(1);
    }
    return;
  }
  if (st == WB_ERR_INVALID_ARGUMENT) return;
  OK(st);
  if (!cfg->async_support) engine_works(e); /* async stores take async calls */
  OK(wb_engine_delete(e));
}

static wb_engine_config_t defaults(void) {
  wb_engine_config_t c;
  OK(wb_engine_config_init(&c, WB_ENGINE_CONFIG_VERSION));
  return c;
}

/* Pooling configurations Wasmtime refuses: memories larger than their
 * reservation, more address space than the process may map. */
static void item02_pooling_limits(void) {
  wb_engine_config_t c = defaults();
  c.pooling_allocator = true;
  c.pool_max_memory_size = (uint64_t)8 << 30;
  try_config(&c, "pool_max_memory_size");
  c = defaults();
  c.pooling_allocator = true;
  c.pool_total_memories = 100000;
  try_config(&c, "pool_total_memories");
  c.pool_total_memories = UINT32_MAX;
  try_config(&c, "pool_total_memories");
  c = defaults();
  c.pooling_allocator = true;
  c.pool_total_tables = UINT32_MAX;
  try_config(&c, "address space");
  c = defaults();
  c.pooling_allocator = true; /* the defaults work */
  try_config(&c, NULL);
}

/* Under an address-space limit (ulimit -v), the default pooling allocator
 * (about 4 TiB of reservations) is refused, not an abort. Not under ASan,
 * whose shadow memory needs more address space than any such limit. */
static void item02_pooling_under_rlimit_as(void) {
#if defined(__SANITIZE_ADDRESS__)
  fprintf(stderr, "skipped under AddressSanitizer\n");
#else
  struct rlimit lim = {(rlim_t)64 << 30, (rlim_t)64 << 30};
  CHECK(setrlimit(RLIMIT_AS, &lim) == 0);
  wb_engine_config_t c = defaults();
  c.pooling_allocator = true;
  try_config(&c, "address space");
#endif
}

/* Feature switches in every combination Wasmtime has an opinion about:
 * SIMD off with relaxed SIMD on (Wasmtime refuses that), async with a wasm
 * stack larger than the async stack, and 300 random combinations. */
static void item02_feature_combinations(void) {
  wb_engine_config_t c = defaults();
  c.wasm_simd = false; /* relaxed SIMD stays on by default: wasmbound turns it off too */
  try_config(&c, NULL);
  c = defaults();
  c.async_support = true;
  c.max_wasm_stack = 4u << 20;
  try_config(&c, "async");
  c.async_stack_size = 8u << 20;
  try_config(&c, NULL);
  c = defaults();
  c.async_support = true;
  c.async_stack_size = 100;
  try_config(&c, "async_stack_size");
  srand(14);
  for (int i = 0; i < 300; i++) {
    c = defaults();
    bool *flags[] = {&c.wasm_threads, &c.wasm_simd, &c.wasm_multi_memory, &c.wasm_memory64, &c.wasm_gc,
                     &c.wasm_tail_call, &c.consume_fuel, &c.epoch_interruption, &c.signals_based_traps,
                     &c.parallel_compilation, &c.wasm_reference_types, &c.wasm_function_references,
                     &c.wasm_exceptions, &c.wasm_relaxed_simd, &c.wasm_relaxed_simd_deterministic,
                     &c.wasm_bulk_memory, &c.wasm_multi_value, &c.wasm_wide_arithmetic, &c.wasm_custom_page_sizes,
                     &c.wasm_stack_switching, &c.wasm_component_model, &c.async_support, &c.guest_shared_memory};
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) *flags[k] = rand() & 1;
    c.opt_level = (wb_opt_level_t)(rand() % 3);
    if (c.async_support) continue; /* async engines refuse synchronous calls, which engine_works makes */
    wb_engine_t e;
    wb_status_t st = wb_engine_new(&c, &e);
    if (st == WB_ERR_INVALID_ARGUMENT) continue;
    OK(st);
    wb_module_t m;
    /* an engine without multi-value, bulk memory... may refuse even this module */
    if (wb_module_new(e, (const uint8_t *)ADD, strlen(ADD), &m) == WB_OK) {
      OK(wb_module_delete(m));
      if (c.epoch_interruption && !c.consume_fuel) engine_works(e);
    }
    OK(wb_engine_delete(e));
  }
}

/* The profilers write files when the first engine is made: one that cannot
 * be written is refused, not an abort. */
static void item02_profiler_file(void) {
  CHECK(chdir("/proc") == 0); /* ./jit-PID.dump cannot be created here */
  wb_engine_config_t c = defaults();
  c.profiler = WB_PROFILER_JITDUMP;
  try_config(&c, "jit-");
}

/* ---- compiling on small stacks (item 3) -------------------------------------- */

typedef struct compile_job {
  wb_engine_t engine;
  const uint8_t *bytes;
  size_t len;
  wb_status_t st;
} compile_job_t;

static void *compile_it(void *arg) {
  compile_job_t *j = arg;
  wb_module_t m;
  j->st = wb_module_new(j->engine, j->bytes, j->len, &m);
  if (j->st != WB_OK) fprintf(stderr, "%s\n", wb_last_error());
  if (j->st == WB_OK) {
    OK(wb_module_validate(j->engine, j->bytes, j->len));
    wb_bytes_t ser;
    OK(wb_module_serialize(m, &ser));
    wb_module_t back;
    OK(wb_module_deserialize(j->engine, ser.data, ser.len, &back));
    wb_bytes_dispose(&ser);
    OK(wb_module_delete(back));
    OK(wb_module_delete(m));
  }
  return 0;
}

/* WAT text and a one-function binary compile on threads with 64 and 96 KiB
 * of stack (they crashed with SIGSEGV), and so does a larger module. */
static void item03_compile_on_small_stacks(void) {
  static const uint8_t one_func[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
                                     0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66,
                                     0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b};
  /* many functions, deep nesting */
  size_t cap = 1 << 20, n = 0;
  char *big = malloc(cap);
  n += (size_t)snprintf(big + n, cap - n, "(module");
  for (int f = 0; f < 200; f++) {
    n += (size_t)snprintf(big + n, cap - n, " (func (export \"f%d\") (param i32) (result i32)", f);
    for (int d = 0; d < 50; d++) n += (size_t)snprintf(big + n, cap - n, " (block (result i32)");
    n += (size_t)snprintf(big + n, cap - n, " local.get 0");
    for (int d = 0; d < 50; d++) n += (size_t)snprintf(big + n, cap - n, " i32.const 1 i32.add)");
    n += (size_t)snprintf(big + n, cap - n, ")");
  }
  n += (size_t)snprintf(big + n, cap - n, ")");
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  size_t stacks[] = {64 * 1024, 96 * 1024, 256 * 1024};
  for (size_t i = 0; i < sizeof stacks / sizeof stacks[0]; i++) {
    compile_job_t jobs[3] = {{e, (const uint8_t *)ADD, strlen(ADD), 0},
                             {e, one_func, sizeof one_func, 0},
                             {e, (const uint8_t *)big, n, 0}};
    for (int k = 0; k < 3; k++) {
      adv_on_thread(stacks[i], compile_it, &jobs[k]);
      if (jobs[k].st != WB_OK) fprintf(stderr, "stack %zu, module %d: %s\n", stacks[i], k, wb_status_name(jobs[k].st));
      CHECK(jobs[k].st == WB_OK);
    }
  }
  free(big);
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

ADV_TABLE(engine) = {
    {"item02_pooling_limits", item02_pooling_limits},
    {"item02_pooling_under_rlimit_as", item02_pooling_under_rlimit_as},
    {"item02_feature_combinations", item02_feature_combinations},
    {"item02_profiler_file", item02_profiler_file},
    {"item03_compile_on_small_stacks", item03_compile_on_small_stacks},
};
ADV_COUNT(engine);
