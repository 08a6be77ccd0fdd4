package crmstore

import (
	"slices"
	"testing"
)

func builtinObjectByNameForTest(t *testing.T, name string) builtinObject {
	t.Helper()
	for _, o := range builtinObjects {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no built-in object %q", name)
	return builtinObject{}
}

func TestBuiltinObjects_IDsAndNames(t *testing.T) {
	want := map[string]string{
		"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5",
		"products": "0-7", "line_items": "0-8", "tasks": "0-27", "notes": "0-46",
		"meetings": "0-47", "calls": "0-48", "emails": "0-49",
	}
	if got := len(builtinObjects); got != len(want) {
		t.Errorf("len(builtinObjects) = %d, want %d", got, len(want))
	}
	ids := map[string]bool{}
	names := map[string]bool{}
	for _, o := range builtinObjects {
		if ids[o.TypeID] {
			t.Errorf("duplicate TypeID %q", o.TypeID)
		}
		ids[o.TypeID] = true
		if names[o.Name] {
			t.Errorf("duplicate object name %q", o.Name)
		}
		names[o.Name] = true
		if id, ok := want[o.Name]; !ok {
			t.Errorf("unexpected object %q", o.Name)
		} else if id != o.TypeID {
			t.Errorf("%s: TypeID = %q, want %q", o.Name, o.TypeID, id)
		}
		if o.Singular == "" || o.Plural == "" {
			t.Errorf("%s: missing labels (%q, %q)", o.Name, o.Singular, o.Plural)
		}
	}
}

func TestBuiltinObjects_Properties(t *testing.T) {
	common := []string{
		"hs_object_id", "createdate", "hs_lastmodifieddate", "hubspot_owner_id",
		"hs_object_source", "hs_object_source_id", "hs_object_source_label",
		"hs_object_source_user_id", "hs_created_by_user_id", "hs_updated_by_user_id",
		"hs_merged_object_ids",
	}
	for _, o := range builtinObjects {
		t.Run(o.Name, func(t *testing.T) {
			groups := map[string]bool{}
			for _, g := range o.Groups {
				if g.Name == "" || g.Label == "" {
					t.Errorf("group %+v: empty name or label", g)
				}
				if groups[g.Name] {
					t.Errorf("duplicate group %q", g.Name)
				}
				groups[g.Name] = true
			}
			if len(o.Groups) == 0 {
				t.Error("no property groups")
			}

			props := map[string]Property{}
			for _, p := range o.Properties {
				if _, dup := props[p.Name]; dup {
					t.Errorf("duplicate property %q", p.Name)
				}
				props[p.Name] = p
				if p.Name == "" || p.Label == "" {
					t.Errorf("property %q: empty name or label %q", p.Name, p.Label)
				}
				if !ValidFieldType(p.Type, p.FieldType) {
					t.Errorf("%s: invalid type/fieldType %s/%s", p.Name, p.Type, p.FieldType)
				}
				if !groups[p.GroupName] {
					t.Errorf("%s: group %q is not a group of %s", p.Name, p.GroupName, o.Name)
				}
				if !p.HubspotDefined {
					t.Errorf("%s: HubspotDefined = false", p.Name)
				}
				if p.HasUniqueValue {
					t.Errorf("%s: HasUniqueValue = true; uniqueness of defaults is the store's job", p.Name)
				}
				if p.ExternalOptions && len(p.Options) > 0 {
					t.Errorf("%s: external options and explicit options", p.Name)
				}
				if p.ExternalOptions && p.ReferencedObjectType == "" {
					t.Errorf("%s: external options without referenced object type", p.Name)
				}
				needOptions := p.Type == TypeEnumeration && !p.ExternalOptions
				if needOptions && len(p.Options) == 0 {
					t.Errorf("%s: enumeration without options", p.Name)
				}
				if p.Type != TypeEnumeration && p.Type != TypeBool && len(p.Options) > 0 {
					t.Errorf("%s: %s property has options", p.Name, p.Type)
				}
				values := map[string]bool{}
				for i, opt := range p.Options {
					if opt.Value == "" || opt.Label == "" {
						t.Errorf("%s: option %d has empty value or label", p.Name, i)
					}
					if values[opt.Value] {
						t.Errorf("%s: duplicate option value %q", p.Name, opt.Value)
					}
					values[opt.Value] = true
					if opt.DisplayOrder != i {
						t.Errorf("%s: option %q displayOrder = %d, want %d", p.Name, opt.Value, opt.DisplayOrder, i)
					}
				}
				if p.Calculated && p.FieldType == "calculation_equation" && !p.ReadOnlyValue {
					t.Errorf("%s: calculation_equation property is writable", p.Name)
				}
			}

			for _, name := range common {
				if _, ok := props[name]; !ok {
					t.Errorf("missing common property %q", name)
				}
			}
			if owner := props["hubspot_owner_id"]; !owner.ExternalOptions || owner.ReferencedObjectType != "OWNER" {
				t.Errorf("hubspot_owner_id: ExternalOptions=%v ReferencedObjectType=%q", owner.ExternalOptions, owner.ReferencedObjectType)
			}
			for _, name := range []string{"hs_object_id", "createdate", "hs_lastmodifieddate"} {
				if !props[name].ReadOnlyValue {
					t.Errorf("%s: ReadOnlyValue = false", name)
				}
			}

			check := func(what string, names []string) {
				seen := map[string]bool{}
				for _, n := range names {
					if _, ok := props[n]; !ok {
						t.Errorf("%s property %q does not exist", what, n)
					}
					if seen[n] {
						t.Errorf("%s property %q listed twice", what, n)
					}
					seen[n] = true
				}
			}
			check("required", o.Required)
			check("searchable", o.Searchable)
			check("primary display", []string{o.PrimaryDisplay})
			for _, n := range o.Required {
				if props[n].ReadOnlyValue {
					t.Errorf("required property %q is read-only", n)
				}
			}
		})
	}
}

func TestBuiltinObjects_Required(t *testing.T) {
	want := map[string][]string{
		"contacts":   nil,
		"companies":  nil,
		"deals":      {"dealname", "pipeline", "dealstage"},
		"tickets":    {"subject", "hs_pipeline", "hs_pipeline_stage"},
		"products":   nil,
		"line_items": nil,
		"tasks":      {"hs_timestamp"},
		"notes":      {"hs_timestamp"},
		"meetings":   {"hs_timestamp"},
		"calls":      {"hs_timestamp"},
		"emails":     {"hs_timestamp", "hs_email_direction"},
	}
	for name, req := range want {
		o := builtinObjectByNameForTest(t, name)
		got := slices.Clone(o.Required)
		slices.Sort(got)
		w := slices.Clone(req)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s: Required = %v, want %v", name, o.Required, req)
		}
	}
}

func TestBuiltinUniqueProperties(t *testing.T) {
	for obj, prop := range builtinUniqueProperties {
		o := builtinObjectByNameForTest(t, obj)
		found := false
		for _, p := range o.Properties {
			if p.Name == prop {
				found = true
				if p.Type != TypeString {
					t.Errorf("%s.%s: type %s, want string", obj, prop, p.Type)
				}
			}
		}
		if !found {
			t.Errorf("%s: unique property %q does not exist", obj, prop)
		}
	}
}

func TestBuiltinAssociationTypes(t *testing.T) {
	objects := map[string]bool{}
	for _, o := range builtinObjects {
		objects[o.Name] = true
	}
	byID := map[int64]builtinAssociationType{}
	for _, a := range builtinAssociationTypes {
		if _, dup := byID[a.TypeID]; dup {
			t.Errorf("duplicate association type %d", a.TypeID)
		}
		byID[a.TypeID] = a
		if !objects[a.From] || !objects[a.To] {
			t.Errorf("type %d: unknown object in %s→%s", a.TypeID, a.From, a.To)
		}
		if a.Primary != (a.Label == "Primary") {
			t.Errorf("type %d: Primary = %v but label %q", a.TypeID, a.Primary, a.Label)
		}
		if a.MaxPerFrom < 0 {
			t.Errorf("type %d: MaxPerFrom = %d", a.TypeID, a.MaxPerFrom)
		}
	}
	for _, a := range builtinAssociationTypes {
		inv, ok := byID[a.InverseID]
		if !ok {
			t.Errorf("type %d: inverse %d does not exist", a.TypeID, a.InverseID)
			continue
		}
		if inv.InverseID != a.TypeID {
			t.Errorf("type %d: inverse %d points back to %d", a.TypeID, inv.TypeID, inv.InverseID)
		}
		if inv.From != a.To || inv.To != a.From {
			t.Errorf("type %d (%s→%s): inverse %d is %s→%s", a.TypeID, a.From, a.To, inv.TypeID, inv.From, inv.To)
		}
		if inv.Primary != a.Primary {
			t.Errorf("type %d: Primary %v, inverse %d Primary %v", a.TypeID, a.Primary, inv.TypeID, inv.Primary)
		}
		if a.InverseID == a.TypeID && a.From != a.To {
			t.Errorf("type %d: self-inverse but %s→%s", a.TypeID, a.From, a.To)
		}
	}

	// Spot checks against hubspot-api.md §3.3.
	for _, c := range []struct {
		id       int64
		from, to string
		inverse  int64
		primary  bool
	}{
		{1, "contacts", "companies", 2, true},
		{279, "contacts", "companies", 280, false},
		{3, "deals", "contacts", 4, false},
		{5, "deals", "companies", 6, true},
		{341, "deals", "companies", 342, false},
		{13, "companies", "companies", 14, false},
		{15, "contacts", "tickets", 16, false},
		{19, "deals", "line_items", 20, false},
		{25, "companies", "tickets", 26, true},
		{340, "companies", "tickets", 339, false},
		{27, "deals", "tickets", 28, false},
		{449, "contacts", "contacts", 449, false},
		{181, "companies", "calls", 182, false},
		{203, "contacts", "tasks", 204, false},
		{229, "tickets", "tasks", 230, false},
	} {
		a, ok := byID[c.id]
		if !ok {
			t.Errorf("type %d missing", c.id)
			continue
		}
		if a.From != c.from || a.To != c.to || a.InverseID != c.inverse || a.Primary != c.primary {
			t.Errorf("type %d = %+v, want %s→%s inverse %d primary %v", c.id, a, c.from, c.to, c.inverse, c.primary)
		}
	}
	if byID[13].Label != "Parent Company" || byID[14].Label != "Child Company" {
		t.Errorf("labels of 13/14 = %q/%q", byID[13].Label, byID[14].Label)
	}
	// A contact, deal or ticket has at most one primary company.
	for _, id := range []int64{1, 5, 26} {
		if byID[id].MaxPerFrom != 1 {
			t.Errorf("type %d: MaxPerFrom = %d, want 1", id, byID[id].MaxPerFrom)
		}
	}
}

func TestBuiltinPipelines(t *testing.T) {
	type key struct{ object, id string }
	seen := map[key]bool{}
	for _, pl := range builtinPipelines {
		k := key{pl.Object, pl.ID}
		if seen[k] {
			t.Errorf("duplicate pipeline %s/%s", pl.Object, pl.ID)
		}
		seen[k] = true
		if len(pl.Stages) == 0 {
			t.Errorf("pipeline %s/%s has no stages", pl.Object, pl.ID)
		}
		stages := map[string]bool{}
		for _, st := range pl.Stages {
			if stages[st.ID] {
				t.Errorf("pipeline %s/%s: duplicate stage %q", pl.Object, pl.ID, st.ID)
			}
			stages[st.ID] = true
			switch pl.Object {
			case "deals":
				if st.Metadata["probability"] == "" || st.Metadata["isClosed"] == "" {
					t.Errorf("deal stage %q: metadata %v", st.ID, st.Metadata)
				}
			case "tickets":
				if s := st.Metadata["ticketState"]; s != "OPEN" && s != "CLOSED" {
					t.Errorf("ticket stage %q: ticketState %q", st.ID, s)
				}
			}
		}
	}
	if !seen[key{"deals", "default"}] || !seen[key{"tickets", "0"}] {
		t.Errorf("default pipelines missing: %v", seen)
	}
}

// builtinStageIDsForTest lists the stage ids of every default pipeline of object.
func builtinStageIDsForTest(object string) []string {
	var ids []string
	for _, pl := range builtinPipelines {
		if pl.Object == object {
			for _, st := range pl.Stages {
				ids = append(ids, st.ID)
			}
		}
	}
	return ids
}

func builtinOptionValuesForTest(t *testing.T, object, prop string) []string {
	t.Helper()
	for _, p := range builtinObjectByNameForTest(t, object).Properties {
		if p.Name == prop {
			var vals []string
			for _, o := range p.Options {
				vals = append(vals, o.Value)
			}
			return vals
		}
	}
	t.Fatalf("%s has no property %q", object, prop)
	return nil
}

func TestBuiltinPipelines_MatchStageProperties(t *testing.T) {
	for _, c := range []struct{ object, stageProp, pipelineProp string }{
		{"deals", "dealstage", "pipeline"},
		{"tickets", "hs_pipeline_stage", "hs_pipeline"},
	} {
		got := builtinOptionValuesForTest(t, c.object, c.stageProp)
		want := builtinStageIDsForTest(c.object)
		if !slices.Equal(got, want) {
			t.Errorf("%s.%s options = %v, want stage ids %v", c.object, c.stageProp, got, want)
		}
		var pipelines []string
		for _, pl := range builtinPipelines {
			if pl.Object == c.object {
				pipelines = append(pipelines, pl.ID)
			}
		}
		if got := builtinOptionValuesForTest(t, c.object, c.pipelineProp); !slices.Equal(got, pipelines) {
			t.Errorf("%s.%s options = %v, want %v", c.object, c.pipelineProp, got, pipelines)
		}
	}
	want := []string{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
		"decisionmakerboughtin", "contractsent", "closedwon", "closedlost"}
	if got := builtinStageIDsForTest("deals"); !slices.Equal(got, want) {
		t.Errorf("deal stages = %v, want %v", got, want)
	}
}

func TestBuiltinLifecycleStages(t *testing.T) {
	want := []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
		"opportunity", "customer", "evangelist", "other"}
	for _, obj := range []string{"contacts", "companies"} {
		if got := builtinOptionValuesForTest(t, obj, "lifecyclestage"); !slices.Equal(got, want) {
			t.Errorf("%s.lifecyclestage = %v, want %v", obj, got, want)
		}
	}
}

// The option slices of a shared option set must not alias between
// properties: the store may edit one property's options in place.
func TestBuiltinOptionsNotAliased(t *testing.T) {
	seen := map[*Option]string{}
	for _, o := range builtinObjects {
		for _, p := range o.Properties {
			if len(p.Options) == 0 {
				continue
			}
			ptr := &p.Options[0]
			if prev, ok := seen[ptr]; ok {
				t.Errorf("%s.%s shares its options with %s", o.Name, p.Name, prev)
			}
			seen[ptr] = o.Name + "." + p.Name
		}
	}
}
