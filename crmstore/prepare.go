package crmstore

import (
	"fmt"
	"sort"
)

// preparedValue is one validated property write; clear means remove the value.
type preparedValue struct {
	prop  *Property
	value string
	clear bool
}

// prepare validates a property map for an object. Every problem is
// reported, sorted by property name so the error is stable.
func (c *catalog) prepare(o *ObjectType, in map[string]string, creating bool) (map[int64]preparedValue, []PropertyError) {
	out := make(map[int64]preparedValue, len(in))
	var errs []PropertyError
	for name, raw := range in {
		p := c.property(o, name)
		if p == nil {
			errs = append(errs, PropertyError{Property: name, Code: CodePropertyDoesntExist,
				Message: fmt.Sprintf("Property %q does not exist", name)})
			continue
		}
		if p.ReadOnlyValue || systemProperty(name) {
			errs = append(errs, PropertyError{Property: name, Code: CodeReadOnlyValue,
				Message: fmt.Sprintf("Property %q is read-only", name)})
			continue
		}
		if raw == "" {
			if !creating {
				out[p.id] = preparedValue{prop: p, clear: true}
			}
			continue
		}
		v, _, perr := normalizeValue(p, raw)
		if perr != nil {
			errs = append(errs, *perr)
			continue
		}
		out[p.id] = preparedValue{prop: p, value: v}
	}
	sortPropertyErrors(errs)
	return out, errs
}

func sortPropertyErrors(errs []PropertyError) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Property < errs[j].Property })
}

// checkRequired reports required properties of o that have no value in the
// merged view of a record: the current values overlaid with the write.
func (c *catalog) checkRequired(o *ObjectType, current map[int64]string, write map[int64]preparedValue) []PropertyError {
	var errs []PropertyError
	for _, name := range requiredProperties(o) {
		p := c.property(o, name)
		if p == nil {
			continue
		}
		if w, ok := write[p.id]; ok {
			if !w.clear {
				continue
			}
		} else if current[p.id] != "" {
			continue
		}
		errs = append(errs, PropertyError{Property: name, Code: CodeRequired,
			Message: fmt.Sprintf("Property %q is required", name)})
	}
	return errs
}

// requiredProperties lists the properties a record of o must have.
func requiredProperties(o *ObjectType) []string {
	return o.RequiredProperties
}

// fillPipeline sets the pipeline from the stage when a write names a stage
// but neither it nor the record has a pipeline, as HubSpot does.
func (c *catalog) fillPipeline(o *ObjectType, current map[int64]string, write map[int64]preparedValue) {
	pipeName, stageName := pipelineProperties(o.Name)
	pp, sp := c.property(o, pipeName), c.property(o, stageName)
	if pp == nil || sp == nil {
		return
	}
	st, ok := write[sp.id]
	if !ok || st.clear {
		return
	}
	if pv, ok := write[pp.id]; (ok && !pv.clear) || (!ok && current[pp.id] != "") {
		return
	}
	if ref := c.stages[o.oid][st.value]; ref != nil && !ref.Archived {
		write[pp.id] = preparedValue{prop: pp, value: ref.PipelineID}
	}
}
