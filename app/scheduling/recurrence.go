package scheduling

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"maintenant/app/apperr"
)

// Frequencies of the plan form's recurrence picker. FreqAdvanced is a rule typed in RFC 5545 form.
const (
	FreqWeekly    = "weekly"
	FreqMonthly   = "monthly"
	FreqQuarterly = "quarterly"
	FreqYearly    = "yearly"
	FreqAdvanced  = "advanced"
)

// How a monthly, quarterly or yearly recurrence picks its day.
const (
	OnMonthDay = "day"
	OnWeekday  = "weekday"
)

// Limits of the picker.
const (
	MaxInterval = 99
	// LastDay is the month day or the rank meaning "the last one".
	LastDay = -1
)

// Catalogue keys of the picker's errors.
const (
	ErrInterval = "schedule.error.interval"
	ErrWeekdays = "schedule.error.weekdays"
	ErrMonthDay = "schedule.error.month_day"
	ErrNth      = "schedule.error.nth"
	ErrMonth    = "schedule.error.month"
	ErrFreq     = "schedule.error.freq"
)

// Recurrence is a recurrence as the plan form's picker writes it: a frequency, an interval and the
// day it falls on. Rule turns it into the RFC 5545 rule the plan keeps, ParseRecurrence reads a
// rule back when the picker can show it.
type Recurrence struct {
	Freq     string
	Interval int
	// Weekdays are the days of a weekly recurrence.
	Weekdays []time.Weekday
	// On is OnMonthDay or OnWeekday, for the other frequencies.
	On string
	// MonthDay is 1 to 28, or LastDay.
	MonthDay int
	// Nth is the rank of Weekday in the month: 1 to 4, or LastDay.
	Nth     int
	Weekday time.Weekday
	// Month is the month of a yearly recurrence.
	Month time.Month
}

// Frequencies lists the picker's frequencies, in the order offered.
func Frequencies() []string {
	return []string{FreqWeekly, FreqMonthly, FreqQuarterly, FreqYearly, FreqAdvanced}
}

var rruleDays = []rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}

func weekdayCode(d time.Weekday) string { return rruleDays[d].String() }

// fromRRuleDay converts rrule-go's day (0 Monday … 6 Sunday) to a time.Weekday.
func fromRRuleDay(d int) time.Weekday { return time.Weekday((d + 1) % 7) }

// Check records what is wrong with the picker's input in f.
func (r *Recurrence) Check(f apperr.Fields) {
	if !slices.Contains(Frequencies(), r.Freq) || r.Freq == FreqAdvanced {
		f.Add("rec_freq", ErrFreq)
		return
	}
	if r.Interval < 1 || r.Interval > MaxInterval {
		f.Add("rec_interval", ErrInterval)
	}
	if r.Freq == FreqWeekly {
		if len(r.Weekdays) == 0 {
			f.Add("rec_weekdays", ErrWeekdays)
		}
		for _, d := range r.Weekdays {
			if d < time.Sunday || d > time.Saturday {
				f.Add("rec_weekdays", ErrWeekdays)
			}
		}
		return
	}
	if r.Freq == FreqYearly && (r.Month < time.January || r.Month > time.December) {
		f.Add("rec_month", ErrMonth)
	}
	switch r.On {
	case OnMonthDay:
		if r.MonthDay != LastDay && (r.MonthDay < 1 || r.MonthDay > 28) {
			f.Add("rec_monthday", ErrMonthDay)
		}
	case OnWeekday:
		if r.Nth != LastDay && (r.Nth < 1 || r.Nth > 4) {
			f.Add("rec_nth", ErrNth)
		}
		if r.Weekday < time.Sunday || r.Weekday > time.Saturday {
			f.Add("rec_weekday", ErrWeekdays)
		}
	default:
		f.Add("rec_on", "error.required")
	}
}

// Rule writes the recurrence as an RFC 5545 rule (the input must have passed Check).
func (r *Recurrence) Rule() string {
	var parts []string
	interval := r.Interval
	switch r.Freq {
	case FreqWeekly:
		parts = append(parts, "FREQ=WEEKLY")
	case FreqMonthly:
		parts = append(parts, "FREQ=MONTHLY")
	case FreqQuarterly:
		parts = append(parts, "FREQ=MONTHLY")
		interval *= 3
	case FreqYearly:
		parts = append(parts, "FREQ=YEARLY")
	}
	if interval > 1 {
		parts = append(parts, "INTERVAL="+strconv.Itoa(interval))
	}
	if r.Freq == FreqWeekly {
		days := slices.Clone(r.Weekdays)
		// Monday first, as people read a week.
		slices.SortFunc(days, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
		days = slices.Compact(days)
		codes := make([]string, len(days))
		for i, d := range days {
			codes[i] = weekdayCode(d)
		}
		return strings.Join(append(parts, "BYDAY="+strings.Join(codes, ",")), ";")
	}
	if r.Freq == FreqYearly {
		parts = append(parts, "BYMONTH="+strconv.Itoa(int(r.Month)))
	}
	if r.On == OnWeekday {
		parts = append(parts, "BYDAY="+strconv.Itoa(r.Nth)+weekdayCode(r.Weekday))
	} else {
		parts = append(parts, "BYMONTHDAY="+strconv.Itoa(r.MonthDay))
	}
	return strings.Join(parts, ";")
}

// ParseRecurrence reads a rule as the picker shows it; ok is false when the rule says more than the
// picker can (counts, end dates, several months or days…): it is then an advanced rule. What the
// rule leaves to its first day (the weekday, the day of the month, the month) is taken from firstOn.
func ParseRecurrence(rule string, firstOn time.Time) (r Recurrence, ok bool) {
	o, err := rrule.StrToROption(NormalizeRule(rule))
	if err != nil || o.Count != 0 || !o.Until.IsZero() || len(o.Bysetpos) > 0 || len(o.Byyearday) > 0 ||
		len(o.Byweekno) > 0 || len(o.Byhour) > 0 || len(o.Byminute) > 0 || len(o.Bysecond) > 0 || len(o.Byeaster) > 0 {
		return Recurrence{}, false
	}
	r.Interval = max(o.Interval, 1)
	switch o.Freq {
	case rrule.WEEKLY:
		if len(o.Bymonth) > 0 || len(o.Bymonthday) > 0 {
			return Recurrence{}, false
		}
		r.Freq = FreqWeekly
		for _, d := range o.Byweekday {
			if d.N() != 0 {
				return Recurrence{}, false
			}
			r.Weekdays = append(r.Weekdays, fromRRuleDay(d.Day()))
		}
		if len(r.Weekdays) == 0 {
			r.Weekdays = []time.Weekday{firstOn.Weekday()}
		}
		return r, true
	case rrule.MONTHLY:
		if len(o.Bymonth) > 0 {
			return Recurrence{}, false
		}
		r.Freq = FreqMonthly
		if r.Interval == 3 {
			r.Freq, r.Interval = FreqQuarterly, 1
		}
	case rrule.YEARLY:
		switch len(o.Bymonth) {
		case 0:
			r.Month = firstOn.Month()
		case 1:
			r.Month = time.Month(o.Bymonth[0])
		default:
			return Recurrence{}, false
		}
		r.Freq = FreqYearly
	default:
		return Recurrence{}, false
	}
	switch {
	case len(o.Bymonthday) == 0 && len(o.Byweekday) == 0:
		r.On, r.MonthDay = OnMonthDay, firstOn.Day()
		if r.MonthDay > 28 {
			return Recurrence{}, false
		}
	case len(o.Bymonthday) == 1 && len(o.Byweekday) == 0:
		r.On, r.MonthDay = OnMonthDay, o.Bymonthday[0]
		if r.MonthDay != LastDay && (r.MonthDay < 1 || r.MonthDay > 28) {
			return Recurrence{}, false
		}
	case len(o.Bymonthday) == 0 && len(o.Byweekday) == 1:
		d := o.Byweekday[0]
		if n := d.N(); n != LastDay && (n < 1 || n > 4) {
			return Recurrence{}, false
		}
		r.On, r.Nth, r.Weekday = OnWeekday, d.N(), fromRRuleDay(d.Day())
	default:
		return Recurrence{}, false
	}
	return r, true
}
