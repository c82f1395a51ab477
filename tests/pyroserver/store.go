package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/pprof/profile"
)

// Entry is one ingested profile: what one SDK upload (or one raw pprof POST)
// carried. Entries are kept whole and filtered at query time: a test server
// holds little data, and keeping the original profile makes the raw pprof
// endpoint and persistence trivial.
type Entry struct {
	Tenant string            `json:"tenant"`
	Labels map[string]string `json:"labels"` // series labels: service_name plus the name's tags
	Name   string            `json:"name"`   // profile name, e.g. process_cpu
	From   time.Time         `json:"from"`
	Until  time.Time         `json:"until"`

	Profile *profile.Profile `json:"-"`
}

// Store holds entries per tenant; tenants never see each other's data.
type Store struct {
	mu      sync.RWMutex
	tenants map[string][]*Entry
	dir     string // optional persistence; "" keeps everything in memory
	seq     int
}

// NewStore opens a store, loading what a previous run left in dir.
func NewStore(dir string) (*Store, error) {
	s := &Store{tenants: map[string][]*Entry{}, dir: dir}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return s, s.load()
}

// Add stores an entry (and writes it to disk when persistence is on).
func (s *Store) Add(e *Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if s.dir != "" {
		if err := s.save(e, s.seq); err != nil {
			return err
		}
	}
	s.tenants[e.Tenant] = append(s.tenants[e.Tenant], e)
	return nil
}

// Entries returns the tenant's entries whose start time lies in
// [start, end); a zero start or end leaves that side open.
func (s *Store) Entries(tenant string, start, end time.Time) []*Entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*Entry
	for _, e := range s.tenants[tenant] {
		if !start.IsZero() && e.From.Before(start) {
			continue
		}
		if !end.IsZero() && !e.From.Before(end) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// Reset drops all data, on disk too.
func (s *Store) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenants = map[string][]*Entry{}
	if s.dir == "" {
		return nil
	}
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, d := range ents {
		if err := os.RemoveAll(filepath.Join(s.dir, d.Name())); err != nil {
			return err
		}
	}
	return nil
}

// On disk: DIR/<escaped tenant>/<seq>.json (metadata) and <seq>.pb.gz (the
// profile). The profile is written first so a crash never leaves metadata
// without its profile.
func (s *Store) save(e *Entry, seq int) error {
	dir := filepath.Join(s.dir, url.PathEscape(e.Tenant))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, fmt.Sprintf("%09d", seq))
	var buf bytes.Buffer
	if err := e.Profile.Write(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(base+".pb.gz", buf.Bytes(), 0o644); err != nil {
		return err
	}
	meta, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return os.WriteFile(base+".json", meta, 0o644)
}

func (s *Store) load() error {
	metas, err := filepath.Glob(filepath.Join(s.dir, "*", "*.json"))
	if err != nil {
		return err
	}
	slices.Sort(metas) // sequence order, so queries see entries as ingested
	for _, m := range metas {
		raw, err := os.ReadFile(m)
		if err != nil {
			return err
		}
		e := &Entry{}
		if err := json.Unmarshal(raw, e); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
		pb, err := os.ReadFile(strings.TrimSuffix(m, ".json") + ".pb.gz")
		if err != nil {
			return err
		}
		if e.Profile, err = profile.ParseData(pb); err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
		s.tenants[e.Tenant] = append(s.tenants[e.Tenant], e)
		var seq int
		if _, err := fmt.Sscanf(filepath.Base(m), "%d.json", &seq); err == nil {
			s.seq = max(s.seq, seq)
		}
	}
	return nil
}
