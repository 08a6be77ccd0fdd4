package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateWindow is HubSpot's rolling window for burst limits.
const rateWindow = 10 * time.Second

// rateLimiter allows each token max requests in any rolling window, kept
// as ten one-second buckets per token.
type rateLimiter struct {
	now func() time.Time

	mu     sync.Mutex
	max    int
	tokens map[int64]*rateBuckets
}

type rateBuckets struct {
	counts [10]int
	secs   [10]int64 // the second each bucket counts
}

func newRateLimiter(max int, now func() time.Time) *rateLimiter {
	return &rateLimiter{max: max, now: now, tokens: map[int64]*rateBuckets{}}
}

func (l *rateLimiter) setMax(max int) {
	l.mu.Lock()
	l.max = max
	l.mu.Unlock()
}

// allow counts a request of token and sets HubSpot's rate-limit headers;
// it reports false, with Retry-After set, when the window is full.
func (l *rateLimiter) allow(w http.ResponseWriter, token int64) bool {
	now := l.now()
	sec := now.Unix()
	l.mu.Lock()
	b := l.tokens[token]
	if b == nil {
		b = &rateBuckets{}
		l.tokens[token] = b
	}
	used := 0
	oldest := sec
	for i := range b.counts {
		if sec-b.secs[i] >= int64(len(b.counts)) {
			b.counts[i], b.secs[i] = 0, 0
			continue
		}
		used += b.counts[i]
		if b.counts[i] > 0 && b.secs[i] < oldest {
			oldest = b.secs[i]
		}
	}
	limit := l.max
	ok := used < limit
	if ok {
		i := sec % int64(len(b.counts))
		if b.secs[i] != sec {
			b.counts[i], b.secs[i] = 0, sec
		}
		b.counts[i]++
		used++
	}
	l.mu.Unlock()

	h := w.Header()
	h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(rateWindow.Milliseconds(), 10))
	h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(limit))
	h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(limit-used, 0)))
	if !ok {
		// The window frees up when its oldest second leaves it.
		wait := oldest + int64(len(b.counts)) - sec
		h.Set("Retry-After", strconv.FormatInt(max(wait, 1), 10))
	}
	return ok
}
