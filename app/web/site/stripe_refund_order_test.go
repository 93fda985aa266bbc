package site_test

import (
	"net/http"
	"sync"
	"testing"

	"maintenant/app/billing"
)

// TestStripeWebhookRefundBeforeItsPayment sends, signed, a refund event before the event of the
// payment it refunds (Stripe does not promise the order): the refund is kept, then applied once when
// the payment is booked, whatever the replays and their concurrency.
func TestStripeWebhookRefundBeforeItsPayment(t *testing.T) {
	f := newStripeFixture(t)
	charge := map[string]any{"id": "ch_1", "object": "charge", "amount": 120_00, "amount_refunded": 20_00, "currency": "eur", "payment_intent": "pi_test_1"}
	refund := event("evt_refund_early", "charge.refunded", charge)
	if code := f.send(t, refund); code != http.StatusOK {
		t.Fatalf("early refund: %d", code)
	}
	if st, paid, payments, _ := f.state(t); st != billing.InvoiceIssued || paid != 0 || payments != 0 {
		t.Fatalf("after the early refund: %s paid %d, %d payments", st, paid, payments)
	}
	// The payment's event, ten times at once, and the refund replayed meanwhile.
	completed := event("evt_completed", "checkout.session.completed", f.session("paid", 120_00, "eur"))
	var wg sync.WaitGroup
	for n := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload := completed
			if n%6 == 0 {
				payload = refund
			}
			if code := f.send(t, payload); code != http.StatusOK {
				t.Errorf("event: %d", code)
			}
		}()
	}
	wg.Wait()
	st, paid, payments, _ := f.state(t)
	if st != billing.InvoicePartiallyPaid || paid != 100_00 || payments != 1 {
		t.Fatalf("after the payment: %s paid %d, %d payments", st, paid, payments)
	}
	// The same cumulative refund under another event id: nothing more; a larger one: the difference.
	if code := f.send(t, event("evt_refund_again", "charge.refunded", charge)); code != http.StatusOK {
		t.Fatalf("refund again: %d", code)
	}
	charge["amount_refunded"] = 50_00
	if code := f.send(t, event("evt_refund_more", "charge.refunded", charge)); code != http.StatusOK {
		t.Fatalf("refund more: %d", code)
	}
	if _, paid, _, _ := f.state(t); paid != 70_00 {
		t.Fatalf("after refunds of 50: paid %d", paid)
	}
}
