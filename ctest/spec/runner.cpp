/* spec_runner: runs ONE .wast script of the WebAssembly spec testsuite
 * through wasmbound's public C API (include/wasmbound.h) and nothing else.
 *
 *   spec_runner [-v] [-t] [--skips FILE] [--root DIR] SCRIPT.wast
 *
 * Every command is one assertion: a module must compile and instantiate, a
 * register or action must succeed, and each assert_* must hold (script.cpp
 * says what each means). Modules in text form go to Wasmtime's WAT parser
 * through wb_module_new as the exact text of the script. One engine
 * (configured for the script's directory), one store and one linker serve
 * the whole script, as in the reference interpreter; the `spectest` module
 * is made of host-made externs.
 *
 * Output: a `FAIL path:line: ...` line per failed assertion (with -v also a
 * `SKIP` line per skipped one; with -t an `@ LINE` line before each
 * command, so that a crash can be placed), then `spec-file PATH P F S N` as
 * the last line, which spec_driver reads. Exit status 0 when F is 0, else 1;
 * 3 when handles are left after everything was deleted (a leak).
 *
 * A skip is an assertion listed in the skips file (ctest/spec/skips.txt)
 * that fails; a listed assertion that passes is a failure, so the list
 * cannot go stale. */
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "script.h"
#include "wasmbound.h"
#include "wast.h"

using spec::CallResult;
using spec::Got;
using spec::Status;
using wast::ModuleSrc;
using wast::RefForm;
using wast::Value;

namespace {

/* The externref that stands for the script's `ref.extern N` carries N+1 as
 * its host pointer (never dereferenced), so that N = 0 is not NULL. */
void *extern_data(uint32_t n) { return (void *)((uintptr_t)n + 1); }

std::string status_text(wb_status_t st) {
  std::string s = wb_status_name(st);
  if (st != WB_OK) s += std::string(" (") + wb_last_error() + ")";
  return s;
}

/* A call's status with its message and trap code, taken at once (later
 * calls may replace the thread's last error). */
CallResult take(wb_status_t st) {
  CallResult cr;
  switch (st) {
  case WB_OK: return cr;
  case WB_ERR_COMPILE: cr.st = Status::Compile; break;
  case WB_ERR_LINK: cr.st = Status::Link; break;
  case WB_ERR_TRAP: cr.st = Status::Trap; break;
  case WB_ERR_EXCEPTION: cr.st = Status::Exception; break;
  default: cr.st = Status::Other; break;
  }
  cr.msg = status_text(st);
  wb_trap_code_t code = wb_last_trap_code();
  if (st == WB_ERR_TRAP && code != WB_TRAP_NONE) cr.trap = wb_trap_code_name(code);
  return cr;
}

wb_status_t print_callback(void *, wb_caller_t, const wb_val_t *, size_t, wb_val_t *, size_t) { return WB_OK; }

class WbBackend : public spec::Backend {
 public:
  ~WbBackend() override;
  bool setup(const spec::Features &f, std::string *why) override;
  CallResult compile(const ModuleSrc &m, size_t *module) override;
  CallResult instantiate(size_t module, size_t *instance) override;
  CallResult register_instance(const std::string &name, size_t instance) override;
  std::string perform(size_t instance, const wast::Action &a, CallResult *cr, std::vector<Got> *results) override;

 private:
  spec::Features features_;
  wb_engine_t engine_{0};
  wb_store_t store_{0};
  wb_linker_t linker_{0};
  wb_shared_memory_t shared_memory_{0};
  std::vector<wb_module_t> modules_;
  std::vector<wb_instance_t> instances_;
  wb_instance_t helper_{0}; /* any.convert_extern / extern.convert_any, for ref.host */

  bool define_spectest(std::string *why);
  std::string make_arg(const Value &v, int want_kind, wb_val_t *out, std::vector<wb_ref_t> *owned);
  std::string read_result(const wb_val_t &v, Got *g);
  std::string call_helper(const char *name, const wb_val_t &in, wb_val_t *out);
  std::string get_export(wb_instance_t inst, const std::string &name, wb_extern_t *out);
};

WbBackend::~WbBackend() {
  if (store_.id) wb_store_delete(store_);
  if (linker_.id) wb_linker_delete(linker_);
  for (wb_module_t m : modules_) wb_module_delete(m);
  if (shared_memory_.id) wb_shared_memory_delete(shared_memory_);
  if (engine_.id) wb_engine_delete(engine_);
}

bool WbBackend::setup(const spec::Features &f, std::string *why) {
  features_ = f;
  wb_engine_config_t c;
  wb_engine_config_init(&c, WB_ENGINE_CONFIG_VERSION);
  c.wasm_threads = f.threads;
  c.wasm_reference_types = f.reference_types;
  c.wasm_simd = f.simd;
  c.wasm_relaxed_simd = f.relaxed_simd;
  c.wasm_multi_memory = f.multi_memory;
  c.wasm_gc = f.gc;
  c.wasm_function_references = f.function_references;
  c.wasm_memory64 = f.memory64;
  c.wasm_tail_call = f.tail_call;
  c.wasm_exceptions = f.exceptions;
  c.wasm_wide_arithmetic = f.wide_arithmetic;
  c.wasm_custom_page_sizes = f.custom_page_sizes;
  c.guest_shared_memory = f.shared_memory;
  wb_status_t st = wb_engine_new(&c, &engine_);
  if (st == WB_OK) st = wb_store_new(engine_, &store_);
  if (st == WB_OK) st = wb_linker_new(engine_, &linker_);
  if (st == WB_OK) st = wb_linker_allow_shadowing(linker_, true);
  if (st != WB_OK) {
    *why = "cannot set up the engine, store and linker: " + status_text(st);
    return false;
  }
  if (!define_spectest(why)) return false;
  if (f.shared_memory) {
    st = wb_shared_memory_new(engine_, 1, 2, &shared_memory_);
    if (st == WB_OK) st = wb_linker_define_shared_memory(linker_, "spectest", "shared_memory", shared_memory_);
    if (st != WB_OK) {
      *why = "spectest.shared_memory: " + status_text(st);
      return false;
    }
  }
  return true;
}

/* The `spectest` module of the reference interpreter, made of host-made
 * externs of the store. */
bool WbBackend::define_spectest(std::string *why) {
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
  auto define = [&](const char *name, const wb_extern_t &item, wb_status_t made, const char *maker) {
    wb_status_t st = made;
    if (st == WB_OK) st = wb_linker_define_extern(linker_, "spectest", 8, name, strlen(name), &item);
    if (st != WB_OK)
      *why = std::string("spectest.") + name + ": " + (made ? maker : "wb_linker_define_extern") + ": " +
             status_text(st);
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
    wb_val_t v{};
    v.kind = g.kind;
    if (g.kind == WB_I32 || g.kind == WB_F32) v.of.i32 = (int32_t)(uint32_t)g.bits;
    else v.of.i64 = (int64_t)g.bits;
    wb_extern_t item{};
    item.kind = WB_EXTERN_GLOBAL;
    if (!define(g.name, item, wb_global_new(store_, &gt, &v, &item.of.global), "wb_global_new")) return false;
  }
  wb_tabletype_t tt{};
  tt.element.kind = WB_FUNCREF;
  tt.element.nullable = 1;
  tt.element.heap = WB_HEAP_FUNC;
  tt.min = 10;
  tt.max = 20;
  tt.has_max = true;
  wb_extern_t table{};
  table.kind = WB_EXTERN_TABLE;
  if (!define("table", table, wb_table_new(store_, &tt, nullptr, &table.of.table), "wb_table_new")) return false;
  if (features_.memory64 && features_.reference_types) {
    /* Wasmtime 39's C API cannot make a 64-bit table (wb_table_new says
     * so): the same table from a module, defined under the spectest name */
    static const char wat[] = "(module (table (export \"table64\") i64 10 20 funcref))";
    wb_module_t m;
    wb_instance_t inst;
    wb_extern_t table64{};
    wb_status_t st = wb_module_new(engine_, (const uint8_t *)wat, sizeof wat - 1, &m);
    if (st == WB_OK) modules_.push_back(m), st = wb_instance_new(store_, m, &inst);
    if (st == WB_OK) st = wb_instance_get_export(inst, "table64", 7, &table64);
    if (!define("table64", table64, st, "a table64 module")) return false;
  }
  wb_memorytype_t mt{};
  mt.min = 1;
  mt.max = 2;
  mt.has_max = true;
  mt.page_size_log2 = 16;
  wb_extern_t item{};
  item.kind = WB_EXTERN_MEMORY;
  return define("memory", item, wb_memory_new(store_, &mt, &item.of.memory), "wb_memory_new");
}

CallResult WbBackend::compile(const ModuleSrc &m, size_t *module) {
  /* An empty quote is the empty module's text; wb_module_new refuses a
   * zero-length buffer, so give it the same text as one space. */
  const std::string &text = m.bytes.empty() && m.form != ModuleSrc::Binary ? std::string(" ") : m.bytes;
  wb_module_t mod;
  wb_status_t st = wb_module_new(engine_, (const uint8_t *)text.data(), text.size(), &mod);
  if (st == WB_ERR_COMPILE && m.form != ModuleSrc::Binary && strstr(wb_last_error(), "likely-confusing unicode")) {
    /* Wasmtime's WAT parser refuses raw bidirectional overrides and the like
     * as a lint (Wasmtime's own runner turns it off for names.wast); the same
     * module with those characters written as \u{...} escapes passes it. */
    std::string ascii = wast::escape_string_chars(text);
    st = wb_module_new(engine_, (const uint8_t *)ascii.data(), ascii.size(), &mod);
  }
  CallResult cr = take(st);
  if (st == WB_ERR_INVALID_ARGUMENT && text.empty()) cr.st = Status::Refused;
  if (st != WB_OK) return cr;
  *module = modules_.size();
  modules_.push_back(mod);
  return cr;
}

CallResult WbBackend::instantiate(size_t module, size_t *instance) {
  wb_instance_t inst;
  wb_status_t st = wb_linker_instantiate(linker_, store_, modules_[module], &inst);
  if (st == WB_OK) {
    *instance = instances_.size();
    instances_.push_back(inst);
  }
  return take(st);
}

CallResult WbBackend::register_instance(const std::string &name, size_t instance) {
  return take(wb_linker_define_instance(linker_, name.c_str(), instances_[instance]));
}

std::string WbBackend::get_export(wb_instance_t inst, const std::string &name, wb_extern_t *out) {
  wb_status_t st = wb_instance_get_export(inst, name.data(), name.size(), out);
  return st == WB_OK ? "" : "export \"" + name + "\": wb_instance_get_export: " + status_text(st);
}

/* Calls the helper's `name` on one reference; the result is the caller's. */
std::string WbBackend::call_helper(const char *name, const wb_val_t &in, wb_val_t *out) {
  if (!helper_.id) {
    static const char wat[] =
        "(module"
        " (func (export \"internalize\") (param externref) (result anyref) local.get 0 any.convert_extern)"
        " (func (export \"externalize\") (param anyref) (result externref) local.get 0 extern.convert_any))";
    wb_module_t m;
    wb_status_t st = wb_module_new(engine_, (const uint8_t *)wat, sizeof wat - 1, &m);
    if (st != WB_OK) return "the ref.host helper module: " + status_text(st);
    modules_.push_back(m);
    st = wb_instance_new(store_, m, &helper_);
    if (st != WB_OK) return "the ref.host helper instance: " + status_text(st);
  }
  wb_extern_t f;
  std::string why = get_export(helper_, name, &f);
  if (!why.empty()) return why;
  wb_status_t st = wb_func_call(f.of.func, &in, 1, out, 1);
  return st == WB_OK ? "" : std::string("helper ") + name + ": " + status_text(st);
}

std::string WbBackend::make_arg(const Value &v, int want_kind, wb_val_t *out, std::vector<wb_ref_t> *owned) {
  memset(out, 0, sizeof *out);
  switch (v.kind) {
  case Value::I32: out->kind = WB_I32; out->of.i32 = (int32_t)(uint32_t)v.bits; return "";
  case Value::I64: out->kind = WB_I64; out->of.i64 = (int64_t)v.bits; return "";
  case Value::F32: {
    out->kind = WB_F32;
    uint32_t b = (uint32_t)v.bits;
    memcpy(&out->of.f32, &b, 4);
    return "";
  }
  case Value::F64: out->kind = WB_F64; memcpy(&out->of.f64, &v.bits, 8); return "";
  case Value::V128: out->kind = WB_V128; memcpy(out->of.v128, v.v128, 16); return "";
  case Value::Either: return "either is not an argument";
  case Value::Ref: break;
  }
  if (v.ref == RefForm::Null) {
    static const struct { const char *heap; wb_valkind_t kind; } heaps[] = {
        {"func", WB_FUNCREF}, {"nofunc", WB_FUNCREF}, {"extern", WB_EXTERNREF}, {"noextern", WB_EXTERNREF},
        {"exn", WB_EXNREF},   {"noexn", WB_EXNREF},   {"any", WB_ANYREF},       {"eq", WB_ANYREF},
        {"i31", WB_ANYREF},   {"struct", WB_ANYREF},  {"array", WB_ANYREF},     {"none", WB_ANYREF}};
    int k = want_kind; /* a concrete type: the parameter's hierarchy */
    for (auto &h : heaps)
      if (v.heap == h.heap) k = h.kind;
    if (k < WB_FUNCREF || k > WB_EXNREF) return "cannot tell the kind of argument " + v.text;
    out->kind = (wb_valkind_t)k;
    return ""; /* id 0 is null in every kind */
  }
  wb_ref_t r;
  wb_status_t st = wb_externref_new(store_, extern_data(v.num), nullptr, &r);
  if (st != WB_OK) return "argument " + v.text + ": wb_externref_new: " + status_text(st);
  owned->push_back(r);
  out->kind = WB_EXTERNREF;
  out->of.ref = r;
  if (v.ref == RefForm::Host) {
    wb_val_t any;
    std::string why = call_helper("internalize", *out, &any);
    if (!why.empty()) return why;
    owned->push_back(any.of.ref);
    *out = any;
  }
  return "";
}

/* Reads a result into *g (and deletes its reference handle); "" or why it
 * could not be read. */
std::string WbBackend::read_result(const wb_val_t &v, Got *g) {
  g->kind = v.kind;
  switch (v.kind) {
  case WB_I32: g->bits = (uint32_t)v.of.i32; return "";
  case WB_I64: g->bits = (uint64_t)v.of.i64; return "";
  case WB_F32: {
    uint32_t b;
    memcpy(&b, &v.of.f32, 4);
    g->bits = b;
    return "";
  }
  case WB_F64: memcpy(&g->bits, &v.of.f64, 8); return "";
  case WB_V128: memcpy(g->v128, v.of.v128, 16); return "";
  case WB_FUNCREF:
    g->null = v.of.funcref.id == 0;
    g->ref = spec::RefKind::Func;
    return "";
  case WB_EXTERNREF:
  case WB_ANYREF:
  case WB_EXNREF: break;
  default: return "a result of unknown kind " + std::to_string((int)v.kind);
  }
  g->null = v.of.ref.id == 0;
  if (g->null) return "";
  std::string why;
  if (v.kind == WB_EXNREF) {
    g->ref = spec::RefKind::Exn;
  } else if (v.kind == WB_EXTERNREF) {
    g->ref = spec::RefKind::Extern;
    void *p;
    if (wb_externref_data(v.of.ref, &p) == WB_OK) g->has_data = true, g->data = (uint32_t)((uintptr_t)p - 1);
    else g->note = "no host data: " + std::string(wb_last_error()); /* e.g. extern.convert_any of an i31 */
  } else {
    wb_refkind_t rk;
    wb_status_t st = wb_ref_kind(v.of.ref, &rk);
    if (st != WB_OK) why = "wb_ref_kind: " + status_text(st);
    else if (rk == WB_REFKIND_I31) g->ref = spec::RefKind::I31;
    else if (rk == WB_REFKIND_STRUCT) g->ref = spec::RefKind::Struct;
    else if (rk == WB_REFKIND_ARRAY) g->ref = spec::RefKind::Array;
    else if (rk == WB_REFKIND_ANY) {
      /* an externref made an anyref (ref.host N): its host data */
      g->ref = spec::RefKind::Host;
      wb_val_t ext;
      why = call_helper("externalize", v, &ext);
      void *p;
      if (why.empty() && wb_externref_data(ext.of.ref, &p) == WB_OK)
        g->has_data = true, g->data = (uint32_t)((uintptr_t)p - 1);
      if (why.empty()) wb_ref_delete(ext.of.ref);
    }
  }
  wb_ref_delete(v.of.ref);
  return why;
}

std::string WbBackend::perform(size_t instance, const wast::Action &a, CallResult *cr, std::vector<Got> *results) {
  wb_extern_t ext;
  std::string why = get_export(instances_[instance], a.name, &ext);
  if (!why.empty()) return why;
  std::vector<wb_val_t> out;
  if (a.kind == wast::Action::Get) {
    if (ext.kind != WB_EXTERN_GLOBAL) return "export \"" + a.name + "\" is not a global";
    out.resize(1);
    *cr = take(wb_global_get(ext.of.global, out.data()));
  } else {
    if (ext.kind != WB_EXTERN_FUNC) return "export \"" + a.name + "\" is not a function";
    size_t np = 0, nr = 0;
    wb_status_t st = wb_func_arity(ext.of.func, &np, &nr);
    if (st != WB_OK) return "wb_func_arity: " + status_text(st);
    if (np != a.args.size())
      return "\"" + a.name + "\" takes " + std::to_string(np) + " arguments, the script gives " +
             std::to_string(a.args.size());
    std::vector<wb_valtype_t> ptypes(np), rtypes(nr);
    if ((st = wb_func_type(ext.of.func, ptypes.data(), np, rtypes.data(), nr)) != WB_OK)
      return "wb_func_type: " + status_text(st);
    std::vector<wb_val_t> args(np);
    std::vector<wb_ref_t> owned;
    for (size_t i = 0; i < np && why.empty(); i++) why = make_arg(a.args[i], ptypes[i].kind, &args[i], &owned);
    if (why.empty()) {
      out.resize(nr);
      *cr = take(wb_func_call(ext.of.func, args.data(), np, out.data(), nr));
    }
    for (wb_ref_t r : owned) wb_ref_delete(r);
    if (!why.empty()) return why;
  }
  if (!cr->ok()) return "";
  results->resize(out.size());
  for (size_t i = 0; i < out.size(); i++) {
    std::string w = read_result(out[i], &(*results)[i]);
    if (!w.empty() && why.empty()) why = "result " + std::to_string(i) + ": " + w;
  }
  return why;
}

const char usage[] = "usage: spec_runner [-v] [-t] [--skips FILE] [--root DIR] SCRIPT.wast\n";

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
      fputs(usage, stderr);
      return 2;
    }
  }
  if (script.empty()) {
    fputs(usage, stderr);
    return 2;
  }
  std::string rel = script;
  if (!root.empty()) {
    std::string r = root.back() == '/' ? root : root + "/";
    if (rel.compare(0, r.size(), r) == 0) rel = rel.substr(r.size());
  }
  std::vector<spec::Skip> skips;
  if (!skips_path.empty()) skips = spec::load_skips(skips_path, rel);
  setvbuf(stdout, nullptr, _IOLBF, 0);

  std::string src;
  std::vector<wast::Command> cmds;
  try {
    if (!spec::read_file(script, &src)) throw std::runtime_error("cannot read the script");
    cmds = wast::read_script(src);
  } catch (std::exception &e) {
    printf("FAIL %s:0: %s\nspec-file %s 0 1 0 1\n", rel.c_str(), e.what(), rel.c_str());
    return 1;
  }

  spec::Counts n;
  {
    WbBackend backend;
    std::string why;
    if (!backend.setup(spec::features_for(rel), &why)) {
      /* every command of the script fails with the setup */
      printf("FAIL %s:0: setup: %s\n", rel.c_str(), spec::one_line(why).c_str());
      printf("spec-file %s 0 %zu 0 %zu\n", rel.c_str(), cmds.size(), cmds.size());
      return 1;
    }
    spec::ScriptRunner runner(backend);
    for (const wast::Command &c : cmds) {
      if (trace) printf("@ %d\n", c.line); /* so that a crash can be placed */
      spec::Outcome o = runner.run(c);
      const spec::Skip *skip = spec::find_skip(skips, c.line);
      const char *what = wast::kind_name(c.kind);
      if (skip && !o.ok) {
        n.skipped++;
        if (verbose)
          printf("SKIP %s:%d: %s [%s]: %s\n", rel.c_str(), c.line, what, skip->category.c_str(),
                 spec::one_line(o.detail).c_str());
      } else if (skip) {
        n.failed++;
        printf("FAIL %s:%d: %s passes, but the skip list lists it (%s): remove the entry\n", rel.c_str(), c.line,
               what, skip->category.c_str());
      } else if (o.ok) {
        n.passed++;
      } else {
        n.failed++;
        printf("FAIL %s:%d: %s: %s\n", rel.c_str(), c.line, what, spec::one_line(o.detail).c_str());
      }
    }
  }
  /* With the store, linker, modules and engine deleted, no handle may be
   * left (references the runner forgot, or ones the library did). */
  wb_stats_t stats = WB_STATS_INIT;
  if (wb_stats_get(&stats) != WB_OK || stats.live_handles != 0) {
    printf("FAIL %s:0: %llu handles still live after everything was deleted: %s\n", rel.c_str(),
           (unsigned long long)stats.live_handles, wb_last_error());
    return 3; /* the driver fails the whole script */
  }
  printf("spec-file %s %ld %ld %ld %zu\n", rel.c_str(), n.passed, n.failed, n.skipped, cmds.size());
  return n.failed ? 1 : 0;
}
