package backoffice_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/testutil"
)

// TestHomeDeadlinesInBrowser shows the home's deadline card, empty then filled, and the contract page
// header with its PDF link, at desktop and phone widths: axe-clean, no sideways scroll, no console
// error (artifacts/screenshots/home-deadlines-*.png, contract-pdf-link-*.png).
func TestHomeDeadlinesInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	if _, err := app.DB.Bun.ExecContext(context.Background(), "UPDATE contracts SET status = 'terminated' WHERE status IN ('active', 'suspended')"); err != nil {
		t.Fatal(err)
	}
	base := app.Listen(t)
	b := testutil.Browser(t)
	inspect := func(name string) {
		t.Helper()
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			setViewport(t, b, v)
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, name+"-"+v.Name)
		}
		setViewport(t, b, testutil.Desktop)
		testutil.CheckConsole(t, b)
	}
	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitPath(t, b, "/admin")
	if text := testutil.BodyText(t, b); !strings.Contains(text, "Aucune échéance de contrat") {
		t.Errorf("the empty card is missing:\n%s", text)
	}
	inspect("home-deadlines-empty")

	policy, err := uuid.Parse(contractPolicy(t, app, "Navigateur", false))
	if err != nil {
		t.Fatal(err)
	}
	active := contracts.StatusActive
	first := homeContract(t, app, policy, "Réseaux sociaux et boutique en ligne de la boulangerie", "2026-03-01", 12, 12, 3, active)
	homeContract(t, app, policy, "Site vitrine", "2026-01-01", 12, 12, 3, active)
	homeContract(t, app, policy, "Boutique", "2025-12-22", 12, 12, 1, active, contracts.StatusSuspended)
	homeContract(t, app, policy, "Fin de contrat", "2026-01-01", 12, 0, 0, active)
	testutil.Run(t, b, chromedp.Navigate(base+"/admin"))
	testutil.WaitFor(t, b, `document.querySelectorAll('#deadlines li').length === 5`)
	inspect("home-deadlines")

	// The contract's page from the card, with its PDF link in the header.
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`#deadlines li a[href="/admin/contracts/`+first.ID.String()+`"]`)))
	testutil.WaitPath(t, b, "/admin/contracts/"+first.ID.String())
	testutil.WaitFor(t, b, `!!document.querySelector('a[href$=".pdf"][hx-boost="false"]')`)
	inspect("contract-pdf-link")
}
