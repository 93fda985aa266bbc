package site_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
)

// TestJourneyPolicy walks the house rules in a real browser: the manager revises the maintenance
// policy (the text of version 1 is in the editor), previews it and publishes version 2 in force on
// 01/12/2026; the Boulangerie's administrator reads version 1 in force with the revision announced
// for that date, and opens it; the manager creates a contract from the e-commerce template.
func TestJourneyPolicy(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "policy-journey")

	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")
	j.clickNav("/admin/settings")
	j.run(chromedp.Click(chromedp.CSS(`main a[href="/admin/settings/policy"]`)))
	j.waitPath("/admin/settings/policy")
	j.expectText("Nouvelle révision", "Version en vigueur", "Version 1")
	j.inspect("editor")

	// The revision: a sentence added, previewed, then published with what changed and why.
	j.run(
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#f-section_corrective').value += '\n- **Délais** : selon le niveau de service de votre contrat.'`),
		chromedp.SendKeys(chromedp.CSS("#f-change_summary"), "Les délais de réparation renvoient au niveau de service du contrat."),
		chromedp.Click(chromedp.CSS(`button[value="preview"]`)),
	)
	j.waitFor(`document.querySelector('#preview-h') !== null`)
	j.expectText("Aperçu", "selon le niveau de service de votre contrat")
	j.inspect("preview")
	j.run(
		chromedp.SetValue(chromedp.CSS("#f-effective_on"), "2026-12-01"),
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`button[value="publish"]`)),
	)
	j.waitFor(`document.body.innerText.includes("Version 2 de la politique publiée, en vigueur le 01/12/2026")`)
	j.expectText("La version 2 entrera en vigueur le 01/12/2026.")
	j.inspect("published")

	// The client reads the policy in force and sees the revision coming, with its date.
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.login(testutil.BoulangerieUser, "/portal")
	j.clickNav("/portal/policy")
	j.expectText("Version 1", "en vigueur depuis le 15/01/2026", "Une nouvelle version (version 2) entrera en vigueur le 01/12/2026.", "Vos contrats")
	j.inspect("portal")
	j.run(chromedp.Click(chromedp.CSS(`main a[href="/portal/policy/2"]`)))
	j.waitPath("/portal/policy/2")
	j.expectText("À venir", "selon le niveau de service de votre contrat", "Les délais de réparation renvoient au niveau de service du contrat.")
	j.inspect("portal-revision")

	// The manager makes a contract from a template.
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.login(testutil.Manager, "/admin")
	j.run(chromedp.Navigate(base + "/admin/settings/templates"))
	j.waitPath("/admin/settings/templates")
	j.expectText("Maintenance de site internet", "Site e-commerce", "Réseaux sociaux", "Parc informatique")
	j.inspect("templates")
	j.run(chromedp.Click(chromedp.CSS(`main h2 a[href^="/admin/settings/templates/"]`)))
	j.waitFor(`/^\/admin\/settings\/templates\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("Plan de maintenance préventive par défaut", "Revue avec le client")
	j.inspect("template")
	j.run(chromedp.Navigate(base + "/admin/settings/templates"))
	j.waitPath("/admin/settings/templates")
	j.run(chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('main li')].find(li => li.textContent.includes('Site e-commerce')).querySelector('a[href^="/admin/contracts/new?template="]').click()`))
	j.waitPath("/admin/contracts/new")
	j.expectText("Formulaire rempli avec le modèle")
	j.run(chromedp.SetValue(chromedp.CSS("#f-client_id"), clientNamed(t, app, "Boulangerie Martin").String()))
	j.inspect("contract-from-template")
	j.run(chromedp.Click(chromedp.CSS(`main form[action="/admin/contracts"] button:not([name])`)))
	j.waitFor(`/^\/admin\/contracts\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("Brouillon", "Revues avec le client", "tous les 12 mois")
	j.inspect("contract")
}
