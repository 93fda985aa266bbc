package tickets

import "slices"

// Status is where a ticket stands in its life.
type Status string

// The statuses, in the order of a ticket's life.
//
//	new → acknowledged                      (the reaction clock stops)
//	acknowledged → diagnosed | in_progress | waiting_client | resolved
//	diagnosed → in_progress | waiting_client | resolved
//	in_progress → diagnosed | waiting_client | resolved
//	waiting_client → in_progress | resolved (waiting pauses the resolution clock)
//	resolved → closed | in_progress         (the resolution clock stops; in_progress is a reopening)
//	closed → nothing
const (
	StatusNew           Status = "new"
	StatusAcknowledged  Status = "acknowledged"
	StatusDiagnosed     Status = "diagnosed"
	StatusInProgress    Status = "in_progress"
	StatusWaitingClient Status = "waiting_client"
	StatusResolved      Status = "resolved"
	StatusClosed        Status = "closed"
)

// Statuses lists every status in the order of a ticket's life, for filters.
func Statuses() []Status {
	return []Status{StatusNew, StatusAcknowledged, StatusDiagnosed, StatusInProgress, StatusWaitingClient,
		StatusResolved, StatusClosed}
}

// OpenStatuses lists the statuses of tickets still being worked on (all but resolved and closed):
// the default of the staff queue.
func OpenStatuses() []Status {
	return []Status{StatusNew, StatusAcknowledged, StatusDiagnosed, StatusInProgress, StatusWaitingClient}
}

// ParseStatus returns the status named s, if there is one.
func ParseStatus(s string) (Status, bool) {
	st := Status(s)
	return st, slices.Contains(Statuses(), st)
}

// Label is the catalogue key naming the status ("tickets.status.waiting_client").
func (s Status) Label() string { return "tickets.status." + string(s) }

// ActionLabel is the catalogue key of the button that moves a ticket to s ("tickets.action.resolved"
// = "Marquer comme résolu").
func (s Status) ActionLabel() string { return "tickets.action." + string(s) }

// IsOpen tells whether work is still expected: every status but resolved and closed.
func (s Status) IsOpen() bool { return s != StatusResolved && s != StatusClosed }

// transitions is the whole status machine: the statuses each status may move to, in the order
// buttons show them. Closed tickets are over: nothing leaves them.
var transitions = map[Status][]Status{
	StatusNew:           {StatusAcknowledged},
	StatusAcknowledged:  {StatusDiagnosed, StatusInProgress, StatusWaitingClient, StatusResolved},
	StatusDiagnosed:     {StatusInProgress, StatusWaitingClient, StatusResolved},
	StatusInProgress:    {StatusDiagnosed, StatusWaitingClient, StatusResolved},
	StatusWaitingClient: {StatusInProgress, StatusResolved},
	StatusResolved:      {StatusClosed, StatusInProgress},
}

// Next lists the statuses a ticket in status s may move to (for staff), in a stable order.
func (s Status) Next() []Status { return slices.Clone(transitions[s]) }

// CanTransition tells whether a ticket may move from one status to another.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// IsReopen tells whether moving from one status to another reopens a resolved ticket.
func IsReopen(from, to Status) bool { return from == StatusResolved && to == StatusInProgress }

// ClientMayMove tells whether a client user may make a move himself: only confirming a resolution
// (resolved → closed) and reopening (resolved → in_progress, within ReopenWindow). Everything else
// is staff work. (A client message on a waiting_client ticket resumes it, see AddMessage.)
func ClientMayMove(from, to Status) bool {
	return from == StatusResolved && (to == StatusClosed || to == StatusInProgress)
}
