package mapping

import (
	"strings"
	"testing"
)

func TestValidateTransform(t *testing.T) {
	tests := []struct{ spec, err string }{
		{"", ""},
		{"  ", ""},
		{"trim", ""},
		{"trim|lower", ""},
		{" trim | upper ", ""},
		{"TRIM|Lower", ""},
		{"e164", ""},
		{"trim|e164:44", ""},
		{"date:DAY_MONTH_YEAR", ""},
		{"trim|date:YEAR_MONTH_DAY:.", ""},
		{"date:iso", ""},
		{"date:EPOCH_MS", ""},
		{"titlecase", `unknown transform "titlecase"`},
		{"trim||lower", "step 2): empty transform"},
		{"trim|", "step 2): empty transform"},
		{"trim:x", "takes no argument"},
		{"lower:", "takes no argument"},
		{"e164:0", "country calling code"},
		{"date", "needs a layout"},
		{"date:WEEK", "unknown date layout"},
		{"date:ISO|date:EPOCH_MS", "at most once"},
		{"e164|e164:44", "at most once"},
		{"e164|date:ISO", "both a date and a phone number"},
	}
	for _, tc := range tests {
		err := ValidateTransform(tc.spec)
		if tc.err == "" {
			if err != nil {
				t.Errorf("ValidateTransform(%q) = %v; want nil", tc.spec, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ValidateTransform(%q) = %v; want error containing %q", tc.spec, err, tc.err)
		}
	}
}

func TestValidateTransformReportsEveryStep(t *testing.T) {
	err := ValidateTransform("bogus|trim|date:NOPE")
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{`"bogus"`, "step 1", "step 3", `"NOPE"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestTransformsAreValid(t *testing.T) {
	forms := Transforms()
	if len(forms) < 5 {
		t.Fatalf("Transforms() = %v; want every form", forms)
	}
	for _, form := range forms {
		spec := strings.Replace(form, ":CC", ":44", 1)
		if err := ValidateTransform(spec); err != nil {
			t.Errorf("listed transform %q does not validate: %v", form, err)
		}
	}
}

func TestTextSteps(t *testing.T) {
	tests := []struct{ spec, in, want string }{
		{"trim", "  Anna Smith \t", "Anna Smith"},
		{"lower", "ANNA@Example.COM", "anna@example.com"},
		{"upper", "éclair", "ÉCLAIR"},
		{"trim|upper", " gold ", "GOLD"},
		{"trim", "", ""},
		{"upper", "", ""},
	}
	for _, tc := range tests {
		steps, errs := parseChain(tc.spec, TypeString)
		if len(errs) > 0 {
			t.Fatalf("parseChain(%q): %v", tc.spec, errs)
		}
		pulled, pushed := tc.in, tc.in
		for i, s := range steps {
			pulled, _ = s.pull(pulled)
			pushed, _ = steps[len(steps)-1-i].push(pushed)
		}
		if pulled != tc.want || pushed != tc.want {
			t.Errorf("%s(%q): pull %q, push %q; want %q both ways", tc.spec, tc.in, pulled, pushed, tc.want)
		}
	}
}
