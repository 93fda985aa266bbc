package clients_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/clients"
	"maintenant/app/testutil"
)

// valid returns a client that passes validation, to change one field at a time.
func valid() clients.Client {
	return clients.Client{
		Name: "Boulangerie Martin", SIREN: "732829320", SIRET: "73282932000074", VATNumber: "FR44732829320",
		AddressLine1: "12 rue de la Paix", PostalCode: "75002", City: "Paris", Country: "FR",
		BillingEmail: "compta@boulangerie.fr", Phone: "01 23 45 67 89",
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *clients.Client)
		field  string // "" when valid
		key    string
	}{
		{"valid", func(c *clients.Client) {}, "", ""},
		{"only a name", func(c *clients.Client) { *c = clients.Client{Name: "X"} }, "", ""},
		{"name missing", func(c *clients.Client) { c.Name = "   " }, "name", "error.required"},
		{"name too long", func(c *clients.Client) { c.Name = strings.Repeat("é", 201) }, "name", "error.too_long"},
		{"name at the limit", func(c *clients.Client) { c.Name = strings.Repeat("é", 200) }, "", ""},
		{"SIREN with spaces", func(c *clients.Client) { c.SIREN = " 732 829\u00a0320 " }, "", ""},
		{"SIREN short", func(c *clients.Client) { c.SIREN = "73282932" }, "siren", "clients.error.siren_format"},
		{"SIREN checksum", func(c *clients.Client) { c.SIREN = "732829321" }, "siren", "clients.error.siren_checksum"},
		{"SIRET checksum", func(c *clients.Client) { c.SIRET = "73282932000075" }, "siret", "clients.error.siret_checksum"},
		{"SIRET of another SIREN", func(c *clients.Client) { c.SIRET = "55210055400013" }, "siret", "clients.error.siret_siren_mismatch"},
		{"SIRET without SIREN", func(c *clients.Client) { c.SIREN, c.VATNumber = "", "" }, "", ""},
		{"VAT lower case with spaces", func(c *clients.Client) { c.VATNumber = "fr 44 732829320" }, "", ""},
		{"VAT wrong key", func(c *clients.Client) { c.VATNumber = "FR45732829320" }, "vat_number", "clients.error.vat_fr_key"},
		{"VAT of another SIREN", func(c *clients.Client) { c.VATNumber = "FR96552100554" }, "vat_number", "clients.error.vat_siren_mismatch"},
		{"VAT foreign", func(c *clients.Client) { c.VATNumber = "BE0123456789" }, "", ""},
		{"VAT foreign too short", func(c *clients.Client) { c.VATNumber = "BE1" }, "vat_number", "clients.error.vat_format"},
		{"postal code FR letters", func(c *clients.Client) { c.PostalCode = "7500A" }, "postal_code", "clients.error.postal_code_fr"},
		{"postal code FR 4 digits", func(c *clients.Client) { c.PostalCode = "7500" }, "postal_code", "clients.error.postal_code_fr"},
		{"postal code abroad", func(c *clients.Client) { c.Country, c.PostalCode = "gb", "SW1A 1AA" }, "", ""},
		{"postal code abroad too long", func(c *clients.Client) { c.Country, c.PostalCode = "GB", strings.Repeat("1", 21) }, "postal_code", "error.too_long"},
		{"country bad", func(c *clients.Client) { c.Country = "FRA" }, "country", "clients.error.country_invalid"},
		{"country digits", func(c *clients.Client) { c.Country = "F1" }, "country", "clients.error.country_invalid"},
		{"email bad", func(c *clients.Client) { c.BillingEmail = "compta@" }, "billing_email", "error.email_invalid"},
		{"email without a dot in the domain", func(c *clients.Client) { c.BillingEmail = "compta@garage" }, "billing_email", "error.email_invalid"},
		{"email with a name", func(c *clients.Client) { c.BillingEmail = "Compta <compta@x.fr>" }, "billing_email", "error.email_invalid"},
		{"phone international", func(c *clients.Client) { c.Phone = "+33 (0)1.23.45.67.89" }, "", ""},
		{"phone letters", func(c *clients.Client) { c.Phone = "01 23 AB" }, "phone", "clients.error.phone_invalid"},
		{"phone too long", func(c *clients.Client) { c.Phone = strings.Repeat("1", 41) }, "phone", "clients.error.phone_invalid"},
		{"address too long", func(c *clients.Client) { c.AddressLine2 = strings.Repeat("a", 201) }, "address_line2", "error.too_long"},
		{"city too long", func(c *clients.Client) { c.City = strings.Repeat("a", 101) }, "city", "error.too_long"},
		{"notes too long", func(c *clients.Client) { c.Notes = strings.Repeat("a", 10001) }, "notes", "error.too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.change(&c)
			err := c.Validate()
			fields := apperr.FieldsOf(err)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if got := fields[tt.field]; got != tt.key {
				t.Errorf("field %s = %q, want %q (all: %v)", tt.field, got, tt.key, fields)
			}
			if len(fields) != 1 {
				t.Errorf("%d fields in error, want 1: %v", len(fields), fields)
			}
		})
	}
}

func TestValidateNormalizes(t *testing.T) {
	c := clients.Client{
		Name: "  ACME  ", SIREN: "732 829 320", SIRET: "732 829 320 00074", VATNumber: "fr44 7328 29320",
		PostalCode: "75 002", Country: " fr ", BillingEmail: " Compta@ACME.fr ",
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ got, want string }{
		{c.Name, "ACME"}, {c.SIREN, "732829320"}, {c.SIRET, "73282932000074"}, {c.VATNumber, "FR44732829320"},
		{c.PostalCode, "75002"}, {c.Country, "FR"}, {c.BillingEmail, "compta@acme.fr"},
	} {
		if tt.got != tt.want {
			t.Errorf("stored %q, want %q", tt.got, tt.want)
		}
	}
	empty := clients.Client{Name: "X"}
	_ = empty.Validate()
	if empty.Country != "FR" {
		t.Errorf("country defaults to %q, want FR", empty.Country)
	}
}

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func TestStoreCreateGetUpdate(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	c := valid()
	if err := clients.Create(ctx, db.Bun, &c, now); err != nil {
		t.Fatal(err)
	}
	got, err := clients.Get(ctx, db.Bun, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SIRET != "73282932000074" || got.City != "Paris" || got.Version != 1 || got.Archived {
		t.Errorf("read back %+v", got)
	}
	if _, err := clients.Get(ctx, db.Bun, uuid.Must(uuid.NewV7())); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("missing client: %v, want NotFound", err)
	}

	// A second client with the same name, whatever the case, is refused on the name field.
	dup := clients.Client{Name: "BOULANGERIE martin"}
	if err := clients.Create(ctx, db.Bun, &dup, now); apperr.FieldsOf(err)["name"] != "error.client_name_taken" {
		t.Errorf("duplicate name: %v", err)
	}

	// Two people edit the same version: the first wins, the second is a Conflict and writes nothing.
	a, b := *got, *got
	a.City, b.City = "Lyon", "Marseille"
	if err := clients.Update(ctx, db.Bun, &a, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if a.Version != 2 {
		t.Errorf("version after update = %d, want 2", a.Version)
	}
	err = clients.Update(ctx, db.Bun, &b, now.Add(2*time.Minute))
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict || e.Message != "error.stale" {
		t.Fatalf("stale update: %v, want Conflict error.stale", err)
	}
	got, _ = clients.Get(ctx, db.Bun, c.ID)
	if got.City != "Lyon" || got.Version != 2 {
		t.Errorf("after the stale save: city %q version %d", got.City, got.Version)
	}
	// Invalid input is refused before any write.
	bad := *got
	bad.SIREN = "123456789"
	if err := clients.Update(ctx, db.Bun, &bad, now); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("invalid update: %v", err)
	}
	missing := valid()
	missing.ID, missing.Version = uuid.Must(uuid.NewV7()), 1
	if err := clients.Update(ctx, db.Bun, &missing, now); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("update of a missing client: %v, want NotFound", err)
	}
}

func TestStoreArchive(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	c := clients.Client{Name: "ACME"}
	if err := clients.Create(ctx, db.Bun, &c, now); err != nil {
		t.Fatal(err)
	}
	for i, step := range []struct {
		archive bool
		changed bool
	}{{true, true}, {true, false}, {false, true}, {false, false}} {
		var changed bool
		var err error
		if step.archive {
			changed, err = clients.Archive(ctx, db.Bun, c.ID, now)
		} else {
			changed, err = clients.Unarchive(ctx, db.Bun, c.ID, now)
		}
		if err != nil || changed != step.changed {
			t.Errorf("step %d: changed %v err %v, want %v", i, changed, err, step.changed)
		}
		got, _ := clients.Get(ctx, db.Bun, c.ID)
		if got.Archived != step.archive {
			t.Errorf("step %d: archived %v", i, got.Archived)
		}
	}
	if _, err := clients.Archive(ctx, db.Bun, uuid.Must(uuid.NewV7()), now); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("archive missing: %v", err)
	}
}

func TestStoreList(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	// 30 clients created a minute apart; every third one archived; two have a city, one a SIREN.
	var ids []uuid.UUID
	for i := 0; i < 30; i++ {
		c := clients.Client{Name: fmt.Sprintf("Client %02d", i)}
		switch i {
		case 4:
			c.City = "Saint-Étienne"
		case 5:
			c.City, c.SIREN = "Lyon", "552100554"
		case 6:
			c.Name = "100% Bio_Shop"
		}
		if err := clients.Create(ctx, db.Bun, &c, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if i%3 == 2 {
			if _, err := clients.Archive(ctx, db.Bun, c.ID, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	names := func(cs []clients.Client) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	// Walk every page of a filter and return the names in order.
	walk := func(f clients.Filter) ([]string, int) {
		t.Helper()
		var all []string
		pages := 0
		for {
			p, err := clients.List(ctx, db.Bun, f)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, names(p.Clients)...)
			if p.Next == "" {
				if p.Total != len(all) {
					t.Errorf("total %d, rows %d", p.Total, len(all))
				}
				return all, pages
			}
			f.After = p.Next
			if pages > 10 {
				t.Fatal("endless pagination")
			}
		}
	}

	all, pages := walk(clients.Filter{Status: clients.StatusAll, Limit: 7})
	if len(all) != 30 || pages != 5 {
		t.Fatalf("all: %d rows in %d pages", len(all), pages)
	}
	if all[0] != "100% Bio_Shop" || all[1] != "Client 00" || all[29] != "Client 29" {
		t.Errorf("name order: %v", all)
	}
	desc, _ := walk(clients.Filter{Status: clients.StatusAll, Desc: true, Limit: 7})
	if desc[0] != "Client 29" || desc[29] != "100% Bio_Shop" {
		t.Errorf("name desc: %v", desc)
	}
	created, _ := walk(clients.Filter{Status: clients.StatusAll, Sort: clients.SortCreated, Desc: true, Limit: 4})
	if created[0] != "Client 29" || created[29] != "Client 00" {
		t.Errorf("created desc: %v", created)
	}
	active, _ := walk(clients.Filter{})
	if len(active) != 20 {
		t.Errorf("active: %d, want 20", len(active))
	}
	archived, _ := walk(clients.Filter{Status: clients.StatusArchived})
	if len(archived) != 10 || archived[0] != "Client 02" {
		t.Errorf("archived: %v", archived)
	}

	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"client 1", []string{"Client 10", "Client 11", "Client 12", "Client 13", "Client 14", "Client 15", "Client 16", "Client 17", "Client 18", "Client 19"}},
		{"SAINT-ÉT", []string{"Client 04"}},
		{"lyon", []string{"Client 05"}},
		{"552 100", []string{"Client 05"}},
		{"100%", []string{"100% Bio_Shop"}},
		{"o_s", []string{"100% Bio_Shop"}},
		{"%", []string{"100% Bio_Shop"}},
		{"_", []string{"100% Bio_Shop"}},
		{`\`, nil},
		{"nothing like it", nil},
	} {
		got, _ := walk(clients.Filter{Query: tt.q, Status: clients.StatusAll})
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("search %q: %v, want %v", tt.q, got, tt.want)
		}
	}

	// A cursor of another sort, or garbage, starts from the first page.
	p, err := clients.List(ctx, db.Bun, clients.Filter{Status: clients.StatusAll, Sort: clients.SortCreated, After: "nZm9v." + ids[0].String()})
	if err != nil || len(p.Clients) != clients.PageSize || p.Clients[0].Name != "Client 00" {
		t.Errorf("foreign cursor: %v %v", err, p)
	}
	if _, err := clients.List(ctx, db.Bun, clients.Filter{After: "n!!!.zzz"}); err != nil {
		t.Errorf("garbage cursor: %v", err)
	}
}
