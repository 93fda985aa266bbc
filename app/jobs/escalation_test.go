package jobs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/sla"
	"maintenant/app/tickets"
)

// escalationFixture adds to the deadline fixture (two active managers, an inactive one, the
// technician karim; a policy open on Mondays 09:00-18:00 with a critical reaction of 1 h and
// resolution of 4 h) a running contract and the escalation worker.
type escalationFixture struct {
	*deadlineFixture
	contract uuid.UUID
	karim    uuid.UUID
	esc      *jobs.TicketEscalationWorker
}

func newEscalationFixture(t *testing.T, at time.Time) *escalationFixture {
	t.Helper()
	f := &escalationFixture{deadlineFixture: newDeadlineFixture(t, at)}
	f.contract = f.deadlineFixture.contract(t, "2026-01-01", 12, 12, 3).ID
	if err := f.db.Bun.NewRaw("SELECT id FROM users WHERE email = 'karim@asevo.test'").Scan(context.Background(), &f.karim); err != nil {
		t.Fatal(err)
	}
	w := f.worker
	f.esc = &jobs.TicketEscalationWorker{DB: f.db, Now: f.clock.Now, Location: paris, Composer: w.Composer,
		Outbox: &mail.Outbox{}, BaseURL: "http://maintenant.test", Logger: quiet}
	return f
}

var staffActor = tickets.StaffActor(audit.Actor{Label: "sophie@asevo.test"}, "Sophie")

// open reports a critical fault now, assigned to karim when assign.
func (f *escalationFixture) open(t *testing.T, assign bool) *tickets.Ticket {
	t.Helper()
	var tk *tickets.Ticket
	err := f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		var err error
		tk, err = tickets.Open(ctx, tx, tickets.OpenInput{
			ClientID: f.client, ContractID: f.contract, Title: "Caisse bloquée", Description: "Plus rien ne s'affiche.",
			Priority: sla.Critical, Channel: tickets.ChannelPhone, ReporterLabel: "Marie Martin",
		}, staffActor, f.clock.Now(), paris)
		if err != nil || !assign {
			return err
		}
		tk, err = tickets.Assign(ctx, tx, tk.ID, f.karim, staffActor, tk.Version, f.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (f *escalationFixture) run(t *testing.T) jobs.EscalationRun {
	t.Helper()
	r, err := f.esc.Run(context.Background())
	if err != nil {
		t.Fatalf("run at %s: %v", f.clock.Now().In(paris).Format(time.DateTime), err)
	}
	return r
}

// escalationMails returns the escalation mails: recipient → subjects, and every dedupe key.
func (f *escalationFixture) escalationMails(t *testing.T) (map[string][]string, []string) {
	t.Helper()
	var ms []mail.Message
	if err := f.db.Bun.NewSelect().Model(&ms).Where("kind = 'ticket_escalation'").OrderExpr("created_at, to_address").
		Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	to := map[string][]string{}
	var keys []string
	for _, m := range ms {
		to[m.ToAddress] = append(to[m.ToAddress], m.Subject)
		keys = append(keys, *m.DedupeKey)
	}
	return to, keys
}

func (f *escalationFixture) level(t *testing.T, id uuid.UUID) int {
	t.Helper()
	tk, err := tickets.Get(context.Background(), f.db.Bun, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk.EscalationLevel
}

// A critical ticket opened on Monday 09:00 is at risk from 09:45 (a quarter of its hour left) and
// overdue after 10:00: the managers and the assignee get one mail at each level, once.
func TestEscalationAtRiskThenBreached(t *testing.T) {
	f := newEscalationFixture(t, time.Date(2026, 3, 2, 9, 0, 0, 0, paris))
	tk := f.open(t, true)

	f.clock.Advance(30 * time.Minute) // 09:30: on time
	if r := f.run(t); r != (jobs.EscalationRun{}) {
		t.Fatalf("09:30: %+v", r)
	}
	f.clock.Advance(20 * time.Minute) // 09:50: at risk
	if r := f.run(t); r.AtRisk != 1 || r.Breached != 0 || r.Mails != 3 {
		t.Fatalf("09:50: %+v, want 1 at risk, 3 mails", r)
	}
	if got := f.level(t, tk.ID); got != 1 {
		t.Errorf("level %d, want 1", got)
	}
	to, _ := f.escalationMails(t)
	if len(to) != 3 || len(to["sophie@asevo.test"]) != 1 || len(to["alex@asevo.test"]) != 1 || len(to["karim@asevo.test"]) != 1 {
		t.Fatalf("mails %v, want one to each active manager and the assignee", to)
	}
	if s := to["sophie@asevo.test"][0]; !strings.HasPrefix(s, "["+tk.Reference()+"] Signalement à risque") {
		t.Errorf("French subject %q", s)
	}
	if s := to["alex@asevo.test"][0]; !strings.HasPrefix(s, "["+tk.Reference()+"] Fault report at risk") {
		t.Errorf("English subject %q", s)
	}

	f.clock.Advance(5 * time.Minute) // 09:55: nothing new
	if r := f.run(t); r != (jobs.EscalationRun{}) {
		t.Fatalf("09:55 rerun: %+v", r)
	}
	f.clock.Advance(10 * time.Minute) // 10:05: overdue
	if r := f.run(t); r.Breached != 1 || r.AtRisk != 0 || r.Mails != 3 {
		t.Fatalf("10:05: %+v, want 1 breached, 3 mails", r)
	}
	if r := f.run(t); r != (jobs.EscalationRun{}) {
		t.Fatalf("10:05 rerun: %+v", r)
	}
	if got := f.level(t, tk.ID); got != 2 {
		t.Errorf("level %d, want 2", got)
	}
	to, keys := f.escalationMails(t)
	if len(keys) != 6 {
		t.Fatalf("%d mails, want 6", len(keys))
	}
	if s := to["sophie@asevo.test"][1]; !strings.HasPrefix(s, "["+tk.Reference()+"] Délai dépassé") {
		t.Errorf("French subject %q", s)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] || !strings.HasPrefix(k, "ticket-escalation:"+tk.ID.String()+":") {
			t.Errorf("dedupe key %q", k)
		}
		seen[k] = true
	}
	if !seen["ticket-escalation:"+tk.ID.String()+":2:"+f.karim.String()] {
		t.Errorf("keys %v lack the assignee's level 2", keys)
	}
	evs, err := tickets.Events(context.Background(), f.db.Bun, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var esc []string
	for _, e := range evs {
		if e.Kind == tickets.EventEscalated {
			if !e.IsSystem() {
				t.Errorf("escalation by %q, want the system", e.ActorLabel)
			}
			esc = append(esc, e.From+"→"+e.To)
		}
	}
	if got := strings.Join(esc, " "); got != "0→1 1→2" {
		t.Errorf("escalation history %q", got)
	}
}

// A ticket found overdue before it was ever escalated goes to level 2 at once, with one mail per
// recipient; two instances running at the same time send each mail once.
func TestEscalationOverdueAtOnceAndConcurrentRuns(t *testing.T) {
	f := newEscalationFixture(t, time.Date(2026, 3, 2, 9, 0, 0, 0, paris))
	tk := f.open(t, false)
	f.clock.Advance(90 * time.Minute)
	var wg sync.WaitGroup
	runs := make([]jobs.EscalationRun, 2)
	errs := make([]error, 2)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = f.esc.Run(context.Background())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if b := runs[0].Breached + runs[1].Breached; b != 1 || runs[0].AtRisk+runs[1].AtRisk != 0 {
		t.Fatalf("runs %+v, want one escalation to level 2", runs)
	}
	to, keys := f.escalationMails(t)
	if len(keys) != 2 || len(to) != 2 {
		t.Fatalf("mails %v, want one to each manager (no assignee)", to)
	}
	if got := f.level(t, tk.ID); got != 2 {
		t.Errorf("level %d, want 2", got)
	}
}

// Resolved tickets are closed by the system 14 days after their resolution, unless reopened.
func TestAutoCloseResolved(t *testing.T) {
	f := newEscalationFixture(t, time.Date(2026, 3, 2, 9, 0, 0, 0, paris))
	ctx := context.Background()
	move := func(tk *tickets.Ticket, to tickets.Status) *tickets.Ticket {
		t.Helper()
		var out *tickets.Ticket
		if err := f.db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			var err error
			out, err = tickets.Transition(ctx, tx, tk.ID, to, staffActor, "", tk.Version, f.clock.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	done := move(move(f.open(t, false), tickets.StatusAcknowledged), tickets.StatusResolved)
	reopened := move(move(f.open(t, false), tickets.StatusAcknowledged), tickets.StatusResolved)
	f.clock.Advance(3 * 24 * time.Hour)
	move(reopened, tickets.StatusInProgress)

	f.clock.Advance(10 * 24 * time.Hour) // 13 days after the resolution
	if r := f.run(t); r.Closed != 0 {
		t.Fatalf("closed %d after 13 days", r.Closed)
	}
	f.clock.Advance(24*time.Hour + time.Minute)
	if r := f.run(t); r.Closed != 1 {
		t.Fatalf("closed %d after 14 days, want 1", r.Closed)
	}
	if r := f.run(t); r.Closed != 0 {
		t.Fatalf("rerun closed %d", r.Closed)
	}
	got, err := tickets.Get(ctx, f.db.Bun, done.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tickets.StatusClosed || got.ClosedAt.IsZero() {
		t.Errorf("resolved ticket is %s", got.Status)
	}
	other, _ := tickets.Get(ctx, f.db.Bun, reopened.ID)
	if other.Status != tickets.StatusInProgress {
		t.Errorf("reopened ticket is %s", other.Status)
	}
	evs, _ := tickets.Events(ctx, f.db.Bun, done.ID)
	if last := evs[len(evs)-1]; last.To != string(tickets.StatusClosed) || !last.IsSystem() {
		t.Errorf("last event %+v, want closed by the system", last)
	}
}
