// Command mkbad writes malformed inputs for `go version -m`: real fixture
// binaries cut short or with lying headers, hand-made files whose build info
// breaks one rule, and files that are not executables at all. Every file
// must be read without a crash, and whatever `go version` says about it is
// what pgo-go must say.
//
// Usage: mkbad -o DIR -elf F -elf32 F -elfbe F -pe F -pe32 F -macho F -xcoff F -plan9 F
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"pgo-go.test/tools/internal/minielf"
)

var outDir string

func main() {
	flag.StringVar(&outDir, "o", "", "output directory")
	inputs := map[string]*string{}
	for _, k := range []string{"elf", "elf32", "elfbe", "pe", "pe32", "macho", "xcoff", "plan9"} {
		inputs[k] = flag.String(k, "", "input binary ("+k+")")
	}
	flag.Parse()
	if outDir == "" {
		fmt.Fprintln(os.Stderr, "usage: mkbad -o DIR [-elf F] [-elf32 F] [-elfbe F] [-pe F] [-pe32 F] [-macho F] [-xcoff F] [-plan9 F]")
		os.Exit(2)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		fatal(err)
	}
	read := func(k string) []byte {
		if *inputs[k] == "" {
			return nil
		}
		b, err := os.ReadFile(*inputs[k])
		if err != nil {
			fatal(err)
		}
		return b
	}
	notExecutables(read("elf"))
	handMade()
	if b := read("elf"); b != nil {
		elfCases("elf64le", b)
	}
	if b := read("elf32"); b != nil {
		elfCases("elf32le", b)
	}
	if b := read("elfbe"); b != nil {
		elfCases("elf64be", b)
	}
	if b := read("pe"); b != nil {
		peCases("pe64", b)
	}
	if b := read("pe32"); b != nil {
		peCases("pe32", b)
	}
	if b := read("macho"); b != nil {
		machoCases("macho", b)
		fatCases(b)
	}
	if b := read("xcoff"); b != nil {
		xcoffCases("xcoff", b)
	}
	if b := read("plan9"); b != nil {
		plan9Cases("plan9", b)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "mkbad:", err)
	os.Exit(1)
}

// write stores a case; executable by default, since `go version` names the
// error only for files that look like executables.
func write(name string, data []byte) { writeMode(name, data, 0o755) }

func writeMode(name string, data []byte, mode os.FileMode) {
	path := filepath.Join(outDir, name)
	if err := os.WriteFile(path, data, mode); err != nil {
		fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		fatal(err)
	}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

func truncate(b []byte, n int) []byte {
	if n < 0 {
		n = 0
	}
	if n > len(b) {
		n = len(b)
	}
	return clone(b[:n])
}

// random returns n reproducible pseudo-random bytes after prefix.
func random(seed uint64, prefix string, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := []byte(prefix)
	for len(b) < n {
		b = append(b, byte(r.Uint32()))
	}
	return b
}

// notExecutables: files that are no object file at all, or barely one.
func notExecutables(elfBin []byte) {
	write("empty", nil)
	writeMode("empty-noexec", nil, 0o644)
	write("zero-16", make([]byte, 16))
	write("text-exec", []byte("#!/bin/sh\necho not a Go binary\n"))
	writeMode("text-noexec.txt", []byte("just some text\n"), 0o644)
	write("random-4096", random(1, "", 4096))
	writeMode("libfake.so", random(2, "", 4096), 0o644)
	writeMode("libfake.so.1", random(3, "\x7fELF", 4096), 0o644)
	writeMode("fake.exe", random(4, "MZ", 4096), 0o644)
	writeMode("FAKE.DLL", random(5, "", 512), 0o644)
	writeMode("random-noexec", random(6, "\x7fELF", 4096), 0o644)
	for i, n := range []int{4, 16, 64, 1000, 65536} {
		write(fmt.Sprintf("random-elf-%d", n), random(uint64(10+i), "\x7fELF", n))
	}
	write("random-elf64-ident", random(20, "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", 4096))
	write("random-elf32be-ident", random(21, "\x7fELF\x01\x02\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", 4096))
	write("random-mz", random(22, "MZ", 4096))
	write("random-macho64", random(23, "\xcf\xfa\xed\xfe", 4096))
	write("random-macho-be", random(24, "\xfe\xed\xfa\xce", 4096))
	write("random-fat", random(25, "\xca\xfe\xba\xbe", 4096))
	write("random-xcoff", random(26, "\x01\xf7", 4096))
	write("random-plan9", random(27, "\x00\x00\x8a\x97", 4096))
	write("java-class", random(28, "\xca\xfe\xba\xbe\x00\x00\x00\x34", 4096))
	if elfBin != nil {
		write("short-15", truncate(elfBin, 15))
		// A valid ELF header, then noise where the tables should be.
		hdr := truncate(elfBin, 64)
		write("random-after-header", append(hdr, random(29, "", 8192)...))
	}
}

// magicOffset is the file offset of the build-info header, or -1.
func magicOffset(b []byte) int { return bytes.Index(b, []byte(minielf.Magic)) }

// fullInline names the inputs that get every inlineCases mutation; the
// others get a few (the rest would only repeat them at 2-4 MB a file).
var fullInline = map[string]bool{"elf64le": true, "pe64": true, "macho": true}

var someInline = map[string]bool{
	"vers-len-max": true, "mod-len-short": true, "magic-misaligned": true,
	"ptr-format-zero-pointers": true, "modinfo-bad-build-line": true,
}

// inlineCases damage the inline (Go 1.18+) blob of a real binary in place,
// whatever its object format.
func inlineCases(prefix string, b []byte) {
	m := magicOffset(b)
	if m < 0 {
		fatal(fmt.Errorf("%s: no build info in the input", prefix))
	}
	vlen := int(b[m+32])
	modAt := m + 33 + vlen
	modLen, n := binary.Uvarint(b[modAt:])

	mut := func(name string, f func(c []byte)) {
		if !fullInline[prefix] && !someInline[name] {
			return
		}
		c := clone(b)
		f(c)
		write(prefix+"-"+name, c)
	}
	mut("vers-len-max", func(c []byte) { copy(c[m+32:], binary.AppendUvarint(nil, ^uint64(0))) })
	mut("vers-len-1g", func(c []byte) { copy(c[m+32:], binary.AppendUvarint(nil, 1<<30)) })
	mut("vers-len-zero", func(c []byte) { c[m+32] = 0 })
	mut("varint-overflow", func(c []byte) { copy(c[m+32:], bytes.Repeat([]byte{0xff}, 10)) })
	mut("varint-unterminated", func(c []byte) { copy(c[m+32:], bytes.Repeat([]byte{0x80}, 10)) })
	mut("mod-len-max", func(c []byte) { copy(c[modAt:], binary.AppendUvarint(nil, ^uint64(0))) })
	mut("mod-len-short", func(c []byte) {
		// Same varint width, one byte less: the end sentinel no longer
		// follows a newline, so the module info is dropped.
		v := binary.AppendUvarint(nil, modLen-1)
		if len(v) != n {
			fatal(fmt.Errorf("%s: module info length %d changes width", prefix, modLen))
		}
		copy(c[modAt:], v)
	})
	mut("mod-len-long", func(c []byte) {
		v := binary.AppendUvarint(nil, modLen+16)
		if len(v) == n {
			copy(c[modAt:], v)
		}
	})
	mut("magic-zeroed", func(c []byte) { copy(c[m:m+14], make([]byte, 14)) })
	mut("magic-last-byte", func(c []byte) { c[m+13] = 0 })
	mut("magic-misaligned", func(c []byte) {
		copy(c[m:m+14], make([]byte, 14))
		copy(c[m+5:], minielf.Magic)
	})
	mut("flags-big-endian", func(c []byte) { c[m+15] |= 1 })
	mut("ptr-format-zero-pointers", func(c []byte) { c[m+15] &^= 2 })
	mut("ptr-format-ptrsize-3", func(c []byte) { c[m+14] = 3; c[m+15] &^= 2 })
	mut("ptr-format-pointers-ff", func(c []byte) {
		c[m+15] &^= 2
		copy(c[m+16:m+32], bytes.Repeat([]byte{0xff}, 16))
	})
	// Damaged module info: ParseBuildInfo reports the line.
	mut("modinfo-bad-build-line", func(c []byte) {
		i := bytes.Index(c[modAt:], []byte("build\t-buildmode"))
		if i < 0 {
			fatal(fmt.Errorf("%s: no -buildmode line", prefix))
		}
		c[modAt+i+6] = '='
	})
	mut("modinfo-bad-mod-line", func(c []byte) {
		i := bytes.Index(c[modAt:], []byte("(devel)"))
		if i < 0 {
			fatal(fmt.Errorf("%s: no (devel) version", prefix))
		}
		c[modAt+i+3] = '\t' // four columns
	})
}
