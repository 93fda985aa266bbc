package backoffice

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"maintenant/app/billing"
)

// FuzzParseInvoiceForm posts whole invoice forms, as a browser or a hostile client would send them
// (any body, any number of rows), to the parser of the manual invoice form: it never panics, keeps
// at most billing.MaxLines rows, maps every parsed line back to the row it came from, keeps each
// description as typed, and reports only problems of fields the form has.
func FuzzParseInvoiceForm(f *testing.F) {
	f.Add("client_id=0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b&title=Maintenance&payment_terms_days=30&service_from=2026-11-01&service_to=2026-11-30" +
		"&rows=2&lines.0.description=Forfait&lines.0.quantity=1&lines.0.unit=forfait&lines.0.unit_price=120,00&lines.0.vat_rate=2000" +
		"&lines.1.description=Remise&lines.1.quantity=1&lines.1.unit_price=-45,00&lines.1.vat_rate=2000&lines.1.discount=10%25")
	f.Add("rows=3&lines.2.description=x&lines.2.quantity=0,5&lines.2.unit_price=1%C2%A0234,56&lines.0.remove=on&payment_terms_days=abc")
	f.Add("rows=-1&payment_terms_days=")
	f.Add("rows=99999999999999999999&contract_id=nope&service_from=2026-02-30&lines.0.discount=120")
	f.Add("rows=1&lines.0.description=%3Cscript%3E&lines.0.unit_price=%E2%88%9212&lines.0.quantity=1e9&lines.0.vat_rate=%00")
	f.Add("")
	app := fiber.New()
	f.Fuzz(func(t *testing.T, body string) {
		rc := &fasthttp.RequestCtx{}
		rc.Request.Header.SetMethod(fiber.MethodPost)
		rc.Request.Header.SetContentType(fiber.MIMEApplicationForm)
		rc.Request.SetBodyString(body)
		c := app.AcquireCtx(rc)
		defer app.ReleaseCtx(c)
		form := parseInvoiceForm(c)
		if len(form.Rows) > billing.MaxLines || len(form.In.Lines) != len(form.RowOf) || len(form.In.Lines) > len(form.Rows) {
			t.Fatalf("%d rows, %d lines, %d row indexes", len(form.Rows), len(form.In.Lines), len(form.RowOf))
		}
		for i, n := range form.RowOf {
			if n < 0 || n >= len(form.Rows) || (i > 0 && n <= form.RowOf[i-1]) {
				t.Fatalf("line %d maps to row %d of %d (%v)", i, n, len(form.Rows), form.RowOf)
			}
			row, l := form.Rows[n], form.In.Lines[i]
			if row.Remove || l.Description != row.Description || l.Unit != row.Unit {
				t.Fatalf("line %d is not row %d as typed: %+v / %+v", i, n, l, row)
			}
			if l.DiscountBP < 0 || l.DiscountBP > 10000 {
				t.Fatalf("line %d: discount %d bp", i, l.DiscountBP)
			}
		}
		known := map[string]bool{"contract_id": true, "service_from": true, "service_to": true, "payment_terms_days": true}
		for k := range form.Bad {
			var n int
			var field string
			if _, err := fmt.Sscanf(k, "lines.%d.%s", &n, &field); err == nil {
				if n < 0 || n >= len(form.Rows) || !strings.Contains("quantity unit_price discount", field) {
					t.Fatalf("problem %q names no field of the form", k)
				}
				continue
			}
			if !known[k] {
				t.Fatalf("problem %q names no field of the form", k)
			}
		}
		// The page shows the problems under their rows: every key still names a row of the form.
		for k := range form.errorsOf(nil) {
			if _, ok := form.Bad[k]; !ok {
				t.Fatalf("errorsOf invented %q", k)
			}
		}
	})
}
