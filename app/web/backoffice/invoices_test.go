package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"maintenant/app/testutil"
)

// invoiceCount runs a counting query on the test database.
func invoiceCount(t *testing.T, app *testutil.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := app.DB.Bun.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// sourceValues are the checkboxes of the "bill a client" form.
func sourceValues(doc *goquery.Document) []string {
	var out []string
	doc.Find("input[name=sources]").Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		out = append(out, v)
	})
	return out
}

func TestBackofficeInvoicesFromSourcesIssuePayCancel(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)
	bakery := clientByName(t, app, "Boulangerie Martin")

	page := c.Get("/admin/invoices/new?client=" + bakery.String())
	if page.StatusCode != http.StatusOK {
		t.Fatalf("new: %d", page.StatusCode)
	}
	srcs := sourceValues(page.Doc(t))
	var fee, other string
	for _, s := range srcs {
		switch {
		case strings.HasPrefix(s, "contract_fee:") && fee == "":
			fee = s
		case !strings.HasPrefix(s, "contract_fee:") && !strings.HasPrefix(s, "sla_penalty:") && other == "":
			other = s
		}
	}
	if fee == "" || other == "" {
		t.Fatalf("sources offered = %v", srcs)
	}
	// Nothing ticked: 422, the title kept.
	res := c.Post("/admin/invoices", url.Values{"client_id": {bakery.String()}, "title": {"Décembre"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "Choisissez au moins un élément") {
		t.Fatalf("no source: %d", res.StatusCode)
	}
	res = c.Post("/admin/invoices", url.Values{"client_id": {bakery.String()}, "title": {"Redevance de décembre"}, "sources": {fee}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Text(t))
	}
	invPath := res.Header.Get("Location")
	// The fee is no longer offered.
	for _, s := range sourceValues(c.Get("/admin/invoices/new?client=" + bakery.String()).Doc(t)) {
		if s == fee {
			t.Fatal("the fee drafted is offered again")
		}
	}
	// The same source posted again (a forged or stale form) is refused.
	if res := c.Post("/admin/invoices", url.Values{"client_id": {bakery.String()}, "title": {"Encore"}, "sources": {fee}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("same source twice: %d", res.StatusCode)
	}
	show := c.Get(invPath).Doc(t)
	version, _ := show.Find("form[action$='/issue'] input[name=version]").Attr("value")
	// Issuing without the confirmation: 422, still a draft.
	if res := c.Post(invPath+"/issue", url.Values{"version": {version}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("issue unconfirmed: %d", res.StatusCode)
	}
	mailsBefore := invoiceCount(t, app, "SELECT count(*) FROM outbox_messages WHERE kind = 'invoice_issued'")
	if res := c.Post(invPath+"/issue", url.Values{"version": {version}, "confirm": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue: %d %s", res.StatusCode, res.Text(t))
	}
	if n := invoiceCount(t, app, `SELECT count(*) FROM outbox_messages AS m JOIN outbox_attachments AS a ON a.message_id = m.id
		WHERE m.kind = 'invoice_issued' AND a.content_type = 'application/pdf'`); n == 0 || n <= mailsBefore {
		t.Fatalf("issuing mailed %d PDFs", n)
	}
	issued := c.Get(invPath)
	text := issued.Text(t)
	// The demo issued nine invoices and three credit notes before.
	if !strings.Contains(text, "F-2026-0010") {
		t.Fatalf("issued page lacks its number:\n%s", text)
	}
	if pdf := c.Get(invPath + ".pdf"); pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d", pdf.StatusCode)
	}
	// Issued: deleting is refused.
	version, _ = issued.Doc(t).Find("form[action$='/payments'] input[name=version]").Attr("value")
	if res := c.Post(invPath+"/delete", url.Values{"version": {version}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("delete issued: %d", res.StatusCode)
	}
	// An overpayment: 422, the input kept; then a partial payment.
	res = c.Post(invPath+"/payments", url.Values{"version": {version}, "amount": {"100000"}, "paid_on": {"2026-11-21"}, "method": {"transfer"}, "reference": {"VIR 42"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("overpayment: %d", res.StatusCode)
	}
	if v, _ := res.Doc(t).Find("#f-amount").Attr("value"); v != "100000" {
		t.Fatalf("amount not kept: %q", v)
	}
	if res := c.Post(invPath+"/payments", url.Values{"version": {version}, "amount": {"10,50"}, "paid_on": {"2026-11-21"}, "method": {"cheque"}, "reference": {"CHQ 1234567"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("payment: %d %s", res.StatusCode, res.Text(t))
	}
	if !strings.Contains(c.Get(invPath).Text(t), "Partiellement payée") {
		t.Fatal("not partially paid")
	}
	if !strings.Contains(c.Get("/admin/payments").Text(t), "CHQ 1234567") {
		t.Fatal("payment not listed")
	}

	// A second invoice, cancelled by a credit note.
	res = c.Post("/admin/invoices", url.Values{"client_id": {bakery.String()}, "title": {"Matériel"}, "sources": {other}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create 2: %d %s", res.StatusCode, res.Text(t))
	}
	p2 := res.Header.Get("Location")
	version, _ = c.Get(p2).Doc(t).Find("form[action$='/issue'] input[name=version]").Attr("value")
	if res := c.Post(p2+"/issue", url.Values{"version": {version}, "confirm": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue 2: %d", res.StatusCode)
	}
	version, _ = c.Get(p2).Doc(t).Find("form[action$='/cancel'] input[name=version]").Attr("value")
	res = c.Post(p2+"/cancel", url.Values{"version": {version}, "confirm_cancel": {"on"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	if !strings.Contains(c.Get(res.Header.Get("Location")).Text(t), "A-2026-0004") {
		t.Fatal("credit note not numbered")
	}
	if !strings.Contains(c.Get(p2).Text(t), "Annulée par avoir") {
		t.Fatal("invoice not cancelled")
	}
	if list := c.Get("/admin/invoices?client=" + bakery.String()); list.StatusCode != http.StatusOK || !strings.Contains(list.Text(t), "F-2026-0011") {
		t.Fatalf("list: %d", list.StatusCode)
	}

	// Technicians do not bill.
	tech := app.LoginAs(t, testutil.Technician)
	for _, path := range []string{"/admin/invoices", invPath, "/admin/payments", invPath + ".pdf"} {
		if res := tech.Get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("technician %s: %d", path, res.StatusCode)
		}
	}
}
