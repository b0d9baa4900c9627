/* Engine configuration, module compilation (wasm and WAT), validation,
 * import/export listing, serialization. */
#include "check.h"

static const char *wat =
    "(module\n"
    "  (import \"env\" \"log\" (func (param i32)))\n"
    "  (import \"env\" \"g\" (global (mut i64)))\n"
    "  (memory (export \"mem\") 1 3)\n"
    "  (table (export \"tab\") 2 funcref)\n"
    "  (global (export \"counter\") (mut i32) (i32.const 0))\n"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))";

/* (module (func (export "f") (result i32) i32.const 42)) */
static const uint8_t wasm_bin[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
                                   0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66,
                                   0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b};

static int32_t call_f(wb_engine_t e, wb_module_t m) {
  wb_store_t s;
  wb_instance_t i;
  wb_func_t f;
  wb_val_t r;
  OK(wb_store_new(e, &s));
  OK(wb_instance_new(s, m, &i));
  OK(wb_instance_get_func(i, "f", &f));
  OK(wb_func_call(f, NULL, 0, &r, 1));
  OK(wb_store_delete(s));
  return r.of.i32;
}

int main(void) {
  CHECK(strcmp(wb_version(), WASMBOUND_VERSION) == 0);

  /* configuration */
  wb_engine_config_t cfg;
  EXPECT(wb_engine_config_init(NULL, WB_ENGINE_CONFIG_VERSION), WB_ERR_INVALID_ARGUMENT, "NULL");
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  CHECK(cfg.version == WB_ENGINE_CONFIG_VERSION && cfg.epoch_interruption && !cfg.consume_fuel);
  wb_engine_t e = {0};
  EXPECT(wb_engine_new(NULL, NULL), WB_ERR_INVALID_ARGUMENT, "out");
  wb_engine_config_t bad = cfg;
  bad.version = 0;
  EXPECT(wb_engine_new(&bad, &e), WB_ERR_INVALID_ARGUMENT, "wb_engine_config_init");
  CHECK(e.id == 0); /* out untouched on failure */
  bad = cfg;
  bad.opt_level = (wb_opt_level_t)9;
  EXPECT(wb_engine_new(&bad, &e), WB_ERR_INVALID_ARGUMENT, "opt_level");
  bad = cfg;
  bad.max_wasm_stack = 1;
  EXPECT(wb_engine_new(&bad, &e), WB_ERR_INVALID_ARGUMENT, "max_wasm_stack");

  /* every switch accepted by Wasmtime */
  cfg.wasm_memory64 = true;
  cfg.wasm_gc = true;
  cfg.consume_fuel = true;
  cfg.opt_level = WB_OPT_SPEED_AND_SIZE;
  cfg.parallel_compilation = false;
  cfg.max_wasm_stack = 256 * 1024;
  cfg.pooling_allocator = true;
  cfg.pool_total_core_instances = 10;
  cfg.pool_total_memories = 10;
  cfg.pool_total_tables = 10;
  cfg.pool_max_memory_size = 1 << 20;
  wb_engine_t pooled;
  OK(wb_engine_new(&cfg, &pooled));
  OK(wb_engine_delete(pooled));
  EXPECT(wb_engine_delete(pooled), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_engine_delete((wb_engine_t){0}));

  OK(wb_engine_new(NULL, &e));

  /* binary and text */
  wb_module_t m;
  OK(wb_module_new(e, wasm_bin, sizeof wasm_bin, &m));
  CHECK(call_f(e, m) == 42);
  OK(wb_module_validate(e, wasm_bin, sizeof wasm_bin));
  OK(wb_module_validate(e, (const uint8_t *)wat, strlen(wat)));

  /* invalid input */
  wb_module_t none = {0};
  EXPECT(wb_module_new(e, (const uint8_t *)"(module (func (result i32)))", 28, &none), WB_ERR_COMPILE,
         "invalid");
  CHECK(none.id == 0);
  EXPECT(wb_module_new(e, wasm_bin, sizeof wasm_bin - 3, &none), WB_ERR_COMPILE, "");
  EXPECT(wb_module_validate(e, (const uint8_t *)"(module (bogus))", 16), WB_ERR_COMPILE, "");
  EXPECT(wb_module_new(e, (const uint8_t *)"\xff\xfe\x00\x01", 4, &none), WB_ERR_COMPILE, "");
  EXPECT(wb_module_new(e, NULL, 10, &none), WB_ERR_INVALID_ARGUMENT, "NULL");
  EXPECT(wb_module_new(e, wasm_bin, 0, &none), WB_ERR_INVALID_ARGUMENT, "len");
  EXPECT(wb_module_new(e, wasm_bin, (size_t)1 << 40, &none), WB_ERR_INVALID_ARGUMENT, "limit");
  EXPECT(wb_module_new(e, wasm_bin, sizeof wasm_bin, NULL), WB_ERR_INVALID_ARGUMENT, "out");
  EXPECT(wb_module_new((wb_engine_t){0}, wasm_bin, sizeof wasm_bin, &none), WB_ERR_INVALID_HANDLE, "null");

  /* imports and exports with their types */
  wb_module_t full = compile_wat(e, wat);
  wb_extern_list_t list = WB_EXTERN_LIST_INIT;
  OK(wb_module_imports(full, &list));
  CHECK(list.count == 2);
  CHECK(strcmp(list.items[0].module, "env") == 0 && strcmp(list.items[0].name, "log") == 0);
  CHECK(list.items[0].kind == WB_EXTERN_FUNC && strcmp(list.items[0].type, "(func (param i32))") == 0);
  CHECK(list.items[1].kind == WB_EXTERN_GLOBAL && strcmp(list.items[1].type, "(global (mut i64))") == 0);
  wb_extern_list_dispose(&list);
  CHECK(list.items == NULL && list.count == 0);
  wb_extern_list_dispose(&list); /* twice is harmless */
  wb_extern_list_dispose(NULL);
  OK(wb_module_exports(full, &list));
  CHECK(list.count == 4);
  CHECK(list.items[0].module == NULL && strcmp(list.items[0].name, "mem") == 0);
  CHECK(list.items[0].kind == WB_EXTERN_MEMORY && strcmp(list.items[0].type, "(memory 1 3)") == 0);
  CHECK(list.items[1].kind == WB_EXTERN_TABLE && strcmp(list.items[1].type, "(table 2 funcref)") == 0);
  CHECK(list.items[2].kind == WB_EXTERN_GLOBAL && strcmp(list.items[2].type, "(global (mut i32))") == 0);
  CHECK(strcmp(list.items[3].type, "(func (param i32 i32) (result i32))") == 0);
  wb_extern_list_dispose(&list);
  EXPECT(wb_module_exports(full, NULL), WB_ERR_INVALID_ARGUMENT, "out");

  /* a module with imports needs a linker */
  wb_store_t s;
  wb_instance_t inst;
  OK(wb_store_new(e, &s));
  EXPECT(wb_instance_new(s, full, &inst), WB_ERR_LINK, "\"env\" \"log\"");
  OK(wb_store_delete(s));

  /* serialize, deserialize */
  wb_bytes_t bytes;
  OK(wb_module_serialize(m, &bytes));
  CHECK(bytes.data != NULL && bytes.len > 0);
  wb_module_t back;
  OK(wb_module_deserialize(e, bytes.data, bytes.len, &back));
  CHECK(call_f(e, back) == 42);
  bytes.data[0] ^= 0xff;
  EXPECT(wb_module_deserialize(e, bytes.data, bytes.len, &none), WB_ERR_COMPILE, "deserialize");
  wb_bytes_dispose(&bytes);
  CHECK(bytes.data == NULL);
  wb_bytes_dispose(NULL);

  /* a module of another engine is refused by the store */
  wb_engine_t e2;
  OK(wb_engine_new(NULL, &e2));
  OK(wb_store_new(e2, &s));
  EXPECT(wb_instance_new(s, m, &inst), WB_ERR_INVALID_ARGUMENT, "another engine");
  OK(wb_store_delete(s));
  OK(wb_engine_delete(e2));

  /* deleting the engine first: modules and their instances keep working */
  OK(wb_store_new(e, &s));
  OK(wb_engine_delete(e));
  OK(wb_instance_new(s, back, &inst));
  wb_func_t f;
  wb_val_t r;
  OK(wb_instance_get_func(inst, "f", &f));
  OK(wb_func_call(f, NULL, 0, &r, 1));
  CHECK(r.of.i32 == 42);
  EXPECT(wb_store_new(e, &s), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_store_delete(s));

  OK(wb_module_delete(m));
  OK(wb_module_delete(back));
  OK(wb_module_delete(full));
  EXPECT(wb_module_delete(full), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_module_delete((wb_module_t){0}));
  check_no_live_handles();
  DONE("engine_module");
}
