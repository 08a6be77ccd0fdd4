package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tandem-crm/tandem/crmstore"
)

// apiRecord is HubSpot's SimplePublicObject(WithAssociations).
type apiRecord struct {
	ID                    string                    `json:"id"`
	Properties            map[string]*string        `json:"properties"`
	PropertiesWithHistory map[string][]historyValue `json:"propertiesWithHistory,omitempty"`
	CreatedAt             string                    `json:"createdAt"`
	UpdatedAt             string                    `json:"updatedAt"`
	Archived              bool                      `json:"archived"`
	ArchivedAt            string                    `json:"archivedAt,omitempty"`
	Associations          map[string]*assocPage     `json:"associations,omitempty"`
	ObjectWriteTraceID    string                    `json:"objectWriteTraceId,omitempty"`
}

// historyValue is HubSpot's ValueWithTimestamp.
type historyValue struct {
	Value           string `json:"value"`
	Timestamp       string `json:"timestamp"`
	SourceType      string `json:"sourceType"`
	SourceID        string `json:"sourceId,omitempty"`
	SourceLabel     string `json:"sourceLabel,omitempty"`
	UpdatedByUserID *int64 `json:"updatedByUserId,omitempty"`
}

// assocPage is the v3 association list embedded in a record.
type assocPage struct {
	Results []assocRef `json:"results"`
	Paging  *paging    `json:"paging,omitempty"`
}

// assocRef is one embedded association: the other record and the v3 type name.
type assocRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// paging is HubSpot's forward paging; it is omitted on the last page.
type paging struct {
	Next nextPage `json:"next"`
}

type nextPage struct {
	After string `json:"after"`
	Link  string `json:"link,omitempty"`
}

// newPaging returns paging for a next cursor, or nil on the last page.
func newPaging(after string) *paging {
	if after == "" || after == "0" {
		return nil
	}
	return &paging{Next: nextPage{After: after}}
}

// defaultProperties are returned when a request names none, as HubSpot does.
var defaultProperties = map[string][]string{
	"contacts":  {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
	"companies": {"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"},
	"deals":     {"amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"},
	"tickets": {"content", "createdate", "hs_lastmodifieddate", "hs_object_id", "hs_pipeline", "hs_pipeline_stage",
		"hs_ticket_category", "hs_ticket_priority", "subject"},
}

// alwaysProperties come back whatever a request names, as in HubSpot v3.
var alwaysProperties = []string{"hs_object_id", "createdate", "hs_lastmodifieddate", "lastmodifieddate"}

// requestedProperties is the set of properties to render for object: the
// requested ones plus the ones always returned, or the object's defaults.
func requestedProperties(object string, requested []string) []string {
	if len(requested) == 0 {
		if d, ok := defaultProperties[object]; ok {
			return d
		}
		return []string{"createdate", "hs_lastmodifieddate", "hs_object_id"}
	}
	out := append([]string{}, requested...)
	for _, p := range alwaysProperties {
		if p == "lastmodifieddate" && object != "contacts" {
			continue
		}
		out = append(out, p)
	}
	return out
}

// renderRecord shapes rec for the API with the properties named by props
// (see requestedProperties); a named property without a value is null.
func renderRecord(rec *crmstore.Record, props []string) apiRecord {
	out := apiRecord{
		ID:         strconv.FormatInt(rec.ID, 10),
		Properties: make(map[string]*string, len(props)),
		CreatedAt:  crmstore.FormatTime(rec.CreatedAt),
		UpdatedAt:  crmstore.FormatTime(rec.UpdatedAt),
		Archived:   rec.Archived,
	}
	if rec.ArchivedAt != nil {
		out.ArchivedAt = crmstore.FormatTime(*rec.ArchivedAt)
	}
	for _, p := range props {
		if v, ok := rec.Properties[p]; ok {
			out.Properties[p] = &v
		} else {
			out.Properties[p] = nil
		}
	}
	return out
}

// renderHistory converts store history to HubSpot's shape.
func renderHistory(h map[string][]crmstore.HistoryEntry) map[string][]historyValue {
	out := make(map[string][]historyValue, len(h))
	for name, entries := range h {
		vals := make([]historyValue, len(entries))
		for i, e := range entries {
			vals[i] = historyValue{Value: e.Value, Timestamp: e.Timestamp, SourceType: e.Type, SourceID: e.ID, SourceLabel: e.Label}
			if uid, err := strconv.ParseInt(e.UserID, 10, 64); err == nil {
				vals[i].UpdatedByUserID = &uid
			}
		}
		out[name] = vals
	}
	return out
}

// propertyValues is a request's properties object. HubSpot documents
// string values but accepts numbers and booleans; null clears like "".
type propertyValues map[string]string

// UnmarshalJSON accepts string, number, boolean and null values.
func (p *propertyValues) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(propertyValues, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0 || string(v) == "null":
			out[k] = ""
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			out[k] = s
		case string(v) == "true" || string(v) == "false":
			out[k] = string(v)
		case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
			out[k] = string(v)
		default:
			return fmt.Errorf("property %q: value must be a string, number, boolean or null", k)
		}
	}
	*p = out
	return nil
}
