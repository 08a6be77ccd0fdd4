package hubspot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
)

func TestErrorClassification(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault hubspotfake.Fault
		n     int
		check func(t *testing.T, err error)
	}{
		{"401 is unauthorized", hubspotfake.Fault{Kind: hubspotfake.FaultUnauthorized}, 1, func(t *testing.T, err error) {
			if !connectors.IsUnauthorized(err) {
				t.Errorf("err = %v, want unauthorized", err)
			}
		}},
		{"short 429 is waited out", hubspotfake.Fault{Kind: hubspotfake.FaultRateLimit, RetryAfter: time.Second}, 1, func(t *testing.T, err error) {
			if err != nil {
				t.Errorf("err = %v, want success after waiting", err)
			}
		}},
		{"long 429 is reported with its wait", hubspotfake.Fault{Kind: hubspotfake.FaultRateLimit, RetryAfter: 2 * time.Hour}, 1, func(t *testing.T, err error) {
			if wait, ok := connectors.RetryAfter(err); !ok || wait != 2*time.Hour {
				t.Errorf("err = %v, want a rate limit of 2h", err)
			}
		}},
		{"5xx is retried", hubspotfake.Fault{Kind: hubspotfake.FaultServerError}, 3, func(t *testing.T, err error) {
			if err != nil {
				t.Errorf("err = %v, want success after retries", err)
			}
		}},
		{"dropped connections are retried", hubspotfake.Fault{Kind: hubspotfake.FaultDrop}, 3, func(t *testing.T, err error) {
			if err != nil {
				t.Errorf("err = %v, want success after retries", err)
			}
		}},
		{"persistent 5xx is transient", hubspotfake.Fault{Kind: hubspotfake.FaultServerError}, 50, func(t *testing.T, err error) {
			if err == nil || connectors.IsUnauthorized(err) || connectors.IsPermanent(err) || !strings.Contains(err.Error(), "503") {
				t.Errorf("err = %v, want a plain server error", err)
			}
			if _, ok := connectors.RetryAfter(err); ok {
				t.Errorf("err = %v is a rate limit", err)
			}
		}},
		{"malformed body is a clear error", hubspotfake.Fault{Kind: hubspotfake.FaultMalformed}, 1, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "malformed response body") {
				t.Errorf("err = %v", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake := setup(t, hubspotfake.Options{}, nil)
			seed(t, fake, "e", 3)
			fake.FailNext(tc.fault, tc.n)
			_, err := c.List(t.Context(), connectors.PullRequest{Object: "contacts"})
			tc.check(t, err)
		})
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	c, fake := setup(t, hubspotfake.Options{}, map[string]string{OptToken: "wrong"})
	if err := c.Test(t.Context()); !connectors.IsUnauthorized(err) {
		t.Fatalf("Test = %v, want unauthorized", err)
	}
	good, err := New(connectors.Config{Name: "good", Options: map[string]string{OptBaseURL: fake.URL, OptToken: fake.Token()}})
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	if err := good.Test(t.Context()); err != nil {
		t.Fatalf("Test with the right token = %v", err)
	}
}

// A 429 pauses every connector sharing the token for the wait it asked.
func TestRateLimitPausesTheWholeAccount(t *testing.T) {
	c, fake := setup(t, hubspotfake.Options{}, nil)
	other, err := New(connectors.Config{Name: "other", Options: map[string]string{OptBaseURL: fake.URL, OptToken: fake.Token(),
		OptRequestsPer10s: "1000", OptSearchPerSecond: "50"}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if c.key != other.key {
		t.Fatal("connectors with one token do not share a budget")
	}
	fake.FailNext(hubspotfake.Fault{Kind: hubspotfake.FaultRateLimit, RetryAfter: time.Second}, 1)
	if err := c.Test(t.Context()); err != nil {
		t.Fatal(err)
	}
	// c waited its second; other must not have been free to go in the meantime.
	c.api.http.HTTPClient.Transport.(*transport).budget.pause(time.Second)
	start := time.Now()
	if err := other.Test(t.Context()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Errorf("other connector waited %s during the account's pause", waited)
	}
}

func TestContextCancellationIsHonoured(t *testing.T) {
	c, fake := setup(t, hubspotfake.Options{Latency: time.Second}, nil)
	seed(t, fake, "x", 1)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Pull(ctx, connectors.PullRequest{Object: "contacts"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancelled pull returned after %s", d)
	}
	// Cancelled while waiting for the budget, too.
	c.api.http.HTTPClient.Transport.(*transport).budget.pause(time.Hour)
	ctx2, cancel2 := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel2()
	if _, err := c.Fetch(ctx2, "contacts", []string{"1"}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
}
