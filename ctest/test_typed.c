/* The typed call path (wb_func_typed, wb_typed_call): checked once, then
 * called with raw values; every other behaviour as wb_func_call's: the
 * wrong signature, the wrong thread, stale handles, interrupts, traps, fuel
 * and small stacks. */
#define _GNU_SOURCE
#include <pthread.h>
#include <unistd.h>

#include "check.h"

static const char *wat =
    "(module"
    " (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)"
    " (func (export \"mix\") (param i64 f32 f64) (result f64)"
    "  local.get 0 f64.convert_i64_s local.get 1 f64.promote_f32 f64.add local.get 2 f64.add)"
    " (func (export \"swap\") (param i32 i64) (result i64 i32) local.get 1 local.get 0)"
    " (func (export \"vec\") (param v128) (result v128) local.get 0 local.get 0 i32x4.add)"
    " (func (export \"nothing\"))"
    " (func (export \"spin\") (loop $l (br $l)))"
    " (func (export \"trap\") (param i32) (result i32) i32.const 1 local.get 0 i32.div_s)"
    " (func $rec (export \"rec\") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $rec)"
    " (func (export \"ref\") (param externref) (result i32) i32.const 0)"
    " (global $n (mut i32) (i32.const 0))"
    " (func (export \"bump\") (result i32) global.get $n i32.const 1 i32.add global.set $n global.get $n))";

static wb_engine_t engine;
static wb_module_t module;

typedef struct rig {
  wb_store_t store;
  wb_instance_t inst;
} rig_t;

static rig_t rig_new(void) {
  rig_t r;
  OK(wb_store_new(engine, &r.store));
  OK(wb_instance_new(r.store, module, &r.inst));
  return r;
}

static wb_typed_func_t typed(rig_t *r, const char *name, const wb_valkind_t *p, size_t np, const wb_valkind_t *res,
                             size_t nr) {
  wb_func_t f;
  wb_typed_func_t t;
  OK(wb_instance_get_func(r->inst, name, &f));
  OK(wb_func_typed(f, p, np, res, nr, &t));
  return t;
}

static const wb_valkind_t I32x2[] = {WB_I32, WB_I32}, I32[] = {WB_I32};

static void results_of_every_shape(void) {
  rig_t r = rig_new();
  wb_typed_func_t add = typed(&r, "add", I32x2, 2, I32, 1);
  wb_raw_t v[2];
  v[0].i32 = 40;
  v[1].i32 = 2;
  OK(wb_typed_call(add, v, 2));
  CHECK(v[0].i32 == 42);
  const wb_valkind_t mp[] = {WB_I64, WB_F32, WB_F64}, mr[] = {WB_F64};
  wb_typed_func_t mix = typed(&r, "mix", mp, 3, mr, 1);
  wb_raw_t m[3];
  m[0].i64 = 1000000000000;
  m[1].f32 = 0.5f;
  m[2].f64 = 0.25;
  OK(wb_typed_call(mix, m, 3));
  CHECK(m[0].f64 == 1000000000000.75);
  const wb_valkind_t sp[] = {WB_I32, WB_I64}, sr[] = {WB_I64, WB_I32};
  wb_typed_func_t swap = typed(&r, "swap", sp, 2, sr, 2);
  wb_raw_t s[2];
  s[0].i32 = 7;
  s[1].i64 = -9;
  OK(wb_typed_call(swap, s, 2));
  CHECK(s[0].i64 == -9 && s[1].i32 == 7);
  const wb_valkind_t vk[] = {WB_V128};
  wb_typed_func_t vec = typed(&r, "vec", vk, 1, vk, 1);
  wb_raw_t x;
  for (int i = 0; i < 16; i++) x.v128[i] = (uint8_t)(i % 4 == 0 ? i : 0);
  OK(wb_typed_call(vec, &x, 1));
  CHECK(x.v128[0] == 0 && x.v128[4] == 8 && x.v128[8] == 16 && x.v128[12] == 24);
  wb_typed_func_t nothing = typed(&r, "nothing", NULL, 0, NULL, 0);
  OK(wb_typed_call(nothing, NULL, 0));
  /* the same function gives the same typed handle */
  wb_typed_func_t again = typed(&r, "add", I32x2, 2, I32, 1);
  CHECK(again.id == add.id);
  OK(wb_store_delete(r.store));
}

static void wrong_signatures(void) {
  rig_t r = rig_new();
  wb_func_t f;
  wb_typed_func_t t;
  OK(wb_instance_get_func(r.inst, "add", &f));
  const wb_valkind_t I64x2[] = {WB_I64, WB_I64};
  EXPECT(wb_func_typed(f, I64x2, 2, I32, 1, &t), WB_ERR_TYPE_MISMATCH, "(param i32 i32)");
  EXPECT(wb_func_typed(f, I32x2, 1, I32, 1, &t), WB_ERR_TYPE_MISMATCH, "(param i32)");
  EXPECT(wb_func_typed(f, I32x2, 2, NULL, 0, &t), WB_ERR_TYPE_MISMATCH, "not");
  const wb_valkind_t ext[] = {WB_EXTERNREF};
  OK(wb_instance_get_func(r.inst, "ref", &f));
  EXPECT(wb_func_typed(f, ext, 1, I32, 1, &t), WB_ERR_TYPE_MISMATCH, "wb_func_call");
  EXPECT(wb_func_typed(f, NULL, 1, I32, 1, &t), WB_ERR_INVALID_ARGUMENT, "NULL");
  EXPECT(wb_func_typed(f, ext, 1, I32, 1, NULL), WB_ERR_INVALID_ARGUMENT, "out");
  /* a short buffer */
  wb_typed_func_t add = typed(&r, "add", I32x2, 2, I32, 1);
  wb_raw_t one;
  EXPECT(wb_typed_call(add, &one, 1), WB_ERR_INVALID_ARGUMENT, "room for 1");
  EXPECT(wb_typed_call(add, NULL, 2), WB_ERR_INVALID_ARGUMENT, "NULL");
  OK(wb_store_delete(r.store));
}

typedef struct other {
  wb_typed_func_t f;
  wb_status_t st;
} other_t;

static void *call_from_other_thread(void *arg) {
  other_t *o = arg;
  wb_raw_t v[2] = {{.i32 = 1}, {.i32 = 2}};
  o->st = wb_typed_call(o->f, v, 2);
  return 0;
}

static void *interrupt_soon(void *arg) {
  usleep(50000);
  OK(wb_store_interrupt(*(wb_store_t *)arg));
  return 0;
}

static void threads_handles_interrupts_traps(void) {
  rig_t r = rig_new();
  wb_typed_func_t add = typed(&r, "add", I32x2, 2, I32, 1);
  /* the wrong thread */
  other_t o = {add, WB_OK};
  pthread_t t;
  CHECK(pthread_create(&t, 0, call_from_other_thread, &o) == 0);
  CHECK(pthread_join(t, 0) == 0);
  CHECK(o.st == WB_ERR_WRONG_THREAD);
  /* a pending interrupt stops the next call, once */
  wb_raw_t v[2] = {{.i32 = 1}, {.i32 = 2}};
  OK(wb_store_interrupt(r.store));
  EXPECT(wb_typed_call(add, v, 2), WB_ERR_INTERRUPTED, "wb_store_interrupt");
  OK(wb_typed_call(add, v, 2));
  /* a running call stops */
  wb_typed_func_t spin = typed(&r, "spin", NULL, 0, NULL, 0);
  CHECK(pthread_create(&t, 0, interrupt_soon, &r.store) == 0);
  EXPECT(wb_typed_call(spin, NULL, 0), WB_ERR_INTERRUPTED, "");
  CHECK(wb_last_trap_code() == WB_TRAP_INTERRUPT);
  CHECK(pthread_join(t, 0) == 0);
  /* a call timeout too */
  OK(wb_store_set_call_timeout(r.store, 30));
  EXPECT(wb_typed_call(spin, NULL, 0), WB_ERR_INTERRUPTED, "time");
  OK(wb_store_set_call_timeout(r.store, 0));
  /* a trap, and the store goes on */
  wb_typed_func_t trap = typed(&r, "trap", I32, 1, I32, 1);
  wb_raw_t z = {.i32 = 0};
  EXPECT(wb_typed_call(trap, &z, 1), WB_ERR_TRAP, "divide by zero");
  CHECK(wb_last_trap_code() == WB_TRAP_INTEGER_DIVISION_BY_ZERO);
  z.i32 = 1;
  OK(wb_typed_call(trap, &z, 1));
  CHECK(z.i32 == 1);
  wb_typed_func_t rec = typed(&r, "rec", I32, 1, I32, 1);
  EXPECT(wb_typed_call(rec, &z, 1), WB_ERR_TRAP, "");
  CHECK(wb_last_trap_code() == WB_TRAP_STACK_OVERFLOW);
  /* stale after its store is deleted; the kind is checked */
  OK(wb_store_delete(r.store));
  EXPECT(wb_typed_call(add, v, 2), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_typed_call((wb_typed_func_t){0}, v, 2), WB_ERR_INVALID_HANDLE, "null");
}

typedef struct small {
  wb_store_t store;
  wb_typed_func_t add;
} small_t;

static void *small_stack_call(void *arg) {
  small_t *sm = arg;
  OK(wb_store_adopt(sm->store));
  wb_raw_t v[2] = {{.i32 = 1}, {.i32 = 2}};
  wb_status_t st = wb_typed_call(sm->add, v, 2);
  OK(wb_store_release(sm->store));
  return (void *)(intptr_t)st;
}

/* a thread with 256 KiB of stack: refused before wasm could overflow it */
static void small_stack(void) {
  rig_t r = rig_new();
  small_t sm = {r.store, typed(&r, "add", I32x2, 2, I32, 1)};
  OK(wb_store_release(r.store));
  pthread_attr_t attr;
  pthread_t t;
  void *ret;
  CHECK(pthread_attr_init(&attr) == 0);
  CHECK(pthread_attr_setstacksize(&attr, 256 * 1024) == 0);
  CHECK(pthread_create(&t, &attr, small_stack_call, &sm) == 0);
  CHECK(pthread_join(t, &ret) == 0);
  pthread_attr_destroy(&attr);
  CHECK((wb_status_t)(intptr_t)ret == WB_ERR_NATIVE_STACK);
  OK(wb_store_adopt(r.store));
  OK(wb_store_delete(r.store));
}

/* Each typed handle carries its own store and context (the slot keeps
 * them: handles.h): calls that alternate between stores, and a store made
 * in the slots of a deleted one, each count in their own store. */
static int32_t bump(wb_typed_func_t t) {
  wb_raw_t v[1];
  OK(wb_typed_call(t, v, 1));
  return v[0].i32;
}

static void stores_of_their_own(void) {
  rig_t a = rig_new(), b = rig_new();
  wb_typed_func_t ta = typed(&a, "bump", NULL, 0, I32, 1), tb = typed(&b, "bump", NULL, 0, I32, 1);
  CHECK(bump(ta) == 1);
  CHECK(bump(ta) == 2);
  CHECK(bump(tb) == 1);
  CHECK(bump(ta) == 3);
  CHECK(bump(tb) == 2);
  OK(wb_store_delete(a.store));
  wb_raw_t v[1];
  EXPECT(wb_typed_call(ta, v, 1), WB_ERR_INVALID_HANDLE, "deleted");
  /* the freed slots are taken again first: by the new store, its instance,
   * its function and its typed handle */
  rig_t c = rig_new();
  wb_typed_func_t tc = typed(&c, "bump", NULL, 0, I32, 1);
  CHECK(tc.id != ta.id);
  CHECK(bump(tc) == 1);
  CHECK(bump(tb) == 3);
  CHECK(bump(tc) == 2);
  EXPECT(wb_typed_call(ta, v, 1), WB_ERR_INVALID_HANDLE, "");
  OK(wb_store_delete(c.store));
  OK(wb_store_delete(b.store));
}

static void fuel(void) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.consume_fuel = true;
  wb_engine_t e;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  wb_typed_func_t t;
  OK(wb_engine_new(&cfg, &e));
  wb_module_t m = compile_wat(e, wat);
  OK(wb_store_new(e, &s));
  OK(wb_store_set_fuel(s, 10000));
  OK(wb_instance_new(s, m, &inst));
  OK(wb_instance_get_func(inst, "spin", &f));
  OK(wb_func_typed(f, NULL, 0, NULL, 0, &t));
  EXPECT(wb_typed_call(t, NULL, 0), WB_ERR_OUT_OF_FUEL, "");
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
}

int main(void) {
  OK(wb_engine_new(NULL, &engine));
  module = compile_wat(engine, wat);
  results_of_every_shape();
  wrong_signatures();
  threads_handles_interrupts_traps();
  small_stack();
  fuel();
  stores_of_their_own();
  OK(wb_module_delete(module));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("typed");
}
