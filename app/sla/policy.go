package sla

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
)

// Priority is the urgency of a request; each priority has its own
// targets in a Policy. The zero Priority is unset and invalid.
type Priority int

// The priorities, from most to least urgent.
const (
	Critical Priority = iota + 1
	High
	Normal
	Low
)

// Priorities returns all valid priorities, most urgent first, for
// building forms and checking that a policy covers them all.
func Priorities() []Priority {
	return []Priority{Critical, High, Normal, Low}
}

// ParsePriority parses the code of a priority ("critical", "high",
// "normal", "low"; case and surrounding spaces ignored) as stored in the
// database and sent by forms.
func ParsePriority(s string) (Priority, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range Priorities() {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("sla: unknown priority %q", s)
}

// String returns the code of p ("critical"...), the inverse of
// ParsePriority.
func (p Priority) String() string {
	switch p {
	case Critical:
		return "critical"
	case High:
		return "high"
	case Normal:
		return "normal"
	case Low:
		return "low"
	}
	return fmt.Sprintf("Priority(%d)", int(p))
}

// Label returns the French label of p ("Critique"...) for display.
func (p Priority) Label() string {
	switch p {
	case Critical:
		return "Critique"
	case High:
		return "Haute"
	case Normal:
		return "Normale"
	case Low:
		return "Basse"
	}
	return p.String()
}

// IsValid reports whether p is one of the four priorities.
func (p Priority) IsValid() bool {
	return p >= Critical && p <= Low
}

// MarshalText encodes p as its code so priorities read naturally in JSON.
func (p Priority) MarshalText() ([]byte, error) {
	if !p.IsValid() {
		return nil, fmt.Errorf("sla: invalid priority %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes a priority code, the inverse of MarshalText.
func (p *Priority) UnmarshalText(b []byte) error {
	v, err := ParsePriority(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Targets are the contractual delays for one priority, in business time:
// Reaction until a technician acknowledges the request, Resolution until
// it is fixed.
type Targets struct {
	Reaction   time.Duration
	Resolution time.Duration
}

// Policy is the SLA of a contract: when the clock runs and, per
// priority, how much business time the provider has.
type Policy struct {
	Calendar *Calendar
	Targets  map[Priority]Targets
}

// Validate checks that the policy has a valid calendar and, for each of
// the four priorities, positive targets with reaction not exceeding
// resolution. It returns a ValidationError (calendar fields are prefixed
// with "calendar.") or nil.
func (p Policy) Validate() error {
	errs := ValidationError{}
	if p.Calendar == nil {
		errs["calendar"] = "required"
	} else if err := p.Calendar.Validate(); err != nil {
		var cerrs ValidationError
		if !errors.As(err, &cerrs) {
			return err
		}
		for f, msg := range cerrs {
			errs["calendar."+f] = msg
		}
	}
	for pr := range p.Targets {
		if !pr.IsValid() {
			errs["targets"] = fmt.Sprintf("unknown priority %d", int(pr))
		}
	}
	for _, pr := range Priorities() {
		field := "targets." + pr.String()
		t, ok := p.Targets[pr]
		switch {
		case !ok:
			errs[field] = "missing"
		case t.Reaction <= 0:
			errs[field+".reaction"] = "must be positive"
		case t.Resolution <= 0:
			errs[field+".resolution"] = "must be positive"
		case t.Reaction > t.Resolution:
			errs[field+".reaction"] = "must not exceed resolution"
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// ReactionDue returns when a request of priority pr opened at openedAt
// must have been acknowledged (see Calendar.Add). It fails only if the
// policy has no calendar or no targets for pr.
func (p Policy) ReactionDue(openedAt time.Time, pr Priority) (time.Time, error) {
	t, err := p.targets(pr)
	if err != nil {
		return time.Time{}, err
	}
	return p.Calendar.Add(openedAt, t.Reaction), nil
}

// ResolutionDue returns when a request of priority pr opened at
// openedAt must have been resolved, ignoring pauses (use Clock for
// those). It fails only if the policy has no calendar or no targets for
// pr.
func (p Policy) ResolutionDue(openedAt time.Time, pr Priority) (time.Time, error) {
	t, err := p.targets(pr)
	if err != nil {
		return time.Time{}, err
	}
	return p.Calendar.Add(openedAt, t.Resolution), nil
}

func (p Policy) targets(pr Priority) (Targets, error) {
	if p.Calendar == nil {
		return Targets{}, fmt.Errorf("sla: policy has no calendar")
	}
	t, ok := p.Targets[pr]
	if !ok {
		return Targets{}, fmt.Errorf("sla: no targets for priority %v", pr)
	}
	return t, nil
}

// PenaltyRule is the contractual penalty for missed targets, in basis
// points (1/100 of a percent, so 150 is 1.5%) to stay in integers: a
// percentage of the monthly fee per started hour of delay, capped per
// month.
type PenaltyRule struct {
	// PercentPerStartedHour is charged for each started hour of delay of
	// each breach, in basis points of the monthly fee.
	PercentPerStartedHour int
	// CapPercentPerMonth caps the month's total, in basis points of the
	// monthly fee; 0 means no cap.
	CapPercentPerMonth int
}

// Validate checks that the rates are not negative. It returns a
// ValidationError or nil.
func (r PenaltyRule) Validate() error {
	errs := ValidationError{}
	if r.PercentPerStartedHour < 0 {
		errs["percent_per_started_hour"] = "must not be negative"
	}
	if r.CapPercentPerMonth < 0 {
		errs["cap_percent_per_month"] = "must not be negative"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Amount returns the penalty in cents owed for one month with the given
// breach delays: every delay counts its started hours (1 ns late is one
// hour, exactly 1 h is one hour, 1 h 1 min is two; zero or negative
// delays count nothing), the total is
//
//	started hours × PercentPerStartedHour × monthlyFeeCents / 10000
//
// capped at CapPercentPerMonth × monthlyFeeCents / 10000. Each of the
// two amounts is computed exactly and rounded once to the cent, half away
// from zero, so the result does not depend on how delays are split.
// A non-positive fee or rate owes nothing.
func (r PenaltyRule) Amount(monthlyFeeCents int64, delays []time.Duration) int64 {
	if monthlyFeeCents <= 0 || r.PercentPerStartedHour <= 0 {
		return 0
	}
	var hours int64
	for _, d := range delays {
		if d > 0 {
			hours += int64((d + time.Hour - 1) / time.Hour)
		}
	}
	fee := big.NewInt(monthlyFeeCents)
	amount := new(big.Int).Mul(fee, big.NewInt(int64(r.PercentPerStartedHour)))
	amount = roundDiv(amount.Mul(amount, big.NewInt(hours)), 10000)
	if r.CapPercentPerMonth > 0 {
		limit := roundDiv(new(big.Int).Mul(fee, big.NewInt(int64(r.CapPercentPerMonth))), 10000)
		if amount.Cmp(limit) > 0 {
			amount = limit
		}
	}
	if !amount.IsInt64() {
		return math.MaxInt64
	}
	return amount.Int64()
}

// roundDiv returns n/den rounded half away from zero (den > 0).
func roundDiv(n *big.Int, den int64) *big.Int {
	d := big.NewInt(den)
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Abs(r).Lsh(r, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(int64(n.Sign())))
	}
	return q
}
