package contracts

import (
	"testing"
	"time"
)

// d parses a civil date for the tables; "" is the zero time (none).
func dlDate(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dlString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"}, // clamped to the end of February
		{"2028-01-31", 1, "2028-02-29"}, // leap year
		{"2026-01-31", 2, "2026-03-31"},
		{"2026-01-31", 3, "2026-04-30"},
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-08-31", -6, "2026-02-28"},
		{"2026-12-31", 2, "2027-02-28"},
		{"2026-12-31", -3, "2026-09-30"},
		{"2026-01-15", 0, "2026-01-15"},
		{"2026-01-15", 12, "2027-01-15"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-01-01", -1, "2025-12-01"},
		{"2026-05-31", -13, "2025-04-30"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2026-01-01", 120, "2036-01-01"},
	}
	for _, tt := range tests {
		if got := dlString(AddMonths(dlDate(tt.from), tt.n)); got != tt.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestDay(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip(err)
	}
	// 23:30 UTC on 31 December is already 1 January in Paris.
	instant := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	if got := dlString(Day(instant.In(paris))); got != "2027-01-01" {
		t.Errorf("Day in Paris = %s, want 2027-01-01", got)
	}
	if got := dlString(Day(instant)); got != "2026-12-31" {
		t.Errorf("Day in UTC = %s, want 2026-12-31", got)
	}
	if got := Day(instant.In(paris)); got.Location() != time.UTC || got.Hour() != 0 {
		t.Errorf("Day = %v, want UTC midnight", got)
	}
}

func TestDeadlines(t *testing.T) {
	yearly := Term{Start: dlDate("2026-01-01"), InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3}
	tests := []struct {
		name   string
		term   Term
		endsOn string
		today  string

		period                                    int
		periodStart, periodEnd, renewal, deadline string
		end                                       string
		started, ended                            bool
		nextKind, nextOn                          string
	}{
		{name: "before the start", term: yearly, today: "2025-12-01",
			period: 0, periodStart: "2026-01-01", periodEnd: "2026-12-31", renewal: "2027-01-01", deadline: "2026-09-30",
			nextKind: DeadlineNotice, nextOn: "2026-09-30"},
		{name: "first day", term: yearly, today: "2026-01-01", started: true,
			period: 0, periodStart: "2026-01-01", periodEnd: "2026-12-31", renewal: "2027-01-01", deadline: "2026-09-30",
			nextKind: DeadlineNotice, nextOn: "2026-09-30"},
		{name: "initial term not yet ended, notice still possible", term: yearly, today: "2026-05-10", started: true,
			period: 0, periodStart: "2026-01-01", periodEnd: "2026-12-31", renewal: "2027-01-01", deadline: "2026-09-30",
			nextKind: DeadlineNotice, nextOn: "2026-09-30"},
		{name: "last day to give notice", term: yearly, today: "2026-09-30", started: true,
			period: 0, periodStart: "2026-01-01", periodEnd: "2026-12-31", renewal: "2027-01-01", deadline: "2026-09-30",
			nextKind: DeadlineNotice, nextOn: "2026-09-30"},
		{name: "notice day passed: the renewal is next", term: yearly, today: "2026-10-01", started: true,
			period: 0, periodStart: "2026-01-01", periodEnd: "2026-12-31", renewal: "2027-01-01", deadline: "2026-09-30",
			nextKind: DeadlineRenewal, nextOn: "2027-01-01"},
		{name: "last day of the initial term", term: yearly, today: "2026-12-31", started: true,
			period: 0, periodStart: "2026-01-01", periodEnd: "2026-12-31", renewal: "2027-01-01", deadline: "2026-09-30",
			nextKind: DeadlineRenewal, nextOn: "2027-01-01"},
		{name: "first day of the first renewal", term: yearly, today: "2027-01-01", started: true,
			period: 1, periodStart: "2027-01-01", periodEnd: "2027-12-31", renewal: "2028-01-01", deadline: "2027-09-30",
			nextKind: DeadlineNotice, nextOn: "2027-09-30"},
		{name: "in the second renewal period", term: yearly, today: "2028-03-01", started: true,
			period: 2, periodStart: "2028-01-01", periodEnd: "2028-12-31", renewal: "2029-01-01", deadline: "2028-09-30",
			nextKind: DeadlineNotice, nextOn: "2028-09-30"},
		{name: "years later", term: yearly, today: "2036-11-15", started: true,
			period: 10, periodStart: "2036-01-01", periodEnd: "2036-12-31", renewal: "2037-01-01", deadline: "2036-09-30",
			nextKind: DeadlineRenewal, nextOn: "2037-01-01"},
		{name: "no renewal, running", term: Term{Start: dlDate("2026-03-15"), InitialMonths: 24}, today: "2027-01-01", started: true,
			period: 0, periodStart: "2026-03-15", periodEnd: "2028-03-14", end: "2028-03-14",
			nextKind: DeadlineEnd, nextOn: "2028-03-14"},
		{name: "no renewal, ended", term: Term{Start: dlDate("2026-03-15"), InitialMonths: 24, NoticeMonths: 2}, today: "2029-01-01",
			started: true, ended: true,
			period: 0, periodStart: "2026-03-15", periodEnd: "2028-03-14", end: "2028-03-14",
			nextKind: DeadlineEnd, nextOn: "2028-03-14"},
		{name: "notice given: ends on the date set, no renewal", term: yearly, endsOn: "2027-12-31", today: "2027-06-01", started: true,
			period: 1, periodStart: "2027-01-01", periodEnd: "2027-12-31", end: "2027-12-31",
			nextKind: DeadlineEnd, nextOn: "2027-12-31"},
		{name: "notice given, end passed: stays in the last period", term: yearly, endsOn: "2027-12-31", today: "2028-06-01",
			started: true, ended: true,
			period: 1, periodStart: "2027-01-01", periodEnd: "2027-12-31", end: "2027-12-31",
			nextKind: DeadlineEnd, nextOn: "2027-12-31"},
		{name: "31 January monthly: first period ends the day before 28 February",
			term: Term{Start: dlDate("2026-01-31"), InitialMonths: 1, RenewalMonths: 1}, today: "2026-02-10", started: true,
			period: 0, periodStart: "2026-01-31", periodEnd: "2026-02-27", renewal: "2026-02-28", deadline: "2026-02-27",
			nextKind: DeadlineNotice, nextOn: "2026-02-27"},
		{name: "31 January monthly: March renews on the 31st again (no drift)",
			term: Term{Start: dlDate("2026-01-31"), InitialMonths: 1, RenewalMonths: 1}, today: "2026-03-15", started: true,
			period: 1, periodStart: "2026-02-28", periodEnd: "2026-03-30", renewal: "2026-03-31", deadline: "2026-03-30",
			nextKind: DeadlineNotice, nextOn: "2026-03-30"},
		{name: "31 January monthly: 30 April starts a period",
			term: Term{Start: dlDate("2026-01-31"), InitialMonths: 1, RenewalMonths: 1}, today: "2026-04-30", started: true,
			period: 3, periodStart: "2026-04-30", periodEnd: "2026-05-30", renewal: "2026-05-31", deadline: "2026-05-30",
			nextKind: DeadlineNotice, nextOn: "2026-05-30"},
		{name: "yearly then quarterly renewals", term: Term{Start: dlDate("2026-01-01"), InitialMonths: 12, RenewalMonths: 3, NoticeMonths: 1},
			today: "2027-05-20", started: true,
			period: 2, periodStart: "2027-04-01", periodEnd: "2027-06-30", renewal: "2027-07-01", deadline: "2027-05-30",
			nextKind: DeadlineNotice, nextOn: "2027-05-30"},
		{name: "notice longer than the initial term: its deadline is before the start",
			term: Term{Start: dlDate("2026-01-01"), InitialMonths: 1, RenewalMonths: 12, NoticeMonths: 6}, today: "2026-01-10", started: true,
			period: 0, periodStart: "2026-01-01", periodEnd: "2026-01-31", renewal: "2026-02-01", deadline: "2025-07-31",
			nextKind: DeadlineRenewal, nextOn: "2026-02-01"},
		{name: "mid-month start", term: Term{Start: dlDate("2026-06-15"), InitialMonths: 6, RenewalMonths: 6, NoticeMonths: 2},
			today: "2027-01-20", started: true,
			period: 1, periodStart: "2026-12-15", periodEnd: "2027-06-14", renewal: "2027-06-15", deadline: "2027-04-14",
			nextKind: DeadlineNotice, nextOn: "2027-04-14"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Deadlines(tt.term, dlDate(tt.endsOn), dlDate(tt.today))
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			if s.Period != tt.period {
				t.Errorf("period = %d, want %d", s.Period, tt.period)
			}
			check("period start", dlString(s.PeriodStart), tt.periodStart)
			check("period end", dlString(s.PeriodEnd), tt.periodEnd)
			check("next renewal", dlString(s.NextRenewal), tt.renewal)
			check("notice deadline", dlString(s.NoticeDeadline), tt.deadline)
			check("end date", dlString(s.EndDate), tt.end)
			if s.Started() != tt.started || s.Ended() != tt.ended {
				t.Errorf("started, ended = %v, %v, want %v, %v", s.Started(), s.Ended(), tt.started, tt.ended)
			}
			next, ok := s.Next()
			if !ok {
				t.Fatalf("no next deadline")
			}
			check("next kind", next.Kind, tt.nextKind)
			check("next on", dlString(next.On), tt.nextOn)
		})
	}
}

func TestDeadlinesWithoutTerms(t *testing.T) {
	s := Deadlines(Term{}, time.Time{}, dlDate("2026-01-01"))
	if _, ok := s.Next(); ok || !s.PeriodEnd.IsZero() {
		t.Errorf("empty term gave %+v", s)
	}
}

func TestNoticeEffect(t *testing.T) {
	yearly := Term{Start: dlDate("2026-01-01"), InitialMonths: 12, RenewalMonths: 12, NoticeMonths: 3}
	tests := []struct {
		name                      string
		term                      Term
		today                     string
		endsOn                    string
		tooLate                   bool
		deadline, renewal, reason string
	}{
		{"before the start", yearly, "2025-12-01", "2026-12-31", false, "2026-09-30", "2027-01-01", NoticeInTime},
		{"well before the last day", yearly, "2026-05-10", "2026-12-31", false, "2026-09-30", "2027-01-01", NoticeInTime},
		{"on the last day", yearly, "2026-09-30", "2026-12-31", false, "2026-09-30", "2027-01-01", NoticeInTime},
		{"the day after the last day: one more year", yearly, "2026-10-01", "2027-12-31", true, "2026-09-30", "2027-01-01", NoticeTooLate},
		{"on the last day of the period", yearly, "2026-12-31", "2027-12-31", true, "2026-09-30", "2027-01-01", NoticeTooLate},
		{"in the second renewal period, in time", yearly, "2028-02-01", "2028-12-31", false, "2028-09-30", "2029-01-01", NoticeInTime},
		{"in the second renewal period, late", yearly, "2028-11-02", "2029-12-31", true, "2028-09-30", "2029-01-01", NoticeTooLate},
		{"no renewal: ends at the initial term", Term{Start: dlDate("2026-03-15"), InitialMonths: 24, NoticeMonths: 2}, "2028-03-01",
			"2028-03-14", false, "", "", NoticeNoRenewal},
		{"monthly without notice: never late", Term{Start: dlDate("2026-01-31"), InitialMonths: 1, RenewalMonths: 1}, "2026-02-27",
			"2026-02-27", false, "2026-02-27", "2026-02-28", NoticeInTime},
		{"31 January, quarterly, one month's notice, late", Term{Start: dlDate("2026-01-31"), InitialMonths: 3, RenewalMonths: 3, NoticeMonths: 1},
			"2026-04-01", "2026-07-30", true, "2026-03-29", "2026-04-30", NoticeTooLate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.term.NoticeEffect(dlDate(tt.today))
			if got := dlString(n.EndsOn); got != tt.endsOn {
				t.Errorf("ends on %s, want %s", got, tt.endsOn)
			}
			if n.TooLate != tt.tooLate || n.Reason != tt.reason {
				t.Errorf("too late %v (%s), want %v (%s)", n.TooLate, n.Reason, tt.tooLate, tt.reason)
			}
			if dlString(n.Deadline) != tt.deadline || dlString(n.Renewal) != tt.renewal {
				t.Errorf("deadline %s renewal %s, want %s %s", dlString(n.Deadline), dlString(n.Renewal), tt.deadline, tt.renewal)
			}
			// After notice, the schedule ends on that date and no longer renews.
			s := Deadlines(tt.term, n.EndsOn, dlDate(tt.today))
			if s.Renews() || !s.EndDate.Equal(n.EndsOn) {
				t.Errorf("schedule after notice: renews %v, end %s", s.Renews(), dlString(s.EndDate))
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusDraft, StatusActive}:         true,
		{StatusActive, StatusSuspended}:     true,
		{StatusSuspended, StatusActive}:     true,
		{StatusActive, StatusTerminated}:    true,
		{StatusSuspended, StatusTerminated}: true,
		{StatusActive, StatusExpired}:       true,
		{StatusSuspended, StatusExpired}:    true,
	}
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			if got, want := CanTransition(from, to), allowed[[2]Status{from, to}]; got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
		if from.IsOver() && len(from.Next()) != 0 {
			t.Errorf("%s leads somewhere: %v", from, from.Next())
		}
	}
	if CanTransition("bogus", StatusActive) || CanTransition(StatusDraft, "bogus") {
		t.Error("unknown statuses move")
	}
}
