package lifecycle_test

// A fuzz target for module bytes: whatever bytes reach wb_module_validate
// and wb_module_new (wasm binary, WAT text, or neither), each returns a
// module or a status error, never crashes; the two agree; a module that
// compiled can be introspected and deleted exactly once.
//
//	go test -run '^$' -fuzz '^FuzzModuleBytes$' -fuzztime 60s ./lifecycle
//
// The seed corpus in testdata/fuzz/FuzzModuleBytes/ also runs as a plain
// test. Test files cannot use cgo, so this drives the Go functions behind
// the exported C entry points (export.go only converts their arguments).

import (
	"errors"
	"sync"
	"testing"
	"unsafe"

	"wasmbound/lifecycle"
	"wasmbound/status"
)

var (
	engineOnce sync.Once
	engineID   uint64
	engineErr  error
)

func engine(t *testing.T) uint64 {
	engineOnce.Do(func() { engineID, engineErr = lifecycle.NewEngine(nil) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engineID
}

func codeOf(err error) status.Code {
	if err == nil {
		return status.OK
	}
	var e *status.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0xFFFFFFFF
}

// Hand-assembled binaries (the WAT seeds below compile to similar ones).
var binarySeeds = [][]byte{
	// (module)
	{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},
	// (module (func (export "f") (result i32) i32.const 42))
	{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
		0x03, 0x02, 0x01, 0x00,
		0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
		0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b},
	// (module (memory (export "m") 1 2) (global (export "g") (mut i32) (i32.const 7)))
	{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x05, 0x04, 0x01, 0x01, 0x01, 0x02,
		0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b,
		0x07, 0x09, 0x02, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x67, 0x03, 0x00},
	// (module (import "env" "f" (func (param i32))))
	{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00,
		0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00},
}

var watSeeds = []string{
	`(module)`,
	`(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`,
	`(module (memory (export "mem") 1 2) (global (export "g") (mut i32) (i32.const 1))
	   (global (export "c") i64 (i64.const 2)) (table (export "t") 1 funcref)
	   (func (export "grow") (result i32) i32.const 1 memory.grow))`,
	`(module (import "host" "f" (func (param i64) (result f64))) (import "host" "m" (memory 1 1 shared))
	   (func (export "start") unreachable) (start 1))`,
	`(module (func (export "v") (param v128) (result v128) local.get 0)
	   (func (export "r") (param funcref) (result funcref) local.get 0))`,
	`(module (func $loop (loop br 0)) (export "spin" (func $loop)))`,
}

// exportList mirrors wb_extern_list_t (the descriptions are read, not freed:
// a test file cannot call free(), and the few bytes per input do not matter).
type externDesc struct {
	module, name       *byte
	kind               uint32
	typ                *byte
	moduleLen, nameLen uintptr
	detail             unsafe.Pointer
}

type externList struct {
	version uint32
	items   *externDesc
	count   uintptr
}

func checkList(t *testing.T, what string, list *externList, imports bool) {
	if list.count > 0 && list.items == nil {
		t.Fatalf("%s: %d items but no array", what, list.count)
	}
	if list.count > 1<<20 {
		t.Fatalf("%s: implausible count %d", what, list.count)
	}
	for _, d := range unsafe.Slice(list.items, list.count) {
		if d.name == nil || d.typ == nil || d.detail == nil || (imports && d.module == nil) {
			t.Fatalf("%s: an item has a NULL string: %+v", what, d)
		}
		if d.kind > 5 {
			t.Fatalf("%s: kind %d is not a wb_externkind_t", what, d.kind)
		}
	}
}

func FuzzModuleBytes(f *testing.F) {
	for _, b := range binarySeeds {
		f.Add(b)
	}
	for _, w := range watSeeds {
		f.Add([]byte(w))
	}
	f.Add([]byte{})
	f.Add([]byte("\x00asm"))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x01\xff\xff\xff\xff\x0f"))
	f.Add([]byte("(module (func (export \"x\") (result i32) i32.const 1 i32.const 2))"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := engine(t)
		var p unsafe.Pointer
		if len(data) > 0 {
			p = unsafe.Pointer(&data[0])
		}
		verr := lifecycle.ValidateModule(e, p, uintptr(len(data)))
		id, cerr := lifecycle.NewModule(e, p, uintptr(len(data)))
		vc, cc := codeOf(verr), codeOf(cerr)
		if len(data) == 0 {
			if vc != status.InvalidArgument || cc != status.InvalidArgument {
				t.Fatalf("empty input: validate %d, compile %d, want %d", vc, cc, status.InvalidArgument)
			}
			return
		}
		if vc != status.OK && vc != status.Compile {
			t.Fatalf("validate: status %d (%v), want OK or COMPILE", vc, verr)
		}
		if cc != status.OK && cc != status.Compile {
			t.Fatalf("compile: status %d (%v), want OK or COMPILE", cc, cerr)
		}
		if vc != status.OK && cc == status.OK {
			t.Fatalf("compiled a module that failed validation: %v", verr)
		}
		if cc != status.OK {
			if id != 0 {
				t.Fatalf("failed compile returned id %#x", id)
			}
			return
		}
		if id == 0 {
			t.Fatal("compile succeeded with the null id")
		}
		imports, exports := externList{version: 1}, externList{version: 1}
		if err := lifecycle.ModuleImports(id, unsafe.Pointer(&imports)); err != nil {
			t.Fatalf("imports: %v", err)
		}
		checkList(t, "imports", &imports, true)
		if err := lifecycle.ModuleExports(id, unsafe.Pointer(&exports)); err != nil {
			t.Fatalf("exports: %v", err)
		}
		checkList(t, "exports", &exports, false)
		if err := lifecycle.DeleteModule(id); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if c := codeOf(lifecycle.DeleteModule(id)); c != status.InvalidHandle {
			t.Fatalf("second delete: status %d, want INVALID_HANDLE", c)
		}
		if c := codeOf(lifecycle.ModuleExports(id, unsafe.Pointer(&exports))); c != status.InvalidHandle {
			t.Fatalf("exports of a deleted module: status %d, want INVALID_HANDLE", c)
		}
	})
}

// The hand-assembled seeds are valid modules (else they would seed nothing).
func TestModuleSeedsCompile(t *testing.T) {
	e := engine(t)
	for i, b := range binarySeeds {
		id, err := lifecycle.NewModule(e, unsafe.Pointer(&b[0]), uintptr(len(b)))
		if err != nil {
			t.Fatalf("binary seed %d: %v", i, err)
		}
		lifecycle.DeleteModule(id)
	}
	for i, w := range watSeeds {
		b := []byte(w)
		id, err := lifecycle.NewModule(e, unsafe.Pointer(&b[0]), uintptr(len(b)))
		if err != nil {
			t.Fatalf("WAT seed %d: %v", i, err)
		}
		lifecycle.DeleteModule(id)
	}
}
