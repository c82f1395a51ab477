package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The control API (enabled with -control) lets a test script the server:
//
//	POST   /control/fault     {"method":"SelectMergeProfile"|"*","kind":"…","count":N,…}
//	                          → {"id":N,…the fault with defaults filled in}
//	GET    /control/faults    → the active faults
//	DELETE /control/fault     → clear all faults
//	POST   /control/reset     → clear faults and the request log
//	                            (?data=1 also drops every stored profile)
//	GET    /control/requests  → the request log (?method=NAME filters)
//	GET    /control/connections → {"connections": N}: accepted so far
func (s *Server) registerControl(mux *http.ServeMux) {
	mux.HandleFunc("POST /control/fault", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields() // a misspelt parameter must not pass silently
		if err := dec.Decode(&f); err != nil {
			http.Error(w, "bad fault JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := f.normalize(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, s.faults.add(f))
	})
	mux.HandleFunc("GET /control/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.faults.list())
	})
	mux.HandleFunc("DELETE /control/fault", func(w http.ResponseWriter, r *http.Request) {
		s.faults.clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /control/reset", func(w http.ResponseWriter, r *http.Request) {
		s.faults.clear()
		s.reqlog.clear()
		if v := r.URL.Query().Get("data"); v == "1" || v == "true" {
			if err := s.store.Reset(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /control/requests", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.reqlog.list(r.URL.Query().Get("method")))
	})
	// Connections count what never becomes a request: a client a TLS
	// server turned away. This request's own connection is counted.
	mux.HandleFunc("GET /control/connections", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]int64{"connections": s.conns.Load()})
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// RequestRecord is one API request as the request log shows it. The
// Authorization header's value is never kept, only its presence and scheme,
// so a test can check that credentials were sent without the log holding
// them.
type RequestRecord struct {
	Seq                  int                 `json:"seq"`
	Method               string              `json:"method"` // API method: SelectMergeProfile, LabelValues, Ingest, Pprof, …
	HTTPMethod           string              `json:"http_method"`
	Path                 string              `json:"path"`
	Query                string              `json:"query,omitempty"`
	Headers              map[string][]string `json:"headers"`
	AuthorizationPresent bool                `json:"authorization_present"`
	AuthorizationScheme  string              `json:"authorization_scheme,omitempty"`
	Time                 time.Time           `json:"time"`
	Status               int                 `json:"status"`          // 0 while (or if never) answered
	Fault                string              `json:"fault,omitempty"` // the fault kind applied, if any
	Done                 bool                `json:"done"`
}

type RequestLog struct {
	mu      sync.Mutex
	records []*RequestRecord
	seq     int
}

func (l *RequestLog) add(method string, r *http.Request) *RequestRecord {
	rec := &RequestRecord{
		Method:     method,
		HTTPMethod: r.Method,
		Path:       r.URL.Path,
		Query:      r.URL.RawQuery,
		Headers:    map[string][]string{},
		Time:       time.Now().UTC(),
	}
	for k, v := range r.Header {
		if k == "Authorization" {
			rec.AuthorizationPresent = true
			rec.AuthorizationScheme, _, _ = strings.Cut(r.Header.Get(k), " ")
			continue
		}
		rec.Headers[k] = v
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	rec.Seq = l.seq
	l.records = append(l.records, rec)
	return rec
}

func (l *RequestLog) setFault(rec *RequestRecord, kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec.Fault = kind
}

func (l *RequestLog) finish(rec *RequestRecord, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec.Status, rec.Done = status, true
}

func (l *RequestLog) list(method string) []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []RequestRecord{}
	for _, r := range l.records {
		if method == "" || r.Method == method {
			out = append(out, *r)
		}
	}
	return out
}

func (l *RequestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = nil
}
