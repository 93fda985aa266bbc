package scheduling_test

import (
	"context"
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
	"maintenant/app/scheduling"
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

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// noon is noon in Paris on day s: the moment "now" of the tests.
func noon(s string) time.Time {
	d := date(s)
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, paris)
}

var setupNow = noon("2026-01-02")

type fixture struct {
	db       *database.DB
	client   uuid.UUID
	contract *contracts.Contract
	tech     *accounts.User
	actor    audit.Actor
}

// setup is a client with a draft contract (2026, one year, no renewal) under an office-hours policy
// with French holidays and a closure on 2026-02-16, and a technician.
func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testutil.DB(t)}
	c := &clients.Client{Name: "Boulangerie Martin"}
	if err := clients.Create(ctx, f.db.Bun, c, setupNow); err != nil {
		t.Fatal(err)
	}
	f.client = c.ID
	f.tech = &accounts.User{Kind: accounts.Staff, Role: accounts.Technician, Email: "theo@example.fr", Name: "Théo Tech", Active: true}
	if err := accounts.CreateUser(ctx, f.db.Bun, f.tech, setupNow); err != nil {
		t.Fatal(err)
	}
	f.actor = audit.Actor{UserID: f.tech.ID, Label: f.tech.Name}
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
		Closures:       []time.Time{date("2026-02-16")},
	}
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		return contracts.CreateSLAPolicy(ctx, tx, policy, setupNow)
	})
	ct := &contracts.Contract{ClientID: f.client}
	v := &contracts.Version{
		SLAPolicyID: uuid.NullUUID{UUID: policy.ID, Valid: true},
		Title:       "Maintenance du site", Object: "Maintenance préventive et corrective.",
		Services:         []contracts.Service{{Kind: contracts.ServiceWebsite, Description: "boulangerie-martin.fr"}},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenancePreventive},
		StartDate:        date("2026-01-01"), InitialMonths: 12,
		FeeCents: 12000, BillingPeriod: contracts.BillingMonthly, PaymentTermsDays: 30, HourlyRateCents: 6000,
	}
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		return contracts.Create(ctx, tx, ct, v, uuid.Nil, setupNow)
	})
	f.contract = ct
	return f
}

func (f *fixture) tx(t testing.TB, fn func(ctx context.Context, tx *database.Tx) error) {
	t.Helper()
	if err := f.db.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) activate(t *testing.T) {
	t.Helper()
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		c, err := contracts.Get(ctx, tx, f.contract.ID)
		if err != nil {
			return err
		}
		f.contract, _, err = contracts.Transition(ctx, tx, c.ID, contracts.StatusActive, "", c.Version, setupNow)
		return err
	})
}

func task(title, rule, first string) scheduling.TaskInput {
	return scheduling.TaskInput{
		Title: title, Target: "boulangerie-martin.fr", Checklist: []string{"Mettre à jour le CMS et les extensions", "Vérifier la sauvegarde de la nuit"},
		EstimatedMinutes: 60, Place: interventions.PlaceRemote, Rule: rule, FirstOn: date(first), AtMinute: 9 * 60,
	}
}

func (f *fixture) save(t *testing.T, taskID uuid.UUID, in scheduling.TaskInput, ch scheduling.Change, now time.Time) (*scheduling.Task, error) {
	t.Helper()
	var out *scheduling.Task
	err := f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		out, err = scheduling.SaveTask(ctx, tx, f.contract.ID, taskID, in, ch, f.actor, now, contracts.Day(now.In(paris)), paris)
		return err
	})
	return out, err
}

func (f *fixture) generate(t *testing.T, now time.Time) scheduling.Run {
	t.Helper()
	run, err := scheduling.Generate(context.Background(), f.db, f.actor, now, paris, scheduling.DefaultHorizonDays)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

type visit struct {
	title, status, planned, occurs, shift, local string
}

// visits lists the contract's visits by planned day.
func (f *fixture) visits(t *testing.T) []visit {
	t.Helper()
	var rows []struct {
		Title       string    `bun:"title"`
		Status      string    `bun:"status"`
		Planned     time.Time `bun:"planned_on"`
		Occurs      time.Time `bun:"occurs_on"`
		Shift       string    `bun:"shift_reason"`
		ScheduledAt time.Time `bun:"scheduled_at"`
	}
	err := f.db.Bun.NewSelect().TableExpr("scheduled_visits AS sv").
		ColumnExpr("i.title, i.status, sv.planned_on, sv.occurs_on, sv.shift_reason, i.scheduled_at").
		Join("JOIN interventions AS i ON i.id = sv.intervention_id").
		Join("JOIN maintenance_tasks AS mt ON mt.id = sv.task_id").
		Where("mt.contract_id = ? AND i.kind = 'preventive'", f.contract.ID).
		OrderExpr("sv.planned_on, i.title").Scan(context.Background(), &rows)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]visit, len(rows))
	for n, r := range rows {
		out[n] = visit{r.Title, r.Status, r.Planned.Format(time.DateOnly), r.Occurs.Format(time.DateOnly), r.Shift,
			r.ScheduledAt.In(paris).Format("2006-01-02 15:04")}
	}
	return out
}

func wantFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	got := apperr.FieldsOf(err)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("field %s: got %q, want %q (all: %v, err %v)", k, got[k], v, got, err)
		}
	}
}

func TestTaskValidation(t *testing.T) {
	f := setup(t)
	cases := []struct {
		name string
		edit func(*scheduling.TaskInput)
		want map[string]string
	}{
		{"unreadable rule", func(in *scheduling.TaskInput) { in.Rule = "FREQ=FORTNIGHTLY" }, map[string]string{"rule": scheduling.ErrRuleInvalid}},
		{"hourly", func(in *scheduling.TaskInput) { in.Rule = "FREQ=HOURLY;INTERVAL=6" }, map[string]string{"rule": scheduling.ErrRuleRunaway}},
		{"twice a day", func(in *scheduling.TaskInput) { in.Rule = "FREQ=DAILY;BYHOUR=9,14" }, map[string]string{"rule": scheduling.ErrRuleRunaway}},
		{"never in the contract", func(in *scheduling.TaskInput) {
			in.Rule = "FREQ=MONTHLY;UNTIL=20251231T000000Z"
			in.FirstOn = date("2025-06-01")
		}, map[string]string{"rule": scheduling.ErrRuleNone}},
		{"only on an exception", func(in *scheduling.TaskInput) {
			in.Rule, in.Exdates = "FREQ=YEARLY;COUNT=1", []time.Time{date("2026-03-03")}
			in.FirstOn = date("2026-03-03")
		}, map[string]string{"rule": scheduling.ErrRuleNone}},
		{"no duration", func(in *scheduling.TaskInput) { in.EstimatedMinutes = 0 }, map[string]string{"estimated_minutes": scheduling.ErrMinutes}},
		{"no title, bad time", func(in *scheduling.TaskInput) { in.Title = "  "; in.AtMinute = -1 }, map[string]string{"title": "error.required", "at_time": scheduling.ErrAtTime}},
	}
	for _, c := range cases {
		in := task("Mise à jour", "FREQ=MONTHLY;BYDAY=1TU", "2026-01-01")
		c.edit(&in)
		_, err := f.save(t, uuid.Nil, in, scheduling.Change{}, setupNow)
		if apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("%s: got %v, want Invalid", c.name, err)
		}
		wantFields(t, err, c.want)
	}
	if _, err := f.save(t, uuid.Nil, task("Mise à jour", "rrule:freq=monthly;byday=1tu", "2026-01-01"), scheduling.Change{}, setupNow); err != nil {
		t.Fatalf("a sound rule typed in lower case with its prefix: %v", err)
	}
}

func TestGenerationIsIdempotentAndFollowsTheHorizon(t *testing.T) {
	f := setup(t)
	if _, err := f.save(t, uuid.Nil, task("Mise à jour", "FREQ=MONTHLY;BYDAY=1TU", "2026-01-01"), scheduling.Change{}, setupNow); err != nil {
		t.Fatal(err)
	}
	if run := f.generate(t, setupNow); run.Created != 0 {
		t.Fatalf("a draft contract got %d visits", run.Created)
	}
	f.activate(t)
	if run := f.generate(t, setupNow); run.Created != 3 {
		t.Fatalf("first run created %d visits, want 3 (6 Jan, 3 Feb, 3 Mar)", run.Created)
	}
	// Twice, and on two instances at once: nothing more.
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := scheduling.Generate(context.Background(), f.db, f.actor, setupNow, paris, scheduling.DefaultHorizonDays)
			if err == nil && run.Created != 0 {
				err = errString("a repeated run created visits")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := f.visits(t)
	want := []string{"2026-01-06 09:00", "2026-02-03 09:00", "2026-03-03 09:00"}
	if len(got) != len(want) {
		t.Fatalf("visits %v, want %v", got, want)
	}
	for n, v := range got {
		if v.local != want[n] || v.status != "scheduled" {
			t.Errorf("visit %d: %+v, want scheduled at %s", n, v, want[n])
		}
	}
	// The horizon moves with the days.
	if run := f.generate(t, noon("2026-02-15")); run.Created != 2 {
		t.Fatalf("on 15 Feb the run created %d visits, want 2 (7 Apr, 5 May)", run.Created)
	}
	// Each visit has the task's checklist.
	n, err := f.db.Bun.NewSelect().Table("visit_checklist_items").Count(context.Background())
	if err != nil || n != 5*2 {
		t.Fatalf("checklist rows %d (%v), want 10", n, err)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestHolidaysAndClosuresShiftToTheNextBusinessDayAcrossDST(t *testing.T) {
	f := setup(t)
	// 1 May 2026 is a Friday and Labour Day: Monday 4 May. 16 Feb is a closure: Tuesday 17 Feb.
	for _, in := range []scheduling.TaskInput{
		task("Contrôle annuel", "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1", "2026-05-01"),
		task("Point de fermeture", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=16", "2026-02-16"),
		task("Sauvegardes", "FREQ=WEEKLY;BYDAY=MO", "2026-03-23"),
	} {
		if _, err := f.save(t, uuid.Nil, in, scheduling.Change{}, setupNow); err != nil {
			t.Fatal(err)
		}
	}
	f.activate(t)
	f.generate(t, noon("2026-02-10"))
	byTitle := map[string][]visit{}
	for _, v := range f.visits(t) {
		byTitle[v.title] = append(byTitle[v.title], v)
	}
	if v := byTitle["Contrôle annuel"]; len(v) != 1 || v[0].planned != "2026-05-04" || v[0].occurs != "2026-05-01" ||
		v[0].shift != "Fête du Travail" || v[0].local != "2026-05-04 09:00" {
		t.Errorf("Labour Day visit: %+v", v)
	}
	if v := byTitle["Point de fermeture"]; len(v) != 1 || v[0].planned != "2026-02-17" || v[0].shift != "Fermeture exceptionnelle" {
		t.Errorf("closure visit: %+v", v)
	}
	// Summer time starts on 29 March 2026: the Monday visits stay at 09:00 on the wall clock, and
	// Easter Monday (6 April) moves to Tuesday.
	weekly := byTitle["Sauvegardes"]
	if len(weekly) < 3 {
		t.Fatalf("weekly visits %+v", weekly)
	}
	for _, v := range weekly[:3] {
		if !strings.HasSuffix(v.local, " 09:00") {
			t.Errorf("weekly visit off the wall clock: %+v", v)
		}
	}
	if weekly[0].planned != "2026-03-23" || weekly[1].planned != "2026-03-30" || weekly[2].planned != "2026-04-07" || weekly[2].shift != "Lundi de Pâques" {
		t.Errorf("weekly visits %+v", weekly[:3])
	}
	var utc []time.Time
	if err := f.db.Bun.NewSelect().Table("interventions").Column("scheduled_at").Where("title = 'Sauvegardes'").
		Order("scheduled_at").Limit(2).Scan(context.Background(), &utc); err != nil {
		t.Fatal(err)
	}
	if utc[0].UTC().Hour() != 8 || utc[1].UTC().Hour() != 7 {
		t.Errorf("UTC hours %v, want 08:00 then 07:00", utc)
	}
}

func TestAmendmentChangesFutureVisitsOnly(t *testing.T) {
	f := setup(t)
	tk, err := f.save(t, uuid.Nil, task("Mise à jour", "FREQ=MONTHLY;BYDAY=1TU", "2026-01-01"), scheduling.Change{}, setupNow)
	if err != nil {
		t.Fatal(err)
	}
	f.activate(t)
	f.generate(t, setupNow)
	now := noon("2026-02-10")
	in := task("Mise à jour et test de restauration", "FREQ=MONTHLY;BYDAY=1WE", "2026-01-01")
	// On a running contract a change needs a reason and a day not in the past.
	_, err = f.save(t, tk.ID, in, scheduling.Change{EffectiveFrom: date("2026-02-01")}, now)
	wantFields(t, err, map[string]string{"reason": "error.required", "effective_from": scheduling.ErrEffective})
	nt, err := f.save(t, tk.ID, in, scheduling.Change{Reason: "Le client ajoute un test de restauration", EffectiveFrom: date("2026-02-20")}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.save(t, tk.ID, in, scheduling.Change{Reason: "encore", EffectiveFrom: date("2026-02-20")}, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("changing the ended version: %v, want Conflict", err)
	}
	f.generate(t, now)
	got := f.visits(t)
	want := []visit{
		{title: "Mise à jour", status: "scheduled", planned: "2026-01-06"},
		{title: "Mise à jour", status: "scheduled", planned: "2026-02-03"},
		{title: "Mise à jour", status: "cancelled", planned: "2026-03-03"},
		{title: "Mise à jour et test de restauration", status: "scheduled", planned: "2026-03-04"},
		{title: "Mise à jour et test de restauration", status: "scheduled", planned: "2026-04-01"},
		{title: "Mise à jour et test de restauration", status: "scheduled", planned: "2026-05-06"},
	}
	if len(got) != len(want) {
		t.Fatalf("visits %+v", got)
	}
	for n, w := range want {
		if got[n].title != w.title || got[n].status != w.status || got[n].planned != w.planned {
			t.Errorf("visit %d: %+v, want %+v", n, got[n], w)
		}
	}
	p, err := scheduling.GetPlan(context.Background(), f.db.Bun, f.contract.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tasks) != 1 || p.Tasks[0].ID != nt.ID || len(p.Ended) != 1 || len(p.Amendments) != 1 ||
		p.Amendments[0].Reason != "Le client ajoute un test de restauration" || !p.Ended[0].EndedOn.Time.Equal(date("2026-02-19")) {
		t.Fatalf("plan after the amendment: %+v", p)
	}
	// Removing the task by amendment cancels its visits from that day.
	err = f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		return scheduling.RemoveTask(ctx, tx, f.contract.ID, nt.ID, scheduling.Change{Reason: "Fin du besoin", EffectiveFrom: date("2026-04-01")}, f.actor, now, date("2026-02-10"))
	})
	if err != nil {
		t.Fatal(err)
	}
	got = f.visits(t)
	if got[3].status != "scheduled" || got[4].status != "cancelled" || got[5].status != "cancelled" {
		t.Errorf("after removal: %+v", got)
	}
}

func TestEndingTheContractCancelsItsFutureVisits(t *testing.T) {
	f := setup(t)
	if _, err := f.save(t, uuid.Nil, task("Mise à jour", "FREQ=MONTHLY;BYDAY=1TU", "2026-01-01"), scheduling.Change{}, setupNow); err != nil {
		t.Fatal(err)
	}
	f.activate(t)
	f.generate(t, setupNow)
	now := noon("2026-01-20")
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, _, err := contracts.Transition(ctx, tx, f.contract.ID, contracts.StatusTerminated, "Résiliation", f.contract.Version, now)
		return err
	})
	if run := f.generate(t, now); run.Cancelled != 2 || run.Created != 0 {
		t.Fatalf("run after the end: %+v, want 2 cancelled", run)
	}
	got := f.visits(t)
	if got[0].status != "scheduled" || got[1].status != "cancelled" || got[2].status != "cancelled" {
		t.Errorf("visits after the end: %+v", got)
	}
	_, err := f.save(t, uuid.Nil, task("Autre", "FREQ=MONTHLY", "2026-01-01"), scheduling.Change{Reason: "x", EffectiveFrom: date("2026-02-01")}, now)
	if apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("changing the plan of an ended contract: %v", err)
	}
}

func TestCheckedStepsGoToTheRegister(t *testing.T) {
	f := setup(t)
	if _, err := f.save(t, uuid.Nil, task("Mise à jour", "FREQ=MONTHLY;BYDAY=1TU", "2026-01-01"), scheduling.Change{}, setupNow); err != nil {
		t.Fatal(err)
	}
	f.activate(t)
	f.generate(t, setupNow)
	ctx := context.Background()
	var id uuid.UUID
	if err := f.db.Bun.NewSelect().Table("scheduled_visits").Column("intervention_id").Order("planned_on").Limit(1).Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	now := noon("2026-01-06")
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.TakeUp(ctx, tx, id, f.tech.ID, 1, f.actor, now)
		if err != nil {
			return err
		}
		if err := scheduling.SetChecklist(ctx, tx, id, []int{1}, i.Version-1, f.tech.Name, now); apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("stale checklist: %v", err)
		}
		if err := scheduling.SetChecklist(ctx, tx, id, []int{1}, i.Version, f.tech.Name, now); err != nil {
			return err
		}
		i, err = interventions.AddTimeEntry(ctx, tx, id, &interventions.TimeEntry{TechnicianID: f.tech.ID, Category: interventions.CategoryWork,
			StartedAt: now.Add(-time.Hour), Minutes: 45}, i.Version+1, now)
		if err != nil {
			return err
		}
		_, e, err := interventions.Complete(ctx, tx, id, i.Version, f.actor, now, paris)
		if err != nil {
			return err
		}
		if !strings.Contains(e.Actions, "✓ Vérifier la sauvegarde de la nuit") || strings.Contains(e.Actions, "CMS") {
			t.Errorf("register actions %q", e.Actions)
		}
		return nil
	})
	items, err := scheduling.Checklist(ctx, f.db.Bun, id)
	if err != nil || len(items) != 2 || items[0].Checked || !items[1].Checked || items[1].CheckedBy != f.tech.Name {
		t.Fatalf("checklist %+v %v", items, err)
	}
	err = f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		return scheduling.SetChecklist(ctx, tx, id, nil, 99, f.tech.Name, now)
	})
	if apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("ticking a completed sheet: %v", err)
	}
}
