/* An out-of-tree C consumer: built against an installed wasmbound (found
 * through find_package, pkg-config, or the static archive) and run. */
#include <stdio.h>
#include <string.h>

#include <wasmbound.h>

#define TRY(call)                                                              \
  do {                                                                         \
    wb_status_t st_ = (call);                                                  \
    if (st_ != WB_OK) {                                                        \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(void) {
  const char *wat = "(module (func (export \"add\") (param i32 i32) (result i32)"
                    "  local.get 0 local.get 1 i32.add))";
  wb_engine_t engine;
  wb_module_t module;
  wb_store_t store;
  wb_instance_t instance;
  wb_func_t add;
  wb_stats_t stats = WB_STATS_INIT;

  if (strcmp(wb_version(), WASMBOUND_VERSION) != 0) {
    fprintf(stderr, "header %s, library %s\n", WASMBOUND_VERSION, wb_version());
    return 1;
  }
  TRY(wb_engine_new(NULL, &engine));
  TRY(wb_module_new(engine, (const uint8_t *)wat, strlen(wat), &module));
  TRY(wb_store_new(engine, &store));
  TRY(wb_instance_new(store, module, &instance));
  TRY(wb_instance_get_func(instance, "add", &add));
  wb_val_t args[2];
  memset(args, 0, sizeof args);
  args[0].kind = WB_I32;
  args[0].of.i32 = 2;
  args[1].kind = WB_I32;
  args[1].of.i32 = 40;
  wb_val_t result;
  TRY(wb_func_call(add, args, 2, &result, 1));
  TRY(wb_store_delete(store));
  TRY(wb_module_delete(module));
  TRY(wb_engine_delete(engine));
  TRY(wb_stats_get(&stats));
  if (result.kind != WB_I32 || result.of.i32 != 42 || stats.live_handles != 0) {
    fprintf(stderr, "wrong result %d or %llu live handles\n", result.of.i32, (unsigned long long)stats.live_handles);
    return 1;
  }
  printf("consumer (C): 2 + 40 = %d, wasmbound %s\n", result.of.i32, wb_version());
  return 0;
}
