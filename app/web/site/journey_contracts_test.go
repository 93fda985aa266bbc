package site_test

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
)

// invitePath finds the invitation link in a mail's text part as shown by the outbox.
var invitePath = regexp.MustCompile(`https?://[^/\s]+(/invite/[A-Za-z0-9_-]+)`)

// TestJourneyContract walks the contract's life in a real browser: the manager creates a client,
// invites its contact, writes a contract with an SLA policy and activates it; the contact follows the
// invitation mail from the outbox, chooses a password, and finds the contract in the portal. Every page
// passes axe and is photographed at desktop and phone widths (artifacts/screenshots/contract-journey-*).
func TestJourneyContract(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "contract-journey")

	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")

	// A new client.
	j.clickNav("/admin/clients")
	j.run(chromedp.Click(chromedp.CSS(`main a[href="/admin/clients/new"]`)))
	j.waitPath("/admin/clients/new")
	j.inspect("client-new")
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Fleuriste Dupont"),
		chromedp.SendKeys(chromedp.CSS("#f-siren"), "732 829 320"),
		chromedp.SendKeys(chromedp.CSS("#f-city"), "Villeurbanne"),
		chromedp.SendKeys(chromedp.CSS("#f-postal_code"), "69100"),
		chromedp.SendKeys(chromedp.CSS("#f-billing_email"), "compta@fleuriste.demo.test"),
		chromedp.Click(chromedp.CSS(`main form[action="/admin/clients"] button`)),
	)
	j.waitFor(`/^\/admin\/clients\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("Fleuriste Dupont", "732829320")

	// Its contact, invited as the company's administrator.
	j.run(
		chromedp.SendKeys(chromedp.CSS(`form[action$="/contacts"] #f-name`), "Claire Dupont"),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/contacts"] #f-email`), "claire@fleuriste.demo.test"),
		chromedp.SetValue(chromedp.CSS(`form[action$="/contacts"] select[name="role"]`), "admin"),
		chromedp.Click(chromedp.CSS(`form[action$="/contacts"] button`)),
	)
	j.waitFor(`document.body.innerText.includes("claire@fleuriste.demo.test")`)
	j.inspect("client-with-contact")

	// A contract for it, with an SLA policy.
	j.run(chromedp.Click(chromedp.CSS(`main a[href^="/admin/contracts/new?client="]`)))
	j.waitPath("/admin/contracts/new")
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Maintenance du site et de la boutique en ligne"),
		chromedp.SendKeys(chromedp.CSS("#f-object"), "Maintenance préventive et corrective du site de la boutique."),
		chromedp.SetValue(chromedp.CSS("#f-service_kind_0"), "website"),
		chromedp.SendKeys(chromedp.CSS("#f-service_description_0"), "fleuriste-dupont.fr"),
		chromedp.SetValue(chromedp.CSS("#f-start_date"), "2026-12-01"),
		chromedp.SetValue(chromedp.CSS("#f-initial_months"), "12"),
		chromedp.SetValue(chromedp.CSS("#f-renewal_months"), "12"),
		chromedp.SetValue(chromedp.CSS("#f-notice_months"), "3"),
		chromedp.SetValue(chromedp.CSS("#f-fee"), "89,90"),
		chromedp.SetValue(chromedp.CSS("#f-billing_period"), "monthly"),
	)
	testutil.Eval[bool](t, j.ctx, `(() => {
		const s = document.querySelector('#f-sla_policy_id');
		const o = [...s.options].find(o => o.text.startsWith('Commerce'));
		s.value = o.value;
		return true;
	})()`)
	j.inspect("contract-new")
	j.run(chromedp.Click(chromedp.CSS(`main form[action="/admin/contracts"] button.bg-blue-700`)))
	j.waitFor(`/^\/admin\/contracts\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("Brouillon", "Fleuriste Dupont")

	// Activated once signed (the confirmation dialog is accepted).
	testutil.Eval[bool](t, j.ctx, `(window.confirm = () => true, true)`)
	j.run(chromedp.Click(chromedp.CSS(`button[name="to"][value="active"]`)))
	j.waitFor(`document.body.innerText.includes("Actif")`)
	j.inspect("contract-active")

	// The invitation mail is in the outbox; its link leads the contact to choose a password.
	j.run(chromedp.Navigate(base + "/admin/outbox?to=claire"))
	j.waitPath("/admin/outbox")
	j.run(chromedp.Click(chromedp.CSS(`main table a[href^="/admin/outbox/"]`)))
	j.waitFor(`document.querySelector('main pre')`)
	j.inspect("outbox-invitation")
	text := testutil.Eval[string](t, j.ctx, `document.querySelector('main pre').innerText`)
	m := invitePath.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no invitation link in the mail:\n%s", text)
	}
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")

	j.run(chromedp.Navigate(base + m[1]))
	j.waitFor(`document.querySelector('#f-password')`)
	j.expectText("Bienvenue Claire Dupont")
	j.inspect("invitation")
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-password"), "des fleurs pour tout le monde"),
		chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), "des fleurs pour tout le monde"),
		chromedp.Click(chromedp.CSS(`main form button`)),
	)
	j.waitPath("/login")
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-email"), "claire@fleuriste.demo.test"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "des fleurs pour tout le monde"),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
	j.waitPath("/portal")
	j.expectText("Bonjour Claire Dupont", "Maintenance du site et de la boutique en ligne")
	j.inspect("portal-home")

	// Her contract, in plain French, and no other client's.
	j.clickNav("/portal/contracts")
	j.expectText("Maintenance du site et de la boutique en ligne")
	if n := testutil.Eval[int](t, j.ctx, `document.querySelectorAll('main a[href^="/portal/contracts/"]:not([href$=".pdf"])').length`); n < 1 {
		t.Fatal("no contract link in the portal list")
	}
	j.inspect("portal-contracts")
	body := testutil.BodyText(t, j.ctx)
	for _, other := range []string{"Boulangerie Martin", "Cabinet Durand", "C-2026-001", "C-2026-002"} {
		if regexp.MustCompile(regexp.QuoteMeta(other)).MatchString(body) {
			t.Errorf("the new client's portal shows %q", other)
		}
	}
	j.run(chromedp.Click(chromedp.CSS(`main a[href^="/portal/contracts/"]:not([href$=".pdf"])`)))
	j.waitFor(`/^\/portal\/contracts\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("fleuriste-dupont.fr", "89,90")
	j.inspect("portal-contract")
}
