package sla

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"
)

func TestPriority(t *testing.T) {
	tests := []struct {
		in      string
		want    Priority
		wantErr bool
	}{
		{"critical", Critical, false},
		{"high", High, false},
		{"normal", Normal, false},
		{"low", Low, false},
		{" High ", High, false},
		{"LOW", Low, false},
		{"urgent", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParsePriority(tt.in)
		if gotErr := err != nil; gotErr != tt.wantErr {
			t.Errorf("ParsePriority(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
		}
		if got != tt.want {
			t.Errorf("ParsePriority(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, p := range Priorities() {
		if got, err := ParsePriority(p.String()); err != nil || got != p {
			t.Errorf("ParsePriority(%v.String()) = %v, %v", p, got, err)
		}
		if !p.IsValid() {
			t.Errorf("%v.IsValid() = false", p)
		}
	}
	labels := map[Priority]string{Critical: "Critique", High: "Haute", Normal: "Normale", Low: "Basse", 9: "Priority(9)"}
	for p, want := range labels {
		if got := p.Label(); got != want {
			t.Errorf("%d.Label() = %q, want %q", int(p), got, want)
		}
	}
	if Priority(0).IsValid() || Priority(5).IsValid() {
		t.Errorf("IsValid accepts invalid priorities")
	}
	if got, want := Priority(0).String(), "Priority(0)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestPriorityJSON(t *testing.T) {
	b, err := json.Marshal(map[string]Priority{"p": High})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"p":"high"}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var out struct{ P Priority }
	if err := json.Unmarshal([]byte(`{"P":"critical"}`), &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.P, Critical; got != want {
		t.Errorf("Unmarshal = %v, want %v", got, want)
	}
	if _, err := json.Marshal(Priority(0)); err == nil {
		t.Errorf("Marshal of the zero priority succeeded")
	}
	if err := json.Unmarshal([]byte(`{"P":"soon"}`), &out); err == nil {
		t.Errorf("Unmarshal of an unknown priority succeeded")
	}
}

func standardTargets() map[Priority]Targets {
	return map[Priority]Targets{
		Critical: {Reaction: time.Hour, Resolution: 4 * time.Hour},
		High:     {Reaction: 2 * time.Hour, Resolution: 8 * time.Hour},
		Normal:   {Reaction: 4 * time.Hour, Resolution: 20 * time.Hour},
		Low:      {Reaction: 8 * time.Hour, Resolution: 45 * time.Hour},
	}
}

func TestPolicyValidate(t *testing.T) {
	cal := office(t)
	with := func(p Priority, tg Targets) map[Priority]Targets {
		m := standardTargets()
		m[p] = tg
		return m
	}
	without := func(p Priority) map[Priority]Targets {
		m := standardTargets()
		delete(m, p)
		return m
	}
	tests := []struct {
		name   string
		policy Policy
		fields []string
	}{
		{"valid", Policy{cal, standardTargets()}, nil},
		{"equal targets", Policy{cal, with(Low, Targets{time.Hour, time.Hour})}, nil},
		{"no calendar", Policy{nil, standardTargets()}, []string{"calendar"}},
		{"invalid calendar", Policy{&Calendar{}, standardTargets()}, []string{"calendar.hours"}},
		{"no targets", Policy{cal, nil}, []string{"targets.critical", "targets.high", "targets.normal", "targets.low"}},
		{"missing low", Policy{cal, without(Low)}, []string{"targets.low"}},
		{"zero reaction", Policy{cal, with(High, Targets{0, time.Hour})}, []string{"targets.high.reaction"}},
		{"negative resolution", Policy{cal, with(Normal, Targets{time.Hour, -time.Hour})}, []string{"targets.normal.resolution"}},
		{"reaction after resolution", Policy{cal, with(Critical, Targets{5 * time.Hour, 4 * time.Hour})}, []string{"targets.critical.reaction"}},
		{"unknown priority", Policy{cal, with(7, Targets{time.Hour, time.Hour})}, []string{"targets"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Validate()
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var verr ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate() = %v, want a ValidationError", err)
			}
			if got, want := len(verr), len(tt.fields); got != want {
				t.Errorf("Validate() = %v, want fields %v", err, tt.fields)
			}
			for _, f := range tt.fields {
				if verr[f] == "" {
					t.Errorf("Validate() = %v, missing field %s", err, f)
				}
			}
		})
	}
}

func TestPolicyDue(t *testing.T) {
	p := Policy{Calendar: office(t), Targets: standardTargets()}
	tests := []struct {
		opened     string
		priority   Priority
		reaction   string
		resolution string
	}{
		{"2026-03-06 17:55", Critical, "2026-03-09 09:55", "2026-03-09 12:55"},
		// High from Friday 17:55: 5 min on Friday, then 7h55 on Monday.
		{"2026-03-06 17:55", High, "2026-03-09 10:55", "2026-03-09 16:55"},
		{"2026-03-07 10:00", Normal, "2026-03-09 13:00", "2026-03-11 11:00"},
		{"2026-04-03 16:00", Low, "2026-04-07 15:00", "2026-04-13 16:00"},
		{"2026-07-13 15:00", High, "2026-07-13 17:00", "2026-07-15 14:00"},
	}
	for _, tt := range tests {
		opened := at(t, tt.opened)
		got, err := p.ReactionDue(opened, tt.priority)
		if err != nil {
			t.Fatal(err)
		}
		if want := at(t, tt.reaction); !got.Equal(want) {
			t.Errorf("ReactionDue(%s, %v) = %v, want %v", tt.opened, tt.priority, got, want)
		}
		got, err = p.ResolutionDue(opened, tt.priority)
		if err != nil {
			t.Fatal(err)
		}
		if want := at(t, tt.resolution); !got.Equal(want) {
			t.Errorf("ResolutionDue(%s, %v) = %v, want %v", tt.opened, tt.priority, got, want)
		}
	}
	if _, err := p.ReactionDue(at(t, "2026-03-09 10:00"), 0); err == nil {
		t.Errorf("ReactionDue with an unknown priority succeeded")
	}
	if _, err := (Policy{Targets: standardTargets()}).ResolutionDue(at(t, "2026-03-09 10:00"), High); err == nil {
		t.Errorf("ResolutionDue without a calendar succeeded")
	}
}

func TestPenaltyAmount(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name   string
		rule   PenaltyRule
		fee    int64
		delays []time.Duration
		want   int64
	}{
		{"no breach", PenaltyRule{100, 1000}, 150000, nil, 0},
		{"started hours", PenaltyRule{100, 1000}, 150000, []time.Duration{30 * time.Minute, 2*h + 10*time.Minute}, 6000},
		{"exact hour", PenaltyRule{100, 1000}, 150000, []time.Duration{h}, 1500},
		{"one nanosecond", PenaltyRule{100, 1000}, 150000, []time.Duration{1}, 1500},
		{"hour and a second", PenaltyRule{100, 1000}, 150000, []time.Duration{h + time.Second}, 3000},
		{"zero and negative delays", PenaltyRule{100, 1000}, 150000, []time.Duration{0, -h}, 0},
		{"capped", PenaltyRule{100, 1000}, 150000, []time.Duration{10 * h, 5 * h}, 15000},
		{"at cap", PenaltyRule{100, 1000}, 150000, []time.Duration{10 * h}, 15000},
		{"no cap", PenaltyRule{100, 0}, 100000, []time.Duration{100 * h, 50 * h}, 150000},
		{"basis points", PenaltyRule{150, 0}, 100000, []time.Duration{h}, 1500},
		{"round half up", PenaltyRule{50, 0}, 100, []time.Duration{h}, 1},
		{"round down", PenaltyRule{50, 0}, 99, []time.Duration{h}, 0},
		{"round up", PenaltyRule{50, 0}, 333, []time.Duration{h}, 2},
		{"round 1.5", PenaltyRule{50, 0}, 300, []time.Duration{h}, 2},
		{"rounded once", PenaltyRule{50, 0}, 100, []time.Duration{h, h}, 1},
		{"cap rounded", PenaltyRule{100, 50}, 333, []time.Duration{h}, 2},
		{"zero fee", PenaltyRule{100, 1000}, 0, []time.Duration{h}, 0},
		{"negative fee", PenaltyRule{100, 1000}, -150000, []time.Duration{h}, 0},
		{"zero rate", PenaltyRule{0, 1000}, 150000, []time.Duration{h}, 0},
		{"huge capped", PenaltyRule{10000, 10000}, math.MaxInt64, []time.Duration{1000 * h}, math.MaxInt64},
		{"huge uncapped saturates", PenaltyRule{10000, 0}, math.MaxInt64, []time.Duration{1000 * h}, math.MaxInt64},
	}
	for _, tt := range tests {
		if got, want := tt.rule.Amount(tt.fee, tt.delays), tt.want; got != want {
			t.Errorf("%s: Amount(%d, %v) = %d, want %d", tt.name, tt.fee, tt.delays, got, want)
		}
	}
}

func TestPenaltyRuleValidate(t *testing.T) {
	if err := (PenaltyRule{100, 1000}).Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
	if err := (PenaltyRule{}).Validate(); err != nil {
		t.Errorf("Validate() of the zero rule = %v, want nil", err)
	}
	var verr ValidationError
	if err := (PenaltyRule{-1, -1}).Validate(); !errors.As(err, &verr) || len(verr) != 2 {
		t.Errorf("Validate() = %v, want two fields", err)
	}
}
