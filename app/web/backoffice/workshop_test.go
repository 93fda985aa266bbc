package backoffice_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"maintenant/app/testutil"
)

// postOK posts a form and expects the 303 of a saved action.
func postOK(t *testing.T, c *testutil.Client, path string, form url.Values) *testutil.Response {
	t.Helper()
	res := c.Post(path, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: %d\n%s", path, res.StatusCode, res.Body)
	}
	return res
}

// formVersion reads the version of the first form posting to an action ending in suffix.
func formVersion(t *testing.T, res *testutil.Response, suffix string) string {
	t.Helper()
	v, ok := res.Doc(t).Find(`form[action$="` + suffix + `"] input[name="version"]`).First().Attr("value")
	if !ok {
		t.Fatalf("no form %s on the page", suffix)
	}
	return v
}

func TestEquipmentFormRefusesBadInputAndLists(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	m := app.LoginAs(t, testutil.Technician)
	cabinet := demoClient(t, app, "Cabinet Durand Avocats")
	good := url.Values{"client_id": {cabinet.ID.String()}, "kind": {"laptop"}, "make": {"Dell"}, "model": {"Latitude 5440"},
		"serial": {"TEST-SN-0001"}, "location": {"Accueil"}, "installed_on": {"2026-11-20"}, "purchased_on": {"2026-11-18"},
		"warranty_ends_on": {"2029-11-18"}, "status": {"in_service"}}
	res := postOK(t, m, "/admin/equipment", good)
	path := res.Header.Get("Location")
	page := m.Get(path)
	if text := page.Text(t); !strings.Contains(text, "2026-11-20") || !strings.Contains(text, "Latitude 5440") || !strings.Contains(text, "Fin de garantie") {
		t.Fatalf("equipment page:\n%s", text)
	}
	for _, c := range []struct {
		name, field, want string
		mod               func(url.Values)
	}{
		{"duplicate serial", "serial", "Ce numéro de série est déjà enregistré", func(v url.Values) { v.Set("serial", "test-sn-0001") }},
		{"warranty before purchase", "warranty_ends_on", "La fin de garantie ne peut pas précéder", func(v url.Values) { v.Set("warranty_ends_on", "2026-01-01") }},
		{"no client", "client_id", "Ce champ est obligatoire", func(v url.Values) { v.Del("client_id") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range good {
				f[k] = append([]string(nil), v...)
			}
			c.mod(f)
			res := m.Post("/admin/equipment", f)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.StatusCode)
			}
			doc := res.Doc(t)
			if msg := doc.Find("#f-" + c.field + "-error").Text(); !strings.Contains(msg, c.want) {
				t.Fatalf("error under %s = %q", c.field, msg)
			}
			if v, _ := doc.Find(`input[name="model"]`).Attr("value"); v != "Latitude 5440" {
				t.Errorf("input lost: model = %q", v)
			}
		})
	}
	// The list finds it by serial and by client; the expiry list shows its warranty.
	if text := m.Get("/admin/equipment?q=TEST-SN&client=" + cabinet.ID.String()).Text(t); !strings.Contains(text, "2026-11-20") {
		t.Fatalf("list search:\n%s", text)
	}
	if text := m.Get("/admin/equipment/expiries?client=" + cabinet.ID.String()).Text(t); !strings.Contains(text, "18/11/2029") {
		t.Fatalf("expiries:\n%s", text)
	}
	for _, p := range []string{path + "/label.pdf", "/admin/equipment/labels.pdf?client=" + cabinet.ID.String()} {
		if pdf := m.Get(p); pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("%s: %d", p, pdf.StatusCode)
		}
	}
	// Edit with a stale version: 409, input kept.
	edit := m.Get(path + "/edit")
	version, _ := edit.Doc(t).Find(`input[name="version"]`).Attr("value")
	good.Set("version", version)
	name, _ := edit.Doc(t).Find(`input[name="name"]`).Attr("value")
	good.Set("name", name)
	good.Set("location", "Bureau 2")
	postOK(t, m, path, good)
	good.Set("location", "Bureau 3")
	res = m.Post(path, good)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale edit: %d", res.StatusCode)
	}
	if v, _ := res.Doc(t).Find(`input[name="location"]`).Attr("value"); v != "Bureau 3" {
		t.Errorf("stale edit lost the input: %q", v)
	}
}

func TestWorkshopCheckInBackupGateLoanAndReturn(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	m := app.LoginAs(t, testutil.Technician)
	cabinet := demoClient(t, app, "Cabinet Durand Avocats")
	// A loan device in the provider's stock.
	postOK(t, m, "/admin/equipment", url.Values{"client_id": {"stock"}, "kind": {"laptop"}, "name": {"PRÊT-TEST"},
		"make": {"Lenovo"}, "model": {"T14"}, "status": {"in_stock"}})

	checkIn := url.Values{"client_id": {cabinet.ID.String()}, "equipment_id": {"new"}, "kind": {"laptop"}, "make": {"HP"},
		"model": {"EliteBook 840"}, "serial": {"WS-TEST-1"}, "brought_by": {"Maître Durand"}, "brought_at": {"2026-11-22T09:30"},
		"reason": {"Ne démarre plus"}, "condition": {"Coque rayée"}, "accessories": {"Chargeur, sacoche"}, "label": {"A17"}}
	bad := url.Values{}
	for k, v := range checkIn {
		bad[k] = v
	}
	bad.Set("reason", "")
	if res := m.Post("/admin/workshop", bad); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Doc(t).Find("#f-reason-error").Text(), "obligatoire") {
		t.Fatalf("check-in without reason: %d", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM equipment WHERE serial = 'WS-TEST-1'"); n != 0 {
		t.Fatalf("a refused check-in left %d machine", n)
	}
	res := postOK(t, m, "/admin/workshop", checkIn)
	stay := res.Header.Get("Location")
	page := m.Get(stay)
	if text := page.Text(t); !strings.Contains(text, "Sauvegarde à faire") || !strings.Contains(text, "Chargeur, sacoche") {
		t.Fatalf("stay page:\n%s", text)
	}
	sheet, _ := page.Doc(t).Find(`a[href^="/admin/interventions/"]`).First().Attr("href")
	// The client's contacts got the receipt, PDF attached, in the check-in's transaction.
	contacts := count(t, app, "SELECT count(*) FROM users WHERE client_id = ? AND active", cabinet.ID)
	receipts := func() int {
		return count(t, app, `SELECT count(*) FROM outbox_messages AS m JOIN outbox_attachments AS a ON a.message_id = m.id
			WHERE m.kind = 'intake_receipt' AND a.content_type = 'application/pdf'`)
	}
	if contacts == 0 || receipts() != contacts {
		t.Fatalf("%d receipts mailed for %d contacts", receipts(), contacts)
	}
	if pdf := m.Get(stay + ".pdf"); pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("receipt PDF: %d", pdf.StatusCode)
	}
	var machine string
	if err := app.DB.Bun.NewRaw("SELECT id::text FROM equipment WHERE serial = 'WS-TEST-1'").Scan(t.Context(), &machine); err != nil {
		t.Fatal(err)
	}
	// The same machine cannot be checked in twice.
	again := url.Values{}
	for k, v := range checkIn {
		again[k] = v
	}
	again.Set("equipment_id", machine)
	if res := m.Post("/admin/workshop", again); res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "déjà à l'atelier") {
		t.Fatalf("second check-in: %d", res.StatusCode)
	}

	// Work is refused before the backup, with the reason under the category.
	logTime := func() *testutil.Response {
		sp := m.Get(sheet)
		return m.Post(sheet+"/time", url.Values{"version": {formVersion(t, sp, "/time")}, "category": {"work"},
			"started_at": {"2026-11-22T09:40"}, "minutes": {"30"}})
	}
	res = logTime()
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Doc(t).Find("#f-category-error").Text(), "sauvegarde du disque") {
		t.Fatalf("time before backup: %d %s", res.StatusCode, res.Doc(t).Find("#f-category-error").Text())
	}
	if n := count(t, app, "SELECT count(*) FROM time_entries"); n != 0 {
		// demo data has time entries: compare on this intervention only
		if n2 := count(t, app, "SELECT count(*) FROM time_entries WHERE intervention_id = ?", strings.TrimPrefix(sheet, "/admin/interventions/")); n2 != 0 {
			t.Fatalf("time recorded before the backup: %d", n2)
		}
	}
	res = m.Post(stay+"/backup", url.Values{"version": {formVersion(t, page, "/backup")}, "backup_location": {""},
		"backup_by": {user(t, app, testutil.Technician).ID.String()}, "backup_at": {"2026-11-22T09:35"}})
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-backup_location-error").Length() != 1 {
		t.Fatalf("backup without location: %d", res.StatusCode)
	}
	postOK(t, m, stay+"/backup", url.Values{"version": {formVersion(t, page, "/backup")}, "backup_location": {"NAS atelier /durand"},
		"backup_by": {user(t, app, testutil.Technician).ID.String()}, "backup_at": {"2026-11-22T09:35"}})
	if res := logTime(); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("time after backup: %d %s", res.StatusCode, res.Doc(t).Find("#f-category-error").Text())
	}

	// Loan: lend the stock device, take it back, a second take-back is refused.
	page = m.Get(stay)
	var dev string
	page.Doc(t).Find(`select[name="loan_equipment_id"] option`).Each(func(_ int, o *goquery.Selection) {
		if strings.HasPrefix(o.Text(), "PRÊT-TEST") {
			dev, _ = o.Attr("value")
		}
	})
	postOK(t, m, stay+"/loans", url.Values{"version": {formVersion(t, page, "/loans")}, "loan_equipment_id": {dev}})
	page = m.Get(stay)
	if text := page.Text(t); !strings.Contains(text, "PRÊT-TEST") {
		t.Fatalf("loan not shown:\n%s", text)
	}
	if board := m.Get("/admin/workshop").Text(t); !strings.Contains(board, "Matériel prêté") || !strings.Contains(board, "Sauvegardé") {
		t.Fatalf("board:\n%s", board)
	}
	takeBack, _ := page.Doc(t).Find(`form[action$="/return"][action*="/loans/"]`).Attr("action")
	v := formVersion(t, page, "/loans/"+strings.Split(takeBack, "/loans/")[1])
	// The machine cannot go back while the loan is out.
	res = m.Post(stay+"/return", url.Values{"version": {v}, "returned_to": {"Maître Durand"}, "returned_at": {"2026-11-22T09:55"}, "accessories_back": {"on"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "doit être rendu") {
		t.Fatalf("return with loan out: %d", res.StatusCode)
	}
	postOK(t, m, takeBack, url.Values{"version": {v}})
	page = m.Get(stay)
	if res := m.Post(takeBack, url.Values{"version": {formVersion(t, page, "/return")}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("second take back: %d", res.StatusCode)
	}
	// Return: accessories must be checked back.
	res = m.Post(stay+"/return", url.Values{"version": {formVersion(t, page, "/return")}, "returned_to": {"Maître Durand"}, "returned_at": {"2026-11-22T09:55"}})
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-accessories_back-error").Length() != 1 {
		t.Fatalf("return without accessories: %d", res.StatusCode)
	}
	postOK(t, m, stay+"/return", url.Values{"version": {formVersion(t, page, "/return")}, "returned_to": {"Maître Durand"},
		"returned_at": {"2026-11-22T09:55"}, "accessories_back": {"on"}})
	if receipts() != 2*contacts {
		t.Fatalf("%d receipts after the return, want %d", receipts(), 2*contacts)
	}
	if text := m.Get(stay).Text(t); !strings.Contains(text, "Rendue à Maître Durand") {
		t.Fatalf("returned stay:\n%s", text)
	}
	if text := m.Get("/admin/equipment/" + machine).Text(t); !strings.Contains(text, "Restituée le") || !strings.Contains(text, "En service") {
		t.Fatalf("machine page after return:\n%s", text)
	}
}
