// Package contracts holds maintenance contracts, their versioned terms (amendments), the services
// they cover, their deadlines, and the SLA policies they reference.
package contracts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/sla"
)

// SLAPolicy is a reusable service level: the service-hours calendar and, per priority, the reaction
// and resolution targets in business time, plus the penalty rule for missed targets.
type SLAPolicy struct {
	bun.BaseModel `bun:"table:sla_policies"`

	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	Name        string    `bun:"name"`
	Description string    `bun:"description"`
	// Hours maps an English weekday name ("monday"…"sunday") to its opening intervals "09:00-12:30".
	Hours            map[string][]string `bun:"hours,type:jsonb"`
	FrenchHolidays   bool                `bun:"french_holidays"`
	AlsaceMoselle    bool                `bun:"alsace_moselle"`
	Closures         []time.Time         `bun:"closures,type:date[],array"`
	PenaltyBPPerHour int                 `bun:"penalty_bp_per_hour"`
	PenaltyCapBP     int                 `bun:"penalty_cap_bp"`
	Archived         bool                `bun:"archived"`
	CreatedAt        time.Time           `bun:"created_at"`
	UpdatedAt        time.Time           `bun:"updated_at"`
	Version          int                 `bun:"version"`

	// Targets are loaded from sla_targets.
	Targets map[sla.Priority]Targets `bun:"-"`
}

// Targets are the reaction and resolution times of one priority, in business minutes.
type Targets struct {
	ReactionMinutes   int
	ResolutionMinutes int
}

// Reaction is the reaction target as a duration of business time.
func (t Targets) Reaction() time.Duration { return time.Duration(t.ReactionMinutes) * time.Minute }

// Resolution is the resolution target as a duration of business time.
func (t Targets) Resolution() time.Duration {
	return time.Duration(t.ResolutionMinutes) * time.Minute
}

// Limits of an SLA policy that the form and Validate share.
const (
	// SLANameMax is the longest policy name, in characters.
	SLANameMax = 120
	// SLADescriptionMax is the longest description, in characters.
	SLADescriptionMax = 2000
	// SLATargetMaxMinutes bounds a target: 90 days of business time is already far beyond any
	// maintenance contract, anything longer is a typing mistake.
	SLATargetMaxMinutes = 90 * 24 * 60
	// SLAPercentMaxBP is 100 %, the highest penalty rate and cap, in basis points.
	SLAPercentMaxBP = 10000
	// SLAClosuresMax bounds the closure days of one policy.
	SLAClosuresMax = 400
)

// SLAWeekdays are the keys of SLAPolicy.Hours in the order a French week is shown (Monday first).
var SLAWeekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// slaWeekday maps a key of SLAPolicy.Hours to its time.Weekday.
func slaWeekday(day string) (time.Weekday, bool) {
	i := slices.Index(SLAWeekdays, day)
	if i < 0 {
		return 0, false
	}
	return time.Weekday((i + 1) % 7), true
}

// Validate checks a policy before it is saved and tidies it: the name trimmed, every interval
// written "09:00-12:30", closures sorted without duplicates. The error is Invalid with one catalogue
// key per form field: "name", "description", "hours" (no open interval in the week),
// "hours.<weekday>", "alsace_moselle", "closures", "targets", "targets.<priority>.reaction",
// "targets.<priority>.resolution", "penalty_per_hour", "penalty_cap".
func (p *SLAPolicy) Validate() error {
	f := apperr.Fields{}
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case p.Name == "":
		f.Add("name", "error.required")
	case utf8.RuneCountInString(p.Name) > SLANameMax:
		f.Add("name", "error.too_long")
	}
	p.Description = strings.TrimSpace(p.Description)
	if utf8.RuneCountInString(p.Description) > SLADescriptionMax {
		f.Add("description", "error.too_long")
	}
	p.validateHours(f)
	if p.AlsaceMoselle && !p.FrenchHolidays {
		f.Add("alsace_moselle", "sla.error.alsace_without_holidays")
	}
	p.validateClosures(f)
	p.validateTargets(f)
	if p.PenaltyBPPerHour < 0 || p.PenaltyBPPerHour > SLAPercentMaxBP {
		f.Add("penalty_per_hour", "sla.error.percent_range")
	}
	if p.PenaltyCapBP < 0 || p.PenaltyCapBP > SLAPercentMaxBP {
		f.Add("penalty_cap", "sla.error.percent_range")
	}
	return f.Err()
}

func (p *SLAPolicy) validateHours(f apperr.Fields) {
	for day := range p.Hours {
		if _, ok := slaWeekday(day); !ok {
			f.Add("hours", "sla.error.day_unknown")
		}
	}
	open := false
	for _, day := range SLAWeekdays {
		field := "hours." + day
		var prev sla.Interval
		clean := make([]string, 0, len(p.Hours[day]))
		for i, s := range p.Hours[day] {
			iv, err := sla.ParseInterval(strings.TrimSpace(s))
			if err != nil {
				f.Add(field, "sla.error.interval_invalid")
				break
			}
			if i > 0 && iv.Start < prev.End {
				f.Add(field, "sla.error.interval_overlap")
				break
			}
			prev = iv
			clean = append(clean, iv.String())
		}
		if _, bad := f[field]; bad {
			continue
		}
		if len(clean) > 0 {
			open = true
			p.Hours[day] = clean
		} else if p.Hours != nil {
			delete(p.Hours, day)
		}
	}
	if !open {
		if _, any := f["hours"]; !any && !slaHoursFieldError(f) {
			f.Add("hours", "sla.error.hours_none")
		}
	}
}

// slaHoursFieldError tells whether a weekday already has an error, in which case "no open hours"
// would only be a consequence of it.
func slaHoursFieldError(f apperr.Fields) bool {
	for _, day := range SLAWeekdays {
		if _, ok := f["hours."+day]; ok {
			return true
		}
	}
	return false
}

func (p *SLAPolicy) validateClosures(f apperr.Fields) {
	if len(p.Closures) > SLAClosuresMax {
		f.Add("closures", "sla.error.closures_too_many")
		return
	}
	days := make([]time.Time, 0, len(p.Closures))
	for _, t := range p.Closures {
		if t.IsZero() || t.Year() < 2000 || t.Year() > 2200 {
			f.Add("closures", "sla.error.closure_invalid")
			return
		}
		days = append(days, time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
	}
	slices.SortFunc(days, time.Time.Compare)
	p.Closures = slices.CompactFunc(days, time.Time.Equal)
}

func (p *SLAPolicy) validateTargets(f apperr.Fields) {
	for pr := range p.Targets {
		if !pr.IsValid() {
			f.Add("targets", "sla.error.priority_unknown")
		}
	}
	for _, pr := range sla.Priorities() {
		field := "targets." + pr.String()
		t, ok := p.Targets[pr]
		if !ok {
			f.Add(field+".reaction", "error.required")
			f.Add(field+".resolution", "error.required")
			continue
		}
		switch {
		case t.ReactionMinutes <= 0:
			f.Add(field+".reaction", "sla.error.target_positive")
		case t.ReactionMinutes > SLATargetMaxMinutes:
			f.Add(field+".reaction", "sla.error.target_too_long")
		}
		switch {
		case t.ResolutionMinutes <= 0:
			f.Add(field+".resolution", "sla.error.target_positive")
		case t.ResolutionMinutes > SLATargetMaxMinutes:
			f.Add(field+".resolution", "sla.error.target_too_long")
		}
		if t.ReactionMinutes > 0 && t.ResolutionMinutes > 0 && t.ReactionMinutes > t.ResolutionMinutes {
			f.Add(field+".reaction", "sla.error.reaction_after_resolution")
		}
	}
}

// Calendar returns the policy's service hours as the business-time calendar of app/sla, in loc (the
// provider's time zone; nil means Europe/Paris). It fails on a policy that does not validate.
func (p *SLAPolicy) Calendar(loc *time.Location) (*sla.Calendar, error) {
	var week sla.Week
	for day, spans := range p.Hours {
		wd, ok := slaWeekday(day)
		if !ok {
			return nil, fmt.Errorf("contracts: sla policy calendar: unknown weekday %q", day)
		}
		for _, s := range spans {
			iv, err := sla.ParseInterval(strings.TrimSpace(s))
			if err != nil {
				return nil, fmt.Errorf("contracts: sla policy calendar: %w", err)
			}
			week[wd] = append(week[wd], iv)
		}
	}
	closures := make([]sla.Date, len(p.Closures))
	for i, t := range p.Closures {
		closures[i] = sla.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
	}
	cal, err := sla.NewCalendar(sla.Calendar{
		Location: loc, Hours: week, FrenchHolidays: p.FrenchHolidays, AlsaceMoselle: p.AlsaceMoselle,
		Closures: closures,
	})
	if err != nil {
		return nil, fmt.Errorf("contracts: sla policy calendar: %w", err)
	}
	return cal, nil
}

// Policy returns the policy as app/sla computes with it: the calendar in loc and the targets of
// every priority as durations of business time.
func (p *SLAPolicy) Policy(loc *time.Location) (sla.Policy, error) {
	cal, err := p.Calendar(loc)
	if err != nil {
		return sla.Policy{}, err
	}
	targets := make(map[sla.Priority]sla.Targets, len(p.Targets))
	for pr, t := range p.Targets {
		targets[pr] = sla.Targets{Reaction: t.Reaction(), Resolution: t.Resolution()}
	}
	pol := sla.Policy{Calendar: cal, Targets: targets}
	if err := pol.Validate(); err != nil {
		return sla.Policy{}, fmt.Errorf("contracts: sla policy: %w", err)
	}
	return pol, nil
}

// PenaltyRule returns the penalty for missed targets as app/sla computes it, in basis points of the
// monthly fee.
func (p *SLAPolicy) PenaltyRule() sla.PenaltyRule {
	return sla.PenaltyRule{PercentPerStartedHour: p.PenaltyBPPerHour, CapPercentPerMonth: p.PenaltyCapBP}
}

// SLAHoursGroup is a run of consecutive weekdays with the same service hours, for summaries such
// as "Mon–Fri 09:00-12:30, 13:30-18:00".
type SLAHoursGroup struct {
	// From and To are keys of SLAPolicy.Hours ("monday"); equal for a single day.
	From, To string
	// Hours are the day's intervals, "09:00-12:30".
	Hours []string
}

// HoursGroups summarises the weekly service hours from Monday to Sunday, grouping consecutive days
// with the same intervals and leaving closed days out.
func (p *SLAPolicy) HoursGroups() []SLAHoursGroup {
	var out []SLAHoursGroup
	prevOpen := false
	for i, day := range SLAWeekdays {
		spans := p.Hours[day]
		if len(spans) == 0 {
			prevOpen = false
			continue
		}
		if prevOpen && slices.Equal(out[len(out)-1].Hours, spans) && out[len(out)-1].To == SLAWeekdays[i-1] {
			out[len(out)-1].To = day
			continue
		}
		out = append(out, SLAHoursGroup{From: day, To: day, Hours: slices.Clone(spans)})
		prevOpen = true
	}
	return out
}

// slaTarget is a row of sla_targets.
type slaTarget struct {
	bun.BaseModel `bun:"table:sla_targets"`

	PolicyID          uuid.UUID `bun:"policy_id,pk,type:uuid"`
	Priority          string    `bun:"priority,pk"`
	ReactionMinutes   int       `bun:"reaction_minutes"`
	ResolutionMinutes int       `bun:"resolution_minutes"`
}

// GetSLAPolicy returns a policy with its targets.
func GetSLAPolicy(ctx context.Context, db bun.IDB, id uuid.UUID) (*SLAPolicy, error) {
	p := new(SLAPolicy)
	if err := db.NewSelect().Model(p).Where("id = ?", id).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("sla policy")
		}
		return nil, fmt.Errorf("contracts: get sla policy: %w", err)
	}
	if err := loadSLATargets(ctx, db, []*SLAPolicy{p}); err != nil {
		return nil, err
	}
	return p, nil
}

// ListSLAPolicies returns every policy (archived ones only when asked), by name, with their targets.
// Policies are few: the list is not paginated.
func ListSLAPolicies(ctx context.Context, db bun.IDB, withArchived bool) ([]*SLAPolicy, error) {
	var ps []*SLAPolicy
	q := db.NewSelect().Model(&ps).OrderExpr("lower(name), id")
	if !withArchived {
		q = q.Where("NOT archived")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("contracts: list sla policies: %w", err)
	}
	if err := loadSLATargets(ctx, db, ps); err != nil {
		return nil, err
	}
	return ps, nil
}

func loadSLATargets(ctx context.Context, db bun.IDB, ps []*SLAPolicy) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(ps))
	byID := make(map[uuid.UUID]*SLAPolicy, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
		byID[p.ID] = p
		p.Targets = map[sla.Priority]Targets{}
	}
	var rows []slaTarget
	if err := db.NewSelect().Model(&rows).Where("policy_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return fmt.Errorf("contracts: load sla targets: %w", err)
	}
	for _, r := range rows {
		pr, err := sla.ParsePriority(r.Priority)
		if err != nil {
			return fmt.Errorf("contracts: load sla targets: %w", err)
		}
		byID[r.PolicyID].Targets[pr] = Targets{ReactionMinutes: r.ReactionMinutes, ResolutionMinutes: r.ResolutionMinutes}
	}
	return nil
}

// AllDay tells whether the group is open around the clock (00:00-24:00), which summaries say in
// words.
func (g SLAHoursGroup) AllDay() bool {
	return len(g.Hours) == 1 && g.Hours[0] == "00:00-24:00"
}
