// Package jsonx is the service's small hand-written JSON codec. The request
// and response shapes are fixed and small, so a pull decoder and an
// append-only encoder do without reflection.
package jsonx

import (
	"errors"
	"strconv"
)

// ErrSyntax is returned for malformed input.
var ErrSyntax = errors.New("jsonx: syntax error")

// Decoder pulls tokens from a JSON document held in memory.
type Decoder struct {
	data    []byte
	pos     int
	err     error
	scratch []byte
	depth   int
}

// FieldDecoder is implemented by the types that can be decoded from a JSON
// object: Object calls DecodeField once per key, with the decoder positioned
// at the value, and the method must consume the value (Skip if unknown).
type FieldDecoder interface {
	DecodeField(d *Decoder, key []byte)
}

// Reset points the decoder at a new document.
func (d *Decoder) Reset(data []byte) {
	d.data = data
	d.pos = 0
	d.err = nil
	d.depth = 0
}

// Err returns the first error met, if any.
func (d *Decoder) Err() error { return d.err }

// Fail records err unless an earlier error is already recorded.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// End checks that only white space follows the value just read.
func (d *Decoder) End() error {
	d.skipSpace()
	if d.err == nil && d.pos != len(d.data) {
		d.err = ErrSyntax
	}
	return d.err
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func (d *Decoder) skipSpace() {
	for d.pos < len(d.data) && isSpace(d.data[d.pos]) {
		d.pos++
	}
}

func (d *Decoder) peek() byte {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func (d *Decoder) consume(c byte) bool {
	if d.err != nil {
		return false
	}
	if d.peek() != c {
		d.err = ErrSyntax
		return false
	}
	d.pos++
	return true
}

// Object decodes a JSON object into v, field by field.
func (d *Decoder) Object(v FieldDecoder) {
	if !d.consume('{') {
		return
	}
	d.depth++
	if d.depth > 32 {
		d.Fail(ErrSyntax)
		return
	}
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return
	}
	for d.err == nil {
		key := d.String()
		if !d.consume(':') {
			return
		}
		v.DecodeField(d, key)
		if d.err != nil {
			return
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return
		default:
			d.err = ErrSyntax
		}
	}
}

// Array calls elem once per element of a JSON array; elem must consume the
// element. It returns the number of elements.
func (d *Decoder) Array(elem func(d *Decoder)) int {
	if !d.consume('[') {
		return 0
	}
	if d.peek() == ']' {
		d.pos++
		return 0
	}
	n := 0
	for d.err == nil {
		elem(d)
		n++
		if d.err != nil {
			return n
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return n
		default:
			d.err = ErrSyntax
		}
	}
	return n
}

// NextElement supports decoding arrays without a callback:
//
//	for more := d.BeginArray(); more; more = d.NextElement() { ... }
func (d *Decoder) BeginArray() bool {
	if !d.consume('[') {
		return false
	}
	if d.peek() == ']' {
		d.pos++
		return false
	}
	return true
}

// NextElement consumes the separator after an array element and reports
// whether another element follows.
func (d *Decoder) NextElement() bool {
	if d.err != nil {
		return false
	}
	switch d.peek() {
	case ',':
		d.pos++
		return true
	case ']':
		d.pos++
		return false
	}
	d.err = ErrSyntax
	return false
}

// String reads a string. The result aliases the input or the decoder's
// scratch buffer and is valid until the next call.
func (d *Decoder) String() []byte {
	if !d.consume('"') {
		return nil
	}
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := d.data[start:d.pos]
			d.pos++
			return s
		}
		if c == '\\' {
			return d.stringSlow(start)
		}
		if c < 0x20 {
			break
		}
		d.pos++
	}
	d.err = ErrSyntax
	return nil
}

func (d *Decoder) stringSlow(start int) []byte {
	buf := append(d.scratch[:0], d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			d.scratch = buf
			return buf
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				d.err = ErrSyntax
				return nil
			}
			e := d.data[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'n':
				buf = append(buf, '\n')
			case 't':
				buf = append(buf, '\t')
			case 'r':
				buf = append(buf, '\r')
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'u':
				if d.pos+4 > len(d.data) {
					d.err = ErrSyntax
					return nil
				}
				r, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 32)
				if err != nil {
					d.err = ErrSyntax
					return nil
				}
				d.pos += 4
				buf = appendRune(buf, rune(r))
			default:
				d.err = ErrSyntax
				return nil
			}
		case c < 0x20:
			d.err = ErrSyntax
			return nil
		default:
			buf = append(buf, c)
			d.pos++
		}
	}
	d.err = ErrSyntax
	return nil
}

func appendRune(buf []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(buf, byte(r))
	case r < 0x800:
		return append(buf, byte(0xc0|r>>6), byte(0x80|r&0x3f))
	default:
		return append(buf, byte(0xe0|r>>12), byte(0x80|(r>>6)&0x3f), byte(0x80|r&0x3f))
	}
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Float reads a number. Numbers with at most 15 significant digits and a
// small exponent are converted exactly by one multiplication or division;
// anything else goes through strconv.
func (d *Decoder) Float() float64 {
	if d.err != nil {
		return 0
	}
	d.skipSpace()
	start := d.pos
	neg := false
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		neg = true
		d.pos++
	}
	var mant uint64
	digits := 0
	exp := 0
	sawDigit := false
	for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
		sawDigit = true
		if digits < 19 {
			mant = mant*10 + uint64(d.data[d.pos]-'0')
			if mant != 0 {
				digits++
			}
		} else {
			exp++
		}
		d.pos++
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
			sawDigit = true
			if digits < 19 {
				mant = mant*10 + uint64(d.data[d.pos]-'0')
				if mant != 0 {
					digits++
				}
				exp--
			}
			d.pos++
		}
	}
	if !sawDigit {
		d.err = ErrSyntax
		return 0
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		return d.floatSlow(start)
	}
	if digits > 15 || exp < -22 || exp > 22 {
		return d.floatSlow(start)
	}
	f := float64(mant)
	if exp < 0 {
		f /= pow10[-exp]
	} else {
		f *= pow10[exp]
	}
	if neg {
		f = -f
	}
	return f
}

func (d *Decoder) floatSlow(start int) float64 {
	d.pos = start
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if !isDigit(c) && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		d.pos++
	}
	f, err := strconv.ParseFloat(string(d.data[start:d.pos]), 64)
	if err != nil {
		d.err = ErrSyntax
	}
	return f
}

// Int reads an integer.
func (d *Decoder) Int() int64 {
	if d.err != nil {
		return 0
	}
	d.skipSpace()
	neg := false
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		neg = true
		d.pos++
	}
	start := d.pos
	var v int64
	for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
		if v > (1<<62)/10 {
			d.err = ErrSyntax
			return 0
		}
		v = v*10 + int64(d.data[d.pos]-'0')
		d.pos++
	}
	if d.pos == start {
		d.err = ErrSyntax
		return 0
	}
	if neg {
		v = -v
	}
	return v
}

// Bool reads true or false.
func (d *Decoder) Bool() bool {
	switch d.peek() {
	case 't':
		if d.literal("true") {
			return true
		}
	case 'f':
		if d.literal("false") {
			return false
		}
	}
	d.Fail(ErrSyntax)
	return false
}

func (d *Decoder) literal(s string) bool {
	if len(d.data)-d.pos < len(s) || string(d.data[d.pos:d.pos+len(s)]) != s {
		return false
	}
	d.pos += len(s)
	return true
}

// Skip consumes any value.
func (d *Decoder) Skip() {
	switch d.peek() {
	case '{':
		d.Object(skipper{})
	case '[':
		d.Array(func(d *Decoder) { d.Skip() })
	case '"':
		d.String()
	case 't', 'f':
		d.Bool()
	case 'n':
		if !d.literal("null") {
			d.Fail(ErrSyntax)
		}
	default:
		d.Float()
	}
}

type skipper struct{}

func (skipper) DecodeField(d *Decoder, _ []byte) { d.Skip() }
