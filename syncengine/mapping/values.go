package mapping

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNotMapped marks a value that the field's value map has no entry for.
var ErrNotMapped = errors.New("value not in the value map")

// maxListedValues is how many known values an ErrNotMapped message lists.
const maxListedValues = 20

// valueMap is a compiled enumeration value map. Its keys are remote values
// as they read after the remote canonical form and the transform chain, and
// its values are local canonical values, so lookups need no further
// normalisation.
type valueMap struct {
	toLocal  map[string]string
	toRemote map[string]string
}

// compileValues checks and compiles a remote -> local value map. normRemote
// brings a configured remote value to the form pulled values have when they
// reach the map; localType canonicalises the local values. Empty values, a
// value invalid for its type, and two remote values for one local value
// (the push direction could not choose) are refused.
func compileValues(values map[string]string, normRemote func(string) (string, error), localType string) (*valueMap, []error) {
	vm := &valueMap{toLocal: map[string]string{}, toRemote: map[string]string{}}
	origin := map[string]string{} // normalised key -> configured key
	var errs []error
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic messages
	for _, k := range keys {
		key, local, err := compileEntry(k, values[k], normRemote, localType)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := origin[key]; ok {
			errs = append(errs, fmt.Errorf("value map: remote values %q and %q are the same value after transforms", prev, k))
			continue
		}
		if prev, ok := vm.toRemote[local]; ok {
			errs = append(errs, fmt.Errorf("value map is not one-to-one: remote values %q and %q both map to local value %q", origin[prev], k, local))
			continue
		}
		origin[key] = k
		vm.toLocal[key] = local
		vm.toRemote[local] = key
	}
	return vm, errs
}

// compileEntry normalises one value map entry.
func compileEntry(remote, local string, normRemote func(string) (string, error), localType string) (key, canon string, err error) {
	if strings.TrimSpace(remote) == "" {
		return "", "", fmt.Errorf("value map: a remote value is empty (empty means no value and is never mapped)")
	}
	key, err = normRemote(remote)
	if err != nil {
		return "", "", fmt.Errorf("value map: remote value %q: %w", remote, err)
	}
	canon, err = canonical(localType, local)
	if err != nil {
		return "", "", fmt.Errorf("value map: local value %q for remote value %q: %w", local, remote, err)
	}
	if key == "" || canon == "" {
		return "", "", fmt.Errorf("value map: remote value %q maps to an empty value", remote)
	}
	return key, canon, nil
}

// local maps a pulled value to its local value.
func (vm *valueMap) local(v string) (string, error) { return lookup(vm.toLocal, v) }

// remote maps a local value to its remote value.
func (vm *valueMap) remote(v string) (string, error) { return lookup(vm.toRemote, v) }

// lookup maps v through m: the whole value when m has it, else each part of
// a ;-separated multi-option value, in order and without repeats.
func lookup(m map[string]string, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if out, ok := m[v]; ok {
		return out, nil
	}
	if !strings.Contains(v, ";") {
		return "", notMapped(m, v)
	}
	var out []string
	for _, p := range enumParts(v) {
		mapped, ok := m[p]
		if !ok {
			return "", notMapped(m, p)
		}
		if !slices.Contains(out, mapped) {
			out = append(out, mapped)
		}
	}
	return strings.Join(out, ";"), nil
}

// notMapped builds the ErrNotMapped error for v, listing the known values.
func notMapped(m map[string]string, v string) error {
	known := make([]string, 0, len(m))
	for k := range m {
		known = append(known, k)
	}
	slices.Sort(known)
	more := ""
	if len(known) > maxListedValues {
		known, more = known[:maxListedValues], ", ..."
	}
	quoted := make([]string, len(known))
	for i, k := range known {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	return fmt.Errorf("%w: %q; known values: %s%s", ErrNotMapped, shown(v), strings.Join(quoted, ", "), more)
}
