/* Engine configurations: their defaults and their versions. Any thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* ---- what Wasmtime would refuse ------------------------------------------ */

/* Wasmtime's engine constructor in the C API (wasm_engine_new_with_config)
 * unwraps Engine::new, so a configuration Wasmtime refuses aborts the
 * process. These are the refusals its Config::validate, its pooling
 * allocator and its profilers can reach from the fields wasmbound exposes
 * (Wasmtime 39: crates/wasmtime/src/config.rs validate, build_allocator,
 * build_profiler; runtime/vm/instance/allocator/pooling/memory_pool.rs,
 * table_pool.rs; docs/hazards.md). wasmbound refuses them first. */

#define WBL_GIB ((uint64_t)1 << 30)
#define WBL_DEFAULT_ASYNC_STACK ((uint64_t)2 << 20)
/* Wasmtime's defaults on 64-bit hosts, which wasmbound does not change */
#define WBL_MEMORY_RESERVATION ((uint64_t)4 << 30)
#define WBL_MEMORY_GUARD ((uint64_t)32 << 20)
#define WBL_POOL_TABLE_ELEMENTS 20000u

/* Reserves `bytes` of address space (no memory) and gives it back: whether
 * the system would let Wasmtime's pooling allocator reserve as much. */
static int can_reserve(uint64_t bytes) {
  if (bytes == 0) return 1;
  if (bytes > ((uint64_t)1 << 47)) return 0; /* beyond a 47-bit user address space */
  void *p = mmap(0, (size_t)bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return 0;
  munmap(p, (size_t)bytes);
  return 1;
}

/* The profilers open their files when the first engine is made. */
static wb_status_t check_profiler_file(wb_profiler_t profiler) {
  char path[64];
  if (profiler == WB_PROFILER_PERFMAP) snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
  else if (profiler == WB_PROFILER_JITDUMP) snprintf(path, sizeof path, "./jit-%d.dump", (int)getpid());
  else return WB_OK;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the profiler needs to write %s, which cannot be opened: %s", path,
                    strerror(errno));
  close(fd);
  return WB_OK;
}

wb_status_t wbl_engine_config_check(const wb_engine_config_t *c, uint64_t max_wasm_stack) {
  if (c->async_support) {
    uint64_t async_stack = c->async_stack_size ? c->async_stack_size : WBL_DEFAULT_ASYNC_STACK;
    if (c->async_stack_size && (c->async_stack_size < 64 * 1024 || c->async_stack_size > WBL_GIB))
      return wbi_fail(WB_ERR_INVALID_ARGUMENT, "config.async_stack_size %llu is outside 64 KiB .. 1 GiB",
                      (unsigned long long)c->async_stack_size);
    if (max_wasm_stack > async_stack)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "config.max_wasm_stack (%llu bytes) exceeds the async stack (%llu bytes): an async call "
                      "runs wasm on that stack; raise async_stack_size or lower max_wasm_stack",
                      (unsigned long long)max_wasm_stack, (unsigned long long)async_stack);
  }
  if (c->pooling_allocator) {
    if (c->pool_max_memory_size > WBL_MEMORY_RESERVATION)
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "config.pool_max_memory_size (%llu bytes) exceeds the 4 GiB Wasmtime reserves for each "
                      "memory of the pooling allocator",
                      (unsigned long long)c->pool_max_memory_size);
    /* one slot of reservation + guard per memory, one of 20,000 pointers per table */
    uint64_t slot = WBL_MEMORY_RESERVATION + WBL_MEMORY_GUARD;
    uint64_t table = ((uint64_t)WBL_POOL_TABLE_ELEMENTS * sizeof(void *) + 4095) & ~(uint64_t)4095;
    uint64_t memories = (uint64_t)c->pool_total_memories * slot, tables = (uint64_t)c->pool_total_tables * table;
    if (c->pool_total_memories > ((uint64_t)1 << 47) / slot || !can_reserve(memories + tables))
      return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                      "the pooling allocator would reserve %llu GiB of address space (%u memories of 4 GiB and "
                      "their guards, %u tables), more than this process may map: lower pool_total_memories",
                      (unsigned long long)((memories + tables) / WBL_GIB), c->pool_total_memories,
                      c->pool_total_tables);
  }
  return check_profiler_file(c->profiler);
}
