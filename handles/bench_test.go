package handles

// Benchmarks of the handle table, each single-threaded and with
// b.RunParallel. Every operation crosses cgo once (tests cannot call C
// directly), so BenchmarkCgoCall gives the cost of the crossing alone;
// subtract it to estimate what the table itself costs.
//
//	go test -run '^$' -bench . -benchtime=200000x ./handles
//
// Create and delete keep at most a batch of handles alive (the table never
// shrinks, so an unbounded b.N must not mean an unbounded table); the
// parallel variants time their own creates or deletes in batches and report
// them as create-ns/op or delete-ns/op (per goroutine, so under contention),
// beside Go's ns/op, which counts the untimed half too.

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

const benchBatch = 1024

func init() { UsePlainObjects(Memory) }

// BenchmarkCgoCall: one cgo call into a trivial C function (wbh_make_id).
func BenchmarkCgoCall(b *testing.B) {
	var sink uint64
	for i := 0; i < b.N; i++ {
		sink += MakeID(1, Engine, uint32(i)&0xffff)
	}
	_ = sink
}

func mustNew(b *testing.B, kind Kind, store uint64) uint64 {
	id, err := NewPlain(kind, store)
	if err != nil {
		b.Fatal(err)
	}
	return id
}

// ---- create ----------------------------------------------------------------------

func BenchmarkCreate(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		ids := make([]uint64, 0, benchBatch)
		for i := 0; i < b.N; i++ {
			ids = append(ids, mustNew(b, Engine, 0))
			if len(ids) == benchBatch || i == b.N-1 {
				b.StopTimer()
				for _, id := range ids {
					DeleteShared(id, Engine)
				}
				ids = ids[:0]
				b.StartTimer()
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		var createNs atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			ids := make([]uint64, 0, benchBatch)
			var mine time.Duration
			t0 := time.Now()
			flush := func() {
				mine += time.Since(t0)
				for _, id := range ids {
					DeleteShared(id, Engine)
				}
				ids = ids[:0]
				t0 = time.Now()
			}
			for pb.Next() {
				id, err := NewPlain(Engine, 0)
				if err != nil {
					b.Error(err)
					return
				}
				if ids = append(ids, id); len(ids) == benchBatch {
					flush()
				}
			}
			flush()
			createNs.Add(int64(mine))
		})
		b.ReportMetric(float64(createNs.Load())/float64(b.N), "create-ns/op")
	})
}

// ---- lookup ----------------------------------------------------------------------

// BenchmarkLookup: shared kinds take and drop a reference (wbh_acquire and
// wbh_release, two cgo calls); store-bound kinds are checked for the owner
// thread (wbh_bound, the hot paths' check, one cgo call).
func BenchmarkLookup(b *testing.B) {
	b.Run("shared", func(b *testing.B) {
		id := mustNew(b, Engine, 0)
		defer DeleteShared(id, Engine)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := Acquire(id, Engine); err != nil {
				b.Fatal(err)
			}
			Release(id)
		}
	})
	b.Run("shared-parallel", func(b *testing.B) {
		// every goroutine uses the same handle, as threads share one engine
		id := mustNew(b, Engine, 0)
		defer DeleteShared(id, Engine)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := Acquire(id, Engine); err != nil {
					b.Error(err)
					return
				}
				Release(id)
			}
		})
	})
	b.Run("bound", func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		store := mustNew(b, Store, 0)
		defer DeleteStore(store)
		fn := mustNew(b, Func, store)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := Bound(fn, Func); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bound-parallel", func(b *testing.B) {
		// every goroutine owns its store, as threads own theirs
		b.RunParallel(func(pb *testing.PB) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			store, err := NewPlain(Store, 0)
			if err != nil {
				b.Error(err)
				return
			}
			defer DeleteStore(store)
			fn, err := NewPlain(Func, store)
			if err != nil {
				b.Error(err)
				return
			}
			for pb.Next() {
				if err := Bound(fn, Func); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// ---- delete ----------------------------------------------------------------------

func BenchmarkDelete(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		ids := make([]uint64, 0, benchBatch)
		for i := 0; i < b.N; i += len(ids) {
			b.StopTimer()
			ids = ids[:0]
			for j := i; j < b.N && len(ids) < benchBatch; j++ {
				ids = append(ids, mustNew(b, Engine, 0))
			}
			b.StartTimer()
			for _, id := range ids {
				if err := DeleteShared(id, Engine); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		var deleteNs atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			ids := make([]uint64, 0, benchBatch)
			var mine time.Duration
			flush := func() {
				t0 := time.Now()
				for _, id := range ids {
					if err := DeleteShared(id, Engine); err != nil {
						b.Error(err)
					}
				}
				mine += time.Since(t0)
				ids = ids[:0]
			}
			for pb.Next() {
				id, err := NewPlain(Engine, 0)
				if err != nil {
					b.Error(err)
					return
				}
				if ids = append(ids, id); len(ids) == benchBatch {
					flush()
				}
			}
			flush()
			deleteNs.Add(int64(mine))
		})
		b.ReportMetric(float64(deleteNs.Load())/float64(b.N), "delete-ns/op")
	})
	b.Run("store-with-children", func(b *testing.B) {
		// one store and 16 memories: the store's delete frees them all.
		// ns/op counts making them too; delete-ns/op only the delete.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var del time.Duration
		for i := 0; i < b.N; i++ {
			store := mustNew(b, Store, 0)
			for j := 0; j < 16; j++ {
				mustNew(b, Memory, store)
			}
			t0 := time.Now()
			if err := DeleteStore(store); err != nil {
				b.Fatal(err)
			}
			del += time.Since(t0)
		}
		b.ReportMetric(float64(del)/float64(b.N), "delete-ns/op")
	})
}
