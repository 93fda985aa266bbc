package site_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// TestJourneySchedule: the manager adds a monthly task to the Boulangerie's plan (an amendment of
// the running contract), sees its visits in the month view of the schedule reached through HTMX
// navigation, reschedules one to the next day with a reason, opens the technician's day list; the
// Boulangerie's administrator sees the new date on the portal home. Every page passes axe and the
// sideways-scroll check at desktop and phone widths (artifacts/screenshots/schedule-*.png).
func TestJourneySchedule(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	ctx := context.Background()
	var contract, karim uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT ct.id FROM contracts AS ct JOIN clients AS cl ON cl.id = ct.client_id
		WHERE cl.name = 'Boulangerie Martin' AND ct.status = 'active' ORDER BY ct.reference LIMIT 1`).Scan(ctx, &contract); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.Bun.NewRaw("SELECT id FROM users WHERE email = ?", testutil.Technician).Scan(ctx, &karim); err != nil {
		t.Fatal(err)
	}
	j := newJourney(t, "schedule")
	base := app.Listen(t)
	j.run(chromedp.Navigate(base + "/login"))
	j.login(testutil.Manager, "/admin")

	// The contract page loads its plan's section; the plan page.
	j.run(chromedp.Navigate(fmt.Sprintf("%s/admin/contracts/%s", base, contract)))
	j.waitFor(`document.querySelector('section#plan-summary #plan-link')`)
	j.expectText("Plan de maintenance préventive", "Mises à jour du site et de la boutique")
	j.run(chromedp.Click(chromedp.CSS("#plan-link")))
	j.waitPath(fmt.Sprintf("/admin/contracts/%s/plan", contract))
	j.expectText("Tâches récurrentes", "Test de restauration de la sauvegarde", "Prochaines visites")
	j.inspect("plan")

	// A monthly task, as an amendment of the running contract.
	j.run(chromedp.Click(chromedp.CSS("#task-new")))
	j.waitPath(fmt.Sprintf("/admin/contracts/%s/plan/tasks/new", contract))
	j.run(
		chromedp.SendKeys(chromedp.CSS("#f-title"), "Contrôle mensuel de la caisse connectée"),
		chromedp.SendKeys(chromedp.CSS("#f-target"), "Caisse et terminal de paiement"),
		chromedp.SetValue(chromedp.CSS("#f-checklist"), "Mettre à jour le logiciel de caisse\nVérifier l'export comptable de la veille"),
		chromedp.SetValue(chromedp.CSS("#f-estimated_minutes"), "40"),
		chromedp.SetValue(chromedp.CSS("#f-technician_id"), karim.String()),
		// The picker: every month, on the 10th (the rule is built on the server).
		chromedp.SetValue(chromedp.CSS("#f-rec_freq"), "monthly"),
		chromedp.Click(chromedp.CSS("#f-rec_on-day")),
		chromedp.SetValue(chromedp.CSS("#f-rec_monthday"), "10"),
		chromedp.SetValue(chromedp.CSS("#f-at_time"), "10:00"),
		chromedp.SendKeys(chromedp.CSS("#f-reason"), "La boutique ajoute une caisse connectée au contrat."),
	)
	j.inspect("task-form")
	j.run(chromedp.Click(chromedp.CSS("#task-save")))
	j.waitPath(fmt.Sprintf("/admin/contracts/%s/plan", contract))
	j.expectText("Contrôle mensuel de la caisse connectée", "La boutique ajoute une caisse connectée au contrat.", "Chaque mois, le 10")
	// The change is an amendment of the contract, in its history with the plan before and after.
	j.run(chromedp.Navigate(fmt.Sprintf("%s/admin/contracts/%s", base, contract)))
	j.expectText("Avenant n° 3", "Plan de maintenance préventive", "Contrôle mensuel de la caisse connectée (Caisse et terminal de paiement)")
	j.run(chromedp.Evaluate[chromedp.Void](`document.querySelector("#history-h").scrollIntoView()`))
	j.capture("contract-history")

	// The schedule: the week of today, then the month and the next one through HTMX.
	j.clickNav("/admin/schedule")
	j.expectText("Planning des interventions", "Semaine du")
	j.inspect("week")
	j.run(chromedp.Click(chromedp.CSS(`nav[aria-label="Vues du planning"] a[href*="view=month"]`)))
	j.waitFor(`location.search.includes("view=month") && document.querySelector("#schedule-period").textContent.includes("Novembre 2026")`)
	j.run(chromedp.Click(chromedp.CSS("#schedule-next")))
	j.waitFor(`document.querySelector("#schedule-period").textContent.includes("Décembre 2026")`)
	if !strings.Contains(testutil.Eval[string](t, j.ctx, `location.search`), "date=2026-12-01") {
		t.Errorf("the month's URL was not pushed: %s", testutil.Eval[string](t, j.ctx, `location.search`))
	}
	cell := testutil.Eval[string](t, j.ctx, `document.querySelector('[data-day="2026-12-10"]').innerText`)
	if !strings.Contains(cell, "Contrôle mensuel de la caisse connectée") || !strings.Contains(cell, "10:00") {
		t.Fatalf("10 December: %q", cell)
	}
	j.inspect("month")

	// Drag the visit of 10 December onto the 11th (HTML5 drag events, dispatched as a mouse would):
	// the move form opens with the new day; the reason is required.
	j.run(chromedp.Evaluate[chromedp.Void](`(() => {
		const li = [...document.querySelectorAll('[data-day="2026-12-10"] li[data-reschedule]')].find(li => li.innerText.includes("caisse connectée"));
		const day = document.querySelector('[data-day="2026-12-11"]');
		const dt = new DataTransfer();
		li.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		day.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		day.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		li.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
	})()`))
	j.waitFor(`document.querySelector("#move-dialog").open`)
	if got := testutil.Eval[string](t, j.ctx, `document.querySelector("#move-date").value + " " + document.querySelector("#move-time").value`); got != "2026-12-11 10:00" {
		t.Errorf("the move form has %q", got)
	}
	j.run(chromedp.SendKeys(chromedp.CSS("#move-reason"), "Livraison de farine le 10 au matin : Julie Martin préfère le lendemain."))
	j.capture("move-dialog")
	j.run(chromedp.Click(chromedp.CSS("#move-save")))
	j.waitFor(`!!document.querySelector("#f-confirm") || (!document.querySelector("#move-dialog")?.open && (document.querySelector('[data-day="2026-12-11"]')?.innerText || "").includes("Replanifiée"))`)
	if testutil.Eval[bool](t, j.ctx, `!!document.querySelector("#f-confirm")`) {
		// The technician is busy then: the reschedule form asks for a confirmation.
		j.inspect("reschedule-conflict")
		j.run(chromedp.Click(chromedp.CSS("#f-confirm")), chromedp.Click(chromedp.CSS("#reschedule-submit")))
		j.waitPath("/admin/schedule")
	}
	j.waitFor(`!!document.querySelector('[data-day="2026-12-11"]')`)
	cell = testutil.Eval[string](t, j.ctx, `document.querySelector('[data-day="2026-12-11"]').innerText`)
	if !strings.Contains(cell, "Contrôle mensuel de la caisse connectée") || !strings.Contains(cell, "Replanifiée") {
		t.Errorf("11 December: %q", cell)
	}

	// The technician's day list.
	j.run(chromedp.Click(chromedp.CSS(`[data-day="2026-12-11"] h3 a`)))
	j.waitFor(`location.search.includes("view=day") && location.search.includes("date=2026-12-11")`)
	j.expectText("Karim Benali", "Contrôle mensuel de la caisse connectée", "vendredi 11 décembre 2026")
	j.inspect("day")

	// The client sees the new date on the portal home.
	j.openAccountMenu()
	j.run(chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)))
	j.waitPath("/login")
	j.login(testutil.BoulangerieUser, "/portal")
	j.waitFor(`!!document.querySelector('section#home-visits')`)
	j.expectText("Visites préventives", "11/12/2026 10:00", "Contrôle mensuel de la caisse connectée", "Date modifiée par notre équipe")
	j.inspect("portal-home")

	// The contract's visits page: the plan in plain words, the next visits paged with HTMX.
	j.run(chromedp.Navigate(fmt.Sprintf("%s/portal/visits?contract=%s", base, contract)))
	j.expectText("Chaque mois, le 10, à 10:00", "Tous les 3 mois, le 15, à 06:30")
	j.inspect("portal-visits")
}
