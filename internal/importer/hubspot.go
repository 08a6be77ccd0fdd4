package importer

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tandem-crm/tandem/crmstore"
)

// HubSpotRequest is the importRequest JSON of HubSpot's POST /crm/v3/imports.
type HubSpotRequest struct {
	Name                        string            `json:"name"`
	ImportOperations            map[string]string `json:"importOperations"`
	DateFormat                  string            `json:"dateFormat,omitempty"`
	MarketableContactImport     bool              `json:"marketableContactImport,omitempty"`
	CreateContactListFromImport bool              `json:"createContactListFromImport,omitempty"`
	Files                       []HubSpotFile     `json:"files"`
}

// HubSpotFile is one file of an importRequest.
type HubSpotFile struct {
	FileName       string `json:"fileName"`
	FileFormat     string `json:"fileFormat,omitempty"`
	FileImportPage struct {
		HasHeader      bool                `json:"hasHeader"`
		ColumnMappings []HubSpotColumnSpec `json:"columnMappings"`
	} `json:"fileImportPage"`
}

// HubSpotColumnSpec is one column mapping of an importRequest.
type HubSpotColumnSpec struct {
	ColumnObjectTypeID   string  `json:"columnObjectTypeId"`
	ColumnName           string  `json:"columnName"`
	PropertyName         *string `json:"propertyName"`
	ColumnType           string  `json:"columnType,omitempty"`
	IDColumnType         string  `json:"idColumnType,omitempty"`
	ToColumnObjectTypeID string  `json:"toColumnObjectTypeId,omitempty"`
	ForeignKeyType       *struct {
		AssociationTypeID   int64  `json:"associationTypeId"`
		AssociationCategory string `json:"associationCategory"`
	} `json:"foreignKeyType,omitempty"`
}

// HubSpot column types that say a column identifies records.
const (
	columnObjectID    = "HUBSPOT_OBJECT_ID"
	columnAlternateID = "HUBSPOT_ALTERNATE_ID"
)

// ParseHubSpotRequest decodes an importRequest JSON document. Problems are
// a *SpecError naming the field.
func ParseHubSpotRequest(data []byte) (HubSpotRequest, error) {
	var r HubSpotRequest
	if err := json.Unmarshal(data, &r); err != nil {
		return r, &SpecError{Problems: []string{fmt.Sprintf("importRequest is not valid JSON: %v", err)}}
	}
	var problems []string
	if len(r.Files) == 0 {
		problems = append(problems, "importRequest.files: at least one file is needed")
	}
	for i, f := range r.Files {
		if f.FileName == "" {
			problems = append(problems, fmt.Sprintf("importRequest.files[%d].fileName is required", i))
		}
		if ff := strings.ToUpper(f.FileFormat); ff != "" && ff != "CSV" {
			problems = append(problems, fmt.Sprintf("importRequest.files[%d].fileFormat %q is not supported: only CSV", i, f.FileFormat))
		}
		if !f.FileImportPage.HasHeader {
			problems = append(problems, fmt.Sprintf("importRequest.files[%d].fileImportPage.hasHeader must be true: columns are mapped by header", i))
		}
		for j, c := range f.FileImportPage.ColumnMappings {
			if c.ColumnName == "" || c.ColumnObjectTypeID == "" {
				problems = append(problems, fmt.Sprintf("importRequest.files[%d].fileImportPage.columnMappings[%d]: columnName and columnObjectTypeId are required", i, j))
			}
		}
	}
	for obj, op := range r.ImportOperations {
		switch strings.ToUpper(op) {
		case crmstore.ImportCreate, crmstore.ImportUpdate, crmstore.ImportUpsert:
		default:
			problems = append(problems, fmt.Sprintf("importRequest.importOperations[%q]: %q is not CREATE, UPDATE or UPSERT", obj, op))
		}
	}
	if len(problems) > 0 {
		return r, &SpecError{Problems: problems}
	}
	return r, nil
}

// Spec translates the request into a Spec. paths maps each fileName to
// where the uploaded file was saved (see Importer.SaveUpload); those files
// are removed when the import ends. raw is the request as received, kept
// with the import's record.
func (r HubSpotRequest) Spec(paths map[string]string, raw json.RawMessage) (Spec, error) {
	spec := Spec{Name: r.Name, Source: SourceAPI, DateFormat: DateFormat(strings.ToUpper(r.DateFormat)), Request: raw}
	for obj, op := range r.ImportOperations {
		objectSpec(&spec, obj).Operation = strings.ToUpper(op)
	}
	var problems []string
	for _, f := range r.Files {
		path, ok := paths[f.FileName]
		if !ok {
			problems = append(problems, fmt.Sprintf("file %q of importRequest.files was not uploaded", f.FileName))
			continue
		}
		fs := FileSpec{Name: f.FileName, Path: path, RemoveAfter: true}
		objects := map[string]bool{}
		for _, c := range f.FileImportPage.ColumnMappings {
			fs.Columns = append(fs.Columns, columnFromHubSpot(&spec, c))
			if c.PropertyName != nil || c.ToColumnObjectTypeID != "" {
				objects[c.ColumnObjectTypeID] = true
			}
		}
		if len(objects) > 1 {
			spec.AssociateRows = true // HubSpot associates a row's records in a multi-object file
		}
		spec.Files = append(spec.Files, fs)
	}
	if len(problems) > 0 {
		return spec, &SpecError{Problems: problems}
	}
	return spec, nil
}

// columnFromHubSpot translates one column mapping, noting id columns as
// the object's match key.
func columnFromHubSpot(spec *Spec, c HubSpotColumnSpec) ColumnSpec {
	cs := ColumnSpec{Name: c.ColumnName, Object: c.ColumnObjectTypeID}
	prop := ""
	if c.PropertyName != nil {
		prop = *c.PropertyName
	}
	idType := c.IDColumnType
	if idType == "" {
		idType = c.ColumnType
	}
	if c.ToColumnObjectTypeID != "" && c.ToColumnObjectTypeID != c.ColumnObjectTypeID {
		cs.ToObject, cs.Property = c.ToColumnObjectTypeID, prop
		if idType == columnObjectID {
			cs.Property = "hs_object_id"
		}
		return cs
	}
	switch {
	case idType == columnObjectID:
		cs.Property = "hs_object_id"
		objectSpec(spec, c.ColumnObjectTypeID).Match = "hs_object_id"
	case prop == "":
		cs.Ignore = true
	default:
		cs.Property = prop
		if idType == columnAlternateID {
			objectSpec(spec, c.ColumnObjectTypeID).Match = prop
		}
	}
	return cs
}

// objectSpec returns the ObjectSpec of object in spec, adding it.
func objectSpec(spec *Spec, object string) *ObjectSpec {
	for i := range spec.Objects {
		if spec.Objects[i].Object == object {
			return &spec.Objects[i]
		}
	}
	spec.Objects = append(spec.Objects, ObjectSpec{Object: object})
	return &spec.Objects[len(spec.Objects)-1]
}
