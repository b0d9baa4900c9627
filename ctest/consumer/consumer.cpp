// An out-of-tree C++17 consumer of the installed wasmbound.hh.
#include <cstdio>
#include <thread>

#include <wasmbound.hh>

int main() {
  namespace wb = wasmbound;
  wb::Engine engine = wb::Engine::create().value();
  wb::Module module = engine
                          .compile(R"((module
                            (import "host" "twice" (func $twice (param i32) (result i32)))
                            (func (export "add") (param i32 i32) (result i32)
                              local.get 0 local.get 1 i32.add call $twice)))")
                          .value();
  wb::Linker linker = wb::Linker::create(engine).value();
  linker.define("host", "twice", [](int32_t x) { return 2 * x; }).value();
  wb::Store store = wb::Store::create(engine).value();
  wb::Instance instance = linker.instantiate(store, module).value();
  auto add = instance.func<int32_t(int32_t, int32_t)>("add");
  const int32_t r = add(1, 20).value();

  wb_status_t other = WB_OK;
  std::thread([&] { other = add(1, 2).status(); }).join();

  if (r != 42 || other != WB_ERR_WRONG_THREAD) {
    std::fprintf(stderr, "wrong: %d, %s\n", r, wb_status_name(other));
    return 1;
  }
  std::printf("consumer (C++%ld): (1 + 20) * 2 = %d; from another thread: %s\n", __cplusplus / 100 % 100, r,
              wb_status_name(other));
  return 0;
}
