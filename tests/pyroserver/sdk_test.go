package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/grafana/pyroscope-go"
	typesv1 "github.com/grafana/pyroscope/api/gen/proto/go/types/v1"
)

// TestRealSDK runs the real pyroscope-go SDK in this process against the
// server and checks that what it pushes is ingested and queryable: the
// server is only useful if it accepts exactly what the SDK sends.
func TestRealSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("profiles for ~1.5s")
	}
	e := newEnv(t, Config{BasicAuth: "sdk:pw", TenantRequired: true})
	prof, err := pyroscope.Start(pyroscope.Config{
		ApplicationName:   "sdk-test",
		ServerAddress:     e.ts.URL,
		BasicAuthUser:     "sdk",
		BasicAuthPassword: "pw",
		TenantID:          "sdk-tenant",
		Tags:              map[string]string{"region": "eu"},
		UploadRate:        500 * time.Millisecond,
		ProfileTypes:      []pyroscope.ProfileType{pyroscope.ProfileCPU},
	})
	if err != nil {
		t.Fatal(err)
	}
	sdkBurn(1500 * time.Millisecond)
	prof.Flush(true)
	_ = prof.Stop()

	reqs := e.srv.reqlog.list("Ingest")
	if len(reqs) < 2 {
		t.Fatalf("%d uploads in 1.5s at a 500ms upload rate", len(reqs))
	}
	for _, r := range reqs {
		if r.Status != 200 {
			t.Errorf("upload answered %d", r.Status)
		}
		q, _ := url.ParseQuery(r.Query)
		if !strings.HasPrefix(q.Get("name"), "sdk-test{") || q.Get("spyName") != "gospy" || q.Get("from") == "" || q.Has("format") {
			t.Errorf("unexpected upload query %q", r.Query)
		}
		if !strings.HasPrefix(r.Headers["Content-Type"][0], "multipart/form-data") || r.AuthorizationScheme != "Basic" ||
			r.Headers["X-Scope-Orgid"][0] != "sdk-tenant" {
			t.Errorf("unexpected upload headers %v (auth %q)", r.Headers, r.AuthorizationScheme)
		}
	}

	tenant := map[string]string{"X-Scope-OrgID": "sdk-tenant", "Authorization": "Basic c2RrOnB3"}
	p := e.mustQuery(queryOpts{
		selector: `{service_name="sdk-test",region="eu"}`,
		goPGO:    &typesv1.GoPGO{KeepLocations: 5, AggregateCallees: true},
		header:   tenant,
	})
	flat := map[string]int64{}
	for _, s := range p.Sample {
		flat[s.Location[0].Line[0].Function.Name] += s.Value[0]
	}
	var top string
	for fn, v := range flat {
		if top == "" || v > flat[top] {
			top = fn
		}
	}
	if !strings.HasSuffix(top, ".sdkBurn") {
		t.Errorf("top function %q (%v), want sdkBurn", top, flat)
	}
	for _, f := range p.Function {
		if f.StartLine == 0 && strings.HasPrefix(f.Name, "pgo-go/") {
			t.Errorf("SDK profile lacks start_line for %s", f.Name)
		}
	}
}

// sdkBurn keeps its CPU time flat in itself, so it tops the profile.
//
//go:noinline
func sdkBurn(d time.Duration) uint64 {
	h := uint64(14695981039346656037)
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		for i := range 100000 {
			h ^= uint64(i)
			h *= 1099511628211
		}
	}
	return h
}
