/* The WAST script reader: see wast.h. */
#include "wast.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace wast {

static const std::string empty_string;

const std::string &Node::head() const {
  if (type == List && !items.empty() && items[0].type == Atom) return items[0].text;
  return empty_string;
}

[[noreturn]] static void fail(int line, const std::string &what) {
  throw std::runtime_error("line " + std::to_string(line) + ": " + what);
}

/* ---- lexer and tree ----------------------------------------------------- */

namespace {

struct Lexer {
  const std::string &s;
  size_t p = 0;
  int line = 1;

  explicit Lexer(const std::string &src) : s(src) {}

  bool at_end() const { return p >= s.size(); }

  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && p < s.size(); i++, p++)
      if (s[p] == '\n') line++;
  }

  /* Skips white space, line comments and (nested) block comments. */
  void skip_space() {
    while (p < s.size()) {
      char c = s[p];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        advance();
      } else if (c == ';' && p + 1 < s.size() && s[p + 1] == ';') {
        while (p < s.size() && s[p] != '\n') p++;
      } else if (c == '(' && p + 1 < s.size() && s[p + 1] == ';') {
        int depth = 0, start = line;
        do {
          if (p + 1 >= s.size()) fail(start, "unterminated block comment");
          if (s[p] == '(' && s[p + 1] == ';') {
            depth++;
            advance(2);
          } else if (s[p] == ';' && s[p + 1] == ')') {
            depth--;
            advance(2);
          } else {
            advance();
          }
        } while (depth > 0);
      } else {
        break;
      }
    }
  }

  static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static void put_utf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
      out += (char)cp;
    } else if (cp < 0x800) {
      out += (char)(0xC0 | cp >> 6);
      out += (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += (char)(0xE0 | cp >> 12);
      out += (char)(0x80 | ((cp >> 6) & 0x3F));
      out += (char)(0x80 | (cp & 0x3F));
    } else {
      out += (char)(0xF0 | cp >> 18);
      out += (char)(0x80 | ((cp >> 12) & 0x3F));
      out += (char)(0x80 | ((cp >> 6) & 0x3F));
      out += (char)(0x80 | (cp & 0x3F));
    }
  }

  /* A string literal at p (on its opening quote): its decoded bytes. */
  std::string string_lit() {
    int start = line;
    std::string out;
    advance(); /* " */
    for (;;) {
      if (p >= s.size()) fail(start, "unterminated string");
      char c = s[p];
      if (c == '"') {
        advance();
        return out;
      }
      if (c == '\n') fail(line, "newline in a string");
      if (c != '\\') {
        out += c;
        advance();
        continue;
      }
      advance();
      if (p >= s.size()) fail(start, "unterminated string");
      char e = s[p];
      switch (e) {
      case 't': out += '\t'; advance(); break;
      case 'n': out += '\n'; advance(); break;
      case 'r': out += '\r'; advance(); break;
      case '"': out += '"'; advance(); break;
      case '\'': out += '\''; advance(); break;
      case '\\': out += '\\'; advance(); break;
      case 'u': {
        advance();
        if (p >= s.size() || s[p] != '{') fail(line, "bad \\u escape");
        advance();
        uint32_t cp = 0;
        while (p < s.size() && s[p] != '}') {
          int h = hexval(s[p]);
          if (h < 0 && s[p] != '_') fail(line, "bad \\u escape");
          if (h >= 0) cp = cp * 16 + (uint32_t)h;
          if (cp > 0x10FFFF) fail(line, "\\u escape out of range");
          advance();
        }
        advance(); /* } */
        put_utf8(out, cp);
        break;
      }
      default: {
        int h1 = hexval(e), h2 = p + 1 < s.size() ? hexval(s[p + 1]) : -1;
        if (h1 < 0 || h2 < 0) fail(line, std::string("bad escape \\") + e);
        out += (char)(h1 * 16 + h2);
        advance(2);
      }
      }
    }
  }

  static bool idchar(char c) {
    if (c <= ' ' || c >= 127) return false;
    return !strchr("\"(),;[]{}", c);
  }
};

} // namespace

std::vector<Node> parse_sexprs(const std::string &src) {
  Lexer lx(src);
  std::vector<Node> top;
  std::vector<Node> stack; /* open lists */
  auto append = [&](Node &&n) {
    if (stack.empty()) top.push_back(std::move(n));
    else stack.back().items.push_back(std::move(n));
  };
  for (;;) {
    lx.skip_space();
    if (lx.at_end()) break;
    char c = src[lx.p];
    if (c == '(') {
      Node n;
      n.type = Node::List;
      n.begin = lx.p;
      n.line = lx.line;
      lx.advance();
      stack.push_back(std::move(n));
    } else if (c == ')') {
      if (stack.empty()) fail(lx.line, "unbalanced ')'");
      lx.advance();
      Node n = std::move(stack.back());
      stack.pop_back();
      n.end = lx.p;
      append(std::move(n));
    } else if (c == '"') {
      Node n;
      n.type = Node::String;
      n.begin = lx.p;
      n.line = lx.line;
      n.text = lx.string_lit();
      n.end = lx.p;
      append(std::move(n));
    } else {
      Node n;
      n.type = Node::Atom;
      n.begin = lx.p;
      n.line = lx.line;
      if (c == '$' && lx.p + 1 < src.size() && src[lx.p + 1] == '"') {
        lx.advance();
        n.text = "$" + lx.string_lit();
      } else {
        /* An idchar run; inside annotations also the text format's reserved
         * tokens, which may contain , ; [ ] { } and strings. */
        while (!lx.at_end()) {
          char d = src[lx.p];
          if (d == ';' && lx.p + 1 < src.size() && src[lx.p + 1] == ';') break;
          if (Lexer::idchar(d) || strchr(",;[]{}", d)) lx.advance();
          else if (d == '"') (void)lx.string_lit();
          else break;
        }
        if (lx.p == n.begin) fail(lx.line, std::string("unexpected character '") + c + "'");
        n.text = src.substr(n.begin, lx.p - n.begin);
      }
      n.end = lx.p;
      append(std::move(n));
    }
  }
  if (!stack.empty()) fail(stack.back().line, "unclosed '('");
  return top;
}

std::string escape_string_chars(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  size_t p = 0, n = text.size();
  while (p < n) {
    char c = text[p];
    if (c == ';' && p + 1 < n && text[p + 1] == ';') { /* line comment */
      size_t e = text.find('\n', p);
      e = e == std::string::npos ? n : e;
      out.append(text, p, e - p);
      p = e;
    } else if (c == '(' && p + 1 < n && text[p + 1] == ';') { /* block comment, nested */
      size_t q = p;
      int depth = 0;
      do {
        if (q + 1 >= n) {
          q = n;
          break;
        }
        if (text[q] == '(' && text[q + 1] == ';') depth++, q += 2;
        else if (text[q] == ';' && text[q + 1] == ')') depth--, q += 2;
        else q++;
      } while (depth > 0);
      out.append(text, p, q - p);
      p = q;
    } else if (c == '"') {
      out += c;
      p++;
      while (p < n && text[p] != '"') {
        unsigned char b = (unsigned char)text[p];
        if (b == '\\' && p + 1 < n) {
          out.append(text, p, 2);
          p += 2;
          continue;
        }
        int len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        uint32_t cp = len == 4 ? b & 0x07 : len == 3 ? b & 0x0F : b & 0x1F;
        bool valid = b >= 0xC2 && b <= 0xF4 && p + (size_t)len <= n;
        for (int i = 1; valid && i < len; i++) {
          unsigned char k = (unsigned char)text[p + (size_t)i];
          valid = (k & 0xC0) == 0x80;
          cp = cp << 6 | (k & 0x3F);
        }
        if (b < 0x80 || !valid) { /* ASCII, or bytes that are not UTF-8: as they are */
          out += (char)b;
          p++;
          continue;
        }
        char buf[16];
        snprintf(buf, sizeof buf, "\\u{%x}", cp);
        out += buf;
        p += (size_t)len;
      }
      if (p < n) out += text[p++];
    } else {
      out += c;
      p++;
    }
  }
  return out;
}

/* ---- numbers ------------------------------------------------------------ */

static std::string strip_underscores(const std::string &s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s)
    if (c != '_') r += c;
  return r;
}

bool parse_int(const std::string &text, int bits, uint64_t *out) {
  std::string s = strip_underscores(text);
  size_t i = 0;
  bool neg = false, sign = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    sign = true;
    i++;
  }
  unsigned base = 10;
  if (s.compare(i, 2, "0x") == 0) {
    base = 16;
    i += 2;
  }
  if (i >= s.size()) return false;
  unsigned __int128 v = 0;
  for (; i < s.size(); i++) {
    int d = Lexer::hexval(s[i]);
    if (d < 0 || (unsigned)d >= base) return false;
    v = v * base + (unsigned)d;
    if (v > ((unsigned __int128)1 << 64)) return false;
  }
  unsigned __int128 lim = (unsigned __int128)1 << bits;
  if (neg) {
    if (v > lim / 2) return false;
    v = lim - v;
    if (v == lim) v = 0;
  } else if (v >= lim) {
    return false;
  }
  (void)sign;
  uint64_t r = (uint64_t)v;
  if (bits < 64) r &= (((uint64_t)1 << bits) - 1);
  *out = r;
  return true;
}

/* The NaN and infinity forms shared by both widths: returns true (and sets
 * *handled) when `s` is one of them. */
static bool parse_special(const std::string &s, int mant_bits, int exp_bits, uint64_t *out, NanKind *nan,
                          bool *handled) {
  *handled = false;
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    i = 1;
  }
  std::string rest = s.substr(i);
  uint64_t sign_bit = (uint64_t)1 << (mant_bits + exp_bits);
  uint64_t exp_all = (((uint64_t)1 << exp_bits) - 1) << mant_bits;
  uint64_t quiet = (uint64_t)1 << (mant_bits - 1);
  uint64_t sign = neg ? sign_bit : 0;
  if (rest == "inf") {
    *handled = true;
    *out = sign | exp_all;
    return true;
  }
  if (rest == "nan") {
    *handled = true;
    *out = sign | exp_all | quiet;
    return true;
  }
  if (rest == "nan:canonical" || rest == "nan:arithmetic") {
    *handled = true;
    if (nan) *nan = rest == "nan:canonical" ? NanKind::Canonical : NanKind::Arithmetic;
    *out = exp_all | quiet;
    return nan != nullptr;
  }
  if (rest.compare(0, 6, "nan:0x") == 0) {
    *handled = true;
    uint64_t payload = 0;
    std::string h = strip_underscores(rest.substr(6));
    if (h.empty()) return false;
    for (char c : h) {
      int d = Lexer::hexval(c);
      if (d < 0) return false;
      payload = payload * 16 + (unsigned)d;
      if (payload >> mant_bits) return false;
    }
    if (payload == 0) return false;
    *out = sign | exp_all | payload;
    return true;
  }
  return true;
}

static bool plain_number_ok(const std::string &s) {
  /* strtod accepts things the text format does not ("infinity", spaces, ...). */
  if (s.empty()) return false;
  for (char c : s)
    if (!(isxdigit((unsigned char)c) || c == '.' || c == '+' || c == '-' || c == 'x' || c == 'p' || c == 'P' ||
          c == 'e' || c == 'E'))
      return false;
  return true;
}

/* One float width: F the C type, U its bits, strto the C parser. */
template <typename F, typename U>
static bool parse_float(const std::string &text, int mant_bits, int exp_bits, F (*strto)(const char *, char **),
                        U *out, NanKind *nan) {
  if (nan) *nan = NanKind::None;
  bool handled;
  uint64_t bits;
  bool ok = parse_special(text, mant_bits, exp_bits, &bits, nan, &handled);
  if (handled) {
    if (ok) *out = (U)bits;
    return ok;
  }
  std::string s = strip_underscores(text);
  if (!plain_number_ok(s)) return false;
  char *end = nullptr;
  F f = strto(s.c_str(), &end); /* correctly rounded, decimal and hex alike */
  if (*end || end == s.c_str()) return false;
  if (std::isinf(f)) return false; /* a literal that overflows is malformed */
  memcpy(out, &f, sizeof f);
  return true;
}

bool parse_f32(const std::string &text, uint32_t *out, NanKind *nan) {
  return parse_float<float, uint32_t>(text, 23, 8, strtof, out, nan);
}

bool parse_f64(const std::string &text, uint64_t *out, NanKind *nan) {
  return parse_float<double, uint64_t>(text, 52, 11, strtod, out, nan);
}

/* ---- values ------------------------------------------------------------- */

int shape_lanes(Shape s) {
  switch (s) {
  case Shape::I8x16: return 16;
  case Shape::I16x8: return 8;
  case Shape::I32x4: case Shape::F32x4: return 4;
  case Shape::I64x2: case Shape::F64x2: return 2;
  }
  return 0;
}

static std::string node_text(const std::string &src, const Node &n) { return src.substr(n.begin, n.end - n.begin); }

static const Node &atom_at(const Node &n, size_t i, const char *what) {
  if (i >= n.items.size() || n.items[i].type != Node::Atom) fail(n.line, std::string("expected ") + what);
  return n.items[i];
}

static Value parse_value(const std::string &src, const Node &n, bool result) {
  Value v;
  v.text = node_text(src, n);
  if (n.type != Node::List) fail(n.line, "expected a constant, got " + v.text);
  const std::string &h = n.head();
  auto single = [&]() -> const std::string & {
    if (n.items.size() != 2) fail(n.line, "expected one operand in " + v.text);
    return atom_at(n, 1, "a number").text;
  };
  if (h == "i32.const" || h == "i64.const") {
    v.kind = h == "i32.const" ? Value::I32 : Value::I64;
    if (!parse_int(single(), v.kind == Value::I32 ? 32 : 64, &v.bits)) fail(n.line, "bad integer " + v.text);
  } else if (h == "f32.const") {
    v.kind = Value::F32;
    uint32_t b;
    if (!parse_f32(single(), &b, result ? &v.nan : nullptr)) fail(n.line, "bad f32 " + v.text);
    v.bits = b;
  } else if (h == "f64.const") {
    v.kind = Value::F64;
    if (!parse_f64(single(), &v.bits, result ? &v.nan : nullptr)) fail(n.line, "bad f64 " + v.text);
  } else if (h == "v128.const") {
    v.kind = Value::V128;
    const std::string &sh = atom_at(n, 1, "a lane shape").text;
    static const struct { const char *name; Shape shape; } shapes[] = {
        {"i8x16", Shape::I8x16}, {"i16x8", Shape::I16x8}, {"i32x4", Shape::I32x4},
        {"i64x2", Shape::I64x2}, {"f32x4", Shape::F32x4}, {"f64x2", Shape::F64x2}};
    bool found = false;
    for (auto &s : shapes)
      if (sh == s.name) {
        v.shape = s.shape;
        found = true;
      }
    if (!found) fail(n.line, "bad lane shape " + sh);
    int lanes = shape_lanes(v.shape), width = 16 / lanes;
    if ((int)n.items.size() != 2 + lanes) fail(n.line, "wrong lane count in " + v.text);
    for (int i = 0; i < lanes; i++) {
      const std::string &t = atom_at(n, 2 + i, "a lane").text;
      uint64_t b = 0;
      bool ok;
      if (v.shape == Shape::F32x4) {
        uint32_t b32;
        ok = parse_f32(t, &b32, result ? &v.lane_nan[i] : nullptr);
        b = b32;
      } else if (v.shape == Shape::F64x2) {
        ok = parse_f64(t, &b, result ? &v.lane_nan[i] : nullptr);
      } else {
        ok = parse_int(t, width * 8, &b);
      }
      if (!ok) fail(n.line, "bad lane " + t + " in " + v.text);
      memcpy(v.v128 + i * width, &b, (size_t)width); /* little-endian host */
    }
  } else if (h == "either") {
    if (!result) fail(n.line, "either is only for results");
    v.kind = Value::Either;
    for (size_t i = 1; i < n.items.size(); i++) v.alts.push_back(parse_value(src, n.items[i], true));
  } else if (h.compare(0, 4, "ref.") == 0) {
    v.kind = Value::Ref;
    std::string form = h.substr(4);
    auto opt_num = [&](bool required) {
      if (n.items.size() > 2) fail(n.line, "too many operands in " + v.text);
      if (n.items.size() == 2) {
        uint64_t x;
        if (!parse_int(atom_at(n, 1, "a number").text, 32, &x)) fail(n.line, "bad number in " + v.text);
        v.has_num = true;
        v.num = (uint32_t)x;
      } else if (required) {
        fail(n.line, "missing number in " + v.text);
      }
    };
    if (form == "null") {
      v.ref = RefForm::Null;
      if (n.items.size() > 1) v.heap = node_text(src, n.items[1]);
    } else if (form == "extern") {
      v.ref = RefForm::Extern;
      opt_num(!result);
    } else if (form == "host") {
      v.ref = RefForm::Host;
      opt_num(true);
    } else if (form == "func") {
      v.ref = RefForm::Func;
      if (n.items.size() > 1) v.heap = node_text(src, n.items[1]);
    } else if (form == "struct") {
      v.ref = RefForm::Struct;
    } else if (form == "array") {
      v.ref = RefForm::Array;
    } else if (form == "i31") {
      v.ref = RefForm::I31;
      opt_num(false);
    } else if (form == "eq") {
      v.ref = RefForm::Eq;
    } else if (form == "any") {
      v.ref = RefForm::Any;
    } else if (form == "exn") {
      v.ref = RefForm::Exn;
    } else {
      fail(n.line, "unknown reference form " + v.text);
    }
    if (!result && v.ref != RefForm::Null && v.ref != RefForm::Extern && v.ref != RefForm::Host)
      fail(n.line, "reference form " + v.text + " cannot be an argument");
  } else {
    fail(n.line, "unknown constant " + v.text);
  }
  return v;
}

/* ---- commands ----------------------------------------------------------- */

const char *kind_name(Command::Kind k) {
  switch (k) {
  case Command::Module: return "module";
  case Command::ModuleInstance: return "module instance";
  case Command::Register: return "register";
  case Command::Perform: return "action";
  case Command::AssertReturn: return "assert_return";
  case Command::AssertTrap: return "assert_trap";
  case Command::AssertExhaustion: return "assert_exhaustion";
  case Command::AssertException: return "assert_exception";
  case Command::AssertMalformed: return "assert_malformed";
  case Command::AssertInvalid: return "assert_invalid";
  case Command::AssertUnlinkable: return "assert_unlinkable";
  case Command::AssertUninstantiable: return "assert_uninstantiable";
  case Command::AssertMalformedCustom: return "assert_malformed_custom";
  case Command::AssertInvalidCustom: return "assert_invalid_custom";
  }
  return "?";
}

static ModuleSrc parse_module(const std::string &src, const Node &n) {
  ModuleSrc m;
  m.line = n.line;
  size_t i = 1;
  const Node *def = nullptr;
  if (i < n.items.size() && n.items[i].is_atom("definition")) {
    m.definition = true;
    def = &n.items[i];
    i++;
  }
  if (i < n.items.size() && n.items[i].type == Node::Atom && n.items[i].text[0] == '$') m.id = n.items[i++].text;
  if (i < n.items.size() && (n.items[i].is_atom("binary") || n.items[i].is_atom("quote"))) {
    m.form = n.items[i].is_atom("binary") ? ModuleSrc::Binary : ModuleSrc::Quote;
    for (size_t j = i + 1; j < n.items.size(); j++) {
      if (n.items[j].type != Node::String) fail(n.items[j].line, "expected a string in module binary/quote");
      m.bytes += n.items[j].text;
    }
    return m;
  }
  m.form = ModuleSrc::Text;
  if (def) m.bytes = src.substr(n.begin, def->begin - n.begin) + src.substr(def->end, n.end - def->end);
  else m.bytes = node_text(src, n);
  return m;
}

static Action parse_action(const std::string &src, const Node &n) {
  Action a;
  const std::string &h = n.head();
  if (h == "invoke") a.kind = Action::Invoke;
  else if (h == "get") a.kind = Action::Get;
  else fail(n.line, "expected invoke or get, got " + node_text(src, n).substr(0, 40));
  size_t i = 1;
  if (i < n.items.size() && n.items[i].type == Node::Atom && n.items[i].text[0] == '$') a.module = n.items[i++].text;
  if (i >= n.items.size() || n.items[i].type != Node::String) fail(n.line, "expected an export name");
  a.name = n.items[i++].text;
  for (; i < n.items.size(); i++) {
    if (a.kind == Action::Get) fail(n.line, "get takes no arguments");
    a.args.push_back(parse_value(src, n.items[i], false));
  }
  return a;
}

static bool is_command(const std::string &h) {
  static const char *const cmds[] = {"module", "register", "invoke", "get", "assert_return", "assert_trap",
                                     "assert_exhaustion", "assert_exception", "assert_malformed", "assert_invalid",
                                     "assert_unlinkable", "assert_uninstantiable", "assert_malformed_custom",
                                     "assert_invalid_custom", "thread", "wait", "input", "output"};
  for (const char *c : cmds)
    if (h == c) return true;
  return false;
}

static std::string message_at(const Node &n, size_t i) {
  if (i < n.items.size() && n.items[i].type == Node::String) return n.items[i].text;
  return "";
}

static bool is_annotation(const Node &n) { return n.type == Node::List && n.head().compare(0, 1, "@") == 0; }

/* A copy of the command's structure without annotations (`(@name ...)`, which
 * may stand anywhere, even before a command's keyword), down to `depth`
 * levels: enough for commands, actions, constants and module headers. Text
 * modules keep every annotation: they are passed on as the file's text. */
static Node strip_annotations(const Node &n, int depth) {
  Node c;
  c.type = n.type;
  c.text = n.text;
  c.begin = n.begin;
  c.end = n.end;
  c.line = n.line;
  for (const Node &i : n.items) {
    if (is_annotation(i)) continue;
    c.items.push_back(depth > 0 ? strip_annotations(i, depth - 1) : i);
  }
  return c;
}

std::vector<Command> read_script(const std::string &src) {
  std::vector<Node> raw = parse_sexprs(src), top;
  for (const Node &n : raw)
    if (!is_annotation(n)) top.push_back(n.type == Node::List && n.head() != "module" ? strip_annotations(n, 3)
                                        : strip_annotations(n, 0));
  std::vector<Command> cmds;
  for (size_t t = 0; t < top.size(); t++) {
    const Node &n = top[t];
    if (n.type != Node::List) fail(n.line, "expected a command");
    const std::string &h = n.head();
    Command c;
    c.line = n.line;
    if (!is_command(h)) {
      /* A script that is one module's fields: the fields up to the next command. */
      size_t last = t;
      while (last + 1 < top.size() && top[last + 1].type == Node::List && !is_command(top[last + 1].head())) last++;
      c.kind = Command::Module;
      c.module.form = ModuleSrc::Text;
      c.module.line = n.line;
      c.module.bytes = "(module " + src.substr(n.begin, top[last].end - n.begin) + ")";
      cmds.push_back(std::move(c));
      t = last;
      continue;
    }
    if (h == "module") {
      if (n.items.size() >= 2 && n.items[1].is_atom("instance")) {
        c.kind = Command::ModuleInstance;
        std::vector<std::string> ids;
        for (size_t i = 2; i < n.items.size(); i++) ids.push_back(atom_at(n, i, "a module id").text);
        if (ids.size() == 1) c.id = ids[0];
        else if (ids.size() == 2) c.name = ids[0], c.id = ids[1];
        else fail(n.line, "module instance takes one or two ids");
      } else {
        c.kind = Command::Module;
        c.module = parse_module(src, n);
      }
    } else if (h == "register") {
      c.kind = Command::Register;
      if (n.items.size() < 2 || n.items[1].type != Node::String) fail(n.line, "register needs a name");
      c.name = n.items[1].text;
      if (n.items.size() > 2) c.id = atom_at(n, 2, "a module id").text;
    } else if (h == "invoke" || h == "get") {
      c.kind = Command::Perform;
      c.action = parse_action(src, n);
    } else if (h == "thread" || h == "wait" || h == "input" || h == "output") {
      fail(n.line, "the runner does not implement `" + h + "` (no test of the suite uses it)");
    } else {
      if (n.items.size() < 2 || n.items[1].type != Node::List) fail(n.line, h + " needs a module or an action");
      const Node &subj = n.items[1];
      bool is_module = subj.head() == "module";
      if (is_module) {
        c.has_module = true;
        c.module = parse_module(src, subj);
      } else {
        c.action = parse_action(src, subj);
      }
      if (h == "assert_return") {
        c.kind = Command::AssertReturn;
        if (is_module) fail(n.line, "assert_return needs an action");
        for (size_t i = 2; i < n.items.size(); i++) c.results.push_back(parse_value(src, n.items[i], true));
      } else if (h == "assert_trap") {
        c.kind = Command::AssertTrap;
        c.message = message_at(n, 2);
      } else if (h == "assert_exhaustion") {
        c.kind = Command::AssertExhaustion;
        c.message = message_at(n, 2);
      } else if (h == "assert_exception") {
        c.kind = Command::AssertException;
      } else {
        if (!is_module) fail(n.line, h + " needs a module");
        c.message = message_at(n, 2);
        if (h == "assert_malformed") c.kind = Command::AssertMalformed;
        else if (h == "assert_invalid") c.kind = Command::AssertInvalid;
        else if (h == "assert_unlinkable") c.kind = Command::AssertUnlinkable;
        else if (h == "assert_uninstantiable") c.kind = Command::AssertUninstantiable;
        else if (h == "assert_malformed_custom") c.kind = Command::AssertMalformedCustom;
        else c.kind = Command::AssertInvalidCustom;
      }
      if (!is_module && (c.kind == Command::AssertReturn || c.kind == Command::AssertTrap ||
                         c.kind == Command::AssertExhaustion || c.kind == Command::AssertException)) {
        /* fine: an action */
      } else if (!is_module) {
        fail(n.line, h + " needs a module");
      }
    }
    cmds.push_back(std::move(c));
  }
  return cmds;
}

} // namespace wast
