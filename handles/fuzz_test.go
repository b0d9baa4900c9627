package handles

// Fuzz targets for handle decoding: whatever 64-bit id and kind tag reach
// the table, a lookup succeeds only for a live handle of exactly that kind,
// reports the documented status otherwise, and never crashes or corrupts
// the table.
//
//	go test -run '^$' -fuzz '^FuzzDecodeID$' -fuzztime 60s ./handles
//	go test -run '^$' -fuzz '^FuzzDecodeProgram$' -fuzztime 60s ./handles
//
// The seed corpora in testdata/fuzz/<name>/ also run as plain tests.

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"wasmbound/status"
)

// Kinds the Go side has no constant for (handles.h).
const (
	kindNone        Kind = 0
	kindCaller      Kind = 10
	kindWasiConfig  Kind = 11
	kindSharedMem   Kind = 12
	kindPool        Kind = 13
	kindFuture      Kind = 14
	kindCountPlusUp Kind = numKinds
)

func isStoreBound(k Kind) bool {
	return k == Instance || k == Func || k == Memory || k == Global || k == kindCaller
}

// ---- a model of what the table should hold ---------------------------------

type modelHandle struct {
	kind  Kind
	store uint64 // store-bound kinds: their store
	live  bool
}

type model struct {
	h        map[uint64]*modelHandle
	order    []uint64          // every id issued, live or not, in issue order
	released map[uint64]bool   // stores given up with ReleaseStore
	children map[uint64][]uint64
}

func newModel() *model {
	return &model{h: map[uint64]*modelHandle{}, released: map[uint64]bool{}, children: map[uint64][]uint64{}}
}

func (m *model) add(id uint64, k Kind, store uint64) {
	m.h[id] = &modelHandle{kind: k, store: store, live: true}
	m.order = append(m.order, id)
	if store != 0 {
		m.children[store] = append(m.children[store], id)
	}
}

func (m *model) kill(id uint64) {
	h := m.h[id]
	h.live = false
	if h.kind == Store {
		for _, c := range m.children[id] {
			m.h[c].live = false
		}
		delete(m.children, id)
		delete(m.released, id)
	}
}

// liveKind is the kind of a live handle, or kindNone.
func (m *model) liveKind(id uint64) (Kind, *modelHandle) {
	if h, ok := m.h[id]; ok && h.live {
		return h.kind, h
	}
	return kindNone, nil
}

// wantAcquire: a reference can be taken on exactly the live handles of the
// asked kind (the table counts references on every kind).
func (m *model) wantAcquire(id uint64, k Kind) status.Code {
	if lk, _ := m.liveKind(id); lk == k && k != kindNone {
		return status.OK
	}
	return status.InvalidHandle
}

// wantBound: a store or store-bound handle is usable by the store's owner;
// released (and foreign) stores give WrongThread; anything else is invalid.
func (m *model) wantBound(id uint64, k Kind, ownerHere bool) status.Code {
	lk, h := m.liveKind(id)
	if lk != k || k == kindNone {
		return status.InvalidHandle
	}
	store := id
	if k != Store {
		store = h.store
	}
	if m.released[store] || !ownerHere {
		return status.WrongThread
	}
	return status.OK
}

// ---- checks ---------------------------------------------------------------

func checkCode(what string, id uint64, k Kind, err error, want status.Code) error {
	got := codeOf(err)
	if got != want {
		return fmt.Errorf("%s(id %#016x, kind %d) = status %d, want %d (err %v)", what, id, k, got, want, err)
	}
	if err != nil {
		if _, ok := err.(*status.Error); !ok {
			return fmt.Errorf("%s(id %#016x, kind %d): error %T is not a *status.Error", what, id, k, err)
		}
	}
	return nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// present shows id as kind k to every lookup path the table has and checks
// each answer against the model. ownerHere says whether the calling thread
// owns the stores the model does not mark released. It returns the first
// mismatch (it also runs on the other thread, where t.Fatal cannot).
func present(m *model, id uint64, k Kind, ownerHere bool) error {
	// decoding: the id's parts put back together give the id
	if MakeID(uint32(id>>32), Kind(id>>24&0xff), uint32(id&0xffffff)) != id {
		return fmt.Errorf("MakeID does not round-trip id %#016x", id)
	}
	want := m.wantAcquire(id, k)
	err := Acquire(id, k)
	if err == nil {
		Release(id)
	}
	if e := checkCode("Acquire", id, k, err, want); e != nil {
		return e
	}
	if k == Store || isStoreBound(k) {
		if e := checkCode("Bound", id, k, Bound(id, k), m.wantBound(id, k, ownerHere)); e != nil {
			return e
		}
	}
	// deleting an id that is not a live handle of that kind must be refused
	// without touching the table (live ones are deleted only by the program)
	if want != status.OK && k != Store && !isStoreBound(k) {
		wantDel := status.InvalidHandle
		if id == 0 {
			wantDel = status.OK
		}
		if e := checkCode("DeleteShared", id, k, DeleteShared(id, k), wantDel); e != nil {
			return e
		}
	}
	return nil
}

// ---- a fixed set of live and deleted handles per process --------------------

type fixture struct {
	m   *model
	ids []uint64 // live and deleted, every kind
}

var (
	fixtureOnce sync.Once
	theFixture  fixture
)

func init() {
	for _, k := range []Kind{Engine, Module, Template, Store, Instance, Func, Memory, Global} {
		UsePlainObjects(k)
	}
}

// getFixture makes, on a thread of its own: a live engine, module and
// template; a live store with one child of each store-bound kind, released
// (so no thread owns it); and the same again deleted.
func getFixture() *fixture {
	fixtureOnce.Do(func() {
		done := make(chan string)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			m := newModel()
			mk := func(k Kind, store uint64) uint64 {
				id, err := NewPlain(k, store)
				if err != nil {
					panic(err)
				}
				m.add(id, k, store)
				return id
			}
			for round := 0; round < 2; round++ {
				e, mod, tmpl := mk(Engine, 0), mk(Module, 0), mk(Template, 0)
				st := mk(Store, 0)
				for _, k := range []Kind{Instance, Func, Memory, Global} {
					mk(k, st)
				}
				if round == 0 { // deleted
					for id, k := range map[uint64]Kind{e: Engine, mod: Module, tmpl: Template} {
						if err := DeleteShared(id, k); err != nil {
							panic(err)
						}
						m.kill(id)
					}
					if err := DeleteStore(st); err != nil {
						panic(err)
					}
					m.kill(st)
				} else { // live, the store released
					if err := ReleaseStore(st); err != nil {
						panic(err)
					}
					m.released[st] = true
				}
			}
			theFixture = fixture{m: m, ids: append([]uint64(nil), m.order...)}
			done <- ""
		}()
		<-done
	})
	return &theFixture
}

func liveCounts() [numKinds]uint64 { return ReadCounters().Live }

// FuzzDecodeID presents one id as one kind: a random id, or a fixture
// handle (live or deleted) with one bit flipped or none.
func FuzzDecodeID(f *testing.F) {
	f.Add(uint64(0), uint8(Engine), uint8(255), uint8(255))
	f.Add(uint64(0x0000777701000000), uint8(Engine), uint8(255), uint8(255))
	f.Add(uint64(0xffffffffffffffff), uint8(Store), uint8(255), uint8(255))
	for pick := 0; pick < 16; pick++ {
		f.Add(uint64(0), uint8(pick%int(numKinds)), uint8(pick), uint8(200))
		f.Add(uint64(0), uint8(Func), uint8(pick), uint8(33))
	}
	f.Fuzz(func(t *testing.T, raw uint64, kind, pick, flip uint8) {
		fx := getFixture()
		before := liveCounts()
		id := raw
		if int(pick) < 2*len(fx.ids) {
			id = fx.ids[int(pick)%len(fx.ids)]
			if int(pick) >= len(fx.ids) { // the right id, presented as every kind
				for k := kindNone; k <= kindCountPlusUp; k++ {
					must(t, present(fx.m, id, k, false))
				}
			}
		}
		if flip < 64 {
			id ^= 1 << flip
		}
		must(t, present(fx.m, id, Kind(kind), false))
		if after := liveCounts(); after != before {
			t.Fatalf("live handle counts changed from %v to %v", before, after)
		}
		// the fixture is intact: every live handle is still usable
		for _, fid := range fx.ids {
			if k, _ := fx.m.liveKind(fid); k != kindNone {
				must(t, present(fx.m, fid, k, false))
			}
		}
	})
}

// ---- programs: create, delete, move and present handles --------------------

// other is a thread that owns nothing: it presents ids for the program.
type otherThread struct{ req chan func() }

var (
	otherOnce sync.Once
	other     otherThread
)

func getOther() *otherThread {
	otherOnce.Do(func() {
		other.req = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the goroutine lives as long as the process
			for fn := range other.req {
				fn()
			}
		}()
	})
	return &other
}

func (o *otherThread) run(fn func()) {
	done := make(chan struct{})
	o.req <- func() { fn(); close(done) }
	<-done
}

type reader struct {
	b []byte
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) u64() uint64 {
	var buf [8]byte
	n := copy(buf[:], r.b)
	r.b = r.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

// pick chooses an id the program has seen (live or not), or 0.
func (m *model) pick(r *reader) uint64 {
	if len(m.order) == 0 {
		return 0
	}
	c := int(r.byte())
	if c == 255 {
		return 0
	}
	return m.order[c%len(m.order)]
}

func (m *model) pickOfKind(r *reader, k Kind) uint64 {
	var ids []uint64
	for _, id := range m.order {
		if m.h[id].kind == k {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0
	}
	return ids[int(r.byte())%len(ids)]
}

var sharedKinds = []Kind{Engine, Module, Template}
var childKinds = []Kind{Instance, Func, Memory, Global}

// FuzzDecodeProgram runs a program of table operations against the model:
// every status must be the model's, ids are presented (exact, bit-flipped,
// raw) as every kind on this thread and on a thread that owns nothing, and
// at the end everything is deleted and the live counts are back.
func FuzzDecodeProgram(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1, 2, 0, 2, 0, 1, 2, 1, 2, 2, 2, 3, 6, 0, 7, 6, 2, 7, 6, 3, 0x88, 3, 3, 3, 1})
	f.Add([]byte{1, 2, 0, 0, 4, 0, 6, 1, 7, 8, 0, 1, 255, 5, 0, 6, 1, 6, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{0, 1, 1, 2, 0, 3, 0, 1, 3, 0, 1, 0, 1, 2, 0, 2, 6, 0, 7, 200, 6, 1, 7, 9, 9, 10, 3, 1, 6, 1, 9, 64})
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) > 4096 {
			prog = prog[:4096]
		}
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		fx := getFixture() // other live and deleted objects exist in the table too
		oth := getOther()
		before := liveCounts()
		m := newModel()
		for id, h := range fx.m.h { // known to the model, but never picked by the program
			c := *h
			m.h[id] = &c
		}
		for id := range fx.m.released {
			m.released[id] = true
		}
		r := &reader{b: prog}
		cleanup := func() {
			for _, id := range m.order {
				h := m.h[id]
				if !h.live {
					continue
				}
				switch {
				case h.kind == Store:
					must(t, checkCode("DeleteStore", id, Store, DeleteStore(id), status.OK))
					m.kill(id)
				case !isStoreBound(h.kind):
					must(t, checkCode("DeleteShared", id, h.kind, DeleteShared(id, h.kind), status.OK))
					m.kill(id)
				}
			}
		}
		defer cleanup()
		sweeps := 0
		for steps := 0; len(r.b) > 0 && steps < 512; steps++ {
			switch op := r.byte() % 10; op {
			case 0: // a shared object
				k := sharedKinds[int(r.byte())%len(sharedKinds)]
				id, err := NewPlain(k, 0)
				must(t, checkCode("NewPlain", 0, k, err, status.OK))
				m.add(id, k, 0)
			case 1: // a store, owned by this thread
				id, err := NewPlain(Store, 0)
				must(t, checkCode("NewPlain", 0, Store, err, status.OK))
				m.add(id, Store, 0)
			case 2: // a child in a live store this thread owns
				k := childKinds[int(r.byte())%len(childKinds)]
				st := m.pickOfKind(r, Store)
				if h := m.h[st]; st == 0 || !h.live || m.released[st] {
					continue
				}
				id, err := NewPlain(k, st)
				must(t, checkCode("NewPlain", st, k, err, status.OK))
				m.add(id, k, st)
			case 3: // delete any id as its own kind
				id := m.pick(r)
				if id == 0 {
					must(t, checkCode("DeleteShared", 0, Engine, DeleteShared(0, Engine), status.OK))
					continue
				}
				h := m.h[id]
				want := status.InvalidHandle
				if h.live {
					want = status.OK
				}
				switch {
				case h.kind == Store:
					must(t, checkCode("DeleteStore", id, Store, DeleteStore(id), want))
				case isStoreBound(h.kind):
					continue // children go with their store only
				default:
					must(t, checkCode("DeleteShared", id, h.kind, DeleteShared(id, h.kind), want))
				}
				if want == status.OK {
					m.kill(id)
				}
			case 4: // release a store
				id := m.pickOfKind(r, Store)
				if id == 0 {
					continue
				}
				want := m.wantBound(id, Store, true)
				must(t, checkCode("ReleaseStore", id, Store, ReleaseStore(id), want))
				if want == status.OK {
					m.released[id] = true
				}
			case 5: // adopt a store (own, released or deleted)
				id := m.pickOfKind(r, Store)
				if id == 0 {
					continue
				}
				want := status.InvalidHandle
				if m.h[id].live {
					want = status.OK
				}
				must(t, checkCode("AdoptStore", id, Store, AdoptStore(id), want))
				if want == status.OK {
					delete(m.released, id)
				}
			case 6, 7: // present a known id, maybe bit-flipped, as some kind
				id := m.pick(r)
				flip := r.byte()
				if flip < 64 {
					id ^= 1 << flip
				}
				k := Kind(r.byte())
				if op == 6 {
					must(t, present(m, id, k, true))
					if h, ok := m.h[id]; ok {
						must(t, present(m, id, h.kind, true))
					}
				} else {
					var e error
					oth.run(func() { e = present(m, id, k, false) })
					must(t, e)
				}
			case 8: // a raw id
				id := r.u64()
				must(t, present(m, id, Kind(r.byte()), true))
			case 9: // every known id as every kind, here and elsewhere (twice at most)
				if sweeps++; sweeps > 2 {
					continue
				}
				for _, id := range m.order {
					for k := kindNone; k <= kindCountPlusUp; k++ {
						must(t, present(m, id, k, true))
					}
					var e error
					oth.run(func() {
						if e = present(m, id, Store, false); e == nil {
							e = present(m, id, Func, false)
						}
					})
					must(t, e)
				}
			}
		}
		cleanup()
		if after := liveCounts(); after != before {
			t.Fatalf("live handle counts changed from %v to %v", before, after)
		}
		for _, id := range m.order {
			for _, k := range []Kind{Engine, Module, Template, Store, Func, Global} {
				must(t, present(m, id, k, true))
			}
		}
	})
}
