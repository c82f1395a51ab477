package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/grafana/pyroscope/api/gen/proto/go/querier/v1/querierv1connect"
)

// Config is what the command line sets.
type Config struct {
	TenantRequired bool   // reject requests without X-Scope-OrgID (401 "no org id")
	BasicAuth      string // "user:pass": require HTTP basic auth
	Bearer         string // require "Authorization: Bearer <token>"
	Control        bool   // serve /control/… (faults, reset, request log)
	DataDir        string // persist ingested profiles here
	PathPrefix     string // serve the API under this prefix (a Grafana data-source proxy path)
}

// Server is the Pyroscope-compatible test server: ingestion, the query API
// subset pgo-go uses, a raw pprof URL, and switchable misbehaviour.
type Server struct {
	cfg     Config
	store   *Store
	faults  *FaultSet
	reqlog  *RequestLog
	bombs   bombCache
	handler http.Handler
	// conns counts the connections accepted (http.Server.ConnState), the
	// ones a TLS server turns away before any request included.
	conns atomic.Int64

	// closing is closed on shutdown so that hanging and trickling handlers
	// give up; otherwise http.Server.Shutdown would wait for them forever.
	closing   chan struct{}
	closeOnce sync.Once
}

func NewServer(cfg Config) (*Server, error) {
	store, err := NewStore(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		store:   store,
		faults:  &FaultSet{},
		reqlog:  &RequestLog{},
		closing: make(chan struct{}),
	}

	api := http.NewServeMux()
	path, qh := querierv1connect.NewQuerierServiceHandler(&querier{s: s})
	api.Handle(path, qh)
	api.HandleFunc("/ingest", s.handleIngest)
	api.HandleFunc("/debug/pprof/profile", s.handlePprof)
	var apiHandler http.Handler = s.middleware(api)
	if p := strings.TrimSuffix(cfg.PathPrefix, "/"); p != "" {
		apiHandler = http.StripPrefix(p, apiHandler)
	}

	root := http.NewServeMux()
	if cfg.Control {
		// Control endpoints bypass auth, tenants, faults and the request
		// log: they are the test's side channel, not traffic under test.
		s.registerControl(root)
	}
	root.Handle("/", apiHandler)
	s.handler = root
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// ConnState counts new connections; set it as the http.Server's ConnState.
func (s *Server) ConnState(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		s.conns.Add(1)
	}
}

// Close releases handlers that are hanging or trickling on purpose.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
}

// methodOf names the API method a request is for: the RPC name for Connect
// paths, "Ingest" and "Pprof" for the HTTP endpoints. Faults and the request
// log use these names.
func methodOf(path string) string {
	if rpc, ok := strings.CutPrefix(path, "/"+querierv1connect.QuerierServiceName+"/"); ok {
		return rpc
	}
	switch path {
	case "/ingest":
		return "Ingest"
	case "/debug/pprof/profile":
		return "Pprof"
	}
	return ""
}

// middleware runs, in order: the request log, authentication, the tenant,
// and fault injection. Faults come last so a request a gateway would have
// refused never uses up a fault.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := methodOf(r.URL.Path)
		rec := s.reqlog.add(method, r)
		sw := &statusWriter{ResponseWriter: w}
		defer func() { s.reqlog.finish(rec, sw.status) }()

		if !s.authorized(r) {
			if s.cfg.BasicAuth != "" {
				sw.Header().Set("WWW-Authenticate", `Basic realm="pyroserver"`)
			}
			writeConnectError(sw, http.StatusUnauthorized, "", "invalid or missing credentials")
			return
		}
		tenant := strings.TrimSpace(r.Header.Get("X-Scope-OrgID"))
		if tenant == "" {
			if s.cfg.TenantRequired {
				writeConnectError(sw, http.StatusUnauthorized, "", "no org id")
				return
			}
			tenant = "anonymous"
		} else if s.cfg.TenantRequired {
			if msg := tenantError(tenant); msg != "" {
				writeConnectError(sw, http.StatusUnauthorized, "", msg)
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), tenantKey{}, tenant))

		if f := s.faults.take(method); f != nil {
			s.reqlog.setFault(rec, f.Kind)
			s.serveFault(sw, r, f, next)
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// authorized checks credentials when -basic-auth or -bearer is set (either
// one is accepted when both are). Pyroscope itself does not check them; a
// gateway in front of it does, and this stands in for that gateway.
func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.BasicAuth == "" && s.cfg.Bearer == "" {
		return true
	}
	if s.cfg.BasicAuth != "" {
		if u, p, ok := r.BasicAuth(); ok && subtle.ConstantTimeCompare([]byte(u+":"+p), []byte(s.cfg.BasicAuth)) == 1 {
			return true
		}
	}
	if s.cfg.Bearer != "" {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.Bearer)) == 1 {
			return true
		}
	}
	return false
}

// tenantError is what a multi-tenant Pyroscope answers about an
// X-Scope-OrgID it does not take, or "" when it takes it. The rules are
// dskit's tenant package's (Apache-2.0), which Pyroscope's tenant
// interceptor applies and answers with Connect's unauthenticated: at most
// 150 bytes of letters, digits and !-_.*'(), not "." or "..". A handler that
// serves one tenant refuses several ("a|b") with user.ErrTooManyOrgIDs; its
// error comes back through the query frontend, which makes the backend's
// whole JSON error the message of its own (connectgrpc.RoundTripUnary):
// JSON inside JSON.
func tenantError(id string) string {
	if strings.Contains(id, "|") {
		inner, _ := json.Marshal(map[string]string{"code": "unauthenticated", "message": "multiple org IDs present"})
		return string(inner)
	}
	for i := 0; i < len(id); i++ {
		if !tenantByte(id[i]) {
			return fmt.Sprintf("tenant ID '%s' contains unsupported character '%c'", id, id[i])
		}
	}
	if len(id) > 150 {
		return "tenant ID is too long: max 150 characters"
	}
	if id == "." || id == ".." {
		return "tenant ID is '.' or '..'"
	}
	return ""
}

func tenantByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!-_.*'()", c) >= 0
}

type tenantKey struct{}

func tenantOf(ctx context.Context) string {
	if t, ok := ctx.Value(tenantKey{}).(string); ok {
		return t
	}
	return "anonymous"
}

// statusWriter remembers the status for the request log. Unwrap lets
// http.ResponseController reach the real writer's Flush.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
