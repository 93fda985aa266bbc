package contracts

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Status is where a contract stands in its life: drafted, running, paused, or over.
type Status string

// The statuses. A contract is written as a draft, activated once its terms are complete, may be
// suspended and resumed, and ends either terminated (by a party) or expired (its end date passed).
const (
	StatusDraft      Status = "draft"
	StatusActive     Status = "active"
	StatusSuspended  Status = "suspended"
	StatusTerminated Status = "terminated"
	StatusExpired    Status = "expired"
)

// Statuses lists every status in the order of a contract's life, for filters.
func Statuses() []Status {
	return []Status{StatusDraft, StatusActive, StatusSuspended, StatusTerminated, StatusExpired}
}

// ParseStatus returns the status named s, if there is one.
func ParseStatus(s string) (Status, bool) {
	st := Status(s)
	return st, slices.Contains(Statuses(), st)
}

// Label is the catalogue key naming the status ("contract.status.active").
func (s Status) Label() string { return "contract.status." + string(s) }

// transitions is the whole status machine: the statuses each status may move to. Terminated and
// expired contracts are over: nothing leaves them.
var transitions = map[Status][]Status{
	StatusDraft:     {StatusActive},
	StatusActive:    {StatusSuspended, StatusTerminated, StatusExpired},
	StatusSuspended: {StatusActive, StatusTerminated, StatusExpired},
}

// Next lists the statuses a contract in status s may move to, in a stable order.
func (s Status) Next() []Status { return slices.Clone(transitions[s]) }

// CanTransition tells whether a contract may move from one status to another.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// IsOver tells whether the contract has ended (terminated or expired): it no longer covers anything.
func (s Status) IsOver() bool { return s == StatusTerminated || s == StatusExpired }

// IsRunning tells whether the contract binds both parties now (active or suspended): its terms change
// only by amendment, and notice may be given.
func (s Status) IsRunning() bool { return s == StatusActive || s == StatusSuspended }

// Contract is a maintenance contract between the provider and one client. What is agreed (the terms)
// lives in its versions; the contract itself holds its reference, status and termination notice.
type Contract struct {
	bun.BaseModel `bun:"table:contracts,alias:c"`

	ID              uuid.UUID    `bun:"id,pk,type:uuid"`
	Reference       string       `bun:"reference"`
	ClientID        uuid.UUID    `bun:"client_id,type:uuid"`
	Status          Status       `bun:"status"`
	ActivatedAt     bun.NullTime `bun:"activated_at"`
	StatusChangedAt time.Time    `bun:"status_changed_at"`
	StatusReason    string       `bun:"status_reason"`
	// NoticeGivenAt is when termination notice was given; the other Notice fields say by whom and why.
	NoticeGivenAt      bun.NullTime  `bun:"notice_given_at"`
	NoticeGivenBy      uuid.NullUUID `bun:"notice_given_by,type:uuid"`
	NoticeGivenByLabel string        `bun:"notice_given_by_label"`
	NoticeReason       string        `bun:"notice_reason"`
	// EndsOn is the last day of the contract once notice was given (a civil date at UTC midnight).
	EndsOn         bun.NullTime `bun:"ends_on,type:date"`
	CurrentVersion int          `bun:"current_version"`
	// ReviewMonths is how often the contract is reviewed with the client (0: no periodic review).
	ReviewMonths int `bun:"review_months"`
	// TemplateID is the template the contract was made from, if any (its terms were copied).
	TemplateID uuid.NullUUID `bun:"template_id,type:uuid"`
	CreatedAt  time.Time     `bun:"created_at"`
	UpdatedAt  time.Time     `bun:"updated_at"`
	// Version counts changes to the contract and its terms, for optimistic locking.
	Version int `bun:"version"`

	// ClientName is read with the contract, for display.
	ClientName string `bun:"client_name,scanonly"`
	// Terms is the current version of the terms (the latest amendment), loaded by the store.
	Terms *Version `bun:"-"`
}

// EndsOnDate returns the end date set by a termination notice, or the zero time.
func (c *Contract) EndsOnDate() time.Time {
	if c.EndsOn.IsZero() {
		return time.Time{}
	}
	return Day(c.EndsOn.Time)
}

// NoticeGiven tells whether termination notice has been given.
func (c *Contract) NoticeGiven() bool { return !c.NoticeGivenAt.IsZero() }

// Schedule returns the contract's deadlines on a given day, from its current terms.
func (c *Contract) Schedule(today time.Time) Schedule {
	if c.Terms == nil {
		return Schedule{}
	}
	return Deadlines(c.Terms.Dates(), c.EndsOnDate(), today)
}
