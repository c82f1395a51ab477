package api

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"example.com/rideshare/internal/workload"
)

// replay is a prepared workload: requests built once, replayed through the
// server's handler without a network in between.
type replay struct {
	reqs    []*http.Request
	bodies  []*bytes.Reader
	payload [][]byte
	kinds   []workload.Kind
}

func newReplay(reqs []workload.Request) *replay {
	rp := &replay{}
	for _, wr := range reqs {
		rd := bytes.NewReader(wr.Body)
		r, err := http.NewRequest(wr.Method, "http://127.0.0.1"+wr.Path, io.NopCloser(rd))
		if err != nil {
			panic(err)
		}
		r.ContentLength = int64(len(wr.Body))
		if len(wr.Body) > 0 {
			r.Header.Set("Content-Type", "application/json")
		}
		rp.reqs = append(rp.reqs, r)
		rp.bodies = append(rp.bodies, rd)
		rp.payload = append(rp.payload, wr.Body)
		rp.kinds = append(rp.kinds, wr.Kind)
	}
	return rp
}

// serve sends request i (modulo the batch) to h.
func (rp *replay) serve(h http.Handler, w *discardWriter, i int) {
	i %= len(rp.reqs)
	rp.bodies[i].Reset(rp.payload[i])
	w.status = 0
	h.ServeHTTP(w, rp.reqs[i])
}

// discardWriter is a reusable http.ResponseWriter that keeps only the status
// and the size of the answer.
type discardWriter struct {
	header http.Header
	status int
	bytes  int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.bytes += len(p)
	return len(p), nil
}

// benchBatch is the number of distinct requests a benchmark cycles through.
const benchBatch = 8192

// BenchmarkApp measures the service's request path: the workload mix of the
// load generator (same generator, seed 1), one request per iteration,
// through the real handler (routing, decoding, matching, routing math,
// pricing, encoding). ns/op is the mean CPU cost of a request.
func BenchmarkApp(b *testing.B) {
	srv := NewServer(Options{Seed: 1})
	rp := newReplay(workload.Batch(1, benchBatch))
	w := &discardWriter{header: make(http.Header)}
	b.ReportAllocs()
	i := 0
	runtime.GC() // collect the setup's garbage now, not during the loop
	cpu0 := processCPU()
	for b.Loop() {
		rp.serve(srv, w, i)
		if w.status != http.StatusOK {
			b.Fatalf("request %d (%s): status %d", i%len(rp.reqs), rp.kinds[i%len(rp.reqs)], w.status)
		}
		i++
	}
	reportCPU(b, cpu0, i)
}

// reportCPU adds the process CPU time per iteration as the metric cpu-ns/op.
// On a busy machine it is steadier than sec/op, which also counts the time
// the benchmark waited for a CPU; it includes the garbage collector's work
// on other threads. The kernel accounts CPU time in ticks, so it means
// something only for runs of a good fraction of a second (the default
// -benchtime 1s is fine; -benchtime 100x is not).
func reportCPU(b *testing.B, cpu0 time.Duration, n int) {
	if cpu := processCPU(); cpu0 > 0 && n > 0 {
		b.ReportMetric(float64(cpu-cpu0)/float64(n), "cpu-ns/op")
	}
}

// BenchmarkEndpoint measures each request kind on its own.
func BenchmarkEndpoint(b *testing.B) {
	all := workload.Batch(1, benchBatch)
	for k := workload.Kind(0); k < workload.NumKinds; k++ {
		var reqs []workload.Request
		for _, r := range all {
			if r.Kind == k {
				reqs = append(reqs, r)
			}
		}
		b.Run(k.String(), func(b *testing.B) {
			srv := NewServer(Options{Seed: 1})
			rp := newReplay(reqs)
			w := &discardWriter{header: make(http.Header)}
			b.ReportAllocs()
			i := 0
			runtime.GC()
			cpu0 := processCPU()
			for b.Loop() {
				rp.serve(srv, w, i)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
				i++
			}
			reportCPU(b, cpu0, i)
		})
	}
}
