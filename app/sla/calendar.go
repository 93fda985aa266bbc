package sla

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MinutesPerDay is the upper bound of an Interval: 1440 means midnight at
// the end of the day, so 0–1440 is a whole day.
const MinutesPerDay = 24 * 60

// Interval is a span of service hours within one day, in minutes since
// local midnight, half-open [Start, End). Whole minutes keep configuration
// exact and easy to validate; 9:00–12:30 is {540, 750}.
type Interval struct {
	Start int
	End   int
}

// ParseInterval parses "09:00-12:30" (also "9:00–12:30" with an en dash),
// the form in which service hours are typed; "24:00" is accepted as an end.
func ParseInterval(s string) (Interval, error) {
	from, to, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	if !ok {
		return Interval{}, fmt.Errorf("sla: parse interval %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(from)
	if err != nil {
		return Interval{}, fmt.Errorf("sla: parse interval %q: %w", s, err)
	}
	end, err := parseClock(to)
	if err != nil {
		return Interval{}, fmt.Errorf("sla: parse interval %q: %w", s, err)
	}
	iv := Interval{start, end}
	if msg := iv.problem(); msg != "" {
		return Interval{}, fmt.Errorf("sla: parse interval %q: %s", s, msg)
	}
	return iv, nil
}

func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || len(mm) != 2 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("invalid time of day %q", s)
	}
	return h*60 + m, nil
}

// String formats iv as "09:00-12:30", the inverse of ParseInterval.
func (iv Interval) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", iv.Start/60, iv.Start%60, iv.End/60, iv.End%60)
}

// problem describes what is wrong with iv on its own, or returns "".
func (iv Interval) problem() string {
	switch {
	case iv.Start < 0 || iv.End > MinutesPerDay:
		return "must be within 00:00-24:00"
	case iv.Start >= iv.End:
		return "start must be before end"
	}
	return ""
}

// Week holds the service hours of each day of the week, indexed by
// time.Weekday (Sunday is 0). Each day is a sorted list of
// non-overlapping intervals; an empty day is closed.
type Week [7][]Interval

// Calendar says when the service-level clock runs: the weekly service
// hours in Location, minus French public holidays (if enabled) and the
// provider's own closure days. Build it with NewCalendar, which
// validates it; a validated Calendar is never modified by its methods
// and is safe for concurrent use. (A Calendar literal also works, but
// a nil Location then means UTC and closures are looked up linearly.)
//
// Time is wall-clock local time. Each interval [Start, End) of a day
// becomes the instants at which the local clock of Location reads Start
// and End that day, and business time is the real elapsed (physical)
// time between them. Office hours never meet a DST change, but a 24/7
// calendar (00:00-24:00) has 23 hours of business time on the last
// Sunday of March and 25 hours on the last Sunday of October. A
// boundary whose wall time does not exist (in the spring-forward gap,
// e.g. 02:30) resolves to the transition instant (03:00 CEST); a
// boundary whose wall time occurs twice (in the autumn overlap) resolves
// to its first occurrence. In both cases this is "the first instant at
// which the local clock reads that time or later", which keeps adjacent
// intervals (and days) contiguous, so a 24/7 calendar adds real time.
type Calendar struct {
	// Location is the zone of the service hours; NewCalendar defaults it
	// to Europe/Paris.
	Location *time.Location
	// Hours are the weekly service hours.
	Hours Week
	// FrenchHolidays closes the French public holidays.
	FrenchHolidays bool
	// AlsaceMoselle adds Good Friday and December 26 to the holidays
	// (only meaningful with FrenchHolidays).
	AlsaceMoselle bool
	// Closures are extra days without service (e.g. a closing week in
	// August, a bridge day).
	Closures []Date

	closed map[Date]bool // index of Closures, built by NewCalendar
}

// NewCalendar returns a validated copy of c, with Location defaulting to
// Europe/Paris and Closures sorted and deduplicated, so that Add and
// Between cannot fail afterwards. The error is a ValidationError when c
// is invalid.
func NewCalendar(c Calendar) (*Calendar, error) {
	if c.Location == nil {
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			return nil, fmt.Errorf("sla: load default location: %w", err)
		}
		c.Location = loc
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	for i, day := range c.Hours {
		c.Hours[i] = slices.Clone(day)
	}
	c.Closures = slices.Clone(c.Closures)
	slices.SortFunc(c.Closures, Date.Compare)
	c.Closures = slices.Compact(c.Closures)
	c.closed = make(map[Date]bool, len(c.Closures))
	for _, d := range c.Closures {
		c.closed[d] = true
	}
	return &c, nil
}

// NewOfficeCalendar returns the most common contract calendar: Monday to
// Friday 9:00-18:00 in Europe/Paris, closed on French public holidays.
func NewOfficeCalendar() (*Calendar, error) {
	day := []Interval{{9 * 60, 18 * 60}}
	return NewCalendar(Calendar{
		Hours:          Week{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day},
		FrenchHolidays: true,
	})
}

// NewAlwaysOpenCalendar returns a 24/7 calendar in Europe/Paris with no
// holidays, for critical contracts where the clock never stops; with it,
// business time is real elapsed time.
func NewAlwaysOpenCalendar() (*Calendar, error) {
	var w Week
	for i := range w {
		w[i] = []Interval{{0, MinutesPerDay}}
	}
	return NewCalendar(Calendar{Hours: w})
}

// ValidationError maps a field ("hours.monday", "closures",
// "targets.high.reaction"...) to what is wrong with it, so forms can show
// each problem next to its input.
type ValidationError map[string]string

// Error lists the problems sorted by field, for logs and API errors.
func (e ValidationError) Error() string {
	fields := make([]string, 0, len(e))
	for f := range e {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var b strings.Builder
	b.WriteString("sla: invalid")
	for i, f := range fields {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s: %s", f, e[f])
	}
	return b.String()
}

// Validate checks that every interval is within 00:00-24:00 with its
// start before its end, that each day's intervals are sorted and do not
// overlap, that the week has at least one open interval and that closures
// are real days. It returns a ValidationError or nil.
func (c *Calendar) Validate() error {
	errs := ValidationError{}
	open := false
	for wd, day := range c.Hours {
		field := "hours." + strings.ToLower(time.Weekday(wd).String())
		for i, iv := range day {
			if msg := iv.problem(); msg != "" {
				errs[field] = fmt.Sprintf("interval %s %s", iv, msg)
				break
			}
			if i > 0 && iv.Start < day[i-1].End {
				errs[field] = fmt.Sprintf("intervals %s and %s must be sorted and must not overlap", day[i-1], iv)
				break
			}
			open = true
		}
	}
	if !open {
		errs["hours"] = "at least one day must have service hours"
	}
	for _, d := range c.Closures {
		if !d.IsValid() {
			errs["closures"] = fmt.Sprintf("invalid date %s", d)
			break
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// IsClosedDay reports whether there is no service at all on d and why,
// with a French reason for display: "Fermeture exceptionnelle" for a
// closure, the holiday's name ("Lundi de Pâques"), or "Jour non ouvré"
// for a day without weekly hours, checked in that order.
func (c *Calendar) IsClosedDay(d Date) (closed bool, reason string) {
	if c.isClosure(d) {
		return true, "Fermeture exceptionnelle"
	}
	if c.FrenchHolidays {
		if h, ok := FrenchHoliday(d, c.AlsaceMoselle); ok {
			return true, h.Name
		}
	}
	if len(c.Hours[d.Weekday()]) == 0 {
		return true, "Jour non ouvré"
	}
	return false, ""
}

func (c *Calendar) isClosure(d Date) bool {
	if c.closed != nil {
		return c.closed[d]
	}
	return slices.Contains(c.Closures, d) // Calendar not built by NewCalendar
}

// hoursOn returns the service intervals of d, or nil if d is closed.
func (c *Calendar) hoursOn(d Date) []Interval {
	day := c.Hours[d.Weekday()]
	if len(day) == 0 || c.isClosure(d) {
		return nil
	}
	if c.FrenchHolidays {
		if _, ok := FrenchHoliday(d, c.AlsaceMoselle); ok {
			return nil
		}
	}
	return day
}

// IsOpen reports whether the SLA clock runs at t.
func (c *Calendar) IsOpen(t time.Time) bool {
	return c.NextOpen(t).Equal(t)
}

// NextOpen returns t if the calendar is open at t, or else the start of
// the next open interval: the instant from which a request made at t
// starts consuming business time.
func (c *Calendar) NextOpen(t time.Time) time.Time {
	return c.Add(t, 0)
}

// Add returns the instant at which d of business time has elapsed after
// start: the due instant of a target d for a request made at start.
// If start is outside service hours the clock starts at the next
// opening. A target that is exactly used up at the end of an interval
// is due at that end (Friday 17:00 + 1h is Friday 18:00, not Monday 9:00).
// For d == 0 (or negative), Add returns start if the calendar is open
// then, and otherwise the next opening, like NextOpen.
// The result is in the calendar's Location.
//
// Add walks interval by interval, so long targets are cheap. It only
// fails to find an opening on a calendar that was not validated and has
// no service hours at all; it then returns the zero Time.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	loc := c.location()
	cur := start.In(loc)
	if d < 0 {
		d = 0
	}
	// An open interval occurs at least once in any such stretch of days
	// of a valid calendar, even with every holiday and closure in it.
	limit := 7 * (len(c.Closures) + 60)
	idle := 0
	// Start the day before, in case a DST change at midnight makes the
	// previous day's last interval end after start's local midnight.
	for day := DateOf(cur).AddDays(-1); idle < limit; day = day.AddDays(1) {
		idle++
		for _, iv := range c.hoursOn(day) {
			s, e := wallTime(day, iv.Start, loc), wallTime(day, iv.End, loc)
			if !e.After(s) || !e.After(cur) {
				continue
			}
			idle = 0
			if cur.Before(s) {
				cur = s
			}
			left := e.Sub(cur)
			if d <= left {
				return cur.Add(d)
			}
			d -= left
			cur = e
		}
	}
	return time.Time{}
}

// Between returns the business time in [a, b): how much of the SLA
// clock ran between two instants. It is 0 if b is not after a, and
// Between(s, Add(s, d)) == d for any s and d >= 0.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	loc := c.location()
	a, b = a.In(loc), b.In(loc)
	last := DateOf(b)
	var total time.Duration
	for day := DateOf(a).AddDays(-1); !day.After(last); day = day.AddDays(1) {
		for _, iv := range c.hoursOn(day) {
			s, e := wallTime(day, iv.Start, loc), wallTime(day, iv.End, loc)
			if s.Before(a) {
				s = a
			}
			if e.After(b) {
				e = b
			}
			if e.After(s) {
				total += e.Sub(s)
			}
		}
	}
	return total
}

// location returns the calendar's zone. A Calendar not built by
// NewCalendar may have none; UTC is then the only choice that cannot fail.
func (c *Calendar) location() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// wallTime returns the first instant at which the clock of loc reads
// minute (minutes since midnight, up to 1440) on day d, or a later time:
// the transition instant if that wall time is skipped by a DST change,
// the first occurrence if it happens twice.
func wallTime(d Date, minute int, loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, 0, minute, 0, 0, loc)
	want := int64(d.days())*86400 + int64(minute)*60
	_, off := t.Zone()
	got := t.Unix() + int64(off)
	start, end := t.ZoneBounds()
	switch {
	case got > want: // skipped: t is after the gap
		return start
	case got < want: // skipped: t is before the gap
		return end
	case start.IsZero():
		return t
	}
	// If the previous zone was ahead (autumn), the same wall time may
	// also exist in it, earlier.
	_, prevOff := start.Add(-time.Second).Zone()
	if prevOff > off {
		if first := t.Add(-time.Duration(prevOff-off) * time.Second); first.Before(start) {
			return first
		}
	}
	return t
}
