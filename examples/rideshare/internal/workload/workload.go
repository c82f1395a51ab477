// Package workload generates the deterministic mix of requests that the load
// generator sends and the benchmark replays: the same seed gives the same
// requests in the same order.
package workload

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"example.com/rideshare/internal/city"
	"example.com/rideshare/internal/geo"
	"example.com/rideshare/internal/pricing"
)

// Kind is a request kind.
type Kind uint8

// The request kinds, in the order of Mix.
const (
	Quote Kind = iota
	Match
	Locations
	Trip
	NumKinds
)

var kindNames = [NumKinds]string{"quote", "match", "locations", "trip"}

// String returns the kind's name.
func (k Kind) String() string { return kindNames[k] }

// Mix is the share of each kind in percent.
var Mix = [NumKinds]int{Quote: 20, Match: 15, Locations: 50, Trip: 15}

// Request is one HTTP request of the workload.
type Request struct {
	Kind   Kind
	Method string
	Path   string
	Body   []byte
}

// Generator produces requests.
type Generator struct {
	rng     *rand.Rand
	drivers int
	trips   int
	ts      int64
	buf     []byte
}

// New returns a generator for a world of city.Drivers drivers and
// city.Trips trips.
func New(seed uint64) *Generator {
	return &Generator{
		rng:     rand.New(rand.NewPCG(seed, 0x10ad)),
		drivers: city.Drivers,
		trips:   city.Trips,
		ts:      1735689600 + int64(seed%86400),
	}
}

// Batch returns n requests.
func Batch(seed uint64, n int) []Request {
	g := New(seed)
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i] = g.Next()
	}
	return reqs
}

// Next returns the next request.
func (g *Generator) Next() Request {
	g.ts += 1 + g.rng.Int64N(20)
	u := g.rng.IntN(100)
	k := Kind(0)
	for ; k < NumKinds-1; k++ {
		if u < Mix[k] {
			break
		}
		u -= Mix[k]
	}
	switch k {
	case Quote:
		return Request{Kind: Quote, Method: "POST", Path: "/v1/quote", Body: g.quote()}
	case Match:
		return Request{Kind: Match, Method: "POST", Path: "/v1/match", Body: g.match()}
	case Locations:
		return Request{Kind: Locations, Method: "POST", Path: "/v1/drivers/locations", Body: g.locations()}
	}
	return Request{Kind: Trip, Method: "GET", Path: fmt.Sprintf("/v1/trips/t-%06d", g.rng.IntN(g.trips))}
}

func (g *Generator) class() pricing.Class {
	switch u := g.rng.IntN(100); {
	case u < 70:
		return pricing.Standard
	case u < 82:
		return pricing.XL
	case u < 94:
		return pricing.Pool
	}
	return pricing.Lux
}

func appendPoint(b []byte, p geo.Point) []byte {
	b = append(b, `{"lat":`...)
	b = strconv.AppendFloat(b, p.Lat, 'f', 6, 64)
	b = append(b, `,"lon":`...)
	b = strconv.AppendFloat(b, p.Lon, 'f', 6, 64)
	return append(b, '}')
}

func (g *Generator) rider(b []byte) []byte {
	return fmt.Appendf(b, `"rider":"r-%06d"`, g.rng.IntN(1000000))
}

func (g *Generator) quote() []byte {
	b := append(g.buf[:0], '{')
	b = g.rider(b)
	b = append(b, `,"pickup":`...)
	b = appendPoint(b, city.RandomPoint(g.rng))
	b = append(b, `,"dropoff":`...)
	b = appendPoint(b, city.RandomPoint(g.rng))
	if g.rng.IntN(100) < 25 {
		b = append(b, `,"classes":["standard","xl","pool"]`...)
	} else {
		b = fmt.Appendf(b, `,"class":%q`, g.class().String())
	}
	b = fmt.Appendf(b, `,"riders":%d,"ts":%d`, 1+g.rng.IntN(3), g.ts)
	if g.rng.IntN(100) < 10 {
		b = append(b, `,"promo":"WELCOME10"`...)
	}
	if g.rng.IntN(100) < 60 {
		b = append(b, `,"route":true`...)
	}
	b = append(b, '}')
	g.buf = b
	return append([]byte(nil), b...)
}

func (g *Generator) match() []byte {
	b := append(g.buf[:0], '{')
	b = g.rider(b)
	b = append(b, `,"pickup":`...)
	b = appendPoint(b, city.RandomPoint(g.rng))
	b = fmt.Appendf(b, `,"class":%q,"radius_m":%d,"limit":%d,"heading":%d}`,
		g.class().String(), 800+100*g.rng.IntN(18), 3+g.rng.IntN(8), g.rng.IntN(360))
	g.buf = b
	return append([]byte(nil), b...)
}

func (g *Generator) locations() []byte {
	n := 1 + g.rng.IntN(16)
	b := append(g.buf[:0], `{"updates":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		p := city.RandomPoint(g.rng)
		b = fmt.Appendf(b, `{"driver":"d-%05d","lat":`, g.rng.IntN(g.drivers))
		b = strconv.AppendFloat(b, p.Lat, 'f', 6, 64)
		b = append(b, `,"lon":`...)
		b = strconv.AppendFloat(b, p.Lon, 'f', 6, 64)
		b = fmt.Appendf(b, `,"heading":%d,"speed":%.1f,"available":%t}`,
			g.rng.IntN(360), g.rng.Float64()*16, g.rng.IntN(100) < 80)
	}
	b = append(b, "]}"...)
	g.buf = b
	return append([]byte(nil), b...)
}
