package memory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tandem-crm/tandem/connectors"
)

// FaultKind is a kind of failure the remote can be made to return.
type FaultKind int

// The injectable faults.
const (
	// FaultRateLimit fails the call with a *connectors.RateLimitError carrying RetryAfter,
	// as a 429 with a Retry-After header would.
	FaultRateLimit FaultKind = iota + 1
	// FaultUnauthorized fails the call with an error wrapping connectors.ErrUnauthorized, as a
	// 401 would.
	FaultUnauthorized
	// FaultServerError fails the call with ErrServerError, a transient failure as a 5xx would.
	FaultServerError
)

// String names the kind for test failure messages.
func (k FaultKind) String() string {
	switch k {
	case FaultRateLimit:
		return "rate limit"
	case FaultUnauthorized:
		return "unauthorized"
	case FaultServerError:
		return "server error"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is one injected failure. The zero Fault lets its call through, so queuing one ahead of
// a real fault fails a later call: FailNext(Fault{}, 2) then FailNext(f, 1) fails the third.
type Fault struct {
	Kind FaultKind
	// RetryAfter is the wait a FaultRateLimit asks for.
	RetryAfter time.Duration
}

// ErrServerError is the transient failure a FaultServerError (and FailEvery) returns. It is
// neither permanent nor a rate limit, so the engine retries it with backoff.
var ErrServerError = errors.New("memory remote: server error (503)")

// err returns the error the fault makes a call fail with.
func (f Fault) err() error {
	switch f.Kind {
	case FaultRateLimit:
		return &connectors.RateLimitError{RetryAfter: f.RetryAfter, Err: errors.New("memory remote: too many requests (429)")}
	case FaultUnauthorized:
		return fmt.Errorf("memory remote: 401: %w", connectors.ErrUnauthorized)
	case FaultServerError:
		return ErrServerError
	}
	return nil
}

// FailNext makes the next n remote calls fail with f, after any faults already queued.
func (r *Remote) FailNext(f Fault, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range n {
		r.faults = append(r.faults, f)
	}
}

// FailEvery makes a random share fraction (0 to 1) of remote calls fail with ErrServerError,
// drawn from a generator seeded with seed so a failing test replays the same pattern.
// FailEvery(0, 0) turns it off. Queued FailNext faults take precedence.
func (r *Remote) FailEvery(fraction float64, seed uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failRate = fraction
	r.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// ClearFaults drops queued faults and turns FailEvery off.
func (r *Remote) ClearFaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = nil
	r.failRate = 0
}

// Calls is a snapshot of the remote calls the connector made, failed ones included.
type Calls struct {
	Total int
	// ByMethod counts calls per connector method ("pull", "fetch", "push", "list", "test",
	// "fields", "associations", "associate"); a Push of several batches counts one call per
	// batch.
	ByMethod map[string]int
	// ByObject counts calls per object; Test counts under "".
	ByObject map[string]int
}

type callCounts struct {
	total    int
	byMethod map[string]int
	byObject map[string]int
}

func newCallCounts() callCounts {
	return callCounts{byMethod: map[string]int{}, byObject: map[string]int{}}
}

// Calls returns the calls counted since the remote was made or ResetCalls.
func (r *Remote) Calls() Calls {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := Calls{Total: r.calls.total, ByMethod: map[string]int{}, ByObject: map[string]int{}}
	for k, v := range r.calls.byMethod {
		c.ByMethod[k] = v
	}
	for k, v := range r.calls.byObject {
		c.ByObject[k] = v
	}
	return c
}

// ResetCalls sets the call counters to zero.
func (r *Remote) ResetCalls() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = newCallCounts()
}

// enter accounts for one remote call and decides whether it fails. A cancelled context fails
// before the call is made, so it is not counted. The caller holds r.mu.
func (r *Remote) enter(ctx context.Context, method, object string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.calls.total++
	r.calls.byMethod[method]++
	r.calls.byObject[object]++
	if len(r.faults) > 0 {
		f := r.faults[0]
		r.faults = r.faults[1:]
		return f.err() // nil for the zero Fault: the call passes
	}
	if r.failRate > 0 && r.rng.Float64() < r.failRate {
		return ErrServerError
	}
	return nil
}
