// Package routing plans drivable routes and estimates their duration.
//
// The road network is modelled as a grid: a route runs along the meridian
// first and then along the parallel, one block at a time, and the travel time
// of each block depends on the traffic in its cell at that hour.
package routing

import (
	"math"

	"example.com/rideshare/internal/geo"
)

// SpeedModel gives the expected driving speed in m/s at a point and hour.
type SpeedModel interface {
	SpeedAt(p geo.Point, hour int) float64
}

// TrafficTable is a SpeedModel backed by per-cell free-flow speeds and an
// hourly congestion curve.
type TrafficTable struct {
	Level   uint8
	Cells   map[uint64]float64
	Hourly  [24]float64
	Default float64
}

// SpeedAt implements SpeedModel.
func (t *TrafficTable) SpeedAt(p geo.Point, hour int) float64 {
	v, ok := t.Cells[geo.CellOf(p, t.Level).Key()]
	if !ok {
		v = t.Default
	}
	return v * t.Hourly[hour%24]
}

// Route is a planned route.
type Route struct {
	Points  []geo.Point
	Meters  float64
	Seconds float64
	Turns   int
}

// Planner plans routes.
type Planner struct {
	Metric    geo.Metric
	Speeds    SpeedModel
	Block     float64 // length of a block in meters
	MaxPoints int
	TurnCost  float64 // seconds lost per turn
}

// Plan returns the route from a to b starting at the given hour, appending
// its points to buf (which may be nil).
func (pl *Planner) Plan(a, b geo.Point, hour int, buf []geo.Point) Route {
	corner := geo.Point{Lat: b.Lat, Lon: a.Lon}
	legA := pl.Metric.Distance(a, corner)
	legB := pl.Metric.Distance(corner, b)
	block := pl.Block
	if max := float64(pl.MaxPoints - 2); (legA+legB)/block > max {
		block = (legA + legB) / max
	}
	r := Route{Points: append(buf[:0], a)}
	pl.leg(&r, a, corner, legA, block, hour)
	if legA > 0 && legB > 0 {
		r.Turns++
		r.Seconds += pl.TurnCost
	}
	pl.leg(&r, corner, b, legB, block, hour)
	return r
}

func (pl *Planner) leg(r *Route, from, to geo.Point, length, block float64, hour int) {
	n := int(math.Ceil(length / block))
	if n == 0 {
		return
	}
	d := length / float64(n) // every block of a straight leg is as long
	prev := from
	for i := 1; i <= n; i++ {
		next := geo.Lerp(from, to, float64(i)/float64(n))
		v := pl.Speeds.SpeedAt(geo.Lerp(prev, next, 0.5), hour)
		r.Meters += d
		r.Seconds += d / v
		r.Points = append(r.Points, next)
		prev = next
	}
}
