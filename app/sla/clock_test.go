package sla

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	cal := office(t)
	opened := "2026-03-09 10:00" // Monday
	type pause struct{ from, to string }
	tests := []struct {
		name    string
		opened  string
		pauses  []pause
		now     string
		elapsed time.Duration
		paused  bool
		target  time.Duration
		due     string // "" when unknown
	}{
		{"no pause", opened, nil, "2026-03-09 12:00", 2 * time.Hour, false, 4 * time.Hour, "2026-03-09 14:00"},
		{"before opening", opened, nil, "2026-03-09 09:00", 0, false, time.Hour, "2026-03-09 11:00"},
		{"closed pause", opened, []pause{{"2026-03-09 11:00", "2026-03-09 13:00"}}, "2026-03-09 14:00", 2 * time.Hour, false, 4 * time.Hour, "2026-03-09 16:00"},
		{"in a closed pause", opened, []pause{{"2026-03-09 11:00", "2026-03-09 13:00"}}, "2026-03-09 12:00", time.Hour, true, 4 * time.Hour, "2026-03-09 16:00"},
		{"pause overnight", opened, []pause{{"2026-03-09 17:00", "2026-03-10 10:00"}}, "2026-03-10 11:00", 8 * time.Hour, false, 8 * time.Hour, "2026-03-10 11:00"},
		{"due when pause starts", opened, []pause{{"2026-03-09 17:00", "2026-03-10 10:00"}}, "2026-03-10 11:00", 8 * time.Hour, false, 7 * time.Hour, "2026-03-09 17:00"},
		{"open pause", opened, []pause{{"2026-03-09 11:00", ""}}, "2026-03-09 15:00", time.Hour, true, 4 * time.Hour, ""},
		{"reached before open pause", opened, []pause{{"2026-03-09 11:00", ""}}, "2026-03-09 15:00", time.Hour, true, 30 * time.Minute, "2026-03-09 10:30"},
		{"reached as open pause starts", opened, []pause{{"2026-03-09 11:00", ""}}, "2026-03-09 15:00", time.Hour, true, time.Hour, "2026-03-09 11:00"},
		{"open pause in the future", opened, []pause{{"2026-03-09 16:00", ""}}, "2026-03-09 15:00", 5 * time.Hour, false, 8 * time.Hour, ""},
		{"pause on the weekend", opened, []pause{{"2026-03-13 18:30", "2026-03-16 08:00"}}, "2026-03-16 10:00", 45 * time.Hour, false, 45 * time.Hour, "2026-03-16 10:00"},
		{"pause before opened", opened, []pause{{"2026-03-06 10:00", "2026-03-09 11:00"}}, "2026-03-09 12:00", time.Hour, false, time.Hour, "2026-03-09 12:00"},
		{"pause entirely before opened", opened, []pause{{"2026-03-06 10:00", "2026-03-06 11:00"}}, "2026-03-09 12:00", 2 * time.Hour, false, time.Hour, "2026-03-09 11:00"},
		{"overlapping pauses", opened, []pause{{"2026-03-09 11:30", "2026-03-09 13:00"}, {"2026-03-09 11:00", "2026-03-09 12:00"}}, "2026-03-09 14:00", 2 * time.Hour, false, 4 * time.Hour, "2026-03-09 16:00"},
		{"adjacent pauses", opened, []pause{{"2026-03-09 11:00", "2026-03-09 12:00"}, {"2026-03-09 12:00", "2026-03-09 13:00"}}, "2026-03-09 14:00", 2 * time.Hour, false, 4 * time.Hour, "2026-03-09 16:00"},
		{"two pauses", opened, []pause{{"2026-03-09 11:00", "2026-03-09 12:00"}, {"2026-03-09 15:00", "2026-03-10 09:30"}}, "2026-03-10 10:00", 4*time.Hour + 30*time.Minute, false, 6 * time.Hour, "2026-03-10 11:30"},
		{"inverted pause ignored", opened, []pause{{"2026-03-09 12:00", "2026-03-09 11:00"}}, "2026-03-09 14:00", 4 * time.Hour, false, 4 * time.Hour, "2026-03-09 14:00"},
		{"open pause absorbs later", opened, []pause{{"2026-03-09 11:00", ""}, {"2026-03-09 12:00", "2026-03-09 13:00"}}, "2026-03-09 15:00", time.Hour, true, 4 * time.Hour, ""},
		{"opened at night", "2026-03-06 20:00", []pause{{"2026-03-07 10:00", "2026-03-08 10:00"}}, "2026-03-09 10:00", time.Hour, false, time.Hour, "2026-03-09 10:00"},
		{"paused over a holiday", "2026-04-03 17:00", []pause{{"2026-04-03 17:30", "2026-04-07 10:00"}}, "2026-04-07 11:00", 90 * time.Minute, false, 2 * time.Hour, "2026-04-07 11:30"},
		{"zero target", "2026-03-07 10:00", nil, "2026-03-09 10:00", time.Hour, false, 0, "2026-03-09 09:00"},
		{"zero target paused until later", "2026-03-07 10:00", []pause{{"2026-03-07 10:00", "2026-03-09 11:00"}}, "2026-03-09 12:00", time.Hour, false, 0, "2026-03-09 11:00"},
	}
	for _, tt := range tests {
		c := Clock{Calendar: cal, OpenedAt: at(t, tt.opened)}
		for _, p := range tt.pauses {
			var to time.Time
			if p.to != "" {
				to = at(t, p.to)
			}
			c.Pauses = append(c.Pauses, Pause{From: at(t, p.from), To: to})
		}
		now := at(t, tt.now)
		if got, want := c.Elapsed(now), tt.elapsed; got != want {
			t.Errorf("%s: Elapsed(%s) = %v, want %v", tt.name, tt.now, got, want)
		}
		if got, want := c.Paused(now), tt.paused; got != want {
			t.Errorf("%s: Paused(%s) = %v, want %v", tt.name, tt.now, got, want)
		}
		due, ok := c.Due(tt.target)
		if got, want := ok, tt.due != ""; got != want {
			t.Errorf("%s: Due(%v) ok = %v, want %v", tt.name, tt.target, got, want)
			continue
		}
		if !ok {
			if !due.IsZero() {
				t.Errorf("%s: Due(%v) = %v with ok false, want zero", tt.name, tt.target, due)
			}
			continue
		}
		if want := at(t, tt.due); !due.Equal(want) {
			t.Errorf("%s: Due(%v) = %v, want %v", tt.name, tt.target, due, want)
		}
	}
}

// TestClockDueElapsed checks that Due is the earliest instant at which
// Elapsed reaches the target, for many pause layouts.
func TestClockDueElapsed(t *testing.T) {
	cals := map[string]*Calendar{"office": office(t), "lunch": lunch(t), "24/7": alwaysOpen(t)}
	opened := at(t, "2026-03-26 16:20") // spans the DST weekend and Easter
	for name, cal := range cals {
		for i := 0; i < 200; i++ {
			c := Clock{Calendar: cal, OpenedAt: opened}
			from := opened.Add(time.Duration(i%7) * 47 * time.Minute)
			for j := 0; j < i%4; j++ {
				from = from.Add(time.Duration(i*j%11+1) * 3 * time.Hour)
				to := from.Add(time.Duration(i%5+1) * 95 * time.Minute)
				c.Pauses = append(c.Pauses, Pause{From: from, To: to})
				from = to
			}
			for _, target := range []time.Duration{time.Minute, time.Hour, 4 * time.Hour, 20 * time.Hour, 60 * time.Hour} {
				due, ok := c.Due(target)
				if !ok {
					t.Fatalf("%s: Due(%v) not ok with closed pauses %v", name, target, c.Pauses)
				}
				if got, want := c.Elapsed(due), target; got != want {
					t.Fatalf("%s: Elapsed(Due(%v) = %v) = %v, pauses %v", name, target, due, got, c.Pauses)
				}
				if got := c.Elapsed(due.Add(-time.Second)); got >= target {
					t.Fatalf("%s: Elapsed one second before Due(%v) = %v is already reached, pauses %v", name, target, got, c.Pauses)
				}
				if c.Paused(due.Add(-time.Second)) && c.Paused(due) {
					t.Fatalf("%s: Due(%v) = %v falls inside a pause", name, target, due)
				}
			}
		}
	}
}

func BenchmarkClockElapsed(b *testing.B) {
	cal := office(b)
	opened := at(b, "2026-03-20 17:55")
	c := Clock{Calendar: cal, OpenedAt: opened, Pauses: []Pause{
		{From: opened.Add(20 * time.Hour), To: opened.Add(30 * time.Hour)},
		{From: opened.Add(100 * time.Hour), To: opened.Add(130 * time.Hour)},
	}}
	now := opened.AddDate(0, 0, 21)
	for b.Loop() {
		c.Elapsed(now)
	}
}
