package hubspot

import (
	"cmp"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tandem-crm/tandem/connectors"
)

// apiRecord is HubSpot's SimplePublicObject. Property values may be null.
type apiRecord struct {
	ID                 string             `json:"id"`
	Properties         map[string]*string `json:"properties"`
	UpdatedAt          string             `json:"updatedAt"`
	Archived           bool               `json:"archived"`
	ObjectWriteTraceID string             `json:"objectWriteTraceId"`
}

type paging struct {
	Next *struct {
		After string `json:"after"`
	} `json:"next"`
}

// nextAfter is the paging cursor of the next page, "" on the last one.
func (p *paging) nextAfter() string {
	if p == nil || p.Next == nil {
		return ""
	}
	return p.Next.After
}

type listResponse struct {
	Results []apiRecord `json:"results"`
	Paging  *paging     `json:"paging"`
}

type searchResponse struct {
	Total   int         `json:"total"`
	Results []apiRecord `json:"results"`
	Paging  *paging     `json:"paging"`
	// date is the remote's clock at the answer (see reply.date).
	date time.Time
}

// batchError is HubSpot's StandardError inside a batch answer.
type batchError struct {
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context"`
}

type batchResponse struct {
	Results []apiRecord  `json:"results"`
	Errors  []batchError `json:"errors"`
}

type searchFilter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value,omitempty"`
}

type filterGroup struct {
	Filters []searchFilter `json:"filters"`
}

type searchSort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

type searchRequest struct {
	FilterGroups []filterGroup `json:"filterGroups,omitempty"`
	Sorts        []searchSort  `json:"sorts,omitempty"`
	Properties   []string      `json:"properties,omitempty"`
	Limit        int           `json:"limit"`
}

// toRecord converts a HubSpot record. Every field in want is present in the result (empty
// when the remote had no value), because the contract reads an absent field as "not read".
func toRecord(r apiRecord, want []string, tsProp string) connectors.Record {
	fields := make(map[string]string, max(len(r.Properties), len(want)))
	for _, f := range want {
		fields[f] = ""
	}
	for k, v := range r.Properties {
		if v != nil {
			fields[k] = *v
		} else {
			fields[k] = ""
		}
	}
	mod := modifiedAt(r, tsProp)
	return connectors.Record{
		ID:         r.ID,
		Version:    cmp.Or(r.UpdatedAt, fields[tsProp]),
		ModifiedAt: mod,
		Fields:     fields,
		Deleted:    r.Archived,
	}
}

// modifiedAt is the record's last-modification time: the property the search filters on
// (so the cursor agrees with the filter), else updatedAt.
func modifiedAt(r apiRecord, tsProp string) time.Time {
	if v := r.Properties[tsProp]; v != nil {
		if t, ok := parseTime(*v); ok {
			return t
		}
	}
	t, _ := parseTime(r.UpdatedAt)
	return t
}

// parseTime reads HubSpot's ISO-8601 timestamps, or epoch milliseconds.
func parseTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), true
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}

// flexID reads an id that HubSpot sends as a number in some v4 answers and a string in others.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexID(n.String())
	return nil
}
