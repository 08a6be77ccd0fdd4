package syncengine

// Remote calls under the rate budget, with retries and backoff.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/tandem-crm/tandem/connectors"
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxRateLimitWaits <= 0 {
		p.MaxRateLimitWaits = 20
	}
	return p
}

// backoff is the wait before retry number n (1-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

// errUnauthorized marks a run stopped because the remote refused the
// credentials; the connector shows as failing until a run succeeds.
var errUnauthorized = errors.New("remote refused the credentials")

// call runs one remote call under the connector's rate budget, retrying
// rate limits (waiting at least Retry-After) and transient failures (with
// exponential backoff) within the policy's bounds. Refused credentials,
// permanent errors, partial batch failures and cancellation return at once.
func (rn *runner) call(ctx context.Context, what string, fn func(context.Context) error) error {
	return rn.callWith(ctx, what, true, fn)
}

// callOnce is call for a call that must not be repeated after a failure
// that may have been applied (a create): it waits out rate limits, which
// the remote answers before doing anything, and returns other failures.
func (rn *runner) callOnce(ctx context.Context, what string, fn func(context.Context) error) error {
	return rn.callWith(ctx, what, false, fn)
}

// callWith is call, retrying transient failures only when retryTransient.
func (rn *runner) callWith(ctx context.Context, what string, retryTransient bool, fn func(context.Context) error) error {
	p := rn.e.retry
	attempts, waits := 0, 0
	for {
		if rn.reg.limiter != nil {
			if err := rn.reg.limiter.Wait(ctx); err != nil {
				return fmt.Errorf("%s: wait for rate budget: %w", what, err)
			}
		}
		err := fn(ctx)
		var partial *connectors.PartialError
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case connectors.IsUnauthorized(err):
			return fmt.Errorf("%s: %w: %w", what, errUnauthorized, err)
		case connectors.IsPermanent(err), errors.As(err, &partial):
			return err
		}
		if wait, limited := connectors.RetryAfter(err); limited {
			waits++
			if waits > p.MaxRateLimitWaits {
				return fmt.Errorf("%s: still rate limited after %d waits: %w", what, waits-1, err)
			}
			wait = max(wait, p.BaseDelay)
			if rn.e.observer != nil {
				rn.e.observer.RateLimited(rn.reg.spec.Name, wait)
			}
			rn.e.log.Debug("remote rate limit, waiting", zap.String("connector", rn.reg.spec.Name), zap.String("call", what), zap.Duration("wait", wait))
			if err := rn.e.clock.Sleep(ctx, wait); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			continue
		}
		attempts++
		if !retryTransient {
			return fmt.Errorf("%s: %w", what, err)
		}
		if attempts >= p.MaxAttempts {
			return fmt.Errorf("%s: failed %d times: %w", what, attempts, err)
		}
		rn.e.log.Debug("remote call failed, retrying", zap.String("connector", rn.reg.spec.Name), zap.String("call", what),
			zap.Int("attempt", attempts), zap.Error(err))
		if err := rn.e.clock.Sleep(ctx, p.backoff(attempts)); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
}
