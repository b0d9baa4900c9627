/* Typed host functions (wb_linker_define_func_typed): every number width
 * and v128 in place, the caller handle (alive during its callback only,
 * one per callback, at every nesting level), failures as traps with the
 * callback's message, the kinds checked at definition and by Wasmtime at
 * instantiation, finalizers, and the thread rule through a template used
 * on another thread. */
#include <pthread.h>

#include "check.h"

static const char *wat =
    "(module\n"
    "  (import \"host\" \"mix\" (func $mix (param i32 i64 f32 f64) (result f64 i64 f32 i32)))\n"
    "  (import \"host\" \"vec\" (func $vec (param v128) (result v128)))\n"
    "  (import \"host\" \"inc\" (func $inc (param i32) (result i32)))\n"
    "  (import \"host\" \"peek\" (func $peek (param i32) (result i32)))\n"
    "  (import \"host\" \"nest\" (func $nest (param i32) (result i32)))\n"
    "  (import \"host\" \"fail\" (func $fail))\n"
    "  (import \"host\" \"silent_fail\" (func $silent_fail))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 16) \"\\2a\")\n"
    "  (func (export \"mix\") (param i32 i64 f32 f64) (result f64 i64 f32 i32)\n"
    "    local.get 0 local.get 1 local.get 2 local.get 3 call $mix)\n"
    "  (func (export \"vec\") (result i32)\n"
    "    v128.const i32x4 1 2 3 4 call $vec i32x4.extract_lane 3)\n"
    "  (func (export \"loop\") (param i32) (result i32) (local i32)\n"
    "    (block (loop (br_if 1 (i32.eqz (local.get 0)))\n"
    "      (local.set 1 (call $inc (local.get 1)))\n"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))\n"
    "    local.get 1)\n"
    "  (func (export \"peek\") (param i32) (result i32) local.get 0 call $peek)\n"
    "  (func (export \"nest\") (param i32) (result i32) local.get 0 call $nest)\n"
    "  (func (export \"fail\") call $fail)\n"
    "  (func (export \"silent_fail\") call $silent_fail))";

/* the other import shape, for the type check at instantiation */
static const char *wrong_wat = "(module (import \"host\" \"inc\" (func (param i64) (result i64))))";

static int finalized;
static wb_caller_t saved_caller;
static wb_caller_t seen[4];
static size_t nseen;
static wb_func_t nest_fn; /* the guest's "nest", called back from inside the host's */

static wb_status_t mix(void *env, wb_caller_t caller, wb_raw_t *v, size_t n) {
  (void)env;
  (void)caller;
  CHECK(n == 4);
  int32_t a = v[0].i32;
  int64_t b = v[1].i64;
  float c = v[2].f32;
  double d = v[3].f64;
  v[0].f64 = d * 2;
  v[1].i64 = b - 1;
  v[2].f32 = -c;
  v[3].i32 = a ^ INT32_MIN;
  return WB_OK;
}

static wb_status_t vec(void *env, wb_caller_t caller, wb_raw_t *v, size_t n) {
  (void)env;
  (void)caller;
  CHECK(n == 1 && v[0].v128[0] == 1 && v[0].v128[12] == 4);
  v[0].v128[12] = 40; /* lane 3 becomes 40 */
  return WB_OK;
}

static wb_status_t inc(void *env, wb_caller_t caller, wb_raw_t *v, size_t n) {
  (void)env;
  (void)n;
  if (nseen < 4) seen[nseen++] = caller;
  v[0].i32 += 1;
  return WB_OK;
}

/* Reads a byte of the guest's memory through the caller. */
static wb_status_t peek(void *env, wb_caller_t caller, wb_raw_t *v, size_t n) {
  (void)env;
  (void)n;
  saved_caller = caller;
  wb_memory_t mem;
  wb_store_t st;
  OK(wb_caller_store(caller, &st));
  OK(wb_caller_get_memory(caller, "memory", &mem));
  uint8_t byte = 0;
  wb_status_t s = wb_memory_read(mem, (uint64_t)(uint32_t)v[0].i32, &byte, 1);
  if (s != WB_OK) return s; /* out of bounds: the guest traps with the message */
  v[0].i32 = byte;
  return WB_OK;
}

/* Calls back into the guest (a level deeper) while its own caller stays
 * valid; the nested callback's caller is another handle. */
static wb_status_t nest(void *env, wb_caller_t caller, wb_raw_t *v, size_t n) {
  (void)env;
  (void)n;
  if (v[0].i32 == 0) {
    saved_caller = caller;
    return WB_OK;
  }
  wb_val_t arg = val_i32(v[0].i32 - 1), res;
  OK(wb_func_call(nest_fn, &arg, 1, &res, 1));
  wb_caller_t inner = saved_caller;
  CHECK(inner.id != caller.id);
  /* the inner callback returned: its caller is dead, this one lives */
  wb_memory_t mem;
  EXPECT(wb_caller_get_memory(inner, "memory", &mem), WB_ERR_INVALID_HANDLE, "after its host function returned");
  OK(wb_caller_get_memory(caller, "memory", &mem));
  v[0].i32 = res.of.i32 + 10;
  return WB_OK;
}

static wb_status_t fail(void *env, wb_caller_t caller, wb_raw_t *v, size_t n) {
  (void)env;
  (void)caller;
  (void)v;
  CHECK(n == 0); /* a function without values gets none */
  return wb_set_error(WB_ERR_INTERNAL, "the typed host says no");
}

static wb_status_t silent_fail(void *env, wb_caller_t caller, wb_raw_t *v, size_t n) {
  (void)env;
  (void)caller;
  (void)v;
  (void)n;
  return WB_ERR_INTERNAL;
}

static void finalize(void *env) { finalized += (int)(intptr_t)env; }

static int32_t call_i32(wb_instance_t i, const char *name, int32_t arg) {
  wb_val_t a = val_i32(arg), r;
  OK(wb_func_call(instance_func(i, name), &a, 1, &r, 1));
  CHECK(r.kind == WB_I32);
  return r.of.i32;
}

/* A template with typed host functions, instantiated and called on
 * another thread: the callbacks run there, in that thread's store. */
static wb_template_t shared_template;
static wb_engine_t shared_engine;
static void *other_thread(void *arg) {
  (void)arg;
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(shared_engine, &s));
  OK(wb_template_instantiate(shared_template, s, &inst));
  CHECK(call_i32(inst, "loop", 1000) == 1000);
  CHECK(call_i32(inst, "peek", 16) == 42);
  OK(wb_store_delete(s));
  return NULL;
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  const wb_valkind_t mix_params[4] = {WB_I32, WB_I64, WB_F32, WB_F64};
  const wb_valkind_t mix_results[4] = {WB_F64, WB_I64, WB_F32, WB_I32};
  const wb_valkind_t i32[1] = {WB_I32}, v128[1] = {WB_V128};
  OK(wb_linker_define_func_typed(l, "host", "mix", mix_params, 4, mix_results, 4, mix, (void *)1, finalize));
  OK(wb_linker_define_func_typed(l, "host", "vec", v128, 1, v128, 1, vec, NULL, NULL));
  OK(wb_linker_define_func_typed(l, "host", "inc", i32, 1, i32, 1, inc, (void *)10, finalize));
  OK(wb_linker_define_func_typed(l, "host", "peek", i32, 1, i32, 1, peek, NULL, NULL));
  OK(wb_linker_define_func_typed(l, "host", "nest", i32, 1, i32, 1, nest, NULL, NULL));
  OK(wb_linker_define_func_typed(l, "host", "fail", NULL, 0, NULL, 0, fail, NULL, NULL));
  OK(wb_linker_define_func_typed(l, "host", "silent_fail", NULL, 0, NULL, 0, silent_fail, NULL, NULL));

  /* definition errors: references are the general host functions' */
  const wb_valkind_t ext[1] = {WB_EXTERNREF}, fref[1] = {WB_FUNCREF};
  EXPECT(wb_linker_define_func_typed(l, "host", "x", ext, 1, NULL, 0, inc, NULL, NULL), WB_ERR_INVALID_ARGUMENT,
         "params[0] is WB_EXTERNREF: a typed host function takes and returns numbers and v128 only");
  EXPECT(wb_linker_define_func_typed(l, "host", "x", i32, 1, fref, 1, inc, (void *)100, finalize),
         WB_ERR_INVALID_ARGUMENT, "results[0] is WB_FUNCREF");
  CHECK(finalized == 100); /* a refused definition still takes ownership of env */
  EXPECT(wb_linker_define_func_typed(l, "host", "x", NULL, 0, NULL, 0, NULL, NULL, NULL), WB_ERR_INVALID_ARGUMENT,
         "callback");
  EXPECT(wb_linker_define_func_typed(l, "host", "inc", i32, 1, i32, 1, inc, (void *)1000, finalize), WB_ERR_LINK,
         "inc");
  CHECK(finalized == 1100);
  finalized = 0;

  /* Wasmtime checks the import's type at instantiation */
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  wb_module_t wrong = compile_wat(e, wrong_wat);
  EXPECT(wb_linker_instantiate(l, s, wrong, &inst), WB_ERR_LINK, "inc");
  OK(wb_module_delete(wrong));
  OK(wb_linker_instantiate(l, s, m, &inst));

  /* every number width, in place */
  check_mix_call(instance_func(inst, "mix"));
  /* and a vector */
  wb_val_t r;
  OK(wb_func_call(instance_func(inst, "vec"), NULL, 0, &r, 1));
  CHECK(r.kind == WB_I32 && r.of.i32 == 40);

  /* many calls: each callback gets a caller handle of its own */
  CHECK(call_i32(inst, "loop", 100000) == 100000);
  CHECK(nseen == 4);
  for (size_t i = 1; i < nseen; i++) CHECK(seen[i].id != seen[i - 1].id);
  wb_store_t owner;
  EXPECT(wb_caller_store(seen[0], &owner), WB_ERR_INVALID_HANDLE, "after its host function returned");

  /* the caller reaches the calling instance, during its callback only */
  CHECK(call_i32(inst, "peek", 16) == 42);
  wb_memory_t mem;
  EXPECT(wb_caller_get_memory(saved_caller, "memory", &mem), WB_ERR_INVALID_HANDLE,
         "after its host function returned");
  /* a failure inside the callback becomes a trap with its message */
  wb_val_t a = val_i32(70000);
  EXPECT(wb_func_call(instance_func(inst, "peek"), &a, 1, &r, 1), WB_ERR_TRAP, "out of bounds");
  CHECK(wb_last_trap_code() == WB_TRAP_HOST);
  CHECK(strstr(wb_last_error(), "\"host\" \"peek\"") != NULL);

  /* nesting: host -> wasm -> host (a level deeper) -> wasm -> host */
  nest_fn = instance_func(inst, "nest");
  CHECK(call_i32(inst, "nest", 3) == 30);
  CHECK(call_i32(inst, "nest", 1) == 10);

  /* failures trap the guest; the store lives on */
  EXPECT(wb_func_call(instance_func(inst, "fail"), NULL, 0, NULL, 0), WB_ERR_TRAP, "the typed host says no");
  CHECK(strstr(wb_last_error(), "\"host\" \"fail\"") != NULL);
  EXPECT(wb_func_call(instance_func(inst, "silent_fail"), NULL, 0, NULL, 0), WB_ERR_TRAP,
         "WB_ERR_INTERNAL (it set no message)");
  CHECK(call_i32(inst, "loop", 3) == 3);

  /* a typed function called from wasm through wb_typed_call, too */
  wb_typed_func_t typed_loop;
  OK(wb_func_typed(instance_func(inst, "loop"), i32, 1, i32, 1, &typed_loop));
  wb_raw_t raw[1] = {{.i32 = 7}};
  OK(wb_typed_call(typed_loop, raw, 1));
  CHECK(raw[0].i32 == 7);

  /* a template carries them to another thread's store */
  OK(wb_template_new(l, m, &shared_template));
  shared_engine = e;
  pthread_t t;
  CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);

  /* a store deleted with caller slots in use by its levels: a caller
   * handle of it stays dead (its slot may go to another store's caller) */
  wb_caller_t old = saved_caller;
  OK(wb_store_delete(s));
  wb_store_t s2;
  OK(wb_store_new(e, &s2));
  OK(wb_linker_instantiate(l, s2, m, &inst));
  nest_fn = instance_func(inst, "nest");
  CHECK(call_i32(inst, "nest", 2) == 20);
  EXPECT(wb_caller_store(old, &owner), WB_ERR_INVALID_HANDLE, "");

  /* finalizers run once nothing holds the functions */
  OK(wb_linker_delete(l));
  OK(wb_template_delete(shared_template));
  CHECK(finalized == 0);
  OK(wb_store_delete(s2));
  CHECK(finalized == 11);

  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("host_typed");
}
