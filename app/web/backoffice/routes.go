// Package backoffice serves the provider's staff: the manager and the technicians.
package backoffice

import (
	"maintenant/app/web"
)

// handler holds what the backoffice's handlers share.
type handler struct {
	*web.Server
}

// Routes mounts every backoffice route on s.Admin, which already admits staff only.
func Routes(s *web.Server) {
	h := &handler{Server: s}
	r := s.Admin

	r.Get("/", h.handleHome)

	r.Get("/account", s.HandleAccount)
	r.Post("/account/password", s.HandlePasswordChange)
	r.Post("/account/totp", s.HandleTOTPEnable)
	r.Post("/account/totp/disable", s.HandleTOTPDisable)

	// Clients and their contacts.
	r.Get("/clients", h.handleClientIndex)
	r.Get("/clients/choices", h.handleClientChoices)
	r.Get("/clients/new", s.RequireManager, h.handleClientNew)
	r.Post("/clients", s.RequireManager, h.handleClientCreate)
	r.Get("/clients/:id", h.handleClientShow)
	r.Get("/clients/:id/edit", s.RequireManager, h.handleClientEdit)
	r.Post("/clients/:id", s.RequireManager, h.handleClientUpdate)
	r.Post("/clients/:id/archive", s.RequireManager, h.handleClientArchive)
	r.Post("/clients/:id/unarchive", s.RequireManager, h.handleClientUnarchive)
	r.Post("/clients/:id/contacts", s.RequireManager, h.handleContactInvite)
	r.Post("/clients/:id/contacts/:uid", s.RequireManager, h.handleContactUpdate)
	r.Post("/clients/:id/contacts/:uid/deactivate", s.RequireManager, h.handleContactDeactivate)
	r.Post("/clients/:id/contacts/:uid/reactivate", s.RequireManager, h.handleContactReactivate)
	r.Post("/clients/:id/contacts/:uid/resend", s.RequireManager, h.handleContactResend)

	// Contracts.
	r.Get("/contracts", h.handleContractIndex)
	r.Get("/contracts/new", s.RequireManager, h.handleContractNew)
	r.Post("/contracts", s.RequireManager, h.handleContractCreate)
	r.Get("/contracts/:id.pdf", h.handleContractPDF)
	r.Get("/contracts/:id", h.handleContractShow)
	r.Get("/contracts/:id/edit", s.RequireManager, h.handleContractEdit)
	r.Post("/contracts/:id", s.RequireManager, h.handleContractUpdate)
	r.Post("/contracts/:id/status", s.RequireManager, h.handleContractStatus)
	r.Post("/contracts/:id/notice", s.RequireManager, h.handleContractNotice)

	// Tickets.
	r.Get("/tickets", h.handleTicketIndex)
	r.Get("/tickets/new", h.handleTicketNew)
	r.Post("/tickets", h.handleTicketCreate)
	r.Get("/tickets/:id", h.handleTicketShow)
	r.Post("/tickets/:id/status", h.handleTicketStatus)
	r.Post("/tickets/:id/diagnosis", h.handleTicketDiagnosis)
	r.Post("/tickets/:id/assign", h.handleTicketAssign)
	r.Post("/tickets/:id/priority", h.handleTicketPriority)
	r.Post("/tickets/:id/escalate", h.handleTicketEscalate)

	// Faults reported by email: the triage list and the support mailbox.
	r.Get("/inbound", h.handleInboundIndex)
	r.Get("/inbound/mailbox", h.handleInboundMailbox)
	r.Post("/inbound/poll", h.handleInboundPoll)
	r.Post("/inbound/demo", h.handleInboundDrop)
	r.Get("/inbound/:id", h.handleInboundShow)
	r.Get("/inbound/:id/source", h.handleInboundSource)
	r.Post("/inbound/:id/attach", h.handleInboundAttach)
	r.Post("/inbound/:id/discard", h.handleInboundDiscard)
	r.Post("/tickets/:id/messages", h.handleTicketMessage)
	r.Get("/tickets/:id/attachments/:aid", h.handleTicketAttachment)

	// Interventions.
	r.Get("/interventions", h.handleInterventionIndex)
	r.Get("/interventions/pending", h.handleInterventionPending)
	r.Get("/interventions/new", h.handleInterventionNew)
	r.Post("/interventions", h.handleInterventionCreate)
	r.Get("/interventions/:id.pdf", h.handleInterventionPDF)
	r.Get("/interventions/:id", h.handleInterventionShow)
	r.Get("/interventions/:id/edit", h.handleInterventionEdit)
	r.Post("/interventions/:id", h.handleInterventionUpdate)
	r.Post("/interventions/:id/takeup", h.handleInterventionTakeUp)
	r.Post("/interventions/:id/status", h.handleInterventionStatus)
	r.Post("/interventions/:id/time", h.handleInterventionTime)
	r.Post("/interventions/:id/time/:eid/delete", h.handleInterventionTimeDelete)
	r.Post("/interventions/:id/actions", h.handleInterventionActions)
	r.Post("/interventions/:id/materials", h.handleInterventionMaterial)
	r.Post("/interventions/:id/materials/:mid/delete", h.handleInterventionMaterialDelete)
	r.Post("/interventions/:id/notes", h.handleInterventionNotes)
	r.Post("/interventions/:id/complete", h.handleInterventionComplete)
	r.Post("/interventions/:id/addendum", h.handleInterventionAddendum)
	r.Get("/interventions/:id/signature", h.handleInterventionSignature)
	r.Post("/interventions/:id/sign", h.handleInterventionSign)

	// Quotes: staff read them, managers draft, send, revise and withdraw.
	r.Get("/quotes", h.handleQuoteIndex)
	r.Get("/quotes/new", s.RequireManager, h.handleQuoteNew)
	r.Post("/quotes", s.RequireManager, h.handleQuoteCreate)
	r.Get("/quotes/:id.pdf", h.handleQuotePDF)
	r.Get("/quotes/:id", h.handleQuoteShow)
	r.Get("/quotes/:id/edit", s.RequireManager, h.handleQuoteEdit)
	r.Post("/quotes/:id", s.RequireManager, h.handleQuoteUpdate)
	r.Post("/quotes/:id/send", s.RequireManager, h.handleQuoteSend)
	r.Post("/quotes/:id/withdraw", s.RequireManager, h.handleQuoteWithdraw)
	r.Post("/quotes/:id/revise", s.RequireManager, h.handleQuoteRevise)
	r.Post("/quotes/:id/delete", s.RequireManager, h.handleQuoteDelete)

	// Invoices, credit notes and payments (the manager's).
	r.Get("/invoices", s.RequireManager, h.handleInvoiceIndex)
	r.Get("/invoices/new", s.RequireManager, h.handleInvoiceNew)
	r.Post("/invoices", s.RequireManager, h.handleInvoiceCreate)
	r.Get("/invoices/manual", s.RequireManager, h.handleInvoiceManualNew)
	r.Post("/invoices/manual", s.RequireManager, h.handleInvoiceManualCreate)
	r.Get("/invoices/export", s.RequireManager, h.handleInvoiceExport)
	r.Get("/invoices/:id.pdf", s.RequireManager, h.handleInvoicePDF)
	r.Get("/invoices/:id.xml", s.RequireManager, h.handleInvoiceXML)
	r.Get("/invoices/:id", s.RequireManager, h.handleInvoiceShow)
	r.Post("/invoices/:id/issue", s.RequireManager, h.handleInvoiceIssue)
	r.Post("/invoices/:id/delete", s.RequireManager, h.handleInvoiceDelete)
	r.Post("/invoices/:id/cancel", s.RequireManager, h.handleInvoiceCancel)
	r.Post("/invoices/:id/payments", s.RequireManager, h.handleInvoicePayment)
	r.Get("/invoices/:id/edit", s.RequireManager, h.handleInvoiceEdit)
	r.Post("/invoices/:id/edit", s.RequireManager, h.handleInvoiceUpdate)
	r.Get("/invoices/:id/credit", s.RequireManager, h.handleInvoiceCreditNew)
	r.Post("/invoices/:id/credit", s.RequireManager, h.handleInvoiceCreditCreate)
	r.Post("/invoices/:id/penalty-credit", s.RequireManager, h.handleInvoicePenaltyCredit)
	r.Get("/payments", s.RequireManager, h.handlePaymentIndex)
	r.Post("/payments/findings/:id/resolve", s.RequireManager, h.handleFindingResolve)
	r.Get("/reports/billing", s.RequireManager, h.handleReportBilling)
	r.Post("/reports/sla/credit", s.RequireManager, h.handleReportPenaltyCredit)

	// Preventive plans and the schedule.
	r.Get("/contracts/:id/plan", h.handlePlanShow)
	r.Get("/contracts/:id/plan/tasks/new", s.RequireManager, h.handleTaskNew)
	r.Post("/contracts/:id/plan/tasks", s.RequireManager, h.handleTaskSave)
	r.Get("/contracts/:id/plan/tasks/:tid/edit", s.RequireManager, h.handleTaskEdit)
	r.Post("/contracts/:id/plan/tasks/:tid", s.RequireManager, h.handleTaskSave)
	r.Post("/contracts/:id/plan/tasks/:tid/remove", s.RequireManager, h.handleTaskRemove)
	r.Get("/schedule", h.handleSchedule)
	r.Get("/schedule/:id/reschedule", h.handleRescheduleForm)
	r.Post("/schedule/:id/reschedule", h.handleReschedule)
	r.Get("/interventions/:id/checklist", h.handleChecklist)
	r.Post("/interventions/:id/checklist", h.handleChecklistSave)
	r.Get("/account/calendar", h.handleCalendarFeed)
	r.Post("/account/calendar", h.handleCalendarFeedRenew)
	r.Post("/account/calendar/revoke", h.handleCalendarFeedRevoke)
	s.App.Get("/ical/:token.ics", h.handleICal)

	// Equipment and the workshop.
	r.Get("/equipment", h.handleEquipmentIndex)
	r.Get("/equipment/new", h.handleEquipmentNew)
	r.Get("/equipment/expiries", h.handleEquipmentExpiries)
	r.Get("/equipment/boxes", h.handleEquipmentBoxes)
	r.Get("/equipment/labels.pdf", h.handleEquipmentLabels)
	r.Post("/equipment", h.handleEquipmentCreate)
	r.Get("/equipment/:id", h.handleEquipmentShow)
	r.Get("/equipment/:id/edit", h.handleEquipmentEdit)
	r.Get("/equipment/:id/label.pdf", h.handleEquipmentLabel)
	r.Post("/equipment/:id", h.handleEquipmentUpdate)
	r.Post("/equipment/:id/box", h.handleEquipmentBox)
	r.Post("/equipment/:id/box/discard", h.handleEquipmentBoxDiscard)
	r.Get("/workshop", h.handleWorkshopBoard)
	r.Get("/workshop/new", h.handleWorkshopNew)
	r.Post("/workshop", h.handleWorkshopCheckIn)
	r.Get("/workshop/:id.pdf", h.handleWorkshopPDF)
	r.Get("/workshop/:id", h.handleWorkshopShow)
	r.Post("/workshop/:id/backup", h.handleWorkshopBackup)
	r.Post("/workshop/:id/refusal", h.handleWorkshopRefusal)
	r.Post("/workshop/:id/loans", h.handleWorkshopLend)
	r.Post("/workshop/:id/loans/:lid/return", h.handleWorkshopTakeBack)
	r.Post("/workshop/:id/return", h.handleWorkshopReturn)

	// Technicians' kits: staff take, return and report; the manager manages kits and restocks.
	r.Get("/kits", h.handleKitIndex)
	r.Get("/kits/new", s.RequireManager, h.handleKitNew)
	r.Post("/kits", s.RequireManager, h.handleKitCreate)
	r.Get("/kits/restock", h.handleKitRestockList)
	r.Get("/kits/:id", h.handleKitShow)
	r.Get("/kits/:id/edit", s.RequireManager, h.handleKitEdit)
	r.Post("/kits/:id", s.RequireManager, h.handleKitUpdate)
	r.Post("/kits/:id/take", h.handleKitTake)
	r.Get("/kits/:id/return", h.handleKitReturnForm)
	r.Post("/kits/:id/return", h.handleKitReturn)
	r.Post("/kits/:id/items/:iid/report", h.handleKitReport)
	r.Post("/kits/:id/items/:iid/restock", s.RequireManager, h.handleKitRestock)
	r.Post("/interventions/:id/kit", h.handleInterventionKitUse)

	// Register.
	r.Get("/register.csv", h.handleRegisterCSV)
	r.Get("/register.pdf", h.handleRegisterPDF)
	r.Get("/register/verify", s.RequireManager, h.handleRegisterVerify)
	r.Get("/register", h.handleRegisterIndex)

	// Reports.
	r.Get("/reports/sla", h.handleReportSLA)

	r.Get("/outbox", h.handleOutboxIndex)
	r.Get("/outbox/:id", h.handleOutboxShow)
	r.Get("/outbox/:id/html", h.handleOutboxHTML)
	r.Get("/outbox/:id/attachments/:n", h.handleOutboxAttachment)

	r.Get("/audit", s.RequireManager, h.handleAuditIndex)

	r.Get("/settings", s.RequireManager, h.handleSettings)
	r.Post("/settings", s.RequireManager, h.handleSettingsUpdate)

	// SLA policies (settings).
	r.Get("/settings/sla", s.RequireManager, h.handleSLAPolicyIndex)
	r.Get("/settings/sla/new", s.RequireManager, h.handleSLAPolicyNew)
	r.Post("/settings/sla", s.RequireManager, h.handleSLAPolicyCreate)
	r.Get("/settings/sla/:id", s.RequireManager, h.handleSLAPolicyEdit)
	r.Post("/settings/sla/:id", s.RequireManager, h.handleSLAPolicyUpdate)
	r.Post("/settings/sla/:id/archive", s.RequireManager, h.handleSLAPolicyArchive)
	r.Post("/settings/sla/:id/unarchive", s.RequireManager, h.handleSLAPolicyUnarchive)

	// The maintenance policy and contract templates (settings): PDFs before ":no".
	r.Get("/settings/policy", s.RequireManager, h.handlePolicyEdit)
	r.Post("/settings/policy", s.RequireManager, h.handlePolicySave)
	r.Post("/settings/policy/discard", s.RequireManager, h.handlePolicyDiscard)
	r.Get("/settings/policy/:no.pdf", s.RequireManager, h.handlePolicyVersionPDF)
	r.Get("/settings/policy/:no", s.RequireManager, h.handlePolicyVersion)
	r.Get("/settings/templates", s.RequireManager, h.handleTemplateIndex)
	r.Get("/settings/templates/new", s.RequireManager, h.handleTemplateNew)
	r.Post("/settings/templates", s.RequireManager, h.handleTemplateCreate)
	r.Get("/settings/templates/:id", s.RequireManager, h.handleTemplateEdit)
	r.Post("/settings/templates/:id", s.RequireManager, h.handleTemplateUpdate)
	r.Post("/settings/templates/:id/archive", s.RequireManager, h.handleTemplateArchive)

	// Periodic contract reviews.
	r.Post("/contracts/:id/reviews", s.RequireManager, h.handleContractReviewCreate)
	r.Post("/contracts/:id/review-interval", s.RequireManager, h.handleContractReviewInterval)
}
