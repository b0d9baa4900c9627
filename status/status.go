// Package status owns wasmbound's error reporting: the status codes, the
// thread-local last error that wb_last_error returns, and the conversion of
// Go errors and panics into a status for C.
//
// Thread rule: the last error is per OS thread. A Go function exported to C
// runs on the calling C thread (cgo locks it there for the call), so Report
// writes the message where that thread's wb_last_error will read it.
package status

// #cgo CFLAGS: -I${SRCDIR}/../include
// #include "status.h"
// static void wbi_fail_go(wb_status_t st, _GoString_ msg) {
//   wbi_fail_bytes(st, _GoStringPtr(msg), _GoStringLen(msg));
// }
import "C"

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// Code mirrors wb_status_t.
type Code uint32

const (
	OK              Code = C.WB_OK
	InvalidArgument Code = C.WB_ERR_INVALID_ARGUMENT
	InvalidHandle   Code = C.WB_ERR_INVALID_HANDLE
	WrongThread     Code = C.WB_ERR_WRONG_THREAD
	Busy            Code = C.WB_ERR_BUSY
	NotFound        Code = C.WB_ERR_NOT_FOUND
	TypeMismatch    Code = C.WB_ERR_TYPE_MISMATCH
	Compile         Code = C.WB_ERR_COMPILE
	Link            Code = C.WB_ERR_LINK
	Trap            Code = C.WB_ERR_TRAP
	Interrupted     Code = C.WB_ERR_INTERRUPTED
	OutOfFuel       Code = C.WB_ERR_OUT_OF_FUEL
	Limit           Code = C.WB_ERR_LIMIT
	OutOfBounds     Code = C.WB_ERR_OUT_OF_BOUNDS
	Exit            Code = C.WB_ERR_EXIT
	IO              Code = C.WB_ERR_IO
	NoMemory        Code = C.WB_ERR_NO_MEMORY
	Internal        Code = C.WB_ERR_INTERNAL
	NativeStack     Code = C.WB_ERR_NATIVE_STACK
	Timeout         Code = C.WB_ERR_TIMEOUT
	Exception       Code = C.WB_ERR_EXCEPTION
	Unusable        Code = C.WB_ERR_UNUSABLE
)

// Error is a failure with its status. Recorded, an Error becomes the
// thread's last error; Recorded errors were already reported by C code
// (their message is in place) and must not be overwritten.
type Error struct {
	Code     Code
	Msg      string
	Recorded bool
}

func (e *Error) Error() string { return e.Msg }

// Errorf makes an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// FromC wraps a status that C code has already recorded as the last error.
func FromC(code Code) error {
	if code == OK {
		return nil
	}
	return &Error{Code: code, Recorded: true}
}

// Report records err as the calling thread's last error and returns its
// code; nil is OK. Errors that are not *Error are internal errors.
func Report(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: Internal, Msg: "internal error: " + err.Error()}
	}
	if !e.Recorded {
		C.wbi_fail_go(C.wb_status_t(e.Code), e.Msg)
	}
	return e.Code
}

// Recover must be deferred directly by every function exported to C: it
// turns a panic into WB_ERR_INTERNAL with the function's name, the panic
// value and the Go stack in the message, so that no panic crosses into C.
func Recover(function string, code *Code) {
	if r := recover(); r != nil {
		*code = Report(Errorf(Internal, "internal error in %s: %v\n%s", function, r, debug.Stack()))
	}
}
