package contracts

import "time"

// Contract dates are civil dates: a day, with no time of day and no time zone. They are held as
// time.Time at UTC midnight everywhere in this package (the database's date columns read back that
// way), and compared with Before/After/Equal.
//
// Month arithmetic clamps to the end of the month: AddMonths(31 January, 1) is 28 February (29 in
// a leap year), AddMonths(31 March, -1) is 28 (29) February. Every period boundary is computed from
// the start date, never from the previous boundary, so the clamping never accumulates: a contract
// started on 31 January for one month renewed monthly has its renewals on 28 February, 31 March,
// 30 April, 31 May…
//
// A term of N months starting on day S runs from S to the day before AddMonths(S, N): 1 January
// for 12 months ends on 31 December; the renewal date (first day of the next period) is
// AddMonths(S, N). The last day to give notice against a renewal is the end of the current period
// minus the notice months (AddMonths(periodEnd, -notice)): with a period ending on 31 December and
// three months' notice, notice must be given by 30 September.

// Day returns the civil date of t, as seen in t's own location, at UTC midnight. Convert an instant
// to the provider's zone first: Day(now.In(loc)) is "today" for the provider.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AddMonths returns the civil date n months after d (before, when n is negative), clamped to the
// last day of the target month when d's day does not exist there.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := daysIn(first.Year(), first.Month()); day > last {
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}

// daysIn returns the number of days of a month.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthsBetween counts calendar months from a's month to b's month, ignoring days.
func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// Term is the part of a contract's terms that fixes its deadlines.
type Term struct {
	Start         time.Time
	InitialMonths int
	// RenewalMonths is the length of each tacit renewal; 0: no renewal, the contract ends after the
	// initial term.
	RenewalMonths int
	NoticeMonths  int
}

// Schedule is where a contract stands in time on a given day. Zero dates mean "none".
type Schedule struct {
	Today time.Time
	Start time.Time
	// InitialEnd is the last day of the initial term.
	InitialEnd time.Time
	// Period is the number of the period Today falls in (or the last period, once the contract has
	// ended): 0 for the initial term, k for the k-th renewal.
	Period      int
	PeriodStart time.Time
	PeriodEnd   time.Time
	// NextRenewal is the first day of the next period, when the contract renews tacitly and no
	// notice has been given.
	NextRenewal time.Time
	// NoticeDeadline is the last day to give notice against NextRenewal.
	NoticeDeadline time.Time
	// EndDate is the contract's last day: the end date set by a notice, or the end of the initial
	// term when there is no renewal. Zero while it renews indefinitely.
	EndDate time.Time
}

// Deadlines computes the schedule of a contract with term t on day today. endsOn is the end date
// fixed by a termination notice, or the zero time.
func Deadlines(t Term, endsOn, today time.Time) Schedule {
	start, today := Day(t.Start), Day(today)
	s := Schedule{Today: today, Start: start}
	if t.InitialMonths <= 0 {
		return s
	}
	b0 := AddMonths(start, t.InitialMonths)
	s.InitialEnd = b0.AddDate(0, 0, -1)
	if !endsOn.IsZero() {
		endsOn = Day(endsOn)
	}

	// The day whose period we want: today, or the last day of the contract once it has ended.
	at := today
	if !endsOn.IsZero() && at.After(endsOn) {
		at = endsOn
	}
	if t.RenewalMonths <= 0 && at.After(s.InitialEnd) {
		at = s.InitialEnd
	}

	// Period k runs from boundary(k-1) to the day before boundary(k); boundary(-1) is the start.
	boundary := func(k int) time.Time { return AddMonths(start, t.InitialMonths+k*t.RenewalMonths) }
	k := 0
	if t.RenewalMonths > 0 && !at.Before(b0) {
		k0 := max(0, (monthsBetween(start, at)-t.InitialMonths)/t.RenewalMonths)
		if k = k0; !boundary(k0).After(at) {
			k = k0 + 1
		}
	}
	s.Period = k
	s.PeriodStart = start
	if k > 0 {
		s.PeriodStart = boundary(k - 1)
	}
	s.PeriodEnd = boundary(k).AddDate(0, 0, -1)

	switch {
	case !endsOn.IsZero():
		s.EndDate = endsOn
	case t.RenewalMonths <= 0:
		s.EndDate = s.InitialEnd
	default:
		s.NextRenewal = boundary(k)
		s.NoticeDeadline = AddMonths(s.PeriodEnd, -t.NoticeMonths)
	}
	return s
}

// Started tells whether the contract's first day has come.
func (s Schedule) Started() bool { return !s.Today.Before(s.Start) }

// Ended tells whether the contract's last day has passed.
func (s Schedule) Ended() bool { return !s.EndDate.IsZero() && s.Today.After(s.EndDate) }

// Renews tells whether the contract will renew tacitly at the end of the current period.
func (s Schedule) Renews() bool { return !s.NextRenewal.IsZero() }

// Deadline kinds: the last day to give notice, a tacit renewal, the contract's end.
const (
	DeadlineNotice  = "notice"
	DeadlineRenewal = "renewal"
	DeadlineEnd     = "end"
)

// Deadline is a date that matters in a contract's life.
type Deadline struct {
	Kind string
	On   time.Time
}

// Label is the catalogue key naming the kind of deadline ("contract.deadline.notice").
func (d Deadline) Label() string { return "contract.deadline." + d.Kind }

// Next returns the next deadline the manager must watch: the contract's end when it has one (even
// past, until it is marked expired), else the last day to give notice while it is still ahead, else
// the renewal. The list of contracts sorts by the same rule, in SQL (nextDeadlineSQL).
func (s Schedule) Next() (Deadline, bool) {
	switch {
	case !s.EndDate.IsZero():
		return Deadline{DeadlineEnd, s.EndDate}, true
	case !s.NoticeDeadline.IsZero() && !s.NoticeDeadline.Before(s.Today):
		return Deadline{DeadlineNotice, s.NoticeDeadline}, true
	case !s.NextRenewal.IsZero():
		return Deadline{DeadlineRenewal, s.NextRenewal}, true
	}
	return Deadline{}, false
}

// Notice is what giving termination notice on a given day does.
type Notice struct {
	// EndsOn is the contract's last day if notice is given that day.
	EndsOn time.Time
	// TooLate is set when the last day to give notice against the coming renewal has passed: the
	// contract renews once more and ends at the end of the following period.
	TooLate bool
	// Deadline is the last day to give notice against the coming renewal, Renewal that renewal's
	// date (both zero when the contract does not renew).
	Deadline time.Time
	Renewal  time.Time
	// Reason is the catalogue key explaining the outcome; its message takes EndsOn, Deadline and
	// Renewal as .EndsOn, .Deadline and .Renewal.
	Reason string
}

// Catalogue keys of the notice outcomes.
const (
	NoticeInTime    = "contract.notice.in_time"
	NoticeTooLate   = "contract.notice.too_late"
	NoticeNoRenewal = "contract.notice.no_renewal"
)

// NoticeEffect tells what notice given on day today does to a contract with term t that has no
// notice yet: it ends at the end of the current period when today is on or before the last day to
// give notice, otherwise at the end of the following period (too late for the coming renewal). A
// contract without renewal ends at the end of its initial term whatever the notice.
func (t Term) NoticeEffect(today time.Time) Notice {
	s := Deadlines(t, time.Time{}, today)
	if !s.Renews() {
		return Notice{EndsOn: s.EndDate, Reason: NoticeNoRenewal}
	}
	n := Notice{Deadline: s.NoticeDeadline, Renewal: s.NextRenewal, EndsOn: s.PeriodEnd, Reason: NoticeInTime}
	if s.Today.After(s.NoticeDeadline) {
		n.TooLate, n.Reason = true, NoticeTooLate
		n.EndsOn = AddMonths(s.Start, t.InitialMonths+(s.Period+1)*t.RenewalMonths).AddDate(0, 0, -1)
	}
	return n
}
