// Package modinfo reads what a WebAssembly module declares (its types,
// imports, functions, tables, memories, globals, tags and exports) from the
// wasm binary, without Wasmtime.
//
// Why: Wasmtime 39's C API cannot describe GC or typed-function reference
// types (wasm_valtype_kind aborts the process for any reference type other
// than a nullable funcref or externref) and cannot describe tags at all (its
// import and export lists abort on one). wasmbound's introspection, and the
// types of the functions, globals and tables it hands out, come from here.
//
// Parse is for modules Wasmtime has already validated, but it never trusts
// its input: any byte string gives an *Info or an error, never a panic, and
// it allocates no more than a small multiple of the input's length. Code,
// data, element, start and custom sections are skipped; constant
// expressions (global and table initialisers) are skipped instruction by
// instruction.
//
// Pure Go, no cgo; safe for concurrent use (it keeps no state).
package modinfo

import (
	"errors"
	"fmt"
	"sort"
)

// Value kinds: the values of wb_valkind_t (include/wasmbound.h). For a
// reference type the kind names its hierarchy.
const (
	KindI32     uint8 = 0
	KindI64     uint8 = 1
	KindF32     uint8 = 2
	KindF64     uint8 = 3
	KindV128    uint8 = 4
	KindFuncRef uint8 = 5
	KindExtern  uint8 = 6
	KindAny     uint8 = 7
	KindExn     uint8 = 8
	KindCont    uint8 = 9
)

// Heap types: the values of wb_heaptype_t.
const (
	HeapNoneGiven      uint8 = 0 // not a reference type
	HeapFunc           uint8 = 1
	HeapNoFunc         uint8 = 2
	HeapExtern         uint8 = 3
	HeapNoExtern       uint8 = 4
	HeapAny            uint8 = 5
	HeapEq             uint8 = 6
	HeapI31            uint8 = 7
	HeapStruct         uint8 = 8
	HeapArray          uint8 = 9
	HeapNone           uint8 = 10
	HeapExn            uint8 = 11
	HeapNoExn          uint8 = 12
	HeapCont           uint8 = 13
	HeapNoCont         uint8 = 14
	HeapConcreteFunc   uint8 = 15
	HeapConcreteStruct uint8 = 16
	HeapConcreteArray  uint8 = 17
	HeapConcreteCont   uint8 = 18
)

// Extern kinds: the values of wb_externkind_t.
const (
	ExternFunc   uint8 = 0
	ExternGlobal uint8 = 1
	ExternTable  uint8 = 2
	ExternMemory uint8 = 3
	ExternTag    uint8 = 5
)

// Composite type kinds.
const (
	CompFunc   uint8 = 0
	CompStruct uint8 = 1
	CompArray  uint8 = 2
	CompCont   uint8 = 3
)

// ValType is a value type in full (the layout of wb_valtype_t).
type ValType struct {
	Kind      uint8  // Kind*
	Nullable  bool   // references only
	Heap      uint8  // Heap*; HeapNoneGiven for numbers and v128
	TypeIndex uint32 // concrete heap types: the module's type index
}

// IsRef says whether t is a reference type.
func (t ValType) IsRef() bool { return t.Heap != HeapNoneGiven }

// Basic says whether Wasmtime 39's C API can describe t: a number, v128, or
// a nullable funcref or externref.
func (t ValType) Basic() bool {
	return !t.IsRef() || (t.Nullable && (t.Heap == HeapFunc || t.Heap == HeapExtern))
}

// ExnOrCont says whether t is of the exception or continuation hierarchy,
// whose values Wasmtime 39's C API aborts on when it converts them.
func (t ValType) ExnOrCont() bool { return t.Kind == KindExn || t.Kind == KindCont }

// SubType is one entry of the type section.
type SubType struct {
	Comp     uint8     // Comp*
	Final    bool      // no subtypes may be declared
	Supers   []uint32  // declared supertypes (at most one in wasm 3.0)
	Params   []ValType // CompFunc
	Results  []ValType // CompFunc
	Fields   []Field   // CompStruct; one for CompArray
	ContFunc uint32    // CompCont: its function type
	RecGroup uint32    // the index of the first type of its recursion group
}

// Field is a struct or array field.
type Field struct {
	Storage ValType // for packed fields, Kind is KindI32 and Packed says so
	Packed  uint8   // 0, 8 or 16 bits
	Mutable bool
}

// Limits of a table or memory.
type Limits struct {
	Min, Max     uint64
	HasMax       bool
	Is64         bool
	Shared       bool  // memories only
	PageSizeLog2 uint8 // memories only: 16 unless custom-page-sizes says otherwise
}

// TableType is a table's element type and limits.
type TableType struct {
	Elem ValType
	Limits
}

// GlobalType is a global's content type and mutability.
type GlobalType struct {
	Content ValType
	Mutable bool
}

// Import is one import; Index is its index in its kind's index space.
type Import struct {
	Module, Name string
	Kind         uint8
	Index        uint32
}

// Export is one export; Index is its index in its kind's index space.
type Export struct {
	Name  string
	Kind  uint8
	Index uint32
}

// Info is what a module declares. Imported functions, tables, memories,
// globals and tags come first in their index spaces, as in wasm.
type Info struct {
	Types    []SubType
	Funcs    []uint32 // type index of each function
	Tables   []TableType
	Memories []Limits
	Globals  []GlobalType
	Tags     []uint32 // type index of each tag (a function type)
	Imports  []Import
	Exports  []Export
	// Skeleton is the module without its code, data, element, start and
	// custom sections: enough for Parse to give the same Info again, so
	// that a serialized module can carry it.
	Skeleton []byte
}

// ExportOrder returns the indices of Exports sorted by name (bytewise), for
// binary search.
func (m *Info) ExportOrder() []uint32 {
	order := make([]uint32, len(m.Exports))
	for i := range order {
		order[i] = uint32(i)
	}
	sort.Slice(order, func(a, b int) bool { return m.Exports[order[a]].Name < m.Exports[order[b]].Name })
	return order
}

// Type of function f, if f and its type exist and are a function type.
func (m *Info) FuncType(f uint32) (*SubType, bool) {
	if int(f) >= len(m.Funcs) {
		return nil, false
	}
	return m.funcTypeAt(m.Funcs[f])
}

func (m *Info) funcTypeAt(t uint32) (*SubType, bool) {
	if int(t) >= len(m.Types) || m.Types[t].Comp != CompFunc {
		return nil, false
	}
	return &m.Types[t], true
}

// EachValType calls fn for every value type of a function type, a table, a
// global and a tag's type: the types values crossing into or out of wasm
// through the C API can have.
func (m *Info) EachValType(fn func(ValType)) {
	for i := range m.Types {
		t := &m.Types[i]
		if t.Comp != CompFunc {
			continue
		}
		for _, v := range t.Params {
			fn(v)
		}
		for _, v := range t.Results {
			fn(v)
		}
	}
	for _, t := range m.Tables {
		fn(t.Elem)
	}
	for _, g := range m.Globals {
		fn(g.Content)
	}
}

// ErrNotCore says the bytes are not a core wasm module (a component, or
// not wasm at all).
var ErrNotCore = errors.New("not a core WebAssembly module")

type parseError struct {
	offset int
	msg    string
}

func (e *parseError) Error() string { return fmt.Sprintf("offset %d: %s", e.offset, e.msg) }

// Parse reads a wasm binary module.
func Parse(b []byte) (*Info, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, ErrNotCore
	}
	if b[4] != 1 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return nil, ErrNotCore
	}
	p := &parser{b: b, pos: 8}
	m := &Info{}
	skeleton := append([]byte(nil), b[:8]...)
	lastRank := 0
	for p.pos < len(p.b) {
		start := p.pos
		id := p.byte()
		size := p.u32()
		if p.err != nil {
			return nil, p.err
		}
		if uint64(size) > uint64(len(p.b)-p.pos) {
			return nil, p.fail("section %d of %d bytes runs past the end", id, size)
		}
		end := p.pos + int(size)
		body := &parser{b: p.b[:end], pos: p.pos}
		if id != 0 {
			// each known section at most once, in wasm's order
			rank := sectionRank(id)
			if rank == 0 {
				return nil, p.fail("unknown section id %d", id)
			}
			if rank <= lastRank {
				return nil, p.fail("section %d out of order or repeated", id)
			}
			lastRank = rank
		}
		keep := true
		switch id {
		case 1:
			body.typeSection(m)
		case 2:
			body.importSection(m)
		case 3:
			n := body.count(1)
			for i := uint32(0); i < n && body.err == nil; i++ {
				m.Funcs = append(m.Funcs, body.u32())
			}
		case 4:
			n := body.count(2)
			for i := uint32(0); i < n && body.err == nil; i++ {
				var t TableType
				if body.peek() == 0x40 {
					body.pos++
					if body.byte() != 0 {
						body.fail("bad table prefix")
					}
					t = body.tableType()
					body.skipExpr()
				} else {
					t = body.tableType()
				}
				m.Tables = append(m.Tables, t)
			}
		case 5:
			n := body.count(2)
			for i := uint32(0); i < n && body.err == nil; i++ {
				m.Memories = append(m.Memories, body.memType())
			}
		case 6:
			n := body.count(3)
			for i := uint32(0); i < n && body.err == nil; i++ {
				m.Globals = append(m.Globals, body.globalType())
				body.skipExpr()
			}
		case 7:
			body.exportSection(m)
		case 13:
			n := body.count(2)
			for i := uint32(0); i < n && body.err == nil; i++ {
				m.Tags = append(m.Tags, body.tagType())
			}
		default: // custom, start, element, code, data, data count
			keep = false
			body.pos = end
		}
		if body.err != nil {
			return nil, body.err
		}
		if body.pos != end {
			return nil, p.fail("section %d: %d bytes left over", id, end-body.pos)
		}
		if keep {
			skeleton = append(skeleton, b[start:end]...)
		}
		p.pos = end
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	m.Skeleton = skeleton
	return m, nil
}

// check resolves what could not be known while reading: the kind of each
// concrete heap type (types may refer forward within their recursion
// group), and that every index is in range.
func (m *Info) check() error {
	n := uint32(len(m.Types))
	fix := func(v *ValType) error {
		if v.Heap != HeapConcreteFunc { // concrete types are read as "func" until resolved
			return nil
		}
		if v.TypeIndex >= n {
			return fmt.Errorf("type index %d out of range (%d types)", v.TypeIndex, n)
		}
		switch m.Types[v.TypeIndex].Comp {
		case CompFunc:
			v.Kind, v.Heap = KindFuncRef, HeapConcreteFunc
		case CompStruct:
			v.Kind, v.Heap = KindAny, HeapConcreteStruct
		case CompArray:
			v.Kind, v.Heap = KindAny, HeapConcreteArray
		case CompCont:
			v.Kind, v.Heap = KindCont, HeapConcreteCont
		}
		return nil
	}
	fixAll := func(vs []ValType) error {
		for i := range vs {
			if err := fix(&vs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range m.Types {
		t := &m.Types[i]
		for _, s := range t.Supers {
			if s >= n {
				return fmt.Errorf("type %d: supertype %d out of range", i, s)
			}
		}
		if err := fixAll(t.Params); err != nil {
			return err
		}
		if err := fixAll(t.Results); err != nil {
			return err
		}
		for j := range t.Fields {
			if err := fix(&t.Fields[j].Storage); err != nil {
				return err
			}
		}
		if t.Comp == CompCont {
			if _, ok := m.funcTypeAt(t.ContFunc); !ok {
				return fmt.Errorf("type %d: continuation of %d, which is not a function type", i, t.ContFunc)
			}
		}
	}
	for i, f := range m.Funcs {
		if _, ok := m.funcTypeAt(f); !ok {
			return fmt.Errorf("function %d: type %d is not a function type", i, f)
		}
	}
	for i, f := range m.Tags {
		if _, ok := m.funcTypeAt(f); !ok {
			return fmt.Errorf("tag %d: type %d is not a function type", i, f)
		}
	}
	for i := range m.Tables {
		if err := fix(&m.Tables[i].Elem); err != nil {
			return err
		}
	}
	for i := range m.Globals {
		if err := fix(&m.Globals[i].Content); err != nil {
			return err
		}
	}
	for _, e := range m.Exports {
		var limit int
		switch e.Kind {
		case ExternFunc:
			limit = len(m.Funcs)
		case ExternGlobal:
			limit = len(m.Globals)
		case ExternTable:
			limit = len(m.Tables)
		case ExternMemory:
			limit = len(m.Memories)
		case ExternTag:
			limit = len(m.Tags)
		}
		if int64(e.Index) >= int64(limit) {
			return fmt.Errorf("export %q: index %d out of range", e.Name, e.Index)
		}
	}
	return nil
}
