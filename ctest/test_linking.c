/* Linking: missing and mismatched imports, modules linked to modules,
 * shadowing, the creator-thread rule, and a linker that holds objects of one
 * store refused with any other (Wasmtime would abort the process). */
#include <pthread.h>

#include "check.h"

static const char *provider =
    "(module (memory (export \"mem\") 1) (global (export \"base\") i32 (i32.const 1000))"
    " (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";
static const char *consumer =
    "(module (import \"lib\" \"add\" (func $add (param i32 i32) (result i32)))"
    " (import \"lib\" \"base\" (global $base i32))"
    " (import \"lib\" \"mem\" (memory 1))"
    " (func (export \"run\") (param i32) (result i32) global.get $base local.get 0 call $add))";
static const char *wants_env =
    "(module (import \"env\" \"f\" (func (param i32))) (func (export \"run\")))";

static wb_status_t noop(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)c, (void)a, (void)na, (void)r, (void)nr;
  return WB_OK;
}

static wb_linker_t shared_linker;
static void *use_linker_elsewhere(void *arg) {
  (void)arg;
  EXPECT(wb_linker_define_wasi(shared_linker), WB_ERR_WRONG_THREAD, "created by thread");
  EXPECT(wb_linker_allow_shadowing(shared_linker, true), WB_ERR_WRONG_THREAD, "wb_linker_t");
  EXPECT(wb_linker_delete(shared_linker), WB_ERR_WRONG_THREAD, "wb_linker_t");
  return NULL;
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t prov = compile_wat(e, provider), cons = compile_wat(e, consumer), env = compile_wat(e, wants_env);
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  wb_instance_t inst;

  /* a missing import names module and field */
  EXPECT(wb_linker_instantiate(l, s, env, &inst), WB_ERR_LINK, "env::f");
  /* a mismatched import names both types */
  const wb_valkind_t i64[1] = {WB_I64};
  OK(wb_linker_define_func(l, "env", "f", i64, 1, NULL, 0, noop, NULL, NULL));
  EXPECT(wb_linker_instantiate(l, s, env, &inst), WB_ERR_LINK, "env::f");
  CHECK(strstr(wb_last_error(), "i32") != NULL && strstr(wb_last_error(), "i64") != NULL);
  /* a duplicate without shadowing, then with it */
  const wb_valkind_t i32[1] = {WB_I32};
  EXPECT(wb_linker_define_func(l, "env", "f", i32, 1, NULL, 0, noop, NULL, NULL), WB_ERR_LINK, "");
  OK(wb_linker_allow_shadowing(l, true));
  OK(wb_linker_define_func(l, "env", "f", i32, 1, NULL, 0, noop, NULL, NULL));
  OK(wb_linker_instantiate(l, s, env, &inst));

  /* module-to-module linking through an instance */
  wb_instance_t lib;
  OK(wb_instance_new(s, prov, &lib));
  OK(wb_linker_define_instance(l, "lib", lib));
  OK(wb_linker_instantiate(l, s, cons, &inst));
  wb_func_t run;
  OK(wb_instance_get_func(inst, "run", &run));
  wb_val_t a = val_i32(5), r;
  OK(wb_func_call(run, &a, 1, &r, 1));
  CHECK(r.of.i32 == 1005);

  /* that linker now holds objects of store s: refused with any other */
  wb_store_t other;
  OK(wb_store_new(e, &other));
  EXPECT(wb_linker_instantiate(l, other, cons, &inst), WB_ERR_INVALID_ARGUMENT, "another store");
  wb_template_t t;
  EXPECT(wb_template_new(l, cons, &t), WB_ERR_INVALID_ARGUMENT, "cannot make a template");
  wb_instance_t lib2;
  OK(wb_instance_new(other, prov, &lib2));
  EXPECT(wb_linker_define_instance(l, "lib2", lib2), WB_ERR_INVALID_ARGUMENT, "another store");

  /* argument checks */
  EXPECT(wb_linker_instantiate(l, s, cons, NULL), WB_ERR_INVALID_ARGUMENT, "out");
  EXPECT(wb_linker_instantiate(l, (wb_store_t){0}, cons, &inst), WB_ERR_INVALID_HANDLE, "null wb_store_t");
  EXPECT(wb_linker_instantiate(l, s, (wb_module_t){0}, &inst), WB_ERR_INVALID_HANDLE, "null wb_module_t");
  EXPECT(wb_linker_instantiate((wb_linker_t){0}, s, cons, &inst), WB_ERR_INVALID_HANDLE, "null wb_linker_t");
  EXPECT(wb_linker_define_instance(l, NULL, lib), WB_ERR_INVALID_ARGUMENT, "module");
  EXPECT(wb_linker_new(e, NULL), WB_ERR_INVALID_ARGUMENT, "out");

  /* another engine's module */
  wb_engine_t e2;
  OK(wb_engine_new(NULL, &e2));
  wb_module_t foreign = compile_wat(e2, provider);
  EXPECT(wb_linker_instantiate(l, s, foreign, &inst), WB_ERR_INVALID_ARGUMENT, "another engine");
  OK(wb_module_delete(foreign));
  OK(wb_engine_delete(e2));

  /* a linker belongs to its creator thread */
  shared_linker = l;
  pthread_t th;
  CHECK(pthread_create(&th, NULL, use_linker_elsewhere, NULL) == 0);
  CHECK(pthread_join(th, NULL) == 0);

  OK(wb_linker_delete(l));
  OK(wb_store_delete(other));
  OK(wb_store_delete(s));
  OK(wb_module_delete(prov));
  OK(wb_module_delete(cons));
  OK(wb_module_delete(env));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("linking");
}
