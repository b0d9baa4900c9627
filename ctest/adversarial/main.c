/* The case program: `--list` prints every case, `--run NAME` runs one. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"

ADV_DECLARE(engine);
ADV_DECLARE(wasi);
ADV_DECLARE(waits);
ADV_DECLARE(deadlines);
ADV_DECLARE(callbacks);
ADV_DECLARE(process);
ADV_DECLARE(guests);
ADV_DECLARE(pools);

static const struct {
  const adv_case_t *cases;
  const size_t *n;
} tables[] = {
    {adv_cases_engine, &adv_ncases_engine},     {adv_cases_wasi, &adv_ncases_wasi},
    {adv_cases_waits, &adv_ncases_waits},       {adv_cases_deadlines, &adv_ncases_deadlines},
    {adv_cases_callbacks, &adv_ncases_callbacks}, {adv_cases_process, &adv_ncases_process},
    {adv_cases_guests, &adv_ncases_guests},       {adv_cases_pools, &adv_ncases_pools},
};

wb_module_t adv_compile(wb_engine_t engine, const char *wat) { return compile_wat(engine, wat); }

void *adv_on_thread(size_t stack, void *(*fn)(void *), void *arg) {
  pthread_attr_t attr;
  pthread_t t;
  void *ret = 0;
  CHECK(pthread_attr_init(&attr) == 0);
  if (stack) CHECK(pthread_attr_setstacksize(&attr, stack) == 0);
  CHECK(pthread_create(&t, &attr, fn, arg) == 0);
  CHECK(pthread_join(t, &ret) == 0);
  pthread_attr_destroy(&attr);
  return ret;
}

double adv_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

long adv_rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv) {
  int list = argc == 2 && !strcmp(argv[1], "--list");
  const char *run = argc == 3 && !strcmp(argv[1], "--run") ? argv[2] : 0;
  if (!list && !run) {
    fprintf(stderr, "usage: %s --list | --run NAME\n", argv[0]);
    return 2;
  }
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
    for (size_t i = 0; i < *tables[t].n; i++) {
      const adv_case_t *c = &tables[t].cases[i];
      if (list) printf("%s\n", c->name);
      else if (!strcmp(c->name, run)) {
        c->run();
        return 0;
      }
    }
  if (run) {
    fprintf(stderr, "no case named %s\n", run);
    return 2;
  }
  return 0;
}
