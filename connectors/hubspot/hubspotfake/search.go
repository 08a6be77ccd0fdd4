package hubspotfake

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Search limits, as HubSpot documents them.
const (
	maxSearchLimit   = 200
	maxSearchResults = 10000
	maxFilterGroups  = 5
	maxGroupFilters  = 6
	maxFilters       = 18
)

type searchFilter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value"`
	HighValue    string   `json:"highValue"`
	Values       []string `json:"values"`
}

type searchRequest struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts []struct {
		PropertyName string `json:"propertyName"`
		Direction    string `json:"direction"`
	} `json:"sorts"`
	Properties []string `json:"properties"`
	Limit      int      `json:"limit"`
	After      string   `json:"after"`
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	var req searchRequest
	if !decode(w, r, &req) {
		return
	}
	if msg := checkSearch(&req); msg != "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", msg)
		return
	}
	offset := 0
	if req.After != "" {
		n, err := strconv.Atoi(req.After)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("after %q must be formatted as an integer", req.After))
			return
		}
		offset = n
	}
	if offset+req.Limit > maxSearchResults {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Search results are limited to %d; after %d with limit %d goes past it", maxSearchResults, offset, req.Limit))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	var matched []*record
	for _, rec := range o.records {
		if rec.archived {
			continue
		}
		m, err := o.matches(rec, &req)
		if err != "" {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", err)
			return
		}
		if m {
			matched = append(matched, rec)
		}
	}
	s.sortResults(o, matched, &req)
	results := []any{}
	for _, rec := range matched[min(offset, len(matched)):min(offset+req.Limit, len(matched))] {
		results = append(results, o.render(rec, req.Properties))
	}
	body := map[string]any{"total": len(matched), "results": results}
	if offset+req.Limit < len(matched) {
		body["paging"] = paging{Next: nextPage{After: strconv.Itoa(offset + req.Limit)}}
	}
	writeJSON(w, http.StatusOK, body)
}

// checkSearch validates the request shape and defaults its limit; it returns the refusal.
func checkSearch(req *searchRequest) string {
	if req.Limit == 0 {
		req.Limit = 10
	}
	if req.Limit < 0 || req.Limit > maxSearchLimit {
		return fmt.Sprintf("limit must be between 1 and %d, not %d", maxSearchLimit, req.Limit)
	}
	if len(req.FilterGroups) > maxFilterGroups {
		return fmt.Sprintf("at most %d filterGroups are allowed", maxFilterGroups)
	}
	total := 0
	for _, g := range req.FilterGroups {
		if len(g.Filters) > maxGroupFilters {
			return fmt.Sprintf("at most %d filters are allowed in a group", maxGroupFilters)
		}
		total += len(g.Filters)
	}
	if total > maxFilters {
		return fmt.Sprintf("at most %d filters are allowed", maxFilters)
	}
	if len(req.Sorts) > 1 {
		return "only one sort is allowed"
	}
	return ""
}

// matches reports whether rec matches any filter group (every record when there are none).
func (o *object) matches(rec *record, req *searchRequest) (bool, string) {
	if len(req.FilterGroups) == 0 {
		return true, ""
	}
	for _, g := range req.FilterGroups {
		all := true
		for _, f := range g.Filters {
			ok, err := o.match(rec, f)
			if err != "" {
				return false, err
			}
			if !ok {
				all = false
				break
			}
		}
		if all {
			return true, ""
		}
	}
	return false, ""
}

func (o *object) match(rec *record, f searchFilter) (bool, string) {
	if _, known := o.props[f.PropertyName]; !known {
		return false, fmt.Sprintf("There was a problem with the request: property %q does not exist", f.PropertyName)
	}
	v, has := o.value(rec, f.PropertyName)
	kind := o.props[f.PropertyName].Type
	cmpTo := func(x string) (int, bool) { return compareValues(kind, v, x) }
	switch f.Operator {
	case "HAS_PROPERTY":
		return has, ""
	case "NOT_HAS_PROPERTY":
		return !has, ""
	case "EQ", "NEQ", "LT", "LTE", "GT", "GTE":
		if !has {
			return f.Operator == "NEQ", ""
		}
		c, ok := cmpTo(f.Value)
		if !ok {
			return false, fmt.Sprintf("%s filter on %q: value %q cannot be compared", f.Operator, f.PropertyName, f.Value)
		}
		return map[string]bool{"EQ": c == 0, "NEQ": c != 0, "LT": c < 0, "LTE": c <= 0, "GT": c > 0, "GTE": c >= 0}[f.Operator], ""
	case "BETWEEN":
		lo, ok1 := cmpTo(f.Value)
		hi, ok2 := cmpTo(f.HighValue)
		return has && ok1 && ok2 && lo >= 0 && hi <= 0, ""
	case "IN", "NOT_IN":
		in := false
		for _, x := range f.Values {
			if c, ok := cmpTo(x); ok && has && c == 0 {
				in = true
			}
		}
		return in == (f.Operator == "IN"), ""
	}
	return false, fmt.Sprintf("operator %q is not supported", f.Operator)
}

// compareValues compares a stored value with a filter operand by the property's type: dates
// as instants (epoch ms or ISO-8601), numbers as numbers, the rest case-insensitively.
func compareValues(kind, stored, operand string) (int, bool) {
	switch kind {
	case "datetime", "date":
		a, ok1 := parseInstant(stored)
		b, ok2 := parseInstant(operand)
		return cmp.Compare(a, b), ok1 && ok2
	case "number":
		a, err1 := strconv.ParseFloat(stored, 64)
		b, err2 := strconv.ParseFloat(operand, 64)
		return cmp.Compare(a, b), err1 == nil && err2 == nil
	}
	return strings.Compare(strings.ToLower(stored), strings.ToLower(operand)), true
}

func parseInstant(v string) (int64, bool) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return ms, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

// sortResults orders by the sort property (creation when none), records without a value
// last; ties by creation then id, or by a hash of the id with Options.ShuffleTies.
func (s *Server) sortResults(o *object, recs []*record, req *searchRequest) {
	prop, desc := "createdate", false
	if len(req.Sorts) == 1 {
		prop, desc = req.Sorts[0].PropertyName, req.Sorts[0].Direction == "DESCENDING"
	}
	kind := o.props[prop].Type
	tie := func(a, b *record) int {
		if s.opts.ShuffleTies {
			return cmp.Compare(idHash(a.id), idHash(b.id))
		}
		return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.id, b.id))
	}
	slices.SortStableFunc(recs, func(a, b *record) int {
		va, hasA := o.value(a, prop)
		vb, hasB := o.value(b, prop)
		switch {
		case !hasA && !hasB:
			return tie(a, b)
		case !hasA:
			return 1
		case !hasB:
			return -1
		}
		c, _ := compareValues(kind, va, vb)
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return tie(a, b)
	})
}

func idHash(id int64) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.FormatInt(id, 10)))
	return h.Sum64()
}
