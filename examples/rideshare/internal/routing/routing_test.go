package routing

import (
	"math"
	"testing"

	"example.com/rideshare/internal/geo"
)

type flat struct{ v float64 }

func (f flat) SpeedAt(geo.Point, int) float64 { return f.v }

func TestPlan(t *testing.T) {
	a := geo.Point{Lat: 52.50, Lon: 13.40}
	b := geo.Offset(a, 3000, 4000)
	pl := &Planner{Metric: geo.Haversine{}, Speeds: flat{10}, Block: 100, MaxPoints: 400, TurnCost: 20}
	r := pl.Plan(a, b, 8, nil)
	if math.Abs(r.Meters-7000) > 20 {
		t.Errorf("meters %.1f, want about 7000 (3 km north, then 4 km east)", r.Meters)
	}
	if r.Turns != 1 || math.Abs(r.Seconds-(r.Meters/10+20)) > 1e-6 {
		t.Errorf("turns %d, seconds %.1f", r.Turns, r.Seconds)
	}
	if len(r.Points) < 70 || r.Points[0] != a || geo.HaversineDistance(r.Points[len(r.Points)-1], b) > 1e-6 {
		t.Errorf("%d points from %v to %v", len(r.Points), r.Points[0], r.Points[len(r.Points)-1])
	}
	// Long routes are capped at MaxPoints.
	far := geo.Offset(a, 60000, 60000)
	if r := pl.Plan(a, far, 8, nil); len(r.Points) > pl.MaxPoints {
		t.Errorf("%d points, max %d", len(r.Points), pl.MaxPoints)
	}
	// The traffic table falls back to its default outside known cells.
	tt := &TrafficTable{Level: 16, Cells: map[uint64]float64{geo.CellOf(a, 16).Key(): 5}, Default: 12}
	tt.Hourly[8] = 0.5
	if v := tt.SpeedAt(a, 8); v != 2.5 {
		t.Errorf("speed %v", v)
	}
	if v := tt.SpeedAt(far, 32); v != 6 {
		t.Errorf("default speed %v", v)
	}
}
