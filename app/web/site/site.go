// Package site assembles the whole web application: the shared server with the portal and the
// backoffice mounted on it.
package site

import (
	"maintenant/app/web"
	"maintenant/app/web/backoffice"
	"maintenant/app/web/portal"
)

// New builds the server with every route.
func New(d web.Deps) (*web.Server, error) {
	s, err := web.New(d)
	if err != nil {
		return nil, err
	}
	portal.Routes(s)
	backoffice.Routes(s)
	// Stripe's events: signed, so exempt from CSRF (see web.csrf).
	s.App.Post("/webhooks/stripe", s.HandleStripeWebhook)
	s.Finish()
	return s, nil
}
