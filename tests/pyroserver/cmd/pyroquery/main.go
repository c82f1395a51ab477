// Command pyroquery is a tiny Connect client for the query API, used to
// check the test server (and the workload's profiles) by hand and from test
// scripts. It does what profilecli's "query go-pgo" does, written from the
// API definitions.
//
//	pyroquery -url http://127.0.0.1:PORT -service NAME -window 1m -o default.pgo
//	pyroquery -url … -label-values service_name
//	pyroquery -url … -profile-types
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"connectrpc.com/connect"
	querierv1 "github.com/grafana/pyroscope/api/gen/proto/go/querier/v1"
	"github.com/grafana/pyroscope/api/gen/proto/go/querier/v1/querierv1connect"
	typesv1 "github.com/grafana/pyroscope/api/gen/proto/go/types/v1"
	"google.golang.org/protobuf/proto"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:4040", "server base URL")
	service := flag.String("service", "", "service_name to query")
	query := flag.String("query", "", "full label selector (overrides -service)")
	ptype := flag.String("type", "process_cpu:cpu:nanoseconds:cpu:nanoseconds", "profile type ID")
	window := flag.Duration("window", time.Hour, "query [now-window, now)")
	keep := flag.Uint("keep-locations", 5, "go-pgo keep_locations (0: no go-pgo selector)")
	aggregate := flag.Bool("aggregate-callees", true, "go-pgo aggregate_callees")
	out := flag.String("o", "default.pgo", "write the profile here (gzipped pprof)")
	tenant := flag.String("tenant", "", "X-Scope-OrgID")
	labelValues := flag.String("label-values", "", "print the values of this label instead")
	profileTypes := flag.Bool("profile-types", false, "print the profile types instead")
	timeout := flag.Duration("timeout", 30*time.Second, "request timeout")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	client := querierv1connect.NewQuerierServiceClient(http.DefaultClient, *url,
		connect.WithSendGzip(), connect.WithReadMaxBytes(256<<20))
	end := time.Now()
	start := end.Add(-*window)
	withTenant := func(h http.Header) {
		if *tenant != "" {
			h.Set("X-Scope-OrgID", *tenant)
		}
	}

	switch {
	case *labelValues != "":
		req := connect.NewRequest(&typesv1.LabelValuesRequest{Name: *labelValues, Start: start.UnixMilli(), End: end.UnixMilli()})
		withTenant(req.Header())
		resp, err := client.LabelValues(ctx, req)
		if err != nil {
			log.Fatal(err)
		}
		for _, n := range resp.Msg.Names {
			fmt.Println(n)
		}
		return
	case *profileTypes:
		req := connect.NewRequest(&querierv1.ProfileTypesRequest{Start: start.UnixMilli(), End: end.UnixMilli()})
		withTenant(req.Header())
		resp, err := client.ProfileTypes(ctx, req)
		if err != nil {
			log.Fatal(err)
		}
		for _, t := range resp.Msg.ProfileTypes {
			fmt.Println(t.ID)
		}
		return
	}

	sel := *query
	if sel == "" {
		if *service == "" {
			log.Fatal("need -service or -query")
		}
		sel = fmt.Sprintf("{service_name=%q}", *service)
	}
	msg := &querierv1.SelectMergeProfileRequest{
		ProfileTypeID: *ptype,
		LabelSelector: sel,
		Start:         start.UnixMilli(),
		End:           end.UnixMilli(),
	}
	if *keep > 0 {
		msg.StackTraceSelector = &typesv1.StackTraceSelector{GoPgo: &typesv1.GoPGO{
			KeepLocations: uint32(*keep), AggregateCallees: *aggregate,
		}}
	}
	req := connect.NewRequest(msg)
	withTenant(req.Header())
	resp, err := client.SelectMergeProfile(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	raw, err := proto.Marshal(resp.Msg)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d samples, %d locations, %d functions\n",
		*out, len(resp.Msg.Sample), len(resp.Msg.Location), len(resp.Msg.Function))
}
