/* The WAST script reader of the spec-testsuite runner: a lexer and
 * S-expression tree for the WebAssembly script format, and the script's
 * commands (module, register, invoke/get, assert_*) with their constants and
 * expected results. No wasmbound here: the driver uses it to count
 * assertions, the runner to execute them.
 *
 * Module text is never interpreted: a text module is handed to Wasmtime's WAT
 * parser as the exact bytes of the file it came from (see Command::text). */
#ifndef WB_SPEC_WAST_H
#define WB_SPEC_WAST_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wast {

/* One S-expression: a list, an atom (keyword, number, $id) or a string
 * (its decoded bytes). begin/end are byte offsets of the node in the file. */
struct Node {
  enum Type { List, Atom, String } type = Atom;
  std::string text; /* Atom: as written ($"..." ids decoded); String: decoded bytes */
  std::vector<Node> items;
  size_t begin = 0, end = 0;
  int line = 0;

  bool is_atom(const char *s) const { return type == Atom && text == s; }
  /* The head keyword of a list, "" if none. */
  const std::string &head() const;
};

/* Parses a whole file; throws std::runtime_error("line N: ...") on a lexical
 * or bracket error. */
std::vector<Node> parse_sexprs(const std::string &src);

/* ---- values ------------------------------------------------------------ */

enum class NanKind { None, Canonical, Arithmetic };

/* v128 lane shapes, in the order of their lane widths. */
enum class Shape { I8x16, I16x8, I32x4, I64x2, F32x4, F64x2 };
int shape_lanes(Shape s);

/* The reference forms of constants and expected results. */
enum class RefForm {
  Null,    /* ref.null <heap> */
  Extern,  /* ref.extern [N] */
  Host,    /* ref.host N: an anyref made from the externref N */
  Func,    /* ref.func [idx] */
  Struct,  /* ref.struct */
  Array,   /* ref.array */
  I31,     /* ref.i31 [N] */
  Eq,      /* ref.eq */
  Any,     /* ref.any */
  Exn,     /* ref.exn */
};

/* A constant argument or an expected result. */
struct Value {
  enum Kind { I32, I64, F32, F64, V128, Ref, Either } kind = I32;
  uint64_t bits = 0;            /* I32/I64/F32/F64: the bits */
  NanKind nan = NanKind::None;  /* F32/F64 results */
  Shape shape = Shape::I32x4;   /* V128: as written */
  uint8_t v128[16] = {0};       /* V128: little-endian lane bytes */
  NanKind lane_nan[4] = {NanKind::None, NanKind::None, NanKind::None, NanKind::None}; /* F32x4 / F64x2 lanes */
  RefForm ref = RefForm::Null;  /* Ref */
  std::string heap;             /* Ref Null: the heap type as written ("" when absent) */
  bool has_num = false;         /* Ref Extern/Host/I31: a number was given */
  uint32_t num = 0;
  std::vector<Value> alts;      /* Either: the alternatives */
  std::string text;             /* as written, for messages */
};

/* ---- commands ---------------------------------------------------------- */

/* A module as the script gives it. */
struct ModuleSrc {
  enum Form { Text, Binary, Quote } form = Text;
  std::string id;          /* $name or "" */
  bool definition = false; /* (module definition ...) */
  std::string bytes;       /* Text: the module's text (as in the file, minus
                              `definition`); Binary: the bytes; Quote: the text */
  int line = 0;
};

struct Action {
  enum Kind { Invoke, Get } kind = Invoke;
  std::string module; /* $id or "" for the current module */
  std::string name;   /* export name (any UTF-8) */
  std::vector<Value> args;
};

struct Command {
  enum Kind {
    Module,             /* module: define and instantiate (or only define) */
    ModuleInstance,     /* (module instance $I $M) */
    Register,           /* (register "name" $id?) */
    Perform,            /* a bare action */
    AssertReturn,
    AssertTrap,         /* action or module form */
    AssertExhaustion,
    AssertException,
    AssertMalformed,
    AssertInvalid,
    AssertUnlinkable,
    AssertUninstantiable,
    AssertMalformedCustom,
    AssertInvalidCustom,
  } kind = Module;
  int line = 0;
  bool has_module = false; /* the assertion's subject is a module, not an action */
  ModuleSrc module;
  Action action;
  std::vector<Value> results; /* AssertReturn */
  std::string message;        /* expected failure text */
  std::string name;           /* Register: the name; ModuleInstance: instance id */
  std::string id;             /* Register / ModuleInstance: module id */
};

const char *kind_name(Command::Kind k);

/* Reads a script's commands; throws std::runtime_error("line N: ...") for a
 * command the reader does not understand. */
std::vector<Command> read_script(const std::string &src);

/* The text with every non-ASCII character inside its string literals
 * written as a \u{...} escape: the same module, spelled in ASCII. (Wasmtime's
 * WAT parser refuses some characters, such as bidirectional overrides, when
 * they stand in the text raw, as a lint against misleading source.) */
std::string escape_string_chars(const std::string &text);

/* Number parsing, exposed for the runner's unit checks. Each returns false
 * for text that is not a valid literal of the type. */
bool parse_int(const std::string &s, int bits, uint64_t *out);
bool parse_f32(const std::string &s, uint32_t *out, NanKind *nan);
bool parse_f64(const std::string &s, uint64_t *out, NanKind *nan);

} // namespace wast

#endif
