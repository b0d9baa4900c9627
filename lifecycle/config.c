/* Engine configurations: their defaults and their versions. Any thread. */
#include <stddef.h>
#include <string.h>

#include "lifecycle.h"

static const size_t engine_config_sizes[] = {
    0,
    offsetof(wb_engine_config_t, wasm_reference_types), /* 1: 0.1.0 */
    sizeof(wb_engine_config_t),                         /* 2: 0.2.0 */
};
_Static_assert(sizeof engine_config_sizes / sizeof engine_config_sizes[0] == WB_ENGINE_CONFIG_VERSION + 1,
               "a size for every version");

static const wbi_versioned_t engine_config_info = {
    "wb_engine_config_t", "wb_engine_config_init", WB_ENGINE_CONFIG_VERSION, engine_config_sizes};

/* Wasmtime 39's defaults, where wasmbound has no reason to differ. */
static void engine_config_defaults(wb_engine_config_t *c) {
  memset(c, 0, sizeof *c);
  c->version = WB_ENGINE_CONFIG_VERSION;
  c->wasm_threads = true;
  c->wasm_simd = true;
  c->wasm_multi_memory = true;
  c->wasm_memory64 = true;
  c->wasm_tail_call = true;
  c->epoch_interruption = true;
  c->signals_based_traps = true;
  c->opt_level = WB_OPT_SPEED;
  c->parallel_compilation = true;
  c->pool_total_core_instances = 1000;
  c->pool_total_memories = 1000;
  c->pool_total_tables = 1000;
  c->pool_max_memory_size = 10 << 20;
  c->profiler = WB_PROFILER_NONE;
  c->wasm_reference_types = true;
  c->wasm_relaxed_simd = true;
  c->wasm_bulk_memory = true;
  c->wasm_multi_value = true;
  c->wasm_component_model = true;
}

wb_status_t wb_engine_config_init(wb_engine_config_t *out, uint32_t version) {
  wb_engine_config_t d;
  engine_config_defaults(&d);
  return wbi_versioned_write(&engine_config_info, out, version, &d);
}

wb_status_t wbl_engine_config_read(const wb_engine_config_t *user, wb_engine_config_t *out) {
  wb_engine_config_t d;
  engine_config_defaults(&d);
  uint32_t version;
  wb_status_t st = wbi_versioned_read(&engine_config_info, user, &d, out, &version);
  if (st) return st;
  /* version 1 had no switch of its own for relaxed SIMD: it followed SIMD */
  if (version < 2) out->wasm_relaxed_simd = out->wasm_simd;
  return WB_OK;
}
