package crmstore

// Search: HubSpot's CRM search (POST /crm/v3/objects/{type}/search) over
// the records table.
//
// Semantics. Filters of a group are ANDed, groups ORed (at most 5 groups,
// 6 filters in a group, 18 in all). String-like values compare ignoring
// case (Unicode lower case) with every operator, IN and NOT_IN included;
// enumerations compare exactly, case included; a multi-select matches
// EQ/NEQ/IN/NOT_IN when one of its options does. Numbers compare as
// numbers; booleans accept any spelling normalizeBool does; dates and
// datetimes take epoch milliseconds or ISO-8601, and an instant inside a
// day compares with a date property's midnight accordingly (EQ matches
// only the midnight itself). NEQ, NOT_IN and NOT_CONTAINS_TOKEN also match
// records without a value, as HubSpot's do. CONTAINS_TOKEN is described
// at tokenMatch. The free-text query matches records where each of its
// words starts the value of one of the object's searchable properties.
// Records without a value of the sorted property come last in either
// direction; ties are broken by createdate, then id.
//
// A search reads the tables writes go to, so it sees every committed write
// at once. Each property it filters or sorts on is read through an index:
// the first search that needs one adds a VIRTUAL generated column to
// records, named after the property's id (p12_lc, p12_v, p12_n, p12_rv),
// and a partial index on it, (column, created_at, id) for the live records
// of the property's object (see search_index.go). Pages are keyset pages:
// the after cursor holds the sort key and id of the last record returned,
// so a deep page costs what the first one does, and paging never stops at
// 10,000 results. An after of all digits is an offset instead, as HubSpot
// documents it (see Store.Search). Every page counts its matches (total)
// from the indexes.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Search limits, as HubSpot documents them.
const (
	MaxSearchFilterGroups    = 5
	MaxSearchFiltersPerGroup = 6
	MaxSearchFilters         = 18
	MaxSearchLimit           = 200
	DefaultSearchLimit       = 10
	// maxSearchValues caps the values of one IN or NOT_IN filter.
	maxSearchValues = 1000
	// maxQueryWords caps the words of a free-text query.
	maxQueryWords = 10
)

// Search operators.
const (
	FilterLT               = "LT"
	FilterLTE              = "LTE"
	FilterGT               = "GT"
	FilterGTE              = "GTE"
	FilterEQ               = "EQ"
	FilterNEQ              = "NEQ"
	FilterBetween          = "BETWEEN"
	FilterIn               = "IN"
	FilterNotIn            = "NOT_IN"
	FilterHasProperty      = "HAS_PROPERTY"
	FilterNotHasProperty   = "NOT_HAS_PROPERTY"
	FilterContainsToken    = "CONTAINS_TOKEN"
	FilterNotContainsToken = "NOT_CONTAINS_TOKEN"
)

// searchOperators lists the operators in HubSpot's order, for messages.
var searchOperators = []string{FilterLT, FilterLTE, FilterGT, FilterGTE, FilterEQ, FilterNEQ, FilterBetween,
	FilterIn, FilterNotIn, FilterHasProperty, FilterNotHasProperty, FilterContainsToken, FilterNotContainsToken}

// Sort directions.
const (
	SortAscending  = "ASCENDING"
	SortDescending = "DESCENDING"
)

// SearchRequest is HubSpot's PublicObjectSearchRequest.
type SearchRequest struct {
	// Query is free text matched against the object's searchable
	// properties: every word must start the value of one of them.
	Query        string              `json:"query,omitempty"`
	FilterGroups []SearchFilterGroup `json:"filterGroups,omitempty"`
	// Sorts holds at most one sort; without one, records come oldest first.
	Sorts []SearchSort `json:"sorts,omitempty"`
	// Properties limits the returned values; nil returns all of them.
	Properties []string `json:"properties,omitempty"`
	// Limit is the page size: 10 when 0, at most 200.
	Limit int `json:"limit,omitempty"`
	// After is the paging.next.after of the previous page, or an offset
	// into the results (all digits: "0" or "" is the first page, "20" skips
	// 20 matches).
	After string `json:"after,omitempty"`
}

// SearchFilterGroup holds filters that must all match; a record matches a
// search when it matches any of its groups.
type SearchFilterGroup struct {
	Filters []SearchFilter `json:"filters"`
}

// SearchFilter is one condition on a property (or on associations.{object}).
type SearchFilter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	// Value is the operand of every operator but IN, NOT_IN and the
	// HAS_PROPERTY pair; BETWEEN's lower bound.
	Value string `json:"value,omitempty"`
	// HighValue is BETWEEN's upper bound.
	HighValue string `json:"highValue,omitempty"`
	// Values are the operands of IN and NOT_IN.
	Values []string `json:"values,omitempty"`
}

// SearchSort orders the results by one property. In JSON it is either an
// object {propertyName, direction} or, as HubSpot's SDKs type it, a bare
// property name (ascending).
type SearchSort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction,omitempty"`
}

// SearchResult is one page of matches.
type SearchResult struct {
	// Total is the number of records matching the search, on every page.
	Total int
	// Records are the page's records in sort order.
	Records []*Record
	// After is the cursor of the next page; "" on the last page.
	After string
}

// UnmarshalJSON accepts limit as a number or a numeric string and after as
// a string or a number, as HubSpot's clients send them.
func (r *SearchRequest) UnmarshalJSON(b []byte) error {
	type plain SearchRequest
	var raw struct {
		plain
		Limit json.RawMessage `json:"limit"`
		After json.RawMessage `json:"after"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = SearchRequest(raw.plain)
	after, err := jsonScalar(raw.After, "after")
	if err != nil {
		return err
	}
	r.After = after
	limit, err := jsonScalar(raw.Limit, "limit")
	if err != nil {
		return err
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil {
			return fmt.Errorf("limit %q is not a whole number", limit)
		}
		r.Limit = n
	}
	return nil
}

// UnmarshalJSON accepts filter values as strings, numbers or booleans.
func (f *SearchFilter) UnmarshalJSON(b []byte) error {
	var raw struct {
		PropertyName string            `json:"propertyName"`
		Operator     string            `json:"operator"`
		Value        json.RawMessage   `json:"value"`
		HighValue    json.RawMessage   `json:"highValue"`
		Values       []json.RawMessage `json:"values"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := SearchFilter{PropertyName: raw.PropertyName, Operator: raw.Operator}
	var err error
	if out.Value, err = jsonScalar(raw.Value, "value"); err != nil {
		return err
	}
	if out.HighValue, err = jsonScalar(raw.HighValue, "highValue"); err != nil {
		return err
	}
	if raw.Values != nil {
		out.Values = make([]string, len(raw.Values))
		for i, v := range raw.Values {
			if out.Values[i], err = jsonScalar(v, "values"); err != nil {
				return err
			}
		}
	}
	*f = out
	return nil
}

// UnmarshalJSON accepts a sort object, a bare property name, or a sort
// object encoded as a JSON string (as some SDKs send it).
func (s *SearchSort) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var name string
		if err := json.Unmarshal(b, &name); err != nil {
			return err
		}
		name = strings.TrimSpace(name)
		if strings.HasPrefix(name, "{") {
			return s.UnmarshalJSON([]byte(name))
		}
		*s = SearchSort{PropertyName: name, Direction: SortAscending}
		return nil
	}
	type plain SearchSort
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = SearchSort(p)
	return nil
}

// jsonScalar reads a JSON string, number or boolean as text; null or
// absent is "".
func jsonScalar(raw json.RawMessage, field string) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case string(raw) == "true" || string(raw) == "false":
		return string(raw), nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
	return "", fmt.Errorf("%s must be a string, a number or a boolean", field)
}

// Search returns the records of object matching req, a page at a time.
// Problems with the request (an unknown property or operator, a value that
// does not fit the property's type, too many filters, a bad cursor) are
// *InvalidErrors naming what is wrong.
//
// Paging. req.After is either the After of the previous page, a keyset
// cursor, or an offset: HubSpot documents after as an integer formatted as
// a string, and its clients compute it themselves (after = page*limit). An
// after of all digits skips that many matches in the order of the search
// (SQL OFFSET on the same ordered query; "" and "0" are the first page).
// An offset at or past Total yields no records and no After, with Total
// still counted. Whichever form req.After takes, the result's After is a
// keyset cursor (never all digits), so a client that follows
// paging.next.after pages on at constant cost from there, while one that
// keeps sending offsets pays for the matches it skips (at most Total).
func (s *Store) Search(ctx context.Context, object string, req SearchRequest) (SearchResult, error) {
	c := s.catalog()
	o, err := c.object(object)
	if err != nil {
		return SearchResult{}, err
	}
	plan, err := compileSearch(c, o, req)
	if err != nil {
		return SearchResult{}, err
	}
	if err := s.ensureSearchIndexes(ctx, plan.columns, plan.indexes); err != nil {
		return SearchResult{}, err
	}
	return s.runSearch(ctx, c, o, plan)
}
