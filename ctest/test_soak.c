/* Soak: N threads run a random mix of operations for a given time:
 * create stores (plain instances and template instances with a host
 * function), calls, traps, interrupts from another thread, per-call timeouts
 * and store deadlines, fuel exhaustion, memory limits, out-of-bounds memory
 * access, deletes (and calls through the stale handles), release/adopt
 * between threads, stores orphaned by exiting threads, cross-thread calls,
 * and pool calls. Every operation knows which statuses it may return; any
 * other is counted as unexpected and the test fails. At the end every handle
 * is gone. Prints operations, errors by status and resident memory.
 *
 *   test_soak [seconds=30] [threads=4] [seed]
 */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define MAX_THREADS 16
#define SLOTS 4      /* stores a worker owns at once */
#define EXCHANGE 64  /* released stores waiting for an adopter */
#define STATUS_MAX 32

static const char *plain_wat =
    "(module (memory (export \"memory\") 1 16)"
    " (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)"
    " (func (export \"trap\") unreachable)"
    " (func (export \"div\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)"
    " (func (export \"spin\") (loop br 0))"
    " (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow))";
static const char *hosted_wat =
    "(module (import \"env\" \"twice\" (func $twice (param i32) (result i32)))"
    " (memory (export \"memory\") 1 16)"
    " (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)"
    " (func (export \"trap\") unreachable)"
    " (func (export \"div\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)"
    " (func (export \"spin\") (loop br 0))"
    " (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)"
    " (func (export \"call_twice\") (param i32) (result i32) local.get 0 call $twice i32.const 1 i32.add))";

static wb_engine_t engine, fuel_engine;
static wb_module_t plain, hosted, fuel_plain;
static wb_template_t tmpl;
static wb_pool_t pool;
static int nthreads = 4;
static atomic_bool stopping;
/* The interrupter stops only after every worker has: a worker that asked for
 * an interrupt just before `stopping` spins until it gets one. */
static atomic_bool interrupter_stopping;

/* ---- accounting ---- */
static atomic_long ops, unexpected, by_status[STATUS_MAX];
static atomic_long op_count[32];
static const char *op_names[32];

static void tally(const char *op, wb_status_t got, unsigned allowed_mask) {
  atomic_fetch_add(&by_status[(unsigned)got < STATUS_MAX ? got : STATUS_MAX - 1], 1);
  if (!(allowed_mask & (1u << got))) {
    long n = atomic_fetch_add(&unexpected, 1);
    if (n < 20)
      fprintf(stderr, "unexpected: %s returned %s: %s\n", op, wb_status_name(got), wb_last_error());
  }
}
#define ONLY(s) (1u << (s))

/* ---- a store with everything looked up ---- */
typedef struct {
  wb_store_t store;
  wb_memory_t memory;
  wb_func_t add, trap, div, spin, grow;
  wb_func_t call_twice; /* template instances only; 0 otherwise */
} slot_t;

static void fill_slot(slot_t *s, wb_instance_t inst, int from_template) {
  OK(wb_instance_get_memory(inst, "memory", &s->memory));
  OK(wb_instance_get_func(inst, "add", &s->add));
  OK(wb_instance_get_func(inst, "trap", &s->trap));
  OK(wb_instance_get_func(inst, "div", &s->div));
  OK(wb_instance_get_func(inst, "spin", &s->spin));
  OK(wb_instance_get_func(inst, "grow", &s->grow));
  s->call_twice = (wb_func_t){0};
  if (from_template) OK(wb_instance_get_func(inst, "call_twice", &s->call_twice));
}

static wb_status_t call1(wb_func_t f, int32_t a, int32_t b, size_t nargs, int32_t *out) {
  wb_val_t args[2] = {val_i32(a), val_i32(b)}, r;
  memset(&r, 0, sizeof r);
  wb_status_t st = wb_func_call(f, args, nargs, &r, nargs ? 1 : 0); /* every export with
                                                                        parameters has one result */
  if (st == WB_OK && out) *out = r.of.i32;
  return st;
}

static wb_status_t host_twice(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs,
                              wb_val_t *results, size_t nresults) {
  (void)env, (void)caller, (void)nargs, (void)nresults;
  results[0] = val_i32(args[0].of.i32 * 2);
  return WB_OK;
}

/* ---- shared state between workers ---- */
/* Funcs of live stores, published so that other threads can try them. */
static _Atomic uint64_t published[MAX_THREADS][SLOTS];

/* Released stores waiting for some thread to adopt them. */
static pthread_mutex_t exchange_mu = PTHREAD_MUTEX_INITIALIZER;
static slot_t exchange[EXCHANGE];
static int exchange_n;

/* Stores deleted lately: interrupting them must say the handle is invalid. */
static _Atomic uint64_t deleted_ring[64];
static atomic_uint deleted_next;

/* Interrupt requests: a worker asks the interrupter thread to interrupt its
 * store after a delay, runs an endless loop, and waits for the answer. */
typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  wb_store_t store;
  long delay_us;
  int state; /* 0 idle, 1 requested, 2 done */
  wb_status_t result;
} interrupt_req_t;
static interrupt_req_t requests[MAX_THREADS];

static void *interrupter(void *arg) {
  (void)arg;
  unsigned seed = 12345;
  while (!atomic_load(&interrupter_stopping)) {
    for (int i = 0; i < nthreads; i++) {
      interrupt_req_t *r = &requests[i];
      pthread_mutex_lock(&r->mu);
      if (r->state == 1) {
        wb_store_t s = r->store;
        long d = r->delay_us;
        pthread_mutex_unlock(&r->mu);
        if (d) usleep((useconds_t)d);
        wb_status_t st = wb_store_interrupt(s);
        pthread_mutex_lock(&r->mu);
        r->result = st;
        r->state = 2;
        pthread_cond_signal(&r->cv);
      }
      pthread_mutex_unlock(&r->mu);
    }
    uint64_t gone = atomic_load(&deleted_ring[rand_r(&seed) % 64]);
    if (gone) {
      atomic_fetch_add(&ops, 1);
      tally("interrupt(deleted store)", wb_store_interrupt((wb_store_t){gone}), ONLY(WB_ERR_INVALID_HANDLE));
    }
    usleep(200);
  }
  return NULL;
}

/* ---- orphans: a thread that exits while owning a store ---- */
static void *exit_owning(void *arg) {
  slot_t *s = arg;
  wb_instance_t inst;
  OK(wb_store_new(engine, &s->store));
  OK(wb_instance_new(s->store, plain, &inst));
  fill_slot(s, inst, 0);
  return NULL;
}

/* ---- the workers ---- */
enum {
  OP_CREATE, OP_CALL, OP_HOST_CALL, OP_TRAP, OP_INTERRUPT, OP_TIMEOUT, OP_DEADLINE, OP_FUEL,
  OP_LIMIT, OP_MEMORY, OP_DELETE, OP_RELEASE, OP_ADOPT, OP_ORPHAN, OP_CROSS, OP_POOL, OP_COUNT
};

typedef struct {
  int index;
  unsigned seed;
  _Atomic int current_op; /* -1 between operations, for the watchdog */
  slot_t slots[SLOTS];
  int used[SLOTS];
} worker_t;

static void publish(worker_t *w, int k) {
  atomic_store(&published[w->index][k], w->used[k] ? w->slots[k].add.id : 0);
}

static int pick_used(worker_t *w) {
  int start = (int)(rand_r(&w->seed) % SLOTS);
  for (int i = 0; i < SLOTS; i++)
    if (w->used[(start + i) % SLOTS]) return (start + i) % SLOTS;
  return -1;
}

static int pick_free(worker_t *w) {
  for (int i = 0; i < SLOTS; i++)
    if (!w->used[i]) return i;
  return -1;
}

/* add(x, y) must work and be right: the store is usable. */
static void check_usable(const char *op, slot_t *s, unsigned *seed) {
  int32_t x = (int32_t)rand_r(seed), y = (int32_t)rand_r(seed), r = 0;
  wb_status_t st = call1(s->add, x, y, 2, &r);
  tally(op, st, ONLY(WB_OK));
  if (st == WB_OK && r != (int32_t)((uint32_t)x + (uint32_t)y)) {
    atomic_fetch_add(&unexpected, 1);
    fprintf(stderr, "%s: add(%d, %d) returned %d\n", op, x, y, r);
  }
}

static void drop_slot(worker_t *w, int k) {
  w->used[k] = 0;
  publish(w, k);
}

static void run_op(worker_t *w, int op) {
  atomic_fetch_add(&op_count[op], 1);
  atomic_fetch_add(&ops, 1);
  int k = op == OP_CREATE || op == OP_ADOPT || op == OP_ORPHAN || op == OP_CROSS || op == OP_POOL ||
                  op == OP_FUEL
              ? -1
              : pick_used(w);
  if (op != OP_CREATE && op != OP_ADOPT && op != OP_ORPHAN && op != OP_CROSS && op != OP_POOL &&
      op != OP_FUEL && k < 0)
    op = OP_CREATE;
  slot_t *s = k >= 0 ? &w->slots[k] : NULL;
  switch (op) {
  case OP_CREATE: {
    int f = pick_free(w);
    if (f < 0) return;
    slot_t *n = &w->slots[f];
    wb_instance_t inst;
    int from_template = rand_r(&w->seed) % 2;
    tally("store_new", wb_store_new(engine, &n->store), ONLY(WB_OK));
    if (from_template)
      tally("template_instantiate", wb_template_instantiate(tmpl, n->store, &inst), ONLY(WB_OK));
    else
      tally("instance_new", wb_instance_new(n->store, plain, &inst), ONLY(WB_OK));
    fill_slot(n, inst, from_template);
    w->used[f] = 1;
    publish(w, f);
    break;
  }
  case OP_CALL:
    check_usable("call", s, &w->seed);
    break;
  case OP_HOST_CALL: {
    if (!s->call_twice.id) {
      check_usable("call", s, &w->seed);
      break;
    }
    int32_t x = (int32_t)(rand_r(&w->seed) % 100000), r = 0;
    wb_val_t a = val_i32(x), out;
    wb_status_t st = wb_func_call(s->call_twice, &a, 1, &out, 1);
    tally("host call", st, ONLY(WB_OK));
    if (st == WB_OK) r = out.of.i32;
    if (st == WB_OK && r != 2 * x + 1) {
      atomic_fetch_add(&unexpected, 1);
      fprintf(stderr, "host call: twice(%d)+1 returned %d\n", x, r);
    }
    break;
  }
  case OP_TRAP: {
    wb_status_t st;
    wb_trap_code_t want;
    if (rand_r(&w->seed) % 2) {
      st = call1(s->trap, 0, 0, 0, NULL);
      want = WB_TRAP_UNREACHABLE;
    } else {
      st = call1(s->div, 1, 0, 2, NULL);
      want = WB_TRAP_INTEGER_DIVISION_BY_ZERO;
    }
    tally("trap", st, ONLY(WB_ERR_TRAP));
    if (st == WB_ERR_TRAP && wb_last_trap_code() != want) {
      atomic_fetch_add(&unexpected, 1);
      fprintf(stderr, "trap: code %d, expected %d\n", (int)wb_last_trap_code(), (int)want);
    }
    check_usable("call after trap", s, &w->seed);
    break;
  }
  case OP_INTERRUPT: {
    interrupt_req_t *r = &requests[w->index];
    pthread_mutex_lock(&r->mu);
    r->store = s->store;
    r->delay_us = (long)(rand_r(&w->seed) % 2000); /* 0: usually before the call starts */
    r->state = 1;
    pthread_mutex_unlock(&r->mu);
    /* Interrupted while running, or refused at entry when the interrupt came first. */
    tally("interrupted call", call1(s->spin, 0, 0, 0, NULL), ONLY(WB_ERR_INTERRUPTED));
    pthread_mutex_lock(&r->mu);
    while (r->state != 2) pthread_cond_wait(&r->cv, &r->mu);
    r->state = 0;
    tally("interrupt", r->result, ONLY(WB_OK));
    pthread_mutex_unlock(&r->mu);
    check_usable("call after interrupt", s, &w->seed); /* one interrupt stops one call */
    break;
  }
  case OP_TIMEOUT:
    tally("set_call_timeout", wb_store_set_call_timeout(s->store, 1 + rand_r(&w->seed) % 3), ONLY(WB_OK));
    tally("call past timeout", call1(s->spin, 0, 0, 0, NULL), ONLY(WB_ERR_INTERRUPTED));
    /* (a call within the timeout could still be descheduled past 1 ms here) */
    tally("set_call_timeout", wb_store_set_call_timeout(s->store, 0), ONLY(WB_OK));
    check_usable("call after timeout", s, &w->seed);
    break;
  case OP_DEADLINE:
    tally("set_deadline", wb_store_set_deadline(s->store, 1 + rand_r(&w->seed) % 3), ONLY(WB_OK));
    tally("call past deadline", call1(s->spin, 0, 0, 0, NULL), ONLY(WB_ERR_INTERRUPTED));
    tally("set_deadline", wb_store_set_deadline(s->store, 0), ONLY(WB_OK));
    check_usable("call after deadline", s, &w->seed);
    break;
  case OP_FUEL: {
    wb_store_t fs;
    wb_instance_t inst;
    slot_t f;
    tally("store_new(fuel)", wb_store_new(fuel_engine, &fs), ONLY(WB_OK));
    tally("instance_new(fuel)", wb_instance_new(fs, fuel_plain, &inst), ONLY(WB_OK));
    fill_slot(&f, inst, 0);
    f.store = fs;
    tally("set_fuel", wb_store_set_fuel(fs, 100000), ONLY(WB_OK));
    check_usable("call with fuel", &f, &w->seed);
    tally("call until out of fuel", call1(f.spin, 0, 0, 0, NULL), ONLY(WB_ERR_OUT_OF_FUEL));
    uint64_t left = 1;
    tally("get_fuel", wb_store_get_fuel(fs, &left), ONLY(WB_OK));
    tally("call without fuel", call1(f.add, 1, 2, 2, NULL), ONLY(WB_ERR_OUT_OF_FUEL));
    tally("set_fuel", wb_store_set_fuel(fs, 100000), ONLY(WB_OK));
    check_usable("call after refuel", &f, &w->seed);
    tally("store_delete(fuel)", wb_store_delete(fs), ONLY(WB_OK));
    break;
  }
  case OP_LIMIT: {
    uint64_t bytes = 0;
    tally("memory_size", wb_memory_size(s->memory, &bytes), ONLY(WB_OK));
    wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
    lim.memory_bytes = bytes;
    tally("set_limits", wb_store_set_limits(s->store, &lim), ONLY(WB_OK));
    int32_t r = 0;
    tally("grow past limit", call1(s->grow, 1, 0, 1, &r), ONLY(WB_OK));
    if (r != -1) {
      atomic_fetch_add(&unexpected, 1);
      fprintf(stderr, "grow past the memory limit returned %d, expected -1\n", r);
    }
    tally("memory_grow past limit", wb_memory_grow(s->memory, 1, NULL), ONLY(WB_ERR_LIMIT));
    lim.memory_bytes = 0;
    tally("set_limits", wb_store_set_limits(s->store, &lim), ONLY(WB_OK));
    if (bytes < 4 * 65536) tally("grow", call1(s->grow, 1, 0, 1, &r), ONLY(WB_OK));
    check_usable("call after limit", s, &w->seed);
    break;
  }
  case OP_MEMORY: {
    uint64_t size = 0;
    tally("memory_size", wb_memory_size(s->memory, &size), ONLY(WB_OK));
    uint8_t buf[256], back[256];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)rand_r(&w->seed);
    uint64_t off = rand_r(&w->seed) % (size + 512);
    size_t len = 1 + rand_r(&w->seed) % sizeof buf;
    unsigned want = off + len <= size ? ONLY(WB_OK) : ONLY(WB_ERR_OUT_OF_BOUNDS);
    wb_status_t st = wb_memory_write(s->memory, off, buf, len);
    tally("memory_write", st, want);
    tally("memory_read", wb_memory_read(s->memory, off, back, len), want);
    if (st == WB_OK && memcmp(buf, back, len) != 0) {
      atomic_fetch_add(&unexpected, 1);
      fprintf(stderr, "memory: read back differs at offset %" PRIu64 "\n", off);
    }
    break;
  }
  case OP_DELETE: {
    slot_t old = *s;
    drop_slot(w, k);
    tally("store_delete", wb_store_delete(old.store), ONLY(WB_OK));
    atomic_store(&deleted_ring[atomic_fetch_add(&deleted_next, 1) % 64], old.store.id);
    tally("call through a deleted store", call1(old.add, 1, 2, 2, NULL), ONLY(WB_ERR_INVALID_HANDLE));
    tally("memory of a deleted store", wb_memory_write(old.memory, 0, "x", 1), ONLY(WB_ERR_INVALID_HANDLE));
    tally("delete a deleted store", wb_store_delete(old.store), ONLY(WB_ERR_INVALID_HANDLE));
    break;
  }
  case OP_RELEASE: {
    pthread_mutex_lock(&exchange_mu);
    if (exchange_n == EXCHANGE) {
      pthread_mutex_unlock(&exchange_mu);
      return;
    }
    slot_t moved = *s;
    drop_slot(w, k);
    tally("store_release", wb_store_release(moved.store), ONLY(WB_OK));
    /* released: nobody may use it, its last owner neither */
    tally("call through a released store", call1(moved.add, 1, 2, 2, NULL), ONLY(WB_ERR_WRONG_THREAD));
    exchange[exchange_n++] = moved;
    pthread_mutex_unlock(&exchange_mu);
    break;
  }
  case OP_ADOPT: {
    int f = pick_free(w);
    if (f < 0) return;
    pthread_mutex_lock(&exchange_mu);
    if (exchange_n == 0) {
      pthread_mutex_unlock(&exchange_mu);
      return;
    }
    slot_t got = exchange[--exchange_n];
    pthread_mutex_unlock(&exchange_mu);
    tally("store_adopt", wb_store_adopt(got.store), ONLY(WB_OK));
    w->slots[f] = got;
    w->used[f] = 1;
    publish(w, f);
    check_usable("call after adopt", &w->slots[f], &w->seed);
    break;
  }
  case OP_ORPHAN: {
    slot_t o;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, exit_owning, &o) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    tally("call into an orphan", call1(o.add, 1, 2, 2, NULL), ONLY(WB_ERR_WRONG_THREAD));
    if (rand_r(&w->seed) % 2) {
      tally("adopt an orphan", wb_store_adopt(o.store), ONLY(WB_OK));
      check_usable("call after adopting an orphan", &o, &w->seed);
    }
    tally("delete an orphan", wb_store_delete(o.store), ONLY(WB_OK));
    break;
  }
  case OP_CROSS: {
    int other = (int)(rand_r(&w->seed) % (unsigned)nthreads);
    if (other == w->index) return;
    uint64_t id = atomic_load(&published[other][rand_r(&w->seed) % SLOTS]);
    if (!id) return;
    /* owned by another thread, or deleted or released by now: never run */
    tally("call from another thread", call1((wb_func_t){id}, 1, 2, 2, NULL),
          ONLY(WB_ERR_WRONG_THREAD) | ONLY(WB_ERR_INVALID_HANDLE));
    break;
  }
  case OP_POOL: {
    int32_t x = (int32_t)(rand_r(&w->seed) % 100000);
    wb_val_t a[2] = {val_i32(x), val_i32(3)}, r;
    unsigned pick = rand_r(&w->seed) % 200; /* spin costs a worker the whole timeout */
    if (pick < 10) {
      tally("pool trap", wb_pool_call(pool, "trap", NULL, 0, NULL, 0), ONLY(WB_ERR_TRAP));
    } else if (pick == 10) {
      tally("pool call past timeout", wb_pool_call(pool, "spin", NULL, 0, NULL, 0), ONLY(WB_ERR_INTERRUPTED));
    } else {
      wb_status_t st = wb_pool_call(pool, "call_twice", a, 1, &r, 1);
      tally("pool call", st, ONLY(WB_OK));
      if (st == WB_OK && r.of.i32 != 2 * x + 1) {
        atomic_fetch_add(&unexpected, 1);
        fprintf(stderr, "pool call: twice(%d)+1 returned %d\n", x, r.of.i32);
      }
    }
    break;
  }
  }
}

/* Relative weights of the operations. */
static const int weights[OP_COUNT] = {
    [OP_CREATE] = 6, [OP_CALL] = 30, [OP_HOST_CALL] = 15, [OP_TRAP] = 8,  [OP_INTERRUPT] = 3,
    [OP_TIMEOUT] = 2, [OP_DEADLINE] = 2, [OP_FUEL] = 2,    [OP_LIMIT] = 3, [OP_MEMORY] = 15,
    [OP_DELETE] = 5, [OP_RELEASE] = 3,  [OP_ADOPT] = 4,    [OP_ORPHAN] = 1, [OP_CROSS] = 6,
    [OP_POOL] = 8,
};

static void *worker(void *arg) {
  worker_t *w = arg;
  int total = 0;
  for (int i = 0; i < OP_COUNT; i++) total += weights[i];
  while (!atomic_load(&stopping)) {
    int x = (int)(rand_r(&w->seed) % (unsigned)total), op = 0;
    while (x >= weights[op]) x -= weights[op++];
    atomic_store(&w->current_op, op);
    run_op(w, op);
    atomic_store(&w->current_op, -1);
  }
  for (int k = 0; k < SLOTS; k++)
    if (w->used[k]) {
      drop_slot(w, k);
      tally("store_delete", wb_store_delete(w->slots[k].store), ONLY(WB_OK));
    }
  return NULL;
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

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 30;
  nthreads = argc > 2 ? atoi(argv[2]) : 4;
  unsigned seed = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : (unsigned)time(NULL);
  CHECK(seconds > 0 && nthreads >= 2 && nthreads <= MAX_THREADS);
  op_names[OP_CREATE] = "create", op_names[OP_CALL] = "call", op_names[OP_HOST_CALL] = "host call";
  op_names[OP_TRAP] = "trap", op_names[OP_INTERRUPT] = "interrupt", op_names[OP_TIMEOUT] = "timeout";
  op_names[OP_DEADLINE] = "deadline", op_names[OP_FUEL] = "fuel", op_names[OP_LIMIT] = "limit";
  op_names[OP_MEMORY] = "memory", op_names[OP_DELETE] = "delete", op_names[OP_RELEASE] = "release";
  op_names[OP_ADOPT] = "adopt", op_names[OP_ORPHAN] = "orphan", op_names[OP_CROSS] = "cross-thread";
  op_names[OP_POOL] = "pool";

  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  OK(wb_engine_new(&cfg, &engine));
  cfg.consume_fuel = true;
  OK(wb_engine_new(&cfg, &fuel_engine));
  plain = compile_wat(engine, plain_wat);
  hosted = compile_wat(engine, hosted_wat);
  fuel_plain = compile_wat(fuel_engine, plain_wat);
  wb_linker_t linker;
  OK(wb_linker_new(engine, &linker));
  wb_valkind_t i32 = WB_I32;
  OK(wb_linker_define_func(linker, "env", "twice", &i32, 1, &i32, 1, host_twice, NULL, NULL));
  OK(wb_template_new(linker, hosted, &tmpl));
  OK(wb_linker_delete(linker));
  wb_pool_config_t pcfg;
  OK(wb_pool_config_init(&pcfg, WB_POOL_CONFIG_VERSION));
  pcfg.workers = 2;
  pcfg.call_timeout_ms = 50; /* long enough that a descheduled worker does not miss it */
  pcfg.recycle_after_calls = 1000;
  OK(wb_pool_new(engine, tmpl, &pcfg, &pool));
  for (int i = 0; i < nthreads; i++) {
    pthread_mutex_init(&requests[i].mu, NULL);
    pthread_cond_init(&requests[i].cv, NULL);
  }

  long rss_start = rss_kib();
  worker_t workers[MAX_THREADS];
  pthread_t threads[MAX_THREADS], intr;
  memset(workers, 0, sizeof workers);
  CHECK(pthread_create(&intr, NULL, interrupter, NULL) == 0);
  for (int i = 0; i < nthreads; i++) {
    workers[i].index = i;
    workers[i].seed = seed + (unsigned)i * 7919u;
    CHECK(pthread_create(&threads[i], NULL, worker, &workers[i]) == 0);
  }
  struct timespec nap = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&nap, NULL);
  atomic_store(&stopping, true);
  /* a worker that does not finish its last operation within a minute is a
   * hang: say which operation, with the seed, instead of a silent timeout */
  for (int i = 0; i < nthreads; i++) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 60;
    if (pthread_timedjoin_np(threads[i], NULL, &until) != 0) {
      int op = atomic_load(&workers[i].current_op);
      fprintf(stderr, "soak: worker %d hangs in operation \"%s\" (seed %u)\n", i, op >= 0 ? op_names[op] : "none",
              seed);
      abort();
    }
  }
  atomic_store(&interrupter_stopping, true);
  CHECK(pthread_join(intr, NULL) == 0);
  /* released stores nobody adopted: adopt and delete them here */
  for (int i = 0; i < exchange_n; i++) {
    tally("store_adopt", wb_store_adopt(exchange[i].store), ONLY(WB_OK));
    tally("store_delete", wb_store_delete(exchange[i].store), ONLY(WB_OK));
  }
  long rss_end = rss_kib();

  wb_pool_stats_t ps = WB_POOL_STATS_INIT;
  OK(wb_pool_stats_get(pool, &ps));
  CHECK(ps.submitted == ps.completed + ps.failed); /* every pool call accounted for */
  OK(wb_pool_delete(pool));
  OK(wb_template_delete(tmpl));
  OK(wb_module_delete(plain));
  OK(wb_module_delete(hosted));
  OK(wb_module_delete(fuel_plain));
  OK(wb_engine_delete(engine));
  OK(wb_engine_delete(fuel_engine));
  wb_stats_t st = WB_STATS_INIT;
  OK(wb_stats_get(&st));

  printf("soak: %.0f s, %d threads, seed %u, %ld operations (", seconds, nthreads, seed, atomic_load(&ops));
  for (int i = 0; i < OP_COUNT; i++) printf("%s%s %ld", i ? ", " : "", op_names[i], atomic_load(&op_count[i]));
  printf(")\nsoak errors by status:");
  for (int i = 1; i < STATUS_MAX; i++)
    if (atomic_load(&by_status[i])) printf(" %s %ld", wb_status_name((wb_status_t)i), atomic_load(&by_status[i]));
  printf("\nsoak: unexpected statuses %ld, live handles %" PRIu64 ", resident %ld KiB -> %ld KiB\n",
         atomic_load(&unexpected), st.live_handles, rss_start, rss_end);
  CHECK(atomic_load(&unexpected) == 0);
  if (st.live_handles) check_no_live_handles(); /* prints which kinds */
  CHECK(st.orphaned_stores == 0);
  for (int i = 0; i < OP_COUNT; i++) CHECK(atomic_load(&op_count[i]) > 0); /* the mix ran */
  return 0;
}
