package pricing

import (
	"math"

	"example.com/rideshare/internal/geo"
)

// Area is a region of the map.
type Area interface {
	Contains(p geo.Point) bool
}

// bounds is a latitude/longitude box, the cheap first test of an area.
type bounds struct {
	minLat, minLon, maxLat, maxLon float64
}

func (b *bounds) contains(p geo.Point) bool {
	return p.Lat >= b.minLat && p.Lat <= b.maxLat && p.Lon >= b.minLon && p.Lon <= b.maxLon
}

// Polygon is a simple polygon (the last vertex connects to the first).
type Polygon struct {
	box bounds
	pts []geo.Point
}

// NewPolygon returns the polygon with the given vertices.
func NewPolygon(pts []geo.Point) *Polygon {
	pg := &Polygon{pts: pts, box: bounds{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}}
	for _, p := range pts {
		pg.box.minLat = math.Min(pg.box.minLat, p.Lat)
		pg.box.maxLat = math.Max(pg.box.maxLat, p.Lat)
		pg.box.minLon = math.Min(pg.box.minLon, p.Lon)
		pg.box.maxLon = math.Max(pg.box.maxLon, p.Lon)
	}
	return pg
}

// Contains implements Area by ray casting.
func (pg *Polygon) Contains(p geo.Point) bool {
	if !pg.box.contains(p) {
		return false
	}
	in := false
	j := len(pg.pts) - 1
	for i := range pg.pts {
		a, b := pg.pts[i], pg.pts[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) &&
			p.Lon < (b.Lon-a.Lon)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
			in = !in
		}
		j = i
	}
	return in
}

// RegularPolygon approximates a circle of the given radius with n vertices.
func RegularPolygon(center geo.Point, radius float64, n int) *Polygon {
	pts := make([]geo.Point, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts[i] = geo.Offset(center, radius*math.Cos(a), radius*math.Sin(a))
	}
	return NewPolygon(pts)
}

// Rectangle returns the polygon of a box of the given size around center,
// in meters.
func Rectangle(center geo.Point, height, width float64) *Polygon {
	return NewPolygon([]geo.Point{
		geo.Offset(center, -height/2, -width/2),
		geo.Offset(center, -height/2, width/2),
		geo.Offset(center, height/2, width/2),
		geo.Offset(center, height/2, -width/2),
	})
}

// Circle is a disc.
type Circle struct {
	box    bounds
	center geo.Point
	radius float64
}

// NewCircle returns the disc of the given radius in meters.
func NewCircle(center geo.Point, radius float64) *Circle {
	lo := geo.Offset(center, -radius, -radius)
	hi := geo.Offset(center, radius, radius)
	return &Circle{box: bounds{lo.Lat, lo.Lon, hi.Lat, hi.Lon}, center: center, radius: radius}
}

// Contains implements Area.
func (c *Circle) Contains(p geo.Point) bool {
	return c.box.contains(p) && geo.HaversineDistance(c.center, p) <= c.radius
}

// Zone is an area whose crossing costs a fixed fee: a toll road or bridge,
// a congestion charge, an airport access fee.
type Zone struct {
	Name string
	Area Area
	Fee  int64 // cents
}

// Surcharges are the zones of a city.
type Surcharges struct {
	Zones []Zone
}

// Charge is one zone fee a route incurs.
type Charge struct {
	Zone *Zone
	Fee  int64
}

// Route returns the fees of the zones the route enters, each zone charged
// once, in the order of the zones, appended to dst.
func (s *Surcharges) Route(route []geo.Point, dst []Charge) []Charge {
	var hit uint64
	for _, p := range route {
		for i := range s.Zones {
			if hit&(1<<uint(i)) == 0 && s.Zones[i].Area.Contains(p) {
				hit |= 1 << uint(i)
			}
		}
	}
	for i := range s.Zones {
		if hit&(1<<uint(i)) != 0 {
			dst = append(dst, Charge{Zone: &s.Zones[i], Fee: s.Zones[i].Fee})
		}
	}
	return dst
}
