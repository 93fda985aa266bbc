package site_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
)

// TestJourneyInvoicePaidOnline walks an invoice in a real browser: the manager bills the Cabinet
// from what it can be billed and issues the invoice; the Cabinet's administrator sees what she owes
// on her home page, opens the invoice, pays it through the built-in test checkout and sees it paid;
// the manager finds the payment.
func TestJourneyInvoicePaidOnline(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "invoice-journey")
	cabinet := clientNamed(t, app, "Cabinet Durand Avocats")

	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")
	j.clickNav("/admin/invoices")
	j.inspect("admin-list-empty")
	j.run(chromedp.Navigate(base + "/admin/invoices/new?client=" + cabinet.String()))
	j.waitPath("/admin/invoices/new")
	j.run(chromedp.Click(chromedp.CSS(`input[name="sources"][value^="contract_fee:"]`)))
	j.inspect("admin-new")
	j.run(chromedp.Click(chromedp.CSS(`main form[action="/admin/invoices"] button`)))
	j.waitFor(`/^\/admin\/invoices\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("Brouillon", "Maître Paul Durand")
	j.inspect("admin-draft")
	j.run(
		chromedp.Click(chromedp.CSS(`form[action$="/issue"] input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/issue"] button`)),
	)
	j.waitFor(`!document.querySelector('form[action$="/issue"]')`)
	j.expectText("F-2026-0010", "Émise, à payer")
	j.inspect("admin-issued")
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")

	// The Cabinet's administrator pays it online.
	j.login(testutil.CabinetUser, "/portal")
	j.expectText("Factures à payer", "Vous devez")
	j.run(chromedp.Click(chromedp.CSS(`#home-invoices a[href="/portal/invoices"]`)))
	j.waitPath("/portal/invoices")
	j.inspect("portal-list")
	j.run(chromedp.Click(chromedp.CSS(`main ul li:first-child a[href^="/portal/invoices/"]`)))
	j.waitFor(`/^\/portal\/invoices\/[0-9a-f-]{36}$/.test(location.pathname)`)
	invoicePath := j.path()
	j.inspect("portal-invoice")
	j.run(chromedp.Click(chromedp.CSS(`form[action$="/pay"] button`)))
	j.waitFor(`location.pathname.includes('/checkout/')`)
	j.expectText("TEST", "Payer", "Échec")
	j.inspect("portal-test-checkout")
	j.run(chromedp.Click(chromedp.CSS(`button[value="pay"]`)))
	j.waitFor(`location.pathname.endsWith('/paid')`)
	j.expectText("Paiement reçu")
	j.inspect("portal-paid")
	j.run(chromedp.Navigate(base + invoicePath))
	j.waitPath(invoicePath)
	j.expectText("Payée", "Paiement en ligne")
	if strings.Contains(testutil.BodyText(t, j.ctx), "Payer en ligne") {
		t.Error("a paid invoice still offers to pay")
	}
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")

	// The manager sees the payment.
	j.login(testutil.Manager, "/admin")
	j.run(chromedp.Navigate(base + "/admin/payments"))
	j.waitPath("/admin/payments")
	j.expectText("F-2026-0010", "Cabinet Durand Avocats", "Paiement en ligne")
	j.inspect("admin-payments")
	j.run(chromedp.Navigate(base + "/admin/settings"))
	j.waitPath("/admin/settings")
	j.inspect("admin-settings")
}
