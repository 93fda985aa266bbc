// Package legal checks the identifiers of French companies (SIREN, SIRET, intra-community VAT
// numbers) and phone numbers, for clients and for the provider alike. It returns catalogue keys.
package legal

import (
	"fmt"
	"strings"
	"unicode"
)

// MaxPhone bounds the length of a phone number.
const MaxPhone = 40

// CheckSIREN returns the catalogue key of what is wrong with a SIREN (9 digits whose Luhn checksum
// holds), or "" when it is valid.
func CheckSIREN(s string) string {
	if !IsDigits(s, 9) {
		return "clients.error.siren_format"
	}
	if !luhn(s) {
		return "clients.error.siren_checksum"
	}
	return ""
}

// laPoste is the SIREN of La Poste, whose establishments' SIRETs follow another checksum (the sum of
// the digits is a multiple of 5) because there are more of them than the Luhn key allows.
const laPoste = "356000000"

// CheckSIRET returns the catalogue key of what is wrong with a SIRET (14 digits whose Luhn checksum
// holds, and a valid SIREN in its first 9), or "" when it is valid.
func CheckSIRET(s string) string {
	if !IsDigits(s, 14) {
		return "clients.error.siret_format"
	}
	if CheckSIREN(s[:9]) != "" {
		return "clients.error.siret_checksum"
	}
	if !luhn(s) && (s[:9] != laPoste || digitSum(s)%5 != 0) {
		return "clients.error.siret_checksum"
	}
	return ""
}

// FrenchVATKey returns the 2-digit key of the French VAT number of a SIREN: (12 + 3 × (SIREN mod 97))
// mod 97. The SIREN must be 9 digits.
func FrenchVATKey(siren string) int {
	n := 0
	for _, r := range siren {
		n = (n*10 + int(r-'0')) % 97
	}
	return (12 + 3*n) % 97
}

// FrenchVATNumber returns the French VAT number of a valid SIREN ("FR" + key + SIREN).
func FrenchVATNumber(siren string) string {
	return fmt.Sprintf("FR%02d%s", FrenchVATKey(siren), siren)
}

// CheckVAT returns the catalogue key of what is wrong with an intra-community VAT number in its
// stored form (no spaces, upper case), or "" when it is valid. A French number is "FR", its 2-digit
// key and the company's SIREN, and the key must match; other countries' numbers are checked for
// their shape only: 2 letters and 2 to 13 letters or digits.
func CheckVAT(s string) string {
	if strings.HasPrefix(s, "FR") {
		if len(s) != 13 || !IsDigits(s[2:], 11) {
			return "clients.error.vat_fr_format"
		}
		siren := s[4:]
		if CheckSIREN(siren) != "" || s != FrenchVATNumber(siren) {
			return "clients.error.vat_fr_key"
		}
		return ""
	}
	if len(s) < 4 || len(s) > 15 || !IsLetters(s[:2], 2) {
		return "clients.error.vat_format"
	}
	for _, r := range s[2:] {
		if !(r >= '0' && r <= '9') && !(r >= 'A' && r <= 'Z') {
			return "clients.error.vat_format"
		}
	}
	return ""
}

// luhn tells whether a string of digits passes the Luhn checksum.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func digitSum(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n += int(s[i] - '0')
	}
	return n
}

// Compact removes every space (including no-break ones), as people paste "732 829 320".
func Compact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// IsDigits tells whether s is exactly n ASCII digits.
func IsDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsLetters tells whether s is exactly n ASCII capital letters.
func IsLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// ValidPhone accepts the ways people write phone numbers ("01 23 45 67 89", "+33 (0)1.23.45.67.89")
// and nothing else: digits, spaces, + . - ( ) /, with 4 to 20 digits.
func ValidPhone(s string) bool {
	if len(s) > MaxPhone {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '/':
		default:
			return false
		}
	}
	return digits >= 4 && digits <= 20
}
