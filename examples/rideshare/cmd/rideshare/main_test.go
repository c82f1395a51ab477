package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/rideshare/internal/workload"
)

// ingest is a fake Pyroscope server that keeps what the SDK pushes.
type ingest struct {
	mu      sync.Mutex
	names   []string
	gzipped int
}

func (in *ingest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/ingest" {
		http.NotFound(w, r)
		return
	}
	gz := false
	if err := r.ParseMultipartForm(32 << 20); err == nil {
		if f, _, err := r.FormFile("profile"); err == nil {
			head := make([]byte, 2)
			_, _ = io.ReadFull(f, head)
			gz = head[0] == 0x1f && head[1] == 0x8b
			f.Close()
		}
	}
	in.mu.Lock()
	in.names = append(in.names, r.URL.Query().Get("name"))
	if gz {
		in.gzipped++
	}
	in.mu.Unlock()
}

func (in *ingest) count() (int, int, []string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.names), in.gzipped, append([]string(nil), in.names...)
}

// TestServeAndProfile runs the service with the SDK pointed at a fake
// server: it answers, it uploads CPU profiles under its service name, and it
// flushes on shutdown.
func TestServeAndProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds")
	}
	in := &ingest{}
	fake := httptest.NewServer(in)
	defer fake.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-pyroscope", fake.URL, "-upload-rate", "1s", "-tags", "env=test"}, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("not listening after 30s")
	}
	base := "http://" + addr

	deadline := time.Now().Add(3 * time.Second)
	reqs := workload.Batch(1, 256)
	for i := 0; time.Now().Before(deadline); i++ {
		r := reqs[i%len(reqs)]
		req, _ := http.NewRequest(r.Method, base+r.Path, bytes.NewReader(r.Body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %s", r.Method, r.Path, resp.Status)
		}
	}
	for _, path := range []string{"/healthz", "/debug/pprof/", "/metrics"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: %s", path, resp.Status)
		}
	}

	before, _, _ := in.count()
	if before == 0 {
		t.Errorf("no profile uploaded after 3s with -upload-rate 1s")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no shutdown after 30s")
	}
	after, gzipped, names := in.count()
	if after <= before {
		t.Errorf("no upload on shutdown (%d before, %d after)", before, after)
	}
	if gzipped != after {
		t.Errorf("%d of %d uploads are gzipped pprof", gzipped, after)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "ride-sharing-app{") || !strings.Contains(n, "env=test") {
			t.Errorf("upload named %q", n)
		}
	}
}

func TestParseTags(t *testing.T) {
	m, err := parseTags("region=eu,az=b")
	if err != nil || len(m) != 2 || m["region"] != "eu" || m["az"] != "b" {
		t.Errorf("%v %v", m, err)
	}
	if _, err := parseTags("region"); err == nil {
		t.Error("no error for a tag without =")
	}
}
