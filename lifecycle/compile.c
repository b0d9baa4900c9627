/* Compilation on a stack that is big enough. Wasmtime's WAT parser,
 * validator and compiler run on the calling thread's stack, with no check
 * of how much is left: a worker thread with 64-96 KiB of stack crashed with
 * SIGSEGV compiling a one-function module. Calls into wasm have their own
 * check (dispatch/, wbd_check_stack) and refuse; compilation has no fixed
 * need to check against, so it moves instead: a thread with less than
 * WBL_COMPILE_STACK left compiles on a short-lived helper thread with a
 * WBL_HELPER_STACK stack and waits for it. Any thread. */
#include <pthread.h>

#include "lifecycle.h"

#define WBL_COMPILE_STACK ((uintptr_t)1 << 20) /* 1 MiB left: compile here */
#define WBL_HELPER_STACK ((size_t)16 << 20)

typedef struct job {
  int what;
  const wasm_engine_t *engine;
  const uint8_t *bytes;
  size_t len;
  wasm_byte_vec_t *vec_out;
  wasmtime_module_t **module_out;
  wasmtime_error_t *err;
} job_t;

enum { JOB_WAT, JOB_NEW, JOB_VALIDATE, JOB_DESERIALIZE };

static void *run_job(void *arg) {
  job_t *j = arg;
  switch (j->what) {
  case JOB_WAT: j->err = wasmtime_wat2wasm((const char *)j->bytes, j->len, j->vec_out); break;
  case JOB_NEW: j->err = wasmtime_module_new((wasm_engine_t *)j->engine, j->bytes, j->len, j->module_out); break;
  case JOB_VALIDATE: j->err = wasmtime_module_validate((wasm_engine_t *)j->engine, j->bytes, j->len); break;
  case JOB_DESERIALIZE:
    j->err = wasmtime_module_deserialize((wasm_engine_t *)j->engine, j->bytes, j->len, j->module_out);
    break;
  }
  return 0;
}

static wasmtime_error_t *run(job_t *j) {
  if (wbh_stack_left_slow() >= WBL_COMPILE_STACK) {
    run_job(j);
    return j->err;
  }
  pthread_attr_t attr;
  pthread_t t;
  if (pthread_attr_init(&attr) != 0) return wasmtime_error_new("cannot start a thread to compile on");
  pthread_attr_setstacksize(&attr, WBL_HELPER_STACK);
  int rc = pthread_create(&t, &attr, run_job, j);
  pthread_attr_destroy(&attr);
  if (rc != 0)
    return wasmtime_error_new("this thread has too little stack to compile on, and no thread with a bigger one "
                              "could be started");
  pthread_join(t, 0);
  return j->err;
}

wasmtime_error_t *wbl_wat2wasm(const char *wat, size_t len, wasm_byte_vec_t *out) {
  job_t j = {JOB_WAT, 0, (const uint8_t *)wat, len, out, 0, 0};
  return run(&j);
}

wasmtime_error_t *wbl_module_new(wasm_engine_t *engine, const uint8_t *wasm, size_t len, wasmtime_module_t **out) {
  job_t j = {JOB_NEW, engine, wasm, len, 0, out, 0};
  return run(&j);
}

wasmtime_error_t *wbl_module_validate(wasm_engine_t *engine, const uint8_t *wasm, size_t len) {
  job_t j = {JOB_VALIDATE, engine, wasm, len, 0, 0, 0};
  return run(&j);
}

wasmtime_error_t *wbl_module_deserialize(wasm_engine_t *engine, const uint8_t *bytes, size_t len,
                                         wasmtime_module_t **out) {
  job_t j = {JOB_DESERIALIZE, engine, bytes, len, 0, out, 0};
  return run(&j);
}
