package sla

import (
	"fmt"
	"time"
)

// Date is a civil calendar day with no time of day and no time zone.
// Holidays and closure days are whole days in the calendar's own zone;
// a plain value avoids the midnight and DST pitfalls of time.Time.
// The zero Date is invalid and reported by IsZero.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date for year, month and day, normalizing values
// out of range the way time.Date does (January 32 is February 1), so
// callers can do simple arithmetic on the fields.
func NewDate(year int, month time.Month, day int) Date {
	m := int(month) - 1
	year += floorDiv(m, 12)
	m = m - floorDiv(m, 12)*12 + 1
	return dateFromDays(daysFromCivil(year, m, 1) + day - 1)
}

// DateOf returns the date of t as seen in t's location, so the caller
// chooses the zone with t.In before asking which day an instant is.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses an ISO 8601 day ("2006-01-02"), the format used in
// forms, JSON and the database, and rejects impossible days.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("sla: parse date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// String formats d as "2006-01-02", the inverse of ParseDate.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText encodes d as "2006-01-02" so dates read naturally in JSON.
func (d Date) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText decodes a "2006-01-02" date, the inverse of MarshalText.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// IsZero reports whether d is the zero Date, i.e. unset.
func (d Date) IsZero() bool {
	return d == Date{}
}

// IsValid reports whether d names a real day (no February 30), which
// matters for values that bypassed NewDate and ParseDate.
func (d Date) IsValid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && NewDate(d.Year, d.Month, d.Day) == d
}

// AddDays returns d moved by n days (n may be negative); calendars walk
// day by day and this is cheaper than going through time.Time.
func (d Date) AddDays(n int) Date {
	return dateFromDays(d.days() + n)
}

// Weekday returns the day of the week of d, which selects the weekly
// service hours that apply to it.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(floorMod(d.days()+int(time.Thursday), 7))
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o, for
// use with slices.SortFunc and friends.
func (d Date) Compare(o Date) int {
	a, b := d.days(), o.days()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// days returns the number of days since 1970-01-01.
func (d Date) days() int {
	return daysFromCivil(d.Year, int(d.Month), d.Day)
}

func dateFromDays(n int) Date {
	y, m, d := civilFromDays(n)
	return Date{Year: y, Month: time.Month(m), Day: d}
}

// daysFromCivil and civilFromDays are Howard Hinnant's proleptic
// Gregorian conversions (http://howardhinnant.github.io/date_algorithms.html).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int {
	return a - floorDiv(a, b)*b
}
