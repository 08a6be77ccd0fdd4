package importer

import (
	"testing"
)

func TestImport_RoundTripWithDuplicatesMerged(t *testing.T) {
	e := newEnv(t)
	sum := e.run(e.spec("contacts", "\xef\xbb\xbfEmail,First Name,last_name,Favourite Colour\r\n"+
		"jane@example.com,Jane,Doe,blue\r\n"+
		"\"bob@example.com\",\"Bob, Jr.\",\"Multi\nLine\",red\r\n"+
		"JANE@example.com,,Smith,green\r\n"))
	c := sum.Import.Counters
	if c.Rows != 3 || c.Created != 2 || c.Merged != 1 || c.Failed != 0 {
		t.Fatalf("counters %+v", c)
	}
	jane := e.get("contacts", "email", "jane@example.com")
	if jane.Properties["firstname"] != "Jane" || jane.Properties["lastname"] != "Smith" {
		t.Errorf("jane = %v", jane.Properties)
	}
	bob := e.get("contacts", "email", "bob@example.com")
	if bob.Properties["firstname"] != "Bob, Jr." || bob.Properties["lastname"] != "Multi\nLine" {
		t.Errorf("bob = %v", bob.Properties)
	}
	if got := sum.Unmapped["in.csv"]; len(got) != 1 || got[0] != "Favourite Colour" {
		t.Errorf("unmapped = %v", sum.Unmapped)
	}
	if n := e.count("contacts"); n != 2 {
		t.Errorf("contacts = %d", n)
	}
}
