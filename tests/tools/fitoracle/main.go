// Command fitoracle computes the profile fit that pgo-go computes
// (wrapper/verify/fit.c over buildinfo/bi_pclntab.c), from independent sources,
// so the suites can compare the two on real binaries:
//
//   - the functions and their lines come from DWARF: the line table says
//     which line each pc has, DW_TAG_subprogram and DW_TAG_inlined_subroutine
//     (with their abstract origins' names and DW_AT_decl_line) say which
//     function the pc belongs to, the innermost inlined call winning;
//   - the call edges come from `go tool preprofile` output, the compiler's
//     own reading of the profile.
//
// Usage:
//
//	fitoracle -index BINARY          every function, one a line, sorted:
//	                                 NAME TAB START TAB FLAGS TAB LINE,... TAB CALLEE@LINE,...
//	fitoracle BINARY PREPROFILE      the fit, as JSON (the weights fit_tool prints)
//
// The binary must carry DWARF (not built with -ldflags=-w); for a stripped
// binary, run the oracle on its unstripped twin.
package main

import (
	"bufio"
	"debug/buildinfo"
	"debug/dwarf"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("fitoracle: ")
	index := flag.Bool("index", false, "print the functions and their lines")
	flag.Parse()
	switch {
	case *index && flag.NArg() == 1:
		fns := load(flag.Arg(0))
		printIndex(fns)
	case !*index && flag.NArg() == 2:
		fns := load(flag.Arg(0))
		edges, err := readPreprofile(flag.Arg(1))
		if err != nil {
			log.Fatal(err)
		}
		out, _ := json.Marshal(computeFit(fns, edges, modules(flag.Arg(0))))
		fmt.Println(string(out))
	default:
		log.Fatal("usage: fitoracle -index BINARY | fitoracle BINARY PREPROFILE")
	}
}

func load(path string) map[string]*function {
	d, err := openDWARF(path)
	if err != nil {
		log.Fatal(err)
	}
	fns, err := functions(d)
	if err != nil {
		log.Fatal(err)
	}
	return fns
}

func openDWARF(path string) (*dwarf.Data, error) {
	if f, err := elf.Open(path); err == nil {
		return f.DWARF()
	}
	if f, err := macho.Open(path); err == nil {
		return f.DWARF()
	}
	if f, err := macho.OpenFat(path); err == nil {
		return f.Arches[0].DWARF()
	}
	if f, err := pe.Open(path); err == nil {
		return f.DWARF()
	}
	return nil, errors.New(path + ": not an ELF, Mach-O or PE file")
}

// function is what the fit needs of one function name.
type function struct {
	name      string
	startLine int
	host      bool // has a body of its own
	inlined   bool // inlined somewhere
	offsets   map[int]bool
	sites     []site // calls inlined into it
}

// inlinedAt is 1 when callee is inlined into f at offset, 0 when only
// elsewhere in f, -1 when never.
func (f *function) inlinedAt(callee string, offset int) int {
	found := -1
	for _, s := range f.sites {
		if s.callee == callee {
			if s.offset == offset {
				return 1
			}
			found = 0
		}
	}
	return found
}

func printIndex(fns map[string]*function) {
	names := make([]string, 0, len(fns))
	for n := range fns {
		names = append(names, n)
	}
	sort.Strings(names)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, n := range names {
		f := fns[n]
		flags := ""
		if f.host {
			flags += "h"
		}
		if f.inlined {
			flags += "i"
		}
		offs := make([]int, 0, len(f.offsets))
		for o := range f.offsets {
			offs = append(offs, f.startLine+o)
		}
		sort.Ints(offs)
		strs := make([]string, len(offs))
		for i, o := range offs {
			strs[i] = strconv.Itoa(o)
		}
		sites := make([]string, 0, len(f.sites))
		for _, s := range f.sites {
			sites = append(sites, fmt.Sprintf("%s@%d", s.callee, f.startLine+s.offset))
		}
		sort.Strings(sites)
		sites = slices.Compact(sites)
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\n", n, f.startLine, flags, strings.Join(strs, ","),
			strings.Join(sites, ","))
	}
}

// ---- edges and the fit ----

type edge struct {
	caller, callee string
	offset         int
	weight         int64
}

// readPreprofile reads cmd/internal/pgo's serialized form.
func readPreprofile(path string) ([]edge, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if lines[0] != "GO PREPROFILE V1" {
		return nil, errors.New(path + ": not a preprofile")
	}
	body := lines[1:]
	if len(body)%3 != 0 {
		return nil, errors.New(path + ": truncated preprofile")
	}
	var edges []edge
	for i := 0; i < len(body); i += 3 {
		var e edge
		e.caller, e.callee = body[i], body[i+1]
		if _, err := fmt.Sscanf(body[i+2], "%d %d", &e.offset, &e.weight); err != nil {
			return nil, fmt.Errorf("%s: line %d: %v", path, i+4, err)
		}
		edges = append(edges, e)
	}
	return edges, nil
}

// modules lists the binary's module paths, main module first.
func modules(path string) []string {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil
	}
	var m []string
	if bi.Main.Path != "" {
		m = append(m, bi.Main.Path)
	}
	for _, d := range bi.Deps {
		m = append(m, d.Path)
	}
	return m
}

// pkgOf is the package of a symbol name: up to the first dot after the
// last slash, type arguments removed.
func pkgOf(name string) string {
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	slash := strings.LastIndexByte(name, '/') + 1
	dot := strings.IndexByte(name[slash:], '.')
	if dot < 0 || slash+dot == 0 {
		return ""
	}
	return name[:slash+dot]
}

func isOwn(pkg string, mods []string) bool {
	if pkg == "main" || pkg == "command-line-arguments" {
		return true
	}
	if len(mods) > 0 {
		for _, m := range mods {
			if pkg == m || strings.HasPrefix(pkg, m+"/") {
				return true
			}
		}
		return false
	}
	first, _, _ := strings.Cut(pkg, "/")
	return strings.Contains(first, ".")
}

type fit struct {
	Weight       int64   `json:"weight"`
	FitWeight    int64   `json:"fit_weight"`
	OwnWeight    int64   `json:"own_weight"`
	OwnFitWeight int64   `json:"own_fit_weight"`
	Total        float64 `json:"total"`
	Own          float64 `json:"own"`
	OwnShare     float64 `json:"own_share"`
}

func computeFit(fns map[string]*function, edges []edge, mods []string) fit {
	var r fit
	for _, e := range edges {
		r.Weight += e.weight
		caller, callee := fns[e.caller], fns[e.callee]
		fits := caller != nil && callee != nil && caller.offsets[e.offset] &&
			caller.inlinedAt(e.callee, e.offset) != 0
		if fits {
			r.FitWeight += e.weight
		}
		if pkg := pkgOf(e.caller); pkg != "" && isOwn(pkg, mods) {
			r.OwnWeight += e.weight
			if fits {
				r.OwnFitWeight += e.weight
			}
		}
	}
	if r.Weight > 0 {
		r.Total = float64(r.FitWeight) / float64(r.Weight)
		r.OwnShare = float64(r.OwnWeight) / float64(r.Weight)
	}
	if r.OwnWeight > 0 {
		r.Own = float64(r.OwnFitWeight) / float64(r.OwnWeight)
	}
	return r
}
