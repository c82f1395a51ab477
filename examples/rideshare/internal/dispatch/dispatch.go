// Package dispatch keeps the fleet of drivers in a spatial index and finds
// the best drivers for a pickup.
package dispatch

import (
	"math"
	"sync"

	"example.com/rideshare/internal/geo"
	"example.com/rideshare/internal/pricing"
)

// IndexLevel is the cell level of the driver index (about 610 m x 740 m
// cells at the example city's latitude).
const IndexLevel = 15

// Driver is one car of the fleet.
type Driver struct {
	ID        uint32
	Pos       geo.Point
	Heading   float64 // degrees
	Speed     float64 // m/s
	Class     pricing.Class
	Rating    float64
	Available bool
	cell      uint64
}

// Candidate is a driver considered for a pickup.
type Candidate struct {
	Driver  uint32
	Pos     geo.Point
	Meters  float64
	ETA     float64 // seconds
	Score   float64 // lower is better
	Rating  float64
	Heading float64
}

// Query describes a pickup to match.
type Query struct {
	Pickup  geo.Point
	Class   pricing.Class
	Heading float64 // direction of travel, for pools
	Radius  float64 // meters
	Limit   int
}

// Matcher decides which drivers can serve a query and ranks them.
type Matcher interface {
	Eligible(q *Query, d *Driver) bool
	Score(q *Query, c Candidate) float64
}

// NearestMatcher ranks drivers of the requested class by estimated time of
// arrival, with a small bonus for good ratings.
type NearestMatcher struct{}

// Eligible implements Matcher.
func (NearestMatcher) Eligible(q *Query, d *Driver) bool {
	return d.Available && d.Class == q.Class
}

// Score implements Matcher.
func (NearestMatcher) Score(q *Query, c Candidate) float64 {
	return c.ETA - 30*(c.Rating-4.5)
}

// PremiumMatcher serves XL and Lux: only well-rated drivers, ranked by
// rating first and time of arrival second.
type PremiumMatcher struct{ MinRating float64 }

// Eligible implements Matcher.
func (p PremiumMatcher) Eligible(q *Query, d *Driver) bool {
	return d.Available && d.Class == q.Class && d.Rating >= p.MinRating
}

// Score implements Matcher.
func (p PremiumMatcher) Score(q *Query, c Candidate) float64 {
	return c.ETA*0.5 - 120*(c.Rating-p.MinRating)
}

// PoolMatcher prefers drivers already heading the rider's way.
type PoolMatcher struct{}

// Eligible implements Matcher.
func (PoolMatcher) Eligible(q *Query, d *Driver) bool {
	return d.Available && (d.Class == pricing.Pool || d.Class == pricing.Standard)
}

// Score implements Matcher.
func (PoolMatcher) Score(q *Query, c Candidate) float64 {
	return c.ETA + 2*geo.AngleDiff(c.Heading, q.Heading)
}

// MatcherFor returns the matcher used for a class.
func MatcherFor(c pricing.Class) Matcher {
	switch c {
	case pricing.XL, pricing.Lux:
		return PremiumMatcher{MinRating: 4.6}
	case pricing.Pool:
		return PoolMatcher{}
	}
	return NearestMatcher{}
}

// Fleet is the set of drivers with a cell index over their positions.
type Fleet struct {
	mu      sync.RWMutex
	drivers []Driver
	cells   map[uint64][]uint32 // cell key -> driver indexes
	metric  geo.Metric
	detour  float64 // road distance / straight-line distance
	speed   float64 // m/s assumed for a driver's approach
}

// NewFleet returns an empty fleet measuring distances with metric.
func NewFleet(metric geo.Metric) *Fleet {
	return &Fleet{cells: make(map[uint64][]uint32), metric: metric, detour: 1.35, speed: 8}
}

// Add puts a driver into the fleet; the driver's ID must be the next index.
func (f *Fleet) Add(d Driver) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d.ID = uint32(len(f.drivers))
	d.cell = geo.CellOf(d.Pos, IndexLevel).Key()
	f.drivers = append(f.drivers, d)
	f.cells[d.cell] = append(f.cells[d.cell], d.ID)
}

// Len returns the number of drivers.
func (f *Fleet) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.drivers)
}

// Driver returns a copy of a driver.
func (f *Fleet) Driver(id uint32) (Driver, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if int(id) >= len(f.drivers) {
		return Driver{}, false
	}
	return f.drivers[id], true
}

// Update is a driver's position report.
type Update struct {
	Driver    uint32
	Pos       geo.Point
	Heading   float64
	Speed     float64
	Available bool
}

// Apply applies position reports and returns how many were accepted.
func (f *Fleet) Apply(ups []Update) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for i := range ups {
		if f.apply(&ups[i]) {
			n++
		}
	}
	return n
}

func (f *Fleet) apply(u *Update) bool {
	if int(u.Driver) >= len(f.drivers) || !u.Pos.Valid() {
		return false
	}
	d := &f.drivers[u.Driver]
	cell := geo.CellOf(u.Pos, IndexLevel).Key()
	if cell != d.cell {
		f.removeFromCell(d.cell, d.ID)
		f.cells[cell] = append(f.cells[cell], d.ID)
		d.cell = cell
	}
	d.Pos = u.Pos
	d.Heading = u.Heading
	d.Speed = u.Speed
	d.Available = u.Available
	return true
}

func (f *Fleet) removeFromCell(cell uint64, id uint32) {
	ids := f.cells[cell]
	for i, x := range ids {
		if x == id {
			ids[i] = ids[len(ids)-1]
			ids = ids[:len(ids)-1]
			break
		}
	}
	if len(ids) == 0 {
		delete(f.cells, cell)
		return
	}
	f.cells[cell] = ids
}

// Match returns up to q.Limit candidates for the query, best first,
// appending to dst, and the number of drivers considered.
//
// The search visits the cells around the pickup ring by ring and stops after
// the first ring that leaves it with enough eligible drivers in range (four
// times the limit), or at the query's radius. The best q.Limit are kept in
// order as they are found.
func (f *Fleet) Match(q *Query, m Matcher, dst []Candidate) ([]Candidate, int) {
	center := geo.CellOf(q.Pickup, IndexLevel)
	h, w := geo.SizeMeters(IndexLevel, q.Pickup.Lat)
	rings := int(math.Ceil(q.Radius / math.Min(h, w)))
	limit := q.Limit
	if limit <= 0 {
		limit = 1
	}
	need := 4 * limit
	if need < 16 {
		need = 16
	}
	s := scan{f: f, q: q, m: m, top: dst[:0], limit: limit}
	f.mu.RLock()
	for k := 0; k <= rings && s.found < need; k++ {
		if k == 0 {
			s.cell(center)
			continue
		}
		for dc := -k; dc <= k; dc++ {
			s.cell(center.Neighbor(-k, dc))
			s.cell(center.Neighbor(k, dc))
		}
		for dr := -k + 1; dr < k; dr++ {
			s.cell(center.Neighbor(dr, -k))
			s.cell(center.Neighbor(dr, k))
		}
	}
	f.mu.RUnlock()
	return s.top, s.considered
}

// scan collects the candidates of one Match.
type scan struct {
	f          *Fleet
	q          *Query
	m          Matcher
	top        []Candidate // best first, at most limit
	limit      int
	found      int
	considered int
}

// cell considers the drivers of one index cell.
func (s *scan) cell(c geo.Cell) {
	for _, id := range s.f.cells[c.Key()] {
		d := &s.f.drivers[id]
		s.considered++
		if !s.m.Eligible(s.q, d) {
			continue
		}
		meters := s.f.metric.Distance(s.q.Pickup, d.Pos)
		if meters > s.q.Radius {
			continue
		}
		s.found++
		c := Candidate{
			Driver:  d.ID,
			Pos:     d.Pos,
			Meters:  meters,
			ETA:     s.f.eta(meters, d.Speed),
			Rating:  d.Rating,
			Heading: d.Heading,
		}
		c.Score = s.m.Score(s.q, c)
		s.offer(&c)
	}
}

// offer inserts c into the ranked list if it is among the best so far.
func (s *scan) offer(c *Candidate) {
	n := len(s.top)
	if n == s.limit {
		if !better(c, &s.top[n-1]) {
			return
		}
		n--
	} else {
		s.top = append(s.top, Candidate{})
	}
	i := n
	for i > 0 && better(c, &s.top[i-1]) {
		s.top[i] = s.top[i-1]
		i--
	}
	s.top[i] = *c
}

// better orders candidates by score, then by driver for a stable order among
// equals.
func better(a, b *Candidate) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	return a.Driver < b.Driver
}

func (f *Fleet) eta(meters, speed float64) float64 {
	v := f.speed
	if speed > 2 && speed < v {
		v = (v + speed) / 2
	}
	return math.Round(meters*f.detour/v + 20)
}
