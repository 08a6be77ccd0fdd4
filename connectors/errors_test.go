package connectors

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestErrorClassification(t *testing.T) {
	rl := &RateLimitError{RetryAfter: 2 * time.Second}
	perm := &PermanentError{Reason: "email is invalid", Code: "VALIDATION_ERROR"}
	for _, tc := range []struct {
		name         string
		err          error
		unauthorized bool
		permanent    bool
		retryAfter   time.Duration
		limited      bool
	}{
		{"nil", nil, false, false, 0, false},
		{"generic", errors.New("connection reset"), false, false, 0, false},
		{"cancelled", fmt.Errorf("pull contacts: %w", context.Canceled), false, false, 0, false},
		{"unauthorized wrapped", fmt.Errorf("pull contacts: %w", ErrUnauthorized), true, false, 0, false},
		{"rate limit wrapped", fmt.Errorf("push contacts batch 2: %w", rl), false, false, 2 * time.Second, true},
		{"rate limit without wait", &RateLimitError{}, false, false, 0, true},
		{"permanent wrapped", fmt.Errorf("record 7: %w", perm), false, true, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsUnauthorized(tc.err); got != tc.unauthorized {
				t.Errorf("IsUnauthorized = %v, want %v", got, tc.unauthorized)
			}
			if got := IsPermanent(tc.err); got != tc.permanent {
				t.Errorf("IsPermanent = %v, want %v", got, tc.permanent)
			}
			d, ok := RetryAfter(tc.err)
			if d != tc.retryAfter || ok != tc.limited {
				t.Errorf("RetryAfter = %s, %v; want %s, %v", d, ok, tc.retryAfter, tc.limited)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	cause := errors.New("429 from api")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&RateLimitError{RetryAfter: time.Second, Err: cause}, "rate limited (retry after 1s): 429 from api"},
		{&RateLimitError{RetryAfter: 0}, "rate limited (retry after 0s)"},
		{&PermanentError{Reason: "duplicate email", Code: "CONFLICT"}, "CONFLICT: duplicate email"},
		{&PermanentError{Reason: "duplicate email"}, "duplicate email"},
		{&PartialError{Failed: 2, Total: 5}, "2 of 5 changes failed"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	if !errors.Is(&RateLimitError{Err: cause}, cause) {
		t.Error("RateLimitError does not unwrap to its cause")
	}
}

func TestOpKindString(t *testing.T) {
	for k, want := range map[OpKind]string{OpCreate: "create", OpUpdate: "update", OpDelete: "delete", 0: "unknown", 9: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("OpKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
