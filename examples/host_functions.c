/* A host function written in C, called by wasm: the guest passes a string
 * (pointer and length into its memory), the host reads it through the caller
 * handle and answers with its length. A guest pointer outside memory makes
 * the host read fail with WB_ERR_OUT_OF_BOUNDS, which traps the guest with
 * that message: never a crash.
 *
 *   cmake --build build --target host_functions && build/examples/host_functions
 */
#include <stdio.h>
#include <string.h>

#include "wasmbound.h"

static const char *WAT =
    "(module\n"
    "  (import \"host\" \"print\" (func $print (param i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 100) \"hello from wasm\")\n"
    "  (func (export \"greet\") (result i32) (call $print (i32.const 100) (i32.const 15)))\n"
    "  (func (export \"bad\") (result i32) (call $print (i32.const 65530) (i32.const 100))))";

/* Runs on the thread that owns the calling store. */
static wb_status_t print(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                         size_t nresults) {
  (void)nargs, (void)nresults;
  const char *prefix = env;
  wb_memory_t memory;
  wb_status_t st = wb_caller_get_memory(caller, "memory", &memory);
  if (st) return st;
  char text[256];
  uint32_t ptr = (uint32_t)args[0].of.i32, len = (uint32_t)args[1].of.i32;
  if (len >= sizeof text) return wb_set_error(WB_ERR_INVALID_ARGUMENT, "string longer than 255 bytes");
  st = wb_memory_read(memory, ptr, text, len); /* bounds-checked against guest memory */
  if (st) return st;                           /* the guest traps with wb_last_error() */
  text[len] = 0;
  printf("%s%s\n", prefix, text);
  results[0].kind = WB_I32;
  results[0].of.i32 = (int32_t)len;
  return WB_OK;
}

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

int main(void) {
  wb_engine_t engine;
  wb_module_t module;
  wb_linker_t linker;
  wb_store_t store;
  wb_instance_t instance;
  wb_func_t greet, bad;
  CHECK(wb_engine_new(NULL, &engine));
  CHECK(wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), &module));
  CHECK(wb_linker_new(engine, &linker));
  const wb_valkind_t params[2] = {WB_I32, WB_I32}, results[1] = {WB_I32};
  CHECK(wb_linker_define_func(linker, "host", "print", params, 2, results, 1, print, "host got: ", NULL));
  CHECK(wb_store_new(engine, &store));
  CHECK(wb_linker_instantiate(linker, store, module, &instance));
  CHECK(wb_instance_get_func(instance, "greet", &greet));
  CHECK(wb_instance_get_func(instance, "bad", &bad));

  wb_val_t r;
  CHECK(wb_func_call(greet, NULL, 0, &r, 1));
  printf("greet returned %d\n", r.of.i32);

  wb_status_t st = wb_func_call(bad, NULL, 0, &r, 1);
  printf("bad: %s\n  %.200s...\n", wb_status_name(st), wb_last_error());

  wb_store_delete(store);
  wb_linker_delete(linker);
  wb_module_delete(module);
  wb_engine_delete(engine);
  return st == WB_ERR_TRAP ? 0 : 1;
}
