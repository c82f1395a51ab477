// Package geo holds the geometry the service runs on: points, great-circle
// distances, bearings, geohashes, grid cells and polyline encoding.
package geo

import "math"

// EarthRadius is the mean radius of the Earth in meters.
const EarthRadius = 6371008.8

const degToRad = math.Pi / 180

// Point is a WGS84 coordinate in degrees.
type Point struct {
	Lat, Lon float64
}

// Valid reports whether p lies within the coordinate ranges.
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180 &&
		!math.IsNaN(p.Lat) && !math.IsNaN(p.Lon)
}

// Metric measures the distance in meters between two points. The service
// normally uses Haversine; Equirectangular is the cheap approximation some
// callers choose for short hops.
type Metric interface {
	Distance(a, b Point) float64
}

// Haversine is the great-circle distance on a spherical Earth.
type Haversine struct{}

// Distance implements Metric.
func (Haversine) Distance(a, b Point) float64 {
	lat1 := a.Lat * degToRad
	lat2 := b.Lat * degToRad
	dLat := lat2 - lat1
	dLon := (b.Lon - a.Lon) * degToRad
	s1 := math.Sin(dLat / 2)
	s2 := math.Sin(dLon / 2)
	h := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadius * math.Asin(math.Sqrt(h))
}

// HaversineDistance returns the great-circle distance between a and b in meters.
func HaversineDistance(a, b Point) float64 {
	lat1 := a.Lat * degToRad
	lat2 := b.Lat * degToRad
	dLat := lat2 - lat1
	dLon := (b.Lon - a.Lon) * degToRad
	s1 := math.Sin(dLat / 2)
	s2 := math.Sin(dLon / 2)
	h := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadius * math.Asin(math.Sqrt(h))
}

// Equirectangular approximates the distance by projecting onto a plane at the
// mean latitude. Good to a fraction of a percent over city distances.
type Equirectangular struct{}

// Distance implements Metric.
func (Equirectangular) Distance(a, b Point) float64 {
	x := (b.Lon - a.Lon) * degToRad * math.Cos((a.Lat+b.Lat)/2*degToRad)
	y := (b.Lat - a.Lat) * degToRad
	return EarthRadius * math.Sqrt(x*x+y*y)
}

// Bearing returns the initial bearing from a to b in degrees, [0, 360).
func Bearing(a, b Point) float64 {
	lat1 := a.Lat * degToRad
	lat2 := b.Lat * degToRad
	dLon := (b.Lon - a.Lon) * degToRad
	y := math.Sin(dLon) * math.Cos(lat2)
	x := math.Cos(lat1)*math.Sin(lat2) - math.Sin(lat1)*math.Cos(lat2)*math.Cos(dLon)
	deg := math.Atan2(y, x) / degToRad
	if deg < 0 {
		deg += 360
	}
	return deg
}

// AngleDiff returns the absolute difference between two bearings, [0, 180].
func AngleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	if d > 180 {
		d = 360 - d
	}
	return d
}

// Offset moves p by north and east meters (small distances only).
func Offset(p Point, north, east float64) Point {
	dLat := north / EarthRadius / degToRad
	dLon := east / (EarthRadius * math.Cos(p.Lat*degToRad)) / degToRad
	return Point{Lat: p.Lat + dLat, Lon: p.Lon + dLon}
}

// Lerp returns the point a fraction f of the way from a to b (linear in
// degrees, which is accurate enough within a city).
func Lerp(a, b Point, f float64) Point {
	return Point{Lat: a.Lat + (b.Lat-a.Lat)*f, Lon: a.Lon + (b.Lon-a.Lon)*f}
}
