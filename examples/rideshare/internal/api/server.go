// Package api is the HTTP surface of the ride-sharing service: request
// decoding, the four endpoints, and response encoding.
package api

import (
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"

	"example.com/rideshare/internal/city"
	"example.com/rideshare/internal/dispatch"
	"example.com/rideshare/internal/geo"
	"example.com/rideshare/internal/jsonx"
	"example.com/rideshare/internal/pricing"
	"example.com/rideshare/internal/routing"
)

// Options size the world the server is seeded with.
type Options struct {
	Seed    uint64
	Drivers int // default city.Drivers
	Trips   int // default city.Trips
}

// Server is the ride-sharing service. It is an http.Handler.
type Server struct {
	mux     *http.ServeMux
	fleet   *dispatch.Fleet
	planner *routing.Planner
	pricer  *pricing.Engine
	zones   *pricing.Surcharges
	trips   map[uint64]*tripRecord
	metrics Recorder
	states  sync.Pool
}

// Recorder counts what the server answered.
type Recorder interface {
	Record(route Route, status int, bytes int)
}

// Route identifies an endpoint for metrics.
type Route uint8

// The endpoints.
const (
	RouteQuote Route = iota
	RouteMatch
	RouteLocations
	RouteTrip
	numRoutes
)

var routeNames = [numRoutes]string{"quote", "match", "locations", "trip"}

// String returns the route's metric name.
func (r Route) String() string { return routeNames[r] }

// Counters is the default Recorder: per-route request, error and byte counts.
type Counters struct {
	requests [numRoutes]atomic.Int64
	errors   [numRoutes]atomic.Int64
	bytes    [numRoutes]atomic.Int64
}

// Record implements Recorder.
func (c *Counters) Record(route Route, status int, bytes int) {
	c.requests[route].Add(1)
	if status >= 400 {
		c.errors[route].Add(1)
	}
	c.bytes[route].Add(int64(bytes))
}

// Snapshot returns requests, errors and response bytes per route name.
func (c *Counters) Snapshot() map[string][3]int64 {
	m := make(map[string][3]int64, numRoutes)
	for r := Route(0); r < numRoutes; r++ {
		m[r.String()] = [3]int64{c.requests[r].Load(), c.errors[r].Load(), c.bytes[r].Load()}
	}
	return m
}

type tripRecord struct {
	ID       uint64
	Rider    uint64
	Driver   uint32
	Class    pricing.Class
	Pickup   geo.Point
	Dropoff  geo.Point
	Route    []geo.Point
	Meters   float64
	Seconds  float64
	Fare     pricing.Fare
	Started  int64
	Finished bool
}

// state is the per-request scratch space, pooled.
type state struct {
	dec   jsonx.Decoder
	enc   jsonx.Encoder
	body  []byte
	route []geo.Point
	cands []dispatch.Candidate
	fees  []pricing.Charge
	ups   []dispatch.Update
	zone  [12]byte
	tmp   []byte
}

// NewServer builds the world deterministically from opts.Seed and returns
// the service.
func NewServer(opts Options) *Server {
	if opts.Drivers <= 0 {
		opts.Drivers = city.Drivers
	}
	if opts.Trips <= 0 {
		opts.Trips = city.Trips
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	s := &Server{
		fleet:   dispatch.NewFleet(geo.Equirectangular{}),
		trips:   make(map[uint64]*tripRecord, opts.Trips),
		metrics: &Counters{},
	}
	s.states.New = func() any { return new(state) }
	s.planner = &routing.Planner{
		Metric:    geo.Equirectangular{},
		Speeds:    buildTraffic(),
		Block:     120,
		MaxPoints: 400,
		TurnCost:  25,
	}
	s.pricer = pricing.DefaultEngine(buildSurge(rng))
	s.zones = buildSurcharges()
	for i := 0; i < opts.Drivers; i++ {
		s.fleet.Add(randomDriver(rng))
	}
	for i := 0; i < opts.Trips; i++ {
		t := s.randomTrip(rng, uint64(i), opts.Drivers)
		s.trips[t.ID] = t
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /v1/quote", s.handleQuote)
	s.mux.HandleFunc("POST /v1/match", s.handleMatch)
	s.mux.HandleFunc("POST /v1/drivers/locations", s.handleLocations)
	s.mux.HandleFunc("GET /v1/trips/{id}", s.handleTrip)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = contentTypeText
		_, _ = io.WriteString(w, "ok\n")
	})
	return s
}

// Metrics returns the server's counters.
func (s *Server) Metrics() *Counters {
	c, _ := s.metrics.(*Counters)
	return c
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func buildTraffic() *routing.TrafficTable {
	t := &routing.TrafficTable{
		Level:   city.TrafficLevel,
		Cells:   make(map[uint64]float64),
		Hourly:  city.HourlyCongestion,
		Default: 14,
	}
	h, w := geo.SizeMeters(city.TrafficLevel, city.Center.Lat)
	rows := int(city.Radius/h) + 1
	cols := int(city.Radius/w) + 1
	c0 := geo.CellOf(city.Center, city.TrafficLevel)
	for dr := -rows; dr <= rows; dr++ {
		for dc := -cols; dc <= cols; dc++ {
			p := geo.Offset(city.Center, float64(dr)*h, float64(dc)*w)
			t.Cells[c0.Neighbor(dr, dc).Key()] = city.BaseSpeed(p)
		}
	}
	return t
}

// SurgePrecision is the geohash length of surge zones.
const SurgePrecision = 6

func buildSurge(rng *rand.Rand) *pricing.ZoneSurge {
	z := &pricing.ZoneSurge{Zones: make(map[string]float64), Hourly: city.HourlySurge}
	for i := 0; i < 3000; i++ {
		p := city.UniformPoint(rng)
		f := 1.0
		for _, h := range city.Hotspots {
			if geo.HaversineDistance(h.At, p) < 3*h.Spread {
				f += h.Weight * 3
			}
		}
		f += rng.Float64() * 0.2
		z.Zones[geo.Geohash(p, SurgePrecision)] = f
	}
	return z
}

// buildSurcharges lays out the city's fee zones: a congestion charge in the
// center, airport access, event venues, a tunnel and two toll bridges.
func buildSurcharges() *pricing.Surcharges {
	spot := make(map[string]geo.Point, len(city.Hotspots))
	for _, h := range city.Hotspots {
		spot[h.Name] = h.At
	}
	return &pricing.Surcharges{Zones: []pricing.Zone{
		{Name: "congestion-charge", Area: pricing.RegularPolygon(city.Center, 2500, 12), Fee: 250},
		{Name: "airport-access", Area: pricing.NewCircle(spot["airport"], 1500), Fee: 400},
		{Name: "fairground-event", Area: pricing.Rectangle(spot["fairground"], 1200, 1500), Fee: 150},
		{Name: "stadium-event", Area: pricing.RegularPolygon(spot["stadium"], 800, 8), Fee: 150},
		{Name: "harbour-tunnel", Area: pricing.Rectangle(geo.Offset(spot["harbour"], 900, 0), 300, 1500), Fee: 320},
		{Name: "east-bridge", Area: pricing.Rectangle(geo.Offset(city.Center, 0, 4500), 2000, 200), Fee: 180},
		{Name: "west-bridge", Area: pricing.Rectangle(geo.Offset(city.Center, 0, -5000), 2500, 200), Fee: 180},
		{Name: "business-park-toll", Area: pricing.RegularPolygon(spot["business-park"], 1000, 10), Fee: 100},
	}}
}

func randomDriver(rng *rand.Rand) dispatch.Driver {
	var class pricing.Class
	switch u := rng.Float64(); {
	case u < 0.65:
		class = pricing.Standard
	case u < 0.80:
		class = pricing.XL
	case u < 0.92:
		class = pricing.Pool
	default:
		class = pricing.Lux
	}
	return dispatch.Driver{
		Pos:       city.RandomPoint(rng),
		Heading:   rng.Float64() * 360,
		Speed:     rng.Float64() * 14,
		Class:     class,
		Rating:    4 + rng.Float64(),
		Available: rng.Float64() < 0.8,
	}
}

func (s *Server) randomTrip(rng *rand.Rand, id uint64, drivers int) *tripRecord {
	t := &tripRecord{
		ID:       id,
		Rider:    rng.Uint64N(1000000),
		Driver:   uint32(rng.IntN(drivers)),
		Class:    pricing.Class(rng.IntN(int(pricing.NumClasses))),
		Pickup:   city.RandomPoint(rng),
		Dropoff:  city.RandomPoint(rng),
		Started:  1735689600 + rng.Int64N(86400*30),
		Finished: rng.Float64() < 0.9,
	}
	hour := city.Hour(t.Started)
	route := s.planner.Plan(t.Pickup, t.Dropoff, hour, nil)
	t.Route = route.Points
	t.Meters = route.Meters
	t.Seconds = route.Seconds
	zone := geo.AppendGeohash(nil, t.Pickup, SurgePrecision)
	var fees int64
	for _, c := range s.zones.Route(t.Route, nil) {
		fees += c.Fee
	}
	t.Fare = s.pricer.Quote(&pricing.Trip{
		Class: t.Class, Meters: t.Meters, Seconds: t.Seconds, Pickup: t.Pickup,
		Zone: zone, Hour: hour, Riders: 1, Rider: t.Rider,
	}, fees, nil)
	return t
}

var (
	contentTypeJSON = []string{"application/json"}
	contentTypeText = []string{"text/plain; charset=utf-8"}
)

const maxBody = 1 << 20

var errTooLarge = errors.New("request body too large")

// readBody reads the request body into the state's buffer.
func (st *state) readBody(r *http.Request) ([]byte, error) {
	buf := st.body[:0]
	if r.ContentLength > maxBody {
		return nil, errTooLarge
	}
	if cap(buf) < 512 {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= maxBody {
				return nil, errTooLarge
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	st.body = buf
	return buf, nil
}

func (s *Server) getState() *state {
	st := s.states.Get().(*state)
	st.enc.Reset()
	return st
}

func (s *Server) putState(st *state) {
	if cap(st.body) > 64<<10 || cap(st.enc.Bytes()) > 256<<10 {
		return // do not keep outsized buffers around
	}
	s.states.Put(st)
}

// reply writes the encoded document with the given status and records it.
func (s *Server) reply(w http.ResponseWriter, route Route, status int, st *state) {
	body := st.enc.Bytes()
	w.Header()["Content-Type"] = contentTypeJSON
	w.WriteHeader(status)
	_, _ = w.Write(body)
	s.metrics.Record(route, status, len(body))
}

// fail answers with a JSON error.
func (s *Server) fail(w http.ResponseWriter, route Route, status int, st *state, msg string) {
	st.enc.Reset()
	st.enc.BeginObject()
	st.enc.Key("error")
	st.enc.String(msg)
	st.enc.EndObject()
	s.reply(w, route, status, st)
}
