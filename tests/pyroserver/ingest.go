package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// maxIngestBytes bounds one upload; SDK uploads are a few KB to a few MB.
const maxIngestBytes = 64 << 20

// handleIngest accepts what the pyroscope-go SDK sends (observed with SDK
// v1.5.0):
//
//	POST /ingest?name=app{k=v,…}&from=<unix ns>&until=<unix ns>&spyName=gospy
//	     &sampleRate=100&units=samples&aggregationType=sum
//	Content-Type: multipart/form-data; parts "profile" (gzipped pprof) and,
//	for godeltaprof types, "sample_type_config" (JSON)
//
// and the raw variant `?format=pprof` whose body is the (gzipped or plain)
// pprof itself.
func (s *Server) handleIngest(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "ingest wants POST", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	app, labels, err := parseAppName(q.Get("name"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if f := q.Get("format"); f != "" && f != "pprof" {
		http.Error(w, fmt.Sprintf("format %q is not supported by this test server (only pprof)", f), http.StatusBadRequest)
		return
	}
	raw, displayNames, err := readIngestBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p, err := profile.ParseData(raw)
	if err != nil {
		http.Error(w, "parsing profile: "+err.Error(), http.StatusBadRequest)
		return
	}
	now := time.Now()
	from, err := parseIngestTime(q.Get("from"), profileTime(p, now))
	if err != nil {
		http.Error(w, "from: "+err.Error(), http.StatusBadRequest)
		return
	}
	until, err := parseIngestTime(q.Get("until"), from)
	if err != nil {
		http.Error(w, "until: "+err.Error(), http.StatusBadRequest)
		return
	}
	if _, ok := labels["service_name"]; !ok {
		labels["service_name"] = app
	}
	e := &Entry{
		Tenant:  tenantOf(r.Context()),
		Labels:  labels,
		Name:    profileName(p, displayNames),
		From:    from,
		Until:   until,
		Profile: p,
	}
	if err := s.store.Add(e); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// readIngestBody returns the pprof bytes and, when a sample_type_config part
// came along, the display names it assigns (they name mutex/block profiles).
func readIngestBody(r *http.Request) ([]byte, []string, error) {
	body := http.MaxBytesReader(nil, r.Body, maxIngestBytes)
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "multipart/form-data" {
		raw, err := io.ReadAll(body)
		if err == nil && len(raw) == 0 {
			err = errors.New("empty body")
		}
		return raw, nil, err
	}
	mr := multipart.NewReader(body, params["boundary"])
	var raw []byte
	var displayNames []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("multipart: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, fmt.Errorf("multipart part %q: %w", part.FormName(), err)
		}
		switch part.FormName() {
		case "profile":
			raw = data
		case "sample_type_config":
			var cfg map[string]struct {
				DisplayName string `json:"display-name"`
			}
			if err := json.Unmarshal(data, &cfg); err != nil {
				return nil, nil, fmt.Errorf("sample_type_config: %w", err)
			}
			for _, c := range cfg {
				displayNames = append(displayNames, c.DisplayName)
			}
		}
		// Other parts (prev_profile from old SDKs) are ignored.
	}
	if raw == nil {
		return nil, nil, errors.New(`multipart body has no "profile" part`)
	}
	return raw, displayNames, nil
}

// parseAppName splits the ingest name `app{k=v,k2=v2}` into the application
// name and its tags. Values are unquoted and trimmed, as the SDK writes them.
func parseAppName(name string) (string, map[string]string, error) {
	labels := map[string]string{}
	app, rest, hasTags := strings.Cut(name, "{")
	app = strings.TrimSpace(app)
	if app == "" {
		return "", nil, errors.New("name: missing application name")
	}
	if !hasTags {
		return app, labels, nil
	}
	rest, ok := strings.CutSuffix(strings.TrimSpace(rest), "}")
	if !ok {
		return "", nil, fmt.Errorf("name %q: missing '}'", name)
	}
	for kv := range strings.SplitSeq(rest, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return "", nil, fmt.Errorf("name %q: bad tag %q", name, kv)
		}
		labels[k] = strings.TrimSpace(v)
	}
	return app, labels, nil
}

// parseIngestTime reads a from/until value. The SDK sends Unix nanoseconds;
// older clients send seconds or milliseconds, so the unit is guessed from
// the magnitude, as Pyroscope does. RFC 3339 is accepted for hand-made
// requests.
func parseIngestTime(v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t, terr := time.Parse(time.RFC3339Nano, v)
		if terr != nil {
			return time.Time{}, fmt.Errorf("bad time %q", v)
		}
		return t, nil
	}
	switch {
	case n < 1e11:
		return time.Unix(n, 0), nil
	case n < 1e14:
		return time.UnixMilli(n), nil
	case n < 1e17:
		return time.UnixMicro(n), nil
	default:
		return time.Unix(0, n), nil
	}
}

func profileTime(p *profile.Profile, def time.Time) time.Time {
	if p.TimeNanos > 0 {
		return time.Unix(0, p.TimeNanos)
	}
	return def
}
