/* A memory that moves when it grows: a 64-bit memory grown past Wasmtime's
 * 4 GiB reservation is mapped anew elsewhere. wasmbound remembers a
 * memory's base between host accesses (dispatch/call.c, memory_base), so
 * every way a memory can grow must be noticed: growth from wasm seen by the
 * host afterwards, wb_memory_grow, growth from wasm seen by a host function
 * that wasm calls right after growing, and growth by the start function of
 * another instance that imports the memory. A stale base would write
 * into the old mapping, which is gone: the process would crash, or the
 * values below would not arrive. */
#include "check.h"

#define PAGE 65536ull
/* pages to add to a 1-page memory to pass 4 GiB */
#define PAST_4G 65536

static const char *wat =
    "(module\n"
    "  (import \"host\" \"poke\" (func $poke (param i64 i32)))\n"
    "  (memory $a (export \"a\") i64 1 70000)\n"
    "  (memory $b (export \"b\") i64 1 70000)\n"
    "  (memory $c (export \"c\") i64 1 70000)\n"
    "  (memory $d (export \"d\") i64 1 70000)\n"
    "  (func (export \"grow_a\") (param i64) (result i64) local.get 0 memory.grow $a)\n"
    "  (func (export \"load_a\") (param i64) (result i32) local.get 0 i32.load $a)\n"
    "  (func (export \"load_b\") (param i64) (result i32) local.get 0 i32.load $b)\n"
    "  (func (export \"store_b\") (param i64 i32) local.get 0 local.get 1 i32.store $b)\n"
    "  (func (export \"load_d\") (param i64) (result i32) local.get 0 i32.load $d)\n"
    /* grows c, has the host write into it at once, returns what is there */
    "  (func (export \"grow_c_and_poke\") (param i64 i32) (result i32)\n"
    "    (drop (memory.grow $c (i64.const 65536)))\n"
    "    (call $poke (local.get 0) (local.get 1))\n"
    "    (i32.load $c (local.get 0))))";

/* imports the first module's memory d and grows it past 4 GiB as it starts */
static const char *wat_grower =
    "(module (import \"first\" \"d\" (memory i64 1 70000))\n"
    "  (func $grow (drop (memory.grow (i64.const 65536))))\n"
    "  (start $grow))";

static wb_memory_t mem_c;

/* writes args[1] at offset args[0] of memory c, from inside a call */
static wb_status_t poke(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                        size_t nresults) {
  (void)env, (void)caller, (void)nargs, (void)results, (void)nresults;
  uint64_t size = 0;
  OK(wb_memory_size(mem_c, &size));
  CHECK(size > (4ull << 30)); /* wasm grew it before calling */
  int32_t v = args[1].of.i32;
  return wb_memory_write(mem_c, (uint64_t)args[0].of.i64, &v, sizeof v);
}

static wb_func_t func(wb_instance_t inst, const char *name) {
  wb_func_t f;
  OK(wb_instance_get_func(inst, name, &f));
  return f;
}

static int32_t load(wb_func_t f, uint64_t offset) {
  wb_val_t a = val_i64((int64_t)offset), r;
  OK(wb_func_call(f, &a, 1, &r, 1));
  CHECK(r.kind == WB_I32);
  return r.of.i32;
}

int main(void) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.wasm_memory64 = true;
  wb_engine_t e;
  OK(wb_engine_new(&cfg, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  wb_valkind_t poke_params[2] = {WB_I64, WB_I32};
  OK(wb_linker_define_func(l, "host", "poke", poke_params, 2, NULL, 0, poke, NULL, NULL));
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_instance_t inst;
  OK(wb_linker_instantiate(l, s, m, &inst));
  wb_memory_t a, b;
  OK(wb_instance_get_memory(inst, "a", &a));
  OK(wb_instance_get_memory(inst, "b", &b));
  OK(wb_instance_get_memory(inst, "c", &mem_c));
  int32_t v;
  uint64_t prev = 0, size = 0;

  /* growth from wasm, seen by the host afterwards */
  v = 0x0A0A0A0A;
  OK(wb_memory_write(a, 100, &v, sizeof v)); /* the base is remembered now */
  wb_val_t pages = val_i64(PAST_4G), r;
  OK(wb_func_call(func(inst, "grow_a"), &pages, 1, &r, 1));
  CHECK(r.of.i64 == 1);
  v = 0x1A1A1A1A;
  OK(wb_memory_write(a, 100, &v, sizeof v));
  CHECK(load(func(inst, "load_a"), 100) == 0x1A1A1A1A);
  v = 0x2A2A2A2A;
  OK(wb_memory_write(a, (PAST_4G + 1) * PAGE - 4, &v, sizeof v)); /* the last bytes */
  CHECK(load(func(inst, "load_a"), (PAST_4G + 1) * PAGE - 4) == 0x2A2A2A2A);

  /* wb_memory_grow */
  int32_t back = 0;
  v = 0x0B0B0B0B;
  OK(wb_memory_write(b, 200, &v, sizeof v));
  OK(wb_memory_read(b, 200, &back, sizeof back));
  CHECK(back == v);
  OK(wb_memory_grow(b, PAST_4G, &prev));
  CHECK(prev == 1);
  OK(wb_memory_read(b, 200, &back, sizeof back)); /* the contents moved along */
  CHECK(back == 0x0B0B0B0B);
  v = 0x1B1B1B1B;
  OK(wb_memory_write(b, 200, &v, sizeof v));
  CHECK(load(func(inst, "load_b"), 200) == 0x1B1B1B1B);
  wb_val_t st[2] = {val_i64(300), val_i32(0x2B2B2B2B)};
  OK(wb_func_call(func(inst, "store_b"), st, 2, NULL, 0));
  OK(wb_memory_read(b, 300, &back, sizeof back));
  CHECK(back == 0x2B2B2B2B);

  /* growth from wasm, seen by a host function wasm calls right after */
  v = 0x0C0C0C0C;
  OK(wb_memory_write(mem_c, 400, &v, sizeof v));
  wb_val_t args[2] = {val_i64(400), val_i32(0x1C1C1C1C)};
  OK(wb_func_call(func(inst, "grow_c_and_poke"), args, 2, &r, 1));
  CHECK(r.of.i32 == 0x1C1C1C1C);
  OK(wb_memory_read(mem_c, 400, &back, sizeof back)); /* and the host after the call */
  CHECK(back == 0x1C1C1C1C);
  OK(wb_memory_size(mem_c, &size));
  CHECK(size == (PAST_4G + 1) * PAGE);

  /* growth by another instance's start function */
  wb_memory_t d;
  OK(wb_instance_get_memory(inst, "d", &d));
  v = 0x0D0D0D0D;
  OK(wb_memory_write(d, 500, &v, sizeof v));
  wb_module_t grower = compile_wat(e, wat_grower);
  OK(wb_linker_define_instance(l, "first", inst));
  wb_instance_t grown;
  OK(wb_linker_instantiate(l, s, grower, &grown));
  OK(wb_memory_size(d, &size));
  CHECK(size == (PAST_4G + 1) * PAGE);
  OK(wb_memory_read(d, 500, &back, sizeof back));
  CHECK(back == 0x0D0D0D0D);
  v = 0x1D1D1D1D;
  OK(wb_memory_write(d, 500, &v, sizeof v));
  CHECK(load(func(inst, "load_d"), 500) == 0x1D1D1D1D);
  v = 0x2D2D2D2D;
  OK(wb_memory_write(d, (PAST_4G + 1) * PAGE - 4, &v, sizeof v));
  CHECK(load(func(inst, "load_d"), (PAST_4G + 1) * PAGE - 4) == 0x2D2D2D2D);

  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(grower));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("memory_moves");
}
