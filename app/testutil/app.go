package testutil

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"maintenant/app/config"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/mail"
	"maintenant/app/seed"
	"maintenant/app/storage"
	"maintenant/app/web"
	"maintenant/app/web/site"
)

// Clock is a settable time source for tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// App is the whole application on a test database.
type App struct {
	*web.Server
	DB    *database.DB
	Clock *Clock
}

// Options tweak the test application.
type Options struct {
	// Env overrides configuration variables (for instance APP_ENV=prod).
	Env map[string]string
	// NoSeed leaves the database empty instead of writing the demo data.
	NoSeed bool
	// AccountsOnly writes only the demo people and companies (seed.Accounts): no identities, SLA
	// policies or contracts, for tests that build those themselves.
	AccountsOnly bool
	// Clock is the test clock; default 2026-11-22 10:00 Paris.
	Clock *Clock
}

// DefaultNow is the time tests run at unless they say otherwise.
var DefaultNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// NewApp builds the application on this package's test database, with the demo data.
func NewApp(t testing.TB, opt Options) *App {
	t.Helper()
	db := DB(t)
	env := map[string]string{
		"SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
		"BASE_URL":   "http://maintenant.test",
	}
	for k, v := range opt.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("testutil: config: %v", err)
	}
	clock := opt.Clock
	if clock == nil {
		clock = NewClock(DefaultNow)
	}
	files := &storage.Local{Dir: t.TempDir()}
	switch {
	case opt.NoSeed:
	case opt.AccountsOnly:
		if err := seed.Accounts(context.Background(), db, clock.Now()); err != nil {
			t.Fatalf("testutil: seed: %v", err)
		}
	default:
		if err := seedDemo(context.Background(), db, clock.Now(), files); err != nil {
			t.Fatalf("testutil: seed: %v", err)
		}
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := site.New(web.Deps{
		Config: cfg, DB: db, Catalogue: cat, Outbox: &mail.Outbox{}, Now: clock.Now,
		Files:  files,
		Logger: testLogger(),
	})
	if err != nil {
		t.Fatalf("testutil: site: %v", err)
	}
	return &App{Server: s, DB: db, Clock: clock}
}

// Listen serves the application on a loopback port until the test ends and returns its base URL.
func (a *App) Listen(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.App.Listener(ln) }()
	t.Cleanup(func() { _ = a.App.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// Client is a browser-like HTTP client over app.Test: it keeps cookies and the CSRF token.
type Client struct {
	t       testing.TB
	app     *App
	cookies map[string]*http.Cookie
	CSRF    string
}

// Client returns a new anonymous client.
func (a *App) Client(t testing.TB) *Client {
	return &Client{t: t, app: a, cookies: map[string]*http.Cookie{}}
}

// Response is a finished request, with its body read.
type Response struct {
	*http.Response
	Body string
}

// Doc parses the body as HTML.
func (r *Response) Doc(t testing.TB) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Text returns the visible text of the page, with entities decoded.
func (r *Response) Text(t testing.TB) string {
	t.Helper()
	return r.Doc(t).Text()
}

// Do sends a request, keeping the cookies it sets.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	res, err := c.app.App.Test(req, 30_000)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	r := &Response{Response: res, Body: string(body)}
	if doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body)); err == nil {
		if v, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok && v != "" {
			c.CSRF = v
		}
	}
	return r
}

// Get requests a page.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// Post submits a form with the client's CSRF token (fetching a page first if it has none).
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	if c.CSRF == "" {
		c.Get("/login")
	}
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.CSRF)
	}
	return c.PostRaw(path, form)
}

// PostRaw submits a form exactly as given (no CSRF token added).
func (c *Client) PostRaw(path string, form url.Values) *Response {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// Login logs the client in with a password and fails the test if that does not work.
func (c *Client) Login(email, password string) *Response {
	c.t.Helper()
	c.Get("/login")
	r := c.Post("/login", url.Values{"email": {email}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303\n%s", email, r.StatusCode, r.Body)
	}
	return r
}

// LoginAs logs in one of the demo accounts.
func (a *App) LoginAs(t testing.TB, email string) *Client {
	t.Helper()
	c := a.Client(t)
	c.Login(email, seed.DemoPassword)
	return c
}

// Demo account emails.
const (
	Manager         = "manager@demo.test"
	Technician      = "tech@demo.test"
	BoulangerieUser = "client@boulangerie.demo.test"
	CabinetUser     = "client@cabinet.demo.test"
)

// testLogger discards logs unless TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
