package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/clients"
	"maintenant/app/contracts"
	"maintenant/app/i18n"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/policy"
	"maintenant/app/testutil"
)

func policyComposer(t *testing.T) *mail.Composer {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := mailViews(cat)
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Composer{Views: set, Catalogue: cat}
}

// TestPolicyEffectiveAnnouncedOnce publishes a revision effective on 01/12/2026: nothing is sent
// before that day; on the day every active client user gets one mail (an inactive one and staff
// none); running again, or the day after, sends nothing more.
func TestPolicyEffectiveAnnouncedOnce(t *testing.T) {
	ctx := context.Background()
	db := testutil.DB(t)
	clock := testutil.NewClock(time.Date(2026, 11, 22, 7, 0, 0, 0, paris))
	w := &jobs.PolicyEffectiveWorker{DB: db, Now: clock.Now, Location: paris, Composer: policyComposer(t),
		Outbox: &mail.Outbox{}, BaseURL: "http://maintenant.test", Logger: quiet}
	cl := &clients.Client{Name: "Boulangerie Martin"}
	if err := clients.Create(ctx, db.Bun, cl, clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*accounts.User{
		{Kind: accounts.Client, Role: accounts.Admin, ClientID: uuid.NullUUID{UUID: cl.ID, Valid: true}, Email: "paul@boulangerie.test", Name: "Paul", Active: true, Language: "fr"},
		{Kind: accounts.Client, Role: accounts.Member, ClientID: uuid.NullUUID{UUID: cl.ID, Valid: true}, Email: "anna@boulangerie.test", Name: "Anna", Active: true, Language: "en"},
		{Kind: accounts.Client, Role: accounts.Member, ClientID: uuid.NullUUID{UUID: cl.ID, Valid: true}, Email: "old@boulangerie.test", Name: "Old", Active: false, Language: "fr"},
		{Kind: accounts.Staff, Role: accounts.Manager, Email: "sophie@asevo.test", Name: "Sophie", Active: true, Language: "fr"},
	} {
		if err := accounts.CreateUser(ctx, db.Bun, u, clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	d := policy.Draft{Title: "Politique de maintenance", Sections: map[policy.Section]string{policy.SectionPurpose: "Objet."}}
	v1, err := policy.Publish(ctx, db.Bun, uuid.Nil, d, policy.Publication{ApproverName: "C. Garcia", ApprovedOn: day("2026-01-05"), EffectiveOn: day("2026-01-15")}, 0, uuid.Nil, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := policy.MarkNotified(ctx, db.Bun, v1.No, clock.Now()); err != nil {
		t.Fatal(err)
	}
	d.ChangeSummary = "Délais précisés."
	if _, err := policy.Publish(ctx, db.Bun, uuid.Nil, d, policy.Publication{ApproverName: "C. Garcia", ApprovedOn: day("2026-11-20"), EffectiveOn: day("2026-12-01")}, 0, uuid.Nil, clock.Now()); err != nil {
		t.Fatal(err)
	}
	mails := func() []string {
		var s []string
		if err := db.Bun.NewRaw("SELECT to_address || ' ' || subject FROM outbox_messages WHERE kind = 'policy_effective' ORDER BY 1").Scan(ctx, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if n, err := w.Run(ctx); err != nil || n != 0 {
		t.Fatalf("before the effective date: %d mails (%v)", n, err)
	}
	clock.Advance(9 * 24 * time.Hour) // 01/12/2026 07:00
	if n, err := w.Run(ctx); err != nil || n != 2 {
		t.Fatalf("on the effective date: %d mails (%v)", n, err)
	}
	got := mails()
	if len(got) != 2 || !strings.HasPrefix(got[0], "anna@boulangerie.test New maintenance policy in force on 01/12/2026") ||
		!strings.HasPrefix(got[1], "paul@boulangerie.test Nouvelle politique de maintenance en vigueur le 01/12/2026") {
		t.Fatalf("mails %q", got)
	}
	if n, err := w.Run(ctx); err != nil || n != 0 {
		t.Fatalf("second run: %d mails (%v)", n, err)
	}
	clock.Advance(24 * time.Hour)
	if n, _ := w.Run(ctx); n != 0 || len(mails()) != 2 {
		t.Fatalf("the day after: %d mails", n)
	}
}

// TestReviewReminders reminds the manager of a review due in 30 days once, then at 7 days.
func TestReviewReminders(t *testing.T) {
	ctx := context.Background()
	db := testutil.DB(t)
	clock := testutil.NewClock(time.Date(2026, 11, 22, 7, 0, 0, 0, paris))
	w := &jobs.ReviewRemindersWorker{DB: db, Now: clock.Now, Location: paris, Composer: policyComposer(t),
		Outbox: &mail.Outbox{}, BaseURL: "http://maintenant.test", Logger: quiet}
	cl := &clients.Client{Name: "Cabinet Durand Avocats"}
	if err := clients.Create(ctx, db.Bun, cl, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := accounts.CreateUser(ctx, db.Bun, &accounts.User{Kind: accounts.Staff, Role: accounts.Manager, Email: "sophie@asevo.test", Name: "Sophie", Active: true, Language: "fr"}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	var policyID uuid.UUID
	if err := db.Bun.NewRaw(`INSERT INTO sla_policies (id, name, hours, created_at, updated_at) VALUES (?, 'Bureaux', '{"monday": ["09:00-18:00"]}', now(), now()) RETURNING id`,
		uuid.Must(uuid.NewV7())).Scan(ctx, &policyID); err != nil {
		t.Fatal(err)
	}
	start, _ := time.Parse(time.DateOnly, "2025-12-22") // reviewed yearly: due 22/12/2026, in 30 days
	c := &contracts.Contract{ClientID: cl.ID}
	v := &contracts.Version{Title: "Parc informatique", Services: []contracts.Service{{Kind: contracts.ServiceWorkstations, Description: "Postes"}},
		StartDate: start, InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3, FeeCents: 1000, BillingPeriod: contracts.BillingMonthly,
		SLAPolicyID: uuid.NullUUID{UUID: policyID, Valid: true}}
	if err := contracts.Create(ctx, db.Bun, c, v, uuid.Nil, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := contracts.Transition(ctx, db.Bun, c.ID, contracts.StatusActive, "", 1, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := contracts.SetReviewInterval(ctx, db.Bun, c.ID, 12, 2, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Run(ctx); err != nil || n != 1 {
		t.Fatalf("30 days ahead: %d mails (%v)", n, err)
	}
	if n, _ := w.Run(ctx); n != 0 {
		t.Fatalf("second run: %d mails", n)
	}
	clock.Advance(23 * 24 * time.Hour) // 15/12: 7 days ahead
	if n, _ := w.Run(ctx); n != 1 {
		t.Fatalf("7 days ahead: %d mails", n)
	}
	var subject string
	if err := db.Bun.NewRaw("SELECT subject FROM outbox_messages WHERE kind = 'review_due' ORDER BY created_at DESC LIMIT 1").Scan(ctx, &subject); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(subject, "22/12/2026") || !strings.Contains(subject, "Cabinet Durand Avocats") {
		t.Fatalf("subject %q", subject)
	}
}
