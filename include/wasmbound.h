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
 * | instance, func, memory, global, table, ref | the owner thread of their store |
 * | caller                      | its store's owner thread, during the callback |
 * | linker, WASI configuration  | only the thread that created it            |
 * | pool, future                | any thread, concurrently                   |
 * | component, component template, component pool | any thread, concurrently |
 * | component linker            | only the thread that created it            |
 * | component instance, component func, resource | the owner thread of their store |
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
 * - 0.2.0: the whole of core wasm: references (::wb_ref_t; ::WB_ANYREF,
 *   ::WB_EXNREF and ::WB_CONTREF appended to ::wb_valkind_t), tables,
 *   host-made memories, globals, tables and functions, full types of every
 *   import, export, function, global, table and memory (::wb_valtype_t;
 *   ::wb_extern_list_t gained `version`, lengths and `detail`), export
 *   enumeration and lookups by names with U+0000, ::WB_ERR_EXCEPTION for
 *   a wasm exception that reaches the host. Types come from wasmbound's
 *   own reading of the module, so that no type makes the process abort.
 *   Mismatched import limits are ::WB_ERR_LINK (0.1.0 said ::WB_ERR_LIMIT).
 * - 0.2.0: components and WASI 0.2 (see the component section):
 *   components, component linkers with host functions and resources,
 *   component templates and pools, component values (::wb_cval_t).
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
#define WASMBOUND_VERSION_MINOR 3
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
/** \brief A compiled component (component model). Any thread. */
typedef struct wb_component { uint64_t id; } wb_component_t;
/** \brief A component pre-linked with a component linker's definitions, for
 *  cheap repeated instantiation. Any thread. */
typedef struct wb_component_template { uint64_t id; } wb_component_template_t;
/** \brief A component linker (builder). Its creator thread only. */
typedef struct wb_component_linker { uint64_t id; } wb_component_linker_t;
/** \brief A component instance in a store. The store's owner thread only. */
typedef struct wb_component_instance { uint64_t id; } wb_component_instance_t;
/** \brief An exported function of a component instance. The store's owner thread only. */
typedef struct wb_component_func { uint64_t id; } wb_component_func_t;
/** \brief A resource (`own` or `borrow`) held by the host in a store. The
 *  store's owner thread only. */
typedef struct wb_resource { uint64_t id; } wb_resource_t;
/** \brief A pool of worker threads that run a component template's
 *  functions for any thread. Any thread. */
typedef struct wb_component_pool { uint64_t id; } wb_component_pool_t;
/** \brief A function checked once against a signature (::wb_func_typed),
 *  for ::wb_typed_call. The store's owner thread only. */
typedef struct wb_typed_func { uint64_t id; } wb_typed_func_t;
/** \brief A table in a store. The store's owner thread only. */
typedef struct wb_table { uint64_t id; } wb_table_t;
/**
 * \brief A reference (externref, anyref and its subtypes, exnref) that the
 * host holds: it keeps the referenced object alive (rooted) until
 * ::wb_ref_delete or the store's deletion. The store's owner thread only.
 * Funcrefs are ::wb_func_t, not ::wb_ref_t.
 */
typedef struct wb_ref { uint64_t id; } wb_ref_t;

/* ------------------------------------------------------------------------ */
/** \name Values */

/** \brief The kind of a wasm value. */
typedef enum wb_valkind {
  WB_I32,       /**< 32-bit integer: `of.i32` */
  WB_I64,       /**< 64-bit integer: `of.i64` */
  WB_F32,       /**< 32-bit float: `of.f32` */
  WB_F64,       /**< 64-bit float: `of.f64` */
  WB_V128,      /**< 128-bit vector: `of.v128` */
  WB_FUNCREF,   /**< `of.funcref` (any function reference, typed ones too);
                     the null handle is the null funcref */
  WB_EXTERNREF, /**< `of.ref`, an externref (::wb_externref_new); id 0 is null */
  WB_ANYREF,    /**< `of.ref`, a reference of the `any` hierarchy: anyref, eqref,
                     i31ref, structref, arrayref, concrete struct and array
                     types, nullref; id 0 is null */
  WB_EXNREF,    /**< `of.ref`, an exception reference; id 0 is null. Wasmtime
                     39's C API cannot pass non-null exnrefs: calls whose values
                     would carry one are refused with ::WB_ERR_TYPE_MISMATCH */
  WB_CONTREF    /**< in types only (stack switching's continuation references):
                     the C API of Wasmtime 39 cannot pass their values, so
                     functions, globals and tables of such types are refused
                     with ::WB_ERR_TYPE_MISMATCH */
} wb_valkind_t;

/**
 * \brief A wasm value: a kind and its payload.
 *
 * A funcref is a ::wb_func_t and a reference of any other kind a ::wb_ref_t,
 * of the same store as the call, global or table it is passed to; one of
 * another store, or a deleted one, is refused before Wasmtime sees it.
 *
 * Ownership: a value the library writes (a call's result, a global's or a
 * table element's value) that holds a ::wb_ref_t holds a new handle that the
 * caller owns: delete it with ::wb_ref_delete when done, or it lives (and
 * keeps its object alive) until the store is deleted. Funcref handles are
 * the store's (the same function always gives the same handle) and need no
 * deleting. Values passed in are borrowed.
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
    wb_ref_t ref;      /**< ::WB_EXTERNREF, ::WB_ANYREF, ::WB_EXNREF */
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

/** \brief Why wasm trapped; see ::wb_last_trap_code. Codes 1 to 25 are
 *  Wasmtime 39's trap codes plus one (its Rust enum, which the comments of
 *  its C header label wrongly from 20 on); 100 and above are wasmbound's. */
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
  WB_TRAP_UNHANDLED_TAG,                 /**< stack switching: a suspend to a tag nothing handles */
  WB_TRAP_CONTINUATION_ALREADY_CONSUMED, /**< stack switching: a continuation resumed twice */
  WB_TRAP_DISABLED_OPCODE,               /**< an opcode disabled at compile time (Pulley) */
  WB_TRAP_ASYNC_DEADLOCK,                /**< component model async: no further progress possible */
  WB_TRAP_CANNOT_LEAVE_COMPONENT,        /**< a component called out when it may not (e.g. in post-return) */
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
  bool wasm_exceptions;          /**< exception handling (exnref, try_table); default false.
                                      Wasmtime 39's C API has no switch for the legacy
                                      exception proposal (try/catch/rethrow), which
                                      therefore stays off */
  bool wasm_relaxed_simd;        /**< default true; needs wasm_simd (off when that is off;
                                      in version 1 it followed wasm_simd) */
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
  WB_EXTERN_OTHER,  /**< a kind wasmbound does not model (none in Wasmtime 39's wasm) */
  WB_EXTERN_TAG     /**< an exception tag; described, but not reachable through
                         the C API of Wasmtime 39 (lookups give ::WB_ERR_TYPE_MISMATCH) */
} wb_externkind_t;

/** \brief The heap type of a reference type. */
typedef enum wb_heaptype {
  WB_HEAP_NONE_GIVEN = 0, /**< not a reference type */
  WB_HEAP_FUNC,      /**< func */
  WB_HEAP_NOFUNC,    /**< nofunc (the bottom of the func hierarchy) */
  WB_HEAP_EXTERN,    /**< extern */
  WB_HEAP_NOEXTERN,  /**< noextern */
  WB_HEAP_ANY,       /**< any */
  WB_HEAP_EQ,        /**< eq */
  WB_HEAP_I31,       /**< i31 */
  WB_HEAP_STRUCT,    /**< struct */
  WB_HEAP_ARRAY,     /**< array */
  WB_HEAP_NONE,      /**< none (the bottom of the any hierarchy) */
  WB_HEAP_EXN,       /**< exn */
  WB_HEAP_NOEXN,     /**< noexn */
  WB_HEAP_CONT,      /**< cont (stack switching) */
  WB_HEAP_NOCONT,    /**< nocont */
  WB_HEAP_CONCRETE_FUNC,   /**< a function type of the module: `type_index` */
  WB_HEAP_CONCRETE_STRUCT, /**< a struct type of the module: `type_index` */
  WB_HEAP_CONCRETE_ARRAY,  /**< an array type of the module: `type_index` */
  WB_HEAP_CONCRETE_CONT    /**< a continuation type of the module: `type_index` */
} wb_heaptype_t;

/**
 * \brief A value type, in full. Eight bytes whose layout never changes
 * (arrays of it are part of the ABI): new heap types add enum values only.
 */
typedef struct wb_valtype {
  uint8_t kind;        /**< a ::wb_valkind_t: the value's kind in ::wb_val_t (for
                            references, its hierarchy: ::WB_FUNCREF,
                            ::WB_EXTERNREF, ::WB_ANYREF, ::WB_EXNREF) */
  uint8_t nullable;    /**< references: 1 when null is a value of the type */
  uint8_t heap;        /**< references: a ::wb_heaptype_t; 0 otherwise */
  uint8_t reserved;    /**< 0 */
  uint32_t type_index; /**< concrete heap types: the index in the module's type
                            section (of the module that defines the type) */
} wb_valtype_t;

/** \brief A function or tag type: parameters and results. The arrays belong
 *  to whatever the type was read from (see each function). */
typedef struct wb_functype {
  const wb_valtype_t *params;  /**< `nparams` parameter types */
  size_t nparams;              /**< the number of parameters */
  const wb_valtype_t *results; /**< `nresults` result types */
  size_t nresults;             /**< the number of results */
} wb_functype_t;

/** \brief A global's type. */
typedef struct wb_globaltype {
  wb_valtype_t content; /**< the value type */
  bool is_mutable;      /**< `(mut ...)` */
} wb_globaltype_t;

/** \brief A table's type. */
typedef struct wb_tabletype {
  wb_valtype_t element; /**< a reference type */
  uint64_t min;         /**< elements */
  uint64_t max;         /**< elements; meaningful when has_max */
  bool has_max;         /**< the table has a maximum */
  bool is64;            /**< indexed by i64 (memory64 proposal) */
} wb_tabletype_t;

/** \brief A linear memory's type. */
typedef struct wb_memorytype {
  uint64_t min;           /**< pages */
  uint64_t max;           /**< pages; meaningful when has_max */
  bool has_max;           /**< the memory has a maximum */
  bool is64;              /**< memory64 */
  bool shared;            /**< threads: a shared memory */
  uint8_t page_size_log2; /**< 16 for 64 KiB pages, 0 for 1-byte pages
                               (custom-page-sizes) */
} wb_memorytype_t;

/**
 * \brief An import's or export's type, in full. Library-owned (reached
 * through ::wb_extern_desc_t::detail): future versions append fields.
 */
typedef struct wb_externtype {
  wb_externkind_t kind;   /**< which of the members below applies */
  wb_functype_t func;     /**< ::WB_EXTERN_FUNC and ::WB_EXTERN_TAG */
  wb_globaltype_t global; /**< ::WB_EXTERN_GLOBAL */
  wb_tabletype_t table;   /**< ::WB_EXTERN_TABLE */
  wb_memorytype_t memory; /**< ::WB_EXTERN_MEMORY */
} wb_externtype_t;

/**
 * \brief One import or export of a module. The strings are NUL-terminated
 * and also have lengths, because a wasm name may contain U+0000.
 */
typedef struct wb_extern_desc {
  const char *module;     /**< imports: the module name; exports: NULL */
  const char *name;       /**< the field name */
  wb_externkind_t kind;   /**< its kind */
  const char *type;       /**< the type as WAT-like text, e.g.
                               "(func (param i32 i32) (result i32))" */
  size_t module_len;      /**< bytes in `module` (0 for exports) */
  size_t name_len;        /**< bytes in `name` */
  const wb_externtype_t *detail; /**< the full type; owned by the list */
} wb_extern_desc_t;

/** \brief The newest version of ::wb_extern_list_t (1: 0.2.0). */
#define WB_EXTERN_LIST_VERSION 1

/** \brief A list of imports or exports. The caller sets `version`
 *  (#WB_EXTERN_LIST_INIT does); the library fills the rest, and the caller
 *  frees it with ::wb_extern_list_dispose. */
typedef struct wb_extern_list {
  uint32_t version;         /**< #WB_EXTERN_LIST_VERSION, set by the caller */
  wb_extern_desc_t *items;  /**< `count` items, in declaration order */
  size_t count;             /**< the number of items */
} wb_extern_list_t;

/** \brief An empty list of this header's version. */
#define WB_EXTERN_LIST_INIT {WB_EXTERN_LIST_VERSION, NULL, 0}

/**
 * \brief Lists a module's imports (in declaration order) with their full
 * types, for every module Wasmtime accepts (reference types of every kind
 * and tags included). Any thread.
 *
 * The types come from wasmbound's own reading of the module's binary, kept
 * with the module, not from Wasmtime 39's C API (which aborts the process
 * on GC and typed-function reference types, on tags and on 64-bit table
 * limits). A module loaded with ::wb_module_deserialize has them when its
 * bytes came from ::wb_module_serialize.
 * \param module the module.
 * \param out a list whose `version` is set; receives items the caller owns
 *        (free them with ::wb_extern_list_dispose).
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL, an unknown list version, or a
 *         module whose types are unknown (deserialized from bytes without
 *         them); ::WB_ERR_INVALID_HANDLE for a bad module.
 */
wb_status_t wb_module_imports(wb_module_t module, wb_extern_list_t *out);

/** \brief Lists a module's exports, like ::wb_module_imports. Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_module_exports(wb_module_t module, wb_extern_list_t *out);

/** \brief Frees the items of a list from ::wb_module_imports or
 *  ::wb_module_exports and zeroes `items` and `count` (keeping `version`).
 *  NULL and an already disposed list are harmless. Any thread. */
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
 * The bytes end with the module's types (its type-bearing sections, a few
 * hundred bytes usually) and a trailer that says so, so that
 * ::wb_module_deserialize gives a module that can be described; Wasmtime's
 * own bytes are the rest.
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
 * ::WB_ERR_COMPILE. Bytes without wasmbound's trailer (Wasmtime's own) load,
 * but the module's types are unknown: introspection is refused and, with
 * exceptions on, so are its instances' export lookups.
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
 * \brief Lets a store go from any thread: deletes it now when the calling
 * thread may (::wb_store_delete's rules), and otherwise, when another thread
 * owns it or it is inside one of its own calls, deletes it later. It is then
 * deleted when its owner thread next calls ::wb_store_new,
 * ::wb_store_delete or ::wb_store_abandon, or, once that thread has exited,
 * by any thread at those calls; until then ::wb_stats_t::abandoned_stores
 * counts it, and the log callback is told (WARN). Every handle of the store
 * must be treated as deleted from this call on. For destructors that may run
 * on the wrong thread (wasmbound.hh's Store uses it). The null handle is a
 * no-op.
 * \return ::WB_ERR_INVALID_HANDLE for a forged, deleted or wrong-kind handle.
 */
wb_status_t wb_store_abandon(wb_store_t store);

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
 *         the start function fails (::WB_ERR_EXCEPTION when it throws);
 *         ::WB_ERR_INVALID_ARGUMENT when the module comes from another
 *         engine; ::WB_ERR_LIMIT when a store limit refuses it, or the module
 *         defines a table of more than 2^32 elements (2^24 for continuation
 *         tables), which Wasmtime 39 cannot allocate and may abort on.
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
/** \brief Looks up an exported table, like ::wb_instance_get_func (the same
 *  thread rule, ownership and statuses). Owner thread of the store. The
 *  handle has the table's declared type (::wb_table_type).
 *  \return ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_INVALID_ARGUMENT. */
wb_status_t wb_instance_get_table(wb_instance_t instance, const char *name, wb_table_t *out);

/** \brief An extern of a store: a function, global, table or memory handle
 *  with its kind. */
typedef struct wb_extern {
  wb_externkind_t kind; /**< ::WB_EXTERN_FUNC, _GLOBAL, _TABLE or _MEMORY */
  /** \brief The handle of that kind. */
  union {
    wb_func_t func;     /**< ::WB_EXTERN_FUNC */
    wb_global_t global; /**< ::WB_EXTERN_GLOBAL */
    wb_table_t table;   /**< ::WB_EXTERN_TABLE */
    wb_memory_t memory; /**< ::WB_EXTERN_MEMORY */
  } of;
} wb_extern_t;

/**
 * \brief Looks up an export of any kind by a name of `name_len` bytes, which
 * may contain U+0000 (any valid UTF-8). Owner thread of the store.
 *
 * The handle has the export's declared type (::wb_func_type,
 * ::wb_global_type, ::wb_table_type), whatever reference types it has.
 * \param instance the instance (its store's owner thread must call).
 * \param name `name_len` bytes, not necessarily NUL-terminated; not retained.
 * \param name_len the length of `name` in bytes, at most 65535.
 * \param out receives the export's handle (the store's: the same export
 *        always gives the same handle; it lives until the store is deleted).
 * \return ::WB_ERR_NOT_FOUND; ::WB_ERR_TYPE_MISMATCH for an export that
 *         Wasmtime 39's C API cannot hand out (a tag, whose lookup would
 *         abort the process: refused before Wasmtime is asked; a shared
 *         memory the module defines itself: define the instance into a
 *         linker to share it); ::WB_ERR_INVALID_ARGUMENT for invalid UTF-8,
 *         a name longer than 65535 bytes or NULL pointers;
 *         ::WB_ERR_TYPE_MISMATCH also for any lookup in an instance of a
 *         module whose types are unknown (deserialized from bytes without
 *         them) in an engine with exceptions or stack switching on (a tag
 *         could abort); ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_instance_get_export(wb_instance_t instance, const char *name, size_t name_len, wb_extern_t *out);

/** \brief One export of an instance, from ::wb_instance_exports. */
typedef struct wb_export {
  const char *name;  /**< NUL-terminated; owned by the list */
  size_t name_len;   /**< bytes in `name` (it may contain U+0000) */
  wb_extern_t item;  /**< its handle; kind ::WB_EXTERN_TAG for a tag and
                          ::WB_EXTERN_OTHER for a shared memory the module
                          defines, both without a handle (id 0) */
} wb_export_t;

/** \brief The newest version of ::wb_export_list_t (1: 0.2.0). */
#define WB_EXPORT_LIST_VERSION 1

/** \brief An instance's exports; the caller sets `version`
 *  (#WB_EXPORT_LIST_INIT) and frees the items with ::wb_export_list_dispose. */
typedef struct wb_export_list {
  uint32_t version;    /**< #WB_EXPORT_LIST_VERSION, set by the caller */
  wb_export_t *items;  /**< `count` exports in the module's order */
  size_t count;        /**< the number of exports */
} wb_export_list_t;

/** \brief An empty list of this header's version. */
#define WB_EXPORT_LIST_INIT {WB_EXPORT_LIST_VERSION, NULL, 0}

/**
 * \brief Enumerates an instance's exports with their handles, without the
 * module. Owner thread of the store. The handles are the store's; the list
 * (names, array) is the caller's: free it with ::wb_export_list_dispose.
 * \param instance the instance (its store's owner thread must call).
 * \param out a list whose `version` is set (#WB_EXPORT_LIST_INIT); written
 *        only on ::WB_OK.
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL or an unknown list version;
 *         ::WB_ERR_TYPE_MISMATCH for an instance of a module whose types are
 *         unknown, in an engine with exceptions (or stack switching) on (a
 *         tag could abort); ::WB_ERR_NO_MEMORY; ::WB_ERR_INVALID_HANDLE,
 *         ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_instance_exports(wb_instance_t instance, wb_export_list_t *out);

/** \brief Frees the items of an export list and zeroes them. NULL and a
 *  disposed list are harmless. Any thread. */
void wb_export_list_dispose(wb_export_list_t *list);

/* ------------------------------------------------------------------------ */
/** \name Calls, memory, globals (the hot paths: no Go, no locks) */

/**
 * \brief Calls a function. Owner thread of its store.
 *
 * The argument kinds and counts must match the function's type exactly.
 * `results` is written only on ::WB_OK. `args` (`nargs` values) and
 * `results` (room for `nresults`) are the caller's.
 *
 * References: arguments are borrowed; a ::wb_ref_t among the results is a
 * new handle the caller owns (::wb_ref_delete), a funcref the store's
 * handle. wasmbound checks every reference argument's kind, store, handle
 * and nullability; where a parameter's type needs a subtype check (eqref,
 * i31ref, a typed funcref, a concrete struct...) Wasmtime's checked call
 * path checks it too. Wasmtime 39's C API cannot hold a non-null exnref:
 * exnref arguments must be null, and a call that returns a non-null one
 * ran but fails with ::WB_ERR_TYPE_MISMATCH. A function whose type mixes
 * exnrefs with parameters that need subtype checks, or has continuation
 * references, is refused before it runs (::WB_ERR_TYPE_MISMATCH, saying
 * why), as is a function reference of unknown type (see ::wb_func_type)
 * in a store whose modules use exception references.
 * \return ::WB_ERR_TYPE_MISMATCH (count, kind, type, null for a
 *         non-nullable parameter); ::WB_ERR_INVALID_ARGUMENT (NULL
 *         args/results with a non-zero count, a reference of another
 *         store); ::WB_ERR_INVALID_HANDLE (a deleted reference);
 *         ::WB_ERR_TRAP / ::WB_ERR_OUT_OF_FUEL / ::WB_ERR_INTERRUPTED (see
 *         ::wb_last_trap_code; the store stays usable); ::WB_ERR_EXCEPTION
 *         when a wasm exception reaches the host (trap code
 *         ::WB_TRAP_EXCEPTION; the store stays usable);
 *         ::WB_ERR_NATIVE_STACK when this thread's stack is too small for
 *         the engine's max_wasm_stack.
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
 * \brief Reads a function's full type. Owner thread of its store.
 *
 * A function reached through an export has its declared type. One reached
 * through a reference (a table element, a call's result, a global) has the
 * type of that reference when it names a function type; else, in a store
 * whose modules use only funcref and externref references (or an engine
 * without GC, function references, exceptions and stack switching), the
 * type Wasmtime reports; else its type cannot be learned through
 * Wasmtime 39's C API (without aborting) and only its counts are known.
 * \param func the function.
 * \param params,results arrays of at least ::wb_func_arity's counts
 *        (nparams/nresults say how many the caller has room for); written
 *        only on ::WB_OK.
 * \param nparams,nresults the room in them.
 * \return ::WB_ERR_INVALID_ARGUMENT when an array is too small or NULL with
 *         room > 0; ::WB_ERR_TYPE_MISMATCH when the type is not known;
 *         ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_func_type(wb_func_t func, wb_valtype_t *params, size_t nparams, wb_valtype_t *results,
                         size_t nresults);

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

/**
 * \brief A value of a typed call: the bits of one number or vector, in the
 * width of its kind. Sixteen bytes, laid out as Wasmtime's raw values, so
 * that a typed call passes the caller's array to Wasmtime as it is.
 */
typedef union wb_raw {
  int32_t i32;      /**< ::WB_I32 */
  int64_t i64;      /**< ::WB_I64 */
  float f32;        /**< ::WB_F32 */
  double f64;       /**< ::WB_F64 */
  uint8_t v128[16]; /**< ::WB_V128: little-endian lane bytes */
} wb_raw_t;

/**
 * \brief Checks a function once against a signature of numbers and vectors,
 * for ::wb_typed_call. The owner thread of its store.
 *
 * The typed handle lives as long as the function (its store); asking again
 * for the same function gives the same handle.
 * \param func the function.
 * \param params,nparams the parameter kinds (::WB_I32, ::WB_I64, ::WB_F32,
 *        ::WB_F64, ::WB_V128; not retained); NULL with 0.
 * \param results,nresults the result kinds, likewise.
 * \param out receives the typed function, owned by the store.
 * \return ::WB_ERR_TYPE_MISMATCH when the function's type is not exactly
 *         that (the message names both types), or for a kind that is not a
 *         number or vector (call those with ::wb_func_call);
 *         ::WB_ERR_INVALID_ARGUMENT for NULL pointers, or a store of an
 *         engine with async_support; ::WB_ERR_INVALID_HANDLE,
 *         ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_func_typed(wb_func_t func, const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                          size_t nresults, wb_typed_func_t *out);

/**
 * \brief Calls a typed function with raw values in place: `vals` holds the
 * arguments on entry and the results on ::WB_OK. The owner thread of its
 * store.
 *
 * The fastest call: per call only the handle, the owner thread, the native
 * stack and a pending interrupt or time limit are checked; the kinds were
 * checked by ::wb_func_typed, once. Traps, interrupts, fuel and the native
 * stack behave as for ::wb_func_call.
 * \param func the typed function.
 * \param vals at least max(nparams, nresults) values (the caller's); the
 *        arguments in order, overwritten by the results. NULL when the
 *        function takes and returns nothing.
 * \param nvals the room in `vals`.
 * \return ::WB_ERR_INVALID_ARGUMENT when `vals` is too short or NULL;
 *         ::WB_ERR_TRAP / ::WB_ERR_OUT_OF_FUEL / ::WB_ERR_INTERRUPTED (see
 *         ::wb_last_trap_code; the store stays usable);
 *         ::WB_ERR_NATIVE_STACK; ::WB_ERR_INVALID_HANDLE,
 *         ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_typed_call(wb_typed_func_t func, wb_raw_t *vals, size_t nvals);

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

/**
 * \brief Reads a global's value into `out`. Owner thread. A ::wb_ref_t in
 * `out` is a new handle the caller owns.
 * \return ::WB_ERR_TYPE_MISMATCH for a global of exnref or contref (null or
 *         not: Wasmtime 39's C API aborts on such values).
 */
wb_status_t wb_global_get(wb_global_t global, wb_val_t *out);

/** \brief Reads a global's type (as ::wb_func_type says when it is known).
 *  Owner thread. ::WB_ERR_TYPE_MISMATCH when it is not. */
wb_status_t wb_global_type(wb_global_t global, wb_globaltype_t *out);

/**
 * \brief Sets a mutable global. Owner thread. `value` is borrowed.
 * \return ::WB_ERR_TYPE_MISMATCH for an immutable global, a value of
 *         another kind or type (Wasmtime checks subtypes), or a global of
 *         exnref or contref; ::WB_ERR_INVALID_ARGUMENT for NULL value or a
 *         reference of another store; ::WB_ERR_INVALID_HANDLE,
 *         ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_global_set(wb_global_t global, const wb_val_t *value);

/** \brief Reads a memory's type (its current size is ::wb_memory_size).
 *  Owner thread of its store. `out` is the caller's.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE,
 *  ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_memory_type(wb_memory_t memory, wb_memorytype_t *out);

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

/** \brief Deletes a linker: its creator thread, or any thread once the
 *  creator exited. Templates made from it stay valid. The null handle is a
 *  no-op.
 *  \return ::WB_ERR_WRONG_THREAD from another thread while the creator
 *  lives; ::WB_ERR_INVALID_HANDLE for a deleted or forged handle. */
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
 * \param params,results the kinds: numbers, ::WB_V128, ::WB_FUNCREF and
 *        ::WB_EXTERNREF (nullable funcref and externref; Wasmtime 39's C API
 *        cannot make host functions of other reference types); NULL with
 *        count 0. A ::wb_ref_t among the callback's `args` is valid during the
 *        callback only (::wb_ref_clone keeps it); a ::wb_ref_t the callback
 *        writes into `results` stays the callback's.
 * \param nparams,nresults their counts.
 * \param callback the function (see ::wb_host_callback_t for its thread).
 * \param env passed to every call; ownership passes to the linker when
 *        `finalizer` is non-NULL: it is called once, when no linker, template
 *        or store holds the function any more (also when this call fails).
 * \param finalizer frees `env`; NULL when the caller keeps it (it must then
 *        outlive every linker, template and store holding the function).
 * \return ::WB_ERR_LINK for a duplicate name without shadowing;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL or invalid names, a NULL
 *         callback, a NULL array with a non-zero count, more than 1000
 *         kinds, or a kind a host function cannot have;
 *         ::WB_ERR_NO_MEMORY; ::WB_ERR_WRONG_THREAD,
 *         ::WB_ERR_INVALID_HANDLE. On every failure the finalizer has run.
 */
wb_status_t wb_linker_define_func(wb_linker_t linker, const char *module, const char *name,
                                  const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                                  size_t nresults, wb_host_callback_t callback, void *env,
                                  wb_finalizer_t finalizer);

/**
 * \brief A typed host function (::wb_linker_define_func_typed): the
 * values in place, as raw bits.
 *
 * Runs on the owner thread of the store whose wasm calls it, like a
 * ::wb_host_callback_t, with the same rules for `caller`, re-entrancy,
 * `env` and failures. `vals` holds the arguments on entry, in the
 * declared kinds, and receives the results (`vals[0]` the first): write
 * each in its declared kind's member. `nvals` is max(nparams, nresults);
 * when it is 0, `vals` may be any pointer and is not to be used. `vals`
 * is wasmbound's, valid during the callback only: do not keep it.
 */
typedef wb_status_t (*wb_typed_host_callback_t)(void *env, wb_caller_t caller, wb_raw_t *vals, size_t nvals);

/**
 * \brief Defines a typed host function as `module`.`name`: the fastest
 * host call, for numbers and vectors. Creator thread.
 *
 * Like ::wb_linker_define_func, but the callback gets Wasmtime's raw
 * values in place, without a ::wb_val_t per value and without kinds to
 * compare or copy (the kinds are checked once, here, and by Wasmtime when
 * a module imports the function). What each call still pays for: finding
 * the calling store, a ::wb_caller_t that dies with the callback, and a
 * failure turned into a trap with the callback's message.
 * \param linker the linker.
 * \param module,name the import's names (NUL-terminated UTF-8; copied).
 * \param params,results the kinds: ::WB_I32, ::WB_I64, ::WB_F32, ::WB_F64
 *        and ::WB_V128 (define functions of references with
 *        ::wb_linker_define_func); NULL with count 0. Copied.
 * \param nparams,nresults their counts (at most 1000 each).
 * \param callback the function (see ::wb_typed_host_callback_t); not NULL.
 * \param env passed to every call; ownership passes to the linker when
 *        `finalizer` is non-NULL, as for ::wb_linker_define_func (it also
 *        runs when this call fails).
 * \param finalizer frees `env`; NULL when the caller keeps it.
 * \return ::WB_ERR_LINK for a duplicate name without shadowing;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL or invalid names, a NULL
 *         callback, a NULL array with a non-zero count, more than 1000
 *         kinds, or a kind that is not a number or ::WB_V128;
 *         ::WB_ERR_NO_MEMORY; ::WB_ERR_WRONG_THREAD (not the linker's
 *         creator), ::WB_ERR_INVALID_HANDLE. On every failure the
 *         finalizer has run.
 */
wb_status_t wb_linker_define_func_typed(wb_linker_t linker, const char *module, const char *name,
                                        const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                                        size_t nresults, wb_typed_host_callback_t callback, void *env,
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

/**
 * \brief Defines an extern of a store (an export of an instance, or a
 * host-made memory, global, table or function) as `module`.`name`, names of
 * the given byte lengths (any valid UTF-8, U+0000 included).
 *
 * The linker's creator thread, which must also own the extern's store. As
 * with ::wb_linker_define_instance, the linker then holds objects of that
 * store: it can instantiate only into that store and cannot make templates.
 * \param linker the linker (the calling thread must have created it).
 * \param module,name not retained (the linker copies them); need not be
 *        NUL-terminated.
 * \param module_len,name_len their lengths in bytes, at most 65535 each.
 * \param item borrowed: the handle stays the store's.
 * \return ::WB_ERR_LINK for a duplicate name without shadowing;
 *         ::WB_ERR_INVALID_HANDLE for a bad handle in `item` (of its
 *         `kind`); ::WB_ERR_WRONG_THREAD when the calling thread did not
 *         create the linker or does not own the item's store;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL pointers, invalid UTF-8, names
 *         longer than 65535 bytes, a `kind` that is not a function, global,
 *         table or memory, or an item of another engine than the linker's,
 *         or of another store than the one whose objects the linker already
 *         holds.
 */
wb_status_t wb_linker_define_extern(wb_linker_t linker, const char *module, size_t module_len, const char *name,
                                    size_t name_len, const wb_extern_t *item);

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
 * \return ::WB_ERR_LINK naming the import, its expected and found types
 *         (a missing import, one of another kind or type, or limits that do
 *         not match: "expected memory limits (min: 2, ...) doesn't match
 *         provided memory limits (...)"); ::WB_ERR_LIMIT when a store limit
 *         refuses the instance, or for a table Wasmtime cannot allocate (as
 *         ::wb_instance_new); ::WB_ERR_EXCEPTION when the start function
 *         throws; ::WB_ERR_TRAP etc. when it fails otherwise;
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
/** \brief Like ::wb_caller_get_memory, for a table. The store's owner
 *  thread, during the callback; `out` is a handle owned by the store.
 *  \return ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_INVALID_ARGUMENT
 *  as for ::wb_instance_get_func; ::WB_ERR_INVALID_HANDLE after the callback. */
wb_status_t wb_caller_get_table(wb_caller_t caller, const char *name, wb_table_t *out);
/**
 * \brief Like ::wb_instance_get_export, for the calling instance. The store's
 * owner thread, during the callback.
 *
 * Which of the store's instances calls is not known to the host function,
 * and Wasmtime 39's C API aborts when a lookup finds a tag: so a name that
 * any instance of the store exports as a tag is refused
 * (::WB_ERR_TYPE_MISMATCH), even when the caller's export of that name is
 * something else. The handle gets its declared type from the instance that
 * exports that very object.
 * \return the statuses of ::wb_instance_get_export; ::WB_ERR_INVALID_HANDLE
 *         after the callback.
 */
wb_status_t wb_caller_get_export(wb_caller_t caller, const char *name, size_t name_len, wb_extern_t *out);

/* ------------------------------------------------------------------------ */
/** \name References and tables
 *
 * References other than funcrefs reach the host as ::wb_ref_t handles that
 * root their object in the store: it stays alive while the host holds the
 * handle (and while wasm holds the reference). Delete a handle with
 * ::wb_ref_delete when done; every one left is dropped with its store. A
 * reference of another store, or a deleted one, is refused with
 * ::WB_ERR_INVALID_HANDLE (deleted) or ::WB_ERR_INVALID_ARGUMENT (another
 * store) before Wasmtime sees it (Wasmtime would abort the process).
 *
 * Every function here takes store-bound handles: the store's owner thread
 * only (::WB_ERR_WRONG_THREAD otherwise), and never from the log callback.
 * In a store of an engine with async_support, Wasmtime 39's C API aborts
 * on externref creation, collection, its checked call path and
 * instantiation: those are refused there with ::WB_ERR_INVALID_ARGUMENT.
 */

/**
 * \brief Makes an externref that carries the host pointer `data`. Owner
 * thread of the store.
 *
 * The same pointer comes back out of every externref value made from it.
 * `finalizer(data)` (may be NULL) runs exactly once, when neither wasm nor
 * the host holds the reference any more: after the last handle is deleted
 * and Wasmtime's collector finds no wasm reference (::wb_store_gc, or
 * Wasmtime's own collections), at the latest when the store is deleted. It
 * runs on the thread that collects or deletes the store, possibly inside a
 * call into wasm, and must not call wasmbound. When this function fails,
 * `finalizer(data)` has run (ownership of `data` was passed in).
 * \param store the store (the calling thread must own it).
 * \param data not dereferenced by wasmbound.
 * \param finalizer called once with `data` as described above; NULL when
 *        `data` needs no freeing.
 * \param out receives a reference the caller owns (::wb_ref_delete).
 * \return ::WB_ERR_NO_MEMORY when Wasmtime's GC heap is full;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL `out` or an async store;
 *         ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD (the finalizer has
 *         run for these too).
 */
wb_status_t wb_externref_new(wb_store_t store, void *data, wb_finalizer_t finalizer, wb_ref_t *out);

/**
 * \brief The host pointer an externref carries (the `data` of
 * ::wb_externref_new, NULL included). Owner thread of the store.
 * \param ref the reference.
 * \param out receives the pointer (still owned by whoever made it).
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE
 *         for the null handle or a deleted one; ::WB_ERR_WRONG_THREAD;
 *         when the pointer is NULL in an engine with wasm_gc, the statuses
 *         of the internal module's run (see ::wb_ref_internalize);
 *         ::WB_ERR_TYPE_MISMATCH when `ref` is not an externref (an anyref
 *         made by `any.convert_extern` is not: ::wb_ref_externalize it
 *         first), or is one that wasm made from an i31ref, struct or array
 *         with `extern.convert_any` (it carries no host pointer; telling it
 *         from the host's own NULL runs the internal module, see
 *         ::wb_ref_internalize).
 */
wb_status_t wb_externref_data(wb_ref_t ref, void **out);

/**
 * \brief Makes an i31ref of the low 31 bits of `value`. Owner thread of the
 * store.
 * \param store the store (the calling thread must own it).
 * \param value the payload; bit 31 is dropped.
 * \param out receives a reference the caller owns (::wb_ref_delete).
 * \return ::WB_ERR_INVALID_ARGUMENT when the engine has wasm_gc off, or for
 *         NULL out; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_i31ref_new(wb_store_t store, uint32_t value, wb_ref_t *out);

/** \brief Reads an i31ref, sign-extended from 31 bits when `sign_extend`.
 *  Owner thread. ::WB_ERR_TYPE_MISMATCH when `ref` is not an i31ref. */
wb_status_t wb_i31ref_get(wb_ref_t ref, bool sign_extend, int32_t *out);

/** \brief What a reference is, for ::wb_ref_kind. */
typedef enum wb_refkind {
  WB_REFKIND_EXTERN, /**< an externref */
  WB_REFKIND_I31,    /**< an i31ref */
  WB_REFKIND_STRUCT, /**< a GC struct */
  WB_REFKIND_ARRAY,  /**< a GC array */
  WB_REFKIND_ANY,    /**< another anyref: an externref converted with `any.convert_extern`
                          (::wb_ref_internalize) */
  WB_REFKIND_EXN     /**< an exception reference (Wasmtime 39's C API cannot hold one:
                          never reported by this version) */
} wb_refkind_t;

/**
 * \brief Tests what a (non-null) reference is. Owner thread. Telling a
 * struct, an array and an internalized externref apart runs the internal
 * module (see ::wb_ref_internalize); an i31ref and an externref need not.
 * \return ::WB_ERR_INVALID_HANDLE for the null handle (it is no object).
 */
wb_status_t wb_ref_kind(wb_ref_t ref, wb_refkind_t *out);

/**
 * \brief Whether two references are the same object (wasm's `ref.eq` for
 * eqrefs: i31refs of the same value are equal; the same externref for
 * externrefs); references of different kinds (an externref and an anyref)
 * are not. Owner thread; both of the same store
 * (::WB_ERR_INVALID_ARGUMENT otherwise). Null handles (id 0) are equal to
 * each other only.
 */
wb_status_t wb_ref_eq(wb_ref_t a, wb_ref_t b, bool *out);

/** \brief Drops the host's hold on a reference now (instead of at store
 *  deletion); the handle is invalid afterwards. Owner thread of the store.
 *  The null handle is a no-op (::WB_OK). An externref's finalizer does not
 *  run here but at the next collection (::wb_store_gc) that finds no wasm
 *  reference to it, or when the store is deleted.
 *  \return ::WB_ERR_INVALID_HANDLE for a deleted or forged handle;
 *  ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_ref_delete(wb_ref_t ref);

/**
 * \brief Makes a second handle to the same reference (a second root), for
 * instance to keep a reference a host function received: the ::wb_ref_t
 * values in a host callback's `args` are valid only during the callback.
 * Owner thread of the store.
 * \param ref the reference to clone (not the null handle).
 * \param out receives a handle the caller owns (::wb_ref_delete).
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE
 *         for the null handle or a deleted one; ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_ref_clone(wb_ref_t ref, wb_ref_t *out);

/**
 * \brief wasm's `any.convert_extern`: the anyref that an externref becomes
 * inside wasm (kind ::WB_REFKIND_ANY), so that the host can pass it where an
 * anyref is expected. Owner thread; needs an engine with wasm_gc.
 *
 * Wasmtime 39's C API has no such conversion: wasmbound runs it in a small
 * internal module, instantiated in the store the first time a function that
 * needs it is called (::wb_ref_internalize, ::wb_ref_externalize,
 * ::wb_ref_kind of an anyref, ::wb_externref_data of a NULL pointer). That
 * instance counts against the store's instance limit (::wb_store_limits_t),
 * its calls against the store's fuel, and it stops, like any call, when the
 * store is interrupted or past its deadline (those statuses are returned).
 * \param store the store of `externref` (the calling thread must own it).
 * \param externref an externref, or the null handle (giving the null anyref).
 * \param out receives a handle the caller owns (::wb_ref_delete); id 0 for null.
 * \return ::WB_ERR_TYPE_MISMATCH when `externref` is not an externref;
 *         ::WB_ERR_INVALID_ARGUMENT when the engine has wasm_gc off (or is
 *         async), for NULL out or a reference of another store;
 *         ::WB_ERR_LIMIT when the store's instance limit refuses the
 *         internal module; ::WB_ERR_INTERRUPTED, ::WB_ERR_OUT_OF_FUEL,
 *         ::WB_ERR_NATIVE_STACK as for a call; ::WB_ERR_INVALID_HANDLE (a
 *         deleted reference), ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_ref_internalize(wb_store_t store, wb_ref_t externref, wb_ref_t *out);

/** \brief wasm's `extern.convert_any`: the externref an anyref becomes (the
 *  original externref for one ::wb_ref_internalize made; the null handle
 *  gives the null handle). Owner thread of the store. `out` receives a
 *  handle the caller owns (::wb_ref_delete).
 *  \return the statuses of ::wb_ref_internalize (the same internal
 *  module), with ::WB_ERR_TYPE_MISMATCH when `anyref` is not an anyref. */
wb_status_t wb_ref_externalize(wb_store_t store, wb_ref_t anyref, wb_ref_t *out);

/**
 * \brief Runs Wasmtime's garbage collector in the store now. Owner thread.
 * Externrefs that neither wasm nor the host holds any more are dropped, and
 * their finalizers run, on this thread, before it returns.
 * \return ::WB_ERR_INVALID_ARGUMENT in an async store.
 */
wb_status_t wb_store_gc(wb_store_t store);

/**
 * \brief Creates a table in the store, every element `init` (borrowed; a
 * null reference of the element type when NULL). Owner thread of the store.
 * \param store the store (the calling thread must own it).
 * \param type read, not retained. The element type must be one Wasmtime
 *        39's C API can make: a nullable funcref or externref, and 32-bit
 *        limits (anything else: ::WB_ERR_TYPE_MISMATCH, saying so).
 * \param init the initial value of every element (a funcref or externref
 *        of this store, or null), or NULL for null.
 * \param out receives the table (the store's; it lives until the store is
 *        deleted).
 * \return ::WB_ERR_LIMIT when a store limit refuses it;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL type or out, limits that are
 *         not 32-bit or min above max, or an `init` of another store;
 *         ::WB_ERR_TYPE_MISMATCH for an unsupported element type, a 64-bit
 *         table, or an `init` of another kind; ::WB_ERR_INVALID_HANDLE (also
 *         a deleted reference in `init`), ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_table_new(wb_store_t store, const wb_tabletype_t *type, const wb_val_t *init, wb_table_t *out);

/**
 * \brief Reads a table's type: its element type, its current size as `min`,
 * its maximum (the declared one for a 64-bit table). Owner thread.
 * \return ::WB_ERR_TYPE_MISMATCH for a table of unknown type (one reached
 *         only through a host function's caller, whose module types do not
 *         say which it is).
 */
wb_status_t wb_table_type(wb_table_t table, wb_tabletype_t *out);

/** \brief Writes the table's size in elements to `out`. Owner thread of
 *  its store.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE,
 *  ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_table_size(wb_table_t table, uint64_t *out);

/**
 * \brief Reads element `index`. Owner thread. A ::wb_ref_t in `out` is a
 * new handle the caller owns; a funcref is the store's.
 * \return ::WB_ERR_OUT_OF_BOUNDS past the end; ::WB_ERR_TYPE_MISMATCH for a
 *         table of exnref or contref (Wasmtime 39's C API aborts on them).
 */
wb_status_t wb_table_get(wb_table_t table, uint64_t index, wb_val_t *out);

/** \brief Writes element `index` (`value` is borrowed). Owner thread.
 *  ::WB_ERR_OUT_OF_BOUNDS past the end; ::WB_ERR_TYPE_MISMATCH for a value
 *  of another type (Wasmtime checks subtypes) or a table of exnref or
 *  contref; ::WB_ERR_INVALID_ARGUMENT for a reference of another store. */
wb_status_t wb_table_set(wb_table_t table, uint64_t index, const wb_val_t *value);

/**
 * \brief Grows a table by `delta` elements set to `init` (borrowed; NULL:
 * null). Owner thread of its store.
 * \param table the table.
 * \param delta how many elements to add.
 * \param init the new elements' value (of this store), or NULL for null.
 * \param previous receives the size before growing; may be NULL.
 * \return ::WB_ERR_LIMIT past the table's maximum or a store limit;
 *         ::WB_ERR_TYPE_MISMATCH for an `init` of another type, or a table
 *         of exnref or contref (or of unknown element type in a store whose
 *         modules use exception references); ::WB_ERR_INVALID_ARGUMENT for
 *         an `init` of another store, or NULL `init` for a table of unknown
 *         element type; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_table_grow(wb_table_t table, uint64_t delta, const wb_val_t *init, uint64_t *previous);

/** \brief Sets `len` elements from `index` to `value` (borrowed). Owner
 *  thread. Wasmtime 39's C API has no table fill: one element at a time,
 *  after the range is checked. ::WB_ERR_OUT_OF_BOUNDS (nothing written) when
 *  the range does not fit; ::WB_ERR_TYPE_MISMATCH as ::wb_table_set. */
wb_status_t wb_table_fill(wb_table_t table, uint64_t index, const wb_val_t *value, uint64_t len);

/**
 * \brief Copies `len` elements of `src` from `src_index` to `dst` at
 * `dst_index`, as wasm's `table.copy` (overlapping ranges are fine). Owner
 * thread; both tables of the same store (::WB_ERR_INVALID_ARGUMENT
 * otherwise). Wasmtime 39's C API has no table copy: one element at a time,
 * after both ranges are checked.
 * \return ::WB_ERR_OUT_OF_BOUNDS (nothing written) when a range does not
 *         fit; ::WB_ERR_TYPE_MISMATCH unless `src`'s element type is
 *         `dst`'s or `dst`'s is the nullable top of the same hierarchy (or
 *         they are the same table).
 */
wb_status_t wb_table_copy(wb_table_t dst, uint64_t dst_index, wb_table_t src, uint64_t src_index, uint64_t len);

/* ------------------------------------------------------------------------ */
/** \name Host-made externs: memories, globals and functions in a store
 *
 * Objects of a store, like its instances' exports: the store's owner thread
 * only, their handles live until the store is deleted, and
 * ::wb_linker_define_extern makes them importable by that store's
 * instances.
 */

/**
 * \brief Creates a linear memory in the store. Owner thread of the store.
 * \param store the store (the calling thread must own it).
 * \param type read, not retained: limits in pages, 64-bit or not, the page
 *        size (custom-page-sizes: 0 or 16); not shared (shared memories
 *        belong to no store: ::wb_shared_memory_new).
 * \param out receives the memory (the store's).
 * \return ::WB_ERR_LIMIT when a store limit refuses it;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL pointers, a type Wasmtime
 *         rejects (min above max, a page size it does not support...) or a
 *         shared one; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_memory_new(wb_store_t store, const wb_memorytype_t *type, wb_memory_t *out);

/**
 * \brief Creates a global of `type` holding `value` (borrowed) in the store.
 * Owner thread of the store.
 * \param store the store (the calling thread must own it).
 * \param type read, not retained: a number, v128, or a nullable funcref or
 *        externref (Wasmtime 39's C API makes no globals of other reference
 *        types: ::WB_ERR_TYPE_MISMATCH).
 * \param value the initial value (borrowed): of the type's kind; a
 *        reference must be of this store.
 * \param out receives the global (the store's).
 * \return ::WB_ERR_TYPE_MISMATCH when the value does not fit the type;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL pointers or a reference of
 *         another store; ::WB_ERR_INVALID_HANDLE (also a deleted reference
 *         in `value`), ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_global_new(wb_store_t store, const wb_globaltype_t *type, const wb_val_t *value, wb_global_t *out);

/**
 * \brief Creates a host function in the store, without a linker. Owner
 * thread of the store. The callback runs as with ::wb_linker_define_func
 * (on the store's owner thread); the function can also be called with
 * ::wb_func_call.
 * \param store the store (the calling thread must own it).
 * \param params,results kinds as for ::wb_linker_define_func (read, not
 *        retained); NULL with count 0.
 * \param nparams,nresults their counts (at most 1000 each).
 * \param callback the function (see ::wb_host_callback_t); not NULL.
 * \param env passed to every call; `finalizer(env)` runs once,
 *        when the store no longer needs the function (at the latest when it
 *        is deleted), also when this call fails.
 * \param finalizer frees `env`; NULL when the caller keeps it (it must then
 *        outlive the store).
 * \param out receives the function (the store's).
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL `callback` or `out`, a NULL
 *         array with a non-zero count, kinds a host function cannot have,
 *         or more than 1000 of them; ::WB_ERR_INVALID_HANDLE,
 *         ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_func_new(wb_store_t store, const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                        size_t nresults, wb_host_callback_t callback, void *env, wb_finalizer_t finalizer,
                        wb_func_t *out);

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
 *  theirs): its creator thread, or any thread once the creator exited.
 *  Null is a no-op.
 *  \return ::WB_ERR_WRONG_THREAD from another thread while the creator
 *  lives; ::WB_ERR_INVALID_HANDLE for a deleted or forged handle. */
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
 * \brief Limits the files and directories a guest may hold open at once in
 * each store the configuration is applied to (default 128; 1 to 1048576).
 * Past it, `path_open` fails with WASI's EMFILE and the host's own
 * descriptors are untouched. Creator thread. A store keeps the limit it
 * was given by ::wb_store_set_wasi.
 * \return ::WB_ERR_INVALID_ARGUMENT for `max` 0 or above 1048576;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_wasi_config_set_max_open_files(wb_wasi_config_t config, uint32_t max);

/**
 * \brief Keeps at most `bytes` of each ::WB_STDIO_CAPTURE stream (default
 * 1 MiB; UINT64_MAX: no limit). Output beyond it is dropped (the guest is
 * told it was written) and counted: see ::wb_store_wasi_output_dropped.
 * Creator thread. A store keeps the limit it was given by
 * ::wb_store_set_wasi.
 * \return ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE (every `bytes` is
 *         accepted).
 */
wb_status_t wb_wasi_config_set_output_limit(wb_wasi_config_t config, uint64_t bytes);

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

/** \brief How many bytes the store's WASI program wrote to a
 *  ::WB_STDIO_CAPTURE stream (`fd` 1 or 2) beyond its output limit, which
 *  were dropped (0: nothing was cut), written to `out`. The store's owner
 *  thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for another fd, a stream that is not
 *  captured or NULL out; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_store_wasi_output_dropped(wb_store_t store, int fd, uint64_t *out);

/* ------------------------------------------------------------------------ */
/** \name Limits and deadlines (each leaves the store usable after it fires) */

/** \brief The newest version of ::wb_store_limits_t (1: 0.2.0). */
#define WB_STORE_LIMITS_VERSION 1

/** \brief Per-store resource limits; 0 means no limit (tables: a default). Fill it with
 *  ::wb_store_limits_init (or #WB_STORE_LIMITS_INIT), then set what you need. */
typedef struct wb_store_limits {
  uint32_t version;         /**< set by ::wb_store_limits_init; leave it */
  uint64_t memory_bytes;    /**< largest size of any one linear memory */
  uint64_t table_elements;  /**< largest size of any one table; 0 (also before any
                                 ::wb_store_set_limits): 10,000,000 elements. Wasmtime 39
                                 aborts the process when it cannot allocate a table's
                                 elements, so no store is without this limit (growth
                                 past it fails as wasm expects: `table.grow` gives -1).
                                 A limit above what the machine can allocate lets a
                                 guest's `table.grow` abort the process */
  uint64_t instances;       /**< instances in the store, counting the internal one that
                                 some reference functions make (see ::wb_ref_internalize) */
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

/** \brief The newest version of ::wb_pool_config_t (1: 0.1.0; 2: 0.3.0,
 *  appended `start_timeout_ms`). */
#define WB_POOL_CONFIG_VERSION 2

/** \brief The default of ::wb_pool_config_t::start_timeout_ms: 10 seconds. */
#define WB_POOL_DEFAULT_START_TIMEOUT_MS 10000

/** \brief Pool configuration; fill it with ::wb_pool_config_init. */
typedef struct wb_pool_config {
  uint32_t version;             /**< set by ::wb_pool_config_init; leave it */
  uint32_t workers;             /**< worker threads; default 2, at most 256 */
  uint32_t queue_capacity;      /**< queued calls before submit pushes back; default 1024 */
  uint64_t call_timeout_ms;     /**< per call; 0 = none (default) */
  uint64_t fuel_per_call;       /**< 0 = no fuel (default); needs an engine with consume_fuel */
  uint64_t memory_limit_bytes;  /**< per store; 0 = none (default) */
  uint64_t recycle_after_calls; /**< fresh instance after this many calls; 0 = only after failures */
  /* version 2 (0.3.0) */
  /** How long one worker's instantiation of the template (its start
   *  function included) may run, at ::wb_pool_new and at every recycling;
   *  1..UINT64_MAX ms, default #WB_POOL_DEFAULT_START_TIMEOUT_MS (also for
   *  version-1 callers). Past it the instantiation stops with
   *  ::WB_ERR_INTERRUPTED. Needs an engine with epoch_interruption (the
   *  default); without it only `fuel_per_call` bounds a start function.
   *  Module pools only: component pools ignore it. */
  uint64_t start_timeout_ms;
} wb_pool_config_t;

/** \brief Fills `out` with the defaults of the given version of the struct
 *  (pass #WB_POOL_CONFIG_VERSION). Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL or an unknown version. */
wb_status_t wb_pool_config_init(wb_pool_config_t *out, uint32_t version);

/**
 * \brief Starts a pool whose workers instantiate `tmpl` (made with `engine`).
 * Any thread. Each worker creates its store and instance before this returns,
 * so an instantiation failure (for example a trapping start function) is
 * reported here. Each instantiation runs under `start_timeout_ms` (a start
 * function that does not end is ::WB_ERR_INTERRUPTED) and with
 * `fuel_per_call`; this returns as soon as one worker fails.
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
 * the caller's (values cross by value). Not from the pool's own workers (a
 * host function of a call the pool runs): the worker could be the one that
 * has to run the call, so that is ::WB_ERR_WRONG_THREAD instead of a deadlock.
 * A thread cancelled (pthread_cancel, deferred) while it waits here leaves
 * the pool intact; the call still runs.
 * \return the call's status; ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH,
 *         ::WB_ERR_INTERRUPTED, ::WB_ERR_BUSY, ::WB_ERR_INVALID_HANDLE;
 *         ::WB_ERR_WRONG_THREAD from one of the pool's own workers.
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
 *        ::WB_ERR_BUSY. A worker of the pool itself never waits for room:
 *        a full queue is ::WB_ERR_WRONG_THREAD there.
 * \param out receives the future; the caller owns it and deletes it with
 *        ::wb_future_delete (also before it completes: the call still runs
 *        and its result is dropped).
 * \return ::WB_ERR_BUSY (full queue without block, or shut down);
 *         ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_NOT_FOUND, ::WB_ERR_INVALID_HANDLE;
 *         ::WB_ERR_WRONG_THREAD (see `block`).
 */
wb_status_t wb_pool_submit(wb_pool_t pool, uint32_t func_index, const wb_val_t *args, size_t nargs, bool block,
                           wb_future_t *out);

/**
 * \brief Waits up to `timeout_ms` (UINT64_MAX: forever) for the call to
 * complete. Any thread. Returns the call's status, with `results` (exactly
 * the function's result count) written on ::WB_OK, the call's message in
 * ::wb_last_error and its trap code in ::wb_last_trap_code. A worker of the
 * future's own pool may only look (`timeout_ms` 0): a longer wait there is
 * ::WB_ERR_WRONG_THREAD, since that worker could be the one to run the call.
 * A thread cancelled while it waits here leaves the future intact.
 * \return ::WB_ERR_TIMEOUT when the time ran out first (the future stays valid);
 *         ::WB_ERR_WRONG_THREAD (see above); ::WB_ERR_TYPE_MISMATCH for a wrong
 *         `nresults`; ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_future_wait(wb_future_t future, uint64_t timeout_ms, wb_val_t *results, size_t nresults);

/**
 * \brief Queues `ncalls` calls of one function at once: one pass through
 * the queue's lock and one wake-up for all of them, all or none. Any thread.
 * \param pool the pool.
 * \param func_index from ::wb_pool_func_index.
 * \param args the arguments, `nargs` per call: call i takes
 *        `args[i * nargs]` .. `args[i * nargs + nargs - 1]` (copied; their
 *        kinds are checked here).
 * \param nargs the function's parameter count.
 * \param ncalls how many calls; 0 does nothing (`out` may then be NULL).
 * \param block true: wait until the queue has room for all of them; false:
 *        ::WB_ERR_BUSY when it has not. A worker of the pool itself never
 *        waits for room (::WB_ERR_WRONG_THREAD).
 * \param out receives `ncalls` futures, in order (the caller deletes each
 *        with ::wb_future_delete); all zero on failure.
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL `out` or `args`, or more calls
 *         than the queue's capacity; ::WB_ERR_BUSY (no room without block, or
 *         shut down); ::WB_ERR_TYPE_MISMATCH, ::WB_ERR_NOT_FOUND;
 *         ::WB_ERR_WRONG_THREAD (see `block`); ::WB_ERR_NO_MEMORY (when the
 *         futures cannot be made, the calls still run);
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_pool_submit_batch(wb_pool_t pool, uint32_t func_index, const wb_val_t *args, size_t nargs,
                                 size_t ncalls, bool block, wb_future_t *out);

/**
 * \brief Called once when a future's call completes (see
 * ::wb_future_on_complete).
 *
 * It runs on the thread that completes the call: the pool's worker, or, for
 * a call cancelled before it ran, the thread that cancelled it
 * (::wb_future_cancel, ::wb_pool_shutdown, ::wb_pool_delete); or on the
 * registering thread when the call had already completed. No lock of the
 * pool is held. It may: read the outcome with ::wb_future_poll or
 * ::wb_future_wait with timeout 0, delete the future, submit without
 * waiting (also to the same pool), write to a pipe or an eventfd, and use
 * the library from any thread as usual. It should return quickly (the
 * worker runs no other call meanwhile) and may not: wait with a non-zero
 * timeout on a future of the same pool, or call ::wb_pool_call on it from a
 * worker (::WB_ERR_WRONG_THREAD: it may run inside a cancel that completes
 * that call only after it returns); shut the pool down or delete it from a
 * worker (::WB_ERR_BUSY); leave by longjmp or thread exit.
 * \param user the pointer given to ::wb_future_on_complete.
 * \param status the call's status (::WB_OK, or why it failed).
 */
typedef void (*wb_future_callback_t)(void *user, wb_status_t status);

/**
 * \brief Registers `callback(user, status)` to run once when the future's
 * call completes; at once, on this thread, when it already has. Once per
 * future. It runs even if the future is deleted before the call completes.
 * Any thread.
 * \param future the future.
 * \param callback the function (see ::wb_future_callback_t for where it runs
 *        and what it may call).
 * \param user passed to the callback, untouched.
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL `callback`; ::WB_ERR_BUSY when
 *         the future already has one; ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_future_on_complete(wb_future_t future, wb_future_callback_t callback, void *user);

/**
 * \brief Gives the pool's completion eventfd (Linux): its counter grows by
 * one each time one of the pool's futures completes (calls made with
 * ::wb_pool_submit or ::wb_pool_submit_batch; not blocking
 * ::wb_pool_call), so it is readable while any completion is unread. An
 * epoll, libuv or asio loop waits on it, reads the 8-byte counter (which
 * resets it) and then polls its futures. Made by the first call;
 * completions before that are not counted. Non-blocking and close-on-exec.
 * The pool owns it: do not close it; take it out of your loop before
 * ::wb_pool_delete, which closes it. Any thread.
 * \param pool the pool.
 * \param fd receives the descriptor (the same one on every call).
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL `fd`; ::WB_ERR_NO_MEMORY when
 *         no eventfd can be made (descriptors exhausted);
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_pool_notify_fd(wb_pool_t pool, int *fd);

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
/** \name Components and WASI 0.2 (the component model)
 *
 * Components (Wasmtime's component model) are compiled, linked,
 * instantiated and called with the same thread rules as core modules:
 *
 * | object | may be used from |
 * |--------|------------------|
 * | ::wb_component_t, ::wb_component_template_t, ::wb_component_pool_t | any thread, concurrently |
 * | ::wb_component_linker_t | its creator thread (a builder) |
 * | ::wb_component_instance_t, ::wb_component_func_t, ::wb_resource_t | the owner thread of their store |
 *
 * **Values.** One tagged type, ::wb_cval_t, carries every component value:
 * bool, s8..u64, f32, f64, char, string, list, record, tuple, variant,
 * enum, option, result, flags, and `own`/`borrow` resources. A string is one
 * UTF-8 buffer (pointer and length) and a `list<u8>` is one byte buffer
 * (::WB_CVAL_BYTES), never one value per element. Records, variants, enums
 * and flags are addressed by position (field, case and flag order of the
 * WIT type); a name, when given, must match.
 *
 * **Ownership: one rule.** Arguments are borrowed: the library reads them
 * during the call and keeps nothing. Results are owned by the caller: a
 * ::wb_cresult_t holds the result and everything it points to, and one call
 * to ::wb_cresult_dispose frees all of it (an arena per call; a scalar
 * result needs none). Resource handles inside a result are the exception:
 * they are store-bound handles that live until ::wb_resource_drop or until
 * their store is deleted. A host function's arguments are borrowed from
 * the library for the length of the callback; its result is read after the
 * callback returns, so it may point to memory from ::wb_component_host_alloc
 * (freed by the library afterwards) or to memory the host keeps longer.
 *
 * **Checked before the guest runs.** Wasmtime aborts the process on invalid
 * UTF-8 and invalid chars, and it type-checks arguments only after it has
 * entered the instance, so that a wrong argument (an unknown flag, case or
 * field, a missing payload, a dropped resource) poisons the instance for
 * good. wasmbound checks every argument against the function's WIT type
 * first: kinds, counts, UTF-8, chars (Unicode scalar values), flag bits,
 * case indexes and names, payloads, record field names, and every resource
 * (live, of this store, of the right type, `own` passed only once). A bad
 * argument is ::WB_ERR_TYPE_MISMATCH or ::WB_ERR_INVALID_ARGUMENT and the
 * instance stays usable. A host function's result is checked the same way
 * before Wasmtime sees it; a bad one traps the guest with a message that
 * says what was wrong. wasmbound runs the function's post-return itself.
 *
 * **Poisoning.** The component model forbids entering an instance again
 * after it trapped. A call that traps (also through a failing host
 * function, an interrupt, exhausted fuel or a WASI exit) returns its status
 * (::WB_ERR_TRAP with a trap code where Wasmtime has one,
 * ::WB_ERR_INTERRUPTED, ::WB_ERR_OUT_OF_FUEL, ::WB_ERR_EXIT), and from then
 * on every call into that instance returns ::WB_ERR_UNUSABLE without
 * entering Wasmtime: make a new instance (the store stays usable). A
 * re-entrant call into an instance that is already running a call is
 * ::WB_ERR_BUSY and poisons nothing.
 *
 * **Templates.** Wasmtime's C API has no component InstancePre. A
 * ::wb_component_template_t is the nearest equivalent that is safe to share:
 * a linker built once from the component linker's definitions and then
 * frozen (Wasmtime's component linker instantiates through `&self`, so any
 * number of threads may instantiate from it at once), the component, and
 * its table of function indexes and WIT types, so that an instance's
 * functions are found without a name lookup. With `pooling_allocator` in
 * the engine configuration instantiation also skips the kernel's memory
 * mapping work. See the README for measurements.
 *
 * **Engines.** Components need `wasm_component_model` (the default) and an
 * engine without `async_support` (Wasmtime's synchronous component calls
 * abort in an async store): such an engine is refused with
 * ::WB_ERR_INVALID_ARGUMENT.
 */

/** \brief The kind of a ::wb_cval_t: one per WIT value type, plus
 *  ::WB_CVAL_BYTES, the one-buffer form of `list<u8>`. */
typedef enum wb_cval_kind {
  WB_CVAL_BOOL,    /**< `of.b` */
  WB_CVAL_S8,      /**< `of.s8` */
  WB_CVAL_U8,      /**< `of.u8` */
  WB_CVAL_S16,     /**< `of.s16` */
  WB_CVAL_U16,     /**< `of.u16` */
  WB_CVAL_S32,     /**< `of.s32` */
  WB_CVAL_U32,     /**< `of.u32` */
  WB_CVAL_S64,     /**< `of.s64` */
  WB_CVAL_U64,     /**< `of.u64` */
  WB_CVAL_F32,     /**< `of.f32` */
  WB_CVAL_F64,     /**< `of.f64` */
  WB_CVAL_CHAR,    /**< `of.ch`: a Unicode scalar value (not a surrogate, at most U+10FFFF) */
  WB_CVAL_STRING,  /**< `of.str`: UTF-8 bytes, not NUL-terminated */
  WB_CVAL_LIST,    /**< `of.list.items`, `of.list.len` */
  WB_CVAL_BYTES,   /**< `list<u8>` as one buffer: `of.bytes` (results of type `list<u8>` use it) */
  WB_CVAL_RECORD,  /**< `of.list`: the fields in WIT order; `of.list.names` optional in arguments */
  WB_CVAL_TUPLE,   /**< `of.list`: the members in order */
  WB_CVAL_VARIANT, /**< `of.choice`: case index (or name) and payload */
  WB_CVAL_ENUM,    /**< `of.choice`: case index (or name), no payload */
  WB_CVAL_OPTION,  /**< `of.choice`: index 0 none, 1 some (with payload) */
  WB_CVAL_RESULT,  /**< `of.choice`: index 0 ok, 1 err; payload when the type has one */
  WB_CVAL_FLAGS,   /**< `of.flags`: bit i is the i-th flag of the type */
  WB_CVAL_OWN,     /**< `of.resource`: an owned resource */
  WB_CVAL_BORROW   /**< `of.resource`: a borrowed resource */
} wb_cval_kind_t;

/**
 * \brief A component value (see the section's notes on ownership).
 *
 * In arguments every pointer is borrowed for the length of the call and
 * may be NULL only together with a length of 0. In results the library
 * fills every field, names included.
 */
typedef struct wb_cval {
  wb_cval_kind_t kind; /**< which member of `of` is set */
  /** \brief The payload, by kind. */
  union {
    bool b;         /**< ::WB_CVAL_BOOL */
    int8_t s8;      /**< ::WB_CVAL_S8 */
    uint8_t u8;     /**< ::WB_CVAL_U8 */
    int16_t s16;    /**< ::WB_CVAL_S16 */
    uint16_t u16;   /**< ::WB_CVAL_U16 */
    int32_t s32;    /**< ::WB_CVAL_S32 */
    uint32_t u32;   /**< ::WB_CVAL_U32 */
    int64_t s64;    /**< ::WB_CVAL_S64 */
    uint64_t u64;   /**< ::WB_CVAL_U64 */
    float f32;      /**< ::WB_CVAL_F32 */
    double f64;     /**< ::WB_CVAL_F64 */
    uint32_t ch;    /**< ::WB_CVAL_CHAR */
    /** \brief ::WB_CVAL_STRING */
    struct {
      const char *data; /**< UTF-8; need not be NUL-terminated (results are not) */
      size_t len;       /**< bytes */
    } str;
    /** \brief ::WB_CVAL_BYTES */
    struct {
      const uint8_t *data; /**< the bytes */
      size_t len;          /**< their count */
    } bytes;
    /** \brief ::WB_CVAL_LIST, ::WB_CVAL_RECORD, ::WB_CVAL_TUPLE */
    struct {
      const struct wb_cval *items; /**< elements, fields or members */
      size_t len;                  /**< how many */
      const char *const *names;    /**< records: field names (NUL-terminated), or NULL
                                        in arguments to go by position; else ignored */
    } list;
    /** \brief ::WB_CVAL_VARIANT, ::WB_CVAL_ENUM, ::WB_CVAL_OPTION, ::WB_CVAL_RESULT */
    struct {
      uint32_t index;                /**< the case (option: 0 none, 1 some; result: 0 ok, 1 err) */
      const char *name;              /**< variants and enums: the case name (NUL-terminated);
                                          in arguments, when not NULL it decides and `index`
                                          is ignored */
      const struct wb_cval *payload; /**< the case's value, or NULL when the case has none */
    } choice;
    uint64_t flags;        /**< ::WB_CVAL_FLAGS */
    wb_resource_t resource; /**< ::WB_CVAL_OWN, ::WB_CVAL_BORROW */
  } of;
} wb_cval_t;

/**
 * \brief The result of a component call, owned by the caller.
 *
 * Free it with ::wb_cresult_dispose (also after a failed call: then it is
 * empty). `reserved` belongs to the library.
 */
typedef struct wb_cresult {
  wb_cval_t value;      /**< the result, when `has_value` */
  bool has_value;       /**< false for a function without a result */
  void *reserved[6];    /**< the library's: what ::wb_cresult_dispose frees */
} wb_cresult_t;

/** \brief An empty ::wb_cresult_t, for initialising a variable. */
#define WB_CRESULT_INIT {{WB_CVAL_BOOL, {false}}, false, {0, 0, 0, 0, 0, 0}}

/** \brief Frees what a result holds and empties it. Any thread (results are
 *  plain memory; resource handles inside stay valid). NULL, an empty and an
 *  already disposed result are harmless. */
void wb_cresult_dispose(wb_cresult_t *result);

/** \brief A bool value. Any thread; never fails. */
wb_cval_t wb_cval_bool(bool v);
/** \brief An s8 value. Any thread; never fails. */
wb_cval_t wb_cval_s8(int8_t v);
/** \brief A u8 value. Any thread; never fails. */
wb_cval_t wb_cval_u8(uint8_t v);
/** \brief An s16 value. Any thread; never fails. */
wb_cval_t wb_cval_s16(int16_t v);
/** \brief A u16 value. Any thread; never fails. */
wb_cval_t wb_cval_u16(uint16_t v);
/** \brief An s32 value. Any thread; never fails. */
wb_cval_t wb_cval_s32(int32_t v);
/** \brief A u32 value. Any thread; never fails. */
wb_cval_t wb_cval_u32(uint32_t v);
/** \brief An s64 value. Any thread; never fails. */
wb_cval_t wb_cval_s64(int64_t v);
/** \brief A u64 value. Any thread; never fails. */
wb_cval_t wb_cval_u64(uint64_t v);
/** \brief An f32 value. Any thread; never fails. */
wb_cval_t wb_cval_f32(float v);
/** \brief An f64 value. Any thread; never fails. */
wb_cval_t wb_cval_f64(double v);
/** \brief A char value (a Unicode scalar value; checked when it is passed).
 *  Any thread; never fails. */
wb_cval_t wb_cval_char(uint32_t v);
/** \brief A string value borrowing the NUL-terminated `s` (NULL: the empty
 *  string). Any thread; never fails. UTF-8 is checked when it is passed. */
wb_cval_t wb_cval_string(const char *s);
/** \brief A string value borrowing `len` bytes at `data`. Any thread; never fails. */
wb_cval_t wb_cval_string_n(const char *data, size_t len);
/** \brief A `list<u8>` value borrowing `len` bytes at `data`. Any thread; never fails. */
wb_cval_t wb_cval_bytes(const uint8_t *data, size_t len);
/** \brief A list borrowing `len` values at `items`. Any thread; never fails. */
wb_cval_t wb_cval_list(const wb_cval_t *items, size_t len);
/** \brief A tuple borrowing `len` values at `items`. Any thread; never fails. */
wb_cval_t wb_cval_tuple(const wb_cval_t *items, size_t len);
/** \brief A record borrowing its `len` fields at `items`, in WIT order;
 *  `names` (borrowed too) may be NULL. Any thread; never fails. */
wb_cval_t wb_cval_record(const wb_cval_t *items, const char *const *names, size_t len);
/** \brief A variant case by name (borrowed, NUL-terminated) with a payload
 *  (borrowed; NULL for a case without one). Any thread; never fails. */
wb_cval_t wb_cval_variant(const char *name, const wb_cval_t *payload);
/** \brief A variant case by index with a payload (borrowed; NULL for a case
 *  without one). Any thread; never fails. */
wb_cval_t wb_cval_variant_index(uint32_t index, const wb_cval_t *payload);
/** \brief An enum case by name (borrowed, NUL-terminated). Any thread; never fails. */
wb_cval_t wb_cval_enum(const char *name);
/** \brief An enum case by index. Any thread; never fails. */
wb_cval_t wb_cval_enum_index(uint32_t index);
/** \brief An option: `some(*payload)` (borrowed), or `none` when `payload`
 *  is NULL. Any thread; never fails. */
wb_cval_t wb_cval_option(const wb_cval_t *payload);
/** \brief A result: `ok` or, when `is_err`, `err`, with a payload (borrowed;
 *  NULL when that side of the type has none). Any thread; never fails. */
wb_cval_t wb_cval_result(bool is_err, const wb_cval_t *payload);
/** \brief A flags value: bit i set means the i-th flag of the type is set.
 *  Any thread; never fails. */
wb_cval_t wb_cval_flags(uint64_t bits);
/** \brief An `own` resource: passing it moves the resource into the callee
 *  (the handle is then used up). Any thread; never fails. */
wb_cval_t wb_cval_own(wb_resource_t resource);
/** \brief A `borrow` of a resource the host holds, for the length of one
 *  call. Any thread; never fails. */
wb_cval_t wb_cval_borrow(wb_resource_t resource);

/** \brief The kind of an item a component imports or exports. */
typedef enum wb_citem_kind {
  WB_CITEM_FUNC,      /**< a component function */
  WB_CITEM_INSTANCE,  /**< an instance (a WIT interface); its members are listed after it */
  WB_CITEM_RESOURCE,  /**< a resource type */
  WB_CITEM_TYPE,      /**< a named value type */
  WB_CITEM_MODULE,    /**< a core module */
  WB_CITEM_COMPONENT, /**< a nested component */
  WB_CITEM_CORE_FUNC  /**< a core function */
} wb_citem_kind_t;

/** \brief One import or export of a component. Strings are NUL-terminated. */
typedef struct wb_citem_desc {
  const char *path;     /**< "add", "ns:pkg/iface@1.0.0", or a member of an
                             instance: "ns:pkg/iface@1.0.0#name" */
  wb_citem_kind_t kind; /**< what it is */
  const char *type;     /**< its WIT type as text, e.g.
                             "func(a: u32, b: u32) -> u32" or "resource" */
} wb_citem_desc_t;

/** \brief A list of component items, owned by the caller. */
typedef struct wb_citem_list {
  wb_citem_desc_t *items; /**< the items, instance members after their instance */
  size_t count;           /**< how many */
} wb_citem_list_t;

/** \brief Frees a list from ::wb_component_imports or ::wb_component_exports
 *  and zeroes it. NULL and a zeroed list are harmless. Any thread. */
void wb_citem_list_dispose(wb_citem_list_t *list);

/**
 * \brief Compiles a component from a component binary or component text
 * (`(component ...)`). Any thread.
 *
 * \param engine the engine to compile for (any thread may share it).
 * \param bytes the binary, or the text (UTF-8, no NUL needed); not retained.
 * \param len the length of `bytes`: 1 byte to 1 GiB.
 * \param out receives the component; the caller owns it and deletes it with
 *        ::wb_component_delete.
 * \return ::WB_ERR_COMPILE with Wasmtime's message for invalid input (a core
 *         module is invalid here); ::WB_ERR_INVALID_ARGUMENT for NULL
 *         pointers, len 0 or over 1 GiB, or an engine without the component
 *         model or with async_support; ::WB_ERR_INVALID_HANDLE for a bad engine.
 */
wb_status_t wb_component_new(wb_engine_t engine, const uint8_t *bytes, size_t len, wb_component_t *out);

/** \brief Validates a component binary or text, like ::wb_component_new
 *  without keeping it (Wasmtime validates by compiling). Any thread.
 *  `bytes` (`len` of them) are not retained.
 *  \return ::WB_OK, or ::WB_ERR_COMPILE with the reason;
 *  ::WB_ERR_INVALID_ARGUMENT and ::WB_ERR_INVALID_HANDLE as for
 *  ::wb_component_new. */
wb_status_t wb_component_validate(wb_engine_t engine, const uint8_t *bytes, size_t len);

/** \brief Deletes the caller's reference to a component. Any thread.
 *  Instances, templates and pools made from it are not affected. The null
 *  handle is a no-op. \return ::WB_ERR_INVALID_HANDLE for a bad handle. */
wb_status_t wb_component_delete(wb_component_t component);

/** \brief Serializes a compiled component (native code), for
 *  ::wb_component_deserialize with an engine configured the same way. Any
 *  thread.
 *  \param component the component.
 *  \param out receives bytes the caller owns (::wb_bytes_dispose).
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE;
 *  ::WB_ERR_INTERNAL when Wasmtime cannot serialize it; ::WB_ERR_NO_MEMORY. */
wb_status_t wb_component_serialize(wb_component_t component, wb_bytes_t *out);

/**
 * \brief Loads a component from ::wb_component_serialize's bytes. Any thread.
 * \warning TRUSTED INPUT ONLY: the bytes are native code and are not
 * validated. Bytes of another Wasmtime version or configuration are refused
 * with ::WB_ERR_COMPILE.
 * \param engine the engine, configured as the one that serialized them.
 * \param bytes the serialized component; not retained.
 * \param len the length of `bytes`: 1 byte to 1 GiB.
 * \param out receives the component; the caller owns it
 *        (::wb_component_delete).
 * \return ::WB_ERR_COMPILE for bytes Wasmtime refuses;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL pointers, len 0 or over 1 GiB,
 *         or an engine without the component model or with async_support;
 *         ::WB_ERR_INVALID_HANDLE for a bad engine.
 */
wb_status_t wb_component_deserialize(wb_engine_t engine, const uint8_t *bytes, size_t len, wb_component_t *out);

/** \brief Lists a component's imports with their WIT types (instances
 *  followed by their members). Any thread.
 *  \param component the component.
 *  \param out receives a list the caller owns (::wb_citem_list_dispose);
 *         `items` is NULL when `count` is 0.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE;
 *  ::WB_ERR_NO_MEMORY. */
wb_status_t wb_component_imports(wb_component_t component, wb_citem_list_t *out);

/** \brief Lists a component's exports, like ::wb_component_imports (the
 *  same ownership). Any thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE;
 *  ::WB_ERR_NO_MEMORY. */
wb_status_t wb_component_exports(wb_component_t component, wb_citem_list_t *out);

/**
 * \brief Resolves an exported function's path to an index, valid for every
 * instance of the component (in any store, from any template or pool made
 * from it). Any thread. Asking again with the same path gives the same
 * index.
 *
 * \param component the component.
 * \param path "name" for a function the component exports itself;
 *        "iface#name" for a function of an exported instance, where a
 *        versioned interface also matches a semver-compatible version
 *        ("wasi:cli/run@0.2.0#run" finds "wasi:cli/run@0.2.12#run").
 * \param out receives the index.
 * \return ::WB_ERR_NOT_FOUND when there is no such export;
 *         ::WB_ERR_TYPE_MISMATCH when it is not a function, or uses a type
 *         wasmbound cannot pass (future, stream, error-context);
 *         ::WB_ERR_INVALID_ARGUMENT for a NULL or invalid path or NULL out;
 *         ::WB_ERR_LIMIT past 65,536 indexes for one component;
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_func_index(wb_component_t component, const char *path, uint32_t *out);

/**
 * \brief A host function of a component linker.
 *
 * Runs on the owner thread of the store whose guest calls it. `args`
 * (borrowed until the callback returns) have the import's parameter types;
 * an `own` argument is a resource handle the host now owns, a `borrow` one
 * a handle valid only during the callback. `result` is NULL when the import
 * has no result; otherwise write the result into it. It is checked against
 * the import's type after the callback returns, so nested memory it points
 * to must outlive the callback: use ::wb_component_host_alloc. `store` is
 * the calling store (for ::wb_resource_new, ::wb_component_host_alloc and
 * calls into other instances of it).
 *
 * Return ::WB_OK, or any other status to trap the guest with this thread's
 * last error as the message (the calling instance is then unusable, as
 * after any trap). `env` is shared by every store and thread that runs the
 * function through templates and pools: make it immutable or thread-safe.
 */
typedef wb_status_t (*wb_component_host_callback_t)(void *env, wb_store_t store, const wb_cval_t *args,
                                                    size_t nargs, wb_cval_t *result);

/**
 * \brief Destroys a host resource: called exactly once per resource made
 * with ::wb_resource_new, on the owner thread of its store, when the last
 * owner drops it (the guest, ::wb_resource_drop, or deleting the store).
 * It must not call wasmbound functions on that store.
 */
typedef void (*wb_resource_destructor_t)(void *env, void *user);

/** \brief Creates a component linker for the engine's components. Any
 *  thread; the calling thread becomes its only user (a builder); templates
 *  made from it are shareable.
 *  \param engine the engine (the linker keeps a reference to it).
 *  \param out receives it; the caller deletes it with
 *         ::wb_component_linker_delete.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out or an engine without the
 *  component model or with async_support; ::WB_ERR_INVALID_HANDLE for a bad
 *  engine; ::WB_ERR_NO_MEMORY. */
wb_status_t wb_component_linker_new(wb_engine_t engine, wb_component_linker_t *out);

/** \brief Deletes a component linker: its creator thread, or any thread
 *  once the creator exited. Templates made from it stay valid. The null
 *  handle is a no-op.
 *  \return ::WB_ERR_WRONG_THREAD from another thread while the creator
 *  lives; ::WB_ERR_INVALID_HANDLE for a deleted or forged handle. */
wb_status_t wb_component_linker_delete(wb_component_linker_t linker);

/** \brief Lets later definitions replace earlier ones of the same name
 *  (default: a duplicate is ::WB_ERR_LINK). Creator thread.
 *  \return ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_component_linker_allow_shadowing(wb_component_linker_t linker, bool allow);

/**
 * \brief Defines a host function `name` in the interface `iface`. Creator thread.
 *
 * The function's type is the one the importing component declares: the
 * callback's arguments and result are checked against it at each call.
 * \param linker the linker (the calling thread must have created it).
 * \param iface the import's instance name, e.g. "ns:pkg/iface@1.0.0" (a
 *        component importing an older or newer semver-compatible version
 *        links to it too); NULL or "" for a function the component imports
 *        directly. Copied. It may not contain '#' (one interface at a
 *        time).
 * \param name the function's name (NUL-terminated UTF-8, not empty; copied).
 * \param callback the function (see ::wb_component_host_callback_t for its
 *        thread); not NULL.
 * \param env passed to every call; ownership passes to the linker when
 *        `finalizer` is non-NULL: it is called once, when no linker,
 *        template or store holds the function any more (also when this
 *        call fails).
 * \param finalizer frees `env`; NULL when the caller keeps it (it must then
 *        outlive every linker, template, pool and store holding the
 *        function).
 * \return ::WB_ERR_LINK for a duplicate name without shadowing;
 *         ::WB_ERR_INVALID_ARGUMENT for a NULL, empty or invalid name, an
 *         invalid `iface` or one with '#', or a NULL callback;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_linker_define_func(wb_component_linker_t linker, const char *iface, const char *name,
                                            wb_component_host_callback_t callback, void *env,
                                            wb_finalizer_t finalizer);

/**
 * \brief Defines a host resource type `name` in `iface`. Creator thread.
 *
 * Make resources of the type with ::wb_resource_new; each carries a user
 * pointer, and `destructor` (NULL: none) is called for it exactly once.
 * \param linker the linker (the calling thread must have created it).
 * \param iface the interface, as for ::wb_component_linker_define_func.
 * \param name the resource type's name (NUL-terminated UTF-8, not empty;
 *        copied).
 * \param destructor called with `env` and the resource's user pointer when
 *        a resource of the type ends (see ::wb_resource_destructor_t); NULL
 *        for none.
 * \param env passed to `destructor`; owned by the linker when `finalizer`
 *        is non-NULL, as for ::wb_component_linker_define_func.
 * \param finalizer frees `env` once no linker, template or resource needs
 *        the type any more (also when this call fails); NULL when the
 *        caller keeps `env`.
 * \param type_out receives the type's id (process-wide, never reused), for
 *        ::wb_resource_new; it stays the same in templates made from the linker.
 * \return ::WB_ERR_LINK for a duplicate name without shadowing;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL `type_out` or bad names (as for
 *         ::wb_component_linker_define_func); ::WB_ERR_WRONG_THREAD,
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_linker_define_resource(wb_component_linker_t linker, const char *iface, const char *name,
                                                wb_resource_destructor_t destructor, void *env,
                                                wb_finalizer_t finalizer, uint32_t *type_out);

/** \brief Defines a core module `name` in `iface`, for components that
 *  import core modules. The module must be of the linker's engine; the
 *  linker keeps its own reference. Creator thread. Names as for
 *  ::wb_component_linker_define_func (copied).
 *  \return ::WB_ERR_LINK for a duplicate name without shadowing;
 *  ::WB_ERR_INVALID_ARGUMENT for bad names or a module of another engine;
 *  ::WB_ERR_WRONG_THREAD; ::WB_ERR_INVALID_HANDLE (the linker or the module). */
wb_status_t wb_component_linker_define_module(wb_component_linker_t linker, const char *iface, const char *name,
                                              wb_module_t module);

/**
 * \brief Defines WASI 0.2 (every `wasi:*` interface Wasmtime provides:
 * cli, io, clocks, filesystem, random, sockets) in one call. Creator thread.
 *
 * The guest runs with its store's WASI settings (::wb_store_set_wasi: args,
 * environment, stdin, stdout/stderr including capture, preopened
 * directories, read-only). Instantiating a component that imports `wasi:`
 * interfaces into a store without them gives the store an empty WASI
 * context (no args, environment, stdin or directories; output discarded),
 * as for core modules.
 * \return ::WB_ERR_LINK when WASI is already defined (without shadowing);
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_linker_define_wasi(wb_component_linker_t linker);

/**
 * \brief Instantiates `component` into `store`, resolving its imports from
 * the linker. The thread must be the linker's creator and the store's owner.
 * A store without WASI settings gets an empty WASI context when the linker
 * defines WASI and the component imports it.
 * \param linker the linker.
 * \param store the store.
 * \param component the component (of the linker's and the store's engine).
 * \param out receives the instance; it lives until its store is deleted.
 * \return ::WB_ERR_LINK naming a missing or mismatched import, or a
 *         definition that cannot be made; ::WB_ERR_LIMIT when a store
 *         limit refuses it; ::WB_ERR_INVALID_ARGUMENT for NULL out or
 *         objects of different engines; ::WB_ERR_TRAP etc. when the
 *         component's start code fails; ::WB_ERR_INTERRUPTED for a pending
 *         interrupt; ::WB_ERR_NATIVE_STACK; ::WB_ERR_IO when the empty WASI
 *         context cannot be made; ::WB_ERR_WRONG_THREAD,
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_linker_instantiate(wb_component_linker_t linker, wb_store_t store,
                                            wb_component_t component, wb_component_instance_t *out);

/**
 * \brief Memory for a host function's result, freed by the library when the
 * host function returns to the guest. The store's owner thread, inside a
 * host function of a component called in that store.
 * \param store the store the host function runs in (its `store` argument).
 * \param size how many bytes: 1 to 1 GiB.
 * \param out receives `size` bytes, aligned for any value; the library's,
 *        never freed by the caller.
 * \return ::WB_ERR_BUSY outside a component host function;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL out, size 0 or over 1 GiB;
 *         ::WB_ERR_NO_MEMORY; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_host_alloc(wb_store_t store, size_t size, void **out);

/**
 * \brief Pre-links a component with the linker's definitions. The
 * linker's creator thread. The template is shareable: any thread may
 * instantiate it into its own store, concurrently. Later changes to the
 * linker do not affect it.
 * \param linker the linker (the calling thread must have created it).
 * \param component the component (of the linker's engine); the template
 *        keeps a reference to it.
 * \param out receives the template; the caller deletes it with
 *        ::wb_component_template_delete.
 * \return ::WB_ERR_LINK when the linker's definitions cannot be made into a
 *         Wasmtime linker (the component's imports are checked against them
 *         when the template is instantiated); ::WB_ERR_INVALID_ARGUMENT for
 *         NULL out or a component of another engine; ::WB_ERR_NO_MEMORY;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_template_new(wb_component_linker_t linker, wb_component_t component,
                                      wb_component_template_t *out);

/** \brief Instantiates a template into a store. The store's owner thread
 *  (any thread may share the template). Host functions of the template run
 *  on that thread. `out` receives the instance, which lives until its store
 *  is deleted.
 *  \return the statuses of ::wb_component_linker_instantiate
 *  (::WB_ERR_LINK for a missing or mismatched import,
 *  ::WB_ERR_INVALID_ARGUMENT for a store of another engine, ...). */
wb_status_t wb_component_template_instantiate(wb_component_template_t tmpl, wb_store_t store,
                                              wb_component_instance_t *out);

/** \brief ::wb_component_func_index for the template's component. Any thread.
 *  \return the statuses of ::wb_component_func_index (::WB_ERR_NOT_FOUND,
 *  ::WB_ERR_TYPE_MISMATCH, ...). */
wb_status_t wb_component_template_func_index(wb_component_template_t tmpl, const char *path, uint32_t *out);

/** \brief Deletes a template. Any thread; instantiations in flight finish,
 *  and instances and pools made from it are not affected. The null handle
 *  is a no-op.
 *  \return ::WB_ERR_INVALID_HANDLE for a forged, deleted or wrong-kind handle. */
wb_status_t wb_component_template_delete(wb_component_template_t tmpl);

/**
 * \brief The instance's function with index `func_index`
 * (::wb_component_func_index of its component). The store's owner thread.
 * The same function gives the same handle each time; it lives until the
 * store is deleted.
 * \return ::WB_ERR_NOT_FOUND for an index of no function of this component.
 */
wb_status_t wb_component_instance_func(wb_component_instance_t instance, uint32_t func_index,
                                       wb_component_func_t *out);

/** \brief Looks up an exported function by path (as for
 *  ::wb_component_func_index) and returns its handle. The store's owner
 *  thread. ::WB_ERR_NOT_FOUND, ::WB_ERR_TYPE_MISMATCH. */
wb_status_t wb_component_instance_get_func(wb_component_instance_t instance, const char *path,
                                           wb_component_func_t *out);

/** \brief ::WB_OK while the instance can be called, ::WB_ERR_UNUSABLE
 *  (with the reason) after it trapped. The store's owner thread. */
wb_status_t wb_component_instance_usable(wb_component_instance_t instance);

/**
 * \brief Calls a component function. The store's owner thread.
 *
 * Every argument is checked against the function's WIT type before the
 * guest runs (see the section's notes); post-return runs before this
 * returns.
 * \param func the function.
 * \param args `nargs` values, borrowed; an `own` resource among them is
 *        moved to the callee and its handle is used up. NULL with 0.
 * \param nargs the number of arguments: the function's parameter count.
 * \param out receives the result on ::WB_OK (and is emptied otherwise);
 *        the caller frees it with ::wb_cresult_dispose.
 * \return ::WB_ERR_TYPE_MISMATCH (count, kind, case, field, flag, resource
 *         type) or ::WB_ERR_INVALID_ARGUMENT (UTF-8, char, NULL with a
 *         length, a resource of another store, used up or passed twice):
 *         the instance stays usable. ::WB_ERR_TRAP (see ::wb_last_trap_code),
 *         ::WB_ERR_INTERRUPTED, ::WB_ERR_OUT_OF_FUEL, ::WB_ERR_EXIT: the
 *         instance is unusable from then on. ::WB_ERR_UNUSABLE for an
 *         instance that trapped before; ::WB_ERR_BUSY for a re-entrant call
 *         into an instance that is running one; ::WB_ERR_NATIVE_STACK;
 *         ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE,
 *         ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_component_func_call(wb_component_func_t func, const wb_cval_t *args, size_t nargs,
                                   wb_cresult_t *out);

/** \brief The function's WIT type as text, e.g. "func(a: u32, b: u32) -> u32".
 *  The store's owner thread.
 *  \param func the function.
 *  \param out receives NUL-terminated bytes the caller owns
 *         (::wb_bytes_dispose; the NUL is not counted).
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_NO_MEMORY;
 *  ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_component_func_type(wb_component_func_t func, wb_bytes_t *out);

/**
 * \brief Runs a WASI 0.2 command: calls `run` of the instance's
 * `wasi:cli/run@0.2.x` export with its store's WASI settings. The store's
 * owner thread.
 * \return ::WB_OK when the command succeeded (exit status 0; then
 *         ::wb_last_exit_code reads 0); ::WB_ERR_EXIT with the exit status
 *         in ::wb_last_exit_code when it returned `err` (status 1) or
 *         called `wasi:cli/exit` with a failure; ::WB_ERR_NOT_FOUND when it
 *         is not a command; trap statuses as for ::wb_component_func_call.
 *         A command can run once: the instance is unusable afterwards.
 */
wb_status_t wb_component_run(wb_component_instance_t instance);

/**
 * \brief Creates a resource of a host resource type (from
 * ::wb_component_linker_define_resource) in a store, carrying `user`. The
 * store's owner thread.
 * \param store the store (the calling thread must own it).
 * \param type the resource type's id, from
 *        ::wb_component_linker_define_resource.
 * \param user the resource's pointer, not dereferenced by wasmbound: the
 *        type's destructor receives it (::wb_resource_host_data reads it).
 * \param out receives an `own` handle the host holds: pass it to the guest
 *        (as `own` it moves there, as `borrow` it is lent) or drop it with
 *        ::wb_resource_drop. The type's destructor runs exactly once for it.
 * \return ::WB_ERR_NOT_FOUND for a type id no linker defined (or one whose
 *         linkers and templates are all gone); ::WB_ERR_INVALID_ARGUMENT for
 *         NULL out; ::WB_ERR_INTERNAL when Wasmtime cannot make it;
 *         ::WB_ERR_NO_MEMORY; ::WB_ERR_INVALID_HANDLE, ::WB_ERR_WRONG_THREAD.
 */
wb_status_t wb_resource_new(wb_store_t store, uint32_t type, void *user, wb_resource_t *out);

/**
 * \brief Gives up the host's handle. The store's owner thread. For an
 * `own` resource that is its end: the guest's destructor runs for a guest
 * resource (wasm may run: trap statuses as for a call), the host type's
 * destructor for a host resource. For a `borrow` it ends the borrow. The
 * handle is invalid afterwards. The null handle is a no-op.
 * \return ::WB_ERR_INVALID_HANDLE for a handle already dropped or used up
 *         (moved to the guest); ::WB_ERR_WRONG_THREAD; for a guest's `own`
 *         resource, ::WB_ERR_NATIVE_STACK or ::WB_ERR_INTERRUPTED before its
 *         destructor runs (the handle then stays valid), and the trap
 *         statuses of ::wb_component_func_call when it fails (the handle is
 *         gone all the same).
 */
wb_status_t wb_resource_drop(wb_resource_t resource);

/** \brief Reads a host resource's type id and user pointer (either out
 *  pointer may be NULL). The store's owner thread.
 *  \return ::WB_ERR_TYPE_MISMATCH for a resource the guest defined;
 *  ::WB_ERR_INVALID_HANDLE (also a dropped or used-up handle),
 *  ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_resource_host_data(wb_resource_t resource, uint32_t *type, void **user);

/** \brief Whether the handle is an `own` (true) or a `borrow` (false). The
 *  store's owner thread.
 *  \return ::WB_ERR_INVALID_ARGUMENT for NULL out; ::WB_ERR_INVALID_HANDLE
 *  (also a dropped or used-up handle), ::WB_ERR_WRONG_THREAD. */
wb_status_t wb_resource_owned(wb_resource_t resource, bool *out);

/**
 * \brief Starts a pool whose workers each own a store and an instance of
 * the template. Any thread. Each worker instantiates before this returns,
 * so an instantiation failure is reported here. Workers whose template
 * imports WASI get an empty WASI context (no args, environment, stdin or
 * directories; output discarded).
 * \param tmpl the template (the pool keeps a reference to it).
 * \param config NULL for the defaults (::wb_pool_config_init); not retained.
 * \param out receives the pool; the caller deletes it with
 *        ::wb_component_pool_delete.
 * \return ::WB_ERR_INVALID_ARGUMENT for NULL out, a config of an unknown
 *         version, workers outside 1..256 or queue_capacity outside
 *         1..1048576; the status of a worker's failed instantiation
 *         (::WB_ERR_LINK, ::WB_ERR_TRAP, ...); ::WB_ERR_NO_MEMORY (also
 *         when a worker thread cannot start); ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_pool_new(wb_component_template_t tmpl, const wb_pool_config_t *config,
                                  wb_component_pool_t *out);

/** \brief ::wb_component_func_index for the pool's component. Any thread.
 *  \return the statuses of ::wb_component_func_index (::WB_ERR_NOT_FOUND,
 *  ::WB_ERR_TYPE_MISMATCH, ...). */
wb_status_t wb_component_pool_func_index(wb_component_pool_t pool, const char *path, uint32_t *out);

/**
 * \brief Runs function `func_index` on a worker and waits for it. Any
 * thread (also several at once). Arguments are borrowed until it returns
 * and are checked as for ::wb_component_func_call; functions with resource
 * types cannot run in a pool (::WB_ERR_TYPE_MISMATCH). A worker whose
 * instance trapped gets a fresh one before its next call. Waits while the
 * pool's queue is full.
 * \param pool the pool.
 * \param func_index the function, from ::wb_component_pool_func_index (or
 *        ::wb_component_func_index of the same component).
 * \param args `nargs` values, borrowed until this returns; NULL with 0.
 * \param nargs the number of arguments.
 * \param out receives the result (::wb_cresult_dispose, any thread).
 * \return the call's status (as for ::wb_component_func_call, with the trap
 *         code and exit code of the worker's call); ::WB_ERR_NOT_FOUND for
 *         an index of no function of the component; ::WB_ERR_BUSY from a
 *         host function of the pool's own workers, or after
 *         ::wb_component_pool_delete began; ::WB_ERR_INVALID_ARGUMENT for
 *         NULL out; ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_component_pool_call(wb_component_pool_t pool, uint32_t func_index, const wb_cval_t *args,
                                   size_t nargs, wb_cresult_t *out);

/** \brief Stops the pool's workers (after the calls they run) and deletes
 *  it. Any thread but its workers; waits for the workers to finish. The
 *  null handle is a no-op.
 *  \return ::WB_ERR_BUSY from one of the pool's own workers;
 *  ::WB_ERR_INVALID_HANDLE. */
wb_status_t wb_component_pool_delete(wb_component_pool_t pool);

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
  uint64_t abandoned_stores;      /**< abandoned (::wb_store_abandon) and not yet deleted */
} wb_stats_t;

/** \brief The newest version of ::wb_stats_t (1: 0.2.0). */
#define WB_STATS_VERSION 1
/** \brief An empty ::wb_stats_t of this header's version. */
#define WB_STATS_INIT {WB_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

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

/* ------------------------------------------------------------------------ */
/** \name Async calls in a store (engines with async_support)
 *
 * A store of an engine made with `async_support = true` runs wasm only
 * through call futures: ::wb_func_call_async starts a call, and the store's
 * owner thread drives it with ::wb_call_future_poll until it is done. A
 * guest yields (the poll returns, not done) every N units of fuel
 * (::wb_store_set_fuel_async_yield_interval), at each epoch tick
 * (::wb_store_set_epoch_async_yield), and while an async host function
 * (::wb_linker_define_async_func) waits for ::wb_async_complete; so one
 * thread can interleave many long-running guests, one store each.
 *
 * Rules: a store has at most one unfinished call future; while it has one,
 * every other entry into its wasm (a call, an instantiation, another
 * future) is refused with ::WB_ERR_BUSY. Synchronous calls
 * (::wb_func_call, typed calls, pools) are refused in async stores with
 * ::WB_ERR_INVALID_ARGUMENT; instantiation works and runs to completion
 * before it returns (or use ::wb_template_instantiate_async). Interrupts,
 * call timeouts and deadlines stop an async call as they stop a
 * synchronous one (::WB_ERR_INTERRUPTED from ::wb_call_future_results),
 * also while it waits on an async host function. A future is bound to its
 * store: it follows the store through ::wb_store_release and
 * ::wb_store_adopt (poll it on the new owner thread), and deleting the
 * store deletes it. Deleting an unfinished future cancels the call: its
 * wasm stack is unwound, the continuations of its waiting async host
 * calls are dropped (their tokens become invalid), and the store can run
 * the next call. WASI cannot be used in async stores.
 *
 * Wasm of an async call, and the host callbacks it calls, run on a stack of
 * the engine's `async_stack_size` (which must exceed `max_wasm_stack`):
 * host callbacks of async stores get what wasm left of it, so keep them
 * shallow or raise `async_stack_size`.
 */
/** \brief A call (or an instantiation) running in an async store; a
 *  store-bound handle, used by the store's owner thread only. */
typedef struct wb_call_future {
  uint64_t id; /**< opaque; 0 is the null handle */
} wb_call_future_t;

/** \brief An async host call waiting for ::wb_async_complete; a
 *  store-bound handle, valid until the call is completed, failed or
 *  cancelled. */
typedef struct wb_async_token {
  uint64_t id; /**< opaque; 0 is the null handle */
} wb_async_token_t;

/**
 * \brief Makes the store's guests yield every `interval` units of fuel
 * (0: never). The store's owner thread; the engine needs `consume_fuel`
 * and `async_support`. The setting stays for later calls.
 * \param store the store.
 * \param interval units of fuel between yields; 0 turns yielding off.
 * \return ::WB_ERR_INVALID_ARGUMENT when the engine lacks fuel or async
 *         support; ::WB_ERR_BUSY while a call future of the store is
 *         unfinished; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_store_set_fuel_async_yield_interval(wb_store_t store, uint64_t interval);

/**
 * \brief Makes the store's guests yield at each epoch tick (about once a
 * millisecond; the library's ticker moves the engine's epoch while any of
 * its stores asks for it), or stops that. The store's owner thread; the
 * engine needs `async_support` and `epoch_interruption`.
 * \param store the store.
 * \param enable true: yield at each tick; false: do not.
 * \return ::WB_ERR_INVALID_ARGUMENT when the engine lacks async support or
 *         epoch interruption; ::WB_ERR_NO_MEMORY; ::WB_ERR_WRONG_THREAD,
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_store_set_epoch_async_yield(wb_store_t store, bool enable);

/**
 * \brief Starts calling `func` in its async store and returns at once,
 * before any wasm runs; ::wb_call_future_poll runs it.
 *
 * The owner thread of the function's store. The arguments are checked and
 * copied now (the caller keeps `args`). The call's timeout
 * (::wb_store_set_call_timeout) starts now; an interrupt that came before
 * is reported now.
 * \param func the function (of a store of an engine with async_support).
 * \param args its arguments, `nargs` of them (NULL when 0).
 * \param nargs the number of arguments; must match the function.
 * \param out receives the future; delete it with ::wb_call_future_delete.
 * \return ::WB_ERR_INVALID_ARGUMENT for a store without async support or a
 *         NULL pointer; ::WB_ERR_TYPE_MISMATCH for wrong counts or kinds;
 *         ::WB_ERR_BUSY while another future of the store is unfinished or
 *         from inside a call of the store; ::WB_ERR_INTERRUPTED;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_func_call_async(wb_func_t func, const wb_val_t *args, size_t nargs, wb_call_future_t *out);

/**
 * \brief Runs the future's call until it completes or yields.
 *
 * The owner thread of the future's store (after ::wb_store_adopt, the new
 * owner), not from inside a call into wasm (a host callback). Polling a
 * finished future does nothing and says done again.
 * \param fut the future.
 * \param done receives true when the call has finished (its outcome is
 *        then read with ::wb_call_future_results or
 *        ::wb_call_future_instance), false when it yielded.
 * \return ::WB_OK whether the call succeeded, trapped or was interrupted
 *         (the outcome is the future's); ::WB_ERR_INVALID_ARGUMENT for NULL
 *         `done`; ::WB_ERR_BUSY from inside a call into wasm;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE (also for a
 *         cancelled or deleted future).
 */
wb_status_t wb_call_future_poll(wb_call_future_t fut, bool *done);

/**
 * \brief The outcome of a finished call future: its status (as
 * ::wb_func_call would have returned it, with the same message and trap
 * code in ::wb_last_error and ::wb_last_trap_code) and, on ::WB_OK, its
 * results.
 *
 * The owner thread of the future's store; may be asked again (the same
 * outcome). Results that are references are handles of the store, made
 * when the call finished.
 * \param fut the future of a call (not of an instantiation).
 * \param results receives the results, `nresults` of them (NULL when 0).
 * \param nresults the number of results; must match the function.
 * \return the call's status: ::WB_OK, ::WB_ERR_TRAP, ::WB_ERR_INTERRUPTED,
 *         ...; ::WB_ERR_BUSY when it has not finished;
 *         ::WB_ERR_TYPE_MISMATCH for a wrong count; ::WB_ERR_INVALID_ARGUMENT
 *         for NULL `results` or a future of an instantiation;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_call_future_results(wb_call_future_t fut, wb_val_t *results, size_t nresults);

/**
 * \brief Deletes a future. The owner thread of its store, not from inside
 * a call into wasm of that store. An unfinished call is cancelled: its wasm
 * stack is unwound, waiting async host calls are dropped (their
 * continuations' finalizers run, their tokens become invalid), and the
 * store may start another call. The null handle is ::WB_OK.
 * \param fut the future; invalid afterwards.
 * \return ::WB_ERR_BUSY from inside a call into wasm of the store;
 *         ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_call_future_delete(wb_call_future_t fut);

/**
 * \brief Starts instantiating a template in an async store; the start
 * function (if any) runs as the future is polled.
 * The owner thread of `store`; the template may be shared.
 * \param tmpl the template (the future holds a reference until deleted).
 * \param store a store of an engine with async_support.
 * \param out receives the future: poll it, then take the instance with
 *        ::wb_call_future_instance.
 * \return ::WB_ERR_INVALID_ARGUMENT for a store without async support, a
 *         template of another engine, a template with WASI, or NULL `out`;
 *         ::WB_ERR_BUSY while another future of the store is unfinished;
 *         ::WB_ERR_INTERRUPTED; ::WB_ERR_WRONG_THREAD,
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_template_instantiate_async(wb_template_t tmpl, wb_store_t store, wb_call_future_t *out);

/**
 * \brief The instance made by a finished instantiation future, or its
 * failure (as ::wb_template_instantiate would report it).
 * The owner thread of the future's store.
 * \param fut the future of ::wb_template_instantiate_async.
 * \param out receives the instance (the store's).
 * \return the instantiation's status (::WB_OK, ::WB_ERR_TRAP,
 *         ::WB_ERR_LINK, ::WB_ERR_INTERRUPTED, ...); ::WB_ERR_BUSY when it
 *         has not finished; ::WB_ERR_INVALID_ARGUMENT for NULL `out` or a
 *         future of a call; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_call_future_instance(wb_call_future_t fut, wb_instance_t *out);

/**
 * \brief An async host function: it starts its work and returns at once;
 * the call stays pending (the guest's future yields) until the host calls
 * ::wb_async_complete or ::wb_async_fail with `token`, on the store's
 * owner thread, inside this callback or after it returns, between polls.
 *
 * Runs on the store's owner thread, inside ::wb_call_future_poll. It may
 * not call into wasm of its store, nor poll or delete futures.
 * \param env the pointer given at definition.
 * \param caller the calling instance, as for ::wb_host_callback_t (its
 *        exports, its store through ::wb_caller_store); valid only during
 *        this callback.
 * \param args the arguments, `nargs` of them (valid during the callback).
 * \param nargs the number of arguments.
 * \param token identifies this call until it is completed, failed or
 *        cancelled.
 * \return ::WB_OK to stay pending (or when already completed); any other
 *         status makes the guest trap with the callback's message.
 */
typedef wb_status_t (*wb_async_host_callback_t)(void *env, wb_caller_t caller, const wb_val_t *args, size_t nargs,
                                                wb_async_token_t token);

/**
 * \brief Defines `module`.`name` as an async host function of numeric
 * parameters and results (i32, i64, f32, f64) in a linker of an engine
 * with async_support.
 * The linker's creator thread. `module` and `name` are copied.
 * \param linker the linker.
 * \param module the import module name (UTF-8).
 * \param name the import name (UTF-8).
 * \param params parameter kinds, `nparams` of them (read, not retained).
 * \param nparams the number of parameters.
 * \param results result kinds, `nresults` of them (read, not retained).
 * \param nresults the number of results.
 * \param callback runs when a guest calls the function.
 * \param env passed to every call; `finalizer(env)` (may be NULL) runs
 *        once, when the last copy of the function goes, also when this
 *        call fails.
 * \param finalizer frees `env`, or NULL.
 * \return ::WB_ERR_INVALID_ARGUMENT for an engine without async support,
 *         NULL `callback`, or kinds that are not numbers; ::WB_ERR_LINK for
 *         a duplicate name; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_linker_define_async_func(wb_linker_t linker, const char *module, const char *name,
                                        const wb_valkind_t *params, size_t nparams, const wb_valkind_t *results,
                                        size_t nresults, wb_async_host_callback_t callback, void *env,
                                        wb_finalizer_t finalizer);

/**
 * \brief Completes a waiting async host call with its results; the guest
 * continues at the future's next poll.
 * The owner thread of the call's store (after a move, the new owner).
 * \param token the call's token; invalid once the guest has continued.
 * \param results the results, `nresults` of them, of the function's kinds
 *        (copied).
 * \param nresults the number of results.
 * \return ::WB_ERR_INVALID_ARGUMENT when already completed or failed, or
 *         for NULL `results`; ::WB_ERR_TYPE_MISMATCH for wrong counts or
 *         kinds; ::WB_ERR_WRONG_THREAD, ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_async_complete(wb_async_token_t token, const wb_val_t *results, size_t nresults);

/**
 * \brief Fails a waiting async host call: the guest traps with `message`
 * at the future's next poll (the call's status is ::WB_ERR_TRAP).
 * The owner thread of the call's store.
 * \param token the call's token.
 * \param message why (copied; NULL: a generic message).
 * \return ::WB_ERR_INVALID_ARGUMENT when already completed or failed;
 *         ::WB_ERR_NO_MEMORY; ::WB_ERR_WRONG_THREAD,
 *         ::WB_ERR_INVALID_HANDLE.
 */
wb_status_t wb_async_fail(wb_async_token_t token, const char *message);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WASMBOUND_H */
