package interventions

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// Quantity is a material quantity in thousandths (1,5 → 1500), stored as numeric(12, 3).
type Quantity int64

// ParseQuantity reads a quantity as people type it ("2", "1,5", "0.250"): at most three decimals.
func ParseQuantity(s string) (Quantity, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 3 || len(whole) > 9 || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return 0, false
	}
	var w, f int64
	var err error
	if whole != "" {
		if w, err = strconv.ParseInt(whole, 10, 64); err != nil {
			return 0, false
		}
	}
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 3-len(frac)), 10, 64); err != nil || f < 0 {
			return 0, false
		}
	}
	return Quantity(w*1000 + f), true
}

// String writes the quantity with a point and no useless zeros ("1.5", "2").
func (q Quantity) String() string {
	sign := ""
	if q < 0 {
		sign, q = "-", -q
	}
	s := fmt.Sprintf("%s%d.%03d", sign, q/1000, q%1000)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// Value stores the quantity as a decimal string.
func (q Quantity) Value() (driver.Value, error) { return q.String(), nil }

// Scan reads a numeric column.
func (q *Quantity) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case int64:
		*q = Quantity(v * 1000)
		return nil
	case float64:
		s = strconv.FormatFloat(v, 'f', 3, 64)
	default:
		return fmt.Errorf("interventions: quantity from %T", src)
	}
	neg := strings.HasPrefix(s, "-")
	v, ok := ParseQuantity(strings.TrimPrefix(s, "-"))
	if !ok {
		return fmt.Errorf("interventions: quantity %q", s)
	}
	if neg {
		v = -v
	}
	*q = v
	return nil
}
