package api

// HubSpot's pipelines API: /crm/v3/pipelines/{objectType} (deals, tickets
// and custom objects) and their stages.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
)

func (s *Server) routesPipelines() {
	const base = "/crm/v3/pipelines/{objectType}"
	const pipeline = base + "/{pipelineId}"
	const stage = pipeline + "/stages/{stageId}"
	s.handle("GET "+base, s.handlePipelineList)
	s.handle("POST "+base, s.handlePipelineCreate)
	s.handle("GET "+pipeline, s.handlePipelineGet)
	s.handle("PUT "+pipeline, s.handlePipelineReplace)
	s.handle("PATCH "+pipeline, s.handlePipelineUpdate)
	s.handle("DELETE "+pipeline, s.handlePipelineArchive)
	s.handle("GET "+pipeline+"/stages", s.handleStageList)
	s.handle("POST "+pipeline+"/stages", s.handleStageCreate)
	s.handle("GET "+stage, s.handleStageGet)
	s.handle("PUT "+stage, s.handleStageReplace)
	s.handle("PATCH "+stage, s.handleStageUpdate)
	s.handle("DELETE "+stage, s.handleStageArchive)
}

// stageWritePermissions is what HubSpot reports for stages anyone with CRM
// permissions may use.
const stageWritePermissions = "CRM_PERMISSIONS_ENFORCEMENT"

// pipelineJSON is HubSpot's Pipeline.
type pipelineJSON struct {
	ID           string      `json:"id"`
	Label        string      `json:"label"`
	DisplayOrder int         `json:"displayOrder"`
	Archived     bool        `json:"archived"`
	CreatedAt    string      `json:"createdAt"`
	UpdatedAt    string      `json:"updatedAt"`
	Stages       []stageJSON `json:"stages"`
}

// stageJSON is HubSpot's PipelineStage; metadata values are strings.
type stageJSON struct {
	ID               string            `json:"id"`
	Label            string            `json:"label"`
	DisplayOrder     int               `json:"displayOrder"`
	Metadata         map[string]string `json:"metadata"`
	Archived         bool              `json:"archived"`
	CreatedAt        string            `json:"createdAt"`
	UpdatedAt        string            `json:"updatedAt"`
	WritePermissions string            `json:"writePermissions"`
}

func renderStage(st *crmstore.Stage) stageJSON {
	md := st.Metadata
	if md == nil {
		md = map[string]string{}
	}
	return stageJSON{ID: st.ID, Label: st.Label, DisplayOrder: st.DisplayOrder, Metadata: md, Archived: st.Archived,
		CreatedAt: crmstore.FormatTime(st.CreatedAt), UpdatedAt: crmstore.FormatTime(st.UpdatedAt),
		WritePermissions: stageWritePermissions}
}

// renderPipeline shapes a pipeline with its live stages.
func renderPipeline(p *crmstore.Pipeline) pipelineJSON {
	out := pipelineJSON{ID: p.ID, Label: p.Label, DisplayOrder: p.DisplayOrder, Archived: p.Archived,
		CreatedAt: crmstore.FormatTime(p.CreatedAt), UpdatedAt: crmstore.FormatTime(p.UpdatedAt), Stages: []stageJSON{}}
	for i := range p.Stages {
		if !p.Stages[i].Archived {
			out.Stages = append(out.Stages, renderStage(&p.Stages[i]))
		}
	}
	return out
}

// stageMetadata is a stage's metadata in a request. HubSpot documents
// string values; numbers and booleans ({"probability": 0.5,
// "isClosed": true}) are accepted and kept as their JSON text.
type stageMetadata map[string]string

// UnmarshalJSON accepts string, number and boolean values; null values are
// dropped.
func (m *stageMetadata) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(stageMetadata, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case string(v) == "null":
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			out[k] = s
		case string(v) == "true" || string(v) == "false", len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9'):
			out[k] = string(v)
		default:
			return fmt.Errorf("metadata.%s must be a string, number or boolean", k)
		}
	}
	*m = out
	return nil
}

// stageBody is a stage in a request (HubSpot's PipelineStageInput and
// PipelineStagePatchInput). ID is a Tandem extension: the id a new stage
// gets, or the existing stage a PUT of the pipeline keeps.
type stageBody struct {
	ID           string        `json:"id"`
	Label        *string       `json:"label"`
	DisplayOrder *int          `json:"displayOrder"`
	Metadata     stageMetadata `json:"metadata"`
	Archived     *bool         `json:"archived"`
}

// pipelineBody is a pipeline in a request (HubSpot's PipelineInput and
// PipelinePatchInput). ID is a Tandem extension: the id a new pipeline gets.
type pipelineBody struct {
	ID           string      `json:"id"`
	Label        *string     `json:"label"`
	DisplayOrder *int        `json:"displayOrder"`
	Stages       []stageBody `json:"stages"`
	Archived     *bool       `json:"archived"`
}

func valOrZero[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// stageInput is a new stage; a missing displayOrder becomes its position.
func (b stageBody) stageInput(position int) crmstore.StageInput {
	in := crmstore.StageInput{ID: strings.TrimSpace(b.ID), Label: valOrZero(b.Label), DisplayOrder: position, Metadata: b.Metadata}
	if b.DisplayOrder != nil {
		in.DisplayOrder = *b.DisplayOrder
	}
	return in
}

// pipelineObject resolves the path's object for the pipelines API.
func (s *Server) pipelineObject(r *http.Request) (string, error) {
	o, err := s.pathObject(r)
	if err != nil {
		return "", err
	}
	return o.Name, nil
}

// pipelineBodyRequest resolves the path's object for the pipelines API,
// then decodes the request body into body.
func (s *Server) pipelineBodyRequest(r *http.Request, body any) (string, error) {
	o, err := s.pathObjectBody(r, body)
	if err != nil {
		return "", err
	}
	return o.Name, nil
}

// checkPipelineBody requires what a new or replaced pipeline must have: a
// label and at least one stage.
func checkPipelineBody(body *pipelineBody) error {
	if blank(body.Label) {
		return errBadRequest("label is required: a pipeline needs a label")
	}
	if len(body.Stages) == 0 {
		return errBadRequest("stages is required: a pipeline needs at least one stage")
	}
	return nil
}

// stageBodyRequest is pipelineBodyRequest for a stage that must have a
// label (create, replace).
func (s *Server) stageBodyRequest(r *http.Request, body *stageBody) (string, error) {
	object, err := s.pipelineBodyRequest(r, body)
	if err != nil {
		return "", err
	}
	if blank(body.Label) {
		return "", errBadRequest("label is required: a stage needs a label")
	}
	return object, nil
}

// blank reports whether an optional label is missing or only white space.
func blank(label *string) bool {
	return strings.TrimSpace(valOrZero(label)) == ""
}

func (s *Server) handlePipelineList(w http.ResponseWriter, r *http.Request) error {
	o, archived, err := s.pathObjectArchived(r)
	if err != nil {
		return err
	}
	ps, err := s.store.Pipelines(r.Context(), o.Name, archived)
	if err != nil {
		return err
	}
	out := make([]pipelineJSON, len(ps))
	for i := range ps {
		out[i] = renderPipeline(&ps[i])
	}
	writeResults(w, out)
	return nil
}

func (s *Server) handlePipelineGet(w http.ResponseWriter, r *http.Request) error {
	object, err := s.pipelineObject(r)
	if err != nil {
		return err
	}
	p, err := s.store.Pipeline(r.Context(), object, r.PathValue("pipelineId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderPipeline(p))
	return nil
}

func (s *Server) handlePipelineCreate(w http.ResponseWriter, r *http.Request) error {
	var body pipelineBody
	object, err := s.pipelineBodyRequest(r, &body)
	if err != nil {
		return err
	}
	if err := checkPipelineBody(&body); err != nil {
		return err
	}
	in := crmstore.PipelineInput{ID: strings.TrimSpace(body.ID), Label: valOrZero(body.Label), DisplayOrder: valOrZero(body.DisplayOrder)}
	for i, st := range body.Stages {
		if blank(st.Label) {
			return errBadRequest("stages[%d].label is required", i)
		}
		in.Stages = append(in.Stages, st.stageInput(i))
	}
	p, err := s.store.CreatePipeline(r.Context(), object, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, renderPipeline(p))
	return nil
}

func (s *Server) handlePipelineUpdate(w http.ResponseWriter, r *http.Request) error {
	var body pipelineBody
	object, err := s.pipelineBodyRequest(r, &body)
	if err != nil {
		return err
	}
	p, err := s.store.UpdatePipeline(r.Context(), object, r.PathValue("pipelineId"),
		crmstore.PipelineUpdate{Label: body.Label, DisplayOrder: body.DisplayOrder, Archived: body.Archived})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderPipeline(p))
	return nil
}

func (s *Server) handlePipelineArchive(w http.ResponseWriter, r *http.Request) error {
	object, err := s.pipelineObject(r)
	if err != nil {
		return err
	}
	return noContentUnless(w, s.store.ArchivePipeline(r.Context(), object, r.PathValue("pipelineId")))
}

// handlePipelineReplace is PUT: the pipeline becomes the body's label,
// display order and stages. A body stage is matched to an existing stage by
// id, else to a live one with the same label; matched stages are updated
// (and restored if archived), unmatched ones created, and the live stages
// the body leaves out archived. The steps are separate store calls; when
// one fails, the ones already made are undone before the error is returned.
func (s *Server) handlePipelineReplace(w http.ResponseWriter, r *http.Request) error {
	var body pipelineBody
	object, err := s.pipelineBodyRequest(r, &body)
	if err != nil {
		return err
	}
	if err := checkPipelineBody(&body); err != nil {
		return err
	}
	ctx, pid, label := r.Context(), r.PathValue("pipelineId"), strings.TrimSpace(valOrZero(body.Label))
	cur, err := s.store.Pipeline(ctx, object, pid)
	if err != nil {
		return err
	}

	type step struct {
		body  stageBody
		index int
		old   *crmstore.Stage // nil: create
	}
	byID := map[string]*crmstore.Stage{}
	for i := range cur.Stages {
		byID[cur.Stages[i].ID] = &cur.Stages[i]
	}
	matched := map[string]bool{}
	steps := make([]step, len(body.Stages))
	for i, st := range body.Stages {
		if blank(st.Label) {
			return errBadRequest("stages[%d].label is required", i)
		}
		steps[i] = step{body: st, index: i}
		if id := strings.TrimSpace(st.ID); id != "" {
			if matched[id] {
				return errBadRequest("stages[%d].id %q is listed twice", i, id)
			}
			if old := byID[id]; old != nil {
				steps[i].old = old
				matched[id] = true
			}
		}
	}
	for i := range steps { // then by label, among live stages not matched by id
		if steps[i].old != nil || strings.TrimSpace(steps[i].body.ID) != "" {
			continue
		}
		for j := range cur.Stages {
			old := &cur.Stages[j]
			if !old.Archived && !matched[old.ID] && strings.EqualFold(old.Label, strings.TrimSpace(*steps[i].body.Label)) {
				steps[i].old = old
				matched[old.ID] = true
				break
			}
		}
	}

	var undo []func()
	fail := func(err error) error {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		return err
	}
	// The undo steps use a context that outlives a cancelled request.
	bg := context.WithoutCancel(ctx)
	no := false
	for i := range cur.Stages {
		old := &cur.Stages[i]
		if old.Archived || matched[old.ID] {
			continue
		}
		if err := s.store.ArchiveStage(ctx, object, pid, old.ID); err != nil {
			return fail(err)
		}
		id := old.ID
		undo = append(undo, func() {
			_, _ = s.store.UpdateStage(bg, object, pid, id, crmstore.StageUpdate{Archived: &no})
		})
	}
	for _, st := range steps {
		in := st.body.stageInput(st.index)
		if st.old == nil {
			created, err := s.store.CreateStage(ctx, object, pid, in)
			if err != nil {
				return fail(err)
			}
			id := created.ID
			undo = append(undo, func() { _ = s.store.ArchiveStage(bg, object, pid, id) })
			continue
		}
		old := *st.old
		upd := crmstore.StageUpdate{Label: &in.Label, DisplayOrder: &in.DisplayOrder, Archived: &no}
		if in.Metadata != nil {
			upd.Metadata = in.Metadata
		}
		if _, err := s.store.UpdateStage(ctx, object, pid, old.ID, upd); err != nil {
			return fail(err)
		}
		undo = append(undo, func() {
			_, _ = s.store.UpdateStage(bg, object, pid, old.ID, crmstore.StageUpdate{Label: &old.Label,
				DisplayOrder: &old.DisplayOrder, Metadata: old.Metadata, Archived: &old.Archived})
		})
	}
	order := cur.DisplayOrder
	if body.DisplayOrder != nil {
		order = *body.DisplayOrder
	}
	p, err := s.store.UpdatePipeline(ctx, object, pid, crmstore.PipelineUpdate{Label: &label, DisplayOrder: &order})
	if err != nil {
		return fail(err)
	}
	writeJSON(w, http.StatusOK, renderPipeline(p))
	return nil
}

// ---------------------------------------------------------------------------
// Stages

// findStage returns a stage of the pipeline, archived or not.
func (s *Server) findStage(r *http.Request, object string) (*crmstore.Stage, error) {
	p, err := s.store.Pipeline(r.Context(), object, r.PathValue("pipelineId"))
	if err != nil {
		return nil, err
	}
	id := r.PathValue("stageId")
	for i := range p.Stages {
		if p.Stages[i].ID == id {
			return &p.Stages[i], nil
		}
	}
	return nil, errNotFound("stage %q not found in pipeline %q", id, p.ID)
}

func (s *Server) handleStageList(w http.ResponseWriter, r *http.Request) error {
	object, err := s.pipelineObject(r)
	if err != nil {
		return err
	}
	p, err := s.store.Pipeline(r.Context(), object, r.PathValue("pipelineId"))
	if err != nil {
		return err
	}
	writeResults(w, renderPipeline(p).Stages)
	return nil
}

func (s *Server) handleStageGet(w http.ResponseWriter, r *http.Request) error {
	object, err := s.pipelineObject(r)
	if err != nil {
		return err
	}
	st, err := s.findStage(r, object)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderStage(st))
	return nil
}

func (s *Server) handleStageCreate(w http.ResponseWriter, r *http.Request) error {
	var body stageBody
	object, err := s.stageBodyRequest(r, &body)
	if err != nil {
		return err
	}
	pid := r.PathValue("pipelineId")
	in := body.stageInput(0)
	if body.DisplayOrder == nil { // after the live stages
		p, err := s.store.Pipeline(r.Context(), object, pid)
		if err != nil {
			return err
		}
		for _, st := range p.Stages {
			if !st.Archived && st.DisplayOrder >= in.DisplayOrder {
				in.DisplayOrder = st.DisplayOrder + 1
			}
		}
	}
	st, err := s.store.CreateStage(r.Context(), object, pid, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, renderStage(st))
	return nil
}

// handleStageReplace is PUT: label, displayOrder and metadata are all set.
func (s *Server) handleStageReplace(w http.ResponseWriter, r *http.Request) error {
	var body stageBody
	object, err := s.stageBodyRequest(r, &body)
	if err != nil {
		return err
	}
	if body.DisplayOrder == nil {
		return errBadRequest("displayOrder is required")
	}
	md := map[string]string(body.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	st, err := s.store.UpdateStage(r.Context(), object, r.PathValue("pipelineId"), r.PathValue("stageId"),
		crmstore.StageUpdate{Label: body.Label, DisplayOrder: body.DisplayOrder, Metadata: md, Archived: body.Archived})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderStage(st))
	return nil
}

// handleStageUpdate is PATCH: only the fields given change, and metadata
// given is merged into the stage's (so {"isClosed": "true"} alone keeps
// a deal stage's probability).
func (s *Server) handleStageUpdate(w http.ResponseWriter, r *http.Request) error {
	var body stageBody
	object, err := s.pipelineBodyRequest(r, &body)
	if err != nil {
		return err
	}
	upd := crmstore.StageUpdate{Label: body.Label, DisplayOrder: body.DisplayOrder, Archived: body.Archived}
	if body.Metadata != nil { // merged into the stage's metadata
		cur, err := s.findStage(r, object)
		if err != nil {
			return err
		}
		upd.Metadata = map[string]string{}
		maps.Copy(upd.Metadata, cur.Metadata)
		maps.Copy(upd.Metadata, body.Metadata)
	}
	st, err := s.store.UpdateStage(r.Context(), object, r.PathValue("pipelineId"), r.PathValue("stageId"), upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderStage(st))
	return nil
}

func (s *Server) handleStageArchive(w http.ResponseWriter, r *http.Request) error {
	object, err := s.pipelineObject(r)
	if err != nil {
		return err
	}
	return noContentUnless(w, s.store.ArchiveStage(r.Context(), object, r.PathValue("pipelineId"), r.PathValue("stageId")))
}
