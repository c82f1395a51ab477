package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// xcoffCases damage a real 64-bit XCOFF file (AIX): the file header and the
// .data section header that debug/buildinfo reads.
func xcoffCases(prefix string, b []byte) {
	be := binary.BigEndian
	if be.Uint16(b) != 0x01f7 {
		fatal(fmt.Errorf("%s: not a 64-bit XCOFF file", prefix))
	}
	nscns := int(be.Uint16(b[2:]))
	opthdr := uint64(be.Uint16(b[16:]))
	data := uint64(0)
	for i := 0; i < nscns; i++ {
		s := 24 + opthdr + uint64(i)*72
		if be.Uint32(b[s+64:])&0xffff == 0x40 { // STYP_DATA
			data = s
		}
	}
	if data == 0 {
		fatal(fmt.Errorf("%s: no .data section", prefix))
	}
	scnptr := be.Uint64(b[data+32:])
	size := uint64(len(b))
	for _, n := range []struct {
		name string
		at   uint64
	}{
		{"trunc-16", 16},
		{"trunc-sections", 24 + opthdr + 40},
		{"trunc-data", scnptr},
		{"trunc-data-40", scnptr + 40},
		{"trunc-half", size / 2},
		{"trunc-end-1", size - 1},
	} {
		write(prefix+"-"+n.name, truncate(b, int(n.at)))
	}
	mut := func(name string, fn func(c []byte)) {
		c := clone(b)
		fn(c)
		write(prefix+"-"+name, c)
	}
	mut("nscns-huge", func(c []byte) { be.PutUint16(c[2:], 0xffff) })
	mut("nscns-zero", func(c []byte) { be.PutUint16(c[2:], 0) })
	mut("symptr-past-end", func(c []byte) { be.PutUint64(c[8:], size+4096) })
	mut("opthdr-huge", func(c []byte) { be.PutUint16(c[16:], 0xfff0) })
	mut("data-size-zero", func(c []byte) { be.PutUint64(c[data+24:], 0) })
	mut("data-size-32", func(c []byte) { be.PutUint64(c[data+24:], 32) })
	mut("data-size-huge", func(c []byte) { be.PutUint64(c[data+24:], 1<<40) })
	mut("data-scnptr-past-end", func(c []byte) { be.PutUint64(c[data+32:], size+4096) })
	mut("data-not-data", func(c []byte) { be.PutUint32(c[data+64:], 0x20) })
	inlineCases(prefix, b)
}

// plan9Cases damage a Plan 9 a.out (amd64: a 40-byte header whose sizes
// place the text, data and symbol sections one after the other).
//
// debug/buildinfo searches the data section from its file offset rounded up
// to 16 bytes, and the linker does not align that offset: real Plan 9
// binaries are "not a Go executable". The cases start from a copy with 8
// bytes more text, which moves the build info onto a 16-byte boundary.
func plan9Cases(prefix string, orig []byte) {
	be := binary.BigEndian
	hdr := uint64(32)
	if be.Uint32(orig)&0x8000 != 0 {
		hdr = 40
	}
	text := uint64(be.Uint32(orig[4:]))
	pad := (16 - (hdr+text)%16) % 16
	b := clone(orig[:hdr+text])
	b = append(b, make([]byte, pad)...)
	b = append(b, orig[hdr+text:]...)
	be.PutUint32(b[4:], uint32(text+pad))
	write(prefix+"-realigned", b)

	text += pad
	dataOff := hdr + text
	size := uint64(len(b))
	for _, n := range []struct {
		name string
		at   uint64
	}{
		{"trunc-16", 16},
		{"trunc-header", 36},
		{"trunc-data", dataOff},
		{"trunc-data-40", dataOff + 40},
		{"trunc-half", size / 2},
		{"trunc-end-1", size - 1},
	} {
		write(prefix+"-"+n.name, truncate(b, int(n.at)))
	}
	mut := func(name string, fn func(c []byte)) {
		c := clone(b)
		fn(c)
		write(prefix+"-"+name, c)
	}
	mut("text-size-huge", func(c []byte) { be.PutUint32(c[4:], 0x7fffffff) })
	mut("data-size-zero", func(c []byte) { be.PutUint32(c[8:], 0) })
	mut("data-size-32", func(c []byte) { be.PutUint32(c[8:], 32) })
	mut("data-size-huge", func(c []byte) { be.PutUint32(c[8:], 0x7fffffff) })
	mut("syms-size-huge", func(c []byte) { be.PutUint32(c[16:], 0x7fffffff) })
	mut("syms-size-zero", func(c []byte) { be.PutUint32(c[16:], 0) })
	if !bytes.Contains(b, []byte("\xff Go buildinf:")) {
		fatal(fmt.Errorf("%s: no build info", prefix))
	}
	inlineCases(prefix, b)
}
