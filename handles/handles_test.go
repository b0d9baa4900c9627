package handles

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"wasmbound/status"
)

func init() {
	for _, k := range []Kind{Engine, Module, Store, Instance, Func} {
		UsePlainObjects(k)
	}
}

func codeOf(err error) status.Code {
	var e *status.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return status.OK
	}
	return 0xFFFFFFFF
}

func wantCode(t *testing.T, err error, want status.Code, msgPart string) {
	t.Helper()
	if got := codeOf(err); got != want {
		t.Fatalf("status %d, want %d (err %v)", got, want, err)
	}
	if msgPart != "" && !strings.Contains(err.Error(), msgPart) {
		t.Fatalf("message %q does not mention %q", err.Error(), msgPart)
	}
}

func TestSharedLifecycle(t *testing.T) {
	id, err := NewPlain(Engine, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := Acquire(id, Engine); err != nil {
		t.Fatal(err)
	}
	wantCode(t, Acquire(id, Module), status.InvalidHandle, "wrong kind")
	if err := DeleteShared(id, Engine); err != nil {
		t.Fatal(err)
	}
	// deleted while a reference is held: new users refused, the holder finishes
	wantCode(t, Acquire(id, Engine), status.InvalidHandle, "was deleted")
	Release(id)
	wantCode(t, DeleteShared(id, Engine), status.InvalidHandle, "was deleted")
	wantCode(t, DeleteShared(0, Engine), status.OK, "")
	wantCode(t, Acquire(0, Engine), status.InvalidHandle, "null wb_engine_t")
}

func TestSlotReuseRefusesOldID(t *testing.T) {
	old, _ := NewPlain(Module, 0)
	if err := DeleteShared(old, Module); err != nil {
		t.Fatal(err)
	}
	fresh, _ := NewPlain(Module, 0)
	defer DeleteShared(fresh, Module)
	if fresh&0xffffff == old&0xffffff && fresh == old {
		t.Fatalf("reused slot gave the same id %x", fresh)
	}
	wantCode(t, Acquire(old, Module), status.InvalidHandle, "was deleted")
	if err := Acquire(fresh, Module); err != nil {
		t.Fatal(err)
	}
	Release(fresh)
}

// A slot whose generation would wrap is retired, never reused: no id it ever
// had can name a new object. A slot freed at the last generation itself (a
// caller slot whose ids are used up, dispatch/host.c) is retired too.
func TestGenerationNeverWraps(t *testing.T) {
	for _, last := range []uint32{0xFFFFFFFE, 0xFFFFFFFF} {
		id, _ := NewPlain(Module, 0)
		old := SetGeneration(id, last)
		if err := DeleteShared(old, Module); err != nil {
			t.Fatal(err)
		}
		index := uint32(old & 0xffffff)
		for i := 0; i < 5000; i++ {
			fresh, err := NewPlain(Module, 0)
			if err != nil {
				t.Fatal(err)
			}
			if uint32(fresh&0xffffff) == index {
				t.Fatalf("slot %d retired at generation %x was reused as %x", index, last, fresh)
			}
			defer DeleteShared(fresh, Module)
		}
		for _, gen := range []uint32{0xFFFFFFFE, 0xFFFFFFFF, 0, 1, 2} {
			if Acquire(MakeID(gen, Module, index), Module) == nil {
				t.Fatalf("generation %x of the slot retired at %x accepted", gen, last)
			}
		}
	}
}

// An id that pairs one kind's tag with another kind's live slot is refused.
func TestKindTagMustMatchSlot(t *testing.T) {
	mod, _ := NewPlain(Module, 0)
	defer DeleteShared(mod, Module)
	forged := mod&^(0xff<<24) | uint64(Engine)<<24
	wantCode(t, Acquire(forged, Engine), status.InvalidHandle, "names the slot of a wb_module_t")
	wantCode(t, DeleteShared(forged, Engine), status.InvalidHandle, "forged")
}

func TestForgedIDsRefused(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		id := r.Uint64()
		for _, k := range []Kind{Engine, Module, Store, Func} {
			var err error
			if k == Func || k == Store {
				err = Bound(id, k)
			} else {
				err = Acquire(id, k)
			}
			if err == nil {
				t.Fatalf("forged id %x accepted as kind %d", id, k)
			}
		}
	}
	wantCode(t, Acquire(MakeID(7, Engine, 1<<23), Engine), status.InvalidHandle, "forged")
}

func TestStoreBindingAndOrphans(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	store, _ := NewPlain(Store, 0)
	fn, _ := NewPlain(Func, store)
	if err := Bound(fn, Func); err != nil {
		t.Fatal(err)
	}
	// another thread is refused
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		done <- Bound(fn, Func)
	}()
	wantCode(t, <-done, status.WrongThread, "owned by thread")

	// release, then adopt on another thread that exits while owning it
	if err := ReleaseStore(store); err != nil {
		t.Fatal(err)
	}
	wantCode(t, Bound(fn, Func), status.WrongThread, "released")
	before := ReadCounters().OrphansEver
	if err := AdoptOnExitingThread(store); err != nil {
		t.Fatal(err)
	}
	if ReadCounters().OrphansEver != before+1 {
		t.Fatal("the exited thread's store was not orphaned")
	}
	wantCode(t, Bound(fn, Func), status.WrongThread, "orphaned")
	if err := DeleteStore(store); err != nil {
		t.Fatal(err)
	}
	wantCode(t, Bound(fn, Func), status.InvalidHandle, "deleted")
	wantCode(t, Bound(store, Store), status.InvalidHandle, "deleted")
}

// Store-bound handles deleted one by one, from the head, the middle and the
// tail of their store's list, leave the others valid, free their slots for
// reuse, and leave a list the store's deletion still walks correctly.
func TestDeleteBoundOneByOne(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	live := func() uint64 { return ReadCounters().Live[Func] }
	before := live()
	store, _ := NewPlain(Store, 0)
	var ids []uint64
	for i := 0; i < 5; i++ {
		id, err := NewPlain(Func, store)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id) // each new child goes to the head of the list
	}
	for _, i := range []int{4, 2, 0} { // head, middle, tail
		if err := DeleteBound(ids[i], Func); err != nil {
			t.Fatal(err)
		}
		wantCode(t, Bound(ids[i], Func), status.InvalidHandle, "deleted")
		wantCode(t, DeleteBound(ids[i], Func), status.InvalidHandle, "deleted")
	}
	for _, i := range []int{1, 3} {
		if err := Bound(ids[i], Func); err != nil {
			t.Fatalf("handle %d: %v", i, err)
		}
	}
	if live() != before+2 {
		t.Fatalf("live funcs %d, want %d", live(), before+2)
	}
	reused, _ := NewPlain(Func, store) // a freed slot, a new generation
	if reused == ids[0] || reused == ids[2] || reused == ids[4] {
		t.Fatal("a deleted id was handed out again")
	}
	if err := DeleteStore(store); err != nil {
		t.Fatal(err)
	}
	if live() != before {
		t.Fatalf("live funcs %d after the store's deletion, want %d", live(), before)
	}
	for _, id := range append(ids, reused) {
		wantCode(t, Bound(id, Func), status.InvalidHandle, "deleted")
	}
}

func TestConcurrentChurn(t *testing.T) {
	shared, _ := NewPlain(Module, 0)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for i := 0; i < 2000; i++ {
				if err := Acquire(shared, Module); err == nil {
					Release(shared)
				}
				store, err := NewPlain(Store, 0)
				if err != nil {
					t.Error(err)
					return
				}
				fn, _ := NewPlain(Func, store)
				if err := Bound(fn, Func); err != nil {
					t.Error(err)
				}
				if err := DeleteStore(store); err != nil {
					t.Error(err)
				}
				if Bound(fn, Func) == nil {
					t.Error("func of a deleted store accepted")
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // deletes the shared handle while others use it
		defer wg.Done()
		runtime.Gosched()
		if err := DeleteShared(shared, Module); err != nil {
			t.Error(err)
		}
	}()
	wg.Wait()
}

func BenchmarkCreateDelete(b *testing.B) {
	for i := 0; i < b.N; i++ {
		id, _ := NewPlain(Engine, 0)
		DeleteShared(id, Engine)
	}
}

func BenchmarkAcquireRelease(b *testing.B) {
	id, _ := NewPlain(Engine, 0)
	defer DeleteShared(id, Engine)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Acquire(id, Engine)
		Release(id)
	}
}

func BenchmarkAcquireReleaseParallel(b *testing.B) {
	id, _ := NewPlain(Engine, 0)
	defer DeleteShared(id, Engine)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			Acquire(id, Engine)
			Release(id)
		}
	})
}

func BenchmarkCreateDeleteParallel(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id, _ := NewPlain(Engine, 0)
			DeleteShared(id, Engine)
		}
	})
}
