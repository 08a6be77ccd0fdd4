package crmstore

import (
	"strconv"
	"time"
)

// MaxBatch is the most inputs one batch call takes, as in HubSpot.
const MaxBatch = 100

// isoMillis is the timestamp layout of the API: UTC with milliseconds.
const isoMillis = "2006-01-02T15:04:05.000Z"

// FormatTime renders t as the API does: ISO-8601 UTC with milliseconds.
func FormatTime(t time.Time) string { return t.UTC().Format(isoMillis) }

// Record is one CRM record with its property values. Values are canonical
// strings; system properties (hs_object_id, createdate, hs_lastmodifieddate)
// are filled in from the record itself.
type Record struct {
	ID           int64             `json:"id,string"`
	ObjectTypeID string            `json:"objectTypeId"`
	Object       string            `json:"object"`
	Properties   map[string]string `json:"properties"`
	CreatedAt    time.Time         `json:"createdAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	Archived     bool              `json:"archived"`
	ArchivedAt   *time.Time        `json:"archivedAt,omitempty"`
}

// BatchResult is the outcome of one input of a batch call: either a record
// or the error that refused that input (the others are unaffected).
type BatchResult struct {
	Index  int     `json:"index"`
	Record *Record `json:"record,omitempty"`
	Err    error   `json:"-"`
}

// recordRow is a row of the records table.
type recordRow struct {
	ID         int64  `db:"id"`
	ObjectOID  int64  `db:"object_oid"`
	CreatedAt  int64  `db:"created_at"`
	UpdatedAt  int64  `db:"updated_at"`
	ArchivedAt *int64 `db:"archived_at"`
	MergedInto *int64 `db:"merged_into"`
	Props      string `db:"props"`
}

// recordColumns lists the columns of records in recordRow order.
const recordColumns = "id, object_oid, created_at, updated_at, archived_at, merged_into, props"

// decodeProps reads a record's props JSON into values by property id.
// Values of archived properties are kept, so a restored property gets them
// back; values under names the catalogue does not know are dropped.
func (c *catalog) decodeProps(o *ObjectType, props string) map[int64]string {
	byName := make(map[string]string, 24)
	_ = decodeStringMap(props, byName)
	out := make(map[int64]string, len(byName))
	for name, v := range byName {
		if p := c.props[o.oid][name]; p != nil {
			out[p.id] = v
		}
	}
	return out
}

// encodeProps writes a record's values as the props JSON: base values
// overlaid with a write (cleared values dropped). scratch is reused as the
// encoding buffer and returned for the next call.
func (c *catalog) encodeProps(scratch []byte, base map[int64]string, write map[int64]preparedValue) (string, []byte) {
	b := append(scratch[:0], '{')
	add := func(pid int64, v string) {
		p := c.propByID[pid]
		if p == nil {
			return
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p.Name)
		b = append(b, ':')
		b = appendJSONString(b, v)
	}
	for pid, v := range base {
		if _, overwritten := write[pid]; !overwritten {
			add(pid, v)
		}
	}
	for pid, w := range write {
		if !w.clear {
			add(pid, w.value)
		}
	}
	b = append(b, '}')
	return string(b), b
}

// newRecord builds a Record from its row and its values by property id.
func (c *catalog) newRecord(o *ObjectType, r recordRow, values map[int64]string, want map[string]bool) *Record {
	rec := &Record{
		ID: r.ID, ObjectTypeID: o.TypeID, Object: o.Name,
		Properties: make(map[string]string, len(values)+4),
		CreatedAt:  msTime(r.CreatedAt), UpdatedAt: msTime(r.UpdatedAt),
		Archived: r.ArchivedAt != nil, ArchivedAt: msTimePtr(r.ArchivedAt),
	}
	for pid, v := range values {
		if p := c.propByID[pid]; p != nil && !p.Archived && (want == nil || want[p.Name]) {
			rec.Properties[p.Name] = v
		}
	}
	rec.setSystemProperties(o, want)
	return rec
}

// recordFromRow builds a Record straight from its row: the props JSON
// becomes the properties map without a detour through property ids, which
// keeps reads by id cheap. Values of archived or unknown properties, and
// those not in want (when want is set), are left out.
func (c *catalog) recordFromRow(o *ObjectType, r recordRow, want map[string]bool) *Record {
	rec := &Record{
		ID: r.ID, ObjectTypeID: o.TypeID, Object: o.Name,
		CreatedAt: msTime(r.CreatedAt), UpdatedAt: msTime(r.UpdatedAt),
		Archived: r.ArchivedAt != nil, ArchivedAt: msTimePtr(r.ArchivedAt),
	}
	rec.Properties = make(map[string]string, 24)
	_ = decodeStringMap(r.Props, rec.Properties)
	props := c.props[o.oid]
	for name := range rec.Properties {
		if p := props[name]; p == nil || p.Archived || (want != nil && !want[name]) {
			delete(rec.Properties, name)
		}
	}
	rec.setSystemProperties(o, want)
	return rec
}

// newRecordFromWrite builds the Record a write leaves, from the values it
// started with and the values it wrote.
func (c *catalog) newRecordFromWrite(o *ObjectType, w *recordWrite) *Record {
	rec := &Record{
		ID: w.row.ID, ObjectTypeID: o.TypeID, Object: o.Name,
		Properties: make(map[string]string, len(w.current)+len(w.values)+4),
		CreatedAt:  msTime(w.row.CreatedAt), UpdatedAt: msTime(w.row.UpdatedAt),
		Archived: w.row.ArchivedAt != nil, ArchivedAt: msTimePtr(w.row.ArchivedAt),
	}
	for pid, v := range w.current {
		if p := c.propByID[pid]; p != nil && !p.Archived {
			rec.Properties[p.Name] = v
		}
	}
	for _, v := range w.values {
		if v.clear {
			delete(rec.Properties, v.prop.Name)
		} else {
			rec.Properties[v.prop.Name] = v.value
		}
	}
	rec.setSystemProperties(o, nil)
	return rec
}

// setSystemProperties fills the properties derived from the record row.
func (rec *Record) setSystemProperties(o *ObjectType, want map[string]bool) {
	set := func(name, v string) {
		if want == nil || want[name] {
			rec.Properties[name] = v
		}
	}
	set("hs_object_id", strconv.FormatInt(rec.ID, 10))
	created := FormatTime(rec.CreatedAt)
	updated := created
	if !rec.UpdatedAt.Equal(rec.CreatedAt) {
		updated = FormatTime(rec.UpdatedAt)
	}
	set("createdate", created)
	set("hs_lastmodifieddate", updated)
	if o.Name == "contacts" {
		set("lastmodifieddate", updated)
	}
}

// systemProperty reports properties the store derives from the records row
// rather than storing as values.
func systemProperty(name string) bool {
	switch name {
	case "hs_object_id", "createdate", "hs_lastmodifieddate", "lastmodifieddate":
		return true
	}
	return false
}
