// Package admin serves the daemon's admin listener: liveness and readiness probes, open to
// anyone who can reach the listener, and everything else (metrics, connector status and control,
// conflicts, quarantine) behind a bearer token.
//
// Lifecycle: [New] has no side effects; [Server.Start] binds the listener synchronously, so a
// port in use fails at start-up, then serves in the background until its context is cancelled
// or [Server.Stop] is called; both shut down gracefully. [Server.Serve] is Start followed by
// [Server.Wait]. Other packages mount their handlers with [Server.Handle]; admin imports no
// other package of the project.
package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/internal/httpserver"
)

// Defaults for the zero values of [Options].
const (
	DefaultShutdownTimeout = 10 * time.Second
	DefaultReadyTimeout    = 5 * time.Second
)

// Timeouts of the underlying http.Server. WriteTimeout bounds a whole response, so a handler
// that streams for longer (a CPU profile, say) must extend its own deadline with
// http.ResponseController.SetWriteDeadline.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
)

// Options configures a [Server].
type Options struct {
	// Listen is the TCP address to bind, such as "127.0.0.1:9090". Port 0 picks a free port;
	// see [Server.Addr]. Required.
	Listen string
	// Token is the bearer token that every endpoint except /healthz and /readyz requires.
	// When empty, those endpoints answer 503 and are never open.
	Token string
	// Logger receives the server's own logs. Defaults to a no-op logger.
	Logger *zap.Logger
	// Ready is the readiness probe behind /readyz (a store ping, say). A nil Ready means
	// always ready. It is called with a context bounded by ReadyTimeout.
	Ready func(ctx context.Context) error
	// ReadyTimeout bounds one call of Ready. Defaults to 5 seconds.
	ReadyTimeout time.Duration
	// ShutdownTimeout bounds the graceful shutdown that follows cancellation of the context
	// given to Start; connections still open after it are closed. Defaults to 10 seconds.
	ShutdownTimeout time.Duration
}

// Server is the admin HTTP server. Create it with [New].
type Server struct {
	opts    Options
	log     *zap.Logger
	public  *http.ServeMux              // /healthz, /readyz: no auth
	private *http.ServeMux              // everything else, behind requireToken
	token   atomic.Pointer[bearerToken] // see SetToken
	run     *httpserver.Server
}

// publicPaths are served without a token and may not be mounted with Handle.
var publicPaths = map[string]bool{"/healthz": true, "/readyz": true}

// New returns a server configured by opts. It does not bind anything; see [Server.Start].
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = DefaultReadyTimeout
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	s := &Server{
		opts:    opts,
		log:     opts.Logger,
		public:  http.NewServeMux(),
		private: http.NewServeMux(),
	}
	s.token.Store(newBearerToken(opts.Token))
	s.public.HandleFunc("GET /healthz", s.healthz)
	s.public.HandleFunc("GET /readyz", s.readyz)
	s.run = httpserver.New(&http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
	}, httpserver.Options{Name: "admin", Listen: opts.Listen, Logger: s.log, ShutdownTimeout: opts.ShutdownTimeout})
	return s
}

// Handle mounts h at pattern (a Go 1.22 ServeMux pattern such as "GET /status" or
// "POST /connectors/{name}/run") behind bearer-token auth. It may be called before or after
// Start. Like http.ServeMux.Handle, it panics on a pattern that is invalid or already
// registered; it also panics on /healthz and /readyz, which are served without auth.
func (s *Server) Handle(pattern string, h http.Handler) {
	path := pattern
	if i := strings.IndexAny(path, " \t"); i >= 0 {
		path = strings.TrimLeft(path[i:], " \t")
	}
	if publicPaths[path] {
		panic(fmt.Sprintf("admin: %q is reserved for the unauthenticated probe", pattern))
	}
	s.private.Handle(pattern, h)
}

// ServeHTTP routes /healthz and /readyz without auth and every other request through the
// token check to the handlers mounted with Handle. Unknown paths answer 401 without a valid
// token, so the listing of endpoints is not open either.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if publicPaths[r.URL.Path] {
		s.public.ServeHTTP(w, r)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	s.private.ServeHTTP(w, r)
}

// authorized checks the bearer token and writes the error response when it fails.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	token := s.token.Load()
	if !token.set {
		WriteJSON(w, http.StatusServiceUnavailable, errorBody{Error: "admin token not configured"})
		return false
	}
	scheme, given, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	// Comparing fixed-size digests keeps the comparison constant-time in the token's
	// length too, which subtle.ConstantTimeCompare alone does not.
	givenSum := sha256.Sum256([]byte(strings.TrimSpace(given)))
	if !ok || !strings.EqualFold(scheme, "Bearer") ||
		subtle.ConstantTimeCompare(givenSum[:], token.sum[:]) != 1 {
		s.log.Debug("admin request refused", zap.String("path", r.URL.Path), zap.String("remote", r.RemoteAddr))
		w.Header().Set("WWW-Authenticate", `Bearer realm="tandem-admin"`)
		WriteJSON(w, http.StatusUnauthorized, errorBody{Error: "missing or invalid bearer token"})
		return false
	}
	return true
}

type statusBody struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

type errorBody struct {
	Error string `json:"error"`
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	WriteJSON(w, http.StatusOK, statusBody{Status: "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.opts.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.ReadyTimeout)
		defer cancel()
		if err := s.opts.Ready(ctx); err != nil {
			WriteJSON(w, http.StatusServiceUnavailable, statusBody{Status: "unavailable", Error: err.Error()})
			return
		}
	}
	WriteJSON(w, http.StatusOK, statusBody{Status: "ok"})
}

// WriteJSON answers with code and v as JSON, not to be cached: the shape of every admin
// endpoint, for handlers mounted with [Server.Handle] that choose their own status codes.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client has gone if this fails
}

// Start binds the listener and serves in the background. It returns an error at once if the
// address cannot be bound (a port in use, say). When ctx is cancelled the server shuts down
// gracefully within ShutdownTimeout; [Server.Wait] reports when that is done. A server can be
// started once.
func (s *Server) Start(ctx context.Context) error {
	if !s.token.Load().set {
		s.log.Warn("admin token not configured; only /healthz and /readyz will answer")
	}
	return s.run.Start(ctx)
}

// Wait blocks until a started server has stopped and its connections have drained, and returns
// nil after a clean shutdown. It returns at once for a server that was never started.
func (s *Server) Wait() error { return s.run.Wait() }

// Serve is Start followed by Wait: it blocks until ctx is cancelled and the server has shut
// down, and returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	return s.Wait()
}

// Stop shuts the server down gracefully and waits for it, like cancelling Start's context. If
// ctx ends first, open connections are closed and ctx's error is returned. Stop may be called
// more than once, and before Start (a later Start then fails).
func (s *Server) Stop(ctx context.Context) error { return s.run.Stop(ctx) }

// Addr returns the address the server is bound to, such as "127.0.0.1:43210", or "" before
// Start.
func (s *Server) Addr() string { return s.run.Addr() }
