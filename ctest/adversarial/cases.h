/* The adversarial suite's cases: hostile guests and careless hosts. Each case
 * runs in its own process (driver.c starts it), and holds when it returns:
 * a failed CHECK/EXPECT exits non-zero, and an abort, a crash or a hang is
 * what the driver counts as broken. Cases assert what a careful host author
 * would check: the status, the message, that the store or pool stays
 * usable, that the host's own resources are untouched. */
#ifndef WB_ADVERSARIAL_CASES_H
#define WB_ADVERSARIAL_CASES_H

#include <stddef.h>

#include "../check.h"

typedef struct adv_case {
  const char *name; /* "item04_wait_interrupt": issue-14 items are itemNN_ */
  void (*run)(void);
} adv_case_t;

/* Each file of cases exports its table. */
#define ADV_TABLE(theme) const adv_case_t adv_cases_##theme[]
#define ADV_COUNT(theme) const size_t adv_ncases_##theme = sizeof adv_cases_##theme / sizeof adv_cases_##theme[0]
#define ADV_DECLARE(theme) extern const adv_case_t adv_cases_##theme[]; extern const size_t adv_ncases_##theme

/* Helpers shared by the cases. */
wb_module_t adv_compile(wb_engine_t engine, const char *wat);
/* Runs fn(arg) on a new thread with a stack of `stack` bytes (0: default) and joins it. */
void *adv_on_thread(size_t stack, void *(*fn)(void *), void *arg);
/* Milliseconds of CLOCK_MONOTONIC. */
double adv_now_ms(void);
/* Resident set size of this process in KiB (from /proc/self/statm). */
long adv_rss_kib(void);

#endif
