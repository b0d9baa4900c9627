/* Waits that nothing else can end. A guest thread parked in
 * memory.atomic.wait (threads proposal) sits in a condition variable inside
 * Wasmtime until another thread notifies its address or its timeout ends;
 * it never reaches the epoch checks that interrupts, deadlines, call
 * timeouts, future cancels and pool shutdowns rely on, and Wasmtime 39's C
 * API has no call that wakes it (docs/hazards.md). So wasmbound keeps track
 * of the shared memories each store imports (they can only be ones made by
 * wb_shared_memory_new: shared memories a module defines itself are refused
 * unless the engine allows them, lifecycle/policy.go), and when a store
 * must stop, the ticker (dispatch/deadline.c) wakes every waiter of those
 * memories with a tiny wasm function that notifies every 4-byte address.
 * The woken guest reaches its next loop header, where the epoch check
 * stops it. Other guests waiting on the same memory see a spurious wake,
 * which wasm's wait/notify (like a futex) permits and correct code handles
 * by looking again. */
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"

/* ---- sets of shared memories ---------------------------------------------- */

wb_status_t wbl_shared_set_add(wbl_shared_set_t *set, uint64_t id) {
  for (uint32_t i = 0; i < set->n; i++)
    if (set->ids[i] == id) return WB_OK;
  uint64_t *ids = realloc(set->ids, (set->n + 1) * sizeof *ids);
  if (!ids) return wbi_fail(WB_ERR_NO_MEMORY, "out of memory");
  set->ids = ids;
  wbh_retain(id);
  set->ids[set->n++] = id;
  return WB_OK;
}

wb_status_t wbl_shared_set_copy(wbl_shared_set_t *dst, const wbl_shared_set_t *src) {
  for (uint32_t i = 0; i < src->n; i++) {
    wb_status_t st = wbl_shared_set_add(dst, src->ids[i]);
    if (st) return st;
  }
  return WB_OK;
}

void wbl_shared_set_clear(wbl_shared_set_t *set) {
  for (uint32_t i = 0; i < set->n; i++) wbh_release(set->ids[i]);
  free(set->ids);
  *set = (wbl_shared_set_t){0};
}

wb_status_t wbl_store_share(wbd_store_t *s, const wbl_shared_set_t *set) {
  for (uint32_t i = 0; i < set->n; i++) {
    /* the linker's or template's reference proves the memory is alive */
    wb_status_t st = wbd_store_add_shared(s, set->ids[i], wbh_slot_at(wbh_id_index(set->ids[i]))->obj);
    if (st) return st;
  }
  return WB_OK;
}

/* ---- the waker ---------------------------------------------------------------- */

/* Notifies every 4-byte-aligned address below `end`: wakes every waiter of
 * the memory whatever address it waits on (wait32 and wait64 addresses are
 * both multiples of 4). */
static const char waker_wat[] =
    "(module (import \"m\" \"mem\" (memory 0 65536 shared))"
    " (func (export \"wake\") (param $end i32) (local $a i32)"
    "  (block $done (loop $l"
    "   (br_if $done (i32.ge_u (local.get $a) (local.get $end)))"
    "   (drop (memory.atomic.notify (local.get $a) (i32.const -1)))"
    "   (local.set $a (i32.add (local.get $a) (i32.const 4)))"
    "   (br $l)))))";

/* Makes the memory's waker (under wake_lock). */
static int make_waker(wbl_shared_memory_t *m) {
  wasm_byte_vec_t wasm = {0, 0};
  wasmtime_module_t *module = 0;
  wasmtime_linker_t *linker = 0;
  wasmtime_error_t *err = wasmtime_wat2wasm(waker_wat, sizeof waker_wat - 1, &wasm);
  if (!err) err = wasmtime_module_new(m->engine->engine, (const uint8_t *)wasm.data, wasm.size, &module);
  wasm_byte_vec_delete(&wasm);
  if (err) goto fail;
  m->wake_store = wasmtime_store_new(m->engine->engine, 0, 0);
  wasmtime_context_t *ctx = wasmtime_store_context(m->wake_store);
  /* its own calls must not stop: the epoch moves on when stores are
   * interrupted, and fuel may be on in the engine */
  if (m->engine->epoch_interruption) wasmtime_context_set_epoch_deadline(ctx, UINT64_MAX / 2);
  if (m->engine->consume_fuel) {
    wasmtime_error_t *ferr = wasmtime_context_set_fuel(ctx, UINT64_MAX);
    if (ferr) wasmtime_error_delete(ferr);
  }
  linker = wasmtime_linker_new(m->engine->engine);
  wasmtime_extern_t item = {.kind = WASMTIME_EXTERN_SHAREDMEMORY};
  item.of.sharedmemory = m->memory;
  err = wasmtime_linker_define(linker, ctx, "m", 1, "mem", 3, &item);
  wasmtime_instance_t inst;
  wasm_trap_t *trap = 0;
  if (!err) err = wasmtime_linker_instantiate(linker, ctx, module, &inst, &trap);
  if (trap) wasm_trap_delete(trap);
  if (err || trap) goto fail;
  wasmtime_extern_t ext;
  if (!wasmtime_instance_export_get(ctx, &inst, "wake", 4, &ext) || ext.kind != WASMTIME_EXTERN_FUNC) goto fail;
  m->wake_func = ext.of.func;
  wasmtime_linker_delete(linker);
  wasmtime_module_delete(module);
  return 1;
fail:
  if (err) wasmtime_error_delete(err);
  if (linker) wasmtime_linker_delete(linker);
  if (module) wasmtime_module_delete(module);
  if (m->wake_store) wasmtime_store_delete(m->wake_store);
  m->wake_store = 0;
  wbh_log(WB_LOG_ERROR, "cannot make the waker of a shared memory: guests waiting on it cannot be interrupted");
  return 0;
}

static void wake_waiters(void *obj) {
  wbl_shared_memory_t *m = obj;
  pthread_mutex_lock(&m->wake_lock);
  if (m->wake_state == 0) m->wake_state = make_waker(m) ? 1 : -1;
  if (m->wake_state == 1) {
    size_t size = wasmtime_sharedmemory_data_size(m->memory);
    wasmtime_val_raw_t arg = {.i32 = (int32_t)(uint32_t)(size > UINT32_MAX ? UINT32_MAX : size)};
    wasm_trap_t *trap = 0;
    wasmtime_error_t *err =
        wasmtime_func_call_unchecked(wasmtime_store_context(m->wake_store), &m->wake_func, &arg, 1, &trap);
    if (err) wasmtime_error_delete(err);
    if (trap) wasm_trap_delete(trap);
  }
  pthread_mutex_unlock(&m->wake_lock);
}

void wbl_shared_memory_destroy(wbl_shared_memory_t *m) {
  if (m->wake_store) wasmtime_store_delete(m->wake_store);
  wasmtime_sharedmemory_delete(m->memory);
  pthread_mutex_destroy(&m->wake_lock);
  uint64_t engine_id = m->engine_id;
  free(m);
  if (engine_id) wbh_release(engine_id);
}

void wbl_waits_init(void) { wbd_wake_waiters = wake_waiters; }
