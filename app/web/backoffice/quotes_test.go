package backoffice_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"maintenant/app/sla"
	"maintenant/app/testutil"
)

// quoteForm is a valid quote of the Boulangerie with two lines at two VAT rates.
func (a *ticketApp) quoteForm(mod ...func(url.Values)) url.Values {
	f := url.Values{
		"client_id": {a.client.String()}, "contract_id": {a.contract.String()}, "title": {"Refonte de la page d'accueil"},
		"description": {"Nouvelle mise en page."}, "valid_until": {"2026-12-22"}, "deposit": {"30"}, "rows": {"3"},
		"lines.0.description": {"Maquette"}, "lines.0.quantity": {"1"}, "lines.0.unit": {"forfait"},
		"lines.0.unit_price": {"450"}, "lines.0.vat_rate": {"2000"},
		"lines.1.description": {"Intégration"}, "lines.1.quantity": {"6,5"}, "lines.1.unit": {"h"},
		"lines.1.unit_price": {"65,00"}, "lines.1.vat_rate": {"2000"}, "lines.1.discount": {"10"},
		"lines.2.vat_rate": {"2000"},
	}
	for _, m := range mod {
		m(f)
	}
	return f
}

// createQuote drafts a quote through the form and returns its page's path.
func (a *ticketApp) createQuote(t *testing.T, form url.Values) string {
	t.Helper()
	res := a.m.Post("/admin/quotes", form)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/quotes/") {
		t.Fatalf("create quote: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	return res.Header.Get("Location")
}

func TestQuoteFromTicketDraftAndSend(t *testing.T) {
	a := newTicketApp(t)
	tk := a.open(t, "Changer les photos de la vitrine en ligne", sla.Low)
	res := a.m.Get("/admin/tickets/" + tk.ID.String())
	if href, _ := res.Doc(t).Find(`a[href^="/admin/quotes/new?ticket="]`).Attr("href"); href != "/admin/quotes/new?ticket="+tk.ID.String() {
		t.Fatalf("no quote button on the ticket page: %q", href)
	}
	res = a.m.Get("/admin/quotes/new?ticket=" + tk.ID.String())
	doc := res.Doc(t)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("new from ticket: %d", res.StatusCode)
	}
	if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != tk.Title {
		t.Errorf("title prefilled = %q", v)
	}
	if v, _ := doc.Find(`input[name="ticket"]`).Attr("value"); v != tk.Reference() {
		t.Errorf("ticket prefilled = %q", v)
	}
	if v, _ := doc.Find(`input[name="client_id"]`).Attr("value"); v != a.client.String() {
		t.Errorf("client prefilled = %q", v)
	}
	if v, _ := doc.Find(`select[name="contract_id"] option[selected]`).Attr("value"); v != a.contract.String() {
		t.Errorf("contract prefilled = %q", v)
	}
	if n := doc.Find(`textarea[name^="lines."][name$=".description"]`).Length(); n != 3 {
		t.Errorf("%d empty line rows, want 3", n)
	}

	path := a.createQuote(t, a.quoteForm(func(f url.Values) { f.Set("ticket", tk.Reference()) }))
	page := a.m.Get(path)
	text := page.Text(t)
	// 450,00 + 6,5 × 65 × 0,9 = 830,25 HT; VAT 166,05; TTC 996,30; deposit 30 % = 298,89.
	for _, want := range []string{"830,25\u00a0€", "166,05\u00a0€", "996,30\u00a0€", "298,89\u00a0€", "Brouillon", tk.Reference(), "Julie Martin"} {
		if !strings.Contains(text, want) {
			t.Errorf("draft page lacks %q", want)
		}
	}
	if pdf := a.m.Get(path + ".pdf"); pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("draft PDF: %d %s", pdf.StatusCode, pdf.Header.Get("Content-Type"))
	}
	version, _ := page.Doc(t).Find(`form[action$="/send"] input[name="version"]`).Attr("value")
	res = a.m.Post(path+"/send", url.Values{"version": {version}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", res.StatusCode, res.Body)
	}
	page = a.m.Get(path)
	if text := page.Text(t); !strings.Contains(text, "D-2026-0001") || !strings.Contains(text, "En attente de décision") || !strings.Contains(text, "1 contact prévenu") {
		t.Errorf("sent page:\n%s", text)
	}
	var body string
	if err := a.app.DB.Bun.NewRaw("SELECT text_body FROM outbox_messages WHERE to_address = ? AND kind = 'quote_sent'", testutil.BoulangerieUser).
		Scan(t.Context(), &body); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "D-2026-0001") || !strings.Contains(body, "http://maintenant.test/portal/quotes/"+strings.TrimPrefix(path, "/admin/quotes/")) {
		t.Errorf("mail:\n%s", body)
	}
	// Sending again (a second click) is refused, nothing mailed twice.
	res = a.m.Post(path+"/send", url.Values{"version": {version}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("second send: %d", res.StatusCode)
	}
	if n := count(t, a.app, "SELECT count(*) FROM outbox_messages WHERE kind = 'quote_sent'"); n != 1 {
		t.Errorf("%d mails", n)
	}
	// A sent quote is not edited.
	res = a.m.Get(path + "/edit")
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("edit of a sent quote: %d", res.StatusCode)
	}
	// The list shows it, filtered by status and client.
	list := a.m.Get("/admin/quotes?status=sent&client=" + a.client.String()).Text(t)
	if !strings.Contains(list, "D-2026-0001") || !strings.Contains(list, "996,30") {
		t.Errorf("list:\n%s", list)
	}
	if list := a.m.Get("/admin/quotes?status=accepted").Text(t); strings.Contains(list, "D-2026-0001") {
		t.Error("accepted filter shows a sent quote")
	}
}

func TestQuoteFormRefusesBadLines(t *testing.T) {
	a := newTicketApp(t)
	form := a.quoteForm(func(f url.Values) {
		f.Set("lines.0.quantity", "-2")
		f.Set("lines.1.unit_price", "-65")
		f.Set("lines.1.vat_rate", "3300")
		f.Set("lines.2.description", "Ligne sans prix")
		f.Set("lines.2.quantity", "1")
		f.Set("valid_until", "2026-11-01")
	})
	res := a.m.Post("/admin/quotes", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	for _, id := range []string{"f-lines.0.quantity-error", "f-lines.1.unit_price-error", "f-lines.1.vat_rate-error", "f-lines.2.unit_price-error", "f-valid_until-error"} {
		if doc.Find(`[id="`+id+`"]`).Length() != 1 {
			t.Errorf("no error %s", id)
		}
	}
	if v, _ := doc.Find(`input[name="lines.0.quantity"]`).Attr("value"); v != "-2" {
		t.Errorf("input not kept: %q", v)
	}
	// No line at all.
	res = a.m.Post("/admin/quotes", url.Values{"client_id": {a.client.String()}, "title": {"Vide"}, "valid_until": {"2026-12-01"}, "rows": {"3"}})
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find(`[id="f-lines-error"]`).Length() != 1 {
		t.Errorf("no line: %d", res.StatusCode)
	}
	if n := count(t, a.app, "SELECT count(*) FROM quotes"); n != 0 {
		t.Errorf("%d quotes saved", n)
	}
}

func TestQuoteFormAddLine(t *testing.T) {
	a := newTicketApp(t)
	form := a.quoteForm()
	form.Set("add_line", "1")
	res := a.m.Post("/admin/quotes", form)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("add line: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if n := doc.Find(`textarea[name^="lines."][name$=".description"]`).Length(); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
	if v, _ := doc.Find(`input[name="rows"]`).Attr("value"); v != "4" {
		t.Errorf("rows = %q", v)
	}
	if v := doc.Find(`textarea[name="lines.1.description"]`).Text(); v != "Intégration" {
		t.Errorf("input lost: %q", v)
	}
	if !strings.Contains(doc.Text(), "996,30") {
		t.Error("no computed totals")
	}
	if n := count(t, a.app, "SELECT count(*) FROM quotes"); n != 0 {
		t.Errorf("%d quotes saved", n)
	}
}

func TestQuoteRevisionWithdrawAndStale(t *testing.T) {
	a := newTicketApp(t)
	path := a.createQuote(t, a.quoteForm())
	version := func(p, action string) string {
		v, _ := a.m.Get(p).Doc(t).Find(`form[action$="` + action + `"] input[name="version"]`).Attr("value")
		return v
	}
	v := version(path, "/send")
	if res := a.m.Post(path+"/send", url.Values{"version": {v}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", res.StatusCode)
	}
	res := a.m.Post(path+"/revise", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "/edit") {
		t.Fatalf("revise: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	revPath := strings.TrimSuffix(res.Header.Get("Location"), "/edit")
	edit := a.m.Get(revPath + "/edit")
	if v, _ := edit.Doc(t).Find(`input[name="lines.0.unit_price"]`).Attr("value"); v != "450,00" {
		t.Errorf("revision form price = %q", v)
	}
	form := a.quoteForm(func(f url.Values) { f.Set("lines.0.unit_price", "400") })
	form.Set("version", version(revPath+"/edit", revPath))
	if res := a.m.Post(revPath, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update revision: %d\n%s", res.StatusCode, res.Body)
	}
	// A stale version is refused.
	if res := a.m.Post(revPath, form); res.StatusCode != http.StatusConflict {
		t.Errorf("stale update: %d", res.StatusCode)
	}
	if res := a.m.Post(revPath+"/send", url.Values{"version": {version(revPath, "/send")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("send revision: %d", res.StatusCode)
	}
	if text := a.m.Get(path).Text(t); !strings.Contains(text, "Remplacé") {
		t.Errorf("old quote not replaced:\n%s", text)
	}
	if text := a.m.Get(revPath).Text(t); !strings.Contains(text, "D-2026-0001-R2") || !strings.Contains(text, "Version 2") {
		t.Errorf("revision page lacks its reference")
	}
	// Withdraw the revision.
	if res := a.m.Post(revPath+"/withdraw", url.Values{"version": {version(revPath, "/withdraw")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", res.StatusCode)
	}
	if res := a.m.Post(revPath+"/withdraw", url.Values{"version": {"99"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("withdraw again: %d", res.StatusCode)
	}
}

func TestQuoteTechnicianReadsOnly(t *testing.T) {
	a := newTicketApp(t)
	path := a.createQuote(t, a.quoteForm())
	tech := a.app.LoginAs(t, testutil.Technician)
	if res := tech.Get("/admin/quotes"); res.StatusCode != http.StatusOK {
		t.Errorf("list: %d", res.StatusCode)
	}
	if res := tech.Get(path); res.StatusCode != http.StatusOK || res.Doc(t).Find(`form[action$="/send"]`).Length() != 0 {
		t.Errorf("show: %d", res.StatusCode)
	}
	for _, p := range []string{"/admin/quotes/new"} {
		if res := tech.Get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	if res := tech.Post(path+"/send", url.Values{"version": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("send: %d", res.StatusCode)
	}
}
