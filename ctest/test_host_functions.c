/* Host functions: every value kind, re-entrancy, failures, the caller handle
 * (guest strings read through it, bounds checked), store operations refused
 * from inside a callback, finalizers. */
#include "check.h"

static const char *wat =
    "(module\n"
    "  (import \"host\" \"echo\" (func $echo (param i32 i64 f32 f64 v128 funcref)\n"
    "                                    (result i32 i64 f32 f64 v128 funcref)))\n"
    "  (import \"host\" \"log\" (func $log (param i32 i32) (result i32)))\n"
    "  (import \"host\" \"reenter\" (func $reenter (param i32) (result i32)))\n"
    "  (import \"host\" \"fail\" (func $fail))\n"
    "  (import \"host\" \"silent_fail\" (func $silent_fail))\n"
    "  (import \"host\" \"bad_result\" (func $bad_result (result i32)))\n"
    "  (import \"host\" \"misuse\" (func $misuse (result i32)))\n"
    "  (import \"host\" \"cross\" (func $cross (result i32)))\n"
    "  (import \"host\" \"relay\" (func $relay))\n"
    "  (import \"host\" \"mix\" (func $mix (param i32 i64 f32 f64) (result f64 i64 f32 i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 16) \"hello, host\")\n"
    "  (elem declare func $twice)\n"
    "  (func $twice (export \"twice\") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)\n"
    "  (func (export \"call_echo\") (result i32 i64 f32 f64 v128 funcref)\n"
    "    i32.const -7 i64.const 1099511627776 f32.const 2.5 f64.const -0.5\n"
    "    v128.const i32x4 1 2 3 4 ref.func $twice call $echo)\n"
    "  (func (export \"log\") (param i32 i32) (result i32) local.get 0 local.get 1 call $log)\n"
    "  (func (export \"reenter\") (param i32) (result i32) local.get 0 call $reenter)\n"
    "  (func (export \"fail\") call $fail)\n"
    "  (func (export \"silent_fail\") call $silent_fail)\n"
    "  (func (export \"relay\") call $relay)\n"
    "  (func (export \"bad_result\") (result i32) call $bad_result)\n"
    "  (func (export \"misuse\") (result i32) call $misuse)\n"
    "  (func (export \"cross\") (result i32) call $cross i32.const 16 i32.const 5 call $log i32.add)\n"
    "  (func (export \"mix\") (param i32 i64 f32 f64) (result f64 i64 f32 i32)\n"
    "    local.get 0 local.get 1 local.get 2 local.get 3 call $mix))";

static char logged[64];
static wb_status_t inner_status;
static wb_caller_t saved_caller;
static int finalized;

static wb_status_t echo(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                        size_t nresults) {
  (void)env;
  (void)caller;
  CHECK(nargs == 6 && nresults == 6);
  CHECK(args[0].kind == WB_I32 && args[0].of.i32 == -7);
  CHECK(args[1].kind == WB_I64 && args[1].of.i64 == INT64_C(1099511627776));
  CHECK(args[2].kind == WB_F32 && args[2].of.f32 == 2.5f);
  CHECK(args[3].kind == WB_F64 && args[3].of.f64 == -0.5);
  CHECK(args[4].kind == WB_V128 && args[4].of.v128[0] == 1 && args[4].of.v128[12] == 4);
  CHECK(args[5].kind == WB_FUNCREF && args[5].of.funcref.id != 0);
  for (int i = 0; i < 6; i++) results[i] = args[i];
  results[0].of.i32 = 100;
  return WB_OK;
}

/* Reads the guest string (ptr, len) through the caller's memory. */
static wb_status_t log_string(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                              size_t nresults) {
  (void)env;
  (void)nargs;
  (void)nresults;
  wb_memory_t mem;
  wb_status_t st = wb_caller_get_memory(caller, "memory", &mem);
  if (st) return st;
  uint32_t ptr = (uint32_t)args[0].of.i32, len = (uint32_t)args[1].of.i32;
  if (len >= sizeof logged) return wb_set_error(WB_ERR_INVALID_ARGUMENT, "string too long");
  inner_status = wb_memory_read(mem, ptr, logged, len);
  if (inner_status) return inner_status; /* the guest traps with the reason */
  logged[len] = 0;
  saved_caller = caller;
  results[0] = val_i32((int32_t)len);
  return WB_OK;
}

/* Calls back into the same store's wasm: twice(arg) through the caller. */
static wb_status_t reenter(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                           size_t nresults) {
  (void)env;
  (void)nargs;
  (void)nresults;
  wb_func_t twice;
  wb_status_t st = wb_caller_get_func(caller, "twice", &twice);
  if (st) return st;
  wb_val_t r;
  st = wb_func_call(twice, args, 1, &r, 1);
  if (st) return st;
  results[0] = val_i32(r.of.i32 + 1);
  return WB_OK;
}

static wb_status_t fail(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                        size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  return wb_set_error(WB_ERR_TRAP, "the host says no");
}

static wb_status_t silent_fail(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                               size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  return WB_ERR_INTERNAL;
}

/* Fails with what a call into the guest it made returned (a nested host
 * function's failure without a message) and sets no message of its own:
 * the trap says what that call said. */
static wb_status_t relay(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                         size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)results, (void)nresults;
  wb_func_t f;
  wb_status_t st = wb_caller_get_func(caller, "silent_fail", &f);
  if (st) return st;
  return wb_func_call(f, NULL, 0, NULL, 0);
}

static wb_status_t bad_result(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                              size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)nresults;
  results[0] = val_i64(1); /* declared i32 */
  return WB_OK;
}

/* Store operations that a callback may not do to its own store. */
static wb_status_t misuse(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                          size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)nresults;
  wb_store_t store;
  OK(wb_caller_store(caller, &store));
  EXPECT(wb_store_delete(store), WB_ERR_BUSY, "inside one of its own calls");
  EXPECT(wb_store_release(store), WB_ERR_BUSY, "inside one of its own calls");
  wb_global_t g;
  EXPECT(wb_caller_get_global(caller, "memory", &g), WB_ERR_TYPE_MISMATCH, "is a memory");
  EXPECT(wb_caller_get_func(caller, "nope", (wb_func_t *)&g), WB_ERR_NOT_FOUND, "\"nope\"");
  EXPECT(wb_caller_get_memory(caller, NULL, (wb_memory_t *)&g), WB_ERR_INVALID_ARGUMENT, "NULL");
  results[0] = val_i32(1);
  return WB_OK;
}

/* Calls into another store's wasm (on this thread) from a callback; that
 * store's host function must see its own caller, and this one's caller (and
 * the next host call of this store's wasm) must still reach this store. */
static wb_func_t other_log;
static wb_status_t cross(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                         size_t nresults) {
  (void)env, (void)args, (void)nargs, (void)nresults;
  wb_val_t a[2] = {val_i32(16), val_i32(5)}, r;
  OK(wb_func_call(other_log, a, 2, &r, 1));
  CHECK(strcmp(logged, "HELLO") == 0); /* read through the other store's caller */
  wb_memory_t mem;
  char mine[6] = {0};
  OK(wb_caller_get_memory(caller, "memory", &mem));
  OK(wb_memory_read(mem, 16, mine, 5));
  CHECK(strcmp(mine, "hello") == 0); /* this store's memory, not the other's */
  results[0] = val_i32(7);
  return WB_OK;
}

/* Numbers of every width through the numeric trampoline: each result is
 * derived from one argument so that a value copied at the wrong width (or
 * into the wrong slot) shows. */
static wb_status_t mix(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                       size_t nresults) {
  (void)env, (void)caller;
  CHECK(nargs == 4 && nresults == 4);
  CHECK(args[0].kind == WB_I32 && args[1].kind == WB_I64 && args[2].kind == WB_F32 && args[3].kind == WB_F64);
  CHECK(results[0].kind == WB_F64 && results[1].kind == WB_I64 && results[2].kind == WB_F32 &&
        results[3].kind == WB_I32);
  results[0].of.f64 = args[3].of.f64 * 2;
  results[1].of.i64 = args[1].of.i64 - 1;
  results[2].of.f32 = -args[2].of.f32;
  results[3].of.i32 = args[0].of.i32 ^ INT32_MIN;
  return WB_OK;
}

static void finalize(void *env) { finalized += (int)(intptr_t)env; }

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  const wb_valkind_t all[6] = {WB_I32, WB_I64, WB_F32, WB_F64, WB_V128, WB_FUNCREF};
  const wb_valkind_t i32x2[2] = {WB_I32, WB_I32}, i32[1] = {WB_I32};
  OK(wb_linker_define_func(l, "host", "echo", all, 6, all, 6, echo, (void *)1, finalize));
  OK(wb_linker_define_func(l, "host", "log", i32x2, 2, i32, 1, log_string, (void *)10, finalize));
  OK(wb_linker_define_func(l, "host", "reenter", i32, 1, i32, 1, reenter, NULL, NULL));
  OK(wb_linker_define_func(l, "host", "fail", NULL, 0, NULL, 0, fail, NULL, NULL));
  OK(wb_linker_define_func(l, "host", "silent_fail", NULL, 0, NULL, 0, silent_fail, NULL, NULL));
  OK(wb_linker_define_func(l, "host", "relay", NULL, 0, NULL, 0, relay, NULL, NULL));
  OK(wb_linker_define_func(l, "host", "bad_result", NULL, 0, i32, 1, bad_result, NULL, NULL));
  OK(wb_linker_define_func(l, "host", "misuse", NULL, 0, i32, 1, misuse, NULL, NULL));
  OK(wb_linker_define_func(l, "host", "cross", NULL, 0, i32, 1, cross, NULL, NULL));
  const wb_valkind_t mix_params[4] = {WB_I32, WB_I64, WB_F32, WB_F64};
  const wb_valkind_t mix_results[4] = {WB_F64, WB_I64, WB_F32, WB_I32};
  OK(wb_linker_define_func(l, "host", "mix", mix_params, 4, mix_results, 4, mix, NULL, NULL));

  /* definition errors */
  const wb_valkind_t ext[1] = {WB_ANYREF}; /* Wasmtime 39's C API makes no host functions of anyref */
  EXPECT(wb_linker_define_func(l, "host", "x", ext, 1, NULL, 0, fail, NULL, NULL), WB_ERR_INVALID_ARGUMENT,
         "params[0]");
  EXPECT(wb_linker_define_func(l, "host", "x", NULL, 1, NULL, 0, fail, NULL, NULL), WB_ERR_INVALID_ARGUMENT, "NULL");
  EXPECT(wb_linker_define_func(l, "host", "x", NULL, 0, NULL, 0, NULL, NULL, NULL), WB_ERR_INVALID_ARGUMENT,
         "callback");
  EXPECT(wb_linker_define_func(l, NULL, "x", NULL, 0, NULL, 0, fail, NULL, NULL), WB_ERR_INVALID_ARGUMENT, "module");
  EXPECT(wb_linker_define_func(l, "host", "a\xc3", NULL, 0, NULL, 0, fail, NULL, NULL), WB_ERR_INVALID_ARGUMENT,
         "UTF-8");
  /* a refused definition still takes ownership of env */
  EXPECT(wb_linker_define_func(l, "host", NULL, NULL, 0, NULL, 0, fail, (void *)100, finalize),
         WB_ERR_INVALID_ARGUMENT, "name");
  CHECK(finalized == 100);
  EXPECT(wb_linker_define_func(l, "host", "fail", NULL, 0, NULL, 0, fail, (void *)1000, finalize), WB_ERR_LINK,
         "fail");
  CHECK(finalized == 1100);
  finalized = 0;

  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  OK(wb_linker_instantiate(l, s, m, &inst));

  /* every value kind through a host function */
  wb_val_t r[6];
  OK(wb_func_call(instance_func(inst, "call_echo"), NULL, 0, r, 6));
  CHECK(r[0].of.i32 == 100 && r[1].of.i64 == INT64_C(1099511627776) && r[2].of.f32 == 2.5f);
  CHECK(r[3].of.f64 == -0.5 && r[4].of.v128[4] == 2 && r[5].of.funcref.id == instance_func(inst, "twice").id);

  /* every numeric width through a host function */
  check_mix_call(instance_func(inst, "mix"));

  /* a guest string read through the caller */
  wb_val_t a[2] = {val_i32(16), val_i32(11)};
  OK(wb_func_call(instance_func(inst, "log"), a, 2, r, 1));
  CHECK(strcmp(logged, "hello, host") == 0 && r[0].of.i32 == 11);
  /* the caller is dead once its callback returned */
  wb_memory_t mem;
  EXPECT(wb_caller_get_memory(saved_caller, "memory", &mem), WB_ERR_INVALID_HANDLE, "after its host function returned");
  /* a guest pointer/length outside memory: out of bounds inside, a trap outside */
  a[0] = val_i32(65530);
  a[1] = val_i32(20);
  EXPECT(wb_func_call(instance_func(inst, "log"), a, 2, r, 1), WB_ERR_TRAP, "out of bounds");
  CHECK(inner_status == WB_ERR_OUT_OF_BOUNDS);
  CHECK(wb_last_trap_code() == WB_TRAP_HOST);
  a[0] = val_i32(-1);
  a[1] = val_i32(2);
  EXPECT(wb_func_call(instance_func(inst, "log"), a, 2, r, 1), WB_ERR_TRAP, "out of bounds");

  /* re-entrancy: host -> wasm -> host -> wasm */
  a[0] = val_i32(20);
  OK(wb_func_call(instance_func(inst, "reenter"), a, 1, r, 1));
  CHECK(r[0].of.i32 == 41);

  /* failures trap the guest with the callback's message; the store lives on */
  EXPECT(wb_func_call(instance_func(inst, "fail"), NULL, 0, NULL, 0), WB_ERR_TRAP, "the host says no");
  CHECK(strstr(wb_last_error(), "\"host\" \"fail\"") != NULL);
  CHECK(strstr(wb_last_error(), "wasm backtrace") != NULL);
  EXPECT(wb_func_call(instance_func(inst, "silent_fail"), NULL, 0, NULL, 0), WB_ERR_TRAP, "WB_ERR_INTERNAL (it set no message)");
  /* a failure of a call the callback made is its message, also when the
   * failure came from a nested callback without one; the next silent
   * failure has none again */
  EXPECT(wb_func_call(instance_func(inst, "relay"), NULL, 0, NULL, 0), WB_ERR_TRAP,
         "host function \"host\" \"relay\" failed with WB_ERR_TRAP: ");
  CHECK(strstr(wb_last_error(), "\"silent_fail\" failed with WB_ERR_INTERNAL (it set no message)") != NULL);
  CHECK(strstr(wb_last_error(), "\"relay\" failed with WB_ERR_TRAP (it set no message)") == NULL);
  EXPECT(wb_func_call(instance_func(inst, "silent_fail"), NULL, 0, NULL, 0), WB_ERR_TRAP,
         "WB_ERR_INTERNAL (it set no message)");
  /* the message names the result, not an argument */
  EXPECT(wb_func_call(instance_func(inst, "bad_result"), NULL, 0, r, 1), WB_ERR_TRAP,
         "the callback's result 0: expected i32, got i64");
  CHECK(strstr(wb_last_error(), "argument") == NULL);
  OK(wb_func_call(instance_func(inst, "misuse"), NULL, 0, r, 1));
  CHECK(r[0].of.i32 == 1);
  a[0] = val_i32(1);
  OK(wb_func_call(instance_func(inst, "reenter"), a, 1, r, 1));
  CHECK(r[0].of.i32 == 3);

  /* a second store shares the linker's host functions */
  wb_store_t s2, s3;
  OK(wb_store_new(e, &s2));
  OK(wb_linker_instantiate(l, s2, m, &inst));
  a[0] = val_i32(16);
  a[1] = val_i32(5);
  OK(wb_func_call(instance_func(inst, "log"), a, 2, r, 1));
  CHECK(strcmp(logged, "hello") == 0);

  /* a callback of one store calls into another store on the same thread:
   * each host function gets its own store's caller */
  wb_instance_t inst2 = inst;
  OK(wb_instance_get_memory(inst2, "memory", &mem));
  OK(wb_memory_write(mem, 16, "HELLO", 5));
  other_log = instance_func(inst2, "log");
  OK(wb_store_new(e, &s3));
  OK(wb_linker_instantiate(l, s3, m, &inst));
  OK(wb_func_call(instance_func(inst, "cross"), NULL, 0, r, 1));
  CHECK(r[0].of.i32 == 7 + 5 && strcmp(logged, "hello") == 0); /* the host call after it, back in this store */
  OK(wb_store_delete(s3));

  /* finalizers run once nothing holds the functions */
  OK(wb_linker_delete(l));
  EXPECT(wb_linker_delete(l), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_store_delete(s));
  CHECK(finalized == 0);
  OK(wb_store_delete(s2));
  CHECK(finalized == 11);

  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("host_functions");
}
