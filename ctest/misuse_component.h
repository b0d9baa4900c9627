/* The component rows of the misuse matrix (included by test_misuse.c, which
 * supplies cell(), check_cell(), bad_id() and the core objects): every
 * component function against bad handles of each class, the wrong thread, a
 * released store, NULL pointers, bad lengths and names, and calls from
 * inside host and log callbacks. */
#ifndef WB_MISUSE_COMPONENT_H
#define WB_MISUSE_COMPONENT_H

enum { CK_COMPONENT, CK_TEMPLATE, CK_LINKER, CK_INSTANCE, CK_FUNC, CK_RESOURCE, CK_POOL, CK_COUNT };

static struct {
  uint64_t live[CK_COUNT];
  uint64_t deleted[CK_COUNT];
  wb_store_t store, released; /* the main thread's store, and one released */
  uint64_t released_instance, released_func, released_resource;
  uint32_t resource_type, add_index;
  wb_module_t module_other_engine;
  wb_engine_t other_engine;
} co;

static uint64_t cbad_id(int k, int c) {
  switch (c) {
  case C_NULL: return 0;
  case C_DELETED: return co.deleted[k];
  case C_FORGED: return co.live[k] ^ (UINT64_C(0x5a5a) << 40);
  default: (void)k; return o.live[K_FUNC]; /* a core func where a component object belongs */
  }
}

#define CHANDLE_CELLS(fn, k, T, null_ok, call)                                                       \
  for (int c_ = 0; c_ < C_HANDLE_CLASSES; c_++) {                                                    \
    T h = {cbad_id(k, c_)};                                                                          \
    int ok_ = (null_ok) && c_ == C_NULL;                                                             \
    cell(fn, class_names[c_], ok_ ? WB_OK : WB_ERR_INVALID_HANDLE, ok_ ? "" : bad_part(0, c_), (call)); \
  }

static const char *COMPONENT_TEXT =
    "(component\n"
    "  (import \"ns:m/host@1.0.0\" (instance $h (export \"cb\" (func))))\n"
    "  (alias export $h \"cb\" (func $cb))\n"
    "  (core func $cb_l (canon lower (func $cb)))\n"
    "  (core module $m (import \"h\" \"cb\" (func $cb))\n"
    "    (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)\n"
    "    (func (export \"in-callback\") call $cb))\n"
    "  (core instance $i (instantiate $m (with \"h\" (instance (export \"cb\" (func $cb_l))))))\n"
    "  (func (export \"add\") (param \"a\" u32) (param \"b\" u32) (result u32) (canon lift (core func $i \"add\")))\n"
    "  (func (export \"in-callback\") (canon lift (core func $i \"in-callback\"))))";

/* ---- inside a component host function ------------------------------------------------------ */

static wb_status_t component_callback_cells(void *env, wb_store_t store, const wb_cval_t *args, size_t nargs,
                                            wb_cval_t *result) {
  (void)env, (void)args, (void)nargs, (void)result;
  void *p;
  wb_cval_t ab[2] = {wb_cval_u32(1), wb_cval_u32(2)};
  wb_cresult_t r = WB_CRESULT_INIT;
  wb_component_func_t in_callback;
  CELL("wb_component_host_alloc", "inside a host function", WB_OK, "", wb_component_host_alloc(store, 64, &p));
  CELL("wb_component_host_alloc", "zero size", WB_ERR_INVALID_ARGUMENT, "size 0", wb_component_host_alloc(store, 0, &p));
  CELL("wb_component_host_alloc", "oversized", WB_ERR_INVALID_ARGUMENT, "over 1 GiB", wb_component_host_alloc(store, SIZE_MAX, &p));
  CELL("wb_component_host_alloc", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_host_alloc(store, 8, NULL));
  CELL("wb_store_delete", "own store in a component callback", WB_ERR_BUSY, "inside one of its own calls", wb_store_delete(store));
  /* back into the calling instance: the component model forbids it */
  OK(wb_component_instance_get_func((wb_component_instance_t){co.live[CK_INSTANCE]}, "in-callback", &in_callback));
  CELL("wb_component_func_call", "re-entering the calling instance", WB_ERR_BUSY, "re-entering",
       wb_component_func_call(in_callback, NULL, 0, &r));
  CELL("wb_component_func_call", "re-entering, another function", WB_ERR_BUSY, "re-entering",
       wb_component_func_call((wb_component_func_t){co.live[CK_FUNC]}, ab, 2, &r));
  CELL("wb_component_run", "re-entering", WB_ERR_NOT_FOUND, "not a WASI 0.2 command",
       wb_component_run((wb_component_instance_t){co.live[CK_INSTANCE]}));
  return WB_OK;
}

/* ---- in the log callback -------------------------------------------------------------------- */

static void component_log_cells(void) {
  const char *why = "log callback";
  wb_component_t c;
  wb_component_linker_t l;
  wb_cresult_t r = WB_CRESULT_INIT;
  wb_cval_t ab[2] = {wb_cval_u32(1), wb_cval_u32(2)};
  wb_resource_t res;
  wb_engine_t E = {o.live[K_ENGINE]};
  CELL("wb_component_new", "in the log callback", WB_ERR_BUSY, why,
       wb_component_new(E, (const uint8_t *)COMPONENT_TEXT, strlen(COMPONENT_TEXT), &c));
  CELL("wb_component_linker_new", "in the log callback", WB_ERR_BUSY, why, wb_component_linker_new(E, &l));
  CELL("wb_component_func_call", "in the log callback", WB_ERR_BUSY, why,
       wb_component_func_call((wb_component_func_t){co.live[CK_FUNC]}, ab, 2, &r));
  CELL("wb_resource_new", "in the log callback", WB_ERR_BUSY, why, wb_resource_new(co.store, co.resource_type, NULL, &res));
  CELL("wb_component_pool_call", "in the log callback", WB_ERR_BUSY, why,
       wb_component_pool_call((wb_component_pool_t){co.live[CK_POOL]}, co.add_index, ab, 2, &r));
}

/* ---- on a thread that owns nothing ------------------------------------------------------------ */

static void component_wrong_thread_cells(void) {
  const char *cls = "wrong thread", *part = "wrong thread", *creator = "created by thread";
  wb_component_linker_t L = {co.live[CK_LINKER]};
  wb_component_instance_t I = {co.live[CK_INSTANCE]}, i2;
  wb_component_func_t F = {co.live[CK_FUNC]}, f2;
  wb_resource_t R = {co.live[CK_RESOURCE]};
  wb_component_t C = {co.live[CK_COMPONENT]};
  wb_component_template_t T = {co.live[CK_TEMPLATE]}, t2;
  wb_cval_t ab[2] = {wb_cval_u32(1), wb_cval_u32(2)};
  wb_cresult_t r = WB_CRESULT_INIT;
  wb_bytes_t bytes;
  uint32_t type, index;
  void *p;
  bool owned;
  CELL("wb_component_linker_delete", cls, WB_ERR_WRONG_THREAD, creator, wb_component_linker_delete(L));
  CELL("wb_component_linker_allow_shadowing", cls, WB_ERR_WRONG_THREAD, creator, wb_component_linker_allow_shadowing(L, true));
  CELL("wb_component_linker_define_func", cls, WB_ERR_WRONG_THREAD, creator,
       wb_component_linker_define_func(L, NULL, "x", component_callback_cells, NULL, NULL));
  CELL("wb_component_linker_define_resource", cls, WB_ERR_WRONG_THREAD, creator,
       wb_component_linker_define_resource(L, NULL, "x", NULL, NULL, NULL, &type));
  CELL("wb_component_linker_define_module", cls, WB_ERR_WRONG_THREAD, creator,
       wb_component_linker_define_module(L, NULL, "x", (wb_module_t){o.live[K_MODULE]}));
  CELL("wb_component_linker_define_wasi", cls, WB_ERR_WRONG_THREAD, creator, wb_component_linker_define_wasi(L));
  CELL("wb_component_linker_instantiate", cls, WB_ERR_WRONG_THREAD, creator,
       wb_component_linker_instantiate(L, co.store, C, &i2));
  CELL("wb_component_template_new", cls, WB_ERR_WRONG_THREAD, creator, wb_component_template_new(L, C, &t2));
  CELL("wb_component_template_instantiate", cls, WB_ERR_WRONG_THREAD, part,
       wb_component_template_instantiate(T, co.store, &i2));
  CELL("wb_component_host_alloc", cls, WB_ERR_WRONG_THREAD, part, wb_component_host_alloc(co.store, 8, &p));
  CELL("wb_component_instance_func", cls, WB_ERR_WRONG_THREAD, part, wb_component_instance_func(I, co.add_index, &f2));
  CELL("wb_component_instance_get_func", cls, WB_ERR_WRONG_THREAD, part, wb_component_instance_get_func(I, "add", &f2));
  CELL("wb_component_instance_usable", cls, WB_ERR_WRONG_THREAD, part, wb_component_instance_usable(I));
  CELL("wb_component_func_call", cls, WB_ERR_WRONG_THREAD, part, wb_component_func_call(F, ab, 2, &r));
  CELL("wb_component_func_type", cls, WB_ERR_WRONG_THREAD, part, wb_component_func_type(F, &bytes));
  CELL("wb_component_run", cls, WB_ERR_WRONG_THREAD, part, wb_component_run(I));
  CELL("wb_resource_new", cls, WB_ERR_WRONG_THREAD, part, wb_resource_new(co.store, co.resource_type, NULL, (wb_resource_t *)&i2));
  CELL("wb_resource_drop", cls, WB_ERR_WRONG_THREAD, part, wb_resource_drop(R));
  CELL("wb_resource_host_data", cls, WB_ERR_WRONG_THREAD, part, wb_resource_host_data(R, &type, &p));
  CELL("wb_resource_owned", cls, WB_ERR_WRONG_THREAD, part, wb_resource_owned(R, &owned));
  /* shared objects: any thread */
  CELL("wb_component_func_index", "another thread", WB_OK, "", wb_component_func_index(C, "add", &index));
  CELL("wb_component_template_func_index", "another thread", WB_OK, "", wb_component_template_func_index(T, "add", &index));
  CELL("wb_component_pool_call", "another thread", WB_OK, "",
       wb_component_pool_call((wb_component_pool_t){co.live[CK_POOL]}, co.add_index, ab, 2, &r));
}

/* ---- the released store ------------------------------------------------------------------------ */

static void component_released_cells(void) {
  const char *cls = "released store", *part = "released";
  wb_component_instance_t I = {co.released_instance}, i2;
  wb_component_func_t F = {co.released_func}, f2;
  wb_resource_t R = {co.released_resource};
  wb_cval_t ab[2] = {wb_cval_u32(1), wb_cval_u32(2)};
  wb_cresult_t r = WB_CRESULT_INIT;
  CELL("wb_component_func_call", cls, WB_ERR_WRONG_THREAD, part, wb_component_func_call(F, ab, 2, &r));
  CELL("wb_component_instance_func", cls, WB_ERR_WRONG_THREAD, part, wb_component_instance_func(I, co.add_index, &f2));
  CELL("wb_component_template_instantiate", cls, WB_ERR_WRONG_THREAD, part,
       wb_component_template_instantiate((wb_component_template_t){co.live[CK_TEMPLATE]}, co.released, &i2));
  CELL("wb_resource_drop", cls, WB_ERR_WRONG_THREAD, part, wb_resource_drop(R));
  CELL("wb_resource_new", cls, WB_ERR_WRONG_THREAD, part, wb_resource_new(co.released, co.resource_type, NULL, &R));
}

/* ---- handle classes and pointers, function by function -------------------------------------------- */

static void component_main_cells(void) {
  wb_engine_t E = {o.live[K_ENGINE]};
  wb_component_t C = {co.live[CK_COMPONENT]}, c;
  wb_component_template_t T = {co.live[CK_TEMPLATE]}, t;
  wb_component_linker_t L = {co.live[CK_LINKER]}, l;
  wb_component_instance_t I = {co.live[CK_INSTANCE]}, i;
  wb_component_func_t F = {co.live[CK_FUNC]}, f;
  wb_resource_t R = {co.live[CK_RESOURCE]}, res;
  wb_component_pool_t P = {co.live[CK_POOL]}, p;
  wb_store_t S = co.store;
  const uint8_t *text = (const uint8_t *)COMPONENT_TEXT;
  size_t len = strlen(COMPONENT_TEXT), huge = (size_t)1 << 40;
  const uint8_t *core = (const uint8_t *)"(module)";
  wb_cval_t ab[2] = {wb_cval_u32(1), wb_cval_u32(2)};
  wb_cresult_t r = WB_CRESULT_INIT;
  wb_citem_list_t list;
  wb_bytes_t bytes;
  uint32_t index, type;
  uint8_t buf[16];
  void *ptr;
  bool owned;
  wb_pool_config_t pcfg;

  /* values: builders and disposal never fail */
  check_cell("wb_cresult_dispose", "NULL", (wb_cresult_dispose(NULL), 1));
  check_cell("wb_cresult_dispose", "empty, twice", (wb_cresult_dispose(&r), wb_cresult_dispose(&r), 1));
  check_cell("wb_citem_list_dispose", "NULL", (wb_citem_list_dispose(NULL), 1));
  check_cell("wb_cval_bool", "kind", wb_cval_bool(true).kind == WB_CVAL_BOOL);
  check_cell("wb_cval_s8", "kind", wb_cval_s8(-1).of.s8 == -1);
  check_cell("wb_cval_u8", "kind", wb_cval_u8(255).of.u8 == 255);
  check_cell("wb_cval_s16", "kind", wb_cval_s16(-2).kind == WB_CVAL_S16);
  check_cell("wb_cval_u16", "kind", wb_cval_u16(2).kind == WB_CVAL_U16);
  check_cell("wb_cval_s32", "kind", wb_cval_s32(-3).kind == WB_CVAL_S32);
  check_cell("wb_cval_u32", "kind", wb_cval_u32(3).of.u32 == 3);
  check_cell("wb_cval_s64", "kind", wb_cval_s64(-4).kind == WB_CVAL_S64);
  check_cell("wb_cval_u64", "kind", wb_cval_u64(4).kind == WB_CVAL_U64);
  check_cell("wb_cval_f32", "kind", wb_cval_f32(1.5f).of.f32 == 1.5f);
  check_cell("wb_cval_f64", "kind", wb_cval_f64(2.5).of.f64 == 2.5);
  check_cell("wb_cval_char", "invalid char (checked when passed)", wb_cval_char(0xD800).kind == WB_CVAL_CHAR);
  check_cell("wb_cval_string", "NULL is the empty string", wb_cval_string(NULL).of.str.len == 0);
  check_cell("wb_cval_string_n", "NULL with a length (checked when passed)", wb_cval_string_n(NULL, 3).of.str.len == 3);
  check_cell("wb_cval_bytes", "kind", wb_cval_bytes(buf, 4).kind == WB_CVAL_BYTES);
  check_cell("wb_cval_list", "kind", wb_cval_list(ab, 2).of.list.len == 2);
  check_cell("wb_cval_tuple", "kind", wb_cval_tuple(ab, 2).kind == WB_CVAL_TUPLE);
  check_cell("wb_cval_record", "kind", wb_cval_record(ab, NULL, 2).kind == WB_CVAL_RECORD);
  check_cell("wb_cval_variant", "NULL name", wb_cval_variant(NULL, NULL).of.choice.name != NULL);
  check_cell("wb_cval_variant_index", "kind", wb_cval_variant_index(7, NULL).of.choice.index == 7);
  check_cell("wb_cval_enum", "NULL name", wb_cval_enum(NULL).of.choice.name != NULL);
  check_cell("wb_cval_enum_index", "kind", wb_cval_enum_index(1).kind == WB_CVAL_ENUM);
  check_cell("wb_cval_option", "none", wb_cval_option(NULL).of.choice.index == 0);
  check_cell("wb_cval_result", "err", wb_cval_result(true, NULL).of.choice.index == 1);
  check_cell("wb_cval_flags", "bits", wb_cval_flags(5).of.flags == 5);
  check_cell("wb_cval_own", "kind", wb_cval_own(R).kind == WB_CVAL_OWN);
  check_cell("wb_cval_borrow", "kind", wb_cval_borrow(R).kind == WB_CVAL_BORROW);

  /* components */
  HANDLE_CELLS("wb_component_new", K_ENGINE, wb_engine_t, 0, wb_component_new(h, text, len, &c));
  CELL("wb_component_new", "NULL bytes", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_new(E, NULL, len, &c));
  CELL("wb_component_new", "zero length", WB_ERR_INVALID_ARGUMENT, "len", wb_component_new(E, text, 0, &c));
  CELL("wb_component_new", "overflowing length", WB_ERR_INVALID_ARGUMENT, "limit", wb_component_new(E, text, huge, &c));
  CELL("wb_component_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_new(E, text, len, NULL));
  CELL("wb_component_new", "invalid UTF-8 text", WB_ERR_COMPILE, "", wb_component_new(E, (const uint8_t *)BAD_UTF8, 3, &c));
  CELL("wb_component_new", "a core module", WB_ERR_COMPILE, "invalid component", wb_component_new(E, core, 8, &c));
  HANDLE_CELLS("wb_component_validate", K_ENGINE, wb_engine_t, 0, wb_component_validate(h, text, len));
  CELL("wb_component_validate", "valid", WB_OK, "", wb_component_validate(E, text, len));
  CELL("wb_component_validate", "NULL bytes", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_validate(E, NULL, 4));
  CELL("wb_component_validate", "overflowing length", WB_ERR_INVALID_ARGUMENT, "limit", wb_component_validate(E, text, huge));
  CELL("wb_component_validate", "a core module", WB_ERR_COMPILE, "", wb_component_validate(E, core, 8));
  CHANDLE_CELLS("wb_component_delete", CK_COMPONENT, wb_component_t, 1, wb_component_delete(h));
  CHANDLE_CELLS("wb_component_serialize", CK_COMPONENT, wb_component_t, 0, wb_component_serialize(h, &bytes));
  CELL("wb_component_serialize", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_serialize(C, NULL));
  HANDLE_CELLS("wb_component_deserialize", K_ENGINE, wb_engine_t, 0, wb_component_deserialize(h, buf, 8, &c));
  CELL("wb_component_deserialize", "NULL bytes", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_deserialize(E, NULL, 8, &c));
  CELL("wb_component_deserialize", "overflowing length", WB_ERR_INVALID_ARGUMENT, "limit", wb_component_deserialize(E, buf, huge, &c));
  CELL("wb_component_deserialize", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_deserialize(E, buf, 8, NULL));
  memset(buf, 0x41, sizeof buf);
  CELL("wb_component_deserialize", "garbage", WB_ERR_COMPILE, "deserialize", wb_component_deserialize(E, buf, 8, &c));
  CHANDLE_CELLS("wb_component_imports", CK_COMPONENT, wb_component_t, 0, wb_component_imports(h, &list));
  CELL("wb_component_imports", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_imports(C, NULL));
  CHANDLE_CELLS("wb_component_exports", CK_COMPONENT, wb_component_t, 0, wb_component_exports(h, &list));
  CELL("wb_component_exports", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_exports(C, NULL));
  CHANDLE_CELLS("wb_component_func_index", CK_COMPONENT, wb_component_t, 0, wb_component_func_index(h, "add", &index));
  CELL("wb_component_func_index", "NULL path", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_func_index(C, NULL, &index));
  CELL("wb_component_func_index", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_component_func_index(C, BAD_UTF8, &index));
  CELL("wb_component_func_index", "overlong path", WB_ERR_INVALID_ARGUMENT, "longer than", wb_component_func_index(C, long_name, &index));
  CELL("wb_component_func_index", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_func_index(C, "add", NULL));
  CELL("wb_component_func_index", "missing", WB_ERR_NOT_FOUND, "\"nope\"", wb_component_func_index(C, "nope", &index));
  CELL("wb_component_func_index", "no instance", WB_ERR_NOT_FOUND, "\"add\" is not an instance",
       wb_component_func_index(C, "add#x", &index));

  /* linkers */
  HANDLE_CELLS("wb_component_linker_new", K_ENGINE, wb_engine_t, 0, wb_component_linker_new(h, &l));
  CELL("wb_component_linker_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_linker_new(E, NULL));
  CHANDLE_CELLS("wb_component_linker_delete", CK_LINKER, wb_component_linker_t, 1, wb_component_linker_delete(h));
  CHANDLE_CELLS("wb_component_linker_allow_shadowing", CK_LINKER, wb_component_linker_t, 0,
                wb_component_linker_allow_shadowing(h, false));
  CHANDLE_CELLS("wb_component_linker_define_func", CK_LINKER, wb_component_linker_t, 0,
                wb_component_linker_define_func(h, NULL, "x", component_callback_cells, NULL, NULL));
  CELL("wb_component_linker_define_func", "NULL name", WB_ERR_INVALID_ARGUMENT, "name is NULL",
       wb_component_linker_define_func(L, NULL, NULL, component_callback_cells, NULL, NULL));
  CELL("wb_component_linker_define_func", "empty name", WB_ERR_INVALID_ARGUMENT, "empty",
       wb_component_linker_define_func(L, NULL, "", component_callback_cells, NULL, NULL));
  CELL("wb_component_linker_define_func", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8",
       wb_component_linker_define_func(L, BAD_UTF8, "x", component_callback_cells, NULL, NULL));
  CELL("wb_component_linker_define_func", "overlong name", WB_ERR_INVALID_ARGUMENT, "longer than",
       wb_component_linker_define_func(L, NULL, long_name, component_callback_cells, NULL, NULL));
  CELL("wb_component_linker_define_func", "'#' in iface", WB_ERR_INVALID_ARGUMENT, "'#'",
       wb_component_linker_define_func(L, "a#b", "x", component_callback_cells, NULL, NULL));
  CELL("wb_component_linker_define_func", "NULL callback", WB_ERR_INVALID_ARGUMENT, "callback",
       wb_component_linker_define_func(L, NULL, "x", NULL, NULL, NULL));
  CELL("wb_component_linker_define_func", "duplicate", WB_ERR_LINK, "defined twice",
       wb_component_linker_define_func(L, "ns:m/host@1.0.0", "cb", component_callback_cells, NULL, NULL));
  CHANDLE_CELLS("wb_component_linker_define_resource", CK_LINKER, wb_component_linker_t, 0,
                wb_component_linker_define_resource(h, NULL, "r", NULL, NULL, NULL, &type));
  CELL("wb_component_linker_define_resource", "NULL type_out", WB_ERR_INVALID_ARGUMENT, "type_out",
       wb_component_linker_define_resource(L, NULL, "r2", NULL, NULL, NULL, NULL));
  CELL("wb_component_linker_define_resource", "NULL name", WB_ERR_INVALID_ARGUMENT, "name is NULL",
       wb_component_linker_define_resource(L, NULL, NULL, NULL, NULL, NULL, &type));
  CELL("wb_component_linker_define_resource", "duplicate", WB_ERR_LINK, "defined twice",
       wb_component_linker_define_resource(L, NULL, "thing", NULL, NULL, NULL, &type));
  CHANDLE_CELLS("wb_component_linker_define_module", CK_LINKER, wb_component_linker_t, 0,
                wb_component_linker_define_module(h, NULL, "m", (wb_module_t){o.live[K_MODULE]}));
  HANDLE_CELLS("wb_component_linker_define_module", K_MODULE, wb_module_t, 0,
               wb_component_linker_define_module(L, NULL, "m", h));
  CELL("wb_component_linker_define_module", "module of another engine", WB_ERR_INVALID_ARGUMENT, "another engine",
       wb_component_linker_define_module(L, NULL, "m", co.module_other_engine));
  CELL("wb_component_linker_define_module", "NULL name", WB_ERR_INVALID_ARGUMENT, "name is NULL",
       wb_component_linker_define_module(L, NULL, NULL, (wb_module_t){o.live[K_MODULE]}));
  CHANDLE_CELLS("wb_component_linker_define_wasi", CK_LINKER, wb_component_linker_t, 0, wb_component_linker_define_wasi(h));
  CHANDLE_CELLS("wb_component_linker_instantiate", CK_LINKER, wb_component_linker_t, 0,
                wb_component_linker_instantiate(h, S, C, &i));
  HANDLE_CELLS("wb_component_linker_instantiate", K_STORE, wb_store_t, 0, wb_component_linker_instantiate(L, h, C, &i));
  CHANDLE_CELLS("wb_component_linker_instantiate", CK_COMPONENT, wb_component_t, 0,
                wb_component_linker_instantiate(L, S, h, &i));
  CELL("wb_component_linker_instantiate", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_linker_instantiate(L, S, C, NULL));
  HANDLE_CELLS("wb_component_host_alloc", K_STORE, wb_store_t, 0, wb_component_host_alloc(h, 8, &ptr));
  CELL("wb_component_host_alloc", "outside a host function", WB_ERR_BUSY, "only inside", wb_component_host_alloc(S, 8, &ptr));

  /* templates */
  CHANDLE_CELLS("wb_component_template_new", CK_LINKER, wb_component_linker_t, 0, wb_component_template_new(h, C, &t));
  CHANDLE_CELLS("wb_component_template_new", CK_COMPONENT, wb_component_t, 0, wb_component_template_new(L, h, &t));
  CELL("wb_component_template_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_template_new(L, C, NULL));
  CHANDLE_CELLS("wb_component_template_instantiate", CK_TEMPLATE, wb_component_template_t, 0,
                wb_component_template_instantiate(h, S, &i));
  HANDLE_CELLS("wb_component_template_instantiate", K_STORE, wb_store_t, 0, wb_component_template_instantiate(T, h, &i));
  CELL("wb_component_template_instantiate", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_template_instantiate(T, S, NULL));
  CHANDLE_CELLS("wb_component_template_func_index", CK_TEMPLATE, wb_component_template_t, 0,
                wb_component_template_func_index(h, "add", &index));
  CELL("wb_component_template_func_index", "NULL path", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_template_func_index(T, NULL, &index));
  CELL("wb_component_template_func_index", "missing", WB_ERR_NOT_FOUND, "\"zz\"", wb_component_template_func_index(T, "zz", &index));
  CHANDLE_CELLS("wb_component_template_delete", CK_TEMPLATE, wb_component_template_t, 1, wb_component_template_delete(h));

  /* instances, functions, calls */
  CHANDLE_CELLS("wb_component_instance_func", CK_INSTANCE, wb_component_instance_t, 0,
                wb_component_instance_func(h, co.add_index, &f));
  CELL("wb_component_instance_func", "bad index", WB_ERR_NOT_FOUND, "index", wb_component_instance_func(I, 999999, &f));
  CELL("wb_component_instance_func", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_instance_func(I, co.add_index, NULL));
  CHANDLE_CELLS("wb_component_instance_get_func", CK_INSTANCE, wb_component_instance_t, 0,
                wb_component_instance_get_func(h, "add", &f));
  CELL("wb_component_instance_get_func", "NULL path", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_instance_get_func(I, NULL, &f));
  CELL("wb_component_instance_get_func", "invalid UTF-8", WB_ERR_INVALID_ARGUMENT, "UTF-8", wb_component_instance_get_func(I, BAD_UTF8, &f));
  CELL("wb_component_instance_get_func", "overlong path", WB_ERR_INVALID_ARGUMENT, "longer than", wb_component_instance_get_func(I, long_name, &f));
  CELL("wb_component_instance_get_func", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_instance_get_func(I, "add", NULL));
  CELL("wb_component_instance_get_func", "missing", WB_ERR_NOT_FOUND, "\"sub\"", wb_component_instance_get_func(I, "sub", &f));
  CHANDLE_CELLS("wb_component_instance_usable", CK_INSTANCE, wb_component_instance_t, 0, wb_component_instance_usable(h));
  CHANDLE_CELLS("wb_component_func_call", CK_FUNC, wb_component_func_t, 0, wb_component_func_call(h, ab, 2, &r));
  CELL("wb_component_func_call", "NULL args", WB_ERR_INVALID_ARGUMENT, "args is NULL", wb_component_func_call(F, NULL, 2, &r));
  CELL("wb_component_func_call", "NULL out", WB_ERR_INVALID_ARGUMENT, "out is NULL", wb_component_func_call(F, ab, 2, NULL));
  CELL("wb_component_func_call", "count", WB_ERR_TYPE_MISMATCH, "takes 2", wb_component_func_call(F, ab, SIZE_MAX, &r));
  ab[1].kind = (wb_cval_kind_t)12345;
  CELL("wb_component_func_call", "invalid kind", WB_ERR_TYPE_MISMATCH, "invalid wb_cval_kind_t", wb_component_func_call(F, ab, 2, &r));
  ab[1] = wb_cval_s32(2);
  CELL("wb_component_func_call", "wrong kind", WB_ERR_TYPE_MISMATCH, "expected u32, got s32", wb_component_func_call(F, ab, 2, &r));
  ab[1] = wb_cval_u32(2);
  CHANDLE_CELLS("wb_component_func_type", CK_FUNC, wb_component_func_t, 0, wb_component_func_type(h, &bytes));
  CELL("wb_component_func_type", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_func_type(F, NULL));
  CHANDLE_CELLS("wb_component_run", CK_INSTANCE, wb_component_instance_t, 0, wb_component_run(h));
  CELL("wb_component_run", "not a command", WB_ERR_NOT_FOUND, "not a WASI 0.2 command", wb_component_run(I));

  /* resources */
  HANDLE_CELLS("wb_resource_new", K_STORE, wb_store_t, 0, wb_resource_new(h, co.resource_type, NULL, &res));
  CELL("wb_resource_new", "unknown type", WB_ERR_NOT_FOUND, "no resource type", wb_resource_new(S, 0xFFFFFFF0u, NULL, &res));
  CELL("wb_resource_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_resource_new(S, co.resource_type, NULL, NULL));
  CHANDLE_CELLS("wb_resource_drop", CK_RESOURCE, wb_resource_t, 1, wb_resource_drop(h));
  CHANDLE_CELLS("wb_resource_host_data", CK_RESOURCE, wb_resource_t, 0, wb_resource_host_data(h, &type, &ptr));
  CELL("wb_resource_host_data", "NULL outs", WB_OK, "", wb_resource_host_data(R, NULL, NULL));
  CHANDLE_CELLS("wb_resource_owned", CK_RESOURCE, wb_resource_t, 0, wb_resource_owned(h, &owned));
  CELL("wb_resource_owned", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_resource_owned(R, NULL));

  /* pools */
  OK(wb_pool_config_init(&pcfg, WB_POOL_CONFIG_VERSION));
  CHANDLE_CELLS("wb_component_pool_new", CK_TEMPLATE, wb_component_template_t, 0, wb_component_pool_new(h, &pcfg, &p));
  CELL("wb_component_pool_new", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_pool_new(T, &pcfg, NULL));
  pcfg.workers = 0;
  CELL("wb_component_pool_new", "no workers", WB_ERR_INVALID_ARGUMENT, "workers", wb_component_pool_new(T, &pcfg, &p));
  pcfg.workers = 1;
  pcfg.version = 99;
  CELL("wb_component_pool_new", "unknown version", WB_ERR_INVALID_ARGUMENT, "version", wb_component_pool_new(T, &pcfg, &p));
  CHANDLE_CELLS("wb_component_pool_func_index", CK_POOL, wb_component_pool_t, 0, wb_component_pool_func_index(h, "add", &index));
  CELL("wb_component_pool_func_index", "NULL path", WB_ERR_INVALID_ARGUMENT, "NULL", wb_component_pool_func_index(P, NULL, &index));
  CELL("wb_component_pool_func_index", "missing", WB_ERR_NOT_FOUND, "\"nope\"", wb_component_pool_func_index(P, "nope", &index));
  CHANDLE_CELLS("wb_component_pool_call", CK_POOL, wb_component_pool_t, 0, wb_component_pool_call(h, co.add_index, ab, 2, &r));
  CELL("wb_component_pool_call", "NULL out", WB_ERR_INVALID_ARGUMENT, "out", wb_component_pool_call(P, co.add_index, ab, 2, NULL));
  CELL("wb_component_pool_call", "bad index", WB_ERR_NOT_FOUND, "index", wb_component_pool_call(P, 999999, ab, 2, &r));
  CELL("wb_component_pool_call", "count", WB_ERR_TYPE_MISMATCH, "takes 2", wb_component_pool_call(P, co.add_index, ab, 1, &r));
  CHANDLE_CELLS("wb_component_pool_delete", CK_POOL, wb_component_pool_t, 1, wb_component_pool_delete(h));

  /* the host callback's cells */
  wb_component_func_t in_callback;
  OK(wb_component_instance_get_func(I, "in-callback", &in_callback));
  OK(wb_component_func_call(in_callback, NULL, 0, &r));
  OK(wb_component_instance_usable(I));
}

/* ---- setup ---------------------------------------------------------------------------------------- */

static void component_make_world(void) {
  wb_engine_t E = {o.live[K_ENGINE]};
  wb_component_t c;
  wb_component_linker_t l;
  wb_component_template_t t;
  wb_component_instance_t i;
  wb_component_func_t f;
  wb_resource_t r;
  wb_component_pool_t p;
  wb_store_t s;
  const uint8_t *text = (const uint8_t *)COMPONENT_TEXT;
  size_t len = strlen(COMPONENT_TEXT);
  /* deleted objects of every kind */
  OK(wb_component_new(E, text, len, &c));
  OK(wb_component_linker_new(E, &l));
  OK(wb_component_linker_define_func(l, "ns:m/host@1.0.0", "cb", component_callback_cells, NULL, NULL));
  OK(wb_component_linker_define_resource(l, NULL, "thing", NULL, NULL, NULL, &co.resource_type));
  OK(wb_component_template_new(l, c, &t));
  OK(wb_component_pool_new(t, NULL, &p));
  OK(wb_store_new(E, &s));
  OK(wb_component_linker_instantiate(l, s, c, &i));
  OK(wb_component_instance_get_func(i, "add", &f));
  OK(wb_resource_new(s, co.resource_type, NULL, &r));
  co.deleted[CK_RESOURCE] = r.id;
  OK(wb_resource_drop(r));
  co.deleted[CK_INSTANCE] = i.id, co.deleted[CK_FUNC] = f.id, co.deleted[CK_COMPONENT] = c.id;
  co.deleted[CK_LINKER] = l.id, co.deleted[CK_TEMPLATE] = t.id, co.deleted[CK_POOL] = p.id;
  OK(wb_store_delete(s));
  OK(wb_component_pool_delete(p));
  OK(wb_component_template_delete(t));
  OK(wb_component_linker_delete(l));
  OK(wb_component_delete(c));
  /* the live world */
  OK(wb_component_new(E, text, len, &c));
  OK(wb_component_func_index(c, "add", &co.add_index));
  OK(wb_component_linker_new(E, &l));
  OK(wb_component_linker_define_func(l, "ns:m/host@1.0.0", "cb", component_callback_cells, NULL, NULL));
  OK(wb_component_linker_define_resource(l, NULL, "thing", NULL, NULL, NULL, &co.resource_type));
  OK(wb_component_template_new(l, c, &t));
  OK(wb_component_pool_new(t, NULL, &p));
  OK(wb_store_new(E, &co.store));
  OK(wb_component_template_instantiate(t, co.store, &i));
  OK(wb_component_instance_func(i, co.add_index, &f));
  OK(wb_resource_new(co.store, co.resource_type, NULL, &r));
  co.live[CK_COMPONENT] = c.id, co.live[CK_LINKER] = l.id, co.live[CK_TEMPLATE] = t.id, co.live[CK_POOL] = p.id;
  co.live[CK_INSTANCE] = i.id, co.live[CK_FUNC] = f.id, co.live[CK_RESOURCE] = r.id;
  /* a released store with component objects */
  OK(wb_store_new(E, &co.released));
  OK(wb_component_template_instantiate(t, co.released, &i));
  OK(wb_component_instance_func(i, co.add_index, &f));
  OK(wb_resource_new(co.released, co.resource_type, NULL, &r));
  co.released_instance = i.id, co.released_func = f.id, co.released_resource = r.id;
  OK(wb_store_release(co.released));
  OK(wb_engine_new(NULL, &co.other_engine));
  co.module_other_engine = compile_wat(co.other_engine, "(module)");
}

static void component_destroy_world(void) {
  OK(wb_component_pool_delete((wb_component_pool_t){co.live[CK_POOL]}));
  OK(wb_store_delete(co.store));
  OK(wb_store_delete(co.released));
  OK(wb_component_template_delete((wb_component_template_t){co.live[CK_TEMPLATE]}));
  OK(wb_component_linker_delete((wb_component_linker_t){co.live[CK_LINKER]}));
  OK(wb_component_delete((wb_component_t){co.live[CK_COMPONENT]}));
  OK(wb_module_delete(co.module_other_engine));
  OK(wb_engine_delete(co.other_engine));
}

#endif
