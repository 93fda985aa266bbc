package backoffice_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
)

// TestQuotePagesInBrowser shows the quote form (after a refused line), a draft and the list at
// desktop and phone widths: axe-clean, no sideways scroll, no console error
// (artifacts/screenshots/quote-admin-*.png).
func TestQuotePagesInBrowser(t *testing.T) {
	a := newTicketApp(t)
	path := a.createQuote(t, a.quoteForm(func(f url.Values) {
		f.Set("lines.2.description", "Photos de la vitrine, retouchées et optimisées pour le web")
		f.Set("lines.2.quantity", "12")
		f.Set("lines.2.unit", "photo")
		f.Set("lines.2.unit_price", "8,50")
		f.Set("lines.2.vat_rate", "550")
	}))
	base := a.app.Listen(t)
	b := testutil.Browser(t)
	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitFor(t, b, `location.pathname !== '/login'`)

	// The form, a line refused: the error under its field.
	testutil.Run(t, b, chromedp.Navigate(base+"/admin/quotes/new?client="+a.client.String()))
	testutil.WaitFor(t, b, `document.querySelector('textarea[name="lines.0.description"]') !== null`)
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "Refonte de la page d'accueil"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="lines.0.description"]`), "Maquette"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.0.quantity"]`), "-1"),
		chromedp.SendKeys(chromedp.CSS(`input[name="lines.0.unit_price"]`), "450"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/quotes"] button.bg-blue-700`)),
	)
	testutil.WaitFor(t, b, `document.getElementById('f-lines.0.quantity-error') !== null`)
	shoot := func(name string) {
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			setViewport(t, b, v)
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, name+"-"+v.Name)
		}
		setViewport(t, b, testutil.Desktop)
	}
	shoot("quote-admin-form")

	testutil.Run(t, b, chromedp.Navigate(base+path))
	testutil.WaitFor(t, b, `document.querySelector('form[action$="/send"]') !== null`)
	shoot("quote-admin-draft")

	testutil.Run(t, b, chromedp.Navigate(base+"/admin/quotes"))
	testutil.WaitFor(t, b, `document.querySelectorAll('main li').length >= 1`)
	shoot("quote-admin-list")
	testutil.CheckConsole(t, b)
}
