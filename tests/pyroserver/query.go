package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/google/pprof/profile"
	googlev1 "github.com/grafana/pyroscope/api/gen/proto/go/google/v1"
	querierv1 "github.com/grafana/pyroscope/api/gen/proto/go/querier/v1"
	"github.com/grafana/pyroscope/api/gen/proto/go/querier/v1/querierv1connect"
	typesv1 "github.com/grafana/pyroscope/api/gen/proto/go/types/v1"
)

// maxQueryRange is the longest [start, end) a query may cover; Pyroscope
// rejects longer ranges and pgo-go must never ask for one.
const maxQueryRange = 24 * time.Hour

// querier implements the three QuerierService methods pgo-go uses; the
// embedded Unimplemented handler answers the rest with CodeUnimplemented.
type querier struct {
	querierv1connect.UnimplementedQuerierServiceHandler
	s *Server
}

func (q *querier) SelectMergeProfile(ctx context.Context, req *connect.Request[querierv1.SelectMergeProfileRequest]) (*connect.Response[googlev1.Profile], error) {
	m := req.Msg
	pt, err := parseProfileType(m.ProfileTypeID)
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	sel, err := ParseSelector(m.LabelSelector)
	if err != nil {
		return nil, connect.NewError(connect.CodeInvalidArgument, err)
	}
	start, end, err := queryRange(m.Start, m.End, true)
	if err != nil {
		return nil, err
	}
	p, err := q.s.mergeProfile(tenantOf(ctx), pt, sel, start, end)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	// go_pgo takes precedence over max_nodes: its own truncation (keep
	// locations) is what a PGO profile wants.
	if g := m.GetStackTraceSelector().GetGoPgo(); g != nil {
		p = reduceGoPGO(p, int(g.KeepLocations), g.AggregateCallees)
	} else if m.MaxNodes != nil && *m.MaxNodes > 0 {
		p = truncateNodes(p, int(*m.MaxNodes))
	}
	pb, err := toProto(p)
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	applyProfileFault(ctx, pb)
	return connect.NewResponse(pb), nil
}

func (q *querier) LabelValues(ctx context.Context, req *connect.Request[typesv1.LabelValuesRequest]) (*connect.Response[typesv1.LabelValuesResponse], error) {
	m := req.Msg
	if m.Name == "" {
		return nil, connect.NewError(connect.CodeInvalidArgument, errors.New("name is required"))
	}
	var sels []Selector
	for _, s := range m.Matchers {
		sel, err := ParseSelector(s)
		if err != nil {
			return nil, connect.NewError(connect.CodeInvalidArgument, err)
		}
		sels = append(sels, sel)
	}
	start, end, err := queryRange(m.Start, m.End, false)
	if err != nil {
		return nil, err
	}
	values := map[string]bool{}
	for _, e := range q.s.store.Entries(tenantOf(ctx), start, end) {
		for _, pt := range e.profileTypes() {
			forEachLabelSet(e, func(s *profile.Sample) {
				get := e.labelGetter(pt, s)
				if v := get(m.Name); v != "" && matchesAny(sels, get) {
					values[v] = true
				}
			})
		}
	}
	names := make([]string, 0, len(values))
	for v := range values {
		names = append(names, v)
	}
	slices.Sort(names)
	return connect.NewResponse(&typesv1.LabelValuesResponse{Names: names}), nil
}

func (q *querier) ProfileTypes(ctx context.Context, req *connect.Request[querierv1.ProfileTypesRequest]) (*connect.Response[querierv1.ProfileTypesResponse], error) {
	start, end, err := queryRange(req.Msg.Start, req.Msg.End, false)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	resp := &querierv1.ProfileTypesResponse{}
	for _, e := range q.s.store.Entries(tenantOf(ctx), start, end) {
		for _, pt := range e.profileTypes() {
			if seen[pt.ID()] {
				continue
			}
			seen[pt.ID()] = true
			resp.ProfileTypes = append(resp.ProfileTypes, &typesv1.ProfileType{
				ID: pt.ID(), Name: pt.Name,
				SampleType: pt.SampleType, SampleUnit: pt.SampleUnit,
				PeriodType: pt.PeriodType, PeriodUnit: pt.PeriodUnit,
			})
		}
	}
	slices.SortFunc(resp.ProfileTypes, func(a, b *typesv1.ProfileType) int { return strings.Compare(a.ID, b.ID) })
	return connect.NewResponse(resp), nil
}

// queryRange checks start/end (ms since epoch). With required both must be
// set; otherwise 0/0 means "all time".
func queryRange(startMs, endMs int64, required bool) (time.Time, time.Time, error) {
	if !required && startMs == 0 && endMs == 0 {
		return time.Time{}, time.Time{}, nil
	}
	if startMs <= 0 || endMs <= 0 {
		return time.Time{}, time.Time{}, connect.NewError(connect.CodeInvalidArgument, errors.New("start and end are required (milliseconds since epoch)"))
	}
	if endMs <= startMs {
		return time.Time{}, time.Time{}, connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("end (%d) must be after start (%d)", endMs, startMs))
	}
	start, end := time.UnixMilli(startMs), time.UnixMilli(endMs)
	if end.Sub(start) > maxQueryRange {
		return time.Time{}, time.Time{}, connect.NewError(connect.CodeInvalidArgument,
			fmt.Errorf("the query time range exceeds the limit (max_query_length, limit: %s, requested: %s)", maxQueryRange, end.Sub(start)))
	}
	return start, end, nil
}

// mergeProfile merges, for one profile type, every sample of the tenant's
// entries in [start, end) whose labels match sel. The result has that one
// sample type, no labels, and profile.Merge's deduplicated tables. With no
// data it is a valid profile without samples, as Pyroscope answers.
func (s *Server) mergeProfile(tenant string, pt ProfileType, sel Selector, start, end time.Time) (*profile.Profile, error) {
	var parts []*profile.Profile
	for _, e := range s.store.Entries(tenant, start, end) {
		i := e.sampleTypeIndex(pt)
		if i < 0 {
			continue
		}
		src := e.Profile
		// The projection shares src's locations, functions and mappings:
		// profile.Merge only reads its inputs.
		proj := &profile.Profile{
			SampleType:    []*profile.ValueType{{Type: pt.SampleType, Unit: pt.SampleUnit}},
			PeriodType:    &profile.ValueType{Type: pt.PeriodType, Unit: pt.PeriodUnit},
			Period:        src.Period,
			TimeNanos:     src.TimeNanos,
			DurationNanos: src.DurationNanos,
			Location:      src.Location,
			Function:      src.Function,
			Mapping:       src.Mapping,
		}
		for _, smp := range src.Sample {
			if smp.Value[i] == 0 || !sel.Matches(e.labelGetter(pt, smp)) {
				continue
			}
			proj.Sample = append(proj.Sample, &profile.Sample{Location: smp.Location, Value: []int64{smp.Value[i]}})
		}
		if len(proj.Sample) > 0 {
			parts = append(parts, proj)
		}
	}
	if len(parts) == 0 {
		return &profile.Profile{
			SampleType: []*profile.ValueType{{Type: pt.SampleType, Unit: pt.SampleUnit}},
			PeriodType: &profile.ValueType{Type: pt.PeriodType, Unit: pt.PeriodUnit},
			TimeNanos:  start.UnixNano(),
		}, nil
	}
	return profile.Merge(parts)
}

// forEachLabelSet calls f once per distinct pprof label set among the
// entry's samples (or once with nil for an entry without sample labels).
func forEachLabelSet(e *Entry, f func(*profile.Sample)) {
	seen := map[string]bool{}
	for _, s := range e.Profile.Sample {
		key := fmt.Sprint(s.Label)
		if !seen[key] {
			seen[key] = true
			f(s)
		}
	}
	if len(e.Profile.Sample) == 0 {
		f(nil)
	}
}

func matchesAny(sels []Selector, get func(string) string) bool {
	if len(sels) == 0 {
		return true
	}
	for _, s := range sels {
		if s.Matches(get) {
			return true
		}
	}
	return false
}
