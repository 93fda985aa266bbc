package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/i18n"
)

// Locals keys.
const (
	localRequestID = "request_id"
	localUser      = "user"
	localSession   = "session"
	localToken     = "session_token"
	localLang      = "lang"
	localCSRF      = "csrf"
	localPending   = "mfa_pending"
)

// cookie names; in production the __Host- prefix pins them to this exact host over https.
func (s *Server) cookieName(base string) string {
	if s.Config.Secure() {
		return "__Host-" + base
	}
	return base
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string, maxAge int) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(name), Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0),
		HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// requestID gives every request an id, shown on error pages and in the logs.
func (s *Server) requestID(c *fiber.Ctx) error {
	id := uuid.Must(uuid.NewV7()).String()
	c.Locals(localRequestID, id)
	c.Set("X-Request-Id", id)
	return c.Next()
}

// RequestID returns the id of the request.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// accessLog writes one structured line per request.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.App.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	if c.Path() == "/healthz" || strings.HasPrefix(c.Path(), "/static/") {
		return nil
	}
	s.Logger.Info("request",
		"method", c.Method(), "path", c.Path(), "status", c.Response().StatusCode(),
		"duration_ms", float64(time.Since(start).Microseconds())/1000, "ip", c.IP(), "request_id", RequestID(c))
	return nil
}

// securityHeaders forbids everything the pages do not need: only our own scripts, styles and
// frames, no framing by others, no sniffing.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

// contentSecurityPolicy allows only this site's own scripts, styles, images and forms.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.Config.Secure() {
		c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// language picks the interface language: the cookie set by the switch, else the browser's. A
// logged-in user's saved preference overrides both in loadSession.
func (s *Server) language(c *fiber.Ctx) error {
	lang := i18n.FromAcceptLanguage(c.Get(fiber.HeaderAcceptLanguage))
	if l, ok := i18n.Parse(c.Cookies(s.cookieName("mt_lang"))); ok {
		lang = l
	}
	c.Locals(localLang, lang)
	return c.Next()
}

// Lang returns the language of the request.
func Lang(c *fiber.Ctx) i18n.Lang {
	if l, ok := c.Locals(localLang).(i18n.Lang); ok {
		return l
	}
	return i18n.FR
}

// loadSession finds the user of the session cookie, if any. A session whose second factor is still
// expected is kept apart: it reaches only the TOTP form and logout.
func (s *Server) loadSession(c *fiber.Ctx) error {
	tok := c.Cookies(s.cookieName("mt_session"))
	if tok == "" {
		return c.Next()
	}
	sess, err := accounts.SessionByToken(c.UserContext(), s.DB.Bun, tok, s.Now())
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			s.clearCookie(c, "mt_session")
			return c.Next()
		}
		return err
	}
	c.Locals(localToken, tok)
	c.Locals(localSession, sess)
	if sess.User.TOTPEnabled && !sess.MFAVerified {
		c.Locals(localPending, sess.User)
		return c.Next()
	}
	c.Locals(localUser, sess.User)
	if l, ok := i18n.Parse(sess.User.Language); ok {
		c.Locals(localLang, l)
	}
	return c.Next()
}

// CurrentUser returns the logged-in user, or nil.
func CurrentUser(c *fiber.Ctx) *accounts.User {
	u, _ := c.Locals(localUser).(*accounts.User)
	return u
}

// ClientID returns the client of the logged-in client user. Portal handlers take the tenant from here
// only, never from the request.
func ClientID(c *fiber.Ctx) uuid.UUID {
	if u := CurrentUser(c); u != nil && u.ClientID.Valid {
		return u.ClientID.UUID
	}
	return uuid.Nil
}

// currentSession returns the request's session (never nil: an empty one without a session).
func currentSession(c *fiber.Ctx) *accounts.Session {
	if sess, ok := c.Locals(localSession).(*accounts.Session); ok {
		return sess
	}
	return &accounts.Session{}
}

func pendingUser(c *fiber.Ctx) *accounts.User {
	u, _ := c.Locals(localPending).(*accounts.User)
	return u
}

func sessionToken(c *fiber.Ctx) string {
	t, _ := c.Locals(localToken).(string)
	return t
}

// Actor describes the person behind the request for the audit log.
func Actor(c *fiber.Ctx) audit.Actor {
	a := audit.Actor{IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent)}
	if u := CurrentUser(c); u != nil {
		a.UserID, a.Label = u.ID, u.Email
	}
	return a
}

// csrf requires, on every state-changing request, a token (form field _csrf or header X-Csrf-Token)
// matching the browser's CSRF cookie: a signed double-submit. Webhooks are exempt: they are signed.
func (s *Server) csrf(c *fiber.Ctx) error {
	raw := c.Cookies(s.cookieName("mt_csrf"))
	if len(raw) < 32 || len(raw) > 64 {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		raw = base64.RawURLEncoding.EncodeToString(b)
		s.setCookie(c, "mt_csrf", raw, 0)
	}
	want := s.csrfToken(raw)
	c.Locals(localCSRF, want)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), "/webhooks/") {
		return c.Next()
	}
	got := c.Get("X-Csrf-Token")
	if got == "" {
		got = c.FormValue("_csrf")
	}
	if !hmac.Equal([]byte(got), []byte(want)) {
		return apperr.Forbiddenf("error.csrf")
	}
	return c.Next()
}

func (s *Server) csrfToken(raw string) string {
	m := hmac.New(sha256.New, []byte(s.Config.SecretKey))
	m.Write([]byte("csrf:" + raw))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CSRF returns the token to put in forms and in hx-headers.
func CSRF(c *fiber.Ctx) string {
	t, _ := c.Locals(localCSRF).(string)
	return t
}

// requireClient lets only client users into /portal.
func (s *Server) requireClient(c *fiber.Ctx) error {
	u := CurrentUser(c)
	if u == nil {
		return s.toLogin(c)
	}
	if u.Kind != accounts.Client || !u.ClientID.Valid {
		return s.deny(c)
	}
	return c.Next()
}

// requireStaff lets only staff into /admin, and sends staff without a second factor to enrol when the
// provider requires one.
func (s *Server) requireStaff(c *fiber.Ctx) error {
	u := CurrentUser(c)
	if u == nil {
		return s.toLogin(c)
	}
	if !u.IsStaff() {
		return s.deny(c)
	}
	if !u.TOTPEnabled && !strings.HasPrefix(c.Path(), "/admin/account") {
		if currentSession(c).OrgRequireStaffTOTP {
			s.SetFlash(c, FlashWarning, s.T(c, "flash.totp_required"))
			return s.Redirect(c, "/admin/account")
		}
	}
	return c.Next()
}

// RequireManager refuses technicians.
func (s *Server) RequireManager(c *fiber.Ctx) error {
	if u := CurrentUser(c); u == nil || !u.IsManager() {
		return s.deny(c)
	}
	return c.Next()
}

func (s *Server) deny(c *fiber.Ctx) error {
	_ = writeAudit(c, s, audit.Event{Action: audit.AccessDenied, TargetType: "path", TargetID: truncate(c.Path(), 200)})
	return apperr.Forbiddenf("error.forbidden")
}

func (s *Server) toLogin(c *fiber.Ctx) error {
	if pendingUser(c) != nil {
		return s.Redirect(c, "/login/totp")
	}
	next := ""
	if c.Method() == fiber.MethodGet {
		next = "?next=" + url.QueryEscape(string(c.Request().URI().RequestURI()))
	}
	return s.Redirect(c, "/login"+next)
}

// Redirect answers 303 See Other, or tells htmx to load the page for requests it made.
func (s *Server) Redirect(c *fiber.Ctx, to string) error {
	if c.Get("HX-Request") == "true" && c.Get("HX-Boosted") != "true" {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// safeNext keeps a post-login destination only if it is a path on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return ""
	}
	return next
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
