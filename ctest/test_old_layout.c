/* A program compiled against an older layout of the versioned structs keeps
 * working with today's library, which appended fields.
 *
 * wasmbound_v1.h is today's wasmbound.h with wb_engine_config_t cut back to
 * version 1 (its 0.1.0 fields) and WB_ENGINE_CONFIG_VERSION 1: exactly what
 * a program built before version 2 was appended saw. This program uses it
 * as such a program would (sizeof, the init function, the fields), and
 * checks that the library writes and reads no byte beyond the old struct
 * (a heap block of the old size: AddressSanitizer in the sanitizer tree,
 * canaries everywhere) and honours the old fields. The pool configuration,
 * at version 1 in this release, is checked the same way through a frozen
 * copy of its version-1 layout. */
#include "wasmbound_v1.h" /* first: check.h's wasmbound.h is then skipped */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

/* The version-1 layouts, frozen: a field of them must never move. */
struct engine_config_v1 {
  uint32_t version;
  bool wasm_threads, wasm_simd, wasm_multi_memory, wasm_memory64, wasm_gc, wasm_tail_call;
  bool consume_fuel, epoch_interruption, signals_based_traps;
  wb_opt_level_t opt_level;
  bool parallel_compilation;
  uint64_t max_wasm_stack;
  bool pooling_allocator;
  uint32_t pool_total_core_instances, pool_total_memories, pool_total_tables;
  uint64_t pool_max_memory_size;
  wb_profiler_t profiler;
};
struct pool_config_v1 {
  uint32_t version, workers, queue_capacity;
  uint64_t call_timeout_ms, fuel_per_call, memory_limit_bytes, recycle_after_calls;
};

#define SAME_FIELD(a, b, f) _Static_assert(offsetof(a, f) == offsetof(b, f), #f " moved")
_Static_assert(WB_ENGINE_CONFIG_VERSION == 1, "wasmbound_v1.h has version 1");
_Static_assert(sizeof(wb_engine_config_t) == sizeof(struct engine_config_v1), "version 1's size");
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, wasm_threads);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, wasm_gc);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, consume_fuel);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, opt_level);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, parallel_compilation);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, max_wasm_stack);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, pooling_allocator);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, pool_total_tables);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, pool_max_memory_size);
SAME_FIELD(wb_engine_config_t, struct engine_config_v1, profiler);
SAME_FIELD(wb_pool_config_t, struct pool_config_v1, workers);
SAME_FIELD(wb_pool_config_t, struct pool_config_v1, recycle_after_calls);

static const char *loop_wat =
    "(module (func (export \"spin\") (loop $l (br $l))))";
static const char *simd_wat =
    "(module (func (export \"v\") (result v128) v128.const i64x2 1 2))";
static const char *add_wat =
    "(module (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";

/* A struct of the old layout followed by bytes nobody may touch. */
struct guarded {
  wb_engine_config_t cfg;
  unsigned char after[64];
};

static void check_untouched(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) CHECK(p[i] == 0xA5);
}

int main(void) {
  /* 1. init writes the version-1 fields and nothing past them */
  wb_engine_config_t *heap = malloc(sizeof *heap); /* exactly the old size */
  CHECK(heap != NULL);
  memset(heap, 0xA5, sizeof *heap);
  OK(wb_engine_config_init(heap, WB_ENGINE_CONFIG_VERSION));
  CHECK(heap->version == 1);
  CHECK(heap->wasm_simd && heap->wasm_threads && heap->epoch_interruption && heap->parallel_compilation);
  CHECK(!heap->consume_fuel && !heap->pooling_allocator && heap->pool_total_memories == 1000);
  CHECK(heap->profiler == WB_PROFILER_NONE && heap->opt_level == WB_OPT_SPEED);

  struct guarded g;
  memset(&g, 0xA5, sizeof g);
  OK(wb_engine_config_init(&g.cfg, 1));
  check_untouched(g.after, sizeof g.after);
  CHECK(memcmp(&g.cfg, heap, offsetof(wb_engine_config_t, profiler) + sizeof g.cfg.profiler) == 0);

  /* 2. the library reads the old struct's fields, and only those: fuel on */
  heap->consume_fuel = true;
  wb_engine_t engine;
  OK(wb_engine_new(heap, &engine));
  wb_module_t spin = compile_wat(engine, loop_wat);
  wb_store_t store;
  OK(wb_store_new(engine, &store));
  OK(wb_store_set_fuel(store, 10000));
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_instance_new(store, spin, &inst));
  OK(wb_instance_get_func(inst, "spin", &f));
  EXPECT(wb_func_call(f, NULL, 0, NULL, 0), WB_ERR_OUT_OF_FUEL, "");
  OK(wb_store_delete(store));
  OK(wb_module_delete(spin));
  OK(wb_engine_delete(engine));

  /* 3. version 1's meaning kept: without a switch of its own, relaxed SIMD
   * follows wasm_simd, so turning SIMD off is a valid configuration */
  heap->consume_fuel = false;
  heap->wasm_simd = false;
  OK(wb_engine_new(heap, &engine));
  wb_module_t m;
  EXPECT(wb_module_new(engine, (const uint8_t *)simd_wat, strlen(simd_wat), &m), WB_ERR_COMPILE, "");
  OK(wb_engine_delete(engine));

  /* 4. a version the library never shipped is refused, naming it */
  memset(&g, 0xA5, sizeof g);
  EXPECT(wb_engine_config_init(&g.cfg, 99), WB_ERR_INVALID_ARGUMENT, "99");
  EXPECT(wb_engine_config_init(&g.cfg, 0), WB_ERR_INVALID_ARGUMENT, "");
  check_untouched((const unsigned char *)&g, sizeof g);
  heap->version = 99;
  EXPECT(wb_engine_new(heap, &engine), WB_ERR_INVALID_ARGUMENT, "99");
  free(heap);

  /* 5. the pool configuration through its frozen version-1 layout */
  OK(wb_engine_new(NULL, &engine));
  wb_module_t add = compile_wat(engine, add_wat);
  wb_linker_t linker;
  wb_template_t tmpl;
  OK(wb_linker_new(engine, &linker));
  OK(wb_template_new(linker, add, &tmpl));
  struct pool_config_v1 *pc = malloc(sizeof *pc);
  CHECK(pc != NULL);
  memset(pc, 0xA5, sizeof *pc);
  OK(wb_pool_config_init((wb_pool_config_t *)pc, 1));
  CHECK(pc->version == 1 && pc->workers == 2 && pc->queue_capacity == 1024 && pc->call_timeout_ms == 0);
  pc->workers = 3;
  wb_pool_t pool;
  OK(wb_pool_new(engine, tmpl, (const wb_pool_config_t *)pc, &pool));
  wb_val_t args[2] = {val_i32(40), val_i32(2)}, result;
  OK(wb_pool_call(pool, "add", args, 2, &result, 1));
  CHECK(result.of.i32 == 42);
  wb_pool_stats_t ps = WB_POOL_STATS_INIT;
  OK(wb_pool_stats_get(pool, &ps));
  CHECK(ps.workers == 3);
  OK(wb_pool_delete(pool));
  free(pc);
  OK(wb_template_delete(tmpl));
  OK(wb_linker_delete(linker));
  OK(wb_module_delete(add));
  OK(wb_engine_delete(engine));

  printf("old layout: wb_engine_config_t version 1 (%zu bytes), compiled before version 2 was appended, "
         "works with wasmbound %s\n",
         sizeof(wb_engine_config_t), wb_version());
  check_no_live_handles();
  DONE("old_layout");
}
