/* The hand-written header together with cgo's generated one: any drift
 * between a prototype in wasmbound.h and its Go //export is a compile
 * error here. */
#include "wasmbound.h"
#include "libwasmbound.h"

int main(void) { return 0; }
