/* Module introspection: the import and export lists of wb_module_imports
 * and wb_module_exports, built from the module's types (modinfo/), never
 * from Wasmtime's C API (which aborts on tags and on reference types it
 * cannot describe). Any thread: a module's types are immutable. */
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"

static const size_t list_sizes[] = {0, sizeof(wb_extern_list_t)}; /* 1: 0.2.0 */
static const wbi_versioned_t list_info = {"wb_extern_list_t", "WB_EXTERN_LIST_INIT", WB_EXTERN_LIST_VERSION,
                                          list_sizes};

/* The full type of item x (an import or export) of info. */
static void externtype_of(const wbd_modinfo_t *info, const wbd_import_t *x, wb_externtype_t *t, wb_valtype_t **vals) {
  memset(t, 0, sizeof *t);
  t->kind = (wb_externkind_t)x->kind;
  const wbd_type_t *ft = 0;
  switch (x->kind) {
  case WB_EXTERN_FUNC:
    if (x->index < info->nfuncs) ft = wbd_modinfo_functype(info, info->funcs[x->index]);
    break;
  case WB_EXTERN_TAG:
    if (x->index < info->ntags) ft = wbd_modinfo_functype(info, info->tags[x->index]);
    break;
  case WB_EXTERN_GLOBAL:
    if (x->index < info->nglobals) t->global = info->globals[x->index];
    break;
  case WB_EXTERN_TABLE:
    if (x->index < info->ntables) t->table = info->tables[x->index];
    break;
  case WB_EXTERN_MEMORY:
    if (x->index < info->nmemories) t->memory = info->memories[x->index];
    break;
  default: break;
  }
  if (ft) {
    size_t n = (size_t)ft->nparams + ft->nresults;
    if (n) memcpy(*vals, ft->vals, n * sizeof **vals);
    t->func.params = *vals;
    t->func.nparams = ft->nparams;
    t->func.results = *vals + ft->nparams;
    t->func.nresults = ft->nresults;
    *vals += n;
  }
}

static size_t vals_of(const wbd_modinfo_t *info, const wbd_import_t *x) {
  const wbd_type_t *ft = 0;
  if (x->kind == WB_EXTERN_FUNC && x->index < info->nfuncs) ft = wbd_modinfo_functype(info, info->funcs[x->index]);
  if (x->kind == WB_EXTERN_TAG && x->index < info->ntags) ft = wbd_modinfo_functype(info, info->tags[x->index]);
  return ft ? (size_t)ft->nparams + ft->nresults : 0;
}

static char *put(char **at, const char *s, size_t len) {
  char *p = *at;
  memcpy(p, s, len);
  p[len] = 0;
  *at += len + 1;
  return p;
}

/* One malloc'd block: the descriptions, their full types, the value types
 * those point to, then the strings; wb_extern_list_dispose frees it. */
wb_status_t wbl_module_list(uint64_t module_id, bool imports, wb_extern_list_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(module_id, WBH_KIND_MODULE, &obj);
  if (st) return st;
  if ((st = wbi_version_check(&list_info, out->version))) goto done;
  wbd_module_t *m = obj;
  const wbd_modinfo_t *info = m->info;
  if (!info) {
    st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s", m->info_error ? m->info_error : "the module's types are unknown");
    goto done;
  }
  size_t n = imports ? info->nimports : info->nexports, nvals = 0, bytes = 0;
  const wbd_import_t *xs = imports ? info->imports : info->exports;
  for (size_t i = 0; i < n; i++) {
    nvals += vals_of(info, &xs[i]);
    bytes += (imports ? xs[i].module_len + 1 : 0) + xs[i].name_len + 1 + strlen(xs[i].text) + 1;
  }
  size_t descs = n * sizeof(wb_extern_desc_t), types = n * sizeof(wb_externtype_t);
  size_t valbytes = nvals * sizeof(wb_valtype_t);
  char *block = malloc(descs + types + valbytes + bytes + 1);
  if (!block) {
    st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the list of %zu items", n);
    goto done;
  }
  wb_extern_desc_t *items = (wb_extern_desc_t *)block;
  wb_externtype_t *details = (wb_externtype_t *)(block + descs);
  wb_valtype_t *vals = (wb_valtype_t *)(block + descs + types);
  char *strs = block + descs + types + valbytes;
  for (size_t i = 0; i < n; i++) {
    const wbd_import_t *x = &xs[i];
    memset(&items[i], 0, sizeof items[i]);
    if (imports) {
      items[i].module = put(&strs, x->module, x->module_len);
      items[i].module_len = x->module_len;
    }
    items[i].name = put(&strs, x->name, x->name_len);
    items[i].name_len = x->name_len;
    items[i].kind = (wb_externkind_t)x->kind;
    items[i].type = put(&strs, x->text, strlen(x->text));
    externtype_of(info, x, &details[i], &vals);
    items[i].detail = &details[i];
  }
  out->items = items;
  out->count = n;
done:
  wbh_release(module_id);
  return st;
}
