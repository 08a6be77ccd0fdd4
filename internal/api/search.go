package api

// CRM search: POST /crm/v3/objects/{objectType}/search (and its
// date-versioned path). The store holds the semantics (crmstore.Search);
// this file decodes HubSpot's PublicObjectSearchRequest and renders its
// CollectionResponseWithTotal.

import (
	"net/http"

	"github.com/tandem-crm/tandem/crmstore"
)

func (s *Server) routesSearch() {
	s.handle("POST /crm/v3/objects/{objectType}/search", s.searchObjects)
}

// searchResponse is HubSpot's CollectionResponseWithTotalSimplePublicObject;
// paging is omitted on the last page.
type searchResponse struct {
	Total   int         `json:"total"`
	Results []apiRecord `json:"results"`
	Paging  *paging     `json:"paging,omitempty"`
}

func (s *Server) searchObjects(w http.ResponseWriter, r *http.Request) error {
	obj, err := s.store.Schema(r.Context(), r.PathValue("objectType"))
	if err != nil {
		return err
	}
	var req crmstore.SearchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	props := requestedProperties(obj.Name, req.Properties)
	req.Properties = props
	res, err := s.store.Search(r.Context(), obj.Name, req)
	if err != nil {
		return err
	}
	out := searchResponse{Total: res.Total, Results: make([]apiRecord, len(res.Records)), Paging: newPaging(res.After)}
	for i, rec := range res.Records {
		out.Results[i] = renderRecord(rec, props)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
