// Command loadgen drives the rideshare service with the deterministic
// request mix of package workload, for a bounded time and number of
// requests, and prints the rate it achieved.
//
//	loadgen -target http://127.0.0.1:8080 -duration 30s -concurrency 4
//
// Only loopback targets (localhost, 127.0.0.0/8, ::1) are accepted.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"example.com/rideshare/internal/workload"
)

const (
	maxDuration = time.Hour
	maxRequests = 100_000_000
)

func main() {
	target := flag.String("target", "http://127.0.0.1:8080", "base URL of the service (loopback only)")
	duration := flag.Duration("duration", 30*time.Second, "how long to send requests (at most 1h)")
	concurrency := flag.Int("concurrency", 4, "number of concurrent clients (1..256)")
	seed := flag.Uint64("seed", 1, "seed of the request mix")
	requests := flag.Int64("requests", 0, "stop after this many requests (0: only the duration bounds the run)")
	pool := flag.Int("pool", 8192, "number of distinct requests generated up front and cycled through")
	wait := flag.Duration("wait", 10*time.Second, "how long to wait for the service to answer /healthz first")
	flag.Parse()

	if err := run(*target, *duration, *concurrency, *seed, *requests, *pool, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// checkTarget accepts only http URLs whose host is on the loopback
// interface.
func checkTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("target %q: only http:// is supported", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return u, nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return u, nil
	}
	return nil, fmt.Errorf("target %q: only loopback hosts (localhost, 127.0.0.0/8, ::1) are allowed", raw)
}

type counters struct {
	ok, failed atomic.Int64
	byKind     [workload.NumKinds]atomic.Int64
	firstErr   atomic.Value
}

func run(target string, duration time.Duration, concurrency int, seed uint64, limit int64, pool int, wait time.Duration) error {
	base, err := checkTarget(target)
	if err != nil {
		return err
	}
	if duration <= 0 || duration > maxDuration {
		return fmt.Errorf("-duration must be in (0, %s]", maxDuration)
	}
	if concurrency < 1 || concurrency > 256 {
		return errors.New("-concurrency must be in 1..256")
	}
	if limit < 0 || limit > maxRequests {
		return fmt.Errorf("-requests must be in 0..%d", maxRequests)
	}
	if limit == 0 {
		limit = maxRequests
	}
	if pool < 1 || pool > 1<<20 {
		return errors.New("-pool must be in 1..1048576")
	}
	root := strings.TrimSuffix(base.String(), "/")

	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil, // never go through a proxy
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if err := waitReady(client, root, wait); err != nil {
		return err
	}

	reqs := workload.Batch(seed, pool)
	var c counters
	var issued atomic.Int64
	deadline := time.Now().Add(duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; time.Now().Before(deadline); i += concurrency {
				if issued.Add(1) > limit {
					return
				}
				r := &reqs[i%len(reqs)]
				if err := send(client, root, r); err != nil {
					c.failed.Add(1)
					c.firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				c.ok.Add(1)
				c.byKind[r.Kind].Add(1)
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)

	ok, failed := c.ok.Load(), c.failed.Load()
	fmt.Printf("target:      %s\n", root)
	fmt.Printf("duration:    %.1fs, concurrency %d, seed %d\n", elapsed.Seconds(), concurrency, seed)
	fmt.Printf("requests:    %d ok, %d failed\n", ok, failed)
	for k := workload.Kind(0); k < workload.NumKinds; k++ {
		fmt.Printf("  %-10s %d\n", k.String()+":", c.byKind[k].Load())
	}
	fmt.Printf("throughput:  %.1f requests/s\n", float64(ok)/elapsed.Seconds())
	if e, _ := c.firstErr.Load().(string); e != "" {
		fmt.Printf("first error: %s\n", e)
	}
	if ok == 0 {
		return errors.New("no request succeeded")
	}
	return nil
}

func send(client *http.Client, root string, r *workload.Request) error {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, root+r.Path, body)
	if err != nil {
		return err
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", r.Method, r.Path, resp.Status)
	}
	return nil
}

func waitReady(client *http.Client, root string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		resp, err := client.Get(root + "/healthz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s/healthz not ready after %s: %v", root, wait, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
