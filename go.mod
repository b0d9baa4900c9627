module wasmbound

go 1.26.0

require (
	github.com/bytecodealliance/wasmtime-go/v39 v39.0.1
	golang.org/x/sys v0.49.0
)
