// Command mkold writes hand-made ELF files carrying Go build info in the
// pre-1.18 pointer layout, which no current toolchain emits: the 32-byte
// header holds two pointers to Go string headers {data, len}, and both the
// headers and the string bytes are reached through virtual addresses.
//
// Usage: mkold OUTDIR
package main

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"pgo-go.test/tools/internal/minielf"
)

type variant struct {
	name    string
	class   elf.Class
	order   binary.ByteOrder
	machine elf.Machine
	vers    string
	mod     string // module info without sentinels; "" = GOPATH mode
	sects   bool   // emit a .go.buildinfo section (else: first RW PT_LOAD)
}

const modinfo = "path\texample.com/old/cmd/old\n" +
	"mod\texample.com/old\t(devel)\t\n" +
	"dep\tgolang.org/x/text\tv0.3.7\th1:olpwvP2KacW1ZWvsR7uQhoyTYvKAupfQrRGBFM352Gk=\n" +
	"dep\texample.com/lib\tv1.0.0\n" +
	"=>\t../lib\t(devel)\t\n"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkold OUTDIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal(err)
	}
	le, be := binary.ByteOrder(binary.LittleEndian), binary.ByteOrder(binary.BigEndian)
	variants := []variant{
		{"elf64-le", elf.ELFCLASS64, le, elf.EM_X86_64, "go1.17.13", modinfo, true},
		{"elf64-be", elf.ELFCLASS64, be, elf.EM_S390, "go1.16.15", modinfo, true},
		{"elf32-le", elf.ELFCLASS32, le, elf.EM_386, "go1.15.15", modinfo, true},
		{"elf32-be", elf.ELFCLASS32, be, elf.EM_MIPS, "go1.14.15", modinfo, true},
		{"elf64-le-nosect", elf.ELFCLASS64, le, elf.EM_X86_64, "go1.17.13", modinfo, false},
		{"elf64-be-nosect", elf.ELFCLASS64, be, elf.EM_PPC64, "go1.16.15", modinfo, false},
		{"elf32-le-nosect", elf.ELFCLASS32, le, elf.EM_ARM, "go1.13.15", modinfo, false},
		{"elf32-be-nosect", elf.ELFCLASS32, be, elf.EM_MIPS, "go1.14.15", modinfo, false},
		{"elf64-le-gopath", elf.ELFCLASS64, le, elf.EM_X86_64, "go1.12.17", "", true},
		{"elf32-be-gopath", elf.ELFCLASS32, be, elf.EM_MIPS, "go1.11.13", "", false},
	}
	for _, v := range variants {
		path := filepath.Join(dir, v.name)
		if err := os.WriteFile(path, build(v), 0o755); err != nil {
			fatal(err)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "mkold:", err)
	os.Exit(1)
}

func build(v variant) []byte {
	ptr := 8
	roBase, rwBase := uint64(0x400000), uint64(0x500000)
	if v.class == elf.ELFCLASS32 {
		ptr = 4
		roBase, rwBase = 0x10000, 0x20000
	}
	putPtr := func(b []byte, x uint64) {
		if ptr == 4 {
			v.order.PutUint32(b, uint32(x))
		} else {
			v.order.PutUint64(b, x)
		}
	}

	// Read-only data: the version bytes, then the framed module info.
	ro := []byte(v.vers)
	ro = minielf.Pad(ro, 16)
	modAddr, modLen := uint64(0), uint64(0)
	if v.mod != "" {
		modAddr = roBase + uint64(len(ro))
		framed := minielf.Wrap(v.mod)
		modLen = uint64(len(framed))
		ro = append(ro, framed...)
	}
	ro = minielf.Pad(ro, 16)

	// Writable data: the header, then the two string headers it points to.
	rw := make([]byte, 32+4*ptr)
	copy(rw, minielf.Magic)
	rw[14] = byte(ptr)
	if v.order == binary.ByteOrder(binary.BigEndian) {
		rw[15] = 1
	}
	versHdr := rwBase + 32
	modHdr := versHdr + uint64(2*ptr)
	putPtr(rw[16:], versHdr)
	putPtr(rw[16+ptr:], modHdr)
	putPtr(rw[32:], roBase)
	putPtr(rw[32+ptr:], uint64(len(v.vers)))
	putPtr(rw[32+2*ptr:], modAddr)
	putPtr(rw[32+3*ptr:], modLen)
	rw = minielf.Pad(rw, 16)

	text := make([]byte, 16)
	f := minielf.File{
		Class:   v.class,
		Order:   v.order,
		Machine: v.machine,
		Segments: []minielf.Segment{
			{Vaddr: roBase - 0x1000, Flags: elf.PF_R | elf.PF_X, Data: text},
			{Vaddr: roBase, Flags: elf.PF_R, Data: ro},
			{Vaddr: rwBase, Flags: elf.PF_R | elf.PF_W, Data: rw},
		},
	}
	if v.sects {
		f.Sections = []minielf.Section{
			{Name: ".text", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR, Segment: 0, Size: uint64(len(text))},
			{Name: ".rodata", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC, Segment: 1, Size: uint64(len(ro))},
			{Name: ".go.buildinfo", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_WRITE, Segment: 2, Size: 32},
			{Name: ".data", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_WRITE, Segment: 2, Offset: 32, Size: uint64(len(rw) - 32)},
		}
	}
	return minielf.Build(f)
}
