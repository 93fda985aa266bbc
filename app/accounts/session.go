package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// Session is a logged-in browser. The cookie holds a random token; only its hash is stored, so a
// leaked database does not hand out sessions.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	IDHash      []byte    `bun:"id_hash,pk"`
	UserID      uuid.UUID `bun:"user_id,type:uuid"`
	MFAVerified bool      `bun:"mfa_verified"`
	CreatedAt   time.Time `bun:"created_at"`
	LastSeenAt  time.Time `bun:"last_seen_at"`
	IdleSeconds int       `bun:"idle_seconds"`
	ExpiresAt   time.Time `bun:"expires_at"`
	IP          string    `bun:"ip"`
	UserAgent   string    `bun:"user_agent"`

	User *User `bun:"rel:belongs-to,join:user_id=id"`

	// OrgName and OrgRequireStaffTOTP are the provider's name and second-factor rule, read with the
	// session (every page shows the name and every staff request checks the rule).
	OrgName             string `bun:"org_name,scanonly"`
	OrgRequireStaffTOTP bool   `bun:"org_require_staff_totp,scanonly"`
}

// absoluteLifetime ends any session this long after login, however active.
const absoluteLifetime = 14 * 24 * time.Hour

// touchEvery bounds the writes made to keep a session alive: at most one a minute.
const touchEvery = time.Minute

// NewToken returns a random URL-safe token and its hash.
func NewToken() (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("accounts: random: %v", err))
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, HashToken(tok)
}

// HashToken returns the stored form of a token.
func HashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// StartSession creates a new session for a user who just proved who they are, and returns the
// token for the cookie. A fresh id at each login defeats session fixation.
func StartSession(ctx context.Context, db bun.IDB, u *User, mfaVerified bool, idle time.Duration, ip, ua string, now time.Time) (string, error) {
	tok, hash := NewToken()
	s := &Session{
		IDHash: hash, UserID: u.ID, MFAVerified: mfaVerified,
		CreatedAt: now.UTC(), LastSeenAt: now.UTC(), IdleSeconds: int(idle / time.Second),
		ExpiresAt: now.UTC().Add(absoluteLifetime), IP: ip, UserAgent: truncate(ua, 300),
	}
	if _, err := db.NewInsert().Model(s).Exec(ctx); err != nil {
		return "", fmt.Errorf("accounts: start session: %w", err)
	}
	return tok, nil
}

// SessionByToken returns the live session of a cookie token with its user, or NotFound when the token
// is unknown, idle for too long, past its absolute end, or its user deactivated. It keeps an active
// session alive (one write a minute at most).
func SessionByToken(ctx context.Context, db bun.IDB, tok string, now time.Time) (*Session, error) {
	if tok == "" || len(tok) > 100 {
		return nil, apperr.NotFoundf("session")
	}
	s := new(Session)
	err := db.NewSelect().Model(s).ColumnExpr("session.*").Relation("User").
		ColumnExpr("org.name AS org_name, org.require_staff_totp AS org_require_staff_totp").
		Join("LEFT JOIN organisation AS org ON org.id = 1").
		Where("session.id_hash = ?", HashToken(tok)).Scan(ctx)
	if err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("session")
		}
		return nil, fmt.Errorf("accounts: session: %w", err)
	}
	if now.After(s.ExpiresAt) || now.Sub(s.LastSeenAt) > time.Duration(s.IdleSeconds)*time.Second || s.User == nil || !s.User.Active {
		_, _ = db.NewDelete().Model((*Session)(nil)).Where("id_hash = ?", s.IDHash).Exec(ctx)
		return nil, apperr.NotFoundf("session")
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		s.LastSeenAt = now.UTC()
		if _, err := db.NewUpdate().Model((*Session)(nil)).Set("last_seen_at = ?", s.LastSeenAt).
			Where("id_hash = ?", s.IDHash).Exec(ctx); err != nil {
			return nil, fmt.Errorf("accounts: touch session: %w", err)
		}
	}
	return s, nil
}

// MarkMFAVerified records that the second factor was given for this session.
func MarkMFAVerified(ctx context.Context, db bun.IDB, tok string) error {
	if _, err := db.NewUpdate().Model((*Session)(nil)).Set("mfa_verified = true").
		Where("id_hash = ?", HashToken(tok)).Exec(ctx); err != nil {
		return fmt.Errorf("accounts: mark mfa: %w", err)
	}
	return nil
}

// EndSession logs one browser out.
func EndSession(ctx context.Context, db bun.IDB, tok string) error {
	if _, err := db.NewDelete().Model((*Session)(nil)).Where("id_hash = ?", HashToken(tok)).Exec(ctx); err != nil {
		return fmt.Errorf("accounts: end session: %w", err)
	}
	return nil
}

// EndUserSessions logs a user out everywhere, except the session whose hash is keep (if any).
func EndUserSessions(ctx context.Context, db bun.IDB, userID uuid.UUID, keep []byte) error {
	q := db.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID)
	if keep != nil {
		q = q.Where("id_hash <> ?", keep)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("accounts: end user sessions: %w", err)
	}
	return nil
}

// PurgeSessions deletes sessions past their absolute end, for the daily clean-up job.
func PurgeSessions(ctx context.Context, db bun.IDB, now time.Time) (int64, error) {
	res, err := db.NewDelete().Model((*Session)(nil)).Where("expires_at < ?", now.UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("accounts: purge sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
