package jsonx

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

type rec struct {
	name  string
	nums  []float64
	ok    bool
	inner *rec
}

func (r *rec) DecodeField(d *Decoder, key []byte) {
	switch string(key) {
	case "name":
		r.name = string(d.String())
	case "nums":
		for more := d.BeginArray(); more; more = d.NextElement() {
			r.nums = append(r.nums, d.Float())
		}
	case "ok":
		r.ok = d.Bool()
	case "inner":
		r.inner = &rec{}
		d.Object(r.inner)
	default:
		d.Skip()
	}
}

func TestDecoder(t *testing.T) {
	in := `  {"name":"a\"b\\c\u00e9\n","nums":[1, -2.5, 3e2, 0.000123, 12345678901234567890],
	"skip":{"x":[true,false,null,"s",{"y":1}]},"ok":true,"inner":{"name":"i","nums":[]}} `
	var d Decoder
	d.Reset([]byte(in))
	var r rec
	d.Object(&r)
	if err := d.End(); err != nil {
		t.Fatal(err)
	}
	want := []float64{1, -2.5, 300, 0.000123, 12345678901234567890}
	if r.name != "a\"b\\c\u00e9\n" || !r.ok || r.inner == nil || r.inner.name != "i" || len(r.nums) != len(want) {
		t.Fatalf("%+v", r)
	}
	for i := range want {
		if r.nums[i] != want[i] {
			t.Errorf("nums[%d] = %v, want %v", i, r.nums[i], want[i])
		}
	}
	for _, bad := range []string{`{`, `{"a" 1}`, `{"a":1,}`, `{"nums":[1,]}`, `{"a":tru}`, `{"a":"x`, `{"a":1} 2`, `{"a":-}`} {
		d.Reset([]byte(bad))
		d.Object(&rec{})
		if d.End() == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestFloat compares the fast path with strconv on the numbers the service
// sees: coordinates and speeds with up to six decimals.
func TestFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var d Decoder
	for i := 0; i < 100000; i++ {
		v := (r.Float64() - 0.5) * 400
		s := strconv.FormatFloat(v, 'f', r.IntN(10), 64)
		want, _ := strconv.ParseFloat(s, 64)
		d.Reset([]byte(s))
		if got := d.Float(); got != want || d.End() != nil {
			t.Fatalf("%s: got %v, want %v (%v)", s, got, want, d.Err())
		}
	}
}

func TestEncoder(t *testing.T) {
	var e Encoder
	e.BeginObject()
	e.Key("s")
	e.String("quote \" backslash \\ tab \t ctl \x01 é \xff")
	e.Key("n")
	e.Fixed(-12.345, 2)
	e.Key("i")
	e.Int(-7)
	e.Key("arr")
	e.BeginArray()
	e.Bool(true)
	e.Fixed(math.NaN(), 1)
	e.BeginObject()
	e.EndObject()
	e.StringBytes([]byte("b"))
	e.EndArray()
	e.EndObject()
	var got map[string]any
	if err := json.Unmarshal(e.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, e.Bytes())
	}
	if got["s"] != "quote \" backslash \\ tab \t ctl \x01 é \ufffd" || got["n"] != -12.35 && got["n"] != -12.34 || got["i"] != -7.0 {
		t.Errorf("%s", e.Bytes())
	}
	if arr := got["arr"].([]any); len(arr) != 4 || arr[1] != nil {
		t.Errorf("%s", e.Bytes())
	}
}

func TestAppendFixed(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		v := (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(8)))
		prec := r.IntN(7)
		got := string(AppendFixed(nil, v, prec))
		back, err := strconv.ParseFloat(got, 64)
		if err != nil || math.Abs(back-v) > 0.5*math.Pow(10, -float64(prec))*(1+1e-9)+1e-9 {
			t.Fatalf("AppendFixed(%v, %d) = %s", v, prec, got)
		}
	}
	if got := string(AppendFixed(nil, 1e12, 1)); got != "1000000000000.0" {
		t.Errorf("large value: %s", got)
	}
}
