package seed_test

import (
	"context"
	"testing"

	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/testutil"
)

// TestDemoQuotes checks the demo quotes: the Boulangerie's home-page redesign waiting for a
// decision, one accepted with its evidence and its scheduled intervention, one declined with a
// reason; the Cabinet's expired one and one waiting.
func TestDemoQuotes(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	for client, want := range map[string]map[string]int{
		"Boulangerie Martin":     {"sent": 1, "accepted": 1, "declined": 1},
		"Cabinet Durand Avocats": {"sent": 1, "expired": 1, "accepted": 1},
	} {
		var rows []struct {
			Status string `bun:"status"`
			N      int    `bun:"n"`
		}
		if err := db.Bun.NewRaw(`SELECT q.status, count(*) AS n FROM quotes q JOIN clients c ON c.id = q.client_id
			WHERE c.name = ? AND (q.status <> 'sent' OR q.valid_until >= ?) GROUP BY q.status`, client, testutil.DefaultNow).Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, r := range rows {
			got[r.Status] = r.N
		}
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", client, got, want)
		}
		for s, n := range want {
			if got[s] != n {
				t.Errorf("%s: %d %s, want %d", client, got[s], s, n)
			}
		}
	}
	var evidence, scheduled, reasons int
	if err := db.Bun.NewRaw(`SELECT
		(SELECT count(*) FROM quote_acceptances a JOIN quotes q ON q.id = a.quote_id
			WHERE q.status = 'accepted' AND a.content_sha256 = q.content_hash AND length(a.pdf_sha256) = 32 AND a.signer_name <> ''),
		(SELECT count(*) FROM interventions i JOIN quotes q ON q.id = i.quote_id WHERE i.kind = 'evolutive' AND i.status = 'scheduled'),
		(SELECT count(*) FROM quotes WHERE status = 'declined' AND decline_reason <> '')`).Scan(ctx, &evidence, &scheduled, &reasons); err != nil {
		t.Fatal(err)
	}
	// An accepted quote for each client, one declined by the Boulangerie.
	if evidence != 2 || scheduled != 2 || reasons != 1 {
		t.Errorf("evidence %d, scheduled intervention %d, declined with a reason %d; want 2, 2, 1", evidence, scheduled, reasons)
	}
}
