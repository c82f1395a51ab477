package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// reduceGoPGO applies the go-pgo reduction (design §5, "The go-pgo
// reduction"), written from that description rather than from Pyroscope's
// source. The input has exactly one sample type (the query selected it).
//
// For every sample (locations leaf first): keep the first keep locations
// (0 keeps all); with aggregateCallees set the leaf location's first line
// number to 0; drop labels. Then merge identical locations (same mapping and
// the same function+line list; addresses are dropped since they would keep
// otherwise-identical locations apart; unsymbolized locations keep theirs)
// and identical stacks, summing values;
// keep only referenced functions and mappings (strings follow, as the pprof
// encoder writes only referenced ones); number ids from 1 in order of first
// use.
func reduceGoPGO(p *profile.Profile, keep int, aggregateCallees bool) *profile.Profile {
	out := &profile.Profile{
		SampleType:    []*profile.ValueType{copyValueType(p.SampleType[0])},
		PeriodType:    copyValueType(p.PeriodType),
		Period:        p.Period,
		TimeNanos:     p.TimeNanos,
		DurationNanos: p.DurationNanos,
	}
	b := newRebuilder(out)
	samples := map[string]*profile.Sample{}
	for _, s := range p.Sample {
		locs := s.Location
		if keep > 0 && len(locs) > keep {
			locs = locs[:keep]
		}
		if len(locs) == 0 || s.Value[0] == 0 {
			continue
		}
		ids := make([]string, len(locs))
		newLocs := make([]*profile.Location, len(locs))
		for i, l := range locs {
			lines := slices.Clone(l.Line)
			if i == 0 && aggregateCallees && len(lines) > 0 {
				lines[0].Line = 0
			}
			newLocs[i] = b.location(l.Mapping, l.Address, lines)
			ids[i] = fmt.Sprint(newLocs[i].ID)
		}
		key := strings.Join(ids, ",")
		if prev, ok := samples[key]; ok {
			prev.Value[0] += s.Value[0]
			continue
		}
		ns := &profile.Sample{Location: newLocs, Value: []int64{s.Value[0]}}
		samples[key] = ns
		out.Sample = append(out.Sample, ns)
	}
	return out
}

// truncateNodes implements max_nodes: only the maxNodes functions with the
// largest total (cumulative) value keep their frames; every other frame is
// dropped from the stacks, and a stack left empty is charged to a synthetic
// "other" function. This approximates Pyroscope's tree truncation, which is
// all a test needs: fewer nodes, same total.
func truncateNodes(p *profile.Profile, maxNodes int) *profile.Profile {
	total := map[*profile.Function]int64{}
	for _, s := range p.Sample {
		seen := map[*profile.Function]bool{}
		for _, l := range s.Location {
			for _, ln := range l.Line {
				if ln.Function != nil && !seen[ln.Function] {
					seen[ln.Function] = true
					total[ln.Function] += s.Value[0]
				}
			}
		}
	}
	if len(total) <= maxNodes {
		return p
	}
	fns := make([]*profile.Function, 0, len(total))
	for f := range total {
		fns = append(fns, f)
	}
	slices.SortFunc(fns, func(a, b *profile.Function) int {
		return cmp.Or(cmp.Compare(total[b], total[a]), cmp.Compare(a.Name, b.Name))
	})
	kept := map[*profile.Function]bool{}
	for _, f := range fns[:maxNodes] {
		kept[f] = true
	}

	out := &profile.Profile{
		SampleType:    []*profile.ValueType{copyValueType(p.SampleType[0])},
		PeriodType:    copyValueType(p.PeriodType),
		Period:        p.Period,
		TimeNanos:     p.TimeNanos,
		DurationNanos: p.DurationNanos,
	}
	b := newRebuilder(out)
	other := []profile.Line{{Function: &profile.Function{Name: "other"}}}
	samples := map[string]*profile.Sample{}
	for _, s := range p.Sample {
		var locs []*profile.Location
		var ids []string
		for _, l := range s.Location {
			var lines []profile.Line
			for _, ln := range l.Line {
				if kept[ln.Function] {
					lines = append(lines, ln)
				}
			}
			if len(lines) == 0 {
				continue
			}
			nl := b.location(l.Mapping, l.Address, lines)
			locs = append(locs, nl)
			ids = append(ids, fmt.Sprint(nl.ID))
		}
		if len(locs) == 0 {
			nl := b.location(nil, 0, other)
			locs, ids = []*profile.Location{nl}, []string{fmt.Sprint(nl.ID)}
		}
		key := strings.Join(ids, ",")
		if prev, ok := samples[key]; ok {
			prev.Value[0] += s.Value[0]
			continue
		}
		ns := &profile.Sample{Location: locs, Value: []int64{s.Value[0]}}
		samples[key] = ns
		out.Sample = append(out.Sample, ns)
	}
	return out
}

// rebuilder creates deduplicated locations, functions and mappings in a new
// profile, numbering each kind from 1 in order of first use.
type rebuilder struct {
	p         *profile.Profile
	locations map[string]*profile.Location
	functions map[profile.Function]*profile.Function
	mappings  map[*profile.Mapping]*profile.Mapping
}

func newRebuilder(p *profile.Profile) *rebuilder {
	return &rebuilder{
		p:         p,
		locations: map[string]*profile.Location{},
		functions: map[profile.Function]*profile.Function{},
		mappings:  map[*profile.Mapping]*profile.Mapping{},
	}
}

// function dedupes by content (name, system name, file, start line), not by
// id, so the same function from two merged profiles becomes one.
func (b *rebuilder) function(f *profile.Function) *profile.Function {
	key := profile.Function{Name: f.Name, SystemName: f.SystemName, Filename: f.Filename, StartLine: f.StartLine}
	if nf, ok := b.functions[key]; ok {
		return nf
	}
	nf := key
	nf.ID = uint64(len(b.p.Function) + 1)
	b.p.Function = append(b.p.Function, &nf)
	b.functions[key] = &nf
	return &nf
}

func (b *rebuilder) mapping(m *profile.Mapping) *profile.Mapping {
	if m == nil {
		return nil
	}
	if nm, ok := b.mappings[m]; ok {
		return nm
	}
	nm := *m
	nm.ID = uint64(len(b.p.Mapping) + 1)
	b.p.Mapping = append(b.p.Mapping, &nm)
	b.mappings[m] = &nm
	return &nm
}

// location dedupes by mapping and lines. The address is kept only for
// unsymbolized locations (no lines), where it is all that tells them apart.
func (b *rebuilder) location(m *profile.Mapping, addr uint64, lines []profile.Line) *profile.Location {
	nm := b.mapping(m)
	newLines := make([]profile.Line, len(lines))
	var key strings.Builder
	if nm != nil {
		fmt.Fprintf(&key, "m%d", nm.ID)
	}
	if len(lines) > 0 {
		addr = 0
	}
	fmt.Fprintf(&key, "@%x", addr)
	for i, ln := range lines {
		nf := b.function(ln.Function)
		newLines[i] = profile.Line{Function: nf, Line: ln.Line, Column: ln.Column}
		fmt.Fprintf(&key, "|%d:%d:%d", nf.ID, ln.Line, ln.Column)
	}
	if l, ok := b.locations[key.String()]; ok {
		return l
	}
	l := &profile.Location{ID: uint64(len(b.p.Location) + 1), Mapping: nm, Address: addr, Line: newLines}
	b.p.Location = append(b.p.Location, l)
	b.locations[key.String()] = l
	return l
}

func copyValueType(v *profile.ValueType) *profile.ValueType {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}
