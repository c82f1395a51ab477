// Command mkpclnseed writes the seed corpus of tests/fuzz/fuzz_pclntab.c:
// small object files whose Go function table is a real one, cut down.
//
// It reads the function table of a real Go binary (ELF, built by the
// fixtures), keeps a few dozen of its functions (those of package main and
// the runtime functions around them, with their real pc tables and inline
// trees, byte for byte), lays them out again as cmd/link/internal/ld/pcln.go
// does (Go 1.26: go:func.* after the function records) and wraps the table
// in a small ELF, Mach-O or PE file, so that every path of the reader
// starts from real data.
//
// Usage: mkpclnseed -o DIR BINARY...
package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("mkpclnseed: ")
	out := flag.String("o", ".", "output directory")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: mkpclnseed -o DIR BINARY...")
	}
	for _, bin := range flag.Args() {
		t, err := readTable(bin)
		if err != nil {
			log.Fatalf("%s: %v", bin, err)
		}
		small := t.cut(keep(t))
		name := filepath.Join(*out, filepath.Base(filepath.Dir(bin)))
		write(name+".elf", wrapELF(small, t, true))
		if !t.be && t.ptr == 8 {
			write(name+"-noshdr.elf", wrapELF(small, t, false))
			write(name+".macho", wrapMachO(small))
			write(name+".exe", wrapPE(small))
		}
	}
}

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes\n", path, len(data))
}

// table is a function table, its parts as in runtime.pcHeader.
type table struct {
	be                   bool
	order                binary.ByteOrder
	ptr, quantum, layout int
	magic                uint32
	names, cutab, files  []byte
	pctab, funcs         []byte // funcs: the functab with its records
	nfunc                int
	funcdata             []byte // from go:func.* on
}

// fn is one function of the cut-down table.
type fn struct {
	name   string
	rec    []byte   // the _func record without its arrays
	pcdata []uint32 // offsets into the old pctab
	tabs   [3]uint32
	tree   []byte // inline tree entries
	inl    []string
}

func readTable(path string) (*table, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := f.Section(".gopclntab")
	if s == nil {
		return nil, fmt.Errorf("no .gopclntab")
	}
	data, err := s.Data()
	if err != nil {
		return nil, err
	}
	t := &table{order: f.ByteOrder, be: f.ByteOrder == binary.BigEndian}
	t.magic = t.order.Uint32(data)
	t.quantum, t.ptr = int(data[6]), int(data[7])
	if t.magic != 0xfffffff1 {
		return nil, fmt.Errorf("not a Go 1.20+ table")
	}
	word := func(i int) int {
		if t.ptr == 4 {
			return int(t.order.Uint32(data[8+4*i:]))
		}
		return int(t.order.Uint64(data[8+8*i:]))
	}
	t.nfunc = word(0)
	off := []int{word(3), word(4), word(5), word(6), word(7)}
	t.names, t.cutab, t.files = data[off[0]:off[1]], data[off[1]:off[2]], data[off[2]:off[3]]
	t.pctab, t.funcs = data[off[3]:off[4]], data[off[4]:]
	syms, _ := f.Symbols()
	for _, sym := range syms {
		if sym.Name == "go:func.*" {
			for _, sec := range f.Sections {
				if sym.Value >= sec.Addr && sym.Value < sec.Addr+sec.Size {
					d, _ := sec.Data()
					t.funcdata = d[sym.Value-sec.Addr:]
				}
			}
		}
	}
	if t.funcdata == nil {
		return nil, fmt.Errorf("no go:func.* symbol")
	}
	return t, nil
}

func (t *table) u32(b []byte) uint32 { return t.order.Uint32(b) }

func (t *table) name(off uint32) string {
	s := t.names[off:]
	return string(s[:bytes.IndexByte(s, 0)])
}

// function i as the old table has it.
func (t *table) function(i int) fn {
	rec := t.funcs[t.u32(t.funcs[8*i+4:]):]
	npc := int(t.u32(rec[28:]))
	nfd := int(rec[43])
	f := fn{name: t.name(t.u32(rec[4:])), rec: rec[:44]}
	for k := 0; k < npc; k++ {
		f.pcdata = append(f.pcdata, t.u32(rec[44+4*k:]))
	}
	f.tabs = [3]uint32{t.u32(rec[16:]), t.u32(rec[20:]), t.u32(rec[24:])}
	if nfd > 3 && npc > 2 && f.pcdata[2] != 0 {
		tree := t.u32(rec[44+4*npc+12:])
		if tree != ^uint32(0) {
			n := maxValue(t.pctab[f.pcdata[2]:], t.quantum) + 1
			f.tree = t.funcdata[tree : int(tree)+16*n]
			for k := 0; k < n; k++ {
				f.inl = append(f.inl, t.name(t.u32(f.tree[16*k+4:])))
			}
		}
	}
	return f
}

// maxValue decodes a pc-value table (runtime.step) for its largest value.
func maxValue(p []byte, quantum int) int {
	val, max, first := int32(-1), int32(-1), true
	for {
		uv, n := binary.Uvarint(p)
		if uv == 0 && !first {
			return int(max)
		}
		p = p[n:]
		val += int32(-(uv & 1) ^ (uv >> 1))
		_, n = binary.Uvarint(p)
		p = p[n:]
		if val > max {
			max = val
		}
		first = false
	}
}

// tableLen is the length of the pc-value table at p, with its end.
func tableLen(p []byte) int {
	at, first := 0, true
	for {
		uv, n := binary.Uvarint(p[at:])
		if uv == 0 && !first {
			return at + 1
		}
		at += n
		_, n = binary.Uvarint(p[at:])
		at += n
		first = false
	}
}

// keep picks main's functions, those with inline trees first, and the
// table's first runtime functions, some thirty in all.
func keep(t *table) []int {
	var mains, inl, first []int
	for i := 0; i < t.nfunc; i++ {
		f := t.function(i)
		switch {
		case strings.HasPrefix(f.name, "main.") || strings.HasPrefix(f.name, "example.com/"):
			mains = append(mains, i)
		case len(f.tree) > 0 && len(inl) < 12:
			inl = append(inl, i)
		case len(first) < 12:
			first = append(first, i)
		}
	}
	return append(append(first, inl...), mains...)
}
