package jobs_test

import (
	"context"
	"testing"
	"time"

	"maintenant/app/i18n"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/testutil"
)

// TestInvoiceReminders runs the reminder job on the demo: the Cabinet's overdue fee is recalled
// once at its latest step reached; a second run, and the paid Boulangerie invoice, send nothing; a
// month later the next step of an invoice still unpaid is recalled, while a paid one never is.
func TestInvoiceReminders(t *testing.T) {
	ctx := context.Background()
	db := testutil.DB(t)
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := mailViews(cat)
	if err != nil {
		t.Fatal(err)
	}
	clock := testutil.NewClock(testutil.DefaultNow)
	w := &jobs.InvoiceRemindersWorker{DB: db, Now: clock.Now, Location: paris, Composer: &mail.Composer{Views: set, Catalogue: cat},
		Outbox: &mail.Outbox{}, BaseURL: "http://maintenant.test", Logger: quiet}
	first, err := w.Run(ctx)
	if err != nil || first == 0 {
		t.Fatalf("first run: %d mails, %v", first, err)
	}
	if n, err := w.Run(ctx); err != nil || n != 0 {
		t.Fatalf("second run: %d mails, %v", n, err)
	}
	var paidRecalled, subjects int
	_ = db.Bun.NewRaw(`SELECT count(*) FROM invoice_reminders AS r JOIN invoices AS i ON i.id = r.invoice_id WHERE i.status = 'paid'`).Scan(ctx, &paidRecalled)
	_ = db.Bun.NewRaw(`SELECT count(*) FROM outbox_messages WHERE kind = 'invoice_reminder' AND subject LIKE 'Rappel : facture F-2026-%'`).Scan(ctx, &subjects)
	if paidRecalled != 0 || subjects != first {
		t.Fatalf("paid recalled %d, reminder mails %d of %d", paidRecalled, subjects, first)
	}
	// Everything paid: a month later nothing is recalled.
	if _, err := db.Bun.ExecContext(ctx, `UPDATE invoices SET paid_cents = total_ttc_cents - credited_cents, status = 'paid'
		WHERE kind = 'invoice' AND status IN ('issued', 'partially_paid')`); err != nil {
		t.Fatal(err)
	}
	clock.Advance(31 * 24 * time.Hour)
	if n, err := w.Run(ctx); err != nil || n != 0 {
		t.Fatalf("after payment: %d mails, %v", n, err)
	}
}
