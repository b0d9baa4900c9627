// The C++17 wrapper (wasmbound.hh): owners that delete in their destructors,
// host functions from lambdas, calls typed by a C++ signature (checked once,
// at lookup), and Result<T> for every outcome: a trap comes back with its
// trap code, a mistake with a status and a message, never a crash.
//
//   cmake --build build --target cxx_quickstart && build/examples/cxx_quickstart
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "wasmbound.hh"

namespace wb = wasmbound;

int main() {
  wb::Engine engine = wb::Engine::create().value();  // shareable by all threads
  wb::Module module = engine
                          .compile(R"((module
      (import "host" "twice" (func $twice (param i32) (result i32)))
      (import "host" "log" (func $log (param i32 i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "hello from wasm")
      (func (export "add") (param i32 i32) (result i32)
        local.get 0 local.get 1 i32.add call $twice)
      (func (export "greet") i32.const 0 i32.const 15 call $log)
      (func (export "boom") unreachable)))")
                          .value();

  wb::Linker linker = wb::Linker::create(engine).value();
  // A host lambda: its C++ signature is the wasm type.
  linker.define("host", "twice", [](int32_t x) { return 2 * x; }).value();
  // One that reads the guest's memory through its Caller and may fail.
  std::string greeting;
  linker
      .define("host", "log",
              [&greeting](wb::Caller caller, int32_t ptr, int32_t len) -> wb::Result<void> {
                wb::Result<wb::Memory> memory = caller.memory("memory");
                if (!memory) return memory.error();
                wb::Result<std::string> text =
                    memory->read_string(static_cast<uint32_t>(ptr), static_cast<uint32_t>(len));
                if (!text) return text.error();  // a failed Result traps the guest with its message
                greeting = *text;
                return {};
              })
      .value();

  wb::Store store = wb::Store::create(engine).value();  // this thread owns it
  wb::Instance instance = linker.instantiate(store, module).value();

  // Typed calls: the whole type is checked here, once.
  auto add = instance.func<int32_t(int32_t, int32_t)>("add");
  std::printf("add(1, 20) = %d\n", add(1, 20).value());  // (1 + 20) * 2 = 42
  auto wrong = instance.func<int64_t(int64_t)>(std::string_view("add"));
  std::printf("add as int64_t(int64_t): %s: %s\n", wb::status_name(wrong.status()), wrong.message().c_str());

  (void)instance.func<void()>("greet")().value();
  std::printf("the guest said: %s\n", greeting.c_str());

  // A trap is a Result too, with its trap code; the store stays usable.
  wb::Result<void> boom = instance.func<void()>("boom")();
  std::printf("boom(): %s, trap code %s\n", wb::status_name(boom.status()), wb::trap_code_name(boom.trap_code()));

  // The store is this thread's: another thread is refused, not crashed.
  wb::Result<int32_t> other = wb::Failure{WB_ERR_INTERNAL, "not run"};
  std::thread([&] { other = add(1, 2); }).join();
  std::printf("from another thread: %s\n", wb::status_name(other.status()));

  const bool ok = add(1, 20).value_or(0) == 42 && wrong.status() == WB_ERR_TYPE_MISMATCH &&
                  greeting == "hello from wasm" && boom.trap_code() == WB_TRAP_UNREACHABLE &&
                  other.status() == WB_ERR_WRONG_THREAD;
  std::printf("cxx_quickstart: %s\n", ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}  // store, linker, module, engine are deleted here, in reverse order
