package site_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// TestJourneyEInvoice looks at the e-invoice in a browser: the manager finds a demo invoice marked
// Factur-X with its XML download and opens the accountant export form; the Boulangerie's
// administrator finds the same status and both downloads on her invoice in the portal.
func TestJourneyEInvoice(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	bakery := clientNamed(t, app, "Boulangerie Martin")
	var inv uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM invoices WHERE client_id = ? AND status <> 'draft' AND kind = 'invoice' ORDER BY number LIMIT 1", bakery).Scan(context.Background(), &inv); err != nil {
		t.Fatal(err)
	}
	j := newJourney(t, "einvoice-journey")
	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")
	j.run(chromedp.Navigate(base + "/admin/invoices"))
	j.waitPath("/admin/invoices")
	j.run(chromedp.Click(chromedp.CSS(`main a[href="/admin/invoices/export"]`)))
	j.waitPath("/admin/invoices/export")
	j.expectText("Export comptable des factures", "Télécharger le ZIP")
	j.inspect("export")
	j.run(chromedp.Navigate(base + "/admin/invoices/" + inv.String()))
	j.waitPath("/admin/invoices/" + inv.String())
	j.expectText("Factur-X EN 16931", "XML")
	j.inspect("admin-invoice")
	j.run(chromedp.Navigate(base + "/admin/settings"))
	j.waitPath("/admin/settings")
	j.expectText("Adresse de facturation électronique")
	j.inspect("settings")

	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.login(testutil.BoulangerieUser, "/portal")
	j.run(chromedp.Navigate(base + "/portal/invoices/" + inv.String()))
	j.waitPath("/portal/invoices/" + inv.String())
	j.expectText("Factur-X EN 16931", "PDF", "XML")
	j.inspect("portal-invoice")
}
