package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"fmt"
)

// peCases damage a real PE file: the DOS stub's pointer, the COFF header,
// the optional header and the first read/write data section (where
// debug/buildinfo looks).
func peCases(prefix string, b []byte) {
	f, err := pe.NewFile(bytes.NewReader(b))
	if err != nil {
		fatal(err)
	}
	le := binary.LittleEndian
	lfanew := uint64(le.Uint32(b[0x3c:]))
	coff := lfanew + 4
	opt := coff + 20
	optSize := uint64(le.Uint16(b[coff+16:]))
	sects := opt + optSize
	const rwData = 0x40 | 0x40000000 | 0x80000000
	data := -1
	for i, s := range f.Sections {
		if s.VirtualAddress != 0 && s.Size != 0 && s.Characteristics&^0x600000 == rwData {
			data = i
			break
		}
	}
	if data < 0 {
		fatal(fmt.Errorf("%s: no read/write data section", prefix))
	}
	sh := func(field uint64) uint64 { return sects + uint64(data)*40 + field }
	const (
		virtualSize    = 8
		virtualAddress = 12
		sizeOfRawData  = 16
		ptrToRawData   = 20
		characteristic = 36
	)
	rawOff := uint64(f.Sections[data].Offset)
	size := uint64(len(b))
	imageBase := opt + 24 // PE32+ (u64)
	if le.Uint16(b[opt:]) == 0x10b {
		imageBase = opt + 28 // PE32 (u32)
	}

	for _, n := range []struct {
		name string
		at   uint64
	}{
		{"trunc-2", 2},
		{"trunc-64", 64},
		{"trunc-coff", coff + 10},
		{"trunc-optional", opt + optSize/2},
		{"trunc-sections", sects + uint64(data)*40 + 20},
		{"trunc-data", rawOff},
		{"trunc-data-40", rawOff + 40},
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
	mut("lfanew-past-end", func(c []byte) { le.PutUint32(c[0x3c:], uint32(size+4096)) })
	mut("lfanew-huge", func(c []byte) { le.PutUint32(c[0x3c:], 0xfffffff0) })
	mut("signature-bad", func(c []byte) { c[lfanew+1] = 'X' })
	mut("nsections-huge", func(c []byte) { le.PutUint16(c[coff+2:], 0xffff) })
	mut("nsections-zero", func(c []byte) { le.PutUint16(c[coff+2:], 0) })
	mut("symtab-past-end", func(c []byte) { le.PutUint32(c[coff+8:], uint32(size+4096)) })
	mut("nsymbols-huge", func(c []byte) { le.PutUint32(c[coff+12:], 0x7fffffff) })
	mut("optsize-huge", func(c []byte) { le.PutUint16(c[coff+16:], 0xffff) })
	mut("optsize-zero", func(c []byte) { le.PutUint16(c[coff+16:], 0) })
	mut("optmagic-bad", func(c []byte) { le.PutUint16(c[opt:], 0x1234) })
	mut("imagebase-moved", func(c []byte) {
		if imageBase == opt+24 {
			le.PutUint64(c[imageBase:], le.Uint64(c[imageBase:])+0x10000000)
		} else {
			le.PutUint32(c[imageBase:], le.Uint32(c[imageBase:])+0x10000000)
		}
	})
	mut("data-raw-past-end", func(c []byte) { le.PutUint32(c[sh(ptrToRawData):], uint32(size+4096)) })
	mut("data-rawsize-zero", func(c []byte) { le.PutUint32(c[sh(sizeOfRawData):], 0) })
	mut("data-rawsize-40", func(c []byte) { le.PutUint32(c[sh(sizeOfRawData):], 40) })
	mut("data-rawsize-huge", func(c []byte) { le.PutUint32(c[sh(sizeOfRawData):], 0x7fffffff) })
	mut("data-vsize-zero", func(c []byte) { le.PutUint32(c[sh(virtualSize):], 0) })
	mut("data-vsize-huge", func(c []byte) { le.PutUint32(c[sh(virtualSize):], 0x7fffffff) })
	mut("data-va-moved", func(c []byte) {
		le.PutUint32(c[sh(virtualAddress):], le.Uint32(c[sh(virtualAddress):])+0x100000)
	})
	mut("data-executable", func(c []byte) {
		le.PutUint32(c[sh(characteristic):], le.Uint32(c[sh(characteristic):])|0x20000000)
	})
	inlineCases(prefix, b)
}
