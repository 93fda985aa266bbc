package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/apperr"
)

// errorPage is the view model of the error pages.
type errorPage struct {
	Page
	Status    int
	Heading   string
	Detail    string
	RequestID string
}

// handleError is Fiber's one ErrorHandler: it maps error kinds to statuses and renders a page in the
// user's language. Internal errors are logged once, with the request id shown to the user; no stack
// trace or internal message ever reaches the page.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	key := "error.internal"
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status = fe.Code
		switch fe.Code {
		case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
			status, key = fiber.StatusNotFound, "error.not_found"
		case fiber.StatusRequestEntityTooLarge:
			key = "error.too_large"
		case fiber.StatusBadRequest, fiber.StatusUnprocessableEntity:
			key = "error.bad_request"
		case fiber.StatusRequestTimeout:
			key = "error.timeout"
		default:
			if fe.Code >= 500 {
				status = fiber.StatusInternalServerError
			} else {
				key = "error.bad_request"
			}
		}
	default:
		e, _ := apperr.As(err)
		switch apperr.KindOf(err) {
		case apperr.Invalid:
			status, key = fiber.StatusUnprocessableEntity, "error.invalid"
		case apperr.NotFound:
			status, key = fiber.StatusNotFound, "error.not_found"
		case apperr.Forbidden:
			status, key = fiber.StatusForbidden, "error.forbidden"
			if e.Message == "error.csrf" {
				key = e.Message
			}
		case apperr.Conflict:
			status, key = fiber.StatusConflict, e.Message
		case apperr.Unauthorized:
			status, key = fiber.StatusUnauthorized, "error.login_failed"
		case apperr.TooMany:
			status, key = fiber.StatusTooManyRequests, "error.too_many_attempts"
		}
	}
	if status == fiber.StatusInternalServerError && databaseUnavailable(err) {
		status, key = fiber.StatusServiceUnavailable, "error.unavailable"
		s.Logger.Warn("database unavailable", "err", err, "method", c.Method(), "path", c.Path(), "request_id", RequestID(c))
	}
	if status == fiber.StatusInternalServerError {
		s.Logger.Error("request failed", "err", err, "method", c.Method(), "path", c.Path(), "request_id", RequestID(c))
	}
	c.Response().Reset()
	c.Set("X-Request-Id", RequestID(c))
	if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	s.setSecurityHeaders(c)
	p := &errorPage{Page: s.NewPage(c, "error.title"), Status: status, Heading: s.T(c, key), RequestID: RequestID(c)}
	p.Area = ""
	if rerr := s.Render(c, status, "errors/error", p); rerr != nil {
		s.Logger.Error("error page failed", "err", rerr, "request_id", RequestID(c))
		c.Response().Reset()
		return c.Status(status).SendString(s.T(c, key))
	}
	return nil
}
