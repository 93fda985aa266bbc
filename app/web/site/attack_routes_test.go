package site_test

// The standing attack suite, route by route: it walks the route table, so a route mounted tomorrow is
// attacked tomorrow. SECURITY.md lists what it tries and the counts of the last run (make test prints
// them with -v as "attack:" log lines).

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"maintenant/app/testutil"
)

// stateTables are left out of the "nothing changed" snapshot: they move on every request (sessions,
// rate-limit counters, the audit of refused requests).
var stateTables = map[string]bool{"sessions": true, "auth_attempts": true, "audit_log": true}

// snapshot counts the rows of every application table, so a probe can show that nothing was written.
func snapshot(t *testing.T, app *testutil.App) map[string]int {
	t.Helper()
	ctx := context.Background()
	var tables []string
	if err := app.DB.Bun.NewRaw(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, name := range tables {
		if stateTables[name] || strings.HasPrefix(name, "river_") || strings.HasPrefix(name, "bun_") {
			continue
		}
		var n int
		if err := app.DB.Bun.NewRaw("SELECT count(*) FROM ?", bun.Ident(name)).Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

func diffSnapshots(before, after map[string]int) string {
	var d []string
	for k, v := range after {
		if before[k] != v {
			d = append(d, fmt.Sprintf("%s %d→%d", k, before[k], v))
		}
	}
	sort.Strings(d)
	return strings.Join(d, ", ")
}

// route is one registered route: its method and its path pattern.
type route struct{ method, pattern string }

func allRoutes(app *testutil.App, prefix string) []route {
	var out []route
	seen := map[string]bool{}
	for _, r := range app.App.GetRoutes(true) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			continue
		}
		if prefix != "" && r.Path != prefix && !strings.HasPrefix(r.Path, prefix+"/") {
			continue
		}
		if seen[r.Method+r.Path] || r.Path == "/" && r.Method == http.MethodGet && prefix == "" {
			continue
		}
		seen[r.Method+r.Path] = true
		out = append(out, route{r.Method, r.Path})
	}
	return out
}

// fill puts values into a route pattern's parameters: value(name of the segment before, param)
// returns the id, or "" to give up (the route is then skipped by the caller).
func fill(pattern string, value func(prev, param string) string) (string, bool) {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, ":"):
			name, suffix, _ := strings.Cut(p[1:], ".")
			if suffix != "" {
				suffix = "." + suffix
			}
			v := value(parts[i-1], strings.TrimSuffix(name, "?"))
			if v == "" {
				return "", false
			}
			parts[i] = v + suffix
		case p == "*":
			parts[i] = "x"
		}
	}
	return strings.Join(parts, "/"), true
}

func hasParams(pattern string) bool { return strings.Contains(pattern, ":") }

// sharedRecords are the portal paths whose parameter names something every client may see, not a
// client's record; TestAreaAccess still checks them for anonymous users and staff. A new route naming
// a client's record must get ids in clientRecords, or the cross-client test fails.
var sharedRecords = map[string]string{
	"policy": "the provider's maintenance policy: the same versions for every client",
}

// records are one client's ids by the path segment that names them in the portal.
type records map[string]string

// clientRecords picks, for one client, a record of every kind the portal names in a path: preferring
// a ticket with a visible attachment and an invoice with a payment attempt, so the nested routes can
// be filled with ids that belong together.
func clientRecords(t *testing.T, app *testutil.App, clientID string) records {
	t.Helper()
	ctx := context.Background()
	rec := records{}
	pair := func(key, subKey, query string) {
		rows, err := app.DB.Bun.QueryContext(ctx, query, clientID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if rows.Next() {
			var a, b *string
			if err := rows.Scan(&a, &b); err != nil {
				t.Fatal(err)
			}
			if a != nil {
				rec[key] = *a
			}
			if b != nil {
				rec[subKey] = *b
			}
		}
	}
	// The attachment is one this test uploaded (the demo's files live in the seed's own store).
	pair("tickets", "attachments", `SELECT t.id::text, a.id::text FROM tickets t
		LEFT JOIN ticket_attachments a ON a.ticket_id = t.id AND NOT a.internal AND a.filename = 'attaque.txt'
		WHERE t.client_id = ? ORDER BY (a.id IS NULL), t.status IN ('resolved', 'closed', 'cancelled'), t.id LIMIT 1`)
	pair("invoices", "checkout", `SELECT i.id::text, a.id::text FROM invoices i
		LEFT JOIN payment_attempts a ON a.invoice_id = i.id
		WHERE i.client_id = ? AND i.status <> 'draft' ORDER BY (a.id IS NULL), i.status NOT IN ('issued', 'partially_paid'), i.id LIMIT 1`)
	for key, q := range map[string]string{
		"contracts": `SELECT id::text FROM contracts WHERE client_id = ? AND status <> 'draft' ORDER BY id LIMIT 1`,
		"interventions": `SELECT id::text FROM interventions i WHERE client_id = ?
			ORDER BY EXISTS (SELECT 1 FROM signatures s WHERE s.intervention_id = i.id) DESC, id LIMIT 1`,
		"quotes":    `SELECT id::text FROM quotes WHERE client_id = ? AND status <> 'draft' ORDER BY id LIMIT 1`,
		"intakes":   `SELECT id::text FROM workshop_intakes WHERE client_id = ? ORDER BY id LIMIT 1`,
		"equipment": `SELECT id::text FROM equipment WHERE client_id = ? ORDER BY id LIMIT 1`,
	} {
		var v string
		_ = app.DB.Bun.NewRaw(q, clientID).Scan(ctx, &v)
		if v != "" {
			rec[key] = v
		}
	}
	return rec
}

func clientOf(t *testing.T, app *testutil.App, email string) string {
	t.Helper()
	var id string
	if err := app.DB.Bun.NewRaw("SELECT client_id::text FROM users WHERE email = ?", email).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// addAttachment gives the client's first ticket a visible attachment through the portal, as its user
// would, when the demo data has none.
func addAttachment(t *testing.T, app *testutil.App, c *testutil.Client, ticketID string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.CSRF)
	_ = w.WriteField("body", "Le journal de l'erreur")
	fw, _ := w.CreateFormFile("attachments", "attaque.txt")
	_, _ = fw.Write([]byte("erreur 42\n"))
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, "/portal/tickets/"+ticketID+"/messages", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if res := c.Do(req); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("attachment: %d %s", res.StatusCode, res.Body)
	}
}

// TestAttackCrossClient fills every portal route that names a record with the real ids of one client
// and sends it as the other client's user (404, nothing written), as staff (403) and anonymously (to
// the login page). The owner gets a page on the GET routes, so each 404 is about the tenant, not a
// wrong id. Every such route must be probed in at least one direction.
func TestAttackCrossClient(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	users := []string{testutil.BoulangerieUser, testutil.CabinetUser}
	clients := map[string]*testutil.Client{}
	recs := map[string]records{}
	for _, u := range users {
		clients[u] = app.LoginAs(t, u)
		clients[u].Get("/portal")
		recs[u] = clientRecords(t, app, clientOf(t, app, u))
	}
	// Each client gets a visible attachment and a payment attempt of its own, made as its user would.
	for _, u := range users {
		if tk := recs[u]["tickets"]; tk != "" {
			addAttachment(t, app, clients[u], tk)
		}
		if inv := recs[u]["invoices"]; inv != "" && recs[u]["checkout"] == "" {
			clients[u].Post("/portal/invoices/"+inv+"/pay", nil)
		}
		recs[u] = clientRecords(t, app, clientOf(t, app, u))
	}
	names := map[string]string{}
	for _, u := range users {
		var name string
		if err := app.DB.Bun.NewRaw("SELECT name FROM clients WHERE id = ?", clientOf(t, app, u)).Scan(context.Background(), &name); err != nil {
			t.Fatal(err)
		}
		names[u] = name
	}
	staff := app.LoginAs(t, testutil.Manager)
	anon := app.Client(t)
	anon.Get("/login")
	send := func(c *testutil.Client, method, path string) *testutil.Response {
		if method == http.MethodPost {
			return c.Post(path, url.Values{"body": {"intrusion"}, "reason": {"intrusion"}, "version": {"1"}, "name": {"X"}, "signature": {"data:image/png;base64,AA=="}})
		}
		return c.Get(path)
	}

	probed, probes := map[string]bool{}, 0
	var routes []route
	for _, r := range allRoutes(app, "/portal") {
		first, _, _ := strings.Cut(strings.TrimPrefix(r.pattern, "/portal/"), "/")
		if _, shared := sharedRecords[first]; hasParams(r.pattern) && !shared {
			routes = append(routes, r)
		}
	}
	if len(routes) < 10 {
		t.Fatalf("only %d portal routes name a record", len(routes))
	}
	before := snapshot(t, app)
	for i, owner := range users {
		attacker := users[1-i]
		for _, r := range routes {
			path, ok := fill(r.pattern, func(prev, _ string) string { return recs[owner][prev] })
			if !ok {
				continue
			}
			t.Run(owner+" "+r.method+" "+path, func(t *testing.T) {
				if r.method == http.MethodGet {
					if res := clients[owner].Get(path); res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
						t.Fatalf("the owner gets %d: the probe would prove nothing", res.StatusCode)
					}
				}
				res := send(clients[attacker], r.method, path)
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("other client's user: %d, want 404", res.StatusCode)
				}
				if strings.Contains(res.Body, names[owner]) {
					t.Errorf("the refusal page names the owner, %s", names[owner])
				}
				if res := send(staff, r.method, path); res.StatusCode != http.StatusForbidden {
					t.Errorf("staff: %d, want 403", res.StatusCode)
				}
				if res := send(anon, r.method, path); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
					t.Errorf("anonymous: %d %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
				}
				probed[r.method+" "+r.pattern] = true
				probes += 3
			})
		}
	}
	if d := diffSnapshots(before, snapshot(t, app)); d != "" {
		t.Errorf("the probes wrote: %s", d)
	}
	for _, r := range routes {
		if !probed[r.method+" "+r.pattern] {
			t.Errorf("%s %s: no record of either client to probe it with", r.method, r.pattern)
		}
	}
	t.Logf("attack: %d cross-client probes (other client, staff, anonymous) over %d routes", probes, len(probed))
}

// TestAttackCSRFAndMethods sends every state-changing route of the table without a CSRF token and
// with the token of another browser (403 both, nothing written), then with methods it does not take
// (never a success, never a 500).
func TestAttackCSRFAndMethods(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	manager := app.LoginAs(t, testutil.Manager)
	client := app.LoginAs(t, testutil.BoulangerieUser)
	anon := app.Client(t)
	anon.Get("/login")
	other := app.Client(t)
	other.Get("/login")
	foreign := other.CSRF
	if foreign == "" || foreign == anon.CSRF {
		t.Fatal("no second CSRF token to forge with")
	}
	who := func(path string) *testutil.Client {
		switch {
		case strings.HasPrefix(path, "/admin"):
			return manager
		case strings.HasPrefix(path, "/portal"):
			return client
		}
		return anon
	}
	getPaths := map[string]bool{}
	for _, r := range allRoutes(app, "") {
		if r.method == http.MethodGet {
			getPaths[r.pattern] = true
		}
	}
	before := snapshot(t, app)
	posts, tries := 0, 0
	for _, r := range allRoutes(app, "") {
		if r.method != http.MethodPost || strings.HasPrefix(r.pattern, "/webhooks/") {
			continue
		}
		path, _ := fill(r.pattern, func(string, string) string { return "0193a8f0-0000-7000-8000-000000000001" })
		posts++
		t.Run(path, func(t *testing.T) {
			c := who(path)
			form := url.Values{"email": {testutil.Manager}, "password": {"demo-password"}, "name": {"X"}, "version": {"1"}}
			if res := c.PostRaw(path, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("without a token: %d, want 403", res.StatusCode)
			}
			form.Set("_csrf", foreign)
			if res := c.PostRaw(path, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("with another browser's token: %d, want 403", res.StatusCode)
			}
			tries += 2
			for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodGet} {
				if m == http.MethodGet && getPaths[r.pattern] {
					continue
				}
				req := httptest.NewRequest(m, path, strings.NewReader(url.Values{"_csrf": {c.CSRF}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res := c.Do(req)
				if res.StatusCode < 400 || res.StatusCode >= 500 {
					t.Errorf("%s: %d, want a 4xx refusal", m, res.StatusCode)
				}
				tries++
			}
		})
	}
	if posts < 40 {
		t.Fatalf("only %d POST routes in the table", posts)
	}
	if d := diffSnapshots(before, snapshot(t, app)); d != "" {
		t.Errorf("refused requests wrote: %s", d)
	}
	t.Logf("attack: %d forged or wrong-method requests over %d state-changing routes", tries, posts)
}
