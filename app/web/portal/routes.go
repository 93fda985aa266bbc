// Package portal serves the client portal: every route is for client users only, and every query is
// scoped to the client of the session, never to an id taken from the request.
package portal

import (
	"maintenant/app/web"
)

// handler holds what the portal's handlers share.
type handler struct {
	*web.Server
}

// Routes mounts every portal route on s.Portal, which already admits client users only.
func Routes(s *web.Server) {
	h := &handler{Server: s}
	r := s.Portal

	r.Get("/", h.handleHome)

	// Preventive visits (the home page and the contract pages load them as a section).
	r.Get("/visits", h.handleVisits)

	// Contracts.
	r.Get("/contracts", h.handleContractIndex)
	r.Get("/contracts/:id.pdf", h.handleContractPDF)
	r.Get("/contracts/:id", h.handleContractShow)
	r.Post("/contracts/:id/notice", h.handleContractNotice)
	r.Get("/contracts/:id/sla", h.handleContractSLA)

	// The provider's maintenance policy (the same for every client): the PDF before ":no".
	r.Get("/policy", h.handlePolicyShow)
	r.Get("/policy/:no.pdf", h.handlePolicyPDF)
	r.Get("/policy/:no", h.handlePolicyVersion)

	// Tickets.
	r.Get("/tickets", h.handleTicketIndex)
	r.Get("/tickets/new", h.handleTicketNew)
	r.Post("/tickets", h.handleTicketCreate)
	r.Get("/tickets/:id", h.handleTicketShow)
	r.Post("/tickets/:id/messages", h.handleTicketMessage)
	r.Post("/tickets/:id/close", h.handleTicketClose)
	r.Post("/tickets/:id/reopen", h.handleTicketReopen)
	r.Get("/tickets/:id/attachments/:aid", h.handleTicketAttachment)

	// Interventions: the sheet's PDF comes before the ":id" routes.
	r.Get("/interventions/:id.pdf", h.handleInterventionPDF)
	r.Get("/interventions", h.handleInterventionIndex)
	r.Get("/interventions/:id/signature", h.handleInterventionSignature)
	r.Post("/interventions/:id/sign", h.handleInterventionSign)
	r.Get("/interventions/:id", h.handleInterventionShow)

	// Quotes: deciding is for those who may approve and pay.
	r.Get("/quotes", h.handleQuoteIndex)
	r.Get("/quotes/:id.pdf", h.handleQuotePDF)
	r.Get("/quotes/:id", h.handleQuoteShow)
	r.Post("/quotes/:id/accept", h.handleQuoteAccept)
	r.Post("/quotes/:id/decline", h.handleQuoteDecline)

	// Invoices and online payment.
	r.Get("/invoices", h.handleInvoiceIndex)
	r.Get("/invoices/:id.pdf", h.handleInvoicePDF)
	r.Get("/invoices/:id.xml", h.handleInvoiceXML)
	r.Get("/invoices/:id", h.handleInvoiceShow)
	r.Post("/invoices/:id/pay", h.handleInvoicePay)
	r.Get("/invoices/:id/paid", h.handleInvoicePaid)
	r.Get("/invoices/:id/checkout/:attempt", h.handleTestCheckout)
	r.Post("/invoices/:id/checkout/:attempt", h.handleTestCheckoutSubmit)

	// Equipment and workshop stays: the receipt's PDF comes before the ":id" routes.
	r.Get("/equipment", h.handleEquipmentIndex)
	r.Get("/equipment/intakes/:id.pdf", h.handleIntakePDF)
	r.Get("/equipment/intakes/:id", h.handleIntakeShow)
	r.Get("/equipment/:id", h.handleEquipmentShow)

	// Register.
	r.Get("/register.csv", h.handleRegisterCSV)
	r.Get("/register.pdf", h.handleRegisterPDF)
	r.Get("/register", h.handleRegisterIndex)

	r.Get("/account", s.HandleAccount)
	r.Post("/account/password", s.HandlePasswordChange)
}
