package mapping

import (
	"errors"
	"fmt"
	"strings"
)

// Names of the transforms a field's transform chain is built from.
const (
	TransformTrim  = "trim"
	TransformLower = "lower"
	TransformUpper = "upper"
	TransformE164  = "e164"
	TransformDate  = "date"
)

// step is one compiled transform. pull converts remote-side text towards the
// local side, push the other way; both leave "" unchanged.
type step interface {
	pull(v string) (string, error)
	push(v string) (string, error)
}

// textStep is a normalising transform applied alike in both directions, so
// that what is pushed is as normalised as what is pulled.
type textStep struct {
	name string
	fn   func(string) string
}

func (t textStep) pull(v string) (string, error) { return t.fn(v), nil }
func (t textStep) push(v string) (string, error) { return t.fn(v), nil }

// Transforms lists the transform forms a chain may use, for configuration
// validation messages and documentation. CC is a country calling code; the
// date layouts may be followed by ":SEP", the separator written on push.
func Transforms() []string {
	out := []string{TransformTrim, TransformLower, TransformUpper, TransformE164, TransformE164 + ":CC"}
	for _, l := range dateLayouts {
		out = append(out, TransformDate+":"+l)
	}
	return out
}

// ValidateTransform checks a transform chain such as "trim|lower" or
// "date:DAY_MONTH_YEAR" without regard to field types; "" is valid. Compile
// checks the chain against the field's types as well.
func ValidateTransform(spec string) error {
	_, errs := parseChain(spec, TypeString)
	return errors.Join(errs...)
}

// parseChain compiles a "|"-separated transform chain in pull order.
// remoteType is given to a date step, whose push output depends on it.
func parseChain(spec, remoteType string) ([]step, []error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	var steps []step
	var errs []error
	dates, phones := 0, 0
	for i, part := range strings.Split(spec, "|") {
		st, err := parseStep(strings.TrimSpace(part), remoteType)
		if err != nil {
			errs = append(errs, fmt.Errorf("transform %q (step %d): %w", spec, i+1, err))
			continue
		}
		switch st.(type) {
		case *dateStep:
			dates++
		case *e164Step:
			phones++
		}
		steps = append(steps, st)
	}
	if dates > 1 || phones > 1 {
		errs = append(errs, fmt.Errorf("transform %q: use the date and e164 transforms at most once each", spec))
	}
	if dates > 0 && phones > 0 {
		errs = append(errs, fmt.Errorf("transform %q: a value cannot be both a date and a phone number", spec))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return steps, nil
}

// parseStep compiles one transform: a name with an optional ":" argument.
func parseStep(part, remoteType string) (step, error) {
	name, arg, hasArg := strings.Cut(part, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	noArg := func(s step) (step, error) {
		if hasArg {
			return nil, fmt.Errorf("transform %s takes no argument", name)
		}
		return s, nil
	}
	switch name {
	case TransformTrim:
		return noArg(textStep{name: TransformTrim, fn: strings.TrimSpace})
	case TransformLower:
		return noArg(textStep{name: TransformLower, fn: strings.ToLower})
	case TransformUpper:
		return noArg(textStep{name: TransformUpper, fn: strings.ToUpper})
	case TransformE164:
		return newE164Step(arg, hasArg)
	case TransformDate:
		return newDateStep(arg, remoteType)
	case "":
		return nil, errors.New("empty transform")
	}
	return nil, fmt.Errorf("unknown transform %q; known: %s", name, strings.Join(Transforms(), ", "))
}

// stepName names a compiled step for type-check messages.
func stepName(s step) string {
	switch s := s.(type) {
	case *dateStep:
		return TransformDate
	case *e164Step:
		return TransformE164
	case textStep:
		return s.name
	}
	return "unknown"
}
