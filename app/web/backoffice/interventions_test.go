package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/interventions"
	"maintenant/app/sla"
	"maintenant/app/testutil"
)

// interventionApp is the Boulangerie Martin under an active contract, with the manager logged in.
type interventionApp struct {
	*ticketApp
}

func newInterventionApp(t *testing.T) *interventionApp {
	t.Helper()
	return &interventionApp{newTicketApp(t)}
}

// create records an intervention through the form and returns its sheet's path.
func (a *interventionApp) create(t *testing.T, c *testutil.Client, title string, mod ...func(url.Values)) string {
	t.Helper()
	form := url.Values{
		"client_id": {a.client.String()}, "contract_id": {a.contract.String()}, "kind": {"corrective"},
		"place": {"on_site"}, "title": {title},
	}
	for _, f := range mod {
		f(form)
	}
	res := c.Post("/admin/interventions", form)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/interventions/") {
		t.Fatalf("create: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	return res.Header.Get("Location")
}

// version reads the version the sheet's forms carry.
func interventionVersion(t *testing.T, c *testutil.Client, path string) string {
	t.Helper()
	res := c.Get(path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	v, ok := res.Doc(t).Find(`input[name="version"]`).First().Attr("value")
	if !ok {
		t.Fatalf("no version on %s", path)
	}
	return v
}

// post sends a form of the sheet with its current version.
func interventionPost(t *testing.T, c *testutil.Client, path, action string, form url.Values) *testutil.Response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("version") == "" {
		form.Set("version", interventionVersion(t, c, path))
	}
	return c.Post(path+action, form)
}

// day is the test clock's day in Paris, as a datetime-local prefix.
func (a *interventionApp) at(hm string) string {
	loc, _ := time.LoadLocation("Europe/Paris")
	return a.app.Clock.Now().In(loc).AddDate(0, 0, -1).Format("2006-01-02") + "T" + hm
}

func wantStatus(t *testing.T, res *testutil.Response, want int, what string) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, want, res.Body)
	}
}

func TestInterventionCreate(t *testing.T) {
	a := newInterventionApp(t)
	res := a.m.Get("/admin/interventions/new?client=" + a.client.String())
	wantStatus(t, res, http.StatusOK, "new form")
	if res.Doc(t).Find(`select[name="contract_id"] option[value="`+a.contract.String()+`"]`).Length() != 1 {
		t.Error("the contract is not offered")
	}

	// Bad input: the same form back, 422, a message per field, the input kept, nothing saved.
	res = a.m.Post("/admin/interventions", url.Values{
		"client_id": {a.client.String()}, "kind": {"nope"}, "place": {"on_site"}, "title": {""},
		"estimate": {"abc"}, "ticket": {"T-9999"}, "scheduled_at": {"demain"},
	})
	wantStatus(t, res, http.StatusUnprocessableEntity, "bad create")
	doc := res.Doc(t)
	for _, f := range []string{"title", "estimate", "ticket", "scheduled_at"} {
		if doc.Find("#f-"+f+"-error").Length() != 1 {
			t.Errorf("no message under %s", f)
		}
	}
	if v, _ := doc.Find("#f-estimate").Attr("value"); v != "abc" {
		t.Errorf("estimate not kept: %q", v)
	}
	if !strings.Contains(res.Body, "Choisissez un type d") {
		t.Error("no message for the kind")
	}
	var n int
	if err := a.app.DB.Bun.NewRaw("SELECT count(*) FROM interventions").Scan(context.Background(), &n); err != nil || n != 0 {
		t.Fatalf("interventions after a refused create: %d %v", n, err)
	}

	// Good input with a ticket by reference and an unknown duration.
	tk := a.open(t, "Imprimante en panne", sla.Normal)
	path := a.create(t, a.m, "Réparer l'imprimante", func(f url.Values) { f.Set("ticket", tk.Reference()) })
	page := a.m.Get(path)
	wantStatus(t, page, http.StatusOK, "sheet")
	text := page.Text(t)
	for _, want := range []string{"I-0001", "Réparer l'imprimante", "durée inconnue", "À faire", "Boulangerie Martin", "Voir le signalement"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	// With an estimate "1 h 30", scheduled.
	path2 := a.create(t, a.m, "Installer le poste", func(f url.Values) {
		f.Set("estimate", "1 h 30")
		f.Set("scheduled_at", a.at("14:00"))
		f.Set("kind", "installation")
	})
	text = a.m.Get(path2).Text(t)
	for _, want := range []string{"1 h 30", "Planifiée"} {
		if !strings.Contains(text, want) {
			t.Errorf("second sheet lacks %q", want)
		}
	}

	// The lists: filtered by status; pending oldest first.
	list := a.m.Get("/admin/interventions?status=todo")
	wantStatus(t, list, http.StatusOK, "list")
	if lt := list.Text(t); !strings.Contains(lt, "I-0001") || strings.Contains(lt, "I-0002") {
		t.Errorf("the status filter does not filter:\n%s", lt)
	}
	pending := a.m.Get("/admin/interventions/pending").Text(t)
	if i1, i2 := strings.Index(pending, "I-0001"), strings.Index(pending, "I-0002"); i1 < 0 || i2 < 0 || i1 > i2 {
		t.Errorf("pending is not oldest first:\n%s", pending)
	}
	if !strings.Contains(pending, "durée inconnue") {
		t.Error("the pending list does not say the duration is unknown")
	}
	wantStatus(t, a.m.Get("/admin/interventions/not-a-uuid"), http.StatusNotFound, "malformed id")
}

func TestInterventionSheet(t *testing.T) {
	a := newInterventionApp(t)
	path := a.create(t, a.m, "Panne du serveur")
	ctx := context.Background()

	// Completing with no time is refused (to do → in progress first).
	wantStatus(t, interventionPost(t, a.m, path, "/takeup", nil), http.StatusSeeOther, "take up")
	wantStatus(t, interventionPost(t, a.m, path, "/takeup", nil), http.StatusSeeOther, "take up again")
	var n int
	if err := a.app.DB.Bun.NewRaw("SELECT count(*) FROM interventions").Scan(ctx, &n); err != nil || n != 1 {
		t.Fatalf("taking up made %d interventions (%v)", n, err)
	}
	text := a.m.Get(path).Text(t)
	if !strings.Contains(text, "En cours") || strings.Contains(text, "Prendre en charge") {
		t.Errorf("after take up:\n%s", text)
	}
	res := interventionPost(t, a.m, path, "/complete", nil)
	wantStatus(t, res, http.StatusUnprocessableEntity, "complete with no time")
	if !strings.Contains(res.Body, "Saisissez au moins un temps") {
		t.Error("no message about the missing time")
	}

	// Time: "1 h 30" of travel, then an overlap and a negative duration refused.
	res = interventionPost(t, a.m, path, "/time", url.Values{"category": {"travel"}, "started_at": {a.at("09:00")}, "minutes": {"1 h 30"}})
	wantStatus(t, res, http.StatusSeeOther, "add time")
	res = interventionPost(t, a.m, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at("10:00")}, "minutes": {"60"}, "note": {"garde"}})
	wantStatus(t, res, http.StatusUnprocessableEntity, "overlapping time")
	if !strings.Contains(res.Body, "déjà du temps saisi") {
		t.Error("no overlap message")
	}
	if v, _ := res.Doc(t).Find("#f-note").Attr("value"); v != "garde" {
		t.Errorf("the note was not kept: %q", v)
	}
	res = interventionPost(t, a.m, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at("11:00")}, "minutes": {"-30"}})
	wantStatus(t, res, http.StatusUnprocessableEntity, "negative time")
	if res.Doc(t).Find("#f-minutes-error").Length() != 1 {
		t.Error("no message under the duration")
	}
	res = interventionPost(t, a.m, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at("10:30")}, "minutes": {"45"}, "billable": {"on"}})
	wantStatus(t, res, http.StatusSeeOther, "add work")

	// Per-equipment sections, a material with "1,5" and "12,50".
	res = interventionPost(t, a.m, path, "/actions", url.Values{
		"actions.0.target": {"Serveur"}, "actions.0.done": {"Disque remplacé"}, "actions.0.remaining": {"Surveiller"},
		"actions.1.target": {""}, "actions.1.done": {""}, "actions.1.remaining": {""},
	})
	wantStatus(t, res, http.StatusSeeOther, "actions")
	res = interventionPost(t, a.m, path, "/actions", url.Values{"actions.0.target": {""}, "actions.0.done": {"Sans cible"}, "actions.0.remaining": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity, "action without target")
	res = interventionPost(t, a.m, path, "/materials", url.Values{"description": {"Câble"}, "quantity": {"0"}, "unit_price": {"-2"}})
	wantStatus(t, res, http.StatusUnprocessableEntity, "bad material")
	if d := res.Doc(t); d.Find("#f-quantity-error").Length() != 1 || d.Find("#f-unit_price-error").Length() != 1 {
		t.Error("no messages under quantity and price")
	}
	res = interventionPost(t, a.m, path, "/materials", url.Values{"description": {"Câble réseau"}, "quantity": {"1,5"}, "unit_price": {"12,50"}, "material_billable": {"on"}})
	wantStatus(t, res, http.StatusSeeOther, "material")
	res = interventionPost(t, a.m, path, "/notes", url.Values{"summary": {"Disque remplacé, serveur reparti."}, "internal_notes": {"RAS"}})
	wantStatus(t, res, http.StatusSeeOther, "notes")
	text = a.m.Get(path).Text(t)
	for _, want := range []string{"Trajet", "1 h 30", "45 min", "Câble réseau", "1,5", "12,50", "18,75", "Disque remplacé", "Surveiller"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}

	// A stale version: 409 with the user's input.
	stale := interventionVersion(t, a.m, path)
	wantStatus(t, interventionPost(t, a.m, path, "/notes", url.Values{"summary": {"v2"}}), http.StatusSeeOther, "notes again")
	res = a.m.Post(path+"/notes", url.Values{"version": {stale}, "summary": {"Mon texte à garder"}})
	wantStatus(t, res, http.StatusConflict, "stale notes")
	if !strings.Contains(res.Body, "Mon texte à garder") {
		t.Error("the stale form lost the input")
	}

	// Complete: register entry, read-only sheet, edits refused with the addendum message.
	res = interventionPost(t, a.m, path, "/complete", nil)
	wantStatus(t, res, http.StatusSeeOther, "complete")
	if err := a.app.DB.Bun.NewRaw("SELECT count(*) FROM register_entries").Scan(ctx, &n); err != nil || n != 1 {
		t.Fatalf("register entries: %d (%v)", n, err)
	}
	page := a.m.Get(path)
	doc := page.Doc(t)
	if doc.Find(`form[action$="/time"], form[action$="/materials"], form[action$="/notes"], form[action$="/complete"]`).Length() != 0 {
		t.Error("a completed sheet still has edit forms")
	}
	if !strings.Contains(page.Text(t), "Terminée") {
		t.Error("not shown as done")
	}
	res = interventionPost(t, a.m, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at("15:00")}, "minutes": {"10"}})
	wantStatus(t, res, http.StatusConflict, "time on a frozen sheet")
	if !strings.Contains(res.Body, "ajoutez un avenant") {
		t.Error("no addendum message")
	}
	wantStatus(t, interventionPost(t, a.m, path, "/addendum", url.Values{"body": {""}}), http.StatusUnprocessableEntity, "empty addendum")
	res = interventionPost(t, a.m, path, "/addendum", url.Values{"body": {"Oubli : câble testé."}})
	wantStatus(t, res, http.StatusSeeOther, "addendum")
	if !strings.Contains(a.m.Get(path).Text(t), "Oubli : câble testé.") {
		t.Error("the addendum is not on the sheet")
	}
	if err := a.app.DB.Bun.NewRaw("SELECT count(*) FROM register_entries").Scan(ctx, &n); err != nil || n != 2 {
		t.Fatalf("register entries after the addendum: %d (%v)", n, err)
	}
}

func TestInterventionTechnician(t *testing.T) {
	a := newInterventionApp(t)
	path := a.create(t, a.m, "Poste lent")
	tech := a.app.LoginAs(t, testutil.Technician)
	wantStatus(t, interventionPost(t, tech, path, "/takeup", nil), http.StatusSeeOther, "technician takes up")
	res := interventionPost(t, tech, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at("08:00")}, "minutes": {"30"}})
	wantStatus(t, res, http.StatusSeeOther, "technician logs time")
	res = interventionPost(t, tech, path, "/time", url.Values{"category": {"research"}, "started_at": {a.at("08:30")}, "minutes": {"15"}})
	wantStatus(t, res, http.StatusSeeOther, "technician logs research")
	v := interventionVersion(t, tech, path)
	var eid string
	if err := a.app.DB.Bun.NewRaw("SELECT id::text FROM time_entries WHERE category = 'research'").Scan(context.Background(), &eid); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, tech.Post(path+"/time/"+eid+"/delete", url.Values{"version": {v}}), http.StatusSeeOther, "delete time")
	wantStatus(t, interventionPost(t, tech, path, "/complete", nil), http.StatusSeeOther, "technician completes")
	if text := tech.Get(path).Text(t); !strings.Contains(text, "Terminée") {
		t.Error("not done")
	}
}

// TestInterventionsInBrowser shows the list and a sheet at desktop and phone widths: axe-clean, no
// sideways scroll (artifacts/screenshots/interventions-*.png).
func TestInterventionsInBrowser(t *testing.T) {
	a := newInterventionApp(t)
	a.create(t, a.m, "Nouvelle demande sans estimation")
	path := a.create(t, a.m, "Panne du serveur de caisse", func(f url.Values) { f.Set("estimate", "2 h") })
	wantStatus(t, interventionPost(t, a.m, path, "/takeup", nil), http.StatusSeeOther, "take up")
	wantStatus(t, interventionPost(t, a.m, path, "/time", url.Values{"category": {"travel"}, "started_at": {a.at("09:00")}, "minutes": {"30"}}), http.StatusSeeOther, "time")
	wantStatus(t, interventionPost(t, a.m, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at("09:30")}, "minutes": {"1 h 15"}, "billable": {"on"}}), http.StatusSeeOther, "time")
	wantStatus(t, interventionPost(t, a.m, path, "/materials", url.Values{"description": {"Disque SSD 1 To"}, "quantity": {"1"}, "unit_price": {"89,90"}, "material_billable": {"on"}}), http.StatusSeeOther, "material")
	wantStatus(t, interventionPost(t, a.m, path, "/actions", url.Values{"actions.0.target": {"Serveur de caisse"}, "actions.0.done": {"Disque remplacé, système restauré."}, "actions.0.remaining": {"Vérifier la sauvegarde demain."}}), http.StatusSeeOther, "actions")

	base := a.app.Listen(t)
	b := testutil.Browser(t)
	inspect := func(name string) {
		t.Helper()
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			setViewport(t, b, v)
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Screenshot(t, b, name+"-"+v.Name)
		}
		setViewport(t, b, testutil.Desktop)
		testutil.CheckConsole(t, b)
	}
	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitPath(t, b, "/admin")
	testutil.Run(t, b, chromedp.Navigate(base+"/admin/interventions"))
	testutil.WaitPath(t, b, "/admin/interventions")
	inspect("interventions-list")
	testutil.Run(t, b, chromedp.Navigate(base+path))
	testutil.WaitPath(t, b, path)
	inspect("interventions-sheet")
}

// listRefs reads the references on a page of the list and its next page's link.
func listRefs(t *testing.T, c *testutil.Client, path string) (refs []string, next string) {
	t.Helper()
	res := c.Get(path)
	wantStatus(t, res, http.StatusOK, path)
	doc := res.Doc(t)
	doc.Find("#interventions > li p:first-child a:first-child").Each(func(_ int, s *goquery.Selection) {
		refs = append(refs, strings.TrimSpace(s.Text()))
	})
	doc.Find(`nav[aria-label] a`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "Suivant") {
			next, _ = s.Attr("href")
		}
	})
	return refs, next
}

func TestInterventionListFilters(t *testing.T) {
	a := newInterventionApp(t)
	tech, manager := ticketUser(t, a.app, testutil.Technician), ticketUser(t, a.app, testutil.Manager)
	kindOf := map[string]string{}
	techOf := map[string]uuid.UUID{}
	noContract := map[string]bool{}
	err := a.app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		add := func(n int, kind interventions.Kind, who uuid.UUID, contract uuid.UUID) error {
			for range n {
				in := interventions.Input{ClientID: a.client, ContractID: contract, Kind: kind, Place: interventions.PlaceRemote,
					Title: "Intervention " + string(kind)}
				if who != uuid.Nil {
					in.Technicians = []uuid.UUID{who}
				}
				// One instant for all: the keyset falls back on the id.
				i, err := interventions.Create(ctx, tx, in, audit.Actor{Label: "test"}, a.app.Clock.Now())
				if err != nil {
					return err
				}
				kindOf[i.Reference()], techOf[i.Reference()], noContract[i.Reference()] = string(kind), who, contract == uuid.Nil
			}
			return nil
		}
		if err := add(53, interventions.KindPreventive, tech, a.contract); err != nil {
			return err
		}
		if err := add(3, interventions.KindCorrective, manager, a.contract); err != nil {
			return err
		}
		return add(2, interventions.KindEvolutive, uuid.Nil, uuid.Nil)
	})
	if err != nil {
		t.Fatal(err)
	}

	// Kind and technician, over two pages: every row matches, none twice, none missing.
	path := "/admin/interventions?kind=preventive&tech=" + tech.String()
	page1, next := listRefs(t, a.m, path)
	if len(page1) != 50 || next == "" {
		t.Fatalf("first page: %d rows, next %q; want 50 and a next page", len(page1), next)
	}
	for _, want := range []string{"kind=preventive", "tech=" + tech.String(), "after="} {
		if !strings.Contains(next, want) {
			t.Errorf("the next page's link %q lost %q", next, want)
		}
	}
	page2, next2 := listRefs(t, a.m, next)
	if len(page2) != 3 || next2 != "" {
		t.Errorf("second page: %d rows, next %q; want 3 and no next page", len(page2), next2)
	}
	seen := map[string]bool{}
	for _, ref := range append(page1, page2...) {
		if seen[ref] || kindOf[ref] != "preventive" || techOf[ref] != tech {
			t.Errorf("%s: twice %v, kind %s, technician %v", ref, seen[ref], kindOf[ref], techOf[ref])
		}
		seen[ref] = true
	}
	doc := a.m.Get(path).Doc(t)
	if v, _ := doc.Find(`#f-kind option[selected]`).Attr("value"); v != "preventive" {
		t.Errorf("kind filter shows %q", v)
	}
	if v, _ := doc.Find(`#f-tech option[selected]`).Attr("value"); v != tech.String() {
		t.Errorf("technician filter shows %q", v)
	}

	// The manager's interventions only.
	if refs, _ := listRefs(t, a.m, "/admin/interventions?tech="+manager.String()); len(refs) != 3 {
		t.Errorf("manager's interventions: %v", refs)
	} else {
		for _, ref := range refs {
			if kindOf[ref] != "corrective" {
				t.Errorf("%s is not the manager's", ref)
			}
		}
	}

	// The contract is offered once the client is chosen; sheets without contract are left out.
	base := "/admin/interventions?client=" + a.client.String()
	if n := a.m.Get(base).Doc(t).Find(`#f-contract option[value="` + a.contract.String() + `"]`).Length(); n != 1 {
		t.Error("the client's contract is not offered")
	}
	refs, _ := listRefs(t, a.m, base+"&kind=evolutive")
	if len(refs) != 2 {
		t.Errorf("evolutive interventions of the client: %v", refs)
	}
	res := a.m.Get(base + "&kind=evolutive&contract=" + a.contract.String())
	if n := res.Doc(t).Find("#interventions > li").Length(); n != 0 || !strings.Contains(res.Text(t), "Aucune intervention") {
		t.Errorf("evolutive interventions under the contract: %d rows\n%s", n, res.Text(t))
	}
	// Unknown values are ignored, not errors.
	wantStatus(t, a.m.Get("/admin/interventions?kind=nope&tech=zzz&contract=1"), http.StatusOK, "bad filters")
}

func TestInterventionEdit(t *testing.T) {
	a := newInterventionApp(t)
	ctx := context.Background()
	tech := ticketUser(t, a.app, testutil.Technician)
	path := a.create(t, a.m, "Réparer l'imprimante", func(f url.Values) { f.Set("technicians", tech.String()) })
	edit := path + "/edit"
	var assigned int
	if err := a.app.DB.Bun.NewRaw("SELECT count(*) FROM intervention_technicians WHERE user_id = ?", tech).Scan(ctx, &assigned); err != nil || assigned != 1 {
		t.Fatalf("technician ticked at creation: %d assignments, %v", assigned, err)
	}

	// The sheet links to the form, which holds the saved values.
	if href, _ := a.m.Get(path).Doc(t).Find(`header a[href$="/edit"]`).Attr("href"); href != edit {
		t.Errorf("the sheet's edit link is %q, want %q", href, edit)
	}
	res := a.m.Get(edit)
	wantStatus(t, res, http.StatusOK, "edit form")
	doc := res.Doc(t)
	if v, _ := doc.Find("#f-title").Attr("value"); v != "Réparer l'imprimante" {
		t.Errorf("title %q", v)
	}
	if v, _ := doc.Find(`input[name="kind"][checked]`).Attr("value"); v != "corrective" {
		t.Errorf("kind %q", v)
	}
	if doc.Find(`input[name="technicians"][value="`+tech.String()+`"][checked]`).Length() != 1 {
		t.Error("the assigned technician is not ticked")
	}
	if doc.Find(`select[name="client"], input[name="client_id"]`).Length() != 0 {
		t.Error("the client is offered for change")
	}
	version, _ := doc.Find(`input[name="version"]`).Attr("value")

	// Bad input: 422, a message per field, the input kept, nothing saved.
	bad := url.Values{"version": {version}, "kind": {"corrective"}, "place": {"on_site"}, "title": {""},
		"estimate": {"-5"}, "ticket": {"T-9999"}, "scheduled_at": {"demain"}, "technicians": {"nope"},
		"contract_id": {a.contract.String()}}
	res = a.m.Post(path, bad)
	wantStatus(t, res, http.StatusUnprocessableEntity, "bad edit")
	doc = res.Doc(t)
	for _, f := range []string{"title", "estimate", "ticket", "scheduled_at", "technicians"} {
		if doc.Find("#f-"+f+"-error").Length() != 1 {
			t.Errorf("no message under %s", f)
		}
	}
	if v, _ := doc.Find("#f-estimate").Attr("value"); v != "-5" {
		t.Errorf("estimate not kept: %q", v)
	}
	if v, _ := doc.Find("#f-ticket").Attr("value"); v != "T-9999" {
		t.Errorf("ticket not kept: %q", v)
	}
	var title string
	if err := a.app.DB.Bun.NewRaw("SELECT title FROM interventions").Scan(ctx, &title); err != nil || title != "Réparer l'imprimante" {
		t.Fatalf("title after a refused edit: %q %v", title, err)
	}

	// Good input: every field of the header, then back to the sheet.
	tk := a.open(t, "Imprimante en panne", sla.Normal)
	good := url.Values{"version": {version}, "kind": {"installation"}, "place": {"workshop"}, "title": {"Remplacer l'imprimante"},
		"estimate": {"2 h"}, "ticket": {tk.Reference()}, "scheduled_at": {a.at("10:00")}, "technicians": {tech.String()},
		"contract_id": {a.contract.String()}}
	res = a.m.Post(path, good)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("edit: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	var got struct {
		Title    string    `bun:"title"`
		Kind     string    `bun:"kind"`
		Place    string    `bun:"place"`
		Estimate int       `bun:"estimated_minutes"`
		Ticket   uuid.UUID `bun:"ticket_id"`
		Audited  int       `bun:"audited"`
	}
	if err := a.app.DB.Bun.NewRaw(`SELECT title, kind, place, estimated_minutes, ticket_id,
		(SELECT count(*) FROM audit_log WHERE action = 'intervention.updated') AS audited FROM interventions`).Scan(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got.Title != "Remplacer l'imprimante" || got.Kind != "installation" || got.Place != "workshop" || got.Estimate != 120 || got.Ticket != tk.ID || got.Audited != 1 {
		t.Errorf("saved %+v", got)
	}
	if text := a.m.Get(path).Text(t); !strings.Contains(text, "Intervention I-0001 modifiée.") || !strings.Contains(text, "2 h") {
		t.Error("the sheet does not show the change and its flash")
	}

	// The same form saved again from a stale page: 409, the input kept against the current version.
	good.Set("title", "Autre onglet")
	res = a.m.Post(path, good)
	wantStatus(t, res, http.StatusConflict, "stale edit")
	doc = res.Doc(t)
	if !strings.Contains(res.Text(t), "Quelqu'un a modifié ces informations") {
		t.Error("409 does not say why")
	}
	if v, _ := doc.Find("#f-title").Attr("value"); v != "Autre onglet" {
		t.Errorf("409 lost the input: %q", v)
	}
	if v, _ := doc.Find(`input[name="version"]`).Attr("value"); v == version {
		t.Error("409 keeps the stale version: saving again would fail forever")
	}

	// A completed sheet is frozen: the form is refused, and so is a save.
	if res := interventionPost(t, a.m, path, "/takeup", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("take up: %d", res.StatusCode)
	}
	if res := interventionPost(t, a.m, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at("09:00")}, "minutes": {"30"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("time: %d\n%s", res.StatusCode, res.Body)
	}
	if res := interventionPost(t, a.m, path, "/complete", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d\n%s", res.StatusCode, res.Body)
	}
	res = a.m.Get(edit)
	wantStatus(t, res, http.StatusConflict, "edit a completed sheet")
	if !strings.Contains(res.Text(t), "La fiche est terminée") || res.Doc(t).Find(`form[action="`+path+`"]`).Length() != 0 {
		t.Error("the frozen sheet's form is offered, or the refusal is not explained")
	}
	good.Set("version", interventionVersion(t, a.m, path))
	wantStatus(t, a.m.Post(path, good), http.StatusConflict, "save a completed sheet")
	if a.m.Get(path).Doc(t).Find(`header a[href$="/edit"]`).Length() != 0 {
		t.Error("a completed sheet offers its edit link")
	}
	wantStatus(t, a.m.Get("/admin/interventions/"+uuid.New().String()+"/edit"), http.StatusNotFound, "unknown intervention")
}
