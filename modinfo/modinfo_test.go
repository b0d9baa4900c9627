package modinfo

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// dump renders everything Parse found, one line per item.
func dump(m *Info) string {
	var b strings.Builder
	comp := [...]string{"func", "struct", "array", "cont"}
	for i, t := range m.Types {
		fmt.Fprintf(&b, "type %d: %s group %d final %v supers %v", i, comp[t.Comp], t.RecGroup, t.Final, t.Supers)
		switch t.Comp {
		case CompFunc:
			fmt.Fprintf(&b, " %s", FuncText(t.Params, t.Results))
		case CompCont:
			fmt.Fprintf(&b, " of %d", t.ContFunc)
		default:
			for _, f := range t.Fields {
				fmt.Fprintf(&b, " [%s packed %d mut %v]", f.Storage, f.Packed, f.Mutable)
			}
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "funcs %v tags %v\n", m.Funcs, m.Tags)
	for i, t := range m.Tables {
		fmt.Fprintf(&b, "table %d: %s\n", i, TableText(t))
	}
	for i, l := range m.Memories {
		fmt.Fprintf(&b, "memory %d: %s\n", i, MemoryText(l))
	}
	for i, g := range m.Globals {
		fmt.Fprintf(&b, "global %d: %s\n", i, GlobalText(g))
	}
	for _, im := range m.Imports {
		fmt.Fprintf(&b, "import %q %q: %s\n", im.Module, im.Name, m.ExternText(im.Kind, im.Index))
	}
	for _, e := range m.Exports {
		fmt.Fprintf(&b, "export %q: %s\n", e.Name, m.ExternText(e.Kind, e.Index))
	}
	return b.String()
}

var golden = map[string]string{
	"basic": `type 0: func group 0 final true supers [] (param i32 i32) (result i32)
type 1: func group 1 final true supers [] (param i64)
type 2: func group 2 final true supers [] (param funcref externref) (result externref)
type 3: func group 3 final true supers [] 
funcs [1 0 2 3] tags []
table 0: (table 1 10 funcref)
table 1: (table 2 externref)
memory 0: (memory 1 3)
memory 1: (memory 2)
global 0: (global (mut i64))
global 1: (global i32)
global 2: (global (mut f64))
global 3: (global v128)
import "env" "f": (func (param i64))
import "env" "t": (table 1 10 funcref)
import "env" "m": (memory 1 3)
import "env" "g": (global (mut i64))
export "mem": (memory 2)
export "tab": (table 2 externref)
export "gi": (global i32)
export "gf": (global (mut f64))
export "gv": (global v128)
export "add": (func (param i32 i32) (result i32))
export "ref": (func (param funcref externref) (result externref))
export "imported": (func (param i64))
export "\x00nul\x00": (global (mut i64))
`,
	"gc": `type 0: struct group 0 final false supers [] [(ref null 0) packed 0 mut false] [i32 packed 8 mut false] [i32 packed 16 mut true]
type 1: struct group 0 final true supers [0] [(ref null 0) packed 0 mut false] [i32 packed 8 mut false] [i32 packed 16 mut true] [anyref packed 0 mut false]
type 2: array group 2 final true supers [] [(ref null 3) packed 0 mut true]
type 3: func group 3 final true supers [] (param (ref 0) eqref i31ref) (result (ref null 2) structref arrayref nullref)
type 4: func group 4 final true supers [] (param (ref any) (ref func) (ref extern) nullfuncref nullexternref) (result (ref 3))
funcs [3 3 4] tags []
table 0: (table 3 (ref null 3))
table 1: (table 1 (ref 3))
global 0: (global (ref null 0))
global 1: (global (mut structref))
global 2: (global (ref 2))
global 3: (global i31ref)
global 4: (global funcref)
export "gnode": (global (ref null 0))
export "gs": (global (mut structref))
export "ga": (global (ref 2))
export "gi31": (global i31ref)
export "gfunc": (global funcref)
export "tf": (table 3 (ref null 3))
export "tnn": (table 1 (ref 3))
export "h": (func (param (ref 0) eqref i31ref) (result (ref null 2) structref arrayref nullref))
export "g": (func (param (ref any) (ref func) (ref extern) nullfuncref nullexternref) (result (ref 3)))
`,
	"exn": `type 0: func group 0 final true supers [] (param i32)
type 1: func group 1 final true supers [] (param i64 f32)
type 2: func group 2 final true supers [] (param exnref) (result nullexnref)
funcs [2] tags [0 1]
global 0: (global (mut exnref))
import "m" "tag": (tag (param i32))
export "u": (tag (param i64 f32))
export "t": (tag (param i32))
export "f": (func (param exnref) (result nullexnref))
export "e": (global (mut exnref))
`,
	"limits": `funcs [] tags []
table 0: (table i64 5 funcref)
table 1: (table 0 4294967295 externref)
memory 0: (memory 1 2 shared)
memory 1: (memory i64 1 10)
memory 2: (memory 0 1 (pagesize 1))
import "m" "shared": (memory 1 2 shared)
export "m64": (memory i64 1 10)
export "tiny": (memory 0 1 (pagesize 1))
export "t64": (table i64 5 funcref)
export "tbig": (table 0 4294967295 externref)
`,
}

func TestGolden(t *testing.T) {
	for name, want := range golden {
		b, err := os.ReadFile("testdata/" + name + ".wasm")
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := dump(m); got != want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", name, got, want)
		}
		// the skeleton describes the same module, and is its own skeleton
		m2, err := Parse(m.Skeleton)
		if err != nil {
			t.Fatalf("%s skeleton: %v", name, err)
		}
		if dump(m2) != want || !bytes.Equal(m2.Skeleton, m.Skeleton) {
			t.Errorf("%s: the skeleton does not describe the same module", name)
		}
		if len(m.Skeleton) > len(b) {
			t.Errorf("%s: skeleton of %d bytes is larger than the module (%d)", name, len(m.Skeleton), len(b))
		}
	}
}

func TestExportOrder(t *testing.T) {
	b, _ := os.ReadFile("testdata/basic.wasm")
	m, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	order := m.ExportOrder()
	for i := 1; i < len(order); i++ {
		if m.Exports[order[i-1]].Name >= m.Exports[order[i]].Name {
			t.Fatalf("not sorted at %d", i)
		}
	}
}

func TestRejects(t *testing.T) {
	hdr := []byte("\x00asm\x01\x00\x00\x00")
	cases := map[string][]byte{
		"empty":          nil,
		"component":      []byte("\x00asm\x0d\x00\x01\x00"),
		"truncated":      append(append([]byte{}, hdr...), 1, 5, 1),
		"huge vector":    append(append([]byte{}, hdr...), 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"bad section":    append(append([]byte{}, hdr...), 99, 0),
		"out of order":   append(append([]byte{}, hdr...), 3, 1, 0, 1, 1, 0),
		"type range":     append(append([]byte{}, hdr...), 3, 2, 1, 5),
		"bad valtype":    append(append([]byte{}, hdr...), 1, 4, 1, 0x60, 1, 0x01),
		"long leb":       append(append([]byte{}, hdr...), 1, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00),
		"leftover bytes": append(append([]byte{}, hdr...), 1, 2, 0, 0),
		"bad utf-8":      append(append([]byte{}, hdr...), 7, 5, 1, 2, 0xff, 0xfe, 0),
	}
	for name, b := range cases {
		if m, err := Parse(b); err == nil {
			t.Errorf("%s: parsed: %s", name, dump(m))
		}
	}
}
