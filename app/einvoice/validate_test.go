package einvoice_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/billing"
	"maintenant/app/einvoice"
	"maintenant/app/einvoice/einvoicetest"
	"maintenant/app/testutil"
)

// demoXML builds the e-invoice of every issued invoice and credit note of the demo data, each
// checked by the library's EN 16931 business rules on the way (Build).
func demoXML(t *testing.T) map[string][]byte {
	t.Helper()
	app := testutil.NewApp(t, testutil.Options{})
	ctx := context.Background()
	var ids []uuid.UUID
	if err := app.DB.Bun.NewRaw("SELECT id FROM invoices WHERE status <> 'draft' ORDER BY kind, year, number").Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	credit := 0
	for _, id := range ids {
		inv, err := billing.GetInvoice(ctx, app.DB.Bun, id)
		if err != nil {
			t.Fatal(err)
		}
		d, err := einvoice.Load(ctx, app.DB.Bun, inv)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Build(); err != nil {
			t.Fatalf("%s: %v %v", inv.Reference(), err, einvoice.Violations(err))
		}
		xml, err := d.XML()
		if err != nil {
			t.Fatal(err)
		}
		if inv.Kind == billing.KindCreditNote {
			credit++
		}
		out["demo-"+inv.Reference()+".xml"] = xml
	}
	if len(out) < 3 || credit == 0 {
		t.Fatalf("the demo has %d issued documents, %d credit notes: expected invoices and a credit note", len(out), credit)
	}
	return out
}

// TestOfficialRules validates the representative samples with the official Factur-X EN 16931 XSD
// and the CEN, Factur-X and French BR-FR schematrons (zero failed assertion, warnings included),
// and every issued invoice and credit note of the demo data likewise (after the library's business
// rules), and proves the validator can fail: the official negative examples break their documented
// rules. One JVM per rule set checks them all.
func TestOfficialRules(t *testing.T) {
	einvoicetest.Dir(t)
	files := demoXML(t)
	for name, d := range samples() {
		xml, err := d.XML()
		if err != nil {
			t.Fatal(err)
		}
		files[name+".xml"] = xml
	}
	dir := einvoicetest.Dir(t)
	negative := map[string]string{
		"neg-BR-CO-15-2.xml": filepath.Join(dir, "negative", "BR-CO-15-2.xml"),
		"neg-BR-CO-17.xml":   filepath.Join(dir, "negative", "BR-CO-17.xml"),
	}
	got := einvoicetest.Validate(t, files, negative)
	for name := range files {
		if f := got[name]; len(f) > 0 {
			t.Errorf("%s: %d failed assertions: %+v", name, len(f), f)
		}
	}
	want := map[string][]string{
		"neg-BR-CO-15-2.xml": {"cen:BR-12", "cen:BR-CO-10", "cen:BR-CO-13"},
		"neg-BR-CO-17.xml":   {"cen:BR-CO-17"},
	}
	for name, rules := range want {
		var ids []string
		for _, f := range got[name] {
			ids = append(ids, f.ID)
		}
		for _, r := range rules {
			if !slices.Contains(ids, r) {
				t.Errorf("%s should fail %s; it failed %v", name, r, ids)
			}
		}
	}
}
