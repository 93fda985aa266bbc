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

	r.Get("/outbox", h.handleOutboxIndex)
	r.Get("/outbox/:id", h.handleOutboxShow)
	r.Get("/outbox/:id/html", h.handleOutboxHTML)

	r.Get("/audit", s.RequireManager, h.handleAuditIndex)

	r.Get("/settings", s.RequireManager, h.handleSettings)
	r.Post("/settings", s.RequireManager, h.handleSettingsUpdate)
}
