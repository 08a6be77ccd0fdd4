package hubspot

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Option names and defaults.
const (
	OptBaseURL         = "base_url"
	OptToken           = "token"
	OptRequestsPer10s  = "requests_per_10s"
	OptSearchPerSecond = "search_per_second"
	OptPageSize        = "page_size"

	DefaultBaseURL         = "https://api.hubapi.com"
	DefaultRequestsPer10s  = 100
	DefaultSearchPerSecond = 4
)

// HubSpot's own ceilings, used to bound the options.
const (
	maxListLimit   = 100
	maxSearchLimit = 200
	maxBatch       = 100
	maxRequests10s = 1000
	maxSearchRate  = 50
)

// options are the validated connector options.
type options struct {
	baseURL         string
	token           string
	requestsPer10s  int
	searchPerSecond int
	// pageSize caps list and search pages; 0 means each endpoint's maximum.
	pageSize int
}

var knownOptions = []string{OptBaseURL, OptToken, OptRequestsPer10s, OptSearchPerSecond, OptPageSize}

// parseOptions validates the options and reports every problem, each naming its option.
func parseOptions(m map[string]string) (options, error) {
	o := options{baseURL: DefaultBaseURL, requestsPer10s: DefaultRequestsPer10s, searchPerSecond: DefaultSearchPerSecond}
	var errs []error
	for k := range m {
		if !slices.Contains(knownOptions, k) {
			errs = append(errs, fmt.Errorf("option %q is unknown (known: %s)", k, strings.Join(knownOptions, ", ")))
		}
	}
	if v := strings.TrimSpace(m[OptBaseURL]); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("option %s: %q is not an http(s) URL without query", OptBaseURL, v))
		}
		o.baseURL = strings.TrimRight(v, "/")
	}
	o.token = strings.TrimSpace(m[OptToken])
	if o.token == "" {
		errs = append(errs, fmt.Errorf("option %s is required (a private app access token)", OptToken))
	}
	errs = append(errs,
		intOption(m, OptRequestsPer10s, 1, maxRequests10s, &o.requestsPer10s),
		intOption(m, OptSearchPerSecond, 1, maxSearchRate, &o.searchPerSecond),
		intOption(m, OptPageSize, 1, maxSearchLimit, &o.pageSize),
	)
	return o, errors.Join(errs...)
}

// intOption reads an optional integer option within [lo, hi] into dst.
func intOption(m map[string]string, name string, lo, hi int, dst *int) error {
	v, ok := m[name]
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("option %s: %q is not a whole number between %d and %d", name, v, lo, hi)
	}
	*dst = n
	return nil
}

// limit is the page size for an endpoint whose maximum is most, given a request's hint.
func (o options) limit(hint, most int) int {
	n := most
	if o.pageSize > 0 {
		n = min(n, o.pageSize)
	}
	if hint > 0 {
		n = min(n, hint)
	}
	return n
}
