package main

import (
	"net/http/httptest"
	"testing"
	"time"

	"example.com/rideshare/internal/api"
)

func TestCheckTarget(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://127.3.4.5", "http://[::1]:80/"} {
		if _, err := checkTarget(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1:8080", "http://192.168.1.1", "http://example.com", "https://127.0.0.1", "http://0.0.0.0:80", "127.0.0.1:8080"} {
		if _, err := checkTarget(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestRun(t *testing.T) {
	ts := httptest.NewServer(api.NewServer(api.Options{Seed: 1}))
	defer ts.Close()
	if err := run(ts.URL, 300*time.Millisecond, 2, 1, 0, 256, time.Second); err != nil {
		t.Fatal(err)
	}
	// The request bound ends the run before the duration does.
	start := time.Now()
	if err := run(ts.URL, time.Minute, 2, 1, 50, 256, time.Second); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 20*time.Second {
		t.Error("-requests did not bound the run")
	}
	if err := run(ts.URL, 2*time.Hour, 1, 1, 0, 1, time.Second); err == nil {
		t.Error("a 2h run was accepted")
	}
}
