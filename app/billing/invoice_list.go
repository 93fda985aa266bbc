package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/database"
)

// InvoiceFilter narrows a list of invoices.
type InvoiceFilter struct {
	ClientID uuid.UUID
	Status   InvoiceStatus
	// Overdue keeps the payable invoices due before Today.
	Overdue bool
	Today   time.Time
	// NoDrafts leaves drafts out (the portal).
	NoDrafts bool
	Cursor   string
	Limit    int
}

// InvoicePage is one page of invoices.
type InvoicePage struct {
	Invoices []*Invoice
	Next     string
}

// ListInvoices returns a page of invoices and credit notes (without lines), newest first, in one
// query.
func ListInvoices(ctx context.Context, db bun.IDB, f InvoiceFilter) (*InvoicePage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	p := &InvoicePage{}
	q := selectInvoices(db, &p.Invoices)
	if f.ClientID != uuid.Nil {
		q = q.Where("inv.client_id = ?", f.ClientID)
	}
	if f.NoDrafts {
		q = q.Where("inv.status <> ?", InvoiceDraft)
	}
	if f.Status != "" {
		q = q.Where("inv.status = ?", f.Status)
	}
	if f.Overdue {
		q = q.Where("inv.kind = ? AND inv.status IN (?, ?) AND inv.due_date < ?", KindInvoice, InvoiceIssued, InvoicePartiallyPaid, f.Today)
	}
	if at, id, ok := database.ParseCursor(f.Cursor); ok {
		q = q.Where("(inv.created_at, inv.id) < (?, ?)", at, id)
	}
	if err := q.OrderExpr("inv.created_at DESC, inv.id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: list invoices: %w", err)
	}
	if len(p.Invoices) > f.Limit {
		p.Invoices = p.Invoices[:f.Limit]
		last := p.Invoices[f.Limit-1]
		p.Next = database.Cursor(last.CreatedAt, last.ID)
	}
	return p, nil
}

// ListInvoicesForClient is ListInvoices for the portal: only issued invoices of clientID.
func ListInvoicesForClient(ctx context.Context, db bun.IDB, clientID uuid.UUID, f InvoiceFilter) (*InvoicePage, error) {
	if clientID == uuid.Nil {
		return &InvoicePage{}, nil
	}
	f.ClientID, f.NoDrafts = clientID, true
	return ListInvoices(ctx, db, f)
}

// Owed is what a client owes: the amount due of its payable invoices, and the part overdue.
type Owed struct {
	DueCents     int64
	OverdueCents int64
	Count        int
	OverdueCount int
}

// OwedBy sums what a client owes on day today, in one query.
func OwedBy(ctx context.Context, db bun.IDB, clientID uuid.UUID, today time.Time) (Owed, error) {
	var o Owed
	err := db.NewRaw(`SELECT coalesce(sum(total_ttc_cents - credited_cents - paid_cents), 0) AS due_cents,
		coalesce(sum(total_ttc_cents - credited_cents - paid_cents) FILTER (WHERE due_date < ?), 0) AS overdue_cents,
		count(*) AS count, count(*) FILTER (WHERE due_date < ?) AS overdue_count
		FROM invoices WHERE client_id = ? AND kind = 'invoice' AND status IN ('issued', 'partially_paid')`,
		today, today, clientID).Scan(ctx, &o.DueCents, &o.OverdueCents, &o.Count, &o.OverdueCount)
	if err != nil {
		return o, fmt.Errorf("billing: owed: %w", err)
	}
	return o, nil
}

// PaymentFilter narrows a list of payments.
type PaymentFilter struct {
	ClientID uuid.UUID
	Cursor   string
	Limit    int
}

// PaymentPage is one page of payments.
type PaymentPage struct {
	Payments []*Payment
	Next     string
}

// ListPayments returns a page of payments with their client and invoice, newest first.
func ListPayments(ctx context.Context, db bun.IDB, f PaymentFilter) (*PaymentPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	p := &PaymentPage{}
	q := db.NewSelect().Model(&p.Payments).ColumnExpr("p.*").ColumnExpr("cl.name AS client_name").
		ColumnExpr("inv.year AS invoice_year").ColumnExpr("inv.number AS invoice_number").
		Join("JOIN clients AS cl ON cl.id = p.client_id").Join("JOIN invoices AS inv ON inv.id = p.invoice_id")
	if f.ClientID != uuid.Nil {
		q = q.Where("p.client_id = ?", f.ClientID)
	}
	if at, id, ok := database.ParseCursor(f.Cursor); ok {
		q = q.Where("(p.created_at, p.id) < (?, ?)", at, id)
	}
	if err := q.OrderExpr("p.created_at DESC, p.id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: list payments: %w", err)
	}
	if len(p.Payments) > f.Limit {
		p.Payments = p.Payments[:f.Limit]
		last := p.Payments[f.Limit-1]
		p.Next = database.Cursor(last.CreatedAt, last.ID)
	}
	return p, nil
}
