package api

// HubSpot's importRequest (the JSON part of POST /crm/v3/imports) and its
// translation into an importer.Spec.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tandem-crm/tandem/internal/importer"
)

// importRequest is HubSpot's importRequest JSON.
type importRequest struct {
	Name             string            `json:"name"`
	ImportOperations map[string]string `json:"importOperations"`
	DateFormat       string            `json:"dateFormat"`
	// Accepted for compatibility; Tandem has no marketing contacts, and
	// lists of imported records are not made.
	MarketableContactImport     bool              `json:"marketableContactImport"`
	CreateContactListFromImport bool              `json:"createContactListFromImport"`
	Files                       []importFileEntry `json:"files"`
}

// importFileEntry is one entry of importRequest.files.
type importFileEntry struct {
	FileName       string `json:"fileName"`
	FileFormat     string `json:"fileFormat"`
	FileImportPage *struct {
		HasHeader      *bool                 `json:"hasHeader"`
		ColumnMappings []importColumnMapping `json:"columnMappings"`
	} `json:"fileImportPage"`
}

// importColumnMapping is one entry of fileImportPage.columnMappings.
type importColumnMapping struct {
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

// upload is a file part saved by the importer for a background import.
type upload struct {
	name, path string
}

// Column types of HubSpot's column mappings.
const (
	columnTypeObjectID    = "HUBSPOT_OBJECT_ID"
	columnTypeAlternateID = "HUBSPOT_ALTERNATE_ID"
)

// importSpec translates an importRequest and the uploaded files into an
// importer.Spec. Every problem with the request is collected into one 400.
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
func importSpec(raw []byte, uploads []upload) (importer.Spec, error) {
	var req importRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&req); err != nil {
		return importer.Spec{}, errBadRequest("importRequest is not valid JSON: %v", err)
	}
	spec := importer.Spec{Name: req.Name, Source: importer.SourceAPI, AssociateRows: true, Request: json.RawMessage(raw)}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	switch df := importer.DateFormat(strings.ToUpper(req.DateFormat)); df {
	case "":
	case importer.DayMonthYear, importer.MonthDayYear, importer.YearMonthDay:
		spec.DateFormat = df
	default:
		add("dateFormat %q is not DAY_MONTH_YEAR, MONTH_DAY_YEAR or YEAR_MONTH_DAY", req.DateFormat)
	}
	objects := map[string]*importer.ObjectSpec{}
	for _, obj := range sortedKeys(req.ImportOperations) {
		objects[obj] = &importer.ObjectSpec{Object: obj, Operation: strings.ToUpper(req.ImportOperations[obj])}
	}
	objectSpec := func(obj string) *importer.ObjectSpec {
		if objects[obj] == nil {
			objects[obj] = &importer.ObjectSpec{Object: obj}
		}
		return objects[obj]
	}
	if len(req.Files) == 0 {
		add("importRequest.files is empty: describe each uploaded file")
	}
	if len(req.Files) != len(uploads) {
		add("importRequest.files describes %d file(s) but %d were uploaded in the files part", len(req.Files), len(uploads))
	}
	used := map[int]bool{}
	for fi, f := range req.Files {
		where := fmt.Sprintf("files[%d]", fi)
		up, ok := matchUpload(f.FileName, fi, uploads, used)
		if !ok {
			add("%s: no uploaded file is named %q", where, f.FileName)
			continue
		}
		if ff := strings.ToUpper(f.FileFormat); ff != "" && ff != "CSV" {
			add("%s: fileFormat %q is not supported; upload CSV", where, f.FileFormat)
		}
		fs := importer.FileSpec{Name: up.name, Path: up.path, RemoveAfter: true}
		if f.FileImportPage != nil && f.FileImportPage.HasHeader != nil && !*f.FileImportPage.HasHeader {
			add("%s: files without a header row are not supported; columns are mapped by their headers", where)
		}
		var mappings []importColumnMapping
		if f.FileImportPage != nil {
			mappings = f.FileImportPage.ColumnMappings
		}
		if len(mappings) == 0 {
			if len(req.ImportOperations) != 1 {
				add("%s: without columnMappings, importOperations must name exactly one object", where)
			} else {
				fs.Object = sortedKeys(req.ImportOperations)[0]
			}
		}
		for ci, m := range mappings {
			cs, err := columnSpec(m, objectSpec)
			if err != nil {
				add("%s.fileImportPage.columnMappings[%d] (%q): %s", where, ci, m.ColumnName, err)
				continue
			}
			fs.Columns = append(fs.Columns, cs)
		}
		spec.Files = append(spec.Files, fs)
	}
	for _, obj := range sortedKeys(objects) {
		spec.Objects = append(spec.Objects, *objects[obj])
	}
	if len(problems) > 0 {
		return importer.Spec{}, importProblems(problems)
	}
	return spec, nil
}

// matchUpload finds the upload a files entry describes: by file name, or,
// when the names do not say, the upload in the same position.
func matchUpload(name string, i int, uploads []upload, used map[int]bool) (upload, bool) {
	for j, up := range uploads {
		if !used[j] && up.name == name {
			used[j] = true
			return up, true
		}
	}
	if i < len(uploads) && !used[i] && (name == "" || len(uploads) == 1) {
		used[i] = true
		return uploads[i], true
	}
	return upload{}, false
}

// columnSpec translates one column mapping.
func columnSpec(m importColumnMapping, objectSpec func(string) *importer.ObjectSpec) (importer.ColumnSpec, error) {
	if strings.TrimSpace(m.ColumnName) == "" {
		return importer.ColumnSpec{}, fmt.Errorf("columnName is required")
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
		return importer.ColumnSpec{}, fmt.Errorf("columnType %q is not supported; use STANDARD, HUBSPOT_OBJECT_ID or HUBSPOT_ALTERNATE_ID", m.ColumnType)
	}
	if m.ToColumnObjectTypeID != "" {
		if m.ColumnObjectTypeID == "" {
			return importer.ColumnSpec{}, fmt.Errorf("columnObjectTypeId is required with toColumnObjectTypeId")
		}
		return importer.ColumnSpec{Name: m.ColumnName, Object: m.ToColumnObjectTypeID, ToObject: m.ColumnObjectTypeID, Property: prop}, nil
	}
	if prop == "" {
		return importer.ColumnSpec{Name: m.ColumnName, Ignore: true}, nil
	}
	if m.ColumnObjectTypeID == "" {
		return importer.ColumnSpec{}, fmt.Errorf("columnObjectTypeId is required")
	}
	switch colType {
	case columnTypeObjectID:
		objectSpec(m.ColumnObjectTypeID).Match = "hs_object_id"
		prop = "hs_object_id"
	case columnTypeAlternateID:
		objectSpec(m.ColumnObjectTypeID).Match = prop
	}
	return importer.ColumnSpec{Name: m.ColumnName, Object: m.ColumnObjectTypeID, Property: prop}, nil
}

// importProblems is the 400 listing every problem of an import request.
func importProblems(problems []string) *apiError {
	e := errBadRequest("the import request is not valid: %s", strings.Join(problems, "; "))
	for _, p := range problems {
		e.body.Errors = append(e.body.Errors, errorDetail{Message: p})
	}
	return e
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
