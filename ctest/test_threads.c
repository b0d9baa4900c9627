/* The thread rules: the wrong-thread matrix over every store-bound function,
 * release and adopt, orphans of an exited thread, and interrupting a
 * spinning call from another thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static const char *wat =
    "(module\n"
    "  (memory (export \"mem\") 1 4)\n"
    "  (global (export \"g\") (mut i32) (i32.const 1))\n"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)\n"
    "  (func (export \"spin\") (loop br 0)))";

static wb_engine_t engine;
static wb_module_t module;

typedef struct world {
  wb_store_t store;
  wb_instance_t inst;
  wb_func_t add, spin;
  wb_memory_t mem;
  wb_global_t g;
} world_t;

static void make_world(world_t *w) {
  OK(wb_store_new(engine, &w->store));
  OK(wb_instance_new(w->store, module, &w->inst));
  OK(wb_instance_get_func(w->inst, "add", &w->add));
  OK(wb_instance_get_func(w->inst, "spin", &w->spin));
  OK(wb_instance_get_memory(w->inst, "mem", &w->mem));
  OK(wb_instance_get_global(w->inst, "g", &w->g));
}

static int32_t add_on(const world_t *w, int32_t x, int32_t y) {
  wb_val_t a[2] = {val_i32(x), val_i32(y)}, r;
  OK(wb_func_call(w->add, a, 2, &r, 1));
  return r.of.i32;
}

static pid_t owner_tid;

/* Runs every store-bound function from a thread that is not the owner;
 * expects WB_ERR_WRONG_THREAD naming the kind and both threads. */
static int matrix_rows;
static void *wrong_thread_matrix(void *arg) {
  world_t *w = arg;
  char me[32], owner[32];
  snprintf(me, sizeof me, "thread %d", (int)syscall(SYS_gettid));
  snprintf(owner, sizeof owner, "thread %d", (int)owner_tid);
  wb_val_t a[2] = {val_i32(1), val_i32(2)}, r;
  uint64_t u64;
  size_t n1, n2;
  uint8_t buf[4] = {0};
  wb_instance_t i2;
  wb_func_t f;
  wb_memory_t m;
  wb_global_t g;
#define WRONG(call, kind)                                   \
  do {                                                      \
    EXPECT(call, WB_ERR_WRONG_THREAD, kind);                \
    CHECK(strstr(wb_last_error(), me) != NULL);             \
    CHECK(strstr(wb_last_error(), owner) != NULL);          \
    matrix_rows++;                                          \
  } while (0)
  WRONG(wb_store_delete(w->store), "wb_store_t");
  WRONG(wb_store_release(w->store), "wb_store_t");
  WRONG(wb_store_adopt(w->store), "wb_store_t");
  WRONG(wb_store_set_fuel(w->store, 1), "wb_store_t");
  WRONG(wb_store_get_fuel(w->store, &u64), "wb_store_t");
  WRONG(wb_instance_new(w->store, module, &i2), "wb_store_t");
  WRONG(wb_instance_get_func(w->inst, "add", &f), "wb_instance_t");
  WRONG(wb_instance_get_memory(w->inst, "mem", &m), "wb_instance_t");
  WRONG(wb_instance_get_global(w->inst, "g", &g), "wb_instance_t");
  WRONG(wb_func_call(w->add, a, 2, &r, 1), "wb_func_t");
  WRONG(wb_func_arity(w->add, &n1, &n2), "wb_func_t");
  WRONG(wb_memory_size(w->mem, &u64), "wb_memory_t");
  WRONG(wb_memory_grow(w->mem, 1, &u64), "wb_memory_t");
  WRONG(wb_memory_read(w->mem, 0, buf, 4), "wb_memory_t");
  WRONG(wb_memory_write(w->mem, 0, buf, 4), "wb_memory_t");
  WRONG(wb_global_get(w->g, &r), "wb_global_t");
  WRONG(wb_global_set(w->g, &a[0]), "wb_global_t");
  wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
  wb_bytes_t bytes;
  wb_wasi_config_t wasi;
  wb_linker_t l;
  wb_template_t t;
  OK(wb_wasi_config_new(&wasi));
  OK(wb_linker_new(engine, &l));
  OK(wb_template_new(l, module, &t));
  WRONG(wb_store_set_limits(w->store, &lim), "wb_store_t");
  WRONG(wb_store_set_call_timeout(w->store, 1), "wb_store_t");
  WRONG(wb_store_set_deadline(w->store, 1), "wb_store_t");
  WRONG(wb_store_set_wasi(w->store, wasi), "wb_store_t");
  WRONG(wb_store_wasi_output(w->store, 1, &bytes), "wb_store_t");
  WRONG(wb_linker_instantiate(l, w->store, module, &i2), "wb_store_t");
  WRONG(wb_linker_define_instance(l, "m", w->inst), "wb_instance_t");
  WRONG(wb_template_instantiate(t, w->store, &i2), "wb_store_t");
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  OK(wb_wasi_config_delete(wasi));
  /* the one store operation meant for other threads */
  OK(wb_store_interrupt(w->store));
  return NULL;
}

static void *adopt_call_release(void *arg) {
  world_t *w = arg;
  OK(wb_store_adopt(w->store));
  OK(wb_store_adopt(w->store)); /* adopting your own store is fine */
  CHECK(add_on(w, 20, 22) == 42);
  OK(wb_store_release(w->store));
  return NULL;
}

static void *make_and_exit(void *arg) {
  make_world(arg);
  CHECK(add_on(arg, 1, 1) == 2);
  return NULL; /* exits owning the store: it becomes an orphan */
}

static atomic_int spinning;
static void *spin_until_interrupted(void *arg) {
  world_t *w = arg;
  make_world(w);
  atomic_store(&spinning, 1);
  EXPECT(wb_func_call(w->spin, NULL, 0, NULL, 0), WB_ERR_INTERRUPTED, "interrupt");
  CHECK(wb_last_trap_code() == WB_TRAP_INTERRUPT);
  CHECK(add_on(w, 2, 3) == 5); /* still usable */
  OK(wb_store_delete(w->store));
  return NULL;
}

static void run(void *(*fn)(void *), void *arg) {
  pthread_t t;
  CHECK(pthread_create(&t, NULL, fn, arg) == 0);
  CHECK(pthread_join(t, NULL) == 0);
}

int main(void) {
  owner_tid = (pid_t)syscall(SYS_gettid);
  OK(wb_engine_new(NULL, &engine));
  module = compile_wat(engine, wat);
  world_t w;
  make_world(&w);

  /* 1. the wrong-thread matrix; nothing changed afterwards */
  run(wrong_thread_matrix, &w);
  CHECK(matrix_rows == 25);
  wb_stats_t st = WB_STATS_INIT;
  OK(wb_stats_get(&st));
  CHECK(st.wrong_thread_refusals >= 25);
  /* the interrupt it sent stops the next call here, then calls work again */
  wb_val_t a[2] = {val_i32(1), val_i32(2)}, r;
  EXPECT(wb_func_call(w.add, a, 2, &r, 1), WB_ERR_INTERRUPTED, "before the call started");
  CHECK(add_on(&w, 1, 2) == 3);

  /* 2. release and adopt */
  OK(wb_store_release(w.store));
  EXPECT(wb_func_call(w.add, a, 2, &r, 1), WB_ERR_WRONG_THREAD, "released");
  EXPECT(wb_store_release(w.store), WB_ERR_WRONG_THREAD, "released");
  run(adopt_call_release, &w);
  OK(wb_store_adopt(w.store));
  CHECK(add_on(&w, 5, 5) == 10);

  /* 3. orphans: a thread exits owning a store */
  world_t orphan;
  run(make_and_exit, &orphan);
  OK(wb_stats_get(&st));
  CHECK(st.orphaned_stores == 1 && st.orphans_total == 1);
  EXPECT(wb_func_call(orphan.add, a, 2, &r, 1), WB_ERR_WRONG_THREAD, "orphaned");
  OK(wb_store_adopt(orphan.store));
  CHECK(add_on(&orphan, 3, 4) == 7);
  OK(wb_stats_get(&st));
  CHECK(st.orphaned_stores == 0);
  OK(wb_store_delete(orphan.store));
  /* an orphan may also be deleted directly by any thread */
  run(make_and_exit, &orphan);
  OK(wb_store_delete(orphan.store));
  EXPECT(wb_func_call(orphan.add, a, 2, &r, 1), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_stats_get(&st));
  CHECK(st.orphaned_stores == 0 && st.orphans_total == 2);

  /* 4. interrupt a call that is running now, from this thread */
  world_t spinner;
  pthread_t t;
  CHECK(pthread_create(&t, NULL, spin_until_interrupted, &spinner) == 0);
  while (!atomic_load(&spinning)) usleep(1000);
  usleep(20000); /* let it enter the loop */
  OK(wb_store_interrupt(spinner.store));
  CHECK(pthread_join(t, NULL) == 0);
  EXPECT(wb_store_interrupt(spinner.store), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_store_interrupt((wb_store_t){0}), WB_ERR_INVALID_HANDLE, "null");

  OK(wb_store_delete(w.store));
  OK(wb_module_delete(module));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("threads");
}
