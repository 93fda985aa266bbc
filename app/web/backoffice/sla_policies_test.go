package backoffice_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/sla"
	"maintenant/app/testutil"
)

// slaCount runs a counting query on the test database.
func slaCount(t *testing.T, app *testutil.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := app.DB.Bun.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// slaGoodForm is a valid policy as the form sends it: Monday to Friday 9-18, French holidays, a 1 h
// reaction for critical requests.
func slaGoodForm(name string) url.Values {
	f := url.Values{
		"name":             {name},
		"description":      {"Pour les sites vitrines"},
		"hours.monday":     {"09:00-18:00"},
		"hours.tuesday":    {"09:00-18:00"},
		"hours.wednesday":  {"09:00-18:00"},
		"hours.thursday":   {"09:00-18:00"},
		"hours.friday":     {"09:00-18:00"},
		"hours.saturday":   {""},
		"hours.sunday":     {""},
		"french_holidays":  {"on"},
		"closures":         {"2026-12-24\n31/12/2026"},
		"penalty_per_hour": {"0,5"},
		"penalty_cap":      {"10"},
	}
	for p, minutes := range map[string][2]int{"critical": {60, 240}, "high": {120, 480}, "normal": {240, 960}, "low": {480, 2400}} {
		f.Set("targets."+p+".reaction_hours", strconv.Itoa(minutes[0]/60))
		f.Set("targets."+p+".reaction_minutes", strconv.Itoa(minutes[0]%60))
		f.Set("targets."+p+".resolution_hours", strconv.Itoa(minutes[1]/60))
		f.Set("targets."+p+".resolution_minutes", "")
	}
	return f
}

var slaEditPath = regexp.MustCompile(`^/admin/settings/sla/([0-9a-f-]{36})$`)

// slaCreate creates a policy through the form and returns its id.
func slaCreate(t *testing.T, c *testutil.Client, form url.Values) string {
	t.Helper()
	res := c.Post("/admin/settings/sla", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d, want 303\n%s", res.StatusCode, res.Body)
	}
	m := slaEditPath.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create: redirected to %q, want the policy's page", res.Header.Get("Location"))
	}
	return m[1]
}

func TestSLAPolicyCreate(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)

	res := c.Get("/admin/settings/sla")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list: status %d", res.StatusCode)
	}
	if !strings.Contains(res.Text(t), "Aucun niveau de service") {
		t.Error("the empty list does not say what to do")
	}
	res = c.Get("/admin/settings/sla/new")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("new: status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if v, _ := doc.Find(`input[name="hours.monday"]`).Attr("value"); v == "" {
		t.Error("the new form does not suggest office hours")
	}
	for _, label := range []string{"Critique", "Haute", "Normale", "Basse", "Délai de prise en charge", "Délai de résolution", "Heures ouvrées", "Pénalité", "Alsace-Moselle (Vendredi saint, 26 décembre)"} {
		if !strings.Contains(doc.Text(), label) {
			t.Errorf("the form does not show %q", label)
		}
	}

	id := slaCreate(t, c, slaGoodForm("Standard bureau"))
	if got := slaCount(t, app, "SELECT count(*) FROM sla_policies WHERE id = ? AND name = 'Standard bureau'", id); got != 1 {
		t.Fatalf("policies saved = %d, want 1", got)
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_targets WHERE policy_id = ?", id); got != 4 {
		t.Errorf("targets saved = %d, want 4", got)
	}
	if got := slaCount(t, app, `SELECT count(*) FROM sla_policies WHERE id = ? AND penalty_bp_per_hour = 50 AND penalty_cap_bp = 1000
		AND closures = '{2026-12-24,2026-12-31}' AND hours->'monday' = '["09:00-18:00"]'::jsonb AND NOT hours ? 'saturday'`, id); got != 1 {
		t.Error("the policy's penalty, closures or hours were not saved as typed")
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_targets WHERE policy_id = ? AND priority = 'low' AND reaction_minutes = 480 AND resolution_minutes = 2400", id); got != 1 {
		t.Error("the low priority's targets were not saved as typed")
	}
	if got := slaCount(t, app, "SELECT count(*) FROM audit_log WHERE action = 'sla_policy.created' AND target_id = ?", id); got != 1 {
		t.Errorf("audit entries = %d, want 1", got)
	}

	// The flash speaks of the policy; the list shows it with its hours, targets and contracts.
	res = c.Get("/admin/settings/sla/" + id)
	if !strings.Contains(res.Text(t), "Niveau de service «\u00a0Standard bureau\u00a0» créé.") {
		t.Error("no flash naming the policy after its creation")
	}
	res = c.Get("/admin/settings/sla")
	text := res.Text(t)
	for _, want := range []string{"Standard bureau", "Lun.–Ven.", "09:00-18:00", "Fermé les jours fériés", "1 h", "40 h"} {
		if !strings.Contains(text, want) {
			t.Errorf("the list does not show %q", want)
		}
	}
	// The same name twice is refused on the name.
	res = c.Post("/admin/settings/sla", slaGoodForm("standard BUREAU"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate name: status %d, want 422", res.StatusCode)
	}
	if res.Doc(t).Find("#f-name-error").Length() == 0 {
		t.Error("duplicate name: no message under the name")
	}
}

func TestSLAPolicyCreateBadInput(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	tests := []struct {
		name   string
		change map[string]string
		// fields that must carry a message
		fields []string
	}{
		{"interval backwards", map[string]string{"hours.monday": "18:00-09:00"}, []string{"hours.monday"}},
		{"interval not HH:MM", map[string]string{"hours.tuesday": "9h-12h"}, []string{"hours.tuesday"}},
		{"intervals overlapping", map[string]string{"hours.wednesday": "09:00-12:30, 12:00-18:00"}, []string{"hours.wednesday"}},
		{"intervals out of order", map[string]string{"hours.thursday": "14:00-18:00, 09:00-12:00"}, []string{"hours.thursday"}},
		{"week closed", map[string]string{"hours.monday": "", "hours.tuesday": "", "hours.wednesday": "", "hours.thursday": "", "hours.friday": ""}, []string{"hours"}},
		{"reaction after resolution", map[string]string{"targets.critical.reaction_hours": "5"}, []string{"targets.critical.reaction"}},
		{"missing priority", map[string]string{"targets.low.reaction_hours": "", "targets.low.reaction_minutes": "", "targets.low.resolution_hours": "", "targets.low.resolution_minutes": ""},
			[]string{"targets.low.reaction", "targets.low.resolution"}},
		{"zero target", map[string]string{"targets.high.reaction_hours": "0", "targets.high.reaction_minutes": "0"}, []string{"targets.high.reaction"}},
		{"minutes out of range", map[string]string{"targets.normal.resolution_minutes": "75"}, []string{"targets.normal.resolution"}},
		{"target over 90 days", map[string]string{"targets.low.resolution_hours": "2161"}, []string{"targets.low.resolution"}},
		{"penalty 150 %", map[string]string{"penalty_per_hour": "150"}, []string{"penalty_per_hour"}},
		{"cap not a number", map[string]string{"penalty_cap": "dix"}, []string{"penalty_cap"}},
		{"closure not a date", map[string]string{"closures": "24/12/2026\n31/02/2026"}, []string{"closures"}},
		{"alsace without holidays", map[string]string{"french_holidays": "", "alsace_moselle": "on"}, []string{"alsace_moselle"}},
		{"name empty", map[string]string{"name": "  "}, []string{"name"}},
		{"name too long", map[string]string{"name": strings.Repeat("x", 121)}, []string{"name"}},
		{"everything at once", map[string]string{
			"hours.monday": "18:00-09:00", "hours.tuesday": "9h-12h", "hours.wednesday": "09:00-12:00, 11:00-14:00",
			"targets.critical.reaction_hours": "5", "targets.low.reaction_hours": "", "targets.low.resolution_hours": "",
			"penalty_per_hour": "150", "penalty_cap": "100,5",
		}, []string{"hours.monday", "hours.tuesday", "hours.wednesday", "targets.critical.reaction", "targets.low.reaction", "targets.low.resolution", "penalty_per_hour", "penalty_cap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := slaGoodForm("Bureau " + tt.name)
			for k, v := range tt.change {
				form.Set(k, v)
			}
			res := c.Post("/admin/settings/sla", form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := res.Doc(t)
			for _, f := range tt.fields {
				msg := strings.TrimSpace(doc.Find(`[id="f-` + f + `-error"]`).Text())
				if msg == "" || strings.HasPrefix(msg, "sla.") || strings.HasPrefix(msg, "error.") {
					t.Errorf("field %s: message %q, want a sentence", f, msg)
				}
			}
			if got := doc.Find(`[id$="-error"]`).Length(); got != len(tt.fields) {
				t.Errorf("%d fields with a message, want %d", got, len(tt.fields))
			}
			// The input comes back as typed.
			for k, v := range tt.change {
				if strings.HasPrefix(k, "french_holidays") || strings.HasPrefix(k, "alsace") || k == "closures" {
					continue
				}
				if got, _ := doc.Find(`input[name="` + k + `"]`).Attr("value"); got != v {
					t.Errorf("%s comes back as %q, want %q", k, got, v)
				}
			}
			if k, ok := tt.change["closures"]; ok {
				if got := doc.Find(`textarea[name="closures"]`).Text(); got != k {
					t.Errorf("closures come back as %q, want %q", got, k)
				}
			}
			if got := slaCount(t, app, "SELECT count(*) FROM sla_policies"); got != 0 {
				t.Errorf("%d policies saved, want none", got)
			}
			if got := slaCount(t, app, "SELECT count(*) FROM sla_targets"); got != 0 {
				t.Errorf("%d targets saved, want none", got)
			}
		})
	}
}

func TestSLAPolicyUpdateAndStaleVersion(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	id := slaCreate(t, c, slaGoodForm("Standard bureau"))

	// Two tabs read version 1; the first save wins.
	res := c.Get("/admin/settings/sla/" + id)
	version, _ := res.Doc(t).Find(`input[name="version"]`).Attr("value")
	if version != "1" {
		t.Fatalf("version in the form = %q, want 1", version)
	}
	first := slaGoodForm("Standard bureau")
	first.Set("version", version)
	first.Set("hours.saturday", "09:00-12:00")
	first.Set("targets.critical.reaction_minutes", "30")
	res = c.Post("/admin/settings/sla/"+id, first)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: status %d, want 303\n%s", res.StatusCode, res.Body)
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_targets WHERE policy_id = ? AND priority = 'critical' AND reaction_minutes = 90", id); got != 1 {
		t.Error("the critical reaction time was not replaced")
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_targets WHERE policy_id = ?", id); got != 4 {
		t.Errorf("targets after update = %d, want 4", got)
	}
	if got := slaCount(t, app, `SELECT count(*) FROM audit_log WHERE action = 'sla_policy.updated' AND target_id = ?
		AND details->'changed' = '["hours", "targets"]'::jsonb`, id); got != 1 {
		t.Error("no audit entry naming what changed")
	}

	second := slaGoodForm("Bureau renommé")
	second.Set("version", version)
	res = c.Post("/admin/settings/sla/"+id, second)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: status %d, want 409", res.StatusCode)
	}
	doc := res.Doc(t)
	if got, _ := doc.Find(`input[name="name"]`).Attr("value"); got != "Bureau renommé" {
		t.Errorf("stale save: name comes back as %q, want the input", got)
	}
	if got, _ := doc.Find(`input[name="version"]`).Attr("value"); got != "2" {
		t.Errorf("stale save: version in the form = %q, want the current 2", got)
	}
	if !strings.Contains(doc.Text(), "Quelqu'un a modifié ces informations") {
		t.Error("stale save: no message saying why")
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_policies WHERE id = ? AND name = 'Standard bureau' AND version = 2", id); got != 1 {
		t.Error("the stale save changed the policy")
	}
	// Saving again, knowingly, over version 2 works.
	second.Set("version", "2")
	if res := c.Post("/admin/settings/sla/"+id, second); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save: status %d, want 303", res.StatusCode)
	}
	// A bad edit is refused on its field, and the policy is left alone.
	bad := slaGoodForm("Bureau renommé")
	bad.Set("version", "3")
	bad.Set("hours.friday", "9h-18h")
	res = c.Post("/admin/settings/sla/"+id, bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad edit: status %d, want 422", res.StatusCode)
	}
	if got, _ := res.Doc(t).Find(`input[name="version"]`).Attr("value"); got != "3" {
		t.Errorf("bad edit: version %q, want 3 kept", got)
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_policies WHERE id = ? AND version = 3 AND hours->'friday' = '[\"09:00-18:00\"]'::jsonb", id); got != 1 {
		t.Error("the bad edit changed the policy")
	}
}

func TestSLAPolicyEditExplains(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true}) // Sunday 22/11/2026
	c := app.LoginAs(t, testutil.Manager)
	id := slaCreate(t, c, slaGoodForm("Standard bureau"))
	res := c.Get("/admin/settings/sla/" + id)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("edit: status %d", res.StatusCode)
	}
	doc := res.Doc(t)
	example := strings.Join(strings.Fields(doc.Find("#sla-example").Text()), " ")
	for _, want := range []string{
		"reçue le vendredi 20/11/2026 à 17:55",
		"prise en charge avant le lundi 23/11/2026 à 09:55",
		"résolue avant le lundi 23/11/2026 à 12:55", // 4 h: 5 min on Friday, 3 h 55 on Monday
	} {
		if !strings.Contains(example, want) {
			t.Errorf("example %q does not say %q", example, want)
		}
	}
	text := doc.Text()
	for _, want := range []string{"Lundi de Pâques", "Fête nationale", "2026", "2027", "mardi 14/07/2026", "lundi 29/03/2027", "2 fermetures exceptionnelles"} {
		if !strings.Contains(text, want) {
			t.Errorf("the explanation does not show %q", want)
		}
	}
	if strings.Contains(text, "Vendredi saint") && !strings.Contains(text, "Alsace-Moselle (Vendredi saint") {
		t.Error("Good Friday listed without Alsace-Moselle")
	}
	// 0,5 % of 1 000 € per started hour, 2 h 10 late: 3 hours, 15,00 €; capped at 10 %, 100,00 €.
	if !strings.Contains(text, "15,00") || !strings.Contains(text, "100,00") {
		t.Error("the penalty example is missing")
	}
	// The form shows the saved values as typed in French.
	if got, _ := doc.Find(`input[name="penalty_per_hour"]`).Attr("value"); got != "0,5" {
		t.Errorf("penalty shown as %q, want 0,5", got)
	}
	if got := doc.Find(`textarea[name="closures"]`).Text(); got != "24/12/2026\n31/12/2026" {
		t.Errorf("closures shown as %q", got)
	}

	// In English, the same example and holidays, in English words.
	c.Post("/language", url.Values{"lang": {"en"}})
	doc = c.Get("/admin/settings/sla/" + id).Doc(t)
	example = strings.Join(strings.Fields(doc.Find("#sla-example").Text()), " ")
	if !strings.Contains(example, "received on Friday 20/11/2026 at 5:55 pm must be taken on before Monday 23/11/2026 at 9:55 am") {
		t.Errorf("English example: %q", example)
	}
	text = doc.Find("main").Text()
	for _, want := range []string{"Easter Monday", "Reaction time", "Business hours"} {
		if !strings.Contains(text, want) {
			t.Errorf("the English page does not show %q", want)
		}
	}
	if got, _ := doc.Find(`input[name="penalty_per_hour"]`).Attr("value"); got != "0.5" {
		t.Errorf("English penalty shown as %q, want 0.5", got)
	}
	if m := regexp.MustCompile(`\bsla\.[a-z_.]+`).FindString(doc.Text()); m != "" {
		t.Errorf("the English page shows the message id %s", m)
	}
	if res := c.Get("/admin/settings/sla"); strings.Contains(res.Body, "sla.") && regexp.MustCompile(`>[^<]*\bsla\.[a-z_]+`).MatchString(res.Body) {
		t.Error("the English list shows a message id")
	}
}

func TestSLAPolicyArchive(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	id := slaCreate(t, c, slaGoodForm("Ancien contrat type"))

	res := c.Get("/admin/settings/sla/" + id)
	btn := res.Doc(t).Find(`form[action="/admin/settings/sla/` + id + `/archive"] button`)
	if confirm, _ := btn.Attr("data-confirm"); !strings.Contains(confirm, "Ancien contrat type") {
		t.Errorf("archive button asks %q, want a question naming the policy", confirm)
	}
	res = c.Post("/admin/settings/sla/"+id+"/archive", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: status %d", res.StatusCode)
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_policies WHERE id = ? AND archived", id); got != 1 {
		t.Error("not archived")
	}
	if got := slaCount(t, app, "SELECT count(*) FROM audit_log WHERE action = 'sla_policy.archived' AND target_id = ?", id); got != 1 {
		t.Error("archive not audited")
	}
	list := c.Get("/admin/settings/sla").Doc(t)
	if !strings.Contains(list.Find("#flash").Text(), "Niveau de service «\u00a0Ancien contrat type\u00a0» archivé") {
		t.Error("no flash naming the archived policy")
	}
	if list.Find("table").Length() != 0 {
		t.Error("an archived policy is listed without the filter")
	}
	text := c.Get("/admin/settings/sla?archived=1").Doc(t).Find("table").Text()
	if !strings.Contains(text, "Ancien contrat type") || !strings.Contains(text, "Archivé") {
		t.Error("the archived filter does not show the archived policy with its badge")
	}
	res = c.Post("/admin/settings/sla/"+id+"/unarchive", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unarchive: status %d", res.StatusCode)
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_policies WHERE id = ? AND NOT archived", id); got != 1 {
		t.Error("not restored")
	}
	if got := slaCount(t, app, "SELECT count(*) FROM audit_log WHERE action = 'sla_policy.unarchived'"); got != 1 {
		t.Error("restore not audited")
	}
	for _, path := range []string{"/admin/settings/sla/00000000-0000-7000-8000-000000000000/archive", "/admin/settings/sla/nope/archive"} {
		if res := c.Post(path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", path, res.StatusCode)
		}
	}
}

func TestSLAPolicyShowsContractsUsingIt(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	id := slaCreate(t, c, slaGoodForm("Standard bureau"))
	ctx := context.Background()
	if _, err := app.DB.Bun.ExecContext(ctx, `INSERT INTO contracts (id, reference, client_id, status, status_changed_at,
		created_at, updated_at) SELECT '00000000-0000-7000-8000-000000000001', 'C-2026-001', id, 'active', now(), now(), now()
		FROM clients ORDER BY name LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Bun.ExecContext(ctx, `INSERT INTO contract_versions (contract_id, no, effective_from, created_at, title,
		start_date, initial_months, fee_cents, billing_period, sla_policy_id) VALUES ('00000000-0000-7000-8000-000000000001', 1,
		'2026-01-01', now(), 'Site vitrine', '2026-01-01', 12, 9900, 'monthly', ?)`, id); err != nil {
		t.Fatal(err)
	}
	doc := c.Get("/admin/settings/sla/" + id).Doc(t)
	text := doc.Find("main").Text()
	if !strings.Contains(text, "utilisé par 1 contrat") || !strings.Contains(text, "vos modifications s'appliqueront") {
		t.Errorf("the edit page does not warn that 1 contract uses the policy:\n%s", text)
	}
	if confirm, _ := doc.Find(`form[action$="/archive"] button`).Attr("data-confirm"); !strings.Contains(confirm, "(1)") {
		t.Errorf("archive question %q does not count the contract", confirm)
	}
	cell := strings.TrimSpace(c.Get("/admin/settings/sla").Doc(t).Find("tbody tr td").Last().Text())
	if !strings.HasSuffix(cell, "1") {
		t.Errorf("contracts cell = %q, want 1", cell)
	}
}

func TestSLAPolicyUnknownIs404(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	for _, path := range []string{"/admin/settings/sla/00000000-0000-7000-8000-000000000000", "/admin/settings/sla/not-an-id"} {
		if res := c.Get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
		if res := c.Post(path, slaGoodForm("X")); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", path, res.StatusCode)
		}
	}
}

func TestSLAPolicyTechnicianForbidden(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	id := slaCreate(t, app.LoginAs(t, testutil.Manager), slaGoodForm("Standard bureau"))
	tech := app.LoginAs(t, testutil.Technician)
	for _, path := range []string{"/admin/settings/sla", "/admin/settings/sla/new", "/admin/settings/sla/" + id} {
		if res := tech.Get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("technician GET %s: status %d, want 403", path, res.StatusCode)
		}
	}
	form := slaGoodForm("Pris par le technicien")
	form.Set("version", "1")
	for _, path := range []string{"/admin/settings/sla", "/admin/settings/sla/" + id, "/admin/settings/sla/" + id + "/archive", "/admin/settings/sla/" + id + "/unarchive"} {
		if res := tech.Post(path, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("technician POST %s: status %d, want 403", path, res.StatusCode)
		}
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_policies WHERE name = 'Standard bureau' AND version = 1 AND NOT archived"); got != 1 {
		t.Error("a technician changed the policy")
	}
	if got := slaCount(t, app, "SELECT count(*) FROM sla_policies"); got != 1 {
		t.Error("a technician created a policy")
	}
	// A client user does not reach the backoffice at all.
	client := app.LoginAs(t, testutil.BoulangerieUser)
	if res := client.Get("/admin/settings/sla"); res.StatusCode != http.StatusForbidden {
		t.Errorf("client GET: status %d, want 403", res.StatusCode)
	}
}

func TestSettingsLinksToSLAPolicies(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	link := c.Get("/admin/settings").Doc(t).Find(`main a[href="/admin/settings/sla"]`)
	if !strings.Contains(link.Text(), "Niveaux de service (SLA)") {
		t.Errorf("settings link = %q", link.Text())
	}
}

// TestSLAPolicyScreens walks the SLA pages in a real browser as the manager: from the settings to
// the empty list, the new form, a refused save (the first bad field gets the focus), a good one,
// the edit page with its explanation, and the list. Every page passes axe, does not scroll sideways
// at 390 px, and is photographed at desktop and phone widths (artifacts/screenshots/sla-*.png).
func TestSLAPolicyScreens(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	ctx := testutil.Browser(t)
	base := app.Listen(t)
	n := 0
	inspect := func(name string) {
		t.Helper()
		n++
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			testutil.SetViewport(t, ctx, v)
			testutil.Axe(t, ctx)
			if out := testutil.HorizontalOverflow(t, ctx); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			text := testutil.BodyText(t, ctx)
			if m := regexp.MustCompile(`\b(sla|error|audit)\.[a-z_.]+`).FindString(text); m != "" {
				t.Errorf("%s shows the message id %s", name, m)
			}
			testutil.Screenshot(t, ctx, fmt.Sprintf("sla-%02d-%s-%s", n, name, v.Name))
		}
		testutil.SetViewport(t, ctx, testutil.Desktop)
		testutil.CheckConsole(t, ctx)
	}
	expect := func(want ...string) {
		t.Helper()
		text := testutil.BodyText(t, ctx)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("no %q on the page:\n%s", w, text)
			}
		}
	}

	testutil.BrowserLogin(t, ctx, base, testutil.Manager)
	testutil.WaitPath(t, ctx, "/admin")
	testutil.Run(t, ctx, chromedp.Navigate(base+"/admin/settings"))
	testutil.WaitPath(t, ctx, "/admin/settings")
	inspect("settings-link")
	testutil.Run(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/admin/settings/sla"]`)))
	testutil.WaitPath(t, ctx, "/admin/settings/sla")
	expect("Niveaux de service (SLA)", "Aucun niveau de service")
	inspect("list-empty")

	testutil.Run(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/admin/settings/sla/new"]`)))
	testutil.WaitPath(t, ctx, "/admin/settings/sla/new")
	expect("Heures ouvrées", "Délai de prise en charge", "Délai de résolution", "Pénalité")
	inspect("new")

	// Two mistakes: the first one gets the focus and both say what is wrong.
	testutil.Run(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Standard bureau"),
		chromedp.SetValue(chromedp.CSS(`input[name="hours.tuesday"]`), "18:00-09:00"),
		chromedp.SetValue(chromedp.CSS(`input[name="penalty_per_hour"]`), "150"),
		chromedp.Click(chromedp.CSS(`main form[action="/admin/settings/sla"] button`)),
	)
	testutil.WaitFor(t, ctx, `document.activeElement && document.activeElement.name === "hours.tuesday"`)
	expect("Écrivez chaque plage sous la forme 09:00-12:30", "Saisissez un pourcentage entre 0 et 100.")
	inspect("new-errors")

	testutil.Run(t, ctx,
		chromedp.SetValue(chromedp.CSS(`input[name="hours.tuesday"]`), "09:00-12:30, 13:30-18:00"),
		chromedp.SetValue(chromedp.CSS(`input[name="hours.saturday"]`), "09:00-12:00"),
		chromedp.SetValue(chromedp.CSS(`input[name="penalty_per_hour"]`), "0,5"),
		chromedp.SetValue(chromedp.CSS(`input[name="penalty_cap"]`), "10"),
		chromedp.SetValue(chromedp.CSS(`textarea[name="closures"]`), "24/12/2026\n31/12/2026"),
		chromedp.Click(chromedp.CSS(`main form[action="/admin/settings/sla"] button`)),
	)
	testutil.WaitFor(t, ctx, `/^\/admin\/settings\/sla\/[0-9a-f-]{36}$/.test(location.pathname) && document.readyState === "complete"`)
	expect("Niveau de service «\u00a0Standard bureau\u00a0» créé.", "Ce niveau de service en pratique",
		"vendredi 20/11/2026 à 17:55", "lundi 23/11/2026 à 09:55", "Lundi de Pâques")
	inspect("edit")

	// A second policy, open every day, makes the list more telling.
	always := &contracts.SLAPolicy{Name: "Astreinte e-commerce 24/7", Description: "Sites marchands : la boutique ne ferme jamais.",
		Hours: map[string][]string{}, Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 30, ResolutionMinutes: 240}, sla.High: {ReactionMinutes: 60, ResolutionMinutes: 480},
			sla.Normal: {ReactionMinutes: 240, ResolutionMinutes: 1440}, sla.Low: {ReactionMinutes: 480, ResolutionMinutes: 4320},
		}, PenaltyBPPerHour: 100, PenaltyCapBP: 2000}
	for _, d := range contracts.SLAWeekdays {
		always.Hours[d] = []string{"00:00-24:00"}
	}
	if err := app.DB.InTx(context.Background(), func(ctx context.Context, tx *database.Tx) error {
		return contracts.CreateSLAPolicy(ctx, tx, always, app.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, ctx, chromedp.Click(chromedp.CSS(`main header a[href="/admin/settings/sla"]`)))
	testutil.WaitPath(t, ctx, "/admin/settings/sla")
	expect("Standard bureau", "Astreinte e-commerce 24/7", "Lun.–Dim.")
	inspect("list")
}
