package crmstore

import (
	"slices"
	"testing"
)

func TestPageLimit(t *testing.T) {
	for _, tc := range []struct {
		name        string
		limit, want int
	}{
		{"absent takes the default", 0, 100},
		{"negative takes the default", -5, 100},
		{"within bounds is kept", 250, 250},
		{"at the cap is kept", 500, 500},
		{"above the cap is capped", 501, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pageLimit(tc.limit, 100, 500); got != tc.want {
				t.Errorf("pageLimit(%d, 100, 500) = %d, want %d", tc.limit, got, tc.want)
			}
		})
	}
}

func TestCutPage(t *testing.T) {
	key := func(v int64) int64 { return v * 10 }
	for _, tc := range []struct {
		name     string
		rows     []int64
		want     []int64
		wantNext int64
	}{
		{"empty is the last page", nil, nil, 0},
		{"exactly limit rows is the last page", []int64{1, 2, 3}, []int64{1, 2, 3}, 0},
		{"one extra row means a next page after the last kept", []int64{1, 2, 3, 4}, []int64{1, 2, 3}, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next := cutPage(tc.rows, 3, key)
			if !slices.Equal(got, tc.want) || next != tc.wantNext {
				t.Errorf("cutPage(%v, 3) = %v, %d; want %v, %d", tc.rows, got, next, tc.want, tc.wantNext)
			}
		})
	}
}
