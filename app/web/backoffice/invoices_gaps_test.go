package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"maintenant/app/audit"
	"maintenant/app/billing"
	"maintenant/app/database"
	"maintenant/app/testutil"
)

// runningContract is the id of a client's running contract.
func runningContract(t *testing.T, app *testutil.App, clientID uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM contracts WHERE client_id = ? AND status = 'active' ORDER BY reference LIMIT 1", clientID).
		Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// draftLines are the fields of a manual invoice with the lines given (description, quantity,
// unit price, VAT rate).
func draftLines(base url.Values, lines ...[4]string) url.Values {
	v := url.Values{}
	for k, vs := range base {
		v[k] = vs
	}
	v.Set("rows", strconv.Itoa(len(lines)))
	for n, l := range lines {
		p := "lines." + strconv.Itoa(n) + "."
		v.Set(p+"description", l[0])
		v.Set(p+"quantity", l[1])
		v.Set(p+"unit_price", l[2])
		v.Set(p+"vat_rate", l[3])
	}
	return v
}

func TestBackofficeDraftInvoiceEditor(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	bakery := clientByName(t, app, "Boulangerie Martin")
	contract := runningContract(t, app, bakery)
	if res := app.LoginAs(t, testutil.Technician).Get("/admin/invoices/manual"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("technician: %d", res.StatusCode)
	}
	c := app.LoginAs(t, testutil.Manager)
	if res := c.Get("/admin/invoices/manual?client=" + bakery.String()); res.StatusCode != http.StatusOK || res.Doc(t).Find("textarea[name='lines.2.description']").Length() != 1 {
		t.Fatalf("new form: %d", res.StatusCode)
	}
	base := url.Values{"client_id": {bakery.String()}, "contract_id": {contract.String()}, "title": {"Travaux de décembre"}, "payment_terms_days": {"30"}}
	before := invoiceCount(t, app, "SELECT count(*) FROM invoices")
	// Bad input: 422, a message under each field, the input kept, nothing saved.
	bad := draftLines(base, [4]string{"Installation", "abc", "", "2000"}, [4]string{"", "1", "10", "1234"})
	bad.Set("title", "")
	bad.Set("payment_terms_days", "200")
	res := c.Post("/admin/invoices/manual", bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad input: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	for _, id := range []string{"f-title-error", "f-payment_terms_days-error", "f-lines.0.quantity-error", "f-lines.0.unit_price-error",
		"f-lines.1.description-error", "f-lines.1.vat_rate-error"} {
		if doc.Find("[id='"+id+"']").Length() != 1 {
			t.Errorf("no message %s", id)
		}
	}
	if v := doc.Find("[id='f-lines.0.quantity']").AttrOr("value", ""); v != "abc" {
		t.Errorf("quantity not kept: %q", v)
	}
	if n := invoiceCount(t, app, "SELECT count(*) FROM invoices"); n != before {
		t.Fatalf("saved on 422: %d → %d", before, n)
	}
	// "Add a line" gives the form back with one more row, nothing saved.
	more := draftLines(base, [4]string{"Installation", "1", "250", "2000"})
	more.Set("add_line", "1")
	if res := c.Post("/admin/invoices/manual", more); res.StatusCode != http.StatusOK || res.Doc(t).Find("textarea[name='lines.1.description']").Length() != 1 {
		t.Fatalf("add a line: %d", res.StatusCode)
	}
	// Two lines, one a deduction.
	res = c.Post("/admin/invoices/manual", draftLines(base,
		[4]string{"Installation d'un poste", "2", "250,00", "2000"}, [4]string{"Remise fidélité", "1", "-50", "2000"}))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, res.Text(t))
	}
	path := res.Header.Get("Location")
	id, _ := uuid.Parse(strings.TrimPrefix(path, "/admin/invoices/"))
	inv, err := billing.GetInvoice(context.Background(), app.DB.Bun, id)
	if err != nil || inv.TotalHTCents != 450_00 || inv.TotalTTCCents != 540_00 || len(inv.Lines) != 2 || inv.ContractID.UUID != contract {
		t.Fatalf("draft = %+v, %v", inv, err)
	}
	// The edit form carries the lines; a line changed, one removed, one added: totals recomputed.
	edit := c.Get(path + "/edit")
	if edit.StatusCode != http.StatusOK {
		t.Fatalf("edit: %d", edit.StatusCode)
	}
	doc = edit.Doc(t)
	if v := doc.Find("[id='f-lines.1.unit_price']").AttrOr("value", ""); v != "-50,00" {
		t.Fatalf("deduction shown as %q", v)
	}
	form := draftLines(base, [4]string{"Installation d'un poste", "3", "250,00", "2000"}, [4]string{"Remise fidélité", "1", "-50", "2000"},
		[4]string{"Câble réseau", "2", "12,5", "1000"})
	form.Set("lines.0.id", doc.Find("input[name='lines.0.id']").AttrOr("value", ""))
	form.Set("lines.1.id", doc.Find("input[name='lines.1.id']").AttrOr("value", ""))
	form.Set("lines.1.remove", "1")
	form.Set("version", doc.Find("input[name=version]").AttrOr("value", ""))
	if res := c.Post(path+"/edit", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d %s", res.StatusCode, res.Text(t))
	}
	inv, _ = billing.GetInvoice(context.Background(), app.DB.Bun, id)
	if inv.TotalHTCents != 775_00 || inv.TotalVATCents != 152_50 || len(inv.Lines) != 2 {
		t.Fatalf("after edit: HT %d VAT %d, %d lines", inv.TotalHTCents, inv.TotalVATCents, len(inv.Lines))
	}
	// The same stale form again: 409.
	if res := c.Post(path+"/edit", form); res.StatusCode != http.StatusConflict {
		t.Fatalf("stale: %d", res.StatusCode)
	}
	// A line made invalid on edit: 422 under the row, nothing changed.
	form.Set("version", strconv.Itoa(inv.Version))
	form.Set("lines.2.quantity", "0")
	if res := c.Post(path+"/edit", form); res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("[id='f-lines.2.quantity-error']").Length() != 1 {
		t.Fatalf("bad edit: %d", res.StatusCode)
	}
	// Issued, the invoice never changes: the form and the update answer 409.
	if err := app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		_, err := billing.IssueInvoice(ctx, tx, id, inv.Version, audit.Actor{Label: "test"}, app.Clock.Now(), nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if res := c.Get(path + "/edit"); res.StatusCode != http.StatusConflict {
		t.Fatalf("edit issued: %d", res.StatusCode)
	}
	form.Set("lines.2.quantity", "9")
	if res := c.Post(path+"/edit", form); res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "ne se modifie plus") {
		t.Fatalf("update issued: %d", res.StatusCode)
	}
	if got, _ := billing.GetInvoice(context.Background(), app.DB.Bun, id); got.TotalHTCents != 775_00 {
		t.Fatalf("issued invoice changed: %d", got.TotalHTCents)
	}
}

// issuedManual issues an invoice of the client's running contract with one line of 500,00 HT.
func issuedManual(t *testing.T, app *testutil.App, clientID, contractID uuid.UUID) *billing.Invoice {
	t.Helper()
	var inv *billing.Invoice
	err := app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) (err error) {
		d, err := billing.CreateInvoice(ctx, tx, billing.InvoiceInput{ClientID: clientID, ContractID: contractID, Title: "Travaux", PaymentTermsDays: 30,
			Lines: []*billing.InvoiceLine{{Description: "Migration du serveur", Quantity: 1000, UnitPriceCents: 500_00, VATRateBP: 2000}}},
			audit.Actor{Label: "test"}, app.Clock.Now())
		if err != nil {
			return err
		}
		inv, err = billing.IssueInvoice(ctx, tx, d.ID, d.Version, audit.Actor{Label: "test"}, app.Clock.Now(), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestBackofficePartialAndPenaltyCreditNotes(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)
	bakery := clientByName(t, app, "Boulangerie Martin")
	contract := runningContract(t, app, bakery)
	inv := issuedManual(t, app, bakery, contract) // 600,00 TTC
	path := "/admin/invoices/" + inv.ID.String()
	if !strings.Contains(c.Get(path).Text(t), "Établir un avoir") {
		t.Fatal("no credit link")
	}
	page := c.Get(path + "/credit")
	if page.StatusCode != http.StatusOK || page.Doc(t).Find("[id='f-lines.0.amount']").Length() != 1 {
		t.Fatalf("credit page: %d", page.StatusCode)
	}
	count := func() int { return invoiceCount(t, app, "SELECT count(*) FROM invoices WHERE credits_id = ?", inv.ID) }
	for _, tt := range []struct {
		amount, field, want string
	}{
		{"500,01", "f-lines.0.amount-error", "dépasse celui de la ligne"},
		{"abc", "f-lines.0.amount-error", "montant HT positif"},
		{"", "f-lines-error", "au moins un montant"},
	} {
		res := c.Post(path+"/credit", url.Values{"title": {"Avoir"}, "lines.0.amount": {tt.amount}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Doc(t).Find("[id='"+tt.field+"']").Text(), tt.want) {
			t.Errorf("%q: %d", tt.amount, res.StatusCode)
		}
	}
	if count() != 0 {
		t.Fatal("a refused credit note was saved")
	}
	res := c.Post(path+"/credit", url.Values{"title": {"Geste commercial"}, "lines.0.amount": {"100"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("partial credit: %d %s", res.StatusCode, res.Text(t))
	}
	cnPath := res.Header.Get("Location")
	if text := c.Get(cnPath).Text(t); !strings.Contains(text, "Avoir : Migration du serveur") || !strings.Contains(text, "120,00") {
		t.Fatalf("credit note draft:\n%s", text)
	}
	// The SLA penalty of October (the Boulangerie's outage resolved late).
	pen := c.Get(path + "/credit?month=2026-10")
	if pen.StatusCode != http.StatusOK || pen.Doc(t).Find("#penalty").Length() != 1 {
		t.Fatalf("penalty shown: %d\n%s", pen.StatusCode, pen.Text(t))
	}
	if res := c.Get(path + "/credit?month=2026-09"); res.Doc(t).Find("#penalty").Length() != 0 || !strings.Contains(res.Text(t), "Aucune pénalité") {
		t.Fatal("September has no penalty")
	}
	if res := c.Post(path+"/penalty-credit", url.Values{"month": {"oct"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad month: %d", res.StatusCode)
	}
	res = c.Post(path+"/penalty-credit", url.Values{"month": {"2026-10"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("penalty credit: %d %s", res.StatusCode, res.Text(t))
	}
	if text := c.Get(res.Header.Get("Location")).Text(t); !strings.Contains(text, "Pénalités de niveau de service") {
		t.Fatalf("penalty credit note:\n%s", text)
	}
	// Never credited twice, nor offered as a deduction to bill any more.
	if res := c.Post(path+"/penalty-credit", url.Values{"month": {"2026-10"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("penalty twice: %d", res.StatusCode)
	}
	for _, s := range sourceValues(c.Get("/admin/invoices/new?client=" + bakery.String()).Doc(t)) {
		if strings.HasPrefix(s, "sla_penalty:"+contract.String()+"/2026-10") {
			t.Fatal("the penalty credited is still offered")
		}
	}
	if n := count(); n != 2 {
		t.Fatalf("credit notes drafted: %d", n)
	}
	// From the SLA report: the same penalty again is refused.
	if res := c.Post("/admin/reports/sla/credit", url.Values{"contract": {contract.String()}, "month": {"2026-10"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("from the report, twice: %d", res.StatusCode)
	}
}

func TestBackofficeBillingReportAndReconciliation(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	if res := app.LoginAs(t, testutil.Technician).Get("/admin/reports/billing"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("technician: %d", res.StatusCode)
	}
	c := app.LoginAs(t, testutil.Manager)
	res := c.Get("/admin/reports/billing")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("report: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if !strings.Contains(doc.Find("#ageing").Text(), "Cabinet Durand") || doc.Find("#revenue tbody tr").Length() != 12 ||
		doc.Find("svg rect").Length() == 0 || doc.Find("#profit tbody tr").Length() == 0 {
		t.Fatalf("report content:\n%s", res.Text(t))
	}
	if res := c.Get("/admin/reports/billing?from=2026-13-01"); res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-from-error").Length() != 1 {
		t.Fatalf("bad date: %d", res.StatusCode)
	}

	// A paid session whose webhook was missed, found by the reconciliation.
	bakery := clientByName(t, app, "Boulangerie Martin")
	inv := issuedManual(t, app, bakery, runningContract(t, app, bakery))
	if err := app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		r, err := billing.StartReconciliation(ctx, tx, app.Clock.Now())
		if err != nil {
			return err
		}
		s := &stripe.CheckoutSession{ID: "cs_test_missed", PaymentStatus: stripe.CheckoutSessionPaymentStatusPaid, AmountTotal: inv.TotalTTCCents,
			Currency: "eur", Metadata: map[string]string{"invoice_id": inv.ID.String()}}
		if _, err := billing.ReconcileSession(ctx, tx, r, s, app.Clock.Now(), nil); err != nil {
			return err
		}
		return billing.FinishReconciliation(ctx, tx, r, nil, app.Clock.Now().Add(time.Second))
	}); err != nil {
		t.Fatal(err)
	}
	block := c.Get("/admin/payments").Doc(t).Find("#reconciliation")
	if !strings.Contains(block.Text(), "Paiement enregistré par le rapprochement") || !strings.Contains(block.Text(), inv.Reference()) {
		t.Fatalf("reconciliation block:\n%s", block.Text())
	}
	action := block.Find("form").AttrOr("action", "")
	if res := c.Post(action, url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: %d", res.StatusCode)
	}
	if res := c.Post(action, url.Values{}); res.StatusCode != http.StatusConflict {
		t.Fatalf("resolve twice: %d", res.StatusCode)
	}
	if text := c.Get("/admin/payments").Doc(t).Find("#reconciliation").Text(); !strings.Contains(text, "Aucun écart") {
		t.Fatalf("after resolve:\n%s", text)
	}
}

// TestBackofficeDemoOverdueInvoiceReminders: the demo's overdue invoice shows the reminders sent.
func TestBackofficeDemoOverdueInvoiceReminders(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)
	var id uuid.UUID
	if err := app.DB.Bun.NewRaw(`SELECT invoice_id FROM invoice_reminders GROUP BY invoice_id ORDER BY count(*) DESC LIMIT 1`).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	items := c.Get("/admin/invoices/" + id.String()).Doc(t).Find("#reminders li")
	if items.Length() != 3 || !strings.Contains(items.Last().Text(), "30 jours") {
		t.Fatalf("reminders shown: %d %q", items.Length(), items.Text())
	}
}
