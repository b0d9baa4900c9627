/* WASI at the edges: stores without WASI settings (issue 14 item 1),
 * descriptors (item 9), captured output (item 10). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cases.h"

#define WASI_HELLO                                                                                       \
  "(module"                                                                                              \
  " (import \"wasi_snapshot_preview1\" \"fd_write\" (func $fd_write (param i32 i32 i32 i32) (result i32)))" \
  " (memory (export \"memory\") 1)"                                                                      \
  " (data (i32.const 8) \"hello\\n\")"                                                                   \
  " (func (export \"hello\") (result i32)"                                                               \
  "  (i32.store (i32.const 0) (i32.const 8)) (i32.store (i32.const 4) (i32.const 6))"                     \
  "  (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20))))"

/* A linker with WASI, a store that never got WASI settings: the call works
 * (an empty WASI context: output discarded), instead of aborting. */
static void item01_wasi_without_settings_linker(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, WASI_HELLO);
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_wasi(l));
  OK(wb_store_new(e, &s));
  OK(wb_linker_instantiate(l, s, m, &inst));
  OK(wb_instance_get_func(inst, "hello", &f));
  wb_val_t r;
  OK(wb_func_call(f, NULL, 0, &r, 1));
  CHECK(r.kind == WB_I32 && r.of.i32 == 0); /* errno 0: written (to nowhere) */
  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* The same through a template, into several stores. */
static void item01_wasi_without_settings_template(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_template_t t;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, WASI_HELLO);
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_wasi(l));
  OK(wb_template_new(l, m, &t));
  OK(wb_linker_delete(l));
  for (int i = 0; i < 3; i++) {
    wb_store_t s;
    wb_instance_t inst;
    wb_func_t f;
    wb_val_t r;
    OK(wb_store_new(e, &s));
    OK(wb_template_instantiate(t, s, &inst));
    OK(wb_instance_get_func(inst, "hello", &f));
    OK(wb_func_call(f, NULL, 0, &r, 1));
    CHECK(r.of.i32 == 0);
    OK(wb_store_delete(s));
  }
  OK(wb_template_delete(t));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* A pool over a WASI template: its workers' stores get no WASI settings. */
static void item01_wasi_pool(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_template_t t;
  wb_pool_t p;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, WASI_HELLO);
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_wasi(l));
  OK(wb_template_new(l, m, &t));
  OK(wb_pool_new(e, t, NULL, &p));
  for (int i = 0; i < 20; i++) {
    wb_val_t r;
    OK(wb_pool_call(p, "hello", NULL, 0, &r, 1));
    CHECK(r.of.i32 == 0);
  }
  OK(wb_pool_delete(p));
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* ---- descriptors (item 9) --------------------------------------------------- */

#define OPENER                                                                                              \
  "(module"                                                                                                 \
  " (import \"wasi_snapshot_preview1\" \"path_open\""                                                   \
  "  (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))"                                \
  " (import \"wasi_snapshot_preview1\" \"fd_close\" (func $close (param i32) (result i32)))"             \
  " (memory (export \"memory\") 1)"                                                                        \
  " (data (i32.const 16) \"file.txt\")"                                                                    \
  " (func (export \"open_many\") (param $n i32) (result i32) (local $i i32) (local $e i32)"                \
  "  (block $done (loop $l"                                                                                 \
  "   (br_if $done (i32.ge_u (local.get $i) (local.get $n)))"                                               \
  "   (local.set $e (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 8) (i32.const 0)"      \
  "     (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 0)))"                                          \
  "   (br_if $done (local.get $e))"                                                                         \
  "   (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))"                                      \
  "  (i32.store (i32.const 8) (local.get $e)) (local.get $i))"                                              \
  " (func (export \"last_errno\") (result i32) (i32.load (i32.const 8)))"                                  \
  " (func (export \"last_fd\") (result i32) (i32.load (i32.const 0)))"                                     \
  " (func (export \"close\") (param i32) (result i32) (call $close (local.get 0))))"

typedef struct wasi_rig {
  wb_engine_t engine;
  wb_module_t module;
  wb_linker_t linker;
  wb_store_t store;
  wb_wasi_config_t config;
  wb_instance_t instance;
  char dir[64];
} wasi_rig_t;

static void rig_open(wasi_rig_t *r, const char *wat, uint32_t max_open_files, uint64_t output_limit) {
  memset(r, 0, sizeof *r);
  snprintf(r->dir, sizeof r->dir, "/tmp/wb-adv-XXXXXX");
  CHECK(mkdtemp(r->dir) != NULL);
  char path[128];
  snprintf(path, sizeof path, "%s/file.txt", r->dir);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  fputs("hello\n", f);
  fclose(f);
  OK(wb_engine_new(NULL, &r->engine));
  r->module = adv_compile(r->engine, wat);
  OK(wb_linker_new(r->engine, &r->linker));
  OK(wb_linker_define_wasi(r->linker));
  OK(wb_wasi_config_new(&r->config));
  OK(wb_wasi_config_preopen_dir(r->config, r->dir, "/", true));
  OK(wb_wasi_config_set_stdout(r->config, WB_STDIO_CAPTURE, NULL));
  if (max_open_files) OK(wb_wasi_config_set_max_open_files(r->config, max_open_files));
  if (output_limit) OK(wb_wasi_config_set_output_limit(r->config, output_limit));
  OK(wb_store_new(r->engine, &r->store));
  OK(wb_store_set_wasi(r->store, r->config));
  OK(wb_linker_instantiate(r->linker, r->store, r->module, &r->instance));
}

static void rig_close(wasi_rig_t *r) {
  OK(wb_store_delete(r->store));
  OK(wb_wasi_config_delete(r->config));
  OK(wb_linker_delete(r->linker));
  OK(wb_module_delete(r->module));
  OK(wb_engine_delete(r->engine));
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", r->dir);
  CHECK(system(cmd) == 0);
  check_no_live_handles();
}

static int32_t call_i32(wb_instance_t inst, const char *name, const wb_val_t *args, size_t nargs) {
  wb_func_t f;
  wb_val_t r;
  OK(wb_instance_get_func(inst, name, &f));
  OK(wb_func_call(f, args, nargs, &r, 1));
  return r.of.i32;
}

/* A guest that opens files without end gets WASI's EMFILE at the store's
 * limit (the default, 128, then a configured one), and the host can still
 * open files: the process (whose limit this case lowers to 256, the
 * library having raised it) keeps its descriptors. Closing frees a place. */
static void item09_open_files_limit(void) {
  struct rlimit lim = {256, 256};
  CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
  wasi_rig_t r;
  rig_open(&r, OPENER, 0, 0);
  wb_val_t n = val_i32(100000);
  CHECK(call_i32(r.instance, "open_many", &n, 1) == 128);
  CHECK(call_i32(r.instance, "last_errno", NULL, 0) == 33); /* EMFILE */
  int fd = open("/dev/null", O_RDONLY);
  CHECK(fd >= 0); /* the host is untouched */
  close(fd);
  wb_val_t last = val_i32(call_i32(r.instance, "last_fd", NULL, 0));
  CHECK(call_i32(r.instance, "close", &last, 1) == 0);
  wb_val_t one = val_i32(1);
  CHECK(call_i32(r.instance, "open_many", &one, 1) == 1); /* a place again */
  CHECK(call_i32(r.instance, "open_many", &one, 1) == 0);
  rig_close(&r);

  rig_open(&r, OPENER, 10, 0);
  CHECK(call_i32(r.instance, "open_many", &n, 1) == 10);
  CHECK(call_i32(r.instance, "last_errno", NULL, 0) == 33);
  rig_close(&r);
}

/* ---- captured output (item 10) --------------------------------------------------- */

#define WRITER                                                                                                \
  "(module"                                                                                                  \
  " (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32 i32) (result i32)))"      \
  " (memory (export \"memory\") 2)"                                                                         \
  " (func (export \"flood\") (param $times i32) (result i32)"                                               \
  "  (i32.store (i32.const 0) (i32.const 4096)) (i32.store (i32.const 4) (i32.const 65536))"                 \
  "  (block $done (loop $l (br_if $done (i32.eqz (local.get $times)))"                                       \
  "   (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))"                              \
  "   (local.set $times (i32.sub (local.get $times) (i32.const 1))) (br $l)))"                               \
  "  (i32.load (i32.const 8))))"

/* A guest with 128 KiB of memory writes 256 MiB to a captured stdout: the
 * host keeps 1 MiB (the default limit), counts the rest as dropped, and its
 * heap does not grow by the flood. */
static void item10_captured_output_capped(void) {
  wasi_rig_t r;
  rig_open(&r, WRITER, 0, 0);
  long before = adv_rss_kib();
  wb_val_t times = val_i32(4096); /* 4096 writes of 64 KiB */
  CHECK(call_i32(r.instance, "flood", &times, 1) == 65536); /* each write reported whole */
  long after = adv_rss_kib();
  wb_bytes_t out;
  OK(wb_store_wasi_output(r.store, 1, &out));
  CHECK(out.len == (size_t)1 << 20);
  wb_bytes_dispose(&out);
  uint64_t dropped;
  OK(wb_store_wasi_output_dropped(r.store, 1, &dropped));
  CHECK(dropped == ((uint64_t)256 << 20) - ((uint64_t)1 << 20));
#if !defined(__SANITIZE_ADDRESS__) /* ASan's quarantine keeps what Wasmtime frees */
  if (after - before > 64 * 1024) fprintf(stderr, "RSS grew by %ld KiB\n", after - before);
  CHECK(after - before < 64 * 1024);
#else
  (void)before, (void)after;
#endif
  rig_close(&r);

  rig_open(&r, WRITER, 0, 100);
  times = val_i32(1);
  CHECK(call_i32(r.instance, "flood", &times, 1) == 65536);
  OK(wb_store_wasi_output(r.store, 1, &out));
  CHECK(out.len == 100);
  wb_bytes_dispose(&out);
  OK(wb_store_wasi_output_dropped(r.store, 1, &dropped));
  CHECK(dropped == 65536 - 100);
  rig_close(&r);
}

/* ---- sleeping in poll_oneoff (the class of item 4: blocked in WASI) ---------- */

#define SLEEPER                                                                                              \
  "(module"                                                                                                 \
  " (import \"wasi_snapshot_preview1\" \"poll_oneoff\" (func $poll (param i32 i32 i32 i32) (result i32)))" \
  " (memory (export \"memory\") 1)"                                                                        \
  " (func (export \"sleep\") (param $ns i64) (result i32) (local $e i32)"                                   \
  "  (i64.store (i32.const 0) (i64.const 77)) (i32.store8 (i32.const 8) (i32.const 0))"                      \
  "  (i32.store (i32.const 16) (i32.const 1)) (i64.store (i32.const 24) (local.get $ns))"                    \
  "  (i64.store (i32.const 32) (i64.const 0)) (i32.store16 (i32.const 40) (i32.const 0))"                    \
  "  (local.set $e (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 200)))"                \
  "  (i32.add (i32.mul (i32.load (i32.const 200)) (i32.const 1000)) (local.get $e)))"                        \
  " (func (export \"userdata\") (result i64) (i64.load (i32.const 128)))"                                  \
  " (func (export \"timeout\") (result i64) (i64.load (i32.const 24))))"

typedef struct sleeper {
  wasi_rig_t rig;
  int64_t ns;
  uint64_t timeout_ms;
  _Atomic int ready;
  wb_status_t st;
} sleeper_t;

static void *run_sleeper(void *arg) {
  sleeper_t *sl = arg;
  rig_open(&sl->rig, SLEEPER, 0, 0);
  if (sl->timeout_ms) OK(wb_store_set_call_timeout(sl->rig.store, sl->timeout_ms));
  wb_func_t f;
  OK(wb_instance_get_func(sl->rig.instance, "sleep", &f));
  atomic_store(&sl->ready, 1);
  wb_val_t a = val_i64(sl->ns), r;
  sl->st = wb_func_call(f, &a, 1, &r, 1);
  rig_close(&sl->rig);
  return 0;
}

/* A guest sleeping an hour in poll_oneoff stops at wb_store_interrupt, and
 * under a call timeout; a short sleep works as before (one clock event,
 * its userdata, and the guest's subscription left as it wrote it). */
static void class_poll_oneoff_sleep_stoppable(void) {
  sleeper_t sl = {.ns = (int64_t)3600 * 1000000000};
  pthread_t t;
  CHECK(pthread_create(&t, 0, run_sleeper, &sl) == 0);
  while (!atomic_load(&sl.ready)) usleep(1000);
  usleep(100 * 1000);
  OK(wb_store_interrupt(sl.rig.store));
  CHECK(pthread_join(t, 0) == 0);
  CHECK(sl.st == WB_ERR_INTERRUPTED);

  sleeper_t timed = {.ns = (int64_t)3600 * 1000000000, .timeout_ms = 100};
  CHECK(pthread_create(&t, 0, run_sleeper, &timed) == 0);
  CHECK(pthread_join(t, 0) == 0);
  CHECK(timed.st == WB_ERR_INTERRUPTED);

  wasi_rig_t r;
  rig_open(&r, SLEEPER, 0, 0);
  wb_func_t f;
  wb_val_t a = val_i64(30 * 1000000), res;
  OK(wb_instance_get_func(r.instance, "sleep", &f));
  double t0 = adv_now_ms();
  OK(wb_func_call(f, &a, 1, &res, 1));
  CHECK(res.of.i32 == 1000); /* one event, errno 0 */
  CHECK(adv_now_ms() - t0 >= 29);
  OK(wb_instance_get_func(r.instance, "userdata", &f));
  OK(wb_func_call(f, NULL, 0, &res, 1));
  CHECK(res.of.i64 == 77);
  OK(wb_instance_get_func(r.instance, "timeout", &f));
  OK(wb_func_call(f, NULL, 0, &res, 1));
  CHECK(res.of.i64 == 30 * 1000000);
  rig_close(&r);
}

ADV_TABLE(wasi) = {
    {"item01_wasi_without_settings_linker", item01_wasi_without_settings_linker},
    {"item01_wasi_without_settings_template", item01_wasi_without_settings_template},
    {"item01_wasi_pool", item01_wasi_pool},
    {"item09_open_files_limit", item09_open_files_limit},
    {"item10_captured_output_capped", item10_captured_output_capped},
    {"class_poll_oneoff_sleep_stoppable", class_poll_oneoff_sleep_stoppable},
};
ADV_COUNT(wasi);
