package site_test

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
)

// screenshotFile writes a small PNG, the "screenshot" a client attaches to a fault report.
func screenshotFile(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 200, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 200; x++ {
			img.Set(x, y, color.RGBA{uint8(x), 80, uint8(y * 2), 255})
		}
	}
	path := filepath.Join(t.TempDir(), "capture-erreur.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestJourneyTicket walks a fault report in a real browser: the Boulangerie's administrator reports a
// fault with a screenshot; the manager finds it at the top of the queue, acknowledges it, writes a
// diagnosis and repair plan, and resolves it; the client sees each step, and the mails are in the
// outbox. Every page passes axe and is photographed at desktop and phone widths.
func TestJourneyTicket(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "ticket-journey")
	shot := screenshotFile(t)

	// The client reports a fault from the portal home.
	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.BoulangerieUser, "/portal")
	j.run(chromedp.Click(chromedp.CSS(`main a[href="/portal/tickets/new"]`)))
	j.waitPath("/portal/tickets/new")
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-title"), "La page des commandes reste blanche"),
		chromedp.SendKeys(chromedp.CSS("#f-description"), "Depuis midi, la page « Mes commandes » reste blanche sur ordinateur comme sur téléphone. Capture jointe."),
		chromedp.Click(chromedp.CSS(`#f-priority-critical`)),
		chromedp.SetUploadFiles(chromedp.CSS("#f-attachments"), []string{shot}),
	)
	j.inspect("portal-report")
	j.run(chromedp.Click(chromedp.CSS(`main form[action="/portal/tickets"] button.bg-blue-700`)))
	j.waitFor(`/^\/portal\/tickets\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("La page des commandes reste blanche", "capture-erreur.png")
	ticketPath := j.path()
	j.inspect("portal-reported")
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")

	// The manager finds it on the first page of the queue (sorted by the nearest deadline: the demo's
	// breached tickets come first, then this one, due at the shop's next opening).
	j.login(testutil.Manager, "/admin")
	j.clickNav("/admin/tickets")
	j.expectText("La page des commandes reste blanche")
	j.inspect("admin-queue")
	testutil.Eval[bool](t, j.ctx, `(() => {
		const a = [...document.querySelectorAll('main a[href^="/admin/tickets/0"]')].find(a => a.innerText.includes('La page des commandes reste blanche'));
		a.click();
		return true;
	})()`)
	j.waitFor(`/^\/admin\/tickets\/[0-9a-f-]{36}$/.test(location.pathname)`)
	j.expectText("La page des commandes reste blanche")

	// Acknowledge, diagnose, resolve (confirmations accepted).
	testutil.Eval[bool](t, j.ctx, `(window.confirm = () => true, true)`)
	j.run(chromedp.Click(chromedp.CSS(`button[name="to"][value="acknowledged"]`)))
	j.waitFor(`!document.querySelector('button[name="to"][value="acknowledged"]') && document.querySelector('#f-diagnosis')`)
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-diagnosis"), "Le module de paiement mis à jour hier bloque l'affichage des commandes."),
		chromedp.SendKeys(chromedp.CSS("#f-repair_plan"), "Revenir à la version précédente du module, puis vérifier les commandes du jour."),
		chromedp.Click(chromedp.CSS(`form[action$="/diagnosis"] button`)),
	)
	j.waitFor(`document.body.innerText.includes("Revenir à la version précédente du module")`)
	j.inspect("admin-diagnosed")
	testutil.Eval[bool](t, j.ctx, `(window.confirm = () => true, true)`)
	j.run(chromedp.Click(chromedp.CSS(`button[name="to"][value="resolved"]`)))
	j.waitFor(`!document.querySelector('button[name="to"][value="resolved"]')`)
	j.inspect("admin-resolved")

	// The mails to the client are in the outbox.
	j.run(chromedp.Navigate(base + "/admin/outbox?to=client@boulangerie"))
	j.waitPath("/admin/outbox")
	if n := testutil.Eval[int](t, j.ctx, `document.querySelectorAll('main table a[href^="/admin/outbox/"]').length`); n < 3 {
		t.Errorf("%d mails to the client in the outbox, want acknowledgement, diagnosis and resolution", n)
	}
	j.inspect("admin-outbox")
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")

	// The client sees the diagnosis, the repair plan and the resolution.
	j.login(testutil.BoulangerieUser, "/portal")
	j.run(chromedp.Navigate(base + ticketPath))
	j.waitPath(ticketPath)
	j.expectText("Le module de paiement mis à jour hier", "Revenir à la version précédente du module", "Résolu")
	j.inspect("portal-resolved")
}
