/* spec_runner: runs ONE .wast script of the WebAssembly spec testsuite
 * through wasmbound's public C API (include/wasmbound.h) and nothing else.
 *
 *   spec_runner [-v] [-t] [--skips FILE] [--root DIR] SCRIPT.wast
 *
 * Every command is one assertion: a module must compile and instantiate, a
 * register or action must succeed, and each assert_* must hold. Modules in
 * text form go to Wasmtime's WAT parser through wb_module_new as the exact
 * text of the script. One engine (configured for the script's directory),
 * one store and one linker serve the whole script, as in the reference
 * interpreter; the `spectest` module is made of host-made externs.
 *
 * Output: a `FAIL path:line: ...` line per failed assertion (and with -v a
 * `SKIP` line per skipped one; with -t an `@ LINE` line before each command,
 * so that a crash can be placed), then `spec-file PATH P F S N` as the last
 * line, which spec_driver reads. Exit status 0 when F is 0, else 1.
 *
 * A skip is an assertion listed in the skips file (see ctest/spec/skips.txt)
 * that fails; a listed assertion that passes is a failure, so the list cannot
 * go stale. */
#include <fnmatch.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "wasmbound.h"
#include "wast.h"

/* TEMPORARY, until branch core16 implements them: the functions of the
 * references/tables/host-made-externs API are weak, so that the runner
 * links against a library that only declares them; an assertion that needs a
 * missing one fails saying so. */
#pragma weak wb_global_new
#pragma weak wb_table_new
#pragma weak wb_memory_new
#pragma weak wb_linker_define_extern
#pragma weak wb_instance_get_export
#pragma weak wb_func_type
#pragma weak wb_externref_new
#pragma weak wb_externref_data
#pragma weak wb_ref_kind
#pragma weak wb_ref_delete
#pragma weak wb_i31ref_get

using wast::Command;
using wast::ModuleSrc;
using wast::NanKind;
using wast::RefForm;
using wast::Value;

namespace {

/* ---- the skip list ------------------------------------------------------ */

struct Skip {
  std::string pattern; /* file, relative to the suite root (fnmatch) */
  int lo = 0, hi = 0;  /* command lines; 0..0 is "*" */
  std::string category;
  std::string reason;
};

std::vector<Skip> load_skips(const std::string &path, const std::string &rel) {
  std::vector<Skip> out;
  std::ifstream f(path);
  if (!f) {
    fprintf(stderr, "spec_runner: cannot read the skips file %s\n", path.c_str());
    exit(2);
  }
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    n++;
    size_t h = line.find('#');
    std::string body = h == std::string::npos ? line : line.substr(0, h);
    std::istringstream ss(body);
    Skip s;
    std::string lines;
    if (!(ss >> s.pattern)) continue;
    if (!(ss >> lines >> s.category)) {
      fprintf(stderr, "%s:%d: expected `file lines category reason`\n", path.c_str(), n);
      exit(2);
    }
    std::getline(ss, s.reason);
    if (fnmatch(s.pattern.c_str(), rel.c_str(), 0) != 0) continue;
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

/* ---- values ------------------------------------------------------------- */

std::string hex_bytes(const uint8_t *b, size_t n) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < n; i++) {
    snprintf(buf, sizeof buf, "%02x", b[n - 1 - i]);
    s += buf;
  }
  return s;
}

const char *valkind_name(int k) {
  static const char *const names[] = {"i32", "i64", "f32", "f64", "v128", "funcref", "externref", "anyref", "exnref"};
  return k >= 0 && k <= WB_EXNREF ? names[k] : "unknown kind";
}

/* The externref that stands for the script's `ref.extern N` carries N+1 as
 * its host pointer (never dereferenced), so that N = 0 is not NULL. */
void *extern_data(uint32_t n) { return (void *)((uintptr_t)n + 1); }

bool f32_nan_ok(uint32_t bits, NanKind k) {
  if (k == NanKind::Canonical) return (bits & 0x7fffffffu) == 0x7fc00000u;
  return (bits & 0x7fc00000u) == 0x7fc00000u;
}

bool f64_nan_ok(uint64_t bits, NanKind k) {
  if (k == NanKind::Canonical) return (bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
  return (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

/* The wb_val_t kind of a reference hierarchy, from a heap type as written. */
int heap_kind(const std::string &heap) {
  static const struct { const char *name; int kind; } heaps[] = {
      {"func", WB_FUNCREF},  {"nofunc", WB_FUNCREF}, {"extern", WB_EXTERNREF}, {"noextern", WB_EXTERNREF},
      {"any", WB_ANYREF},    {"eq", WB_ANYREF},      {"i31", WB_ANYREF},       {"struct", WB_ANYREF},
      {"array", WB_ANYREF},  {"none", WB_ANYREF},    {"exn", WB_EXNREF},       {"noexn", WB_EXNREF}};
  for (auto &h : heaps)
    if (heap == h.name) return h.kind;
  return -1;
}

bool is_ref_kind(int k) { return k == WB_FUNCREF || k == WB_EXTERNREF || k == WB_ANYREF || k == WB_EXNREF; }

/* ---- the runner --------------------------------------------------------- */

struct Outcome {
  bool ok = true;
  std::string detail;
  static Outcome pass() { return Outcome(); }
  static Outcome fail(std::string d) {
    Outcome o;
    o.ok = false;
    o.detail = std::move(d);
    return o;
  }
};

/* A call's status with its message and trap code, taken at once (later
 * calls may replace the thread's last error). */
struct CallResult {
  wb_status_t st = WB_OK;
  std::string msg;
  wb_trap_code_t trap = WB_TRAP_NONE;
  void take(wb_status_t s) {
    st = s;
    msg = s == WB_OK ? "" : wb_last_error();
    trap = s == WB_OK ? WB_TRAP_NONE : wb_last_trap_code();
  }
  std::string text() const {
    std::string s = wb_status_name(st);
    if (st != WB_OK) s += " (" + (msg.size() > 400 ? msg.substr(0, 400) + "..." : msg) + ")";
    return s;
  }
};

std::string status_text(wb_status_t st) {
  std::string s = wb_status_name(st);
  if (st != WB_OK) {
    std::string msg = wb_last_error();
    if (msg.size() > 400) msg = msg.substr(0, 400) + "...";
    s += " (" + msg + ")";
  }
  return s;
}

/* The trap codes a spec trap message stands for; empty: any trap. */
std::vector<wb_trap_code_t> trap_codes_for(const std::string &msg) {
  static const struct { const char *prefix; wb_trap_code_t codes[2]; } table[] = {
      {"unreachable", {WB_TRAP_UNREACHABLE, WB_TRAP_NONE}},
      {"integer divide by zero", {WB_TRAP_INTEGER_DIVISION_BY_ZERO, WB_TRAP_NONE}},
      {"integer overflow", {WB_TRAP_INTEGER_OVERFLOW, WB_TRAP_NONE}},
      {"invalid conversion to integer", {WB_TRAP_BAD_CONVERSION_TO_INTEGER, WB_TRAP_NONE}},
      {"out of bounds memory access", {WB_TRAP_MEMORY_OUT_OF_BOUNDS, WB_TRAP_NONE}},
      {"unaligned atomic", {WB_TRAP_HEAP_MISALIGNED, WB_TRAP_NONE}},
      {"out of bounds table access", {WB_TRAP_TABLE_OUT_OF_BOUNDS, WB_TRAP_NONE}},
      {"undefined element", {WB_TRAP_TABLE_OUT_OF_BOUNDS, WB_TRAP_NONE}},
      {"uninitialized element", {WB_TRAP_INDIRECT_CALL_TO_NULL, WB_TRAP_NONE}},
      {"indirect call type mismatch", {WB_TRAP_BAD_SIGNATURE, WB_TRAP_NONE}},
      {"call stack exhausted", {WB_TRAP_STACK_OVERFLOW, WB_TRAP_NONE}},
      {"cast failure", {WB_TRAP_CAST_FAILURE, WB_TRAP_NONE}},
      {"out of bounds array access", {WB_TRAP_ARRAY_OUT_OF_BOUNDS, WB_TRAP_NONE}},
      /* call_ref of null: Wasmtime reports a null reference */
      {"null function reference", {WB_TRAP_NULL_REFERENCE, WB_TRAP_INDIRECT_CALL_TO_NULL}},
      {"null structure reference", {WB_TRAP_NULL_REFERENCE, WB_TRAP_NONE}},
      {"null array reference", {WB_TRAP_NULL_REFERENCE, WB_TRAP_NONE}},
      {"null i31 reference", {WB_TRAP_NULL_REFERENCE, WB_TRAP_NONE}},
      {"null exception reference", {WB_TRAP_NULL_REFERENCE, WB_TRAP_NONE}},
      {"null reference", {WB_TRAP_NULL_REFERENCE, WB_TRAP_NONE}},
  };
  std::vector<wb_trap_code_t> out;
  for (auto &t : table)
    if (msg.compare(0, strlen(t.prefix), t.prefix) == 0) {
      for (wb_trap_code_t c : t.codes)
        if (c != WB_TRAP_NONE) out.push_back(c);
      break;
    }
  return out;
}

wb_status_t print_callback(void *, wb_caller_t, const wb_val_t *, size_t, wb_val_t *, size_t) { return WB_OK; }

class Runner {
 public:
  Runner(std::string rel, bool verbose) : rel_(std::move(rel)), verbose_(verbose) {}
  ~Runner();

  bool setup(std::string *why);
  Outcome run(const Command &c);

 private:
  std::string rel_;
  bool verbose_;
  wb_engine_config_t config_{};
  wb_engine_t engine_{0};
  wb_store_t store_{0};
  wb_linker_t linker_{0};
  wb_shared_memory_t shared_memory_{0};
  std::vector<wb_module_t> modules_;        /* every module compiled, deleted at the end */
  std::map<std::string, wb_module_t> defs_; /* $id -> module (definitions and instantiated ones) */
  std::map<std::string, wb_instance_t> named_;
  wb_instance_t current_{0};
  bool have_current_ = false;
  wb_instance_t helper_{0}; /* any.convert_extern / extern.convert_any, for ref.host */
  bool have_helper_ = false;

  void configure();
  bool define_spectest(std::string *why);
  bool define_shared_memory(std::string *why);
  Outcome compile(const ModuleSrc &m, wb_module_t *out, wb_status_t *st);
  Outcome instantiate(wb_module_t m, wb_instance_t *out, wb_status_t *st);
  Outcome do_module(const Command &c);
  Outcome do_action(const wast::Action &a, CallResult *cr, std::vector<wb_val_t> *results);
  Outcome make_arg(const Value &v, int want_kind, wb_val_t *out, std::vector<wb_ref_t> *owned);
  std::string match(const Value &exp, const wb_val_t &got);
  std::string show(const wb_val_t &v);
  Outcome helper(wb_instance_t *out);
  void drop_results(std::vector<wb_val_t> &results);
  Outcome expect_trap(const CallResult &cr, const std::string &msg, const char *what);
  Outcome get_export(wb_instance_t inst, const std::string &name, wb_extern_t *out);
};

Runner::~Runner() {
  if (store_.id) wb_store_delete(store_);
  if (linker_.id) wb_linker_delete(linker_);
  for (wb_module_t m : modules_) wb_module_delete(m);
  if (shared_memory_.id) wb_shared_memory_delete(shared_memory_);
  if (engine_.id) wb_engine_delete(engine_);
}

bool starts_with(const std::string &s, const char *p) { return s.compare(0, strlen(p), p) == 0; }

/* What each directory needs, as Wasmtime's own spec-test configuration
 * (crates/test-util/src/wast.rs) sets it. */
void Runner::configure() {
  wb_engine_config_init(&config_, WB_ENGINE_CONFIG_VERSION);
  if (starts_with(rel_, "proposals/threads/")) {
    /* Wasm 1.0 plus threads: its tests predate reference types and
     * multiple memories (they assert that two memories are invalid) */
    config_.wasm_threads = true;
    config_.wasm_reference_types = false;
    config_.wasm_multi_memory = false;
    config_.wasm_memory64 = false;
    config_.wasm_tail_call = false;
    config_.guest_shared_memory = true;
  } else if (starts_with(rel_, "proposals/wide-arithmetic/")) {
    config_.wasm_wide_arithmetic = true;
  } else if (starts_with(rel_, "proposals/custom-page-sizes/")) {
    config_.wasm_custom_page_sizes = true;
    config_.wasm_multi_memory = true;
    config_.wasm_memory64 = true;
  } else {
    /* Wasm 3.0 (top level, legacy/, custom/) and custom-descriptors, which
     * extends it: everything 3.0 has */
    config_.wasm_reference_types = true;
    config_.wasm_simd = true;
    config_.wasm_relaxed_simd = true;
    config_.wasm_multi_memory = true;
    config_.wasm_gc = true;
    config_.wasm_function_references = true;
    config_.wasm_memory64 = true;
    config_.wasm_tail_call = true;
    config_.wasm_exceptions = true;
  }
}

bool Runner::setup(std::string *why) {
  configure();
  wb_status_t st = wb_engine_new(&config_, &engine_);
  if (st == WB_OK) st = wb_store_new(engine_, &store_);
  if (st == WB_OK) st = wb_linker_new(engine_, &linker_);
  if (st == WB_OK) st = wb_linker_allow_shadowing(linker_, true);
  if (st != WB_OK) {
    *why = "cannot set up the engine, store and linker: " + status_text(st);
    return false;
  }
  return define_spectest(why);
}

/* The `spectest` module of the reference interpreter, made of host-made
 * externs of the store. */
bool Runner::define_spectest(std::string *why) {
  struct Print {
    const char *name;
    std::vector<wb_valkind_t> params;
  } prints[] = {{"print", {}},
                {"print_i32", {WB_I32}},
                {"print_i64", {WB_I64}},
                {"print_f32", {WB_F32}},
                {"print_f64", {WB_F64}},
                {"print_i32_f32", {WB_I32, WB_F32}},
                {"print_f64_f64", {WB_F64, WB_F64}}};
  for (auto &p : prints) {
    wb_status_t st = wb_linker_define_func(linker_, "spectest", p.name, p.params.data(), p.params.size(), nullptr, 0,
                                           print_callback, nullptr, nullptr);
    if (st != WB_OK) {
      *why = std::string("spectest.") + p.name + ": wb_linker_define_func: " + status_text(st);
      return false;
    }
  }
  if (!wb_global_new || !wb_table_new || !wb_memory_new || !wb_linker_define_extern) {
    /* TEMPORARY (see the weak list): the same externs from a wasm module */
    std::string wat = "(module (global (export \"global_i32\") i32 (i32.const 666))"
                      " (global (export \"global_i64\") i64 (i64.const 666))"
                      " (global (export \"global_f32\") f32 (f32.const 666.6))"
                      " (global (export \"global_f64\") f64 (f64.const 666.6))"
                      " (table (export \"table\") 10 20 funcref)"
                      " (memory (export \"memory\") 1 2)";
    if (config_.wasm_memory64 && config_.wasm_reference_types)
      wat += " (table (export \"table64\") i64 10 20 funcref)";
    wat += ")";
    wb_module_t m;
    wb_instance_t inst;
    wb_status_t st = wb_module_new(engine_, (const uint8_t *)wat.data(), wat.size(), &m);
    if (st == WB_OK) modules_.push_back(m);
    if (st == WB_OK) st = wb_instance_new(store_, m, &inst);
    if (st == WB_OK) st = wb_linker_define_instance(linker_, "spectest", inst);
    if (st != WB_OK) {
      *why = "spectest (wasm stand-in): " + status_text(st);
      return false;
    }
    return define_shared_memory(why);
  }
  auto define = [&](const char *name, const wb_extern_t &item) {
    wb_status_t st = wb_linker_define_extern(linker_, "spectest", 8, name, strlen(name), &item);
    if (st != WB_OK) *why = std::string("spectest.") + name + ": wb_linker_define_extern: " + status_text(st);
    return st == WB_OK;
  };
  struct Glob {
    const char *name;
    wb_valkind_t kind;
    uint64_t bits;
  } globals[] = {{"global_i32", WB_I32, 666},
                 {"global_i64", WB_I64, 666},
                 {"global_f32", WB_F32, 0x4426a666}, /* 666.6 */
                 {"global_f64", WB_F64, 0x4084d4cccccccccdull}};
  for (auto &g : globals) {
    wb_globaltype_t gt{};
    gt.content.kind = (uint8_t)g.kind;
    gt.is_mutable = false;
    wb_val_t v{};
    v.kind = g.kind;
    if (g.kind == WB_I32 || g.kind == WB_F32) {
      uint32_t b = (uint32_t)g.bits;
      memcpy(&v.of.i32, &b, 4);
    } else {
      memcpy(&v.of.i64, &g.bits, 8);
    }
    wb_extern_t item{};
    item.kind = WB_EXTERN_GLOBAL;
    wb_status_t st = wb_global_new(store_, &gt, &v, &item.of.global);
    if (st != WB_OK) {
      *why = std::string("spectest.") + g.name + ": wb_global_new: " + status_text(st);
      return false;
    }
    if (!define(g.name, item)) return false;
  }
  for (int is64 = 0; is64 <= 1; is64++) {
    wb_tabletype_t tt{};
    tt.element.kind = WB_FUNCREF;
    tt.element.nullable = 1;
    tt.element.heap = WB_HEAP_FUNC;
    tt.min = 10;
    tt.max = 20;
    tt.has_max = true;
    tt.is64 = is64;
    wb_extern_t item{};
    item.kind = WB_EXTERN_TABLE;
    wb_status_t st = wb_table_new(store_, &tt, nullptr, &item.of.table);
    if (st != WB_OK) {
      /* table64 needs memory64 (which also gives 64-bit tables) */
      if (is64 && !config_.wasm_memory64) break;
      *why = std::string(is64 ? "spectest.table64" : "spectest.table") + ": wb_table_new: " + status_text(st);
      return false;
    }
    if (!define(is64 ? "table64" : "table", item)) return false;
  }
  wb_memorytype_t mt{};
  mt.min = 1;
  mt.max = 2;
  mt.has_max = true;
  mt.page_size_log2 = 16;
  wb_extern_t item{};
  item.kind = WB_EXTERN_MEMORY;
  wb_status_t st = wb_memory_new(store_, &mt, &item.of.memory);
  if (st != WB_OK) {
    *why = "spectest.memory: wb_memory_new: " + status_text(st);
    return false;
  }
  if (!define("memory", item)) return false;
  return define_shared_memory(why);
}

/* spectest.shared_memory, for the threads proposal's tests. */
bool Runner::define_shared_memory(std::string *why) {
  if (config_.wasm_threads) {
    wb_status_t st = wb_shared_memory_new(engine_, 1, 2, &shared_memory_);
    if (st == WB_OK) st = wb_linker_define_shared_memory(linker_, "spectest", "shared_memory", shared_memory_);
    if (st != WB_OK) {
      *why = "spectest.shared_memory: " + status_text(st);
      return false;
    }
  }
  return true;
}

Outcome Runner::compile(const ModuleSrc &m, wb_module_t *out, wb_status_t *st) {
  const std::string &b = m.bytes;
  /* An empty quote is the empty module's text; wb_module_new refuses a
   * zero-length buffer, so give it the same text as one space. */
  std::string space = " ";
  const std::string &text = b.empty() && m.form != ModuleSrc::Binary ? space : b;
  *st = wb_module_new(engine_, (const uint8_t *)text.data(), text.size(), out);
  if (*st == WB_ERR_COMPILE && m.form != ModuleSrc::Binary && strstr(wb_last_error(), "likely-confusing unicode")) {
    /* Wasmtime's WAT parser refuses raw bidirectional overrides and the like
     * as a lint (Wasmtime's own runner turns it off for names.wast); the same
     * module with those characters written as \u{...} escapes passes it. */
    std::string ascii = wast::escape_string_chars(text);
    *st = wb_module_new(engine_, (const uint8_t *)ascii.data(), ascii.size(), out);
  }
  if (*st != WB_OK) return Outcome::fail("wb_module_new: " + status_text(*st));
  modules_.push_back(*out);
  return Outcome::pass();
}

Outcome Runner::instantiate(wb_module_t m, wb_instance_t *out, wb_status_t *st) {
  *st = wb_linker_instantiate(linker_, store_, m, out);
  if (*st != WB_OK) return Outcome::fail("wb_linker_instantiate: " + status_text(*st));
  return Outcome::pass();
}

Outcome Runner::do_module(const Command &c) {
  wb_module_t m;
  wb_status_t st;
  Outcome o = compile(c.module, &m, &st);
  if (!o.ok) return o;
  if (!c.module.id.empty()) defs_[c.module.id] = m;
  if (c.module.definition) return o;
  wb_instance_t inst;
  o = instantiate(m, &inst, &st);
  if (!o.ok) return o;
  current_ = inst;
  have_current_ = true;
  if (!c.module.id.empty()) named_[c.module.id] = inst;
  return o;
}

Outcome Runner::helper(wb_instance_t *out) {
  if (!have_helper_) {
    static const char wat[] =
        "(module"
        " (func (export \"internalize\") (param externref) (result anyref) local.get 0 any.convert_extern)"
        " (func (export \"externalize\") (param anyref) (result externref) local.get 0 extern.convert_any))";
    wb_module_t m;
    wb_status_t st = wb_module_new(engine_, (const uint8_t *)wat, sizeof wat - 1, &m);
    if (st != WB_OK) return Outcome::fail("the ref.host helper module: " + status_text(st));
    modules_.push_back(m);
    st = wb_instance_new(store_, m, &helper_);
    if (st != WB_OK) return Outcome::fail("the ref.host helper instance: " + status_text(st));
    have_helper_ = true;
  }
  *out = helper_;
  return Outcome::pass();
}

/* Calls the helper's `name` on one reference; the result is the caller's. */
static Outcome call_helper(wb_instance_t h, const char *name, const wb_val_t &in, wb_val_t *out) {
  wb_extern_t f;
  wb_status_t st = wb_instance_get_export(h, name, strlen(name), &f);
  if (st == WB_OK) st = wb_func_call(f.of.func, &in, 1, out, 1);
  if (st != WB_OK) return Outcome::fail(std::string("helper ") + name + ": " + status_text(st));
  return Outcome::pass();
}

Outcome Runner::make_arg(const Value &v, int want_kind, wb_val_t *out, std::vector<wb_ref_t> *owned) {
  memset(out, 0, sizeof *out);
  switch (v.kind) {
  case Value::I32: out->kind = WB_I32; out->of.i32 = (int32_t)(uint32_t)v.bits; break;
  case Value::I64: out->kind = WB_I64; out->of.i64 = (int64_t)v.bits; break;
  case Value::F32: {
    out->kind = WB_F32;
    uint32_t b = (uint32_t)v.bits;
    memcpy(&out->of.f32, &b, 4);
    break;
  }
  case Value::F64: out->kind = WB_F64; memcpy(&out->of.f64, &v.bits, 8); break;
  case Value::V128: out->kind = WB_V128; memcpy(out->of.v128, v.v128, 16); break;
  case Value::Ref: {
    if (v.ref == RefForm::Null) {
      int k = v.heap.empty() ? -1 : heap_kind(v.heap);
      if (k < 0) k = want_kind; /* a concrete type: the parameter's hierarchy */
      if (!is_ref_kind(k)) return Outcome::fail("cannot tell the kind of argument " + v.text);
      out->kind = (wb_valkind_t)k;
      break; /* id 0 is null in every kind */
    }
    if (!wb_externref_new || !wb_ref_delete) return Outcome::fail("libwasmbound lacks wb_externref_new");
    wb_ref_t r;
    wb_status_t st = wb_externref_new(store_, extern_data(v.num), nullptr, &r);
    if (st != WB_OK) return Outcome::fail("argument " + v.text + ": wb_externref_new: " + status_text(st));
    owned->push_back(r);
    out->kind = WB_EXTERNREF;
    out->of.ref = r;
    if (v.ref == RefForm::Host) {
      wb_instance_t h;
      Outcome o = helper(&h);
      if (!o.ok) return o;
      wb_val_t any;
      o = call_helper(h, "internalize", *out, &any);
      if (!o.ok) return o;
      owned->push_back(any.of.ref);
      *out = any;
    }
    break;
  }
  case Value::Either: return Outcome::fail("either is not an argument");
  }
  return Outcome::pass();
}

/* Runs an action; *st is its status, *results its results on WB_OK (the
 * caller drops them with drop_results). The outcome fails only when the
 * action could not be attempted (no such module or export, bad arguments). */
Outcome Runner::do_action(const wast::Action &a, CallResult *cr, std::vector<wb_val_t> *results) {
  wb_instance_t inst;
  if (!a.module.empty()) {
    auto it = named_.find(a.module);
    if (it == named_.end()) return Outcome::fail("no instance named " + a.module);
    inst = it->second;
  } else {
    if (!have_current_) return Outcome::fail("no module instantiated yet");
    inst = current_;
  }
  wb_extern_t ext;
  Outcome o = get_export(inst, a.name, &ext);
  if (!o.ok) return o;
  if (a.kind == wast::Action::Get) {
    if (ext.kind != WB_EXTERN_GLOBAL) return Outcome::fail("export \"" + a.name + "\" is not a global");
    wb_val_t v;
    cr->take(wb_global_get(ext.of.global, &v));
    if (cr->st == WB_OK) results->assign(1, v);
    return Outcome::pass();
  }
  if (ext.kind != WB_EXTERN_FUNC) return Outcome::fail("export \"" + a.name + "\" is not a function");
  size_t np = 0, nr = 0;
  wb_status_t s = wb_func_arity(ext.of.func, &np, &nr);
  if (s != WB_OK) return Outcome::fail("wb_func_arity: " + status_text(s));
  if (np != a.args.size())
    return Outcome::fail("\"" + a.name + "\" takes " + std::to_string(np) + " arguments, the script gives " +
                         std::to_string(a.args.size()));
  std::vector<wb_valtype_t> ptypes(np), rtypes(nr);
  if (!wb_func_type) { /* TEMPORARY (see the weak list): only a ref.null of a concrete type needs it */
    for (wb_valtype_t &t : ptypes) t.kind = 0xff;
  } else {
    s = wb_func_type(ext.of.func, ptypes.data(), np, rtypes.data(), nr);
    if (s != WB_OK) return Outcome::fail("wb_func_type: " + status_text(s));
  }
  std::vector<wb_val_t> args(np);
  std::vector<wb_ref_t> owned;
  for (size_t i = 0; i < np && o.ok; i++) o = make_arg(a.args[i], ptypes[i].kind, &args[i], &owned);
  if (o.ok) {
    results->assign(nr, wb_val_t{});
    cr->take(wb_func_call(ext.of.func, args.data(), np, results->data(), nr));
    if (cr->st != WB_OK) results->clear();
  }
  for (wb_ref_t r : owned) wb_ref_delete(r);
  return o;
}

void Runner::drop_results(std::vector<wb_val_t> &results) {
  for (wb_val_t &v : results)
    if ((v.kind == WB_EXTERNREF || v.kind == WB_ANYREF || v.kind == WB_EXNREF) && v.of.ref.id && wb_ref_delete)
      wb_ref_delete(v.of.ref);
  results.clear();
}

std::string Runner::show(const wb_val_t &v) {
  char buf[128];
  switch (v.kind) {
  case WB_I32: snprintf(buf, sizeof buf, "i32 0x%08" PRIx32 " (%" PRId32 ")", (uint32_t)v.of.i32, v.of.i32); break;
  case WB_I64: snprintf(buf, sizeof buf, "i64 0x%016" PRIx64 " (%" PRId64 ")", (uint64_t)v.of.i64, v.of.i64); break;
  case WB_F32: {
    uint32_t b;
    memcpy(&b, &v.of.f32, 4);
    snprintf(buf, sizeof buf, "f32 0x%08" PRIx32 " (%.9g)", b, (double)v.of.f32);
    break;
  }
  case WB_F64: {
    uint64_t b;
    memcpy(&b, &v.of.f64, 8);
    snprintf(buf, sizeof buf, "f64 0x%016" PRIx64 " (%.17g)", b, v.of.f64);
    break;
  }
  case WB_V128: return "v128 0x" + hex_bytes(v.of.v128, 16);
  case WB_FUNCREF: return v.of.funcref.id ? "a funcref" : "null funcref";
  case WB_EXTERNREF:
  case WB_ANYREF:
  case WB_EXNREF: {
    std::string s = v.of.ref.id ? std::string("a non-null ") : std::string("null ");
    s += valkind_name(v.kind);
    if (v.of.ref.id && v.kind == WB_EXTERNREF && wb_externref_data) {
      void *p;
      if (wb_externref_data(v.of.ref, &p) == WB_OK) s += " carrying " + std::to_string((uintptr_t)p - 1);
    }
    if (v.of.ref.id && v.kind == WB_ANYREF && wb_ref_kind) {
      wb_refkind_t rk;
      static const char *const names[] = {"extern", "i31", "struct", "array", "any", "exn"};
      if (wb_ref_kind(v.of.ref, &rk) == WB_OK && rk <= WB_REFKIND_EXN) s += std::string(" (") + names[rk] + ")";
    }
    return s;
  }
  default: snprintf(buf, sizeof buf, "a value of unknown kind %d", (int)v.kind);
  }
  return buf;
}

/* "" when `got` matches `exp`, else why not. */
std::string Runner::match(const Value &exp, const wb_val_t &got) {
  auto want = [&](int kind) -> std::string {
    if ((int)got.kind == kind) return "";
    return std::string("expected ") + valkind_name(kind) + ", got " + valkind_name(got.kind);
  };
  std::string e;
  switch (exp.kind) {
  case Value::I32:
    if (!(e = want(WB_I32)).empty()) return e;
    return (uint32_t)got.of.i32 == (uint32_t)exp.bits ? "" : "got " + show(got);
  case Value::I64:
    if (!(e = want(WB_I64)).empty()) return e;
    return (uint64_t)got.of.i64 == exp.bits ? "" : "got " + show(got);
  case Value::F32: {
    if (!(e = want(WB_F32)).empty()) return e;
    uint32_t b;
    memcpy(&b, &got.of.f32, 4);
    bool ok = exp.nan == NanKind::None ? b == (uint32_t)exp.bits : f32_nan_ok(b, exp.nan);
    return ok ? "" : "got " + show(got);
  }
  case Value::F64: {
    if (!(e = want(WB_F64)).empty()) return e;
    uint64_t b;
    memcpy(&b, &got.of.f64, 8);
    bool ok = exp.nan == NanKind::None ? b == exp.bits : f64_nan_ok(b, exp.nan);
    return ok ? "" : "got " + show(got);
  }
  case Value::V128: {
    if (!(e = want(WB_V128)).empty()) return e;
    bool ok = true;
    if (exp.shape == wast::Shape::F32x4) {
      for (int i = 0; i < 4; i++) {
        uint32_t g, x;
        memcpy(&g, got.of.v128 + 4 * i, 4);
        memcpy(&x, exp.v128 + 4 * i, 4);
        ok = ok && (exp.lane_nan[i] == NanKind::None ? g == x : f32_nan_ok(g, exp.lane_nan[i]));
      }
    } else if (exp.shape == wast::Shape::F64x2) {
      for (int i = 0; i < 2; i++) {
        uint64_t g, x;
        memcpy(&g, got.of.v128 + 8 * i, 8);
        memcpy(&x, exp.v128 + 8 * i, 8);
        ok = ok && (exp.lane_nan[i] == NanKind::None ? g == x : f64_nan_ok(g, exp.lane_nan[i]));
      }
    } else {
      ok = memcmp(got.of.v128, exp.v128, 16) == 0;
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
  /* references */
  if (!is_ref_kind(got.kind)) return std::string("expected a reference, got ") + show(got);
  bool null = got.kind == WB_FUNCREF ? got.of.funcref.id == 0 : got.of.ref.id == 0;
  if (exp.ref == RefForm::Null) {
    if (!null) return "expected " + exp.text + ", got " + show(got);
    int k = heap_kind(exp.heap);
    if (k >= 0 && k != (int)got.kind) return "expected " + exp.text + ", got " + show(got);
    return "";
  }
  if (null) return "expected " + exp.text + ", got " + show(got);
  auto refkind_in = [&](std::initializer_list<wb_refkind_t> kinds) -> std::string {
    if (got.kind != WB_ANYREF) return "expected " + exp.text + ", got " + show(got);
    if (!wb_ref_kind) return "libwasmbound lacks wb_ref_kind";
    wb_refkind_t rk;
    wb_status_t st = wb_ref_kind(got.of.ref, &rk);
    if (st != WB_OK) return "wb_ref_kind: " + status_text(st);
    for (wb_refkind_t k : kinds)
      if (rk == k) return "";
    return "expected " + exp.text + ", got " + show(got);
  };
  switch (exp.ref) {
  case RefForm::Func: return got.kind == WB_FUNCREF ? "" : "expected " + exp.text + ", got " + show(got);
  case RefForm::Exn: return got.kind == WB_EXNREF ? "" : "expected " + exp.text + ", got " + show(got);
  case RefForm::Any: return got.kind == WB_ANYREF ? "" : "expected " + exp.text + ", got " + show(got);
  case RefForm::Struct: return refkind_in({WB_REFKIND_STRUCT});
  case RefForm::Array: return refkind_in({WB_REFKIND_ARRAY});
  case RefForm::Eq: return refkind_in({WB_REFKIND_I31, WB_REFKIND_STRUCT, WB_REFKIND_ARRAY});
  case RefForm::I31: {
    std::string m = refkind_in({WB_REFKIND_I31});
    if (!m.empty() || !exp.has_num) return m;
    int32_t x;
    wb_status_t st = wb_i31ref_get(got.of.ref, false, &x);
    if (st != WB_OK) return "wb_i31ref_get: " + status_text(st);
    return (uint32_t)x == (exp.num & 0x7fffffffu) ? "" : "expected " + exp.text + ", got i31 " + std::to_string(x);
  }
  case RefForm::Extern: {
    if (got.kind != WB_EXTERNREF) return "expected " + exp.text + ", got " + show(got);
    if (!exp.has_num) return "";
    if (!wb_externref_data) return "libwasmbound lacks wb_externref_data";
    void *p;
    wb_status_t st = wb_externref_data(got.of.ref, &p);
    if (st != WB_OK) return "expected " + exp.text + ", got an externref without host data: " + status_text(st);
    return p == extern_data(exp.num) ? "" : "expected " + exp.text + ", got " + show(got);
  }
  case RefForm::Host: {
    if (got.kind != WB_ANYREF) return "expected " + exp.text + ", got " + show(got);
    wb_instance_t h;
    Outcome o = helper(&h);
    if (!o.ok) return o.detail;
    wb_val_t ext;
    o = call_helper(h, "externalize", got, &ext);
    if (!o.ok) return o.detail;
    void *p = nullptr;
    wb_status_t st = wb_externref_data(ext.of.ref, &p);
    std::string r = st != WB_OK ? "expected " + exp.text + ", got an anyref without host data: " + status_text(st)
                    : p == extern_data(exp.num) ? std::string()
                                                : "expected " + exp.text + ", got " + show(ext);
    wb_ref_delete(ext.of.ref);
    return r;
  }
  case RefForm::Null: break;
  }
  return "unhandled expected form " + exp.text;
}

Outcome Runner::expect_trap(const CallResult &cr, const std::string &msg, const char *what) {
  if (cr.st == WB_OK) return Outcome::fail(std::string(what) + " succeeded, expected a trap \"" + msg + "\"");
  if (cr.st != WB_ERR_TRAP) return Outcome::fail("expected a trap \"" + msg + "\", got " + cr.text());
  std::vector<wb_trap_code_t> codes = trap_codes_for(msg);
  if (codes.empty()) return Outcome::pass();
  for (wb_trap_code_t c : codes)
    if (c == cr.trap) return Outcome::pass();
  return Outcome::fail("expected a trap \"" + msg + "\", got trap code " + wb_trap_code_name(cr.trap) + ": " +
                       cr.text());
}

Outcome Runner::get_export(wb_instance_t inst, const std::string &name, wb_extern_t *out) {
  if (!wb_instance_get_export) { /* TEMPORARY (see the weak list): by C string */
    if (name.find('\0') != std::string::npos) return Outcome::fail("libwasmbound lacks wb_instance_get_export");
    wb_status_t st = wb_instance_get_func(inst, name.c_str(), &out->of.func);
    out->kind = WB_EXTERN_FUNC;
    if (st == WB_ERR_TYPE_MISMATCH) {
      st = wb_instance_get_global(inst, name.c_str(), &out->of.global);
      out->kind = WB_EXTERN_GLOBAL;
    }
    if (st != WB_OK) return Outcome::fail("export \"" + name + "\": " + status_text(st));
    return Outcome::pass();
  }
  wb_status_t st = wb_instance_get_export(inst, name.data(), name.size(), out);
  if (st != WB_OK) return Outcome::fail("export \"" + name + "\": wb_instance_get_export: " + status_text(st));
  return Outcome::pass();
}

Outcome Runner::run(const Command &c) {
  wb_status_t st = WB_OK;
  CallResult cr;
  switch (c.kind) {
  case Command::Module: return do_module(c);
  case Command::ModuleInstance: {
    auto it = defs_.find(c.id);
    if (it == defs_.end()) return Outcome::fail("no module definition " + c.id);
    wb_instance_t inst;
    Outcome o = instantiate(it->second, &inst, &st);
    if (!o.ok) return o;
    current_ = inst;
    have_current_ = true;
    if (!c.name.empty()) named_[c.name] = inst;
    return o;
  }
  case Command::Register: {
    wb_instance_t inst;
    if (c.id.empty()) {
      if (!have_current_) return Outcome::fail("register: no module instantiated yet");
      inst = current_;
    } else {
      auto it = named_.find(c.id);
      if (it == named_.end()) return Outcome::fail("register: no instance named " + c.id);
      inst = it->second;
    }
    st = wb_linker_define_instance(linker_, c.name.c_str(), inst);
    if (st != WB_OK) return Outcome::fail("wb_linker_define_instance: " + status_text(st));
    return Outcome::pass();
  }
  case Command::Perform:
  case Command::AssertReturn:
  case Command::AssertExhaustion:
  case Command::AssertException:
  case Command::AssertTrap: {
    if (c.has_module) { /* assert_trap (module ...): instantiation traps */
      wb_module_t m;
      Outcome o = compile(c.module, &m, &st);
      if (!o.ok) return o;
      wb_instance_t inst;
      cr.take(wb_linker_instantiate(linker_, store_, m, &inst));
      return expect_trap(cr, c.message, "instantiation");
    }
    std::vector<wb_val_t> results;
    Outcome o = do_action(c.action, &cr, &results);
    if (!o.ok) return o;
    if (c.kind == Command::Perform || c.kind == Command::AssertReturn) {
      if (cr.st != WB_OK) return Outcome::fail("\"" + c.action.name + "\" failed: " + cr.text());
      if (c.kind == Command::AssertReturn) {
        if (results.size() != c.results.size()) {
          o = Outcome::fail(std::to_string(results.size()) + " results, expected " + std::to_string(c.results.size()));
        }
        for (size_t i = 0; i < results.size() && o.ok; i++) {
          std::string m = match(c.results[i], results[i]);
          if (!m.empty()) o = Outcome::fail("result " + std::to_string(i) + ": " + m);
        }
      }
      drop_results(results);
      return o;
    }
    drop_results(results);
    if (c.kind == Command::AssertTrap) return expect_trap(cr, c.message, "the call");
    if (c.kind == Command::AssertExhaustion) {
      if (cr.st != WB_ERR_TRAP || cr.trap != WB_TRAP_STACK_OVERFLOW)
        return Outcome::fail("expected stack exhaustion, got " + cr.text());
      return Outcome::pass();
    }
    if (cr.st != WB_ERR_EXCEPTION) return Outcome::fail("expected an exception, got " + cr.text());
    return Outcome::pass();
  }
  case Command::AssertMalformed:
  case Command::AssertInvalid:
  case Command::AssertMalformedCustom:
  case Command::AssertInvalidCustom: {
    wb_module_t m;
    Outcome o = compile(c.module, &m, &st);
    if (o.ok) return Outcome::fail("the module compiled; expected it to be refused: \"" + c.message + "\"");
    /* wb_module_new documents an empty buffer as WB_ERR_INVALID_ARGUMENT:
     * refused too, which is all `(module binary "")` asserts */
    if (st == WB_ERR_INVALID_ARGUMENT && c.module.form == ModuleSrc::Binary && c.module.bytes.empty())
      return Outcome::pass();
    if (st != WB_ERR_COMPILE) return Outcome::fail("expected WB_ERR_COMPILE, got " + o.detail);
    return Outcome::pass();
  }
  case Command::AssertUnlinkable:
  case Command::AssertUninstantiable: {
    wb_module_t m;
    Outcome o = compile(c.module, &m, &st);
    if (!o.ok) return o;
    wb_instance_t inst;
    cr.take(wb_linker_instantiate(linker_, store_, m, &inst));
    if (c.kind == Command::AssertUninstantiable) return expect_trap(cr, c.message, "instantiation");
    if (cr.st == WB_OK) return Outcome::fail("the module linked; expected \"" + c.message + "\"");
    if (cr.st != WB_ERR_LINK)
      return Outcome::fail("expected WB_ERR_LINK (\"" + c.message + "\"), got " + cr.text());
    return Outcome::pass();
  }
  }
  return Outcome::fail("unknown command");
}

bool read_file(const std::string &path, std::string *out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

std::string one_line(std::string s) {
  for (char &c : s)
    if (c == '\n' || c == '\r') c = ' ';
  if (s.size() > 600) s = s.substr(0, 600) + "...";
  return s;
}

} // namespace

int main(int argc, char **argv) {
  bool verbose = false, trace = false;
  std::string skips_path, root, script;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "-v") verbose = true;
    else if (a == "-t") trace = true;
    else if (a == "--skips" && i + 1 < argc) skips_path = argv[++i];
    else if (a == "--root" && i + 1 < argc) root = argv[++i];
    else if (a[0] != '-' && script.empty()) script = a;
    else {
      fprintf(stderr, "usage: spec_runner [-v] [-t] [--skips FILE] [--root DIR] SCRIPT.wast\n");
      return 2;
    }
  }
  if (script.empty()) {
    fprintf(stderr, "usage: spec_runner [-v] [-t] [--skips FILE] [--root DIR] SCRIPT.wast\n");
    return 2;
  }
  std::string rel = script;
  if (!root.empty()) {
    std::string r = root.back() == '/' ? root : root + "/";
    if (rel.compare(0, r.size(), r) == 0) rel = rel.substr(r.size());
  }
  std::vector<Skip> skips;
  if (!skips_path.empty()) skips = load_skips(skips_path, rel);

  std::string src;
  if (!read_file(script, &src)) {
    printf("FAIL %s:0: cannot read the script\nspec-file %s 0 1 0 1\n", rel.c_str(), rel.c_str());
    return 1;
  }
  std::vector<Command> cmds;
  try {
    cmds = wast::read_script(src);
  } catch (std::exception &e) {
    printf("FAIL %s:%s\nspec-file %s 0 1 0 1\n", rel.c_str(), e.what(), rel.c_str());
    return 1;
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);

  long passed = 0, failed = 0, skipped = 0;
  {
    Runner runner(rel, verbose);
    std::string why;
    if (!runner.setup(&why)) {
      /* every command of the script fails with the setup */
      printf("FAIL %s:0: setup: %s\n", rel.c_str(), one_line(why).c_str());
      printf("spec-file %s 0 %zu 0 %zu\n", rel.c_str(), cmds.size(), cmds.size());
      return 1;
    }
    for (const Command &c : cmds) {
      if (trace) printf("@ %d\n", c.line); /* so that a crash can be placed */
      Outcome o = runner.run(c);
      const Skip *skip = find_skip(skips, c.line);
      if (skip && !o.ok) {
        skipped++;
        if (verbose)
          printf("SKIP %s:%d: %s [%s]: %s\n", rel.c_str(), c.line, wast::kind_name(c.kind), skip->category.c_str(),
                 one_line(o.detail).c_str());
      } else if (skip) {
        failed++;
        printf("FAIL %s:%d: %s passes, but skips.txt lists it (%s): remove the entry\n", rel.c_str(), c.line,
               wast::kind_name(c.kind), skip->category.c_str());
      } else if (o.ok) {
        passed++;
      } else {
        failed++;
        printf("FAIL %s:%d: %s: %s\n", rel.c_str(), c.line, wast::kind_name(c.kind), one_line(o.detail).c_str());
      }
    }
  }
  printf("spec-file %s %ld %ld %ld %zu\n", rel.c_str(), passed, failed, skipped, cmds.size());
  return failed ? 1 : 0;
}
