package billing

// Daily reconciliation of Stripe's Checkout Sessions with the payments recorded. Webhooks can be
// missed (an endpoint down longer than Stripe retries, a secret rotated); the job lists the recent
// sessions through Stripe's API and, for each:
//  1. a paid session of an invoice that no payment books is booked exactly as its webhook would
//     have been (same checks, same lock, stripe_session_id unique), and said to staff as a finding
//     ("booked_missed") with an audit entry; if it does not match the invoice it is not booked,
//     the invoice is flagged and the finding says why ("not_booked");
//  2. a recorded payment whose amount differs from the session's, or whose session Stripe does not
//     report paid, is a finding only: nothing is changed, staff decide;
//  3. a Stripe payment recorded during the window whose session Stripe did not list is a finding.
// Each finding is written once per kind and session whatever the runs; staff mark it handled.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
)

// FindingKind is what the reconciliation found about a session.
type FindingKind string

// The finding kinds.
const (
	FindingBookedMissed     FindingKind = "booked_missed"
	FindingNotBooked        FindingKind = "not_booked"
	FindingAmountDiffers    FindingKind = "amount_differs"
	FindingRecordedNotPaid  FindingKind = "recorded_not_paid"
	FindingMissingAtStripe  FindingKind = "missing_at_stripe"
	ReconciliationWindow                = 72 * time.Hour
	MaxReconciledSessions               = 1000
	reconciliationGraceTime             = time.Hour
)

// Label is the catalogue key naming the kind.
func (k FindingKind) Label() string { return "reconciliation.kind." + string(k) }

// ReconciliationRun is one run of the job.
type ReconciliationRun struct {
	bun.BaseModel `bun:"table:stripe_reconciliation_runs,alias:rr"`

	ID           uuid.UUID `bun:"id,pk,type:uuid"`
	StartedAt    time.Time `bun:"started_at"`
	FinishedAt   time.Time `bun:"finished_at,nullzero"`
	WindowFrom   time.Time `bun:"window_from"`
	SessionsSeen int       `bun:"sessions_seen"`
	Booked       int       `bun:"booked"`
	Findings     int       `bun:"findings"`
	Error        string    `bun:"error"`
}

// Finding is something a run found, for staff.
type Finding struct {
	bun.BaseModel `bun:"table:stripe_reconciliation_findings,alias:rf"`

	ID                  uuid.UUID     `bun:"id,pk,type:uuid"`
	RunID               uuid.UUID     `bun:"run_id,type:uuid"`
	Kind                FindingKind   `bun:"kind"`
	SessionID           string        `bun:"session_id"`
	InvoiceID           uuid.NullUUID `bun:"invoice_id,type:uuid"`
	PaymentID           uuid.NullUUID `bun:"payment_id,type:uuid"`
	StripeAmountCents   *int64        `bun:"stripe_amount_cents"`
	RecordedAmountCents *int64        `bun:"recorded_amount_cents"`
	Detail              string        `bun:"detail"`
	FoundAt             time.Time     `bun:"found_at"`
	ResolvedAt          time.Time     `bun:"resolved_at,nullzero"`
	ResolvedBy          uuid.NullUUID `bun:"resolved_by,type:uuid"`

	InvoiceYear   int    `bun:"invoice_year,scanonly"`
	InvoiceNumber int    `bun:"invoice_number,scanonly"`
	ClientName    string `bun:"client_name,scanonly"`
}

// InvoiceReference is the reference of the invoice concerned, "" when none.
func (f *Finding) InvoiceReference() string {
	if f.InvoiceNumber == 0 {
		return ""
	}
	return InvoiceReference(InvoiceSeries, f.InvoiceYear, f.InvoiceNumber)
}

// StartReconciliation records the start of a run over the sessions created since now − window.
func StartReconciliation(ctx context.Context, db bun.IDB, now time.Time) (*ReconciliationRun, error) {
	now = stamp(now)
	r := &ReconciliationRun{ID: uuid.Must(uuid.NewV7()), StartedAt: now, WindowFrom: now.Add(-ReconciliationWindow)}
	if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
		return nil, fmt.Errorf("billing: start reconciliation: %w", err)
	}
	return r, nil
}

// FinishReconciliation records the end of a run, with its counts and error ("" when it went well).
func FinishReconciliation(ctx context.Context, db bun.IDB, r *ReconciliationRun, runErr error, now time.Time) error {
	r.FinishedAt = stamp(now)
	if runErr != nil {
		r.Error = clip(runErr.Error(), 2000)
	}
	if _, err := db.NewUpdate().Model(r).Column("finished_at", "sessions_seen", "booked", "findings", "error").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("billing: finish reconciliation: %w", err)
	}
	return nil
}

func addFinding(ctx context.Context, db bun.IDB, r *ReconciliationRun, f *Finding, now time.Time) (bool, error) {
	f.ID, f.RunID, f.FoundAt, f.Detail = uuid.Must(uuid.NewV7()), r.ID, stamp(now), clip(f.Detail, 2000)
	res, err := db.NewInsert().Model(f).On("CONFLICT (kind, session_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("billing: reconciliation finding: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 1 {
		r.Findings++
	}
	return n == 1, nil
}

// ReconcileSession compares one session listed by Stripe with what is recorded, in tx (rules
// above), and returns the finding written, if any.
func ReconcileSession(ctx context.Context, tx bun.IDB, r *ReconciliationRun, s *stripe.CheckoutSession, now time.Time, loc *time.Location) (FindingKind, error) {
	now = stamp(now)
	r.SessionsSeen++
	var ps []*Payment
	if err := tx.NewSelect().Model(&ps).Where("stripe_session_id = ?", s.ID).Scan(ctx); err != nil {
		return "", fmt.Errorf("billing: reconcile session: %w", err)
	}
	paid := s.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid
	amount := s.AmountTotal
	if len(ps) == 1 {
		p := ps[0]
		f := &Finding{SessionID: s.ID, InvoiceID: nullID(p.InvoiceID), PaymentID: nullID(p.ID), StripeAmountCents: &amount,
			RecordedAmountCents: &p.AmountCents}
		switch {
		case !paid:
			f.Kind = FindingRecordedNotPaid
			f.Detail = fmt.Sprintf("Stripe indique la session %s « %s » (%s), un paiement de %s est enregistré", s.ID, s.PaymentStatus, s.Status, euros(p.AmountCents))
		case amount != p.AmountCents:
			f.Kind = FindingAmountDiffers
			f.Detail = fmt.Sprintf("Stripe indique %s payés pour la session %s, %s sont enregistrés", euros(amount), s.ID, euros(p.AmountCents))
		default:
			return "", nil
		}
		if _, err := addFinding(ctx, tx, r, f, now); err != nil {
			return "", err
		}
		return f.Kind, nil
	}
	if !paid {
		return "", nil // nothing paid, nothing recorded: nothing to say
	}
	invoiceID, outcome, err := applySession(ctx, tx, "checkout.session.completed", s, now, loc)
	if err != nil {
		return "", err
	}
	f := &Finding{SessionID: s.ID, InvoiceID: nullID(invoiceID), StripeAmountCents: &amount}
	switch outcome {
	case OutcomeBooked:
		var booked []*Payment
		if err := tx.NewSelect().Model(&booked).Where("stripe_session_id = ?", s.ID).Scan(ctx); err != nil {
			return "", fmt.Errorf("billing: reconcile session: %w", err)
		}
		if len(booked) == 1 {
			f.PaymentID, f.RecordedAmountCents = nullID(booked[0].ID), &booked[0].AmountCents
		}
		f.Kind = FindingBookedMissed
		f.Detail = fmt.Sprintf("Session %s payée chez Stripe sans webhook reçu : paiement de %s enregistré par le rapprochement", s.ID, euros(amount))
		r.Booked++
		inv, err := GetInvoice(ctx, tx, invoiceID)
		if err != nil {
			return "", err
		}
		if err := invoiceAudit(ctx, tx, inv, StripeActor, audit.PaymentReconciled, map[string]any{"session_id": s.ID, "amount_cents": amount}, now); err != nil {
			return "", err
		}
	case OutcomeMismatch:
		f.Kind = FindingNotBooked
		f.Detail = fmt.Sprintf("Session %s payée chez Stripe (%s) mais non enregistrée : elle ne correspond pas à la facture (voir le signalement de la facture)", s.ID, euros(amount))
	case OutcomeIgnored:
		// A paid session of no invoice of ours (another product on the same account): not ours.
		return "", nil
	default:
		return "", nil
	}
	if _, err := addFinding(ctx, tx, r, f, now); err != nil {
		return "", err
	}
	return f.Kind, nil
}

// ReconcileMissing records a finding for every Stripe payment recorded during the run's window
// (past a grace period, so that a session created at its edge is listed) whose session was not
// among those Stripe listed (seen). Call it only when the listing was complete.
func ReconcileMissing(ctx context.Context, tx bun.IDB, r *ReconciliationRun, seen []string, now time.Time) (int, error) {
	var ps []*Payment
	q := tx.NewSelect().Model(&ps).Where("method = ? AND created_at >= ?", MethodStripe, r.WindowFrom.Add(reconciliationGraceTime)).
		OrderExpr("created_at").Limit(MaxReconciledSessions)
	if err := q.Scan(ctx); err != nil {
		return 0, fmt.Errorf("billing: reconcile missing: %w", err)
	}
	n := 0
	for _, p := range ps {
		if p.StripeSessionID == nil || slices.Contains(seen, *p.StripeSessionID) {
			continue
		}
		f := &Finding{Kind: FindingMissingAtStripe, SessionID: *p.StripeSessionID, InvoiceID: nullID(p.InvoiceID), PaymentID: nullID(p.ID),
			RecordedAmountCents: &p.AmountCents,
			Detail:              fmt.Sprintf("Paiement Stripe de %s enregistré pour la session %s, que Stripe ne liste pas", euros(p.AmountCents), *p.StripeSessionID)}
		added, err := addFinding(ctx, tx, r, f, now)
		if err != nil {
			return n, err
		}
		if added {
			n++
		}
	}
	return n, nil
}

// LastReconciliation returns the latest run, nil when the job never ran.
func LastReconciliation(ctx context.Context, db bun.IDB) (*ReconciliationRun, error) {
	var rs []*ReconciliationRun
	if err := db.NewSelect().Model(&rs).OrderExpr("started_at DESC").Limit(1).Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: last reconciliation: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return rs[0], nil
}

// MaxOpenFindings bounds the findings listed at once.
const MaxOpenFindings = 100

// OpenFindings returns the findings not handled yet, newest first (at most MaxOpenFindings), with
// the total count.
func OpenFindings(ctx context.Context, db bun.IDB) ([]*Finding, int, error) {
	var fs []*Finding
	n, err := db.NewSelect().Model(&fs).ColumnExpr("rf.*").
		ColumnExpr("coalesce(inv.year, 0) AS invoice_year, coalesce(inv.number, 0) AS invoice_number, coalesce(cl.name, '') AS client_name").
		Join("LEFT JOIN invoices AS inv ON inv.id = rf.invoice_id").Join("LEFT JOIN clients AS cl ON cl.id = inv.client_id").
		Where("rf.resolved_at IS NULL").OrderExpr("rf.found_at DESC, rf.id DESC").Limit(MaxOpenFindings).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("billing: open findings: %w", err)
	}
	return fs, int(n), nil
}

// ResolveFinding marks a finding handled by a staff member, with an audit entry. A finding handled
// already is a Conflict.
func ResolveFinding(ctx context.Context, db bun.IDB, id uuid.UUID, actor audit.Actor, now time.Time) (*Finding, error) {
	now = stamp(now)
	f := new(Finding)
	if err := db.NewSelect().Model(f).Where("id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("finding")
		}
		return nil, fmt.Errorf("billing: resolve finding: %w", err)
	}
	if !f.ResolvedAt.IsZero() {
		return nil, apperr.Conflictf("reconciliation.error.handled")
	}
	f.ResolvedAt, f.ResolvedBy = now, nullID(actor.UserID)
	if _, err := db.NewUpdate().Model(f).Column("resolved_at", "resolved_by").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("billing: resolve finding: %w", err)
	}
	ev := audit.Event{Action: audit.ReconciliationHandled, TargetType: "stripe_finding", TargetID: f.ID.String(),
		Details: map[string]any{"kind": string(f.Kind), "session_id": f.SessionID}}
	if f.InvoiceID.Valid {
		var cl []uuid.UUID
		if err := db.NewSelect().Table("invoices").Column("client_id").Where("id = ?", f.InvoiceID.UUID).Scan(ctx, &cl); err != nil {
			return nil, fmt.Errorf("billing: resolve finding: %w", err)
		}
		if len(cl) == 1 {
			ev.ClientID = cl[0]
		}
	}
	if err := audit.Write(ctx, db, now, actor, ev); err != nil {
		return nil, err
	}
	return f, nil
}

// euros writes cents the French way for the findings' details: 38400 → "384,00 €".
func euros(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d,%02d €", sign, c/100, c%100)
}
