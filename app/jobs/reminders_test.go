package jobs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// deadlineFixture is a database with two active managers (one reading English), an inactive
// manager and a technician (neither gets mail), a client and a service-level policy.
type deadlineFixture struct {
	db       *database.DB
	clock    *testutil.Clock
	worker   *jobs.ContractDeadlinesWorker
	client   uuid.UUID
	policy   uuid.UUID
	managers map[string]uuid.UUID // email → id of the managers who get mail
}

func newDeadlineFixture(t *testing.T, at time.Time) *deadlineFixture {
	t.Helper()
	ctx := context.Background()
	db := testutil.DB(t)
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := mailViews(cat)
	if err != nil {
		t.Fatal(err)
	}
	f := &deadlineFixture{db: db, clock: testutil.NewClock(at), managers: map[string]uuid.UUID{}}
	f.worker = &jobs.ContractDeadlinesWorker{
		DB: db, Now: f.clock.Now, Location: paris, Composer: &mail.Composer{Views: set, Catalogue: cat},
		Outbox: &mail.Outbox{}, BaseURL: "http://maintenant.test", Logger: quiet,
	}
	for _, u := range []struct {
		email, role, lang string
		active            bool
	}{
		{"sophie@asevo.test", "manager", "fr", true},
		{"alex@asevo.test", "manager", "en", true},
		{"former@asevo.test", "manager", "fr", false},
		{"karim@asevo.test", "technician", "fr", true},
	} {
		id := uuid.Must(uuid.NewV7())
		if _, err := db.Bun.ExecContext(ctx, `INSERT INTO users (id, kind, email, name, role, language, active) VALUES (?, 'staff', ?, ?, ?, ?, ?)`,
			id, u.email, strings.Split(u.email, "@")[0], u.role, u.lang, u.active); err != nil {
			t.Fatal(err)
		}
		if u.role == "manager" && u.active {
			f.managers[u.email] = id
		}
	}
	cl := &clients.Client{Name: "Boulangerie Martin"}
	if err := clients.Create(ctx, db.Bun, cl, at); err != nil {
		t.Fatal(err)
	}
	f.client = cl.ID
	f.policy = uuid.Must(uuid.NewV7())
	if _, err := db.Bun.ExecContext(ctx, `INSERT INTO sla_policies (id, name, hours, created_at, updated_at)
		VALUES (?, 'Standard', '{"monday": ["09:00-18:00"]}', ?, ?)`, f.policy, at, at); err != nil {
		t.Fatal(err)
	}
	for i, pr := range []string{"critical", "high", "normal", "low"} {
		if _, err := db.Bun.ExecContext(ctx, `INSERT INTO sla_targets VALUES (?, ?, ?, ?)`, f.policy, pr, 60*(i+1), 240*(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// contract writes an active contract starting on start for initial months, renewed by renewal
// months with notice months of notice.
func (f *deadlineFixture) contract(t *testing.T, start string, initial, renewal, notice int) *contracts.Contract {
	t.Helper()
	d, err := time.Parse(time.DateOnly, start)
	if err != nil {
		t.Fatal(err)
	}
	c := &contracts.Contract{ClientID: f.client}
	v := &contracts.Version{
		Title: "Maintenance du site", Services: []contracts.Service{{Kind: contracts.ServiceWebsite, Description: "boulangerie-martin.fr"}},
		StartDate: d, InitialMonths: initial, RenewalMonths: renewal, NoticeMonths: notice,
		FeeCents: 9900, BillingPeriod: contracts.BillingMonthly, SLAPolicyID: uuid.NullUUID{UUID: f.policy, Valid: true},
	}
	err = f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		if err := contracts.Create(ctx, tx, c, v, uuid.Nil, f.clock.Now()); err != nil {
			return err
		}
		_, _, err := contracts.Transition(ctx, tx, c.ID, contracts.StatusActive, "", c.Version, f.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *deadlineFixture) run(t *testing.T) jobs.DeadlinesRun {
	t.Helper()
	r, err := f.worker.Run(context.Background())
	if err != nil {
		t.Fatalf("run on %s: %v", f.clock.Now().In(paris).Format(time.DateTime), err)
	}
	return r
}

// outboxMail is a deadline mail in the outbox.
type outboxMail struct {
	To, Subject, Text, Key string
	Day                    string // the day it was written, in Paris
}

func (f *deadlineFixture) mails(t *testing.T) []outboxMail {
	t.Helper()
	var ms []mail.Message
	if err := f.db.Bun.NewSelect().Model(&ms).Where("kind = 'contract_deadline'").OrderExpr("created_at, to_address").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := make([]outboxMail, len(ms))
	for i, m := range ms {
		out[i] = outboxMail{To: m.ToAddress, Subject: m.Subject, Text: m.TextBody, Day: m.CreatedAt.In(paris).Format(time.DateOnly)}
		if m.DedupeKey != nil {
			out[i].Key = *m.DedupeKey
		}
	}
	return out
}

// Day after day from June to October, the contract's managers get the 90-, 30- and 7-day reminders of
// the last day to give notice (30/09/2026), then the 90-day reminder of the renewal (01/01/2027):
// each once, on its day, in their language; running the job twice a day changes nothing.
func TestDeadlineRemindersOverTime(t *testing.T) {
	f := newDeadlineFixture(t, time.Date(2026, 6, 1, 6, 0, 0, 0, paris))
	c := f.contract(t, "2026-01-01", 12, 12, 3)
	var days []string
	for f.clock.Now().Before(time.Date(2026, 10, 6, 0, 0, 0, 0, paris)) {
		first := f.run(t)
		if again := f.run(t); again.Mails != 0 || again.Reminders != 0 {
			t.Fatalf("second run on %s sent %d mails", f.clock.Now().Format(time.DateOnly), again.Mails)
		}
		if first.Reminders > 0 {
			days = append(days, f.clock.Now().In(paris).Format(time.DateOnly))
		}
		f.clock.Advance(24 * time.Hour)
	}
	if got, want := strings.Join(days, " "), "2026-07-02 2026-08-31 2026-09-23 2026-10-03"; got != want {
		t.Errorf("reminders sent on %s, want %s", got, want)
	}
	ms := f.mails(t)
	if len(ms) != 8 {
		t.Fatalf("%d mails, want 4 reminders × 2 active managers", len(ms))
	}
	perManager := map[string]int{}
	keys := map[string]bool{}
	for _, m := range ms {
		perManager[m.To]++
		if keys[m.Key] || !strings.HasPrefix(m.Key, "contract-reminder:") || !strings.HasSuffix(m.Key, ":"+f.managers[m.To].String()) {
			t.Errorf("mail to %s has dedupe key %q", m.To, m.Key)
		}
		keys[m.Key] = true
		if !strings.Contains(m.Text, "http://maintenant.test/admin/contracts/"+c.ID.String()) {
			t.Errorf("mail to %s lacks the contract link:\n%s", m.To, m.Text)
		}
	}
	if perManager["sophie@asevo.test"] != 4 || perManager["alex@asevo.test"] != 4 || len(perManager) != 2 {
		t.Errorf("mails per recipient %v, want 4 to each active manager and none to others", perManager)
	}
	first := ms[0]
	if first.To != "alex@asevo.test" {
		first = ms[1]
	}
	if want := "Contract " + c.Reference + " (Boulangerie Martin): Last day to give notice on 30/09/2026"; first.Subject != want {
		t.Errorf("English subject %q, want %q", first.Subject, want)
	}
	fr := ms[len(ms)-1]
	if fr.To != "sophie@asevo.test" {
		fr = ms[len(ms)-2]
	}
	if want := "Échéance du contrat " + c.Reference + " (Boulangerie Martin) : Prochaine reconduction le 01/01/2027"; fr.Subject != want {
		t.Errorf("French subject %q, want %q", fr.Subject, want)
	}
	if !strings.Contains(fr.Text, "Prochaine reconduction : 01/01/2027 (dans 90 jours)") && !strings.Contains(fr.Text, "Prochaine reconduction\u00a0: 01/01/2027 (dans 90 jours)") {
		t.Errorf("French text lacks the deadline and its distance:\n%s", fr.Text)
	}
}

// "Today" is the provider's: at 00:30 in Paris (22:30 UTC the day before) the 90-day reminder of
// 30/09/2026 is due.
func TestDeadlineRemindersUseProviderDay(t *testing.T) {
	f := newDeadlineFixture(t, time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC))
	f.contract(t, "2026-01-01", 12, 12, 3)
	if r := f.run(t); r.Reminders != 1 || r.Mails != 2 {
		t.Errorf("at 00:30 Paris on 02/07: %+v, want the 90-day reminder to two managers", r)
	}
}

// A contract activated 20 days before its last day to give notice gets the 30-day reminder, never the
// 90-day one, and later the 7-day one.
func TestDeadlineRemindersSkipLongerLeads(t *testing.T) {
	f := newDeadlineFixture(t, time.Date(2026, 9, 10, 7, 0, 0, 0, paris))
	f.contract(t, "2026-01-01", 12, 12, 3)
	if r := f.run(t); r.Reminders != 1 || r.Mails != 2 {
		t.Errorf("first run: %+v, want one reminder to two managers", r)
	}
	f.clock.Advance(13 * 24 * time.Hour) // 23/09
	if r := f.run(t); r.Reminders != 1 {
		t.Errorf("on 23/09: %+v, want the 7-day reminder", r)
	}
	f.clock.Advance(8 * 24 * time.Hour) // 01/10: notice passed, renewal in 92 days
	if r := f.run(t); r.Reminders != 0 {
		t.Errorf("on 01/10: %+v, want nothing", r)
	}
	var subjects []string
	for _, m := range f.mails(t) {
		if m.To == "sophie@asevo.test" {
			subjects = append(subjects, m.Day)
		}
	}
	if got := strings.Join(subjects, " "); got != "2026-09-10 2026-09-23" {
		t.Errorf("mails to one manager on %s, want 2026-09-10 2026-09-23", got)
	}
	var leads []int
	if err := f.db.Bun.NewRaw("SELECT lead_days FROM contract_reminders ORDER BY lead_days DESC").Scan(context.Background(), &leads); err != nil {
		t.Fatal(err)
	}
	if len(leads) != 3 || leads[0] != 90 {
		t.Errorf("recorded lead times %v, want 90 (recorded, not sent), 30 and 7", leads)
	}
}

// Two instances running the job at the same moment send each reminder once.
func TestDeadlineRemindersConcurrentRuns(t *testing.T) {
	f := newDeadlineFixture(t, time.Date(2026, 7, 2, 6, 0, 0, 0, paris))
	for i := 0; i < 5; i++ {
		f.contract(t, "2026-01-01", 12, 12, 3)
	}
	var wg sync.WaitGroup
	runs := make([]jobs.DeadlinesRun, 4)
	errs := make([]error, 4)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i], errs[i] = f.worker.Run(context.Background())
		}()
	}
	wg.Wait()
	total := 0
	for i, r := range runs {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		total += r.Mails
	}
	if n := len(f.mails(t)); total != 10 || n != 10 {
		t.Errorf("%d mails counted, %d in the outbox; want 5 contracts × 2 managers, once", total, n)
	}
}

// Contracts whose end has passed are marked expired by the system, with an audit entry; running
// ones whose end is ahead stay.
func TestDeadlineExpiry(t *testing.T) {
	f := newDeadlineFixture(t, time.Date(2026, 5, 31, 7, 0, 0, 0, paris))
	ctx := context.Background()
	fixed := f.contract(t, "2025-12-01", 6, 0, 0) // ends 31/05/2026
	noticed := f.contract(t, "2025-01-01", 12, 12, 3)
	if _, _, err := contracts.RecordNotice(ctx, f.db.Bun, noticed.ID, uuid.Nil, "Lettre", "", f.clock.Now(), contracts.Day(f.clock.Now().In(paris))); err != nil {
		t.Fatal(err) // in time for the renewal of 01/01/2027: ends 31/12/2026
	}
	renewing := f.contract(t, "2025-01-01", 12, 12, 3)

	if r := f.run(t); r.Expired != 0 {
		t.Errorf("on the last day: %d expired, want 0", r.Expired)
	}
	f.clock.Advance(24 * time.Hour) // 01/06/2026
	if r := f.run(t); r.Expired != 1 {
		t.Errorf("the day after: %d expired, want 1", r.Expired)
	}
	if r := f.run(t); r.Expired != 0 {
		t.Errorf("second run: %d expired, want 0", r.Expired)
	}
	got, err := contracts.Get(ctx, f.db.Bun, fixed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != contracts.StatusExpired || got.StatusReason != "Échéance atteinte" {
		t.Errorf("fixed-term contract: %s %q, want expired with the reason", got.Status, got.StatusReason)
	}
	for _, id := range []uuid.UUID{noticed.ID, renewing.ID} {
		if c, _ := contracts.Get(ctx, f.db.Bun, id); c.Status != contracts.StatusActive {
			t.Errorf("%s is %s, want still active", c.Reference, c.Status)
		}
	}
	var n int
	if err := f.db.Bun.NewRaw(`SELECT count(*) FROM audit_log WHERE action = 'contract.status_changed' AND actor_label = 'system'
		AND actor_id IS NULL AND target_id = ? AND details->>'to' = 'expired' AND details->>'from' = 'active'`, fixed.ID.String()).Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d audit entries for the expiry, want 1 by the system", n)
	}
	// The notice's end, 31/12/2026, passes too.
	f.clock.Advance(214 * 24 * time.Hour) // 01/01/2027
	if r := f.run(t); r.Expired != 1 {
		t.Errorf("on 01/01/2027: %d expired, want the contract under notice", r.Expired)
	}
}

// The client built with a composer runs the deadlines job as soon as it starts.
func TestDeadlinesJobRunsOnStart(t *testing.T) {
	f := newDeadlineFixture(t, time.Date(2026, 6, 1, 7, 0, 0, 0, paris))
	fixed := f.contract(t, "2025-11-01", 6, 0, 0) // ended 30/04/2026
	client, err := jobs.New(jobs.Config{DB: f.db, Now: f.clock.Now, Logger: quiet, Work: true,
		Location: paris, Composer: f.worker.Composer, Outbox: &mail.Outbox{}, BaseURL: "http://maintenant.test"})
	if err != nil {
		t.Fatal(err)
	}
	start(t, client)
	deadline := time.Now().Add(wait)
	for {
		c, err := contracts.Get(context.Background(), f.db.Bun, fixed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status == contracts.StatusExpired {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the contract is %s: the deadlines job did not run", wait, c.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
