/* Freeing what the library handed to the caller as plain memory. */
#include <stdlib.h>

#include "wasmbound.h"

void wb_extern_list_dispose(wb_extern_list_t *list) {
  if (!list) return;
  free(list->items); /* one block: the array and its strings */
  list->items = 0;
  list->count = 0;
}

void wb_bytes_dispose(wb_bytes_t *bytes) {
  if (!bytes) return;
  free(bytes->data);
  bytes->data = 0;
  bytes->len = 0;
}
