package hubspotfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiRecord is HubSpot's SimplePublicObject.
type apiRecord struct {
	ID                 string             `json:"id"`
	Properties         map[string]*string `json:"properties"`
	CreatedAt          string             `json:"createdAt"`
	UpdatedAt          string             `json:"updatedAt"`
	Archived           bool               `json:"archived"`
	ArchivedAt         string             `json:"archivedAt,omitempty"`
	ObjectWriteTraceID string             `json:"objectWriteTraceId,omitempty"`
}

type nextPage struct {
	After string `json:"after"`
}

type paging struct {
	Next nextPage `json:"next"`
}

// batchError is HubSpot's StandardError.
type batchError struct {
	Status   string              `json:"status"`
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context"`
	Errors   []any               `json:"errors"`
	Links    map[string]string   `json:"links"`
}

type batchResponse struct {
	Status      string       `json:"status"`
	Results     []any        `json:"results"`
	NumErrors   int          `json:"numErrors,omitempty"`
	Errors      []batchError `json:"errors,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

// render shapes a record with the requested properties; nil props means the object's defaults.
func (o *object) render(r *record, props []string) apiRecord {
	if len(props) == 0 {
		props = defaultProperties(o.name)
	}
	out := apiRecord{
		ID:         fmt.Sprint(r.id),
		Properties: make(map[string]*string, len(props)+3),
		CreatedAt:  isoMillis(r.created),
		UpdatedAt:  isoMillis(r.updated),
		Archived:   r.archived,
	}
	if r.archived {
		out.ArchivedAt = isoMillis(r.updated)
	}
	// HubSpot always adds the system properties, whatever was asked.
	for _, p := range append([]string{"hs_object_id", "createdate", "hs_lastmodifieddate", "lastmodifieddate"}, props...) {
		if _, known := o.props[p]; !known {
			continue // unknown names are ignored, as HubSpot does
		}
		if v, ok := o.value(r, p); ok {
			out.Properties[p] = &v
		} else {
			out.Properties[p] = nil
		}
	}
	return out
}

func defaultProperties(object string) []string {
	switch object {
	case "contacts":
		return []string{"email", "firstname", "lastname"}
	case "companies":
		return []string{"name", "domain"}
	case "deals":
		return []string{"dealname", "amount", "closedate", "pipeline", "dealstage"}
	case "tickets":
		return []string{"content", "hs_pipeline", "hs_pipeline_stage", "subject"}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers HubSpot's error shape.
func writeError(w http.ResponseWriter, status int, category, message string) {
	writeJSON(w, status, map[string]any{
		"status":        "error",
		"message":       message,
		"correlationId": correlationID(),
		"category":      category,
	})
}

func correlationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// decode reads a JSON body into v, answering 400 when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: "+err.Error())
		return false
	}
	return true
}

// queryList reads a list query parameter given repeated or comma-separated.
func queryList(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
