package mapping

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rtConfig is one field configuration the property tests exercise.
type rtConfig struct {
	spec   FieldSpec
	lt, rt string
	// gen makes a plausible remote value (valid or not) for the field.
	gen func(r *rand.Rand) string
}

var tierValues = map[string]string{"Gold": "gold", "Silver": "silver", "Bronze": "bronze", "Pt": "platinum"}

// rtConfigs covers every type pair without transforms that Compile accepts,
// and each transform with the types it applies to.
func rtConfigs() []rtConfig {
	types := []string{TypeString, TypeNumber, TypeBool, TypeDate, TypeDateTime, TypeEnumeration}
	var out []rtConfig
	for _, lt := range types {
		for _, rt := range types {
			if compatible(lt, rt) {
				// Remote text or options hold what the local type can
				// read, so generate values of the more specific type.
				g := genFor(rt)
				if rt == TypeString || (rt == TypeEnumeration && lt != TypeString) {
					g = genFor(lt)
				}
				out = append(out, rtConfig{lt: lt, rt: rt, gen: g})
			}
		}
	}
	genPhone := func(r *rand.Rand) string { return randPhone(r) }
	for _, lt := range []string{TypeDate, TypeDateTime, TypeString} {
		for _, layout := range []string{"DAY_MONTH_YEAR", "MONTH_DAY_YEAR:.", "YEAR_MONTH_DAY:/"} {
			l := layout
			out = append(out, rtConfig{spec: FieldSpec{Transform: "trim|date:" + l}, lt: lt, rt: TypeString,
				gen: func(r *rand.Rand) string { return randLayoutDate(r, l) }})
		}
		out = append(out,
			rtConfig{spec: FieldSpec{Transform: "date:ISO"}, lt: lt, rt: TypeDateTime, gen: randISO},
			rtConfig{spec: FieldSpec{Transform: "date:ISO"}, lt: lt, rt: TypeDate, gen: randISO},
			rtConfig{spec: FieldSpec{Transform: "date:EPOCH_MS"}, lt: lt, rt: TypeNumber, gen: randEpoch},
			rtConfig{spec: FieldSpec{Transform: "date:EPOCH_MS"}, lt: lt, rt: TypeDate, gen: randEpoch},
		)
	}
	out = append(out,
		rtConfig{spec: FieldSpec{Transform: "trim|lower"}, lt: TypeString, rt: TypeString, gen: randText},
		rtConfig{spec: FieldSpec{Transform: "upper"}, lt: TypeEnumeration, rt: TypeEnumeration, gen: randEnum},
		rtConfig{spec: FieldSpec{Transform: "e164"}, gen: genPhone},
		rtConfig{spec: FieldSpec{Transform: "trim|e164:44"}, gen: genPhone},
		rtConfig{spec: FieldSpec{Values: tierValues}, lt: TypeEnumeration, rt: TypeEnumeration, gen: randTier},
		rtConfig{spec: FieldSpec{Transform: "trim", Values: tierValues}, lt: TypeEnumeration, rt: TypeString, gen: randTier},
		rtConfig{spec: FieldSpec{Values: map[string]string{"Y": "true", "N": "false"}}, lt: TypeBool, rt: TypeEnumeration,
			gen: func(r *rand.Rand) string { return pick(r, "Y", "N", " Y", "maybe") }},
	)
	for i := range out {
		out[i].spec.Local, out[i].spec.Remote = "local", "remote"
	}
	return out
}

func (c rtConfig) String() string {
	return fmt.Sprintf("%s<-%s[%s]", c.lt, c.rt, c.spec.Transform)
}

// TestRoundTripProperty checks, for many random remote values per
// configuration, that a pulled value pushes and pulls back to itself:
// ToLocal(ToRemote(x)) == x for every x that ToLocal produces. That is what
// keeps the engine from seeing its own write as a change (no ping-pong).
func TestRoundTripProperty(t *testing.T) {
	const samples = 400
	for i, c := range rtConfigs() {
		t.Run(c.String(), func(t *testing.T) {
			f := mustCompile(t, c.spec, c.lt, c.rt)
			r := rand.New(rand.NewPCG(uint64(i), 7))
			ok := 0
			for range samples {
				remote := c.gen(r)
				x, err := f.ToLocal(remote)
				if err != nil {
					continue
				}
				ok++
				checkRoundTrip(t, f, remote, x)
			}
			// A generator that only makes bad values would make this test
			// pass without checking anything.
			if ok < samples/4 {
				t.Fatalf("only %d of %d generated values converted; the generator is broken", ok, samples)
			}
		})
	}
}

// checkRoundTrip asserts that the local value x (pulled from remote) pushes
// without error and pulls back to x, and that pushing is stable.
func checkRoundTrip(t *testing.T, f *Field, remote, x string) {
	t.Helper()
	y, err := f.ToRemote(x)
	if err != nil {
		t.Fatalf("remote %q -> local %q: ToRemote: %v", remote, x, err)
	}
	back, err := f.ToLocal(y)
	if err != nil || back != x {
		t.Fatalf("remote %q -> local %q -> remote %q -> local %q, %v", remote, x, y, back, err)
	}
	if !f.EqualLocal(back, x) {
		t.Fatalf("EqualLocal(%q, %q) = false", back, x)
	}
	y2, err := f.ToRemote(back)
	if err != nil || y2 != y || !f.EqualRemote(y, y2) {
		t.Fatalf("push is not stable: %q then %q, %v", y, y2, err)
	}
}

// TestCanonicalLocalRoundTrip generates canonical local values directly and
// checks ToLocal(ToRemote(x)) == x for the type pairs that lose nothing.
func TestCanonicalLocalRoundTrip(t *testing.T) {
	pairs := [][2]string{
		{TypeString, TypeString}, {TypeNumber, TypeNumber}, {TypeNumber, TypeString},
		{TypeBool, TypeBool}, {TypeBool, TypeString}, {TypeBool, TypeEnumeration},
		{TypeDate, TypeDate}, {TypeDate, TypeDateTime}, {TypeDate, TypeString},
		{TypeDateTime, TypeDateTime}, {TypeDateTime, TypeString},
		{TypeEnumeration, TypeEnumeration}, {TypeEnumeration, TypeString},
	}
	r := rand.New(rand.NewPCG(11, 13))
	for _, p := range pairs {
		f := mustCompile(t, FieldSpec{Local: "l", Remote: "r"}, p[0], p[1])
		gen := genFor(p[0])
		checked := 0
		for range 500 {
			x, err := canonical(p[0], gen(r))
			if err != nil || x == "" {
				continue
			}
			checked++
			y, err := f.ToRemote(x)
			if err != nil {
				t.Fatalf("%s<-%s: ToRemote(%q): %v", p[0], p[1], x, err)
			}
			if back, err := f.ToLocal(y); err != nil || back != x {
				t.Fatalf("%s<-%s: %q -> %q -> %q, %v", p[0], p[1], x, y, back, err)
			}
		}
		if checked < 100 {
			t.Fatalf("%s<-%s: only %d canonical values generated", p[0], p[1], checked)
		}
	}
}

// FuzzRoundTrip runs the round-trip property on arbitrary remote text for
// every configuration; the seed corpus runs with go test.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", " ", "1.50", "TRUE", "2024-01-17", "1705449600000", "17/01/2024", "a;b; a",
		"+44 (0)20 7946 0018", "Gold;Silver", "2024-01-17T19:55:04.281+02:00", "\xff", "-0e5", "00"} {
		f.Add(s)
	}
	configs := rtConfigs()
	fields := make([]*Field, len(configs))
	for i, c := range configs {
		fld, err := Compile(c.spec, c.lt, c.rt)
		if err != nil {
			f.Fatal(err)
		}
		fields[i] = fld
	}
	f.Fuzz(func(t *testing.T, remote string) {
		for _, fld := range fields {
			x, err := fld.ToLocal(remote)
			if err != nil {
				continue
			}
			if remote == "" && x != "" {
				t.Fatalf("empty remote became %q", x)
			}
			checkRoundTrip(t, fld, remote, x)
		}
	})
}

// FuzzE164 checks that e164 output is always "+" and 7 to 15 digits, and
// that normalising it again changes nothing.
func FuzzE164(f *testing.F) {
	for _, s := range []string{"(555) 234-5678", "+44 (0)20 7946 0018", "0044 20", "011 33 1 23 45 67 89", "+", "x", "0"} {
		f.Add(s, "1")
		f.Add(s, "44")
	}
	f.Fuzz(func(t *testing.T, raw, cc string) {
		st, err := newE164Step(cc, true)
		if err != nil {
			return
		}
		got, err := st.pull(raw)
		if err != nil || got == "" {
			return
		}
		if got[0] != '+' || !allDigits(got[1:]) || len(got) < 8 || len(got) > 16 {
			t.Fatalf("toE164(%q, %s) = %q: not E.164", raw, cc, got)
		}
		if again, err := st.push(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q, %v", got, again, err)
		}
	})
}

// genFor returns a generator of plausible values of type typ in the
// spellings remotes use.
func genFor(typ string) func(r *rand.Rand) string {
	switch typ {
	case TypeNumber:
		return randNumber
	case TypeBool:
		return func(r *rand.Rand) string {
			return pick(r, "true", "false", "TRUE", "False", "yes", "no", "1", "0", "on", "off", " true ", "maybe")
		}
	case TypeDate, TypeDateTime:
		return randISOorEpoch
	case TypeEnumeration:
		return randEnum
	}
	return randText
}

func pick(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }

func randNumber(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString(pick(r, "", "", "-", "+"))
	for range r.IntN(12) {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	if r.IntN(2) == 0 {
		b.WriteByte('.')
		for range r.IntN(8) {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	if r.IntN(5) == 0 {
		fmt.Fprintf(&b, "e%d", r.IntN(40)-20)
	}
	return b.String()
}

func randInstant(r *rand.Rand) time.Time {
	lo, hi := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix()
	if r.IntN(2) == 0 {
		lo, hi = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	}
	return time.Unix(lo+r.Int64N(hi-lo), int64(r.IntN(1e9))).UTC()
}

func randISO(r *rand.Rand) string {
	t := randInstant(r)
	zone := time.FixedZone("", (r.IntN(29)-14)*1800)
	switch r.IntN(5) {
	case 0:
		return t.Format("2006-01-02")
	case 1:
		return t.In(zone).Format(time.RFC3339Nano)
	case 2:
		return t.Format("2006-01-02 15:04")
	case 3:
		return strings.ToLower(t.Format("2006-01-02T15:04:05.000Z"))
	}
	return t.In(zone).Format("2006-01-02T15:04:05-0700")
}

func randEpoch(r *rand.Rand) string {
	if r.IntN(10) == 0 {
		return pick(r, "abc", "1e9", "2024-01-17")
	}
	return strconv.FormatInt(randInstant(r).UnixMilli(), 10)
}

func randISOorEpoch(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return randEpoch(r)
	}
	return randISO(r)
}

func randLayoutDate(r *rand.Rand, layout string) string {
	t := randInstant(r)
	sep := pick(r, "/", "-", ".")
	d, m, y := strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), fmt.Sprintf("%04d", t.Year())
	if r.IntN(2) == 0 {
		d, m = fmt.Sprintf("%02d", t.Day()), fmt.Sprintf("%02d", int(t.Month()))
	}
	pad := pick(r, "", " ")
	switch {
	case strings.HasPrefix(layout, "DAY"):
		return pad + d + sep + m + sep + y
	case strings.HasPrefix(layout, "MONTH"):
		return m + sep + d + sep + y + pad
	}
	return y + sep + m + sep + d
}

func randText(r *rand.Rand) string {
	runes := []rune("aZ09 ;,.-_@éß中\t\u00a0")
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteRune(runes[r.IntN(len(runes))])
	}
	return b.String()
}

func randEnum(r *rand.Rand) string {
	opts := []string{"a", "b", "gold", "Silver", "x y", " c "}
	parts := make([]string, 1+r.IntN(4))
	for i := range parts {
		parts[i] = opts[r.IntN(len(opts))]
	}
	return strings.Join(parts, pick(r, ";", "; "))
}

func randTier(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return pick(r, "Gold;Silver", " Pt ", "Wood", "gold")
	}
	return pick(r, "Gold", "Silver", "Bronze", "Pt")
}

func randPhone(r *rand.Rand) string {
	digits := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i == 0 {
				b.WriteByte(byte('2' + r.IntN(8)))
			} else {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
		}
		return b.String()
	}
	switch r.IntN(6) {
	case 0:
		return fmt.Sprintf("(%s) %s-%s", digits(3), digits(3), digits(4))
	case 1:
		return fmt.Sprintf("+44 (0)%s %s", digits(2), digits(8))
	case 2:
		return fmt.Sprintf("00%s %s", digits(2), digits(8))
	case 3:
		return fmt.Sprintf("0%s.%s", digits(3), digits(6))
	case 4:
		return fmt.Sprintf("+1 %s %s %s", digits(3), digits(3), digits(4))
	}
	return pick(r, "n/a", "555", "ext 12", "")
}
