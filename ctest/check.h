/* Tiny assertion helpers for the CTest programs: a failed check prints the
 * call, the status, wb_last_error(), and exits non-zero. */
#ifndef WB_CHECK_H
#define WB_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmbound.h"

static int wb_checks_run; /* atomic: tests check from many threads */

#define CHECK(cond)                                                                     \
  do {                                                                                  \
    __atomic_fetch_add(&wb_checks_run, 1, __ATOMIC_RELAXED);                            \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, \
              #cond, wb_last_error());                                                  \
      exit(1);                                                                          \
    }                                                                                   \
  } while (0)

/* Expects status `want` from call; with a non-empty `part`, wb_last_error()
 * must contain it. */
#define EXPECT(call, want, part)                                                             \
  do {                                                                                       \
    __atomic_fetch_add(&wb_checks_run, 1, __ATOMIC_RELAXED);                                 \
    wb_status_t got_ = (call);                                                               \
    if (got_ != (want)) {                                                                    \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s (last error: %s)\n", __FILE__,     \
              __LINE__, #call, wb_status_name(got_), wb_status_name(want), wb_last_error()); \
      exit(1);                                                                               \
    }                                                                                        \
    const char *part_ = (part);                                                              \
    if (got_ != WB_OK && part_[0] && !strstr(wb_last_error(), part_)) {                      \
      fprintf(stderr, "%s:%d: %s: message \"%s\" does not contain \"%s\"\n", __FILE__,       \
              __LINE__, #call, wb_last_error(), part_);                                      \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

#define OK(call) EXPECT(call, WB_OK, "")

static inline wb_module_t compile_wat(wb_engine_t engine, const char *wat) {
  wb_module_t m;
  OK(wb_module_new(engine, (const uint8_t *)wat, strlen(wat), &m));
  return m;
}

static inline wb_val_t val_i32(int32_t v) {
  wb_val_t r;
  memset(&r, 0, sizeof r);
  r.kind = WB_I32;
  r.of.i32 = v;
  return r;
}

static inline wb_val_t val_i64(int64_t v) {
  wb_val_t r;
  memset(&r, 0, sizeof r);
  r.kind = WB_I64;
  r.of.i64 = v;
  return r;
}

/* Every handle created by a test must be gone at its end. */
static inline void check_no_live_handles(void) {
  wb_stats_t s = WB_STATS_INIT;
  OK(wb_stats_get(&s));
  if (s.live_handles != 0) {
    fprintf(stderr, "leak: %llu live handles at exit (stores %llu, instances %llu, funcs %llu)\n",
            (unsigned long long)s.live_handles, (unsigned long long)s.live_stores,
            (unsigned long long)s.live_instances, (unsigned long long)s.live_funcs);
    exit(1);
  }
}

#define DONE(name)                                                                             \
  do {                                                                                         \
    printf("%s: %d checks passed\n", name, __atomic_load_n(&wb_checks_run, __ATOMIC_RELAXED)); \
    return 0;                                                                                  \
  } while (0)

#endif
