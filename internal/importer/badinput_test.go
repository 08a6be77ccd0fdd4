package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestImport_BadRowsFailAlone imports a file with one bad row of each kind
// and checks that exactly those rows fail, with their physical line
// numbers and a reason naming the column, in the store and the error file.
func TestImport_BadRowsFailAlone(t *testing.T) {
	e := newEnv(t, WithBatchSize(3))
	content := "Email,First Name,Lifecycle Stage,Notes\r\n" + // line 1
		"ok1@example.com,Ann,lead,\"multi\r\nline, with comma\"\r\n" + // lines 2-3
		"bad-email,Bo,lead,x\r\n" + // line 4: invalid email
		"ok2@example.com,Cy,lead\r\n" + // line 5: too few fields
		"ok3@example.com,\"Di,lead,x\r\n" + // line 6: quote never closed
		"ok4@example.com,Ed,lead,x\r\n" + // line 7: read again after line 6 failed
		"ok5@example.com,Flo,warm,x\r\n" + // line 8: invalid option
		"ok6@example.com,G\xffil,lead,x\r\n" + // line 9: invalid UTF-8
		"ok7@example.com,Hal\"o,lead,x\r\n" + // line 10: quote inside an unquoted value
		"\r\n" + // line 11: blank, skipped
		"ok8@example.com,Ivy,lead,x\r\n" // line 12
	spec := e.spec("contacts", content)
	spec.Files[0].Columns = []ColumnSpec{{Name: "Notes", Ignore: true}}
	sum, err := e.im.Run(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := sum.Import.Counters
	if c.Rows != 9 || c.Created != 3 || c.Failed != 6 {
		t.Fatalf("counters %+v", c)
	}
	want := []struct {
		line          int64
		errType, col  string
		msgFragment   string
		invalidValue  string
		rowDataFields int
	}{
		{4, "INVALID_EMAIL", "Email", `column "Email"`, "bad-email", 4},
		{5, "INCORRECT_NUMBER_OF_COLUMNS", "", "3 fields but the header has 4", "", 3},
		{6, "UNBALANCED_QUOTE", "First Name", `column "First Name"`, "", 1},
		{8, "INVALID_ENUMERATION_OPTION", "Lifecycle Stage", `column "Lifecycle Stage"`, "warm", 4},
		{9, "INVALID_ENCODING", "First Name", "not valid UTF-8", "", 4},
		{10, "UNBALANCED_QUOTE", "First Name", "quote inside an unquoted value", "", 1},
	}
	got := e.errors(sum.Import.ID)
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.LineNumber != w.line || g.ErrorType != w.errType || g.Column != w.col || !strings.Contains(g.Message, w.msgFragment) ||
			g.InvalidValue != w.invalidValue || len(g.RowData) != w.rowDataFields {
			t.Errorf("error %d = %+v, want %+v", i, g, w)
		}
	}
	for _, email := range []string{"ok1@example.com", "ok4@example.com", "ok8@example.com"} {
		e.get("contacts", "email", email)
	}
	if got := e.get("contacts", "email", "ok1@example.com"); got.Properties["firstname"] != "Ann" {
		t.Errorf("ok1 = %v", got.Properties)
	}

	// The error file: the header, then one line per failed row.
	if sum.Import.ErrorFile == "" {
		t.Fatal("no error file recorded")
	}
	st, err := os.Stat(sum.Import.ErrorFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("error file mode %v, want 0600", st.Mode().Perm())
	}
	f, err := os.Open(sum.Import.ErrorFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || strings.Join(rows[0], "|") != "Line Number|Error Type|Column|Error|Email|First Name|Lifecycle Stage|Notes" {
		t.Fatalf("error file:\n%v", rows)
	}
	if rows[1][0] != "4" || rows[1][4] != "bad-email" || rows[3][0] != "6" || rows[3][4] != `ok3@example.com,"Di,lead,x` {
		t.Errorf("error file rows:\n%v", rows[1:])
	}
}

func TestImport_MissingRequiredPropertyFailsTheRow(t *testing.T) {
	e := newEnv(t)
	sum := e.run(e.spec("deals", "Deal Name,Pipeline,Deal Stage,Amount\n"+
		"Big deal,default,appointmentscheduled,100\n"+
		",default,appointmentscheduled,5\n"+
		"Other deal,default,appointmentscheduled,1.5\n"))
	if c := sum.Import.Counters; c.Created != 2 || c.Failed != 1 {
		t.Fatalf("counters %+v", c)
	}
	errs := e.errors(sum.Import.ID)
	if len(errs) != 1 || errs[0].LineNumber != 3 || errs[0].ErrorType != "MISSING_REQUIRED_PROPERTY" || errs[0].Column != "Deal Name" {
		t.Fatalf("errors %+v", errs)
	}
}

func TestImport_FileProblemsAreSpecErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, content, want string
	}{
		{"empty", "", "the file is empty"},
		{"bom only", "\xef\xbb\xbf\r\n", "the file is empty"},
		{"header only", "Email,First Name\r\n", "header but no data rows"},
		{"duplicate header", "Email,email\nx@y.com,x@y.com\n", "same header"},
		{"nothing mapped", "Colour,Shape\nred,round\n", "no column maps to a property"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.im.Run(context.Background(), e.spec("contacts", tc.content), nil)
			var se *SpecError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a SpecError with %q", err, tc.want)
			}
		})
	}
	list, _, err := e.store.Imports(context.Background(), e.listAll())
	if err != nil || len(list) != 0 {
		t.Fatalf("imports recorded for refused files: %v %v", list, err)
	}
}

func TestCSVReader_LineNumbersAndRecovery(t *testing.T) {
	type row struct {
		line    int64
		fields  string
		problem string
	}
	cases := []struct {
		name  string
		input string
		want  []row
	}{
		{"crlf and quoted line breaks", "a,b\r\n\"x\r\ny\",z\r\n\r\nq,\"\"\"r\"\"\"\r\n",
			[]row{{1, "a|b", ""}, {2, "x\ny|z", ""}, {5, `q|"r"`, ""}}},
		{"quote never closed reads the rest again", "a,b\n\"x,y\nc,d\ne,f\n",
			[]row{{1, "a|b", ""}, {2, "", problemQuote}, {3, "c|d", ""}, {4, "e|f", ""}}},
		{"multi-line value leaving the wrong width", "a,b\n1,\"two\nlines\",3\n4,5\n",
			[]row{{1, "a|b", ""}, {2, "", problemQuote}, {3, "", problemQuote}, {4, "4|5", ""}}},
		{"trailing comma and no final newline", "a,b\n1,\nx,y",
			[]row{{1, "a|b", ""}, {2, "1|", ""}, {3, "x|y", ""}}},
		{"bom", "\xef\xbb\xbfa,b\n1,2\n", []row{{1, "a|b", ""}, {2, "1|2", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newCSVReader(strings.NewReader(tc.input))
			var got []row
			for {
				rec, err := r.next()
				if err != nil {
					break
				}
				if len(got) == 0 {
					r.width = len(rec.fields)
				}
				got = append(got, row{rec.line, strings.Join(rec.fields, "|"), rec.problem})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("rows %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("row %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestCSVReader_OverlongLineFailsAlone(t *testing.T) {
	input := "a,b\n" + strings.Repeat("x", maxLineBytes+10) + ",y\n1,2\n"
	r := newCSVReader(strings.NewReader(input))
	var lines []int64
	var problems []string
	for {
		rec, err := r.next()
		if err != nil {
			break
		}
		lines = append(lines, rec.line)
		problems = append(problems, rec.problem)
	}
	if len(lines) != 3 || lines[1] != 2 || problems[1] != problemTooLong || lines[2] != 3 || problems[2] != "" {
		t.Fatalf("lines %v problems %v", lines, problems)
	}
}
