// Package scheduling is preventive maintenance: each contract's plan of recurring tasks (RFC 5545
// rules in the provider's time zone), the visits generated from it over a rolling horizon, the
// checklist ticked on each visit's sheet, the schedule of every technician, reschedules and the
// technicians' calendar feeds.
//
// The plan is part of the contract's terms. While the contract is a draft the plan is edited
// freely; once the contract runs, every change is an amendment with a reason and an effective day:
// the changed task ends the day before and its new version starts that day, so that visits before
// the day keep the plan they were planned under and later ones follow the new plan.
package scheduling

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/teambition/rrule-go"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/interventions"
)

// Limits of what people type.
const (
	MaxTitle         = 200
	MaxTarget        = 200
	MaxChecklist     = 30
	MaxChecklistItem = 300
	MaxMinutes       = 24 * 60
	MaxRule          = 500
	MaxReason        = 2000
	MaxExdates       = 100
	// MaxTasks bounds what a page lists of a plan.
	MaxTasks = 200
	// DefaultHorizonDays is how far ahead visits are generated.
	DefaultHorizonDays = 90
	// checkYears is how far a rule is followed to check it is sound, when the contract has no end.
	checkYears = 2
)

// Catalogue keys of the errors.
const (
	ErrRuleInvalid = "schedule.error.rule_invalid"
	ErrRuleRunaway = "schedule.error.rule_runaway"
	ErrRuleNone    = "schedule.error.rule_none"
	ErrMinutes     = "schedule.error.minutes"
	ErrAtTime      = "schedule.error.at_time"
	ErrExdate      = "schedule.error.exdate"
	ErrChecklist   = "schedule.error.checklist"
	ErrTechnician  = "schedule.error.technician"
	ErrContractEnd = "schedule.error.contract_over"
	ErrEffective   = "schedule.error.effective_from"
	ErrOutside     = "schedule.error.outside_contract"
	ErrConflict    = "schedule.error.conflict"
	ErrNoChange    = "schedule.error.no_change"
)

// Task is one recurring task of a contract's preventive plan.
type Task struct {
	bun.BaseModel `bun:"table:maintenance_tasks,alias:mt"`

	ID               uuid.UUID           `bun:"id,pk,type:uuid"`
	ContractID       uuid.UUID           `bun:"contract_id,type:uuid"`
	Title            string              `bun:"title"`
	Target           string              `bun:"target"`
	Checklist        []string            `bun:"checklist,array"`
	EstimatedMinutes int                 `bun:"estimated_minutes"`
	TechnicianID     uuid.NullUUID       `bun:"technician_id,type:uuid"`
	Place            interventions.Place `bun:"place"`
	Rule             string              `bun:"rrule"`
	FirstOn          time.Time           `bun:"first_on,type:date"`
	AtMinute         int                 `bun:"at_minute"`
	Exdates          []time.Time         `bun:"exdates,array,type:date[]"`
	EffectiveFrom    bun.NullTime        `bun:"effective_from,type:date"`
	EndedOn          bun.NullTime        `bun:"ended_on,type:date"`
	AmendmentID      uuid.NullUUID       `bun:"amendment_id,type:uuid"`
	ReplacesID       uuid.NullUUID       `bun:"replaces_id,type:uuid"`
	CreatedAt        time.Time           `bun:"created_at"`
	TechnicianName   string              `bun:"technician_name,scanonly"`
}

// Active tells whether the task is still in the plan (not ended by an amendment).
func (t *Task) Active() bool { return t.EndedOn.IsZero() }

// Duration is the estimated duration of a visit.
func (t *Task) Duration() time.Duration { return time.Duration(t.EstimatedMinutes) * time.Minute }

// AtClock is the time of day of the visits ("09:30").
func (t *Task) AtClock() string { return fmt.Sprintf("%02d:%02d", t.AtMinute/60, t.AtMinute%60) }

// ExdatesText is the exceptions as the form shows them, one ISO date per line.
func (t *Task) ExdatesText() string {
	out := make([]string, len(t.Exdates))
	for i, d := range t.Exdates {
		out[i] = d.Format(time.DateOnly)
	}
	return strings.Join(out, "\n")
}

// Amendment is a change of a running contract's plan.
type Amendment struct {
	bun.BaseModel `bun:"table:plan_amendments,alias:pa"`

	ID             uuid.UUID     `bun:"id,pk,type:uuid"`
	ContractID     uuid.UUID     `bun:"contract_id,type:uuid"`
	EffectiveFrom  time.Time     `bun:"effective_from,type:date"`
	Reason         string        `bun:"reason"`
	Summary        string        `bun:"summary"`
	CreatedBy      uuid.NullUUID `bun:"created_by,type:uuid"`
	CreatedByLabel string        `bun:"created_by_label"`
	CreatedAt      time.Time     `bun:"created_at"`
	// ContractVersionNo is the version of the contract's terms the amendment made (0 when made
	// before the terms recorded the plan).
	ContractVersionNo int `bun:"contract_version_no,nullzero"`
}

// TaskInput is what staff type to add or change a task.
type TaskInput struct {
	Title            string
	Target           string
	Checklist        []string
	EstimatedMinutes int
	TechnicianID     uuid.UUID
	Place            interventions.Place
	Rule             string
	// Recurrence, when set, is the picker's choice: the rule is built from it and Rule is ignored.
	Recurrence *Recurrence
	FirstOn    time.Time
	// AtMinute is the time of day in minutes; -1 when what was typed is not a time.
	AtMinute int
	Exdates  []time.Time
	// BadExdate is set when an exception typed could not be read as a date.
	BadExdate bool
}

// ParseChecklist splits the checklist typed one step per line, dropping empty lines.
func ParseChecklist(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// ParseClock reads "09:30" as minutes of the day, or -1.
func ParseClock(s string) int {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return -1
	}
	return t.Hour()*60 + t.Minute()
}

// ParseExdates reads ISO dates separated by lines, commas or spaces; ok is false when one is not a date.
func ParseExdates(s string) (out []time.Time, ok bool) {
	ok = true
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' }) {
		d, err := time.Parse(time.DateOnly, f)
		if err != nil {
			ok = false
			continue
		}
		if !slices.ContainsFunc(out, d.Equal) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out, ok
}

// NormalizeRule accepts a rule with or without its "RRULE:" prefix, in any case, and returns it
// upper-cased without spaces.
func NormalizeRule(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	return strings.TrimPrefix(s, "RRULE:")
}

// Normalize trims the input.
func (in *TaskInput) Normalize() {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Target = strings.Join(strings.Fields(in.Target), " ")
	in.Rule = NormalizeRule(in.Rule)
	if !in.FirstOn.IsZero() {
		in.FirstOn = contracts.Day(in.FirstOn)
	}
	if in.Place == "" {
		in.Place = interventions.PlaceOnSite
	}
}

// Window is the span of days a rule is checked on: the contract's period from the task's first
// day, or checkYears when the contract has no end.
type Window struct{ From, To time.Time }

// check records what is wrong with the input in f; loc is the provider's zone and w the days the
// rule must occur in.
func (in *TaskInput) check(f apperr.Fields, loc *time.Location, w Window) {
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		f.Add("title", "error.required")
	case n > MaxTitle:
		f.Add("title", "error.too_long")
	}
	if utf8.RuneCountInString(in.Target) > MaxTarget {
		f.Add("target", "error.too_long")
	}
	if len(in.Checklist) > MaxChecklist {
		f.Add("checklist", ErrChecklist)
	}
	for _, c := range in.Checklist {
		if utf8.RuneCountInString(c) > MaxChecklistItem {
			f.Add("checklist", ErrChecklist)
		}
	}
	if in.EstimatedMinutes <= 0 || in.EstimatedMinutes > MaxMinutes {
		f.Add("estimated_minutes", ErrMinutes)
	}
	if !in.Place.Valid() {
		f.Add("place", "interventions.error.place")
	}
	if in.AtMinute < 0 || in.AtMinute >= 24*60 {
		f.Add("at_time", ErrAtTime)
	}
	if in.BadExdate || len(in.Exdates) > MaxExdates {
		f.Add("exdates", ErrExdate)
	}
	if in.FirstOn.IsZero() {
		f.Add("first_on", "error.required")
	} else if y := in.FirstOn.Year(); y < 2000 || y > 2100 {
		f.Add("first_on", "contract.error.date_range")
	}
	ruleField := "rule"
	if in.Recurrence != nil {
		ruleField = "rec_freq"
		before := len(f)
		in.Recurrence.Check(f)
		if len(f) > before {
			return
		}
		in.Rule = in.Recurrence.Rule()
	}
	if _, bad := f[ruleField]; bad || in.FirstOn.IsZero() || in.AtMinute < 0 {
		if in.Rule == "" {
			f.Add(ruleField, "error.required")
		}
		return
	}
	if key := CheckRule(in.Rule, in.FirstOn, in.AtMinute, in.Exdates, loc, w); key != "" {
		f.Add(ruleField, key)
	}
}

// CheckRule tells what is wrong with a rule (a catalogue key), or "": it must parse, must not occur
// more than once a day, and must occur at least once in w.
func CheckRule(rule string, firstOn time.Time, atMinute int, exdates []time.Time, loc *time.Location, w Window) string {
	if rule == "" {
		return "error.required"
	}
	if utf8.RuneCountInString(rule) > MaxRule {
		return "error.too_long"
	}
	r, err := newRule(rule, firstOn, atMinute, loc)
	if err != nil {
		return ErrRuleInvalid
	}
	if o, _ := rrule.StrToROption(rule); o != nil && o.Freq > rrule.DAILY {
		return ErrRuleRunaway // hourly, minutely, secondly
	}
	next := r.Iterator()
	var last time.Time
	limit := time.Date(w.To.Year(), w.To.Month(), w.To.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	found := false
	for n := 0; n < 2000; n++ {
		at, ok := next()
		if !ok || !at.Before(limit) {
			break
		}
		if !last.IsZero() && day(last, loc).Equal(day(at, loc)) {
			return ErrRuleRunaway
		}
		last = at
		d := day(at, loc)
		if !d.Before(w.From) && !slices.ContainsFunc(exdates, d.Equal) {
			found = true
		}
	}
	if !found {
		return ErrRuleNone
	}
	return ""
}

// newRule builds the rule with its DTSTART at the wall-clock time of day on firstOn in loc.
func newRule(rule string, firstOn time.Time, atMinute int, loc *time.Location) (*rrule.RRule, error) {
	o, err := rrule.StrToROptionInLocation(rule, loc)
	if err != nil {
		return nil, err
	}
	o.Dtstart = time.Date(firstOn.Year(), firstOn.Month(), firstOn.Day(), atMinute/60, atMinute%60, 0, 0, loc)
	return rrule.NewRRule(*o)
}

// day is the civil date (UTC midnight) of t in loc.
func day(t time.Time, loc *time.Location) time.Time { return contracts.Day(t.In(loc)) }

// Occurrences lists the task's visits whose day is in [from, to] (civil dates), as instants, the
// exceptions left out and the task's own span (effective from, ended on) respected.
func (t *Task) Occurrences(loc *time.Location, from, to time.Time) ([]time.Time, error) {
	if !t.EffectiveFrom.IsZero() && from.Before(contracts.Day(t.EffectiveFrom.Time)) {
		from = contracts.Day(t.EffectiveFrom.Time)
	}
	if !t.EndedOn.IsZero() && to.After(contracts.Day(t.EndedOn.Time)) {
		to = contracts.Day(t.EndedOn.Time)
	}
	if to.Before(from) {
		return nil, nil
	}
	r, err := newRule(t.Rule, contracts.Day(t.FirstOn), t.AtMinute, loc)
	if err != nil {
		return nil, fmt.Errorf("scheduling: task %s: %w", t.ID, err)
	}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	var out []time.Time
	for _, at := range r.Between(start, end, true) {
		if !at.Before(end) {
			continue
		}
		if d := day(at, loc); !slices.ContainsFunc(t.Exdates, func(x time.Time) bool { return contracts.Day(x).Equal(d) }) {
			out = append(out, at)
		}
	}
	return out, nil
}
