package tickets

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/contracts"
	"maintenant/app/sla"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at reads "2006-01-02 15:04" in Paris; "" is the zero time.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// officePolicy is Monday to Friday 09:00-18:00, closed on French public holidays; targets
// (reaction/resolution, minutes): critical 60/240, high 120/480, normal 240/960, low 480/2400.
func officePolicy() *contracts.SLAPolicy {
	day := []string{"09:00-18:00"}
	return &contracts.SLAPolicy{
		Name: "Bureau",
		Hours: map[string][]string{"monday": day, "tuesday": day, "wednesday": day, "thursday": day,
			"friday": day},
		FrenchHolidays: true,
		Targets: map[sla.Priority]contracts.Targets{
			sla.Critical: {ReactionMinutes: 60, ResolutionMinutes: 240},
			sla.High:     {ReactionMinutes: 120, ResolutionMinutes: 480},
			sla.Normal:   {ReactionMinutes: 240, ResolutionMinutes: 960},
			sla.Low:      {ReactionMinutes: 480, ResolutionMinutes: 2400},
		},
		PenaltyBPPerHour: 100, PenaltyCapBP: 1000,
	}
}

// memTicket is a ticket opened at opened under officePolicy, with its pauses, kept in memory.
type memTicket struct {
	t      *Ticket
	pauses []*Pause
}

func newMemTicket(tb testing.TB, opened string, p sla.Priority) *memTicket {
	tb.Helper()
	snap := NewSLASnapshot(officePolicy(), paris)
	tg, ok := snap.TargetsFor(p)
	if !ok {
		tb.Fatalf("no targets for %v", p)
	}
	tk := &Ticket{ID: uuid.New(), Status: StatusNew, Priority: p, OpenedAt: at(tb, opened), SLA: snap,
		ReactionMinutes: tg.ReactionMinutes, ResolutionMinutes: tg.ResolutionMinutes}
	m := &memTicket{t: tk}
	tk.refreshSLA(m.cal(tb), nil)
	return m
}

func (m *memTicket) cal(tb testing.TB) *sla.Calendar {
	tb.Helper()
	cal, err := m.t.Calendar()
	if err != nil {
		tb.Fatal(err)
	}
	return cal
}

// step is a status change (to) or a priority change (priority) at an instant.
type step struct {
	at       string
	to       Status
	priority sla.Priority
}

func (m *memTicket) run(tb testing.TB, steps ...step) {
	tb.Helper()
	for _, s := range steps {
		if s.priority != 0 {
			m.t.setPriority(s.priority, m.pauses, m.cal(tb))
			continue
		}
		if !CanTransition(m.t.Status, s.to) {
			tb.Fatalf("step %v: %s → %s not allowed", s, m.t.Status, s.to)
		}
		m.pauses = m.t.move(s.to, m.pauses, at(tb, s.at), m.cal(tb))
	}
}

func TestClockRules(t *testing.T) {
	ack := func(s string) step { return step{at: s, to: StatusAcknowledged} }
	to := func(st Status, s string) step { return step{at: s, to: st} }
	prio := func(p sla.Priority) step { return step{priority: p} }
	tests := []struct {
		name     string
		opened   string
		priority sla.Priority
		steps    []step
		// Expected stored fields after the steps ("" for NULL).
		reactionDue, resolutionDue           string
		reactionBreached, resolutionBreached bool
		// Expected states at now.
		now                                string
		reaction, resolution, overall      SLAState
		reactionElapsed, resolutionElapsed time.Duration // when the clock stopped, else at now
	}{
		{
			name: "opened Friday 17:55 with 1 h reaction is due Monday 09:55", opened: "2026-03-06 17:55", priority: sla.Critical,
			reactionDue: "2026-03-09 09:55", resolutionDue: "2026-03-09 12:55",
			now: "2026-03-07 12:00", reaction: SLAOnTime, resolution: SLAOnTime, overall: SLAOnTime,
			reactionElapsed: 5 * time.Minute, resolutionElapsed: 5 * time.Minute,
		},
		{
			name: "opened on a Saturday starts Monday 09:00", opened: "2026-03-07 10:00", priority: sla.Critical,
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00",
			now: "2026-03-09 09:50", reaction: SLAAtRisk, resolution: SLAOnTime, overall: SLAAtRisk,
			reactionElapsed: 50 * time.Minute, resolutionElapsed: 50 * time.Minute,
		},
		{
			name: "Easter Monday is skipped", opened: "2026-04-03 17:00", priority: sla.Normal,
			reactionDue: "2026-04-07 12:00", resolutionDue: "2026-04-08 15:00",
			now: "2026-04-06 12:00", reaction: SLAOnTime, resolution: SLAOnTime, overall: SLAOnTime,
			reactionElapsed: time.Hour, resolutionElapsed: time.Hour,
		},
		{
			name: "reaction at risk once 25 % is left", opened: "2026-03-09 09:00", priority: sla.Critical,
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00",
			now: "2026-03-09 09:45", reaction: SLAAtRisk, resolution: SLAOnTime, overall: SLAAtRisk,
			reactionElapsed: 45 * time.Minute, resolutionElapsed: 45 * time.Minute,
		},
		{
			name: "reaction breached while still new", opened: "2026-03-09 09:00", priority: sla.Critical,
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00",
			now: "2026-03-09 10:01", reaction: SLABreached, resolution: SLAOnTime, overall: SLABreached,
			reactionElapsed: 61 * time.Minute, resolutionElapsed: 61 * time.Minute,
		},
		{
			name: "acknowledged in time stops the reaction clock", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps:       []step{ack("2026-03-09 09:30")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00",
			now: "2026-03-09 11:00", reaction: SLAMet, resolution: SLAOnTime, overall: SLAOnTime,
			reactionElapsed: 30 * time.Minute, resolutionElapsed: 2 * time.Hour,
		},
		{
			name: "acknowledged late", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps:       []step{ack("2026-03-09 10:30")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00", reactionBreached: true,
			now: "2026-03-09 11:00", reaction: SLABreached, resolution: SLAOnTime, overall: SLABreached,
			reactionElapsed: 90 * time.Minute, resolutionElapsed: 2 * time.Hour,
		},
		{
			name: "acknowledged on Saturday after a Friday 18:00 deadline is late", opened: "2026-03-06 17:00", priority: sla.Critical,
			steps:       []step{ack("2026-03-07 10:00")},
			reactionDue: "2026-03-06 18:00", resolutionDue: "2026-03-09 12:00", reactionBreached: true,
			now: "2026-03-07 10:00", reaction: SLABreached, resolution: SLAOnTime, overall: SLABreached,
			reactionElapsed: time.Hour, resolutionElapsed: time.Hour,
		},
		{
			name: "waiting on the client pauses the resolution clock", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps:       []step{ack("2026-03-09 09:10"), to(StatusWaitingClient, "2026-03-09 10:00")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "",
			now: "2026-03-10 15:00", reaction: SLAMet, resolution: SLAPaused, overall: SLAPaused,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: time.Hour,
		},
		{
			name: "resuming recomputes the deadline with the pause", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps: []step{ack("2026-03-09 09:10"), to(StatusWaitingClient, "2026-03-09 10:00"),
				to(StatusInProgress, "2026-03-09 14:00")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 17:00",
			now: "2026-03-09 15:00", reaction: SLAMet, resolution: SLAOnTime, overall: SLAOnTime,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: 2 * time.Hour,
		},
		{
			name: "a pause over the night and a holiday", opened: "2026-04-03 16:00", priority: sla.Critical,
			steps: []step{ack("2026-04-03 16:10"), to(StatusWaitingClient, "2026-04-03 17:00"),
				to(StatusInProgress, "2026-04-07 10:00")},
			reactionDue: "2026-04-03 17:00", resolutionDue: "2026-04-07 13:00",
			now: "2026-04-07 12:00", reaction: SLAMet, resolution: SLAAtRisk, overall: SLAAtRisk,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: 3 * time.Hour,
		},
		{
			name: "resolved in time", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps: []step{ack("2026-03-09 09:10"), to(StatusWaitingClient, "2026-03-09 10:00"),
				to(StatusInProgress, "2026-03-09 14:00"), to(StatusResolved, "2026-03-09 16:00")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 17:00",
			now: "2026-03-10 15:00", reaction: SLAMet, resolution: SLAMet, overall: SLAMet,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: 3 * time.Hour,
		},
		{
			name: "resolved straight from waiting", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps: []step{ack("2026-03-09 09:10"), to(StatusWaitingClient, "2026-03-09 10:00"),
				to(StatusResolved, "2026-03-10 16:00")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-11 10:00",
			now: "2026-03-10 16:00", reaction: SLAMet, resolution: SLAMet, overall: SLAMet,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: time.Hour,
		},
		{
			name: "resolved late", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps:       []step{ack("2026-03-09 09:10"), to(StatusResolved, "2026-03-09 13:30")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00", resolutionBreached: true,
			now: "2026-03-09 14:00", reaction: SLAMet, resolution: SLABreached, overall: SLABreached,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: 4*time.Hour + 30*time.Minute,
		},
		{
			name: "a pause begun after the deadline keeps the ticket breached", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps:       []step{ack("2026-03-09 09:10"), to(StatusWaitingClient, "2026-03-09 14:00")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00",
			now: "2026-03-09 15:00", reaction: SLAMet, resolution: SLABreached, overall: SLABreached,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: 5 * time.Hour,
		},
		{
			name: "reopening turns the resolved time into a pause", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps: []step{ack("2026-03-09 09:05"), to(StatusResolved, "2026-03-09 11:00"),
				to(StatusInProgress, "2026-03-10 10:00")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-10 12:00",
			now: "2026-03-10 11:30", reaction: SLAMet, resolution: SLAAtRisk, overall: SLAAtRisk,
			reactionElapsed: 5 * time.Minute, resolutionElapsed: 3*time.Hour + 30*time.Minute,
		},
		{
			name: "reopened then resolved again late", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps: []step{ack("2026-03-09 09:05"), to(StatusResolved, "2026-03-09 11:00"),
				to(StatusInProgress, "2026-03-10 10:00"), to(StatusResolved, "2026-03-10 12:30")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-10 12:00", resolutionBreached: true,
			now: "2026-03-10 13:00", reaction: SLAMet, resolution: SLABreached, overall: SLABreached,
			reactionElapsed: 5 * time.Minute, resolutionElapsed: 4*time.Hour + 30*time.Minute,
		},
		{
			name: "raising the priority mid-way breaches at once", opened: "2026-03-09 09:00", priority: sla.Normal,
			steps:       []step{ack("2026-03-09 09:30"), to(StatusInProgress, "2026-03-09 09:40"), prio(sla.Critical)},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00",
			now: "2026-03-09 14:00", reaction: SLAMet, resolution: SLABreached, overall: SLABreached,
			reactionElapsed: 30 * time.Minute, resolutionElapsed: 5 * time.Hour,
		},
		{
			name: "lowering the priority turns a late reaction into a met one", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps:       []step{ack("2026-03-09 10:30"), prio(sla.Normal)},
			reactionDue: "2026-03-09 13:00", resolutionDue: "2026-03-10 16:00",
			now: "2026-03-09 11:00", reaction: SLAMet, resolution: SLAOnTime, overall: SLAOnTime,
			reactionElapsed: 90 * time.Minute, resolutionElapsed: 2 * time.Hour,
		},
		{
			name: "a priority change keeps the pauses", opened: "2026-03-09 09:00", priority: sla.Normal,
			steps: []step{ack("2026-03-09 09:10"), to(StatusWaitingClient, "2026-03-09 10:00"),
				to(StatusInProgress, "2026-03-09 12:00"), prio(sla.High)},
			reactionDue: "2026-03-09 11:00", resolutionDue: "2026-03-10 10:00",
			now: "2026-03-09 13:00", reaction: SLAMet, resolution: SLAOnTime, overall: SLAOnTime,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: 2 * time.Hour,
		},
		{
			name: "an empty pause is no pause", opened: "2026-03-09 09:00", priority: sla.Critical,
			steps: []step{ack("2026-03-09 09:10"), to(StatusWaitingClient, "2026-03-09 10:00"),
				to(StatusInProgress, "2026-03-09 10:00")},
			reactionDue: "2026-03-09 10:00", resolutionDue: "2026-03-09 13:00",
			now: "2026-03-09 11:00", reaction: SLAMet, resolution: SLAOnTime, overall: SLAOnTime,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: 2 * time.Hour,
		},
		{
			name: "closed keeps the measures", opened: "2026-03-09 09:00", priority: sla.Low,
			steps: []step{ack("2026-03-09 09:10"), to(StatusResolved, "2026-03-09 12:00"),
				to(StatusClosed, "2026-03-12 12:00")},
			reactionDue: "2026-03-09 17:00", resolutionDue: "2026-03-13 13:00",
			now: "2026-03-20 12:00", reaction: SLAMet, resolution: SLAMet, overall: SLAMet,
			reactionElapsed: 10 * time.Minute, resolutionElapsed: 3 * time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemTicket(t, tt.opened, tt.priority)
			m.run(t, tt.steps...)
			tk := m.t
			if got, want := tk.ReactionDueAt.Time, at(t, tt.reactionDue); !got.Equal(want) {
				t.Errorf("reaction due = %v, want %v", got.In(paris), want)
			}
			if got, want := tk.ResolutionDueAt.Time, at(t, tt.resolutionDue); !got.Equal(want) {
				t.Errorf("resolution due = %v, want %v", got.In(paris), want)
			}
			if tk.ReactionBreached != tt.reactionBreached || tk.ResolutionBreached != tt.resolutionBreached {
				t.Errorf("breached = %v/%v, want %v/%v", tk.ReactionBreached, tk.ResolutionBreached, tt.reactionBreached, tt.resolutionBreached)
			}
			now := at(t, tt.now)
			quick := tk.SLAAt(now)
			exact := ComputeSLA(tk, m.pauses, m.cal(t), now)
			for _, v := range []struct {
				name string
				v    SLAView
			}{{"SLAAt", quick}, {"ComputeSLA", exact}} {
				if v.v.Reaction.State != tt.reaction || v.v.Resolution.State != tt.resolution || v.v.State != tt.overall {
					t.Errorf("%s = %s/%s → %s, want %s/%s → %s", v.name, v.v.Reaction.State, v.v.Resolution.State, v.v.State,
						tt.reaction, tt.resolution, tt.overall)
				}
			}
			if got := exact.Reaction.Elapsed; got != tt.reactionElapsed {
				t.Errorf("reaction elapsed = %v, want %v", got, tt.reactionElapsed)
			}
			if got := exact.Resolution.Elapsed; got != tt.resolutionElapsed {
				t.Errorf("resolution elapsed = %v, want %v", got, tt.resolutionElapsed)
			}
			if !tk.AcknowledgedAt.IsZero() && (!quick.Reaction.ElapsedKnown || quick.Reaction.Elapsed != tt.reactionElapsed) {
				t.Errorf("stored reaction elapsed = %v (%v), want %v", quick.Reaction.Elapsed, quick.Reaction.ElapsedKnown, tt.reactionElapsed)
			}
			if !tk.ResolvedAt.IsZero() && (!quick.Resolution.ElapsedKnown || quick.Resolution.Elapsed != tt.resolutionElapsed) {
				t.Errorf("stored resolution elapsed = %v (%v), want %v", quick.Resolution.Elapsed, quick.Resolution.ElapsedKnown, tt.resolutionElapsed)
			}
		})
	}
}

// TestSLAAtAgreesWithComputeSLA checks, every five minutes over a week, that the state read from the
// stored instants (lists, the SQL filter) is the state recomputed from the pauses and the calendar,
// and that Elapsed reaches the target exactly at the due instant.
func TestSLAAtAgreesWithComputeSLA(t *testing.T) {
	scenarios := [][]step{
		nil,
		{{at: "2026-03-09 09:20", to: StatusAcknowledged}},
		{{at: "2026-03-09 09:20", to: StatusAcknowledged}, {at: "2026-03-09 11:00", to: StatusWaitingClient}},
		{{at: "2026-03-09 09:20", to: StatusAcknowledged}, {at: "2026-03-09 11:00", to: StatusWaitingClient},
			{at: "2026-03-10 09:30", to: StatusInProgress}},
		{{at: "2026-03-09 11:20", to: StatusAcknowledged}, {at: "2026-03-09 15:00", to: StatusWaitingClient}},
		{{at: "2026-03-09 09:20", to: StatusAcknowledged}, {at: "2026-03-09 10:00", to: StatusResolved},
			{at: "2026-03-10 11:00", to: StatusInProgress}, {priority: sla.Critical}},
	}
	for i, steps := range scenarios {
		m := newMemTicket(t, "2026-03-09 09:00", sla.High)
		m.run(t, steps...)
		cal := m.cal(t)
		for now := at(t, "2026-03-09 08:00"); now.Before(at(t, "2026-03-16 08:00")); now = now.Add(5 * time.Minute) {
			quick, exact := m.t.SLAAt(now), ComputeSLA(m.t, m.pauses, cal, now)
			if quick.Reaction.State != exact.Reaction.State || quick.Resolution.State != exact.Resolution.State || quick.State != exact.State {
				t.Fatalf("scenario %d at %v: SLAAt %+v, ComputeSLA %+v", i, now.In(paris), quick, exact)
			}
			if r := exact.Resolution; !r.Due.IsZero() && now.Equal(r.Due) && r.StoppedAt.IsZero() && r.Elapsed != r.Target {
				t.Errorf("scenario %d: at the due instant %v elapsed %v, want %v", i, now.In(paris), r.Elapsed, r.Target)
			}
		}
	}
}

func TestNoSLA(t *testing.T) {
	tk := &Ticket{Status: StatusNew, Priority: sla.High, OpenedAt: at(t, "2026-03-09 09:00")}
	tk.refreshSLA(nil, nil)
	if !tk.ReactionDueAt.IsZero() || !tk.ResolutionDueAt.IsZero() || !tk.NextDueAt.IsZero() || !tk.RiskAt.IsZero() {
		t.Errorf("a ticket without SLA has due dates: %+v", tk)
	}
	tk.move(StatusAcknowledged, nil, at(t, "2026-03-09 10:00"), nil)
	for _, v := range []SLAView{tk.SLAAt(at(t, "2026-03-20 09:00")), ComputeSLA(tk, nil, nil, at(t, "2026-03-20 09:00"))} {
		if v.State != SLANone || v.Reaction.State != SLANone || v.Resolution.State != SLANone {
			t.Errorf("state = %+v, want none", v)
		}
	}
	if tk.AcknowledgedAt.IsZero() {
		t.Error("acknowledging a ticket without SLA must still record when")
	}
}

func TestNextDueAndRisk(t *testing.T) {
	m := newMemTicket(t, "2026-03-09 09:00", sla.Critical)
	check := func(label, due, risk string) {
		t.Helper()
		if got, want := m.t.NextDueAt.Time, at(t, due); !got.Equal(want) {
			t.Errorf("%s: next due = %v, want %v", label, got.In(paris), want)
		}
		if got, want := m.t.RiskAt.Time, at(t, risk); !got.Equal(want) {
			t.Errorf("%s: risk at = %v, want %v", label, got.In(paris), want)
		}
	}
	check("new: the reaction clock", "2026-03-09 10:00", "2026-03-09 09:45")
	m.run(t, step{at: "2026-03-09 09:10", to: StatusAcknowledged})
	check("acknowledged: the resolution clock", "2026-03-09 13:00", "2026-03-09 12:00")
	m.run(t, step{at: "2026-03-09 10:00", to: StatusWaitingClient})
	check("waiting: nothing runs", "", "")
	m.run(t, step{at: "2026-03-09 11:00", to: StatusInProgress})
	check("resumed", "2026-03-09 14:00", "2026-03-09 13:00")
	m.run(t, step{at: "2026-03-09 12:00", to: StatusResolved})
	check("resolved", "", "")
	if got, want := len(m.pauses), 1; got != want {
		t.Fatalf("pauses = %d, want %d", got, want)
	}
	m.run(t, step{at: "2026-03-09 15:00", to: StatusInProgress})
	if got, want := len(m.pauses), 2; got != want {
		t.Fatalf("pauses after reopening = %d, want %d", got, want)
	}
	if p := m.pauses[1]; p.Kind != PauseReopened || !p.StartedAt.Equal(at(t, "2026-03-09 12:00")) || !p.EndedAt.Time.Equal(at(t, "2026-03-09 15:00")) {
		t.Errorf("reopening pause = %+v", p)
	}
	if m.t.ReopenedCount != 1 || !m.t.ResolvedAt.IsZero() {
		t.Errorf("after reopening: count %d, resolved at %v", m.t.ReopenedCount, m.t.ResolvedAt)
	}
	// 9:00-10:00 and 11:00-12:00 consumed 2 h of 4: 2 h left from 15:00.
	check("reopened", "2026-03-09 17:00", "2026-03-09 16:00")
}

func TestSnapshotCalendar(t *testing.T) {
	p := officePolicy()
	p.Closures = []time.Time{time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}
	snap := NewSLASnapshot(p, paris)
	cal, err := snap.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	if cal.Location.String() != "Europe/Paris" {
		t.Errorf("location = %v", cal.Location)
	}
	// Monday 17:00 + 2 h: 1 h on Monday, Tuesday is closed, 1 h on Wednesday.
	if got, want := cal.Add(at(t, "2026-03-09 17:00"), 2*time.Hour), at(t, "2026-03-11 10:00"); !got.Equal(want) {
		t.Errorf("due = %v, want %v", got, want)
	}
	if tg, ok := snap.TargetsFor(sla.High); !ok || tg.ReactionMinutes != 120 || tg.ResolutionMinutes != 480 {
		t.Errorf("high targets = %+v, %v", tg, ok)
	}
	if r := snap.PenaltyRule(); r.PercentPerStartedHour != 100 || r.CapPercentPerMonth != 1000 {
		t.Errorf("penalty rule = %+v", r)
	}
}

func TestSLAStateWords(t *testing.T) {
	for _, s := range SLAStates() {
		if got, ok := ParseSLAState(string(s)); !ok || got != s {
			t.Errorf("ParseSLAState(%q) = %q, %v", s, got, ok)
		}
		if s.Tone() == "" || s.Label() != "tickets.sla."+string(s) {
			t.Errorf("%s: tone %q, label %q", s, s.Tone(), s.Label())
		}
	}
	if _, ok := ParseSLAState("late"); ok {
		t.Error("unknown state accepted")
	}
	if worse(SLAOnTime, SLAPaused) != SLAOnTime || worse(SLAMet, SLABreached) != SLABreached || worse(SLAAtRisk, SLAOnTime) != SLAAtRisk {
		t.Error("worse orders states wrongly")
	}
}
