// Package benchdata generates the data set of the search benchmarks: n
// contacts with realistic values across a dozen properties, loaded through
// crmstore.CreateRecords 100 at a time, and the same data in a
// purpose-built SQLite table (one column per property, hand-made indexes
// for each benchmarked query) that the benchmarks compare the store with.
//
// Nothing is committed: the data is generated in code, deterministically,
// and cached under os.TempDir() in a directory named after Version and n
// (e.g. /tmp/tandem-bench-search-v1-1000000), so reruns reuse it. A
// directory without its "complete" marker is regenerated. Delete the
// directory, or bump Version when the generator or the store's layout
// changes, to start afresh.
package benchdata

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // the baseline's plain SQLite driver

	"github.com/tandem-crm/tandem/crmstore"
)

// Version names the cached data sets; change it when the generated data or
// the store's on-disk layout changes.
const Version = "search-v1"

// SignupDate is the custom date property the generator adds to contacts.
const SignupDate = "signup_date"

// Set is a generated data set.
type Set struct {
	N int
	// Dir holds everything; StoreDir is the store's data directory.
	Dir, StoreDir string
	// Baseline is the SQLite file of the purpose-built table "contacts".
	Baseline string
}

// Start is the createdate of the first contact; the store's clock moves
// on by Step for each transaction while loading, so createdate spreads
// over about three years for a million contacts (10,000 batches).
var (
	Start = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	Step  = 150 * time.Minute
)

// Ensure returns the data set of n contacts, generating it first unless
// it is cached. logf reports progress.
func Ensure(ctx context.Context, n int, logf func(format string, args ...any)) (*Set, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tandem-bench-%s-%d", Version, n))
	set := &Set{N: n, Dir: dir, StoreDir: filepath.Join(dir, "data"), Baseline: filepath.Join(dir, "baseline.db")}
	marker := filepath.Join(dir, "complete")
	if _, err := os.Stat(marker); err == nil {
		return set, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	began := time.Now()
	if err := generateStore(ctx, set, logf); err != nil {
		return nil, fmt.Errorf("generate store: %w", err)
	}
	if err := generateBaseline(ctx, set, logf); err != nil {
		return nil, fmt.Errorf("generate baseline: %w", err)
	}
	logf("benchdata: %d contacts generated in %s under %s", n, time.Since(began).Round(time.Second), dir)
	return set, os.WriteFile(marker, []byte(Version+"\n"), 0o600)
}

// Clock is the fake clock the store is loaded with: every call is Step
// after the previous one.
type Clock struct{ calls atomic.Int64 }

// Now returns Start plus Step for every earlier call.
func (c *Clock) Now() time.Time {
	return Start.Add(time.Duration(c.calls.Add(1)-1) * Step)
}

func generateStore(ctx context.Context, set *Set, logf func(string, ...any)) error {
	clock := &Clock{}
	st, err := crmstore.Open(ctx, set.StoreDir, crmstore.Options{Now: clock.Now})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.CreateProperty(ctx, "contacts", crmstore.PropertyInput{Name: SignupDate, Label: "Signup date",
		GroupName: "contactinformation", Type: crmstore.TypeDate, FieldType: "date"}); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	batch := make([]map[string]string, 0, crmstore.MaxBatch)
	for i := 0; i < set.N; i++ {
		batch = append(batch, Contact(i, rng))
		if len(batch) == crmstore.MaxBatch || i == set.N-1 {
			res, err := st.CreateRecords(ctx, "contacts", batch, crmstore.Source{Type: crmstore.SourceImport})
			if err != nil {
				return err
			}
			for _, r := range res {
				if r.Err != nil {
					return fmt.Errorf("contact %d: %w", i, r.Err)
				}
			}
			batch = batch[:0]
		}
		if (i+1)%100000 == 0 {
			logf("benchdata: %d contacts in the store", i+1)
		}
	}
	return nil
}

// Columns are the baseline table's property columns, in order.
var Columns = []string{"email", "firstname", "lastname", "company", "jobtitle", "phone", "city", "country",
	"lifecyclestage", "hs_lead_status", SignupDate}

// generateBaseline copies the store's contacts (ids, createdate and
// canonical values) into one plain table with a column per property.
func generateBaseline(ctx context.Context, set *Set, logf func(string, ...any)) error {
	st, err := crmstore.Open(ctx, set.StoreDir, crmstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	db, err := sql.Open("sqlite3", "file:"+set.Baseline+"?_journal_mode=WAL&_synchronous=NORMAL")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE contacts (id INTEGER PRIMARY KEY, createdate INTEGER NOT NULL,
		`+strings.Join(Columns, " TEXT, ")+` TEXT, email_rev TEXT)`); err != nil {
		return err
	}
	insert := "INSERT INTO contacts (id, createdate, " + strings.Join(Columns, ", ") + ", email_rev) VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(Columns)+3), ", ") + ")"
	var after int64
	copied := 0
	for {
		page, err := st.ListRecords(ctx, "contacts", crmstore.ListOptions{Limit: 100, After: after})
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, r := range page.Records {
			args := []any{r.ID, r.CreatedAt.UnixMilli()}
			for _, c := range Columns {
				if v, ok := r.Properties[c]; ok {
					args = append(args, v)
				} else {
					args = append(args, nil)
				}
			}
			args = append(args, Reverse(strings.ToLower(r.Properties["email"])))
			if _, err := tx.ExecContext(ctx, insert, args...); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		copied += len(page.Records)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	if copied != set.N {
		return fmt.Errorf("copied %d contacts, want %d", copied, set.N)
	}
	logf("benchdata: %d contacts copied to the baseline table; indexing", copied)
	for _, ddl := range BaselineIndexes {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("%s: %w", ddl, err)
		}
	}
	return nil
}

// BaselineIndexes are the hand-made indexes of the baseline table, one
// or more per benchmarked query.
var BaselineIndexes = []string{
	// Default order (createdate, id).
	`CREATE INDEX contacts_created ON contacts(createdate, id)`,
	// (a) lifecyclestage = ? AND signup_date BETWEEN ? AND ? ORDER BY createdate.
	`CREATE INDEX contacts_stage_signup ON contacts(lifecyclestage, signup_date, createdate, id)`,
	// (d) lifecyclestage = ? ORDER BY createdate, keyset.
	`CREATE INDEX contacts_stage_created ON contacts(lifecyclestage, createdate, id)`,
	// (b) email ends with: a range on the reversed, lower-cased email.
	`CREATE INDEX contacts_email_rev ON contacts(email_rev, createdate, id)`,
	// (c) free-text prefix on the searchable properties, case-insensitive.
	`CREATE INDEX contacts_q_email ON contacts(lower(email))`,
	`CREATE INDEX contacts_q_firstname ON contacts(lower(firstname))`,
	`CREATE INDEX contacts_q_lastname ON contacts(lower(lastname))`,
	`CREATE INDEX contacts_q_phone ON contacts(lower(phone))`,
	`CREATE INDEX contacts_q_company ON contacts(lower(company))`,
}

// Reverse returns s with its characters in reverse order.
func Reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

var (
	firstNames = strings.Fields(`James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara
		Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony
		Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin
		Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura
		Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela
		Justin Emma Scott Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra
		Frank Rachel Patrick Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth
		José Zoë Søren Émilie Björn Łukasz Chloé Mateo Sofía Lukas Ingrid Henrik Marta Marco Giulia Hiroshi Yuki
		Priya Arjun Wei Mei Olumide Amara Fatima Omar Leila Dmitri Olga Ana Martin Marie Mario Marcus Margot`)
	lastNames = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
		Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
		Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker
		Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes
		Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos
		Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo
		Sanders Patel Myers Long Ross Foster Jiménez Müller Schmidt Schröder Nilsson Håkansson Østergaard Dubois
		Lefèvre Rossi Bianchi Tanaka Sato Suzuki Chen Wang Singh Kowalski Novák Ivanov Marshall Marsh Markovic`)
	companyWords = strings.Fields(`Acme Globex Initech Umbrella Stark Wayne Wonka Hooli Vandelay Soylent Cyberdyne
		Tyrell Aperture Massive Pied Piper Blue Sky Red Rock North Star Silver Lake Green Field Iron Bridge Golden Gate
		Bright Path Summit Harbor Pioneer Atlas Vertex Zenith Nimbus Quantum Apex Orion Nova Polar Maple Cedar Oak
		Willow Falcon Eagle Lion Tiger Bear Wolf Fox Delta Sigma Omega Alpha Beta Gamma Marble Meridian Mariner`)
	companySuffixes = strings.Fields(`Inc LLC Ltd Group Labs Systems Solutions Partners Holdings Technologies Corp GmbH AB AS`)
	jobTitles       = []string{"Software Engineer", "Account Executive", "Marketing Manager", "Sales Director", "CEO", "CTO",
		"Product Manager", "Customer Success Manager", "Data Analyst", "Office Manager", "VP of Sales", "Designer",
		"Operations Manager", "HR Specialist", "Consultant", "Founder", "Engineering Manager", "Recruiter",
		"Financial Analyst", "Support Engineer", "Business Development Rep", "Head of Marketing", "Controller", "Intern"}
	places = [][2]string{{"New York", "United States"}, {"San Francisco", "United States"}, {"Austin", "United States"},
		{"Chicago", "United States"}, {"Boston", "United States"}, {"Seattle", "United States"}, {"Toronto", "Canada"},
		{"Vancouver", "Canada"}, {"London", "United Kingdom"}, {"Manchester", "United Kingdom"}, {"Dublin", "Ireland"},
		{"Paris", "France"}, {"Lyon", "France"}, {"Berlin", "Germany"}, {"München", "Germany"}, {"Hamburg", "Germany"},
		{"Amsterdam", "Netherlands"}, {"Stockholm", "Sweden"}, {"Oslo", "Norway"}, {"København", "Denmark"},
		{"Helsinki", "Finland"}, {"Madrid", "Spain"}, {"Barcelona", "Spain"}, {"Lisboa", "Portugal"}, {"Roma", "Italy"},
		{"Milano", "Italy"}, {"Zürich", "Switzerland"}, {"Wien", "Austria"}, {"Warszawa", "Poland"}, {"Praha", "Czechia"},
		{"Tokyo", "Japan"}, {"Osaka", "Japan"}, {"Singapore", "Singapore"}, {"Sydney", "Australia"},
		{"Melbourne", "Australia"}, {"São Paulo", "Brazil"}, {"Ciudad de México", "Mexico"}, {"Bengaluru", "India"},
		{"Lagos", "Nigeria"}, {"Cape Town", "South Africa"}}
	// Email domains with their weights out of 100; example.com is ~30%.
	domains = []weighted{{"example.com", 30}, {"gmail.com", 25}, {"yahoo.com", 10}, {"outlook.com", 10}, {"example.org", 5},
		{"acme.io", 5}, {"globex.com", 5}, {"initech.net", 5}, {"hooli.xyz", 5}}
	// Lifecycle stages with their weights out of 100.
	stages = []weighted{{"subscriber", 20}, {"lead", 35}, {"marketingqualifiedlead", 15}, {"salesqualifiedlead", 10},
		{"opportunity", 8}, {"customer", 10}, {"evangelist", 1}, {"other", 1}}
	leadStatuses = []string{"NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"}
	signupFirst  = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	signupDays   = 6 * 365
)

// Contact returns the values of contact i, drawing from rng.
func Contact(i int, rng *rand.Rand) map[string]string {
	first := firstNames[rng.IntN(len(firstNames))]
	last := lastNames[rng.IntN(len(lastNames))]
	place := places[rng.IntN(len(places))]
	v := map[string]string{
		"email": strings.ToLower(asciiOnly(first)+"."+asciiOnly(last)) + strconv.Itoa(i) + "@" +
			pick(rng, domains),
		"firstname":      first,
		"lastname":       last,
		"company":        companyWords[rng.IntN(len(companyWords))] + " " + companySuffixes[rng.IntN(len(companySuffixes))],
		"jobtitle":       jobTitles[rng.IntN(len(jobTitles))],
		"phone":          fmt.Sprintf("+1 (%03d) 555-%04d", 200+rng.IntN(800), rng.IntN(10000)),
		"city":           place[0],
		"country":        place[1],
		"lifecyclestage": pick(rng, stages),
		SignupDate:       signupFirst.AddDate(0, 0, rng.IntN(signupDays)).Format("2006-01-02"),
	}
	if rng.IntN(5) > 0 {
		v["hs_lead_status"] = leadStatuses[rng.IntN(len(leadStatuses))]
	}
	return v
}

// weighted is a value drawn with a weight out of 100.
type weighted struct {
	name   string
	weight int
}

// pick draws one of items by weight.
func pick(rng *rand.Rand, items []weighted) string {
	n := rng.IntN(100)
	for _, it := range items {
		if n < it.weight {
			return it.name
		}
		n -= it.weight
	}
	return items[len(items)-1].name
}

// asciiOnly keeps the ASCII letters of s, for email local parts.
func asciiOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 {
			b.WriteRune(r)
		}
	}
	return b.String()
}
