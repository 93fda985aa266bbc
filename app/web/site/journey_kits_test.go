package site_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// TestJourneyKits walks a technician's kit in a real browser: the technician takes the office's
// kit, reports its SATA adapter missing in one click, returns it with the check of its content
// list on a phone-sized form (the adapter counted 0), and finds the adapter on the restock list
// with his name; the sheet's kit section, the warranty boxes list and an item's box are looked at
// too.
func TestJourneyKits(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	j := newJourney(t, "kits-journey")
	var sheet uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT id FROM interventions WHERE status IN ('todo', 'scheduled', 'in_progress')
		ORDER BY number LIMIT 1`).Scan(context.Background(), &sheet); err != nil {
		t.Fatal(err)
	}

	j.run(chromedp.Navigate(base + "/login"))
	j.waitPath("/login")
	j.login(testutil.Technician, "/admin")
	j.clickNav("/admin/kits")
	j.expectText("Valise 1 — Dépannage poste", "Valise 2 — Réseau et câblage", "chez Karim Benali", "Incomplète")
	j.inspect("list")

	// Take the office's kit.
	j.run(chromedp.Click(chromedp.CSS(`main a[href^="/admin/kits/"]:not([href$="restock"])`)))
	j.waitFor(`/^\/admin\/kits\/[0-9a-f-]{36}$/.test(location.pathname)`)
	kit := j.path()
	j.expectText("Valise 1 — Dépannage poste", "Au bureau", "Adaptateur SATA/USB")
	j.run(chromedp.Click(chromedp.CSS(`form[action$="/take"] button`)))
	j.waitFor(`document.body.innerText.includes("sortie à votre nom")`)

	// One click reports the adapter missing.
	testutil.Eval[bool](t, j.ctx, `(() => {
		const li = [...document.querySelectorAll('#content li')].find(x => x.querySelector('p').textContent.trim() === 'Adaptateur SATA/USB');
		li.querySelector('form[action$="/report"] button').click();
		return true;
	})()`)
	j.waitFor(`document.body.innerText.includes("Manquant : signalé par Karim Benali")`)
	j.expectText("Incomplète", "Sortie")
	j.inspect("kit-out")

	// The return check: the adapter is not there.
	j.run(chromedp.Click(chromedp.CSS(`main a[href$="/return"]`)))
	j.waitPath(kit + "/return")
	j.inspect("return")
	testutil.Eval[bool](t, j.ctx, `(() => {
		const l = [...document.querySelectorAll('main label')].find(x => x.textContent.trim() === 'Adaptateur SATA/USB');
		document.getElementById(l.htmlFor).value = '0';
		return true;
	})()`)
	j.run(chromedp.Click(chromedp.CSS(`form[action$="/return"] button`)))
	j.waitPath(kit)
	j.expectText("1 article manque ou va manquer", "Au bureau", "Manques au retour : Adaptateur SATA/USB (0/1)")

	// The restock list shows it, reported by the technician.
	j.run(chromedp.Navigate(base + "/admin/kits/restock"))
	j.waitPath("/admin/kits/restock")
	j.expectText("Adaptateur SATA/USB", "Valise 1 — Dépannage poste", "Signalé par Karim Benali", "Connecteur RJ45 (pièce)")
	j.inspect("restock")

	// The sheet offers the consumables of the kit Karim still has out; the warranty boxes list.
	j.run(chromedp.Navigate(base + "/admin/interventions/" + sheet.String() + "#kit"))
	j.waitFor(`document.querySelector('#f-kit_item') !== null`)
	j.expectText("Consommables de ma valise", "Connecteur RJ45 (pièce)")
	j.inspect("sheet-kit")
	j.run(chromedp.Navigate(base + "/admin/equipment/boxes"))
	j.waitPath("/admin/equipment/boxes")
	j.expectText("1 carton peut être jeté", "Peut être jeté", "À garder")
	j.inspect("boxes")
	j.run(chromedp.Click(chromedp.CSS(`main li:first-child a[href^="/admin/equipment/"]`)))
	j.waitFor(`document.querySelector('#box') !== null`)
	j.expectText("Carton rangé : Grenier, étagère A", "La garantie est terminée : le carton peut être jeté.")
	j.inspect("item-box")
}
