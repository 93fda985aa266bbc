package audit

// Intervention actions: what staff and clients do to interventions, their sheets and the register.
// Time entries, actions and materials are not audited one by one (the sheet itself and its register
// entry are the record); every change of status, completion, addendum and signature is.
const (
	InterventionCreated       = "intervention.created"
	InterventionUpdated       = "intervention.updated"
	InterventionStatusChanged = "intervention.status_changed"
	InterventionTakenUp       = "intervention.taken_up"
	InterventionCompleted     = "intervention.completed"
	InterventionAddendum      = "intervention.addendum"
	InterventionSigned        = "intervention.signed"
	RegisterAppended          = "register.appended"
)

// InterventionActions lists the intervention and register actions, for the log filter (KnownActions).
var InterventionActions = []string{
	InterventionCreated, InterventionUpdated, InterventionStatusChanged, InterventionTakenUp,
	InterventionCompleted, InterventionAddendum, InterventionSigned, RegisterAppended,
}
