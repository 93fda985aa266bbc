package audit

// Client and contact actions: changes to a client company and to its users' access.
const (
	ClientCreated      = "client.created"
	ClientUpdated      = "client.updated"
	ClientArchived     = "client.archived"
	ClientUnarchived   = "client.unarchived"
	ContactDeactivated = "contact.deactivated"
	ContactReactivated = "contact.reactivated"
)
