#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Thread-local: only ever read and written by the thread that failed. The
 * buffer uses the default (dynamic) TLS model: it is touched only on errors. */
#define WBI_ERROR_CAP 8192
static __thread char error_buf[WBI_ERROR_CAP];
static __thread wb_trap_code_t trap_code;
static __thread int32_t exit_code = -1;
__thread uint64_t wbi_tls_failures __attribute__((tls_model("initial-exec")));
__thread uint64_t wbi_tls_fail_stamp;
uint64_t (*wbi_fail_stamp_hook)(void);

void (*wbi_internal_error_hook)(const char *message);

static void mark_truncated(size_t written) {
  if (written >= WBI_ERROR_CAP) memcpy(error_buf + WBI_ERROR_CAP - 4, "...", 4);
}

wb_status_t wbi_fail(wb_status_t st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(error_buf, WBI_ERROR_CAP, fmt, ap);
  va_end(ap);
  if (n < 0) error_buf[0] = 0;
  else mark_truncated((size_t)n);
  trap_code = WB_TRAP_NONE;
  exit_code = -1;
  wbi_tls_failures++;
  wbi_tls_fail_stamp = wbi_fail_stamp_hook ? wbi_fail_stamp_hook() : 0;
  if (st == WB_ERR_INTERNAL && wbi_internal_error_hook) wbi_internal_error_hook(error_buf);
  return st;
}

wb_status_t wbi_fail_bytes(wb_status_t st, const char *msg, size_t len) {
  size_t n = len < WBI_ERROR_CAP - 1 ? len : WBI_ERROR_CAP - 1;
  if (n) memcpy(error_buf, msg, n);
  error_buf[n] = 0;
  mark_truncated(len);
  trap_code = WB_TRAP_NONE;
  exit_code = -1;
  wbi_tls_failures++;
  wbi_tls_fail_stamp = wbi_fail_stamp_hook ? wbi_fail_stamp_hook() : 0;
  if (st == WB_ERR_INTERNAL && wbi_internal_error_hook) wbi_internal_error_hook(error_buf);
  return st;
}

wb_status_t wbi_fail_prefix(wb_status_t st, const char *prefix) {
  size_t plen = strlen(prefix), mlen = strnlen(error_buf, WBI_ERROR_CAP - 1);
  if (plen >= WBI_ERROR_CAP - 1) plen = WBI_ERROR_CAP - 1;
  if (plen + mlen > WBI_ERROR_CAP - 1) mlen = WBI_ERROR_CAP - 1 - plen;
  memmove(error_buf + plen, error_buf, mlen);
  memcpy(error_buf, prefix, plen);
  error_buf[plen + mlen] = 0;
  return st;
}

struct wbi_error_state {
  wb_trap_code_t trap_code;
  int32_t exit_code;
  char message[];
};

wbi_error_state_t *wbi_error_save(void) {
  size_t len = strnlen(error_buf, WBI_ERROR_CAP - 1);
  wbi_error_state_t *s = malloc(sizeof *s + len + 1);
  if (!s) return 0;
  s->trap_code = trap_code;
  s->exit_code = exit_code;
  memcpy(s->message, error_buf, len);
  s->message[len] = 0;
  return s;
}

void wbi_error_restore(wbi_error_state_t *s) {
  if (!s) return;
  size_t len = strlen(s->message);
  memcpy(error_buf, s->message, len + 1);
  trap_code = s->trap_code;
  exit_code = s->exit_code;
  free(s);
}

void wbi_set_exit_code(int32_t code) { exit_code = code; }

int32_t wb_last_exit_code(void) { return exit_code; }

wb_status_t wb_set_error(wb_status_t status, const char *message) {
  return wbi_fail(status, "%s", message ? message : "(no message)");
}

void wbi_set_trap_code(wb_trap_code_t code) { trap_code = code; }

const char *wb_last_error(void) { return error_buf; }

wb_trap_code_t wb_last_trap_code(void) { return trap_code; }

const char *wb_status_name(wb_status_t status) {
  switch (status) {
  case WB_OK: return "WB_OK";
  case WB_ERR_INVALID_ARGUMENT: return "WB_ERR_INVALID_ARGUMENT";
  case WB_ERR_INVALID_HANDLE: return "WB_ERR_INVALID_HANDLE";
  case WB_ERR_WRONG_THREAD: return "WB_ERR_WRONG_THREAD";
  case WB_ERR_BUSY: return "WB_ERR_BUSY";
  case WB_ERR_NOT_FOUND: return "WB_ERR_NOT_FOUND";
  case WB_ERR_TYPE_MISMATCH: return "WB_ERR_TYPE_MISMATCH";
  case WB_ERR_COMPILE: return "WB_ERR_COMPILE";
  case WB_ERR_LINK: return "WB_ERR_LINK";
  case WB_ERR_TRAP: return "WB_ERR_TRAP";
  case WB_ERR_INTERRUPTED: return "WB_ERR_INTERRUPTED";
  case WB_ERR_OUT_OF_FUEL: return "WB_ERR_OUT_OF_FUEL";
  case WB_ERR_LIMIT: return "WB_ERR_LIMIT";
  case WB_ERR_OUT_OF_BOUNDS: return "WB_ERR_OUT_OF_BOUNDS";
  case WB_ERR_EXIT: return "WB_ERR_EXIT";
  case WB_ERR_IO: return "WB_ERR_IO";
  case WB_ERR_NO_MEMORY: return "WB_ERR_NO_MEMORY";
  case WB_ERR_INTERNAL: return "WB_ERR_INTERNAL";
  case WB_ERR_NATIVE_STACK: return "WB_ERR_NATIVE_STACK";
  case WB_ERR_TIMEOUT: return "WB_ERR_TIMEOUT";
  case WB_ERR_EXCEPTION: return "WB_ERR_EXCEPTION";
  case WB_ERR_UNUSABLE: return "WB_ERR_UNUSABLE";
  }
  return "WB_ERR_UNKNOWN_STATUS";
}

const char *wb_trap_code_name(wb_trap_code_t code) {
  switch (code) {
  case WB_TRAP_NONE: return "NONE";
  case WB_TRAP_STACK_OVERFLOW: return "STACK_OVERFLOW";
  case WB_TRAP_MEMORY_OUT_OF_BOUNDS: return "MEMORY_OUT_OF_BOUNDS";
  case WB_TRAP_HEAP_MISALIGNED: return "HEAP_MISALIGNED";
  case WB_TRAP_TABLE_OUT_OF_BOUNDS: return "TABLE_OUT_OF_BOUNDS";
  case WB_TRAP_INDIRECT_CALL_TO_NULL: return "INDIRECT_CALL_TO_NULL";
  case WB_TRAP_BAD_SIGNATURE: return "BAD_SIGNATURE";
  case WB_TRAP_INTEGER_OVERFLOW: return "INTEGER_OVERFLOW";
  case WB_TRAP_INTEGER_DIVISION_BY_ZERO: return "INTEGER_DIVISION_BY_ZERO";
  case WB_TRAP_BAD_CONVERSION_TO_INTEGER: return "BAD_CONVERSION_TO_INTEGER";
  case WB_TRAP_UNREACHABLE: return "UNREACHABLE";
  case WB_TRAP_INTERRUPT: return "INTERRUPT";
  case WB_TRAP_ALWAYS_TRAP_ADAPTER: return "ALWAYS_TRAP_ADAPTER";
  case WB_TRAP_OUT_OF_FUEL: return "OUT_OF_FUEL";
  case WB_TRAP_ATOMIC_WAIT_NON_SHARED_MEMORY: return "ATOMIC_WAIT_NON_SHARED_MEMORY";
  case WB_TRAP_NULL_REFERENCE: return "NULL_REFERENCE";
  case WB_TRAP_ARRAY_OUT_OF_BOUNDS: return "ARRAY_OUT_OF_BOUNDS";
  case WB_TRAP_ALLOCATION_TOO_LARGE: return "ALLOCATION_TOO_LARGE";
  case WB_TRAP_CAST_FAILURE: return "CAST_FAILURE";
  case WB_TRAP_CANNOT_ENTER_COMPONENT: return "CANNOT_ENTER_COMPONENT";
  case WB_TRAP_NO_ASYNC_RESULT: return "NO_ASYNC_RESULT";
  case WB_TRAP_UNHANDLED_TAG: return "UNHANDLED_TAG";
  case WB_TRAP_CONTINUATION_ALREADY_CONSUMED: return "CONTINUATION_ALREADY_CONSUMED";
  case WB_TRAP_DISABLED_OPCODE: return "DISABLED_OPCODE";
  case WB_TRAP_ASYNC_DEADLOCK: return "ASYNC_DEADLOCK";
  case WB_TRAP_CANNOT_LEAVE_COMPONENT: return "CANNOT_LEAVE_COMPONENT";
  case WB_TRAP_HOST: return "HOST";
  case WB_TRAP_EXCEPTION: return "EXCEPTION";
  }
  return "UNKNOWN";
}

const char *wb_version(void) { return WASMBOUND_VERSION; }

/* ---- versioned structs ---------------------------------------------------- */

wb_status_t wbi_version_check(const wbi_versioned_t *info, uint32_t version) {
  if (version >= 1 && version <= info->current) return WB_OK;
  return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                  "%s.version is %u, but this library knows versions 1 to %u: fill the struct with %s "
                  "(a program built against a newer wasmbound needs that library)",
                  info->name, version, info->current, info->init);
}

wb_status_t wbi_versioned_read(const wbi_versioned_t *info, const void *user, const void *defaults, void *out,
                               uint32_t *version_out) {
  uint32_t version = info->current;
  memcpy(out, defaults, info->sizes[info->current]);
  if (user) {
    memcpy(&version, user, sizeof version);
    wb_status_t st = wbi_version_check(info, version);
    if (st) return st;
    memcpy(out, user, info->sizes[version]);
  }
  if (version_out) *version_out = version;
  return WB_OK;
}

wb_status_t wbi_versioned_write(const wbi_versioned_t *info, void *out, uint32_t version, const void *full) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wb_status_t st = wbi_version_check(info, version);
  if (st) return st;
  memcpy(out, full, info->sizes[version]);
  memcpy(out, &version, sizeof version);
  return WB_OK;
}

wb_status_t wbi_versioned_fill(const wbi_versioned_t *info, void *out, const void *full) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  uint32_t version;
  memcpy(&version, out, sizeof version);
  return wbi_versioned_write(info, out, version, full);
}
