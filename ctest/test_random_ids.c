/* Ten million random 64-bit ids, each presented as a handle of every kind
 * (one call per kind), on two threads, while live objects of every kind
 * exist: none is accepted and none crashes. Also near misses of the live
 * ids (other generations, other kinds, neighbouring slots), and ids that
 * pair one kind's tag with the slot of an object of another kind. */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

enum { IDS = 10 * 1000 * 1000, THREADS = 2 };

static wb_store_t store;  /* owned by main: only its interrupt is callable elsewhere */
static uint64_t live[16];
static int nlive;
static atomic_long accepted, presented;

/* Presents id as each kind; counts acceptances (a live id of that kind
 * would be accepted, so those are skipped). */
static void present(uint64_t id, wb_store_t own) {
  for (int k = 0; k < nlive; k++)
    if (id == live[k]) return;
  wb_store_t s;
  wb_instance_t i;
  wb_func_t f;
  wb_val_t r;
  uint64_t u;
  size_t n;
  bool b;
  wb_pool_stats_t ps = WB_POOL_STATS_INIT;
  long ok = 0;
  ok += wb_store_new((wb_engine_t){id}, &s) == WB_OK;
  ok += wb_instance_new(own, (wb_module_t){id}, &i) == WB_OK;
  ok += wb_template_delete((wb_template_t){id}) == WB_OK;
  ok += wb_store_interrupt((wb_store_t){id}) == WB_OK;
  ok += wb_linker_allow_shadowing((wb_linker_t){id}, true) == WB_OK;
  ok += wb_instance_get_func((wb_instance_t){id}, "f", &f) == WB_OK;
  ok += wb_func_arity((wb_func_t){id}, &n, &n) == WB_OK;
  ok += wb_memory_size((wb_memory_t){id}, &u) == WB_OK;
  ok += wb_global_get((wb_global_t){id}, &r) == WB_OK;
  ok += wb_caller_store((wb_caller_t){id}, &s) == WB_OK;
  ok += wb_wasi_config_set_stdin((wb_wasi_config_t){id}, NULL, 0) == WB_OK;
  ok += wb_shared_memory_size((wb_shared_memory_t){id}, &u) == WB_OK;
  ok += wb_pool_stats_get((wb_pool_t){id}, &ps) == WB_OK;
  ok += wb_future_poll((wb_future_t){id}, &b) == WB_OK;
  if (ok) {
    fprintf(stderr, "id 0x%016llx was accepted %ld times\n", (unsigned long long)id, ok);
    atomic_fetch_add(&accepted, ok);
  }
  atomic_fetch_add_explicit(&presented, 14, memory_order_relaxed);
}

static void *worker(void *arg) {
  uint64_t x = 0x9E3779B97F4A7C15ull * (uint64_t)((intptr_t)arg + 1);
  wb_engine_t e = {live[0]};
  wb_store_t own;
  OK(wb_store_new(e, &own));
  for (int k = 0; k < IDS / THREADS; k++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    present(x, own);
  }
  OK(wb_store_delete(own));
  return NULL;
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, "(module (memory (export \"m\") 1) (global (export \"g\") i32 (i32.const 1))"
                                 " (func (export \"f\")))");
  wb_linker_t l;
  wb_template_t t;
  wb_instance_t i;
  wb_func_t f;
  wb_memory_t mem;
  wb_global_t g;
  wb_wasi_config_t w;
  wb_shared_memory_t sm;
  wb_pool_t p;
  wb_future_t fu;
  OK(wb_linker_new(e, &l));
  OK(wb_template_new(l, m, &t));
  OK(wb_store_new(e, &store));
  OK(wb_instance_new(store, m, &i));
  OK(wb_instance_get_func(i, "f", &f));
  OK(wb_instance_get_memory(i, "m", &mem));
  OK(wb_instance_get_global(i, "g", &g));
  OK(wb_wasi_config_new(&w));
  OK(wb_shared_memory_new(e, 1, 1, &sm));
  OK(wb_pool_new(e, t, NULL, &p));
  OK(wb_pool_submit(p, 2, NULL, 0, true, &fu));
  uint64_t ids[] = {e.id, m.id, l.id, t.id, store.id, i.id, f.id, mem.id, g.id, w.id, sm.id, p.id, fu.id};
  for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) live[nlive++] = ids[k];

  /* near misses of every live id: other generations, kinds and slots */
  wb_store_t own;
  OK(wb_store_new(e, &own));
  for (int k = 0; k < nlive; k++)
    for (int d = 1; d < 200; d++) {
      present(live[k] + ((uint64_t)d << 32), own);   /* later generations */
      present(live[k] - ((uint64_t)d << 32), own);   /* earlier ones (and wrapped) */
      present(live[k] ^ ((uint64_t)d << 24), own);   /* other kinds */
      /* neighbouring slots under a generation they never had (the slots
       * themselves may hold live objects: pool workers' stores, own) */
      present(live[k] + (uint64_t)d + ((uint64_t)0x7000 << 32), own);
    }
  OK(wb_store_delete(own));

  pthread_t threads[THREADS];
  for (int k = 0; k < THREADS; k++) CHECK(pthread_create(&threads[k], NULL, worker, (void *)(intptr_t)k) == 0);
  for (int k = 0; k < THREADS; k++) CHECK(pthread_join(threads[k], NULL) == 0);
  CHECK(atomic_load(&accepted) == 0);
  printf("random ids: %ld presentations, %ld accepted\n", atomic_load(&presented), atomic_load(&accepted));

  /* the live handles still work */
  wb_val_t r;
  OK(wb_global_get(g, &r));
  CHECK(r.of.i32 == 1);
  OK(wb_future_wait(fu, UINT64_MAX, NULL, 0));
  OK(wb_future_delete(fu));
  OK(wb_pool_delete(p));
  OK(wb_shared_memory_delete(sm));
  OK(wb_wasi_config_delete(w));
  OK(wb_store_delete(store));
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("random_ids");
}
