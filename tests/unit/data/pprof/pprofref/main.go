// Command pprofref is the reference side of tests/unit/test_pprof.c: it
// reads profiles with github.com/google/pprof/profile, independently of the
// C code under test.
//
//	pprofref dump FILE              every stack with its value, sorted
//	pprofref reduce FILE KEEP AGG   the go-pgo reduction (AGG 1: aggregate callees)
//	pprofref gen OUT NSAMPLES NFUNCS   a big raw profile of distinct stacks
//	pprofref strip IN OUT           IN with every Function.start_line zeroed
//	pprofref info FILE              table sizes
//
// go-cpu.reduced.txt.gz is `pprofref reduce go-cpu.pprof 5 1 | gzip -9n`.
package main

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"
)

func read(path string) *profile.Profile {
	f, err := os.Open(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	p, err := profile.ParseData(mustRead(f))
	if err != nil {
		panic(err)
	}
	return p
}

func mustRead(f *os.File) []byte {
	st, _ := f.Stat()
	b := make([]byte, st.Size())
	if _, err := f.ReadAt(b, 0); err != nil {
		panic(err)
	}
	return b
}

func locKey(l *profile.Location, leaf, aggregate bool) string {
	var b strings.Builder
	if l.Mapping != nil {
		fmt.Fprintf(&b, "[%s|%s]", l.Mapping.File, l.Mapping.BuildID)
	}
	for i, ln := range l.Line {
		line := ln.Line
		if leaf && aggregate && i == 0 {
			line = 0
		}
		if ln.Function == nil {
			fmt.Fprintf(&b, " ?:%d", line)
			continue
		}
		fmt.Fprintf(&b, " %s(%s,%s@%d):%d", ln.Function.Name, ln.Function.SystemName, ln.Function.Filename, ln.Function.StartLine, line)
	}
	return b.String()
}

func valueIndex(p *profile.Profile) int {
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			return i
		}
	}
	for i, st := range p.SampleType {
		if st.Type == "samples" && st.Unit == "count" {
			return i
		}
	}
	panic("no type")
}

// dump prints each (reduced) stack with its summed value, sorted.
func dump(p *profile.Profile, keep int, aggregate bool) {
	vi := valueIndex(p)
	sums := map[string]int64{}
	for _, s := range p.Sample {
		v := s.Value[vi]
		if v == 0 {
			continue
		}
		locs := s.Location
		if keep > 0 && len(locs) > keep {
			locs = locs[:keep]
		}
		var parts []string
		for i, l := range locs {
			parts = append(parts, locKey(l, i == 0, aggregate))
		}
		sums[strings.Join(parts, " ; ")] += v
	}
	var keys []string
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "type %s/%s\n", p.SampleType[vi].Type, p.SampleType[vi].Unit)
	for _, k := range keys {
		fmt.Fprintf(w, "%d %s\n", sums[k], k)
	}
}

// gen writes a raw (not gzipped) profile of about n samples with distinct
// stacks over nfn functions, depth up to 32, shaped like a Go CPU profile.
func gen(out string, n, nfn int) {
	r := rand.New(rand.NewSource(1))
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10000000,
	}
	m := &profile.Mapping{ID: 1, Start: 0x400000, Limit: 0x800000, File: "/usr/bin/app", HasFunctions: true}
	p.Mapping = []*profile.Mapping{m}
	for i := 0; i < nfn; i++ {
		p.Function = append(p.Function, &profile.Function{ID: uint64(i + 1), Name: fmt.Sprintf("example.com/app/pkg%d.Func%d", i%50, i),
			SystemName: fmt.Sprintf("example.com/app/pkg%d.Func%d", i%50, i), Filename: fmt.Sprintf("/src/app/pkg%d/f%d.go", i%50, i/50), StartLine: int64(10 + i%300)})
	}
	nloc := nfn * 8
	for i := 0; i < nloc; i++ {
		f := p.Function[r.Intn(nfn)]
		l := &profile.Location{ID: uint64(i + 1), Mapping: m, Address: 0x400000 + uint64(i)*16,
			Line: []profile.Line{{Function: f, Line: f.StartLine + int64(r.Intn(40))}}}
		if r.Intn(4) == 0 {
			g := p.Function[r.Intn(nfn)]
			l.Line = append(l.Line, profile.Line{Function: g, Line: g.StartLine + int64(r.Intn(40))})
		}
		p.Location = append(p.Location, l)
	}
	for i := 0; i < n; i++ {
		depth := 4 + r.Intn(28)
		s := &profile.Sample{Value: []int64{int64(1 + r.Intn(5)), 0}}
		s.Value[1] = s.Value[0] * 10000000
		for d := 0; d < depth; d++ {
			s.Location = append(s.Location, p.Location[r.Intn(nloc)])
		}
		if r.Intn(3) == 0 {
			s.Label = map[string][]string{"span": {strconv.Itoa(r.Intn(100))}}
		}
		p.Sample = append(p.Sample, s)
	}
	f, err := os.Create(out)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := p.WriteUncompressed(f); err != nil {
		panic(err)
	}
}

func main() {
	switch os.Args[1] {
	case "dump": // dump FILE: the profile as it is (no truncation)
		dump(read(os.Args[2]), 0, false)
	case "reduce": // reduce FILE KEEP AGG: reference go-pgo reduction
		keep, _ := strconv.Atoi(os.Args[3])
		dump(read(os.Args[2]), keep, os.Args[4] == "1")
	case "gen":
		n, _ := strconv.Atoi(os.Args[3])
		nfn, _ := strconv.Atoi(os.Args[4])
		gen(os.Args[2], n, nfn)
	case "strip":
		stripStartLine(os.Args[2], os.Args[3])
	case "info":
		p := read(os.Args[2])
		fmt.Printf("samples=%d locations=%d functions=%d mappings=%d types=%v period=%v %d\n", len(p.Sample), len(p.Location), len(p.Function), len(p.Mapping), p.SampleType, p.PeriodType, p.Period)
	}
}

// stripStartLine writes the profile with every Function.start_line zeroed,
// as eBPF collectors produce it.
func stripStartLine(in, out string) {
	p := read(in)
	for _, f := range p.Function {
		f.StartLine = 0
	}
	f, err := os.Create(out)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := p.Write(f); err != nil {
		panic(err)
	}
}
