package billing_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/provider"
	"maintenant/app/sla"
	"maintenant/app/tickets"
)

func TestInvoiceTotalsRoundHalfAwayFromZero(t *testing.T) {
	lines := []*billing.InvoiceLine{
		// 0,333 × 10,05 = 3,34665 → 3,35
		{Quantity: 333, UnitPriceCents: 10_05, VATRateBP: 2000},
		// 1 × 0,125 € (12,5 c) is not a price; 3 × 4,165 → priced as 1,5 × 0,05 = 0,075 → 0,08
		{Quantity: 1500, UnitPriceCents: 5, VATRateBP: 550},
		// a deduction: −0,075 → −0,08 (away from zero), VAT at 20 %
		{Quantity: 1500, UnitPriceCents: -5, VATRateBP: 2000},
		{Quantity: 2000, UnitPriceCents: 100_00, VATRateBP: 2000, DiscountBP: 1000},
	}
	tot := billing.InvoiceTotals(lines, false)
	if got := []int64{lines[0].LineHTCents, lines[1].LineHTCents, lines[2].LineHTCents, lines[3].LineHTCents}; !slices.Equal(got, []int64{3_35, 8, -8, 180_00}) {
		t.Fatalf("line HT = %v", got)
	}
	// 20 %: 3,35 − 0,08 + 180,00 = 183,27 → VAT 36,654 → 36,65; 5,5 %: 0,08 → 0,0044 → 0,00.
	if tot.HTCents != 183_35 || tot.VATCents != 36_65 || tot.TTCCents != 220_00 {
		t.Fatalf("totals = %+v", tot)
	}
	if len(tot.VAT) != 2 || tot.VAT[0].RateBP != 2000 || tot.VAT[0].BaseCents != 183_27 || tot.VAT[1].VATCents != 0 {
		t.Fatalf("VAT per rate = %+v", tot.VAT)
	}
	exempt := billing.InvoiceTotals(lines, true)
	if exempt.VATCents != 0 || exempt.TTCCents != exempt.HTCents {
		t.Fatalf("exempt totals = %+v", exempt)
	}
}

func TestFeePeriod(t *testing.T) {
	tests := []struct {
		start    string
		months   int
		day      string
		from, to string
	}{
		{"2026-01-01", 1, "2026-12-02", "2026-12-01", "2026-12-31"},
		{"2026-01-15", 1, "2026-12-02", "2026-11-15", "2026-12-14"},
		{"2026-01-31", 1, "2026-02-28", "2026-02-28", "2026-03-30"},
		{"2026-01-31", 1, "2026-03-30", "2026-02-28", "2026-03-30"},
		{"2026-01-31", 1, "2026-03-31", "2026-03-31", "2026-04-29"},
		{"2026-02-01", 3, "2026-12-02", "2026-11-01", "2027-01-31"},
		{"2025-07-01", 12, "2026-12-02", "2026-07-01", "2027-06-30"},
		{"2027-01-01", 1, "2026-12-02", "2027-01-01", "2027-01-31"},
	}
	for _, tt := range tests {
		from, to := billing.FeePeriod(day(tt.start), tt.months, day(tt.day))
		if from.Format(time.DateOnly) != tt.from || to.Format(time.DateOnly) != tt.to {
			t.Errorf("FeePeriod(%s, %d, %s) = %s..%s, want %s..%s", tt.start, tt.months, tt.day,
				from.Format(time.DateOnly), to.Format(time.DateOnly), tt.from, tt.to)
		}
	}
}

func invoiceInput(clientID uuid.UUID) billing.InvoiceInput {
	return billing.InvoiceInput{
		ClientID: clientID, Title: "Travaux de décembre", PaymentTermsDays: 30,
		Lines: []*billing.InvoiceLine{
			{Description: "Installation d'un poste", Quantity: 1000, Unit: "forfait", UnitPriceCents: 250_00, VATRateBP: 2000},
			{Description: "Câble réseau", Quantity: 3000, Unit: "u", UnitPriceCents: 12_50, VATRateBP: 2000},
		},
	}
}

func (f *fixture) draftInvoice(t *testing.T, in billing.InvoiceInput) *billing.Invoice {
	t.Helper()
	var inv *billing.Invoice
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		inv, err = billing.CreateInvoice(ctx, tx, in, f.staff, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return inv
}

func (f *fixture) issue(t *testing.T, inv *billing.Invoice) *billing.Invoice {
	t.Helper()
	var out *billing.Invoice
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		out, err = billing.IssueInvoice(ctx, tx, inv.ID, inv.Version, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) setProvider(t *testing.T, change func(o *provider.Organisation)) {
	t.Helper()
	ctx := context.Background()
	o, err := provider.Get(ctx, f.db.Bun)
	if err != nil {
		t.Fatal(err)
	}
	o.Name, o.SIREN, o.VATNumber, o.IBAN, o.BIC = "Maintenant SARL", "732829320", "FR44732829320", "FR7630006000011234567890189", "AGRIFRPP"
	change(o)
	if err := provider.Update(ctx, f.db.Bun, o, now); err != nil {
		t.Fatal(err)
	}
}

func TestIssueNumbersSnapshotsAndFreezes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.setProvider(t, func(*provider.Organisation) {})
	d := f.draftInvoice(t, invoiceInput(f.client))
	if d.Status != billing.InvoiceDraft || d.Reference() != "" || d.TotalHTCents != 287_50 || d.TotalTTCCents != 345_00 {
		t.Fatalf("draft = %+v", d)
	}
	// A draft is editable.
	in := invoiceInput(f.client)
	in.Lines = in.Lines[:1]
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		d, err = billing.UpdateInvoice(ctx, tx, d.ID, in, d.Version, f.staff, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(d.Lines) != 1 || d.TotalTTCCents != 300_00 {
		t.Fatalf("edited draft = %+v", d)
	}
	inv := f.issue(t, d)
	if inv.Reference() != "F-2026-0001" || inv.Status != billing.InvoiceIssued || inv.IssueDate.Format(time.DateOnly) != "2026-12-02" ||
		inv.DueDate.Format(time.DateOnly) != "2027-01-01" {
		t.Fatalf("issued = %s %s %s %s", inv.Reference(), inv.Status, inv.IssueDate, inv.DueDate)
	}
	if inv.Seller == nil || inv.Seller.SIREN != "732829320" || inv.Seller.IBAN == "" || inv.Buyer == nil || inv.Buyer.Name != "Boulangerie Martin" {
		t.Fatalf("parties = %+v %+v", inv.Seller, inv.Buyer)
	}
	if inv.ServiceFrom.IsZero() || inv.ServiceTo.IsZero() {
		t.Fatalf("service period missing: %+v", inv)
	}
	// The provider's later changes do not touch the issued invoice.
	f.setProvider(t, func(o *provider.Organisation) { o.Name = "Autre nom" })
	again, err := billing.GetInvoice(ctx, f.db.Bun, inv.ID)
	if err != nil || again.Seller.Name != "Maintenant SARL" {
		t.Fatalf("seller after settings change = %+v, %v", again.Seller, err)
	}
	// The store refuses to edit, issue again or delete it.
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.UpdateInvoice(ctx, tx, inv.ID, in, inv.Version, f.staff, now)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrInvoiceNotDraft)
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.DeleteDraftInvoice(ctx, tx, inv.ID, inv.Version, f.staff, now)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrInvoiceNotDraft)
	// And so does the database, whoever asks.
	for _, sql := range []string{
		"UPDATE invoices SET total_ht_cents = 1, total_ttc_cents = 1 + total_vat_cents WHERE id = ?",
		"UPDATE invoices SET title = 'autre' WHERE id = ?",
		"UPDATE invoices SET status = 'draft', number = NULL, year = NULL, issued_at = NULL WHERE id = ?",
		"DELETE FROM invoices WHERE id = ?",
		"UPDATE invoice_lines SET unit_price_cents = 1 WHERE invoice_id = ?",
		"DELETE FROM invoice_lines WHERE invoice_id = ?",
		"INSERT INTO invoice_lines (id, invoice_id, position, description, quantity, unit_price_cents, vat_rate_bp, line_ht_cents) VALUES (gen_random_uuid(), ?, 9, 'x', 1, 1, 0, 1)",
	} {
		if _, err := f.db.Bun.ExecContext(ctx, sql, inv.ID); err == nil {
			t.Errorf("%s: accepted", sql)
		}
	}
	after, err := billing.GetInvoice(ctx, f.db.Bun, inv.ID)
	if err != nil || after.TotalTTCCents != 300_00 || len(after.Lines) != 1 || after.Title != inv.Title {
		t.Fatalf("after refused changes: %+v, %v", after, err)
	}
	// A draft, though, is deleted.
	d2 := f.draftInvoice(t, invoiceInput(f.client))
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.DeleteDraftInvoice(ctx, tx, d2.ID, d2.Version, f.staff, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestIssueRefusesEmptyOrNegativeAndCrossClientContract(t *testing.T) {
	f := setup(t)
	in := invoiceInput(f.client)
	in.Lines = nil
	d := f.draftInvoice(t, in)
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.IssueInvoice(ctx, tx, d.ID, d.Version, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["lines"] != "invoices.error.no_lines" {
		t.Fatalf("empty issue: %v", err)
	}
	in = invoiceInput(f.client)
	in.Lines = []*billing.InvoiceLine{{Description: "Pénalité", Quantity: 1000, UnitPriceCents: -10_00, VATRateBP: 2000}}
	d = f.draftInvoice(t, in)
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.IssueInvoice(ctx, tx, d.ID, d.Version, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["lines"] != "invoices.error.total_not_positive" {
		t.Fatalf("negative issue: %v", err)
	}
	// Bad lines: one message per field.
	in = invoiceInput(f.client)
	in.Lines[0].Quantity, in.Lines[1].VATRateBP, in.Title = 0, 1234, ""
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CreateInvoice(ctx, tx, in, f.staff, now)
		return err
	})
	fs := apperr.FieldsOf(err)
	if fs["lines.0.quantity"] == "" || fs["lines.1.vat_rate"] == "" || fs["title"] == "" {
		t.Fatalf("bad input: %v", fs)
	}
}

func TestConcurrentIssuesNumberWithoutGapOrDuplicate(t *testing.T) {
	f := setup(t)
	const n = 100
	drafts := make([]*billing.Invoice, n)
	for i := range drafts {
		drafts[i] = f.draftInvoice(t, invoiceInput(f.client))
	}
	// One issue fails and rolls back: its number is given back.
	var wg sync.WaitGroup
	errs := make(chan error, n+1)
	for _, d := range drafts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
				_, err := billing.IssueInvoice(ctx, tx, d.ID, d.Version, f.staff, now, paris)
				return err
			})
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		d := drafts[0]
		errs <- f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
			if _, err := database.NextNumber(ctx, tx, billing.InvoiceSeries, 2026); err != nil {
				return err
			}
			return fmt.Errorf("rolled back on purpose (%s)", d.ID)
		})
	}()
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("%d transactions failed, want only the one rolled back on purpose", failed)
	}
	var numbers []int
	if err := f.db.Bun.NewRaw("SELECT number FROM invoices WHERE kind = 'invoice' ORDER BY number").Scan(context.Background(), &numbers); err != nil {
		t.Fatal(err)
	}
	if len(numbers) != n {
		t.Fatalf("%d numbers", len(numbers))
	}
	for i, got := range numbers {
		if got != i+1 {
			t.Fatalf("numbers = %v, want 1..%d", numbers, n)
		}
	}
}

func TestPaymentsPartialFullAndOverpaymentRefused(t *testing.T) {
	f := setup(t)
	inv := f.issue(t, f.draftInvoice(t, invoiceInput(f.client))) // 345,00 TTC
	pay := func(inv *billing.Invoice, amount int64, on string) (*billing.Payment, error) {
		var p *billing.Payment
		err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
			p, err = billing.RecordPayment(ctx, tx, inv.ID, billing.PaymentInput{AmountCents: amount, PaidOn: day(on),
				Method: billing.MethodTransfer, Reference: "VIR 123"}, 0, f.staff, now, paris)
			return err
		})
		return p, err
	}
	reload := func() *billing.Invoice {
		got, err := billing.GetInvoice(context.Background(), f.db.Bun, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, tt := range []struct {
		amount int64
		on     string
		field  string
		key    string
	}{
		{0, "2026-12-01", "amount", "payments.error.amount"},
		{-5, "2026-12-01", "amount", "payments.error.amount"},
		{345_01, "2026-12-01", "amount", "payments.error.overpayment"},
		{100_00, "2026-12-03", "paid_on", "payments.error.future"},
	} {
		if _, err := pay(inv, tt.amount, tt.on); apperr.FieldsOf(err)[tt.field] != tt.key {
			t.Errorf("pay %d on %s: %v", tt.amount, tt.on, err)
		}
	}
	if _, err := pay(inv, 100_00, "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	if got := reload(); got.Status != billing.InvoicePartiallyPaid || got.DueCents() != 245_00 {
		t.Fatalf("after partial: %s due %d", got.Status, got.DueCents())
	}
	if _, err := pay(inv, 245_01, "2026-12-02"); apperr.FieldsOf(err)["amount"] != "payments.error.overpayment" {
		t.Fatalf("overpayment: %v", err)
	}
	if _, err := pay(inv, 245_00, "2026-12-02"); err != nil {
		t.Fatal(err)
	}
	if got := reload(); got.Status != billing.InvoicePaid || got.DueCents() != 0 || got.PaidCents != 345_00 {
		t.Fatalf("after full: %s due %d", got.Status, got.DueCents())
	}
	_, err := pay(inv, 1, "2026-12-02")
	wantKind(t, err, apperr.Conflict, billing.ErrInvoiceNotPayable)
	// A draft takes no payment.
	d := f.draftInvoice(t, invoiceInput(f.client))
	_, err = pay(d, 1_00, "2026-12-02")
	wantKind(t, err, apperr.Conflict, billing.ErrInvoiceNotPayable)
	ps, err := billing.PaymentsOf(context.Background(), f.db.Bun, inv.ID)
	if err != nil || len(ps) != 2 {
		t.Fatalf("payments = %d, %v", len(ps), err)
	}
}

func TestCancelByCreditNote(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	inv := f.issue(t, f.draftInvoice(t, invoiceInput(f.client)))
	var cn *billing.Invoice
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		cn, err = billing.CancelInvoice(ctx, tx, inv.ID, inv.Version, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if cn.Reference() != "A-2026-0001" || cn.Kind != billing.KindCreditNote || cn.TotalTTCCents != inv.TotalTTCCents ||
		cn.CreditsReference() != "F-2026-0001" || len(cn.Lines) != len(inv.Lines) {
		t.Fatalf("credit note = %s %s %d credits %s", cn.Reference(), cn.Kind, cn.TotalTTCCents, cn.CreditsReference())
	}
	got, err := billing.GetInvoice(ctx, f.db.Bun, inv.ID)
	if err != nil || got.Status != billing.InvoiceCancelled || got.DueCents() != 0 {
		t.Fatalf("cancelled invoice = %+v, %v", got, err)
	}
	// Nothing left to credit.
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CancelInvoice(ctx, tx, inv.ID, 0, f.staff, now, paris)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrInvoiceNotIssued)

	// Partly paid: only a partial credit note, at most what is still owed.
	inv2 := f.issue(t, f.draftInvoice(t, invoiceInput(f.client)))
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.RecordPayment(ctx, tx, inv2.ID, billing.PaymentInput{AmountCents: 300_00, PaidOn: day("2026-12-01"), Method: billing.MethodCheque}, 0, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CancelInvoice(ctx, tx, inv2.ID, 0, f.staff, now, paris)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrPaidCannotCancel)
	tooMuch := []*billing.InvoiceLine{{Description: "Geste commercial", Quantity: 1000, UnitPriceCents: 40_00, VATRateBP: 2000}} // 48,00 TTC > 45,00
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		d, err := billing.DraftCreditNote(ctx, tx, inv2.ID, "Geste", tooMuch, f.staff, now)
		if err != nil {
			return err
		}
		_, err = billing.IssueInvoice(ctx, tx, d.ID, d.Version, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["lines"] != "invoices.error.credit_too_much" {
		t.Fatalf("credit too much: %v", err)
	}
	fits := []*billing.InvoiceLine{{Description: "Geste commercial", Quantity: 1000, UnitPriceCents: 37_50, VATRateBP: 2000}} // 45,00 TTC
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		d, err := billing.DraftCreditNote(ctx, tx, inv2.ID, "Geste", fits, f.staff, now)
		if err != nil {
			return err
		}
		_, err = billing.IssueInvoice(ctx, tx, d.ID, d.Version, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, _ = billing.GetInvoice(ctx, f.db.Bun, inv2.ID)
	if got.Status != billing.InvoicePaid || got.DueCents() != 0 || got.CreditedCents != 45_00 {
		t.Fatalf("after credit = %s due %d credited %d", got.Status, got.DueCents(), got.CreditedCents)
	}
}

// contract creates an active contract of the client: 120,00 € a month from 1 January 2026, 2 hours
// included, 60,00 € an hour.
func (f *fixture) contract(t *testing.T) *contracts.Contract {
	t.Helper()
	hours := []string{"09:00-18:00"}
	policy := &contracts.SLAPolicy{
		Name:  "Bureau",
		Hours: map[string][]string{"monday": hours, "tuesday": hours, "wednesday": hours, "thursday": hours, "friday": hours},
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 240}, sla.High: {ReactionMinutes: 120, ResolutionMinutes: 480},
			sla.Normal: {ReactionMinutes: 240, ResolutionMinutes: 960}, sla.Low: {ReactionMinutes: 480, ResolutionMinutes: 2400},
		},
		FrenchHolidays: true, PenaltyBPPerHour: 100, PenaltyCapBP: 1000,
	}
	c := &contracts.Contract{ClientID: f.client}
	v := &contracts.Version{
		SLAPolicyID: uuid.NullUUID{UUID: policy.ID, Valid: true}, Title: "Maintenance du parc", Object: "Maintenance corrective.",
		Services:         []contracts.Service{{Kind: contracts.ServiceWorkstations, Description: "3 postes"}},
		MaintenanceKinds: []contracts.MaintenanceKind{contracts.MaintenanceCorrective},
		StartDate:        day("2026-01-01"), InitialMonths: 12, FeeCents: 120_00, BillingPeriod: contracts.BillingMonthly,
		PaymentTermsDays: 15, IncludedMinutes: 120, HourlyRateCents: 60_00,
	}
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		if err := contracts.CreateSLAPolicy(ctx, tx, policy, now.AddDate(-1, 0, 0)); err != nil {
			return err
		}
		v.SLAPolicyID = uuid.NullUUID{UUID: policy.ID, Valid: true}
		if err := contracts.Create(ctx, tx, c, v, uuid.Nil, now.AddDate(-1, 0, 0)); err != nil {
			return err
		}
		out, _, err := contracts.Transition(ctx, tx, c.ID, contracts.StatusActive, "", c.Version, now.AddDate(-1, 0, 0))
		if err == nil {
			c = out
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestContractFeeBilledOncePerPeriod(t *testing.T) {
	f := setup(t)
	c := f.contract(t)
	due, err := billing.DueFeePeriods(context.Background(), f.db.Bun, now, paris)
	if err != nil || due[c.ID].Format(time.DateOnly) != "2026-12-01" {
		t.Fatalf("due = %v, %v", due, err)
	}
	// Ten concurrent runs of the period job bill the period once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[uuid.UUID]int{}
	created := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.db.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
				inv, isNew, err := billing.BillContractFee(ctx, tx, c.ID, day("2026-12-01"), f.staff, now, paris)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				ids[inv.ID]++
				if isNew {
					created++
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(ids) != 1 || created != 1 {
		t.Fatalf("invoices = %v, created %d", ids, created)
	}
	var inv *billing.Invoice
	for id := range ids {
		inv, _ = billing.GetInvoice(context.Background(), f.db.Bun, id)
	}
	if inv.Status != billing.InvoiceIssued || inv.TotalHTCents != 120_00 || inv.ServiceFrom.Format(time.DateOnly) != "2026-12-01" ||
		inv.ServiceTo.Format(time.DateOnly) != "2026-12-31" || inv.DueDate.Format(time.DateOnly) != "2026-12-17" || len(inv.Lines) != 1 {
		t.Fatalf("fee invoice = %s %d %s..%s due %s", inv.Status, inv.TotalHTCents, inv.ServiceFrom, inv.ServiceTo, inv.DueDate)
	}
	due, _ = billing.DueFeePeriods(context.Background(), f.db.Bun, now, paris)
	if _, ok := due[c.ID]; ok {
		t.Fatalf("period still due after billing")
	}
	// The same period added by hand to a draft is refused.
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CreateFromSources(ctx, tx, f.client, c.ID, "Encore", []billing.SourceRef{{Kind: billing.SourceContractFee, Key: billing.FeeKey(c.ID, day("2026-12-01"))}}, f.staff, now, paris)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrAlreadyBilled)
	// A date that does not start a period, or another client's contract, is not a source.
	for _, src := range []billing.SourceRef{
		{Kind: billing.SourceContractFee, Key: billing.FeeKey(c.ID, day("2026-11-15"))},
		{Kind: billing.SourceContractFee, Key: billing.FeeKey(uuid.New(), day("2026-11-01"))},
	} {
		err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
			_, err := billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Autre", []billing.SourceRef{src}, f.staff, now, paris)
			return err
		})
		if apperr.FieldsOf(err)["sources"] != "invoices.error.source_unknown" {
			t.Errorf("%s: %v", src, err)
		}
	}
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CreateFromSources(ctx, tx, f.other, uuid.Nil, "Autre", []billing.SourceRef{{Kind: billing.SourceContractFee, Key: billing.FeeKey(c.ID, day("2026-11-01"))}}, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["sources"] != "invoices.error.source_unknown" {
		t.Errorf("other client's contract: %v", err)
	}
}

// doneIntervention completes an intervention of the contract: 3 hours covered (2 included, 1
// overrun at 60,00), 30 billable minutes, a billable material and one that is not.
func (f *fixture) doneIntervention(t *testing.T, c *contracts.Contract) *interventions.Sheet {
	t.Helper()
	var s *interventions.Sheet
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.Create(ctx, tx, interventions.Input{ClientID: f.client, ContractID: c.ID, Kind: interventions.KindCorrective,
			Place: interventions.PlaceOnSite, Title: "Caisse en panne"}, f.staff, now.Add(-48*time.Hour))
		if err != nil {
			return err
		}
		if i, err = interventions.TakeUp(ctx, tx, i.ID, f.manager.ID, i.Version, f.staff, now.Add(-48*time.Hour)); err != nil {
			return err
		}
		for _, e := range []interventions.TimeEntry{
			{TechnicianID: f.manager.ID, Category: interventions.CategoryWork, StartedAt: day("2026-12-01").Add(8 * time.Hour), Minutes: 180},
			{TechnicianID: f.manager.ID, Category: interventions.CategoryWork, StartedAt: day("2026-12-01").Add(12 * time.Hour), Minutes: 30, Billable: true},
		} {
			if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &e, i.Version, now.Add(-24*time.Hour)); err != nil {
				return err
			}
		}
		for _, m := range []interventions.Material{
			{Description: "Alimentation 450 W", QuantityMilli: 1000, UnitPriceCents: 59_90, Billable: true},
			{Description: "Vis", QuantityMilli: 4000, UnitPriceCents: 10},
		} {
			if i, err = interventions.AddMaterial(ctx, tx, i.ID, &m, i.Version, now.Add(-24*time.Hour)); err != nil {
				return err
			}
		}
		s, _, err = interventions.Complete(ctx, tx, i.ID, i.Version, f.staff, now.Add(-time.Hour), paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInterventionTimeAndMaterialsBilledOnce(t *testing.T) {
	f := setup(t)
	c := f.contract(t)
	s := f.doneIntervention(t, c)
	var billable, free uuid.UUID
	for _, m := range s.Materials {
		if m.Billable {
			billable = m.ID
		} else {
			free = m.ID
		}
	}
	srcs := []billing.SourceRef{{Kind: billing.SourceInterventionTime, Key: s.ID.String()}, {Kind: billing.SourceMaterial, Key: billable.String()}}
	var inv *billing.Invoice
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		inv, err = billing.CreateFromSources(ctx, tx, f.client, c.ID, "Intervention", srcs, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// 1 h overrun + 30 min billable at 60,00 = 90,00; the material 59,90.
	if len(inv.Lines) != 2 || inv.Lines[0].LineHTCents != 90_00 || inv.Lines[1].LineHTCents != 59_90 || inv.TotalHTCents != 149_90 {
		t.Fatalf("lines = %+v", inv.Lines)
	}
	if inv.PaymentTermsDays != 15 {
		t.Errorf("payment terms = %d, want the contract's 15", inv.PaymentTermsDays)
	}
	// Neither can go on a second invoice, even a draft one.
	for _, src := range srcs {
		err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
			_, err := billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Encore", []billing.SourceRef{src}, f.staff, now, paris)
			return err
		})
		wantKind(t, err, apperr.Conflict, billing.ErrAlreadyBilled)
	}
	// The material not billable is no source.
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Vis", []billing.SourceRef{{Kind: billing.SourceMaterial, Key: free.String()}}, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["sources"] != "invoices.error.source_unknown" {
		t.Fatalf("free material: %v", err)
	}
	// Editing the draft keeps the sources of the lines kept; removing a line frees its source.
	var edited *billing.Invoice
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		in := billing.InvoiceInput{ClientID: f.client, ContractID: c.ID, Title: "Intervention", PaymentTermsDays: 15, Lines: inv.Lines[:1]}
		edited, err = billing.UpdateInvoice(ctx, tx, inv.ID, in, inv.Version, f.staff, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Matériel", srcs[1:], f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatalf("material freed by the edit: %v", err)
	}
	err = f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Temps", srcs[:1], f.staff, now, paris)
		return err
	})
	wantKind(t, err, apperr.Conflict, billing.ErrAlreadyBilled)
	// Deleting the draft frees the time too.
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.DeleteDraftInvoice(ctx, tx, edited.ID, edited.Version, f.staff, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Temps", srcs[:1], f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatalf("time freed by deleting the draft: %v", err)
	}
}

func TestQuoteDepositThenBalance(t *testing.T) {
	f := setup(t)
	q := f.sent(t) // 860,25 HT: 830,25 at 20 %, 30,00 at 5,5 %; deposit 30 %
	var i *interventions.Intervention
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		_, i, err = billing.Accept(ctx, tx, f.client, q.ID, f.acceptInput(q), f.alicy(), now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	key := q.ID.String()
	// The balance waits for the work.
	err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Solde", []billing.SourceRef{{Kind: billing.SourceQuote, Key: key}}, f.staff, now, paris)
		return err
	})
	if apperr.FieldsOf(err)["sources"] != "invoices.error.quote_not_done" {
		t.Fatalf("balance before the work: %v", err)
	}
	var dep *billing.Invoice
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		dep, err = billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Acompte", []billing.SourceRef{{Kind: billing.SourceQuoteDeposit, Key: key}}, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// 30 % of 830,25 = 249,075 → 249,08 at 20 %; of 30,00 = 9,00 at 5,5 %.
	if len(dep.Lines) != 2 || dep.Lines[0].LineHTCents != 249_08 || dep.Lines[1].LineHTCents != 9_00 || dep.Lines[1].VATRateBP != 550 {
		t.Fatalf("deposit lines = %+v", dep.Lines)
	}
	// The work is done.
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
		i, err := interventions.TakeUp(ctx, tx, i.ID, f.manager.ID, i.Version, f.staff, now)
		if err != nil {
			return err
		}
		e := interventions.TimeEntry{TechnicianID: f.manager.ID, Category: interventions.CategoryWork, StartedAt: day("2026-12-01").Add(9 * time.Hour), Minutes: 60, Billable: true}
		if i, err = interventions.AddTimeEntry(ctx, tx, i.ID, &e, i.Version, now); err != nil {
			return err
		}
		_, _, err = interventions.Complete(ctx, tx, i.ID, i.Version, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var bal *billing.Invoice
	if err := f.tx(t, func(ctx context.Context, tx *database.Tx) (err error) {
		bal, err = billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Solde", []billing.SourceRef{{Kind: billing.SourceQuote, Key: key}}, f.staff, now, paris)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The quote's three lines, then the deposit deducted per rate.
	if len(bal.Lines) != 5 || bal.TotalHTCents != 860_25-249_08-9_00 {
		t.Fatalf("balance = %d HT, lines %+v", bal.TotalHTCents, bal.Lines)
	}
	for _, src := range []billing.SourceKind{billing.SourceQuote, billing.SourceQuoteDeposit} {
		err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
			_, err := billing.CreateFromSources(ctx, tx, f.client, uuid.Nil, "Encore", []billing.SourceRef{{Kind: src, Key: key}}, f.staff, now, paris)
			return err
		})
		wantKind(t, err, apperr.Conflict, billing.ErrAlreadyBilled)
	}
}

func TestSLAPenaltySource(t *testing.T) {
	f := setup(t)
	c := f.contract(t)
	// The current month is not over; November had no breach.
	for key, want := range map[string]string{
		billing.PenaltyKey(c.ID, tickets.Month{Year: 2026, Month: time.December}): "invoices.error.month_not_over",
		billing.PenaltyKey(c.ID, tickets.Month{Year: 2026, Month: time.November}): "invoices.error.no_penalty",
	} {
		err := f.tx(t, func(ctx context.Context, tx *database.Tx) error {
			_, err := billing.CreateFromSources(ctx, tx, f.client, c.ID, "Pénalités", []billing.SourceRef{{Kind: billing.SourceSLAPenalty, Key: key}}, f.staff, now, paris)
			return err
		})
		if apperr.FieldsOf(err)["sources"] != want {
			t.Errorf("%s: %v, want %s", key, err, want)
		}
	}
}
