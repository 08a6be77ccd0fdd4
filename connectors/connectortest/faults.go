package connectortest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
)

// op is one connector call the fault subtests exercise.
type op struct {
	name string
	// prepare runs before the fault is injected (to seed records the call needs).
	prepare func(e *env) string
	call    func(ctx context.Context, e *env, id string) error
}

// ops are the calls every fault subtest runs, each on a fresh connector.
var ops = []op{
	{"Pull", nil, func(ctx context.Context, e *env, _ string) error {
		_, err := e.c.Pull(ctx, e.request(""))
		return err
	}},
	{"Fetch", func(e *env) string { ids, _ := e.seed(1); return ids[0] }, func(ctx context.Context, e *env, id string) error {
		_, err := e.c.Fetch(ctx, e.h.Object, []string{id}, e.h.Fields)
		return err
	}},
	{"Push", nil, func(ctx context.Context, e *env, _ string) error {
		r, err := e.pushOne(ctx, connectors.Change{Kind: connectors.OpCreate, Ref: "r", Fields: e.values("fault")})
		if err == nil {
			if _, ok := e.r.Get(e.t, e.h.Object, r.ID); !ok {
				e.t.Errorf("Push reported success with id %q, but the remote has no such record", r.ID)
			}
		}
		return err
	}},
	{"Test", nil, func(ctx context.Context, e *env, _ string) error { return e.c.Test(ctx) }},
}

// eachOp runs fn once per op on a fresh connector, after prepare.
func eachOp(t *testing.T, h Harness, fn func(t *testing.T, e *env, o op, id string)) {
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			e := open(t, h)
			id := ""
			if o.prepare != nil {
				id = o.prepare(e)
			}
			fn(t, e, o, id)
		})
	}
}

// testRateLimit: after a 429 with Retry-After a call either succeeds having waited at least
// that long (the connector retried) or fails with an error connectors.RetryAfter recognises
// and that asks for at least the remote's wait. The next call succeeds.
func testRateLimit(t *testing.T, h Harness) {
	eachOp(t, h, func(t *testing.T, e *env, o op, id string) {
		e.r.FailNext(Fault{Kind: FaultRateLimit, RetryAfter: retryAfter}, 1)
		start := time.Now()
		err := o.call(e.ctx, e, id)
		elapsed := time.Since(start)
		if err == nil {
			if elapsed < retryAfter*9/10 {
				t.Errorf("%s succeeded %s after a 429 asking to wait %s: the wait was not honoured", o.name, elapsed, retryAfter)
			}
		} else if d, ok := connectors.RetryAfter(err); !ok {
			t.Errorf("%s after a 429: error %q is not a rate limit (connectors.RetryAfter reports false)", o.name, err)
		} else if d < retryAfter {
			t.Errorf("%s after a 429: error asks to wait %s; the remote asked for %s", o.name, d, retryAfter)
		}
		if err := o.call(e.ctx, e, id); err != nil {
			t.Errorf("%s after the rate limit passed: %v", o.name, err)
		}
	})
}

// testUnauthorized: refused credentials surface as connectors.ErrUnauthorized, not retried
// into something else.
func testUnauthorized(t *testing.T, h Harness) {
	eachOp(t, h, func(t *testing.T, e *env, o op, id string) {
		// Several faults, so a connector that wrongly retries a 401 still sees one.
		e.r.FailNext(Fault{Kind: FaultUnauthorized}, 3)
		err := o.call(e.ctx, e, id)
		if !connectors.IsUnauthorized(err) {
			t.Errorf("%s after a 401: error %v; want one wrapping connectors.ErrUnauthorized", o.name, err)
		}
	})
}

// testServerError: a transient 5xx either is retried inside the connector or surfaces as an
// error the engine will retry (not permanent, not unauthorized). The next call succeeds.
func testServerError(t *testing.T, h Harness) {
	eachOp(t, h, func(t *testing.T, e *env, o op, id string) {
		e.r.FailNext(Fault{Kind: FaultServerError}, 1)
		err := o.call(e.ctx, e, id)
		switch {
		case err == nil:
		case connectors.IsPermanent(err):
			t.Errorf("%s after a 5xx: error %v is permanent; a server error is transient", o.name, err)
		case connectors.IsUnauthorized(err):
			t.Errorf("%s after a 5xx: error %v claims refused credentials", o.name, err)
		}
		if err := o.call(e.ctx, e, id); err != nil {
			t.Errorf("%s after the server recovered: %v", o.name, err)
		}
	})
}

// promptly is how soon a call must return once its context is cancelled.
const promptly = 900 * time.Millisecond

// testCancelled: a cancelled context makes every call return promptly with an error wrapping
// context.Canceled, also while the connector waits out a rate limit.
func testCancelled(t *testing.T, h Harness) {
	eachOp(t, h, func(t *testing.T, e *env, o op, id string) {
		ctx, cancel := context.WithCancel(e.ctx)
		cancel()
		start := time.Now()
		err := o.call(ctx, e, id)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: error %v; want one wrapping context.Canceled", o.name, err)
		}
		if d := time.Since(start); d > promptly {
			t.Errorf("%s with a cancelled context took %s", o.name, d)
		}
	})
	t.Run("DuringRateLimitWait", func(t *testing.T) {
		e := open(t, h)
		e.r.FailNext(Fault{Kind: FaultRateLimit, RetryAfter: retryAfter}, 10)
		ctx, cancel := context.WithCancel(e.ctx)
		defer cancel()
		timer := time.AfterFunc(100*time.Millisecond, cancel)
		defer timer.Stop()
		start := time.Now()
		_, err := e.c.Pull(ctx, e.request(""))
		if d := time.Since(start); d > promptly {
			t.Errorf("Pull cancelled while rate limited took %s to return", d)
		}
		if _, limited := connectors.RetryAfter(err); !errors.Is(err, context.Canceled) && !limited {
			t.Errorf("Pull cancelled while rate limited: error %v; want context.Canceled or the rate limit", err)
		}
	})
}
