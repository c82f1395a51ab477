package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/pprof/profile"
	googlev1 "github.com/grafana/pyroscope/api/gen/proto/go/google/v1"
	querierv1 "github.com/grafana/pyroscope/api/gen/proto/go/querier/v1"
	typesv1 "github.com/grafana/pyroscope/api/gen/proto/go/types/v1"
	"google.golang.org/protobuf/proto"
)

func TestIngestAndMerge(t *testing.T) {
	e := newEnv(t, Config{})
	now := time.Now()
	e.ingest("svc{region=eu,env=prod}", now.Add(-2*time.Minute), standardProfile(), true, nil)
	e.ingest("svc{region=us}", now.Add(-time.Minute), standardProfile(), false, nil)
	e.ingest("other", now.Add(-time.Minute), newBuilder().sample(7, "main.x:1").build(), true, nil)

	one := standardProfile()
	oneTotal := total(one) * 10_000_000 // cpu/nanoseconds of one upload

	cases := []struct {
		sel  string
		want int64
	}{
		{`{service_name="svc"}`, 2 * oneTotal},
		{`{service_name="svc",region="eu"}`, oneTotal},
		{`{service_name="svc",region!="eu"}`, oneTotal},
		{`{service_name=~"s.c"}`, 2 * oneTotal},
		{`{service_name=~"s"}`, 0}, // regexps are anchored
		{`{service_name=~".+",service_name!~"svc|x"}`, 70_000_000},
		{`{service_name="svc",span="a"}`, 2 * 3 * 10_000_000}, // pprof labels select too
		{`{service_name="other"}`, 70_000_000},
		{`{service_name="nope"}`, 0},
		{`{__name__="process_cpu",service_name="svc", env = "prod"}`, oneTotal},
	}
	for _, c := range cases {
		p := e.mustQuery(queryOpts{selector: c.sel})
		if got := total(p); got != c.want {
			t.Errorf("%s: total %d, want %d", c.sel, got, c.want)
		}
		if len(p.SampleType) != 1 || p.SampleType[0].Type != "cpu" || p.SampleType[0].Unit != "nanoseconds" {
			t.Errorf("%s: sample types %v, want just cpu/nanoseconds", c.sel, p.SampleType)
		}
	}

	// Merged, not reduced: whole stacks, original lines, no labels.
	p := e.mustQuery(queryOpts{selector: `{service_name="svc"}`})
	want := []string{
		"100000000: main.inl:31|main.mid:25;main.main:7;runtime.main:6",
		"20000000: main.other:40;main.main:8;runtime.main:6",
		"40000000: main.leaf:13;main.mid:22;main.d1:1;main.d2:2;main.d3:3;main.d4:4;main.main:5;runtime.main:6",
		"60000000: main.leaf:12;main.mid:22;main.d1:1;main.d2:2;main.d3:3;main.d4:4;main.main:5;runtime.main:6",
	}
	if got := stacks(p, 0); !slices.Equal(got, want) {
		t.Errorf("merged stacks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range p.Sample {
		if len(s.Label) > 0 {
			t.Errorf("merged sample keeps labels %v", s.Label)
		}
	}

	// The time range is honoured: [start, end).
	p = e.mustQuery(queryOpts{selector: `{service_name="svc"}`, start: now.Add(-90 * time.Second), end: now})
	if got := total(p); got != oneTotal {
		t.Errorf("windowed total %d, want %d", got, oneTotal)
	}
	p = e.mustQuery(queryOpts{selector: `{service_name="svc"}`, start: now.Add(-3 * time.Minute), end: now.Add(-2 * time.Minute)})
	if got := total(p); got != 0 {
		t.Errorf("total before the data %d, want 0", got)
	}
}

func TestGoPGOReduction(t *testing.T) {
	e := newEnv(t, Config{})
	e.ingest("svc", time.Now().Add(-time.Minute), standardProfile(), true, nil)
	e.ingest("svc", time.Now().Add(-time.Minute), standardProfile(), true, nil)

	pb, err := e.query(queryOpts{selector: `{service_name="svc"}`, goPGO: &typesv1.GoPGO{KeepLocations: 5, AggregateCallees: true}})
	if err != nil {
		t.Fatal(err)
	}
	p := fromProto(t, pb)
	// Five leaf-most locations, leaf line 0, the two leaf lines (12, 13)
	// of the deep stack merged into one sample.
	want := []string{
		"100000000: main.inl:0|main.mid:25;main.main:7;runtime.main:6",
		"100000000: main.leaf:0;main.mid:22;main.d1:1;main.d2:2;main.d3:3",
		"20000000: main.other:0;main.main:8;runtime.main:6",
	}
	if got := stacks(p, 0); !slices.Equal(got, want) {
		t.Errorf("reduced stacks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.Sample) != 3 {
		t.Errorf("%d samples, want 3 (identical stacks merged)", len(p.Sample))
	}
	if len(p.SampleType) != 1 || p.SampleType[0].Type != "cpu" {
		t.Errorf("sample types %v", p.SampleType)
	}
	// Ids run from 1 in table order; every function has its start line;
	// nothing unreferenced is left.
	for i, l := range pb.Location {
		if l.Id != uint64(i+1) {
			t.Errorf("location %d has id %d", i, l.Id)
		}
	}
	for i, f := range pb.Function {
		if f.Id != uint64(i+1) {
			t.Errorf("function %d has id %d", i, f.Id)
		}
		if f.StartLine == 0 {
			t.Errorf("function %s lost its start line", pb.StringTable[f.Name])
		}
	}
	if len(pb.Function) != 9 { // inl mid main runtime.main leaf d1 d2 d3 other
		t.Errorf("%d functions, want 9", len(pb.Function))
	}
	for _, s := range pb.StringTable {
		if s == "main.d4" || s == "span" {
			t.Errorf("unreferenced string %q kept", s)
		}
	}

	// Without aggregate_callees leaf lines stay apart; keep 2.
	p = fromProto(t, must(e.query(queryOpts{selector: `{service_name="svc"}`, goPGO: &typesv1.GoPGO{KeepLocations: 2}})))
	want = []string{
		"100000000: main.inl:31|main.mid:25;main.main:7",
		"20000000: main.other:40;main.main:8",
		"40000000: main.leaf:13;main.mid:22",
		"60000000: main.leaf:12;main.mid:22",
	}
	if got := stacks(p, 0); !slices.Equal(got, want) {
		t.Errorf("keep=2 stacks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMaxNodes(t *testing.T) {
	e := newEnv(t, Config{})
	e.ingest("svc", time.Now().Add(-time.Minute), standardProfile(), true, nil)
	full := e.mustQuery(queryOpts{selector: `{service_name="svc"}`})
	p := e.mustQuery(queryOpts{selector: `{service_name="svc"}`, maxNodes: 3})
	if len(p.Function) > 4 { // 3 kept + "other" at most
		t.Errorf("max_nodes=3 left %d functions", len(p.Function))
	}
	if total(p) != total(full) {
		t.Errorf("max_nodes changed the total: %d != %d", total(p), total(full))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestQueryValidation(t *testing.T) {
	e := newEnv(t, Config{})
	now := time.Now()
	call := func(typ, sel string, start, end int64) error {
		_, err := e.client.SelectMergeProfile(context.Background(), connect.NewRequest(&querierv1.SelectMergeProfileRequest{
			ProfileTypeID: typ, LabelSelector: sel, Start: start, End: end}))
		return err
	}
	ms := now.UnixMilli()
	day := int64(24 * time.Hour / time.Millisecond)
	bad := []struct {
		name       string
		typ, sel   string
		start, end int64
	}{
		{"no start", cpuType, `{service_name="x"}`, 0, ms},
		{"no end", cpuType, `{service_name="x"}`, ms, 0},
		{"end before start", cpuType, `{service_name="x"}`, ms, ms - 1},
		{"empty range", cpuType, `{service_name="x"}`, ms, ms},
		{"over 24h", cpuType, `{service_name="x"}`, ms - day - 1, ms},
		{"bad type", "process_cpu:cpu", `{service_name="x"}`, ms - 1000, ms},
		{"empty selector", cpuType, ``, ms - 1000, ms},
		{"all-empty matchers", cpuType, `{}`, ms - 1000, ms},
		{"bad selector", cpuType, `{service_name=x}`, ms - 1000, ms},
		{"bad regexp", cpuType, `{service_name=~"("}`, ms - 1000, ms},
	}
	for _, c := range bad {
		err := call(c.typ, c.sel, c.start, c.end)
		if connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Errorf("%s: got %v, want invalid_argument", c.name, err)
		}
	}
	if err := call(cpuType, `{service_name="x"}`, ms-day, ms); err != nil {
		t.Errorf("exactly 24h: %v", err)
	}
	// No data is not an error: a valid profile without samples.
	pb, err := e.query(queryOpts{selector: `{service_name="none"}`})
	if err != nil || len(pb.Sample) != 0 || len(pb.SampleType) != 1 {
		t.Errorf("no data: %v, %v", pb, err)
	}
	// Methods pgo-go does not use are unimplemented.
	_, err = e.client.Series(context.Background(), connect.NewRequest(&querierv1.SeriesRequest{}))
	if connect.CodeOf(err) != connect.CodeUnimplemented {
		t.Errorf("Series: %v, want unimplemented", err)
	}
}

func TestTenants(t *testing.T) {
	e := newEnv(t, Config{})
	now := time.Now().Add(-time.Minute)
	e.ingest("svc", now, standardProfile(), true, map[string]string{"X-Scope-OrgID": "team-a"})
	e.ingest("svc", now, newBuilder().sample(1, "main.b:1").build(), true, map[string]string{"X-Scope-OrgID": "team-b"})
	e.ingest("svc", now, newBuilder().sample(2, "main.anon:1").build(), true, nil)

	for tenant, want := range map[string]int64{"team-a": total(standardProfile()) * 1e7, "team-b": 1e7, "": 2e7, "team-c": 0} {
		hdr := map[string]string{}
		if tenant != "" {
			hdr["X-Scope-OrgID"] = tenant
		}
		p := e.mustQuery(queryOpts{selector: `{service_name="svc"}`, header: hdr})
		if got := total(p); got != want {
			t.Errorf("tenant %q: total %d, want %d", tenant, got, want)
		}
	}

	req := newEnv(t, Config{TenantRequired: true})
	_, err := req.query(queryOpts{selector: `{service_name="svc"}`})
	if connect.CodeOf(err) != connect.CodeUnauthenticated || !strings.Contains(err.Error(), "no org id") {
		t.Errorf("tenant required, none sent: %v", err)
	}
	if _, err := req.query(queryOpts{selector: `{service_name="svc"}`, header: map[string]string{"X-Scope-OrgID": "a"}}); err != nil {
		t.Errorf("tenant required and sent: %v", err)
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, Config{BasicAuth: "user:secret", Bearer: "tok123"})
	sel := `{service_name="svc"}`
	for _, c := range []struct {
		auth string
		ok   bool
	}{
		{"", false},
		{"Basic dXNlcjpzZWNyZXQ=", true}, // user:secret
		{"Basic dXNlcjp3cm9uZw==", false},
		{"Bearer tok123", true},
		{"Bearer nope", false},
	} {
		hdr := map[string]string{}
		if c.auth != "" {
			hdr["Authorization"] = c.auth
		}
		_, err := e.query(queryOpts{selector: sel, header: hdr})
		if c.ok && err != nil || !c.ok && connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("Authorization %q: %v", c.auth, err)
		}
	}
	// The request log says whether credentials came, never what they were.
	var sawBasic bool
	for _, r := range e.srv.reqlog.list("SelectMergeProfile") {
		if _, ok := r.Headers["Authorization"]; ok {
			t.Errorf("request log holds the Authorization header")
		}
		sawBasic = sawBasic || r.AuthorizationPresent && r.AuthorizationScheme == "Basic"
	}
	if !sawBasic {
		t.Errorf("request log does not show Basic credentials were present")
	}
}

func TestLabelValuesAndProfileTypes(t *testing.T) {
	e := newEnv(t, Config{})
	now := time.Now().Add(-time.Minute)
	e.ingest("svc-a{region=eu}", now, standardProfile(), true, nil)
	e.ingest("svc-b{region=us}", now, standardProfile(), true, nil)
	e.ingest("svc-c", now.Add(-2*time.Hour), standardProfile(), true, nil)
	ctx := context.Background()
	lv := func(matchers []string, start, end int64) []string {
		resp, err := e.client.LabelValues(ctx, connect.NewRequest(&typesv1.LabelValuesRequest{
			Name: "service_name", Matchers: matchers, Start: start, End: end}))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Msg.Names
	}
	end := time.Now().UnixMilli()
	if got := lv(nil, end-3600_000, end); !slices.Equal(got, []string{"svc-a", "svc-b"}) {
		t.Errorf("last hour: %v", got)
	}
	if got := lv(nil, 0, 0); !slices.Equal(got, []string{"svc-a", "svc-b", "svc-c"}) {
		t.Errorf("all time: %v", got)
	}
	if got := lv([]string{`{region="us"}`}, 0, 0); !slices.Equal(got, []string{"svc-b"}) {
		t.Errorf("region=us: %v", got)
	}
	resp, err := e.client.ProfileTypes(ctx, connect.NewRequest(&querierv1.ProfileTypesRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, pt := range resp.Msg.ProfileTypes {
		ids = append(ids, pt.ID)
	}
	if want := []string{cpuType, "process_cpu:samples:count:cpu:nanoseconds"}; !slices.Equal(ids, want) {
		t.Errorf("profile types %v, want %v", ids, want)
	}
}

// A client that sends Accept-Encoding: gzip gets a gzipped binary answer.
func TestGzipAnswer(t *testing.T) {
	e := newEnv(t, Config{})
	e.ingest("svc", time.Now().Add(-time.Minute), standardProfile(), true, nil)
	for _, gz := range []bool{false, true} {
		hdr := map[string]string{}
		if gz {
			hdr["Accept-Encoding"] = "gzip"
		}
		resp, err := e.rawPost(nil, hdr)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/proto" {
			t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != gz {
			t.Fatalf("Accept-Encoding gzip=%v, Content-Encoding %q", gz, resp.Header.Get("Content-Encoding"))
		}
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		}
		var pb googlev1.Profile
		if err := proto.Unmarshal(body, &pb); err != nil || len(pb.Sample) == 0 {
			t.Fatalf("answer: %v, %d samples", err, len(pb.Sample))
		}
	}
}

func TestRawPprofURL(t *testing.T) {
	e := newEnv(t, Config{})
	now := time.Now().Add(-time.Minute)
	e.ingest("svc", now, standardProfile(), true, nil)
	e.ingest("svc", now, standardProfile(), false, nil)
	e.ingest("other", now, newBuilder().sample(1, "main.x:1").build(), true, nil)
	get := func(q string) *profile.Profile {
		resp, err := http.Get(e.ts.URL + "/debug/pprof/profile?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
			t.Fatalf("%s: status %d, gzipped=%v", q, resp.StatusCode, bytes.HasPrefix(body, []byte{0x1f, 0x8b}))
		}
		p, err := profile.ParseData(body)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := get("seconds=30&service=svc")
	if len(p.SampleType) != 2 {
		t.Errorf("raw profile has %d sample types, want both of the Go CPU profile's", len(p.SampleType))
	}
	if got, want := total(p), 2*total(standardProfile()); got != want {
		t.Errorf("raw total %d, want %d", got, want)
	}
	if got := stacks(p, 0); !strings.Contains(strings.Join(got, "\n"), "main.d4:4") {
		t.Errorf("raw profile is reduced: %v", got)
	}
	if p := get("service=nope"); len(p.Sample) != 0 {
		t.Errorf("unknown service has samples")
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, Config{DataDir: dir})
	e.ingest("svc", time.Now().Add(-time.Minute), standardProfile(), true, map[string]string{"X-Scope-OrgID": "t/1"})
	e2 := newEnv(t, Config{DataDir: dir})
	p := e2.mustQuery(queryOpts{selector: `{service_name="svc"}`, header: map[string]string{"X-Scope-OrgID": "t/1"}})
	if total(p) != total(standardProfile())*1e7 {
		t.Errorf("reloaded total %d", total(p))
	}
}

// Behind a Grafana data-source proxy the API lives under a path prefix.
func TestPathPrefix(t *testing.T) {
	e := newEnv(t, Config{PathPrefix: "/api/datasources/proxy/uid/pyro/"})
	e.ingest("svc", time.Now().Add(-time.Minute), standardProfile(), true, nil)
	if p := e.mustQuery(queryOpts{selector: `{service_name="svc"}`}); len(p.Sample) == 0 {
		t.Errorf("no samples through the prefix")
	}
	resp, err := http.Post(e.ts.URL+"/querier.v1.QuerierService/SelectMergeProfile", "application/proto", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unprefixed path: %d, want 404", resp.StatusCode)
	}
}
