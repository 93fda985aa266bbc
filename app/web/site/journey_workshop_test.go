package site_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// TestJourneyWorkshop walks a machine through the workshop in a real browser: the technician checks
// in the Cabinet's secretariat laptop, tries to log work on its sheet (refused until the backup),
// records the backup, logs work, lends a loan laptop and takes it back, and returns the machine; the
// Cabinet's administrator then finds the stay and its receipt in the portal.
func TestJourneyWorkshop(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "workshop-journey")
	cabinet := clientNamed(t, app, "Cabinet Durand Avocats")
	var laptop uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM equipment WHERE client_id = ? AND serial = '5CG4200SEC'", cabinet).Scan(context.Background(), &laptop); err != nil {
		t.Fatal(err)
	}

	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.Technician, "/admin")
	j.clickNav("/admin/workshop")
	j.expectText("Cabinet Durand Avocats", "Écran noir au démarrage", "Sauvegardé", "Matériel prêté", "PRÊT-01")
	j.inspect("board")

	// Check-in of the secretariat's laptop.
	j.run(chromedp.Navigate(base + "/admin/workshop/new?equipment=" + laptop.String()))
	j.waitPath("/admin/workshop/new")
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-brought_by"), "Nadia, secrétariat"),
		chromedp.SendKeys(chromedp.CSS("#f-reason"), "Le clavier ne répond plus après un renversement de café"),
		chromedp.SendKeys(chromedp.CSS("#f-condition"), "Traces de café sur le clavier"),
		chromedp.SendKeys(chromedp.CSS("#f-accessories"), "Chargeur"),
		chromedp.SendKeys(chromedp.CSS("#f-label"), "C-08"),
	)
	j.inspect("checkin")
	j.run(chromedp.Click(chromedp.CSS(`main form[action="/admin/workshop"] button`)))
	j.waitFor(`/^\/admin\/workshop\/[0-9a-f-]{36}$/.test(location.pathname)`)
	stay := j.path()
	j.expectText("Sauvegarde à faire", "Chargeur", "C-08")
	j.inspect("stay")

	// Work before the backup is refused by the server, with the reason under the category.
	sheet := testutil.Eval[string](t, j.ctx, `document.querySelector('main a[href^="/admin/interventions/"]').getAttribute('href')`)
	j.run(chromedp.Navigate(base + sheet))
	j.waitPath(sheet)
	logWork := func() {
		t.Helper()
		j.run(
			chromedp.SetValue(chromedp.CSS("#f-category"), "work"),
			chromedp.SetValue(chromedp.CSS("#f-started_at"), "2026-11-22T06:30"),
			chromedp.SendKeys(chromedp.CSS("#f-minutes"), "30"),
			chromedp.SendKeys(chromedp.CSS("#f-note"), "Clavier démonté et nettoyé"),
			chromedp.Click(chromedp.CSS(`form[action$="/time"] button`)),
		)
	}
	logWork()
	j.waitFor(`document.querySelector('#f-category-error') !== null`)
	j.expectText("Aucun travail ne peut être saisi avant la sauvegarde du disque")
	j.inspect("refused")

	// The backup, then the work.
	j.run(chromedp.Navigate(base + stay))
	j.waitPath(stay)
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-backup_location"), "NAS atelier /sauvegardes/cabinet/secretariat"),
		chromedp.Click(chromedp.CSS(`form[action$="/backup"] button`)),
	)
	j.waitFor(`document.body.innerText.includes("Disque sauvegardé")`)
	j.run(chromedp.Navigate(base + sheet))
	j.waitPath(sheet)
	logWork()
	j.waitFor(`document.body.innerText.includes("Clavier démonté et nettoyé")`)

	// Loan: the free stock laptop is lent, then given back.
	j.run(chromedp.Navigate(base + stay))
	j.waitPath(stay)
	j.run(chromedp.Click(chromedp.CSS(`form[action$="/loans"] button`)))
	j.waitFor(`document.querySelector('form[action*="/loans/"][action$="/return"]') !== null`)
	j.expectText("PRÊT-02")
	j.inspect("loan")
	j.run(chromedp.Click(chromedp.CSS(`form[action*="/loans/"][action$="/return"] button`)))
	j.waitFor(`document.body.innerText.includes("rendu le")`)

	// Return of the machine, accessories checked.
	testutil.Eval[bool](t, j.ctx, `(document.querySelector('#f-returned_to').value = '', true)`)
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-returned_to"), "Nadia, secrétariat"),
		chromedp.Click(chromedp.CSS(`input[name="accessories_back"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/workshop/`+stay[len("/admin/workshop/"):]+`/return"] button`)),
	)
	j.waitFor(`document.body.innerText.includes("Rendue à Nadia, secrétariat")`)
	j.inspect("returned")

	// The equipment register: the client's list, the laptop's history, the expiries, the form.
	j.clickNav("/admin/equipment")
	j.run(chromedp.Navigate(base + "/admin/equipment?client=" + cabinet.String()))
	j.waitFor(`location.search.includes("client=")`)
	j.expectText("Microsoft 365 Business Standard", "HP EliteBook 840 G10")
	j.inspect("equipment-list")
	j.run(chromedp.Navigate(base + "/admin/equipment/" + laptop.String()))
	j.waitPath("/admin/equipment/" + laptop.String())
	j.expectText("Passages à l'atelier", "Restituée le", "Atelier : ")
	j.inspect("equipment-show")
	j.run(chromedp.Navigate(base + "/admin/equipment/expiries"))
	j.waitPath("/admin/equipment/expiries")
	j.expectText("Fin de garantie", "Expiration de licence")
	j.inspect("expiries")
	j.run(chromedp.Navigate(base + "/admin/equipment/new?client=" + cabinet.String()))
	j.waitPath("/admin/equipment/new")
	j.inspect("equipment-form")

	// The client sees the stay and its receipt.
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.login(testutil.CabinetUser, "/portal")
	j.clickNav("/portal/equipment")
	j.expectText("Passages à l'atelier", "Rendue le", "Microsoft 365 Business Standard", "Garantie jusqu'au")
	j.inspect("portal-list")
	j.run(chromedp.Navigate(base + "/portal/equipment/intakes/" + stay[len("/admin/workshop/"):]))
	j.waitPath("/portal/equipment/intakes/" + stay[len("/admin/workshop/"):])
	j.expectText("Le disque a été sauvegardé", "Rendue à Nadia, secrétariat", "PRÊT-02")
	j.inspect("portal-stay")
	status := testutil.Eval[float64](t, j.ctx, `(() => { const x = new XMLHttpRequest(); x.open('GET', location.pathname + '.pdf', false); x.send(); return x.status; })()`)
	if status != 200 {
		t.Errorf("receipt PDF from the portal: %v", status)
	}
}
