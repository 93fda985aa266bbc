package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/contracts"
	"maintenant/app/legal"
	"maintenant/app/sla"
)

// Limits of what people type, checked by the validations (the database holds the same ones).
const (
	MaxTitle        = 200
	MaxDescription  = 20000
	MaxMessage      = 20000
	MaxDiagnosis    = 20000
	MaxNote         = 2000
	MaxReporter     = 200
	MaxServiceLabel = 300
	// MaxEscalation is the highest escalation level (0 is "not escalated").
	MaxEscalation = 3
)

// NumberSeries is the counter series of ticket numbers; the year is always 0: tickets are numbered
// once for all (T-0001, T-1042), not per year.
const NumberSeries = "T"

// Reference formats the human reference of ticket number n: T-0042, T-1042.
func Reference(n int) string { return fmt.Sprintf("%s-%04d", NumberSeries, n) }

// ParseReference reads a ticket reference as people type it ("T-1042", "t1042", "#1042", "1042")
// and returns its number.
func ParseReference(s string) (int, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "#")
	if rest, ok := strings.CutPrefix(s, NumberSeries); ok {
		s = strings.TrimPrefix(rest, "-")
	}
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// Channel is how a fault was reported: through the portal by the client, or by email or phone and
// then logged by staff on the client's behalf.
type Channel string

// The channels.
const (
	ChannelPortal Channel = "portal"
	ChannelEmail  Channel = "email"
	ChannelPhone  Channel = "phone"
)

// Channels lists the channels in the order forms offer them.
func Channels() []Channel { return []Channel{ChannelPortal, ChannelEmail, ChannelPhone} }

// Valid tells whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelPortal || c == ChannelEmail || c == ChannelPhone }

// Label is the catalogue key naming the channel ("tickets.channel.phone").
func (c Channel) Label() string { return "tickets.channel." + string(c) }

// Impact is a priority said in the client's words: the portal asks "what happens?" rather than
// "which priority?". Key and Hint are catalogue keys.
type Impact struct {
	Priority sla.Priority
	// Key names the impact: "tickets.impact.critical" = "Site en panne / service arrêté".
	Key string
	// Hint gives an example under the choice.
	Hint string
}

// Impacts lists the impacts from the most to the least urgent: critical "site en panne / service
// arrêté", high "une fonction ne marche plus", normal "une gêne, ça marche encore", low "une
// question / une demande".
func Impacts() []Impact {
	out := make([]Impact, 0, 4)
	for _, p := range sla.Priorities() {
		out = append(out, Impact{Priority: p, Key: ImpactKey(p), Hint: "tickets.impact_hint." + p.String()})
	}
	return out
}

// ImpactKey is the catalogue key of a priority in the client's words ("tickets.impact.high").
func ImpactKey(p sla.Priority) string { return "tickets.impact." + p.String() }

// PriorityKey is the catalogue key of a priority in staff words ("tickets.priority.high" = "Haute").
func PriorityKey(p sla.Priority) string { return "tickets.priority." + p.String() }

// EscalationKey is the catalogue key naming an escalation level ("tickets.escalation.1"; level 0 is
// "not escalated").
func EscalationKey(level int) string { return "tickets.escalation." + strconv.Itoa(level) }

// Ticket is a fault report. Its SLA fields are maintained by the store with the rules of the package documentation ("The SLA clock"):
// never set them by hand.
type Ticket struct {
	bun.BaseModel `bun:"table:tickets,alias:t"`

	ID     uuid.UUID `bun:"id,pk,type:uuid"`
	Number int       `bun:"number"`
	// ClientID is the client company the fault concerns.
	ClientID uuid.UUID `bun:"client_id,type:uuid"`
	// ContractID and ContractVersion are the contract and the version of its terms in force on the
	// opening day; both empty when the ticket is outside any contract.
	ContractID      uuid.NullUUID `bun:"contract_id,type:uuid"`
	ContractVersion int           `bun:"contract_version,nullzero"`
	// ServiceLabel is the service of the contract concerned (a Service's Description), or "".
	ServiceLabel string `bun:"service_label"`
	Title        string `bun:"title"`
	Description  string `bun:"description"`
	// Priority is the ticket's priority; PriorityCode is its stored form, kept in step by the hooks.
	Priority     sla.Priority `bun:"-"`
	PriorityCode string       `bun:"priority"`
	Channel      Channel      `bun:"channel"`
	// ReporterID is the client user who reported the fault (none when staff logged a call from
	// someone without an account); ReporterLabel is the name shown.
	ReporterID    uuid.NullUUID `bun:"reporter_id,type:uuid"`
	ReporterLabel string        `bun:"reporter_label"`
	ContactPhone  string        `bun:"contact_phone"`
	Status        Status        `bun:"status"`
	AssigneeID    uuid.NullUUID `bun:"assignee_id,type:uuid"`
	// EscalationLevel is 0 (not escalated) to MaxEscalation.
	EscalationLevel int `bun:"escalation_level"`
	// Diagnosis and RepairPlan are written by staff and shown to the client.
	Diagnosis  string `bun:"diagnosis"`
	RepairPlan string `bun:"repair_plan"`

	// SLAPolicyID is the policy of the contract version in force at opening; SLA is a snapshot of
	// its service hours and targets then. Both are empty for a ticket without SLA.
	SLAPolicyID uuid.NullUUID `bun:"sla_policy_id,type:uuid"`
	SLA         *SLASnapshot  `bun:"sla_snapshot,type:jsonb,nullzero"`
	// ReactionMinutes and ResolutionMinutes are the targets of the current priority, in business
	// minutes (0 without SLA).
	ReactionMinutes   int `bun:"reaction_minutes,nullzero"`
	ResolutionMinutes int `bun:"resolution_minutes,nullzero"`

	OpenedAt time.Time `bun:"opened_at"`
	// ReactionDueAt is when the ticket must be acknowledged; ResolutionDueAt when it must be
	// resolved given the pauses so far (empty while paused, unless already overdue then).
	ReactionDueAt   bun.NullTime `bun:"reaction_due_at"`
	ResolutionDueAt bun.NullTime `bun:"resolution_due_at"`
	// ReactionRiskAt and ResolutionRiskAt are when less than AtRiskPercent of each target is left.
	ReactionRiskAt   bun.NullTime `bun:"reaction_risk_at"`
	ResolutionRiskAt bun.NullTime `bun:"resolution_risk_at"`
	// NextDueAt and RiskAt are those of the clock running now (reaction until acknowledged, then
	// resolution; none while paused, resolved or closed): the queue's sort key and the escalation
	// job's trigger.
	NextDueAt bun.NullTime `bun:"next_due_at"`
	RiskAt    bun.NullTime `bun:"risk_at"`

	AcknowledgedAt bun.NullTime `bun:"acknowledged_at"`
	ResolvedAt     bun.NullTime `bun:"resolved_at"`
	ClosedAt       bun.NullTime `bun:"closed_at"`
	// ReactionBreached and ResolutionBreached say whether each clock stopped after its deadline
	// (false while it runs: use SLAAt for the live state).
	ReactionBreached   bool `bun:"reaction_breached"`
	ResolutionBreached bool `bun:"resolution_breached"`
	// ReactionElapsedSeconds and ResolutionElapsedSeconds are the business time each clock took,
	// pauses excluded, once stopped.
	ReactionElapsedSeconds   sql.NullInt64 `bun:"reaction_elapsed_seconds"`
	ResolutionElapsedSeconds sql.NullInt64 `bun:"resolution_elapsed_seconds"`
	ReopenedCount            int           `bun:"reopened_count"`

	UpdatedAt time.Time `bun:"updated_at"`
	// Version counts changes, for optimistic locking (the hidden "version" field of forms).
	Version int `bun:"version"`

	// ClientName, ContractReference and AssigneeName are read with the ticket, for display.
	ClientName        string `bun:"client_name,scanonly"`
	ContractReference string `bun:"contract_reference,scanonly"`
	AssigneeName      string `bun:"assignee_name,scanonly"`
}

var (
	_ bun.BeforeAppendModelHook = (*Ticket)(nil)
	_ bun.AfterScanRowHook      = (*Ticket)(nil)
)

// BeforeAppendModel stores Priority as its code.
func (t *Ticket) BeforeAppendModel(context.Context, bun.Query) error {
	if t.Priority.IsValid() {
		t.PriorityCode = t.Priority.String()
	}
	return nil
}

// AfterScanRow reads Priority back from its code.
func (t *Ticket) AfterScanRow(context.Context) error {
	if t.PriorityCode == "" {
		return nil
	}
	p, err := sla.ParsePriority(t.PriorityCode)
	if err != nil {
		return fmt.Errorf("tickets: %w", err)
	}
	t.Priority = p
	return nil
}

// Reference is the ticket's human reference, T-1042.
func (t *Ticket) Reference() string { return Reference(t.Number) }

// HasSLA tells whether the ticket is measured against service-level targets (it was opened under
// a contract whose version in force had a policy).
func (t *Ticket) HasSLA() bool {
	return t.SLA != nil && t.ReactionMinutes > 0 && t.ResolutionMinutes > 0
}

// ReactionTarget is the reaction target of the ticket's priority, in business time (0 without SLA).
func (t *Ticket) ReactionTarget() time.Duration {
	return time.Duration(t.ReactionMinutes) * time.Minute
}

// ResolutionTarget is the resolution target of the ticket's priority, in business time.
func (t *Ticket) ResolutionTarget() time.Duration {
	return time.Duration(t.ResolutionMinutes) * time.Minute
}

// IsOpen tells whether work on the ticket is still expected (not resolved nor closed).
func (t *Ticket) IsOpen() bool { return t.Status.IsOpen() }

// ReopenWindow is how long after its resolution a client may still reopen a ticket.
const ReopenWindow = 14 * 24 * time.Hour

// ClientMayReopen tells whether the client may reopen the ticket at now: it is resolved, and
// resolved less than ReopenWindow ago. Staff may reopen a resolved ticket at any time.
func (t *Ticket) ClientMayReopen(now time.Time) bool {
	return t.Status == StatusResolved && !t.ResolvedAt.IsZero() && now.Before(t.ResolvedAt.Add(ReopenWindow))
}

// ClientMayClose tells whether the client may confirm the resolution (resolved → closed).
func (t *Ticket) ClientMayClose() bool { return t.Status == StatusResolved }

// ReopenDeadline is the last instant at which the client may reopen a resolved ticket (zero when
// it is not resolved).
func (t *Ticket) ReopenDeadline() time.Time {
	if t.Status != StatusResolved || t.ResolvedAt.IsZero() {
		return time.Time{}
	}
	return t.ResolvedAt.Add(ReopenWindow)
}

// ServiceLabelOf is the label under which a ticket records the contract service it concerns: the
// service's description ("boulangerie-martin.fr"). Forms offer the services of the contract
// version in force and submit this label.
func ServiceLabelOf(s contracts.Service) string { return s.Description }

// OpenInput is what a fault report says, from the portal form or from staff logging a call.
type OpenInput struct {
	// ClientID is the client concerned: in the portal, always the session's client.
	ClientID uuid.UUID
	// ContractID is the contract concerned, uuid.Nil for none: it must be one of the client's, active
	// or suspended, with terms in force on the opening day.
	ContractID uuid.UUID
	// ServiceLabel is one of the contract's services (ServiceLabelOf), or "".
	ServiceLabel string
	Title        string
	Description  string
	Priority     sla.Priority
	Channel      Channel
	// ReporterID is the client user reporting (uuid.Nil when staff log a call from someone without
	// an account); ReporterLabel is the name shown, filled from the user when empty.
	ReporterID    uuid.UUID
	ReporterLabel string
	ContactPhone  string
}

// Normalize trims the texts: the title and the labels become one line, the description keeps its
// lines with Unix line ends.
func (in *OpenInput) Normalize() {
	in.Title = oneLine(in.Title)
	in.Description = text(in.Description)
	in.ServiceLabel = oneLine(in.ServiceLabel)
	in.ReporterLabel = oneLine(in.ReporterLabel)
	in.ContactPhone = strings.TrimSpace(in.ContactPhone)
}

// Validate checks what can be checked without the database, after Normalize. Problems are
// reported per form field with catalogue keys: "title", "description" (error.required,
// error.too_long), "priority" (tickets.error.priority), "channel" (tickets.error.channel),
// "contact_phone" (tickets.error.phone_invalid), "client_id" (error.required), "reporter_label"
// (error.required when there is neither a reporter nor a label, error.too_long), "service_label"
// (tickets.error.service_without_contract, error.too_long). Open adds the checks against the
// database (client, contract, service, reporter).
func (in *OpenInput) Validate() error {
	f := apperr.Fields{}
	in.check(f)
	return f.Err()
}

func (in *OpenInput) check(f apperr.Fields) {
	if in.ClientID == uuid.Nil {
		f.Add("client_id", "error.required")
	}
	checkText(f, "title", in.Title, MaxTitle, true)
	checkText(f, "description", in.Description, MaxDescription, true)
	if !in.Priority.IsValid() {
		f.Add("priority", "tickets.error.priority")
	}
	if !in.Channel.Valid() {
		f.Add("channel", "tickets.error.channel")
	}
	if in.ContactPhone != "" && !legal.ValidPhone(in.ContactPhone) {
		f.Add("contact_phone", "tickets.error.phone_invalid")
	}
	if in.ReporterID == uuid.Nil && in.ReporterLabel == "" {
		f.Add("reporter_label", "error.required")
	}
	checkText(f, "reporter_label", in.ReporterLabel, MaxReporter, false)
	checkText(f, "service_label", in.ServiceLabel, MaxServiceLabel, false)
	if in.ServiceLabel != "" && in.ContractID == uuid.Nil {
		f.Add("service_label", "tickets.error.service_without_contract")
	}
}

// checkText records a missing (when required) or too long text.
func checkText(f apperr.Fields, field, s string, max int, required bool) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		f.Add(field, "error.required")
	case n > max:
		f.Add(field, "error.too_long")
	}
}

// oneLine trims s and folds every run of white space (new lines included) into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// text trims s and gives it Unix line ends.
func text(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
}

// Actor is who acts on a ticket: a staff member, a user of the ticket's client (portal), or the
// system (a background job). The store refuses clients what only staff may do, and answers
// NotFound when a client actor touches another client's ticket.
type Actor struct {
	// Audit is who and from where, for the audit log (web.Actor(c) in handlers).
	Audit audit.Actor
	// Name is shown in the ticket's history and thread; Audit.Label when empty.
	Name string
	// ClientID is the client of a portal user; uuid.Nil for staff and the system.
	ClientID uuid.UUID
}

// StaffActor is a member of the provider's staff.
func StaffActor(a audit.Actor, name string) Actor { return Actor{Audit: a, Name: name} }

// ClientActor is a user of client clientID, acting from the portal.
func ClientActor(a audit.Actor, clientID uuid.UUID, name string) Actor {
	return Actor{Audit: a, Name: name, ClientID: clientID}
}

// SystemActor is the application itself (the escalation job): no user, an empty label; pages show
// such history entries as automatic.
func SystemActor() Actor { return Actor{} }

// IsClient tells whether the actor is a client user (as opposed to staff or the system).
func (a Actor) IsClient() bool { return a.ClientID != uuid.Nil }

// label is the name recorded in the history.
func (a Actor) label() string {
	if a.Name != "" {
		return truncate(a.Name, MaxReporter)
	}
	return truncate(a.Audit.Label, MaxReporter)
}

func (a Actor) userID() uuid.NullUUID {
	return uuid.NullUUID{UUID: a.Audit.UserID, Valid: a.Audit.UserID != uuid.Nil}
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Message is one entry of a ticket's conversation: a public message (from the client or staff) or
// an internal note (staff only, never shown in the portal).
type Message struct {
	bun.BaseModel `bun:"table:ticket_messages,alias:m"`

	ID          uuid.UUID     `bun:"id,pk,type:uuid"`
	TicketID    uuid.UUID     `bun:"ticket_id,type:uuid"`
	AuthorID    uuid.NullUUID `bun:"author_id,type:uuid"`
	AuthorLabel string        `bun:"author_label"`
	FromStaff   bool          `bun:"from_staff"`
	Internal    bool          `bun:"internal"`
	Body        string        `bun:"body"`
	CreatedAt   time.Time     `bun:"created_at"`

	// Attachments are the files sent with the message, loaded by Messages.
	Attachments []*Attachment `bun:"-"`
}

// EventKind is what happened to a ticket.
type EventKind string

// The kinds of history entries. From and To of an Event hold: statuses for EventStatus and
// EventReopened, the names of the previous and new assignee ("" for nobody) for EventAssigned,
// levels ("0".."3") for EventEscalated, priority codes for EventPriority, the channel (To) for
// EventOpened; nothing for EventDiagnosis.
const (
	EventOpened    EventKind = "opened"
	EventStatus    EventKind = "status"
	EventReopened  EventKind = "reopened"
	EventAssigned  EventKind = "assigned"
	EventEscalated EventKind = "escalated"
	EventPriority  EventKind = "priority"
	EventDiagnosis EventKind = "diagnosis"
)

// Label is the catalogue key naming the kind ("tickets.event.escalated").
func (k EventKind) Label() string { return "tickets.event." + string(k) }

// Event is one line of a ticket's history.
type Event struct {
	bun.BaseModel `bun:"table:ticket_events,alias:e"`

	ID       uuid.UUID     `bun:"id,pk,type:uuid"`
	TicketID uuid.UUID     `bun:"ticket_id,type:uuid"`
	At       time.Time     `bun:"at"`
	ActorID  uuid.NullUUID `bun:"actor_id,type:uuid"`
	// ActorLabel is the actor's name; "" with no ActorID is the system.
	ActorLabel string    `bun:"actor_label"`
	Kind       EventKind `bun:"kind"`
	From       string    `bun:"from_value"`
	To         string    `bun:"to_value"`
	Note       string    `bun:"note"`
}

// VisibleToClient tells whether the portal shows the entry: the opening, status changes,
// reopenings, priority changes (they move the deadlines) and the diagnosis; assignments and
// escalations are the provider's internal business.
func (e *Event) VisibleToClient() bool {
	switch e.Kind {
	case EventOpened, EventStatus, EventReopened, EventPriority, EventDiagnosis:
		return true
	}
	return false
}

// IsSystem tells whether the entry was written by the application itself (the escalation job).
func (e *Event) IsSystem() bool { return !e.ActorID.Valid && e.ActorLabel == "" }

// PauseKind says why the resolution clock stood still.
type PauseKind string

// The pause kinds: waiting on the client (status waiting_client), or the time a ticket stayed
// resolved before being reopened.
const (
	PauseWaitingClient PauseKind = "waiting_client"
	PauseReopened      PauseKind = "reopened"
)

// Label is the catalogue key naming the kind ("tickets.pause.waiting_client").
func (k PauseKind) Label() string { return "tickets.pause." + string(k) }

// Pause is a span during which the resolution clock stood still; an empty EndedAt means it still
// does.
type Pause struct {
	bun.BaseModel `bun:"table:ticket_pauses,alias:p"`

	TicketID  uuid.UUID    `bun:"ticket_id,pk,type:uuid"`
	StartedAt time.Time    `bun:"started_at,pk"`
	EndedAt   bun.NullTime `bun:"ended_at"`
	Kind      PauseKind    `bun:"kind"`
}

// IsOpen tells whether the pause is still running.
func (p *Pause) IsOpen() bool { return p.EndedAt.IsZero() }

// slaPauses converts pauses to the clock's form.
func slaPauses(ps []*Pause) []sla.Pause {
	out := make([]sla.Pause, len(ps))
	for i, p := range ps {
		out[i] = sla.Pause{From: p.StartedAt, To: p.EndedAt.Time}
	}
	return out
}
