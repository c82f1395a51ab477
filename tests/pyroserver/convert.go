package main

import (
	"bytes"
	"math/rand/v2"

	"github.com/google/pprof/profile"
	googlev1 "github.com/grafana/pyroscope/api/gen/proto/go/google/v1"
	"google.golang.org/protobuf/proto"
)

// toProto converts a pprof profile to the api module's google.v1.Profile
// (the same wire format): the query API answers with that type, while all
// profile arithmetic is done with google/pprof.
func toProto(p *profile.Profile) (*googlev1.Profile, error) {
	var buf bytes.Buffer
	if err := p.WriteUncompressed(&buf); err != nil {
		return nil, err
	}
	out := &googlev1.Profile{}
	if err := proto.Unmarshal(buf.Bytes(), out); err != nil {
		return nil, err
	}
	return out, nil
}

// emptyProfile keeps the header (sample and period types) but drops every
// sample and everything only samples refer to.
func emptyProfile(p *googlev1.Profile) {
	p.Sample, p.Location, p.Function, p.Mapping = nil, nil, nil, nil
}

// stripStartLines zeroes every function's start_line, as eBPF collectors'
// profiles have it: `go build -pgo` rejects such a profile.
func stripStartLines(p *googlev1.Profile) {
	for _, f := range p.Function {
		f.StartLine = 0
	}
}

// shuffleProfile permutes the sample, location, function and mapping lists
// and the string table (index 0 must stay ""), rewriting every string
// reference, so the profile holds the same data in a different order. With
// renumber the location, function and mapping ids are permuted too.
func shuffleProfile(p *googlev1.Profile, rng *rand.Rand, renumber bool) {
	shuffle(rng, p.Sample)
	shuffle(rng, p.Location)
	shuffle(rng, p.Function)
	shuffle(rng, p.Mapping)

	if n := len(p.StringTable); n > 2 {
		perm := rng.Perm(n - 1) // new position of old index i+1 is perm[i]+1
		newIdx := make([]int64, n)
		table := make([]string, n)
		for i, s := range p.StringTable[1:] {
			newIdx[i+1] = int64(perm[i] + 1)
			table[perm[i]+1] = s
		}
		p.StringTable = table
		remapStrings(p, func(i int64) int64 { return newIdx[i] })
	}

	if renumber {
		locIDs := permuteIDs(rng, len(p.Location))
		fnIDs := permuteIDs(rng, len(p.Function))
		mapIDs := permuteIDs(rng, len(p.Mapping))
		locMap, fnMap, mapMap := map[uint64]uint64{}, map[uint64]uint64{}, map[uint64]uint64{}
		for i, m := range p.Mapping {
			mapMap[m.Id], m.Id = mapIDs[i], mapIDs[i]
		}
		for i, f := range p.Function {
			fnMap[f.Id], f.Id = fnIDs[i], fnIDs[i]
		}
		for i, l := range p.Location {
			locMap[l.Id], l.Id = locIDs[i], locIDs[i]
			if l.MappingId != 0 {
				l.MappingId = mapMap[l.MappingId]
			}
			for _, ln := range l.Line {
				ln.FunctionId = fnMap[ln.FunctionId]
			}
		}
		for _, s := range p.Sample {
			for i, id := range s.LocationId {
				s.LocationId[i] = locMap[id]
			}
		}
	}
}

func shuffle[T any](rng *rand.Rand, xs []T) {
	rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
}

// permuteIDs returns 1..n in random order.
func permuteIDs(rng *rand.Rand, n int) []uint64 {
	ids := make([]uint64, n)
	for i, v := range rng.Perm(n) {
		ids[i] = uint64(v + 1)
	}
	return ids
}

// remapStrings rewrites every string-table reference in the profile.
func remapStrings(p *googlev1.Profile, f func(int64) int64) {
	vt := func(v *googlev1.ValueType) {
		if v != nil {
			v.Type, v.Unit = f(v.Type), f(v.Unit)
		}
	}
	for _, st := range p.SampleType {
		vt(st)
	}
	vt(p.PeriodType)
	for _, s := range p.Sample {
		for _, l := range s.Label {
			l.Key, l.Str, l.NumUnit = f(l.Key), f(l.Str), f(l.NumUnit)
		}
	}
	for _, m := range p.Mapping {
		m.Filename, m.BuildId = f(m.Filename), f(m.BuildId)
	}
	for _, fn := range p.Function {
		fn.Name, fn.SystemName, fn.Filename = f(fn.Name), f(fn.SystemName), f(fn.Filename)
	}
	p.DropFrames, p.KeepFrames = f(p.DropFrames), f(p.KeepFrames)
	for i, c := range p.Comment {
		p.Comment[i] = f(c)
	}
	p.DefaultSampleType = f(p.DefaultSampleType)
}
