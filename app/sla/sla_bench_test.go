package sla

import (
	"testing"
	"time"
)

// BenchmarkClockDue computes a resolution deadline as the tickets do at each change: 16 business
// hours on the office calendar (French holidays), opened on the Thursday evening before the 8 May
// holiday, with a wait on the client over the long weekend.
func BenchmarkClockDue(b *testing.B) {
	cal, err := NewOfficeCalendar()
	if err != nil {
		b.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	opened := time.Date(2026, 5, 7, 17, 30, 0, 0, paris)
	c := Clock{Calendar: cal, OpenedAt: opened, Pauses: []Pause{
		{From: opened.Add(26 * time.Hour), To: opened.Add(96 * time.Hour)},
	}}
	b.ReportAllocs()
	var due time.Time
	for b.Loop() {
		d, ok := c.Due(16 * time.Hour)
		if !ok {
			b.Fatal("no due time")
		}
		due = d
	}
	if !due.After(opened) {
		b.Fatalf("due %v before opening %v", due, opened)
	}
}
