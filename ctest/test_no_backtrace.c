/* No message carries a Rust backtrace. With RUST_BACKTRACE=1 (CTest sets
 * it, and RUST_LIB_BACKTRACE=1, for this test) Wasmtime appends the native
 * backtrace of wherever its error was made; wb_last_error() must say what
 * went wrong and nothing of Wasmtime's insides. One failure of each kind
 * that reaches Wasmtime's error text: a trap, a link error, a compile error,
 * deserializing foreign bytes, and WASI failures. */
#include <stdlib.h>

#include "check.h"

static int cases;

static wb_status_t nothing(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs, wb_val_t *results,
                           size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  return WB_OK;
}

/* The message of the last failure (status want) has no backtrace in it. */
static void no_backtrace(const char *what, wb_status_t got, wb_status_t want) {
  const char *msg = wb_last_error();
  if (got != want) {
    fprintf(stderr, "%s: %s, expected %s (%s)\n", what, wb_status_name(got), wb_status_name(want), msg);
    exit(1);
  }
  static const char *const marks[] = {"Stack backtrace", "stack backtrace", "RUST_BACKTRACE", "rust_begin_unwind",
                                      "std::backtrace", "/rustc/", "\n   0: ", "\n   1: "};
  for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
    if (strstr(msg, marks[i])) {
      fprintf(stderr, "%s: the message carries a Rust backtrace (\"%s\"):\n%s\n", what, marks[i], msg);
      exit(1);
    }
  }
  CHECK(msg[0] != '\0');
  printf("%s: %s: %.*s%s\n", what, wb_status_name(got), 100, msg, strlen(msg) > 100 ? "..." : "");
  cases++;
}

int main(void) {
  const char *env = getenv("RUST_BACKTRACE");
  printf("RUST_BACKTRACE=%s\n", env ? env : "(unset: this test means nothing without it)");
  CHECK(env && strcmp(env, "0") != 0);

  wb_engine_t engine;
  OK(wb_engine_new(NULL, &engine));
  wb_store_t store;
  OK(wb_store_new(engine, &store));

  /* a trap, with a wasm backtrace (which is kept) */
  const char *trap_wat = "(module (func $inner unreachable) (func (export \"f\") call $inner))";
  wb_module_t m = compile_wat(engine, trap_wat);
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_instance_new(store, m, &inst));
  OK(wb_instance_get_func(inst, "f", &f));
  no_backtrace("trap", wb_func_call(f, NULL, 0, NULL, 0), WB_ERR_TRAP);
  CHECK(wb_last_trap_code() == WB_TRAP_UNREACHABLE);
  OK(wb_module_delete(m));

  /* a link error: an import the linker does not define */
  const char *import_wat = "(module (import \"env\" \"missing\" (func)))";
  wb_module_t mi = compile_wat(engine, import_wat);
  wb_linker_t linker;
  OK(wb_linker_new(engine, &linker));
  no_backtrace("link", wb_linker_instantiate(linker, store, mi, &inst), WB_ERR_LINK);
  /* a link error from a type mismatch */
  const wb_valkind_t i32[1] = {WB_I32};
  OK(wb_linker_define_func(linker, "env", "missing", i32, 1, NULL, 0, nothing, NULL, NULL));
  no_backtrace("link (type)", wb_linker_instantiate(linker, store, mi, &inst), WB_ERR_LINK);
  OK(wb_module_delete(mi));

  /* compile errors: bad WAT, bad binary, bytes that were never serialized */
  const char *bad_wat = "(module (func (result i32) i64.const 1))";
  no_backtrace("compile (WAT)", wb_module_new(engine, (const uint8_t *)bad_wat, strlen(bad_wat), &m),
               WB_ERR_COMPILE);
  static const uint8_t bad_wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0x01, 0x05, 0x01, 0x60};
  no_backtrace("compile (binary)", wb_module_new(engine, bad_wasm, sizeof bad_wasm, &m), WB_ERR_COMPILE);
  no_backtrace("validate", wb_module_validate(engine, bad_wasm, sizeof bad_wasm), WB_ERR_COMPILE);
  static const uint8_t not_serialized[64] = {0x7f, 'E', 'L', 'F'};
  no_backtrace("deserialize", wb_module_deserialize(engine, not_serialized, sizeof not_serialized, &m),
               WB_ERR_COMPILE);

  /* WASI: an error of Wasmtime's WASI implementation (proc_exit with a
   * status outside [0, 126) is an error, not an exit) */
  const char *wasi_wat =
      "(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))"
      "  (memory (export \"memory\") 1)"
      "  (func (export \"_start\") i32.const 200 call $exit))";
  wb_module_t mw = compile_wat(engine, wasi_wat);
  wb_linker_t wl;
  wb_wasi_config_t wc;
  OK(wb_linker_new(engine, &wl));
  OK(wb_linker_define_wasi(wl));
  OK(wb_wasi_config_new(&wc));
  OK(wb_store_set_wasi(store, wc));
  OK(wb_linker_instantiate(wl, store, mw, &inst));
  OK(wb_instance_get_func(inst, "_start", &f));
  no_backtrace("WASI (proc_exit 200)", wb_func_call(f, NULL, 0, NULL, 0), WB_ERR_TRAP);
  /* WASI: a preopened directory that does not exist */
  OK(wb_wasi_config_preopen_dir(wc, "/nonexistent/wasmbound-test", "/data", true));
  no_backtrace("WASI (preopen)", wb_store_set_wasi(store, wc), WB_ERR_IO);
  OK(wb_wasi_config_delete(wc));
  OK(wb_module_delete(mw));

  OK(wb_linker_delete(wl));
  OK(wb_linker_delete(linker));
  OK(wb_store_delete(store));
  OK(wb_engine_delete(engine));
  printf("no_backtrace: %d messages, none with a Rust backtrace\n", cases);
  check_no_live_handles();
  DONE("no_backtrace");
}
