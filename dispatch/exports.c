/* Export lookups: of an instance (by name, or all of them) and of the
 * calling instance of a host function. Owner thread of the store.
 *
 * Wasmtime 39's C API aborts (todo!()) when it converts a tag export, and
 * when asked for the type of a value whose type it cannot describe. So the
 * kind and type of an export come from the module's types (modinfo), read
 * before Wasmtime is asked: a tag is refused without asking, and the
 * handle is given the declared type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

static const char *kind_text(int kind) {
  switch (kind) {
  case WB_EXTERN_FUNC: return "a function";
  case WB_EXTERN_GLOBAL: return "a global";
  case WB_EXTERN_TABLE: return "a table";
  case WB_EXTERN_MEMORY: return "a memory";
  case WB_EXTERN_TAG: return "a tag";
  default: return "another kind of export";
  }
}

/* The declared type of export e of info. */
static wbd_typeinfo_t typeinfo_of(const wbd_modinfo_t *info, const wbd_import_t *e) {
  wbd_typeinfo_t t = {info, 0, 0, 0};
  switch (e->kind) {
  case WB_EXTERN_FUNC:
    if (e->index < info->nfuncs) t.func = wbd_modinfo_functype(info, info->funcs[e->index]);
    break;
  case WB_EXTERN_GLOBAL:
    if (e->index < info->nglobals) t.global = &info->globals[e->index];
    break;
  case WB_EXTERN_TABLE:
    if (e->index < info->ntables) t.table = &info->tables[e->index];
    break;
  default: break;
  }
  return t;
}

/* Fills out with a handle for ext (which it takes). */
static wb_status_t extern_out(wbh_slot_t *ss, wasmtime_extern_t *ext, const char *name, const wbd_typeinfo_t *t,
                              wb_extern_t *out) {
  if (ext->kind == WASMTIME_EXTERN_SHAREDMEMORY) {
    wasmtime_extern_delete(ext);
    return wbi_fail(WB_ERR_TYPE_MISMATCH,
                    "export \"%s\" is a shared memory that the module defines itself; wasmbound cannot hand it out "
                    "(import one made with wb_shared_memory_new instead, or define the instance into a linker)",
                    name);
  }
  uint64_t id;
  wb_status_t st = wbd_extern_handle(ss, ext, ext->kind, name, t, &id);
  if (st) return st;
  out->kind = (wb_externkind_t)ext->kind; /* WASMTIME_EXTERN_FUNC..MEMORY are WB_EXTERN_FUNC..MEMORY */
  out->of.func.id = id;                   /* every member is a 64-bit id at the same place */
  return WB_OK;
}

static wb_status_t check_want(int want, int kind, const char *name) {
  if (want >= 0 && want != kind)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "export \"%s\" is %s, not %s", name, kind_text(kind), kind_text(want));
  if (kind == WB_EXTERN_TAG)
    return wbi_fail(WB_ERR_TYPE_MISMATCH, "export \"%s\" is a tag, which Wasmtime 39's C API cannot hand out", name);
  return WB_OK;
}

/* An export of an instance of a module without types (deserialized from
 * bytes that do not carry them): Wasmtime may be asked only when no tag can
 * be there. */
static wb_status_t untyped_ok(const wbd_store_t *s) {
  if (s->engine->features & (WBD_FEATURE_EXCEPTIONS | WBD_FEATURE_STACK_SWITCHING)) /* the features with tags */
    return wbi_fail(WB_ERR_TYPE_MISMATCH,
                    "the instance's module has no type information (deserialized from bytes that do not carry it: "
                    "serialize modules with wb_module_serialize), and with exceptions (or stack switching) on one "
                    "of its exports could be a tag, which Wasmtime 39's C API aborts on");
  return WB_OK;
}

wb_status_t wbd_instance_export(wb_instance_t instance, const char *name, size_t len, int want, wb_extern_t *out) {
  wbh_slot_t *is, *ss;
  wb_status_t st = wbh_bound(instance.id, WBH_KIND_INSTANCE, &is, &ss);
  if (st) return st;
  if ((st = wbd_check_name_len(name, len, "name"))) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_store_t *s = wbd_store_of(ss);
  wbd_instance_t *inst = is->obj;
  wbd_typeinfo_t t = {0, 0, 0, 0};
  if (inst->info) {
    const wbd_import_t *e = wbd_modinfo_export(inst->info, name, len);
    if (!e) return wbi_fail(WB_ERR_NOT_FOUND, "the instance has no export named \"%.*s\"", (int)len, name);
    if ((st = check_want(want, e->kind, name))) return st;
    t = typeinfo_of(inst->info, e);
  } else if ((st = untyped_ok(s))) {
    return st;
  }
  wasmtime_extern_t ext;
  if (!wasmtime_instance_export_get(s->ctx, &inst->instance, name, len, &ext))
    return wbi_fail(WB_ERR_NOT_FOUND, "the instance has no export named \"%.*s\"", (int)len, name);
  if (want >= 0 && (int)ext.kind != want) {
    uint64_t ignored;
    return wbd_extern_handle(ss, &ext, (wasmtime_extern_kind_t)want, name, 0, &ignored); /* says what it is */
  }
  return extern_out(ss, &ext, name, inst->info ? &t : 0, out);
}

/* Whether a and b are the same object (of the same store). */
static int same_extern(const wasmtime_extern_t *a, const wasmtime_extern_t *b) {
  if (a->kind != b->kind) return 0;
  switch (a->kind) {
  case WASMTIME_EXTERN_FUNC:
    return a->of.func.store_id == b->of.func.store_id && a->of.func.__private == b->of.func.__private;
  case WASMTIME_EXTERN_GLOBAL:
    return a->of.global.store_id == b->of.global.store_id && a->of.global.__private1 == b->of.global.__private1 &&
           a->of.global.__private2 == b->of.global.__private2 && a->of.global.__private3 == b->of.global.__private3;
  case WASMTIME_EXTERN_TABLE:
    return a->of.table.store_id == b->of.table.store_id && a->of.table.__private1 == b->of.table.__private1 &&
           a->of.table.__private2 == b->of.table.__private2;
  case WASMTIME_EXTERN_MEMORY:
    return a->of.memory.store_id == b->of.memory.store_id && a->of.memory.__private1 == b->of.memory.__private1 &&
           a->of.memory.__private2 == b->of.memory.__private2;
  default: return 0;
  }
}

wb_status_t wbd_caller_export(wb_caller_t caller, const char *name, size_t len, int want, wb_extern_t *out) {
  wbd_store_t *s;
  wasmtime_caller_t *c;
  wb_status_t st = wbd_caller_bound(caller, &s, &c);
  if (st) return st;
  wbh_slot_t *ss = s->slot;
  if ((st = wbd_check_name_len(name, len, "name"))) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  /* Which instance calls is not known, only that it is one of the store's:
   * Wasmtime may be asked only when none of them can export a tag of that
   * name. */
  const wbd_store_types_t *types = s->types;
  for (uint32_t i = 0; types && i < types->ninfos; i++) {
    const wbd_import_t *e = wbd_modinfo_export(types->infos[i], name, len);
    if (e && e->kind == WB_EXTERN_TAG)
      return wbi_fail(WB_ERR_TYPE_MISMATCH,
                      "an instance of this store exports a tag named \"%.*s\", and wasmbound cannot tell whether the "
                      "caller is it: Wasmtime 39's C API aborts on tags, so the name is refused",
                      (int)len, name);
  }
  if (types && types->unknown_module && (st = untyped_ok(s))) return st;
  wasmtime_extern_t ext;
  if (!wasmtime_caller_export_get(c, name, len, &ext))
    return wbi_fail(WB_ERR_NOT_FOUND, "the calling instance has no export named \"%.*s\"", (int)len, name);
  if (want >= 0 && (int)ext.kind != want) {
    uint64_t ignored;
    return wbd_extern_handle(ss, &ext, (wasmtime_extern_kind_t)want, name, 0, &ignored); /* says what it is */
  }
  /* Its type: that of the instance of this store that exports this very
   * object under this name (looked for once: the handle keeps it). */
  wbd_typeinfo_t t = {0, 0, 0, 0};
  if (ext.kind != WASMTIME_EXTERN_MEMORY && !wbd_typed_handle(ss, &ext)) {
    for (uint32_t c = ss->first_child; c && !t.info;) {
      wbh_slot_t *cs = wbh_slot_at(c - 1);
      c = cs->next;
      if (cs->kind != WBH_KIND_INSTANCE || !cs->obj) continue;
      const wbd_instance_t *inst = cs->obj;
      const wbd_import_t *e = inst->info ? wbd_modinfo_export(inst->info, name, len) : 0;
      if (!e || (int)e->kind != (int)ext.kind) continue;
      wasmtime_extern_t other;
      if (!wasmtime_instance_export_get(s->ctx, &inst->instance, name, len, &other)) continue;
      if (same_extern(&ext, &other)) t = typeinfo_of(inst->info, e);
      wasmtime_extern_delete(&other);
    }
  }
  return extern_out(ss, &ext, name, t.info ? &t : 0, out);
}

/* ---- public functions ------------------------------------------------------------- */

wb_status_t wb_instance_get_export(wb_instance_t instance, const char *name, size_t name_len, wb_extern_t *out) {
  return wbd_instance_export(instance, name, name_len, -1, out);
}

wb_status_t wb_caller_get_export(wb_caller_t caller, const char *name, size_t name_len, wb_extern_t *out) {
  return wbd_caller_export(caller, name, name_len, -1, out);
}

static const size_t export_list_sizes[] = {0, sizeof(wb_export_list_t)}; /* 1: 0.2.0 */
static const wbi_versioned_t export_list_info = {"wb_export_list_t", "WB_EXPORT_LIST_INIT", WB_EXPORT_LIST_VERSION,
                                                 export_list_sizes};

wb_status_t wb_instance_exports(wb_instance_t instance, wb_export_list_t *out) {
  wbh_slot_t *is, *ss;
  wb_status_t st = wbh_bound(instance.id, WBH_KIND_INSTANCE, &is, &ss);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  if ((st = wbi_version_check(&export_list_info, out->version))) return st;
  wbd_store_t *s = wbd_store_of(ss);
  wbd_instance_t *inst = is->obj;
  const wbd_modinfo_t *info = inst->info;
  /* the names: from the module's types, or from Wasmtime when there are none */
  size_t n = 0, bytes = 0;
  if (info) {
    n = info->nexports;
    for (size_t i = 0; i < n; i++) bytes += info->exports[i].name_len + 1;
  } else {
    if ((st = untyped_ok(s))) return st;
    char *nm;
    size_t nl;
    wasmtime_extern_t ext;
    while (wasmtime_instance_export_nth(s->ctx, &inst->instance, n, &nm, &nl, &ext)) {
      wasmtime_extern_delete(&ext);
      bytes += nl + 1;
      n++;
    }
  }
  wb_export_t *items = malloc(n * sizeof *items + bytes + 1);
  if (!items) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu exports", n);
  char *strs = (char *)(items + n);
  for (size_t i = 0; i < n && st == WB_OK; i++) {
    const char *nm;
    size_t nl;
    wasmtime_extern_t ext;
    wbd_typeinfo_t t = {0, 0, 0, 0};
    memset(&items[i].item, 0, sizeof items[i].item);
    if (info) {
      const wbd_import_t *e = &info->exports[i];
      nm = e->name;
      nl = e->name_len;
      items[i].item.kind = (wb_externkind_t)e->kind;
      if (e->kind == WB_EXTERN_TAG) goto name; /* no handle: the C API cannot give one */
      t = typeinfo_of(info, e);
      if (!wasmtime_instance_export_get(s->ctx, &inst->instance, nm, nl, &ext)) {
        st = wbi_fail(WB_ERR_INTERNAL, "the instance has no export \"%.*s\" that its module declares", (int)nl, nm);
        break;
      }
    } else {
      char *nth;
      if (!wasmtime_instance_export_nth(s->ctx, &inst->instance, i, &nth, &nl, &ext)) {
        st = wbi_fail(WB_ERR_INTERNAL, "the instance's exports changed while they were listed");
        break;
      }
      nm = nth;
    }
    if (ext.kind == WASMTIME_EXTERN_SHAREDMEMORY) { /* no handle (see extern_out) */
      wasmtime_extern_delete(&ext);
      items[i].item.kind = WB_EXTERN_OTHER;
    } else {
      st = extern_out(ss, &ext, nm, info ? &t : 0, &items[i].item);
    }
  name:
    memcpy(strs, nm, nl);
    strs[nl] = 0;
    items[i].name = strs;
    items[i].name_len = nl;
    strs += nl + 1;
  }
  if (st) {
    free(items);
    return st;
  }
  out->items = items;
  out->count = n;
  return WB_OK;
}

void wb_export_list_dispose(wb_export_list_t *list) {
  if (!list) return;
  free(list->items);
  list->items = 0;
  list->count = 0;
}
