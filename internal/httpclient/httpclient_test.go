package httpclient

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// server answers the statuses in order (then 200), with Retry-After when given.
func server(t *testing.T, statuses []int, retryAfter string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(statuses[i])
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func fast(o Options) Options {
	o.RetryWaitMin, o.RetryWaitMax = time.Millisecond, 2*time.Millisecond
	return o
}

func TestRetryPolicy(t *testing.T) {
	for _, tc := range []struct {
		name        string
		statuses    []int
		retryAfter  string
		nonIdem     bool
		wantStatus  int
		wantAttempt int32
	}{
		{"5xx retried", []int{500, 502}, "", false, 200, 3},
		{"501 not retried", []int{501}, "", false, 501, 1},
		{"4xx not retried", []int{400}, "", false, 400, 1},
		{"429 retried after its wait", []int{429}, "0", false, 200, 2},
		{"429 beyond the longest wait returned", []int{429}, "3600", false, 429, 1},
		{"503 beyond the longest wait returned", []int{503}, "3600", false, 503, 1},
		{"503 retried after its wait", []int{503}, "0", false, 200, 2},
		{"retries exhausted return the last answer", []int{503, 503, 503, 503}, "", false, 503, 3},
		{"non-idempotent not retried on 5xx", []int{503}, "", true, 503, 1},
		{"non-idempotent retried on 429", []int{429}, "0", true, 200, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := server(t, tc.statuses, tc.retryAfter)
			c := New(fast(Options{RetryMax: 2}))
			// A wait the client should have refused shows as a deadline, not a hung test.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if tc.nonIdem {
				ctx = NonIdempotent(ctx)
			}
			req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, srv.URL, []byte("{}"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus || n.Load() != tc.wantAttempt {
				t.Errorf("status %d after %d attempts, want %d after %d", resp.StatusCode, n.Load(), tc.wantStatus, tc.wantAttempt)
			}
		})
	}
}

func TestTransportFailureNamesAttempts(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens any more
	c := New(fast(Options{RetryMax: 1}))
	req, _ := retryablehttp.NewRequest(http.MethodGet, url, nil)
	_, err := c.Do(req)
	if err == nil || !strings.Contains(err.Error(), "giving up after 2 attempt(s)") {
		t.Fatalf("err = %v", err)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"3", 3 * time.Second, true}, {"0.5", 500 * time.Millisecond, true}, {"-1", 0, false},
		{"soon", 0, false}, {now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		h := http.Header{}
		if tc.in != "" {
			h.Set("Retry-After", tc.in)
		}
		got, ok := RetryAfter(h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	minW, maxW := 100*time.Millisecond, time.Second
	for attempt := range 10 {
		for range 50 {
			d := backoff(minW, maxW, attempt, nil)
			if d < minW/2 || d > maxW {
				t.Fatalf("attempt %d: backoff %s outside [%s, %s]", attempt, d, minW/2, maxW)
			}
		}
	}
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"7"}}}
	if d := backoff(minW, maxW, 0, resp); d != 7*time.Second {
		t.Errorf("backoff with Retry-After 7 = %s", d)
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	srv, _ := server(t, []int{503, 503, 503, 503, 503, 503}, "")
	c := New(Options{RetryMax: 5, RetryWaitMin: time.Hour, RetryWaitMax: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	if _, err := c.Do(req); err == nil {
		t.Fatal("no error after cancel")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %s", d)
	}
}

func TestLogsGoToTheLogger(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, _ := server(t, []int{503}, "")
	c := New(fast(Options{Logger: log}))
	req, _ := retryablehttp.NewRequest(http.MethodGet, srv.URL+"/x", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := buf.String()
	if !strings.Contains(out, "retrying request") || !strings.Contains(out, "level=DEBUG") {
		t.Errorf("log = %s", out)
	}
}
