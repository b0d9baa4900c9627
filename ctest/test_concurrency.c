/* Concurrency: 8 threads churn their own stores on a shared engine and
 * module while another thread compiles and deletes modules; a module is
 * deleted while other threads instantiate it. */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

static const char *wat =
    "(module (memory (export \"mem\") 1)"
    " (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";

static wb_engine_t engine;
static wb_module_t shared_module;
static atomic_int stop;
static atomic_long calls;

static void *churn(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int round = 0; round < 150; round++) {
    wb_store_t s;
    wb_instance_t inst;
    wb_func_t add;
    OK(wb_store_new(engine, &s));
    OK(wb_instance_new(s, shared_module, &inst));
    OK(wb_instance_get_func(inst, "add", &add));
    for (int k = 0; k < 50; k++) {
      wb_val_t a[2] = {val_i32(id * 1000), val_i32(k)}, r;
      OK(wb_func_call(add, a, 2, &r, 1));
      CHECK(r.of.i32 == id * 1000 + k);
      atomic_fetch_add(&calls, 1);
    }
    OK(wb_store_delete(s));
  }
  return NULL;
}

static void *compile_delete(void *arg) {
  (void)arg;
  int n = 0;
  while (!atomic_load(&stop)) {
    wb_module_t m = compile_wat(engine, wat);
    OK(wb_module_delete(m));
    n++;
  }
  CHECK(n > 0);
  return NULL;
}

/* Instantiates the victim module until it is deleted under us. */
static wb_module_t victim;
static atomic_int victim_users;
static void *instantiate_victim(void *arg) {
  (void)arg;
  wb_store_t s;
  OK(wb_store_new(engine, &s));
  int ok = 0;
  atomic_fetch_add(&victim_users, 1);
  for (;;) {
    wb_instance_t inst;
    wb_status_t st = wb_instance_new(s, victim, &inst);
    if (st == WB_ERR_INVALID_HANDLE) break;
    CHECK(st == WB_OK);
    ok++;
    if (ok % 64 == 0) { /* keep the store small */
      OK(wb_store_delete(s));
      OK(wb_store_new(engine, &s));
    }
  }
  CHECK(strstr(wb_last_error(), "deleted") != NULL);
  OK(wb_store_delete(s));
  return NULL;
}

int main(void) {
  OK(wb_engine_new(NULL, &engine));
  shared_module = compile_wat(engine, wat);
  pthread_t workers[8], compiler;
  CHECK(pthread_create(&compiler, NULL, compile_delete, NULL) == 0);
  for (int t = 0; t < 8; t++) CHECK(pthread_create(&workers[t], NULL, churn, (void *)(intptr_t)t) == 0);
  for (int t = 0; t < 8; t++) CHECK(pthread_join(workers[t], NULL) == 0);
  atomic_store(&stop, 1);
  CHECK(pthread_join(compiler, NULL) == 0);
  CHECK(atomic_load(&calls) == 8 * 150 * 50);

  victim = compile_wat(engine, wat);
  pthread_t users[4];
  for (int t = 0; t < 4; t++) CHECK(pthread_create(&users[t], NULL, instantiate_victim, NULL) == 0);
  while (atomic_load(&victim_users) < 4) sched_yield();
  OK(wb_module_delete(victim));
  for (int t = 0; t < 4; t++) CHECK(pthread_join(users[t], NULL) == 0);

  OK(wb_module_delete(shared_module));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("concurrency");
}
