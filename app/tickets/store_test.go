package tickets_test

import (
	"context"
	"fmt"
	"slices"
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
	"maintenant/app/sla"
	"maintenant/app/testutil"
	"maintenant/app/tickets"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at reads "2006-01-02 15:04" in Paris.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var setupNow = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

// fixture is two clients with a running contract each under an office-hours SLA policy, a draft
// contract, staff and client users.
type fixture struct {
	db                             *database.DB
	policy                         *contracts.SLAPolicy
	client, other                  uuid.UUID
	contract, otherContract, draft *contracts.Contract
	noSLA                          *contracts.Contract
	manager, tech, retired         *accounts.User
	alice, bob, eve                *accounts.User
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: testutil.DB(t)}
	day := []string{"09:00-18:00"}
	f.policy = &contracts.SLAPolicy{
		Name:  "Bureau",
		Hours: map[string][]string{"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day},
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 240},
			sla.High:     {ReactionMinutes: 120, ResolutionMinutes: 480},
			sla.Normal:   {ReactionMinutes: 240, ResolutionMinutes: 960},
			sla.Low:      {ReactionMinutes: 480, ResolutionMinutes: 2400},
		},
		FrenchHolidays: true, PenaltyBPPerHour: 100, PenaltyCapBP: 1000,
	}
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		return contracts.CreateSLAPolicy(ctx, tx, f.policy, setupNow)
	})
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
	client := func(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: true} }
	f.manager = newUser(&accounts.User{Kind: accounts.Staff, Role: accounts.Manager, Email: "clement@example.fr", Name: "Clément Garcia", Active: true})
	f.tech = newUser(&accounts.User{Kind: accounts.Staff, Role: accounts.Technician, Email: "tech@example.fr", Name: "Théo Tech", Active: true})
	f.retired = newUser(&accounts.User{Kind: accounts.Staff, Role: accounts.Technician, Email: "old@example.fr", Name: "Ancien", Active: false})
	f.alice = newUser(&accounts.User{Kind: accounts.Client, Role: accounts.Admin, Email: "alice@boulangerie.fr", Name: "Alice Martin", ClientID: client(f.client), Active: true})
	f.bob = newUser(&accounts.User{Kind: accounts.Client, Role: accounts.Member, Email: "bob@boulangerie.fr", Name: "Bob Martin", ClientID: client(f.client), Active: true})
	f.eve = newUser(&accounts.User{Kind: accounts.Client, Role: accounts.Admin, Email: "eve@durand.fr", Name: "Ève Durand", ClientID: client(f.other), Active: true})
	f.contract = f.newContract(t, f.client, true, true)
	f.otherContract = f.newContract(t, f.other, true, true)
	f.draft = f.newContract(t, f.client, false, true)
	f.noSLA = f.newContract(t, f.client, true, false)
	return f
}

func (f *fixture) tx(t testing.TB, fn func(ctx context.Context, tx *database.Tx) error) {
	t.Helper()
	if err := f.db.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// newContract writes a contract for a client covering a website and workstations; active moves it
// out of draft; withSLA gives it the policy (else its policy is removed after activation).
func (f *fixture) newContract(t *testing.T, clientID uuid.UUID, active, withSLA bool) *contracts.Contract {
	t.Helper()
	c := &contracts.Contract{ClientID: clientID}
	v := &contracts.Version{
		Title: "Maintenance du site", Object: "Maintenance corrective.",
		Services: []contracts.Service{
			{Kind: contracts.ServiceWebsite, Description: "boulangerie-martin.fr"},
			{Kind: contracts.ServiceWorkstations, Description: "3 postes de caisse"},
		},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenanceCorrective},
		StartDate:        time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3,
		FeeCents: 12000, BillingPeriod: contracts.BillingMonthly, PaymentTermsDays: 30,
		SLAPolicyID: uuid.NullUUID{UUID: f.policy.ID, Valid: true},
	}
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		if err := contracts.Create(ctx, tx, c, v, uuid.Nil, setupNow); err != nil {
			return err
		}
		if active {
			if _, _, err := contracts.Transition(ctx, tx, c.ID, contracts.StatusActive, "", c.Version, setupNow); err != nil {
				return err
			}
		}
		if !withSLA {
			_, err := tx.NewUpdate().Table("contract_versions").Set("sla_policy_id = NULL").Where("contract_id = ?", c.ID).Exec(ctx)
			return err
		}
		return nil
	})
	return c
}

func staff(u *accounts.User) tickets.Actor {
	return tickets.StaffActor(audit.Actor{UserID: u.ID, Label: u.Email, IP: "127.0.0.1"}, u.Name)
}

func clientActor(u *accounts.User) tickets.Actor {
	return tickets.ClientActor(audit.Actor{UserID: u.ID, Label: u.Email}, u.ClientID.UUID, u.Name)
}

// input is a valid portal report by alice under the fixture's contract.
func (f *fixture) input() tickets.OpenInput {
	return tickets.OpenInput{
		ClientID: f.client, ContractID: f.contract.ID, ServiceLabel: "boulangerie-martin.fr",
		Title: "Le site ne s'affiche plus", Description: "Erreur 500 sur la page d'accueil depuis ce matin.",
		Priority: sla.Critical, Channel: tickets.ChannelPortal, ReporterID: f.alice.ID, ContactPhone: "06 12 34 56 78",
	}
}

func (f *fixture) open(t testing.TB, in tickets.OpenInput, actor tickets.Actor, now time.Time) *tickets.Ticket {
	t.Helper()
	var tk *tickets.Ticket
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		var err error
		tk, err = tickets.Open(ctx, tx, in, actor, now, paris)
		return err
	})
	return tk
}

func (f *fixture) move(t testing.TB, tk *tickets.Ticket, to tickets.Status, actor tickets.Actor, now time.Time) *tickets.Ticket {
	t.Helper()
	var out *tickets.Ticket
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		var err error
		out, err = tickets.Transition(ctx, tx, tk.ID, to, actor, "", tk.Version, now)
		return err
	})
	return out
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

func TestOpen(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tk := f.open(t, f.input(), clientActor(f.alice), at(t, "2026-03-06 17:55"))
	if tk.Number != 1 || tk.Reference() != "T-0001" || tk.Status != tickets.StatusNew || tk.Version != 1 {
		t.Errorf("opened %s status %s version %d", tk.Reference(), tk.Status, tk.Version)
	}
	if tk.ClientName != "Boulangerie Martin" || tk.ContractReference != f.contract.Reference || tk.ReporterLabel != "Alice Martin" {
		t.Errorf("names: %q %q %q", tk.ClientName, tk.ContractReference, tk.ReporterLabel)
	}
	if tk.ContractVersion != 1 || tk.SLAPolicyID.UUID != f.policy.ID || tk.ReactionMinutes != 60 || tk.ResolutionMinutes != 240 || tk.Priority != sla.Critical {
		t.Errorf("sla: version %d policy %v targets %d/%d priority %v", tk.ContractVersion, tk.SLAPolicyID, tk.ReactionMinutes, tk.ResolutionMinutes, tk.Priority)
	}
	if got, want := tk.ReactionDueAt.Time, at(t, "2026-03-09 09:55"); !got.Equal(want) {
		t.Errorf("reaction due = %v, want %v", got.In(paris), want)
	}
	if got, want := tk.ResolutionDueAt.Time, at(t, "2026-03-09 12:55"); !got.Equal(want) {
		t.Errorf("resolution due = %v, want %v", got.In(paris), want)
	}
	if !tk.NextDueAt.Time.Equal(tk.ReactionDueAt.Time) || !tk.RiskAt.Time.Equal(at(t, "2026-03-09 09:40")) {
		t.Errorf("next due %v, risk %v", tk.NextDueAt.Time.In(paris), tk.RiskAt.Time.In(paris))
	}
	if tk.SLA == nil || tk.SLA.PolicyName != "Bureau" || tk.SLA.Location != "Europe/Paris" {
		t.Errorf("snapshot = %+v", tk.SLA)
	}
	es, err := tickets.Events(ctx, f.db.Bun, tk.ID)
	if err != nil || len(es) != 1 || es[0].Kind != tickets.EventOpened || es[0].To != "portal" || es[0].ActorLabel != "Alice Martin" {
		t.Fatalf("events = %+v, %v", es, err)
	}
	entries, _, err := audit.List(ctx, f.db.Bun, audit.Filter{Action: audit.TicketOpened})
	if err != nil || len(entries) != 1 || entries[0].TargetID != tk.ID.String() || entries[0].ClientID.UUID != f.client {
		t.Fatalf("audit = %+v, %v", entries, err)
	}

	// Editing the policy afterwards does not move the ticket's deadlines (the snapshot).
	p, err := contracts.GetSLAPolicy(ctx, f.db.Bun, f.policy.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.Targets[sla.Critical] = contracts.Targets{ReactionMinutes: 600, ResolutionMinutes: 1200}
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		return contracts.UpdateSLAPolicy(ctx, tx, p, setupNow)
	})
	tk = f.move(t, tk, tickets.StatusAcknowledged, staff(f.tech), at(t, "2026-03-09 10:00"))
	if !tk.ReactionBreached || tk.ReactionMinutes != 60 || !tk.ReactionDueAt.Time.Equal(at(t, "2026-03-09 09:55")) {
		t.Errorf("after the policy edit: breached %v, target %d, due %v", tk.ReactionBreached, tk.ReactionMinutes, tk.ReactionDueAt.Time.In(paris))
	}

	// The next ticket takes the next number; without contract there is no SLA.
	in := f.input()
	in.ContractID, in.ServiceLabel = uuid.Nil, ""
	t2 := f.open(t, in, clientActor(f.alice), at(t, "2026-03-09 10:00"))
	if t2.Number != 2 || t2.HasSLA() || !t2.ReactionDueAt.IsZero() || !t2.NextDueAt.IsZero() || t2.SLAAt(at(t, "2026-03-20 10:00")).State != tickets.SLANone {
		t.Errorf("without contract: %s, SLA %v", t2.Reference(), t2.HasSLA())
	}
	// A contract without policy: the ticket is valid, without deadlines.
	in = f.input()
	in.ContractID = f.noSLA.ID
	t3 := f.open(t, in, staff(f.manager), at(t, "2026-03-09 10:00"))
	if t3.HasSLA() || !t3.ContractID.Valid || t3.ContractVersion != 1 {
		t.Errorf("contract without policy: SLA %v, contract %v", t3.HasSLA(), t3.ContractID)
	}
	// A phone call logged by staff for someone without an account.
	in = f.input()
	in.Channel, in.ReporterID, in.ReporterLabel = tickets.ChannelPhone, uuid.Nil, "Le gérant, au téléphone"
	t4 := f.open(t, in, staff(f.manager), at(t, "2026-03-09 10:00"))
	if t4.Channel != tickets.ChannelPhone || t4.ReporterID.Valid || t4.ReporterLabel != "Le gérant, au téléphone" {
		t.Errorf("phone ticket: %+v", t4)
	}
}

func TestOpenRefused(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	now := at(t, "2026-03-09 10:00")
	tests := []struct {
		name         string
		actor        tickets.Actor
		change       func(in *tickets.OpenInput)
		field, key   string
		kind         apperr.Kind
		wantNoNumber bool
	}{
		{"empty title", clientActor(f.alice), func(in *tickets.OpenInput) { in.Title = " " }, "title", "error.required", apperr.Invalid, true},
		{"another client's contract", clientActor(f.alice), func(in *tickets.OpenInput) { in.ContractID = f.otherContract.ID }, "contract_id", "tickets.error.contract_unknown", apperr.Invalid, true},
		{"a draft contract", clientActor(f.alice), func(in *tickets.OpenInput) { in.ContractID = f.draft.ID }, "contract_id", "tickets.error.contract_not_running", apperr.Invalid, true},
		{"a service the contract does not cover", clientActor(f.alice), func(in *tickets.OpenInput) { in.ServiceLabel = "autre-site.fr" }, "service_label", "tickets.error.service_unknown", apperr.Invalid, true},
		{"a reporter of another client", staff(f.manager), func(in *tickets.OpenInput) { in.ReporterID = f.eve.ID }, "reporter_id", "tickets.error.reporter_unknown", apperr.Invalid, true},
		{"an unknown client", staff(f.manager), func(in *tickets.OpenInput) { in.ClientID, in.ContractID, in.ServiceLabel = uuid.New(), uuid.Nil, "" }, "client_id", "tickets.error.client_unknown", apperr.Invalid, true},
		{"a bad phone", clientActor(f.alice), func(in *tickets.OpenInput) { in.ContactPhone = "appelez-moi" }, "contact_phone", "tickets.error.phone_invalid", apperr.Invalid, true},
		{"for another client from the portal", clientActor(f.eve), func(*tickets.OpenInput) {}, "", "", apperr.Forbidden, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := f.input()
			tt.change(&in)
			err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
				_, err := tickets.Open(ctx, tx, in, tt.actor, now, paris)
				return err
			})
			wantKind(t, err, tt.kind, "")
			if tt.field != "" {
				wantField(t, err, tt.field, tt.key)
			}
		})
	}
	n, err := f.db.Bun.NewSelect().Table("tickets").Count(ctx)
	if err != nil || n != 0 {
		t.Errorf("tickets after refusals = %d, %v", n, err)
	}
	// The contract has not started yet on the opening day.
	if err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		_, err := tickets.Open(ctx, tx, f.input(), clientActor(f.alice), at(t, "2025-12-31 10:00"), paris)
		return err
	}); apperr.FieldsOf(err)["contract_id"] != "tickets.error.contract_not_started" {
		t.Errorf("before the start: %v", err)
	}
}

// path brings a new ticket to a status along allowed moves.
var path = map[tickets.Status][]tickets.Status{
	tickets.StatusNew:           nil,
	tickets.StatusAcknowledged:  {tickets.StatusAcknowledged},
	tickets.StatusDiagnosed:     {tickets.StatusAcknowledged, tickets.StatusDiagnosed},
	tickets.StatusInProgress:    {tickets.StatusAcknowledged, tickets.StatusInProgress},
	tickets.StatusWaitingClient: {tickets.StatusAcknowledged, tickets.StatusWaitingClient},
	tickets.StatusResolved:      {tickets.StatusAcknowledged, tickets.StatusResolved},
	tickets.StatusClosed:        {tickets.StatusAcknowledged, tickets.StatusResolved, tickets.StatusClosed},
}

func (f *fixture) bring(t testing.TB, st tickets.Status, now time.Time) *tickets.Ticket {
	t.Helper()
	tk := f.open(t, f.input(), clientActor(f.alice), now)
	for i, s := range path[st] {
		tk = f.move(t, tk, s, staff(f.tech), now.Add(time.Duration(i+1)*time.Minute))
	}
	if tk.Status != st {
		t.Fatalf("brought to %s, want %s", tk.Status, st)
	}
	return tk
}

func TestTransitionEveryPair(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	now := at(t, "2026-03-09 10:00")
	for _, from := range tickets.Statuses() {
		for _, to := range tickets.Statuses() {
			tk := f.bring(t, from, now)
			err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
				_, err := tickets.Transition(ctx, tx, tk.ID, to, staff(f.manager), "note", tk.Version, now.Add(time.Hour))
				return err
			})
			if tickets.CanTransition(from, to) {
				if err != nil {
					t.Errorf("%s → %s refused: %v", from, to, err)
					continue
				}
				got, _ := tickets.Get(ctx, f.db.Bun, tk.ID)
				if got.Status != to || got.Version != tk.Version+1 {
					t.Errorf("%s → %s: status %s version %d", from, to, got.Status, got.Version)
				}
			} else if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict || e.Message != tickets.ErrTransition {
				t.Errorf("%s → %s: err = %v, want %s", from, to, err, tickets.ErrTransition)
			}
		}
	}
}

func TestClientMoves(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	now := at(t, "2026-03-09 10:00")
	transition := func(tk *tickets.Ticket, to tickets.Status, actor tickets.Actor, when time.Time) error {
		return f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			_, err := tickets.Transition(ctx, tx, tk.ID, to, actor, "", tk.Version, when)
			return err
		})
	}
	tk := f.bring(t, tickets.StatusInProgress, now)
	wantKind(t, transition(tk, tickets.StatusResolved, clientActor(f.alice), now), apperr.Forbidden, "")
	wantKind(t, transition(tk, tickets.StatusResolved, clientActor(f.eve), now), apperr.NotFound, "")

	resolved := f.bring(t, tickets.StatusResolved, now)
	// The client confirms.
	if err := transition(resolved, tickets.StatusClosed, clientActor(f.bob), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Reopening within 14 days, by the client.
	r2 := f.bring(t, tickets.StatusResolved, now)
	if err := transition(r2, tickets.StatusInProgress, clientActor(f.alice), r2.ResolvedAt.Add(13*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	es, _ := tickets.Events(ctx, f.db.Bun, r2.ID)
	if last := es[len(es)-1]; last.Kind != tickets.EventReopened || last.From != "resolved" || last.To != "in_progress" {
		t.Errorf("last event = %+v", last)
	}
	ps, _ := tickets.Pauses(ctx, f.db.Bun, r2.ID)
	if len(ps) != 1 || ps[0].Kind != tickets.PauseReopened || !ps[0].StartedAt.Equal(r2.ResolvedAt.Time) {
		t.Errorf("pauses = %+v", ps)
	}
	// After 14 days the client may not, staff may.
	r3 := f.bring(t, tickets.StatusResolved, now)
	wantKind(t, transition(r3, tickets.StatusInProgress, clientActor(f.alice), r3.ResolvedAt.Add(15*24*time.Hour)), apperr.Conflict, tickets.ErrReopenExpired)
	if err := transition(r3, tickets.StatusInProgress, staff(f.manager), r3.ResolvedAt.Add(15*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := tickets.Get(ctx, f.db.Bun, r3.ID)
	if got.ReopenedCount != 1 || !got.ResolvedAt.IsZero() {
		t.Errorf("reopened by staff: count %d resolved %v", got.ReopenedCount, got.ResolvedAt)
	}
}

// TestClockInStore follows one ticket through the clock rules with a fake clock.
func TestClockInStore(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tk := f.open(t, f.input(), clientActor(f.alice), at(t, "2026-03-06 17:55")) // Friday, critical: 1 h / 4 h
	tk = f.move(t, tk, tickets.StatusAcknowledged, staff(f.tech), at(t, "2026-03-09 09:50"))
	if tk.ReactionBreached || !tk.AcknowledgedAt.Time.Equal(at(t, "2026-03-09 09:50")) || tk.ReactionElapsedSeconds.Int64 != 55*60 {
		t.Errorf("acknowledged: breached %v at %v elapsed %v", tk.ReactionBreached, tk.AcknowledgedAt.Time, tk.ReactionElapsedSeconds)
	}
	tk = f.move(t, tk, tickets.StatusWaitingClient, staff(f.tech), at(t, "2026-03-09 10:00"))
	if !tk.ResolutionDueAt.IsZero() || !tk.NextDueAt.IsZero() || tk.SLAAt(at(t, "2026-03-09 15:00")).State != tickets.SLAPaused {
		t.Errorf("waiting: due %v next %v", tk.ResolutionDueAt, tk.NextDueAt)
	}
	// The client answers at 11:00: the ticket resumes by itself.
	var resumed bool
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		var err error
		_, resumed, err = tickets.AddMessage(ctx, tx, tk.ID, clientActor(f.alice), false, "Voici la capture demandée.", at(t, "2026-03-09 11:00"))
		return err
	})
	tk, _ = tickets.Get(ctx, f.db.Bun, tk.ID)
	// 65 min consumed before the pause (Fri 5 min, Mon 9:00-10:00): 175 min left from 11:00.
	if !resumed || tk.Status != tickets.StatusInProgress || !tk.ResolutionDueAt.Time.Equal(at(t, "2026-03-09 13:55")) {
		t.Errorf("resumed %v: status %s due %v", resumed, tk.Status, tk.ResolutionDueAt.Time.In(paris))
	}
	ps, _ := tickets.Pauses(ctx, f.db.Bun, tk.ID)
	if len(ps) != 1 || ps[0].IsOpen() || !ps[0].EndedAt.Time.Equal(at(t, "2026-03-09 11:00")) || ps[0].Kind != tickets.PauseWaitingClient {
		t.Errorf("pauses = %+v", ps)
	}
	// Raised to... it is already critical; lowered to high: 8 h from the opening with the pause.
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		var err error
		tk, err = tickets.ChangePriority(ctx, tx, tk.ID, sla.High, staff(f.manager), "Le site s'affiche de nouveau", tk.Version, at(t, "2026-03-09 11:30"))
		return err
	})
	// 2 h reaction from Friday 17:55: Monday 10:55, acknowledged at 9:50; 8 h resolution:
	// 5 min + 9:00-10:00 + 11:00-18:00 = 8 h 05 → Monday 17:55.
	if tk.Priority != sla.High || tk.ReactionMinutes != 120 || !tk.ReactionDueAt.Time.Equal(at(t, "2026-03-09 10:55")) ||
		!tk.ResolutionDueAt.Time.Equal(at(t, "2026-03-09 17:55")) {
		t.Errorf("priority high: %v %d reaction %v resolution %v", tk.Priority, tk.ReactionMinutes, tk.ReactionDueAt.Time.In(paris), tk.ResolutionDueAt.Time.In(paris))
	}
	tk = f.move(t, tk, tickets.StatusResolved, staff(f.tech), at(t, "2026-03-09 16:00"))
	if tk.ResolutionBreached || tk.ResolutionElapsedSeconds.Int64 != int64((6*time.Hour+5*time.Minute)/time.Second) || tk.SLAAt(at(t, "2026-03-20 09:00")).State != tickets.SLAMet {
		t.Errorf("resolved: breached %v elapsed %v", tk.ResolutionBreached, tk.ResolutionElapsedSeconds)
	}
	// Raising the priority of the resolved ticket to critical makes it breached at once.
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		var err error
		tk, err = tickets.ChangePriority(ctx, tx, tk.ID, sla.Critical, staff(f.manager), "", tk.Version, at(t, "2026-03-09 16:05"))
		return err
	})
	if !tk.ResolutionBreached || tk.SLAAt(at(t, "2026-03-09 16:05")).State != tickets.SLABreached {
		t.Errorf("critical again: breached %v", tk.ResolutionBreached)
	}
	es, _ := tickets.Events(ctx, f.db.Bun, tk.ID)
	var kinds []string
	for _, e := range es {
		kinds = append(kinds, string(e.Kind)+":"+e.To)
	}
	want := []string{"opened:portal", "status:acknowledged", "status:waiting_client", "status:in_progress", "priority:high", "status:resolved", "priority:critical"}
	if !slices.Equal(kinds, want) {
		t.Errorf("events = %v, want %v", kinds, want)
	}
	// The detail page's view agrees with the stored columns.
	d, err := tickets.LoadDetailForClient(ctx, f.db.Bun, f.client, tk.ID, at(t, "2026-03-10 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	if d.SLA.State != tickets.SLABreached || d.SLA.Resolution.Delay() != 2*time.Hour+5*time.Minute || len(d.Pauses) != 1 || len(d.Messages) != 1 {
		t.Errorf("detail: %+v, delay %v, %d pauses, %d messages", d.SLA.State, d.SLA.Resolution.Delay(), len(d.Pauses), len(d.Messages))
	}
	for _, e := range d.Events {
		if !e.VisibleToClient() {
			t.Errorf("the portal sees %s", e.Kind)
		}
	}
}

func TestGetForClient(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tk := f.open(t, f.input(), clientActor(f.alice), at(t, "2026-03-09 10:00"))
	if _, err := tickets.GetForClient(ctx, f.db.Bun, f.client, tk.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []uuid.UUID{f.other, uuid.Nil} {
		_, err := tickets.GetForClient(ctx, f.db.Bun, c, tk.ID)
		wantKind(t, err, apperr.NotFound, "")
		_, err = tickets.LoadDetailForClient(ctx, f.db.Bun, c, tk.ID, time.Now())
		wantKind(t, err, apperr.NotFound, "")
	}
	_, err := tickets.Get(ctx, f.db.Bun, uuid.New())
	wantKind(t, err, apperr.NotFound, "")
	// Another client's user cannot write in the thread either.
	err = f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		_, _, err := tickets.AddMessage(ctx, tx, tk.ID, clientActor(f.eve), false, "bonjour", time.Now())
		return err
	})
	wantKind(t, err, apperr.NotFound, "")
	page, err := tickets.ListForClient(ctx, f.db.Bun, f.other, tickets.ClientFilter{})
	if err != nil || len(page.Tickets) != 0 {
		t.Errorf("other client's list = %v, %v", page, err)
	}
}

func TestStaffActions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	now := at(t, "2026-03-09 10:00")
	tk := f.open(t, f.input(), clientActor(f.alice), now)
	run := func(fn func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error)) (*tickets.Ticket, error) {
		var out *tickets.Ticket
		err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			var err error
			out, err = fn(ctx, tx)
			return err
		})
		return out, err
	}
	// A diagnosis on a new ticket acknowledges it, then diagnoses it.
	tk, err := run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
		return tickets.SetDiagnosis(ctx, tx, tk.ID, "Certificat expiré.", "Renouveler le certificat.", staff(f.tech), tk.Version, now)
	})
	if err != nil || tk.Status != tickets.StatusDiagnosed || tk.AcknowledgedAt.IsZero() || tk.Diagnosis != "Certificat expiré." {
		t.Fatalf("diagnosis: %+v, %v", tk, err)
	}
	_, err = run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
		return tickets.SetDiagnosis(ctx, tx, tk.ID, " ", "", staff(f.tech), tk.Version, now)
	})
	wantField(t, err, "diagnosis", "error.required")
	_, err = run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
		return tickets.SetDiagnosis(ctx, tx, tk.ID, "x", "", clientActor(f.alice), tk.Version, now)
	})
	wantKind(t, err, apperr.Forbidden, "")
	// Stale versions are refused by every staff action.
	stale := tk.Version - 1
	for name, fn := range map[string]func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error){
		"diagnosis": func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
			return tickets.SetDiagnosis(ctx, tx, tk.ID, "autre", "", staff(f.tech), stale, now)
		},
		"assign": func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
			return tickets.Assign(ctx, tx, tk.ID, f.tech.ID, staff(f.manager), stale, now)
		},
		"priority": func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
			return tickets.ChangePriority(ctx, tx, tk.ID, sla.Low, staff(f.manager), "", stale, now)
		},
		"transition": func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
			return tickets.Transition(ctx, tx, tk.ID, tickets.StatusInProgress, staff(f.manager), "", stale, now)
		},
	} {
		_, err := run(fn)
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict || e.Message != tickets.ErrStale {
			t.Errorf("%s with a stale version: %v", name, err)
		}
	}
	// Assignment: active staff only.
	for _, u := range []*accounts.User{f.retired, f.alice} {
		_, err := run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
			return tickets.Assign(ctx, tx, tk.ID, u.ID, staff(f.manager), tk.Version, now)
		})
		wantField(t, err, "assignee_id", "tickets.error.assignee_unknown")
	}
	tk, err = run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
		return tickets.Assign(ctx, tx, tk.ID, f.tech.ID, staff(f.manager), tk.Version, now)
	})
	if err != nil || tk.AssigneeID.UUID != f.tech.ID || tk.AssigneeName != "Théo Tech" {
		t.Fatalf("assign: %+v, %v", tk, err)
	}
	tk, err = run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
		return tickets.Assign(ctx, tx, tk.ID, f.manager.ID, staff(f.manager), tk.Version, now)
	})
	if err != nil || tk.AssigneeName != "Clément Garcia" {
		t.Fatalf("reassign: %v", err)
	}
	// Escalation: up only, by staff or the system, without changing the version.
	version := tk.Version
	tk, err = run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
		return tickets.Escalate(ctx, tx, tk.ID, 1, tickets.SystemActor(), "Délai bientôt dépassé", now)
	})
	if err != nil || tk.EscalationLevel != 1 || tk.Version != version {
		t.Fatalf("escalate: level %d version %d, %v", tk.EscalationLevel, tk.Version, err)
	}
	for _, level := range []int{1, 0, 4} {
		_, err = run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
			return tickets.Escalate(ctx, tx, tk.ID, level, staff(f.manager), "", now)
		})
		wantKind(t, err, apperr.Conflict, tickets.ErrEscalationLevel)
	}
	_, err = run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
		return tickets.Escalate(ctx, tx, tk.ID, 2, clientActor(f.alice), "", now)
	})
	wantKind(t, err, apperr.Forbidden, "")
	es, _ := tickets.Events(ctx, f.db.Bun, tk.ID)
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s:%s>%s", e.Kind, e.From, e.To))
		if e.Kind == tickets.EventEscalated && !e.IsSystem() {
			t.Errorf("the job's escalation is not shown as automatic: %+v", e)
		}
	}
	want := []string{"opened:>portal", "status:new>acknowledged", "status:acknowledged>diagnosed", "diagnosis:>",
		"assigned:>Théo Tech", "assigned:Théo Tech>Clément Garcia", "escalated:0>1"}
	if !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}
	for _, action := range audit.TicketActions {
		if action == audit.TicketPriorityChanged {
			continue
		}
		entries, _, err := audit.List(ctx, f.db.Bun, audit.Filter{Action: action})
		if err != nil || len(entries) == 0 {
			t.Errorf("no audit entry %s (%v)", action, err)
		}
	}
	// A closed ticket takes nothing more.
	tk = f.move(t, tk, tickets.StatusResolved, staff(f.tech), now.Add(time.Hour))
	_, err = run(func(ctx context.Context, tx *database.Tx) (*tickets.Ticket, error) {
		return tickets.Escalate(ctx, tx, tk.ID, 2, staff(f.manager), "", now)
	})
	wantKind(t, err, apperr.Conflict, tickets.ErrNotOpen)
	tk = f.move(t, tk, tickets.StatusClosed, staff(f.tech), now.Add(2*time.Hour))
	err = f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		_, _, err := tickets.AddMessage(ctx, tx, tk.ID, clientActor(f.alice), false, "merci", now)
		return err
	})
	wantKind(t, err, apperr.Conflict, tickets.ErrClosed)
}

func TestMessages(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	now := at(t, "2026-03-09 10:00")
	tk := f.open(t, f.input(), clientActor(f.alice), now)
	add := func(actor tickets.Actor, internal bool, body string) error {
		return f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			_, resumed, err := tickets.AddMessage(ctx, tx, tk.ID, actor, internal, body, now)
			if resumed {
				t.Errorf("a ticket not waiting resumed")
			}
			return err
		})
	}
	if err := add(staff(f.tech), false, "Nous regardons."); err != nil {
		t.Fatal(err)
	}
	if err := add(staff(f.tech), true, "Le client a encore changé son mot de passe FTP."); err != nil {
		t.Fatal(err)
	}
	if err := add(clientActor(f.bob), false, "<script>alert(1)</script> merci"); err != nil {
		t.Fatal(err)
	}
	wantKind(t, add(clientActor(f.bob), true, "note"), apperr.Forbidden, "")
	wantField(t, add(clientActor(f.bob), false, "  "), "body", "error.required")
	staffView, err := tickets.Messages(ctx, f.db.Bun, tk.ID, true)
	if err != nil || len(staffView) != 3 {
		t.Fatalf("staff sees %d messages, %v", len(staffView), err)
	}
	clientView, err := tickets.Messages(ctx, f.db.Bun, tk.ID, false)
	if err != nil || len(clientView) != 2 || clientView[1].FromStaff || clientView[1].AuthorLabel != "Bob Martin" || clientView[1].Body != "<script>alert(1)</script> merci" {
		t.Fatalf("client sees %+v, %v", clientView, err)
	}
	for _, m := range clientView {
		if m.Internal {
			t.Error("the portal sees an internal note")
		}
	}
}

func TestListForClient(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	base := at(t, "2026-03-09 10:00")
	var all []*tickets.Ticket
	for i := range 5 {
		in := f.input()
		actor := clientActor(f.alice)
		if i%2 == 1 {
			in.ReporterID, actor = f.bob.ID, clientActor(f.bob)
		}
		all = append(all, f.open(t, in, actor, base.Add(time.Duration(i)*time.Minute)))
	}
	f.open(t, tickets.OpenInput{ClientID: f.other, Title: "Autre", Description: "x", Priority: sla.Low, Channel: tickets.ChannelPortal, ReporterID: f.eve.ID}, clientActor(f.eve), base)
	f.move(t, all[0], tickets.StatusAcknowledged, staff(f.tech), base.Add(time.Hour))
	tk, _ := tickets.Get(ctx, f.db.Bun, all[0].ID)
	f.move(t, tk, tickets.StatusResolved, staff(f.tech), base.Add(2*time.Hour))

	numbers := func(p *tickets.Page) []int {
		var out []int
		for _, tk := range p.Tickets {
			out = append(out, tk.Number)
		}
		return out
	}
	list := func(fl tickets.ClientFilter) *tickets.Page {
		t.Helper()
		p, err := tickets.ListForClient(ctx, f.db.Bun, f.client, fl)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := list(tickets.ClientFilter{Limit: 2})
	if got := numbers(p); !slices.Equal(got, []int{5, 4}) || p.Next == "" {
		t.Fatalf("page 1 = %v next %q", got, p.Next)
	}
	p = list(tickets.ClientFilter{Limit: 2, After: p.Next})
	p2 := list(tickets.ClientFilter{Limit: 2, After: p.Next})
	if got := append(numbers(p), numbers(p2)...); !slices.Equal(got, []int{3, 2, 1}) || p2.Next != "" {
		t.Fatalf("pages 2-3 = %v next %q", got, p2.Next)
	}
	if got := numbers(list(tickets.ClientFilter{Group: tickets.GroupOpen})); !slices.Equal(got, []int{5, 4, 3, 2}) {
		t.Errorf("open = %v", got)
	}
	if got := numbers(list(tickets.ClientFilter{Group: tickets.GroupClosed})); !slices.Equal(got, []int{1}) {
		t.Errorf("closed = %v", got)
	}
	if got := numbers(list(tickets.ClientFilter{Mine: true, UserID: f.bob.ID})); !slices.Equal(got, []int{4, 2}) {
		t.Errorf("mine = %v", got)
	}
	counts, err := tickets.OpenCountsBySLA(ctx, f.db.Bun, f.client, base)
	if err != nil || counts[tickets.SLAOnTime] != 4 || len(counts) != 1 {
		t.Errorf("open counts = %v, %v", counts, err)
	}
}

func TestQueue(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	base := at(t, "2026-03-09 09:00")
	open := func(p sla.Priority, minutes int, client uuid.UUID, title string) *tickets.Ticket {
		in := f.input()
		in.Priority, in.Title = p, title
		if client == f.other {
			in = tickets.OpenInput{ClientID: f.other, ContractID: f.otherContract.ID, Title: title, Description: "x", Priority: p, Channel: tickets.ChannelEmail, ReporterLabel: "Ève"}
		}
		return f.open(t, in, staff(f.manager), base.Add(time.Duration(minutes)*time.Minute))
	}
	low := open(sla.Low, 0, f.client, "Question sur les sauvegardes") // reaction due 17:00
	crit := open(sla.Critical, 10, f.client, "Site en panne")         // 10:10
	high := open(sla.High, 20, f.other, "Imprimante")                 // 11:20
	normal := open(sla.Normal, 30, f.client, "Lenteurs")              // 13:30
	waiting := open(sla.Critical, 40, f.other, "Messagerie")          // paused below
	noSLA := f.open(t, func() tickets.OpenInput {
		in := f.input()
		in.ContractID, in.ServiceLabel, in.Priority, in.Title = uuid.Nil, "", sla.Low, "Hors contrat"
		return in
	}(), staff(f.manager), base.Add(-time.Minute))
	waiting = f.move(t, waiting, tickets.StatusAcknowledged, staff(f.tech), base.Add(45*time.Minute))
	waiting = f.move(t, waiting, tickets.StatusWaitingClient, staff(f.tech), base.Add(50*time.Minute))
	f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := tickets.Assign(ctx, tx, high.ID, f.tech.ID, staff(f.manager), high.Version, base)
		return err
	})
	queue := func(fl tickets.QueueFilter) []string {
		t.Helper()
		p, err := tickets.Queue(ctx, f.db.Bun, fl)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tk := range p.Tickets {
			out = append(out, tk.Title)
			if tk.ClientName == "" {
				t.Errorf("%s: no client name", tk.Title)
			}
		}
		return out
	}
	title := func(ts ...*tickets.Ticket) []string {
		var out []string
		for _, tk := range ts {
			out = append(out, tk.Title)
		}
		return out
	}
	if got, want := queue(tickets.QueueFilter{}), title(crit, high, normal, low, noSLA, waiting); !slices.Equal(got[:4], want[:4]) || len(got) != 6 {
		t.Errorf("by deadline = %v, want %v then the tickets without deadline", got, want)
	}
	// Keyset pages of 2 cover the same order.
	var paged []string
	for after, i := "", 0; i < 5; i++ {
		p, err := tickets.Queue(ctx, f.db.Bun, tickets.QueueFilter{Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range p.Tickets {
			paged = append(paged, tk.Title)
		}
		if after = p.Next; after == "" {
			break
		}
	}
	if all := queue(tickets.QueueFilter{}); !slices.Equal(paged, all) {
		t.Errorf("paged = %v, want %v", paged, all)
	}
	if got, want := queue(tickets.QueueFilter{Sort: tickets.SortNewest}), title(waiting, normal, high, crit, low, noSLA); !slices.Equal(got, want) {
		t.Errorf("newest = %v, want %v", got, want)
	}
	newest, err := tickets.Queue(ctx, f.db.Bun, tickets.QueueFilter{Sort: tickets.SortNewest, Limit: 4})
	if err != nil || newest.Next == "" {
		t.Fatal(err)
	}
	rest, err := tickets.Queue(ctx, f.db.Bun, tickets.QueueFilter{Sort: tickets.SortNewest, Limit: 4, After: newest.Next})
	if err != nil || len(rest.Tickets) != 2 {
		t.Errorf("newest page 2: %d, %v", len(rest.Tickets), err)
	}
	if got := queue(tickets.QueueFilter{Statuses: []tickets.Status{tickets.StatusWaitingClient}}); !slices.Equal(got, title(waiting)) {
		t.Errorf("waiting = %v", got)
	}
	if got := queue(tickets.QueueFilter{Priority: sla.Critical}); !slices.Equal(got, title(crit, waiting)) {
		t.Errorf("critical = %v", got)
	}
	if got := queue(tickets.QueueFilter{ClientID: f.other}); !slices.Equal(got, title(high, waiting)) {
		t.Errorf("other client = %v", got)
	}
	if got := queue(tickets.QueueFilter{AssigneeID: f.tech.ID}); !slices.Equal(got, title(high)) {
		t.Errorf("assigned to the technician = %v", got)
	}
	if got := queue(tickets.QueueFilter{Unassigned: true}); len(got) != 5 {
		t.Errorf("unassigned = %v", got)
	}
	if got := queue(tickets.QueueFilter{Search: crit.Reference()}); !slices.Equal(got, title(crit)) {
		t.Errorf("search %s = %v", crit.Reference(), got)
	}
	if got := queue(tickets.QueueFilter{Search: "durand"}); !slices.Equal(got, title(high, waiting)) {
		t.Errorf("search client = %v", got)
	}
	if got := queue(tickets.QueueFilter{Search: "100%_"}); len(got) != 0 {
		t.Errorf("wildcards match literally: %v", got)
	}
	// At 10:05 the critical ticket is at risk (reaction due 10:10, risk from 9:55).
	if got := queue(tickets.QueueFilter{SLA: tickets.SLAAtRisk, Now: base.Add(65 * time.Minute)}); !slices.Equal(got, title(crit)) {
		t.Errorf("at risk at 10:05 = %v", got)
	}
	if got := queue(tickets.QueueFilter{SLA: tickets.SLABreached, Now: base.Add(75 * time.Minute)}); !slices.Equal(got, title(crit)) {
		t.Errorf("breached at 10:15 = %v", got)
	}
	// The SQL filter and Ticket.SLAAt agree for every ticket at every instant.
	var ids []uuid.UUID
	for _, tk := range []*tickets.Ticket{low, crit, high, normal, waiting, noSLA} {
		ids = append(ids, tk.ID)
	}
	for now := base.Add(-time.Hour); now.Before(base.Add(30 * time.Hour)); now = now.Add(20 * time.Minute) {
		counts, err := tickets.OpenCountsBySLA(ctx, f.db.Bun, uuid.Nil, now)
		if err != nil {
			t.Fatal(err)
		}
		want := map[tickets.SLAState]int{}
		for _, id := range ids {
			tk, _ := tickets.Get(ctx, f.db.Bun, id)
			state := tk.SLAAt(now).State
			want[state]++
			p, err := tickets.Queue(ctx, f.db.Bun, tickets.QueueFilter{SLA: state, Now: now, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(p.Tickets, func(x *tickets.Ticket) bool { return x.ID == id }) {
				t.Errorf("%v: %s is %s for Go but not for SQL", now.In(paris), tk.Title, state)
			}
		}
		for s, n := range want {
			if counts[s] != n {
				t.Errorf("%v: counts = %v, want %v", now.In(paris), counts, want)
				break
			}
		}
	}
	// The escalation job's query: the critical ticket from 9:55, then the others as they come.
	risky, err := tickets.AtRisk(ctx, f.db.Bun, base.Add(65*time.Minute), 1, 10)
	if err != nil || !slices.Equal(title(risky...), title(crit)) {
		t.Errorf("at risk = %v, %v", title(risky...), err)
	}
	risky, err = tickets.AtRisk(ctx, f.db.Bun, base.Add(65*time.Minute), 0, 10)
	if err != nil || len(risky) != 0 {
		t.Errorf("at risk below level 0 = %v", title(risky...))
	}
}

// TestConcurrentTransition has two staff members acknowledge the same ticket at once with the same
// version: exactly one wins, the other gets a Conflict.
func TestConcurrentTransition(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for round := range 5 {
		tk := f.open(t, f.input(), clientActor(f.alice), at(t, "2026-03-09 10:00"))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, u := range []*accounts.User{f.manager, f.tech} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
					_, err := tickets.Transition(ctx, tx, tk.ID, tickets.StatusAcknowledged, staff(u), "", tk.Version, at(t, "2026-03-09 10:05"))
					return err
				})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict || e.Message != tickets.ErrStale {
				t.Errorf("round %d: loser got %v", round, err)
			}
		}
		if wins != 1 {
			t.Errorf("round %d: %d winners", round, wins)
		}
		es, _ := tickets.Events(ctx, f.db.Bun, tk.ID)
		if len(es) != 2 {
			t.Errorf("round %d: %d history entries, want 2", round, len(es))
		}
	}
}

func TestContractChoices(t *testing.T) {
	f := setup(t)
	cs, err := tickets.ContractChoices(context.Background(), f.db.Bun, f.client, at(t, "2026-03-09 10:00"), paris)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, c := range cs {
		refs = append(refs, c.Reference)
		if len(c.Services) != 2 || tickets.ServiceLabelOf(c.Services[0]) != "boulangerie-martin.fr" {
			t.Errorf("services = %+v", c.Services)
		}
	}
	slices.Sort(refs)
	want := []string{f.contract.Reference, f.noSLA.Reference}
	slices.Sort(want)
	if !slices.Equal(refs, want) {
		t.Errorf("choices = %v, want %v (no draft)", refs, want)
	}
	choices, err := tickets.AssigneeChoices(context.Background(), f.db.Bun)
	if err != nil || len(choices) != 2 || choices[0].Name != "Clément Garcia" {
		t.Errorf("assignees = %+v, %v", choices, err)
	}
	if _, err := tickets.ContractChoices(context.Background(), f.db.Bun, uuid.Nil, time.Now(), nil); err != nil {
		t.Error(err)
	}
}
