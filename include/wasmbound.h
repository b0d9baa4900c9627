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
 * | engine, module, template, shared memory | any thread, concurrently       |
 * | store                       | only its owner thread (creator or adopter) |
 * | instance, func, memory, global | the owner thread of their store         |
 * | caller                      | its store's owner thread, during the callback |
 * | linker, WASI configuration  | only the thread that created it            |
 * | pool, future                | any thread, concurrently                   |
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
 * Besides the statuses each function lists, any function that takes a
 * handle returns ::WB_ERR_INVALID_HANDLE for a null (where null is not a
 * no-op), deleted, forged or wrong-kind one and, for a store-bound handle
 * or a builder, ::WB_ERR_WRONG_THREAD on the wrong thread; a NULL pointer
 * where one is needed is ::WB_ERR_INVALID_ARGUMENT; and any function may
 * return ::WB_ERR_NO_MEMORY or ::WB_ERR_INTERNAL.
 *
 * \section ownership Ownership
 *
 * Every `*_new` function gives the caller a handle it owns and deletes with
 * the matching `*_delete`. Handles that live in a store (instances,
 * functions, memories, globals) are owned by the store and die with it.
 * Memory the library returns (::wb_bytes_t, ::wb_extern_list_t) is the
 * caller's, freed with its `*_dispose` function. Pointers the caller passes
 * in (names, byte buffers, value arrays, configuration structs) are read
 * during the call and never retained, unless a function says otherwise
 * (host function environments).
 *
 * \section abi ABI and versions
 *
 * From 0.2.0 on, the ABI is stable within a SONAME (libwasmbound.so.0): a
 * later 0.x release only appends functions, struct versions, enumerators
 * and statuses. Structs the caller allocates carry a `version` (filled by
 * their `*_init` function or `*_INIT` macro) and the library accepts every
 * version it ever shipped. Every exported symbol carries the version node
 * of the release that added it (WASMBOUND_0.2, ...). CHANGELOG.md lists
 * what each release changed.
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
 * - 0.2.0: the first release with a stable ABI (see CHANGELOG.md for the
 *   changes from 0.1.0: versioned structs and `*_init(out, version)`,
 *   symbol versions, memory64 on by default, ::wb_trap_code_name,
 *   ::wb_func_check_type, ::WB_ERR_EXCEPTION, ::WB_ERR_UNUSABLE).
 * - 0.1.0: first version. The core contract of API.md, plus engine
 *   configuration, module validation/introspection/serialization, fuel,
 *   statistics, ::WB_ERR_NATIVE_STACK (appended after ::WB_ERR_INTERNAL);
 *   linkers, host functions, templates, shared memory, WASI, limits and
 *   deadlines; worker pools and futures, ::WB_ERR_TIMEOUT (appended).
 */
#ifndef WASMBOUND_H
#define WASMBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The release's version: these three numbers are the one place it is set.
 * CMakeLists.txt reads them for the project version (the file name
 * libwasmbound.so.MAJOR.MINOR.PATCH, the .pc file, the CMake package and
 * the .deb and .tar.gz packages), and wb_version() returns the string made
 * from them. */
/** \brief The major version of this header: 0 until the ABI is declared 1.0.
 *  A change that breaks the ABI moves it, and with it the SONAME. */
#define WASMBOUND_VERSION_MAJOR 0
/** \brief The minor version of this header: within a major version (also 0.x
 *  from 0.2 on), a new minor release only appends to the ABI. */
#define WASMBOUND_VERSION_MINOR 2
/** \brief The patch version of this header: fixes only, no ABI change. */
#define WASMBOUND_VERSION_PATCH 0
/** \cond WASMBOUND_INTERNAL */
#define WASMBOUND_STRINGIFY_(x) #x
#define WASMBOUND_STRINGIFY(x) WASMBOUND_STRINGIFY_(x)
/** \endcond */
/** \brief The version of this header as a string, "MAJOR.MINOR.PATCH", e.g. "0.2.0". */
#define WASMBOUND_VERSION                                                          \
  WASMBOUND_STRINGIFY(WASMBOUND_VERSION_MAJOR) "." WASMBOUND_STRINGIFY(WASMBOUND_VERSION_MINOR) "." \
      WASMBOUND_STRINGIFY(WASMBOUND_VERSION_PATCH)
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
/** \brief The calling instance, given to a host function: valid only during
 *  that callback and on that thread. */
typedef struct wb_caller { uint64_t id; } wb_caller_t;
/** \brief A WASI configuration (builder). Its creator thread only. */
typedef struct wb_wasi_config { uint64_t id; } wb_wasi_config_t;
/** \brief A shared linear memory (threads proposal). Any thread. */
typedef struct wb_shared_memory { uint64_t id; } wb_shared_memory_t;
/** \brief A pool of worker threads that run calls for any thread. Any thread. */
typedef struct wb_pool { uint64_t id; } wb_pool_t;
/** \brief The pending result of a call submitted to a pool. Any thread. */
typedef struct wb_future { uint64_t id; } wb_future_t;

/* ------------------------------------------------------------------------ */
/** \name Values */

/** \brief The kind of a wasm value. */
typedef enum wb_valkind {
  WB_I32,      /**< 32-bit integer: `of.i32` */
  WB_I64,      /**< 64-bit integer: `of.i64` */
  WB_F32,      /**< 32-bit float: `of.f32` */
  WB_F64,      /**< 64-bit float: `of.f64` */
  WB_V128,     /**< 128-bit vector: `of.v128` */
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
  wb_valkind_t kind; /**< which member of `of` holds the value */
  /** \brief The payload, by `kind`. */
  union {
    int32_t i32;       /**< ::WB_I32 */
    int64_t i64;       /**< ::WB_I64 */
    float f32;         /**< ::WB_F32 */
    double f64;        /**< ::WB_F64 */
    uint8_t v128[16];  /**< ::WB_V128: little-endian lane bytes */
    wb_func_t funcref; /**< ::WB_FUNCREF: a function of the same store, or the null handle */
  } of;              /**< the payload, by `kind` */
} wb_val_t;

/* ------------------------------------------------------------------------ */
/** \name Status and errors */

/** \brief What every function returns. */
typedef enum wb_status {
  WB_OK = 0,               /**< success */
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
  WB_ERR_NATIVE_STACK,     /**< the calling thread has too little native stack left
                                for the engine's max_wasm_stack plus a margin */
  WB_ERR_TIMEOUT,          /**< a wait gave up before its time limit (the work goes on) */
  WB_ERR_EXCEPTION,        /**< a wasm exception was thrown and not caught inside wasm
                                (trap code ::WB_TRAP_EXCEPTION); the store stays usable */
  WB_ERR_UNUSABLE          /**< the object cannot be used any more (a component instance
                                that trapped): make a new one */
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

/**
 * \brief Records `message` (copied; NULL reads "(no message)") as the calling
 * thread's last error and returns `status`. Any thread. For host functions:
 * `return wb_set_error(WB_ERR_TRAP, "bad input");` makes the guest trap with
 * that message.
 * \return `status`, unchanged.
 */
wb_status_t wb_set_error(wb_status_t status, const char *message);

/** \brief Why wasm trapped; see ::wb_last_trap_code. Codes follow Wasmtime's. */
typedef enum wb_trap_code {
  WB_TRAP_NONE = 0,                      /**< the last failure was not a wasm trap */
  WB_TRAP_STACK_OVERFLOW,                /**< the wasm stack (max_wasm_stack) overflowed */
  WB_TRAP_MEMORY_OUT_OF_BOUNDS,          /**< a memory access out of bounds */
  WB_TRAP_HEAP_MISALIGNED,               /**< a misaligned atomic access */
  WB_TRAP_TABLE_OUT_OF_BOUNDS,           /**< a table access out of bounds */
  WB_TRAP_INDIRECT_CALL_TO_NULL,         /**< call_indirect of a null table entry */
  WB_TRAP_BAD_SIGNATURE,                 /**< call_indirect of a function of another type */
  WB_TRAP_INTEGER_OVERFLOW,              /**< integer overflow (e.g. INT_MIN / -1) */
  WB_TRAP_INTEGER_DIVISION_BY_ZERO,      /**< integer division by zero */
  WB_TRAP_BAD_CONVERSION_TO_INTEGER,     /**< a float that no integer can hold (trunc of NaN, too large) */
  WB_TRAP_UNREACHABLE,                   /**< the `unreachable` instruction */
  WB_TRAP_INTERRUPT,                     /**< interrupted: ::wb_store_interrupt, a timeout or deadline */
  WB_TRAP_ALWAYS_TRAP_ADAPTER,           /**< a component adapter that always traps */
  WB_TRAP_OUT_OF_FUEL,                   /**< the store's fuel ran out */
  WB_TRAP_ATOMIC_WAIT_NON_SHARED_MEMORY, /**< memory.atomic.wait on a memory that is not shared */
  WB_TRAP_NULL_REFERENCE,                /**< a null reference used where one is needed (GC, typed refs) */
  WB_TRAP_ARRAY_OUT_OF_BOUNDS,           /**< a GC array access out of bounds */
  WB_TRAP_ALLOCATION_TOO_LARGE,          /**< a GC allocation too large */
  WB_TRAP_CAST_FAILURE,                  /**< a failed ref.cast */
  WB_TRAP_CANNOT_ENTER_COMPONENT,        /**< a component entered when it may not be */
  WB_TRAP_NO_ASYNC_RESULT,               /**< an async component call returned no result */
  WB_TRAP_DISABLED_OPCODE,               /**< an instruction the engine's configuration disabled */
  WB_TRAP_HOST = 100,           /**< failed without a wasm trap code (e.g. a host error) */
  WB_TRAP_EXCEPTION = 101       /**< a wasm exception escaped to the host (::WB_ERR_EXCEPTION) */
} wb_trap_code_t;

/** \brief The enumerator's name without its prefix, e.g. "UNREACHABLE" for
 *  ::WB_TRAP_UNREACHABLE; "UNKNOWN" for a value that is not a trap code.
 *  Any thread; never NULL; the string is static. */
const char *wb_trap_code_name(wb_trap_code_t code);

/**
 * \brief The trap code of this thread's last failing call.
 *
 * ::WB_TRAP_NONE when that failure was not a trap (::WB_ERR_TRAP,
 * ::WB_ERR_INTERRUPTED or ::WB_ERR_OUT_OF_FUEL from wasm). Any thread.
 */
wb_trap_code_t wb_last_trap_code(void);

/**
 * \brief The exit code of this thread's last call that ended in WASI
 * `proc_exit` (0 when it exited successfully); -1 when that call did not exit.
 * A non-zero exit code makes the call return ::WB_ERR_EXIT. Any thread.
 */
int32_t wb_last_exit_code(void);

/* ------------------------------------------------------------------------ */
/** \name Engine */

/** \brief Cranelift optimisation level. */
typedef enum wb_opt_level {
  WB_OPT_NONE,          /**< no optimisation: fastest compilation */
  WB_OPT_SPEED,         /**< default */
  WB_OPT_SPEED_AND_SIZE /**< optimise for speed and code size */
} wb_opt_level_t;

/** \brief Wasmtime's profiler support for JIT code. */
typedef enum wb_profiler {
  WB_PROFILER_NONE,    /**< default */
  WB_PROFILER_PERFMAP, /**< /tmp/perf-PID.map for `perf` */
  WB_PROFILER_JITDUMP  /**< jit-PID.dump for `perf inject --jit` */
} wb_profiler_t;

/**
 * \brief The newest version of ::wb_engine_config_t this header knows.
 *
 * Versions: 1 (0.1.0) ends with `profiler`; 2 (0.2.0) appends the fields
 * from `wasm_reference_types` on. The library accepts every version it ever
 * shipped and gives the fields a struct of an older version lacks their
 * defaults.
 */
#define WB_ENGINE_CONFIG_VERSION 2

/**
 * \brief Engine configuration. Fill it with ::wb_engine_config_init, then
 * change what you need; a struct whose `version` the library does not know
 * is refused.
 *
 * Feature switches default to Wasmtime 39's defaults, except where a field
 * says otherwise.
 */
typedef struct wb_engine_config {
  uint32_t version;              /**< set by ::wb_engine_config_init; leave it */
  /* version 1: wasm features */
  bool wasm_threads;             /**< threads: atomics and shared memory; default true */
  bool wasm_simd;                /**< default true */
  bool wasm_multi_memory;        /**< default true */
  bool wasm_memory64;            /**< default true (it was false in 0.1.0) */
  bool wasm_gc;                  /**< GC proposal; turns function references on too; default false */
  bool wasm_tail_call;           /**< default true */
  /* version 1: execution */
  bool consume_fuel;             /**< default false; see ::wb_store_set_fuel */
  bool epoch_interruption;       /**< default true: needed to interrupt a running call */
  bool signals_based_traps;      /**< default true; false for hosts whose own crash
                                      handlers fight Wasmtime's (slower code) */
  wb_opt_level_t opt_level;      /**< default ::WB_OPT_SPEED */
  bool parallel_compilation;     /**< default true */
  uint64_t max_wasm_stack;       /**< bytes; 0: Wasmtime's default (512 KiB) */
  /* version 1: pooling instance allocator: fast instantiation, memory reserved up front */
  bool pooling_allocator;        /**< default false */
  uint32_t pool_total_core_instances; /**< default 1000 */
  uint32_t pool_total_memories;       /**< default 1000 */
  uint32_t pool_total_tables;         /**< default 1000 */
  uint64_t pool_max_memory_size;      /**< bytes per memory; default 10 MiB */
  wb_profiler_t profiler;             /**< default ::WB_PROFILER_NONE */
  /* version 2 (0.2.0) */
  bool wasm_reference_types;     /**< default true */
  bool wasm_function_references; /**< typed function references; default false */
  bool wasm_exceptions;          /**< exception handling (exnref, try_table); default false */
  bool wasm_relaxed_simd;        /**< default true (in version 1 it followed wasm_simd) */
  bool wasm_relaxed_simd_deterministic; /**< the same result on every CPU; default false */
  bool wasm_bulk_memory;         /**< default true */
  bool wasm_multi_value;         /**< default true */
  bool wasm_wide_arithmetic;     /**< default false */
  bool wasm_custom_page_sizes;   /**< default false */
  bool wasm_stack_switching;     /**< default false */
  bool wasm_component_model;     /**< components (see the component section); default true */
  bool async_support;            /**< async calls; default false */
  /**
   * Lets modules define (not import) a shared memory; default false.
   *
   * Only the one thread that owns the store can ever reach a shared memory
   * that a module defines itself, so a `memory.atomic.wait` on it without a
   * timeout can never be woken, and a thread parked in such a wait never
   * reaches the checks that interrupts, deadlines and fuel rely on. Waits on
   * a shared memory made with ::wb_shared_memory_new stay stoppable:
   * wasmbound wakes them when it interrupts the store. Set this only for
   * trusted guests (the spec tests, say).
   */
  bool guest_shared_memory;
  uint64_t async_stack_size;     /**< bytes of each async call's stack; 0: Wasmtime's default (2 MiB) */
} wb_engine_config_t;

/**
 * \brief Fills `out` with the defaults of the given version of the struct
 * (pass #WB_ENGINE_CONFIG_VERSION): only the fields that version has are
 * written. Any thread.
 * \return ::WB_ERR_INVALID_ARGUMENT when `out` is NULL or `version` is not
 *         one this library knows.
 */
wb_status_t wb_engine_config_init(wb_engine_config_t *out, uint32_t version);

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
 * \param engine the engine to compile for (any thread may share it).
 * \param bytes the wasm binary, or WAT text (UTF-8, no NUL needed); not
 *        retained.
 * \param len the length of `bytes`.
 * \param out receives the module; the caller owns it (::wb_module_delete).
 * \return ::WB_ERR_COMPILE with Wasmtime's message for invalid input;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL pointers or len 0;
 *         ::WB_ERR_INVALID_HANDLE for a bad engine.
 */
wb_status_t wb_module_new(wb_engine_t engine, const uint8_t *bytes, size_t len, wb_module_t *out);

/**
 * \brief Validates a wasm binary or WAT text without compiling it. Any thread.
 * `bytes` (`len` of them) are not retained.
 * \return ::WB_OK when valid; ::WB_ERR_COMPILE with the reason otherwise;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL bytes or len 0;
 *         ::WB_ERR_INVALID_HANDLE for a bad engine.
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
  WB_EXTERN_FUNC,   /**< a function */
  WB_EXTERN_GLOBAL, /**< a global */
  WB_EXTERN_TABLE,  /**< a table */
  WB_EXTERN_MEMORY, /**< a linear memory */
  WB_EXTERN_OTHER /**< a kind wasmbound does not model (e.g. a tag) */
} wb_externkind_t;

/** \brief One import or export of a module. All strings are NUL-terminated. */
typedef struct wb_extern_desc {
  const char *module;     /**< imports: the module name; exports: NULL */
  const char *name;       /**< the field name */
  wb_externkind_t kind;   /**< what it is */
  const char *type;       /**< the type as WAT-like text, e.g.
                               "(func (param i32 i32) (result i32))" */
} wb_extern_desc_t;

/** \brief A list of imports or exports, owned by the caller (free it with
 *  ::wb_extern_list_dispose, which frees the strings too). */
typedef struct wb_extern_list {
  wb_extern_desc_t *items; /**< `count` descriptions, in declaration order */
  size_t count;            /**< the number of items */
} wb_extern_list_t;

/**
 * \brief Lists a module's imports (in declaration order). Any thread.
 * \param module the module.
 * \param out receives a list the caller owns; free it with
 *        ::wb_extern_list_dispose.
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_module_imports(wb_module_t module, wb_extern_list_t *out);

/** \brief Lists a module's exports, like ::wb_module_imports. Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_module_exports(wb_module_t module, wb_extern_list_t *out);

/** \brief Frees a list from ::wb_module_imports or ::wb_module_exports and
 *  zeroes it. NULL and an already zeroed list are harmless. Any thread. */
void wb_extern_list_dispose(wb_extern_list_t *list);

/** \brief Bytes owned by the caller; free with ::wb_bytes_dispose. */
typedef struct wb_bytes {
  uint8_t *data; /**< `len` bytes, allocated by the library */
  size_t len;    /**< the number of bytes */
} wb_bytes_t;

/** \brief Frees bytes from the library and zeroes them. NULL is harmless.
 *  Any thread. */
void wb_bytes_dispose(wb_bytes_t *bytes);

/**
 * \brief Serializes a compiled module (native code) to bytes. Any thread.
 * \param module the module.
 * \param out receives bytes the caller owns (::wb_bytes_dispose).
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_NO_MEMORY;
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_module_serialize(wb_module_t module, wb_bytes_t *out);

/**
 * \brief Loads a module from ::wb_module_serialize's bytes (`len` of them,
 * not retained). Any thread.
 *
 * \warning TRUSTED INPUT ONLY: the bytes are native code and are not
 * validated. Bytes from an untrusted source can run arbitrary code. Bytes
 * from another Wasmtime version or configuration are refused with
 * ::WB_ERR_COMPILE.
 * \param engine the engine, configured as the one that serialized them.
 * \param bytes the serialized module; not retained.
 * \param len the length of `bytes`.
 * \param out receives the module; the caller owns it (::wb_module_delete).
 * \return ::WB_ERR_COMPILE for bytes Wasmtime refuses;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL pointers; ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_module_deserialize(wb_engine_t engine, const uint8_t *bytes, size_t len,
                                  wb_module_t *out);

/* ------------------------------------------------------------------------ */
/** \name Stores and threads */

/**
 * \brief Creates a store; the calling thread becomes its owner. Any thread.
 * \param engine the engine (the store keeps its memory alive).
 * \param out receives the store; the owner deletes it with ::wb_store_delete.
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE for
 *         a bad engine; ::WB_ERR_NO_MEMORY.
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

/** \brief Reads the fuel left in the store into `out`. Owner thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out or an engine made without
 *  consume_fuel; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_store_get_fuel(wb_store_t store, uint64_t *out);

/* ------------------------------------------------------------------------ */
/** \name Instances and exports */

/**
 * \brief Instantiates a module that has no imports into a store, running its
 * start function. Owner thread of the store; any module of the same engine.
 * \param store the store (the calling thread must own it).
 * \param module the module.
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
 * \param instance the instance.
 * \param name NUL-terminated UTF-8, at most 65535 bytes; not retained.
 * \param out receives the function handle (owned by the store: not deleted).
 * \return ::WB_ERR_NOT_FOUND when there is no such export;
 *         ::WB_ERR_TYPE_MISMATCH when the export is not a function;
 *         ::WB_ERR_INVALID_ARGUMENT for a NULL, invalid UTF-8 or overlong
 *         name or NULL out; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_instance_get_func(wb_instance_t instance, const char *name, wb_func_t *out);
/** \brief Looks up an exported memory, like ::wb_instance_get_func (the same
 *  thread rule, ownership and statuses). Owner thread of the store.
 *  \return ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_INVALID_ARGUMENT. */
wb_status_t wb_instance_get_memory(wb_instance_t instance, const char *name, wb_memory_t *out);
/** \brief Looks up an exported global, like ::wb_instance_get_func (the same
 *  thread rule, ownership and statuses). Owner thread of the store.
 *  \return ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_INVALID_ARGUMENT. */
wb_status_t wb_instance_get_global(wb_instance_t instance, const char *name, wb_global_t *out);

/* ------------------------------------------------------------------------ */
/** \name Calls, memory, globals (the hot paths: no Go, no locks) */

/**
 * \brief Calls a function. Owner thread of its store.
 *
 * The argument kinds and counts must match the function's type exactly.
 * `results` is written only on ::WB_OK. `args` (`nargs` values) and
 * `results` (room for `nresults`) are the caller's; funcref results are
 * handles owned by the store.
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
 * \brief Reads a function's parameter and result counts. The owner thread of
 * its store.
 * \param func the function.
 * \param nparams receives the parameter count; may be NULL.
 * \param nresults receives the result count; may be NULL.
 * \return ::WB_OK; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_func_arity(wb_func_t func, size_t *nparams, size_t *nresults);

/**
 * \brief Checks that a function's type is exactly the given parameter and
 * result kinds, without calling it. The owner thread of its store.
 *
 * For a host that knows the signature it will call with (wasmbound.hh's
 * TypedFunc checks its C++ signature this way, once, at lookup).
 * \param func the function.
 * \param params,nparams the parameter kinds (not retained); NULL with 0.
 * \param results,nresults the result kinds (not retained); NULL with 0.
 * \return ::WB_OK when they match; ::WB_ERR_TYPE_MISMATCH naming both types
 *         (e.g. "the function has type (func (param i32) (result i32)), not
 *         (func (param i64))"); ::WB_ERR_INVALID_ARGUMENT for a NULL array
 *         with a non-zero count; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_func_check_type(wb_func_t func, const wb_valkind_t *params, size_t nparams,
                               const wb_valkind_t *results, size_t nresults);

/** \brief Writes the memory's size in bytes to `bytes`. Owner thread of its store.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL bytes; ::WB_ERR_INVALID_HANDLE,
 *  ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_memory_size(wb_memory_t memory, uint64_t *bytes);

/**
 * \brief Grows a memory by `delta_pages` wasm pages. Owner thread of its store.
 * \param memory the memory.
 * \param delta_pages how many pages to add.
 * \param previous_pages receives the size in pages before growing; may be NULL.
 * \return ::WB_ERR_LIMIT when the memory's maximum, a store limit or the
 *         engine refuses; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_memory_grow(wb_memory_t memory, uint64_t delta_pages, uint64_t *previous_pages);

/**
 * \brief Copies `len` bytes at `offset` of the memory into `dst` (the
 * caller's buffer of at least `len` bytes). Owner thread of its store.
 * \return ::WB_ERR_OUT_OF_BOUNDS when any byte lies outside the memory
 *         (nothing is copied); ::WB_ERR_INVALID_ARGUMENT for NULL dst with
 *         len > 0; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_memory_read(wb_memory_t memory, uint64_t offset, void *dst, size_t len);

/** \brief Copies `len` bytes from `src` (the caller's) to `offset` of the
 *  memory, like ::wb_memory_read. Owner thread of its store.
 *  \return ::WB_ERR_OUT_OF_BOUNDS (nothing is copied), ::WB_ERR_INVALID_ARGUMENT. */
wb_status_t wb_memory_write(wb_memory_t memory, uint64_t offset, const void *src, size_t len);

/** \brief Reads a global's value into `out`. Owner thread of its store.
 *  A funcref value is a handle owned by the store.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE,
 *  ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_global_get(wb_global_t global, wb_val_t *out);

/**
 * \brief Sets a mutable global to `*value` (read, not retained). Owner
 * thread of its store.
 * \return ::WB_ERR_TYPE_MISMATCH for an immutable global or a value of
 *         another kind; ::WB_ERR_INVALID_ARGUMENT for NULL value or a funcref
 *         of another store; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_global_set(wb_global_t global, const wb_val_t *value);

/* ------------------------------------------------------------------------ */
/** \name Linking and host functions */

/**
 * \brief A host function written in C.
 *
 * Runs on the owner thread of the store whose wasm calls it. `args` has the
 * declared parameter kinds; write every result, with its declared kind, into
 * `results`. `caller` reaches the calling instance's exports and is valid
 * only during this callback. The callback may call back into wasm of the
 * same store (re-entrancy); it may not delete or release that store
 * (::WB_ERR_BUSY).
 *
 * Return ::WB_OK, or any other status to make the guest trap: the outer call
 * then returns ::WB_ERR_TRAP (trap code ::WB_TRAP_HOST) with this thread's
 * last error as the message (set it with ::wb_set_error).
 *
 * `env` is shared by every store that runs the function, on any thread, when
 * the function reaches them through a template: make it immutable or
 * thread-safe.
 */
typedef wb_status_t (*wb_host_callback_t)(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs,
                                          wb_val_t *results, size_t nresults);

/** \brief Frees a host function's env when the last copy of the function
 *  goes; called once, on whichever thread drops the last copy. */
typedef void (*wb_finalizer_t)(void *env);

/**
 * \brief Creates a linker for the engine's modules. The calling thread
 * becomes its only user (a builder); templates made from it are shareable.
 * \param engine the engine whose modules it links.
 * \param out receives the linker; delete it with ::wb_linker_delete.
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_linker_new(wb_engine_t engine, wb_linker_t *out);

/** \brief Deletes a linker (its creator thread). Templates made from it stay
 *  valid. The null handle is a no-op.
 *  \return ::WB_ERR_WRONG_THREAD from another thread; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_linker_delete(wb_linker_t linker);

/** \brief Lets later definitions replace earlier ones of the same name
 *  (default: a duplicate is ::WB_ERR_LINK). Creator thread.
 *  \return ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_linker_allow_shadowing(wb_linker_t linker, bool allow);

/**
 * \brief Defines a host function as `module`.`name`. Creator thread.
 *
 * \param linker the linker.
 * \param module,name the import's names (NUL-terminated UTF-8; copied).
 * \param params,nparams the parameter kinds (::WB_EXTERNREF is refused;
 *        copied); NULL with 0.
 * \param results,nresults the result kinds, likewise.
 * \param callback the function (see ::wb_host_callback_t for its thread).
 * \param env passed to every call; ownership passes to the linker when
 *        `finalizer` is non-NULL: it is called once, when no linker, template
 *        or store holds the function any more (also when this call fails).
 * \param finalizer frees `env`; NULL when the caller keeps it (it must then
 *        outlive every linker, template and store holding the function).
 * \return ::WB_ERR_LINK for a duplicate name without shadowing;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL or invalid names or a NULL
 *         callback; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_linker_define_func(wb_linker_t linker, const char *module, const char *name,
                                  const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                                  size_t nresults, wb_host_callback_t callback, void *env,
                                  wb_finalizer_t finalizer);

/**
 * \brief Defines every export of `instance` under the module name `module`.
 *
 * The linker's creator thread, which must also own the instance's store.
 * From then on the linker holds objects of that store: it can instantiate
 * only into that store, and cannot make templates (both refused with
 * ::WB_ERR_INVALID_ARGUMENT, because Wasmtime would abort the process).
 * `module` is copied.
 * \return ::WB_ERR_LINK for a duplicate name; ::WB_ERR_INVALID_ARGUMENT;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_linker_define_instance(wb_linker_t linker, const char *module, wb_instance_t instance);

/** \brief Defines WASI preview1 (`wasi_snapshot_preview1`). Creator thread.
 *  A store that runs these functions needs ::wb_store_set_wasi first.
 *  \return ::WB_ERR_LINK when already defined; ::WB_ERR_WRONG_THREAD,
 *  ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_linker_define_wasi(wb_linker_t linker);

/** \brief Defines a shared memory as `module`.`name` (names copied; the
 *  linker holds a reference to the memory). Creator thread.
 *  \return ::WB_ERR_LINK for a duplicate name; ::WB_ERR_INVALID_ARGUMENT;
 *  ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_linker_define_shared_memory(wb_linker_t linker, const char *module, const char *name,
                                           wb_shared_memory_t memory);

/**
 * \brief Instantiates `module` into `store`, resolving its imports from the
 * linker. The thread must be the linker's creator and the store's owner.
 * `out` receives the instance, which lives until its store is deleted.
 * \return ::WB_ERR_LINK naming the import, its expected and found types;
 *         ::WB_ERR_LIMIT when a store limit refuses the instance;
 *         ::WB_ERR_TRAP etc. when the start function fails;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_linker_instantiate(wb_linker_t linker, wb_store_t store, wb_module_t module, wb_instance_t *out);

/** \brief A memory exported by the calling instance, for a host function.
 *  The store's owner thread, during the callback; `out` is a handle owned by
 *  the store, as for ::wb_instance_get_func.
 *  \return ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_INVALID_ARGUMENT
 *  as for ::wb_instance_get_func; ::WB_ERR_INVALID_HANDLE after the callback. */
wb_status_t wb_caller_get_memory(wb_caller_t caller, const char *name, wb_memory_t *out);
/** \brief Like ::wb_caller_get_memory, for a function. The store's owner
 *  thread, during the callback.
 *  \return ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_INVALID_ARGUMENT. */
wb_status_t wb_caller_get_func(wb_caller_t caller, const char *name, wb_func_t *out);
/** \brief Like ::wb_caller_get_memory, for a global. The store's owner
 *  thread, during the callback.
 *  \return ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_INVALID_ARGUMENT. */
wb_status_t wb_caller_get_global(wb_caller_t caller, const char *name, wb_global_t *out);
/** \brief The store the callback runs in, for a host function. The store's
 *  owner thread, during the callback. The store is not the callback's: it
 *  may not delete or release it (::WB_ERR_BUSY).
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE
 *  after the callback. */
wb_status_t wb_caller_store(wb_caller_t caller, wb_store_t *out);

/* ------------------------------------------------------------------------ */
/** \name Templates (Wasmtime's InstancePre): link once, instantiate anywhere */

/**
 * \brief Pre-links `module` with the linker's definitions. The linker's
 * creator thread. The template is shareable: any thread may instantiate it
 * into its own store, concurrently, without relinking.
 * \param linker the linker (its definitions are copied into the template).
 * \param module the module.
 * \param out receives the template; delete it with ::wb_template_delete.
 * \return ::WB_ERR_LINK when an import is missing or mismatched;
 *         ::WB_ERR_INVALID_ARGUMENT for a linker that holds a store's
 *         objects; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_template_new(wb_linker_t linker, wb_module_t module, wb_template_t *out);

/** \brief Instantiates a template into a store. The store's owner thread
 *  (the template may be shared). Host functions of the template run on that
 *  thread. `out` receives the instance, which lives until its store is deleted.
 *  \return ::WB_ERR_LIMIT, ::WB_ERR_TRAP etc. from the start function;
 *  ::WB_ERR_INVALID_ARGUMENT for a store of another engine;
 *  ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_template_instantiate(wb_template_t tmpl, wb_store_t store, wb_instance_t *out);

/** \brief Deletes a template. Any thread; instantiations in flight finish.
 *  The null handle is a no-op.
 *  \return ::WB_ERR_INVALID_HANDLE for a forged, deleted or wrong-kind handle. */
wb_status_t wb_template_delete(wb_template_t tmpl);

/* ------------------------------------------------------------------------ */
/** \name Shared memory (wasm threads): one memory, many stores and threads */

/**
 * \brief Creates a shared memory of `min_pages`..`max_pages` 64 KiB pages.
 * Any thread. Define it into linkers (::wb_linker_define_shared_memory) so
 * that instances in stores on different threads share it; wasm atomics
 * (`memory.atomic.wait`/`notify`) work across those threads. `out`
 * receives the memory; the caller deletes it with ::wb_shared_memory_delete.
 * \return ::WB_ERR_INVALID_ARGUMENT for max_pages < min_pages or NULL out;
 *         ::WB_ERR_INVALID_HANDLE for a bad engine.
 */
wb_status_t wb_shared_memory_new(wb_engine_t engine, uint32_t min_pages, uint32_t max_pages,
                                 wb_shared_memory_t *out);
/** \brief Deletes the caller's reference; linkers, templates and instances
 *  that hold it keep it. Any thread. The null handle is a no-op.
 *  \return ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_shared_memory_delete(wb_shared_memory_t memory);
/** \brief The memory's size in bytes. Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL bytes; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_shared_memory_size(wb_shared_memory_t memory, uint64_t *bytes);
/** \brief Grows by `delta_pages`; `previous_pages` (may be NULL) receives the
 *  size before. Any thread.
 *  \return ::WB_ERR_LIMIT past the maximum; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_shared_memory_grow(wb_shared_memory_t memory, uint64_t delta_pages, uint64_t *previous_pages);
/** \brief Copies `len` bytes at `offset` into `dst` (the caller's). Any
 *  thread; concurrent wasm writes may interleave (use wasm atomics to
 *  synchronize).
 *  \return ::WB_ERR_OUT_OF_BOUNDS (nothing copied); ::WB_ERR_INVALID_ARGUMENT
 *  for NULL dst with len > 0; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_shared_memory_read(wb_shared_memory_t memory, uint64_t offset, void *dst, size_t len);
/** \brief Copies `len` bytes from `src` (the caller's) to `offset`, like
 *  ::wb_shared_memory_read. Any thread.
 *  \return ::WB_ERR_OUT_OF_BOUNDS, ::WB_ERR_INVALID_ARGUMENT, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_shared_memory_write(wb_shared_memory_t memory, uint64_t offset, const void *src, size_t len);

/* ------------------------------------------------------------------------ */
/** \name WASI preview1 */

/** \brief Where a WASI program's stdout or stderr goes. */
typedef enum wb_stdio_mode {
  WB_STDIO_DISCARD,  /**< default: dropped */
  WB_STDIO_INHERIT,  /**< the host process's own stream */
  WB_STDIO_FILE,     /**< a host file, created or truncated */
  WB_STDIO_CAPTURE   /**< a buffer, read with ::wb_store_wasi_output */
} wb_stdio_mode_t;

/** \brief Creates an empty WASI configuration (no args, env, stdin or
 *  directories; output discarded). The calling thread becomes its only user;
 *  it deletes it with ::wb_wasi_config_delete.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_NO_MEMORY. */
wb_status_t wb_wasi_config_new(wb_wasi_config_t *out);
/** \brief Deletes a WASI configuration (stores given a context from it keep
 *  theirs). Creator thread. Null is a no-op.
 *  \return ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_wasi_config_delete(wb_wasi_config_t config);
/** \brief Sets argv (argv[0] is the program name); copied. Creator thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL argv with argc > 0 or too many;
 *  ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_wasi_config_set_args(wb_wasi_config_t config, const char *const *argv, size_t argc);
/** \brief Sets the environment to exactly these NAME=value pairs (`count`
 *  of each); copied. Creator thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL arrays, an empty name or one
 *  with '='; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_wasi_config_set_env(wb_wasi_config_t config, const char *const *names, const char *const *values,
                                   size_t count);
/** \brief Gives the program these `len` bytes as stdin (copied); default:
 *  empty. Creator thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL bytes with len > 0 or over 4 GiB;
 *  ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_wasi_config_set_stdin(wb_wasi_config_t config, const uint8_t *bytes, size_t len);
/** \brief Routes stdout; `path` (copied) is the host file for ::WB_STDIO_FILE,
 *  else NULL. Creator thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for a bad mode or path;
 *  ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_wasi_config_set_stdout(wb_wasi_config_t config, wb_stdio_mode_t mode, const char *path);
/** \brief Routes stderr, like ::wb_wasi_config_set_stdout. Creator thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT, ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_wasi_config_set_stderr(wb_wasi_config_t config, wb_stdio_mode_t mode, const char *path);
/** \brief Gives the program the host directory `host_path` as `guest_path`
 *  (both copied), read-only or not. Creator thread.
 *  \return ::WB_ERR_IO when the host directory cannot be opened (checked when
 *  the configuration is applied to a store); ::WB_ERR_INVALID_ARGUMENT for
 *  NULL paths; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_wasi_config_preopen_dir(wb_wasi_config_t config, const char *host_path, const char *guest_path,
                                       bool read_only);

/**
 * \brief Gives the store a WASI context built from the configuration (which
 * stays the caller's, reusable). The store's owner thread, which must also
 * be the configuration's creator. Replaces the store's previous WASI context
 * and its captured output.
 * \return ::WB_ERR_IO when a preopened directory or an output file cannot be
 *         opened; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_store_set_wasi(wb_store_t store, wb_wasi_config_t config);

/**
 * \brief Copies what the store's WASI program wrote so far to a
 * ::WB_STDIO_CAPTURE stream. The store's owner thread.
 * \param store the store.
 * \param fd 1 (stdout) or 2 (stderr).
 * \param out receives bytes the caller owns (::wb_bytes_dispose).
 * \return ::WB_ERR_INVALID_ARGUMENT for another fd, a stream that is not
 *         captured or NULL out; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_store_wasi_output(wb_store_t store, int fd, wb_bytes_t *out);

/* ------------------------------------------------------------------------ */
/** \name Limits and deadlines (each leaves the store usable after it fires) */

/** \brief The newest version of ::wb_store_limits_t (1: 0.2.0). */
#define WB_STORE_LIMITS_VERSION 1

/** \brief Per-store resource limits; 0 means no limit. Fill it with
 *  ::wb_store_limits_init (or #WB_STORE_LIMITS_INIT), then set what you need. */
typedef struct wb_store_limits {
  uint32_t version;         /**< set by ::wb_store_limits_init; leave it */
  uint64_t memory_bytes;    /**< largest size of any one linear memory */
  uint64_t table_elements;  /**< largest size of any one table */
  uint64_t instances;       /**< instances in the store */
  uint64_t tables;          /**< tables in the store */
  uint64_t memories;        /**< memories in the store */
} wb_store_limits_t;

/** \brief A ::wb_store_limits_t with no limits, for initialising a variable. */
#define WB_STORE_LIMITS_INIT {WB_STORE_LIMITS_VERSION, 0, 0, 0, 0, 0}

/** \brief Fills `out` with no limits for the given version of the struct
 *  (pass #WB_STORE_LIMITS_VERSION). Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL or an unknown version. */
wb_status_t wb_store_limits_init(wb_store_limits_t *out, uint32_t version);

/**
 * \brief Sets the store's limits (`*limits` is read, not retained). Owner
 * thread. Guest growth past them fails as wasm expects (memory.grow returns
 * -1); host-side creation or growth gets ::WB_ERR_LIMIT.
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL limits or an unknown version;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_store_set_limits(wb_store_t store, const wb_store_limits_t *limits);

/**
 * \brief Gives every later call into this store's wasm at most `ms`
 * milliseconds; 0 removes the limit. Owner thread. A call that runs out
 * returns ::WB_ERR_INTERRUPTED (trap code ::WB_TRAP_INTERRUPT). Needs
 * epoch_interruption (the default). Resolution: about 1 ms.
 *
 * The first timeout or deadline in the process starts the library's one
 * timer thread, "wb-ticker"; it ticks once a millisecond while any store has
 * a timeout or deadline and sleeps otherwise.
 * \return ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_store_set_call_timeout(wb_store_t store, uint64_t ms);

/**
 * \brief Sets a deadline `ms` milliseconds from now for the store as a whole:
 * calls running or started after it return ::WB_ERR_INTERRUPTED; 0 removes
 * it. Owner thread.
 * \return ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_store_set_deadline(wb_store_t store, uint64_t ms);

/* ------------------------------------------------------------------------ */
/** \name Worker pools: any thread calls, each worker owns its store
 *
 * A pool runs a template's functions on worker threads, each of which owns
 * one store and instance that no other thread ever touches. Any thread may
 * submit calls; results come back through futures or blocking calls. An
 * instance is recycled (a fresh store and instance) after a configurable
 * number of calls, and always after a trap, an interrupt, a timeout or
 * exhausted fuel, so the next call never sees the state a failure left.
 */

/** \brief The newest version of ::wb_pool_config_t (1: 0.1.0). */
#define WB_POOL_CONFIG_VERSION 1

/** \brief Pool configuration; fill it with ::wb_pool_config_init. */
typedef struct wb_pool_config {
  uint32_t version;             /**< set by ::wb_pool_config_init; leave it */
  uint32_t workers;             /**< worker threads; default 2, at most 256 */
  uint32_t queue_capacity;      /**< queued calls before submit pushes back; default 1024 */
  uint64_t call_timeout_ms;     /**< per call; 0 = none (default) */
  uint64_t fuel_per_call;       /**< 0 = no fuel (default); needs an engine with consume_fuel */
  uint64_t memory_limit_bytes;  /**< per store; 0 = none (default) */
  uint64_t recycle_after_calls; /**< fresh instance after this many calls; 0 = only after failures */
} wb_pool_config_t;

/** \brief Fills `out` with the defaults of the given version of the struct
 *  (pass #WB_POOL_CONFIG_VERSION). Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL or an unknown version. */
wb_status_t wb_pool_config_init(wb_pool_config_t *out, uint32_t version);

/**
 * \brief Starts a pool whose workers instantiate `tmpl` (made with `engine`).
 * Any thread. Each worker creates its store and instance before this returns,
 * so an instantiation failure (for example a trapping start function) is
 * reported here.
 * \param engine the engine of the template's modules.
 * \param tmpl the template the workers instantiate (the pool holds a reference).
 * \param config NULL for the defaults; not retained.
 * \param out receives the pool; delete it with ::wb_pool_delete.
 * \return ::WB_ERR_INVALID_ARGUMENT for a bad configuration; the
 *         instantiation's status when a worker cannot instantiate;
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_pool_new(wb_engine_t engine, wb_template_t tmpl, const wb_pool_config_t *config, wb_pool_t *out);

/** \brief Resolves an exported function's name (not retained) to an index
 *  for the *_index calls (faster than by name). Any thread.
 *  \return ::WB_ERR_NOT_FOUND; ::WB_ERR_INVALID_ARGUMENT; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_pool_func_index(wb_pool_t pool, const char *name, uint32_t *out);

/**
 * \brief Runs `name` on a worker and waits for it. Any thread (also several at
 * once). Argument kinds are checked here; `results` is written on ::WB_OK. Blocks
 * while the queue is full. The status is the call's (traps etc. carry their
 * message and trap code to this thread); ::WB_ERR_INTERRUPTED when the pool
 * is cancelled; ::WB_ERR_BUSY when it is shut down. `args` and `results` are
 * the caller's (values cross by value).
 * \return the call's status; ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH,
 *         ::WB_ERR_INTERRUPTED, ::WB_ERR_BUSY, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_pool_call(wb_pool_t pool, const char *name, const wb_val_t *args, size_t nargs, wb_val_t *results,
                         size_t nresults);

/** \brief ::wb_pool_call by index from ::wb_pool_func_index. Any thread.
 *  \return as ::wb_pool_call; ::WB_ERR_NOT_FOUND for an index out of range. */
wb_status_t wb_pool_call_index(wb_pool_t pool, uint32_t func_index, const wb_val_t *args, size_t nargs,
                               wb_val_t *results, size_t nresults);

/**
 * \brief Queues a call and returns at once with a future. Any thread.
 * \param pool the pool.
 * \param func_index from ::wb_pool_func_index.
 * \param args,nargs the arguments (copied; their kinds are checked here).
 * \param block true: wait while the queue is full; false: a full queue is
 *        ::WB_ERR_BUSY.
 * \param out receives the future; the caller owns it and deletes it with
 *        ::wb_future_delete (also before it completes: the call still runs
 *        and its result is dropped).
 * \return ::WB_ERR_BUSY (full queue without block, or shut down);
 *         ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_NOT_FOUND, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_pool_submit(wb_pool_t pool, uint32_t func_index, const wb_val_t *args, size_t nargs, bool block,
                           wb_future_t *out);

/**
 * \brief Waits up to `timeout_ms` (UINT64_MAX: forever) for the call to
 * complete. Any thread. Returns the call's status, with `results` (exactly
 * the function's result count) written on ::WB_OK, the call's message in
 * ::wb_last_error and its trap code in ::wb_last_trap_code.
 * \return ::WB_ERR_TIMEOUT when the time ran out first (the future stays valid).
 */
wb_status_t wb_future_wait(wb_future_t future, uint64_t timeout_ms, wb_val_t *results, size_t nresults);

/** \brief Sets `*done` to whether the call has completed. Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL done; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_future_poll(wb_future_t future, bool *done);

/**
 * \brief Cancels the call: a queued one completes with ::WB_ERR_INTERRUPTED
 * without running; a running one is interrupted (its worker's instance is
 * then recycled). A completed call is left as it is. Any thread.
 * \return ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_future_cancel(wb_future_t future);

/** \brief Deletes a future (the call still completes). Any thread; the null
 *  handle is a no-op. \return ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_future_delete(wb_future_t future);

/** \brief How ::wb_pool_shutdown ends a pool's work. */
typedef enum wb_shutdown_mode {
  WB_SHUTDOWN_DRAIN, /**< run everything queued, refuse new work */
  WB_SHUTDOWN_CANCEL /**< interrupt running calls, complete queued ones with
                          ::WB_ERR_INTERRUPTED without running them */
} wb_shutdown_mode_t;

/**
 * \brief Stops the pool and waits for its workers to finish. Any thread but
 * the pool's own workers (::WB_ERR_BUSY from a host function of the pool).
 * Every call ever submitted completes exactly once. Later submits get
 * ::WB_ERR_BUSY. Shutting down twice is harmless.
 * \return ::WB_ERR_BUSY from the pool's own workers; ::WB_ERR_INVALID_ARGUMENT
 *         for a bad mode; ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_pool_shutdown(wb_pool_t pool, wb_shutdown_mode_t mode);

/** \brief Shuts the pool down (cancelling) if needed and deletes it. Any
 *  thread but its workers. The null handle is a no-op.
 *  \return ::WB_ERR_BUSY from the pool's own workers; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_pool_delete(wb_pool_t pool);

/** \brief The newest version of ::wb_pool_stats_t (1: 0.2.0). */
#define WB_POOL_STATS_VERSION 1

/** \brief A pool's counters. Set `version` before ::wb_pool_stats_get
 *  (#WB_POOL_STATS_INIT does); the library fills the fields of that version. */
typedef struct wb_pool_stats {
  uint32_t version;             /**< #WB_POOL_STATS_VERSION, set by the caller */
  uint64_t submitted;           /**< calls submitted, ever */
  uint64_t completed;           /**< with ::WB_OK */
  uint64_t failed;              /**< with any other status */
  uint64_t failed_by_status[32];/**< indexed by ::wb_status_t */
  uint64_t recycled;            /**< instances replaced by fresh ones */
  uint64_t queue_depth;         /**< queued now */
  uint64_t queue_high_water;    /**< the most ever queued at once */
  uint64_t busy_ns;             /**< time workers spent running calls, summed */
  uint32_t workers;             /**< worker threads */
} wb_pool_stats_t;

/** \brief An empty ::wb_pool_stats_t of this header's version. */
#define WB_POOL_STATS_INIT {WB_POOL_STATS_VERSION, 0, 0, 0, {0}, 0, 0, 0, 0, 0}

/** \brief Reads the pool's counters into `out`, whose `version` the caller
 *  set. Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL or an unknown version;
 *  ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_pool_stats_get(wb_pool_t pool, wb_pool_stats_t *out);

/* ------------------------------------------------------------------------ */
/** \name Statistics */

/** \brief Live handles and events since the library was loaded.
 *
 * A handle counts as live from its creation until it is deleted (or its
 * store is). A deleted engine or module may stay in memory a little longer,
 * until in-flight users on other threads finish; it no longer counts.
 *
 * Set `version` before ::wb_stats_get (#WB_STATS_INIT does); the library
 * fills the fields of that version. */
typedef struct wb_stats {
  uint32_t version;             /**< #WB_STATS_VERSION, set by the caller */
  uint64_t live_engines;        /**< engines not yet deleted */
  uint64_t live_modules;        /**< modules not yet deleted */
  uint64_t live_stores;         /**< stores not yet deleted (orphans included) */
  uint64_t live_instances;      /**< instances in live stores */
  uint64_t live_funcs;          /**< function handles in live stores */
  uint64_t live_memories;       /**< memory handles in live stores */
  uint64_t live_globals;        /**< global handles in live stores */
  uint64_t live_linkers;        /**< linkers not yet deleted */
  uint64_t live_templates;      /**< templates not yet deleted */
  uint64_t live_pools;          /**< pools not yet deleted */
  uint64_t live_futures;        /**< futures not yet deleted */
  uint64_t live_handles;        /**< all kinds together */
  uint64_t orphaned_stores;     /**< orphans now (not yet adopted or deleted) */
  uint64_t orphans_total;       /**< stores ever orphaned by a thread exit */
  uint64_t wrong_thread_refusals; /**< calls refused with ::WB_ERR_WRONG_THREAD, ever */
  uint64_t traps;               /**< calls that trapped, ever */
  uint64_t interrupts;          /**< calls interrupted (interrupt, timeout, deadline), ever */
} wb_stats_t;

/** \brief The newest version of ::wb_stats_t (1: 0.2.0). */
#define WB_STATS_VERSION 1
/** \brief An empty ::wb_stats_t of this header's version. */
#define WB_STATS_INIT {WB_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** \brief Reads the statistics into `out`, whose `version` the caller set.
 *  Any thread; counters are read one by one.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL or an unknown version. */
wb_status_t wb_stats_get(wb_stats_t *out);

/* ------------------------------------------------------------------------ */
/** \name Logging */

/** \brief Severity of a log message. */
typedef enum wb_log_level {
  WB_LOG_DEBUG, /**< details for debugging the library */
  WB_LOG_INFO,  /**< normal events worth knowing */
  WB_LOG_WARN,  /**< misuse the library refused or repaired (orphaned stores, wrong threads) */
  WB_LOG_ERROR  /**< a bug in wasmbound (internal errors) */
} wb_log_level_t;

/**
 * \brief Receives the library's log messages.
 *
 * Called on whichever thread the event happens (a thread that exits owning
 * stores, a thread refused for using another's store, a thread that hit an
 * internal error), possibly on several threads at once. `message` is valid
 * only during the call. The callback must not call wasmbound: every call
 * that reaches a handle or creates an object is refused with ::WB_ERR_BUSY
 * (those that touch no object, such as ::wb_status_name, ::wb_last_error or
 * the *_config_init functions, work), and messages raised while it runs on
 * the same thread are dropped.
 */
typedef void (*wb_log_callback_t)(void *user, wb_log_level_t level, const char *message);

/**
 * \brief Installs the log callback (NULL removes it) and the least severe
 * level it receives. Any thread; takes effect for messages raised after it
 * returns. Logged: orphaned stores (WARN), refused cross-thread uses (WARN),
 * internal errors (ERROR). `user` is passed to every call and stays the
 * caller's. Once this returns, a callback it replaced or removed is not
 * running and never runs again (its `user` may be freed).
 * \return ::WB_ERR_INVALID_ARGUMENT for a bad level; ::WB_ERR_BUSY from inside
 *         the log callback.
 */
wb_status_t wb_set_log_callback(wb_log_callback_t callback, void *user, wb_log_level_t min_level);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WASMBOUND_H */
