// The C++ wrapper (wasmbound.hh) against the real library: results of calls,
// typed-call checks, Result semantics, thread rules through std::thread, move
// semantics, destructors (live handles return to 0) and host lambdas.
// Built three times: C++17, C++20, and C++17 with -fno-exceptions.
//
// `test_cxx... --value-of-failure` calls value() on a failed Result and must
// not return (throws, or aborts without exceptions): a separate CTest checks
// that.
#include "wasmbound.hh"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>
#if WASMBOUND_EXCEPTIONS
#include <stdexcept>
#endif

namespace wb = wasmbound;

static int checks = 0;

#define CHECK(...)                                                                                     \
  do {                                                                                                 \
    checks++;                                                                                          \
    if (!(__VA_ARGS__)) {                                                                              \
      std::fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #__VA_ARGS__, \
                   wb_last_error());                                                                   \
      std::exit(1);                                                                                    \
    }                                                                                                  \
  } while (0)

// A Result (or TypedFunc) that must have failed with `want`, its message containing `part`.
#define CHECK_FAILS(expr, want, part)                                                                  \
  do {                                                                                                 \
    checks++;                                                                                          \
    const auto &r_ = (expr);                                                                           \
    if (r_.ok() || r_.status() != (want) || r_.message().find(part) == std::string::npos) {            \
      std::fprintf(stderr, "%s:%d: %s: got %s \"%s\", expected %s containing \"%s\"\n", __FILE__,      \
                   __LINE__, #expr, wb_status_name(r_.status()), r_.message().c_str(),                  \
                   wb_status_name(want), part);                                                        \
      std::exit(1);                                                                                    \
    }                                                                                                  \
  } while (0)

static const char *const kWat = R"((module
  (memory (export "memory") 1 4)
  (global (export "counter") (mut i32) (i32.const 7))
  (global (export "pi") f64 (f64.const 3.5))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "mulf") (param f32 f64) (result f64) local.get 0 f64.promote_f32 local.get 1 f64.mul)
  (func (export "swap") (param i32 i64) (result i64 i32) local.get 1 local.get 0)
  (func (export "bump") global.get 0 i32.const 1 i32.add global.set 0)
  (func (export "boom") unreachable)
  (func (export "spin") (loop br 0))
  (func (export "load") (param i32) (result i32) local.get 0 i32.load))
)";

static uint64_t live_handles() { return wb::stats().value().live_handles; }

static void test_calls_and_results(const wb::Engine &engine) {
  wb::Module module = engine.compile(kWat).value();
  wb::Store store = wb::Store::create(engine).value();
  wb::Instance instance = store.instantiate(module).value();

  auto add = instance.func<int32_t(int32_t, int32_t)>("add");
  CHECK(add.ok());
  CHECK(add(1, 2).value() == 3);
  CHECK(add(-5, 2).value() == -3);
  CHECK(*add(40, 2) == 42);
  auto add64 = instance.func<int64_t(int64_t, int64_t)>("add64");
  CHECK(add64(int64_t{1} << 40, 1).value() == (int64_t{1} << 40) + 1);
  auto mulf = instance.func<double(float, double)>("mulf");
  CHECK(std::fabs(mulf(1.5f, 4.0).value() - 6.0) < 1e-9);
  auto swap = instance.func<std::tuple<int64_t, int32_t>(int32_t, int64_t)>("swap");
  auto [first, second] = swap(7, 9).value();
  CHECK(first == 9 && second == 7);
  auto bump = instance.func<void()>("bump");
  CHECK(bump().ok());

  // The dynamic call: values with their kinds.
  wb::Func dyn = instance.func("add").value();
  CHECK(dyn.arity().value().params == 2 && dyn.arity().value().results == 1);
  std::vector<wb_val_t> out = dyn.call({wb::i32(20), wb::i32(22)}).value();
  CHECK(out.size() == 1 && out[0].kind == WB_I32 && out[0].of.i32 == 42);
  CHECK(dyn.typed<int32_t(int32_t, int32_t)>()(3, 4).value() == 7);

  // The whole type is checked at lookup; the failed lookup is kept and returned by calls.
  auto wrong_arity = instance.func<int32_t(int32_t)>("add");
  CHECK_FAILS(wrong_arity, WB_ERR_TYPE_MISMATCH,
              "function \"add\" has type (func (param i32 i32) (result i32)), not (func (param i32) (result i32)), the "
              "C++ signature's");
  CHECK_FAILS(wrong_arity(1), WB_ERR_TYPE_MISMATCH, "the C++ signature's");
  CHECK(std::strstr(wb_last_error(), "the C++ signature's") != nullptr);  // in the C state too
  // Kinds, not just counts: parameters...
  auto wrong_args = instance.func<int32_t(int64_t, int64_t)>("add");
  CHECK_FAILS(wrong_args, WB_ERR_TYPE_MISMATCH, "not (func (param i64 i64) (result i32))");
  CHECK_FAILS(wrong_args(1, 2), WB_ERR_TYPE_MISMATCH, "not (func (param i64 i64) (result i32))");
  // ...and results, before anything runs.
  auto wrong_result = instance.func<float(int32_t, int32_t)>("add");
  CHECK_FAILS(wrong_result, WB_ERR_TYPE_MISMATCH, "not (func (param i32 i32) (result f32))");
  CHECK_FAILS((dyn.typed<std::tuple<int32_t, int32_t>(int32_t, int32_t)>()), WB_ERR_TYPE_MISMATCH,
              "the function has type (func (param i32 i32) (result i32)), not (func (param i32 i32) (result i32 i32))");
  CHECK(instance.func<std::tuple<int64_t, int32_t>(int32_t, int64_t)>("swap").ok());
  CHECK_FAILS((instance.func<std::tuple<int32_t, int64_t>(int32_t, int64_t)>("swap")), WB_ERR_TYPE_MISMATCH,
              "not (func (param i32 i64) (result i32 i64))");

  // Names: C strings, std::string, std::string_view (copied to add the NUL).
  const std::string name_string = "add";
  const std::string_view name_view = std::string_view("add_and_more").substr(0, 3);
  CHECK(instance.func<int32_t(int32_t, int32_t)>(name_string)(1, 1).value() == 2);
  CHECK(instance.func<int32_t(int32_t, int32_t)>(name_view)(2, 2).value() == 4);
  CHECK(instance.func(name_view).ok() && instance.memory(std::string_view("memory")).ok());
  CHECK_FAILS(instance.func(std::string_view("add\0x", 5)), WB_ERR_INVALID_ARGUMENT, "NULL");
  CHECK_FAILS(instance.func(std::string("add\0x", 5)), WB_ERR_INVALID_ARGUMENT, "NULL");
  // The full type, before running anything.
  CHECK(module.check_func<int32_t(int32_t, int32_t)>("add").ok());
  CHECK(module.check_func<std::tuple<int64_t, int32_t>(int32_t, int64_t)>("swap").ok());
  CHECK(module.check_func<void()>("bump").ok());
  CHECK_FAILS(module.check_func<float(int32_t, int32_t)>("add"), WB_ERR_TYPE_MISMATCH,
              "has type (func (param i32 i32) (result i32)), but the C++ signature is (func (param i32 i32) (result f32))");
  CHECK_FAILS(module.check_func<void()>("memory"), WB_ERR_TYPE_MISMATCH, "(memory 1 4)");
  CHECK_FAILS(module.check_func<void()>("nope"), WB_ERR_NOT_FOUND, "no export \"nope\"");

  // Lookups that fail.
  CHECK_FAILS(instance.func("nope"), WB_ERR_NOT_FOUND, "nope");
  CHECK_FAILS(instance.func<void()>("nope"), WB_ERR_NOT_FOUND, "nope");
  CHECK_FAILS(instance.memory("add"), WB_ERR_TYPE_MISMATCH, "");
  CHECK_FAILS(wb::TypedFunc<void()>()(), WB_ERR_INVALID_HANDLE, "empty TypedFunc");

  // Result: the message is a copy, unaffected by later failures on this thread.
  wb::Result<wb::Func> missing = instance.func("missing_one");
  const std::string first_message = missing.message();
  CHECK(first_message.find("missing_one") != std::string::npos);
  CHECK(!instance.func("another").ok());
  CHECK(missing.message() == first_message);
  CHECK(!missing && missing.status() == WB_ERR_NOT_FOUND);
  CHECK(missing.value_or(wb::Func()).handle().id == 0);
  CHECK(add(1, 1).value_or(-1) == 2);
  CHECK(wrong_arity(1).value_or(-1) == -1);
  wb::Result<int32_t> propagated = [&]() -> wb::Result<int32_t> {
    auto f = instance.func("missing_two");
    if (!f) return f.error();
    return 0;
  }();
  CHECK_FAILS(propagated, WB_ERR_NOT_FOUND, "missing_two");
#if WASMBOUND_EXCEPTIONS
  bool thrown = false;
  try {
    (void)instance.func("missing_three").value();
  } catch (const wb::Error &e) {
    thrown = e.status() == WB_ERR_NOT_FOUND && e.message().find("missing_three") != std::string::npos &&
             std::strstr(e.what(), "WB_ERR_NOT_FOUND: ") == e.what();
  }
  CHECK(thrown);
#endif

  // Traps leave the store usable; the Result carries the trap code.
  auto boom = instance.func<void()>("boom");
  wb::Result<void> boomed = boom();
  CHECK_FAILS(boomed, WB_ERR_TRAP, "unreachable");
  CHECK(wb_last_trap_code() == WB_TRAP_UNREACHABLE);
  CHECK(boomed.trap_code() == WB_TRAP_UNREACHABLE && boomed.error().trap_code == WB_TRAP_UNREACHABLE);
  CHECK(std::strcmp(wb::trap_code_name(boomed.trap_code()), "UNREACHABLE") == 0);
  CHECK(boomed.exit_code() == -1);
  CHECK(add(1, 1).trap_code() == WB_TRAP_NONE);
  CHECK(missing.trap_code() == WB_TRAP_NONE);  // a failure that was not a trap
#if WASMBOUND_EXCEPTIONS
  bool trap_thrown = false;
  try {
    boom().value();
  } catch (const wb::Error &e) {
    trap_thrown = e.trap_code() == WB_TRAP_UNREACHABLE && e.status() == WB_ERR_TRAP;
  }
  CHECK(trap_thrown);
#endif
  CHECK(add(2, 2).value() == 4);

  // Memory.
  wb::Memory mem = instance.memory("memory").value();
  CHECK(mem.size().value() == 65536);
  CHECK(mem.write(16, "hello").ok());
  CHECK(mem.read_string(16, 5).value() == "hello");
  CHECK(mem.store<int32_t>(100, 123456).ok());
  CHECK(mem.load<int32_t>(100).value() == 123456);
  CHECK(instance.func<int32_t(int32_t)>("load")(100).value() == 123456);
  std::vector<uint8_t> bytes = mem.read(16, 2).value();
  CHECK(bytes.size() == 2 && bytes[0] == 'h' && bytes[1] == 'e');
  CHECK_FAILS(mem.read(65535, 2), WB_ERR_OUT_OF_BOUNDS, "out of bounds");
  CHECK(mem.grow(1).value() == 1);
  CHECK(mem.size().value() == 2 * 65536);
  CHECK_FAILS(mem.grow(10), WB_ERR_LIMIT, "");

  // Globals.
  wb::Global counter = instance.global("counter").value();
  CHECK(counter.get<int32_t>().value() == 8);  // bumped once above
  CHECK(counter.set(41).ok());
  CHECK(bump().ok());
  CHECK(counter.get().value().of.i32 == 42);
  CHECK_FAILS(counter.get<double>(), WB_ERR_TYPE_MISMATCH, "the global has type i32, not f64");
  wb::Global pi = instance.global("pi").value();
  CHECK(pi.get<double>().value() == 3.5);
  CHECK_FAILS(pi.set(1.0), WB_ERR_TYPE_MISMATCH, "immutable");

  // Views outlive nothing: after the store goes, they are invalid handles, not crashes.
  store.reset();
  CHECK(!store);
  CHECK_FAILS(add(1, 2), WB_ERR_INVALID_HANDLE, "");
  CHECK_FAILS(mem.size(), WB_ERR_INVALID_HANDLE, "");
}

static void test_modules(const wb::Engine &engine) {
  wb::Module module = wb::Module::compile(engine, std::string(kWat)).value();
  auto exports = module.exports().value();
  CHECK(exports.size() == 11);
  CHECK(exports[0].name == "memory" && exports[0].kind == WB_EXTERN_MEMORY && exports[0].module.empty());
  CHECK(exports[3].name == "add" && exports[3].type == "(func (param i32 i32) (result i32))");
  CHECK(module.imports().value().empty());

  wb::Module importer = engine.compile(R"((module (import "env" "f" (func (param i64)))))").value();
  auto imports = importer.imports().value();
  CHECK(imports.size() == 1 && imports[0].module == "env" && imports[0].name == "f" &&
        imports[0].kind == WB_EXTERN_FUNC && imports[0].type == "(func (param i64))");

  CHECK(engine.validate("(module)").ok());
  CHECK(wb::Module::validate(engine, "(module)").ok());
  CHECK_FAILS(engine.validate("(module (func (result i32)))"), WB_ERR_COMPILE, "");
  CHECK_FAILS(engine.compile("(not wasm"), WB_ERR_COMPILE, "");

  std::vector<uint8_t> bytes = module.serialize().value();
  CHECK(bytes.size() > 100);
  wb::Module copy = wb::Module::deserialize(engine, bytes).value();
  wb::Store store = wb::Store::create(engine).value();
  CHECK(store.instantiate(copy).value().func<int32_t(int32_t, int32_t)>("add")(20, 22).value() == 42);
  CHECK_FAILS(wb::Module::deserialize(engine, std::string("garbage")), WB_ERR_COMPILE, "");
  CHECK_FAILS(store.instantiate(importer), WB_ERR_LINK, "use a linker");
}

static void test_fuel() {
  wb::Engine engine = wb::Engine::create(wb::EngineConfig().consume_fuel(true)).value();
  wb::Module module = engine.compile(kWat).value();
  wb::Store store = wb::Store::create(engine).value();
  auto spin = store.instantiate(module).value().func<void()>("spin");
  CHECK(store.set_fuel(10000).ok());
  CHECK(store.fuel().value() == 10000);
  CHECK_FAILS(spin(), WB_ERR_OUT_OF_FUEL, "");
  CHECK(store.fuel().value() == 0);

  wb::Engine plain = wb::Engine::create().value();
  wb::Store plain_store = wb::Store::create(plain).value();
  CHECK_FAILS(plain_store.set_fuel(1), WB_ERR_INVALID_ARGUMENT, "");
}

static void test_threads(const wb::Engine &engine) {
  wb::Module module = engine.compile(kWat).value();
  wb::Store store = wb::Store::create(engine).value();
  wb::Instance instance = store.instantiate(module).value();
  auto add = instance.func<int32_t(int32_t, int32_t)>("add");
  wb::Memory mem = instance.memory("memory").value();

  // Another thread may not touch this thread's store or anything in it.
  wb::Result<int32_t> from_other = wb::Failure{WB_ERR_INTERNAL, "not run"};
  wb::Result<wb::Instance> inst_other = wb::Failure{WB_ERR_INTERNAL, "not run"};
  wb::Result<uint64_t> size_other = wb::Failure{WB_ERR_INTERNAL, "not run"};
  wb::Result<void> close_other = wb::Failure{WB_ERR_INTERNAL, "not run"};
  std::thread([&] {
    from_other = add(1, 2);
    inst_other = store.instantiate(module);
    size_other = mem.size();
    close_other = store.close();
  }).join();
  CHECK_FAILS(from_other, WB_ERR_WRONG_THREAD, "wrong thread");
  CHECK_FAILS(inst_other, WB_ERR_WRONG_THREAD, "");
  CHECK_FAILS(size_other, WB_ERR_WRONG_THREAD, "");
  CHECK_FAILS(close_other, WB_ERR_WRONG_THREAD, "");
  CHECK(store);  // a refused close keeps the handle
  CHECK(add(1, 2).value() == 3);  // still fine on the owner thread

  // The engine and module are shared: another thread makes its own store.
  int32_t other_result = 0;
  std::thread([&] {
    wb::Store own = wb::Store::create(engine).value();
    other_result = own.instantiate(module).value().func<int32_t(int32_t, int32_t)>("add")(30, 12).value();
  }).join();  // `own` was deleted on its thread
  CHECK(other_result == 42);

  // Moving a store: release here, move the object, adopt there.
  CHECK(store.release().ok());
  CHECK_FAILS(add(1, 1), WB_ERR_WRONG_THREAD, "");  // nobody owns it now
  int32_t moved_result = 0;
  bool adopted = false;
  std::thread([&, s = std::move(store)]() mutable {
    wb::Store mine = std::move(s);
    adopted = mine.adopt().ok();
    moved_result = add(5, 6).value();
    // `mine` is destroyed here, on its new owner thread: the store is deleted.
  }).join();
  CHECK(adopted && moved_result == 11);
  CHECK(!store);
  CHECK_FAILS(add(1, 1), WB_ERR_INVALID_HANDLE, "");

  // Interrupt from another thread stops a running call.
  wb::Store spinner = wb::Store::create(engine).value();
  auto spin = spinner.instantiate(module).value().func<void()>("spin");
  wb::Interrupter interrupter = spinner.interrupter();
  std::atomic<bool> stop{false};
  std::thread watchdog([&] {
    while (!stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      (void)interrupter.interrupt();
    }
  });
  wb::Result<void> spun = spin();
  stop = true;
  watchdog.join();
  CHECK_FAILS(spun, WB_ERR_INTERRUPTED, "");
}

static void test_moves(const wb::Engine &engine) {
  const wb_stats_t before = wb::stats().value();

  wb::Engine a = wb::Engine::create().value();
  const wb_engine_t ha = a.handle();
  CHECK(a && ha.id != 0);
  wb::Engine b = std::move(a);
  CHECK(!a && a.handle().id == 0);  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  CHECK(b.handle().id == ha.id);
  CHECK(b.compile("(module)").ok());
  CHECK_FAILS(a.compile("(module)"), WB_ERR_INVALID_HANDLE, "");
  CHECK(wb::stats().value().live_engines == before.live_engines + 1);

  // Move assignment deletes the object it replaces.
  wb::Store s1 = wb::Store::create(engine).value();
  wb::Store s2 = wb::Store::create(engine).value();
  const wb_store_t h2 = s2.handle();
  CHECK(wb::stats().value().live_stores == before.live_stores + 2);
  s1 = std::move(s2);
  CHECK(!s2 && s2.handle().id == 0);
  CHECK(s1.handle().id == h2.id);
  CHECK(wb::stats().value().live_stores == before.live_stores + 1);
  wb::Store &alias = s1;
  s1 = std::move(alias);  // self-move is harmless
  CHECK(s1.handle().id == h2.id);

  // detach() gives the handle up; the constructor takes it back.
  wb_module_t raw = engine.compile("(module)").value().detach();
  CHECK(wb::stats().value().live_modules == before.live_modules + 1);
  {
    wb::Module owner(raw);
    CHECK(owner.handle().id == raw.id);
  }
  CHECK(wb::stats().value().live_modules == before.live_modules);
  CHECK(wb_module_delete(raw) == WB_ERR_INVALID_HANDLE);  // it really was deleted

  // close() reports; afterwards the object is empty and close() is a no-op.
  CHECK(s1.close().ok());
  CHECK(!s1);
  CHECK(s1.close().ok());
  CHECK(wb::stats().value().live_stores == before.live_stores);

  // Results own their values: a moved-out value leaves an empty owner behind.
  wb::Result<wb::Store> rs = wb::Store::create(engine);
  wb::Store taken = std::move(rs).value();
  CHECK(taken);
  CHECK(!rs.value());  // NOLINT: moved from
}

static void test_host_functions(const wb::Engine &engine) {
  const char *wat = R"((module
    (import "env" "add" (func $add (param i32 i32) (result i32)))
    (import "env" "log" (func $log (param i32 i32) (result i32)))
    (import "env" "fail" (func $fail))
    (import "env" "throw" (func $throw))
    (import "env" "pair" (func $pair (param i64) (result i64 f64)))
    (import "env" "tid" (func $tid (result i64)))
    (import "env" "twice" (func $twice (param i64) (result i64)))
    (import "env" "same" (func $same (param funcref) (result funcref)))
    (memory (export "memory") 1)
    (elem declare func $picked)
    (func $picked (export "picked") (result i32) i32.const 7)
    (func (export "call_same") (result funcref) ref.func $picked call $same)
    (data (i32.const 8) "hello from wasm")
    (func (export "call_add") (param i32 i32) (result i32) local.get 0 local.get 1 call $add)
    (func (export "call_log") (result i32) i32.const 8 i32.const 15 call $log)
    (func (export "call_fail") call $fail)
    (func (export "call_throw") call $throw)
    (func (export "call_pair") (param i64) (result i64 f64) local.get 0 call $pair)
    (func (export "call_tid") (result i64) call $tid)
    (func (export "call_twice") (param i64) (result i64) local.get 0 call $twice))
  )";
  wb::Module module = engine.compile(wat).value();
  auto token = std::make_shared<int>(0);  // owned by a lambda: shows when the library frees it
  std::string logged;
  std::atomic<int> tid_calls{0};
  {
    wb::Linker linker = wb::Linker::create(engine).value();
    CHECK(linker.define("env", "add", [token](int32_t a, int32_t b) { return a + b + *token; }).ok());
    CHECK(token.use_count() == 2);
    CHECK(linker
              .define("env", "log",
                      [&logged](wb::Caller caller, int32_t ptr, int32_t len) -> wb::Result<int32_t> {
                        auto mem = caller.memory("memory");
                        if (!mem) return mem.error();
                        auto text = mem->read_string(static_cast<uint32_t>(ptr), static_cast<uint32_t>(len));
                        if (!text) return text.error();
                        logged = *text;
                        // the store, as a view: usable here, never an owner
                        wb::StoreRef store = caller.store().value();
                        CHECK(store && store.handle().id != 0);
                        CHECK(store.set_call_timeout(0).ok());  // an owner-thread operation, allowed here
                        return len;
                      })
              .ok());
    CHECK(linker.define("env", "fail", []() -> wb::Result<void> { return wb::fail(WB_ERR_TRAP, "host says no"); }).ok());
#if WASMBOUND_EXCEPTIONS
    auto thrower = []() { throw std::runtime_error("thrown in C++"); };
#else
    // stand-in without exceptions: a failed Result traps the same way
    auto thrower = []() { return wb::Result<void>(wb::Failure{WB_ERR_TRAP, "thrown in C++"}); };
#endif
    CHECK(linker.define("env", "throw", thrower).ok());
    CHECK(linker.define("env", "pair", [](int64_t x) { return std::make_tuple(x * 2, 0.5); }).ok());
    CHECK(linker
              .define("env", "tid",
                      [&tid_calls]() {
                        tid_calls++;
                        return static_cast<int64_t>(std::hash<std::thread::id>()(std::this_thread::get_id()) >> 1);
                      })
              .ok());
    // A typed host function with the C callback type: the values in place.
    wb_typed_host_callback_t twice = [](void *, wb_caller_t, wb_raw_t *vals, std::size_t) -> wb_status_t {
      vals[0].i64 *= 2;
      return WB_OK;
    };
    CHECK(linker.define_func_typed("env", "twice", {WB_I64}, {WB_I64}, twice, nullptr, nullptr).ok());
    CHECK_FAILS(linker.define_func_typed("env", "x", {WB_EXTERNREF}, {}, twice, nullptr, nullptr),
                WB_ERR_INVALID_ARGUMENT, "numbers and v128 only");
    // A funcref in the signature: a general host function (the others are typed).
    CHECK(linker.define("env", "same", [](wb::Func f) { return f; }).ok());
    // A duplicate name is refused, and the refused lambda is freed (not leaked).
    CHECK_FAILS(linker.define("env", "add", [token](int32_t a, int32_t) { return a + *token; }), WB_ERR_LINK, "");
    CHECK(token.use_count() == 2);

    wb::Store store = wb::Store::create(engine).value();
    wb::Instance instance = linker.instantiate(store, module).value();
    CHECK(instance.func<int32_t(int32_t, int32_t)>("call_add")(20, 22).value() == 42);
    CHECK(instance.func<int32_t()>("call_log")().value() == 15);
    CHECK(logged == "hello from wasm");
    CHECK_FAILS(instance.func<void()>("call_fail")(), WB_ERR_TRAP, "host says no");
    CHECK(wb_last_trap_code() == WB_TRAP_HOST);
    CHECK_FAILS(instance.func<void()>("call_throw")(), WB_ERR_TRAP, "thrown in C++");
    auto pair = instance.func<std::tuple<int64_t, double>(int64_t)>("call_pair")(21).value();
    CHECK(std::get<0>(pair) == 42 && std::get<1>(pair) == 0.5);
    CHECK(instance.func<int64_t(int64_t)>("call_twice")(21).value() == 42);
    CHECK(instance.func<wb::Func()>("call_same")().value().handle().id == instance.func("picked").value().handle().id);

    // A template: made here, instantiated on another thread into that thread's
    // store; the host lambda runs on that thread.
    wb::Template tmpl = wb::Template::create(linker, module).value();
    const int64_t here = instance.func<int64_t()>("call_tid")().value();
    int64_t there = here;
    int32_t there_add = 0;
    std::thread([&] {
      wb::Store own = wb::Store::create(engine).value();
      wb::Instance inst = tmpl.instantiate(own).value();
      there = inst.func<int64_t()>("call_tid")().value();
      there_add = inst.func<int32_t(int32_t, int32_t)>("call_add")(1, 2).value();
    }).join();
    CHECK(there != here && there_add == 3 && tid_calls == 2);

    // The linker is its creator's: another thread is refused.
    wb::Result<void> define_other = wb::Failure{WB_ERR_INTERNAL, "not run"};
    std::thread([&] { define_other = linker.define("env", "x", []() {}); }).join();
    CHECK_FAILS(define_other, WB_ERR_WRONG_THREAD, "");
    CHECK(token.use_count() == 2);
  }
  // Linker, template and store are gone: the library freed the lambda.
  CHECK(token.use_count() == 1);
}

// Caller::store() is a view that no owner can be made from by mistake.
static_assert(!std::is_constructible<wb::Store, wb::StoreRef>::value, "a Store from a StoreRef");
static_assert(!std::is_convertible<wb::StoreRef, wb::Store>::value, "a StoreRef converts to a Store");
static_assert(!std::is_constructible<wb::Store, wb::Result<wb::StoreRef>>::value, "a Store from a Result<StoreRef>");
static_assert(std::is_same<decltype(std::declval<wb::Caller>().store()), wb::Result<wb::StoreRef>>::value,
              "Caller::store() returns a view");

static void test_pool(const wb::Engine &engine) {
  wb::Module module = engine.compile(kWat).value();
  wb::Linker linker = wb::Linker::create(engine).value();
  wb::Template tmpl = wb::Template::create(linker, module).value();
  {
    wb::Pool pool = wb::Pool::create(engine, tmpl, wb::PoolConfig().workers(2).call_timeout_ms(2000)).value();
    CHECK(pool.call<int32_t(int32_t, int32_t)>("add", 40, 2).value() == 42);
    CHECK(pool.call<void()>("bump").ok());
    auto swapped = pool.call<std::tuple<int64_t, int32_t>(int32_t, int64_t)>("swap", 1, 2).value();
    CHECK(std::get<0>(swapped) == 2 && std::get<1>(swapped) == 1);
    std::vector<wb_val_t> out = pool.call("add", {wb::i32(1), wb::i32(2)}, 1).value();
    CHECK(out.size() == 1 && out[0].of.i32 == 3);
    wb::Result<void> trapped = pool.call<void()>("boom");
    CHECK_FAILS(trapped, WB_ERR_TRAP, "unreachable");
    CHECK(trapped.trap_code() == WB_TRAP_UNREACHABLE);
    CHECK_FAILS(pool.call<void()>(std::string_view("nope")), WB_ERR_NOT_FOUND, "nope");

    // Futures: submit from this thread, wait from another.
    const uint32_t add = pool.func_index("add").value();
    wb::Future f = pool.submit(add, {wb::i32(20), wb::i32(22)}, 1).value();
    int32_t waited = 0;
    std::thread([&] { waited = f.wait().value().at(0).of.i32; }).join();
    CHECK(waited == 42 && f.done().value() && f.nresults() == 1);
    wb::Future spin = pool.submit(pool.func_index("spin").value(), {}, 0).value();
    CHECK_FAILS(spin.wait(10), WB_ERR_TIMEOUT, "");
    CHECK(spin.cancel().ok());
    wb::Result<std::vector<wb_val_t>> cancelled = spin.wait();
    CHECK_FAILS(cancelled, WB_ERR_INTERRUPTED, "");
    CHECK(cancelled.trap_code() == WB_TRAP_INTERRUPT || cancelled.trap_code() == WB_TRAP_NONE);
    const wb_pool_stats_t st = pool.stats().value();
    CHECK(st.workers == 2 && st.submitted >= 7 && st.failed_by_status[WB_ERR_TRAP] == 1);
    CHECK(pool.shutdown().ok());
    CHECK_FAILS(pool.call<void()>("bump"), WB_ERR_BUSY, "");
  }
  CHECK(wb::stats().value().live_pools == 0 && wb::stats().value().live_futures == 0);
}

static const char *level_name(wb_log_level_t level) {
  switch (level) {
  case WB_LOG_DEBUG: return "DEBUG";
  case WB_LOG_INFO: return "INFO";
  case WB_LOG_WARN: return "WARN";
  case WB_LOG_ERROR: return "ERROR";
  }
  return "?";
}

static void test_log_callback(const wb::Engine &engine) {
  std::vector<std::string> seen;
  std::mutex seen_lock;
  auto record = [&](wb_log_level_t level, std::string_view message) {
    std::lock_guard<std::mutex> lock(seen_lock);
    seen.push_back(std::string(level_name(level)) + ": " + std::string(message));
  };
  wb::Store store = wb::Store::create(engine).value();
  auto refused = [&] { std::thread([&] { (void)store.set_fuel(1); }).join(); };
  {
    wb::LogCallback log = wb::LogCallback::install(record, WB_LOG_WARN).value();
    CHECK(log.installed_now());
    refused();  // a refused cross-thread use is logged (WARN)
    CHECK(seen.size() == 1 && seen[0].find("WARN") == 0);
    wb::LogCallback moved = std::move(log);  // the installation moves with the object
    CHECK(moved.installed_now() && !log.installed_now());
    refused();
    CHECK(seen.size() == 2);
  }  // removed here
  refused();
  CHECK(seen.size() == 2);
  {
    wb::LogCallback first = wb::LogCallback::install(record).value();
    wb::LogCallback second = wb::LogCallback::install([](wb_log_level_t, std::string_view) {}).value();
    CHECK(!first.installed_now() && second.installed_now());  // replaced
    CHECK(first.remove().ok());                              // removes nothing: not installed
    CHECK(second.installed_now());
  }
  refused();
  CHECK(seen.size() == 2);
}

static void test_shared_memory_and_wasi(const wb::Engine &engine) {
  wb::SharedMemory shm = wb::SharedMemory::create(engine, 1, 2).value();
  CHECK(shm.size().value() == 65536);
  CHECK(shm.write(8, "abc").ok());
  char buf[3] = {0, 0, 0};
  CHECK(shm.read(8, buf, 3).ok() && std::memcmp(buf, "abc", 3) == 0);
  wb::Module module = engine
                          .compile(R"((module (import "env" "mem" (memory 1 2 shared))
                              (func (export "get") (param i32) (result i32) local.get 0 i32.load8_u)))")
                          .value();
  // Each thread links the same shared memory into its own store.
  auto read_byte = [&](int32_t at) {
    wb::Linker linker = wb::Linker::create(engine).value();
    CHECK(linker.define_shared_memory("env", "mem", shm).ok());
    wb::Store store = wb::Store::create(engine).value();
    return linker.instantiate(store, module).value().func<int32_t(int32_t)>("get")(at).value();
  };
  CHECK(read_byte(8) == 'a');
  int32_t there = 0;
  std::thread([&] { there = read_byte(9); }).join();
  CHECK(there == 'b');
  CHECK(shm.grow(1).value() == 1);
  CHECK_FAILS(shm.grow(5), WB_ERR_LIMIT, "");

  wb::WasiConfig wasi = wb::WasiConfig::create().value();
  CHECK(wasi.args({"prog", "arg"}).ok());
  CHECK(wasi.env({{"NAME", "value"}}).ok());
  CHECK(wasi.stdin_bytes("input").ok());
  CHECK(wasi.stdout_to(WB_STDIO_CAPTURE).ok());
  wb::Store store = wb::Store::create(engine).value();
  CHECK(store.set_wasi(wasi).ok());
  CHECK(store.wasi_output(1).value().empty());
  wb::Result<void> other = wb::Failure{WB_ERR_INTERNAL, "not run"};
  std::thread([&] { other = wasi.args({"x"}); }).join();
  CHECK_FAILS(other, WB_ERR_WRONG_THREAD, "");

  // A WASI exit code travels in the Result.
  wb::Module exits = engine
                         .compile(R"((module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                             (memory (export "memory") 1)
                             (func (export "_start") i32.const 3 call $exit)))")
                         .value();
  wb::Linker linker = wb::Linker::create(engine).value();
  CHECK(linker.define_wasi().ok());
  wb::Result<void> exited = linker.instantiate(store, exits).value().func<void()>("_start")();
  CHECK_FAILS(exited, WB_ERR_EXIT, "");
  CHECK(exited.exit_code() == 3 && exited.trap_code() == WB_TRAP_NONE);
}

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "--value-of-failure") == 0) {
    wb::Engine engine = wb::Engine::create().value();
    wb::Module module = engine.compile("(module)").value();
    wb::Store store = wb::Store::create(engine).value();
    wb::Instance instance = store.instantiate(module).value();
    int32_t never = instance.func<int32_t()>("absent")().value();  // throws or aborts
    std::printf("value() returned %d\n", never);
    return 0;
  }

  CHECK(std::strcmp(wb::version(), WASMBOUND_VERSION) == 0);
  CHECK(std::strcmp(wb::status_name(WB_ERR_WRONG_THREAD), "WB_ERR_WRONG_THREAD") == 0);
  CHECK(live_handles() == 0);
  {
    wb::Engine engine = wb::Engine::create().value();
    test_calls_and_results(engine);
    test_modules(engine);
    test_fuel();
    test_threads(engine);
    test_moves(engine);
    test_host_functions(engine);
    test_pool(engine);
    test_log_callback(engine);
    test_shared_memory_and_wasi(engine);
    CHECK(live_handles() > 0);
  }
  // Every owner deleted its handle in its destructor.
  const wb_stats_t end = wb::stats().value();
  CHECK(end.live_handles == 0 && end.live_stores == 0 && end.live_engines == 0 && end.live_modules == 0);
  CHECK(end.wrong_thread_refusals > 0 && end.traps > 0);
  std::printf("c++ wrapper (%s, C++%ld): %d checks passed\n", WASMBOUND_EXCEPTIONS ? "exceptions" : "no exceptions",
              __cplusplus / 100 % 100, checks);
  return 0;
}
