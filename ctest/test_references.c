/* References through the safe layer: externrefs in and out (the same host
 * pointer back, the finalizer exactly once: after the store is deleted,
 * after a collection, also when the reference went through a table and a
 * host function), anyrefs (i31, struct, array, internalized externrefs),
 * ref.eq, clones, and references of another store or deleted ones. */
#include "check.h"

static int finalized[8];
static void fin(void *data) { finalized[(int *)data - finalized]++; }
static int *slot(int i) { return &finalized[i]; }

static wb_val_t ext(wb_ref_t r) {
  wb_val_t v;
  memset(&v, 0, sizeof v);
  v.kind = WB_EXTERNREF;
  v.of.ref = r;
  return v;
}

static wb_val_t any(wb_ref_t r) {
  wb_val_t v = ext(r);
  v.kind = WB_ANYREF;
  return v;
}

static wb_func_t func(wb_instance_t i, const char *name) {
  wb_func_t f;
  OK(wb_instance_get_func(i, name, &f));
  return f;
}

static const char *WAT =
    "(module\n"
    "  (type $s (struct (field i32)))\n"
    "  (type $a (array i8))\n"
    "  (import \"host\" \"keep\" (func $keep (param externref) (result externref)))\n"
    "  (table $t (export \"t\") 1 10 externref)\n"
    "  (global $g (mut externref) (ref.null extern))\n"
    "  (global $gs (ref $s) (struct.new $s (i32.const 7)))\n"
    "  (func (export \"id\") (param externref) (result externref) local.get 0)\n"
    "  (func (export \"via_host\") (param externref) (result externref) local.get 0 call $keep)\n"
    "  (func (export \"stash\") (param externref) (global.set $g (local.get 0)))\n"
    "  (func (export \"unstash\") (result externref) global.get $g)\n"
    "  (func (export \"set\") (param i32 externref) (table.set $t (local.get 0) (local.get 1)))\n"
    "  (func (export \"get\") (param i32) (result externref) (table.get $t (local.get 0)))\n"
    "  (func (export \"struct\") (result (ref $s)) global.get $gs)\n"
    "  (func (export \"fresh\") (result (ref $s)) (struct.new $s (i32.const 1)))\n"
    "  (func (export \"array\") (result arrayref) (array.new_default $a (i32.const 3)))\n"
    "  (func (export \"i31\") (param i32) (result i31ref) (ref.i31 (local.get 0)))\n"
    "  (func (export \"eq\") (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))\n"
    "  (func (export \"nonnull\") (param (ref extern)) (result i32) i32.const 1)\n"
    "  (func (export \"internalize\") (param externref) (result anyref) (any.convert_extern (local.get 0))))\n";

static int host_calls;
static wb_ref_t kept; /* a clone the host function keeps */

static wb_status_t keep(void *env, wb_caller_t c, const wb_val_t *args, size_t nargs, wb_val_t *results,
                        size_t nresults) {
  (void)env, (void)c, (void)nargs, (void)nresults;
  host_calls++;
  CHECK(args[0].kind == WB_EXTERNREF);
  if (args[0].of.ref.id && !kept.id) OK(wb_ref_clone(args[0].of.ref, &kept));
  results[0] = args[0]; /* an argument handed back as the result */
  return WB_OK;
}

int main(void) {
  wb_engine_config_t cfg;
  OK(wb_engine_config_init(&cfg, WB_ENGINE_CONFIG_VERSION));
  cfg.wasm_gc = true;
  wb_engine_t e;
  OK(wb_engine_new(&cfg, &e));
  wb_module_t m = compile_wat(e, WAT);
  wb_linker_t l;
  OK(wb_linker_new(e, &l));
  const wb_valkind_t ek[1] = {WB_EXTERNREF};
  OK(wb_linker_define_func(l, "host", "keep", ek, 1, ek, 1, keep, NULL, NULL));

  /* ---- an externref round trip: the same pointer back, finalized once,
   *      after the store is deleted ---- */
  wb_store_t s;
  OK(wb_store_new(e, &s));
  wb_instance_t i;
  OK(wb_linker_instantiate(l, s, m, &i));
  wb_ref_t r0, r1;
  OK(wb_externref_new(s, slot(0), fin, &r0));
  wb_val_t arg = ext(r0), res;
  OK(wb_func_call(func(i, "id"), &arg, 1, &res, 1));
  CHECK(res.kind == WB_EXTERNREF && res.of.ref.id != 0 && res.of.ref.id != r0.id); /* a new handle */
  void *data = NULL;
  OK(wb_externref_data(res.of.ref, &data));
  CHECK(data == slot(0));
  bool same = false;
  OK(wb_ref_eq(r0, res.of.ref, &same));
  CHECK(same);
  wb_refkind_t kind;
  OK(wb_ref_kind(res.of.ref, &kind));
  CHECK(kind == WB_REFKIND_EXTERN);
  OK(wb_ref_delete(res.of.ref));
  EXPECT(wb_externref_data(res.of.ref, &data), WB_ERR_INVALID_HANDLE, "deleted");
  /* null in, null out */
  arg = ext((wb_ref_t){0});
  OK(wb_func_call(func(i, "id"), &arg, 1, &res, 1));
  CHECK(res.kind == WB_EXTERNREF && res.of.ref.id == 0);
  /* through a global inside wasm, and back */
  arg = ext(r0);
  OK(wb_func_call(func(i, "stash"), &arg, 1, NULL, 0));
  OK(wb_ref_delete(r0)); /* the host lets go; wasm still holds it */
  OK(wb_store_gc(s));
  CHECK(finalized[0] == 0);
  OK(wb_func_call(func(i, "unstash"), NULL, 0, &res, 1));
  OK(wb_externref_data(res.of.ref, &data));
  CHECK(data == slot(0));
  /* a second reference left for the store to drop */
  OK(wb_externref_new(s, slot(1), fin, &r1));
  OK(wb_store_delete(s));
  CHECK(finalized[0] == 1 && finalized[1] == 1);

  /* ---- dropped by the collector once neither side holds it ---- */
  OK(wb_store_new(e, &s));
  OK(wb_linker_instantiate(l, s, m, &i));
  OK(wb_externref_new(s, slot(2), fin, &r0));
  wb_ref_t c0;
  OK(wb_ref_clone(r0, &c0));
  OK(wb_ref_delete(r0));
  OK(wb_store_gc(s));
  CHECK(finalized[2] == 0); /* the clone still holds it */
  OK(wb_ref_delete(c0));
  OK(wb_store_gc(s));
  CHECK(finalized[2] == 1);
  OK(wb_ref_delete((wb_ref_t){0})); /* null is a no-op */

  /* ---- through a table and a host function ---- */
  OK(wb_externref_new(s, slot(3), fin, &r0));
  wb_val_t args[2] = {val_i32(0), ext(r0)};
  OK(wb_func_call(func(i, "set"), args, 2, NULL, 0));
  wb_table_t t;
  OK(wb_instance_get_table(i, "t", &t));
  wb_val_t got;
  OK(wb_table_get(t, 0, &got));
  OK(wb_externref_data(got.of.ref, &data));
  CHECK(data == slot(3));
  uint64_t prev = 0, size = 0;
  OK(wb_table_grow(t, 4, &got, &prev)); /* grown with the reference... */
  CHECK(prev == 1);
  OK(wb_table_size(t, &size));
  CHECK(size == 5);
  wb_val_t null_ext = ext((wb_ref_t){0});
  OK(wb_table_fill(t, 1, &null_ext, 2)); /* ...filled partly with null... */
  OK(wb_ref_delete(got.of.ref));
  OK(wb_ref_delete(r0));
  args[0] = val_i32(4);
  OK(wb_func_call(func(i, "get"), args, 1, &res, 1)); /* ...and wasm reads it */
  OK(wb_externref_data(res.of.ref, &data));
  CHECK(data == slot(3));
  wb_val_t through;
  OK(wb_func_call(func(i, "via_host"), &res, 1, &through, 1));
  CHECK(host_calls == 1 && kept.id != 0);
  OK(wb_externref_data(through.of.ref, &data));
  CHECK(data == slot(3));
  OK(wb_externref_data(kept, &data));
  CHECK(data == slot(3));
  OK(wb_ref_delete(res.of.ref));
  EXPECT(wb_table_get(t, 5, &got), WB_ERR_OUT_OF_BOUNDS, "out of bounds");
  EXPECT(wb_table_grow(t, 6, &null_ext, NULL), WB_ERR_LIMIT, "grow"); /* max 10 */
  EXPECT(wb_table_fill(t, 3, &null_ext, 3), WB_ERR_OUT_OF_BOUNDS, "out of bounds");
  CHECK(finalized[3] == 0);
  OK(wb_store_delete(s)); /* `kept` and `through` go with it */
  CHECK(finalized[3] == 1);
  kept.id = 0;

  /* ---- anyrefs: i31, struct, array, internalized externrefs, ref.eq ---- */
  OK(wb_store_new(e, &s));
  OK(wb_linker_instantiate(l, s, m, &i));
  wb_ref_t i31;
  OK(wb_i31ref_new(s, 0x7FFFFFFFu, &i31)); /* -1 in 31 bits */
  int32_t v;
  OK(wb_i31ref_get(i31, true, &v));
  CHECK(v == -1);
  OK(wb_i31ref_get(i31, false, &v));
  CHECK(v == 0x7FFFFFFF);
  OK(wb_ref_kind(i31, &kind));
  CHECK(kind == WB_REFKIND_I31);
  args[0] = val_i32(5);
  OK(wb_func_call(func(i, "i31"), args, 1, &res, 1));
  CHECK(res.kind == WB_ANYREF);
  OK(wb_i31ref_get(res.of.ref, false, &v));
  CHECK(v == 5);
  wb_val_t pair[2] = {any(i31), res};
  OK(wb_func_call(func(i, "eq"), pair, 2, &got, 1)); /* eqref parameters: Wasmtime's checked path */
  CHECK(got.of.i32 == 0);
  OK(wb_ref_eq(i31, res.of.ref, &same));
  CHECK(!same);
  wb_val_t st1, st2, fr;
  OK(wb_func_call(func(i, "struct"), NULL, 0, &st1, 1));
  OK(wb_func_call(func(i, "struct"), NULL, 0, &st2, 1));
  OK(wb_func_call(func(i, "fresh"), NULL, 0, &fr, 1));
  OK(wb_ref_kind(st1.of.ref, &kind));
  CHECK(kind == WB_REFKIND_STRUCT);
  OK(wb_ref_eq(st1.of.ref, st2.of.ref, &same));
  CHECK(same); /* the same struct, two handles */
  OK(wb_ref_eq(st1.of.ref, fr.of.ref, &same));
  CHECK(!same);
  pair[0] = st1, pair[1] = st2;
  OK(wb_func_call(func(i, "eq"), pair, 2, &got, 1));
  CHECK(got.of.i32 == 1);
  EXPECT(wb_i31ref_get(st1.of.ref, false, &v), WB_ERR_TYPE_MISMATCH, "not an i31ref");
  OK(wb_func_call(func(i, "array"), NULL, 0, &res, 1));
  OK(wb_ref_kind(res.of.ref, &kind));
  CHECK(kind == WB_REFKIND_ARRAY);
  /* internalized externrefs: by wasm and by the host, and back */
  OK(wb_externref_new(s, slot(4), fin, &r0));
  arg = ext(r0);
  OK(wb_func_call(func(i, "internalize"), &arg, 1, &res, 1));
  OK(wb_ref_kind(res.of.ref, &kind));
  CHECK(kind == WB_REFKIND_ANY);
  EXPECT(wb_externref_data(res.of.ref, &data), WB_ERR_TYPE_MISMATCH, "not an externref");
  wb_ref_t in, out;
  OK(wb_ref_internalize(s, r0, &in));
  OK(wb_ref_eq(in, res.of.ref, &same));
  CHECK(same);
  OK(wb_ref_externalize(s, res.of.ref, &out));
  OK(wb_externref_data(out, &data));
  CHECK(data == slot(4));
  pair[0] = any(in), pair[1] = any(i31);
  EXPECT(wb_func_call(func(i, "eq"), pair, 2, &got, 1), WB_ERR_TYPE_MISMATCH, "type mismatch"); /* not an eqref */
  OK(wb_ref_externalize(s, i31, &out)); /* an externalized i31 carries no host pointer */
  EXPECT(wb_externref_data(out, &data), WB_ERR_TYPE_MISMATCH, "i31ref");
  OK(wb_ref_internalize(s, (wb_ref_t){0}, &in));
  CHECK(in.id == 0);
  EXPECT(wb_ref_internalize(s, i31, &in), WB_ERR_TYPE_MISMATCH, "externref");

  /* ---- wrong values: kinds, null for non-nullable, another store, deleted ---- */
  arg = ext((wb_ref_t){0});
  EXPECT(wb_func_call(func(i, "nonnull"), &arg, 1, &got, 1), WB_ERR_TYPE_MISMATCH, "not nullable");
  arg = any(i31);
  EXPECT(wb_func_call(func(i, "id"), &arg, 1, &res, 1), WB_ERR_TYPE_MISMATCH, "expected externref");
  arg.kind = WB_EXTERNREF; /* an anyref handle passed as an externref */
  EXPECT(wb_func_call(func(i, "id"), &arg, 1, &res, 1), WB_ERR_TYPE_MISMATCH, "anyref");
  wb_store_t other;
  OK(wb_store_new(e, &other));
  wb_ref_t foreign;
  OK(wb_externref_new(other, slot(5), fin, &foreign));
  arg = ext(foreign);
  EXPECT(wb_func_call(func(i, "id"), &arg, 1, &res, 1), WB_ERR_INVALID_ARGUMENT, "another store");
  EXPECT(wb_table_set(t, 0, &arg), WB_ERR_INVALID_HANDLE, "deleted"); /* t was the first store's */
  OK(wb_instance_get_table(i, "t", &t));
  EXPECT(wb_table_set(t, 0, &arg), WB_ERR_INVALID_ARGUMENT, "another store");
  EXPECT(wb_ref_eq(foreign, r0, &same), WB_ERR_INVALID_ARGUMENT, "different stores");
  OK(wb_ref_delete(r0));
  arg = ext(r0);
  EXPECT(wb_func_call(func(i, "id"), &arg, 1, &res, 1), WB_ERR_INVALID_HANDLE, "deleted");
  OK(wb_store_delete(other));
  CHECK(finalized[5] == 1);
  OK(wb_store_delete(s));
  CHECK(finalized[4] == 1);
  for (int k = 0; k < 6; k++) CHECK(finalized[k] == 1); /* each exactly once */

  /* ---- without wasm_gc: externrefs work, anyrefs are refused ---- */
  wb_engine_t plain;
  OK(wb_engine_new(NULL, &plain));
  OK(wb_store_new(plain, &s));
  OK(wb_externref_new(s, slot(6), fin, &r0));
  OK(wb_externref_data(r0, &data));
  CHECK(data == slot(6));
  EXPECT(wb_i31ref_new(s, 1, &i31), WB_ERR_INVALID_ARGUMENT, "wasm_gc");
  EXPECT(wb_ref_internalize(s, r0, &in), WB_ERR_INVALID_ARGUMENT, "wasm_gc");
  OK(wb_store_delete(s));
  CHECK(finalized[6] == 1);
  /* a failed wb_externref_new still runs the finalizer (the data was handed over) */
  EXPECT(wb_externref_new(s, slot(7), fin, &r0), WB_ERR_INVALID_HANDLE, "deleted");
  CHECK(finalized[7] == 1);

  OK(wb_engine_delete(plain));
  OK(wb_linker_delete(l));
  OK(wb_module_delete(m));
  OK(wb_engine_delete(e));
  check_no_live_handles();
  DONE("references");
}
