package hubspot

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestGeneralBudgetKeepsTheWindowAndMovesOn drives the general limiter greedily on a simulated
// clock: no ten-second window may hold more requests than configured, and the budget must keep
// admitting requests at a useful share of the limit (a zero rate would admit the burst once and
// then refuse every request).
func TestGeneralBudgetKeepsTheWindowAndMovesOn(t *testing.T) {
	for _, per10s := range []int{1, 2, 39, 40, 100, 190, 1000} {
		lim := rate.NewLimiter(generalRate(per10s), generalBurst(per10s))
		start := time.Unix(0, 0)
		const span = 60 * time.Second
		var sent []time.Duration
		for at := time.Duration(0); at < span; at += 10 * time.Millisecond {
			for lim.AllowN(start.Add(at), 1) {
				sent = append(sent, at)
			}
		}
		first := 0
		for i, at := range sent {
			for at-sent[first] >= 10*time.Second {
				first++
			}
			if n := i - first + 1; n > per10s {
				t.Errorf("requests_per_10s %d: %d requests in the ten seconds ending at %s", per10s, n, at)
				break
			}
		}
		if want := per10s * 6 / 2; len(sent) < want {
			t.Errorf("requests_per_10s %d: %d requests in %s; want at least %d", per10s, len(sent), span, want)
		}
	}
}
