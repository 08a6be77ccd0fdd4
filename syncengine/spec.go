package syncengine

// Connector and object specs: directions, policies, defaults and validation.

import (
	"fmt"
	"time"
)

// Direction is which way records or field values flow.
type Direction string

// Directions. DirectionNone is valid only as an object's create direction.
const (
	DirectionBoth Direction = "both"
	DirectionPull Direction = "pull"
	DirectionPush Direction = "push"
	DirectionNone Direction = "none"
)

// pulls reports whether d lets remote data into the store.
func (d Direction) pulls() bool { return d == DirectionBoth || d == DirectionPull }

// pushes reports whether d lets local data out to the remote.
func (d Direction) pushes() bool { return d == DirectionBoth || d == DirectionPush }

// ConflictPolicy settles a field both sides changed to different values.
type ConflictPolicy string

// Conflict policies.
const (
	// PreferLocal keeps the store's value and pushes it.
	PreferLocal ConflictPolicy = "prefer_local"
	// PreferRemote takes the remote's value.
	PreferRemote ConflictPolicy = "prefer_remote"
	// MostRecent takes the value of the side changed last: the remote
	// record's ModifiedAt against the local record's last update. A remote
	// without modification times loses to the store.
	MostRecent ConflictPolicy = "most_recent"
	// Manual changes neither side: the conflict stays open, and the field is
	// parked (not synced either way) until both sides hold the same value.
	Manual ConflictPolicy = "manual"
)

// DeletePolicy says what a deletion on one side does to the other.
type DeletePolicy string

// Delete policies.
const (
	// DeletesIgnore never deletes: the link is marked and the record left
	// alone on the other side (it no longer syncs).
	DeletesIgnore DeletePolicy = "ignore"
	// DeletesArchive archives the local record when the remote one is
	// deleted; local deletions are not pushed.
	DeletesArchive DeletePolicy = "archive"
	// DeletesPropagate works both ways: remote deletions archive the local
	// record and local archives or deletions delete the remote record.
	DeletesPropagate DeletePolicy = "propagate"
)

// FieldSpec maps one local property to one remote field.
type FieldSpec struct {
	Local  string
	Remote string
	// Direction is both, pull or push; empty means the object's direction.
	Direction Direction
	// Transform names a value transform of syncengine/mapping ("" for none).
	Transform string
	// Values maps enumeration values, remote value to local value.
	Values map[string]string
	// OverwriteWithEmpty lets an emptied value clear the other side; by
	// default an empty value never overwrites one.
	OverwriteWithEmpty bool
}

// ObjectSpec is how one local object syncs with one remote object.
type ObjectSpec struct {
	// Object is the local object name, e.g. "contacts".
	Object string
	// Remote is the remote object name; empty means the same as Object.
	Remote string
	// Direction is both, pull or push; empty means both.
	Direction Direction
	// Create is which side may create records on the other (both, pull,
	// push or none); empty means the object's direction.
	Create Direction
	// Match lists local fields used to match records on first contact, tried
	// in order. Empty means email for contacts, domain for companies and no
	// matching for other objects.
	Match []string
	// Conflict is the policy for fields both sides changed; empty means
	// most_recent.
	Conflict ConflictPolicy
	// Deletes is the delete policy; empty means ignore.
	Deletes DeletePolicy
	// MaxDeletePercent is the mass-delete guard: a run that would delete
	// more than this share of the object's linked records pauses the
	// connector and deletes nothing.
	MaxDeletePercent int
	// Fields are the mapped fields; at least one.
	Fields []FieldSpec
}

// ConnectorSpec is one configured connector instance.
type ConnectorSpec struct {
	// Name identifies the connector; its writes carry source
	// INTEGRATION:<Name>.
	Name string
	// Objects are the object mappings, synced in this order.
	Objects []ObjectSpec
	// FullEvery makes every FullEvery-th run a full reconciliation (0: only
	// when asked for or when FullInterval says so).
	FullEvery int
	// FullInterval makes a run a full reconciliation when the last one
	// finished longer ago than this (0: never by age).
	FullInterval time.Duration
	// RequestsPerSecond is the connector's rate budget for remote calls,
	// with Burst calls allowed at once; 0 means no budget beyond what the
	// connector enforces itself.
	RequestsPerSecond float64
	Burst             int
}

// withDefaults fills the documented defaults of an object.
func (o ObjectSpec) withDefaults() ObjectSpec {
	if o.Remote == "" {
		o.Remote = o.Object
	}
	if o.Direction == "" {
		o.Direction = DirectionBoth
	}
	if o.Create == "" {
		o.Create = o.Direction
	}
	if o.Conflict == "" {
		o.Conflict = MostRecent
	}
	if o.Deletes == "" {
		o.Deletes = DeletesIgnore
	}
	if len(o.Match) == 0 {
		key := map[string]string{"contacts": "email", "companies": "domain"}[o.Object]
		for _, f := range o.Fields {
			if key != "" && f.Local == key {
				o.Match = []string{key}
			}
		}
	}
	fields := make([]FieldSpec, len(o.Fields))
	for i, f := range o.Fields {
		if f.Direction == "" {
			f.Direction = o.Direction
		}
		fields[i] = f
	}
	o.Fields = fields
	return o
}

// validate checks a connector spec, naming the bad entry.
func (c ConnectorSpec) validate() error {
	if c.Name == "" {
		return fmt.Errorf("connector spec: name is required")
	}
	if len(c.Objects) == 0 {
		return fmt.Errorf("connector %s: at least one object mapping is required", c.Name)
	}
	seen := map[string]bool{}
	for i, o := range c.Objects {
		at := fmt.Sprintf("connector %s objects[%d]", c.Name, i)
		if o.Object == "" {
			return fmt.Errorf("%s: object is required", at)
		}
		if seen[o.Object] {
			return fmt.Errorf("%s: object %q is mapped twice", at, o.Object)
		}
		seen[o.Object] = true
		if err := o.withDefaults().validate(at); err != nil {
			return err
		}
	}
	return nil
}

func (o ObjectSpec) validate(at string) error {
	switch o.Direction {
	case DirectionBoth, DirectionPull, DirectionPush:
	default:
		return fmt.Errorf("%s: direction %q is not both, pull or push", at, o.Direction)
	}
	switch {
	case o.Create == DirectionNone:
	case o.Create != DirectionBoth && o.Create != DirectionPull && o.Create != DirectionPush:
		return fmt.Errorf("%s: create %q is not both, pull, push or none", at, o.Create)
	case (o.Create.pulls() && !o.Direction.pulls()) || (o.Create.pushes() && !o.Direction.pushes()):
		return fmt.Errorf("%s: create %q exceeds direction %q", at, o.Create, o.Direction)
	}
	switch o.Conflict {
	case PreferLocal, PreferRemote, MostRecent, Manual:
	default:
		return fmt.Errorf("%s: conflict %q is not prefer_local, prefer_remote, most_recent or manual", at, o.Conflict)
	}
	switch o.Deletes {
	case DeletesIgnore, DeletesArchive, DeletesPropagate:
	default:
		return fmt.Errorf("%s: deletes %q is not ignore, archive or propagate", at, o.Deletes)
	}
	if o.MaxDeletePercent < 0 || o.MaxDeletePercent > 100 {
		return fmt.Errorf("%s: max_delete_percent %d is not within 0..100", at, o.MaxDeletePercent)
	}
	if len(o.Fields) == 0 {
		return fmt.Errorf("%s: at least one field mapping is required", at)
	}
	locals := map[string]bool{}
	for j, f := range o.Fields {
		if f.Local == "" || f.Remote == "" {
			return fmt.Errorf("%s fields[%d]: local and remote are required", at, j)
		}
		if locals[f.Local] {
			return fmt.Errorf("%s fields[%d]: local field %q is mapped twice", at, j, f.Local)
		}
		locals[f.Local] = true
		if f.Direction != DirectionBoth && f.Direction != DirectionPull && f.Direction != DirectionPush {
			return fmt.Errorf("%s fields[%d]: direction %q is not both, pull or push", at, j, f.Direction)
		}
		if (f.Direction.pulls() && !o.Direction.pulls()) || (f.Direction.pushes() && !o.Direction.pushes()) {
			return fmt.Errorf("%s fields[%d]: direction %q exceeds the object's direction %q", at, j, f.Direction, o.Direction)
		}
	}
	for _, m := range o.Match {
		if !locals[m] {
			return fmt.Errorf("%s: match field %q is not the local side of a mapped field", at, m)
		}
	}
	return nil
}
