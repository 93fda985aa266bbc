package seed_test

import (
	"context"
	"strings"
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
	// Paid: each client's older fee and the deposit of its accepted quote. Partly paid: the
	// Cabinet's uncovered time, the Boulangerie's materials. Due: each client's overdue fee, the
	// Cabinet's materials. Credit notes: the Cabinet's gesture, an SLA penalty for each client.
	if count[billing.InvoicePaid] != 4 || count[billing.InvoicePartiallyPaid] != 2 || count[billing.InvoiceIssued] != 3 || credit != 3 {
		t.Fatalf("demo invoices = %v, %d credit notes", count, credit)
	}
	// Gapless: the invoices and the credit notes are numbered 1..n in their series, in date order.
	for _, series := range []string{"F", "A"} {
		var n, max int
		var ordered bool
		if err := db.Bun.NewRaw(`SELECT count(*), coalesce(max(number), 0),
			bool_and(issue_date >= coalesce(prev, issue_date)) FROM (SELECT number, issue_date, lag(issue_date) OVER (ORDER BY number) AS prev
			FROM invoices WHERE number > 0 AND kind = ?) AS x`, map[string]string{"F": "invoice", "A": "credit_note"}[series]).Scan(ctx, &n, &max, &ordered); err != nil {
			t.Fatal(err)
		}
		if n == 0 || n != max || !ordered {
			t.Errorf("series %s: %d numbers up to %d, in date order %v", series, n, max, ordered)
		}
	}
	// Every item of the demo list, for each client.
	for _, name := range []string{"Boulangerie Martin", "Cabinet Durand Avocats"} {
		items := map[string]string{
			"a paid contract fee": `SELECT count(*) FROM invoices AS i WHERE i.kind = 'invoice' AND i.status = 'paid' AND EXISTS (SELECT 1 FROM invoice_lines AS l
				JOIN invoice_sources AS s ON s.invoice_line_id = l.id WHERE l.invoice_id = i.id AND s.kind = 'contract_fee')`,
			"an unpaid contract fee, overdue with a reminder sent": `SELECT count(*) FROM invoices AS i WHERE i.kind = 'invoice' AND i.status = 'issued'
				AND i.due_date < ? AND EXISTS (SELECT 1 FROM invoice_reminders AS r WHERE r.invoice_id = i.id) AND EXISTS (SELECT 1 FROM invoice_lines AS l
				JOIN invoice_sources AS s ON s.invoice_line_id = l.id WHERE l.invoice_id = i.id AND s.kind = 'contract_fee')`,
			"an invoice with materials": `SELECT count(*) FROM invoices AS i WHERE i.kind = 'invoice' AND i.status <> 'draft' AND EXISTS (SELECT 1 FROM invoice_lines AS l
				JOIN invoice_sources AS s ON s.invoice_line_id = l.id WHERE l.invoice_id = i.id AND s.kind = 'material')`,
			"an invoice partly paid by transfer": `SELECT count(*) FROM invoices AS i WHERE i.kind = 'invoice' AND i.status = 'partially_paid'
				AND EXISTS (SELECT 1 FROM payments AS p WHERE p.invoice_id = i.id AND p.method = 'transfer')`,
			"an SLA penalty credit note on a fee": `SELECT count(*) FROM invoices AS i JOIN invoices AS f ON f.id = i.credits_id
				WHERE i.kind = 'credit_note' AND i.status <> 'draft' AND f.due_date < ? AND EXISTS (SELECT 1 FROM invoice_lines AS l
				JOIN invoice_sources AS s ON s.invoice_line_id = l.id WHERE l.invoice_id = i.id AND s.kind = 'sla_penalty')`,
			"a paid invoice from an accepted quote": `SELECT count(*) FROM invoices AS i WHERE i.kind = 'invoice' AND i.status = 'paid' AND EXISTS (SELECT 1 FROM invoice_lines AS l
				JOIN invoice_sources AS s ON s.invoice_line_id = l.id WHERE l.invoice_id = i.id AND s.kind = 'quote_deposit')`,
		}
		for item, q := range items {
			q += ` AND i.client_id = (SELECT id FROM clients WHERE name = ?)`
			args := []any{name}
			if strings.Contains(q, "due_date < ?") {
				args = append([]any{testutil.DefaultNow}, args...)
			}
			var n int
			if err := db.Bun.NewRaw(q, args...).Scan(ctx, &n); err != nil || n == 0 {
				t.Errorf("%s: %s: %d, %v", name, item, n, err)
			}
		}
	}
	// The overdue ones show in the overdue filter; the current periods are left to bill.
	over, err := billing.ListInvoices(ctx, db.Bun, billing.InvoiceFilter{Overdue: true, Today: testutil.DefaultNow})
	if err != nil || len(over.Invoices) < 2 {
		t.Fatalf("overdue = %v, %v", over, err)
	}
	due, err := billing.DueFeePeriods(ctx, db.Bun, testutil.DefaultNow, nil)
	if err != nil || len(due) != 2 {
		t.Fatalf("current periods due = %v, %v", due, err)
	}
}
