package api

// The JSON shapes of the imports API: PublicImportResponse,
// ActionResponse and PublicImportError.

import (
	"encoding/json"
	"strconv"

	"github.com/tandem-crm/tandem/crmstore"
)

// importJSON is HubSpot's PublicImportResponse.
type importJSON struct {
	ID                  string          `json:"id"`
	State               string          `json:"state"`
	ImportName          string          `json:"importName"`
	ImportSource        string          `json:"importSource"`
	OptOutImport        bool            `json:"optOutImport"`
	MappedObjectTypeIDs []string        `json:"mappedObjectTypeIds"`
	CreatedAt           string          `json:"createdAt"`
	UpdatedAt           string          `json:"updatedAt"`
	Metadata            importMetadata  `json:"metadata"`
	ImportRequestJSON   json.RawMessage `json:"importRequestJson,omitempty"`
}

// importMetadata is HubSpot's PublicImportMetadata. Counters holds
// HubSpot's names (TOTAL_ROWS, CREATED_OBJECTS, UPDATED_OBJECTS,
// UNIQUE_OBJECTS_WRITTEN) and Tandem's own, so a client can follow a
// running import: ERRORS (rows that failed), UNCHANGED_OBJECTS,
// MERGED_ROWS (rows merged into an earlier row of the file),
// ASSOCIATIONS_CREATED, and BYTES_READ of BYTES_TOTAL.
type importMetadata struct {
	Counters    map[string]int64 `json:"counters"`
	FileIDs     []string         `json:"fileIds"`
	ObjectLists []struct{}       `json:"objectLists"`
}

// renderImport turns an import record into HubSpot's shape. importSource
// is API for imports made through this API; those of tandem import, the
// product's own user interface, show as CRM_UI, since HubSpot's
// clients validate the field against an enumeration without a CLI.
func renderImport(im crmstore.Import) importJSON {
	c := im.Counters
	objects := im.Objects
	if objects == nil {
		objects = []string{}
	}
	files := im.Files
	if files == nil {
		files = []string{}
	}
	out := importJSON{
		ID: strconv.FormatInt(im.ID, 10), State: im.State, ImportName: im.Name, ImportSource: importSource(im.Source),
		MappedObjectTypeIDs: objects,
		CreatedAt:           crmstore.FormatTime(im.CreatedAt), UpdatedAt: crmstore.FormatTime(im.UpdatedAt),
		Metadata: importMetadata{Counters: map[string]int64{
			"TOTAL_ROWS":             c.Rows,
			"CREATED_OBJECTS":        c.Created,
			"UPDATED_OBJECTS":        c.Updated,
			"UNIQUE_OBJECTS_WRITTEN": c.Created + c.Updated,
			"UNCHANGED_OBJECTS":      c.Unchanged,
			"MERGED_ROWS":            c.Merged,
			"ERRORS":                 c.Failed,
			"ASSOCIATIONS_CREATED":   c.Associations,
			"BYTES_READ":             c.BytesRead,
			"BYTES_TOTAL":            c.BytesTotal,
		}, FileIDs: files, ObjectLists: []struct{}{}},
	}
	if json.Valid(im.Request) {
		out.ImportRequestJSON = im.Request
	}
	return out
}

// importSource maps an import's source onto HubSpot's enumeration.
func importSource(source string) string {
	if source == "API" {
		return "API"
	}
	return "CRM_UI"
}

// actionJSON is HubSpot's ActionResponse, the answer to a cancel.
type actionJSON struct {
	Status      string `json:"status"`
	StartedAt   string `json:"startedAt"`
	CompletedAt string `json:"completedAt,omitempty"`
}

// importErrorJSON is HubSpot's PublicImportError.
type importErrorJSON struct {
	ID           string        `json:"id"`
	CreatedAt    int64         `json:"createdAt"`
	ErrorType    string        `json:"errorType"`
	ErrorMessage string        `json:"errorMessage,omitempty"`
	InvalidValue string        `json:"invalidValue,omitempty"`
	ExtraContext string        `json:"extraContext,omitempty"`
	ObjectTypeID string        `json:"objectTypeId,omitempty"`
	SourceData   importRowJSON `json:"sourceData"`
}

// importRowJSON is HubSpot's ImportRowCore.
type importRowJSON struct {
	RowData                     []string `json:"rowData"`
	LineNumber                  int64    `json:"lineNumber"`
	FileID                      string   `json:"fileId"`
	ContainsEncryptedProperties bool     `json:"containsEncryptedProperties"`
}

// renderImportError turns an error row into HubSpot's shape. The message
// (naming the column) and the row's values are included only when asked
// for, as in HubSpot. An error type HubSpot's enumeration lacks is
// reported as its closest HubSpot type, the exact one in extraContext,
// since strict clients refuse values outside the enumeration.
func renderImportError(e crmstore.ImportError, withMessage, withRow bool) importErrorJSON {
	out := importErrorJSON{
		ID: strconv.FormatInt(e.Seq, 10), CreatedAt: e.CreatedAt.UnixMilli(), ErrorType: e.ErrorType,
		InvalidValue: e.InvalidValue, ObjectTypeID: e.ObjectTypeID,
		SourceData: importRowJSON{RowData: []string{}, LineNumber: e.LineNumber, FileID: e.FileName},
	}
	if !hubspotImportErrorTypes[e.ErrorType] {
		out.ErrorType = closestImportErrorType[e.ErrorType]
		if out.ErrorType == "" {
			out.ErrorType = "UNKNOWN_ERROR"
		}
		out.ExtraContext = e.ErrorType
	}
	if withMessage {
		out.ErrorMessage = e.Message
	}
	if withRow && e.RowData != nil {
		out.SourceData.RowData = e.RowData
	}
	return out
}

// hubspotImportErrorTypes are the values of HubSpot's
// PublicImportError.errorType enumeration.
var hubspotImportErrorTypes = setOf("INCORRECT_NUMBER_OF_COLUMNS", "INVALID_OBJECT_ID", "INVALID_ASSOCIATION_IDENTIFIER",
	"NO_OBJECT_ID_FROM_ASSOCIATION_IDENTIFIER", "MULTIPLE_COMPANIES_WITH_THIS_DOMAIN", "PROPERTY_DEFINITION_NOT_FOUND",
	"PROPERTY_VALUE_NOT_FOUND", "COULD_NOT_FIND_OWNER", "MULTIPLE_OWNERS_FOUND", "COULD_NOT_FIND_BUSINESS_UNIT",
	"COULD_NOT_PARSE_NUMBER", "COULD_NOT_PARSE_DATE", "COULD_NOT_PARSE_TERM", "OUTSIDE_VALID_TIME_RANGE",
	"OUTSIDE_VALID_TERM_RANGE", "COULD_NOT_PARSE_ROW", "INVALID_ENUMERATION_OPTION", "AMBIGUOUS_ENUMERATION_OPTION",
	"FAILED_VALIDATION", "FAILED_TO_CREATE_ASSOCIATION", "ASSOCIATION_LIMIT_EXCEEDED", "FILE_NOT_FOUND",
	"INVALID_COLUMN_CONFIGURATION", "INVALID_FILE_TYPE", "INVALID_SPREADSHEET", "INVALID_SHEET_COUNT",
	"FAILED_TO_PROCESS_OBJECT_WITH_EMPTY_PROPERTY_VALUES", "UNKNOWN_BAD_REQUEST", "GDPR_BLACKLISTED_EMAIL",
	"DUPLICATE_ASSOCIATION_ID", "LIMIT_EXCEEDED", "PORTAL_WIDE_CUSTOM_OBJECT_LIMIT_EXCEEDED", "INVALID_ALTERNATE_ID",
	"INVALID_EMAIL", "SECONDARY_EMAIL_WRITE_FAILURE", "INVALID_DOMAIN", "DUPLICATE_ROW_CONTENT", "INVALID_NUMBER_SIZE",
	"UNKNOWN_ERROR", "FAILED_TO_OPT_OUT_CONTACT", "INVALID_REQUIRED_PROPERTY", "MISSING_REQUIRED_PROPERTY",
	"DUPLICATE_ALTERNATE_ID", "DUPLICATE_OBJECT_ID", "DUPLICATE_UNIQUE_PROPERTY_VALUE", "UNKNOWN_ASSOCIATION_RECORD_ID",
	"INVALID_RECORD_ID", "DUPLICATE_RECORD_ID", "INVALID_CUSTOM_PROPERTY_VALIDATION", "CREATE_ONLY_IMPORT",
	"UPDATE_ONLY_IMPORT", "COLUMN_TOO_LARGE", "ROW_DATA_TOO_LARGE", "MISSING_EVENT_TIMESTAMP", "INVALID_EVENT_TIMESTAMP",
	"INVALID_EVENT", "DUPLICATE_EVENT", "MISSING_EVENT_DEFINITION", "INVALID_ASSOCIATION_KEY",
	"ASSOCIATION_RECORD_NOT_FOUND", "MISSING_OBJECT_DEFINITION", "ASSOCIATION_LABEL_NOT_FOUND", "MANY_ERRORS_IN_ROW")

// closestImportErrorType maps the import engine's own error types onto
// HubSpot's enumeration.
var closestImportErrorType = map[string]string{
	"INVALID_NUMBER":                        "COULD_NOT_PARSE_NUMBER",
	"INVALID_DATE":                          "COULD_NOT_PARSE_DATE",
	"INVALID_BOOLEAN":                       "FAILED_VALIDATION",
	"INVALID_PIPELINE_STAGE":                "INVALID_ENUMERATION_OPTION",
	"INVALID_OWNER":                         "COULD_NOT_FIND_OWNER",
	"VALUE_TOO_LONG":                        "COLUMN_TOO_LARGE",
	"READ_ONLY_PROPERTY":                    "FAILED_VALIDATION",
	"PROPERTY_DOESNT_EXIST":                 "PROPERTY_DEFINITION_NOT_FOUND",
	"INVALID_PROPERTY_VALUE":                "FAILED_VALIDATION",
	"CREATE_ONLY_IMPORT_EXISTING_OBJECT":    "CREATE_ONLY_IMPORT",
	"UPDATE_ONLY_IMPORT_NO_EXISTING_OBJECT": "UPDATE_ONLY_IMPORT",
	"INVALID_ENCODING":                      "COULD_NOT_PARSE_ROW",
	"UNBALANCED_QUOTE":                      "COULD_NOT_PARSE_ROW",
	"ROW_TOO_LONG":                          "ROW_DATA_TOO_LARGE",
	"NO_VALUES":                             "FAILED_TO_PROCESS_OBJECT_WITH_EMPTY_PROPERTY_VALUES",
	"ASSOCIATION_FAILED":                    "FAILED_TO_CREATE_ASSOCIATION",
	"UNKNOWN_ASSOCIATION_RECORD":            "ASSOCIATION_RECORD_NOT_FOUND",
	"WRITE_FAILED":                          "UNKNOWN_ERROR",
}

func setOf(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}
