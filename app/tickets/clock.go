package tickets

import (
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"maintenant/app/contracts"
	"maintenant/app/sla"
)

// AtRiskPercent is the share of a target's business time under which a running clock is at risk.
const AtRiskPercent = 25

// riskTarget is the business time after which a clock with target d is at risk.
func riskTarget(d time.Duration) time.Duration { return d - d*AtRiskPercent/100 }

// SLASnapshot is the SLA policy in force when a ticket was opened, as the ticket keeps it: its
// service hours (in the form of contracts.SLAPolicy), the time zone of the provider then, and the
// targets and penalty rule of every priority.
type SLASnapshot struct {
	PolicyName     string              `json:"policy_name"`
	Location       string              `json:"location"`
	Hours          map[string][]string `json:"hours"`
	FrenchHolidays bool                `json:"french_holidays"`
	AlsaceMoselle  bool                `json:"alsace_moselle"`
	// Closures are days without service, "2006-01-02".
	Closures []string `json:"closures"`
	// Targets are keyed by priority code ("critical").
	Targets          map[string]contracts.Targets `json:"targets"`
	PenaltyBPPerHour int                          `json:"penalty_bp_per_hour"`
	PenaltyCapBP     int                          `json:"penalty_cap_bp"`
}

// NewSLASnapshot copies policy p for a ticket opened in time zone loc (nil means Europe/Paris).
func NewSLASnapshot(p *contracts.SLAPolicy, loc *time.Location) *SLASnapshot {
	name := "Europe/Paris"
	if loc != nil {
		name = loc.String()
	}
	s := &SLASnapshot{
		PolicyName: p.Name, Location: name, Hours: map[string][]string{},
		FrenchHolidays: p.FrenchHolidays, AlsaceMoselle: p.AlsaceMoselle,
		Targets:          map[string]contracts.Targets{},
		PenaltyBPPerHour: p.PenaltyBPPerHour, PenaltyCapBP: p.PenaltyCapBP,
	}
	for day, spans := range p.Hours {
		if len(spans) > 0 {
			s.Hours[day] = slices.Clone(spans)
		}
	}
	for _, d := range p.Closures {
		s.Closures = append(s.Closures, d.Format(time.DateOnly))
	}
	for pr, t := range p.Targets {
		s.Targets[pr.String()] = t
	}
	return s
}

// Calendar returns the business-time calendar of the snapshot.
func (s *SLASnapshot) Calendar() (*sla.Calendar, error) {
	loc, err := time.LoadLocation(s.Location)
	if err != nil {
		return nil, fmt.Errorf("tickets: sla snapshot location: %w", err)
	}
	p := contracts.SLAPolicy{Hours: maps.Clone(s.Hours), FrenchHolidays: s.FrenchHolidays, AlsaceMoselle: s.AlsaceMoselle}
	for _, d := range s.Closures {
		day, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return nil, fmt.Errorf("tickets: sla snapshot closure: %w", err)
		}
		p.Closures = append(p.Closures, day)
	}
	cal, err := p.Calendar(loc)
	if err != nil {
		return nil, fmt.Errorf("tickets: sla snapshot: %w", err)
	}
	return cal, nil
}

// TargetsFor returns the targets of a priority.
func (s *SLASnapshot) TargetsFor(p sla.Priority) (contracts.Targets, bool) {
	t, ok := s.Targets[p.String()]
	return t, ok && t.ReactionMinutes > 0 && t.ResolutionMinutes > 0
}

// PenaltyRule returns the penalty rule of the snapshot, for the monthly report.
func (s *SLASnapshot) PenaltyRule() sla.PenaltyRule {
	return sla.PenaltyRule{PercentPerStartedHour: s.PenaltyBPPerHour, CapPercentPerMonth: s.PenaltyCapBP}
}

// Calendar returns the business-time calendar of the ticket's SLA, or nil when it has none.
func (t *Ticket) Calendar() (*sla.Calendar, error) {
	if t.SLA == nil {
		return nil, nil
	}
	return t.SLA.Calendar()
}

// SLAState is where a clock (or a ticket, the worse of its two clocks) stands at an instant.
type SLAState string

// The states, from the least to the most worrying.
const (
	SLANone     SLAState = "none"
	SLAMet      SLAState = "met"
	SLAPaused   SLAState = "paused"
	SLAOnTime   SLAState = "on_time"
	SLAAtRisk   SLAState = "at_risk"
	SLABreached SLAState = "breached"
)

// SLAStates lists the states in the order filters offer them (the most worrying first).
func SLAStates() []SLAState {
	return []SLAState{SLABreached, SLAAtRisk, SLAOnTime, SLAPaused, SLAMet, SLANone}
}

// ParseSLAState returns the state named s, if there is one.
func ParseSLAState(s string) (SLAState, bool) {
	st := SLAState(s)
	return st, slices.Contains(SLAStates(), st)
}

// Label is the catalogue key naming the state ("tickets.sla.at_risk").
func (s SLAState) Label() string { return "tickets.sla." + string(s) }

// Tone is the colour of the state's badge, the same meaning everywhere (UI.md): "blue" on time,
// "orange" at risk, "red" breached, "amber" paused, "green" met, "grey" none.
func (s SLAState) Tone() string {
	switch s {
	case SLAOnTime:
		return "blue"
	case SLAAtRisk:
		return "orange"
	case SLABreached:
		return "red"
	case SLAPaused:
		return "amber"
	case SLAMet:
		return "green"
	}
	return "grey"
}

// rank orders the states by how worrying they are.
func (s SLAState) rank() int {
	return slices.Index([]SLAState{SLANone, SLAMet, SLAPaused, SLAOnTime, SLAAtRisk, SLABreached}, s)
}

// worse returns the more worrying of two states.
func worse(a, b SLAState) SLAState {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// ClockView is one clock of a ticket at an instant.
type ClockView struct {
	State SLAState
	// Target is the business time allowed (0 without SLA).
	Target time.Duration
	// Due is the deadline; zero without SLA, or while paused before the deadline was reached.
	Due time.Time
	// RiskAt is when less than AtRiskPercent of the target is left (zero like Due).
	RiskAt time.Time
	// StoppedAt is when the clock stopped (acknowledged or resolved), or zero while it runs.
	StoppedAt time.Time
	// Elapsed is the business time consumed, pauses excluded: at the instant asked, or when the
	// clock stopped. ElapsedKnown says whether it is filled: always by ComputeSLA, by SLAAt only
	// once the clock stopped.
	Elapsed      time.Duration
	ElapsedKnown bool
}

// Left is the business time left before the deadline (negative once over); meaningful when
// ElapsedKnown.
func (c ClockView) Left() time.Duration { return c.Target - c.Elapsed }

// Delay is the business time spent beyond the target (0 when within it): the delay a penalty is
// computed on.
func (c ClockView) Delay() time.Duration {
	if !c.ElapsedKnown || c.Elapsed <= c.Target {
		return 0
	}
	return c.Elapsed - c.Target
}

// SLAView is the SLA of a ticket at an instant: its two clocks and the worse of their states.
type SLAView struct {
	Reaction   ClockView
	Resolution ClockView
	State      SLAState
}

// SLAAt returns the SLA state of the ticket at now from its stored due and risk instants, without
// calendar nor database: what lists show. Elapsed business time is known only for stopped clocks;
// use ComputeSLA for the detail page.
func (t *Ticket) SLAAt(now time.Time) SLAView {
	if !t.HasSLA() {
		v := SLAView{Reaction: ClockView{State: SLANone}, Resolution: ClockView{State: SLANone}, State: SLANone}
		return v
	}
	r := ClockView{
		Target: t.ReactionTarget(), Due: t.ReactionDueAt.Time, RiskAt: t.ReactionRiskAt.Time,
		StoppedAt: t.AcknowledgedAt.Time,
	}
	switch {
	case !t.AcknowledgedAt.IsZero():
		r.State = stoppedState(t.ReactionBreached)
		r.Elapsed, r.ElapsedKnown = seconds(t.ReactionElapsedSeconds.Int64), t.ReactionElapsedSeconds.Valid
	default:
		r.State = runningState(now, r.Due, r.RiskAt, false)
	}
	s := ClockView{
		Target: t.ResolutionTarget(), Due: t.ResolutionDueAt.Time, RiskAt: t.ResolutionRiskAt.Time,
		StoppedAt: t.ResolvedAt.Time,
	}
	switch {
	case !t.ResolvedAt.IsZero():
		s.State = stoppedState(t.ResolutionBreached)
		s.Elapsed, s.ElapsedKnown = seconds(t.ResolutionElapsedSeconds.Int64), t.ResolutionElapsedSeconds.Valid
	default:
		s.State = runningState(now, s.Due, s.RiskAt, t.Status == StatusWaitingClient)
	}
	return SLAView{Reaction: r, Resolution: s, State: worse(r.State, s.State)}
}

func stoppedState(breached bool) SLAState {
	if breached {
		return SLABreached
	}
	return SLAMet
}

// runningState is the state of a clock that has not stopped: breached after its deadline, paused
// while waiting on the client, at risk from its risk instant, else on time.
func runningState(now, due, risk time.Time, paused bool) SLAState {
	switch {
	case !due.IsZero() && now.After(due):
		return SLABreached
	case paused:
		return SLAPaused
	case !risk.IsZero() && !now.Before(risk):
		return SLAAtRisk
	}
	return SLAOnTime
}

func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }

// ComputeSLA returns the SLA of ticket t at now from its pauses (ordered or not) and its calendar
// (Ticket.Calendar; nil for a ticket without SLA), with the business time elapsed on each clock:
// the detail page's "2 h 30 left". It reads no database and leaves t unchanged; on an up-to-date
// ticket its states are those of t.SLAAt(now).
func ComputeSLA(t *Ticket, pauses []*Pause, cal *sla.Calendar, now time.Time) SLAView {
	if !t.HasSLA() || cal == nil {
		return (&Ticket{}).SLAAt(now)
	}
	c := *t
	c.refreshSLA(cal, pauses)
	v := c.SLAAt(now)
	if c.AcknowledgedAt.IsZero() {
		v.Reaction.Elapsed, v.Reaction.ElapsedKnown = cal.Between(c.OpenedAt, now), true
	}
	if c.ResolvedAt.IsZero() {
		clock := sla.Clock{Calendar: cal, OpenedAt: c.OpenedAt, Pauses: slaPauses(pauses)}
		v.Resolution.Elapsed, v.Resolution.ElapsedKnown = clock.Elapsed(now), true
	}
	return v
}

// refreshSLA recomputes every SLA field of t from its targets, its status, its stop instants, its
// pauses and the calendar (rules 1 to 6 above). Without SLA it clears them.
func (t *Ticket) refreshSLA(cal *sla.Calendar, pauses []*Pause) {
	t.ReactionDueAt, t.ReactionRiskAt, t.ResolutionDueAt, t.ResolutionRiskAt = bun.NullTime{}, bun.NullTime{}, bun.NullTime{}, bun.NullTime{}
	t.NextDueAt, t.RiskAt = bun.NullTime{}, bun.NullTime{}
	t.ReactionBreached, t.ResolutionBreached = false, false
	t.ReactionElapsedSeconds, t.ResolutionElapsedSeconds = sql.NullInt64{}, sql.NullInt64{}
	if !t.HasSLA() || cal == nil {
		return
	}
	reaction := sla.Clock{Calendar: cal, OpenedAt: t.OpenedAt}
	rDue, _ := reaction.Due(t.ReactionTarget())
	rRisk, _ := reaction.Due(riskTarget(t.ReactionTarget()))
	t.ReactionDueAt, t.ReactionRiskAt = nullTime(rDue), nullTime(rRisk)
	if ack := t.AcknowledgedAt.Time; !ack.IsZero() {
		t.ReactionElapsedSeconds = nullSeconds(reaction.Elapsed(ack))
		t.ReactionBreached = ack.After(rDue)
	}

	resolution := sla.Clock{Calendar: cal, OpenedAt: t.OpenedAt, Pauses: slaPauses(pauses)}
	sDue, dueKnown := resolution.Due(t.ResolutionTarget())
	sRisk, riskKnown := resolution.Due(riskTarget(t.ResolutionTarget()))
	if dueKnown {
		t.ResolutionDueAt = nullTime(sDue)
	}
	if riskKnown {
		t.ResolutionRiskAt = nullTime(sRisk)
	}
	if res := t.ResolvedAt.Time; !res.IsZero() {
		t.ResolutionElapsedSeconds = nullSeconds(resolution.Elapsed(res))
		t.ResolutionBreached = dueKnown && res.After(sDue)
	}

	switch {
	case !t.Status.IsOpen():
	case t.AcknowledgedAt.IsZero():
		t.NextDueAt, t.RiskAt = t.ReactionDueAt, t.ReactionRiskAt
	case t.Status == StatusWaitingClient:
		// Paused: no deadline runs, unless it was already exceeded before the pause.
		if dueKnown {
			t.NextDueAt, t.RiskAt = t.ResolutionDueAt, t.ResolutionRiskAt
		}
	default:
		t.NextDueAt, t.RiskAt = t.ResolutionDueAt, t.ResolutionRiskAt
	}
}

// move applies the clock rules of a status change of t to status to at now (rules 2 to 5), and
// returns the pauses after it (pauses is not modified). It does not check that the move is
// allowed.
func (t *Ticket) move(to Status, pauses []*Pause, now time.Time, cal *sla.Calendar) []*Pause {
	from := t.Status
	ps := make([]*Pause, 0, len(pauses)+1)
	for _, p := range pauses {
		cp := *p
		ps = append(ps, &cp)
	}
	if from == StatusWaitingClient && to != StatusWaitingClient {
		for i, p := range ps {
			if p.IsOpen() {
				if !now.After(p.StartedAt) {
					ps = slices.Delete(ps, i, i+1) // an empty pause is no pause
				} else {
					p.EndedAt = nullTime(now)
				}
				break
			}
		}
	}
	if to == StatusWaitingClient && from != StatusWaitingClient {
		ps = append(ps, &Pause{TicketID: t.ID, StartedAt: now, Kind: PauseWaitingClient})
	}
	if to == StatusAcknowledged && t.AcknowledgedAt.IsZero() {
		t.AcknowledgedAt = nullTime(now)
	}
	if to == StatusResolved {
		t.ResolvedAt = nullTime(now)
	}
	if IsReopen(from, to) {
		if res := t.ResolvedAt.Time; !res.IsZero() && now.After(res) {
			ps = append(ps, &Pause{TicketID: t.ID, StartedAt: res, EndedAt: nullTime(now), Kind: PauseReopened})
		}
		t.ResolvedAt = nullTime(time.Time{})
		t.ReopenedCount++
	}
	if to == StatusClosed {
		t.ClosedAt = nullTime(now)
	}
	t.Status = to
	slices.SortFunc(ps, func(a, b *Pause) int { return a.StartedAt.Compare(b.StartedAt) })
	t.refreshSLA(cal, ps)
	return ps
}

// setPriority gives t a new priority and the targets of that priority in its snapshot (rule 6).
// It reports false when the snapshot has no targets for it (the ticket keeps its SLA fields then).
func (t *Ticket) setPriority(p sla.Priority, pauses []*Pause, cal *sla.Calendar) bool {
	t.Priority = p
	t.PriorityCode = p.String()
	if t.SLA == nil {
		return true
	}
	targets, ok := t.SLA.TargetsFor(p)
	if !ok {
		return false
	}
	t.ReactionMinutes, t.ResolutionMinutes = targets.ReactionMinutes, targets.ResolutionMinutes
	t.refreshSLA(cal, pauses)
	return true
}

// nullTime is t, or NULL when t is zero.
func nullTime(t time.Time) bun.NullTime { return bun.NullTime{Time: t} }

// nullSeconds is d in whole seconds.
func nullSeconds(d time.Duration) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(d / time.Second), Valid: true}
}
