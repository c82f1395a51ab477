package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTenantError(t *testing.T) {
	for id, want := range map[string]string{
		"acme":                   "",
		"a-b_c.d*e'f(g)!":        "",
		"a b":                    "tenant ID 'a b' contains unsupported character ' '",
		"a/b":                    "tenant ID 'a/b' contains unsupported character '/'",
		"..":                     "tenant ID is '.' or '..'",
		strings.Repeat("x", 151): "tenant ID is too long: max 150 characters",
	} {
		if got := tenantError(id); got != want {
			t.Errorf("tenantError(%q) = %q, want %q", id, got, want)
		}
	}
	// Several tenants: the backend's Connect error, whole, as the message.
	var inner map[string]string
	if err := json.Unmarshal([]byte(tenantError("a|b")), &inner); err != nil ||
		inner["code"] != "unauthenticated" || inner["message"] != "multiple org IDs present" {
		t.Errorf("tenantError(a|b) = %q (%v)", tenantError("a|b"), err)
	}
}

// A server that requires a client certificate takes one its CA signed and
// turns away a client without one, or with another CA's.
func TestClientCertRequired(t *testing.T) {
	dir := t.TempDir()
	cfg, err := tlsConfig(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range tlsFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("%s was not made: %v", name, err)
		}
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	ts.TLS = cfg
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refusals are the point
	ts.StartTLS()
	defer ts.Close()

	caPEM, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	get := func(cert, key string) error {
		tc := &tls.Config{RootCAs: pool}
		if cert != "" {
			kp, err := tls.LoadX509KeyPair(filepath.Join(dir, cert), filepath.Join(dir, key))
			if err != nil {
				t.Fatal(err)
			}
			tc.Certificates = []tls.Certificate{kp}
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
		resp, err := c.Get(ts.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get("client.pem", "client-key.pem"); err != nil {
		t.Errorf("with client.pem: %v", err)
	}
	if err := get("", ""); err == nil {
		t.Error("without a certificate: no error")
	}
	if err := get("stranger.pem", "stranger-key.pem"); err == nil {
		t.Error("with another CA's certificate: no error")
	}
}
