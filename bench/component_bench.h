/* The component cases of make bench, shared by both programs: the component
 * text (both sides compile the same), included by bench_wasmbound.c and
 * bench_raw.c after their own set-up code; each defines the case functions
 * and adds COMPONENT_CASES to its case table.
 *
 *   component_add          add(u32, u32) -> u32, with post-return (raw)
 *   component_echo_1k      echo(string) -> string of 1 KiB, result freed
 *   component_host_call    a guest loop calling a host import f(u32) -> u32
 *   component_instantiate  new store, instantiate, delete (default allocator)
 *   component_instantiate_pooling  the same with the pooling allocator
 */
#ifndef WB_COMPONENT_BENCH_H
#define WB_COMPONENT_BENCH_H

/* add and echo: echo's string lives where realloc put it; post-return
 * resets the bump allocator */
static const char WAT_COMP_CALC[] =
    "(component\n"
    "  (core module $m\n"
    "    (memory (export \"mem\") 1)\n"
    "    (global $bump (mut i32) (i32.const 1024))\n"
    "    (func (export \"realloc\") (param i32 i32 i32 i32) (result i32) (local $r i32)\n"
    "      (local.set $r (global.get $bump))\n"
    "      (global.set $bump (i32.add (global.get $bump) (local.get 3)))\n"
    "      (local.get $r))\n"
    "    (func (export \"reset\") (param i32) (global.set $bump (i32.const 1024)))\n"
    "    (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)\n"
    "    (func (export \"echo\") (param i32 i32) (result i32)\n"
    "      (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 1)) (i32.const 0)))\n"
    "  (core instance $i (instantiate $m))\n"
    "  (func (export \"add\") (param \"a\" u32) (param \"b\" u32) (result u32) (canon lift (core func $i \"add\")))\n"
    "  (func (export \"echo\") (param \"s\" string) (result string)\n"
    "    (canon lift (core func $i \"echo\") (memory $i \"mem\") (realloc (func $i \"realloc\"))\n"
    "      (post-return (func $i \"reset\")))))";

/* run(n) calls the host's ns:bench/host@1.0.0#f n times, threading a value through */
static const char WAT_COMP_HOST[] =
    "(component\n"
    "  (import \"ns:bench/host@1.0.0\" (instance $h (export \"f\" (func (param \"x\" u32) (result u32)))))\n"
    "  (alias export $h \"f\" (func $f))\n"
    "  (core func $fl (canon lower (func $f)))\n"
    "  (core module $m\n"
    "    (import \"host\" \"f\" (func $f (param i32) (result i32)))\n"
    "    (func (export \"run\") (param $n i32) (result i32) (local $acc i32)\n"
    "      (loop $l (local.set $acc (call $f (local.get $acc)))\n"
    "        (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n)))\n"
    "      (local.get $acc)))\n"
    "  (core instance $i (instantiate $m (with \"host\" (instance (export \"f\" (func $fl))))))\n"
    "  (func (export \"run\") (param \"n\" u32) (result u32) (canon lift (core func $i \"run\"))))";

/* instantiation: the core module of the core case (memory, table, global,
 * data, function), its function lifted */
static const char WAT_COMP_INST[] =
    "(component\n"
    "  (core module $m\n"
    "    (memory (export \"memory\") 1)\n"
    "    (table 4 funcref)\n"
    "    (global $g (mut i32) (i32.const 7))\n"
    "    (data (i32.const 16) \"wasmbound benchmark\")\n"
    "    (func $add (export \"add\") (param i32 i32) (result i32)\n"
    "      local.get 0 local.get 1 i32.add global.get $g i32.add)\n"
    "    (elem (i32.const 0) $add))\n"
    "  (core instance $i (instantiate $m))\n"
    "  (func (export \"add\") (param \"a\" u32) (param \"b\" u32) (result u32) (canon lift (core func $i \"add\"))))";

#define COMPONENT_ECHO_LEN 1024

#define COMPONENT_CASES                                                                         \
  {"component_add", setup_component_calls, run_component_add, 0, 0, 0},                         \
      {"component_echo_1k", setup_component_calls, run_component_echo, 0, 0, 0},                \
      {"component_host_call", setup_component_host, run_component_host, 0, 0, 0},               \
      {"component_instantiate", setup_component_instantiate, run_component_instantiate, 0, 0, 0}, \
      {"component_instantiate_pooling", setup_component_instantiate_pooling,                    \
       run_component_instantiate_pooling, 0, 0, 0},

#endif
