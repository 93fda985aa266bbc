package contracts_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/sla"
)

// slaOffice is a valid policy: Monday to Friday 9-12:30 and 13:30-18, French holidays, one closure.
func slaOffice() *contracts.SLAPolicy {
	day := []string{"09:00-12:30", "13:30-18:00"}
	return &contracts.SLAPolicy{
		Name: "Standard bureau",
		Hours: map[string][]string{
			"monday": slices.Clone(day), "tuesday": slices.Clone(day), "wednesday": slices.Clone(day),
			"thursday": slices.Clone(day), "friday": slices.Clone(day),
		},
		FrenchHolidays: true,
		Closures:       []time.Time{time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)},
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 240},
			sla.High:     {ReactionMinutes: 120, ResolutionMinutes: 480},
			sla.Normal:   {ReactionMinutes: 240, ResolutionMinutes: 960},
			sla.Low:      {ReactionMinutes: 480, ResolutionMinutes: 2400},
		},
		PenaltyBPPerHour: 50,
		PenaltyCapBP:     1000,
	}
}

func TestSLAPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *contracts.SLAPolicy)
		want   map[string]string // field → catalogue key; nil: valid
	}{
		{"valid", func(p *contracts.SLAPolicy) {}, nil},
		{"24/7", func(p *contracts.SLAPolicy) {
			for _, d := range contracts.SLAWeekdays {
				p.Hours[d] = []string{"00:00-24:00"}
			}
		}, nil},
		{"one open half-day is enough", func(p *contracts.SLAPolicy) {
			p.Hours = map[string][]string{"saturday": {"9:00-12:00"}}
		}, nil},
		{"adjacent intervals", func(p *contracts.SLAPolicy) { p.Hours["monday"] = []string{"09:00-12:00", "12:00-18:00"} }, nil},
		{"penalty bounds", func(p *contracts.SLAPolicy) { p.PenaltyBPPerHour, p.PenaltyCapBP = 10000, 0 }, nil},
		{"reaction equals resolution", func(p *contracts.SLAPolicy) {
			p.Targets[sla.Low] = contracts.Targets{ReactionMinutes: 60, ResolutionMinutes: 60}
		}, nil},
		{"90 days", func(p *contracts.SLAPolicy) {
			p.Targets[sla.Low] = contracts.Targets{ReactionMinutes: 60, ResolutionMinutes: contracts.SLATargetMaxMinutes}
		}, nil},
		{"name missing", func(p *contracts.SLAPolicy) { p.Name = "   " }, map[string]string{"name": "error.required"}},
		{"name too long", func(p *contracts.SLAPolicy) { p.Name = string(make([]rune, 121)) + "x" }, map[string]string{"name": "error.too_long"}},
		{"name of 120 accented letters", func(p *contracts.SLAPolicy) {
			p.Name = string(slices.Repeat([]rune{'é'}, 120))
		}, nil},
		{"description too long", func(p *contracts.SLAPolicy) { p.Description = string(slices.Repeat([]byte{'a'}, 2001)) },
			map[string]string{"description": "error.too_long"}},
		{"interval backwards", func(p *contracts.SLAPolicy) { p.Hours["monday"] = []string{"18:00-09:00"} },
			map[string]string{"hours.monday": "sla.error.interval_invalid"}},
		{"interval empty", func(p *contracts.SLAPolicy) { p.Hours["monday"] = []string{"09:00-09:00"} },
			map[string]string{"hours.monday": "sla.error.interval_invalid"}},
		{"interval not HH:MM", func(p *contracts.SLAPolicy) { p.Hours["tuesday"] = []string{"9h-12h"} },
			map[string]string{"hours.tuesday": "sla.error.interval_invalid"}},
		{"interval past midnight", func(p *contracts.SLAPolicy) { p.Hours["tuesday"] = []string{"22:00-25:00"} },
			map[string]string{"hours.tuesday": "sla.error.interval_invalid"}},
		{"intervals overlapping", func(p *contracts.SLAPolicy) { p.Hours["wednesday"] = []string{"09:00-12:30", "12:00-18:00"} },
			map[string]string{"hours.wednesday": "sla.error.interval_overlap"}},
		{"intervals out of order", func(p *contracts.SLAPolicy) { p.Hours["sunday"] = []string{"14:00-18:00", "09:00-12:00"} },
			map[string]string{"hours.sunday": "sla.error.interval_overlap"}},
		{"week closed", func(p *contracts.SLAPolicy) { p.Hours = map[string][]string{"monday": {}} },
			map[string]string{"hours": "sla.error.hours_none"}},
		{"week closed because its only day is wrong: the day says why", func(p *contracts.SLAPolicy) {
			p.Hours = map[string][]string{"monday": {"9-18"}}
		}, map[string]string{"hours.monday": "sla.error.interval_invalid"}},
		{"unknown day", func(p *contracts.SLAPolicy) { p.Hours["lundi"] = []string{"09:00-18:00"} },
			map[string]string{"hours": "sla.error.day_unknown"}},
		{"alsace without holidays", func(p *contracts.SLAPolicy) { p.FrenchHolidays, p.AlsaceMoselle = false, true },
			map[string]string{"alsace_moselle": "sla.error.alsace_without_holidays"}},
		{"closure unset", func(p *contracts.SLAPolicy) { p.Closures = append(p.Closures, time.Time{}) },
			map[string]string{"closures": "sla.error.closure_invalid"}},
		{"closure in year 1", func(p *contracts.SLAPolicy) { p.Closures = []time.Time{time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)} },
			map[string]string{"closures": "sla.error.closure_invalid"}},
		{"priority missing", func(p *contracts.SLAPolicy) { delete(p.Targets, sla.High) },
			map[string]string{"targets.high.reaction": "error.required", "targets.high.resolution": "error.required"}},
		{"unknown priority", func(p *contracts.SLAPolicy) {
			p.Targets[sla.Priority(9)] = contracts.Targets{ReactionMinutes: 1, ResolutionMinutes: 1}
		},
			map[string]string{"targets": "sla.error.priority_unknown"}},
		{"reaction zero", func(p *contracts.SLAPolicy) { p.Targets[sla.Critical] = contracts.Targets{ResolutionMinutes: 60} },
			map[string]string{"targets.critical.reaction": "sla.error.target_positive"}},
		{"resolution negative", func(p *contracts.SLAPolicy) {
			p.Targets[sla.Normal] = contracts.Targets{ReactionMinutes: 60, ResolutionMinutes: -5}
		}, map[string]string{"targets.normal.resolution": "sla.error.target_positive"}},
		{"reaction after resolution", func(p *contracts.SLAPolicy) {
			p.Targets[sla.Critical] = contracts.Targets{ReactionMinutes: 300, ResolutionMinutes: 240}
		}, map[string]string{"targets.critical.reaction": "sla.error.reaction_after_resolution"}},
		{"over 90 days", func(p *contracts.SLAPolicy) {
			p.Targets[sla.Low] = contracts.Targets{ReactionMinutes: 60, ResolutionMinutes: contracts.SLATargetMaxMinutes + 1}
		}, map[string]string{"targets.low.resolution": "sla.error.target_too_long"}},
		{"penalty 150 %", func(p *contracts.SLAPolicy) { p.PenaltyBPPerHour = 15000 },
			map[string]string{"penalty_per_hour": "sla.error.percent_range"}},
		{"cap negative", func(p *contracts.SLAPolicy) { p.PenaltyCapBP = -1 },
			map[string]string{"penalty_cap": "sla.error.percent_range"}},
		{"several problems at once", func(p *contracts.SLAPolicy) {
			p.Name = ""
			p.Hours["monday"] = []string{"18:00-09:00"}
			p.Hours["friday"] = []string{"9h-12h"}
			p.PenaltyCapBP = 10001
		}, map[string]string{"name": "error.required", "hours.monday": "sla.error.interval_invalid",
			"hours.friday": "sla.error.interval_invalid", "penalty_cap": "sla.error.percent_range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := slaOffice()
			tt.change(p)
			err := p.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if got := apperr.KindOf(err); got != apperr.Invalid {
				t.Fatalf("kind = %v, want Invalid (%v)", got, err)
			}
			if got := apperr.FieldsOf(err); !maps.Equal(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSLAPolicyValidateTidies(t *testing.T) {
	p := slaOffice()
	p.Name = "  Standard  "
	p.Hours["monday"] = []string{" 9:00-12:30", "13:30–18:00"}
	p.Hours["saturday"] = []string{}
	d := func(day int) time.Time { return time.Date(2026, 12, day, 0, 0, 0, 0, time.UTC) }
	p.Closures = []time.Time{d(31), d(24), d(31), time.Date(2026, 12, 24, 15, 0, 0, 0, time.UTC)}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Name != "Standard" {
		t.Errorf("name = %q", p.Name)
	}
	if got, want := p.Hours["monday"], []string{"09:00-12:30", "13:30-18:00"}; !slices.Equal(got, want) {
		t.Errorf("monday = %v, want %v", got, want)
	}
	if _, ok := p.Hours["saturday"]; ok {
		t.Error("a closed day is kept as an empty list")
	}
	if !slices.EqualFunc(p.Closures, []time.Time{d(24), d(31)}, time.Time.Equal) {
		t.Errorf("closures = %v, want 24 and 31 December once each", p.Closures)
	}
}

func TestSLAPolicyToSLA(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	p := slaOffice()
	p.Hours = map[string][]string{}
	for _, d := range contracts.SLAWeekdays[:5] {
		p.Hours[d] = []string{"09:00-18:00"}
	}
	pol, err := p.Policy(paris)
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	tests := []struct {
		name     string
		received time.Time
		pr       sla.Priority
		reaction time.Time
		resolve  time.Time
	}{
		// The example: Friday 17:55, 1 h, Monday 09:55.
		{"weekend", at(2026, 11, 20, 17, 55), sla.Critical, at(2026, 11, 23, 9, 55), at(2026, 11, 23, 12, 55)},
		// Easter Monday 2026 is April 6.
		{"Easter Monday", at(2026, 4, 3, 17, 30), sla.Critical, at(2026, 4, 7, 9, 30), at(2026, 4, 7, 12, 30)},
		// The closure on Thursday 24 December and Christmas on Friday: Monday 28.
		{"closure and Christmas", at(2026, 12, 23, 17, 0), sla.High, at(2026, 12, 28, 10, 0), at(2026, 12, 28, 16, 0)},
		// 16 business hours is two full days.
		{"several days", at(2026, 11, 24, 9, 0), sla.Normal, at(2026, 11, 24, 13, 0), at(2026, 11, 25, 16, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pol.ReactionDue(tt.received, tt.pr)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.reaction) {
				t.Errorf("reaction due %v, want %v", got, tt.reaction)
			}
			got, _ = pol.ResolutionDue(tt.received, tt.pr)
			if !got.Equal(tt.resolve) {
				t.Errorf("resolution due %v, want %v", got, tt.resolve)
			}
		})
	}

	cal, err := p.Calendar(paris)
	if err != nil {
		t.Fatal(err)
	}
	if closed, why := cal.IsClosedDay(sla.Date{Year: 2026, Month: time.December, Day: 24}); !closed || why != "Fermeture exceptionnelle" {
		t.Errorf("24 December closed = %v (%s), want the closure", closed, why)
	}
	if cal.AlsaceMoselle || !cal.FrenchHolidays || cal.Location != paris {
		t.Error("holiday flags or location not carried over")
	}
	if got, want := p.PenaltyRule(), (sla.PenaltyRule{PercentPerStartedHour: 50, CapPercentPerMonth: 1000}); got != want {
		t.Errorf("PenaltyRule = %+v, want %+v", got, want)
	}
	// 0,5 % of 1 000 € for 3 started hours is 15 €.
	if got := p.PenaltyRule().Amount(100000, []time.Duration{2*time.Hour + 10*time.Minute}); got != 1500 {
		t.Errorf("penalty = %d cents, want 1500", got)
	}

	// Without a location, Europe/Paris.
	cal, err = p.Calendar(nil)
	if err != nil || cal.Location.String() != "Europe/Paris" {
		t.Errorf("default location = %v, %v", cal, err)
	}
	// A policy that does not validate does not convert.
	bad := slaOffice()
	bad.Hours["monday"] = []string{"18:00-09:00"}
	if _, err := bad.Calendar(paris); err == nil {
		t.Error("Calendar accepted a backwards interval")
	}
	bad = slaOffice()
	delete(bad.Targets, sla.Low)
	if _, err := bad.Policy(paris); err == nil {
		t.Error("Policy accepted a missing priority")
	}
}

func TestSLAHoursGroups(t *testing.T) {
	p := slaOffice()
	p.Hours["saturday"] = []string{"09:00-12:00"}
	p.Hours["wednesday"] = []string{"09:00-12:30"}
	got := p.HoursGroups()
	want := []contracts.SLAHoursGroup{
		{From: "monday", To: "tuesday", Hours: []string{"09:00-12:30", "13:30-18:00"}},
		{From: "wednesday", To: "wednesday", Hours: []string{"09:00-12:30"}},
		{From: "thursday", To: "friday", Hours: []string{"09:00-12:30", "13:30-18:00"}},
		{From: "saturday", To: "saturday", Hours: []string{"09:00-12:00"}},
	}
	if !slices.EqualFunc(got, want, func(a, b contracts.SLAHoursGroup) bool {
		return a.From == b.From && a.To == b.To && slices.Equal(a.Hours, b.Hours)
	}) {
		t.Errorf("HoursGroups = %v, want %v", got, want)
	}
	// A closed day breaks a run even when the days around it have the same hours.
	p = slaOffice()
	delete(p.Hours, "wednesday")
	if got := p.HoursGroups(); len(got) != 2 || got[0].To != "tuesday" || got[1].From != "thursday" {
		t.Errorf("HoursGroups around a closed day = %v", got)
	}
}

func TestParseSLAPercent(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"", 0, true}, {"0", 0, true}, {"0,5", 50, true}, {"0.5", 50, true}, {" 1,25 % ", 125, true},
		{"10", 1000, true}, {"100", 10000, true}, {"150", 15000, true}, {",5", 50, true}, {"12.", 1200, true},
		{"0,125", 0, false}, {"-1", 0, false}, {"dix", 0, false}, {"1e2", 0, false}, {"1,2,3", 0, false},
		{"+1", 0, false}, {"9999999", 0, false},
	}
	for _, tt := range tests {
		got, err := contracts.ParseSLAPercent(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSLAPercent(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for bp, want := range map[int]string{0: "0", 50: "0,5", 125: "1,25", 1000: "10", 10000: "100", 5: "0,05"} {
		if got := contracts.FormatSLAPercent(bp, ","); got != want {
			t.Errorf("FormatSLAPercent(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestParseSLAClosuresAndHours(t *testing.T) {
	got, err := contracts.ParseSLAClosures("2026-12-24\r\n\n 31/12/2026 \n1/5/2027")
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC),
	}
	if !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Errorf("ParseSLAClosures = %v, want %v", got, want)
	}
	if got := contracts.FormatSLAClosures(want); got != "24/12/2026\n31/12/2026\n01/05/2027" {
		t.Errorf("FormatSLAClosures = %q", got)
	}
	for _, bad := range []string{"31/02/2026", "2026-13-01", "demain", "24/12/26", "24.12.2026"} {
		if _, err := contracts.ParseSLAClosures(bad); err == nil {
			t.Errorf("ParseSLAClosures(%q) accepted", bad)
		}
	}
	if got := contracts.ParseSLADayHours(" 09:00-12:30 ,13:30-18:00;; "); !slices.Equal(got, []string{"09:00-12:30", "13:30-18:00"}) {
		t.Errorf("ParseSLADayHours = %q", got)
	}
	if got := contracts.ParseSLADayHours("   "); got != nil {
		t.Errorf("ParseSLADayHours of blanks = %q, want a closed day", got)
	}
}

func TestSLAPolicyChanges(t *testing.T) {
	old := slaOffice()
	cur := slaOffice()
	if got := contracts.SLAPolicyChanges(old, cur); len(got) != 0 {
		t.Errorf("no change: %v", got)
	}
	cur.Hours["saturday"] = []string{"09:00-12:00"}
	cur.Targets[sla.Low] = contracts.Targets{ReactionMinutes: 1, ResolutionMinutes: 2}
	cur.PenaltyCapBP = 0
	cur.AlsaceMoselle = true
	if got, want := contracts.SLAPolicyChanges(old, cur), []string{"hours", "holidays", "targets", "penalty"}; !slices.Equal(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	// An empty day and a missing one are the same week.
	cur = slaOffice()
	cur.Hours["sunday"] = nil
	if got := contracts.SLAPolicyChanges(old, cur); len(got) != 0 {
		t.Errorf("empty day: %v", got)
	}
}
