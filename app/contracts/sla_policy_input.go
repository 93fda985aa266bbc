package contracts

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSLADayHours splits a weekday's service hours as typed in the form, "09:00-12:30, 13:30-18:00"
// (commas or semicolons), into its intervals; an empty text is a closed day. The intervals are
// checked by Validate, so that each problem is reported on its field.
func ParseSLADayHours(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// FormatSLADayHours writes a weekday's intervals back as the form shows them.
func FormatSLADayHours(spans []string) string { return strings.Join(spans, ", ") }

// ParseSLAClosures reads closure days typed one per line, as 2026-12-24 or 24/12/2026; blank lines
// are skipped. The error names the first line that is not a date.
func ParseSLAClosures(text string) ([]time.Time, error) {
	var out []time.Time
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var d time.Time
		var err error
		if strings.Contains(line, "/") {
			d, err = time.Parse("2/1/2006", line)
		} else {
			d, err = time.Parse(time.DateOnly, line)
		}
		if err != nil {
			return nil, fmt.Errorf("contracts: parse sla closures: %q is not a date", line)
		}
		out = append(out, d)
	}
	return out, nil
}

// FormatSLAClosures writes closure days one per line, as 24/12/2026.
func FormatSLAClosures(days []time.Time) string {
	lines := make([]string, len(days))
	for i, d := range days {
		lines[i] = d.Format("02/01/2006")
	}
	return strings.Join(lines, "\n")
}

// ParseSLAPercent reads a percentage typed in a form ("0,5", "0.5", "12", "1,25 %") into basis
// points (1/100 of a percent, so "0,5" is 50). More than two decimals, a sign or anything else is
// refused; the range is checked by Validate. An empty text is 0.
func ParseSLAPercent(s string) (int, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 6 || len(frac) > 2 || !slaDigits(whole) || !slaDigits(frac) {
		return 0, fmt.Errorf("contracts: parse percent %q", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, _ := strconv.Atoi(whole)
	f, _ := strconv.Atoi(frac)
	return w*100 + f, nil
}

// FormatSLAPercent writes basis points as a percentage with the given decimal separator and no
// useless zeros: 50 is "0,5", 1000 is "10".
func FormatSLAPercent(bp int, decimalSep string) string {
	s := strconv.Itoa(bp / 100)
	if rest := bp % 100; rest != 0 {
		s += decimalSep + strings.TrimRight(fmt.Sprintf("%02d", rest), "0")
	}
	return s
}

func slaDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
