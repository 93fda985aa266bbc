package scheduling_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/scheduling"
)

func TestRecurrencePickerBuildsAndReadsRules(t *testing.T) {
	first := date("2026-01-15") // a Thursday
	cases := []struct {
		r    scheduling.Recurrence
		rule string
	}{
		{scheduling.Recurrence{Freq: scheduling.FreqWeekly, Interval: 1, Weekdays: []time.Weekday{time.Thursday, time.Monday}}, "FREQ=WEEKLY;BYDAY=MO,TH"},
		{scheduling.Recurrence{Freq: scheduling.FreqWeekly, Interval: 2, Weekdays: []time.Weekday{time.Sunday, time.Friday}}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR,SU"},
		{scheduling.Recurrence{Freq: scheduling.FreqMonthly, Interval: 1, On: scheduling.OnWeekday, Nth: 1, Weekday: time.Tuesday}, "FREQ=MONTHLY;BYDAY=1TU"},
		{scheduling.Recurrence{Freq: scheduling.FreqQuarterly, Interval: 1, On: scheduling.OnWeekday, Nth: 1, Weekday: time.Monday}, "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO"},
		{scheduling.Recurrence{Freq: scheduling.FreqMonthly, Interval: 6, On: scheduling.OnMonthDay, MonthDay: 1}, "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=1"},
		{scheduling.Recurrence{Freq: scheduling.FreqMonthly, Interval: 1, On: scheduling.OnMonthDay, MonthDay: scheduling.LastDay}, "FREQ=MONTHLY;BYMONTHDAY=-1"},
		{scheduling.Recurrence{Freq: scheduling.FreqMonthly, Interval: 1, On: scheduling.OnWeekday, Nth: scheduling.LastDay, Weekday: time.Friday}, "FREQ=MONTHLY;BYDAY=-1FR"},
		{scheduling.Recurrence{Freq: scheduling.FreqYearly, Interval: 1, Month: time.March, On: scheduling.OnMonthDay, MonthDay: 15}, "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15"},
	}
	for _, c := range cases {
		f := apperr.Fields{}
		c.r.Check(f)
		if len(f) > 0 {
			t.Fatalf("%v: %v", c.r, f)
		}
		if got := c.r.Rule(); got != c.rule {
			t.Errorf("%v: rule %q, want %q", c.r, got, c.rule)
		}
		back, ok := scheduling.ParseRecurrence(c.rule, first)
		if !ok || back.Rule() != c.rule {
			t.Errorf("%q read back as %+v (%v)", c.rule, back, ok)
		}
	}
	// What the rule leaves to its first day comes from it.
	if r, ok := scheduling.ParseRecurrence("FREQ=MONTHLY;INTERVAL=3", first); !ok || r.Freq != scheduling.FreqQuarterly || r.MonthDay != 15 {
		t.Errorf("implicit day: %+v %v", r, ok)
	}
	if r, ok := scheduling.ParseRecurrence("FREQ=WEEKLY", first); !ok || !slices.Equal(r.Weekdays, []time.Weekday{time.Thursday}) {
		t.Errorf("implicit weekday: %+v %v", r, ok)
	}
	// Rules the picker cannot show are advanced ones.
	for _, rule := range []string{"FREQ=MONTHLY;COUNT=3", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1", "FREQ=DAILY", "FREQ=MONTHLY;BYMONTHDAY=1,15",
		"FREQ=YEARLY;BYMONTH=1,7", "FREQ=MONTHLY;BYMONTHDAY=31", "nonsense"} {
		if r, ok := scheduling.ParseRecurrence(rule, first); ok {
			t.Errorf("%q: read as %+v, want advanced", rule, r)
		}
	}
	bad := []struct {
		r     scheduling.Recurrence
		field string
	}{
		{scheduling.Recurrence{Freq: "fortnightly", Interval: 1}, "rec_freq"},
		{scheduling.Recurrence{Freq: scheduling.FreqWeekly, Interval: 0, Weekdays: []time.Weekday{time.Monday}}, "rec_interval"},
		{scheduling.Recurrence{Freq: scheduling.FreqWeekly, Interval: 100, Weekdays: []time.Weekday{time.Monday}}, "rec_interval"},
		{scheduling.Recurrence{Freq: scheduling.FreqWeekly, Interval: 1}, "rec_weekdays"},
		{scheduling.Recurrence{Freq: scheduling.FreqMonthly, Interval: 1, On: scheduling.OnMonthDay, MonthDay: 31}, "rec_monthday"},
		{scheduling.Recurrence{Freq: scheduling.FreqMonthly, Interval: 1, On: scheduling.OnWeekday, Nth: 5, Weekday: time.Monday}, "rec_nth"},
		{scheduling.Recurrence{Freq: scheduling.FreqYearly, Interval: 1, On: scheduling.OnMonthDay, MonthDay: 1, Month: 13}, "rec_month"},
		{scheduling.Recurrence{Freq: scheduling.FreqMonthly, Interval: 1}, "rec_on"},
	}
	for _, b := range bad {
		f := apperr.Fields{}
		b.r.Check(f)
		if _, ok := f[b.field]; !ok {
			t.Errorf("%+v: problems %v, want one on %s", b.r, f, b.field)
		}
	}
}

func TestPickerRuleIsSavedAndChecked(t *testing.T) {
	f := setup(t)
	in := task("Sauvegardes", "", "2026-01-01")
	in.Recurrence = &scheduling.Recurrence{Freq: scheduling.FreqWeekly, Interval: 1}
	_, err := f.save(t, uuid.Nil, in, scheduling.Change{}, setupNow)
	wantFields(t, err, map[string]string{"rec_weekdays": scheduling.ErrWeekdays})
	in.Recurrence = &scheduling.Recurrence{Freq: scheduling.FreqQuarterly, Interval: 1, On: scheduling.OnWeekday, Nth: 1, Weekday: time.Monday}
	tk, err := f.save(t, uuid.Nil, in, scheduling.Change{}, setupNow)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Rule != "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO" {
		t.Errorf("rule %q", tk.Rule)
	}
	// A picker rule that never occurs within the contract is refused on the picker.
	in.FirstOn = date("2027-06-01")
	_, err = f.save(t, uuid.Nil, in, scheduling.Change{}, setupNow)
	wantFields(t, err, map[string]string{"rec_freq": scheduling.ErrRuleNone})
}

// plans reads the plan recorded in each version of the fixture's contract terms.
func (f *fixture) plans(t *testing.T) ([]*contracts.Version, []string) {
	t.Helper()
	ctx := context.Background()
	vs, err := contracts.Versions(ctx, f.db.Bun, f.contract.ID)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := contracts.Plans(ctx, f.db.Bun, f.contract.ID, len(vs))
	if err != nil {
		t.Fatal(err)
	}
	return vs, plans
}

func TestPlanChangesAreAmendmentsOfTheContract(t *testing.T) {
	f := setup(t)
	tk, err := f.save(t, uuid.Nil, task("Mise à jour", "FREQ=MONTHLY;BYDAY=1TU", "2026-01-01"), scheduling.Change{}, setupNow)
	if err != nil {
		t.Fatal(err)
	}
	// On a draft, the plan is part of the terms being written: version 1 changes in place.
	vs, plans := f.plans(t)
	if len(vs) != 1 || len(scheduling.ParsePlanText(plans[0])) != 1 || scheduling.ParsePlanText(plans[0])[0].Rule != "FREQ=MONTHLY;BYDAY=1TU" {
		t.Fatalf("draft: %d versions, plans %q", len(vs), plans)
	}
	f.activate(t)
	now := noon("2026-02-10")
	in := task("Mise à jour", "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", "2026-01-01")
	nt, err := f.save(t, tk.ID, in, scheduling.Change{Reason: "Visites trimestrielles", EffectiveFrom: date("2026-03-01")}, now)
	if err != nil {
		t.Fatal(err)
	}
	vs, plans = f.plans(t)
	if len(vs) != 2 || vs[1].Reason != "Visites trimestrielles" || !vs[1].EffectiveFrom.Equal(date("2026-03-01")) || vs[1].FeeCents != vs[0].FeeCents {
		t.Fatalf("versions after the amendment: %+v", vs)
	}
	changes := contracts.PlanChanges(plans)
	if changes[0] != nil || changes[1] == nil || !strings.Contains(changes[1].Before, "BYDAY=1TU") || !strings.Contains(changes[1].After, "INTERVAL=3;BYDAY=1MO") {
		t.Fatalf("plan change: %+v", changes)
	}
	p, err := scheduling.GetPlan(context.Background(), f.db.Bun, f.contract.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Amendments[0].ContractVersionNo != 2 {
		t.Errorf("the plan's amendment names contract version %d, want 2", p.Amendments[0].ContractVersionNo)
	}
	// The same task saved again with nothing changed is no amendment: nothing is written.
	_, err = f.save(t, nt.ID, in, scheduling.Change{Reason: "Rien", EffectiveFrom: date("2026-03-01")}, now)
	if apperr.KindOf(err) != apperr.Invalid || err.Error() == "" || !strings.Contains(err.Error(), scheduling.ErrNoChange) {
		t.Fatalf("no change: %v", err)
	}
	if vs, _ := f.plans(t); len(vs) != 2 {
		t.Fatalf("a change of nothing made version %d", len(vs))
	}
	// Removing the task is the third version, with an empty plan.
	err = f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		return scheduling.RemoveTask(ctx, tx, f.contract.ID, nt.ID, scheduling.Change{Reason: "Fin du besoin", EffectiveFrom: date("2026-04-01")}, f.actor, now, date("2026-02-10"))
	})
	if err != nil {
		t.Fatal(err)
	}
	vs, plans = f.plans(t)
	if len(vs) != 3 || plans[2] != "" || contracts.PlanChanges(plans)[2] == nil {
		t.Fatalf("after removal: %d versions, plans %q", len(vs), plans)
	}
	// An amendment of the other terms keeps the plan.
	err = f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		c, err := contracts.Get(ctx, tx, f.contract.ID)
		if err != nil {
			return err
		}
		v := *vs[2]
		v.FeeCents += 1000
		return contracts.Amend(ctx, tx, c.ID, &v, "Hausse", date("2026-05-01"), f.tech.ID, c.Version, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	vs, plans = f.plans(t)
	if len(vs) != 4 || plans[3] != plans[2] || contracts.PlanChanges(plans)[3] != nil {
		t.Fatalf("after a fee amendment: %d versions, plans %q", len(vs), plans)
	}
}

func TestPlanEnteredBeforeTheTermsRecordedItIsKeptAsTheOriginal(t *testing.T) {
	f := setup(t)
	f.activate(t)
	// A task written straight into the table, as the demo data does.
	tk := &scheduling.Task{ID: uuid.Must(uuid.NewV7()), ContractID: f.contract.ID, Title: "Contrôle", Checklist: []string{},
		EstimatedMinutes: 30, Place: "remote", Rule: "FREQ=MONTHLY;BYMONTHDAY=1", FirstOn: date("2026-01-01"), AtMinute: 8 * 60,
		Exdates: []time.Time{}, CreatedAt: setupNow}
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := tx.NewInsert().Model(tk).Exec(ctx)
		return err
	})
	now := noon("2026-02-10")
	if _, err := f.save(t, uuid.Nil, task("Sauvegardes", "FREQ=WEEKLY;BYDAY=FR", "2026-01-01"),
		scheduling.Change{Reason: "Ajout", EffectiveFrom: date("2026-03-01")}, now); err != nil {
		t.Fatal(err)
	}
	_, plans := f.plans(t)
	if len(plans) != 2 || !strings.Contains(plans[0], "Contrôle") || strings.Contains(plans[0], "Sauvegardes") ||
		!strings.Contains(plans[1], "Contrôle") || !strings.Contains(plans[1], "Sauvegardes") {
		t.Fatalf("plans %q", plans)
	}
}
