(module
  (import "m" "shared" (memory 1 2 shared))
  (memory (export "m64") i64 1 10)
  (memory (export "tiny") 0 1 (pagesize 1))
  (table (export "t64") i64 5 funcref)
  (table (export "tbig") 0 4294967295 externref))
