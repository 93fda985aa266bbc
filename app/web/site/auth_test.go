package site_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

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

func TestLoginSuccessPerKind(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	for _, tt := range []struct{ email, home string }{
		{testutil.BoulangerieUser, "/portal"},
		{testutil.Manager, "/admin"},
	} {
		c := app.Client(t)
		res := c.Login(tt.email, "demo-password")
		if got := res.Header.Get("Location"); got != tt.home {
			t.Errorf("%s lands on %q, want %q", tt.email, got, tt.home)
		}
		if res := c.Get(tt.home); res.StatusCode != http.StatusOK {
			t.Errorf("%s home: %d", tt.email, res.StatusCode)
		}
	}
	// The session cookie is HttpOnly and SameSite=Lax; not Secure over http.
	c := app.Client(t)
	res := c.Login(testutil.Manager, "demo-password")
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == "mt_session" {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
				t.Errorf("session cookie flags: HttpOnly=%v SameSite=%v Secure=%v", ck.HttpOnly, ck.SameSite, ck.Secure)
			}
		}
	}
	if !found {
		t.Error("no session cookie set at login")
	}
}

func TestLoginNextIsLocalOnly(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	tests := []struct{ next, want string }{
		{"/admin/outbox", "/admin/outbox"},
		{"//evil.example/admin", "/admin"},
		{"https://evil.example/", "/admin"},
		{"/portal", "/admin"},
	}
	for _, tt := range tests {
		c := app.Client(t)
		c.Get("/login")
		res := c.Post("/login", url.Values{"email": {testutil.Manager}, "password": {"demo-password"}, "next": {tt.next}})
		if got := res.Header.Get("Location"); got != tt.want {
			t.Errorf("next=%q: location %q, want %q", tt.next, got, tt.want)
		}
	}
}

func TestLoginBadInput(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	sessions := func() int { return count(t, app, "SELECT count(*) FROM sessions") }
	tests := []struct {
		name   string
		form   url.Values
		status int
		text   string
	}{
		{"wrong password", url.Values{"email": {testutil.Manager}, "password": {"wrong-password!"}}, http.StatusUnauthorized, "Adresse e-mail ou mot de passe incorrect."},
		{"unknown email", url.Values{"email": {"nobody@demo.test"}, "password": {"demo-password"}}, http.StatusUnauthorized, "Adresse e-mail ou mot de passe incorrect."},
		{"empty", url.Values{"email": {""}, "password": {""}}, http.StatusUnprocessableEntity, "Ce champ est obligatoire."},
		{"huge email", url.Values{"email": {strings.Repeat("a", 300) + "@x.fr"}, "password": {"x"}}, http.StatusUnprocessableEntity, "Saisissez une adresse e-mail valide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := app.Client(t)
			res := c.Post("/login", tt.form)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if !strings.Contains(res.Body, tt.text) {
				t.Errorf("body lacks %q", tt.text)
			}
			if v, _ := res.Doc(t).Find(`input[name="email"]`).Attr("value"); v != tt.form.Get("email") && tt.name != "huge email" {
				t.Errorf("email field = %q, want the input kept", v)
			}
			if n := sessions(); n != 0 {
				t.Errorf("%d sessions after a failed login", n)
			}
		})
	}
}

func TestLoginWithoutCSRF(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	c.Get("/login")
	res := c.PostRaw("/login", url.Values{"email": {testutil.Manager}, "password": {"demo-password"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", res.StatusCode)
	}
	if !strings.Contains(res.Body, "Le formulaire a expiré") {
		t.Error("no CSRF explanation in the page")
	}
	res = c.PostRaw("/login", url.Values{"_csrf": {"forged"}, "email": {testutil.Manager}, "password": {"demo-password"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token: status %d, want 403", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM sessions"); n != 0 {
		t.Errorf("%d sessions", n)
	}
}

func TestLoginRateLimit(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	for i := 0; i < 5; i++ {
		if res := c.Post("/login", url.Values{"email": {testutil.Manager}, "password": {"bad-password-" + string(rune('a'+i))}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	// Even the right password is refused now, with the same generic page.
	res := c.Post("/login", url.Values{"email": {testutil.Manager}, "password": {"demo-password"}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures: %d, want 429", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'login.rate_limited'"); n != 1 {
		t.Errorf("%d rate-limit audit entries, want 1", n)
	}
	// Another account from the same address still works; the window passes.
	c.Login(testutil.Technician, "demo-password")
	app.Clock.Advance(16 * time.Minute)
	app.Client(t).Login(testutil.Manager, "demo-password")
}

func TestLoginAudit(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	app.Client(t).Post("/login", url.Values{"email": {testutil.Manager}, "password": {"nope-nope-nope"}})
	app.LoginAs(t, testutil.Manager)
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'login.failed' AND ip <> ''"); n != 1 {
		t.Errorf("login.failed entries: %d", n)
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action = 'login.ok' AND actor_label = ?", testutil.Manager); n != 1 {
		t.Errorf("login.ok entries: %d", n)
	}
	if _, err := app.DB.Bun.ExecContext(context.Background(), "DELETE FROM audit_log"); err == nil {
		t.Error("the audit log accepted a DELETE")
	}
	if _, err := app.DB.Bun.ExecContext(context.Background(), "UPDATE audit_log SET action = 'x'"); err == nil {
		t.Error("the audit log accepted an UPDATE")
	}
}

func TestLogoutEndsSession(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.BoulangerieUser)
	res := c.Post("/logout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.Get("/portal"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("portal after logout: %d, want 303 to login", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM sessions"); n != 0 {
		t.Errorf("%d sessions left", n)
	}
}

func TestSessionIdleTimeouts(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	staff := app.LoginAs(t, testutil.Manager)
	client := app.LoginAs(t, testutil.BoulangerieUser)
	app.Clock.Advance(29 * time.Minute)
	if res := staff.Get("/admin"); res.StatusCode != http.StatusOK {
		t.Fatalf("staff after 29 min: %d", res.StatusCode)
	}
	app.Clock.Advance(31 * time.Minute) // 31 min idle since the last request
	if res := staff.Get("/admin"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("staff idle 31 min: %d, want 303", res.StatusCode)
	}
	if res := client.Get("/portal"); res.StatusCode != http.StatusOK {
		t.Errorf("client idle 1 h: %d, want 200", res.StatusCode)
	}
	app.Clock.Advance(8*time.Hour + time.Minute)
	if res := client.Get("/portal"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("client idle 8 h: %d, want 303", res.StatusCode)
	}
}

func TestSessionFixation(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	c.Get("/login")
	// A planted session cookie is ignored and replaced at login.
	req := httptest.NewRequest(http.MethodGet, "/portal", nil)
	req.AddCookie(&http.Cookie{Name: "mt_session", Value: "attacker-chosen-value"})
	if res := c.Do(req); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("planted cookie: %d", res.StatusCode)
	}
	res := c.Login(testutil.BoulangerieUser, "demo-password")
	for _, ck := range res.Cookies() {
		if ck.Name == "mt_session" && ck.Value == "attacker-chosen-value" {
			t.Error("session id kept across login")
		}
	}
}

var linkRe = regexp.MustCompile(`http://maintenant\.test(/(?:password/reset|invite)/[A-Za-z0-9_-]+)`)

func mailLink(t *testing.T, app *testutil.App, to string) string {
	t.Helper()
	var body string
	if err := app.DB.Bun.NewRaw("SELECT text_body FROM outbox_messages WHERE to_address = ? ORDER BY created_at DESC, id DESC LIMIT 1", to).Scan(context.Background(), &body); err != nil {
		t.Fatalf("no mail to %s: %v", to, err)
	}
	m := linkRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link in mail:\n%s", body)
	}
	return m[1]
}

func TestPasswordReset(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	c.Get("/password/forgot")
	// A forged Host header must not leak into the link: links come from BASE_URL.
	form := url.Values{"email": {testutil.CabinetUser}, "_csrf": {c.CSRF}}
	req := httptest.NewRequest(http.MethodPost, "/password/forgot", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Host", "evil.example")
	res := c.Do(req)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Si un compte existe") {
		t.Fatalf("forgot: %d", res.StatusCode)
	}
	// Unknown addresses get the same answer and no mail.
	if res := c.Post("/password/forgot", url.Values{"email": {"nobody@demo.test"}}); !strings.Contains(res.Body, "Si un compte existe") {
		t.Error("unknown email answered differently")
	}
	if n := count(t, app, "SELECT count(*) FROM outbox_messages"); n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}
	link := mailLink(t, app, testutil.CabinetUser)

	if res := c.Get(link); res.StatusCode != http.StatusOK {
		t.Fatalf("reset form: %d", res.StatusCode)
	}
	// A session of the user elsewhere ends with the reset.
	other := app.LoginAs(t, testutil.CabinetUser)
	if res := c.Post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "au moins 12 caractères") {
		t.Fatalf("short password: %d", res.StatusCode)
	}
	if res := c.Post(link, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"another passphrase"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "ne sont pas identiques") {
		t.Fatalf("mismatch: %d", res.StatusCode)
	}
	if res := c.Post(link, url.Values{"password": {"a brand new passphrase"}, "password_confirm": {"a brand new passphrase"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", res.StatusCode, res.Body)
	}
	if res := other.Get("/portal"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("old session still works after reset: %d", res.StatusCode)
	}
	app.Client(t).Login(testutil.CabinetUser, "a brand new passphrase")
	// The link works once.
	if res := c.Get(link); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Text(t), "n'est plus valable") {
		t.Errorf("reused link: %d", res.StatusCode)
	}
	if res := c.Post(link, url.Values{"password": {"yet another passphrase"}, "password_confirm": {"yet another passphrase"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("reused link POST: %d", res.StatusCode)
	}
}

func TestPasswordResetLinkExpiresAndIsReplaced(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	c.Post("/password/forgot", url.Values{"email": {testutil.Manager}})
	first := mailLink(t, app, testutil.Manager)
	app.Clock.Advance(time.Second)
	c.Post("/password/forgot", url.Values{"email": {testutil.Manager}})
	second := mailLink(t, app, testutil.Manager)
	if first == second {
		t.Fatal("same link twice")
	}
	if res := c.Get(first); res.StatusCode != http.StatusNotFound {
		t.Errorf("older link after a newer one: %d, want 404", res.StatusCode)
	}
	if res := c.Get(second); res.StatusCode != http.StatusOK {
		t.Errorf("newer link: %d", res.StatusCode)
	}
	app.Clock.Advance(61 * time.Minute)
	if res := c.Get(second); res.StatusCode != http.StatusNotFound {
		t.Errorf("link after 61 min: %d, want 404", res.StatusCode)
	}
	if res := c.Get("/password/reset/not-a-token"); res.StatusCode != http.StatusNotFound {
		t.Errorf("made-up token: %d", res.StatusCode)
	}
}

func TestPasswordResetRateLimit(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	for i := 0; i < 3; i++ {
		c.Post("/password/forgot", url.Values{"email": {testutil.Manager}})
	}
	res := c.Post("/password/forgot", url.Values{"email": {testutil.Manager}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("4th request in an hour: %d, want 429", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM outbox_messages"); n != 3 {
		t.Errorf("%d mails, want 3", n)
	}
	if res := c.Post("/password/forgot", url.Values{"email": {"not an email"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("malformed email: %d, want 422", res.StatusCode)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	here := app.LoginAs(t, testutil.BoulangerieUser)
	there := app.LoginAs(t, testutil.BoulangerieUser)
	res := here.Post("/portal/account/password", url.Values{"current_password": {"wrong"}, "password": {"short"}, "password_confirm": {"x"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad change: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	for _, f := range []string{"current_password", "password", "password_confirm"} {
		if doc.Find("#f-"+f+"-error").Length() != 1 {
			t.Errorf("no error shown for %s", f)
		}
	}
	res = here.Post("/portal/account/password", url.Values{"current_password": {"demo-password"}, "password": {"my new long passphrase"}, "password_confirm": {"my new long passphrase"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/account" {
		t.Fatalf("change: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := here.Get("/portal/account"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Mot de passe changé") {
		t.Errorf("this session after change: %d", res.StatusCode)
	}
	if res := there.Get("/portal"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("other session after change: %d, want 303", res.StatusCode)
	}
}

func TestInvitation(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	// Invite a new contact of the Boulangerie.
	var clientID string
	if err := app.DB.Bun.NewRaw("SELECT id::text FROM clients WHERE name = 'Boulangerie Martin'").Scan(context.Background(), &clientID); err != nil {
		t.Fatal(err)
	}
	invite(t, app, clientID, "nouveau@boulangerie.demo.test")
	link := mailLink(t, app, "nouveau@boulangerie.demo.test")
	c := app.Client(t)
	if res := c.Get(link); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "nouveau@boulangerie.demo.test") {
		t.Fatalf("invite page: %d", res.StatusCode)
	}
	// Not usable to log in before the password is set.
	if res := app.Client(t).Post("/login", url.Values{"email": {"nouveau@boulangerie.demo.test"}, "password": {""}}); res.StatusCode == http.StatusSeeOther {
		t.Fatal("invited user logged in without a password")
	}
	if res := c.Post(link, url.Values{"password": {"bread and butter 2026"}, "password_confirm": {"bread and butter 2026"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	c.Login("nouveau@boulangerie.demo.test", "bread and butter 2026")
	if res := c.Get("/portal"); !strings.Contains(res.Body, "Boulangerie Martin") {
		t.Error("invited user does not see their company")
	}
	if res := c.Get(link); res.StatusCode != http.StatusNotFound {
		t.Errorf("used invitation: %d", res.StatusCode)
	}
	if n := count(t, app, "SELECT count(*) FROM audit_log WHERE action IN ('invite.sent', 'invite.accepted')"); n != 2 {
		t.Errorf("%d invitation audit entries, want 2", n)
	}
}

func TestTOTP(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.LoginAs(t, testutil.Technician)
	res := c.Get("/admin/account")
	secret, ok := res.Doc(t).Find(`input[name="totp_secret"]`).Attr("value")
	if !ok || secret == "" {
		t.Fatal("no TOTP secret offered")
	}
	if res := c.Post("/admin/account/totp", url.Values{"totp_secret": {secret}, "code": {"000000"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: %d", res.StatusCode)
	}
	code, _ := totp.GenerateCode(secret, app.Clock.Now())
	if res := c.Post("/admin/account/totp", url.Values{"totp_secret": {secret}, "code": {code}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	// The next login asks for the code before anything else.
	d := app.Client(t)
	if res := d.Login(testutil.Technician, "demo-password"); res.Header.Get("Location") != "/login/totp" {
		t.Fatalf("login with TOTP lands on %q", res.Header.Get("Location"))
	}
	if res := d.Get("/admin"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login/totp" {
		t.Errorf("admin before the code: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := d.Post("/login/totp", url.Values{"code": {"123456"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("wrong code: %d", res.StatusCode)
	}
	code, _ = totp.GenerateCode(secret, app.Clock.Now())
	if res := d.Post("/login/totp", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
		t.Fatalf("right code: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := d.Get("/admin"); res.StatusCode != http.StatusOK {
		t.Errorf("admin after the code: %d", res.StatusCode)
	}
}

// withBilling adds the billing part of the settings form as the page sends it (its defaults).
func withBilling(v url.Values) url.Values {
	for k, d := range map[string]string{"default_vat_bp": "2000", "late_penalty_bp": "12,15", "internal_hourly_cost": "45",
		"invoice_reminder_days": "3, 15, 30"} {
		if v.Get(k) == "" {
			v.Set(k, d)
		}
	}
	return v
}

func TestManagerRequiresTOTP(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	m := app.LoginAs(t, testutil.Manager)
	res := m.Get("/admin/settings")
	version, _ := res.Doc(t).Find(`input[name="version"]`).Attr("value")
	if res := m.Post("/admin/settings", withBilling(url.Values{"name": {"AsevoDigital"}, "require_staff_totp": {"on"}, "reminder_lead_days": {"90, 30, 7"}, "version": {version}})); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	tech := app.LoginAs(t, testutil.Technician)
	if res := tech.Get("/admin"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/account" {
		t.Errorf("technician without TOTP: %d %s, want 303 to /admin/account", res.StatusCode, res.Header.Get("Location"))
	}
	if res := tech.Get("/admin/account"); res.StatusCode != http.StatusOK {
		t.Errorf("account page: %d", res.StatusCode)
	}
}

func TestSettingsConflictAndValidation(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	m := app.LoginAs(t, testutil.Manager)
	res := m.Get("/admin/settings")
	version, _ := res.Doc(t).Find(`input[name="version"]`).Attr("value")
	bad := url.Values{"name": {"  "}, "siren": {"732829321"}, "vat_number": {"FR45732829320"}, "postal_code": {"6900"},
		"email": {"not-an-email"}, "phone": {"call me"}, "reminder_lead_days": {"90, soon"}, "version": {version}}
	res = m.Post("/admin/settings", bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad settings: %d, want 422", res.StatusCode)
	}
	doc := res.Doc(t)
	for _, f := range []string{"name", "siren", "vat_number", "postal_code", "email", "phone", "reminder_lead_days"} {
		if doc.Find("#f-"+f+"-error").Length() != 1 {
			t.Errorf("no error shown for %s", f)
		}
	}
	if v, _ := doc.Find(`input[name="reminder_lead_days"]`).Attr("value"); v != "90, soon" {
		t.Errorf("lead days input not kept: %q", v)
	}
	good := withBilling(url.Values{"name": {"Asevo A"}, "siren": {"732 829 320"}, "vat_number": {"fr 44 732829320"}, "postal_code": {"69003"},
		"reminder_lead_days": {"7,90 30"}, "version": {version}})
	if res := m.Post("/admin/settings", good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.StatusCode)
	}
	// A second tab still holds the old version.
	res = m.Post("/admin/settings", withBilling(url.Values{"name": {"Asevo B"}, "reminder_lead_days": {"30"}, "version": {version}}))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Text(t), "Quelqu'un a modifié") {
		t.Fatalf("stale save: %d, want 409", res.StatusCode)
	}
	if v, _ := res.Doc(t).Find(`input[name="name"]`).Attr("value"); v != "Asevo B" {
		t.Errorf("409 form lost the input: %q", v)
	}
	var name, siren, vat, days string
	_ = app.DB.Bun.NewRaw("SELECT name, siren, vat_number, reminder_lead_days::text FROM organisation").Scan(context.Background(), &name, &siren, &vat, &days)
	if name != "Asevo A" || siren != "732829320" || vat != "FR44732829320" || days != "{90,30,7}" {
		t.Errorf("saved %q %q %q %q, want the first save kept, normalised", name, siren, vat, days)
	}
}

func TestLanguage(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	req := httptest.NewRequest(http.MethodGet, "/login", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	if res := c.Do(req); !strings.Contains(res.Body, "Forgot your password?") || !strings.Contains(res.Body, `lang="en"`) {
		t.Error("Accept-Language en did not give English")
	}
	if res := c.Get("/login"); !strings.Contains(res.Body, "Mot de passe oublié") {
		t.Error("default is not French")
	}
	res := c.Post("/language", url.Values{"lang": {"en"}, "next": {"/login"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.Get("/login"); !strings.Contains(res.Body, "Log in") {
		t.Error("switch to English did not stick")
	}
	if res := c.Post("/language", url.Values{"lang": {"de"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown language: %d", res.StatusCode)
	}
	if res := c.Post("/language", url.Values{"lang": {"fr"}, "next": {"https://evil.example"}}); res.Header.Get("Location") != "/" {
		t.Errorf("open redirect: %s", res.Header.Get("Location"))
	}
	// A logged-in user's choice is saved to the account.
	m := app.LoginAs(t, testutil.Manager)
	m.Post("/language", url.Values{"lang": {"en"}, "next": {"/admin"}})
	if res := m.Get("/admin"); !strings.Contains(res.Body, "Dashboard") {
		t.Error("admin not in English after switch")
	}
	if n := count(t, app, "SELECT count(*) FROM users WHERE email = ? AND language = 'en'", testutil.Manager); n != 1 {
		t.Error("language not saved on the account")
	}
}

func TestErrorsAndHeaders(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	res := c.Get("/no/such/page")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Text(t), "Cette page n'existe pas") {
		t.Errorf("404: %d", res.StatusCode)
	}
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over http")
	}
	m := app.LoginAs(t, testutil.Manager)
	if res := m.Get("/admin/outbox/not-a-uuid"); res.StatusCode != http.StatusNotFound {
		t.Errorf("malformed id: %d", res.StatusCode)
	}
	if res := m.Get("/admin/outbox/0193a8f0-0000-7000-8000-000000000001"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown id: %d", res.StatusCode)
	}
	// An oversized body is refused before any handler runs (over a real connection: the limit is
	// enforced by the HTTP server itself).
	base := app.Listen(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n--x", 25<<20)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if res, err := http.ReadResponse(bufio.NewReader(conn), nil); err != nil {
		t.Errorf("oversized body: %v", err)
	} else if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d, want 413", res.StatusCode)
	}
	// A form that is not an upload is bounded much lower.
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("email="+strings.Repeat("a", 2<<20)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := c.Do(req); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB form: %d, want 413", res.StatusCode)
	}
	if res := c.Get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("healthz: %d", res.StatusCode)
	}
	if res := c.Get("/readyz"); res.StatusCode != http.StatusOK || res.Body != "ready" {
		t.Errorf("readyz: %d %q", res.StatusCode, res.Body)
	}
}

func TestProductionCookies(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{Env: map[string]string{
		"APP_ENV": "prod", "BASE_URL": "https://maintenant.example.fr", "DATABASE_URL": "postgres://unused",
	}})
	c := app.Client(t)
	res := c.Get("/login")
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS in prod")
	}
	res = c.Post("/login", url.Values{"email": {testutil.Manager}, "password": {"demo-password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	var ok bool
	for _, ck := range res.Cookies() {
		if ck.Name == "__Host-mt_session" {
			ok = ck.Secure && ck.HttpOnly && ck.SameSite == http.SameSiteLaxMode && ck.Path == "/" && ck.Domain == ""
		}
	}
	if !ok {
		t.Errorf("prod session cookie missing or without Secure/HttpOnly/SameSite: %v", res.Cookies())
	}
}

func TestStaticAssetsAreVersioned(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	doc := c.Get("/login").Doc(t)
	href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	if !strings.Contains(href, "?v=") {
		t.Fatalf("stylesheet URL %q has no content hash", href)
	}
	res := c.Get(href)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("versioned asset: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res := c.Get("/static/css/app.css?v=stale"); strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Error("a stale version is cached for a year")
	}
	if res := c.Get("/static/../go.mod"); res.StatusCode != http.StatusNotFound {
		t.Errorf("path traversal: %d", res.StatusCode)
	}
	// Text goes compressed to the clients that accept it, and as is to the others.
	for _, path := range []string{href, "/login"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res := c.Do(req)
		if got := res.Header.Get("Content-Encoding"); got != "gzip" {
			t.Errorf("%s with Accept-Encoding gzip: Content-Encoding %q", path, got)
			continue
		}
		zr, err := gzip.NewReader(strings.NewReader(res.Body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || len(plain) <= len(res.Body) {
			t.Errorf("%s: %d bytes compressed into %d (%v)", path, len(plain), len(res.Body), err)
		}
	}
	if res := c.Get("/login"); res.Header.Get("Content-Encoding") != "" || !strings.Contains(res.Body, "<html") {
		t.Errorf("without Accept-Encoding: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}

// TestRateLimitIgnoresForgedForwardedFor keeps the per-address limit when an attacker rotates
// X-Forwarded-For without being a trusted proxy.
func TestRateLimitIgnoresForgedForwardedFor(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	c.Get("/login")
	var last int
	for i := 0; i < 31; i++ {
		form := url.Values{"email": {fmt.Sprintf("nobody%d@demo.test", i)}, "password": {"wrong-password"}, "_csrf": {c.CSRF}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		last = c.Do(req).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("31st attempt from one address with rotating X-Forwarded-For: %d, want 429", last)
	}
	if n := count(t, app, "SELECT count(DISTINCT ip) FROM audit_log WHERE action = 'login.failed'"); n != 1 {
		t.Errorf("failures recorded from %d addresses, want 1 (the connection's)", n)
	}
}

// TestMalformedForm answers a body that is not a proper form with the login form again and a message
// (401 when it still carries an email and a password, 422 when it does not), never a 500.
func TestMalformedForm(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	c := app.Client(t)
	c.Get("/login")
	for name, body := range map[string]string{
		"bad escape":   "email=%ZZ&password=%",
		"json":         `{"email": "manager@demo.test"}`,
		"binary":       "\x00\x01\x02\xff",
		"repeated key": "email=a@b.fr&email=c@d.fr&password=",
	} {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Csrf-Token", c.CSRF)
		res := c.Do(req)
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 422 or 401", name, res.StatusCode)
		}
		if res.Doc(t).Find(`form[action="/login"] input[name="email"]`).Length() != 1 {
			t.Errorf("%s: the login form is not shown again", name)
		}
	}
	if n := count(t, app, "SELECT count(*) FROM sessions"); n != 0 {
		t.Errorf("%d sessions", n)
	}
}
