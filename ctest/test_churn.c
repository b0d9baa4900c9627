/* Thread churn: 10,000 short-lived threads each enter the library, create
 * a store, instantiate, call, delete and exit; 1,000 more exit while owning
 * stores, which the main thread then adopts or deletes. A profiling signal
 * (SIGPROF from setitimer) fires throughout, and every fourth thread has a
 * 256 KiB stack. Prints resident memory at start and end. Also checks
 * that a thread's own alternate signal stack is used when large enough,
 * and put back at thread exit when wasmbound had to replace it. */
#define _XOPEN_SOURCE 700 /* POSIX and XSI (sigaltstack) under -std=c11 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static wb_engine_t engine;
static wb_module_t module;
static atomic_long profiling_signals, calls;
static wb_store_t orphans[1000];

static void on_sigprof(int sig) {
  (void)sig;
  atomic_fetch_add_explicit(&profiling_signals, 1, memory_order_relaxed);
}

static long rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void call_once(wb_store_t s, int32_t x) {
  wb_instance_t inst;
  wb_func_t add;
  OK(wb_instance_new(s, module, &inst));
  OK(wb_instance_get_func(inst, "add", &add));
  wb_val_t a[2] = {val_i32(x), val_i32(1)}, r;
  OK(wb_func_call(add, a, 2, &r, 1));
  CHECK(r.of.i32 == x + 1);
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
}

static void *short_lived(void *arg) {
  wb_store_t s;
  OK(wb_store_new(engine, &s));
  call_once(s, (int32_t)(intptr_t)arg);
  OK(wb_store_delete(s));
  return NULL;
}

static void *exit_owning(void *arg) {
  int i = (int)(intptr_t)arg;
  OK(wb_store_new(engine, &orphans[i]));
  call_once(orphans[i], i);
  return NULL; /* exits owning the store */
}

/* Alternate signal stacks the host set up itself. */
static pthread_key_t at_exit_key;
static atomic_int altstack_restored;
static char big_altstack[512 * 1024], small_altstack[16 * 1024];

static void check_altstack_at_exit(void *expected) {
  stack_t now; /* pthread key destructors run after thread-local ones */
  if (sigaltstack(NULL, &now) == 0 && now.ss_sp == expected && !(now.ss_flags & SS_DISABLE))
    atomic_fetch_add(&altstack_restored, 1);
}

static void *with_own_altstack(void *arg) {
  char *mem = arg;
  size_t size = mem == big_altstack ? sizeof big_altstack : sizeof small_altstack;
  stack_t own = {.ss_sp = mem, .ss_flags = 0, .ss_size = size}, now;
  CHECK(sigaltstack(&own, NULL) == 0);
  CHECK(pthread_setspecific(at_exit_key, mem) == 0);
  short_lived((void *)(intptr_t)7);
  CHECK(sigaltstack(NULL, &now) == 0);
  if (mem == big_altstack)
    CHECK(now.ss_sp == mem); /* large enough: used as it is */
  else
    CHECK(now.ss_sp != mem && now.ss_size >= 256 * 1024); /* too small for Wasmtime: replaced */
  return NULL;
}

static void run_threads(int n, void *(*fn)(void *)) {
  pthread_attr_t small;
  pthread_attr_init(&small);
  pthread_attr_setstacksize(&small, 256 * 1024);
  for (int base = 0; base < n; base += 64) { /* 64 at a time */
    pthread_t t[64];
    int m = n - base < 64 ? n - base : 64;
    for (int k = 0; k < m; k++)
      CHECK(pthread_create(&t[k], (base + k) % 4 == 0 ? &small : NULL, fn, (void *)(intptr_t)(base + k)) == 0);
    for (int k = 0; k < m; k++) CHECK(pthread_join(t[k], NULL) == 0);
  }
  pthread_attr_destroy(&small);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigprof;
  sa.sa_flags = SA_ONSTACK | SA_RESTART; /* as the README asks of host handlers */
  CHECK(sigaction(SIGPROF, &sa, NULL) == 0);
  struct itimerval every_ms = {{0, 1000}, {0, 1000}};
  CHECK(setitimer(ITIMER_PROF, &every_ms, NULL) == 0);

  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.max_wasm_stack = 64 * 1024; /* fits the 256 KiB threads */
  OK(wb_engine_new(&cfg, &engine));
  module = compile_wat(engine, "(module (func (export \"add\") (param i32 i32) (result i32)"
                               " local.get 0 local.get 1 i32.add))");
  CHECK(pthread_key_create(&at_exit_key, check_altstack_at_exit) == 0);
  for (int i = 0; i < 2; i++) {
    pthread_t t;
    CHECK(pthread_create(&t, NULL, with_own_altstack, i ? big_altstack : small_altstack) == 0);
    CHECK(pthread_join(t, NULL) == 0);
  }
  CHECK(atomic_load(&altstack_restored) == 2); /* each thread exits with its own back */
  /* warm up, then measure */
  run_threads(256, short_lived);
  long rss_start = rss_kib();

  run_threads(10000, short_lived);
  run_threads(1000, exit_owning);
  wb_stats_t st = WB_STATS_INIT;
  OK(wb_stats_get(&st));
  CHECK(st.orphaned_stores == 1000);
  for (int i = 0; i < 1000; i++) {
    if (i % 2) {
      OK(wb_store_adopt(orphans[i]));
      call_once(orphans[i], i);
    }
    OK(wb_store_delete(orphans[i]));
  }
  OK(wb_stats_get(&st));
  CHECK(st.orphaned_stores == 0 && st.orphans_total == 1000);
  CHECK(st.live_stores == 0 && st.live_instances == 0 && st.live_funcs == 0);

  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_PROF, &off, NULL);
  long rss_end = rss_kib();
  OK(wb_module_delete(module));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  printf("churn: 11,256 threads, %ld calls, %ld profiling signals, live handles 0, resident %ld KiB -> %ld KiB\n",
         atomic_load(&calls), atomic_load(&profiling_signals), rss_start, rss_end);
  CHECK(atomic_load(&calls) == 2 + 256 + 10000 + 1000 + 500);
  CHECK(atomic_load(&profiling_signals) > 0);
  /* Bounded: no per-thread growth. AddressSanitizer keeps a record of every
   * thread that ever ran and quarantines freed memory (256 MiB by default),
   * so its tree gets a bound that still catches a per-thread leak of the
   * 256 KiB altstacks (11,256 x 256 KiB = 2.8 GiB) but not its own overhead. */
#if defined(__SANITIZE_ADDRESS__)
  const long rss_bound_kib = 768 * 1024;
#else
  const long rss_bound_kib = 128 * 1024;
#endif
  CHECK(rss_end < rss_start + rss_bound_kib);
  DONE("churn");
}
