package backoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"maintenant/app/testutil"
)

func tplCount(t *testing.T, app *testutil.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := app.DB.Bun.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func tplID(t *testing.T, app *testutil.App, name string) string {
	t.Helper()
	var id string
	if err := app.DB.Bun.NewRaw("SELECT id::text FROM contract_templates WHERE name = ?", name).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// tplForm reads a page's form named by its action into values, as a browser would send it.
func tplForm(t *testing.T, c *testutil.Client, page, action string) url.Values {
	t.Helper()
	res := c.Get(page)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", page, res.StatusCode)
	}
	f := url.Values{}
	form := res.Doc(t).Find(`form[action="` + action + `"]`)
	form.Find("input[name], textarea[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		switch {
		case s.Is("textarea"):
			f.Set(name, s.Text())
		case s.Is("select"):
			f.Set(name, s.Find("option[selected]").AttrOr("value", s.Find("option").First().AttrOr("value", "")))
		case s.AttrOr("type", "") == "checkbox":
			if _, ok := s.Attr("checked"); ok {
				f.Set(name, "on")
			}
		default:
			f.Set(name, s.AttrOr("value", ""))
		}
	})
	return f
}

var contractPath = regexp.MustCompile(`^/admin/contracts/([0-9a-f-]{36})$`)

func TestContractFromTemplate(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)

	res := c.Get("/admin/settings/templates")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("templates: %d", res.StatusCode)
	}
	for _, name := range []string{"Maintenance de site internet", "Site e-commerce", "Réseaux sociaux", "Parc informatique"} {
		if !strings.Contains(res.Text(t), name) {
			t.Errorf("demo template %q missing", name)
		}
	}
	id := tplID(t, app, "Site e-commerce")

	// The new-contract form is filled from the template; the contract is created with its plan.
	form := tplForm(t, c, "/admin/contracts/new?template="+id, "/admin/contracts")
	if form.Get("template_id") != id || form.Get("title") != "Maintenance de la boutique en ligne" || form.Get("fee") != "180,00" {
		t.Fatalf("form not filled from the template: %v", form)
	}
	form.Set("client_id", tplClientID(t, app, "Boulangerie Martin"))
	form.Set("start_date", "2026-12-01")
	form.Set("fee", "175,00") // the contract stays editable
	res = c.Post("/admin/contracts", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Text(t))
	}
	m := contractPath.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirected to %q", res.Header.Get("Location"))
	}
	ct := m[1]
	if n := tplCount(t, app, "SELECT count(*) FROM maintenance_tasks WHERE contract_id = ? AND title = 'Contrôle de la boutique'", ct); n != 1 {
		t.Fatalf("template plan tasks on the contract: %d", n)
	}
	if n := tplCount(t, app, "SELECT count(*) FROM contracts WHERE id = ? AND template_id = ? AND review_months = 12", ct, id); n != 1 {
		t.Fatal("template and review interval not recorded")
	}
	if n := tplCount(t, app, "SELECT count(*) FROM contract_versions WHERE contract_id = ? AND fee_cents = 17500 AND policy_version_no = 1", ct); n != 1 {
		t.Fatal("terms or policy version not recorded")
	}

	// Changing the template later leaves the contract alone.
	edit := tplForm(t, c, "/admin/settings/templates/"+id, "/admin/settings/templates/"+id)
	edit.Set("fee", "300")
	edit.Set("confidentiality", "Nouvelle clause.")
	if res := c.Post("/admin/settings/templates/"+id, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("template update: %d\n%s", res.StatusCode, res.Text(t))
	}
	if n := tplCount(t, app, "SELECT count(*) FROM contract_versions WHERE contract_id = ? AND fee_cents = 17500 AND confidentiality <> 'Nouvelle clause.'", ct); n != 1 {
		t.Fatal("the contract followed the template")
	}

	// Bad input: an unknown SLA policy, negative values. Nothing saved.
	before := tplCount(t, app, "SELECT count(*) FROM contract_templates")
	for _, b := range []struct {
		name, field, value, want string
	}{
		{"unknown SLA policy", "sla_policy_id", "0190aaaa-0000-7000-8000-000000000000", "sla_policy_id"},
		{"negative fee", "fee", "-10", "fee"},
		{"negative included hours", "included_hours", "-2", "included_hours"},
		{"negative review interval", "review_months", "-1", "review_months"},
		{"negative task duration", "plan_minutes_0", "-30", "plan_minutes_0"},
	} {
		f := tplForm(t, c, "/admin/settings/templates/"+id, "/admin/settings/templates/"+id)
		f.Set("name", "Copie "+b.name)
		f.Set(b.field, b.value)
		res := c.Post("/admin/settings/templates", f)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d, want 422", b.name, res.StatusCode)
		}
		if res.Doc(t).Find("#f-"+b.want+"-error").Length() != 1 {
			t.Errorf("%s: no message under %s", b.name, b.want)
		}
	}
	if n := tplCount(t, app, "SELECT count(*) FROM contract_templates"); n != before {
		t.Fatalf("refused templates saved: %d → %d", before, n)
	}

	// A stale edit is a conflict.
	if res := c.Post("/admin/settings/templates/"+id, edit); res.StatusCode != http.StatusConflict {
		t.Fatalf("stale template edit: %d, want 409", res.StatusCode)
	}
	// Technicians do not manage templates.
	if res := app.LoginAs(t, testutil.Technician).Get("/admin/settings/templates"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("technician: %d", res.StatusCode)
	}
}

func tplClientID(t *testing.T, app *testutil.App, name string) string {
	t.Helper()
	var id string
	if err := app.DB.Bun.NewRaw("SELECT id::text FROM clients WHERE name = ?", name).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestContractReviewRecorded(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)
	var id string
	if err := app.DB.Bun.NewRaw(`SELECT c.id::text FROM contracts c JOIN clients cl ON cl.id = c.client_id
		WHERE cl.name = 'Cabinet Durand Avocats' AND c.status = 'active' ORDER BY c.reference LIMIT 1`).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	page := "/admin/contracts/" + id
	res := c.Get(page)
	if res.StatusCode != http.StatusOK || res.Doc(t).Find("#reviews-h").Length() != 1 {
		t.Fatalf("contract page: %d, no review section", res.StatusCode)
	}
	if !strings.Contains(res.Text(t), "Version 1") {
		t.Error("the policy version recorded is not shown on the contract")
	}
	// Bad input: a date in the future, no participants, a negative interval.
	for _, b := range []struct {
		path  string
		form  url.Values
		field string
	}{
		{page + "/reviews", url.Values{"held_on": {"2026-12-25"}, "participants": {"Maître Durand"}}, "held_on"},
		{page + "/reviews", url.Values{"held_on": {"2026-11-20"}, "participants": {" "}}, "participants"},
		{page + "/reviews", url.Values{"held_on": {"2026-11-20"}, "participants": {"Maître Durand"}, "amendment_no": {"9"}}, "amendment_no"},
		{page + "/review-interval", url.Values{"review_months": {"-6"}, "version": {"1"}}, "review_months"},
	} {
		res := c.Post(b.path, b.form)
		if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#f-"+b.field+"-error").Length() != 1 {
			t.Errorf("%s %v: %d, want 422 with a message under %s", b.path, b.form, res.StatusCode, b.field)
		}
	}
	if n := tplCount(t, app, "SELECT count(*) FROM contract_reviews WHERE contract_id = ?", id); n != 0 {
		t.Fatalf("refused reviews saved: %d", n)
	}
	res = c.Post(page+"/reviews", url.Values{"held_on": {"2026-11-20"}, "participants": {"Maître Durand, Clément Garcia Carballa"},
		"notes": {"Bilan positif."}, "decisions": {"Ajouter un poste en janvier."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: %d\n%s", res.StatusCode, res.Text(t))
	}
	body := c.Get(page).Text(t)
	if !strings.Contains(body, "Revue du 20/11/2026") || !strings.Contains(body, "Ajouter un poste en janvier.") {
		t.Fatal("the review is not on the contract page")
	}
	if n := tplCount(t, app, "SELECT count(*) FROM audit_log WHERE action = 'contract.review_recorded' AND target_id = ?", id); n != 1 {
		t.Fatalf("review audit entries: %d", n)
	}
}
