package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/clients"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

const testWebhookSecret = "whsec_test_0123456789abcdef"

// stripeFixture is an issued invoice of 120,00 € with an attempt to pay it by session cs_test_1.
type stripeFixture struct {
	app     *testutil.App
	invoice uuid.UUID
	attempt *billing.Attempt
}

func newStripeFixture(t *testing.T) *stripeFixture {
	t.Helper()
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true, Env: map[string]string{
		"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": testWebhookSecret,
	}})
	f := &stripeFixture{app: app}
	ctx := context.Background()
	var cl []clients.Client
	if err := app.DB.Bun.NewSelect().Model(&cl).Where("name = ?", "Boulangerie Martin").Scan(ctx); err != nil || len(cl) != 1 {
		t.Fatalf("client: %v", err)
	}
	err := app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		inv, err := billing.CreateInvoice(ctx, tx, billing.InvoiceInput{ClientID: cl[0].ID, Title: "Décembre", PaymentTermsDays: 30,
			Lines: []*billing.InvoiceLine{{Description: "Redevance", Quantity: 1000, UnitPriceCents: 100_00, VATRateBP: 2000}}}, audit.Actor{Label: "test"}, app.Clock.Now())
		if err != nil {
			return err
		}
		if inv, err = billing.IssueInvoice(ctx, tx, inv.ID, inv.Version, audit.Actor{Label: "test"}, app.Clock.Now(), nil); err != nil {
			return err
		}
		f.invoice = inv.ID
		_, f.attempt, err = billing.StartAttempt(ctx, tx, cl[0].ID, inv.ID, audit.Actor{Label: "test"}, app.Clock.Now())
		if err != nil {
			return err
		}
		return billing.SetAttemptSession(ctx, tx, f.attempt.ID, "cs_test_1", app.Clock.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// event is a Stripe event of type typ about object.
func event(id, typ string, object map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": stripe.APIVersion, "created": time.Now().Unix(),
		"type": typ, "data": map[string]any{"object": object}})
	return b
}

func (f *stripeFixture) session(status string, amount int64, currency string) map[string]any {
	return map[string]any{"id": "cs_test_1", "object": "checkout.session", "amount_total": amount, "currency": currency,
		"payment_status": status, "metadata": map[string]string{"invoice_id": f.invoice.String()}, "payment_intent": "pi_test_1"}
}

// post sends a payload to the webhook with a signature header and returns the status.
func (f *stripeFixture) post(t *testing.T, payload []byte, header string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	if header != "" {
		req.Header.Set("Stripe-Signature", header)
	}
	res, err := f.app.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

func signed(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

func (f *stripeFixture) send(t *testing.T, payload []byte) int {
	t.Helper()
	return f.post(t, payload, signed(payload, testWebhookSecret, time.Now()))
}

// state is the invoice's status, paid amount, number of payments and of events stored.
func (f *stripeFixture) state(t *testing.T) (billing.InvoiceStatus, int64, int, int) {
	t.Helper()
	inv, err := billing.GetInvoice(context.Background(), f.app.DB.Bun, f.invoice)
	if err != nil {
		t.Fatal(err)
	}
	var payments, events int
	ctx := context.Background()
	if err := f.app.DB.Bun.NewRaw("SELECT count(*) FROM payments WHERE invoice_id = ?", f.invoice).Scan(ctx, &payments); err != nil {
		t.Fatal(err)
	}
	if err := f.app.DB.Bun.NewRaw("SELECT count(*) FROM stripe_events").Scan(ctx, &events); err != nil {
		t.Fatal(err)
	}
	return inv.Status, inv.PaidCents, payments, events
}

func TestStripeWebhookRefusesUntrustedPayloads(t *testing.T) {
	f := newStripeFixture(t)
	payload := event("evt_1", "checkout.session.completed", f.session("paid", 120_00, "eur"))
	for name, header := range map[string]string{
		"unsigned":        "",
		"wrong signature": signed(payload, "whsec_other", time.Now()),
		"stale (6 min)":   signed(payload, testWebhookSecret, time.Now().Add(-6*time.Minute)),
		"garbage header":  "t=1,v1=zz",
	} {
		if code := f.post(t, payload, header); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, code)
		}
	}
	// A body changed after signing.
	header := signed(payload, testWebhookSecret, time.Now())
	forged := bytes.Replace(payload, []byte("12000"), []byte("99999"), 1)
	if code := f.post(t, forged, header); code != http.StatusBadRequest {
		t.Errorf("forged body: %d", code)
	}
	if st, paid, n, ev := f.state(t); st != billing.InvoiceIssued || paid != 0 || n != 0 || ev != 0 {
		t.Fatalf("after refusals: %s paid %d, %d payments, %d events", st, paid, n, ev)
	}
}

func TestStripeWebhookSameEventTenTimesSequentialAndConcurrent(t *testing.T) {
	f := newStripeFixture(t)
	payload := event("evt_paid", "checkout.session.completed", f.session("paid", 120_00, "eur"))
	for range 10 {
		if code := f.send(t, payload); code != http.StatusOK {
			t.Fatalf("sequential: %d", code)
		}
	}
	// Another event id reporting the same session (async_payment_succeeded), ten times at once.
	other := event("evt_async", "checkout.session.async_payment_succeeded", f.session("paid", 120_00, "eur"))
	var wg sync.WaitGroup
	codes := make(chan int, 20)
	for range 10 {
		wg.Add(2)
		go func() { defer wg.Done(); codes <- f.send(t, payload) }()
		go func() { defer wg.Done(); codes <- f.send(t, other) }()
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("concurrent: %d", code)
		}
	}
	if st, paid, n, ev := f.state(t); st != billing.InvoicePaid || paid != 120_00 || n != 1 || ev != 2 {
		t.Fatalf("after 30 deliveries: %s paid %d, %d payments, %d events", st, paid, n, ev)
	}
}

func TestStripeWebhookAsyncFailedIsNotPaid(t *testing.T) {
	f := newStripeFixture(t)
	if code := f.send(t, event("evt_c", "checkout.session.completed", f.session("unpaid", 120_00, "eur"))); code != http.StatusOK {
		t.Fatal(code)
	}
	if code := f.send(t, event("evt_f", "checkout.session.async_payment_failed", f.session("unpaid", 120_00, "eur"))); code != http.StatusOK {
		t.Fatal(code)
	}
	if st, paid, n, _ := f.state(t); st != billing.InvoiceIssued || paid != 0 || n != 0 {
		t.Fatalf("after completed unpaid + failed: %s paid %d, %d payments", st, paid, n)
	}
	var status string
	if err := f.app.DB.Bun.NewRaw("SELECT status FROM payment_attempts WHERE id = ?", f.attempt.ID).Scan(context.Background(), &status); err != nil || status != "failed" {
		t.Fatalf("attempt = %q, %v", status, err)
	}
}

func TestStripeWebhookMismatchFlaggedNeverBooked(t *testing.T) {
	for name, s := range map[string]struct {
		amount   int64
		currency string
	}{"amount": {119_99, "eur"}, "currency": {120_00, "usd"}, "too much": {500_00, "eur"}} {
		t.Run(name, func(t *testing.T) {
			f := newStripeFixture(t)
			if code := f.send(t, event("evt_m", "checkout.session.completed", f.session("paid", s.amount, s.currency))); code != http.StatusOK {
				t.Fatal(code)
			}
			if st, paid, n, _ := f.state(t); st != billing.InvoiceIssued || paid != 0 || n != 0 {
				t.Fatalf("mismatch booked: %s paid %d, %d payments", st, paid, n)
			}
			inv, _ := billing.GetInvoice(context.Background(), f.app.DB.Bun, f.invoice)
			if !inv.Flagged || inv.FlagReason == "" {
				t.Fatalf("not flagged: %+v", inv)
			}
			var n int
			if err := f.app.DB.Bun.NewRaw("SELECT count(*) FROM audit_log WHERE action = ?", audit.PaymentFlagged).Scan(context.Background(), &n); err != nil || n != 1 {
				t.Fatalf("audit: %d, %v", n, err)
			}
			// Staff see it on the invoice and in the list.
			staff := f.app.LoginAs(t, testutil.Manager)
			if text := staff.Get("/admin/invoices/" + f.invoice.String()).Text(t); !strings.Contains(text, "À vérifier") || !strings.Contains(text, "non enregistré") {
				t.Fatalf("flag not shown to staff:\n%s", text)
			}
			if !strings.Contains(staff.Get("/admin/invoices").Text(t), "À vérifier") {
				t.Fatal("flag not in the list")
			}
		})
	}
}

func TestStripeWebhookRefundAppliedOnceAndDisputeFlagged(t *testing.T) {
	f := newStripeFixture(t)
	if code := f.send(t, event("evt_p", "checkout.session.completed", f.session("paid", 120_00, "eur"))); code != http.StatusOK {
		t.Fatal(code)
	}
	refund := func(id string, cumulative int64) {
		charge := map[string]any{"id": "ch_1", "object": "charge", "amount": 120_00, "amount_refunded": cumulative, "currency": "eur", "payment_intent": "pi_test_1"}
		if code := f.send(t, event(id, "charge.refunded", charge)); code != http.StatusOK {
			t.Fatalf("refund %s: %d", id, code)
		}
	}
	refund("evt_r1", 20_00)
	refund("evt_r1", 20_00) // the same event again
	refund("evt_r2", 20_00) // another event with the same cumulative amount
	if st, paid, _, _ := f.state(t); st != billing.InvoicePartiallyPaid || paid != 100_00 {
		t.Fatalf("after refunds of 20: %s paid %d", st, paid)
	}
	refund("evt_r3", 50_00) // cumulative: 30 more
	if _, paid, _, _ := f.state(t); paid != 70_00 {
		t.Fatalf("after refunds of 50: paid %d", paid)
	}
	dispute := map[string]any{"id": "dp_1", "object": "dispute", "amount": 70_00, "currency": "eur", "payment_intent": "pi_test_1", "reason": "fraudulent", "status": "needs_response"}
	if code := f.send(t, event("evt_d", "charge.dispute.created", dispute)); code != http.StatusOK {
		t.Fatal(code)
	}
	inv, _ := billing.GetInvoice(context.Background(), f.app.DB.Bun, f.invoice)
	if !inv.Flagged {
		t.Fatal("dispute not flagged")
	}
	// Unknown types are acknowledged.
	if code := f.send(t, event("evt_u", "customer.created", map[string]any{"id": "cus_1", "object": "customer"})); code != http.StatusOK {
		t.Fatalf("unknown type: %d", code)
	}
	var outcome string
	if err := f.app.DB.Bun.NewRaw("SELECT outcome FROM stripe_events WHERE id = 'evt_u'").Scan(context.Background(), &outcome); err != nil || outcome != billing.OutcomeIgnored {
		t.Fatalf("unknown outcome = %q, %v", outcome, err)
	}
}
