/* WASI configurations: a creator-thread builder whose copy of the settings
 * becomes a fresh wasi_config_t each time it is applied to a store (Wasmtime
 * consumes its configs), so one configuration serves many stores. */
#include <stdlib.h>
#include <string.h>

#include <wasi.h>

#include "lifecycle.h"

typedef struct wbl_stdio {
  wb_stdio_mode_t mode;
  char *path;
} wbl_stdio_t;

typedef struct wbl_preopen {
  char *host, *guest;
  bool read_only;
} wbl_preopen_t;

typedef struct wbl_wasi {
  char **argv;
  size_t argc;
  char **env_names, **env_values;
  size_t envc;
  uint8_t *stdin_bytes;
  size_t stdin_len;
  wbl_stdio_t out[2]; /* stdout, stderr */
  wbl_preopen_t *preopens;
  size_t npreopens;
  uint32_t max_open_files;   /* WBL_DEFAULT_MAX_OPEN_FILES unless set */
  uint64_t output_limit;     /* per captured stream; WBL_DEFAULT_OUTPUT_LIMIT unless set */
} wbl_wasi_t;

static void free_strings(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static void destroy_wasi(void *obj) {
  wbl_wasi_t *w = obj;
  free_strings(w->argv, w->argc);
  free_strings(w->env_names, w->envc);
  free_strings(w->env_values, w->envc);
  free(w->stdin_bytes);
  free(w->out[0].path);
  free(w->out[1].path);
  for (size_t i = 0; i < w->npreopens; i++) {
    free(w->preopens[i].host);
    free(w->preopens[i].guest);
  }
  free(w->preopens);
  free(w);
}

void wbl_wasi_init(void) { wbh_set_destructor(WBH_KIND_WASI_CONFIG, destroy_wasi); }

wb_status_t wb_wasi_config_new(wb_wasi_config_t *out) {
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbl_wasi_t *w = calloc(1, sizeof *w);
  if (!w) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for a WASI configuration");
  w->max_open_files = WBL_DEFAULT_MAX_OPEN_FILES;
  w->output_limit = WBL_DEFAULT_OUTPUT_LIMIT;
  uint64_t id;
  wb_status_t st = wbh_alloc(WBH_KIND_WASI_CONFIG, w, 0, &id);
  if (st) {
    free(w);
    return st;
  }
  out->id = id;
  return WB_OK;
}

static wb_status_t owned(wb_wasi_config_t config, wbl_wasi_t **out) {
  wbh_slot_t *slot = 0;
  wb_status_t st = wbh_owned(config.id, WBH_KIND_WASI_CONFIG, &slot);
  if (st == WB_OK) *out = slot->obj;
  return st;
}

wb_status_t wb_wasi_config_delete(wb_wasi_config_t config) {
  return wbh_delete_builder(config.id, WBH_KIND_WASI_CONFIG);
}

/* Copies n checked strings; *out is NULL on failure (last error set). */
static wb_status_t copy_strings(const char *const *v, size_t n, const char *what, char ***out) {
  *out = 0;
  if (n && !v) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%s is NULL with a count of %zu", what, n);
  if (n > 1u << 20) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "%zu %s are too many", n, what);
  char **copy = calloc(n + 1, sizeof *copy);
  if (!copy) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t len;
    wb_status_t st = wbd_check_name(v[i], what, &len);
    if (st == WB_OK && !(copy[i] = strdup(v[i]))) st = wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
    if (st) {
      free_strings(copy, i);
      return st;
    }
  }
  *out = copy;
  return WB_OK;
}

wb_status_t wb_wasi_config_set_args(wb_wasi_config_t config, const char *const *argv, size_t argc) {
  wbl_wasi_t *w;
  wb_status_t st = owned(config, &w);
  char **copy;
  if (st == WB_OK) st = copy_strings(argv, argc, "argv", &copy);
  if (st) return st;
  free_strings(w->argv, w->argc);
  w->argv = copy;
  w->argc = argc;
  return WB_OK;
}

wb_status_t wb_wasi_config_set_env(wb_wasi_config_t config, const char *const *names, const char *const *values,
                                   size_t count) {
  wbl_wasi_t *w;
  wb_status_t st = owned(config, &w);
  char **n = 0, **v = 0;
  if (st == WB_OK) st = copy_strings(names, count, "names", &n);
  if (st == WB_OK) st = copy_strings(values, count, "values", &v);
  if (st == WB_OK)
    for (size_t i = 0; i < count; i++)
      if (!n[i][0] || strchr(n[i], '='))
        st = wbi_fail(WB_ERR_INVALID_ARGUMENT, "environment name %zu (\"%s\") is empty or contains '='", i, n[i]);
  if (st) {
    if (n) free_strings(n, count);
    if (v) free_strings(v, count);
    return st;
  }
  free_strings(w->env_names, w->envc);
  free_strings(w->env_values, w->envc);
  w->env_names = n;
  w->env_values = v;
  w->envc = count;
  return WB_OK;
}

wb_status_t wb_wasi_config_set_stdin(wb_wasi_config_t config, const uint8_t *bytes, size_t len) {
  wbl_wasi_t *w;
  wb_status_t st = owned(config, &w);
  if (st) return st;
  if (len && !bytes) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "bytes is NULL with len %zu", len);
  if (len > (size_t)1 << 32) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "len %zu is over 4 GiB", len);
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu stdin bytes", len);
  if (len) memcpy(copy, bytes, len);
  free(w->stdin_bytes);
  w->stdin_bytes = copy;
  w->stdin_len = len;
  return WB_OK;
}

static wb_status_t set_stdio(wb_wasi_config_t config, int which, wb_stdio_mode_t mode, const char *path) {
  wbl_wasi_t *w;
  wb_status_t st = owned(config, &w);
  if (st) return st;
  if ((unsigned)mode > WB_STDIO_CAPTURE) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "mode %d is not a wb_stdio_mode_t", (int)mode);
  char *copy = 0;
  if (mode == WB_STDIO_FILE) {
    size_t len;
    st = wbd_check_name(path, "path", &len);
    if (st) return st;
    if (!(copy = strdup(path))) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  } else if (path) {
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "path is given but mode is not WB_STDIO_FILE");
  }
  free(w->out[which].path);
  w->out[which].mode = mode;
  w->out[which].path = copy;
  return WB_OK;
}

wb_status_t wb_wasi_config_set_stdout(wb_wasi_config_t config, wb_stdio_mode_t mode, const char *path) {
  return set_stdio(config, 0, mode, path);
}

wb_status_t wb_wasi_config_set_stderr(wb_wasi_config_t config, wb_stdio_mode_t mode, const char *path) {
  return set_stdio(config, 1, mode, path);
}

wb_status_t wb_wasi_config_preopen_dir(wb_wasi_config_t config, const char *host_path, const char *guest_path,
                                       bool read_only) {
  wbl_wasi_t *w;
  size_t len;
  wb_status_t st = owned(config, &w);
  if (st == WB_OK) st = wbd_check_name(host_path, "host_path", &len);
  if (st == WB_OK) st = wbd_check_name(guest_path, "guest_path", &len);
  if (st) return st;
  wbl_preopen_t *p = realloc(w->preopens, (w->npreopens + 1) * sizeof *p);
  if (!p) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  w->preopens = p;
  p = &p[w->npreopens];
  p->host = strdup(host_path);
  p->guest = strdup(guest_path);
  p->read_only = read_only;
  if (!p->host || !p->guest) {
    free(p->host);
    free(p->guest);
    return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  }
  w->npreopens++;
  return WB_OK;
}

wb_status_t wb_wasi_config_set_max_open_files(wb_wasi_config_t config, uint32_t max) {
  wbl_wasi_t *w;
  wb_status_t st = owned(config, &w);
  if (st) return st;
  if (max == 0 || max > (1u << 20))
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "max %u is outside 1 .. 1048576 open files", max);
  w->max_open_files = max;
  return WB_OK;
}

wb_status_t wb_wasi_config_set_output_limit(wb_wasi_config_t config, uint64_t bytes) {
  wbl_wasi_t *w;
  wb_status_t st = owned(config, &w);
  if (st) return st;
  w->output_limit = bytes;
  return WB_OK;
}

/* ---- applying a configuration to a store --------------------------------------- */

/* Runs on a thread of Wasmtime's (see wbd_capture_t). Keeps at most `limit`
 * bytes and counts the rest; the guest is told everything was written, so
 * that it neither fails nor retries. */
static ptrdiff_t capture_write(void *data, const unsigned char *buf, size_t len) {
  wbd_capture_t *c = data;
  pthread_mutex_lock(&c->lock);
  size_t keep = c->len >= c->limit ? 0 : c->limit - c->len < len ? (size_t)(c->limit - c->len) : len;
  if (keep && c->len + keep > c->cap) {
    size_t cap = c->cap ? c->cap : 4096;
    while (cap < c->len + keep) cap *= 2;
    uint8_t *d = realloc(c->data, cap);
    if (!d) keep = 0; /* out of memory: the bytes are dropped, and counted */
    else {
      c->data = d;
      c->cap = cap;
    }
  }
  if (keep) memcpy(c->data + c->len, buf, keep);
  c->len += keep;
  c->dropped += len - keep;
  pthread_mutex_unlock(&c->lock);
  return (ptrdiff_t)len;
}

static void capture_free(void *data) {
  wbd_capture_t *c = data;
  pthread_mutex_destroy(&c->lock);
  free(c->data);
  free(c);
}

wb_status_t wb_store_set_wasi(wb_store_t store, wb_wasi_config_t config) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  wbl_wasi_t *w;
  if (st == WB_OK) st = owned(config, &w);
  if (st) return st;
  wbd_store_t *s = wbd_store_of(ss);
  wasi_config_t *wc = wasi_config_new();
  if (w->argc && !wasi_config_set_argv(wc, w->argc, (const char **)w->argv)) {
    wasi_config_delete(wc);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "Wasmtime refused the arguments");
  }
  if (w->envc && !wasi_config_set_env(wc, w->envc, (const char **)w->env_names, (const char **)w->env_values)) {
    wasi_config_delete(wc);
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "Wasmtime refused the environment");
  }
  wasm_byte_vec_t in;
  wasm_byte_vec_new(&in, w->stdin_len, (const wasm_byte_t *)w->stdin_bytes);
  wasi_config_set_stdin_bytes(wc, &in); /* takes the vector */
  wbd_capture_t *captured[2] = {0, 0};
  for (int i = 0; i < 2; i++) {
    const wbl_stdio_t *o = &w->out[i];
    bool ok = true;
    switch (o->mode) {
    case WB_STDIO_DISCARD: break;
    case WB_STDIO_INHERIT: i ? wasi_config_inherit_stderr(wc) : wasi_config_inherit_stdout(wc); break;
    case WB_STDIO_FILE: ok = i ? wasi_config_set_stderr_file(wc, o->path) : wasi_config_set_stdout_file(wc, o->path); break;
    case WB_STDIO_CAPTURE:
      captured[i] = calloc(1, sizeof *captured[i]);
      if (captured[i]) {
        pthread_mutex_init(&captured[i]->lock, 0);
        captured[i]->limit = w->output_limit;
      }
      if (!captured[i]) ok = false;
      else if (i) wasi_config_set_stderr_custom(wc, capture_write, captured[i], capture_free);
      else wasi_config_set_stdout_custom(wc, capture_write, captured[i], capture_free);
      break;
    }
    if (!ok) {
      wasi_config_delete(wc); /* frees captures already handed over */
      return wbi_fail(WB_ERR_IO, "cannot open %s for the WASI program's %s", o->path ? o->path : "a buffer",
                      i ? "stderr" : "stdout");
    }
  }
  for (size_t i = 0; i < w->npreopens; i++) {
    const wbl_preopen_t *p = &w->preopens[i];
    wasi_dir_perms dp = WASMTIME_WASI_DIR_PERMS_READ | (p->read_only ? 0 : WASMTIME_WASI_DIR_PERMS_WRITE);
    wasi_file_perms fp = WASMTIME_WASI_FILE_PERMS_READ | (p->read_only ? 0 : WASMTIME_WASI_FILE_PERMS_WRITE);
    if (!wasi_config_preopen_dir(wc, p->host, p->guest, dp, fp)) {
      wasi_config_delete(wc);
      return wbi_fail(WB_ERR_IO, "cannot preopen host directory \"%s\" as \"%s\"", p->host, p->guest);
    }
  }
  wasmtime_error_t *err = wasmtime_context_set_wasi(s->ctx, wc); /* takes wc, and the old context goes */
  if (err) return wbd_fail_error(WB_ERR_IO, err, "cannot set up WASI");
  s->captured[0] = captured[0];
  s->captured[1] = captured[1];
  s->has_wasi = true;
  s->max_open_files = w->max_open_files;
  wbl_wasi_guard_reset(s);
  return WB_OK;
}

wb_status_t wbl_store_default_wasi(wbd_store_t *s) {
  if (s->has_wasi) return WB_OK;
  wasmtime_error_t *err = wasmtime_context_set_wasi(s->ctx, wasi_config_new()); /* takes the config */
  if (err) return wbd_fail_error(WB_ERR_IO, err, "cannot give the store an empty WASI context");
  s->captured[0] = s->captured[1] = 0;
  s->has_wasi = true;
  s->max_open_files = WBL_DEFAULT_MAX_OPEN_FILES;
  wbl_wasi_guard_reset(s);
  return WB_OK;
}

wb_status_t wb_store_wasi_output(wb_store_t store, int fd, wb_bytes_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (fd != 1 && fd != 2) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "fd %d is neither 1 (stdout) nor 2 (stderr)", fd);
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_capture_t *c = wbd_store_of(ss)->captured[fd - 1];
  if (!c) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the store's WASI %s is not captured (WB_STDIO_CAPTURE)",
                          fd == 1 ? "stdout" : "stderr");
  pthread_mutex_lock(&c->lock);
  size_t len = c->len;
  uint8_t *copy = malloc(len + 1);
  if (copy && len) memcpy(copy, c->data, len);
  pthread_mutex_unlock(&c->lock);
  if (!copy) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory for %zu bytes", len);
  copy[len] = 0; /* a NUL after the bytes, for printing; not counted */
  out->data = copy;
  out->len = len;
  return WB_OK;
}

wb_status_t wb_store_wasi_output_dropped(wb_store_t store, int fd, uint64_t *out) {
  wbh_slot_t *ss, *same;
  wb_status_t st = wbh_bound(store.id, WBH_KIND_STORE, &ss, &same);
  if (st) return st;
  if (fd != 1 && fd != 2) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "fd %d is neither 1 (stdout) nor 2 (stderr)", fd);
  if (!out) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "out is NULL");
  wbd_capture_t *c = wbd_store_of(ss)->captured[fd - 1];
  if (!c) return wbi_fail(WB_ERR_INVALID_ARGUMENT, "the store's WASI %s is not captured (WB_STDIO_CAPTURE)",
                          fd == 1 ? "stdout" : "stderr");
  pthread_mutex_lock(&c->lock);
  *out = c->dropped;
  pthread_mutex_unlock(&c->lock);
  return WB_OK;
}
