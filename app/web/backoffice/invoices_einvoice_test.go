package backoffice_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/einvoice/einvoicetest"
	"maintenant/app/testutil"
)

// issuedDemo lists the issued invoices and credit notes of the demo data.
func issuedDemo(t *testing.T, app *testutil.App) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM invoices WHERE status <> 'draft' ORDER BY kind, number").Scan(context.Background(), &ids); err != nil {
		t.Fatal(err)
	}
	if len(ids) < 3 {
		t.Fatalf("%d issued demo documents", len(ids))
	}
	return ids
}

// TestEInvoiceDemoDownloads: every demo invoice and credit note downloads as a Factur-X PDF/A-3
// whose embedded factur-x.xml is the XML download byte for byte; its page says so and offers both.
func TestEInvoiceDemoDownloads(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)
	for _, id := range issuedDemo(t, app) {
		base := "/admin/invoices/" + id.String()
		xml := c.Get(base + ".xml")
		if xml.StatusCode != http.StatusOK || !strings.HasPrefix(xml.Header.Get("Content-Type"), "application/xml") ||
			!strings.Contains(xml.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(xml.Body, "<rsm:CrossIndustryInvoice") {
			t.Fatalf("%s.xml: %d %s", base, xml.StatusCode, xml.Header.Get("Content-Type"))
		}
		pdf := c.Get(base + ".pdf")
		if pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("%s.pdf: %d", base, pdf.StatusCode)
		}
		einvoicetest.CheckFacturX(t, []byte(pdf.Body), []byte(xml.Body))
		doc := c.Get(base).Doc(t)
		if doc.Find("header").Text() == "" || !strings.Contains(doc.Find("header").Text(), "Factur-X EN 16931") || doc.Find("a[href='"+base+".xml']").Length() != 1 {
			t.Errorf("%s: the page does not show the e-invoice and its XML download", base)
		}
	}
	// A draft has no e-invoice yet.
	var draft uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM invoices WHERE status = 'draft' LIMIT 1").Scan(context.Background(), &draft); err == nil {
		if res := c.Get("/admin/invoices/" + draft.String() + ".xml"); res.StatusCode != http.StatusConflict {
			t.Errorf("draft XML: %d", res.StatusCode)
		}
	}
	// An invoice issued while its client had no SIREN (before e-invoicing) stays a plain PDF, never
	// a false Factur-X, and its page says why to staff.
	ctx := context.Background()
	cabinet := clientByName(t, app, "Cabinet Durand Avocats")
	if _, err := app.DB.Bun.NewRaw("UPDATE clients SET siren = '', siret = '', vat_number = '' WHERE id = ?", cabinet).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var old *billing.Invoice
	err := app.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		d, err := billing.CreateInvoice(ctx, tx, billing.InvoiceInput{ClientID: cabinet, Title: "Ancienne facture", PaymentTermsDays: 30,
			Lines: []*billing.InvoiceLine{{Description: "Forfait", Quantity: 1000, UnitPriceCents: 100_00, VATRateBP: 2000}}}, audit.Actor{Label: "test"}, app.Clock.Now())
		if err != nil {
			return err
		}
		old, err = billing.IssueInvoice(ctx, tx, d.ID, d.Version, audit.Actor{Label: "test"}, app.Clock.Now(), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	base := "/admin/invoices/" + old.ID.String()
	if res := c.Get(base + ".xml"); res.StatusCode != http.StatusConflict {
		t.Errorf("XML of an invoice without buyer SIREN: %d", res.StatusCode)
	}
	if pdf := c.Get(base + ".pdf"); pdf.StatusCode != http.StatusOK || strings.Contains(pdf.Body, "pdfaid") || strings.Contains(pdf.Body, "/OutputIntents") {
		t.Errorf("the plain PDF claims PDF/A: %d", pdf.StatusCode)
	}
	if text := c.Get(base).Text(t); !strings.Contains(text, "Facture électronique indisponible") || !strings.Contains(text, "n'a pas de SIREN valide") {
		t.Error("the page does not say why there is no e-invoice")
	}

	// Technicians do not see invoices.
	if res := app.LoginAs(t, testutil.Technician).Get("/admin/invoices/" + issuedDemo(t, app)[0].String() + ".xml"); res.StatusCode != http.StatusForbidden {
		t.Errorf("technician: %d", res.StatusCode)
	}
}

// TestEInvoiceIssueRefusedWithWhatToFix: a client without SIREN, a VAT number with a wrong key and
// a 0 % line of a seller charging VAT are refused at issue (409) with what to fix, the draft kept
// unnumbered; fixed, the invoice issues and downloads as Factur-X.
func TestEInvoiceIssueRefusedWithWhatToFix(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)
	ctx := context.Background()
	bakery := clientByName(t, app, "Boulangerie Martin")
	var fee string
	for _, s := range sourceValues(c.Get("/admin/invoices/new?client=" + bakery.String()).Doc(t)) {
		if strings.HasPrefix(s, "contract_fee:") {
			fee = s
			break
		}
	}
	if fee == "" {
		t.Fatal("no contract fee to bill")
	}
	res := c.Post("/admin/invoices", url.Values{"client_id": {bakery.String()}, "title": {"Redevance"}, "sources": {fee}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	path := res.Header.Get("Location")
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := app.DB.Bun.NewRaw(q, args...).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	issue := func() *testutil.Response {
		t.Helper()
		version, _ := c.Get(path).Doc(t).Find("form[action$='/issue'] input[name=version]").Attr("value")
		return c.Post(path+"/issue", url.Values{"version": {version}, "confirm": {"on"}})
	}
	for _, step := range []struct {
		name, breakSQL, fixSQL, want string
	}{
		{"no SIREN", "UPDATE clients SET siren = '', siret = '' WHERE id = ?", "UPDATE clients SET siren = '523456788' WHERE id = ?", "n'a pas de SIREN valide"},
		{"VAT key", "UPDATE clients SET vat_number = 'FR32523456788' WHERE id = ?", "UPDATE clients SET vat_number = 'FR31523456788' WHERE id = ?", "a une clé fausse"},
	} {
		exec(step.breakSQL, bakery)
		res := issue()
		if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), step.want) {
			t.Fatalf("%s: %d %q", step.name, res.StatusCode, step.want)
		}
		exec(step.fixSQL, bakery)
	}
	exec("UPDATE invoice_lines SET vat_rate_bp = 0 WHERE invoice_id = ?", strings.TrimPrefix(path, "/admin/invoices/"))
	if res := issue(); res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "catégorie ne peut pas être déclarée") {
		t.Fatalf("0 %% line: %d", res.StatusCode)
	}
	if n := invoiceCount(t, app, "SELECT count(*) FROM invoices WHERE id = ? AND status = 'draft' AND number IS NULL", strings.TrimPrefix(path, "/admin/invoices/")); n != 1 {
		t.Fatal("a refused issue numbered the draft")
	}
	exec("UPDATE invoice_lines SET vat_rate_bp = 2000 WHERE invoice_id = ?", strings.TrimPrefix(path, "/admin/invoices/"))

	// The electronic addresses are typed in the settings and on the client's record, checked there.
	settings := formValues(c.Get("/admin/settings").Doc(t), "form[action='/admin/settings']")
	settings.Set("einvoice_address", "523456788_COMPTA")
	if res := c.Post("/admin/settings", settings); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "doit commencer par le SIREN") {
		t.Fatalf("seller address of another SIREN: %d", res.StatusCode)
	}
	settings.Set("einvoice_address", "812345676_FACTURES")
	if res := c.Post("/admin/settings", settings); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", res.StatusCode, res.Text(t))
	}
	client := "/admin/clients/" + bakery.String()
	form := formValues(c.Get(client+"/edit").Doc(t), "form[action='"+client+"']")
	form.Set("einvoice_address", "523456788 compta")
	if res := c.Post(client, form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "Adresse électronique invalide") {
		t.Fatalf("client address with a space: %d", res.StatusCode)
	}
	form.Set("einvoice_address", "523456788_COMPTA")
	if res := c.Post(client, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("client: %d %s", res.StatusCode, res.Text(t))
	}
	if !strings.Contains(c.Get(client).Text(t), "523456788_COMPTA") {
		t.Error("the client's page does not show its e-invoicing address")
	}

	if res := issue(); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("fixed: %d %s", res.StatusCode, res.Text(t))
	}
	xml := c.Get(path + ".xml")
	for _, want := range []string{`<ram:URIID schemeID="0225">812345676_FACTURES</ram:URIID>`, `<ram:URIID schemeID="0225">523456788_COMPTA</ram:URIID>`} {
		if !strings.Contains(xml.Body, want) {
			t.Errorf("the XML lacks %s", want)
		}
	}
	einvoicetest.CheckFacturX(t, []byte(c.Get(path+".pdf").Body), []byte(xml.Body))
}

// formValues are the values a browser would submit with the form sel of doc.
func formValues(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	form := doc.Find(sel)
	form.Find("input[name], textarea[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		switch {
		case goquery.NodeName(s) == "textarea":
			v.Add(name, s.Text())
		case goquery.NodeName(s) == "select":
			val, _ := s.Find("option[selected]").Attr("value")
			v.Add(name, val)
		default:
			typ, _ := s.Attr("type")
			if (typ == "checkbox" || typ == "radio") && s.AttrOr("checked", "-") == "-" {
				return
			}
			v.Add(name, s.AttrOr("value", ""))
		}
	})
	return v
}

// TestEInvoiceAccountantExport: the form proposes the previous month; a period gives a ZIP of its
// Factur-X files and the CSV journal; a bad period is a 422 with the form.
func TestEInvoiceAccountantExport(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)
	form := c.Get("/admin/invoices/export")
	if form.StatusCode != http.StatusOK {
		t.Fatalf("form: %d", form.StatusCode)
	}
	if v, _ := form.Doc(t).Find("input[name=from]").Attr("value"); v != "2026-10-01" {
		t.Errorf("from proposed %q, want the previous month", v)
	}
	if res := c.Get("/admin/invoices/export?from=2026-12-01&to=2026-11-01"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "un an au plus") {
		t.Errorf("reversed period: %d", res.StatusCode)
	}
	if res := c.Get("/admin/invoices/export?from=nope&to=2026-11-01"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Text(t), "Date invalide") {
		t.Errorf("bad date: %d", res.StatusCode)
	}
	if res := c.Get("/admin/invoices/export?from=2020-01-01&to=2020-12-31"); res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Aucune facture") {
		t.Errorf("empty period: %d", res.StatusCode)
	}
	res := c.Get("/admin/invoices/export?from=2026-01-01&to=2026-12-31")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("zip: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(res.Body)), int64(len(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		files[f.Name] = b
	}
	journal := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(files["journal.csv"]), "\ufeff")), "\n")
	if len(journal) != len(issuedDemo(t, app))+1 || len(files) != len(journal) {
		t.Fatalf("%d files, journal of %d lines, %d issued", len(files), len(journal), len(issuedDemo(t, app)))
	}
	if !strings.HasPrefix(journal[0], "Numéro;Type;Date;Client;SIREN;Facture corrigée;Total HT;TVA 20 %;") {
		t.Errorf("journal header %q", journal[0])
	}
	credit := false
	for _, row := range journal[1:] {
		cells := strings.Split(row, ";")
		if len(cells) != 14 || files[cells[0]+".pdf"] == nil {
			t.Errorf("journal row %q has no PDF or not 14 cells", row)
			continue
		}
		if !bytes.Contains(files[cells[0]+".pdf"], []byte("/AFRelationship /Alternative")) {
			t.Errorf("%s.pdf is not a Factur-X file", cells[0])
		}
		if cells[1] == "Avoir" {
			credit = true
			if !strings.HasPrefix(cells[12], "-") || cells[5] == "" {
				t.Errorf("credit note row %q: amounts not negative or no corrected invoice", row)
			}
		}
		if cells[4] == "" {
			t.Errorf("row %q without SIREN", row)
		}
	}
	if !credit {
		t.Error("no credit note in the journal")
	}
	if res := app.LoginAs(t, testutil.Technician).Get("/admin/invoices/export"); res.StatusCode != http.StatusForbidden {
		t.Errorf("technician: %d", res.StatusCode)
	}
}
