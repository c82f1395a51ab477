package main

// The call-edge cases of tests/unit/test_edges.c: small pprof profiles,
// each crafted to hit one rule of cmd/internal/pgo.FromPProf and
// internal/profile.NewGraph, and what the compiler's own `go tool
// preprofile` makes of them: data/edges/NAME.pprof with NAME.preprofile,
// or NAME.error (preprofile's message) when Go refuses the profile.
//
// The profiles are protobuf written by hand (a few lines of wire format),
// so that this generator needs nothing but the Go toolchain.

import (
	"bytes"
	"encoding/binary"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// pb is a protobuf message being written.
type pb struct{ b []byte }

func (m *pb) varint(field int, v uint64) {
	m.b = binary.AppendUvarint(m.b, uint64(field)<<3)
	m.b = binary.AppendUvarint(m.b, v)
}

func (m *pb) bytes(field int, data []byte) {
	m.b = binary.AppendUvarint(m.b, uint64(field)<<3|2)
	m.b = binary.AppendUvarint(m.b, uint64(len(data)))
	m.b = append(m.b, data...)
}

func (m *pb) packed(field int, vs []uint64) {
	var p []byte
	for _, v := range vs {
		p = binary.AppendUvarint(p, v)
	}
	m.bytes(field, p)
}

// A profile described by its parts; ids are positions + 1.
type fn struct {
	name  string
	start int64
}

type line struct {
	fn   int // index into funcs + 1; 0: no function
	line int64
}

type loc struct {
	addr  uint64
	lines []line // innermost first
}

type sample struct {
	locs   []int // indexes into locs + 1, leaf first
	values []int64
}

type profile struct {
	types   [][2]string
	funcs   []fn
	locs    []loc
	samples []sample
	dupName bool // give the second function's name its own copy of the string
}

func (p *profile) encode() []byte {
	strs := []string{""}
	index := map[string]int{"": 0}
	str := func(s string, fresh bool) uint64 {
		if i, ok := index[s]; ok && !fresh {
			return uint64(i)
		}
		index[s] = len(strs)
		strs = append(strs, s)
		return uint64(len(strs) - 1)
	}
	var out pb
	for _, t := range p.types {
		var vt pb
		vt.varint(1, str(t[0], false))
		vt.varint(2, str(t[1], false))
		out.bytes(1, vt.b)
	}
	for _, s := range p.samples {
		var m pb
		ids := make([]uint64, len(s.locs))
		for i, l := range s.locs {
			ids[i] = uint64(l)
		}
		m.packed(1, ids)
		vals := make([]uint64, len(s.values))
		for i, v := range s.values {
			vals[i] = uint64(v)
		}
		m.packed(2, vals)
		out.bytes(2, m.b)
	}
	for i, l := range p.locs {
		var m pb
		m.varint(1, uint64(i+1))
		if l.addr != 0 {
			m.varint(3, l.addr)
		}
		for _, ln := range l.lines {
			var lm pb
			if ln.fn != 0 {
				lm.varint(1, uint64(ln.fn))
			}
			lm.varint(2, uint64(ln.line))
			m.bytes(4, lm.b)
		}
		out.bytes(4, m.b)
	}
	for i, f := range p.funcs {
		var m pb
		m.varint(1, uint64(i+1))
		m.varint(2, str(f.name, p.dupName && i == 1))
		m.varint(4, str("f.go", false))
		if f.start != 0 {
			m.varint(5, uint64(f.start))
		}
		out.bytes(5, m.b)
	}
	for _, s := range strs {
		out.bytes(6, []byte(s))
	}
	return out.b
}

var cpu = [][2]string{{"samples", "count"}, {"cpu", "nanoseconds"}}

// l is a location of one frame; il one with inlined frames (innermost first).
func l(f int, n int64) loc { return loc{lines: []line{{f, n}}} }

func il(frames ...line) loc { return loc{lines: frames} }

var edgeCases = map[string]profile{
	// Two-location stacks, deeper ones cut to their two leaf-most
	// locations, an inlined frame in the second one.
	"basic": {types: cpu,
		funcs: []fn{{"main.main", 10}, {"main.work", 20}, {"lib.Sum", 4}, {"lib.add", 9}, {"runtime.main", 250}},
		locs:  []loc{l(3, 6), l(2, 23), il(line{4, 10}, line{3, 5}), l(1, 12), l(5, 283)},
		samples: []sample{
			{[]int{1, 2}, []int64{3, 30}},
			{[]int{3, 2, 4, 5}, []int64{2, 20}},
			{[]int{2, 4, 5}, []int64{1, 10}},
			{[]int{1, 2, 4}, []int64{4, 40}},
		}},
	// Recursion: a node seen again in one sample counts once; n == parent
	// adds no edge.
	"recursion": {types: cpu,
		funcs: []fn{{"main.fib", 5}, {"main.main", 1}},
		locs:  []loc{l(1, 7), l(1, 8), il(line{1, 7}, line{1, 7}), l(2, 3)},
		samples: []sample{
			{[]int{1, 1}, []int64{5, 50}},
			{[]int{1, 2}, []int64{2, 20}},
			{[]int{3, 1}, []int64{3, 30}},
			{[]int{2, 4}, []int64{1, 10}},
		}},
	// The first sample type Go takes is cpu/nanoseconds here.
	"second_type": {types: [][2]string{{"wall", "nanoseconds"}, {"cpu", "nanoseconds"}},
		funcs:   []fn{{"a.F", 1}, {"a.G", 10}},
		locs:    []loc{l(2, 11), l(1, 3)},
		samples: []sample{{[]int{1, 2}, []int64{1000, 7}}, {[]int{1, 2}, []int64{5, 0}}}},
	// Addresses split nodes (a raw profile); samples of value 0 are skipped.
	"addresses": {types: cpu,
		funcs: []fn{{"a.F", 1}, {"a.G", 10}},
		locs: []loc{{addr: 0x1000, lines: []line{{2, 11}}}, {addr: 0x1004, lines: []line{{2, 11}}},
			{addr: 0x2000, lines: []line{{1, 3}}}, {addr: 0x2008, lines: []line{{1, 3}}}},
		samples: []sample{{[]int{1, 3}, []int64{2, 1}}, {[]int{2, 4}, []int64{3, 1}},
			{[]int{2, 3}, []int64{0, 0}}}},
	// A location without lines and a line without a function: nodes with
	// an empty name, whose edges count in the total.
	"no_function": {types: cpu,
		funcs:   []fn{{"a.F", 1}},
		locs:    []loc{{addr: 0x10}, il(line{0, 5}), l(1, 2)},
		samples: []sample{{[]int{1, 3}, []int64{4, 4}}, {[]int{2, 3}, []int64{6, 6}}, {[]int{3, 1}, []int64{1, 1}}}},
	// One name in two string-table entries: one function for Go.
	"dup_names": {types: cpu, dupName: true,
		funcs:   []fn{{"a.F", 1}, {"a.F", 1}, {"a.G", 20}},
		locs:    []loc{l(3, 21), l(1, 2), l(2, 2)},
		samples: []sample{{[]int{1, 2}, []int64{1, 1}}, {[]int{1, 3}, []int64{2, 2}}}},
	// Equal weights: the order falls to caller, callee, offset.
	"ties": {types: cpu,
		funcs:   []fn{{"b.X", 1}, {"a.Y", 1}, {"c.Z", 1}},
		locs:    []loc{l(3, 4), l(1, 3), l(2, 3), l(1, 2)},
		samples: []sample{{[]int{1, 2}, []int64{1, 1}}, {[]int{1, 3}, []int64{1, 1}}, {[]int{1, 4}, []int64{1, 1}}}},
	// No edges at all: single-frame stacks.
	"leaves_only": {types: cpu,
		funcs:   []fn{{"a.F", 1}},
		locs:    []loc{l(1, 2)},
		samples: []sample{{[]int{1}, []int64{9, 9}}}},
	// Refused: no start lines anywhere.
	"no_start_line": {types: cpu,
		funcs:   []fn{{"a.F", 0}, {"a.G", 0}},
		locs:    []loc{l(2, 11), l(1, 3)},
		samples: []sample{{[]int{1, 2}, []int64{1, 1}}}},
	// Refused: no sample type Go takes.
	"no_cpu_type": {types: [][2]string{{"alloc_space", "bytes"}},
		funcs:   []fn{{"a.F", 1}, {"a.G", 10}},
		locs:    []loc{l(2, 11), l(1, 3)},
		samples: []sample{{[]int{1, 2}, []int64{1}}}},
}

// genEdges writes the cases and the real profile's expectation.
func genEdges(out, realProfile string) {
	dir := filepath.Join(out, "edges")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for name, p := range edgeCases {
		file := filepath.Join(dir, name+".pprof")
		if err := os.WriteFile(file, p.encode(), 0o644); err != nil {
			log.Fatal(err)
		}
		preprofile(file, filepath.Join(dir, name))
	}
	preprofile(realProfile, filepath.Join(dir, "go-cpu"))
}

// preprofile runs the compiler's reader on file: base.preprofile, or
// base.error with what it says when it refuses the profile.
func preprofile(file, base string) {
	var stderr bytes.Buffer
	cmd := exec.Command("go", "tool", "preprofile", "-i", file, "-o", base+".preprofile")
	cmd.Stderr = &stderr
	os.Remove(base + ".error")
	if err := cmd.Run(); err != nil {
		os.Remove(base + ".preprofile")
		msg := strings.TrimSpace(stderr.String()) + "\n"
		if err := os.WriteFile(base+".error", []byte(msg), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
