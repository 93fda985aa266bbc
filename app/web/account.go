package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"html/template"
	"image/png"

	"github.com/gofiber/fiber/v2"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/audit"
	"maintenant/app/database"
)

// accountPage is the view model of /portal/account and /admin/account.
type accountPage struct {
	Page
	TOTPSecret  string
	TOTPQR      template.URL
	RequireTOTP bool
}

// HandleAccount handles the "GET /portal/account" and "GET /admin/account" routes: password change,
// and for staff the second factor.
func (s *Server) HandleAccount(c *fiber.Ctx) error {
	p, err := s.newAccountPage(c)
	if err != nil {
		return err
	}
	return s.Render(c, fiber.StatusOK, "account/show", p)
}

func (s *Server) newAccountPage(c *fiber.Ctx) (*accountPage, error) {
	u := CurrentUser(c)
	p := &accountPage{Page: s.NewPage(c, "account.title")}
	if u.IsStaff() {
		org, err := s.org(c)
		if err != nil {
			return nil, err
		}
		p.RequireTOTP = org.RequireStaffTOTP
		if !u.TOTPEnabled {
			secret := c.FormValue("totp_secret")
			key, err := accounts.NewTOTPKey(org.Name, u.Email)
			if err != nil {
				return nil, err
			}
			if secret == "" {
				secret = key.Secret()
			}
			p.TOTPSecret = secret
			img, err := key.Image(200, 200)
			if err == nil && secret == key.Secret() {
				var buf bytes.Buffer
				if png.Encode(&buf, img) == nil {
					p.TOTPQR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
				}
			}
		}
	}
	return p, nil
}

// HandlePasswordChange handles the "POST /portal/account/password" and "POST /admin/account/password"
// routes. The current password is required; every other session of the user ends, and this one is
// replaced by a new one.
func (s *Server) HandlePasswordChange(c *fiber.Ctx) error {
	u := CurrentUser(c)
	current, password, confirm := c.FormValue("current_password"), c.FormValue("password"), c.FormValue("password_confirm")
	f := apperr.Fields{}
	if !accounts.VerifyPassword(current, u.PasswordHash) {
		f.Add("current_password", "error.password_wrong")
	}
	if err := accounts.CheckPassword(password, confirm); err != nil {
		for k, v := range apperr.FieldsOf(err) {
			f.Add(k, v)
		}
	}
	if err := f.Err(); err != nil {
		p, perr := s.newAccountPage(c)
		if perr != nil {
			return perr
		}
		_ = FormError(&p.Page, err, nil)
		return s.Render(c, fiber.StatusUnprocessableEntity, "account/show", p)
	}
	err := s.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if err := accounts.SetPassword(ctx, tx, u.ID, password, s.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, s.Now(), Actor(c), audit.Event{Action: audit.PasswordChange, TargetType: "user", TargetID: u.ID.String()})
	})
	if err != nil {
		return err
	}
	if err := s.startSession(c, u, true); err != nil {
		return err
	}
	s.SetFlash(c, FlashSuccess, s.T(c, "flash.password_changed"))
	return s.Redirect(c, c.Path()[:len(c.Path())-len("/password")])
}

// HandleTOTPEnable handles the "POST /admin/account/totp" route: the user proves their app produces
// codes for the secret shown, and the second factor is on from the next login.
func (s *Server) HandleTOTPEnable(c *fiber.Ctx) error {
	u := CurrentUser(c)
	secret, code := c.FormValue("totp_secret"), c.FormValue("code")
	err := s.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if len(secret) < 16 || len(secret) > 64 {
			return apperr.Fields{"code": "error.totp_invalid"}.Err()
		}
		if err := accounts.EnableTOTP(ctx, tx, u.ID, secret, code, s.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, s.Now(), Actor(c), audit.Event{Action: audit.TOTPEnabled, TargetType: "user", TargetID: u.ID.String()})
	})
	if apperr.KindOf(err) == apperr.Invalid {
		p, perr := s.newAccountPage(c)
		if perr != nil {
			return perr
		}
		_ = FormError(&p.Page, err, nil)
		return s.Render(c, fiber.StatusUnprocessableEntity, "account/show", p)
	}
	if err != nil {
		return err
	}
	s.SetFlash(c, FlashSuccess, s.T(c, "flash.totp_enabled"))
	return s.Redirect(c, "/admin/account")
}

// HandleTOTPDisable handles the "POST /admin/account/totp/disable" route; it needs the password, and
// is refused while the provider requires a second factor.
func (s *Server) HandleTOTPDisable(c *fiber.Ctx) error {
	u := CurrentUser(c)
	org, err := s.org(c)
	if err != nil {
		return err
	}
	if org.RequireStaffTOTP {
		return apperr.Forbiddenf("error.forbidden")
	}
	if !accounts.VerifyPassword(c.FormValue("disable_password"), u.PasswordHash) {
		p, perr := s.newAccountPage(c)
		if perr != nil {
			return perr
		}
		p.Errors = map[string]string{"disable_password": "error.password_wrong"}
		return s.Render(c, fiber.StatusUnprocessableEntity, "account/show", p)
	}
	err = s.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		if err := accounts.DisableTOTP(ctx, tx, u.ID, s.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, s.Now(), Actor(c), audit.Event{Action: audit.TOTPDisabled, TargetType: "user", TargetID: u.ID.String()})
	})
	if err != nil {
		return err
	}
	s.SetFlash(c, FlashSuccess, s.T(c, "flash.totp_disabled"))
	return s.Redirect(c, "/admin/account")
}
