/* WASI 0.2 conformance: runs every command component of
 * ../shared/testdata/wasi-testsuite-p2 (the wasi-testsuite adapted to
 * components; its README gives the rules and raw Wasmtime 39's results)
 * through wb_component_run, each test in its own process (this program
 * again, started with posix_spawn) with a time limit, several at once, and
 * prints
 *
 *   wasi-p2-testsuite: P passed, F failed, K known differences
 *
 * The known differences are the four tests the README lists as limitations
 * of the preview1 adapter the components were built with: they count as
 * passed if they pass, as known differences if they fail. Exits 77 (CTest's
 * skip) only when the suite folder is absent; 0 when nothing else failed.
 *
 *   test_wasi_p2_testsuite SUITE_DIR [NAME_FILTER]
 *   test_wasi_p2_testsuite --one DIR NAME SCRATCH_DIR KNOWN   (one test; internal)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "wasi_spec.h"

extern char **environ;

#define TIME_LIMIT_S 120

/* The README's four preview1-adapter limitations. */
static const char *const known[] = {
    "assemblyscript/proc_exit-failure",
    "assemblyscript/fd_write-to-invalid-fd",
    "assemblyscript/args_get-multiple-arguments",
    "assemblyscript/environ_get-multiple-variables",
};

static int is_known(const char *folder, const char *name) {
  char id[512];
  snprintf(id, sizeof id, "%s/%s", folder, name);
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (!strcmp(known[i], id)) return 1;
  return 0;
}

/* Runs argv[0] with argv and waits; 0 when it exited with 0. */
static int run_tool(char *const argv[]) {
  pid_t pid;
  if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0) return -1;
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ---- one test, in its own process --------------------------------------------------- */

static const char *label;
static int known_difference;

static void report(const char *why, const char *detail) {
  fprintf(stderr, "%s %s: %s%s%.1500s\n", known_difference ? "known difference" : "FAIL", label, why,
          detail ? ": " : "", detail ? detail : "");
}

static int one(const char *dir, const char *name, const char *scratch) {
  char path[1024], buf[2048];
  spec_t sp;
  memset(&sp, 0, sizeof sp);
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  char *json = read_file(path, NULL);
  if (json && parse_spec(json, &sp) != 0) {
    report("cannot parse", path);
    return 1;
  }
  free(json);
  snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
  size_t len;
  char *bytes = read_file(path, &len);
  if (!bytes) {
    report("cannot read", path);
    return 1;
  }
  wb_engine_t engine;
  wb_component_t c;
  OK(wb_engine_new(NULL, &engine));
  wb_status_t st = wb_component_new(engine, (const uint8_t *)bytes, len, &c);
  free(bytes);
  if (st) {
    report("compile", wb_last_error());
    return 1;
  }
  /* a private, writable copy of the root folder, preopened as "/", without
   * what failed runs elsewhere may have left in it */
  char root[1100] = "";
  if (sp.root) {
    char src[1100];
    snprintf(root, sizeof root, "%s/root", scratch);
    snprintf(src, sizeof src, "%s/%s", dir, sp.root);
    char *cp[] = {"cp", "-r", src, root, NULL};
    char *chmod[] = {"chmod", "-R", "u+w", root, NULL};
    char *clean[] = {"find", root, "-name", "*.cleanup", "-prune", "-exec", "rm", "-rf", "{}", "+", NULL};
    if (run_tool(cp) || run_tool(chmod) || run_tool(clean)) {
      report("cannot copy the root folder", src);
      return 1;
    }
  }
  wb_wasi_config_t w;
  OK(wb_wasi_config_new(&w));
  const char *argv[33];
  argv[0] = name;
  for (int i = 0; i < sp.nargs; i++) argv[i + 1] = sp.args[i];
  OK(wb_wasi_config_set_args(w, argv, (size_t)sp.nargs + 1));
  OK(wb_wasi_config_set_env(w, (const char *const *)sp.env_names, (const char *const *)sp.env_values,
                            (size_t)sp.nenv));
  OK(wb_wasi_config_set_stdin(w, NULL, 0));
  OK(wb_wasi_config_set_stdout(w, WB_STDIO_CAPTURE, NULL));
  OK(wb_wasi_config_set_stderr(w, WB_STDIO_CAPTURE, NULL));
  if (sp.root) OK(wb_wasi_config_preopen_dir(w, root, "/", false));

  wb_component_linker_t l;
  wb_store_t s;
  wb_component_instance_t inst;
  OK(wb_component_linker_new(engine, &l));
  OK(wb_component_linker_define_wasi(l));
  OK(wb_store_new(engine, &s));
  OK(wb_store_set_wasi(s, w));
  OK(wb_store_set_deadline(s, (TIME_LIMIT_S - 10) * 1000)); /* a runaway test stops before it is killed */
  int ok = 1, code = -1;
  st = wb_component_linker_instantiate(l, s, c, &inst);
  if (st == WB_OK) st = wb_component_run(inst);
  if (st == WB_OK) code = 0;
  else if (st == WB_ERR_EXIT) code = wb_last_exit_code();
  else {
    snprintf(buf, sizeof buf, "%s: %s", wb_status_name(st), wb_last_error());
    report("did not exit", buf);
    ok = 0;
  }
  if (ok && code != sp.exit_code) {
    snprintf(buf, sizeof buf, "got %d, expected %d", code, sp.exit_code);
    report("exit code", buf);
    ok = 0;
  }
  wb_bytes_t out;
  OK(wb_store_wasi_output(s, 1, &out));
  if (ok && sp.stdout_text && (out.len != strlen(sp.stdout_text) || memcmp(out.data, sp.stdout_text, out.len))) {
    report("stdout differs", (const char *)out.data);
    ok = 0;
  }
  wb_bytes_dispose(&out);
  OK(wb_store_wasi_output(s, 2, &out));
  if (ok && sp.stderr_text && (out.len != strlen(sp.stderr_text) || memcmp(out.data, sp.stderr_text, out.len))) {
    report("stderr differs", (const char *)out.data);
    ok = 0;
  }
  if (!ok && out.len) report("its stderr was", (const char *)out.data);
  wb_bytes_dispose(&out);
  OK(wb_store_delete(s));
  OK(wb_component_linker_delete(l));
  OK(wb_wasi_config_delete(w));
  OK(wb_component_delete(c));
  OK(wb_engine_delete(engine));
  free_spec(&sp);
  check_no_live_handles();
  return ok ? 0 : 1;
}

/* ---- the runner ---------------------------------------------------------------------- */

typedef struct test {
  char dir[512], folder[32], name[256];
  pid_t pid;
  struct timespec started;
  int result; /* -1 running or not started, 0 passed, 1 failed, 2 known difference */
} test_t;

static test_t tests[256];
static int ntests;

static int by_name(const void *a, const void *b) {
  const test_t *x = a, *y = b;
  int c = strcmp(x->folder, y->folder);
  return c ? c : strcmp(x->name, y->name);
}

static double since(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
  if (argc == 6 && !strcmp(argv[1], "--one")) {
    label = argv[3];
    known_difference = argv[5][0] == '1';
    char folder_name[600];
    snprintf(folder_name, sizeof folder_name, "%s/%s", strrchr(argv[2], '/') + 1, argv[3]);
    label = folder_name;
    return one(argv[2], argv[3], argv[4]);
  }
  if (argc < 2) {
    fprintf(stderr, "usage: %s SUITE_DIR [NAME_FILTER]\n", argv[0]);
    return 2;
  }
  const char *suite = argv[1], *filter = argc > 2 ? argv[2] : NULL;
  struct stat stt;
  if (stat(suite, &stt) != 0 || !S_ISDIR(stt.st_mode)) {
    printf("wasi-p2-testsuite: %s is absent; skipped\n", suite);
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
      snprintf(t->folder, sizeof t->folder, "%s", folders[f]);
      snprintf(t->name, sizeof t->name, "%.*s", (int)(n - 5), e->d_name);
      t->result = -1;
    }
    closedir(d);
  }
  CHECK(ntests > 0);
  qsort(tests, (size_t)ntests, sizeof tests[0], by_name);
  char scratch_base[] = "/tmp/wb-wasip2-XXXXXX";
  CHECK(mkdtemp(scratch_base) != NULL);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int parallel = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus, running = 0, next = 0, finished = 0;
  while (finished < ntests) {
    while (running < parallel && next < ntests) {
      test_t *t = &tests[next];
      char scratch[1024], index[16];
      snprintf(index, sizeof index, "%d", next);
      snprintf(scratch, sizeof scratch, "%s/%d", scratch_base, next);
      CHECK(mkdir(scratch, 0700) == 0);
      char *child[] = {argv[0], "--one", t->dir, t->name, scratch,
                       is_known(t->folder, t->name) ? "1" : "0", NULL};
      CHECK(posix_spawn(&t->pid, "/proc/self/exe", NULL, NULL, child, environ) == 0);
      clock_gettime(CLOCK_MONOTONIC, &t->started);
      running++;
      next++;
    }
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (int i = 0; i < next; i++) {
        test_t *t = &tests[i];
        if (t->pid != pid || t->result != -1) continue;
        int passed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!passed && !(WIFEXITED(status) && WEXITSTATUS(status) == 1))
          fprintf(stderr, "%s %s/%s: the test process ended with %s %d\n",
                  is_known(t->folder, t->name) ? "known difference" : "FAIL", t->folder, t->name,
                  WIFSIGNALED(status) ? "signal" : "status",
                  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        t->result = passed ? 0 : is_known(t->folder, t->name) ? 2 : 1;
        running--;
        finished++;
      }
      continue;
    }
    for (int i = 0; i < next; i++) /* the time limit */
      if (tests[i].result == -1 && since(&tests[i].started) > TIME_LIMIT_S) {
        fprintf(stderr, "FAIL %s/%s: no result after %d s; killed\n", tests[i].folder, tests[i].name, TIME_LIMIT_S);
        kill(tests[i].pid, SIGKILL);
        tests[i].started.tv_sec += 3600; /* reported once */
      }
    struct timespec nap = {0, 10 * 1000 * 1000};
    nanosleep(&nap, NULL);
  }
  char *rm[] = {"rm", "-rf", scratch_base, NULL};
  if (run_tool(rm)) fprintf(stderr, "cannot remove %s\n", scratch_base);
  int passed = 0, failed = 0, known_diffs = 0;
  for (int i = 0; i < ntests; i++) {
    passed += tests[i].result == 0;
    failed += tests[i].result == 1;
    known_diffs += tests[i].result == 2;
  }
  printf("wasi-p2-testsuite: %d passed, %d failed, %d known differences\n", passed, failed, known_diffs);
  return failed == 0 ? 0 : 1;
}
