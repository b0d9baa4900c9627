/* Eight threads instantiate one component (through a shared template, and
 * through their own linkers) into their own stores and call it, every result
 * checked; then eight threads call a component pool at once. Run with the
 * default and with the pooling allocator.
 *
 *   test_component_threads COMPONENTS_DIR
 */
#include <pthread.h>
#include <stdatomic.h>

#include "component_util.h"

#define THREADS 8
#define ROUNDS 12
#define CALLS 40

static wb_engine_t engine;
static wb_component_t comp;
static wb_component_template_t tmpl;
static uint32_t add_index, echo_index, quad_index;
static atomic_int host_calls;

static wb_status_t twice(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)s;
  CHECK(env == &host_calls && nargs == 1 && args[0].kind == WB_CVAL_U32);
  atomic_fetch_add(&host_calls, 1);
  *result = wb_cval_u32(args[0].of.u32 * 2);
  return WB_OK;
}

static wb_component_linker_t new_linker(void) {
  wb_component_linker_t l;
  OK(wb_component_linker_new(engine, &l));
  OK(wb_component_linker_define_func(l, "ns:calc/host@1.0.0", "twice", twice, &host_calls, NULL));
  return l;
}

static void exercise(wb_component_instance_t inst, uint32_t tid, int round) {
  wb_component_func_t add, echo, quad;
  OK(wb_component_instance_func(inst, add_index, &add));
  OK(wb_component_instance_func(inst, echo_index, &echo));
  OK(wb_component_instance_func(inst, quad_index, &quad));
  for (uint32_t k = 0; k < CALLS; k++) {
    wb_cresult_t r = WB_CRESULT_INIT;
    wb_cval_t ab[2] = {wb_cval_u32(k * 1000), wb_cval_u32(tid)};
    OK(wb_component_func_call(add, ab, 2, &r));
    CHECK(r.value.kind == WB_CVAL_U32 && r.value.of.u32 == k * 1000 + tid);
    char text[64];
    int n = snprintf(text, sizeof text, "thread %u round %d call %u \xe2\x9c\x93", tid, round, k);
    wb_cval_t s = wb_cval_string_n(text, (size_t)n);
    OK(wb_component_func_call(echo, &s, 1, &r));
    CHECK(r.value.kind == WB_CVAL_STRING && r.value.of.str.len == (size_t)n && !memcmp(r.value.of.str.data, text, (size_t)n));
    wb_cresult_dispose(&r);
    wb_cval_t x = wb_cval_u32(tid + k);
    OK(wb_component_func_call(quad, &x, 1, &r));
    CHECK(r.value.of.u32 == 4 * (tid + k));
  }
}

static void *worker(void *arg) {
  uint32_t tid = (uint32_t)(uintptr_t)arg;
  wb_component_linker_t own = new_linker(); /* a linker of this thread's own */
  for (int round = 0; round < ROUNDS; round++) {
    wb_store_t s;
    wb_component_instance_t inst;
    OK(wb_store_new(engine, &s));
    if (round % 3 == 2) OK(wb_component_linker_instantiate(own, s, comp, &inst));
    else OK(wb_component_template_instantiate(tmpl, s, &inst));
    exercise(inst, tid, round);
    OK(wb_store_delete(s));
  }
  OK(wb_component_linker_delete(own));
  return NULL;
}

static wb_component_pool_t pool;

static void *pool_caller(void *arg) {
  uint32_t tid = (uint32_t)(uintptr_t)arg;
  for (uint32_t k = 0; k < 100; k++) {
    wb_cresult_t r = WB_CRESULT_INIT;
    wb_cval_t ab[2] = {wb_cval_u32(k), wb_cval_u32(tid << 16)};
    OK(wb_component_pool_call(pool, add_index, ab, 2, &r));
    CHECK(r.value.of.u32 == (k | tid << 16));
    char text[32];
    int n = snprintf(text, sizeof text, "%u/%u", tid, k);
    wb_cval_t s = wb_cval_string_n(text, (size_t)n);
    OK(wb_component_pool_call(pool, echo_index, &s, 1, &r));
    CHECK(r.value.of.str.len == (size_t)n && !memcmp(r.value.of.str.data, text, (size_t)n));
    wb_cresult_dispose(&r); /* on this thread, though a worker made it */
  }
  return NULL;
}

static void run(bool pooling) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.pooling_allocator = pooling;
  OK(wb_engine_new(&cfg, &engine));
  comp = load_component(engine, "calc.wat");
  OK(wb_component_func_index(comp, "add", &add_index));
  OK(wb_component_func_index(comp, "echo", &echo_index));
  OK(wb_component_func_index(comp, "quad", &quad_index));
  wb_component_linker_t l = new_linker();
  OK(wb_component_template_new(l, comp, &tmpl));
  OK(wb_component_linker_delete(l)); /* the template does not need it */
  atomic_store(&host_calls, 0);
  pthread_t th[THREADS];
  for (uintptr_t i = 0; i < THREADS; i++) CHECK(pthread_create(&th[i], NULL, worker, (void *)i) == 0);
  for (int i = 0; i < THREADS; i++) CHECK(pthread_join(th[i], NULL) == 0);
  CHECK(atomic_load(&host_calls) == THREADS * ROUNDS * CALLS * 2);

  wb_pool_config_t pc;
  OK(wb_pool_config_init(&pc, WB_POOL_CONFIG_VERSION));
  pc.workers = 2;
  pc.recycle_after_calls = 50;
  OK(wb_component_pool_new(tmpl, &pc, &pool));
  uint32_t index;
  OK(wb_component_pool_func_index(pool, "quad", &index));
  CHECK(index == quad_index);
  for (uintptr_t i = 0; i < THREADS; i++) CHECK(pthread_create(&th[i], NULL, pool_caller, (void *)i) == 0);
  for (int i = 0; i < THREADS; i++) CHECK(pthread_join(th[i], NULL) == 0);
  /* a trap comes back with its code; the worker's next call has a fresh instance */
  uint32_t boom;
  OK(wb_component_pool_func_index(pool, "boom", &boom));
  wb_cresult_t r = WB_CRESULT_INIT;
  for (int i = 0; i < 4; i++) {
    EXPECT(wb_component_pool_call(pool, boom, NULL, 0, &r), WB_ERR_TRAP, "unreachable");
    CHECK(wb_last_trap_code() == WB_TRAP_UNREACHABLE);
    wb_cval_t ab[2] = {wb_cval_u32(2), wb_cval_u32(3)};
    OK(wb_component_pool_call(pool, add_index, ab, 2, &r));
    CHECK(r.value.of.u32 == 5);
  }
  wb_cval_t one = wb_cval_u32(1);
  EXPECT(wb_component_pool_call(pool, add_index, &one, 1, &r), WB_ERR_TYPE_MISMATCH, "takes 2 arguments");
  EXPECT(wb_component_pool_call(pool, 999, &one, 1, &r), WB_ERR_NOT_FOUND, "index 999");
  OK(wb_component_pool_delete(pool));
  EXPECT(wb_component_pool_call(pool, add_index, &one, 1, &r), WB_ERR_INVALID_HANDLE, "deleted");

  OK(wb_component_template_delete(tmpl));
  OK(wb_component_delete(comp));
  OK(wb_engine_delete(engine));
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  components_dir = argv[1];
  run(false);
  run(true);
  check_no_live_handles();
  DONE("component_threads");
}
