package site_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// TestJourneyBillingGaps walks the manager's billing pages in a real browser: an invoice typed by
// hand (a line, saved, then edited), a credit note of part of an invoice and of an SLA penalty,
// the billing reports and a Stripe reconciliation finding on the payments page; each page checked
// (axe, no sideways scroll) and photographed.
func TestJourneyBillingGaps(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "billing-gaps")
	bakery := clientNamed(t, app, "Boulangerie Martin")
	ctx := context.Background()
	var contract uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM contracts WHERE client_id = ? AND status = 'active' ORDER BY reference LIMIT 1", bakery).Scan(ctx, &contract); err != nil {
		t.Fatal(err)
	}
	var issued *billing.Invoice
	if err := app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) (err error) {
		d, err := billing.CreateInvoice(ctx, tx, billing.InvoiceInput{ClientID: bakery, ContractID: contract, Title: "Migration du serveur de caisse", PaymentTermsDays: 30,
			Lines: []*billing.InvoiceLine{
				{Description: "Migration du serveur de caisse", Quantity: 1000, Unit: "forfait", UnitPriceCents: 500_00, VATRateBP: 2000},
				{Description: "Câble réseau catégorie 6", Quantity: 4000, Unit: "u", UnitPriceCents: 12_50, VATRateBP: 2000},
			}}, audit.Actor{Label: "test"}, app.Clock.Now())
		if err != nil {
			return err
		}
		if issued, err = billing.IssueInvoice(ctx, tx, d.ID, d.Version, audit.Actor{Label: "test"}, app.Clock.Now(), nil); err != nil {
			return err
		}
		d2, err := billing.CreateInvoice(ctx, tx, billing.InvoiceInput{ClientID: bakery, ContractID: contract, Title: "Remplacement de l'onduleur", PaymentTermsDays: 30,
			Lines: []*billing.InvoiceLine{{Description: "Onduleur 1500 VA", Quantity: 1000, Unit: "u", UnitPriceCents: 320_00, VATRateBP: 2000}}},
			audit.Actor{Label: "test"}, app.Clock.Now())
		if err != nil {
			return err
		}
		paidOnline, err := billing.IssueInvoice(ctx, tx, d2.ID, d2.Version, audit.Actor{Label: "test"}, app.Clock.Now(), nil)
		if err != nil {
			return err
		}
		r, err := billing.StartReconciliation(ctx, tx, app.Clock.Now())
		if err != nil {
			return err
		}
		s := &stripe.CheckoutSession{ID: "cs_live_a1B2c3D4e5F6g7H8i9J0", PaymentStatus: stripe.CheckoutSessionPaymentStatusPaid,
			AmountTotal: paidOnline.TotalTTCCents, Currency: "eur", Metadata: map[string]string{"invoice_id": paidOnline.ID.String()}}
		if _, err := billing.ReconcileSession(ctx, tx, r, s, app.Clock.Now(), nil); err != nil {
			return err
		}
		return billing.FinishReconciliation(ctx, tx, r, nil, app.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}

	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")
	j.run(chromedp.Navigate(base + "/admin/invoices/manual?client=" + bakery.String()))
	j.waitPath("/admin/invoices/manual")
	j.run(
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "Travaux de décembre"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="lines.0.description"]`), "Installation d'un poste de caisse"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.0.quantity"]`), "1"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.0.unit_price"]`), "abc"),
	)
	j.run(chromedp.Click(chromedp.CSS(`main form[method="post"] button.bg-blue-700`)))
	j.waitFor(`!!document.getElementById('f-lines.0.unit_price-error')`)
	j.expectText("Indiquez un prix unitaire")
	j.inspect("manual-form-422")
	j.run(chromedp.SetValue(chromedp.CSS(`input[name="lines.0.unit_price"]`), "250,00"))
	j.run(chromedp.Click(chromedp.CSS(`main form[method="post"] button.bg-blue-700`)))
	j.waitFor(`/^\/admin\/invoices\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("Brouillon", "Installation d'un poste de caisse")
	j.run(chromedp.Click(chromedp.CSS(`a[href$="/edit"]`)))
	j.waitFor(`location.pathname.endsWith('/edit')`)
	j.expectText("Modifier le brouillon de facture", "Totaux")
	j.inspect("draft-edit")

	j.run(chromedp.Navigate(base + "/admin/invoices/" + issued.ID.String() + "/credit?month=2026-10"))
	j.waitFor(`location.pathname.endsWith('/credit')`)
	j.expectText("Créditer une partie des lignes", "Pénalités de niveau de service")
	j.inspect("credit")

	j.clickNav("/admin/reports/billing")
	j.expectText("Encours et retards par client", "Chiffre d'affaires par mois", "Rentabilité par contrat")
	j.inspect("billing-report")

	j.run(chromedp.Navigate(base + "/admin/payments"))
	j.waitPath("/admin/payments")
	j.expectText("Rapprochement avec Stripe", "Paiement enregistré par le rapprochement")
	j.inspect("payments-reconciliation")
}
