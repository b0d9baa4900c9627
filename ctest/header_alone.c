/* Compiled alone with -std=c11 -Wall -Wextra -pedantic -Werror (and as
 * C++17): the public header must stand on its own. */
#include "wasmbound.h"

int main(void) {
  wb_val_t v = {WB_I32, {0}};
  wb_engine_config_t cfg;
  (void)cfg;
  return v.kind == WB_I32 && wb_status_name(WB_OK)[0] == 'W' ? 0 : 1;
}
