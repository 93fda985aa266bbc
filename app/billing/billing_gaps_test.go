package billing_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/provider"
	"maintenant/app/tickets"
)

func (f *fixture) reload(t *testing.T, id uuid.UUID) *billing.Invoice {
	t.Helper()
	inv, err := billing.GetInvoice(context.Background(), f.db.Bun, id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestPartialCreditNoteNeverMoreThanCreditable(t *testing.T) {
	f := setup(t)
	inv := f.issue(t, f.draftInvoice(t, invoiceInput(f.client))) // 250,00 + 37,50 HT = 345,00 TTC
	l0, l1 := inv.Lines[0], inv.Lines[1]
	draft := func(picks ...billing.CreditPick) (*billing.Invoice, error) {
		var cn *billing.Invoice
		err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
			cn, err = billing.DraftPartialCreditNote(ctx, tx, inv.ID, "", picks, f.staff, now)
			return err
		})
		return cn, err
	}
	for _, tt := range []struct {
		picks []billing.CreditPick
		field string
		key   string
	}{
		{[]billing.CreditPick{{LineID: l0.ID, AmountCents: 250_01}}, "lines.0.amount", "credit.error.more_than_line"},
		{[]billing.CreditPick{{LineID: l1.ID, AmountCents: -1}}, "lines.1.amount", "credit.error.amount"},
		{[]billing.CreditPick{{LineID: l0.ID, AmountCents: 0}}, "lines", "credit.error.none"},
		{nil, "lines", "credit.error.none"},
	} {
		if _, err := draft(tt.picks...); apperr.FieldsOf(err)[tt.field] != tt.key {
			t.Errorf("%+v: %v, want %s %s", tt.picks, err, tt.field, tt.key)
		}
	}
	if _, err := draft(billing.CreditPick{LineID: uuid.Must(uuid.NewV7()), AmountCents: 1_00}); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("another invoice's line: %v", err)
	}
	cn, err := draft(billing.CreditPick{LineID: l0.ID, AmountCents: 100_00}, billing.CreditPick{LineID: l1.ID, AmountCents: 37_50})
	if err != nil {
		t.Fatal(err)
	}
	if cn.Kind != billing.KindCreditNote || !cn.IsDraft() || len(cn.Lines) != 2 || cn.TotalTTCCents != 165_00 || cn.Lines[0].VATRateBP != l0.VATRateBP {
		t.Fatalf("credit note = %s %s %d lines, %d TTC", cn.Kind, cn.Status, len(cn.Lines), cn.TotalTTCCents)
	}
	f.issue(t, cn)
	if got := f.reload(t, inv.ID); got.CreditedCents != 165_00 || got.DueCents() != 180_00 {
		t.Fatalf("after credit: credited %d due %d", got.CreditedCents, got.DueCents())
	}
	// Paid 100,00: 80,00 TTC left to credit, never more.
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.RecordPayment(ctx, tx, inv.ID, billing.PaymentInput{AmountCents: 100_00, PaidOn: day("2026-12-01"), Method: billing.MethodTransfer}, 0, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := draft(billing.CreditPick{LineID: l0.ID, AmountCents: 66_68}); apperr.FieldsOf(err)["lines"] != "invoices.error.credit_too_much" { // 80,02 TTC
		t.Fatalf("credit too much: %v", err)
	}
	cn2, err := draft(billing.CreditPick{LineID: l0.ID, AmountCents: 66_67}) // 80,00 TTC
	if err != nil {
		t.Fatal(err)
	}
	f.issue(t, cn2)
	if got := f.reload(t, inv.ID); got.Status != billing.InvoicePaid || got.DueCents() != 0 {
		t.Fatalf("after second credit: %s due %d", got.Status, got.DueCents())
	}
	if _, err := draft(billing.CreditPick{LineID: l0.ID, AmountCents: 1_00}); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("nothing left to credit: %v", err)
	}
}

func TestPenaltyCreditNoteRefusals(t *testing.T) {
	f := setup(t)
	c := f.contract(t)
	nov := tickets.Month{Year: 2026, Month: time.November}
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.DraftPenaltyCreditNote(ctx, tx, c.ID, nov, uuid.Nil, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["month"] != "invoices.error.no_penalty" {
		t.Fatalf("no penalty: %v", err)
	}
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.DraftPenaltyCreditNote(ctx, tx, c.ID, tickets.Month{Year: 2026, Month: time.December}, uuid.Nil, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["month"] != "invoices.error.month_not_over" {
		t.Fatalf("month not over: %v", err)
	}
}

// stripeSession is a Checkout Session as Stripe's API lists it.
func stripeSession(id string, invoiceID uuid.UUID, status stripe.CheckoutSessionPaymentStatus, amount int64) *stripe.CheckoutSession {
	return &stripe.CheckoutSession{ID: id, PaymentStatus: status, AmountTotal: amount, Currency: "eur",
		Metadata: map[string]string{"invoice_id": invoiceID.String()}, PaymentIntent: &stripe.PaymentIntent{ID: "pi_" + id}}
}

func TestReconcileBooksMissedSessionsAndRecordsDiscrepancies(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	inv := f.issue(t, f.draftInvoice(t, invoiceInput(f.client))) // 345,00 TTC
	other := f.issue(t, f.draftInvoice(t, invoiceInput(f.client)))
	for _, x := range []struct {
		inv *billing.Invoice
		sid string
	}{{inv, "cs_missed"}, {other, "cs_other"}} {
		if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
			_, a, err := billing.StartAttempt(ctx, tx, f.client, x.inv.ID, f.alicy(), now)
			if err != nil {
				return err
			}
			return billing.SetAttemptSession(ctx, tx, a.ID, x.sid, now)
		}); err != nil {
			t.Fatal(err)
		}
	}
	run := func(sessions ...*stripe.CheckoutSession) (*billing.ReconciliationRun, []billing.FindingKind) {
		var r *billing.ReconciliationRun
		var kinds []billing.FindingKind
		if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
			if r, err = billing.StartReconciliation(ctx, tx, now); err != nil {
				return err
			}
			for _, s := range sessions {
				k, err := billing.ReconcileSession(ctx, tx, r, s, now, paris)
				if err != nil {
					return err
				}
				kinds = append(kinds, k)
			}
			return billing.FinishReconciliation(ctx, tx, r, nil, now)
		}); err != nil {
			t.Fatal(err)
		}
		return r, kinds
	}
	// A paid session whose webhook never came is booked, once, and said to staff; an unpaid one and
	// a session of nothing of ours are nothing to say; a paid one for another amount is not booked.
	r, kinds := run(stripeSession("cs_missed", inv.ID, stripe.CheckoutSessionPaymentStatusPaid, 345_00),
		stripeSession("cs_open", inv.ID, stripe.CheckoutSessionPaymentStatusUnpaid, 345_00),
		&stripe.CheckoutSession{ID: "cs_foreign", PaymentStatus: stripe.CheckoutSessionPaymentStatusPaid, AmountTotal: 10_00, Currency: "eur"},
		stripeSession("cs_other", other.ID, stripe.CheckoutSessionPaymentStatusPaid, 1_00))
	if want := []billing.FindingKind{billing.FindingBookedMissed, "", "", billing.FindingNotBooked}; len(kinds) != 4 || kinds[0] != want[0] || kinds[1] != "" || kinds[2] != "" || kinds[3] != want[3] {
		t.Fatalf("kinds = %v", kinds)
	}
	if r.SessionsSeen != 4 || r.Booked != 1 || r.Findings != 2 {
		t.Fatalf("run = %+v", r)
	}
	if got := f.reload(t, inv.ID); got.Status != billing.InvoicePaid || got.PaidCents != 345_00 {
		t.Fatalf("missed session: %s paid %d", got.Status, got.PaidCents)
	}
	if got := f.reload(t, other.ID); got.PaidCents != 0 || !got.Flagged {
		t.Fatalf("mismatched session: paid %d flagged %v", got.PaidCents, got.Flagged)
	}
	var audits int
	if err := f.db.Bun.NewRaw("SELECT count(*) FROM audit_log WHERE action = ? AND target_id = ?", audit.PaymentReconciled, inv.ID.String()).Scan(ctx, &audits); err != nil || audits != 1 {
		t.Fatalf("audit of the reconciled payment: %d, %v", audits, err)
	}
	// Run again: the booked session matches now; the mismatch is not written twice.
	if _, kinds = run(stripeSession("cs_missed", inv.ID, stripe.CheckoutSessionPaymentStatusPaid, 345_00),
		stripeSession("cs_other", other.ID, stripe.CheckoutSessionPaymentStatusPaid, 1_00)); kinds[0] != "" {
		t.Fatalf("second run: %v", kinds)
	}
	// Stripe reports another amount for a recorded payment, then the session unpaid: findings only,
	// the invoice never changes.
	_, kinds = run(stripeSession("cs_missed", inv.ID, stripe.CheckoutSessionPaymentStatusPaid, 300_00))
	_, kinds2 := run(stripeSession("cs_missed", inv.ID, stripe.CheckoutSessionPaymentStatusUnpaid, 345_00))
	if kinds[0] != billing.FindingAmountDiffers || kinds2[0] != billing.FindingRecordedNotPaid {
		t.Fatalf("discrepancies: %v %v", kinds, kinds2)
	}
	if got := f.reload(t, inv.ID); got.Status != billing.InvoicePaid || got.PaidCents != 345_00 {
		t.Fatalf("invoice changed by a discrepancy: %s paid %d", got.Status, got.PaidCents)
	}
	// A recorded Stripe payment that Stripe does not list.
	var missing int
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		r, err := billing.StartReconciliation(ctx, tx, now.Add(2*time.Hour))
		if err != nil {
			return err
		}
		if missing, err = billing.ReconcileMissing(ctx, tx, r, []string{"cs_other"}, now.Add(2*time.Hour)); err != nil {
			return err
		}
		return billing.FinishReconciliation(ctx, tx, r, nil, now.Add(2*time.Hour))
	}); err != nil || missing != 1 {
		t.Fatalf("missing at Stripe: %d, %v", missing, err)
	}
	fs, n, err := billing.OpenFindings(ctx, f.db.Bun)
	if err != nil || n != 5 || len(fs) != 5 {
		t.Fatalf("open findings = %d, %v", n, err)
	}
	if fs[0].InvoiceReference() == "" || fs[0].ClientName != "Boulangerie Martin" {
		t.Fatalf("finding = %+v", fs[0])
	}
	resolve := func(id uuid.UUID) error {
		return f.tx(t, func(ctx context.Context, tx *database.Tx) error {
			_, err := billing.ResolveFinding(ctx, tx, id, f.staff, now)
			return err
		})
	}
	if err := resolve(fs[0].ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, resolve(fs[0].ID), apperr.Conflict, "reconciliation.error.handled")
	if apperr.KindOf(resolve(uuid.Must(uuid.NewV7()))) != apperr.NotFound {
		t.Fatal("unknown finding")
	}
	if _, n, _ := billing.OpenFindings(ctx, f.db.Bun); n != 4 {
		t.Fatalf("open after resolve = %d", n)
	}
	if last, err := billing.LastReconciliation(ctx, f.db.Bun); err != nil || last == nil || last.FinishedAt.IsZero() || last.Findings != 1 {
		t.Fatalf("last run = %+v, %v", last, err)
	}
}

func TestOutOfOrderRefundAppliedWhenThePaymentIsBooked(t *testing.T) {
	f := setup(t)
	inv := f.issue(t, f.draftInvoice(t, invoiceInput(f.client)))
	ev := func(id, typ, raw string) stripe.Event {
		return stripe.Event{ID: id, Type: stripe.EventType(typ), Data: &stripe.EventData{Raw: []byte(raw)}}
	}
	process := func(e stripe.Event) string {
		var out string
		if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
			out, err = billing.ProcessStripeEvent(ctx, tx, e, now, paris)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	refund := `{"id":"ch_1","object":"charge","amount":34500,"amount_refunded":4500,"currency":"eur","payment_intent":"pi_x"}`
	if got := process(ev("evt_r1", "charge.refunded", refund)); got != billing.OutcomePending {
		t.Fatalf("refund first: %s", got)
	}
	if got := process(ev("evt_r1", "charge.refunded", refund)); got != billing.OutcomeDuplicate {
		t.Fatalf("refund replayed: %s", got)
	}
	session := `{"id":"cs_x","object":"checkout.session","amount_total":34500,"currency":"eur","payment_status":"paid","metadata":{"invoice_id":"` +
		inv.ID.String() + `"},"payment_intent":"pi_x"}`
	if got := process(ev("evt_s1", "checkout.session.completed", session)); got != billing.OutcomeBooked {
		t.Fatalf("session: %s", got)
	}
	got := f.reload(t, inv.ID)
	if got.PaidCents != 300_00 || got.Status != billing.InvoicePartiallyPaid {
		t.Fatalf("after booking: paid %d %s", got.PaidCents, got.Status)
	}
	// The same refund sent again by another event id: the cumulative amount is applied already.
	if out := process(ev("evt_r2", "charge.refunded", refund)); out != billing.OutcomeNothing {
		t.Fatalf("refund again: %s", out)
	}
	if got := f.reload(t, inv.ID); got.PaidCents != 300_00 {
		t.Fatalf("refund applied twice: paid %d", got.PaidCents)
	}
}

func TestBillingReports(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	c := f.contract(t)
	f.setProvider(t, func(o *provider.Organisation) { o.InternalHourlyCostCents = 40_00 })
	in := invoiceInput(f.client)
	f.issue(t, f.draftInvoice(t, in)) // due 2027-01-01
	in0 := invoiceInput(f.client)
	in0.PaymentTermsDays = 0
	b := f.issue(t, f.draftInvoice(t, in0)) // due 2026-12-02
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.RecordPayment(ctx, tx, b.ID, billing.PaymentInput{AmountCents: 100_00, PaidOn: day("2026-12-02"), Method: billing.MethodTransfer}, 0, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	o := f.issue(t, f.draftInvoice(t, invoiceInput(f.other)))

	// 5 March 2027: a is 63 days late, b 93 days, o 63 days.
	r, err := billing.AgeingByClient(ctx, f.db.Bun, day("2027-03-05"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 2 || r.Rows[0].ClientName != "Boulangerie Martin" {
		t.Fatalf("ageing rows = %+v", r.Rows)
	}
	bm := r.Rows[0]
	if bm.Late61to90 != 345_00 || bm.LateOver90 != 245_00 || bm.DueCents != 590_00 || bm.OverdueCent != 590_00 || bm.Invoices != 2 || bm.NotDue != 0 {
		t.Fatalf("Boulangerie = %+v", bm)
	}
	if r.Total.DueCents != 590_00+o.TotalTTCCents || r.Total.Late61to90 != 690_00 {
		t.Fatalf("total = %+v", r.Total)
	}
	// On 2 December, nothing is late but b (due today is not late).
	r, _ = billing.AgeingByClient(ctx, f.db.Bun, day("2026-12-02"))
	if r.Total.NotDue != r.Total.DueCents || r.Total.OverdueCent != 0 {
		t.Fatalf("not due yet = %+v", r.Total)
	}

	// A credit note of 100,00 HT in December; December's revenue is three invoices less it.
	cn, err := func() (*billing.Invoice, error) {
		var cn *billing.Invoice
		err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
			cn, err = billing.DraftPartialCreditNote(ctx, tx, o.ID, "", []billing.CreditPick{{LineID: o.Lines[0].ID, AmountCents: 100_00}}, f.staff, now)
			return err
		})
		return cn, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	f.issue(t, cn)
	months, err := billing.RevenueByMonth(ctx, f.db.Bun, day("2026-11-15"), day("2027-01-10"))
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != 3 || months[0].NetHT != 0 || months[2].NetHT != 0 {
		t.Fatalf("months = %+v", months)
	}
	if dec := months[1]; dec.Month.Format("2006-01") != "2026-12" || dec.InvoicedHT != 3*287_50 || dec.CreditedHT != 100_00 ||
		dec.NetHT != 3*287_50-100_00 || dec.ReceivedCents != 100_00 {
		t.Fatalf("December = %+v", dec)
	}

	// Profitability: the contract's fee of December (120,00 HT), its uncovered time and materials
	// billed, 3 h 30 logged at 40,00 € an hour.
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, _, err := billing.BillContractFee(ctx, tx, c.ID, day("2026-12-01"), f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.doneIntervention(t, c)
	ps, err := billing.ProfitabilityByContract(ctx, f.db.Bun, day("2026-01-01"), day("2026-12-31"), 40_00, paris)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ContractID != c.ID {
		t.Fatalf("profit rows = %+v", ps)
	}
	p := ps[0]
	if p.FeeHT != 120_00 || p.ExtrasHT != 0 || p.Minutes != 210 || p.CostCents != 140_00 || p.NetHT != 120_00 || p.MarginCents != -20_00 {
		t.Fatalf("profit = %+v", p)
	}
	// A period without the invoice nor the time: nothing.
	if ps, _ := billing.ProfitabilityByContract(ctx, f.db.Bun, day("2025-01-01"), day("2025-12-31"), 40_00, paris); len(ps) != 0 {
		t.Fatalf("empty period = %+v", ps)
	}
}

// queryCounter counts the statements bun runs.
type queryCounter struct{ n int }

func (q *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (q *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) { q.n++ }

func TestCandidatesBoundedQueries(t *testing.T) {
	f := setup(t)
	c := f.contract(t)
	counter := &queryCounter{}
	counted := f.db.Bun.WithQueryHook(counter)
	count := func() (int, []billing.Candidate) {
		counter.n = 0
		cs, err := billing.Candidates(context.Background(), counted, f.client, now, paris)
		if err != nil {
			t.Fatal(err)
		}
		return counter.n, cs
	}
	f.doneIntervention(t, c)
	one, cs1 := count()
	for n := range 3 {
		f.doneInterventionOn(t, c, day("2026-11-02").AddDate(0, 0, n))
	}
	four, cs4 := count()
	kinds := func(cs []billing.Candidate) map[billing.SourceKind]int {
		m := map[billing.SourceKind]int{}
		for _, c := range cs {
			m[c.Ref.Kind]++
			if c.Description == "" || c.AmountCents == 0 {
				t.Errorf("candidate %s: %q %d", c.Ref, c.Description, c.AmountCents)
			}
		}
		return m
	}
	k1, k4 := kinds(cs1), kinds(cs4)
	if k4[billing.SourceMaterial] != 4*k1[billing.SourceMaterial] || k1[billing.SourceMaterial] == 0 || k4[billing.SourceContractFee] != 1 {
		t.Fatalf("candidates: %v then %v", k1, k4)
	}
	if one == 0 || one != four {
		t.Fatalf("queries: %d with one intervention, %d with four", one, four)
	}
}

// doneInterventionOn completes an intervention of the contract with 3 h of work on day d and a
// billable material.
func (f *fixture) doneInterventionOn(t *testing.T, c *contracts.Contract, d time.Time) {
	t.Helper()
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: f.client, ContractID: c.ID, Kind: interventions.KindCorrective,
			Place: interventions.PlaceOnSite, Title: "Poste en panne"}, f.staff, now.Add(-48*time.Hour))
		if err != nil {
			return err
		}
		if i, err = interventions.TakeUp(ctx, tx, i.ID, f.manager.ID, i.Version, f.staff, now.Add(-48*time.Hour)); err != nil {
			return err
		}
		e := interventions.TimeEntry{TechnicianID: f.manager.ID, Category: interventions.CategoryWork, StartedAt: d.Add(8 * time.Hour), Minutes: 180}
		if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &e, i.Version, now.Add(-24*time.Hour)); err != nil {
			return err
		}
		m := interventions.Material{Description: "Barrette mémoire", QuantityMilli: 1000, UnitPriceCents: 39_90, Billable: true}
		if i, err = interventions.AddMaterial(ctx, tx, i.ID, &m, i.Version, now.Add(-24*time.Hour)); err != nil {
			return err
		}
		_, _, err = interventions.Complete(ctx, tx, i.ID, i.Version, f.staff, now.Add(-time.Hour), paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
