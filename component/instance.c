/* Component instances and calls: the hot path.
 *
 * A call checks the handle and the calling thread (wbh_bound, no lock, no
 * Go), refuses an instance that trapped before (WB_ERR_UNUSABLE) or that is
 * running a call now (WB_ERR_BUSY: the component model forbids re-entering
 * it), checks every argument against the function's WIT type, calls, runs
 * post-return, and converts the result. Functions whose parameters and
 * result are all scalars or strings take a fast path: the arguments are
 * checked and converted in one loop into values on the stack, strings are
 * passed without copying, and a scalar or string result needs no arena.
 *
 * Poisoning: Wasmtime clears an instance's "may enter" flag when a call
 * starts and sets it again only after a successful post-return, so after any
 * failure inside the call (a trap, a failing host function, an interrupt, a
 * WASI exit) the instance can never be entered again; wasmbound records that
 * and answers WB_ERR_UNUSABLE before touching Wasmtime. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"

static void destroy_instance(void *obj) {
  wbc_instance_t *in = obj;
  free(in->funcs);
  free(in->why);
  uint64_t comp_id = in->comp_id;
  free(in);
  wbh_release(comp_id);
}

static void destroy_func(void *obj) {
  wbc_func_t *f = obj;
  if (f->restypes) {
    for (uint32_t i = 0; i < f->ex->type.nresources; i++)
      if (f->restypes[i]) wasmtime_component_resource_type_delete(f->restypes[i]);
    free(f->restypes);
  }
  free(f);
}

/* ---- failures ------------------------------------------------------------------------- */

wb_status_t wbc_fail_call(wbd_store_t *s, wasmtime_error_t *err, const char *what) {
  int code;
  if (wasmtime_error_exit_status(err, &code)) {
    wasmtime_error_delete(err);
    if (s) s->interrupt_fired = s->deadline_fired = 0;
    wb_status_t st = wbi_fail(WB_ERR_EXIT, "%s: the guest exited with status %d", what, code);
    wbi_set_exit_code(code);
    return st;
  }
  /* Wasmtime's component API reports traps as wasmtime_error_t, whose trap
   * code the C API reads only from a wasm_trap_t. Both are the same
   * #[repr(C)] struct around one anyhow::Error (c-api/src/error.rs,
   * trap.rs), so the error is read, reported and freed as a trap. */
  wasm_trap_t *trap = (wasm_trap_t *)(void *)err;
  wasmtime_trap_code_t tc;
  if (wasmtime_trap_code(trap, &tc)) return wbd_fail_call(s, 0, trap, what);
  return wbd_fail_call(s, err, 0, what);
}

static void poison(wbc_instance_t *in) {
  in->unusable = true;
  if (!in->why) in->why = strdup(wb_last_error());
}

static wb_status_t fail_unusable(const wbc_instance_t *in) {
  return wbi_fail(WB_ERR_UNUSABLE,
                  "the component instance cannot be used any more: an earlier call failed inside it (%.900s); "
                  "make a new instance",
                  in->why ? in->why : "no message");
}

/* ---- instantiation ------------------------------------------------------------------------ */

wb_status_t wbc_instantiate(const wasmtime_component_linker_t *linker, bool linker_has_wasi, wbh_slot_t *ss,
                            wbc_component_t *comp, uint64_t comp_id, uint64_t *out) {
  wbd_store_t *s = wbd_store_of(ss);
  if (comp->engine_serial != s->engine->serial)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the component belongs to another engine than the store");
  wb_status_t st = wbc_check_engine(s->engine);
  if (st) return st;
  /* as for core instantiation: the stack, a pending interrupt, the call
   * timeout for the start code, and a WASI context (an empty one unless the
   * store has settings) when WASI is linked: Wasmtime would abort the
   * process at the guest's first WASI call in a store without one */
  if ((st = wbl_instantiate_begin(s, linker_has_wasi && comp->imports_wasi))) return st;
  wbc_instance_t *in = calloc(1, sizeof *in);
  if (!in) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a component instance");
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_component_linker_instantiate(linker, s->ctx, comp->component, &in->instance);
  wbd_wasm_leave(s, outer);
  if (err) {
    free(in);
    wasmtime_trap_code_t tc;
    if (wasmtime_trap_code((const wasm_trap_t *)(const void *)err, &tc) || wasmtime_error_exit_status(err, &(int){0}))
      return wbc_fail_call(s, err, "instantiation (the component's start code)");
    return wbl_fail_instantiate(s, err, 0);
  }
  in->comp = comp;
  in->comp_id = comp_id;
  in->store = s;
  wbh_retain(comp_id); /* the instance's, dropped when its store goes */
  st = wbh_alloc(WBH_KIND_COMPONENT_INSTANCE, in, ss, out);
  if (st) destroy_instance(in);
  return st;
}

/* ---- functions ------------------------------------------------------------------------------ */

wb_status_t wbc_instance_func(wbh_slot_t *is, wbh_slot_t *ss, uint32_t index, uint64_t *out) {
  wbc_instance_t *in = is->obj;
  if (index < in->nfuncs && in->funcs[index]) {
    *out = in->funcs[index];
    return WB_OK;
  }
  const wbc_export_t *ex = wbc_component_export(in->comp, index);
  if (!ex) return wbi_fail(WB_ERR_NOT_FOUND, "no function of this component has index %u", index);
  wbd_store_t *s = wbd_store_of(ss);
  wasmtime_component_func_t func;
  if (!wasmtime_component_instance_get_func(&in->instance, s->ctx, ex->index, &func))
    return wbi_fail(WB_ERR_NOT_FOUND, "the instance has no function \"%s\"", ex->path);
  if (index >= in->nfuncs) {
    uint32_t n = in->nfuncs ? in->nfuncs : 4;
    while (n <= index) n *= 2;
    uint64_t *funcs = realloc(in->funcs, n * sizeof *funcs);
    if (!funcs) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
    memset(funcs + in->nfuncs, 0, (n - in->nfuncs) * sizeof *funcs);
    in->funcs = funcs;
    in->nfuncs = n;
  }
  wbc_func_t *f = calloc(1, sizeof *f);
  if (!f) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a component function");
  f->func = func;
  f->inst = in;
  f->ex = ex;
  f->store = s;
  f->ctx = s->ctx;
  if (ex->type.nresources) {
    /* Wasmtime's resource types are per instance: read them as this one sees them */
    f->restypes = calloc(ex->type.nresources, sizeof *f->restypes);
    if (!f->restypes) {
      free(f);
      return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
    }
    wasmtime_component_func_type_t *ft = wasmtime_component_func_type(&func, s->ctx);
    wbc_collect_restypes(ft, f->restypes, ex->type.nresources);
    wasmtime_component_func_type_delete(ft);
  }
  uint64_t id;
  wb_status_t st = wbh_alloc(WBH_KIND_COMPONENT_FUNC, f, ss, &id);
  if (st) {
    destroy_func(f);
    return st;
  }
  in->funcs[index] = id;
  *out = id;
  return WB_OK;
}

wb_status_t wb_component_instance_func(wb_component_instance_t instance, uint32_t func_index,
                                       wb_component_func_t *out) {
  wbh_slot_t *is, *ss;
  wb_status_t st = wbh_bound(instance.id, WBH_KIND_COMPONENT_INSTANCE, &is, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  uint64_t id;
  if ((st = wbc_instance_func(is, ss, func_index, &id))) return st;
  out->id = id;
  return WB_OK;
}

wb_status_t wb_component_instance_get_func(wb_component_instance_t instance, const char *path,
                                           wb_component_func_t *out) {
  wbh_slot_t *is, *ss;
  wb_status_t st = wbh_bound(instance.id, WBH_KIND_COMPONENT_INSTANCE, &is, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  uint32_t index;
  if ((st = wbc_component_func_index(((wbc_instance_t *)is->obj)->comp, path, &index))) return st;
  uint64_t id;
  if ((st = wbc_instance_func(is, ss, index, &id))) return st;
  out->id = id;
  return WB_OK;
}

wb_status_t wb_component_instance_usable(wb_component_instance_t instance) {
  wbh_slot_t *is, *ss;
  wb_status_t st = wbh_bound(instance.id, WBH_KIND_COMPONENT_INSTANCE, &is, &ss);
  if (st) return st;
  wbc_instance_t *in = is->obj;
  return in->unusable ? fail_unusable(in) : WB_OK;
}

wb_status_t wb_component_func_type(wb_component_func_t func, wb_bytes_t *out) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_COMPONENT_FUNC, &fs, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  const char *text = ((wbc_func_t *)fs->obj)->ex->type.text;
  size_t len = strlen(text);
  uint8_t *copy = malloc(len + 1);
  if (!copy) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  memcpy(copy, text, len + 1);
  out->data = copy;
  out->len = len;
  return WB_OK;
}

/* ---- calls ---------------------------------------------------------------------------------- */

/* The fast path's argument conversion: scalars and strings only (wkind
 * the Wasmtime value kind of the parameter's type). Returns 0 when the
 * argument is not what the type says (the general path then says what is
 * wrong). */
static inline __attribute__((always_inline)) int flat_arg(const wbc_type_t *t, uint8_t wkind, const wb_cval_t *v,
                                                          wasmtime_component_val_t *out) {
  if (__builtin_expect((uint32_t)v->kind != t->kind, 0)) return 0;
  out->kind = wkind;
  switch (t->kind) {
  case WB_CVAL_BOOL: out->of.boolean = wbc_bool_of(v); return 1;
  case WB_CVAL_CHAR: {
    uint32_t c = v->of.ch;
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    out->of.character = c;
    return 1;
  }
  case WB_CVAL_STRING: {
    size_t bad;
    if ((!v->of.str.data && v->of.str.len) || !wbc_utf8_valid(v->of.str.data, v->of.str.len, &bad)) return 0;
    out->of.string.size = v->of.str.len;
    out->of.string.data = (wasm_byte_t *)v->of.str.data; /* Wasmtime copies it */
    return 1;
  }
  default: /* integers and floats: the bits, at offset 0 of both unions */
    memcpy(&out->of, &v->of, 8);
    return 1;
  }
}

wb_status_t wbc_call(wbc_func_t *f, const wb_cval_t *args, size_t nargs, wb_cresult_t *out) {
  wbc_instance_t *in = f->inst;
  if (__builtin_expect(in->unusable, 0)) return fail_unusable(in);
  if (__builtin_expect(in->running != 0, 0))
    return wbi_fail(WB_ERR_BUSY, "the component instance is running a call already (this is a call back into it "
                                 "from a host function): the component model forbids re-entering an instance");
  wbd_store_t *s = f->store;
  wb_status_t st = wbd_check_stack(s);
  if (__builtin_expect(st != WB_OK, 0)) return st;
  st = wbd_call_begin(s);
  if (__builtin_expect(st != WB_OK, 0)) return st;
  const wbc_functype_t *ft = &f->ex->type;
  wasmtime_component_val_t flat[16], *vals = flat; /* fast_nparams <= 16 */
  wbc_arena_t arena = {0};
  wbc_resource_t **owned = 0;
  uint32_t nowned = 0;
  int fast = nargs == ft->fast_nparams && (args || !nargs);
  for (size_t i = 0; fast && i < nargs; i++) fast = flat_arg(ft->params[i], ft->fast_kinds[i], &args[i], &flat[i]);
  if (!fast) { /* everything else, including every mistake: the general path says what is wrong */
    st = wbc_args_to_wasmtime_owned(s, ft, f->restypes, args, nargs, &arena, &vals, &owned, &nowned);
    if (st) {
      wbc_arena_free(&arena);
      return st;
    }
  }
  /* the result slot must hold a valid value: Wasmtime drops what it held */
  wasmtime_component_val_t result;
  result.kind = WASMTIME_COMPONENT_BOOL;
  result.of.boolean = false;
  size_t nresults = ft->result ? 1 : 0;
  in->running++;
  wbd_store_t *outer = wbd_wasm_enter(s);
  wasmtime_error_t *err = wasmtime_component_func_call(&f->func, f->ctx, vals, nargs, &result, nresults);
  bool called = err == 0;
  /* post-return only right after a successful call of this function (it
   * aborts the process otherwise), and always then */
  if (called) err = wasmtime_component_func_post_return(&f->func, f->ctx);
  wbd_wasm_leave(s, outer);
  in->running--;
  if (__builtin_expect(!fast, 0)) {
    for (uint32_t i = 0; i < nowned; i++) wbc_resource_retire(owned[i]); /* Wasmtime took them */
    wbc_arena_free(&arena);
  }
  if (__builtin_expect(err != 0, 0)) {
    if (called && nresults) wasmtime_component_val_delete(&result);
    st = wbc_fail_call(s, err, "component call");
    poison(in);
    return st;
  }
  if (!nresults) return WB_OK;
  uint8_t rk = ft->result->kind;
  if (__builtin_expect(rk < WB_CVAL_STRING && result.kind == wbc_wasmtime_kind(rk), 1)) {
    /* a scalar: the bits (at offset 0 of both unions); nothing to keep */
    out->value.kind = (wb_cval_kind_t)rk;
    memcpy(&out->value.of, &result.of, 8);
    out->has_value = true;
    return WB_OK;
  }
  return wbc_result_from_wasmtime(s, ft->result, &result, out);
}

wb_status_t wb_component_func_call(wb_component_func_t func, const wb_cval_t *args, size_t nargs,
                                   wb_cresult_t *out) {
  wbh_slot_t *fs, *ss;
  wb_status_t st = wbh_bound(func.id, WBH_KIND_COMPONENT_FUNC, &fs, &ss);
  if (__builtin_expect(st != WB_OK, 0)) return st;
  if (__builtin_expect(!out, 0)) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbc_result_clear(out);
  return wbc_call(fs->obj, args, nargs, out);
}

/* ---- WASI 0.2 commands ------------------------------------------------------------------------ */

wb_status_t wb_component_run(wb_component_instance_t instance) {
  wbh_slot_t *is, *ss;
  wb_status_t st = wbh_bound(instance.id, WBH_KIND_COMPONENT_INSTANCE, &is, &ss);
  if (st) return st;
  wbc_instance_t *in = is->obj;
  uint32_t index;
  /* any 0.2.x: the lookup is semver-compatible */
  if ((st = wbc_component_func_index(in->comp, "wasi:cli/run@0.2.0#run", &index)))
    return wbi_fail_prefix(st, "not a WASI 0.2 command (it exports no wasi:cli/run@0.2.x): ");
  const wbc_export_t *ex = wbc_component_export(in->comp, index);
  const wbc_type_t *r = ex->type.result;
  if (ex->type.nparams || !r || r->kind != WB_CVAL_RESULT || r->items[0] || r->items[1])
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "%s has the type %s, not func() -> result", ex->path, ex->type.text);
  uint64_t fid;
  if ((st = wbc_instance_func(is, ss, index, &fid))) return st;
  wb_cresult_t res;
  wbc_result_clear(&res);
  st = wbc_call(wbh_slot_at(wbh_id_index(fid))->obj, 0, 0, &res);
  if (st == WB_OK) {
    bool failed = res.value.of.choice.index != 0;
    wb_cresult_dispose(&res);
    /* a command runs once: its instance is done */
    in->unusable = true;
    if (!in->why) in->why = strdup("the WASI command has run (a command runs once)");
    if (failed) {
      st = wbi_fail(WB_ERR_EXIT, "the WASI command returned err (exit status 1)");
      wbi_set_exit_code(1);
      return st;
    }
    wbi_set_exit_code(0);
    return WB_OK;
  }
  if (st == WB_ERR_EXIT && wb_last_exit_code() == 0) {
    wbi_set_exit_code(0);
    return WB_OK; /* wasi:cli/exit(ok) */
  }
  return st;
}

void wbc_instance_init(void) {
  wbh_set_destructor(WBH_KIND_COMPONENT_INSTANCE, destroy_instance);
  wbh_set_destructor(WBH_KIND_COMPONENT_FUNC, destroy_func);
}
