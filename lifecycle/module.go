package lifecycle

// #include <stdlib.h>
// #include <string.h>
// #include "lifecycle.h"
import "C"

import (
	"encoding/binary"
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
	if werr := C.wasmtime_wat2wasm((*C.char)(bytes), C.size_t(n), &vec); werr != nil {
		return nil, 0, nil, status.Errorf(status.Compile, "invalid WAT (input is not a wasm binary either): %s",
			errorText(werr))
	}
	return (*C.uint8_t)(unsafe.Pointer(vec.data)), vec.size, func() { C.wasm_byte_vec_delete(&vec) }, nil
}

// newModuleHandle makes a module handle; it takes mod and info (either is
// freed on failure). infoErr says why info is nil, if it is.
func newModuleHandle(mod *C.wasmtime_module_t, serial C.uint64_t, info *C.wbd_modinfo_t, infoErr string) (uint64, error) {
	m := (*C.wbd_module_t)(C.calloc(1, C.sizeof_wbd_module_t))
	m.module = mod
	m.engine_serial = serial
	m.info = info
	if infoErr != "" {
		m.info_error = C.CString(infoErr)
	}
	var id C.uint64_t
	if st := status.Code(C.wbh_alloc(C.WBH_KIND_MODULE, unsafe.Pointer(m), nil, &id)); st != status.OK {
		C.wasmtime_module_delete(mod)
		C.wbd_modinfo_release(info)
		C.free(unsafe.Pointer(m.info_error))
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
		var mod *C.wasmtime_module_t
		if werr := C.wasmtime_module_new(e.engine, data, size, &mod); werr != nil {
			return status.Errorf(status.Compile, "invalid module: %s", errorText(werr))
		}
		// the module's full types, which Wasmtime's C API cannot give
		info, infoErr := moduleInfo(unsafe.Slice((*byte)(unsafe.Pointer(data)), int(size)))
		id, err = newModuleHandle(mod, e.serial, info, infoErr)
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
		if werr := C.wasmtime_module_validate(e.engine, data, size); werr != nil {
			return status.Errorf(status.Compile, "invalid module: %s", errorText(werr))
		}
		return nil
	})
}

// DeleteModule deletes the caller's reference to a module.
func DeleteModule(id uint64) error {
	return status.FromC(status.Code(C.wbh_delete_shared(C.uint64_t(id), C.WBH_KIND_MODULE)))
}

// SerializeModule writes the module's native code into a malloc'd buffer,
// followed by its types (the skeleton modinfo keeps) and a trailer that
// says so.
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
		var skel []byte
		if m.info != nil {
			skel = unsafe.Slice((*byte)(unsafe.Pointer(m.info.skeleton)), int(m.info.skeleton_len))
		}
		total := uintptr(vec.size)
		if m.info != nil {
			total += uintptr(len(skel) + infoTrailerLen)
		}
		buf := C.malloc(C.size_t(total + 1))
		if buf == nil {
			return status.Errorf(status.NoMemory, "out of memory for %d serialized bytes", total)
		}
		dst := unsafe.Slice((*byte)(buf), total)
		n := copy(dst, unsafe.Slice((*byte)(unsafe.Pointer(vec.data)), int(vec.size)))
		if m.info != nil {
			n += copy(dst[n:], skel)
			binary.LittleEndian.PutUint64(dst[n:], uint64(len(skel)))
			copy(dst[n+8:], infoMagic)
		}
		b := (*C.wb_bytes_t)(out)
		b.data = (*C.uint8_t)(buf)
		b.len = C.size_t(total)
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
		code, skel := splitSerialized(unsafe.Slice((*byte)(bytes), int(n)))
		var mod *C.wasmtime_module_t
		if werr := C.wasmtime_module_deserialize(e.engine, (*C.uint8_t)(bytes), C.size_t(len(code)), &mod); werr != nil {
			return status.Errorf(status.Compile, "cannot deserialize the module: %s", errorText(werr))
		}
		var info *C.wbd_modinfo_t
		infoErr := "the module was deserialized from bytes that carry no wasmbound type information " +
			"(bytes from wb_module_serialize carry it)"
		if skel != nil {
			info, infoErr = moduleInfo(skel)
		}
		var err error
		id, err = newModuleHandle(mod, e.serial, info, infoErr)
		return err
	})
	return id, err
}

// ModuleImports lists the module's imports into a wb_extern_list_t (whose
// version the caller set), from the module's types.
func ModuleImports(module uint64, out unsafe.Pointer) error {
	return status.FromC(status.Code(C.wbl_module_list(C.uint64_t(module), true, (*C.wb_extern_list_t)(out))))
}

// ModuleExports lists the module's exports, like ModuleImports.
func ModuleExports(module uint64, out unsafe.Pointer) error {
	return status.FromC(status.Code(C.wbl_module_list(C.uint64_t(module), false, (*C.wb_extern_list_t)(out))))
}
