package geo

import "math"

// Cell is a square-ish grid cell: the latitude and longitude ranges are each
// divided into 2^Level stripes. Cells are the keys of the dispatch index and
// of the traffic and surge tables.
type Cell struct {
	Row, Col uint32
	Level    uint8
}

// CellOf returns the cell of the given level that contains p.
func CellOf(p Point, level uint8) Cell {
	n := float64(uint64(1) << level)
	row := uint32(math.Floor((p.Lat + 90) / 180 * n))
	col := uint32(math.Floor((p.Lon + 180) / 360 * n))
	max := uint32(n) - 1
	if row > max {
		row = max
	}
	if col > max {
		col = max
	}
	return Cell{Row: row, Col: col, Level: level}
}

// Key packs the cell into a map key.
func (c Cell) Key() uint64 {
	return uint64(c.Level)<<56 | uint64(c.Row)<<28 | uint64(c.Col)
}

// Hash returns the FNV-1a hash of the cell key, used to shard the index.
func (c Cell) Hash() uint64 {
	return FNV64a(c.Key())
}

// Neighbor returns the cell dr rows and dc columns away (wrapping in longitude,
// clamping in latitude).
func (c Cell) Neighbor(dr, dc int) Cell {
	n := int64(1) << c.Level
	r := int64(c.Row) + int64(dr)
	if r < 0 {
		r = 0
	} else if r >= n {
		r = n - 1
	}
	col := (int64(c.Col) + int64(dc)) % n
	if col < 0 {
		col += n
	}
	return Cell{Row: uint32(r), Col: uint32(col), Level: c.Level}
}

// SizeMeters returns the approximate height and width of cells of a level at
// latitude lat.
func SizeMeters(level uint8, lat float64) (height, width float64) {
	n := float64(uint64(1) << level)
	height = math.Pi * EarthRadius / n
	width = 2 * math.Pi * EarthRadius * math.Cos(lat*degToRad) / n
	return height, width
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// FNV64a hashes the eight little-endian bytes of v with FNV-1a.
func FNV64a(v uint64) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < 8; i++ {
		h ^= v & 0xff
		h *= fnvPrime
		v >>= 8
	}
	return h
}

// FNV64aString hashes s with FNV-1a.
func FNV64aString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// FNV64aBytes hashes b with FNV-1a.
func FNV64aBytes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}
