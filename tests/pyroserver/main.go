// Command pyroserver is a Pyroscope-compatible test server for pgo-go's test
// suites. It ingests what the pyroscope-go SDK pushes, answers the subset of
// the query API pgo-go uses (SelectMergeProfile with the go-pgo selector,
// LabelValues, ProfileTypes) over Connect, serves a raw pprof URL, and can be
// told through /control/… to fail in each way a real server or the network
// in front of it fails.
//
// It is written from the public API definitions (the Apache-2.0
// github.com/grafana/pyroscope/api module) and google/pprof; it shares no
// code with the AGPL Pyroscope server. It binds to loopback only.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address; loopback only (port 0 picks a free port)")
	addrFile := flag.String("addr-file", "", "also write the chosen host:port to this file (atomically)")
	dataDir := flag.String("data", "", "persist ingested profiles in this directory (default: memory only)")
	tenantRequired := flag.Bool("tenant-required", false, "reject requests without X-Scope-OrgID")
	basicAuth := flag.String("basic-auth", "", "user:pass; require HTTP basic auth")
	bearer := flag.String("bearer", "", "require Authorization: Bearer TOKEN")
	control := flag.Bool("control", false, "enable the /control/… endpoints (faults, reset, request log)")
	prefix := flag.String("path-prefix", "", "serve the API under this path prefix (like a Grafana data-source proxy)")
	tlsDir := flag.String("tls-dir", "", "serve https with the test CA's certificates in this directory (made when missing; tls.go)")
	clientCert := flag.Bool("client-cert-required", false, "with -tls-dir: turn away clients without a certificate the test CA signed")
	flag.Parse()

	if err := checkLoopback(*addr); err != nil {
		log.Fatal(err)
	}
	if *basicAuth != "" && !strings.Contains(*basicAuth, ":") {
		log.Fatal("-basic-auth wants user:pass")
	}
	srv, err := NewServer(Config{
		TenantRequired: *tenantRequired,
		BasicAuth:      *basicAuth,
		Bearer:         *bearer,
		Control:        *control,
		DataDir:        *dataDir,
		PathPrefix:     *prefix,
	})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	var tlsCfg *tls.Config
	if *tlsDir != "" {
		if tlsCfg, err = tlsConfig(*tlsDir, *clientCert); err != nil {
			log.Fatal(err)
		}
	} else if *clientCert {
		log.Fatal("-client-cert-required wants -tls-dir")
	}
	bound := ln.Addr().String()
	// The first stdout line is the contract with the test scripts.
	fmt.Printf("listening on %s\n", bound)
	if *addrFile != "" {
		if err := writeFileAtomic(*addrFile, bound+"\n"); err != nil {
			log.Fatal(err)
		}
	}

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ConnState: srv.ConnState}
	// HTTP/1.1 and cleartext HTTP/2 with prior knowledge, so clients can
	// be tested over both; over TLS, HTTP/2 as ALPN agrees.
	hs.Protocols = new(http.Protocols)
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true)
	if tlsCfg != nil {
		hs.Protocols.SetHTTP2(true)
		hs.TLSConfig = tlsCfg
		ln = tls.NewListener(ln, tlsCfg)
		// A client turned away is the test's point, not news for the log.
		hs.ErrorLog = log.New(io.Discard, "", 0)
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		srv.Close() // release hanging/trickling handlers first
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			_ = hs.Close()
		}
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// checkLoopback refuses any listen address that is not on loopback: the
// server is for tests on this machine only.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed", addr)
}

func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".addr-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
