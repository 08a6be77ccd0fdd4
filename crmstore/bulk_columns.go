package crmstore

import "fmt"

// importColumns is ImportPart.Columns resolved against one catalogue:
// the property of each column, or the error every value of an unknown or
// read-only column gets. prepare then validates a row as catalog.prepare
// validates the same values given as a map.
type importColumns struct {
	props []*Property
	errs  []*PropertyError
	// match is the column of the match property, -1 when there is none.
	match int
}

// importColumns resolves names for rows of o matched by match; nil when
// names is nil (the rows carry Properties).
func (c *catalog) importColumns(o *ObjectType, match *Property, names []string) *importColumns {
	if names == nil {
		return nil
	}
	ic := &importColumns{props: make([]*Property, len(names)), errs: make([]*PropertyError, len(names)), match: -1}
	for i, name := range names {
		p := c.property(o, name)
		switch {
		case p == nil:
			ic.errs[i] = &PropertyError{Property: name, Code: CodePropertyDoesntExist,
				Message: fmt.Sprintf("Property %q does not exist", name)}
		case p.ReadOnlyValue || systemProperty(name):
			ic.errs[i] = &PropertyError{Property: name, Code: CodeReadOnlyValue,
				Message: fmt.Sprintf("Property %q is read-only", name)}
		default:
			ic.props[i] = p
			if match != nil && p == match {
				ic.match = i
			}
		}
	}
	return ic
}

// prepare validates one row's values, one per column, and returns the
// valid ones; empty values are not written. Columns name distinct
// properties (the importer refuses two columns for one property). Problems are sorted by property name, as catalog.prepare
// sorts them. A value beyond the columns is refused.
func (ic *importColumns) prepare(values []string) ([]preparedValue, []PropertyError) {
	out := make([]preparedValue, 0, len(values))
	var errs []PropertyError
	for i, raw := range values {
		if raw == "" {
			continue
		}
		if i >= len(ic.props) {
			errs = append(errs, PropertyError{Property: fmt.Sprintf("column %d", i+1), Code: CodePropertyDoesntExist,
				Message: fmt.Sprintf("Value %d has no column", i+1)})
			continue
		}
		if ic.errs[i] != nil {
			errs = append(errs, *ic.errs[i])
			continue
		}
		p := ic.props[i]
		v, _, perr := normalizeValue(p, raw)
		if perr != nil {
			errs = append(errs, *perr)
			continue
		}
		out = append(out, preparedValue{prop: p, value: v})
	}
	sortPropertyErrors(errs)
	return out, errs
}
