package legal

import (
	"regexp"
	"strings"
)

// MaxEInvoiceAddress is the longest electronic invoicing address (BR-FR-25).
const MaxEInvoiceAddress = 125

var eInvoiceAddress = regexp.MustCompile(`^[A-Za-z0-9+_.-]+$`)

// CheckEInvoiceAddress returns the catalogue key of what is wrong with an electronic invoicing
// address of the French directory (scheme 0225) for a company of SIREN siren, or "" when it is
// valid: it starts with the SIREN (BR-FR-21), then an optional suffix of letters, digits and
// + _ . - (BR-FR-23), 125 characters at most (BR-FR-25). An empty address is valid: the SIREN alone
// is used.
func CheckEInvoiceAddress(addr, siren string) string {
	switch {
	case addr == "":
		return ""
	case len(addr) > MaxEInvoiceAddress || !eInvoiceAddress.MatchString(addr):
		return "einvoice.error.address_format"
	case siren == "" || !strings.HasPrefix(addr, siren):
		return "einvoice.error.address_siren"
	}
	return ""
}
