package main

import (
	"fmt"
	"strings"

	"github.com/google/pprof/profile"
)

// ProfileType is Pyroscope's five-part profile type,
// <name>:<sample type>:<sample unit>:<period type>:<period unit>,
// e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds.
type ProfileType struct {
	Name, SampleType, SampleUnit, PeriodType, PeriodUnit string
}

func (t ProfileType) ID() string {
	return strings.Join([]string{t.Name, t.SampleType, t.SampleUnit, t.PeriodType, t.PeriodUnit}, ":")
}

func parseProfileType(id string) (ProfileType, error) {
	parts := strings.Split(id, ":")
	if len(parts) != 5 {
		return ProfileType{}, fmt.Errorf("invalid profile type %q: want <name>:<type>:<unit>:<period type>:<period unit>", id)
	}
	for _, p := range parts {
		if p == "" {
			return ProfileType{}, fmt.Errorf("invalid profile type %q: empty part", id)
		}
	}
	return ProfileType{parts[0], parts[1], parts[2], parts[3], parts[4]}, nil
}

// profileTypes lists the types an entry's profile offers, one per sample
// type, in sample-type order.
func (e *Entry) profileTypes() []ProfileType {
	var pt, pu string
	if p := e.Profile.PeriodType; p != nil {
		pt, pu = p.Type, p.Unit
	}
	var out []ProfileType
	for _, st := range e.Profile.SampleType {
		out = append(out, ProfileType{e.Name, st.Type, st.Unit, pt, pu})
	}
	return out
}

// sampleTypeIndex returns the index of t's sample type in the entry's
// profile, or -1 when the entry does not carry that profile type.
func (e *Entry) sampleTypeIndex(t ProfileType) int {
	if e.Name != t.Name {
		return -1
	}
	for i, pt := range e.profileTypes() {
		if pt == t {
			return i
		}
	}
	return -1
}

// labelGetter gives the labels a selector sees for one sample of an entry,
// as Pyroscope would have them: the series labels from the ingest name, the
// reserved __name__/__profile_type__/… labels, and the sample's own pprof
// string labels (Pyroscope turns those into series labels too).
func (e *Entry) labelGetter(t ProfileType, s *profile.Sample) func(string) string {
	return func(name string) string {
		switch name {
		case "__name__":
			return t.Name
		case "__profile_type__":
			return t.ID()
		case "__type__":
			return t.SampleType
		case "__unit__":
			return t.SampleUnit
		case "__period_type__":
			return t.PeriodType
		case "__period_unit__":
			return t.PeriodUnit
		}
		if v, ok := e.Labels[name]; ok {
			return v
		}
		if s != nil {
			if vs := s.Label[name]; len(vs) > 0 {
				return vs[0]
			}
		}
		return ""
	}
}

// profileName decides the Pyroscope profile name (__name__) of an ingested
// Go profile. Pyroscope derives it from the profile's types and, for the
// godeltaprof uploads, from the sample_type_config display names.
func profileName(p *profile.Profile, displayNames []string) string {
	for _, d := range displayNames {
		if prefix, _, ok := strings.Cut(d, "_"); ok && (prefix == "mutex" || prefix == "block") {
			return prefix
		}
	}
	if p.PeriodType != nil && p.PeriodType.Type == "cpu" {
		return "process_cpu"
	}
	for _, st := range p.SampleType {
		switch {
		case strings.HasPrefix(st.Type, "alloc_"), strings.HasPrefix(st.Type, "inuse_"):
			return "memory"
		case st.Type == "goroutine", st.Type == "goroutines":
			return "goroutines"
		case st.Type == "contentions", st.Type == "delay":
			return "block"
		}
	}
	for _, st := range p.SampleType {
		if st.Type == "cpu" {
			return "process_cpu"
		}
	}
	return "unknown"
}
