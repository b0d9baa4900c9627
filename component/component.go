// Package component runs WebAssembly components (the component model) and
// WASI 0.2 through thread-bound handles: compiling and introspecting
// components, component linkers with host functions and host resources,
// templates and pools, instances, calls with checked component values, and
// WASI 0.2 commands.
//
// Everything is C (component.c, linker.c, instance.c, values.c, types.c,
// resource.c, pool.c) on top of handles/ (the handle table and owner-thread
// checks), status/ (errors), dispatch/ (crossing into wasm: failures, stack
// checks, interrupts) and lifecycle/ (engines, stores, WASI settings). The
// thread rules are those of core wasm: components, templates and pools are
// shared; component linkers belong to their creator; instances, functions
// and resources to their store's owner thread.
package component

// #cgo CFLAGS: -I${SRCDIR}/../include -O2
// void wbc_init(void);
import "C"

import _ "wasmbound/lifecycle" // engines, stores, WASI, and the libraries under them

func init() { C.wbc_init() }
