package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/pprof/profile"
	googlev1 "github.com/grafana/pyroscope/api/gen/proto/go/google/v1"
	querierv1 "github.com/grafana/pyroscope/api/gen/proto/go/querier/v1"
	"github.com/grafana/pyroscope/api/gen/proto/go/querier/v1/querierv1connect"
	typesv1 "github.com/grafana/pyroscope/api/gen/proto/go/types/v1"
	"google.golang.org/protobuf/proto"
)

const cpuType = "process_cpu:cpu:nanoseconds:cpu:nanoseconds"

// testEnv is a server on a real loopback listener plus a Connect client.
type testEnv struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	base   string // API base URL (with the path prefix, if any)
	client querierv1connect.QuerierServiceClient
}

func newEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	cfg.Control = true
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv) // listens on 127.0.0.1
	t.Cleanup(func() {
		srv.Close() // release hanging handlers, or ts.Close would wait
		ts.Close()
	})
	base := ts.URL + strings.TrimSuffix(cfg.PathPrefix, "/")
	return &testEnv{
		t: t, srv: srv, ts: ts, base: base,
		client: querierv1connect.NewQuerierServiceClient(ts.Client(), base),
	}
}

// fault installs a fault through the control API, as a test script would.
func (e *testEnv) fault(spec string) {
	e.t.Helper()
	resp, err := http.Post(e.ts.URL+"/control/fault", "application/json", strings.NewReader(spec))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("POST /control/fault %s: %d %s", spec, resp.StatusCode, body)
	}
}

// ingest pushes p as the SDK does (multipart) or as ?format=pprof (raw).
func (e *testEnv) ingest(name string, from time.Time, p *profile.Profile, multipartBody bool, hdr map[string]string) {
	e.t.Helper()
	raw, err := encodeProfile(p)
	if err != nil {
		e.t.Fatal(err)
	}
	q := url.Values{}
	q.Set("name", name)
	q.Set("from", fmt.Sprint(from.UnixNano()))
	q.Set("until", fmt.Sprint(from.Add(10*time.Second).UnixNano()))
	q.Set("spyName", "gospy")
	q.Set("sampleRate", "100")
	var body bytes.Buffer
	ct := "binary/octet-stream"
	if multipartBody {
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("profile", "profile.pprof")
		_, _ = fw.Write(raw)
		_ = mw.Close()
		ct = mw.FormDataContentType()
	} else {
		q.Set("format", "pprof")
		body.Write(raw)
	}
	req, _ := http.NewRequest(http.MethodPost, e.base+"/ingest?"+q.Encode(), &body)
	req.Header.Set("Content-Type", ct)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("ingest: %d %s", resp.StatusCode, msg)
	}
}

type queryOpts struct {
	selector string
	start    time.Time
	end      time.Time
	goPGO    *typesv1.GoPGO
	maxNodes int64
	header   map[string]string
}

// mustReq is a valid SelectMergeProfile request for service svc.
func mustReq() *querierv1.SelectMergeProfileRequest {
	now := time.Now()
	return &querierv1.SelectMergeProfileRequest{
		ProfileTypeID: cpuType, LabelSelector: `{service_name="svc"}`,
		Start: now.Add(-time.Hour).UnixMilli(), End: now.Add(time.Minute).UnixMilli(),
	}
}

func (e *testEnv) query(o queryOpts) (*googlev1.Profile, error) {
	if o.end.IsZero() {
		o.end = time.Now().Add(time.Minute)
	}
	if o.start.IsZero() {
		o.start = o.end.Add(-time.Hour)
	}
	msg := &querierv1.SelectMergeProfileRequest{
		ProfileTypeID: cpuType,
		LabelSelector: o.selector,
		Start:         o.start.UnixMilli(),
		End:           o.end.UnixMilli(),
	}
	if o.goPGO != nil {
		msg.StackTraceSelector = &typesv1.StackTraceSelector{GoPgo: o.goPGO}
	}
	if o.maxNodes > 0 {
		msg.MaxNodes = &o.maxNodes
	}
	req := connect.NewRequest(msg)
	for k, v := range o.header {
		req.Header().Set(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := e.client.SelectMergeProfile(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

func (e *testEnv) mustQuery(o queryOpts) *profile.Profile {
	e.t.Helper()
	pb, err := e.query(o)
	if err != nil {
		e.t.Fatalf("SelectMergeProfile(%s): %v", o.selector, err)
	}
	return fromProto(e.t, pb)
}

func fromProto(t *testing.T, pb *googlev1.Profile) *profile.Profile {
	t.Helper()
	raw, err := proto.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.ParseUncompressed(raw)
	if err != nil {
		t.Fatalf("answer is not a valid pprof: %v", err)
	}
	return p
}

// builder makes synthetic Go-like CPU profiles (samples/count and
// cpu/nanoseconds, period 10ms) with functions that carry start lines.
type builder struct {
	p     *profile.Profile
	funcs map[string]*profile.Function
	locs  map[string]*profile.Location
}

func newBuilder() *builder {
	m := &profile.Mapping{ID: 1, Start: 0x400000, Limit: 0x800000, File: "/bin/app", HasFunctions: true}
	return &builder{
		p: &profile.Profile{
			SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
			PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
			Period:     10_000_000,
			Mapping:    []*profile.Mapping{m},
		},
		funcs: map[string]*profile.Function{},
		locs:  map[string]*profile.Location{},
	}
}

func (b *builder) fn(name string) *profile.Function {
	if f, ok := b.funcs[name]; ok {
		return f
	}
	f := &profile.Function{ID: uint64(len(b.p.Function) + 1), Name: name, SystemName: name,
		Filename: "/src/" + strings.ReplaceAll(name, ".", "/") + ".go", StartLine: int64(10 * (len(b.p.Function) + 1))}
	b.p.Function = append(b.p.Function, f)
	b.funcs[name] = f
	return f
}

// loc makes a location from "fn:line" frames, innermost (inlined) first,
// e.g. "main.inl:31,main.mid:25".
func (b *builder) loc(frames string) *profile.Location {
	if l, ok := b.locs[frames]; ok {
		return l
	}
	l := &profile.Location{ID: uint64(len(b.p.Location) + 1), Mapping: b.p.Mapping[0],
		Address: 0x401000 + uint64(len(b.p.Location))*16}
	for fr := range strings.SplitSeq(frames, ",") {
		name, line, _ := strings.Cut(fr, ":")
		var n int64
		fmt.Sscan(line, &n)
		l.Line = append(l.Line, profile.Line{Function: b.fn(name), Line: n})
	}
	b.p.Location = append(b.p.Location, l)
	b.locs[frames] = l
	return l
}

// sample adds count samples of stack (locations separated by ";", leaf
// first) with optional pprof labels "k=v".
func (b *builder) sample(count int64, stack string, labels ...string) *builder {
	s := &profile.Sample{Value: []int64{count, count * 10_000_000}}
	for fr := range strings.SplitSeq(stack, ";") {
		s.Location = append(s.Location, b.loc(fr))
	}
	for _, kv := range labels {
		k, v, _ := strings.Cut(kv, "=")
		if s.Label == nil {
			s.Label = map[string][]string{}
		}
		s.Label[k] = append(s.Label[k], v)
	}
	b.p.Sample = append(b.p.Sample, s)
	return b
}

func (b *builder) build() *profile.Profile {
	b.p.TimeNanos = time.Now().UnixNano()
	b.p.DurationNanos = int64(10 * time.Second)
	if err := b.p.CheckValid(); err != nil {
		panic(err)
	}
	return b.p
}

// deepStack is leaf-first and 8 frames deep, deeper than keep_locations=5.
const deepStack = "main.leaf:12;main.mid:22;main.d1:1;main.d2:2;main.d3:3;main.d4:4;main.main:5;runtime.main:6"

func standardProfile() *profile.Profile {
	return newBuilder().
		sample(3, deepStack, "span=a").
		sample(2, strings.Replace(deepStack, "main.leaf:12", "main.leaf:13", 1), "span=b").
		sample(5, "main.inl:31,main.mid:25;main.main:7;runtime.main:6").
		sample(1, "main.other:40;main.main:8;runtime.main:6").
		build()
}

// stacks renders a profile as sorted "value: fn:line|fn:line;…" lines
// (leaf first), independent of ids and table order.
func stacks(p *profile.Profile, vi int) []string {
	agg := map[string]int64{}
	for _, s := range p.Sample {
		var fr []string
		for _, l := range s.Location {
			var ls []string
			for _, ln := range l.Line {
				ls = append(ls, fmt.Sprintf("%s:%d", ln.Function.Name, ln.Line))
			}
			fr = append(fr, strings.Join(ls, "|"))
		}
		agg[strings.Join(fr, ";")] += s.Value[vi]
	}
	var out []string
	for k, v := range agg {
		out = append(out, fmt.Sprintf("%d: %s", v, k))
	}
	sort.Strings(out)
	return out
}

func total(p *profile.Profile) int64 {
	var t int64
	for _, s := range p.Sample {
		t += s.Value[0]
	}
	return t
}

// rawPost sends a SelectMergeProfile request by hand, for the faults whose
// effect is below what a Connect client reports.
func (e *testEnv) rawPost(client *http.Client, hdr map[string]string) (*http.Response, error) {
	body, _ := proto.Marshal(mustReq())
	req, _ := http.NewRequest(http.MethodPost, e.base+querierv1connect.QuerierServiceSelectMergeProfileProcedure, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/proto")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if client == nil {
		client = &http.Client{Transport: &http.Transport{DisableCompression: true}}
	}
	return client.Do(req)
}

// encodeProfile writes p as a gzipped pprof, as the SDK uploads it.
func encodeProfile(p *profile.Profile) ([]byte, error) {
	var buf bytes.Buffer
	err := p.Write(&buf)
	return buf.Bytes(), err
}
