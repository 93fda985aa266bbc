package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/checkout/session"
	"github.com/stripe/stripe-go/v76/webhook"

	"maintenant/app/apperr"
	"maintenant/app/billing"
	"maintenant/app/database"
)

var (
	devSecretOnce sync.Once
	devSecret     string
)

// WebhookSecret is the secret Stripe's events are signed with: STRIPE_WEBHOOK_SECRET, or without
// Stripe keys a random secret of this process, which only the built-in test checkout knows (it
// feeds its events to this process's handler directly; nobody outside can sign one).
func (s *Server) WebhookSecret() string {
	if s.Config.StripeWebhookSecret != "" {
		return s.Config.StripeWebhookSecret
	}
	devSecretOnce.Do(func() {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			panic(fmt.Sprintf("web: random: %v", err))
		}
		devSecret = "whsec_dev_" + hex.EncodeToString(b)
	})
	return devSecret
}

// TestCheckout tells whether payments go through the built-in test checkout (no Stripe keys).
func (s *Server) TestCheckout() bool { return s.Config.StripeSecretKey == "" }

// ErrBadSignature is a webhook whose signature, timestamp or body cannot be trusted.
var ErrBadSignature = errors.New("web: stripe webhook refused")

// ProcessStripePayload verifies a webhook body and its Stripe-Signature header (HMAC with the
// webhook secret, at most 5 minutes old, API version 2023-10-16) and applies the event in one
// transaction with its record (billing.ProcessStripeEvent). An untrusted payload is ErrBadSignature
// and changes nothing.
func (s *Server) ProcessStripePayload(ctx context.Context, payload []byte, header string) (string, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, header, s.WebhookSecret(), webhook.ConstructEventOptions{Tolerance: webhook.DefaultTolerance})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	var outcome string
	err = s.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		var err error
		outcome, err = billing.ProcessStripeEvent(ctx, tx, ev, s.Now(), s.Config.Location)
		return err
	})
	return outcome, err
}

// HandleStripeWebhook handles the "POST /webhooks/stripe" route: the raw body and its signature;
// 400 for an untrusted payload (nothing changes), 200 once the event is applied or known, 500 when
// it could not be applied (Stripe sends it again).
func (s *Server) HandleStripeWebhook(c *fiber.Ctx) error {
	outcome, err := s.ProcessStripePayload(c.UserContext(), c.Body(), c.Get("Stripe-Signature"))
	switch {
	case errors.Is(err, ErrBadSignature):
		s.Logger.Warn("stripe webhook refused", "err", err)
		return c.Status(fiber.StatusBadRequest).SendString("invalid signature")
	case apperr.KindOf(err) == apperr.Invalid:
		return c.Status(fiber.StatusBadRequest).SendString("invalid event")
	case err != nil:
		return err
	}
	return c.Status(fiber.StatusOK).JSON(fiber.Map{"received": true, "outcome": outcome})
}

// TestEvent builds and signs, with this process's webhook secret, the event the built-in test
// checkout sends for an attempt: "pay" (a completed, paid session) or "fail" (an asynchronous
// payment that failed).
func (s *Server) TestEvent(a *billing.Attempt, action string) (payload []byte, header string, err error) {
	typ, status := "checkout.session.completed", "paid"
	if action == "fail" {
		typ, status = "checkout.session.async_payment_failed", "unpaid"
	}
	sid := "cs_test_" + a.ID.String()
	if a.SessionID != nil {
		sid = *a.SessionID
	}
	obj := map[string]any{
		"id": sid, "object": "checkout.session", "amount_total": a.AmountCents, "currency": "eur",
		"payment_status": status, "client_reference_id": a.InvoiceID.String(),
		"metadata":       map[string]string{"invoice_id": a.InvoiceID.String(), "attempt": strconv.Itoa(a.Attempt)},
		"payment_intent": "pi_test_" + a.ID.String(),
	}
	ev := map[string]any{
		"id": "evt_test_" + action + "_" + a.ID.String(), "object": "event", "api_version": stripe.APIVersion,
		"created": s.Now().Unix(), "type": typ, "data": map[string]any{"object": obj},
	}
	if payload, err = json.Marshal(ev); err != nil {
		return nil, "", err
	}
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: s.WebhookSecret(), Timestamp: time.Now()})
	return signed.Payload, signed.Header, nil
}

// stripeBackend is the API backend: Stripe's, or STRIPE_API_URL (stripe-mock in tests).
func (s *Server) stripeBackend() stripe.Backend {
	cfg := &stripe.BackendConfig{LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}}
	if s.Config.StripeAPIURL != "" {
		cfg.URL = stripe.String(s.Config.StripeAPIURL)
	}
	return stripe.GetBackendWithConfig(stripe.APIBackend, cfg)
}

// CreateCheckoutSession opens a Stripe Checkout Session for an attempt: the amount of the attempt
// (taken from the database), the invoice id in the metadata, success and cancel URLs from BASE_URL,
// and the idempotency key of the invoice and attempt. It returns the session's id and URL.
func (s *Server) CreateCheckoutSession(inv *billing.Invoice, a *billing.Attempt, email string) (id, url string, err error) {
	base := "/portal/invoices/" + inv.ID.String()
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		SuccessURL:        stripe.String(s.Config.URL(base + "/paid?attempt=" + a.ID.String())),
		CancelURL:         stripe.String(s.Config.URL(base)),
		ClientReferenceID: stripe.String(inv.ID.String()),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{
			Quantity: stripe.Int64(1),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency: stripe.String("eur"), UnitAmount: stripe.Int64(a.AmountCents),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String("Facture " + inv.Reference())},
			},
		}},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{
			Metadata: map[string]string{"invoice_id": inv.ID.String(), "attempt": strconv.Itoa(a.Attempt)},
		},
	}
	if email != "" {
		params.CustomerEmail = stripe.String(email)
	}
	params.AddMetadata("invoice_id", inv.ID.String())
	params.AddMetadata("attempt", strconv.Itoa(a.Attempt))
	params.SetIdempotencyKey(a.IdempotencyKey())
	sc := session.Client{B: s.stripeBackend(), Key: s.Config.StripeSecretKey}
	cs, err := sc.New(params)
	if err != nil {
		return "", "", fmt.Errorf("web: stripe checkout session: %w", err)
	}
	return cs.ID, cs.URL, nil
}
