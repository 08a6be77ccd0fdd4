package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/tandem-crm/tandem/crmstore"
)

// The API benchmarks run over loopback through a real listener, with one
// shared keep-alive client. BenchmarkAPIGetByID and
// BenchmarkBaselineGetFromMemory send the same requests from the same
// parallel goroutines and get answers of the same size, so their ratio is
// what the API (auth, routing, store read, rendering) costs over bare
// net/http.

// benchContactProps returns realistic values for ten contact properties.
func benchContactProps(i int) map[string]string {
	return map[string]string{
		"email":          fmt.Sprintf("user%d@example%d.com", i, i%97),
		"firstname":      fmt.Sprintf("First%d", i),
		"lastname":       fmt.Sprintf("Last%d", i%1000),
		"company":        fmt.Sprintf("Company %d", i%5000),
		"jobtitle":       "Engineer",
		"phone":          fmt.Sprintf("+1555%07d", i),
		"city":           []string{"Oslo", "Lyon", "Austin", "Kyoto", "Porto"}[i%5],
		"country":        "Norway",
		"lifecyclestage": []string{"subscriber", "lead", "customer"}[i%3],
		"website":        fmt.Sprintf("https://example%d.com", i%97),
	}
}

// benchSeed creates n contacts through the store and returns their ids.
func benchSeed(b *testing.B, a *testAPI, n int) []string {
	b.Helper()
	var ids []string
	for start := 0; start < n; start += crmstore.MaxBatch {
		batch := make([]map[string]string, min(crmstore.MaxBatch, n-start))
		for j := range batch {
			batch[j] = benchContactProps(start + j)
		}
		res, err := a.store.CreateRecords(b.Context(), "contacts", batch, crmstore.Source{Type: crmstore.SourceImport})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			ids = append(ids, strconv.FormatInt(r.Record.ID, 10))
		}
	}
	return ids
}

// benchClient is the client of every benchmark: keep-alives, and enough
// idle connections for every parallel goroutine to keep its own.
func benchClient(b *testing.B) *http.Client {
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// benchGets sends GETs of url(i) from parallel goroutines and reports req/s.
func benchGets(b *testing.B, client *http.Client, token string, url func(i int64) string) {
	var seq atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequest("GET", url(seq.Add(1)), nil)
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkAPIGetByID reads one contact by id (default properties) from a
// store holding 10,000 contacts.
func BenchmarkAPIGetByID(b *testing.B) {
	a := newTestAPI(b, Options{})
	ids := benchSeed(b, a, 10_000)
	client := benchClient(b)
	base := a.http.URL + "/crm/v3/objects/contacts/"
	size := len(a.expect(a.do("GET", "/crm/v3/objects/contacts/"+ids[0], nil), http.StatusOK).Body)
	benchGets(b, client, a.token, func(i int64) string { return base + ids[i%int64(len(ids))] })
	b.ReportMetric(float64(size), "body-bytes")
}

// BenchmarkBaselineGetFromMemory answers the same requests with a contact's
// JSON rendered once by the API and held in memory, from a bare net/http
// handler: the floor BenchmarkAPIGetByID is measured against.
func BenchmarkBaselineGetFromMemory(b *testing.B) {
	a := newTestAPI(b, Options{})
	ids := benchSeed(b, a, 1)
	r := a.expect(a.do("GET", "/crm/v3/objects/contacts/"+ids[0], nil), http.StatusOK)
	body := r.Body
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write(body)
	}))
	b.Cleanup(hs.Close)
	client := benchClient(b)
	url := hs.URL + "/crm/v3/objects/contacts/" + ids[0]
	benchGets(b, client, a.token, func(int64) string { return url })
	b.ReportMetric(float64(len(body)), "body-bytes")
}

// BenchmarkAPIBatchCreate creates contacts 100 per POST batch/create.
func BenchmarkAPIBatchCreate(b *testing.B) {
	a := newTestAPI(b, Options{})
	client := benchClient(b)
	url := a.http.URL + "/crm/v3/objects/contacts/batch/create"
	type input struct {
		Properties map[string]string `json:"properties"`
	}
	n := 0
	for b.Loop() {
		inputs := make([]input, crmstore.MaxBatch)
		for j := range inputs {
			inputs[j] = input{benchContactProps(n)}
			n++
		}
		raw, err := json.Marshal(map[string]any{"inputs": inputs})
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequest("POST", url, bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
