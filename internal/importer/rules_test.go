package importer

import (
	"context"
	"strconv"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

func TestImport_LifecycleStageNeverMovesBack(t *testing.T) {
	e := newEnv(t)
	e.run(e.spec("contacts", "Email,Lifecycle Stage\na@x.com,customer\nb@x.com,lead\n"))
	// Within one file too: the furthest stage of the rows wins.
	e.run(e.spec("contacts", "Email,Lifecycle Stage\na@x.com,lead\nb@x.com,opportunity\nc@x.com,customer\nc@x.com,subscriber\n"))
	for email, want := range map[string]string{"a@x.com": "customer", "b@x.com": "opportunity", "c@x.com": "customer"} {
		if got := e.get("contacts", "email", email).Properties["lifecyclestage"]; got != want {
			t.Errorf("%s lifecyclestage = %q, want %q", email, got, want)
		}
	}
}

func TestImport_NoOverwriteKeepsExistingValues(t *testing.T) {
	e := newEnv(t)
	e.run(e.spec("contacts", "Email,First Name,Job Title\na@x.com,Ann,\nb@x.com,Bob,Chef\n"))
	sum := e.run(e.spec("contacts", "Email,First Name,Job Title\na@x.com,Anna,Pilot\nb@x.com,Bobby,Cook\n",
		ObjectSpec{Object: "contacts", NoOverwrite: []string{"jobtitle"}}))
	a, b := e.get("contacts", "email", "a@x.com"), e.get("contacts", "email", "b@x.com")
	if a.Properties["firstname"] != "Anna" || a.Properties["jobtitle"] != "Pilot" {
		t.Errorf("a = %v: an empty value is filled", a.Properties)
	}
	if b.Properties["firstname"] != "Bobby" || b.Properties["jobtitle"] != "Chef" {
		t.Errorf("b = %v: the existing job title is kept", b.Properties)
	}
	if c := sum.Import.Counters; c.Updated != 2 {
		t.Errorf("counters %+v", c)
	}
}

func TestImport_OwnerByEmail(t *testing.T) {
	e := newEnv(t)
	owner, err := e.store.CreateOwner(context.Background(), crmstore.OwnerInput{Email: "Sam@Sales.example"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.im.Run(context.Background(), e.spec("contacts", "Email,Contact owner\na@x.com,sam@sales.example\nb@x.com,nobody@sales.example\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.get("contacts", "email", "a@x.com").Properties["hubspot_owner_id"]; got != strconv.FormatInt(owner.ID, 10) {
		t.Errorf("owner = %q, want %s", got, strconv.FormatInt(owner.ID, 10))
	}
	errs := e.errors(sum.Import.ID)
	if len(errs) != 1 || errs[0].ErrorType != "INVALID_OWNER" || errs[0].LineNumber != 3 || errs[0].Column != "Contact owner" {
		t.Fatalf("errors %+v", errs)
	}
}

func TestImport_MultiCheckboxValues(t *testing.T) {
	e := newEnv(t)
	_, err := e.store.CreateProperty(context.Background(), "contacts", crmstore.PropertyInput{
		Name: "interests", Label: "Interests", GroupName: "contactinformation", Type: crmstore.TypeEnumeration, FieldType: "checkbox",
		Options: []crmstore.Option{{Label: "Golf", Value: "golf"}, {Label: "Chess", Value: "chess"}, {Label: "Tea", Value: "tea"}}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.im.Run(context.Background(), e.spec("contacts", "Email,Interests\na@x.com,Golf; chess\nb@x.com,golf;darts\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.get("contacts", "email", "a@x.com").Properties["interests"]; got != "golf;chess" {
		t.Errorf("interests = %q", got)
	}
	errs := e.errors(sum.Import.ID)
	if len(errs) != 1 || errs[0].ErrorType != "INVALID_ENUMERATION_OPTION" || errs[0].InvalidValue != "golf;darts" {
		t.Fatalf("errors %+v", errs)
	}
}

func TestImport_DateFormats(t *testing.T) {
	e := newEnv(t)
	_, err := e.store.CreateProperty(context.Background(), "contacts", crmstore.PropertyInput{
		Name: "signup", Label: "Signup", GroupName: "contactinformation", Type: crmstore.TypeDate, FieldType: "date"})
	if err != nil {
		t.Fatal(err)
	}
	spec := e.spec("contacts", "Email,Signup\na@x.com,03/04/2024\nb@x.com,31.12.2023\nc@x.com,2024-02-29\nd@x.com,31/02/2024\n")
	spec.DateFormat = DayMonthYear
	sum, err := e.im.Run(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	for email, want := range map[string]string{"a@x.com": "2024-04-03", "b@x.com": "2023-12-31", "c@x.com": "2024-02-29"} {
		if got := e.get("contacts", "email", email).Properties["signup"]; got != want {
			t.Errorf("%s signup = %q, want %q", email, got, want)
		}
	}
	errs := e.errors(sum.Import.ID)
	if len(errs) != 1 || errs[0].ErrorType != "INVALID_DATE" || errs[0].LineNumber != 5 {
		t.Fatalf("errors %+v", errs)
	}
}

func TestConvertDate(t *testing.T) {
	cases := []struct {
		in       string
		format   DateFormat
		withTime bool
		want     string
		wantErr  bool
	}{
		{"03/04/2024", DayMonthYear, false, "2024-04-03", false},
		{"03/04/2024", MonthDayYear, false, "2024-03-04", false},
		{"2024/04/03", YearMonthDay, false, "2024-04-03", false},
		{"2024-04-03", DayMonthYear, false, "2024-04-03", false},
		{"1712102400000", DayMonthYear, true, "1712102400000", false},
		{"3 Apr 2024", DayMonthYear, false, "2024-04-03", false},
		{"April 3, 2024", MonthDayYear, false, "2024-04-03", false},
		{"03-04-2024 14:05", DayMonthYear, true, "2024-04-03T14:05:00Z", false},
		{"03/04/2024 2:05 PM", MonthDayYear, true, "2024-03-04T14:05:00Z", false},
		{"03/04/2024 12:30:15 am", MonthDayYear, true, "2024-03-04T00:30:15Z", false},
		{"03/04/2024 14:05", DayMonthYear, false, "2024-04-03", false},
		{"03/04/24", DayMonthYear, false, "", true},
		{"31/02/2024", DayMonthYear, false, "", true},
		{"13/13/2024", MonthDayYear, false, "", true},
		{"03/04/2024 25:00", DayMonthYear, true, "", true},
		{"next tuesday", DayMonthYear, false, "", true},
		{"Foo 3, 2024", MonthDayYear, false, "", true},
	}
	for _, tc := range cases {
		got, err := convertDate(tc.in, tc.format, tc.withTime)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("convertDate(%q, %s, %v) = %q, %v; want %q, error %v", tc.in, tc.format, tc.withTime, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestImport_UpdateAndCreateModes(t *testing.T) {
	e := newEnv(t)
	e.run(e.spec("contacts", "Email,First Name\na@x.com,Ann\n"))
	sum, err := e.im.Run(context.Background(), e.spec("contacts", "Email,First Name\na@x.com,Anna\nnew@x.com,New\n",
		ObjectSpec{Object: "contacts", Operation: crmstore.ImportUpdate}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.Import.Counters; c.Updated != 1 || c.Failed != 1 || c.Created != 0 {
		t.Fatalf("update counters %+v", c)
	}
	if errs := e.errors(sum.Import.ID); len(errs) != 1 || errs[0].ErrorType != "UPDATE_ONLY_IMPORT_NO_EXISTING_OBJECT" || errs[0].LineNumber != 3 {
		t.Fatalf("update errors %+v", errs)
	}
	sum, err = e.im.Run(context.Background(), e.spec("contacts", "Email,First Name\na@x.com,Annie\nnew@x.com,New\n",
		ObjectSpec{Object: "contacts", Operation: crmstore.ImportCreate}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.Import.Counters; c.Created != 1 || c.Failed != 1 {
		t.Fatalf("create counters %+v", c)
	}
	if errs := e.errors(sum.Import.ID); len(errs) != 1 || errs[0].ErrorType != "CREATE_ONLY_IMPORT_EXISTING_OBJECT" || errs[0].LineNumber != 2 {
		t.Fatalf("create errors %+v", errs)
	}
	if got := e.get("contacts", "email", "a@x.com").Properties["firstname"]; got != "Anna" {
		t.Errorf("firstname = %q", got)
	}
}

func TestImport_MatchByRecordID(t *testing.T) {
	e := newEnv(t)
	e.run(e.spec("deals", "Deal Name,Pipeline,Deal Stage\nOne,default,appointmentscheduled\n"))
	sum, err := e.im.Run(context.Background(), e.spec("deals", "Record ID,Deal Name\n1,Uno\n999,Ghost\nabc,Bad\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.Import.Counters; c.Updated != 1 || c.Failed != 2 {
		t.Fatalf("counters %+v", c)
	}
	errs := e.errors(sum.Import.ID)
	if len(errs) != 2 || errs[0].ErrorType != "INVALID_OBJECT_ID" || errs[0].LineNumber != 3 || errs[1].LineNumber != 4 || errs[1].Column != "Record ID" {
		t.Fatalf("errors %+v", errs)
	}
	r, err := e.store.GetRecord(context.Background(), "deals", "1", crmstore.GetOptions{})
	if err != nil || r.Properties["dealname"] != "Uno" {
		t.Fatalf("deal 1 = %v, %v", r, err)
	}
}
