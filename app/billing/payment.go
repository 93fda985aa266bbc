package billing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
)

// PaymentMethod is how a payment came.
type PaymentMethod string

// The payment methods: staff record transfers and cheques; Stripe confirms the rest.
const (
	MethodTransfer PaymentMethod = "transfer"
	MethodCheque   PaymentMethod = "cheque"
	MethodStripe   PaymentMethod = "stripe"
)

// StaffMethods are the methods staff record by hand.
func StaffMethods() []PaymentMethod { return []PaymentMethod{MethodTransfer, MethodCheque} }

// Label is the catalogue key naming the method.
func (m PaymentMethod) Label() string { return "payments.method." + string(m) }

// Payment is money received for an invoice.
type Payment struct {
	bun.BaseModel `bun:"table:payments,alias:p"`

	ID                  uuid.UUID     `bun:"id,pk,type:uuid"`
	InvoiceID           uuid.UUID     `bun:"invoice_id,type:uuid"`
	ClientID            uuid.UUID     `bun:"client_id,type:uuid"`
	AmountCents         int64         `bun:"amount_cents"`
	RefundedCents       int64         `bun:"refunded_cents"`
	Currency            string        `bun:"currency"`
	PaidOn              time.Time     `bun:"paid_on,type:date"`
	Method              PaymentMethod `bun:"method"`
	Reference           string        `bun:"reference"`
	StripeSessionID     *string       `bun:"stripe_session_id"`
	StripePaymentIntent *string       `bun:"stripe_payment_intent"`
	Disputed            bool          `bun:"disputed"`
	RecordedBy          uuid.NullUUID `bun:"recorded_by,type:uuid"`
	CreatedAt           time.Time     `bun:"created_at"`

	ClientName    string `bun:"client_name,scanonly"`
	InvoiceYear   int    `bun:"invoice_year,scanonly"`
	InvoiceNumber int    `bun:"invoice_number,scanonly"`
}

// NetCents is what the payment brings once refunds are taken off.
func (p *Payment) NetCents() int64 { return p.AmountCents - p.RefundedCents }

// InvoiceReference is the reference of the invoice paid.
func (p *Payment) InvoiceReference() string {
	return InvoiceReference(InvoiceSeries, p.InvoiceYear, p.InvoiceNumber)
}

// PaymentInput is what staff type to record a payment.
type PaymentInput struct {
	AmountCents int64
	PaidOn      time.Time
	Method      PaymentMethod
	Reference   string
}

// RecordPayment records a transfer or cheque for an issued invoice (rule 5): the amount must be
// above zero and at most what the invoice still owes; the date not in the future. The invoice's
// status follows (partially paid, paid). An invoice that owes nothing or is a draft is a Conflict
// ErrInvoiceNotPayable; a stale version ErrStale.
func RecordPayment(ctx context.Context, db bun.IDB, invoiceID uuid.UUID, in PaymentInput, expectedVersion int, actor audit.Actor, now time.Time, loc *time.Location) (*Payment, error) {
	now = stamp(now)
	inv, err := lockInvoice(ctx, db, invoiceID, expectedVersion)
	if err != nil {
		return nil, err
	}
	if !inv.Payable() {
		return nil, apperr.Conflictf(ErrInvoiceNotPayable)
	}
	f := apperr.Fields{}
	in.Reference = strings.TrimSpace(in.Reference)
	switch {
	case in.AmountCents <= 0:
		f.Add("amount", "payments.error.amount")
	case in.AmountCents > inv.DueCents():
		f.Add("amount", "payments.error.overpayment")
	}
	switch {
	case in.PaidOn.IsZero():
		f.Add("paid_on", "error.required")
	case in.PaidOn.After(civilDay(now, zone(loc))):
		f.Add("paid_on", "payments.error.future")
	}
	if !slices.Contains(StaffMethods(), in.Method) {
		f.Add("method", "payments.error.method")
	}
	if utf8.RuneCountInString(in.Reference) > MaxPaymentReference {
		f.Add("reference", "error.too_long")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p := &Payment{
		ID: uuid.Must(uuid.NewV7()), InvoiceID: inv.ID, ClientID: inv.ClientID, AmountCents: in.AmountCents, Currency: "EUR",
		PaidOn: in.PaidOn, Method: in.Method, Reference: in.Reference, RecordedBy: nullID(actor.UserID), CreatedAt: now,
	}
	if err := addPayment(ctx, db, inv, p, actor, now); err != nil {
		return nil, err
	}
	return p, nil
}

// addPayment inserts p and moves the invoice's paid amount and status, with the audit entry.
func addPayment(ctx context.Context, db bun.IDB, inv *Invoice, p *Payment, actor audit.Actor, now time.Time) error {
	if _, err := db.NewInsert().Model(p).Exec(ctx); err != nil {
		return fmt.Errorf("billing: record payment: %w", err)
	}
	inv.PaidCents += p.AmountCents
	inv.Status = inv.settle()
	if err := bumpInvoice(ctx, db, inv, now); err != nil {
		return err
	}
	return invoiceAudit(ctx, db, inv, actor, audit.PaymentRecorded, map[string]any{
		"amount_cents": p.AmountCents, "method": string(p.Method), "payment_reference": p.Reference,
	}, now)
}

// PaymentsOf returns the payments of an invoice, oldest first.
func PaymentsOf(ctx context.Context, db bun.IDB, invoiceID uuid.UUID) ([]*Payment, error) {
	var ps []*Payment
	if err := db.NewSelect().Model(&ps).Where("invoice_id = ?", invoiceID).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: payments: %w", err)
	}
	return ps, nil
}
