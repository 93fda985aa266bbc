package provider

import (
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"

	"maintenant/app/apperr"
	"maintenant/app/legal"
)

// VATRates are the French VAT rates, in basis points, a default rate may take.
var VATRates = []int{2000, 1000, 550, 210, 0}

// Limits of the billing settings.
const (
	MaxInvoiceFooter        = 2000
	MaxLatePenaltyBP        = 10000
	MaxInternalHourlyCost   = 10_000_000
	MaxInvoiceReminderSteps = 6
)

// CheckIBAN returns the catalogue key of what is wrong with an IBAN in its compact form (capitals,
// no space), or "" when its ISO 13616 check digits are right.
func CheckIBAN(s string) string {
	if len(s) < 15 || len(s) > 34 || !legal.IsLetters(s[:2], 2) || !legal.IsDigits(s[2:4], 2) {
		return "settings.error.iban_format"
	}
	var b strings.Builder
	for _, r := range s[4:] + s[:4] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteString(big.NewInt(int64(r - 'A' + 10)).String())
		default:
			return "settings.error.iban_format"
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	if !ok || new(big.Int).Mod(n, big.NewInt(97)).Int64() != 1 {
		return "settings.error.iban_checksum"
	}
	return ""
}

// CheckBIC returns the catalogue key of what is wrong with a BIC (8 or 11 characters), or "".
func CheckBIC(s string) string {
	if (len(s) != 8 && len(s) != 11) || !legal.IsLetters(s[:6], 6) {
		return "settings.error.bic_format"
	}
	for _, r := range s[6:] {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return "settings.error.bic_format"
		}
	}
	return ""
}

// validateBilling checks the billing settings into f.
func (o *Organisation) validateBilling(f apperr.Fields) {
	o.IBAN = strings.ToUpper(legal.Compact(o.IBAN))
	if o.IBAN != "" {
		if key := CheckIBAN(o.IBAN); key != "" {
			f.Add("iban", key)
		}
	}
	o.BIC = strings.ToUpper(legal.Compact(o.BIC))
	if o.BIC != "" {
		if key := CheckBIC(o.BIC); key != "" {
			f.Add("bic", key)
		}
	}
	o.InvoiceFooter = strings.TrimSpace(strings.ReplaceAll(o.InvoiceFooter, "\r\n", "\n"))
	if utf8.RuneCountInString(o.InvoiceFooter) > MaxInvoiceFooter {
		f.Add("invoice_footer", "error.too_long")
	}
	if !slices.Contains(VATRates, o.DefaultVATBP) {
		f.Add("default_vat_bp", "settings.error.vat_rate")
	}
	if o.LatePenaltyBP < 0 || o.LatePenaltyBP > MaxLatePenaltyBP {
		f.Add("late_penalty_bp", "settings.error.late_penalty")
	}
	if o.InternalHourlyCostCents < 0 || o.InternalHourlyCostCents > MaxInternalHourlyCost {
		f.Add("internal_hourly_cost", "settings.error.hourly_cost")
	}
	if len(o.InvoiceReminderDays) == 0 || len(o.InvoiceReminderDays) > MaxInvoiceReminderSteps {
		f.Add("invoice_reminder_days", "settings.error.reminder_days")
	}
}

// ParseReminderDays reads the reminder steps typed as "3, 15, 30" (days after the due date), in
// increasing order, each from 0 to 365.
func ParseReminderDays(s string) ([]int, bool) {
	days, ok := ParseLeadDays(s)
	if !ok {
		return nil, false
	}
	slices.Sort(days)
	return days, true
}
