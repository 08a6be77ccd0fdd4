package hubspot

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tandem-crm/tandem/internal/httpclient"
)

// userAgent names Tandem to the remote, as HubSpot asks integrations to.
const userAgent = "tandem-hubspot-connector/1"

// transport runs under the retrying client, so every attempt (retries included) takes from the
// account's budget and carries the credentials; a 429 pauses the whole account for the wait it
// asks.
type transport struct {
	base   http.RoundTripper
	token  string
	budget *budget
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.budget.wait(req.Context(), strings.HasSuffix(req.URL.Path, "/search")); err != nil {
		return nil, fmt.Errorf("wait for the request budget: %w", err)
	}
	// RoundTrippers must not change the caller's request.
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+t.token)
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := t.base.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		wait, ok := httpclient.RetryAfter(resp.Header, time.Now())
		if !ok {
			wait = time.Second
		}
		t.budget.pause(wait)
	}
	return resp, err
}
