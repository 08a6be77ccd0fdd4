package mapping

import (
	"errors"
	"fmt"
)

// Set is the compiled field mappings of one object mapping, in configured
// order.
type Set struct {
	Fields []*Field
}

// CompileSet compiles every field of one object mapping. localTypes and
// remoteTypes give the value type of each local and remote field by name; a
// name missing from them is a string. All problems are returned joined, each
// naming the field's index and names; a local or remote field mapped twice is
// refused, since two mappings would fight over one value.
func CompileSet(specs []FieldSpec, localTypes, remoteTypes map[string]string) (*Set, error) {
	s := &Set{Fields: make([]*Field, 0, len(specs))}
	var errs []error
	seenLocal, seenRemote := map[string]int{}, map[string]int{}
	for i, spec := range specs {
		prefix := fmt.Sprintf("fields[%d] (local %q, remote %q)", i, spec.Local, spec.Remote)
		if j, ok := seenLocal[spec.Local]; ok && spec.Local != "" {
			errs = append(errs, fmt.Errorf("%s: local field %q is already mapped by fields[%d]", prefix, spec.Local, j))
		}
		if j, ok := seenRemote[spec.Remote]; ok && spec.Remote != "" {
			errs = append(errs, fmt.Errorf("%s: remote field %q is already mapped by fields[%d]", prefix, spec.Remote, j))
		}
		if _, ok := seenLocal[spec.Local]; !ok {
			seenLocal[spec.Local] = i
		}
		if _, ok := seenRemote[spec.Remote]; !ok {
			seenRemote[spec.Remote] = i
		}
		f, fieldErrs := compile(spec, localTypes[spec.Local], remoteTypes[spec.Remote])
		for _, err := range fieldErrs {
			errs = append(errs, fmt.Errorf("%s: %w", prefix, err))
		}
		if f != nil {
			s.Fields = append(s.Fields, f)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// RemoteFields returns the remote names of all fields, in order: what a pull
// must read, push-only fields included, since the engine compares their
// remote values with what it would push.
func (s *Set) RemoteFields() []string {
	out := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		out[i] = f.Remote
	}
	return out
}

// LocalFields returns the local names of all fields, in order.
func (s *Set) LocalFields() []string {
	out := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		out[i] = f.Local
	}
	return out
}

// ByLocal returns the field that maps the local field name, or nil.
func (s *Set) ByLocal(name string) *Field {
	for _, f := range s.Fields {
		if f.Local == name {
			return f
		}
	}
	return nil
}

// ByRemote returns the field that maps the remote field name, or nil.
func (s *Set) ByRemote(name string) *Field {
	for _, f := range s.Fields {
		if f.Remote == name {
			return f
		}
	}
	return nil
}

// ToLocal converts the remote values of the pulling fields present in
// remote, keyed by remote name, to local values keyed by local name. A value
// that fails is left out and reported as a *FieldError; the others are still
// converted.
func (s *Set) ToLocal(remote map[string]string) (map[string]string, []error) {
	out := make(map[string]string, len(s.Fields))
	var errs []error
	for _, f := range s.Fields {
		v, ok := remote[f.Remote]
		if !ok || !f.Pulls() {
			continue
		}
		lv, err := f.ToLocal(v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[f.Local] = lv
	}
	return out, errs
}

// ToRemote converts the local values of the pushing fields present in local,
// keyed by local name, to remote values keyed by remote name. A value that
// fails is left out and reported as a *FieldError; the others are still
// converted.
func (s *Set) ToRemote(local map[string]string) (map[string]string, []error) {
	out := make(map[string]string, len(s.Fields))
	var errs []error
	for _, f := range s.Fields {
		v, ok := local[f.Local]
		if !ok || !f.Pushes() {
			continue
		}
		rv, err := f.ToRemote(v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[f.Remote] = rv
	}
	return out, errs
}
