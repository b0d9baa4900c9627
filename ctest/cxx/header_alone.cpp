// Compiled alone (as the test) with -Wall -Wextra -pedantic -Werror: the C++
// header must stand on its own. It instantiates the templates too, so their
// bodies are checked, not just parsed.
#include "wasmbound.hh"

#include <tuple>

namespace {
int32_t host_add(int32_t a, int32_t b) { return a + b; }
}  // namespace

int main() {
  using namespace wasmbound;
  Result<Engine> engine = Engine::create(EngineConfig().consume_fuel(true));
  if (!engine) return 1;
  Result<Module> module = engine->compile("(module)");
  Result<Store> store = Store::create(*engine);
  if (!module || !store) return 1;
  Instance instance = store->instantiate(*module).value_or(Instance());
  TypedFunc<int32_t(int32_t, int64_t)> f = instance.func<int32_t(int32_t, int64_t)>("f");
  TypedFunc<void()> g = instance.func<void()>("g");
  TypedFunc<std::tuple<float, double, V128, Func>(uint32_t, uint64_t)> h = instance.func<
      std::tuple<float, double, V128, Func>(uint32_t, uint64_t)>("h");
  Result<int32_t> r = f(1, 2);
  Result<void> rv = g();
  auto rt = h(1u, 2u);
  Result<Linker> linker = Linker::create(*engine);
  if (linker) {
    Result<void> d1 = linker->define("m", "a", [](int32_t a, int32_t b) { return a + b; });
    Result<void> d2 = linker->define("m", "b", [](Caller c, double) -> Result<std::tuple<int64_t, float>> {
      Result<Memory> mem = c.memory("memory");
      if (!mem) return mem.error();
      return std::make_tuple(int64_t{1}, 2.0f);
    });
    Result<void> d3 = linker->define("m", "c", &host_add);
    Result<void> d4 = linker->define("m", "d", []() -> Result<void> { return fail(WB_ERR_TRAP, "no"); });
    (void)d1.ok();
    (void)d2.ok();
    (void)d3.ok();
    (void)d4.ok();
  }
  Result<Global> glob = instance.global("x");
  if (glob) {
    Result<void> s = glob->set(5);
    Result<double> gv = glob->get<double>();
    (void)s.ok();
    (void)gv.ok();
  }
  Result<wb_stats_t> st = stats();
  return (r.ok() || rv.ok() || rt.ok() || !st.ok() || !module->check_func<void()>("g").ok()) ? 0 : 0;
}
