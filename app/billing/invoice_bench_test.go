package billing_test

import (
	"testing"

	"maintenant/app/billing"
	"maintenant/app/interventions"
)

// BenchmarkInvoiceTotals totals a 20-line invoice with three VAT rates, discounts and a deduction
// (per-line rounding, VAT per rate), as every invoice page and PDF does.
func BenchmarkInvoiceTotals(b *testing.B) {
	rates := []int{2000, 1000, 550}
	lines := make([]*billing.InvoiceLine, 20)
	for i := range lines {
		lines[i] = &billing.InvoiceLine{Description: "Ligne", Quantity: interventions.Quantity(1000 + 250*(i%4)),
			UnitPriceCents: 1234 + 997*int64(i), VATRateBP: rates[i%3], DiscountBP: 500 * (i % 2)}
	}
	lines[19].UnitPriceCents = -2500
	b.ReportAllocs()
	var t billing.Totals
	for b.Loop() {
		t = billing.InvoiceTotals(lines, false)
	}
	if t.TTCCents != t.HTCents+t.VATCents {
		b.Fatalf("totals %+v do not add up", t)
	}
}
