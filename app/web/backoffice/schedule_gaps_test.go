package backoffice_test

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"maintenant/app/testutil"
)

// pickerForm is the task form with the recurrence picker: quarterly, the first Monday.
func (a *planApp) pickerForm(mod ...string) url.Values {
	f := a.taskForm("rule", "", "rec_freq", "quarterly", "rec_interval", "1", "rec_on", "weekday", "rec_nth", "1",
		"rec_weekday", "1", "rec_monthday", "1", "rec_month", "1")
	for n := 0; n+1 < len(mod); n += 2 {
		f.Set(mod[n], mod[n+1])
	}
	return f
}

func TestPlanPickerSummaryAndContractHistory(t *testing.T) {
	a := newPlanApp(t)
	path := a.planPath() + "/tasks"
	for _, tc := range []struct {
		name, field, want string
		form              url.Values
	}{
		{"weekly without a day", "rec_weekdays", "au moins un jour", a.pickerForm("rec_freq", "weekly")},
		{"interval zero", "rec_interval", "entre 1 et 99", a.pickerForm("rec_interval", "0")},
		{"the 31st", "rec_monthday", "entre le 1er et le 28", a.pickerForm("rec_on", "day", "rec_monthday", "31")},
		{"unknown frequency", "rec_freq", "Choisissez une fréquence", a.pickerForm("rec_freq", "fortnightly")},
		{"advanced, unreadable", "rule", "pas une RRULE lisible", a.pickerForm("rec_freq", "advanced", "rule", "tous les mardis")},
		{"advanced, runaway", "rule", "plus d'une visite par jour", a.pickerForm("rec_freq", "advanced", "rule", "FREQ=HOURLY")},
	} {
		res := a.m.Post(path, tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", tc.name, res.StatusCode)
		}
		doc := res.Doc(t)
		if msg := doc.Find("#f-" + tc.field + "-error").Text(); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: message under %s: %q", tc.name, tc.field, msg)
		}
		if v, _ := doc.Find(`#f-rec_freq option[selected]`).Attr("value"); v != tc.form.Get("rec_freq") && tc.form.Get("rec_freq") != "fortnightly" {
			t.Errorf("%s: the picker was not kept: %q", tc.name, v)
		}
	}
	if n := a.count(t, "SELECT count(*) FROM maintenance_tasks"); n != 0 {
		t.Fatalf("refused forms saved %d tasks", n)
	}
	res := a.m.Post(path, a.pickerForm())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	if n := a.count(t, "SELECT count(*) FROM maintenance_tasks WHERE rrule = 'FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO'"); n != 1 {
		t.Fatalf("the picker's rule was not saved (%d)", n)
	}
	plan := a.m.Get(a.planPath()).Doc(t)
	if got := plan.Find("[data-rule-summary]").Text(); got != "Tous les 3 mois, le 1er lundi" {
		t.Errorf("plan summary %q", got)
	}
	if !strings.Contains(plan.Text(), "Avenant n° 2") {
		t.Error("the plan's amendment does not name the contract's amendment")
	}
	// The edit form shows the picker as saved.
	var taskID string
	if err := a.app.DB.Bun.NewRaw("SELECT id::text FROM maintenance_tasks").Scan(t.Context(), &taskID); err != nil {
		t.Fatal(err)
	}
	edit := a.m.Get(a.planPath() + "/tasks/" + taskID + "/edit").Doc(t)
	if v, _ := edit.Find(`#f-rec_freq option[selected]`).Attr("value"); v != "quarterly" {
		t.Errorf("edit form frequency %q", v)
	}
	if v, _ := edit.Find(`#f-rec_weekday option[selected]`).Attr("value"); v != "1" {
		t.Errorf("edit form weekday %q", v)
	}
	// The change is an amendment of the contract: in its history, the plan before and after.
	contract := a.m.Get("/admin/contracts/" + a.contract.String()).Doc(t)
	hist := contract.Find("#history-h").Parent().Text()
	for _, want := range []string{"Avenant n° 2", "Plan de maintenance préventive", "Le client demande une mise à jour mensuelle",
		"Mise à jour du site (boulangerie-martin.fr)", "Tous les 3 mois, le 1er lundi, à 09:30 · 1 h 30 · À distance"} {
		if !strings.Contains(hist, want) {
			t.Errorf("contract history lacks %q:\n%s", want, hist)
		}
	}
	// The contract document prints the plan of its terms.
	if _, err := exec.LookPath("pdftotext"); err == nil {
		res := a.m.Get("/admin/contracts/" + a.contract.String() + ".pdf")
		file := filepath.Join(t.TempDir(), "c.pdf")
		if err := os.WriteFile(file, []byte(res.Body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(string(out))), " ")
		if !strings.Contains(text, "Plan de maintenance préventive") || !strings.Contains(text, "Tous les 3 mois, le 1er lundi") {
			t.Errorf("the contract PDF lacks the plan")
		}
	}
	// The client sees it too, in its words, and its plan on the contract page, with no HTMX call.
	cl := a.app.LoginAs(t, testutil.BoulangerieUser)
	page := cl.Get("/portal/contracts/" + a.contract.String())
	if page.StatusCode != http.StatusOK {
		t.Fatalf("portal contract: %d", page.StatusCode)
	}
	doc := page.Doc(t)
	section := doc.Find("#contract-visits")
	if section.Length() != 1 || !strings.Contains(section.Text(), "Tous les 3 mois, le 1er lundi, à 09:30") ||
		!strings.Contains(section.Text(), "Mise à jour du site") || doc.Find(`[hx-trigger="load"]`).Length() != 0 {
		t.Errorf("portal contract visits section: %q", section.Text())
	}
	if !strings.Contains(doc.Text(), "Plan de maintenance préventive") {
		t.Error("the portal's contract history lacks the plan's amendment")
	}
	// In English, English words.
	cl.Post("/language", url.Values{"lang": {"en"}})
	if s := cl.Get("/portal/contracts/" + a.contract.String()).Doc(t).Find("#contract-visits").Text(); !strings.Contains(s, "Every 3 months, on the first Monday, at 09:30") {
		t.Errorf("English summary: %q", s)
	}
}

// TestScheduleDragAndDropPostsTheMoveForm: the calendar's visits carry what the move dialog posts
// (static/js/app.js fills it on drop), and that post is the reschedule route's, back to the view.
func TestScheduleDragAndDropPostsTheMoveForm(t *testing.T) {
	a := newPlanApp(t)
	if res := a.m.Post(a.planPath()+"/tasks", a.taskForm()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	doc := a.m.Get("/admin/schedule?view=month&date=2026-12-01").Doc(t)
	item := doc.Find(`[data-day="2026-12-01"] li[draggable="true"][data-reschedule]`).First()
	action, _ := item.Attr("data-reschedule")
	version, _ := item.Attr("data-version")
	at, _ := item.Attr("data-time")
	tech, _ := item.Attr("data-technician")
	if !strings.HasSuffix(action, "/reschedule") || version == "" || at != "09:30" || tech != a.tech.String() {
		t.Fatalf("draggable visit: %q %q %q %q", action, version, at, tech)
	}
	dialog := doc.Find("#move-dialog form")
	back, _ := dialog.Find(`input[name="back"]`).Attr("value")
	if dialog.Length() != 1 || dialog.Find("#move-reason").Length() != 1 || dialog.Find(`input[name="_csrf"]`).Length() != 1 ||
		back != "/admin/schedule?date=2026-12-01&view=month" {
		t.Fatalf("move dialog: back %q", back)
	}
	// The item's "Replanifier" link comes back to the same view (its back value encoded once).
	link, _ := item.Find(`a[href*="/reschedule?back="]`).Attr("href")
	if u, err := url.Parse(link); err != nil || u.Query().Get("back") != back {
		t.Fatalf("reschedule link %q: back is not %q", link, back)
	}
	if got, _ := a.m.Get(link).Doc(t).Find(`input[name="back"]`).Attr("value"); got != back {
		t.Fatalf("reschedule form from the month: back %q, want %q", got, back)
	}
	// A dropped visit without a reason: the reschedule form, 422, nothing moved.
	form := url.Values{"date": {"2026-12-02"}, "time": {at}, "technician_id": {tech}, "version": {version}, "back": {back}}
	if res := a.m.Post(action, form); res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-reason-error").Length() != 1 {
		t.Fatalf("no reason: %d", res.StatusCode)
	}
	res := a.m.Post(action, withForm(form, "reason", "Fermeture exceptionnelle le 1er"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != back {
		t.Fatalf("drop: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if cell := a.m.Get(back).Doc(t).Find(`[data-day="2026-12-02"]`).Text(); !strings.Contains(cell, "Mise à jour du site") || !strings.Contains(cell, "Replanifiée") {
		t.Errorf("2 December after the drop: %q", cell)
	}
}

func TestInterventionFormWarnsOfOverlaps(t *testing.T) {
	a := newPlanApp(t)
	ia := &interventionApp{a.ticketApp}
	first := ia.create(t, a.m, "Remplacement du routeur", func(v url.Values) {
		v.Set("scheduled_at", "2026-12-03T13:30")
		v.Set("estimate", "2 h")
		v.Set("technicians", a.tech.String())
	})
	form := url.Values{"client_id": {a.client.String()}, "contract_id": {a.contract.String()}, "kind": {"corrective"},
		"place": {"on_site"}, "title": {"Installation imprimante"}, "scheduled_at": {"2026-12-03T14:00"}, "estimate": {"1 h"},
		"technicians": {a.tech.String()}}
	res := a.m.Post("/admin/interventions", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("overlap: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if href, _ := doc.Find("#overlaps a").Attr("href"); href != first {
		t.Errorf("the warning links %q, want %q", href, first)
	}
	if doc.Find("#f-confirm_overlap").Length() != 1 || !strings.Contains(doc.Find("#f-confirm_overlap-error").Text(), "malgré le chevauchement") {
		t.Errorf("no confirmation asked: %q", doc.Find("#overlaps").Text())
	}
	if v, _ := doc.Find("#f-title").Attr("value"); v != "Installation imprimante" {
		t.Errorf("input not kept: %q", v)
	}
	if n := a.count(t, "SELECT count(*) FROM interventions WHERE title = 'Installation imprimante'"); n != 0 {
		t.Fatalf("an unconfirmed overlap saved %d", n)
	}
	// Another slot is no overlap; the confirmed one is saved.
	if res := a.m.Post("/admin/interventions", withForm(form, "scheduled_at", "2026-12-03T16:00")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("no overlap: %d", res.StatusCode)
	}
	res = a.m.Post("/admin/interventions", withForm(form, "confirm_overlap", "1", "title", "Câblage"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed: %d", res.StatusCode)
	}
	// Editing the header: moving the first one onto the other asks again; a change of title alone
	// does not ask about an overlap already accepted.
	second := res.Header.Get("Location")
	v := interventionVersion(t, a.m, second+"/edit")
	edit := withForm(form, "title", "Câblage du bureau", "version", v)
	if res := a.m.Post(second, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("title only: %d %s", res.StatusCode, res.Text(t))
	}
	v = interventionVersion(t, a.m, first+"/edit")
	move := withForm(form, "title", "Remplacement du routeur", "scheduled_at", "2026-12-03T16:30", "version", v)
	if res := a.m.Post(first, move); res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#overlaps").Length() != 1 {
		t.Fatalf("moved onto another: %d", res.StatusCode)
	}
}
