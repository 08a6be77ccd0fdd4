package crmstore

import (
	"net/mail"
	"strings"
	"testing"
	"unicode"
)

// netMailEmail is validEmail as it was before its fast path: net/mail on
// every value. The fast path must agree with it on every input.
func netMailEmail(s string) bool {
	if strings.Count(s, "@") != 1 || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, "[")
}

// emailCorpus covers the edges of the fast path: every ASCII character in
// each position, dots at the edges, quoted and commented forms, literals,
// non-ASCII and invalid UTF-8.
var emailCorpus = []string{
	"a@b.co", "user1@example1.com", "first.last@sub.example.org", "x+tag@ex.io",
	"a..b@ex.com", ".a@ex.com", "a.@ex.com", "a@.ex.com", "a@ex.com.", "a@ex..com",
	"a@excom", "@ex.com", "a@", "a", "", "a@@ex.com", "a@b@ex.com",
	`"a b"@ex.com`, `"a"@ex.com`, `""@ex.com`, "a(c)@ex.com", "a@ex.com (c)", "a@ex.com(c)",
	"<a@ex.com>", "A <a@ex.com>", "a@[1.2.3.4]", "a@[ex.com]", "a @ex.com", "a@ ex.com",
	" a@ex.com", "a@ex.com ", "a\t@ex.com", "é@ex.com", "a@éx.com", "a@ex.cöm",
	"a\xff@ex.com", "a@ex\xff.com", "a@ex.com\x00", "a\x7f@ex.com", "a@ex.c\x7fm",
	"!#$%&'*+-/=?^_`{|}~@ex.com", "a@!#$%&'*+-/=?^_`{|}~.com", "a;b@ex.com", "a@ex,com.x",
	"a\\b@ex.com", "a@ex.com\u2028", "a\u00a0@ex.com", "a:b@ex.com", "a@ex.com;",
	"user1500-at-example.com", "g:a@ex.com;", "a@b.c.d.e", "1@2.3",
}

func TestValidEmailMatchesNetMail(t *testing.T) {
	inputs := append([]string(nil), emailCorpus...)
	// Every ASCII byte in the local part, the domain and around the dot.
	for c := 0; c < 128; c++ {
		ch := string(rune(c))
		inputs = append(inputs, "a"+ch+"b@ex.com", ch+"@ex.com", "a@e"+ch+"x.com", "a@ex."+ch, "a@ex"+ch+"com", ch+"a@b.c")
	}
	accepted := 0
	for _, s := range inputs {
		want := netMailEmail(s)
		if got := validEmail(s); got != want {
			t.Errorf("validEmail(%q) = %v, net/mail says %v", s, got, want)
		}
		if simpleEmail(s) && !want {
			t.Errorf("simpleEmail(%q) accepts what net/mail refuses", s)
		}
		if want {
			accepted++
		}
	}
	// The table must exercise both answers, or it proves nothing.
	if accepted == 0 || accepted == len(inputs) {
		t.Fatalf("corpus accepted %d of %d inputs; want a mix", accepted, len(inputs))
	}
}

func FuzzValidEmail(f *testing.F) {
	for _, s := range emailCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := netMailEmail(s)
		if got := validEmail(s); got != want {
			t.Fatalf("validEmail(%q) = %v, net/mail says %v", s, got, want)
		}
		if simpleEmail(s) && !want {
			t.Fatalf("simpleEmail(%q) accepts what net/mail refuses", s)
		}
	})
}
