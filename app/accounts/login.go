package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/audit"
)

// Authenticate checks an email and password under the rate limits. Every failure gives the same
// Unauthorized error whether or not the email exists; a limit reached gives TooMany. Failures and
// successes are written to the audit log.
func Authenticate(ctx context.Context, db bun.IDB, email, password string, actor audit.Actor, now time.Time) (*User, error) {
	email = NormalizeEmail(email)
	for _, c := range []struct {
		l   Limit
		key string
	}{{LoginPerAccount, email}, {LoginPerIP, actor.IP}} {
		over, err := Exceeded(ctx, db, c.l, c.key, now)
		if err != nil {
			return nil, err
		}
		if over {
			_ = audit.Write(ctx, db, now, actor, audit.Event{Action: audit.LoginLimited, TargetType: "email", TargetID: email})
			return nil, apperr.TooManyf("error.too_many_attempts")
		}
	}
	u, err := UserByEmail(ctx, db, email)
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return nil, err
	}
	hash := ""
	if u != nil && u.Active {
		hash = u.PasswordHash
	}
	if !VerifyPassword(password, hash) {
		if err := Record(ctx, db, LoginPerAccount, email, now); err != nil {
			return nil, err
		}
		if err := Record(ctx, db, LoginPerIP, actor.IP, now); err != nil {
			return nil, err
		}
		ev := audit.Event{Action: audit.LoginFailed, TargetType: "email", TargetID: truncate(strings.ToValidUTF8(email, ""), 254)}
		if err := audit.Write(ctx, db, now, actor, ev); err != nil {
			return nil, err
		}
		return nil, apperr.Unauthorizedf("error.login_failed")
	}
	actor.UserID, actor.Label = u.ID, u.Email
	ev := audit.Event{Action: audit.LoginOK, TargetType: "user", TargetID: u.ID.String()}
	if u.ClientID.Valid {
		ev.ClientID = u.ClientID.UUID
	}
	if err := audit.Write(ctx, db, now, actor, ev); err != nil {
		return nil, err
	}
	return u, nil
}
