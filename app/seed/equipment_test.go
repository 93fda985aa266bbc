package seed_test

import (
	"context"
	"testing"
	"time"

	"maintenant/app/equipment"
	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/testutil"
)

func TestDemoEquipment(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	start := time.Now()
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo seeded in %s", time.Since(start))
	type perClient struct {
		Name      string `bun:"name"`
		Items     int    `bun:"items"`
		SoonWar   int    `bun:"soon_warranty"`
		Licences  int    `bun:"licences"`
		Open      int    `bun:"open_stays"`
		Returned  int    `bun:"returned_stays"`
		LoansOut  int    `bun:"loans_out"`
		BackedUp  int    `bun:"backed_up"`
		Completed int    `bun:"completed"`
	}
	var rows []perClient
	if err := db.Bun.NewRaw(`SELECT cl.name,
		(SELECT count(*) FROM equipment e WHERE e.client_id = cl.id) AS items,
		(SELECT count(*) FROM equipment e WHERE e.client_id = cl.id AND e.warranty_ends_on BETWEEN ?0::date AND ?0::date + 30) AS soon_warranty,
		(SELECT count(*) FROM equipment e WHERE e.client_id = cl.id AND e.kind = 'licence' AND e.seats > 0 AND e.licence_expires_on IS NOT NULL) AS licences,
		(SELECT count(*) FROM workshop_intakes w WHERE w.client_id = cl.id AND w.returned_at IS NULL) AS open_stays,
		(SELECT count(*) FROM workshop_intakes w WHERE w.client_id = cl.id AND w.returned_at IS NOT NULL AND w.accessories_back) AS returned_stays,
		(SELECT count(*) FROM workshop_loans l JOIN workshop_intakes w ON w.id = l.intake_id WHERE w.client_id = cl.id AND l.returned_at IS NULL) AS loans_out,
		(SELECT count(*) FROM workshop_intakes w WHERE w.client_id = cl.id AND w.backup_state = 'done') AS backed_up,
		(SELECT count(*) FROM workshop_intakes w JOIN interventions i ON i.id = w.intervention_id WHERE w.client_id = cl.id AND i.status = 'done') AS completed
		FROM clients cl ORDER BY cl.name`, testutil.DefaultNow.Format(time.DateOnly)).Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	want := map[string]perClient{
		"Boulangerie Martin":     {Items: 5, SoonWar: 1, Licences: 1, Open: 0, Returned: 1, LoansOut: 0, BackedUp: 1, Completed: 1},
		"Cabinet Durand Avocats": {Items: 7, SoonWar: 1, Licences: 1, Open: 1, Returned: 0, LoansOut: 1, BackedUp: 1, Completed: 0},
	}
	for _, r := range rows {
		w, ok := want[r.Name]
		if !ok {
			continue
		}
		w.Name = r.Name
		if r != w {
			t.Errorf("%s: %+v, want %+v", r.Name, r, w)
		}
		if r.Items < 4 || r.Items > 8 {
			t.Errorf("%s has %d items, want 4 to 8", r.Name, r.Items)
		}
	}
	board, err := equipment.Board(ctx, db.Bun)
	if err != nil || len(board) != 1 || board[0].OpenLoan() == nil || !board[0].GateOpen() {
		t.Fatalf("board %+v %v", board, err)
	}
	if avail, _ := equipment.Available(ctx, db.Bun); len(avail) != 1 {
		t.Errorf("%d loan devices available, want 1 (the other is lent)", len(avail))
	}
}
