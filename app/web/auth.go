package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
	"maintenant/app/i18n"
)

// authPage is the view model of the login, second-factor, password and invitation pages.
type authPage struct {
	Page
	Token   string
	Email   string
	Name    string
	Sent    bool
	Heading string
}

// handleLoginForm handles the "GET /login" route.
func (s *Server) handleLoginForm(c *fiber.Ctx) error {
	if u := CurrentUser(c); u != nil {
		return s.handleRoot(c)
	}
	p := &authPage{Page: s.NewPage(c, "login.title")}
	p.NextPath = safeNext(c.Query("next"))
	return s.Render(c, fiber.StatusOK, "auth/login", p)
}

// handleLogin handles the "POST /login" route.
func (s *Server) handleLogin(c *fiber.Ctx) error {
	email, password := strings.TrimSpace(c.FormValue("email")), c.FormValue("password")
	p := &authPage{Page: s.NewPage(c, "login.title")}
	p.NextPath = safeNext(c.FormValue("next"))
	p.Form = map[string]string{"email": email}
	f := apperr.Fields{}
	if email == "" {
		f.Add("email", "error.required")
	} else if len(email) > 254 {
		f.Add("email", "error.email_invalid")
	}
	if password == "" {
		f.Add("password", "error.required")
	}
	if err := f.Err(); err != nil {
		_ = FormError(&p.Page, err, p.Form)
		return s.Render(c, fiber.StatusUnprocessableEntity, "auth/login", p)
	}
	actor := Actor(c)
	u, err := accounts.Authenticate(c.UserContext(), s.DB.Bun, email, password, actor, s.Now())
	switch apperr.KindOf(err) {
	case apperr.Internal:
		if err != nil {
			return err
		}
	case apperr.Unauthorized:
		p.Message = "error.login_failed"
		return s.Render(c, fiber.StatusUnauthorized, "auth/login", p)
	case apperr.TooMany:
		p.Message = "error.too_many_attempts"
		return s.Render(c, fiber.StatusTooManyRequests, "auth/login", p)
	default:
		return err
	}
	if err := s.startSession(c, u, !u.TOTPEnabled); err != nil {
		return err
	}
	if u.TOTPEnabled {
		return s.Redirect(c, "/login/totp"+nextQuery(p.NextPath))
	}
	return s.Redirect(c, homeOf(u, p.NextPath))
}

// startSession replaces any session of this browser with a new one (a new id at each login).
func (s *Server) startSession(c *fiber.Ctx, u *accounts.User, mfaVerified bool) error {
	if old := c.Cookies(s.cookieName("mt_session")); old != "" {
		if err := accounts.EndSession(c.UserContext(), s.DB.Bun, old); err != nil {
			return err
		}
	}
	idle := s.Config.ClientIdleTimeout
	if u.IsStaff() {
		idle = s.Config.StaffIdleTimeout
	}
	tok, err := accounts.StartSession(c.UserContext(), s.DB.Bun, u, mfaVerified, idle, c.IP(), c.Get(fiber.HeaderUserAgent), s.Now())
	if err != nil {
		return err
	}
	s.setCookie(c, "mt_session", tok, 0)
	s.setCookie(c, "mt_lang", u.Language, 365*24*3600)
	return nil
}

func nextQuery(next string) string {
	if next == "" {
		return ""
	}
	return "?next=" + strings.ReplaceAll(next, "&", "%26")
}

// homeOf returns where a user lands after login: the requested page of their own area, else home.
func homeOf(u *accounts.User, next string) string {
	home := "/portal"
	if u.IsStaff() {
		home = "/admin"
	}
	if next != "" && (next == home || strings.HasPrefix(next, home+"/") || strings.HasPrefix(next, home+"?")) {
		return next
	}
	return home
}

// handleTOTPForm handles the "GET /login/totp" route.
func (s *Server) handleTOTPForm(c *fiber.Ctx) error {
	if pendingUser(c) == nil {
		return s.Redirect(c, "/login")
	}
	p := &authPage{Page: s.NewPage(c, "totp.title")}
	p.NextPath = safeNext(c.Query("next"))
	return s.Render(c, fiber.StatusOK, "auth/totp", p)
}

// handleTOTP handles the "POST /login/totp" route: the second factor, under the login rate limit.
func (s *Server) handleTOTP(c *fiber.Ctx) error {
	u := pendingUser(c)
	if u == nil {
		return s.Redirect(c, "/login")
	}
	p := &authPage{Page: s.NewPage(c, "totp.title")}
	p.NextPath = safeNext(c.FormValue("next"))
	ctx, now, actor := c.UserContext(), s.Now(), Actor(c)
	over, err := accounts.Exceeded(ctx, s.DB.Bun, accounts.LoginPerAccount, u.Email, now)
	if err != nil {
		return err
	}
	if over {
		p.Message = "error.too_many_attempts"
		return s.Render(c, fiber.StatusTooManyRequests, "auth/totp", p)
	}
	code := strings.ReplaceAll(strings.TrimSpace(c.FormValue("code")), " ", "")
	if !accounts.ValidTOTP(u.TOTPSecret, code, now) {
		if err := accounts.Record(ctx, s.DB.Bun, accounts.LoginPerAccount, u.Email, now); err != nil {
			return err
		}
		actor.UserID, actor.Label = u.ID, u.Email
		_ = audit.Write(ctx, s.DB.Bun, now, actor, audit.Event{Action: audit.LoginFailed, TargetType: "user", TargetID: u.ID.String(), Details: map[string]any{"factor": "totp"}})
		p.Errors = map[string]string{"code": "error.totp_invalid"}
		return s.Render(c, fiber.StatusUnprocessableEntity, "auth/totp", p)
	}
	// A fresh session id once both factors are given.
	if err := s.startSession(c, u, true); err != nil {
		return err
	}
	return s.Redirect(c, homeOf(u, p.NextPath))
}

// handleLogout handles the "POST /logout" route.
func (s *Server) handleLogout(c *fiber.Ctx) error {
	if tok := sessionToken(c); tok != "" {
		if err := accounts.EndSession(c.UserContext(), s.DB.Bun, tok); err != nil {
			return err
		}
		if u := CurrentUser(c); u != nil {
			_ = writeAudit(c, s, audit.Event{Action: audit.Logout, TargetType: "user", TargetID: u.ID.String()})
		}
	}
	s.clearCookie(c, "mt_session")
	s.SetFlash(c, FlashSuccess, s.T(c, "flash.logged_out"))
	return s.Redirect(c, "/login")
}

// handleForgotForm handles the "GET /password/forgot" route.
func (s *Server) handleForgotForm(c *fiber.Ctx) error {
	return s.Render(c, fiber.StatusOK, "auth/forgot", &authPage{Page: s.NewPage(c, "forgot.title")})
}

// handleForgot handles the "POST /password/forgot" route. The answer is the same whether or not the
// address is known; the link goes out by mail, built from BASE_URL.
func (s *Server) handleForgot(c *fiber.Ctx) error {
	p := &authPage{Page: s.NewPage(c, "forgot.title")}
	email := accounts.NormalizeEmail(c.FormValue("email"))
	p.Form = map[string]string{"email": email}
	if !accounts.ValidEmail(email) {
		p.Errors = map[string]string{"email": "error.email_invalid"}
		return s.Render(c, fiber.StatusUnprocessableEntity, "auth/forgot", p)
	}
	ctx, now := c.UserContext(), s.Now()
	for _, lim := range []struct {
		l   accounts.Limit
		key string
	}{{accounts.ResetPerAccount, email}, {accounts.ResetPerIP, c.IP()}} {
		over, err := accounts.Exceeded(ctx, s.DB.Bun, lim.l, lim.key, now)
		if err != nil {
			return err
		}
		if over {
			p.Message = "error.too_many_attempts"
			return s.Render(c, fiber.StatusTooManyRequests, "auth/forgot", p)
		}
	}
	err := s.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		for _, lim := range []struct {
			l   accounts.Limit
			key string
		}{{accounts.ResetPerAccount, email}, {accounts.ResetPerIP, c.IP()}} {
			if err := accounts.Record(ctx, tx, lim.l, lim.key, now); err != nil {
				return err
			}
		}
		u, err := accounts.UserByEmail(ctx, tx, email)
		if apperr.KindOf(err) == apperr.NotFound || (u != nil && !u.Active) {
			return audit.Write(ctx, tx, now, Actor(c), audit.Event{Action: audit.ResetRequested, TargetType: "email", TargetID: email, Details: map[string]any{"known": false}})
		}
		if err != nil {
			return err
		}
		tok, err := accounts.IssueToken(ctx, tx, u.ID, accounts.PurposeReset, now)
		if err != nil {
			return err
		}
		if err := s.SendMail(ctx, tx, u, "password_reset", map[string]any{"Name": u.Name, "Link": s.Config.URL("/password/reset/" + tok)}); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, Actor(c), audit.Event{Action: audit.ResetRequested, TargetType: "user", TargetID: u.ID.String(), Details: map[string]any{"known": true}})
	})
	if err != nil {
		return err
	}
	p.Sent = true
	return s.Render(c, fiber.StatusOK, "auth/forgot", p)
}

// SendMail composes a mail in the user's language and puts it in the outbox within tx.
func (s *Server) SendMail(ctx context.Context, tx *database.Tx, u *accounts.User, name string, data map[string]any) error {
	return s.SendMailOnce(ctx, tx, u, name, data, "")
}

// SendMailOnce is SendMail for a mail caused by an event that may be processed again (a retried
// job, a second click): the dedupe key makes every enqueue after the first a no-op. The data gets
// BaseURL, and OrgName unless the caller set it.
func (s *Server) SendMailOnce(ctx context.Context, tx *database.Tx, u *accounts.User, name string, data map[string]any, key string) error {
	lang, _ := i18n.Parse(u.Language)
	data["BaseURL"] = s.Config.BaseURL.String()
	if _, ok := data["OrgName"]; !ok {
		if o, err := providerName(ctx, tx); err == nil {
			data["OrgName"] = o
		}
	}
	m, err := s.Composer.Compose(name, lang, u.Email, u.Name, data)
	if err != nil {
		return err
	}
	if key != "" {
		m.DedupeKey = &key
	}
	if err := s.Outbox.Enqueue(ctx, tx, m, s.Now()); err != nil {
		return fmt.Errorf("web: mail %s: %w", name, err)
	}
	return nil
}

// SendInvitation issues an invitation link for a user and mails it, within tx.
func (s *Server) SendInvitation(ctx context.Context, tx *database.Tx, u *accounts.User, actor audit.Actor) error {
	tok, err := accounts.IssueToken(ctx, tx, u.ID, accounts.PurposeInvite, s.Now())
	if err != nil {
		return err
	}
	if err := s.SendMail(ctx, tx, u, "invitation", map[string]any{"Name": u.Name, "Link": s.Config.URL("/invite/" + tok)}); err != nil {
		return err
	}
	ev := audit.Event{Action: audit.InviteSent, TargetType: "user", TargetID: u.ID.String()}
	if u.ClientID.Valid {
		ev.ClientID = u.ClientID.UUID
	}
	return audit.Write(ctx, tx, s.Now(), actor, ev)
}

// handleResetForm handles the "GET /password/reset/:token" route.
func (s *Server) handleResetForm(c *fiber.Ctx) error {
	return s.tokenForm(c, accounts.PurposeReset)
}

// handleInviteForm handles the "GET /invite/:token" route.
func (s *Server) handleInviteForm(c *fiber.Ctx) error {
	return s.tokenForm(c, accounts.PurposeInvite)
}

func (s *Server) tokenForm(c *fiber.Ctx, purpose accounts.Purpose) error {
	tok := c.Params("token")
	u, err := accounts.PeekToken(c.UserContext(), s.DB.Bun, tok, purpose, s.Now())
	if err != nil {
		return s.linkInvalid(c, err)
	}
	page, title := "auth/reset", "reset.title"
	if purpose == accounts.PurposeInvite {
		page, title = "auth/invite", "invite.title"
	}
	p := &authPage{Page: s.NewPage(c, title), Token: tok, Email: u.Email, Name: u.Name}
	return s.Render(c, fiber.StatusOK, page, p)
}

// linkInvalid shows a 404 page that explains the link is unknown, used or expired.
func (s *Server) linkInvalid(c *fiber.Ctx, err error) error {
	if apperr.KindOf(err) != apperr.NotFound {
		return err
	}
	p := &errorPage{Page: s.NewPage(c, "error.title"), Status: fiber.StatusNotFound, Heading: s.T(c, "error.link_invalid"), RequestID: RequestID(c)}
	p.Detail = s.T(c, "error.link_invalid_detail")
	return s.Render(c, fiber.StatusNotFound, "errors/error", p)
}

// handleReset handles the "POST /password/reset/:token" route.
func (s *Server) handleReset(c *fiber.Ctx) error {
	return s.setPasswordWithToken(c, accounts.PurposeReset)
}

// handleInvite handles the "POST /invite/:token" route.
func (s *Server) handleInvite(c *fiber.Ctx) error {
	return s.setPasswordWithToken(c, accounts.PurposeInvite)
}

func (s *Server) setPasswordWithToken(c *fiber.Ctx, purpose accounts.Purpose) error {
	tok := c.Params("token")
	ctx, now := c.UserContext(), s.Now()
	u, err := accounts.PeekToken(ctx, s.DB.Bun, tok, purpose, now)
	if err != nil {
		return s.linkInvalid(c, err)
	}
	page, title, action, flash := "auth/reset", "reset.title", audit.PasswordReset, "flash.password_reset"
	if purpose == accounts.PurposeInvite {
		page, title, action, flash = "auth/invite", "invite.title", audit.InviteAccepted, "flash.invite_accepted"
	}
	password, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	if err := accounts.CheckPassword(password, confirm); err != nil {
		p := &authPage{Page: s.NewPage(c, title), Token: tok, Email: u.Email, Name: u.Name}
		_ = FormError(&p.Page, err, nil)
		return s.Render(c, fiber.StatusUnprocessableEntity, page, p)
	}
	err = s.DB.InTx(ctx, func(ctx context.Context, tx *database.Tx) error {
		u, err := accounts.UseToken(ctx, tx, tok, purpose, now)
		if err != nil {
			return err
		}
		if err := accounts.SetPassword(ctx, tx, u.ID, password, now); err != nil {
			return err
		}
		actor := Actor(c)
		actor.UserID, actor.Label = u.ID, u.Email
		ev := audit.Event{Action: action, TargetType: "user", TargetID: u.ID.String()}
		if u.ClientID.Valid {
			ev.ClientID = u.ClientID.UUID
		}
		return audit.Write(ctx, tx, now, actor, ev)
	})
	if err != nil {
		return s.linkInvalid(c, err)
	}
	s.clearCookie(c, "mt_session")
	s.SetFlash(c, FlashSuccess, s.T(c, flash))
	return s.Redirect(c, "/login")
}

// handleLanguage handles the "POST /language" route: the switch in every layout.
func (s *Server) handleLanguage(c *fiber.Ctx) error {
	lang, ok := i18n.Parse(c.FormValue("lang"))
	if !ok {
		return apperr.Invalidf("error.invalid")
	}
	s.setCookie(c, "mt_lang", string(lang), 365*24*3600)
	if u := CurrentUser(c); u != nil {
		if err := accounts.SetLanguage(c.UserContext(), s.DB.Bun, u.ID, string(lang)); err != nil {
			return err
		}
	}
	next := safeNext(c.FormValue("next"))
	if next == "" {
		next = "/"
	}
	return s.Redirect(c, next)
}

func providerName(ctx context.Context, tx *database.Tx) (string, error) {
	var name string
	err := tx.NewRaw("SELECT name FROM organisation WHERE id = 1").Scan(ctx, &name)
	return name, err
}

// ParseUUID returns NotFound for a malformed id, as for a missing row.
func ParseUUID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, apperr.NotFoundf("id")
	}
	return id, nil
}
