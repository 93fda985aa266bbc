package web

import "time"

// CivilDate is a calendar date for display: the day (at noon in the provider's zone, so that
// {{date}} shows that very day), how many days away it is from today (negative when past), and that
// distance in words: the catalogue key Rel with its count N ("dans 3 jours"). Tone is "past", "soon"
// (within 30 days) or "later", for the colour.
type CivilDate struct {
	On   time.Time
	Days int
	Rel  string
	N    int
	Tone string
}

// civil keeps the calendar day of t, at UTC midnight (how civil dates are stored).
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Today is the provider's today, as a civil date.
func (s *Server) Today() time.Time { return civil(s.Now().In(s.Config.Location)) }

// Noon turns a civil date (UTC midnight) into noon of that day in the provider's zone, which
// {{date}} shows as the same day whatever the zone.
func (s *Server) Noon(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, s.Config.Location)
}

// CivilDate describes the civil date t relative to today; nil for a zero date.
func (s *Server) CivilDate(t, today time.Time) *CivilDate {
	if t.IsZero() {
		return nil
	}
	d := &CivilDate{On: s.Noon(t), Days: int(civil(t).Sub(today).Hours() / 24)}
	switch n := d.Days; {
	case n == 0:
		d.Rel = "contract.relative.today"
	case n == 1:
		d.Rel = "contract.relative.tomorrow"
	case n == -1:
		d.Rel = "contract.relative.yesterday"
	case n >= 60:
		d.Rel, d.N = "contract.relative.in_months", n/30
	case n > 0:
		d.Rel, d.N = "contract.relative.in_days", n
	case n <= -60:
		d.Rel, d.N = "contract.relative.months_ago", -n/30
	default:
		d.Rel, d.N = "contract.relative.days_ago", -n
	}
	switch {
	case d.Days < 0:
		d.Tone = "past"
	case d.Days <= 30:
		d.Tone = "soon"
	default:
		d.Tone = "later"
	}
	return d
}
