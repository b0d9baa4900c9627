/* Hostile guests and careless hosts beyond the thirteen: the class
 * the suite exists for. Each case does what a guest or a host author might
 * do and checks that the answer is a status (and the store stays usable),
 * never a crash or a hang. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "cases.h"

typedef struct rig {
  wb_engine_t engine;
  wb_store_t store;
  wb_module_t module;
  wb_instance_t instance;
} rig_t;

static void rig_up(rig_t *r, const wb_engine_config_t *cfg, const char *wat) {
  OK(wb_engine_new(cfg, &r->engine));
  r->module = adv_compile(r->engine, wat);
  OK(wb_store_new(r->engine, &r->store));
  OK(wb_instance_new(r->store, r->module, &r->instance));
}

static void rig_down(rig_t *r) {
  OK(wb_store_delete(r->store));
  OK(wb_module_delete(r->module));
  OK(wb_engine_delete(r->engine));
  check_no_live_handles();
}

static wb_func_t func(rig_t *r, const char *name) {
  wb_func_t f;
  OK(wb_instance_get_func(r->instance, name, &f));
  return f;
}

/* still usable: a plain call works */
#define ALIVE "(func (export \"alive\") (result i32) i32.const 1)"
static void still_alive(rig_t *r) {
  wb_val_t res;
  OK(wb_func_call(func(r, "alive"), NULL, 0, &res, 1));
  CHECK(res.of.i32 == 1);
}

static void guest_deep_recursion(void) {
  rig_t r;
  rig_up(&r, NULL, "(module (func $f (export \"f\") call $f) " ALIVE ")");
  EXPECT(wb_func_call(func(&r, "f"), NULL, 0, NULL, 0), WB_ERR_TRAP, "");
  CHECK(wb_last_trap_code() == WB_TRAP_STACK_OVERFLOW);
  still_alive(&r);
  rig_down(&r);
}

typedef struct interrupter {
  wb_store_t store;
  int delay_ms;
} interrupter_t;

static void *interrupt_later(void *arg) {
  interrupter_t *i = arg;
  usleep((useconds_t)i->delay_ms * 1000);
  OK(wb_store_interrupt(i->store));
  return 0;
}

static void guest_endless_loop_interrupted(void) {
  rig_t r;
  rig_up(&r, NULL, "(module (func (export \"spin\") (loop $l (br $l))) " ALIVE ")");
  interrupter_t i = {r.store, 50};
  pthread_t t;
  CHECK(pthread_create(&t, 0, interrupt_later, &i) == 0);
  EXPECT(wb_func_call(func(&r, "spin"), NULL, 0, NULL, 0), WB_ERR_INTERRUPTED, "interrupt");
  CHECK(pthread_join(t, 0) == 0);
  still_alive(&r);
  rig_down(&r);
}

static void guest_endless_loop_out_of_fuel(void) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.consume_fuel = true;
  rig_t r;
  OK(wb_engine_new(&cfg, &r.engine));
  r.module = adv_compile(r.engine, "(module (func (export \"spin\") (loop $l (br $l))) " ALIVE ")");
  OK(wb_store_new(r.engine, &r.store));
  OK(wb_store_set_fuel(r.store, 1000000));
  OK(wb_instance_new(r.store, r.module, &r.instance));
  EXPECT(wb_func_call(func(&r, "spin"), NULL, 0, NULL, 0), WB_ERR_OUT_OF_FUEL, "");
  OK(wb_store_set_fuel(r.store, 1000));
  still_alive(&r);
  rig_down(&r);
}

/* memory.grow past the store's limit returns -1 to the guest; the host's
 * grow gets WB_ERR_LIMIT; a huge grow request is refused as well */
static void guest_memory_growth_limited(void) {
  rig_t r;
  OK(wb_engine_new(NULL, &r.engine));
  r.module = adv_compile(r.engine, "(module (memory (export \"m\") 1)"
                                   " (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow) " ALIVE ")");
  OK(wb_store_new(r.engine, &r.store));
  wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
  lim.memory_bytes = 4 * 65536;
  OK(wb_store_set_limits(r.store, &lim));
  OK(wb_instance_new(r.store, r.module, &r.instance));
  wb_val_t a = val_i32(10), res;
  OK(wb_func_call(func(&r, "grow"), &a, 1, &res, 1));
  CHECK(res.of.i32 == -1);
  a = val_i32(65535);
  OK(wb_func_call(func(&r, "grow"), &a, 1, &res, 1));
  CHECK(res.of.i32 == -1);
  wb_memory_t m;
  OK(wb_instance_get_memory(r.instance, "m", &m));
  EXPECT(wb_memory_grow(m, 100, NULL), WB_ERR_LIMIT, "");
  EXPECT(wb_memory_grow(m, UINT64_MAX, NULL), WB_ERR_LIMIT, "");
  OK(wb_memory_grow(m, 3, NULL));
  still_alive(&r);
  rig_down(&r);
}

static void guest_table_growth_limited(void) {
  rig_t r;
  OK(wb_engine_new(NULL, &r.engine));
  r.module = adv_compile(r.engine, "(module (table 1 funcref)"
                                   " (func (export \"grow\") (param i32) (result i32) ref.null func local.get 0 table.grow) " ALIVE ")");
  OK(wb_store_new(r.engine, &r.store));
  wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
  lim.table_elements = 100;
  OK(wb_store_set_limits(r.store, &lim));
  OK(wb_instance_new(r.store, r.module, &r.instance));
  wb_val_t a = val_i32(1000000), res;
  OK(wb_func_call(func(&r, "grow"), &a, 1, &res, 1));
  CHECK(res.of.i32 == -1);
  a = val_i32(50);
  OK(wb_func_call(func(&r, "grow"), &a, 1, &res, 1));
  CHECK(res.of.i32 == 1);
  rig_down(&r);
}

static void host_too_many_instances(void) {
  rig_t r;
  OK(wb_engine_new(NULL, &r.engine));
  r.module = adv_compile(r.engine, "(module " ALIVE ")");
  OK(wb_store_new(r.engine, &r.store));
  wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
  lim.instances = 3;
  OK(wb_store_set_limits(r.store, &lim));
  for (int i = 0; i < 3; i++) OK(wb_instance_new(r.store, r.module, &r.instance));
  wb_instance_t more;
  EXPECT(wb_instance_new(r.store, r.module, &more), WB_ERR_LIMIT, "");
  still_alive(&r);
  rig_down(&r);
}

/* a funcref of another store would make Wasmtime abort the process */
static void host_funcref_of_another_store(void) {
  const char *wat = "(module (table (export \"t\") 1 funcref)"
                    " (func (export \"take\") (param funcref) (result i32) (table.set (i32.const 0) (local.get 0)) i32.const 1) " ALIVE ")";
  rig_t a, b;
  rig_up(&a, NULL, wat);
  OK(wb_store_new(a.engine, &b.store));
  OK(wb_instance_new(b.store, a.module, &b.instance));
  wb_val_t arg, res;
  memset(&arg, 0, sizeof arg);
  arg.kind = WB_FUNCREF;
  arg.of.funcref = func(&b, "alive");
  EXPECT(wb_func_call(func(&a, "take"), &arg, 1, &res, 1), WB_ERR_INVALID_ARGUMENT, "another store");
  arg.of.funcref = func(&a, "alive");
  OK(wb_func_call(func(&a, "take"), &arg, 1, &res, 1));
  OK(wb_store_delete(b.store));
  rig_down(&a);
}

static wb_status_t wrong_result(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)c, (void)a, (void)na, (void)nr;
  r[0] = val_i64(7); /* declared i32 */
  return WB_OK;
}

static wb_status_t delete_own_store(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)a, (void)na, (void)r, (void)nr;
  wb_store_t s;
  OK(wb_caller_store(c, &s));
  EXPECT(wb_store_delete(s), WB_ERR_BUSY, "inside one of its own calls");
  EXPECT(wb_store_release(s), WB_ERR_BUSY, "inside one of its own calls");
  return WB_OK;
}

/* host callbacks that get their results wrong, or try to pull the store
 * from under their own call */
static void host_callback_misbehaves(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, "(module (import \"h\" \"bad\" (func $bad (result i32)))"
                                 " (import \"h\" \"del\" (func $del))"
                                 " (func (export \"bad\") (result i32) call $bad) (func (export \"del\") call $del))");
  OK(wb_linker_new(e, &l));
  wb_valkind_t i32 = WB_I32;
  OK(wb_linker_define_func(l, "h", "bad", NULL, 0, &i32, 1, wrong_result, NULL, NULL));
  OK(wb_linker_define_func(l, "h", "del", NULL, 0, NULL, 0, delete_own_store, NULL, NULL));
  OK(wb_store_new(e, &s));
  OK(wb_linker_instantiate(l, s, m, &inst));
  OK(wb_instance_get_func(inst, "bad", &f));
  wb_val_t r;
  EXPECT(wb_func_call(f, NULL, 0, &r, 1), WB_ERR_TRAP, "i64");
  OK(wb_instance_get_func(inst, "del", &f));
  OK(wb_func_call(f, NULL, 0, NULL, 0));
  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* every handle of a deleted store is refused, whatever its kind */
static void host_handles_after_store_delete(void) {
  rig_t r;
  rig_up(&r, NULL, "(module (memory (export \"m\") 1) (global (export \"g\") (mut i32) (i32.const 0)) " ALIVE ")");
  wb_func_t f = func(&r, "alive");
  wb_memory_t m;
  wb_global_t g;
  OK(wb_instance_get_memory(r.instance, "m", &m));
  OK(wb_instance_get_global(r.instance, "g", &g));
  wb_store_t s = r.store;
  OK(wb_store_delete(s));
  wb_val_t v;
  uint8_t buf[4];
  EXPECT(wb_func_call(f, NULL, 0, &v, 1), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_memory_read(m, 0, buf, 4), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_global_get(g, &v), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_instance_get_func(r.instance, "alive", &f), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_store_delete(s), WB_ERR_INVALID_HANDLE, "deleted");
  EXPECT(wb_store_interrupt(s), WB_ERR_INVALID_HANDLE, "");
  OK(wb_module_delete(r.module));
  OK(wb_engine_delete(r.engine));
  check_no_live_handles();
}

typedef struct foreign {
  rig_t *rig;
  wb_func_t f;
  int refused;
} foreign_t;

static void *use_from_other_thread(void *arg) {
  foreign_t *fo = arg;
  rig_t *r = fo->rig;
  wb_val_t v;
  wb_memory_t m;
  fo->refused += wb_func_call(fo->f, NULL, 0, &v, 1) == WB_ERR_WRONG_THREAD;
  fo->refused += wb_instance_get_memory(r->instance, "m", &m) == WB_ERR_WRONG_THREAD;
  fo->refused += wb_store_delete(r->store) == WB_ERR_WRONG_THREAD;
  fo->refused += wb_store_set_fuel(r->store, 1) == WB_ERR_WRONG_THREAD;
  fo->refused += wb_instance_new(r->store, r->module, &r->instance) == WB_ERR_WRONG_THREAD;
  return 0;
}

static void host_store_used_from_wrong_thread(void) {
  rig_t r;
  rig_up(&r, NULL, "(module (memory (export \"m\") 1) " ALIVE ")");
  foreign_t fo = {&r, func(&r, "alive"), 0};
  adv_on_thread(0, use_from_other_thread, &fo);
  CHECK(fo.refused == 5);
  still_alive(&r);
  rig_down(&r);
}

static int log_reentries;
static void reentrant_log(void *user, wb_log_level_t level, const char *msg) {
  (void)level, (void)msg;
  wb_engine_t e;
  if (wb_engine_new(NULL, &e) == WB_ERR_BUSY) log_reentries++;
  wb_store_t s = {*(uint64_t *)user};
  if (wb_store_delete(s) == WB_ERR_BUSY) log_reentries++;
}

static void *touch_store(void *arg) {
  wb_store_t s = {*(uint64_t *)arg};
  wb_store_set_fuel(s, 1); /* refused: logged */
  return 0;
}

/* a log callback that calls back into the library is refused, not deadlocked */
static void host_log_callback_reenters(void) {
  rig_t r;
  rig_up(&r, NULL, "(module " ALIVE ")");
  uint64_t id = r.store.id;
  OK(wb_set_log_callback(reentrant_log, &id, WB_LOG_WARN));
  adv_on_thread(0, touch_store, &id);
  OK(wb_set_log_callback(NULL, NULL, WB_LOG_WARN));
  CHECK(log_reentries == 2);
  still_alive(&r);
  rig_down(&r);
}

/* malformed, truncated and lying binaries are compile errors */
static void guest_malformed_binaries(void) {
  wb_engine_t e;
  wb_module_t m;
  OK(wb_engine_new(NULL, &e));
  uint8_t buf[512];
  srand(9);
  for (int i = 0; i < 300; i++) {
    size_t n = 8 + (size_t)(rand() % 500);
    for (size_t k = 0; k < n; k++) buf[k] = (uint8_t)rand();
    memcpy(buf, "\0asm\1\0\0\0", 8);
    wb_status_t st = wb_module_new(e, buf, n, &m);
    CHECK(st == WB_ERR_COMPILE || st == WB_OK);
    if (st == WB_OK) OK(wb_module_delete(m));
  }
  /* a section that claims 4 GiB */
  static const uint8_t lying[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f};
  EXPECT(wb_module_new(e, lying, sizeof lying, &m), WB_ERR_COMPILE, "");
  EXPECT(wb_module_deserialize(e, lying, sizeof lying, &m), WB_ERR_COMPILE, "");
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* deep nesting in text and binary: compiled or refused, on any thread */
static void guest_deep_nesting(void) {
  size_t depth = 100000, cap = depth * 16 + 256, n = 0;
  char *wat = malloc(cap);
  n += (size_t)snprintf(wat + n, cap - n, "(module (func (export \"f\")");
  for (size_t i = 0; i < depth; i++) n += (size_t)snprintf(wat + n, cap - n, " (block");
  for (size_t i = 0; i < depth; i++) n += (size_t)snprintf(wat + n, cap - n, ")");
  n += (size_t)snprintf(wat + n, cap - n, "))");
  wb_engine_t e;
  wb_module_t m;
  OK(wb_engine_new(NULL, &e));
  wb_status_t st = wb_module_new(e, (const uint8_t *)wat, n, &m);
  CHECK(st == WB_OK || st == WB_ERR_COMPILE);
  if (st == WB_OK) OK(wb_module_delete(m));
  free(wat);
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* host reads and writes with offsets and lengths that overflow */
static void host_memory_access_overflow(void) {
  rig_t r;
  rig_up(&r, NULL, "(module (memory (export \"m\") 1) " ALIVE ")");
  wb_memory_t m;
  OK(wb_instance_get_memory(r.instance, "m", &m));
  uint8_t buf[16];
  EXPECT(wb_memory_read(m, UINT64_MAX, buf, 1), WB_ERR_OUT_OF_BOUNDS, "");
  EXPECT(wb_memory_read(m, 65530, buf, 16), WB_ERR_OUT_OF_BOUNDS, "");
  EXPECT(wb_memory_write(m, 8, buf, SIZE_MAX), WB_ERR_OUT_OF_BOUNDS, "");
  EXPECT(wb_memory_write(m, UINT64_MAX - 3, buf, 8), WB_ERR_OUT_OF_BOUNDS, "");
  EXPECT(wb_memory_read(m, 0, NULL, 4), WB_ERR_INVALID_ARGUMENT, "NULL");
  OK(wb_memory_write(m, 65520, buf, 16));
  still_alive(&r);
  rig_down(&r);
}

static void guest_start_function_traps(void) {
  rig_t r;
  rig_up(&r, NULL, "(module " ALIVE ")");
  wb_module_t bad = adv_compile(r.engine, "(module (func $s unreachable) (start $s))");
  wb_instance_t inst;
  EXPECT(wb_instance_new(r.store, bad, &inst), WB_ERR_TRAP, "unreachable");
  CHECK(wb_last_trap_code() == WB_TRAP_UNREACHABLE);
  still_alive(&r);
  OK(wb_module_delete(bad));
  rig_down(&r);
}

static void *own_and_exit(void *arg) {
  rig_t *r = arg;
  OK(wb_store_new(r->engine, &r->store));
  OK(wb_instance_new(r->store, r->module, &r->instance));
  return 0;
}

/* a thread that exits owning a store leaves an orphan another thread adopts */
static void host_thread_exits_owning_store(void) {
  rig_t r;
  OK(wb_engine_new(NULL, &r.engine));
  r.module = adv_compile(r.engine, "(module " ALIVE ")");
  adv_on_thread(0, own_and_exit, &r);
  wb_func_t f;
  EXPECT(wb_instance_get_func(r.instance, "alive", &f), WB_ERR_WRONG_THREAD, "orphaned");
  OK(wb_store_adopt(r.store));
  still_alive(&r);
  rig_down(&r);
}

typedef struct storm {
  wb_store_t store;
  _Atomic int stop;
} storm_t;

static void *interrupt_storm(void *arg) {
  storm_t *st = arg;
  while (!atomic_load(&st->stop)) wb_store_interrupt(st->store);
  return 0;
}

/* four threads interrupt a store that keeps calling: every call ends OK or
 * interrupted, nothing else */
static void host_interrupt_storm(void) {
  rig_t r;
  rig_up(&r, NULL, "(module (func (export \"work\") (param i32) (result i32) (local i32)"
                   " (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))"
                   "  (br_if $l (i32.lt_u (local.get 1) (local.get 0)))) (local.get 1)) " ALIVE ")");
  storm_t st = {r.store, 0};
  pthread_t t[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&t[i], 0, interrupt_storm, &st) == 0);
  wb_func_t f = func(&r, "work");
  int ok = 0, stopped = 0;
  for (int i = 0; i < 2000; i++) {
    wb_val_t a = val_i32(1000), res;
    wb_status_t s = wb_func_call(f, &a, 1, &res, 1);
    CHECK(s == WB_OK || s == WB_ERR_INTERRUPTED);
    if (s == WB_OK) CHECK(res.of.i32 == 1000);
    ok += s == WB_OK;
    stopped += s == WB_ERR_INTERRUPTED;
  }
  atomic_store(&st.stop, 1);
  for (int i = 0; i < 4; i++) CHECK(pthread_join(t[i], 0) == 0);
  CHECK(ok + stopped == 2000);
  wb_func_call(f, (wb_val_t[]){val_i32(1)}, 1, (wb_val_t[1]){0}, 1); /* takes a last pending interrupt */
  still_alive(&r);
  rig_down(&r);
}

static wb_status_t recurse_host(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)na, (void)nr;
  wb_func_t f;
  OK(wb_caller_get_func(c, "down", &f));
  wb_val_t arg = val_i32(a[0].of.i32 - 1);
  return wb_func_call(f, &arg, 1, r, 1);
}

/* wasm -> host -> wasm -> ... thousands deep: a clean refusal or trap */
static void host_nested_calls_deep(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, "(module (import \"h\" \"up\" (func $up (param i32) (result i32)))"
                                 " (func (export \"down\") (param i32) (result i32)"
                                 "  (if (result i32) (i32.eqz (local.get 0)) (then i32.const 0) (else local.get 0 call $up))))");
  OK(wb_linker_new(e, &l));
  wb_valkind_t i32 = WB_I32;
  OK(wb_linker_define_func(l, "h", "up", &i32, 1, &i32, 1, recurse_host, NULL, NULL));
  OK(wb_store_new(e, &s));
  OK(wb_linker_instantiate(l, s, m, &inst));
  OK(wb_instance_get_func(inst, "down", &f));
  wb_val_t a = val_i32(100), r;
  OK(wb_func_call(f, &a, 1, &r, 1));
  a = val_i32(1000000);
  wb_status_t st = wb_func_call(f, &a, 1, &r, 1);
  CHECK(st == WB_ERR_TRAP || st == WB_ERR_NATIVE_STACK);
  a = val_i32(10);
  OK(wb_func_call(f, &a, 1, &r, 1));
  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* deleting the engine and module handles while stores use them */
static void host_deletes_engine_in_use(void) {
  rig_t r;
  rig_up(&r, NULL, "(module " ALIVE ")");
  OK(wb_module_delete(r.module));
  OK(wb_engine_delete(r.engine));
  still_alive(&r);
  wb_store_t s2;
  EXPECT(wb_store_new(r.engine, &s2), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_store_delete(r.store));
  check_no_live_handles();
}

static wb_status_t add_one(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)c, (void)na, (void)nr;
  r[0] = val_i32(a[0].of.i32 + 1);
  return WB_OK;
}

/* objects of one engine handed to another: refused before Wasmtime, which
 * would abort (engine mismatch); a host function of the same shape defined
 * for two engines works in both (Wasmtime binds a function type to the
 * first engine that uses it) */
static void host_objects_of_another_engine(void) {
  const char *wat = "(module (import \"h\" \"inc\" (func $inc (param i32) (result i32)))"
                    " (func (export \"f\") (param i32) (result i32) local.get 0 call $inc))";
  wb_engine_t e[2];
  wb_module_t m[2];
  wb_linker_t l[2];
  wb_store_t s[2];
  wb_template_t t[2];
  wb_shared_memory_t mem;
  wb_valkind_t i32 = WB_I32;
  for (int i = 0; i < 2; i++) {
    OK(wb_engine_new(NULL, &e[i]));
    m[i] = adv_compile(e[i], wat);
    OK(wb_linker_new(e[i], &l[i]));
    OK(wb_linker_define_func(l[i], "h", "inc", &i32, 1, &i32, 1, add_one, NULL, NULL));
    OK(wb_store_new(e[i], &s[i]));
    OK(wb_template_new(l[i], m[i], &t[i]));
  }
  wb_instance_t inst;
  EXPECT(wb_linker_instantiate(l[0], s[1], m[0], &inst), WB_ERR_INVALID_ARGUMENT, "another engine");
  EXPECT(wb_linker_instantiate(l[0], s[0], m[1], &inst), WB_ERR_INVALID_ARGUMENT, "another engine");
  EXPECT(wb_template_instantiate(t[0], s[1], &inst), WB_ERR_INVALID_ARGUMENT, "another engine");
  EXPECT(wb_template_new(l[0], m[1], &t[0]), WB_ERR_INVALID_ARGUMENT, "another engine");
  wb_module_t plain = adv_compile(e[0], "(module)");
  EXPECT(wb_instance_new(s[1], plain, &inst), WB_ERR_INVALID_ARGUMENT, "another engine");
  OK(wb_shared_memory_new(e[0], 1, 1, &mem));
  EXPECT(wb_linker_define_shared_memory(l[1], "env", "mem", mem), WB_ERR_INVALID_ARGUMENT, "another engine");
  for (int i = 0; i < 2; i++) {
    wb_func_t f;
    wb_val_t a = val_i32(41), r;
    OK(wb_template_instantiate(t[i], s[i], &inst));
    OK(wb_instance_get_func(inst, "f", &f));
    OK(wb_func_call(f, &a, 1, &r, 1));
    CHECK(r.of.i32 == 42);
  }
  OK(wb_shared_memory_delete(mem));
  OK(wb_module_delete(plain));
  for (int i = 0; i < 2; i++) {
    OK(wb_store_delete(s[i]));
    OK(wb_template_delete(t[i]));
    OK(wb_linker_delete(l[i]));
    OK(wb_module_delete(m[i]));
    OK(wb_engine_delete(e[i]));
  }
  check_no_live_handles();
}

ADV_TABLE(guests) = {
    {"guest_deep_recursion", guest_deep_recursion},
    {"guest_endless_loop_interrupted", guest_endless_loop_interrupted},
    {"guest_endless_loop_out_of_fuel", guest_endless_loop_out_of_fuel},
    {"guest_memory_growth_limited", guest_memory_growth_limited},
    {"guest_table_growth_limited", guest_table_growth_limited},
    {"host_too_many_instances", host_too_many_instances},
    {"host_funcref_of_another_store", host_funcref_of_another_store},
    {"host_callback_misbehaves", host_callback_misbehaves},
    {"host_handles_after_store_delete", host_handles_after_store_delete},
    {"host_store_used_from_wrong_thread", host_store_used_from_wrong_thread},
    {"host_log_callback_reenters", host_log_callback_reenters},
    {"guest_malformed_binaries", guest_malformed_binaries},
    {"guest_deep_nesting", guest_deep_nesting},
    {"host_memory_access_overflow", host_memory_access_overflow},
    {"guest_start_function_traps", guest_start_function_traps},
    {"host_thread_exits_owning_store", host_thread_exits_owning_store},
    {"host_interrupt_storm", host_interrupt_storm},
    {"host_nested_calls_deep", host_nested_calls_deep},
    {"host_deletes_engine_in_use", host_deletes_engine_in_use},
    {"host_objects_of_another_engine", host_objects_of_another_engine},
};
ADV_COUNT(guests);
