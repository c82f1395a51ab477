// Command rideshare is the example service: a ride-sharing HTTP API (fare
// quotes, driver matching, driver location reports, past trips) that profiles
// itself continuously with the Pyroscope Go SDK and exposes net/http/pprof.
//
//	rideshare -addr 127.0.0.1:8080 -pyroscope http://localhost:4040
//
// With -pyroscope empty (and PYROSCOPE_URL and PGO_GO_URL unset) it does not
// profile itself; /debug/pprof/profile then works for an on-demand profile.
// (While the SDK profiles, the Go runtime allows no second CPU profile.)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"example.com/rideshare/internal/api"
	"github.com/grafana/pyroscope-go"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("rideshare: ")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], nil); err != nil {
		log.Fatal(err)
	}
}

func defaultServer() string {
	if v := os.Getenv("PYROSCOPE_URL"); v != "" {
		return v
	}
	return os.Getenv("PGO_GO_URL")
}

// run serves until ctx is done (SIGINT or SIGTERM), then shuts down and
// flushes the profiles. If ready is not nil, it receives the listening
// address.
func run(ctx context.Context, args []string, ready chan<- string) error {
	fs := flag.NewFlagSet("rideshare", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	server := fs.String("pyroscope", defaultServer(), "Pyroscope server URL to send CPU profiles to; empty disables profiling (default from $PYROSCOPE_URL, else $PGO_GO_URL)")
	service := fs.String("service-name", "ride-sharing-app", "application name the profiles are sent under (label service_name)")
	uploadRate := fs.Duration("upload-rate", 15*time.Second, "how often profiles are uploaded")
	seed := fs.Uint64("seed", 1, "seed of the simulated city (drivers, trips, surge zones)")
	tags := fs.String("tags", "", "extra profile labels, comma-separated key=value pairs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	labels, err := parseTags(*tags)
	if err != nil {
		return err
	}

	srv := api.NewServer(api.Options{Seed: *seed})

	var profiler *pyroscope.Profiler
	if *server != "" {
		profiler, err = pyroscope.Start(pyroscope.Config{
			ApplicationName:   *service,
			ServerAddress:     *server,
			Tags:              labels,
			UploadRate:        *uploadRate,
			ProfileTypes:      []pyroscope.ProfileType{pyroscope.ProfileCPU},
			BasicAuthUser:     os.Getenv("PYROSCOPE_BASIC_AUTH_USER"),
			BasicAuthPassword: os.Getenv("PYROSCOPE_BASIC_AUTH_PASSWORD"),
			TenantID:          os.Getenv("PYROSCOPE_TENANT_ID"),
			Logger:            errorLogger{},
		})
		if err != nil {
			return fmt.Errorf("starting the profiler: %w", err)
		}
		log.Printf("sending CPU profiles of %s to %s every %s", *service, *server, *uploadRate)
	}

	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		snap := srv.Metrics().Snapshot()
		routes := make([]string, 0, len(snap))
		for r := range snap {
			routes = append(routes, r)
		}
		sort.Strings(routes)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		for _, r := range routes {
			fmt.Fprintf(w, "rideshare_requests_total{route=%q} %d\n", r, snap[r][0])
			fmt.Fprintf(w, "rideshare_errors_total{route=%q} %d\n", r, snap[r][1])
			fmt.Fprintf(w, "rideshare_response_bytes_total{route=%q} %d\n", r, snap[r][2])
		}
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if profiler != nil {
			_ = profiler.Stop()
		}
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on http://%s", ln.Addr())
	if ready != nil {
		ready <- ln.Addr().String()
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Printf("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			log.Printf("shutdown: %v", err)
		}
		err = nil
	}
	if profiler != nil {
		// Upload what was collected since the last upload, then stop.
		profiler.Flush(true)
		if err := profiler.Stop(); err != nil {
			log.Printf("stopping the profiler: %v", err)
		}
		log.Printf("profiles flushed")
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func parseTags(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	m := make(map[string]string)
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("-tags: %q is not key=value", kv)
		}
		m[k] = v
	}
	return m, nil
}

// errorLogger passes the SDK's errors to the log and drops the rest.
type errorLogger struct{}

func (errorLogger) Infof(string, ...any)  {}
func (errorLogger) Debugf(string, ...any) {}
func (errorLogger) Errorf(format string, args ...any) {
	log.Printf("pyroscope: "+format, args...)
}
