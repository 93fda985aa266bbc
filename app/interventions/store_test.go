package interventions_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/sla"
	"maintenant/app/testutil"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var setupNow = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

type fixture struct {
	db            *database.DB
	client, other uuid.UUID
	contract      *contracts.Contract
	tech, tech2   *accounts.User
	alice         *accounts.User
	actor         audit.Actor
}

// setup is two clients, an active contract for the first (2 included hours a month at 60 € an hour),
// two technicians and a client user.
func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testutil.DB(t)}
	newClient := func(name string) uuid.UUID {
		c := &clients.Client{Name: name}
		if err := clients.Create(ctx, f.db.Bun, c, setupNow); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	f.client, f.other = newClient("Boulangerie Martin"), newClient("Cabinet Durand")
	newUser := func(u *accounts.User) *accounts.User {
		if err := accounts.CreateUser(ctx, f.db.Bun, u, setupNow); err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.tech = newUser(&accounts.User{Kind: accounts.Staff, Role: accounts.Technician, Email: "theo@example.fr", Name: "Théo Tech", Active: true})
	f.tech2 = newUser(&accounts.User{Kind: accounts.Staff, Role: accounts.Technician, Email: "lea@example.fr", Name: "Léa Tech", Active: true})
	f.alice = newUser(&accounts.User{Kind: accounts.Client, Role: accounts.Admin, Email: "alice@boulangerie.fr", Name: "Alice Martin",
		ClientID: uuid.NullUUID{UUID: f.client, Valid: true}, Active: true})
	f.actor = audit.Actor{UserID: f.tech.ID, Label: f.tech.Name, IP: "127.0.0.1"}
	day := []string{"09:00-18:00"}
	policy := &contracts.SLAPolicy{
		Name:  "Bureau",
		Hours: map[string][]string{"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day},
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 240},
			sla.High:     {ReactionMinutes: 120, ResolutionMinutes: 480},
			sla.Normal:   {ReactionMinutes: 240, ResolutionMinutes: 960},
			sla.Low:      {ReactionMinutes: 480, ResolutionMinutes: 2400},
		},
		FrenchHolidays: true,
	}
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		return contracts.CreateSLAPolicy(ctx, tx, policy, setupNow)
	})
	c := &contracts.Contract{ClientID: f.client}
	v := &contracts.Version{
		SLAPolicyID: uuid.NullUUID{UUID: policy.ID, Valid: true},
		Title:       "Maintenance du parc", Object: "Maintenance corrective.",
		Services:         []contracts.Service{{Kind: contracts.ServiceWorkstations, Description: "3 postes"}},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenanceCorrective},
		StartDate:        time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), InitialMonths: 12,
		FeeCents: 12000, BillingPeriod: contracts.BillingMonthly, PaymentTermsDays: 30,
		IncludedMinutes: 120, HourlyRateCents: 6000,
	}
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		return contracts.Create(ctx, tx, c, v, uuid.Nil, setupNow)
	})
	f.contract = c
	return f
}

func (f *fixture) tx(t testing.TB, fn func(ctx context.Context, tx *database.Tx) error) {
	t.Helper()
	if err := f.db.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) create(t testing.TB, clientID uuid.UUID, contractID uuid.UUID) *interventions.Intervention {
	t.Helper()
	var i *interventions.Intervention
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		var err error
		i, err = interventions.Create(ctx, tx, interventions.Input{
			ClientID: clientID, ContractID: contractID, Kind: interventions.KindCorrective,
			Place: interventions.PlaceOnSite, Title: "Poste de caisse qui ne démarre plus",
		}, f.actor, setupNow)
		return err
	})
	return i
}

func (f *fixture) takeUp(t testing.TB, i *interventions.Intervention, tech uuid.UUID) *interventions.Intervention {
	t.Helper()
	out, err := interventions.TakeUp(context.Background(), f.db.Bun, i.ID, tech, i.Version, f.actor, setupNow)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) addTime(t testing.TB, i *interventions.Intervention, e interventions.TimeEntry) (*interventions.Intervention, error) {
	t.Helper()
	var out *interventions.Intervention
	err := f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		out, err = interventions.AddTimeEntry(ctx, tx, i.ID, &e, i.Version, setupNow)
		return err
	})
	if err != nil {
		return i, err
	}
	return out, nil
}

func (f *fixture) mustTime(t testing.TB, i *interventions.Intervention, tech uuid.UUID, cat interventions.Category, start string, minutes int, billable bool) *interventions.Intervention {
	t.Helper()
	out, err := f.addTime(t, i, interventions.TimeEntry{TechnicianID: tech, Category: cat, StartedAt: at(t, start), Minutes: minutes, Billable: billable})
	if err != nil {
		t.Fatalf("add time %s: %v", start, err)
	}
	return out
}

func (f *fixture) complete(t testing.TB, i *interventions.Intervention, now time.Time) (*interventions.Sheet, *interventions.RegisterEntry, error) {
	t.Helper()
	var s *interventions.Sheet
	var e *interventions.RegisterEntry
	err := f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		s, e, err = interventions.Complete(ctx, tx, i.ID, i.Version, f.actor, now, paris)
		return err
	})
	return s, e, err
}

func wantKind(t *testing.T, err error, kind apperr.Kind, msg string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != kind || (msg != "" && e.Message != msg) {
		t.Fatalf("err = %v, want kind %v %s", err, kind, msg)
	}
}

func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	if got := apperr.FieldsOf(err)[field]; got != key {
		t.Fatalf("err = %v, want %s: %s", err, field, key)
	}
}

func TestCreateAndTakeUpEditsTheSameIntervention(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	i := f.create(t, f.client, f.contract.ID)
	if i.Reference() != "I-0001" || i.Status != interventions.StatusTodo || i.Estimated() {
		t.Fatalf("created %s %s estimated %v", i.Reference(), i.Status, i.Estimated())
	}
	// Stale version: refused, nothing changed.
	_, err := interventions.TakeUp(ctx, f.db.Bun, i.ID, f.tech.ID, i.Version+1, f.actor, setupNow)
	wantKind(t, err, apperr.Conflict, interventions.ErrStale)
	got := f.takeUp(t, i, f.tech.ID)
	if got.ID != i.ID || got.Status != interventions.StatusInProgress || got.StartedAt.IsZero() || got.Version != i.Version+1 {
		t.Fatalf("taken up: %+v", got)
	}
	if len(got.Technicians) != 1 || got.Technicians[0].ID != f.tech.ID {
		t.Errorf("technicians = %+v", got.Technicians)
	}
	n, err := f.db.Bun.NewSelect().Table("interventions").Count(ctx)
	if err != nil || n != 1 {
		t.Fatalf("interventions = %d, %v: taking up made a copy", n, err)
	}
	pending, err := interventions.Pending(ctx, f.db.Bun, "", 10)
	if err != nil || len(pending.Interventions) != 1 {
		t.Fatalf("pending = %v, %v", pending, err)
	}
	// Bad input: unknown references, empty title, absurd estimate.
	_, err = interventions.Create(ctx, f.db.Bun, interventions.Input{ClientID: f.other, ContractID: f.contract.ID,
		Kind: "x", Place: interventions.PlaceRemote, EstimatedMinutes: -3}, f.actor, setupNow)
	for field, key := range map[string]string{"contract_id": "interventions.error.contract_unknown", "kind": "interventions.error.kind",
		"title": "error.required", "estimated_minutes": "interventions.error.estimate"} {
		wantField(t, err, field, key)
	}
}

func TestTransitions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	i := f.create(t, f.client, uuid.Nil)
	_, err := interventions.Transition(ctx, f.db.Bun, i.ID, interventions.StatusDone, time.Time{}, "", i.Version, f.actor, setupNow)
	wantKind(t, err, apperr.Conflict, interventions.ErrTransition)
	_, err = interventions.Transition(ctx, f.db.Bun, i.ID, interventions.StatusScheduled, time.Time{}, "", i.Version, f.actor, setupNow)
	wantField(t, err, "scheduled_at", "error.required")
	i, err = interventions.Transition(ctx, f.db.Bun, i.ID, interventions.StatusScheduled, at(t, "2026-03-02 14:00"), "", i.Version, f.actor, setupNow)
	if err != nil || i.Status != interventions.StatusScheduled {
		t.Fatalf("schedule: %v", err)
	}
	_, err = interventions.Transition(ctx, f.db.Bun, i.ID, interventions.StatusCancelled, time.Time{}, " ", i.Version, f.actor, setupNow)
	wantField(t, err, "cancel_reason", "error.required")
	i, err = interventions.Transition(ctx, f.db.Bun, i.ID, interventions.StatusCancelled, time.Time{}, "Doublon du signalement", i.Version, f.actor, setupNow)
	if err != nil || i.CancelReason != "Doublon du signalement" {
		t.Fatalf("cancel: %v", err)
	}
	_, err = interventions.Transition(ctx, f.db.Bun, i.ID, interventions.StatusTodo, time.Time{}, "", i.Version, f.actor, setupNow)
	wantKind(t, err, apperr.Conflict, interventions.ErrTransition)
	_, err = interventions.TakeUp(ctx, f.db.Bun, i.ID, f.tech.ID, i.Version, f.actor, setupNow)
	wantKind(t, err, apperr.Conflict, interventions.ErrFrozen)
}

func TestTimeEntriesRefuseAbsurdAndOverlapping(t *testing.T) {
	f := setup(t)
	a := f.takeUp(t, f.create(t, f.client, f.contract.ID), f.tech.ID)
	b := f.takeUp(t, f.create(t, f.other, uuid.Nil), f.tech.ID)
	a = f.mustTime(t, a, f.tech.ID, interventions.CategoryWork, "2026-03-02 09:00", 60, false)
	for _, tt := range []struct {
		name, field, key string
		e                interventions.TimeEntry
	}{
		{"zero", "minutes", "interventions.error.minutes", interventions.TimeEntry{TechnicianID: f.tech.ID, Category: interventions.CategoryWork, StartedAt: at(t, "2026-03-03 09:00")}},
		{"negative", "minutes", "interventions.error.minutes", interventions.TimeEntry{TechnicianID: f.tech.ID, Category: interventions.CategoryWork, StartedAt: at(t, "2026-03-03 09:00"), Minutes: -30}},
		{"over a day", "minutes", "interventions.error.minutes", interventions.TimeEntry{TechnicianID: f.tech.ID, Category: interventions.CategoryWork, StartedAt: at(t, "2026-03-03 09:00"), Minutes: 1441}},
		{"unknown category", "category", "interventions.error.category", interventions.TimeEntry{TechnicianID: f.tech.ID, Category: "lunch", StartedAt: at(t, "2026-03-03 09:00"), Minutes: 30}},
		{"client user as technician", "technician_id", "interventions.error.technician_unknown", interventions.TimeEntry{TechnicianID: f.alice.ID, Category: interventions.CategoryWork, StartedAt: at(t, "2026-03-03 09:00"), Minutes: 30}},
		{"overlap on the same sheet", "started_at", "interventions.error.overlap", interventions.TimeEntry{TechnicianID: f.tech.ID, Category: interventions.CategoryTravel, StartedAt: at(t, "2026-03-02 09:30"), Minutes: 60}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.addTime(t, a, tt.e)
			wantField(t, err, tt.field, tt.key)
		})
	}
	// Overlap across interventions of one technician.
	_, err := f.addTime(t, b, interventions.TimeEntry{TechnicianID: f.tech.ID, Category: interventions.CategoryWork, StartedAt: at(t, "2026-03-02 08:30"), Minutes: 45})
	wantField(t, err, "started_at", "interventions.error.overlap")
	// Touching ends, and another technician at the same time, are fine.
	f.mustTime(t, b, f.tech.ID, interventions.CategoryWork, "2026-03-02 10:00", 30, false)
	a = f.mustTime(t, a, f.tech2.ID, interventions.CategoryOnSite, "2026-03-02 09:00", 60, false)
	// A stale version is refused.
	_, err = f.addTime(t, &interventions.Intervention{ID: a.ID, Version: a.Version - 1}, interventions.TimeEntry{TechnicianID: f.tech2.ID, Category: interventions.CategoryWork, StartedAt: at(t, "2026-03-05 09:00"), Minutes: 10})
	wantKind(t, err, apperr.Conflict, interventions.ErrStale)
	s, err := interventions.GetSheet(context.Background(), f.db.Bun, a.ID)
	if err != nil || len(s.TimeEntries) != 2 || len(s.Technicians) != 2 {
		t.Fatalf("sheet: %v entries %d technicians %d", err, len(s.TimeEntries), len(s.Technicians))
	}
}

func TestMaterialsValidation(t *testing.T) {
	f := setup(t)
	i := f.takeUp(t, f.create(t, f.client, f.contract.ID), f.tech.ID)
	ctx := context.Background()
	for _, tt := range []struct {
		name, field, key string
		m                interventions.Material
	}{
		{"zero quantity", "quantity", "interventions.error.quantity", interventions.Material{Description: "Câble", UnitPriceCents: 100}},
		{"negative quantity", "quantity", "interventions.error.quantity", interventions.Material{Description: "Câble", QuantityMilli: -1000, UnitPriceCents: 100}},
		{"negative price", "unit_price", "interventions.error.unit_price", interventions.Material{Description: "Câble", QuantityMilli: 1000, UnitPriceCents: -1}},
		{"no description", "description", "error.required", interventions.Material{QuantityMilli: 1000}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := interventions.AddMaterial(ctx, f.db.Bun, i.ID, &tt.m, i.Version, setupNow)
			wantField(t, err, tt.field, tt.key)
		})
	}
	m := &interventions.Material{Description: "Barrette mémoire 8 Go", QuantityMilli: 1500, UnitPriceCents: 3990, Billable: true, FromQuote: true}
	i, err := interventions.AddMaterial(ctx, f.db.Bun, i.ID, m, i.Version, setupNow)
	if err != nil {
		t.Fatal(err)
	}
	s, err := interventions.GetSheet(ctx, f.db.Bun, i.ID)
	if err != nil || len(s.Materials) != 1 || s.Materials[0].QuantityMilli != 1500 || s.Materials[0].Billable {
		t.Fatalf("materials: %v %+v", err, s.Materials)
	}
}

func TestCompleteFreezesTheSheetAndWritesTheRegister(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	i := f.takeUp(t, f.create(t, f.client, f.contract.ID), f.tech.ID)
	_, _, err := f.complete(t, i, at(t, "2026-03-02 12:00"))
	wantField(t, err, "time_entries", "interventions.error.no_time")

	i = f.mustTime(t, i, f.tech.ID, interventions.CategoryTravel, "2026-03-02 08:30", 30, false)
	i = f.mustTime(t, i, f.tech.ID, interventions.CategoryWork, "2026-03-02 09:00", 90, false)
	i = f.mustTime(t, i, f.tech.ID, interventions.CategoryResearch, "2026-03-02 10:30", 30, true)
	i, err = interventions.SetActions(ctx, f.db.Bun, i.ID, []interventions.EquipmentAction{
		{Target: "PC-CAISSE-1", Done: "Remplacement de la barrette mémoire", Remaining: ""},
		{Target: "", Done: "", Remaining: ""},
		{Target: "Serveur NAS", Done: "Vérification des sauvegardes", Remaining: "Changer le disque 2"},
	}, i.Version, setupNow)
	if err != nil {
		t.Fatal(err)
	}
	i, err = interventions.AddMaterial(ctx, f.db.Bun, i.ID, &interventions.Material{Description: "Barrette 8 Go", QuantityMilli: 1000, UnitPriceCents: 3990, Billable: true}, i.Version, setupNow)
	if err != nil {
		t.Fatal(err)
	}
	i, err = interventions.SetNotes(ctx, f.db.Bun, i.ID, "Poste réparé.", "Client pressé.", false, i.Version, setupNow)
	if err != nil {
		t.Fatal(err)
	}
	// A stale completion is refused.
	_, _, err = f.complete(t, &interventions.Intervention{ID: i.ID, Version: i.Version - 1}, at(t, "2026-03-02 12:00"))
	wantKind(t, err, apperr.Conflict, interventions.ErrStale)

	s, e, err := f.complete(t, i, at(t, "2026-03-02 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != interventions.StatusDone || s.CompletedAt.IsZero() {
		t.Fatalf("sheet %s", s.Status)
	}
	// 120 covered minutes (travel counts) within 120 included: no time cost but the 30 billable minutes.
	if e.Seq != 1 || e.MinutesTravel != 30 || e.MinutesWork != 90 || e.MinutesResearch != 30 ||
		e.TimeCostCents != 3000 || e.MaterialsCents != 3990 || e.TotalCostCents != 6990 {
		t.Errorf("register entry = %+v", e)
	}
	if e.Subject != "PC-CAISSE-1 ; Serveur NAS" || !strings.Contains(e.Actions, "Serveur NAS : Vérification des sauvegardes") ||
		e.SheetReference != "I-0001" || e.Technicians != "Théo Tech" || e.OccurredOn.Format(time.DateOnly) != "2026-03-02" {
		t.Errorf("register entry text = %+v", e)
	}

	// Frozen: every edit is a Conflict telling to use an addendum.
	_, err = f.addTime(t, s.Intervention, interventions.TimeEntry{TechnicianID: f.tech.ID, Category: interventions.CategoryWork, StartedAt: at(t, "2026-03-03 09:00"), Minutes: 10})
	wantKind(t, err, apperr.Conflict, interventions.ErrFrozen)
	_, err = interventions.AddMaterial(ctx, f.db.Bun, i.ID, &interventions.Material{Description: "x", QuantityMilli: 1000}, s.Version, setupNow)
	wantKind(t, err, apperr.Conflict, interventions.ErrFrozen)
	_, err = interventions.SetNotes(ctx, f.db.Bun, i.ID, "autre", "", false, s.Version, setupNow)
	wantKind(t, err, apperr.Conflict, interventions.ErrFrozen)
	_, err = interventions.DeleteTimeEntry(ctx, f.db.Bun, i.ID, s.TimeEntries[0].ID, s.Version, setupNow)
	wantKind(t, err, apperr.Conflict, interventions.ErrFrozen)
	_, _, err = f.complete(t, s.Intervention, at(t, "2026-03-02 13:00"))
	wantKind(t, err, apperr.Conflict, interventions.ErrFrozen)

	// The addendum is appended, and the chain holds.
	var add *interventions.RegisterEntry
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, add, err = interventions.AddAddendum(ctx, tx, i.ID, "Le disque 2 du NAS a été commandé.", f.actor, at(t, "2026-03-03 10:00"), paris)
		return err
	})
	if add.Seq != 2 || !bytes.Equal(add.PrevHash, e.Hash) || !add.IsAddendum() || add.TotalCostCents != 0 {
		t.Errorf("addendum entry = %+v", add)
	}
	_, _, err = interventions.AddAddendum(ctx, f.db.Bun, i.ID, "  ", f.actor, setupNow, paris)
	wantField(t, err, "body", "error.required")
	open := f.create(t, f.client, uuid.Nil)
	_, _, err = interventions.AddAddendum(ctx, f.db.Bun, open.ID, "x", f.actor, setupNow, paris)
	wantKind(t, err, apperr.Conflict, interventions.ErrNotDone)
	v, err := interventions.Verify(ctx, f.db.Bun, f.client)
	if err != nil || !v.OK() || v.Entries != 2 {
		t.Fatalf("verify = %+v, %v", v, err)
	}
	s, err = interventions.GetSheet(ctx, f.db.Bun, i.ID)
	if err != nil || len(s.Addenda) != 1 || len(s.Actions) != 2 || s.Summary != "Poste réparé." {
		t.Fatalf("sheet after addendum: %v %+v", err, s)
	}
}

func TestIncludedHoursAccounting(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	// March: sheet A uses 90 covered minutes of the 120 included.
	a := f.takeUp(t, f.create(t, f.client, f.contract.ID), f.tech.ID)
	a = f.mustTime(t, a, f.tech.ID, interventions.CategoryWork, "2026-03-02 09:00", 90, false)
	// An open sheet does not count yet.
	u, err := interventions.HoursUsed(ctx, f.db.Bun, f.contract.ID, at(t, "2026-03-15 12:00"), paris)
	if err != nil || u.UsedMinutes != 0 || u.IncludedMinutes != 120 {
		t.Fatalf("usage before completion = %+v, %v", u, err)
	}
	if _, e, err := f.complete(t, a, at(t, "2026-03-02 12:00")); err != nil || e.TotalCostCents != 0 {
		t.Fatalf("complete A: %v %+v", err, e)
	}
	// Sheet B: 60 covered (30 left included → 30 overrun) and 30 billable: 60 minutes at 60 €.
	b := f.takeUp(t, f.create(t, f.client, f.contract.ID), f.tech2.ID)
	b = f.mustTime(t, b, f.tech2.ID, interventions.CategoryTravel, "2026-03-31 23:00", 60, false) // still March in Paris
	b = f.mustTime(t, b, f.tech2.ID, interventions.CategoryWork, "2026-03-10 09:00", 30, true)
	_, e, err := f.complete(t, b, at(t, "2026-04-01 10:00"))
	if err != nil || e.TimeCostCents != 6000 {
		t.Fatalf("complete B: %v %+v", err, e)
	}
	u, err = interventions.HoursUsed(ctx, f.db.Bun, f.contract.ID, at(t, "2026-03-01 00:30"), paris)
	if err != nil || u != interventions.NewUsage("2026-03", 120, 150) || u.OverrunMinutes != 30 {
		t.Fatalf("March usage = %+v, %v", u, err)
	}
	u, err = interventions.HoursUsed(ctx, f.db.Bun, f.contract.ID, at(t, "2026-04-10 12:00"), paris)
	if err != nil || u.UsedMinutes != 0 || u.IncludedMinutes != 120 {
		t.Fatalf("April usage = %+v, %v", u, err)
	}
	// Before the contract's start: nothing included.
	u, err = interventions.HoursUsed(ctx, f.db.Bun, f.contract.ID, at(t, "2025-12-10 12:00"), paris)
	if err != nil || u.IncludedMinutes != 0 {
		t.Fatalf("December usage = %+v, %v", u, err)
	}
}

// appendN appends n entries for a client, each in its own transaction.
func (f *fixture) appendN(t testing.TB, clientID, interventionID uuid.UUID, n int) error {
	for k := 0; k < n; k++ {
		err := f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
			return interventions.Append(ctx, tx, &interventions.RegisterEntry{
				ClientID: clientID, InterventionID: interventionID, OccurredOn: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
				Kind: interventions.KindPreventive, Subject: "Serveur", Actions: "Contrôle", MinutesWork: 10,
				TimeCostCents: 1000, TotalCostCents: 1000, SheetReference: "I-0001",
			}, time.Now())
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func TestRegisterIsAppendOnlyInTheDatabase(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	i := f.create(t, f.client, uuid.Nil)
	if err := f.appendN(t, f.client, i.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Bun.ExecContext(ctx, "UPDATE register_entries SET total_cost_cents = 0"); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE: %v", err)
	}
	if _, err := f.db.Bun.ExecContext(ctx, "DELETE FROM register_entries"); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("DELETE: %v", err)
	}
	if v, err := interventions.Verify(ctx, f.db.Bun, f.client); err != nil || !v.OK() || v.Entries != 2 {
		t.Fatalf("verify = %+v, %v", v, err)
	}
}

func TestRegisterDetectsTampering(t *testing.T) {
	f := setup(t)
	i := f.create(t, f.client, uuid.Nil)
	if err := f.appendN(t, f.client, i.ID, 4); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, sql string }{
		{"changed cost", "UPDATE register_entries SET total_cost_cents = 1 WHERE seq = 3"},
		{"changed text", "UPDATE register_entries SET actions = 'Rien' WHERE seq = 3"},
		{"deleted entry", "DELETE FROM register_entries WHERE seq = 3"},
		{"rehashed entry breaks the next link", "UPDATE register_entries SET hash = sha256(hash) WHERE seq = 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			errRollback := errString("rollback")
			err := f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
				if _, err := tx.ExecContext(ctx, "ALTER TABLE register_entries DISABLE TRIGGER register_entries_append_only"); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, tt.sql); err != nil {
					return err
				}
				v, err := interventions.Verify(ctx, tx, f.client)
				if err != nil {
					return err
				}
				if v.OK() || v.BrokenSeq != 3 {
					t.Errorf("verify = %+v, want broken at 3", v)
				}
				return errRollback
			})
			if err == nil || !strings.Contains(err.Error(), "rollback") {
				t.Fatal(err)
			}
		})
	}
	if v, err := interventions.Verify(context.Background(), f.db.Bun, f.client); err != nil || !v.OK() {
		t.Fatalf("after rollback verify = %+v, %v", v, err)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestRegisterConcurrentAppendsNeverFork(t *testing.T) {
	f := setup(t)
	i := f.create(t, f.client, uuid.Nil)
	const each = 10
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f.appendN(t, f.client, i.ID, each)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var seqs []int
	if err := f.db.Bun.NewRaw("SELECT seq FROM register_entries WHERE client_id = ? ORDER BY seq", f.client).Scan(context.Background(), &seqs); err != nil {
		t.Fatal(err)
	}
	for k, s := range seqs {
		if s != k+1 {
			t.Fatalf("seqs = %v", seqs)
		}
	}
	if len(seqs) != 2*each {
		t.Fatalf("%d entries", len(seqs))
	}
	if v, err := interventions.Verify(context.Background(), f.db.Bun, f.client); err != nil || !v.OK() || v.Entries != 2*each {
		t.Fatalf("verify = %+v, %v", v, err)
	}
}

func TestRegisterListFiltersTotalsPagesAndCSV(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a := f.takeUp(t, f.create(t, f.client, f.contract.ID), f.tech.ID)
	a = f.mustTime(t, a, f.tech.ID, interventions.CategoryWork, "2026-03-02 09:00", 60, true)
	a, _ = interventions.SetActions(ctx, f.db.Bun, a.ID, []interventions.EquipmentAction{{Target: "=cmd|' /C calc'!A0", Done: "Nettoyage"}}, a.Version, setupNow)
	if _, _, err := f.complete(t, a, at(t, "2026-03-02 12:00")); err != nil {
		t.Fatal(err)
	}
	b := f.takeUp(t, f.create(t, f.other, uuid.Nil), f.tech.ID)
	b = f.mustTime(t, b, f.tech.ID, interventions.CategoryTravel, "2026-04-02 09:00", 30, false)
	if _, _, err := f.complete(t, b, at(t, "2026-04-02 12:00")); err != nil {
		t.Fatal(err)
	}
	all, err := interventions.ListRegister(ctx, f.db.Bun, interventions.RegisterFilter{Limit: 1})
	if err != nil || len(all.Entries) != 1 || all.Next == "" || all.Totals.Entries != 2 || all.Totals.TotalMinutes() != 90 || all.Totals.TotalCostCents != 6000 {
		t.Fatalf("page 1 = %+v, %v", all, err)
	}
	next, err := interventions.ListRegister(ctx, f.db.Bun, interventions.RegisterFilter{Limit: 1, Cursor: all.Next})
	if err != nil || len(next.Entries) != 1 || next.Next != "" || next.Entries[0].ID == all.Entries[0].ID {
		t.Fatalf("page 2 = %+v, %v", next, err)
	}
	for _, tt := range []struct {
		name string
		f    interventions.RegisterFilter
		want int
	}{
		{"client", interventions.RegisterFilter{ClientID: f.client}, 1},
		{"contract", interventions.RegisterFilter{ContractID: f.contract.ID}, 1},
		{"kind", interventions.RegisterFilter{Kind: interventions.KindPreventive}, 0},
		{"period", interventions.RegisterFilter{From: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)}, 1},
		{"subject", interventions.RegisterFilter{Subject: "CMD|"}, 1},
	} {
		p, err := interventions.ListRegister(ctx, f.db.Bun, tt.f)
		if err != nil || len(p.Entries) != tt.want || p.Totals.Entries != tt.want {
			t.Errorf("%s: %d entries, totals %d, %v", tt.name, len(p.Entries), p.Totals.Entries, err)
		}
	}
	// The portal sees only its client's register, whatever the filter says.
	p, err := interventions.ListRegisterForClient(ctx, f.db.Bun, f.other, interventions.RegisterFilter{ClientID: f.client})
	if err != nil || len(p.Entries) != 1 || p.Entries[0].ClientID != f.other {
		t.Fatalf("portal register = %+v, %v", p, err)
	}

	var buf bytes.Buffer
	if err := interventions.WriteCSV(&buf, all.Entries[:0:0], func(k string) string { return k }); err != nil {
		t.Fatal(err)
	}
	first, _ := interventions.ListRegister(ctx, f.db.Bun, interventions.RegisterFilter{ClientID: f.client})
	buf.Reset()
	if err := interventions.WriteCSV(&buf, first.Entries, func(k string) string { return k }); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv = %v, %v", rows, err)
	}
	if got := rows[1][6]; got != "'=cmd|' /C calc'!A0" {
		t.Errorf("subject cell = %q: formula not neutralised", got)
	}
	if rows[1][4] != "I-0001" || rows[1][14] != "60.00" || len(rows[1][16]) != 64 {
		t.Errorf("csv row = %v", rows[1])
	}
}

func TestSignAndPortalScope(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	i := f.create(t, f.client, f.contract.ID)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	clientActor := audit.Actor{UserID: f.alice.ID, Label: f.alice.Email, IP: "203.0.113.7", UserAgent: "Firefox"}
	// Another client's intervention is not found, exactly like a missing one.
	if _, err := interventions.GetForClient(ctx, f.db.Bun, f.other, i.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("cross-client get: %v", err)
	}
	if _, err := interventions.GetSheetForClient(ctx, f.db.Bun, f.other, i.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("cross-client sheet: %v", err)
	}
	_, err := interventions.Sign(ctx, f.db.Bun, f.other, i.ID, interventions.SignatureInput{SignerName: "Ève", Image: png}, clientActor, setupNow)
	wantKind(t, err, apperr.NotFound, "")
	_, err = interventions.Sign(ctx, f.db.Bun, f.client, i.ID, interventions.SignatureInput{SignerName: "Alice", Image: []byte("<svg/>")}, clientActor, setupNow)
	wantField(t, err, "signature", "interventions.error.signature_image")
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, interventions.MaxSignatureBytes)...)
	_, err = interventions.Sign(ctx, f.db.Bun, f.client, i.ID, interventions.SignatureInput{SignerName: "Alice", Image: big}, clientActor, setupNow)
	wantField(t, err, "signature", "interventions.error.signature_size")
	sig, err := interventions.Sign(ctx, f.db.Bun, f.client, i.ID, interventions.SignatureInput{SignerName: "Alice Martin", Image: png}, clientActor, setupNow)
	if err != nil || sig.SignedFrom != interventions.SignedPortal || sig.IP != "203.0.113.7" || sig.ImageType != "image/png" {
		t.Fatalf("sign: %+v, %v", sig, err)
	}
	_, err = interventions.Sign(ctx, f.db.Bun, f.client, i.ID, interventions.SignatureInput{SignerName: "Alice Martin", Image: png}, clientActor, setupNow)
	wantKind(t, err, apperr.Conflict, interventions.ErrAlreadySigned)
	s, err := interventions.GetSheetForClient(ctx, f.db.Bun, f.client, i.ID)
	if err != nil || s.Signature == nil || s.Signature.SignerName != "Alice Martin" {
		t.Fatalf("sheet signature: %+v, %v", s, err)
	}
	p, err := interventions.ListForClient(ctx, f.db.Bun, f.other, interventions.Filter{})
	if err != nil || len(p.Interventions) != 0 {
		t.Fatalf("other client's list = %+v, %v", p, err)
	}
}
