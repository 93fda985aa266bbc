package backoffice_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"maintenant/app/interventions"
	"maintenant/app/testutil"
)

// signaturePNG is a drawn signature: a dark stroke on a transparent background.
func signaturePNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 100, 30))
	for x := 10; x < 90; x++ {
		img.Pix[img.PixOffset(x, 15)+3] = 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngDataURL(b []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)
}

// workedSheet creates an intervention, takes it up and logs time: a sheet the client can sign.
func (a *interventionApp) workedSheet(t *testing.T, title, start string) string {
	t.Helper()
	path := a.create(t, a.m, title)
	wantStatus(t, interventionPost(t, a.m, path, "/takeup", nil), http.StatusSeeOther, "take up")
	wantStatus(t, interventionPost(t, a.m, path, "/time", url.Values{"category": {"work"}, "started_at": {a.at(start)}, "minutes": {"30"}}),
		http.StatusSeeOther, "time")
	return path
}

func (a *interventionApp) signatures(t *testing.T) int {
	t.Helper()
	var n int
	if err := a.app.DB.Bun.NewRaw("SELECT count(*) FROM signatures").Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInterventionSignOnSite(t *testing.T) {
	a := newInterventionApp(t)
	todo := a.create(t, a.m, "Pas encore commencée")
	if a.m.Get(todo).Doc(t).Find("#signature").Length() != 0 {
		t.Error("a sheet not started offers the client's signature")
	}
	path := a.workedSheet(t, "Panne du serveur", "08:00")
	doc := a.m.Get(path).Doc(t)
	if doc.Find(`#signature form[action="`+path+`/sign"] canvas[role="img"]`).Length() != 1 || doc.Find(`input[name="sign_later"]`).Length() != 1 {
		t.Fatal("no signature card, or no \"sign later\" box")
	}
	if v, _ := doc.Find("#f-signer_name").Attr("value"); v != "" {
		t.Errorf("the client's name is filled in with %q", v)
	}

	good := pngDataURL(signaturePNG(t))
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, interventions.MaxSignatureBytes)...)
	for _, tc := range []struct{ name, signer, signature, field, message string }{
		{"no name", "", good, "signer_name", "Ce champ est obligatoire"},
		{"no drawing", "Julie Martin", "", "signature", "Dessinez la signature dans le cadre."},
		{"not an image", "Julie Martin", pngDataURL([]byte("GIF89a not a png")), "signature", "La signature doit être une image PNG ou JPEG."},
		{"too large", "Julie Martin", pngDataURL(big), "signature", "trop lourde"},
	} {
		res := a.m.Post(path+"/sign", url.Values{"signer_name": {tc.signer}, "signature": {tc.signature}})
		wantStatus(t, res, http.StatusUnprocessableEntity, tc.name)
		d := res.Doc(t)
		if msg := d.Find("#f-" + tc.field + "-error").Text(); !strings.Contains(msg, tc.message) {
			t.Errorf("%s: message %q, want %q", tc.name, msg, tc.message)
		}
		if v, _ := d.Find("#f-signer_name").Attr("value"); v != tc.signer {
			t.Errorf("%s: name not kept: %q", tc.name, v)
		}
		if a.signatures(t) != 0 {
			t.Fatalf("%s: saved", tc.name)
		}
	}
	if r := a.m.PostRaw(path+"/sign", url.Values{"signer_name": {"Julie Martin"}, "signature": {good}}); r.StatusCode != http.StatusForbidden || a.signatures(t) != 0 {
		t.Fatalf("without CSRF token: %d", r.StatusCode)
	}

	res := a.m.Post(path+"/sign", url.Values{"signer_name": {"Julie Martin"}, "signature": {good}})
	wantStatus(t, res, http.StatusSeeOther, "sign")
	if loc := res.Header.Get("Location"); loc != path+"#signature" {
		t.Errorf("after signing: %q", loc)
	}
	var sig interventions.Signature
	if err := a.app.DB.Bun.NewSelect().Model(&sig).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sig.SignerName != "Julie Martin" || sig.SignedFrom != interventions.SignedOnSite || !sig.SignedBy.Valid || sig.IP == "" {
		t.Errorf("signature %+v", sig)
	}
	page := a.m.Get(path)
	doc = page.Doc(t)
	if !strings.Contains(squashSpaces(doc.Find("#signature").Text()), "Signée sur place par Julie Martin le 22/11/2026 10:00.") ||
		doc.Find(`#signature img[src="`+path+`/signature"]`).Length() != 1 || doc.Find(`#signature form`).Length() != 0 {
		t.Errorf("signed card: %s", squashSpaces(doc.Find("#signature").Text()))
	}
	// The "sign later" box is gone; the notes form keeps its value.
	if doc.Find(`input[type="checkbox"][name="sign_later"]`).Length() != 0 || doc.Find(`input[type="hidden"][name="sign_later"]`).Length() != 1 {
		t.Error("a signed sheet still offers \"sign later\"")
	}
	img := a.m.Get(path + "/signature")
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" || img.Body != string(signaturePNG(t)) {
		t.Errorf("signature image: %d %q", img.StatusCode, img.Header.Get("Content-Type"))
	}

	res = a.m.Post(path+"/sign", url.Values{"signer_name": {"Quelqu'un"}, "signature": {good}})
	wantStatus(t, res, http.StatusConflict, "second signature")
	if !strings.Contains(res.Text(t), "Cette fiche est déjà signée.") || a.signatures(t) != 1 {
		t.Error("second signature: no message, or saved")
	}

	// Completion keeps the signature; an unknown sheet is 404 for both routes.
	wantStatus(t, interventionPost(t, a.m, path, "/complete", nil), http.StatusSeeOther, "complete")
	if a.m.Get(path).Doc(t).Find(`#signature img`).Length() != 1 {
		t.Error("the completed sheet lost its signature")
	}
	unsigned := a.workedSheet(t, "Sans signature", "11:00")
	if r := a.m.Get(unsigned + "/signature"); r.StatusCode != http.StatusNotFound {
		t.Errorf("signature of an unsigned sheet: %d", r.StatusCode)
	}
	for _, p := range []string{"/admin/interventions/0193a8f0-0000-7000-8000-000000000001", "/admin/interventions/nope"} {
		if r := a.m.Get(p + "/signature"); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s/signature: %d", p, r.StatusCode)
		}
		if r := a.m.Post(p+"/sign", url.Values{"signer_name": {"X"}, "signature": {good}}); r.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s/sign: %d", p, r.StatusCode)
		}
	}
	// A cancelled sheet is not signed.
	cancelled := a.workedSheet(t, "Annulée", "13:00")
	wantStatus(t, interventionPost(t, a.m, cancelled, "/status", url.Values{"to": {"cancelled"}, "cancel_reason": {"Doublon"}}), http.StatusSeeOther, "cancel")
	wantStatus(t, a.m.Post(cancelled+"/sign", url.Values{"signer_name": {"Julie Martin"}, "signature": {good}}), http.StatusConflict, "sign a cancelled sheet")
	if a.signatures(t) != 1 {
		t.Error("a cancelled sheet was signed")
	}
}

func squashSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestInterventionSignatureInBrowser: the technician hands the phone to the client, who draws with
// a finger; screenshots of the card at 1280 and 390 px, empty and signed.
func TestInterventionSignatureInBrowser(t *testing.T) {
	a := newInterventionApp(t)
	path := a.workedSheet(t, "Réparer le PC de la caisse", "08:00")
	base := a.app.Listen(t)
	b := testutil.Browser(t)
	testutil.BrowserLogin(t, b, base, testutil.Manager)
	testutil.WaitPath(t, b, "/admin")
	shoot := func(name string) {
		t.Helper()
		for _, v := range []testutil.Viewport{testutil.Desktop, testutil.Phone} {
			testutil.SetViewport(t, b, v)
			testutil.Axe(t, b)
			if out := testutil.HorizontalOverflow(t, b); len(out) > 0 {
				t.Errorf("%s at %d px scrolls sideways: %s", name, v.Width, strings.Join(out, "; "))
			}
			testutil.Run(t, b, chromedp.ScrollIntoView(chromedp.CSS("#signature")))
			testutil.Screenshot(t, b, "admin-intervention-signature-"+name+"-"+v.Name)
		}
		testutil.CheckConsole(t, b)
	}
	testutil.Run(t, b, chromedp.Navigate(base+path))
	testutil.WaitPath(t, b, path)
	testutil.WaitFor(t, b, `document.querySelector("[data-signature-pad][data-ready]") !== null`)
	shoot("01-empty")

	testutil.SetViewport(t, b, testutil.Phone)
	testutil.Run(t, b, chromedp.ScrollIntoView(chromedp.CSS("#signature canvas")))
	testutil.Run(t, b, chromedp.SendKeys(chromedp.CSS("#f-signer_name"), "Julie Martin"))
	box := testutil.Eval[[]float64](t, b, `(() => { const r = document.querySelector("#signature canvas").getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MouseMoved, box[0]+20, box[1]+box[3]/2),
		chromedp.MouseEvent(chromedp.MousePressed, box[0]+20, box[1]+box[3]/2, chromedp.Button("left"))}
	for n := 1; n <= 12; n++ {
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, box[0]+20+float64(n)*(box[2]-40)/12, box[1]+box[3]/2-float64(n%3)*15, chromedp.Button("left")))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, box[0]+box[2]-20, box[1]+box[3]/2, chromedp.Button("left")))
	testutil.Run(t, b, steps...)
	testutil.WaitFor(t, b, `document.querySelector("#signature input[name=signature]").value !== ""`)
	testutil.Run(t, b, chromedp.Click(chromedp.CSS(`#signature form > button:last-child`)))
	testutil.WaitFor(t, b, `document.body.innerText.includes("Signée sur place par Julie Martin")`)
	testutil.WaitFor(t, b, `document.querySelector("#signature img").complete && document.querySelector("#signature img").naturalWidth > 0`)
	shoot("02-signed")
	if a.signatures(t) != 1 {
		t.Error("not saved")
	}
}
