/* handles: the typed, generation-checked handle table and thread binding.
 * Internal header: not installed.
 *
 * The table lives in C memory so that the hot paths (dispatch/) check a
 * handle without entering Go. It is one array of slots in a reservation of
 * address space made when the first handle is (WBH_MAX_SLOTS slots, 1 GiB,
 * or less where the process may not have that much): readable throughout
 * from the start (pages never written read as zeros, a state that is never
 * live), made writable a chunk at a time as slots are handed out, and never
 * freed, so a lookup may read any slot below wbh_table_slots at any time,
 * from any thread, without a lock, and finds one with a shift and an add.
 *
 * Handle id layout (0 is the null handle of every kind):
 *   bits 63..32 generation (1..0xFFFFFFFE; a slot whose generation would
 *               wrap is retired, never reused)
 *   bits 31..24 kind (WBH_KIND_*)
 *   bits 23..0  slot index
 *
 * Slot state word (atomic): generation << 32 | kind in bits 31..24 (0 when
 * not live) | refs (24 bits), so that one compare checks generation,
 * liveness and kind (wbh_peek); a free slot's word is its next generation
 * << 32.
 * A live slot holds one base reference from creation; shared kinds take a
 * reference for the length of each use (wbh_acquire/wbh_release), and the
 * one that drops the last reference after the handle was deleted destroys
 * the object and frees the slot.
 *
 * Creator-bound kinds (linker, WASI configuration) are builders: the owner
 * word holds their creator's token and only that thread may use them. When
 * the creator exits they become orphans that any thread may delete.
 *
 * Store-bound kinds (instance, func, memory, global, caller) record their store's
 * slot and generation; they are valid while both their own and their
 * store's generation match, and only the store's owner thread may use them,
 * so only that thread ever creates or frees them: no reference counting.
 */
#ifndef WB_HANDLES_H
#define WB_HANDLES_H

#include <stdatomic.h>
#include <stdint.h>

#include "../status/status.h"
#include "wasmbound.h"

enum {
  WBH_KIND_NONE = 0,
  WBH_KIND_ENGINE,
  WBH_KIND_MODULE,
  WBH_KIND_TEMPLATE,
  WBH_KIND_STORE,
  WBH_KIND_LINKER,
  WBH_KIND_INSTANCE,
  WBH_KIND_FUNC,
  WBH_KIND_MEMORY,
  WBH_KIND_GLOBAL,
  WBH_KIND_CALLER,
  WBH_KIND_WASI_CONFIG,
  WBH_KIND_SHARED_MEMORY,
  WBH_KIND_POOL,
  WBH_KIND_FUTURE,
  /* core wasm beyond numbers: tables, references, tags, exceptions (store-bound) */
  WBH_KIND_TABLE,
  WBH_KIND_REF,
  WBH_KIND_TAG,
  WBH_KIND_EXCEPTION,
  /* async calls in a store (store-bound) */
  WBH_KIND_CALL_FUTURE,
  /* components: compiled and templates are shared, the linker is a builder,
   * the rest is store-bound */
  WBH_KIND_COMPONENT,
  WBH_KIND_COMPONENT_TEMPLATE,
  WBH_KIND_COMPONENT_LINKER,
  WBH_KIND_COMPONENT_INSTANCE,
  WBH_KIND_COMPONENT_FUNC,
  WBH_KIND_RESOURCE,
  /* a worker pool of a component template (shared) */
  WBH_KIND_COMPONENT_POOL,
  /* a function checked once against a signature (store-bound; its object is
   * the function's, freed with the function) */
  WBH_KIND_TYPED_FUNC,
  /* an async host call waiting for wb_async_complete (store-bound) */
  WBH_KIND_ASYNC_TOKEN,
  WBH_KIND_COUNT
};

#define WBH_INDEX_BITS 24
#define WBH_MAX_SLOTS (1u << WBH_INDEX_BITS)
#define WBH_CHUNK_BITS 10
#define WBH_CHUNK_SLOTS (1u << WBH_CHUNK_BITS)
#define WBH_MAX_CHUNKS (WBH_MAX_SLOTS / WBH_CHUNK_SLOTS)

/* A slot's state word: its generation (bits 32-63), its kind while the
 * handle is live (24-31, where an id has its kind tag; WBH_KIND_NONE, 0,
 * when it is not: freed, or deleted with references still held) and the
 * references (0-23). With the kind where the id's tag is, one xor compares
 * generation, kind and liveness with an id (wbh_peek). */
#define WBH_STATE_KIND_SHIFT 24
#define WBH_STATE_KIND_MASK (UINT64_C(0xFF) << WBH_STATE_KIND_SHIFT)
#define WBH_REFS_MASK ((UINT64_C(1) << WBH_STATE_KIND_SHIFT) - 1)
_Static_assert(WBH_STATE_KIND_SHIFT == WBH_INDEX_BITS, "the state's kind sits where the id's tag does");
_Static_assert(WBH_KIND_NONE == 0, "a state word without a kind is not live");
_Static_assert(WBH_KIND_COUNT <= 256, "a kind fits the state word's eight kind bits");

/* Store owner word: a thread token (>= WBH_FIRST_TOKEN), or one of these. */
#define WBH_OWNER_RELEASED 1ull
#define WBH_OWNER_ORPHANED 2ull
#define WBH_FIRST_TOKEN 16ull
/* The token a thread carries while it runs the log callback: it owns nothing,
 * so every store-bound call is refused (wbh_fail_owner says why). */
#define WBH_LOGGING_TOKEN 3ull

typedef struct wbh_slot {
  _Atomic uint64_t state;
  /* Two words a kind may use as it likes are shared with words that kind
   * does not read (typed_ctx with owner, typed_store with store_index and
   * store_gen): they are read from the slot the handle check has just
   * loaded, one load where the kind's object would be two. Set by the
   * kind's creator after wbh_alloc, before the id leaves it. */
  union {
    _Atomic uint64_t owner;     /* stores and creator-bound kinds: the owner's token (WBH_OWNER_*) */
    void *typed_ctx;            /* typed functions: the Wasmtime context of their store */
  };
  void *obj;                    /* the kind's object; NULL when free */
  /* store-bound kinds: their store's slot (slots never move: chunks are
   * never freed), so the hot paths reach it without a table lookup; a store
   * points to itself */
  struct wbh_slot *store_slot;
  union {
    struct {
      uint32_t store_index;     /* store-bound kinds but typed functions: their store (read for callers) */
      uint32_t store_gen;
    };
    void *typed_store;          /* typed functions: their store's object (dispatch/, wbd_store_t) */
  };
  uint32_t next;                /* free list, or the store's list of children (+1; 0 = none) */
  uint32_t first_child;         /* stores only: head of the children list (+1; 0 = none) */
  uint32_t prev;                /* the store's list of children: the one before (+1; 0 = head) */
  _Atomic int32_t owner_tid;    /* stores, builders: kernel tid of the owner, for messages */
  _Atomic uint8_t kind;         /* also in the state word; this copy outlives the handle (messages)
                                 * and is read racily by orphan_stores_of */
  uint8_t pad[64 - 57];
} wbh_slot_t;
_Static_assert(sizeof(wbh_slot_t) == 64, "a slot is one cache line");

/* The table (see the top of this file) and the slots it has: NULL and 0
 * until the first handle is made; set once, the table first, then its
 * size (a release store), so that a lookup that reads the size before the
 * table (wbh_table_size) finds the table. Hidden: the shared library reads
 * them without a GOT entry. */
extern wbh_slot_t *wbh_table __attribute__((visibility("hidden")));
extern uint32_t wbh_table_slots __attribute__((visibility("hidden")));

/* The table's size, read before the table. On x86 loads stay in order, so
 * a plain load, which the compiler can fold into the compare that uses
 * it, and a compiler barrier (no load of the table moves above it) do
 * what an acquire load does; elsewhere, an acquire load. */
#if defined(__x86_64__)
#define WBH_TABLE_SIZE_BARRIER() __asm__ volatile("" ::: "memory")
#define WBH_TABLE_SIZE() (wbh_table_slots)
#else
#define WBH_TABLE_SIZE_BARRIER() ((void)0)
#define WBH_TABLE_SIZE() __atomic_load_n(&wbh_table_slots, __ATOMIC_ACQUIRE)
#endif

/* The thread-locals the hot paths read, in one object, so that a call
 * from the shared library finds them through one GOT entry (initial-exec
 * TLS there costs a GOT load per variable; an executable linking the
 * static library needs none). The token is the thread's identity: never
 * reused (thread ids and pthread_t values are reused after a thread
 * exits). */
struct wbd_store;
typedef struct wbh_tls {
  uint64_t token;              /* wbh_tls_token */
  uintptr_t stack_low;         /* wbh_tls_stack_low */
  struct wbd_store *running;   /* dispatch/: wbd_tls_running; never NULL where dispatch/ is linked in */
} wbh_tls_t;
extern __thread wbh_tls_t wbh_tls __attribute__((tls_model("initial-exec")));
#define wbh_tls_token (wbh_tls.token)
uint64_t wbh_token_slow(void);

/* The lowest address of this thread's stack (1 when it cannot be known);
 * WBH_STACK_UNKNOWN until wbh_stack_left_slow has looked: an address no
 * stack pointer lies above, so that wbh_stack_has fails on a thread's first
 * call and the slow path finds the bounds. */
#define WBH_STACK_UNKNOWN (UINTPTR_MAX / 2)
/* Like WBH_STACK_UNKNOWN for wbh_stack_has, but kept: a thread that may no
 * longer call into wasm (dispatch/ sets it) takes the slow path for good;
 * wbh_stack_left_slow still answers for it without caching the bounds. */
#define WBH_STACK_POISONED (UINTPTR_MAX / 2 + 1)
#define wbh_tls_stack_low (wbh_tls.stack_low)
/* Bytes of native stack left below the caller's frame on this thread. */
uintptr_t wbh_stack_left_slow(void);

#define WBH_HOT static inline __attribute__((always_inline))

WBH_HOT uint64_t wbh_token(void) {
  uint64_t t = wbh_tls_token;
  return __builtin_expect(t != 0, 1) ? t : wbh_token_slow();
}

WBH_HOT uintptr_t wbh_stack_pointer(void) {
  uintptr_t sp;
  /* the stack pointer itself: __builtin_frame_address would make every
   * caller set up a frame pointer */
#if defined(__x86_64__)
  __asm__("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
  __asm__("mov %0, sp" : "=r"(sp));
#else
  sp = (uintptr_t)__builtin_frame_address(0);
#endif
  return sp;
}

/* Whether this thread has need bytes of native stack below the caller's
 * frame, as far as known: false on the thread's first call (ask
 * wbh_stack_left_slow then). One load and one compare. */
WBH_HOT int wbh_stack_has(uintptr_t need) {
#if defined(__x86_64__) && defined(__GNUC__)
  /* the stack pointer compared where it is: reading it into a register
   * first (wbh_stack_pointer) costs a move on every call */
  __asm__ goto("cmp %0, %%rsp\n\tjb %l[short_of_stack]" : : "r"(wbh_tls_stack_low + need) : "cc" : short_of_stack);
  return 1;
short_of_stack:
  return 0;
#else
  return wbh_stack_pointer() >= wbh_tls_stack_low + need;
#endif
}

static inline uint64_t wbh_make_id(uint32_t gen, uint8_t kind, uint32_t index) {
  return (uint64_t)gen << 32 | (uint64_t)kind << WBH_INDEX_BITS | index;
}
static inline uint32_t wbh_id_index(uint64_t id) { return (uint32_t)(id & (WBH_MAX_SLOTS - 1)); }
static inline uint8_t wbh_id_kind(uint64_t id) { return (uint8_t)(id >> WBH_INDEX_BITS); }
static inline uint32_t wbh_id_gen(uint64_t id) { return (uint32_t)(id >> 32); }

/* The slot of an index below wbh_table_slots (every index of an issued
 * id is). Never NULL; a slot never handed out reads as state 0, never
 * live. */
WBH_HOT wbh_slot_t *wbh_slot_at(uint32_t index) {
  wbh_slot_t *table = wbh_table;
  if (!table) __builtin_unreachable(); /* so that callers test for no NULL */
  return &table[index];
}

/* The slot of an index, or of the index an id names, or NULL when it is
 * beyond the table (the table may be smaller than WBH_MAX_SLOTS, or not
 * reserved yet): for indexes and ids nothing has checked yet. The slot
 * need not be live. */
WBH_HOT wbh_slot_t *wbh_slot_within(uint32_t index) {
  if (__builtin_expect(index >= WBH_TABLE_SIZE(), 0)) return 0;
  WBH_TABLE_SIZE_BARRIER();
  return wbh_slot_at(index);
}
WBH_HOT wbh_slot_t *wbh_slot_of_id(uint64_t id) { return wbh_slot_within(wbh_id_index(id)); }

/* Reports why id is not a live handle of kind (sets the last error). */
wb_status_t wbh_fail_invalid(uint64_t id, uint8_t kind);
/* Reports a store used off its owner thread (sets the last error). */
wb_status_t wbh_fail_owner(wbh_slot_t *store, uint8_t kind);

/* The state word of a live slot of kind in id's generation, refs aside. */
static inline uint64_t wbh_live_state(uint64_t id, uint8_t kind) {
  return (id & ~UINT64_C(0xFFFFFFFF)) | (uint64_t)kind << WBH_STATE_KIND_SHIFT;
}
/* Whether a state word is a live handle's (of any kind). */
static inline int wbh_state_live(uint64_t state) { return (state & WBH_STATE_KIND_MASK) != 0; }

/* Whether a state word is that of a live handle of kind with id. The id's
 * kind tag is only a claim: a forged id may pair one kind's tag with the
 * slot (and generation) of an object of another kind, so the slot's kind
 * is compared too, in the same compare. */
static inline int wbh_state_is(uint64_t state, uint64_t id, uint8_t kind) {
  /* a kind beyond the eight bits would spill into the generation, and
   * WBH_KIND_NONE is no live kind (the hot paths pass constants, for which
   * the first tests fold away) */
  return kind != WBH_KIND_NONE && kind < WBH_KIND_COUNT && (state & ~WBH_REFS_MASK) == wbh_live_state(id, kind);
}

/* The live slot of a handle of this kind, or NULL. Does not set an error.
 * The id's kind tag is compared as well as the slot's: an id is accepted
 * only exactly as it was issued. */
WBH_HOT wbh_slot_t *wbh_peek(uint64_t id, uint8_t kind) {
  /* the tag check and the index in one: with the tag kind subtracted from
   * the id's low 32 bits, bits 24-31 are zero (an index is left) exactly
   * when the tag was kind; the table's size is at most WBH_MAX_SLOTS (and
   * 0 before the first handle, when every id is forged) */
  wbh_slot_t *s = wbh_slot_within((uint32_t)id - ((uint32_t)kind << WBH_INDEX_BITS));
  if (__builtin_expect(!s, 0)) return 0;
  uint64_t state = atomic_load_explicit(&s->state, memory_order_acquire);
  /* wbh_state_is in one compare: with the id's tag equal to kind (not
   * WBH_KIND_NONE), the xor's bits 24-63 are zero exactly when the slot is
   * live, of this kind and in the id's generation */
  if (__builtin_expect(((state ^ id) >> WBH_STATE_KIND_SHIFT) != 0, 0)) return 0;
  return s;
}

/* Checks a store-bound handle (or a store) for the calling thread: the
 * handle is live, and this thread owns its store. On WB_OK, *slot and
 * *store are valid until this thread deletes the store. The hot paths' only
 * check; it takes no lock and no reference.
 *
 * Why one generation check is enough: only a store's owner thread creates
 * and frees the store's handles, and it frees them all before the store's
 * own slot (wbh_delete_store). So when the owner check passes, this thread
 * owns the store, nobody else can free the handle's slot, and the handle
 * was live when peeked: it is live now. (Had the slot been freed and handed
 * to a store of this thread between the peek and the owner check, this
 * thread would have to have allocated it in the meantime, which it cannot,
 * being here; a store's ownership moves to this thread only by this
 * thread's own calls, too.) A live handle implies a live store. */
WBH_HOT wb_status_t wbh_bound(uint64_t id, uint8_t kind, wbh_slot_t **slot, wbh_slot_t **store) {
  wbh_slot_t *s = wbh_peek(id, kind);
  if (__builtin_expect(!s, 0)) return wbh_fail_invalid(id, kind);
  wbh_slot_t *st = kind == WBH_KIND_STORE ? s : s->store_slot;
  /* the token as it is: a thread without one yet (0) owns nothing */
  if (__builtin_expect(atomic_load_explicit(&st->owner, memory_order_acquire) != wbh_tls_token, 0))
    return wbh_fail_owner(st, kind);
  *slot = s;
  *store = st;
  return WB_OK;
}

/* wbh_bound for the hot paths' first try: the live slot of a store-bound
 * handle whose store this thread owns, or NULL for any reason (no error
 * set: the caller's slow path runs wbh_bound, which says why). */
WBH_HOT wbh_slot_t *wbh_peek_bound(uint64_t id, uint8_t kind) {
  wbh_slot_t *s = wbh_peek(id, kind);
  if (__builtin_expect(!s, 0)) return 0;
  if (__builtin_expect(atomic_load_explicit(&s->store_slot->owner, memory_order_acquire) != wbh_tls_token, 0))
    return 0;
  return s;
}

static inline int wbh_is_store_bound(uint8_t kind) {
  switch (kind) {
  case WBH_KIND_INSTANCE: case WBH_KIND_FUNC: case WBH_KIND_MEMORY: case WBH_KIND_GLOBAL: case WBH_KIND_CALLER:
  case WBH_KIND_TABLE: case WBH_KIND_REF: case WBH_KIND_TAG: case WBH_KIND_EXCEPTION: case WBH_KIND_CALL_FUTURE:
  case WBH_KIND_COMPONENT_INSTANCE: case WBH_KIND_COMPONENT_FUNC: case WBH_KIND_RESOURCE: case WBH_KIND_TYPED_FUNC:
  case WBH_KIND_ASYNC_TOKEN:
    return 1;
  default:
    return 0;
  }
}

static inline int wbh_is_creator_bound(uint8_t kind) {
  return kind == WBH_KIND_LINKER || kind == WBH_KIND_WASI_CONFIG || kind == WBH_KIND_COMPONENT_LINKER;
}

/* Checks a creator-bound handle (linker, WASI configuration): live, and
 * created by the calling thread. On WB_OK, *slot is valid until this thread
 * deletes the handle. */
static inline wb_status_t wbh_owned(uint64_t id, uint8_t kind, wbh_slot_t **slot) {
  wbh_slot_t *s = wbh_peek(id, kind);
  if (__builtin_expect(!s, 0)) return wbh_fail_invalid(id, kind);
  if (__builtin_expect(atomic_load_explicit(&s->owner, memory_order_acquire) != wbh_tls_token, 0))
    return wbh_fail_owner(s, kind);
  *slot = s;
  return WB_OK;
}

/* wbh_owned for deleting a builder: one whose creator thread exited (the
 * exit hook orphaned it) may be deleted by any thread. */
wb_status_t wbh_owned_for_delete(uint64_t id, uint8_t kind, wbh_slot_t **slot);

/* Deletes a builder (linker, component linker, WASI configuration): the
 * null handle is WB_OK; its creator thread may delete it, and any thread
 * once the creator exited (wbh_owned_for_delete). The builders' one delete,
 * so that they all follow the same rule. */
wb_status_t wbh_delete_builder(uint64_t id, uint8_t kind);

/* The state of a slot that is retired: not live, and at the last
 * generation, so that every id it ever had is at or below it (they all read
 * as dead ones, none as forged); free_slot never hands such a slot out
 * again. */
#define WBH_STATE_RETIRED ((uint64_t)0xFFFFFFFFu << 32)

/* Ends every id of a live store-bound slot whose generations are used up:
 * the slot stays among its store's children, retired, and the store's
 * delete frees it for good. Owner thread. */
static inline void wbh_use_up(wbh_slot_t *s) {
  atomic_store_explicit(&s->state, WBH_STATE_RETIRED, memory_order_release);
}

/* Ends the validity of every id issued so far for a live store-bound slot
 * (a component resource handle retired for reuse) by moving it to the next generation;
 * returns 0 when the generation is used up and the slot must be replaced
 * (it is retired then). Owner thread. */
WBH_HOT int wbh_next_generation(wbh_slot_t *s) {
  uint64_t st = atomic_load_explicit(&s->state, memory_order_relaxed);
  uint32_t gen = (uint32_t)(st >> 32);
  if (__builtin_expect(gen + 1 >= 0xFFFFFFFFu, 0)) {
    wbh_use_up(s);
    return 0;
  }
  atomic_store_explicit(&s->state, (uint64_t)(gen + 1) << 32 | (st & 0xFFFFFFFFu), memory_order_release);
  return 1;
}

/* Adds a reference to a handle the caller already holds one on. */
void wbh_retain(uint64_t id);

/* Object destructors per kind, run when a shared object's last reference
 * goes, or (store-bound kinds) when the handle or its store is deleted. */
typedef void (*wbh_destructor_t)(void *obj);
void wbh_set_destructor(uint8_t kind, wbh_destructor_t fn);

/* Creates a handle. Store-bound kinds pass their store's slot (owned by the
 * calling thread); others pass NULL. A new store is owned by the caller, a
 * new builder is bound to it. */
wb_status_t wbh_alloc(uint8_t kind, void *obj, wbh_slot_t *store, uint64_t *id_out);

/* Takes a reference on a live handle of a shared kind (any thread). */
wb_status_t wbh_acquire(uint64_t id, uint8_t kind, void **obj_out);
/* Drops a reference taken by wbh_acquire (or the base one). */
void wbh_release(uint64_t id);
/* Deletes a shared-kind handle: later lookups fail; the last reference
 * destroys the object. The null handle is WB_OK. */
wb_status_t wbh_delete_shared(uint64_t id, uint8_t kind);

/* Deletes one store-bound handle before its store: later lookups fail, its
 * destructor runs, its slot is reused. The caller has checked it with
 * wbh_bound (this thread owns the store). */
void wbh_delete_bound(wbh_slot_t *slot, uint64_t id);

/* Frees a store and every handle that lives in it. The caller has checked
 * that it may (owner, or claimed orphan) and that no call is running. */
void wbh_delete_store(wbh_slot_t *store, uint64_t store_id);

/* Store ownership moves. Return WB_OK or set the last error. */
wb_status_t wbh_store_release(uint64_t id);
wb_status_t wbh_store_adopt(uint64_t id);
/* Makes the calling thread the owner of a store that is owned by it,
 * released, or orphaned, so that it may delete it; *slot_out on WB_OK. */
wb_status_t wbh_store_claim(uint64_t id, wbh_slot_t **slot_out);

const char *wbh_kind_name(uint8_t kind);

/* Sends a message to the log callback, if one is installed for level. */
void wbh_log(wb_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Statistics. */
extern _Atomic uint64_t wbh_live[WBH_KIND_COUNT];
extern _Atomic uint64_t wbh_orphaned_now, wbh_orphans_total, wbh_wrong_thread;

#endif
