package crmstore

// Associations follow HubSpot's v4 model. An association type goes from one
// object to another and names its inverse (itself when symmetric). An
// association between two records is stored as one row per direction: a row
// of type t from A to B and a row of t's inverse from B to A, so a read from
// either side is a primary-key range scan. Every write keeps both rows in
// step and logs one change-log row per row inserted or deleted, on the
// record the row goes from.
//
// Rows of archived records stay in the table; reads leave them out, so the
// associations of an archived record come back when it is restored.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Association type categories.
const (
	CategoryHubSpotDefined    = "HUBSPOT_DEFINED"
	CategoryUserDefined       = "USER_DEFINED"
	CategoryIntegratorDefined = "INTEGRATOR_DEFINED"
)

// MaxAssociationLabels is the most user-defined labels one object pair may have.
const MaxAssociationLabels = 50

// Association page sizes.
const (
	defaultAssociationLimit = 100
	maxAssociationLimit     = 500
)

// AssociationType is one direction of an association definition between two
// objects, as the v4 labels API describes it.
type AssociationType struct {
	// TypeID is HubSpot's associationTypeId (e.g. 279 for contact→company).
	TypeID int64 `json:"typeId"`
	// Category is HUBSPOT_DEFINED or USER_DEFINED.
	Category string `json:"category"`
	// Label is "" for unlabeled types.
	Label string `json:"label"`
	// Name is the internal name, e.g. contact_to_company_unlabeled.
	Name string `json:"name"`
	// FromObjectTypeID and ToObjectTypeID are object type ids ("0-1").
	FromObjectTypeID string `json:"fromObjectTypeId"`
	ToObjectTypeID   string `json:"toObjectTypeId"`
	// InverseTypeID is the type of the reverse direction; the type itself
	// when it is symmetric.
	InverseTypeID int64 `json:"inverseTypeId"`
	// InverseLabel is the label of the inverse type ("" when unlabeled).
	InverseLabel string `json:"inverseLabel"`
	// Limit is how many records one From record may be associated with
	// through this type; 0 means no limit.
	Limit int `json:"limit"`
}

// LabelInput defines a user-defined association label. With InverseLabel
// empty the label is the same in both directions; with it set the label is
// paired: Label from→to, InverseLabel to→from.
type LabelInput struct {
	Label        string `json:"label"`
	Name         string `json:"name"`
	InverseLabel string `json:"inverseLabel,omitempty"`
	// Limit is the most records of the To object one From record may have
	// with this label (0 = no limit); InverseLimit the same for to→from.
	Limit        int `json:"limit,omitempty"`
	InverseLimit int `json:"inverseLimit,omitempty"`
}

// AssociationSpec names an association type in a write.
type AssociationSpec struct {
	Category string `json:"associationCategory"`
	TypeID   int64  `json:"associationTypeId"`
}

// AssociationTypeRef is one type of an association as reads report it.
type AssociationTypeRef struct {
	Category string `json:"category"`
	TypeID   int64  `json:"typeId"`
	// Label is "" for the unlabeled type.
	Label string `json:"label"`
}

// AssociatedRecord is one record associated with another, with every type
// between the two.
type AssociatedRecord struct {
	ToObjectID int64                `json:"toObjectId"`
	Types      []AssociationTypeRef `json:"associationTypes"`
}

// assocType is a row of association_types, with the label of its inverse.
type assocType struct {
	TypeID       int64          `db:"type_id"`
	FromOID      int64          `db:"from_oid"`
	ToOID        int64          `db:"to_oid"`
	Category     string         `db:"category"`
	Name         string         `db:"name"`
	Label        sql.NullString `db:"label"`
	InverseID    int64          `db:"inverse_id"`
	Primary      bool           `db:"primary_flag"`
	MaxPerFrom   int            `db:"max_per_from"`
	ArchivedAt   *int64         `db:"archived_at"`
	CreatedAt    int64          `db:"created_at"`
	InverseLabel sql.NullString `db:"inverse_label"`
}

// assocTypeSelect reads assocType rows; callers append a WHERE clause.
const assocTypeSelect = `SELECT a.type_id, a.from_oid, a.to_oid, a.category, a.name, a.label, a.inverse_id,
	a.primary_flag, a.max_per_from, a.archived_at, a.created_at, i.label AS inverse_label
	FROM association_types a LEFT JOIN association_types i ON i.type_id = a.inverse_id `

func (a *assocType) label() string { return a.Label.String }

// replaces reports whether a full limit on this type replaces the existing
// association instead of refusing the new one: HubSpot's own labelled
// limited types (one primary company, one parent company) work that way.
// Limits users set (on their labels or on unlabeled types) refuse.
func (a *assocType) replaces() bool {
	return a.Primary || a.Category == CategoryHubSpotDefined && a.Label.Valid
}

func (a *assocType) public(c *catalog) AssociationType {
	out := AssociationType{
		TypeID: a.TypeID, Category: a.Category, Label: a.label(), Name: a.Name,
		InverseTypeID: a.InverseID, InverseLabel: a.InverseLabel.String, Limit: a.MaxPerFrom,
	}
	if o := c.byOID[a.FromOID]; o != nil {
		out.FromObjectTypeID = o.TypeID
	}
	if o := c.byOID[a.ToOID]; o != nil {
		out.ToObjectTypeID = o.TypeID
	}
	return out
}

// getter is what single-row reads need; *sqlx.DB and *sqlx.Tx have it.
type getter interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

// pairTypes returns the live types from one object to another, by type id.
func pairTypes(ctx context.Context, q queryer, fromOID, toOID int64) ([]*assocType, error) {
	var rows []*assocType
	if err := q.SelectContext(ctx, &rows, assocTypeSelect+
		"WHERE a.from_oid = ? AND a.to_oid = ? AND a.archived_at IS NULL ORDER BY a.type_id", fromOID, toOID); err != nil {
		return nil, fmt.Errorf("read association types: %w", err)
	}
	return rows, nil
}

// typeByID returns an association type, archived or not; nil when there is none.
func typeByID(ctx context.Context, q getter, id int64) (*assocType, error) {
	var a assocType
	err := q.GetContext(ctx, &a, assocTypeSelect+"WHERE a.type_id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read association type %d: %w", id, err)
	}
	return &a, nil
}

// objectPair resolves the two objects of an association call.
func (c *catalog) objectPair(from, to string) (*ObjectType, *ObjectType, error) {
	fo, err := c.object(from)
	if err != nil {
		return nil, nil, err
	}
	too, err := c.object(to)
	if err != nil {
		return nil, nil, err
	}
	return fo, too, nil
}

// objectPairOf returns the catalogue as the transaction sees it and the two
// objects of an association call.
func (t *tx) objectPairOf(from, to string) (*catalog, *ObjectType, *ObjectType, error) {
	c, err := t.catalog()
	if err != nil {
		return nil, nil, nil, err
	}
	fo, too, err := c.objectPair(from, to)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, fo, too, nil
}

// AssociationTypes returns the live association types from object from to
// object to (each given by name or object type id), ordered by type id.
func (s *Store) AssociationTypes(ctx context.Context, from, to string) ([]AssociationType, error) {
	c := s.catalog()
	fo, too, err := c.objectPair(from, to)
	if err != nil {
		return nil, err
	}
	rows, err := pairTypes(ctx, s.r, fo.oid, too.oid)
	if err != nil {
		return nil, err
	}
	out := make([]AssociationType, len(rows))
	for i, r := range rows {
		out[i] = r.public(c)
	}
	return out, nil
}

// labelName derives an internal name from a label: lower case, runs of
// other characters turned into one underscore.
func labelName(label string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(label) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			under = false
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

// checkNewLabels refuses labels already used by a live type of the pair, and
// a pair that would go over MaxAssociationLabels user labels.
func checkNewLabels(types []*assocType, labels ...string) error {
	user := 0
	for _, a := range types {
		if a.Category == CategoryUserDefined && a.Label.Valid {
			user++
		}
		for _, l := range labels {
			if a.Label.Valid && strings.EqualFold(a.Label.String, l) {
				return invalidf("association label %q already exists", l)
			}
		}
	}
	if user+len(labels) > MaxAssociationLabels {
		return invalidf("an object pair takes at most %d association labels; cannot add %q", MaxAssociationLabels, labels[0])
	}
	return nil
}

// insertType adds an association type row.
func (t *tx) insertType(a *assocType) error {
	var label any
	if a.Label.Valid {
		label = a.Label.String
	}
	if _, err := t.ExecContext(t.ctx, `INSERT INTO association_types
		(type_id, from_oid, to_oid, category, name, label, inverse_id, primary_flag, max_per_from, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.TypeID, a.FromOID, a.ToOID, a.Category, a.Name, label, a.InverseID, a.Primary, a.MaxPerFrom, t.ms); err != nil {
		return fmt.Errorf("insert association type %d: %w", a.TypeID, err)
	}
	a.CreatedAt = t.ms
	return nil
}

// newTypeID allocates an id for a user-defined association type. The sequence
// starts at firstUserAssociationID (1000), above every HubSpot-defined id; an
// id somehow taken is skipped.
func (t *tx) newTypeID() (int64, error) {
	for {
		id, err := t.nextSequence(associationTypeSequence, firstUserAssociationID)
		if err != nil {
			return 0, fmt.Errorf("allocate association type id: %w", err)
		}
		existing, err := typeByID(t.ctx, t, id)
		if err != nil {
			return 0, err
		}
		if existing == nil {
			return id, nil
		}
	}
}

// typeSide is one direction of a new user-defined association type: its
// internal name, its label (NULL when unlabeled) and its limit (0 = none).
type typeSide struct {
	name  string
	label sql.NullString
	limit int
}

// createTypePair inserts a user-defined type from→to (fwd) and its inverse
// to→from (inv); one symmetric type, fwd, when the objects are the same and
// the labels agree. It is how every user-defined type pair is created.
func (t *tx) createTypePair(from, to *ObjectType, fwd, inv typeSide) (*assocType, error) {
	id, err := t.newTypeID()
	if err != nil {
		return nil, err
	}
	a := &assocType{TypeID: id, FromOID: from.oid, ToOID: to.oid, Category: CategoryUserDefined,
		Name: fwd.name, Label: fwd.label, InverseID: id, MaxPerFrom: fwd.limit, InverseLabel: fwd.label}
	if from.oid == to.oid && fwd.label == inv.label {
		return a, t.insertType(a)
	}
	invID, err := t.newTypeID()
	if err != nil {
		return nil, err
	}
	a.InverseID, a.InverseLabel = invID, inv.label
	back := &assocType{TypeID: invID, FromOID: to.oid, ToOID: from.oid, Category: CategoryUserDefined,
		Name: inv.name, Label: inv.label, InverseID: id, MaxPerFrom: inv.limit, InverseLabel: fwd.label}
	if err := t.insertType(a); err != nil {
		return nil, err
	}
	return a, t.insertType(back)
}

// CreateAssociationLabel defines a USER_DEFINED association label between
// two objects. A single label (InverseLabel empty) reads the same from both
// sides; a paired label reads Label from→to and InverseLabel to→from. It
// returns the from→to type; its InverseTypeID is the to→from type.
func (s *Store) CreateAssociationLabel(ctx context.Context, from, to string, in LabelInput) (AssociationType, error) {
	var out AssociationType
	label, inverse := strings.TrimSpace(in.Label), strings.TrimSpace(in.InverseLabel)
	if label == "" {
		return out, invalidf("association label must not be empty")
	}
	if in.Limit < 0 || in.InverseLimit < 0 {
		return out, invalidf("association label %q: limits must not be negative", label)
	}
	if inverse == "" || inverse == label {
		inverse = label
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = labelName(label)
	}
	if name == "" {
		return out, invalidf("association label %q needs a name", label)
	}
	err := s.update(ctx, func(t *tx) error {
		c, fo, too, err := t.objectPairOf(from, to)
		if err != nil {
			return err
		}
		fwd, err := pairTypes(t.ctx, t, fo.oid, too.oid)
		if err != nil {
			return err
		}
		if fo.oid == too.oid {
			labels := []string{label}
			if inverse != label {
				labels = append(labels, inverse)
			}
			if err := checkNewLabels(fwd, labels...); err != nil {
				return err
			}
		} else {
			back, err := pairTypes(t.ctx, t, too.oid, fo.oid)
			if err != nil {
				return err
			}
			if err := checkNewLabels(fwd, label); err != nil {
				return err
			}
			if err := checkNewLabels(back, inverse); err != nil {
				return err
			}
		}
		a, err := t.createTypePair(fo, too,
			typeSide{name: name, label: sql.NullString{String: label, Valid: true}, limit: in.Limit},
			typeSide{name: name, label: sql.NullString{String: inverse, Valid: true}, limit: in.InverseLimit})
		if err != nil {
			return err
		}
		out = a.public(c)
		return nil
	})
	return out, err
}

// userLabelType returns the live USER_DEFINED labelled type typeID going
// from→to, or an error naming the type.
func (t *tx) userLabelType(from, to *ObjectType, typeID int64) (*assocType, error) {
	a, err := t.pairType(from, to, typeID)
	if err != nil {
		return nil, err
	}
	if a.Category != CategoryUserDefined {
		return nil, invalidf("association type %d is %s and cannot be changed", typeID, a.Category)
	}
	if !a.Label.Valid {
		return nil, invalidf("association type %d is unlabeled and cannot be changed", typeID)
	}
	return a, nil
}

// inverseOf returns the inverse type of a: a itself when it is symmetric,
// nil when the inverse is missing.
func (t *tx) inverseOf(a *assocType) (*assocType, error) {
	if a.InverseID == a.TypeID {
		return a, nil
	}
	return typeByID(t.ctx, t, a.InverseID)
}

// pairType returns the live type typeID, which must go from→to.
func (t *tx) pairType(from, to *ObjectType, typeID int64) (*assocType, error) {
	a, err := typeByID(t.ctx, t, typeID)
	if err != nil {
		return nil, err
	}
	if a == nil || a.ArchivedAt != nil {
		return nil, invalidf("association type %d does not exist", typeID)
	}
	if a.FromOID != from.oid || a.ToOID != to.oid {
		return nil, invalidf("association type %d does not go from %s to %s", typeID, from.Name, to.Name)
	}
	return a, nil
}

// UpdateAssociationLabel renames a USER_DEFINED label. inverseLabel renames
// the to→from direction of a paired label; when it is empty, the inverse of
// a single label follows the new label and a paired inverse is left alone.
func (s *Store) UpdateAssociationLabel(ctx context.Context, from, to string, typeID int64, label, inverseLabel string) error {
	label, inverseLabel = strings.TrimSpace(label), strings.TrimSpace(inverseLabel)
	if label == "" {
		return invalidf("association label must not be empty")
	}
	return s.update(ctx, func(t *tx) error {
		_, fo, too, err := t.objectPairOf(from, to)
		if err != nil {
			return err
		}
		a, err := t.userLabelType(fo, too, typeID)
		if err != nil {
			return err
		}
		symmetric := a.InverseID == a.TypeID
		single := symmetric || a.InverseLabel.String == a.label()
		newInverse := inverseLabel
		switch {
		case symmetric && inverseLabel != "" && inverseLabel != label:
			return invalidf("association type %d is symmetric; it cannot have inverse label %q", typeID, inverseLabel)
		case newInverse == "" && single:
			newInverse = label
		case newInverse == "":
			newInverse = a.InverseLabel.String
		}
		others := func(types []*assocType, skip ...int64) []*assocType {
			var out []*assocType
		next:
			for _, x := range types {
				for _, id := range skip {
					if x.TypeID == id {
						continue next
					}
				}
				out = append(out, x)
			}
			return out
		}
		fwd, err := pairTypes(t.ctx, t, fo.oid, too.oid)
		if err != nil {
			return err
		}
		if err := checkRenamed(others(fwd, a.TypeID, a.InverseID), label); err != nil {
			return err
		}
		if !symmetric {
			back := fwd
			if fo.oid != too.oid {
				if back, err = pairTypes(t.ctx, t, too.oid, fo.oid); err != nil {
					return err
				}
			}
			if fo.oid == too.oid && strings.EqualFold(label, newInverse) && !single {
				return invalidf("association label %q already exists", label)
			}
			if err := checkRenamed(others(back, a.TypeID, a.InverseID), newInverse); err != nil {
				return err
			}
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE association_types SET label = ? WHERE type_id = ?", label, a.TypeID); err != nil {
			return fmt.Errorf("update association type %d: %w", a.TypeID, err)
		}
		if !symmetric {
			if _, err := t.ExecContext(t.ctx, "UPDATE association_types SET label = ? WHERE type_id = ?", newInverse, a.InverseID); err != nil {
				return fmt.Errorf("update association type %d: %w", a.InverseID, err)
			}
		}
		return nil
	})
}

// checkRenamed refuses a label already used by one of types.
func checkRenamed(types []*assocType, label string) error {
	for _, x := range types {
		if x.Label.Valid && strings.EqualFold(x.Label.String, label) {
			return invalidf("association label %q already exists", label)
		}
	}
	return nil
}

// DeleteAssociationLabel archives a USER_DEFINED label: the type and its
// inverse. As in HubSpot, the associations with that label are removed
// (both directions, each logged as a dissociation); the unlabeled
// associations between the same records stay.
func (s *Store) DeleteAssociationLabel(ctx context.Context, from, to string, typeID int64) error {
	return s.update(ctx, func(t *tx) error {
		c, fo, too, err := t.objectPairOf(from, to)
		if err != nil {
			return err
		}
		a, err := t.userLabelType(fo, too, typeID)
		if err != nil {
			return err
		}
		inv, err := typeByID(t.ctx, t, a.InverseID)
		if err != nil {
			return err
		}
		types := map[int64]*assocType{a.TypeID: a}
		if inv != nil {
			types[inv.TypeID] = inv
		}
		var rows []assocRow
		if err := t.SelectContext(t.ctx, &rows, "SELECT from_id, type_id, to_id FROM associations WHERE type_id IN (?, ?)",
			a.TypeID, a.InverseID); err != nil {
			return fmt.Errorf("read associations of type %d: %w", typeID, err)
		}
		if _, err := t.ExecContext(t.ctx, "DELETE FROM associations WHERE type_id IN (?, ?)", a.TypeID, a.InverseID); err != nil {
			return fmt.Errorf("delete associations of type %d: %w", typeID, err)
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE association_types SET archived_at = ? WHERE type_id IN (?, ?)",
			t.ms, a.TypeID, a.InverseID); err != nil {
			return fmt.Errorf("archive association type %d: %w", typeID, err)
		}
		changes := make([]pendingChange, 0, len(rows))
		for _, r := range rows {
			changes = append(changes, assocChange(c, OpDissociate, r, types[r.TypeID], Source{}))
		}
		return t.logChanges(changes...)
	})
}

// SetAssociationLimit sets how many records of object to one record of
// object from may be associated with through typeID (0 removes the limit).
// As in HubSpot, a new limit is not retroactive: existing associations stay.
// The limits of HubSpot's labelled types (Primary, parent company) are fixed.
func (s *Store) SetAssociationLimit(ctx context.Context, from, to string, typeID int64, limit int) error {
	if limit < 0 {
		return invalidf("association limit must not be negative, got %d", limit)
	}
	return s.update(ctx, func(t *tx) error {
		_, fo, too, err := t.objectPairOf(from, to)
		if err != nil {
			return err
		}
		a, err := t.pairType(fo, too, typeID)
		if err != nil {
			return err
		}
		if a.Category == CategoryHubSpotDefined && (a.Label.Valid || a.Primary) {
			return invalidf("association type %d is HUBSPOT_DEFINED with a label; its limit cannot be changed", typeID)
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE association_types SET max_per_from = ? WHERE type_id = ?", limit, typeID); err != nil {
			return fmt.Errorf("set limit of association type %d: %w", typeID, err)
		}
		return nil
	})
}

// assocRow is one row of the associations table.
type assocRow struct {
	FromID int64 `db:"from_id"`
	TypeID int64 `db:"type_id"`
	ToID   int64 `db:"to_id"`
}

// assocChange builds the change-log row of one association row, logged on
// the record the row goes from.
func assocChange(c *catalog, op string, r assocRow, a *assocType, src Source) pendingChange {
	ch := &AssociationChange{ToID: r.ToID, TypeID: r.TypeID}
	var fromOID int64
	if a != nil {
		fromOID = a.FromOID
		ch.Label = a.label()
		if o := c.byOID[a.ToOID]; o != nil {
			ch.ToObjectTypeID = o.TypeID
		}
	}
	return pendingChange{objectOID: fromOID, recordID: r.FromID, op: op, body: changeBody{Association: ch}, src: src}
}

// checkRecord returns a NotFoundError unless id is a record of object o,
// live unless anyState.
func (t *tx) checkRecord(o *ObjectType, id int64, anyState bool) error {
	var r struct {
		OID        int64  `db:"object_oid"`
		ArchivedAt *int64 `db:"archived_at"`
	}
	err := t.GetContext(t.ctx, &r, "SELECT object_oid, archived_at FROM records WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (r.OID != o.oid || (r.ArchivedAt != nil && !anyState)) {
		return notFound("record", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return fmt.Errorf("read record %d: %w", id, err)
	}
	return nil
}

// defaultType returns the unlabeled type from→to: the HUBSPOT_DEFINED one
// where there is one, else a USER_DEFINED one, created (with its inverse)
// on first use.
func (t *tx) defaultType(from, to *ObjectType) (*assocType, error) {
	types, err := pairTypes(t.ctx, t, from.oid, to.oid)
	if err != nil {
		return nil, err
	}
	var best *assocType
	for _, a := range types {
		if a.Label.Valid {
			continue
		}
		if best == nil || a.Category == CategoryHubSpotDefined && best.Category != CategoryHubSpotDefined {
			best = a
		}
	}
	if best != nil {
		return best, nil
	}
	name := associationTypeName(from.Name, to.Name, "")
	return t.createTypePair(from, to, typeSide{name: name}, typeSide{name: name})
}

// Associate associates record fromID of object from with record toID of
// object to with the given types (each must go from→to), writing both
// directions. A labelled type brings the pair's unlabeled type along.
// Existing associations are left as they are. When a type's limit is
// reached, a HubSpot-defined type (a record's one primary company) replaces
// the association it had, and a user-defined one is refused. It returns the
// labels now between the two records.
func (s *Store) Associate(ctx context.Context, from string, fromID int64, to string, toID int64, specs []AssociationSpec, src Source) ([]string, error) {
	if len(specs) == 0 {
		return nil, invalidf("an association needs at least one association type")
	}
	var labels []string
	err := s.update(ctx, func(t *tx) error {
		c, fo, too, err := t.objectPairOf(from, to)
		if err != nil {
			return err
		}
		if err := t.checkPair(fo, fromID, too, toID); err != nil {
			return err
		}
		var types []*assocType
		labelled := false
		for _, sp := range specs {
			a, err := t.pairType(fo, too, sp.TypeID)
			if err != nil {
				return err
			}
			if sp.Category != "" && !strings.EqualFold(sp.Category, a.Category) {
				return invalidf("association type %d is %s, not %s", sp.TypeID, a.Category, sp.Category)
			}
			labelled = labelled || a.Label.Valid
			types = append(types, a)
		}
		if labelled {
			d, err := t.defaultType(fo, too)
			if err != nil {
				return err
			}
			types = append(types, d)
		}
		if err := t.associate(c, fromID, toID, types, src.orDefault()); err != nil {
			return err
		}
		labels, err = t.labelsBetween(fromID, toID, too.oid)
		return err
	})
	if err != nil {
		return nil, err
	}
	return labels, nil
}

// AssociateDefault associates two records with the unlabeled default type
// of the pair: the HUBSPOT_DEFINED one, or for pairs HubSpot has none for
// (custom objects, products↔contacts, ...) a USER_DEFINED unlabeled type
// created on first use.
func (s *Store) AssociateDefault(ctx context.Context, from string, fromID int64, to string, toID int64, src Source) error {
	return s.update(ctx, func(t *tx) error {
		c, fo, too, err := t.objectPairOf(from, to)
		if err != nil {
			return err
		}
		if err := t.checkPair(fo, fromID, too, toID); err != nil {
			return err
		}
		d, err := t.defaultType(fo, too)
		if err != nil {
			return err
		}
		return t.associate(c, fromID, toID, []*assocType{d}, src.orDefault())
	})
}

// checkPair checks that both records are live and distinct.
func (t *tx) checkPair(from *ObjectType, fromID int64, to *ObjectType, toID int64) error {
	if err := t.checkRecord(from, fromID, false); err != nil {
		return err
	}
	if err := t.checkRecord(to, toID, false); err != nil {
		return err
	}
	if fromID == toID {
		return invalidf("record %d cannot be associated with itself", fromID)
	}
	return nil
}

// associate writes the rows of types (all going from fromID's object to
// toID's object) and their inverses, enforcing limits, and logs each row
// inserted.
func (t *tx) associate(c *catalog, fromID, toID int64, types []*assocType, src Source) error {
	type write struct {
		row assocRow
		typ *assocType
	}
	var writes []write
	seen := map[assocRow]bool{}
	add := func(r assocRow, a *assocType) {
		if !seen[r] {
			seen[r] = true
			writes = append(writes, write{r, a})
		}
	}
	for _, a := range types {
		inv, err := t.inverseOf(a)
		if err != nil {
			return err
		}
		if inv == nil {
			return fmt.Errorf("association type %d: inverse type %d is missing", a.TypeID, a.InverseID)
		}
		add(assocRow{FromID: fromID, TypeID: a.TypeID, ToID: toID}, a)
		add(assocRow{FromID: toID, TypeID: inv.TypeID, ToID: fromID}, inv)
	}
	var changes []pendingChange
	for _, w := range writes {
		if w.typ.MaxPerFrom <= 0 {
			continue
		}
		var held []int64
		if err := t.SelectContext(t.ctx, &held, `SELECT a.to_id FROM associations a JOIN records r ON r.id = a.to_id
			WHERE a.from_id = ? AND a.type_id = ? AND a.to_id <> ? AND r.archived_at IS NULL`,
			w.row.FromID, w.row.TypeID, w.row.ToID); err != nil {
			return fmt.Errorf("count associations of type %d: %w", w.row.TypeID, err)
		}
		if len(held) < w.typ.MaxPerFrom {
			continue
		}
		var exists int
		if err := t.GetContext(t.ctx, &exists, "SELECT COUNT(*) FROM associations WHERE from_id = ? AND type_id = ? AND to_id = ?",
			w.row.FromID, w.row.TypeID, w.row.ToID); err != nil {
			return fmt.Errorf("read association: %w", err)
		}
		if exists > 0 {
			continue
		}
		if !w.typ.replaces() {
			name := w.typ.label()
			if name == "" {
				name = w.typ.Name
			}
			return invalidf("limit of %d %q associations (type %d) reached for record %d", w.typ.MaxPerFrom, name, w.typ.TypeID, w.row.FromID)
		}
		// Replace: drop every other association of this type the record
		// has (archived targets too, so it never ends up with two), with
		// their inverses. Unlabeled associations stay.
		removed, err := t.removeOfType(c, w.row.FromID, w.typ, w.row.ToID, src)
		if err != nil {
			return err
		}
		changes = append(changes, removed...)
	}
	for _, w := range writes {
		res, err := t.ExecContext(t.ctx, "INSERT OR IGNORE INTO associations (from_id, type_id, to_id, created_at) VALUES (?, ?, ?, ?)",
			w.row.FromID, w.row.TypeID, w.row.ToID, t.ms)
		if err != nil {
			return fmt.Errorf("insert association: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changes = append(changes, assocChange(c, OpAssociate, w.row, w.typ, src))
		}
	}
	return t.logChanges(changes...)
}

// removeOfType deletes the associations of type a from record id to any
// record but keep, in both directions, and returns their change-log rows.
func (t *tx) removeOfType(c *catalog, id int64, a *assocType, keep int64, src Source) ([]pendingChange, error) {
	var targets []int64
	if err := t.SelectContext(t.ctx, &targets, "SELECT to_id FROM associations WHERE from_id = ? AND type_id = ? AND to_id <> ?",
		id, a.TypeID, keep); err != nil {
		return nil, fmt.Errorf("read associations of type %d: %w", a.TypeID, err)
	}
	inv, err := t.inverseOf(a)
	if err != nil {
		return nil, err
	}
	var rows []assocRow
	for _, x := range targets {
		rows = append(rows, assocRow{FromID: id, TypeID: a.TypeID, ToID: x}, assocRow{FromID: x, TypeID: a.InverseID, ToID: id})
	}
	return t.deleteRows(c, rows, map[int64]*assocType{a.TypeID: a, a.InverseID: inv}, src)
}

// deleteRows deletes association rows and returns a dissociate change for
// each row that existed.
func (t *tx) deleteRows(c *catalog, rows []assocRow, types map[int64]*assocType, src Source) ([]pendingChange, error) {
	var changes []pendingChange
	for _, r := range rows {
		res, err := t.ExecContext(t.ctx, "DELETE FROM associations WHERE from_id = ? AND type_id = ? AND to_id = ?", r.FromID, r.TypeID, r.ToID)
		if err != nil {
			return nil, fmt.Errorf("delete association: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changes = append(changes, assocChange(c, OpDissociate, r, types[r.TypeID], src))
		}
	}
	return changes, nil
}

// labelsBetween lists the labels of the associations from one record to
// another (of object toOID), by type id.
func (t *tx) labelsBetween(fromID, toID, toOID int64) ([]string, error) {
	labels := []string{}
	if err := t.SelectContext(t.ctx, &labels, `SELECT at.label FROM associations a
		JOIN association_types at ON at.type_id = a.type_id
		WHERE a.from_id = ? AND a.to_id = ? AND at.to_oid = ? AND at.label IS NOT NULL AND at.archived_at IS NULL
		ORDER BY a.type_id`, fromID, toID, toOID); err != nil {
		return nil, fmt.Errorf("read association labels: %w", err)
	}
	return labels, nil
}

// Dissociate removes associations between two records, both directions.
// typeIDs names the from→to types to remove; nil removes every type. As in
// HubSpot, removing the unlabeled type removes the labels too. Removing
// associations that do not exist is not an error.
func (s *Store) Dissociate(ctx context.Context, from string, fromID int64, to string, toID int64, typeIDs []int64, src Source) error {
	return s.update(ctx, func(t *tx) error {
		c, fo, too, err := t.objectPairOf(from, to)
		if err != nil {
			return err
		}
		if err := t.checkRecord(fo, fromID, true); err != nil {
			return err
		}
		if err := t.checkRecord(too, toID, true); err != nil {
			return err
		}
		all := typeIDs == nil
		chosen := map[int64]bool{}
		for _, id := range typeIDs {
			a, err := typeByID(t.ctx, t, id)
			if err != nil {
				return err
			}
			if a == nil || a.FromOID != fo.oid || a.ToOID != too.oid {
				return invalidf("association type %d does not go from %s to %s", id, fo.Name, too.Name)
			}
			if !a.Label.Valid {
				all = true
			}
			chosen[a.TypeID] = true
			chosen[a.InverseID] = true
		}
		// Every row between the two records, both directions (archived
		// types too, so nothing is left behind).
		var rows []assocRow
		if err := t.SelectContext(t.ctx, &rows, `SELECT r.from_id, r.type_id, r.to_id FROM associations r
			JOIN association_types a ON a.type_id = r.type_id
			WHERE (r.from_id = ? AND r.to_id = ? AND a.from_oid = ? AND a.to_oid = ?)
			   OR (r.from_id = ? AND r.to_id = ? AND a.from_oid = ? AND a.to_oid = ?)
			ORDER BY r.from_id = ? DESC, r.type_id`,
			fromID, toID, fo.oid, too.oid, toID, fromID, too.oid, fo.oid, fromID); err != nil {
			return fmt.Errorf("read associations between %d and %d: %w", fromID, toID, err)
		}
		var del []assocRow
		types := map[int64]*assocType{}
		for _, r := range rows {
			if !all && !chosen[r.TypeID] {
				continue
			}
			if _, ok := types[r.TypeID]; !ok {
				a, err := typeByID(t.ctx, t, r.TypeID)
				if err != nil {
					return err
				}
				types[r.TypeID] = a
			}
			del = append(del, r)
		}
		changes, err := t.deleteRows(c, del, types, src.orDefault())
		if err != nil {
			return err
		}
		return t.logChanges(changes...)
	})
}

// assocReadRow is one association as reads return it.
type assocReadRow struct {
	FromID int64 `db:"from_id"`
	ToID   int64 `db:"to_id"`
	TypeID int64 `db:"type_id"`
}

// groupAssociations folds rows ordered by to id, then type id, into
// AssociatedRecords; types maps the live types of the pair.
func groupAssociations(rows []assocReadRow, types map[int64]*assocType) []AssociatedRecord {
	var out []AssociatedRecord
	for _, r := range rows {
		a := types[r.TypeID]
		if a == nil {
			continue
		}
		if n := len(out); n == 0 || out[n-1].ToObjectID != r.ToID {
			out = append(out, AssociatedRecord{ToObjectID: r.ToID})
		}
		last := &out[len(out)-1]
		last.Types = append(last.Types, AssociationTypeRef{Category: a.Category, TypeID: a.TypeID, Label: a.label()})
	}
	return out
}

// readPairTypes resolves the objects of a read and returns the live types
// between them, by id, and their ids as bound arguments.
func (s *Store) readPairTypes(ctx context.Context, from, to string) (*ObjectType, map[int64]*assocType, []any, error) {
	fo, too, err := s.catalog().objectPair(from, to)
	if err != nil {
		return nil, nil, nil, err
	}
	types, err := pairTypes(ctx, s.r, fo.oid, too.oid)
	if err != nil {
		return nil, nil, nil, err
	}
	byID := make(map[int64]*assocType, len(types))
	ids := make([]any, len(types))
	for i, a := range types {
		byID[a.TypeID] = a
		ids[i] = a.TypeID
	}
	return fo, byID, ids, nil
}

// Associations pages over the records of object to associated with record
// fromID of object from, ordered by id, starting after the id after
// (exclusive). limit defaults to 100 and is at most 500. next is the after
// of the next page, 0 on the last one. Associations with archived records
// (on either side) are left out; an unknown or archived fromID has none.
func (s *Store) Associations(ctx context.Context, from string, fromID int64, to string, after int64, limit int) ([]AssociatedRecord, int64, error) {
	limit = pageLimit(limit, defaultAssociationLimit, maxAssociationLimit)
	fo, types, typeIDs, err := s.readPairTypes(ctx, from, to)
	if err != nil {
		return nil, 0, err
	}
	if len(typeIDs) == 0 {
		return []AssociatedRecord{}, 0, nil
	}
	// The page of target ids is the first limit+1 live targets after
	// `after` of each type of the pair, each read in order from the primary
	// key (from_id, type_id, to_id), merged; so a page costs the same
	// wherever it starts and however many other associations the record
	// has. Then every type of those targets is read by key. The SQL is
	// built from constant fragments only, one per type; values are bound.
	var b strings.Builder
	b.WriteString(`SELECT a.from_id, a.to_id, a.type_id FROM associations a
		WHERE a.from_id = ? AND a.type_id IN (` + placeholders(len(typeIDs)) + `)
		  AND EXISTS (SELECT 1 FROM records f WHERE f.id = ? AND f.archived_at IS NULL)
		  AND a.to_id IN (SELECT to_id FROM (`)
	args := append(append([]any{fromID}, typeIDs...), fromID)
	for i, id := range typeIDs {
		if i > 0 {
			b.WriteString(" UNION ")
		}
		b.WriteString(`SELECT to_id FROM (SELECT a.to_id FROM associations a JOIN records r ON r.id = a.to_id
			WHERE a.from_id = ? AND a.type_id = ? AND a.to_id > ? AND r.archived_at IS NULL ORDER BY a.to_id LIMIT ?)`)
		args = append(args, fromID, id, after, limit+1)
	}
	b.WriteString(` ORDER BY 1 LIMIT ?)) ORDER BY a.to_id, a.type_id`)
	args = append(args, limit+1)
	var rows []assocReadRow
	if err := s.r.SelectContext(ctx, &rows, b.String(), args...); err != nil {
		return nil, 0, fmt.Errorf("read associations of %s %d: %w", fo.Name, fromID, err)
	}
	out := groupAssociations(rows, types)
	out, next := cutPage(out, limit, func(r AssociatedRecord) int64 { return r.ToObjectID })
	if out == nil {
		out = []AssociatedRecord{}
	}
	return out, next, nil
}

// AssociationsBatch returns, for each of fromIDs (records of object from),
// every associated record of object to, in one query. Records without
// associations, unknown or archived ones are absent from the map.
func (s *Store) AssociationsBatch(ctx context.Context, from string, fromIDs []int64, to string) (map[int64][]AssociatedRecord, error) {
	fo, types, typeIDs, err := s.readPairTypes(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := map[int64][]AssociatedRecord{}
	if len(typeIDs) == 0 {
		return out, nil
	}
	ids := append([]int64(nil), fromIDs...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	const chunk = 10000
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, 0, len(part)+len(typeIDs))
		for _, id := range part {
			args = append(args, id)
		}
		args = append(args, typeIDs...)
		var rows []assocReadRow
		if err := s.r.SelectContext(ctx, &rows, `SELECT a.from_id, a.to_id, a.type_id
			FROM associations a
			JOIN records f ON f.id = a.from_id
			JOIN records r ON r.id = a.to_id
			WHERE a.from_id IN (`+placeholders(len(part))+`) AND a.type_id IN (`+placeholders(len(typeIDs))+`)
			  AND f.archived_at IS NULL AND r.archived_at IS NULL
			ORDER BY a.from_id, a.to_id, a.type_id`, args...); err != nil {
			return nil, fmt.Errorf("read associations of %s: %w", fo.Name, err)
		}
		for i := 0; i < len(rows); {
			j := i
			for j < len(rows) && rows[j].FromID == rows[i].FromID {
				j++
			}
			if g := groupAssociations(rows[i:j], types); len(g) > 0 {
				out[rows[i].FromID] = g
			}
			i = j
		}
	}
	return out, nil
}

// moveAssociations moves every association of record fromID, both
// directions, onto record intoID, for a merge. Associations between the two
// records are dropped rather than turned into self-associations, and a
// limited type is only moved while intoID stays within the limit (so intoID
// keeps its own primary company). fromID's rows are then deleted. Nothing is
// logged: the merge logs itself.
func (t *tx) moveAssociations(fromID, intoID int64) error {
	if fromID == intoID {
		return nil
	}
	var rows []struct {
		assocRow
		CreatedAt int64 `db:"created_at"`
	}
	if err := t.SelectContext(t.ctx, &rows, `SELECT from_id, type_id, to_id, created_at FROM associations WHERE from_id = ?
		UNION ALL SELECT from_id, type_id, to_id, created_at FROM associations WHERE to_id = ? AND from_id <> ?
		ORDER BY created_at, type_id`, fromID, fromID, fromID); err != nil {
		return fmt.Errorf("read associations of record %d: %w", fromID, err)
	}
	var types []assocType
	if err := t.SelectContext(t.ctx, &types, assocTypeSelect); err != nil {
		return fmt.Errorf("read association types: %w", err)
	}
	byID := make(map[int64]*assocType, len(types))
	for i := range types {
		byID[types[i].TypeID] = &types[i]
	}
	// A pair is an outgoing type and the other record; its incoming row is
	// keyed by the inverse of its type.
	type pair struct {
		typeID, other int64
	}
	keyOf := func(r assocRow) pair {
		if r.FromID == fromID {
			return pair{r.TypeID, r.ToID}
		}
		inv := r.TypeID
		if a := byID[r.TypeID]; a != nil {
			inv = a.InverseID
		}
		return pair{inv, r.FromID}
	}
	move := map[pair]bool{}
	// type → targets intoID has, archived ones included, so a merge never
	// leaves two primaries behind (one hidden until a restore).
	held := map[int64]map[int64]bool{}
	for _, r := range rows {
		k := keyOf(r.assocRow)
		if _, decided := move[k]; decided {
			continue
		}
		if k.other == intoID || k.other == fromID {
			move[k] = false
			continue
		}
		a := byID[k.typeID]
		if a == nil || a.MaxPerFrom <= 0 {
			move[k] = true
			continue
		}
		if held[k.typeID] == nil {
			var ids []int64
			if err := t.SelectContext(t.ctx, &ids, "SELECT to_id FROM associations WHERE from_id = ? AND type_id = ?", intoID, k.typeID); err != nil {
				return fmt.Errorf("count associations of record %d: %w", intoID, err)
			}
			held[k.typeID] = map[int64]bool{}
			for _, id := range ids {
				held[k.typeID][id] = true
			}
		}
		switch {
		case held[k.typeID][k.other]:
			move[k] = true // already there; the insert is a no-op
		case len(held[k.typeID]) < a.MaxPerFrom:
			move[k] = true
			held[k.typeID][k.other] = true
		default:
			move[k] = false
		}
	}
	var ins [][]any
	for _, r := range rows {
		if !move[keyOf(r.assocRow)] {
			continue
		}
		from, to := r.FromID, r.ToID
		if from == fromID {
			from = intoID
		} else {
			to = intoID
		}
		ins = append(ins, []any{from, r.TypeID, to, r.CreatedAt})
	}
	if len(ins) > 0 {
		if err := t.insertRows("associations", []string{"from_id", "type_id", "to_id", "created_at"}, ins, "ON CONFLICT DO NOTHING"); err != nil {
			return err
		}
	}
	if _, err := t.ExecContext(t.ctx, "DELETE FROM associations WHERE from_id = ? OR to_id = ?", fromID, fromID); err != nil {
		return fmt.Errorf("delete associations of record %d: %w", fromID, err)
	}
	return nil
}
