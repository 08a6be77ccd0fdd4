// Package httpserver runs an http.Server with the lifecycle the daemon's
// listeners share: bind synchronously (so a port in use fails at start-up),
// serve in the background, shut down gracefully within a budget when the
// context ends or Stop is called, and report how that went.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"
)

// DefaultShutdownTimeout bounds a graceful shutdown when Options leaves it zero.
const DefaultShutdownTimeout = 10 * time.Second

// Options configures a Server.
type Options struct {
	// Name labels log lines and errors ("api", "admin").
	Name string
	// Listen is the TCP address to bind; port 0 picks a free port (see Addr).
	Listen string
	// Logger receives the server's own logs. Defaults to a no-op logger.
	Logger *zap.Logger
	// ShutdownTimeout bounds the graceful shutdown; connections still open
	// after it are closed. Defaults to DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
}

const (
	stateNew = iota
	stateStarted
	stateStopped
)

// Server serves one http.Server on one listener.
type Server struct {
	opts Options
	log  *zap.Logger
	srv  *http.Server

	mu      sync.Mutex
	state   int
	ln      net.Listener
	cancel  context.CancelFunc
	done    chan struct{} // closed once stopped and drained
	stopErr error         // set before done is closed
}

// New wraps srv, whose Handler and timeouts the caller sets. It binds nothing.
func New(srv *http.Server, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if l, err := zap.NewStdLogAt(opts.Logger, zap.WarnLevel); err == nil && srv.ErrorLog == nil {
		// net/http reports TLS handshake failures, handler panics and the like here.
		srv.ErrorLog = l
	}
	return &Server{opts: opts, log: opts.Logger, srv: srv, done: make(chan struct{})}
}

// Start binds the listener and serves in the background. It fails at once
// if the address cannot be bound. When ctx is cancelled the server shuts
// down gracefully; Wait reports when that is done. A server starts once.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case stateStarted:
		return fmt.Errorf("%s: server already started", s.opts.Name)
	case stateStopped:
		return fmt.Errorf("%s: server stopped", s.opts.Name)
	}
	if s.opts.Listen == "" {
		return fmt.Errorf("%s: no listen address", s.opts.Name)
	}
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return fmt.Errorf("%s: listen on %s: %w", s.opts.Name, s.opts.Listen, err)
	}
	s.log.Info("server listening", zap.String("server", s.opts.Name), zap.String("addr", ln.Addr().String()))
	ctx, s.cancel = context.WithCancel(ctx)
	s.ln = ln
	s.state = stateStarted
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.srv.Serve(ln) }()
	go s.run(ctx, serveErr)
	return nil
}

// run waits for ctx or a serve failure, then shuts down and records the outcome.
func (s *Server) run(ctx context.Context, serveErr <-chan error) {
	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr: // Serve only returns early on a listener failure
		s.log.Error("server failed", zap.String("server", s.opts.Name), zap.Error(err))
		err = fmt.Errorf("%s: serve: %w", s.opts.Name, err)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	if serr := s.srv.Shutdown(sctx); serr != nil {
		_ = s.srv.Close()
		s.log.Warn("server shutdown timed out; connections closed", zap.String("server", s.opts.Name), zap.Error(serr))
		if err == nil {
			err = fmt.Errorf("%s: shutdown: %w", s.opts.Name, serr)
		}
	}
	if err == nil {
		if serr := <-serveErr; !errors.Is(serr, http.ErrServerClosed) {
			err = fmt.Errorf("%s: serve: %w", s.opts.Name, serr)
		}
	}
	s.log.Info("server stopped", zap.String("server", s.opts.Name))
	s.mu.Lock()
	s.stopErr = err
	s.state = stateStopped
	s.mu.Unlock()
	close(s.done)
}

// Wait blocks until a started server has stopped and drained, and returns
// nil after a clean shutdown. It returns at once for a server never started.
func (s *Server) Wait() error {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	if state == stateNew {
		return nil
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopErr
}

// Serve is Start followed by Wait.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return err
	}
	return s.Wait()
}

// Stop shuts the server down gracefully and waits for it. If ctx ends
// first, open connections are closed and ctx's error is returned. Stop may
// be called more than once, and before Start (a later Start then fails).
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.state == stateNew {
		s.state = stateStopped
		close(s.done)
		s.mu.Unlock()
		return nil
	}
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	select {
	case <-s.done:
		return s.Wait()
	case <-ctx.Done():
		_ = s.srv.Close()
		<-s.done
		return ctx.Err()
	}
}

// Addr is the bound address, such as "127.0.0.1:43210", or "" before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}
