package modinfo

import (
	"strconv"
	"strings"
)

var heapNames = [...]string{
	HeapFunc: "func", HeapNoFunc: "nofunc", HeapExtern: "extern", HeapNoExtern: "noextern",
	HeapAny: "any", HeapEq: "eq", HeapI31: "i31", HeapStruct: "struct", HeapArray: "array",
	HeapNone: "none", HeapExn: "exn", HeapNoExn: "noexn", HeapCont: "cont", HeapNoCont: "nocont",
}

// shorthand names of nullable abstract reference types
var refShorthand = [...]string{
	HeapFunc: "funcref", HeapNoFunc: "nullfuncref", HeapExtern: "externref", HeapNoExtern: "nullexternref",
	HeapAny: "anyref", HeapEq: "eqref", HeapI31: "i31ref", HeapStruct: "structref", HeapArray: "arrayref",
	HeapNone: "nullref", HeapExn: "exnref", HeapNoExn: "nullexnref", HeapCont: "contref", HeapNoCont: "nullcontref",
}

// String renders t as in the WebAssembly text format ("i32", "funcref",
// "(ref null 3)", "(ref any)").
func (t ValType) String() string {
	switch t.Heap {
	case HeapNoneGiven:
		switch t.Kind {
		case KindI32:
			return "i32"
		case KindI64:
			return "i64"
		case KindF32:
			return "f32"
		case KindF64:
			return "f64"
		case KindV128:
			return "v128"
		}
		return "?"
	case HeapConcreteFunc, HeapConcreteStruct, HeapConcreteArray, HeapConcreteCont:
		if t.Nullable {
			return "(ref null " + strconv.FormatUint(uint64(t.TypeIndex), 10) + ")"
		}
		return "(ref " + strconv.FormatUint(uint64(t.TypeIndex), 10) + ")"
	}
	if int(t.Heap) >= len(heapNames) || heapNames[t.Heap] == "" {
		return "?"
	}
	if t.Nullable {
		return refShorthand[t.Heap]
	}
	return "(ref " + heapNames[t.Heap] + ")"
}

func valTypesText(vs []ValType) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, " ")
}

// FuncText renders a function type's params and results:
// "(param i32 i32) (result i32)", "" for none.
func FuncText(params, results []ValType) string {
	var b strings.Builder
	if len(params) > 0 {
		b.WriteString("(param " + valTypesText(params) + ")")
	}
	if len(results) > 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("(result " + valTypesText(results) + ")")
	}
	return b.String()
}

func wrap(head, body string) string {
	if body == "" {
		return "(" + head + ")"
	}
	return "(" + head + " " + body + ")"
}

func limitsText(l Limits) string {
	s := strconv.FormatUint(l.Min, 10)
	if l.HasMax {
		s += " " + strconv.FormatUint(l.Max, 10)
	}
	if l.Is64 {
		s = "i64 " + s
	}
	return s
}

// MemoryText renders a memory type: "(memory 1 3)", "(memory i64 1 shared)",
// "(memory 1 (pagesize 1))".
func MemoryText(l Limits) string {
	s := limitsText(l)
	if l.Shared {
		s += " shared"
	}
	if l.PageSizeLog2 != 16 {
		s += " (pagesize " + strconv.FormatUint(1<<l.PageSizeLog2, 10) + ")"
	}
	return wrap("memory", s)
}

// TableText renders a table type: "(table 2 funcref)".
func TableText(t TableType) string { return wrap("table", limitsText(t.Limits)+" "+t.Elem.String()) }

// GlobalText renders a global type: "(global (mut i64))".
func GlobalText(g GlobalType) string {
	s := g.Content.String()
	if g.Mutable {
		s = "(mut " + s + ")"
	}
	return wrap("global", s)
}

// ExternText renders the type of function, table, memory, global or tag
// index idx of kind as WAT-like text.
func (m *Info) ExternText(kind uint8, idx uint32) string {
	switch kind {
	case ExternFunc:
		if t, ok := m.FuncType(idx); ok {
			return wrap("func", FuncText(t.Params, t.Results))
		}
	case ExternTag:
		if int(idx) < len(m.Tags) {
			if t, ok := m.funcTypeAt(m.Tags[idx]); ok {
				return wrap("tag", FuncText(t.Params, t.Results))
			}
		}
	case ExternTable:
		if int(idx) < len(m.Tables) {
			return TableText(m.Tables[idx])
		}
	case ExternMemory:
		if int(idx) < len(m.Memories) {
			return MemoryText(m.Memories[idx])
		}
	case ExternGlobal:
		if int(idx) < len(m.Globals) {
			return GlobalText(m.Globals[idx])
		}
	}
	return "(?)"
}
