/* component: the component model and WASI 0.2 through thread-bound handles.
 * Internal header: not installed.
 *
 * Objects and who owns them:
 *
 *   wbc_component_t  (WBH_KIND_COMPONENT, shared)   the compiled component,
 *                    its WIT function types and export indexes (grown
 *                    under `lock`, entries never move or change once made)
 *   wbc_linker_t     (WBH_KIND_COMPONENT_LINKER, creator thread)  a recipe of
 *                    definitions; the Wasmtime linker is built from it when
 *                    needed (Wasmtime defines an interface once, so
 *                    definitions are grouped by interface at build time)
 *   wbc_template_t   (WBH_KIND_COMPONENT_TEMPLATE, shared)  a Wasmtime
 *                    linker built from a recipe and never changed again
 *   wbc_instance_t, wbc_func_t, wbc_resource_t (store-bound)  freed with
 *                    their store by its owner thread
 *   wbc_store_t      per store (wbd_store_t.component): host resources by
 *                    rep, scratch memory of running host functions, spare
 *                    resource handles
 *   wbc_hostfn_t, wbc_restype_t  reference counted: held by linker recipes,
 *                    Wasmtime linkers (their finalizer) and resources
 *
 * Every Wasmtime call that can run wasm goes through wbd_wasm_enter/leave
 * and the stack check, like core calls. */
#ifndef WB_COMPONENT_H
#define WB_COMPONENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <wasmtime.h>

#include "../dispatch/objects.h"
#include "../lifecycle/lifecycle.h"

/* ---- memory ----------------------------------------------------------------- */

/* A bump allocator of malloc'd chunks, freed all at once. */
typedef struct wbc_chunk wbc_chunk_t;
typedef struct wbc_arena {
  wbc_chunk_t *head;
  size_t used, cap; /* in the head chunk */
} wbc_arena_t;
void *wbc_arena_alloc(wbc_arena_t *a, size_t size); /* 16-byte aligned; NULL when out of memory */
char *wbc_arena_strndup(wbc_arena_t *a, const char *s, size_t len);
void wbc_arena_free(wbc_arena_t *a);
/* A point to return to: everything allocated after it is freed by reset. */
typedef struct wbc_arena_mark {
  wbc_chunk_t *head;
  size_t used;
} wbc_arena_mark_t;
wbc_arena_mark_t wbc_arena_mark(const wbc_arena_t *a);
void wbc_arena_reset(wbc_arena_t *a, wbc_arena_mark_t m);

/* ---- WIT types ----------------------------------------------------------------- */

/* A WIT value type, built once from Wasmtime's types and never changed.
 * kind is a wb_cval_kind_t (a list<u8> is WB_CVAL_LIST with is_bytes). */
typedef struct wbc_type wbc_type_t;
struct wbc_type {
  uint8_t kind;
  bool is_bytes;           /* list<u8> */
  bool has_resource;       /* an own/borrow somewhere inside */
  uint32_t n;              /* fields, members, cases, names; result: 2 (ok, err) */
  uint32_t res_index;      /* own/borrow: the function's resource slot (wbc_func_t.restypes) */
  const wbc_type_t *elem;  /* list, option */
  const wbc_type_t **items;/* record fields, tuple members, variant payloads, result ok/err (NULL: none) */
  const char **names;      /* record fields, variant and enum cases, flags (NUL-terminated) */
};

/* A function's WIT type. */
typedef struct wbc_functype {
  uint32_t nparams;
  const wbc_type_t **params;
  const char **param_names;
  const wbc_type_t *result;  /* NULL: none */
  uint32_t nresources;       /* own/borrow nodes, params first, depth first */
  bool has_resource;
  /* the fast path: every parameter a scalar or a string, the result too */
  bool flat;
  /* wbc_call's gate: nparams when flat and at most 16 parameters, else
   * SIZE_MAX (no count matches); and the parameters' Wasmtime value kinds */
  size_t fast_nparams;
  uint8_t fast_kinds[16];
  const char *text;          /* "func(a: u32) -> string" */
} wbc_functype_t;

/* Builds a type from Wasmtime's (which stays the caller's). *res_count
 * numbers own/borrow nodes. Sets the last error and returns NULL for a type
 * wasmbound cannot pass (future, stream, error-context) or no memory. */
const wbc_type_t *wbc_type_build(wbc_arena_t *a, const wasmtime_component_valtype_t *t, uint32_t *res_count);
/* Fills ft from Wasmtime's function type (which stays the caller's). */
wb_status_t wbc_functype_build(wbc_arena_t *a, const wasmtime_component_func_type_t *t, wbc_functype_t *ft);
/* Clones the resource types of t's own/borrow nodes (in res_index order)
 * into out[0..max); returns how many t has. */
uint32_t wbc_collect_restypes(const wasmtime_component_func_type_t *t, wasmtime_component_resource_type_t **out,
                              uint32_t max);
/* WIT text of a type, appended to a growing buffer. */
typedef struct wbc_buf {
  char *data;
  size_t len, cap;
  bool failed;
} wbc_buf_t;
void wbc_buf_puts(wbc_buf_t *b, const char *s);
void wbc_buf_printf(wbc_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wbc_type_text(wbc_buf_t *b, const wbc_type_t *t);
const char *wbc_kind_name(uint8_t kind); /* "u32", "string", "list", ... */
/* The Wasmtime value kind (WASMTIME_COMPONENT_*) of a scalar or string kind; 0xFF otherwise. */
uint8_t wbc_wasmtime_kind(uint8_t cval_kind);


/* ---- components -------------------------------------------------------------- */

typedef struct wbc_export {
  const char *path;          /* as found: "wasi:cli/run@0.2.12#run" */
  wasmtime_component_export_index_t *index;
  wbc_functype_t type;
} wbc_export_t;

typedef struct wbc_component {
  wasmtime_component_t *component;
  wbd_engine_t *engine;
  uint64_t engine_id;        /* a reference held for the component's life */
  uint64_t engine_serial;
  bool imports_wasi;         /* imports a "wasi:" interface */
  bool resolved_run;         /* run_index is known */
  uint32_t run_index;        /* wasi:cli/run#run, or UINT32_MAX */
  pthread_mutex_t lock;      /* exports, nexports, types */
  wbc_export_t **exports;
  _Atomic uint32_t nexports; /* entries below it are complete (readers need no lock) */
  uint32_t cap;
  wbc_arena_t types;
} wbc_component_t;

/* Finds or adds the export for path (any thread; takes the lock). */
wb_status_t wbc_component_func_index(wbc_component_t *c, const char *path, uint32_t *out);
/* The export of an index (any thread); NULL for a bad index. */
const wbc_export_t *wbc_component_export(wbc_component_t *c, uint32_t index);
/* Checks an engine for components: component model on, no async support. */
wb_status_t wbc_check_engine(const wbd_engine_t *e);

/* ---- linkers and templates ------------------------------------------------------ */

/* A host function definition: shared by linker recipes and the Wasmtime
 * linkers built from them (each holds a reference). */
typedef struct wbc_hostfn {
  _Atomic int refs;
  wb_component_host_callback_t callback;
  void *env;
  wb_finalizer_t finalizer;
  char *label;               /* "iface#name", for messages */
  /* the last function type seen (a definition may serve imports of several
   * types): read and replaced atomically, retired entries freed with it */
  _Atomic(struct wbc_hostsig *) sig;
  pthread_mutex_t retired_lock;
  struct wbc_hostsig *retired;
} wbc_hostfn_t;

/* A host resource type, shared like a host function. */
typedef struct wbc_restype {
  _Atomic int refs;
  uint32_t id;
  wb_resource_destructor_t destructor;
  void *env;
  wb_finalizer_t finalizer;
  char *label;
  struct wbc_restype *next_registered; /* the process-wide registry (resource.c) */
} wbc_restype_t;

void wbc_hostfn_unref(wbc_hostfn_t *h);
void wbc_restype_ref(wbc_restype_t *t);
void wbc_restype_unref(wbc_restype_t *t);
/* The registered type with this id, with a reference, or NULL. */
wbc_restype_t *wbc_restype_find(uint32_t id);
void wbc_restype_register(wbc_restype_t *t);

enum { WBC_DEF_FUNC, WBC_DEF_RESOURCE, WBC_DEF_MODULE };

typedef struct wbc_def {
  int kind;
  char *iface;               /* "" for the root */
  char *name;
  wbc_hostfn_t *fn;
  wbc_restype_t *res;
  wasmtime_module_t *module;
} wbc_def_t;

typedef struct wbc_linker {
  wbd_engine_t *engine;
  uint64_t engine_id;        /* a reference held for the linker's life */
  bool shadowing, wasi;
  wbc_def_t *defs;
  size_t ndefs, cap;
  wasmtime_component_linker_t *built; /* from defs; NULL when they changed since */
} wbc_linker_t;

typedef struct wbc_template {
  wasmtime_component_linker_t *linker; /* built once, never changed: shared by threads */
  wbc_component_t *comp;
  uint64_t comp_id;          /* a reference held for the template's life */
  uint64_t engine_serial;
  bool wasi;
} wbc_template_t;

/* Builds a Wasmtime linker from a recipe (creator thread). */
wb_status_t wbc_linker_build(wbc_linker_t *l, wasmtime_component_linker_t **out);

/* ---- instances, functions, calls ------------------------------------------------- */

typedef struct wbc_instance {
  wasmtime_component_instance_t instance;
  wbc_component_t *comp;
  uint64_t comp_id;          /* a reference held until the store is deleted */
  wbd_store_t *store;
  bool unusable;
  int running;               /* calls into it in progress (re-entrance is refused) */
  char *why;                 /* why it is unusable */
  uint64_t *funcs;           /* handles by export index (0: not made yet) */
  uint32_t nfuncs;
} wbc_instance_t;

typedef struct wbc_func {
  wasmtime_component_func_t func;
  wbc_instance_t *inst;
  const wbc_export_t *ex;
  wbd_store_t *store;
  wasmtime_context_t *ctx;
  /* resource types of the function's own/borrow nodes, as this instance
   * sees them (Wasmtime's types are per instance) */
  wasmtime_component_resource_type_t **restypes;
} wbc_func_t;

/* Instantiates through a Wasmtime linker into a store (owner thread). */
wb_status_t wbc_instantiate(const wasmtime_component_linker_t *linker, bool linker_has_wasi, wbh_slot_t *ss,
                            wbc_component_t *comp, uint64_t comp_id, uint64_t *out);
/* Calls a function given its object (pools call through here too). */
wb_status_t wbc_call(wbc_func_t *f, const wb_cval_t *args, size_t nargs, wb_cresult_t *out);
/* The handle of an instance's function by export index (owner thread). */
wb_status_t wbc_instance_func(wbh_slot_t *is, wbh_slot_t *ss, uint32_t index, uint64_t *out);

/* ---- resources ------------------------------------------------------------------ */

typedef struct wbc_resource {
  wasmtime_component_resource_any_t *any; /* NULL while the handle object is spare */
  wasmtime_component_resource_type_t *ty;
  wbd_store_t *store;
  uint32_t index;            /* its own slot */
  bool owned;
  bool scoped;               /* a borrow given to a host function: ends with it */
  int64_t host_rep;          /* a host resource's rep in the store's table, else -1 */
  uint64_t mark;             /* the call that last saw it as an argument */
  bool marked_own;           /* in that call, passed as own */
  struct wbc_resource *next_spare;
} wbc_resource_t;

typedef struct wbc_hostres {
  wbc_restype_t *type;       /* NULL: a free entry */
  void *user;
  uint32_t next_free;        /* index + 1 */
} wbc_hostres_t;

typedef struct wbc_store {
  wbc_hostres_t *res;        /* host resources by rep */
  uint32_t nres, free_res;   /* free_res: index + 1 of a free entry, 0 = none */
  wbc_resource_t *spare;     /* resource handle objects to reuse */
  uint64_t mark;             /* counts calls that check resource arguments */
  /* host functions running now: their scratch memory (nested calls stack) */
  uint32_t host_depth;
  wbc_arena_t scratch;
  /* scoped resource handles made for running host functions' borrows */
  uint64_t *scoped;
  uint32_t nscoped, scoped_cap;
} wbc_store_t;

/* The store's component state, made on first use (NULL: out of memory, error set). */
wbc_store_t *wbc_store_of(wbd_store_t *s);
/* A handle for a resource value Wasmtime gave us; takes ownership of any. */
wb_status_t wbc_resource_wrap(wbd_store_t *s, wasmtime_component_resource_any_t *any, bool scoped, uint64_t *out);
/* Looks up a resource handle for an argument or result in store s. */
wb_status_t wbc_resource_get(uint64_t id, wbd_store_t *s, wbc_resource_t **out);
/* Retires a handle object (its id dies; the object is kept for reuse). */
void wbc_resource_retire(wbc_resource_t *r);
/* Ends the scoped handles made after position `from` (a host call's borrows). */
void wbc_resource_end_scoped(wbd_store_t *s, uint32_t from);
/* The Wasmtime destructor behind every host resource type (data: wbc_restype_t). */
wasmtime_error_t *wbc_host_resource_dtor(void *data, wasmtime_context_t *ctx, uint32_t rep);

/* ---- values ----------------------------------------------------------------------- */

/* Checks args against a function's parameters and converts them into
 * Wasmtime values in `into` (an arena whose memory the caller frees after
 * the call). Strings are not copied. The resource types of a dynamic
 * function type are `restypes` (NULL when it has none). */
wb_status_t wbc_args_to_wasmtime(wbd_store_t *s, const wbc_functype_t *ft,
                                 wasmtime_component_resource_type_t *const *restypes, const wb_cval_t *args,
                                 size_t nargs, wbc_arena_t *into, wasmtime_component_val_t **out);
/* The same, also listing the resources passed as own (*owned in `into`):
 * Wasmtime takes them, so their handles retire once the call entered. */
wb_status_t wbc_args_to_wasmtime_owned(wbd_store_t *s, const wbc_functype_t *ft,
                                       wasmtime_component_resource_type_t *const *restypes, const wb_cval_t *args,
                                       size_t nargs, wbc_arena_t *into, wasmtime_component_val_t **out,
                                       wbc_resource_t ***owned, uint32_t *nowned);
/* Empties a result without freeing anything. */
void wbc_result_clear(wb_cresult_t *out);
/* Converts a Wasmtime result into a wb_cresult_t (takes ownership of val). */
wb_status_t wbc_result_from_wasmtime(wbd_store_t *s, const wbc_type_t *t, wasmtime_component_val_t *val,
                                     wb_cresult_t *out);
/* Checks one value against a type (a host function's result); `what`
 * names it in messages. */
wb_status_t wbc_check_value(wbd_store_t *s, const wbc_type_t *t, wasmtime_component_resource_type_t *const *restypes,
                            const wb_cval_t *v, const char *what, wbc_arena_t *a, wbc_resource_t ***owned,
                            uint32_t *nowned);
/* Writes a checked value as a Wasmtime value owned by Wasmtime (a host
 * function's result: Wasmtime frees it). */
wb_status_t wbc_value_to_owned(wbd_store_t *s, const wbc_type_t *t, const wb_cval_t *v, wasmtime_component_val_t *out);
/* Converts a Wasmtime value (a host function's argument, borrowed) into a
 * wb_cval_t in arena a; resources become handles. */
wb_status_t wbc_value_from_wasmtime(wbd_store_t *s, const wbc_type_t *t, const wasmtime_component_val_t *v,
                                    wbc_arena_t *a, bool scoped, wb_cval_t *out);
/* A bool argument as 0 or 1, whatever byte the caller left in it (Rust
 * takes any other value for undefined behaviour). */
static inline bool wbc_bool_of(const wb_cval_t *v) {
  uint8_t b;
  memcpy(&b, &v->of, 1);
  return b != 0;
}
/* Valid UTF-8? 1 yes, else 0 with *bad at the first bad byte. */
int wbc_utf8_valid(const char *s, size_t len, size_t *bad);

/* Turns a failed component call into a status (trap code where Wasmtime
 * has one); takes ownership of err. */
wb_status_t wbc_fail_call(wbd_store_t *s, wasmtime_error_t *err, const char *what);

#define WBC_MAX_BYTES ((size_t)1 << 30)     /* a component's bytes */
#define WBC_MAX_LIST ((size_t)1 << 24)      /* elements of one list argument */
#define WBC_MAX_DEPTH 100                   /* nesting of a value */

#endif
