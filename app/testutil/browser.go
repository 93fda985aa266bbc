package testutil

import (
	"context"
	"encoding/json"
	"fmt"
	"maintenant/app/seed"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian installs Chromium.
const ChromiumPath = "/usr/bin/chromium"

// StepTimeout bounds each browser step of the helpers below.
const StepTimeout = 30 * time.Second

// Viewport is a browser window size, with or without phone emulation.
type Viewport struct {
	Name          string
	Width, Height int64
	Scale         float64
	Mobile        bool
}

var (
	// Desktop is a laptop-sized window.
	Desktop = Viewport{Name: "desktop", Width: 1280, Height: 900, Scale: 1}
	// Phone is a 390 px wide phone (touch, mobile layout).
	Phone = Viewport{Name: "phone", Width: 390, Height: 844, Scale: 2, Mobile: true}
)

type consoleKey struct{}

// console collects what the page reports as errors: uncaught exceptions, CSP refusals, failed loads.
type console struct {
	mu     sync.Mutex
	errors []string
}

func (c *console) add(s string) {
	c.mu.Lock()
	c.errors = append(c.errors, s)
	c.mu.Unlock()
}

func (c *console) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.errors
	c.errors = nil
	return e
}

// Browser starts a headless Chromium with a fresh profile for this test and returns the context of
// its one tab, with the desktop viewport. The browser and its profile folder go away when the test
// ends. Without Chromium the test is skipped, or fails when the CI variable is set.
func Browser(t testing.TB) context.Context {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		const msg = "chromium missing: apt-get install chromium"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	profile, err := os.MkdirTemp("", "maintenant-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(ChromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		// Chromium's helper processes can still write into the profile for a moment after exit.
		deadline := time.Now().Add(5 * time.Second)
		for {
			err := os.RemoveAll(profile)
			if err == nil || time.Now().After(deadline) {
				if err != nil {
					t.Logf("browser profile %s: %v", profile, err)
				}
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	// The first run starts the browser; it must not carry a timeout (that would end the browser).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	con := &console{}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg = d.Exception.Description
			}
			con.add(fmt.Sprintf("exception: %s (%s:%d)", msg, d.URL, d.LineNumber+1))
		case *log.EventEntryAdded:
			if e := ev.Entry; e != nil && e.Level == log.EntryLevelError && !expectedStatus(e) {
				con.add(fmt.Sprintf("%s: %s %s", e.Source, e.Text, e.URL))
			}
		}
	}); err != nil {
		t.Fatalf("listen to the browser console: %v", err)
	}
	ctx = context.WithValue(ctx, consoleKey{}, con)
	SetViewport(t, ctx, Desktop)
	BrowserLanguage(t, ctx, "fr-FR,fr;q=0.9")
	return ctx
}

// BrowserLanguage sets the languages the tab asks for (Accept-Language and navigator.languages) and
// its locale. Browser starts as a French browser, like the app's users; headless Chromium would
// otherwise ask for en-US.
func BrowserLanguage(t testing.TB, ctx context.Context, acceptLanguage string) {
	t.Helper()
	ua := Eval[string](t, ctx, "navigator.userAgent")
	tctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	if _, err := chromedp.Call(tctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
		UserAgent: ua, AcceptLanguage: acceptLanguage,
	}); err != nil {
		t.Fatalf("browser language: %v", err)
	}
	locale := strings.ReplaceAll(strings.SplitN(strings.SplitN(acceptLanguage, ",", 2)[0], ";", 2)[0], "-", "_")
	if _, err := chromedp.Call(tctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: locale}); err != nil {
		t.Fatalf("browser locale: %v", err)
	}
}

// expectedStatus tells apart the answers the app gives on purpose to a form (401 wrong password,
// 422 invalid field, 429 too many tries), which Chromium logs as failed loads, from real failures.
func expectedStatus(e *log.Entry) bool {
	if e.Source != log.EntrySourceNetwork {
		return false
	}
	for _, code := range []string{"401", "422", "429"} {
		if strings.Contains(e.Text, "status of "+code+" ") {
			return true
		}
	}
	return false
}

// Run runs browser actions with a time limit per call and fails the test on error.
func Run(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("browser: %v (page %s)", err, location(ctx))
	}
}

// Eval evaluates a JavaScript expression in the page and decodes its value.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("browser: evaluate %q: %v (page %s)", expr, err, location(ctx))
	}
	return v
}

// WaitFor waits until a JavaScript expression is truthy. It polls from Go, as chromedp.Poll builds
// its predicate with new Function, which the app's Content-Security-Policy forbids.
func WaitFor(t testing.TB, ctx context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(StepTimeout)
	check := "!!(" + expr + ")"
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](check))
		cancel()
		if err == nil && ok {
			return
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			t.Fatalf("browser: waited %s for %s (last error %v) on %s\nconsole: %s\n%s", StepTimeout, expr, err, location(ctx),
				strings.Join(ConsoleErrors(ctx), "\n"), bodyText(ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BrowserLogin opens base's login page and submits it with email and the demo password; the caller
// waits for the page it expects next.
func BrowserLogin(t testing.TB, ctx context.Context, base, email string) {
	t.Helper()
	Run(t, ctx, chromedp.Navigate(base+"/login"))
	WaitPath(t, ctx, "/login")
	Run(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button`)),
	)
}

// WaitPath waits until the page (after a full load or an htmx-boosted swap) shows path and is idle.
func WaitPath(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	js, _ := json.Marshal(path)
	WaitFor(t, ctx, "location.pathname === "+string(js)+
		" && document.readyState === 'complete' && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
}

// BodyText returns the visible text of the page.
func BodyText(t testing.TB, ctx context.Context) string {
	t.Helper()
	return Eval[string](t, ctx, "document.body.innerText")
}

func bodyText(ctx context.Context) string {
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(tctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return s
}

func location(ctx context.Context) string {
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return s
}

// SetViewport resizes the tab; Phone also turns on mobile and touch emulation.
func SetViewport(t testing.TB, ctx context.Context, v Viewport) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(v.Scale)}
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	Run(t, ctx, chromedp.EmulateViewport(v.Width, v.Height, opts...))
	// Let the layout settle at the new width before anyone measures or captures it. The layout
	// viewport, not window.innerWidth: a phone zooms out (and widens innerWidth) on a page that is
	// too wide, which HorizontalOverflow reports. A classic scrollbar takes up to 20 px of it.
	WaitFor(t, ctx, fmt.Sprintf("document.documentElement.clientWidth <= %d && document.documentElement.clientWidth > %d", v.Width, v.Width-20))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// ScreenshotDir is where Screenshot writes, under the repository root (git-ignored).
func ScreenshotDir() string { return filepath.Join(RepoRoot(), "artifacts", "screenshots") }

// Screenshot writes a full-page PNG of the tab to artifacts/screenshots/<name>.png and returns its
// path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	dir := ScreenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// HorizontalOverflow reports whether the page is wider than the window (it scrolls sideways), with
// the elements that stick out, for a readable failure.
func HorizontalOverflow(t testing.TB, ctx context.Context) []string {
	t.Helper()
	return Eval[[]string](t, ctx, `(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return [];
		const out = [];
		for (const el of document.body.querySelectorAll('*')) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > w + 1) {
				out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
					(el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
					' right=' + Math.round(r.right));
			}
			if (out.length >= 10) break;
		}
		return out.length ? out : ['document ' + document.documentElement.scrollWidth + 'px wide for ' + w + 'px'];
	})()`)
}

// ConsoleErrors returns, and forgets, what the page logged as errors since the last call.
func ConsoleErrors(ctx context.Context) []string {
	if c, ok := ctx.Value(consoleKey{}).(*console); ok {
		return c.take()
	}
	return nil
}

// CheckConsole fails the test if the page logged errors (exceptions, CSP refusals, failed loads)
// since the last check.
func CheckConsole(t testing.TB, ctx context.Context) {
	t.Helper()
	for _, e := range ConsoleErrors(ctx) {
		t.Errorf("browser console on %s: %s", location(ctx), e)
	}
}

// AxeViolation is one accessibility rule that a page breaks.
type AxeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []string `json:"target"`
		HTML    string   `json:"html"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

const axeRun = `axe.run(document, {resultTypes: ['violations'], iframes: false}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target.map(x => String(x)), html: n.html, summary: n.failureSummary || ''}))
})))`

// Axe runs axe-core on the page and fails the test for every "serious" or "critical" violation
// (the others are logged). axe is injected through the DevTools protocol, which the page's
// Content-Security-Policy does not apply to. Frames are not tested (the outbox shows mails in
// sandboxed frames, where axe cannot run). It returns every violation found.
func Axe(t testing.TB, ctx context.Context) []AxeViolation {
	t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(filepath.Join(RepoRoot(), "node_modules", "axe-core", "axe.min.js"))
		axeSource = string(b)
	})
	if axeErr != nil {
		t.Fatalf("axe-core: %v (run make frontend)", axeErr)
	}
	tctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	loaded, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	if !loaded {
		if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](axeSource+"\n;typeof window.axe === 'object'")); err != nil {
			t.Fatalf("axe: inject: %v", err)
		}
	}
	vs, err := chromedp.Run(tctx, chromedp.Evaluate[[]AxeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: run: %v", err)
	}
	where := location(ctx)
	for _, v := range vs {
		var b strings.Builder
		fmt.Fprintf(&b, "axe %s [%s] on %s: %s (%s)", v.ID, v.Impact, where, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n  - %s\n    %s", strings.Join(n.Target, " "), n.HTML)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n    %s", strings.ReplaceAll(n.Summary, "\n", "\n    "))
			}
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(b.String())
		} else {
			t.Log(b.String())
		}
	}
	return vs
}
