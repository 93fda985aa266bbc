package einvoice

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"maintenant/app/billing"
)

// Load completes an invoice read whole (billing.GetInvoice or GetInvoiceForClient) into the
// document its e-invoice is built from: the credited invoice's issue date for a credit note, and
// whether every line bills a quote's deposit (a prepayment invoice, type 386).
func Load(ctx context.Context, db bun.IDB, inv *billing.Invoice) (*Document, error) {
	d := &Document{Invoice: inv}
	if inv.Kind == billing.KindCreditNote && inv.CreditsID.Valid {
		var issued time.Time
		if err := db.NewRaw("SELECT issue_date FROM invoices WHERE id = ?", inv.CreditsID.UUID).Scan(ctx, &issued); err != nil {
			return nil, fmt.Errorf("einvoice: credited invoice: %w", err)
		}
		d.CreditedIssueDate = issued
	}
	if inv.Kind == billing.KindInvoice && len(inv.Lines) > 0 {
		var deposits int
		err := db.NewRaw(`SELECT count(*) FROM invoice_sources s JOIN invoice_lines l ON l.id = s.invoice_line_id
			WHERE l.invoice_id = ? AND s.kind = ?`, inv.ID, billing.SourceQuoteDeposit).Scan(ctx, &deposits)
		if err != nil {
			return nil, fmt.Errorf("einvoice: sources: %w", err)
		}
		d.Deposit = deposits == len(inv.Lines)
	}
	return d, nil
}
