// Package api serves Tandem's HubSpot-compatible CRM REST API: the paths,
// JSON shapes, status codes and errors of HubSpot's CRM v3/v4 API (and its
// date-versioned paths), so the official HubSpot clients work against
// Tandem by changing only their base URL. It translates HTTP to crmstore
// calls; the store holds every rule about the data.
//
// Every request needs a bearer token made with `tandem tokens create`
// (only its digest is stored). Requests are logged once with their
// correlation id, which errors also carry.
package api

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/httpserver"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxBodyBytes = 10 << 20
	// DefaultMaxImportBytes is HubSpot's own limit on an import file.
	DefaultMaxImportBytes = 512 << 20
	readHeaderTimeout     = 10 * time.Second
	readTimeout           = 60 * time.Second
	writeTimeout          = 120 * time.Second
	idleTimeout           = 120 * time.Second
	maxHeaderBytes        = 1 << 20
)

// Options configures the API server.
type Options struct {
	// Listen is the TCP address to bind, e.g. "127.0.0.1:8080".
	Listen string
	// MaxBodyBytes caps request bodies; larger ones answer 413.
	MaxBodyBytes int64
	// MaxImportBytes caps the body of POST /crm/v3/imports instead, because
	// import files are far larger than any JSON request; they stream to disk.
	MaxImportBytes int64
	// RateLimit, when RequestsPer10s > 0, limits each token to that many
	// requests in any rolling ten seconds, as HubSpot does.
	RequestsPer10s int
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
	// Logger receives one line per request. Defaults to a no-op logger.
	Logger *zap.Logger
	// Now is the clock (rate-limit windows, token cache). Defaults to time.Now.
	Now func() time.Time
	// Observer, when set, is told each request's route pattern, status and duration (for
	// metrics); see observe.go.
	Observer Observer
}

// Server is the API server.
type Server struct {
	store   *crmstore.Store
	opts    Options
	log     *zap.Logger
	mux     *http.ServeMux
	handler http.Handler
	tokens  *tokenCache
	limiter atomic.Pointer[rateLimiter] // nil when rate limiting is off
	imports *importsAPI                 // the import engine, set after New by SetImporter
	run     *httpserver.Server
}

// New builds the server over store. It binds nothing; see Start.
func New(store *crmstore.Store, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxImportBytes <= 0 {
		opts.MaxImportBytes = DefaultMaxImportBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{store: store, opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	s.imports = &importsAPI{s: s}
	s.tokens = newTokenCache(store, opts.Now, s.log)
	s.SetRateLimit(opts.RequestsPer10s)
	s.routes()
	s.handler = s.middleware(s.mux)
	s.run = httpserver.New(&http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}, httpserver.Options{Name: "api", Listen: opts.Listen, Logger: s.log, ShutdownTimeout: opts.ShutdownTimeout})
	return s
}

// SetRateLimit changes the per-token limit while serving (a configuration
// reload); 0 turns rate limiting off. Windows already counted are kept.
func (s *Server) SetRateLimit(requestsPer10s int) {
	if requestsPer10s <= 0 {
		s.limiter.Store(nil)
		return
	}
	if l := s.limiter.Load(); l != nil {
		l.setMax(requestsPer10s)
		return
	}
	s.limiter.Store(newRateLimiter(requestsPer10s, s.opts.Now))
}

// Handler is the whole API with its middleware, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Start binds the listener and serves until ctx ends or Stop is called.
func (s *Server) Start(ctx context.Context) error { return s.run.Start(ctx) }

// Wait blocks until the server has stopped.
func (s *Server) Wait() error { return s.run.Wait() }

// Stop shuts the server down gracefully, closing connections when ctx ends.
func (s *Server) Stop(ctx context.Context) error { return s.run.Stop(ctx) }

// Addr is the bound address, or "" before Start.
func (s *Server) Addr() string { return s.run.Addr() }

// handle registers a handler that returns an error; errors are written in
// HubSpot's error shape.
func (s *Server) handle(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}
