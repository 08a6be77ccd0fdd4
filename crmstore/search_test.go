package crmstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// searchFixture is a store with a few contacts whose values cover every
// property type, named by the part of their email before "@".
type searchFixture struct {
	s       *Store
	clock   *testClock
	ids     map[string]int64 // name -> record id
	names   map[int64]string
	company int64 // a company associated with ann and bob
}

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	s, clock := openTestStore(t)
	ctx := context.Background()
	for _, in := range []PropertyInput{
		{Name: "score", Label: "Score", GroupName: "contactinformation", Type: TypeNumber, FieldType: "number"},
		{Name: "signup_date", Label: "Signup date", GroupName: "contactinformation", Type: TypeDate, FieldType: "date"},
		{Name: "last_seen", Label: "Last seen", GroupName: "contactinformation", Type: TypeDateTime, FieldType: "date"},
		{Name: "vip", Label: "VIP", GroupName: "contactinformation", Type: TypeBool, FieldType: "booleancheckbox",
			Options: []Option{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false", DisplayOrder: 1}}},
		{Name: "interests", Label: "Interests", GroupName: "contactinformation", Type: TypeEnumeration, FieldType: "checkbox",
			Options: []Option{{Label: "Golf", Value: "golf"}, {Label: "Tennis", Value: "tennis", DisplayOrder: 1},
				{Label: "Chess", Value: "chess", DisplayOrder: 2}}},
	} {
		if _, err := s.CreateProperty(ctx, "contacts", in); err != nil {
			t.Fatalf("create property %s: %v", in.Name, err)
		}
	}
	f := &searchFixture{s: s, clock: clock, ids: map[string]int64{}, names: map[int64]string{}}
	batches := [][]map[string]string{
		{{"email": "ann@example.com", "firstname": "Ann", "lastname": "Lee", "company": "Acme Corp", "lifecyclestage": "lead",
			"score": "10", "signup_date": "2024-01-10", "last_seen": "2024-01-10T10:00:00Z", "vip": "true", "interests": "golf;tennis"}},
		// bob and carla share a createdate.
		{{"email": "BOB@Example.org", "firstname": "Bob", "lastname": "Smith-Jones", "company": "Lee Annex", "lifecyclestage": "customer",
			"score": "2.5", "signup_date": "2024-02-01", "last_seen": "2024-02-01T08:30:00.250Z", "vip": "false", "interests": "tennis"},
			{"email": "carla@test.io", "firstname": "Émile", "lastname": "Ångström", "lifecyclestage": "lead",
				"score": "-3", "signup_date": "2023-12-31", "interests": "chess"}},
		{{"email": "dan@example.com", "firstname": "anna", "company": "ACME"}},
		{{"email": "eve@example.com", "firstname": "Ann", "lifecyclestage": "lead", "score": "10"}},
	}
	for _, batch := range batches {
		clock.Advance(time.Minute)
		res, err := s.CreateRecords(ctx, "contacts", batch, Source{Type: SourceAPI})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatalf("create contact: %v", r.Err)
			}
			name, _, _ := strings.Cut(r.Record.Properties["email"], "@")
			f.ids[name], f.names[r.Record.ID] = r.Record.ID, name
		}
	}
	if err := s.ArchiveRecord(ctx, "contacts", f.ids["eve"], Source{Type: SourceAPI}); err != nil {
		t.Fatal(err)
	}
	co, err := s.CreateRecord(ctx, "companies", map[string]string{"name": "Acme", "domain": "acme.com"}, Source{Type: SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	f.company = co.ID
	for _, n := range []string{"ann", "bob"} {
		if err := s.AssociateDefault(ctx, "contacts", f.ids[n], "companies", co.ID, Source{Type: SourceAPI}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// search runs req and returns the names of the matches, in order.
func (f *searchFixture) search(t *testing.T, req SearchRequest) ([]string, SearchResult) {
	t.Helper()
	res, err := f.s.Search(context.Background(), "contacts", req)
	if err != nil {
		t.Fatalf("search %+v: %v", req, err)
	}
	var out []string
	for _, r := range res.Records {
		out = append(out, f.names[r.ID])
	}
	return out, res
}

// one is a request with a single filter.
func one(prop, op, value string, values ...string) SearchRequest {
	return SearchRequest{Limit: 100, FilterGroups: []SearchFilterGroup{{Filters: []SearchFilter{
		{PropertyName: prop, Operator: op, Value: value, Values: values}}}}}
}

func between(prop, lo, hi string) SearchRequest {
	return SearchRequest{Limit: 100, FilterGroups: []SearchFilterGroup{{Filters: []SearchFilter{
		{PropertyName: prop, Operator: FilterBetween, Value: lo, HighValue: hi}}}}}
}

func TestSearchOperators(t *testing.T) {
	f := newSearchFixture(t)
	ms := func(day string) string {
		d, _ := time.Parse("2006-01-02", day)
		return fmt.Sprint(d.UnixMilli())
	}
	cases := []struct {
		name string
		req  SearchRequest
		want string // names in default order (createdate, then id), space-separated
	}{
		// Strings: case-insensitive for every operator.
		{"EQ string ignores case", one("firstname", "EQ", "ANN"), "ann"},
		{"EQ string folds non-ASCII", one("firstname", "EQ", "émile"), "carla"},
		{"EQ email", one("email", "EQ", "Bob@EXAMPLE.org"), "bob"},
		{"NEQ string, missing values match", one("company", "NEQ", "acme"), "ann bob carla"},
		{"LT string", one("lastname", "LT", "m"), "ann"},
		{"GTE string", one("lastname", "GTE", "SMITH"), "bob carla"},
		{"BETWEEN string", between("firstname", "a", "B"), "ann dan"},
		{"IN string (lower-case values)", one("firstname", "IN", "", "ann", "bob"), "ann bob"},
		{"IN string (values in any case)", one("firstname", "IN", "", "ANN", "Émile"), "ann carla"},
		{"NOT_IN string", one("firstname", "NOT_IN", "", "ann", "bob"), "carla dan"},
		{"HAS_PROPERTY", one("lastname", "HAS_PROPERTY", ""), "ann bob carla"},
		{"NOT_HAS_PROPERTY", one("lastname", "NOT_HAS_PROPERTY", ""), "dan"},
		{"CONTAINS_TOKEN email suffix", one("email", "CONTAINS_TOKEN", "*@example.com"), "ann dan"},
		{"CONTAINS_TOKEN suffix ignores case", one("email", "CONTAINS_TOKEN", "*@EXAMPLE.COM"), "ann dan"},
		{"CONTAINS_TOKEN email prefix", one("email", "CONTAINS_TOKEN", "bob@*"), "bob"},
		{"CONTAINS_TOKEN prefix of a word", one("company", "CONTAINS_TOKEN", "ann*"), "bob"},
		{"CONTAINS_TOKEN prefix of a value", one("firstname", "CONTAINS_TOKEN", "ann*"), "ann dan"},
		{"CONTAINS_TOKEN whole word", one("lastname", "CONTAINS_TOKEN", "JONES"), "bob"},
		{"CONTAINS_TOKEN is not a substring", one("firstname", "CONTAINS_TOKEN", "an"), ""},
		{"CONTAINS_TOKEN phrase", one("company", "CONTAINS_TOKEN", "acme corp"), "ann"},
		{"CONTAINS_TOKEN word of an email", one("email", "CONTAINS_TOKEN", "example.org"), "bob"},
		{"CONTAINS_TOKEN infix wildcard", one("email", "CONTAINS_TOKEN", "*@example.*"), "ann bob dan"},
		{"CONTAINS_TOKEN non-ASCII", one("lastname", "CONTAINS_TOKEN", "ÅNGSTRÖM"), "carla"},
		{"CONTAINS_TOKEN star", one("company", "CONTAINS_TOKEN", "*"), "ann bob dan"},
		{"NOT_CONTAINS_TOKEN", one("email", "NOT_CONTAINS_TOKEN", "*@example.com"), "bob carla"},
		{"NOT_CONTAINS_TOKEN, missing values match", one("company", "NOT_CONTAINS_TOKEN", "acme"), "bob carla"},
		// Enumerations: case-sensitive.
		{"EQ enumeration", one("lifecyclestage", "EQ", "lead"), "ann carla"},
		{"EQ enumeration is case-sensitive", one("lifecyclestage", "EQ", "LEAD"), ""},
		{"NEQ enumeration", one("lifecyclestage", "NEQ", "lead"), "bob dan"},
		{"IN enumeration", one("lifecyclestage", "IN", "", "customer", "lead", "Lead"), "ann bob carla"},
		{"NOT_IN enumeration", one("lifecyclestage", "NOT_IN", "", "lead"), "bob dan"},
		{"CONTAINS_TOKEN enumeration", one("lifecyclestage", "CONTAINS_TOKEN", "cust*"), "bob"},
		{"HAS_PROPERTY enumeration", one("lifecyclestage", "HAS_PROPERTY", ""), "ann bob carla"},
		// Multi-select: each selected option counts.
		{"EQ multi-select", one("interests", "EQ", "tennis"), "ann bob"},
		{"NEQ multi-select", one("interests", "NEQ", "tennis"), "carla dan"},
		{"IN multi-select", one("interests", "IN", "", "chess", "golf"), "ann carla"},
		{"NOT_IN multi-select", one("interests", "NOT_IN", "", "chess", "golf"), "bob dan"},
		{"CONTAINS_TOKEN multi-select", one("interests", "CONTAINS_TOKEN", "ten*"), "ann bob"},
		{"EQ multi-select is case-sensitive", one("interests", "EQ", "Tennis"), ""},
		// Numbers.
		{"EQ number", one("score", "EQ", "10.0"), "ann"},
		{"NEQ number", one("score", "NEQ", "10"), "bob carla dan"},
		{"GT number", one("score", "GT", "2.5"), "ann"},
		{"GTE number", one("score", "GTE", "2.5"), "ann bob"},
		{"LT number", one("score", "LT", "0"), "carla"},
		{"LTE number", one("score", "LTE", "1e1"), "ann bob carla"},
		{"BETWEEN number", between("score", "-5", "3"), "bob carla"},
		{"IN number", one("score", "IN", "", "-3", "10"), "ann carla"},
		{"NOT_HAS_PROPERTY number", one("score", "NOT_HAS_PROPERTY", ""), "dan"},
		// Dates: epoch milliseconds or ISO; an instant inside a day
		// compares with the day's midnight.
		{"EQ date epoch ms", one("signup_date", "EQ", ms("2024-01-10")), "ann"},
		{"EQ date ISO", one("signup_date", "EQ", "2024-01-10"), "ann"},
		{"EQ date not at midnight", one("signup_date", "EQ", "2024-01-10T12:00:00Z"), ""},
		{"GT date", one("signup_date", "GT", ms("2024-01-10")), "bob"},
		{"GTE date", one("signup_date", "GTE", ms("2024-01-10")), "ann bob"},
		{"GTE date inside a day", one("signup_date", "GTE", "2024-01-10T12:00:00Z"), "bob"},
		{"LT date inside a day", one("signup_date", "LT", "2024-01-10T12:00:00Z"), "ann carla"},
		{"LT date", one("signup_date", "LT", "2024-01-10"), "carla"},
		{"BETWEEN date", between("signup_date", ms("2024-01-01"), ms("2024-01-31")), "ann"},
		{"IN date", one("signup_date", "IN", "", "2024-02-01", "2023-12-31T10:00:00Z"), "bob"},
		// Datetimes.
		{"GT datetime", one("last_seen", "GT", "2024-01-10T09:59:59.999Z"), "ann bob"},
		{"LT datetime epoch ms", one("last_seen", "LT", "1706776200250"), "ann"},
		{"EQ datetime with millis", one("last_seen", "EQ", "2024-02-01T08:30:00.250Z"), "bob"},
		{"BETWEEN datetime", between("last_seen", "2024-01-10T10:00:00Z", "2024-01-31"), "ann"},
		// Booleans: any spelling of true and false.
		{"EQ bool", one("vip", "EQ", "true"), "ann"},
		{"EQ bool yes", one("vip", "EQ", "YES"), "ann"},
		{"NEQ bool", one("vip", "NEQ", "true"), "bob carla dan"},
		{"IN bool", one("vip", "IN", "", "false"), "bob"},
		// System properties.
		{"EQ hs_object_id", one("hs_object_id", "EQ", fmt.Sprint(f.ids["bob"])), "bob"},
		{"IN hs_object_id", one("hs_object_id", "IN", "", fmt.Sprint(f.ids["dan"]), fmt.Sprint(f.ids["eve"])), "dan"},
		{"GT createdate", one("createdate", "GT", "2026-03-01T12:01:00Z"), "bob carla dan"},
		{"LTE createdate epoch ms", one("createdate", "LTE", fmt.Sprint(time.Date(2026, 3, 1, 12, 2, 0, 0, time.UTC).UnixMilli())), "ann bob carla"},
		{"HAS_PROPERTY createdate", one("createdate", "HAS_PROPERTY", ""), "ann bob carla dan"},
		{"GTE hs_lastmodifieddate", one("hs_lastmodifieddate", "GTE", "2026-03-01T12:03:00Z"), "dan"},
		// Associations.
		{"associations EQ", one("associations.company", "EQ", fmt.Sprint(f.company)), "ann bob"},
		{"associations IN, plural name", one("associations.companies", "IN", "", fmt.Sprint(f.company), "99999"), "ann bob"},
		{"associations NEQ", one("associations.company", "NEQ", fmt.Sprint(f.company)), "carla dan"},
		{"associations HAS_PROPERTY", one("associations.0-2", "HAS_PROPERTY", ""), "ann bob"},
		// Groups: filters ANDed, groups ORed.
		{"AND", SearchRequest{FilterGroups: []SearchFilterGroup{{Filters: []SearchFilter{
			{PropertyName: "lifecyclestage", Operator: "EQ", Value: "lead"},
			{PropertyName: "score", Operator: "GT", Value: "0"}}}}}, "ann"},
		{"OR of ANDs", SearchRequest{FilterGroups: []SearchFilterGroup{
			{Filters: []SearchFilter{
				{PropertyName: "lifecyclestage", Operator: "EQ", Value: "lead"},
				{PropertyName: "signup_date", Operator: "LT", Value: "2024-01-01"}}},
			{Filters: []SearchFilter{{PropertyName: "firstname", Operator: "EQ", Value: "bob"}}},
			{Filters: []SearchFilter{{PropertyName: "firstname", Operator: "EQ", Value: "nobody"}}}}}, "bob carla"},
		{"no filters: every live record", SearchRequest{}, "ann bob carla dan"},
		// Free-text query: every word starts a searchable property.
		{"query", SearchRequest{Query: "ANN"}, "ann dan"},
		{"query on company", SearchRequest{Query: "lee"}, "ann bob"},
		{"query of two words", SearchRequest{Query: "ann lee"}, "ann"},
		{"query on email", SearchRequest{Query: "bob@example.o"}, "bob"},
		{"query non-ASCII", SearchRequest{Query: "émi"}, "carla"},
		{"query and filter", SearchRequest{Query: "a", FilterGroups: []SearchFilterGroup{{Filters: []SearchFilter{
			{PropertyName: "score", Operator: "HAS_PROPERTY"}}}}}, "ann"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, res := f.search(t, tc.req)
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), tc.want)
			}
			if res.Total != len(got) || res.After != "" {
				t.Errorf("total %d after %q for %d results", res.Total, res.After, len(got))
			}
		})
	}
}

func TestSearchErrors(t *testing.T) {
	f := newSearchFixture(t)
	filters := func(n int) []SearchFilter {
		out := make([]SearchFilter, n)
		for i := range out {
			out[i] = SearchFilter{PropertyName: "firstname", Operator: "HAS_PROPERTY"}
		}
		return out
	}
	groups := func(sizes ...int) []SearchFilterGroup {
		var out []SearchFilterGroup
		for _, n := range sizes {
			out = append(out, SearchFilterGroup{Filters: filters(n)})
		}
		return out
	}
	cases := []struct {
		name string
		req  SearchRequest
		want string
	}{
		{"unknown property", one("nosuchprop", "EQ", "x"), `property "nosuchprop" does not exist on contacts`},
		{"unknown sort property", SearchRequest{Sorts: []SearchSort{{PropertyName: "nope"}}}, `sorts[0]: property "nope" does not exist`},
		{"bad operator", one("firstname", "LIKE", "x"), `operator "LIKE" is not one of`},
		{"number", one("score", "GT", "ten"), `"ten" is not a valid number for property "score"`},
		{"date", one("signup_date", "EQ", "yesterday"), `"yesterday" is not a valid date for property "signup_date"`},
		{"bool", one("vip", "EQ", "maybe"), `"maybe" is not a valid boolean`},
		{"record id", one("hs_object_id", "EQ", "x1"), `"x1" is not a valid record id`},
		{"missing value", one("firstname", "EQ", ""), `needs a value`},
		{"missing high value", between("score", "1", ""), `needs a value and a highValue`},
		{"missing values", one("firstname", "IN", ""), `needs values`},
		{"CONTAINS_TOKEN on a number", one("score", "CONTAINS_TOKEN", "1"), `CONTAINS_TOKEN applies to text`},
		{"association operator", one("associations.company", "GT", "1"), `does not apply to "associations.company"`},
		{"association object", one("associations.spaceship", "EQ", "1"), `"spaceship" is not an object`},
		{"association id", one("associations.company", "EQ", "abc"), `"abc" is not a record id of companies`},
		{"6 groups", SearchRequest{FilterGroups: groups(1, 1, 1, 1, 1, 1)}, "too many filter groups: 6 given, at most 5"},
		{"7 filters in a group", SearchRequest{FilterGroups: groups(7)}, "filterGroups[0]: 7 given, at most 6"},
		{"19 filters", SearchRequest{FilterGroups: groups(6, 6, 6, 1)}, "too many filters: 19 given across the filter groups, at most 18"},
		{"empty group", SearchRequest{FilterGroups: groups(0)}, "filterGroups[0] has no filters"},
		{"limit", SearchRequest{Limit: 201}, "limit must be between 1 and 200"},
		{"two sorts", SearchRequest{Sorts: []SearchSort{{PropertyName: "email"}, {PropertyName: "firstname"}}}, "only one sort"},
		{"direction", SearchRequest{Sorts: []SearchSort{{PropertyName: "email", Direction: "UP"}}}, `direction "UP"`},
		{"cursor", SearchRequest{After: "x10"}, `after "x10" is not a paging cursor`},
		{"negative offset", SearchRequest{After: "-4"}, `after "-4" is not a paging cursor`},
		{"offset with a sign", SearchRequest{After: "+4"}, `after "+4" is not a paging cursor`},
		{"query words", SearchRequest{Query: strings.Repeat("a ", 11)}, "at most 10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.s.Search(context.Background(), "contacts", tc.req)
			var ie *InvalidError
			if !errors.As(err, &ie) || !strings.Contains(ie.Message, tc.want) {
				t.Fatalf("err = %v (%T), want *InvalidError containing %q", err, err, tc.want)
			}
		})
	}
	// The 5/6/18 limits themselves are accepted.
	if _, err := f.s.Search(context.Background(), "contacts", SearchRequest{FilterGroups: groups(6, 6, 6)}); err != nil {
		t.Errorf("18 filters: %v", err)
	}
	if _, err := f.s.Search(context.Background(), "contacts", SearchRequest{FilterGroups: groups(6, 3, 3, 3, 3)}); err != nil {
		t.Errorf("5 groups: %v", err)
	}
	if _, err := f.s.Search(context.Background(), "nothing", SearchRequest{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown object: %v", err)
	}
	// A cursor of one sort does not page another.
	res, err := f.s.Search(context.Background(), "contacts", SearchRequest{Limit: 1})
	if err != nil || res.After == "" {
		t.Fatalf("first page: %v %+v", err, res)
	}
	_, err = f.s.Search(context.Background(), "contacts", SearchRequest{Limit: 1, After: res.After,
		Sorts: []SearchSort{{PropertyName: "email"}}})
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Errorf("cursor of another sort: %v", err)
	}
}

func TestSearchRequestJSON(t *testing.T) {
	var req SearchRequest
	body := `{"query":"x","limit":"20","after":0,
		"filterGroups":[{"filters":[{"propertyName":"score","operator":"GT","value":2.5},
			{"propertyName":"vip","operator":"EQ","value":true},
			{"propertyName":"score","operator":"IN","values":[1,"2"]},
			{"propertyName":"score","operator":"BETWEEN","value":"1","highValue":9}]}],
		"sorts":["firstname", {"propertyName":"email","direction":"DESCENDING"}, "{\"propertyName\":\"lastname\",\"direction\":\"DESCENDING\"}"],
		"properties":["email"]}`
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	fs := req.FilterGroups[0].Filters
	if req.Limit != 20 || req.After != "0" || req.Query != "x" || fs[0].Value != "2.5" || fs[1].Value != "true" ||
		!slices.Equal(fs[2].Values, []string{"1", "2"}) || fs[3].HighValue != "9" || !slices.Equal(req.Properties, []string{"email"}) {
		t.Errorf("decoded %+v", req)
	}
	want := []SearchSort{{"firstname", SortAscending}, {"email", SortDescending}, {"lastname", SortDescending}}
	if !slices.Equal(req.Sorts, want) {
		t.Errorf("sorts = %+v, want %+v", req.Sorts, want)
	}
	if err := json.Unmarshal([]byte(`{"filterGroups":[{"filters":[{"value":{}}]}]}`), &req); err == nil {
		t.Error("object value accepted")
	}
}

func TestSearchSortsAndProperties(t *testing.T) {
	f := newSearchFixture(t)
	cases := []struct {
		sort SearchSort
		want string
	}{
		{SearchSort{PropertyName: "firstname"}, "ann dan bob carla"},                            // case-insensitive: ann, anna, bob, émile
		{SearchSort{PropertyName: "firstname", Direction: SortDescending}, "carla bob dan ann"}, //
		{SearchSort{PropertyName: "score"}, "carla bob ann dan"},                                // numbers; no value last
		{SearchSort{PropertyName: "score", Direction: SortDescending}, "ann bob carla dan"},     // no value last here too
		{SearchSort{PropertyName: "lifecyclestage"}, "bob ann carla dan"},                       // ties by createdate
		{SearchSort{PropertyName: "lifecyclestage", Direction: SortDescending}, "carla ann bob dan"},
		{SearchSort{PropertyName: "createdate", Direction: SortDescending}, "dan carla bob ann"},
		{SearchSort{PropertyName: "hs_object_id", Direction: SortDescending}, "dan carla bob ann"},
		{SearchSort{PropertyName: "signup_date"}, "carla ann bob dan"},
		{SearchSort{PropertyName: "last_seen", Direction: SortDescending}, "bob ann dan carla"}, // no value: newest first
	}
	for _, tc := range cases {
		got, _ := f.search(t, SearchRequest{Sorts: []SearchSort{tc.sort}})
		if strings.Join(got, " ") != tc.want {
			t.Errorf("sort %+v: got %q, want %q", tc.sort, strings.Join(got, " "), tc.want)
		}
	}
	// A bare property name sorts ascending.
	var req SearchRequest
	if err := json.Unmarshal([]byte(`{"sorts":["score"],"properties":["firstname"]}`), &req); err != nil {
		t.Fatal(err)
	}
	got, res := f.search(t, req)
	if strings.Join(got, " ") != "carla bob ann dan" {
		t.Errorf("bare sort: %q", got)
	}
	props := res.Records[0].Properties
	if props["firstname"] != "Émile" || props["email"] != "" || props["lastname"] != "" {
		t.Errorf("properties = %v", props)
	}
}

// TestSearchPaging pages through many records, with ties on every sort
// key, and checks each sort yields every match exactly once, in order.
func TestSearchPaging(t *testing.T) {
	s, clock := openTestStore(t)
	ctx := context.Background()
	if _, err := s.CreateProperty(ctx, "contacts", PropertyInput{Name: "score", Label: "Score", GroupName: "contactinformation",
		Type: TypeNumber, FieldType: "number"}); err != nil {
		t.Fatal(err)
	}
	type rec struct {
		id        int64
		created   int64
		firstname string
		score     string
	}
	var all []rec
	for b := 0; b < 6; b++ {
		clock.Advance(time.Second) // every batch shares one createdate
		var batch []map[string]string
		for i := 0; i < 11; i++ {
			n := b*11 + i
			v := map[string]string{"email": fmt.Sprintf("p%d@x.com", n), "firstname": []string{"Ann", "bob", "ANN", "Cy"}[n%4]}
			if n%3 != 0 {
				v["score"] = fmt.Sprint(n % 5)
			}
			if n%7 == 0 {
				delete(v, "firstname")
			}
			batch = append(batch, v)
		}
		res, err := s.CreateRecords(ctx, "contacts", batch, Source{Type: SourceAPI})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			all = append(all, rec{r.Record.ID, r.Record.CreatedAt.UnixMilli(), r.Record.Properties["firstname"], r.Record.Properties["score"]})
		}
	}
	// The expected order of each sort, worked out independently.
	byKey := func(key func(rec) (string, bool), num, desc bool) []int64 {
		recs := slices.Clone(all)
		slices.SortStableFunc(recs, func(a, b rec) int {
			ka, oka := key(a)
			kb, okb := key(b)
			if oka != okb { // no value last, whatever the direction
				if oka {
					return -1
				}
				return 1
			}
			c := 0
			if oka {
				if num {
					var fa, fb float64
					fmt.Sscan(ka, &fa)
					fmt.Sscan(kb, &fb)
					c = cmp.Compare(fa, fb)
				} else {
					c = strings.Compare(strings.ToLower(ka), strings.ToLower(kb))
				}
			}
			if c == 0 {
				c = cmp.Compare(a.created, b.created)
			}
			if c == 0 {
				c = cmp.Compare(a.id, b.id)
			}
			if desc {
				c = -c
			}
			return c
		})
		out := make([]int64, len(recs))
		for i, r := range recs {
			out[i] = r.id
		}
		return out
	}
	none := func(rec) (string, bool) { return "", true }
	first := func(r rec) (string, bool) { return r.firstname, r.firstname != "" }
	score := func(r rec) (string, bool) { return r.score, r.score != "" }
	cases := []struct {
		sorts []SearchSort
		want  []int64
	}{
		{nil, byKey(none, false, false)},
		{[]SearchSort{{PropertyName: "createdate", Direction: SortDescending}}, byKey(none, false, true)},
		{[]SearchSort{{PropertyName: "firstname"}}, byKey(first, false, false)},
		{[]SearchSort{{PropertyName: "firstname", Direction: SortDescending}}, byKey(first, false, true)},
		{[]SearchSort{{PropertyName: "score"}}, byKey(score, true, false)},
		{[]SearchSort{{PropertyName: "score", Direction: SortDescending}}, byKey(score, true, true)},
		{[]SearchSort{{PropertyName: "hs_object_id"}}, byKey(none, false, false)},
		{[]SearchSort{{PropertyName: "hs_lastmodifieddate"}}, byKey(none, false, false)},
	}
	// Each sort, unfiltered and filtered (a plain condition, and OR
	// blocks); small limits make the store walk the sort index, large
	// ones sort the matches.
	filters := []struct {
		groups []SearchFilterGroup
		match  func(rec) bool
	}{
		{nil, func(rec) bool { return true }},
		{[]SearchFilterGroup{{Filters: []SearchFilter{{PropertyName: "score", Operator: "HAS_PROPERTY"}}}},
			func(r rec) bool { return r.score != "" }},
		{[]SearchFilterGroup{
			{Filters: []SearchFilter{{PropertyName: "firstname", Operator: "EQ", Value: "ann"}}},
			{Filters: []SearchFilter{{PropertyName: "score", Operator: "GT", Value: "2"}}}},
			func(r rec) bool { return strings.EqualFold(r.firstname, "ann") || r.score > "2" }},
	}
	for _, tc := range cases {
		for fi, flt := range filters {
			var want []int64
			for _, id := range tc.want {
				if flt.match(all[slices.IndexFunc(all, func(r rec) bool { return r.id == id })]) {
					want = append(want, id)
				}
			}
			for _, limit := range []int{1, 7, 66, 200} {
				var got []int64
				after := ""
				for pages := 0; ; pages++ {
					if pages > len(all) {
						t.Fatalf("sorts %+v filter %d limit %d: paging does not end", tc.sorts, fi, limit)
					}
					res, err := s.Search(ctx, "contacts", SearchRequest{Sorts: tc.sorts, Limit: limit, After: after, FilterGroups: flt.groups})
					if err != nil {
						t.Fatalf("sorts %+v filter %d limit %d: %v", tc.sorts, fi, limit, err)
					}
					if res.Total != len(want) {
						t.Fatalf("sorts %+v filter %d: total = %d, want %d", tc.sorts, fi, res.Total, len(want))
					}
					if res.After != "" && len(res.Records) != limit {
						t.Fatalf("a page of %d before the last with limit %d", len(res.Records), limit)
					}
					for _, r := range res.Records {
						got = append(got, r.ID)
					}
					if after = res.After; after == "" {
						break
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("sorts %+v filter %d limit %d:\n got %v\nwant %v", tc.sorts, fi, limit, got, want)
				}
				// An offset starts the page that far into the same order,
				// across the segments of a property's order; following
				// the cursors from there yields the rest, each once.
				for _, off := range []int{0, 4, limit, len(want) / 2, len(want) - 1, len(want), len(want) + 3} {
					res, err := s.Search(ctx, "contacts", SearchRequest{Sorts: tc.sorts, Limit: limit, After: strconv.Itoa(off), FilterGroups: flt.groups})
					if err != nil {
						t.Fatalf("sorts %+v filter %d limit %d offset %d: %v", tc.sorts, fi, limit, off, err)
					}
					rest := want[min(off, len(want)):]
					page := rest[:min(limit, len(rest))]
					var ids []int64
					for _, r := range res.Records {
						ids = append(ids, r.ID)
					}
					if res.Total != len(want) || !slices.Equal(ids, page) || (res.After != "") != (len(rest) > limit) {
						t.Fatalf("sorts %+v filter %d limit %d offset %d: total %d, page %v, after %q; want total %d, page %v",
							tc.sorts, fi, limit, off, res.Total, ids, res.After, len(want), page)
					}
					for after := res.After; after != ""; after = res.After {
						if _, err := strconv.Atoi(after); err == nil {
							t.Fatalf("cursor %q is all digits", after)
						}
						res, err = s.Search(ctx, "contacts", SearchRequest{Sorts: tc.sorts, Limit: limit, After: after, FilterGroups: flt.groups})
						if err != nil {
							t.Fatal(err)
						}
						for _, r := range res.Records {
							ids = append(ids, r.ID)
						}
						if len(ids) > len(rest) {
							break
						}
					}
					if !slices.Equal(ids, rest) {
						t.Errorf("sorts %+v filter %d limit %d offset %d, then cursors:\n got %v\nwant %v", tc.sorts, fi, limit, off, ids, rest)
					}
				}
			}
		}
	}
	// Paging a filtered search: the matches only, each once.
	req := SearchRequest{Limit: 4, Sorts: []SearchSort{{PropertyName: "firstname"}},
		FilterGroups: []SearchFilterGroup{{Filters: []SearchFilter{{PropertyName: "firstname", Operator: "EQ", Value: "ann"}}}}}
	seen := map[int64]bool{}
	for {
		res, err := s.Search(ctx, "contacts", req)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Records {
			if seen[r.ID] || !strings.EqualFold(r.Properties["firstname"], "ann") {
				t.Fatalf("record %d (%q) again or not a match", r.ID, r.Properties["firstname"])
			}
			seen[r.ID] = true
		}
		if res.After == "" {
			break
		}
		req.After = res.After
	}
	want := 0
	for _, r := range all {
		if strings.EqualFold(r.firstname, "ann") {
			want++
		}
	}
	if len(seen) != want {
		t.Errorf("paged %d matches, want %d", len(seen), want)
	}
}

// TestSearchOffset: an after of all digits is an offset into the order of
// the search, as HubSpot documents it; the page's cursor goes on from there.
func TestSearchOffset(t *testing.T) {
	f := newSearchFixture(t)
	sortBy := func(prop, dir string) []SearchSort { return []SearchSort{{PropertyName: prop, Direction: dir}} }
	lead := []SearchFilterGroup{{Filters: []SearchFilter{{PropertyName: "lifecyclestage", Operator: FilterEQ, Value: "lead"}}}}
	hasScore := []SearchFilterGroup{{Filters: []SearchFilter{{PropertyName: "score", Operator: FilterHasProperty}}}}
	annOrAcme := []SearchFilterGroup{ // OR groups
		{Filters: []SearchFilter{{PropertyName: "firstname", Operator: FilterEQ, Value: "ann"}}},
		{Filters: []SearchFilter{{PropertyName: "company", Operator: FilterEQ, Value: "acme"}}}}
	cases := []struct {
		name  string
		req   SearchRequest
		page  string // names on the page
		more  bool   // the page has a next one
		rest  string // the names of the following pages, by their cursors
		total int
	}{
		{"0", SearchRequest{Limit: 2, After: "0"}, "ann bob", true, "carla dan", 4},
		{"00", SearchRequest{Limit: 2, After: "00"}, "ann bob", true, "carla dan", 4},
		{"1", SearchRequest{Limit: 2, After: "1"}, "bob carla", true, "dan", 4},
		{"to the end", SearchRequest{Limit: 2, After: "2"}, "carla dan", false, "", 4},
		{"last", SearchRequest{Limit: 10, After: "3"}, "dan", false, "", 4},
		{"at the end", SearchRequest{Limit: 4, After: "4"}, "", false, "", 4},
		{"beyond the end", SearchRequest{Limit: 10, After: "100"}, "", false, "", 4},
		{"beyond an int", SearchRequest{Limit: 10, After: "99999999999999999999999"}, "", false, "", 4},
		{"spaces", SearchRequest{Limit: 1, After: " 1 "}, "bob", true, "carla dan", 4},
		{"sort", SearchRequest{Limit: 2, After: "1", Sorts: sortBy("firstname", "")}, "dan bob", true, "carla", 4},
		{"sort descending", SearchRequest{Limit: 1, After: "2", Sorts: sortBy("firstname", SortDescending)}, "dan", true, "ann", 4},
		// score: carla bob ann, then dan without a score.
		{"into the values without one", SearchRequest{Limit: 1, After: "3", Sorts: sortBy("score", "")}, "dan", false, "", 4},
		{"across the values without one", SearchRequest{Limit: 2, After: "2", Sorts: sortBy("score", "")}, "ann dan", false, "", 4},
		{"before the values without one", SearchRequest{Limit: 1, After: "1", Sorts: sortBy("score", SortDescending)}, "bob", true, "carla dan", 4},
		{"filter", SearchRequest{Limit: 1, After: "1", FilterGroups: lead}, "carla", false, "", 2},
		{"filter and sort", SearchRequest{Limit: 1, After: "1", FilterGroups: lead, Sorts: sortBy("firstname", SortDescending)}, "ann", false, "", 2},
		{"filter beyond the end", SearchRequest{Limit: 1, After: "2", FilterGroups: lead}, "", false, "", 2},
		{"filter on the sorted property", SearchRequest{Limit: 1, After: "1", FilterGroups: hasScore, Sorts: sortBy("score", "")}, "bob", true, "ann", 3},
		{"OR groups", SearchRequest{Limit: 1, After: "1", FilterGroups: annOrAcme, Sorts: sortBy("email", SortDescending)}, "ann", false, "", 2},
		{"query", SearchRequest{Limit: 1, After: "1", Query: "ann"}, "dan", false, "", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, res := f.search(t, tc.req)
			if strings.Join(got, " ") != tc.page || res.Total != tc.total || (res.After != "") != tc.more {
				t.Fatalf("page %q, total %d, after %q; want %q, total %d, more %v", got, res.Total, res.After, tc.page, tc.total, tc.more)
			}
			var rest []string
			req := tc.req
			for res.After != "" {
				if isOffset(res.After) || !strings.HasPrefix(res.After, "eyJ") {
					t.Fatalf("cursor %q: not one of ours", res.After)
				}
				req.After = res.After
				var more []string
				more, res = f.search(t, req)
				if res.Total != tc.total {
					t.Errorf("total %d on a later page, want %d", res.Total, tc.total)
				}
				if rest = append(rest, more...); len(rest) > 10 {
					t.Fatalf("paging does not end: %q", rest)
				}
			}
			if strings.Join(rest, " ") != tc.rest {
				t.Errorf("then %q, want %q", rest, tc.rest)
			}
		})
	}
}

// TestSearchReadsItsWrites: search sees creates, updates and archives at
// once, including a value written right after its index was created.
func TestSearchReadsItsWrites(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	find := func(req SearchRequest) string {
		got, _ := f.search(t, req)
		return strings.Join(got, " ")
	}
	if got := find(one("city", "EQ", "oslo")); got != "" {
		t.Fatalf("before: %q", got)
	}
	r, err := f.s.CreateRecord(ctx, "contacts", map[string]string{"email": "fay@example.com", "city": "Oslo"}, Source{Type: SourceAPI})
	if err != nil {
		t.Fatal(err)
	}
	f.names[r.ID] = "fay"
	if got := find(one("city", "EQ", "oslo")); got != "fay" {
		t.Fatalf("after create: %q", got)
	}
	if _, err := f.s.UpdateRecord(ctx, "contacts", fmt.Sprint(f.ids["ann"]), map[string]string{"city": "OSLO"}, "", Source{Type: SourceAPI}); err != nil {
		t.Fatal(err)
	}
	if got := find(one("city", "EQ", "Oslo")); got != "ann fay" {
		t.Fatalf("after update: %q", got)
	}
	if got := find(SearchRequest{Query: "fay"}); got != "fay" {
		t.Fatalf("query after create: %q", got)
	}
	if err := f.s.ArchiveRecord(ctx, "contacts", r.ID, Source{Type: SourceAPI}); err != nil {
		t.Fatal(err)
	}
	if got := find(one("city", "EQ", "oslo")); got != "ann" {
		t.Fatalf("after archive: %q", got)
	}
	if err := f.s.RestoreRecord(ctx, "contacts", r.ID, Source{Type: SourceAPI}); err != nil {
		t.Fatal(err)
	}
	if got := find(one("city", "EQ", "oslo")); got != "ann fay" {
		t.Fatalf("after restore: %q", got)
	}
}

// TestSearchIndexes checks that filters, sorts and the query are answered
// from indexes, including the suffix pattern and the composite index of
// an enumeration equality with a range.
func TestSearchIndexes(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	plan := func(req SearchRequest) string {
		t.Helper()
		c := f.s.catalog()
		o, _ := c.object("contacts")
		p, err := compileSearch(c, o, req)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.ensureSearchIndexes(ctx, p.columns, p.indexes); err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			ID     int    `db:"id"`
			Parent int    `db:"parent"`
			NotUsd int    `db:"notused"`
			Detail string `db:"detail"`
		}
		q := "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM records WHERE " + p.where
		if err := f.s.r.SelectContext(ctx, &rows, q, p.args...); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Detail)
		}
		return strings.Join(out, "; ")
	}
	cases := []struct {
		req  SearchRequest
		want []string
	}{
		{one("email", "CONTAINS_TOKEN", "*@example.com"), []string{"records_p", "_rv (p", "_rv>? AND p", "_rv<?)"}},
		{one("firstname", "EQ", "ann"), []string{"_lc=?"}},
		{SearchRequest{FilterGroups: []SearchFilterGroup{{Filters: []SearchFilter{
			{PropertyName: "lifecyclestage", Operator: "EQ", Value: "lead"},
			{PropertyName: "signup_date", Operator: "BETWEEN", Value: "2024-01-01", HighValue: "2024-12-31"}}}}},
			[]string{"USING INDEX records_c", "_v=? AND p"}},
		{SearchRequest{Query: "ann"}, []string{"MULTI-INDEX OR"}},
	}
	for _, tc := range cases {
		got := plan(tc.req)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("plan of %+v = %q, want it to contain %q", tc.req, got, w)
			}
		}
		if strings.Contains(got, "SCAN") || strings.Contains(got, "records_by_object") {
			t.Errorf("plan of %+v scans the table: %q", tc.req, got)
		}
	}
}

func TestTokenMatch(t *testing.T) {
	for _, tc := range []struct {
		value, pattern string
		want           bool
	}{
		{"ann@example.com", "*@example.com", true},
		{"ann@example.com", "*@example.co", false},
		{"ann@example.com", "example.com", true},
		{"ann@example.com", "example", true},
		{"ann@example.com", "exam", false},
		{"lee annex", "ann*", true},
		{"lee annex", "*nex", true},
		{"lee annex", "lee annex", true},
		{"lee annex", "annex lee", false},
		{"smith-jones", "jones", true},
		{"golf;tennis", "tennis", true},
		{"golf;tennis", "ten*", true},
		{"a b", "*", true},
		{"abc", "a*c", true},
		{"abc", "a*b", false},
		{"ab;cd", ";", false},
		{"x -- y", "--", true},
	} {
		if got := tokenMatch(tc.value, tc.pattern); got != tc.want {
			t.Errorf("tokenMatch(%q, %q) = %v, want %v", tc.value, tc.pattern, got, tc.want)
		}
	}
	if got := reverseRunes("aÅb"); got != "bÅa" {
		t.Errorf("reverseRunes = %q", got)
	}
	if got := likeContaining([]string{"a%", "", "b_\\"}); got != `%a\%%b\_\\%` {
		t.Errorf("likeContaining = %q", got)
	}
}

// TestSearchBackupAndRestore: a store whose search indexes call the search
// SQL functions can still be backed up, verified and restored.
func TestSearchBackupAndRestore(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	req := one("email", "CONTAINS_TOKEN", "*@example.com")
	if got, _ := f.search(t, req); strings.Join(got, " ") != "ann dan" {
		t.Fatalf("before backup: %q", got)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, err := f.s.Backup(ctx, backup, BackupOptions{}); err != nil {
		t.Fatalf("backup after a search: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if _, _, err := Restore(ctx, dir, backup); err != nil {
		t.Fatalf("restore: %v", err)
	}
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Search(ctx, "contacts", req)
	if err != nil || res.Total != 2 {
		t.Fatalf("search the restored store: %v, %d results", err, res.Total)
	}
}
