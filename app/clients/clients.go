// Package clients holds the client companies the provider maintains: their legal identity (SIREN,
// SIRET, VAT number), billing details, and the list the backoffice browses.
package clients

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/legal"
)

// Client is a company under maintenance; its users see only its own records.
type Client struct {
	bun.BaseModel `bun:"table:clients"`

	ID           uuid.UUID `bun:"id,pk,type:uuid"`
	Name         string    `bun:"name"`
	SIREN        string    `bun:"siren"`
	SIRET        string    `bun:"siret"`
	VATNumber    string    `bun:"vat_number"`
	AddressLine1 string    `bun:"address_line1"`
	AddressLine2 string    `bun:"address_line2"`
	PostalCode   string    `bun:"postal_code"`
	City         string    `bun:"city"`
	Country      string    `bun:"country"`
	BillingEmail string    `bun:"billing_email"`
	Phone        string    `bun:"phone"`
	// EInvoiceAddress is where the client receives e-invoices (BT-49): its SIREN and an optional
	// suffix; empty means the SIREN alone.
	EInvoiceAddress string    `bun:"einvoice_address"`
	Notes           string    `bun:"notes"`
	Archived        bool      `bun:"archived"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
	Version         int       `bun:"version"`

	// SortName is the lower-cased name the list is ordered by, as PostgreSQL lowers it.
	SortName string `bun:"sort_name,scanonly"`
}

// editable are the columns a save writes; the rest belong to the store (id, dates, version, archived).
var editable = []string{
	"name", "siren", "siret", "vat_number", "address_line1", "address_line2", "postal_code", "city",
	"country", "billing_email", "phone", "notes", "einvoice_address",
}

// Text limits, as the table's CHECK constraints hold them.
const (
	maxName    = 200
	maxAddress = 200
	maxPostal  = 20
	maxCity    = 100
	maxEmail   = 254
	maxNotes   = 10000
)

// Validate checks a client before it is saved and puts its fields in their stored form: trimmed,
// identifiers without spaces, VAT number and country upper-case, country FR when not given. Each
// problem is reported on its field with a catalogue key.
func (c *Client) Validate() error {
	f := apperr.Fields{}
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "":
		f.Add("name", "error.required")
	case utf8.RuneCountInString(c.Name) > maxName:
		f.Add("name", "error.too_long")
	}

	c.SIREN = legal.Compact(c.SIREN)
	if c.SIREN != "" {
		if key := legal.CheckSIREN(c.SIREN); key != "" {
			f.Add("siren", key)
		}
	}
	c.SIRET = legal.Compact(c.SIRET)
	if c.SIRET != "" {
		if key := legal.CheckSIRET(c.SIRET); key != "" {
			f.Add("siret", key)
		} else if c.SIREN != "" && f["siren"] == "" && c.SIRET[:9] != c.SIREN {
			f.Add("siret", "clients.error.siret_siren_mismatch")
		}
	}

	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	if c.Country == "" {
		c.Country = "FR"
	}
	if !legal.IsLetters(c.Country, 2) {
		f.Add("country", "clients.error.country_invalid")
	}

	c.VATNumber = strings.ToUpper(legal.Compact(c.VATNumber))
	if c.VATNumber != "" {
		if key := legal.CheckVAT(c.VATNumber); key != "" {
			f.Add("vat_number", key)
		} else if strings.HasPrefix(c.VATNumber, "FR") && c.SIREN != "" && f["siren"] == "" && c.VATNumber[4:] != c.SIREN {
			f.Add("vat_number", "clients.error.vat_siren_mismatch")
		}
	}

	c.EInvoiceAddress = strings.TrimSpace(c.EInvoiceAddress)
	if key := legal.CheckEInvoiceAddress(c.EInvoiceAddress, c.SIREN); key != "" {
		f.Add("einvoice_address", key)
	}

	c.AddressLine1 = strings.TrimSpace(c.AddressLine1)
	c.AddressLine2 = strings.TrimSpace(c.AddressLine2)
	for field, v := range map[string]string{"address_line1": c.AddressLine1, "address_line2": c.AddressLine2} {
		if utf8.RuneCountInString(v) > maxAddress {
			f.Add(field, "error.too_long")
		}
	}
	c.PostalCode = strings.TrimSpace(c.PostalCode)
	if c.Country == "FR" && c.PostalCode != "" {
		c.PostalCode = legal.Compact(c.PostalCode)
		if !legal.IsDigits(c.PostalCode, 5) {
			f.Add("postal_code", "clients.error.postal_code_fr")
		}
	} else if utf8.RuneCountInString(c.PostalCode) > maxPostal {
		f.Add("postal_code", "error.too_long")
	}
	c.City = strings.TrimSpace(c.City)
	if utf8.RuneCountInString(c.City) > maxCity {
		f.Add("city", "error.too_long")
	}

	c.BillingEmail = accounts.NormalizeEmail(c.BillingEmail)
	// Invoices go to this address: a domain without a dot ("compta@garage") is a typo here.
	if c.BillingEmail != "" && (len(c.BillingEmail) > maxEmail || !accounts.ValidEmail(c.BillingEmail) ||
		!strings.Contains(c.BillingEmail[strings.LastIndex(c.BillingEmail, "@")+1:], ".")) {
		f.Add("billing_email", "error.email_invalid")
	}
	c.Phone = strings.TrimSpace(c.Phone)
	if c.Phone != "" && !legal.ValidPhone(c.Phone) {
		f.Add("phone", "clients.error.phone_invalid")
	}
	c.Notes = strings.TrimSpace(c.Notes)
	if utf8.RuneCountInString(c.Notes) > maxNotes {
		f.Add("notes", "error.too_long")
	}
	return f.Err()
}

// Create validates and inserts a client.
func Create(ctx context.Context, db bun.IDB, c *Client, now time.Time) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.ID == uuid.Nil {
		c.ID = uuid.Must(uuid.NewV7())
	}
	c.CreatedAt, c.UpdatedAt, c.Version = now.UTC(), now.UTC(), 1
	if _, err := db.NewInsert().Model(c).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return apperr.Fields{"name": "error.client_name_taken"}.Err()
		}
		return fmt.Errorf("clients: create: %w", err)
	}
	return nil
}

// Get returns one client.
func Get(ctx context.Context, db bun.IDB, id uuid.UUID) (*Client, error) {
	c := new(Client)
	if err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("client")
		}
		return nil, fmt.Errorf("clients: get: %w", err)
	}
	return c, nil
}

// ByName returns the client with that name, whatever its case.
func ByName(ctx context.Context, db bun.IDB, name string) (*Client, error) {
	c := new(Client)
	if err := db.NewSelect().Model(c).Where("lower(name) = lower(?)", strings.TrimSpace(name)).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("client")
		}
		return nil, fmt.Errorf("clients: by name: %w", err)
	}
	return c, nil
}

// Update validates and saves the editable fields of a client read at c.Version. When someone saved
// it in between, nothing is written and the error is a Conflict ("error.stale"); on success
// c.Version is the new version.
func Update(ctx context.Context, db bun.IDB, c *Client, now time.Time) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.UpdatedAt = now.UTC()
	res, err := db.NewUpdate().Model(c).Column(append(editable, "updated_at")...).
		Set("version = version + 1").
		Where("id = ?", c.ID).Where("version = ?", c.Version).Exec(ctx)
	if err != nil {
		if database.IsUniqueViolation(err) {
			return apperr.Fields{"name": "error.client_name_taken"}.Err()
		}
		return fmt.Errorf("clients: update: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := Get(ctx, db, c.ID); err != nil {
			return err
		}
		return apperr.Conflictf("error.stale")
	}
	c.Version++
	return nil
}

// Archive sets a client aside: it leaves the default list but keeps its history. It reports whether
// the client was active until now.
func Archive(ctx context.Context, db bun.IDB, id uuid.UUID, now time.Time) (bool, error) {
	return setArchived(ctx, db, id, true, now)
}

// Unarchive brings an archived client back to the active list. It reports whether it was archived.
func Unarchive(ctx context.Context, db bun.IDB, id uuid.UUID, now time.Time) (bool, error) {
	return setArchived(ctx, db, id, false, now)
}

func setArchived(ctx context.Context, db bun.IDB, id uuid.UUID, archived bool, now time.Time) (bool, error) {
	res, err := db.NewUpdate().Model((*Client)(nil)).
		Set("archived = ?", archived).Set("updated_at = ?", now.UTC()).Set("version = version + 1").
		Where("id = ?", id).Where("archived = ?", !archived).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("clients: set archived: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := Get(ctx, db, id); err != nil {
			return false, err
		}
		return false, nil
	}
	return true, nil
}
