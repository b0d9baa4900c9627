/**
 * \file wasmbound.h
 * \brief wasmbound: run WebAssembly through Wasmtime from many threads safely.
 *
 * \section threads Thread safety
 *
 * Every object is reached through an opaque, typed, generation-checked
 * handle (a 64-bit id in a one-member struct; id 0 is the null handle of
 * every kind). Handles are plain values: copy them freely between threads.
 * What a thread may do with a handle depends on its kind:
 *
 * | kind                        | may be used from                           |
 * |-----------------------------|--------------------------------------------|
 * | engine, module              | any thread, concurrently                   |
 * | store                       | only its owner thread (creator or adopter) |
 * | instance, func, memory, global | the owner thread of their store         |
 * | ::wb_store_interrupt        | any thread                                 |
 *
 * Every function that takes a store-bound handle checks the calling thread
 * before Wasmtime is touched, and refuses the wrong one with
 * ::WB_ERR_WRONG_THREAD. Deleting an engine or a module while other threads
 * use it is safe: calls already in flight finish, later ones get
 * ::WB_ERR_INVALID_HANDLE, and the last user frees the object.
 *
 * A thread that exits while it owns stores leaves them as orphans: any thread
 * may then ::wb_store_adopt or ::wb_store_delete them. Nothing leaks
 * silently; ::wb_stats_get counts them.
 *
 * \section errors Errors
 *
 * Every function returns a ::wb_status_t (::WB_OK is 0) unless its prototype
 * says otherwise. Out-parameters (named `out`, or described as such) are
 * written only when the function returns ::WB_OK. After a failure,
 * ::wb_last_error returns the calling thread's message for it; trap details
 * are read with ::wb_last_trap_code.
 *
 * \section process Process rules
 *
 * wasmbound is a Go c-shared library: never dlclose() it (it is not
 * unloaded), do not fork() without exec() after loading it, load only one
 * Go c-shared library per process, and install host signal handlers with
 * SA_ONSTACK, chaining to the handler they replace.
 *
 * \section changes Change log
 *
 * - 0.1.0: first version. The core contract of API.md, plus engine
 *   configuration, module validation/introspection/serialization, fuel,
 *   statistics, ::WB_ERR_NATIVE_STACK (appended after ::WB_ERR_INTERNAL).
 */
#ifndef WASMBOUND_H
#define WASMBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** \brief Compile-time version of this header. */
#define WASMBOUND_VERSION_MAJOR 0
#define WASMBOUND_VERSION_MINOR 1
#define WASMBOUND_VERSION_PATCH 0
#define WASMBOUND_VERSION "0.1.0"
/** \brief The version as one number, MAJOR*10000 + MINOR*100 + PATCH. */
#define WASMBOUND_VERSION_NUMBER \
  (WASMBOUND_VERSION_MAJOR * 10000 + WASMBOUND_VERSION_MINOR * 100 + WASMBOUND_VERSION_PATCH)

/**
 * \brief The version of the library loaded at run time, e.g. "0.1.0".
 *
 * Compare with #WASMBOUND_VERSION to detect a header/library mismatch.
 * Any thread. Never NULL; the string is static.
 */
const char *wb_version(void);

/* ------------------------------------------------------------------------ */
/** \name Handles */

/** \brief Compiler engine and its configuration. Any thread. */
typedef struct wb_engine { uint64_t id; } wb_engine_t;
/** \brief A compiled module. Any thread. */
typedef struct wb_module { uint64_t id; } wb_module_t;
/** \brief A pre-linked module (Wasmtime's InstancePre). Any thread. */
typedef struct wb_template { uint64_t id; } wb_template_t;
/** \brief A store: owns instances and their state. Owner thread only. */
typedef struct wb_store { uint64_t id; } wb_store_t;
/** \brief A linker (builder). Its creator thread only. */
typedef struct wb_linker { uint64_t id; } wb_linker_t;
/** \brief An instance in a store. The store's owner thread only. */
typedef struct wb_instance { uint64_t id; } wb_instance_t;
/** \brief A function in a store. The store's owner thread only. */
typedef struct wb_func { uint64_t id; } wb_func_t;
/** \brief A linear memory in a store. The store's owner thread only. */
typedef struct wb_memory { uint64_t id; } wb_memory_t;
/** \brief A global in a store. The store's owner thread only. */
typedef struct wb_global { uint64_t id; } wb_global_t;

/* ------------------------------------------------------------------------ */
/** \name Values */

/** \brief The kind of a wasm value. */
typedef enum wb_valkind {
  WB_I32,
  WB_I64,
  WB_F32,
  WB_F64,
  WB_V128,
  WB_FUNCREF,  /**< `of.funcref`; the null handle is the null funcref */
  WB_EXTERNREF /**< reported in types; values of this kind cannot be passed yet */
} wb_valkind_t;

/**
 * \brief A wasm value: a kind and its payload.
 *
 * A funcref is a ::wb_func_t of the same store as the call or global it is
 * passed to; one of another store is refused before Wasmtime sees it.
 */
typedef struct wb_val {
  wb_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16]; /**< little-endian lane bytes */
    wb_func_t funcref;
  } of;
} wb_val_t;

/* ------------------------------------------------------------------------ */
/** \name Status and errors */

/** \brief What every function returns. */
typedef enum wb_status {
  WB_OK = 0,
  WB_ERR_INVALID_ARGUMENT, /**< NULL pointer, bad length, invalid UTF-8, bad option */
  WB_ERR_INVALID_HANDLE,   /**< null, forged, deleted, or of the wrong kind */
  WB_ERR_WRONG_THREAD,     /**< a store-bound handle used off its owner thread */
  WB_ERR_BUSY,             /**< not now: e.g. deleting a store from inside its own call */
  WB_ERR_NOT_FOUND,        /**< no export / import of that name */
  WB_ERR_TYPE_MISMATCH,    /**< argument or result count or type, export of another kind */
  WB_ERR_COMPILE,          /**< invalid wasm or WAT */
  WB_ERR_LINK,             /**< missing or mismatched import */
  WB_ERR_TRAP,             /**< wasm trapped (or a host function failed) */
  WB_ERR_INTERRUPTED,      /**< wb_store_interrupt or a deadline */
  WB_ERR_OUT_OF_FUEL,      /**< the store's fuel ran out */
  WB_ERR_LIMIT,            /**< a store limit refused growth or creation */
  WB_ERR_OUT_OF_BOUNDS,    /**< host access outside guest memory */
  WB_ERR_EXIT,             /**< WASI proc_exit with a non-zero code */
  WB_ERR_IO,               /**< a host file or stream failed */
  WB_ERR_NO_MEMORY,        /**< allocation failed, or the handle table is full */
  WB_ERR_INTERNAL,         /**< a bug in wasmbound; the message says where */
  WB_ERR_NATIVE_STACK      /**< the calling thread has too little native stack left
                                for the engine's max_wasm_stack plus a margin */
} wb_status_t;

/** \brief The enumerator's name, e.g. "WB_ERR_WRONG_THREAD". Any thread; never NULL. */
const char *wb_status_name(wb_status_t status);

/**
 * \brief The calling thread's message for its last failing call.
 *
 * Any thread; never NULL ("" when this thread has had no failure). The
 * string belongs to the library and stays valid until this thread's next
 * failing call or its exit. Successful calls do not clear it.
 */
const char *wb_last_error(void);

/** \brief Why wasm trapped; see ::wb_last_trap_code. Codes follow Wasmtime's. */
typedef enum wb_trap_code {
  WB_TRAP_NONE = 0,             /**< the last failure was not a wasm trap */
  WB_TRAP_STACK_OVERFLOW,
  WB_TRAP_MEMORY_OUT_OF_BOUNDS,
  WB_TRAP_HEAP_MISALIGNED,
  WB_TRAP_TABLE_OUT_OF_BOUNDS,
  WB_TRAP_INDIRECT_CALL_TO_NULL,
  WB_TRAP_BAD_SIGNATURE,
  WB_TRAP_INTEGER_OVERFLOW,
  WB_TRAP_INTEGER_DIVISION_BY_ZERO,
  WB_TRAP_BAD_CONVERSION_TO_INTEGER,
  WB_TRAP_UNREACHABLE,
  WB_TRAP_INTERRUPT,
  WB_TRAP_ALWAYS_TRAP_ADAPTER,
  WB_TRAP_OUT_OF_FUEL,
  WB_TRAP_ATOMIC_WAIT_NON_SHARED_MEMORY,
  WB_TRAP_NULL_REFERENCE,
  WB_TRAP_ARRAY_OUT_OF_BOUNDS,
  WB_TRAP_ALLOCATION_TOO_LARGE,
  WB_TRAP_CAST_FAILURE,
  WB_TRAP_CANNOT_ENTER_COMPONENT,
  WB_TRAP_NO_ASYNC_RESULT,
  WB_TRAP_DISABLED_OPCODE,
  WB_TRAP_HOST = 100            /**< failed without a wasm trap code (e.g. a host error) */
} wb_trap_code_t;

/**
 * \brief The trap code of this thread's last failing call.
 *
 * ::WB_TRAP_NONE when that failure was not a trap (::WB_ERR_TRAP,
 * ::WB_ERR_INTERRUPTED or ::WB_ERR_OUT_OF_FUEL from wasm). Any thread.
 */
wb_trap_code_t wb_last_trap_code(void);

/* ------------------------------------------------------------------------ */
/** \name Engine */

/** \brief Cranelift optimisation level. */
typedef enum wb_opt_level {
  WB_OPT_NONE,
  WB_OPT_SPEED,         /**< default */
  WB_OPT_SPEED_AND_SIZE
} wb_opt_level_t;

/** \brief The value ::wb_engine_config_init puts in `version`. */
#define WB_ENGINE_CONFIG_VERSION 1

/**
 * \brief Engine configuration. Fill it with ::wb_engine_config_init, then
 * change what you need; a struct not made by that function is refused.
 */
typedef struct wb_engine_config {
  uint32_t version;              /**< #WB_ENGINE_CONFIG_VERSION */
  /* wasm features (Wasmtime's defaults when initialised) */
  bool wasm_threads;             /**< threads and shared memory; default true */
  bool wasm_simd;                /**< default true */
  bool wasm_multi_memory;        /**< default true */
  bool wasm_memory64;            /**< default false */
  bool wasm_gc;                  /**< default false */
  bool wasm_tail_call;           /**< default true */
  /* execution */
  bool consume_fuel;             /**< default false; see ::wb_store_set_fuel */
  bool epoch_interruption;       /**< default true: needed to interrupt a running call */
  bool signals_based_traps;      /**< default true; false for hosts whose own crash
                                      handlers fight Wasmtime's (slower code) */
  wb_opt_level_t opt_level;      /**< default ::WB_OPT_SPEED */
  bool parallel_compilation;     /**< default true */
  uint64_t max_wasm_stack;       /**< bytes; 0: Wasmtime's default (512 KiB) */
  /* pooling instance allocator: fast instantiation, memory reserved up front */
  bool pooling_allocator;        /**< default false */
  uint32_t pool_total_core_instances; /**< default 1000 */
  uint32_t pool_total_memories;       /**< default 1000 */
  uint32_t pool_total_tables;         /**< default 1000 */
  uint64_t pool_max_memory_size;      /**< bytes per memory; default 10 MiB */
} wb_engine_config_t;

/**
 * \brief Fills `out` with the defaults. Any thread.
 * \return ::WB_ERR_INVALID_ARGUMENT when `out` is NULL.
 */
wb_status_t wb_engine_config_init(wb_engine_config_t *out);

/**
 * \brief Creates an engine. Any thread.
 *
 * \param config NULL for the defaults; not retained (the caller keeps it).
 * \param out receives the engine; the caller owns it and deletes it with
 *        ::wb_engine_delete.
 * \return ::WB_ERR_INVALID_ARGUMENT (NULL out, a config not initialised by
 *         ::wb_engine_config_init, or options Wasmtime rejects).
 */
wb_status_t wb_engine_new(const wb_engine_config_t *config, wb_engine_t *out);

/**
 * \brief Deletes the caller's reference to an engine. Any thread.
 *
 * Calls in flight on other threads finish; later uses get
 * ::WB_ERR_INVALID_HANDLE. Stores made from it stay usable until deleted
 * (they keep the engine's memory alive). The null handle is a no-op.
 * \return ::WB_ERR_INVALID_HANDLE for a forged, deleted or wrong-kind handle.
 */
wb_status_t wb_engine_delete(wb_engine_t engine);

/* ------------------------------------------------------------------------ */
/** \name Modules */

/**
 * \brief Compiles a module from a wasm binary or WAT text. Any thread.
 *
 * \param bytes the wasm binary, or WAT text (UTF-8, no NUL needed); not
 *        retained.
 * \param out receives the module; the caller owns it (::wb_module_delete).
 * \return ::WB_ERR_COMPILE with Wasmtime's message for invalid input;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL pointers or len 0;
 *         ::WB_ERR_INVALID_HANDLE for a bad engine.
 */
wb_status_t wb_module_new(wb_engine_t engine, const uint8_t *bytes, size_t len, wb_module_t *out);

/**
 * \brief Validates a wasm binary or WAT text without compiling it. Any thread.
 * \return ::WB_OK when valid; ::WB_ERR_COMPILE with the reason otherwise.
 */
wb_status_t wb_module_validate(wb_engine_t engine, const uint8_t *bytes, size_t len);

/**
 * \brief Deletes the caller's reference to a module. Any thread.
 *
 * Instances already made from it are not affected; instantiations in
 * flight finish. The null handle is a no-op.
 * \return ::WB_ERR_INVALID_HANDLE for a forged, deleted or wrong-kind handle.
 */
wb_status_t wb_module_delete(wb_module_t module);

/** \brief The kind of an import or export. */
typedef enum wb_externkind {
  WB_EXTERN_FUNC,
  WB_EXTERN_GLOBAL,
  WB_EXTERN_TABLE,
  WB_EXTERN_MEMORY,
  WB_EXTERN_OTHER /**< a kind wasmbound does not model (e.g. a tag) */
} wb_externkind_t;

/** \brief One import or export of a module. All strings are NUL-terminated. */
typedef struct wb_extern_desc {
  const char *module;     /**< imports: the module name; exports: NULL */
  const char *name;       /**< the field name */
  wb_externkind_t kind;
  const char *type;       /**< the type as WAT-like text, e.g.
                               "(func (param i32 i32) (result i32))" */
} wb_extern_desc_t;

/** \brief A list of imports or exports, owned by the caller. */
typedef struct wb_extern_list {
  wb_extern_desc_t *items;
  size_t count;
} wb_extern_list_t;

/**
 * \brief Lists a module's imports (in declaration order). Any thread.
 * \param out receives a list the caller owns; free it with
 *        ::wb_extern_list_dispose.
 */
wb_status_t wb_module_imports(wb_module_t module, wb_extern_list_t *out);

/** \brief Lists a module's exports, like ::wb_module_imports. */
wb_status_t wb_module_exports(wb_module_t module, wb_extern_list_t *out);

/** \brief Frees a list from ::wb_module_imports or ::wb_module_exports and
 *  zeroes it. NULL and an already zeroed list are harmless. Any thread. */
void wb_extern_list_dispose(wb_extern_list_t *list);

/** \brief Bytes owned by the caller; free with ::wb_bytes_dispose. */
typedef struct wb_bytes {
  uint8_t *data;
  size_t len;
} wb_bytes_t;

/** \brief Frees bytes from the library and zeroes them. NULL is harmless. */
void wb_bytes_dispose(wb_bytes_t *bytes);

/**
 * \brief Serializes a compiled module (native code) to bytes. Any thread.
 * \param out receives bytes the caller owns (::wb_bytes_dispose).
 */
wb_status_t wb_module_serialize(wb_module_t module, wb_bytes_t *out);

/**
 * \brief Loads a module from ::wb_module_serialize's bytes. Any thread.
 *
 * \warning TRUSTED INPUT ONLY: the bytes are native code and are not
 * validated. Bytes from an untrusted source can run arbitrary code. Bytes
 * from another Wasmtime version or configuration are refused with
 * ::WB_ERR_COMPILE.
 */
wb_status_t wb_module_deserialize(wb_engine_t engine, const uint8_t *bytes, size_t len,
                                  wb_module_t *out);

/* ------------------------------------------------------------------------ */
/** \name Stores and threads */

/**
 * \brief Creates a store; the calling thread becomes its owner.
 * \param out receives the store; the owner deletes it with ::wb_store_delete.
 */
wb_status_t wb_store_new(wb_engine_t engine, wb_store_t *out);

/**
 * \brief Deletes a store and every handle that lives in it (instances,
 * funcs, memories, globals). Owner thread, or any thread for a released or
 * orphaned store. The null handle is a no-op.
 * \return ::WB_ERR_BUSY from inside one of this store's own calls (a host
 *         callback); ::WB_ERR_WRONG_THREAD from another thread.
 */
wb_status_t wb_store_delete(wb_store_t store);

/**
 * \brief The owner gives the store up. Until some thread calls
 * ::wb_store_adopt, nobody may use it (every call is refused).
 * \return ::WB_ERR_BUSY from inside one of its own calls.
 */
wb_status_t wb_store_release(wb_store_t store);

/**
 * \brief The calling thread becomes the owner of a released or orphaned
 * store. Any thread.
 * \return ::WB_ERR_WRONG_THREAD when another thread owns it (adopting your
 *         own store is ::WB_OK).
 */
wb_status_t wb_store_adopt(wb_store_t store);

/**
 * \brief Interrupts the store: its running call, or else its next one,
 * returns ::WB_ERR_INTERRUPTED. ANY thread. A running call stops at its
 * next loop header or function entry (needs epoch_interruption, the default;
 * without it only the next call is refused).
 */
wb_status_t wb_store_interrupt(wb_store_t store);

/**
 * \brief Sets the fuel left in the store. Owner thread.
 * \return ::WB_ERR_INVALID_ARGUMENT when the engine was made without
 *         consume_fuel.
 */
wb_status_t wb_store_set_fuel(wb_store_t store, uint64_t fuel);

/** \brief Reads the fuel left in the store into `out`. Owner thread. */
wb_status_t wb_store_get_fuel(wb_store_t store, uint64_t *out);

/* ------------------------------------------------------------------------ */
/** \name Instances and exports */

/**
 * \brief Instantiates a module that has no imports into a store, running its
 * start function. Owner thread of the store; any module of the same engine.
 * \param out receives the instance; it lives until its store is deleted.
 * \return ::WB_ERR_LINK when the module has imports; ::WB_ERR_TRAP etc. when
 *         the start function fails; ::WB_ERR_INVALID_ARGUMENT when the
 *         module comes from another engine.
 */
wb_status_t wb_instance_new(wb_store_t store, wb_module_t module, wb_instance_t *out);

/**
 * \brief Looks up an exported function by name. Owner thread of the store.
 *
 * The same export gives the same handle each time; it lives until the store
 * is deleted.
 * \param name NUL-terminated UTF-8, at most 65535 bytes.
 * \return ::WB_ERR_NOT_FOUND when there is no such export;
 *         ::WB_ERR_TYPE_MISMATCH when the export is not a function.
 */
wb_status_t wb_instance_get_func(wb_instance_t instance, const char *name, wb_func_t *out);
/** \brief Looks up an exported memory, like ::wb_instance_get_func. */
wb_status_t wb_instance_get_memory(wb_instance_t instance, const char *name, wb_memory_t *out);
/** \brief Looks up an exported global, like ::wb_instance_get_func. */
wb_status_t wb_instance_get_global(wb_instance_t instance, const char *name, wb_global_t *out);

/* ------------------------------------------------------------------------ */
/** \name Calls, memory, globals (the hot paths: no Go, no locks) */

/**
 * \brief Calls a function. Owner thread of its store.
 *
 * The argument kinds and counts must match the function's type exactly.
 * `results` is written only on ::WB_OK.
 * \return ::WB_ERR_TYPE_MISMATCH (count or kind); ::WB_ERR_INVALID_ARGUMENT
 *         (NULL args/results with a non-zero count, a funcref of another
 *         store); ::WB_ERR_TRAP / ::WB_ERR_OUT_OF_FUEL /
 *         ::WB_ERR_INTERRUPTED (see ::wb_last_trap_code; the store stays
 *         usable); ::WB_ERR_NATIVE_STACK when this thread's stack is too
 *         small for the engine's max_wasm_stack.
 */
wb_status_t wb_func_call(wb_func_t func, const wb_val_t *args, size_t nargs, wb_val_t *results,
                         size_t nresults);

/**
 * \brief Reads a function's parameter and result counts. Owner thread.
 * Either pointer may be NULL.
 */
wb_status_t wb_func_arity(wb_func_t func, size_t *nparams, size_t *nresults);

/** \brief Writes the memory's size in bytes to `bytes`. Owner thread. */
wb_status_t wb_memory_size(wb_memory_t memory, uint64_t *bytes);

/**
 * \brief Grows a memory by `delta_pages` wasm pages. Owner thread.
 * \param previous_pages receives the size in pages before growing; may be NULL.
 * \return ::WB_ERR_LIMIT when the memory's maximum (or the engine) refuses.
 */
wb_status_t wb_memory_grow(wb_memory_t memory, uint64_t delta_pages, uint64_t *previous_pages);

/**
 * \brief Copies `len` bytes at `offset` of the memory into `dst`. Owner thread.
 * \return ::WB_ERR_OUT_OF_BOUNDS when any byte lies outside the memory
 *         (nothing is copied); ::WB_ERR_INVALID_ARGUMENT for NULL dst with len > 0.
 */
wb_status_t wb_memory_read(wb_memory_t memory, uint64_t offset, void *dst, size_t len);

/** \brief Copies `len` bytes from `src` to `offset` of the memory, like ::wb_memory_read. */
wb_status_t wb_memory_write(wb_memory_t memory, uint64_t offset, const void *src, size_t len);

/** \brief Reads a global's value into `out`. Owner thread. */
wb_status_t wb_global_get(wb_global_t global, wb_val_t *out);

/**
 * \brief Sets a mutable global. Owner thread.
 * \return ::WB_ERR_TYPE_MISMATCH for an immutable global or a value of
 *         another kind.
 */
wb_status_t wb_global_set(wb_global_t global, const wb_val_t *value);

/* ------------------------------------------------------------------------ */
/** \name Statistics */

/** \brief Live objects and events since the library was loaded. */
typedef struct wb_stats {
  uint64_t live_engines;
  uint64_t live_modules;
  uint64_t live_stores;
  uint64_t live_instances;
  uint64_t live_funcs;
  uint64_t live_memories;
  uint64_t live_globals;
  uint64_t live_handles;        /**< all kinds together */
  uint64_t orphaned_stores;     /**< orphans now (not yet adopted or deleted) */
  uint64_t orphans_total;       /**< stores ever orphaned by a thread exit */
  uint64_t wrong_thread_refusals;
  uint64_t traps;
  uint64_t interrupts;
} wb_stats_t;

/** \brief Reads the statistics into `out`. Any thread; counters are read one by one. */
wb_status_t wb_stats_get(wb_stats_t *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WASMBOUND_H */
