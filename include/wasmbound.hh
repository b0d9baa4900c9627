/**
 * \file wasmbound.hh
 * \brief wasmbound for C++17: a header-only RAII layer over wasmbound.h.
 *
 * \code
 * #include <wasmbound.hh>
 *
 * auto engine = wasmbound::Engine::create().value();
 * auto module = engine.compile(R"((module (func (export "add") (param i32 i32) (result i32)
 *                                   local.get 0 local.get 1 i32.add)))").value();
 * auto store = wasmbound::Store::create(engine).value();  // this thread owns it
 * auto instance = store.instantiate(module).value();
 * auto add = instance.func<int32_t(int32_t, int32_t)>("add");  // arity checked here
 * int32_t r = add(1, 2).value();                                // 3
 * \endcode
 *
 * \section cxx_threads Thread rules (the same as wasmbound.h; the library checks them)
 *
 * | C++ type                               | C handle             | may be used from |
 * |----------------------------------------|----------------------|------------------|
 * | Engine, Module, Template, SharedMemory | engine, module, ...  | any thread, concurrently |
 * | Store                                  | store                | only its owner thread (creator or adopter) |
 * | Instance, Func, TypedFunc, Memory, Global | instance, func, ... | the owner thread of their store |
 * | Caller (first parameter of a host lambda) | caller            | its store's owner thread, during the callback |
 * | Linker, WasiConfig                     | linker, WASI config  | only the thread that created it |
 * | Store::interrupt, Interrupter          | store                | any thread |
 *
 * A use from the wrong thread is refused with ::WB_ERR_WRONG_THREAD, returned
 * in a Result like every other error. The C++ objects themselves are not
 * synchronised: share an Engine or Module between threads by reference (or
 * copy its handle()), but do not move or destroy it while others use it.
 * To move a Store to another thread, call release() on the owner thread, move
 * the Store object over, and call adopt() there.
 *
 * \section cxx_ownership Ownership
 *
 * Engine, Module, Store, Linker, Template, SharedMemory and WasiConfig are
 * move-only owners: the destructor deletes the handle (a moved-from object is
 * empty and its destructor does nothing). detach() gives the handle up
 * without deleting it; the constructor from a raw handle takes ownership.
 * Instance, Func, TypedFunc, Memory, Global and Caller are non-owning views:
 * they are plain copyable values and die with their store (afterwards every
 * call through them returns ::WB_ERR_INVALID_HANDLE, never a crash).
 *
 * Destroy a Store on its owner thread (or release() it first): a destructor
 * cannot report failure, and a store whose delete was refused stays alive
 * until its owner thread exits (then it is an orphan, see ::wb_stats_get).
 * close() deletes explicitly and returns the status.
 *
 * \section cxx_errors Errors
 *
 * Every operation that can fail returns a Result<T>: ok(), status(),
 * message() (a copy of ::wb_last_error taken when the call failed, so it
 * stays valid), value(), value_or(). value() of a failed Result throws
 * wasmbound::Error when exceptions are enabled, and prints the status and
 * message to stderr and calls std::abort() when they are not
 * (`-fno-exceptions`, detected with `__cpp_exceptions`; define
 * WASMBOUND_NO_EXCEPTIONS to force that mode). Errors found by this header
 * itself (a C++ signature that does not match the function) are
 * ::WB_ERR_TYPE_MISMATCH and are also recorded with ::wb_set_error, so
 * ::wb_last_error agrees.
 *
 * The C API stays available: every wrapper exposes handle(), and every
 * wasmbound.h function can be called alongside this header.
 */
#ifndef WASMBOUND_HH
#define WASMBOUND_HH

#include "wasmbound.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#if !defined(WASMBOUND_NO_EXCEPTIONS) && defined(__cpp_exceptions)
#define WASMBOUND_EXCEPTIONS 1
#include <exception>
#include <stdexcept>
#else
#define WASMBOUND_EXCEPTIONS 0
#endif

namespace wasmbound {

/* ======================================================================== */
/* Errors and results                                                        */

/** \brief A failed status and its message: what a failed Result holds.
 *  Converts to a Result of any type, so `return result.error();` propagates. */
struct Failure {
  wb_status_t status;                      /**< why it failed; never ::WB_OK */
  std::string message;                     /**< the library's message (a copy of ::wb_last_error) */
  wb_trap_code_t trap_code = WB_TRAP_NONE; /**< why wasm trapped (::wb_last_trap_code); ::WB_TRAP_NONE if it did not */
  int32_t exit_code = -1;                  /**< a WASI program's exit code (::wb_last_exit_code); -1 if it did not exit */
};

/** \brief The calling thread's last failure: status `st`, with the message,
 *  trap code and exit code copied from ::wb_last_error, ::wb_last_trap_code
 *  and ::wb_last_exit_code. Any thread (its own last failure). */
inline Failure last_failure(wb_status_t st) {
  return Failure{st, wb_last_error(), wb_last_trap_code(), wb_last_exit_code()};
}

/** \brief Records `message` as the thread's last error (::wb_set_error) and
 *  returns it as a Failure. In a host lambda, `return fail(WB_ERR_TRAP, "...")`
 *  makes the guest trap with that message. */
inline Failure fail(wb_status_t st, const std::string &message) {
  (void)wb_set_error(st, message.c_str());
  return Failure{st, message};
}

#if WASMBOUND_EXCEPTIONS
/** \brief Thrown by Result::value() on a failed Result (exceptions enabled only).
 *  what() is "STATUS_NAME: message". */
class Error : public std::runtime_error {
 public:
  /** \brief The error of a failure. */
  explicit Error(const Failure &failure)
      : std::runtime_error(std::string(wb_status_name(failure.status)) + ": " + failure.message),
        failure_(failure) {}
  /** \brief An error of status `status` with `message` (no trap, no exit). */
  Error(wb_status_t status, const std::string &message) : Error(Failure{status, message}) {}
  /** \brief The failed status, e.g. ::WB_ERR_WRONG_THREAD. */
  wb_status_t status() const noexcept { return failure_.status; }
  /** \brief The library's message (without the status name). */
  const std::string &message() const noexcept { return failure_.message; }
  /** \brief Why wasm trapped; ::WB_TRAP_NONE when the failure was not a trap. */
  wb_trap_code_t trap_code() const noexcept { return failure_.trap_code; }
  /** \brief The WASI exit code (::WB_ERR_EXIT); -1 when the program did not exit. */
  int32_t exit_code() const noexcept { return failure_.exit_code; }
  /** \brief The whole failure. */
  const Failure &failure() const noexcept { return failure_; }

 private:
  Failure failure_;
};
#endif

namespace detail {
[[noreturn]] inline void raise(const Failure &f) {
#if WASMBOUND_EXCEPTIONS
  throw Error(f);
#else
  std::fprintf(stderr, "wasmbound: value() of a failed Result: %s: %s\n", wb_status_name(f.status), f.message.c_str());
  std::fflush(stderr);
  std::abort();
#endif
}
/* A Failure must never claim success. */
inline wb_status_t failed_status(wb_status_t st) { return st == WB_OK ? WB_ERR_INTERNAL : st; }
}  // namespace detail

/**
 * \brief The outcome of an operation: a value of type T, or a status and a
 * message. Usable without exceptions. Cheap to test (`if (!r)`); value()
 * and `*`/`->` check (throw or abort on failure).
 */
template <class T>
class [[nodiscard]] Result {
 public:
  /** \brief A success holding `value`. */
  Result(T value) : failure_{WB_OK, {}}, value_(std::move(value)) {}
  /** \brief A failure. */
  Result(Failure failure) : failure_(std::move(failure)) { failure_.status = detail::failed_status(failure_.status); }

  /** \brief Whether it succeeded. */
  bool ok() const noexcept { return failure_.status == WB_OK; }
  /** \brief The same as ok(). */
  explicit operator bool() const noexcept { return ok(); }
  /** \brief ::WB_OK, or why it failed. */
  wb_status_t status() const noexcept { return failure_.status; }
  /** \brief The failure's message (a copy of ::wb_last_error); "" on success. */
  const std::string &message() const noexcept { return failure_.message; }
  /** \brief Why wasm trapped (e.g. ::WB_TRAP_UNREACHABLE, ::WB_TRAP_INTERRUPT);
   *  ::WB_TRAP_NONE on success or when the failure was not a trap. */
  wb_trap_code_t trap_code() const noexcept { return failure_.trap_code; }
  /** \brief The exit code of a WASI program that exited (::WB_ERR_EXIT); -1 otherwise. */
  int32_t exit_code() const noexcept { return failure_.exit_code; }
  /** \brief The failure, to propagate it: `if (!r) return r.error();`. */
  Failure error() const { return failure_; }

  /** \brief The value; throws Error (or aborts without exceptions) on failure. */
  T &value() & {
    check();
    return *value_;
  }
  /** \brief The value; throws Error (or aborts without exceptions) on failure. */
  const T &value() const & {
    check();
    return *value_;
  }
  /** \brief The value, moved out; throws Error (or aborts without exceptions) on failure. */
  T value() && {
    check();
    return std::move(*value_);
  }
  /** \brief The value, or `fallback` on failure. */
  template <class U>
  T value_or(U &&fallback) const & {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }
  /** \brief The value (moved out), or `fallback` on failure. */
  template <class U>
  T value_or(U &&fallback) && {
    return ok() ? std::move(*value_) : static_cast<T>(std::forward<U>(fallback));
  }
  /** \brief value(). */
  T &operator*() & { return value(); }
  /** \brief value(). */
  const T &operator*() const & { return value(); }
  /** \brief &value(). */
  T *operator->() { return &value(); }
  /** \brief &value(). */
  const T *operator->() const { return &value(); }

 private:
  void check() const {
    if (failure_.status != WB_OK) detail::raise(failure_);
  }
  Failure failure_;
  std::optional<T> value_;
};

/** \brief The outcome of an operation without a value. */
template <>
class [[nodiscard]] Result<void> {
 public:
  /** \brief A success. */
  Result() : failure_{WB_OK, {}} {}
  /** \brief A failure. */
  Result(Failure failure) : failure_(std::move(failure)) { failure_.status = detail::failed_status(failure_.status); }

  /** \brief Whether it succeeded. */
  bool ok() const noexcept { return failure_.status == WB_OK; }
  /** \brief The same as ok(). */
  explicit operator bool() const noexcept { return ok(); }
  /** \brief ::WB_OK, or why it failed. */
  wb_status_t status() const noexcept { return failure_.status; }
  /** \brief The failure's message (a copy of ::wb_last_error); "" on success. */
  const std::string &message() const noexcept { return failure_.message; }
  /** \brief Why wasm trapped; ::WB_TRAP_NONE on success or when the failure was not a trap. */
  wb_trap_code_t trap_code() const noexcept { return failure_.trap_code; }
  /** \brief The exit code of a WASI program that exited (::WB_ERR_EXIT); -1 otherwise. */
  int32_t exit_code() const noexcept { return failure_.exit_code; }
  /** \brief The failure, to propagate it: `if (!r) return r.error();`. */
  Failure error() const { return failure_; }
  /** \brief Throws Error (or aborts without exceptions) on failure. */
  void value() const {
    if (failure_.status != WB_OK) detail::raise(failure_);
  }

 private:
  Failure failure_;
};

namespace detail {
/* A C status as a Result<void>, the message copied on failure. */
inline Result<void> check(wb_status_t st) {
  if (st == WB_OK) return Result<void>();
  return last_failure(st);
}
}  // namespace detail

/* ======================================================================== */
/* Small argument types                                                      */

/** \brief Read-only bytes: a wasm binary, WAT text, or data for memory. Not retained. */
class Bytes {
 public:
  /** \brief `size` bytes at `data`. */
  Bytes(const void *data, std::size_t size) noexcept : data_(static_cast<const uint8_t *>(data)), size_(size) {}
  /** \brief A NUL-terminated text (without its NUL). */
  Bytes(const char *text) noexcept : Bytes(text, text ? std::strlen(text) : 0) {}
  /** \brief The characters of a string view. */
  Bytes(std::string_view text) noexcept : Bytes(text.data(), text.size()) {}
  /** \brief The characters of a string. */
  Bytes(const std::string &text) noexcept : Bytes(text.data(), text.size()) {}
  /** \brief The bytes of a vector. */
  Bytes(const std::vector<uint8_t> &bytes) noexcept : Bytes(bytes.data(), bytes.size()) {}
  /** \brief The first byte. */
  const uint8_t *data() const noexcept { return data_; }
  /** \brief The number of bytes. */
  std::size_t size() const noexcept { return size_; }

 private:
  const uint8_t *data_;
  std::size_t size_;
};

/**
 * \brief A name (of an export, import, module, function or directory),
 * given as a C string, a std::string or a std::string_view; not retained.
 *
 * The C API takes NUL-terminated UTF-8, so a std::string_view is copied to
 * add the NUL. A std::string or std::string_view with a NUL inside cannot
 * be passed whole: it is refused as a NULL name (::WB_ERR_INVALID_ARGUMENT)
 * instead of being cut short.
 */
class Name {
 public:
  /** \brief A NUL-terminated name (not copied; NULL is refused by the library). */
  Name(const char *name) noexcept : p_(name) {}
  /** \brief A string's characters (not copied). */
  Name(const std::string &name) noexcept : p_(name.find('\0') == std::string::npos ? name.c_str() : nullptr) {}
  /** \brief A string view's characters (copied, to add the terminating NUL). */
  Name(std::string_view name) : own_(name), owned_(true) {}
  /** \brief The NUL-terminated name the C API gets; NULL for a name with a NUL inside. */
  const char *c_str() const noexcept {
    if (!owned_) return p_;
    return own_.find('\0') == std::string::npos ? own_.c_str() : nullptr;
  }

 private:
  const char *p_ = nullptr;
  std::string own_;
  bool owned_ = false;
};

/** \brief A 128-bit SIMD value (little-endian lane bytes), for typed calls. */
struct V128 {
  uint8_t bytes[16]; /**< little-endian lane bytes, as in ::wb_val_t */
};

class Func;

/** \brief A wasm i32 value. */
inline wb_val_t i32(int32_t v) noexcept {
  wb_val_t r{};
  r.kind = WB_I32;
  r.of.i32 = v;
  return r;
}
/** \brief A wasm i64 value. */
inline wb_val_t i64(int64_t v) noexcept {
  wb_val_t r{};
  r.kind = WB_I64;
  r.of.i64 = v;
  return r;
}
/** \brief A wasm f32 value. */
inline wb_val_t f32(float v) noexcept {
  wb_val_t r{};
  r.kind = WB_F32;
  r.of.f32 = v;
  return r;
}
/** \brief A wasm f64 value. */
inline wb_val_t f64(double v) noexcept {
  wb_val_t r{};
  r.kind = WB_F64;
  r.of.f64 = v;
  return r;
}
/** \brief A wasm v128 value. */
inline wb_val_t v128(const V128 &v) noexcept {
  wb_val_t r{};
  r.kind = WB_V128;
  std::memcpy(r.of.v128, v.bytes, sizeof v.bytes);
  return r;
}
/** \brief A wasm funcref value (the null handle is the null funcref). */
inline wb_val_t funcref(wb_func_t f) noexcept {
  wb_val_t r{};
  r.kind = WB_FUNCREF;
  r.of.funcref = f;
  return r;
}
/** \brief A wasm externref value (the null handle is the null externref);
 *  borrowed: the caller keeps owning `ref`. */
inline wb_val_t externref(wb_ref_t ref) noexcept {
  wb_val_t r{};
  r.kind = WB_EXTERNREF;
  r.of.ref = ref;
  return r;
}
/** \brief A wasm anyref value (anyref, eqref, i31ref, structref, arrayref
 *  and the rest of the `any` hierarchy; the null handle is null); borrowed. */
inline wb_val_t anyref(wb_ref_t ref) noexcept {
  wb_val_t r{};
  r.kind = WB_ANYREF;
  r.of.ref = ref;
  return r;
}
/** \brief The null exnref (Wasmtime 39's C API passes no other exnref). */
inline wb_val_t null_exnref() noexcept {
  wb_val_t r{};
  r.kind = WB_EXNREF;
  return r;
}

/** \brief The wasm name of a value kind: "i32", "i64", "f32", "f64", "v128",
 *  "funcref", "externref", "anyref", "exnref", "contref". */
inline const char *kind_name(wb_valkind_t kind) noexcept {
  switch (kind) {
  case WB_I32: return "i32";
  case WB_I64: return "i64";
  case WB_F32: return "f32";
  case WB_F64: return "f64";
  case WB_V128: return "v128";
  case WB_FUNCREF: return "funcref";
  case WB_EXTERNREF: return "externref";
  case WB_ANYREF: return "anyref";
  case WB_EXNREF: return "exnref";
  case WB_CONTREF: return "contref";
  }
  return "(unknown kind)";
}

/** \brief The library's version at run time (compare with #WASMBOUND_VERSION). */
inline const char *version() noexcept { return wb_version(); }

/** \brief The enumerator's name of a status, e.g. "WB_ERR_WRONG_THREAD". */
inline const char *status_name(wb_status_t st) noexcept { return wb_status_name(st); }

/** \brief The name of a trap code without its prefix, e.g. "UNREACHABLE"
 *  (::wb_trap_code_name). */
inline const char *trap_code_name(wb_trap_code_t code) noexcept { return wb_trap_code_name(code); }

/** \brief Process-wide statistics (live handles by kind, refusals, traps,
 *  orphans). Any thread. */
inline Result<wb_stats_t> stats() {
  wb_stats_t s = WB_STATS_INIT;
  wb_status_t st = wb_stats_get(&s);
  if (st != WB_OK) return last_failure(st);
  return s;
}

/* ======================================================================== */
/* Owners                                                                    */

namespace detail {
/* A move-only owner of one handle of kind H, deleted with Delete. */
// Drop is what the destructor and reset() use: Delete unless the kind has a
// gentler way to let go (a store owned by another thread is abandoned:
// wb_store_abandon), since a destructor cannot report failure.
template <class H, wb_status_t (*Delete)(H), wb_status_t (*Drop)(H) = Delete>
class Owner {
 public:
  /** \brief An empty owner (the null handle). */
  Owner() noexcept : h_() {}
  /** \brief Takes ownership of `handle`. */
  explicit Owner(H handle) noexcept : h_(handle) {}
  Owner(Owner &&other) noexcept : h_(other.h_) { other.h_.id = 0; }
  Owner &operator=(Owner &&other) noexcept {
    if (this != &other) {
      reset();
      h_ = other.h_;
      other.h_.id = 0;
    }
    return *this;
  }
  Owner(const Owner &) = delete;
  Owner &operator=(const Owner &) = delete;
  ~Owner() { reset(); }

  /** \brief The C handle (still owned by this object). */
  H handle() const noexcept { return h_; }
  /** \brief False when empty (default-constructed, moved from, detached or closed). */
  explicit operator bool() const noexcept { return h_.id != 0; }
  /** \brief Gives the handle up without deleting it; this object becomes empty. */
  H detach() noexcept {
    H h = h_;
    h_.id = 0;
    return h;
  }
  /** \brief Lets the handle go now, ignoring failure; this object becomes
   *  empty. (A store is deleted, or abandoned when this thread may not
   *  delete it: see ::wb_store_abandon.) */
  void reset() noexcept {
    if (h_.id != 0) {
      (void)Drop(h_);
      h_.id = 0;
    }
  }
  /** \brief Deletes the handle now and reports the status. On failure (e.g.
   *  ::WB_ERR_WRONG_THREAD for a store) this object keeps the handle. */
  Result<void> close() {
    wb_status_t st = Delete(h_);
    if (st != WB_OK) return last_failure(st);
    h_.id = 0;
    return Result<void>();
  }

 protected:
  H h_;
};
}  // namespace detail

class Module;
class Store;
class Instance;
class Linker;

/** \brief Engine options: starts from the library's defaults
 *  (::wb_engine_config_init); the setters chain. */
class EngineConfig {
 public:
  /** \brief The library's defaults (this header's version of ::wb_engine_config_t). */
  EngineConfig() noexcept { (void)wb_engine_config_init(&c_, WB_ENGINE_CONFIG_VERSION); }
  /** \brief The C struct, for options without a setter here. */
  wb_engine_config_t &raw() noexcept { return c_; }
  /** \brief The C struct, for options without a setter here. */
  const wb_engine_config_t &raw() const noexcept { return c_; }

  /** \brief Threads: atomics and shared memory (on by default). */
  EngineConfig &wasm_threads(bool on) noexcept { return set(c_.wasm_threads, on); }
  /** \brief SIMD (on by default). */
  EngineConfig &wasm_simd(bool on) noexcept { return set(c_.wasm_simd, on); }
  /** \brief Several memories per module (on by default). */
  EngineConfig &wasm_multi_memory(bool on) noexcept { return set(c_.wasm_multi_memory, on); }
  /** \brief 64-bit memories (on by default). */
  EngineConfig &wasm_memory64(bool on) noexcept { return set(c_.wasm_memory64, on); }
  /** \brief The GC proposal (off by default). */
  EngineConfig &wasm_gc(bool on) noexcept { return set(c_.wasm_gc, on); }
  /** \brief Tail calls (on by default). */
  EngineConfig &wasm_tail_call(bool on) noexcept { return set(c_.wasm_tail_call, on); }
  /** \brief Fuel metering (Store::set_fuel). */
  EngineConfig &consume_fuel(bool on) noexcept { return set(c_.consume_fuel, on); }
  /** \brief Needed to interrupt a running call (on by default). */
  EngineConfig &epoch_interruption(bool on) noexcept { return set(c_.epoch_interruption, on); }
  /** \brief Wasm faults caught with signal handlers (on by default; off: slower code). */
  EngineConfig &signals_based_traps(bool on) noexcept { return set(c_.signals_based_traps, on); }
  /** \brief Compile functions on several threads (on by default). */
  EngineConfig &parallel_compilation(bool on) noexcept { return set(c_.parallel_compilation, on); }
  /** \brief Cranelift's optimisation level (::WB_OPT_SPEED by default). */
  EngineConfig &opt_level(wb_opt_level_t level) noexcept {
    c_.opt_level = level;
    return *this;
  }
  /** \brief Bytes of wasm stack; 0 keeps Wasmtime's default (512 KiB). */
  EngineConfig &max_wasm_stack(uint64_t bytes) noexcept {
    c_.max_wasm_stack = bytes;
    return *this;
  }
  /** \brief The pooling allocator: fast instantiation, memory reserved up front. */
  EngineConfig &pooling_allocator(bool on) noexcept { return set(c_.pooling_allocator, on); }
  /** \brief Profiler support for JIT code (::WB_PROFILER_NONE by default). */
  EngineConfig &profiler(wb_profiler_t profiler) noexcept {
    c_.profiler = profiler;
    return *this;
  }

 private:
  EngineConfig &set(bool &field, bool on) noexcept {
    field = on;
    return *this;
  }
  wb_engine_config_t c_;
};

/**
 * \brief A compiler engine. Any thread, concurrently: share it by reference
 * (or its handle()) with other threads; destroy it after them (deleting
 * early is safe in the library: later uses get ::WB_ERR_INVALID_HANDLE).
 */
class Engine : public detail::Owner<wb_engine_t, &wb_engine_delete> {
 public:
  using Owner::Owner;
  /** \brief An engine with the default configuration. */
  static Result<Engine> create() {
    wb_engine_t h{};
    wb_status_t st = wb_engine_new(nullptr, &h);
    if (st != WB_OK) return last_failure(st);
    return Engine(h);
  }
  /** \brief An engine with `config` (not retained). */
  static Result<Engine> create(const EngineConfig &config) {
    wb_engine_t h{};
    wb_status_t st = wb_engine_new(&config.raw(), &h);
    if (st != WB_OK) return last_failure(st);
    return Engine(h);
  }
  /** \brief Compiles a wasm binary or WAT text; see Module::compile. */
  inline Result<Module> compile(Bytes wasm_or_wat) const;
  /** \brief Checks a wasm binary or WAT text without compiling it (::WB_ERR_COMPILE). */
  Result<void> validate(Bytes wasm_or_wat) const {
    return detail::check(wb_module_validate(h_, wasm_or_wat.data(), wasm_or_wat.size()));
  }
};

/** \brief An import or export of a module. */
struct ExternDesc {
  std::string module;   /**< imports: the module name; exports: "" */
  std::string name;     /**< the field name */
  wb_externkind_t kind; /**< function, global, table, memory, or other */
  std::string type;     /**< e.g. "(func (param i32 i32) (result i32))" */
};

namespace detail {
/* The one message for a C++ type that is not a wasm value (static_assert). */
/** \cond WASMBOUND_INTERNAL */
#define WASMBOUND_VALUE_TYPES_MESSAGE                                                                        \
  "wasmbound: a wasm value in a host function or TypedFunc signature must be a 32-bit integer such as "      \
  "int32_t or uint32_t (i32), a 64-bit integer such as int64_t or uint64_t (i64), float (f32), double "      \
  "(f64), wasmbound::V128 (v128), or wasmbound::Func or wb_func_t (funcref); a result may also be void, a " \
  "std::tuple of values, or a wasmbound::Result of those; a host function may take wasmbound::Caller "      \
  "first. bool, std::string, pointers and other types are not wasm values: convert them inside the function"
/** \endcond */

/* Maps a C++ type to a wasm value kind, for typed calls and host lambdas.
 * This primary template is for types that are not wasm values: the users
 * of ValTraits static_assert `supported` once, with the message above, and
 * its members only keep the rest from adding errors of its own. */
template <class T, class = void>
struct ValTraits {
  static constexpr bool supported = false;
  static constexpr wb_valkind_t kind = WB_I32;
  static wb_val_t to(const T &) noexcept { return wb_val_t{}; }
  static T from(const wb_val_t &) { return T(); }
};
/* Whether every one of Ts is a wasm value type (after std::decay). */
template <class... Ts>
struct AllValues : std::bool_constant<(ValTraits<std::decay_t<Ts>>::supported && ...)> {};

template <class T>
struct ValTraits<T, std::enable_if_t<std::is_integral<T>::value && !std::is_same<T, bool>::value && sizeof(T) == 4>> {
  static constexpr bool supported = true;
  static constexpr wb_valkind_t kind = WB_I32;
  static wb_val_t to(T v) noexcept { return i32(static_cast<int32_t>(v)); }
  static T from(const wb_val_t &v) noexcept { return static_cast<T>(v.of.i32); }
};
template <class T>
struct ValTraits<T, std::enable_if_t<std::is_integral<T>::value && !std::is_same<T, bool>::value && sizeof(T) == 8>> {
  static constexpr bool supported = true;
  static constexpr wb_valkind_t kind = WB_I64;
  static wb_val_t to(T v) noexcept { return i64(static_cast<int64_t>(v)); }
  static T from(const wb_val_t &v) noexcept { return static_cast<T>(v.of.i64); }
};
template <>
struct ValTraits<float> {
  static constexpr bool supported = true;
  static constexpr wb_valkind_t kind = WB_F32;
  static wb_val_t to(float v) noexcept { return f32(v); }
  static float from(const wb_val_t &v) noexcept { return v.of.f32; }
};
template <>
struct ValTraits<double> {
  static constexpr bool supported = true;
  static constexpr wb_valkind_t kind = WB_F64;
  static wb_val_t to(double v) noexcept { return f64(v); }
  static double from(const wb_val_t &v) noexcept { return v.of.f64; }
};
template <>
struct ValTraits<V128> {
  static constexpr bool supported = true;
  static constexpr wb_valkind_t kind = WB_V128;
  static wb_val_t to(const V128 &v) noexcept { return v128(v); }
  static V128 from(const wb_val_t &v) noexcept {
    V128 r;
    std::memcpy(r.bytes, v.of.v128, sizeof r.bytes);
    return r;
  }
};
template <>
struct ValTraits<wb_func_t> {
  static constexpr bool supported = true;
  static constexpr wb_valkind_t kind = WB_FUNCREF;
  static wb_val_t to(wb_func_t v) noexcept { return funcref(v); }
  static wb_func_t from(const wb_val_t &v) noexcept { return v.of.funcref; }
};
// ValTraits<Func> follows the definition of Func.

/* The results of a typed call: void, one value, or a std::tuple of values. */
template <class R>
struct ResultTraits {
  static constexpr bool supported = ValTraits<R>::supported;
  static constexpr std::size_t count = 1;
  static std::array<wb_valkind_t, 1> kinds() noexcept { return {{ValTraits<R>::kind}}; }
  static R from(const wb_val_t *v) noexcept { return ValTraits<R>::from(v[0]); }
  static void to(wb_val_t *out, const R &r) noexcept { out[0] = ValTraits<R>::to(r); }
};
template <>
struct ResultTraits<void> {
  static constexpr bool supported = true;
  static constexpr std::size_t count = 0;
  static std::array<wb_valkind_t, 0> kinds() noexcept { return {}; }
};
template <class... Ts>
struct ResultTraits<std::tuple<Ts...>> {
  static constexpr bool supported = AllValues<Ts...>::value;
  static constexpr std::size_t count = sizeof...(Ts);
  static std::array<wb_valkind_t, sizeof...(Ts)> kinds() noexcept { return {{ValTraits<Ts>::kind...}}; }
  static std::tuple<Ts...> from(const wb_val_t *v) noexcept { return from(v, std::index_sequence_for<Ts...>{}); }
  static void to(wb_val_t *out, const std::tuple<Ts...> &r) noexcept { to(out, r, std::index_sequence_for<Ts...>{}); }

 private:
  template <std::size_t... I>
  static std::tuple<Ts...> from(const wb_val_t *v, std::index_sequence<I...>) noexcept {
    return std::tuple<Ts...>(ValTraits<Ts>::from(v[I])...);
  }
  template <std::size_t... I>
  static void to(wb_val_t *out, const std::tuple<Ts...> &r, std::index_sequence<I...>) noexcept {
    ((out[I] = ValTraits<Ts>::to(std::get<I>(r))), ...);
  }
};

/* "(func (param i32 i32) (result i32))", as ::wb_module_exports prints it. */
template <std::size_t N, std::size_t M>
inline std::string func_type_text(const std::array<wb_valkind_t, N> &params, const std::array<wb_valkind_t, M> &results) {
  std::string s = "(func";
  if (N != 0) {
    s += " (param";
    for (wb_valkind_t k : params) (s += ' ') += kind_name(k);
    s += ')';
  }
  if (M != 0) {
    s += " (result";
    for (wb_valkind_t k : results) (s += ' ') += kind_name(k);
    s += ')';
  }
  return s + ')';
}

template <class Sig>
struct SigTraits;
template <class R, class... Args>
struct SigTraits<R(Args...)> {
  /* whether every type is a wasm value: the functions that take a signature
   * static_assert it (not this class: a failed assertion in a class makes
   * some compilers report every later use of it too) */
  static constexpr bool supported = AllValues<Args...>::value && ResultTraits<R>::supported;
  using result_type = R;
  static constexpr std::size_t nparams = sizeof...(Args);
  static constexpr std::size_t nresults = ResultTraits<R>::count;
  static std::array<wb_valkind_t, sizeof...(Args)> params() noexcept { return {{ValTraits<std::decay_t<Args>>::kind...}}; }
  static std::array<wb_valkind_t, ResultTraits<R>::count> results() noexcept { return ResultTraits<R>::kinds(); }
  static std::string text() { return func_type_text(params(), ResultTraits<R>::kinds()); }
  /* whether every kind is a number or v128: then calls take the typed path
   * (wb_func_typed, wb_typed_call) */
  static bool numeric() noexcept {
    for (wb_valkind_t k : params())
      if (k > WB_V128) return false;
    for (wb_valkind_t k : results())
      if (k > WB_V128) return false;
    return true;
  }
  /* the arguments (as many as Args) as values of Args' kinds */
  template <class... A>
  static std::vector<wb_val_t> to_vals(A &&...a) {
    return {ValTraits<std::decay_t<Args>>::to(static_cast<std::decay_t<Args>>(std::forward<A>(a)))...};
  }
};

inline Result<std::vector<ExternDesc>> extern_list(wb_status_t (*list)(wb_module_t, wb_extern_list_t *), wb_module_t m) {
  wb_extern_list_t l{};
  l.version = WB_EXTERN_LIST_VERSION;
  wb_status_t st = list(m, &l);
  if (st != WB_OK) return last_failure(st);
  std::vector<ExternDesc> out;
  out.reserve(l.count);
  for (std::size_t i = 0; i < l.count; i++) {
    const wb_extern_desc_t &d = l.items[i];
    out.push_back(ExternDesc{d.module ? std::string(d.module, d.module_len) : std::string(),
                             d.name ? std::string(d.name, d.name_len) : std::string(), d.kind, d.type ? d.type : ""});
  }
  wb_extern_list_dispose(&l);
  return out;
}
}  // namespace detail

/**
 * \brief A compiled module. Any thread, concurrently (like Engine).
 */
class Module : public detail::Owner<wb_module_t, &wb_module_delete> {
 public:
  using Owner::Owner;
  /** \brief Compiles a wasm binary or WAT text (::WB_ERR_COMPILE with Wasmtime's message). */
  static Result<Module> compile(const Engine &engine, Bytes wasm_or_wat) {
    wb_module_t h{};
    wb_status_t st = wb_module_new(engine.handle(), wasm_or_wat.data(), wasm_or_wat.size(), &h);
    if (st != WB_OK) return last_failure(st);
    return Module(h);
  }
  /** \brief Checks a wasm binary or WAT text without compiling it. */
  static Result<void> validate(const Engine &engine, Bytes wasm_or_wat) { return engine.validate(wasm_or_wat); }
  /**
   * \brief Loads a module from serialize()'s bytes.
   * \warning TRUSTED INPUT ONLY: the bytes are native code (see ::wb_module_deserialize).
   */
  static Result<Module> deserialize(const Engine &engine, Bytes serialized) {
    wb_module_t h{};
    wb_status_t st = wb_module_deserialize(engine.handle(), serialized.data(), serialized.size(), &h);
    if (st != WB_OK) return last_failure(st);
    return Module(h);
  }
  /** \brief The compiled native code, for deserialize(). */
  Result<std::vector<uint8_t>> serialize() const {
    wb_bytes_t b{};
    wb_status_t st = wb_module_serialize(h_, &b);
    if (st != WB_OK) return last_failure(st);
    std::vector<uint8_t> out(b.data, b.data + b.len);
    wb_bytes_dispose(&b);
    return out;
  }
  /** \brief The imports, in declaration order. */
  Result<std::vector<ExternDesc>> imports() const { return detail::extern_list(&wb_module_imports, h_); }
  /** \brief The exports, in declaration order. */
  Result<std::vector<ExternDesc>> exports() const { return detail::extern_list(&wb_module_exports, h_); }
  /**
   * \brief Checks that the module exports a function `name` whose type is
   * exactly the C++ signature `Sig` (e.g. `int32_t(int32_t, int32_t)`), so
   * that typed calls through it cannot mismatch. ::WB_ERR_NOT_FOUND or
   * ::WB_ERR_TYPE_MISMATCH (naming both types) otherwise.
   */
  template <class Sig>
  Result<void> check_func(Name name) const {
    static_assert(detail::SigTraits<Sig>::supported, WASMBOUND_VALUE_TYPES_MESSAGE);
    Result<std::vector<ExternDesc>> ex = exports();
    if (!ex) return ex.error();
    const std::string want = detail::SigTraits<Sig>::text();
    for (const ExternDesc &d : *ex) {
      if (d.name != name.c_str()) continue;
      if (d.kind == WB_EXTERN_FUNC && d.type == want) return Result<void>();
      return fail(WB_ERR_TYPE_MISMATCH, "export \"" + d.name + "\" has type " + d.type + ", but the C++ signature is " + want);
    }
    return fail(WB_ERR_NOT_FOUND, std::string("the module has no export \"") + name.c_str() + "\"");
  }
};

inline Result<Module> Engine::compile(Bytes wasm_or_wat) const { return Module::compile(*this, wasm_or_wat); }

/* ======================================================================== */
/* Views: store-bound, owner thread only                                     */

template <class Sig>
class TypedFunc;

/** \brief Parameter and result counts of a function. */
struct Arity {
  std::size_t params;  /**< the number of parameters */
  std::size_t results; /**< the number of results */
};

/** \brief A function in a store (a view; the store's owner thread only). */
class Func {
 public:
  /** \brief The null function (the null funcref). */
  Func() noexcept : h_() {}
  /** \brief A view of `handle` (not owned: it lives as long as its store). */
  explicit Func(wb_func_t handle) noexcept : h_(handle) {}
  /** \brief The C handle. */
  wb_func_t handle() const noexcept { return h_; }
  /** \brief False for the null handle (e.g. a null funcref). */
  explicit operator bool() const noexcept { return h_.id != 0; }

  /** \brief Calls with exactly the function's argument and result kinds and
   *  counts (::WB_ERR_TYPE_MISMATCH otherwise); see ::wb_func_call. */
  Result<void> call(const wb_val_t *args, std::size_t nargs, wb_val_t *results, std::size_t nresults) const {
    return detail::check(wb_func_call(h_, args, nargs, results, nresults));
  }
  /** \brief Calls with dynamically typed values; returns the results. */
  Result<std::vector<wb_val_t>> call(const std::vector<wb_val_t> &args) const {
    Result<Arity> a = arity();
    if (!a) return a.error();
    std::vector<wb_val_t> results(a->results);
    wb_status_t st = wb_func_call(h_, args.data(), args.size(), results.data(), results.size());
    if (st != WB_OK) return last_failure(st);
    return results;
  }
  /** \brief The parameter and result counts. */
  Result<Arity> arity() const {
    std::size_t np = 0, nr = 0;
    wb_status_t st = wb_func_arity(h_, &np, &nr);
    if (st != WB_OK) return last_failure(st);
    return Arity{np, nr};
  }
  /** \brief This function as a typed callable, its type checked now; see TypedFunc. */
  template <class Sig>
  TypedFunc<Sig> typed() const {
    return TypedFunc<Sig>::make(Result<Func>(*this), nullptr);
  }

 private:
  wb_func_t h_;
};

namespace detail {
template <>
struct ValTraits<Func> {
  static constexpr bool supported = true;
  static constexpr wb_valkind_t kind = WB_FUNCREF;
  static wb_val_t to(const Func &v) noexcept { return funcref(v.handle()); }
  static Func from(const wb_val_t &v) noexcept { return Func(v.of.funcref); }
};
}  // namespace detail

/**
 * \brief A function called with C++ types: `TypedFunc<int32_t(int32_t, int32_t)>`.
 *
 * Parameter types: 32- and 64-bit integers (i32, i64), float (f32), double
 * (f64), V128, Func or wb_func_t (funcref). Result: void, one of those, or a
 * std::tuple of them. Any other type (bool, std::string, a pointer) is one
 * compile error that names these. The lookup (Instance::func<Sig>,
 * Func::typed<Sig>) checks the function's whole type, every parameter and
 * result kind, against the signature once (::wb_func_check_type); a
 * mismatch is ::WB_ERR_TYPE_MISMATCH naming both types. A failed lookup is
 * kept: ok()/status()/message() report it, and every call returns it. A
 * signature of numbers and V128 only is also checked once for the typed
 * call path (::wb_func_typed), and its calls go through ::wb_typed_call:
 * no per-call kind checks. A view: the store's owner thread only.
 */
template <class R, class... Args>
class TypedFunc<R(Args...)> {
  using Traits = detail::SigTraits<R(Args...)>;
  static constexpr std::size_t kParams = sizeof...(Args);

 public:
  /** \brief The C++ result type (void, a value, or a std::tuple). */
  using result_type = R;
  /** \brief An empty TypedFunc: every call fails with ::WB_ERR_INVALID_HANDLE. */
  TypedFunc() : h_(), typed_(), failure_{WB_ERR_INVALID_HANDLE, "empty TypedFunc"} {
    static_assert(Traits::supported, WASMBOUND_VALUE_TYPES_MESSAGE);
  }

  /** \brief Checks the type of a looked-up function against the signature
   *  (::wb_func_check_type); a failed lookup is kept. `what` names the
   *  function in messages (may be NULL). */
  static TypedFunc make(const Result<Func> &lookup, const char *what) {
    static_assert(Traits::supported, WASMBOUND_VALUE_TYPES_MESSAGE);
    if (!lookup) return TypedFunc(lookup.error());
    const auto params = Traits::params();
    const auto results = Traits::results();
    wb_status_t st =
        wb_func_check_type(lookup->handle(), params.data(), params.size(), results.data(), results.size());
    if (st == WB_ERR_TYPE_MISMATCH) { /* "function "f" has type X, not Y, the C++ signature's" */
      std::string msg = wb_last_error();
      const std::string_view lead = "the function ";
      if (what && msg.compare(0, lead.size(), lead) == 0) msg = "function \"" + (what + ("\" " + msg.substr(lead.size())));
      return TypedFunc(fail(WB_ERR_TYPE_MISMATCH, msg + ", the C++ signature's"));
    }
    if (st != WB_OK) return TypedFunc(last_failure(st));
    TypedFunc f(lookup->handle());
    if (Traits::numeric() &&
        wb_func_typed(lookup->handle(), params.data(), params.size(), results.data(), results.size(), &f.typed_) !=
            WB_OK)
      f.typed_.id = 0; /* an async store, say: calls take the general path and say why */
    return f;
  }

  /** \brief Whether the lookup succeeded. */
  bool ok() const noexcept { return failure_.status == WB_OK; }
  /** \brief The same as ok(). */
  explicit operator bool() const noexcept { return ok(); }
  /** \brief ::WB_OK, or why the lookup failed. */
  wb_status_t status() const noexcept { return failure_.status; }
  /** \brief Why the lookup failed; "" when it succeeded. */
  const std::string &message() const noexcept { return failure_.message; }
  /** \brief The function (the null Func after a failed lookup). */
  Func func() const noexcept { return Func(h_); }
  /** \brief The C handle (0 after a failed lookup). */
  wb_func_t handle() const noexcept { return h_; }

  /** \brief Calls the function. The store's owner thread. A trap, an
   *  interrupt or exhausted fuel is a failed Result with its trap_code(). */
  Result<R> operator()(Args... args) const {
    if (failure_.status != WB_OK) {
      (void)wb_set_error(failure_.status, failure_.message.c_str());
      return failure_;
    }
    std::array<wb_val_t, kParams> in{{detail::ValTraits<std::decay_t<Args>>::to(args)...}};
    std::array<wb_val_t, detail::ResultTraits<R>::count> out{};
    if (typed_.id != 0) { /* numbers only: raw values in place */
      constexpr std::size_t n = kParams > out.size() ? kParams : out.size();
      std::array<wb_raw_t, n == 0 ? 1 : n> raw{};
      for (std::size_t i = 0; i < kParams; i++) std::memcpy(&raw[i], &in[i].of, sizeof(wb_raw_t));
      wb_status_t st = wb_typed_call(typed_, raw.data(), n);
      if (st != WB_OK) return last_failure(st);
      if constexpr (detail::ResultTraits<R>::count == 0) {
        return Result<R>();
      } else {
        const auto kinds = Traits::results();
        for (std::size_t i = 0; i < out.size(); i++) {
          out[i].kind = kinds[i];
          std::memcpy(&out[i].of, &raw[i], sizeof(wb_raw_t));
        }
        return detail::ResultTraits<R>::from(out.data());
      }
    }
    wb_status_t st = wb_func_call(h_, in.data(), in.size(), out.data(), out.size());
    if (st != WB_OK) return last_failure(st);
    if constexpr (detail::ResultTraits<R>::count == 0) {
      return Result<R>();
    } else {
      return detail::ResultTraits<R>::from(out.data()); /* kinds checked at lookup */
    }
  }
  /** \brief The same as operator(). */
  Result<R> call(Args... args) const { return (*this)(args...); }

 private:
  explicit TypedFunc(wb_func_t h) : h_(h), typed_(), failure_{WB_OK, {}} {}
  explicit TypedFunc(Failure f) : h_(), typed_(), failure_(std::move(f)) {
    failure_.status = detail::failed_status(failure_.status);
  }
  wb_func_t h_;
  wb_typed_func_t typed_; /* the typed path's handle, or 0 */
  Failure failure_;
};

/** \brief A linear memory in a store (a view; the store's owner thread only). */
class Memory {
 public:
  /** \brief The null handle: every call fails with ::WB_ERR_INVALID_HANDLE. */
  Memory() noexcept : h_() {}
  /** \brief A view of `handle` (not owned: it lives as long as its store). */
  explicit Memory(wb_memory_t handle) noexcept : h_(handle) {}
  /** \brief The C handle. */
  wb_memory_t handle() const noexcept { return h_; }
  /** \brief False for the null handle. */
  explicit operator bool() const noexcept { return h_.id != 0; }

  /** \brief The size in bytes. */
  Result<uint64_t> size() const {
    uint64_t n = 0;
    wb_status_t st = wb_memory_size(h_, &n);
    if (st != WB_OK) return last_failure(st);
    return n;
  }
  /** \brief Grows by `delta_pages` 64 KiB pages; returns the previous size in pages. */
  Result<uint64_t> grow(uint64_t delta_pages) const {
    uint64_t prev = 0;
    wb_status_t st = wb_memory_grow(h_, delta_pages, &prev);
    if (st != WB_OK) return last_failure(st);
    return prev;
  }
  /** \brief Copies `len` bytes at `offset` into `dst` (bounds-checked: ::WB_ERR_OUT_OF_BOUNDS). */
  Result<void> read(uint64_t offset, void *dst, std::size_t len) const {
    return detail::check(wb_memory_read(h_, offset, dst, len));
  }
  /** \brief Copies `len` bytes at `offset` into a new vector. */
  Result<std::vector<uint8_t>> read(uint64_t offset, std::size_t len) const {
    std::vector<uint8_t> out(len);
    wb_status_t st = wb_memory_read(h_, offset, out.data(), len);
    if (st != WB_OK) return last_failure(st);
    return out;
  }
  /** \brief Copies `len` bytes at `offset` into a string. */
  Result<std::string> read_string(uint64_t offset, std::size_t len) const {
    std::string out(len, '\0');
    wb_status_t st = wb_memory_read(h_, offset, &out[0], len);
    if (st != WB_OK) return last_failure(st);
    return out;
  }
  /** \brief Copies bytes to `offset` (bounds-checked). */
  Result<void> write(uint64_t offset, Bytes bytes) const {
    return detail::check(wb_memory_write(h_, offset, bytes.data(), bytes.size()));
  }
  /** \brief Reads a trivially copyable value (host byte order) at `offset`. */
  template <class T>
  Result<T> load(uint64_t offset) const {
    static_assert(std::is_trivially_copyable<T>::value, "load<T> needs a trivially copyable T");
    T v{};
    wb_status_t st = wb_memory_read(h_, offset, &v, sizeof v);
    if (st != WB_OK) return last_failure(st);
    return v;
  }
  /** \brief Writes a trivially copyable value (host byte order) at `offset`. */
  template <class T>
  Result<void> store(uint64_t offset, const T &v) const {
    static_assert(std::is_trivially_copyable<T>::value, "store<T> needs a trivially copyable T");
    return detail::check(wb_memory_write(h_, offset, &v, sizeof v));
  }

 private:
  wb_memory_t h_;
};

/** \brief A global in a store (a view; the store's owner thread only). */
class Global {
 public:
  /** \brief The null handle: every call fails with ::WB_ERR_INVALID_HANDLE. */
  Global() noexcept : h_() {}
  /** \brief A view of `handle` (not owned: it lives as long as its store). */
  explicit Global(wb_global_t handle) noexcept : h_(handle) {}
  /** \brief The C handle. */
  wb_global_t handle() const noexcept { return h_; }
  /** \brief False for the null handle. */
  explicit operator bool() const noexcept { return h_.id != 0; }

  /** \brief The value with its kind. */
  Result<wb_val_t> get() const {
    wb_val_t v{};
    wb_status_t st = wb_global_get(h_, &v);
    if (st != WB_OK) return last_failure(st);
    return v;
  }
  /** \brief The value as T; ::WB_ERR_TYPE_MISMATCH when the global has another kind. */
  template <class T>
  Result<T> get() const {
    static_assert(detail::AllValues<T>::value, WASMBOUND_VALUE_TYPES_MESSAGE);
    Result<wb_val_t> v = get();
    if (!v) return v.error();
    if (v->kind != detail::ValTraits<T>::kind)
      return fail(WB_ERR_TYPE_MISMATCH, std::string("the global has type ") + kind_name(v->kind) + ", not " +
                                            kind_name(detail::ValTraits<T>::kind));
    return detail::ValTraits<T>::from(*v);
  }
  /** \brief Sets a mutable global (::WB_ERR_TYPE_MISMATCH when immutable or of another kind). */
  Result<void> set(const wb_val_t &value) const { return detail::check(wb_global_set(h_, &value)); }
  /** \brief Sets a mutable global from a C++ value (int32_t: i32, double: f64, ...). */
  template <class T, class = std::enable_if_t<!std::is_same<std::decay_t<T>, wb_val_t>::value>>
  Result<void> set(const T &value) const {
    static_assert(detail::AllValues<T>::value, WASMBOUND_VALUE_TYPES_MESSAGE);
    wb_val_t v = detail::ValTraits<std::decay_t<T>>::to(value);
    return detail::check(wb_global_set(h_, &v));
  }

 private:
  wb_global_t h_;
};

/** \brief An instance in a store (a view; the store's owner thread only). */
class Instance {
 public:
  /** \brief The null handle: every call fails with ::WB_ERR_INVALID_HANDLE. */
  Instance() noexcept : h_() {}
  /** \brief A view of `handle` (not owned: it lives as long as its store). */
  explicit Instance(wb_instance_t handle) noexcept : h_(handle) {}
  /** \brief The C handle. */
  wb_instance_t handle() const noexcept { return h_; }
  /** \brief False for the null handle. */
  explicit operator bool() const noexcept { return h_.id != 0; }

  /** \brief An exported function (::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH for another kind). */
  Result<Func> func(Name name) const {
    wb_func_t f{};
    wb_status_t st = wb_instance_get_func(h_, name.c_str(), &f);
    if (st != WB_OK) return last_failure(st);
    return Func(f);
  }
  /**
   * \brief An exported function as a typed callable, its arity checked now:
   * `auto add = instance.func<int32_t(int32_t, int32_t)>("add");`. A failed
   * lookup is kept in the TypedFunc (ok(), status(), message()) and returned
   * by every call.
   */
  template <class Sig>
  TypedFunc<Sig> func(Name name) const {
    return TypedFunc<Sig>::make(func(name), name.c_str());
  }
  /** \brief An exported memory. */
  Result<Memory> memory(Name name) const {
    wb_memory_t m{};
    wb_status_t st = wb_instance_get_memory(h_, name.c_str(), &m);
    if (st != WB_OK) return last_failure(st);
    return Memory(m);
  }
  /** \brief An exported global. */
  Result<Global> global(Name name) const {
    wb_global_t g{};
    wb_status_t st = wb_instance_get_global(h_, name.c_str(), &g);
    if (st != WB_OK) return last_failure(st);
    return Global(g);
  }

 private:
  wb_instance_t h_;
};

/**
 * \brief Interrupts a store from ANY thread: a small copyable value holding
 * only the store's handle, safe to hand to a watchdog thread.
 */
class Interrupter {
 public:
  /** \brief Interrupts nothing (::WB_ERR_INVALID_HANDLE). */
  Interrupter() noexcept : h_() {}
  /** \brief Interrupts `store` (not owned). */
  explicit Interrupter(wb_store_t store) noexcept : h_(store) {}
  /** \brief The store's running call, or else its next one, returns ::WB_ERR_INTERRUPTED. */
  Result<void> interrupt() const { return detail::check(wb_store_interrupt(h_)); }

 private:
  wb_store_t h_;
};

class WasiConfig;

/**
 * \brief What can be done with a store on its owner thread, shared by the
 * owner (Store) and the non-owning view a host function gets (StoreRef).
 * `Derived` provides handle().
 */
template <class Derived>
class StoreOps {
 public:
  /** \brief Instantiates a module without imports (use a Linker for imports). The owner thread. */
  Result<Instance> instantiate(const Module &module) const;
  /** \brief ANY thread: the running call, or else the next one, returns ::WB_ERR_INTERRUPTED. */
  Result<void> interrupt() const { return detail::check(wb_store_interrupt(h())); }
  /** \brief A copyable handle that only interrupts, for other threads. */
  Interrupter interrupter() const noexcept { return Interrupter(h()); }
  /** \brief Sets the fuel left (engine made with consume_fuel). The owner thread. */
  Result<void> set_fuel(uint64_t fuel) const { return detail::check(wb_store_set_fuel(h(), fuel)); }
  /** \brief The fuel left. The owner thread. */
  Result<uint64_t> fuel() const {
    uint64_t f = 0;
    wb_status_t st = wb_store_get_fuel(h(), &f);
    if (st != WB_OK) return last_failure(st);
    return f;
  }
  /** \brief Resource limits (0: none); see ::wb_store_set_limits. The owner thread. */
  Result<void> set_limits(const wb_store_limits_t &limits) const {
    return detail::check(wb_store_set_limits(h(), &limits));
  }
  /** \brief At most `ms` milliseconds per call (0: no limit). The owner thread. */
  Result<void> set_call_timeout(uint64_t ms) const { return detail::check(wb_store_set_call_timeout(h(), ms)); }
  /** \brief A deadline `ms` milliseconds from now for the whole store (0: none). The owner thread. */
  Result<void> set_deadline(uint64_t ms) const { return detail::check(wb_store_set_deadline(h(), ms)); }

 private:
  wb_store_t h() const noexcept { return static_cast<const Derived *>(this)->handle(); }
};

/**
 * \brief A store that this object does not own: the store a host function
 * runs in (Caller::store()). It can do what StoreOps offers on the owner
 * thread, but it cannot delete, release or adopt the store, and no Store
 * can be made from it: it is not an owner, so it cannot be handed to one
 * by mistake (`Store s(ref.handle())` would be a deliberate second owner).
 */
class StoreRef : public StoreOps<StoreRef> {
 public:
  /** \brief The null store. */
  StoreRef() noexcept : h_() {}
  /** \brief A view of `store` (not owned). */
  explicit StoreRef(wb_store_t store) noexcept : h_(store) {}
  /** \brief The C handle (not owned). */
  wb_store_t handle() const noexcept { return h_; }
  /** \brief False for the null store. */
  explicit operator bool() const noexcept { return h_.id != 0; }

 private:
  wb_store_t h_;
};

/**
 * \brief A store: owns instances and their state. Only its owner thread (the
 * creator, or whoever adopted it) may use it, and everything in it; the
 * library refuses other threads with ::WB_ERR_WRONG_THREAD. Destroy it on the
 * owner thread (or after release()).
 */
class Store : public detail::Owner<wb_store_t, &wb_store_delete, &wb_store_abandon>, public StoreOps<Store> {
 public:
  using Owner::Owner;
  using Owner::handle;
  /** \brief A new store; the calling thread becomes its owner. */
  static Result<Store> create(const Engine &engine) {
    wb_store_t h{};
    wb_status_t st = wb_store_new(engine.handle(), &h);
    if (st != WB_OK) return last_failure(st);
    return Store(h);
  }
  /** \brief A non-owning view of this store. */
  StoreRef ref() const noexcept { return StoreRef(h_); }
  /** \brief The owner gives the store up (::wb_store_release): nobody may use
   *  it until a thread calls adopt(). This object still owns (deletes) it. */
  Result<void> release() const { return detail::check(wb_store_release(h_)); }
  /** \brief The calling thread becomes the owner of a released or orphaned store. Any thread. */
  Result<void> adopt() const { return detail::check(wb_store_adopt(h_)); }
  /** \brief Gives the store a WASI context built from `config`; see ::wb_store_set_wasi. */
  inline Result<void> set_wasi(const WasiConfig &config) const;
  /** \brief What the WASI program wrote so far to a captured stream (`fd` 1 or 2). */
  Result<std::string> wasi_output(int fd) const {
    wb_bytes_t b{};
    wb_status_t st = wb_store_wasi_output(h_, fd, &b);
    if (st != WB_OK) return last_failure(st);
    std::string out(reinterpret_cast<const char *>(b.data), b.len);
    wb_bytes_dispose(&b);
    return out;
  }
};

template <class Derived>
inline Result<Instance> StoreOps<Derived>::instantiate(const Module &module) const {
  wb_instance_t i{};
  wb_status_t st = wb_instance_new(h(), module.handle(), &i);
  if (st != WB_OK) return last_failure(st);
  return Instance(i);
}

/* ======================================================================== */
/* Linking and host functions                                                */

/**
 * \brief The calling instance, as the optional first parameter of a host
 * lambda. Valid only during that callback, on that thread.
 */
class Caller {
 public:
  /** \brief The caller `handle` (valid during its callback only). */
  explicit Caller(wb_caller_t handle) noexcept : h_(handle) {}
  /** \brief The C handle. */
  wb_caller_t handle() const noexcept { return h_; }
  /** \brief A memory exported by the calling instance (usually "memory"). */
  Result<Memory> memory(Name name) const {
    wb_memory_t m{};
    wb_status_t st = wb_caller_get_memory(h_, name.c_str(), &m);
    if (st != WB_OK) return last_failure(st);
    return Memory(m);
  }
  /** \brief A function exported by the calling instance. */
  Result<Func> func(Name name) const {
    wb_func_t f{};
    wb_status_t st = wb_caller_get_func(h_, name.c_str(), &f);
    if (st != WB_OK) return last_failure(st);
    return Func(f);
  }
  /** \brief A global exported by the calling instance. */
  Result<Global> global(Name name) const {
    wb_global_t g{};
    wb_status_t st = wb_caller_get_global(h_, name.c_str(), &g);
    if (st != WB_OK) return last_failure(st);
    return Global(g);
  }
  /** \brief The store the callback runs in, as a non-owning StoreRef (its
   *  fuel, limits, interrupter...): the callback's caller owns the store. */
  Result<StoreRef> store() const {
    wb_store_t s{};
    wb_status_t st = wb_caller_store(h_, &s);
    if (st != WB_OK) return last_failure(st);
    return StoreRef(s);
  }

 private:
  wb_caller_t h_;
};

namespace detail {
template <class T>
struct IsResult : std::false_type {
  using inner = T;
};
template <class T>
struct IsResult<Result<T>> : std::true_type {
  using inner = T;
};

/* A host function of C++ type R(Args...), optionally taking Caller first. */
template <class R, class... Args>
struct HostSigBase {
  using Ret = typename IsResult<R>::inner;
  static constexpr bool supported = AllValues<Args...>::value && ResultTraits<Ret>::supported;
  static constexpr std::size_t nparams = sizeof...(Args);
  static constexpr std::size_t nresults = ResultTraits<Ret>::count;
  static std::array<wb_valkind_t, sizeof...(Args)> params() noexcept { return {{ValTraits<std::decay_t<Args>>::kind...}}; }
  static std::array<wb_valkind_t, ResultTraits<Ret>::count> results() noexcept { return ResultTraits<Ret>::kinds(); }

  template <class F, std::size_t... I>
  static wb_status_t invoke(const F &f, wb_caller_t caller, const wb_val_t *args, wb_val_t *results,
                            std::index_sequence<I...>, std::true_type /* takes Caller */) {
    return finish(results, [&] { return f(Caller(caller), ValTraits<std::decay_t<Args>>::from(args[I])...); });
  }
  template <class F, std::size_t... I>
  static wb_status_t invoke(const F &f, wb_caller_t, const wb_val_t *args, wb_val_t *results,
                            std::index_sequence<I...>, std::false_type) {
    return finish(results, [&] { return f(ValTraits<std::decay_t<Args>>::from(args[I])...); });
  }

 private:
  template <class Call>
  static wb_status_t finish(wb_val_t *results, Call &&call) {
    if constexpr (IsResult<R>::value) {
      R r = call();
      if (!r) return wb_set_error(r.status(), r.message().c_str());
      if constexpr (!std::is_void<Ret>::value) ResultTraits<Ret>::to(results, *r);
    } else if constexpr (std::is_void<R>::value) {
      call();
    } else {
      ResultTraits<R>::to(results, call());
    }
    return WB_OK;
  }
};

template <class R, class... Args>
struct HostSig : HostSigBase<R, Args...> {
  using takes_caller = std::false_type;
};
template <class R, class... Args>
struct HostSig<R, Caller, Args...> : HostSigBase<R, Args...> {
  using takes_caller = std::true_type;
};

/* The signature of a lambda, function object or function pointer. */
template <class M>
struct CallOperator {
  static_assert(sizeof(M) == 0,
                "a host function needs a const operator() (a lambda that is not `mutable`): it may run on "
                "several threads at once");
};
template <class C, class R, class... Args>
struct CallOperator<R (C::*)(Args...) const> {
  using Sig = HostSig<R, Args...>;
};
template <class C, class R, class... Args>
struct CallOperator<R (C::*)(Args...) const noexcept> {
  using Sig = HostSig<R, Args...>;
};
template <class F, class = void>
struct HostFnTraits {
  static_assert(sizeof(F) == 0,
                "a host function must be a lambda or function object with one non-template operator(), "
                "or a function pointer");
};
template <class F>
struct HostFnTraits<F, std::void_t<decltype(&F::operator())>> {
  using Sig = typename CallOperator<decltype(&F::operator())>::Sig;
};
template <class R, class... Args>
struct HostFnTraits<R (*)(Args...)> {
  using Sig = HostSig<R, Args...>;
};
template <class R, class... Args>
struct HostFnTraits<R (*)(Args...) noexcept> {
  using Sig = HostSig<R, Args...>;
};

template <class F>
struct HostThunk {
  using Sig = typename HostFnTraits<F>::Sig;
  static wb_status_t call(void *env, wb_caller_t caller, const wb_val_t *args, std::size_t nargs, wb_val_t *results,
                          std::size_t nresults) noexcept {
    if (nargs != Sig::nparams || nresults != Sig::nresults)
      return wb_set_error(WB_ERR_INTERNAL, "wasmbound.hh: host function called with an unexpected arity");
    return guarded(env, caller, args, results);
  }
  /* Runs the function; with exceptions on, a thrown one traps the guest
   * with its what() (exceptions never cross into the library). */
  static wb_status_t guarded(void *env, wb_caller_t caller, const wb_val_t *args, wb_val_t *results) noexcept {
#if WASMBOUND_EXCEPTIONS
    try {
      return run(env, caller, args, results);
    } catch (const std::exception &e) {
      return wb_set_error(WB_ERR_TRAP, e.what());
    } catch (...) {
      return wb_set_error(WB_ERR_TRAP, "a host function threw a C++ exception that is not a std::exception");
    }
#else
    return run(env, caller, args, results);
#endif
  }
  static wb_status_t run(void *env, wb_caller_t caller, const wb_val_t *args, wb_val_t *results) {
    return Sig::invoke(*static_cast<const F *>(env), caller, args, results, std::make_index_sequence<Sig::nparams>{},
                       typename Sig::takes_caller{});
  }
  /* The same function as a typed host function (wb_linker_define_func_typed),
   * for signatures of numbers and vectors only: Wasmtime's raw values in
   * place, each lent to the signature's conversions as a wb_val_t (copies
   * the compiler folds away) and the results written back. */
  static wb_status_t typed_call(void *env, wb_caller_t caller, wb_raw_t *vals, std::size_t nvals) noexcept {
    if (nvals < (Sig::nparams > Sig::nresults ? Sig::nparams : Sig::nresults))
      return wb_set_error(WB_ERR_INTERNAL, "wasmbound.hh: host function called with an unexpected arity");
    std::array<wb_val_t, Sig::nparams == 0 ? 1 : Sig::nparams> args{};
    std::array<wb_val_t, Sig::nresults == 0 ? 1 : Sig::nresults> results{};
    const auto kinds = Sig::params();
    for (std::size_t i = 0; i < Sig::nparams; i++) {
      args[i].kind = kinds[i];
      std::memcpy(&args[i].of, &vals[i], sizeof(wb_raw_t));
    }
    wb_status_t st = guarded(env, caller, args.data(), results.data());
    if (st == WB_OK)
      for (std::size_t i = 0; i < Sig::nresults; i++) std::memcpy(&vals[i], &results[i].of, sizeof(wb_raw_t));
    return st;
  }
  /* Whether the signature is of numbers and vectors only (typed_call). */
  static bool typed() noexcept {
    for (wb_valkind_t k : Sig::params())
      if (k > WB_V128) return false;
    for (wb_valkind_t k : Sig::results())
      if (k > WB_V128) return false;
    return true;
  }
  static void destroy(void *env) noexcept { delete static_cast<F *>(env); }
};
static_assert(sizeof(wb_raw_t) <= sizeof(wb_val_t{}.of), "a raw value fits a wb_val_t's payload");
}  // namespace detail

class SharedMemory;

/**
 * \brief A linker (builder): only the thread that created it may use it.
 * Define host functions (C++ lambdas), instances, WASI and shared memories,
 * then instantiate modules with imports, or make a shareable Template.
 */
class Linker : public detail::Owner<wb_linker_t, &wb_linker_delete> {
 public:
  using Owner::Owner;
  /** \brief A new linker for `engine`'s modules; the calling thread is its only user. */
  static Result<Linker> create(const Engine &engine) {
    wb_linker_t h{};
    wb_status_t st = wb_linker_new(engine.handle(), &h);
    if (st != WB_OK) return last_failure(st);
    return Linker(h);
  }
  /** \brief Let later definitions replace earlier ones of the same name. */
  Result<void> allow_shadowing(bool allow) const { return detail::check(wb_linker_allow_shadowing(h_, allow)); }

  /**
   * \brief Defines a host function `module`.`name` from a lambda (or function
   * object, or function pointer) whose parameter and return types give the
   * wasm type:
   *
   * \code
   * linker.define("env", "add", [](int32_t a, int32_t b) { return a + b; });
   * linker.define("env", "log", [](wasmbound::Caller caller, int32_t ptr, int32_t len)
   *                                 -> wasmbound::Result<void> {
   *   auto mem = caller.memory("memory");
   *   if (!mem) return mem.error();
   *   auto text = mem->read_string(uint32_t(ptr), uint32_t(len));
   *   if (!text) return text.error();
   *   std::puts(text->c_str());
   *   return {};
   * });
   * \endcode
   *
   * Parameters: an optional Caller first, then values as for TypedFunc. A
   * signature of numbers and V128 only becomes a typed host function
   * (::wb_linker_define_func_typed, the faster call); one with a funcref, a
   * general one. The return type: void, a value, a std::tuple of values, or
   * a Result of those;
   * a failed Result (e.g. `return wasmbound::fail(WB_ERR_TRAP, "bad input")`)
   * or, with exceptions on, a thrown exception makes the guest trap: the
   * outer call returns ::WB_ERR_TRAP with that message. Exceptions never
   * cross into the library.
   *
   * The function object is moved to the heap and owned by the library; it is
   * destroyed when no linker, template or store holds the function. It runs
   * on the owner thread of whichever store calls it, and through a Template
   * on many threads at once: its operator() must be const and thread-safe.
   */
  template <class F>
  Result<void> define(Name module, Name name, F &&fn) const {
    using Fn = std::decay_t<F>;
    using Thunk = detail::HostThunk<Fn>;
    static_assert(Thunk::Sig::supported, WASMBOUND_VALUE_TYPES_MESSAGE);
    const auto params = Thunk::Sig::params();
    const auto results = Thunk::Sig::results();
    Fn *env = new Fn(std::forward<F>(fn));
    /* on failure too, the library calls the finalizer: no leak */
    if (Thunk::typed()) /* numbers and vectors: the typed host function, the faster call */
      return detail::check(wb_linker_define_func_typed(h_, module.c_str(), name.c_str(), params.data(),
                                                       params.size(), results.data(), results.size(),
                                                       &Thunk::typed_call, env, &Thunk::destroy));
    return detail::check(wb_linker_define_func(h_, module.c_str(), name.c_str(), params.data(), params.size(),
                                               results.data(), results.size(), &Thunk::call, env, &Thunk::destroy));
  }
  /** \brief Defines a host function with the C callback type (see ::wb_linker_define_func). */
  Result<void> define_func(Name module, Name name, const std::vector<wb_valkind_t> &params,
                           const std::vector<wb_valkind_t> &results, wb_host_callback_t callback, void *env,
                           wb_finalizer_t finalizer) const {
    return detail::check(wb_linker_define_func(h_, module.c_str(), name.c_str(), params.data(), params.size(),
                                               results.data(), results.size(), callback, env, finalizer));
  }
  /** \brief Defines a typed host function with the C callback type: the
   *  values in place, numbers and v128 only (see ::wb_linker_define_func_typed). */
  Result<void> define_func_typed(Name module, Name name, const std::vector<wb_valkind_t> &params,
                                 const std::vector<wb_valkind_t> &results, wb_typed_host_callback_t callback,
                                 void *env, wb_finalizer_t finalizer) const {
    return detail::check(wb_linker_define_func_typed(h_, module.c_str(), name.c_str(), params.data(), params.size(),
                                                     results.data(), results.size(), callback, env, finalizer));
  }
  /** \brief Defines every export of `instance` as `module`.*; see ::wb_linker_define_instance. */
  Result<void> define_instance(Name module, const Instance &instance) const {
    return detail::check(wb_linker_define_instance(h_, module.c_str(), instance.handle()));
  }
  /** \brief Defines WASI preview1; stores that run it need Store::set_wasi. */
  Result<void> define_wasi() const { return detail::check(wb_linker_define_wasi(h_)); }
  /** \brief Defines a shared memory as `module`.`name`. */
  inline Result<void> define_shared_memory(Name module, Name name, const SharedMemory &memory) const;
  /** \brief Instantiates `module` into `store` (this thread must own both). */
  Result<Instance> instantiate(const Store &store, const Module &module) const {
    wb_instance_t i{};
    wb_status_t st = wb_linker_instantiate(h_, store.handle(), module.handle(), &i);
    if (st != WB_OK) return last_failure(st);
    return Instance(i);
  }
};

/**
 * \brief A pre-linked module (Wasmtime's InstancePre): made once on the
 * linker's thread, then instantiated by any thread into its own store,
 * concurrently.
 */
class Template : public detail::Owner<wb_template_t, &wb_template_delete> {
 public:
  using Owner::Owner;
  /** \brief Pre-links `module` with `linker`'s definitions (the linker's thread). */
  static Result<Template> create(const Linker &linker, const Module &module) {
    wb_template_t h{};
    wb_status_t st = wb_template_new(linker.handle(), module.handle(), &h);
    if (st != WB_OK) return last_failure(st);
    return Template(h);
  }
  /** \brief Instantiates into `store` (the store's owner thread). */
  Result<Instance> instantiate(const Store &store) const {
    wb_instance_t i{};
    wb_status_t st = wb_template_instantiate(h_, store.handle(), &i);
    if (st != WB_OK) return last_failure(st);
    return Instance(i);
  }
};

/* ======================================================================== */
/* Worker pools, futures, logging                                            */

/** \brief Pool options: starts from the library's defaults
 *  (::wb_pool_config_init); the setters chain. */
class PoolConfig {
 public:
  /** \brief The library's defaults (this header's version of ::wb_pool_config_t). */
  PoolConfig() noexcept { (void)wb_pool_config_init(&c_, WB_POOL_CONFIG_VERSION); }
  /** \brief The C struct, for options without a setter here. */
  wb_pool_config_t &raw() noexcept { return c_; }
  /** \brief The C struct, for options without a setter here. */
  const wb_pool_config_t &raw() const noexcept { return c_; }
  /** \brief Worker threads, each with its own store (default 2, at most 256). */
  PoolConfig &workers(uint32_t n) noexcept { return set(c_.workers, n); }
  /** \brief Queued calls before submit pushes back (default 1024). */
  PoolConfig &queue_capacity(uint32_t n) noexcept { return set(c_.queue_capacity, n); }
  /** \brief A time limit per call in milliseconds (default 0: none). */
  PoolConfig &call_timeout_ms(uint64_t ms) noexcept { return set(c_.call_timeout_ms, ms); }
  /** \brief Fuel per call (default 0: no fuel; needs an engine with consume_fuel). */
  PoolConfig &fuel_per_call(uint64_t fuel) noexcept { return set(c_.fuel_per_call, fuel); }
  /** \brief Memory limit per worker store in bytes (default 0: none). */
  PoolConfig &memory_limit_bytes(uint64_t bytes) noexcept { return set(c_.memory_limit_bytes, bytes); }
  /** \brief A fresh instance after this many calls (default 0: only after a failure). */
  PoolConfig &recycle_after_calls(uint64_t calls) noexcept { return set(c_.recycle_after_calls, calls); }

 private:
  template <class T, class U>
  PoolConfig &set(T &field, U value) noexcept {
    field = value;
    return *this;
  }
  wb_pool_config_t c_;
};

/**
 * \brief The pending result of a call submitted to a Pool (an owner: deleted
 * with the object; the call still runs and its result is dropped). Any
 * thread, concurrently.
 */
class Future : public detail::Owner<wb_future_t, &wb_future_delete> {
 public:
  /** \brief An empty future. */
  Future() noexcept = default;
  /** \brief Takes ownership of `future`, whose function returns `nresults` values. */
  Future(wb_future_t future, std::size_t nresults) noexcept : Owner(future), nresults_(nresults) {}
  /** \brief Waits up to `timeout_ms` (the default: forever) for the results.
   *  The call's own failure comes back as it happened (status, message, trap
   *  code); ::WB_ERR_TIMEOUT when the time ran out first (the future stays valid). */
  Result<std::vector<wb_val_t>> wait(uint64_t timeout_ms = UINT64_MAX) const {
    std::vector<wb_val_t> out(nresults_);
    wb_status_t st = wb_future_wait(h_, timeout_ms, out.data(), out.size());
    if (st != WB_OK) return last_failure(st);
    return out;
  }
  /** \brief Whether the call has completed. */
  Result<bool> done() const {
    bool d = false;
    wb_status_t st = wb_future_poll(h_, &d);
    if (st != WB_OK) return last_failure(st);
    return d;
  }
  /** \brief Cancels the call (::wb_future_cancel): it completes with ::WB_ERR_INTERRUPTED. */
  Result<void> cancel() const { return detail::check(wb_future_cancel(h_)); }
  /** \brief The number of results the call returns. */
  std::size_t nresults() const noexcept { return nresults_; }

 private:
  std::size_t nresults_ = 0;
};

/**
 * \brief A pool of worker threads, each owning one store and instance of a
 * Template, that runs calls for any thread (see ::wb_pool_new). An owner:
 * deleting it cancels what is still running. Any thread, concurrently, but
 * not from its own workers' host functions.
 */
class Pool : public detail::Owner<wb_pool_t, &wb_pool_delete> {
 public:
  using Owner::Owner;
  /** \brief Starts a pool of `tmpl` (made with `engine`); each worker
   *  instantiates it before this returns. */
  static Result<Pool> create(const Engine &engine, const Template &tmpl, const PoolConfig &config = PoolConfig()) {
    wb_pool_t h{};
    wb_status_t st = wb_pool_new(engine.handle(), tmpl.handle(), &config.raw(), &h);
    if (st != WB_OK) return last_failure(st);
    return Pool(h);
  }
  /** \brief The index of an exported function, for call_index() and submit(). */
  Result<uint32_t> func_index(Name name) const {
    uint32_t i = 0;
    wb_status_t st = wb_pool_func_index(h_, name.c_str(), &i);
    if (st != WB_OK) return last_failure(st);
    return i;
  }
  /** \brief Runs `name` on a worker with dynamically typed values and waits
   *  for its `nresults` results. */
  Result<std::vector<wb_val_t>> call(Name name, const std::vector<wb_val_t> &args, std::size_t nresults) const {
    std::vector<wb_val_t> out(nresults);
    wb_status_t st = wb_pool_call(h_, name.c_str(), args.data(), args.size(), out.data(), out.size());
    if (st != WB_OK) return last_failure(st);
    return out;
  }
  /** \brief call() by index (from func_index()). */
  Result<std::vector<wb_val_t>> call_index(uint32_t func_index, const std::vector<wb_val_t> &args,
                                           std::size_t nresults) const {
    std::vector<wb_val_t> out(nresults);
    wb_status_t st = wb_pool_call_index(h_, func_index, args.data(), args.size(), out.data(), out.size());
    if (st != WB_OK) return last_failure(st);
    return out;
  }
  /** \brief Runs `name` on a worker with C++ types and waits:
   *  `pool.call<int32_t(int32_t, int32_t)>("add", 1, 2)`. The library checks
   *  the argument kinds; the results have the signature's kinds. */
  template <class Sig, class... A>
  Result<typename detail::SigTraits<Sig>::result_type> call(Name name, A &&...args) const {
    using Traits = detail::SigTraits<Sig>;
    using R = typename Traits::result_type;
    static_assert(Traits::supported, WASMBOUND_VALUE_TYPES_MESSAGE);
    static_assert(sizeof...(A) == Traits::nparams, "wasmbound: Pool::call<Sig>: as many arguments as Sig has");
    const std::vector<wb_val_t> in = Traits::to_vals(std::forward<A>(args)...);
    Result<std::vector<wb_val_t>> out = call(name, in, Traits::nresults);
    if (!out) return out.error();
    if constexpr (std::is_void<R>::value) {
      return Result<void>();
    } else {
      return detail::ResultTraits<R>::from(out->data());
    }
  }
  /**
   * \brief Queues a call and returns at once with its Future.
   * \param func_index from func_index().
   * \param args the arguments (copied).
   * \param nresults the function's result count (what Future::wait returns).
   * \param block true: wait while the queue is full; false: ::WB_ERR_BUSY then.
   */
  Result<Future> submit(uint32_t func_index, const std::vector<wb_val_t> &args, std::size_t nresults,
                        bool block = true) const {
    wb_future_t f{};
    wb_status_t st = wb_pool_submit(h_, func_index, args.data(), args.size(), block, &f);
    if (st != WB_OK) return last_failure(st);
    return Future(f, nresults);
  }
  /** \brief Stops the pool (::wb_pool_shutdown): ::WB_SHUTDOWN_DRAIN runs what
   *  is queued, ::WB_SHUTDOWN_CANCEL interrupts it. Waits for the workers. */
  Result<void> shutdown(wb_shutdown_mode_t mode = WB_SHUTDOWN_DRAIN) const {
    return detail::check(wb_pool_shutdown(h_, mode));
  }
  /** \brief The pool's counters (::wb_pool_stats_get). */
  Result<wb_pool_stats_t> stats() const {
    wb_pool_stats_t s = WB_POOL_STATS_INIT;
    wb_status_t st = wb_pool_stats_get(h_, &s);
    if (st != WB_OK) return last_failure(st);
    return s;
  }
};

/**
 * \brief The library's log callback (::wb_set_log_callback) as a C++
 * function, installed for this object's lifetime.
 *
 * The function runs on whichever thread logs, possibly several at once: it
 * must be thread-safe, must not call wasmbound (such calls are refused with
 * ::WB_ERR_BUSY), and what it throws is dropped. Only one callback is
 * installed at a time: installing another replaces it, and then destroying
 * the older object removes nothing. Removal is final: once remove() or the
 * destructor returns, the function is not running and never runs again.
 */
class LogCallback {
 public:
  /** \brief What receives the messages: the level and the text (valid during the call only). */
  using Function = std::function<void(wb_log_level_t, std::string_view)>;
  /** \brief Installs `fn` for messages of `min_level` and above. Any thread. */
  static Result<LogCallback> install(Function fn, wb_log_level_t min_level = WB_LOG_INFO) {
    LogCallback cb(std::make_unique<Function>(std::move(fn)));
    std::lock_guard<std::mutex> lock(installed_lock());
    wb_status_t st = wb_set_log_callback(&thunk, cb.fn_.get(), min_level);
    if (st != WB_OK) return last_failure(st);
    installed() = cb.fn_.get();
    return Result<LogCallback>(std::move(cb));
  }
  /** \brief Takes over `other`'s function (and its installation). */
  LogCallback(LogCallback &&other) noexcept = default;
  /** \brief Removes this object's function (if still installed), then takes over `other`'s. */
  LogCallback &operator=(LogCallback &&other) noexcept {
    if (this != &other) {
      (void)remove();
      fn_ = std::move(other.fn_);
    }
    return *this;
  }
  LogCallback(const LogCallback &) = delete;
  LogCallback &operator=(const LogCallback &) = delete;
  /** \brief remove(). */
  ~LogCallback() { (void)remove(); }
  /** \brief Whether this object's function is the installed callback. */
  bool installed_now() const {
    std::lock_guard<std::mutex> lock(installed_lock());
    return fn_ && installed() == fn_.get();
  }
  /** \brief Uninstalls this object's function if it is still the installed
   *  one (not from inside a log callback: ::WB_ERR_BUSY). Any thread. */
  Result<void> remove() {
    if (!fn_) return Result<void>();
    std::lock_guard<std::mutex> lock(installed_lock());
    if (installed() == fn_.get()) {
      wb_status_t st = wb_set_log_callback(nullptr, nullptr, WB_LOG_ERROR);
      if (st != WB_OK) return last_failure(st);
      installed() = nullptr;
    }
    fn_.reset();
    return Result<void>();
  }

 private:
  explicit LogCallback(std::unique_ptr<Function> fn) noexcept : fn_(std::move(fn)) {}
  static void thunk(void *user, wb_log_level_t level, const char *message) noexcept {
#if WASMBOUND_EXCEPTIONS
    try {
      (*static_cast<const Function *>(user))(level, message);
    } catch (...) {
    }
#else
    (*static_cast<const Function *>(user))(level, message);
#endif
  }
  /* which function is installed (one per process, like the library's) */
  static const Function *&installed() noexcept {
    static const Function *current = nullptr;
    return current;
  }
  static std::mutex &installed_lock() noexcept {
    static std::mutex m;
    return m;
  }
  std::unique_ptr<Function> fn_;
};

/** \brief A shared linear memory (wasm threads). Any thread, concurrently. */
class SharedMemory : public detail::Owner<wb_shared_memory_t, &wb_shared_memory_delete> {
 public:
  using Owner::Owner;
  /** \brief A shared memory of `min_pages`..`max_pages` 64 KiB pages (::wb_shared_memory_new). */
  static Result<SharedMemory> create(const Engine &engine, uint32_t min_pages, uint32_t max_pages) {
    wb_shared_memory_t h{};
    wb_status_t st = wb_shared_memory_new(engine.handle(), min_pages, max_pages, &h);
    if (st != WB_OK) return last_failure(st);
    return SharedMemory(h);
  }
  /** \brief The size in bytes. */
  Result<uint64_t> size() const {
    uint64_t n = 0;
    wb_status_t st = wb_shared_memory_size(h_, &n);
    if (st != WB_OK) return last_failure(st);
    return n;
  }
  /** \brief Grows by `delta_pages`; returns the previous size in pages. */
  Result<uint64_t> grow(uint64_t delta_pages) const {
    uint64_t prev = 0;
    wb_status_t st = wb_shared_memory_grow(h_, delta_pages, &prev);
    if (st != WB_OK) return last_failure(st);
    return prev;
  }
  /** \brief Copies `len` bytes at `offset` into `dst` (bounds-checked). */
  Result<void> read(uint64_t offset, void *dst, std::size_t len) const {
    return detail::check(wb_shared_memory_read(h_, offset, dst, len));
  }
  /** \brief Copies bytes to `offset` (bounds-checked). */
  Result<void> write(uint64_t offset, Bytes bytes) const {
    return detail::check(wb_shared_memory_write(h_, offset, bytes.data(), bytes.size()));
  }
};

inline Result<void> Linker::define_shared_memory(Name module, Name name, const SharedMemory &memory) const {
  return detail::check(wb_linker_define_shared_memory(h_, module.c_str(), name.c_str(), memory.handle()));
}

/** \brief A WASI configuration (builder): only its creator thread may use it. */
class WasiConfig : public detail::Owner<wb_wasi_config_t, &wb_wasi_config_delete> {
 public:
  using Owner::Owner;
  /** \brief An empty configuration; the calling thread is its only user. */
  static Result<WasiConfig> create() {
    wb_wasi_config_t h{};
    wb_status_t st = wb_wasi_config_new(&h);
    if (st != WB_OK) return last_failure(st);
    return WasiConfig(h);
  }
  /** \brief argv (argv[0] is the program name). */
  Result<void> args(const std::vector<std::string> &argv) const {
    std::vector<const char *> p;
    p.reserve(argv.size());
    for (const std::string &a : argv) p.push_back(a.c_str());
    return detail::check(wb_wasi_config_set_args(h_, p.data(), p.size()));
  }
  /** \brief The environment, exactly these NAME=value pairs. */
  Result<void> env(const std::vector<std::pair<std::string, std::string>> &vars) const {
    std::vector<const char *> names, values;
    for (const auto &kv : vars) {
      names.push_back(kv.first.c_str());
      values.push_back(kv.second.c_str());
    }
    return detail::check(wb_wasi_config_set_env(h_, names.data(), values.data(), vars.size()));
  }
  /** \brief The program's stdin (copied). */
  Result<void> stdin_bytes(Bytes bytes) const {
    return detail::check(wb_wasi_config_set_stdin(h_, bytes.data(), bytes.size()));
  }
  /** \brief Routes stdout; `path` only for ::WB_STDIO_FILE. */
  Result<void> stdout_to(wb_stdio_mode_t mode, const char *path = nullptr) const {
    return detail::check(wb_wasi_config_set_stdout(h_, mode, path));
  }
  /** \brief Routes stderr; `path` only for ::WB_STDIO_FILE. */
  Result<void> stderr_to(wb_stdio_mode_t mode, const char *path = nullptr) const {
    return detail::check(wb_wasi_config_set_stderr(h_, mode, path));
  }
  /** \brief Gives the program the host directory `host_path` as `guest_path`. */
  Result<void> preopen_dir(Name host_path, Name guest_path, bool read_only) const {
    return detail::check(wb_wasi_config_preopen_dir(h_, host_path.c_str(), guest_path.c_str(), read_only));
  }
};

inline Result<void> Store::set_wasi(const WasiConfig &config) const {
  return detail::check(wb_store_set_wasi(h_, config.handle()));
}

}  // namespace wasmbound

/* What the component section below needs beyond the includes at the top
 * (kept here so that the section stays in one piece). */
#include <memory>
#include <new>
#include <variant>

namespace wasmbound {

/* ======================================================================== */
/* Components and WASI 0.2 (the component model)                             */
/*                                                                            */
/* The C++ side of the component section of wasmbound.h: component values    */
/* map to C++ types through CvalTraits (bool, integers, float, double,        */
/* char32_t, std::string / std::string_view, std::vector, std::optional,      */
/* std::tuple / std::pair, std::variant, WitResult, Flags, enums, structs    */
/* described by Record<T>, Own / Borrow resources, and raw wb_cval_t), and    */
/* host functions are lambdas.                                                */

/** \brief No payload: the empty side of a WIT result, or a variant case
 *  without one (as an alternative of a std::variant). */
using Unit = std::monostate;

/** \brief An owned resource handle: passing it moves the resource to the callee. */
struct Own {
  wb_resource_t handle{}; /**< store-bound; ends with ::wb_resource_drop or its store */
};
/** \brief A borrowed resource handle (host function arguments: valid during the call). */
struct Borrow {
  wb_resource_t handle{}; /**< the resource lent */
};
/** \brief WIT flags: bit i is the i-th flag of the type. */
struct Flags {
  uint64_t bits = 0; /**< the set flags */
};

/** \brief A WIT `result<T, E>`; Unit for a side without payload. */
template <class T = Unit, class E = Unit>
struct WitResult {
  bool is_err = false; /**< false: `ok` holds the value; true: `err` does */
  T ok{};              /**< the ok payload */
  E err{};             /**< the err payload */
  /** \brief An ok result. */
  static WitResult success(T v = T{}) {
    WitResult r;
    r.ok = std::move(v);
    return r;
  }
  /** \brief An err result. */
  static WitResult failure(E e = E{}) {
    WitResult r;
    r.is_err = true;
    r.err = std::move(e);
    return r;
  }
};

/**
 * \brief Maps a struct to a WIT record: specialize it with the members in
 * the record's field order (names are not compared; the order is what counts).
 * \code
 * struct Point { uint32_t x; std::string label; };
 * template <> struct wasmbound::Record<Point> {
 *   static constexpr auto fields = std::make_tuple(&Point::x, &Point::label);
 * };
 * \endcode
 */
template <class T>
struct Record {};

namespace detail {
/* Memory for the nested parts of values on their way to the library: owned
 * by a call (CallMemory), or borrowed from a component host function's
 * scratch (HostMemory: ::wb_component_host_alloc, freed after the library
 * has read the result). */
class CvalMemory {
 public:
  virtual ~CvalMemory() = default;
  /* n bytes aligned for any value, or nullptr */
  virtual void *alloc(std::size_t n) = 0;
  /* a copy of the bytes that outlives the caller's temporaries */
  const char *keep(const char *data, std::size_t n) {
    if (!n) return "";
    char *p = static_cast<char *>(alloc(n));
    if (p) std::memcpy(p, data, n);
    return p;
  }
  wb_cval_t *values(std::size_t n) { return static_cast<wb_cval_t *>(alloc((n ? n : 1) * sizeof(wb_cval_t))); }
};
class CallMemory final : public CvalMemory {
 public:
  void *alloc(std::size_t n) override {
    blocks_.emplace_back(new (std::nothrow) std::max_align_t[(n + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t)]);
    return blocks_.back().get();
  }

 private:
  std::vector<std::unique_ptr<std::max_align_t[]>> blocks_;
};
class HostMemory final : public CvalMemory {
 public:
  explicit HostMemory(wb_store_t store) noexcept : store_(store) {}
  void *alloc(std::size_t n) override {
    void *p = nullptr;
    return wb_component_host_alloc(store_, n, &p) == WB_OK ? p : nullptr;
  }

 private:
  wb_store_t store_;
};
}  // namespace detail

/**
 * \brief How a C++ type becomes a component value and back. Specialized for
 * the types listed at the top of this section; specialize it for your own
 * (or Record<T> for structs). `to` fills `out` (false: out of memory);
 * `from` reads a result or argument (false: the value is not of this type).
 */
template <class T, class = void>
struct CvalTraits;  // unsupported type: the error names this template

namespace detail {
template <class T>
struct ScalarTraits {};
/** \cond WASMBOUND_INTERNAL */
#define WASMBOUND_CVAL_SCALAR(T, KIND, MEMBER, MAKE)                                   \
  template <>                                                                          \
  struct ScalarTraits<T> {                                                             \
    static bool to(const T &x, CvalMemory &, wb_cval_t &out) {                         \
      out = MAKE(x);                                                                   \
      return true;                                                                     \
    }                                                                                  \
    static bool from(const wb_cval_t &v, T &out) {                                     \
      if (v.kind != KIND) return false;                                                \
      out = v.of.MEMBER;                                                               \
      return true;                                                                     \
    }                                                                                  \
  };
WASMBOUND_CVAL_SCALAR(bool, WB_CVAL_BOOL, b, wb_cval_bool)
WASMBOUND_CVAL_SCALAR(int8_t, WB_CVAL_S8, s8, wb_cval_s8)
WASMBOUND_CVAL_SCALAR(uint8_t, WB_CVAL_U8, u8, wb_cval_u8)
WASMBOUND_CVAL_SCALAR(int16_t, WB_CVAL_S16, s16, wb_cval_s16)
WASMBOUND_CVAL_SCALAR(uint16_t, WB_CVAL_U16, u16, wb_cval_u16)
WASMBOUND_CVAL_SCALAR(int32_t, WB_CVAL_S32, s32, wb_cval_s32)
WASMBOUND_CVAL_SCALAR(uint32_t, WB_CVAL_U32, u32, wb_cval_u32)
WASMBOUND_CVAL_SCALAR(int64_t, WB_CVAL_S64, s64, wb_cval_s64)
WASMBOUND_CVAL_SCALAR(uint64_t, WB_CVAL_U64, u64, wb_cval_u64)
WASMBOUND_CVAL_SCALAR(float, WB_CVAL_F32, f32, wb_cval_f32)
WASMBOUND_CVAL_SCALAR(double, WB_CVAL_F64, f64, wb_cval_f64)
WASMBOUND_CVAL_SCALAR(char32_t, WB_CVAL_CHAR, ch, wb_cval_char)
#undef WASMBOUND_CVAL_SCALAR
/** \endcond */
template <class T, class = void>
struct IsScalar : std::false_type {};
template <class T>
struct IsScalar<T, std::void_t<decltype(ScalarTraits<T>::from)>> : std::true_type {};
}  // namespace detail

/** \brief bool, the fixed-width integers, float, double, char32_t. */
template <class T>
struct CvalTraits<T, std::enable_if_t<detail::IsScalar<T>::value>> : detail::ScalarTraits<T> {};

/** \brief `string`: std::string (copied out of results). */
template <>
struct CvalTraits<std::string> {
  /** \brief A `string` value of a copy of `x`'s bytes, kept in `m`; false when out of memory. */
  static bool to(const std::string &x, detail::CvalMemory &m, wb_cval_t &out) {
    const char *p = m.keep(x.data(), x.size());
    out = wb_cval_string_n(p, x.size());
    return p != nullptr;
  }
  /** \brief Copies a `string` value into `out`; false when `v` is not a string. */
  static bool from(const wb_cval_t &v, std::string &out) {
    if (v.kind != WB_CVAL_STRING) return false;
    out.assign(v.of.str.data, v.of.str.len);
    return true;
  }
};
/** \brief `string` as an argument only (results outlive no view). */
template <>
struct CvalTraits<std::string_view> {
  /** \brief A `string` value of a copy of `x`'s bytes, kept in `m`; false when out of memory. */
  static bool to(std::string_view x, detail::CvalMemory &m, wb_cval_t &out) {
    const char *p = m.keep(x.data(), x.size());
    out = wb_cval_string_n(p, x.size());
    return p != nullptr;
  }
};
/** \brief `string` from a NUL-terminated C string, as an argument only. */
template <>
struct CvalTraits<const char *> {
  /** \brief As std::string_view: a copy of `x` up to its NUL (nullptr: the
   *  empty string); false when out of memory. */
  static bool to(const char *x, detail::CvalMemory &m, wb_cval_t &out) {
    return CvalTraits<std::string_view>::to(x ? std::string_view(x) : std::string_view(), m, out);
  }
};
/** \brief `list<u8>`: one buffer. */
template <>
struct CvalTraits<std::vector<uint8_t>> {
  /** \brief A ::WB_CVAL_BYTES value of a copy of `x`, kept in `m`; false when out of memory. */
  static bool to(const std::vector<uint8_t> &x, detail::CvalMemory &m, wb_cval_t &out) {
    const char *p = m.keep(reinterpret_cast<const char *>(x.data()), x.size());
    out = wb_cval_bytes(reinterpret_cast<const uint8_t *>(p), x.size());
    return p != nullptr;
  }
  /** \brief Copies a ::WB_CVAL_BYTES value, or a ::WB_CVAL_LIST of `u8`,
   *  into `out`; false for anything else. */
  static bool from(const wb_cval_t &v, std::vector<uint8_t> &out) {
    if (v.kind == WB_CVAL_BYTES) {
      out.assign(v.of.bytes.data, v.of.bytes.data + v.of.bytes.len);
      return true;
    }
    if (v.kind != WB_CVAL_LIST) return false;
    out.clear();
    for (std::size_t i = 0; i < v.of.list.len; i++) {
      if (v.of.list.items[i].kind != WB_CVAL_U8) return false;
      out.push_back(v.of.list.items[i].of.u8);
    }
    return true;
  }
};
/** \brief `list<T>`. */
template <class T>
struct CvalTraits<std::vector<T>, std::enable_if_t<!std::is_same<T, uint8_t>::value>> {
  /** \brief A list of the elements converted by CvalTraits<T>, kept in `m`;
   *  false when out of memory (or an element's conversion fails). */
  static bool to(const std::vector<T> &x, detail::CvalMemory &m, wb_cval_t &out) {
    wb_cval_t *items = m.values(x.size());
    if (!items) return false;
    for (std::size_t i = 0; i < x.size(); i++)
      if (!CvalTraits<T>::to(x[i], m, items[i])) return false;
    out = wb_cval_list(items, x.size());
    return true;
  }
  /** \brief Reads a list into `out` (replacing its contents); false when `v`
   *  is not a list or an element is not a T. */
  static bool from(const wb_cval_t &v, std::vector<T> &out) {
    if (v.kind != WB_CVAL_LIST) return false;
    out.clear();
    out.reserve(v.of.list.len);
    for (std::size_t i = 0; i < v.of.list.len; i++) {
      T item{};
      if (!CvalTraits<T>::from(v.of.list.items[i], item)) return false;
      out.push_back(std::move(item));
    }
    return true;
  }
};
/** \brief `option<T>`. */
template <class T>
struct CvalTraits<std::optional<T>> {
  /** \brief `none` for an empty `x`, else `some` of the converted value, kept
   *  in `m`; false when out of memory. */
  static bool to(const std::optional<T> &x, detail::CvalMemory &m, wb_cval_t &out) {
    if (!x) {
      out = wb_cval_option(nullptr);
      return true;
    }
    wb_cval_t *p = m.values(1);
    if (!p || !CvalTraits<T>::to(*x, m, *p)) return false;
    out = wb_cval_option(p);
    return true;
  }
  /** \brief Reads an option (`none`: an empty `out`); false when `v` is not
   *  an option or its payload is not a T. */
  static bool from(const wb_cval_t &v, std::optional<T> &out) {
    if (v.kind != WB_CVAL_OPTION) return false;
    if (!v.of.choice.payload) {
      out.reset();
      return true;
    }
    T item{};
    if (!CvalTraits<T>::from(*v.of.choice.payload, item)) return false;
    out = std::move(item);
    return true;
  }
};

namespace detail {
/* the payload of a case: none for Unit */
template <class T>
bool payload_to(const T &x, CvalMemory &m, const wb_cval_t *&out) {
  if constexpr (std::is_same<T, Unit>::value) {
    (void)x, (void)m;
    out = nullptr;
    return true;
  } else {
    wb_cval_t *p = m.values(1);
    if (!p || !CvalTraits<T>::to(x, m, *p)) return false;
    out = p;
    return true;
  }
}
template <class T>
bool payload_from(const wb_cval_t *v, T &out) {
  if constexpr (std::is_same<T, Unit>::value) {
    (void)out;
    return v == nullptr;
  } else {
    return v && CvalTraits<T>::from(*v, out);
  }
}
}  // namespace detail

/** \brief `result<T, E>` (Unit for a side without payload). */
template <class T, class E>
struct CvalTraits<WitResult<T, E>> {
  /** \brief `ok(x.ok)` or, when `x.is_err`, `err(x.err)`, kept in `m`; false
   *  when out of memory. */
  static bool to(const WitResult<T, E> &x, detail::CvalMemory &m, wb_cval_t &out) {
    const wb_cval_t *p = nullptr;
    if (!(x.is_err ? detail::payload_to(x.err, m, p) : detail::payload_to(x.ok, m, p))) return false;
    out = wb_cval_result(x.is_err, p);
    return true;
  }
  /** \brief Reads a result into `out`; false when `v` is not a result or its
   *  payload does not match that side's type (Unit: no payload). */
  static bool from(const wb_cval_t &v, WitResult<T, E> &out) {
    if (v.kind != WB_CVAL_RESULT) return false;
    out.is_err = v.of.choice.index != 0;
    return out.is_err ? detail::payload_from(v.of.choice.payload, out.err)
                      : detail::payload_from(v.of.choice.payload, out.ok);
  }
};
/** \brief `variant`: alternative i is case i (std::monostate: no payload). */
template <class... Ts>
struct CvalTraits<std::variant<Ts...>> {
  /** \brief The case of `x.index()` with the alternative as its payload, kept
   *  in `m`; false when out of memory. */
  static bool to(const std::variant<Ts...> &x, detail::CvalMemory &m, wb_cval_t &out) {
    const wb_cval_t *p = nullptr;
    bool ok = std::visit([&](const auto &alt) { return detail::payload_to(alt, m, p); }, x);
    out = wb_cval_variant_index(static_cast<uint32_t>(x.index()), p);
    return ok;
  }
  /** \brief Reads a variant into alternative `index` of `out`; false when `v`
   *  is not a variant, its case is past the alternatives, or its payload
   *  does not match. */
  static bool from(const wb_cval_t &v, std::variant<Ts...> &out) {
    if (v.kind != WB_CVAL_VARIANT || v.of.choice.index >= sizeof...(Ts)) return false;
    return pick(v, out, std::index_sequence_for<Ts...>{});
  }

 private:
  template <std::size_t... I>
  static bool pick(const wb_cval_t &v, std::variant<Ts...> &out, std::index_sequence<I...>) {
    bool ok = false;
    ((v.of.choice.index == I ? (ok = take<I>(v, out), true) : false) || ...);
    return ok;
  }
  template <std::size_t I>
  static bool take(const wb_cval_t &v, std::variant<Ts...> &out) {
    std::variant_alternative_t<I, std::variant<Ts...>> alt{};
    if (!detail::payload_from(v.of.choice.payload, alt)) return false;
    out.template emplace<I>(std::move(alt));
    return true;
  }
};
namespace detail {
template <class Tuple, std::size_t... I>
bool tuple_to(const Tuple &x, CvalMemory &m, wb_cval_t *items, std::index_sequence<I...>) {
  return (CvalTraits<std::decay_t<std::tuple_element_t<I, Tuple>>>::to(std::get<I>(x), m, items[I]) && ...);
}
template <class Tuple, std::size_t... I>
bool tuple_from(const wb_cval_t *items, Tuple &out, std::index_sequence<I...>) {
  return (CvalTraits<std::decay_t<std::tuple_element_t<I, Tuple>>>::from(items[I], std::get<I>(out)) && ...);
}
}  // namespace detail
/** \brief `tuple<...>`. */
template <class... Ts>
struct CvalTraits<std::tuple<Ts...>> {
  /** \brief A tuple of the converted members, kept in `m`; false when out of memory. */
  static bool to(const std::tuple<Ts...> &x, detail::CvalMemory &m, wb_cval_t &out) {
    wb_cval_t *items = m.values(sizeof...(Ts));
    if (!items || !detail::tuple_to(x, m, items, std::index_sequence_for<Ts...>{})) return false;
    out = wb_cval_tuple(items, sizeof...(Ts));
    return true;
  }
  /** \brief Reads a tuple into `out`; false when `v` is not a tuple of
   *  `sizeof...(Ts)` members of these types. */
  static bool from(const wb_cval_t &v, std::tuple<Ts...> &out) {
    if (v.kind != WB_CVAL_TUPLE || v.of.list.len != sizeof...(Ts)) return false;
    return detail::tuple_from(v.of.list.items, out, std::index_sequence_for<Ts...>{});
  }
};
/** \brief `tuple<A, B>` as a std::pair. */
template <class A, class B>
struct CvalTraits<std::pair<A, B>> {
  /** \brief As std::tuple<A, B>. */
  static bool to(const std::pair<A, B> &x, detail::CvalMemory &m, wb_cval_t &out) {
    return CvalTraits<std::tuple<A, B>>::to(std::tuple<A, B>(x.first, x.second), m, out);
  }
  /** \brief As std::tuple<A, B>. */
  static bool from(const wb_cval_t &v, std::pair<A, B> &out) {
    std::tuple<A, B> t;
    if (!CvalTraits<std::tuple<A, B>>::from(v, t)) return false;
    out = std::pair<A, B>(std::move(std::get<0>(t)), std::move(std::get<1>(t)));
    return true;
  }
};
/** \brief `enum`: a C++ enum whose values are the case indexes. */
template <class T>
struct CvalTraits<T, std::enable_if_t<std::is_enum<T>::value>> {
  /** \brief The enum case of index `x`; always true. */
  static bool to(const T &x, detail::CvalMemory &, wb_cval_t &out) {
    out = wb_cval_enum_index(static_cast<uint32_t>(x));
    return true;
  }
  /** \brief The case index as a T; false when `v` is not an enum. */
  static bool from(const wb_cval_t &v, T &out) {
    if (v.kind != WB_CVAL_ENUM) return false;
    out = static_cast<T>(v.of.choice.index);
    return true;
  }
};
/** \brief `flags`. */
template <>
struct CvalTraits<Flags> {
  /** \brief A flags value of `x.bits`; always true. */
  static bool to(const Flags &x, detail::CvalMemory &, wb_cval_t &out) {
    out = wb_cval_flags(x.bits);
    return true;
  }
  /** \brief Reads the bits; false when `v` is not a flags value. */
  static bool from(const wb_cval_t &v, Flags &out) {
    if (v.kind != WB_CVAL_FLAGS) return false;
    out.bits = v.of.flags;
    return true;
  }
};
namespace detail {
template <class R, wb_cval_kind_t K, wb_cval_t (*Make)(wb_resource_t)>
struct ResourceTraits {
  static bool to(const R &x, CvalMemory &, wb_cval_t &out) {
    out = Make(x.handle);
    return true;
  }
  static bool from(const wb_cval_t &v, R &out) {
    if (v.kind != K) return false;
    out.handle = v.of.resource;
    return true;
  }
};
}  // namespace detail
/** \brief `own<T>`. */
template <>
struct CvalTraits<Own> : detail::ResourceTraits<Own, WB_CVAL_OWN, &wb_cval_own> {};
/** \brief `borrow<T>`. */
template <>
struct CvalTraits<Borrow> : detail::ResourceTraits<Borrow, WB_CVAL_BORROW, &wb_cval_borrow> {};
/** \brief Any value as it is (its pointers are the caller's, or live as long
 *  as the arguments or result they came from). */
template <>
struct CvalTraits<wb_cval_t> {
  /** \brief Copies the struct (its pointers stay the caller's); always true. */
  static bool to(const wb_cval_t &x, detail::CvalMemory &, wb_cval_t &out) {
    out = x;
    return true;
  }
  /** \brief Copies the struct (its pointers still point into `v`'s result or
   *  arguments); always true. */
  static bool from(const wb_cval_t &v, wb_cval_t &out) {
    out = v;
    return true;
  }
};
namespace detail {
template <class T, class = void>
struct IsRecord : std::false_type {};
template <class T>
struct IsRecord<T, std::void_t<decltype(Record<T>::fields)>> : std::true_type {};
template <class T, class Fields, std::size_t... I>
bool record_to(const T &x, const Fields &f, CvalMemory &m, wb_cval_t *items, std::index_sequence<I...>) {
  return (CvalTraits<std::decay_t<decltype(x.*std::get<I>(f))>>::to(x.*std::get<I>(f), m, items[I]) && ...);
}
template <class T, class Fields, std::size_t... I>
bool record_from(const wb_cval_t *items, const Fields &f, T &out, std::index_sequence<I...>) {
  return (CvalTraits<std::decay_t<decltype(out.*std::get<I>(f))>>::from(items[I], out.*std::get<I>(f)) && ...);
}
}  // namespace detail
/** \brief `record`: a struct described by Record<T>. */
template <class T>
struct CvalTraits<T, std::enable_if_t<detail::IsRecord<T>::value>> {
  /** \brief The number of fields in Record<T>::fields. */
  static constexpr std::size_t n = std::tuple_size<std::decay_t<decltype(Record<T>::fields)>>::value;
  /** \brief A record of the fields in Record<T>::fields order (by position,
   *  no names), kept in `m`; false when out of memory. */
  static bool to(const T &x, detail::CvalMemory &m, wb_cval_t &out) {
    wb_cval_t *items = m.values(n);
    if (!items || !detail::record_to(x, Record<T>::fields, m, items, std::make_index_sequence<n>{})) return false;
    out = wb_cval_record(items, nullptr, n);
    return true;
  }
  /** \brief Reads a record's fields by position; false when `v` is not a
   *  record of `n` fields of the fields' types. */
  static bool from(const wb_cval_t &v, T &out) {
    if (v.kind != WB_CVAL_RECORD || v.of.list.len != n) return false;
    return detail::record_from(v.of.list.items, Record<T>::fields, out, std::make_index_sequence<n>{});
  }
};

/** \brief A component call's result, owned: freed (::wb_cresult_dispose) by
 *  the destructor. Move-only. */
class ComponentResult {
 public:
  ComponentResult() noexcept : r_(WB_CRESULT_INIT) {}
  /** \brief Takes `o`'s result; `o` is left empty. */
  ComponentResult(ComponentResult &&o) noexcept : r_(o.r_) { o.r_ = WB_CRESULT_INIT; }
  /** \brief Frees this result, then takes `o`'s; `o` is left empty. */
  ComponentResult &operator=(ComponentResult &&o) noexcept {
    if (this != &o) {
      wb_cresult_dispose(&r_);
      r_ = o.r_;
      o.r_ = WB_CRESULT_INIT;
    }
    return *this;
  }
  ComponentResult(const ComponentResult &) = delete;
  ComponentResult &operator=(const ComponentResult &) = delete;
  ~ComponentResult() { wb_cresult_dispose(&r_); }
  /** \brief The value; nullptr for a function without a result. */
  const wb_cval_t *value() const noexcept { return r_.has_value ? &r_.value : nullptr; }
  /** \brief The C struct, to pass to ::wb_component_func_call. */
  wb_cresult_t *raw() noexcept { return &r_; }
  /** \brief The result as T (::WB_ERR_TYPE_MISMATCH when it is not one). */
  template <class T>
  Result<T> as() const {
    T out{};
    if (!r_.has_value || !CvalTraits<T>::from(r_.value, out))
      return fail(WB_ERR_TYPE_MISMATCH, "wasmbound.hh: the result is not of the C++ type asked for");
    return out;
  }

 private:
  wb_cresult_t r_;
};

namespace detail {
/* Converts C++ arguments into values backed by m. */
template <class... Args, std::size_t... I>
bool cvals_of(CvalMemory &m, wb_cval_t *vals, std::index_sequence<I...>, const Args &...args) {
  return (CvalTraits<std::decay_t<Args>>::to(args, m, vals[I]) && ...);
}
/* Calls `call(vals, n, result)` with the converted args and reads R back. */
template <class R, class Call, class... Args>
Result<R> typed_component_call(Call &&call, const Args &...args) {
  CallMemory m;
  wb_cval_t vals[sizeof...(Args) ? sizeof...(Args) : 1] = {};
  if (!cvals_of(m, vals, std::index_sequence_for<Args...>{}, args...))
    return fail(WB_ERR_NO_MEMORY, "wasmbound.hh: out of memory for the arguments");
  ComponentResult res;
  wb_status_t st = call(static_cast<const wb_cval_t *>(vals), sizeof...(Args), res.raw());
  if (st != WB_OK) return last_failure(st);
  if constexpr (std::is_void<R>::value) {
    return Result<void>();
  } else {
    return res.template as<R>();
  }
}
}  // namespace detail

/** \brief A component function (a view, valid until its store is deleted);
 *  the store's owner thread. */
class ComponentFunc {
 public:
  ComponentFunc() noexcept : h_() {}
  /** \brief A view of `h` (not owned: it lives as long as its store). */
  explicit ComponentFunc(wb_component_func_t h) noexcept : h_(h) {}
  /** \brief The C handle. */
  wb_component_func_t handle() const noexcept { return h_; }
  /** \brief Calls with C values (borrowed). */
  Result<ComponentResult> call(const std::vector<wb_cval_t> &args) const {
    ComponentResult r;
    wb_status_t st = wb_component_func_call(h_, args.data(), args.size(), r.raw());
    if (st != WB_OK) return last_failure(st);
    return r;
  }
  /** \brief The WIT type, e.g. "func(a: u32) -> string". */
  Result<std::string> type() const {
    wb_bytes_t b{};
    wb_status_t st = wb_component_func_type(h_, &b);
    if (st != WB_OK) return last_failure(st);
    std::string s(reinterpret_cast<const char *>(b.data), b.len);
    wb_bytes_dispose(&b);
    return s;
  }

 private:
  wb_component_func_t h_;
};

template <class Sig>
class ComponentTypedFunc;
/** \brief A component function called with C++ values: `R(Args...)`, R void
 *  for a function without a result. The library checks every argument
 *  against the WIT type before the guest runs. */
template <class R, class... Args>
class ComponentTypedFunc<R(Args...)> {
 public:
  ComponentTypedFunc() noexcept = default;
  /** \brief Wraps `f` without checking its type: each call checks the
   *  arguments (library) and the result (::WB_ERR_TYPE_MISMATCH). */
  explicit ComponentTypedFunc(ComponentFunc f) noexcept : f_(f) {}
  /** \brief The untyped function. */
  ComponentFunc func() const noexcept { return f_; }
  /** \brief Calls it; ::WB_ERR_TYPE_MISMATCH when the result is not an R. */
  Result<R> operator()(const Args &...args) const {
    wb_component_func_t h = f_.handle();
    return detail::typed_component_call<R>(
        [h](const wb_cval_t *v, std::size_t n, wb_cresult_t *out) { return wb_component_func_call(h, v, n, out); },
        args...);
  }

 private:
  ComponentFunc f_;
};

/** \brief A component instance (a view, valid until its store is deleted);
 *  the store's owner thread. */
class ComponentInstance {
 public:
  ComponentInstance() noexcept : h_() {}
  /** \brief A view of `h` (not owned: it lives as long as its store). */
  explicit ComponentInstance(wb_component_instance_t h) noexcept : h_(h) {}
  /** \brief The C handle. */
  wb_component_instance_t handle() const noexcept { return h_; }
  /** \brief A function by path ("name" or "iface#name"). */
  Result<ComponentFunc> func(Name path) const {
    wb_component_func_t f{};
    wb_status_t st = wb_component_instance_get_func(h_, path.c_str(), &f);
    if (st != WB_OK) return last_failure(st);
    return ComponentFunc(f);
  }
  /** \brief A function by index (Component::func_index). */
  Result<ComponentFunc> func(uint32_t index) const {
    wb_component_func_t f{};
    wb_status_t st = wb_component_instance_func(h_, index, &f);
    if (st != WB_OK) return last_failure(st);
    return ComponentFunc(f);
  }
  /** \brief A typed function: `instance.typed<uint32_t(uint32_t, uint32_t)>("add")`. */
  template <class Sig>
  Result<ComponentTypedFunc<Sig>> typed(Name path) const {
    Result<ComponentFunc> f = func(path);
    if (!f) return f.error();
    return ComponentTypedFunc<Sig>(*f);
  }
  /** \brief ::WB_OK while usable; ::WB_ERR_UNUSABLE after a trap. */
  Result<void> usable() const { return detail::check(wb_component_instance_usable(h_)); }
  /** \brief Runs a WASI 0.2 command (wasi:cli/run); the exit status is
   *  ::wb_last_exit_code (0 on success, ::WB_ERR_EXIT otherwise). */
  Result<void> run() const { return detail::check(wb_component_run(h_)); }

 private:
  wb_component_instance_t h_;
};

/** \brief One import or export of a component. */
struct ComponentItem {
  std::string path;     /**< "name", "iface", or "iface#member" */
  wb_citem_kind_t kind; /**< what it is */
  std::string type;     /**< its WIT type as text */
};

/** \brief A compiled component. Any thread, concurrently. */
class Component : public detail::Owner<wb_component_t, &wb_component_delete> {
 public:
  using Owner::Owner;
  /** \brief Compiles a component binary or `(component ...)` text. */
  static Result<Component> create(const Engine &engine, Bytes binary_or_text) {
    wb_component_t h{};
    wb_status_t st = wb_component_new(engine.handle(), binary_or_text.data(), binary_or_text.size(), &h);
    if (st != WB_OK) return last_failure(st);
    return Component(h);
  }
  /** \brief The index of an exported function, for every instance. */
  Result<uint32_t> func_index(Name path) const {
    uint32_t i = 0;
    wb_status_t st = wb_component_func_index(h_, path.c_str(), &i);
    if (st != WB_OK) return last_failure(st);
    return i;
  }
  /** \brief Imports with WIT types. */
  Result<std::vector<ComponentItem>> imports() const { return items(&wb_component_imports); }
  /** \brief Exports with WIT types. */
  Result<std::vector<ComponentItem>> exports() const { return items(&wb_component_exports); }

 private:
  Result<std::vector<ComponentItem>> items(wb_status_t (*list)(wb_component_t, wb_citem_list_t *)) const {
    wb_citem_list_t l{};
    wb_status_t st = list(h_, &l);
    if (st != WB_OK) return last_failure(st);
    std::vector<ComponentItem> out;
    for (std::size_t i = 0; i < l.count; i++) out.push_back({l.items[i].path, l.items[i].kind, l.items[i].type});
    wb_citem_list_dispose(&l);
    return out;
  }
};

namespace detail {
/* A component host function of C++ type R([wb_store_t,] Args...). */
template <class R, class... Args>
struct ComponentHostSigBase {
  using Ret = typename IsResult<R>::inner;
  static constexpr std::size_t nparams = sizeof...(Args);

  template <class F, std::size_t... I>
  static wb_status_t invoke(const F &f, wb_store_t store, const wb_cval_t *args, wb_cval_t *result,
                            std::index_sequence<I...>, bool takes_store) {
    std::tuple<std::decay_t<Args>...> vals;
    std::size_t bad = nparams;
    bool ok = ((CvalTraits<std::decay_t<Args>>::from(args[I], std::get<I>(vals)) || (bad = I, false)) && ...);
    if (!ok) {
      std::string msg = "wasmbound.hh: argument " + std::to_string(bad) +
                        " is not of the C++ type the host function takes";
      return wb_set_error(WB_ERR_TYPE_MISMATCH, msg.c_str());
    }
    return finish(store, result, [&] {
      if constexpr (sizeof...(I) == 0) (void)vals;
      return call(f, store, takes_store, std::get<I>(vals)...);
    });
  }

 private:
  template <class F, class... V>
  static decltype(auto) call(const F &f, wb_store_t store, bool takes_store, V &...v) {
    (void)store, (void)takes_store;
    if constexpr (std::is_invocable<const F &, wb_store_t, V &...>::value) return f(store, v...);
    else return f(v...);
  }
  template <class Call>
  static wb_status_t finish(wb_store_t store, wb_cval_t *result, Call &&call) {
    HostMemory m(store);
    if constexpr (IsResult<R>::value) {
      R r = call();
      if (!r) return wb_set_error(r.status(), r.message().c_str());
      if constexpr (!std::is_void<Ret>::value) {
        if (!result) return wb_set_error(WB_ERR_TYPE_MISMATCH, "wasmbound.hh: the import has no result");
        if (!CvalTraits<Ret>::to(*r, m, *result)) return wb_set_error(WB_ERR_NO_MEMORY, "out of memory");
      }
    } else if constexpr (std::is_void<R>::value) {
      call();
    } else {
      if (!result) return wb_set_error(WB_ERR_TYPE_MISMATCH, "wasmbound.hh: the import has no result");
      if (!CvalTraits<R>::to(call(), m, *result)) return wb_set_error(WB_ERR_NO_MEMORY, "out of memory");
    }
    return WB_OK;
  }
};
template <class R, class... Args>
struct ComponentHostSig : ComponentHostSigBase<R, Args...> {
  static constexpr bool takes_store = false;
};
template <class R, class... Args>
struct ComponentHostSig<R, wb_store_t, Args...> : ComponentHostSigBase<R, Args...> {
  static constexpr bool takes_store = true;
};
template <class M>
struct ComponentCallOperator {
  static_assert(sizeof(M) == 0, "a component host function needs a const operator() (a lambda that is not "
                                "`mutable`): it may run on several threads at once");
};
template <class C, class R, class... Args>
struct ComponentCallOperator<R (C::*)(Args...) const> {
  using Sig = ComponentHostSig<R, Args...>;
};
template <class C, class R, class... Args>
struct ComponentCallOperator<R (C::*)(Args...) const noexcept> {
  using Sig = ComponentHostSig<R, Args...>;
};
template <class F, class = void>
struct ComponentHostTraits {
  static_assert(sizeof(F) == 0, "a component host function must be a lambda or function object with one "
                                "non-template operator(), or a function pointer");
};
template <class F>
struct ComponentHostTraits<F, std::void_t<decltype(&F::operator())>> {
  using Sig = typename ComponentCallOperator<decltype(&F::operator())>::Sig;
};
template <class R, class... Args>
struct ComponentHostTraits<R (*)(Args...)> {
  using Sig = ComponentHostSig<R, Args...>;
};
template <class F>
struct ComponentHostThunk {
  using Sig = typename ComponentHostTraits<F>::Sig;
  static wb_status_t call(void *env, wb_store_t store, const wb_cval_t *args, std::size_t nargs,
                          wb_cval_t *result) noexcept {
    if (nargs != Sig::nparams)
      return wb_set_error(WB_ERR_TYPE_MISMATCH, "wasmbound.hh: the import passes another number of arguments "
                                                "than the host function takes");
#if WASMBOUND_EXCEPTIONS
    try {
      return Sig::invoke(*static_cast<const F *>(env), store, args, result, std::make_index_sequence<Sig::nparams>{},
                         Sig::takes_store);
    } catch (const std::exception &e) {
      return wb_set_error(WB_ERR_TRAP, e.what());
    } catch (...) {
      return wb_set_error(WB_ERR_TRAP, "a host function threw a C++ exception that is not a std::exception");
    }
#else
    return Sig::invoke(*static_cast<const F *>(env), store, args, result, std::make_index_sequence<Sig::nparams>{},
                       Sig::takes_store);
#endif
  }
  static void destroy(void *env) noexcept { delete static_cast<F *>(env); }
};
template <class T>
void delete_user(void *, void *user) {
  delete static_cast<T *>(user);
}
}  // namespace detail

/** \brief Makes a resource of a host resource type in a store, carrying
 *  `user` (the type's destructor runs once for it). The store's owner thread. */
inline Result<Own> new_resource(wb_store_t store, uint32_t type, void *user) {
  wb_resource_t r{};
  wb_status_t st = wb_resource_new(store, type, user, &r);
  if (st != WB_OK) return last_failure(st);
  return Own{r};
}
/** \brief The user pointer of a host resource, as T*. */
template <class T>
Result<T *> resource_data(wb_resource_t resource) {
  void *user = nullptr;
  wb_status_t st = wb_resource_host_data(resource, nullptr, &user);
  if (st != WB_OK) return last_failure(st);
  return static_cast<T *>(user);
}

class ComponentTemplate;

/** \brief A component linker (builder): only the thread that created it. */
class ComponentLinker : public detail::Owner<wb_component_linker_t, &wb_component_linker_delete> {
 public:
  using Owner::Owner;
  /** \brief A new component linker for `engine`'s components
   *  (::wb_component_linker_new); the calling thread is its only user. */
  static Result<ComponentLinker> create(const Engine &engine) {
    wb_component_linker_t h{};
    wb_status_t st = wb_component_linker_new(engine.handle(), &h);
    if (st != WB_OK) return last_failure(st);
    return ComponentLinker(h);
  }
  /** \brief Let later definitions replace earlier ones of the same name. */
  Result<void> allow_shadowing(bool allow) const {
    return detail::check(wb_component_linker_allow_shadowing(h_, allow));
  }
  /**
   * \brief Defines a host function `iface#name` ("" for the root) from a
   * lambda whose parameter and return types map through CvalTraits; it may
   * take a wb_store_t first (for resources). Return void, a value, or a
   * Result of those; a failed Result or a thrown exception traps the guest.
   * \code
   * linker.define("ns:pkg/host@1.0.0", "greet", [](std::string name) { return "hello, " + name; });
   * \endcode
   * The function object is owned by the library and may run on many threads
   * at once (templates, pools): its operator() must be const and thread-safe.
   */
  template <class F>
  Result<void> define(Name iface, Name name, F &&fn) const {
    using Fn = std::decay_t<F>;
    using Thunk = detail::ComponentHostThunk<Fn>;
    Fn *env = new Fn(std::forward<F>(fn));
    return detail::check(
        wb_component_linker_define_func(h_, iface.c_str(), name.c_str(), &Thunk::call, env, &Thunk::destroy));
  }
  /** \brief Defines a host resource type whose resources carry a T* (deleted
   *  with `delete` when the resource ends); returns the type id for
   *  new_resource. */
  template <class T>
  Result<uint32_t> define_resource(Name iface, Name name) const {
    uint32_t type = 0;
    wb_status_t st = wb_component_linker_define_resource(h_, iface.c_str(), name.c_str(), &detail::delete_user<T>,
                                                         nullptr, nullptr, &type);
    if (st != WB_OK) return last_failure(st);
    return type;
  }
  /** \brief Defines WASI 0.2 (::wb_component_linker_define_wasi); the guest
   *  runs with its store's Store::set_wasi settings, or an empty WASI
   *  context in a store without them. */
  Result<void> define_wasi() const { return detail::check(wb_component_linker_define_wasi(h_)); }
  /** \brief Defines a core module for components that import one. */
  Result<void> define_module(Name iface, Name name, const Module &module) const {
    return detail::check(wb_component_linker_define_module(h_, iface.c_str(), name.c_str(), module.handle()));
  }
  /** \brief Instantiates into `store` (its owner thread). */
  Result<ComponentInstance> instantiate(const Store &store, const Component &component) const {
    wb_component_instance_t i{};
    wb_status_t st = wb_component_linker_instantiate(h_, store.handle(), component.handle(), &i);
    if (st != WB_OK) return last_failure(st);
    return ComponentInstance(i);
  }
};

/** \brief A component pre-linked for cheap instantiation on any thread. */
class ComponentTemplate : public detail::Owner<wb_component_template_t, &wb_component_template_delete> {
 public:
  using Owner::Owner;
  /** \brief On the linker's creator thread. */
  static Result<ComponentTemplate> create(const ComponentLinker &linker, const Component &component) {
    wb_component_template_t h{};
    wb_status_t st = wb_component_template_new(linker.handle(), component.handle(), &h);
    if (st != WB_OK) return last_failure(st);
    return ComponentTemplate(h);
  }
  /** \brief Instantiates into `store` (its owner thread). */
  Result<ComponentInstance> instantiate(const Store &store) const {
    wb_component_instance_t i{};
    wb_status_t st = wb_component_template_instantiate(h_, store.handle(), &i);
    if (st != WB_OK) return last_failure(st);
    return ComponentInstance(i);
  }
  /** \brief The index of an exported function. */
  Result<uint32_t> func_index(Name path) const {
    uint32_t i = 0;
    wb_status_t st = wb_component_template_func_index(h_, path.c_str(), &i);
    if (st != WB_OK) return last_failure(st);
    return i;
  }
};

/** \brief Worker threads running a component template's functions for any thread. */
class ComponentPool : public detail::Owner<wb_component_pool_t, &wb_component_pool_delete> {
 public:
  using Owner::Owner;
  /** \brief `config` nullptr for the defaults. */
  static Result<ComponentPool> create(const ComponentTemplate &tmpl, const wb_pool_config_t *config = nullptr) {
    wb_component_pool_t h{};
    wb_status_t st = wb_component_pool_new(tmpl.handle(), config, &h);
    if (st != WB_OK) return last_failure(st);
    return ComponentPool(h);
  }
  /** \brief The index of an exported function. */
  Result<uint32_t> func_index(Name path) const {
    uint32_t i = 0;
    wb_status_t st = wb_component_pool_func_index(h_, path.c_str(), &i);
    if (st != WB_OK) return last_failure(st);
    return i;
  }
  /** \brief Runs function `index` on a worker and waits: `pool.call<uint32_t>(add, 1u, 2u)`. */
  template <class R, class... Args>
  Result<R> call(uint32_t index, const Args &...args) const {
    wb_component_pool_t h = h_;
    return detail::typed_component_call<R>(
        [h, index](const wb_cval_t *v, std::size_t n, wb_cresult_t *out) {
          return wb_component_pool_call(h, index, v, n, out);
        },
        args...);
  }
};

}  // namespace wasmbound

#endif /* WASMBOUND_HH */
