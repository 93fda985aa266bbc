package audit

// Ticket actions: what staff, clients and the escalation job do to fault reports. Messages are not
// audited (the thread itself is the record); every change of the ticket's state is.
const (
	TicketOpened            = "ticket.opened"
	TicketStatusChanged     = "ticket.status_changed"
	TicketAssigned          = "ticket.assigned"
	TicketEscalated         = "ticket.escalated"
	TicketPriorityChanged   = "ticket.priority_changed"
	TicketDiagnosisRecorded = "ticket.diagnosis_recorded"
)

// TicketActions lists the ticket actions, for the log filter (KnownActions).
var TicketActions = []string{
	TicketOpened, TicketStatusChanged, TicketAssigned, TicketEscalated, TicketPriorityChanged,
	TicketDiagnosisRecorded,
}
