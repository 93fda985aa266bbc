package interventions

import (
	"strings"
	"testing"
)

// FuzzSafeCell: no CSV cell that leaves the exporter starts with what a spreadsheet runs as a
// formula, and a harmless cell is left alone.
func FuzzSafeCell(f *testing.F) {
	for _, s := range []string{"=1+1", "+33 6 12", "-2", "@SUM(A1)", "\t=cmd", "\r=x", "ok", "", "'=déjà", "＝1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SafeCell(s)
		if out != "" && strings.ContainsRune("=+-@\t\r", rune(out[0])) {
			t.Fatalf("SafeCell(%q) = %q still starts a formula", s, out)
		}
		if s != "" && !strings.ContainsRune("=+-@\t\r", rune(s[0])) && out != s {
			t.Fatalf("SafeCell(%q) = %q changed a harmless cell", s, out)
		}
		if !strings.HasSuffix(out, s) {
			t.Fatalf("SafeCell(%q) = %q lost text", s, out)
		}
	})
}

// FuzzParseQuantity reads quantities as people type them: never negative, and what it writes back
// reads the same.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"2", "1,5", "0.250", "-1", "1.2345", "999999999,999", " 3 ", ",5", "1e3", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, ok := ParseQuantity(s)
		if !ok {
			return
		}
		if q < 0 {
			t.Fatalf("ParseQuantity(%q) = %d, negative", s, q)
		}
		if back, ok := ParseQuantity(q.String()); !ok || back != q {
			t.Fatalf("ParseQuantity(%q) = %d writes %q, reads back %d (%v)", s, q, q.String(), back, ok)
		}
	})
}
