/* spec_driver: runs every .wast script of the spec testsuite, each in its
 * own spec_runner process (posix_spawn; this program never loads
 * libwasmbound), JOBS at a time, each under a time limit, and prints
 *
 *   spec-testsuite: P passed, F failed, S skipped of N assertions
 *
 *   spec_driver --runner PATH --suite DIR [--skips FILE] [-j JOBS]
 *               [--timeout SECONDS] [--log FILE] [--name NAME] [--stride K] [-v]
 *               [SUBSTRING...]
 *
 * A runner that dies by a signal, exits abnormally or outlives its time
 * limit fails every assertion of its script (counted by this program's own
 * reading of the script). NAME (default spec-testsuite) starts the summary
 * line, which `make test` greps. --stride K runs every K-th script (sorted
 * by name) only, for slow builds.
 *
 * Exit status: 0 when F is 0 and, if the whole suite ran (no filter, no
 * stride), S is under 1% of N; 77 (CTest's skip) when the suite folder is
 * absent; 1 otherwise. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "script.h"
#include "wast.h"

extern char **environ;

namespace {

struct Script {
  std::string path, rel;
  off_t size = 0;
};

struct Child {
  Script script;
  pid_t pid = -1;
  int fd = -1;
  std::string out;
  double start = 0;
  bool killed = false;
  bool exited = false;
  int status = 0;
};

double now() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The driver's own count of a script's assertions (every command). */
long count_commands(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    return (long)wast::read_script(ss.str()).size();
  } catch (...) {
    return 1;
  }
}

bool spawn(const std::string &runner, const std::vector<std::string> &extra, Child *c) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0); /* its own group, so a timeout kills all of it */
  std::vector<std::string> args = {runner};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(c->script.path);
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  int rc = posix_spawn(&c->pid, runner.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    errno = rc;
    return false;
  }
  c->fd = fds[0];
  c->start = now();
  return true;
}

struct Totals {
  long passed = 0, failed = 0, skipped = 0, total = 0;
};

} // namespace

int main(int argc, char **argv) {
  std::string runner, suite, skips, log_path = "spec-testsuite.log", name = "spec-testsuite";
  int jobs = 2, stride = 1;
  double timeout = 300;
  bool verbose = false;
  std::vector<std::string> filters;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fprintf(stderr, "spec_driver: %s needs a value\n", a.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (a == "--runner") runner = next();
    else if (a == "--suite") suite = next();
    else if (a == "--skips") skips = next();
    else if (a == "--log") log_path = next();
    else if (a == "--name") name = next();
    else if (a == "-j") jobs = std::max(1, atoi(next().c_str()));
    else if (a == "--timeout") timeout = atof(next().c_str());
    else if (a == "--stride") stride = std::max(1, atoi(next().c_str()));
    else if (a == "-v") verbose = true;
    else if (a[0] == '-') {
      fprintf(stderr, "spec_driver: unknown option %s\n", a.c_str());
      return 2;
    } else filters.push_back(a);
  }
  if (runner.empty() || suite.empty()) {
    fprintf(stderr, "usage: spec_driver --runner PATH --suite DIR [--skips FILE] [-j JOBS] [--timeout S] "
                    "[--log FILE] [--name NAME] [--stride K] [-v] [SUBSTRING...]\n");
    return 2;
  }
  struct stat st;
  if (stat(suite.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    printf("%s: skipped: %s is absent\n", name.c_str(), suite.c_str());
    return 77;
  }
  while (suite.size() > 1 && suite.back() == '/') suite.pop_back();
  std::vector<Script> scripts;
  for (const std::string &rel : spec::find_scripts(suite)) {
    struct stat fst;
    std::string path = suite + "/" + rel;
    if (stat(path.c_str(), &fst) == 0) scripts.push_back(Script{path, rel, fst.st_size});
  }
  if (!filters.empty()) {
    std::vector<Script> kept;
    for (const Script &s : scripts)
      for (const std::string &f : filters)
        if (s.rel.find(f) != std::string::npos) {
          kept.push_back(s);
          break;
        }
    scripts.swap(kept);
  }
  if (stride > 1) { /* every stride-th script (by name), for slow builds */
    std::vector<Script> kept;
    for (size_t i = 0; i < scripts.size(); i += (size_t)stride) kept.push_back(scripts[i]);
    scripts.swap(kept);
  }
  if (scripts.empty()) {
    printf("%s: no .wast scripts under %s\n", name.c_str(), suite.c_str());
    return 1;
  }
  /* the largest first: the run ends sooner */
  std::stable_sort(scripts.begin(), scripts.end(), [](const Script &a, const Script &b) { return a.size > b.size; });

  std::vector<std::string> extra = {"--root", suite, "-t"};
  if (!skips.empty()) extra.push_back("--skips"), extra.push_back(skips);
  if (verbose) extra.push_back("-v");

  FILE *log = fopen(log_path.c_str(), "w");
  Totals tot;
  std::vector<std::string> problems; /* one block per script with failures */
  std::vector<Child> running;
  size_t next_script = 0;
  double t0 = now();
  int crashed = 0;

  auto finish = [&](Child &c) {
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    long p = 0, f = 0, s = 0, n = 0;
    bool counted = false;
    std::vector<std::string> fails;
    std::istringstream in(c.out);
    std::string line, last_line = "0", other; /* other: what is neither FAIL nor trace */
    while (std::getline(in, line)) {
      if (line.compare(0, 2, "@ ") == 0) { /* the runner's trace: where it is */
        last_line = line.substr(2);
        continue;
      }
      if (line.compare(0, 5, "FAIL ") != 0 && line.compare(0, 10, "spec-file ") != 0 &&
          line.compare(0, 5, "SKIP ") != 0)
        other += line + "\n";
      if (line.compare(0, 5, "FAIL ") == 0) fails.push_back(line);
      if (line.compare(0, 10, "spec-file ") == 0) {
        char name[4096];
        counted = sscanf(line.c_str(), "spec-file %4095s %ld %ld %ld %ld", name, &p, &f, &s, &n) == 5;
      }
      if (log) fprintf(log, "%s\n", line.c_str());
    }
    std::string why;
    if (c.killed) {
      char b[96];
      snprintf(b, sizeof b, "killed after its time limit of %.0f s", timeout);
      why = b;
    } else if (WIFSIGNALED(c.status)) {
      why = std::string("died by signal ") + strsignal(WTERMSIG(c.status));
    } else if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) > 1) {
      why = "exited with status " + std::to_string(WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1);
    } else if (!counted) {
      why = "ended without its spec-file line";
    } else if (n != count_commands(c.script.path)) {
      why = "counted " + std::to_string(n) + " assertions, the driver counts " +
            std::to_string(count_commands(c.script.path));
    }
    if (!why.empty()) {
      /* every assertion of the script fails */
      crashed++;
      n = count_commands(c.script.path);
      p = 0, s = 0, f = n;
      fails.push_back("FAIL " + c.script.rel + ":" + last_line + ": the runner " + why +
                      " while running this command; all " + std::to_string(n) +
                      " assertions of the script count as failed. Its other output:");
      std::string tail = other.size() > 2000 ? "..." + other.substr(other.size() - 2000) : other;
      if (!tail.empty()) fails.push_back(tail);
      if (log) fprintf(log, "FAIL %s:%s: the runner %s\n", c.script.rel.c_str(), last_line.c_str(), why.c_str());
    }
    tot.passed += p, tot.failed += f, tot.skipped += s, tot.total += n;
    if (!fails.empty()) {
      std::string block;
      size_t shown = 0;
      for (const std::string &l : fails) {
        if (shown++ == 40) {
          block += "  ... " + std::to_string(fails.size() - 40) + " more in " + log_path + "\n";
          break;
        }
        block += l + "\n";
      }
      problems.push_back(block);
    }
    if (verbose)
      printf("  %-50s %6ld passed %4ld failed %4ld skipped of %6ld  %.1f s\n", c.script.rel.c_str(), p, f, s, n,
             now() - c.start);
  };

  while (next_script < scripts.size() || !running.empty()) {
    while ((int)running.size() < jobs && next_script < scripts.size()) {
      Child c;
      c.script = scripts[next_script++];
      if (!spawn(runner, extra, &c)) {
        fprintf(stderr, "spec_driver: cannot start %s: %s\n", runner.c_str(), strerror(errno));
        return 2;
      }
      running.push_back(std::move(c));
    }
    std::vector<struct pollfd> pfds;
    for (Child &c : running) pfds.push_back({c.fd, POLLIN, 0});
    poll(pfds.data(), pfds.size(), 200);
    for (size_t i = 0; i < running.size(); i++) {
      Child &c = running[i];
      if (c.fd >= 0 && (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[65536];
        ssize_t n = read(c.fd, buf, sizeof buf);
        if (n > 0) c.out.append(buf, (size_t)n);
        else if (n == 0) {
          close(c.fd);
          c.fd = -1;
        }
      }
      if (!c.exited && waitpid(c.pid, &c.status, WNOHANG) == c.pid) c.exited = true;
      if (!c.exited && !c.killed && now() - c.start > timeout) {
        kill(-c.pid, SIGKILL);
        c.killed = true;
      }
    }
    for (size_t i = 0; i < running.size();) {
      Child &c = running[i];
      /* done when it has exited and its output is drained (or it was killed:
       * a grandchild could hold the pipe open) */
      if (c.exited && (c.fd < 0 || c.killed)) {
        finish(c);
        running.erase(running.begin() + (long)i);
      } else {
        i++;
      }
    }
  }
  if (log) fclose(log);

  for (const std::string &b : problems) fputs(b.c_str(), stdout);
  double secs = now() - t0;
  printf("%s: %ld passed, %ld failed, %ld skipped of %ld assertions\n", name.c_str(), tot.passed, tot.failed,
         tot.skipped, tot.total);
  printf("  (%zu scripts, %d ended abnormally, %.0f s with %d at a time; details in %s)\n", scripts.size(), crashed,
         secs, jobs, log_path.c_str());
  /* the 1% rule is about the whole suite, not a filtered or strided part */
  bool whole = filters.empty() && stride == 1;
  bool skips_ok = !whole || tot.skipped * 100 < tot.total;
  if (!skips_ok)
    printf("  FAIL: %ld skips are not under 1%% of %ld assertions\n", tot.skipped, tot.total);
  return tot.failed == 0 && skips_ok ? 0 : 1;
}
