package backoffice

import (
	"strconv"
	"testing"
)

// FuzzParseContractDecimal reads amounts as people type them in the contract, quote and invoice
// forms: never a negative number, and a plain number with a comma reads as itself.
func FuzzParseContractDecimal(f *testing.F) {
	for _, s := range []string{"1 234,56", "1234.56", "1.234,56", "1,234.56", "€ 12 HT", "-0", "-5", "1.234.567", "9999999999999999999,99", "", ",", "1,2,3"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, decimals int) {
		decimals = ((decimals % 4) + 4) % 4
		n, problem := parseContractDecimal(s, decimals)
		if problem == "" && n < 0 {
			t.Fatalf("parseContractDecimal(%q, %d) = %d", s, decimals, n)
		}
		if problem != "" && problem != "negative" && problem != "invalid" {
			t.Fatalf("parseContractDecimal(%q) = unknown problem %q", s, problem)
		}
		if problem == "" && n < 1_000_000_000 {
			scale := int64(1)
			for range decimals {
				scale *= 10
			}
			plain := strconv.FormatInt(n/scale, 10)
			if decimals > 0 {
				frac := strconv.FormatInt(n%scale+scale, 10)[1:]
				plain += "," + frac
			}
			if back, p := parseContractDecimal(plain, decimals); p != "" || back != n {
				t.Fatalf("%q → %d written %q reads %d (%q)", s, n, plain, back, p)
			}
		}
	})
}

// FuzzParseInterventionMinutes reads durations as technicians type them: a result is never
// negative unless the input starts with a minus.
func FuzzParseInterventionMinutes(f *testing.F) {
	for _, s := range []string{"90", "1 h 30", "1h30", "2 h", "1:30", "45 min", "-10", "h", ":", "99999999h", "1h99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseInterventionMinutes(s)
		if ok && n < 0 && !hasMinus(s) {
			t.Fatalf("parseInterventionMinutes(%q) = %d", s, n)
		}
	})
}

func hasMinus(s string) bool {
	for _, r := range s {
		if r == '-' {
			return true
		}
	}
	return false
}
