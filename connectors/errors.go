package connectors

import (
	"errors"
	"fmt"
	"time"
)

// ErrUnauthorized means the remote refused the credentials. The engine stops the run and
// reports the connector as failing; retrying will not help until the configuration changes.
var ErrUnauthorized = errors.New("remote refused the credentials")

// RateLimitError means the remote asked the caller to slow down. RetryAfter is how long the
// remote asked to wait (zero when it did not say); the engine waits at least that long.
type RateLimitError struct {
	RetryAfter time.Duration
	Err        error
}

// Error says how long the remote asked to wait, and why when known.
func (e *RateLimitError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("rate limited (retry after %s): %v", e.RetryAfter, e.Err)
	}
	return fmt.Sprintf("rate limited (retry after %s)", e.RetryAfter)
}

// Unwrap returns the remote's own error, so callers can inspect it.
func (e *RateLimitError) Unwrap() error { return e.Err }

// PermanentError is a per-record failure that retrying will not fix (a value the remote
// rejects, a duplicate the remote refuses). Reason is the remote's own message, kept for the
// quarantine list.
type PermanentError struct {
	Reason string
	// Code is the remote's error category when it has one (for example "VALIDATION_ERROR").
	Code string
}

// Error is the remote's reason, prefixed by its code when it has one.
func (e *PermanentError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s: %s", e.Code, e.Reason)
	}
	return e.Reason
}

// PartialError accompanies a Push whose Results are valid but of which Failed did not succeed.
type PartialError struct {
	Failed int
	Total  int
}

// Error counts the failed changes; their reasons are in the Results.
func (e *PartialError) Error() string {
	return fmt.Sprintf("%d of %d changes failed", e.Failed, e.Total)
}

// IsUnauthorized reports whether err means the credentials were refused.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }

// RetryAfter reports whether err is a rate limit and how long to wait.
func RetryAfter(err error) (time.Duration, bool) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return rl.RetryAfter, true
	}
	return 0, false
}

// IsPermanent reports whether err is a per-record failure that retrying will not fix.
func IsPermanent(err error) bool {
	var pe *PermanentError
	return errors.As(err, &pe)
}
