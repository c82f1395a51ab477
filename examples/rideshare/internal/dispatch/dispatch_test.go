package dispatch

import (
	"math/rand/v2"
	"sort"
	"testing"

	"example.com/rideshare/internal/geo"
	"example.com/rideshare/internal/pricing"
)

// TestMatchExhaustive compares Match with a brute-force search where the
// ring search cannot stop early.
func TestMatchExhaustive(t *testing.T) {
	center := geo.Point{Lat: 52.52, Lon: 13.405}
	r := rand.New(rand.NewPCG(7, 7))
	f := NewFleet(geo.Equirectangular{})
	for i := 0; i < 3000; i++ {
		f.Add(Driver{
			Pos:       geo.Offset(center, r.NormFloat64()*800, r.NormFloat64()*800),
			Class:     pricing.Class(r.IntN(int(pricing.NumClasses))),
			Rating:    4 + r.Float64(),
			Speed:     r.Float64() * 10,
			Heading:   r.Float64() * 360,
			Available: r.IntN(10) < 8,
		})
	}
	for _, class := range []pricing.Class{pricing.Standard, pricing.XL, pricing.Pool} {
		q := &Query{Pickup: geo.Offset(center, 100, -50), Class: class, Radius: 300, Limit: 50, Heading: 45}
		m := MatcherFor(class)
		got, considered := f.Match(q, m, nil)

		var want []Candidate
		for i := 0; i < f.Len(); i++ {
			d, _ := f.Driver(uint32(i))
			meters := f.metric.Distance(q.Pickup, d.Pos)
			if !m.Eligible(q, &d) || meters > q.Radius {
				continue
			}
			c := Candidate{Driver: d.ID, Pos: d.Pos, Meters: meters, ETA: f.eta(meters, d.Speed), Rating: d.Rating, Heading: d.Heading}
			c.Score = m.Score(q, c)
			want = append(want, c)
		}
		sort.Slice(want, func(i, j int) bool { return better(&want[i], &want[j]) })
		if len(want) > q.Limit {
			want = want[:q.Limit]
		}
		if len(got) != len(want) || considered < len(want) || len(want) == 0 {
			t.Fatalf("%s: %d candidates (considered %d), want %d", class, len(got), considered, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: candidate %d = %+v, want %+v", class, i, got[i], want[i])
			}
		}
	}
}

func TestApply(t *testing.T) {
	f := NewFleet(geo.Haversine{})
	p := geo.Point{Lat: 52.52, Lon: 13.405}
	f.Add(Driver{Pos: p, Available: true})
	f.Add(Driver{Pos: p, Available: true})
	far := geo.Offset(p, 5000, 5000)
	n := f.Apply([]Update{{Driver: 1, Pos: far, Available: true}, {Driver: 9, Pos: far}, {Driver: 0, Pos: geo.Point{Lat: 100}}})
	if n != 1 {
		t.Fatalf("accepted %d", n)
	}
	got, _ := f.Match(&Query{Pickup: far, Radius: 100, Limit: 5}, NearestMatcher{}, nil)
	if len(got) != 1 || got[0].Driver != 1 {
		t.Errorf("after the move: %+v", got)
	}
	got, _ = f.Match(&Query{Pickup: p, Radius: 100, Limit: 5}, NearestMatcher{}, nil)
	if len(got) != 1 || got[0].Driver != 0 {
		t.Errorf("at the old place: %+v", got)
	}
}
