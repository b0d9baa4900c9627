(module
  (import "m" "tag" (tag $t (param i32)))
  (tag $u (export "u") (param i64 f32))
  (export "t" (tag $t))
  (func (export "f") (param exnref) (result nullexnref) ref.null noexn)
  (global (export "e") (mut exnref) (ref.null exn)))
