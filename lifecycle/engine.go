// Package lifecycle creates and deletes what handles name: engines and
// modules here in Go (configuration, compilation, introspection), stores,
// instances and export lookup in store.c (they take store-bound handles and
// so run on the owner thread without entering Go).
//
// Thread rules: engines and modules are shared; every function here may run
// on any thread at once. An object is used only while a reference on its
// handle is held (handles.h), so a concurrent delete cannot free it early.
package lifecycle

// #cgo CFLAGS: -I${SRCDIR}/../include -O2
// #include <stdlib.h>
// #include "lifecycle.h"
import "C"

import (
	"sync/atomic"
	"unsafe"

	"wasmbound/status"

	_ "wasmbound/dispatch" // the C hot paths and Wasmtime's library
)

func init() { C.wbl_init() }

var engineSerial atomic.Uint64

// NewEngine creates an engine from a wb_engine_config_t of any version
// (nil: defaults).
func NewEngine(cfgPtr unsafe.Pointer) (uint64, error) {
	var cfg C.wb_engine_config_t
	if st := status.Code(C.wbl_engine_config_read((*C.wb_engine_config_t)(cfgPtr), &cfg)); st != status.OK {
		return 0, status.FromC(st)
	}
	if cfg.profiler > C.WB_PROFILER_JITDUMP {
		return 0, status.Errorf(status.InvalidArgument, "config.profiler %d is not a wb_profiler_t", cfg.profiler)
	}
	if cfg.opt_level > C.WB_OPT_SPEED_AND_SIZE {
		return 0, status.Errorf(status.InvalidArgument, "config.opt_level %d is not a wb_opt_level_t", cfg.opt_level)
	}
	stack := uint64(cfg.max_wasm_stack)
	if stack == 0 {
		stack = C.WBD_DEFAULT_MAX_WASM_STACK
	}
	if stack < 16<<10 || stack > 1<<30 {
		return 0, status.Errorf(status.InvalidArgument,
			"config.max_wasm_stack %d is outside 16 KiB .. 1 GiB", stack)
	}
	if cfg.pooling_allocator && (cfg.pool_total_core_instances == 0 || cfg.pool_total_memories == 0 ||
		cfg.pool_max_memory_size == 0) {
		return 0, status.Errorf(status.InvalidArgument,
			"the pooling allocator needs non-zero pool_total_core_instances, pool_total_memories and pool_max_memory_size")
	}

	wc := C.wasm_config_new()
	C.wasmtime_config_wasm_threads_set(wc, C.bool(cfg.wasm_threads))
	C.wasmtime_config_wasm_simd_set(wc, C.bool(cfg.wasm_simd))
	C.wasmtime_config_wasm_relaxed_simd_set(wc, C.bool(cfg.wasm_relaxed_simd))
	C.wasmtime_config_wasm_relaxed_simd_deterministic_set(wc, C.bool(cfg.wasm_relaxed_simd_deterministic))
	C.wasmtime_config_wasm_reference_types_set(wc, C.bool(cfg.wasm_reference_types))
	C.wasmtime_config_wasm_function_references_set(wc, C.bool(cfg.wasm_function_references || cfg.wasm_gc))
	C.wasmtime_config_wasm_gc_set(wc, C.bool(cfg.wasm_gc))
	C.wasmtime_config_wasm_exceptions_set(wc, C.bool(cfg.wasm_exceptions))
	C.wasmtime_config_wasm_bulk_memory_set(wc, C.bool(cfg.wasm_bulk_memory))
	C.wasmtime_config_wasm_multi_value_set(wc, C.bool(cfg.wasm_multi_value))
	C.wasmtime_config_wasm_wide_arithmetic_set(wc, C.bool(cfg.wasm_wide_arithmetic))
	C.wasmtime_config_wasm_custom_page_sizes_set(wc, C.bool(cfg.wasm_custom_page_sizes))
	C.wasmtime_config_wasm_stack_switching_set(wc, C.bool(cfg.wasm_stack_switching))
	C.wasmtime_config_wasm_component_model_set(wc, C.bool(cfg.wasm_component_model))
	C.wasmtime_config_async_support_set(wc, C.bool(cfg.async_support))
	if cfg.async_stack_size != 0 {
		C.wasmtime_config_async_stack_size_set(wc, C.size_t(cfg.async_stack_size))
	}
	C.wasmtime_config_wasm_multi_memory_set(wc, C.bool(cfg.wasm_multi_memory))
	C.wasmtime_config_wasm_memory64_set(wc, C.bool(cfg.wasm_memory64))
	C.wasmtime_config_wasm_tail_call_set(wc, C.bool(cfg.wasm_tail_call))
	C.wasmtime_config_consume_fuel_set(wc, C.bool(cfg.consume_fuel))
	C.wasmtime_config_epoch_interruption_set(wc, C.bool(cfg.epoch_interruption))
	C.wasmtime_config_signals_based_traps_set(wc, C.bool(cfg.signals_based_traps))
	C.wasmtime_config_cranelift_opt_level_set(wc, C.wasmtime_opt_level_t(cfg.opt_level))
	C.wasmtime_config_parallel_compilation_set(wc, C.bool(cfg.parallel_compilation))
	C.wasmtime_config_max_wasm_stack_set(wc, C.size_t(stack))
	switch cfg.profiler {
	case C.WB_PROFILER_PERFMAP:
		C.wasmtime_config_profiler_set(wc, C.WASMTIME_PROFILING_STRATEGY_PERFMAP)
	case C.WB_PROFILER_JITDUMP:
		C.wasmtime_config_profiler_set(wc, C.WASMTIME_PROFILING_STRATEGY_JITDUMP)
	}
	if cfg.pooling_allocator {
		pc := C.wasmtime_pooling_allocation_config_new()
		C.wasmtime_pooling_allocation_config_total_core_instances_set(pc, C.uint32_t(cfg.pool_total_core_instances))
		C.wasmtime_pooling_allocation_config_total_memories_set(pc, C.uint32_t(cfg.pool_total_memories))
		C.wasmtime_pooling_allocation_config_total_tables_set(pc, C.uint32_t(cfg.pool_total_tables))
		C.wasmtime_pooling_allocation_config_max_memory_size_set(pc, C.size_t(cfg.pool_max_memory_size))
		C.wasmtime_pooling_allocation_strategy_set(wc, pc)
		C.wasmtime_pooling_allocation_config_delete(pc)
	}
	// wasm_engine_new_with_config takes the config and returns NULL on a
	// configuration Wasmtime rejects.
	we := C.wasm_engine_new_with_config(wc)
	if we == nil {
		return 0, status.Errorf(status.InvalidArgument, "Wasmtime rejected the engine configuration")
	}
	e := (*C.wbd_engine_t)(C.calloc(1, C.sizeof_wbd_engine_t))
	e.engine = we
	e.serial = C.uint64_t(engineSerial.Add(1))
	e.max_wasm_stack = C.uint64_t(stack)
	e.epoch_interruption = cfg.epoch_interruption
	e.consume_fuel = cfg.consume_fuel
	e.async_support = cfg.async_support
	e.guest_shared_memory = cfg.guest_shared_memory
	e.features = C.uint32_t(featureBits(&cfg))
	var id C.uint64_t
	if st := status.Code(C.wbh_alloc(C.WBH_KIND_ENGINE, unsafe.Pointer(e), nil, &id)); st != status.OK {
		C.wasm_engine_delete(we)
		C.free(unsafe.Pointer(e))
		return 0, status.FromC(st)
	}
	return uint64(id), nil
}

// DeleteEngine deletes the caller's reference to an engine.
func DeleteEngine(id uint64) error {
	return status.FromC(status.Code(C.wbh_delete_shared(C.uint64_t(id), C.WBH_KIND_ENGINE)))
}

// withEngine runs fn with a reference on the engine held.
func withEngine(id uint64, fn func(e *C.wbd_engine_t) error) error {
	var obj unsafe.Pointer
	if st := status.Code(C.wbh_acquire(C.uint64_t(id), C.WBH_KIND_ENGINE, &obj)); st != status.OK {
		return status.FromC(st)
	}
	defer C.wbh_release(C.uint64_t(id))
	return fn((*C.wbd_engine_t)(obj))
}

// withModule runs fn with a reference on the module held.
func withModule(id uint64, fn func(m *C.wbd_module_t) error) error {
	var obj unsafe.Pointer
	if st := status.Code(C.wbh_acquire(C.uint64_t(id), C.WBH_KIND_MODULE, &obj)); st != status.OK {
		return status.FromC(st)
	}
	defer C.wbh_release(C.uint64_t(id))
	return fn((*C.wbd_module_t)(obj))
}

// featureBits records the wasm features an engine has (WBD_FEATURE_*), for
// code that must know what a module of the engine may contain.
func featureBits(cfg *C.wb_engine_config_t) uint32 {
	var f uint32
	set := func(on C.bool, bit uint32) {
		if on {
			f |= bit
		}
	}
	set(cfg.wasm_gc, C.WBD_FEATURE_GC)
	set(cfg.wasm_function_references || cfg.wasm_gc, C.WBD_FEATURE_FUNCTION_REFERENCES)
	set(cfg.wasm_exceptions, C.WBD_FEATURE_EXCEPTIONS)
	set(cfg.wasm_threads, C.WBD_FEATURE_THREADS)
	set(cfg.wasm_component_model, C.WBD_FEATURE_COMPONENT_MODEL)
	set(cfg.wasm_stack_switching, C.WBD_FEATURE_STACK_SWITCHING)
	return f
}
