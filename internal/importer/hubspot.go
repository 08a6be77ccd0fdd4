package importer

// HubSpot's importRequest (the JSON part of POST /crm/v3/imports) and its
// translation into a Spec. The imports API is its one caller; it lives here
// so that the meaning of a column mapping is defined next to the Spec it
// becomes.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
)

// hubSpotRequest is HubSpot's importRequest JSON.
type hubSpotRequest struct {
	Name             string            `json:"name"`
	ImportOperations map[string]string `json:"importOperations"`
	DateFormat       string            `json:"dateFormat"`
	// Accepted for compatibility; Tandem has no marketing contacts, and
	// lists of imported records are not made.
	MarketableContactImport     bool             `json:"marketableContactImport"`
	CreateContactListFromImport bool             `json:"createContactListFromImport"`
	Files                       []hubSpotFileReq `json:"files"`
}

// hubSpotFileReq is one entry of importRequest.files.
type hubSpotFileReq struct {
	FileName       string `json:"fileName"`
	FileFormat     string `json:"fileFormat"`
	FileImportPage *struct {
		// HasHeader is a pointer because HubSpot's clients often leave it
		// out, which means a header row.
		HasHeader      *bool                  `json:"hasHeader"`
		ColumnMappings []hubSpotColumnMapping `json:"columnMappings"`
	} `json:"fileImportPage"`
}

// hubSpotColumnMapping is one entry of fileImportPage.columnMappings.
type hubSpotColumnMapping struct {
	ColumnObjectTypeID   string  `json:"columnObjectTypeId"`
	ColumnName           string  `json:"columnName"`
	PropertyName         *string `json:"propertyName"`
	ColumnType           string  `json:"columnType"`
	IDColumnType         string  `json:"idColumnType"`
	ToColumnObjectTypeID string  `json:"toColumnObjectTypeId"`
	ForeignKeyType       *struct {
		AssociationTypeID   int64  `json:"associationTypeId"`
		AssociationCategory string `json:"associationCategory"`
	} `json:"foreignKeyType"`
}

// Upload is a file uploaded with an importRequest and saved by
// Importer.SaveUpload.
type Upload struct {
	// Name is the file name the client gave the upload.
	Name string
	// Path is where SaveUpload saved it.
	Path string
}

// Column types of HubSpot's column mappings that say a column identifies
// records.
const (
	columnTypeObjectID    = "HUBSPOT_OBJECT_ID"
	columnTypeAlternateID = "HUBSPOT_ALTERNATE_ID"
)

// HubSpotSpec translates HubSpot's importRequest JSON (raw, kept as
// Spec.Request) and the files uploaded with it into a Spec. The uploads are
// removed when the import ends. Every problem with the request is collected
// into one *SpecError, each naming the field at fault.
//
// Mapping. A column mapping with a propertyName fills that property of
// columnObjectTypeId; one without a propertyName (null) is skipped. One
// with a toColumnObjectTypeId is a multi-file join, as HubSpot documents
// it: the column holds values of propertyName of columnObjectTypeId's
// records (their email, say), and each row's toColumnObjectTypeId record
// is associated with the record the value names. A column of type
// HUBSPOT_OBJECT_ID makes its object match records by id, one of type
// HUBSPOT_ALTERNATE_ID by that (unique) property. Without column mappings
// a file's columns map automatically to the properties of the one object
// of importOperations.
func HubSpotSpec(raw []byte, uploads []Upload) (Spec, error) {
	var req hubSpotRequest
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&req); err != nil {
		return Spec{}, &SpecError{Problems: []string{fmt.Sprintf("importRequest is not valid JSON: %v", err)}}
	}
	t := hubSpotTranslation{
		req:     req,
		spec:    Spec{Name: req.Name, Source: SourceAPI, AssociateRows: true, Request: json.RawMessage(raw)},
		objects: map[string]*ObjectSpec{},
	}
	t.dateFormat()
	t.operations()
	t.files(uploads)
	for _, obj := range sortedKeys(t.objects) {
		t.spec.Objects = append(t.spec.Objects, *t.objects[obj])
	}
	if len(t.problems) > 0 {
		return Spec{}, &SpecError{Problems: t.problems}
	}
	return t.spec, nil
}

// hubSpotTranslation is the state of one HubSpotSpec call.
type hubSpotTranslation struct {
	req      hubSpotRequest
	spec     Spec
	objects  map[string]*ObjectSpec
	problems []string
}

func (t *hubSpotTranslation) add(format string, args ...any) {
	t.problems = append(t.problems, fmt.Sprintf(format, args...))
}

// object returns the ObjectSpec of obj, adding it.
func (t *hubSpotTranslation) object(obj string) *ObjectSpec {
	if t.objects[obj] == nil {
		t.objects[obj] = &ObjectSpec{Object: obj}
	}
	return t.objects[obj]
}

func (t *hubSpotTranslation) dateFormat() {
	switch df := DateFormat(strings.ToUpper(t.req.DateFormat)); df {
	case "":
	case DayMonthYear, MonthDayYear, YearMonthDay:
		t.spec.DateFormat = df
	default:
		t.add("dateFormat %q is not DAY_MONTH_YEAR, MONTH_DAY_YEAR or YEAR_MONTH_DAY", t.req.DateFormat)
	}
}

func (t *hubSpotTranslation) operations() {
	for _, obj := range sortedKeys(t.req.ImportOperations) {
		op := strings.ToUpper(t.req.ImportOperations[obj])
		switch op {
		case "", crmstore.ImportCreate, crmstore.ImportUpdate, crmstore.ImportUpsert:
			// An empty operation leaves the object's default (UPSERT).
			t.object(obj).Operation = op
		default:
			t.add("importOperations[%q]: %q is not CREATE, UPDATE or UPSERT", obj, t.req.ImportOperations[obj])
		}
	}
}

func (t *hubSpotTranslation) files(uploads []Upload) {
	if len(t.req.Files) == 0 {
		t.add("importRequest.files is empty: describe each uploaded file")
	}
	if len(t.req.Files) != len(uploads) {
		t.add("importRequest.files describes %d file(s) but %d were uploaded in the files part", len(t.req.Files), len(uploads))
	}
	used := map[int]bool{}
	for fi, f := range t.req.Files {
		where := fmt.Sprintf("files[%d]", fi)
		up, ok := matchUpload(f.FileName, fi, uploads, used)
		if !ok {
			t.add("%s: no uploaded file is named %q", where, f.FileName)
			continue
		}
		t.spec.Files = append(t.spec.Files, t.file(where, f, up))
	}
}

// file translates one files entry, describing the upload up.
func (t *hubSpotTranslation) file(where string, f hubSpotFileReq, up Upload) FileSpec {
	if ff := strings.ToUpper(f.FileFormat); ff != "" && ff != "CSV" {
		t.add("%s: fileFormat %q is not supported; upload CSV", where, f.FileFormat)
	}
	fs := FileSpec{Name: up.Name, Path: up.Path, RemoveAfter: true}
	var mappings []hubSpotColumnMapping
	if page := f.FileImportPage; page != nil {
		if page.HasHeader != nil && !*page.HasHeader {
			t.add("%s: files without a header row are not supported; columns are mapped by their headers", where)
		}
		mappings = page.ColumnMappings
	}
	if len(mappings) == 0 {
		if len(t.req.ImportOperations) != 1 {
			t.add("%s: without columnMappings, importOperations must name exactly one object", where)
		} else {
			fs.Object = sortedKeys(t.req.ImportOperations)[0]
		}
	}
	for ci, m := range mappings {
		cs, err := t.column(m)
		if err != nil {
			t.add("%s.fileImportPage.columnMappings[%d] (%q): %s", where, ci, m.ColumnName, err)
			continue
		}
		fs.Columns = append(fs.Columns, cs)
	}
	return fs
}

// matchUpload finds the upload a files entry describes: by file name, or,
// when the names do not say, the upload in the same position.
func matchUpload(name string, i int, uploads []Upload, used map[int]bool) (Upload, bool) {
	for j, up := range uploads {
		if !used[j] && up.Name == name {
			used[j] = true
			return up, true
		}
	}
	if i < len(uploads) && !used[i] && (name == "" || len(uploads) == 1) {
		used[i] = true
		return uploads[i], true
	}
	return Upload{}, false
}

// column translates one column mapping, noting id columns as their
// object's match key.
func (t *hubSpotTranslation) column(m hubSpotColumnMapping) (ColumnSpec, error) {
	if strings.TrimSpace(m.ColumnName) == "" {
		return ColumnSpec{}, fmt.Errorf("columnName is required")
	}
	prop := ""
	if m.PropertyName != nil {
		prop = strings.TrimSpace(*m.PropertyName)
	}
	colType := strings.ToUpper(m.ColumnType)
	if colType == "" {
		colType = strings.ToUpper(m.IDColumnType)
	}
	switch colType {
	case "", "STANDARD", columnTypeObjectID, columnTypeAlternateID:
	default:
		return ColumnSpec{}, fmt.Errorf("columnType %q is not supported; use STANDARD, HUBSPOT_OBJECT_ID or HUBSPOT_ALTERNATE_ID", m.ColumnType)
	}
	if m.ToColumnObjectTypeID != "" {
		if m.ColumnObjectTypeID == "" {
			return ColumnSpec{}, fmt.Errorf("columnObjectTypeId is required with toColumnObjectTypeId")
		}
		return ColumnSpec{Name: m.ColumnName, Object: m.ToColumnObjectTypeID, ToObject: m.ColumnObjectTypeID, Property: prop}, nil
	}
	if prop == "" {
		return ColumnSpec{Name: m.ColumnName, Ignore: true}, nil
	}
	if m.ColumnObjectTypeID == "" {
		return ColumnSpec{}, fmt.Errorf("columnObjectTypeId is required")
	}
	switch colType {
	case columnTypeObjectID:
		t.object(m.ColumnObjectTypeID).Match = "hs_object_id"
		prop = "hs_object_id"
	case columnTypeAlternateID:
		t.object(m.ColumnObjectTypeID).Match = prop
	}
	return ColumnSpec{Name: m.ColumnName, Object: m.ColumnObjectTypeID, Property: prop}, nil
}

// sortedKeys returns m's keys in order, so that problems and objects come
// out the same for the same request.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
