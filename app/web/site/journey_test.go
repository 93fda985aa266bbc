package site_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"maintenant/app/i18n"
	"maintenant/app/seed"
	"maintenant/app/testutil"
)

// TestJourneyFoundation walks the foundation in a real browser (a French one): a client logs in and
// out through the account menu, the manager logs in and switches the interface to English, and
// every page visited passes axe, does not scroll sideways, logs no console error, and is
// photographed at desktop and phone widths (artifacts/screenshots/journey-*.png).
func TestJourneyFoundation(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	j := newJourney(t, "journey")

	// The login page, in French.
	j.run(chromedp.Navigate(app.Listen(t) + "/login"))
	j.waitPath("/login")
	j.expectLang("fr")
	j.expectText("Connexion", "Se connecter", "Mot de passe oublié ?")
	j.inspect("login")

	// A wrong password is answered on the page (a 401 that htmx must show, not swallow).
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-email"), testutil.BoulangerieUser),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "not-the-password"),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
	j.waitFor(`document.querySelector('main [role="alert"]')`)
	j.expectText("Adresse e-mail ou mot de passe incorrect.")
	if v := testutil.Eval[string](t, j.ctx, `document.querySelector('#f-email').value`); v != testutil.BoulangerieUser {
		t.Errorf("after a failed login the email field holds %q, want the address typed", v)
	}
	j.inspect("login-failed")

	// The Boulangerie's administrator lands on the portal home.
	j.run(chromedp.Clear(chromedp.CSS("#f-email")))
	j.login(testutil.BoulangerieUser, "/portal")
	j.expectText("Bonjour Julie Martin", "Boulangerie Martin")
	j.inspect("portal-home")
	j.phoneMenu("portal-menu")

	j.clickNav("/portal/account")
	j.expectText("Mon compte", "Mot de passe")
	j.inspect("portal-account")

	// The account menu, open (and closed by Escape), then log out through it.
	j.openAccountMenu()
	j.capture("portal-account-menu")
	j.run(chromedp.KeyEvent(kb.Escape))
	j.waitFor(`!document.querySelector('header details:has(form[action="/logout"])').open`)
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.expectText("Se connecter")

	// The manager lands on the backoffice, in French.
	j.login(testutil.Manager, "/admin")
	j.expectText("Bonjour Sophie Lambert", "Tableau de bord", "Clients actifs")
	j.inspect("admin-home")
	j.phoneMenu("admin-menu")

	// The language switch turns the whole page, its title and its language into English.
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/language"] button[value="en"]`)))
	j.waitFor(`document.documentElement.lang === "en"`)
	j.waitPath("/admin")
	j.expectText("Dashboard", "Hello Sophie Lambert", "Active clients", "Outbox")
	if title := testutil.Eval[string](t, j.ctx, "document.title"); !strings.Contains(title, "Dashboard") {
		t.Errorf("title after the switch to English = %q", title)
	}
	j.inspect("admin-home-en")

	for _, p := range []struct{ path, name, text string }{
		{"/admin/outbox", "admin-outbox", "Outbox"},
		{"/admin/settings", "admin-settings", "Settings"},
		{"/admin/audit", "admin-audit", "Audit log"},
		{"/admin/account", "admin-account", "My account"},
	} {
		j.clickNav(p.path)
		j.expectLang("en")
		j.expectText(p.text)
		j.inspect(p.name)
	}

	// The choice stays after a full reload.
	j.run(chromedp.Reload())
	j.waitPath("/admin/account")
	j.expectLang("en")
	j.expectText("My account", "Two-factor authentication")

	// Log out: the browser stays English; the bakery's administrator logs in and the page, and its
	// language, turn back to her French.
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.expectLang("en")
	j.expectText("Log in")
	j.login(testutil.BoulangerieUser, "/portal")
	j.expectLang("fr")
	j.expectText("Bonjour Julie Martin")
}

// TestJourneyForgotPassword: a client asks for a new password from the login page; the manager
// then finds the mail in the outbox, opens it, and sees the request in the audit log.
func TestJourneyForgotPassword(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	j := newJourney(t, "forgot")

	j.run(chromedp.Navigate(app.Listen(t) + "/login"))
	j.waitPath("/login")
	j.run(chromedp.Click(chromedp.CSS(`main a[href="/password/forgot"]`)))
	j.waitPath("/password/forgot")
	j.expectText("Mot de passe oublié", "Envoyer le lien")
	j.inspect("form")

	// An empty address is refused next to the field, which gets the focus.
	j.run(chromedp.Click(chromedp.CSS(`main form[action="/password/forgot"] button`)))
	j.waitFor(`document.querySelector('#f-email[aria-invalid="true"]')`)
	j.waitFor(`document.activeElement && document.activeElement.id === 'f-email'`)
	j.inspect("form-error")

	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-email"), testutil.CabinetUser),
		chromedp.Click(chromedp.CSS(`main form[action="/password/forgot"] button`)),
	)
	j.waitFor(`document.querySelector('main [role="status"]')`)
	j.expectText("Si un compte existe pour cette adresse")
	j.inspect("sent")

	j.run(chromedp.Click(chromedp.CSS(`main a[href="/login"]`)))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")
	j.clickNav("/admin/outbox")
	j.expectText("Boîte d'envoi", testutil.CabinetUser, "Réinitialisation de votre mot de passe")
	j.inspect("outbox")

	j.run(chromedp.Click(chromedp.CSS(`main table a[href^="/admin/outbox/"]`)))
	j.waitFor(`/^\/admin\/outbox\/[0-9a-f-]{36}$/.test(location.pathname) && document.readyState === 'complete'`)
	j.expectText("Réinitialisation de votre mot de passe", "/password/reset/")
	j.inspect("outbox-message")

	j.clickNav("/admin/audit")
	j.expectText("Journal d'audit", "Réinitialisation demandée")
	j.inspect("audit")

	j.clickNav("/admin/settings")
	j.expectText("Paramètres")
	j.inspect("settings")
}

var (
	rawKeyOnce sync.Once
	rawKeyRe   *regexp.Regexp
)

// rawKeys finds catalogue message ids shown as such on a page (a key missing from the catalogue is
// rendered as its id): words like "nav.clients" whose first part is one of the catalogue's.
func rawKeys(t *testing.T, text string) []string {
	rawKeyOnce.Do(func() {
		cat, err := i18n.New()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		var prefixes []string
		for _, l := range []i18n.Lang{i18n.FR, i18n.EN} {
			for _, id := range cat.IDs(l) {
				if p, _, ok := strings.Cut(id, "."); ok && !seen[p] {
					seen[p] = true
					prefixes = append(prefixes, regexp.QuoteMeta(p))
				}
			}
		}
		slices.Sort(prefixes)
		rawKeyRe = regexp.MustCompile(`(?:^|\s)((?:` + strings.Join(prefixes, "|") + `)(?:\.[a-z0-9_]+)+)(?:$|\s|[,;:!?])`)
	})
	var out []string
	for _, m := range rawKeyRe.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// journey is one browser tab driven by a test, with the checks and screenshots of each page.
type journey struct {
	t      *testing.T
	ctx    context.Context
	prefix string
	n      int
}

func newJourney(t *testing.T, prefix string) *journey {
	return &journey{t: t, ctx: testutil.Browser(t), prefix: prefix}
}

func (j *journey) run(steps ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	testutil.Run(j.t, j.ctx, steps...)
}

func (j *journey) waitFor(expr string) {
	j.t.Helper()
	testutil.WaitFor(j.t, j.ctx, expr)
}

func (j *journey) waitPath(path string) {
	j.t.Helper()
	testutil.WaitPath(j.t, j.ctx, path)
}

// login fills the login form of the current page and waits for the user's home.
func (j *journey) login(email, home string) {
	j.t.Helper()
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
	j.waitPath(home)
}

// clickNav follows the link of the main navigation (the visible one, at desktop width).
func (j *journey) clickNav(path string) {
	j.t.Helper()
	j.run(chromedp.Click(chromedp.CSS(fmt.Sprintf(`nav[aria-label] > ul a[href=%q]`, path))))
	j.waitPath(path)
}

func (j *journey) openAccountMenu() {
	j.t.Helper()
	j.run(chromedp.Click(chromedp.CSS(`header details:has(form[action="/logout"]) > summary`)))
	j.waitFor(`document.querySelector('header details:has(form[action="/logout"])').open`)
}

// phoneMenu opens the navigation menu at phone width, photographs it, and closes it again.
func (j *journey) phoneMenu(name string) {
	j.t.Helper()
	testutil.SetViewport(j.t, j.ctx, testutil.Phone)
	j.run(chromedp.Click(chromedp.CSS(`nav[aria-label] > details > summary`)))
	j.waitFor(`document.querySelector('nav[aria-label] > details').open`)
	testutil.Axe(j.t, j.ctx)
	j.n++
	testutil.Screenshot(j.t, j.ctx, fmt.Sprintf("%s-%02d-%s-%s", j.prefix, j.n, name, testutil.Phone.Name))
	j.run(chromedp.Click(chromedp.CSS(`nav[aria-label] > details > summary`)))
	j.waitFor(`!document.querySelector('nav[aria-label] > details').open`)
	testutil.SetViewport(j.t, j.ctx, testutil.Desktop)
}

func (j *journey) expectText(want ...string) {
	j.t.Helper()
	text := testutil.BodyText(j.t, j.ctx)
	for _, w := range want {
		if !strings.Contains(text, w) {
			j.t.Errorf("page %s: no %q in\n%s", j.path(), w, text)
		}
	}
}

func (j *journey) expectLang(want string) {
	j.t.Helper()
	if got := testutil.Eval[string](j.t, j.ctx, "document.documentElement.lang"); got != want {
		j.t.Errorf("page %s: <html lang=%q>, want %q", j.path(), got, want)
	}
}

func (j *journey) path() string {
	return testutil.Eval[string](j.t, j.ctx, "location.pathname")
}

// inspect runs axe and the sideways-scroll check at desktop and phone widths, takes a screenshot at
// each, and fails on console errors.
func (j *journey) inspect(name string) {
	j.t.Helper()
	j.each(name, true)
}

// capture only takes the screenshots, for a state of a page already inspected (an open menu).
func (j *journey) capture(name string) {
	j.t.Helper()
	j.each(name, false)
}

func (j *journey) each(name string, check bool) {
	j.t.Helper()
	j.n++
	for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
		testutil.SetViewport(j.t, j.ctx, v)
		if check {
			if keys := rawKeys(j.t, testutil.BodyText(j.t, j.ctx)); len(keys) > 0 {
				j.t.Errorf("%s shows untranslated message ids: %s", name, strings.Join(keys, ", "))
			}
			testutil.Axe(j.t, j.ctx)
			if out := testutil.HorizontalOverflow(j.t, j.ctx); len(out) > 0 {
				j.t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
		}
		testutil.Screenshot(j.t, j.ctx, fmt.Sprintf("%s-%02d-%s-%s", j.prefix, j.n, name, v.Name))
	}
	testutil.SetViewport(j.t, j.ctx, testutil.Desktop)
	testutil.CheckConsole(j.t, j.ctx)
}
