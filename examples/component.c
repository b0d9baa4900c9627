/* Components and WASI 0.2: a component of this WIT world, written by hand
 * in component text (a toolchain such as cargo-component or componentize-js
 * would produce the same kind of binary),
 *
 *   package example:greeter;
 *
 *   interface host {
 *     resource counter;                      // a host resource
 *     log: func(msg: string);                // host imports
 *     bump: func(c: borrow<counter>) -> u32;
 *   }
 *
 *   world greeter {
 *     import host;
 *     export greet: func(name: string) -> string;
 *     export visit: func(c: borrow<counter>) -> u32;
 *   }
 *
 * instantiated through a component linker that defines the host interface
 * with C functions, and then a WASI 0.2 command run with the store's WASI
 * settings (its stdout captured).
 *
 *   cc component.c -lwasmbound && ./a.out
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasmbound.h>

static const char *GREETER =
    "(component\n"
    "  (import \"example:greeter/host\" (instance $host\n"
    "    (export \"counter\" (type $counter (sub resource)))\n"
    "    (export \"log\" (func (param \"msg\" string)))\n"
    "    (export \"bump\" (func (param \"c\" (borrow $counter)) (result u32)))))\n"
    "  (alias export $host \"counter\" (type $counter))\n"
    "  (alias export $host \"log\" (func $log))\n"
    "  (alias export $host \"bump\" (func $bump))\n"
    "  (core module $mem\n"
    "    (memory (export \"mem\") 1)\n"
    "    (global $next (mut i32) (i32.const 1024))\n"
    "    (func (export \"realloc\") (param i32 i32 i32 i32) (result i32) (local $r i32)\n"
    "      (local.set $r (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))\n"
    "                             (i32.sub (i32.const 0) (local.get 2))))\n"
    "      (global.set $next (i32.add (local.get $r) (local.get 3)))\n"
    "      (local.get $r))\n"
    "    (func (export \"reset\") (param i32) (global.set $next (i32.const 1024)))\n"
    "    (data (i32.const 64) \"hello, \"))\n"
    "  (core instance $m (instantiate $mem))\n"
    "  (core func $log_l (canon lower (func $log) (memory $m \"mem\") (realloc (func $m \"realloc\"))))\n"
    "  (core func $bump_l (canon lower (func $bump)))\n"
    "  (core func $drop_c (canon resource.drop $counter))\n"
    "  (core module $main\n"
    "    (import \"m\" \"mem\" (memory 1))\n"
    "    (import \"m\" \"realloc\" (func $realloc (param i32 i32 i32 i32) (result i32)))\n"
    "    (import \"host\" \"log\" (func $log (param i32 i32)))\n"
    "    (import \"host\" \"bump\" (func $bump (param i32) (result i32)))\n"
    "    (import \"host\" \"drop\" (func $drop (param i32)))\n"
    "    (func (export \"greet\") (param $p i32) (param $n i32) (result i32) (local $out i32) (local $ret i32)\n"
    "      (call $log (local.get $p) (local.get $n))\n"
    "      (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)\n"
    "                                     (i32.add (local.get $n) (i32.const 7))))\n"
    "      (memory.copy (local.get $out) (i32.const 64) (i32.const 7))\n"
    "      (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $p) (local.get $n))\n"
    "      (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))\n"
    "      (i32.store (local.get $ret) (local.get $out))\n"
    "      (i32.store offset=4 (local.get $ret) (i32.add (local.get $n) (i32.const 7)))\n"
    "      (local.get $ret))\n"
    "    (func (export \"visit\") (param $c i32) (result i32) (local $v i32)\n"
    "      (local.set $v (call $bump (local.get $c)))\n"
    "      (call $drop (local.get $c)) ;; a callee drops the borrows it got\n"
    "      (local.get $v)))\n"
    "  (core instance $i (instantiate $main\n"
    "    (with \"m\" (instance $m))\n"
    "    (with \"host\" (instance (export \"log\" (func $log_l)) (export \"bump\" (func $bump_l))\n"
    "                           (export \"drop\" (func $drop_c))))))\n"
    "  (func (export \"greet\") (param \"name\" string) (result string)\n"
    "    (canon lift (core func $i \"greet\") (memory $m \"mem\") (realloc (func $m \"realloc\"))\n"
    "      (post-return (func $m \"reset\"))))\n"
    "  (func (export \"visit\") (param \"c\" (borrow $counter)) (result u32) (canon lift (core func $i \"visit\"))))";

/* A WASI 0.2 command: run() writes a line to stdout (wasi:cli/stdout,
 * wasi:io/streams). */
static const char *COMMAND =
    "(component\n"
    "  (type $error_iface (instance (export \"error\" (type (sub resource)))))\n"
    "  (import \"wasi:io/error@0.2.0\" (instance $errors (type $error_iface)))\n"
    "  (alias export $errors \"error\" (type $error))\n"
    "  (type $streams_iface (instance\n"
    "    (alias outer 1 $error (type $err))\n"
    "    (export \"error\" (type $err_e (eq $err)))\n"
    "    (type $own_err (own $err_e))\n"
    "    (type $serr (variant (case \"last-operation-failed\" $own_err) (case \"closed\")))\n"
    "    (export \"stream-error\" (type $serr_e (eq $serr)))\n"
    "    (export \"output-stream\" (type $os (sub resource)))\n"
    "    (type $bos (borrow $os))\n"
    "    (type $bytes (list u8))\n"
    "    (type $res (result (error $serr_e)))\n"
    "    (export \"[method]output-stream.blocking-write-and-flush\"\n"
    "      (func (param \"self\" $bos) (param \"contents\" $bytes) (result $res)))))\n"
    "  (import \"wasi:io/streams@0.2.0\" (instance $streams (type $streams_iface)))\n"
    "  (alias export $streams \"output-stream\" (type $output_stream))\n"
    "  (alias export $streams \"[method]output-stream.blocking-write-and-flush\" (func $write))\n"
    "  (type $stdout_iface (instance\n"
    "    (alias outer 1 $output_stream (type $os))\n"
    "    (export \"output-stream\" (type $os_e (eq $os)))\n"
    "    (type $own_os (own $os_e))\n"
    "    (export \"get-stdout\" (func (result $own_os)))))\n"
    "  (import \"wasi:cli/stdout@0.2.0\" (instance $stdout (type $stdout_iface)))\n"
    "  (alias export $stdout \"get-stdout\" (func $get_stdout))\n"
    "  (core module $mem (memory (export \"mem\") 1) (data (i32.const 16) \"hello from WASI 0.2\\n\"))\n"
    "  (core instance $m (instantiate $mem))\n"
    "  (core func $get_stdout_l (canon lower (func $get_stdout)))\n"
    "  (core func $write_l (canon lower (func $write) (memory $m \"mem\")))\n"
    "  (core func $drop_os (canon resource.drop $output_stream))\n"
    "  (core module $main\n"
    "    (import \"m\" \"mem\" (memory 1))\n"
    "    (import \"wasi\" \"get-stdout\" (func $get_stdout (result i32)))\n"
    "    (import \"wasi\" \"write\" (func $write (param i32 i32 i32 i32)))\n"
    "    (import \"wasi\" \"drop\" (func $drop (param i32)))\n"
    "    (func (export \"run\") (result i32) (local $h i32)\n"
    "      (local.set $h (call $get_stdout))\n"
    "      (call $write (local.get $h) (i32.const 16) (i32.const 20) (i32.const 64))\n"
    "      (call $drop (local.get $h))\n"
    "      (i32.load8_u (i32.const 64))))\n"
    "  (core instance $i (instantiate $main (with \"m\" (instance $m))\n"
    "    (with \"wasi\" (instance (export \"get-stdout\" (func $get_stdout_l)) (export \"write\" (func $write_l))\n"
    "                           (export \"drop\" (func $drop_os))))))\n"
    "  (func $run (result (result)) (canon lift (core func $i \"run\")))\n"
    "  (instance $run_inst (export \"run\" (func $run)))\n"
    "  (export \"wasi:cli/run@0.2.0\" (instance $run_inst)))";

#define CHECK(call)                                                              \
  do {                                                                           \
    wb_status_t st_ = (call);                                                    \
    if (st_ != WB_OK) {                                                          \
      fprintf(stderr, "%s: %s: %s\n", #call, wb_status_name(st_), wb_last_error()); \
      exit(1);                                                                   \
    }                                                                            \
  } while (0)

/* ---- the host interface ----------------------------------------------------------- */

typedef struct counter {
  unsigned visits;
} counter_t;

static wb_status_t host_log(void *env, wb_store_t store, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)store, (void)nargs, (void)result;
  /* strings are UTF-8 with a length, not NUL-terminated */
  printf("the guest logged: %.*s\n", (int)args[0].of.str.len, args[0].of.str.data);
  return WB_OK;
}

static wb_status_t host_bump(void *env, wb_store_t store, const wb_cval_t *args, size_t nargs, wb_cval_t *result) {
  (void)env, (void)store, (void)nargs;
  void *user;
  wb_status_t st = wb_resource_host_data(args[0].of.resource, NULL, &user); /* a borrow of our counter */
  if (st) return st;
  counter_t *c = user;
  *result = wb_cval_u32(++c->visits);
  return WB_OK;
}

static void counter_destroyed(void *env, void *user) {
  (void)env;
  counter_t *c = user;
  printf("counter destroyed after %u visits\n", c->visits);
  free(c);
}

int main(void) {
  wb_engine_t engine;
  wb_component_t greeter, command;
  wb_component_linker_t linker;
  wb_store_t store;
  wb_component_instance_t inst;
  uint32_t counter_type;

  CHECK(wb_engine_new(NULL, &engine)); /* the component model is on by default */
  CHECK(wb_component_new(engine, (const uint8_t *)GREETER, strlen(GREETER), &greeter));

  /* the world's imports, defined once; templates made from it are shareable */
  CHECK(wb_component_linker_new(engine, &linker));
  CHECK(wb_component_linker_define_func(linker, "example:greeter/host", "log", host_log, NULL, NULL));
  CHECK(wb_component_linker_define_func(linker, "example:greeter/host", "bump", host_bump, NULL, NULL));
  CHECK(wb_component_linker_define_resource(linker, "example:greeter/host", "counter", counter_destroyed, NULL, NULL,
                                            &counter_type));
  CHECK(wb_store_new(engine, &store)); /* this thread owns it */
  CHECK(wb_component_linker_instantiate(linker, store, greeter, &inst));

  /* greet: a string in, a string out; the result is ours until disposed */
  wb_component_func_t greet, visit;
  CHECK(wb_component_instance_get_func(inst, "greet", &greet));
  wb_cval_t name = wb_cval_string("world");
  wb_cresult_t r = WB_CRESULT_INIT;
  CHECK(wb_component_func_call(greet, &name, 1, &r));
  printf("greet returned: %.*s\n", (int)r.value.of.str.len, r.value.of.str.data);
  wb_cresult_dispose(&r);

  /* a bad argument is refused before the guest runs; the instance stays usable */
  wb_cval_t bad = wb_cval_string("\xff");
  wb_status_t st = wb_component_func_call(greet, &bad, 1, &r);
  printf("greet with invalid UTF-8: %s (%s)\n", wb_status_name(st), wb_last_error());

  /* a host resource: made by the host, lent to the guest three times */
  counter_t *c = calloc(1, sizeof *c);
  wb_resource_t counter;
  CHECK(wb_resource_new(store, counter_type, c, &counter));
  CHECK(wb_component_instance_get_func(inst, "visit", &visit));
  wb_cval_t lend = wb_cval_borrow(counter);
  for (int i = 0; i < 3; i++) {
    CHECK(wb_component_func_call(visit, &lend, 1, &r));
    printf("visit %d: the counter says %u\n", i + 1, r.value.of.u32);
  }
  CHECK(wb_resource_drop(counter)); /* the destructor runs now, once */

  /* a WASI 0.2 command, with the store's WASI settings (stdout captured) */
  wb_wasi_config_t wasi;
  CHECK(wb_wasi_config_new(&wasi));
  CHECK(wb_wasi_config_set_stdout(wasi, WB_STDIO_CAPTURE, NULL));
  CHECK(wb_store_set_wasi(store, wasi));
  CHECK(wb_component_linker_define_wasi(linker));
  CHECK(wb_component_new(engine, (const uint8_t *)COMMAND, strlen(COMMAND), &command));
  CHECK(wb_component_linker_instantiate(linker, store, command, &inst));
  st = wb_component_run(inst);
  wb_bytes_t out;
  CHECK(wb_store_wasi_output(store, 1, &out));
  printf("the command exited with status %d and printed: %s", wb_last_exit_code(), (const char *)out.data);
  wb_bytes_dispose(&out);
  if (st != WB_OK) return 1;

  CHECK(wb_store_delete(store));
  CHECK(wb_wasi_config_delete(wasi));
  CHECK(wb_component_linker_delete(linker));
  CHECK(wb_component_delete(command));
  CHECK(wb_component_delete(greeter));
  CHECK(wb_engine_delete(engine));
  return 0;
}
