/* One template instantiated from 8 threads at once, each into its own store,
 * with every result checked; its host function runs on the thread of the
 * store that calls it. */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

static const char *wat =
    "(module (import \"host\" \"tid_check\" (func $check (param i32) (result i32)))"
    " (global $counter (mut i32) (i32.const 0))"
    " (func (export \"bump\") (param i32) (result i32)"
    "   global.get $counter local.get 0 i32.add global.set $counter"
    "   global.get $counter call $check))";

static wb_template_t tmpl;
static atomic_int host_calls;
static _Thread_local int thread_index = -1;

/* Runs on the calling store's owner thread: the index it sees is that
 * thread's own. Returns its argument plus 1000 * thread index. */
static wb_status_t tid_check(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                             size_t nresults) {
  (void)env, (void)nargs, (void)nresults;
  wb_store_t s;
  OK(wb_caller_store(caller, &s));
  CHECK(thread_index >= 0);
  atomic_fetch_add(&host_calls, 1);
  results[0] = val_i32(args[0].of.i32 + 1000 * thread_index);
  return WB_OK;
}

static wb_engine_t engine;

static void *worker(void *arg) {
  thread_index = (int)(intptr_t)arg;
  for (int round = 0; round < 25; round++) {
    wb_store_t s;
    wb_instance_t inst;
    wb_func_t bump;
    OK(wb_store_new(engine, &s));
    OK(wb_template_instantiate(tmpl, s, &inst));
    OK(wb_instance_get_func(inst, "bump", &bump));
    int32_t total = 0;
    for (int k = 1; k <= 10; k++) {
      wb_val_t a = val_i32(k), r;
      OK(wb_func_call(bump, &a, 1, &r, 1));
      total += k;
      /* fresh state per instance, the host function on this thread */
      CHECK(r.of.i32 == total + 1000 * thread_index);
    }
    OK(wb_store_delete(s));
  }
  return NULL;
}

int main(void) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.pooling_allocator = true;
  cfg.pool_total_core_instances = 64;
  cfg.pool_total_memories = 64;
  cfg.pool_total_tables = 64;
  OK(wb_engine_new(&cfg, &engine));
  wb_module_t m = compile_wat(engine, wat);
  wb_linker_t l;
  OK(wb_linker_new(engine, &l));
  const wb_valkind_t i32[1] = {WB_I32};
  OK(wb_linker_define_func(l, "host", "tid_check", i32, 1, i32, 1, tid_check, NULL, NULL));
  OK(wb_template_new(l, m, &tmpl));
  OK(wb_linker_delete(l)); /* the template does not need the linker */
  OK(wb_module_delete(m)); /* nor the module handle */

  EXPECT(wb_template_new(l, m, &tmpl), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_template_instantiate(tmpl, (wb_store_t){0}, NULL), WB_ERR_INVALID_HANDLE, "null wb_store_t");

  enum { THREADS = 8 };
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; t++) CHECK(pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t) == 0);
  for (int t = 0; t < THREADS; t++) CHECK(pthread_join(threads[t], NULL) == 0);
  CHECK(atomic_load(&host_calls) == THREADS * 25 * 10);

  /* a missing import is a link error when the template is made */
  wb_linker_t empty;
  OK(wb_linker_new(engine, &empty));
  m = compile_wat(engine, wat);
  wb_template_t bad;
  EXPECT(wb_template_new(empty, m, &bad), WB_ERR_LINK, "host::tid_check");
  OK(wb_module_delete(m));
  OK(wb_linker_delete(empty));

  OK(wb_template_delete(tmpl));
  EXPECT(wb_template_delete(tmpl), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_template_delete((wb_template_t){0}));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("templates");
}
