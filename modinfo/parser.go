package modinfo

import (
	"fmt"
	"unicode/utf8"
)

// parser reads b from pos. The first error sticks: later reads return
// zeros, so that loops end and the caller checks err once.
type parser struct {
	b   []byte
	pos int
	err error
}

func (p *parser) fail(format string, args ...any) error {
	if p.err == nil {
		p.err = &parseError{p.pos, fmt.Sprintf(format, args...)}
	}
	return p.err
}

func (p *parser) peek() byte {
	if p.err != nil || p.pos >= len(p.b) {
		return 0
	}
	return p.b[p.pos]
}

func (p *parser) byte() byte {
	if p.err != nil {
		return 0
	}
	if p.pos >= len(p.b) {
		p.fail("unexpected end")
		return 0
	}
	c := p.b[p.pos]
	p.pos++
	return c
}

func (p *parser) bytes(n int) []byte {
	if p.err != nil {
		return nil
	}
	if n < 0 || n > len(p.b)-p.pos {
		p.fail("unexpected end")
		return nil
	}
	s := p.b[p.pos : p.pos+n]
	p.pos += n
	return s
}

// uleb reads an unsigned LEB128 of at most bits bits.
func (p *parser) uleb(bits uint) uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c := p.byte()
		if p.err != nil {
			return 0
		}
		if shift >= bits || (bits-shift < 7 && c&0x7f>>(bits-shift) != 0) {
			p.fail("integer too large")
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
}

// sleb reads a signed LEB128 of at most bits bits (its value is not needed,
// only its extent and validity).
func (p *parser) sleb(bits uint) int64 {
	var v int64
	var shift uint
	for {
		c := p.byte()
		if p.err != nil {
			return 0
		}
		if shift >= bits {
			p.fail("integer too large")
			return 0
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
}

func (p *parser) u32() uint32 { return uint32(p.uleb(32)) }
func (p *parser) u64() uint64 { return p.uleb(64) }

// count reads a vector length and checks that that many items of at least
// min bytes each fit in what is left, so that a length cannot make us
// allocate more than the input justifies.
func (p *parser) count(min int) uint32 {
	n := p.u32()
	if p.err == nil && uint64(n)*uint64(min) > uint64(len(p.b)-p.pos) {
		p.fail("vector of %d items does not fit in %d bytes", n, len(p.b)-p.pos)
		return 0
	}
	return n
}

func (p *parser) name() string {
	n := p.u32()
	s := string(p.bytes(int(n)))
	if p.err == nil && !utf8.ValidString(s) {
		p.fail("name is not valid UTF-8")
	}
	return s
}

// sectionRank orders the known sections as wasm requires; 0 is unknown.
func sectionRank(id byte) int {
	switch id {
	case 1, 2, 3, 4, 5:
		return int(id)
	case 13: // tags come between memories and globals
		return 6
	case 6, 7, 8, 9:
		return int(id) + 1
	case 12: // data count comes before code
		return 11
	case 10, 11:
		return int(id) + 2
	}
	return 0
}

// abstract heap type codes
func abstractHeap(c byte) (heap, kind uint8, ok bool) {
	switch c {
	case 0x70:
		return HeapFunc, KindFuncRef, true
	case 0x73:
		return HeapNoFunc, KindFuncRef, true
	case 0x6F:
		return HeapExtern, KindExtern, true
	case 0x72:
		return HeapNoExtern, KindExtern, true
	case 0x6E:
		return HeapAny, KindAny, true
	case 0x6D:
		return HeapEq, KindAny, true
	case 0x6C:
		return HeapI31, KindAny, true
	case 0x6B:
		return HeapStruct, KindAny, true
	case 0x6A:
		return HeapArray, KindAny, true
	case 0x71:
		return HeapNone, KindAny, true
	case 0x69:
		return HeapExn, KindExn, true
	case 0x74:
		return HeapNoExn, KindExn, true
	case 0x68:
		return HeapCont, KindCont, true
	case 0x75:
		return HeapNoCont, KindCont, true
	}
	return 0, 0, false
}

// heapType reads a heap type; a concrete one is marked HeapConcreteFunc
// until Info.check resolves it.
func (p *parser) heapType(nullable bool) ValType {
	c := p.peek()
	if h, k, ok := abstractHeap(c); ok {
		p.pos++
		return ValType{Kind: k, Nullable: nullable, Heap: h}
	}
	if c == 0x65 || c == 0x62 || c == 0x61 {
		p.fail("shared or exact heap types are not supported")
		return ValType{}
	}
	idx := p.sleb(33)
	if p.err == nil && (idx < 0 || idx > 0xFFFFFFFF) {
		p.fail("bad heap type %d", idx)
		return ValType{}
	}
	return ValType{Kind: KindFuncRef, Nullable: nullable, Heap: HeapConcreteFunc, TypeIndex: uint32(idx)}
}

func (p *parser) valType() ValType {
	c := p.byte()
	switch c {
	case 0x7F:
		return ValType{Kind: KindI32}
	case 0x7E:
		return ValType{Kind: KindI64}
	case 0x7D:
		return ValType{Kind: KindF32}
	case 0x7C:
		return ValType{Kind: KindF64}
	case 0x7B:
		return ValType{Kind: KindV128}
	case 0x63:
		return p.heapType(true)
	case 0x64:
		return p.heapType(false)
	}
	if h, k, ok := abstractHeap(c); ok {
		return ValType{Kind: k, Nullable: true, Heap: h}
	}
	p.fail("bad value type 0x%02x", c)
	return ValType{}
}

func (p *parser) valTypes() []ValType {
	n := p.count(1)
	var vs []ValType
	for i := uint32(0); i < n && p.err == nil; i++ {
		vs = append(vs, p.valType())
	}
	return vs
}

func (p *parser) field() Field {
	var f Field
	switch p.peek() {
	case 0x78:
		p.pos++
		f.Storage, f.Packed = ValType{Kind: KindI32}, 8
	case 0x77:
		p.pos++
		f.Storage, f.Packed = ValType{Kind: KindI32}, 16
	default:
		f.Storage = p.valType()
	}
	switch p.byte() {
	case 0:
	case 1:
		f.Mutable = true
	default:
		p.fail("bad field mutability")
	}
	return f
}

func (p *parser) compType(t *SubType) {
	switch c := p.byte(); c {
	case 0x60:
		t.Comp = CompFunc
		t.Params = p.valTypes()
		t.Results = p.valTypes()
	case 0x5F:
		t.Comp = CompStruct
		n := p.count(2)
		for i := uint32(0); i < n && p.err == nil; i++ {
			t.Fields = append(t.Fields, p.field())
		}
	case 0x5E:
		t.Comp = CompArray
		t.Fields = []Field{p.field()}
	case 0x5D:
		t.Comp = CompCont
		idx := p.sleb(33)
		if p.err == nil && (idx < 0 || idx > 0xFFFFFFFF) {
			p.fail("bad continuation type %d", idx)
		}
		t.ContFunc = uint32(idx)
	default:
		p.fail("unsupported composite type 0x%02x", c)
	}
}

func (p *parser) subType(group uint32) SubType {
	t := SubType{Final: true, RecGroup: group}
	switch p.peek() {
	case 0x50, 0x4F:
		t.Final = p.byte() == 0x4F
		n := p.count(1)
		for i := uint32(0); i < n && p.err == nil; i++ {
			t.Supers = append(t.Supers, p.u32())
		}
	}
	p.compType(&t)
	return t
}

func (p *parser) typeSection(m *Info) {
	n := p.count(1)
	for i := uint32(0); i < n && p.err == nil; i++ {
		group := uint32(len(m.Types))
		if p.peek() == 0x4E {
			p.pos++
			k := p.count(1)
			for j := uint32(0); j < k && p.err == nil; j++ {
				m.Types = append(m.Types, p.subType(group))
			}
		} else {
			m.Types = append(m.Types, p.subType(group))
		}
	}
}

// limits reads table (memory=false) or memory limits.
func (p *parser) limits(memory bool) Limits {
	flags := p.byte()
	var l Limits
	l.PageSizeLog2 = 16
	allowed := byte(0x05)
	if memory {
		allowed = 0x0F
	}
	if flags&^allowed != 0 {
		p.fail("unsupported limits flags 0x%02x", flags)
		return l
	}
	l.HasMax = flags&1 != 0
	l.Shared = flags&2 != 0
	l.Is64 = flags&4 != 0
	bits := uint(32)
	if l.Is64 {
		bits = 64
	}
	l.Min = p.uleb(bits)
	if l.HasMax {
		l.Max = p.uleb(bits)
	}
	if flags&8 != 0 {
		log2 := p.u32()
		if p.err == nil && log2 > 64 {
			p.fail("page size 2^%d", log2)
		}
		l.PageSizeLog2 = uint8(log2)
	}
	return l
}

func (p *parser) tableType() TableType {
	elem := p.valType()
	if p.err == nil && !elem.IsRef() {
		p.fail("table element type is not a reference type")
	}
	return TableType{Elem: elem, Limits: p.limits(false)}
}

func (p *parser) memType() Limits { return p.limits(true) }

func (p *parser) globalType() GlobalType {
	g := GlobalType{Content: p.valType()}
	switch p.byte() {
	case 0:
	case 1:
		g.Mutable = true
	default:
		p.fail("bad global mutability")
	}
	return g
}

func (p *parser) tagType() uint32 {
	if p.byte() != 0 {
		p.fail("bad tag attribute")
	}
	return p.u32()
}

func (p *parser) importSection(m *Info) {
	n := p.count(4)
	for i := uint32(0); i < n && p.err == nil; i++ {
		im := Import{Module: p.name(), Name: p.name()}
		switch c := p.byte(); c {
		case 0:
			im.Kind, im.Index = ExternFunc, uint32(len(m.Funcs))
			m.Funcs = append(m.Funcs, p.u32())
		case 1:
			im.Kind, im.Index = ExternTable, uint32(len(m.Tables))
			m.Tables = append(m.Tables, p.tableType())
		case 2:
			im.Kind, im.Index = ExternMemory, uint32(len(m.Memories))
			m.Memories = append(m.Memories, p.memType())
		case 3:
			im.Kind, im.Index = ExternGlobal, uint32(len(m.Globals))
			m.Globals = append(m.Globals, p.globalType())
		case 4:
			im.Kind, im.Index = ExternTag, uint32(len(m.Tags))
			m.Tags = append(m.Tags, p.tagType())
		default:
			p.fail("bad import kind 0x%02x", c)
		}
		m.Imports = append(m.Imports, im)
	}
}

func (p *parser) exportSection(m *Info) {
	n := p.count(3)
	seen := make(map[string]bool, n)
	for i := uint32(0); i < n && p.err == nil; i++ {
		e := Export{Name: p.name()}
		switch c := p.byte(); c {
		case 0:
			e.Kind = ExternFunc
		case 1:
			e.Kind = ExternTable
		case 2:
			e.Kind = ExternMemory
		case 3:
			e.Kind = ExternGlobal
		case 4:
			e.Kind = ExternTag
		default:
			p.fail("bad export kind 0x%02x", c)
		}
		e.Index = p.u32()
		if p.err == nil && seen[e.Name] {
			p.fail("duplicate export %q", e.Name)
		}
		seen[e.Name] = true
		m.Exports = append(m.Exports, e)
	}
}

// skipExpr skips a constant expression up to and including its end.
func (p *parser) skipExpr() {
	for p.err == nil {
		switch c := p.byte(); c {
		case 0x0B:
			return
		case 0x41:
			p.sleb(32)
		case 0x42:
			p.sleb(64)
		case 0x43:
			p.bytes(4)
		case 0x44:
			p.bytes(8)
		case 0x23, 0xD2:
			p.u32()
		case 0xD0:
			p.heapType(true)
		case 0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E, 0xD1, 0xD4:
			// i32/i64 add, sub, mul (extended const); ref.is_null and
			// ref.as_non_null never validate here, but take no immediate
		case 0xFB:
			switch op := p.u32(); op {
			case 0, 1, 6, 7: // struct.new(_default), array.new(_default)
				p.u32()
			case 8: // array.new_fixed
				p.u32()
				p.u32()
			case 0x1A, 0x1B, 0x1C: // any.convert_extern, extern.convert_any, ref.i31
			default:
				p.fail("unsupported instruction 0xfb %d in a constant expression", op)
			}
		case 0xFD:
			if op := p.u32(); op == 12 { // v128.const
				p.bytes(16)
			} else {
				p.fail("unsupported instruction 0xfd %d in a constant expression", op)
			}
		default:
			p.fail("unsupported instruction 0x%02x in a constant expression", c)
		}
	}
}
