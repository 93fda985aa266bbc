package sla

import (
	"slices"
	"time"
)

// Pause is a span [From, To) during which the SLA clock of a request is
// stopped, typically while waiting for the customer. A zero To means the
// request is still paused.
type Pause struct {
	From time.Time
	To   time.Time
}

// Clock is the SLA clock of one request: business time runs from
// OpenedAt according to Calendar (which must not be nil), except during
// Pauses. It is a pure value computed from what tickets store.
//
// Pauses are normalized before use: the part before OpenedAt is ignored,
// empty or inverted pauses (To not after From) are ignored, and
// overlapping or adjacent pauses are merged, an open pause absorbing all
// those after it.
type Clock struct {
	Calendar *Calendar
	OpenedAt time.Time
	Pauses   []Pause
}

// Elapsed returns the business time consumed at now: the business time
// in [OpenedAt, now) outside pauses. An open pause counts as lasting
// until now.
func (c Clock) Elapsed(now time.Time) time.Duration {
	total := c.Calendar.Between(c.OpenedAt, now)
	for _, p := range c.pauses() {
		if !p.From.Before(now) {
			break
		}
		to := p.To
		if to.IsZero() || to.After(now) {
			to = now
		}
		total -= c.Calendar.Between(p.From, to)
	}
	return total
}

// Paused reports whether the clock is stopped by a pause at now.
func (c Clock) Paused(now time.Time) bool {
	for _, p := range c.pauses() {
		if !now.Before(p.From) && (p.To.IsZero() || now.Before(p.To)) {
			return true
		}
	}
	return false
}

// Due returns the instant at which target business time will have
// elapsed given the pauses so far, i.e. the earliest running instant at
// which Elapsed reaches target; without pauses it is
// Calendar.Add(OpenedAt, target). If the request is paused (open pause)
// before the target is reached, the due instant depends on when the
// pause ends and Due returns ok == false. A target already reached
// before an open pause started is still reported.
func (c Clock) Due(target time.Duration) (due time.Time, ok bool) {
	cal := c.Calendar
	if target < 0 {
		target = 0
	}
	from := c.OpenedAt
	for _, p := range c.pauses() {
		// The clock runs in [from, p.From).
		if target == 0 {
			if t := cal.NextOpen(from); t.Before(p.From) {
				return t, true
			}
		} else if run := cal.Between(from, p.From); target <= run {
			return cal.Add(from, target), true
		} else {
			target -= run
		}
		if p.To.IsZero() {
			return time.Time{}, false
		}
		from = p.To
	}
	return cal.Add(from, target), true
}

// pauses returns the normalized pauses described on Clock, sorted.
func (c Clock) pauses() []Pause {
	ps := make([]Pause, 0, len(c.Pauses))
	for _, p := range c.Pauses {
		if p.From.Before(c.OpenedAt) {
			p.From = c.OpenedAt
		}
		if !p.To.IsZero() && !p.To.After(p.From) {
			continue
		}
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b Pause) int { return a.From.Compare(b.From) })
	merged := ps[:0]
	for _, p := range ps {
		if n := len(merged); n > 0 {
			last := &merged[n-1]
			if last.To.IsZero() {
				continue // open pause absorbs the rest
			}
			if !p.From.After(last.To) {
				if p.To.IsZero() || p.To.After(last.To) {
					last.To = p.To
				}
				continue
			}
		}
		merged = append(merged, p)
	}
	return merged
}
