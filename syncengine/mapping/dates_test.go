package mapping

import (
	"strings"
	"testing"
	"time"
)

func TestDateStepPull(t *testing.T) {
	tests := []struct {
		spec, in, want, err string
	}{
		{"DAY_MONTH_YEAR", "17/01/2024", "2024-01-17", ""},
		{"DAY_MONTH_YEAR", "7.1.2024", "2024-01-07", ""},
		{"DAY_MONTH_YEAR", " 31-12-1999 ", "1999-12-31", ""},
		{"DAY_MONTH_YEAR", "29/02/2024", "2024-02-29", ""},
		{"DAY_MONTH_YEAR", "", "", ""},
		{"DAY_MONTH_YEAR", "29/02/2023", "", "no such day"},
		{"DAY_MONTH_YEAR", "01/13/2024", "", "no such day"},
		{"DAY_MONTH_YEAR", "00/01/2024", "", "no such day"},
		{"DAY_MONTH_YEAR", "17/01/24", "", "4 digits"},
		{"DAY_MONTH_YEAR", "17/01-2024", "", "3 parts"},
		{"DAY_MONTH_YEAR", "17/01/2024/1", "", "3 parts"},
		{"DAY_MONTH_YEAR", "20240117", "", "no separator"},
		{"DAY_MONTH_YEAR", "1a/01/2024", "", "digits"},
		{"DAY_MONTH_YEAR", "17/01/+024", "", "digits"},
		{"DAY_MONTH_YEAR", "017/01/2024", "", "digits"},
		{"DAY_MONTH_YEAR", "17/01/0000", "", "no such day"},
		{"MONTH_DAY_YEAR", "01/17/2024", "2024-01-17", ""},
		{"MONTH_DAY_YEAR", "17/01/2024", "", "no such day"},
		{"YEAR_MONTH_DAY", "2024.01.17", "2024-01-17", ""},
		{"YEAR_MONTH_DAY", "2024/1/7", "2024-01-07", ""},
		{"YEAR_MONTH_DAY", "17/01/2024", "", "4 digits"},
		{"ISO", "2024-01-17", "2024-01-17", ""},
		{"ISO", "2024-01-17T19:55:04.281+01:00", "2024-01-17T18:55:04.281Z", ""},
		{"ISO", "1705521304281", "", "not a valid date"},
		{"ISO", "17/01/2024", "", "not a valid date"},
		{"EPOCH_MS", "1705449600000", "2024-01-17T00:00:00.000Z", ""},
		{"EPOCH_MS", "-86400000", "1969-12-31T00:00:00.000Z", ""},
		{"EPOCH_MS", "2024-01-17", "", "not epoch milliseconds"},
		{"EPOCH_MS", "1e12", "", "not epoch milliseconds"},
	}
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.in, func(t *testing.T) {
			d, err := newDateStep(tc.spec, TypeString)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.pull(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("pull(%q) = %q, %v; want error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("pull(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDateStepPush(t *testing.T) {
	tests := []struct {
		spec, remoteType, in, want, err string
	}{
		{"DAY_MONTH_YEAR", TypeString, "2024-01-07", "07/01/2024", ""},
		{"DAY_MONTH_YEAR:.", TypeString, "2024-01-07", "07.01.2024", ""},
		{"DAY_MONTH_YEAR:-", TypeString, "2024-01-07T23:00:00.000Z", "07-01-2024", ""},
		{"MONTH_DAY_YEAR", TypeString, "2024-01-07", "01/07/2024", ""},
		{"YEAR_MONTH_DAY", TypeString, "0999-01-07", "0999-01-07", ""},
		{"YEAR_MONTH_DAY:/", TypeString, "2024-01-07", "2024/01/07", ""},
		{"ISO", TypeString, "2024-01-07", "2024-01-07", ""},
		{"ISO", TypeString, "2024-01-07T10:00:00.000Z", "2024-01-07T10:00:00.000Z", ""},
		{"ISO", TypeDate, "2024-01-07T10:00:00.000Z", "2024-01-07", ""},
		{"ISO", TypeDateTime, "2024-01-07", "2024-01-07T00:00:00.000Z", ""},
		{"EPOCH_MS", TypeString, "2024-01-17T19:55:04.281Z", "1705521304281", ""},
		{"EPOCH_MS", TypeDate, "2024-01-17T19:55:04.281Z", "1705449600000", ""},
		{"EPOCH_MS", TypeNumber, "2024-01-17", "1705449600000", ""},
		{"DAY_MONTH_YEAR", TypeString, "", "", ""},
		{"DAY_MONTH_YEAR", TypeString, "not a date", "", "not a valid date"},
	}
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.remoteType+"/"+tc.in, func(t *testing.T) {
			d, err := newDateStep(tc.spec, tc.remoteType)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.push(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("push(%q) = %q, %v; want error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("push(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNewDateStepErrors(t *testing.T) {
	tests := []struct{ arg, err string }{
		{"", "needs a layout"},
		{"WEEKDAY", `unknown date layout "WEEKDAY"`},
		{"ISO:/", "takes no separator"},
		{"EPOCH_MS:-", "takes no separator"},
		{"DAY_MONTH_YEAR:_", "must be one of"},
		{"DAY_MONTH_YEAR://", "must be one of"},
	}
	for _, tc := range tests {
		if _, err := newDateStep(tc.arg, TypeString); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("newDateStep(%q) error = %v; want one containing %q", tc.arg, err, tc.err)
		}
	}
	if d, err := newDateStep("day_month_year", TypeString); err != nil || d.layout != LayoutDayMonthYear {
		t.Errorf("layout names are case-insensitive: got %v, %v", d, err)
	}
}

// TestDateStepRoundTrip checks that every day-layout spelling pushed is
// read back as the same day, over a range that crosses leap years.
func TestDateStepRoundTrip(t *testing.T) {
	for _, spec := range []string{"DAY_MONTH_YEAR", "MONTH_DAY_YEAR:.", "YEAR_MONTH_DAY", "ISO", "EPOCH_MS"} {
		d, err := newDateStep(spec, TypeDate)
		if err != nil {
			t.Fatal(err)
		}
		day := time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)
		for range 3000 {
			local := formatDate(day)
			remote, err := d.push(local)
			if err != nil {
				t.Fatalf("%s push(%q): %v", spec, local, err)
			}
			back, err := d.pull(remote)
			if err != nil {
				t.Fatalf("%s pull(%q): %v", spec, remote, err)
			}
			if got, _ := canonical(TypeDate, back); got != local {
				t.Fatalf("%s: %q -> %q -> %q", spec, local, remote, got)
			}
			day = day.AddDate(0, 0, 1)
		}
	}
}

// TestDateStepPullFollowsRemoteType checks that ISO and EPOCH_MS values are
// read as a day for a remote date and as an instant for a remote datetime.
func TestDateStepPullFollowsRemoteType(t *testing.T) {
	tests := []struct {
		spec, remoteType, in, want string
	}{
		{"ISO", TypeDate, "2024-01-17T19:55:04Z", "2024-01-17"},
		{"ISO", TypeDateTime, "2024-01-17", "2024-01-17T00:00:00.000Z"},
		{"ISO", TypeString, "2024-01-17", "2024-01-17"},
		{"ISO", TypeString, "2024-01-17T19:55:04Z", "2024-01-17T19:55:04.000Z"},
		{"EPOCH_MS", TypeDate, "1705521304281", "2024-01-17"},
		{"EPOCH_MS", TypeNumber, "1705521304281", "2024-01-17T19:55:04.281Z"},
		{"DAY_MONTH_YEAR", TypeDateTime, "17/01/2024", "2024-01-17"},
	}
	for _, tc := range tests {
		d, err := newDateStep(tc.spec, tc.remoteType)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := d.pull(tc.in); err != nil || got != tc.want {
			t.Errorf("%s/%s pull(%q) = %q, %v; want %q", tc.spec, tc.remoteType, tc.in, got, err, tc.want)
		}
	}
}
