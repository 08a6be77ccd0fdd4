// Package httpclient builds the HTTP clients connectors use to reach remote platforms: a
// hashicorp/go-retryablehttp client with bounded retries, exponential backoff with jitter that
// honours Retry-After, per-attempt timeouts, and its logs routed to a log/slog logger (which
// cmd/tandem backs with zap, see internal/logging.NewSlog) instead of stderr.
//
// Retry policy, and why:
//   - transport errors and 5xx (except 501) are retried: they are usually a blip on the way;
//   - 429 (and 503 with Retry-After) is retried after the wait the server asked for, but only
//     when that wait is at most Options.MaxRetryAfter; a longer wait (a daily limit, maintenance)
//     is handed back to the caller at once, which reports it to the engine rather than holding a
//     goroutine for hours;
//   - requests marked with NonIdempotent (creates) are retried only on 429, because a 5xx or a
//     dropped connection leaves it unknown whether the remote applied them, and a blind retry
//     would create duplicates;
//   - everything else (4xx) is the caller's to classify.
//
// When retries run out, the last response is returned (not an error), so the caller can read
// its status, headers and body and classify it.
package httpclient

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for the zero values of Options.
const (
	DefaultTimeout       = 60 * time.Second
	DefaultRetryMax      = 5
	DefaultRetryWaitMin  = 500 * time.Millisecond
	DefaultRetryWaitMax  = 30 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
)

// Options configures New.
type Options struct {
	// Logger receives retryablehttp's own log lines (requests at debug, retries at debug, failed
	// attempts at warn). Nil logs nothing.
	Logger *slog.Logger
	// Timeout bounds each attempt (connect, request, response headers and body). Defaults to
	// DefaultTimeout.
	Timeout time.Duration
	// RetryMax is how many times a request is retried after its first attempt. Defaults to
	// DefaultRetryMax; a negative value disables retries.
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between attempts when the
	// server gave no Retry-After. Default to DefaultRetryWaitMin and DefaultRetryWaitMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter is the longest Retry-After that is waited for inside a call; longer waits
	// end the retries and return the 429 to the caller. Defaults to DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// Transport is the base round tripper (wrap it to add auth or rate limiting per attempt).
	// Defaults to a pooled transport with sane dial and TLS timeouts.
	Transport http.RoundTripper
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.RetryMax == 0:
		o.RetryMax = DefaultRetryMax
	case o.RetryMax < 0:
		o.RetryMax = 0
	}
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = DefaultRetryWaitMin
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = DefaultRetryWaitMax
	}
	if o.RetryWaitMax < o.RetryWaitMin {
		o.RetryWaitMax = o.RetryWaitMin
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.Transport == nil {
		o.Transport = DefaultTransport()
	}
	return o
}

// DefaultTransport is a pooled transport (keep-alives on, enough idle connections per host for
// a connector's batches) with bounded dial, TLS handshake and response-header times.
func DefaultTransport() *http.Transport {
	t := cleanhttp.DefaultPooledTransport()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 60 * time.Second
	return t
}

// New builds a retrying client per opts.
func New(opts Options) *retryablehttp.Client {
	opts = opts.withDefaults()
	c := retryablehttp.NewClient()
	c.HTTPClient = &http.Client{Transport: opts.Transport, Timeout: opts.Timeout}
	c.RetryMax = opts.RetryMax
	c.RetryWaitMin = opts.RetryWaitMin
	c.RetryWaitMax = opts.RetryWaitMax
	c.CheckRetry = checkRetry(opts.MaxRetryAfter)
	c.Backoff = backoff
	c.ErrorHandler = lastResponse
	c.Logger = nil
	if opts.Logger != nil {
		c.Logger = leveled{opts.Logger}
	}
	return c
}

type ctxKey struct{}

// NonIdempotent marks requests made with the returned context as unsafe to repeat after an
// ambiguous failure: they are retried only on 429, which the remote answers without applying
// the request.
func NonIdempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, ctxKey{}, true)
}

func isNonIdempotent(ctx context.Context) bool {
	v, _ := ctx.Value(ctxKey{}).(bool)
	return v
}

// checkRetry is the retry policy described in the package comment.
func checkRetry(maxRetryAfter time.Duration) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
			wait, _ := RetryAfter(resp.Header, time.Now())
			return wait <= maxRetryAfter, nil
		}
		if isNonIdempotent(ctx) {
			return false, nil
		}
		// backoff waits a 503's Retry-After as asked, so a long one (maintenance) must end the
		// retries here, as for 429, instead of holding the call for hours.
		if resp != nil && resp.StatusCode == http.StatusServiceUnavailable {
			if wait, ok := RetryAfter(resp.Header, time.Now()); ok && wait > maxRetryAfter {
				return false, nil
			}
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
}

// backoff waits what Retry-After asks on 429 and 503, and otherwise doubles from min up to max
// with full jitter, so that many clients failing together do not retry in step.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if wait, ok := RetryAfter(resp.Header, time.Now()); ok {
			return wait
		}
	}
	ceiling := maxWait
	if attempt < 30 {
		if d := minWait << attempt; d > 0 && d < maxWait {
			ceiling = d
		}
	}
	return minWait/2 + rand.N(ceiling-minWait/2+1)
}

// RetryAfter parses a Retry-After header (seconds, possibly fractional, or an HTTP date
// relative to now). ok is false when the header is absent or unreadable.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// lastResponse hands the final response back when there is one, so the caller classifies the
// status itself; with none (transport failure), it names the attempts made.
func lastResponse(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if resp != nil {
		return resp, nil
	}
	if err == nil {
		err = fmt.Errorf("no response")
	}
	return nil, fmt.Errorf("giving up after %d attempt(s): %w", attempts, err)
}

// leveled adapts slog to retryablehttp.LeveledLogger. retryablehttp logs every failed attempt at
// error level although most are retried; the caller logs the final outcome once, so those
// lines are demoted to warn.
type leveled struct{ l *slog.Logger }

func (l leveled) Error(msg string, kv ...any) { l.l.Warn(msg, kv...) }
func (l leveled) Warn(msg string, kv ...any)  { l.l.Warn(msg, kv...) }
func (l leveled) Info(msg string, kv ...any)  { l.l.Info(msg, kv...) }
func (l leveled) Debug(msg string, kv ...any) { l.l.Debug(msg, kv...) }
