// The adversarial suite's C++ cases (same protocol as main.c: --list, --run
// NAME). Issue 14 item 12: a C++ Store destroyed on a thread that does not
// own it used to get WB_ERR_WRONG_THREAD in its destructor and forget the
// handle, leaking the store silently.
#include "wasmbound.hh"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

namespace wb = wasmbound;

#define CHECK(...)                                                                                          \
  do {                                                                                                      \
    if (!(__VA_ARGS__)) {                                                                                   \
      std::fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #__VA_ARGS__, \
                   wb_last_error());                                                                        \
      std::exit(1);                                                                                         \
    }                                                                                                       \
  } while (0)

static wb_stats_t stats() {
  wb_stats_t s = WB_STATS_INIT;
  CHECK(wb_stats_get(&s) == WB_OK);
  return s;
}

static std::atomic<int> warnings{0};
static void on_log(void *, wb_log_level_t level, const char *message) {
  if (level == WB_LOG_WARN && std::strstr(message, "abandoned")) warnings++;
}

// A Store made on one thread and destroyed on another is abandoned, not
// leaked: the log says so, the statistics count it, and its owner deletes it
// at its next store call; a store whose owner exited is deleted by any thread.
static void item12_cxx_store_destroyed_elsewhere() {
  CHECK(wb_set_log_callback(on_log, nullptr, WB_LOG_WARN) == WB_OK);
  wb::Engine engine = wb::Engine::create().value();
  std::optional<wb::Store> made;
  std::atomic<int> step{0};
  std::thread owner([&] {
    made.emplace(wb::Store::create(engine).value());
    step = 1;
    while (step != 2) std::this_thread::yield();
    // the owner's next store call deletes what was abandoned
    wb::Store other = wb::Store::create(engine).value();
    CHECK(stats().abandoned_stores == 0);
    step = 3;
    while (step != 4) std::this_thread::yield();
  });
  while (step != 1) std::this_thread::yield();
  CHECK(stats().live_stores == 1);
  made.reset();  // destroyed here, off its owner thread
  CHECK(warnings == 1);
  CHECK(stats().abandoned_stores == 1);
  CHECK(stats().live_stores == 1);
  step = 2;
  while (step != 3) std::this_thread::yield();
  CHECK(stats().live_stores == 1);  // only `other`
  step = 4;
  owner.join();
  CHECK(stats().live_stores == 0);

  // the owner exits before anyone deletes it: any thread's next store call does
  std::thread short_lived([&] { made.emplace(wb::Store::create(engine).value()); });
  short_lived.join();
  made.reset();  // an orphan now: deleted at once
  CHECK(stats().live_stores == 0);
  std::thread again([&] {
    made.emplace(wb::Store::create(engine).value());
    step = 5;
    while (step != 6) std::this_thread::yield();
  });
  while (step != 5) std::this_thread::yield();
  made.reset();
  CHECK(stats().abandoned_stores == 1);
  step = 6;
  again.join();  // the owner exits without another store call: an orphan
  wb_store_t tmp{};
  CHECK(wb_store_new(engine.handle(), &tmp) == WB_OK);  // this thread reaps it
  CHECK(wb_store_delete(tmp) == WB_OK);
  CHECK(stats().abandoned_stores == 0);
  CHECK(stats().live_stores == 0);
  CHECK(wb_set_log_callback(nullptr, nullptr, WB_LOG_WARN) == WB_OK);
}

struct Case {
  const char *name;
  void (*run)();
};
static const Case cases[] = {
    {"item12_cxx_store_destroyed_elsewhere", item12_cxx_store_destroyed_elsewhere},
};

int main(int argc, char **argv) {
  if (argc == 2 && !std::strcmp(argv[1], "--list")) {
    for (const Case &c : cases) std::printf("%s\n", c.name);
    return 0;
  }
  if (argc == 3 && !std::strcmp(argv[1], "--run"))
    for (const Case &c : cases)
      if (!std::strcmp(c.name, argv[2])) {
        c.run();
        return 0;
      }
  std::fprintf(stderr, "usage: %s --list | --run NAME\n", argv[0]);
  return 2;
}
