package backoffice_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/testutil"
)

// TestClientChoices checks the list filters' client select: a list page carries only the client it
// is filtered by, and /admin/clients/choices gives every client not archived (plus the selected one,
// even archived), escaped, the selected one marked, to staff only.
func TestClientChoices(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	ctx := context.Background()
	bakery := demoClient(t, app, "Boulangerie Martin")
	if _, err := app.DB.Bun.NewRaw(`UPDATE clients SET archived = true WHERE id = ?`, bakery.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Bun.NewRaw(`INSERT INTO clients (id, name) VALUES (gen_random_uuid(), 'Dupont <b>&</b> "Fils"')`).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	active := count(t, app, "SELECT count(*) FROM clients WHERE NOT archived")
	staff := app.LoginAs(t, testutil.Manager)

	res := staff.Get("/admin/clients/choices")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("choices: status %d", res.StatusCode)
	}
	if n := strings.Count(res.Body, "<option "); n != active {
		t.Errorf("choices: %d options, want the %d clients not archived", n, active)
	}
	if !strings.Contains(res.Body, ">Dupont &lt;b&gt;&amp;&lt;/b&gt; &#34;Fils&#34;</option>") {
		t.Errorf("the name is not escaped: %s", res.Body)
	}
	if strings.Contains(res.Body, bakery.ID.String()) || strings.Contains(res.Body, " selected") {
		t.Errorf("an archived client or a selection without ?selected=: %s", res.Body)
	}

	res = staff.Get("/admin/clients/choices?selected=" + bakery.ID.String())
	if n := strings.Count(res.Body, "<option "); n != active+1 {
		t.Errorf("choices with the archived client selected: %d options, want %d", n, active+1)
	}
	if want := fmt.Sprintf(`<option value="%s" selected>Boulangerie Martin</option>`, bakery.ID); !strings.Contains(res.Body, want) ||
		strings.Count(res.Body, " selected") != 1 {
		t.Errorf("the selected client is not the one marked: %s", res.Body)
	}

	// The list pages: only the selected client in the select, none without a filter.
	for _, path := range []string{"/admin/tickets", "/admin/invoices", "/admin/quotes", "/admin/interventions",
		"/admin/equipment", "/admin/contracts", "/admin/register", "/admin/equipment/expiries"} {
		doc := staff.Get(path).Doc(t)
		if n := doc.Find("#f-client optgroup option").Length(); n != 0 {
			t.Errorf("%s: %d clients in the filter before it is opened, want 0", path, n)
		}
		if got := doc.Find("#f-client").AttrOr("hx-get", ""); !strings.HasPrefix(got, "/admin/clients/choices?selected=") {
			t.Errorf("%s: the filter does not fetch its clients (hx-get %q)", path, got)
		}
		res := staff.Get(path + "?client=" + bakery.ID.String())
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s?client=: status %d", path, res.StatusCode)
			continue
		}
		opts := res.Doc(t).Find("#f-client optgroup option")
		if opts.Length() != 1 || opts.AttrOr("value", "") != bakery.ID.String() || opts.AttrOr("selected", "x") == "x" {
			t.Errorf("%s?client=: the filter shows %d clients (%q), want only the selected one", path, opts.Length(), opts.Text())
		}
	}

	client := app.LoginAs(t, testutil.BoulangerieUser)
	if res := client.Get("/admin/clients/choices"); res.StatusCode == http.StatusOK || strings.Contains(res.Body, "Dupont") {
		t.Errorf("a client user reads the client list: status %d", res.StatusCode)
	}
}

// TestClientFilterInBrowser opens the queue's client filter in a browser: focusing it fetches every
// client, choosing one filters the queue, and the page then shows that client selected.
func TestClientFilterInBrowser(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	base := app.Listen(t)
	bakery := demoClient(t, app, "Boulangerie Martin")
	active := count(t, app, "SELECT count(*) FROM clients WHERE NOT archived")
	b := testutil.Browser(t)
	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitFor(t, b, `location.pathname !== '/login'`)
	testutil.Run(t, b, chromedp.Navigate(base+"/admin/tickets"))
	testutil.WaitFor(t, b, `document.querySelector('#f-client') !== null && typeof htmx !== 'undefined'`)
	testutil.WaitFor(t, b, `document.querySelectorAll('#f-client optgroup option').length === 0`)
	testutil.Run(t, b, chromedp.Focus(chromedp.CSS("#f-client")))
	testutil.WaitFor(t, b, fmt.Sprintf(`document.querySelectorAll('#f-client optgroup option').length === %d`, active))
	testutil.WaitFor(t, b, `document.querySelector('#f-client').value === ''`)
	testutil.Run(t, b,
		chromedp.SetValue(chromedp.CSS("#f-client"), bakery.ID.String()),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#f-client').form.requestSubmit()`),
	)
	testutil.WaitFor(t, b, fmt.Sprintf(`location.search.includes('client=%s')`, bakery.ID))
	testutil.WaitFor(t, b, fmt.Sprintf(`document.querySelectorAll('#f-client optgroup option').length === 1 && document.querySelector('#f-client').value === '%s'`, bakery.ID))
	// Opened again (after the filtered page came), the whole list comes back with the bakery still chosen.
	testutil.Run(t, b,
		chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`),
		chromedp.Focus(chromedp.CSS("#f-client")),
	)
	testutil.WaitFor(t, b, fmt.Sprintf(`document.querySelectorAll('#f-client optgroup option').length === %d && document.querySelector('#f-client').value === '%s'`, active, bakery.ID))
	testutil.Axe(t, b)
	testutil.Screenshot(t, b, "tickets-client-filter")
	testutil.CheckConsole(t, b)
}
