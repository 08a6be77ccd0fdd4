package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-crm/tandem/crmstore"
	"github.com/tandem-crm/tandem/internal/importer"
)

// importsTestAPI is a test API with an import engine whose files live in
// dir.
type importsTestAPI struct {
	*testAPI
	im  *importer.Importer
	dir string
}

func newImportsTestAPI(t *testing.T, opts ...importer.Option) *importsTestAPI {
	t.Helper()
	a := newTestAPI(t, Options{})
	dir := t.TempDir()
	im := importer.New(a.store, dir, nil, opts...)
	t.Cleanup(im.Close) // before the store closes: cleanups run last first
	a.srv.SetImporter(im)
	return &importsTestAPI{testAPI: a, im: im, dir: dir}
}

// importFile is one file part of an import upload.
type importFile struct {
	name, content string
}

// postImport sends a multipart import request to path; request is the
// importRequest part ("" leaves it out).
func (a *testAPI) postImport(path, request string, files ...importFile) response {
	a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		fw, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			a.t.Fatal(err)
		}
		fw.Write([]byte(f.content))
	}
	if request != "" {
		if err := mw.WriteField("importRequest", request); err != nil {
			a.t.Fatal(err)
		}
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, a.http.URL+path, &body)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := a.http.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}
}

// importResp is the part of PublicImportResponse the tests read.
type importResp struct {
	ID                  string           `json:"id"`
	State               string           `json:"state"`
	ImportName          string           `json:"importName"`
	ImportSource        string           `json:"importSource"`
	OptOutImport        *bool            `json:"optOutImport"`
	MappedObjectTypeIDs []string         `json:"mappedObjectTypeIds"`
	CreatedAt           string           `json:"createdAt"`
	UpdatedAt           string           `json:"updatedAt"`
	Metadata            importMetaResp   `json:"metadata"`
	ImportRequestJSON   *json.RawMessage `json:"importRequestJson"`
}

type importMetaResp struct {
	Counters    map[string]int64 `json:"counters"`
	FileIDs     []string         `json:"fileIds"`
	ObjectLists []any            `json:"objectLists"`
}

const contactsRequest = `{"name":"November Leads","importOperations":{"0-1":"UPSERT"},"dateFormat":"YEAR_MONTH_DAY",
 "files":[{"fileName":"leads.csv","fileFormat":"CSV","fileImportPage":{"hasHeader":true,"columnMappings":[
  {"columnObjectTypeId":"0-1","columnName":"Email","propertyName":"email","columnType":"HUBSPOT_ALTERNATE_ID"},
  {"columnObjectTypeId":"0-1","columnName":"First Name","propertyName":"firstname"},
  {"columnObjectTypeId":"0-1","columnName":"Notes","propertyName":null}]}}]}`

const leadsCSV = "Email,First Name,Notes\r\nann@example.com,Ann,x\r\nnot-an-email,Bob,y\r\ncarl@example.com,Carl,z\r\nbad2,Dee,w\r\n"

// startImport posts the leads and waits for the import to end.
func (a *importsTestAPI) startImport(t *testing.T) importResp {
	t.Helper()
	var created importResp
	a.expect(a.postImport("/crm/v3/imports", contactsRequest, importFile{"leads.csv", leadsCSV}), http.StatusOK).JSON(t, &created)
	id := mustID(t, created.ID)
	if _, err := a.im.Wait(context.Background(), id); err != nil {
		t.Fatalf("import %d: %v", id, err)
	}
	return created
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil || id <= 0 {
		t.Fatalf("import id %q", s)
	}
	return id
}

func TestImportsCreateAndGet(t *testing.T) {
	a := newImportsTestAPI(t)
	created := a.startImport(t)
	if created.State != crmstore.ImportStarted || created.ImportName != "November Leads" || created.ImportSource != "API" ||
		created.OptOutImport == nil || *created.OptOutImport || len(created.MappedObjectTypeIDs) != 1 ||
		created.MappedObjectTypeIDs[0] != "0-1" || created.CreatedAt == "" || created.ImportRequestJSON == nil {
		t.Errorf("create answered %+v", created)
	}
	var req map[string]any
	if err := json.Unmarshal(*created.ImportRequestJSON, &req); err != nil || req["name"] != "November Leads" {
		t.Errorf("importRequestJson %s", *created.ImportRequestJSON)
	}
	if created.Metadata.FileIDs == nil || created.Metadata.ObjectLists == nil || created.Metadata.Counters == nil {
		t.Errorf("metadata %+v: arrays and counters must be present", created.Metadata)
	}

	for _, path := range []string{"/crm/v3/imports/" + created.ID, "/crm/v3/imports/" + created.ID + "/", "/crm/imports/2026-09/" + created.ID} {
		var got importResp
		a.expect(a.do("GET", path, nil), http.StatusOK).JSON(t, &got)
		if got.ID != created.ID || got.State != crmstore.ImportDone {
			t.Errorf("GET %s: %+v", path, got)
		}
		want := map[string]int64{"TOTAL_ROWS": 4, "CREATED_OBJECTS": 2, "UPDATED_OBJECTS": 0, "UNIQUE_OBJECTS_WRITTEN": 2, "ERRORS": 2}
		for k, v := range want {
			if got.Metadata.Counters[k] != v {
				t.Errorf("GET %s: counter %s = %d, want %d (all: %v)", path, k, got.Metadata.Counters[k], v, got.Metadata.Counters)
			}
		}
		if len(got.Metadata.FileIDs) != 1 || got.Metadata.FileIDs[0] != "leads.csv" {
			t.Errorf("fileIds %v", got.Metadata.FileIDs)
		}
	}
	rec, err := a.store.GetRecord(context.Background(), "contacts", "carl@example.com", crmstore.GetOptions{IDProperty: "email"})
	if err != nil || rec.Properties["firstname"] != "Carl" {
		t.Errorf("imported contact: %v %v", rec, err)
	}
	if _, ok := rec.Properties["notes"]; ok {
		t.Errorf("the unmapped Notes column was imported")
	}
	// The uploaded copy is removed once the import has ended.
	if entries, _ := os.ReadDir(filepath.Join(a.dir, "uploads")); len(entries) != 0 {
		t.Errorf("uploads left behind: %v", entries)
	}

	a.expect(a.do("GET", "/crm/v3/imports/999", nil), http.StatusNotFound)
	a.expect(a.do("GET", "/crm/v3/imports/abc", nil), http.StatusNotFound)
}

func TestImportsErrors(t *testing.T) {
	a := newImportsTestAPI(t)
	created := a.startImport(t)
	base := "/crm/v3/imports/" + created.ID + "/errors"

	type errorsPage struct {
		Results []struct {
			ID           string  `json:"id"`
			CreatedAt    int64   `json:"createdAt"`
			ErrorType    string  `json:"errorType"`
			ErrorMessage *string `json:"errorMessage"`
			InvalidValue string  `json:"invalidValue"`
			SourceData   struct {
				RowData    []string `json:"rowData"`
				LineNumber int64    `json:"lineNumber"`
				FileID     string   `json:"fileId"`
			} `json:"sourceData"`
		} `json:"results"`
		Paging *struct {
			Next struct {
				After string `json:"after"`
			} `json:"next"`
		} `json:"paging"`
	}
	var plain errorsPage
	a.expect(a.do("GET", base, nil), http.StatusOK).JSON(t, &plain)
	if len(plain.Results) != 2 || plain.Paging != nil {
		t.Fatalf("errors: %+v", plain)
	}
	first := plain.Results[0]
	if first.ErrorType != "INVALID_EMAIL" || first.ErrorMessage != nil || len(first.SourceData.RowData) != 0 ||
		first.SourceData.LineNumber != 3 || first.SourceData.FileID != "leads.csv" || first.InvalidValue != "not-an-email" ||
		first.CreatedAt < time.Now().Add(-time.Hour).UnixMilli() {
		t.Errorf("first error without message and row: %+v", first)
	}
	if plain.Results[1].SourceData.LineNumber != 5 {
		t.Errorf("second error on line %d, want 5", plain.Results[1].SourceData.LineNumber)
	}

	var full errorsPage
	a.expect(a.do("GET", base+"?includeErrorMessage=true&includeRowData=true&limit=1", nil), http.StatusOK).JSON(t, &full)
	if len(full.Results) != 1 || full.Paging == nil || full.Paging.Next.After == "" {
		t.Fatalf("first page of one: %+v", full)
	}
	e := full.Results[0]
	if e.ErrorMessage == nil || !strings.Contains(*e.ErrorMessage, `"Email"`) ||
		strings.Join(e.SourceData.RowData, ",") != "not-an-email,Bob,y" {
		t.Errorf("error with message and row: %+v", e)
	}
	var second errorsPage
	a.expect(a.do("GET", base+"?limit=1&after="+full.Paging.Next.After, nil), http.StatusOK).JSON(t, &second)
	if len(second.Results) != 1 || second.Paging != nil || second.Results[0].SourceData.LineNumber != 5 {
		t.Errorf("second page: %+v", second)
	}

	a.expect(a.do("GET", "/crm/v3/imports/999/errors", nil), http.StatusNotFound)
	a.expect(a.do("GET", base+"?limit=0", nil), http.StatusBadRequest)
	a.expect(a.do("GET", base+"?includeRowData=maybe", nil), http.StatusBadRequest)
	a.expect(a.do("GET", base+"?after=x", nil), http.StatusBadRequest)
}

func TestImportsList(t *testing.T) {
	a := newImportsTestAPI(t)
	first := a.startImport(t)
	second := a.startImport(t)
	type listPage struct {
		Results []importResp `json:"results"`
		Paging  *struct {
			Next struct {
				After string `json:"after"`
			} `json:"next"`
		} `json:"paging"`
	}
	var all listPage
	a.expect(a.do("GET", "/crm/v3/imports/", nil), http.StatusOK).JSON(t, &all)
	if len(all.Results) != 2 || all.Results[0].ID != second.ID || all.Results[1].ID != first.ID || all.Paging != nil {
		t.Fatalf("list: %+v", all)
	}
	var p1, p2 listPage
	a.expect(a.do("GET", "/crm/v3/imports?limit=1", nil), http.StatusOK).JSON(t, &p1)
	if len(p1.Results) != 1 || p1.Results[0].ID != second.ID || p1.Paging == nil {
		t.Fatalf("page 1: %+v", p1)
	}
	a.expect(a.do("GET", "/crm/v3/imports?limit=1&after="+p1.Paging.Next.After, nil), http.StatusOK).JSON(t, &p2)
	if len(p2.Results) != 1 || p2.Results[0].ID != first.ID || p2.Paging != nil {
		t.Errorf("page 2: %+v", p2)
	}
	a.expect(a.do("GET", "/crm/v3/imports?limit=101", nil), http.StatusBadRequest)
}

func TestImportsCreateRefusals(t *testing.T) {
	a := newImportsTestAPI(t)
	leads := importFile{"leads.csv", leadsCSV}
	cases := []struct {
		name    string
		request string
		files   []importFile
		status  int
		want    string
	}{
		{"no importRequest", "", []importFile{leads}, 400, "importRequest part is missing"},
		{"no file", contactsRequest, nil, 400, "files part is missing"},
		{"bad JSON", `{"name":`, []importFile{leads}, 400, "importRequest is not valid JSON"},
		{"unknown object", strings.ReplaceAll(contactsRequest, `"0-1"`, `"9-9"`), []importFile{leads}, 400, "9-9"},
		{"bad operation", strings.Replace(contactsRequest, `"UPSERT"`, `"MERGE"`, 1), []importFile{leads}, 400, "MERGE"},
		{"spreadsheet", strings.Replace(contactsRequest, `"CSV"`, `"SPREADSHEET"`, 1), []importFile{leads}, 400, `fileFormat "SPREADSHEET" is not supported`},
		{"no header", strings.Replace(contactsRequest, `"hasHeader":true`, `"hasHeader":false`, 1), []importFile{leads}, 400, "without a header row"},
		{"bad date format", strings.Replace(contactsRequest, `"YEAR_MONTH_DAY"`, `"JULIAN"`, 1), []importFile{leads}, 400, `dateFormat "JULIAN"`},
		{"file name mismatch", contactsRequest, []importFile{leads, {"other.csv", leadsCSV}}, 400, "describes 1 file(s) but 2 were uploaded"},
		{"unknown column", strings.Replace(contactsRequest, `"columnName":"First Name"`, `"columnName":"Nope"`, 1), []importFile{leads}, 400, "Nope"},
		{"unsupported column type", strings.Replace(contactsRequest, `"propertyName":"firstname"`, `"propertyName":"firstname","columnType":"FLEXIBLE_ASSOCIATION_LABEL"`, 1),
			[]importFile{leads}, 400, `columnType "FLEXIBLE_ASSOCIATION_LABEL" is not supported`},
		{"empty file", contactsRequest, []importFile{{"leads.csv", ""}}, 400, "leads.csv"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.expect(a.postImport("/crm/v3/imports", tc.request, tc.files...), tc.status)
			if m := r.Map(t); !strings.Contains(fmt.Sprint(m["message"]), tc.want) || m["category"] != categoryValidation {
				t.Errorf("message %q, want it to contain %q", m["message"], tc.want)
			}
			if entries, _ := os.ReadDir(filepath.Join(a.dir, "uploads")); len(entries) != 0 {
				t.Errorf("a refused import left uploads: %v", entries)
			}
		})
	}
	r := a.expect(a.do("POST", "/crm/v3/imports", map[string]string{"name": "x"}), http.StatusBadRequest)
	if m := r.Map(t); !strings.Contains(fmt.Sprint(m["message"]), "multipart/form-data") {
		t.Errorf("JSON body: %v", m["message"])
	}
	if imports, _, _ := a.store.Imports(context.Background(), crmstore.ImportListOptions{}); len(imports) != 0 {
		t.Errorf("refused requests recorded %d imports", len(imports))
	}
}

// TestImportsBodyLimit checks that uploads have their own cap
// (MaxImportBytes), larger than the JSON one, and that it is enforced.
func TestImportsBodyLimit(t *testing.T) {
	big := importFile{"leads.csv", "Email,First Name,Notes\n" + strings.Repeat("someone@example.com,Some,One\n", 200)} // ~6 KB
	tests := []struct {
		name       string
		importCap  int64
		wantStatus int
	}{
		{"over the import cap", 1 << 10, http.StatusRequestEntityTooLarge},
		{"over the JSON cap, under the import cap", 1 << 20, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAPI(t, Options{MaxBodyBytes: 1 << 10, MaxImportBytes: tt.importCap})
			im := importer.New(a.store, t.TempDir(), nil)
			t.Cleanup(im.Close)
			a.srv.SetImporter(im)
			a.expect(a.postImport("/crm/v3/imports", contactsRequest, big), tt.wantStatus)
		})
	}
}

func TestImportsWithoutImporter(t *testing.T) {
	a := newTestAPI(t, Options{})
	a.expect(a.postImport("/crm/v3/imports", contactsRequest, importFile{"leads.csv", leadsCSV}), http.StatusServiceUnavailable)
	a.expect(a.do("POST", "/crm/v3/imports/1/cancel", nil), http.StatusServiceUnavailable)
	var list struct {
		Results []any `json:"results"`
	}
	a.expect(a.do("GET", "/crm/v3/imports", nil), http.StatusOK).JSON(t, &list)
	if list.Results == nil {
		t.Errorf("results must be an empty array")
	}
}

func TestImportsCancel(t *testing.T) {
	// One row per transaction makes the import slow enough to cancel.
	a := newImportsTestAPI(t, importer.WithBatchSize(1))
	var csv strings.Builder
	csv.WriteString("Email,First Name,Notes\n")
	for i := range 20000 {
		fmt.Fprintf(&csv, "c%d@example.com,C%d,\n", i, i)
	}
	var created importResp
	a.expect(a.postImport("/crm/v3/imports", contactsRequest, importFile{"leads.csv", csv.String()}), http.StatusOK).JSON(t, &created)
	var action struct {
		Status      string `json:"status"`
		StartedAt   string `json:"startedAt"`
		CompletedAt string `json:"completedAt"`
	}
	a.expect(a.do("POST", "/crm/v3/imports/"+created.ID+"/cancel", nil), http.StatusOK).JSON(t, &action)
	if action.Status != "COMPLETE" || action.StartedAt == "" || action.CompletedAt == "" {
		t.Errorf("cancel answered %+v", action)
	}
	var got importResp
	a.expect(a.do("GET", "/crm/v3/imports/"+created.ID, nil), http.StatusOK).JSON(t, &got)
	if got.State != crmstore.ImportCanceled || got.Metadata.Counters["CREATED_OBJECTS"] >= 20000 {
		t.Errorf("after cancel: state %s, counters %v", got.State, got.Metadata.Counters)
	}
	// Canceling again, or canceling a finished import, changes nothing.
	a.expect(a.do("POST", "/crm/imports/2026-09/"+created.ID+"/cancel", nil), http.StatusOK).JSON(t, &action)
	if action.Status != "COMPLETE" {
		t.Errorf("second cancel answered %+v", action)
	}
	a.expect(a.do("POST", "/crm/v3/imports/999/cancel", nil), http.StatusNotFound)

	// An import another process runs cannot be canceled here.
	other, err := a.store.CreateImport(context.Background(), crmstore.ImportInput{Name: "cli import", Source: importer.SourceCLI})
	if err != nil {
		t.Fatal(err)
	}
	a.expect(a.do("POST", fmt.Sprintf("/crm/v3/imports/%d/cancel", other.ID), nil), http.StatusConflict)
}

// TestImportsMultiFile joins two files on a common column, as HubSpot's
// multi-file imports do: the companies file's Email column names the
// contact each company is associated with.
func TestImportsMultiFile(t *testing.T) {
	a := newImportsTestAPI(t)
	request := `{"name":"Contacts and companies","importOperations":{"0-1":"UPSERT","0-2":"UPSERT"},
	 "files":[
	  {"fileName":"contacts.csv","fileImportPage":{"hasHeader":true,"columnMappings":[
	   {"columnObjectTypeId":"0-1","columnName":"Email","propertyName":"email","columnType":"HUBSPOT_ALTERNATE_ID"},
	   {"columnObjectTypeId":"0-1","columnName":"First name","propertyName":"firstname"}]}},
	  {"fileName":"companies.csv","fileImportPage":{"hasHeader":true,"columnMappings":[
	   {"columnObjectTypeId":"0-2","columnName":"Company","propertyName":"name"},
	   {"columnObjectTypeId":"0-2","columnName":"Domain","propertyName":"domain","columnType":"HUBSPOT_ALTERNATE_ID"},
	   {"columnObjectTypeId":"0-1","columnName":"Email","propertyName":"email","toColumnObjectTypeId":"0-2",
	    "foreignKeyType":{"associationTypeId":280,"associationCategory":"HUBSPOT_DEFINED"}}]}}]}`
	var created importResp
	a.expect(a.postImport("/crm/v3/imports", request,
		importFile{"contacts.csv", "Email,First name\nann@example.com,Ann\n"},
		importFile{"companies.csv", "Company,Domain,Email\nAcme,acme.com,ann@example.com\n"}), http.StatusOK).JSON(t, &created)
	rec, err := a.im.Wait(context.Background(), mustID(t, created.ID))
	if err != nil || rec.State != crmstore.ImportDone {
		t.Fatalf("import: %+v %v", rec, err)
	}
	ctx := context.Background()
	ann, err := a.store.GetRecord(ctx, "contacts", "ann@example.com", crmstore.GetOptions{IDProperty: "email"})
	if err != nil {
		t.Fatal(err)
	}
	assoc, _, err := a.store.Associations(ctx, "contacts", ann.ID, "companies", 0, 10)
	if err != nil || len(assoc) != 1 {
		t.Fatalf("ann's companies: %+v %v", assoc, err)
	}
	acme, err := a.store.GetRecord(ctx, "companies", "acme.com", crmstore.GetOptions{IDProperty: "domain"})
	if err != nil || acme.ID != assoc[0].ToObjectID || acme.Properties["name"] != "Acme" {
		t.Errorf("associated company %+v, acme %+v %v", assoc[0], acme, err)
	}
}

func TestImportSourceEnum(t *testing.T) {
	for source, want := range map[string]string{"API": "API", "CLI": "CRM_UI", "": "CRM_UI"} {
		if got := renderImport(crmstore.Import{Source: source}).ImportSource; got != want {
			t.Errorf("source %q renders as %q, want %q", source, got, want)
		}
	}
}

func TestRenderImportErrorTypes(t *testing.T) {
	cases := []struct{ in, want, extra string }{
		{"INVALID_EMAIL", "INVALID_EMAIL", ""},
		{"INCORRECT_NUMBER_OF_COLUMNS", "INCORRECT_NUMBER_OF_COLUMNS", ""},
		{"INVALID_NUMBER", "COULD_NOT_PARSE_NUMBER", "INVALID_NUMBER"},
		{"UNBALANCED_QUOTE", "COULD_NOT_PARSE_ROW", "UNBALANCED_QUOTE"},
		{"SOMETHING_NEW", "UNKNOWN_ERROR", "SOMETHING_NEW"},
	}
	for _, tc := range cases {
		got := renderImportError(crmstore.ImportError{ErrorType: tc.in, Message: "m", RowData: []string{"a"}}, false, false)
		if got.ErrorType != tc.want || got.ExtraContext != tc.extra || got.ErrorMessage != "" || len(got.SourceData.RowData) != 0 {
			t.Errorf("%s: %+v", tc.in, got)
		}
		if !hubspotImportErrorTypes[got.ErrorType] {
			t.Errorf("%s renders as %s, outside HubSpot's enumeration", tc.in, got.ErrorType)
		}
	}
	for from, to := range closestImportErrorType {
		if !hubspotImportErrorTypes[to] {
			t.Errorf("%s maps to %s, outside HubSpot's enumeration", from, to)
		}
	}
}
