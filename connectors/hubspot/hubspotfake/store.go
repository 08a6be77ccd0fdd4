package hubspotfake

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// property is one property definition of an object.
type property struct {
	Name     string
	Type     string // string, number, bool, date, datetime, enumeration
	Field    string // HubSpot fieldType
	Options  []string
	ReadOnly bool
	Unique   bool
}

// record is one stored record. Timestamps are epoch milliseconds.
type record struct {
	id       int64
	props    map[string]string
	created  int64
	updated  int64
	archived bool
}

// object holds the records of one object type, in id order (ids only grow).
type object struct {
	name    string
	props   map[string]property
	order   []string // property names, for the properties listing
	records []*record
	byID    map[int64]*record
	// unique indexes the live records by each unique property's lower-cased value.
	unique map[string]map[string]*record
}

type store struct {
	objects map[string]*object
	nextID  int64
	// assoc holds default associations both ways: object pair "from/to" → from id → to ids.
	assoc map[string]map[int64][]int64
}

func newStore() *store {
	st := &store{objects: map[string]*object{}, nextID: 1, assoc: map[string]map[int64][]int64{}}
	common := []property{
		{Name: "hs_object_id", Type: "number", Field: "number", ReadOnly: true},
		{Name: "createdate", Type: "datetime", Field: "date", ReadOnly: true},
		{Name: "hs_lastmodifieddate", Type: "datetime", Field: "date", ReadOnly: true},
	}
	st.add("contacts", append(slices.Clone(common),
		property{Name: "lastmodifieddate", Type: "datetime", Field: "date", ReadOnly: true},
		property{Name: "email", Type: "string", Field: "text", Unique: true},
		property{Name: "firstname", Type: "string", Field: "text"},
		property{Name: "lastname", Type: "string", Field: "text"},
		property{Name: "phone", Type: "string", Field: "phonenumber"},
		property{Name: "company", Type: "string", Field: "text"},
		property{Name: "jobtitle", Type: "string", Field: "text"},
		property{Name: "lifecyclestage", Type: "enumeration", Field: "radio",
			Options: []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"}},
		property{Name: "hs_email_optout", Type: "bool", Field: "booleancheckbox"},
		property{Name: "date_of_birth", Type: "date", Field: "date"},
	))
	st.add("companies", append(slices.Clone(common),
		property{Name: "name", Type: "string", Field: "text"},
		property{Name: "domain", Type: "string", Field: "text", Unique: true},
		property{Name: "phone", Type: "string", Field: "phonenumber"},
		property{Name: "city", Type: "string", Field: "text"},
		property{Name: "numberofemployees", Type: "number", Field: "number"},
	))
	st.add("deals", append(slices.Clone(common),
		property{Name: "dealname", Type: "string", Field: "text"},
		property{Name: "amount", Type: "number", Field: "number"},
		property{Name: "closedate", Type: "datetime", Field: "date"},
		property{Name: "dealstage", Type: "enumeration", Field: "radio", Options: []string{"appointmentscheduled", "closedwon", "closedlost"}},
		property{Name: "pipeline", Type: "enumeration", Field: "select", Options: []string{"default"}},
	))
	st.add("tickets", append(slices.Clone(common),
		property{Name: "subject", Type: "string", Field: "text"},
		property{Name: "content", Type: "string", Field: "textarea"},
		property{Name: "hs_pipeline", Type: "enumeration", Field: "select", Options: []string{"0"}},
		property{Name: "hs_pipeline_stage", Type: "enumeration", Field: "radio", Options: []string{"1", "2", "3", "4"}},
	))
	return st
}

func (st *store) add(name string, props []property) {
	o := &object{name: name, props: map[string]property{}, byID: map[int64]*record{}, unique: map[string]map[string]*record{}}
	for _, p := range props {
		o.props[p.Name] = p
		o.order = append(o.order, p.Name)
		if p.Unique {
			o.unique[p.Name] = map[string]*record{}
		}
	}
	st.objects[name] = o
}

// objectAliases maps HubSpot's object type ids and singular names to the plural names.
var objectAliases = map[string]string{
	"0-1": "contacts", "contact": "contacts", "0-2": "companies", "company": "companies",
	"0-3": "deals", "deal": "deals", "0-5": "tickets", "ticket": "tickets",
}

func (st *store) object(name string) (*object, bool) {
	if alias, ok := objectAliases[strings.ToLower(name)]; ok {
		name = alias
	}
	o, ok := st.objects[strings.ToLower(name)]
	return o, ok
}

// value returns a property of a record, system properties included.
func (o *object) value(r *record, name string) (string, bool) {
	switch name {
	case "hs_object_id":
		return strconv.FormatInt(r.id, 10), true
	case "createdate":
		return isoMillis(r.created), true
	case "hs_lastmodifieddate":
		return isoMillis(r.updated), true
	case "lastmodifieddate":
		if o.name == "contacts" {
			return isoMillis(r.updated), true
		}
		return "", false
	}
	v, ok := r.props[name]
	return v, ok && v != ""
}

func isoMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// inputError is an input HubSpot refuses, with its category and HTTP status.
type inputError struct {
	status   int
	category string
	message  string
}

func (e *inputError) Error() string { return e.message }

// validate checks property values for a write to record id (0 for a create).
func (st *store) validate(o *object, id int64, props map[string]string) *inputError {
	var bad []string
	for name, v := range props {
		p, ok := o.props[name]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf(`{"isValid":false,"message":"Property \"%s\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"%s"}`, name, name))
		case p.ReadOnly:
			bad = append(bad, fmt.Sprintf(`{"isValid":false,"message":"\"%s\" is a read only property; its value cannot be set.","error":"READ_ONLY_VALUE","name":"%s"}`, name, name))
		case v == "":
		case name == "email" && !strings.Contains(v, "@"):
			bad = append(bad, fmt.Sprintf(`{"isValid":false,"message":"Email address %s is invalid","error":"INVALID_EMAIL","name":"email"}`, v))
		case p.Type == "number":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				bad = append(bad, fmt.Sprintf(`{"isValid":false,"message":"%s was not a valid number.","error":"INVALID_INTEGER","name":"%s"}`, v, name))
			}
		case p.Type == "bool":
			if v != "true" && v != "false" {
				bad = append(bad, fmt.Sprintf(`{"isValid":false,"message":"%s was not a valid boolean.","error":"INVALID_BOOLEAN","name":"%s"}`, v, name))
			}
		case p.Type == "enumeration":
			if !slices.Contains(p.Options, v) {
				bad = append(bad, fmt.Sprintf(`{"isValid":false,"message":"%s was not one of the allowed options: %v","error":"INVALID_OPTION","name":"%s"}`, v, p.Options, name))
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return &inputError{400, "VALIDATION_ERROR", "Property values were not valid: [" + strings.Join(bad, ",") + "]"}
	}
	for name, v := range props {
		if p := o.props[name]; p.Unique && v != "" {
			if other := o.findUnique(name, v); other != nil && other.id != id {
				return &inputError{409, "CONFLICT", fmt.Sprintf("%s already exists. Existing ID: %d", singular(o.name), other.id)}
			}
		}
	}
	return nil
}

func singular(object string) string {
	switch object {
	case "companies":
		return "Company"
	case "contacts":
		return "Contact"
	}
	return strings.TrimSuffix(strings.ToUpper(object[:1])+object[1:], "s")
}

func (o *object) findUnique(name, v string) *record {
	return o.unique[name][strings.ToLower(v)]
}

// reindex keeps the unique indexes in step with r after its values or archived flag changed;
// old holds the values of the unique properties before the change.
func (o *object) reindex(r *record, old map[string]string) {
	for name, idx := range o.unique {
		if v := old[name]; v != "" && idx[strings.ToLower(v)] == r {
			delete(idx, strings.ToLower(v))
		}
		if v := r.props[name]; v != "" && !r.archived {
			idx[strings.ToLower(v)] = r
		}
	}
}

// uniqueValues snapshots r's unique property values for reindex.
func (o *object) uniqueValues(r *record) map[string]string {
	old := make(map[string]string, len(o.unique))
	for name := range o.unique {
		old[name] = r.props[name]
	}
	return old
}

// archive soft-deletes r.
func (o *object) archive(r *record, now int64) {
	old := o.uniqueValues(r)
	r.archived = true
	r.updated = max(now, r.updated+1)
	o.reindex(r, old)
}

// create stores a record with props (already validated).
func (st *store) create(o *object, props map[string]string, now int64) *record {
	r := &record{id: st.nextID, props: map[string]string{}, created: now, updated: now}
	st.nextID++
	for k, v := range props {
		if v != "" {
			r.props[k] = v
		}
	}
	o.records = append(o.records, r)
	o.byID[r.id] = r
	o.reindex(r, nil)
	return r
}

// update applies props (already validated); an empty value clears the property.
func (o *object) update(r *record, props map[string]string, now int64) {
	old := o.uniqueValues(r)
	defer o.reindex(r, old)
	for k, v := range props {
		if v == "" {
			delete(r.props, k)
		} else {
			r.props[k] = v
		}
	}
	// Every write moves the modification time, by a millisecond at least, so a record's
	// version changes with each write even when two land in one millisecond.
	r.updated = max(now, r.updated+1)
}

// live returns the record with id unless it is missing or archived.
func (o *object) live(id string) *record {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	r := o.byID[n]
	if r == nil || r.archived {
		return nil
	}
	return r
}
