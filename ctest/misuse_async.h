/* The misuse matrix's rows for async calls in a store (call futures, async
 * host functions and their tokens, async template instantiation), included
 * by test_misuse.c. Self-contained: async_cells() makes its own world (an
 * engine with async_support, a store with a running and a finished future,
 * a host call waiting on its token), runs every cell, and deletes it. */

enum { AK_FUTURE, AK_TOKEN, AK_STORE, AK_FUNC, AK_TEMPLATE, AK_LINKER, AK_COUNT };

static struct {
  uint64_t live[AK_COUNT], deleted[AK_COUNT];
  wb_engine_t engine;
  wb_module_t module;
  wb_store_t store, released;
  wb_func_t add, twice, released_twice;
  wb_call_future_t pending, finished, instantiating, released_future;
  wb_async_token_t token, used_token;
  wb_async_token_t last_token;  /* set by the host callback */
  wb_call_future_t in_callback_future; /* polled and deleted from inside its own host callback */
  wb_status_t in_callback_poll, in_callback_delete, in_callback_call, in_callback_store_delete,
      in_callback_release;
} ao;

static wb_caller_t stale_async_caller; /* a caller after its async callback returned */

static wb_status_t async_host(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs,
                              wb_async_token_t token) {
  (void)env, (void)args, (void)nargs;
  ao.last_token = token;
  stale_async_caller = caller;
  wb_store_t store = {0};
  OK(wb_caller_store(caller, &store));
  if (ao.in_callback_future.id) {
    bool done;
    ao.in_callback_poll = wb_call_future_poll(ao.in_callback_future, &done);
    ao.in_callback_delete = wb_call_future_delete(ao.in_callback_future);
    wb_call_future_t f2;
    wb_val_t a = val_i32(1);
    ao.in_callback_call = wb_func_call_async(ao.twice, &a, 1, &f2);
    ao.in_callback_store_delete = wb_store_delete(store);
    ao.in_callback_release = wb_store_release(store);
  }
  return WB_OK;
}

static const char *ASYNC_WAT =
    "(module (import \"host\" \"wait\" (func $wait (param i32) (result i32)))"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)"
    "  (func (export \"twice\") (param i32) (result i32) (call $wait (call $wait (local.get 0)))))";

static uint64_t async_bad_id(int k, int c) {
  switch (c) {
  case C_NULL: return 0;
  case C_DELETED: return ao.deleted[k];
  case C_FORGED: return ao.live[k] ^ (UINT64_C(0x5a5a) << 40);
  default: return k == AK_FUNC ? ao.live[AK_FUTURE] : ao.live[AK_FUNC];
  }
}

#define AHANDLE_CELLS(fn, k, T, null_ok, call)                                                        \
  for (int c_ = 0; c_ < C_HANDLE_CLASSES; c_++) {                                                     \
    T h = {async_bad_id(k, c_)};                                                                      \
    int ok_ = (null_ok) && c_ == C_NULL;                                                              \
    cell(fn, class_names[c_], ok_ ? WB_OK : WB_ERR_INVALID_HANDLE, ok_ ? "" : bad_part(k, c_), (call)); \
  }

static wb_async_token_t async_wait_token(wb_func_t twice, wb_call_future_t *fut) {
  wb_val_t a = val_i32(1);
  bool done;
  ao.last_token.id = 0;
  OK(wb_func_call_async(twice, &a, 1, fut));
  OK(wb_call_future_poll(*fut, &done));
  CHECK(!done && ao.last_token.id != 0);
  return ao.last_token;
}

static void async_make_world(void) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.async_support = true;
  OK(wb_engine_new(&cfg, &ao.engine));
  wb_linker_t l;
  OK(wb_linker_new(ao.engine, &l));
  wb_valkind_t i32 = WB_I32;
  OK(wb_linker_define_async_func(l, "host", "wait", &i32, 1, &i32, 1, async_host, NULL, NULL));
  ao.module = compile_wat(ao.engine, ASYNC_WAT);
  wb_template_t t;
  OK(wb_template_new(l, ao.module, &t));
  ao.live[AK_TEMPLATE] = t.id;
  ao.live[AK_LINKER] = l.id;
  wb_linker_t dl;
  OK(wb_linker_new(ao.engine, &dl));
  OK(wb_linker_delete(dl));
  ao.deleted[AK_LINKER] = dl.id;
  wb_template_t dt;
  OK(wb_template_new(l, ao.module, &dt));
  OK(wb_template_delete(dt));
  ao.deleted[AK_TEMPLATE] = dt.id;
  /* a deleted store, with a func and a future */
  wb_store_t ds;
  wb_instance_t inst;
  OK(wb_store_new(ao.engine, &ds));
  OK(wb_template_instantiate(t, ds, &inst));
  wb_func_t dtwice;
  OK(wb_instance_get_func(inst, "twice", &dtwice));
  wb_call_future_t dfut;
  wb_async_token_t dtok = async_wait_token(dtwice, &dfut);
  OK(wb_store_delete(ds));
  ao.deleted[AK_STORE] = ds.id;
  ao.deleted[AK_FUNC] = dtwice.id;
  ao.deleted[AK_FUTURE] = dfut.id;
  ao.deleted[AK_TOKEN] = dtok.id;
  /* the live store: a finished future, and one waiting on the host */
  OK(wb_store_new(ao.engine, &ao.store));
  OK(wb_template_instantiate(t, ao.store, &inst));
  OK(wb_instance_get_func(inst, "add", &ao.add));
  OK(wb_instance_get_func(inst, "twice", &ao.twice));
  wb_val_t ab[2] = {val_i32(1), val_i32(2)};
  bool done;
  OK(wb_func_call_async(ao.add, ab, 2, &ao.finished));
  OK(wb_call_future_poll(ao.finished, &done));
  CHECK(done);
  /* a token already used: completed and consumed by the guest */
  wb_call_future_t used;
  ao.used_token = async_wait_token(ao.twice, &used);
  wb_val_t r = val_i32(5);
  OK(wb_async_complete(ao.used_token, &r, 1));
  OK(wb_call_future_poll(used, &done)); /* the second host call now waits */
  OK(wb_call_future_delete(used));
  ao.token = async_wait_token(ao.twice, &ao.pending);
  ao.live[AK_STORE] = ao.store.id;
  ao.live[AK_FUNC] = ao.twice.id;
  ao.live[AK_FUTURE] = ao.pending.id;
  ao.live[AK_TOKEN] = ao.token.id;
  /* a released store with a future waiting in it */
  OK(wb_store_new(ao.engine, &ao.released));
  OK(wb_template_instantiate(t, ao.released, &inst));
  OK(wb_instance_get_func(inst, "twice", &ao.released_twice));
  async_wait_token(ao.released_twice, &ao.released_future);
  OK(wb_store_release(ao.released));
}

static void *async_wrong_thread(void *arg) {
  (void)arg;
  const char *cls = "wrong thread", *part = "wrong thread", *creator = "created by thread";
  wb_call_future_t fut;
  wb_val_t a = val_i32(1), r;
  bool done;
  wb_valkind_t i32 = WB_I32;
  CELL("wb_func_call_async", cls, WB_ERR_WRONG_THREAD, part, wb_func_call_async(ao.add, &a, 1, &fut));
  CELL("wb_call_future_poll", cls, WB_ERR_WRONG_THREAD, part, wb_call_future_poll(ao.pending, &done));
  CELL("wb_call_future_results", cls, WB_ERR_WRONG_THREAD, part, wb_call_future_results(ao.finished, &r, 1));
  wb_instance_t inst;
  CELL("wb_call_future_instance", cls, WB_ERR_WRONG_THREAD, part, wb_call_future_instance(ao.finished, &inst));
  CELL("wb_call_future_delete", cls, WB_ERR_WRONG_THREAD, part, wb_call_future_delete(ao.pending));
  CELL("wb_template_instantiate_async", cls, WB_ERR_WRONG_THREAD, part,
       wb_template_instantiate_async((wb_template_t){ao.live[AK_TEMPLATE]}, ao.store, &fut));
  CELL("wb_store_set_fuel_async_yield_interval", cls, WB_ERR_WRONG_THREAD, part,
       wb_store_set_fuel_async_yield_interval(ao.store, 10));
  CELL("wb_store_set_epoch_async_yield", cls, WB_ERR_WRONG_THREAD, part, wb_store_set_epoch_async_yield(ao.store, true));
  CELL("wb_linker_define_async_func", cls, WB_ERR_WRONG_THREAD, creator,
       wb_linker_define_async_func((wb_linker_t){ao.live[AK_LINKER]}, "x", "y", &i32, 1, &i32, 1, async_host, NULL,
                                   NULL));
  CELL("wb_async_complete", cls, WB_ERR_WRONG_THREAD, part, wb_async_complete(ao.token, &a, 1));
  CELL("wb_async_fail", cls, WB_ERR_WRONG_THREAD, part, wb_async_fail(ao.token, "x"));
  return 0;
}

static void async_cells(void) {
  async_make_world();
  wb_call_future_t fut;
  wb_val_t a = val_i32(1), ab[2] = {val_i32(1), val_i32(2)}, r[2];
  bool done;
  wb_instance_t inst;
  wb_valkind_t i32 = WB_I32, kinds2[2] = {WB_I32, WB_I32}, ref = WB_EXTERNREF;
  wb_linker_t L = {ao.live[AK_LINKER]};
  wb_template_t T = {ao.live[AK_TEMPLATE]};
  const char *released = "released";

  /* wb_func_call_async */
  AHANDLE_CELLS("wb_func_call_async", AK_FUNC, wb_func_t, 0, wb_func_call_async(h, &a, 1, &fut));
  CELL("wb_func_call_async", "NULL out", WB_ERR_INVALID_ARGUMENT, "out is NULL", wb_func_call_async(ao.add, ab, 2, NULL));
  CELL("wb_func_call_async", "NULL args", WB_ERR_INVALID_ARGUMENT, "args is NULL", wb_func_call_async(ao.add, NULL, 2, &fut));
  CELL("wb_func_call_async", "count", WB_ERR_TYPE_MISMATCH, "takes 2", wb_func_call_async(ao.add, ab, SIZE_MAX, &fut));
  wb_val_t wrong[2] = {val_i64(1), val_i32(2)};
  CELL("wb_func_call_async", "wrong kind", WB_ERR_TYPE_MISMATCH, "", wb_func_call_async(ao.add, wrong, 2, &fut));
  CELL("wb_func_call_async", "a future is unfinished", WB_ERR_BUSY, "unfinished", wb_func_call_async(ao.add, ab, 2, &fut));
  CELL("wb_func_call_async", "engine without async", WB_ERR_INVALID_ARGUMENT, "no async_support",
       wb_func_call_async((wb_func_t){o.live[K_FUNC]}, ab, 2, &fut));
  CELL("wb_func_call_async", "released store", WB_ERR_WRONG_THREAD, released,
       wb_func_call_async(ao.released_twice, &a, 1, &fut));
  CELL("wb_func_call", "async store", WB_ERR_BUSY, "unfinished call future", wb_func_call(ao.add, ab, 2, r, 1));

  /* wb_call_future_poll */
  AHANDLE_CELLS("wb_call_future_poll", AK_FUTURE, wb_call_future_t, 0, wb_call_future_poll(h, &done));
  CELL("wb_call_future_poll", "NULL done", WB_ERR_INVALID_ARGUMENT, "done is NULL", wb_call_future_poll(ao.pending, NULL));
  CELL("wb_call_future_poll", "released store", WB_ERR_WRONG_THREAD, released,
       wb_call_future_poll(ao.released_future, &done));
  CELL("wb_call_future_poll", "finished", WB_OK, "", wb_call_future_poll(ao.finished, &done));
  check_cell("wb_call_future_poll", "finished says done", done);

  /* wb_call_future_results */
  AHANDLE_CELLS("wb_call_future_results", AK_FUTURE, wb_call_future_t, 0, wb_call_future_results(h, r, 1));
  CELL("wb_call_future_results", "unfinished", WB_ERR_BUSY, "not finished", wb_call_future_results(ao.pending, r, 1));
  CELL("wb_call_future_results", "NULL results", WB_ERR_INVALID_ARGUMENT, "results is NULL",
       wb_call_future_results(ao.finished, NULL, 1));
  CELL("wb_call_future_results", "count", WB_ERR_TYPE_MISMATCH, "returns 1", wb_call_future_results(ao.finished, r, 2));
  CELL("wb_call_future_results", "released store", WB_ERR_WRONG_THREAD, released,
       wb_call_future_results(ao.released_future, r, 1));

  /* wb_call_future_instance */
  AHANDLE_CELLS("wb_call_future_instance", AK_FUTURE, wb_call_future_t, 0, wb_call_future_instance(h, &inst));
  CELL("wb_call_future_instance", "NULL out", WB_ERR_INVALID_ARGUMENT, "out is NULL",
       wb_call_future_instance(ao.finished, NULL));
  CELL("wb_call_future_instance", "a call's future", WB_ERR_INVALID_ARGUMENT, "wb_call_future_results",
       wb_call_future_instance(ao.finished, &inst));

  /* wb_template_instantiate_async */
  AHANDLE_CELLS("wb_template_instantiate_async", AK_STORE, wb_store_t, 0, wb_template_instantiate_async(T, h, &fut));
  AHANDLE_CELLS("wb_template_instantiate_async", AK_TEMPLATE, wb_template_t, 0,
                wb_template_instantiate_async(h, ao.store, &fut));
  CELL("wb_template_instantiate_async", "NULL out", WB_ERR_INVALID_ARGUMENT, "out is NULL",
       wb_template_instantiate_async(T, ao.store, NULL));
  CELL("wb_template_instantiate_async", "a future is unfinished", WB_ERR_BUSY, "unfinished",
       wb_template_instantiate_async(T, ao.store, &fut));
  CELL("wb_template_instantiate_async", "store of another engine", WB_ERR_INVALID_ARGUMENT, "another engine",
       wb_template_instantiate_async(T, (wb_store_t){o.live[K_STORE]}, &fut));
  CELL("wb_template_instantiate_async", "engine without async", WB_ERR_INVALID_ARGUMENT, "no async_support",
       wb_template_instantiate_async((wb_template_t){o.live[K_TEMPLATE]}, (wb_store_t){o.live[K_STORE]}, &fut));
  CELL("wb_template_instantiate_async", "released store", WB_ERR_WRONG_THREAD, released,
       wb_template_instantiate_async(T, ao.released, &fut));

  /* yields */
  AHANDLE_CELLS("wb_store_set_fuel_async_yield_interval", AK_STORE, wb_store_t, 0,
                wb_store_set_fuel_async_yield_interval(h, 10));
  CELL("wb_store_set_fuel_async_yield_interval", "engine without fuel", WB_ERR_INVALID_ARGUMENT, "consume_fuel",
       wb_store_set_fuel_async_yield_interval(ao.store, 10));
  CELL("wb_store_set_fuel_async_yield_interval", "engine without async", WB_ERR_INVALID_ARGUMENT, "async_support",
       wb_store_set_fuel_async_yield_interval((wb_store_t){o.live[K_STORE]}, 10));
  CELL("wb_store_set_fuel_async_yield_interval", "released store", WB_ERR_WRONG_THREAD, released,
       wb_store_set_fuel_async_yield_interval(ao.released, 10));
  AHANDLE_CELLS("wb_store_set_epoch_async_yield", AK_STORE, wb_store_t, 0, wb_store_set_epoch_async_yield(h, true));
  CELL("wb_store_set_epoch_async_yield", "engine without async", WB_ERR_INVALID_ARGUMENT, "async_support",
       wb_store_set_epoch_async_yield((wb_store_t){o.live[K_STORE]}, true));
  CELL("wb_store_set_epoch_async_yield", "released store", WB_ERR_WRONG_THREAD, released,
       wb_store_set_epoch_async_yield(ao.released, true));
  CELL("wb_store_set_epoch_async_yield", "on", WB_OK, "", wb_store_set_epoch_async_yield(ao.store, true));
  CELL("wb_store_set_epoch_async_yield", "off", WB_OK, "", wb_store_set_epoch_async_yield(ao.store, false));

  /* wb_linker_define_async_func */
  AHANDLE_CELLS("wb_linker_define_async_func", AK_LINKER, wb_linker_t, 0,
                wb_linker_define_async_func(h, "m", "n", &i32, 1, &i32, 1, async_host, NULL, NULL));
  CELL("wb_linker_define_async_func", "NULL module", WB_ERR_INVALID_ARGUMENT, "module",
       wb_linker_define_async_func(L, NULL, "n", &i32, 1, &i32, 1, async_host, NULL, NULL));
  CELL("wb_linker_define_async_func", "NULL name", WB_ERR_INVALID_ARGUMENT, "name is NULL",
       wb_linker_define_async_func(L, "m", NULL, &i32, 1, &i32, 1, async_host, NULL, NULL));
  CELL("wb_linker_define_async_func", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8",
       wb_linker_define_async_func(L, "m", BAD_UTF8, &i32, 1, &i32, 1, async_host, NULL, NULL));
  CELL("wb_linker_define_async_func", "NULL callback", WB_ERR_INVALID_ARGUMENT, "callback is NULL",
       wb_linker_define_async_func(L, "m", "n", &i32, 1, &i32, 1, NULL, NULL, NULL));
  CELL("wb_linker_define_async_func", "NULL params", WB_ERR_INVALID_ARGUMENT, "params is NULL",
       wb_linker_define_async_func(L, "m", "n", NULL, 1, &i32, 1, async_host, NULL, NULL));
  CELL("wb_linker_define_async_func", "bogus kind", WB_ERR_INVALID_ARGUMENT, "params[0]",
       wb_linker_define_async_func(L, "m", "n", bogus_kinds, 2, &i32, 1, async_host, NULL, NULL));
  CELL("wb_linker_define_async_func", "reference kind", WB_ERR_INVALID_ARGUMENT, "numbers only",
       wb_linker_define_async_func(L, "m", "n", &i32, 1, &ref, 1, async_host, NULL, NULL));
  CELL("wb_linker_define_async_func", "engine without async", WB_ERR_INVALID_ARGUMENT, "async_support",
       wb_linker_define_async_func((wb_linker_t){o.live[K_LINKER]}, "m", "n", kinds2, 2, &i32, 1, async_host, NULL,
                                   NULL));
  CELL("wb_linker_define_async_func", "duplicate", WB_ERR_LINK, "defined twice",
       wb_linker_define_async_func(L, "host", "wait", &i32, 1, &i32, 1, async_host, NULL, NULL));

  /* tokens */
  AHANDLE_CELLS("wb_async_complete", AK_TOKEN, wb_async_token_t, 0, wb_async_complete(h, &a, 1));
  CELL("wb_async_complete", "used token", WB_ERR_INVALID_HANDLE, "deleted", wb_async_complete(ao.used_token, &a, 1));
  CELL("wb_async_complete", "NULL results", WB_ERR_INVALID_ARGUMENT, "results is NULL",
       wb_async_complete(ao.token, NULL, 1));
  CELL("wb_async_complete", "count", WB_ERR_TYPE_MISMATCH, "returns 1", wb_async_complete(ao.token, ab, 2));
  CELL("wb_async_complete", "wrong kind", WB_ERR_TYPE_MISMATCH, "must be a i32", wb_async_complete(ao.token, wrong, 1));
  AHANDLE_CELLS("wb_async_fail", AK_TOKEN, wb_async_token_t, 0, wb_async_fail(h, "x"));
  CELL("wb_async_fail", "used token", WB_ERR_INVALID_HANDLE, "deleted", wb_async_fail(ao.used_token, "x"));
  wb_store_t cs;
  CELL("wb_caller_store", "after its async callback", WB_ERR_INVALID_HANDLE, "", wb_caller_store(stale_async_caller, &cs));

  pthread_t t;
  CHECK(pthread_create(&t, NULL, async_wrong_thread, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);

  /* completed twice, failed after completion */
  CELL("wb_async_complete", "completes", WB_OK, "", wb_async_complete(ao.token, &a, 1));
  CELL("wb_async_complete", "completed twice", WB_ERR_INVALID_ARGUMENT, "already completed",
       wb_async_complete(ao.token, &a, 1));
  CELL("wb_async_fail", "after completion", WB_ERR_INVALID_ARGUMENT, "already completed", wb_async_fail(ao.token, "x"));

  /* from inside an async host callback: no poll, no delete, no new call of the store */
  OK(wb_call_future_poll(ao.pending, &done)); /* the second host call waits now */
  CHECK(!done);
  OK(wb_call_future_delete(ao.pending));
  OK(wb_func_call_async(ao.twice, &a, 1, &fut));
  ao.in_callback_future = fut;
  OK(wb_call_future_poll(fut, &done));
  ao.in_callback_future.id = 0;
  CELL("wb_call_future_poll", "inside a host callback", WB_ERR_BUSY, "", ao.in_callback_poll);
  CELL("wb_call_future_delete", "inside a host callback", WB_ERR_BUSY, "", ao.in_callback_delete);
  CELL("wb_func_call_async", "inside a host callback", WB_ERR_BUSY, "", ao.in_callback_call);
  CELL("wb_store_delete", "own store in an async host callback", WB_ERR_BUSY, "inside one of its own calls",
       ao.in_callback_store_delete);
  CELL("wb_store_release", "own store in an async host callback", WB_ERR_BUSY, "inside one of its own calls",
       ao.in_callback_release);

  /* wb_call_future_delete */
  AHANDLE_CELLS("wb_call_future_delete", AK_FUTURE, wb_call_future_t, 1, wb_call_future_delete(h));
  CELL("wb_call_future_delete", "released store", WB_ERR_WRONG_THREAD, released,
       wb_call_future_delete(ao.released_future));
  CELL("wb_call_future_delete", "cancels", WB_OK, "", wb_call_future_delete(fut));
  CELL("wb_call_future_delete", "finished", WB_OK, "", wb_call_future_delete(ao.finished));
  /* an instantiation's future is not a call's */
  wb_call_future_t ifut;
  OK(wb_template_instantiate_async(T, ao.store, &ifut));
  while (!(wb_call_future_poll(ifut, &done) == WB_OK && done)) {
  }
  CELL("wb_call_future_results", "an instantiation's future", WB_ERR_INVALID_ARGUMENT, "wb_call_future_instance",
       wb_call_future_results(ifut, r, 1));
  CELL("wb_call_future_instance", "finished", WB_OK, "", wb_call_future_instance(ifut, &inst));
  OK(wb_call_future_delete(ifut));

  OK(wb_store_delete(ao.released)); /* any thread may delete a released store; its future is cancelled */
  OK(wb_store_delete(ao.store));
  OK(wb_template_delete(T));
  OK(wb_linker_delete(L));
  OK(wb_module_delete(ao.module));
  OK(wb_engine_delete(ao.engine));
}
