package seed_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/interventions"
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

// TestDemoInterventions checks the demo sheets: per client, completed ones (one signed on site with a
// PNG, one left to sign from the portal, materials, time in every category), one in progress and one
// to do without estimate, their register entries and an intact hash chain, whatever the day seeded.
func TestDemoInterventions(t *testing.T) {
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{
		testutil.DefaultNow,
		time.Date(2026, 12, 26, 7, 30, 0, 0, paris), // the day after Christmas, early
		time.Date(2027, 1, 2, 18, 45, 0, 0, paris),  // a month that just began, after a public holiday
		time.Date(2026, 3, 31, 23, 50, 0, 0, paris), // the night of a month's last day, after DST
		time.Date(2026, 5, 13, 8, 10, 0, 0, paris),  // a Wednesday between holidays
	} {
		t.Run(now.Format("2006-01-02T15:04"), func(t *testing.T) {
			db := testutil.DB(t)
			if err := seed.Demo(ctx, db, now, &storage.Local{Dir: t.TempDir()}); err != nil {
				t.Fatal(err)
			}
			var clientIDs []uuid.UUID
			if err := db.Bun.NewRaw("SELECT id FROM clients ORDER BY name").Scan(ctx, &clientIDs); err != nil {
				t.Fatal(err)
			}
			for _, id := range clientIDs {
				var got struct {
					Done       int `bun:"done"`
					InProgress int `bun:"in_progress"`
					Todo       int `bun:"todo"`
					Unknown    int `bun:"unknown"`
					Signed     int `bun:"signed"`
					SignLater  int `bun:"sign_later"`
					Materials  int `bun:"materials"`
					Categories int `bun:"categories"`
					Entries    int `bun:"entries"`
					Addenda    int `bun:"addenda"`
					Future     int `bun:"future"`
				}
				if err := db.Bun.NewRaw(`SELECT
					count(*) FILTER (WHERE status = 'done') AS done,
					count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
					count(*) FILTER (WHERE status = 'todo') AS todo,
					count(*) FILTER (WHERE status = 'todo' AND estimated_minutes IS NULL) AS unknown,
					count(*) FILTER (WHERE status = 'done' AND EXISTS (SELECT 1 FROM signatures s
						WHERE s.intervention_id = i.id AND s.image_type = 'image/png' AND length(s.image) > 1000)) AS signed,
					count(*) FILTER (WHERE status = 'done' AND sign_later AND NOT EXISTS (SELECT 1 FROM signatures s
						WHERE s.intervention_id = i.id)) AS sign_later,
					(SELECT count(DISTINCT m.intervention_id) FROM materials m JOIN interventions j ON j.id = m.intervention_id
						WHERE j.client_id = ?0 AND j.status = 'done') AS materials,
					(SELECT count(DISTINCT te.category) FROM time_entries te JOIN interventions j ON j.id = te.intervention_id
						WHERE j.client_id = ?0 AND j.status = 'done') AS categories,
					(SELECT count(*) FROM register_entries r WHERE r.client_id = ?0) AS entries,
					(SELECT count(*) FROM register_entries r WHERE r.client_id = ?0 AND r.addendum_id IS NOT NULL) AS addenda,
					(SELECT count(*) FROM time_entries te JOIN interventions j ON j.id = te.intervention_id
						WHERE j.client_id = ?0 AND te.started_at + te.minutes * interval '1 minute' > ?1) AS future
					FROM interventions AS i WHERE i.client_id = ?0
						-- a machine now in the workshop has its own open intervention (TestDemoEquipment)
						AND NOT EXISTS (SELECT 1 FROM workshop_intakes w WHERE w.intervention_id = i.id AND w.returned_at IS NULL)`, id, now).Scan(ctx, &got); err != nil {
					t.Fatal(err)
				}
				if got.Done < 3 || got.InProgress != 1 || got.Todo != 1 || got.Unknown != 1 {
					t.Errorf("client %s: done %d, in progress %d, to do %d (%d unestimated); want 3+, 1, 1, 1",
						id, got.Done, got.InProgress, got.Todo, got.Unknown)
				}
				if got.Signed != 1 || got.SignLater != 1 || got.Materials != 1 || got.Categories != 4 {
					t.Errorf("client %s: signed %d, sign later %d, with materials %d, categories %d; want 1, 1, 1, 4",
						id, got.Signed, got.SignLater, got.Materials, got.Categories)
				}
				if got.Entries != got.Done+got.Addenda {
					t.Errorf("client %s: %d register entries for %d sheets and %d addenda", id, got.Entries, got.Done, got.Addenda)
				}
				if got.Future != 0 {
					t.Errorf("client %s: %d time entries end after the seeding time", id, got.Future)
				}
				v, err := interventions.Verify(ctx, db.Bun, id)
				if err != nil {
					t.Fatal(err)
				}
				if !v.OK() || v.Entries != got.Entries {
					t.Errorf("client %s: register chain %+v, want intact with %d entries", id, v, got.Entries)
				}
			}
			var addenda, linked int
			if err := db.Bun.NewRaw("SELECT (SELECT count(*) FROM addenda), (SELECT count(*) FROM interventions WHERE ticket_id IS NOT NULL)").
				Scan(ctx, &addenda, &linked); err != nil {
				t.Fatal(err)
			}
			if addenda != 1 || linked < 3 {
				t.Errorf("addenda %d, interventions linked to a ticket %d; want 1, 3+", addenda, linked)
			}
			// The cabinet's contract includes 4 hours a month; last month's sheets went over them.
			var contractID uuid.UUID
			if err := db.Bun.NewRaw("SELECT id FROM contracts WHERE client_id = ?", clientIDs[1]).Scan(ctx, &contractID); err != nil {
				t.Fatal(err)
			}
			local := now.In(paris)
			u, err := interventions.HoursUsed(ctx, db.Bun, contractID, time.Date(local.Year(), local.Month()-1, 15, 12, 0, 0, 0, paris), paris)
			if err != nil {
				t.Fatal(err)
			}
			if u.IncludedMinutes != 240 || u.OverrunMinutes <= 0 {
				t.Errorf("cabinet's hours last month: %+v, want 240 included and an overrun", u)
			}
		})
	}
}
