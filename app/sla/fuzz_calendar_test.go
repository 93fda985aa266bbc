package sla

import (
	"testing"
	"time"
)

// FuzzCalendarAddBetween checks the SLA arithmetic on the office calendar (holidays, weekends, DST
// changes) and on the always-open one: a deadline is never before its start, it falls in service
// hours, and the business time between the start and the deadline is exactly the target.
func FuzzCalendarAddBetween(f *testing.F) {
	f.Add(int64(0), int64(240), false)
	f.Add(int64(60*24*150+17*60+59), int64(1), false) // a Friday evening
	f.Add(int64(60*24*88), int64(60*9*3), false)      // around the spring DST change
	f.Add(int64(60*24*300), int64(60*24*40), true)
	office, err := NewOfficeCalendar()
	if err != nil {
		f.Fatal(err)
	}
	always, err := NewAlwaysOpenCalendar()
	if err != nil {
		f.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, startMin, targetMin int64, alwaysOpen bool) {
		c := office
		if alwaysOpen {
			c = always
		}
		startMin = ((startMin % (60 * 24 * 366 * 3)) + 60*24*366*3) % (60 * 24 * 366 * 3)
		targetMin = ((targetMin % (60 * 24 * 90)) + 60*24*90) % (60 * 24 * 90)
		start := base.Add(time.Duration(startMin) * time.Minute)
		d := time.Duration(targetMin) * time.Minute
		due := c.Add(start, d)
		if due.IsZero() || due.Before(start) {
			t.Fatalf("Add(%v, %v) = %v", start, d, due)
		}
		if got := c.Between(start, due); got != d {
			t.Fatalf("Between(%v, Add(%v)) = %v, want %v", start, d, got, d)
		}
		if d > 0 && !c.IsOpen(due.Add(-time.Nanosecond)) {
			t.Fatalf("deadline %v does not close service time", due)
		}
		if alwaysOpen && !due.Equal(start.Add(d)) {
			t.Fatalf("always open: %v, want %v", due, start.Add(d))
		}
	})
}
