package site_test

import (
	"net/http"
	"testing"

	"maintenant/app/billing"
)

// TestAttackWebhookOutOfOrder delivers Stripe's events in an order Stripe does not promise to keep:
// the asynchronous success before the session's "completed, unpaid", and cumulative refunds newest
// first. The invoice ends as the latest truth says, with one payment. (Replays and forged payloads:
// stripe_webhook_test.go.)
func TestAttackWebhookOutOfOrder(t *testing.T) {
	f := newStripeFixture(t)
	send := func(id, typ string, object map[string]any) {
		t.Helper()
		if code := f.send(t, event(id, typ, object)); code != http.StatusOK {
			t.Fatalf("%s %s: %d", id, typ, code)
		}
	}
	send("evt_async", "checkout.session.async_payment_succeeded", f.session("paid", 120_00, "eur"))
	send("evt_done", "checkout.session.completed", f.session("unpaid", 120_00, "eur"))
	if st, paid, n, _ := f.state(t); st != billing.InvoicePaid || paid != 120_00 || n != 1 {
		t.Fatalf("success then the older 'unpaid': %s paid %d, %d payments", st, paid, n)
	}
	charge := func(cumulative int64) map[string]any {
		return map[string]any{"id": "ch_1", "object": "charge", "amount": 120_00, "amount_refunded": cumulative, "currency": "eur", "payment_intent": "pi_test_1"}
	}
	send("evt_r2", "charge.refunded", charge(50_00)) // the later refund arrives first
	send("evt_r1", "charge.refunded", charge(20_00)) // then the earlier one
	if st, paid, _, _ := f.state(t); st != billing.InvoicePartiallyPaid || paid != 70_00 {
		t.Fatalf("refunds of 50 then 20 (cumulative): %s paid %d, want 70,00 paid", st, paid)
	}
}
