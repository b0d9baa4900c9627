/* Every trap kind core wasm can raise gives WB_ERR_TRAP with its code and a
 * wasm backtrace, and leaves the store usable; so do the GC proposal's traps
 * on an engine with wasm_gc. Fuel exhaustion gives WB_ERR_OUT_OF_FUEL, WASI
 * proc_exit(n != 0) WB_ERR_EXIT with the code, and the store stays usable
 * after each. (ALWAYS_TRAP_ADAPTER, CANNOT_ENTER_COMPONENT, NO_ASYNC_RESULT
 * and DISABLED_OPCODE come only from components or disabled features, which
 * wasmbound does not run.) */
#include "check.h"

static const char *wat =
    "(module\n"
    "  (type $ii (func (param i32) (result i32)))\n"
    "  (type $v (func))\n"
    "  (memory 1)\n"
    "  (table 2 funcref)\n"
    "  (elem (i32.const 0) $nop)\n"
    "  (func $nop)\n"
    "  (func $inner (export \"unreachable\") unreachable)\n"
    "  (func (export \"nested\") call $inner)\n"
    "  (func (export \"oob\") (result i32) i32.const 70000 i32.load)\n"
    "  (func $rec (export \"recurse\") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $rec)\n"
    "  (func (export \"div\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)\n"
    "  (func (export \"bad_sig\") (result i32) i32.const 5 i32.const 0 call_indirect (type $ii))\n"
    "  (func (export \"null_call\") i32.const 1 call_indirect (type $v))\n"
    "  (func (export \"trunc\") (result i32) f32.const nan i32.trunc_f32_s)\n"
    "  (func (export \"table_oob\") i32.const 5 call_indirect (type $v))\n"
    "  (func (export \"misaligned\") (result i32) i32.const 1 i32.atomic.load)\n"
    "  (func (export \"wait_unshared\") (result i32)\n"
    "    i32.const 0 i32.const 0 i64.const -1 memory.atomic.wait32)\n"
    "  (func (export \"spin\") (param i32) (result i32)\n"
    "    (loop $l local.get 0 i32.const 1 i32.sub local.tee 0 br_if $l) local.get 0)\n"
    "  (func (export \"ok\") (result i32) i32.const 7))";

static wb_instance_t inst;

static void expect_trap(const char *name, const wb_val_t *args, size_t nargs, size_t nresults, wb_trap_code_t code) {
  wb_func_t f, ok;
  wb_val_t r[1];
  OK(wb_instance_get_func(inst, name, &f));
  EXPECT(wb_func_call(f, args, nargs, r, nresults), WB_ERR_TRAP, "wasm backtrace");
  if (wb_last_trap_code() != code) {
    fprintf(stderr, "%s: trap code %d, expected %d (%s)\n", name, wb_last_trap_code(), code, wb_last_error());
    exit(1);
  }
  /* the store stays usable */
  OK(wb_instance_get_func(inst, "ok", &ok));
  OK(wb_func_call(ok, NULL, 0, r, 1));
  CHECK(r[0].of.i32 == 7);
  CHECK(wb_last_trap_code() == code); /* success does not clear the last error */
}

/* The GC proposal's traps, on an engine that has it. */
static void gc_traps(void) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.wasm_gc = true;
  wb_engine_t e;
  OK(wb_engine_new(&cfg, &e));
  wb_module_t m = compile_wat(e,
      "(module\n"
      "  (type $arr (array (mut i32)))\n"
      "  (type $pt (struct (field i32)))\n"
      "  (type $other (struct (field i64)))\n"
      "  (func (export \"array_oob\") (result i32)\n"
      "    i32.const 2 array.new_default $arr i32.const 5 array.get $arr)\n"
      "  (func (export \"null_ref\") (result i32) ref.null $pt struct.get $pt 0)\n"
      "  (func (export \"too_large\") (result i32)\n"
      "    i32.const -1 array.new_default $arr array.len)\n"
      "  (func (export \"cast\") (result i32)\n"
      "    i32.const 1 struct.new $pt ref.cast (ref $other) drop i32.const 0)\n"
      "  (func (export \"ok\") (result i32) i32.const 7))");
  wb_store_t s;
  OK(wb_store_new(e, &s));
  OK(wb_instance_new(s, m, &inst));
  expect_trap("array_oob", NULL, 0, 1, WB_TRAP_ARRAY_OUT_OF_BOUNDS);
  expect_trap("null_ref", NULL, 0, 1, WB_TRAP_NULL_REFERENCE);
  expect_trap("too_large", NULL, 0, 1, WB_TRAP_ALLOCATION_TOO_LARGE);
  expect_trap("cast", NULL, 0, 1, WB_TRAP_CAST_FAILURE);
  OK(wb_store_delete(s));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
}

/* WASI proc_exit: a non-zero code is WB_ERR_EXIT with the code readable,
 * zero is success; the store stays usable after both. */
static void wasi_exit(wb_engine_t e) {
  wb_module_t m = compile_wat(e,
      "(module\n"
      "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
      "  (memory (export \"memory\") 1)\n"
      "  (func (export \"exit\") (param i32) local.get 0 call $exit)\n"
      "  (func (export \"ok\") (result i32) i32.const 7))");
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_wasi(l));
  wb_wasi_config_t wc;
  OK(wb_wasi_config_new(&wc));
  wb_store_t s;
  OK(wb_store_new(e, &s));
  OK(wb_store_set_wasi(s, wc));
  OK(wb_linker_instantiate(l, s, m, &inst));
  wb_func_t ex, ok;
  OK(wb_instance_get_func(inst, "exit", &ex));
  OK(wb_instance_get_func(inst, "ok", &ok));
  wb_val_t code = val_i32(3), r;
  EXPECT(wb_func_call(ex, &code, 1, NULL, 0), WB_ERR_EXIT, "3");
  CHECK(wb_last_exit_code() == 3);
  OK(wb_func_call(ok, NULL, 0, &r, 1));
  CHECK(r.of.i32 == 7);
  code = val_i32(0);
  OK(wb_func_call(ex, &code, 1, NULL, 0));
  CHECK(wb_last_exit_code() == 0);
  OK(wb_func_call(ok, NULL, 0, &r, 1));
  OK(wb_store_delete(s));
  OK(wb_wasi_config_delete(wc));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_store_t s;
  OK(wb_store_new(e, &s));
  OK(wb_instance_new(s, m, &inst));

  expect_trap("unreachable", NULL, 0, 0, WB_TRAP_UNREACHABLE);
  CHECK(strstr(wb_last_error(), "unreachable") != NULL);
  expect_trap("nested", NULL, 0, 0, WB_TRAP_UNREACHABLE);
  CHECK(strstr(wb_last_error(), "1:") != NULL); /* two frames in the backtrace */
  CHECK(strstr(wb_last_error(), "Stack backtrace") == NULL); /* no native Rust noise */
  expect_trap("oob", NULL, 0, 1, WB_TRAP_MEMORY_OUT_OF_BOUNDS);
  wb_val_t one = val_i32(1);
  expect_trap("recurse", &one, 1, 1, WB_TRAP_STACK_OVERFLOW);
  wb_val_t d[2] = {val_i32(1), val_i32(0)};
  expect_trap("div", d, 2, 1, WB_TRAP_INTEGER_DIVISION_BY_ZERO);
  d[0] = val_i32(INT32_MIN);
  d[1] = val_i32(-1);
  expect_trap("div", d, 2, 1, WB_TRAP_INTEGER_OVERFLOW);
  expect_trap("bad_sig", NULL, 0, 1, WB_TRAP_BAD_SIGNATURE);
  expect_trap("null_call", NULL, 0, 0, WB_TRAP_INDIRECT_CALL_TO_NULL);
  expect_trap("trunc", NULL, 0, 1, WB_TRAP_BAD_CONVERSION_TO_INTEGER);
  expect_trap("table_oob", NULL, 0, 0, WB_TRAP_TABLE_OUT_OF_BOUNDS);
  expect_trap("misaligned", NULL, 0, 1, WB_TRAP_HEAP_MISALIGNED);
  expect_trap("wait_unshared", NULL, 0, 1, WB_TRAP_ATOMIC_WAIT_NON_SHARED_MEMORY);

  wb_stats_t st = WB_STATS_INIT;
  OK(wb_stats_get(&st));
  CHECK(st.traps >= 12);

  /* fuel on an engine without it */
  uint64_t fuel = 0;
  EXPECT(wb_store_set_fuel(s, 100), WB_ERR_INVALID_ARGUMENT, "consume_fuel");
  EXPECT(wb_store_get_fuel(s, &fuel), WB_ERR_INVALID_ARGUMENT, "consume_fuel");
  OK(wb_store_delete(s));

  /* fuel: set, spend, run out, refill */
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.consume_fuel = true;
  wb_engine_t fe;
  OK(wb_engine_new(&cfg, &fe));
  wb_module_t fm = compile_wat(fe, wat);
  OK(wb_store_new(fe, &s));
  OK(wb_store_set_fuel(s, 1000000));
  OK(wb_instance_new(s, fm, &inst));
  wb_func_t spin;
  OK(wb_instance_get_func(inst, "spin", &spin));
  wb_val_t n = val_i32(1000), r;
  OK(wb_func_call(spin, &n, 1, &r, 1));
  OK(wb_store_get_fuel(s, &fuel));
  CHECK(fuel < 1000000 && fuel > 0);
  EXPECT(wb_store_get_fuel(s, NULL), WB_ERR_INVALID_ARGUMENT, "NULL");
  n = val_i32(100000000);
  EXPECT(wb_func_call(spin, &n, 1, &r, 1), WB_ERR_OUT_OF_FUEL, "");
  CHECK(wb_last_trap_code() == WB_TRAP_OUT_OF_FUEL);
  OK(wb_store_set_fuel(s, 1000000));
  n = val_i32(10);
  OK(wb_func_call(spin, &n, 1, &r, 1));
  CHECK(r.of.i32 == 0);
  OK(wb_store_delete(s));
  OK(wb_module_delete(fm));
  OK(wb_engine_delete(fe));

  gc_traps();
  wasi_exit(e);

  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("traps");
}
