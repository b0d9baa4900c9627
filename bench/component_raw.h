/* The component cases of bench_raw.c: Wasmtime's component C API used as a
 * careful user would (results initialised, post-return after every call,
 * result values deleted). Included by bench_raw.c after its helpers. */
#include "component_bench.h"

static wasmtime_component_t *component_compile(wasm_engine_t *e, const char *text) {
  wasm_byte_vec_t bin;
  check(wasmtime_wat2wasm(text, strlen(text), &bin), 0, "wat2wasm");
  wasmtime_component_t *c = 0;
  check(wasmtime_component_new(e, (const uint8_t *)bin.data, bin.size, &c), 0, "component");
  wasm_byte_vec_delete(&bin);
  return c;
}

static wasmtime_component_func_t component_func(wasmtime_component_t *c, wasmtime_component_instance_t *inst,
                                                wasmtime_context_t *cx, const char *name) {
  wasmtime_component_export_index_t *index = wasmtime_component_get_export_index(c, 0, name, strlen(name));
  if (!index) DIE("no export %s", name);
  wasmtime_component_func_t f;
  if (!wasmtime_component_instance_get_func(inst, cx, index, &f)) DIE("no function %s", name);
  wasmtime_component_export_index_delete(index);
  return f;
}

static wasmtime_context_t *ccx, *c_run_cx;
static wasmtime_component_func_t c_add, c_echo, c_run;

static void setup_component_calls(void) {
  static int done;
  if (done) return;
  done = 1;
  wasmtime_component_t *c = component_compile(engine, WAT_COMP_CALC);
  wasmtime_component_linker_t *l = wasmtime_component_linker_new(engine);
  ccx = wasmtime_store_context(new_store(engine));
  wasmtime_component_instance_t inst;
  check(wasmtime_component_linker_instantiate(l, ccx, c, &inst), 0, "instantiate");
  c_add = component_func(c, &inst, ccx, "add");
  c_echo = component_func(c, &inst, ccx, "echo");
}

static uint64_t run_component_add(uint64_t iters) {
  wasmtime_component_val_t args[2], res;
  args[0].kind = args[1].kind = WASMTIME_COMPONENT_U32;
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    args[0].of.u32 = (uint32_t)i;
    args[1].of.u32 = 1;
    res.kind = WASMTIME_COMPONENT_BOOL; /* the call drops what the slot holds */
    wasmtime_error_t *err = wasmtime_component_func_call(&c_add, ccx, args, 2, &res, 1);
    if (__builtin_expect(err != 0, 0)) check(err, 0, "call");
    err = wasmtime_component_func_post_return(&c_add, ccx);
    if (__builtin_expect(err != 0, 0)) check(err, 0, "post-return");
    sum += res.of.u32;
  }
  uint64_t t = bench_now() - t0;
  bench_sink += sum;
  return t;
}

static uint64_t run_component_echo(uint64_t iters) {
  static char text[COMPONENT_ECHO_LEN];
  memset(text, 'e', sizeof text);
  wasmtime_component_val_t arg, res;
  arg.kind = WASMTIME_COMPONENT_STRING;
  wasm_byte_vec_new(&arg.of.string, sizeof text, text); /* made once: the call only reads it */
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    res.kind = WASMTIME_COMPONENT_BOOL;
    wasmtime_error_t *err = wasmtime_component_func_call(&c_echo, ccx, &arg, 1, &res, 1);
    if (__builtin_expect(err != 0, 0)) check(err, 0, "call");
    err = wasmtime_component_func_post_return(&c_echo, ccx);
    if (__builtin_expect(err != 0, 0)) check(err, 0, "post-return");
    sum += res.of.string.size;
    wasmtime_component_val_delete(&res);
  }
  uint64_t t = bench_now() - t0;
  wasmtime_component_val_delete(&arg);
  if (sum != iters * COMPONENT_ECHO_LEN) DIE("echo returned other strings");
  bench_sink += sum;
  return t;
}

static wasmtime_error_t *component_host_f(void *env, wasmtime_context_t *cx, const wasmtime_component_func_type_t *ty,
                                          wasmtime_component_val_t *args, size_t nargs,
                                          wasmtime_component_val_t *results, size_t nresults) {
  (void)env, (void)cx, (void)ty, (void)nargs, (void)nresults;
  results[0].kind = WASMTIME_COMPONENT_U32;
  results[0].of.u32 = args[0].of.u32 + 1;
  return 0;
}

static void setup_component_host(void) {
  wasmtime_component_t *c = component_compile(engine, WAT_COMP_HOST);
  wasmtime_component_linker_t *l = wasmtime_component_linker_new(engine);
  wasmtime_component_linker_instance_t *root = wasmtime_component_linker_root(l), *li;
  const char *iface = "ns:bench/host@1.0.0";
  check(wasmtime_component_linker_instance_add_instance(root, iface, strlen(iface), &li), 0, "add_instance");
  check(wasmtime_component_linker_instance_add_func(li, "f", 1, component_host_f, 0, 0), 0, "add_func");
  wasmtime_component_linker_instance_delete(li);
  wasmtime_component_linker_instance_delete(root);
  wasmtime_context_t *cx = wasmtime_store_context(new_store(engine));
  wasmtime_component_instance_t inst;
  check(wasmtime_component_linker_instantiate(l, cx, c, &inst), 0, "instantiate");
  c_run = component_func(c, &inst, cx, "run");

  c_run_cx = cx;
}

static uint64_t run_component_host(uint64_t iters) {
  wasmtime_component_val_t arg, res;
  arg.kind = WASMTIME_COMPONENT_U32;
  arg.of.u32 = (uint32_t)iters;
  res.kind = WASMTIME_COMPONENT_BOOL;
  uint64_t t0 = bench_now();
  wasmtime_error_t *err = wasmtime_component_func_call(&c_run, c_run_cx, &arg, 1, &res, 1);
  if (!err) err = wasmtime_component_func_post_return(&c_run, c_run_cx);
  uint64_t t = bench_now() - t0;
  check(err, 0, "run");
  if (res.of.u32 != (uint32_t)iters) DIE("run returned %u", res.of.u32);
  return t;
}

static wasmtime_component_t *c_inst, *c_inst_pooling;
static wasmtime_component_linker_t *c_inst_linker, *c_inst_pooling_linker;

static void setup_component_instantiate(void) {
  c_inst = component_compile(engine, WAT_COMP_INST);
  c_inst_linker = wasmtime_component_linker_new(engine);
}

static uint64_t instantiate_loop(wasm_engine_t *e, wasmtime_component_linker_t *l, wasmtime_component_t *c,
                                 uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wasmtime_store_t *s = new_store(e);
    wasmtime_component_instance_t inst;
    wasmtime_error_t *err = wasmtime_component_linker_instantiate(l, wasmtime_store_context(s), c, &inst);
    if (__builtin_expect(err != 0, 0)) check(err, 0, "instantiate");
    wasmtime_store_delete(s);
  }
  return bench_now() - t0;
}

static uint64_t run_component_instantiate(uint64_t iters) {
  return instantiate_loop(engine, c_inst_linker, c_inst, iters);
}

static void setup_component_instantiate_pooling(void) {
  if (!pooling_engine) pooling_engine = new_engine(1);
  c_inst_pooling = component_compile(pooling_engine, WAT_COMP_INST);
  c_inst_pooling_linker = wasmtime_component_linker_new(pooling_engine);
}

static uint64_t run_component_instantiate_pooling(uint64_t iters) {
  return instantiate_loop(pooling_engine, c_inst_pooling_linker, c_inst_pooling, iters);
}
