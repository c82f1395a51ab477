package jsonx

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Encoder appends JSON to a byte slice. It tracks where commas go, up to 64
// levels of nesting.
type Encoder struct {
	buf   []byte
	comma uint64 // bit i: a value was written at depth i
	depth uint
}

// Marshaler is implemented by the response types.
type Marshaler interface {
	MarshalJSONTo(e *Encoder)
}

// Reset empties the encoder, keeping its buffer.
func (e *Encoder) Reset() {
	e.buf = e.buf[:0]
	e.comma = 0
	e.depth = 0
}

// Bytes returns the encoded document.
func (e *Encoder) Bytes() []byte { return e.buf }

func (e *Encoder) sep() {
	bit := uint64(1) << e.depth
	if e.comma&bit != 0 {
		e.buf = append(e.buf, ',')
	}
	e.comma |= bit
}

// BeginObject writes '{'.
func (e *Encoder) BeginObject() {
	e.sep()
	e.buf = append(e.buf, '{')
	e.depth++
	e.comma &^= 1 << e.depth
}

// EndObject writes '}'.
func (e *Encoder) EndObject() {
	e.depth--
	e.buf = append(e.buf, '}')
}

// BeginArray writes '['.
func (e *Encoder) BeginArray() {
	e.sep()
	e.buf = append(e.buf, '[')
	e.depth++
	e.comma &^= 1 << e.depth
}

// EndArray writes ']'.
func (e *Encoder) EndArray() {
	e.depth--
	e.buf = append(e.buf, ']')
}

// Key writes an object key; the next value written is its value.
func (e *Encoder) Key(k string) {
	e.sep()
	e.buf = appendQuoted(e.buf, k)
	e.buf = append(e.buf, ':')
	e.comma &^= 1 << e.depth
}

// String writes a string value.
func (e *Encoder) String(s string) {
	e.sep()
	e.buf = appendQuoted(e.buf, s)
}

// StringBytes writes a string value held in a byte slice.
func (e *Encoder) StringBytes(s []byte) {
	e.sep()
	e.buf = appendQuoted(e.buf, s)
}

// RawString writes s between quotes; the caller guarantees it needs no
// escaping (identifiers, geohashes, polylines without '\\' and '"').
func (e *Encoder) RawString(s []byte) {
	e.sep()
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, '"')
}

// Int writes an integer.
func (e *Encoder) Int(v int64) {
	e.sep()
	e.buf = strconv.AppendInt(e.buf, v, 10)
}

// Bool writes true or false.
func (e *Encoder) Bool(v bool) {
	e.sep()
	if v {
		e.buf = append(e.buf, "true"...)
	} else {
		e.buf = append(e.buf, "false"...)
	}
}

// Fixed writes v rounded to prec decimal places (0..9), without exponent.
func (e *Encoder) Fixed(v float64, prec int) {
	e.sep()
	e.buf = AppendFixed(e.buf, v, prec)
}

var ipow10 = [...]int64{1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// AppendFixed appends v with prec decimals. Values too large for the fast
// integer path, and NaN or infinities (written as null), are handled apart.
func AppendFixed(dst []byte, v float64, prec int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(dst, "null"...)
	}
	if prec < 0 || prec > 9 || math.Abs(v) >= 1e9 {
		return strconv.AppendFloat(dst, v, 'f', prec, 64)
	}
	scale := ipow10[prec]
	n := int64(math.Round(v * float64(scale)))
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	whole := n / scale
	frac := n % scale
	dst = appendUint(dst, uint64(whole))
	if prec > 0 {
		dst = append(dst, '.')
		dst = appendPadded(dst, uint64(frac), prec)
	}
	return dst
}

func appendUint(dst []byte, u uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}

func appendPadded(dst []byte, u uint64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for w := 0; w < width; w++ {
		i--
		tmp[i] = byte('0' + u%10)
		u /= 10
	}
	return append(dst, tmp[i:]...)
}

const hex = "0123456789abcdef"

func appendQuoted[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := decodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func decodeRune[S ~string | ~[]byte](s S) (rune, int) {
	return utf8.DecodeRuneInString(string(s))
}
