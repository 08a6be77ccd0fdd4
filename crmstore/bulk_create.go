package crmstore

import (
	"slices"
)

// Encoding a new record's props and change-log JSON was the largest share
// of an import transaction's own CPU time. When a batch is expected to
// create most of its rows (ImportBatch.EncodeCreates), PrepareImportBatch
// encodes every valid row as a create outside the transaction, where it
// overlaps the previous batch's writes; bulkInsert uses that encoding when
// the record is written exactly as prepared and encodes it itself otherwise.

// encodedCreate is a row encoded as a new record.
type encodedCreate struct {
	src         Source
	props, body string
}

// createEncoder encodes the rows of one part as creates.
type createEncoder struct {
	c          *catalog
	src        Source
	provenance map[int64]string
	buf        []byte
}

// newCreateEncoder returns an encoder for rows of o written with src, or nil
// when o's writes can gain values on the way in (pipelines and stages add
// a pipeline and stage entry times), which an early encoding would miss.
func newCreateEncoder(c *catalog, o *ObjectType, src Source) *createEncoder {
	pipeName, stageName := pipelineProperties(o.Name)
	if c.property(o, pipeName) != nil || c.property(o, stageName) != nil {
		return nil
	}
	return &createEncoder{c: c, src: src, provenance: bulkProvenance(c, o, src)}
}

// encode renders a row's values as a new record's props and change body,
// as encodeProps and encodeCreateBody render them from a map.
func (e *createEncoder) encode(values []preparedValue) *encodedCreate {
	out := &encodedCreate{src: e.src}
	b := append(e.buf[:0], '{')
	member := func(name, v string) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = appendJSONString(b, v)
	}
	for pid, v := range e.provenance {
		if !overrides(values, pid) {
			member(e.c.propByID[pid].Name, v)
		}
	}
	for _, v := range values {
		if !v.clear {
			member(v.prop.Name, v.value)
		}
	}
	b = append(b, '}')
	out.props = string(b)
	out.body, b = encodeCreateBody(b, slices.Values(values))
	e.buf = b
	return out
}

// overrides reports whether values sets property pid.
func overrides(values []preparedValue, pid int64) bool {
	for _, v := range values {
		if v.prop.id == pid {
			return true
		}
	}
	return false
}

// bulkProvenance is the creation provenance a new record's props hold: the
// change-log row carries the same source, so it is not logged again. The
// map is shared by every record of a batch and never written.
func bulkProvenance(c *catalog, o *ObjectType, src Source) map[int64]string {
	provenance := map[int64]string{}
	for _, kv := range [][2]string{{"hs_object_source", src.Type}, {"hs_object_source_label", src.Type},
		{"hs_object_source_id", src.ID}, {"hs_object_source_user_id", src.UserID}} {
		if p := c.property(o, kv[0]); p != nil && kv[1] != "" && c.propByID[p.id] != nil {
			provenance[p.id] = kv[1]
		}
	}
	return provenance
}

// bulkInsert writes the valid creates of a part as insertRecords does,
// taking each record's JSON from its prepared row when the record is written
// exactly as prepared.
func (t *tx) bulkInsert(c *catalog, o *ObjectType, creates []*bulkGroup, preps []*preparedRow, src Source) error {
	var groups []*bulkGroup
	var live []*recordWrite
	for _, g := range creates {
		if g.w.err == nil {
			groups = append(groups, g)
			live = append(live, g.w)
		}
	}
	return t.insertCreates(c, o, live, src, func(i int) (string, string, bool) {
		g := groups[i]
		if enc := preps[g.rows[0]].create; enc != nil && len(g.rows) == 1 && enc.src == src {
			return enc.props, enc.body, true
		}
		return "", "", false
	})
}
