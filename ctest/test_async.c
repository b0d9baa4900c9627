/* Async calls in a store: call futures polled by the store's owner thread,
 * guests that yield on fuel and epoch ticks, async host functions completed
 * later, async template instantiation, and everything around them that
 * must be defined (cancel, store deletion with a pending call, interrupts,
 * timeouts, release and adopt between polls, wrong threads, stale
 * handles). Every assertion is about counts and statuses, none about time. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "check.h"

static const char *GUEST =
    "(module"
    "  (func (export \"sum\") (param $n i32) (result i32) (local $i i32) (local $acc i32)"
    "    (block $out (loop $l"
    "      (br_if $out (i32.ge_u (local.get $i) (local.get $n)))"
    "      (local.set $acc (i32.add (local.get $acc) (local.get $i)))"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "      (br $l)))"
    "    (local.get $acc))"
    "  (func (export \"forever\") (loop $l (br $l)))"
    "  (func (export \"boom\") (unreachable))"
    "  (func $rec (export \"rec\") (call $rec))"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";

static const char *HOSTED =
    "(module (import \"host\" \"wait\" (func $wait (param i32) (result i32)))"
    "  (func (export \"twice\") (param i32) (result i32) (call $wait (call $wait (local.get 0)))))";

static const char *SLOW_START =
    "(module (global $g (mut i32) (i32.const 0))"
    "  (func $start (local $i i32)"
    "    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))"
    "    (global.set $g (local.get $i)))"
    "  (start $start)"
    "  (func (export \"get\") (result i32) global.get $g))";

static const char *WAITING_START =
    "(module (import \"host\" \"wait\" (func $wait (param i32) (result i32)))"
    "  (global $g (mut i32) (i32.const 0))"
    "  (func $start (global.set $g (call $wait (i32.const 41))))"
    "  (start $start)"
    "  (func (export \"get\") (result i32) global.get $g))";

/* Synchronous host functions and funcref results inside async calls. */
static const char *SYNC_HOSTED =
    "(module (import \"host\" \"add1\" (func $add1 (param i32) (result i32)))"
    "  (func $id (export \"id\") (param i32) (result i32) local.get 0)"
    "  (elem declare func $id)"
    "  (func (export \"getf\") (result funcref) ref.func $id)"
    "  (func (export \"count\") (param $n i32) (result i32) (local $acc i32)"
    "    (block $out (loop $l"
    "      (br_if $out (i32.eqz (local.get $n)))"
    "      (local.set $acc (call $add1 (local.get $acc)))"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))"
    "      (br $l)))"
    "    (local.get $acc)))";

static uint32_t sum_to(uint32_t n) { return (uint32_t)((uint64_t)n * (n - 1) / 2); }

static wb_engine_t async_engine(bool fuel) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.async_support = true;
  cfg.consume_fuel = fuel;
  cfg.async_stack_size = 256 * 1024; /* 1,000 guests at once: small stacks */
  cfg.max_wasm_stack = 128 * 1024;
  wb_engine_t e;
  OK(wb_engine_new(&cfg, &e));
  return e;
}

/* A store of e with GUEST instantiated; fuel and a fuel yield interval
 * when the engine consumes fuel. */
static wb_store_t guest_store(wb_engine_t e, wb_module_t m, bool fuel, wb_instance_t *inst) {
  wb_store_t s;
  OK(wb_store_new(e, &s));
  if (fuel) {
    OK(wb_store_set_fuel(s, UINT64_C(1) << 40));
    OK(wb_store_set_fuel_async_yield_interval(s, 2000));
  }
  OK(wb_instance_new(s, m, inst));
  return s;
}

static wb_func_t func_of(wb_instance_t inst, const char *name) {
  wb_func_t f;
  OK(wb_instance_get_func(inst, name, &f));
  return f;
}

/* Polls until done; returns how many polls it took. */
static int poll_to_end(wb_call_future_t fut) {
  bool done = false;
  int polls = 0;
  while (!done) {
    OK(wb_call_future_poll(fut, &done));
    polls++;
  }
  return polls;
}

/* ---- basics ------------------------------------------------------------------ */

static void test_basic(wb_engine_t e, wb_module_t m) {
  wb_instance_t inst;
  wb_store_t s = guest_store(e, m, true, &inst);
  wb_func_t sum = func_of(inst, "sum");
  wb_val_t arg = val_i32(5000), res;
  wb_call_future_t fut;
  /* the synchronous path is refused, and says what to use */
  EXPECT(wb_func_call(sum, &arg, 1, &res, 1), WB_ERR_INVALID_ARGUMENT, "wb_func_call_async");
  OK(wb_func_call_async(sum, &arg, 1, &fut));
  /* while it is unfinished, the store's wasm is busy */
  wb_call_future_t second;
  EXPECT(wb_func_call_async(sum, &arg, 1, &second), WB_ERR_BUSY, "unfinished call future");
  EXPECT(wb_func_call(sum, &arg, 1, &res, 1), WB_ERR_BUSY, "unfinished call future");
  EXPECT(wb_call_future_results(fut, &res, 1), WB_ERR_BUSY, "not finished");
  wb_instance_t other;
  EXPECT(wb_instance_new(s, m, &other), WB_ERR_BUSY, "unfinished call future");
  EXPECT(wb_store_set_fuel_async_yield_interval(s, 10), WB_ERR_BUSY, "unfinished");
  int polls = poll_to_end(fut);
  CHECK(polls > 2); /* it yielded on fuel: 5,000 iterations are far more than 2,000 units */
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.kind == WB_I32 && (uint32_t)res.of.i32 == sum_to(5000));
  /* a finished future stays done and keeps its results */
  bool done = false;
  OK(wb_call_future_poll(fut, &done));
  CHECK(done);
  memset(&res, 0, sizeof res);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK((uint32_t)res.of.i32 == sum_to(5000));
  EXPECT(wb_call_future_results(fut, &res, 2), WB_ERR_TYPE_MISMATCH, "returns 1 results");
  EXPECT(wb_call_future_instance(fut, &other), WB_ERR_INVALID_ARGUMENT, "wb_call_future_results");
  /* the store takes the next call once the first has finished, before its future is deleted */
  wb_val_t two[2] = {val_i32(40), val_i32(2)};
  OK(wb_func_call_async(func_of(inst, "add"), two, 2, &second));
  poll_to_end(second);
  OK(wb_call_future_results(second, &res, 1));
  CHECK(res.of.i32 == 42);
  OK(wb_call_future_delete(second));
  OK(wb_call_future_delete(fut));
  EXPECT(wb_call_future_poll(fut, &done), WB_ERR_INVALID_HANDLE, "");
  EXPECT(wb_call_future_delete(fut), WB_ERR_INVALID_HANDLE, "");
  OK(wb_call_future_delete((wb_call_future_t){0}));
  /* wrong argument counts and kinds are refused before anything starts */
  EXPECT(wb_func_call_async(sum, two, 2, &fut), WB_ERR_TYPE_MISMATCH, "takes 1 arguments");
  wb_val_t wrong = val_i64(1);
  EXPECT(wb_func_call_async(sum, &wrong, 1, &fut), WB_ERR_TYPE_MISMATCH, "");
  OK(wb_store_delete(s));
}

/* 1,000 guests interleaved on this thread, one poll each per round: every
 * one finishes with its own result, and none is starved (each is polled
 * in every round until it finishes, and each needed several polls). */
static void test_thousand(wb_engine_t e, wb_module_t m) {
  enum { N = 1000 };
  static wb_store_t stores[N];
  static wb_call_future_t futs[N];
  static int polls[N];
  static bool finished[N];
  for (int i = 0; i < N; i++) {
    wb_instance_t inst;
    stores[i] = guest_store(e, m, true, &inst);
    wb_val_t arg = val_i32(2000 + i);
    OK(wb_func_call_async(func_of(inst, "sum"), &arg, 1, &futs[i]));
    polls[i] = 0;
    finished[i] = false;
  }
  int left = N, rounds = 0;
  while (left > 0) {
    rounds++;
    for (int i = 0; i < N; i++) {
      if (finished[i]) continue;
      bool done;
      OK(wb_call_future_poll(futs[i], &done));
      polls[i]++;
      CHECK(polls[i] == rounds); /* polled once in every round so far */
      if (done) {
        finished[i] = true;
        left--;
      }
    }
  }
  int completed = 0;
  for (int i = 0; i < N; i++) {
    wb_val_t res;
    OK(wb_call_future_results(futs[i], &res, 1));
    CHECK((uint32_t)res.of.i32 == sum_to((uint32_t)(2000 + i)));
    CHECK(polls[i] >= 3); /* it yielded and was resumed: interleaved, not run to the end at once */
    completed++;
    OK(wb_call_future_delete(futs[i]));
    OK(wb_store_delete(stores[i]));
  }
  CHECK(completed == N);
  printf("1000 guests: %d rounds\n", rounds);
}

/* Four threads, each interleaving its own 100 guests, while a fifth
 * interrupts stores of all of them: every call ends, with its correct
 * result or WB_ERR_INTERRUPTED, and nothing else. */
enum { LOOPERS = 4, PER_LOOPER = 100 };
static wb_store_t looper_stores[LOOPERS][PER_LOOPER];
static int looper_ready, looper_stop;

typedef struct {
  wb_engine_t e;
  wb_module_t m;
  int index, ok, interrupted;
} looper_t;

static void *looper(void *arg) {
  looper_t *lp = arg;
  wb_call_future_t futs[PER_LOOPER];
  bool finished[PER_LOOPER];
  for (int i = 0; i < PER_LOOPER; i++) {
    wb_instance_t inst;
    looper_stores[lp->index][i] = guest_store(lp->e, lp->m, true, &inst);
    wb_val_t arg = val_i32(3000 + i);
    OK(wb_func_call_async(func_of(inst, "sum"), &arg, 1, &futs[i]));
    finished[i] = false;
  }
  __atomic_add_fetch(&looper_ready, 1, __ATOMIC_RELEASE);
  int left = PER_LOOPER;
  while (left > 0) {
    for (int i = 0; i < PER_LOOPER; i++) {
      if (finished[i]) continue;
      bool done;
      OK(wb_call_future_poll(futs[i], &done));
      if (!done) continue;
      finished[i] = true;
      left--;
      wb_val_t res;
      wb_status_t st = wb_call_future_results(futs[i], &res, 1);
      if (st == WB_OK) {
        CHECK((uint32_t)res.of.i32 == sum_to((uint32_t)(3000 + i)));
        lp->ok++;
      } else {
        CHECK(st == WB_ERR_INTERRUPTED);
        lp->interrupted++;
      }
    }
  }
  /* the stores stay until the interrupter has stopped */
  while (!__atomic_load_n(&looper_stop, __ATOMIC_ACQUIRE)) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, 0);
  }
  for (int i = 0; i < PER_LOOPER; i++) {
    OK(wb_call_future_delete(futs[i]));
    OK(wb_store_delete(looper_stores[lp->index][i]));
  }
  return 0;
}

static void *interrupter(void *arg) {
  int *rounds = arg;
  while (__atomic_load_n(&looper_ready, __ATOMIC_ACQUIRE) < LOOPERS) {
    struct timespec ts = {0, 100000};
    nanosleep(&ts, 0);
  }
  for (int r = 0; r < *rounds; r++)
    for (int t = 0; t < LOOPERS; t++) OK(wb_store_interrupt(looper_stores[t][(r * 7 + t * 13) % PER_LOOPER]));
  return 0;
}

static void test_many_threads(wb_engine_t e, wb_module_t m) {
  looper_t lps[LOOPERS];
  pthread_t th[LOOPERS], it;
  int rounds = 50;
  looper_ready = looper_stop = 0;
  for (int t = 0; t < LOOPERS; t++) {
    lps[t] = (looper_t){e, m, t, 0, 0};
    CHECK(pthread_create(&th[t], 0, looper, &lps[t]) == 0);
  }
  CHECK(pthread_create(&it, 0, interrupter, &rounds) == 0);
  pthread_join(it, 0);
  __atomic_store_n(&looper_stop, 1, __ATOMIC_RELEASE);
  int ok = 0, interrupted = 0;
  for (int t = 0; t < LOOPERS; t++) {
    pthread_join(th[t], 0);
    ok += lps[t].ok;
    interrupted += lps[t].interrupted;
  }
  CHECK(ok + interrupted == LOOPERS * PER_LOOPER); /* every call ended, exactly once */
  printf("4 threads x 100 guests: %d finished, %d interrupted\n", ok, interrupted);
}

/* ---- outcomes ------------------------------------------------------------------- */

static void test_trap(wb_engine_t e, wb_module_t m) {
  wb_instance_t inst;
  wb_store_t s = guest_store(e, m, true, &inst);
  wb_call_future_t fut;
  OK(wb_func_call_async(func_of(inst, "boom"), 0, 0, &fut));
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, 0, 0), WB_ERR_TRAP, "unreachable");
  CHECK(wb_last_trap_code() == WB_TRAP_UNREACHABLE);
  /* asked again: the same outcome */
  EXPECT(wb_call_future_results(fut, 0, 0), WB_ERR_TRAP, "call failed");
  OK(wb_call_future_delete(fut));
  /* unbounded recursion on the async stack: a trap, not a crash */
  OK(wb_func_call_async(func_of(inst, "rec"), 0, 0, &fut));
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, 0, 0), WB_ERR_TRAP, "");
  CHECK(wb_last_trap_code() == WB_TRAP_STACK_OVERFLOW);
  OK(wb_call_future_delete(fut));
  /* out of fuel is a trap too, and the store goes on */
  OK(wb_store_set_fuel(s, 500));
  wb_val_t arg = val_i32(100000), res;
  OK(wb_func_call_async(func_of(inst, "sum"), &arg, 1, &fut));
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, &res, 1), WB_ERR_OUT_OF_FUEL, "fuel");
  CHECK(wb_last_trap_code() == WB_TRAP_OUT_OF_FUEL);
  OK(wb_call_future_delete(fut));
  OK(wb_store_delete(s));
}

typedef struct {
  wb_store_t store;
} interrupter_t;

static void *interrupt_later(void *arg) {
  interrupter_t *it = arg;
  OK(wb_store_interrupt(it->store));
  return 0;
}

static void test_interrupt(wb_engine_t e, wb_module_t m) {
  wb_instance_t inst;
  wb_store_t s = guest_store(e, m, true, &inst);
  wb_func_t forever = func_of(inst, "forever");
  wb_call_future_t fut;
  bool done = true;
  /* between polls, from another thread */
  OK(wb_func_call_async(forever, 0, 0, &fut));
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done); /* it yields on fuel */
  pthread_t t;
  interrupter_t it = {s};
  CHECK(pthread_create(&t, 0, interrupt_later, &it) == 0);
  pthread_join(t, 0);
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, 0, 0), WB_ERR_INTERRUPTED, "wb_store_interrupt");
  CHECK(wb_last_trap_code() == WB_TRAP_INTERRUPT);
  OK(wb_call_future_delete(fut));
  /* before the call starts */
  OK(wb_store_interrupt(s));
  EXPECT(wb_func_call_async(forever, 0, 0, &fut), WB_ERR_INTERRUPTED, "before the call started");
  /* a call timeout stops a call that never ends, whatever its polls */
  OK(wb_store_set_call_timeout(s, 20));
  OK(wb_func_call_async(forever, 0, 0, &fut));
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, 0, 0), WB_ERR_INTERRUPTED, "time limit");
  OK(wb_call_future_delete(fut));
  OK(wb_store_set_call_timeout(s, 0));
  /* so does the store's deadline, and once passed it refuses the next call at its start */
  OK(wb_store_set_deadline(s, 20));
  OK(wb_func_call_async(forever, 0, 0, &fut));
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, 0, 0), WB_ERR_INTERRUPTED, "");
  CHECK(wb_last_trap_code() == WB_TRAP_INTERRUPT);
  OK(wb_call_future_delete(fut));
  EXPECT(wb_func_call_async(forever, 0, 0, &fut), WB_ERR_INTERRUPTED, "deadline");
  OK(wb_store_set_deadline(s, 0));
  /* the store still works */
  wb_val_t two[2] = {val_i32(1), val_i32(2)}, res;
  OK(wb_func_call_async(func_of(inst, "add"), two, 2, &fut));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.of.i32 == 3);
  OK(wb_call_future_delete(fut));
  OK(wb_store_delete(s));
}

/* An interrupt from another thread while a poll runs a guest that does not
 * yield (no fuel yields, no epoch yields): the epoch check stops it. */
typedef struct {
  wb_store_t store;
  int stop;
} interrupter2_t;

static void *interrupt_repeatedly(void *arg) {
  interrupter2_t *it = arg;
  while (!__atomic_load_n(&it->stop, __ATOMIC_ACQUIRE)) {
    OK(wb_store_interrupt(it->store));
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, 0);
  }
  return 0;
}

static void test_interrupt_inside_poll(wb_engine_t e, wb_module_t m) {
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  OK(wb_store_set_fuel(s, UINT64_C(1) << 50));
  OK(wb_instance_new(s, m, &inst));
  wb_call_future_t fut;
  OK(wb_func_call_async(func_of(inst, "forever"), 0, 0, &fut));
  interrupter2_t it = {s, 0};
  pthread_t t;
  CHECK(pthread_create(&t, 0, interrupt_repeatedly, &it) == 0);
  poll_to_end(fut); /* would never end without the interrupt */
  __atomic_store_n(&it.stop, 1, __ATOMIC_RELEASE);
  pthread_join(t, 0);
  EXPECT(wb_call_future_results(fut, 0, 0), WB_ERR_INTERRUPTED, "interrupt");
  OK(wb_call_future_delete(fut));
  OK(wb_store_delete(s));
}

/* Epoch yields: a guest without fuel yields at the ticker's ticks. */
static void test_epoch_yield(void) {
  wb_engine_t e = async_engine(false);
  wb_module_t m = compile_wat(e, GUEST);
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  OK(wb_instance_new(s, m, &inst));
  EXPECT(wb_store_set_fuel_async_yield_interval(s, 100), WB_ERR_INVALID_ARGUMENT, "consume_fuel");
  OK(wb_store_set_epoch_async_yield(s, true));
  wb_call_future_t fut;
  OK(wb_func_call_async(func_of(inst, "forever"), 0, 0, &fut));
  bool done = true;
  for (int i = 0; i < 3; i++) { /* each poll returns only because the guest yielded */
    OK(wb_call_future_poll(fut, &done));
    CHECK(!done);
  }
  OK(wb_call_future_delete(fut)); /* cancelled */
  OK(wb_store_set_epoch_async_yield(s, false));
  wb_val_t arg = val_i32(1000), res;
  OK(wb_func_call_async(func_of(inst, "sum"), &arg, 1, &fut));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK((uint32_t)res.of.i32 == sum_to(1000));
  OK(wb_call_future_delete(fut));
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
}

/* ---- cancel, store deletion, threads ---------------------------------------------- */

static void test_cancel_and_delete(wb_engine_t e, wb_module_t m) {
  wb_instance_t inst;
  wb_store_t s = guest_store(e, m, true, &inst);
  wb_call_future_t fut;
  bool done;
  OK(wb_func_call_async(func_of(inst, "forever"), 0, 0, &fut));
  OK(wb_call_future_poll(fut, &done));
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done);
  OK(wb_call_future_delete(fut)); /* cancel: the guest's stack is unwound */
  EXPECT(wb_call_future_poll(fut, &done), WB_ERR_INVALID_HANDLE, "");
  wb_val_t arg = val_i32(300), res;
  OK(wb_func_call_async(func_of(inst, "sum"), &arg, 1, &fut));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK((uint32_t)res.of.i32 == sum_to(300));
  /* a pending call, and the store deleted under it */
  wb_call_future_t pending;
  OK(wb_func_call_async(func_of(inst, "forever"), 0, 0, &pending));
  OK(wb_call_future_poll(pending, &done));
  CHECK(!done);
  OK(wb_store_delete(s));
  EXPECT(wb_call_future_poll(pending, &done), WB_ERR_INVALID_HANDLE, "");
  EXPECT(wb_call_future_results(fut, &res, 1), WB_ERR_INVALID_HANDLE, "");
  EXPECT(wb_call_future_delete(pending), WB_ERR_INVALID_HANDLE, "");
  /* and a call started but never polled */
  s = guest_store(e, m, true, &inst);
  OK(wb_func_call_async(func_of(inst, "forever"), 0, 0, &pending));
  OK(wb_store_delete(s));
}

typedef struct {
  wb_call_future_t fut;
  wb_store_t store;
  wb_status_t poll_status, results_status, delete_status;
  int polls;
  int32_t result;
} other_thread_t;

static void *poke_from_other_thread(void *arg) {
  other_thread_t *o = arg;
  bool done;
  wb_val_t res;
  o->poll_status = wb_call_future_poll(o->fut, &done);
  o->results_status = wb_call_future_results(o->fut, &res, 1);
  o->delete_status = wb_call_future_delete(o->fut);
  return 0;
}

static void *adopt_and_finish(void *arg) {
  other_thread_t *o = arg;
  OK(wb_store_adopt(o->store));
  o->polls = poll_to_end(o->fut);
  wb_val_t res;
  OK(wb_call_future_results(o->fut, &res, 1));
  o->result = res.of.i32;
  OK(wb_store_release(o->store)); /* back to main */
  return 0;
}

static void test_threads(wb_engine_t e, wb_module_t m) {
  wb_instance_t inst;
  wb_store_t s = guest_store(e, m, true, &inst);
  wb_val_t arg = val_i32(20000);
  other_thread_t o;
  memset(&o, 0, sizeof o);
  o.store = s;
  OK(wb_func_call_async(func_of(inst, "sum"), &arg, 1, &o.fut));
  bool done;
  OK(wb_call_future_poll(o.fut, &done));
  CHECK(!done);
  /* another thread may not touch the future */
  pthread_t t;
  CHECK(pthread_create(&t, 0, poke_from_other_thread, &o) == 0);
  pthread_join(t, 0);
  CHECK(o.poll_status == WB_ERR_WRONG_THREAD);
  CHECK(o.results_status == WB_ERR_WRONG_THREAD);
  CHECK(o.delete_status == WB_ERR_WRONG_THREAD);
  /* release between polls: the future follows the store to its adopter */
  OK(wb_store_release(s));
  EXPECT(wb_call_future_poll(o.fut, &done), WB_ERR_WRONG_THREAD, "");
  CHECK(pthread_create(&t, 0, adopt_and_finish, &o) == 0);
  pthread_join(t, 0);
  CHECK(o.polls >= 2);
  CHECK((uint32_t)o.result == sum_to(20000));
  OK(wb_store_adopt(s));
  wb_val_t res;
  OK(wb_call_future_results(o.fut, &res, 1));
  CHECK((uint32_t)res.of.i32 == sum_to(20000));
  OK(wb_call_future_delete(o.fut));
  OK(wb_store_delete(s));
}

/* A thread that exits owning a store with an unfinished call: the store
 * becomes an orphan, and another thread deletes it (cancelling the call on
 * its own thread). */
typedef struct {
  wb_engine_t e;
  wb_module_t m;
  wb_store_t store;
  wb_call_future_t fut;
} orphan_t;

static void *start_and_exit(void *arg) {
  orphan_t *o = arg;
  wb_instance_t inst;
  o->store = guest_store(o->e, o->m, true, &inst);
  OK(wb_func_call_async(func_of(inst, "forever"), 0, 0, &o->fut));
  bool done;
  OK(wb_call_future_poll(o->fut, &done));
  CHECK(!done);
  return 0; /* exits owning the store */
}

static void test_orphan(wb_engine_t e, wb_module_t m) {
  orphan_t o = {e, m, {0}, {0}};
  pthread_t t;
  CHECK(pthread_create(&t, 0, start_and_exit, &o) == 0);
  pthread_join(t, 0);
  bool done;
  EXPECT(wb_call_future_poll(o.fut, &done), WB_ERR_WRONG_THREAD, "");
  OK(wb_store_delete(o.store));
  EXPECT(wb_call_future_poll(o.fut, &done), WB_ERR_INVALID_HANDLE, "");
}

/* ---- async host functions --------------------------------------------------------- */

enum { MAXQ = 4096 };
typedef struct {
  wb_async_token_t tokens[MAXQ];
  int32_t args[MAXQ];
  int n;
  int calls, finalized;
  bool complete_at_once, fail;
} host_t;

static wb_status_t host_wait(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs,
                             wb_async_token_t token) {
  host_t *h = env;
  h->calls++;
  wb_store_t store;
  OK(wb_caller_store(caller, &store)); /* the caller works during the callback */
  CHECK(store.id != 0);
  CHECK(nargs == 1 && args[0].kind == WB_I32);
  if (h->fail) return WB_ERR_INVALID_ARGUMENT;
  if (h->complete_at_once) {
    wb_val_t r = val_i32(args[0].of.i32 + 1);
    OK(wb_async_complete(token, &r, 1));
    return WB_OK;
  }
  CHECK(h->n < MAXQ);
  h->tokens[h->n] = token;
  h->args[h->n++] = args[0].of.i32;
  return WB_OK;
}

static void host_finalize(void *env) { ((host_t *)env)->finalized++; }

/* Completes every waiting call with its argument + 1. */
static int complete_all(host_t *h) {
  int n = h->n;
  for (int i = 0; i < n; i++) {
    wb_val_t r = val_i32(h->args[i] + 1);
    OK(wb_async_complete(h->tokens[i], &r, 1));
    EXPECT(wb_async_complete(h->tokens[i], &r, 1), WB_ERR_INVALID_ARGUMENT, "already completed");
  }
  h->n = 0;
  return n;
}

static wb_template_t hosted_template(wb_engine_t e, host_t *h, const char *wat, wb_linker_t *linker_out) {
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  wb_valkind_t i32 = WB_I32;
  OK(wb_linker_define_async_func(l, "host", "wait", &i32, 1, &i32, 1, host_wait, h, host_finalize));
  EXPECT(wb_linker_define_async_func(l, "host", "wait", &i32, 1, &i32, 1, host_wait, h, host_finalize), WB_ERR_LINK,
         "");
  CHECK(h->finalized == 1); /* the refused duplicate's env was finalized */
  h->finalized = 0;
  wb_module_t m = compile_wat(e, wat);
  wb_template_t t;
  OK(wb_template_new(l, m, &t));
  OK(wb_module_delete(m));
  *linker_out = l;
  return t;
}

static void test_async_host(wb_engine_t e) {
  static host_t h;
  memset(&h, 0, sizeof h);
  wb_linker_t l;
  wb_template_t t = hosted_template(e, &h, HOSTED, &l);
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  OK(wb_store_set_fuel(s, UINT64_C(1) << 40));
  OK(wb_template_instantiate(t, s, &inst));
  wb_func_t twice = func_of(inst, "twice");
  wb_val_t arg = val_i32(10), res;
  wb_call_future_t fut;
  bool done;
  /* pending until the host completes it, once per host call */
  OK(wb_func_call_async(twice, &arg, 1, &fut));
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done && h.n == 1 && h.args[0] == 10);
  OK(wb_call_future_poll(fut, &done)); /* still waiting */
  CHECK(!done && h.calls == 1);
  wb_val_t wrong = val_i64(1);
  EXPECT(wb_async_complete(h.tokens[0], &wrong, 1), WB_ERR_TYPE_MISMATCH, "must be a i32");
  EXPECT(wb_async_complete(h.tokens[0], &arg, 2), WB_ERR_TYPE_MISMATCH, "returns 1 results");
  wb_async_token_t first = h.tokens[0];
  CHECK(complete_all(&h) == 1);
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done && h.n == 1 && h.args[0] == 11); /* the second host call */
  EXPECT(wb_async_complete(first, &arg, 1), WB_ERR_INVALID_HANDLE, ""); /* the first token is gone */
  complete_all(&h);
  OK(wb_call_future_poll(fut, &done));
  CHECK(done);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.of.i32 == 12);
  OK(wb_call_future_delete(fut));
  /* completed inside the callback */
  h.complete_at_once = true;
  OK(wb_func_call_async(twice, &arg, 1, &fut));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.of.i32 == 12);
  OK(wb_call_future_delete(fut));
  h.complete_at_once = false;
  /* failed by the host: a trap with its message */
  OK(wb_func_call_async(twice, &arg, 1, &fut));
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done && h.n == 1);
  OK(wb_async_fail(h.tokens[0], "the database is down"));
  EXPECT(wb_async_fail(h.tokens[0], "again"), WB_ERR_INVALID_ARGUMENT, "already failed");
  h.n = 0;
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, &res, 1), WB_ERR_TRAP, "the database is down");
  OK(wb_call_future_delete(fut));
  /* the callback's own failure */
  h.fail = true;
  OK(wb_func_call_async(twice, &arg, 1, &fut));
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, &res, 1), WB_ERR_TRAP, "WB_ERR_INVALID_ARGUMENT");
  OK(wb_call_future_delete(fut));
  h.fail = false;
  /* interrupted while waiting */
  OK(wb_func_call_async(twice, &arg, 1, &fut));
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done && h.n == 1);
  wb_async_token_t waiting = h.tokens[0];
  h.n = 0;
  OK(wb_store_interrupt(s));
  poll_to_end(fut);
  EXPECT(wb_call_future_results(fut, &res, 1), WB_ERR_INTERRUPTED, "interrupt");
  EXPECT(wb_async_complete(waiting, &arg, 1), WB_ERR_INVALID_HANDLE, "");
  OK(wb_call_future_delete(fut));
  /* cancelled while waiting: the token goes with the call */
  OK(wb_func_call_async(twice, &arg, 1, &fut));
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done && h.n == 1);
  waiting = h.tokens[0];
  h.n = 0;
  OK(wb_call_future_delete(fut));
  EXPECT(wb_async_complete(waiting, &arg, 1), WB_ERR_INVALID_HANDLE, "");
  /* and a store deleted while a host call waits */
  OK(wb_func_call_async(twice, &arg, 1, &fut));
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done && h.n == 1);
  waiting = h.tokens[0];
  h.n = 0;
  OK(wb_store_delete(s));
  EXPECT(wb_async_complete(waiting, &arg, 1), WB_ERR_INVALID_HANDLE, "");
  CHECK(h.finalized == 0); /* the template and linker still hold the function */
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  CHECK(h.finalized == 1); /* exactly once */
}

/* A host call waiting while its store moves: the token follows the store,
 * and the adopting thread completes it and polls on. */
typedef struct {
  host_t *h;
  wb_store_t store;
  wb_call_future_t fut;
  int32_t result;
} mover_t;

static void *adopt_complete_finish(void *arg) {
  mover_t *mv = arg;
  OK(wb_store_adopt(mv->store));
  complete_all(mv->h); /* the first host call, made on the main thread */
  bool done = false;
  while (!done) {
    OK(wb_call_future_poll(mv->fut, &done));
    complete_all(mv->h); /* the second, made here */
  }
  wb_val_t res;
  OK(wb_call_future_results(mv->fut, &res, 1));
  mv->result = res.of.i32;
  OK(wb_store_release(mv->store));
  return 0;
}

static void test_host_adopt(wb_engine_t e) {
  static host_t h;
  memset(&h, 0, sizeof h);
  wb_linker_t l;
  wb_template_t t = hosted_template(e, &h, HOSTED, &l);
  mover_t mv = {&h, {0}, {0}, 0};
  wb_instance_t inst;
  OK(wb_store_new(e, &mv.store));
  OK(wb_store_set_fuel(mv.store, UINT64_C(1) << 40));
  OK(wb_template_instantiate(t, mv.store, &inst));
  wb_val_t arg = val_i32(100);
  bool done;
  OK(wb_func_call_async(func_of(inst, "twice"), &arg, 1, &mv.fut));
  OK(wb_call_future_poll(mv.fut, &done));
  CHECK(!done && h.n == 1);
  OK(wb_store_release(mv.store));
  wb_val_t r = val_i32(1);
  EXPECT(wb_async_complete(h.tokens[0], &r, 1), WB_ERR_WRONG_THREAD, "released");
  pthread_t th;
  CHECK(pthread_create(&th, 0, adopt_complete_finish, &mv) == 0);
  pthread_join(th, 0);
  CHECK(mv.result == 102 && h.calls == 2);
  OK(wb_store_adopt(mv.store));
  OK(wb_store_delete(mv.store)); /* with its finished future */
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  CHECK(h.finalized == 1);
}

/* Hundreds of guests on one thread, each waiting on the host twice: the
 * host completes whatever waits after each round of polls. */
static void test_many_waiting(wb_engine_t e) {
  enum { N = 300 };
  static host_t h;
  memset(&h, 0, sizeof h);
  wb_linker_t l;
  wb_template_t t = hosted_template(e, &h, HOSTED, &l);
  static wb_store_t stores[N];
  static wb_call_future_t futs[N];
  static bool finished[N];
  for (int i = 0; i < N; i++) {
    wb_instance_t inst;
    OK(wb_store_new(e, &stores[i]));
    OK(wb_store_set_fuel(stores[i], UINT64_C(1) << 40));
    OK(wb_template_instantiate(t, stores[i], &inst));
    wb_val_t arg = val_i32(i * 10);
    OK(wb_func_call_async(func_of(inst, "twice"), &arg, 1, &futs[i]));
    finished[i] = false;
  }
  int left = N, completed_calls = 0;
  while (left > 0) {
    for (int i = 0; i < N; i++) {
      if (finished[i]) continue;
      bool done;
      OK(wb_call_future_poll(futs[i], &done));
      if (done) {
        finished[i] = true;
        left--;
      }
    }
    completed_calls += complete_all(&h);
  }
  CHECK(completed_calls == 2 * N);
  CHECK(h.calls == 2 * N);
  for (int i = 0; i < N; i++) {
    wb_val_t res;
    OK(wb_call_future_results(futs[i], &res, 1));
    CHECK(res.of.i32 == i * 10 + 2);
    OK(wb_call_future_delete(futs[i]));
    OK(wb_store_delete(stores[i]));
  }
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  CHECK(h.finalized == 1);
}

static int sync_host_calls;
static wb_status_t delete_in_callback = WB_OK;
static wb_status_t add1(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                        size_t nresults) {
  (void)env, (void)nargs, (void)nresults;
  if (sync_host_calls++ == 0) { /* its own store cannot go from under its call */
    wb_store_t s;
    OK(wb_caller_store(caller, &s));
    delete_in_callback = wb_store_delete(s);
  }
  results[0] = val_i32(args[0].of.i32 + 1);
  return WB_OK;
}

static void test_sync_host_and_refs(wb_engine_t e) {
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  wb_valkind_t i32 = WB_I32;
  OK(wb_linker_define_func(l, "host", "add1", &i32, 1, &i32, 1, add1, 0, 0));
  wb_module_t m = compile_wat(e, SYNC_HOSTED);
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  OK(wb_store_set_fuel(s, UINT64_C(1) << 40));
  OK(wb_store_set_fuel_async_yield_interval(s, 500));
  OK(wb_linker_instantiate(l, s, m, &inst));
  wb_call_future_t fut;
  wb_val_t arg = val_i32(3000), res;
  sync_host_calls = 0;
  OK(wb_func_call_async(func_of(inst, "count"), &arg, 1, &fut));
  CHECK(poll_to_end(fut) > 2); /* yields between host calls */
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.of.i32 == 3000 && sync_host_calls == 3000);
  CHECK(delete_in_callback == WB_ERR_BUSY);
  OK(wb_call_future_delete(fut));
  /* a funcref result becomes a func handle of the store, callable asynchronously */
  OK(wb_func_call_async(func_of(inst, "getf"), 0, 0, &fut));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.kind == WB_FUNCREF && res.of.funcref.id != 0);
  OK(wb_call_future_delete(fut));
  wb_val_t seven = val_i32(7);
  OK(wb_func_call_async(res.of.funcref, &seven, 1, &fut));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.of.i32 == 7);
  OK(wb_call_future_delete(fut));
  /* a pool over an async engine: its calls are refused with a status */
  wb_template_t t;
  OK(wb_template_new(l, m, &t));
  wb_pool_config_t pc;
  OK(wb_pool_config_init(&pc, WB_POOL_CONFIG_VERSION));
  pc.workers = 1;
  wb_pool_t pool;
  wb_status_t pst = wb_pool_new(e, t, &pc, &pool);
  if (pst == WB_OK) {
    EXPECT(wb_pool_call(pool, "id", &seven, 1, &res, 1), WB_ERR_INVALID_ARGUMENT, "async");
    OK(wb_pool_delete(pool));
  } else {
    CHECK(pst == WB_ERR_INVALID_ARGUMENT);
  }
  OK(wb_template_delete(t));
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  OK(wb_linker_delete(l));
}

/* What the host does to an async store's memory, globals and tables, also
 * between polls of a call that uses them. */
static const char *STATEFUL =
    "(module (memory (export \"mem\") 1 10) (global (export \"g\") (mut i32) (i32.const 5))"
    "  (table (export \"tab\") 1 100 funcref)"
    "  (func (export \"poke\") (param $n i32) (result i32) (local $i i32)"
    "    (loop $l (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))"
    "    (i32.add (i32.load (i32.const 0)) (i32.add (global.get 0) (i32.mul (memory.size) (i32.const 1000))))))";

static void test_host_side(wb_engine_t e) {
  wb_module_t m = compile_wat(e, STATEFUL);
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  OK(wb_store_set_fuel(s, UINT64_C(1) << 40));
  OK(wb_store_set_fuel_async_yield_interval(s, 200));
  OK(wb_instance_new(s, m, &inst));
  wb_memory_t mem;
  wb_global_t g;
  wb_table_t tab;
  OK(wb_instance_get_memory(inst, "mem", &mem));
  OK(wb_instance_get_global(inst, "g", &g));
  OK(wb_instance_get_table(inst, "tab", &tab));
  wb_call_future_t fut;
  wb_val_t arg = val_i32(2000), res;
  OK(wb_func_call_async(func_of(inst, "poke"), &arg, 1, &fut));
  bool done;
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done);
  /* between polls: the counter is part-way, and the host may change the store's state */
  int32_t counter = 0;
  OK(wb_memory_read(mem, 0, &counter, 4));
  CHECK(counter > 0 && counter < 2000);
  uint64_t prev;
  OK(wb_memory_grow(mem, 2, &prev));
  CHECK(prev == 1);
  wb_val_t seven = val_i32(7);
  OK(wb_global_set(g, &seven));
  wb_val_t null_func;
  memset(&null_func, 0, sizeof null_func);
  null_func.kind = WB_FUNCREF;
  OK(wb_table_grow(tab, 3, &null_func, &prev));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.of.i32 == 2000 + 7 + 3 * 1000); /* the guest saw all three */
  OK(wb_call_future_delete(fut));
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
}

/* ---- instantiation ------------------------------------------------------------------ */

static void test_instantiate_async(wb_engine_t e) {
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  wb_module_t m = compile_wat(e, SLOW_START);
  wb_template_t t;
  OK(wb_template_new(l, m, &t));
  wb_store_t s;
  OK(wb_store_new(e, &s));
  OK(wb_store_set_fuel(s, UINT64_C(1) << 40));
  OK(wb_store_set_fuel_async_yield_interval(s, 1000));
  wb_call_future_t fut;
  wb_instance_t inst;
  OK(wb_template_instantiate_async(t, s, &fut));
  OK(wb_template_delete(t)); /* the future holds the template */
  EXPECT(wb_call_future_instance(fut, &inst), WB_ERR_BUSY, "not finished");
  int polls = poll_to_end(fut);
  CHECK(polls > 2); /* the start function yielded */
  OK(wb_call_future_instance(fut, &inst));
  EXPECT(wb_call_future_results(fut, 0, 0), WB_ERR_INVALID_ARGUMENT, "wb_call_future_instance");
  OK(wb_call_future_delete(fut));
  wb_val_t res;
  OK(wb_func_call_async(func_of(inst, "get"), 0, 0, &fut));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.of.i32 == 100000);
  OK(wb_call_future_delete(fut));
  /* a start function that traps */
  OK(wb_store_set_fuel(s, 100));
  OK(wb_template_new(l, m, &t));
  OK(wb_template_instantiate_async(t, s, &fut));
  poll_to_end(fut);
  EXPECT(wb_call_future_instance(fut, &inst), WB_ERR_OUT_OF_FUEL, "fuel");
  CHECK(wb_last_trap_code() == WB_TRAP_OUT_OF_FUEL);
  OK(wb_call_future_delete(fut));
  OK(wb_template_delete(t));
  OK(wb_module_delete(m));
  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));

  /* a start function that waits on an async host function: only the async
   * instantiation can wait for it */
  static host_t h;
  memset(&h, 0, sizeof h);
  t = hosted_template(e, &h, WAITING_START, &l);
  OK(wb_store_new(e, &s));
  OK(wb_store_set_fuel(s, UINT64_C(1) << 40));
  EXPECT(wb_template_instantiate(t, s, &inst), WB_ERR_INVALID_ARGUMENT, "wb_template_instantiate_async");
  h.n = 0;
  OK(wb_template_instantiate_async(t, s, &fut));
  bool done;
  OK(wb_call_future_poll(fut, &done));
  CHECK(!done && h.n == 1);
  complete_all(&h);
  poll_to_end(fut);
  OK(wb_call_future_instance(fut, &inst));
  OK(wb_call_future_delete(fut));
  OK(wb_func_call_async(func_of(inst, "get"), 0, 0, &fut));
  poll_to_end(fut);
  OK(wb_call_future_results(fut, &res, 1));
  CHECK(res.of.i32 == 42);
  OK(wb_store_delete(s)); /* with its finished future */
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  CHECK(h.finalized == 1);
}

/* ---- what a sync engine and an async engine refuse ------------------------------------ */

static void test_refusals(wb_engine_t async_e) {
  wb_engine_t e;
  OK(wb_engine_new(0, &e));
  wb_module_t m = compile_wat(e, GUEST);
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  OK(wb_instance_new(s, m, &inst));
  wb_call_future_t fut;
  EXPECT(wb_func_call_async(func_of(inst, "boom"), 0, 0, &fut), WB_ERR_INVALID_ARGUMENT, "no async_support");
  EXPECT(wb_store_set_fuel_async_yield_interval(s, 10), WB_ERR_INVALID_ARGUMENT, "async_support");
  EXPECT(wb_store_set_epoch_async_yield(s, true), WB_ERR_INVALID_ARGUMENT, "async_support");
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  wb_valkind_t i32 = WB_I32;
  static host_t h;
  memset(&h, 0, sizeof h);
  EXPECT(wb_linker_define_async_func(l, "host", "wait", &i32, 1, &i32, 1, host_wait, &h, host_finalize),
         WB_ERR_INVALID_ARGUMENT, "async_support");
  CHECK(h.finalized == 1);
  wb_shared_memory_t sm;
  EXPECT(wb_shared_memory_new(async_e, 1, 1, &sm), WB_ERR_INVALID_ARGUMENT, "async_support");
  wb_linker_t al;
  OK(wb_linker_new(async_e, &al));
  wb_valkind_t ref = WB_EXTERNREF;
  EXPECT(wb_linker_define_async_func(al, "host", "wait", &ref, 1, &i32, 1, host_wait, &h, host_finalize),
         WB_ERR_INVALID_ARGUMENT, "numbers only");
  CHECK(h.finalized == 2);
  OK(wb_linker_define_wasi(al));
  wb_module_t am = compile_wat(async_e, GUEST);
  wb_store_t as;
  OK(wb_store_new(async_e, &as));
  EXPECT(wb_linker_instantiate(al, as, am, &inst), WB_ERR_INVALID_ARGUMENT, "WASI");
  OK(wb_store_delete(as));
  OK(wb_module_delete(am));
  OK(wb_linker_delete(al));
  OK(wb_linker_delete(l));
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
}

int main(void) {
  wb_engine_t e = async_engine(true);
  wb_module_t m = compile_wat(e, GUEST);
  test_basic(e, m);
  test_trap(e, m);
  test_interrupt(e, m);
  test_interrupt_inside_poll(e, m);
  test_cancel_and_delete(e, m);
  test_threads(e, m);
  test_orphan(e, m);
  test_thousand(e, m);
  test_many_threads(e, m);
  test_epoch_yield();
  test_async_host(e);
  test_host_adopt(e);
  test_many_waiting(e);
  test_instantiate_async(e);
  test_sync_host_and_refs(e);
  test_host_side(e);
  test_refusals(e);
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("async");
}
