package hubspotfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Association type ids HubSpot defines for unlabeled links, by object pair.
var assocTypeIDs = map[string]int{
	"contacts/companies": 279, "companies/contacts": 280,
	"deals/contacts": 3, "contacts/deals": 4, "deals/companies": 341, "companies/deals": 342,
	"tickets/contacts": 16, "contacts/tickets": 15, "tickets/companies": 339, "companies/tickets": 340,
}

// pair resolves the {from} and {to} objects, answering 400 when unknown. Runs with s.mu held.
func (s *Server) pair(w http.ResponseWriter, r *http.Request) (*object, *object, bool) {
	from, ok1 := s.data.object(r.PathValue("from"))
	to, ok2 := s.data.object(r.PathValue("to"))
	if !ok1 || !ok2 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Unable to infer object type from: %s/%s", r.PathValue("from"), r.PathValue("to")))
		return nil, nil, false
	}
	return from, to, true
}

func (s *Server) handleAssocRead(w http.ResponseWriter, r *http.Request) {
	servePairBatch(s, w, r, func(in idsBody, from, to *object, started time.Time) {
		key := from.name + "/" + to.name
		results := []any{}
		var errs []batchError
		for _, x := range in.Inputs {
			id, _ := strconv.ParseInt(x.ID, 10, 64)
			var tos []any
			for _, t := range s.data.assoc[key][id] {
				tos = append(tos, map[string]any{"toObjectId": t, "associationTypes": []map[string]any{
					{"category": "HUBSPOT_DEFINED", "typeId": assocTypeIDs[key], "label": nil}}})
			}
			if len(tos) == 0 {
				errs = append(errs, newBatchError("OBJECT_NOT_FOUND",
					fmt.Sprintf("No %s is associated with %s %s.", singular(to.name), singular(from.name), x.ID),
					map[string][]string{"fromObjectId": {x.ID}}))
				continue
			}
			results = append(results, map[string]any{"from": map[string]string{"id": x.ID}, "to": tos})
		}
		writeBatch(w, http.StatusOK, started, s.now(), results, errs)
	})
}

// linkBody is the body of associate/default.
type linkBody struct {
	Inputs []struct {
		From idInput `json:"from"`
		To   idInput `json:"to"`
	} `json:"inputs"`
}

func (s *Server) handleAssocDefault(w http.ResponseWriter, r *http.Request) {
	servePairBatch(s, w, r, func(in linkBody, from, to *object, started time.Time) {
		key := from.name + "/" + to.name
		results := []any{}
		var errs []batchError
		for _, x := range in.Inputs {
			fr, tr := from.live(x.From.ID), to.live(x.To.ID)
			if fr == nil || tr == nil {
				errs = append(errs, newBatchError("VALIDATION_ERROR",
					fmt.Sprintf("%s %s or %s %s is not valid", singular(from.name), x.From.ID, singular(to.name), x.To.ID),
					map[string][]string{"fromObjectId": {x.From.ID}, "toObjectId": {x.To.ID}}))
				continue
			}
			s.data.link(key, fr.id, tr.id)
			s.data.link(to.name+"/"+from.name, tr.id, fr.id)
			results = append(results, map[string]any{"from": map[string]string{"id": x.From.ID}, "to": map[string]string{"id": x.To.ID},
				"associationSpec": map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": assocTypeIDs[key]}})
		}
		writeBatch(w, http.StatusOK, started, s.now(), results, errs)
	})
}

func (st *store) link(key string, from, to int64) {
	m := st.assoc[key]
	if m == nil {
		m = map[int64][]int64{}
		st.assoc[key] = m
	}
	if !slices.Contains(m[from], to) {
		m[from] = append(m[from], to)
	}
}
