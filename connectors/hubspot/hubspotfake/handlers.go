package hubspotfake

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"
)

// objectOf resolves the {object} path value, answering 404 when unknown. It runs with s.mu held.
func (s *Server) objectOf(w http.ResponseWriter, r *http.Request) (*object, bool) {
	o, ok := s.data.object(r.PathValue("object"))
	if !ok {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Unable to infer object type from: %s", r.PathValue("object")))
	}
	return o, ok
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	limit := 10
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be a positive integer")
			return
		}
		limit = min(n, 100)
	}
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "after must be the id of the next record")
			return
		}
		after = n
	}
	archived := r.URL.Query().Get("archived") == "true"
	props := queryList(r, "properties")

	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	start := sort.Search(len(o.records), func(i int) bool { return o.records[i].id >= after })
	results := []any{}
	var next *paging
	for _, rec := range o.records[start:] {
		if rec.archived != archived {
			continue
		}
		if len(results) == limit {
			next = &paging{Next: nextPage{After: strconv.FormatInt(rec.id, 10)}}
			break
		}
		results = append(results, o.render(rec, props))
	}
	body := map[string]any{"results": results}
	if next != nil {
		body["paging"] = next
	}
	writeJSON(w, http.StatusOK, body)
}

type idInput struct {
	ID string `json:"id"`
}

func (s *Server) handleBatchRead(w http.ResponseWriter, r *http.Request) {
	serveBatch(s, w, r, func(in readBody, o *object, started time.Time) {
		results := []any{}
		var missing []string
		for _, x := range in.Inputs {
			if rec := o.live(x.ID); rec != nil {
				results = append(results, o.render(rec, in.Properties))
			} else {
				missing = append(missing, x.ID)
			}
		}
		writeBatch(w, http.StatusOK, started, s.now(), results, notFoundErrors(o, missing))
	})
}

type writeInput struct {
	ID                 string            `json:"id"`
	Properties         map[string]string `json:"properties"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId"`
}

func (s *Server) handleBatchCreate(w http.ResponseWriter, r *http.Request) {
	serveBatch(s, w, r, func(in writeBody, o *object, started time.Time) {
		if s.opts.AtomicBatches || !uniqueTraceIDs(in.Inputs) {
			if e := s.validateAll(o, in.Inputs); e != nil {
				writeError(w, e.status, e.category, e.message)
				return
			}
		}
		now := s.now().UnixMilli()
		results := []any{}
		var errs []batchError
		for _, x := range in.Inputs {
			if e := s.data.validate(o, 0, x.Properties); e != nil {
				errs = append(errs, inputBatchError(e, x.ObjectWriteTraceID))
				continue
			}
			out := o.render(s.data.create(o, x.Properties, now), keys(x.Properties))
			out.ObjectWriteTraceID = x.ObjectWriteTraceID
			results = append(results, out)
		}
		writeBatch(w, http.StatusCreated, started, s.now(), results, errs)
	})
}

// validateAll checks a batch that must succeed or fail whole, unique values within it
// included; the first refusal names its input.
func (s *Server) validateAll(o *object, inputs []writeInput) *inputError {
	seen := map[string]int{}
	for i, x := range inputs {
		id, _ := strconv.ParseInt(x.ID, 10, 64)
		if e := s.data.validate(o, id, x.Properties); e != nil {
			e.message = fmt.Sprintf("inputs[%d]: %s", i, e.message)
			return e
		}
		for name := range o.unique {
			if v := x.Properties[name]; v != "" {
				key := name + "\x00" + v
				if j, dup := seen[key]; dup {
					return &inputError{409, "CONFLICT", fmt.Sprintf("inputs[%d]: duplicate %s %q, also in inputs[%d]", i, name, v, j)}
				}
				seen[key] = i
			}
		}
	}
	return nil
}

func uniqueTraceIDs(inputs []writeInput) bool {
	seen := map[string]bool{}
	for _, x := range inputs {
		if x.ObjectWriteTraceID == "" || seen[x.ObjectWriteTraceID] {
			return false
		}
		seen[x.ObjectWriteTraceID] = true
	}
	return true
}

func inputBatchError(e *inputError, traceID string) batchError {
	ctx := map[string][]string{}
	if traceID != "" {
		ctx["objectWriteTraceId"] = []string{traceID}
	}
	return newBatchError(e.category, e.message, ctx)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s *Server) handleBatchUpdate(w http.ResponseWriter, r *http.Request) {
	serveBatch(s, w, r, func(in writeBody, o *object, started time.Time) {
		// HubSpot refuses the whole batch when one input's values are invalid.
		if e := s.validateAll(o, in.Inputs); e != nil {
			writeError(w, e.status, e.category, e.message)
			return
		}
		now := s.now().UnixMilli()
		results := []any{}
		var missing []string
		for _, x := range in.Inputs {
			rec := o.live(x.ID)
			if rec == nil {
				missing = append(missing, x.ID)
				continue
			}
			o.update(rec, x.Properties, now)
			results = append(results, o.render(rec, keys(x.Properties)))
		}
		writeBatch(w, http.StatusOK, started, s.now(), results, notFoundErrors(o, missing))
	})
}

func (s *Server) handleBatchArchive(w http.ResponseWriter, r *http.Request) {
	serveBatch(s, w, r, func(in idsBody, o *object, _ time.Time) {
		now := s.now().UnixMilli()
		for _, x := range in.Inputs {
			// Archiving a missing or archived record is not an error in HubSpot.
			if rec := o.live(x.ID); rec != nil {
				o.archive(rec, now)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) handleProperties(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	results := make([]map[string]any, 0, len(o.order))
	for i, name := range o.order {
		p := o.props[name]
		opts := []map[string]any{}
		for j, v := range p.Options {
			opts = append(opts, map[string]any{"label": v, "value": v, "displayOrder": j, "hidden": false})
		}
		results = append(results, map[string]any{
			"name": p.Name, "label": p.Name, "type": p.Type, "fieldType": p.Field, "description": "",
			"groupName": singular(o.name) + "information", "options": opts, "displayOrder": i,
			"hasUniqueValue": p.Unique, "hidden": false, "formField": !p.ReadOnly, "calculated": false,
			"modificationMetadata": map[string]any{"archivable": !p.ReadOnly, "readOnlyDefinition": p.ReadOnly,
				"readOnlyValue": p.ReadOnly},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}
