package pricing

import (
	"testing"

	"example.com/rideshare/internal/geo"
)

func TestAreas(t *testing.T) {
	c := geo.Point{Lat: 52.52, Lon: 13.405}
	for _, a := range []Area{RegularPolygon(c, 1000, 12), Rectangle(c, 2000, 2000), NewCircle(c, 1000)} {
		if !a.Contains(c) || !a.Contains(geo.Offset(c, 900, 0)) || a.Contains(geo.Offset(c, 0, 1100)) {
			t.Errorf("%T: wrong containment", a)
		}
	}
	s := Surcharges{Zones: []Zone{
		{Name: "a", Area: Rectangle(geo.Offset(c, 0, 500), 3000, 100), Fee: 100},
		{Name: "b", Area: NewCircle(geo.Offset(c, 5000, 0), 300), Fee: 50},
	}}
	route := []geo.Point{c, geo.Offset(c, 0, 480), geo.Offset(c, 0, 520), geo.Offset(c, 0, 1000)}
	got := s.Route(route, nil)
	if len(got) != 1 || got[0].Zone.Name != "a" || got[0].Fee != 100 {
		t.Errorf("%+v", got)
	}
}

func TestEngine(t *testing.T) {
	e := DefaultEngine(&ZoneSurge{Zones: map[string]float64{"u33dc0": 1.5}, Hourly: [24]float64{12: 1}})
	trip := Trip{Class: Standard, Meters: 5000, Seconds: 900, Zone: []byte("u33dc0"), Hour: 12, Riders: 1, Rider: 99}
	f := e.Quote(&trip, 250, nil)
	// 2.50 base + 5 km * 1.20 + 15 min * 0.25 = 12.25; surge 1.5: +6.13
	if f.Base != 250 || f.Distance != 600 || f.Time != 375 || f.Multiplier != 1.5 || f.Surge != 613 {
		t.Fatalf("%+v", f)
	}
	if f.Total != 250+600+375+613+99+250 || f.Fees != 250 {
		t.Errorf("total %d", f.Total)
	}
	p := e.Quote(&trip, 250, []byte("WELCOME10"))
	if p.Discount != (f.Total-99-250)/10 || p.Total != f.Total-p.Discount {
		t.Errorf("promo %+v", p)
	}
	trip.Class, trip.Riders = Pool, 3
	if pool := e.Quote(&trip, 0, nil); pool.Total >= f.Total {
		t.Errorf("pool %d >= standard %d", pool.Total, f.Total)
	}
	if c, ok := ParseClass([]byte("lux")); !ok || c != Lux || c.String() != "lux" {
		t.Error("ParseClass")
	}
}
