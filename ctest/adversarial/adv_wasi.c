/* WASI at the edges: stores without WASI settings (issue 14 item 1),
 * descriptors (item 9), captured output (item 10). */
#include <fcntl.h>
#include <unistd.h>

#include "cases.h"

#define WASI_HELLO                                                                                       \
  "(module"                                                                                              \
  " (import \"wasi_snapshot_preview1\" \"fd_write\" (func $fd_write (param i32 i32 i32 i32) (result i32)))" \
  " (memory (export \"memory\") 1)"                                                                      \
  " (data (i32.const 8) \"hello\\n\")"                                                                   \
  " (func (export \"hello\") (result i32)"                                                               \
  "  (i32.store (i32.const 0) (i32.const 8)) (i32.store (i32.const 4) (i32.const 6))"                     \
  "  (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20))))"

/* A linker with WASI, a store that never got WASI settings: the call works
 * (an empty WASI context: output discarded), instead of aborting. */
static void item01_wasi_without_settings_linker(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_store_t s;
  wb_instance_t inst;
  wb_func_t f;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, WASI_HELLO);
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_wasi(l));
  OK(wb_store_new(e, &s));
  OK(wb_linker_instantiate(l, s, m, &inst));
  OK(wb_instance_get_func(inst, "hello", &f));
  wb_val_t r;
  OK(wb_func_call(f, NULL, 0, &r, 1));
  CHECK(r.kind == WB_I32 && r.of.i32 == 0); /* errno 0: written (to nowhere) */
  OK(wb_store_delete(s));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* The same through a template, into several stores. */
static void item01_wasi_without_settings_template(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_template_t t;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, WASI_HELLO);
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_wasi(l));
  OK(wb_template_new(l, m, &t));
  OK(wb_linker_delete(l));
  for (int i = 0; i < 3; i++) {
    wb_store_t s;
    wb_instance_t inst;
    wb_func_t f;
    wb_val_t r;
    OK(wb_store_new(e, &s));
    OK(wb_template_instantiate(t, s, &inst));
    OK(wb_instance_get_func(inst, "hello", &f));
    OK(wb_func_call(f, NULL, 0, &r, 1));
    CHECK(r.of.i32 == 0);
    OK(wb_store_delete(s));
  }
  OK(wb_template_delete(t));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

/* A pool over a WASI template: its workers' stores get no WASI settings. */
static void item01_wasi_pool(void) {
  wb_engine_t e;
  wb_linker_t l;
  wb_template_t t;
  wb_pool_t p;
  OK(wb_engine_new(NULL, &e));
  wb_module_t m = adv_compile(e, WASI_HELLO);
  OK(wb_linker_new(e, &l));
  OK(wb_linker_define_wasi(l));
  OK(wb_template_new(l, m, &t));
  OK(wb_pool_new(e, t, NULL, &p));
  for (int i = 0; i < 20; i++) {
    wb_val_t r;
    OK(wb_pool_call(p, "hello", NULL, 0, &r, 1));
    CHECK(r.of.i32 == 0);
  }
  OK(wb_pool_delete(p));
  OK(wb_template_delete(t));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
}

ADV_TABLE(wasi) = {
    {"item01_wasi_without_settings_linker", item01_wasi_without_settings_linker},
    {"item01_wasi_without_settings_template", item01_wasi_without_settings_template},
    {"item01_wasi_pool", item01_wasi_pool},
};
ADV_COUNT(wasi);
