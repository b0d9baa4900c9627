/* Running a WAST script against a backend: see script.h. */
#include "script.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace spec {

using wast::Command;
using wast::ModuleSrc;
using wast::NanKind;
using wast::RefForm;
using wast::Value;

static bool starts_with(const std::string &s, const char *p) { return s.compare(0, strlen(p), p) == 0; }

Features features_for(const std::string &rel) {
  Features f;
  if (starts_with(rel, "proposals/threads/")) {
    /* Wasm 1.0 plus threads: its tests predate reference types, multiple
     * memories (they assert that two memories are invalid) and memory64 */
    f.threads = true;
    f.reference_types = false;
    f.multi_memory = false;
    f.memory64 = false;
    f.tail_call = false;
    f.shared_memory = true;
  } else if (starts_with(rel, "proposals/wide-arithmetic/")) {
    f.wide_arithmetic = true;
  } else if (starts_with(rel, "proposals/custom-page-sizes/")) {
    f.custom_page_sizes = true;
  } else {
    /* Wasm 3.0 (the top level, legacy/, custom/), and custom-descriptors,
     * which extends it: everything 3.0 has */
    f.gc = true;
    f.function_references = true;
    f.exceptions = true;
  }
  return f;
}

const char *kind_name(int k) {
  static const char *const names[] = {"i32", "i64", "f32", "f64", "v128", "funcref", "externref", "anyref", "exnref"};
  return k >= 0 && k <= EXNREF ? names[k] : "a value of unknown kind";
}

static std::string hex_bytes(const uint8_t *b, size_t n) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < n; i++) {
    snprintf(buf, sizeof buf, "%02x", b[n - 1 - i]);
    s += buf;
  }
  return s;
}

std::string show(const Got &g) {
  char buf[128];
  switch (g.kind) {
  case I32: snprintf(buf, sizeof buf, "i32 0x%08" PRIx32 " (%" PRId32 ")", (uint32_t)g.bits, (int32_t)g.bits); break;
  case I64: snprintf(buf, sizeof buf, "i64 0x%016" PRIx64 " (%" PRId64 ")", g.bits, (int64_t)g.bits); break;
  case F32: {
    float f;
    uint32_t b = (uint32_t)g.bits;
    memcpy(&f, &b, 4);
    snprintf(buf, sizeof buf, "f32 0x%08" PRIx32 " (%.9g)", b, (double)f);
    break;
  }
  case F64: {
    double d;
    memcpy(&d, &g.bits, 8);
    snprintf(buf, sizeof buf, "f64 0x%016" PRIx64 " (%.17g)", g.bits, d);
    break;
  }
  case V128: return "v128 0x" + hex_bytes(g.v128, 16);
  case FUNCREF:
  case EXTERNREF:
  case ANYREF:
  case EXNREF: {
    if (g.null) return std::string("null ") + kind_name(g.kind);
    static const char *const refs[] = {"", " (extern)", " (i31)", " (struct)", " (array)", " (host)", " (exn)", ""};
    std::string s = std::string("a non-null ") + kind_name(g.kind) + refs[(int)g.ref];
    if (g.has_data) s += " carrying " + std::to_string(g.data);
    if (!g.note.empty()) s += " [" + g.note + "]";
    return s;
  }
  default: snprintf(buf, sizeof buf, "a value of unknown kind %d", g.kind);
  }
  return buf;
}

static bool f32_nan_ok(uint32_t bits, NanKind k) {
  if (k == NanKind::Canonical) return (bits & 0x7fffffffu) == 0x7fc00000u;
  return (bits & 0x7fc00000u) == 0x7fc00000u;
}

static bool f64_nan_ok(uint64_t bits, NanKind k) {
  if (k == NanKind::Canonical) return (bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
  return (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

/* The value kind (hierarchy) of a heap type as written; -1 when it is not
 * an abstract one. */
static int heap_kind(const std::string &heap) {
  static const struct { const char *name; int kind; } heaps[] = {
      {"func", FUNCREF}, {"nofunc", FUNCREF}, {"extern", EXTERNREF}, {"noextern", EXTERNREF},
      {"any", ANYREF},   {"eq", ANYREF},      {"i31", ANYREF},       {"struct", ANYREF},
      {"array", ANYREF}, {"none", ANYREF},    {"exn", EXNREF},       {"noexn", EXNREF}};
  for (auto &h : heaps)
    if (heap == h.name) return h.kind;
  return -1;
}

static bool is_ref(int k) { return k == FUNCREF || k == EXTERNREF || k == ANYREF || k == EXNREF; }

std::string match(const Value &exp, const Got &got) {
  auto want = [&](int kind) -> std::string {
    if (got.kind == kind) return "";
    return std::string("expected ") + kind_name(kind) + ", got " + show(got);
  };
  std::string e;
  switch (exp.kind) {
  case Value::I32:
    if (!(e = want(I32)).empty()) return e;
    return (uint32_t)got.bits == (uint32_t)exp.bits ? "" : "got " + show(got);
  case Value::I64:
    if (!(e = want(I64)).empty()) return e;
    return got.bits == exp.bits ? "" : "got " + show(got);
  case Value::F32: {
    if (!(e = want(F32)).empty()) return e;
    uint32_t b = (uint32_t)got.bits;
    bool ok = exp.nan == NanKind::None ? b == (uint32_t)exp.bits : f32_nan_ok(b, exp.nan);
    return ok ? "" : "got " + show(got);
  }
  case Value::F64: {
    if (!(e = want(F64)).empty()) return e;
    bool ok = exp.nan == NanKind::None ? got.bits == exp.bits : f64_nan_ok(got.bits, exp.nan);
    return ok ? "" : "got " + show(got);
  }
  case Value::V128: {
    if (!(e = want(V128)).empty()) return e;
    bool ok = true;
    if (exp.shape == wast::Shape::F32x4) {
      for (int i = 0; i < 4; i++) {
        uint32_t g, x;
        memcpy(&g, got.v128 + 4 * i, 4);
        memcpy(&x, exp.v128 + 4 * i, 4);
        ok = ok && (exp.lane_nan[i] == NanKind::None ? g == x : f32_nan_ok(g, exp.lane_nan[i]));
      }
    } else if (exp.shape == wast::Shape::F64x2) {
      for (int i = 0; i < 2; i++) {
        uint64_t g, x;
        memcpy(&g, got.v128 + 8 * i, 8);
        memcpy(&x, exp.v128 + 8 * i, 8);
        ok = ok && (exp.lane_nan[i] == NanKind::None ? g == x : f64_nan_ok(g, exp.lane_nan[i]));
      }
    } else {
      ok = memcmp(got.v128, exp.v128, 16) == 0;
    }
    return ok ? "" : "got " + show(got);
  }
  case Value::Either: {
    std::string why;
    for (const Value &alt : exp.alts) {
      std::string m = match(alt, got);
      if (m.empty()) return "";
      why = m;
    }
    return "no alternative matches: " + why;
  }
  case Value::Ref: break;
  }
  std::string wrong = "expected " + exp.text + ", got " + show(got);
  if (!is_ref(got.kind)) return wrong;
  if (exp.ref == RefForm::Null) {
    int k = heap_kind(exp.heap);
    return got.null && (k < 0 || k == got.kind) ? "" : wrong;
  }
  if (got.null) return wrong;
  auto ref_in = [&](std::initializer_list<RefKind> kinds) {
    if (got.kind != ANYREF) return wrong;
    for (RefKind k : kinds)
      if (got.ref == k) return std::string();
    return wrong;
  };
  switch (exp.ref) {
  case RefForm::Func: return got.kind == FUNCREF ? "" : wrong;
  case RefForm::Exn: return got.kind == EXNREF ? "" : wrong;
  case RefForm::Any: return got.kind == ANYREF ? "" : wrong;
  case RefForm::Struct: return ref_in({RefKind::Struct});
  case RefForm::Array: return ref_in({RefKind::Array});
  case RefForm::Eq: return ref_in({RefKind::I31, RefKind::Struct, RefKind::Array});
  case RefForm::I31:
    if (exp.has_num) return "the runner does not compare (ref.i31 N) values";
    return ref_in({RefKind::I31});
  case RefForm::Extern:
    if (got.kind != EXTERNREF) return wrong;
    return !exp.has_num || (got.has_data && got.data == exp.num) ? "" : wrong;
  case RefForm::Host:
    return got.kind == ANYREF && got.ref == RefKind::Host && got.has_data && got.data == exp.num ? "" : wrong;
  case RefForm::Null: break;
  }
  return "unhandled expected form " + exp.text;
}

std::vector<std::string> trap_codes_for(const std::string &msg) {
  static const struct { const char *prefix; const char *codes[2]; } table[] = {
      {"unreachable", {"UNREACHABLE", nullptr}},
      {"integer divide by zero", {"INTEGER_DIVISION_BY_ZERO", nullptr}},
      {"integer overflow", {"INTEGER_OVERFLOW", nullptr}},
      {"invalid conversion to integer", {"BAD_CONVERSION_TO_INTEGER", nullptr}},
      {"out of bounds memory access", {"MEMORY_OUT_OF_BOUNDS", nullptr}},
      {"unaligned atomic", {"HEAP_MISALIGNED", nullptr}},
      {"out of bounds table access", {"TABLE_OUT_OF_BOUNDS", nullptr}},
      {"undefined element", {"TABLE_OUT_OF_BOUNDS", nullptr}},
      {"uninitialized element", {"INDIRECT_CALL_TO_NULL", nullptr}},
      {"indirect call type mismatch", {"BAD_SIGNATURE", nullptr}},
      {"call stack exhausted", {"STACK_OVERFLOW", nullptr}},
      {"cast failure", {"CAST_FAILURE", nullptr}},
      {"out of bounds array access", {"ARRAY_OUT_OF_BOUNDS", nullptr}},
      /* call_ref of null: Wasmtime reports a null reference */
      {"null function reference", {"NULL_REFERENCE", "INDIRECT_CALL_TO_NULL"}},
      {"null structure reference", {"NULL_REFERENCE", nullptr}},
      {"null array reference", {"NULL_REFERENCE", nullptr}},
      {"null i31 reference", {"NULL_REFERENCE", nullptr}},
      {"null exception reference", {"NULL_REFERENCE", nullptr}},
      {"null reference", {"NULL_REFERENCE", nullptr}},
      /* custom-descriptors */
      {"null descriptor reference", {"NULL_REFERENCE", nullptr}},
      {"descriptor cast failure", {"CAST_FAILURE", nullptr}},
  };
  std::vector<std::string> out;
  for (auto &t : table)
    if (msg.compare(0, strlen(t.prefix), t.prefix) == 0) {
      for (const char *c : t.codes)
        if (c) out.push_back(c);
      break;
    }
  return out;
}

std::vector<Skip> load_skips(const std::string &path, const std::string &rel) {
  std::vector<Skip> out;
  std::ifstream f(path);
  if (!f) {
    fprintf(stderr, "cannot read the skips file %s\n", path.c_str());
    exit(2);
  }
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    n++;
    size_t h = line.find('#');
    std::istringstream ss(h == std::string::npos ? line : line.substr(0, h));
    Skip s;
    s.file_line = n;
    std::string lines;
    if (!(ss >> s.pattern)) continue;
    if (!(ss >> lines >> s.category)) {
      fprintf(stderr, "%s:%d: expected `file lines category reason`\n", path.c_str(), n);
      exit(2);
    }
    std::getline(ss, s.reason);
    size_t b = s.reason.find_first_not_of(" \t");
    s.reason = b == std::string::npos ? "" : s.reason.substr(b);
    if (s.reason.empty()) {
      fprintf(stderr, "%s:%d: a skip needs its reason\n", path.c_str(), n);
      exit(2);
    }
    if (!rel.empty() && fnmatch(s.pattern.c_str(), rel.c_str(), 0) != 0) continue;
    if (lines != "*") {
      if (sscanf(lines.c_str(), "%d-%d", &s.lo, &s.hi) == 1) s.hi = s.lo;
      if (s.lo <= 0 || s.hi < s.lo) {
        fprintf(stderr, "%s:%d: bad line range %s\n", path.c_str(), n, lines.c_str());
        exit(2);
      }
    }
    out.push_back(s);
  }
  return out;
}

const Skip *find_skip(const std::vector<Skip> &skips, int line) {
  for (const Skip &s : skips)
    if (s.lo == 0 || (line >= s.lo && line <= s.hi)) return &s;
  return nullptr;
}

static Outcome pass() { return Outcome(); }

static Outcome fail(std::string d) {
  Outcome o;
  o.ok = false;
  o.detail = std::move(d);
  return o;
}

bool ScriptRunner::instance_for(const std::string &id, size_t *out, std::string *why) {
  if (id.empty()) {
    if (!have_current_) {
      *why = "no module instantiated yet";
      return false;
    }
    *out = current_;
    return true;
  }
  auto it = named_.find(id);
  if (it == named_.end()) {
    *why = "no instance named " + id;
    return false;
  }
  *out = it->second;
  return true;
}

Outcome ScriptRunner::module(const Command &c) {
  size_t m, inst;
  CallResult cr = b_.compile(c.module, &m);
  if (!cr.ok()) return fail("compiling: " + cr.msg);
  if (!c.module.id.empty()) defs_[c.module.id] = m;
  if (c.module.definition) return pass();
  cr = b_.instantiate(m, &inst);
  if (!cr.ok()) return fail("instantiating: " + cr.msg);
  current_ = inst;
  have_current_ = true;
  if (!c.module.id.empty()) named_[c.module.id] = inst;
  return pass();
}

Outcome ScriptRunner::expect_trap(const CallResult &cr, const std::string &msg, const char *what) {
  if (cr.ok()) return fail(std::string(what) + " succeeded, expected a trap \"" + msg + "\"");
  if (cr.st != Status::Trap) return fail("expected a trap \"" + msg + "\", got " + cr.msg);
  std::vector<std::string> codes = trap_codes_for(msg);
  if (codes.empty()) return fail("the runner does not know the trap message \"" + msg + "\" (script.cpp)");
  for (const std::string &c : codes)
    if (c == cr.trap) return pass();
  return fail("expected a trap \"" + msg + "\", got trap code " + cr.trap + ": " + cr.msg);
}

Outcome ScriptRunner::run(const Command &c) {
  std::string why;
  size_t m, inst;
  CallResult cr;
  switch (c.kind) {
  case Command::Module: return module(c);
  case Command::ModuleInstance: {
    auto it = defs_.find(c.id);
    if (it == defs_.end()) return fail("no module definition " + c.id);
    cr = b_.instantiate(it->second, &inst);
    if (!cr.ok()) return fail("instantiating: " + cr.msg);
    current_ = inst;
    have_current_ = true;
    if (!c.name.empty()) named_[c.name] = inst;
    return pass();
  }
  case Command::Register:
    if (!instance_for(c.id, &inst, &why)) return fail("register: " + why);
    cr = b_.register_instance(c.name, inst);
    return cr.ok() ? pass() : fail("register: " + cr.msg);
  case Command::Perform:
  case Command::AssertReturn:
  case Command::AssertExhaustion:
  case Command::AssertException:
  case Command::AssertTrap: {
    if (c.has_module) { /* assert_trap (module ...): instantiation traps */
      cr = b_.compile(c.module, &m);
      if (!cr.ok()) return fail("compiling: " + cr.msg);
      return expect_trap(b_.instantiate(m, &inst), c.message, "instantiation");
    }
    if (!instance_for(c.action.module, &inst, &why)) return fail(why);
    std::vector<Got> results;
    why = b_.perform(inst, c.action, &cr, &results);
    if (!why.empty()) return fail(why);
    switch (c.kind) {
    case Command::Perform:
      return cr.ok() ? pass() : fail("\"" + c.action.name + "\" failed: " + cr.msg);
    case Command::AssertReturn:
      if (!cr.ok()) return fail("\"" + c.action.name + "\" failed: " + cr.msg);
      if (results.size() != c.results.size())
        return fail(std::to_string(results.size()) + " results, expected " + std::to_string(c.results.size()));
      for (size_t i = 0; i < results.size(); i++) {
        std::string d = match(c.results[i], results[i]);
        if (!d.empty()) return fail("result " + std::to_string(i) + ": " + d);
      }
      return pass();
    case Command::AssertTrap: return expect_trap(cr, c.message, "the call");
    case Command::AssertExhaustion:
      return cr.st == Status::Trap && cr.trap == "STACK_OVERFLOW" ? pass()
                                                                  : fail("expected stack exhaustion, got " + cr.msg);
    default:
      return cr.st == Status::Exception ? pass() : fail("expected an exception, got " + cr.msg);
    }
  }
  case Command::AssertMalformed:
  case Command::AssertInvalid:
  case Command::AssertMalformedCustom:
  case Command::AssertInvalidCustom:
    cr = b_.compile(c.module, &m);
    if (cr.ok()) return fail("the module compiled; expected it to be refused: \"" + c.message + "\"");
    /* wasmbound documents an empty buffer as refused before compiling:
     * refused too, which is all `(module binary "")` asserts */
    if (cr.st == Status::Refused && c.module.form == ModuleSrc::Binary && c.module.bytes.empty()) return pass();
    return cr.st == Status::Compile ? pass() : fail("expected a compile error, got " + cr.msg);
  case Command::AssertUnlinkable:
  case Command::AssertUninstantiable:
    cr = b_.compile(c.module, &m);
    if (!cr.ok()) return fail("compiling: " + cr.msg);
    cr = b_.instantiate(m, &inst);
    if (c.kind == Command::AssertUninstantiable) return expect_trap(cr, c.message, "instantiation");
    if (cr.ok()) return fail("the module linked; expected \"" + c.message + "\"");
    return cr.st == Status::Link ? pass() : fail("expected a link error (\"" + c.message + "\"), got " + cr.msg);
  }
  return fail("unknown command");
}

std::string one_line(std::string s) {
  for (char &c : s)
    if (c == '\n' || c == '\r') c = ' ';
  if (s.size() > 600) s = s.substr(0, 600) + "...";
  return s;
}

bool read_file(const std::string &path, std::string *out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

static void find_below(const std::string &dir, const std::string &rel, std::vector<std::string> *out) {
  DIR *d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (struct dirent *e = readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string &n : names) {
    std::string p = dir + "/" + n, r = rel.empty() ? n : rel + "/" + n;
    struct stat st;
    if (stat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) find_below(p, r, out);
    else if (n.size() > 5 && n.compare(n.size() - 5, 5, ".wast") == 0) out->push_back(r);
  }
}

std::vector<std::string> find_scripts(const std::string &suite) {
  std::vector<std::string> out;
  find_below(suite, "", &out);
  return out;
}

} // namespace spec
