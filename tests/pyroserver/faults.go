package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	googlev1 "github.com/grafana/pyroscope/api/gen/proto/go/google/v1"
)

// Fault is one scripted misbehaviour, set through POST /control/fault. It
// applies to the next Count requests for Method ("*": any API method);
// Count 0 keeps it until cleared. Parameters a kind does not use are
// ignored; DelayMS works with every kind (a delay before misbehaving).
type Fault struct {
	ID     int    `json:"id"`
	Method string `json:"method"`
	Kind   string `json:"kind"`
	Count  int    `json:"count"`
	Used   int    `json:"used"` // requests it has hit so far

	DelayMS        int    `json:"delay_ms,omitempty"`         // delay (and any kind): wait this long first
	Status         int    `json:"status,omitempty"`           // http, retry_after: the HTTP status
	Code           string `json:"code,omitempty"`             // http: override the Connect code
	Message        string `json:"message,omitempty"`          // http, retry_after: the error message
	RetryAfter     int    `json:"retry_after,omitempty"`      // retry_after: seconds in Retry-After
	BytesPerSecond int    `json:"bytes_per_second,omitempty"` // trickle: body rate
	Mode           string `json:"mode,omitempty"`             // truncate: "content_length" or "close"
	Size           int64  `json:"size,omitempty"`             // garbage/oversize: body bytes; gzip_bomb: inflated bytes
	Chunked        bool   `json:"chunked,omitempty"`          // oversize: no Content-Length
	Body           string `json:"body,omitempty"`             // garbage: send this instead of random bytes
	ContentType    string `json:"content_type,omitempty"`     // garbage: Content-Type (default application/proto)
	Seed           uint64 `json:"seed,omitempty"`             // garbage, shuffle: randomness (0: chosen at random, then shown)
	Renumber       bool   `json:"renumber,omitempty"`         // shuffle: also permute location/function/mapping ids
}

// The fault kinds. The last three change the profile an answer carries and
// so only match methods that return one.
var faultKinds = []string{
	"delay", "hang", "trickle", "http", "retry_after", "truncate", "garbage",
	"oversize", "gzip_bomb", "empty_profile", "no_start_line", "shuffle",
}

func isProfileFault(kind string) bool {
	return kind == "empty_profile" || kind == "no_start_line" || kind == "shuffle"
}

// profileMethods are the methods whose answer is a profile.
var profileMethods = []string{"SelectMergeProfile", "Pprof"}

// normalize validates a fault and fills in defaults, so GET /control/faults
// shows exactly what will happen.
func (f *Fault) normalize() error {
	if !slices.Contains(faultKinds, f.Kind) {
		return fmt.Errorf("unknown fault kind %q (want one of %v)", f.Kind, faultKinds)
	}
	if f.Method == "" {
		f.Method = "*"
	}
	if f.Count < 0 {
		return fmt.Errorf("count must be >= 0")
	}
	switch f.Kind {
	case "delay":
		if f.DelayMS <= 0 {
			return fmt.Errorf("delay wants delay_ms > 0")
		}
	case "http":
		if f.Status == 0 {
			f.Status = http.StatusInternalServerError
		}
		if f.Status < 400 || f.Status > 599 {
			return fmt.Errorf("http wants a status between 400 and 599")
		}
	case "retry_after":
		if f.Status == 0 {
			f.Status = http.StatusServiceUnavailable
		}
		if f.Status != http.StatusTooManyRequests && f.Status != http.StatusServiceUnavailable {
			return fmt.Errorf("retry_after wants status 429 or 503")
		}
		if f.RetryAfter <= 0 {
			f.RetryAfter = 1
		}
	case "trickle":
		if f.BytesPerSecond <= 0 {
			f.BytesPerSecond = 4
		}
	case "truncate":
		if f.Mode == "" {
			f.Mode = "content_length"
		}
		if f.Mode != "content_length" && f.Mode != "close" {
			return fmt.Errorf(`truncate wants mode "content_length" or "close"`)
		}
	case "garbage":
		if f.Size <= 0 {
			f.Size = 4096
		}
	case "oversize":
		if f.Size <= 0 {
			f.Size = 300 << 20
		}
	case "gzip_bomb":
		if f.Size <= 0 {
			f.Size = 3 << 30
		}
	}
	if (f.Kind == "garbage" || f.Kind == "shuffle") && f.Seed == 0 {
		f.Seed = rand.Uint64()
	}
	return nil
}

// FaultSet holds the active faults in the order they were added; a request
// takes the first one that matches it.
type FaultSet struct {
	mu     sync.Mutex
	faults []*Fault
	nextID int
}

func (fs *FaultSet) add(f Fault) Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.nextID++
	f.ID, f.Used = fs.nextID, 0
	fs.faults = append(fs.faults, &f)
	return f
}

// take returns (a copy of) the fault that applies to a request for method,
// counting the request against it, or nil.
func (fs *FaultSet) take(method string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.faults {
		if f.Method != "*" && f.Method != method {
			continue
		}
		if isProfileFault(f.Kind) && !slices.Contains(profileMethods, method) {
			continue
		}
		f.Used++
		c := *f
		if f.Count > 0 && f.Used >= f.Count {
			fs.faults = slices.Delete(fs.faults, i, i+1)
		}
		return &c
	}
	return nil
}

func (fs *FaultSet) list() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := []Fault{}
	for _, f := range fs.faults {
		out = append(out, *f)
	}
	return out
}

func (fs *FaultSet) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = nil
}

// serveFault answers a request according to f.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f *Fault, next http.Handler) {
	// Read the request body up front: net/http only notices a client that
	// hangs up (and cancels r.Context()) once the body has been consumed,
	// and delay/hang/trickle depend on noticing.
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxIngestBytes))
	if err != nil {
		writeConnectError(w, http.StatusBadRequest, "", "reading request: "+err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	if f.DelayMS > 0 && !s.sleep(r.Context(), time.Duration(f.DelayMS)*time.Millisecond) {
		panic(http.ErrAbortHandler)
	}
	switch f.Kind {
	case "delay":
		next.ServeHTTP(w, r)

	case "hang":
		// Answer nothing: the client's timeout must fire. When the server
		// shuts down, drop the connection rather than let net/http send an
		// empty 200, which a client could take for an empty profile.
		s.sleep(r.Context(), -1)
		panic(http.ErrAbortHandler)

	case "http":
		writeConnectError(w, f.Status, f.Code, f.Message)

	case "retry_after":
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		writeConnectError(w, f.Status, f.Code, f.Message)

	case "trickle":
		resp := capture(next, r)
		copyHeader(w.Header(), resp.header)
		w.Header().Set("Content-Length", strconv.Itoa(resp.body.Len()))
		w.WriteHeader(resp.status)
		s.trickle(r.Context(), w, resp.body.Bytes(), f.BytesPerSecond)

	case "truncate":
		resp := capture(next, r)
		body := resp.body.Bytes()
		copyHeader(w.Header(), resp.header)
		if f.Mode == "content_length" {
			// Promise the whole body, send half: net/http closes the
			// connection when a handler writes less than it declared.
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(resp.status)
			_, _ = w.Write(body[:len(body)/2])
			return
		}
		// No length (chunked), half the body, then an abrupt close: the
		// terminating chunk never comes.
		w.Header().Del("Content-Length")
		w.WriteHeader(resp.status)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)

	case "garbage":
		body := []byte(f.Body)
		if f.Body == "" {
			body = garbage(f.Size, f.Seed+uint64(f.Used))
		}
		ct := f.ContentType
		if ct == "" {
			ct = "application/proto"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)

	case "oversize":
		w.Header().Set("Content-Type", "application/proto")
		if !f.Chunked {
			w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
		}
		w.WriteHeader(http.StatusOK)
		// Streamed from a fixed 1 MiB block: nothing of size f.Size is
		// ever held in memory. The copy stops when the client goes.
		_, _ = io.Copy(w, io.LimitReader(&protoFiller{}, f.Size))

	case "gzip_bomb":
		bomb := s.bombs.get(f.Size)
		w.Header().Set("Content-Type", "application/proto")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(bomb)

	default: // the profile faults: the handler applies them to its answer
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), faultKey{}, f)))
	}
}

type faultKey struct{}

// applyProfileFault changes a profile answer as the request's fault (if
// any) says.
func applyProfileFault(ctx context.Context, p *googlev1.Profile) {
	f, _ := ctx.Value(faultKey{}).(*Fault)
	if f == nil {
		return
	}
	switch f.Kind {
	case "empty_profile":
		emptyProfile(p)
	case "no_start_line":
		stripStartLines(p)
	case "shuffle":
		// Seed+Used: every hit of the same fault gets a different order.
		shuffleProfile(p, rand.New(rand.NewPCG(f.Seed, uint64(f.Used))), f.Renumber)
	}
}

// sleep waits d (forever when d < 0) and reports whether it ran to the end
// rather than being cut short by the client going away or server shutdown.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	var timeout <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}

// trickle writes body a byte at a time at bps bytes per second, flushing
// each byte, until done or the client gives up.
func (s *Server) trickle(ctx context.Context, w http.ResponseWriter, body []byte, bps int) {
	rc := http.NewResponseController(w)
	_ = rc.Flush() // the status line and headers go out at once
	interval := time.Second / time.Duration(bps)
	for i := range body {
		if !s.sleep(ctx, interval) {
			panic(http.ErrAbortHandler) // as for hang: never a clean end
		}
		if _, err := w.Write(body[i : i+1]); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// connectCodes maps HTTP statuses to the Connect error codes a Connect
// server sends with them.
var connectCodes = map[int]string{
	400: "invalid_argument",
	401: "unauthenticated",
	403: "permission_denied",
	404: "not_found",
	408: "deadline_exceeded",
	409: "aborted",
	412: "failed_precondition",
	429: "resource_exhausted",
	499: "canceled",
	500: "internal",
	501: "unimplemented",
	503: "unavailable",
	504: "deadline_exceeded",
}

// writeConnectError writes a Connect unary error: the HTTP status and a
// JSON body {"code":…,"message":…}.
func writeConnectError(w http.ResponseWriter, status int, code, message string) {
	if code == "" {
		code = connectCodes[status]
		if code == "" {
			code = "unknown"
		}
	}
	if message == "" {
		message = fmt.Sprintf("injected fault: %d %s", status, http.StatusText(status))
	}
	body, _ := json.Marshal(map[string]string{"code": code, "message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// captured is a response recorded in memory, for the faults that need the
// real answer before mangling it.
type captured struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func capture(h http.Handler, r *http.Request) *captured {
	c := &captured{header: http.Header{}}
	h.ServeHTTP(c, r)
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c
}

func (c *captured) Header() http.Header { return c.header }

func (c *captured) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

func (c *captured) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = slices.Clone(v)
	}
}

// garbage returns size random bytes that are neither protobuf nor gzip: the
// first byte 0x00 is a field-number-0 tag, which no protobuf parser accepts.
func garbage(size int64, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x9a4b))
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	b[0] = 0
	return b
}
