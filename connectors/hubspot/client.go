package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/internal/httpclient"
)

// maxResponseBytes bounds a response body: a page of 200 records is far below it, so more
// means something is wrong upstream.
const maxResponseBytes = 64 << 20

// client speaks HubSpot's JSON over the retrying HTTP client and classifies failures into the
// contract's errors.
type client struct {
	http *retryablehttp.Client
	base string
}

// APIError is a refusal the remote explained (HubSpot's error body), other than the
// authentication, rate-limit and server errors that the contract's own types cover.
type APIError struct {
	Status   int
	Category string
	Message  string
	Context  map[string][]string
}

func (e *APIError) Error() string {
	if e.Category != "" {
		return fmt.Sprintf("hubspot answered %d %s: %s", e.Status, e.Category, e.Message)
	}
	return fmt.Sprintf("hubspot answered %d: %s", e.Status, e.Message)
}

// errorBody is HubSpot's error JSON.
type errorBody struct {
	Message  string              `json:"message"`
	Category string              `json:"category"`
	Context  map[string][]string `json:"context"`
}

// reply describes a successful answer.
type reply struct {
	status int
	// date is the remote's clock when it answered (the Date header, to the second); zero
	// when absent.
	date time.Time
}

// call sends one request (in marshalled as JSON when non-nil) and decodes a 2xx answer into out
// (when non-nil and the answer has a body).
func (c *client) call(ctx context.Context, method, path string, query url.Values, in, out any) (reply, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body any
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return reply{}, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = raw
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return reply{}, fmt.Errorf("build %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return reply{}, fmt.Errorf("%s %s: %w", method, path, ctxErr)
		}
		return reply{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: read response: %w", method, path, err)
	}
	if len(raw) > maxResponseBytes {
		return reply{}, fmt.Errorf("%s %s: response larger than %d bytes", method, path, maxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return reply{}, fmt.Errorf("%s %s: %w", method, path, classify(resp, raw))
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(raw, out); err != nil {
			return reply{}, fmt.Errorf("%s %s: malformed response body (%d bytes): %w", method, path, len(raw), err)
		}
	}
	date, _ := http.ParseTime(resp.Header.Get("Date"))
	return reply{status: resp.StatusCode, date: date}, nil
}

// classify turns a non-2xx answer into the contract's error for it.
func classify(resp *http.Response, raw []byte) error {
	var eb errorBody
	if json.Unmarshal(raw, &eb) != nil || eb.Message == "" {
		eb.Message = strings.TrimSpace(string(raw))
		if len(eb.Message) > 200 {
			eb.Message = eb.Message[:200] + "…"
		}
	}
	apiErr := &APIError{Status: resp.StatusCode, Category: eb.Category, Message: eb.Message, Context: eb.Context}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w: %v", connectors.ErrUnauthorized, apiErr)
	case resp.StatusCode == http.StatusTooManyRequests:
		wait, _ := httpclient.RetryAfter(resp.Header, time.Now())
		return &connectors.RateLimitError{RetryAfter: wait, Err: apiErr}
	case resp.StatusCode >= 500:
		// Already retried with backoff by the HTTP client; what is left is transient for the
		// engine, which retries the run later. It stays a plain error, not an APIError, so
		// that no caller mistakes it for a refusal of the input.
		return fmt.Errorf("server error %d: %s", resp.StatusCode, eb.Message)
	}
	return apiErr
}

// asAPIError reports the remote's refusal inside err, if that is what err is.
func asAPIError(err error) (*APIError, bool) {
	var ae *APIError
	ok := errors.As(err, &ae)
	return ae, ok
}
