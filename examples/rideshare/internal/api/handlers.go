package api

import (
	"net/http"

	"example.com/rideshare/internal/city"
	"example.com/rideshare/internal/dispatch"
	"example.com/rideshare/internal/geo"
	"example.com/rideshare/internal/jsonx"
	"example.com/rideshare/internal/pricing"
	"example.com/rideshare/internal/routing"
)

// validator is implemented by requests that check themselves after decoding.
type validator interface {
	validate() error
}

// decode reads the request body and decodes the JSON object in it into v,
// then validates v. On failure it has answered the request and returns false.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, route Route, st *state, v jsonx.FieldDecoder) bool {
	body, err := st.readBody(r)
	if err != nil {
		s.fail(w, route, http.StatusRequestEntityTooLarge, st, err.Error())
		return false
	}
	st.dec.Reset(body)
	st.dec.Object(v)
	if err := st.dec.End(); err != nil {
		s.fail(w, route, http.StatusBadRequest, st, err.Error())
		return false
	}
	if val, ok := v.(validator); ok {
		if err := val.validate(); err != nil {
			s.fail(w, route, http.StatusBadRequest, st, err.Error())
			return false
		}
	}
	return true
}

// writeJSON encodes v and sends it with status 200.
func (s *Server) writeJSON(w http.ResponseWriter, route Route, st *state, v jsonx.Marshaler) {
	st.enc.Reset()
	v.MarshalJSONTo(&st.enc)
	s.reply(w, route, http.StatusOK, st)
}

// handleQuote prices a trip in one or more classes:
//
//	POST /v1/quote
//	{"rider":"r-000123","pickup":{"lat":..,"lon":..},"dropoff":{..},
//	 "class":"standard" | "classes":["standard","xl"],
//	 "riders":1,"ts":1735700000,"promo":"WELCOME10","route":true}
func (s *Server) handleQuote(w http.ResponseWriter, r *http.Request) {
	st := s.getState()
	defer s.putState(st)
	var q quoteRequest
	if !s.decode(w, r, RouteQuote, st, &q) {
		return
	}
	hour := city.Hour(q.TS)
	route := s.planner.Plan(q.Pickup, q.Dropoff, hour, st.route)
	st.route = route.Points
	st.fees = s.zones.Route(route.Points, st.fees[:0])
	var fees int64
	for _, c := range st.fees {
		fees += c.Fee
	}
	resp := quoteResponse{
		id:    geo.FNV64a(q.RiderKey ^ uint64(q.TS)*0x9e3779b97f4a7c15 ^ geo.GeohashBits(q.Dropoff, 40)),
		zone:  geo.AppendGeohash(st.zone[:0], q.Pickup, SurgePrecision),
		route: &route,
		fees:  st.fees,
		st:    st,
	}
	trip := pricing.Trip{
		Meters:  route.Meters,
		Seconds: route.Seconds,
		Pickup:  q.Pickup,
		Zone:    resp.zone,
		Hour:    hour,
		Riders:  q.Riders,
		Rider:   q.RiderKey,
	}
	for _, c := range q.Classes[:q.NClasses] {
		trip.Class = c
		resp.quotes[resp.n] = classQuote{class: c, fare: s.pricer.Quote(&trip, fees, q.Promo)}
		resp.n++
	}
	resp.polyline = q.Route
	s.writeJSON(w, RouteQuote, st, &resp)
}

type classQuote struct {
	class pricing.Class
	fare  pricing.Fare
}

type quoteResponse struct {
	id       uint64
	zone     []byte
	route    *routing.Route
	fees     []pricing.Charge
	quotes   [pricing.NumClasses]classQuote
	n        int
	polyline bool
	st       *state
}

func (q *quoteResponse) MarshalJSONTo(e *jsonx.Encoder) {
	st := q.st
	e.BeginObject()
	e.Key("quote_id")
	st.tmp = appendHex64(append(st.tmp[:0], 'q', '-'), q.id)
	e.RawString(st.tmp)
	e.Key("zone")
	e.RawString(q.zone)
	e.Key("distance_m")
	e.Fixed(q.route.Meters, 1)
	e.Key("duration_s")
	e.Fixed(q.route.Seconds, 0)
	e.Key("turns")
	e.Int(int64(q.route.Turns))
	e.Key("zone_fees")
	e.BeginArray()
	for _, c := range q.fees {
		e.BeginObject()
		e.Key("zone")
		e.String(c.Zone.Name)
		e.Key("fee")
		e.Fixed(float64(c.Fee)/100, 2)
		e.EndObject()
	}
	e.EndArray()
	e.Key("quotes")
	e.BeginArray()
	for i := range q.quotes[:q.n] {
		encodeQuote(e, &q.quotes[i])
	}
	e.EndArray()
	if q.polyline {
		e.Key("polyline")
		st.tmp = geo.AppendPolyline(st.tmp[:0], q.route.Points)
		e.StringBytes(st.tmp)
	}
	e.EndObject()
}

func encodeQuote(e *jsonx.Encoder, q *classQuote) {
	e.BeginObject()
	e.Key("class")
	e.String(q.class.String())
	e.Key("surge")
	e.Fixed(q.fare.Multiplier, 1)
	e.Key("fare")
	encodeFare(e, &q.fare)
	e.EndObject()
}

func encodeFare(e *jsonx.Encoder, f *pricing.Fare) {
	e.BeginObject()
	e.Key("currency")
	e.String("EUR")
	e.Key("base")
	e.Fixed(float64(f.Base)/100, 2)
	e.Key("distance")
	e.Fixed(float64(f.Distance)/100, 2)
	e.Key("time")
	e.Fixed(float64(f.Time)/100, 2)
	e.Key("surge")
	e.Fixed(float64(f.Surge)/100, 2)
	e.Key("booking")
	e.Fixed(float64(f.Booking)/100, 2)
	if f.Fees != 0 {
		e.Key("fees")
		e.Fixed(float64(f.Fees)/100, 2)
	}
	if f.Discount != 0 {
		e.Key("discount")
		e.Fixed(float64(f.Discount)/100, 2)
	}
	e.Key("total")
	e.Fixed(float64(f.Total)/100, 2)
	e.EndObject()
}

// handleMatch finds the best available drivers for a pickup:
//
//	POST /v1/match
//	{"rider":"r-000123","pickup":{..},"class":"standard","radius_m":1500,
//	 "limit":5,"heading":90}
func (s *Server) handleMatch(w http.ResponseWriter, r *http.Request) {
	st := s.getState()
	defer s.putState(st)
	var m matchRequest
	if !s.decode(w, r, RouteMatch, st, &m) {
		return
	}
	q := dispatch.Query{Pickup: m.Pickup, Class: m.Class, Heading: m.Heading, Radius: m.Radius, Limit: m.Limit}
	cands, considered := s.fleet.Match(&q, dispatch.MatcherFor(m.Class), st.cands)
	st.cands = cands
	s.writeJSON(w, RouteMatch, st, &matchResponse{
		pickup:     m.Pickup,
		class:      m.Class,
		considered: considered,
		cands:      cands,
		st:         st,
	})
}

type matchResponse struct {
	pickup     geo.Point
	class      pricing.Class
	considered int
	cands      []dispatch.Candidate
	st         *state
}

func (m *matchResponse) MarshalJSONTo(e *jsonx.Encoder) {
	st := m.st
	e.BeginObject()
	e.Key("zone")
	e.RawString(geo.AppendGeohash(st.zone[:0], m.pickup, 7))
	e.Key("class")
	e.String(m.class.String())
	e.Key("considered")
	e.Int(int64(m.considered))
	e.Key("candidates")
	e.BeginArray()
	for i := range m.cands {
		c := &m.cands[i]
		e.BeginObject()
		e.Key("driver")
		st.tmp = appendID(st.tmp[:0], 'd', uint64(c.Driver), 5)
		e.RawString(st.tmp)
		e.Key("lat")
		e.Fixed(c.Pos.Lat, 5)
		e.Key("lon")
		e.Fixed(c.Pos.Lon, 5)
		e.Key("zone")
		e.RawString(geo.AppendGeohash(st.zone[:0], c.Pos, 7))
		e.Key("distance_m")
		e.Fixed(c.Meters, 0)
		e.Key("eta_s")
		e.Fixed(c.ETA, 0)
		e.Key("rating")
		e.Fixed(c.Rating, 2)
		e.Key("score")
		e.Fixed(c.Score, 1)
		e.EndObject()
	}
	e.EndArray()
	e.EndObject()
}

// locationsRequest decodes {"updates":[{...}, ...]} into the state's slice.
type locationsRequest struct {
	st       *state
	rejected int
}

func (l *locationsRequest) DecodeField(d *jsonx.Decoder, key []byte) {
	if string(key) != "updates" {
		d.Skip()
		return
	}
	for more := d.BeginArray(); more; more = d.NextElement() {
		if len(l.st.ups) == maxUpdates {
			d.Fail(errTooMany)
			return
		}
		var u updateJSON
		d.Object(&u)
		p := geo.Point{Lat: u.u.Lat, Lon: u.u.Lon}
		if u.hasPos != 2 || !p.Valid() {
			l.rejected++
			continue
		}
		l.st.ups = append(l.st.ups, dispatch.Update{
			Driver:    uint32(min(u.u.Driver, 1<<32-1)),
			Pos:       p,
			Heading:   u.u.Heading,
			Speed:     u.u.Speed,
			Available: u.u.Available,
		})
	}
}

// handleLocations applies a batch of driver position reports:
//
//	POST /v1/drivers/locations
//	{"updates":[{"driver":"d-00042","lat":..,"lon":..,"heading":..,
//	             "speed":..,"available":true}, ...]}
func (s *Server) handleLocations(w http.ResponseWriter, r *http.Request) {
	st := s.getState()
	defer s.putState(st)
	st.ups = st.ups[:0]
	req := locationsRequest{st: st}
	if !s.decode(w, r, RouteLocations, st, &req) {
		return
	}
	accepted := s.fleet.Apply(st.ups)
	s.writeJSON(w, RouteLocations, st, &locationsResponse{
		accepted: accepted,
		rejected: req.rejected + len(st.ups) - accepted,
	})
}

type locationsResponse struct {
	accepted, rejected int
}

func (l *locationsResponse) MarshalJSONTo(e *jsonx.Encoder) {
	e.BeginObject()
	e.Key("accepted")
	e.Int(int64(l.accepted))
	e.Key("rejected")
	e.Int(int64(l.rejected))
	e.EndObject()
}

// handleTrip returns a past trip with its route:
//
//	GET /v1/trips/t-000123
func (s *Server) handleTrip(w http.ResponseWriter, r *http.Request) {
	st := s.getState()
	defer s.putState(st)
	st.tmp = append(st.tmp[:0], r.PathValue("id")...)
	id, ok := parseID(st.tmp, 't')
	if !ok {
		s.fail(w, RouteTrip, http.StatusBadRequest, st, errBadID.Error())
		return
	}
	t := s.trips[id]
	if t == nil {
		s.fail(w, RouteTrip, http.StatusNotFound, st, "no such trip")
		return
	}
	st.enc.Reset()
	(&tripResponse{t: t, st: st}).MarshalJSONTo(&st.enc)
	etag := geo.FNV64aBytes(st.enc.Bytes())
	st.tmp = appendHex64(append(st.tmp[:0], '"'), etag)
	st.tmp = append(st.tmp, '"')
	w.Header()["Etag"] = []string{string(st.tmp)}
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == string(st.tmp) {
		w.WriteHeader(http.StatusNotModified)
		s.metrics.Record(RouteTrip, http.StatusNotModified, 0)
		return
	}
	s.reply(w, RouteTrip, http.StatusOK, st)
}

type tripResponse struct {
	t  *tripRecord
	st *state
}

func (tr *tripResponse) MarshalJSONTo(e *jsonx.Encoder) {
	t, st := tr.t, tr.st
	e.BeginObject()
	e.Key("id")
	e.RawString(appendID(st.tmp[:0], 't', t.ID, 6))
	e.Key("rider")
	e.RawString(appendID(st.tmp[:0], 'r', t.Rider, 6))
	e.Key("driver")
	e.RawString(appendID(st.tmp[:0], 'd', uint64(t.Driver), 5))
	e.Key("class")
	e.String(t.Class.String())
	e.Key("status")
	if t.Finished {
		e.String("finished")
	} else {
		e.String("cancelled")
	}
	e.Key("started")
	e.Int(t.Started)
	e.Key("pickup")
	encodePoint(e, t.Pickup)
	e.Key("dropoff")
	encodePoint(e, t.Dropoff)
	e.Key("pickup_zone")
	e.RawString(geo.AppendGeohash(st.zone[:0], t.Pickup, 7))
	e.Key("dropoff_zone")
	e.RawString(geo.AppendGeohash(st.zone[:0], t.Dropoff, 7))
	e.Key("distance_m")
	e.Fixed(t.Meters, 1)
	e.Key("duration_s")
	e.Fixed(t.Seconds, 0)
	e.Key("bearing")
	e.Fixed(geo.Bearing(t.Pickup, t.Dropoff), 1)
	e.Key("fare")
	encodeFare(e, &t.Fare)
	e.Key("polyline")
	st.tmp = geo.AppendPolyline(st.tmp[:0], t.Route)
	e.StringBytes(st.tmp)
	e.EndObject()
}

func encodePoint(e *jsonx.Encoder, p geo.Point) {
	e.BeginObject()
	e.Key("lat")
	e.Fixed(p.Lat, 5)
	e.Key("lon")
	e.Fixed(p.Lon, 5)
	e.EndObject()
}
