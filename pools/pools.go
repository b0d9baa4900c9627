// Package pools turns the one-store-per-thread rule into a service: worker
// threads that each own a store and instance made from a template, fed by a
// bounded queue that any thread submits to, with futures, cancellation,
// draining and cancelling shutdown, and statistics (pool.c).
//
// It builds on lifecycle (stores, templates) and dispatch (calls); the
// workers are C threads and the whole path from submit to result is C, so
// a round trip is one hand-off each way (a brief spin, then a condition
// variable) and no Go. Futures can also report completion through a
// callback and through the pool's eventfd, for event loops.
package pools

// #cgo CFLAGS: -I${SRCDIR}/../include -O2
// void wbp_init(void);
import "C"

import _ "wasmbound/lifecycle" // stores, templates, and the libraries under them

func init() { C.wbp_init() }
