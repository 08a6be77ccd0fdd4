package crmstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Pipeline is an ordered set of stages that records of an object move through.
type Pipeline struct {
	ID           string    `json:"id"`
	Label        string    `json:"label"`
	DisplayOrder int       `json:"displayOrder"`
	Archived     bool      `json:"archived"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	Stages       []Stage   `json:"stages"`
}

// Stage is one step of a pipeline. Metadata holds probability and isClosed
// for deals, ticketState for tickets; values are strings as in HubSpot.
type Stage struct {
	ID           string            `json:"id"`
	Label        string            `json:"label"`
	DisplayOrder int               `json:"displayOrder"`
	Metadata     map[string]string `json:"metadata"`
	Archived     bool              `json:"archived"`
	CreatedAt    time.Time         `json:"createdAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
}

// PipelineInput creates a pipeline. ID is optional (one is generated).
type PipelineInput struct {
	ID           string       `json:"id,omitempty"`
	Label        string       `json:"label"`
	DisplayOrder int          `json:"displayOrder"`
	Stages       []StageInput `json:"stages"`
}

// StageInput creates a stage. ID is optional (one is generated).
type StageInput struct {
	ID           string            `json:"id,omitempty"`
	Label        string            `json:"label"`
	DisplayOrder int               `json:"displayOrder"`
	Metadata     map[string]string `json:"metadata"`
}

// PipelineUpdate changes a pipeline; nil fields are left alone.
type PipelineUpdate struct {
	Label        *string `json:"label,omitempty"`
	DisplayOrder *int    `json:"displayOrder,omitempty"`
	Archived     *bool   `json:"archived,omitempty"`
}

// StageUpdate changes a stage; nil fields are left alone.
type StageUpdate struct {
	Label        *string           `json:"label,omitempty"`
	DisplayOrder *int              `json:"displayOrder,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	Archived     *bool             `json:"archived,omitempty"`
}

const maxStageLabel = 100

var pipelineIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// pipelineObject resolves an object that can have pipelines: deals,
// tickets and custom objects.
func (c *catalog) pipelineObject(ref string) (*ObjectType, error) {
	o, err := c.object(ref)
	if err != nil {
		return nil, err
	}
	if o.Name != "deals" && o.Name != "tickets" && !o.Custom {
		return nil, invalidf("object %s has no pipelines", o.Name)
	}
	return o, nil
}

// pipelineObjectOf returns the catalogue as the transaction sees it and the
// object ref names, which must be able to have pipelines.
func (t *tx) pipelineObjectOf(ref string) (*catalog, *ObjectType, error) {
	c, err := t.catalog()
	if err != nil {
		return nil, nil, err
	}
	o, err := c.pipelineObject(ref)
	if err != nil {
		return nil, nil, err
	}
	return c, o, nil
}

// pipelineOf resolves the pipeline id of object: the catalogue, the object
// and the pipeline's pid.
func (t *tx) pipelineOf(object, id string) (*catalog, *ObjectType, int64, error) {
	c, o, err := t.pipelineObjectOf(object)
	if err != nil {
		return nil, nil, 0, err
	}
	pid, err := t.pipelinePID(o, id)
	if err != nil {
		return nil, nil, 0, err
	}
	return c, o, pid, nil
}

// newPipelineID allocates an id for a pipeline or a stage (kind, which
// names the sequence: "pipeline" or "stage").
func (t *tx) newPipelineID(kind string) (string, error) {
	n, err := t.nextSequence(kind, 1)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(n+1000000, 10), nil
}

// checkPipelineID refuses a pipeline or stage id (kind) that does not match
// pipelineIDPattern.
func checkPipelineID(kind, id string) error {
	if !pipelineIDPattern.MatchString(id) {
		return invalidf("%s id %q may only hold letters, digits, '_', '.' and '-'", kind, id)
	}
	return nil
}

// stageLabel trims a stage label and checks its length.
func stageLabel(raw string) (string, error) {
	label := strings.TrimSpace(raw)
	if label == "" || len(label) > maxStageLabel {
		return "", invalidf("stage label must be 1 to %d characters", maxStageLabel)
	}
	return label, nil
}

// Pipelines lists an object's pipelines with their stages, in display order.
func (s *Store) Pipelines(ctx context.Context, object string, archived bool) ([]Pipeline, error) {
	o, err := s.catalog().pipelineObject(object)
	if err != nil {
		return nil, err
	}
	return s.loadPipelines(ctx, o, "", archived)
}

// Pipeline returns one pipeline by id.
func (s *Store) Pipeline(ctx context.Context, object, id string) (*Pipeline, error) {
	o, err := s.catalog().pipelineObject(object)
	if err != nil {
		return nil, err
	}
	ps, err := s.loadPipelines(ctx, o, id, true)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, notFound("pipeline", id)
	}
	return &ps[0], nil
}

type pipelineRow struct {
	PID          int64  `db:"pid"`
	ID           string `db:"id"`
	Label        string `db:"label"`
	DisplayOrder int    `db:"display_order"`
	ArchivedAt   *int64 `db:"archived_at"`
	CreatedAt    int64  `db:"created_at"`
	UpdatedAt    int64  `db:"updated_at"`
}

type stageRow struct {
	PID          int64  `db:"pid"`
	ID           string `db:"id"`
	Label        string `db:"label"`
	DisplayOrder int    `db:"display_order"`
	Metadata     string `db:"metadata"`
	ArchivedAt   *int64 `db:"archived_at"`
	CreatedAt    int64  `db:"created_at"`
	UpdatedAt    int64  `db:"updated_at"`
}

func (s *Store) loadPipelines(ctx context.Context, o *ObjectType, id string, archived bool) ([]Pipeline, error) {
	return loadPipelines(ctx, s.r, o, id, archived)
}

func loadPipelines(ctx context.Context, q queryer, o *ObjectType, id string, archived bool) ([]Pipeline, error) {
	where, args := "object_oid = ?", []any{o.oid}
	if id != "" {
		where += " AND id = ?"
		args = append(args, id)
	} else if !archived {
		where += " AND archived_at IS NULL"
	}
	var prows []pipelineRow
	if err := q.SelectContext(ctx, &prows, "SELECT pid, id, label, display_order, archived_at, created_at, updated_at FROM pipelines WHERE "+where+" ORDER BY display_order, pid", args...); err != nil {
		return nil, fmt.Errorf("load pipelines: %w", err)
	}
	var srows []stageRow
	if err := q.SelectContext(ctx, &srows, "SELECT pid, id, label, display_order, metadata, archived_at, created_at, updated_at FROM pipeline_stages WHERE object_oid = ? ORDER BY display_order, id", o.oid); err != nil {
		return nil, fmt.Errorf("load stages: %w", err)
	}
	out := make([]Pipeline, 0, len(prows))
	for _, pr := range prows {
		p := Pipeline{ID: pr.ID, Label: pr.Label, DisplayOrder: pr.DisplayOrder, Archived: pr.ArchivedAt != nil,
			CreatedAt: msTime(pr.CreatedAt), UpdatedAt: msTime(pr.UpdatedAt), Stages: []Stage{}}
		for _, sr := range srows {
			if sr.PID != pr.PID || (sr.ArchivedAt != nil && !archived) {
				continue
			}
			st := Stage{ID: sr.ID, Label: sr.Label, DisplayOrder: sr.DisplayOrder, Archived: sr.ArchivedAt != nil,
				CreatedAt: msTime(sr.CreatedAt), UpdatedAt: msTime(sr.UpdatedAt)}
			_ = json.Unmarshal([]byte(sr.Metadata), &st.Metadata)
			if st.Metadata == nil {
				st.Metadata = map[string]string{}
			}
			p.Stages = append(p.Stages, st)
		}
		out = append(out, p)
	}
	return out, nil
}

// CreatePipeline creates a pipeline with its stages.
func (s *Store) CreatePipeline(ctx context.Context, object string, in PipelineInput) (*Pipeline, error) {
	return updateValue(ctx, s, func(t *tx) (*Pipeline, error) { return t.createPipeline(object, in) })
}

func (t *tx) createPipeline(object string, in PipelineInput) (*Pipeline, error) {
	_, o, err := t.pipelineObjectOf(object)
	if err != nil {
		return nil, err
	}
	in.Label = strings.TrimSpace(in.Label)
	if in.Label == "" {
		return nil, invalidf("pipeline label is required")
	}
	if len(in.Stages) == 0 {
		return nil, invalidf("pipeline %q needs at least one stage", in.Label)
	}
	if in.ID == "" {
		if in.ID, err = t.newPipelineID("pipeline"); err != nil {
			return nil, err
		}
	}
	if err := checkPipelineID("pipeline", in.ID); err != nil {
		return nil, err
	}
	if err := t.ensurePipelineProperties(o); err != nil {
		return nil, err
	}
	res, err := t.ExecContext(t.ctx, `INSERT INTO pipelines (object_oid, id, label, display_order, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (object_oid, id) DO NOTHING`, o.oid, in.ID, in.Label, in.DisplayOrder, t.ms, t.ms)
	if err != nil {
		return nil, fmt.Errorf("insert pipeline: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, invalidf("pipeline %q already exists", in.ID)
	}
	pid, _ := res.LastInsertId()
	for i, st := range in.Stages {
		if st.DisplayOrder == 0 {
			st.DisplayOrder = i
		}
		if err := t.insertStage(o, pid, st); err != nil {
			return nil, err
		}
	}
	if err := t.syncPipelineOptions(o); err != nil {
		return nil, err
	}
	ps, err := loadPipelines(t.ctx, t.Tx, o, in.ID, true)
	if err != nil || len(ps) == 0 {
		return nil, fmt.Errorf("read back pipeline %s: %w", in.ID, err)
	}
	return &ps[0], nil
}

// validStageMetadata checks a stage's metadata for its object and fills defaults.
func validStageMetadata(o *ObjectType, md map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range md {
		out[k] = v
	}
	switch o.Name {
	case "deals":
		prob, ok := out["probability"]
		if !ok {
			return nil, invalidf("deal stage metadata needs a probability between 0.0 and 1.0")
		}
		f, err := strconv.ParseFloat(prob, 64)
		if err != nil || f < 0 || f > 1 {
			return nil, invalidf("deal stage probability %q must be a number between 0.0 and 1.0", prob)
		}
		if _, ok := out["isClosed"]; !ok {
			out["isClosed"] = strconv.FormatBool(f == 0 || f == 1)
		}
	case "tickets":
		switch out["ticketState"] {
		case "":
			out["ticketState"] = "OPEN"
		case "OPEN", "CLOSED":
		default:
			return nil, invalidf("ticket stage ticketState %q must be OPEN or CLOSED", out["ticketState"])
		}
	}
	return out, nil
}

func (t *tx) insertStage(o *ObjectType, pid int64, st StageInput) error {
	label, err := stageLabel(st.Label)
	if err != nil {
		return err
	}
	st.Label = label
	md, err := validStageMetadata(o, st.Metadata)
	if err != nil {
		return err
	}
	if st.ID == "" {
		if st.ID, err = t.newPipelineID("stage"); err != nil {
			return err
		}
	}
	if err := checkPipelineID("stage", st.ID); err != nil {
		return err
	}
	res, err := t.ExecContext(t.ctx, `INSERT INTO pipeline_stages (pid, object_oid, id, label, display_order, metadata, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (object_oid, id) DO NOTHING`,
		pid, o.oid, st.ID, st.Label, st.DisplayOrder, jsonObject(md), t.ms, t.ms)
	if err != nil {
		return fmt.Errorf("insert stage %s: %w", st.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return invalidf("stage %q already exists in a pipeline of %s", st.ID, o.Name)
	}
	// Every stage gets a read-only property with the time records entered it.
	if err := t.insertGroup(o, PropertyGroup{Name: "pipeline_stage_dates", Label: "Pipeline stage dates"}, true); err != nil {
		return err
	}
	return t.insertProperty(o, &Property{
		Name: stageEnteredProperty(st.ID), Label: "Date entered \"" + st.Label + "\"", GroupName: "pipeline_stage_dates",
		Type: TypeDateTime, FieldType: "date", ReadOnlyValue: true, ReadOnlyDefinition: true, HubspotDefined: true,
	}, true)
}

func jsonObject(m map[string]string) string {
	if m == nil {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// ensurePipelineProperties gives a custom object the hs_pipeline and
// hs_pipeline_stage properties when it gets its first pipeline.
func (t *tx) ensurePipelineProperties(o *ObjectType) error {
	if !o.Custom {
		return nil
	}
	group := o.Name + "_information"
	if err := t.insertGroup(o, PropertyGroup{Name: group, Label: o.SingularLabel + " information"}, true); err != nil {
		return err
	}
	for _, p := range []Property{
		{Name: "hs_pipeline", Label: "Pipeline", GroupName: group, Type: TypeEnumeration, FieldType: "select", HubspotDefined: true},
		{Name: "hs_pipeline_stage", Label: "Pipeline stage", GroupName: group, Type: TypeEnumeration, FieldType: "select", HubspotDefined: true},
	} {
		if err := t.insertProperty(o, &p, true); err != nil {
			return err
		}
	}
	return nil
}

// syncPipelineOptions rebuilds the options of the pipeline and stage
// properties from the live pipelines, so values validate against them.
func (t *tx) syncPipelineOptions(o *ObjectType) error {
	ps, err := loadPipelines(t.ctx, t.Tx, o, "", false)
	if err != nil {
		return err
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].DisplayOrder < ps[j].DisplayOrder })
	var pipeOpts, stageOpts []Option
	for i, p := range ps {
		pipeOpts = append(pipeOpts, Option{Label: p.Label, Value: p.ID, DisplayOrder: i})
		for _, st := range p.Stages {
			stageOpts = append(stageOpts, Option{Label: st.Label, Value: st.ID, DisplayOrder: len(stageOpts), Description: p.Label})
		}
	}
	pipeName, stageName := pipelineProperties(o.Name)
	for name, opts := range map[string][]Option{pipeName: pipeOpts, stageName: stageOpts} {
		if opts == nil {
			opts = []Option{}
		}
		b, _ := json.Marshal(opts)
		if _, err := t.ExecContext(t.ctx, "UPDATE properties SET options = ?, updated_at = ? WHERE object_oid = ? AND name = ?", string(b), t.ms, o.oid, name); err != nil {
			return fmt.Errorf("update %s options: %w", name, err)
		}
	}
	t.catalogChanged()
	return nil
}

func (t *tx) pipelinePID(o *ObjectType, id string) (int64, error) {
	var pid int64
	err := t.GetContext(t.ctx, &pid, "SELECT pid FROM pipelines WHERE object_oid = ? AND id = ?", o.oid, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("pipeline", id)
	}
	return pid, err
}

// UpdatePipeline changes a pipeline's label, order or archived state.
// Archiving refuses while live records are in one of its stages.
func (s *Store) UpdatePipeline(ctx context.Context, object, id string, in PipelineUpdate) (*Pipeline, error) {
	var out *Pipeline
	err := s.update(ctx, func(t *tx) error {
		c, o, pid, err := t.pipelineOf(object, id)
		if err != nil {
			return err
		}
		if in.Label != nil {
			if strings.TrimSpace(*in.Label) == "" {
				return invalidf("pipeline label is required")
			}
			if _, err := t.ExecContext(t.ctx, "UPDATE pipelines SET label = ? WHERE pid = ?", strings.TrimSpace(*in.Label), pid); err != nil {
				return err
			}
		}
		if in.DisplayOrder != nil {
			if _, err := t.ExecContext(t.ctx, "UPDATE pipelines SET display_order = ? WHERE pid = ?", *in.DisplayOrder, pid); err != nil {
				return err
			}
		}
		if in.Archived != nil {
			if *in.Archived {
				if err := t.refuseIfStagesInUse(c, o, "pid = ?", pid); err != nil {
					return err
				}
				_, err = t.ExecContext(t.ctx, "UPDATE pipelines SET archived_at = ? WHERE pid = ? AND archived_at IS NULL", t.ms, pid)
			} else {
				_, err = t.ExecContext(t.ctx, "UPDATE pipelines SET archived_at = NULL WHERE pid = ?", pid)
			}
			if err != nil {
				return err
			}
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE pipelines SET updated_at = ? WHERE pid = ?", t.ms, pid); err != nil {
			return err
		}
		if err := t.syncPipelineOptions(o); err != nil {
			return err
		}
		ps, err := loadPipelines(t.ctx, t.Tx, o, id, true)
		if err != nil {
			return err
		}
		out = &ps[0]
		return nil
	})
	return out, err
}

// ArchivePipeline archives a pipeline (refused while records use it).
func (s *Store) ArchivePipeline(ctx context.Context, object, id string) error {
	yes := true
	_, err := s.UpdatePipeline(ctx, object, id, PipelineUpdate{Archived: &yes})
	return err
}

// refuseIfStagesInUse fails when live records sit in the matching stages.
// where is a constant condition on pipeline_stages with bound args.
func (t *tx) refuseIfStagesInUse(c *catalog, o *ObjectType, where string, args ...any) error {
	_, stageName := pipelineProperties(o.Name)
	sp := c.property(o, stageName)
	if sp == nil {
		return nil
	}
	var n int
	q := `SELECT COUNT(*) FROM records WHERE object_oid = ? AND archived_at IS NULL
		AND props ->> ? IN (SELECT id FROM pipeline_stages WHERE object_oid = ? AND ` + where + `)`
	if err := t.GetContext(t.ctx, &n, q, append([]any{o.oid, jsonPath(sp.Name), o.oid}, args...)...); err != nil {
		return fmt.Errorf("count records in stages: %w", err)
	}
	if n > 0 {
		return invalidf("%d %s are still in this stage or pipeline; move them first", n, o.Name)
	}
	return nil
}

// CreateStage adds a stage to a pipeline.
func (s *Store) CreateStage(ctx context.Context, object, pipelineID string, in StageInput) (*Stage, error) {
	var out *Stage
	err := s.update(ctx, func(t *tx) error {
		_, o, pid, err := t.pipelineOf(object, pipelineID)
		if err != nil {
			return err
		}
		if in.ID == "" {
			if in.ID, err = t.newPipelineID("stage"); err != nil {
				return err
			}
		}
		if err := t.insertStage(o, pid, in); err != nil {
			return err
		}
		if err := t.syncPipelineOptions(o); err != nil {
			return err
		}
		out, err = t.stage(o, pipelineID, in.ID)
		return err
	})
	return out, err
}

func (t *tx) stage(o *ObjectType, pipelineID, stageID string) (*Stage, error) {
	ps, err := loadPipelines(t.ctx, t.Tx, o, pipelineID, true)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		for i := range p.Stages {
			if p.Stages[i].ID == stageID {
				return &p.Stages[i], nil
			}
		}
	}
	return nil, notFound("stage", stageID)
}

// UpdateStage changes a stage; archiving refuses while records are in it.
func (s *Store) UpdateStage(ctx context.Context, object, pipelineID, stageID string, in StageUpdate) (*Stage, error) {
	var out *Stage
	err := s.update(ctx, func(t *tx) error {
		c, o, pid, err := t.pipelineOf(object, pipelineID)
		if err != nil {
			return err
		}
		cur, err := t.stage(o, pipelineID, stageID)
		if err != nil {
			return err
		}
		label, order, md := cur.Label, cur.DisplayOrder, cur.Metadata
		if in.Label != nil {
			if label, err = stageLabel(*in.Label); err != nil {
				return err
			}
		}
		if in.DisplayOrder != nil {
			order = *in.DisplayOrder
		}
		if in.Metadata != nil {
			if md, err = validStageMetadata(o, in.Metadata); err != nil {
				return err
			}
		}
		archived := "archived_at"
		if in.Archived != nil {
			if *in.Archived {
				if err := t.refuseIfStagesInUse(c, o, "id = ?", stageID); err != nil {
					return err
				}
				archived = "COALESCE(archived_at, ?)"
			} else {
				archived = "NULL"
			}
		}
		args := []any{label, order, jsonObject(md)}
		if archived == "COALESCE(archived_at, ?)" {
			args = append(args, t.ms)
		}
		args = append(args, t.ms, pid, stageID)
		if _, err := t.ExecContext(t.ctx, "UPDATE pipeline_stages SET label = ?, display_order = ?, metadata = ?, archived_at = "+archived+", updated_at = ? WHERE pid = ? AND id = ?", args...); err != nil {
			return fmt.Errorf("update stage: %w", err)
		}
		if err := t.syncPipelineOptions(o); err != nil {
			return err
		}
		out, err = t.stage(o, pipelineID, stageID)
		return err
	})
	return out, err
}

// ArchiveStage archives a stage (refused while records are in it).
func (s *Store) ArchiveStage(ctx context.Context, object, pipelineID, stageID string) error {
	yes := true
	_, err := s.UpdateStage(ctx, object, pipelineID, stageID, StageUpdate{Archived: &yes})
	return err
}

// ReorderStages sets the display order of a pipeline's stages to the order
// of stageIDs, which must name each of its stages once.
func (s *Store) ReorderStages(ctx context.Context, object, pipelineID string, stageIDs []string) error {
	return s.update(ctx, func(t *tx) error {
		_, o, pid, err := t.pipelineOf(object, pipelineID)
		if err != nil {
			return err
		}
		var have []string
		if err := t.SelectContext(t.ctx, &have, "SELECT id FROM pipeline_stages WHERE pid = ? AND archived_at IS NULL", pid); err != nil {
			return err
		}
		want := map[string]bool{}
		for _, id := range have {
			want[id] = true
		}
		if len(stageIDs) != len(have) {
			return invalidf("reorder needs all %d stages of pipeline %q, got %d", len(have), pipelineID, len(stageIDs))
		}
		for i, id := range stageIDs {
			if !want[id] {
				return invalidf("stage %q is not a live stage of pipeline %q (or is listed twice)", id, pipelineID)
			}
			delete(want, id)
			if _, err := t.ExecContext(t.ctx, "UPDATE pipeline_stages SET display_order = ?, updated_at = ? WHERE pid = ? AND id = ?", i, t.ms, pid, id); err != nil {
				return err
			}
		}
		return t.syncPipelineOptions(o)
	})
}
