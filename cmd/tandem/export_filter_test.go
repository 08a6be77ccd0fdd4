package main

import (
	"reflect"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

func TestParseExportFilter(t *testing.T) {
	cases := []struct {
		in   string
		want crmstore.SearchFilter
		err  string
	}{
		{in: "lifecyclestage EQ lead", want: crmstore.SearchFilter{PropertyName: "lifecyclestage", Operator: "EQ", Value: "lead"}},
		{in: "  city   eq   New York  ", want: crmstore.SearchFilter{PropertyName: "city", Operator: "EQ", Value: "New York"}},
		{in: `city EQ "  padded "`, want: crmstore.SearchFilter{PropertyName: "city", Operator: "EQ", Value: "  padded "}},
		{in: `jobtitle EQ "The ""Boss"""`, want: crmstore.SearchFilter{PropertyName: "jobtitle", Operator: "EQ", Value: `The "Boss"`}},
		{in: "score >= 10", want: crmstore.SearchFilter{PropertyName: "score", Operator: "GTE", Value: "10"}},
		{in: "score <> 10", want: crmstore.SearchFilter{PropertyName: "score", Operator: "NEQ", Value: "10"}},
		{in: "createdate BETWEEN 2024-01-01 2024-12-31",
			want: crmstore.SearchFilter{PropertyName: "createdate", Operator: "BETWEEN", Value: "2024-01-01", HighValue: "2024-12-31"}},
		{in: "createdate BETWEEN 2024-01-01 and 2024-12-31",
			want: crmstore.SearchFilter{PropertyName: "createdate", Operator: "BETWEEN", Value: "2024-01-01", HighValue: "2024-12-31"}},
		{in: "score BETWEEN -5, 5", want: crmstore.SearchFilter{PropertyName: "score", Operator: "BETWEEN", Value: "-5", HighValue: "5"}},
		{in: `city IN London, "Paris, TX", Oslo`,
			want: crmstore.SearchFilter{PropertyName: "city", Operator: "IN", Values: []string{"London", "Paris, TX", "Oslo"}}},
		{in: "lifecyclestage not_in lead", want: crmstore.SearchFilter{PropertyName: "lifecyclestage", Operator: "NOT_IN", Values: []string{"lead"}}},
		{in: "phone HAS_PROPERTY", want: crmstore.SearchFilter{PropertyName: "phone", Operator: "HAS_PROPERTY"}},
		{in: "phone not_has_property", want: crmstore.SearchFilter{PropertyName: "phone", Operator: "NOT_HAS_PROPERTY"}},
		{in: "email CONTAINS_TOKEN *@example.com", want: crmstore.SearchFilter{PropertyName: "email", Operator: "CONTAINS_TOKEN", Value: "*@example.com"}},

		{in: "", err: "want PROPERTY OPERATOR [VALUE]"},
		{in: "city", err: "want PROPERTY OPERATOR [VALUE]"},
		{in: "city ~ x", err: `unknown operator "~": use EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN or NOT_CONTAINS_TOKEN`},
		{in: "city EQ", err: "EQ needs a value"},
		{in: `city EQ ""`, err: "EQ needs a value"},
		{in: "city IN", err: "IN needs comma-separated values"},
		{in: "city IN a,", err: "value 2 is empty"},
		{in: `city IN "a`, err: "values: extraneous or missing \" in quoted-field"},
		{in: "score BETWEEN 1", err: "BETWEEN needs two values, LOW and HIGH"},
		{in: "score BETWEEN 1 2 3", err: "BETWEEN needs two values, LOW and HIGH"},
		{in: "phone HAS_PROPERTY 1", err: "HAS_PROPERTY takes no value"},
	}
	for _, tc := range cases {
		got, err := parseExportFilter(tc.in)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case !reflect.DeepEqual(got, tc.want):
			t.Errorf("%q: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestExportFilterError(t *testing.T) {
	args := []string{"email HAS_PROPERTY", "score EQ ten"}
	err := exportFilterError(&crmstore.InvalidError{Message: `filterGroups[0].filters[1]: "ten" is not a valid number for property "score"`}, args)
	if want := `--filter "score EQ ten": "ten" is not a valid number for property "score"`; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if _, ok := err.(*usageError); !ok {
		t.Errorf("%T, want a usage error", err)
	}
}
