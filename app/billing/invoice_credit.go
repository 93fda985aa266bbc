package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/tickets"
)

// CreditPick is an amount excluding VAT to credit on one line of an invoice.
type CreditPick struct {
	LineID      uuid.UUID
	AmountCents int64
}

// Creditable is what may still be credited on an issued invoice: the amount it still owes (TTC),
// never more (a paid part is refunded, not credited).
func (inv *Invoice) Creditable() int64 { return inv.DueCents() }

// DraftPartialCreditNote drafts a credit note on an issued invoice for the amounts chosen per line
// (excluding VAT, at the line's VAT rate). Each amount must be above zero and at most the line's
// amount ("lines.<position>.amount"); their total including VAT at most what the invoice may still
// be credited ("lines", invoices.error.credit_too_much); at least one amount ("lines",
// credit.error.none). The invoice must be issued and still owe something (Conflict).
func DraftPartialCreditNote(ctx context.Context, db bun.IDB, invoiceID uuid.UUID, title string, picks []CreditPick, actor audit.Actor, now time.Time) (*Invoice, error) {
	inv, err := lockInvoice(ctx, db, invoiceID, 0)
	if err != nil {
		return nil, err
	}
	if inv.Kind != KindInvoice || inv.IsDraft() || inv.Status == InvoiceCancelled {
		return nil, apperr.Conflictf(ErrInvoiceNotIssued)
	}
	if inv.DueCents() == 0 {
		return nil, apperr.Conflictf(ErrPaidCannotCancel)
	}
	byID := map[uuid.UUID]*InvoiceLine{}
	for _, l := range inv.Lines {
		byID[l.ID] = l
	}
	f := apperr.Fields{}
	var lines []*InvoiceLine
	for _, p := range picks {
		l, ok := byID[p.LineID]
		if !ok {
			return nil, apperr.NotFoundf("invoice line")
		}
		key := fmt.Sprintf("lines.%d.amount", l.Position)
		switch {
		case p.AmountCents == 0:
			continue
		case p.AmountCents < 0:
			f.Add(key, "credit.error.amount")
			continue
		case l.LineHTCents <= 0 || p.AmountCents > l.LineHTCents:
			f.Add(key, "credit.error.more_than_line")
			continue
		}
		lines = append(lines, &InvoiceLine{Description: clip("Avoir : "+l.Description, MaxLineText), Quantity: 1000,
			Unit: "forfait", UnitPriceCents: p.AmountCents, VATRateBP: l.VATRateBP})
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, apperr.Fields{"lines": "credit.error.none"}.Err()
	}
	if t := InvoiceTotals(lines, inv.Seller != nil && inv.Seller.VATExempt); t.TTCCents > inv.Creditable() {
		return nil, apperr.Fields{"lines": "invoices.error.credit_too_much"}.Err()
	}
	return DraftCreditNote(ctx, db, inv.ID, title, lines, actor, now)
}

// PenaltyCredit is the SLA penalty of a contract for a month, as a credit note would carry it.
type PenaltyCredit struct {
	Contract *contracts.Contract
	Month    tickets.Month
	Line     *InvoiceLine
	Source   SourceRef
	// BilledBy is the invoice or credit note already carrying this penalty (uuid.Nil when none).
	BilledBy uuid.UUID
}

// SLAPenaltyCredit computes the SLA penalty of contract contractID for month m (over) as the line
// of a credit note: the penalty excluding VAT at the default VAT rate. No penalty is Invalid
// ("month", invoices.error.no_penalty); a month not over yet Invalid ("month",
// invoices.error.month_not_over).
func SLAPenaltyCredit(ctx context.Context, db bun.IDB, contractID uuid.UUID, m tickets.Month, now time.Time, loc *time.Location) (*PenaltyCredit, error) {
	c, err := contracts.Get(ctx, db, contractID)
	if err != nil {
		return nil, err
	}
	src := SourceRef{Kind: SourceSLAPenalty, Key: PenaltyKey(c.ID, m)}
	lines, _, err := SourceLines(ctx, db, c.ClientID, src, now, loc)
	if err != nil {
		if fs := apperr.FieldsOf(err); fs != nil && fs["sources"] != "" {
			return nil, apperr.Fields{"month": fs["sources"]}.Err()
		}
		return nil, err
	}
	l := lines[0]
	l.UnitPriceCents = -l.UnitPriceCents // deducted on an invoice, credited on a credit note
	l.Source = nil
	pc := &PenaltyCredit{Contract: c, Month: m, Line: l, Source: src}
	if pc.BilledBy, err = billedBy(ctx, db, src); err != nil {
		return nil, err
	}
	return pc, nil
}

// DraftPenaltyCreditNote drafts the credit note of a contract's SLA penalty for month m, on
// invoice invoiceID, or when uuid.Nil on the latest issued invoice of the contract that still owes
// at least the penalty. The penalty is linked as its source (rule 4): it is never both deducted
// on an invoice and credited, nor credited twice (Conflict ErrAlreadyBilled). No invoice able to
// carry it is a Conflict credit.error.no_invoice; an invoice of another contract Invalid
// ("invoice_id").
func DraftPenaltyCreditNote(ctx context.Context, db bun.IDB, contractID uuid.UUID, m tickets.Month, invoiceID uuid.UUID, actor audit.Actor, now time.Time, loc *time.Location) (*Invoice, error) {
	pc, err := SLAPenaltyCredit(ctx, db, contractID, m, now, loc)
	if err != nil {
		return nil, err
	}
	if err := lockSource(ctx, db, pc.Source); err != nil {
		return nil, err
	}
	if by, err := billedBy(ctx, db, pc.Source); err != nil {
		return nil, err
	} else if by != uuid.Nil {
		return nil, apperr.Conflictf(ErrAlreadyBilled)
	}
	ttc := InvoiceTotals([]*InvoiceLine{pc.Line}, false).TTCCents
	if invoiceID == uuid.Nil {
		var ids []uuid.UUID
		if err := db.NewRaw(`SELECT id FROM invoices WHERE contract_id = ? AND kind = 'invoice' AND status IN ('issued', 'partially_paid')
			AND total_ttc_cents - credited_cents - paid_cents >= ? ORDER BY issue_date DESC, number DESC LIMIT 1`, contractID, ttc).Scan(ctx, &ids); err != nil {
			return nil, fmt.Errorf("billing: penalty credit note: %w", err)
		}
		if len(ids) == 0 {
			return nil, apperr.Conflictf("credit.error.no_invoice")
		}
		invoiceID = ids[0]
	} else {
		inv, err := GetInvoice(ctx, db, invoiceID)
		if err != nil {
			return nil, err
		}
		if inv.ContractID.UUID != contractID {
			return nil, apperr.Fields{"invoice_id": "credit.error.other_contract"}.Err()
		}
		if inv.Kind == KindInvoice && !inv.IsDraft() && inv.Status != InvoiceCancelled && ttc > inv.Creditable() {
			return nil, apperr.Fields{"month": "invoices.error.credit_too_much"}.Err()
		}
	}
	src := pc.Source
	pc.Line.Source = &src
	title := fmt.Sprintf("Avoir : pénalités de niveau de service %s, contrat %s", m.String(), pc.Contract.Reference)
	return DraftCreditNote(ctx, db, invoiceID, title, []*InvoiceLine{pc.Line}, actor, now)
}
