// Command mkcrafted writes small ELF files with Go 1.18+ (inline) build info
// that is valid but unusual: settings that must be quoted or escaped, quoted
// keys and values in the module info, odd version strings, repeated lines.
// Each file exercises one rule of `go version -m` and its -json output that
// the toolchain's own binaries never trigger.
//
// Usage: mkcrafted OUTDIR
package main

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"pgo-go.test/tools/internal/minielf"
)

const head = "path\texample.com/crafted\nmod\texample.com/crafted\tv1.2.3\th1:Yk0dZmxTH+3mKr8sM2FQu1aXuKEpYcP/H1U1zWtBdKU=\n"

var cases = []struct{ name, vers, mod string }{
	// Keys and values that String() must quote, given quoted (both quote
	// styles) or plain in the module info.
	{"quote-keys", "go1.26.8", head +
		"build\t\"key with space\"=v\n" +
		"build\t`raw key`=v\n" +
		"build\t\"k=eq\"=v\n" +
		"build\t\"k\\ttab\"=v\n" +
		"build\t\"\"=empty-key\n" +
		"build\t\"quote\\\"key\"=v\n" +
		"build\t\"back`tick\"=v\n" +
		"build\t\"plain\"=quoted-but-needs-no-quotes\n"},
	{"quote-values", "go1.26.8", head +
		"build\tempty=\n" +
		"build\teq=a=b=c\n" +
		"build\tspace=\"a b\"\n" +
		"build\ttab=\"a\\tb\"\n" +
		"build\tcr=\"a\\rb\"\n" +
		"build\tnl=\"a\\nb\"\n" +
		"build\tquote=\"a\\\"b\"\n" +
		"build\tbackslash=a\\b\n" +
		"build\tbackslash2=\"a\\\\b c\"\n" +
		"build\tbacktick=\"a`b\"\n" +
		"build\traw=`raw value`\n" +
		"build\tunneeded=\"quotes-not-needed\"\n" +
		"build\t-ldflags=\"-X main.msg=hello world -X \\\"main.q=a\\\\\\\"b\\\"\"\n"},
	// Non-ASCII and control characters: strconv.Quote escapes what is not
	// printable, encoding/json escapes <, >, &, U+2028/U+2029 and control
	// characters and replaces invalid UTF-8 with U+FFFD.
	{"escapes", "go1.26.8", head +
		"build\tutf8=\"héllo wörld\"\n" +
		"build\tnbsp=\"a\\u00a0b\"\n" +
		"build\tls=\"a\\u2028b\\u2029c\"\n" +
		"build\thtml=<a>&amp;</a>\n" +
		"build\tctl=\"\\x01\\x1f\\x7f\"\n" +
		"build\tbell=\"\\a\\b\\f\\v\"\n" +
		"build\tinvalid=\"\\xff\\xfe x\"\n" +
		"build\tastral=\"\\U0001F600 x\"\n" +
		"build\tzwj=\"a\\u200db\"\n" +
		"build\tbom=\"\\ufeff x\"\n" +
		"build\tnul=\"a\\x00b\"\n" +
		"build\tkéy=v\n"},
	// Raw bytes outside quotes are copied as they are.
	{"raw-bytes", "go1.26.8", "path\texample.com/<raw>&\xff\nmod\texample.com/r\xc3\xa9\tv0.0.0\t\nbuild\tk=\xff\xfe\x80\nbuild\tctl=a\x01b\n"},
	// Module lines: 2 or 3 columns, replacements with empty fields,
	// unknown lines (ignored), repeated path and mod lines (last wins).
	{"modules", "go1.26.8", "path\tfirst/path\n" +
		"path\texample.com/modules\n" +
		"mod\texample.com/modules\t(devel)\n" +
		"dep\texample.com/a\tv0.1.0\th1:a=\n" +
		"dep\texample.com/b\tv0.2.0\n" +
		"dep\texample.com/c\tv0.3.0\th1:c=\n" +
		"=>\texample.com/c2\tv0.3.1\th1:c2=\n" +
		"dep\texample.com/d\tv0.4.0\t\n" +
		"=>\t../d\t\t\n" +
		"dep\t\t\t\n" +
		"# a comment line is ignored\n" +
		"\n" +
		"go\tgo1.99\n" +
		"unknown\tline\n" +
		"build\t-buildmode=exe\n"},
	{"main-replaced", "go1.26.8", "path\texample.com/m\n" +
		"mod\texample.com/m\tv1.0.0\th1:m=\n" +
		"=>\texample.com/m2\tv1.0.1\th1:m2=\n"},
	{"mod-twice", "go1.26.8", "mod\texample.com/one\tv1\t\nmod\texample.com/two\tv2\th1:two=\n"},
	{"no-path", "go1.26.8", "mod\texample.com/nopath\tv1.0.0\t\nbuild\tGOOS=linux\n"},
	{"build-only", "go1.26.8", "build\t-compiler=gc\nbuild\tGOOS=plan9\n"},
	{"empty-mod", "go1.26.8", ""},
	{"devel-version", "devel go1.27-0123456789 Tue Jan 2 03:04:05 2024 +0000", head + "build\t-buildmode=exe\n"},
	{"odd-version", "go1.26.8 \"quoted\" <&> \t tab", head},
	{"long-version", "go1." + strings.Repeat("9", 300), head},
	{"long-modinfo", "go1.26.8", head + longDeps(400)},
	// A -pgo setting whose path must be quoted (what pgo-go verify reports
	// is the value, unquoted).
	{"pgo-space", "go1.26.8", head + "build\t-buildmode=exe\nbuild\t-pgo=\"/tmp/dir with space/my profile.pprof\"\nbuild\tGOOS=linux\n"},
}

func longDeps(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "dep\texample.com/dep%03d\tv1.%d.0\th1:%040d=\n", i, i, i)
	}
	return b.String()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkcrafted OUTDIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal(err)
	}
	for _, c := range cases {
		write(filepath.Join(dir, c.name), minielf.SimpleInline(c.vers, minielf.Wrap(c.mod)))
	}
	// The inline layout read from a 32-bit big-endian file.
	blob := minielf.Pad(minielf.InlineBlob(4, true, "go1.26.8", minielf.Wrap(head+"build\tGOARCH=mips\n")), 16)
	write(filepath.Join(dir, "inline-elf32-be"), minielf.Build(minielf.File{
		Class: elf.ELFCLASS32, Order: binary.BigEndian, Machine: elf.EM_MIPS,
		Segments: []minielf.Segment{
			{Vaddr: 0x10000, Flags: elf.PF_R | elf.PF_X, Data: make([]byte, 16)},
			{Vaddr: 0x20000, Flags: elf.PF_R | elf.PF_W, Data: blob},
		},
		Sections: []minielf.Section{
			{Name: ".go.buildinfo", Type: elf.SHT_PROGBITS, Flags: elf.SHF_ALLOC | elf.SHF_WRITE, Segment: 1, Size: uint64(len(blob))},
		},
	}))
	// Module info whose framing is too short or lacks the newline before the
	// end sentinel: the version is reported, the module info is dropped.
	write(filepath.Join(dir, "frame-short"), minielf.SimpleInline("go1.26.8", "0123456789abcdef\n0123456789abcde"))
	write(filepath.Join(dir, "frame-no-newline"), minielf.SimpleInline("go1.26.8", minielf.Wrap("path\tx\nmod\tx\tv1\tx")))
}

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o755); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "mkcrafted:", err)
	os.Exit(1)
}
