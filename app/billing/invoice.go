package billing

// Rules of invoices (factures) and credit notes (avoirs):
//  1. An invoice is drafted (by staff, or from its sources: a contract fee, an intervention's
//     uncovered time and materials, an accepted quote, an SLA penalty) and stays editable and
//     unnumbered while a draft. Issuing numbers it F-YYYY-NNNN (a credit note A-YYYY-NNNN) from the
//     gapless counter of the issue year, in the issuing transaction, snapshots both parties'
//     identities and the billing settings, and freezes it: the database refuses any change to an
//     issued invoice's content and any deletion (triggers invoices_guard, invoice_lines_guard).
//  2. Status of an invoice: draft → issued → partially paid → paid, computed from the payments
//     (net of refunds) and the credit notes issued on it; fully credited, it is cancelled. An issued
//     invoice is cancelled only by a credit note.
//  3. Money is integer cents, computed as for quotes (rule 5 of the package): each line rounded
//     half away from zero, VAT per rate on the sum of its lines, TTC their sum. A line may be
//     negative (an SLA penalty deducted); an invoice's total must be above zero to be issued.
//  4. Nothing is billed twice: every source billed is recorded in invoice_sources with the line
//     that bills it, under a unique key; deleting a draft frees its sources.
//  5. A payment is at most the amount due (total − credited − paid): overpayment is refused.

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/interventions"
)

// Counter series of invoice and credit-note numbers, per year.
const (
	InvoiceSeries    = "F"
	CreditNoteSeries = "A"
)

// Limits of invoices.
const (
	MaxInvoiceNotes     = 5000
	MaxPaymentTermsDays = 120
	MaxPaymentReference = 200
)

// Catalogue keys of the invoice conflicts (409).
const (
	ErrInvoiceNotDraft   = "invoices.error.not_draft"
	ErrInvoiceNotPayable = "invoices.error.not_payable"
	ErrInvoiceNotIssued  = "invoices.error.not_issued"
	ErrAlreadyBilled     = "invoices.error.already_billed"
	ErrPaidCannotCancel  = "invoices.error.paid_cannot_cancel"
)

// InvoiceKind tells an invoice from a credit note.
type InvoiceKind string

// The kinds.
const (
	KindInvoice    InvoiceKind = "invoice"
	KindCreditNote InvoiceKind = "credit_note"
)

// InvoiceStatus is where an invoice stands (rule 2).
type InvoiceStatus string

// The invoice statuses.
const (
	InvoiceDraft         InvoiceStatus = "draft"
	InvoiceIssued        InvoiceStatus = "issued"
	InvoicePartiallyPaid InvoiceStatus = "partially_paid"
	InvoicePaid          InvoiceStatus = "paid"
	InvoiceCancelled     InvoiceStatus = "cancelled"
)

// InvoiceStatuses lists the statuses in the order of an invoice's life, for filters.
func InvoiceStatuses() []InvoiceStatus {
	return []InvoiceStatus{InvoiceDraft, InvoiceIssued, InvoicePartiallyPaid, InvoicePaid, InvoiceCancelled}
}

// ParseInvoiceStatus returns the status named s, if there is one.
func ParseInvoiceStatus(s string) (InvoiceStatus, bool) {
	st := InvoiceStatus(s)
	return st, slices.Contains(InvoiceStatuses(), st)
}

// Label is the catalogue key naming the status.
func (s InvoiceStatus) Label() string { return "invoices.status." + string(s) }

// Party is one side of an invoice as it was at issue: what EN 16931 needs of the seller and buyer.
type Party struct {
	Name         string   `json:"name"`
	LegalForm    string   `json:"legal_form,omitempty"`
	SIREN        string   `json:"siren,omitempty"`
	SIRET        string   `json:"siret,omitempty"`
	VATNumber    string   `json:"vat_number,omitempty"`
	AddressLines []string `json:"address_lines,omitempty"`
	PostalCode   string   `json:"postal_code,omitempty"`
	City         string   `json:"city,omitempty"`
	Country      string   `json:"country"`
	Email        string   `json:"email,omitempty"`
	Phone        string   `json:"phone,omitempty"`
	// EInvoiceAddress is the party's electronic invoicing address (BT-34, BT-49); empty means its
	// SIREN.
	EInvoiceAddress string `json:"einvoice_address,omitempty"`
	// Seller only: bank details and the terms printed on the invoice.
	IBAN          string `json:"iban,omitempty"`
	BIC           string `json:"bic,omitempty"`
	VATExempt     bool   `json:"vat_exempt,omitempty"`
	LatePenaltyBP int    `json:"late_penalty_bp,omitempty"`
	Footer        string `json:"footer,omitempty"`
}

// Invoice is an invoice or a credit note, with its lines when read whole.
type Invoice struct {
	bun.BaseModel `bun:"table:invoices,alias:inv"`

	ID               uuid.UUID     `bun:"id,pk,type:uuid"`
	Kind             InvoiceKind   `bun:"kind"`
	ClientID         uuid.UUID     `bun:"client_id,type:uuid"`
	ContractID       uuid.NullUUID `bun:"contract_id,type:uuid"`
	CreditsID        uuid.NullUUID `bun:"credits_id,type:uuid"`
	Year             int           `bun:"year,nullzero"`
	Number           int           `bun:"number,nullzero"`
	Status           InvoiceStatus `bun:"status"`
	Title            string        `bun:"title"`
	Notes            string        `bun:"notes"`
	IssueDate        time.Time     `bun:"issue_date,type:date,nullzero"`
	ServiceFrom      time.Time     `bun:"service_from,type:date,nullzero"`
	ServiceTo        time.Time     `bun:"service_to,type:date,nullzero"`
	DueDate          time.Time     `bun:"due_date,type:date,nullzero"`
	PaymentTermsDays int           `bun:"payment_terms_days"`
	PaymentTerms     string        `bun:"payment_terms"`
	Currency         string        `bun:"currency"`
	Seller           *Party        `bun:"seller,type:jsonb"`
	Buyer            *Party        `bun:"buyer,type:jsonb"`
	TotalHTCents     int64         `bun:"total_ht_cents"`
	TotalVATCents    int64         `bun:"total_vat_cents"`
	TotalTTCCents    int64         `bun:"total_ttc_cents"`
	PaidCents        int64         `bun:"paid_cents"`
	CreditedCents    int64         `bun:"credited_cents"`
	Flagged          bool          `bun:"flagged"`
	FlagReason       string        `bun:"flag_reason"`
	IssuedAt         time.Time     `bun:"issued_at,nullzero"`
	IssuedBy         uuid.NullUUID `bun:"issued_by,type:uuid"`
	CreatedBy        uuid.NullUUID `bun:"created_by,type:uuid"`
	CreatedAt        time.Time     `bun:"created_at"`
	UpdatedAt        time.Time     `bun:"updated_at"`
	Version          int           `bun:"version"`

	ClientName        string `bun:"client_name,scanonly"`
	ContractReference string `bun:"contract_reference,scanonly"`
	CreditsYear       int    `bun:"credits_year,scanonly"`
	CreditsNumber     int    `bun:"credits_number,scanonly"`

	Lines []*InvoiceLine `bun:"-"`
}

// Series is the counter series of the invoice's kind.
func (inv *Invoice) Series() string {
	if inv.Kind == KindCreditNote {
		return CreditNoteSeries
	}
	return InvoiceSeries
}

// Reference is the number as printed (F-2026-0042, A-2026-0003), "" for a draft.
func (inv *Invoice) Reference() string {
	if inv.Number == 0 {
		return ""
	}
	return InvoiceReference(inv.Series(), inv.Year, inv.Number)
}

// CreditsReference is the reference of the invoice a credit note credits.
func (inv *Invoice) CreditsReference() string {
	if inv.CreditsNumber == 0 {
		return ""
	}
	return InvoiceReference(InvoiceSeries, inv.CreditsYear, inv.CreditsNumber)
}

// InvoiceReference formats number n of year y in a series.
func InvoiceReference(series string, y, n int) string { return fmt.Sprintf("%s-%d-%04d", series, y, n) }

// IsDraft tells whether the invoice may still change.
func (inv *Invoice) IsDraft() bool { return inv.Status == InvoiceDraft }

// DueCents is what the client still owes: total − credited − paid, never below zero (a credit note
// owes nothing).
func (inv *Invoice) DueCents() int64 {
	if inv.Kind == KindCreditNote || inv.Status == InvoiceDraft {
		return 0
	}
	return max(inv.TotalTTCCents-inv.CreditedCents-inv.PaidCents, 0)
}

// Payable tells whether a payment may be recorded now.
func (inv *Invoice) Payable() bool {
	return inv.Kind == KindInvoice && (inv.Status == InvoiceIssued || inv.Status == InvoicePartiallyPaid) && inv.DueCents() > 0
}

// IsOverdue tells whether the invoice is unpaid past its due date on day today.
func (inv *Invoice) IsOverdue(today time.Time) bool {
	return inv.Payable() && inv.DueDate.Before(today)
}

// settle is the status of an issued invoice from its payments and credits (rule 2).
func (inv *Invoice) settle() InvoiceStatus {
	switch {
	case inv.Kind == KindCreditNote:
		return InvoiceIssued
	case inv.CreditedCents >= inv.TotalTTCCents && inv.PaidCents == 0:
		return InvoiceCancelled
	case inv.PaidCents+inv.CreditedCents >= inv.TotalTTCCents:
		return InvoicePaid
	case inv.PaidCents > 0:
		return InvoicePartiallyPaid
	}
	return InvoiceIssued
}

// InvoiceLine is one line of an invoice.
type InvoiceLine struct {
	bun.BaseModel `bun:"table:invoice_lines,alias:il"`

	ID             uuid.UUID              `bun:"id,pk,type:uuid"`
	InvoiceID      uuid.UUID              `bun:"invoice_id,type:uuid"`
	Position       int                    `bun:"position"`
	Description    string                 `bun:"description"`
	Quantity       interventions.Quantity `bun:"quantity,type:numeric"`
	Unit           string                 `bun:"unit"`
	UnitPriceCents int64                  `bun:"unit_price_cents"`
	VATRateBP      int                    `bun:"vat_rate_bp"`
	DiscountBP     int                    `bun:"discount_bp"`
	LineHTCents    int64                  `bun:"line_ht_cents"`

	// Source is what the line bills, when it comes from one (set when adding sources).
	Source *SourceRef `bun:"-"`
}

func (l *InvoiceLine) priced() *Line {
	return &Line{Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents, VATRateBP: l.VATRateBP, DiscountBP: l.DiscountBP}
}

// HTCents is the line's amount excluding VAT, rounded as a quote line's.
func (l *InvoiceLine) HTCents() int64 { return l.priced().HTCents() }

// InvoiceTotals prices invoice lines: each line's HT (stored on the line), VAT per rate, totals.
// A VAT-exempt seller charges no VAT whatever the lines' rates.
func InvoiceTotals(lines []*InvoiceLine, vatExempt bool) Totals {
	ls := make([]*Line, 0, len(lines))
	for _, l := range lines {
		p := l.priced()
		if vatExempt {
			p.VATRateBP = 0
		}
		ls = append(ls, p)
	}
	t := ComputeTotals(ls)
	for i, l := range lines {
		l.LineHTCents = ls[i].LineHTCents
	}
	return t
}

// Totals computes the invoice's amounts from its lines (the seller's exemption when issued).
func (inv *Invoice) Totals() Totals {
	return InvoiceTotals(inv.Lines, inv.Seller != nil && inv.Seller.VATExempt)
}

func (l *InvoiceLine) validate(f apperr.Fields, n int) {
	key := func(field string) string { return fmt.Sprintf("lines.%d.%s", n, field) }
	l.Description = strings.TrimSpace(strings.ReplaceAll(l.Description, "\r\n", "\n"))
	l.Unit = strings.TrimSpace(l.Unit)
	switch c := utf8.RuneCountInString(l.Description); {
	case c == 0:
		f.Add(key("description"), "error.required")
	case c > MaxLineText:
		f.Add(key("description"), "error.too_long")
	}
	if utf8.RuneCountInString(l.Unit) > MaxUnit {
		f.Add(key("unit"), "error.too_long")
	}
	if l.Quantity <= 0 || l.Quantity > MaxQuantityMilli {
		f.Add(key("quantity"), "invoices.error.quantity")
	}
	if l.UnitPriceCents < -MaxUnitPrice || l.UnitPriceCents > MaxUnitPrice {
		f.Add(key("unit_price"), "invoices.error.unit_price")
	}
	if !slices.Contains(VATRates, l.VATRateBP) {
		f.Add(key("vat_rate"), "invoices.error.vat_rate")
	}
	if l.DiscountBP < 0 || l.DiscountBP > 10000 {
		f.Add(key("discount"), "invoices.error.discount")
	}
}

// InvoiceInput is what staff type to draft or edit an invoice.
type InvoiceInput struct {
	ClientID         uuid.UUID
	ContractID       uuid.UUID
	Title            string
	Notes            string
	ServiceFrom      time.Time
	ServiceTo        time.Time
	PaymentTermsDays int
	PaymentTerms     string
	Lines            []*InvoiceLine
}

func (in *InvoiceInput) check(f apperr.Fields) {
	in.Title = strings.TrimSpace(in.Title)
	in.Notes = strings.TrimSpace(strings.ReplaceAll(in.Notes, "\r\n", "\n"))
	in.PaymentTerms = strings.TrimSpace(strings.ReplaceAll(in.PaymentTerms, "\r\n", "\n"))
	if in.ClientID == uuid.Nil {
		f.Add("client_id", "error.required")
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		f.Add("title", "error.required")
	case n > MaxTitle:
		f.Add("title", "error.too_long")
	}
	if utf8.RuneCountInString(in.Notes) > MaxInvoiceNotes {
		f.Add("notes", "error.too_long")
	}
	if utf8.RuneCountInString(in.PaymentTerms) > MaxPaymentTerms {
		f.Add("payment_terms", "error.too_long")
	}
	if in.PaymentTermsDays < 0 || in.PaymentTermsDays > MaxPaymentTermsDays {
		f.Add("payment_terms_days", "invoices.error.payment_terms_days")
	}
	if !in.ServiceFrom.IsZero() && !in.ServiceTo.IsZero() && in.ServiceTo.Before(in.ServiceFrom) {
		f.Add("service_to", "invoices.error.service_period")
	}
	if len(in.Lines) > MaxLines {
		f.Add("lines", "invoices.error.too_many_lines")
	}
	for n, l := range in.Lines {
		l.validate(f, n)
	}
}

// Validate checks the input alone; the store checks what needs the database.
func (in *InvoiceInput) Validate() error {
	f := apperr.Fields{}
	in.check(f)
	return f.Err()
}
