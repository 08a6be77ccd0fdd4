package hubspotfake

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// FaultKind is a failure the fake can inject instead of handling a request. Faults are
// injected before the request is handled, so a faulted write never takes effect.
type FaultKind int

// The injectable faults.
const (
	// FaultServerError answers 503 with HubSpot's error body.
	FaultServerError FaultKind = iota + 1
	// FaultDrop closes the connection without an answer.
	FaultDrop
	// FaultMalformed answers 200 with a truncated JSON body.
	FaultMalformed
	// FaultRateLimit answers 429 with Retry-After.
	FaultRateLimit
	// FaultUnauthorized answers 401.
	FaultUnauthorized
)

// Fault is one injected failure; RetryAfter is the wait a FaultRateLimit asks for.
type Fault struct {
	Kind       FaultKind
	RetryAfter time.Duration
}

type faultQueue struct {
	fault Fault
	n     int
}

// FailNext makes the next n requests fail with f (replacing any faults still queued).
func (s *Server) FailNext(f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faultQueue{fault: f, n: n}
}

// SetFailureRate makes a share p (0..1) of requests fail with a random fault of
// Options.RandomFaults, drawn from the seeded generator.
func (s *Server) SetFailureRate(p float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.FailureRate = p
}

// nextFault takes the fault for the current request, if any.
func (s *Server) nextFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.n > 0 {
		s.faults.n--
		return s.faults.fault, true
	}
	if s.opts.FailureRate > 0 && s.rng.Float64() < s.opts.FailureRate {
		kind := s.opts.RandomFaults[s.rng.IntN(len(s.opts.RandomFaults))]
		return Fault{Kind: kind, RetryAfter: time.Second}, true
	}
	return Fault{}, false
}

func (s *Server) inject(w http.ResponseWriter, f Fault) {
	switch f.Kind {
	case FaultDrop:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("hubspotfake: response writer cannot be hijacked")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"results":[{"id":"1","properties":{"email":`))
	case FaultRateLimit:
		writeRateLimited(w, f.RetryAfter, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
	case FaultUnauthorized:
		writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", "The OAuth token used to make this call expired.")
	default:
		writeError(w, http.StatusServiceUnavailable, "INTERNAL_ERROR", "injected server error")
	}
}

// rollingWindow admits at most max events in any span; max 0 admits everything.
type rollingWindow struct {
	span   time.Duration
	max    int
	events []time.Time
}

// admit records an event at now when the window has room; otherwise it reports how long
// until the oldest event leaves the window.
func (w *rollingWindow) admit(now time.Time) (time.Duration, bool) {
	if w.max <= 0 {
		return 0, true
	}
	cut := 0
	for cut < len(w.events) && now.Sub(w.events[cut]) >= w.span {
		cut++
	}
	w.events = w.events[cut:]
	if len(w.events) >= w.max {
		return w.span - now.Sub(w.events[0]), false
	}
	w.events = append(w.events, now)
	return 0, true
}

// writeRateLimited answers 429 the way HubSpot does, plus a Retry-After in whole seconds
// (rounded up, never 0, so a client waiting for it is past the window).
func writeRateLimited(w http.ResponseWriter, wait time.Duration, policy, message string) {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"status":        "error",
		"message":       message,
		"errorType":     "RATE_LIMIT",
		"correlationId": correlationID(),
		"policyName":    policy,
		"groupName":     "fake-hubspot",
	})
}
