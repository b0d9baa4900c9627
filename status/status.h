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

/* Counts this thread's failures: a component host function (component/)
 * that fails without a message is told apart from one that set one. */
extern __thread uint64_t wbi_tls_failures __attribute__((tls_model("initial-exec")));

/* What the thread's last failure happened in, for core host functions: wbi_fail* record there what
 * wbi_fail_stamp_hook answers (dispatch/ sets it: the id of the innermost
 * host callback running on this thread, 0 for none; NULL: 0). A host
 * function's trampoline compares it with its callback's id to tell a
 * callback that failed with a message of its own (or of a call it made)
 * from one that set none, without reading anything before the callback. */
extern uint64_t (*wbi_fail_stamp_hook)(void);
extern __thread uint64_t wbi_tls_fail_stamp;

/* Versioned structs (the libgit2 convention): a struct the caller allocates
 * and the library reads or fills starts with `uint32_t version`; sizes[v] is
 * the size of version v (for versions before the current one, the offset of
 * the first field the next version appended; sizes[0] is unused). The
 * library accepts every version it ever shipped. */
typedef struct wbi_versioned {
  const char *name;    /* the struct, for messages: "wb_engine_config_t" */
  const char *init;    /* how the caller makes one: "wb_engine_config_init" */
  uint32_t current;    /* the newest version */
  const size_t *sizes; /* [current + 1] */
} wbi_versioned_t;

/* Checks that version is one of info's (sets the last error if not). */
wb_status_t wbi_version_check(const wbi_versioned_t *info, uint32_t version);

/* Reads the caller's struct `user` (NULL: use the defaults) into `out`, a
 * struct of the current version: the fields user's version has come from
 * user, the others from `defaults`. *version_out (may be NULL) receives
 * user's version (the current one for NULL). */
wb_status_t wbi_versioned_read(const wbi_versioned_t *info, const void *user, const void *defaults, void *out,
                               uint32_t *version_out);

/* Writes the fields of `version` from `full` (a struct of the current
 * version) to `out`, and out's version; nothing past that version's size. */
wb_status_t wbi_versioned_write(const wbi_versioned_t *info, void *out, uint32_t version, const void *full);

/* For out-structs whose version the caller set (statistics): checks out and
 * its version, then writes as wbi_versioned_write. */
wb_status_t wbi_versioned_fill(const wbi_versioned_t *info, void *out, const void *full);

#endif
