package lifecycle

// #include "lifecycle.h"
import "C"

import (
	"unsafe"

	"wasmbound/modinfo"
	"wasmbound/status"
)

// checkModulePolicy refuses what an engine's configuration does not allow a
// module to contain, before Wasmtime compiles it.
//
// Shared memories a module defines itself: only the store's owner thread
// can ever reach one (a wasmbound linker shares only shared memories made
// with wb_shared_memory_new), so a memory.atomic.wait on it without a
// timeout can never be notified, and the thread parked in it never reaches
// an epoch check: no interrupt, deadline or pool shutdown could stop it.
// Engines allow them only with guest_shared_memory.
func checkModulePolicy(e *C.wbd_engine_t, data *C.uint8_t, size C.size_t) error {
	if e.guest_shared_memory {
		return nil
	}
	shared, err := definesSharedMemory(unsafe.Slice((*byte)(unsafe.Pointer(data)), int(size)))
	if err != nil {
		return nil // not well-formed: Wasmtime's validation says what is wrong
	}
	if shared {
		return status.Errorf(status.Compile,
			"the module defines a shared memory: a memory.atomic.wait on it could never be woken, "+
				"and nothing could stop the thread parked in it; import a shared memory made with "+
				"wb_shared_memory_new instead, or allow it with the engine's guest_shared_memory "+
				"(for trusted guests only)")
	}
	return nil
}

// definesSharedMemory reports whether a wasm binary defines (not imports)
// a shared memory.
func definesSharedMemory(b []byte) (bool, error) {
	m, err := modinfo.Parse(b)
	if err != nil {
		return false, err
	}
	imported := 0
	for _, im := range m.Imports {
		if im.Kind == modinfo.ExternMemory {
			imported++
		}
	}
	for _, mem := range m.Memories[imported:] {
		if mem.Shared {
			return true, nil
		}
	}
	return false, nil
}
