/* A compiled-module cache: compile once, keep the native code on disk
 * (wb_module_serialize), and on later runs load it (wb_module_deserialize)
 * instead of compiling again. An entry made by another Wasmtime version or
 * engine configuration is refused (WB_ERR_COMPILE): the cache then compiles
 * and replaces it.
 *
 * Deserializing runs native code from the file: only ever load a cache that
 * this program wrote, in a directory nobody else can write.
 *
 *   cmake --build build --target module_cache && build/examples/module_cache [DIR]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmbound.h"

static const char *WAT =
    "(module (func (export \"fib\") (param i32) (result i32)\n"
    "  (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))\n"
    "    (else (i32.add (call 0 (i32.sub (local.get 0) (i32.const 1)))\n"
    "                   (call 0 (i32.sub (local.get 0) (i32.const 2))))))))";

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

/* Loads the module from the cache file, or compiles it and writes the file.
 * *how says which happened. */
static wb_status_t load_or_compile(wb_engine_t engine, const char *path, wb_module_t *out, const char **how) {
  FILE *f = fopen(path, "rb");
  if (f) {
    static unsigned char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    wb_status_t st = wb_module_deserialize(engine, buf, n, out);
    if (st == WB_OK) {
      *how = "loaded from the cache";
      return WB_OK;
    }
    if (st != WB_ERR_COMPILE) return st;
    printf("  cache entry refused (%s): recompiling\n", wb_status_name(st));
  }
  wb_status_t st = wb_module_new(engine, (const uint8_t *)WAT, strlen(WAT), out);
  if (st) return st;
  wb_bytes_t bytes;
  if ((st = wb_module_serialize(*out, &bytes)) == WB_OK) {
    f = fopen(path, "wb");
    if (f) {
      fwrite(bytes.data, 1, bytes.len, f);
      fclose(f);
    }
    printf("  compiled; %zu bytes of native code written to the cache\n", bytes.len);
    wb_bytes_dispose(&bytes); /* the caller owns serialized bytes */
  }
  *how = "compiled";
  return st;
}

/* One "run" of a program: an engine, the module from the cache, a call. */
static int run(const wb_engine_config_t *cfg, const char *path, const char **how) {
  wb_engine_t engine;
  wb_module_t module;
  wb_store_t store;
  wb_instance_t instance;
  wb_func_t fib;
  wb_val_t n = {.kind = WB_I32, .of.i32 = 20}, r;
  CHECK(wb_engine_new(cfg, &engine));
  CHECK(load_or_compile(engine, path, &module, how));
  CHECK(wb_store_new(engine, &store));
  CHECK(wb_instance_new(store, module, &instance));
  CHECK(wb_instance_get_func(instance, "fib", &fib));
  CHECK(wb_func_call(fib, &n, 1, &r, 1));
  printf("  %s: fib(20) = %d\n", *how, r.of.i32);
  CHECK(wb_store_delete(store));
  CHECK(wb_module_delete(module));
  CHECK(wb_engine_delete(engine));
  return r.of.i32 == 6765 ? 0 : 1;
}

int main(int argc, char **argv) {
  char dir[] = "/tmp/wasmbound-cache-XXXXXX", path[4200];
  const char *base = argc > 1 ? argv[1] : mkdtemp(dir);
  if (!base) return 1;
  snprintf(path, sizeof path, "%s/fib.cwasm", base);
  remove(path);
  const char *first, *second, *third;
  wb_engine_config_t cfg;
  CHECK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));

  printf("first run:\n");
  if (run(&cfg, path, &first)) return 1;
  printf("second run:\n");
  if (run(&cfg, path, &second)) return 1;
  printf("a run with another engine configuration (no SIMD):\n");
  cfg.wasm_simd = false;
  cfg.wasm_relaxed_simd = false;
  if (run(&cfg, path, &third)) return 1;

  remove(path);
  if (base == dir) rmdir(dir);
  int ok = !strcmp(first, "compiled") && !strcmp(second, "loaded from the cache") && !strcmp(third, "compiled");
  printf("module_cache: %s, then %s, then %s\n", first, second, third);
  return ok ? 0 : 1;
}
