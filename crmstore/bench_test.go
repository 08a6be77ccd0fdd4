package crmstore

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"
)

// benchContact returns realistic values for ten contact properties.
func benchContact(i int) map[string]string {
	cities := []string{"Oslo", "Lyon", "Austin", "Kyoto", "Porto"}
	stages := []string{"subscriber", "lead", "marketingqualifiedlead", "customer"}
	return map[string]string{
		"email":          fmt.Sprintf("user%d@example%d.com", i, i%97),
		"firstname":      fmt.Sprintf("First%d", i),
		"lastname":       fmt.Sprintf("Last%d", i%1000),
		"company":        fmt.Sprintf("Company %d", i%5000),
		"jobtitle":       "Engineer",
		"phone":          fmt.Sprintf("+1555%07d", i),
		"city":           cities[i%len(cities)],
		"country":        "Norway",
		"lifecyclestage": stages[i%len(stages)],
		"website":        fmt.Sprintf("https://example%d.com", i%97),
	}
}

var benchColumns = []string{"email", "firstname", "lastname", "company", "jobtitle", "phone", "city", "country", "lifecyclestage", "website"}

// BenchmarkBatchCreateContacts creates contacts 100 per batch through the
// store: validation, values, unique keys, history and change log included.
// Compare records/s with BenchmarkBaselinePlainInsert.
func BenchmarkBatchCreateContacts(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "data"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	n := 0
	b.ResetTimer()
	for b.Loop() {
		batch := make([]map[string]string, MaxBatch)
		for j := range batch {
			batch[j] = benchContact(n)
			n++
		}
		res, err := s.CreateRecords(ctx, "contacts", batch, Source{Type: SourceImport})
		if err != nil {
			b.Fatal(err)
		}
		if res[0].Err != nil {
			b.Fatal(res[0].Err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBaselinePlainInsert inserts the same values, 100 per transaction,
// into one plain SQLite table with a column per property: the floor the
// store is measured against.
func BenchmarkBaselinePlainInsert(b *testing.B) {
	path := filepath.Join(b.TempDir(), "plain.db")
	db, err := sqlx.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=NORMAL")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, firstname TEXT, lastname TEXT, company TEXT,
		jobtitle TEXT, phone TEXT, city TEXT, country TEXT, lifecyclestage TEXT, website TEXT)`); err != nil {
		b.Fatal(err)
	}
	n := 0
	b.ResetTimer()
	for b.Loop() {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.Prepare("INSERT INTO contacts (email, firstname, lastname, company, jobtitle, phone, city, country, lifecyclestage, website) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < MaxBatch; j++ {
			c := benchContact(n)
			n++
			args := make([]any, len(benchColumns))
			for k, col := range benchColumns {
				args[k] = c[col]
			}
			if _, err := stmt.Exec(args...); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkGetRecordByID reads one contact by id, in process, from a store
// holding 10,000 contacts.
func BenchmarkGetRecordByID(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "data"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var ids []string
	for i := 0; i < 100; i++ {
		batch := make([]map[string]string, MaxBatch)
		for j := range batch {
			batch[j] = benchContact(i*MaxBatch + j)
		}
		res, err := s.CreateRecords(ctx, "contacts", batch, Source{})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			ids = append(ids, strconv.FormatInt(r.Record.ID, 10))
		}
	}
	i := 0
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.GetRecord(ctx, "contacts", ids[i%len(ids)], GetOptions{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "reads/s")
}
