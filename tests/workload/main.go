// Command workload is a small CPU-bound program instrumented with the real
// pyroscope-go SDK. The test suites run it against the loopback test server
// (tests/pyroserver) so that the profiles pgo-go fetches were produced by the
// same code path a real service uses, not by a hand-made fixture.
//
// Its hot functions have distinctive names (hotHashLoop, hotSortLoop,
// hotMapLoop) so a test can assert that they lead the fetched profile.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/grafana/pyroscope-go"
)

func main() {
	reexecWithoutAsyncPreempt()

	app := flag.String("app", "pgo-go-workload", "ApplicationName sent to the server (becomes service_name)")
	server := flag.String("server", "http://127.0.0.1:4040", "Pyroscope server address (ServerAddress)")
	duration := flag.Duration("duration", 5*time.Second, "how long to burn CPU")
	uploadRate := flag.Duration("upload-rate", time.Second, "SDK UploadRate: how often a CPU profile is cut and pushed")
	tenant := flag.String("tenant", "", "TenantID (X-Scope-OrgID)")
	basicAuth := flag.String("basic-auth", "", "user:password for HTTP basic auth")
	tags := flag.String("tags", "", "extra tags k=v,k2=v2 (become series labels)")
	verbose := flag.Bool("v", false, "log what the SDK does")
	noProfile := flag.Bool("no-profile", false, "burn CPU without the SDK (for timing comparisons)")
	flag.Parse()

	if !*noProfile {
		cfg := pyroscope.Config{
			ApplicationName: *app,
			ServerAddress:   *server,
			TenantID:        *tenant,
			UploadRate:      *uploadRate,
			// CPU only: the other types would add uploads the tests do
			// not look at, and heap profiling forces GC runs.
			ProfileTypes: []pyroscope.ProfileType{pyroscope.ProfileCPU},
			Tags:         parseTags(*tags),
		}
		if *basicAuth != "" {
			user, pass, ok := strings.Cut(*basicAuth, ":")
			if !ok {
				log.Fatalf("-basic-auth wants user:password")
			}
			cfg.BasicAuthUser, cfg.BasicAuthPassword = user, pass
		}
		if *verbose {
			cfg.Logger = pyroscope.StandardLogger
		}
		profiler, err := pyroscope.Start(cfg)
		if err != nil {
			log.Fatalf("pyroscope.Start: %v", err)
		}
		defer func() {
			// Flush(true) uploads the last partial period and waits for
			// it; Stop alone would drop jobs still in the upload queue.
			profiler.Flush(true)
			_ = profiler.Stop()
		}()
	}

	sum := run(*duration)
	fmt.Fprintf(os.Stderr, "workload done (%v, checksum %x)\n", *duration, sum)
}

// reexecWithoutAsyncPreempt restarts the program once with
// GODEBUG=asyncpreemptoff=1 unless the caller chose a value. On a loaded
// machine (CI, two cores shared by parallel builds) asynchronous preemption
// signals make the CPU profiler charge 20-30% of the samples to
// runtime.asyncPreempt instead of the hot function that was running, which
// blurs the "hot functions lead" checks. GODEBUG is read only at process
// start, hence the exec.
func reexecWithoutAsyncPreempt() {
	godebug := os.Getenv("GODEBUG")
	if strings.Contains(godebug, "asyncpreemptoff=") {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return // run as is
	}
	if godebug != "" {
		godebug += ","
	}
	env := []string{"GODEBUG=" + godebug + "asyncpreemptoff=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	_ = syscall.Exec(exe, os.Args, env) // returns only on failure: run as is
}

func parseTags(s string) map[string]string {
	if s == "" {
		return nil
	}
	tags := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			log.Fatalf("bad tag %q, want k=v", kv)
		}
		tags[k] = v
	}
	return tags
}
