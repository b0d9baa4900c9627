package modinfo

// FuzzParse: any bytes give an Info or an error, never a panic; what parses
// describes itself again through its skeleton, and every index it reports
// is in range.
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 60s ./modinfo
//
// The seed corpus is the golden modules of testdata/ (and anything the
// fuzzer saved under testdata/fuzz/FuzzParse/).

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.wasm")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		d := dump(m)
		m2, err := Parse(m.Skeleton)
		if err != nil {
			t.Fatalf("the skeleton does not parse: %v", err)
		}
		if dump(m2) != d {
			t.Fatalf("the skeleton describes another module")
		}
		for _, im := range m.Imports {
			if m.ExternText(im.Kind, im.Index) == "(?)" {
				t.Fatalf("import %q %q has no type", im.Module, im.Name)
			}
		}
		for _, e := range m.Exports {
			if m.ExternText(e.Kind, e.Index) == "(?)" {
				t.Fatalf("export %q has no type", e.Name)
			}
		}
		_ = m.ExportOrder()
	})
}
