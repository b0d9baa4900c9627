/* status: the thread's last error, trap code and exit code, set by every
 * failing call (from C or from Go) and read by wb_last_error and friends.
 * Internal header: not installed. */
#ifndef WB_STATUS_INTERNAL_H
#define WB_STATUS_INTERNAL_H

#include "wasmbound.h"

/* Records st and a formatted message as this thread's last error, resets the
 * trap code to WB_TRAP_NONE, and returns st. Messages longer than the buffer
 * are cut with "...". */
wb_status_t wbi_fail(wb_status_t st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like wbi_fail with a message of len bytes (need not be NUL-terminated). */
wb_status_t wbi_fail_bytes(wb_status_t st, const char *msg, size_t len);

/* Puts prefix in front of this thread's last error message (which a callee
 * has just set) and returns st. */
wb_status_t wbi_fail_prefix(wb_status_t st, const char *prefix);

/* Sets the trap code reported by wb_last_trap_code (call after wbi_fail*). */
void wbi_set_trap_code(wb_trap_code_t code);

/* Called with the message of every WB_ERR_INTERNAL failure (set by handles/
 * to log it); NULL until then. */
extern void (*wbi_internal_error_hook)(const char *message);

/* This thread's last error state, saved around code that may overwrite it
 * (the log callback) and restored after. */
typedef struct wbi_error_state wbi_error_state_t;
wbi_error_state_t *wbi_error_save(void);   /* NULL when out of memory */
void wbi_error_restore(wbi_error_state_t *saved); /* frees it; NULL is a no-op */

/* Sets the exit code reported by wb_last_exit_code (wbi_fail* reset it to -1). */
void wbi_set_exit_code(int32_t code);

/* Counts this thread's failures: a host function that fails without a
 * message is told apart from one that set one. */
extern __thread uint64_t wbi_tls_failures __attribute__((tls_model("initial-exec")));

#endif
