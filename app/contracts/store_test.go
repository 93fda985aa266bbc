package contracts_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

var storeNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func storeDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// insertPolicy writes a service-level policy directly (its store belongs to another part of the
// package), with targets for the four priorities.
func storeInsertPolicy(t *testing.T, db *database.DB, name string, archived bool) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	id := uuid.Must(uuid.NewV7())
	_, err := db.Bun.ExecContext(ctx, `INSERT INTO sla_policies (id, name, hours, archived, created_at, updated_at)
		VALUES (?, ?, '{"monday": ["09:00-18:00"]}', ?, ?, ?)`, id, name, archived, storeNow, storeNow)
	if err != nil {
		t.Fatal(err)
	}
	for i, pr := range []string{"critical", "high", "normal", "low"} {
		if _, err := db.Bun.ExecContext(ctx, `INSERT INTO sla_targets VALUES (?, ?, ?, ?)`, id, pr, 60*(i+1), 240*(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func storeNewClient(t *testing.T, db *database.DB, name string) uuid.UUID {
	t.Helper()
	c := &clients.Client{Name: name}
	if err := clients.Create(context.Background(), db.Bun, c, storeNow); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func storeTerms(policy uuid.UUID) *contracts.Version {
	return &contracts.Version{
		Title:            "Maintenance du site",
		Object:           "Maintenance préventive et corrective du site.",
		Services:         []contracts.Service{{Kind: contracts.ServiceWebsite, Description: "boulangerie-martin.fr"}},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenanceCorrective, contracts.MaintenancePreventive},
		StartDate:        storeDay("2026-01-01"),
		InitialMonths:    12, RenewalMonths: 12, NoticeMonths: 3,
		FeeCents: 12000, BillingPeriod: contracts.BillingMonthly, PaymentTermsDays: 30,
		IncludedMinutes: 240, HourlyRateCents: 6500,
		SLAPolicyID: uuid.NullUUID{UUID: policy, Valid: true},
	}
}

type storeFixture struct {
	db       *database.DB
	policy   uuid.UUID
	client   uuid.UUID
	other    uuid.UUID
	archived uuid.UUID
}

func storeSetup(t *testing.T) *storeFixture {
	db := testutil.DB(t)
	return &storeFixture{
		db: db, policy: storeInsertPolicy(t, db, "Standard", false), archived: storeInsertPolicy(t, db, "Ancienne", true),
		client: storeNewClient(t, db, "Boulangerie Martin"), other: storeNewClient(t, db, "Cabinet Durand"),
	}
}

func (f *storeFixture) create(t *testing.T, clientID uuid.UUID, v *contracts.Version, at time.Time) *contracts.Contract {
	t.Helper()
	c := &contracts.Contract{ClientID: clientID}
	err := f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		return contracts.Create(ctx, tx, c, v, uuid.Nil, at)
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return c
}

// to moves a contract along allowed transitions.
func (f *storeFixture) to(t *testing.T, id uuid.UUID, path ...contracts.Status) {
	t.Helper()
	for _, st := range path {
		c, err := contracts.Get(context.Background(), f.db.Bun, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := contracts.Transition(context.Background(), f.db.Bun, id, st, "", c.Version, storeNow); err != nil {
			t.Fatalf("to %s: %v", st, err)
		}
	}
}

func storeWantConflict(t *testing.T, err error, key string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Conflict || e.Message != key {
		t.Fatalf("err = %v, want conflict %s", err, key)
	}
}

func TestCreateNumbersGapless(t *testing.T) {
	f := storeSetup(t)
	a := f.create(t, f.client, storeTerms(f.policy), storeNow)
	// A refused creation does not use a number.
	bad := storeTerms(uuid.Must(uuid.NewV7()))
	if err := contracts.Create(context.Background(), f.db.Bun, &contracts.Contract{ClientID: f.client}, bad, uuid.Nil, storeNow); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("unknown policy: %v", err)
	}
	b := f.create(t, f.other, storeTerms(f.policy), storeNow)
	c := f.create(t, f.client, storeTerms(f.policy), time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC))
	for _, tt := range []struct{ got, want string }{{a.Reference, "C-2026-001"}, {b.Reference, "C-2026-002"}, {c.Reference, "C-2027-001"}} {
		if tt.got != tt.want {
			t.Errorf("reference %s, want %s", tt.got, tt.want)
		}
	}
	if got := contracts.Reference(2026, 1234); got != "C-2026-1234" {
		t.Errorf("Reference(2026, 1234) = %s", got)
	}
	got, err := contracts.Get(context.Background(), f.db.Bun, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != contracts.StatusDraft || got.ClientName != "Boulangerie Martin" || got.Terms.PolicyName != "Standard" ||
		got.Terms.No != 1 || !got.Terms.EffectiveFrom.Equal(storeDay("2026-01-01")) || got.Terms.IncludedMinutes != 240 {
		t.Errorf("got %+v terms %+v", got, got.Terms)
	}
	if !slices.Equal(got.Terms.MaintenanceKinds, []contracts.MaintenanceKind{contracts.MaintenancePreventive, contracts.MaintenanceCorrective}) {
		t.Errorf("maintenance kinds %v, want normalized order", got.Terms.MaintenanceKinds)
	}
}

func TestCreateRefusesBadTerms(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		client uuid.UUID
		edit   func(v *contracts.Version)
		field  string
		key    string
	}{
		{"unknown policy", f.client, func(v *contracts.Version) { v.SLAPolicyID.UUID = uuid.Must(uuid.NewV7()) }, "sla_policy_id", "contract.error.policy_unknown"},
		{"archived policy", f.client, func(v *contracts.Version) { v.SLAPolicyID.UUID = f.archived }, "sla_policy_id", "contract.error.policy_archived"},
		{"no policy", f.client, func(v *contracts.Version) { v.SLAPolicyID = uuid.NullUUID{} }, "sla_policy_id", "contract.error.policy_required"},
		{"unknown client", uuid.Must(uuid.NewV7()), func(v *contracts.Version) {}, "client_id", "contract.error.client_unknown"},
		{"no service", f.client, func(v *contracts.Version) { v.Services = []contracts.Service{{}} }, "services", "contract.error.services_none"},
		{"unknown service kind", f.client, func(v *contracts.Version) { v.Services[0].Kind = "spaceship" }, "services.0.kind", "contract.error.service_kind"},
		{"0 months", f.client, func(v *contracts.Version) { v.InitialMonths = 0 }, "initial_months", "contract.error.initial_months"},
		{"121 months", f.client, func(v *contracts.Version) { v.InitialMonths = 121 }, "initial_months", "contract.error.initial_months"},
		{"notice as long as the renewal", f.client, func(v *contracts.Version) { v.NoticeMonths = 12 }, "notice_months", "contract.error.notice_vs_renewal"},
		{"negative fee", f.client, func(v *contracts.Version) { v.FeeCents = -500 }, "fee", "contract.error.fee_range"},
		{"absurd fee", f.client, func(v *contracts.Version) { v.FeeCents = contracts.MaxFeeCents + 1 }, "fee", "contract.error.fee_range"},
		{"too many included hours", f.client, func(v *contracts.Version) { v.IncludedMinutes = 1001 * 60 }, "included_hours", "contract.error.included_hours"},
		{"payment terms", f.client, func(v *contracts.Version) { v.PaymentTermsDays = 121 }, "payment_terms_days", "contract.error.payment_terms"},
		{"billing period", f.client, func(v *contracts.Version) { v.BillingPeriod = "weekly" }, "billing_period", "contract.error.billing_period"},
		{"no title", f.client, func(v *contracts.Version) { v.Title = "   " }, "title", "error.required"},
		{"no start date", f.client, func(v *contracts.Version) { v.StartDate = time.Time{} }, "start_date", "error.required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := storeTerms(f.policy)
			tt.edit(v)
			err := contracts.Create(ctx, f.db.Bun, &contracts.Contract{ClientID: tt.client}, v, uuid.Nil, storeNow)
			if got := apperr.FieldsOf(err)[tt.field]; got != tt.key {
				t.Errorf("field %s: %q (err %v), want %q", tt.field, got, err, tt.key)
			}
		})
	}
	var n int
	if err := f.db.Bun.NewRaw("SELECT count(*) FROM contracts").Scan(ctx, &n); err != nil || n != 0 {
		t.Errorf("contracts saved: %d (%v)", n, err)
	}
}

func TestGetForClient(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	c := f.create(t, f.client, storeTerms(f.policy), storeNow)
	if got, err := contracts.GetForClient(ctx, f.db.Bun, f.client, c.ID); err != nil || got.ID != c.ID {
		t.Fatalf("own contract: %v", err)
	}
	for _, clientID := range []uuid.UUID{f.other, uuid.Nil} {
		if _, err := contracts.GetForClient(ctx, f.db.Bun, clientID, c.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("client %s: err = %v, want NotFound", clientID, err)
		}
	}
	if _, err := contracts.Get(ctx, f.db.Bun, uuid.Must(uuid.NewV7())); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("missing contract: %v", err)
	}
	mine, err := contracts.ListByClient(ctx, f.db.Bun, f.other)
	if err != nil || len(mine) != 0 {
		t.Errorf("other client's list: %d %v", len(mine), err)
	}
	mine, err = contracts.ListByClient(ctx, f.db.Bun, f.client)
	if err != nil || len(mine) != 1 || mine[0].Terms == nil {
		t.Errorf("client's list: %d %v", len(mine), err)
	}
}

func TestUpdateDraft(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	c := f.create(t, f.client, storeTerms(f.policy), storeNow)
	v := storeTerms(f.policy)
	v.Title, v.StartDate = "Maintenance complète", storeDay("2026-02-01")
	if err := contracts.UpdateDraft(ctx, f.db.Bun, c.ID, f.other, v, c.Version, storeNow); err != nil {
		t.Fatal(err)
	}
	got, _ := contracts.Get(ctx, f.db.Bun, c.ID)
	if got.Terms.Title != "Maintenance complète" || got.ClientID != f.other || got.Version != 2 || got.CurrentVersion != 1 ||
		!got.Terms.EffectiveFrom.Equal(storeDay("2026-02-01")) {
		t.Errorf("after update: %+v %+v", got, got.Terms)
	}
	// The second tab still holds version 1.
	v = storeTerms(f.policy)
	storeWantConflict(t, contracts.UpdateDraft(ctx, f.db.Bun, c.ID, f.client, v, c.Version, storeNow), contracts.ErrStale)
	// Bad input on a draft: nothing changes.
	v = storeTerms(f.policy)
	v.InitialMonths = 0
	if err := contracts.UpdateDraft(ctx, f.db.Bun, c.ID, f.client, v, got.Version, storeNow); apperr.FieldsOf(err)["initial_months"] == "" {
		t.Errorf("bad months: %v", err)
	}
	// Once active, a draft edit is refused: changes go through amendments.
	f.to(t, c.ID, contracts.StatusActive)
	got, _ = contracts.Get(ctx, f.db.Bun, c.ID)
	storeWantConflict(t, contracts.UpdateDraft(ctx, f.db.Bun, c.ID, f.client, storeTerms(f.policy), got.Version, storeNow), contracts.ErrNotDraft)
}

func TestAmend(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	c := f.create(t, f.client, storeTerms(f.policy), storeNow)
	v := storeTerms(f.policy)
	v.FeeCents = 15000
	storeWantConflict(t, contracts.Amend(ctx, f.db.Bun, c.ID, v, "Hausse", storeDay("2026-06-01"), uuid.Nil, c.Version, storeNow), contracts.ErrNotAmendable)

	f.to(t, c.ID, contracts.StatusActive)
	cur, _ := contracts.Get(ctx, f.db.Bun, c.ID)
	// Reason required, effective date not before the start, terms must change.
	if err := contracts.Amend(ctx, f.db.Bun, c.ID, storeTerms(f.policy), " ", storeDay("2025-06-01"), uuid.Nil, cur.Version, storeNow); apperr.FieldsOf(err)["reason"] != "contract.error.reason_required" ||
		apperr.FieldsOf(err)["effective_from"] != "contract.error.effective_before_start" {
		t.Errorf("bad amendment: %v", err)
	}
	if err := contracts.Amend(ctx, f.db.Bun, c.ID, storeTerms(f.policy), "Rien", storeDay("2026-06-01"), uuid.Nil, cur.Version, storeNow); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("amendment without change: %v", err)
	}
	v = storeTerms(f.policy)
	v.FeeCents = 15000
	v.Services = append(v.Services, contracts.Service{Kind: contracts.ServiceEcommerce, Description: "boutique"})
	if err := contracts.Amend(ctx, f.db.Bun, c.ID, v, "Ajout de la boutique", storeDay("2026-06-01"), uuid.Nil, cur.Version, storeNow); err != nil {
		t.Fatal(err)
	}
	storeWantConflict(t, contracts.Amend(ctx, f.db.Bun, c.ID, storeTerms(f.policy), "Autre onglet", storeDay("2026-06-01"), uuid.Nil, cur.Version, storeNow), contracts.ErrStale)
	got, _ := contracts.Get(ctx, f.db.Bun, c.ID)
	if got.CurrentVersion != 2 || got.Terms.No != 2 || got.Terms.FeeCents != 15000 || got.Terms.Reason != "Ajout de la boutique" {
		t.Errorf("after amendment: %+v %+v", got, got.Terms)
	}
	vs, err := contracts.Versions(ctx, f.db.Bun, c.ID)
	if err != nil || len(vs) != 2 || vs[0].No != 1 || vs[0].FeeCents != 12000 {
		t.Fatalf("versions: %v %v", len(vs), err)
	}
	// An archived policy the contract already uses may be kept by an amendment, not chosen anew.
	if _, err := f.db.Bun.ExecContext(ctx, "UPDATE sla_policies SET archived = true WHERE id = ?", f.policy); err != nil {
		t.Fatal(err)
	}
	v.HourlyRateCents = 7000
	if err := contracts.Amend(ctx, f.db.Bun, c.ID, v, "Tarif horaire", storeDay("2026-07-01"), uuid.Nil, got.Version, storeNow); err != nil {
		t.Errorf("amendment keeping an archived policy: %v", err)
	}
}

func TestVersionAt(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	c := f.create(t, f.client, storeTerms(f.policy), storeNow)
	f.to(t, c.ID, contracts.StatusActive)
	amend := func(fee int64, from string) {
		t.Helper()
		cur, _ := contracts.Get(ctx, f.db.Bun, c.ID)
		v := storeTerms(f.policy)
		v.FeeCents = fee
		if err := contracts.Amend(ctx, f.db.Bun, c.ID, v, "Avenant", storeDay(from), uuid.Nil, cur.Version, storeNow); err != nil {
			t.Fatal(err)
		}
	}
	amend(20000, "2026-06-01") // version 2
	amend(30000, "2026-03-01") // version 3, retroactive: agreed after version 2, it replaces it
	amend(40000, "2027-01-01") // version 4, in the future
	tests := []struct {
		at   string
		want int // 0: none
	}{
		{"2025-12-31", 0}, {"2026-01-01", 1}, {"2026-02-28", 1}, {"2026-03-01", 3}, {"2026-06-01", 3},
		{"2026-12-31", 3}, {"2027-01-01", 4}, {"2030-01-01", 4},
	}
	for _, tt := range tests {
		v, err := contracts.VersionAt(ctx, f.db.Bun, c.ID, storeDay(tt.at))
		switch {
		case tt.want == 0 && apperr.KindOf(err) != apperr.NotFound:
			t.Errorf("at %s: %v, want NotFound", tt.at, err)
		case tt.want != 0 && (err != nil || v.No != tt.want):
			t.Errorf("at %s: version %v (%v), want %d", tt.at, v, err, tt.want)
		}
	}
}

// TestTransitionsStore tries every pair of statuses on a real contract.
func TestTransitionsStore(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	paths := map[contracts.Status][]contracts.Status{
		contracts.StatusDraft:      nil,
		contracts.StatusActive:     {contracts.StatusActive},
		contracts.StatusSuspended:  {contracts.StatusActive, contracts.StatusSuspended},
		contracts.StatusTerminated: {contracts.StatusActive, contracts.StatusTerminated},
		contracts.StatusExpired:    {contracts.StatusActive, contracts.StatusExpired},
	}
	for _, from := range contracts.Statuses() {
		for _, to := range contracts.Statuses() {
			c := f.create(t, f.client, storeTerms(f.policy), storeNow)
			f.to(t, c.ID, paths[from]...)
			cur, _ := contracts.Get(ctx, f.db.Bun, c.ID)
			got, prev, err := contracts.Transition(ctx, f.db.Bun, c.ID, to, "Motif", cur.Version, storeNow)
			if contracts.CanTransition(from, to) {
				if err != nil || got.Status != to || prev != from || got.StatusReason != "Motif" {
					t.Errorf("%s → %s: %v", from, to, err)
				}
			} else {
				if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict || e.Message != contracts.ErrTransition {
					t.Errorf("%s → %s: err = %v, want conflict", from, to, err)
				}
				if after, _ := contracts.Get(ctx, f.db.Bun, c.ID); after.Status != from || after.Version != cur.Version {
					t.Errorf("%s → %s refused but the contract changed", from, to)
				}
			}
		}
	}
}

func TestActivation(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	c := f.create(t, f.client, storeTerms(f.policy), storeNow)
	// A stale page cannot activate.
	if _, _, err := contracts.Transition(ctx, f.db.Bun, c.ID, contracts.StatusActive, "", c.Version+1, storeNow); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("stale activation: %v", err)
	}
	// The policy was archived since the draft was written: the terms are no longer complete.
	if _, err := f.db.Bun.ExecContext(ctx, "UPDATE sla_policies SET archived = true WHERE id = ?", f.policy); err != nil {
		t.Fatal(err)
	}
	_, _, err := contracts.Transition(ctx, f.db.Bun, c.ID, contracts.StatusActive, "", c.Version, storeNow)
	storeWantConflict(t, err, contracts.ErrIncomplete)
	if _, err := f.db.Bun.ExecContext(ctx, "UPDATE sla_policies SET archived = false WHERE id = ?", f.policy); err != nil {
		t.Fatal(err)
	}
	got, _, err := contracts.Transition(ctx, f.db.Bun, c.ID, contracts.StatusActive, "", c.Version, storeNow)
	if err != nil || got.ActivatedAt.IsZero() || got.Version != c.Version+1 {
		t.Fatalf("activation: %v", err)
	}
}

func TestRecordNotice(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	c := f.create(t, f.client, storeTerms(f.policy), storeNow)
	_, _, err := contracts.RecordNotice(ctx, f.db.Bun, c.ID, uuid.Nil, "Lettre", "", storeNow, storeDay("2026-05-01"))
	storeWantConflict(t, err, contracts.ErrNoticeNotRunning)
	f.to(t, c.ID, contracts.StatusActive)

	// Given on 1 November 2026, after the last day (30 September): the contract runs one more year.
	got, n, err := contracts.RecordNotice(ctx, f.db.Bun, c.ID, uuid.Nil, "Lettre recommandée", "Déménagement", storeNow, storeDay("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	if !n.TooLate || !n.EndsOn.Equal(storeDay("2027-12-31")) || !got.EndsOnDate().Equal(storeDay("2027-12-31")) ||
		got.NoticeGivenByLabel != "Lettre recommandée" || got.NoticeReason != "Déménagement" || !got.NoticeGiven() {
		t.Errorf("notice: %+v %+v", n, got)
	}
	s := got.Schedule(storeDay("2026-11-01"))
	if s.Renews() || !s.EndDate.Equal(storeDay("2027-12-31")) {
		t.Errorf("schedule after notice: %+v", s)
	}
	_, _, err = contracts.RecordNotice(ctx, f.db.Bun, c.ID, uuid.Nil, "Lettre", "", storeNow, storeDay("2026-11-02"))
	storeWantConflict(t, err, contracts.ErrNoticeGiven)

	// In time: ends at the end of the current period.
	c2 := f.create(t, f.client, storeTerms(f.policy), storeNow)
	f.to(t, c2.ID, contracts.StatusActive, contracts.StatusSuspended)
	got, n, err = contracts.RecordNotice(ctx, f.db.Bun, c2.ID, uuid.Nil, "E-mail", "", storeNow, storeDay("2026-09-30"))
	if err != nil || n.TooLate || !got.EndsOnDate().Equal(storeDay("2026-12-31")) {
		t.Errorf("notice in time: %+v %v", n, err)
	}
}

// TestListDeadlineSortMatchesSchedule checks that the SQL sort key of the list is the date of
// Schedule.Next for a variety of terms, and that keyset pages cover every contract once.
func TestListDeadlineSortMatchesSchedule(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	today := storeDay("2026-11-22")
	starts := []string{"2024-01-31", "2025-02-28", "2025-08-31", "2026-01-01", "2026-03-15", "2026-11-30", "2027-05-31"}
	shapes := [][3]int{{12, 12, 3}, {1, 1, 0}, {24, 0, 2}, {6, 3, 1}, {36, 12, 6}, {3, 12, 2}}
	type row struct {
		ref string
		due time.Time
	}
	var want []row
	i := 0
	for _, st := range starts {
		for _, sh := range shapes {
			v := storeTerms(f.policy)
			v.StartDate, v.InitialMonths, v.RenewalMonths, v.NoticeMonths = storeDay(st), sh[0], sh[1], sh[2]
			v.Title = fmt.Sprintf("Contrat %d", i)
			c := f.create(t, []uuid.UUID{f.client, f.other}[i%2], v, storeNow)
			i++
			due := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // "none" sorts last
			switch i % 5 {
			case 1:
				f.to(t, c.ID, contracts.StatusActive)
				got, _, err := contracts.RecordNotice(ctx, f.db.Bun, c.ID, uuid.Nil, "x", "", storeNow, today)
				if err != nil {
					t.Fatal(err)
				}
				c = got
			case 2:
				f.to(t, c.ID, contracts.StatusActive, contracts.StatusTerminated)
			}
			c, _ = contracts.Get(ctx, f.db.Bun, c.ID)
			if next, ok := c.Schedule(today).Next(); ok && !c.Status.IsOver() {
				due = next.On
			}
			want = append(want, row{c.Reference, due})
		}
	}
	slices.SortFunc(want, func(a, b row) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return storeCompareRef(a.ref, b.ref)
	})
	var got []row
	after := ""
	for pages := 0; ; pages++ {
		p, err := contracts.List(ctx, f.db.Bun, contracts.Filter{Sort: contracts.SortDeadline, Today: today, After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Contracts {
			due := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
			if next, ok := c.Schedule(today).Next(); ok && !c.Status.IsOver() {
				due = next.On
			}
			got = append(got, row{c.Reference, due})
		}
		if p.Next == "" || pages > 20 {
			break
		}
		after = p.Next
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d contracts, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %s %s, want %s %s", i, got[i].ref, got[i].due.Format(time.DateOnly), want[i].ref, want[i].due.Format(time.DateOnly))
		}
	}
}

func storeCompareRef(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestListFilters(t *testing.T) {
	f := storeSetup(t)
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		v := storeTerms(f.policy)
		v.Title = fmt.Sprintf("Contrat %02d", i)
		if i == 7 {
			v.Title = "Parc 100% informatique_x"
		}
		c := f.create(t, []uuid.UUID{f.client, f.other}[i%3/2], v, storeNow)
		if i%4 == 0 {
			f.to(t, c.ID, contracts.StatusActive)
		}
	}
	count := func(flt contracts.Filter) ([]string, string) {
		t.Helper()
		flt.Today = storeDay("2026-11-22")
		p, err := contracts.List(ctx, f.db.Bun, flt)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, c := range p.Contracts {
			refs = append(refs, c.Reference)
		}
		return refs, p.Next
	}
	first, next := count(contracts.Filter{})
	if len(first) != contracts.PageSize || first[0] != "C-2026-030" || next == "" {
		t.Fatalf("first page: %v next %q", first, next)
	}
	second, next := count(contracts.Filter{After: next})
	if len(second) != 5 || second[0] != "C-2026-005" || next != "" {
		t.Errorf("second page: %v next %q", second, next)
	}
	if refs, _ := count(contracts.Filter{Status: contracts.StatusActive}); len(refs) != 8 {
		t.Errorf("active: %d", len(refs))
	}
	if refs, _ := count(contracts.Filter{ClientID: f.other}); len(refs) != 10 {
		t.Errorf("other client: %d", len(refs))
	}
	if refs, _ := count(contracts.Filter{Search: "100%"}); len(refs) != 1 || refs[0] != "C-2026-008" {
		t.Errorf("search 100%%: %v", refs)
	}
	if refs, _ := count(contracts.Filter{Search: "_"}); len(refs) != 1 {
		t.Errorf("search _ matched %d: wildcards must match literally", len(refs))
	}
	if refs, _ := count(contracts.Filter{Search: "c-2026-01"}); len(refs) != 10 {
		t.Errorf("search by reference: %v", refs)
	}
	if refs, _ := count(contracts.Filter{After: "garbage'; DROP"}); len(refs) != contracts.PageSize {
		t.Errorf("garbage cursor: %d", len(refs))
	}
}
