package backoffice_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"maintenant/app/clients"
	"maintenant/app/seed"
	"maintenant/app/testutil"
)

// TestClientPagesInBrowser walks the client pages in a real browser as the manager: the list, a new
// client refused then created, the client's page with an invited contact, and the edit form. Every
// page passes axe, does not scroll sideways at 390 px, logs no console error, and is photographed at
// desktop and phone widths (artifacts/screenshots/clients-*.png).
func TestClientPagesInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	ctx := context.Background()
	for i, name := range []string{"Atelier Moreau", "Pharmacie du Centre", "Cave Lefèvre & Fils", "Hôtel des Voyageurs"} {
		cl := &clients.Client{Name: name, City: []string{"Nantes", "Rennes", "Angers", "Saint-Malo"}[i], SIREN: []string{"732829320", "552100554", "542065479", ""}[i]}
		if err := clients.Create(ctx, app.DB.Bun, cl, testutil.DefaultNow.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	base := app.Listen(t)
	b := testutil.Browser(t)
	n := 0
	inspect := func(name string) {
		t.Helper()
		n++
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			setViewport(t, b, v)
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, fmt.Sprintf("clients-%02d-%s-%s", n, name, v.Name))
		}
		setViewport(t, b, testutil.Desktop)
		testutil.CheckConsole(t, b)
	}
	expect := func(want ...string) {
		t.Helper()
		text := testutil.BodyText(t, b)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("page lacks %q:\n%s", w, text)
			}
		}
	}

	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitPath(t, b, "/admin")

	// The list, reached from the navigation.
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`nav[aria-label] > ul a[href="/admin/clients"]`)))
	testutil.WaitPath(t, b, "/admin/clients")
	expect("Clients", "6 clients", "Boulangerie Martin", "Cave Lefèvre & Fils", "Nouveau client")
	inspect("list")

	// A search by city, from the form.
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-q"), "rennes"),
		chromedp.Click(chromedp.CSS(`main form[role="search"] button`)),
	)
	testutil.WaitFor(t, b, `location.search.includes('q=rennes') && document.querySelectorAll('main tbody tr').length === 1`)
	expect("Pharmacie du Centre", "1 client")

	// A new client: a wrong SIREN first, then the right one.
	testutil.Run(t, b, chromedp.Navigate(base+"/admin/clients"))
	testutil.WaitPath(t, b, "/admin/clients")
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main a[href="/admin/clients/new"]`)))
	testutil.WaitPath(t, b, "/admin/clients/new")
	inspect("new")
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Garage Dupont"),
		chromedp.SendKeys(chromedp.CSS("#f-siren"), "732 829 321"),
		chromedp.SendKeys(chromedp.CSS("#f-vat_number"), "FR45732829320"),
		chromedp.SendKeys(chromedp.CSS("#f-address_line1"), "3 avenue des Lilas"),
		chromedp.SendKeys(chromedp.CSS("#f-postal_code"), "69003"),
		chromedp.SendKeys(chromedp.CSS("#f-city"), "Lyon"),
		chromedp.SendKeys(chromedp.CSS("#f-billing_email"), "compta@"),
		chromedp.Click(chromedp.CSS(`main form button`)),
	)
	testutil.WaitFor(t, b, `document.querySelector('#f-siren[aria-invalid="true"]')`)
	testutil.WaitFor(t, b, `document.activeElement && document.activeElement.id === 'f-siren'`)
	expect("Ce SIREN n'est pas valable", "Saisissez une adresse e-mail valide")
	inspect("new-errors")
	testutil.Run(t, b,
		chromedp.SetValue(chromedp.CSS("#f-siren"), "732 829 320"),
		chromedp.SetValue(chromedp.CSS("#f-vat_number"), "FR44732829320"),
		chromedp.SetValue(chromedp.CSS("#f-billing_email"), "compta@garage-dupont.fr"),
		chromedp.SetValue(chromedp.CSS("#f-phone"), "04 72 00 00 00"),
		chromedp.SetValue(chromedp.CSS("#f-notes"), "Clé chez le gardien.\nAppeler avant de passer."),
		chromedp.Click(chromedp.CSS(`main form button`)),
	)
	testutil.WaitFor(t, b, `/^\/admin\/clients\/[0-9a-f-]{36}$/.test(location.pathname) && document.readyState === 'complete'`)
	expect("Client « Garage Dupont » créé.", "FR44732829320", "69003 Lyon", "Aucun contact")

	// Invite a contact from the client's page.
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Marc Dupont"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "marc@garage-dupont.fr"),
		chromedp.SetValue(chromedp.CSS("#f-role"), "admin"),
		chromedp.Click(chromedp.CSS(`main form[action$="/contacts"] button`)),
	)
	testutil.WaitFor(t, b, `document.body.innerText.includes('Invitation envoyée à marc@garage-dupont.fr.')`)
	expect("Marc Dupont", "Invitation envoyée", "Renvoyer l'invitation")
	inspect("show")

	// The invite form refuses an address already taken, next to the field.
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Julie Bis"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), testutil.BoulangerieUser),
		chromedp.Click(chromedp.CSS(`main form[action$="/contacts"] button`)),
	)
	testutil.WaitFor(t, b, `document.querySelector('#f-email[aria-invalid="true"]')`)
	expect("Cette adresse e-mail est déjà utilisée.")
	inspect("show-invite-error")

	// Change the contact's right from its row (a boosted form).
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main tr input[name="can_approve_and_pay"]`)))
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main tr form button`)))
	testutil.WaitFor(t, b, `document.body.innerText.includes('Rôle et droits de Marc Dupont enregistrés.')`)

	// The edit form.
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main a[href$="/edit"]`)))
	testutil.WaitFor(t, b, `location.pathname.endsWith('/edit') && document.readyState === 'complete'`)
	expect("Modifier Garage Dupont")
	inspect("edit")

	// A technician sees the same client's page without any action.
	testutil.Run(t, b, chromedp.Navigate(base+"/admin/clients"))
	testutil.WaitPath(t, b, "/admin/clients")
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`header details:has(form[action="/logout"]) > summary`)))
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	testutil.WaitPath(t, b, "/login")
	testutil.Run(t, b,
		chromedp.SendKeys(chromedp.CSS("#f-email"), testutil.Technician),
		chromedp.SendKeys(chromedp.CSS("#f-password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
	testutil.WaitPath(t, b, "/admin")
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`nav[aria-label] > ul a[href="/admin/clients"]`)))
	testutil.WaitPath(t, b, "/admin/clients")
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`main tbody a`)))
	testutil.WaitFor(t, b, `/^\/admin\/clients\/[0-9a-f-]{36}$/.test(location.pathname) && document.readyState === 'complete'`)
	inspect("show-technician")
}

// setViewport resizes the tab like testutil.SetViewport, but also accepts a layout narrower than the
// window by a classic scrollbar (at most 20 px), which a page taller than the window has at desktop
// width.
func setViewport(t *testing.T, ctx context.Context, v testutil.Viewport) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(v.Scale)}
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	testutil.Run(t, ctx, chromedp.EmulateViewport(v.Width, v.Height, opts...))
	testutil.WaitFor(t, ctx, fmt.Sprintf("window.innerWidth === %d || (document.documentElement.clientWidth <= %d && document.documentElement.clientWidth > %d)", v.Width, v.Width, v.Width-20))
}
