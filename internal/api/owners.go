package api

// HubSpot's owners API: /crm/v3/owners, read-only (HubSpot has no API to
// create owners; Tandem's are made through the store).

import (
	"net/http"
	"strconv"

	"github.com/tandem-crm/tandem/crmstore"
)

// Owner page sizes, as in HubSpot.
const (
	defaultOwnersLimit = 100
	maxOwnersLimit     = 500
)

func (s *Server) routesOwners() {
	s.handle("GET /crm/v3/owners", s.handleOwnerList)
	s.handle("GET /crm/v3/owners/{ownerId}", s.handleOwnerGet)
}

// ownerJSON is HubSpot's PublicOwner.
type ownerJSON struct {
	ID                      string          `json:"id"`
	Email                   string          `json:"email"`
	Type                    string          `json:"type"`
	FirstName               string          `json:"firstName"`
	LastName                string          `json:"lastName"`
	UserID                  int64           `json:"userId"`
	UserIDIncludingInactive int64           `json:"userIdIncludingInactive"`
	CreatedAt               string          `json:"createdAt"`
	UpdatedAt               string          `json:"updatedAt"`
	Archived                bool            `json:"archived"`
	Teams                   []crmstore.Team `json:"teams"`
}

func renderOwner(o *crmstore.Owner) ownerJSON {
	teams := o.Teams
	if teams == nil {
		teams = []crmstore.Team{}
	}
	return ownerJSON{ID: strconv.FormatInt(o.ID, 10), Email: o.Email, Type: o.Type, FirstName: o.FirstName,
		LastName: o.LastName, UserID: o.UserID, UserIDIncludingInactive: o.UserID,
		CreatedAt: crmstore.FormatTime(o.CreatedAt), UpdatedAt: crmstore.FormatTime(o.UpdatedAt),
		Archived: o.Archived, Teams: teams}
}

func (s *Server) handleOwnerList(w http.ResponseWriter, r *http.Request) error {
	limit, err := intParam(r, "limit", defaultOwnersLimit, 1, maxOwnersLimit)
	if err != nil {
		return err
	}
	archived, err := boolParam(r, "archived")
	if err != nil {
		return err
	}
	after, err := afterParam(r, "from this API")
	if err != nil {
		return err
	}
	owners, next, err := s.store.ListOwners(r.Context(), crmstore.OwnerListOptions{
		Email: r.URL.Query().Get("email"), After: after, Limit: limit, Archived: archived})
	if err != nil {
		return err
	}
	results := make([]ownerJSON, len(owners))
	for i := range owners {
		results[i] = renderOwner(&owners[i])
	}
	writeJSON(w, http.StatusOK, struct {
		Results []ownerJSON `json:"results"`
		Paging  *paging     `json:"paging,omitempty"`
	}{results, nextPaging(next)})
	return nil
}

func (s *Server) handleOwnerGet(w http.ResponseWriter, r *http.Request) error {
	archived, err := boolParam(r, "archived")
	if err != nil {
		return err
	}
	raw := r.PathValue("ownerId")
	idProperty := r.URL.Query().Get("idProperty")
	if idProperty != "" && idProperty != "id" && idProperty != "userId" {
		return errBadRequest("query parameter idProperty=%q must be id or userId", idProperty)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return errNotFound("owner %q not found: owner ids are numbers", raw)
	}
	var o *crmstore.Owner
	if idProperty == "userId" {
		o, err = s.store.GetOwnerByUserID(r.Context(), id, archived)
	} else {
		o, err = s.store.GetOwner(r.Context(), id, archived)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderOwner(o))
	return nil
}
