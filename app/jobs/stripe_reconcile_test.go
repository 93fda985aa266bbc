package jobs_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/jobs"
	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/testutil"
)

// TestStripeReconcileAgainstStripeMock runs the reconciliation job against stripe-mock: it lists
// the sessions through the API, records its run, and says to staff that a Stripe payment booked by
// webhook is not among the sessions Stripe lists; run again, it writes nothing twice. An API that
// cannot be reached leaves a failed run, nothing else.
func TestStripeReconcileAgainstStripeMock(t *testing.T) {
	apiURL := testutil.StripeMock(t)
	ctx := context.Background()
	db := testutil.DB(t)
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	clock := testutil.NewClock(testutil.DefaultNow)
	var inv struct {
		ID  uuid.UUID `bun:"id"`
		Due int64     `bun:"due"`
	}
	if err := db.Bun.NewRaw(`SELECT id, total_ttc_cents - credited_cents - paid_cents AS due FROM invoices
		WHERE kind = 'invoice' AND status IN ('issued', 'partially_paid') ORDER BY number LIMIT 1`).Scan(ctx, &inv.ID, &inv.Due); err != nil {
		t.Fatal(err)
	}
	raw := `{"id":"cs_test_webhooked","object":"checkout.session","amount_total":` + strconv.FormatInt(inv.Due, 10) +
		`,"currency":"eur","payment_status":"paid","metadata":{"invoice_id":"` + inv.ID.String() + `"},"payment_intent":"pi_test_webhooked"}`
	if err := db.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		out, err := billing.ProcessStripeEvent(ctx, tx, stripe.Event{ID: "evt_test_webhooked", Type: "checkout.session.completed",
			Data: &stripe.EventData{Raw: []byte(raw)}}, clock.Now(), paris)
		if err == nil && out != billing.OutcomeBooked {
			t.Fatalf("webhook: %s", out)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	w := &jobs.StripeReconcileWorker{DB: db, Now: clock.Now, Location: paris, Logger: quiet, SecretKey: "sk_test_123", APIURL: apiURL}
	r, err := w.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.SessionsSeen == 0 || r.Error != "" {
		t.Fatalf("run = %+v", r)
	}
	findings := func() []*billing.Finding {
		fs, _, err := billing.OpenFindings(ctx, db.Bun)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	fs := findings()
	if len(fs) != 1 || fs[0].Kind != billing.FindingMissingAtStripe || fs[0].SessionID != "cs_test_webhooked" || fs[0].InvoiceID.UUID != inv.ID {
		t.Fatalf("findings = %+v", fs)
	}
	clock.Advance(time.Minute)
	if _, err := w.Run(ctx); err != nil || len(findings()) != 1 {
		t.Fatalf("second run: %v, %d findings", err, len(findings()))
	}
	last, err := billing.LastReconciliation(ctx, db.Bun)
	if err != nil || last.FinishedAt.IsZero() || last.Findings != 0 {
		t.Fatalf("last run = %+v, %v", last, err)
	}
	clock.Advance(time.Minute)
	down := &jobs.StripeReconcileWorker{DB: db, Now: clock.Now, Location: paris, Logger: quiet, SecretKey: "sk_test_123", APIURL: "http://127.0.0.1:1"}
	if _, err := down.Run(ctx); err == nil {
		t.Fatal("unreachable API: no error")
	}
	if last, _ := billing.LastReconciliation(ctx, db.Bun); last.Error == "" || last.FinishedAt.IsZero() {
		t.Fatalf("failed run = %+v", last)
	}
	if len(findings()) != 1 {
		t.Fatal("a failed run wrote findings")
	}
}
