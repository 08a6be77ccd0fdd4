package api

import (
	"net/http"
	"time"
)

// Observer receives one call per API request, after the response is written: the route that
// served it, the HTTP status and how long it took. route is the ServeMux pattern that matched
// (such as "GET /crm/v3/objects/{objectType}/{objectId}"), so record ids never become label
// values; requests refused before routing (a missing token, the rate limit) or matching no
// pattern have the route [RouteUnmatched]. Paths HubSpot spells several ways (date-versioned,
// trailing slash) share the pattern of their canonical path. It is called on the request's
// goroutine and must be safe for concurrent use and quick.
type Observer func(route string, status int, d time.Duration)

// RouteUnmatched is the route an [Observer] gets for a request that no pattern served.
const RouteUnmatched = "unmatched"

// observe reports a finished request to the Observer of the options, if any. status 0 means
// the handler wrote nothing, which net/http answers with 200.
func (s *Server) observe(r *http.Request, status int, d time.Duration) {
	if s.opts.Observer == nil {
		return
	}
	route := r.Pattern
	if route == "" {
		route = RouteUnmatched
	}
	if status == 0 {
		status = http.StatusOK
	}
	s.opts.Observer(route, status, d)
}
