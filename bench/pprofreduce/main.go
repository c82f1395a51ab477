// Command pprofreduce is bench/fetch.sh's reference point: the go-pgo
// reduction of one profile done the way a Go program would do
// it, with github.com/google/pprof/profile.
//
//	pprofreduce IN OUT [KEEP]
//
// Parse IN (gzipped or not); for every sample keep the first KEEP (5)
// locations, set the leaf location's first line to 0, drop labels and keep
// one value (cpu/nanoseconds, else samples/count); merge equal locations and
// stacks; write OUT gzipped.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/google/pprof/profile"
)

func valueIndex(p *profile.Profile) int {
	for _, want := range [][2]string{{"cpu", "nanoseconds"}, {"samples", "count"}} {
		for i, st := range p.SampleType {
			if st.Type == want[0] && st.Unit == want[1] {
				return i
			}
		}
	}
	return -1
}

// leafCopy gives the leaf location with its first line at 0, one copy per
// original: locations are shared, and only their leaf use changes.
func leafCopy(p *profile.Profile, copies map[*profile.Location]*profile.Location, l *profile.Location) *profile.Location {
	if c, ok := copies[l]; ok {
		return c
	}
	c := *l
	c.ID = uint64(len(p.Location) + 1)
	c.Line = append([]profile.Line(nil), l.Line...)
	if len(c.Line) > 0 {
		c.Line[0].Line = 0
	}
	p.Location = append(p.Location, &c)
	copies[l] = &c
	return &c
}

func reduce(p *profile.Profile, keep int) (*profile.Profile, error) {
	vi := valueIndex(p)
	if vi < 0 {
		return nil, fmt.Errorf("no cpu/nanoseconds or samples/count sample type")
	}
	copies := map[*profile.Location]*profile.Location{}
	for _, s := range p.Sample {
		if len(s.Location) > keep {
			s.Location = s.Location[:keep]
		}
		if len(s.Location) > 0 {
			s.Location[0] = leafCopy(p, copies, s.Location[0])
		}
		s.Label, s.NumLabel, s.NumUnit = nil, nil, nil
		s.Value = []int64{s.Value[vi]}
	}
	p.SampleType = []*profile.ValueType{p.SampleType[vi]}
	// Without addresses, locations with the same lines are equal to Merge.
	for _, l := range p.Location {
		l.Address = 0
	}
	return profile.Merge([]*profile.Profile{p})
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: pprofreduce IN OUT [KEEP]")
		os.Exit(2)
	}
	keep := 5
	if len(os.Args) > 3 {
		keep, _ = strconv.Atoi(os.Args[3])
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p, err := profile.ParseData(data)
	data = nil
	if err == nil {
		p, err = reduce(p, keep)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f, err := os.Create(os.Args[2])
	if err == nil {
		err = p.Write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
