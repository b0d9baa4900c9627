// Package dispatch owns everything that crosses into wasm and back: the hot
// paths (func call, memory read and write, global get and set) written in
// C so that no Go runs on them, failed calls turned into statuses with trap
// codes and wasm backtraces, and interrupts (wb_store_interrupt from any
// thread, the epoch callback on the owner thread).
//
// Thread rule: every function here runs on the calling C thread; all but
// wb_store_interrupt first check (handles.h, wbh_bound) that this thread
// owns the store.
package dispatch

// #cgo CFLAGS: -I${SRCDIR}/../include -O2
import "C"

import (
	// Wasmtime's C library and headers come with wasmtime-go; importing it
	// links libwasmtime.a into the library.
	_ "github.com/bytecodealliance/wasmtime-go/v39"

	_ "wasmbound/handles"
)
