package main

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"time"

	"github.com/google/pprof/profile"
	"google.golang.org/protobuf/proto"
)

// handlePprof serves GET /debug/pprof/profile?seconds=N&service=NAME: the
// tenant's stored CPU data for that service, merged but not reduced, as a
// gzipped pprof — what a service's own net/http/pprof endpoint returns, for
// pgo-go's "raw pprof URL" source. seconds is validated but not waited on:
// the data is already here, and tests should not sleep. Without service,
// every service's CPU data is merged.
func (s *Server) handlePprof(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "pprof wants GET", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	if sec := q.Get("seconds"); sec != "" {
		if n, err := strconv.Atoi(sec); err != nil || n < 0 {
			http.Error(w, "bad seconds", http.StatusBadRequest)
			return
		}
	}
	service := q.Get("service")

	var parts []*profile.Profile
	for _, e := range s.store.Entries(tenantOf(r.Context()), time.Time{}, time.Time{}) {
		if e.Name != "process_cpu" || service != "" && e.Labels["service_name"] != service {
			continue
		}
		// Profiles of another shape (hand-made ones) cannot be merged
		// with the SDK's; the first one seen decides.
		if len(parts) > 0 && !sameTypes(parts[0], e.Profile) {
			continue
		}
		parts = append(parts, e.Profile)
	}
	p := emptyCPUProfile()
	if len(parts) > 0 {
		var err error
		if p, err = profile.Merge(parts); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	pb, err := toProto(p)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	applyProfileFault(r.Context(), pb)
	raw, err := proto.Marshal(pb)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	_, _ = zw.Write(raw)
	_ = zw.Close()

	// The headers net/http/pprof sends.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="profile"`)
	w.Header().Set("Content-Length", strconv.Itoa(body.Len()))
	_, _ = w.Write(body.Bytes())
}

func sameTypes(a, b *profile.Profile) bool {
	if len(a.SampleType) != len(b.SampleType) || a.PeriodType == nil || b.PeriodType == nil ||
		*a.PeriodType != *b.PeriodType {
		return false
	}
	for i := range a.SampleType {
		if *a.SampleType[i] != *b.SampleType[i] {
			return false
		}
	}
	return true
}

// emptyCPUProfile is what a Go service's CPU profile looks like when it
// recorded nothing.
func emptyCPUProfile() *profile.Profile {
	return &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10000000,
		TimeNanos:  time.Now().UnixNano(),
	}
}
