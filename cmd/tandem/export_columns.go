package main

import (
	"strings"
	"unicode"

	"github.com/tandem-crm/tandem/crmstore"
)

// exportColumn is one column of an export: the property it holds and its
// header.
type exportColumn struct {
	name   string
	header string
}

// Header styles of an export.
const (
	exportHeaderLabels = "labels"
	exportHeaderNames  = "names"
)

// recordIDProperty is the property of a record's id, the first column of
// every export unless --properties places it elsewhere.
const recordIDProperty = "hs_object_id"

// exportColumns chooses the columns of an export from the object's live
// properties (in catalogue order): those named by --properties, in that
// order; every property with --all-properties; otherwise every property a
// write may set, which is what an import needs to rebuild the records.
// The record id comes first unless --properties places it; without
// --properties the properties named in lead (the object's display
// properties) follow it, so that a reader sees who each row is.
func exportColumns(object string, props []crmstore.Property, lead, names []string, all bool, header string) ([]exportColumn, error) {
	byName := make(map[string]*crmstore.Property, len(props))
	for i := range props {
		byName[props[i].Name] = &props[i]
	}
	var chosen []*crmstore.Property
	seen := map[string]bool{}
	add := func(p *crmstore.Property) {
		if !seen[p.Name] {
			seen[p.Name] = true
			chosen = append(chosen, p)
		}
	}
	idProp := byName[recordIDProperty]
	if idProp == nil {
		// Every object has one (crmstore's built-in catalogue); this only
		// keeps the column if a catalogue ever lacks it.
		idProp = &crmstore.Property{Name: recordIDProperty, Label: "Record ID"}
	}
	switch {
	case len(names) > 0:
		if !containsName(names, recordIDProperty) {
			add(idProp)
		}
		for _, n := range names {
			p := byName[n]
			if n == recordIDProperty {
				p = idProp
			}
			if p == nil {
				return nil, usagef("--properties: %q is not a property of %s (see 'tandem properties list %s')", n, object, object)
			}
			add(p)
		}
	default:
		add(idProp)
		wanted := func(p *crmstore.Property) bool { return all || (!p.ReadOnlyValue && !p.Calculated) }
		for _, n := range lead {
			if p := byName[n]; p != nil && wanted(p) {
				add(p)
			}
		}
		for i := range props {
			if p := &props[i]; wanted(p) {
				add(p)
			}
		}
	}
	return exportHeaders(chosen, props, header), nil
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// exportHeaders names the columns. With labels, a column whose label could
// be read as another property's label or name (tandem import maps headers
// to names first, then to labels, ignoring case, spaces and punctuation,
// and skips labels that two properties share) gets its property's name
// instead, so that re-importing the file maps every column back to its
// property.
func exportHeaders(chosen []*crmstore.Property, props []crmstore.Property, header string) []exportColumn {
	cols := make([]exportColumn, len(chosen))
	if header == exportHeaderNames {
		for i, p := range chosen {
			cols[i] = exportColumn{name: p.Name, header: p.Name}
		}
		return cols
	}
	labelCount := map[string]int{}
	nameOwner := map[string]string{} // header key of a property's name -> the name
	for _, p := range props {
		labelCount[headerKey(p.Label)]++
		nameOwner[headerKey(p.Name)] = p.Name
	}
	for i, p := range chosen {
		key := headerKey(p.Label)
		h := p.Label
		if owner, ok := nameOwner[key]; key == "" || labelCount[key] > 1 || (ok && owner != p.Name) {
			h = p.Name
		}
		cols[i] = exportColumn{name: p.Name, header: h}
	}
	return cols
}

// headerKey is how loosely a header is compared with names and labels:
// lower case, letters and digits only ("First Name" and "first_name" are
// both "firstname").
func headerKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// exportHeaderRow returns the header row of cols.
func exportHeaderRow(cols []exportColumn) []string {
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = c.header
	}
	return row
}
