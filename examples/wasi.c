/* Runs a WASI command: arguments, environment, stdin, captured stdout, and
 * its exit code.
 *
 *   build/examples/wasi program.wasm [args...]   (with no program: a built-in one)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmbound.h"

/* A tiny WASI program: writes "hi from WASI\n" to stdout and exits with 3. */
static const char *BUILTIN =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $fd_write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 8) \"hi from WASI\\n\")\n"
    "  (func (export \"_start\")\n"
    "    (i32.store (i32.const 0) (i32.const 8)) (i32.store (i32.const 4) (i32.const 13))\n"
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 100)))\n"
    "    (call $exit (i32.const 3))))";

#define CHECK(call)                                                                  \
  do {                                                                               \
    wb_status_t st_ = (call);                                                        \
    if (st_) {                                                                       \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(*len ? *len : 1);
  if (fread(b, 1, *len, f) != *len) *len = 0;
  fclose(f);
  return b;
}

int main(int argc, char **argv) {
  size_t len = strlen(BUILTIN);
  uint8_t *bytes = (uint8_t *)BUILTIN;
  if (argc > 1 && !(bytes = read_all(argv[1], &len))) {
    perror(argv[1]);
    return 1;
  }
  wb_engine_t engine;
  wb_module_t module;
  CHECK(wb_engine_new(NULL, &engine));
  CHECK(wb_module_new(engine, bytes, len, &module));

  wb_wasi_config_t wasi;
  CHECK(wb_wasi_config_new(&wasi));
  const char *args[] = {"program", "--greeting", "hello"};
  CHECK(wb_wasi_config_set_args(wasi, argc > 1 ? (const char *const *)argv + 1 : args,
                                argc > 1 ? (size_t)argc - 1 : 3));
  const char *names[] = {"LANG"}, *values[] = {"C.UTF-8"};
  CHECK(wb_wasi_config_set_env(wasi, names, values, 1));
  CHECK(wb_wasi_config_set_stdin(wasi, (const uint8_t *)"input\n", 6));
  CHECK(wb_wasi_config_set_stdout(wasi, WB_STDIO_CAPTURE, NULL));
  CHECK(wb_wasi_config_set_stderr(wasi, WB_STDIO_INHERIT, NULL));
  CHECK(wb_wasi_config_preopen_dir(wasi, ".", "/", true)); /* read-only */

  wb_linker_t linker;
  wb_store_t store;
  wb_instance_t instance;
  wb_func_t start;
  CHECK(wb_linker_new(engine, &linker));
  CHECK(wb_linker_define_wasi(linker));
  CHECK(wb_store_new(engine, &store));
  CHECK(wb_store_set_wasi(store, wasi));
  CHECK(wb_linker_instantiate(linker, store, module, &instance));
  CHECK(wb_instance_get_func(instance, "_start", &start));

  wb_status_t st = wb_func_call(start, NULL, 0, NULL, 0);
  int exit_code = st == WB_OK ? 0 : st == WB_ERR_EXIT ? wb_last_exit_code() : -1;
  if (st != WB_OK && st != WB_ERR_EXIT) fprintf(stderr, "%s: %s\n", wb_status_name(st), wb_last_error());

  wb_bytes_t out;
  CHECK(wb_store_wasi_output(store, 1, &out));
  printf("captured stdout (%zu bytes): %s", out.len, (const char *)out.data);
  printf("exit code: %d\n", exit_code);
  wb_bytes_dispose(&out);

  wb_store_delete(store);
  wb_linker_delete(linker);
  wb_wasi_config_delete(wasi);
  wb_module_delete(module);
  wb_engine_delete(engine);
  if (bytes != (uint8_t *)BUILTIN) free(bytes);
  return argc > 1 ? exit_code : (exit_code == 3 ? 0 : 1);
}
