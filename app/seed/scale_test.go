package seed_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/interventions"
	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/testutil"
)

// TestScale writes the small scale twice over the demo data and checks the volumes, the shape the
// application relies on (numbers after the counters, issued invoices totalled from their lines,
// the busiest client the Boulangerie) and that every generated register chain verifies.
func TestScale(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.Bun.NewRaw(q).Scan(ctx, &n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	tickets0, clients0 := count("SELECT count(*) FROM tickets"), count("SELECT count(*) FROM clients")
	sz := seed.Sizes["small"]
	for run := 1; run <= 2; run++ {
		rep, err := seed.Scale(ctx, db, sz, testutil.DefaultNow)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		t.Logf("run %d:\n%s", run, rep)
		if got, want := count("SELECT count(*) FROM tickets"), tickets0+run*sz.Tickets; got != want {
			t.Errorf("run %d: tickets = %d, want %d", run, got, want)
		}
		if got, want := count("SELECT count(*) FROM clients"), clients0+run*sz.Clients; got != want {
			t.Errorf("run %d: clients = %d, want %d", run, got, want)
		}
	}
	checks := map[string]int{
		// Numbers continue the counters: no duplicate, the counter at the highest number.
		"SELECT count(*) FROM tickets WHERE number > (SELECT value FROM counters WHERE series = 'T')":                    0,
		"SELECT count(*) FROM interventions WHERE number > (SELECT value FROM counters WHERE series = 'I')":              0,
		"SELECT count(*) FROM invoices i JOIN counters k ON k.series = 'F' AND k.year = i.year WHERE i.number > k.value": 0,
		// Issued invoices hold the sum of their lines.
		`SELECT count(*) FROM invoices i WHERE i.status <> 'draft' AND i.total_ht_cents <>
			(SELECT coalesce(sum(line_ht_cents), 0) FROM invoice_lines l WHERE l.invoice_id = i.id)`: 0,
		// Every done intervention has its register entry.
		`SELECT count(*) FROM interventions i WHERE i.status = 'done'
			AND NOT EXISTS (SELECT 1 FROM register_entries r WHERE r.intervention_id = i.id)`: 0,
		// Skew: the Boulangerie (the first client) has more tickets than any generated client.
		`SELECT count(*) FROM (SELECT client_id, count(*) AS n FROM tickets GROUP BY client_id) x
			WHERE x.n > (SELECT count(*) FROM tickets t JOIN clients c ON c.id = t.client_id WHERE c.name = 'Boulangerie Martin')`: 0,
	}
	for q, want := range checks {
		if got := count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if n := count("SELECT count(*) FROM ticket_messages"); n < 2*2*sz.Tickets {
		t.Errorf("ticket messages = %d, want about 3.5 per ticket", n)
	}
	if n := count("SELECT count(*) FROM tickets WHERE status NOT IN ('closed', 'resolved')"); n == 0 || n > count("SELECT count(*) FROM tickets")/5 {
		t.Errorf("open tickets = %d: want a few, most closed", n)
	}
	var ids []uuid.UUID
	if err := db.Bun.NewRaw("SELECT DISTINCT client_id FROM register_entries").Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	if len(ids) < 10 {
		t.Fatalf("%d clients with a register, want most of them", len(ids))
	}
	for _, id := range ids {
		v, err := interventions.Verify(ctx, db.Bun, id)
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() {
			t.Errorf("client %s: register broken at seq %d of %d", id, v.BrokenSeq, v.Entries)
		}
	}
}
