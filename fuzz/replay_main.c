/* Replays fuzzer inputs without libFuzzer: calls LLVMFuzzerInitialize (when
 * the harness has one), then LLVMFuzzerTestOneInput once per file. Each
 * argument is a file or a directory (read recursively, in name order). A
 * harness that finds a mismatch abort()s, which fails the run.
 *
 *   replay_fuzz fuzz/corpus [more files or directories...]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replayed;

static void replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    exit(1);
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (!buf) {
    fprintf(stderr, "replay: out of memory for %s\n", path);
    exit(1);
  }
  /* a copy of exactly len bytes, so that a harness reading past its input is caught by sanitizers */
  uint8_t *data = malloc(len ? len : 1);
  if (!data) exit(1);
  memcpy(data, buf, len);
  free(buf);
  if (getenv("REPLAY_VERBOSE")) fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
  LLVMFuzzerTestOneInput(data, len);
  free(data);
  replayed++;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void replay_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: %s does not exist\n", path);
    exit(1);
  }
  if (!S_ISDIR(st.st_mode)) {
    replay_file(path);
    return;
  }
  struct dirent **list;
  int n = scandir(path, &list, 0, by_name);
  if (n < 0) {
    fprintf(stderr, "replay: cannot read the directory %s\n", path);
    exit(1);
  }
  for (int i = 0; i < n; i++) {
    const char *name = list[i]->d_name;
    if (name[0] != '.' && strcmp(name, "README") != 0 && strcmp(name, "README.md") != 0) {
      size_t len = strlen(path) + strlen(name) + 2;
      char *child = malloc(len);
      if (!child) exit(1);
      snprintf(child, len, "%s/%s", path, name);
      replay_path(child);
      free(child);
    }
    free(list[i]);
  }
  free(list);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; i++) replay_path(argv[i]);
  printf("fuzz regressions: %d inputs replayed, no mismatch\n", replayed);
  return replayed > 0 ? 0 : 1;
}
