// Package hubspotfake is an in-memory fake of HubSpot's CRM v3 API on an httptest server, for
// the HubSpot connector's tests and benchmarks.
//
// It keeps objects (contacts, companies, deals, tickets) with properties, hs_object_id,
// createdate and hs_lastmodifieddate (plus lastmodifieddate on contacts) from an injectable
// clock, and serves: search with the filter operators and single sort HubSpot documents and its
// 10,000-result cap; list with paging; batch read, create, update and archive; the property
// definitions; v4 associations (batch read, batch associate default). It checks the bearer
// token, limits requests per rolling ten seconds like HubSpot (429, Retry-After and HubSpot's
// error body), adds latency, injects faults (5xx, dropped connections, malformed JSON bodies,
// 429, 401; the next N requests or a seeded random share of them), and counts requests.
//
// Where HubSpot's behaviour is undocumented the fake picks the stricter reading: batch create is
// all or nothing unless every input carries a unique objectWriteTraceId (or always, with
// Options.AtomicBatches), batch update refuses the whole batch when one input is invalid.
package hubspotfake

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultToken is the bearer token the fake accepts when Options.Token is empty.
const DefaultToken = "fake-hubspot-token"

// Options configures a fake server. The zero value is a fast, unlimited, fault-free server.
type Options struct {
	// Token is the accepted bearer token; DefaultToken when empty.
	Token string
	// RequestsPer10s limits requests in any rolling ten seconds (429 past it); 0 is no limit.
	RequestsPer10s int
	// SearchPerSecond limits search requests per rolling second; 0 is no limit.
	SearchPerSecond int
	// Latency is added before every request is handled.
	Latency time.Duration
	// Now stamps createdate and the last-modified dates; time.Now when nil. Times are kept to
	// the millisecond, as HubSpot does. Rate limiting always uses the real clock.
	Now func() time.Time
	// FailureRate is the share (0..1) of requests that fail with a random fault of
	// RandomFaults; Seed makes the sequence repeatable.
	FailureRate float64
	Seed        uint64
	// RandomFaults are the faults FailureRate draws from; server errors and dropped
	// connections when empty.
	RandomFaults []FaultKind
	// AtomicBatches makes batch create all or nothing even when inputs carry
	// objectWriteTraceIds, as some HubSpot portals behave.
	AtomicBatches bool
	// ShuffleTies orders search results that tie on the sort property by a hash of their id
	// instead of by creation, to prove a client does not rely on tie order.
	ShuffleTies bool
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give a client (no trailing slash).
	URL string

	opts Options
	hs   *httptest.Server
	mux  *http.ServeMux

	mu     sync.Mutex
	data   *store
	faults faultQueue
	rng    *rand.Rand
	window rollingWindow
	search rollingWindow

	requests    atomic.Int64
	rateLimited atomic.Int64
	injected    atomic.Int64
	routeMu     sync.Mutex
	routes      map[string]int64
}

// New starts a fake server; Close stops it.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.RandomFaults) == 0 {
		opts.RandomFaults = []FaultKind{FaultServerError, FaultDrop}
	}
	s := &Server{
		opts:   opts,
		mux:    http.NewServeMux(),
		data:   newStore(),
		rng:    rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		window: rollingWindow{span: 10 * time.Second, max: opts.RequestsPer10s},
		search: rollingWindow{span: time.Second, max: opts.SearchPerSecond},
		routes: map[string]int64{},
	}
	s.registerRoutes()
	s.hs = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.hs.URL
	return s
}

// Close stops the server and closes its connections.
func (s *Server) Close() {
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// Token is the bearer token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// Client is an HTTP client that trusts the server (plain HTTP on loopback).
func (s *Server) Client() *http.Client { return s.hs.Client() }

// SetRequestsPer10s changes the rolling ten-second limit (0 turns it off).
func (s *Server) SetRequestsPer10s(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.window = rollingWindow{span: 10 * time.Second, max: n}
}

func (s *Server) registerRoutes() {
	s.mux.HandleFunc("GET /crm/v3/objects/{object}", s.handleList)
	s.mux.HandleFunc("POST /crm/v3/objects/{object}/search", s.handleSearch)
	s.mux.HandleFunc("POST /crm/v3/objects/{object}/batch/read", s.handleBatchRead)
	s.mux.HandleFunc("POST /crm/v3/objects/{object}/batch/create", s.handleBatchCreate)
	s.mux.HandleFunc("POST /crm/v3/objects/{object}/batch/update", s.handleBatchUpdate)
	s.mux.HandleFunc("POST /crm/v3/objects/{object}/batch/archive", s.handleBatchArchive)
	s.mux.HandleFunc("GET /crm/v3/properties/{object}", s.handleProperties)
	s.mux.HandleFunc("POST /crm/v4/associations/{from}/{to}/batch/read", s.handleAssocRead)
	s.mux.HandleFunc("POST /crm/v4/associations/{from}/{to}/batch/associate/default", s.handleAssocDefault)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}

// serve runs every request through latency, counting, auth, faults and rate limits, in the
// order HubSpot's edge would: a refused token is refused before anything is counted against it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.countRoute(r)
	if s.opts.Latency > 0 {
		t := time.NewTimer(s.opts.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	if f, ok := s.nextFault(); ok {
		s.injected.Add(1)
		s.inject(w, f)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.opts.Token {
		writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
		return
	}
	if wait, limited := s.admit(r); limited {
		s.rateLimited.Add(1)
		writeRateLimited(w, wait, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// admit applies the rolling limits; it reports how long to wait when the request is refused.
func (s *Server) admit(r *http.Request) (time.Duration, bool) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if wait, ok := s.window.admit(now); !ok {
		return wait, true
	}
	if strings.HasSuffix(r.URL.Path, "/search") {
		if wait, ok := s.search.admit(now); !ok {
			return wait, true
		}
	}
	return 0, false
}

func (s *Server) countRoute(r *http.Request) {
	key := routeKey(r.Method, r.URL.Path)
	s.routeMu.Lock()
	s.routes[key]++
	s.routeMu.Unlock()
}

// routeKey names a request by method and its path's last element ("POST search", "GET list").
func routeKey(method, path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 4 && parts[2] == "objects":
		return method + " list"
	case len(parts) == 4 && parts[2] == "properties":
		return method + " properties"
	default:
		return method + " " + parts[len(parts)-1]
	}
}

// Requests is the number of requests received, refused and faulted ones included.
func (s *Server) Requests() int64 { return s.requests.Load() }

// RateLimited is the number of requests answered 429 by the rate limits (not injected faults).
func (s *Server) RateLimited() int64 { return s.rateLimited.Load() }

// Injected is the number of requests answered with an injected fault.
func (s *Server) Injected() int64 { return s.injected.Load() }

// Count is the number of requests received for a route: "GET list", "POST search",
// "POST read", "POST create", "POST update", "POST archive", "GET properties", "POST default".
func (s *Server) Count(route string) int64 {
	s.routeMu.Lock()
	defer s.routeMu.Unlock()
	return s.routes[route]
}

// ResetCounters zeroes every counter.
func (s *Server) ResetCounters() {
	s.requests.Store(0)
	s.rateLimited.Store(0)
	s.injected.Store(0)
	s.routeMu.Lock()
	s.routes = map[string]int64{}
	s.routeMu.Unlock()
}

// now is the record clock, to the millisecond.
func (s *Server) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }
