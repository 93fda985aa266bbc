package site_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"maintenant/app/testutil"
)

// routesUnder lists the GET and POST routes registered under prefix, with parameters filled in.
func routesUnder(app *testutil.App, prefix string) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	for _, r := range app.App.GetRoutes(true) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			continue
		}
		if r.Path != prefix && !strings.HasPrefix(r.Path, prefix+"/") {
			continue
		}
		parts := strings.Split(r.Path, "/")
		for i, p := range parts {
			switch {
			case strings.HasPrefix(p, ":"):
				parts[i] = "0193a8f0-0000-7000-8000-000000000001"
			case p == "*":
				parts[i] = "x"
			}
		}
		path := strings.Join(parts, "/")
		key := r.Method + " " + path
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, [2]string{r.Method, path})
	}
	return out
}

// TestAreaAccess walks the route table: every /portal and /admin route refuses anonymous users (to the
// login page) and the wrong kind of user (403). New routes are covered as soon as they are mounted.
func TestAreaAccess(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	portal, admin := routesUnder(app, "/portal"), routesUnder(app, "/admin")
	if len(portal) < 2 || len(admin) < 5 {
		t.Fatalf("route table looks empty: %d portal, %d admin routes", len(portal), len(admin))
	}
	anon := app.Client(t)
	client := app.LoginAs(t, testutil.BoulangerieUser)
	staff := app.LoginAs(t, testutil.Technician)

	send := func(c *testutil.Client, method, path string) *testutil.Response {
		if method == http.MethodPost {
			return c.Post(path, url.Values{})
		}
		return c.Get(path)
	}
	for _, r := range append(append([][2]string{}, portal...), admin...) {
		method, path := r[0], r[1]
		t.Run(method+" "+path, func(t *testing.T) {
			res := send(anon, method, path)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Errorf("anonymous: status %d location %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
			}
			wrong := staff
			if strings.HasPrefix(path, "/admin") {
				wrong = client
			}
			if res := send(wrong, method, path); res.StatusCode != http.StatusForbidden {
				t.Errorf("wrong kind of user: status %d, want 403", res.StatusCode)
			}
		})
	}
}

// TestManagerOnlyPages keeps technicians out of the settings and the audit log.
func TestManagerOnlyPages(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	tech := app.LoginAs(t, testutil.Technician)
	manager := app.LoginAs(t, testutil.Manager)
	for _, path := range []string{"/admin/settings", "/admin/audit"} {
		if res := tech.Get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("technician GET %s: %d, want 403", path, res.StatusCode)
		}
		if res := manager.Get(path); res.StatusCode != http.StatusOK {
			t.Errorf("manager GET %s: %d, want 200", path, res.StatusCode)
		}
	}
	if res := tech.Post("/admin/settings", url.Values{"name": {"X"}, "version": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("technician POST settings: %d, want 403", res.StatusCode)
	}
}

// TestDeniedAccessIsAudited records a client user trying the backoffice.
func TestDeniedAccessIsAudited(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	client := app.LoginAs(t, testutil.CabinetUser)
	client.Get("/admin/outbox")
	var n int
	if err := app.DB.Bun.NewRaw("SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND target_id = '/admin/outbox'").Scan(t.Context(), &n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d access.denied entries, want 1", n)
	}
}
