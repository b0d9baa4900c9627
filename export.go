// Command wasmbound is built with -buildmode=c-shared into libwasmbound.so.
//
// This file is the Go half of the C surface: it converts C arguments,
// calls the packages that do the work, and maps their errors to statuses.
// It holds no logic. Every function defers status.Recover, so no Go panic
// crosses into C. The hot paths and the store-bound control plane are C
// functions in dispatch/ and lifecycle/ and never enter Go.
//
// The prototypes in include/wasmbound.h are the contract; the const
// typedefs below make cgo's generated prototypes match them exactly (a
// CTest compiles both headers together).
package main

// #cgo CFLAGS: -I${SRCDIR}/include
// #include "wasmbound.h"
// typedef const wb_engine_config_t wbx_const_engine_config_t;
// typedef const uint8_t wbx_const_byte_t;
import "C"

import (
	"unsafe"

	_ "wasmbound/component" // components and WASI 0.2: C only, linked in for their functions
	"wasmbound/lifecycle"
	_ "wasmbound/pools" // worker pools: C only, linked in for their wb_pool_* functions
	"wasmbound/status"
)

func main() {}

func code(err error) C.wb_status_t { return C.wb_status_t(status.Report(err)) }

//export wb_engine_new
func wb_engine_new(config *C.wbx_const_engine_config_t, out *C.wb_engine_t) (rc C.wb_status_t) {
	defer status.Recover("wb_engine_new", (*status.Code)(&rc))
	if out == nil {
		return code(status.Errorf(status.InvalidArgument, "out is NULL"))
	}
	id, err := lifecycle.NewEngine(unsafe.Pointer(config))
	if err == nil {
		out.id = C.uint64_t(id)
	}
	return code(err)
}

//export wb_engine_delete
func wb_engine_delete(engine C.wb_engine_t) (rc C.wb_status_t) {
	defer status.Recover("wb_engine_delete", (*status.Code)(&rc))
	return code(lifecycle.DeleteEngine(uint64(engine.id)))
}

//export wb_module_new
func wb_module_new(engine C.wb_engine_t, bytes *C.wbx_const_byte_t, n C.size_t, out *C.wb_module_t) (rc C.wb_status_t) {
	defer status.Recover("wb_module_new", (*status.Code)(&rc))
	if out == nil {
		return code(status.Errorf(status.InvalidArgument, "out is NULL"))
	}
	id, err := lifecycle.NewModule(uint64(engine.id), unsafe.Pointer(bytes), uintptr(n))
	if err == nil {
		out.id = C.uint64_t(id)
	}
	return code(err)
}

//export wb_module_validate
func wb_module_validate(engine C.wb_engine_t, bytes *C.wbx_const_byte_t, n C.size_t) (rc C.wb_status_t) {
	defer status.Recover("wb_module_validate", (*status.Code)(&rc))
	return code(lifecycle.ValidateModule(uint64(engine.id), unsafe.Pointer(bytes), uintptr(n)))
}

//export wb_module_delete
func wb_module_delete(module C.wb_module_t) (rc C.wb_status_t) {
	defer status.Recover("wb_module_delete", (*status.Code)(&rc))
	return code(lifecycle.DeleteModule(uint64(module.id)))
}

//export wb_module_imports
func wb_module_imports(module C.wb_module_t, out *C.wb_extern_list_t) (rc C.wb_status_t) {
	defer status.Recover("wb_module_imports", (*status.Code)(&rc))
	return code(lifecycle.ModuleImports(uint64(module.id), unsafe.Pointer(out)))
}

//export wb_module_exports
func wb_module_exports(module C.wb_module_t, out *C.wb_extern_list_t) (rc C.wb_status_t) {
	defer status.Recover("wb_module_exports", (*status.Code)(&rc))
	return code(lifecycle.ModuleExports(uint64(module.id), unsafe.Pointer(out)))
}

//export wb_module_serialize
func wb_module_serialize(module C.wb_module_t, out *C.wb_bytes_t) (rc C.wb_status_t) {
	defer status.Recover("wb_module_serialize", (*status.Code)(&rc))
	return code(lifecycle.SerializeModule(uint64(module.id), unsafe.Pointer(out)))
}

//export wb_module_deserialize
func wb_module_deserialize(engine C.wb_engine_t, bytes *C.wbx_const_byte_t, n C.size_t, out *C.wb_module_t) (rc C.wb_status_t) {
	defer status.Recover("wb_module_deserialize", (*status.Code)(&rc))
	if out == nil {
		return code(status.Errorf(status.InvalidArgument, "out is NULL"))
	}
	id, err := lifecycle.DeserializeModule(uint64(engine.id), unsafe.Pointer(bytes), uintptr(n))
	if err == nil {
		out.id = C.uint64_t(id)
	}
	return code(err)
}
