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

/* An instance's exported function, which must exist. */
static inline wb_func_t instance_func(wb_instance_t inst, const char *name) {
  wb_func_t f;
  OK(wb_instance_get_func(inst, name, &f));
  return f;
}

/* Calls a guest function of (i32 i64 f32 f64) -> (f64 i64 f32 i32) that
 * passes its arguments to the host functions' "mix" (test_host_functions,
 * test_host_typed): each result is made from one argument (f64 doubled,
 * i64 minus 1, f32 negated, i32 with its sign bit flipped), so every width
 * goes both ways. */
static inline void check_mix_call(wb_func_t mix) {
  wb_val_t mx[4] = {val_i32(-5), val_i64(INT64_C(0x123456789abcdef0)), val_i32(0), val_i32(0)};
  mx[2].kind = WB_F32;
  mx[2].of.f32 = 3.25f;
  mx[3].kind = WB_F64;
  mx[3].of.f64 = -1e300;
  wb_val_t mr[4];
  OK(wb_func_call(mix, mx, 4, mr, 4));
  CHECK(mr[0].kind == WB_F64 && mr[0].of.f64 == -2e300);
  CHECK(mr[1].kind == WB_I64 && mr[1].of.i64 == INT64_C(0x123456789abcdeef));
  CHECK(mr[2].kind == WB_F32 && mr[2].of.f32 == -3.25f);
  CHECK(mr[3].kind == WB_I32 && mr[3].of.i32 == (-5 ^ INT32_MIN));
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
