package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/tandem-crm/tandem/crmstore"
)

// plan is a Spec checked against the catalogue, with its files open and
// their headers read and mapped.
type plan struct {
	spec    Spec
	objects []*objectPlan
	files   []*filePlan
	owners  *ownerCache
}

// objectPlan is how one object's rows are written.
type objectPlan struct {
	name, typeID string
	op           string
	match        string // "hs_object_id" or a unique property
	noOverwrite  []string
	forwardOnly  []string
	props        map[string]*crmstore.Property
	// auto maps normalised names, then labels, to properties.
	autoName, autoLabel map[string]*crmstore.Property
}

// Column kinds.
const (
	colUnmapped = iota
	colIgnore
	colProperty // a property value (also the key when it is the match property)
	colID       // the record id the row matches by
	colLink     // names a record of another object to associate with
)

// columnPlan is what one column of a file does.
type columnPlan struct {
	kind   int
	header string
	part   int // index into filePlan.parts
	prop   *crmstore.Property
	isKey  bool
	toObj  *objectPlan
	toProp string
	// slot is the column's place among its part's property columns
	// (filePlan.partColumns), for colProperty.
	slot int
}

// filePlan is one open file with its mapped header.
type filePlan struct {
	spec    FileSpec
	f       *os.File
	rd      *csvReader
	size    int64
	header  []string
	columns []columnPlan
	parts   []*objectPlan
	// first is the first data row, read ahead to tell a header-only file.
	first    *csvRecord
	unmapped []string
	// targets lists the objects this file's link columns point to.
	targets []*objectPlan
	// partColumns names, per part, the properties of its columns in the
	// order rows carry their values (crmstore.ImportPart.Columns);
	// slots is their total.
	partColumns [][]string
	slots       int
}

// defaultMatch is the property an object's records are matched by by default.
func defaultMatch(object string) string {
	switch object {
	case "contacts":
		return "email"
	case "companies":
		return "domain"
	}
	return "hs_object_id"
}

// forwardOnly lists, per object, properties an import never moves back
// (HubSpot: lifecycle stages only move forward through imports).
var forwardOnly = map[string][]string{
	"contacts":  {"lifecyclestage"},
	"companies": {"lifecyclestage"},
}

// normHeader folds a header or property name for automatic mapping: lower
// case, letters and digits only ("First Name" and "first_name" → "firstname").
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// prepare checks spec, opens its files and maps their headers. Every
// problem is collected into one SpecError.
func (im *Importer) prepare(ctx context.Context, spec Spec) (*plan, error) {
	p := &plan{spec: spec, owners: &ownerCache{store: im.store}}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(spec.Files) == 0 {
		return nil, &SpecError{Problems: []string{"the import has no file"}}
	}
	switch spec.DateFormat {
	case "", DayMonthYear, MonthDayYear, YearMonthDay:
	default:
		add("date format %q is not one of %s, %s, %s", spec.DateFormat, DayMonthYear, MonthDayYear, YearMonthDay)
	}
	for _, ospec := range spec.Objects {
		if _, err := p.object(ctx, im.store, ospec.Object); err != nil {
			add("%v", err)
		}
	}
	for i, fs := range spec.Files {
		fp, errs := p.openFile(ctx, im.store, fs)
		for _, e := range errs {
			add("file %s: %s", fileLabel(fs, i), e)
		}
		if fp != nil {
			p.files = append(p.files, fp)
		}
	}
	if len(problems) == 0 {
		problems = p.orderFiles()
	}
	if len(problems) > 0 {
		p.close()
		return nil, &SpecError{Problems: problems}
	}
	return p, nil
}

func fileLabel(fs FileSpec, i int) string {
	if fs.Name != "" {
		return fs.Name
	}
	if fs.Path != "" {
		return filepath.Base(fs.Path)
	}
	return fmt.Sprintf("#%d", i+1)
}

// object returns the plan of an object, resolving it on first mention.
func (p *plan) object(ctx context.Context, store *crmstore.Store, ref string) (*objectPlan, error) {
	ref = strings.TrimSpace(ref)
	for _, o := range p.objects {
		if strings.EqualFold(o.name, ref) || o.typeID == ref || strings.EqualFold("p_"+o.name, ref) {
			return o, nil
		}
	}
	props, err := store.Properties(ctx, ref, false)
	if err != nil {
		if errors.Is(err, crmstore.ErrNotFound) {
			return nil, fmt.Errorf("object %q does not exist", ref)
		}
		return nil, fmt.Errorf("read properties of %s: %w", ref, err)
	}
	schema, err := store.Schema(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("object %q: %w", ref, err)
	}
	o := &objectPlan{name: schema.Name, typeID: schema.TypeID, op: crmstore.ImportUpsert, match: defaultMatch(schema.Name),
		props: map[string]*crmstore.Property{}, autoName: map[string]*crmstore.Property{}, autoLabel: map[string]*crmstore.Property{},
		forwardOnly: forwardOnly[schema.Name]}
	ambiguous := map[string]bool{}
	for i := range props {
		pr := &props[i]
		o.props[pr.Name] = pr
		if pr.ReadOnlyValue || pr.Calculated {
			continue
		}
		o.autoName[normHeader(pr.Name)] = pr
		l := normHeader(pr.Label)
		if prev := o.autoLabel[l]; prev != nil && prev != pr {
			ambiguous[l] = true
		}
		o.autoLabel[l] = pr
	}
	for l := range ambiguous {
		delete(o.autoLabel, l) // two properties share the label: map by name only
	}
	if err := p.applyObjectSpec(o); err != nil {
		return nil, err
	}
	p.objects = append(p.objects, o)
	return o, nil
}

// applyObjectSpec sets an object's operation, match and no-overwrite list
// from the spec, checking them.
func (p *plan) applyObjectSpec(o *objectPlan) error {
	for _, ospec := range p.spec.Objects {
		if !strings.EqualFold(ospec.Object, o.name) && ospec.Object != o.typeID && !strings.EqualFold(ospec.Object, "p_"+o.name) {
			continue
		}
		if ospec.Operation != "" {
			op := strings.ToUpper(ospec.Operation)
			if op != crmstore.ImportCreate && op != crmstore.ImportUpdate && op != crmstore.ImportUpsert {
				return fmt.Errorf("%s: operation %q is not CREATE, UPDATE or UPSERT", o.name, ospec.Operation)
			}
			o.op = op
		}
		if ospec.Match != "" {
			m := strings.TrimSpace(ospec.Match)
			if strings.EqualFold(m, "id") || strings.EqualFold(m, "hs_object_id") || normHeader(m) == "recordid" {
				o.match = "hs_object_id"
			} else {
				pr := o.props[m]
				if pr == nil {
					return fmt.Errorf("%s: match property %q does not exist", o.name, m)
				}
				if !pr.HasUniqueValue && defaultMatch(o.name) != pr.Name {
					return fmt.Errorf("%s: match property %q does not hold unique values; match by id or a unique property", o.name, m)
				}
				o.match = pr.Name
			}
		}
		for _, n := range ospec.NoOverwrite {
			if o.props[n] == nil {
				return fmt.Errorf("%s: no-overwrite property %q does not exist", o.name, n)
			}
			o.noOverwrite = append(o.noOverwrite, n)
		}
	}
	return nil
}

// openFile opens one file, reads its header and first row and maps its
// columns. It returns the problems found.
func (p *plan) openFile(ctx context.Context, store *crmstore.Store, fs FileSpec) (*filePlan, []string) {
	f, err := os.Open(fs.Path)
	if err != nil {
		return nil, []string{fmt.Sprintf("cannot open: %v", err)}
	}
	fp := &filePlan{spec: fs, f: f, rd: newCSVReader(f)}
	if st, err := f.Stat(); err == nil {
		fp.size = st.Size()
	}
	fail := func(msg string) (*filePlan, []string) {
		f.Close()
		return nil, []string{msg}
	}
	head, err := fp.rd.next()
	if errors.Is(err, io.EOF) {
		return fail("the file is empty: it needs a header row and at least one data row")
	}
	if err != nil {
		return fail(fmt.Sprintf("read header: %v", err))
	}
	if head.problem != "" {
		return fail(fmt.Sprintf("header (line %d): %s", head.line, head.message))
	}
	fp.header = head.fields
	fp.rd.width = len(head.fields)
	first, err := fp.rd.next()
	if errors.Is(err, io.EOF) {
		return fail("the file has a header but no data rows")
	}
	if err != nil {
		return fail(fmt.Sprintf("read line %d: %v", head.line+1, err))
	}
	fp.first = &first
	if problems := p.mapColumns(ctx, store, fp); len(problems) > 0 {
		f.Close()
		return nil, problems
	}
	fp.assignSlots()
	return fp, nil
}

// assignSlots numbers each part's property columns, which is where rows
// keep their values.
func (fp *filePlan) assignSlots() {
	fp.partColumns = make([][]string, len(fp.parts))
	for i := range fp.columns {
		c := &fp.columns[i]
		if c.kind != colProperty {
			continue
		}
		c.slot = len(fp.partColumns[c.part])
		fp.partColumns[c.part] = append(fp.partColumns[c.part], c.prop.Name)
		fp.slots++
	}
}

// mapColumns maps each header to what its column does: explicit
// ColumnSpecs first, then automatic mapping to the file's object.
func (p *plan) mapColumns(ctx context.Context, store *crmstore.Store, fp *filePlan) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	fp.columns = make([]columnPlan, len(fp.header))
	byNorm := map[string]int{}
	for i, h := range fp.header {
		fp.columns[i].header = h
		n := normHeader(h)
		if n == "" {
			continue
		}
		if j, dup := byNorm[n]; dup {
			add("columns %d and %d have the same header %q", j+1, i+1, h)
			continue
		}
		byNorm[n] = i
	}
	var fileObj *objectPlan
	if fp.spec.Object != "" {
		o, err := p.object(ctx, store, fp.spec.Object)
		if err != nil {
			return []string{err.Error()}
		}
		fileObj = o
	}
	explicit := map[int]bool{}
	for _, cs := range fp.spec.Columns {
		i, ok := byNorm[normHeader(cs.Name)]
		if !ok {
			add("column %q is not in the header", cs.Name)
			continue
		}
		explicit[i] = true
		if err := p.mapExplicit(ctx, store, fp, i, cs, fileObj); err != nil {
			add("column %q: %v", cs.Name, err)
		}
	}
	for i, h := range fp.header {
		if explicit[i] {
			continue
		}
		if fileObj == nil || normHeader(h) == "" {
			fp.unmapped = append(fp.unmapped, h)
			continue
		}
		pr := fileObj.autoName[normHeader(h)]
		if pr == nil {
			pr = fileObj.autoLabel[normHeader(h)]
		}
		if pr == nil {
			if normHeader(h) == "recordid" || normHeader(h) == "hsobjectid" {
				pr = fileObj.props["hs_object_id"]
			}
		}
		if pr == nil || (pr.Name == "hs_object_id" && fileObj.match != "hs_object_id") {
			fp.unmapped = append(fp.unmapped, h)
			continue
		}
		p.setProperty(fp, i, fileObj, pr)
	}
	problems = append(problems, checkDuplicateTargets(fp)...)
	return problems
}

// mapExplicit maps column i as cs says.
func (p *plan) mapExplicit(ctx context.Context, store *crmstore.Store, fp *filePlan, i int, cs ColumnSpec, fileObj *objectPlan) error {
	if cs.Ignore {
		fp.columns[i].kind = colIgnore
		return nil
	}
	obj := fileObj
	if cs.Object != "" {
		o, err := p.object(ctx, store, cs.Object)
		if err != nil {
			return err
		}
		obj = o
	}
	if obj == nil {
		return fmt.Errorf("no object given for the column")
	}
	if cs.ToObject != "" {
		to, err := p.object(ctx, store, cs.ToObject)
		if err != nil {
			return err
		}
		prop := cs.Property
		if prop == "" || strings.EqualFold(prop, "id") {
			prop = to.match
			if cs.Property != "" {
				prop = "hs_object_id"
			}
		}
		if tp := to.props[prop]; prop != "hs_object_id" && (tp == nil || (!tp.HasUniqueValue && defaultMatch(to.name) != prop)) {
			return fmt.Errorf("%s property %q does not identify a record: use hs_object_id or a unique property", to.name, prop)
		}
		fp.columns[i] = columnPlan{kind: colLink, header: fp.header[i], part: fp.partOf(obj), toObj: to, toProp: prop}
		fp.addTarget(to)
		return nil
	}
	name := strings.TrimSpace(cs.Property)
	if strings.EqualFold(name, "id") || normHeader(name) == "recordid" {
		name = "hs_object_id"
	}
	pr := obj.props[name]
	if pr == nil {
		return fmt.Errorf("%s property %q does not exist", obj.name, name)
	}
	if pr.Name == "hs_object_id" {
		if obj.match != "hs_object_id" {
			return fmt.Errorf("maps to the record id, but %s are matched by %s: match by id to use it", obj.name, obj.match)
		}
	} else if pr.ReadOnlyValue || pr.Calculated {
		return fmt.Errorf("%s property %q is read-only", obj.name, name)
	}
	p.setProperty(fp, i, obj, pr)
	return nil
}

// setProperty maps column i to property pr of obj.
func (p *plan) setProperty(fp *filePlan, i int, obj *objectPlan, pr *crmstore.Property) {
	c := columnPlan{kind: colProperty, header: fp.header[i], part: fp.partOf(obj), prop: pr, isKey: pr.Name == obj.match}
	if pr.Name == "hs_object_id" {
		c.kind = colID
	}
	fp.columns[i] = c
}

// partOf returns the index of obj among the file's parts, adding it.
func (fp *filePlan) partOf(obj *objectPlan) int {
	for i, o := range fp.parts {
		if o == obj {
			return i
		}
	}
	fp.parts = append(fp.parts, obj)
	return len(fp.parts) - 1
}

func (fp *filePlan) addTarget(o *objectPlan) {
	for _, t := range fp.targets {
		if t == o {
			return
		}
	}
	fp.targets = append(fp.targets, o)
}

// checkDuplicateTargets refuses two columns filling one property.
func checkDuplicateTargets(fp *filePlan) []string {
	var problems []string
	seen := map[string]string{}
	for _, c := range fp.columns {
		if c.kind != colProperty && c.kind != colID {
			continue
		}
		k := fp.parts[c.part].name + "." + c.prop.Name
		if prev, dup := seen[k]; dup {
			problems = append(problems, fmt.Sprintf("columns %q and %q both map to %s", prev, c.header, k))
			continue
		}
		seen[k] = c.header
	}
	for _, o := range fp.parts {
		if o.op == crmstore.ImportUpdate && !fp.hasKey(o) {
			problems = append(problems, fmt.Sprintf("%s are only updated, matched by %s, but no column maps to %s", o.name, o.match, o.match))
		}
	}
	return problems
}

// hasKey reports whether a column of the file holds o's match value.
func (fp *filePlan) hasKey(o *objectPlan) bool {
	for _, c := range fp.columns {
		if (c.kind == colProperty && c.isKey || c.kind == colID) && fp.parts[c.part] == o {
			return true
		}
	}
	return false
}

// orderFiles puts the files other files link to before those files, and
// checks that every file imports something.
func (p *plan) orderFiles() []string {
	var problems []string
	for _, fp := range p.files {
		if len(fp.parts) == 0 {
			problems = append(problems, fmt.Sprintf("file %s: no column maps to a property", fp.spec.Name))
		}
	}
	rank := func(fp *filePlan) int {
		for _, other := range p.files {
			for _, t := range other.targets {
				for _, o := range fp.parts {
					if o == t && other != fp {
						return 0
					}
				}
			}
		}
		return 1
	}
	sort.SliceStable(p.files, func(i, j int) bool { return rank(p.files[i]) < rank(p.files[j]) })
	return problems
}

// unmapped lists the unmapped columns per file.
func (p *plan) unmapped() map[string][]string {
	out := map[string][]string{}
	for _, fp := range p.files {
		if len(fp.unmapped) > 0 {
			out[fp.spec.Name] = fp.unmapped
		}
	}
	return out
}

// close closes the plan's files.
func (p *plan) close() {
	for _, fp := range p.files {
		fp.f.Close()
	}
}
