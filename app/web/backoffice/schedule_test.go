package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"
	"github.com/google/uuid"

	"maintenant/app/testutil"
)

// planApp is the Boulangerie's active contract (from 2026-01-01, renewed yearly) on 2026-11-22.
type planApp struct {
	*ticketApp
	tech uuid.UUID
}

func newPlanApp(t *testing.T) *planApp {
	t.Helper()
	a := newTicketApp(t)
	return &planApp{ticketApp: a, tech: ticketUser(t, a.app, testutil.Technician)}
}

func (a *planApp) planPath() string { return "/admin/contracts/" + a.contract.String() + "/plan" }

func (a *planApp) taskForm(mod ...string) url.Values {
	f := url.Values{
		"title": {"Mise à jour du site"}, "target": {"boulangerie-martin.fr"},
		"checklist":         {"Mettre à jour le CMS et les extensions\r\nVérifier la sauvegarde de la nuit\r\n\r\nTester une restauration"},
		"estimated_minutes": {"90"}, "technician_id": {a.tech.String()}, "place": {"remote"},
		"rule": {"FREQ=MONTHLY;BYDAY=1TU"}, "first_on": {"2026-12-01"}, "at_time": {"09:30"},
		"exdates": {""}, "reason": {"Le client demande une mise à jour mensuelle"}, "effective_from": {"2026-11-23"},
	}
	for n := 0; n+1 < len(mod); n += 2 {
		f.Set(mod[n], mod[n+1])
	}
	return f
}

// visitIDs are the contract's preventive visits by date.
func (a *planApp) visitIDs(t *testing.T) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	if err := a.app.DB.Bun.NewRaw(`SELECT id FROM interventions WHERE contract_id = ? AND kind = 'preventive' AND status = 'scheduled'
		ORDER BY scheduled_at`, a.contract).Scan(context.Background(), &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestPlanTasksAreAmendmentsAndPlanVisits(t *testing.T) {
	a := newPlanApp(t)
	path := a.planPath() + "/tasks"
	for _, tc := range []struct {
		name, field, want string
		form              url.Values
	}{
		{"runaway", "rule", "plus d'une visite par jour", a.taskForm("rule", "FREQ=HOURLY")},
		{"unreadable", "rule", "pas une RRULE lisible", a.taskForm("rule", "tous les mardis")},
		{"never", "rule", "aucune visite pendant la période", a.taskForm("rule", "FREQ=YEARLY;COUNT=1", "first_on", "2026-01-06")},
		{"zero", "estimated_minutes", "entre 1 minute et 24 heures", a.taskForm("estimated_minutes", "0")},
		{"no reason", "reason", "", a.taskForm("reason", "")},
		{"past", "effective_from", "aujourd'hui ou plus tard", a.taskForm("effective_from", "2026-10-01")},
	} {
		res := a.m.Post(path, tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", tc.name, res.StatusCode)
		}
		doc := res.Doc(t)
		if doc.Find("#f-"+tc.field+"-error").Length() != 1 || !strings.Contains(doc.Find("#f-"+tc.field+"-error").Text(), tc.want) {
			t.Errorf("%s: no message under %s: %q", tc.name, tc.field, doc.Find("#f-"+tc.field+"-error").Text())
		}
		if v, _ := doc.Find("#f-title").Attr("value"); v != "Mise à jour du site" {
			t.Errorf("%s: the input was not kept: %q", tc.name, v)
		}
	}
	if n := a.count(t, "SELECT count(*) FROM maintenance_tasks"); n != 0 {
		t.Fatalf("refused forms saved %d tasks", n)
	}
	res := a.m.Post(path, a.taskForm())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != a.planPath() {
		t.Fatalf("save: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	// 1 Dec, 5 Jan, 2 Feb within 90 days of 22 Nov; the amendment is on the plan's page.
	if ids := a.visitIDs(t); len(ids) != 3 {
		t.Fatalf("visits %d, want 3", len(ids))
	}
	page := a.m.Get(a.planPath()).Text(t)
	for _, want := range []string{"Mise à jour du site", "Le client demande une mise à jour mensuelle", "FREQ=MONTHLY;BYDAY=1TU", "Tester une restauration"} {
		if !strings.Contains(page, want) {
			t.Errorf("plan page lacks %q", want)
		}
	}
	// The contract page's section, as HTMX loads it.
	req, _ := http.NewRequest(http.MethodGet, a.planPath(), nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "plan-summary")
	frag := a.m.Do(req)
	if frag.StatusCode != http.StatusOK || strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `id="plan-summary"`) ||
		!strings.Contains(frag.Body, "1 avenant au plan") {
		t.Errorf("plan summary fragment: %d\n%s", frag.StatusCode, frag.Body)
	}
	if !strings.Contains(a.m.Get("/admin/contracts/"+a.contract.String()).Body, `hx-get="/admin/contracts/`+a.contract.String()+`/plan"`) {
		t.Error("the contract page does not load its plan")
	}
	// Ending the contract cancels its future visits at once.
	cpath := "/admin/contracts/" + a.contract.String()
	if res := a.m.Post(cpath+"/status", url.Values{"to": {"terminated"}, "status_reason": {"Fin d'activité"}, "version": {contractVersion(t, a.m, cpath)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("terminate: %d", res.StatusCode)
	}
	if n := a.count(t, "SELECT count(*) FROM interventions WHERE contract_id = ? AND kind = 'preventive' AND status = 'cancelled'", a.contract); n != 3 {
		t.Errorf("after the end, %d visits cancelled, want 3", n)
	}
	if res := a.m.Post(path, a.taskForm()); res.StatusCode != http.StatusConflict {
		t.Errorf("changing an ended contract's plan: %d", res.StatusCode)
	}
	// A technician reads the plan but does not change it.
	tc := a.app.LoginAs(t, testutil.Technician)
	if res := tc.Post(path, a.taskForm()); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Errorf("technician saved a task: %d", res.StatusCode)
	}
}

func TestScheduleViewsRescheduleAndChecklist(t *testing.T) {
	a := newPlanApp(t)
	if res := a.m.Post(a.planPath()+"/tasks", a.taskForm()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	ids := a.visitIDs(t)
	// Month, week and day views; an HTMX navigation gets the content alone.
	month := a.m.Get("/admin/schedule?view=month&date=2026-12-01")
	if month.StatusCode != http.StatusOK {
		t.Fatalf("month: %d", month.StatusCode)
	}
	doc := month.Doc(t)
	if cell := doc.Find(`[data-day="2026-12-01"]`).Text(); !strings.Contains(cell, "Mise à jour du site") || !strings.Contains(cell, "09:30") ||
		!strings.Contains(cell, "Préventive") {
		t.Errorf("1 December: %q", cell)
	}
	req, _ := http.NewRequest(http.MethodGet, "/admin/schedule?view=week&date=2026-12-01", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "main")
	if frag := a.m.Do(req); frag.StatusCode != http.StatusOK || strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, "Mise à jour du site") {
		t.Errorf("week fragment: %d", frag.StatusCode)
	}
	day := a.m.Get("/admin/schedule?view=day&date=2026-12-01").Text(t)
	if !strings.Contains(day, "Tech Démo") && !strings.Contains(day, "Mise à jour du site") {
		t.Errorf("day list: %q", day)
	}

	// Reschedule: stale, no reason, outside the contract, then a conflict to confirm.
	rpath := "/admin/schedule/" + ids[0].String() + "/reschedule"
	form := url.Values{"date": {"2026-12-03"}, "time": {"14:00"}, "technician_id": {a.tech.String()}, "reason": {"Le client est absent le 1er"}, "version": {"99"}}
	if res := a.m.Post(rpath, form); res.StatusCode != http.StatusConflict {
		t.Fatalf("stale: %d", res.StatusCode)
	}
	form.Set("version", "1")
	if res := a.m.Post(rpath, withForm(form, "reason", "")); res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-reason-error").Length() != 1 {
		t.Fatalf("no reason: %d", res.StatusCode)
	}
	if res := a.m.Post(rpath, withForm(form, "date", "2025-06-03")); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Doc(t).Find("#f-date-error").Text(), "hors de la période du contrat") {
		t.Fatalf("outside the contract: %d", res.StatusCode)
	}
	other := (&interventionApp{a.ticketApp}).create(t, a.m, "Remplacement du routeur", func(v url.Values) {
		v.Set("scheduled_at", "2026-12-03T13:30")
		v.Set("estimated_minutes", "120")
		v.Set("technicians", a.tech.String())
	})
	res := a.m.Post(rpath, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "Remplacement du routeur") || res.Doc(t).Find("#f-confirm").Length() != 1 {
		t.Fatalf("conflict: %d %s", res.StatusCode, res.Text(t))
	}
	if n := a.count(t, "SELECT count(*) FROM visit_reschedules"); n != 0 {
		t.Fatalf("a conflict saved %d reschedules", n)
	}
	res = a.m.Post(rpath, withForm(form, "confirm", "1"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed: %d %s", res.StatusCode, res.Text(t))
	}
	if got := a.mails(t, testutil.BoulangerieUser); len(got) == 0 || !strings.Contains(got[len(got)-1], "Nouvelle date pour votre visite") {
		t.Errorf("client mails %v", got)
	}
	hist := a.m.Get(rpath).Text(t)
	if !strings.Contains(hist, "Le client est absent le 1er") || !strings.Contains(hist, "03/12/2026 14:00") || !strings.Contains(hist, "client prévenu") {
		t.Errorf("history: %q", hist)
	}
	week := a.m.Get("/admin/schedule?view=week&date=2026-12-03").Doc(t)
	if cell := week.Find(`[data-day="2026-12-03"]`).Text(); !strings.Contains(cell, "Chevauchement") || !strings.Contains(cell, "Replanifiée") {
		t.Errorf("3 December: %q", cell)
	}
	_ = other

	// The checklist on the sheet; ticked steps reach the register when the sheet is completed.
	sheet := "/admin/interventions/" + ids[1].String()
	if !strings.Contains(a.m.Get(sheet).Body, `hx-get="`+sheet+`/checklist"`) {
		t.Fatal("the sheet does not load its checklist")
	}
	req, _ = http.NewRequest(http.MethodGet, sheet+"/checklist", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "checklist-slot")
	card := a.m.Do(req)
	if card.StatusCode != http.StatusOK || strings.Contains(card.Body, "<html") || card.Doc(t).Find(`input[name="step"]`).Length() != 3 {
		t.Fatalf("checklist card: %d\n%s", card.StatusCode, card.Body)
	}
	if res := a.m.Post(sheet+"/checklist", url.Values{"step": {"0", "2"}, "version": {"99"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale checklist: %d", res.StatusCode)
	}
	if res := a.m.Post(sheet+"/checklist", url.Values{"step": {"0", "2"}, "version": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("checklist: %d", res.StatusCode)
	}
	if n := a.count(t, "SELECT count(*) FROM visit_checklist_items WHERE intervention_id = ? AND checked", ids[1]); n != 2 {
		t.Errorf("ticked %d steps, want 2", n)
	}
}

func withForm(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for n := 0; n+1 < len(kv); n += 2 {
		out.Set(kv[n], kv[n+1])
	}
	return out
}

func TestCalendarFeedParsesAndRevokes(t *testing.T) {
	a := newPlanApp(t)
	if res := a.m.Post(a.planPath()+"/tasks", a.taskForm()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	tc := a.app.LoginAs(t, testutil.Technician)
	res := tc.Post("/admin/account/calendar", url.Values{})
	feedURL, _ := res.Doc(t).Find("#feed-url").Attr("value")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(feedURL, "http://maintenant.test/ical/") {
		t.Fatalf("feed: %d %q", res.StatusCode, feedURL)
	}
	path := strings.TrimPrefix(feedURL, "http://maintenant.test")
	anon := a.app.Client(t)
	ics := anon.Get(path)
	if ics.StatusCode != http.StatusOK || !strings.HasPrefix(ics.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("ics: %d %s", ics.StatusCode, ics.Header.Get("Content-Type"))
	}
	cal, err := ical.ParseCalendar(strings.NewReader(ics.Body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, ics.Body)
	}
	events := cal.Events()
	if len(events) != 3 {
		t.Fatalf("events %d, want 3", len(events))
	}
	start, err := events[0].GetStartAt()
	if err != nil || !start.Equal(mustParis(t, "2026-12-01 09:30")) {
		t.Errorf("first event starts %v (%v)", start, err)
	}
	if s := events[0].GetProperty("SUMMARY"); s == nil || !strings.Contains(s.Value, "Mise à jour du site") || !strings.Contains(s.Value, "Boulangerie") {
		t.Errorf("summary %+v", s)
	}
	// The manager has no feed: another token, or a revoked one, is 404.
	if res := anon.Get("/ical/" + strings.Repeat("x", 43) + ".ics"); res.StatusCode != http.StatusNotFound {
		t.Errorf("wrong token: %d", res.StatusCode)
	}
	if res := tc.Post("/admin/account/calendar/revoke", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res := anon.Get(path); res.StatusCode != http.StatusNotFound {
		t.Errorf("revoked token: %d", res.StatusCode)
	}
}

func mustParis(t *testing.T, s string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Paris")
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
