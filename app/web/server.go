// Package web is the HTTP side shared by the portal and the backoffice: the server and its
// middleware, sessions, CSRF, rendering, errors, and the public pages (login, password reset,
// invitations, health).
package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"maintenant/app/config"
	"maintenant/app/database"
	"maintenant/app/i18n"
	"maintenant/app/inbound"
	"maintenant/app/mail"
	"maintenant/app/storage"
	"maintenant/app/templates"
	"maintenant/static"
	"maintenant/views"
)

// Deps are what the server is built from.
type Deps struct {
	Config    *config.Config
	DB        *database.DB
	Catalogue *i18n.Catalogue
	Outbox    *mail.Outbox
	// Files keeps uploaded files (ticket attachments, signatures).
	Files storage.Store
	// Inbound reads the support mailbox (IMAP_URL, or the demo mailbox); nil when there is none.
	// Staff poll it from the mailbox page; the triage list works without it.
	Inbound *inbound.Poller
	Now     func() time.Time
	Logger  *slog.Logger
}

// Server holds the Fiber app and what handlers share. Portal and backoffice routes are mounted on
// the Portal and Admin groups, which already require the right kind of user.
type Server struct {
	Deps
	App      *fiber.App
	Views    *templates.Set
	Composer *mail.Composer
	Assets   *Assets
	Portal   fiber.Router
	Admin    fiber.Router
}

// BodyLimit bounds every request body: a multipart upload of attachments (each file has its own,
// smaller limit). FormLimit bounds every other body.
const (
	BodyLimit = 24 << 20
	FormLimit = 1 << 20
)

// New builds the server with its middleware and the public routes.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	assets, err := NewAssets(static.FS)
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, Assets: assets}
	s.Views, err = templates.New(views.FS, templates.Options{
		Catalogue: d.Catalogue,
		Location:  d.Config.Location,
		Funcs: map[string]any{
			"asset":    assets.URL,
			"einvoice": einvoiceProblem,
		},
	})
	if err != nil {
		return nil, err
	}
	s.Composer = &mail.Composer{Views: s.Views, Catalogue: d.Catalogue}

	s.App = fiber.New(fiber.Config{
		AppName:                 "Maintenant",
		ErrorHandler:            s.handleError,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            60 * time.Second,
		IdleTimeout:             120 * time.Second,
		BodyLimit:               BodyLimit,
		Immutable:               true,
		DisableStartupMessage:   true,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.Config.TrustedProxies,
		ProxyHeader:             proxyHeader(d.Config),
		ReadBufferSize:          16 << 10,
	})
	// Responses are compressed for clients that accept it (pages, CSS and JS are mostly text: the
	// portal's first load goes from about 130 KB to about 35 KB).
	s.App.Use(s.requestID, s.accessLog, recover.New(), compress.New(), s.securityHeaders, limitForms)
	s.App.Get("/static/*", s.handleStatic)
	s.App.Get("/healthz", s.handleHealthz)
	s.App.Get("/readyz", s.handleReadyz)
	s.App.Use(s.language, s.loadSession, s.csrf)

	s.App.Get("/", s.handleRoot)
	s.App.Get("/login", s.handleLoginForm)
	s.App.Post("/login", s.handleLogin)
	s.App.Get("/login/totp", s.handleTOTPForm)
	s.App.Post("/login/totp", s.handleTOTP)
	s.App.Post("/logout", s.handleLogout)
	s.App.Get("/password/forgot", s.handleForgotForm)
	s.App.Post("/password/forgot", s.handleForgot)
	s.App.Get("/password/reset/:token", s.handleResetForm)
	s.App.Post("/password/reset/:token", s.handleReset)
	s.App.Get("/invite/:token", s.handleInviteForm)
	s.App.Post("/invite/:token", s.handleInvite)
	s.App.Post("/language", s.handleLanguage)

	s.Portal = s.App.Group("/portal", s.requireClient)
	s.Admin = s.App.Group("/admin", s.requireStaff)
	return s, nil
}

// Finish adds the catch-all 404; call it after every route is mounted.
func (s *Server) Finish() {
	s.App.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// limitForms refuses a body over FormLimit unless it is a multipart upload, and any compressed body
// (415): the form parser and c.Body() would inflate it whole, so 1 MiB of gzip could become 1 GiB
// in memory. Browsers and Stripe never compress what they send. A NUL character in a query or a
// form is refused (400).
func limitForms(c *fiber.Ctx) error {
	if ce := strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)); ce != "" && !strings.EqualFold(ce, "identity") && len(c.Request().Body()) > 0 {
		return fiber.ErrUnsupportedMediaType
	}
	multipart := strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm)
	if len(c.Request().Body()) > FormLimit && !multipart {
		return fiber.ErrRequestEntityTooLarge
	}
	// A NUL character is never text a person typed, and PostgreSQL refuses it in text (a 500 later).
	if bytes.Contains(c.Request().URI().QueryString(), []byte("%00")) || !multipart && bytes.Contains(c.Request().Body(), []byte("%00")) {
		return fiber.ErrBadRequest
	}
	return c.Next()
}

func proxyHeader(cfg *config.Config) string {
	if len(cfg.TrustedProxies) > 0 {
		return fiber.HeaderXForwardedFor
	}
	return ""
}

// handleHealthz handles the "GET /healthz" route: the process answers.
func (s *Server) handleHealthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok")
}

// handleReadyz handles the "GET /readyz" route: the database answers and every migration is applied.
func (s *Server) handleReadyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unreachable")
	}
	_, pending, err := database.MigrationStatus(ctx, s.DB)
	if err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("migration status unknown")
	}
	if len(pending) > 0 {
		return c.Status(fiber.StatusServiceUnavailable).SendString(fmt.Sprintf("%d migrations pending", len(pending)))
	}
	return c.SendString("ready")
}

// handleRoot handles the "GET /" route: each kind of user to its home.
func (s *Server) handleRoot(c *fiber.Ctx) error {
	u := CurrentUser(c)
	switch {
	case u == nil:
		return c.Redirect("/login", fiber.StatusSeeOther)
	case u.IsStaff():
		return c.Redirect("/admin", fiber.StatusSeeOther)
	default:
		return c.Redirect("/portal", fiber.StatusSeeOther)
	}
}
