package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestHaversine(t *testing.T) {
	berlin := Point{52.5200, 13.4050}
	paris := Point{48.8566, 2.3522}
	if d := HaversineDistance(berlin, paris); math.Abs(d-877.5e3) > 2e3 {
		t.Errorf("Berlin-Paris %.0f m", d)
	}
	if d := (Haversine{}).Distance(berlin, paris); d != HaversineDistance(berlin, paris) {
		t.Errorf("Haversine.Distance %v", d)
	}
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 1000; i++ {
		a := Offset(berlin, (r.Float64()-0.5)*30000, (r.Float64()-0.5)*30000)
		b := Offset(berlin, (r.Float64()-0.5)*30000, (r.Float64()-0.5)*30000)
		h, e := HaversineDistance(a, b), (Equirectangular{}).Distance(a, b)
		if math.Abs(h-e) > 1+h*0.002 {
			t.Fatalf("%v %v: haversine %.1f, equirectangular %.1f", a, b, h, e)
		}
	}
	if b := Bearing(berlin, Offset(berlin, 0, 1000)); math.Abs(b-90) > 0.1 {
		t.Errorf("bearing east %.2f", b)
	}
	if d := AngleDiff(350, 10); d != 20 {
		t.Errorf("AngleDiff %v", d)
	}
}

func TestGeohash(t *testing.T) {
	if got := Geohash(Point{57.64911, 10.40744}, 11); got != "u4pruydqqvj" {
		t.Errorf("geohash %s", got)
	}
	p, ok := DecodeGeohash("u4pruydqqvj")
	if !ok || math.Abs(p.Lat-57.64911) > 1e-5 || math.Abs(p.Lon-10.40744) > 1e-5 {
		t.Errorf("decode %v %v", p, ok)
	}
	if _, ok := DecodeGeohash("u4a"); ok {
		t.Error("invalid geohash decoded")
	}
}

func TestPolyline(t *testing.T) {
	pts := []Point{{38.5, -120.2}, {40.7, -120.95}, {43.252, -126.453}}
	const want = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
	if got := string(AppendPolyline(nil, pts)); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	back, err := DecodePolyline(want)
	if err != nil || len(back) != 3 {
		t.Fatal(back, err)
	}
	for i := range pts {
		if math.Abs(back[i].Lat-pts[i].Lat) > 1e-9 || math.Abs(back[i].Lon-pts[i].Lon) > 1e-9 {
			t.Errorf("point %d: %v", i, back[i])
		}
	}
	if _, err := DecodePolyline("_p~"); err == nil {
		t.Error("truncated polyline decoded")
	}
}

func TestCell(t *testing.T) {
	p := Point{52.52, 13.405}
	c := CellOf(p, 15)
	n := c.Neighbor(1, -1)
	if n.Row != c.Row+1 || n.Col != c.Col-1 || n.Key() == c.Key() || n.Hash() == c.Hash() {
		t.Errorf("%+v %+v", c, n)
	}
	h, w := SizeMeters(15, p.Lat)
	if math.Abs(h-610) > 5 || math.Abs(w-742) > 5 {
		t.Errorf("cell %.0f x %.0f m", h, w)
	}
	if FNV64aString("a") != 0xaf63dc4c8601ec8c || FNV64aBytes([]byte("a")) != FNV64aString("a") {
		t.Error("fnv-1a")
	}
}
