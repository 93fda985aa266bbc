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

	r.Get("/account", s.HandleAccount)
	r.Post("/account/password", s.HandlePasswordChange)
}
