/* The adversarial suite's driver: runs every case of every case program in
 * its own process, a few at a time, each under a time limit, and prints
 *
 *   adversarial: P held, F broke of N
 *
 * A case holds when its process exits 0. It breaks when it exits otherwise,
 * dies by a signal (an abort or a crash in the library is exactly what the
 * suite looks for), or runs past the limit (a hang). This program does not
 * load wasmbound (it may not fork() then); the case programs do.
 *
 *   adversarial_driver [-j JOBS] [-t SECONDS] CASE_PROGRAM...
 *
 * A case program prints its case names, one per line, for `--list`, and runs
 * one case for `--run NAME`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct job {
  const char *program;
  char *name;
  pid_t pid;
  double started;
  int killed;
} job_t;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the case names a program lists. */
static char **list_cases(const char *program, int *n) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' --list", program);
  FILE *f = popen(cmd, "r");
  if (!f) {
    perror("popen");
    exit(2);
  }
  char **names = 0, line[512];
  int cap = 0;
  *n = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0]) continue;
    if (*n == cap) names = realloc(names, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *names);
    names[(*n)++] = strdup(line);
  }
  if (pclose(f) != 0 || *n == 0) {
    fprintf(stderr, "adversarial: %s --list failed or listed no cases\n", program);
    exit(2);
  }
  return names;
}

int main(int argc, char **argv) {
  int jobs = 2;
  double limit = 120;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i += 2) {
    if (i + 1 >= argc) break;
    if (!strcmp(argv[i], "-j")) jobs = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-t")) limit = atof(argv[i + 1]);
  }
  if (i >= argc || jobs < 1) {
    fprintf(stderr, "usage: adversarial_driver [-j JOBS] [-t SECONDS] CASE_PROGRAM...\n");
    return 2;
  }
  /* every case of every program, in order */
  job_t *todo = 0;
  int ntodo = 0;
  for (; i < argc; i++) {
    int n;
    char **names = list_cases(argv[i], &n);
    todo = realloc(todo, (size_t)(ntodo + n) * sizeof *todo);
    for (int k = 0; k < n; k++) todo[ntodo++] = (job_t){argv[i], names[k], 0, 0, 0};
    free(names);
  }
  job_t **running = calloc((size_t)jobs, sizeof *running);
  int next = 0, held = 0, broke = 0, active = 0;
  while (next < ntodo || active > 0) {
    /* start cases while there is room */
    for (int slot = 0; slot < jobs && next < ntodo; slot++) {
      if (running[slot]) continue;
      job_t *j = &todo[next++];
      char *args[] = {(char *)j->program, "--run", j->name, 0};
      int rc = posix_spawn(&j->pid, j->program, 0, 0, args, environ);
      if (rc != 0) {
        fprintf(stderr, "BROKE %s: cannot start %s: %s\n", j->name, j->program, strerror(rc));
        broke++;
        continue;
      }
      j->started = now_s();
      running[slot] = j;
      active++;
    }
    /* reap what finished; kill what ran too long */
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (int slot = 0; slot < jobs; slot++) {
        job_t *j = running[slot];
        if (!j || j->pid != pid) continue;
        double took = now_s() - j->started;
        if (j->killed) {
          fprintf(stderr, "BROKE %s: still running after %.0f s (a hang), killed\n", j->name, limit);
          broke++;
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
          held++;
          printf("held   %-48s %.2f s\n", j->name, took);
        } else if (WIFSIGNALED(status)) {
          fprintf(stderr, "BROKE %s: killed by signal %d (%s) after %.2f s\n", j->name, WTERMSIG(status),
                  strsignal(WTERMSIG(status)), took);
          broke++;
        } else {
          fprintf(stderr, "BROKE %s: exit code %d after %.2f s\n", j->name, WEXITSTATUS(status), took);
          broke++;
        }
        running[slot] = 0;
        active--;
      }
      continue;
    }
    if (pid < 0 && errno != ECHILD && errno != EINTR) {
      perror("waitpid");
      return 2;
    }
    double t = now_s();
    for (int slot = 0; slot < jobs; slot++) {
      job_t *j = running[slot];
      if (j && !j->killed && t - j->started > limit) {
        kill(j->pid, SIGKILL);
        j->killed = 1;
      }
    }
    struct timespec nap = {0, 5 * 1000 * 1000};
    nanosleep(&nap, 0);
  }
  fflush(stdout);
  printf("adversarial: %d held, %d broke of %d\n", held, broke, ntodo);
  for (int k = 0; k < ntodo; k++) free(todo[k].name);
  free(todo);
  free(running);
  return broke == 0 ? 0 : 1;
}
