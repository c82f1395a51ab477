// Package city describes the made-up city the example serves: where demand
// concentrates, how fast traffic moves where, and where surge pricing holds.
// The service and the load generator both draw from it, so the load matches
// the data the service was seeded with.
package city

import (
	"math"
	"math/rand/v2"

	"example.com/rideshare/internal/geo"
)

// The size of the example's world: the service seeds this many drivers and
// past trips, and the load generator addresses them by index.
const (
	Drivers = 6000
	Trips   = 2000
)

// Center is the middle of the service area.
var Center = geo.Point{Lat: 52.5200, Lon: 13.4050}

// Radius is the radius of the service area in meters.
const Radius = 14000.0

// Hotspot is a place where rides start and end more often than elsewhere.
type Hotspot struct {
	Name   string
	At     geo.Point
	Spread float64 // standard deviation in meters
	Weight float64
}

// Hotspots of the city. Their weights add up to 0.7; the remaining 0.3 of
// the points are spread uniformly over the service area.
var Hotspots = []Hotspot{
	{"central-station", geo.Offset(Center, 600, -900), 500, 0.16},
	{"old-town", geo.Offset(Center, -300, 400), 700, 0.14},
	{"airport", geo.Offset(Center, 6500, -8200), 400, 0.10},
	{"fairground", geo.Offset(Center, -1500, -7000), 600, 0.07},
	{"university", geo.Offset(Center, 2500, 1800), 800, 0.08},
	{"harbour", geo.Offset(Center, -4200, 5200), 900, 0.06},
	{"stadium", geo.Offset(Center, 4800, 6000), 500, 0.05},
	{"business-park", geo.Offset(Center, -6000, -2500), 900, 0.04},
}

// RandomPoint draws a point from the city's demand distribution.
func RandomPoint(r *rand.Rand) geo.Point {
	u := r.Float64()
	for _, h := range Hotspots {
		if u < h.Weight {
			return geo.Offset(h.At, r.NormFloat64()*h.Spread, r.NormFloat64()*h.Spread)
		}
		u -= h.Weight
	}
	return UniformPoint(r)
}

// UniformPoint draws a point uniformly from the service area.
func UniformPoint(r *rand.Rand) geo.Point {
	d := Radius * math.Sqrt(r.Float64())
	a := r.Float64() * 2 * math.Pi
	return geo.Offset(Center, d*math.Cos(a), d*math.Sin(a))
}

// TrafficLevel is the cell level the traffic table is kept at (about
// 300 m x 370 m cells at this latitude).
const TrafficLevel = 16

// BaseSpeed returns the free-flow speed in m/s of the traffic cell around p:
// slow in the center and near hotspots, fast on the outskirts.
func BaseSpeed(p geo.Point) float64 {
	d := geo.HaversineDistance(Center, p)
	v := 6 + 10*math.Min(d/Radius, 1) // 6..16 m/s
	for _, h := range Hotspots {
		if geo.HaversineDistance(h.At, p) < 2*h.Spread {
			v *= 0.8
		}
	}
	return v
}

// HourlyCongestion scales speeds by hour of day (local time).
var HourlyCongestion = [24]float64{
	1.15, 1.2, 1.2, 1.2, 1.15, 1.05, 0.9, 0.7, 0.6, 0.7, 0.85, 0.85,
	0.8, 0.85, 0.85, 0.8, 0.7, 0.6, 0.65, 0.8, 0.9, 1.0, 1.05, 1.1,
}

// HourlySurge is the city-wide demand factor by hour of day.
var HourlySurge = [24]float64{
	1.3, 1.4, 1.3, 1.0, 1.0, 1.0, 1.0, 1.2, 1.3, 1.1, 1.0, 1.0,
	1.0, 1.0, 1.0, 1.0, 1.1, 1.3, 1.3, 1.1, 1.0, 1.1, 1.2, 1.3,
}

// UTCOffset is the city's offset from UTC in seconds.
const UTCOffset = 3600

// Hour returns the local hour of day of a Unix time.
func Hour(unix int64) int {
	h := ((unix + UTCOffset) / 3600) % 24
	if h < 0 {
		h += 24
	}
	return int(h)
}
