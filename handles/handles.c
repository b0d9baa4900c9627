#define _GNU_SOURCE
#include "handles.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

wbh_slot_t *wbh_table;
uint32_t wbh_table_slots; /* written with __atomic_store_n, read as WBH_TABLE_SIZE() */
/* Slots made writable so far (whole chunks), under alloc_lock. */
static uint32_t table_writable;

/* Maps the largest table of at most *slots slots (halving, down to one
 * chunk) and sets *slots to its size; MAP_FAILED when none fits. */
static void *table_map(uint32_t *slots) {
  for (; *slots >= WBH_CHUNK_SLOTS; *slots /= 2) {
    void *p = mmap(NULL, (size_t)*slots * sizeof(wbh_slot_t), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p != MAP_FAILED) return p;
  }
  return MAP_FAILED;
}

/* Reserves the table's address space (under alloc_lock, once): readable
 * only, so that pages of it that are never written cost no memory and read
 * as zeros, and private, so that it counts against no commit limit until a
 * chunk is made writable. Not at load: the Go runtime, which starts then,
 * needs its own address space first. A process that may not have 1 GiB of
 * address space more (RLIMIT_AS) gets a smaller table, down to one chunk:
 * a quarter of the largest that fits, so that the rest stays for what
 * comes after (Wasmtime aborts the process when an allocation of its own
 * fails; a module, a store or a thread's malloc arena need tens of MiB);
 * false when not even one chunk fits (the next creating call tries
 * again). */
static bool table_reserve(void) {
  if (wbh_table) return true;
  uint32_t slots = WBH_MAX_SLOTS;
  void *p = table_map(&slots);
  if (p == MAP_FAILED) return false;
  if (slots < WBH_MAX_SLOTS && slots / 4 >= WBH_CHUNK_SLOTS) { /* under a limit */
    munmap(p, (size_t)slots * sizeof(wbh_slot_t));
    slots /= 4;
    if ((p = table_map(&slots)) == MAP_FAILED) return false;
  }
  wbh_table = p;
  __atomic_store_n(&wbh_table_slots, slots, __ATOMIC_RELEASE);
  return true;
}

_Atomic uint64_t wbh_live[WBH_KIND_COUNT];
_Atomic uint64_t wbh_orphaned_now, wbh_orphans_total, wbh_wrong_thread;

/* No store runs on a new thread: dispatch/'s stand-in for none (weak: the
 * handles' own tests link without dispatch/, and read no running store). */
extern struct wbd_store wbd_no_store __attribute__((weak));
__thread wbh_tls_t wbh_tls __attribute__((tls_model("initial-exec"))) = {.stack_low = WBH_STACK_UNKNOWN,
                                                                          .running = &wbd_no_store};
static __thread int32_t tls_tid;
/* Stores this thread owns now; the exit hook runs only when it is non-zero. */
static __thread uint64_t tls_owned;
static __thread int tls_exit_hook_set;

static _Atomic uint64_t next_token = WBH_FIRST_TOKEN;

/* Slot allocation: a free list under a mutex (the control plane only). */
static pthread_mutex_t alloc_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t free_head; /* index + 1; 0 = empty */
static _Atomic uint32_t high_water; /* slots ever handed out */
static wbh_destructor_t destructors[WBH_KIND_COUNT];

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static const char *const kind_names[WBH_KIND_COUNT] = {
    "handle", "wb_engine_t", "wb_module_t", "wb_template_t", "wb_store_t",
    "wb_linker_t", "wb_instance_t", "wb_func_t", "wb_memory_t", "wb_global_t",
    "wb_caller_t", "wb_wasi_config_t", "wb_shared_memory_t", "wb_pool_t", "wb_future_t",
    "wb_table_t", "wb_ref_t", "wb_tag_t", "wb_exception_t", "wb_call_future_t",
    "wb_component_t", "wb_component_template_t", "wb_component_linker_t", "wb_component_instance_t",
    "wb_component_func_t", "wb_resource_t", "wb_component_pool_t", "wb_typed_func_t",
    "wb_async_token_t",
};

const char *wbh_kind_name(uint8_t kind) {
  return kind < WBH_KIND_COUNT ? kind_names[kind] : "unknown handle kind";
}

static int32_t my_tid(void) {
  if (!tls_tid) tls_tid = (int32_t)syscall(SYS_gettid);
  return tls_tid;
}

static void altstack_install(void);

uint64_t wbh_token_slow(void) {
  altstack_install(); /* first call on this thread: before Wasmtime's own setup */
  wbh_tls_token = atomic_fetch_add_explicit(&next_token, 1, memory_order_relaxed);
  return wbh_tls_token;
}

/* The lowest address of this thread's stack, or 1 when it cannot be known
 * (then the stack is assumed large enough rather than every call refused). */
static uintptr_t thread_stack_low(void) {
  pthread_attr_t attr;
  void *addr = 0;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    /* glibc reports the stack without its guard page */
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
  }
  return addr ? (uintptr_t)addr : 1;
}

uintptr_t wbh_stack_left_slow(void) {
  uintptr_t low = wbh_tls_stack_low;
  if (low == WBH_STACK_POISONED) low = thread_stack_low(); /* answered, never cached */
  else if (low == WBH_STACK_UNKNOWN) low = wbh_tls_stack_low = thread_stack_low();
  uintptr_t sp = wbh_stack_pointer();
  return sp > low ? sp - low : 0;
}

void wbh_set_destructor(uint8_t kind, wbh_destructor_t fn) { destructors[kind] = fn; }

/* ---- thread exit: no signal on a freed alternate stack ------------------ */

/* Wasmtime needs an alternate signal stack of at least WASMTIME_ALTSTACK
 * bytes on every thread that runs wasm. When a thread has none, Wasmtime
 * maps one and unmaps it in a thread-local destructor without disabling it
 * first: a signal handled with SA_ONSTACK (a profiler's SIGPROF) that
 * arrives on the exiting thread after that has no stack to run on, and the
 * kernel kills the process. So on a thread's first call, before Wasmtime
 * sees it, wasmbound installs an alternate stack of that size itself; then
 * Wasmtime uses it and allocates none. It is removed by a thread-local
 * destructor registered here, which runs after every destructor registered
 * later (glibc runs them in reverse), Wasmtime's and Rust's included: it
 * restores the previous alternate stack (normally none), then unmaps. */
enum { WASMTIME_ALTSTACK = 64 * 4096 };

struct altstack {
  void *map;
  size_t map_size;
  stack_t previous;
};

extern int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso);
extern void *__dso_handle;

static void altstack_remove(void *arg) {
  struct altstack *a = arg;
  stack_t now;
  if (sigaltstack(0, &now) == 0 && now.ss_sp == (char *)a->map + (a->map_size - WASMTIME_ALTSTACK))
    sigaltstack(&a->previous, 0); /* still ours: put back what was there */
  munmap(a->map, a->map_size);
  free(a);
}

static void altstack_install(void) {
  stack_t now;
  if (sigaltstack(0, &now) != 0) return;
  if (!(now.ss_flags & SS_DISABLE) && now.ss_size >= WASMTIME_ALTSTACK) return; /* the host's */
  if (now.ss_flags & SS_ONSTACK) return;                                       /* in a handler */
  struct altstack *a = calloc(1, sizeof *a);
  if (!a) return; /* Wasmtime then maps its own, as without wasmbound */
  size_t guard = (size_t)sysconf(_SC_PAGESIZE);
  a->map_size = guard + WASMTIME_ALTSTACK;
  a->map = mmap(0, a->map_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (a->map == MAP_FAILED) {
    free(a);
    return;
  }
  stack_t mine = {.ss_sp = (char *)a->map + guard, .ss_flags = 0, .ss_size = WASMTIME_ALTSTACK};
  a->previous = now;
  if (now.ss_flags & SS_DISABLE) a->previous = (stack_t){.ss_flags = SS_DISABLE};
  if (mprotect(mine.ss_sp, WASMTIME_ALTSTACK, PROT_READ | PROT_WRITE) != 0 || sigaltstack(&mine, 0) != 0 ||
      __cxa_thread_atexit_impl(altstack_remove, a, &__dso_handle) != 0) {
    sigaltstack(&a->previous, 0);
    munmap(a->map, a->map_size);
    free(a);
  }
}

/* ---- thread exit: orphan the stores this thread still owns ------------- */

/* ---- logging ------------------------------------------------------------- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static wb_log_callback_t log_callback;
static void *log_user;
static _Atomic int log_min_level = 100; /* nothing while no callback */

wb_status_t wb_set_log_callback(wb_log_callback_t callback, void *user, wb_log_level_t min_level) {
  if ((unsigned)min_level > WB_LOG_ERROR)
    return wbi_fail(WB_ERR_INVALID_ARGUMENT, "min_level %d is not a wb_log_level_t", (int)min_level);
  if (wbh_tls_token == WBH_LOGGING_TOKEN)
    return wbi_fail(WB_ERR_BUSY, "wasmbound functions cannot be called from the log callback");
  pthread_mutex_lock(&log_lock);
  log_callback = callback;
  log_user = user;
  atomic_store(&log_min_level, callback ? (int)min_level : 100);
  pthread_mutex_unlock(&log_lock);
  return WB_OK;
}

void wbh_log(wb_log_level_t level, const char *fmt, ...) {
  if ((int)level < atomic_load_explicit(&log_min_level, memory_order_relaxed)) return;
  if (wbh_tls_token == WBH_LOGGING_TOKEN) return; /* raised by the callback itself */
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* The lock makes removing the callback final: once wb_set_log_callback
   * returns, the old callback is not running and will not run again. */
  pthread_mutex_lock(&log_lock);
  if (log_callback && (int)level >= atomic_load(&log_min_level)) {
    /* the callback's refused calls must not replace the error being reported */
    wbi_error_state_t *saved = wbi_error_save();
    uint64_t token = wbh_tls_token;
    wbh_tls_token = WBH_LOGGING_TOKEN;
    log_callback(log_user, level, msg);
    wbh_tls_token = token;
    wbi_error_restore(saved);
  }
  pthread_mutex_unlock(&log_lock);
}

static void log_internal_error(const char *msg) { wbh_log(WB_LOG_ERROR, "internal error: %s", msg); }

/* ---- the process's descriptor limit ------------------------------------------ */

/* The Go runtime raises RLIMIT_NOFILE's soft limit to the hard limit when it
 * starts (Go 1.19+, package syscall's init), and never puts it back: a host
 * that relies on the usual 1024 to keep select()/FD_SET in bounds would
 * silently lose that bound by loading wasmbound. This constructor runs
 * before the Go runtime's (prioritized constructors run first) and notes
 * the host's limit; wbh_init, after the runtime's package inits, restores
 * it unless someone changed it in between. */
static struct rlimit host_nofile;
static int host_nofile_known;

__attribute__((constructor(101))) static void note_host_nofile(void) {
  host_nofile_known = getrlimit(RLIMIT_NOFILE, &host_nofile) == 0;
}

static void restore_host_nofile(void) {
  struct rlimit now;
  if (!host_nofile_known || getrlimit(RLIMIT_NOFILE, &now) != 0) return;
  /* only what the Go runtime did: the soft limit raised to one below the
   * unchanged hard limit (Go 1.26 syscall/rlimit.go) */
  if (now.rlim_max == host_nofile.rlim_max && now.rlim_max != RLIM_INFINITY && now.rlim_cur == now.rlim_max - 1 &&
      host_nofile.rlim_cur < now.rlim_cur)
    setrlimit(RLIMIT_NOFILE, &host_nofile);
}

void wbh_init(void) {
  wbi_internal_error_hook = log_internal_error;
  restore_host_nofile();
}

static void orphan_stores_of(uint64_t token) {
  uint32_t n = atomic_load_explicit(&high_water, memory_order_acquire);
  uint32_t orphaned = 0;
  for (uint32_t i = 0; i < n; i++) {
    wbh_slot_t *s = wbh_slot_at(i);
    uint8_t kind = s->kind;
    if (kind != WBH_KIND_STORE && !wbh_is_creator_bound(kind)) continue;
    uint64_t expect = token;
    if (atomic_compare_exchange_strong(&s->owner, &expect, WBH_OWNER_ORPHANED) && kind == WBH_KIND_STORE) {
      atomic_fetch_add(&wbh_orphaned_now, 1);
      atomic_fetch_add(&wbh_orphans_total, 1);
      orphaned++;
    }
  }
  if (orphaned)
    wbh_log(WB_LOG_WARN,
            "thread %d exited owning %u store(s); they are orphans now: adopt (wb_store_adopt) or delete them",
            (int)my_tid(), orphaned);
}

static void on_thread_exit(void *value) {
  (void)value;
  if (tls_owned) orphan_stores_of(wbh_tls_token);
  tls_owned = 0;
}

wb_status_t wbh_owned_for_delete(uint64_t id, uint8_t kind, wbh_slot_t **slot) {
  wbh_slot_t *s = wbh_peek(id, kind);
  if (!s) return wbh_fail_invalid(id, kind);
  uint64_t expect = WBH_OWNER_ORPHANED;
  /* a builder whose creator exited: the deleting thread takes it over */
  if (atomic_compare_exchange_strong(&s->owner, &expect, wbh_token())) atomic_store(&s->owner_tid, my_tid());
  return wbh_owned(id, kind, slot);
}

wb_status_t wbh_delete_builder(uint64_t id, uint8_t kind) {
  if (id == 0) return WB_OK;
  wbh_slot_t *slot;
  wb_status_t st = wbh_owned_for_delete(id, kind, &slot);
  if (st) return st;
  return wbh_delete_shared(id, kind);
}

static void make_exit_key(void) { pthread_key_create(&exit_key, on_thread_exit); }

static void took_ownership(void) {
  tls_owned++;
  if (!tls_exit_hook_set) {
    pthread_once(&exit_key_once, make_exit_key);
    pthread_setspecific(exit_key, (void *)1);
    tls_exit_hook_set = 1;
  }
}

static void gave_up_ownership(void) {
  if (tls_owned) tls_owned--;
}

/* ---- errors ------------------------------------------------------------- */

wb_status_t wbh_fail_invalid(uint64_t id, uint8_t kind) {
  const char *want = wbh_kind_name(kind);
  if (id == 0) return wbi_fail(WB_ERR_INVALID_HANDLE, "invalid handle: null %s (id 0)", want);
  uint8_t k = wbh_id_kind(id);
  if (k != kind) {
    if (k > WBH_KIND_NONE && k < WBH_KIND_COUNT)
      return wbi_fail(WB_ERR_INVALID_HANDLE,
                      "invalid handle: wrong kind: a %s (id 0x%016llx) was passed where a %s is expected",
                      wbh_kind_name(k), (unsigned long long)id, want);
    return wbi_fail(WB_ERR_INVALID_HANDLE,
                    "invalid handle: forged %s (id 0x%016llx has no valid kind tag)", want,
                    (unsigned long long)id);
  }
  uint32_t index = wbh_id_index(id);
  wbh_slot_t *s = index < atomic_load(&high_water) ? wbh_slot_at(index) : 0;
  if (!s)
    return wbi_fail(WB_ERR_INVALID_HANDLE,
                    "invalid handle: forged %s (id 0x%016llx names no slot ever allocated)", want,
                    (unsigned long long)id);
  uint64_t st = atomic_load(&s->state);
  uint32_t gen = (uint32_t)(st >> 32), want_gen = wbh_id_gen(id);
  if (s->kind != kind && s->kind != WBH_KIND_NONE && gen == want_gen)
    return wbi_fail(WB_ERR_INVALID_HANDLE,
                    "invalid handle: forged %s (id 0x%016llx names the slot of a %s)", want,
                    (unsigned long long)id, wbh_kind_name(s->kind));
  if (gen == want_gen && wbh_state_live(st) && kind != WBH_KIND_STORE)
    return wbi_fail(WB_ERR_INVALID_HANDLE,
                    "invalid handle: %s (id 0x%016llx) belonged to a store that was deleted", want,
                    (unsigned long long)id);
  if (kind == WBH_KIND_CALLER && want_gen <= gen)
    return wbi_fail(WB_ERR_INVALID_HANDLE,
                    "invalid handle: wb_caller_t (id 0x%016llx) used after its host function returned",
                    (unsigned long long)id);
  if (want_gen < gen || (gen == want_gen && !wbh_state_live(st)))
    return wbi_fail(WB_ERR_INVALID_HANDLE,
                    "invalid handle: %s (id 0x%016llx) was deleted%s", want, (unsigned long long)id,
                    wbh_is_store_bound(kind) ? " (or its store was)" : "");
  return wbi_fail(WB_ERR_INVALID_HANDLE,
                  "invalid handle: forged %s (id 0x%016llx: generation %u was never issued)", want,
                  (unsigned long long)id, (unsigned)want_gen);
}

static wb_status_t fail_owner(wbh_slot_t *store, uint8_t kind);

wb_status_t wbh_fail_owner(wbh_slot_t *store, uint8_t kind) {
  if (wbh_tls_token == WBH_LOGGING_TOKEN)
    return wbi_fail(WB_ERR_BUSY, "wasmbound functions cannot be called from the log callback");
  atomic_fetch_add_explicit(&wbh_wrong_thread, 1, memory_order_relaxed);
  wb_status_t st = fail_owner(store, kind);
  wbh_log(WB_LOG_WARN, "%s", wb_last_error());
  return st;
}

static wb_status_t fail_owner(wbh_slot_t *store, uint8_t kind) {
  uint64_t owner = atomic_load(&store->owner);
  const char *what = wbh_kind_name(kind);
  if (wbh_is_creator_bound(kind))
    return wbi_fail(WB_ERR_WRONG_THREAD,
                    "wrong thread: this %s was created by thread %d and may be used only by it, but was "
                    "used from thread %d",
                    what, (int)atomic_load(&store->owner_tid), (int)my_tid());
  const char *how = kind == WBH_KIND_STORE ? "" : " belongs to a store that";
  if (owner == WBH_OWNER_RELEASED)
    return wbi_fail(WB_ERR_WRONG_THREAD,
                    "wrong thread: this %s%s was released by its owner; call wb_store_adopt first "
                    "(calling thread %d)",
                    what, how, (int)my_tid());
  if (owner == WBH_OWNER_ORPHANED)
    return wbi_fail(WB_ERR_WRONG_THREAD,
                    "wrong thread: this %s%s is orphaned (its owner thread exited); call "
                    "wb_store_adopt or wb_store_delete first (calling thread %d)",
                    what, how, (int)my_tid());
  return wbi_fail(WB_ERR_WRONG_THREAD,
                  "wrong thread: this %s%s is owned by thread %d, but was used from thread %d; "
                  "a store and everything in it may be used only by its owner thread "
                  "(move it with wb_store_release and wb_store_adopt)",
                  what, how, (int)atomic_load(&store->owner_tid), (int)my_tid());
}

/* ---- allocation --------------------------------------------------------- */

static wbh_slot_t *grab_slot(uint32_t *index_out) {
  pthread_mutex_lock(&alloc_lock);
  uint32_t index;
  if (free_head) {
    index = free_head - 1;
    free_head = wbh_slot_at(index)->next;
  } else {
    index = atomic_load_explicit(&high_water, memory_order_relaxed);
    if (!table_reserve() || index >= wbh_table_slots) { /* (written under this lock) */
      pthread_mutex_unlock(&alloc_lock);
      return 0;
    }
    if (index >= table_writable) {
      /* the next chunk, writable now (its pages are still zeros); each
       * slot is one cache line (the reservation is page-aligned): a lookup
       * touches one line, and threads working on different stores never
       * share one */
      wbh_slot_t *chunk = wbh_table + table_writable;
      if (mprotect(chunk, WBH_CHUNK_SLOTS * sizeof(wbh_slot_t), PROT_READ | PROT_WRITE) != 0) {
        pthread_mutex_unlock(&alloc_lock);
        return 0;
      }
      for (uint32_t i = 0; i < WBH_CHUNK_SLOTS; i++)
        atomic_store_explicit(&chunk[i].state, 1ull << 32, memory_order_relaxed); /* generation 1, not live */
#if defined(__SANITIZE_ADDRESS__)
      /* LeakSanitizer looks for pointers in the heap, globals and stacks,
       * not in mappings of our own: the objects the slots point to would
       * look leaked */
      __lsan_register_root_region(chunk, WBH_CHUNK_SLOTS * sizeof(wbh_slot_t));
#endif
      table_writable += WBH_CHUNK_SLOTS;
    }
    atomic_store_explicit(&high_water, index + 1, memory_order_release);
  }
  pthread_mutex_unlock(&alloc_lock);
  *index_out = index;
  return wbh_slot_at(index);
}

/* Returns a slot whose object is gone to the free list under the next
 * generation, or retires it when that generation would wrap. The live count
 * was already dropped when the handle was deleted (a deleted handle is not
 * live even while an in-flight user or the deadline ticker still holds its
 * object). */
static void free_slot(wbh_slot_t *s, uint32_t index) {
  uint32_t gen = (uint32_t)(atomic_load(&s->state) >> 32);
  s->obj = 0;
  s->first_child = 0;
  s->prev = 0;
  /* retire: never hand this index out again (a slot used up, wbh_use_up,
   * or a caller slot whose ids went on to the last, comes at 0xFFFFFFFF) */
  if (gen >= 0xFFFFFFFEu) {
    atomic_store_explicit(&s->state, WBH_STATE_RETIRED, memory_order_release);
    return;
  }
  atomic_store_explicit(&s->state, (uint64_t)(gen + 1) << 32, memory_order_release);
  pthread_mutex_lock(&alloc_lock);
  s->next = free_head;
  free_head = index + 1;
  pthread_mutex_unlock(&alloc_lock);
}

wb_status_t wbh_alloc(uint8_t kind, void *obj, wbh_slot_t *store, uint64_t *id_out) {
  if (__builtin_expect(wbh_tls_token == WBH_LOGGING_TOKEN, 0))
    return wbi_fail(WB_ERR_BUSY, "wasmbound functions cannot be called from the log callback");
  uint32_t index;
  wbh_slot_t *s = grab_slot(&index);
  if (!s)
    return !wbh_table ? wbi_fail(WB_ERR_NO_MEMORY, "no address space for the handle table (RLIMIT_AS?)")
           : atomic_load(&high_water) < __atomic_load_n(&wbh_table_slots, __ATOMIC_RELAXED)
               ? wbi_fail(WB_ERR_NO_MEMORY, "out of memory for the handle table")
               : wbi_fail(WB_ERR_NO_MEMORY, "the handle table is full (%u live handles)",
                          (unsigned)__atomic_load_n(&wbh_table_slots, __ATOMIC_RELAXED));
  uint32_t gen = (uint32_t)(atomic_load(&s->state) >> 32);
  s->kind = kind;
  s->obj = obj;
  s->next = 0;
  s->first_child = 0;
  s->prev = 0;
  if (store) {
    /* a store's slot records its own index and generation */
    s->store_slot = store;
    s->store_index = store->store_index;
    s->store_gen = store->store_gen;
    /* link into the store's children (owner thread only) */
    s->next = store->first_child;
    if (s->next) wbh_slot_at(s->next - 1)->prev = index + 1;
    store->first_child = index + 1;
  } else {
    s->store_slot = s;
    s->store_index = index;
    s->store_gen = gen;
  }
  if (kind == WBH_KIND_STORE || wbh_is_creator_bound(kind)) {
    atomic_store(&s->owner, wbh_token());
    atomic_store(&s->owner_tid, my_tid());
    took_ownership(); /* the exit hook orphans builders as well as stores */
  } else {
    atomic_store(&s->owner, 0);
  }
  atomic_fetch_add(&wbh_live[kind], 1);
  *id_out = wbh_make_id(gen, kind, index);
  atomic_store_explicit(&s->state, wbh_live_state(*id_out, kind) | 1, memory_order_release);
  return WB_OK;
}

/* ---- shared kinds: reference counting ------------------------------------ */

wb_status_t wbh_acquire(uint64_t id, uint8_t kind, void **obj_out) {
  if (__builtin_expect(wbh_tls_token == WBH_LOGGING_TOKEN, 0))
    return wbi_fail(WB_ERR_BUSY, "wasmbound functions cannot be called from the log callback");
  if (wbh_id_kind(id) != kind) return wbh_fail_invalid(id, kind);
  wbh_slot_t *s = wbh_slot_of_id(id);
  if (!s) return wbh_fail_invalid(id, kind);
  uint64_t st = atomic_load_explicit(&s->state, memory_order_acquire);
  for (;;) {
    if (!wbh_state_is(st, id, kind)) return wbh_fail_invalid(id, kind);
    if ((st & WBH_REFS_MASK) == WBH_REFS_MASK)
      return wbi_fail(WB_ERR_LIMIT, "too many concurrent users of one %s", wbh_kind_name(kind));
    if (atomic_compare_exchange_weak_explicit(&s->state, &st, st + 1, memory_order_acq_rel,
                                              memory_order_acquire))
      break;
  }
  *obj_out = s->obj;
  return WB_OK;
}

void wbh_release(uint64_t id) {
  uint32_t index = wbh_id_index(id);
  wbh_slot_t *s = wbh_slot_at(index);
  uint64_t st = atomic_fetch_sub_explicit(&s->state, 1, memory_order_acq_rel) - 1;
  if ((st & WBH_REFS_MASK) == 0 && !wbh_state_live(st)) {
    void *obj = s->obj;
    wbh_destructor_t fn = destructors[s->kind];
    free_slot(s, index);
    if (fn && obj) fn(obj);
  }
}

void wbh_retain(uint64_t id) {
  atomic_fetch_add_explicit(&wbh_slot_at(wbh_id_index(id))->state, 1, memory_order_relaxed);
}

wb_status_t wbh_delete_shared(uint64_t id, uint8_t kind) {
  if (id == 0) return WB_OK;
  if (wbh_id_kind(id) != kind) return wbh_fail_invalid(id, kind);
  wbh_slot_t *s = wbh_slot_of_id(id);
  if (!s) return wbh_fail_invalid(id, kind);
  uint64_t st = atomic_load_explicit(&s->state, memory_order_acquire);
  for (;;) {
    if (!wbh_state_is(st, id, kind)) return wbh_fail_invalid(id, kind);
    if (atomic_compare_exchange_weak_explicit(&s->state, &st, st & ~WBH_STATE_KIND_MASK, memory_order_acq_rel,
                                              memory_order_acquire))
      break;
  }
  if (wbh_is_creator_bound(kind) && atomic_load(&s->owner) == wbh_tls_token) gave_up_ownership();
  atomic_fetch_sub(&wbh_live[kind], 1);
  wbh_release(id); /* the base reference */
  return WB_OK;
}

/* ---- store-bound handles deleted one by one ----------------------------- */

void wbh_delete_bound(wbh_slot_t *s, uint64_t id) {
  uint32_t index = wbh_id_index(id);
  wbh_slot_t *store = s->store_slot;
  /* unlink from the store's children (owner thread only) */
  if (s->prev) wbh_slot_at(s->prev - 1)->next = s->next;
  else store->first_child = s->next;
  if (s->next) wbh_slot_at(s->next - 1)->prev = s->prev;
  void *obj = s->obj;
  uint8_t kind = s->kind;
  wbh_destructor_t fn = destructors[kind];
  atomic_fetch_sub(&wbh_live[kind], 1);
  free_slot(s, index);
  if (fn && obj) fn(obj);
}

/* ---- stores ------------------------------------------------------------- */

void wbh_delete_store(wbh_slot_t *store, uint64_t store_id) {
  uint32_t child = store->first_child;
  store->first_child = 0;
  while (child) {
    wbh_slot_t *c = wbh_slot_at(child - 1);
    uint32_t next = c->next;
    void *obj = c->obj;
    wbh_destructor_t fn = destructors[c->kind];
    atomic_fetch_sub(&wbh_live[c->kind], 1);
    free_slot(c, child - 1);
    if (fn && obj) fn(obj);
    child = next;
  }
  uint64_t owner = atomic_exchange(&store->owner, 0);
  if (owner >= WBH_FIRST_TOKEN) gave_up_ownership();
  /* clear LIVE, then drop the base reference: a concurrent wb_store_interrupt
   * may still hold one, and the last reference destroys the object. */
  atomic_fetch_and(&store->state, ~WBH_STATE_KIND_MASK);
  atomic_fetch_sub(&wbh_live[WBH_KIND_STORE], 1);
  wbh_release(store_id);
}

wb_status_t wbh_store_release(uint64_t id) {
  wbh_slot_t *s, *store;
  wb_status_t st = wbh_bound(id, WBH_KIND_STORE, &s, &store);
  if (st) return st;
  atomic_store(&s->owner, WBH_OWNER_RELEASED);
  atomic_store(&s->owner_tid, 0);
  gave_up_ownership();
  return WB_OK;
}

wb_status_t wbh_store_adopt(uint64_t id) {
  void *obj;
  /* The reference keeps the slot from being freed and reused while we move
   * the owner word, so the compare-and-swap cannot hit another store. */
  wb_status_t st = wbh_acquire(id, WBH_KIND_STORE, &obj);
  if (st) return st;
  wbh_slot_t *s = wbh_slot_at(wbh_id_index(id));
  uint64_t me = wbh_token();
  uint64_t owner = atomic_load(&s->owner);
  for (;;) {
    if (owner == me) break;
    if (owner != WBH_OWNER_RELEASED && owner != WBH_OWNER_ORPHANED) {
      st = owner == 0 ? wbh_fail_invalid(id, WBH_KIND_STORE) : wbh_fail_owner(s, WBH_KIND_STORE);
      break;
    }
    if (atomic_compare_exchange_weak(&s->owner, &owner, me)) {
      if (owner == WBH_OWNER_ORPHANED) atomic_fetch_sub(&wbh_orphaned_now, 1);
      atomic_store(&s->owner_tid, my_tid());
      took_ownership();
      break;
    }
  }
  wbh_release(id);
  return st;
}

wb_status_t wbh_store_claim(uint64_t id, wbh_slot_t **slot_out) {
  wb_status_t st = wbh_store_adopt(id);
  if (st) return st;
  *slot_out = wbh_slot_at(wbh_id_index(id));
  return WB_OK;
}
