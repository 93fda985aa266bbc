package seed_test

import (
	"context"
	"testing"

	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/testutil"
)

func TestDemo(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{
		"SELECT count(*) FROM users WHERE kind = 'staff'":                                2,
		"SELECT count(*) FROM users WHERE kind = 'client' AND role = 'admin'":            2,
		"SELECT count(*) FROM clients WHERE siren <> ''":                                 2,
		"SELECT count(*) FROM sla_policies":                                              2,
		"SELECT count(*) FROM contracts WHERE status = 'active'":                         2,
		"SELECT count(*) FROM contract_versions":                                         3,
		"SELECT count(*) FROM contracts WHERE reference IN ('C-2026-001', 'C-2026-002')": 2,
		"SELECT count(*) FROM organisation WHERE siren = '812345676'":                    1,
	}
	for q, want := range counts {
		var n int
		if err := db.Bun.NewRaw(q).Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err == nil {
		t.Error("a second seeding was accepted")
	}
	// A breached ticket is still open today (the queue shows one in red).
	var breachedOpen int
	if err := db.Bun.NewRaw(`SELECT count(*) FROM tickets WHERE status NOT IN ('resolved', 'closed')
		AND resolution_due_at < ?`, testutil.DefaultNow).Scan(ctx, &breachedOpen); err != nil {
		t.Fatal(err)
	}
	if breachedOpen == 0 {
		t.Error("no open ticket past its resolution deadline")
	}
}
