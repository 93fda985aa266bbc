package seed

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/provider"
)

// invoices writes the demo invoices, issued in date order from the real sources: each client's
// contract fee of the previous billing period (the Boulangerie's paid by transfer, the Cabinet's
// still due, past its due date, reduced by a commercial-gesture credit note), and for the Cabinet
// the uncovered time of its earliest completed intervention, partly paid by transfer; the deposit of
// the Boulangerie's accepted quote, paid by transfer. The Cabinet's
// overdue fee carries the reminders the daily job sent at each step already past. The current
// periods and the other interventions are left to bill.
func (d *demo) invoices(ctx context.Context, tx *database.Tx) error {
	actor := audit.Actor{UserID: d.manager.ID, Label: d.manager.Email}
	paris := zoneParis()
	type plan struct {
		at     time.Time
		client int
		src    billing.SourceRef
		title  string
		contr  *contracts.Contract
	}
	var plans []plan
	for ci, cl := range d.clients {
		cs, err := contracts.ListByClient(ctx, tx, cl.ID)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if !c.Status.IsRunning() || c.Terms == nil {
				continue
			}
			cur, _ := billing.FeePeriod(c.Terms.StartDate, c.Terms.BillingPeriod.Months(), d.now.In(paris))
			prev, _ := billing.FeePeriod(c.Terms.StartDate, c.Terms.BillingPeriod.Months(), cur.AddDate(0, 0, -1))
			if !prev.Before(cur) {
				continue
			}
			plans = append(plans, plan{at: prev.Add(8 * time.Hour), client: ci, contr: c,
				src: billing.SourceRef{Kind: billing.SourceContractFee, Key: billing.FeeKey(c.ID, prev)}})
			break
		}
	}
	// The Cabinet's earliest completed intervention with uncovered time.
	var first []struct {
		ID          string    `bun:"id"`
		CompletedAt time.Time `bun:"completed_at"`
	}
	if err := tx.NewRaw(`SELECT i.id, i.completed_at FROM interventions AS i
		JOIN register_entries AS r ON r.intervention_id = i.id AND r.addendum_id IS NULL
		WHERE i.client_id = ? AND i.status = 'done' AND r.time_cost_cents > 0 ORDER BY i.completed_at LIMIT 1`, d.clients[1].ID).Scan(ctx, &first); err != nil {
		return fmt.Errorf("seed: invoices: %w", err)
	}
	if len(first) == 1 {
		plans = append(plans, plan{at: first[0].CompletedAt.Add(24 * time.Hour), client: 1, title: "Intervention hors forfait",
			src: billing.SourceRef{Kind: billing.SourceInterventionTime, Key: first[0].ID}})
	}
	// The Boulangerie's accepted quote asks a deposit: billed the day after its acceptance.
	var deposits []struct {
		ID        string    `bun:"id"`
		DecidedAt time.Time `bun:"decided_at"`
	}
	if err := tx.NewRaw(`SELECT id, decided_at FROM quotes WHERE client_id = ? AND status = 'accepted' AND deposit_bp > 0
		ORDER BY decided_at LIMIT 1`, d.clients[0].ID).Scan(ctx, &deposits); err != nil {
		return fmt.Errorf("seed: invoices: %w", err)
	}
	if len(deposits) == 1 {
		plans = append(plans, plan{at: deposits[0].DecidedAt.Add(24 * time.Hour), client: 0, title: "Acompte sur devis accepté",
			src: billing.SourceRef{Kind: billing.SourceQuoteDeposit, Key: deposits[0].ID}})
	}
	slices.SortFunc(plans, func(a, b plan) int { return a.at.Compare(b.at) })
	issued := map[billing.SourceKind][]*billing.Invoice{}
	for _, p := range plans {
		var inv *billing.Invoice
		var err error
		if p.src.Kind == billing.SourceContractFee {
			inv, _, err = billing.BillContractFee(ctx, tx, p.contr.ID, feeFrom(p.src), actor, p.at, paris)
		} else {
			inv, err = billing.CreateFromSources(ctx, tx, d.clients[p.client].ID, uuid.Nil, p.title, []billing.SourceRef{p.src}, actor, p.at, paris)
			if err == nil {
				inv, err = billing.IssueInvoice(ctx, tx, inv.ID, inv.Version, actor, p.at, paris)
			}
		}
		if err != nil {
			return fmt.Errorf("seed: invoice %s: %w", p.src, err)
		}
		issued[p.src.Kind] = append(issued[p.src.Kind], inv)
	}
	pay := func(inv *billing.Invoice, amount int64, on time.Time, ref string) error {
		if today := d.now.In(paris); on.After(today) {
			on = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
		}
		_, err := billing.RecordPayment(ctx, tx, inv.ID, billing.PaymentInput{AmountCents: amount, PaidOn: on, Method: billing.MethodTransfer, Reference: ref},
			0, actor, on.Add(10*time.Hour), paris)
		return err
	}
	for _, inv := range issued[billing.SourceContractFee] {
		switch inv.ClientID {
		case d.clients[0].ID: // the Boulangerie pays its fee by transfer, ten days later
			if err := pay(inv, inv.TotalTTCCents, inv.IssueDate.AddDate(0, 0, 10), "VIR BOULANGERIE MARTIN "+inv.Reference()); err != nil {
				return err
			}
		case d.clients[1].ID: // the Cabinet's fee: a commercial gesture for a late visit, the rest still due
			gesture := []*billing.InvoiceLine{{Description: "Geste commercial : visite trimestrielle décalée", Quantity: 1000, Unit: "forfait", UnitPriceCents: 50_00, VATRateBP: 2000}}
			cn, err := billing.DraftCreditNote(ctx, tx, inv.ID, "Avoir sur la facture "+inv.Reference(), gesture, actor, inv.IssuedAt.Add(72*time.Hour))
			if err != nil {
				return err
			}
			if _, err := billing.IssueInvoice(ctx, tx, cn.ID, cn.Version, actor, inv.IssuedAt.Add(72*time.Hour), paris); err != nil {
				return err
			}
			if err := d.remindedSoFar(ctx, tx, inv); err != nil {
				return err
			}
		}
	}
	for _, inv := range issued[billing.SourceQuoteDeposit] { // the deposit paid by transfer three days later
		if err := pay(inv, inv.TotalTTCCents, inv.IssueDate.AddDate(0, 0, 3), "VIR BOULANGERIE MARTIN ACOMPTE "+inv.Reference()); err != nil {
			return err
		}
	}
	for _, inv := range issued[billing.SourceInterventionTime] {
		if err := pay(inv, inv.TotalTTCCents/2, inv.IssueDate.AddDate(0, 0, 7), "VIR CABINET DURAND ACOMPTE "+inv.Reference()); err != nil {
			return err
		}
	}
	return nil
}

// remindedSoFar records the reminders the daily job sent for an overdue invoice before the
// seeding: one at each step of the settings (days after the due date) already past.
func (d *demo) remindedSoFar(ctx context.Context, tx *database.Tx, inv *billing.Invoice) error {
	org, err := provider.Get(ctx, tx)
	if err != nil {
		return err
	}
	paris := zoneParis()
	today := d.now.In(paris)
	for _, step := range org.InvoiceReminderDays {
		on := inv.DueDate.AddDate(0, 0, step)
		at := time.Date(on.Year(), on.Month(), on.Day(), 6, 15, 0, 0, paris)
		if !at.Before(today) {
			continue
		}
		if _, err := billing.MarkReminded(ctx, tx, billing.OverdueStep{Invoice: inv, Step: step}, at); err != nil {
			return err
		}
	}
	return nil
}

// feeFrom reads the period start of a contract-fee source.
func feeFrom(src billing.SourceRef) time.Time {
	d, _ := time.Parse(time.DateOnly, src.Key[len(src.Key)-len(time.DateOnly):])
	return d
}

func zoneParis() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}
