/* A worker pool: many request threads call into wasm without owning any
 * store. The pool's workers each own one store and instance; a trap or a
 * timeout recycles the instance, so the next call starts clean.
 *
 *   cmake --build build --target pool && build/examples/pool
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "wasmbound.h"

static const char *WAT =
    "(module\n"
    "  (func (export \"square\") (param i32) (result i32) local.get 0 local.get 0 i32.mul)\n"
    "  (func (export \"runaway\") (loop br 0)))";

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

static wb_pool_t pool;
static uint32_t square;

/* A request thread: it owns no store, it just calls. */
static void *request_thread(void *arg) {
  int base = (int)(intptr_t)arg, wrong = 0;
  for (int i = 0; i < 1000; i++) {
    wb_val_t in = {.kind = WB_I32, .of.i32 = base + i}, out;
    if (wb_pool_call_index(pool, square, &in, 1, &out, 1) != WB_OK || out.of.i32 != (base + i) * (base + i)) wrong++;
  }
  return (void *)(intptr_t)wrong;
}

int main(void) {
  wb_engine_t engine;
  wb_module_t module;
  wb_linker_t linker;
  wb_template_t tmpl;
  CHECK(wb_engine_new(NULL, &engine));
  CHECK(wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module));
  CHECK(wb_linker_new(engine, &linker));
  CHECK(wb_template_new(linker, module, &tmpl));

  wb_pool_config_t cfg;
  CHECK(wb_pool_config_init(&cfg, WB_POOL_CONFIG_VERSION));
  cfg.workers = 2;
  cfg.call_timeout_ms = 100; /* a runaway call is stopped, its instance recycled */
  CHECK(wb_pool_new(engine, tmpl, &cfg, &pool));
  CHECK(wb_pool_func_index(pool, "square", &square));

  pthread_t threads[8];
  for (int t = 0; t < 8; t++) pthread_create(&threads[t], NULL, request_thread, (void *)(intptr_t)(t * 1000));
  int wrong = 0;
  for (int t = 0; t < 8; t++) {
    void *w;
    pthread_join(threads[t], &w);
    wrong += (int)(intptr_t)w;
  }
  printf("8 request threads x 1000 calls: %d wrong\n", wrong);

  wb_status_t st = wb_pool_call(pool, "runaway", NULL, 0, NULL, 0);
  printf("runaway: %s\n", wb_status_name(st));

  wb_pool_stats_t stats = WB_POOL_STATS_INIT;
  CHECK(wb_pool_stats_get(pool, &stats));
  printf("completed %llu, failed %llu, recycled %llu, queue high-water %llu\n",
         (unsigned long long)stats.completed, (unsigned long long)stats.failed, (unsigned long long)stats.recycled,
         (unsigned long long)stats.queue_high_water);

  CHECK(wb_pool_shutdown(pool, WB_SHUTDOWN_DRAIN));
  wb_pool_delete(pool);
  wb_template_delete(tmpl);
  wb_linker_delete(linker);
  wb_module_delete(module);
  wb_engine_delete(engine);
  return wrong == 0 && st == WB_ERR_INTERRUPTED ? 0 : 1;
}
