package backoffice_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
)

// TestRegisterInBrowser shows the staff's and the client's maintenance register at desktop and phone
// widths: axe-clean, no sideways scroll, no console error (artifacts/screenshots/register-*.png).
func TestRegisterInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	newRegisterFixture(t, app)
	base := app.Listen(t)
	for _, who := range []struct{ email, path, name string }{
		{testutil.Manager, "/admin/register", "register-admin"},
		{testutil.BoulangerieUser, "/portal/register", "register-portal"},
	} {
		b := testutil.Browser(t)
		testutil.BrowserLogin(t, b, base, who.email)
		testutil.WaitFor(t, b, `location.pathname !== '/login'`)
		testutil.Run(t, b, chromedp.Navigate(base+who.path))
		testutil.WaitFor(t, b, `document.querySelectorAll('#register tbody tr').length >= 2`)
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			setViewport(t, b, v)
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", who.name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, who.name+"-"+v.Name)
		}
		setViewport(t, b, testutil.Desktop)
		testutil.CheckConsole(t, b)
	}
}
