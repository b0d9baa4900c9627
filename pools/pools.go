// Package pools turns the one-store-per-thread rule into a service: worker
// threads that each own a store and instance made from a template, fed by a
// bounded queue that any thread submits to, with futures, cancellation,
// draining and cancelling shutdown, and statistics (pool.c).
//
// It builds on lifecycle (stores, templates) and dispatch (calls); the
// workers are C threads and the whole path from submit to result is C, so
// a round trip costs one mutex/condition handoff each way and no Go.
package pools

// #cgo CFLAGS: -I${SRCDIR}/../include -O2
// void wbp_init(void);
import "C"

import _ "wasmbound/lifecycle" // stores, templates, and the libraries under them

func init() { C.wbp_init() }
