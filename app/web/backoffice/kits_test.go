package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/interventions"
	"maintenant/app/testutil"
)

// kitLine finds a demo kit and one of its lines by name.
func kitLine(t *testing.T, app *testutil.App, kit, item string) (uuid.UUID, uuid.UUID, int) {
	t.Helper()
	var row struct {
		KitID  uuid.UUID `bun:"kit_id"`
		ItemID uuid.UUID `bun:"item_id"`
		OnHand int       `bun:"on_hand"`
	}
	if err := app.DB.Bun.NewRaw(`SELECT k.id AS kit_id, ki.id AS item_id, ki.on_hand FROM kits AS k
		JOIN kit_items AS ki ON ki.kit_id = k.id WHERE k.name LIKE ? AND ki.name = ?`, kit+"%", item).
		Scan(context.Background(), &row); err != nil {
		t.Fatalf("kit line %s / %s: %v", kit, item, err)
	}
	return row.KitID, row.ItemID, row.OnHand
}

func kitOut(t *testing.T, app *testutil.App, kitID uuid.UUID) bool {
	t.Helper()
	n, err := app.DB.Bun.NewSelect().Table("kit_outings").Where("kit_id = ? AND returned_at IS NULL", kitID).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// TestKitTakeReportReturnRestock: a technician takes the office's kit (not twice), reports a
// missing screwdriver in one click (not twice), has a negative count refused at the return check
// with nothing saved, returns it; the restock list shows the screwdriver with who reported it; the
// technician cannot restock, the manager can.
func TestKitTakeReportReturnRestock(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	tech := app.LoginAs(t, testutil.Technician)
	kit, screwdriver, _ := kitLine(t, app, "Valise 1", "Tournevis de précision (jeu)")
	_, adapter, _ := kitLine(t, app, "Valise 1", "Adaptateur SATA/USB")
	base := "/admin/kits/" + kit.String()
	before := map[string]int{}
	for _, a := range audit.KitActions {
		before[a] = auditCount(t, app, a)
	}

	list := tech.Get("/admin/kits")
	if text := list.Text(t); list.StatusCode != http.StatusOK || !strings.Contains(text, "Valise 1 — Dépannage poste") ||
		!strings.Contains(text, "chez Karim Benali") || !strings.Contains(text, "Incomplète") {
		t.Fatalf("kit list %d:\n%s", list.StatusCode, text)
	}
	postOK(t, tech, base+"/take", nil)
	if res := tech.Post(base+"/take", nil); res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "déjà sortie") {
		t.Fatalf("second take: %d", res.StatusCode)
	}
	postOK(t, tech, base+"/items/"+screwdriver.String()+"/report", nil)
	if res := tech.Post(base+"/items/"+screwdriver.String()+"/report", nil); res.StatusCode != http.StatusConflict {
		t.Fatalf("second report: %d", res.StatusCode)
	}
	page := tech.Get(base)
	if text := page.Text(t); !strings.Contains(text, "Manquant : signalé par Karim Benali") || !strings.Contains(text, "Incomplète") {
		t.Fatalf("kit page after the report:\n%s", text)
	}

	// The return check: every line offered with what the kit should hold.
	form := tech.Get(base + "/return")
	values := url.Values{}
	form.Doc(t).Find(`form[action$="/return"] input[name^="present."]`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v, _ := s.Attr("value")
		values.Set(name, v)
	})
	// The screwdriver reported missing counts one less already.
	if len(values) != 7 || values.Get("present."+screwdriver.String()) != "0" || values.Get("present."+adapter.String()) != "1" {
		t.Fatalf("return form values: %v", values)
	}
	values.Set("present."+screwdriver.String(), "-1")
	res := tech.Post(base+"/return", values)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("negative count: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if msg := doc.Find("#f-present\\." + screwdriver.String() + "-error").Text(); !strings.Contains(msg, "nombre entier, 0 ou plus") {
		t.Fatalf("error under the line: %q", msg)
	}
	if v, _ := doc.Find(`input[name="present.` + screwdriver.String() + `"]`).Attr("value"); v != "-1" {
		t.Fatalf("input lost: %q", v)
	}
	if !kitOut(t, app, kit) {
		t.Fatal("a refused return returned the kit")
	}
	values.Set("present."+screwdriver.String(), "0")
	postOK(t, tech, base+"/return", values)
	if kitOut(t, app, kit) {
		t.Fatal("the kit is still out")
	}
	if res := tech.Post(base+"/return", values); res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "pas sortie") {
		t.Fatalf("returning a kit that is not out: %d", res.StatusCode)
	}
	if text := tech.Get(base).Text(t); !strings.Contains(text, "Manques au retour : Tournevis de précision (jeu) (0/1)") {
		t.Fatalf("history:\n%s", text)
	}

	// The restock list shows it, with who reported it; only the manager restocks.
	restock := tech.Get("/admin/kits/restock").Text(t)
	if !strings.Contains(restock, "Tournevis de précision (jeu)") || !strings.Contains(restock, "Signalé par Karim Benali") ||
		!strings.Contains(restock, "Connecteur RJ45 (pièce)") {
		t.Fatalf("restock list:\n%s", restock)
	}
	if res := tech.Post(base+"/items/"+screwdriver.String()+"/restock", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("technician restocking: %d", res.StatusCode)
	}
	m := app.LoginAs(t, testutil.Manager)
	res = postOK(t, m, base+"/items/"+screwdriver.String()+"/restock", url.Values{"back": {"restock"}})
	if loc := res.Header.Get("Location"); loc != "/admin/kits/restock" {
		t.Fatalf("restock went to %q", loc)
	}
	if text := m.Get("/admin/kits/restock").Doc(t).Find("main ul").Text(); strings.Contains(text, "Tournevis de précision (jeu)") {
		t.Fatalf("restocked line still listed:\n%s", text)
	}
	if _, _, n := kitLine(t, app, "Valise 1", "Tournevis de précision (jeu)"); n != 1 {
		t.Fatalf("screwdriver after restock: %d", n)
	}
	for action, want := range map[string]int{audit.KitTaken: 1, audit.KitReturned: 1, audit.KitItemReported: 1, audit.KitRestocked: 1} {
		if got := auditCount(t, app, action) - before[action]; got != want {
			t.Errorf("%s: %d new entries, want %d", action, got, want)
		}
	}
}

func auditCount(t *testing.T, app *testutil.App, action string) int {
	t.Helper()
	n, err := app.DB.Bun.NewSelect().Table("audit_log").Where("action = ?", action).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestKitFormManagerOnly: technicians cannot create or edit kits; the manager's form refuses a
// negative quantity with the input kept and nothing saved, creates a kit, and refuses a stale edit.
func TestKitFormManagerOnly(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	tech := app.LoginAs(t, testutil.Technician)
	good := url.Values{"name": {"Valise 3 — Serveurs"}, "description": {"Baie et onduleurs"},
		"items.0.name": {"Câble console"}, "items.0.quantity": {"1"}, "items.0.id": {""},
		"items.1.name": {"Étiquettes"}, "items.1.quantity": {"50"}, "items.1.consumable": {"on"}, "items.1.min_level": {"10"},
		"items.1.unit_price": {"0,20"}, "items.1.id": {""},
		"items.2.name": {""}, "items.2.quantity": {""}, "items.2.id": {""}}
	if res := tech.Get("/admin/kits/new"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("technician new form: %d", res.StatusCode)
	}
	if res := tech.Post("/admin/kits", good); res.StatusCode != http.StatusForbidden {
		t.Fatalf("technician create: %d", res.StatusCode)
	}
	good.Del("_csrf") // the technician's token, set by Post
	m := app.LoginAs(t, testutil.Manager)
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("items.1.quantity", "-5")
	res := m.Post("/admin/kits", bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("negative quantity: %d\n%s", res.StatusCode, res.Text(t))
	}
	doc := res.Doc(t)
	if msg := doc.Find("#f-items\\.1\\.quantity-error").Text(); !strings.Contains(msg, "quantité entière") {
		t.Fatalf("error under the quantity: %q", msg)
	}
	if v, _ := doc.Find(`input[name="items.1.name"]`).Attr("value"); v != "Étiquettes" {
		t.Fatalf("input lost: %q", v)
	}
	if n, _ := app.DB.Bun.NewSelect().Table("kits").Where("name LIKE 'Valise 3%'").Count(context.Background()); n != 0 {
		t.Fatal("a refused kit was saved")
	}
	res = postOK(t, m, "/admin/kits", good)
	path := res.Header.Get("Location")
	if text := m.Get(path).Text(t); !strings.Contains(text, "Étiquettes") || !strings.Contains(text, "50 / 50") || !strings.Contains(text, "consommable, minimum 10") {
		t.Fatalf("new kit page:\n%s", text)
	}
	edit := m.Get(path + "/edit")
	if edit.StatusCode != http.StatusOK || tech.Get(path+"/edit").StatusCode != http.StatusForbidden {
		t.Fatalf("edit form: %d", edit.StatusCode)
	}
	values := url.Values{}
	edit.Doc(t).Find(`form[action="` + path + `"] input:not([type=checkbox]), form[action="` + path + `"] textarea`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v, _ := s.Attr("value")
		if s.Is("textarea") {
			v = s.Text()
		}
		values.Set(name, v)
	})
	values.Set("items.1.consumable", "on")
	values.Set("items.0.quantity", "2")
	postOK(t, m, path, values)
	if res := m.Post(path, values); res.StatusCode != http.StatusConflict {
		t.Fatalf("stale edit: %d", res.StatusCode)
	}
	if text := m.Get(path).Text(t); !strings.Contains(text, "2 / 2") {
		t.Fatalf("after edit:\n%s", text)
	}
}

// TestKitConsumableOntoSheet: the technician holding a kit sees its consumables on an open sheet
// and adds some as a material line, the kit holding that much less; asking for more than the kit
// holds is refused with nothing saved; the manager, with no kit out, sees no such section.
func TestKitConsumableOntoSheet(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	ctx := context.Background()
	cabinet := demoClient(t, app, "Cabinet Durand Avocats")
	var karim uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM users WHERE email = ?", testutil.Technician).Scan(ctx, &karim); err != nil {
		t.Fatal(err)
	}
	i, err := interventions.Create(ctx, app.DB.Bun, interventions.Input{ClientID: cabinet.ID, Kind: interventions.KindCorrective,
		Place: interventions.PlaceOnSite, Title: "Prise réseau du bureau 3", Technicians: []uuid.UUID{karim}},
		audit.Actor{UserID: karim}, app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, cable, before := kitLine(t, app, "Valise 2", "Câble réseau Cat6 1 m")
	sheet := "/admin/interventions/" + i.ID.String()
	tech := app.LoginAs(t, testutil.Technician)
	page := tech.Get(sheet)
	doc := page.Doc(t)
	if doc.Find(`form[action="`+sheet+`/kit"] option[value="`+cable.String()+`"]`).Length() != 1 {
		t.Fatalf("no kit section on the sheet:\n%s", page.Text(t))
	}
	version, _ := doc.Find(`form[action="` + sheet + `/kit"] input[name="version"]`).Attr("value")
	res := tech.Post(sheet+"/kit", url.Values{"version": {version}, "kit_item": {cable.String()}, "kit_quantity": {"99"}, "kit_billable": {"on"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Doc(t).Find("#f-kit_quantity-error").Text(), "n'en contient pas autant") {
		t.Fatalf("too many: %d %q", res.StatusCode, res.Doc(t).Find("#f-kit_quantity-error").Text())
	}
	if res := tech.Post(sheet+"/kit", url.Values{"version": {version}, "kit_item": {cable.String()}, "kit_quantity": {"-1"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("negative: %d", res.StatusCode)
	}
	if _, _, n := kitLine(t, app, "Valise 2", "Câble réseau Cat6 1 m"); n != before {
		t.Fatalf("refused use changed the kit: %d", n)
	}
	postOK(t, tech, sheet+"/kit", url.Values{"version": {version}, "kit_item": {cable.String()}, "kit_quantity": {"2"}, "kit_billable": {"on"}})
	text := tech.Get(sheet).Text(t)
	if !strings.Contains(text, "Câble réseau Cat6 1 m") || !strings.Contains(text, "7,80") {
		t.Fatalf("sheet after the use:\n%s", text)
	}
	if _, _, n := kitLine(t, app, "Valise 2", "Câble réseau Cat6 1 m"); n != before-2 {
		t.Fatalf("kit after the use: %d, want %d", n, before-2)
	}
	m := app.LoginAs(t, testutil.Manager)
	if m.Get(sheet).Doc(t).Find(`form[action$="/kit"]`).Length() != 0 {
		t.Fatal("the manager, with no kit out, is offered a kit")
	}
}

// TestWarrantyBoxPages: the boxes list tells what can be thrown away; a box under warranty cannot
// be (409); an item without a warranty end cannot keep a box (422); the item's page records where
// a box is kept.
func TestWarrantyBoxPages(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	tech := app.LoginAs(t, testutil.Technician)
	ctx := context.Background()
	id := func(serial string) uuid.UUID {
		var v uuid.UUID
		if err := app.DB.Bun.NewRaw("SELECT id FROM equipment WHERE serial = ?", serial).Scan(ctx, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	printer, nas, laptop := id("X5E8012345"), id("2260NAS923"), id("PF4BKR77")
	list := tech.Get("/admin/equipment/boxes")
	text := list.Text(t)
	if !strings.Contains(text, "1 carton peut être jeté") || strings.Index(text, "TM-T20III") > strings.Index(text, "DS923+") ||
		!strings.Contains(text, "Peut être jeté") || !strings.Contains(text, "À garder") {
		t.Fatalf("boxes:\n%s", text)
	}
	version := func(e uuid.UUID) string {
		v, _ := tech.Get("/admin/equipment/" + e.String()).Doc(t).Find(`form[action$="/box"] input[name="version"]`).Attr("value")
		return v
	}
	if res := tech.Post("/admin/equipment/"+nas.String()+"/box/discard", url.Values{"version": {version(nas)}}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(res.Text(t), "La garantie court encore") {
		t.Fatalf("discarding a box under warranty: %d", res.StatusCode)
	}
	postOK(t, tech, "/admin/equipment/"+printer.String()+"/box/discard", url.Values{"version": {version(printer)}, "back": {"boxes"}})
	if text := tech.Get("/admin/equipment/boxes").Text(t); strings.Contains(text, "TM-T20III") || strings.Contains(text, "peut être jeté") {
		t.Fatalf("after discarding:\n%s", text)
	}
	postOK(t, tech, "/admin/equipment/"+laptop.String()+"/box", url.Values{"version": {version(laptop)}, "box_location": {"Grenier, étagère C"}})
	if text := tech.Get("/admin/equipment/" + laptop.String()).Text(t); !strings.Contains(text, "Carton rangé : Grenier, étagère C") {
		t.Fatalf("item page:\n%s", text)
	}
	var livebox uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM equipment WHERE name = 'Livebox boutique'").Scan(ctx, &livebox); err != nil {
		t.Fatal(err)
	}
	res := tech.Post("/admin/equipment/"+livebox.String()+"/box", url.Values{"version": {"1"}, "box_location": {"Grenier"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "Indiquez d'abord la fin de garantie") {
		t.Fatalf("box without warranty: %d", res.StatusCode)
	}
}
