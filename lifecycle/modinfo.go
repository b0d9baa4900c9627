package lifecycle

// #include <stdlib.h>
// #include <string.h>
// #include "lifecycle.h"
// static void wbl_modinfo_init_refs(wbd_modinfo_t *m) { atomic_init(&m->refs, 1); }
import "C"

import (
	"encoding/binary"
	"unsafe"

	"wasmbound/modinfo"
)

// The trailer wb_module_serialize appends to Wasmtime's bytes: the
// module's skeleton (modinfo.Info.Skeleton), then its length and this
// magic, so that a deserialized module has its types too.
const (
	infoMagic      = "wbinfo01"
	infoTrailerLen = 8 + len(infoMagic)
)

// arena lays C objects out in one malloc'd block.
type arena struct {
	size uintptr
	base unsafe.Pointer
}

func (a *arena) reserve(n, align uintptr) uintptr {
	a.size = (a.size + align - 1) &^ (align - 1)
	at := a.size
	a.size += n
	return at
}

func (a *arena) at(off uintptr) unsafe.Pointer { return unsafe.Add(a.base, off) }

// newInfo lays an Info out as a C wbd_modinfo_t in one block (with one
// reference), for the C code that reads types on any thread without Go.
func newInfo(m *modinfo.Info) *C.wbd_modinfo_t {
	var a arena
	const al = 8
	hdr := a.reserve(C.sizeof_wbd_modinfo_t, al)
	types := a.reserve(uintptr(len(m.Types))*C.sizeof_wbd_type_t, al)
	nvals := 0
	for _, t := range m.Types {
		nvals += len(t.Params) + len(t.Results)
	}
	vals := a.reserve(uintptr(nvals)*C.sizeof_wb_valtype_t, al)
	funcs := a.reserve(uintptr(len(m.Funcs))*4, al)
	tags := a.reserve(uintptr(len(m.Tags))*4, al)
	tables := a.reserve(uintptr(len(m.Tables))*C.sizeof_wb_tabletype_t, al)
	memories := a.reserve(uintptr(len(m.Memories))*C.sizeof_wb_memorytype_t, al)
	globals := a.reserve(uintptr(len(m.Globals))*C.sizeof_wb_globaltype_t, al)
	imports := a.reserve(uintptr(len(m.Imports))*C.sizeof_wbd_import_t, al)
	exports := a.reserve(uintptr(len(m.Exports))*C.sizeof_wbd_import_t, al)
	order := a.reserve(uintptr(len(m.Exports))*4, al)
	strs := a.size
	for _, im := range m.Imports {
		a.size += uintptr(len(im.Module) + len(im.Name) + len(m.ExternText(im.Kind, im.Index)) + 3)
	}
	for _, e := range m.Exports {
		a.size += uintptr(len(e.Name) + len(m.ExternText(e.Kind, e.Index)) + 3)
	}
	skel := a.reserve(uintptr(len(m.Skeleton)), 1)
	a.base = C.calloc(1, C.size_t(a.size+1))
	if a.base == nil {
		return nil
	}

	info := (*C.wbd_modinfo_t)(a.at(hdr))
	C.wbl_modinfo_init_refs(info)
	info.ntypes = C.uint32_t(len(m.Types))
	info.nfuncs = C.uint32_t(len(m.Funcs))
	info.ntables = C.uint32_t(len(m.Tables))
	info.nmemories = C.uint32_t(len(m.Memories))
	info.nglobals = C.uint32_t(len(m.Globals))
	info.ntags = C.uint32_t(len(m.Tags))
	info.nimports = C.uint32_t(len(m.Imports))
	info.nexports = C.uint32_t(len(m.Exports))

	valAt := (*C.wb_valtype_t)(a.at(vals))
	vs := unsafe.Slice(valAt, nvals)
	next := 0
	ts := unsafe.Slice((*C.wbd_type_t)(a.at(types)), len(m.Types))
	for i, t := range m.Types {
		ts[i].comp = C.uint8_t(t.Comp)
		if t.Comp != modinfo.CompFunc {
			continue
		}
		ts[i].nparams = C.uint32_t(len(t.Params))
		ts[i].nresults = C.uint32_t(len(t.Results))
		if len(t.Params)+len(t.Results) > 0 {
			ts[i].vals = &vs[next]
		}
		for _, v := range t.Params {
			vs[next] = cValType(v)
			next++
		}
		for _, v := range t.Results {
			vs[next] = cValType(v)
			next++
		}
	}
	info.types = (*C.wbd_type_t)(a.at(types))

	fs := unsafe.Slice((*C.uint32_t)(a.at(funcs)), len(m.Funcs))
	for i, f := range m.Funcs {
		fs[i] = C.uint32_t(f)
	}
	info.funcs = (*C.uint32_t)(a.at(funcs))
	gs := unsafe.Slice((*C.uint32_t)(a.at(tags)), len(m.Tags))
	for i, f := range m.Tags {
		gs[i] = C.uint32_t(f)
	}
	info.tags = (*C.uint32_t)(a.at(tags))

	tt := unsafe.Slice((*C.wb_tabletype_t)(a.at(tables)), len(m.Tables))
	for i, t := range m.Tables {
		tt[i].element = cValType(t.Elem)
		tt[i].min = C.uint64_t(t.Min)
		tt[i].max = C.uint64_t(t.Max)
		tt[i].has_max = C.bool(t.HasMax)
		tt[i].is64 = C.bool(t.Is64)
	}
	info.tables = (*C.wb_tabletype_t)(a.at(tables))
	mt := unsafe.Slice((*C.wb_memorytype_t)(a.at(memories)), len(m.Memories))
	for i, l := range m.Memories {
		mt[i].min = C.uint64_t(l.Min)
		mt[i].max = C.uint64_t(l.Max)
		mt[i].has_max = C.bool(l.HasMax)
		mt[i].is64 = C.bool(l.Is64)
		mt[i].shared = C.bool(l.Shared)
		mt[i].page_size_log2 = C.uint8_t(l.PageSizeLog2)
	}
	info.memories = (*C.wb_memorytype_t)(a.at(memories))
	gt := unsafe.Slice((*C.wb_globaltype_t)(a.at(globals)), len(m.Globals))
	for i, g := range m.Globals {
		gt[i].content = cValType(g.Content)
		gt[i].is_mutable = C.bool(g.Mutable)
	}
	info.globals = (*C.wb_globaltype_t)(a.at(globals))

	strAt := strs
	put := func(s string) (*C.char, C.size_t) {
		p := a.at(strAt)
		copy(unsafe.Slice((*byte)(p), len(s)+1), s+"\x00")
		strAt += uintptr(len(s) + 1)
		return (*C.char)(p), C.size_t(len(s))
	}
	is := unsafe.Slice((*C.wbd_import_t)(a.at(imports)), len(m.Imports))
	for i, im := range m.Imports {
		is[i].module, is[i].module_len = put(im.Module)
		is[i].name, is[i].name_len = put(im.Name)
		is[i].text, _ = put(m.ExternText(im.Kind, im.Index))
		is[i].kind = C.uint8_t(im.Kind)
		is[i].index = C.uint32_t(im.Index)
	}
	info.imports = (*C.wbd_import_t)(a.at(imports))
	es := unsafe.Slice((*C.wbd_import_t)(a.at(exports)), len(m.Exports))
	for i, e := range m.Exports {
		es[i].name, es[i].name_len = put(e.Name)
		es[i].text, _ = put(m.ExternText(e.Kind, e.Index))
		es[i].kind = C.uint8_t(e.Kind)
		es[i].index = C.uint32_t(e.Index)
	}
	info.exports = (*C.wbd_import_t)(a.at(exports))
	os := unsafe.Slice((*C.uint32_t)(a.at(order)), len(m.Exports))
	for i, o := range m.ExportOrder() {
		os[i] = C.uint32_t(o)
	}
	info.export_order = (*C.uint32_t)(a.at(order))

	copy(unsafe.Slice((*byte)(a.at(skel)), len(m.Skeleton)), m.Skeleton)
	info.skeleton = (*C.uint8_t)(a.at(skel))
	info.skeleton_len = C.size_t(len(m.Skeleton))

	var flags uint32 = C.WBD_INFO_ALL_BASIC
	m.EachValType(func(v modinfo.ValType) {
		if !v.Basic() {
			flags &^= C.WBD_INFO_ALL_BASIC
		}
		if v.ExnOrCont() {
			flags |= C.WBD_INFO_EXN_OR_CONT
		}
	})
	if len(m.Tags) > 0 {
		flags |= C.WBD_INFO_TAGS
	}
	importedTables := 0
	for _, im := range m.Imports {
		if im.Kind == modinfo.ExternTable {
			importedTables++
		}
	}
	for _, t := range m.Tables[importedTables:] {
		if t.Min > C.WBD_MAX_TABLE_MIN || (t.Elem.Kind == modinfo.KindCont && t.Min > 1<<24) {
			flags |= C.WBD_INFO_HUGE_TABLE
		}
	}
	info.flags = C.uint32_t(flags)
	return info
}

func cValType(v modinfo.ValType) C.wb_valtype_t {
	var t C.wb_valtype_t
	t.kind = C.uint8_t(v.Kind)
	if v.Nullable {
		t.nullable = 1
	}
	t.heap = C.uint8_t(v.Heap)
	t.type_index = C.uint32_t(v.TypeIndex)
	return t
}

// moduleInfo reads a module's types, or says why it cannot.
func moduleInfo(wasm []byte) (*C.wbd_modinfo_t, string) {
	m, err := modinfo.Parse(wasm)
	if err != nil {
		return nil, "wasmbound cannot read this module's types (" + err.Error() + ")"
	}
	info := newInfo(m)
	if info == nil {
		return nil, "out of memory for the module's types"
	}
	return info, ""
}

// splitSerialized separates wb_module_serialize's trailer from Wasmtime's
// bytes; skeleton is nil for bytes without one.
func splitSerialized(b []byte) (wasmtime, skeleton []byte) {
	n := len(b)
	if n < infoTrailerLen || string(b[n-len(infoMagic):]) != infoMagic {
		return b, nil
	}
	skelLen := binary.LittleEndian.Uint64(b[n-infoTrailerLen:])
	if skelLen > uint64(n-infoTrailerLen) {
		return b, nil
	}
	end := n - infoTrailerLen
	return b[:end-int(skelLen)], b[end-int(skelLen) : end]
}
