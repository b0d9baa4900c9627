// Package handles owns the handle table and thread binding: typed,
// generation-checked 64-bit ids for every object C sees, the per-thread
// token that identifies an owner thread (never reused, unlike thread ids),
// store ownership moves (release, adopt, orphaning when a thread exits), and
// the live-object counters.
//
// The table is C (handles.c, handles.h) so that the hot paths in dispatch/
// check a handle with a few loads and no Go. This Go file is the control
// plane's and the tests' view of it.
package handles

// #cgo CFLAGS: -I${SRCDIR}/../include -O2
// #include "handles.h"
// void wbh_init(void);
// #include <stdlib.h>
// static uint64_t stat_live(int k) { return atomic_load(&wbh_live[k]); }
// static uint64_t stat_orphaned_now(void) { return atomic_load(&wbh_orphaned_now); }
// static uint64_t stat_orphans_total(void) { return atomic_load(&wbh_orphans_total); }
// static uint64_t stat_wrong_thread(void) { return atomic_load(&wbh_wrong_thread); }
// static wb_status_t bound_check(uint64_t id, uint8_t kind) {
//   wbh_slot_t *s, *st;
//   return wbh_bound(id, kind, &s, &st);
// }
// static void free_destructor(void *obj) { free(obj); }
// static void set_free_destructor(uint8_t kind) { wbh_set_destructor(kind, free_destructor); }
// static wb_status_t alloc_in(uint8_t kind, uint64_t store, uint64_t *out) {
//   wbh_slot_t *ss = 0;
//   if (store) ss = wbh_slot_at(wbh_id_index(store));
//   return wbh_alloc(kind, malloc(16), ss, out);
// }
// static wb_status_t delete_bound(uint64_t id, uint8_t kind) {
//   wbh_slot_t *s, *st;
//   wb_status_t rc = wbh_bound(id, kind, &s, &st);
//   if (rc == WB_OK) wbh_delete_bound(s, id);
//   return rc;
// }
// #include <pthread.h>
// static void *adopt_and_exit(void *arg) {
//   return (void *)(uintptr_t)wbh_store_adopt(*(uint64_t *)arg);
// }
// static wb_status_t adopt_on_exiting_thread(uint64_t id) {
//   pthread_t t;
//   void *ret;
//   if (pthread_create(&t, 0, adopt_and_exit, &id)) return WB_ERR_INTERNAL;
//   pthread_join(t, &ret);
//   return (wb_status_t)(uintptr_t)ret;
// }
// static void set_generation(uint64_t id, uint32_t gen) {
//   wbh_slot_t *s = wbh_slot_at(wbh_id_index(id));
//   uint64_t st = atomic_load(&s->state);
//   atomic_store(&s->state, (uint64_t)gen << 32 | (st & 0xFFFFFFFFu));
// }
// static wb_status_t delete_store(uint64_t id) {
//   wbh_slot_t *s;
//   wb_status_t st = wbh_store_claim(id, &s);
//   if (st) return st;
//   wbh_delete_store(s, id);
//   return WB_OK;
// }
import "C"

import (
	"unsafe"

	"wasmbound/status"
)

func init() { C.wbh_init() }

// Kind is a handle kind tag.
type Kind uint8

const (
	Engine   Kind = C.WBH_KIND_ENGINE
	Module   Kind = C.WBH_KIND_MODULE
	Template Kind = C.WBH_KIND_TEMPLATE
	Store    Kind = C.WBH_KIND_STORE
	Linker   Kind = C.WBH_KIND_LINKER
	Instance Kind = C.WBH_KIND_INSTANCE
	Func     Kind = C.WBH_KIND_FUNC
	Memory   Kind = C.WBH_KIND_MEMORY
	Global   Kind = C.WBH_KIND_GLOBAL
	numKinds      = C.WBH_KIND_COUNT
)

// Counters are the table's statistics.
type Counters struct {
	Live                     [numKinds]uint64
	OrphanedNow, OrphansEver uint64
	WrongThread              uint64
}

// ReadCounters reads the statistics (each counter atomically, not all at once).
func ReadCounters() Counters {
	var c Counters
	for k := range c.Live {
		c.Live[k] = uint64(C.stat_live(C.int(k)))
	}
	c.OrphanedNow = uint64(C.stat_orphaned_now())
	c.OrphansEver = uint64(C.stat_orphans_total())
	c.WrongThread = uint64(C.stat_wrong_thread())
	return c
}

// The functions below drive the table with placeholder objects (malloc'd
// 16-byte blocks freed by a plain destructor), for the package's tests: the
// real objects are made by lifecycle/ and dispatch/.

// UsePlainObjects makes kind's destructor free() its object.
func UsePlainObjects(kind Kind) { C.set_free_destructor(C.uint8_t(kind)) }

// NewPlain allocates a handle of kind holding a placeholder object. store is
// 0 for kinds that do not live in a store; a new store is owned by the
// calling OS thread (lock it with runtime.LockOSThread).
func NewPlain(kind Kind, store uint64) (uint64, error) {
	var id C.uint64_t
	if st := status.Code(C.alloc_in(C.uint8_t(kind), C.uint64_t(store), &id)); st != status.OK {
		return 0, status.Errorf(st, "%s", LastError())
	}
	return uint64(id), nil
}

// Acquire takes a reference on a shared-kind handle; Release drops it.
func Acquire(id uint64, kind Kind) error {
	var obj unsafe.Pointer
	return errorOf(status.Code(C.wbh_acquire(C.uint64_t(id), C.uint8_t(kind), &obj)))
}

// Release drops a reference taken by Acquire.
func Release(id uint64) { C.wbh_release(C.uint64_t(id)) }

// DeleteShared deletes a shared-kind handle.
func DeleteShared(id uint64, kind Kind) error {
	return errorOf(status.Code(C.wbh_delete_shared(C.uint64_t(id), C.uint8_t(kind))))
}

// Bound checks a store-bound handle (or a store) for the calling thread.
func Bound(id uint64, kind Kind) error {
	return errorOf(status.Code(C.bound_check(C.uint64_t(id), C.uint8_t(kind))))
}

// DeleteStore deletes a store and every handle in it (owner, or any thread
// for a released or orphaned store).
func DeleteStore(id uint64) error { return errorOf(status.Code(C.delete_store(C.uint64_t(id)))) }

// DeleteBound deletes one store-bound handle before its store (owner
// thread).
func DeleteBound(id uint64, kind Kind) error {
	return errorOf(status.Code(C.delete_bound(C.uint64_t(id), C.uint8_t(kind))))
}

// ReleaseStore gives up ownership; AdoptStore takes it.
func ReleaseStore(id uint64) error { return errorOf(status.Code(C.wbh_store_release(C.uint64_t(id)))) }

// AdoptStore makes the calling thread the owner of a released or orphaned store.
func AdoptStore(id uint64) error { return errorOf(status.Code(C.wbh_store_adopt(C.uint64_t(id)))) }

// AdoptOnExitingThread adopts the store on a new C thread that then exits
// owning it (Go's own threads exit without running pthread destructors).
func AdoptOnExitingThread(id uint64) error {
	return errorOf(status.Code(C.adopt_on_exiting_thread(C.uint64_t(id))))
}

// SetGeneration moves a live handle's slot to another generation and
// returns the id that names it now (tests reach the end of the generation
// space with it without allocating four billion times).
func SetGeneration(id uint64, gen uint32) uint64 {
	C.set_generation(C.uint64_t(id), C.uint32_t(gen))
	return MakeID(gen, Kind(id>>24&0xff), uint32(id&0xffffff))
}

// LastError is this thread's last error message.
func LastError() string { return C.GoString(C.wb_last_error()) }

// MakeID builds an id from its parts (tests forge ids with it).
func MakeID(gen uint32, kind Kind, index uint32) uint64 {
	return uint64(C.wbh_make_id(C.uint32_t(gen), C.uint8_t(kind), C.uint32_t(index)))
}

func errorOf(st status.Code) error {
	if st == status.OK {
		return nil
	}
	return &status.Error{Code: st, Msg: LastError(), Recorded: true}
}
