/* What loading the library does to the host process (issue 14 item 11). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cases.h"

/* The Go runtime raises RLIMIT_NOFILE's soft limit when the library loads;
 * wasmbound puts the host's back. The case sets a soft limit of 600, then
 * execs itself so that the library loads under it, and checks the limit
 * once the library is running. */
static void item11_nofile_limit_kept(void) {
  struct rlimit lim;
  CHECK(getrlimit(RLIMIT_NOFILE, &lim) == 0);
  if (!getenv("WB_ADV_NOFILE_CHILD")) {
    if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 1000) {
      fprintf(stderr, "skipped: the hard limit (%llu) leaves nothing to raise\n", (unsigned long long)lim.rlim_max);
      return;
    }
    lim.rlim_cur = 600;
    CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
    CHECK(setenv("WB_ADV_NOFILE_CHILD", "1", 1) == 0);
    char *args[] = {"adversarial_cases", "--run", "item11_nofile_limit_kept", 0};
    execv("/proc/self/exe", args);
    perror("execv");
    exit(1);
  }
  wb_engine_t e;
  OK(wb_engine_new(NULL, &e)); /* a call into Go: the runtime has started */
  OK(wb_engine_delete(e));
  CHECK(getrlimit(RLIMIT_NOFILE, &lim) == 0);
  if (lim.rlim_cur != 600) fprintf(stderr, "soft limit is %llu, the host set 600\n", (unsigned long long)lim.rlim_cur);
  CHECK(lim.rlim_cur == 600);
}

ADV_TABLE(process) = {
    {"item11_nofile_limit_kept", item11_nofile_limit_kept},
};
ADV_COUNT(process);
