package crmstore

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestJSONEncodersRoundTrip(t *testing.T) {
	tricky := "quote\" back\\slash \n\r\t \x01 ünïcødé \u2028 emoji 😀 bad\xffbyte"
	m := map[string]string{"a": tricky, "b": "", "c\"key": "v"}
	enc := []byte{'{'}
	for k, v := range m {
		if len(enc) > 1 {
			enc = append(enc, ',')
		}
		enc = append(appendJSONString(enc, k), ':')
		enc = appendJSONString(enc, v)
	}
	enc = append(enc, '}')
	var back map[string]string
	if err := json.Unmarshal(enc, &back); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "quote\" back\\slash \n\r\t \x01 ünïcødé \u2028 emoji 😀 bad\ufffdbyte", "b": "", "c\"key": "v"}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("round trip = %q, want %q", back, want)
	}
	old := "x"
	body := changeBody{Properties: map[string]ValueChange{"p": {Old: &old}, "q": {New: &tricky}},
		Association: &AssociationChange{ToObjectTypeID: "0-2", ToID: 9, TypeID: 279, Label: "Primary"}, MergedID: 4, PrimaryID: 5}
	var got changeBody
	if err := json.Unmarshal([]byte(encodeChangeBody(body)), &got); err != nil {
		t.Fatal(err)
	}
	if *got.Properties["p"].Old != "x" || got.Properties["p"].New != nil || got.Association.TypeID != 279 ||
		got.Association.Label != "Primary" || got.MergedID != 4 || got.PrimaryID != 5 {
		t.Errorf("change body round trip = %+v", got)
	}
	if encodeChangeBody(changeBody{}) != "{}" {
		t.Errorf("empty body = %s", encodeChangeBody(changeBody{}))
	}
}

func TestDecodeStringMap(t *testing.T) {
	for _, in := range []string{
		`{}`, ` { } `, `{"a":"1","b":""}`, `{ "a" : "x y" , "c":"z" }`,
		`{"esc":"quote\" and \\ and \n","u":"\u00e9"}`, `{"k":"v","n":null}`,
	} {
		want := map[string]string{}
		_ = json.Unmarshal([]byte(in), &want)
		got := map[string]string{}
		if err := decodeStringMap(in, got); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("decodeStringMap(%s) = %q, want %q", in, got, want)
		}
	}
	if err := decodeStringMap(`{"a":`, map[string]string{}); err == nil {
		t.Error("truncated JSON accepted")
	}
}
