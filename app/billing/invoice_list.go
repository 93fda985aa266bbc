package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/tickets"
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

// Candidate is a source a client could be billed for now, with what it would bill.
type Candidate struct {
	Ref         SourceRef
	Description string
	// AmountCents is the amount excluding VAT it would add (negative for a penalty).
	AmountCents int64
	ContractID  uuid.UUID
}

// maxCandidates bounds each kind of candidate listed.
const maxCandidates = 100

// Candidates lists what client clientID can be billed for on day now and is not billed yet: the
// current fee period of each running contract, the uncovered time and billable materials of
// completed interventions, the deposits and balances of accepted quotes, the SLA penalties of the
// previous month. A bounded number of queries (plus one SLA report per running contract).
func Candidates(ctx context.Context, db bun.IDB, clientID uuid.UUID, now time.Time, loc *time.Location) ([]Candidate, error) {
	loc = zone(loc)
	today := civilDay(now, loc)
	var out []Candidate
	add := func(c Candidate) error {
		lines, _, err := SourceLines(ctx, db, clientID, c.Ref, now, loc)
		if err != nil {
			return nil // not billable now: left out
		}
		for _, l := range lines {
			c.AmountCents += l.HTCents()
		}
		c.Description = lines[0].Description
		out = append(out, c)
		return nil
	}
	cs, err := contracts.ListByClient(ctx, db, clientID)
	if err != nil {
		return nil, err
	}
	var refs []Candidate
	prev := tickets.MonthOf(now, loc).Add(-1)
	for _, c := range cs {
		if !c.Status.IsRunning() || c.Terms == nil {
			continue
		}
		from, _ := FeePeriod(c.Terms.StartDate, c.Terms.BillingPeriod.Months(), today)
		refs = append(refs,
			Candidate{Ref: SourceRef{Kind: SourceContractFee, Key: FeeKey(c.ID, from)}, ContractID: c.ID},
			Candidate{Ref: SourceRef{Kind: SourceSLAPenalty, Key: PenaltyKey(c.ID, prev)}, ContractID: c.ID})
	}
	var ids []struct {
		Kind       SourceKind    `bun:"kind"`
		ID         uuid.UUID     `bun:"id"`
		ContractID uuid.NullUUID `bun:"contract_id"`
	}
	if err := db.NewRaw(`(SELECT 'intervention_time' AS kind, i.id, i.contract_id FROM interventions AS i
			JOIN register_entries AS r ON r.intervention_id = i.id AND r.addendum_id IS NULL
			WHERE i.client_id = ? AND i.status = 'done' AND r.time_cost_cents > 0
			ORDER BY i.completed_at LIMIT ?)
		UNION ALL (SELECT 'material', m.id, i.contract_id FROM materials AS m JOIN interventions AS i ON i.id = m.intervention_id
			WHERE i.client_id = ? AND i.status = 'done' AND m.billable AND NOT m.from_quote ORDER BY m.created_at LIMIT ?)
		UNION ALL (SELECT 'quote_deposit', q.id, q.contract_id FROM quotes AS q
			WHERE q.client_id = ? AND q.status = 'accepted' AND q.deposit_bp > 0 ORDER BY q.decided_at LIMIT ?)
		UNION ALL (SELECT 'quote', q.id, q.contract_id FROM quotes AS q JOIN interventions AS i ON i.quote_id = q.id AND i.status = 'done'
			WHERE q.client_id = ? AND q.status = 'accepted' ORDER BY q.decided_at LIMIT ?)`,
		clientID, maxCandidates, clientID, maxCandidates, clientID, maxCandidates, clientID, maxCandidates).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("billing: candidates: %w", err)
	}
	for _, r := range ids {
		refs = append(refs, Candidate{Ref: SourceRef{Kind: r.Kind, Key: r.ID.String()}, ContractID: r.ContractID.UUID})
	}
	keys := map[SourceKind][]string{}
	for _, r := range refs {
		keys[r.Ref.Kind] = append(keys[r.Ref.Kind], r.Ref.Key)
	}
	billed := map[SourceRef]bool{}
	for kind, ks := range keys {
		var got []string
		if err := db.NewRaw("SELECT source_key FROM invoice_sources WHERE kind = ? AND source_key IN (?)", string(kind), bun.List(ks)).
			Scan(ctx, &got); err != nil {
			return nil, fmt.Errorf("billing: candidates billed: %w", err)
		}
		for _, k := range got {
			billed[SourceRef{Kind: kind, Key: k}] = true
		}
	}
	for _, r := range refs {
		if billed[r.Ref] {
			continue
		}
		if err := add(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}
