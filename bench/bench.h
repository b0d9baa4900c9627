/* What both benchmark programs share: the wasm modules, the clock, and the
 * serve loop that bench/run.sh drives.
 *
 * Each program (bench_wasmbound, bench_raw) reads one command per line on
 * stdin until quit (the driver starts a fresh pair for each repetition):
 *
 *   warm <case> [cpu]  set the case up, warm it up, pick its iteration count
 *                      (each timed sample then takes about BENCH_SAMPLE_MS)
 *   run <case> [cpu]   time one sample; prints "<case> <ns per op> <iterations>"
 *   mem           prints "mem <bytes per store> <bytes per handle>" (malloc'd)
 *   quit
 *
 * The driver interleaves the two programs sample by sample, so both sides see
 * the same machine state, and takes the median of each side. With a cpu, the
 * timed work runs on that CPU only (the serving thread pins itself for the
 * length of the command; set-up, and the threads it starts, are not pinned):
 * the driver gives both sides the same CPU, because the CPUs of a virtual
 * machine can differ in speed by more than the differences measured here. */
#ifndef WB_BENCH_H
#define WB_BENCH_H

#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* add(i32,i32): the call cases, memory access, threads, pools */
static const char WAT_ADD[] =
    "(module\n"
    "  (memory (export \"memory\") 2)\n"
    "  (func (export \"add\") (param i32 i32) (result i32)\n"
    "    local.get 0 local.get 1 i32.add))";

/* instantiation: a memory, a table, a global, a data segment, a function */
static const char WAT_INST[] =
    "(module\n"
    "  (memory (export \"memory\") 1)\n"
    "  (table 4 funcref)\n"
    "  (global $g (mut i32) (i32.const 7))\n"
    "  (data (i32.const 16) \"wasmbound benchmark\")\n"
    "  (func $add (export \"add\") (param i32 i32) (result i32)\n"
    "    local.get 0 local.get 1 i32.add global.get $g i32.add)\n"
    "  (elem (i32.const 0) $add))";

/* host_call: run(n) calls the import n times, threading a value through it */
static const char WAT_HOST[] =
    "(module\n"
    "  (import \"env\" \"f\" (func $f (param i32) (result i32)))\n"
    "  (func (export \"run\") (param $n i32) (result i32)\n"
    "    (local $acc i32)\n"
    "    (loop $l\n"
    "      (local.set $acc (call $f (local.get $acc)))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "      (br_if $l (local.get $n)))\n"
    "    (local.get $acc)))";

/* reference calls: an externref and a funcref in, the same one out */
static const char WAT_REFS[] =
    "(module\n"
    "  (func $id (export \"id_externref\") (param externref) (result externref) local.get 0)\n"
    "  (func (export \"id_funcref\") (param funcref) (result funcref) local.get 0))";

/* memory overhead: a module whose instances are small (no memory, no table) */
static const char WAT_TINY[] = "(module (func (export \"f\")))";

#define BENCH_STORES 10000
#define BENCH_HANDLES 100000

static inline uint64_t bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Bytes malloc'd by the whole process (all arenas, mmapped blocks too). */
static inline uint64_t bench_malloced(void) {
  struct mallinfo2 mi = mallinfo2();
  return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
}

#define DIE(...)                      \
  do {                                \
    fprintf(stderr, "bench: ");       \
    fprintf(stderr, __VA_ARGS__);     \
    fprintf(stderr, "\n");            \
    exit(1);                          \
  } while (0)

/* A case: setup once, then run(iters) does iters operations and returns the
 * elapsed nanoseconds (timed inside, so per-sample bookkeeping is left out).
 * same_iters_as: a case that must use another case's iteration count. */
typedef struct bench_case {
  const char *name;
  void (*setup)(void);
  uint64_t (*run)(uint64_t iters);
  const char *same_iters_as;
  uint64_t iters;
  int ready;
} bench_case_t;

static volatile uint64_t bench_sink;

static inline double bench_sample_ns(void) {
  const char *e = getenv("BENCH_SAMPLE_MS");
  double ms = e ? atof(e) : 0;
  return (ms > 0 ? ms : 40) * 1e6;
}

static bench_case_t *bench_find(bench_case_t *cases, const char *name) {
  for (bench_case_t *c = cases; c->name; c++)
    if (strcmp(c->name, name) == 0) return c;
  return 0;
}

/* Pins the calling thread to cpu (cpu >= 0), or gives it back the CPUs it
 * had before the last pin (cpu < 0). */
static void bench_pin(int cpu) {
  static cpu_set_t saved;
  static int pinned;
  if (cpu >= 0) {
    cpu_set_t one;
    if (!pinned && pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) != 0) DIE("pthread_getaffinity_np failed");
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0) DIE("cannot pin to CPU %d", cpu);
    pinned = 1;
  } else if (pinned) {
    if (pthread_setaffinity_np(pthread_self(), sizeof saved, &saved) != 0) DIE("pthread_setaffinity_np failed");
    pinned = 0;
  }
}

/* Sets a case up and warms it: doubling batches until 25 ms have passed,
 * then picks the iteration count of one sample. The timed part runs on cpu
 * when cpu >= 0. */
static void bench_warm(bench_case_t *cases, bench_case_t *c, int cpu) {
  if (!c->ready) {
    if (c->setup) c->setup();
    c->ready = 1;
  }
  bench_pin(cpu);
  if (c->iters) { /* fixed, or already calibrated: warm only */
    c->run(c->iters);
    bench_pin(-1);
    return;
  }
  if (c->same_iters_as) {
    bench_case_t *o = bench_find(cases, c->same_iters_as);
    if (!o) DIE("no case %s", c->same_iters_as);
    if (!o->iters) {
      bench_pin(-1);
      bench_warm(cases, o, cpu);
      bench_pin(cpu);
    }
    c->iters = o->iters;
    c->run(c->iters); /* warm it too */
    bench_pin(-1);
    return;
  }
  uint64_t n = 1, spent = 0, ns = 0;
  while (spent < 25000000ull) {
    ns = c->run(n);
    spent += ns;
    if (ns < 5000000ull) n *= 2;
  }
  double per_op = (double)ns / (double)n;
  uint64_t iters = (uint64_t)(bench_sample_ns() / (per_op > 0.1 ? per_op : 0.1));
  c->iters = iters ? iters : 1;
  bench_pin(-1);
}

static int bench_serve(bench_case_t *cases, void (*mem)(void)) {
  char line[256];
  setvbuf(stdout, 0, _IOLBF, 0);
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = 0;
    if (strcmp(line, "quit") == 0) break;
    if (strcmp(line, "mem") == 0) {
      mem();
      continue;
    }
    char cmd[16], name[128];
    int cpu = -1;
    if (sscanf(line, "%15s %127s %d", cmd, name, &cpu) < 2) DIE("bad command \"%s\"", line);
    bench_case_t *c = bench_find(cases, name);
    if (!c) DIE("no case \"%s\"", name);
    if (strcmp(cmd, "warm") == 0) {
      bench_warm(cases, c, cpu);
      printf("warm %s %" PRIu64 "\n", name, c->iters);
    } else if (strcmp(cmd, "run") == 0) {
      if (!c->iters) bench_warm(cases, c, cpu);
      bench_pin(cpu);
      uint64_t ns = c->run(c->iters);
      bench_pin(-1);
      printf("%s %.4f %" PRIu64 "\n", name, (double)ns / (double)c->iters, c->iters);
    } else {
      DIE("bad command \"%s\"", line);
    }
  }
  return 0;
}

/* A minimal hand-off: a request to a partner thread over a mutex and two
 * condition variables, and its answer back (both sides sleep). The raw
 * side's twin of pool_roundtrip, and the wasmbound side's anchor_condvar. */
static pthread_mutex_t ho_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ho_req_cv = PTHREAD_COND_INITIALIZER, ho_done_cv = PTHREAD_COND_INITIALIZER;
static int ho_req, ho_done;
static int32_t ho_arg, ho_result;

static void *bench_handoff_worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&ho_mu);
  for (;;) {
    while (!ho_req) pthread_cond_wait(&ho_req_cv, &ho_mu);
    ho_req = 0;
    ho_result = ho_arg + 1; /* the "work" */
    ho_done = 1;
    pthread_cond_signal(&ho_done_cv);
  }
  return 0;
}

static void bench_setup_handoff(void) {
  pthread_t t;
  if (pthread_create(&t, 0, bench_handoff_worker, 0)) DIE("pthread_create");
  pthread_detach(t);
}

static uint64_t bench_run_handoff(uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    pthread_mutex_lock(&ho_mu);
    ho_arg = (int32_t)i;
    ho_req = 1;
    pthread_cond_signal(&ho_req_cv);
    while (!ho_done) pthread_cond_wait(&ho_done_cv, &ho_mu);
    ho_done = 0;
    if (ho_result != (int32_t)i + 1) DIE("handoff: wrong result");
    pthread_mutex_unlock(&ho_mu);
  }
  return bench_now() - t0;
}

/* One sample of a case, out of line so that bench/icount.sh can count the
 * instructions executed inside it (callgrind --toggle-collect). */
__attribute__((noipa)) static uint64_t bench_counted_run(bench_case_t *c, uint64_t iters) { return c->run(iters); }

/* main of both programs: the serve loop (no arguments), or
 * "count <case> <iterations>": set the case up and run it once (no warm-up
 * beyond set-up), for bench/icount.sh. */
static int bench_main(int argc, char **argv, bench_case_t *cases, void (*mem)(void)) {
  if (argc == 1) return bench_serve(cases, mem);
  if (argc != 4 || strcmp(argv[1], "count") != 0) DIE("usage: %s [count <case> <iterations>]", argv[0]);
  bench_case_t *c = bench_find(cases, argv[2]);
  if (!c) DIE("no case \"%s\"", argv[2]);
  if (c->setup) c->setup();
  c->run(1); /* first-call costs (lazy initialisation) out of the count */
  bench_counted_run(c, strtoull(argv[3], 0, 10));
  return 0;
}

#endif
