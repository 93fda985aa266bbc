// Package provider holds the identity and house settings of the maintenance provider running this
// instance (one row): the legal identity printed on documents, security rules, reminder lead times.
package provider

import (
	"context"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/legal"
)

// Organisation is the provider.
type Organisation struct {
	bun.BaseModel `bun:"table:organisation"`

	ID               int16  `bun:"id,pk"`
	Name             string `bun:"name"`
	LegalForm        string `bun:"legal_form"`
	SIREN            string `bun:"siren"`
	VATNumber        string `bun:"vat_number"`
	AddressLine1     string `bun:"address_line1"`
	AddressLine2     string `bun:"address_line2"`
	PostalCode       string `bun:"postal_code"`
	City             string `bun:"city"`
	Email            string `bun:"email"`
	Phone            string `bun:"phone"`
	RequireStaffTOTP bool   `bun:"require_staff_totp"`
	ReminderLeadDays []int  `bun:"reminder_lead_days,array"`
	// Billing settings, printed on invoices (see billing).
	IBAN string `bun:"iban"`
	// EInvoiceAddress is the electronic invoicing address (BT-34): the SIREN and an optional
	// suffix; empty means the SIREN alone.
	EInvoiceAddress string `bun:"einvoice_address"`
	BIC             string `bun:"bic"`
	InvoiceFooter   string `bun:"invoice_footer"`
	DefaultVATBP    int    `bun:"default_vat_bp"`
	// VATExempt is the franchise en base de TVA: invoices carry no VAT and the exemption mention.
	VATExempt bool `bun:"vat_exempt"`
	// LatePenaltyBP is the yearly late-payment penalty rate in basis points (1215 = 12,15 %).
	LatePenaltyBP           int   `bun:"late_penalty_bp"`
	InternalHourlyCostCents int64 `bun:"internal_hourly_cost_cents"`
	// InvoiceReminderDays are the days after the due date an unpaid invoice is recalled.
	InvoiceReminderDays []int     `bun:"invoice_reminder_days,array"`
	UpdatedAt           time.Time `bun:"updated_at"`
	Version             int       `bun:"version"`
}

// AddressLines returns the postal address as printed on documents.
func (o *Organisation) AddressLines() []string {
	var lines []string
	for _, l := range []string{o.AddressLine1, o.AddressLine2, strings.TrimSpace(o.PostalCode + " " + o.City)} {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// Get returns the provider's settings.
func Get(ctx context.Context, db bun.IDB) (*Organisation, error) {
	o := new(Organisation)
	if err := db.NewSelect().Model(o).Where("id = 1").Scan(ctx); err != nil {
		return nil, fmt.Errorf("provider: get: %w", err)
	}
	return o, nil
}

// ParseLeadDays reads reminder lead times typed as "90, 30, 7".
func ParseLeadDays(s string) ([]int, bool) {
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		var n int
		if _, err := fmt.Sscanf(part, "%d", &n); err != nil || fmt.Sprint(n) != part || n < 0 || n > 365 {
			return nil, false
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 || len(out) > 6 {
		return nil, false
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out, true
}

// Validate checks the settings, field by field.
func (o *Organisation) Validate() error {
	f := apperr.Fields{}
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		f.Add("name", "error.required")
	} else if utf8.RuneCountInString(o.Name) > 200 {
		f.Add("name", "error.too_long")
	}
	o.LegalForm = strings.TrimSpace(o.LegalForm)
	if utf8.RuneCountInString(o.LegalForm) > 200 {
		f.Add("legal_form", "error.too_long")
	}
	o.SIREN = legal.Compact(o.SIREN)
	if o.SIREN != "" {
		if key := legal.CheckSIREN(o.SIREN); key != "" {
			f.Add("siren", key)
		}
	}
	o.VATNumber = strings.ToUpper(legal.Compact(o.VATNumber))
	if o.VATNumber != "" {
		if key := legal.CheckVAT(o.VATNumber); key != "" {
			f.Add("vat_number", key)
		} else if o.SIREN != "" && strings.HasPrefix(o.VATNumber, "FR") && o.VATNumber[4:] != o.SIREN {
			f.Add("vat_number", "clients.error.vat_siren_mismatch")
		}
	}
	for field, v := range map[string]*string{"address_line1": &o.AddressLine1, "address_line2": &o.AddressLine2, "city": &o.City} {
		*v = strings.TrimSpace(*v)
		if utf8.RuneCountInString(*v) > 200 {
			f.Add(field, "error.too_long")
		}
	}
	o.PostalCode = legal.Compact(o.PostalCode)
	if o.PostalCode != "" && !legal.IsDigits(o.PostalCode, 5) {
		f.Add("postal_code", "clients.error.postal_code_fr")
	}
	o.Email = strings.TrimSpace(o.Email)
	if o.Email != "" {
		if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email || len(o.Email) > 254 {
			f.Add("email", "error.email_invalid")
		}
	}
	o.Phone = strings.TrimSpace(o.Phone)
	if o.Phone != "" && !legal.ValidPhone(o.Phone) {
		f.Add("phone", "clients.error.phone_invalid")
	}
	if len(o.ReminderLeadDays) == 0 {
		f.Add("reminder_lead_days", "settings.error.lead_days")
	}
	o.validateBilling(f)
	o.EInvoiceAddress = strings.TrimSpace(o.EInvoiceAddress)
	if key := legal.CheckEInvoiceAddress(o.EInvoiceAddress, o.SIREN); key != "" {
		f.Add("einvoice_address", key)
	}
	return f.Err()
}

// Update saves the settings if nobody changed them since version was read; otherwise Conflict.
func Update(ctx context.Context, db bun.IDB, o *Organisation, now time.Time) error {
	if err := o.Validate(); err != nil {
		return err
	}
	res, err := db.NewUpdate().Model(o).
		Column("name", "legal_form", "siren", "vat_number", "address_line1", "address_line2", "postal_code",
			"city", "email", "phone", "require_staff_totp", "reminder_lead_days",
			"iban", "bic", "invoice_footer", "default_vat_bp", "vat_exempt", "late_penalty_bp",
			"internal_hourly_cost_cents", "invoice_reminder_days", "einvoice_address").
		Set("updated_at = ?", now.UTC()).Set("version = version + 1").
		Where("id = 1 AND version = ?", o.Version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("provider: update: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflictf("error.stale")
	}
	o.Version++
	return nil
}
