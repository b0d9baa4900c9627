;; A WASI 0.2 command, written by hand: wasi:cli/run calls
;; wasi:cli/stdout's get-stdout and writes one line with
;; output-stream.blocking-write-and-flush (wasi:io/streams), then returns ok
;; (or err when the write failed).
(component
  (type $error_iface (instance (export "error" (type (sub resource)))))
  (import "wasi:io/error@0.2.0" (instance $errors (type $error_iface)))
  (alias export $errors "error" (type $error))
  (type $streams_iface (instance
    (alias outer 1 $error (type $err))
    (export "error" (type $err_e (eq $err)))
    (type $own_err (own $err_e))
    (type $serr (variant (case "last-operation-failed" $own_err) (case "closed")))
    (export "stream-error" (type $serr_e (eq $serr)))
    (export "output-stream" (type $os (sub resource)))
    (type $bos (borrow $os))
    (type $bytes (list u8))
    (type $res (result (error $serr_e)))
    (export "[method]output-stream.blocking-write-and-flush" (func (param "self" $bos) (param "contents" $bytes) (result $res)))))
  (import "wasi:io/streams@0.2.0" (instance $streams (type $streams_iface)))
  (alias export $streams "output-stream" (type $output_stream))
  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $write))
  (type $stdout_iface (instance
    (alias outer 1 $output_stream (type $os))
    (export "output-stream" (type $os_e (eq $os)))
    (type $own_os (own $os_e))
    (export "get-stdout" (func (result $own_os)))))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout (type $stdout_iface)))
  (alias export $stdout "get-stdout" (func $get_stdout))
  (core module $mem
    (memory (export "mem") 1)
    (data (i32.const 16) "hello from WASI 0.2\n"))
  (core instance $m (instantiate $mem))
  (core func $get_stdout_l (canon lower (func $get_stdout)))
  (core func $write_l (canon lower (func $write) (memory $m "mem")))
  (core func $drop_os (canon resource.drop $output_stream))
  (core module $main
    (import "m" "mem" (memory 1))
    (import "wasi" "get-stdout" (func $get_stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "drop" (func $drop (param i32)))
    (func (export "run") (result i32) (local $h i32)
      (local.set $h (call $get_stdout))
      (call $write (local.get $h) (i32.const 16) (i32.const 20) (i32.const 64))
      (call $drop (local.get $h))
      (i32.load8_u (i32.const 64))))
  (core instance $i (instantiate $main
    (with "m" (instance $m))
    (with "wasi" (instance (export "get-stdout" (func $get_stdout_l)) (export "write" (func $write_l)) (export "drop" (func $drop_os))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run_inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run_inst)))
