package api

// Identifiers on the wire are a letter, a dash and a zero-padded decimal
// number: "d-00042" (driver), "r-000123" (rider), "t-000007" (trip).

// parseID parses an identifier with the given prefix letter.
func parseID(b []byte, prefix byte) (uint64, bool) {
	if len(b) < 3 || b[0] != prefix || b[1] != '-' || len(b) > 22 {
		return 0, false
	}
	var v uint64
	for _, c := range b[2:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// appendID appends an identifier, padding the number to width digits.
func appendID(dst []byte, prefix byte, v uint64, width int) []byte {
	var tmp [24]byte
	i := len(tmp)
	for v > 0 || len(tmp)-i < width {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	dst = append(dst, prefix, '-')
	return append(dst, tmp[i:]...)
}

const hexDigits = "0123456789abcdef"

func appendHex64(dst []byte, v uint64) []byte {
	for s := 60; s >= 0; s -= 4 {
		dst = append(dst, hexDigits[(v>>uint(s))&0xf])
	}
	return dst
}
