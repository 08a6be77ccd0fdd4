package hubspot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// budget is the request budget of one HubSpot account (one token at one base URL), shared by
// every connector instance using that token, because HubSpot counts requests per token, not
// per connector. It keeps the connector under the limits so that 429s are rare: general
// requests per ten seconds, searches per second, and a pause when the remote did answer 429.
type budget struct {
	general *rate.Limiter
	search  *rate.Limiter

	mu          sync.Mutex
	pausedUntil time.Time
	users       int
}

var (
	budgetsMu sync.Mutex
	budgets   = map[string]*budget{}
)

// budgetKey identifies an account without keeping the token itself in memory twice.
func budgetKey(baseURL, token string) string {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + token))
	return hex.EncodeToString(sum[:])
}

// acquireBudget returns the shared budget for key, creating it. When instances configure
// different limits, the lowest wins: staying under the strictest setting is what keeps every
// instance clear of 429s. Each acquire must be paired with a release.
func acquireBudget(key string, per10s, searchPerSecond int) *budget {
	budgetsMu.Lock()
	defer budgetsMu.Unlock()
	b := budgets[key]
	if b == nil {
		b = &budget{general: rate.NewLimiter(generalRate(per10s), generalBurst(per10s)),
			search: rate.NewLimiter(rate.Limit(searchPerSecond), 1)}
		budgets[key] = b
	} else {
		if r := generalRate(per10s); r < b.general.Limit() {
			b.general.SetLimit(r)
			b.general.SetBurst(generalBurst(per10s))
		}
		if r := rate.Limit(searchPerSecond); r < b.search.Limit() {
			b.search.SetLimit(r)
		}
	}
	b.users++
	return b
}

// releaseBudget drops one user of the budget at key, forgetting it with the last.
func releaseBudget(key string) {
	budgetsMu.Lock()
	defer budgetsMu.Unlock()
	if b := budgets[key]; b != nil {
		b.users--
		if b.users <= 0 {
			delete(budgets, key)
		}
	}
}

// generalBurst lets a few requests go at once (parallel batches) without risking the rolling
// window: HubSpot counts any ten seconds, so a bucket refilling at r with burst b admits up to
// 10r + b requests in ten seconds, and r is lowered by b/10 to keep that at the limit.
func generalBurst(per10s int) int { return max(1, per10s/40) }

// generalRate is the refill rate that goes with generalBurst. At one request per ten seconds
// the burst is the whole budget and the formula gives zero, which would refuse every request
// after the first; half the nominal rate keeps any ten seconds at one request instead.
func generalRate(per10s int) rate.Limit {
	if n := per10s - generalBurst(per10s); n > 0 {
		return rate.Limit(float64(n) / 10)
	}
	return rate.Limit(float64(per10s) / 20)
}

// wait blocks until one request (and one search, when search is set) may go, or ctx ends.
func (b *budget) wait(ctx context.Context, search bool) error {
	if err := b.waitPause(ctx); err != nil {
		return err
	}
	if search {
		if err := b.search.Wait(ctx); err != nil {
			return err
		}
	}
	return b.general.Wait(ctx)
}

func (b *budget) waitPause(ctx context.Context) error {
	for {
		b.mu.Lock()
		d := time.Until(b.pausedUntil)
		b.mu.Unlock()
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// pause holds every request of the account for d: the remote said 429, so others sharing the
// token must not keep hammering it while one request waits out its Retry-After.
func (b *budget) pause(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if until := time.Now().Add(d); until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
}
