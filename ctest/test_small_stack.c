/* A thread with a 256 KiB stack: calls into wasm are refused with
 * WB_ERR_NATIVE_STACK under the default 512 KiB max_wasm_stack instead of
 * crashing, and trap cleanly under an engine whose limit fits the stack. */
#include <pthread.h>

#include "check.h"

static const char *wat =
    "(module (func $rec (export \"recurse\") (param i32) (result i32)"
    " local.get 0 i32.const 1 i32.add call $rec))";

static void *recurse_with(void *arg) {
  wb_engine_t e = *(wb_engine_t *)arg;
  wb_module_t m = compile_wat(e, wat);
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_store_new(e, &s));
  wb_status_t st = wb_instance_new(s, m, &inst);
  if (st == WB_OK) {
    OK(wb_instance_get_func(inst, "recurse", &f));
    wb_val_t a = val_i32(0), r;
    st = wb_func_call(f, &a, 1, &r, 1);
  }
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  return (void *)(intptr_t)st;
}

static wb_status_t on_small_thread(wb_engine_t e) {
  pthread_attr_t attr;
  pthread_t t;
  void *ret;
  CHECK(pthread_attr_init(&attr) == 0);
  CHECK(pthread_attr_setstacksize(&attr, 256 * 1024) == 0);
  CHECK(pthread_create(&t, &attr, recurse_with, &e) == 0);
  CHECK(pthread_join(t, &ret) == 0);
  pthread_attr_destroy(&attr);
  return (wb_status_t)(intptr_t)ret;
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_status_t st = on_small_thread(e);
  CHECK(st == WB_ERR_NATIVE_STACK);
  OK(wb_engine_delete(e));

  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.max_wasm_stack = 64 * 1024;
  OK(wb_engine_new(&cfg, &e));
  st = on_small_thread(e);
  CHECK(st == WB_ERR_TRAP); /* a real stack-overflow trap, inside the thread's stack */
  OK(wb_engine_delete(e));

  /* the main thread (8 MiB) traps normally under the default */
  OK(wb_engine_new(NULL, &e));
  wb_engine_t copy = e;
  CHECK((wb_status_t)(intptr_t)recurse_with(&copy) == WB_ERR_TRAP);
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("small_stack");
}
