package geo

import (
	"errors"
	"math"
)

// AppendPolyline appends pts in the encoded polyline format (five decimal
// places, deltas, zig-zag, 5-bit groups) to dst.
func AppendPolyline(dst []byte, pts []Point) []byte {
	var prevLat, prevLon int64
	for _, p := range pts {
		lat := int64(math.Round(p.Lat * 1e5))
		lon := int64(math.Round(p.Lon * 1e5))
		dst = appendSigned(dst, lat-prevLat)
		dst = appendSigned(dst, lon-prevLon)
		prevLat, prevLon = lat, lon
	}
	return dst
}

func appendSigned(dst []byte, v int64) []byte {
	u := uint64(v) << 1
	if v < 0 {
		u = ^u
	}
	return appendUnsigned(dst, u)
}

func appendUnsigned(dst []byte, u uint64) []byte {
	for u >= 0x20 {
		dst = append(dst, byte(0x20|u&0x1f)+63)
		u >>= 5
	}
	return append(dst, byte(u)+63)
}

var errPolyline = errors.New("geo: malformed polyline")

// DecodePolyline is the inverse of AppendPolyline.
func DecodePolyline(s string) ([]Point, error) {
	var pts []Point
	var lat, lon int64
	i := 0
	next := func() (int64, error) {
		var u uint64
		var shift uint
		for {
			if i >= len(s) {
				return 0, errPolyline
			}
			b := uint64(s[i]) - 63
			i++
			u |= (b & 0x1f) << shift
			shift += 5
			if b < 0x20 {
				break
			}
		}
		v := int64(u >> 1)
		if u&1 != 0 {
			v = ^v
		}
		return v, nil
	}
	for i < len(s) {
		dLat, err := next()
		if err != nil {
			return nil, err
		}
		dLon, err := next()
		if err != nil {
			return nil, err
		}
		lat += dLat
		lon += dLon
		pts = append(pts, Point{Lat: float64(lat) / 1e5, Lon: float64(lon) / 1e5})
	}
	return pts, nil
}
