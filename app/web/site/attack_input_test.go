package site_test

// Hostile input: query parameters, path ids, compressed bodies and stored markup.

import (
	"bytes"
	"compress/gzip"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"maintenant/app/testutil"
)

// hostileValues are tried in every query parameter the handlers read and in every path id.
var hostileValues = []string{
	"'",
	`' OR '1'='1`,
	`1'; SELECT pg_sleep(20)--`,
	`'||pg_sleep(20)||'`,
	`) UNION SELECT password_hash, email FROM users--`,
	`%_\`,
	"-1",
	"0",
	"99999999999999999999999999",
	"2026-13-45",
	"../../../../etc/passwd",
	"nul\x00byte",
	"bad\xff\xfeutf8",
	"<script>alert(1)</script>",
	strings.Repeat("A", 400),
}

// queryParams are the names the handlers read with c.Query (sorted list of app/web at the time of
// writing; a name added later is still sent by its route's own tests).
var queryParams = []string{"action", "after", "archived", "assignee", "attempt", "back", "client", "contract",
	"date", "dir", "equipment", "from", "kind", "month", "next", "order", "overdue", "page", "priority", "q",
	"sla", "sort", "status", "tech", "ticket", "to", "v", "view", "who", "cursor", "limit"}

// leak says whether a page shows a database error.
func leak(body string) bool {
	for _, s := range []string{"SQLSTATE", "syntax error at", "bun: ", "invalid byte sequence", "unterminated quoted"} {
		if strings.Contains(body, s) {
			return true
		}
	}
	return false
}

// TestAttackQueryAndPathValues sends every GET route of the portal, the backoffice and the public
// pages, as the user meant for it, with each hostile value in every query parameter at once, and
// every route naming a record with each hostile value as the id: never a 500, never a database
// error shown, never the injected sleep.
func TestAttackQueryAndPathValues(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	manager := app.LoginAs(t, testutil.Manager)
	client := app.LoginAs(t, testutil.BoulangerieUser)
	anon := app.Client(t)
	who := func(path string) *testutil.Client {
		switch {
		case strings.HasPrefix(path, "/admin"):
			return manager
		case strings.HasPrefix(path, "/portal"):
			return client
		}
		return anon
	}
	before := snapshot(t, app)
	tries := 0
	var slowest time.Duration
	for _, r := range allRoutes(app, "") {
		if r.method != http.MethodGet || strings.HasPrefix(r.pattern, "/static") {
			continue
		}
		r := r
		t.Run(r.pattern, func(t *testing.T) {
			for _, v := range hostileValues {
				var target string
				if hasParams(r.pattern) {
					target, _ = fill(r.pattern, func(string, string) string { return url.PathEscape(v) })
				} else {
					q := url.Values{}
					for _, name := range queryParams {
						q.Set(name, v)
					}
					target = r.pattern + "?" + q.Encode()
				}
				start := time.Now()
				res := who(r.pattern).Do(httptest.NewRequest(http.MethodGet, target, nil))
				if d := time.Since(start); d > slowest {
					slowest = d
				}
				tries++
				if res.StatusCode >= 500 {
					t.Errorf("%q: status %d", v, res.StatusCode)
				}
				if leak(res.Body) {
					t.Errorf("%q: the page shows a database error", v)
				}
			}
		})
	}
	// An injected pg_sleep(20) that ran would have taken 20 s; the slowest request shows it did not.
	if slowest > 15*time.Second {
		t.Errorf("slowest request took %v: an injected sleep ran", slowest)
	}
	if d := diffSnapshots(before, snapshot(t, app)); d != "" {
		t.Errorf("GET requests wrote: %s", d)
	}
	t.Logf("attack: %d GET requests with hostile parameters or ids, slowest %v", tries, slowest.Round(time.Millisecond))
}

// TestAttackCompressedBodies sends compression bombs: a body marked gzip that inflates to 16 MiB,
// to the signed webhook and, as a multipart form, to the login page (whose CSRF check reads the
// form). The server does not inflate request bodies at all: 415, nothing allocated, nothing written.
func TestAttackCompressedBodies(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{AccountsOnly: true})
	anon := app.Client(t)
	anon.Get("/login")
	bomb := func(prefix []byte) []byte {
		var b bytes.Buffer
		z, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = z.Write(prefix)
		zero := make([]byte, 1<<20)
		for range 16 {
			_, _ = z.Write(zero)
		}
		_ = z.Close()
		return b.Bytes()
	}
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	_ = w.WriteField("_csrf", anon.CSRF)
	_ = w.WriteField("email", testutil.Manager)
	_ = w.Close()
	cases := []struct {
		name, path, contentType, encoding string
		body                              []byte
	}{
		{"webhook gzip", "/webhooks/stripe", "application/json", "gzip", bomb([]byte(`{"id":"evt_1","padding":"`))},
		{"webhook deflate then gzip", "/webhooks/stripe", "application/json", "deflate, gzip", bomb(nil)},
		{"login multipart gzip", "/login", w.FormDataContentType(), "gzip", bomb(form.Bytes())},
		{"login form br", "/login", "application/x-www-form-urlencoded", "br", []byte("\x1b\xff\xff\x0f")},
	}
	before := snapshot(t, app)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.body) > 1<<20 {
				t.Fatalf("the bomb is %d bytes: too large to pass the form limit", len(tc.body))
			}
			req := httptest.NewRequest(http.MethodPost, tc.path, bytes.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Content-Encoding", tc.encoding)
			req.Header.Set("Stripe-Signature", "t=1,v1=00")
			if res := anon.Do(req); res.StatusCode != http.StatusUnsupportedMediaType {
				t.Errorf("status %d, want 415", res.StatusCode)
			}
		})
	}
	// An identity encoding is no encoding.
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"_csrf": {anon.CSRF}, "email": {"x@y.test"}, "password": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Content-Encoding", "identity")
	if res := anon.Do(req); res.StatusCode == http.StatusUnsupportedMediaType || res.StatusCode >= 500 {
		t.Errorf("identity encoding: %d, want the login form's answer", res.StatusCode)
	}
	// Over the form limit without being a file upload: 413.
	big := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("email="+strings.Repeat("a", 2<<20)))
	big.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := anon.Do(big); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB form: %d, want 413", res.StatusCode)
	}
	if d := diffSnapshots(before, snapshot(t, app)); d != "" {
		t.Errorf("bombs wrote: %s", d)
	}
}

// xssMarker appears in every payload, so an element or attribute carrying it came from the input.
const xssMarker = "xss1337"

var xssPayloads = []string{
	`<script>alert('xss1337')</script>`,
	`"><img src=x onerror=alert('xss1337')>`,
	`'><svg/onload=alert('xss1337')>`,
	`<div hx-get="/admin/xss1337" hx-trigger="load">clic</div>`,
	`javascript:alert('xss1337')`,
	`<a href="javascript:alert('xss1337')">lien</a>`,
	`[clic](javascript:alert('xss1337'))`,
	`<iframe src="data:text/html,xss1337"></iframe>`,
}

// inert fails the test when the markup carries an element or attribute made of a payload: a script
// or iframe holding the marker, an event handler or htmx attribute holding it, or a link, source or
// form target that is a javascript: URL.
func inert(t *testing.T, where, html string) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		node := s.Get(0)
		switch node.Data {
		case "script", "iframe", "svg", "object", "embed":
			if h, _ := s.Html(); strings.Contains(h, xssMarker) || strings.Contains(s.AttrOr("src", ""), xssMarker) {
				t.Errorf("%s: a <%s> element made of the input", where, node.Data)
			}
		case "img":
			if s.AttrOr("src", "") == "x" {
				t.Errorf("%s: an <img> made of the input", where)
			}
		}
		for _, a := range node.Attr {
			name, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(name, "on") && strings.Contains(val, xssMarker):
				t.Errorf("%s: event handler %s=%q made of the input", where, a.Key, a.Val)
			case (strings.HasPrefix(name, "hx-") || strings.HasPrefix(name, "data-hx-")) && strings.Contains(val, xssMarker):
				t.Errorf("%s: htmx attribute %s=%q made of the input", where, a.Key, a.Val)
			case (name == "href" || name == "src" || name == "action" || name == "formaction") && strings.HasPrefix(strings.ReplaceAll(val, "\t", ""), "javascript:"):
				t.Errorf("%s: %s=%q runs script", where, a.Key, a.Val)
			}
		}
	})
}

// formDefaults reads a form's fields as the browser would send them untouched: inputs' values, the
// first real option of each select, the textareas' text.
func formDefaults(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	form := doc.Find(sel).First()
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		typ := s.AttrOr("type", "text")
		name := s.AttrOr("name", "")
		if typ == "radio" && !v.Has(name) && form.Find(`input[type="radio"][checked]`).FilterFunction(func(_ int, r *goquery.Selection) bool { return r.AttrOr("name", "") == name }).Length() == 0 {
			v.Set(name, s.AttrOr("value", ""))
			return
		}
		if typ == "file" || (typ == "checkbox" || typ == "radio") && !s.Is("[checked]") {
			return
		}
		v.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		s.Find("option").EachWithBreak(func(_ int, o *goquery.Selection) bool {
			if val := o.AttrOr("value", ""); val != "" {
				v.Set(s.AttrOr("name", ""), val)
				return false
			}
			return true
		})
	})
	form.Find("textarea[name]").Each(func(_ int, s *goquery.Selection) { v.Set(s.AttrOr("name", ""), s.Text()) })
	return v
}

// TestAttackStoredXSS has a client user write each payload into every text field of the portal a
// client can write (a ticket's title, description and contact, a message), and staff reply with the
// same payloads, then reads the result where it is shown: the portal ticket and list, the backoffice
// queue and ticket, the home pages, and the mails it caused (HTML part). Every payload stays text.
func TestAttackStoredXSS(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	client := app.LoginAs(t, testutil.BoulangerieUser)
	manager := app.LoginAs(t, testutil.Manager)
	payload := strings.Join(xssPayloads, " ")
	res := client.Get("/portal/tickets/new")
	form := formDefaults(res.Doc(t), `form[action="/portal/tickets"]`)
	if form.Get("title") == "" && !res.Doc(t).Find(`[name="title"]`).Is("*") {
		t.Fatal("no ticket form")
	}
	form.Set("title", payload[:min(len(payload), 150)])
	form.Set("description", payload)
	if form.Has("contact_phone") {
		form.Set("contact_phone", `"><img src=x onerror=alert('xss1337')>`)
	}
	form.Del("_csrf")
	res = client.Post("/portal/tickets", form)
	if res.StatusCode == http.StatusUnprocessableEntity {
		// The contact field may refuse the markup: keep the other fields.
		form.Set("contact_phone", "")
		res = client.Post("/portal/tickets", form)
	}
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ticket: %d %s", res.StatusCode, res.Doc(t).Find("[id$=-error]").Text())
	}
	ticket := res.Header.Get("Location")
	id := ticket[strings.LastIndex(ticket, "/")+1:]
	for _, p := range xssPayloads {
		if res := client.Post(ticket+"/messages", url.Values{"body": {p}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("message %q: %d", p, res.StatusCode)
		}
		// Staff's replies reach the client's browser and mailbox: the same payloads from that side.
		if res := manager.Post("/admin/tickets/"+id+"/messages", url.Values{"body": {p}, "internal": {"off"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("staff reply %q: %d", p, res.StatusCode)
		}
	}
	pages := 0
	for _, tc := range []struct {
		c    *testutil.Client
		path string
	}{
		{client, ticket}, {client, "/portal/tickets"}, {client, "/portal"},
		{manager, "/admin/tickets/" + id}, {manager, "/admin/tickets"}, {manager, "/admin"},
		{manager, "/admin/tickets?q=xss1337"},
	} {
		res := tc.c.Get(tc.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", tc.path, res.StatusCode)
			continue
		}
		if tc.path == ticket || strings.HasPrefix(tc.path, "/admin/tickets/") {
			if !strings.Contains(res.Text(t), `<script>alert('xss1337')</script>`) {
				t.Errorf("%s: the payload is not shown as text", tc.path)
			}
		}
		inert(t, tc.path, res.Body)
		pages++
	}
	var mails []string
	if err := app.DB.Bun.NewRaw("SELECT html_body FROM outbox_messages WHERE html_body LIKE ?", "%"+xssMarker+"%").Scan(context.Background(), &mails); err != nil {
		t.Fatal(err)
	}
	if len(mails) == 0 {
		t.Error("no mail carries the ticket's text: the mail check proves nothing")
	}
	for i, m := range mails {
		inert(t, "mail "+string(rune('1'+i)), m)
	}
	t.Logf("attack: %d XSS payloads in 4 client-written fields and staff replies, checked in %d pages and %d mails", len(xssPayloads), pages, len(mails))
}
