/* Limits: memory, table and instance limits per store; deadlines per call
 * and per store; fuel. After each fires, the store stays usable. */
#define _POSIX_C_SOURCE 200809L /* POSIX under -std=c11 and -std=c17 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"

static const char *wat =
    "(module (memory (export \"mem\") 1) (table 1 funcref)"
    " (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)"
    " (func (export \"grow_table\") (param i32) (result i32) ref.null func local.get 0 table.grow)"
    " (func (export \"spin\") (loop br 0))"
    " (func (export \"ok\") (result i32) i32.const 1))";

static wb_func_t func(wb_instance_t i, const char *name) {
  wb_func_t f;
  OK(wb_instance_get_func(i, name, &f));
  return f;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms) {
  struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&d, 0);
}

/* How often the library's "wb-ticker" thread has gone to sleep and woken
 * up (its voluntary context switches), or -1 if there is no such thread. */
static long ticker_wakeups(void) {
  DIR *dir = opendir("/proc/self/task");
  CHECK(dir != NULL);
  long found = -1;
  struct dirent *de;
  while (found < 0 && (de = readdir(dir))) {
    if (de->d_name[0] == '.') continue;
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/self/task/%.20s/comm", de->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue; /* the thread has just exited */
    int is_ticker = fgets(line, sizeof line, f) && strcmp(line, "wb-ticker\n") == 0;
    fclose(f);
    if (!is_ticker) continue;
    snprintf(path, sizeof path, "/proc/self/task/%.20s/status", de->d_name);
    f = fopen(path, "r");
    CHECK(f != NULL);
    while (fgets(line, sizeof line, f))
      if (sscanf(line, "voluntary_ctxt_switches: %ld", &found) == 1) break;
    fclose(f);
    CHECK(found >= 0);
  }
  closedir(dir);
  return found;
}

static void check_usable(wb_instance_t inst) {
  wb_val_t r;
  OK(wb_func_call(func(inst, "ok"), NULL, 0, &r, 1));
  CHECK(r.of.i32 == 1);
}

int main(void) {
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = compile_wat(e, wat);
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_store_limits_t lim = {WB_STORE_LIMITS_VERSION, 4 * 65536, 10, 2, 0, 0};
  OK(wb_store_set_limits(s, &lim));
  EXPECT(wb_store_set_limits(s, NULL), WB_ERR_INVALID_ARGUMENT, "NULL");
  wb_instance_t inst, extra;
  OK(wb_instance_new(s, m, &inst));

  /* guest growth past the memory limit fails as wasm expects */
  wb_val_t a = val_i32(3), r;
  OK(wb_func_call(func(inst, "grow"), &a, 1, &r, 1));
  CHECK(r.of.i32 == 1);
  a = val_i32(1);
  OK(wb_func_call(func(inst, "grow"), &a, 1, &r, 1));
  CHECK(r.of.i32 == -1);
  /* host-side growth gets WB_ERR_LIMIT */
  wb_memory_t mem;
  OK(wb_instance_get_memory(inst, "mem", &mem));
  EXPECT(wb_memory_grow(mem, 1, NULL), WB_ERR_LIMIT, "");
  /* table growth */
  a = val_i32(9);
  OK(wb_func_call(func(inst, "grow_table"), &a, 1, &r, 1));
  CHECK(r.of.i32 == 1);
  a = val_i32(1);
  OK(wb_func_call(func(inst, "grow_table"), &a, 1, &r, 1));
  CHECK(r.of.i32 == -1);
  /* instance count: 2 allowed, the third refused on the host side */
  OK(wb_instance_new(s, m, &extra));
  EXPECT(wb_instance_new(s, m, &extra), WB_ERR_LIMIT, "limit");
  check_usable(inst);

  /* a per-call timeout stops a runaway call, and later calls still run */
  OK(wb_store_set_call_timeout(s, 50));
  double t0 = now_ms();
  EXPECT(wb_func_call(func(inst, "spin"), NULL, 0, NULL, 0), WB_ERR_INTERRUPTED, "time limit");
  double took = now_ms() - t0;
  CHECK(took >= 45 && took < 5000);
  CHECK(wb_last_trap_code() == WB_TRAP_INTERRUPT);
  check_usable(inst);
  t0 = now_ms();
  EXPECT(wb_func_call(func(inst, "spin"), NULL, 0, NULL, 0), WB_ERR_INTERRUPTED, "time limit");
  CHECK(now_ms() - t0 >= 45); /* each call gets its own budget */
  OK(wb_store_set_call_timeout(s, 0));

  /* a store deadline: calls run until it passes, then are refused */
  OK(wb_store_set_deadline(s, 60));
  check_usable(inst);
  EXPECT(wb_func_call(func(inst, "spin"), NULL, 0, NULL, 0), WB_ERR_INTERRUPTED, "time limit");
  EXPECT(wb_func_call(func(inst, "ok"), NULL, 0, &r, 1), WB_ERR_INTERRUPTED, "deadline has passed");
  OK(wb_store_set_deadline(s, 0));
  check_usable(inst);
  OK(wb_store_delete(s));

  /* with no timed store left, the ticker thread sleeps until one comes:
   * after one last tick it stops waking up (it used to wake every ms) */
  CHECK(ticker_wakeups() >= 0); /* the limits above started it */
  sleep_ms(50);
  long wakeups = ticker_wakeups();
  sleep_ms(200);
  CHECK(ticker_wakeups() - wakeups <= 2);

  /* fuel */
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.consume_fuel = true;
  wb_engine_t fe;
  OK(wb_engine_new(&cfg, &fe));
  wb_module_t fm = compile_wat(fe, wat);
  OK(wb_store_new(fe, &s));
  OK(wb_store_set_fuel(s, 10000));
  OK(wb_instance_new(s, fm, &inst));
  EXPECT(wb_func_call(func(inst, "spin"), NULL, 0, NULL, 0), WB_ERR_OUT_OF_FUEL, "");
  OK(wb_store_set_fuel(s, 10000));
  check_usable(inst);
  OK(wb_store_delete(s));
  OK(wb_module_delete(fm));
  OK(wb_engine_delete(fe));

  /* deadlines need epoch interruption */
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.epoch_interruption = false;
  OK(wb_engine_new(&cfg, &fe));
  OK(wb_store_new(fe, &s));
  EXPECT(wb_store_set_call_timeout(s, 10), WB_ERR_INVALID_ARGUMENT, "epoch_interruption");
  OK(wb_store_delete(s));
  OK(wb_engine_delete(fe));

  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("limits");
}
