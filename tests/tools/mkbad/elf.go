package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// elfImage locates the header fields of a real ELF binary that the cases
// rewrite: the section and program header tables, .go.buildinfo and the
// PT_LOAD that holds it.
type elfImage struct {
	b      []byte
	bo     binary.ByteOrder
	is64   bool
	shoff  uint64
	shent  uint64
	phoff  uint64
	phent  uint64
	phnum  int
	bi     int // section index of .go.buildinfo
	biOff  uint64
	biName uint64 // file offset of the section's name in .shstrtab
	rwLoad int    // program header index of the PT_LOAD holding it
}

func parseELF(b []byte) *elfImage {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		fatal(err)
	}
	e := &elfImage{b: b, bo: f.ByteOrder, is64: f.Class == elf.ELFCLASS64, bi: -1, rwLoad: -1}
	if e.is64 {
		e.phoff, e.shoff = e.bo.Uint64(b[32:]), e.bo.Uint64(b[40:])
		e.phent, e.phnum, e.shent = uint64(e.bo.Uint16(b[54:])), int(e.bo.Uint16(b[56:])), uint64(e.bo.Uint16(b[58:]))
	} else {
		e.phoff, e.shoff = uint64(e.bo.Uint32(b[28:])), uint64(e.bo.Uint32(b[32:]))
		e.phent, e.phnum, e.shent = uint64(e.bo.Uint16(b[42:])), int(e.bo.Uint16(b[44:])), uint64(e.bo.Uint16(b[46:]))
	}
	var shstr *elf.Section
	for i, s := range f.Sections {
		if s.Name == ".go.buildinfo" {
			e.bi, e.biOff = i, s.Offset
		}
		if s.Type == elf.SHT_STRTAB && s.Name == ".shstrtab" {
			shstr = s
		}
	}
	if e.bi < 0 || shstr == nil {
		fatal(fmt.Errorf("elf input: no .go.buildinfo or .shstrtab"))
	}
	nameIdx := e.bo.Uint32(b[e.shoff+uint64(e.bi)*e.shent:])
	e.biName = shstr.Offset + uint64(nameIdx)
	addr := f.Sections[e.bi].Addr
	for i, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Vaddr <= addr && addr < p.Vaddr+p.Filesz {
			e.rwLoad = i
		}
	}
	if e.rwLoad < 0 {
		fatal(fmt.Errorf("elf input: .go.buildinfo is in no PT_LOAD"))
	}
	return e
}

// word writes an address-sized field.
func (e *elfImage) word(c []byte, off, v uint64) {
	if e.is64 {
		e.bo.PutUint64(c[off:], v)
	} else {
		e.bo.PutUint32(c[off:], uint32(v))
	}
}

func (e *elfImage) wordMax() uint64 {
	if e.is64 {
		return ^uint64(0)
	}
	return 0xffffffff
}

// Field offsets inside the ELF header, a section header and a program header.
func (e *elfImage) hdr(field string) uint64 {
	f64 := map[string]uint64{"phoff": 32, "shoff": 40, "phentsize": 54, "phnum": 56, "shentsize": 58, "shnum": 60, "shstrndx": 62}
	f32 := map[string]uint64{"phoff": 28, "shoff": 32, "phentsize": 42, "phnum": 44, "shentsize": 46, "shnum": 48, "shstrndx": 50}
	if e.is64 {
		return f64[field]
	}
	return f32[field]
}

func (e *elfImage) sh(i int, field string) uint64 {
	f64 := map[string]uint64{"addr": 16, "offset": 24, "size": 32}
	f32 := map[string]uint64{"addr": 12, "offset": 16, "size": 20}
	base := e.shoff + uint64(i)*e.shent
	if e.is64 {
		return base + f64[field]
	}
	return base + f32[field]
}

func (e *elfImage) ph(i int, field string) uint64 {
	f64 := map[string]uint64{"flags": 4, "offset": 8, "vaddr": 16, "filesz": 32, "memsz": 40}
	f32 := map[string]uint64{"offset": 4, "vaddr": 8, "filesz": 16, "memsz": 20, "flags": 24}
	base := e.phoff + uint64(i)*e.phent
	if e.is64 {
		return base + f64[field]
	}
	return base + f32[field]
}

func elfCases(prefix string, b []byte) {
	e := parseELF(b)
	size := uint64(len(b))
	mut := func(name string, f func(c []byte)) {
		c := clone(b)
		f(c)
		write(prefix+"-"+name, c)
	}
	u16 := func(c []byte, off uint64, v uint16) { e.bo.PutUint16(c[off:], v) }

	// Cut short: inside the identification, the header, the tables, the
	// build info, and just before the end.
	for _, n := range []struct {
		name string
		at   uint64
	}{
		{"trunc-16", 16},
		{"trunc-header", 40},
		{"trunc-phdrs", e.phoff + e.phent + 10},
		{"trunc-shdrs", e.shoff + 2*e.shent + 5},
		{"trunc-buildinfo", e.biOff},
		{"trunc-buildinfo-20", e.biOff + 20},
		{"trunc-buildinfo-40", e.biOff + 40},
		{"trunc-buildinfo-100", e.biOff + 100},
		{"trunc-half", size / 2},
		{"trunc-end-1", size - 1},
	} {
		write(prefix+"-"+n.name, truncate(b, int(n.at)))
	}

	// Lying ELF header.
	mut("shoff-past-end", func(c []byte) { e.word(c, e.hdr("shoff"), size+4096) })
	mut("shoff-max", func(c []byte) { e.word(c, e.hdr("shoff"), e.wordMax()-15) })
	mut("shnum-huge", func(c []byte) { u16(c, e.hdr("shnum"), 0xffff) })
	mut("shstrndx-bad", func(c []byte) { u16(c, e.hdr("shstrndx"), 0x7fff) })
	mut("shentsize-bad", func(c []byte) { u16(c, e.hdr("shentsize"), 7) })
	mut("phoff-past-end", func(c []byte) { e.word(c, e.hdr("phoff"), size+4096) })
	mut("phnum-huge", func(c []byte) { u16(c, e.hdr("phnum"), 0xffff) })
	mut("phentsize-bad", func(c []byte) { u16(c, e.hdr("phentsize"), 7) })
	mut("class-bad", func(c []byte) { c[elf.EI_CLASS] = 7 })
	mut("class-swapped", func(c []byte) { c[elf.EI_CLASS] ^= 3 })
	mut("data-bad", func(c []byte) { c[elf.EI_DATA] = 0 })
	mut("data-swapped", func(c []byte) { c[elf.EI_DATA] ^= 3 })
	mut("version-bad", func(c []byte) { c[elf.EI_VERSION] = 0 })

	// Lying .go.buildinfo section header.
	mut("bi-size-zero", func(c []byte) { e.word(c, e.sh(e.bi, "size"), 0) })
	mut("bi-size-huge", func(c []byte) { e.word(c, e.sh(e.bi, "size"), e.wordMax()>>4) })
	mut("bi-size-max", func(c []byte) { e.word(c, e.sh(e.bi, "size"), e.wordMax()) })
	mut("bi-size-16", func(c []byte) { e.word(c, e.sh(e.bi, "size"), 16) })
	mut("bi-size-40", func(c []byte) { e.word(c, e.sh(e.bi, "size"), 40) })
	mut("bi-addr-unmapped", func(c []byte) { e.word(c, e.sh(e.bi, "addr"), 0x10) })
	mut("bi-addr-plus-4", func(c []byte) {
		a := e.sh(e.bi, "addr")
		if e.is64 {
			e.word(c, a, e.bo.Uint64(c[a:])+4)
		} else {
			e.word(c, a, uint64(e.bo.Uint32(c[a:]))+4)
		}
	})
	mut("bi-offset-past-end", func(c []byte) { e.word(c, e.sh(e.bi, "offset"), size+4096) })
	mut("bi-renamed", func(c []byte) { c[e.biName+12] = 'X' })

	// Lying PT_LOAD.
	mut("load-offset-past-end", func(c []byte) { e.word(c, e.ph(e.rwLoad, "offset"), size+4096) })
	mut("load-filesz-zero", func(c []byte) { e.word(c, e.ph(e.rwLoad, "filesz"), 0) })
	mut("load-filesz-huge", func(c []byte) { e.word(c, e.ph(e.rwLoad, "filesz"), e.wordMax()>>4) })
	mut("load-filesz-40", func(c []byte) { e.word(c, e.ph(e.rwLoad, "filesz"), 40) })
	mut("load-vaddr-moved", func(c []byte) {
		a := e.ph(e.rwLoad, "vaddr")
		if e.is64 {
			e.word(c, a, e.bo.Uint64(c[a:])+0x100000)
		} else {
			e.word(c, a, uint64(e.bo.Uint32(c[a:]))+0x100000)
		}
	})

	// No section table: the first writable, non-executable PT_LOAD is read.
	noSections := func(c []byte) {
		e.word(c, e.hdr("shoff"), 0)
		u16(c, e.hdr("shnum"), 0)
		u16(c, e.hdr("shstrndx"), 0)
	}
	mut("no-sections", noSections)
	mut("no-sections-rwx", func(c []byte) {
		noSections(c)
		e.bo.PutUint32(c[e.ph(e.rwLoad, "flags"):], uint32(elf.PF_R|elf.PF_W|elf.PF_X))
	})
	mut("renamed-rwx", func(c []byte) {
		c[e.biName+12] = 'X'
		e.bo.PutUint32(c[e.ph(e.rwLoad, "flags"):], uint32(elf.PF_R|elf.PF_W|elf.PF_X))
	})

	inlineCases(prefix, b)
}
