/* The version comes from one place (the WASMBOUND_VERSION_* macros of
 * wasmbound.h): the header's string, the library's wb_version(), and
 * CMake's project version (passed in as WB_PROJECT_VERSION, which also
 * names libwasmbound.so.X.Y.Z, the .pc file and the packages) agree. */
#include <stdio.h>
#include <string.h>

#include "wasmbound.h"

#define STR_(x) #x
#define STR(x) STR_(x)

int main(void) {
  char parts[64];
  snprintf(parts, sizeof parts, "%d.%d.%d", WASMBOUND_VERSION_MAJOR, WASMBOUND_VERSION_MINOR, WASMBOUND_VERSION_PATCH);
  const char *project = STR(WB_PROJECT_VERSION);
  printf("header %s (%s), library %s, CMake project %s, number %d\n", WASMBOUND_VERSION, parts, wb_version(),
         project, WASMBOUND_VERSION_NUMBER);
  if (strcmp(WASMBOUND_VERSION, parts) != 0 || strcmp(wb_version(), parts) != 0 || strcmp(project, parts) != 0 ||
      WASMBOUND_VERSION_NUMBER != WASMBOUND_VERSION_MAJOR * 10000 + WASMBOUND_VERSION_MINOR * 100 + WASMBOUND_VERSION_PATCH) {
    fprintf(stderr, "the versions disagree\n");
    return 1;
  }
  printf("version: %s everywhere\n", parts);
  return 0;
}
