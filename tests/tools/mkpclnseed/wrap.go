package main

import "encoding/binary"

// The object files around a table: the least each format needs for the
// reader to find the table (a section, or symbols), at address base plus
// the file offset.

const base = 0x400000

// wrapELF: one PT_LOAD over the table; with shdrs, .gopclntab and
// .shstrtab sections, else only the program header (the header scan).
func wrapELF(tab []byte, t *table, shdrs bool) []byte {
	o, is64 := t.order, t.ptr == 8
	eh, ph, sh := 52, 32, 40
	if is64 {
		eh, ph, sh = 64, 56, 64
	}
	at := align(eh+ph, 16)
	strtab := []byte("\x00.gopclntab\x00.shstrtab\x00")
	b := make([]byte, at)
	b = append(b, tab...)
	stroff := len(b)
	b = append(b, strtab...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	shoff := len(b)
	b = append(b, make([]byte, 3*sh)...)
	w := func(off, size int, v uint64) {
		switch size {
		case 1:
			b[off] = byte(v)
		case 2:
			o.PutUint16(b[off:], uint16(v))
		case 4:
			o.PutUint32(b[off:], uint32(v))
		default:
			o.PutUint64(b[off:], v)
		}
	}
	word := 4
	if is64 {
		word = 8
	}
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = 1, 1, 1
	if is64 {
		b[4] = 2
	}
	if t.be {
		b[5] = 2
	}
	w(16, 2, 2)
	w(20, 4, 1)
	pick := func(a32, a64 int) int {
		if is64 {
			return a64
		}
		return a32
	}
	w(pick(28, 32), word, uint64(eh))
	w(pick(42, 54), 2, uint64(ph))
	w(pick(44, 56), 2, 1)
	if shdrs {
		w(pick(32, 40), word, uint64(shoff))
		w(pick(46, 58), 2, uint64(sh))
		w(pick(48, 60), 2, 3)
		w(pick(50, 62), 2, 2)
	}
	p := eh
	w(p, 4, 1)
	w(p+pick(24, 4), 4, 4)
	w(p+pick(4, 8), word, uint64(at))
	w(p+pick(8, 16), word, uint64(base+at))
	w(p+pick(16, 32), word, uint64(len(tab)))
	w(p+pick(20, 40), word, uint64(len(tab)))
	s := shoff + sh // .gopclntab
	w(s, 4, 1)
	w(s+4, 4, 1)
	w(s+8, word, 2)
	w(s+pick(12, 16), word, uint64(base+at))
	w(s+pick(16, 24), word, uint64(at))
	w(s+pick(20, 32), word, uint64(len(tab)))
	s += sh // .shstrtab
	w(s, 4, 12)
	w(s+4, 4, 3)
	w(s+pick(16, 24), word, uint64(stroff))
	w(s+pick(20, 32), word, uint64(len(strtab)))
	return b
}

// wrapMachO: a 64-bit little-endian image with one __TEXT segment holding
// the __gopclntab section.
func wrapMachO(tab []byte) []byte {
	o := binary.LittleEndian
	const hdr, seg, sect = 32, 72, 80
	at := align(hdr+seg+sect, 16)
	b := make([]byte, at, at+len(tab))
	o.PutUint32(b, 0xfeedfacf)
	o.PutUint32(b[4:], 0x01000007)
	o.PutUint32(b[8:], 3)
	o.PutUint32(b[12:], 2)
	o.PutUint32(b[16:], 1)
	o.PutUint32(b[20:], seg+sect)
	c := b[hdr:]
	o.PutUint32(c, 0x19)
	o.PutUint32(c[4:], seg+sect)
	copy(c[8:], "__TEXT")
	o.PutUint64(c[24:], base)
	o.PutUint64(c[32:], uint64(at+len(tab)))
	o.PutUint64(c[48:], uint64(at+len(tab)))
	o.PutUint32(c[56:], 5)
	o.PutUint32(c[60:], 5)
	o.PutUint32(c[64:], 1)
	s := c[seg:]
	copy(s, "__gopclntab")
	copy(s[16:], "__TEXT")
	o.PutUint64(s[32:], uint64(base+at))
	o.PutUint64(s[40:], uint64(len(tab)))
	o.PutUint32(s[48:], uint32(at))
	return append(b, tab...)
}

// wrapPE: a PE32+ image with the table in .rdata, found through the COFF
// symbols runtime.pclntab and runtime.epclntab.
func wrapPE(tab []byte) []byte {
	o := binary.LittleEndian
	const lfanew, opt, sect = 0x40, 112, 40
	at := align(lfanew+4+20+opt+sect, 512)
	b := make([]byte, at, at+len(tab)+64)
	copy(b, "MZ")
	o.PutUint32(b[0x3c:], lfanew)
	copy(b[lfanew:], "PE\x00\x00")
	c := b[lfanew+4:]
	o.PutUint16(c, 0x8664)
	o.PutUint16(c[2:], 1)
	o.PutUint32(c[8:], uint32(at+len(tab)))
	o.PutUint32(c[12:], 2)
	o.PutUint16(c[16:], opt)
	oh := c[20:]
	o.PutUint16(oh, 0x20b)
	o.PutUint64(oh[24:], base)
	s := oh[opt:]
	copy(s, ".rdata")
	o.PutUint32(s[8:], uint32(len(tab)))
	o.PutUint32(s[12:], 0x1000)
	o.PutUint32(s[16:], uint32(len(tab)))
	o.PutUint32(s[20:], uint32(at))
	o.PutUint32(s[36:], 0x40000040)
	b = append(b, tab...)
	strs := []byte("\x00\x00\x00\x00runtime.pclntab\x00runtime.epclntab\x00")
	o.PutUint32(strs, uint32(len(strs)))
	sym := func(nameOff, value uint32) {
		e := make([]byte, 18)
		o.PutUint32(e[4:], nameOff)
		o.PutUint32(e[8:], value)
		o.PutUint16(e[12:], 1)
		e[16] = 2
		b = append(b, e...)
	}
	sym(4, 0)
	sym(20, uint32(len(tab)))
	return append(b, strs...)
}
