// Package minielf writes small, valid ELF files around a Go build-info blob,
// for the fixtures that no Go toolchain can produce any more (pre-1.18
// pointer layout) or that are built by hand to exercise one rule of the
// format (unusual build info, malformed module info).
package minielf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
)

// Segment is one PT_LOAD: Data is placed at virtual address Vaddr.
type Segment struct {
	Vaddr uint64
	Flags elf.ProgFlag
	Data  []byte
}

// Section names a range of a segment; Size may differ from what the segment
// holds so that callers can write lying headers on purpose.
type Section struct {
	Name    string
	Type    elf.SectionType
	Flags   elf.SectionFlag
	Segment int    // index into the segments
	Offset  uint64 // offset inside that segment's data
	Size    uint64
}

// File describes the whole output.
type File struct {
	Class    elf.Class
	Order    binary.ByteOrder
	Machine  elf.Machine
	Segments []Segment
	Sections []Section
}

// Magic is the build-info header's first 14 bytes.
const Magic = "\xff Go buildinf:"

// Sentinels that cmd/go wraps around the module info (modload.infoStart and
// modload.infoEnd); debug/buildinfo strips 16 bytes at each end.
var (
	InfoStart = mustHex("3077af0c9274080241e1c107e6d618e6")
	InfoEnd   = mustHex("f932433186182072008242104116d8f2")
)

func mustHex(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Wrap frames module info the way cmd/go does.
func Wrap(mod string) string { return InfoStart + mod + InfoEnd }

// InlineBlob is a Go 1.18+ build-info blob: the 32-byte header with the
// inline-strings flag, then uvarint-prefixed version and module info.
func InlineBlob(ptrSize byte, bigEndian bool, vers, mod string) []byte {
	var b bytes.Buffer
	b.WriteString(Magic)
	flags := byte(2)
	if bigEndian {
		flags |= 1
	}
	b.WriteByte(ptrSize)
	b.WriteByte(flags)
	b.Write(make([]byte, 16))
	b.Write(binary.AppendUvarint(nil, uint64(len(vers))))
	b.WriteString(vers)
	b.Write(binary.AppendUvarint(nil, uint64(len(mod))))
	b.WriteString(mod)
	return b.Bytes()
}

// Pad rounds b up to a multiple of n bytes with zeros.
func Pad(b []byte, n int) []byte {
	for len(b)%n != 0 {
		b = append(b, 0)
	}
	return b
}

// SimpleInline is a complete little-endian ELF64 (x86-64) file whose only
// writable segment holds a .go.buildinfo section with an inline blob.
func SimpleInline(vers, mod string) []byte {
	blob := Pad(InlineBlob(8, false, vers, mod), 16)
	return Build(File{
		Class:   elf.ELFCLASS64,
		Order:   binary.LittleEndian,
		Machine: elf.EM_X86_64,
		Segments: []Segment{
			{Vaddr: 0x401000, Flags: elf.PF_R | elf.PF_X, Data: []byte{0xc3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
			{Vaddr: 0x500000, Flags: elf.PF_R | elf.PF_W, Data: blob},
		},
		Sections: []Section{
			{Name: ".text", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR, Segment: 0, Size: 16},
			{Name: ".go.buildinfo", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_WRITE, Segment: 1, Size: uint64(len(blob))},
		},
	})
}

// Build lays out header, program headers, segment data (16-aligned),
// the section-name table and the section headers, in that order.
func Build(f File) []byte {
	is64 := f.Class == elf.ELFCLASS64
	ehsize, phentsize, shentsize := 52, 32, 40
	if is64 {
		ehsize, phentsize, shentsize = 64, 56, 64
	}
	off := uint64(ehsize + phentsize*len(f.Segments))
	segOff := make([]uint64, len(f.Segments))
	for i, s := range f.Segments {
		off = (off + 15) &^ 15
		segOff[i] = off
		off += uint64(len(s.Data))
	}
	// Section-name table: index 0 is the empty name.
	var names bytes.Buffer
	names.WriteByte(0)
	nameOff := make([]uint32, len(f.Sections)+1)
	for i, s := range f.Sections {
		nameOff[i] = uint32(names.Len())
		names.WriteString(s.Name)
		names.WriteByte(0)
	}
	nameOff[len(f.Sections)] = uint32(names.Len())
	names.WriteString(".shstrtab\x00")
	strOff := off
	off += uint64(names.Len())
	off = (off + 7) &^ 7
	shoff := off
	shnum := len(f.Sections) + 2

	var out bytes.Buffer
	w := func(v any) {
		if err := binary.Write(&out, f.Order, v); err != nil {
			panic(err)
		}
	}
	var ident [elf.EI_NIDENT]byte
	copy(ident[:], elf.ELFMAG)
	ident[elf.EI_CLASS] = byte(f.Class)
	ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	if f.Order == binary.BigEndian {
		ident[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
	}
	ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	entry := uint64(0)
	if len(f.Segments) > 0 {
		entry = f.Segments[0].Vaddr
	}
	if is64 {
		w(elf.Header64{Ident: ident, Type: uint16(elf.ET_EXEC), Machine: uint16(f.Machine),
			Version: uint32(elf.EV_CURRENT), Entry: entry, Phoff: uint64(ehsize), Shoff: shoff,
			Ehsize: uint16(ehsize), Phentsize: uint16(phentsize), Phnum: uint16(len(f.Segments)),
			Shentsize: uint16(shentsize), Shnum: uint16(shnum), Shstrndx: uint16(shnum - 1)})
		for i, s := range f.Segments {
			w(elf.Prog64{Type: uint32(elf.PT_LOAD), Flags: uint32(s.Flags), Off: segOff[i],
				Vaddr: s.Vaddr, Paddr: s.Vaddr, Filesz: uint64(len(s.Data)), Memsz: uint64(len(s.Data)), Align: 16})
		}
	} else {
		w(elf.Header32{Ident: ident, Type: uint16(elf.ET_EXEC), Machine: uint16(f.Machine),
			Version: uint32(elf.EV_CURRENT), Entry: uint32(entry), Phoff: uint32(ehsize), Shoff: uint32(shoff),
			Ehsize: uint16(ehsize), Phentsize: uint16(phentsize), Phnum: uint16(len(f.Segments)),
			Shentsize: uint16(shentsize), Shnum: uint16(shnum), Shstrndx: uint16(shnum - 1)})
		for i, s := range f.Segments {
			w(elf.Prog32{Type: uint32(elf.PT_LOAD), Flags: uint32(s.Flags), Off: uint32(segOff[i]),
				Vaddr: uint32(s.Vaddr), Paddr: uint32(s.Vaddr), Filesz: uint32(len(s.Data)), Memsz: uint32(len(s.Data)), Align: 16})
		}
	}
	for i, s := range f.Segments {
		out.Write(make([]byte, int(segOff[i])-out.Len()))
		out.Write(s.Data)
	}
	out.Write(names.Bytes())
	out.Write(make([]byte, int(shoff)-out.Len()))

	section := func(name uint32, typ elf.SectionType, flags elf.SectionFlag, addr, offset, size, align uint64) {
		if is64 {
			w(elf.Section64{Name: name, Type: uint32(typ), Flags: uint64(flags), Addr: addr, Off: offset, Size: size, Addralign: align})
		} else {
			w(elf.Section32{Name: name, Type: uint32(typ), Flags: uint32(flags), Addr: uint32(addr), Off: uint32(offset), Size: uint32(size), Addralign: uint32(align)})
		}
	}
	section(0, elf.SHT_NULL, 0, 0, 0, 0, 0)
	for i, s := range f.Sections {
		seg := f.Segments[s.Segment]
		section(nameOff[i], s.Type, s.Flags, seg.Vaddr+s.Offset, segOff[s.Segment]+s.Offset, s.Size, 16)
	}
	section(nameOff[len(f.Sections)], elf.SHT_STRTAB, 0, 0, strOff, uint64(names.Len()), 1)
	return out.Bytes()
}
