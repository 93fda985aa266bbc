package backoffice_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/clients"
	"maintenant/app/testutil"
)

func count(t *testing.T, app *testutil.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := app.DB.Bun.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// demoClient returns a demo client by name.
func demoClient(t *testing.T, app *testutil.App, name string) *clients.Client {
	t.Helper()
	c, err := clients.ByName(context.Background(), app.DB.Bun, name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func user(t *testing.T, app *testutil.App, email string) *accounts.User {
	t.Helper()
	u, err := accounts.UserByEmail(context.Background(), app.DB.Bun, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var linkRe = regexp.MustCompile(`http://maintenant\.test(/invite/[A-Za-z0-9_-]+)`)

// mailLink returns the invitation link of the newest mail to an address, as its text body has it.
func mailLink(t *testing.T, app *testutil.App, to string) string {
	t.Helper()
	var body string
	if err := app.DB.Bun.NewRaw("SELECT text_body FROM outbox_messages WHERE to_address = ? ORDER BY created_at DESC, id DESC LIMIT 1", to).
		Scan(context.Background(), &body); err != nil {
		t.Fatalf("no mail to %s: %v", to, err)
	}
	m := linkRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link in mail:\n%s", body)
	}
	return m[1]
}

func goodClient() url.Values {
	return url.Values{
		"name": {"Garage Dupont"}, "siren": {"732 829 320"}, "siret": {"73282932000074"}, "vat_number": {"fr 44 732829320"},
		"address_line1": {"3 avenue des Lilas"}, "postal_code": {"69003"}, "city": {"Lyon"}, "country": {"FR"},
		"billing_email": {"compta@garage-dupont.fr"}, "phone": {"04 72 00 00 00"}, "notes": {"Portail côté cour."},
	}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestClientCreate(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	if res := c.Get("/admin/clients/new"); res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Nouveau client") {
		t.Fatalf("new form: %d", res.StatusCode)
	}
	res := c.Post("/admin/clients", goodClient())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.Body)
	}
	cl := demoClient(t, app, "Garage Dupont")
	if got, want := res.Header.Get("Location"), "/admin/clients/"+cl.ID.String(); got != want {
		t.Errorf("redirect to %q, want %q", got, want)
	}
	if cl.SIREN != "732829320" || cl.VATNumber != "FR44732829320" || cl.City != "Lyon" || cl.Notes != "Portail côté cour." {
		t.Errorf("saved %+v", cl)
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'client.created' AND target_id = ?", cl.ID.String()); n != 1 {
		t.Errorf("client.created entries: %d", n)
	}
	page := c.Get(res.Header.Get("Location"))
	text := page.Text(t)
	for _, want := range []string{"Client « Garage Dupont » créé.", "Garage Dupont", "FR44732829320", "73282932000074", "3 avenue des Lilas", "69003 Lyon", "compta@garage-dupont.fr", "Portail côté cour.", "Contacts", "Inviter un contact"} {
		if !strings.Contains(text, want) {
			t.Errorf("client page lacks %q", want)
		}
	}

	before := count(t, app, "SELECT count(*) FROM clients")
	for _, tt := range []struct {
		name, field, value, message string
	}{
		{"bad SIREN", "siren", "732829321", "Ce SIREN n'est pas valable"},
		{"short SIREN", "siren", "7328", "Le SIREN compte exactement 9 chiffres."},
		{"missing name", "name", "  ", "Ce champ est obligatoire."},
		{"bad email", "billing_email", "compta@", "Saisissez une adresse e-mail valide"},
		{"bad VAT key", "vat_number", "FR45732829320", "La clé de ce numéro de TVA"},
		{"French postal code", "postal_code", "690", "Un code postal français compte 5 chiffres."},
		{"taken name", "name", "boulangerie martin", "Un client porte déjà ce nom."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := with(goodClient(), "name", "Autre client", tt.field, tt.value)
			res := c.Post("/admin/clients", form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := res.Doc(t)
			errText := doc.Find("#f-" + tt.field + "-error").Text()
			if !strings.Contains(errText, tt.message) {
				t.Errorf("error under %s = %q, want %q", tt.field, errText, tt.message)
			}
			if v, _ := doc.Find("#f-" + tt.field).Attr("aria-invalid"); v != "true" {
				t.Errorf("%s not marked invalid", tt.field)
			}
			// Every input comes back as typed.
			if v, _ := doc.Find("#f-city").Attr("value"); v != "Lyon" {
				t.Errorf("city kept as %q", v)
			}
			if v, _ := doc.Find("#f-" + tt.field).Attr("value"); v != tt.value {
				t.Errorf("%s kept as %q, want %q", tt.field, v, tt.value)
			}
			if got := doc.Find("#f-notes").Text(); got != "Portail côté cour." {
				t.Errorf("notes kept as %q", got)
			}
			if n := count(t, app, "SELECT count(*) FROM clients"); n != before {
				t.Errorf("%d clients, want %d: something was saved", n, before)
			}
		})
	}
	// Text with markup is stored as typed and shown inert.
	res = c.Post("/admin/clients", with(goodClient(), "name", `<script>alert(1)</script> SARL`, "siren", "", "siret", "", "vat_number", "", "notes", `<img src=x onerror=alert(1)>`))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create with markup: %d", res.StatusCode)
	}
	page = c.Get(res.Header.Get("Location"))
	if strings.Contains(page.Body, "<script>alert(1)") || strings.Contains(page.Body, "<img src=x") {
		t.Error("user text rendered as markup")
	}
	if !strings.Contains(page.Text(t), "<script>alert(1)</script> SARL") {
		t.Error("the name is not shown as text")
	}
}

func TestClientEditStale(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	cl := demoClient(t, app, "Boulangerie Martin")
	path := "/admin/clients/" + cl.ID.String()

	res := c.Get(path + "/edit")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("edit form: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	version, _ := doc.Find(`input[name="version"]`).Attr("value")
	if name, _ := doc.Find("#f-name").Attr("value"); name != "Boulangerie Martin" || version != "1" {
		t.Fatalf("edit form holds name %q version %q", name, version)
	}
	// The first tab saves.
	if res := c.Post(path, url.Values{"name": {"Boulangerie Martin"}, "city": {"Tours"}, "version": {version}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d\n%s", res.StatusCode, res.Body)
	}
	// The second tab, still at version 1, is refused with its input kept.
	res = c.Post(path, url.Values{"name": {"Boulangerie Martin & Fils"}, "city": {"Blois"}, "phone": {"02 47 00 00 00"}, "version": {version}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", res.StatusCode)
	}
	doc = res.Doc(t)
	if !strings.Contains(doc.Text(), "Quelqu'un a modifié ces informations entre-temps") {
		t.Error("no stale message")
	}
	for field, want := range map[string]string{"name": "Boulangerie Martin & Fils", "city": "Blois", "phone": "02 47 00 00 00"} {
		if v, _ := doc.Find("#f-" + field).Attr("value"); v != want {
			t.Errorf("%s after 409 = %q, want the input %q", field, v, want)
		}
	}
	if v, _ := doc.Find(`input[name="version"]`).Attr("value"); v != "2" {
		t.Errorf("version after 409 = %q, want the saved one, 2", v)
	}
	got := demoClient(t, app, "Boulangerie Martin")
	if got.City != "Tours" || got.Version != 2 {
		t.Errorf("after the stale save: city %q version %d", got.City, got.Version)
	}
	// Saving again from the 409 page overwrites knowingly.
	if res := c.Post(path, url.Values{"name": {"Boulangerie Martin & Fils"}, "city": {"Blois"}, "version": {"2"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save after 409: %d", res.StatusCode)
	}
	// An invalid edit keeps the version it was read at.
	res = c.Post(path, url.Values{"name": {"Boulangerie Martin & Fils"}, "siren": {"123"}, "version": {"3"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid edit: %d", res.StatusCode)
	}
	if v, _ := res.Doc(t).Find(`input[name="version"]`).Attr("value"); v != "3" {
		t.Errorf("version after 422 = %q, want 3", v)
	}
	var details string
	if err := app.DB.Bun.NewRaw("SELECT details::text FROM audit_log WHERE action = 'client.updated' ORDER BY at, id LIMIT 1").Scan(context.Background(), &details); err != nil {
		t.Fatal(err)
	}
	if details != `{"changed": ["city"]}` {
		t.Errorf("audit details %s", details)
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'client.updated'"); n != 2 {
		t.Errorf("client.updated entries: %d, want 2", n)
	}

	for _, p := range []string{"/admin/clients/" + uuid.Must(uuid.NewV7()).String(), "/admin/clients/not-a-uuid", "/admin/clients/not-a-uuid/edit"} {
		if res := c.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	if res := c.Post("/admin/clients/"+uuid.Must(uuid.NewV7()).String(), url.Values{"name": {"X"}, "version": {"1"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("save of a missing client: %d, want 404", res.StatusCode)
	}
}

func TestClientList(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		cl := &clients.Client{Name: fmt.Sprintf("Entreprise %02d", i), City: "Nantes"}
		if i == 7 {
			cl.City, cl.SIREN = "Quimper", "552100554"
		}
		if err := clients.Create(ctx, app.DB.Bun, cl, testutil.DefaultNow.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	c := app.LoginAs(t, testutil.Manager)
	names := func(res *testutil.Response) []string {
		var out []string
		res.Doc(t).Find("main tbody tr td:first-child a").Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Text()))
		})
		return out
	}
	res := c.Get("/admin/clients")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list: %d", res.StatusCode)
	}
	first := names(res)
	if len(first) != 25 || first[0] != "Boulangerie Martin" || first[1] != "Cabinet Durand Avocats" || first[2] != "Entreprise 00" {
		t.Fatalf("first page: %v", first)
	}
	if !strings.Contains(res.Text(t), "32 clients") {
		t.Error("no total")
	}
	doc := res.Doc(t)
	next, ok := doc.Find(`nav[aria-label="Pagination"] a:contains("Suivant")`).Attr("href")
	if !ok {
		t.Fatal("no next link")
	}
	if doc.Find(`nav[aria-label="Pagination"] a:contains("Première page")`).Length() != 0 {
		t.Error("first-page link on the first page")
	}
	res = c.Get(next)
	second := names(res)
	if len(second) != 7 || second[0] != "Entreprise 23" || second[6] != "Entreprise 29" {
		t.Errorf("second page: %v", second)
	}
	doc = res.Doc(t)
	if href, _ := doc.Find(`nav[aria-label="Pagination"] a:contains("Première page")`).Attr("href"); href != "/admin/clients" {
		t.Errorf("first-page link %q", href)
	}
	if doc.Find(`nav[aria-label="Pagination"] a:contains("Suivant")`).Length() != 0 {
		t.Error("next link on the last page")
	}

	// Newest first, with the sort kept in the pager and the header marked.
	res = c.Get("/admin/clients?sort=created&dir=desc")
	if got := names(res); got[0] != "Entreprise 29" {
		t.Errorf("newest first: %v", got[:3])
	}
	doc = res.Doc(t)
	if next, _ := doc.Find(`nav[aria-label="Pagination"] a:contains("Suivant")`).Attr("href"); !strings.Contains(next, "sort=created") {
		t.Errorf("next link loses the sort: %q", next)
	}
	if v, _ := doc.Find(`th[aria-sort]`).Attr("aria-sort"); v != "descending" {
		t.Errorf("aria-sort %q", v)
	}
	// The name header sorts Z to A when the list is already A to Z.
	if href, _ := c.Get("/admin/clients").Doc(t).Find(`th a[href*="dir=desc"]`).Attr("href"); href != "/admin/clients?dir=desc" {
		t.Errorf("name header link %q", href)
	}
	if got := names(c.Get("/admin/clients?dir=desc")); got[0] != "Entreprise 29" {
		t.Errorf("name desc: %v", got[:3])
	}

	// Search by name, city and SIREN, case-insensitive; the query stays in the form.
	for q, want := range map[string][]string{
		"entreprise 1": {"Entreprise 10", "Entreprise 11", "Entreprise 12", "Entreprise 13", "Entreprise 14", "Entreprise 15", "Entreprise 16", "Entreprise 17", "Entreprise 18", "Entreprise 19"},
		"QUIMPER":      {"Entreprise 07"},
		"552 100 554":  {"Entreprise 07"},
		"%":            nil,
	} {
		res := c.Get("/admin/clients?q=" + url.QueryEscape(q))
		if got := names(res); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("search %q: %v, want %v", q, got, want)
		}
		if v, _ := res.Doc(t).Find(`input[name="q"]`).Attr("value"); v != q {
			t.Errorf("search field holds %q, want %q", v, q)
		}
	}
	if !strings.Contains(c.Get("/admin/clients?q=zzz").Text(t), "Aucun client ne correspond à cette recherche.") {
		t.Error("no empty-search message")
	}
	if res := c.Get("/admin/clients?sort=bogus&dir=sideways&status=x&after=garbage"); res.StatusCode != http.StatusOK || len(names(res)) != 25 {
		t.Errorf("junk parameters: %d", res.StatusCode)
	}
}

func TestClientArchive(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	for _, name := range []string{"Boulangerie Martin", "Cabinet Durand Avocats"} {
		cl := demoClient(t, app, name)
		page := c.Get("/admin/clients/" + cl.ID.String()).Doc(t)
		confirm, _ := page.Find(`form[action$="/archive"] button`).Attr("data-confirm")
		if !strings.Contains(confirm, "Archiver le client « "+name+" »") {
			t.Errorf("archive button confirm %q", confirm)
		}
		res := c.Post("/admin/clients/"+cl.ID.String()+"/archive", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("archive: %d", res.StatusCode)
		}
		if !demoClient(t, app, name).Archived {
			t.Errorf("%s not archived", name)
		}
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'client.archived'"); n != 2 {
		t.Errorf("client.archived entries: %d", n)
	}
	// With every client archived, the list says what to do.
	if text := c.Get("/admin/clients").Text(t); !strings.Contains(text, "Aucun client. Créez votre premier client.") {
		t.Errorf("no empty state:\n%s", text)
	}
	res := c.Get("/admin/clients?status=archived")
	if text := res.Text(t); !strings.Contains(text, "Boulangerie Martin") || !strings.Contains(text, "Archivé") {
		t.Error("archived clients not listed under their filter")
	}
	cl := demoClient(t, app, "Boulangerie Martin")
	page := c.Get("/admin/clients/" + cl.ID.String())
	if page.Doc(t).Find(`form[action$="/contacts"]`).Length() != 0 {
		t.Error("invitation form on an archived client")
	}
	if res := c.Post("/admin/clients/"+cl.ID.String()+"/contacts", url.Values{"name": {"X"}, "email": {"x@x.fr"}, "role": {"member"}, "language": {"fr"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("invite on an archived client: %d, want 409", res.StatusCode)
	}
	// Archiving twice changes nothing and logs nothing more; unarchive brings it back.
	c.Post("/admin/clients/"+cl.ID.String()+"/archive", nil)
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'client.archived'"); n != 2 {
		t.Errorf("client.archived entries after a second archive: %d", n)
	}
	if res := c.Post("/admin/clients/"+cl.ID.String()+"/unarchive", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unarchive: %d", res.StatusCode)
	}
	if demoClient(t, app, "Boulangerie Martin").Archived {
		t.Error("still archived")
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'client.unarchived'"); n != 1 {
		t.Errorf("client.unarchived entries: %d", n)
	}
}

func TestContactInvite(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	cl := demoClient(t, app, "Cabinet Durand Avocats")
	path := "/admin/clients/" + cl.ID.String()
	res := c.Post(path+"/contacts", url.Values{
		"name": {"Claire Roux"}, "email": {" Claire.Roux@Cabinet.test "}, "role": {"member"}, "language": {"en"},
		"can_approve_and_pay": {"on"},
	})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("invite: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	u := user(t, app, "claire.roux@cabinet.test")
	if u.HasPassword() || !u.Active || u.Kind != accounts.Client || u.ClientID.UUID != cl.ID || u.Role != accounts.Member ||
		!u.CanApproveAndPay || u.Language != "en" {
		t.Errorf("invited user %+v", u)
	}
	if n := count(t, app, "SELECT count(*) FROM outbox_messages WHERE to_address = ?", u.Email); n != 1 {
		t.Errorf("%d invitation mails", n)
	}
	for _, action := range []string{"invite.sent", "user.created"} {
		if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = ? AND target_id = ? AND client_id = ?", action, u.ID.String(), cl.ID); n != 1 {
			t.Errorf("%s entries: %d", action, n)
		}
	}
	page := c.Get(path)
	row := page.Doc(t).Find(`tr:contains("claire.roux@cabinet.test")`)
	if !strings.Contains(row.Text(), "Invitation envoyée") || row.Find(`form[action$="/resend"]`).Length() != 1 {
		t.Errorf("invited contact's row: %q", row.Text())
	}
	if !strings.Contains(page.Text(t), "Invitation envoyée à claire.roux@cabinet.test.") {
		t.Error("no flash")
	}

	// Resend: a new link, the old one stops working.
	first := mailLink(t, app, u.Email)
	app.Clock.Advance(time.Second)
	if res := c.Post(path+"/contacts/"+u.ID.String()+"/resend", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resend: %d", res.StatusCode)
	}
	second := mailLink(t, app, u.Email)
	if first == second {
		t.Error("resend gave the same link")
	}
	if res := app.Client(t).Get(first); res.StatusCode != http.StatusNotFound {
		t.Errorf("first link after resend: %d, want 404", res.StatusCode)
	}
	// A contact who has a password gets no invitation.
	admin := user(t, app, testutil.CabinetUser)
	if res := c.Post(path+"/contacts/"+admin.ID.String()+"/resend", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("resend to a contact with a password: %d, want 409", res.StatusCode)
	}

	users := count(t, app, "SELECT count(*) FROM users")
	mails := count(t, app, "SELECT count(*) FROM outbox_messages")
	for _, tt := range []struct {
		name   string
		form   url.Values
		field  string
		msg    string
		status int
	}{
		{"taken email", url.Values{"name": {"Julie Bis"}, "email": {strings.ToUpper(testutil.BoulangerieUser)}, "role": {"member"}, "language": {"fr"}}, "email", "Cette adresse e-mail est déjà utilisée.", 422},
		{"bad email", url.Values{"name": {"Julie Bis"}, "email": {"julie@"}, "role": {"member"}, "language": {"fr"}}, "email", "Saisissez une adresse e-mail valide", 422},
		{"no name", url.Values{"name": {""}, "email": {"new@cabinet.test"}, "role": {"member"}, "language": {"fr"}}, "name", "Ce champ est obligatoire.", 422},
		{"staff role", url.Values{"name": {"X"}, "email": {"new@cabinet.test"}, "role": {"manager"}, "language": {"fr"}}, "role", "Choisissez un rôle de la liste.", 422},
		{"bad language", url.Values{"name": {"X"}, "email": {"new@cabinet.test"}, "role": {"member"}, "language": {"de"}}, "language", "Choisissez une langue de la liste.", 422},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Post(path+"/contacts", tt.form)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			doc := res.Doc(t)
			if got := doc.Find("#f-" + tt.field + "-error").Text(); !strings.Contains(got, tt.msg) {
				t.Errorf("error under %s: %q, want %q", tt.field, got, tt.msg)
			}
			if v, _ := doc.Find("#f-name").Attr("value"); v != tt.form.Get("name") {
				t.Errorf("name kept as %q", v)
			}
			if v, _ := doc.Find("#f-email").Attr("value"); v != tt.form.Get("email") {
				t.Errorf("email kept as %q", v)
			}
			// The rest of the client's page is there.
			if !strings.Contains(doc.Text(), "Identité et facturation") || !strings.Contains(doc.Text(), testutil.CabinetUser) {
				t.Error("the 422 page is not the client's page")
			}
			if n := count(t, app, "SELECT count(*) FROM users"); n != users {
				t.Errorf("%d users, want %d", n, users)
			}
			if n := count(t, app, "SELECT count(*) FROM outbox_messages"); n != mails {
				t.Errorf("%d mails, want %d", n, mails)
			}
		})
	}
}

func TestContactRoleChange(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	cl := demoClient(t, app, "Boulangerie Martin")
	u := user(t, app, testutil.BoulangerieUser)
	path := "/admin/clients/" + cl.ID.String() + "/contacts/" + u.ID.String()

	// The admin with the right becomes a member without it.
	res := c.Post(path, url.Values{"role": {"member"}, "version": {fmt.Sprint(u.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", res.StatusCode, res.Body)
	}
	got := user(t, app, testutil.BoulangerieUser)
	if got.Role != accounts.Member || got.CanApproveAndPay || got.MayApproveAndPay() {
		t.Errorf("after change: role %s right %v", got.Role, got.CanApproveAndPay)
	}
	var raw string
	if err := app.DB.Bun.NewRaw("SELECT details::text FROM audit_log WHERE action = 'user.role_changed' AND target_id = ? AND client_id = ?", u.ID.String(), cl.ID).
		Scan(context.Background(), &raw); err != nil {
		t.Fatal(err)
	}
	var details struct {
		Before, After struct {
			Role  string `json:"role"`
			Right bool   `json:"can_approve_and_pay"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &details); err != nil {
		t.Fatal(err)
	}
	if details.Before.Role != "admin" || !details.Before.Right || details.After.Role != "member" || details.After.Right {
		t.Errorf("audit details %s", raw)
	}
	// The page shows it, and the right alone can be given back.
	row := c.Get("/admin/clients/" + cl.ID.String()).Doc(t).Find(`tr:contains("` + testutil.BoulangerieUser + `")`)
	if sel, _ := row.Find(`select[name="role"] option[selected]`).Attr("value"); sel != "member" {
		t.Errorf("role shown %q", sel)
	}
	if !strings.Contains(row.Text(), "Consultation des devis et factures seulement.") {
		t.Errorf("right shown: %q", row.Text())
	}
	if res := c.Post(path, url.Values{"role": {"member"}, "can_approve_and_pay": {"on"}, "version": {fmt.Sprint(got.Version)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant: %d", res.StatusCode)
	}
	if !user(t, app, testutil.BoulangerieUser).CanApproveAndPay {
		t.Error("right not granted")
	}
	// A save from a page read before those changes is stale: 409, nothing written.
	res = c.Post(path, url.Values{"role": {"admin"}, "version": {fmt.Sprint(u.Version)}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "Quelqu'un a modifié ce contact entre-temps") {
		t.Errorf("stale change: %d", res.StatusCode)
	}
	if user(t, app, testutil.BoulangerieUser).Role != accounts.Member {
		t.Error("stale change written")
	}
	if res := c.Post(path, url.Values{"role": {"manager"}, "version": {"3"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("staff role: %d, want 422", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'user.role_changed'"); n != 2 {
		t.Errorf("role_changed entries: %d, want 2", n)
	}
}

func TestContactDeactivateEndsSessions(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	staff := app.LoginAs(t, testutil.Manager)
	cl := demoClient(t, app, "Boulangerie Martin")
	path := "/admin/clients/" + cl.ID.String()
	if res := staff.Post(path+"/contacts", url.Values{"name": {"Paul Martin"}, "email": {"paul@boulangerie.test"}, "role": {"member"}, "language": {"fr"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", res.StatusCode)
	}
	// Paul follows the link of the mail, chooses a password and logs in.
	link := mailLink(t, app, "paul@boulangerie.test")
	paul := app.Client(t)
	if res := paul.Get(link); res.StatusCode != http.StatusOK {
		t.Fatalf("invitation page: %d", res.StatusCode)
	}
	if res := paul.Post(link, url.Values{"password": {"pain au chocolat du matin"}, "password_confirm": {"pain au chocolat du matin"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set password: %d", res.StatusCode)
	}
	paul.Login("paul@boulangerie.test", "pain au chocolat du matin")
	if res := paul.Get("/portal"); res.StatusCode != http.StatusOK {
		t.Fatalf("portal: %d", res.StatusCode)
	}
	u := user(t, app, "paul@boulangerie.test")
	row := staff.Get(path).Doc(t).Find(`tr:contains("paul@boulangerie.test")`)
	if !strings.Contains(row.Text(), "Actif") || row.Find(`form[action$="/resend"]`).Length() != 0 {
		t.Errorf("active contact's row: %q", row.Text())
	}
	confirm, _ := row.Find(`form[action$="/deactivate"] button`).Attr("data-confirm")
	if !strings.Contains(confirm, "Paul Martin") {
		t.Errorf("deactivate confirm %q", confirm)
	}

	if res := staff.Post(path+"/contacts/"+u.ID.String()+"/deactivate", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.StatusCode)
	}
	if res := paul.Get("/portal"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("portal after deactivation: %d %s, want 303 to login", res.StatusCode, res.Header.Get("Location"))
	}
	if n := count(t, app, "SELECT count(*) FROM sessions WHERE user_id = ?", u.ID); n != 0 {
		t.Errorf("%d sessions left", n)
	}
	again := app.Client(t)
	again.Get("/login")
	if res := again.Post("/login", url.Values{"email": {"paul@boulangerie.test"}, "password": {"pain au chocolat du matin"}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("login while deactivated: %d, want 401", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'contact.deactivated' AND target_id = ?", u.ID.String()); n != 1 {
		t.Errorf("contact.deactivated entries: %d", n)
	}
	if !strings.Contains(staff.Get(path).Doc(t).Find(`tr:contains("paul@boulangerie.test")`).Text(), "Désactivé") {
		t.Error("row not shown deactivated")
	}

	if res := staff.Post(path+"/contacts/"+u.ID.String()+"/reactivate", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reactivate: %d", res.StatusCode)
	}
	app.Client(t).Login("paul@boulangerie.test", "pain au chocolat du matin")
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'contact.reactivated'"); n != 1 {
		t.Errorf("contact.reactivated entries: %d", n)
	}
}

func TestContactOfAnotherClient(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	c := app.LoginAs(t, testutil.Manager)
	cabinet := demoClient(t, app, "Cabinet Durand Avocats")
	julie := user(t, app, testutil.BoulangerieUser)
	base := "/admin/clients/" + cabinet.ID.String() + "/contacts/" + julie.ID.String()
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{base, url.Values{"role": {"member"}, "version": {fmt.Sprint(julie.Version)}}},
		{base + "/deactivate", nil},
		{base + "/reactivate", nil},
		{base + "/resend", nil},
		{"/admin/clients/" + cabinet.ID.String() + "/contacts/not-a-uuid/deactivate", nil},
		{"/admin/clients/" + uuid.Must(uuid.NewV7()).String() + "/contacts", url.Values{"name": {"X"}, "email": {"x@x.test"}, "role": {"member"}, "language": {"fr"}}},
	} {
		if res := c.Post(tt.path, tt.form); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", tt.path, res.StatusCode)
		}
	}
	if got := user(t, app, testutil.BoulangerieUser); got.Version != julie.Version || !got.Active || got.Role != accounts.Admin {
		t.Errorf("the other client's contact changed: %+v", got)
	}
	if n := count(t, app, "SELECT count(*) FROM users WHERE email = 'x@x.test'"); n != 0 {
		t.Error("a contact was created for a missing client")
	}
}

func TestClientsTechnician(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	tech := app.LoginAs(t, testutil.Technician)
	cl := demoClient(t, app, "Boulangerie Martin")
	julie := user(t, app, testutil.BoulangerieUser)
	path := "/admin/clients/" + cl.ID.String()

	res := tech.Get("/admin/clients")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), "Boulangerie Martin") {
		t.Fatalf("list: %d", res.StatusCode)
	}
	if res.Doc(t).Find(`a[href="/admin/clients/new"]`).Length() != 0 {
		t.Error("a technician is offered to create a client")
	}
	res = tech.Get(path)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Text(t), testutil.BoulangerieUser) {
		t.Fatalf("client page: %d", res.StatusCode)
	}
	if n := res.Doc(t).Find("main form").Length(); n != 0 {
		t.Errorf("%d forms on the client page for a technician", n)
	}
	if res := tech.Get(path + "/edit"); res.StatusCode != http.StatusForbidden {
		t.Errorf("edit form: %d, want 403", res.StatusCode)
	}
	if res := tech.Get("/admin/clients/new"); res.StatusCode != http.StatusForbidden {
		t.Errorf("new form: %d, want 403", res.StatusCode)
	}
	contact := path + "/contacts/" + julie.ID.String()
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{"/admin/clients", goodClient()},
		{path, with(goodClient(), "version", "1")},
		{path + "/archive", nil},
		{path + "/unarchive", nil},
		{path + "/contacts", url.Values{"name": {"X"}, "email": {"x@x.test"}, "role": {"member"}, "language": {"fr"}}},
		{contact, url.Values{"role": {"member"}, "version": {"1"}}},
		{contact + "/deactivate", nil},
		{contact + "/reactivate", nil},
		{contact + "/resend", nil},
	} {
		if res := tech.Post(tt.path, tt.form); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s: %d, want 403", tt.path, res.StatusCode)
		}
	}
	if n := count(t, app, "SELECT count(*) FROM clients"); n != 2 {
		t.Errorf("%d clients", n)
	}
	if got := user(t, app, testutil.BoulangerieUser); got.Version != julie.Version || !got.Active {
		t.Error("a technician changed a contact")
	}
	if demoClient(t, app, "Boulangerie Martin").Version != 1 {
		t.Error("a technician changed a client")
	}
	// Clients never reach the backoffice.
	if res := app.LoginAs(t, testutil.BoulangerieUser).Get("/admin/clients"); res.StatusCode != http.StatusForbidden {
		t.Errorf("client user on /admin/clients: %d, want 403", res.StatusCode)
	}
}

// TestClientPageListsContracts shows a client's contracts on its page, and no other client's.
func TestClientPageListsContracts(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	m := app.LoginAs(t, testutil.Manager)
	var id string
	if err := app.DB.Bun.NewRaw("SELECT id::text FROM clients WHERE name = 'Boulangerie Martin'").Scan(t.Context(), &id); err != nil {
		t.Fatal(err)
	}
	res := m.Get("/admin/clients/" + id)
	if res.StatusCode != 200 {
		t.Fatalf("client page: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	sec := doc.Find("#contracts-h").Parent().Parent()
	if got := sec.Find(`a[href^="/admin/contracts/0"]`).Length(); got != 1 {
		t.Errorf("%d contract links, want 1", got)
	}
	if text := sec.Text(); !strings.Contains(text, "C-2026-001") || strings.Contains(text, "C-2026-002") {
		t.Errorf("contracts section: %q", text)
	}
	if href, _ := sec.Find(`a[href^="/admin/contracts/new?client="]`).Attr("href"); href != "/admin/contracts/new?client="+id {
		t.Errorf("new contract link %q", href)
	}
}
