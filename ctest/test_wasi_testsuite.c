/* WASI preview1 conformance: runs every program of the prebuilt
 * wasi-testsuite (../shared/testdata/wasi-testsuite; its README says how)
 * on two worker threads, each with its own stores, and prints
 * "wasi-testsuite: N passed, M failed". Exits 77 (CTest's skip) only when
 * the suite folder is absent.
 *
 *   test_wasi_testsuite SUITE_DIR [NAME_FILTER]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#include "wasi_spec.h"

/* ---- running one test ---------------------------------------------------- */

typedef struct test {
  char dir[512];
  char name[256]; /* without .wasm */
} test_t;

static wb_engine_t engine;
static const char *suite;
static test_t tests[256];
static int ntests;
static atomic_int next_test, passed, failed;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void report_failure(const test_t *t, const char *why, const char *detail) {
  pthread_mutex_lock(&print_lock);
  fprintf(stderr, "FAIL %s/%s: %s%s%s\n", strrchr(t->dir, '/') + 1, t->name, why, detail ? ": " : "",
          detail ? detail : "");
  pthread_mutex_unlock(&print_lock);
}

/* Returns 1 when the test passed. */
static int run_test(const test_t *t) {
  char path[1024], tmp[] = "/tmp/wb-wasi-XXXXXX";
  spec_t sp;
  memset(&sp, 0, sizeof sp);
  snprintf(path, sizeof path, "%s/%s.json", t->dir, t->name);
  char *json = read_file(path, NULL);
  if (json && parse_spec(json, &sp) != 0) {
    report_failure(t, "cannot parse", path);
    return 0;
  }
  free(json);

  snprintf(path, sizeof path, "%s/%s.wasm", t->dir, t->name);
  size_t len;
  char *bytes = read_file(path, &len);
  wb_module_t m;
  wb_status_t st = wb_module_new(engine, (const uint8_t *)bytes, len, &m);
  free(bytes);
  if (st) {
    report_failure(t, "compile", wb_last_error());
    return 0;
  }

  /* a private, writable copy of the test's root folder, preopened as "/" */
  char root[1100] = "";
  if (sp.root) {
    if (!mkdtemp(tmp)) return 0;
    snprintf(root, sizeof root, "%s/root", tmp);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp -r '%s/%s' '%s' && chmod -R u+w '%s'", t->dir, sp.root, root, root);
    if (system(cmd) != 0) {
      report_failure(t, "cannot copy the root folder", cmd);
      return 0;
    }
  }

  wb_wasi_config_t w;
  OK(wb_wasi_config_new(&w));
  const char *argv[33];
  argv[0] = t->name;
  for (int i = 0; i < sp.nargs; i++) argv[i + 1] = sp.args[i];
  OK(wb_wasi_config_set_args(w, argv, (size_t)sp.nargs + 1));
  OK(wb_wasi_config_set_env(w, (const char *const *)sp.env_names, (const char *const *)sp.env_values,
                            (size_t)sp.nenv));
  OK(wb_wasi_config_set_stdin(w, NULL, 0));
  OK(wb_wasi_config_set_stdout(w, WB_STDIO_CAPTURE, NULL));
  OK(wb_wasi_config_set_stderr(w, WB_STDIO_CAPTURE, NULL));
  if (sp.root) OK(wb_wasi_config_preopen_dir(w, root, "/", false));

  wb_linker_t l;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t start;
  OK(wb_linker_new(engine, &l));
  OK(wb_linker_define_wasi(l));
  OK(wb_store_new(engine, &s));
  OK(wb_store_set_wasi(s, w));
  OK(wb_store_set_deadline(s, 60000)); /* a runaway test fails instead of hanging */
  int ok = 1, code = -1;
  st = wb_linker_instantiate(l, s, m, &inst);
  if (st == WB_OK) st = wb_instance_get_func(inst, "_start", &start);
  if (st == WB_OK) st = wb_func_call(start, NULL, 0, NULL, 0);
  if (st == WB_OK) code = 0;
  else if (st == WB_ERR_EXIT) code = wb_last_exit_code();
  else {
    char detail[600];
    snprintf(detail, sizeof detail, "%s: %.500s", wb_status_name(st), wb_last_error());
    report_failure(t, "did not exit", detail);
    ok = 0;
  }
  if (ok && code != sp.exit_code) {
    char detail[64];
    snprintf(detail, sizeof detail, "got %d, expected %d", code, sp.exit_code);
    report_failure(t, "exit code", detail);
    ok = 0;
  }
  wb_bytes_t out;
  OK(wb_store_wasi_output(s, 1, &out));
  if (ok && sp.stdout_text && (out.len != strlen(sp.stdout_text) || memcmp(out.data, sp.stdout_text, out.len))) {
    report_failure(t, "stdout differs", (const char *)out.data);
    ok = 0;
  }
  wb_bytes_dispose(&out);
  OK(wb_store_wasi_output(s, 2, &out));
  if (ok && sp.stderr_text && (out.len != strlen(sp.stderr_text) || memcmp(out.data, sp.stderr_text, out.len))) {
    report_failure(t, "stderr differs", (const char *)out.data);
    ok = 0;
  }
  if (!ok && out.len) report_failure(t, "its stderr was", (const char *)out.data);
  wb_bytes_dispose(&out);

  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  OK(wb_wasi_config_delete(w));
  OK(wb_module_delete(m));
  if (sp.root) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp);
  }
  free_spec(&sp);
  return ok;
}

static void *worker(void *arg) {
  (void)arg;
  for (int i; (i = atomic_fetch_add(&next_test, 1)) < ntests;) {
    if (run_test(&tests[i])) atomic_fetch_add(&passed, 1);
    else atomic_fetch_add(&failed, 1);
  }
  return NULL;
}

static int by_name(const void *a, const void *b) {
  const test_t *x = a, *y = b;
  int c = strcmp(x->dir, y->dir);
  return c ? c : strcmp(x->name, y->name);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s SUITE_DIR [NAME_FILTER]\n", argv[0]);
    return 2;
  }
  suite = argv[1];
  const char *filter = argc > 2 ? argv[2] : NULL;
  struct stat stt;
  if (stat(suite, &stt) != 0 || !S_ISDIR(stt.st_mode)) {
    printf("wasi-testsuite: %s is absent; skipped\n", suite);
    return 77;
  }
  const char *folders[] = {"c", "assemblyscript", "rust"};
  for (int f = 0; f < 3; f++) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", suite, folders[f]);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    for (struct dirent *e; (e = readdir(d));) {
      size_t n = strlen(e->d_name);
      if (n < 6 || strcmp(e->d_name + n - 5, ".wasm")) continue;
      if (filter && !strstr(e->d_name, filter)) continue;
      CHECK(ntests < 256);
      test_t *t = &tests[ntests++];
      snprintf(t->dir, sizeof t->dir, "%s", dir);
      snprintf(t->name, sizeof t->name, "%.*s", (int)(n - 5), e->d_name);
    }
    closedir(d);
  }
  qsort(tests, (size_t)ntests, sizeof tests[0], by_name);
  CHECK(ntests > 0);
  OK(wb_engine_new(NULL, &engine));
  pthread_t threads[2];
  for (int i = 0; i < 2; i++) CHECK(pthread_create(&threads[i], NULL, worker, NULL) == 0);
  for (int i = 0; i < 2; i++) CHECK(pthread_join(threads[i], NULL) == 0);
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  printf("wasi-testsuite: %d passed, %d failed\n", atomic_load(&passed), atomic_load(&failed));
  return atomic_load(&failed) == 0 && atomic_load(&passed) == ntests ? 0 : 1;
}
