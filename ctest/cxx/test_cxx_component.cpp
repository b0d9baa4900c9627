// The C++ component layer against the library: every WIT value type mapped
// to C++ types through CvalTraits (scalars, strings, vectors, optionals,
// tuples, pairs, variants, WitResult, Flags, enums, structs through
// Record<T>, resources), host functions from lambdas (typed parameters,
// wb_store_t first, Result returns, exceptions), typed calls, templates and
// a pool. Uses ctest/components/values.wat and calc.wat.
//
//   test_cxx_component COMPONENTS_DIR
#include <wasmbound.hh>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace wb = wasmbound;

static int checks;
#define CHECK(cond)                                                                  \
  do {                                                                               \
    ++checks;                                                                        \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__,   \
                   __LINE__, #cond, wb_last_error());                                \
      std::exit(1);                                                                  \
    }                                                                                \
  } while (0)

template <class T>
static T ok(wb::Result<T> r, int line) {
  ++checks;
  if (!r) {
    std::fprintf(stderr, "line %d: %s: %s\n", line, wb::status_name(r.status()), r.message().c_str());
    std::exit(1);
  }
  if constexpr (!std::is_void<T>::value) return std::move(r).value();
}
#define OK(...) ok((__VA_ARGS__), __LINE__)

enum class Color : uint32_t { red, green, blue };

struct Rec {
  uint32_t a = 0;
  std::string b;
  std::vector<uint8_t> c;
  std::optional<char32_t> d;
  bool operator==(const Rec &o) const { return a == o.a && b == o.b && c == o.c && d == o.d; }
};
template <>
struct wb::Record<Rec> {
  static constexpr auto fields = std::make_tuple(&Rec::a, &Rec::b, &Rec::c, &Rec::d);
};

using Var = std::variant<wb::Unit, uint32_t, std::string, Rec>;

struct Item {
  std::string name;
  std::optional<Var> v;
  wb::Flags tags;
  std::pair<Color, int64_t> pair;
  bool operator==(const Item &o) const {
    return name == o.name && v == o.v && tags.bits == o.tags.bits && pair == o.pair;
  }
};
template <>
struct wb::Record<Item> {
  static constexpr auto fields = std::make_tuple(&Item::name, &Item::v, &Item::tags, &Item::pair);
};

using Pad = std::tuple<uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                       uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t>;

struct Counter {
  uint32_t value;
  static std::atomic<int> alive;
  explicit Counter(uint32_t v) : value(v) { ++alive; }
  ~Counter() { --alive; }
};
std::atomic<int> Counter::alive{0};

static std::string components_dir;

static std::string text_of(const char *name) {
  std::ifstream f(components_dir + "/" + name);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

/* h-*: give back (x, pad) with the C++ types of the import */
template <class T>
static void pair_back(const wb::ComponentLinker &l, const char *name) {
  OK(l.define("", name, [](T x, Pad pad) { return std::make_tuple(std::move(x), pad); }));
}
template <class T>
static void same_back(const wb::ComponentLinker &l, const char *name) {
  OK(l.define("", name, [](T x) { return x; }));
}

static uint32_t counter_type;

static void define_all(const wb::ComponentLinker &l) {
  pair_back<std::vector<uint8_t>>(l, "h-bytes");
  pair_back<std::vector<std::string>>(l, "h-strings");
  pair_back<std::vector<std::vector<uint32_t>>>(l, "h-matrix");
  pair_back<Rec>(l, "h-rec");
  pair_back<std::tuple<uint8_t, std::string, double, bool>>(l, "h-tup");
  pair_back<Var>(l, "h-var");
  pair_back<Color>(l, "h-color");
  pair_back<std::optional<std::string>>(l, "h-optstr");
  pair_back<std::optional<std::optional<uint32_t>>>(l, "h-optopt");
  pair_back<wb::WitResult<std::string, uint32_t>>(l, "h-res");
  pair_back<wb::WitResult<>>(l, "h-resempty");
  pair_back<wb::WitResult<wb::Unit, std::string>>(l, "h-reserr");
  pair_back<wb::Flags>(l, "h-perms");
  pair_back<std::vector<Item>>(l, "h-items");
  same_back<bool>(l, "hs-bool");
  same_back<int8_t>(l, "hs-s8");
  same_back<uint8_t>(l, "hs-u8");
  same_back<int16_t>(l, "hs-s16");
  same_back<uint16_t>(l, "hs-u16");
  same_back<int32_t>(l, "hs-s32");
  same_back<uint32_t>(l, "hs-u32");
  same_back<int64_t>(l, "hs-s64");
  same_back<uint64_t>(l, "hs-u64");
  same_back<float>(l, "hs-f32");
  same_back<double>(l, "hs-f64");
  same_back<char32_t>(l, "hs-char");
  same_back<std::string>(l, "hs-string");
  counter_type = OK(l.define_resource<Counter>("", "counter"));
  OK(l.define("", "make-counter", [](wb_store_t s, uint32_t start) {
    return wb::new_resource(s, counter_type, new Counter(start));
  }));
  OK(l.define("", "counter-get", [](wb::Borrow c) -> wb::Result<uint32_t> {
    wb::Result<Counter *> p = wb::resource_data<Counter>(c.handle);
    if (!p) return p.error();
    return (*p)->value;
  }));
  OK(l.define("", "counter-add", [](wb::Borrow c, uint32_t n) -> wb::Result<void> {
    wb::Result<Counter *> p = wb::resource_data<Counter>(c.handle);
    if (!p) return p.error();
    (*p)->value += n;
    return {};
  }));
  auto host_fail = [](uint32_t x) -> uint32_t {
#if WASMBOUND_EXCEPTIONS
    if (x) throw std::runtime_error("thrown from a host lambda");
#endif
    return x;
  };
  OK(l.define("", "host-fail", host_fail));
}

template <class T>
static void roundtrip(const wb::ComponentInstance &inst, const char *type, const T &x) {
  Pad pad{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  for (const char *way : {"echo-", "via-"}) {
    std::string name = std::string(way) + type;
    auto f = OK(inst.typed<std::tuple<T, Pad>(T, Pad)>(name.c_str()));
    std::tuple<T, Pad> back = OK(f(x, pad));
    if (!(std::get<0>(back) == x) || std::get<1>(back) != pad) {
      std::fprintf(stderr, "%s: the value came back different\n", name.c_str());
      std::exit(1);
    }
  }
}

template <class T>
static void flat(const wb::ComponentInstance &inst, const char *type, const T &x) {
  for (const char *way : {"echo-", "via-"}) {
    std::string name = std::string(way) + type;
    auto f = OK(inst.typed<T(T)>(name.c_str()));
    T back = OK(f(x));
    CHECK(back == x);
  }
}

static void values(const wb::ComponentInstance &inst) {
  flat(inst, "bool", true);
  flat(inst, "s8", int8_t{-128});
  flat(inst, "u8", uint8_t{255});
  flat(inst, "s16", int16_t{-300});
  flat(inst, "u16", uint16_t{65535});
  flat(inst, "s32", int32_t{-7});
  flat(inst, "u32", uint32_t{4000000000u});
  flat(inst, "s64", -(int64_t{1} << 62));
  flat(inst, "u64", ~uint64_t{0});
  flat(inst, "f32", 1.25f);
  flat(inst, "f64", -2.5e300);
  flat(inst, "char", char32_t{0x1F600});
  flat(inst, "string", std::string("h\xc3\xa9llo"));
  auto sv = OK(inst.typed<std::string(std::string_view)>("echo-string"));
  CHECK(OK(sv(std::string_view("a view"))) == "a view");
  auto cs = OK(inst.typed<std::string(const char *)>("echo-string"));
  CHECK(OK(cs("a C string")) == "a C string");

  roundtrip(inst, "bytes", std::vector<uint8_t>{1, 2, 3, 250});
  roundtrip(inst, "strings", std::vector<std::string>{"x", "", "\xce\xbb"});
  roundtrip(inst, "matrix", std::vector<std::vector<uint32_t>>{{1, 2}, {}, {3}});
  Rec rec{7, "bee", {9, 8}, char32_t{0x3BB}};
  roundtrip(inst, "rec", rec);
  roundtrip(inst, "rec", Rec{});
  roundtrip(inst, "tup", std::make_tuple(uint8_t{200}, std::string("t"), 2.5, true));
  roundtrip(inst, "var", Var{});
  roundtrip(inst, "var", Var{uint32_t{42}});
  roundtrip(inst, "var", Var{std::string("txt")});
  roundtrip(inst, "var", Var{rec});
  roundtrip(inst, "color", Color::blue);
  roundtrip(inst, "optstr", std::optional<std::string>());
  roundtrip(inst, "optstr", std::optional<std::string>("some"));
  roundtrip(inst, "optopt", std::optional<std::optional<uint32_t>>(std::optional<uint32_t>()));
  roundtrip(inst, "optopt", std::optional<std::optional<uint32_t>>(5u));
  using Res = wb::WitResult<std::string, uint32_t>;
  auto res_eq = [](const Res &a, const Res &b) { return a.is_err == b.is_err && (a.is_err ? a.err == b.err : a.ok == b.ok); };
  auto echo_res = OK(inst.typed<std::tuple<Res, Pad>(Res, Pad)>("via-res"));
  Pad pad{};
  CHECK(res_eq(std::get<0>(OK(echo_res(Res::success("fine"), pad))), Res::success("fine")));
  CHECK(res_eq(std::get<0>(OK(echo_res(Res::failure(404), pad))), Res::failure(404)));
  auto empty = OK(inst.typed<std::tuple<wb::WitResult<>, Pad>(wb::WitResult<>, Pad)>("echo-resempty"));
  CHECK(std::get<0>(OK(empty(wb::WitResult<>::failure(), pad))).is_err);
  auto reserr = OK(inst.typed<std::tuple<wb::WitResult<wb::Unit, std::string>, Pad>(wb::WitResult<wb::Unit, std::string>, Pad)>("via-reserr"));
  CHECK(std::get<0>(OK(reserr(wb::WitResult<wb::Unit, std::string>::failure("bad"), pad))).err == "bad");
  auto perms = OK(inst.typed<std::tuple<wb::Flags, Pad>(wb::Flags, Pad)>("via-perms"));
  CHECK(std::get<0>(OK(perms(wb::Flags{0x205}, pad))).bits == 0x205);
  std::vector<Item> items{{"first", Var{rec}, wb::Flags{3}, {Color::red, -9}},
                          {"second", std::nullopt, wb::Flags{0x3FF}, {Color::green, int64_t{1} << 40}}};
  roundtrip(inst, "items", items);

  /* a result of another type: refused by the C++ side, the call itself ran */
  auto wrong = OK(inst.typed<std::string(uint32_t)>("echo-u32"));
  wb::Result<std::string> r = wrong(1u);
  CHECK(!r && r.status() == WB_ERR_TYPE_MISMATCH);
  /* an argument of another type: refused by the library before the guest runs */
  auto wrong_arg = OK(inst.typed<uint32_t(std::string)>("echo-u32"));
  wb::Result<uint32_t> ra = wrong_arg(std::string("x"));
  CHECK(!ra && ra.status() == WB_ERR_TYPE_MISMATCH);
  OK(inst.usable());
  /* untyped: C values in, a ComponentResult out */
  wb::ComponentFunc add = OK(inst.func("echo-u32"));
  wb::ComponentResult cr = OK(add.call({wb_cval_u32(9)}));
  CHECK(cr.value() && cr.value()->of.u32 == 9);
  CHECK(OK(cr.as<uint32_t>()) == 9);
  CHECK(OK(add.type()) == "func(x: u32) -> u32");
}

static void resources(const wb::Store &store, const wb::ComponentInstance &inst) {
  int alive = Counter::alive;
  wb::Own c = OK(wb::new_resource(store.handle(), counter_type, new Counter(10)));
  auto sum = OK(inst.typed<uint32_t(wb::Borrow, uint32_t)>("counter-sum"));
  CHECK(OK(sum(wb::Borrow{c.handle}, 5u)) == 15);
  auto take = OK(inst.typed<uint32_t(wb::Own)>("counter-take"));
  CHECK(OK(take(c)) == 15);
  CHECK(Counter::alive == alive); /* the guest dropped it: deleted */
  auto make = OK(inst.typed<wb::Own(uint32_t)>("counter-make"));
  wb::Own made = OK(make(7u));
  CHECK(OK(wb::resource_data<Counter>(made.handle))->value == 7);
  CHECK(Counter::alive == alive + 1);
  CHECK(wb_resource_drop(made.handle) == WB_OK);
  CHECK(Counter::alive == alive);
  auto blob = OK(inst.typed<wb::Own(uint32_t)>("[constructor]blob"));
  auto get = OK(inst.typed<uint32_t(wb::Borrow)>("[method]blob.get"));
  wb::Own b = OK(blob(42u));
  CHECK(OK(get(wb::Borrow{b.handle})) == 42);
  CHECK(wb_resource_drop(b.handle) == WB_OK);
}

static void traps(const wb::ComponentLinker &l, const wb::Store &store, const wb::Component &comp) {
  wb::ComponentInstance inst = OK(l.instantiate(store, comp));
  auto fail = OK(inst.typed<uint32_t(uint32_t)>("via-fail"));
  wb::Result<uint32_t> r = fail(1u);
#if WASMBOUND_EXCEPTIONS
  CHECK(!r && r.status() == WB_ERR_TRAP && r.message().find("thrown from a host lambda") != std::string::npos);
  CHECK(inst.usable().status() == WB_ERR_UNUSABLE);
#else
  CHECK(OK(std::move(r)) == 1);
#endif
  inst = OK(l.instantiate(store, comp));
  auto trap = OK(inst.typed<void()>("trap"));
  wb::Result<void> t = trap();
  CHECK(t.status() == WB_ERR_TRAP && wb_last_trap_code() == WB_TRAP_UNREACHABLE);
  CHECK(trap().status() == WB_ERR_UNUSABLE);
}

static void templates_and_pools(const wb::Engine &engine) {
  wb::Component calc = OK(wb::Component::create(engine, text_of("calc.wat")));
  std::vector<wb::ComponentItem> exports = OK(calc.exports());
  CHECK(exports.size() == 4 && exports[0].path == "add" && exports[0].type == "func(a: u32, b: u32) -> u32");
  std::vector<wb::ComponentItem> imports = OK(calc.imports());
  CHECK(imports.size() == 2 && imports[1].path == "ns:calc/host@1.0.0#twice");
  wb::ComponentLinker l = OK(wb::ComponentLinker::create(engine));
  OK(l.define("ns:calc/host@1.0.0", "twice", [](uint32_t x) { return 2 * x; }));
  wb::ComponentTemplate t = OK(wb::ComponentTemplate::create(l, calc));
  uint32_t add_index = OK(t.func_index("add"));
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 4; i++)
    threads.emplace_back([&, i] {
      wb::Store s = wb::Store::create(engine).value();
      wb::ComponentInstance inst = t.instantiate(s).value();
      auto quad = inst.typed<uint32_t(uint32_t)>("quad").value();
      auto echo = inst.typed<std::string(std::string)>("echo").value();
      wb::ComponentTypedFunc<uint32_t(uint32_t, uint32_t)> add(inst.func(add_index).value());
      for (uint32_t k = 0; k < 100; k++)
        if (quad(k).value() == 4 * k && add(k, uint32_t(i)).value() == k + uint32_t(i) &&
            echo(std::to_string(k)).value() == std::to_string(k))
          ++good;
    });
  for (std::thread &th : threads) th.join();
  CHECK(good == 400);
  wb::ComponentPool pool = OK(wb::ComponentPool::create(t));
  uint32_t echo_index = OK(pool.func_index("echo"));
  CHECK(OK(pool.call<uint32_t>(add_index, 20u, 22u)) == 42);
  CHECK(OK(pool.call<std::string>(echo_index, std::string("pooled"))) == "pooled");
  CHECK(pool.call<uint32_t>(add_index, 1u).status() == WB_ERR_TYPE_MISMATCH);
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  components_dir = argv[1];
  wb::Engine engine = OK(wb::Engine::create());
  wb::Component comp = OK(wb::Component::create(engine, text_of("values.wat")));
  {
    wb::ComponentLinker linker = OK(wb::ComponentLinker::create(engine));
    define_all(linker);
    wb::Store store = OK(wb::Store::create(engine));
    wb::ComponentInstance inst = OK(linker.instantiate(store, comp));
    values(inst);
    resources(store, inst);
    traps(linker, store, comp);
  }
  templates_and_pools(engine);
  CHECK(Counter::alive == 0);
  wb_stats_t s = WB_STATS_INIT;
  comp.reset();
  engine.reset();
  CHECK(wb_stats_get(&s) == WB_OK && s.live_handles == 0);
  std::printf("cxx_component (%s, C++%ld): %d checks passed\n", WASMBOUND_EXCEPTIONS ? "exceptions" : "no exceptions",
              __cplusplus / 100 % 100, checks);
  return 0;
}
