package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"maintenant/app/einvoice/einvoicetest"
	"maintenant/app/testutil"
)

// TestPortalEInvoice: the client sees its invoice's e-invoice status and downloads the Factur-X PDF
// and the XML alone; another client's is 404 like a missing one.
func TestPortalEInvoice(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	inv := issuedInvoice(t, app, "Boulangerie Martin")
	c := app.LoginAs(t, testutil.BoulangerieUser)
	base := "/portal/invoices/" + inv.ID.String()
	page := c.Get(base)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("show: %d", page.StatusCode)
	}
	doc := page.Doc(t)
	if !strings.Contains(doc.Find("header").Text(), "Factur-X EN 16931") || doc.Find("a[href='"+base+".xml']").Length() != 1 || doc.Find("a[href='"+base+".pdf']").Length() != 1 {
		t.Fatal("the invoice page does not show the e-invoice status and both downloads")
	}
	xml := c.Get(base + ".xml")
	if xml.StatusCode != http.StatusOK || !strings.Contains(xml.Body, "<ram:ID>"+inv.Reference()+"</ram:ID>") {
		t.Fatalf("xml: %d", xml.StatusCode)
	}
	einvoicetest.CheckFacturX(t, []byte(c.Get(base+".pdf").Body), []byte(xml.Body))
	other := app.LoginAs(t, testutil.CabinetUser)
	if res := other.Get(base + ".xml"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another client's XML: %d", res.StatusCode)
	}
}
