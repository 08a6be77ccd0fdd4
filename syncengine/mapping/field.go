package mapping

import (
	"errors"
	"fmt"
	"slices"
)

// Direction of one field's flow.
type Direction string

// The directions a field may flow in; an empty Direction means Both.
const (
	Both Direction = "both"
	Pull Direction = "pull"
	Push Direction = "push"
)

// FieldSpec is one configured field mapping (from the YAML config, converted
// by cmd/tandem).
type FieldSpec struct {
	Local, Remote string
	// Direction is Both when empty.
	Direction Direction
	// Transform is "" or a "|"-separated chain applied in order on pull and
	// in reverse on push, such as "trim|lower", "e164", "e164:44",
	// "date:DAY_MONTH_YEAR" or "upper"; see Transforms.
	Transform string
	// Values is an enumeration value map, remote value -> local value,
	// applied after the transforms on pull and inverted on push.
	Values map[string]string
}

// Field is a compiled field mapping, safe for concurrent use.
type Field struct {
	Local, Remote string
	Direction     Direction

	localType, remoteType string
	// steps is the transform chain in pull order.
	steps []step
	// dated is set when a date transform owns the remote spelling, so the
	// remote type's canonical form is not applied.
	dated  bool
	values *valueMap
}

// Compile checks and compiles one field mapping. localType and remoteType
// are the value types on each side ("string", "number", "bool", "date",
// "datetime", "enumeration"; "" and the store's text types "phone_number",
// "object_coordinates" and "json" are "string"). All problems are reported,
// joined, each naming the field and the bad transform, type or value.
func Compile(spec FieldSpec, localType, remoteType string) (*Field, error) {
	f, errs := compile(spec, localType, remoteType)
	if len(errs) > 0 {
		for i, err := range errs {
			errs[i] = fmt.Errorf("field %q (remote %q): %w", spec.Local, spec.Remote, err)
		}
		return nil, errors.Join(errs...)
	}
	return f, nil
}

// compile does the work of Compile and returns its problems unprefixed.
func compile(spec FieldSpec, localType, remoteType string) (*Field, []error) {
	var errs []error
	if spec.Local == "" {
		errs = append(errs, errors.New("the local field name is empty"))
	}
	if spec.Remote == "" {
		errs = append(errs, errors.New("the remote field name is empty"))
	}
	dir, err := parseDirection(spec.Direction)
	if err != nil {
		errs = append(errs, err)
	}
	lt, errL := normalizeType(localType)
	rt, errR := normalizeType(remoteType)
	if errL != nil || errR != nil {
		for _, e := range []error{errL, errR} {
			if e != nil {
				errs = append(errs, e)
			}
		}
		return nil, errs
	}
	f := &Field{Local: spec.Local, Remote: spec.Remote, Direction: dir, localType: lt, remoteType: rt}
	steps, stepErrs := parseChain(spec.Transform, rt)
	errs = append(errs, stepErrs...)
	f.steps = steps
	f.dated = slices.ContainsFunc(steps, func(s step) bool { return stepName(s) == TransformDate })
	errs = append(errs, f.checkTypes(len(spec.Values) > 0)...)
	if len(errs) > 0 {
		return nil, errs // value map keys cannot be checked against a broken chain
	}
	if len(spec.Values) > 0 {
		vm, vmErrs := compileValues(spec.Values, f.remoteToMap, lt)
		if len(vmErrs) > 0 {
			return nil, vmErrs
		}
		f.values = vm
	}
	return f, nil
}

// parseDirection checks a configured direction, "" meaning Both.
func parseDirection(d Direction) (Direction, error) {
	switch d {
	case "":
		return Both, nil
	case Both, Pull, Push:
		return d, nil
	}
	return "", fmt.Errorf("unknown direction %q; use both, pull or push", d)
}

// checkTypes refuses transforms and type pairs that could not convert any
// value, so a mistake shows at configuration time, not on every record. A
// value map converts between any two types (each entry is checked against
// both), so it lifts the type-pair check.
func (f *Field) checkTypes(mapped bool) []error {
	var errs []error
	isText := func(t string) bool { return t == TypeString || t == TypeEnumeration }
	for _, s := range f.steps {
		name := stepName(s)
		switch name {
		case TransformLower, TransformUpper:
			if !isText(f.localType) || !isText(f.remoteType) {
				errs = append(errs, fmt.Errorf("transform %s applies to text, but the types are %s (local) and %s (remote)", name, f.localType, f.remoteType))
			}
		case TransformE164:
			if f.localType != TypeString || f.remoteType != TypeString {
				errs = append(errs, fmt.Errorf("transform e164 applies to string fields, but the types are %s (local) and %s (remote)", f.localType, f.remoteType))
			}
		case TransformDate:
			errs = append(errs, f.checkDateTypes(s.(*dateStep))...)
		}
	}
	if !f.dated && !mapped && !compatible(f.localType, f.remoteType) {
		errs = append(errs, fmt.Errorf("local type %s cannot be converted to or from remote type %s", f.localType, f.remoteType))
	}
	return errs
}

// checkDateTypes checks the types around a date transform: the local side
// holds a date, datetime or text; the remote side text, a date or datetime,
// or a number for epoch milliseconds.
func (f *Field) checkDateTypes(d *dateStep) []error {
	var errs []error
	if f.localType != TypeString && !isDateType(f.localType) {
		errs = append(errs, fmt.Errorf("transform date:%s needs a date, datetime or string local type, not %s", d.layout, f.localType))
	}
	remoteOK := f.remoteType == TypeString || isDateType(f.remoteType) ||
		(f.remoteType == TypeNumber && d.layout == LayoutEpochMillis)
	if !remoteOK {
		errs = append(errs, fmt.Errorf("transform date:%s cannot read remote type %s", d.layout, f.remoteType))
	}
	return errs
}

// LocalType returns the field's local value type.
func (f *Field) LocalType() string { return f.localType }

// RemoteType returns the field's remote value type.
func (f *Field) RemoteType() string { return f.remoteType }

// Pulls reports whether remote values flow into the local field.
func (f *Field) Pulls() bool { return f.Direction == Both || f.Direction == Pull }

// Pushes reports whether local values flow to the remote field.
func (f *Field) Pushes() bool { return f.Direction == Both || f.Direction == Push }

// ToLocal converts remote text to the local canonical text: remote canonical
// form, transforms, value map, local type coercion. "" stays "". An error is
// a *FieldError naming the field and the value.
func (f *Field) ToLocal(remote string) (string, error) {
	v, err := f.toLocal(remote)
	if err != nil {
		return "", &FieldError{Op: "pull", Local: f.Local, Remote: f.Remote, Value: remote, Err: err}
	}
	return v, nil
}

// ToRemote converts local text to the remote text: local canonical form,
// inverse value map, transforms in reverse, remote type coercion (or the
// date transform's layout). "" stays "". An error is a *FieldError naming
// the field and the value.
func (f *Field) ToRemote(local string) (string, error) {
	v, err := f.toRemote(local)
	if err != nil {
		return "", &FieldError{Op: "push", Local: f.Local, Remote: f.Remote, Value: local, Err: err}
	}
	return v, nil
}

// toLocal is ToLocal without the error wrapping.
func (f *Field) toLocal(v string) (string, error) {
	v, err := f.remoteToMap(v)
	if err != nil {
		return "", err
	}
	if f.values != nil {
		if v, err = f.values.local(v); err != nil {
			return "", err
		}
	}
	return canonical(f.localType, v)
}

// remoteToMap brings remote text to the form the value map is keyed by: the
// remote type's canonical form unless a date transform reads the remote
// spelling, then the transform chain.
func (f *Field) remoteToMap(v string) (string, error) {
	var err error
	if !f.dated {
		if v, err = canonical(f.remoteType, v); err != nil {
			return "", err
		}
	}
	for _, s := range f.steps {
		if v, err = s.pull(v); err != nil {
			return "", err
		}
	}
	return v, nil
}

// toRemote is ToRemote without the error wrapping.
func (f *Field) toRemote(v string) (string, error) {
	v, err := canonical(f.localType, v)
	if err != nil {
		return "", err
	}
	if f.values != nil {
		if v, err = f.values.remote(v); err != nil {
			return "", err
		}
	}
	for i := len(f.steps) - 1; i >= 0; i-- {
		if v, err = f.steps[i].push(v); err != nil {
			return "", err
		}
	}
	if f.dated {
		return v, nil
	}
	return canonical(f.remoteType, v)
}

// EqualLocal reports whether a and b are the same value of the field's local
// type: "1.0" and "1" for numbers, "TRUE" and "true" for bools, one instant
// in two datetime spellings, ";"-separated option sets in any order.
func (f *Field) EqualLocal(a, b string) bool { return equalAs(f.localType, a, b) }

// EqualRemote reports whether a and b are the same value of the field's
// remote type, read through the date transform's layout when there is one.
// The engine compares on the remote side when the conversion loses detail
// (a local datetime pushed to a remote date), so that it does not see a
// change that is only the loss.
func (f *Field) EqualRemote(a, b string) bool {
	if a == b {
		return true
	}
	if !f.dated {
		return equalAs(f.remoteType, a, b)
	}
	ra, errA := f.remoteToMap(a)
	rb, errB := f.remoteToMap(b)
	if errA != nil || errB != nil {
		return false
	}
	typ := TypeDateTime
	if f.remoteType == TypeDate {
		typ = TypeDate
	}
	return equalAs(typ, ra, rb)
}
