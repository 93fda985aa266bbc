package scheduling

import (
	"testing"
	"time"
)

// FuzzRecurrenceRule reads any text as a recurrence rule, as the plan form does: nothing panics or
// runs away; a rule the picker can show writes back to a rule that reads the same.
func FuzzRecurrenceRule(f *testing.F) {
	for _, s := range []string{
		"FREQ=WEEKLY;BYDAY=MO,TH", "rrule:freq=monthly;interval=3;bymonthday=-1", "FREQ=MONTHLY;BYDAY=2TU",
		"FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15", "FREQ=DAILY;COUNT=3", "FREQ=WEEKLY;INTERVAL=0", "FREQ=SECONDLY",
		"FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR", "FREQ=WEEKLY;BYDAY=+53MO", ";;;=", "FREQ=YEARLY;BYWEEKNO=60",
	} {
		f.Add(s, int64(0), 540)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rule string, dayOffset int64, atMinute int) {
		if len(rule) > 200 {
			return
		}
		dayOffset = ((dayOffset % 3650) + 3650) % 3650
		first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(dayOffset))
		atMinute = ((atMinute % 1440) + 1440) % 1440
		if r, ok := ParseRecurrence(rule, first); ok {
			again, ok := ParseRecurrence(r.Rule(), first)
			if !ok || again.Rule() != r.Rule() {
				t.Fatalf("%q → %q reads back as %q (%v)", rule, r.Rule(), again.Rule(), ok)
			}
		}
		// What the plan form runs on any input: it answers (a key or "") over a one-year window.
		w := Window{From: first, To: first.AddDate(1, 0, 0)}
		if key := CheckRule(NormalizeRule(rule), first, atMinute, nil, paris, w); key == "" {
			if _, err := newRule(NormalizeRule(rule), first, atMinute, paris); err != nil {
				t.Fatalf("%q accepted but does not build: %v", rule, err)
			}
		}
	})
}
