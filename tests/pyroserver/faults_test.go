package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	googlev1 "github.com/grafana/pyroscope/api/gen/proto/go/google/v1"
	"github.com/grafana/pyroscope/api/gen/proto/go/querier/v1/querierv1connect"
	typesv1 "github.com/grafana/pyroscope/api/gen/proto/go/types/v1"
	"google.golang.org/protobuf/proto"
)

// faultEnv is a server holding one service's data, ready for faults.
func faultEnv(t *testing.T) *testEnv {
	e := newEnv(t, Config{})
	e.ingest("svc", time.Now().Add(-time.Minute), standardProfile(), true, nil)
	return e
}

var svc = queryOpts{selector: `{service_name="svc"}`}

func TestFaultDelay(t *testing.T) {
	e := faultEnv(t)
	e.fault(`{"method":"SelectMergeProfile","kind":"delay","delay_ms":300,"count":1}`)
	start := time.Now()
	if _, err := e.query(svc); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("answered after %v, want >= 300ms", d)
	}
	start = time.Now()
	if _, err := e.query(svc); err != nil || time.Since(start) > 200*time.Millisecond {
		t.Errorf("count 1: second request delayed or failed (%v, %v)", time.Since(start), err)
	}
}

func TestFaultHang(t *testing.T) {
	e := faultEnv(t)
	e.fault(`{"method":"*","kind":"hang"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := e.client.SelectMergeProfile(ctx, connect.NewRequest(mustReq()))
	if connect.CodeOf(err) != connect.CodeDeadlineExceeded {
		t.Fatalf("hang: %v, want deadline_exceeded", err)
	}
	// The handler notices the client left and finishes (status 0: no answer).
	waitFor(t, func() bool {
		reqs := e.srv.reqlog.list("SelectMergeProfile")
		return len(reqs) == 1 && reqs[0].Done && reqs[0].Status == 0 && reqs[0].Fault == "hang"
	})
}

func TestFaultTrickle(t *testing.T) {
	e := faultEnv(t)
	e.fault(`{"method":"SelectMergeProfile","kind":"trickle","bytes_per_second":20}`)
	start := time.Now()
	resp, err := e.rawPost(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if d := time.Since(start); resp.StatusCode != 200 || d > time.Second {
		t.Fatalf("headers: status %d after %v, want 200 at once", resp.StatusCode, d)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("4 bytes at 20 B/s arrived after %v", d)
	}
	if resp.ContentLength < 100 {
		t.Errorf("Content-Length %d: the whole answer should be promised", resp.ContentLength)
	}
}

func TestFaultHTTPStatuses(t *testing.T) {
	e := faultEnv(t)
	for status, code := range map[int]connect.Code{
		400: connect.CodeInvalidArgument, 401: connect.CodeUnauthenticated,
		403: connect.CodePermissionDenied, 404: connect.CodeNotFound,
		429: connect.CodeResourceExhausted, 500: connect.CodeInternal,
		501: connect.CodeUnimplemented, 503: connect.CodeUnavailable,
		504: connect.CodeDeadlineExceeded,
	} {
		e.fault(fmt.Sprintf(`{"method":"SelectMergeProfile","kind":"http","status":%d,"count":1,"message":"boom %d"}`, status, status))
		_, err := e.query(svc)
		if connect.CodeOf(err) != code || !strings.Contains(err.Error(), fmt.Sprintf("boom %d", status)) {
			t.Errorf("status %d: %v, want %v", status, err, code)
		}
	}
	// The wire format: status and Connect JSON body.
	e.fault(`{"kind":"http","status":503,"count":1}`)
	resp, err := e.rawPost(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Code, Message string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 503 ||
		body.Code != "unavailable" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("503: %d %+v %v", resp.StatusCode, body, err)
	}
}

func TestFaultRetryAfter(t *testing.T) {
	e := faultEnv(t)
	e.fault(`{"method":"SelectMergeProfile","kind":"retry_after","status":429,"retry_after":2,"count":1}`)
	resp, err := e.rawPost(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("got %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if _, err := e.query(svc); err != nil {
		t.Errorf("after the one fault: %v", err)
	}
}

func TestFaultTruncate(t *testing.T) {
	for _, mode := range []string{"content_length", "close"} {
		t.Run(mode, func(t *testing.T) {
			e := faultEnv(t)
			full, _ := e.rawPost(nil, nil)
			whole, _ := io.ReadAll(full.Body)
			full.Body.Close()

			e.fault(`{"method":"SelectMergeProfile","kind":"truncate","mode":"` + mode + `"}`)
			resp, err := e.rawPost(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("reading the body: %v, want unexpected EOF", err)
			}
			if len(got) != len(whole)/2 || !bytes.Equal(got, whole[:len(got)]) {
				t.Errorf("got %d bytes, want the first %d of %d", len(got), len(whole)/2, len(whole))
			}
			if mode == "content_length" && resp.ContentLength != int64(len(whole)) {
				t.Errorf("Content-Length %d, want %d", resp.ContentLength, len(whole))
			}
			if _, err := e.query(svc); err == nil {
				t.Errorf("Connect client accepted a truncated answer")
			}
		})
	}
}

func TestFaultGarbage(t *testing.T) {
	e := faultEnv(t)
	e.fault(`{"method":"SelectMergeProfile","kind":"garbage","size":2000}`)
	resp, err := e.rawPost(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != 2000 {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
	}
	if err := proto.Unmarshal(body, &googlev1.Profile{}); err == nil {
		t.Errorf("garbage parses as a profile")
	}
	if _, err := e.query(svc); err == nil {
		t.Errorf("Connect client accepted garbage")
	}
}

func TestFaultOversize(t *testing.T) {
	e := faultEnv(t)
	e.fault(`{"method":"SelectMergeProfile","kind":"oversize","size":20000000,"count":1}`)
	resp, err := e.rawPost(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || len(body) != 20_000_000 || resp.ContentLength != 20_000_000 {
		t.Errorf("read %d (Content-Length %d): %v", len(body), resp.ContentLength, err)
	}
	// 1 MiB string_table entries: protobuf as far as it goes.
	if !bytes.Equal(body[:1<<20], fillerBlock) || !bytes.Equal(body[1<<20:2<<20], fillerBlock) {
		t.Errorf("oversize body is not a run of 1 MiB string_table entries")
	}
	// A client that stops reading early lets the handler finish.
	e.fault(`{"method":"SelectMergeProfile","kind":"oversize","size":300000000,"count":1}`)
	resp, err = e.rawPost(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 1<<20)
	resp.Body.Close()
	waitFor(t, func() bool {
		reqs := e.srv.reqlog.list("SelectMergeProfile")
		return len(reqs) == 2 && reqs[1].Done
	})
}

func TestFaultGzipBomb(t *testing.T) {
	e := faultEnv(t)
	const size = 256 << 20
	e.fault(fmt.Sprintf(`{"method":"SelectMergeProfile","kind":"gzip_bomb","size":%d}`, size))
	resp, err := e.rawPost(nil, map[string]string{"Accept-Encoding": "gzip"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || len(body) > size/500 {
		t.Fatalf("Content-Encoding %q, %d compressed bytes", resp.Header.Get("Content-Encoding"), len(body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, zr) // checks CRC and length too
	if err != nil || n != size {
		t.Errorf("inflated %d bytes, want %d: %v", n, size, err)
	}
	// The Connect client must refuse it under a read limit.
	limited := querierv1connect.NewQuerierServiceClient(e.ts.Client(), e.base, connect.WithReadMaxBytes(16<<20))
	if _, err := limited.SelectMergeProfile(context.Background(), connect.NewRequest(mustReq())); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("limited client: %v", err)
	}
}

func TestGzipBombDefaultSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 3 GiB bomb")
	}
	b := makeGzipBomb(3 << 30)
	if len(b) > 4<<20 {
		t.Errorf("3 GiB bomb is %d bytes compressed", len(b))
	}
	// Inflate only the start: the header must be a valid string_table tag.
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 16)
	if _, err := io.ReadFull(zr, head); err != nil || head[0] != 0x32 || head[15] != 'a' {
		t.Errorf("bomb starts %x: %v", head, err)
	}
}

func TestFaultProfileKinds(t *testing.T) {
	e := faultEnv(t)
	clean := must(e.query(svc))

	e.fault(`{"method":"SelectMergeProfile","kind":"empty_profile","count":1}`)
	pb := must(e.query(svc))
	if len(pb.Sample) != 0 || len(pb.SampleType) != 1 {
		t.Errorf("empty_profile: %d samples, %d sample types", len(pb.Sample), len(pb.SampleType))
	}
	fromProto(t, pb) // still valid

	e.fault(`{"method":"*","kind":"no_start_line","count":1}`)
	pb = must(e.query(svc))
	for _, f := range pb.Function {
		if f.StartLine != 0 {
			t.Errorf("no_start_line: %s has start line %d", pb.StringTable[f.Name], f.StartLine)
		}
	}
	if len(pb.Sample) != len(clean.Sample) {
		t.Errorf("no_start_line lost samples")
	}

	for _, renumber := range []bool{false, true} {
		e.fault(fmt.Sprintf(`{"method":"SelectMergeProfile","kind":"shuffle","count":1,"seed":7,"renumber":%v}`, renumber))
		pb = must(e.query(svc))
		if proto.Equal(pb, clean) || slices.Equal(pb.StringTable, clean.StringTable) {
			t.Errorf("shuffle (renumber=%v) left the order alone", renumber)
		}
		if pb.StringTable[0] != "" {
			t.Errorf("shuffle moved the empty string")
		}
		if got, want := stacks(fromProto(t, pb), 0), stacks(fromProto(t, clean), 0); !slices.Equal(got, want) {
			t.Errorf("shuffle (renumber=%v) changed the data:\n%v\nwant\n%v", renumber, got, want)
		}
		// Function metadata survives the string remapping.
		p := fromProto(t, pb)
		for _, f := range p.Function {
			if f.StartLine == 0 || !strings.HasSuffix(f.Filename, ".go") {
				t.Errorf("shuffle broke function %+v", f)
			}
		}
	}

	// Profile faults wait for a method that returns a profile.
	e.fault(`{"method":"*","kind":"empty_profile","count":1}`)
	if _, err := e.client.LabelValues(context.Background(), connect.NewRequest(&typesv1.LabelValuesRequest{Name: "service_name"})); err != nil {
		t.Fatal(err)
	}
	if pb := must(e.query(svc)); len(pb.Sample) != 0 {
		t.Errorf("empty_profile was used up by LabelValues")
	}
}

func TestFaultCountsAndControl(t *testing.T) {
	e := faultEnv(t)
	e.fault(`{"method":"SelectMergeProfile","kind":"http","status":503,"count":2}`)
	e.fault(`{"method":"LabelValues","kind":"http","status":500}`) // until cleared
	lv := func() error {
		_, err := e.client.LabelValues(context.Background(), connect.NewRequest(&typesv1.LabelValuesRequest{Name: "service_name"}))
		return err
	}
	for i, want := range []connect.Code{connect.CodeUnavailable, connect.CodeUnavailable, 0, 0} {
		if _, err := e.query(svc); connect.CodeOf(err) != want && !(want == 0 && err == nil) {
			t.Errorf("query %d: %v, want %v", i, err, want)
		}
	}
	for range 3 {
		if connect.CodeOf(lv()) != connect.CodeInternal {
			t.Errorf("count 0 fault did not persist")
		}
	}
	var faults []Fault
	getJSON(t, e.ts.URL+"/control/faults", &faults)
	if len(faults) != 1 || faults[0].Method != "LabelValues" || faults[0].Used != 3 {
		t.Errorf("active faults: %+v", faults)
	}

	var reqs []RequestRecord
	getJSON(t, e.ts.URL+"/control/requests?method=SelectMergeProfile", &reqs)
	if len(reqs) != 4 || reqs[0].Status != 503 || reqs[0].Fault != "http" || reqs[3].Status != 200 {
		t.Errorf("request log: %+v", reqs)
	}
	if reqs[0].Headers["Content-Type"][0] != "application/proto" {
		t.Errorf("request log headers: %v", reqs[0].Headers)
	}

	post(t, e.ts.URL+"/control/reset", "")
	if err := lv(); err != nil {
		t.Errorf("after reset: %v", err)
	}
	getJSON(t, e.ts.URL+"/control/requests", &reqs)
	if len(reqs) != 1 {
		t.Errorf("request log after reset has %d entries, want 1", len(reqs))
	}
	post(t, e.ts.URL+"/control/reset?data=1", "")
	if pb := must(e.query(svc)); len(pb.Sample) != 0 {
		t.Errorf("reset?data=1 kept the data")
	}

	// Bad fault specs are refused.
	for _, spec := range []string{`{"kind":"nope"}`, `{"kind":"http","status":200}`, `{"kind":"delay"}`, `{"kind":"hang","sise":1}`} {
		resp, err := http.Post(e.ts.URL+"/control/fault", "application/json", strings.NewReader(spec))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("fault %s accepted", spec)
		}
	}
}

// Ingest can be faulted too (the SDK side of a flaky server).
func TestFaultIngest(t *testing.T) {
	e := newEnv(t, Config{})
	e.fault(`{"method":"Ingest","kind":"http","status":503,"count":1}`)
	resp, err := http.Post(e.ts.URL+"/ingest?name=svc&format=pprof", "binary/octet-stream", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("faulted ingest: %d", resp.StatusCode)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func post(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: %d", url, resp.StatusCode)
	}
}
