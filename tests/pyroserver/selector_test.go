package main

import (
	"maps"
	"testing"
	"time"
)

func TestParseSelector(t *testing.T) {
	labels := map[string]string{"service_name": "ride-sharing", "region": "eu-north", "otel.scope.name": "go", "q": `a"b`}
	get := func(k string) string { return labels[k] }
	for sel, want := range map[string]bool{
		`{service_name="ride-sharing"}`:                      true,
		` { service_name = "ride-sharing" , } `:              true,
		`{service_name="ride-sharing",region="eu"}`:          false,
		`{service_name="ride-sharing",region=~"eu-.*"}`:      true,
		`{service_name="ride-sharing",region=~"eu"}`:         false, // anchored
		`{service_name="ride-sharing",region!~"us-.*"}`:      true,
		`{service_name!="x",region=~".+"}`:                   true,
		`{service_name="ride-sharing",missing=""}`:           true, // absent label is ""
		`{service_name="ride-sharing",otel.scope.name="go"}`: true,
		`{"otel.scope.name"="go"}`:                           true,
		`{q="a\"b"}`:                                         true,
		`{q='a"b'}`:                                          true,
		"{q=`a\"b`}":                                         true,
	} {
		s, err := ParseSelector(sel)
		if err != nil {
			t.Errorf("%s: %v", sel, err)
			continue
		}
		if got := s.Matches(get); got != want {
			t.Errorf("%s matches %v, want %v", sel, got, want)
		}
	}
	for _, bad := range []string{
		``, `{}`, `service_name="x"`, `{service_name="x"`, `{service_name=x}`, `{service_name=="x"}`,
		`{service_name="x"} extra`, `{service_name=~"("}`, `{a=""}`, `{a!="x"}`, `{a!="x",}x`, `{="x"}`,
	} {
		if _, err := ParseSelector(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseAppName(t *testing.T) {
	for in, want := range map[string]map[string]string{
		"app":                              {},
		"app{}":                            {},
		"my.app{region=eu, env = prod}":    {"region": "eu", "env": "prod"},
		"app{__session_id__=abc,k=v=w}":    {"__session_id__": "abc", "k": "v=w"},
		"app{service_name=other,region=x}": {"service_name": "other", "region": "x"},
	} {
		_, got, err := parseAppName(in)
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "{a=b}", "app{a=b", "app{novalue}"} {
		if _, _, err := parseAppName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseIngestTime(t *testing.T) {
	want := time.Unix(1_700_000_000, 0)
	for _, v := range []string{"1700000000", "1700000000000", "1700000000000000", "1700000000000000000", "2023-11-14T22:13:20Z"} {
		got, err := parseIngestTime(v, time.Time{})
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", v, got, err)
		}
	}
}

func TestProfileName(t *testing.T) {
	cpu := newBuilder().sample(1, "main.x:1").build()
	if n := profileName(cpu, nil); n != "process_cpu" {
		t.Errorf("cpu: %s", n)
	}
	if n := profileName(cpu, []string{"mutex_count", "mutex_duration"}); n != "mutex" {
		t.Errorf("mutex: %s", n)
	}
}
