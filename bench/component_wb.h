/* The component cases of bench_wasmbound.c, through the public API only:
 * templates made once, function handles by index, values borrowed, results
 * disposed (a scalar result holds nothing). Included after its helpers. */
#include "component_bench.h"

static wb_component_t component_compile(wb_engine_t e, const char *text) {
  wb_component_t c;
  OK(wb_component_new(e, (const uint8_t *)text, strlen(text), &c));
  return c;
}

/* A template of text (no imports, or the host function f) and one instance
 * of it in a store of its own. */
static wb_component_template_t component_template(wb_engine_t e, const char *text, wb_component_host_callback_t f) {
  wb_component_t c = component_compile(e, text);
  wb_component_linker_t l;
  wb_component_template_t t;
  OK(wb_component_linker_new(e, &l));
  if (f) OK(wb_component_linker_define_func(l, "ns:bench/host@1.0.0", "f", f, NULL, NULL));
  OK(wb_component_template_new(l, c, &t));
  OK(wb_component_linker_delete(l));
  OK(wb_component_delete(c));
  return t;
}

static wb_component_func_t component_func(wb_component_template_t t, wb_component_instance_t inst, const char *name) {
  uint32_t index;
  wb_component_func_t f;
  OK(wb_component_template_func_index(t, name, &index));
  OK(wb_component_instance_func(inst, index, &f));
  return f;
}

static wb_component_func_t c_add, c_echo, c_run;

static void setup_component_calls(void) {
  static int done;
  if (done) return;
  done = 1;
  wb_component_template_t t = component_template(engine, WAT_COMP_CALC, NULL);
  wb_store_t s;
  wb_component_instance_t inst;
  OK(wb_store_new(engine, &s));
  OK(wb_component_template_instantiate(t, s, &inst));
  c_add = component_func(t, inst, "add");
  c_echo = component_func(t, inst, "echo");
}

static uint64_t run_component_add(uint64_t iters) {
  wb_cval_t args[2] = {wb_cval_u32(0), wb_cval_u32(1)};
  wb_cresult_t res = WB_CRESULT_INIT;
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    args[0].of.u32 = (uint32_t)i;
    args[1].of.u32 = 1;
    wb_status_t st = wb_component_func_call(c_add, args, 2, &res);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_component_func_call: %s", wb_last_error());
    sum += res.value.of.u32;
  }
  uint64_t t = bench_now() - t0;
  bench_sink += sum;
  return t;
}

static uint64_t run_component_echo(uint64_t iters) {
  static char text[COMPONENT_ECHO_LEN];
  memset(text, 'e', sizeof text);
  wb_cval_t arg = wb_cval_string_n(text, sizeof text); /* borrowed for each call */
  wb_cresult_t res = WB_CRESULT_INIT;
  uint64_t sum = 0, t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_status_t st = wb_component_func_call(c_echo, &arg, 1, &res);
    if (__builtin_expect(st != WB_OK, 0)) DIE("wb_component_func_call: %s", wb_last_error());
    sum += res.value.of.str.len;
    wb_cresult_dispose(&res);
  }
  uint64_t t = bench_now() - t0;
  if (sum != iters * COMPONENT_ECHO_LEN) DIE("echo returned other strings");
  bench_sink += sum;
  return t;
}

static wb_status_t component_host_f(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)s, (void)nargs;
  *result = wb_cval_u32(args[0].of.u32 + 1);
  return WB_OK;
}

static void setup_component_host(void) {
  wb_component_template_t t = component_template(engine, WAT_COMP_HOST, component_host_f);
  wb_store_t s;
  wb_component_instance_t inst;
  OK(wb_store_new(engine, &s));
  OK(wb_component_template_instantiate(t, s, &inst));
  c_run = component_func(t, inst, "run");
}

static uint64_t run_component_host(uint64_t iters) {
  wb_cval_t arg = wb_cval_u32((uint32_t)iters);
  wb_cresult_t res = WB_CRESULT_INIT;
  uint64_t t0 = bench_now();
  wb_status_t st = wb_component_func_call(c_run, &arg, 1, &res);
  uint64_t t = bench_now() - t0;
  if (st != WB_OK) DIE("run: %s", wb_last_error());
  if (res.value.of.u32 != (uint32_t)iters) DIE("run returned %u", res.value.of.u32);
  return t;
}

static wb_component_template_t c_inst, c_inst_pooling;

static void setup_component_instantiate(void) { c_inst = component_template(engine, WAT_COMP_INST, NULL); }

static uint64_t instantiate_loop(wb_engine_t e, wb_component_template_t t, uint64_t iters) {
  uint64_t t0 = bench_now();
  for (uint64_t i = 0; i < iters; i++) {
    wb_store_t s;
    wb_component_instance_t inst;
    OK(wb_store_new(e, &s));
    wb_status_t st = wb_component_template_instantiate(t, s, &inst);
    if (__builtin_expect(st != WB_OK, 0)) DIE("instantiate: %s", wb_last_error());
    OK(wb_store_delete(s));
  }
  return bench_now() - t0;
}

static uint64_t run_component_instantiate(uint64_t iters) { return instantiate_loop(engine, c_inst, iters); }

static void setup_component_instantiate_pooling(void) {
  if (!pooling_engine.id) {
    wb_engine_config_t cfg;
    OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
    cfg.pooling_allocator = true;
    OK(wb_engine_new(&cfg, &pooling_engine));
  }
  c_inst_pooling = component_template(pooling_engine, WAT_COMP_INST, NULL);
}

static uint64_t run_component_instantiate_pooling(uint64_t iters) {
  return instantiate_loop(pooling_engine, c_inst_pooling, iters);
}
