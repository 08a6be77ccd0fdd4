package main

import (
	"encoding/csv"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
)

// exportFilterHelp documents the --filter grammar in the export command's
// help.
const exportFilterHelp = `Filters (--filter, repeatable; all of them must match) have the search API's semantics:

  PROPERTY OPERATOR [VALUE]

  EQ NEQ LT LTE GT GTE          one value: the rest of the filter, spaces included
                                (or the symbols = != < <= > >=)
  CONTAINS_TOKEN NOT_CONTAINS_TOKEN
                                one value; * is a wildcard (email CONTAINS_TOKEN *@example.com)
  BETWEEN                       two values: "LOW HIGH", "LOW AND HIGH" or "LOW,HIGH"
  IN NOT_IN                     comma-separated values; quote a value holding a comma
                                with double quotes: city IN "Paris, TX",London
  HAS_PROPERTY NOT_HAS_PROPERTY no value

PROPERTY is an internal name (lifecyclestage, createdate, hs_object_id, ...), or
associations.OBJECT with record ids of OBJECT. Text compares ignoring case,
enumerations exactly; dates and datetimes take ISO 8601 (2024-01-31,
2024-01-31T09:00:00Z) or epoch milliseconds; NEQ, NOT_IN and NOT_CONTAINS_TOKEN
also match records without a value. A value may be wrapped in double quotes.`

// filterOperatorSymbols are the symbols --filter accepts for operators.
var filterOperatorSymbols = map[string]string{
	"=": crmstore.FilterEQ, "==": crmstore.FilterEQ, "!=": crmstore.FilterNEQ, "<>": crmstore.FilterNEQ,
	"<": crmstore.FilterLT, "<=": crmstore.FilterLTE, ">": crmstore.FilterGT, ">=": crmstore.FilterGTE,
}

// parseExportFilters parses the --filter arguments into one filter group.
func parseExportFilters(args []string) ([]crmstore.SearchFilterGroup, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if len(args) > crmstore.MaxSearchFiltersPerGroup {
		return nil, usagef("too many --filter flags: %d given, at most %d are allowed", len(args), crmstore.MaxSearchFiltersPerGroup)
	}
	g := crmstore.SearchFilterGroup{Filters: make([]crmstore.SearchFilter, len(args))}
	for i, arg := range args {
		f, err := parseExportFilter(arg)
		if err != nil {
			return nil, usagef("invalid --filter %q: %s", arg, err)
		}
		g.Filters[i] = f
	}
	return []crmstore.SearchFilterGroup{g}, nil
}

// parseExportFilter parses one "PROPERTY OPERATOR [VALUE]".
func parseExportFilter(s string) (crmstore.SearchFilter, error) {
	prop, rest := cutWord(s)
	opWord, rest := cutWord(rest)
	if prop == "" || opWord == "" {
		return crmstore.SearchFilter{}, errors.New("want PROPERTY OPERATOR [VALUE]")
	}
	op := strings.ToUpper(opWord)
	if sym, ok := filterOperatorSymbols[op]; ok {
		op = sym
	}
	f := crmstore.SearchFilter{PropertyName: prop, Operator: op}
	switch op {
	case crmstore.FilterHasProperty, crmstore.FilterNotHasProperty:
		if rest != "" {
			return f, errors.New(op + " takes no value")
		}
	case crmstore.FilterIn, crmstore.FilterNotIn:
		values, err := splitFilterValues(rest)
		if err != nil {
			return f, err
		}
		if len(values) == 0 {
			return f, errors.New(op + " needs comma-separated values")
		}
		f.Values = values
	case crmstore.FilterBetween:
		lo, hi, err := betweenValues(rest)
		if err != nil {
			return f, err
		}
		f.Value, f.HighValue = lo, hi
	case crmstore.FilterEQ, crmstore.FilterNEQ, crmstore.FilterLT, crmstore.FilterLTE, crmstore.FilterGT, crmstore.FilterGTE,
		crmstore.FilterContainsToken, crmstore.FilterNotContainsToken:
		v := unquoteFilterValue(rest)
		if v == "" {
			return f, errors.New(op + " needs a value")
		}
		f.Value = v
	default:
		return f, errors.New("unknown operator " + strconv.Quote(opWord) +
			": use EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN or NOT_CONTAINS_TOKEN")
	}
	return f, nil
}

// cutWord returns the first space-separated word of s and the rest, both
// trimmed.
func cutWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

// unquoteFilterValue removes one pair of double quotes around v.
func unquoteFilterValue(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return strings.ReplaceAll(v[1:len(v)-1], `""`, `"`)
	}
	return v
}

// splitFilterValues splits comma-separated values, CSV-quoted where they
// hold commas, trimming each; an empty value is an error.
func splitFilterValues(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	r := csv.NewReader(strings.NewReader(s))
	r.TrimLeadingSpace = true
	values, err := r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, errors.New("values: " + err.Error())
	}
	for i, v := range values {
		if values[i] = strings.TrimSpace(v); values[i] == "" {
			return nil, errors.New("value " + strconv.Itoa(i+1) + " is empty")
		}
	}
	return values, nil
}

// betweenAnd splits "LOW AND HIGH".
var betweenAnd = regexp.MustCompile(`(?i)^(\S+)\s+AND\s+(\S+)$`)

// betweenValues reads BETWEEN's bounds: "LOW,HIGH", "LOW AND HIGH" or
// "LOW HIGH".
func betweenValues(s string) (string, string, error) {
	var parts []string
	switch {
	case strings.Contains(s, ","):
		var err error
		if parts, err = splitFilterValues(s); err != nil {
			return "", "", err
		}
	case betweenAnd.MatchString(s):
		m := betweenAnd.FindStringSubmatch(s)
		parts = m[1:]
	default:
		parts = strings.Fields(s)
	}
	if len(parts) != 2 {
		return "", "", errors.New("BETWEEN needs two values, LOW and HIGH")
	}
	return unquoteFilterValue(parts[0]), unquoteFilterValue(parts[1]), nil
}

// filterPosition finds the filter a search error names.
var filterPosition = regexp.MustCompile(`filterGroups\[0\]\.filters\[(\d+)\]`)

// exportFilterError rewrites a search error about a filter so that it
// names the --filter argument instead of its place in a request body.
func exportFilterError(err error, args []string) error {
	var ie *crmstore.InvalidError
	if !errors.As(err, &ie) {
		return err
	}
	msg := filterPosition.ReplaceAllStringFunc(ie.Message, func(m string) string {
		i, _ := strconv.Atoi(filterPosition.FindStringSubmatch(m)[1])
		if i < len(args) {
			return "--filter " + strconv.Quote(args[i])
		}
		return m
	})
	return usagef("%s", msg)
}
