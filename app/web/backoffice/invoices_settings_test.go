package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"maintenant/app/provider"
	"maintenant/app/testutil"
)

func TestSettingsBilling(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	page := c.Get("/admin/settings")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET settings: %d", page.StatusCode)
	}
	doc := page.Doc(t)
	version, _ := doc.Find("input[name=version]").Attr("value")
	form := url.Values{
		"version": {version}, "name": {"Maintenant SARL"}, "reminder_lead_days": {"90, 30, 7"},
		"iban": {"FR76 3000 6000 0112 3456 7890 188"}, "bic": {"AGRIFRPP"}, "default_vat_bp": {"2000"},
		"late_penalty_bp": {"12,15"}, "internal_hourly_cost": {"35"}, "invoice_reminder_days": {"3, 15, 30"},
		"invoice_footer": {"SARL au capital de 10 000 €"},
	}
	res := c.Post("/admin/settings", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad IBAN: %d", res.StatusCode)
	}
	bad := res.Doc(t)
	if got, _ := bad.Find("#f-iban").Attr("value"); got != form.Get("iban") {
		t.Errorf("IBAN typed not kept: %q", got)
	}
	if !strings.Contains(bad.Find("#f-iban-error").Text(), "clé de contrôle") {
		t.Errorf("IBAN error = %q", bad.Find("#f-iban-error").Text())
	}
	if strings.TrimSpace(bad.Find("#f-invoice_footer").Text()) != "SARL au capital de 10 000 €" {
		t.Errorf("footer not kept")
	}
	form.Set("iban", "FR76 3000 6000 0112 3456 7890 189")
	form.Set("vat_exempt", "on")
	if res := c.Post("/admin/settings", form); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
		t.Fatalf("good settings: %d %s", res.StatusCode, res.Text(t))
	}
	o, err := provider.Get(context.Background(), app.DB.Bun)
	if err != nil {
		t.Fatal(err)
	}
	if o.IBAN != "FR7630006000011234567890189" || o.LatePenaltyBP != 1215 || o.InternalHourlyCostCents != 3500 || !o.VATExempt ||
		len(o.InvoiceReminderDays) != 3 || o.InvoiceReminderDays[0] != 3 || o.InvoiceFooter != "SARL au capital de 10 000 €" {
		t.Fatalf("saved = %+v", o)
	}
	// The page shows them back.
	again := c.Get("/admin/settings").Doc(t)
	if v, _ := again.Find("#f-late_penalty_bp").Attr("value"); v != "12,15" {
		t.Errorf("penalty shown = %q", v)
	}
	if _, ok := again.Find("input[name=vat_exempt]").Attr("checked"); !ok {
		t.Errorf("exemption not checked")
	}
}
