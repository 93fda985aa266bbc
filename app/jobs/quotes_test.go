package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

// TestQuoteExpiry runs the daily quote job on 22/11/2026: a quote valid until 24/11 is recalled to
// the client's admin and approver (not to a plain member nor to an inactive user), once; a quote
// valid until 30/11 is not yet; one valid until 21/11 expires.
func TestQuoteExpiry(t *testing.T) {
	ctx := context.Background()
	db := testutil.DB(t)
	at := time.Date(2026, 11, 22, 7, 0, 0, 0, paris)
	clock := testutil.NewClock(at)
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := mailViews(cat)
	if err != nil {
		t.Fatal(err)
	}
	w := &jobs.QuoteExpiryWorker{DB: db, Now: clock.Now, Location: paris, Composer: &mail.Composer{Views: set, Catalogue: cat},
		Outbox: &mail.Outbox{}, BaseURL: "http://maintenant.test", Logger: quiet}
	cl := &clients.Client{Name: "Boulangerie Martin"}
	if err := clients.Create(ctx, db.Bun, cl, at); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*accounts.User{
		{Email: "julie@boulangerie.test", Name: "Julie Martin", Role: accounts.Admin, Active: true, Language: "fr"},
		{Email: "paul@boulangerie.test", Name: "Paul Martin", Role: accounts.Member, CanApproveAndPay: true, Active: true, Language: "en"},
		{Email: "lea@boulangerie.test", Name: "Léa", Role: accounts.Member, Active: true, Language: "fr"},
		{Email: "ancien@boulangerie.test", Name: "Ancien", Role: accounts.Admin, Active: false, Language: "fr"},
	} {
		u.Kind, u.ClientID = accounts.Client, uuid.NullUUID{UUID: cl.ID, Valid: true}
		if err := accounts.CreateUser(ctx, db.Bun, u, at); err != nil {
			t.Fatal(err)
		}
	}
	send := func(title string, validUntil time.Time) *billing.Quote {
		var q *billing.Quote
		sentAt := at.AddDate(0, 0, -20)
		err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
			var err error
			q, err = billing.Create(ctx, tx, billing.Input{ClientID: cl.ID, Title: title, ValidUntil: validUntil,
				Lines: []*billing.Line{{Description: "Travaux", Quantity: 1000, UnitPriceCents: 100_00, VATRateBP: 2000}}},
				audit.Actor{Label: "test"}, sentAt, paris)
			if err != nil {
				return err
			}
			q, err = billing.Send(ctx, tx, q.ID, q.Version, audit.Actor{Label: "test"}, sentAt, paris)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	soon := send("Refonte de la page d'accueil", day("2026-11-24"))
	send("Module de précommande", day("2026-11-30"))
	past := send("Séance photo", day("2026-11-21"))

	run, err := w.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if run.Expired != 1 || run.Reminded != 1 || run.Mails != 2 {
		t.Errorf("run = %+v, want 1 expired, 1 reminded, 2 mails", run)
	}
	if q, _ := billing.Get(ctx, db.Bun, past.ID); q.Status != billing.StatusExpired {
		t.Errorf("past quote: %s", q.Status)
	}
	var mails []struct {
		To      string `bun:"to_address"`
		Subject string `bun:"subject"`
		Body    string `bun:"text_body"`
	}
	if err := db.Bun.NewRaw("SELECT to_address, subject, text_body FROM outbox_messages ORDER BY to_address").Scan(ctx, &mails); err != nil {
		t.Fatal(err)
	}
	if len(mails) != 2 || mails[0].To != "julie@boulangerie.test" || mails[1].To != "paul@boulangerie.test" {
		t.Fatalf("mails = %+v", mails)
	}
	if !strings.Contains(mails[0].Subject, soon.Reference()) || !strings.Contains(mails[0].Body, "dans 2 jours, le 24/11/2026") ||
		!strings.Contains(mails[0].Body, "/portal/quotes/"+soon.ID.String()) {
		t.Errorf("French mail:\n%s\n%s", mails[0].Subject, mails[0].Body)
	}
	if !strings.Contains(mails[1].Subject, "expires soon") {
		t.Errorf("English mail subject: %s", mails[1].Subject)
	}
	// Running again sends nothing twice.
	if run, err := w.Run(ctx); err != nil || run.Mails != 0 || run.Expired != 0 {
		t.Errorf("second run = %+v, %v", run, err)
	}
}
