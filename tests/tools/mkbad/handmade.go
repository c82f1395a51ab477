package main

import (
	"debug/elf"
	"encoding/binary"

	"pgo-go.test/tools/internal/minielf"
)

const okHead = "path\texample.com/bad\nmod\texample.com/bad\tv1.0.0\th1:x=\n"

// handMade writes small ELF files whose build info breaks one rule:
// module info that runtime/debug.ParseBuildInfo rejects (the error names the
// line), headers placed where the search must not find them, and the
// pre-1.18 pointer layout pointing nowhere.
func handMade() {
	for _, c := range []struct{ name, mod string }{
		{"modinfo-mod-1-column", "path\tx\nmod\tonly\n"},
		{"modinfo-dep-4-columns", okHead + "dep\ta\tb\tc\td\n"},
		{"modinfo-replace-2-columns", okHead + "dep\ta\tv1\n=>\tb\tv2\n"},
		{"modinfo-replace-first", "=>\ta\tb\tc\n"},
		{"modinfo-replace-twice", okHead + "dep\ta\tv1\n=>\tb\tv2\t\n=>\tc\tv3\t\n"},
		{"modinfo-build-empty", okHead + "build\t\n"},
		{"modinfo-build-no-key", okHead + "build\t=x\n"},
		{"modinfo-build-quoted-key-open", okHead + "build\t\"unterminated=x\n"},
		{"modinfo-build-quoted-key-no-eq", okHead + "build\t\"k\"\n"},
		{"modinfo-build-quoted-key-junk", okHead + "build\t\"k\"x=1\n"},
		{"modinfo-build-backquote-open", okHead + "build\t`k=v\n"},
		{"modinfo-build-no-eq", okHead + "build\tnoequals\n"},
		{"modinfo-build-key-space", okHead + "build\tk k=v\n"},
		{"modinfo-build-key-quote", okHead + "build\tk\"k=v\n"},
		{"modinfo-build-value-open", okHead + "build\tk=\"bad\n"},
		{"modinfo-build-value-space", okHead + "build\tk=a b\n"},
		{"modinfo-build-value-cr", okHead + "build\tk=a\rb\n"},
		{"modinfo-build-value-junk", okHead + "build\tk=\"a\"b\n"},
		{"modinfo-error-line-6", okHead + "dep\ta\tv1\t\ndep\tb\tv2\t\nbuild\tok=1\nbuild\tbad\n"},
	} {
		write(c.name, minielf.SimpleInline("go1.26.8", minielf.Wrap(c.mod)))
	}
	write("inline-vers-empty", minielf.SimpleInline("", minielf.Wrap(okHead)))

	blob := minielf.InlineBlob(8, false, "go1.26.8", minielf.Wrap(okHead))
	// Only the 32-byte header fits in the section and its segment.
	write("inline-header-only", oneSegment(blob[:32], 32))
	// The magic sits at the last 16-byte boundary, 16 bytes before the end.
	write("magic-at-end", oneSegment(append(make([]byte, 16), blob[:16]...), 32))
	// A misaligned magic first, the real header at the next 16-byte
	// boundary after it.
	mis := append([]byte("\x00\x00\x00"+minielf.Magic), make([]byte, 15)...)
	write("magic-misaligned-then-aligned", oneSegment(minielf.Pad(append(mis, blob...), 16), -1))
	// The same real header preceded by 16 clean bytes: found as usual.
	write("magic-second-slot", oneSegment(minielf.Pad(append(make([]byte, 16), blob...), 16), -1))

	// Pre-1.18 pointer layout, pointing outside every segment.
	write("ptr-vers-unmapped", pointerLayout(0xdead0000, 0, 9, 0))
	write("ptr-vers-len-huge", pointerLayout(0, 0, 1<<62, 0))
	write("ptr-mod-unmapped", pointerLayout(0, 0xdead0000, 9, 100))
	write("ptr-mod-len-huge", pointerLayout(0, 0, 9, 1<<62))
}

// oneSegment is an ELF64 whose writable segment holds data, with a
// .go.buildinfo section of sectSize bytes (none when sectSize < 0).
func oneSegment(data []byte, sectSize int) []byte {
	f := minielf.File{
		Class: elf.ELFCLASS64, Order: binary.LittleEndian, Machine: elf.EM_X86_64,
		Segments: []minielf.Segment{
			{Vaddr: 0x401000, Flags: elf.PF_R | elf.PF_X, Data: make([]byte, 16)},
			{Vaddr: 0x500000, Flags: elf.PF_R | elf.PF_W, Data: data},
		},
	}
	if sectSize >= 0 {
		f.Sections = []minielf.Section{{Name: ".go.buildinfo", Type: elf.SHT_PROGBITS,
			Flags: elf.SHF_ALLOC | elf.SHF_WRITE, Segment: 1, Size: uint64(sectSize)}}
	}
	return minielf.Build(f)
}

// pointerLayout writes a pre-1.18 header with string headers for the
// version ("go1.17.13" in the same segment unless versData is set) and the
// module info (modData, modLen).
func pointerLayout(versData, modData, versLen, modLen uint64) []byte {
	const base = 0x500000
	seg := make([]byte, 96)
	copy(seg, minielf.Magic)
	seg[14], seg[15] = 8, 0
	le := binary.LittleEndian
	le.PutUint64(seg[16:], base+32) // version string header
	le.PutUint64(seg[24:], base+48) // module info string header
	if versData == 0 {
		versData = base + 64
	}
	if modData == 0 {
		modData = base + 64
	}
	le.PutUint64(seg[32:], versData)
	le.PutUint64(seg[40:], versLen)
	le.PutUint64(seg[48:], modData)
	le.PutUint64(seg[56:], modLen)
	copy(seg[64:], "go1.17.13")
	return oneSegment(seg, 32)
}
