package hubspot

import (
	"strings"
	"testing"

	"github.com/tandem-crm/tandem/connectors"
)

func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      map[string]string
		wantErr []string // each must appear in the error
		check   func(t *testing.T, o options)
	}{
		{name: "defaults", in: map[string]string{"token": "pat-1"}, check: func(t *testing.T, o options) {
			if o.baseURL != DefaultBaseURL || o.requestsPer10s != 100 || o.searchPerSecond != 4 || o.pageSize != 0 {
				t.Errorf("defaults = %+v", o)
			}
		}},
		{name: "all set", in: map[string]string{"token": "pat-1", "base_url": "http://127.0.0.1:8080/", "requests_per_10s": "190",
			"search_per_second": "5", "page_size": "50"}, check: func(t *testing.T, o options) {
			if o.baseURL != "http://127.0.0.1:8080" || o.requestsPer10s != 190 || o.searchPerSecond != 5 || o.pageSize != 50 {
				t.Errorf("options = %+v", o)
			}
		}},
		{name: "token missing", in: map[string]string{}, wantErr: []string{"option token is required"}},
		{name: "bad url", in: map[string]string{"token": "x", "base_url": "ftp://x"}, wantErr: []string{"option base_url"}},
		{name: "bad numbers", in: map[string]string{"token": "x", "requests_per_10s": "0", "search_per_second": "many", "page_size": "201"},
			wantErr: []string{"option requests_per_10s", "option search_per_second", "option page_size"}},
		{name: "unknown", in: map[string]string{"token": "x", "tokn": "y"}, wantErr: []string{`option "tokn" is unknown`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseOptions(tc.in)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, o)
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestErrorsNeverShowTheToken(t *testing.T) {
	_, err := parseOptions(map[string]string{"token": "pat-secret-123", "page_size": "x"})
	if err == nil || strings.Contains(err.Error(), "pat-secret-123") {
		t.Fatalf("error = %v", err)
	}
}

func TestRegisteredFactory(t *testing.T) {
	c, err := connectors.New(Type, connectors.Config{Name: "main", Options: map[string]string{"token": "pat"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c, err = connectors.New(Type, connectors.Config{Name: "main", Options: map[string]string{}})
	if err == nil || c != nil || !strings.Contains(err.Error(), `hubspot connector "main": option token is required`) {
		t.Fatalf("connector %v, err %v; want a nil connector and the option named", c, err)
	}
}
