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
	"maintenant/app/tickets"
)

// invoices writes the demo invoices, issued in date order from the real sources (the numbers follow
// the dates). For each client: a contract fee paid by transfer and one still due, past its due date,
// with the reminders the daily job sent at each step already past and a credit note of the SLA
// penalty of the month three months ago (an outage resolved late); the billable materials of its
// earliest completed intervention that has some. The Boulangerie: its last month's fee paid, the one
// of three months ago due; its materials partly paid by transfer. Both: the deposit of their accepted
// quote, paid by transfer three days later. The Cabinet: the quarter before the previous one paid, the previous quarter due
// and reduced by a commercial-gesture credit note too; the uncovered time of its earliest completed
// intervention, partly paid by transfer; its materials issued, not yet due. The current periods and
// the other interventions are left to bill.
func (d *demo) invoices(ctx context.Context, tx *database.Tx) error {
	actor := audit.Actor{UserID: d.manager.ID, Label: d.manager.Email}
	paris := zoneParis()
	today := d.now.In(paris)
	penaltyMonth := tickets.MonthOf(today, paris).Add(-3)
	type plan struct {
		at     time.Time
		client int
		srcs   []billing.SourceRef
		title  string
		contr  *contracts.Contract
		paid   bool // a contract fee paid by transfer (else still due)
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
			months := c.Terms.BillingPeriod.Months()
			cur, _ := billing.FeePeriod(c.Terms.StartDate, months, today)
			prev, _ := billing.FeePeriod(c.Terms.StartDate, months, cur.AddDate(0, 0, -1))
			// The period holding the penalty month stays due; the latest period before the
			// current one that does not hold it is paid.
			due, _ := billing.FeePeriod(c.Terms.StartDate, months, penaltyMonth.Start(time.UTC))
			paid := prev
			if paid.Equal(due) {
				paid, _ = billing.FeePeriod(c.Terms.StartDate, months, due.AddDate(0, 0, -1))
			}
			if !prev.Before(cur) || due.Equal(paid) || c.Terms.StartDate.After(due) || c.Terms.StartDate.After(paid) {
				continue
			}
			for _, from := range []time.Time{due, paid} {
				plans = append(plans, plan{at: from.Add(8 * time.Hour), client: ci, contr: c, paid: from.Equal(paid),
					srcs: []billing.SourceRef{{Kind: billing.SourceContractFee, Key: billing.FeeKey(c.ID, from)}}})
			}
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
			srcs: []billing.SourceRef{{Kind: billing.SourceInterventionTime, Key: first[0].ID}}})
	}
	// Each client's accepted quote asks a deposit: billed the day after its acceptance.
	for ci, cl := range d.clients {
		var deposits []struct {
			ID        string    `bun:"id"`
			DecidedAt time.Time `bun:"decided_at"`
		}
		if err := tx.NewRaw(`SELECT id, decided_at FROM quotes WHERE client_id = ? AND status = 'accepted' AND deposit_bp > 0
			ORDER BY decided_at LIMIT 1`, cl.ID).Scan(ctx, &deposits); err != nil {
			return fmt.Errorf("seed: invoices: %w", err)
		}
		if len(deposits) == 1 {
			plans = append(plans, plan{at: deposits[0].DecidedAt.Add(24 * time.Hour), client: ci, title: "Acompte sur devis accepté",
				srcs: []billing.SourceRef{{Kind: billing.SourceQuoteDeposit, Key: deposits[0].ID}}})
		}
	}
	// Each client's materials handed over at its earliest completed intervention that has billable
	// ones, billed with the other materials six days before the seeding.
	materialsOn := time.Date(today.Year(), today.Month(), today.Day(), 9, 0, 0, 0, paris).AddDate(0, 0, -6)
	for ci, cl := range d.clients {
		var ids []string
		if err := tx.NewRaw(`SELECT m.id FROM materials AS m JOIN interventions AS i ON i.id = m.intervention_id
			WHERE i.id = (SELECT i2.id FROM interventions AS i2 JOIN materials AS m2 ON m2.intervention_id = i2.id
				WHERE i2.client_id = ? AND i2.status = 'done' AND i2.completed_at < ? AND m2.billable AND NOT m2.from_quote
				ORDER BY i2.completed_at LIMIT 1)
			AND m.billable AND NOT m.from_quote ORDER BY m.created_at, m.id`, cl.ID, materialsOn).Scan(ctx, &ids); err != nil {
			return fmt.Errorf("seed: invoices: %w", err)
		}
		if len(ids) == 0 {
			continue
		}
		p := plan{at: materialsOn, client: ci, title: "Matériel fourni"}
		for _, id := range ids {
			p.srcs = append(p.srcs, billing.SourceRef{Kind: billing.SourceMaterial, Key: id})
		}
		plans = append(plans, p)
	}
	slices.SortFunc(plans, func(a, b plan) int { return a.at.Compare(b.at) })
	type issuedInvoice struct {
		*billing.Invoice
		paid bool
	}
	issued := map[billing.SourceKind][]issuedInvoice{}
	for _, p := range plans {
		var inv *billing.Invoice
		var err error
		if p.srcs[0].Kind == billing.SourceContractFee {
			inv, _, err = billing.BillContractFee(ctx, tx, p.contr.ID, feeFrom(p.srcs[0]), actor, p.at, paris)
		} else {
			inv, err = billing.CreateFromSources(ctx, tx, d.clients[p.client].ID, uuid.Nil, p.title, p.srcs, actor, p.at, paris)
			if err == nil {
				inv, err = billing.IssueInvoice(ctx, tx, inv.ID, inv.Version, actor, p.at, paris)
			}
		}
		if err != nil {
			return fmt.Errorf("seed: invoice %s: %w", p.srcs[0], err)
		}
		issued[p.srcs[0].Kind] = append(issued[p.srcs[0].Kind], issuedInvoice{inv, p.paid})
	}
	pay := func(inv *billing.Invoice, amount int64, on time.Time, ref string) error {
		if on.After(today) {
			on = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
		}
		_, err := billing.RecordPayment(ctx, tx, inv.ID, billing.PaymentInput{AmountCents: amount, PaidOn: on, Method: billing.MethodTransfer, Reference: ref},
			0, actor, on.Add(10*time.Hour), paris)
		return err
	}
	payer := map[uuid.UUID]string{d.clients[0].ID: "VIR BOULANGERIE MARTIN ", d.clients[1].ID: "VIR CABINET DURAND "}
	var dueFees []*billing.Invoice
	for _, inv := range issued[billing.SourceContractFee] {
		if inv.paid { // paid by transfer, ten days later
			if err := pay(inv.Invoice, inv.TotalTTCCents, inv.IssueDate.AddDate(0, 0, 10), payer[inv.ClientID]+inv.Reference()); err != nil {
				return err
			}
			continue
		}
		dueFees = append(dueFees, inv.Invoice)
		if inv.ClientID == d.clients[1].ID { // the Cabinet's: a commercial gesture for a late visit
			gesture := []*billing.InvoiceLine{{Description: "Geste commercial : visite trimestrielle décalée", Quantity: 1000, Unit: "forfait", UnitPriceCents: 50_00, VATRateBP: 2000}}
			cn, err := billing.DraftCreditNote(ctx, tx, inv.ID, "Avoir sur la facture "+inv.Reference(), gesture, actor, inv.IssuedAt.Add(72*time.Hour))
			if err != nil {
				return err
			}
			if _, err := billing.IssueInvoice(ctx, tx, cn.ID, cn.Version, actor, inv.IssuedAt.Add(72*time.Hour), paris); err != nil {
				return err
			}
		}
	}
	// The SLA penalty of the month three months ago, credited on the fee still due the day after
	// that month ends, in the order of the fees' numbers.
	slices.SortFunc(dueFees, func(a, b *billing.Invoice) int { return a.Number - b.Number })
	creditAt := penaltyMonth.End(paris).Add(33 * time.Hour)
	for _, inv := range dueFees {
		cn, err := billing.DraftPenaltyCreditNote(ctx, tx, inv.ContractID.UUID, penaltyMonth, inv.ID, actor, creditAt, paris)
		if err != nil {
			return fmt.Errorf("seed: SLA penalty credit note on %s: %w", inv.Reference(), err)
		}
		if _, err := billing.IssueInvoice(ctx, tx, cn.ID, cn.Version, actor, creditAt, paris); err != nil {
			return err
		}
		creditAt = creditAt.Add(time.Minute)
		if err := d.remindedSoFar(ctx, tx, inv); err != nil {
			return err
		}
	}
	for _, inv := range issued[billing.SourceQuoteDeposit] { // the deposit paid by transfer three days later
		if err := pay(inv.Invoice, inv.TotalTTCCents, inv.IssueDate.AddDate(0, 0, 3), payer[inv.ClientID]+"ACOMPTE "+inv.Reference()); err != nil {
			return err
		}
	}
	for _, inv := range issued[billing.SourceInterventionTime] {
		if err := pay(inv.Invoice, inv.TotalTTCCents/2, inv.IssueDate.AddDate(0, 0, 7), "VIR CABINET DURAND ACOMPTE "+inv.Reference()); err != nil {
			return err
		}
	}
	for _, inv := range issued[billing.SourceMaterial] { // the Boulangerie pays a first part of its materials
		if inv.ClientID == d.clients[0].ID {
			if err := pay(inv.Invoice, 100_00, inv.IssueDate.AddDate(0, 0, 4), payer[inv.ClientID]+"MATERIEL "+inv.Reference()); err != nil {
				return err
			}
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
