/* The misuse matrix: every public function against every class of bad input
 * that applies (null, deleted, forged and wrong-kind handles, the wrong
 * thread, a released store, NULL pointers, lengths that overflow, invalid
 * UTF-8 and overlong names, calls from inside a host or log callback). Each
 * cell checks the exact status and that wb_last_error() names the problem.
 * The list of functions is read from wasmbound.h: a function without a row
 * fails the test.
 *
 *   test_misuse path/to/wasmbound.h
 */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

/* ---- bookkeeping ------------------------------------------------------------ */

static atomic_int cells, failures;
static pthread_mutex_t rows_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *rows[512];
static int nrows;

static void mark_row(const char *fn) {
  pthread_mutex_lock(&rows_lock);
  int found = 0;
  for (int i = 0; i < nrows && !found; i++) found = strcmp(rows[i], fn) == 0;
  if (!found && nrows < 512) rows[nrows++] = fn;
  pthread_mutex_unlock(&rows_lock);
}

static void cell(const char *fn, const char *cls, wb_status_t want, const char *part, wb_status_t got) {
  atomic_fetch_add(&cells, 1);
  mark_row(fn);
  const char *msg = wb_last_error();
  if (got != want || (want != WB_OK && part && part[0] && !strstr(msg, part))) {
    atomic_fetch_add(&failures, 1);
    fprintf(stderr, "FAIL %s [%s]: got %s, want %s containing \"%s\"; message: %s\n", fn, cls, wb_status_name(got),
            wb_status_name(want), part ? part : "", msg);
  }
}

/* A cell whose check is a condition rather than a status. */
static void check_cell(const char *fn, const char *cls, int ok) {
  cell(fn, cls, WB_OK, "", ok ? WB_OK : WB_ERR_INTERNAL);
}

#define CELL(fn, cls, want, part, call) cell(fn, cls, want, part, (call))

/* ---- the objects every cell is made from ------------------------------------- */

enum { K_ENGINE, K_MODULE, K_STORE, K_INSTANCE, K_FUNC, K_MEMORY, K_GLOBAL, K_LINKER, K_TEMPLATE, K_WASI, K_SHMEM,
       K_POOL, K_FUTURE, K_CALLER, K_TABLE, K_REF, K_COUNT };

typedef struct objects {
  uint64_t live[K_COUNT];    /* valid handles (the caller's is stale: only valid in a callback) */
  uint64_t deleted[K_COUNT]; /* handles of deleted objects */
} objects_t;

static objects_t o;
static wb_store_t released_store;        /* released by main, owned by nobody */
static wb_func_t released_func;
static wb_typed_func_t typed_add; /* "add" of the main thread's store, typed */
static wb_memory_t released_mem;
static wb_global_t released_global;
static wb_instance_t released_inst;
static wb_module_t module_with_imports;
static uint32_t add_index; /* "add" in the pool */

enum { C_NULL, C_DELETED, C_FORGED, C_WRONG_KIND, C_HANDLE_CLASSES };
static const char *const class_names[] = {"null handle", "deleted handle", "forged handle", "wrong-kind handle"};

static uint64_t bad_id(int k, int c) {
  switch (c) {
  case C_NULL: return 0;
  case C_DELETED: return o.deleted[k];
  case C_FORGED: return o.live[k == K_CALLER ? K_FUNC : k] ^ (UINT64_C(0x5a5a) << 40); /* right kind, wrong generation */
  default: return k == K_FUNC ? o.live[K_MODULE] : o.live[K_FUNC];
  }
}

static const char *bad_part(int k, int c) {
  switch (c) {
  case C_NULL: return "null";
  case C_DELETED: return k == K_CALLER ? "after its host function returned" : "deleted";
  case C_FORGED: return k == K_CALLER ? "" : "forged";
  default: return "wrong kind";
  }
}

/* Runs `call` (which uses the handle h) once per bad-handle class. Deleting
 * the null handle is a no-op: `null_ok` says the function deletes. */
#define HANDLE_CELLS(fn, k, T, null_ok, call)                                                         \
  for (int c_ = 0; c_ < C_HANDLE_CLASSES; c_++) {                                                    \
    T h = {bad_id(k, c_)};                                                                           \
    int ok_ = (null_ok) && c_ == C_NULL;                                                             \
    cell(fn, class_names[c_], ok_ ? WB_OK : WB_ERR_INVALID_HANDLE, ok_ ? "" : bad_part(k, c_), (call)); \
  }

static const char *WAT =
    "(module\n"
    "  (import \"host\" \"misuse\" (func $misuse))\n"
    "  (memory (export \"mem\") 1 2)\n"
    "  (global (export \"g\") (mut i32) (i32.const 1))\n"
    "  (global (export \"const\") i32 (i32.const 1))\n"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)\n"
    "  (func (export \"in_callback\") call $misuse))";

static const char *NO_IMPORTS =
    "(module (memory (export \"mem\") 1 2) (global (export \"g\") (mut i32) (i32.const 1))"
    " (table (export \"tab\") 1 2 externref)"
    " (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";

static const wb_valkind_t add_kinds[3] = {WB_I32, WB_I32, WB_I32}; /* add: (param i32 i32) (result i32) */
static const wb_valkind_t i64_i32[2] = {WB_I64, WB_I32};
static const wb_valkind_t bogus_kinds[2] = {(wb_valkind_t)12345, WB_I32};
static char long_name[70000];
static const char *BAD_UTF8 = "a\xff\xfe";

static wb_status_t noop(void *env, wb_caller_t c, const wb_val_t *a, size_t na, wb_val_t *r, size_t nr) {
  (void)env, (void)c, (void)a, (void)na, (void)r, (void)nr;
  return WB_OK;
}
static wb_status_t noop_typed(void *env, wb_caller_t c, wb_raw_t *v, size_t n) {
  (void)env, (void)c, (void)v, (void)n;
  return WB_OK;
}

#include "misuse_component.h" /* the component rows */
#include "misuse_async.h"     /* the rows of async calls in a store */

/* ---- cells run inside a host function -------------------------------------------- */

static wb_status_t misuse_in_callback(void *env, wb_caller_t caller, const wb_val_t *a, size_t na, wb_val_t *r,
                                      size_t nr) {
  (void)env, (void)a, (void)na, (void)r, (void)nr;
  wb_store_t own;
  wb_memory_t mem;
  wb_func_t f;
  wb_global_t g;
  o.live[K_CALLER] = caller.id;
  OK(wb_caller_store(caller, &own));
  CELL("wb_store_delete", "own store in a callback", WB_ERR_BUSY, "inside one of its own calls", wb_store_delete(own));
  CELL("wb_store_release", "own store in a callback", WB_ERR_BUSY, "inside one of its own calls", wb_store_release(own));
  CELL("wb_caller_get_memory", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_caller_get_memory(caller, NULL, &mem));
  CELL("wb_caller_get_memory", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_caller_get_memory(caller, BAD_UTF8, &mem));
  CELL("wb_caller_get_memory", "overlong name", WB_ERR_INVALID_ARGUMENT, "longer than", wb_caller_get_memory(caller, long_name, &mem));
  CELL("wb_caller_get_memory", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_caller_get_memory(caller, "mem", NULL));
  CELL("wb_caller_get_memory", "not a memory", WB_ERR_TYPE_MISMATCH, "not a memory", wb_caller_get_memory(caller, "add", &mem));
  CELL("wb_caller_get_func", "missing", WB_ERR_NOT_FOUND, "\"nope\"", wb_caller_get_func(caller, "nope", &f));
  CELL("wb_caller_get_func", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_caller_get_func(caller, "add", NULL));
  CELL("wb_caller_get_func", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_caller_get_func(caller, BAD_UTF8, &f));
  CELL("wb_caller_get_global", "not a global", WB_ERR_TYPE_MISMATCH, "not a global", wb_caller_get_global(caller, "mem", &g));
  CELL("wb_caller_get_global", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_caller_get_global(caller, NULL, &g));
  CELL("wb_caller_store", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_caller_store(caller, NULL));
  wb_table_t t;
  wb_extern_t x;
  CELL("wb_caller_get_table", "not a table", WB_ERR_TYPE_MISMATCH, "not a table", wb_caller_get_table(caller, "mem", &t));
  CELL("wb_caller_get_table", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_caller_get_table(caller, NULL, &t));
  CELL("wb_caller_get_table", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_caller_get_table(caller, "mem", NULL));
  CELL("wb_caller_get_export", "missing", WB_ERR_NOT_FOUND, "\"nope\"", wb_caller_get_export(caller, "nope", 4, &x));
  CELL("wb_caller_get_export", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_caller_get_export(caller, NULL, 3, &x));
  CELL("wb_caller_get_export", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_caller_get_export(caller, BAD_UTF8, 3, &x));
  CELL("wb_caller_get_export", "overflowing length", WB_ERR_INVALID_ARGUMENT, "longer than", wb_caller_get_export(caller, "mem", SIZE_MAX, &x));
  CELL("wb_caller_get_export", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_caller_get_export(caller, "mem", 3, NULL));
  OK(wb_caller_get_export(caller, "mem", 3, &x));
  CELL("wb_caller_get_export", "a memory", WB_OK, "", x.kind == WB_EXTERN_MEMORY ? WB_OK : WB_ERR_INTERNAL);
  return WB_OK;
}

/* ---- cells run inside the log callback ---------------------------------------------- */

static void misuse_in_log(void *user, wb_log_level_t level, const char *message) {
  (void)user, (void)level, (void)message;
  const char *why = "log callback";
  wb_engine_t e;
  wb_module_t m;
  wb_store_t s;
  wb_val_t a[2] = {val_i32(1), val_i32(2)}, r;
  uint64_t u;
  wb_wasi_config_t w;
  wb_linker_t l;
  CELL("wb_engine_new", "in the log callback", WB_ERR_BUSY, why, wb_engine_new(NULL, &e));
  CELL("wb_module_new", "in the log callback", WB_ERR_BUSY, why, wb_module_new((wb_engine_t){o.live[K_ENGINE]}, (const uint8_t *)"(module)", 8, &m));
  CELL("wb_store_new", "in the log callback", WB_ERR_BUSY, why, wb_store_new((wb_engine_t){o.live[K_ENGINE]}, &s));
  CELL("wb_func_call", "in the log callback", WB_ERR_BUSY, why, wb_func_call((wb_func_t){o.live[K_FUNC]}, a, 2, &r, 1));
  CELL("wb_memory_size", "in the log callback", WB_ERR_BUSY, why, wb_memory_size((wb_memory_t){o.live[K_MEMORY]}, &u));
  CELL("wb_global_get", "in the log callback", WB_ERR_BUSY, why, wb_global_get((wb_global_t){o.live[K_GLOBAL]}, &r));
  CELL("wb_store_interrupt", "in the log callback", WB_ERR_BUSY, why, wb_store_interrupt((wb_store_t){o.live[K_STORE]}));
  CELL("wb_wasi_config_new", "in the log callback", WB_ERR_BUSY, why, wb_wasi_config_new(&w));
  CELL("wb_linker_new", "in the log callback", WB_ERR_BUSY, why, wb_linker_new((wb_engine_t){o.live[K_ENGINE]}, &l));
  CELL("wb_pool_call", "in the log callback", WB_ERR_BUSY, why, wb_pool_call((wb_pool_t){o.live[K_POOL]}, "add", a, 2, &r, 1));
  CELL("wb_set_log_callback", "in the log callback", WB_ERR_BUSY, why, wb_set_log_callback(NULL, NULL, WB_LOG_DEBUG));
  component_log_cells();
  wb_ref_t rf;
  wb_table_t tb;
  CELL("wb_externref_new", "in the log callback", WB_ERR_BUSY, why, wb_externref_new((wb_store_t){o.live[K_STORE]}, NULL, NULL, &rf));
  CELL("wb_ref_clone", "in the log callback", WB_ERR_BUSY, why, wb_ref_clone((wb_ref_t){o.live[K_REF]}, &rf));
  CELL("wb_table_size", "in the log callback", WB_ERR_BUSY, why, wb_table_size((wb_table_t){o.live[K_TABLE]}, &u));
  CELL("wb_instance_get_table", "in the log callback", WB_ERR_BUSY, why, wb_instance_get_table((wb_instance_t){o.live[K_INSTANCE]}, "tab", &tb));
}

/* ---- cells run on a thread that owns nothing ----------------------------------------- */

static void *wrong_thread_cells(void *arg) {
  (void)arg;
  const char *cls = "wrong thread", *part = "wrong thread";
  wb_store_t s = {o.live[K_STORE]};
  wb_instance_t i = {o.live[K_INSTANCE]}, i2;
  wb_func_t f = {o.live[K_FUNC]};
  wb_memory_t mem = {o.live[K_MEMORY]};
  wb_global_t g = {o.live[K_GLOBAL]};
  wb_linker_t l = {o.live[K_LINKER]};
  wb_wasi_config_t w = {o.live[K_WASI]};
  wb_module_t m = {o.live[K_MODULE]};
  wb_val_t a[2] = {val_i32(1), val_i32(2)}, r;
  uint64_t u;
  size_t n1, n2;
  uint8_t buf[4];
  wb_bytes_t bytes;
  wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
  const char *argv[1] = {"x"};
  CELL("wb_store_delete", cls, WB_ERR_WRONG_THREAD, part, wb_store_delete(s));
  CELL("wb_store_release", cls, WB_ERR_WRONG_THREAD, part, wb_store_release(s));
  CELL("wb_store_adopt", cls, WB_ERR_WRONG_THREAD, part, wb_store_adopt(s));
  CELL("wb_store_set_fuel", cls, WB_ERR_WRONG_THREAD, part, wb_store_set_fuel(s, 1));
  CELL("wb_store_get_fuel", cls, WB_ERR_WRONG_THREAD, part, wb_store_get_fuel(s, &u));
  CELL("wb_store_set_limits", cls, WB_ERR_WRONG_THREAD, part, wb_store_set_limits(s, &lim));
  CELL("wb_store_set_call_timeout", cls, WB_ERR_WRONG_THREAD, part, wb_store_set_call_timeout(s, 1));
  CELL("wb_store_set_deadline", cls, WB_ERR_WRONG_THREAD, part, wb_store_set_deadline(s, 1));
  CELL("wb_store_wasi_output", cls, WB_ERR_WRONG_THREAD, part, wb_store_wasi_output(s, 1, &bytes));
  CELL("wb_store_wasi_output_dropped", cls, WB_ERR_WRONG_THREAD, part, wb_store_wasi_output_dropped(s, 1, &u));
  CELL("wb_store_set_wasi", cls, WB_ERR_WRONG_THREAD, part, wb_store_set_wasi(s, w));
  CELL("wb_instance_new", cls, WB_ERR_WRONG_THREAD, part, wb_instance_new(s, m, &i2));
  CELL("wb_instance_get_func", cls, WB_ERR_WRONG_THREAD, part, wb_instance_get_func(i, "add", &f));
  CELL("wb_instance_get_memory", cls, WB_ERR_WRONG_THREAD, part, wb_instance_get_memory(i, "mem", &mem));
  CELL("wb_instance_get_global", cls, WB_ERR_WRONG_THREAD, part, wb_instance_get_global(i, "g", &g));
  CELL("wb_func_call", cls, WB_ERR_WRONG_THREAD, part, wb_func_call(f, a, 2, &r, 1));
  CELL("wb_func_arity", cls, WB_ERR_WRONG_THREAD, part, wb_func_arity(f, &n1, &n2));
  CELL("wb_func_check_type", cls, WB_ERR_WRONG_THREAD, part, wb_func_check_type(f, add_kinds, 2, add_kinds, 1));
  {
    wb_typed_func_t tf;
    wb_raw_t raw[2] = {{.i32 = 1}, {.i32 = 2}};
    CELL("wb_func_typed", cls, WB_ERR_WRONG_THREAD, part, wb_func_typed(f, add_kinds, 2, add_kinds, 1, &tf));
    CELL("wb_typed_call", cls, WB_ERR_WRONG_THREAD, part, wb_typed_call(typed_add, raw, 2));
  }
  CELL("wb_memory_size", cls, WB_ERR_WRONG_THREAD, part, wb_memory_size(mem, &u));
  CELL("wb_memory_grow", cls, WB_ERR_WRONG_THREAD, part, wb_memory_grow(mem, 1, &u));
  CELL("wb_memory_read", cls, WB_ERR_WRONG_THREAD, part, wb_memory_read(mem, 0, buf, 4));
  CELL("wb_memory_write", cls, WB_ERR_WRONG_THREAD, part, wb_memory_write(mem, 0, buf, 4));
  CELL("wb_global_get", cls, WB_ERR_WRONG_THREAD, part, wb_global_get(g, &r));
  CELL("wb_global_set", cls, WB_ERR_WRONG_THREAD, part, wb_global_set(g, &a[0]));
  CELL("wb_linker_delete", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_delete(l));
  CELL("wb_linker_allow_shadowing", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_allow_shadowing(l, true));
  CELL("wb_linker_define_func", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_define_func(l, "m", "n", NULL, 0, NULL, 0, noop, NULL, NULL));
  CELL("wb_linker_define_func_typed", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_define_func_typed(l, "m", "n", NULL, 0, NULL, 0, noop_typed, NULL, NULL));
  CELL("wb_linker_define_instance", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_define_instance(l, "m", i));
  CELL("wb_linker_define_wasi", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_define_wasi(l));
  CELL("wb_linker_define_shared_memory", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_define_shared_memory(l, "m", "n", (wb_shared_memory_t){o.live[K_SHMEM]}));
  CELL("wb_linker_instantiate", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_instantiate(l, s, m, &i2));
  CELL("wb_template_new", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_template_new(l, m, (wb_template_t *)&i2));
  CELL("wb_template_instantiate", cls, WB_ERR_WRONG_THREAD, part, wb_template_instantiate((wb_template_t){o.live[K_TEMPLATE]}, s, &i2));
  CELL("wb_wasi_config_delete", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_delete(w));
  CELL("wb_wasi_config_set_args", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_set_args(w, argv, 1));
  CELL("wb_wasi_config_set_env", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_set_env(w, argv, argv, 1));
  CELL("wb_wasi_config_set_stdin", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_set_stdin(w, buf, 1));
  CELL("wb_wasi_config_set_stdout", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_set_stdout(w, WB_STDIO_INHERIT, NULL));
  CELL("wb_wasi_config_set_stderr", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_set_stderr(w, WB_STDIO_INHERIT, NULL));
  CELL("wb_wasi_config_preopen_dir", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_preopen_dir(w, ".", "/", true));
  CELL("wb_wasi_config_set_max_open_files", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_set_max_open_files(w, 8));
  CELL("wb_wasi_config_set_output_limit", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_wasi_config_set_output_limit(w, 8));
  component_wrong_thread_cells();
  /* tables, references, types, host-made externs */
  wb_table_t t = {o.live[K_TABLE]}, t2;
  wb_ref_t rf = {o.live[K_REF]}, rf2;
  wb_extern_t x = {WB_EXTERN_MEMORY, {.memory = mem}};
  wb_export_list_t el = WB_EXPORT_LIST_INIT;
  wb_valtype_t vt[2];
  wb_globaltype_t gt;
  wb_memorytype_t mt = {1, 1, true, false, false, 16};
  wb_tabletype_t tt = {{WB_EXTERNREF, 1, WB_HEAP_EXTERN, 0, 0}, 1, 0, false, false};
  wb_refkind_t rk;
  int32_t v32;
  bool same;
  void *data;
  CELL("wb_instance_get_table", cls, WB_ERR_WRONG_THREAD, part, wb_instance_get_table(i, "tab", &t2));
  CELL("wb_instance_get_export", cls, WB_ERR_WRONG_THREAD, part, wb_instance_get_export(i, "tab", 3, &x));
  CELL("wb_instance_exports", cls, WB_ERR_WRONG_THREAD, part, wb_instance_exports(i, &el));
  CELL("wb_func_type", cls, WB_ERR_WRONG_THREAD, part, wb_func_type(f, vt, 2, vt, 1));
  CELL("wb_global_type", cls, WB_ERR_WRONG_THREAD, part, wb_global_type(g, &gt));
  CELL("wb_memory_type", cls, WB_ERR_WRONG_THREAD, part, wb_memory_type(mem, &mt));
  CELL("wb_linker_define_extern", cls, WB_ERR_WRONG_THREAD, "created by thread", wb_linker_define_extern(l, "m", 1, "n", 1, &x));
  CELL("wb_externref_new", cls, WB_ERR_WRONG_THREAD, part, wb_externref_new(s, NULL, NULL, &rf2));
  CELL("wb_externref_data", cls, WB_ERR_WRONG_THREAD, part, wb_externref_data(rf, &data));
  CELL("wb_i31ref_new", cls, WB_ERR_WRONG_THREAD, part, wb_i31ref_new(s, 1, &rf2));
  CELL("wb_i31ref_get", cls, WB_ERR_WRONG_THREAD, part, wb_i31ref_get(rf, false, &v32));
  CELL("wb_ref_kind", cls, WB_ERR_WRONG_THREAD, part, wb_ref_kind(rf, &rk));
  CELL("wb_ref_eq", cls, WB_ERR_WRONG_THREAD, part, wb_ref_eq(rf, rf, &same));
  CELL("wb_ref_delete", cls, WB_ERR_WRONG_THREAD, part, wb_ref_delete(rf));
  CELL("wb_ref_clone", cls, WB_ERR_WRONG_THREAD, part, wb_ref_clone(rf, &rf2));
  CELL("wb_ref_internalize", cls, WB_ERR_WRONG_THREAD, part, wb_ref_internalize(s, rf, &rf2));
  CELL("wb_ref_externalize", cls, WB_ERR_WRONG_THREAD, part, wb_ref_externalize(s, rf, &rf2));
  CELL("wb_store_gc", cls, WB_ERR_WRONG_THREAD, part, wb_store_gc(s));
  CELL("wb_table_new", cls, WB_ERR_WRONG_THREAD, part, wb_table_new(s, &tt, NULL, &t2));
  CELL("wb_table_type", cls, WB_ERR_WRONG_THREAD, part, wb_table_type(t, &tt));
  CELL("wb_table_size", cls, WB_ERR_WRONG_THREAD, part, wb_table_size(t, &u));
  CELL("wb_table_get", cls, WB_ERR_WRONG_THREAD, part, wb_table_get(t, 0, &r));
  CELL("wb_table_set", cls, WB_ERR_WRONG_THREAD, part, wb_table_set(t, 0, &r));
  CELL("wb_table_grow", cls, WB_ERR_WRONG_THREAD, part, wb_table_grow(t, 1, NULL, &u));
  CELL("wb_table_fill", cls, WB_ERR_WRONG_THREAD, part, wb_table_fill(t, 0, &r, 1));
  CELL("wb_table_copy", cls, WB_ERR_WRONG_THREAD, part, wb_table_copy(t, 0, t, 0, 1));
  CELL("wb_memory_new", cls, WB_ERR_WRONG_THREAD, part, wb_memory_new(s, &mt, &mem));
  CELL("wb_global_new", cls, WB_ERR_WRONG_THREAD, part, wb_global_new(s, &gt, &a[0], &g));
  CELL("wb_func_new", cls, WB_ERR_WRONG_THREAD, part, wb_func_new(s, NULL, 0, NULL, 0, noop, NULL, NULL, &f));
  return NULL;
}

/* ---- the released store: nobody may use it until someone adopts it ---------------- */

static void released_cells(void) {
  const char *cls = "released store", *part = "released";
  wb_store_t s = released_store;
  wb_val_t a[2] = {val_i32(1), val_i32(2)}, r;
  uint64_t u;
  uint8_t buf[4];
  wb_func_t f;
  wb_instance_t i2;
  CELL("wb_store_release", cls, WB_ERR_WRONG_THREAD, part, wb_store_release(s));
  CELL("wb_store_set_fuel", cls, WB_ERR_WRONG_THREAD, part, wb_store_set_fuel(s, 1));
  CELL("wb_store_get_fuel", cls, WB_ERR_WRONG_THREAD, part, wb_store_get_fuel(s, &u));
  CELL("wb_store_set_deadline", cls, WB_ERR_WRONG_THREAD, part, wb_store_set_deadline(s, 1));
  CELL("wb_instance_new", cls, WB_ERR_WRONG_THREAD, part, wb_instance_new(s, (wb_module_t){o.live[K_MODULE]}, &i2));
  CELL("wb_instance_get_func", cls, WB_ERR_WRONG_THREAD, part, wb_instance_get_func(released_inst, "add", &f));
  CELL("wb_func_call", cls, WB_ERR_WRONG_THREAD, part, wb_func_call(released_func, a, 2, &r, 1));
  CELL("wb_func_check_type", cls, WB_ERR_WRONG_THREAD, part, wb_func_check_type(released_func, add_kinds, 2, add_kinds, 1));
  CELL("wb_memory_read", cls, WB_ERR_WRONG_THREAD, part, wb_memory_read(released_mem, 0, buf, 4));
  CELL("wb_memory_write", cls, WB_ERR_WRONG_THREAD, part, wb_memory_write(released_mem, 0, buf, 4));
  CELL("wb_global_get", cls, WB_ERR_WRONG_THREAD, part, wb_global_get(released_global, &r));
  CELL("wb_global_set", cls, WB_ERR_WRONG_THREAD, part, wb_global_set(released_global, &a[0]));
  CELL("wb_template_instantiate", cls, WB_ERR_WRONG_THREAD, part, wb_template_instantiate((wb_template_t){o.live[K_TEMPLATE]}, s, &i2));
  component_released_cells();
  wb_ref_t rf;
  wb_table_t t;
  wb_tabletype_t tt = {{WB_EXTERNREF, 1, WB_HEAP_EXTERN, 0, 0}, 1, 0, false, false};
  CELL("wb_externref_new", cls, WB_ERR_WRONG_THREAD, part, wb_externref_new(s, NULL, NULL, &rf));
  CELL("wb_table_new", cls, WB_ERR_WRONG_THREAD, part, wb_table_new(s, &tt, NULL, &t));
  CELL("wb_store_gc", cls, WB_ERR_WRONG_THREAD, part, wb_store_gc(s));
  CELL("wb_instance_get_table", cls, WB_ERR_WRONG_THREAD, part, wb_instance_get_table(released_inst, "tab", &t));
}

/* ---- handle classes and pointers, function by function -------------------------------- */

static void ignore_completion(void *user, wb_status_t status) { (void)user, (void)status; }

static void main_cells(void) {
  wb_engine_t E = {o.live[K_ENGINE]};
  wb_module_t M = {o.live[K_MODULE]};
  wb_store_t S = {o.live[K_STORE]};
  wb_instance_t I = {o.live[K_INSTANCE]};
  wb_func_t F = {o.live[K_FUNC]};
  wb_memory_t MEM = {o.live[K_MEMORY]};
  wb_global_t G = {o.live[K_GLOBAL]};
  wb_linker_t L = {o.live[K_LINKER]};
  wb_template_t T = {o.live[K_TEMPLATE]};
  wb_wasi_config_t W = {o.live[K_WASI]};
  wb_shared_memory_t SM = {o.live[K_SHMEM]};
  wb_pool_t P = {o.live[K_POOL]};
  wb_future_t FU = {o.live[K_FUTURE]};
  const uint8_t *wat = (const uint8_t *)NO_IMPORTS;
  size_t watlen = strlen(NO_IMPORTS), huge = (size_t)1 << 40;
  wb_engine_t e;
  wb_module_t m;
  wb_store_t s;
  wb_instance_t i;
  wb_func_t f;
  wb_memory_t mem;
  wb_global_t g;
  wb_linker_t l;
  wb_template_t t;
  wb_shared_memory_t sm;
  wb_pool_t p;
  wb_future_t fu;
  wb_val_t a[2] = {val_i32(1), val_i32(2)}, r[2];
  uint64_t u;
  uint32_t idx;
  size_t n1, n2;
  uint8_t buf[8];
  bool done;
  wb_extern_list_t list = WB_EXTERN_LIST_INIT;
  wb_bytes_t bytes;
  wb_stats_t stats = WB_STATS_INIT;
  wb_pool_stats_t pstats = WB_POOL_STATS_INIT;
  wb_store_limits_t lim = WB_STORE_LIMITS_INIT;
  wb_engine_config_t ecfg;
  wb_pool_config_t pcfg;
  const wb_valkind_t i32[1] = {WB_I32}, ext[1] = {WB_ANYREF};
  const char *one[1] = {"x"}, *bad[1] = {BAD_UTF8}, *eq[1] = {"A=B"}, *empty[1] = {""};

  /* functions without handles */
  check_cell("wb_version", "matches the header", strcmp(wb_version(), WASMBOUND_VERSION) == 0);
  check_cell("wb_status_name", "unknown status", strcmp(wb_status_name((wb_status_t)999), "WB_ERR_UNKNOWN_STATUS") == 0);
  check_cell("wb_status_name", "negative status", wb_status_name((wb_status_t)-1) != NULL);
  CELL("wb_set_error", "NULL message", WB_ERR_TRAP, "(no message)", wb_set_error(WB_ERR_TRAP, NULL));
  check_cell("wb_last_error", "never NULL", wb_last_error() != NULL);
  check_cell("wb_last_trap_code", "not a trap", wb_last_trap_code() == WB_TRAP_NONE);
  check_cell("wb_last_exit_code", "not an exit", wb_last_exit_code() == -1);
  wb_extern_list_dispose(NULL);
  check_cell("wb_extern_list_dispose", "NULL", 1);
  wb_bytes_dispose(NULL);
  check_cell("wb_bytes_dispose", "NULL", 1);
  CELL("wb_stats_get", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_stats_get(NULL));
  {
    wb_stats_t unversioned;
    memset(&unversioned, 0, sizeof unversioned);
    CELL("wb_stats_get", "version 0", WB_ERR_INVALID_ARGUMENT, "WB_STATS_INIT", wb_stats_get(&unversioned));
    unversioned.version = WB_STATS_VERSION + 1;
    CELL("wb_stats_get", "future version", WB_ERR_INVALID_ARGUMENT, "versions 1 to", wb_stats_get(&unversioned));
  }
  check_cell("wb_trap_code_name", "known code", strcmp(wb_trap_code_name(WB_TRAP_UNREACHABLE), "UNREACHABLE") == 0);
  check_cell("wb_trap_code_name", "unknown code", strcmp(wb_trap_code_name((wb_trap_code_t)999), "UNKNOWN") == 0);
  CELL("wb_store_limits_init", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_store_limits_init(NULL, WB_STORE_LIMITS_VERSION));
  CELL("wb_store_limits_init", "version 0", WB_ERR_INVALID_ARGUMENT, "version", wb_store_limits_init(&lim, 0));
  OK(wb_store_limits_init(&lim, WB_STORE_LIMITS_VERSION));
  CELL("wb_set_log_callback", "bad level", WB_ERR_INVALID_ARGUMENT, "min_level", wb_set_log_callback(NULL, NULL, (wb_log_level_t)9));

  /* engine */
  CELL("wb_engine_config_init", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_engine_config_init(NULL, WB_ENGINE_CONFIG_VERSION));
  CELL("wb_engine_config_init", "future version", WB_ERR_INVALID_ARGUMENT, "versions 1 to",
       wb_engine_config_init(&ecfg, WB_ENGINE_CONFIG_VERSION + 1));
  OK(wb_engine_config_init(&ecfg, WB_ENGINE_CONFIG_VERSION));
  CELL("wb_engine_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_engine_new(NULL, NULL));
  ecfg.version = 77;
  CELL("wb_engine_new", "uninitialised config", WB_ERR_INVALID_ARGUMENT, "wb_engine_config_init", wb_engine_new(&ecfg, &e));
  OK(wb_engine_config_init(&ecfg, WB_ENGINE_CONFIG_VERSION));
  ecfg.opt_level = (wb_opt_level_t)77;
  CELL("wb_engine_new", "bad enum", WB_ERR_INVALID_ARGUMENT, "opt_level", wb_engine_new(&ecfg, &e));
  OK(wb_engine_config_init(&ecfg, WB_ENGINE_CONFIG_VERSION));
  ecfg.max_wasm_stack = (uint64_t)1 << 40;
  CELL("wb_engine_new", "oversized stack", WB_ERR_INVALID_ARGUMENT, "max_wasm_stack", wb_engine_new(&ecfg, &e));
  HANDLE_CELLS("wb_engine_delete", K_ENGINE, wb_engine_t, 1, wb_engine_delete(h));

  /* modules */
  HANDLE_CELLS("wb_module_new", K_ENGINE, wb_engine_t, 0, wb_module_new(h, wat, watlen, &m));
  CELL("wb_module_new", "NULL bytes", WB_ERR_INVALID_ARGUMENT, "NULL", wb_module_new(E, NULL, watlen, &m));
  CELL("wb_module_new", "zero length", WB_ERR_INVALID_ARGUMENT, "len", wb_module_new(E, wat, 0, &m));
  CELL("wb_module_new", "overflowing length", WB_ERR_INVALID_ARGUMENT, "limit", wb_module_new(E, wat, huge, &m));
  CELL("wb_module_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_module_new(E, wat, watlen, NULL));
  CELL("wb_module_new", "invalid UTF-8 text", WB_ERR_COMPILE, "", wb_module_new(E, (const uint8_t *)BAD_UTF8, 3, &m));
  HANDLE_CELLS("wb_module_validate", K_ENGINE, wb_engine_t, 0, wb_module_validate(h, wat, watlen));
  CELL("wb_module_validate", "NULL bytes", WB_ERR_INVALID_ARGUMENT, "NULL", wb_module_validate(E, NULL, 4));
  CELL("wb_module_validate", "overflowing length", WB_ERR_INVALID_ARGUMENT, "limit", wb_module_validate(E, wat, huge));
  HANDLE_CELLS("wb_module_delete", K_MODULE, wb_module_t, 1, wb_module_delete(h));
  HANDLE_CELLS("wb_module_imports", K_MODULE, wb_module_t, 0, wb_module_imports(h, &list));
  CELL("wb_module_imports", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_module_imports(M, NULL));
  HANDLE_CELLS("wb_module_exports", K_MODULE, wb_module_t, 0, wb_module_exports(h, &list));
  CELL("wb_module_exports", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_module_exports(M, NULL));
  HANDLE_CELLS("wb_module_serialize", K_MODULE, wb_module_t, 0, wb_module_serialize(h, &bytes));
  CELL("wb_module_serialize", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_module_serialize(M, NULL));
  HANDLE_CELLS("wb_module_deserialize", K_ENGINE, wb_engine_t, 0, wb_module_deserialize(h, buf, 8, &m));
  CELL("wb_module_deserialize", "NULL bytes", WB_ERR_INVALID_ARGUMENT, "NULL", wb_module_deserialize(E, NULL, 8, &m));
  CELL("wb_module_deserialize", "overflowing length", WB_ERR_INVALID_ARGUMENT, "limit", wb_module_deserialize(E, buf, huge, &m));
  CELL("wb_module_deserialize", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_module_deserialize(E, buf, 8, NULL));
  memset(buf, 0x41, sizeof buf);
  CELL("wb_module_deserialize", "garbage", WB_ERR_COMPILE, "deserialize", wb_module_deserialize(E, buf, 8, &m));

  /* stores */
  HANDLE_CELLS("wb_store_new", K_ENGINE, wb_engine_t, 0, wb_store_new(h, &s));
  CELL("wb_store_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_store_new(E, NULL));
  HANDLE_CELLS("wb_store_delete", K_STORE, wb_store_t, 1, wb_store_delete(h));
  HANDLE_CELLS("wb_store_abandon", K_STORE, wb_store_t, 1, wb_store_abandon(h));
  {
    wb_store_t mine;
    OK(wb_store_new(E, &mine));
    CELL("wb_store_abandon", "own store: deleted now", WB_OK, "", wb_store_abandon(mine));
    CELL("wb_store_abandon", "already deleted", WB_ERR_INVALID_HANDLE, "deleted", wb_store_abandon(mine));
  }
  HANDLE_CELLS("wb_store_release", K_STORE, wb_store_t, 0, wb_store_release(h));
  HANDLE_CELLS("wb_store_adopt", K_STORE, wb_store_t, 0, wb_store_adopt(h));
  HANDLE_CELLS("wb_store_interrupt", K_STORE, wb_store_t, 0, wb_store_interrupt(h));
  HANDLE_CELLS("wb_store_set_fuel", K_STORE, wb_store_t, 0, wb_store_set_fuel(h, 1));
  CELL("wb_store_set_fuel", "fuel disabled", WB_ERR_INVALID_ARGUMENT, "consume_fuel", wb_store_set_fuel(S, 1));
  HANDLE_CELLS("wb_store_get_fuel", K_STORE, wb_store_t, 0, wb_store_get_fuel(h, &u));
  CELL("wb_store_get_fuel", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_store_get_fuel(S, NULL));
  HANDLE_CELLS("wb_store_set_limits", K_STORE, wb_store_t, 0, wb_store_set_limits(h, &lim));
  CELL("wb_store_set_limits", "NULL limits", WB_ERR_INVALID_ARGUMENT, "NULL", wb_store_set_limits(S, NULL));
  HANDLE_CELLS("wb_store_set_call_timeout", K_STORE, wb_store_t, 0, wb_store_set_call_timeout(h, 1));
  CELL("wb_store_set_call_timeout", "overflowing time", WB_ERR_INVALID_ARGUMENT, "too long", wb_store_set_call_timeout(S, UINT64_MAX));
  HANDLE_CELLS("wb_store_set_deadline", K_STORE, wb_store_t, 0, wb_store_set_deadline(h, 1));
  CELL("wb_store_set_deadline", "overflowing time", WB_ERR_INVALID_ARGUMENT, "too long", wb_store_set_deadline(S, UINT64_MAX));

  /* instances and exports */
  HANDLE_CELLS("wb_instance_new", K_STORE, wb_store_t, 0, wb_instance_new(h, M, &i));
  HANDLE_CELLS("wb_instance_new", K_MODULE, wb_module_t, 0, wb_instance_new(S, h, &i));
  CELL("wb_instance_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_instance_new(S, M, NULL));
  CELL("wb_instance_new", "module with imports", WB_ERR_LINK, "use a linker", wb_instance_new(S, module_with_imports, &i));
  HANDLE_CELLS("wb_instance_get_func", K_INSTANCE, wb_instance_t, 0, wb_instance_get_func(h, "add", &f));
  HANDLE_CELLS("wb_instance_get_memory", K_INSTANCE, wb_instance_t, 0, wb_instance_get_memory(h, "mem", &mem));
  HANDLE_CELLS("wb_instance_get_global", K_INSTANCE, wb_instance_t, 0, wb_instance_get_global(h, "g", &g));
  CELL("wb_instance_get_func", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_instance_get_func(I, NULL, &f));
  CELL("wb_instance_get_func", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_instance_get_func(I, BAD_UTF8, &f));
  CELL("wb_instance_get_func", "overlong name", WB_ERR_INVALID_ARGUMENT, "longer than", wb_instance_get_func(I, long_name, &f));
  CELL("wb_instance_get_func", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_instance_get_func(I, "add", NULL));
  CELL("wb_instance_get_func", "other kind", WB_ERR_TYPE_MISMATCH, "not a function", wb_instance_get_func(I, "mem", &f));
  CELL("wb_instance_get_memory", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_instance_get_memory(I, BAD_UTF8, &mem));
  CELL("wb_instance_get_memory", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_instance_get_memory(I, "mem", NULL));
  CELL("wb_instance_get_memory", "missing", WB_ERR_NOT_FOUND, "\"zz\"", wb_instance_get_memory(I, "zz", &mem));
  CELL("wb_instance_get_global", "overlong name", WB_ERR_INVALID_ARGUMENT, "longer than", wb_instance_get_global(I, long_name, &g));
  CELL("wb_instance_get_global", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_instance_get_global(I, "g", NULL));

  /* calls, memory, globals */
  HANDLE_CELLS("wb_func_call", K_FUNC, wb_func_t, 0, wb_func_call(h, a, 2, r, 1));
  CELL("wb_func_call", "NULL args", WB_ERR_INVALID_ARGUMENT, "args is NULL", wb_func_call(F, NULL, 2, r, 1));
  CELL("wb_func_call", "NULL results", WB_ERR_INVALID_ARGUMENT, "results is NULL", wb_func_call(F, a, 2, NULL, 1));
  CELL("wb_func_call", "count", WB_ERR_TYPE_MISMATCH, "takes 2", wb_func_call(F, a, SIZE_MAX, r, 1));
  a[1].kind = (wb_valkind_t)12345;
  CELL("wb_func_call", "invalid kind", WB_ERR_TYPE_MISMATCH, "invalid wb_valkind_t", wb_func_call(F, a, 2, r, 1));
  a[1] = val_i32(2);
  HANDLE_CELLS("wb_func_arity", K_FUNC, wb_func_t, 0, wb_func_arity(h, &n1, &n2));
  HANDLE_CELLS("wb_func_check_type", K_FUNC, wb_func_t, 0, wb_func_check_type(h, add_kinds, 2, add_kinds, 1));
  {
    wb_typed_func_t tf;
    wb_raw_t raw[2] = {{.i32 = 1}, {.i32 = 2}};
    HANDLE_CELLS("wb_func_typed", K_FUNC, wb_func_t, 0, wb_func_typed(h, add_kinds, 2, add_kinds, 1, &tf));
    CELL("wb_func_typed", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_func_typed(F, add_kinds, 2, add_kinds, 1, NULL));
    CELL("wb_func_typed", "NULL params", WB_ERR_INVALID_ARGUMENT, "params is NULL", wb_func_typed(F, NULL, 2, add_kinds, 1, &tf));
    CELL("wb_func_typed", "wrong type", WB_ERR_TYPE_MISMATCH, "not (func (param i64 i32)", wb_func_typed(F, i64_i32, 2, add_kinds, 1, &tf));
    CELL("wb_func_typed", "reference kind", WB_ERR_TYPE_MISMATCH, "numbers and v128 only", wb_func_typed(F, ext, 1, add_kinds, 1, &tf));
    CELL("wb_func_typed", "matching type", WB_OK, "", wb_func_typed(F, add_kinds, 2, add_kinds, 1, &tf));
    CELL("wb_typed_call", "null handle", WB_ERR_INVALID_HANDLE, "null", wb_typed_call((wb_typed_func_t){0}, raw, 2));
    CELL("wb_typed_call", "wrong-kind handle", WB_ERR_INVALID_HANDLE, "wrong kind", wb_typed_call((wb_typed_func_t){F.id}, raw, 2));
    CELL("wb_typed_call", "forged handle", WB_ERR_INVALID_HANDLE, "", wb_typed_call((wb_typed_func_t){tf.id ^ (UINT64_C(0x5a5a) << 40)}, raw, 2));
    CELL("wb_typed_call", "short buffer", WB_ERR_INVALID_ARGUMENT, "room for 1", wb_typed_call(tf, raw, 1));
    CELL("wb_typed_call", "NULL vals", WB_ERR_INVALID_ARGUMENT, "NULL", wb_typed_call(tf, NULL, 2));
    CELL("wb_typed_call", "a call", WB_OK, "", wb_typed_call(tf, raw, 2));
    check_cell("wb_typed_call", "its result", raw[0].i32 == 3);
  }
  CELL("wb_func_check_type", "matching type", WB_OK, "", wb_func_check_type(F, add_kinds, 2, add_kinds, 1));
  CELL("wb_func_check_type", "NULL params", WB_ERR_INVALID_ARGUMENT, "params is NULL", wb_func_check_type(F, NULL, 2, add_kinds, 1));
  CELL("wb_func_check_type", "NULL results", WB_ERR_INVALID_ARGUMENT, "results is NULL", wb_func_check_type(F, add_kinds, 2, NULL, 1));
  CELL("wb_func_check_type", "count", WB_ERR_TYPE_MISMATCH, "(func (param i32 i32) (result i32)), not (func (param i32 i32 i32)",
       wb_func_check_type(F, add_kinds, 3, add_kinds, 1));
  CELL("wb_func_check_type", "kind", WB_ERR_TYPE_MISMATCH, "not (func (param i64 i32) (result i32))",
       wb_func_check_type(F, i64_i32, 2, add_kinds, 1));
  CELL("wb_func_check_type", "huge count", WB_ERR_TYPE_MISMATCH, "not a type of", wb_func_check_type(F, add_kinds, SIZE_MAX, add_kinds, 1));
  CELL("wb_func_check_type", "invalid kind", WB_ERR_TYPE_MISMATCH, "a type wasmbound cannot pass",
       wb_func_check_type(F, bogus_kinds, 2, add_kinds, 1));
  HANDLE_CELLS("wb_memory_size", K_MEMORY, wb_memory_t, 0, wb_memory_size(h, &u));
  CELL("wb_memory_size", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_memory_size(MEM, NULL));
  HANDLE_CELLS("wb_memory_grow", K_MEMORY, wb_memory_t, 0, wb_memory_grow(h, 1, &u));
  CELL("wb_memory_grow", "overflowing pages", WB_ERR_LIMIT, "", wb_memory_grow(MEM, UINT64_MAX, &u));
  HANDLE_CELLS("wb_memory_read", K_MEMORY, wb_memory_t, 0, wb_memory_read(h, 0, buf, 4));
  CELL("wb_memory_read", "NULL buffer", WB_ERR_INVALID_ARGUMENT, "NULL", wb_memory_read(MEM, 0, NULL, 4));
  CELL("wb_memory_read", "overflowing length", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_memory_read(MEM, 8, buf, SIZE_MAX));
  CELL("wb_memory_read", "overflowing offset", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_memory_read(MEM, UINT64_MAX, buf, 4));
  HANDLE_CELLS("wb_memory_write", K_MEMORY, wb_memory_t, 0, wb_memory_write(h, 0, buf, 4));
  CELL("wb_memory_write", "NULL buffer", WB_ERR_INVALID_ARGUMENT, "NULL", wb_memory_write(MEM, 0, NULL, 4));
  CELL("wb_memory_write", "overflowing length", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_memory_write(MEM, 8, buf, SIZE_MAX));
  HANDLE_CELLS("wb_global_get", K_GLOBAL, wb_global_t, 0, wb_global_get(h, r));
  CELL("wb_global_get", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_global_get(G, NULL));
  HANDLE_CELLS("wb_global_set", K_GLOBAL, wb_global_t, 0, wb_global_set(h, &a[0]));
  CELL("wb_global_set", "NULL value", WB_ERR_INVALID_ARGUMENT, "NULL", wb_global_set(G, NULL));
  r[0] = val_i64(1);
  CELL("wb_global_set", "wrong kind of value", WB_ERR_TYPE_MISMATCH, "expected i32", wb_global_set(G, &r[0]));

  /* linkers */
  HANDLE_CELLS("wb_linker_new", K_ENGINE, wb_engine_t, 0, wb_linker_new(h, &l));
  CELL("wb_linker_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_linker_new(E, NULL));
  HANDLE_CELLS("wb_linker_delete", K_LINKER, wb_linker_t, 1, wb_linker_delete(h));
  HANDLE_CELLS("wb_linker_allow_shadowing", K_LINKER, wb_linker_t, 0, wb_linker_allow_shadowing(h, true));
  /* a host function's definition, general or typed: the same arguments but
   * for the callback's type, the same rows */
#define DEFINE_FUNC_CELLS(FN, CB)                                                                                   \
  HANDLE_CELLS(#FN, K_LINKER, wb_linker_t, 0, FN(h, "m", "n", NULL, 0, NULL, 0, CB, NULL, NULL));                   \
  CELL(#FN, "NULL module", WB_ERR_INVALID_ARGUMENT, "module is NULL", FN(L, NULL, "n", NULL, 0, NULL, 0, CB, NULL, NULL)); \
  CELL(#FN, "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", FN(L, BAD_UTF8, "n", NULL, 0, NULL, 0, CB, NULL, NULL)); \
  CELL(#FN, "NULL name", WB_ERR_INVALID_ARGUMENT, "name is NULL", FN(L, "m", NULL, NULL, 0, NULL, 0, CB, NULL, NULL)); \
  CELL(#FN, "overlong name", WB_ERR_INVALID_ARGUMENT, "longer than", FN(L, "m", long_name, NULL, 0, NULL, 0, CB, NULL, NULL)); \
  CELL(#FN, "NULL callback", WB_ERR_INVALID_ARGUMENT, "callback", FN(L, "m", "n", NULL, 0, NULL, 0, NULL, NULL, NULL)); \
  CELL(#FN, "NULL params", WB_ERR_INVALID_ARGUMENT, "params is NULL", FN(L, "m", "n", NULL, 3, NULL, 0, CB, NULL, NULL)); \
  CELL(#FN, "NULL results", WB_ERR_INVALID_ARGUMENT, "results is NULL", FN(L, "m", "n", NULL, 0, NULL, 3, CB, NULL, NULL)); \
  CELL(#FN, "anyref", WB_ERR_INVALID_ARGUMENT, "params[0]", FN(L, "m", "n", ext, 1, NULL, 0, CB, NULL, NULL));       \
  CELL(#FN, "overflowing count", WB_ERR_INVALID_ARGUMENT, "more than", FN(L, "m", "n", i32, SIZE_MAX, NULL, 0, CB, NULL, NULL))
  DEFINE_FUNC_CELLS(wb_linker_define_func, noop);
  DEFINE_FUNC_CELLS(wb_linker_define_func_typed, noop_typed);
#undef DEFINE_FUNC_CELLS
  {
    const wb_valkind_t fref[1] = {WB_FUNCREF};
    CELL("wb_linker_define_func_typed", "reference kind", WB_ERR_INVALID_ARGUMENT, "numbers and v128 only", wb_linker_define_func_typed(L, "m", "n", i32, 1, fref, 1, noop_typed, NULL, NULL));
  }
  CELL("wb_linker_define_func_typed", "bogus kind", WB_ERR_INVALID_ARGUMENT, "params[0]", wb_linker_define_func_typed(L, "m", "n", bogus_kinds, 2, NULL, 0, noop_typed, NULL, NULL));
  HANDLE_CELLS("wb_linker_define_instance", K_LINKER, wb_linker_t, 0, wb_linker_define_instance(h, "m", I));
  HANDLE_CELLS("wb_linker_define_instance", K_INSTANCE, wb_instance_t, 0, wb_linker_define_instance(L, "m", h));
  CELL("wb_linker_define_instance", "NULL module", WB_ERR_INVALID_ARGUMENT, "NULL", wb_linker_define_instance(L, NULL, I));
  CELL("wb_linker_define_instance", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_linker_define_instance(L, BAD_UTF8, I));
  HANDLE_CELLS("wb_linker_define_wasi", K_LINKER, wb_linker_t, 0, wb_linker_define_wasi(h));
  HANDLE_CELLS("wb_linker_define_shared_memory", K_LINKER, wb_linker_t, 0, wb_linker_define_shared_memory(h, "m", "n", SM));
  HANDLE_CELLS("wb_linker_define_shared_memory", K_SHMEM, wb_shared_memory_t, 0, wb_linker_define_shared_memory(L, "m", "n", h));
  CELL("wb_linker_define_shared_memory", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_linker_define_shared_memory(L, "m", NULL, SM));
  HANDLE_CELLS("wb_linker_instantiate", K_LINKER, wb_linker_t, 0, wb_linker_instantiate(h, S, M, &i));
  HANDLE_CELLS("wb_linker_instantiate", K_STORE, wb_store_t, 0, wb_linker_instantiate(L, h, M, &i));
  HANDLE_CELLS("wb_linker_instantiate", K_MODULE, wb_module_t, 0, wb_linker_instantiate(L, S, h, &i));
  CELL("wb_linker_instantiate", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_linker_instantiate(L, S, M, NULL));
  HANDLE_CELLS("wb_caller_get_memory", K_CALLER, wb_caller_t, 0, wb_caller_get_memory(h, "mem", &mem));
  HANDLE_CELLS("wb_caller_get_func", K_CALLER, wb_caller_t, 0, wb_caller_get_func(h, "add", &f));
  HANDLE_CELLS("wb_caller_get_global", K_CALLER, wb_caller_t, 0, wb_caller_get_global(h, "g", &g));
  HANDLE_CELLS("wb_caller_store", K_CALLER, wb_caller_t, 0, wb_caller_store(h, &s));

  /* templates */
  HANDLE_CELLS("wb_template_new", K_LINKER, wb_linker_t, 0, wb_template_new(h, M, &t));
  HANDLE_CELLS("wb_template_new", K_MODULE, wb_module_t, 0, wb_template_new(L, h, &t));
  CELL("wb_template_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_template_new(L, M, NULL));
  HANDLE_CELLS("wb_template_instantiate", K_TEMPLATE, wb_template_t, 0, wb_template_instantiate(h, S, &i));
  HANDLE_CELLS("wb_template_instantiate", K_STORE, wb_store_t, 0, wb_template_instantiate(T, h, &i));
  CELL("wb_template_instantiate", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_template_instantiate(T, S, NULL));
  HANDLE_CELLS("wb_template_delete", K_TEMPLATE, wb_template_t, 1, wb_template_delete(h));

  /* shared memory */
  HANDLE_CELLS("wb_shared_memory_new", K_ENGINE, wb_engine_t, 0, wb_shared_memory_new(h, 1, 1, &sm));
  CELL("wb_shared_memory_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_shared_memory_new(E, 1, 1, NULL));
  CELL("wb_shared_memory_new", "min > max", WB_ERR_INVALID_ARGUMENT, "min <= max", wb_shared_memory_new(E, 2, 1, &sm));
  CELL("wb_shared_memory_new", "overflowing pages", WB_ERR_INVALID_ARGUMENT, "65536", wb_shared_memory_new(E, 1, UINT32_MAX, &sm));
  HANDLE_CELLS("wb_shared_memory_delete", K_SHMEM, wb_shared_memory_t, 1, wb_shared_memory_delete(h));
  HANDLE_CELLS("wb_shared_memory_size", K_SHMEM, wb_shared_memory_t, 0, wb_shared_memory_size(h, &u));
  CELL("wb_shared_memory_size", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_shared_memory_size(SM, NULL));
  HANDLE_CELLS("wb_shared_memory_grow", K_SHMEM, wb_shared_memory_t, 0, wb_shared_memory_grow(h, 0, &u));
  CELL("wb_shared_memory_grow", "overflowing pages", WB_ERR_LIMIT, "", wb_shared_memory_grow(SM, UINT64_MAX, &u));
  HANDLE_CELLS("wb_shared_memory_read", K_SHMEM, wb_shared_memory_t, 0, wb_shared_memory_read(h, 0, buf, 4));
  CELL("wb_shared_memory_read", "NULL buffer", WB_ERR_INVALID_ARGUMENT, "NULL", wb_shared_memory_read(SM, 0, NULL, 4));
  CELL("wb_shared_memory_read", "overflowing length", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_shared_memory_read(SM, 4, buf, SIZE_MAX));
  HANDLE_CELLS("wb_shared_memory_write", K_SHMEM, wb_shared_memory_t, 0, wb_shared_memory_write(h, 0, buf, 4));
  CELL("wb_shared_memory_write", "overflowing offset", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_shared_memory_write(SM, UINT64_MAX, buf, 4));

  /* WASI */
  CELL("wb_wasi_config_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_wasi_config_new(NULL));
  HANDLE_CELLS("wb_wasi_config_delete", K_WASI, wb_wasi_config_t, 1, wb_wasi_config_delete(h));
  HANDLE_CELLS("wb_wasi_config_set_args", K_WASI, wb_wasi_config_t, 0, wb_wasi_config_set_args(h, one, 1));
  CELL("wb_wasi_config_set_args", "NULL argv", WB_ERR_INVALID_ARGUMENT, "NULL", wb_wasi_config_set_args(W, NULL, 2));
  CELL("wb_wasi_config_set_args", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_wasi_config_set_args(W, bad, 1));
  CELL("wb_wasi_config_set_args", "overflowing count", WB_ERR_INVALID_ARGUMENT, "too many", wb_wasi_config_set_args(W, one, SIZE_MAX));
  HANDLE_CELLS("wb_wasi_config_set_env", K_WASI, wb_wasi_config_t, 0, wb_wasi_config_set_env(h, one, one, 1));
  CELL("wb_wasi_config_set_env", "NULL names", WB_ERR_INVALID_ARGUMENT, "NULL", wb_wasi_config_set_env(W, NULL, one, 1));
  CELL("wb_wasi_config_set_env", "'=' in a name", WB_ERR_INVALID_ARGUMENT, "'='", wb_wasi_config_set_env(W, eq, one, 1));
  CELL("wb_wasi_config_set_env", "empty name", WB_ERR_INVALID_ARGUMENT, "empty", wb_wasi_config_set_env(W, empty, one, 1));
  CELL("wb_wasi_config_set_env", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_wasi_config_set_env(W, one, bad, 1));
  HANDLE_CELLS("wb_wasi_config_set_stdin", K_WASI, wb_wasi_config_t, 0, wb_wasi_config_set_stdin(h, buf, 1));
  CELL("wb_wasi_config_set_stdin", "NULL bytes", WB_ERR_INVALID_ARGUMENT, "NULL", wb_wasi_config_set_stdin(W, NULL, 3));
  CELL("wb_wasi_config_set_stdin", "overflowing length", WB_ERR_INVALID_ARGUMENT, "4 GiB", wb_wasi_config_set_stdin(W, buf, SIZE_MAX));
  HANDLE_CELLS("wb_wasi_config_set_max_open_files", K_WASI, wb_wasi_config_t, 0, wb_wasi_config_set_max_open_files(h, 8));
  CELL("wb_wasi_config_set_max_open_files", "zero", WB_ERR_INVALID_ARGUMENT, "outside", wb_wasi_config_set_max_open_files(W, 0));
  CELL("wb_wasi_config_set_max_open_files", "too many", WB_ERR_INVALID_ARGUMENT, "outside", wb_wasi_config_set_max_open_files(W, UINT32_MAX));
  OK(wb_wasi_config_set_max_open_files(W, 128));
  HANDLE_CELLS("wb_wasi_config_set_output_limit", K_WASI, wb_wasi_config_t, 0, wb_wasi_config_set_output_limit(h, 8));
  OK(wb_wasi_config_set_output_limit(W, (uint64_t)1 << 20));
  HANDLE_CELLS("wb_wasi_config_set_stdout", K_WASI, wb_wasi_config_t, 0, wb_wasi_config_set_stdout(h, WB_STDIO_INHERIT, NULL));
  CELL("wb_wasi_config_set_stdout", "bad mode", WB_ERR_INVALID_ARGUMENT, "wb_stdio_mode_t", wb_wasi_config_set_stdout(W, (wb_stdio_mode_t)9, NULL));
  CELL("wb_wasi_config_set_stdout", "file without path", WB_ERR_INVALID_ARGUMENT, "NULL", wb_wasi_config_set_stdout(W, WB_STDIO_FILE, NULL));
  CELL("wb_wasi_config_set_stdout", "stray path", WB_ERR_INVALID_ARGUMENT, "not WB_STDIO_FILE", wb_wasi_config_set_stdout(W, WB_STDIO_CAPTURE, "x"));
  HANDLE_CELLS("wb_wasi_config_set_stderr", K_WASI, wb_wasi_config_t, 0, wb_wasi_config_set_stderr(h, WB_STDIO_INHERIT, NULL));
  CELL("wb_wasi_config_set_stderr", "invalid UTF-8 path", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_wasi_config_set_stderr(W, WB_STDIO_FILE, BAD_UTF8));
  HANDLE_CELLS("wb_wasi_config_preopen_dir", K_WASI, wb_wasi_config_t, 0, wb_wasi_config_preopen_dir(h, ".", "/", true));
  CELL("wb_wasi_config_preopen_dir", "NULL host path", WB_ERR_INVALID_ARGUMENT, "host_path", wb_wasi_config_preopen_dir(W, NULL, "/", true));
  CELL("wb_wasi_config_preopen_dir", "NULL guest path", WB_ERR_INVALID_ARGUMENT, "guest_path", wb_wasi_config_preopen_dir(W, ".", NULL, true));
  HANDLE_CELLS("wb_store_set_wasi", K_STORE, wb_store_t, 0, wb_store_set_wasi(h, W));
  HANDLE_CELLS("wb_store_set_wasi", K_WASI, wb_wasi_config_t, 0, wb_store_set_wasi(S, h));
  HANDLE_CELLS("wb_store_wasi_output", K_STORE, wb_store_t, 0, wb_store_wasi_output(h, 1, &bytes));
  CELL("wb_store_wasi_output", "bad fd", WB_ERR_INVALID_ARGUMENT, "fd 0", wb_store_wasi_output(S, 0, &bytes));
  CELL("wb_store_wasi_output", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_store_wasi_output(S, 1, NULL));
  CELL("wb_store_wasi_output", "not captured", WB_ERR_INVALID_ARGUMENT, "not captured", wb_store_wasi_output(S, 2, &bytes));
  HANDLE_CELLS("wb_store_wasi_output_dropped", K_STORE, wb_store_t, 0, wb_store_wasi_output_dropped(h, 1, &u));
  CELL("wb_store_wasi_output_dropped", "bad fd", WB_ERR_INVALID_ARGUMENT, "fd 3", wb_store_wasi_output_dropped(S, 3, &u));
  CELL("wb_store_wasi_output_dropped", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_store_wasi_output_dropped(S, 1, NULL));
  CELL("wb_store_wasi_output_dropped", "not captured", WB_ERR_INVALID_ARGUMENT, "not captured", wb_store_wasi_output_dropped(S, 2, &u));

  /* pools and futures */
  CELL("wb_pool_config_init", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_pool_config_init(NULL, WB_POOL_CONFIG_VERSION));
  CELL("wb_pool_config_init", "version 0", WB_ERR_INVALID_ARGUMENT, "version", wb_pool_config_init(&pcfg, 0));
  OK(wb_pool_config_init(&pcfg, WB_POOL_CONFIG_VERSION));
  HANDLE_CELLS("wb_pool_new", K_ENGINE, wb_engine_t, 0, wb_pool_new(h, T, &pcfg, &p));
  HANDLE_CELLS("wb_pool_new", K_TEMPLATE, wb_template_t, 0, wb_pool_new(E, h, &pcfg, &p));
  CELL("wb_pool_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_pool_new(E, T, &pcfg, NULL));
  pcfg.queue_capacity = 0;
  CELL("wb_pool_new", "zero queue", WB_ERR_INVALID_ARGUMENT, "queue_capacity", wb_pool_new(E, T, &pcfg, &p));
  pcfg.queue_capacity = 8;
  pcfg.workers = 100000;
  CELL("wb_pool_new", "too many workers", WB_ERR_INVALID_ARGUMENT, "workers", wb_pool_new(E, T, &pcfg, &p));
  HANDLE_CELLS("wb_pool_func_index", K_POOL, wb_pool_t, 0, wb_pool_func_index(h, "add", &idx));
  CELL("wb_pool_func_index", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_pool_func_index(P, NULL, &idx));
  CELL("wb_pool_func_index", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_pool_func_index(P, BAD_UTF8, &idx));
  CELL("wb_pool_func_index", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_pool_func_index(P, "add", NULL));
  CELL("wb_pool_func_index", "not a function", WB_ERR_NOT_FOUND, "\"mem\"", wb_pool_func_index(P, "mem", &idx));
  HANDLE_CELLS("wb_pool_call", K_POOL, wb_pool_t, 0, wb_pool_call(h, "add", a, 2, r, 1));
  CELL("wb_pool_call", "overlong name", WB_ERR_INVALID_ARGUMENT, "longer than", wb_pool_call(P, long_name, a, 2, r, 1));
  CELL("wb_pool_call", "NULL args", WB_ERR_INVALID_ARGUMENT, "args is NULL", wb_pool_call(P, "add", NULL, 2, r, 1));
  HANDLE_CELLS("wb_pool_call_index", K_POOL, wb_pool_t, 0, wb_pool_call_index(h, add_index, a, 2, r, 1));
  CELL("wb_pool_call_index", "bad index", WB_ERR_NOT_FOUND, "index", wb_pool_call_index(P, UINT32_MAX, a, 2, r, 1));
  CELL("wb_pool_call_index", "NULL results", WB_ERR_INVALID_ARGUMENT, "results is NULL", wb_pool_call_index(P, add_index, a, 2, NULL, 1));
  HANDLE_CELLS("wb_pool_submit", K_POOL, wb_pool_t, 0, wb_pool_submit(h, add_index, a, 2, true, &fu));
  CELL("wb_pool_submit", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_pool_submit(P, add_index, a, 2, true, NULL));
  CELL("wb_pool_submit", "count", WB_ERR_TYPE_MISMATCH, "takes 2", wb_pool_submit(P, add_index, a, SIZE_MAX, true, &fu));
  static wb_future_t fus[2048];
  HANDLE_CELLS("wb_pool_submit_batch", K_POOL, wb_pool_t, 0, wb_pool_submit_batch(h, add_index, a, 2, 1, true, fus));
  CELL("wb_pool_submit_batch", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_pool_submit_batch(P, add_index, a, 2, 1, true, NULL));
  CELL("wb_pool_submit_batch", "NULL args", WB_ERR_INVALID_ARGUMENT, "args is NULL", wb_pool_submit_batch(P, add_index, NULL, 2, 2, true, fus));
  CELL("wb_pool_submit_batch", "count", WB_ERR_TYPE_MISMATCH, "takes 2", wb_pool_submit_batch(P, add_index, a, 1, 2, true, fus));
  CELL("wb_pool_submit_batch", "bad index", WB_ERR_NOT_FOUND, "index", wb_pool_submit_batch(P, UINT32_MAX, a, 2, 1, true, fus));
  CELL("wb_pool_submit_batch", "more than the queue", WB_ERR_INVALID_ARGUMENT, "never fit", wb_pool_submit_batch(P, add_index, a, 2, 2048, true, fus));
  CELL("wb_pool_submit_batch", "SIZE_MAX calls", WB_ERR_INVALID_ARGUMENT, "ncalls", wb_pool_submit_batch(P, add_index, a, 2, SIZE_MAX, true, fus));
  CELL("wb_pool_submit_batch", "zero calls", WB_OK, "", wb_pool_submit_batch(P, add_index, NULL, 2, 0, true, NULL));
  HANDLE_CELLS("wb_future_on_complete", K_FUTURE, wb_future_t, 0, wb_future_on_complete(h, ignore_completion, NULL));
  CELL("wb_future_on_complete", "NULL callback", WB_ERR_INVALID_ARGUMENT, "NULL", wb_future_on_complete(FU, NULL, NULL));
  CELL("wb_future_on_complete", "first", WB_OK, "", wb_future_on_complete(FU, ignore_completion, NULL));
  CELL("wb_future_on_complete", "second", WB_ERR_BUSY, "already", wb_future_on_complete(FU, ignore_completion, NULL));
  int nfd;
  HANDLE_CELLS("wb_pool_notify_fd", K_POOL, wb_pool_t, 0, wb_pool_notify_fd(h, &nfd));
  CELL("wb_pool_notify_fd", "NULL fd", WB_ERR_INVALID_ARGUMENT, "NULL", wb_pool_notify_fd(P, NULL));
  HANDLE_CELLS("wb_future_wait", K_FUTURE, wb_future_t, 0, wb_future_wait(h, 0, r, 1));
  CELL("wb_future_wait", "NULL results", WB_ERR_INVALID_ARGUMENT, "NULL", wb_future_wait(FU, 0, NULL, 1));
  CELL("wb_future_wait", "result count", WB_ERR_TYPE_MISMATCH, "returns 1", wb_future_wait(FU, 0, r, 2));
  HANDLE_CELLS("wb_future_poll", K_FUTURE, wb_future_t, 0, wb_future_poll(h, &done));
  CELL("wb_future_poll", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_future_poll(FU, NULL));
  HANDLE_CELLS("wb_future_cancel", K_FUTURE, wb_future_t, 0, wb_future_cancel(h));
  HANDLE_CELLS("wb_future_delete", K_FUTURE, wb_future_t, 1, wb_future_delete(h));
  HANDLE_CELLS("wb_pool_shutdown", K_POOL, wb_pool_t, 0, wb_pool_shutdown(h, WB_SHUTDOWN_DRAIN));
  CELL("wb_pool_shutdown", "bad mode", WB_ERR_INVALID_ARGUMENT, "wb_shutdown_mode_t", wb_pool_shutdown(P, (wb_shutdown_mode_t)9));
  HANDLE_CELLS("wb_pool_stats_get", K_POOL, wb_pool_t, 0, wb_pool_stats_get(h, &pstats));
  CELL("wb_pool_stats_get", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_pool_stats_get(P, NULL));
  HANDLE_CELLS("wb_pool_delete", K_POOL, wb_pool_t, 1, wb_pool_delete(h));
  (void)stats;
}

/* ---- tables, references, full types, host-made externs ------------------------------- */

static int finalized;
static void count_finalizer(void *data) { (void)data, finalized++; }

static void reference_cells(void) {
  wb_store_t S = {o.live[K_STORE]};
  wb_instance_t I = {o.live[K_INSTANCE]};
  wb_func_t F = {o.live[K_FUNC]}, f;
  wb_memory_t MEM = {o.live[K_MEMORY]}, mem;
  wb_global_t G = {o.live[K_GLOBAL]}, g;
  wb_linker_t L = {o.live[K_LINKER]};
  wb_table_t TB = {o.live[K_TABLE]}, tb;
  wb_ref_t R = {o.live[K_REF]}, rf;
  wb_extern_t x, item = {WB_EXTERN_MEMORY, {.memory = MEM}};
  wb_export_list_t el = WB_EXPORT_LIST_INIT;
  wb_valtype_t vt[2];
  wb_globaltype_t gt = {{WB_I32, 0, 0, 0, 0}, true};
  wb_memorytype_t mt = {1, 2, true, false, false, 16};
  wb_tabletype_t tt = {{WB_EXTERNREF, 1, WB_HEAP_EXTERN, 0, 0}, 1, 0, false, false};
  wb_refkind_t rk;
  wb_val_t v, i32v = val_i32(1), nullext;
  memset(&nullext, 0, sizeof nullext);
  nullext.kind = WB_EXTERNREF;
  uint64_t u;
  int32_t v32;
  bool same;
  void *data;
  const wb_valkind_t i32k[1] = {WB_I32}, anyk[1] = {WB_ANYREF};

  /* exports */
  HANDLE_CELLS("wb_instance_get_table", K_INSTANCE, wb_instance_t, 0, wb_instance_get_table(h, "tab", &tb));
  CELL("wb_instance_get_table", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_instance_get_table(I, NULL, &tb));
  CELL("wb_instance_get_table", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_instance_get_table(I, BAD_UTF8, &tb));
  CELL("wb_instance_get_table", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_instance_get_table(I, "tab", NULL));
  CELL("wb_instance_get_table", "other kind", WB_ERR_TYPE_MISMATCH, "not a table", wb_instance_get_table(I, "mem", &tb));
  HANDLE_CELLS("wb_instance_get_export", K_INSTANCE, wb_instance_t, 0, wb_instance_get_export(h, "add", 3, &x));
  CELL("wb_instance_get_export", "NULL name", WB_ERR_INVALID_ARGUMENT, "NULL", wb_instance_get_export(I, NULL, 3, &x));
  CELL("wb_instance_get_export", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_instance_get_export(I, BAD_UTF8, 3, &x));
  CELL("wb_instance_get_export", "overlong name", WB_ERR_INVALID_ARGUMENT, "longer than", wb_instance_get_export(I, long_name, sizeof long_name - 1, &x));
  CELL("wb_instance_get_export", "overflowing length", WB_ERR_INVALID_ARGUMENT, "longer than", wb_instance_get_export(I, "add", SIZE_MAX, &x));
  CELL("wb_instance_get_export", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_instance_get_export(I, "add", 3, NULL));
  CELL("wb_instance_get_export", "missing", WB_ERR_NOT_FOUND, "", wb_instance_get_export(I, "add", 2, &x));
  HANDLE_CELLS("wb_instance_exports", K_INSTANCE, wb_instance_t, 0, wb_instance_exports(h, &el));
  CELL("wb_instance_exports", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_instance_exports(I, NULL));
  el.version = 0;
  CELL("wb_instance_exports", "version 0", WB_ERR_INVALID_ARGUMENT, "WB_EXPORT_LIST_INIT", wb_instance_exports(I, &el));
  wb_export_list_dispose(NULL);
  check_cell("wb_export_list_dispose", "NULL", 1);

  /* types */
  HANDLE_CELLS("wb_func_type", K_FUNC, wb_func_t, 0, wb_func_type(h, vt, 2, vt, 1));
  CELL("wb_func_type", "arrays too small", WB_ERR_INVALID_ARGUMENT, "room", wb_func_type(F, vt, 1, vt, 1));
  CELL("wb_func_type", "NULL params", WB_ERR_INVALID_ARGUMENT, "NULL", wb_func_type(F, NULL, 2, vt, 1));
  HANDLE_CELLS("wb_global_type", K_GLOBAL, wb_global_t, 0, wb_global_type(h, &gt));
  CELL("wb_global_type", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_global_type(G, NULL));
  HANDLE_CELLS("wb_memory_type", K_MEMORY, wb_memory_t, 0, wb_memory_type(h, &mt));
  CELL("wb_memory_type", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_memory_type(MEM, NULL));

  /* linking a store's extern (every cell fails: L must stay free of stores) */
  HANDLE_CELLS("wb_linker_define_extern", K_LINKER, wb_linker_t, 0, wb_linker_define_extern(h, "m", 1, "n", 1, &item));
  HANDLE_CELLS("wb_linker_define_extern", K_MEMORY, wb_memory_t, 0,
               wb_linker_define_extern(L, "m", 1, "n", 1, &(wb_extern_t){WB_EXTERN_MEMORY, {.memory = h}}));
  CELL("wb_linker_define_extern", "NULL item", WB_ERR_INVALID_ARGUMENT, "item", wb_linker_define_extern(L, "m", 1, "n", 1, NULL));
  CELL("wb_linker_define_extern", "bad item kind", WB_ERR_INVALID_ARGUMENT, "item->kind",
       wb_linker_define_extern(L, "m", 1, "n", 1, &(wb_extern_t){(wb_externkind_t)9, {.memory = MEM}}));
  CELL("wb_linker_define_extern", "kind of another handle", WB_ERR_INVALID_HANDLE, "wrong kind",
       wb_linker_define_extern(L, "m", 1, "n", 1, &(wb_extern_t){WB_EXTERN_TABLE, {.memory = MEM}}));
  CELL("wb_linker_define_extern", "NULL module", WB_ERR_INVALID_ARGUMENT, "module", wb_linker_define_extern(L, NULL, 1, "n", 1, &item));
  CELL("wb_linker_define_extern", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_linker_define_extern(L, BAD_UTF8, 3, "n", 1, &item));
  CELL("wb_linker_define_extern", "overflowing length", WB_ERR_INVALID_ARGUMENT, "longer than", wb_linker_define_extern(L, "m", 1, "n", SIZE_MAX, &item));

  /* references */
  HANDLE_CELLS("wb_externref_new", K_STORE, wb_store_t, 0, wb_externref_new(h, NULL, NULL, &rf));
  finalized = 0;
  CELL("wb_externref_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_externref_new(S, &finalized, count_finalizer, NULL));
  check_cell("wb_externref_new", "finalizer of a failed call runs once", finalized == 1);
  HANDLE_CELLS("wb_externref_data", K_REF, wb_ref_t, 0, wb_externref_data(h, &data));
  CELL("wb_externref_data", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_externref_data(R, NULL));
  HANDLE_CELLS("wb_i31ref_new", K_STORE, wb_store_t, 0, wb_i31ref_new(h, 1, &rf));
  CELL("wb_i31ref_new", "engine without wasm_gc", WB_ERR_INVALID_ARGUMENT, "wasm_gc", wb_i31ref_new(S, 1, &rf));
  CELL("wb_i31ref_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_i31ref_new(S, 1, NULL));
  HANDLE_CELLS("wb_i31ref_get", K_REF, wb_ref_t, 0, wb_i31ref_get(h, true, &v32));
  CELL("wb_i31ref_get", "an externref", WB_ERR_TYPE_MISMATCH, "not an i31ref", wb_i31ref_get(R, true, &v32));
  CELL("wb_i31ref_get", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_i31ref_get(R, true, NULL));
  HANDLE_CELLS("wb_ref_kind", K_REF, wb_ref_t, 0, wb_ref_kind(h, &rk));
  CELL("wb_ref_kind", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_ref_kind(R, NULL));
  HANDLE_CELLS("wb_ref_eq", K_REF, wb_ref_t, 1, wb_ref_eq(h, R, &same)); /* null is a value: false */
  HANDLE_CELLS("wb_ref_eq", K_REF, wb_ref_t, 1, wb_ref_eq(R, h, &same));
  CELL("wb_ref_eq", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_ref_eq(R, R, NULL));
  HANDLE_CELLS("wb_ref_clone", K_REF, wb_ref_t, 0, wb_ref_clone(h, &rf));
  CELL("wb_ref_clone", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_ref_clone(R, NULL));
  HANDLE_CELLS("wb_ref_internalize", K_STORE, wb_store_t, 0, wb_ref_internalize(h, R, &rf));
  CELL("wb_ref_internalize", "deleted reference", WB_ERR_INVALID_HANDLE, "deleted", wb_ref_internalize(S, (wb_ref_t){o.deleted[K_REF]}, &rf));
  CELL("wb_ref_internalize", "engine without wasm_gc", WB_ERR_INVALID_ARGUMENT, "wasm_gc", wb_ref_internalize(S, R, &rf));
  CELL("wb_ref_internalize", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_ref_internalize(S, R, NULL));
  HANDLE_CELLS("wb_ref_externalize", K_STORE, wb_store_t, 0, wb_ref_externalize(h, (wb_ref_t){0}, &rf));
  CELL("wb_ref_externalize", "an externref", WB_ERR_TYPE_MISMATCH, "expected anyref", wb_ref_externalize(S, R, &rf));
  CELL("wb_ref_externalize", "forged reference", WB_ERR_INVALID_HANDLE, "forged", wb_ref_externalize(S, (wb_ref_t){bad_id(K_REF, C_FORGED)}, &rf));
  CELL("wb_ref_externalize", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_ref_externalize(S, R, NULL));
  HANDLE_CELLS("wb_store_gc", K_STORE, wb_store_t, 0, wb_store_gc(h));
  HANDLE_CELLS("wb_ref_delete", K_REF, wb_ref_t, 1, wb_ref_delete(h));

  /* tables */
  HANDLE_CELLS("wb_table_new", K_STORE, wb_store_t, 0, wb_table_new(h, &tt, NULL, &tb));
  CELL("wb_table_new", "NULL type", WB_ERR_INVALID_ARGUMENT, "type", wb_table_new(S, NULL, NULL, &tb));
  CELL("wb_table_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_table_new(S, &tt, NULL, NULL));
  tt.element.kind = WB_ANYREF, tt.element.heap = WB_HEAP_ANY;
  CELL("wb_table_new", "anyref elements", WB_ERR_TYPE_MISMATCH, "funcref and externref", wb_table_new(S, &tt, NULL, &tb));
  tt.element.kind = WB_EXTERNREF, tt.element.heap = WB_HEAP_EXTERN, tt.is64 = true;
  CELL("wb_table_new", "64-bit", WB_ERR_TYPE_MISMATCH, "64-bit", wb_table_new(S, &tt, NULL, &tb));
  tt.is64 = false, tt.has_max = true, tt.min = 5, tt.max = 1;
  CELL("wb_table_new", "min > max", WB_ERR_INVALID_ARGUMENT, "limits", wb_table_new(S, &tt, NULL, &tb));
  tt.has_max = false, tt.min = (uint64_t)1 << 40;
  CELL("wb_table_new", "overflowing min", WB_ERR_INVALID_ARGUMENT, "limits", wb_table_new(S, &tt, NULL, &tb));
  tt.min = 1;
  CELL("wb_table_new", "init of another kind", WB_ERR_TYPE_MISMATCH, "expected externref", wb_table_new(S, &tt, &i32v, &tb));
  HANDLE_CELLS("wb_table_type", K_TABLE, wb_table_t, 0, wb_table_type(h, &tt));
  CELL("wb_table_type", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_table_type(TB, NULL));
  HANDLE_CELLS("wb_table_size", K_TABLE, wb_table_t, 0, wb_table_size(h, &u));
  CELL("wb_table_size", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_table_size(TB, NULL));
  HANDLE_CELLS("wb_table_get", K_TABLE, wb_table_t, 0, wb_table_get(h, 0, &v));
  CELL("wb_table_get", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_table_get(TB, 0, NULL));
  CELL("wb_table_get", "out of bounds", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_table_get(TB, UINT64_MAX, &v));
  HANDLE_CELLS("wb_table_set", K_TABLE, wb_table_t, 0, wb_table_set(h, 0, &nullext));
  CELL("wb_table_set", "NULL value", WB_ERR_INVALID_ARGUMENT, "NULL", wb_table_set(TB, 0, NULL));
  CELL("wb_table_set", "out of bounds", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_table_set(TB, 1, &nullext));
  CELL("wb_table_set", "value of another kind", WB_ERR_TYPE_MISMATCH, "expected externref", wb_table_set(TB, 0, &i32v));
  v = nullext, v.of.ref = (wb_ref_t){o.deleted[K_REF]};
  CELL("wb_table_set", "deleted reference", WB_ERR_INVALID_HANDLE, "deleted", wb_table_set(TB, 0, &v));
  HANDLE_CELLS("wb_table_grow", K_TABLE, wb_table_t, 0, wb_table_grow(h, 0, NULL, &u));
  CELL("wb_table_grow", "past the maximum", WB_ERR_LIMIT, "grow", wb_table_grow(TB, 5, NULL, &u));
  CELL("wb_table_grow", "overflowing delta", WB_ERR_LIMIT, "", wb_table_grow(TB, UINT64_MAX, &nullext, &u));
  CELL("wb_table_grow", "init of another kind", WB_ERR_TYPE_MISMATCH, "expected externref", wb_table_grow(TB, 1, &i32v, &u));
  HANDLE_CELLS("wb_table_fill", K_TABLE, wb_table_t, 0, wb_table_fill(h, 0, &nullext, 1));
  CELL("wb_table_fill", "NULL value", WB_ERR_INVALID_ARGUMENT, "NULL", wb_table_fill(TB, 0, NULL, 1));
  CELL("wb_table_fill", "overflowing range", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_table_fill(TB, 1, &nullext, UINT64_MAX));
  HANDLE_CELLS("wb_table_copy", K_TABLE, wb_table_t, 0, wb_table_copy(h, 0, TB, 0, 1));
  HANDLE_CELLS("wb_table_copy", K_TABLE, wb_table_t, 0, wb_table_copy(TB, 0, h, 0, 1));
  CELL("wb_table_copy", "overflowing range", WB_ERR_OUT_OF_BOUNDS, "out of bounds", wb_table_copy(TB, 0, TB, 1, UINT64_MAX));

  /* host-made externs */
  HANDLE_CELLS("wb_memory_new", K_STORE, wb_store_t, 0, wb_memory_new(h, &mt, &mem));
  CELL("wb_memory_new", "NULL type", WB_ERR_INVALID_ARGUMENT, "type", wb_memory_new(S, NULL, &mem));
  CELL("wb_memory_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_memory_new(S, &mt, NULL));
  mt.shared = true;
  CELL("wb_memory_new", "shared", WB_ERR_INVALID_ARGUMENT, "wb_shared_memory_new", wb_memory_new(S, &mt, &mem));
  mt.shared = false, mt.min = 3;
  CELL("wb_memory_new", "min > max", WB_ERR_INVALID_ARGUMENT, "memory type", wb_memory_new(S, &mt, &mem));
  HANDLE_CELLS("wb_global_new", K_STORE, wb_store_t, 0, wb_global_new(h, &gt, &i32v, &g));
  CELL("wb_global_new", "NULL type", WB_ERR_INVALID_ARGUMENT, "type", wb_global_new(S, NULL, &i32v, &g));
  CELL("wb_global_new", "NULL value", WB_ERR_INVALID_ARGUMENT, "value", wb_global_new(S, &gt, NULL, &g));
  CELL("wb_global_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_global_new(S, &gt, &i32v, NULL));
  CELL("wb_global_new", "value of another kind", WB_ERR_TYPE_MISMATCH, "expected i32", wb_global_new(S, &gt, &nullext, &g));
  gt.content = (wb_valtype_t){WB_ANYREF, 1, WB_HEAP_ANY, 0, 0};
  CELL("wb_global_new", "anyref", WB_ERR_TYPE_MISMATCH, "nullable funcref and externref", wb_global_new(S, &gt, &i32v, &g));
  gt.content.kind = 200;
  CELL("wb_global_new", "invalid kind", WB_ERR_TYPE_MISMATCH, "", wb_global_new(S, &gt, &i32v, &g));
  HANDLE_CELLS("wb_func_new", K_STORE, wb_store_t, 0, wb_func_new(h, i32k, 1, NULL, 0, noop, NULL, NULL, &f));
  CELL("wb_func_new", "NULL callback", WB_ERR_INVALID_ARGUMENT, "callback", wb_func_new(S, NULL, 0, NULL, 0, NULL, NULL, NULL, &f));
  CELL("wb_func_new", "NULL params", WB_ERR_INVALID_ARGUMENT, "params is NULL", wb_func_new(S, NULL, 2, NULL, 0, noop, NULL, NULL, &f));
  CELL("wb_func_new", "anyref", WB_ERR_INVALID_ARGUMENT, "results[0]", wb_func_new(S, NULL, 0, anyk, 1, noop, NULL, NULL, &f));
  CELL("wb_func_new", "overflowing count", WB_ERR_INVALID_ARGUMENT, "more than", wb_func_new(S, i32k, SIZE_MAX, NULL, 0, noop, NULL, NULL, &f));
  finalized = 0;
  CELL("wb_func_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_func_new(S, NULL, 0, NULL, 0, noop, &finalized, count_finalizer, NULL));
  check_cell("wb_func_new", "finalizer of a failed call runs once", finalized == 1);
}

/* ---- setup ----------------------------------------------------------------------------- */

static void make_world(void) {
  wb_engine_t e;
  wb_module_t m;
  wb_store_t s;
  wb_instance_t i;
  wb_func_t f;
  wb_memory_t mem;
  wb_global_t g;
  wb_linker_t l;
  wb_template_t t;
  wb_wasi_config_t w;
  wb_shared_memory_t sm;
  wb_pool_t p;
  wb_future_t fu;
  OK(wb_engine_new(NULL, &e));
  m = compile_wat(e, NO_IMPORTS);
  module_with_imports = compile_wat(e, WAT);
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_func(l, "host", "misuse", NULL, 0, NULL, 0, misuse_in_callback, NULL, NULL));
  OK(wb_template_new(l, m, &t));
  OK(wb_wasi_config_new(&w));
  OK(wb_shared_memory_new(e, 1, 2, &sm));
  OK(wb_pool_new(e, t, NULL, &p));
  OK(wb_pool_func_index(p, "add", &add_index));
  wb_val_t a[2] = {val_i32(1), val_i32(2)}, r;
  OK(wb_pool_submit(p, add_index, a, 2, true, &fu));
  OK(wb_future_wait(fu, UINT64_MAX, &r, 1));

  /* a store of deleted things */
  OK(wb_store_new(e, &s));
  OK(wb_instance_new(s, m, &i));
  OK(wb_instance_get_func(i, "add", &f));
  OK(wb_instance_get_memory(i, "mem", &mem));
  OK(wb_instance_get_global(i, "g", &g));
  wb_table_t tb;
  wb_ref_t rf;
  OK(wb_instance_get_table(i, "tab", &tb));
  OK(wb_externref_new(s, NULL, NULL, &rf));
  o.deleted[K_STORE] = s.id, o.deleted[K_INSTANCE] = i.id, o.deleted[K_FUNC] = f.id;
  o.deleted[K_MEMORY] = mem.id, o.deleted[K_GLOBAL] = g.id, o.deleted[K_TABLE] = tb.id, o.deleted[K_REF] = rf.id;
  OK(wb_store_delete(s));
  /* deleted shared and builder objects */
  wb_engine_t de;
  wb_module_t dm;
  wb_linker_t dl;
  wb_template_t dt;
  wb_wasi_config_t dw;
  wb_shared_memory_t dsm;
  wb_pool_t dp;
  wb_future_t dfu;
  OK(wb_engine_new(NULL, &de));
  OK(wb_engine_delete(de));
  dm = compile_wat(e, NO_IMPORTS);
  OK(wb_module_delete(dm));
  OK(wb_linker_new(e, &dl));
  OK(wb_template_new(dl, m, &dt));
  OK(wb_template_delete(dt));
  OK(wb_linker_delete(dl));
  OK(wb_wasi_config_new(&dw));
  OK(wb_wasi_config_delete(dw));
  OK(wb_shared_memory_new(e, 1, 1, &dsm));
  OK(wb_shared_memory_delete(dsm));
  OK(wb_pool_new(e, t, NULL, &dp));
  OK(wb_pool_submit(dp, add_index, a, 2, true, &dfu));
  OK(wb_future_delete(dfu));
  OK(wb_pool_delete(dp));
  o.deleted[K_ENGINE] = de.id, o.deleted[K_MODULE] = dm.id, o.deleted[K_LINKER] = dl.id;
  o.deleted[K_TEMPLATE] = dt.id, o.deleted[K_WASI] = dw.id, o.deleted[K_SHMEM] = dsm.id;
  o.deleted[K_POOL] = dp.id, o.deleted[K_FUTURE] = dfu.id;

  /* the live world */
  OK(wb_store_new(e, &s));
  OK(wb_instance_new(s, m, &i));
  OK(wb_instance_get_func(i, "add", &f));
  OK(wb_instance_get_memory(i, "mem", &mem));
  OK(wb_instance_get_global(i, "g", &g));
  o.live[K_ENGINE] = e.id, o.live[K_MODULE] = m.id, o.live[K_STORE] = s.id, o.live[K_INSTANCE] = i.id;
  o.live[K_FUNC] = f.id, o.live[K_MEMORY] = mem.id, o.live[K_GLOBAL] = g.id, o.live[K_LINKER] = l.id;
  o.live[K_TEMPLATE] = t.id, o.live[K_WASI] = w.id, o.live[K_SHMEM] = sm.id, o.live[K_POOL] = p.id;
  o.live[K_FUTURE] = fu.id;
  OK(wb_instance_get_table(i, "tab", &tb));
  OK(wb_externref_new(s, NULL, NULL, &rf));
  o.live[K_TABLE] = tb.id, o.live[K_REF] = rf.id;

  /* a released store */
  OK(wb_store_new(e, &released_store));
  OK(wb_instance_new(released_store, m, &released_inst));
  OK(wb_instance_get_func(released_inst, "add", &released_func));
  OK(wb_instance_get_memory(released_inst, "mem", &released_mem));
  OK(wb_instance_get_global(released_inst, "g", &released_global));
  OK(wb_store_release(released_store));

  /* run the host callback's cells; afterwards its caller handle is stale */
  wb_instance_t ci;
  wb_func_t cf;
  OK(wb_linker_instantiate(l, s, module_with_imports, &ci));
  OK(wb_instance_get_func(ci, "in_callback", &cf));
  OK(wb_func_call(cf, NULL, 0, NULL, 0));
  o.deleted[K_CALLER] = o.live[K_CALLER];
  component_make_world();
}

static void destroy_world(void) {
  component_destroy_world();
  OK(wb_future_delete((wb_future_t){o.live[K_FUTURE]}));
  OK(wb_pool_delete((wb_pool_t){o.live[K_POOL]}));
  OK(wb_store_delete((wb_store_t){o.live[K_STORE]}));
  OK(wb_store_delete(released_store)); /* any thread may delete a released store */
  OK(wb_template_delete((wb_template_t){o.live[K_TEMPLATE]}));
  OK(wb_linker_delete((wb_linker_t){o.live[K_LINKER]}));
  OK(wb_wasi_config_delete((wb_wasi_config_t){o.live[K_WASI]}));
  OK(wb_shared_memory_delete((wb_shared_memory_t){o.live[K_SHMEM]}));
  OK(wb_module_delete((wb_module_t){o.live[K_MODULE]}));
  OK(wb_module_delete(module_with_imports));
  OK(wb_engine_delete((wb_engine_t){o.live[K_ENGINE]}));
}

/* Every function declared in the header must have a row. */
static int check_rows(const char *header) {
  FILE *f = fopen(header, "r");
  CHECK(f != NULL);
  char line[1024];
  int missing = 0, declared = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == ' ' || line[0] == '*' || line[0] == '/' || line[0] == '#' || !strncmp(line, "typedef", 7)) continue;
    char *p = strstr(line, "wb_");
    while (p) { /* the declared name is the identifier followed by '(' */
      size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
      if (p[n] == '(') break;
      p = strstr(p + n, "wb_");
    }
    if (!p) continue;
    char name[128];
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
    snprintf(name, sizeof name, "%.*s", (int)n, p);
    declared++;
    int found = 0;
    for (int i = 0; i < nrows && !found; i++) found = strcmp(rows[i], name) == 0;
    if (!found) {
      fprintf(stderr, "FAIL %s has no row in the misuse matrix\n", name);
      missing++;
    }
  }
  fclose(f);
  printf("misuse matrix: %d functions declared, %d rows\n", declared, nrows);
  CHECK(declared > 80);
  return missing;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  memset(long_name, 'n', sizeof long_name - 1);
  make_world();
  main_cells();
  component_main_cells();
  async_cells();
  reference_cells();
  OK(wb_func_typed((wb_func_t){o.live[K_FUNC]}, (wb_valkind_t[]){WB_I32, WB_I32}, 2, (wb_valkind_t[]){WB_I32}, 1,
                   &typed_add));
  pthread_t t;
  CHECK(pthread_create(&t, NULL, wrong_thread_cells, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);
  released_cells();
  OK(wb_set_log_callback(misuse_in_log, NULL, WB_LOG_DEBUG));
  (void)wb_set_error(WB_ERR_INTERNAL, "trigger the log callback");
  OK(wb_set_log_callback(NULL, NULL, WB_LOG_DEBUG));
  int missing = check_rows(argv[1]);
  destroy_world();
  check_no_live_handles();
  printf("misuse matrix: %d cells, %d failed\n", atomic_load(&cells), atomic_load(&failures) + missing);
  return atomic_load(&failures) + missing == 0 && atomic_load(&cells) >= 300 ? 0 : 1;
}
