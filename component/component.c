/* Components: compiling, serializing, introspecting (imports and exports
 * with WIT types), and resolving exported functions' paths to indexes that
 * every instance of the component, in any store, shares.
 *
 * A component is shared by all threads: its export table grows under its
 * lock, and an entry, once published, never changes or moves (a two-level
 * table), so readers need no lock. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"

#define CHUNK_BITS 8
#define CHUNK (1u << CHUNK_BITS)
#define MAX_CHUNKS 256 /* 65,536 exported functions per component */

typedef struct wbc_component_full {
  wbc_component_t c;
  wbc_export_t **chunks[MAX_CHUNKS];
  const char **queries; /* the path each entry was looked up by (under lock) */
} wbc_component_full_t;

static wbc_component_full_t *full(wbc_component_t *c) { return (wbc_component_full_t *)c; }

static void destroy_component(void *obj) {
  wbc_component_full_t *f = obj;
  wbc_component_t *c = &f->c;
  uint32_t n = atomic_load(&c->nexports);
  for (uint32_t i = 0; i < n; i++) {
    wbc_export_t *e = f->chunks[i >> CHUNK_BITS][i & (CHUNK - 1)];
    wasmtime_component_export_index_delete(e->index);
  }
  for (uint32_t k = 0; k < MAX_CHUNKS && f->chunks[k]; k++) free(f->chunks[k]);
  free(f->queries);
  wbc_arena_free(&c->types);
  pthread_mutex_destroy(&c->lock);
  wasmtime_component_delete(c->component);
  uint64_t engine_id = c->engine_id;
  free(f);
  wbh_release(engine_id);
}

wb_status_t wbc_check_engine(const wbd_engine_t *e) {
  if (!(e->features & WBD_FEATURE_COMPONENT_MODEL))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the engine was made with wasm_component_model = false");
  if (e->async_support)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT,
                    "the engine has async_support: Wasmtime's synchronous component API aborts the process in "
                    "async stores, so wasmbound runs components only in engines without it");
  return WB_OK;
}

static wb_status_t check_bytes(const uint8_t *bytes, size_t len) {
  if (!bytes) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "bytes is NULL");
  if (!len) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "len is 0: an empty buffer is neither a component nor text");
  if (len > WBC_MAX_BYTES) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "len %zu is over the 1 GiB limit", len);
  return WB_OK;
}

/* The engine, with a reference, checked for components. */
static wb_status_t engine_for(wb_engine_t engine, wbd_engine_t **out) {
  void *eobj;
  wb_status_t st = wbh_acquire(engine.id, WBH_KIND_ENGINE, &eobj);
  if (st) return st;
  if ((st = wbc_check_engine(eobj))) {
    wbh_release(engine.id);
    return st;
  }
  *out = eobj;
  return WB_OK;
}

static wb_status_t compile(wbd_engine_t *e, const uint8_t *bytes, size_t len, wasmtime_component_t **out) {
  wasm_byte_vec_t text = {0, 0};
  if (len < 4 || memcmp(bytes, "\0asm", 4) != 0) {
    wasmtime_error_t *err = wasmtime_wat2wasm((const char *)bytes, len, &text);
    if (err) return wbd_fail_error(WB_ERR_COMPILE, err, "invalid component text (and not a binary either)");
    bytes = (const uint8_t *)text.data;
    len = text.size;
  }
  wasmtime_error_t *err = wasmtime_component_new(e->engine, bytes, len, out);
  if (text.data) wasm_byte_vec_delete(&text);
  if (err) return wbd_fail_error(WB_ERR_COMPILE, err, "invalid component");
  return WB_OK;
}

static bool imports_wasi(const wbd_engine_t *e, const wasmtime_component_t *comp) {
  wasmtime_component_type_t *ty = wasmtime_component_type(comp);
  size_t n = wasmtime_component_type_import_count(ty, e->engine);
  bool found = false;
  for (size_t i = 0; i < n && !found; i++) {
    const char *name;
    size_t len;
    wasmtime_component_item_t item;
    if (!wasmtime_component_type_import_nth(ty, e->engine, i, &name, &len, &item)) break;
    found = len >= 5 && memcmp(name, "wasi:", 5) == 0;
    wasmtime_component_item_delete(&item);
  }
  wasmtime_component_type_delete(ty);
  return found;
}

static wb_status_t new_handle(wbd_engine_t *e, uint64_t engine_id, wasmtime_component_t *comp, uint64_t *out) {
  wbc_component_full_t *f = calloc(1, sizeof *f);
  if (!f) {
    wasmtime_component_delete(comp);
    wbh_release(engine_id);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a component");
  }
  wbc_component_t *c = &f->c;
  c->component = comp;
  c->engine = e;
  c->engine_id = engine_id; /* the caller's reference moves here */
  c->engine_serial = e->serial;
  c->imports_wasi = imports_wasi(e, comp);
  c->run_index = UINT32_MAX;
  pthread_mutex_init(&c->lock, 0);
  wb_status_t st = wbh_alloc(WBH_KIND_COMPONENT, f, 0, out);
  if (st) destroy_component(f);
  return st;
}

wb_status_t wb_component_new(wb_engine_t engine, const uint8_t *bytes, size_t len, wb_component_t *out) {
  wb_status_t st = check_bytes(bytes, len);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_engine_t *e;
  if ((st = engine_for(engine, &e))) return st;
  wasmtime_component_t *comp;
  if ((st = compile(e, bytes, len, &comp))) {
    wbh_release(engine.id);
    return st;
  }
  uint64_t id;
  if ((st = new_handle(e, engine.id, comp, &id))) return st;
  out->id = id;
  return WB_OK;
}

wb_status_t wb_component_validate(wb_engine_t engine, const uint8_t *bytes, size_t len) {
  wb_status_t st = check_bytes(bytes, len);
  if (st) return st;
  wbd_engine_t *e;
  if ((st = engine_for(engine, &e))) return st;
  wasmtime_component_t *comp;
  st = compile(e, bytes, len, &comp);
  if (st == WB_OK) wasmtime_component_delete(comp);
  wbh_release(engine.id);
  return st;
}

wb_status_t wb_component_delete(wb_component_t component) {
  return wbh_delete_shared(component.id, WBH_KIND_COMPONENT);
}

wb_status_t wb_component_serialize(wb_component_t component, wb_bytes_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(component.id, WBH_KIND_COMPONENT, &obj);
  if (st) return st;
  wasm_byte_vec_t vec;
  wasmtime_error_t *err = wasmtime_component_serialize(((wbc_component_t *)obj)->component, &vec);
  wbh_release(component.id);
  if (err) return wbd_fail_error(WB_ERR_INTERNAL, err, "cannot serialize the component");
  uint8_t *copy = malloc(vec.size + 1);
  if (!copy) {
    wasm_byte_vec_delete(&vec);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu bytes", vec.size);
  }
  memcpy(copy, vec.data, vec.size);
  out->data = copy;
  out->len = vec.size;
  wasm_byte_vec_delete(&vec);
  return WB_OK;
}

wb_status_t wb_component_deserialize(wb_engine_t engine, const uint8_t *bytes, size_t len, wb_component_t *out) {
  wb_status_t st = check_bytes(bytes, len);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_engine_t *e;
  if ((st = engine_for(engine, &e))) return st;
  wasmtime_component_t *comp;
  wasmtime_error_t *err = wasmtime_component_deserialize(e->engine, bytes, len, &comp);
  if (err) {
    wbh_release(engine.id);
    return wbd_fail_error(WB_ERR_COMPILE, err, "cannot deserialize the component");
  }
  uint64_t id;
  if ((st = new_handle(e, engine.id, comp, &id))) return st;
  out->id = id;
  return WB_OK;
}

/* ---- names: exact, or semver-compatible as Wasmtime links them ------------------------ */

/* "a:b/c@1.2.3" -> "a:b/c@1"; "@0.2.3" -> "@0.2"; "@0.0.x" and unversioned
 * names have none (Wasmtime's rule). *len_out is the key's length in name. */
static bool semver_key(const char *name, size_t len, size_t *len_out) {
  const char *at = memchr(name, '@', len);
  if (!at) return false;
  const char *v = at + 1, *end = name + len;
  const char *dot1 = memchr(v, '.', (size_t)(end - v));
  if (!dot1) return false;
  if (!(dot1 - v == 1 && v[0] == '0')) { /* major != 0: keep the major */
    *len_out = (size_t)(dot1 - name);
    return true;
  }
  const char *minor = dot1 + 1;
  const char *dot2 = memchr(minor, '.', (size_t)(end - minor));
  if (!dot2 || (dot2 - minor == 1 && minor[0] == '0')) return false;
  *len_out = (size_t)(dot2 - name);
  return true;
}

static bool name_matches(const char *want, size_t wlen, const char *have, size_t hlen, bool exact) {
  if (exact) return wlen == hlen && memcmp(want, have, wlen) == 0;
  size_t kw, kh;
  return semver_key(want, wlen, &kw) && semver_key(have, hlen, &kh) && kw == kh && memcmp(want, have, kw) == 0;
}

/* An item of a component type (instance == NULL) or of an instance type by
 * name, exact first, then semver-compatible. *actual (NUL-terminated copy in
 * a) is the name as exported. */
static bool find_item(const wbd_engine_t *e, const wasmtime_component_type_t *ct,
                      const wasmtime_component_instance_type_t *it, const char *want, size_t wlen, wbc_arena_t *a,
                      const char **actual, wasmtime_component_item_t *item) {
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0;; i++) {
      const char *name;
      size_t len;
      wasmtime_component_item_t it_;
      bool ok = ct ? wasmtime_component_type_export_nth(ct, e->engine, i, &name, &len, &it_)
                   : wasmtime_component_instance_type_export_nth(it, e->engine, i, &name, &len, &it_);
      if (!ok) break;
      if (name_matches(want, wlen, name, len, pass == 0)) {
        *actual = wbc_arena_strndup(a, name, len);
        *item = it_;
        return true;
      }
      wasmtime_component_item_delete(&it_);
    }
  }
  return false;
}

/* ---- the export table ------------------------------------------------------------------ */

const wbc_export_t *wbc_component_export(wbc_component_t *c, uint32_t index) {
  if (index >= atomic_load_explicit(&c->nexports, memory_order_acquire)) return 0;
  return full(c)->chunks[index >> CHUNK_BITS][index & (CHUNK - 1)];
}

static wb_status_t resolve(wbc_component_t *c, const char *path, wbc_export_t *e) {
  wbc_arena_t *a = &c->types;
  wbc_buf_t found = {0};
  wasmtime_component_type_t *ct = wasmtime_component_type(c->component);
  wasmtime_component_instance_type_t *it = 0; /* the instance being searched (owned) */
  wasmtime_component_export_index_t *index = 0;
  wb_status_t st = WB_OK;
  const char *seg = path;
  for (;;) {
    const char *hash = strchr(seg, '#');
    size_t len = hash ? (size_t)(hash - seg) : strlen(seg);
    const char *actual = 0;
    wasmtime_component_item_t item;
    if (!find_item(c->engine, it ? 0 : ct, it, seg, len, a, &actual, &item)) {
      st = wbi_fail(WB_ERR_NOT_FOUND, "the component exports no \"%.*s\"%s%s", (int)len, seg,
                    found.len ? " in " : "", found.len ? found.data : "");
      break;
    }
    if (!actual) {
      wasmtime_component_item_delete(&item);
      st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
      break;
    }
    wasmtime_component_export_index_t *next =
        wasmtime_component_get_export_index(c->component, index, actual, strlen(actual));
    if (index) wasmtime_component_export_index_delete(index);
    index = next;
    wbc_buf_printf(&found, "%s%s", found.len ? "#" : "", actual);
    if (!index) {
      wasmtime_component_item_delete(&item);
      st = wbi_fail(WB_ERR_NOT_FOUND, "the component exports no \"%s\"", found.data);
      break;
    }
    if (hash) { /* descend into an instance */
      if (item.kind != WASMTIME_COMPONENT_ITEM_COMPONENT_INSTANCE) {
        wasmtime_component_item_delete(&item);
        st = wbi_fail(WB_ERR_NOT_FOUND, "\"%s\" is not an instance, so it has no \"%s\"", found.data, hash + 1);
        break;
      }
      if (it) wasmtime_component_instance_type_delete(it);
      it = wasmtime_component_instance_type_clone(item.of.component_instance);
      wasmtime_component_item_delete(&item);
      seg = hash + 1;
      continue;
    }
    if (item.kind != WASMTIME_COMPONENT_ITEM_COMPONENT_FUNC) {
      wasmtime_component_item_delete(&item);
      st = wbi_fail(WB_ERR_TYPE_MISMATCH, "export \"%s\" is not a function", found.data);
      break;
    }
    st = wbc_functype_build(a, item.of.component_func, &e->type);
    wasmtime_component_item_delete(&item);
    if (st) {
      char prefix[300];
      snprintf(prefix, sizeof prefix, "export \"%s\": ", found.data);
      wbi_fail_prefix(st, prefix);
      break;
    }
    e->path = wbc_arena_strndup(a, found.data, found.len);
    e->index = index;
    index = 0;
    if (!e->path) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
    break;
  }
  if (index) wasmtime_component_export_index_delete(index);
  if (it) wasmtime_component_instance_type_delete(it);
  wasmtime_component_type_delete(ct);
  free(found.data);
  return st;
}

wb_status_t wbc_component_func_index(wbc_component_t *c, const char *path, uint32_t *out) {
  size_t plen;
  wb_status_t st = wbd_check_name(path, "path", &plen);
  if (st) return st;
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbc_component_full_t *f = full(c);
  pthread_mutex_lock(&c->lock);
  uint32_t n = atomic_load_explicit(&c->nexports, memory_order_relaxed);
  for (uint32_t i = 0; i < n; i++)
    if (strcmp(f->queries[i], path) == 0) {
      pthread_mutex_unlock(&c->lock);
      *out = i;
      return WB_OK;
    }
  if (n == MAX_CHUNKS * CHUNK) {
    pthread_mutex_unlock(&c->lock);
    return wbi_fail(WB_ERR_LIMIT, "the component has %u function indexes already", n);
  }
  wbc_export_t *e = wbc_arena_alloc(&c->types, sizeof *e);
  const char *query = wbc_arena_strndup(&c->types, path, plen);
  const char **queries = (n & (n - 1)) == 0 ? realloc(f->queries, (n ? 2 * n : 1) * sizeof *queries) : f->queries;
  if (queries) f->queries = queries;
  if (!f->chunks[n >> CHUNK_BITS]) f->chunks[n >> CHUNK_BITS] = calloc(CHUNK, sizeof(wbc_export_t *));
  if (!e || !query || !queries || !f->chunks[n >> CHUNK_BITS]) {
    pthread_mutex_unlock(&c->lock);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a function index");
  }
  memset(e, 0, sizeof *e);
  st = resolve(c, path, e);
  if (st == WB_OK) {
    f->queries[n] = query;
    f->chunks[n >> CHUNK_BITS][n & (CHUNK - 1)] = e;
    atomic_store_explicit(&c->nexports, n + 1, memory_order_release); /* publishes the entry */
    *out = n;
  }
  pthread_mutex_unlock(&c->lock);
  return st;
}

wb_status_t wb_component_func_index(wb_component_t component, const char *path, uint32_t *out) {
  void *obj;
  wb_status_t st = wbh_acquire(component.id, WBH_KIND_COMPONENT, &obj);
  if (st) return st;
  st = wbc_component_func_index(obj, path, out);
  wbh_release(component.id);
  return st;
}

/* ---- imports and exports with WIT types ----------------------------------------------- */

typedef struct item_list {
  wbc_buf_t strings; /* path\0type\0 per item */
  wb_citem_kind_t *kinds;
  size_t n, cap;
  bool failed;
} item_list_t;

static void add_item(item_list_t *l, const char *path, wb_citem_kind_t kind, const char *type) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    wb_citem_kind_t *k = realloc(l->kinds, cap * sizeof *k);
    if (!k) {
      l->failed = true;
      return;
    }
    l->kinds = k;
    l->cap = cap;
  }
  l->kinds[l->n++] = kind;
  wbc_buf_puts(&l->strings, path);
  wbc_buf_puts(&l->strings, "\x1f");
  wbc_buf_puts(&l->strings, type);
  wbc_buf_puts(&l->strings, "\x1f");
}

static void list_item(const wbd_engine_t *e, item_list_t *l, const char *path, const wasmtime_component_item_t *item,
                      int depth) {
  wbc_arena_t a = {0};
  wbc_buf_t type = {0};
  wb_citem_kind_t kind = WB_CITEM_TYPE;
  switch (item->kind) {
  case WASMTIME_COMPONENT_ITEM_COMPONENT_FUNC: {
    wbc_functype_t ft;
    kind = WB_CITEM_FUNC;
    if (wbc_functype_build(&a, item->of.component_func, &ft) == WB_OK) wbc_buf_puts(&type, ft.text);
    else wbc_buf_printf(&type, "func (%s)", wb_last_error());
    break;
  }
  case WASMTIME_COMPONENT_ITEM_COMPONENT_INSTANCE: kind = WB_CITEM_INSTANCE; wbc_buf_puts(&type, "instance"); break;
  case WASMTIME_COMPONENT_ITEM_RESOURCE: kind = WB_CITEM_RESOURCE; wbc_buf_puts(&type, "resource"); break;
  case WASMTIME_COMPONENT_ITEM_MODULE: kind = WB_CITEM_MODULE; wbc_buf_puts(&type, "core module"); break;
  case WASMTIME_COMPONENT_ITEM_COMPONENT: kind = WB_CITEM_COMPONENT; wbc_buf_puts(&type, "component"); break;
  case WASMTIME_COMPONENT_ITEM_CORE_FUNC: kind = WB_CITEM_CORE_FUNC; wbc_buf_puts(&type, "core func"); break;
  default: {
    uint32_t res = 0;
    const wbc_type_t *t = wbc_type_build(&a, &item->of.type, &res);
    if (t) wbc_type_text(&type, t);
    else wbc_buf_printf(&type, "(%s)", wb_last_error());
    break;
  }
  }
  add_item(l, path, kind, type.failed || !type.data ? "" : type.data);
  free(type.data);
  wbc_arena_free(&a);
  if (item->kind == WASMTIME_COMPONENT_ITEM_COMPONENT_INSTANCE && depth < 16) {
    const wasmtime_component_instance_type_t *it = item->of.component_instance;
    for (size_t i = 0;; i++) {
      const char *name;
      size_t len;
      wasmtime_component_item_t sub;
      if (!wasmtime_component_instance_type_export_nth(it, e->engine, i, &name, &len, &sub)) break;
      wbc_buf_t p = {0};
      wbc_buf_printf(&p, "%s#%.*s", path, (int)len, name);
      if (!p.failed) list_item(e, l, p.data, &sub, depth + 1);
      else l->failed = true;
      free(p.data);
      wasmtime_component_item_delete(&sub);
    }
  }
}

static wb_status_t list_items(wb_component_t component, bool imports, wb_citem_list_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  void *obj;
  wb_status_t st = wbh_acquire(component.id, WBH_KIND_COMPONENT, &obj);
  if (st) return st;
  wbc_component_t *c = obj;
  wasmtime_component_type_t *ct = wasmtime_component_type(c->component);
  item_list_t l = {0};
  for (size_t i = 0;; i++) {
    const char *name;
    size_t len;
    wasmtime_component_item_t item;
    bool ok = imports ? wasmtime_component_type_import_nth(ct, c->engine->engine, i, &name, &len, &item)
                      : wasmtime_component_type_export_nth(ct, c->engine->engine, i, &name, &len, &item);
    if (!ok) break;
    char *path = strndup(name, len);
    if (path) list_item(c->engine, &l, path, &item, 0);
    else l.failed = true;
    free(path);
    wasmtime_component_item_delete(&item);
  }
  wasmtime_component_type_delete(ct);
  wbh_release(component.id);
  if (l.failed || l.strings.failed) {
    free(l.kinds);
    free(l.strings.data);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the list");
  }
  /* one block: the array, then the strings ('|' separators become NULs) */
  size_t head = l.n * sizeof(wb_citem_desc_t);
  char *block = malloc(head + l.strings.len + 1);
  if (!block) {
    free(l.kinds);
    free(l.strings.data);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the list");
  }
  wb_citem_desc_t *items = (wb_citem_desc_t *)(void *)block;
  char *s = block + head;
  if (l.strings.len) memcpy(s, l.strings.data, l.strings.len);
  s[l.strings.len] = 0;
  for (size_t i = 0; i < l.n; i++) {
    items[i].path = s;
    s = strchr(s, 0x1f);
    *s++ = 0;
    items[i].type = s;
    s = strchr(s, 0x1f);
    *s++ = 0;
    items[i].kind = l.kinds[i];
  }
  free(l.kinds);
  free(l.strings.data);
  out->items = l.n ? items : 0;
  out->count = l.n;
  if (!l.n) free(block);
  return WB_OK;
}

wb_status_t wb_component_imports(wb_component_t component, wb_citem_list_t *out) {
  return list_items(component, true, out);
}

wb_status_t wb_component_exports(wb_component_t component, wb_citem_list_t *out) {
  return list_items(component, false, out);
}

void wb_citem_list_dispose(wb_citem_list_t *list) {
  if (!list) return;
  free(list->items);
  list->items = 0;
  list->count = 0;
}

void wbc_component_init(void) { wbh_set_destructor(WBH_KIND_COMPONENT, destroy_component); }

/* ---- the package's start --------------------------------------------------------------- */

void wbc_linker_init(void);
void wbc_instance_init(void);
void wbc_resource_init(void);
void wbc_pool_init(void);

void wbc_init(void) {
  wbc_component_init();
  wbc_linker_init();
  wbc_instance_init();
  wbc_resource_init();
  wbc_pool_init();
}
