package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/rideshare/internal/city"
	"example.com/rideshare/internal/geo"
	"example.com/rideshare/internal/workload"
)

func do(t *testing.T, h http.Handler, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decodeJSON(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, w.Body)
	}
}

type fareJSON struct {
	Currency                                   string
	Base, Distance, Time, Surge, Booking, Fees float64
	Discount, Total                            float64
}

func TestQuote(t *testing.T) {
	srv := NewServer(Options{Seed: 1})
	pickup := geo.Offset(city.Center, -3000, -1000)
	dropoff := geo.Offset(city.Center, 3000, 1000) // the first leg crosses the center
	body := fmt.Sprintf(`{"rider":"r-000042","pickup":{"lat":%f,"lon":%f},"dropoff":{"lat":%f,"lon":%f},
		"classes":["standard","xl","pool"],"riders":2,"ts":1735732800,"route":true,"unknown":[1,{"x":null}]}`,
		pickup.Lat, pickup.Lon, dropoff.Lat, dropoff.Lon)
	w := do(t, srv, "POST", "/v1/quote", body)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var resp struct {
		QuoteID  string  `json:"quote_id"`
		Zone     string  `json:"zone"`
		Distance float64 `json:"distance_m"`
		Duration float64 `json:"duration_s"`
		Turns    int     `json:"turns"`
		ZoneFees []struct {
			Zone string
			Fee  float64
		} `json:"zone_fees"`
		Quotes []struct {
			Class string
			Surge float64
			Fare  fareJSON
		}
		Polyline string
	}
	decodeJSON(t, w, &resp)
	if !strings.HasPrefix(resp.QuoteID, "q-") || len(resp.QuoteID) != 18 {
		t.Errorf("quote_id %q", resp.QuoteID)
	}
	if want := geo.Geohash(pickup, SurgePrecision); resp.Zone != want {
		t.Errorf("zone %q, want %q", resp.Zone, want)
	}
	// A grid route is the sum of the two legs.
	straight := geo.HaversineDistance(pickup, dropoff)
	if resp.Distance < straight || resp.Distance > straight*1.5 {
		t.Errorf("distance %.0f m for %.0f m as the crow flies", resp.Distance, straight)
	}
	if resp.Duration <= resp.Distance/20 || resp.Turns != 1 {
		t.Errorf("duration %.0f s, turns %d", resp.Duration, resp.Turns)
	}
	var charged bool
	for _, f := range resp.ZoneFees {
		charged = charged || f.Zone == "congestion-charge" && f.Fee == 2.5
	}
	if !charged {
		t.Errorf("route through the center not charged the congestion fee: %+v", resp.ZoneFees)
	}
	if len(resp.Quotes) != 3 {
		t.Fatalf("%d quotes, want 3", len(resp.Quotes))
	}
	for i, class := range []string{"standard", "xl", "pool"} {
		q := resp.Quotes[i]
		f := q.Fare
		if q.Class != class || f.Currency != "EUR" || q.Surge < 1 {
			t.Errorf("quote %d: %+v", i, q)
		}
		sum := math.Max(f.Base+f.Distance+f.Time+f.Surge, 0) + f.Booking - f.Discount
		if f.Total < sum+f.Fees-0.011 && f.Total < 4.5 {
			t.Errorf("%s: total %.2f below its parts %+v", class, f.Total, f)
		}
		if f.Fees < 2.5 {
			t.Errorf("%s: fees %.2f", class, f.Fees)
		}
	}
	if pool, std := resp.Quotes[2].Fare.Total, resp.Quotes[0].Fare.Total; pool >= std {
		t.Errorf("pool %.2f not cheaper than standard %.2f", pool, std)
	}
	pts, err := geo.DecodePolyline(resp.Polyline)
	if err != nil || len(pts) < 50 {
		t.Fatalf("polyline: %d points, %v", len(pts), err)
	}
	if d := geo.HaversineDistance(pts[0], pickup); d > 2 {
		t.Errorf("route starts %.1f m from the pickup", d)
	}
	if d := geo.HaversineDistance(pts[len(pts)-1], dropoff); d > 2 {
		t.Errorf("route ends %.1f m from the dropoff", d)
	}
}

func TestQuotePromoAndErrors(t *testing.T) {
	srv := NewServer(Options{Seed: 1})
	base := `{"rider":"r-1","pickup":{"lat":52.51,"lon":13.39},"dropoff":{"lat":52.53,"lon":13.42},"class":"standard","ts":1735732800%s}`
	var plain, promo struct{ Quotes []struct{ Fare fareJSON } }
	decodeJSON(t, do(t, srv, "POST", "/v1/quote", fmt.Sprintf(base, "")), &plain)
	decodeJSON(t, do(t, srv, "POST", "/v1/quote", fmt.Sprintf(base, `,"promo":"WELCOME10"`)), &promo)
	if d := promo.Quotes[0].Fare.Discount; d <= 0 || promo.Quotes[0].Fare.Total >= plain.Quotes[0].Fare.Total {
		t.Errorf("promo: discount %.2f, total %.2f vs %.2f", d, promo.Quotes[0].Fare.Total, plain.Quotes[0].Fare.Total)
	}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"malformed", `{"rider":`, 400},
		{"trailing garbage", `{"rider":"r-1"} x`, 400},
		{"unknown class", strings.Replace(fmt.Sprintf(base, ""), "standard", "rocket", 1), 400},
		{"bad rider", strings.Replace(fmt.Sprintf(base, ""), "r-1", "x-1", 1), 400},
		{"missing dropoff", `{"rider":"r-1","pickup":{"lat":52.5,"lon":13.4},"class":"xl"}`, 400},
		{"out of range", strings.Replace(fmt.Sprintf(base, ""), "52.51", "95.1", 1), 400},
		{"too many riders", fmt.Sprintf(base, `,"riders":12`), 400},
	} {
		w := do(t, srv, "POST", "/v1/quote", tc.body)
		var e struct{ Error string }
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, w.Code, tc.status, w.Body)
			continue
		}
		decodeJSON(t, w, &e)
		if e.Error == "" {
			t.Errorf("%s: no error message", tc.name)
		}
	}
	if w := do(t, srv, "GET", "/v1/quote", ""); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET /v1/quote: status %d", w.Code)
	}
	if srv.Metrics().Snapshot()["quote"][1] != 7 {
		t.Errorf("error count %v", srv.Metrics().Snapshot()["quote"])
	}
}

type matchJSON struct {
	Zone       string
	Class      string
	Considered int
	Candidates []struct {
		Driver   string
		Lat, Lon float64
		Zone     string
		Distance float64 `json:"distance_m"`
		ETA      float64 `json:"eta_s"`
		Rating   float64
		Score    float64
	}
}

func TestMatchAndLocations(t *testing.T) {
	srv := NewServer(Options{Seed: 1})
	// Put driver 42 (class standard or not) right next to a quiet pickup.
	d42, _ := srv.fleet.Driver(42)
	pickup := geo.Offset(city.Center, -11000, 9000)
	spot := geo.Offset(pickup, 20, 0)
	w := do(t, srv, "POST", "/v1/drivers/locations", fmt.Sprintf(
		`{"updates":[{"driver":"d-00042","lat":%f,"lon":%f,"heading":90,"speed":0,"available":true},
		{"driver":"d-00043","lat":123,"lon":0},{"driver":"d-99999","lat":52.5,"lon":13.4}]}`, spot.Lat, spot.Lon))
	var loc struct{ Accepted, Rejected int }
	decodeJSON(t, w, &loc)
	if loc.Accepted != 1 || loc.Rejected != 2 {
		t.Fatalf("locations: %+v", loc)
	}
	if d, _ := srv.fleet.Driver(42); geo.HaversineDistance(d.Pos, spot) > 0.5 || !d.Available {
		t.Fatalf("driver 42 not moved: %+v", d)
	}

	w = do(t, srv, "POST", "/v1/match", fmt.Sprintf(
		`{"rider":"r-7","pickup":{"lat":%f,"lon":%f},"class":%q,"radius_m":3000,"limit":4}`,
		pickup.Lat, pickup.Lon, d42.Class))
	if w.Code != http.StatusOK {
		t.Fatalf("match: %d %s", w.Code, w.Body)
	}
	var m matchJSON
	decodeJSON(t, w, &m)
	if m.Class != d42.Class.String() || m.Considered == 0 || len(m.Candidates) == 0 || len(m.Candidates) > 4 {
		t.Fatalf("match: %+v", m)
	}
	found := false
	for i, c := range m.Candidates {
		found = found || c.Driver == "d-00042"
		if c.Distance > 3000 {
			t.Errorf("candidate %s %.0f m away", c.Driver, c.Distance)
		}
		if i > 0 && c.Score < m.Candidates[i-1].Score {
			t.Errorf("candidates not ordered by score: %+v", m.Candidates)
		}
	}
	if !found && d42.Class.String() != "xl" && d42.Class.String() != "lux" {
		// Premium classes also require a rating; the others must find it.
		t.Errorf("driver 42 (%s) at %.0f m not matched: %+v", d42.Class, geo.HaversineDistance(pickup, spot), m.Candidates)
	}
}

func TestTrip(t *testing.T) {
	srv := NewServer(Options{Seed: 1})
	w := do(t, srv, "GET", "/v1/trips/t-000007", "")
	var trip struct {
		ID, Rider, Driver, Class, Status string
		Pickup, Dropoff                  struct{ Lat, Lon float64 }
		Distance                         float64 `json:"distance_m"`
		Fare                             fareJSON
		Polyline                         string
	}
	decodeJSON(t, w, &trip)
	if trip.ID != "t-000007" || !strings.HasPrefix(trip.Driver, "d-") || trip.Fare.Total <= 0 {
		t.Fatalf("trip: %+v", trip)
	}
	pts, err := geo.DecodePolyline(trip.Polyline)
	if err != nil || len(pts) < 2 {
		t.Fatalf("polyline: %v", err)
	}
	etag := w.Header().Get("Etag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if w := do(t, srv, "GET", "/v1/trips/t-000007", "", "If-None-Match", etag); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d", w.Code)
	}
	if w := do(t, srv, "GET", "/v1/trips/t-999999", ""); w.Code != http.StatusNotFound {
		t.Errorf("unknown trip: status %d", w.Code)
	}
	if w := do(t, srv, "GET", "/v1/trips/7", ""); w.Code != http.StatusBadRequest {
		t.Errorf("bad id: status %d", w.Code)
	}
}

// TestWorkload replays the load generator's mix: every request succeeds
// and every answer is valid JSON.
func TestWorkload(t *testing.T) {
	srv := NewServer(Options{Seed: 1})
	var kinds [workload.NumKinds]int
	for i, r := range workload.Batch(1, 2000) {
		w := do(t, srv, r.Method, r.Path, string(r.Body))
		if w.Code != http.StatusOK || !json.Valid(w.Body.Bytes()) {
			t.Fatalf("request %d %s %s: status %d\n%s\n%s", i, r.Method, r.Path, w.Code, r.Body, w.Body)
		}
		kinds[r.Kind]++
	}
	for k, n := range kinds {
		if want := workload.Mix[k] * 20; n < want*7/10 || n > want*13/10 {
			t.Errorf("%s: %d of 2000 requests, want about %d", workload.Kind(k), n, want)
		}
	}
}

// TestDeterministic checks that the world and the answers depend only on
// the seed: the benchmark and the load generator see the same service.
func TestDeterministic(t *testing.T) {
	a, b := NewServer(Options{Seed: 3}), NewServer(Options{Seed: 3})
	for _, r := range workload.Batch(5, 300) {
		wa := do(t, a, r.Method, r.Path, string(r.Body))
		wb := do(t, b, r.Method, r.Path, string(r.Body))
		if wa.Body.String() != wb.Body.String() {
			t.Fatalf("%s %s: answers differ\n%s\n%s", r.Method, r.Path, wa.Body, wb.Body)
		}
	}
}
