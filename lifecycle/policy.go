package lifecycle

// #include "lifecycle.h"
import "C"

import (
	"errors"
	"unsafe"

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

var errMalformed = errors.New("malformed")

// definesSharedMemory reports whether a wasm binary's memory section
// declares a shared memory. It reads only the section headers and the
// memory section.
func definesSharedMemory(b []byte) (bool, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" || b[4] != 1 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return false, errMalformed // a component, or not wasm
	}
	r := reader{b: b, at: 8}
	for r.at < len(r.b) {
		id := r.byte()
		size := r.u32()
		if r.err != nil || size > uint64(len(r.b)-r.at) {
			return false, errMalformed
		}
		end := r.at + int(size)
		if id == 5 { // memory section
			count := r.u32()
			for i := uint64(0); i < count && r.err == nil; i++ {
				flags := r.byte()
				if flags&0x02 != 0 {
					return true, nil
				}
				r.u64() // min
				if flags&0x01 != 0 {
					r.u64() // max
				}
				if flags&0x08 != 0 {
					r.u32() // page size log2
				}
			}
			return false, r.err
		}
		r.at = end
	}
	return false, nil
}

type reader struct {
	b   []byte
	at  int
	err error
}

func (r *reader) byte() byte {
	if r.at >= len(r.b) {
		r.err = errMalformed
		return 0
	}
	c := r.b[r.at]
	r.at++
	return c
}

func (r *reader) u64() uint64 {
	var v uint64
	for shift := uint(0); shift < 70; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errMalformed
	return 0
}

func (r *reader) u32() uint64 { return r.u64() }
