package contracts_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/sla"
	"maintenant/app/testutil"
)

var slaNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func slaCreate(t *testing.T, db *database.DB, p *contracts.SLAPolicy) {
	t.Helper()
	if err := db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		return contracts.CreateSLAPolicy(ctx, tx, p, slaNow)
	}); err != nil {
		t.Fatal(err)
	}
}

func TestSLAPolicyStoreRoundTrip(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	p := slaOffice()
	p.Hours["saturday"] = []string{"9:00-12:00"}
	p.AlsaceMoselle = true
	slaCreate(t, db, p)
	if p.ID == uuid.Nil || p.Version != 1 || !p.CreatedAt.Equal(slaNow) {
		t.Fatalf("after create: id %v, version %d, created %v", p.ID, p.Version, p.CreatedAt)
	}
	got, err := contracts.GetSLAPolicy(ctx, db.Bun, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Standard bureau" || !got.FrenchHolidays || !got.AlsaceMoselle || got.PenaltyBPPerHour != 50 || got.PenaltyCapBP != 1000 {
		t.Errorf("read back %+v", got)
	}
	if want := []string{"09:00-12:00"}; !slices.Equal(got.Hours["saturday"], want) {
		t.Errorf("saturday = %v, want %v (tidied)", got.Hours["saturday"], want)
	}
	if len(got.Closures) != 1 || got.Closures[0].Format(time.DateOnly) != "2026-12-24" {
		t.Errorf("closures = %v", got.Closures)
	}
	if !maps.Equal(got.Targets, p.Targets) {
		t.Errorf("targets = %v, want %v", got.Targets, p.Targets)
	}
	// What is read back converts to the same calendar.
	if _, err := got.Policy(nil); err != nil {
		t.Errorf("read-back policy does not convert: %v", err)
	}

	// An invalid policy writes nothing.
	bad := slaOffice()
	bad.Name = "Autre"
	delete(bad.Targets, sla.Low)
	err = db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		return contracts.CreateSLAPolicy(ctx, tx, bad, slaNow)
	})
	if apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("create invalid: %v, want Invalid", err)
	}
	// The same name in another case is refused on the name.
	dup := slaOffice()
	dup.Name = "STANDARD bureau"
	err = db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		return contracts.CreateSLAPolicy(ctx, tx, dup, slaNow)
	})
	if f := apperr.FieldsOf(err); f["name"] != "sla.error.name_taken" {
		t.Errorf("duplicate name: %v", err)
	}
	ps, err := contracts.ListSLAPolicies(ctx, db.Bun, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Errorf("%d policies, want 1", len(ps))
	}
	if _, err := contracts.GetSLAPolicy(ctx, db.Bun, uuid.Must(uuid.NewV7())); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("get unknown: %v, want NotFound", err)
	}
}

func TestSLAPolicyStoreUpdate(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	p := slaOffice()
	slaCreate(t, db, p)

	edit := slaOffice()
	edit.ID, edit.Version = p.ID, 1
	edit.Name = "Bureau étendu"
	edit.Hours["saturday"] = []string{"09:00-12:00"}
	edit.Closures = nil
	edit.Targets[sla.Critical] = contracts.Targets{ReactionMinutes: 30, ResolutionMinutes: 120}
	later := slaNow.Add(time.Hour)
	if err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		return contracts.UpdateSLAPolicy(ctx, tx, edit, later)
	}); err != nil {
		t.Fatal(err)
	}
	if edit.Version != 2 {
		t.Errorf("version after update = %d, want 2", edit.Version)
	}
	got, err := contracts.GetSLAPolicy(ctx, db.Bun, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Bureau étendu" || got.Version != 2 || len(got.Closures) != 0 || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(slaNow) {
		t.Errorf("after update: %+v", got)
	}
	if got.Targets[sla.Critical].ReactionMinutes != 30 || len(got.Targets) != 4 {
		t.Errorf("targets after update: %v", got.Targets)
	}

	// A save from version 1 now conflicts and changes nothing.
	stale := slaOffice()
	stale.ID, stale.Version = p.ID, 1
	err = db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		return contracts.UpdateSLAPolicy(ctx, tx, stale, later)
	})
	if apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("stale update: %v, want Conflict", err)
	}
	if got, _ := contracts.GetSLAPolicy(ctx, db.Bun, p.ID); got.Name != "Bureau étendu" || got.Version != 2 {
		t.Errorf("stale update changed the policy: %+v", got)
	}
	// An unknown policy is NotFound; an invalid edit is Invalid; neither writes.
	gone := slaOffice()
	gone.ID, gone.Version = uuid.Must(uuid.NewV7()), 1
	err = db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		return contracts.UpdateSLAPolicy(ctx, tx, gone, later)
	})
	if apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("update unknown: %v, want NotFound", err)
	}
	bad := slaOffice()
	bad.ID, bad.Version = p.ID, 2
	bad.PenaltyBPPerHour = 15000
	err = db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		return contracts.UpdateSLAPolicy(ctx, tx, bad, later)
	})
	if apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("invalid update: %v, want Invalid", err)
	}
	if got, _ := contracts.GetSLAPolicy(ctx, db.Bun, p.ID); got.Version != 2 {
		t.Errorf("invalid update wrote version %d", got.Version)
	}
}

func TestSLAPolicyStoreArchive(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	a, b := slaOffice(), slaOffice()
	b.Name = "Astreinte 24/7"
	slaCreate(t, db, a)
	slaCreate(t, db, b)

	archived, err := contracts.ArchiveSLAPolicy(ctx, db.Bun, a.ID, slaNow)
	if err != nil {
		t.Fatal(err)
	}
	if !archived.Archived || archived.Version != 2 || archived.Name != a.Name {
		t.Errorf("archived = %+v", archived)
	}
	active, err := contracts.ListSLAPolicies(ctx, db.Bun, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 1 || active[0].ID != b.ID || len(active[0].Targets) != 4 {
		t.Errorf("active policies = %v", active)
	}
	all, _ := contracts.ListSLAPolicies(ctx, db.Bun, true)
	if len(all) != 2 || all[0].Name != "Astreinte 24/7" {
		t.Errorf("all policies, by name = %v", all)
	}
	restored, err := contracts.UnarchiveSLAPolicy(ctx, db.Bun, a.ID, slaNow)
	if err != nil || restored.Archived {
		t.Errorf("unarchive: %+v, %v", restored, err)
	}
	if _, err := contracts.ArchiveSLAPolicy(ctx, db.Bun, uuid.Must(uuid.NewV7()), slaNow); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("archive unknown: %v, want NotFound", err)
	}
}

func TestCountContractsUsing(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	a, b := slaOffice(), slaOffice()
	b.Name = "Astreinte"
	slaCreate(t, db, a)
	slaCreate(t, db, b)
	if n, err := contracts.CountContractsUsing(ctx, db.Bun, a.ID); err != nil || n != 0 {
		t.Fatalf("no contract: %d, %v", n, err)
	}

	client := uuid.Must(uuid.NewV7())
	if _, err := db.Bun.ExecContext(ctx, "INSERT INTO clients (id, name) VALUES (?, 'Client')", client); err != nil {
		t.Fatal(err)
	}
	// contract adds a contract whose versions use the given policies, the last being in force.
	n := 0
	contract := func(status string, policies ...*contracts.SLAPolicy) {
		t.Helper()
		n++
		id := uuid.Must(uuid.NewV7())
		if _, err := db.Bun.ExecContext(ctx, `INSERT INTO contracts (id, reference, client_id, status, status_changed_at,
			current_version, created_at, updated_at) VALUES (?, ?, ?, ?, now(), ?, now(), now())`,
			id, "C-2026-00"+string(rune('0'+n)), client, status, len(policies)); err != nil {
			t.Fatal(err)
		}
		for i, p := range policies {
			var policy any
			if p != nil {
				policy = p.ID
			}
			if _, err := db.Bun.ExecContext(ctx, `INSERT INTO contract_versions (contract_id, no, effective_from, created_at,
				title, start_date, initial_months, fee_cents, billing_period, sla_policy_id)
				VALUES (?, ?, '2026-01-01', now(), 'Maintenance', '2026-01-01', 12, 10000, 'monthly', ?)`, id, i+1, policy); err != nil {
				t.Fatal(err)
			}
		}
	}
	contract("active", a)
	contract("draft", a)
	contract("suspended", b, a) // amended from b to a
	contract("active", a, b)    // amended from a to b
	contract("terminated", a)
	contract("expired", a)
	contract("active", (*contracts.SLAPolicy)(nil))

	if n, err := contracts.CountContractsUsing(ctx, db.Bun, a.ID); err != nil || n != 3 {
		t.Errorf("contracts using a = %d, %v; want 3 (active, draft, suspended; not the amended, terminated or expired)", n, err)
	}
	counts, err := contracts.CountContractsUsingSLAPolicies(ctx, db.Bun, []uuid.UUID{a.ID, b.ID, uuid.Must(uuid.NewV7())})
	if err != nil {
		t.Fatal(err)
	}
	if counts[a.ID] != 3 || counts[b.ID] != 1 || len(counts) != 2 {
		t.Errorf("counts = %v", counts)
	}
}
