package lifecycle

// #include <stdlib.h>
// #include <string.h>
// #include "lifecycle.h"
import "C"

import (
	"fmt"
	"strings"
	"unsafe"

	"wasmbound/status"
)

// maxModuleBytes bounds what wb_module_new accepts, so that a wrong length
// is an error rather than a read far past the caller's buffer.
const maxModuleBytes = 1 << 30

func errorText(err *C.wasmtime_error_t) string {
	var msg C.wasm_byte_vec_t
	C.wasmtime_error_message(err, &msg)
	n := C.wbd_message_len(msg.data, msg.size)
	s := C.GoStringN((*C.char)(unsafe.Pointer(msg.data)), C.int(n))
	C.wasm_byte_vec_delete(&msg)
	C.wasmtime_error_delete(err)
	return s
}

func checkBytes(bytes unsafe.Pointer, n uintptr) error {
	if bytes == nil {
		return status.Errorf(status.InvalidArgument, "bytes is NULL")
	}
	if n == 0 {
		return status.Errorf(status.InvalidArgument, "len is 0: an empty buffer is neither wasm nor WAT")
	}
	if n > maxModuleBytes {
		return status.Errorf(status.InvalidArgument, "len %d is over the 1 GiB limit", n)
	}
	return nil
}

// toWasm returns wasm binary bytes: the input itself when it starts with the
// wasm magic, else the WAT text compiled. free releases what it allocated.
func toWasm(bytes unsafe.Pointer, n uintptr) (data *C.uint8_t, size C.size_t, free func(), err error) {
	if n >= 4 && string(unsafe.Slice((*byte)(bytes), 4)) == "\x00asm" {
		return (*C.uint8_t)(bytes), C.size_t(n), func() {}, nil
	}
	var vec C.wasm_byte_vec_t
	if werr := C.wbl_wat2wasm((*C.char)(bytes), C.size_t(n), &vec); werr != nil {
		return nil, 0, nil, status.Errorf(status.Compile, "invalid WAT (input is not a wasm binary either): %s",
			errorText(werr))
	}
	return (*C.uint8_t)(unsafe.Pointer(vec.data)), vec.size, func() { C.wasm_byte_vec_delete(&vec) }, nil
}

func newModuleHandle(mod *C.wasmtime_module_t, serial C.uint64_t) (uint64, error) {
	m := (*C.wbd_module_t)(C.calloc(1, C.sizeof_wbd_module_t))
	m.module = mod
	m.engine_serial = serial
	var id C.uint64_t
	if st := status.Code(C.wbh_alloc(C.WBH_KIND_MODULE, unsafe.Pointer(m), nil, &id)); st != status.OK {
		C.wasmtime_module_delete(mod)
		C.free(unsafe.Pointer(m))
		return 0, status.FromC(st)
	}
	return uint64(id), nil
}

// NewModule compiles wasm or WAT bytes with the engine.
func NewModule(engine uint64, bytes unsafe.Pointer, n uintptr) (uint64, error) {
	if err := checkBytes(bytes, n); err != nil {
		return 0, err
	}
	var id uint64
	err := withEngine(engine, func(e *C.wbd_engine_t) error {
		data, size, free, err := toWasm(bytes, n)
		if err != nil {
			return err
		}
		defer free()
		if err := checkModulePolicy(e, data, size); err != nil {
			return err
		}
		var mod *C.wasmtime_module_t
		if werr := C.wbl_module_new(e.engine, data, size, &mod); werr != nil {
			return status.Errorf(status.Compile, "invalid module: %s", errorText(werr))
		}
		id, err = newModuleHandle(mod, e.serial)
		return err
	})
	return id, err
}

// ValidateModule checks wasm or WAT bytes without compiling them.
func ValidateModule(engine uint64, bytes unsafe.Pointer, n uintptr) error {
	if err := checkBytes(bytes, n); err != nil {
		return err
	}
	return withEngine(engine, func(e *C.wbd_engine_t) error {
		data, size, free, err := toWasm(bytes, n)
		if err != nil {
			return err
		}
		defer free()
		if err := checkModulePolicy(e, data, size); err != nil {
			return err
		}
		if werr := C.wbl_module_validate(e.engine, data, size); werr != nil {
			return status.Errorf(status.Compile, "invalid module: %s", errorText(werr))
		}
		return nil
	})
}

// DeleteModule deletes the caller's reference to a module.
func DeleteModule(id uint64) error {
	return status.FromC(status.Code(C.wbh_delete_shared(C.uint64_t(id), C.WBH_KIND_MODULE)))
}

// SerializeModule writes the module's native code into a malloc'd buffer.
func SerializeModule(module uint64, out unsafe.Pointer) error {
	if out == nil {
		return status.Errorf(status.InvalidArgument, "out is NULL")
	}
	return withModule(module, func(m *C.wbd_module_t) error {
		var vec C.wasm_byte_vec_t
		if werr := C.wasmtime_module_serialize(m.module, &vec); werr != nil {
			return status.Errorf(status.Internal, "serialize: %s", errorText(werr))
		}
		defer C.wasm_byte_vec_delete(&vec)
		buf := C.malloc(vec.size + 1)
		if buf == nil {
			return status.Errorf(status.NoMemory, "out of memory for %d serialized bytes", vec.size)
		}
		C.memcpy(buf, unsafe.Pointer(vec.data), vec.size)
		b := (*C.wb_bytes_t)(out)
		b.data = (*C.uint8_t)(buf)
		b.len = vec.size
		return nil
	})
}

// DeserializeModule loads a module from SerializeModule's bytes (trusted input).
func DeserializeModule(engine uint64, bytes unsafe.Pointer, n uintptr) (uint64, error) {
	if err := checkBytes(bytes, n); err != nil {
		return 0, err
	}
	var id uint64
	err := withEngine(engine, func(e *C.wbd_engine_t) error {
		var mod *C.wasmtime_module_t
		if werr := C.wbl_module_deserialize(e.engine, (*C.uint8_t)(bytes), C.size_t(n), &mod); werr != nil {
			return status.Errorf(status.Compile, "cannot deserialize the module: %s", errorText(werr))
		}
		var err error
		id, err = newModuleHandle(mod, e.serial)
		return err
	})
	return id, err
}

type externDesc struct {
	module, name, typ string
	kind              C.wb_externkind_t
}

func nameOf(n *C.wasm_name_t) string {
	return C.GoStringN((*C.char)(unsafe.Pointer(n.data)), C.int(n.size))
}

func valTypeText(t *C.wasm_valtype_t) string {
	switch C.wasm_valtype_kind(t) {
	case C.WASMTIME_I32:
		return "i32"
	case C.WASMTIME_I64:
		return "i64"
	case C.WASMTIME_F32:
		return "f32"
	case C.WASMTIME_F64:
		return "f64"
	case C.WASMTIME_V128:
		return "v128"
	case C.WASM_FUNCREF:
		return "funcref"
	case C.WASM_EXTERNREF:
		return "externref"
	}
	return "ref"
}

func valTypesText(v *C.wasm_valtype_vec_t) string {
	items := unsafe.Slice(v.data, v.size)
	parts := make([]string, len(items))
	for i, t := range items {
		parts[i] = valTypeText(t)
	}
	return strings.Join(parts, " ")
}

func limitsText(min, max uint64, hasMax bool) string {
	if hasMax {
		return fmt.Sprintf("%d %d", min, max)
	}
	return fmt.Sprintf("%d", min)
}

// externTypeText renders an extern type as WAT-like text.
func externTypeText(t *C.wasm_externtype_t) (C.wb_externkind_t, string) {
	switch C.wasm_externtype_kind(t) {
	case C.WASM_EXTERN_FUNC:
		ft := C.wasm_externtype_as_functype_const(t)
		s := "(func"
		if p := C.wasm_functype_params(ft); p.size > 0 {
			s += " (param " + valTypesText(p) + ")"
		}
		if r := C.wasm_functype_results(ft); r.size > 0 {
			s += " (result " + valTypesText(r) + ")"
		}
		return C.WB_EXTERN_FUNC, s + ")"
	case C.WASM_EXTERN_GLOBAL:
		gt := C.wasm_externtype_as_globaltype_const(t)
		vt := valTypeText(C.wasm_globaltype_content(gt))
		if C.wasm_globaltype_mutability(gt) == C.WASM_VAR {
			vt = "(mut " + vt + ")"
		}
		return C.WB_EXTERN_GLOBAL, "(global " + vt + ")"
	case C.WASM_EXTERN_TABLE:
		tt := C.wasm_externtype_as_tabletype_const(t)
		lim := C.wasm_tabletype_limits(tt)
		return C.WB_EXTERN_TABLE, fmt.Sprintf("(table %s %s)",
			limitsText(uint64(lim.min), uint64(lim.max), lim.max != 0xffffffff),
			valTypeText(C.wasm_tabletype_element(tt)))
	case C.WASM_EXTERN_MEMORY:
		mt := C.wasm_externtype_as_memorytype_const(t)
		var max C.uint64_t
		hasMax := C.wasmtime_memorytype_maximum(mt, &max)
		s := "(memory "
		if C.wasmtime_memorytype_is64(mt) {
			s += "i64 "
		}
		s += limitsText(uint64(C.wasmtime_memorytype_minimum(mt)), uint64(max), bool(hasMax))
		if C.wasmtime_memorytype_isshared(mt) {
			s += " shared"
		}
		return C.WB_EXTERN_MEMORY, s + ")"
	}
	return C.WB_EXTERN_OTHER, "(other)"
}

// ModuleImports lists the module's imports into a wb_extern_list_t.
func ModuleImports(module uint64, out unsafe.Pointer) error {
	if out == nil {
		return status.Errorf(status.InvalidArgument, "out is NULL")
	}
	return withModule(module, func(m *C.wbd_module_t) error {
		var vec C.wasm_importtype_vec_t
		C.wasmtime_module_imports(m.module, &vec)
		defer C.wasm_importtype_vec_delete(&vec)
		var descs []externDesc
		for _, it := range unsafe.Slice(vec.data, vec.size) {
			kind, typ := externTypeText(C.wasm_importtype_type(it))
			descs = append(descs, externDesc{nameOf(C.wasm_importtype_module(it)), nameOf(C.wasm_importtype_name(it)), typ, kind})
		}
		return writeList(descs, true, (*C.wb_extern_list_t)(out))
	})
}

// ModuleExports lists the module's exports into a wb_extern_list_t.
func ModuleExports(module uint64, out unsafe.Pointer) error {
	if out == nil {
		return status.Errorf(status.InvalidArgument, "out is NULL")
	}
	return withModule(module, func(m *C.wbd_module_t) error {
		var vec C.wasm_exporttype_vec_t
		C.wasmtime_module_exports(m.module, &vec)
		defer C.wasm_exporttype_vec_delete(&vec)
		var descs []externDesc
		for _, et := range unsafe.Slice(vec.data, vec.size) {
			kind, typ := externTypeText(C.wasm_exporttype_type(et))
			descs = append(descs, externDesc{"", nameOf(C.wasm_exporttype_name(et)), typ, kind})
		}
		return writeList(descs, false, (*C.wb_extern_list_t)(out))
	})
}

// writeList lays the descriptions out in one malloc'd block (the array,
// then the strings), so that wb_extern_list_dispose is a single free().
func writeList(descs []externDesc, withModule bool, out *C.wb_extern_list_t) error {
	head := uintptr(len(descs)) * C.sizeof_wb_extern_desc_t
	size := head
	for _, d := range descs {
		size += uintptr(len(d.module) + len(d.name) + len(d.typ) + 3)
	}
	block := C.malloc(C.size_t(size + 1))
	if block == nil {
		return status.Errorf(status.NoMemory, "out of memory for the list")
	}
	items := unsafe.Slice((*C.wb_extern_desc_t)(block), len(descs))
	strs := unsafe.Slice((*byte)(block), size)
	at := head
	put := func(s string) *C.char {
		p := (*C.char)(unsafe.Pointer(&strs[at]))
		copy(strs[at:], s)
		strs[at+uintptr(len(s))] = 0
		at += uintptr(len(s)) + 1
		return p
	}
	for i, d := range descs {
		items[i].module = nil
		if withModule {
			items[i].module = put(d.module)
		} else {
			at++ // keep the size computation simple: one unused byte
		}
		items[i].name = put(d.name)
		items[i].kind = d.kind
		items[i]._type = put(d.typ)
	}
	out.items = (*C.wb_extern_desc_t)(block)
	out.count = C.size_t(len(descs))
	return nil
}
