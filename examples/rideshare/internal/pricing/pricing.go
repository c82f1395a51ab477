// Package pricing turns a planned trip into a fare.
package pricing

import (
	"math"

	"example.com/rideshare/internal/geo"
)

// Class is a product the rider can book.
type Class uint8

// The classes offered.
const (
	Standard Class = iota
	XL
	Pool
	Lux
	NumClasses
)

var classNames = [NumClasses]string{"standard", "xl", "pool", "lux"}

// String returns the class's wire name.
func (c Class) String() string {
	if c < NumClasses {
		return classNames[c]
	}
	return "unknown"
}

// ParseClass parses a wire name.
func ParseClass(b []byte) (Class, bool) {
	for i, n := range classNames {
		if string(b) == n {
			return Class(i), true
		}
	}
	return 0, false
}

// Trip is what a fare is computed from.
type Trip struct {
	Class   Class
	Meters  float64
	Seconds float64
	Pickup  geo.Point
	Zone    []byte // geohash of the pickup, surge zone precision
	Hour    int
	Riders  int
	Rider   uint64 // hash of the rider id
}

// Fare is a price breakdown in cents.
type Fare struct {
	Base       int64
	Distance   int64
	Time       int64
	Surge      int64
	Booking    int64
	Fees       int64 // zone surcharges
	Discount   int64
	Total      int64
	Multiplier float64
}

// Strategy prices one class.
type Strategy interface {
	Price(t *Trip, surge float64) Fare
}

// Rates are the tariff of a class.
type Rates struct {
	Base     int64 // cents
	PerKm    int64 // cents
	PerMin   int64 // cents
	Minimum  int64 // cents
	Booking  int64 // cents
	SurgeCap float64
}

func (r *Rates) distance(meters float64) int64 {
	return roundCents(meters / 1000 * float64(r.PerKm))
}

func (r *Rates) time(seconds float64) int64 {
	return roundCents(seconds / 60 * float64(r.PerMin))
}

func (r *Rates) surge(f *Fare, m float64) {
	if m > r.SurgeCap {
		m = r.SurgeCap
	}
	if m < 1 {
		m = 1
	}
	f.Multiplier = m
	f.Surge = roundCents(float64(f.Base+f.Distance+f.Time) * (m - 1))
}

func (r *Rates) total(f *Fare) {
	t := f.Base + f.Distance + f.Time + f.Surge
	if t < r.Minimum {
		t = r.Minimum
	}
	f.Total = t + f.Booking - f.Discount
}

func roundCents(v float64) int64 { return int64(math.Round(v)) }

// StandardPricing is the everyday tariff.
type StandardPricing struct{ Rates Rates }

// Price implements Strategy.
func (s *StandardPricing) Price(t *Trip, surge float64) Fare {
	f := Fare{Base: s.Rates.Base, Booking: s.Rates.Booking}
	f.Distance = s.Rates.distance(t.Meters)
	f.Time = s.Rates.time(t.Seconds)
	s.Rates.surge(&f, surge)
	s.Rates.total(&f)
	return f
}

// XLPricing charges per seat above four riders and surges less.
type XLPricing struct {
	Rates   Rates
	PerSeat int64
}

// Price implements Strategy.
func (x *XLPricing) Price(t *Trip, surge float64) Fare {
	f := Fare{Base: x.Rates.Base, Booking: x.Rates.Booking}
	if t.Riders > 4 {
		f.Base += int64(t.Riders-4) * x.PerSeat
	}
	f.Distance = x.Rates.distance(t.Meters)
	f.Time = x.Rates.time(t.Seconds)
	x.Rates.surge(&f, 1+(surge-1)*0.8)
	x.Rates.total(&f)
	return f
}

// PoolPricing shares the trip: each extra rider lowers the fare, and the
// detour a pool takes is charged at a reduced time rate.
type PoolPricing struct {
	Rates       Rates
	ShareFactor float64
	Detour      float64
}

// Price implements Strategy.
func (p *PoolPricing) Price(t *Trip, surge float64) Fare {
	f := Fare{Base: p.Rates.Base, Booking: p.Rates.Booking}
	f.Distance = p.Rates.distance(t.Meters * p.Detour)
	f.Time = p.Rates.time(t.Seconds * p.Detour * 0.5)
	share := 1.0
	for i := 1; i < t.Riders; i++ {
		share *= p.ShareFactor
	}
	f.Distance = roundCents(float64(f.Distance) * share)
	p.Rates.surge(&f, surge)
	p.Rates.total(&f)
	return f
}

// SurgeModel gives the surge multiplier of a zone at an hour.
type SurgeModel interface {
	Multiplier(zone []byte, hour int) float64
}

// ZoneSurge is a SurgeModel from a table of zone factors and an hourly curve.
type ZoneSurge struct {
	Zones  map[string]float64
	Hourly [24]float64
}

// Multiplier implements SurgeModel.
func (z *ZoneSurge) Multiplier(zone []byte, hour int) float64 {
	f, ok := z.Zones[string(zone)]
	if !ok {
		f = 1
	}
	return math.Round(f*z.Hourly[hour%24]*10) / 10
}

// Engine prices trips of every class.
type Engine struct {
	Strategies [NumClasses]Strategy
	Surge      SurgeModel
	Promos     map[string]int64 // promo code -> percent off
	// ExperimentPercent of riders (chosen by hash) see 3% lower distance
	// rates: a pricing experiment.
	ExperimentPercent uint64
}

// Quote prices a trip, adding the zone fees and applying the promo code if
// it is known.
func (e *Engine) Quote(t *Trip, fees int64, promo []byte) Fare {
	m := e.Surge.Multiplier(t.Zone, t.Hour)
	f := e.Strategies[t.Class].Price(t, m)
	f.Fees = fees
	f.Total += fees
	if t.Rider%100 < e.ExperimentPercent {
		d := f.Distance * 3 / 100
		f.Distance -= d
		f.Total -= d
	}
	if len(promo) > 0 {
		if pct, ok := e.Promos[string(promo)]; ok {
			off := (f.Total - f.Booking - f.Fees) * pct / 100
			f.Discount += off
			f.Total -= off
		}
	}
	return f
}

// DefaultEngine returns the tariffs the example service runs with.
func DefaultEngine(surge SurgeModel) *Engine {
	return &Engine{
		Strategies: [NumClasses]Strategy{
			Standard: &StandardPricing{Rates{Base: 250, PerKm: 120, PerMin: 25, Minimum: 600, Booking: 99, SurgeCap: 3}},
			XL:       &XLPricing{Rates: Rates{Base: 400, PerKm: 180, PerMin: 35, Minimum: 900, Booking: 99, SurgeCap: 2.5}, PerSeat: 150},
			Pool:     &PoolPricing{Rates: Rates{Base: 150, PerKm: 90, PerMin: 15, Minimum: 450, Booking: 99, SurgeCap: 2}, ShareFactor: 0.85, Detour: 1.25},
			Lux:      &StandardPricing{Rates{Base: 700, PerKm: 260, PerMin: 50, Minimum: 1800, Booking: 149, SurgeCap: 2}},
		},
		Surge:             surge,
		Promos:            map[string]int64{"WELCOME10": 10, "NIGHTOWL": 15, "STUDENT5": 5},
		ExperimentPercent: 20,
	}
}
