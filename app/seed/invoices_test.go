package seed_test

import (
	"context"
	"testing"

	"maintenant/app/billing"
	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/testutil"
)

func TestDemoInvoices(t *testing.T) {
	ctx := context.Background()
	db := testutil.DB(t)
	if err := seed.Demo(ctx, db, testutil.DefaultNow, &storage.Local{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	page, err := billing.ListInvoices(ctx, db.Bun, billing.InvoiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[billing.InvoiceStatus]int{}
	credit := 0
	numbers := map[string]bool{}
	for _, inv := range page.Invoices {
		if inv.Kind == billing.KindCreditNote {
			credit++
		} else {
			count[inv.Status]++
		}
		if numbers[inv.Reference()] {
			t.Errorf("number %s twice", inv.Reference())
		}
		numbers[inv.Reference()] = true
	}
	// Paid: the Boulangerie's fee and the deposit of its accepted quote.
	if count[billing.InvoicePaid] != 2 || count[billing.InvoicePartiallyPaid] != 1 || count[billing.InvoiceIssued] != 1 || credit != 1 {
		t.Fatalf("demo invoices = %v, %d credit notes", count, credit)
	}
	// The overdue one shows in the overdue filter; the current periods are left to bill.
	over, err := billing.ListInvoices(ctx, db.Bun, billing.InvoiceFilter{Overdue: true, Today: testutil.DefaultNow})
	if err != nil || len(over.Invoices) == 0 {
		t.Fatalf("overdue = %v, %v", over, err)
	}
	var fromQuote, reminders int
	if err := db.Bun.NewRaw(`SELECT count(*) FROM invoice_sources AS s JOIN invoice_lines AS l ON l.id = s.invoice_line_id
		JOIN invoices AS i ON i.id = l.invoice_id WHERE s.kind = 'quote_deposit' AND i.status = 'paid'`).Scan(ctx, &fromQuote); err != nil || fromQuote != 1 {
		t.Fatalf("paid invoices from an accepted quote = %d, %v", fromQuote, err)
	}
	if err := db.Bun.NewRaw(`SELECT count(*) FROM invoice_reminders`).Scan(ctx, &reminders); err != nil || reminders == 0 {
		t.Fatalf("reminders recorded = %d, %v", reminders, err)
	}
	due, err := billing.DueFeePeriods(ctx, db.Bun, testutil.DefaultNow, nil)
	if err != nil || len(due) != 2 {
		t.Fatalf("current periods due = %v, %v", due, err)
	}
}
