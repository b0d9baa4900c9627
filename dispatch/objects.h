/* The C objects behind the handles, shared by dispatch/ (which crosses into
 * wasm) and lifecycle/ (which creates and deletes them). Internal header.
 *
 * Ownership: a handle slot's obj points to one of these. Shared kinds
 * (engine, module) are freed by the last reference (handles/). Store-bound
 * kinds are freed with their store, by the store's owner thread. A store
 * object outlives its wasmtime store: wb_store_delete deletes the wasmtime
 * store at once, and the last reference (a concurrent wb_store_interrupt
 * may hold one) frees the object and drops its engine reference. */
#ifndef WB_OBJECTS_H
#define WB_OBJECTS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <wasmtime.h>

#include "../handles/handles.h"

/* Native stack kept free beyond max_wasm_stack for Wasmtime's own host
 * frames and the signal handler that turns a guard-page hit into a trap. */
#define WBD_STACK_MARGIN (128u * 1024u)
#define WBD_DEFAULT_MAX_WASM_STACK (512u * 1024u)

/* wbd_engine_t.features: what the engine's modules may contain */
#define WBD_FEATURE_GC 1u
#define WBD_FEATURE_FUNCTION_REFERENCES 2u
#define WBD_FEATURE_EXCEPTIONS 4u
#define WBD_FEATURE_THREADS 8u
#define WBD_FEATURE_COMPONENT_MODEL 16u
#define WBD_FEATURE_STACK_SWITCHING 32u
/* Features that let a module have value types Wasmtime 39's C API aborts on
 * when it converts them (wasm_valtype_kind) or their values (exnref,
 * contref), and tags (whose extern conversions are todo!()): without any of
 * them, every type Wasmtime can report is one its C API can describe. */
#define WBD_FEATURES_BEYOND_CAPI                                                                    \
  (WBD_FEATURE_GC | WBD_FEATURE_FUNCTION_REFERENCES | WBD_FEATURE_EXCEPTIONS | WBD_FEATURE_STACK_SWITCHING)

typedef struct wbd_engine {
  wasm_engine_t *engine;
  uint64_t serial;          /* identifies the engine across handles */
  uint64_t max_wasm_stack;
  bool epoch_interruption;
  bool consume_fuel;
  bool async_support;
  bool guest_shared_memory;  /* modules may define shared memories (wb_engine_config_t) */
  uint32_t features;         /* WBD_FEATURE_* */
  /* deadlines: stores of this engine that have a timeout or deadline set;
   * while non-zero the ticker (deadline.c) bumps this engine's epoch */
  _Atomic int64_t timed_stores;
  _Atomic int ticked;       /* on the ticker's list (which holds a reference) */
  /* the internal helper module (refs.c), compiled on first use; freed
   * with the engine */
  wasmtime_module_t *_Atomic helper;
} wbd_engine_t;

/* ---- a module's types (modinfo/, laid out by lifecycle/modinfo.go) ------- */

enum { WBD_COMP_FUNC, WBD_COMP_STRUCT, WBD_COMP_ARRAY, WBD_COMP_CONT };

/* One entry of a module's type section. */
typedef struct wbd_type {
  uint8_t comp;              /* WBD_COMP_* */
  uint32_t nparams, nresults; /* function types */
  const wb_valtype_t *vals;  /* function types: params then results */
} wbd_type_t;

/* An import or export of a module. The strings are NUL-terminated and
 * also have lengths (a wasm name may contain U+0000). */
typedef struct wbd_import {
  const char *module, *name, *text; /* text: the type as WAT-like text */
  size_t module_len, name_len;
  uint8_t kind;                     /* wb_externkind_t */
  uint32_t index;                   /* in the index space of its kind */
} wbd_import_t;

/* wbd_modinfo_t.flags */
#define WBD_INFO_ALL_BASIC 1u   /* every value type of a function type, table or global is a
                                   number, v128, or a nullable funcref or externref */
#define WBD_INFO_EXN_OR_CONT 2u /* some value type of those is of the exn or cont hierarchy */
#define WBD_INFO_TAGS 4u        /* the module imports or exports a tag */
#define WBD_INFO_HUGE_TABLE 8u  /* it defines a table of more than WBD_MAX_TABLE_MIN elements (2^24
                                   for continuation tables), which Wasmtime 39 may abort on */
#define WBD_MAX_TABLE_MIN (UINT64_C(1) << 32)

/* What a module declares, read from its binary by modinfo/: immutable, in
 * one malloc'd block, reference counted (the module, its templates and
 * every store that instantiated it hold one), so any thread may read it. */
typedef struct wbd_modinfo {
  _Atomic uint64_t refs;
  uint32_t flags;             /* WBD_INFO_* */
  uint32_t ntypes, nfuncs, ntables, nmemories, nglobals, ntags, nimports, nexports;
  const wbd_type_t *types;
  const uint32_t *funcs;      /* type index of each function (imports first) */
  const uint32_t *tags;       /* type index of each tag */
  const wb_tabletype_t *tables;
  const wb_memorytype_t *memories;
  const wb_globaltype_t *globals;
  const wbd_import_t *imports;
  const wbd_import_t *exports;     /* module and module_len unused */
  const uint32_t *export_order;    /* export indices sorted by name (memcmp, then length) */
  const uint8_t *skeleton;         /* the module's type-bearing sections, for wb_module_serialize */
  size_t skeleton_len;
} wbd_modinfo_t;

static inline void wbd_modinfo_retain(wbd_modinfo_t *m) {
  if (m) atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}
void wbd_modinfo_release(wbd_modinfo_t *m);
/* The export named name (len bytes), or NULL. */
const wbd_import_t *wbd_modinfo_export(const wbd_modinfo_t *m, const char *name, size_t len);
/* The function type of function idx (NULL when out of range). */
const wbd_type_t *wbd_modinfo_functype(const wbd_modinfo_t *m, uint32_t type_index);

typedef struct wbd_module {
  wasmtime_module_t *module;
  uint64_t engine_serial;
  /* its types; NULL for a module deserialized from bytes without them, or
   * one modinfo/ could not read (info_error says why) */
  wbd_modinfo_t *info;
  char *info_error;
} wbd_module_t;

/* Dedup map of a store's export handles: the same wasm object always gets
 * the same handle, so repeated lookups do not grow the handle table. */
typedef struct wbd_handle_map {
  uint64_t *keys;   /* 0 = empty */
  uint64_t *ids;
  uint32_t cap, len;
} wbd_handle_map_t;

/* Output of a WASI stream captured into memory; owned by the WASI context
 * (freed by its finalizer). Wasmtime writes it from a thread of its own (a
 * tokio worker), the store's owner thread reads it: both under `lock`. At
 * most `limit` bytes are kept; the rest is counted in `dropped`. */
typedef struct wbd_capture {
  /* Wasmtime's WASI 0.2 streams (which its WASI 0.1 uses too) call the
   * capture callback on a Wasmtime-internal (tokio) thread, not the store's
   * owner: writer and reader take the lock */
  pthread_mutex_t lock;
  uint8_t *data;
  size_t len, cap;
  uint64_t limit, dropped;
} wbd_capture_t;

typedef struct wbd_caller {
  wasmtime_caller_t *caller; /* NULL outside the callback; level 0 keeps it in the store */
  uint64_t id;               /* the id of the level's current (or next) callback; level 0 keeps it in the store */
  uint32_t index;            /* its own slot index (store-bound slots record their store's) */
  uint32_t level;            /* the nesting level of host calls it serves */
} wbd_caller_t;


typedef struct wbd_store {
  wasmtime_store_t *store;   /* NULL once wb_store_delete ran */
  wbh_slot_t *slot;          /* this store's own slot and id */
  uint64_t id;
  wasmtime_context_t *ctx;
  wbd_engine_t *engine;      /* holds a reference on engine_id */
  uint64_t engine_id;
  uintptr_t stack_needed;    /* max_wasm_stack + margin */
  /* The hot paths' one gate: stack_needed while attention is 0, else
   * WBD_GATE_CLOSED, which no stack has, so that one compare checks the
   * native stack and finds interrupts and deadlines (the slow path then
   * checks each). Written only through wbd_attention_set/_clear and
   * wbd_gate_reopen; any thread. */
  _Atomic uintptr_t stack_gate;
  /* WBD_ATTN_* bits: whether a call must look at interrupts or deadlines
   * before it starts */
  _Atomic uint32_t attention;
  /* owner thread only */
  int interrupt_fired;       /* the epoch callback stopped the current call */
  int depth;                 /* calls into wasm in progress */
  /* Moves on whenever a memory of the store may have grown, and so moved:
   * on every return from wasm (wbd_wasm_leave) and in wb_memory_grow. While
   * wasm runs (depth > 0) it may have grown meanwhile; see wbd_memory_t. */
  uint64_t grow_epoch;
  /* Where the hot paths (wbd_call_unchecked) have Wasmtime put a call's
   * trap: in the store rather than in their frames, which then need no
   * stack space of their own. NULL between calls: a nested call on the
   * same store (from a host function) reads and clears it before the
   * outer call's Wasmtime returns and may write it. */
  wasm_trap_t *trap_slot;
  wbd_handle_map_t exports;
  /* host functions: one caller slot per nesting level of host calls; the
   * levels in use beyond level 0 (wbd_host_depth counts them all) */
  uint32_t host_nested, ncaller_slots;
  wbh_slot_t **caller_slots;
  /* level 0 (a host call not nested in another), kept here rather than in
   * its caller object, one load nearer for the trampolines: the id of the
   * current (or next) callback (meaningless while caller_slots[0] is NULL) and its
   * Wasmtime caller while a level-0 callback runs (so it says whether one
   * does), else NULL, or WBD_NO_CALLER_SLOT while caller_slots[0] is NULL:
   * then the trampolines' one test of it tells them all they need (a level
   * 0 free and ready, or not); see host.c */
  uint64_t caller0_id;
  wasmtime_caller_t *caller0_ptr;
  /* deadlines (deadline.c); 0 = none; CLOCK_MONOTONIC nanoseconds */
  uint64_t call_timeout_ns, call_deadline_ns, deadline_ns;
  int deadline_fired;        /* the epoch callback stopped a call for time */
  int timed;                 /* counted in engine->timed_stores; WBD_ATTN_TIMED mirrors it */
  /* WASI capture buffers of the current WASI context (NULL when not captured) */
  wbd_capture_t *captured[2];
  bool has_wasi;             /* the store has a WASI context (its own, or the default empty one) */
  /* WASI's guard (lifecycle/wasi_guard.c): the open-file limit and count,
   * the forwarders to Wasmtime's own functions; lifecycle frees it */
  void *wasi_guard;
  uint32_t max_open_files;   /* of the current WASI context */
  /* Shared memories (wb_shared_memory_t ids, each holding a handle
   * reference, and their objects) that the store's instances import: a
   * guest parked in memory.atomic.wait on one of them never reaches an
   * epoch check, so the ticker wakes such waits when the store must stop
   * (deadline.c). Owner thread writes (the ticker reads under its lock). */
  uint64_t *shared_ids;
  void **shared_objs;
  uint32_t nshared;
  bool watched;              /* on the ticker's list of stores with shared memories */
  uint64_t stuck_since_ns, woken_ns; /* the ticker's, under its lock */
  /* component/: the store's component-model state (host resources, host-call
   * scratch memory), NULL until first needed; freed at delete through
   * wbd_component_store_fini (set by component/, owner thread) */
  struct wbc_store *component;
  /* The stack pointer in the innermost running component host callback's
   * trampoline (0 when none runs), set and restored by component/'s
   * trampolines; core host callbacks are found through their callers.
   * wbd_callback_escaped compares it with the stack. Owner thread. */
  uintptr_t callback_frame;
  /* what the store knows of its objects' types, and its internal helper
   * instance: made on first use (NULL before) */
  struct wbd_store_types *types;
  /* async engines (async.c): the store's one unfinished call future (its
   * wb_call_future_t id, 0 when none), its async host calls waiting for
   * wb_async_complete, and whether guests yield at each epoch tick.
   * Owner thread. */
  uint64_t async_future;
  uint32_t async_waiting;
  bool async_epoch_yield;
  /* a call future of the store is being polled on its owner thread: its
   * host callbacks run on the call's own stack (and Wasmtime keeps their
   * callers on the heap), where wbd_callback_escaped cannot judge frames;
   * nothing leaves a poll but by returning, so nothing has escaped */
  bool async_polling;
} wbd_store_t;

/* caller0_ptr while level 0 has no caller slot: no caller, and not NULL. */
#define WBD_NO_CALLER_SLOT ((wasmtime_caller_t *)1)

/* Whether a level-0 host callback of the store runs (owner thread). */
static inline bool wbd_level_0_busy(const wbd_store_t *s) { return (uintptr_t)s->caller0_ptr > 1; }

/* Host calls of the store in progress on its owner thread: level 0 is in
 * progress while its Wasmtime caller is set, deeper levels are counted. */
static inline uint32_t wbd_host_depth(const wbd_store_t *s) { return wbd_level_0_busy(s) ? s->host_nested + 1 : 0; }

/* Frees a store's component state (wbd_store_t.component) after its
 * wasmtime store is gone; set by component/ when it loads. */
extern void (*wbd_component_store_fini)(wbd_store_t *s);


/* A host function defined into a linker; Wasmtime owns it (finalizer). */
typedef struct wbd_hostfn {
  wb_host_callback_t callback;       /* NULL for a typed one */
  wb_typed_host_callback_t typed;    /* wb_linker_define_func_typed; NULL for a general one */
  void *env;
  wb_finalizer_t finalizer;
  char *label;               /* "\"module\" \"name\"", for messages */
  uint32_t nparams, nresults;
  bool numeric;              /* at most 16 params and results, all i32/i64/f32/f64 */
  uint8_t kinds[];           /* params then results */
} wbd_hostfn_t;

enum { WBD_KIND_UNSUPPORTED = 0xFF };

/* How wb_func_call crosses for a function that is not numeric (call.c). */
enum {
  WBD_CALL_RAW,      /* wasmtime_func_call_unchecked: wasmbound checks every argument fully */
  WBD_CALL_CHECKED,  /* wasmtime_func_call: some parameter needs Wasmtime's subtype check */
  WBD_CALL_REFUSED   /* neither is safe (see wbd_func_t.refusal) */
};

typedef struct wbd_func {
  wasmtime_func_t func;
  /* the func's store and its context (both live as long as the func), so
   * that a call reaches them without going through the store's slot */
  struct wbd_store *store;
  wasmtime_context_t *ctx;
  uint32_t nparams, nresults;
  bool numeric;              /* at most 16 params and results, all i32/i64/f32/f64 */
  bool all_i32;              /* numeric, and every value an i32 */
  /* wb_func_call's gate to its fast path: the counts when numeric, else
   * SIZE_MAX (no count matches), so that two compares check both; nvals is
   * the larger count, the length of the raw buffer */
  size_t fast_nparams, fast_nresults, nvals;
  uint8_t mode;              /* WBD_CALL_*, for functions that are not numeric */
  bool typed;                /* types[] is known; else only the counts are (kinds[] are
                                WBD_KIND_UNSUPPORTED) */
  const char *refusal;       /* WBD_CALL_REFUSED: why */
  uint64_t typed_id;         /* its wb_typed_func_t (typed.c), or 0 */
  /* wb_func_call's fast path for its shape (numeric functions only; call.c,
   * wbd_fast_call_for) */
  wb_status_t (*fast)(struct wbd_func *f, wbh_slot_t *ss, const wb_val_t *args, wb_val_t *results);
  const wbd_modinfo_t *info; /* the module whose type indices types[] use (held by the store) */
  wb_valtype_t *types;       /* params then results (in this object's own block) */
  uint8_t kinds[];           /* params then results: wb_valkind_t or WBD_KIND_UNSUPPORTED */
} wbd_func_t;

typedef struct wbd_instance {
  wasmtime_instance_t instance;
  const wbd_modinfo_t *info; /* its module's types (held by the store), or NULL */
} wbd_instance_t;

typedef struct wbd_memory {
  wasmtime_memory_t memory;
  wasmtime_context_t *ctx;   /* its store's (as for wbd_func_t) */
  /* A size in bytes the memory has at least: a wasm memory never shrinks,
   * so an access within it needs no size query (a shared memory may grow
   * on other threads meanwhile; it only grows too). Refreshed when an
   * access goes beyond it. Owner thread. */
  size_t known_size;
  /* The memory's base as seen when its store's grow_epoch was known_epoch:
   * valid while the epoch is unchanged and no wasm of the store is running
   * (only growing moves a memory, a shared one never). Owner thread. */
  uint8_t *known_base;
  uint64_t known_epoch;
} wbd_memory_t;

typedef struct wbd_global {
  wasmtime_global_t global;
  uint8_t kind;              /* wb_valkind_t, or WBD_KIND_UNSUPPORTED when not typed */
  bool is_mutable;
  bool typed;                /* type is known */
  wb_globaltype_t type;
  const wbd_modinfo_t *info; /* the module whose type indices type uses, or NULL */
} wbd_global_t;

typedef struct wbd_table {
  wasmtime_table_t table;
  bool typed;                /* type is known (its min is the declared one) */
  bool elem_known;           /* type.element is known (also when typed) */
  wb_tabletype_t type;
  const wbd_modinfo_t *info; /* the module whose type indices type uses, or NULL */
} wbd_table_t;

/* A reference the host holds (wb_ref_t): rooted until the handle goes. */
typedef struct wbd_ref {
  uint8_t kind;              /* WB_EXTERNREF or WB_ANYREF */
  union {
    wasmtime_externref_t ext;
    wasmtime_anyref_t any;
  } of;
} wbd_ref_t;

static inline wbd_store_t *wbd_store_of(wbh_slot_t *store_slot) { return (wbd_store_t *)store_slot->obj; }

/* What is known of a function, global or table when a handle is made for
 * it: its declared type, from the module info `info` (NULL: none known). */
typedef struct wbd_typeinfo {
  const wbd_modinfo_t *info; /* held by the store */
  const wbd_type_t *func;    /* functions: a function type of info */
  const wb_globaltype_t *global;
  const wb_tabletype_t *table;
} wbd_typeinfo_t;

/* wb_func_call's fast path for a numeric function's shape; NULL for others. */
typedef wb_status_t (*wbd_fast_call_t)(struct wbd_func *f, wbh_slot_t *ss, const wb_val_t *args, wb_val_t *results);
wbd_fast_call_t wbd_fast_call_for(const struct wbd_func *f);

/* Handles for wasm objects of a store (owner thread). Exports are deduped:
 * the same object always gets the same handle, which is given its type
 * the first time one is known. The instance handle registers info (may
 * be NULL) with the store. */
wb_status_t wbd_instance_handle(wbh_slot_t *store_slot, const wasmtime_instance_t *inst, wbd_modinfo_t *info,
                                uint64_t *id_out);
wb_status_t wbd_func_handle(wbh_slot_t *store_slot, const wasmtime_func_t *func, const wbd_typeinfo_t *t,
                            uint64_t *id_out);
/* The same for a raw (non-null) funcref of the store. */
wb_status_t wbd_funcref_handle(wbh_slot_t *store_slot, void *raw, const wbd_typeinfo_t *t, uint64_t *id_out);
wb_status_t wbd_memory_handle(wbh_slot_t *store_slot, const wasmtime_memory_t *mem, uint64_t *id_out);
wb_status_t wbd_global_handle(wbh_slot_t *store_slot, const wasmtime_global_t *global, const wbd_typeinfo_t *t,
                              uint64_t *id_out);
wb_status_t wbd_table_handle(wbh_slot_t *store_slot, const wasmtime_table_t *table, const wbd_typeinfo_t *t,
                             uint64_t *id_out);
/* Unroots and frees a wbd_ref_t (the destructor of WBH_KIND_REF). */
void wbd_ref_destroy(void *obj);
/* A new wb_ref_t for a rooted reference (kind WB_EXTERNREF or WB_ANYREF),
 * which it takes over (unrooting it when it fails). */
wb_status_t wbd_ref_handle(wbh_slot_t *store_slot, uint8_t kind, void *rooted, uint64_t *id_out);

/* Refuses to instantiate a module whose tables Wasmtime would abort on
 * (WBD_INFO_HUGE_TABLE; NULL info passes). */
wb_status_t wbd_check_instantiable(const wbd_modinfo_t *info);

/* The types of every module instantiated in a store (a reference each),
 * and what they allow (see wbd_store_types_basic); the store's internal
 * helper instance (refs.c). Owner thread. */
typedef struct wbd_store_types {
  wbd_modinfo_t **infos;
  uint32_t ninfos, capinfos;
  uint32_t flags;            /* the AND of their WBD_INFO_ALL_BASIC, the OR of the rest */
  bool unknown_module;       /* a module without types was instantiated */
  bool has_helper;
  wasmtime_func_t helper_fn[3];
} wbd_store_types_t;

/* The store's types record, made on first use; NULL when out of memory
 * (the last error says so). */
wbd_store_types_t *wbd_store_types(wbd_store_t *s);

/* The handle an object already has when it is typed (0 otherwise). */
uint64_t wbd_typed_handle(wbh_slot_t *store_slot, const wasmtime_extern_t *ext);

/* Registers a module's types with the store (a reference; NULL: a module
 * without them). */
wb_status_t wbd_store_add_info(wbd_store_t *s, wbd_modinfo_t *info);
/* Drops the store's module infos (at store delete). */
void wbd_store_types_fini(wbd_store_t *s);
/* Whether every function, global and table of the store has a type that
 * Wasmtime's C API can describe without aborting (so wasm_valtype_kind is
 * safe on it). */
bool wbd_store_types_basic(const wbd_store_t *s);
/* Whether no value of the store can be an exnref or contref (so that
 * Wasmtime's checked conversions, which abort on them, are safe). */
bool wbd_store_no_exn(const wbd_store_t *s);

/* Records st as this thread's last error with a formatted prefix, ": " and
 * Wasmtime's message for err (without the Rust backtrace that
 * RUST_BACKTRACE adds); takes ownership of err. */
wb_status_t wbd_fail_error(wb_status_t st, wasmtime_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The length of a Wasmtime message without its Rust backtrace, and without
 * a trailing NUL. */
size_t wbd_message_len(const char *msg, size_t len);

/* Turns a failed call into a status and this thread's last error (message
 * with the wasm backtrace, trap code); takes ownership of err and trap. */
wb_status_t wbd_fail_call(wbd_store_t *s, wasmtime_error_t *err, wasm_trap_t *trap, const char *what);
/* wbd_fail_call for the hot paths' call: the trap is the one in
 * s->trap_slot, which it takes (the slot is NULL again). */
wb_status_t wbd_fail_call_slot(wbd_store_t *s, wasmtime_error_t *err);

/* Refuses what Wasmtime 39's C API asserts against in a store of an engine
 * with async_support (instantiation, wasmtime_func_call, externref_new,
 * context_gc): `what` names it. */
wb_status_t wbd_refuse_async(const wbd_store_t *s, const char *what);

/* Prepares a new wasmtime store: epoch deadline and interrupt callback. */
void wbd_store_init(wbd_store_t *s);
/* Undoes what the store's deadlines registered (at store delete). */
void wbd_store_fini(wbd_store_t *s);

/* A handle for an export of the right kind (`name` names it in messages),
 * typed by t (may be NULL); deletes ext when it is not kept. */
wb_status_t wbd_extern_handle(wbh_slot_t *store_slot, wasmtime_extern_t *ext, wasmtime_extern_kind_t want,
                              const char *name, const wbd_typeinfo_t *t, uint64_t *out);

/* The Wasmtime trampoline behind every host function; env is a wbd_hostfn_t. */
wasm_trap_t *wbd_host_trampoline(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n);
/* The trampoline of a typed host function (raw values in place). */
wasm_trap_t *wbd_host_trampoline_typed(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n);
/* The same for host functions whose parameters and results are all numbers
 * (wbd_hostfn_t.numeric): no conversion can fail, no buffer to allocate. */
wasm_trap_t *wbd_host_trampoline_numeric(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *vals, size_t n);
/* The trampoline for a host function: wbd_host_trampoline, or one of the
 * numeric trampolines (one per small shape, or any count). */
wasmtime_func_unchecked_callback_t wbd_host_trampoline_for(const wbd_hostfn_t *h);
void wbd_hostfn_finalize(void *env);

/* Checks for an interrupt that came before the call, starts the outermost
 * call's time budget and checks the store deadline. */
static inline wb_status_t wbd_call_begin(wbd_store_t *s);

/* nanoseconds of CLOCK_MONOTONIC */
uint64_t wbd_now_ns(void);
wb_status_t wbd_fail_deadline(wbd_store_t *s);

/* Checks a name (export, import, argument...): non-NULL, at most
 * WBD_MAX_NAME bytes, valid UTF-8; *len_out is its length. `what` names it
 * in the message. */
#define WBD_MAX_NAME 65535
wb_status_t wbd_check_name(const char *name, const char *what, size_t *len_out);
/* The same for a name of len bytes, which may contain U+0000 (NULL with
 * len 0 is refused too). */
wb_status_t wbd_check_name_len(const char *name, size_t len, const char *what);

/* Export lookups (exports.c). want is a wb_externkind_t, or -1 for any
 * kind; on WB_OK *out has the export's handle. */
wb_status_t wbd_instance_export(wb_instance_t instance, const char *name, size_t len, int want, wb_extern_t *out);
wb_status_t wbd_caller_export(wb_caller_t caller, const char *name, size_t len, int want, wb_extern_t *out);

/* The full type of a Wasmtime value type that Wasmtime's C API can
 * describe; callers make sure it can (wbd_store_types_basic or an engine
 * without WBD_FEATURES_BEYOND_CAPI): wasm_valtype_kind aborts otherwise. */
wb_valtype_t wbd_valtype_of_basic(const wasm_valtype_t *t);
/* The wb_valtype_t of a plain kind (numbers, v128, nullable funcref or
 * externref, the top nullable anyref, exnref). */
wb_valtype_t wbd_valtype_of_kind(uint8_t kind);

/* Refuses a call into wasm on a thread without enough native stack left. */
wb_status_t wbd_check_stack_slow(const wbd_store_t *s);
static inline wb_status_t wbd_check_stack(const wbd_store_t *s) {
  if (__builtin_expect(wbh_stack_has(s->stack_needed), 1)) return WB_OK;
  return wbd_check_stack_slow(s); /* a thread's first call, or too little stack */
}

/* The attention word's bits (wbd_store_t.attention). */
#define WBD_ATTN_INTERRUPT 1u /* wb_store_interrupt was called; any thread sets it */
#define WBD_ATTN_TIMED 2u     /* the store has a deadline or call timeout; owner thread */

/* More stack than any thread has (and no overflow when added to a stack
 * bound, known or not). */
#define WBD_GATE_CLOSED (UINTPTR_MAX / 4)

/* Sets attention bits and closes the gate (any thread). */
static inline void wbd_attention_set(wbd_store_t *s, uint32_t bits) {
  atomic_fetch_or(&s->attention, bits);
  atomic_store(&s->stack_gate, WBD_GATE_CLOSED);
}

/* Opens the gate when nothing needs attention. Closed again when a bit came
 * meanwhile: a setter sets its bit before it closes the gate, so either
 * this sees the bit or the setter's close comes after this open. */
static inline void wbd_gate_reopen(wbd_store_t *s) {
  if (atomic_load(&s->attention) != 0) return;
  atomic_store(&s->stack_gate, s->stack_needed);
  if (atomic_load(&s->attention) != 0) atomic_store(&s->stack_gate, WBD_GATE_CLOSED);
}

/* Clears attention bits; returns the bits as they were (owner thread, or
 * the epoch callback on it). */
static inline uint32_t wbd_attention_clear(wbd_store_t *s, uint32_t bits) {
  uint32_t old = atomic_fetch_and(&s->attention, ~bits);
  if ((old & ~bits) == 0) wbd_gate_reopen(s);
  return old;
}

/* The hot paths' gate: enough native stack, and nothing needs attention
 * (false also on a thread's first call, whose stack bound is not known). */
static inline __attribute__((always_inline)) int wbd_gate_open(const wbd_store_t *s) {
  return wbh_stack_has(atomic_load_explicit(&s->stack_gate, memory_order_relaxed));
}

wb_status_t wbd_call_begin_slow(wbd_store_t *s);
static inline wb_status_t wbd_call_begin(wbd_store_t *s) {
  if (__builtin_expect(atomic_load_explicit(&s->attention, memory_order_relaxed) != 0, 0))
    return wbd_call_begin_slow(s);
  return WB_OK;
}

/* The store this thread entered last (wbd_wasm_enter), for the host
 * trampolines, which would otherwise ask Wasmtime with two calls. Every
 * call into Wasmtime that may run wasm goes through wbd_wasm_enter and
 * wbd_wasm_leave, which also count the store's depth. While wasm runs on
 * this thread it is the innermost store entered (the one whose wasm calls
 * a trampoline). Between calls it stays the store entered last, so that
 * the next call into the same store, the common case, writes no
 * thread-local on the way in or out (which measured 0.3-0.5 ns a call).
 * Never NULL: &wbd_no_store before the first call (a thread's initial
 * value, handles.c) and after its store is deleted or released, a
 * stand-in whose level 0 has no caller slot and whose depth stays 0, so
 * that the trampolines' one test of caller0_ptr also covers "no store";
 * read it with wbd_running_store elsewhere.
 * Invariant: it points to &wbd_no_store or to a live store this thread
 * owns, since a store leaves its owner thread only through
 * wb_store_release or its deletion (both call wbd_store_forget on that
 * thread) or the thread's exit. So it may be read through at any time on
 * its thread. */
#define wbd_tls_running (wbh_tls.running) /* handles.h: one object with the other thread-locals */
extern wbd_store_t wbd_no_store;

/* The store whose wasm this thread runs now (the innermost one), NULL for
 * none. A store entered last is running exactly while its depth is above
 * 0 (a nested entry into another store makes that one the last). */
static inline wbd_store_t *wbd_running_store(void) {
  wbd_store_t *s = wbd_tls_running;
  return s->depth > 0 ? s : 0;
}

/* The store is being deleted or released by this thread (its owner):
 * no longer this thread's store entered last. */
static inline void wbd_store_forget(wbd_store_t *s) {
  if (wbd_tls_running == s) wbd_tls_running = &wbd_no_store;
}

/* WB_OK, made where it is returned. On the hot paths the compiler would
 * otherwise keep some register it knows to be zero (an argument's kind,
 * WB_I32) alive across Wasmtime's call only to return it, which costs a
 * callee-saved register's push and pop on every call. */
static inline __attribute__((always_inline)) wb_status_t wbd_ok(void) {
#if defined(__x86_64__)
  unsigned st;
  __asm__("xorl %k0, %k0" : "=r"(st)); /* a zero made here, from nothing kept */
  return (wb_status_t)st;
#else
  return WB_OK;
#endif
}

/* Enters s's wasm; returns what wbd_wasm_leave restores: the store this
 * thread was running (an outer call, when a host callback calls into
 * another store), or s when there is nothing to restore: the entry is
 * nested in s's own call, or no wasm runs on this thread, and s stays the
 * store entered last after it. */
static inline __attribute__((always_inline)) wbd_store_t *wbd_wasm_enter(wbd_store_t *s) {
  wbd_store_t *outer = wbd_tls_running;
  if (outer != s) {
    if (outer->depth == 0) outer = s; /* not running: only entered last (or none) */
    wbd_tls_running = s;
  }
  s->depth++;
  return outer;
}

static inline __attribute__((always_inline)) void wbd_wasm_leave(wbd_store_t *s, wbd_store_t *outer) {
  s->depth--;
  s->grow_epoch++;
  if (outer != s) wbd_tls_running = outer;
}

/* wbd_call_unchecked when s is not the store this thread entered last. */
wb_status_t wbd_call_unchecked_entering(wbd_store_t *s, wasmtime_context_t *ctx, const wasmtime_func_t *func,
                                        wasmtime_val_raw_t *vals, size_t nvals);

/* The hot paths' call: Wasmtime's unchecked call between wbd_wasm_enter
 * and wbd_wasm_leave, its trap in s->trap_slot. WB_OK, or the call's
 * failure reported. */
static inline __attribute__((always_inline)) wb_status_t wbd_call_unchecked(wbd_store_t *s, wasmtime_context_t *ctx,
                                                                          const wasmtime_func_t *func,
                                                                          wasmtime_val_raw_t *vals, size_t nvals) {
  /* s->trap_slot is NULL here: Wasmtime writes it only for a trap, and
   * whoever finds one clears it (below; wbd_abandon_call for a call left
   * by longjmp) */
  /* the common case, s entered last: wbd_wasm_enter and wbd_wasm_leave
   * with nothing to restore (what enter would return is s itself), so that
   * nothing but s lives across the call */
  if (__builtin_expect(wbd_tls_running != s, 0)) return wbd_call_unchecked_entering(s, ctx, func, vals, nvals);
  s->depth++;
  wasmtime_error_t *err = wasmtime_func_call_unchecked(ctx, func, vals, nvals, &s->trap_slot);
  wbd_wasm_leave(s, s);
  /* the trap is read again by the slow path, so that the test can or the
   * slot into the error without a register to keep it in */
  if (__builtin_expect(((uintptr_t)err | (uintptr_t)s->trap_slot) != 0, 0)) return wbd_fail_call_slot(s, err);
  return WB_OK; /* callers return wbd_ok() */
}

/* Wakes every thread parked in memory.atomic.wait on a shared memory (the
 * object of a wb_shared_memory_t); set by lifecycle/ (waits.c). */
extern void (*wbd_wake_waiters)(void *shared_memory);
/* Records that the store's instances import a shared memory (its handle id,
 * retained here, and its object) and puts the store on the ticker's watch
 * (deadline.c). Owner thread. wbd_store_fini takes it off the watch; the
 * store's destructor releases the references. */
wb_status_t wbd_store_add_shared(wbd_store_t *s, uint64_t id, void *obj);
/* Wakes the ticker to look at watched stores (an interrupt came). */
void wbd_ticker_poke(void);

/* Whether the store's innermost host callback was left without returning
 * (a longjmp out of it, or its thread exited): the store is inside a call
 * (depth > 0) but the calling thread's stack is above that callback's
 * frame, where no code of the call can be running. Owner thread. */
int wbd_callback_escaped(const wbd_store_t *s);

/* Forgets a call that was left without returning, so that the store can be
 * deleted. On the owner thread (a longjmp), that thread's Wasmtime state is
 * broken too: every later call into wasm on it is refused with
 * WB_ERR_UNUSABLE. */
void wbd_abandon_call(wbd_store_t *s, bool on_owner_thread);

/* ---- async calls (async.c) ----------------------------------------------- */

/* Set for good in every store of an async engine, so that each synchronous
 * entry into wasm (calls, instantiation) takes wbd_call_begin's slow path,
 * which refuses it (Wasmtime panics on them in such stores). */
#define WBD_ATTN_ASYNC 4u

/* Prepares a new store of an async engine: its epoch callback and the
 * attention bit. */
void wbd_async_store_init(wbd_store_t *s);
/* Cancels the store's unfinished call future (its wasm stack unwinds, its
 * async host calls' continuations are dropped) before the wasmtime store is
 * deleted. The thread that deletes the store. */
void wbd_async_store_fini(wbd_store_t *s);
/* The status for a synchronous entry into wasm in an async store. */
wb_status_t wbd_async_refuse_sync(wbd_store_t *s);
/* Instantiates in an async store: starts Wasmtime's async instantiation
 * (through `linker`, or the template `pre` when linker is NULL) and polls
 * it to completion on this thread; *out gets the instance handle. Refuses
 * while a call future is unfinished, and when the start function waits on
 * an async host function (nothing could complete it). */
wb_status_t wbd_async_instantiate_now(wbh_slot_t *ss, const wasmtime_linker_t *linker, wasmtime_module_t *module,
                                      const wasmtime_instance_pre_t *pre, wbd_modinfo_t *info, bool needs_wasi,
                                      uint64_t *out);

/* An async host function (wb_linker_define_async_func); Wasmtime owns it
 * (wbd_asyncfn_finalize). Numeric parameters and results only. */
typedef struct wbd_asyncfn {
  wb_async_host_callback_t callback;
  void *env;
  wb_finalizer_t finalizer;
  char *label;               /* "\"module\" \"name\"", for messages */
  uint32_t nparams, nresults;
  uint8_t kinds[];           /* params then results */
} wbd_asyncfn_t;
void wbd_asyncfn_finalize(void *env);
/* A caller handle for a host callback now running (host.c), valid until
 * wbd_caller_leave. */
wb_status_t wbd_caller_enter(wbd_store_t *s, wasmtime_caller_t *caller, uint64_t *id);
void wbd_caller_leave(wbd_store_t *s);
/* Checks a wb_caller_t for the calling thread (sets the last error): its
 * store, owned by this thread, and the Wasmtime caller of its running
 * callback. */
wb_status_t wbd_caller_bound(wb_caller_t caller, wbd_store_t **s_out, wasmtime_caller_t **caller_out);
/* Before the store's delete frees its slots: moves each caller slot's
 * generation to the last id it gave (host.c). Owner thread. */
void wbd_callers_fini(wbd_store_t *s);
/* Wasmtime's callback for every async host function; env is a wbd_asyncfn_t. */
void wbd_async_trampoline(void *env, wasmtime_caller_t *caller, const wasmtime_val_t *args, size_t nargs,
                          wasmtime_val_t *results, size_t nresults, wasm_trap_t **trap_ret,
                          wasmtime_async_continuation_t *cont);
/* Starts instantiating a template in an async store; the future takes over
 * the caller's reference on template_id. *out: the future's id. */
wb_status_t wbd_async_instantiate_start(wbh_slot_t *ss, const wasmtime_instance_pre_t *pre, wbd_modinfo_t *info,
                                        uint64_t template_id, bool needs_wasi, uint64_t *out);
/* The destructor of WBH_KIND_CALL_FUTURE. */
void wbd_call_future_destroy(void *obj);
/* wbd_call_begin_slow without the async gate: an interrupt that came before
 * the call, the store deadline, the call timeout's start (deadline.c). */
wb_status_t wbd_call_begin_checks(wbd_store_t *s);

/* Whether the store's running call must stop now (an interrupt came, or its
 * deadline or call timeout passed); sets interrupt_fired or deadline_fired,
 * which wbd_fail_call reads, and *why says which (deadline.c). Owner thread. */
int wbd_store_must_stop(wbd_store_t *s, const char **why);

/* Turns a store's epoch yields on or off (deadline.c: the ticker then moves
 * its engine's epoch every millisecond). Owner thread. */
wb_status_t wbd_async_epoch_ticks(wbd_store_t *s, bool on);

/* Statistics kept by dispatch. */
extern _Atomic uint64_t wbd_traps, wbd_interrupts;

#endif
