package importer

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestHubSpotSpec_Mapping(t *testing.T) {
	uploads := []Upload{{Name: "a.csv", Path: "/tmp/a"}}
	spec, err := HubSpotSpec([]byte(`{"name":"n","importOperations":{"0-2":"create"},"dateFormat":"day_month_year",
	 "files":[{"fileName":"a.csv","fileImportPage":{"columnMappings":[
	  {"columnObjectTypeId":"0-2","columnName":"Id","propertyName":"hs_object_id","columnType":"HUBSPOT_OBJECT_ID"},
	  {"columnObjectTypeId":"0-2","columnName":"Name","propertyName":"name"},
	  {"columnObjectTypeId":"0-2","columnName":"Skip","propertyName":null},
	  {"columnObjectTypeId":"0-1","columnName":"Contact","propertyName":"email","toColumnObjectTypeId":"0-2"}]}}]}`), uploads)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Name != "n" || spec.Source != SourceAPI || spec.DateFormat != DayMonthYear || !spec.AssociateRows {
		t.Errorf("spec %+v", spec)
	}
	if want := []ObjectSpec{{Object: "0-2", Operation: "CREATE", Match: "hs_object_id"}}; !reflect.DeepEqual(spec.Objects, want) {
		t.Errorf("objects %+v, want %+v", spec.Objects, want)
	}
	want := []ColumnSpec{
		{Name: "Id", Object: "0-2", Property: "hs_object_id"},
		{Name: "Name", Object: "0-2", Property: "name"},
		{Name: "Skip", Ignore: true},
		// A join column: its value is a 0-1 email; the row's 0-2 record is
		// associated with the contact it names.
		{Name: "Contact", Object: "0-2", ToObject: "0-1", Property: "email"},
	}
	f := spec.Files[0]
	if f.Name != "a.csv" || f.Path != "/tmp/a" || !f.RemoveAfter || f.Object != "" || !reflect.DeepEqual(f.Columns, want) {
		t.Errorf("file %+v, want columns %+v", f, want)
	}

	// Without column mappings the one object of importOperations takes
	// the columns by name or label.
	spec, err = HubSpotSpec([]byte(`{"importOperations":{"0-1":"UPSERT"},"files":[{"fileName":"a.csv"}]}`), uploads)
	if err != nil || spec.Files[0].Object != "0-1" || len(spec.Files[0].Columns) != 0 {
		t.Errorf("automatic mapping: %+v %v", spec, err)
	}
}

func TestHubSpotSpec_MatchesUploads(t *testing.T) {
	a, b := Upload{Name: "a.csv", Path: "/u/1"}, Upload{Name: "b.csv", Path: "/u/2"}
	cases := []struct {
		name    string
		files   string
		uploads []Upload
		want    []string // paths of the spec's files, in order
	}{
		{"by name, out of order", `[{"fileName":"b.csv"},{"fileName":"a.csv"}]`, []Upload{a, b}, []string{"/u/2", "/u/1"}},
		{"one upload under another name", `[{"fileName":"leads.csv"}]`, []Upload{a}, []string{"/u/1"}},
		{"unnamed entries by position", `[{"fileName":""},{"fileName":""}]`, []Upload{a, b}, []string{"/u/1", "/u/2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := HubSpotSpec([]byte(`{"importOperations":{"0-1":"UPSERT"},"files":`+tc.files+`}`), tc.uploads)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range spec.Files {
				got = append(got, f.Path)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("paths %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHubSpotSpec_Problems(t *testing.T) {
	one := []Upload{{Name: "a.csv", Path: "/tmp/a"}}
	cases := []struct {
		name, request string
		uploads       []Upload
		want          []string // one problem each, in order
	}{
		{"not JSON", `{`, one, []string{"importRequest is not valid JSON"}},
		{"no files", `{"importOperations":{"0-1":"UPSERT"},"files":[]}`, nil, []string{"importRequest.files is empty"}},
		{"operation", `{"importOperations":{"0-1":"MERGE"},"files":[{"fileName":"a.csv"}]}`, one,
			[]string{`importOperations["0-1"]: "MERGE" is not CREATE, UPDATE or UPSERT`}},
		{"date format", `{"importOperations":{"0-1":"UPSERT"},"dateFormat":"JULIAN","files":[{"fileName":"a.csv"}]}`, one,
			[]string{`dateFormat "JULIAN"`}},
		{"file count", `{"importOperations":{"0-1":"UPSERT"},"files":[{"fileName":"a.csv"},{"fileName":"b.csv"}]}`, one,
			[]string{"describes 2 file(s) but 1 were uploaded", `files[1]: no uploaded file is named "b.csv"`}},
		{"format and header", `{"importOperations":{"0-1":"UPSERT"},"files":[{"fileName":"a.csv","fileFormat":"SPREADSHEET","fileImportPage":{"hasHeader":false}}]}`, one,
			[]string{`files[0]: fileFormat "SPREADSHEET" is not supported`, "files[0]: files without a header row"}},
		{"automatic mapping of two objects", `{"importOperations":{"0-1":"UPSERT","0-2":"UPSERT"},"files":[{"fileName":"a.csv"}]}`, one,
			[]string{"importOperations must name exactly one object"}},
		{"columns", `{"files":[{"fileName":"a.csv","fileImportPage":{"columnMappings":[
			{"columnObjectTypeId":"0-1","columnName":" ","propertyName":"email"},
			{"columnObjectTypeId":"0-1","columnName":"Tag","propertyName":"x","columnType":"ASSOCIATION_KEYS"},
			{"columnName":"Email","propertyName":"email"},
			{"columnName":"Company","propertyName":"domain","toColumnObjectTypeId":"0-2"}]}}]}`, one,
			[]string{"columnMappings[0] (\" \"): columnName is required",
				`columnMappings[1] ("Tag"): columnType "ASSOCIATION_KEYS" is not supported`,
				`columnMappings[2] ("Email"): columnObjectTypeId is required`,
				`columnMappings[3] ("Company"): columnObjectTypeId is required with toColumnObjectTypeId`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := HubSpotSpec([]byte(tc.request), tc.uploads)
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SpecError", err)
			}
			if len(se.Problems) != len(tc.want) {
				t.Fatalf("problems %q, want %d like %q", se.Problems, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(se.Problems[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, se.Problems[i], w)
				}
			}
		})
	}
}

// TestHubSpotSpec_Imports runs a translated request end to end: the
// alternate-id columns match, the row's contact and company are associated
// and the request is kept with the import.
func TestHubSpotSpec_Imports(t *testing.T) {
	e := newEnv(t)
	raw := []byte(`{"name":"November Leads","importOperations":{"0-1":"UPSERT","0-2":"UPSERT"},"dateFormat":"DAY_MONTH_YEAR",
	 "files":[{"fileName":"leads.csv","fileFormat":"CSV","fileImportPage":{"hasHeader":true,"columnMappings":[
	   {"columnObjectTypeId":"0-1","columnName":"Email","propertyName":"email","columnType":"HUBSPOT_ALTERNATE_ID"},
	   {"columnObjectTypeId":"0-1","columnName":"First","propertyName":"firstname"},
	   {"columnObjectTypeId":"0-2","columnName":"Company","propertyName":"domain","columnType":"HUBSPOT_ALTERNATE_ID"},
	   {"columnObjectTypeId":"0-1","columnName":"Skip","propertyName":null}]}}]}`)
	path := e.file("upload.csv", "Email,First,Company,Skip\na@acme.com,Ann,acme.com,x\n")
	spec, err := HubSpotSpec(raw, []Upload{{Name: "leads.csv", Path: path}})
	if err != nil {
		t.Fatal(err)
	}
	sum := e.run(spec)
	if c := sum.Import.Counters; c.Created != 2 || c.Associations != 1 {
		t.Fatalf("counters %+v", c)
	}
	if sum.Import.Name != "November Leads" || sum.Import.Source != SourceAPI || sum.Import.Operations["0-2"] != "UPSERT" {
		t.Errorf("import %+v", sum.Import)
	}
	var back map[string]any
	if err := json.Unmarshal(sum.Import.Request, &back); err != nil || back["name"] != "November Leads" {
		t.Errorf("request kept = %s", sum.Import.Request)
	}
	if len(sum.Unmapped) != 0 {
		t.Errorf("unmapped %v: ignored columns are not reported", sum.Unmapped)
	}
	if got := e.companiesOf(e.get("contacts", "email", "a@acme.com").ID); len(got) != 1 || got[0] != e.get("companies", "domain", "acme.com").ID {
		t.Errorf("a's companies = %v", got)
	}
}
