/* Host callbacks that leave the wrong way (issue 14 item 13): a longjmp out
 * of a callback, a thread that exits inside one. Both are forbidden (they
 * skip Wasmtime's frames); what wasmbound promises is that the store can
 * still be deleted afterwards, and that it says what happened. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>

#include "cases.h"

#define CALLS_HOST                                                                               \
  "(module (import \"host\" \"cb\" (func $cb))"                                                  \
  " (func (export \"run\") (call $cb))"                                                          \
  " (func (export \"trap\") unreachable)"                                                        \
  " (func (export \"ok\") (result i32) i32.const 5))"

static jmp_buf escape;

static wb_status_t jump_out(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                            size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  longjmp(escape, 1);
}

static wb_status_t exit_thread(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                               size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  pthread_exit(0);
}

typedef struct rig {
  wb_engine_t engine;
  wb_module_t module;
  wb_linker_t linker;
  wb_store_t store;
  wb_func_t run;
} rig_t;

static void rig_make(rig_t *r, wb_host_callback_t cb) {
  wb_instance_t inst;
  OK(wb_linker_new(r->engine, &r->linker));
  OK(wb_linker_define_func(r->linker, "host", "cb", NULL, 0, NULL, 0, cb, NULL, NULL));
  OK(wb_store_new(r->engine, &r->store));
  OK(wb_linker_instantiate(r->linker, r->store, r->module, &inst));
  OK(wb_instance_get_func(inst, "run", &r->run));
}

/* A callback that longjmps out: the store, left "inside a call", can be
 * deleted by its owner thread, and that thread's later calls are refused
 * with WB_ERR_UNUSABLE (Wasmtime's state on it is broken) instead of
 * crashing; other threads are unaffected. */
static void *longjmp_thread(void *arg) {
  rig_t *r = arg;
  rig_make(r, jump_out);
  if (setjmp(escape) == 0) {
    wb_func_call(r->run, NULL, 0, NULL, 0);
    CHECK(0); /* not reached */
  }
  OK(wb_store_delete(r->store));
  /* the thread's Wasmtime state is broken: further calls into wasm refused */
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(r->engine, &s));
  EXPECT(wb_instance_new(s, r->module, &inst), WB_ERR_LINK, "import");
  wb_module_t plain = adv_compile(r->engine, "(module (func (export \"ok\") (result i32) i32.const 5))");
  EXPECT(wb_instance_new(s, plain, &inst), WB_ERR_UNUSABLE, "longjmp");
  OK(wb_store_delete(s));
  OK(wb_module_delete(plain));
  OK(wb_linker_delete(r->linker));
  return 0;
}

static void item13_callback_longjmp(void) {
  rig_t r;
  OK(wb_engine_new(NULL, &r.engine));
  r.module = adv_compile(r.engine, CALLS_HOST);
  adv_on_thread(0, longjmp_thread, &r);
  /* another thread works normally, traps included */
  wb_linker_t l;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_linker_new(r.engine, &l));
  OK(wb_linker_define_func(l, "host", "cb", NULL, 0, NULL, 0, jump_out, NULL, NULL));
  OK(wb_store_new(r.engine, &s));
  OK(wb_linker_instantiate(l, s, r.module, &inst));
  OK(wb_instance_get_func(inst, "trap", &f));
  EXPECT(wb_func_call(f, NULL, 0, NULL, 0), WB_ERR_TRAP, "unreachable");
  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(r.module));
  OK(wb_engine_delete(r.engine));
  check_no_live_handles();
}

/* A thread that exits inside a callback leaves its store an orphan, which
 * another thread can delete (it was refused with WB_ERR_BUSY forever). */
static void *exiting_thread(void *arg) {
  rig_t *r = arg;
  rig_make(r, exit_thread);
  wb_func_call(r->run, NULL, 0, NULL, 0);
  return (void *)1; /* not reached */
}

static void item13_callback_thread_exit(void) {
  rig_t r;
  OK(wb_engine_new(NULL, &r.engine));
  r.module = adv_compile(r.engine, CALLS_HOST);
  CHECK(adv_on_thread(0, exiting_thread, &r) == NULL);
  wb_stats_t st = WB_STATS_INIT;
  OK(wb_stats_get(&st));
  CHECK(st.orphaned_stores == 1);
  OK(wb_store_delete(r.store));
  OK(wb_linker_delete(r.linker)); /* an orphaned builder: any thread may delete it? see below */
  OK(wb_module_delete(r.module));
  OK(wb_engine_delete(r.engine));
  check_no_live_handles();
}

ADV_TABLE(callbacks) = {
    {"item13_callback_longjmp", item13_callback_longjmp},
    {"item13_callback_thread_exit", item13_callback_thread_exit},
};
ADV_COUNT(callbacks);
