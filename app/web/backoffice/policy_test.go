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

func policyCount(t *testing.T, app *testutil.App, where string) int {
	t.Helper()
	var n int
	if err := app.DB.Bun.NewRaw("SELECT count(*) FROM policy_versions WHERE "+where).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// policyForm is the editor's form with every section of the demo's version 1, changed in one place.
func policyForm(t *testing.T, c *testutil.Client) url.Values {
	t.Helper()
	res := c.Get("/admin/settings/policy")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("editor: status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	f := url.Values{}
	doc.Find(`form[action="/admin/settings/policy"] input[name], form[action="/admin/settings/policy"] textarea[name]`).Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		if s.Is("textarea") {
			f.Set(name, s.Text())
		} else {
			f.Set(name, s.AttrOr("value", ""))
		}
	})
	return f
}

func TestPolicyEditorRevision(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Manager)

	// The demo's version 1 is in force; the editor starts a revision from its text.
	res := c.Get("/admin/settings/policy")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Version 1") {
		t.Fatalf("editor: %d\n%s", res.StatusCode, res.Text(t))
	}
	f := policyForm(t, c)
	if !strings.Contains(f.Get("section_purpose"), "AsevoDigital") {
		t.Fatalf("the revision does not start from version 1: %q", f.Get("section_purpose"))
	}

	// Bad input: nothing saved.
	bad := []struct {
		name   string
		edit   func(url.Values)
		status int
		field  string
	}{
		{"no effective date", func(v url.Values) { v.Set("effective_on", ""); v.Set("change_summary", "Délais précisés.") }, 422, "effective_on"},
		{"no change summary", func(v url.Values) { v.Set("effective_on", "2026-12-01"); v.Set("change_summary", "") }, 422, "change_summary"},
		{"empty policy", func(v url.Values) {
			for k := range v {
				if strings.HasPrefix(k, "section_") {
					v.Set(k, "  ")
				}
			}
			v.Set("effective_on", "2026-12-01")
			v.Set("change_summary", "Tout retiré.")
		}, 422, ""},
	}
	for _, b := range bad {
		form := policyForm(t, c)
		b.edit(form)
		form.Set("action", "publish")
		res := c.Post("/admin/settings/policy", form)
		if res.StatusCode != b.status {
			t.Fatalf("%s: status %d, want %d", b.name, res.StatusCode, b.status)
		}
		doc := res.Doc(t)
		if b.field != "" && doc.Find("#f-"+b.field+"-error").Length() != 1 {
			t.Errorf("%s: no message under %s", b.name, b.field)
		}
		if b.field == "" && !strings.Contains(doc.Find("[role=alert]").Text(), "vide") {
			t.Errorf("%s: no message about the empty policy: %q", b.name, doc.Find("[role=alert]").Text())
		}
	}
	if n := policyCount(t, app, "true"); n != 1 {
		t.Fatalf("refused publications left %d versions, want 1", n)
	}

	// Preview: rendered, sanitised, nothing saved.
	form := policyForm(t, c)
	form.Set("section_scope", "Tous les services. <script>alert(1)</script> [x](javascript:alert(2)) <b hx-get=\"/admin\">gras</b>")
	form.Set("action", "preview")
	res = c.Post("/admin/settings/policy", form)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d", res.StatusCode)
	}
	preview, _ := res.Doc(t).Find("#preview-h").Parent().Html()
	if strings.Contains(preview, "<script") || strings.Contains(preview, "javascript:") || strings.Contains(preview, "hx-get") {
		t.Fatalf("preview not sanitised: %s", preview)
	}
	if policyCount(t, app, "status = 'draft'") != 0 {
		t.Fatal("preview saved a draft")
	}

	// Save a draft, then publish it.
	form = policyForm(t, c)
	form.Set("section_corrective", form.Get("section_corrective")+"\n- **Délais** : selon le niveau de service du contrat.")
	form.Set("change_summary", "Délais de réparation précisés, à la demande des clients.")
	form.Set("action", "save")
	if res := c.Post("/admin/settings/policy", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save draft: %d\n%s", res.StatusCode, res.Text(t))
	}
	draft := policyForm(t, c)
	if draft.Get("id") == "" || !strings.Contains(draft.Get("section_corrective"), "Délais") {
		t.Fatalf("draft not reloaded: id %q", draft.Get("id"))
	}
	draft.Set("effective_on", "2026-12-01")
	draft.Set("approver_name", "Clément Garcia Carballa")
	draft.Set("action", "publish")
	if res := c.Post("/admin/settings/policy", draft); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", res.StatusCode, res.Text(t))
	}
	if n := policyCount(t, app, "status = 'published' AND no = 2 AND effective_on = '2026-12-01'"); n != 1 {
		t.Fatal("version 2 not published")
	}

	// Editing the published version (its id, as a stale editor would send it) is a conflict.
	draft.Set("action", "save")
	draft.Set("section_scope", "Changé après publication")
	res = c.Post("/admin/settings/policy", draft)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "nouvelle révision") {
		t.Fatalf("editing a published version: %d, want 409 with a message", res.StatusCode)
	}
	if n := policyCount(t, app, "no = 2 AND sections->>'scope' LIKE 'Changé%'"); n != 0 {
		t.Fatal("the published version changed")
	}

	// The version page, its PDF, and the audit trail.
	res = c.Get("/admin/settings/policy/2")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Délais de réparation précisés") {
		t.Fatalf("version page: %d", res.StatusCode)
	}
	res = c.Get("/admin/settings/policy/2.pdf")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(res.Body), "%PDF") {
		t.Fatalf("PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res := c.Get("/admin/settings/policy/9"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown version: %d", res.StatusCode)
	}
	var audited int
	if err := app.DB.Bun.NewRaw("SELECT count(*) FROM audit_log WHERE action = 'policy.published'").Scan(context.Background(), &audited); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Fatalf("audit entries for the publication: %d", audited)
	}

	// Technicians do not manage the policy.
	tech := app.LoginAs(t, testutil.Technician)
	if res := tech.Get("/admin/settings/policy"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("technician: %d, want 403", res.StatusCode)
	}
}
