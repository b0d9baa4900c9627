;; A small component for the thread and pool tests: add, a string echo,
;; quad, which calls the host's ns:calc/host@1.0.0#twice twice, and boom,
;; which traps.
(component
  (import "ns:calc/host@1.0.0" (instance $h (export "twice" (func (param "x" u32) (result u32)))))
  (alias export $h "twice" (func $twice))
  (core func $twice_l (canon lower (func $twice)))
  (core module $m
    (import "host" "twice" (func $twice (param i32) (result i32)))
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $r i32)
      (local.set $r (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (local.get 3)))
      (local.get $r))
    (func (export "reset") (param i32) (global.set $bump (i32.const 1024)))
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 1)) (i32.const 0))
    (func (export "quad") (param i32) (result i32) (call $twice (call $twice (local.get 0))))
    (func (export "boom") unreachable))
  (core instance $i (instantiate $m (with "host" (instance (export "twice" (func $twice_l))))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory $i "mem") (realloc (func $i "realloc")) (post-return (func $i "reset"))))
  (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $i "quad")))
  (func (export "boom") (canon lift (core func $i "boom"))))
