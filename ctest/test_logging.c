/* The log callback: orphaned stores, refused cross-thread calls and internal
 * errors are reported; calls from inside the callback are refused; the level
 * filter and removal work. Also the profiler option of the engine. */
#include <pthread.h>
#include <unistd.h>

#include "check.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char logbuf[16384];
static int messages;
static wb_status_t reentry_status = WB_OK;
static wb_engine_t engine;

static void on_log(void *user, wb_log_level_t level, const char *message) {
  CHECK(user == (void *)&mu);
  wb_store_t s;
  wb_status_t st = wb_store_new(engine, &s); /* refused: no re-entry */
  pthread_mutex_lock(&mu);
  reentry_status = st;
  messages++;
  size_t n = strlen(logbuf);
  snprintf(logbuf + n, sizeof logbuf - n, "[%d] %s\n", (int)level, message);
  pthread_mutex_unlock(&mu);
}

static int contains(const char *part) {
  pthread_mutex_lock(&mu);
  int r = strstr(logbuf, part) != NULL;
  pthread_mutex_unlock(&mu);
  return r;
}

static wb_store_t victim;
static void *exit_owning_a_store(void *arg) {
  (void)arg;
  OK(wb_store_new(engine, &victim));
  return NULL;
}
static void *use_victim(void *arg) {
  (void)arg;
  wb_instance_t i;
  wb_module_t m = compile_wat(engine, "(module)");
  EXPECT(wb_instance_new(victim, m, &i), WB_ERR_WRONG_THREAD, "");
  OK(wb_module_delete(m));
  return NULL;
}

static void run(void *(*fn)(void *)) {
  pthread_t t;
  CHECK(pthread_create(&t, NULL, fn, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);
}

int main(void) {
  OK(wb_engine_new(NULL, &engine));
  EXPECT(wb_set_log_callback(on_log, &mu, (wb_log_level_t)7), WB_ERR_INVALID_ARGUMENT, "min_level");
  OK(wb_set_log_callback(on_log, &mu, WB_LOG_INFO));

  run(exit_owning_a_store); /* orphan */
  CHECK(contains("[2] thread") && contains("orphans now"));
  CHECK(reentry_status == WB_ERR_BUSY);
  EXPECT(wb_instance_new(victim, (wb_module_t){0}, NULL), WB_ERR_WRONG_THREAD, "orphaned");
  CHECK(contains("wrong thread: this wb_store_t is orphaned"));
  OK(wb_store_adopt(victim));
  run(use_victim); /* a refused cross-thread call */
  CHECK(contains("but was used from thread"));
  EXPECT(wb_set_error(WB_ERR_INTERNAL, "simulated bug"), WB_ERR_INTERNAL, "simulated bug");
  CHECK(contains("[3] internal error: simulated bug"));

  /* the level filter */
  OK(wb_set_log_callback(on_log, &mu, WB_LOG_ERROR));
  int before = messages;
  run(use_victim);
  CHECK(messages == before);
  /* removal */
  OK(wb_set_log_callback(NULL, NULL, WB_LOG_DEBUG));
  EXPECT(wb_set_error(WB_ERR_INTERNAL, "not logged"), WB_ERR_INTERNAL, "");
  CHECK(messages == before && !contains("not logged"));
  OK(wb_store_delete(victim));

  /* the profiler option */
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.profiler = WB_PROFILER_PERFMAP;
  wb_engine_t profiled;
  OK(wb_engine_new(&cfg, &profiled));
  wb_module_t m = compile_wat(profiled, "(module (func (export \"f\")))");
  OK(wb_module_delete(m));
  OK(wb_engine_delete(profiled));
  char map[64];
  snprintf(map, sizeof map, "/tmp/perf-%d.map", (int)getpid());
  CHECK(access(map, F_OK) == 0);
  unlink(map);
  cfg.profiler = (wb_profiler_t)9;
  EXPECT(wb_engine_new(&cfg, &profiled), WB_ERR_INVALID_ARGUMENT, "profiler");

  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("logging");
}
