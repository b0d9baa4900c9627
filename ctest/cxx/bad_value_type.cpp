// Must NOT compile (ctest/cxx/expect_one_error.sh checks how): a host lambda
// or a TypedFunc with a type that is not a wasm value gives one error, a
// static_assert that names the types allowed, and not pages of template
// errors. WB_CASE picks the mistake.
#include <string>

#include "wasmbound.hh"

int main() {
  using namespace wasmbound;
  Engine engine = Engine::create().value();
  Linker linker = Linker::create(engine).value();
#if WB_CASE == 1  // a bool parameter
  (void)linker.define("env", "f", [](bool on) { return on ? 1 : 0; });
#elif WB_CASE == 2  // a std::string parameter (and a Caller before it)
  (void)linker.define("env", "f", [](Caller, int32_t, const std::string &s) { return int32_t(s.size()); });
#elif WB_CASE == 3  // a bool result
  (void)linker.define("env", "f", [](int32_t x) { return x != 0; });
#elif WB_CASE == 4  // two bad parameters: still one error
  (void)linker.define("env", "f", [](std::string, const char *) {});
#elif WB_CASE == 5  // a TypedFunc with a bool parameter
  Store store = Store::create(engine).value();
  Module module = engine.compile("(module (func (export \"f\") (param i32)))").value();
  Instance instance = store.instantiate(module).value();
  auto f = instance.func<void(bool)>("f");
  (void)f(true);
#endif
  return 0;
}
