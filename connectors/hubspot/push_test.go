package hubspot

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
	"github.com/tandem-crm/tandem/connectors/hubspot/hubspotfake"
)

func creates(n int, bad map[int]map[string]string) []connectors.Change {
	out := make([]connectors.Change, n)
	for i := range out {
		f := map[string]string{"email": fmt.Sprintf("p%d@example.com", i), "firstname": fmt.Sprintf("P%d", i)}
		if b, ok := bad[i]; ok {
			f = b
		}
		out[i] = connectors.Change{Kind: connectors.OpCreate, Ref: fmt.Sprintf("local-%d", i), Fields: f}
	}
	return out
}

// checkPush verifies results against the changes: the failing positions hold a permanent error
// containing the wanted text, every other one succeeded with a remote id and version.
func checkPush(t *testing.T, changes []connectors.Change, res []connectors.Result, err error, failing map[int]string) {
	t.Helper()
	var pe *connectors.PartialError
	if len(failing) > 0 && (!errors.As(err, &pe) || pe.Failed != len(failing) || pe.Total != len(changes)) {
		t.Fatalf("err = %v, want a partial error of %d/%d", err, len(failing), len(changes))
	}
	if len(failing) == 0 && err != nil {
		t.Fatal(err)
	}
	if len(res) != len(changes) {
		t.Fatalf("%d results for %d changes", len(res), len(changes))
	}
	for i, r := range res {
		if r.Ref != changes[i].Ref {
			t.Errorf("result %d has ref %q, want %q", i, r.Ref, changes[i].Ref)
		}
		if want, bad := failing[i]; bad {
			if !connectors.IsPermanent(r.Err) || !strings.Contains(r.Err.Error(), want) {
				t.Errorf("result %d: err = %v, want permanent %q", i, r.Err, want)
			}
			continue
		}
		if r.Err != nil || r.ID == "" || (changes[i].Kind != connectors.OpDelete && (r.Version == "" || r.ModifiedAt.IsZero())) {
			t.Errorf("result %d = %+v", i, r)
		}
	}
}

func TestPushCreatesIsolateTheBadRecord(t *testing.T) {
	for _, atomic := range []bool{false, true} {
		t.Run(fmt.Sprintf("atomic=%v", atomic), func(t *testing.T) {
			c, fake := setup(t, hubspotfake.Options{AtomicBatches: atomic}, nil)
			changes := creates(150, map[int]map[string]string{
				37:  {"email": "not-an-email"},
				120: {"email": "p1@example.com"}, // a duplicate of record 1
			})
			res, err := c.Push(t.Context(), "contacts", changes)
			checkPush(t, changes, res, err, map[int]string{37: "INVALID_EMAIL", 120: "already exists"})
			if n := fake.Len("contacts"); n != 148 {
				t.Errorf("remote holds %d contacts, want 148", n)
			}
			got, ok := fake.Get("contacts", res[99].ID)
			if !ok || got["email"] != "p99@example.com" {
				t.Errorf("record of result 99 = %v", got)
			}
			// Splitting is bounded: 2 batches, and log2(100)*2 splits per bad record at most.
			if calls := fake.Count("POST create"); atomic && calls > 2+2*2*7 || !atomic && calls != 2 {
				t.Errorf("%d create calls", calls)
			}
		})
	}
}

func TestPushUpdatesAndDeletes(t *testing.T) {
	c, fake := setup(t, hubspotfake.Options{}, nil)
	ids := seed(t, fake, "u", 5)
	changes := []connectors.Change{
		{Kind: connectors.OpUpdate, Ref: "a", ID: ids[0], Fields: map[string]string{"firstname": "Ann"}},
		{Kind: connectors.OpUpdate, Ref: "b", ID: ids[1], Fields: map[string]string{"lifecyclestage": "not-a-stage"}},
		{Kind: connectors.OpUpdate, Ref: "c", ID: ids[2], Fields: map[string]string{"firstname": ""}},
		{Kind: connectors.OpDelete, Ref: "d", ID: ids[3]},
		{Kind: connectors.OpUpdate, Ref: "e", ID: "999999", Fields: map[string]string{"firstname": "Ghost"}},
		{Kind: connectors.OpUpdate, Ref: "f", Fields: map[string]string{"firstname": "No id"}},
	}
	res, err := c.Push(t.Context(), "contacts", changes)
	checkPush(t, changes, res, err, map[int]string{1: "INVALID_OPTION", 4: "OBJECT_NOT_FOUND", 5: "needs the remote id"})
	if got, _ := fake.Get("contacts", ids[0]); got["firstname"] != "Ann" {
		t.Errorf("updated record = %v", got)
	}
	if got, _ := fake.Get("contacts", ids[2]); got["firstname"] != "" {
		t.Errorf("cleared field = %q", got["firstname"])
	}
	if _, ok := fake.Get("contacts", ids[3]); ok {
		t.Error("deleted record is still live")
	}
	if got, _ := fake.Get("contacts", ids[1]); got["lifecyclestage"] != "" {
		t.Errorf("refused update took effect: %v", got)
	}
}

// A create is never repeated after an ambiguous failure, which could duplicate it.
func TestPushCreateIsNotRetriedAfterServerError(t *testing.T) {
	c, fake := setup(t, hubspotfake.Options{}, nil)
	fake.FailNext(hubspotfake.Fault{Kind: hubspotfake.FaultServerError}, 1)
	changes := creates(3, nil)
	res, err := c.Push(t.Context(), "contacts", changes)
	if err == nil || res != nil || connectors.IsPermanent(err) {
		t.Fatalf("res = %v, err = %v; want a whole transient failure", res, err)
	}
	if calls := fake.Count("POST create"); calls != 1 {
		t.Errorf("%d create calls, want 1", calls)
	}
	// But a 429 is safe to retry: the remote did nothing.
	fake.FailNext(hubspotfake.Fault{Kind: hubspotfake.FaultRateLimit}, 1)
	res, err = c.Push(t.Context(), "contacts", changes)
	checkPush(t, changes, res, err, nil)
}

// failUpdates answers every batch update 503, letting everything else through.
type failUpdates struct{ base http.RoundTripper }

func (f failUpdates) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/batch/update") {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Request: req,
			Body: io.NopCloser(strings.NewReader(`{"status":"error","message":"down"}`))}, nil
	}
	return f.base.RoundTrip(req)
}

// Once some changes took effect, a failure later in the push is reported per change, so the
// engine still learns the ids of what was created.
func TestPushFailureAfterProgressKeepsResults(t *testing.T) {
	fake := hubspotfake.New(hubspotfake.Options{})
	t.Cleanup(fake.Close)
	ids := seed(t, fake, "q", 1)
	c, err := New(connectors.Config{Name: "t", Options: map[string]string{OptBaseURL: fake.URL, OptToken: fake.Token()},
		HTTPClient: &http.Client{Transport: failUpdates{http.DefaultTransport}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	changes := append(creates(2, nil), connectors.Change{Kind: connectors.OpUpdate, Ref: "u", ID: ids[0], Fields: map[string]string{"firstname": "X"}})
	res, err := c.Push(t.Context(), "contacts", changes)
	var pe *connectors.PartialError
	if !errors.As(err, &pe) || pe.Failed != 1 || len(res) != 3 {
		t.Fatalf("res = %v, err = %v", res, err)
	}
	if res[0].Err != nil || res[0].ID == "" || res[1].Err != nil || res[2].Err == nil || connectors.IsPermanent(res[2].Err) {
		t.Errorf("results = %+v", res)
	}
	// With nothing applied, the failure is the push's.
	res, err = c.Push(t.Context(), "contacts", changes[2:])
	if err == nil || res != nil {
		t.Errorf("push with nothing applied: res = %v, err = %v", res, err)
	}
}

func TestFetch(t *testing.T) {
	c, fake := setup(t, hubspotfake.Options{}, nil)
	ids := seed(t, fake, "f", 150)
	if err := fake.Delete("contacts", ids[1]); err != nil {
		t.Fatal(err)
	}
	want := append([]string{"424242"}, ids...)
	recs, err := c.Fetch(t.Context(), "contacts", want, []string{"email", "phone"})
	if err != nil {
		t.Fatal(err)
	}
	got := latest(recs)
	if len(got) != 149 || got[ids[1]].ID != "" || got["424242"].ID != "" {
		t.Fatalf("fetched %d records", len(got))
	}
	r := got[ids[140]]
	if r.Fields["email"] != "f140@example.com" {
		t.Errorf("record = %+v", r)
	}
	if v, ok := r.Fields["phone"]; !ok || v != "" {
		t.Errorf("requested empty field phone = %q, %v; want present and empty", v, ok)
	}
	if fake.Count("POST read") != 2 {
		t.Errorf("%d batch reads for 151 ids, want 2", fake.Count("POST read"))
	}
}

func TestFields(t *testing.T) {
	c, _ := setup(t, hubspotfake.Options{}, nil)
	fields, err := c.Fields(t.Context(), "contacts")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]connectors.Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	for name, want := range map[string]struct {
		typ      string
		readOnly bool
	}{
		"email": {"string", false}, "hs_object_id": {"number", true}, "lastmodifieddate": {"datetime", true},
		"hs_email_optout": {"bool", false}, "date_of_birth": {"date", false}, "lifecyclestage": {"enumeration", false},
	} {
		f := byName[name]
		if f.Type != want.typ || f.ReadOnly != want.readOnly {
			t.Errorf("%s = %+v, want type %s read-only %v", name, f, want.typ, want.readOnly)
		}
	}
	if opts := byName["lifecyclestage"].Options; len(opts) != 8 || opts[1] != "lead" {
		t.Errorf("lifecyclestage options = %v", opts)
	}
}

func TestFieldType(t *testing.T) {
	for in, want := range map[string]string{"string": "string", "number": "number", "bool": "bool", "date": "date",
		"datetime": "datetime", "dateTime": "datetime", "enumeration": "enumeration", "json": "string", "phone_number": "string"} {
		if got := fieldType(in); got != want {
			t.Errorf("fieldType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAssociations(t *testing.T) {
	c, fake := setup(t, hubspotfake.Options{}, nil)
	contacts := seed(t, fake, "a", 3)
	company, err := fake.Put("companies", map[string]string{"name": "Acme", "domain": "acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := c.Associate(t.Context(), "contacts", "companies", []connectors.Association{
		{FromID: contacts[0], ToID: company}, {FromID: contacts[1], ToID: company}, {FromID: contacts[2], ToID: "777777"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || errs[1] != nil || !connectors.IsPermanent(errs[2]) {
		t.Fatalf("errs = %v", errs)
	}
	got, err := c.Associations(t.Context(), "contacts", "companies", contacts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[contacts[0]][0] != company || len(got[contacts[2]]) != 0 {
		t.Errorf("contact→company = %v", got)
	}
	back, err := c.Associations(t.Context(), "companies", "contacts", []string{company})
	if err != nil {
		t.Fatal(err)
	}
	if len(back[company]) != 2 {
		t.Errorf("company→contacts = %v", back)
	}
}
