/* Component values: every WIT value type, nested, through guest exports
 * (echo-*) and through host imports (via-*: the guest hands the value to a
 * host function, which returns it), plus host and guest resources, and
 * every kind of wrong argument, each refused before the guest runs (the
 * instance stays usable), and traps (the instance becomes unusable).
 * The component is ctest/components/values.wat.
 *
 *   test_component_values COMPONENTS_DIR
 */
#include <stdatomic.h>

#include "component_util.h"

static wb_engine_t engine;
static wb_store_t store;
static wb_component_t comp;
static wb_component_linker_t linker;
static wb_component_instance_t inst;
static uint32_t counter_type;
static atomic_int counter_dtors;

typedef struct counter {
  uint32_t value;
} counter_t;

/* ---- the host side ------------------------------------------------------------------ */

static void counter_dtor(void *env, void *user) {
  CHECK(env == &counter_type);
  atomic_fetch_add(&counter_dtors, 1);
  free(user);
}

/* h-*: the guest passes (x, pad); give back the tuple (x, pad). The result
 * may point into the arguments: they live until it has been read. */
static wb_status_t host_pair(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env;
  CHECK(nargs == 2 && result);
  wb_cval_t *items;
  wb_status_t st = wb_component_host_alloc(s, 2 * sizeof *items, (void **)&items);
  if (st) return st;
  items[0] = args[0];
  items[1] = args[1];
  *result = wb_cval_tuple(items, 2);
  return WB_OK;
}

/* hs-*: give back the argument */
static wb_status_t host_same(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)s;
  CHECK(nargs == 1 && result);
  *result = args[0];
  return WB_OK;
}

static wb_status_t make_counter(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env;
  CHECK(nargs == 1 && args[0].kind == WB_CVAL_U32);
  counter_t *c = malloc(sizeof *c);
  c->value = args[0].of.u32;
  wb_resource_t r;
  wb_status_t st = wb_resource_new(s, counter_type, c, &r);
  if (st) return st;
  *result = wb_cval_own(r);
  return WB_OK;
}

static counter_t *counter_of(wb_resource_t r) {
  uint32_t type;
  void *user;
  OK(wb_resource_host_data(r, &type, &user));
  CHECK(type == counter_type);
  return user;
}

static wb_status_t counter_get(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)s;
  CHECK(nargs == 1 && args[0].kind == WB_CVAL_BORROW);
  bool owned = true;
  OK(wb_resource_owned(args[0].of.resource, &owned));
  CHECK(!owned);
  *result = wb_cval_u32(counter_of(args[0].of.resource)->value);
  return WB_OK;
}

static wb_status_t counter_add(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)s;
  CHECK(nargs == 2 && !result);
  counter_of(args[0].of.resource)->value += args[1].of.u32;
  return WB_OK;
}

static wb_status_t host_fail(void *env, wb_store_t s, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)s, (void)args, (void)nargs, (void)result;
  return wb_set_error(WB_ERR_INVALID_ARGUMENT, "deliberate failure");
}

static const char *complex_names[] = {"bytes", "strings", "matrix", "rec", "tup", "var", "color",
                                      "optstr", "optopt", "res", "resempty", "reserr", "perms", "items"};
static const char *scalar_names[] = {"bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char"};

static void define_all(wb_component_linker_t l) {
  char name[64];
  for (size_t i = 0; i < sizeof complex_names / sizeof *complex_names; i++) {
    snprintf(name, sizeof name, "h-%s", complex_names[i]);
    OK(wb_component_linker_define_func(l, NULL, name, host_pair, NULL, NULL));
  }
  for (size_t i = 0; i < sizeof scalar_names / sizeof *scalar_names; i++) {
    snprintf(name, sizeof name, "hs-%s", scalar_names[i]);
    OK(wb_component_linker_define_func(l, "", name, host_same, NULL, NULL));
  }
  OK(wb_component_linker_define_func(l, NULL, "hs-string", host_same, NULL, NULL));
  OK(wb_component_linker_define_resource(l, NULL, "counter", counter_dtor, &counter_type, NULL, &counter_type));
  OK(wb_component_linker_define_func(l, NULL, "make-counter", make_counter, NULL, NULL));
  OK(wb_component_linker_define_func(l, NULL, "counter-get", counter_get, NULL, NULL));
  OK(wb_component_linker_define_func(l, NULL, "counter-add", counter_add, NULL, NULL));
  OK(wb_component_linker_define_func(l, NULL, "host-fail", host_fail, NULL, NULL));
}

/* ---- calling -------------------------------------------------------------------------- */

static wb_component_func_t fn(wb_component_instance_t i, const char *path) {
  wb_component_func_t f;
  OK(wb_component_instance_get_func(i, path, &f));
  return f;
}

static wb_cval_t pad_items[16];

/* Calls NAME(x, pad) and checks that it gives back (x, pad). */
static void roundtrip(const char *name, const wb_cval_t *x) {
  for (int i = 0; i < 16; i++) pad_items[i] = wb_cval_u64((uint64_t)i * 0x0101010101010101ull);
  wb_cval_t args[2] = {*x, wb_cval_tuple(pad_items, 16)};
  wb_cresult_t r = WB_CRESULT_INIT;
  wb_status_t st = wb_component_func_call(fn(inst, name), args, 2, &r);
  if (st != WB_OK) {
    fprintf(stderr, "%s: %s: %s\n", name, wb_status_name(st), wb_last_error());
    exit(1);
  }
  CHECK(r.has_value && r.value.kind == WB_CVAL_TUPLE && r.value.of.list.len == 2);
  if (!cval_equal(&r.value.of.list.items[0], x)) {
    fprintf(stderr, "%s: the value came back different\n", name);
    exit(1);
  }
  CHECK(cval_equal(&r.value.of.list.items[1], &args[1]));
  wb_cresult_dispose(&r);
  wb_cresult_dispose(&r); /* twice is harmless */
}

/* Calls echo-NAME and via-NAME with x. */
static void both(const char *type, const wb_cval_t *x) {
  char name[64];
  snprintf(name, sizeof name, "echo-%s", type);
  roundtrip(name, x);
  snprintf(name, sizeof name, "via-%s", type);
  roundtrip(name, x);
}

/* Calls echo-T and via-T for a scalar or string (one argument, one result). */
static void flat(const char *type, wb_cval_t x) {
  char name[64];
  for (int via = 0; via < 2; via++) {
    snprintf(name, sizeof name, "%s-%s", via ? "via" : "echo", type);
    wb_cresult_t r = WB_CRESULT_INIT;
    OK(wb_component_func_call(fn(inst, name), &x, 1, &r));
    CHECK(r.has_value);
    if (!cval_equal(&r.value, &x)) {
      fprintf(stderr, "%s: the value came back different\n", name);
      exit(1);
    }
    wb_cresult_dispose(&r);
  }
}

static void check_usable(void) {
  OK(wb_component_instance_usable(inst));
  flat("u32", wb_cval_u32(77));
}

/* A wrong argument: refused with want, the message naming part; the
 * instance stays usable. */
static void refused(const char *name, const wb_cval_t *x, wb_status_t want, const char *part) {
  wb_cval_t args[2] = {*x, wb_cval_tuple(pad_items, 16)};
  wb_cresult_t r = WB_CRESULT_INIT;
  EXPECT(wb_component_func_call(fn(inst, name), args, 2, &r), want, part);
  CHECK(!r.has_value);
  check_usable();
}

/* ---- the values ----------------------------------------------------------------------- */

static void scalars_and_strings(void) {
  flat("bool", wb_cval_bool(true));
  flat("bool", wb_cval_bool(false));
  flat("s8", wb_cval_s8(-128));
  flat("u8", wb_cval_u8(255));
  flat("s16", wb_cval_s16(-32768));
  flat("u16", wb_cval_u16(65535));
  flat("s32", wb_cval_s32(INT32_MIN));
  flat("u32", wb_cval_u32(UINT32_MAX));
  flat("s64", wb_cval_s64(INT64_MIN));
  flat("u64", wb_cval_u64(UINT64_MAX));
  flat("f32", wb_cval_f32(-1.5f));
  flat("f32", wb_cval_f32(NAN));
  flat("f64", wb_cval_f64(3.25));
  flat("char", wb_cval_char('A'));
  flat("char", wb_cval_char(0x10FFFF));
  flat("char", wb_cval_char(0x1F600));
  flat("string", wb_cval_string(""));
  flat("string", wb_cval_string("h\xc3\xa9llo \xe2\x9c\x93"));
  char big[1024];
  memset(big, 'k', sizeof big);
  flat("string", wb_cval_string_n(big, sizeof big));
}

static void compound(void) {
  uint8_t bytes[300];
  for (int i = 0; i < 300; i++) bytes[i] = (uint8_t)(i * 7);
  wb_cval_t v = wb_cval_bytes(bytes, sizeof bytes);
  both("bytes", &v);
  wb_cval_t u8s[3] = {wb_cval_u8(1), wb_cval_u8(2), wb_cval_u8(3)};
  v = wb_cval_list(u8s, 3); /* a list<u8> given element by element works too */
  both("bytes", &v);
  v = wb_cval_bytes(NULL, 0);
  both("bytes", &v);

  wb_cval_t strs[3] = {wb_cval_string("one"), wb_cval_string(""), wb_cval_string("\xce\xbb")};
  v = wb_cval_list(strs, 3);
  both("strings", &v);

  wb_cval_t row0[3] = {wb_cval_u32(1), wb_cval_u32(2), wb_cval_u32(3)}, row2[1] = {wb_cval_u32(4)};
  wb_cval_t rows[3] = {wb_cval_list(row0, 3), wb_cval_list(NULL, 0), wb_cval_list(row2, 1)};
  v = wb_cval_list(rows, 3);
  both("matrix", &v);

  wb_cval_t lambda = wb_cval_char(0x3BB);
  wb_cval_t fields[4] = {wb_cval_u32(7), wb_cval_string("bee"), wb_cval_bytes(bytes, 3), wb_cval_option(&lambda)};
  const char *names[4] = {"a", NULL, "c", "d"};
  wb_cval_t rec = wb_cval_record(fields, names, 4);
  both("rec", &rec);
  wb_cval_t rec_positional = wb_cval_record(fields, NULL, 4);
  both("rec", &rec_positional);

  wb_cval_t members[4] = {wb_cval_u8(200), wb_cval_string("tuple"), wb_cval_f64(2.5), wb_cval_bool(true)};
  v = wb_cval_tuple(members, 4);
  both("tup", &v);

  wb_cval_t num = wb_cval_u32(42), text = wb_cval_string("txt");
  v = wb_cval_variant_index(0, NULL);
  both("var", &v);
  v = wb_cval_variant("num", &num);
  both("var", &v);
  v = wb_cval_variant("text", &text);
  both("var", &v);
  v = wb_cval_variant_index(3, &rec);
  both("var", &v);

  v = wb_cval_enum("blue");
  both("color", &v);
  v = wb_cval_enum_index(1);
  both("color", &v);

  v = wb_cval_option(NULL);
  both("optstr", &v);
  v = wb_cval_option(&text);
  both("optstr", &v);

  wb_cval_t five = wb_cval_u32(5), none = wb_cval_option(NULL), some5 = wb_cval_option(&five);
  v = wb_cval_option(NULL);
  both("optopt", &v);
  v = wb_cval_option(&none);
  both("optopt", &v);
  v = wb_cval_option(&some5);
  both("optopt", &v);

  wb_cval_t fine = wb_cval_string("fine"), code = wb_cval_u32(404), bad = wb_cval_string("bad");
  v = wb_cval_result(false, &fine);
  both("res", &v);
  v = wb_cval_result(true, &code);
  both("res", &v);
  v = wb_cval_result(false, NULL);
  both("resempty", &v);
  v = wb_cval_result(true, NULL);
  both("resempty", &v);
  v = wb_cval_result(false, NULL);
  both("reserr", &v);
  v = wb_cval_result(true, &bad);
  both("reserr", &v);

  v = wb_cval_flags(0x205); /* read, exec, f9 */
  both("perms", &v);
  v = wb_cval_flags(0);
  both("perms", &v);

  /* nested: list<item>, item = record { name, v: option<var>, tags: perms, pair: tuple<color, s64> } */
  wb_cval_t var_nested = wb_cval_variant("nested", &rec), var_num = wb_cval_variant("num", &num);
  wb_cval_t pair0[2] = {wb_cval_enum("red"), wb_cval_s64(-9)}, pair1[2] = {wb_cval_enum("green"), wb_cval_s64(1ll << 40)};
  wb_cval_t item0[4] = {wb_cval_string("first"), wb_cval_option(&var_nested), wb_cval_flags(3), wb_cval_tuple(pair0, 2)};
  wb_cval_t item1[4] = {wb_cval_string("second"), wb_cval_option(NULL), wb_cval_flags(0x3FF), wb_cval_tuple(pair1, 2)};
  wb_cval_t item2[4] = {wb_cval_string(""), wb_cval_option(&var_num), wb_cval_flags(0), wb_cval_tuple(pair0, 2)};
  wb_cval_t list[3] = {wb_cval_record(item0, NULL, 4), wb_cval_record(item1, NULL, 4), wb_cval_record(item2, NULL, 4)};
  v = wb_cval_list(list, 3);
  both("items", &v);

  /* the names results carry */
  wb_cval_t args[2] = {rec, wb_cval_tuple(pad_items, 16)};
  wb_cresult_t r = WB_CRESULT_INIT;
  OK(wb_component_func_call(fn(inst, "echo-rec"), args, 2, &r));
  const wb_cval_t *got = &r.value.of.list.items[0];
  CHECK(got->kind == WB_CVAL_RECORD && got->of.list.names && !strcmp(got->of.list.names[1], "b"));
  CHECK(got->of.list.items[2].kind == WB_CVAL_BYTES && got->of.list.items[2].of.bytes.len == 3);
  wb_cresult_dispose(&r);
  args[0] = wb_cval_enum_index(2);
  OK(wb_component_func_call(fn(inst, "via-color"), args, 2, &r));
  CHECK(r.value.of.list.items[0].of.choice.index == 2 && !strcmp(r.value.of.list.items[0].of.choice.name, "blue"));
  wb_cresult_dispose(&r);
}

/* Every kind of wrong argument: a status, and the instance stays usable. */
static void wrong_arguments(void) {
  wb_cval_t v, num = wb_cval_u32(1), lambda = wb_cval_char(0x3BB);
  wb_cval_t fields[4] = {wb_cval_u32(7), wb_cval_string("bee"), wb_cval_bytes(NULL, 0), wb_cval_option(&lambda)};

  v = wb_cval_flags(1u << 12);
  refused("echo-perms", &v, WB_ERR_TYPE_MISMATCH, "beyond the type's 10 flags");
  v = wb_cval_enum("purple");
  refused("echo-color", &v, WB_ERR_TYPE_MISMATCH, "no case \"purple\"");
  v = wb_cval_enum_index(3);
  refused("via-color", &v, WB_ERR_TYPE_MISMATCH, "out of range");
  v = wb_cval_variant("huh", NULL);
  refused("echo-var", &v, WB_ERR_TYPE_MISMATCH, "no case \"huh\"");
  v = wb_cval_variant("num", NULL);
  refused("echo-var", &v, WB_ERR_TYPE_MISMATCH, "needs a payload");
  v = wb_cval_variant("none", &num);
  refused("echo-var", &v, WB_ERR_TYPE_MISMATCH, "has no payload");
  const char *wrong_names[4] = {"a", "x", "c", "d"};
  v = wb_cval_record(fields, wrong_names, 4);
  refused("echo-rec", &v, WB_ERR_TYPE_MISMATCH, "is \"b\", not \"x\"");
  v = wb_cval_record(fields, NULL, 3);
  refused("echo-rec", &v, WB_ERR_TYPE_MISMATCH, "has 4 fields, got 3");
  v = wb_cval_s32(1);
  refused("echo-bytes", &v, WB_ERR_TYPE_MISMATCH, "expected list<u8>, got s32");
  fields[1] = wb_cval_string("b\xc0\xaf" "d");
  v = wb_cval_record(fields, NULL, 4);
  refused("echo-rec", &v, WB_ERR_INVALID_ARGUMENT, "field \"b\": the string is not valid UTF-8");
  fields[1] = wb_cval_string("ok");
  lambda = wb_cval_char(0xD800);
  v = wb_cval_record(fields, NULL, 4);
  refused("via-rec", &v, WB_ERR_INVALID_ARGUMENT, "char 0xD800 is not a Unicode scalar value");
  lambda = wb_cval_char(0x110000);
  refused("via-rec", &v, WB_ERR_INVALID_ARGUMENT, "char 0x110000");
  v = wb_cval_option(NULL);
  v.of.choice.index = 5;
  refused("echo-optstr", &v, WB_ERR_TYPE_MISMATCH, "option index 5");
  v = wb_cval_result(false, &num);
  refused("echo-resempty", &v, WB_ERR_TYPE_MISMATCH, "result ok has no payload");
  v = wb_cval_result(false, NULL);
  refused("echo-res", &v, WB_ERR_TYPE_MISMATCH, "result ok needs a payload");
  wb_cval_t two[2] = {wb_cval_u8(1), wb_cval_string("x")};
  v = wb_cval_tuple(two, 2);
  refused("echo-tup", &v, WB_ERR_TYPE_MISMATCH, "has 4 members, got 2");
  v = wb_cval_list(NULL, 3);
  refused("echo-strings", &v, WB_ERR_INVALID_ARGUMENT, "NULL with a count of 3");
  v = wb_cval_string_n(NULL, 4);
  wb_cval_t strs[2] = {wb_cval_string("fine"), v};
  v = wb_cval_list(strs, 2);
  refused("echo-strings", &v, WB_ERR_INVALID_ARGUMENT, "element 1: the string is NULL");
  v.kind = (wb_cval_kind_t)99;
  refused("echo-strings", &v, WB_ERR_TYPE_MISMATCH, "an invalid wb_cval_kind_t");
  /* deep inside: list<item> -> item 1 -> field "pair" -> member 0 -> enum case */
  wb_cval_t pair[2] = {wb_cval_enum("mauve"), wb_cval_s64(0)};
  wb_cval_t item[4] = {wb_cval_string("n"), wb_cval_option(NULL), wb_cval_flags(0), wb_cval_tuple(pair, 2)};
  wb_cval_t good_pair[2] = {wb_cval_enum("red"), wb_cval_s64(0)};
  wb_cval_t good[4] = {wb_cval_string("n"), wb_cval_option(NULL), wb_cval_flags(0), wb_cval_tuple(good_pair, 2)};
  wb_cval_t items[2] = {wb_cval_record(good, NULL, 4), wb_cval_record(item, NULL, 4)};
  v = wb_cval_list(items, 2);
  refused("via-items", &v, WB_ERR_TYPE_MISMATCH, "element 1: field \"pair\": member 0: the enum has no case \"mauve\"");

  /* counts: also refused before the guest runs */
  wb_cresult_t r = WB_CRESULT_INIT;
  wb_cval_t one = wb_cval_u32(1);
  EXPECT(wb_component_func_call(fn(inst, "echo-u32"), &one, 2, &r), WB_ERR_TYPE_MISMATCH, "takes 1 arguments");
  EXPECT(wb_component_func_call(fn(inst, "echo-u32"), NULL, 1, &r), WB_ERR_INVALID_ARGUMENT, "args is NULL");
  EXPECT(wb_component_func_call(fn(inst, "echo-u32"), &one, 1, NULL), WB_ERR_INVALID_ARGUMENT, "out is NULL");
  check_usable();
}

/* ---- resources ----------------------------------------------------------------------------- */

static wb_cresult_t call1(const char *name, wb_cval_t arg) {
  wb_cresult_t r = WB_CRESULT_INIT;
  OK(wb_component_func_call(fn(inst, name), &arg, 1, &r));
  return r;
}

static void resources(void) {
  /* a host resource the host makes, lent to the guest, then moved to it */
  counter_t *c = malloc(sizeof *c);
  c->value = 10;
  wb_resource_t res;
  OK(wb_resource_new(store, counter_type, c, &res));
  bool owned = false;
  OK(wb_resource_owned(res, &owned));
  CHECK(owned);
  wb_cval_t args[2] = {wb_cval_borrow(res), wb_cval_u32(5)};
  wb_cresult_t r = WB_CRESULT_INIT;
  OK(wb_component_func_call(fn(inst, "counter-sum"), args, 2, &r));
  CHECK(r.value.of.u32 == 15 && c->value == 15);
  OK(wb_component_func_call(fn(inst, "counter-sum"), args, 2, &r)); /* a borrow leaves it with the host */
  CHECK(r.value.of.u32 == 20);
  int before = atomic_load(&counter_dtors);
  r = call1("counter-take", wb_cval_own(res)); /* moved: the guest drops it, the destructor runs */
  CHECK(r.value.of.u32 == 20);
  CHECK(atomic_load(&counter_dtors) == before + 1);
  /* the handle is used up */
  EXPECT(wb_component_func_call(fn(inst, "counter-sum"), args, 2, &r), WB_ERR_INVALID_HANDLE, "");
  EXPECT(wb_resource_drop(res), WB_ERR_INVALID_HANDLE, "");
  check_usable();

  /* a host resource the guest makes (through the host) and returns: the
   * host gets its user pointer back, and dropping it runs the destructor */
  r = call1("counter-make", wb_cval_u32(7));
  CHECK(r.value.kind == WB_CVAL_OWN);
  wb_resource_t made = r.value.of.resource;
  wb_cresult_dispose(&r); /* the handle outlives the result */
  CHECK(counter_of(made)->value == 7);
  before = atomic_load(&counter_dtors);
  OK(wb_resource_drop(made));
  CHECK(atomic_load(&counter_dtors) == before + 1);
  EXPECT(wb_resource_host_data(made, NULL, NULL), WB_ERR_INVALID_HANDLE, "");

  /* mistakes with resources: refused, instance usable */
  c = malloc(sizeof *c);
  c->value = 1;
  OK(wb_resource_new(store, counter_type, c, &res));
  wb_cval_t twice[2] = {wb_cval_own(res), wb_cval_borrow(res)}; /* moved and lent at once */
  EXPECT(wb_component_func_call(fn(inst, "counter-pair"), twice, 2, &r), WB_ERR_INVALID_ARGUMENT, "passed twice");
  args[0] = wb_cval_own(res); /* counter-sum wants a borrow */
  EXPECT(wb_component_func_call(fn(inst, "counter-sum"), args, 2, &r), WB_ERR_TYPE_MISMATCH, "expected borrow");
  r = call1("[constructor]blob", wb_cval_u32(42));
  wb_resource_t blob = r.value.of.resource;
  wb_cresult_dispose(&r);
  args[0] = wb_cval_borrow(blob); /* a blob where a counter belongs */
  EXPECT(wb_component_func_call(fn(inst, "counter-sum"), args, 2, &r), WB_ERR_TYPE_MISMATCH,
         "another resource type");
  wb_store_t other;
  wb_resource_t foreign;
  c = malloc(sizeof *c);
  c->value = 3;
  OK(wb_store_new(engine, &other));
  OK(wb_resource_new(other, counter_type, c, &foreign));
  args[0] = wb_cval_borrow(foreign); /* of another store */
  EXPECT(wb_component_func_call(fn(inst, "counter-sum"), args, 2, &r), WB_ERR_INVALID_ARGUMENT, "another store");
  before = atomic_load(&counter_dtors);
  OK(wb_store_delete(other)); /* its resource's destructor runs with it */
  CHECK(atomic_load(&counter_dtors) == before + 1);
  args[0] = wb_cval_borrow(foreign);
  EXPECT(wb_component_func_call(fn(inst, "counter-sum"), args, 2, &r), WB_ERR_INVALID_HANDLE, "deleted");
  check_usable();

  /* the guest keeps one: the destructor runs when the store goes (main) */
  r = call1("counter-keep", wb_cval_own(res));
  CHECK(!r.has_value);

  /* a guest resource: constructor, method (borrow), consume (own), drop */
  wb_cval_t self = wb_cval_borrow(blob);
  r = call1("[method]blob.get", self);
  CHECK(r.value.of.u32 == 42);
  bool is_owned = false;
  OK(wb_resource_owned(blob, &is_owned));
  CHECK(is_owned);
  EXPECT(wb_resource_host_data(blob, NULL, NULL), WB_ERR_TYPE_MISMATCH, "defined by the guest");
  wb_cresult_t d0 = WB_CRESULT_INIT, d1 = WB_CRESULT_INIT;
  OK(wb_component_func_call(fn(inst, "blob-dtors"), NULL, 0, &d0));
  r = call1("blob-consume", wb_cval_own(blob));
  CHECK(r.value.of.u32 == 42);
  OK(wb_component_func_call(fn(inst, "blob-dtors"), NULL, 0, &d1));
  CHECK(d1.value.of.u32 == d0.value.of.u32 + 1);
  r = call1("[constructor]blob", wb_cval_u32(9));
  blob = r.value.of.resource;
  wb_cresult_dispose(&r);
  OK(wb_resource_drop(blob)); /* the guest's destructor runs: wasm */
  OK(wb_component_func_call(fn(inst, "blob-dtors"), NULL, 0, &d0));
  CHECK(d0.value.of.u32 == d1.value.of.u32 + 1);
  EXPECT(wb_resource_drop(blob), WB_ERR_INVALID_HANDLE, "");
  check_usable();
}

/* ---- traps --------------------------------------------------------------------------------- */

static void traps(void) {
  wb_cresult_t r = WB_CRESULT_INIT;
  EXPECT(wb_component_func_call(fn(inst, "trap"), NULL, 0, &r), WB_ERR_TRAP, "unreachable");
  CHECK(wb_last_trap_code() == WB_TRAP_UNREACHABLE);
  CHECK(!strstr(wb_last_error(), "Stack backtrace")); /* no Rust backtrace (RUST_BACKTRACE may be set) */
  EXPECT(wb_component_instance_usable(inst), WB_ERR_UNUSABLE, "unreachable");
  wb_cval_t x = wb_cval_u32(1);
  EXPECT(wb_component_func_call(fn(inst, "echo-u32"), &x, 1, &r), WB_ERR_UNUSABLE, "make a new instance");

  /* a failing host function traps the guest with its message */
  OK(wb_component_linker_instantiate(linker, store, comp, &inst));
  EXPECT(wb_component_func_call(fn(inst, "via-fail"), &x, 1, &r), WB_ERR_TRAP,
         "host function host-fail failed with WB_ERR_INVALID_ARGUMENT: deliberate failure");
  CHECK(wb_last_trap_code() == WB_TRAP_HOST);
  EXPECT(wb_component_func_call(fn(inst, "echo-u32"), &x, 1, &r), WB_ERR_UNUSABLE, "deliberate failure");

  /* an interrupt (a call timeout) stops a loop: unusable too; the store is fine */
  OK(wb_component_linker_instantiate(linker, store, comp, &inst));
  OK(wb_store_set_call_timeout(store, 30));
  EXPECT(wb_component_func_call(fn(inst, "spin"), NULL, 0, &r), WB_ERR_INTERRUPTED, "");
  CHECK(wb_last_trap_code() == WB_TRAP_INTERRUPT);
  EXPECT(wb_component_instance_usable(inst), WB_ERR_UNUSABLE, "");
  OK(wb_store_set_call_timeout(store, 0));
  OK(wb_component_linker_instantiate(linker, store, comp, &inst));
  check_usable();
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  components_dir = argv[1];
  OK(wb_engine_new(NULL, &engine));
  comp = load_component(engine, "values.wat");
  OK(wb_component_linker_new(engine, &linker));
  define_all(linker);
  OK(wb_store_new(engine, &store));
  OK(wb_component_linker_instantiate(linker, store, comp, &inst));
  scalars_and_strings();
  compound();
  wrong_arguments();
  resources();
  traps();
  int before = atomic_load(&counter_dtors);
  OK(wb_store_delete(store)); /* the counter the guest kept: its destructor runs now */
  CHECK(atomic_load(&counter_dtors) == before + 1);
  OK(wb_component_linker_delete(linker));
  OK(wb_component_delete(comp));
  OK(wb_engine_delete(engine));
  check_no_live_handles();
  DONE("component_values");
}
