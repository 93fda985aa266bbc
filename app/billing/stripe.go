package billing

// Online payment through Stripe Checkout. The browser's return proves nothing: a payment is booked
// only from a signed webhook event (or the reconciliation with Stripe's API). Rules:
//  1. Every event id is stored once in stripe_events, in the same transaction as its effect: the
//     same event delivered again, in sequence or concurrently, changes nothing more.
//  2. checkout.session.completed books the payment only when its payment_status is "paid"; an
//     asynchronous method waits for checkout.session.async_payment_succeeded (booked then) or
//     async_payment_failed (the attempt fails, nothing is booked). A session is booked once
//     whatever events report it (stripe_session_id is unique).
//  3. The amount and currency paid are checked against the attempt and the invoice: a mismatch
//     (another currency, another amount, more than is due, an invoice that owes nothing) is never
//     booked; it flags the invoice for staff and is written to the audit log.
//  4. charge.refunded carries the cumulative amount refunded: only the difference with what was
//     recorded is applied. A refund of a payment not booked yet (events out of order) is kept in
//     stripe_pending_refunds (the highest cumulative amount) and applied when the payment is
//     booked, once. Disputes flag the invoice and mark the payment.
//  5. Unknown event types are acknowledged and ignored.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
)

// StripeActor is who Stripe's events act as in the audit log.
var StripeActor = audit.Actor{Label: "Stripe"}

// Attempt is one Checkout Session opened to pay an invoice.
type Attempt struct {
	bun.BaseModel `bun:"table:payment_attempts,alias:pa"`

	ID          uuid.UUID     `bun:"id,pk,type:uuid"`
	InvoiceID   uuid.UUID     `bun:"invoice_id,type:uuid"`
	Attempt     int           `bun:"attempt"`
	AmountCents int64         `bun:"amount_cents"`
	SessionID   *string       `bun:"session_id"`
	Status      string        `bun:"status"`
	CreatedBy   uuid.NullUUID `bun:"created_by,type:uuid"`
	CreatedAt   time.Time     `bun:"created_at"`
	UpdatedAt   time.Time     `bun:"updated_at"`
}

// IdempotencyKey is the key of the Checkout Session creation: one session per invoice and attempt.
func (a *Attempt) IdempotencyKey() string {
	return "invoice-" + a.InvoiceID.String() + "-attempt-" + strconv.Itoa(a.Attempt)
}

// StartAttempt opens an attempt to pay a client's invoice for the amount it owes now, taken from the
// database. Another client's invoice or a draft is NotFound; an invoice that owes nothing (paid,
// cancelled) is a Conflict ErrInvoiceNotPayable. An attempt still open without a session is reused
// (so a failed session creation retries under the same idempotency key).
func StartAttempt(ctx context.Context, db bun.IDB, clientID, invoiceID uuid.UUID, actor audit.Actor, now time.Time) (*Invoice, *Attempt, error) {
	now = stamp(now)
	if clientID == uuid.Nil {
		return nil, nil, apperr.NotFoundf("invoice")
	}
	inv, err := lockInvoice(ctx, db, invoiceID, 0)
	if err != nil {
		return nil, nil, err
	}
	if inv.ClientID != clientID || inv.IsDraft() {
		return nil, nil, apperr.NotFoundf("invoice")
	}
	if !inv.Payable() {
		return nil, nil, apperr.Conflictf(ErrInvoiceNotPayable)
	}
	var last []*Attempt
	if err := db.NewSelect().Model(&last).Where("invoice_id = ?", inv.ID).OrderExpr("attempt DESC").Limit(1).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("billing: attempts: %w", err)
	}
	if len(last) == 1 && last[0].SessionID == nil && last[0].Status == "open" && last[0].AmountCents == inv.DueCents() {
		return inv, last[0], nil
	}
	a := &Attempt{ID: uuid.Must(uuid.NewV7()), InvoiceID: inv.ID, Attempt: 1, AmountCents: inv.DueCents(), Status: "open",
		CreatedBy: nullID(actor.UserID), CreatedAt: now, UpdatedAt: now}
	if len(last) == 1 {
		a.Attempt = last[0].Attempt + 1
	}
	if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("billing: start attempt: %w", err)
	}
	return inv, a, nil
}

// SetAttemptSession records the Checkout Session opened for an attempt.
func SetAttemptSession(ctx context.Context, db bun.IDB, attemptID uuid.UUID, sessionID string, now time.Time) error {
	_, err := db.NewUpdate().Model((*Attempt)(nil)).Set("session_id = ?, updated_at = ?", sessionID, stamp(now)).
		Where("id = ?", attemptID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("billing: attempt session: %w", err)
	}
	return nil
}

// GetAttempt returns an attempt of one of a client's invoices (NotFound otherwise).
func GetAttempt(ctx context.Context, db bun.IDB, clientID, attemptID uuid.UUID) (*Attempt, error) {
	a := new(Attempt)
	err := db.NewSelect().Model(a).Join("JOIN invoices AS inv ON inv.id = pa.invoice_id").
		Where("pa.id = ? AND inv.client_id = ?", attemptID, clientID).Scan(ctx)
	if database.NoRows(err) {
		return nil, apperr.NotFoundf("attempt")
	}
	if err != nil {
		return nil, fmt.Errorf("billing: get attempt: %w", err)
	}
	return a, nil
}

// Outcomes of an event, kept with it.
const (
	OutcomeDuplicate = "duplicate"
	OutcomeBooked    = "booked"
	OutcomeAwaiting  = "awaiting_async_payment"
	OutcomeFailed    = "failed"
	OutcomeExpired   = "expired"
	OutcomeMismatch  = "mismatch"
	OutcomeRefunded  = "refunded"
	OutcomePending   = "refund_pending"
	OutcomeDispute   = "dispute"
	OutcomeIgnored   = "ignored"
	OutcomeNothing   = "nothing_to_do"
)

// ProcessStripeEvent applies an event whose signature the caller verified, in tx, and returns what
// it did (package rules above). A duplicate is OutcomeDuplicate and changes nothing.
func ProcessStripeEvent(ctx context.Context, tx bun.IDB, ev stripe.Event, now time.Time, loc *time.Location) (string, error) {
	now = stamp(now)
	if ev.ID == "" {
		return "", apperr.Invalidf("stripe event without id")
	}
	res, err := tx.NewRaw(`INSERT INTO stripe_events (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		ev.ID, string(ev.Type), now).Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("billing: store stripe event: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return OutcomeDuplicate, nil
	}
	var outcome string
	var invoiceID uuid.UUID
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded",
		"checkout.session.async_payment_failed", "checkout.session.expired":
		var s stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &s); err != nil {
			return "", apperr.Invalidf("stripe event: bad checkout session")
		}
		invoiceID, outcome, err = applySession(ctx, tx, string(ev.Type), &s, now, loc)
	case "charge.refunded":
		var ch stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
			return "", apperr.Invalidf("stripe event: bad charge")
		}
		invoiceID, outcome, err = applyRefund(ctx, tx, ev.ID, &ch, now)
	case "charge.dispute.created", "charge.dispute.closed":
		var d stripe.Dispute
		if err := json.Unmarshal(ev.Data.Raw, &d); err != nil {
			return "", apperr.Invalidf("stripe event: bad dispute")
		}
		invoiceID, outcome, err = applyDispute(ctx, tx, string(ev.Type), &d, now)
	default:
		outcome = OutcomeIgnored
	}
	if err != nil {
		return "", err
	}
	if _, err := tx.NewRaw("UPDATE stripe_events SET outcome = ?, invoice_id = ? WHERE id = ?", outcome, nullID(invoiceID), ev.ID).Exec(ctx); err != nil {
		return "", fmt.Errorf("billing: stripe event outcome: %w", err)
	}
	return outcome, nil
}

func sessionInvoice(s *stripe.CheckoutSession) uuid.UUID {
	id, err := uuid.Parse(s.Metadata["invoice_id"])
	if err != nil {
		id, _ = uuid.Parse(s.ClientReferenceID)
	}
	return id
}

func attemptOfSession(ctx context.Context, tx bun.IDB, sessionID string) (*Attempt, error) {
	var as []*Attempt
	if err := tx.NewSelect().Model(&as).Where("session_id = ?", sessionID).For("UPDATE").Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: attempt of session: %w", err)
	}
	if len(as) == 0 {
		return nil, nil
	}
	return as[0], nil
}

func setAttemptStatus(ctx context.Context, tx bun.IDB, a *Attempt, status string, now time.Time) error {
	if a == nil || a.Status == "paid" {
		return nil
	}
	a.Status = status
	_, err := tx.NewUpdate().Model(a).Column("status").Set("updated_at = ?", now).WherePK().Exec(ctx)
	return err
}

func applySession(ctx context.Context, tx bun.IDB, typ string, s *stripe.CheckoutSession, now time.Time, loc *time.Location) (uuid.UUID, string, error) {
	invoiceID := sessionInvoice(s)
	a, err := attemptOfSession(ctx, tx, s.ID)
	if err != nil {
		return uuid.Nil, "", err
	}
	if a != nil {
		invoiceID = a.InvoiceID
	}
	switch typ {
	case "checkout.session.async_payment_failed":
		return invoiceID, OutcomeFailed, setAttemptStatus(ctx, tx, a, "failed", now)
	case "checkout.session.expired":
		return invoiceID, OutcomeExpired, setAttemptStatus(ctx, tx, a, "expired", now)
	case "checkout.session.completed":
		if s.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
			return invoiceID, OutcomeAwaiting, setAttemptStatus(ctx, tx, a, "processing", now)
		}
	}
	// Paid: book it once (the invoice's lock serialises the events of its sessions).
	if invoiceID == uuid.Nil {
		return uuid.Nil, OutcomeIgnored, nil // a session of something else than an invoice
	}
	inv, err := lockInvoice(ctx, tx, invoiceID, 0)
	if apperr.KindOf(err) == apperr.NotFound {
		return uuid.Nil, OutcomeIgnored, nil
	}
	if err != nil {
		return invoiceID, "", err
	}
	n, err := tx.NewSelect().Model((*Payment)(nil)).Where("stripe_session_id = ?", s.ID).Count(ctx)
	if err != nil {
		return invoiceID, "", fmt.Errorf("billing: session booked: %w", err)
	}
	if n > 0 {
		return invoiceID, OutcomeNothing, nil
	}
	var problems []string
	if !strings.EqualFold(string(s.Currency), "eur") {
		problems = append(problems, fmt.Sprintf("devise %q au lieu de EUR", s.Currency))
	}
	if a != nil && s.AmountTotal != a.AmountCents {
		problems = append(problems, fmt.Sprintf("montant payé %d c au lieu de %d c demandés", s.AmountTotal, a.AmountCents))
	}
	if !inv.Payable() {
		problems = append(problems, "la facture ne doit plus rien")
	} else if s.AmountTotal <= 0 || s.AmountTotal > inv.DueCents() {
		problems = append(problems, fmt.Sprintf("montant payé %d c pour %d c dus", s.AmountTotal, inv.DueCents()))
	}
	if len(problems) > 0 {
		reason := "Paiement Stripe " + s.ID + " non enregistré : " + strings.Join(problems, ", ")
		return inv.ID, OutcomeMismatch, flag(ctx, tx, inv, reason, audit.PaymentFlagged, now)
	}
	var intent *string
	if s.PaymentIntent != nil && s.PaymentIntent.ID != "" {
		intent = &s.PaymentIntent.ID
		// Serialise with a refund of the same intent arriving at the same time (applyRefund).
		if _, err := tx.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 9))", "pi:"+*intent).Exec(ctx); err != nil {
			return inv.ID, "", fmt.Errorf("billing: payment lock: %w", err)
		}
	}
	sid := s.ID
	p := &Payment{
		ID: uuid.Must(uuid.NewV7()), InvoiceID: inv.ID, ClientID: inv.ClientID, AmountCents: s.AmountTotal, Currency: "EUR",
		PaidOn: civilDay(now, zone(loc)), Method: MethodStripe, Reference: s.ID, StripeSessionID: &sid, StripePaymentIntent: intent,
		CreatedAt: now,
	}
	if err := addPayment(ctx, tx, inv, p, StripeActor, now); err != nil {
		return inv.ID, "", err
	}
	if err := applyPendingRefund(ctx, tx, inv, p, now); err != nil {
		return inv.ID, "", err
	}
	return inv.ID, OutcomeBooked, setAttemptStatus(ctx, tx, a, "paid", now)
}

// applyPendingRefund applies to a payment just booked the refund Stripe reported before it (rule
// 4), once.
func applyPendingRefund(ctx context.Context, tx bun.IDB, inv *Invoice, p *Payment, now time.Time) error {
	if p.StripePaymentIntent == nil {
		return nil
	}
	var amounts []int64
	if err := tx.NewRaw(`UPDATE stripe_pending_refunds SET applied_at = ? WHERE payment_intent = ? AND applied_at IS NULL
		RETURNING amount_refunded_cents`, now, *p.StripePaymentIntent).Scan(ctx, &amounts); err != nil {
		return fmt.Errorf("billing: pending refund: %w", err)
	}
	if len(amounts) == 0 {
		return nil
	}
	_, err := refundPayment(ctx, tx, inv, p, amounts[0], now)
	return err
}

// flag marks an invoice for staff with a reason, and writes it to the audit log.
func flag(ctx context.Context, tx bun.IDB, inv *Invoice, reason, action string, now time.Time) error {
	inv.Flagged, inv.FlagReason = true, clip(reason, 2000)
	if err := bumpInvoice(ctx, tx, inv, now); err != nil {
		return err
	}
	return invoiceAudit(ctx, tx, inv, StripeActor, action, map[string]any{"reason": reason}, now)
}

func paymentOfIntent(ctx context.Context, tx bun.IDB, intent string) (*Payment, error) {
	if intent == "" {
		return nil, nil
	}
	var ps []*Payment
	if err := tx.NewSelect().Model(&ps).Where("stripe_payment_intent = ?", intent).For("UPDATE").Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: payment of intent: %w", err)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	return ps[0], nil
}

func applyRefund(ctx context.Context, tx bun.IDB, eventID string, ch *stripe.Charge, now time.Time) (uuid.UUID, string, error) {
	intent := ""
	if ch.PaymentIntent != nil {
		intent = ch.PaymentIntent.ID
	}
	if intent == "" {
		return uuid.Nil, OutcomeNothing, nil
	}
	// Serialise with the booking of the same payment intent (a session event carrying it).
	if _, err := tx.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 9))", "pi:"+intent).Exec(ctx); err != nil {
		return uuid.Nil, "", fmt.Errorf("billing: refund lock: %w", err)
	}
	p, err := paymentOfIntent(ctx, tx, intent)
	if err != nil {
		return uuid.Nil, "", err
	}
	if p == nil {
		// The payment's event has not come yet: keep the refund for it (rule 4).
		if _, err := tx.NewRaw(`INSERT INTO stripe_pending_refunds (payment_intent, amount_refunded_cents, event_id, received_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (payment_intent) DO UPDATE
			SET amount_refunded_cents = greatest(stripe_pending_refunds.amount_refunded_cents, EXCLUDED.amount_refunded_cents)
			WHERE stripe_pending_refunds.applied_at IS NULL`, intent, max(ch.AmountRefunded, 0), eventID, now).Exec(ctx); err != nil {
			return uuid.Nil, "", fmt.Errorf("billing: pending refund: %w", err)
		}
		return uuid.Nil, OutcomePending, nil
	}
	inv, err := lockInvoice(ctx, tx, p.InvoiceID, 0)
	if err != nil {
		return uuid.Nil, "", err
	}
	applied, err := refundPayment(ctx, tx, inv, p, ch.AmountRefunded, now)
	if err != nil || !applied {
		return inv.ID, OutcomeNothing, err
	}
	return inv.ID, OutcomeRefunded, nil
}

// refundPayment brings a payment's refunded amount to the cumulative amount Stripe reports: only
// the difference with what was recorded is applied (false when there is none).
func refundPayment(ctx context.Context, tx bun.IDB, inv *Invoice, p *Payment, cumulative int64, now time.Time) (bool, error) {
	refunded := min(max(cumulative, 0), p.AmountCents)
	diff := refunded - p.RefundedCents
	if diff <= 0 {
		return false, nil // already applied (cumulative amount)
	}
	p.RefundedCents = refunded
	if _, err := tx.NewUpdate().Model(p).Column("refunded_cents").WherePK().Exec(ctx); err != nil {
		return false, fmt.Errorf("billing: refund: %w", err)
	}
	inv.PaidCents -= diff
	inv.Status = inv.settle()
	if err := bumpInvoice(ctx, tx, inv, now); err != nil {
		return false, err
	}
	intent := ""
	if p.StripePaymentIntent != nil {
		intent = *p.StripePaymentIntent
	}
	return true, invoiceAudit(ctx, tx, inv, StripeActor, audit.PaymentRefunded,
		map[string]any{"refunded_cents": diff, "total_refunded_cents": refunded, "payment_intent": intent}, now)
}

func applyDispute(ctx context.Context, tx bun.IDB, typ string, d *stripe.Dispute, now time.Time) (uuid.UUID, string, error) {
	intent := ""
	if d.PaymentIntent != nil {
		intent = d.PaymentIntent.ID
	}
	p, err := paymentOfIntent(ctx, tx, intent)
	if err != nil || p == nil {
		return uuid.Nil, OutcomeNothing, err
	}
	inv, err := lockInvoice(ctx, tx, p.InvoiceID, 0)
	if err != nil {
		return uuid.Nil, "", err
	}
	p.Disputed = typ == "charge.dispute.created" || d.Status != stripe.DisputeStatusWon
	if _, err := tx.NewUpdate().Model(p).Column("disputed").WherePK().Exec(ctx); err != nil {
		return inv.ID, "", fmt.Errorf("billing: dispute: %w", err)
	}
	reason := fmt.Sprintf("Contestation Stripe %s (%s) : %d c, état %s", d.ID, d.Reason, d.Amount, d.Status)
	return inv.ID, OutcomeDispute, flag(ctx, tx, inv, reason, audit.PaymentDisputed, now)
}
