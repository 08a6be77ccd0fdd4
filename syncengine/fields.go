package syncengine

// Object mappings compiled against both sides' field types, and value comparison.

import (
	"context"
	"fmt"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/syncengine/mapping"
)

// objectMap is an object spec compiled against both sides' field types.
type objectMap struct {
	spec   ObjectSpec
	fields []*fieldMap
	// remoteFields are the remote fields to read.
	remoteFields []string
	byLocal      map[string]*fieldMap
}

// fieldMap is one compiled field.
type fieldMap struct {
	f    *mapping.Field
	spec FieldSpec
	// pulls and pushes are the field's effective directions; a remote
	// read-only field never pushes.
	pulls, pushes bool
	// lossy is set when the remote cannot hold every local value in full
	// (a local datetime kept as a remote date, a transform that folds
	// spellings together); values are then compared as the remote holds
	// them, or the part the remote drops would look like a change on every
	// pull.
	lossy bool
}

// equal compares two values of the field in the local representation: as
// the remote would hold them when the field is lossy, as local values
// otherwise. A value the remote cannot take is compared locally.
func (f *fieldMap) equal(a, b string) bool {
	if f.f.EqualLocal(a, b) {
		return true
	}
	if !f.lossy {
		return false
	}
	ra, errA := f.f.ToRemote(a)
	rb, errB := f.f.ToRemote(b)
	return errA == nil && errB == nil && f.f.EqualRemote(ra, rb)
}

// lossProbes are local values, per local type, that a conversion which
// loses detail does not bring back intact: a time of day, letter case and
// surrounding or inner spacing, digits written with punctuation.
var lossProbes = map[string][]string{
	mapping.TypeDateTime: {"2001-02-03T04:05:06.789Z"},
	mapping.TypeString:   {" Probe Value ", "+1 (415) 555-0100"},
}

// losesDetail reports whether a local value pushed to the remote and
// pulled back can come back different: the remote cannot hold the full
// local value. Types without probes, and probes the field cannot convert,
// count as faithful.
func losesDetail(f *mapping.Field) bool {
	for _, p := range lossProbes[f.LocalType()] {
		r, err := f.ToRemote(p)
		if err != nil {
			continue
		}
		back, err := f.ToLocal(r)
		if err == nil && !f.EqualLocal(back, p) {
			return true
		}
	}
	return false
}

// compile returns the object's compiled mapping, cached between runs; a
// full run compiles it afresh so changed field definitions are seen.
func (rn *runner) compile(ctx context.Context, spec ObjectSpec) (*objectMap, error) {
	rn.reg.mapsMu.Lock()
	m := rn.reg.maps[spec.Object]
	rn.reg.mapsMu.Unlock()
	if m != nil && !rn.full {
		return m, nil
	}
	m, err := rn.compileFresh(ctx, spec)
	if err != nil {
		return nil, err
	}
	rn.reg.mapsMu.Lock()
	if rn.reg.maps == nil {
		rn.reg.maps = map[string]*objectMap{}
	}
	rn.reg.maps[spec.Object] = m
	rn.reg.mapsMu.Unlock()
	return m, nil
}

// compileFresh builds the object's mapping from the store's property types
// and, when the connector describes its fields, the remote's.
func (rn *runner) compileFresh(ctx context.Context, spec ObjectSpec) (*objectMap, error) {
	props, err := rn.e.store.Properties(ctx, spec.Object, false)
	if err != nil {
		return nil, fmt.Errorf("object %s: read local properties: %w", spec.Object, err)
	}
	localTypes := make(map[string]string, len(props))
	for _, p := range props {
		localTypes[p.Name] = p.Type
	}
	var remoteTypes map[string]string
	readOnly := map[string]bool{}
	if d, ok := rn.reg.conn.(connectors.FieldDescriber); ok {
		var fields []connectors.Field
		err := rn.call(ctx, "describe "+spec.Remote+" fields", func(ctx context.Context) error {
			var err error
			fields, err = d.Fields(ctx, spec.Remote)
			return err
		})
		if err != nil {
			return nil, err
		}
		remoteTypes = make(map[string]string, len(fields))
		for _, f := range fields {
			remoteTypes[f.Name] = f.Type
			readOnly[f.Name] = f.ReadOnly
		}
	}
	specs := make([]mapping.FieldSpec, len(spec.Fields))
	for i, f := range spec.Fields {
		specs[i] = mapping.FieldSpec{Local: f.Local, Remote: f.Remote, Direction: mapping.Direction(f.Direction), Transform: f.Transform, Values: f.Values}
	}
	set, err := mapping.CompileSet(specs, localTypes, remoteTypes)
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", spec.Object, err)
	}
	m := &objectMap{spec: spec, byLocal: map[string]*fieldMap{}}
	bySpec := map[string]FieldSpec{}
	for _, f := range spec.Fields {
		bySpec[f.Local] = f
	}
	for _, f := range set.Fields {
		fm := &fieldMap{f: f, spec: bySpec[f.Local], pulls: f.Pulls(), pushes: f.Pushes() && !readOnly[f.Remote], lossy: losesDetail(f)}
		m.fields = append(m.fields, fm)
		m.byLocal[f.Local] = fm
		m.remoteFields = append(m.remoteFields, f.Remote)
	}
	return m, nil
}

// toLocal maps a remote record's fields to local values, for the fields it
// carries. The first bad value fails the record, naming the field.
func (m *objectMap) toLocal(rec map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(m.fields))
	for _, f := range m.fields {
		raw, ok := rec[f.f.Remote]
		if !ok {
			continue
		}
		v, err := f.f.ToLocal(raw)
		if err != nil {
			return nil, fmt.Errorf("remote field %s: %w", f.f.Remote, err)
		}
		out[f.f.Local] = v
	}
	return out, nil
}
