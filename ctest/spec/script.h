/* Running a WAST script against an engine "backend": what the commands
 * mean, how results are compared, how skips are counted. Two backends use
 * it: runner.cpp (wasmbound's public C API, the test) and raw_check.cpp
 * (Wasmtime's own C API, to show that what the skip list skips fails on
 * Wasmtime 39 itself). Neither wasmbound nor Wasmtime appears here. */
#ifndef WB_SPEC_SCRIPT_H
#define WB_SPEC_SCRIPT_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "wast.h"

namespace spec {

/* The wasm features a script's directory needs (Wasmtime's own spec-test
 * configuration, crates/test-util/src/wast.rs, sets the same). */
struct Features {
  bool threads = false, reference_types = true, simd = true, relaxed_simd = true, multi_memory = true;
  bool gc = false, function_references = false, memory64 = true, tail_call = true, exceptions = false;
  bool wide_arithmetic = false, custom_page_sizes = false;
  bool shared_memory = false; /* modules may define shared memories; spectest.shared_memory */
};
Features features_for(const std::string &rel);

/* The value kinds, numbered as wb_valkind_t. */
enum Kind { I32, I64, F32, F64, V128, FUNCREF, EXTERNREF, ANYREF, EXNREF, NO_KIND = 0xff };
const char *kind_name(int k);

/* What a non-null reference is. */
enum class RefKind { Unknown, Extern, I31, Struct, Array, Host, Exn, Func };

/* A result as the backend read it. */
struct Got {
  int kind = I32;
  uint64_t bits = 0;     /* numbers */
  uint8_t v128[16] = {0};
  bool null = false;     /* references */
  RefKind ref = RefKind::Unknown;
  bool has_data = false; /* an externref from the script (ref.extern N), or an
                            anyref made from one (ref.host N): N */
  uint32_t data = 0;
  std::string note;      /* why the backend could not say more */
};
std::string show(const Got &g);

/* "" when `got` matches the expected result, else why not. */
std::string match(const wast::Value &exp, const Got &got);

/* The outcome class of a backend operation. */
enum class Status {
  Ok,
  Compile,   /* the module is malformed or invalid */
  Refused,   /* the input was refused before compiling (wasmbound: an empty buffer) */
  Link,      /* an import is missing or mismatched */
  Trap,      /* wasm trapped (trap code in CallResult::trap) */
  Exception, /* a wasm exception escaped */
  Other,     /* anything else (a misuse, a limit, a bug) */
};

struct CallResult {
  Status st = Status::Ok;
  std::string msg;  /* the backend's status name and message */
  std::string trap; /* trap code name as wb_trap_code_name gives it ("UNREACHABLE"), "" if none */
  bool ok() const { return st == Status::Ok; }
};

/* The trap code names a spec trap message stands for; empty for a message
 * the runner does not know (an assertion with one fails). */
std::vector<std::string> trap_codes_for(const std::string &msg);

/* An engine, store and linker for one script; handles are indexes. */
class Backend {
 public:
  virtual ~Backend() = default;
  virtual bool setup(const Features &f, std::string *why) = 0;
  virtual CallResult compile(const wast::ModuleSrc &m, size_t *module) = 0;
  virtual CallResult instantiate(size_t module, size_t *instance) = 0;
  virtual CallResult register_instance(const std::string &name, size_t instance) = 0;
  /* Runs the action. Returns "" after attempting it (*cr its outcome,
   * *results its results when cr is Ok), or why it could not be attempted
   * (no such export, an argument the backend cannot make). */
  virtual std::string perform(size_t instance, const wast::Action &a, CallResult *cr, std::vector<Got> *results) = 0;
};

/* The skip list (ctest/spec/skips.txt). */
struct Skip {
  std::string pattern; /* file, relative to the suite root (fnmatch) */
  int lo = 0, hi = 0;  /* command lines; 0..0 is "*" */
  std::string category;
  std::string reason;
  int file_line = 0;   /* where in the skips file */
};
/* The entries of `path` whose pattern matches `rel` ("" for all); exits 2
 * on a malformed file. */
std::vector<Skip> load_skips(const std::string &path, const std::string &rel);
const Skip *find_skip(const std::vector<Skip> &skips, int line);

struct Counts {
  long passed = 0, failed = 0, skipped = 0, total = 0;
};

/* One outcome per command. */
struct Outcome {
  bool ok = true;
  std::string detail;
};

/* Runs every command of a script through a backend. */
class ScriptRunner {
 public:
  explicit ScriptRunner(Backend &b) : b_(b) {}
  Outcome run(const wast::Command &c);

 private:
  Backend &b_;
  std::map<std::string, size_t> defs_;  /* $id -> module */
  std::map<std::string, size_t> named_; /* $id -> instance */
  size_t current_ = 0;
  bool have_current_ = false;

  Outcome module(const wast::Command &c);
  Outcome expect_trap(const CallResult &cr, const std::string &msg, const char *what);
  bool instance_for(const std::string &id, size_t *out, std::string *why);
};

std::string one_line(std::string s);
/* The .wast scripts below `suite`, as paths relative to it, sorted. */
std::vector<std::string> find_scripts(const std::string &suite);
bool read_file(const std::string &path, std::string *out);

} // namespace spec

#endif
