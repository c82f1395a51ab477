package geo

const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"

// GeohashBits interleaves bits of longitude and latitude by bisection, the
// way a geohash is defined, and returns the first n bits (n <= 64).
func GeohashBits(p Point, n int) uint64 {
	latLo, latHi := -90.0, 90.0
	lonLo, lonHi := -180.0, 180.0
	var h uint64
	for i := 0; i < n; i++ {
		h <<= 1
		if i%2 == 0 {
			mid := (lonLo + lonHi) / 2
			if p.Lon >= mid {
				h |= 1
				lonLo = mid
			} else {
				lonHi = mid
			}
		} else {
			mid := (latLo + latHi) / 2
			if p.Lat >= mid {
				h |= 1
				latLo = mid
			} else {
				latHi = mid
			}
		}
	}
	return h
}

// AppendGeohash appends the base32 geohash of p with the given number of
// characters (1..12) to dst.
func AppendGeohash(dst []byte, p Point, chars int) []byte {
	bits := GeohashBits(p, chars*5)
	for i := chars - 1; i >= 0; i-- {
		dst = append(dst, base32[(bits>>(uint(i)*5))&31])
	}
	return dst
}

// Geohash returns the base32 geohash of p with the given number of characters.
func Geohash(p Point, chars int) string {
	var buf [12]byte
	return string(AppendGeohash(buf[:0], p, chars))
}

// DecodeGeohash returns the center of the cell named by a geohash.
func DecodeGeohash(s string) (Point, bool) {
	latLo, latHi := -90.0, 90.0
	lonLo, lonHi := -180.0, 180.0
	even := true
	for i := 0; i < len(s); i++ {
		v := -1
		for j := 0; j < len(base32); j++ {
			if base32[j] == s[i] {
				v = j
				break
			}
		}
		if v < 0 {
			return Point{}, false
		}
		for b := 4; b >= 0; b-- {
			bit := v>>uint(b)&1 == 1
			if even {
				mid := (lonLo + lonHi) / 2
				if bit {
					lonLo = mid
				} else {
					lonHi = mid
				}
			} else {
				mid := (latLo + latHi) / 2
				if bit {
					latLo = mid
				} else {
					latHi = mid
				}
			}
			even = !even
		}
	}
	return Point{Lat: (latLo + latHi) / 2, Lon: (lonLo + lonHi) / 2}, true
}
