package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
)

// Purpose says what a single-use link is for.
type Purpose string

// The purposes of single-use links and how long each stays valid.
const (
	PurposeReset  Purpose = "reset"
	PurposeInvite Purpose = "invite"

	ResetTTL  = time.Hour
	InviteTTL = 7 * 24 * time.Hour
)

// userToken is a stored single-use link; only the hash of the token is kept.
type userToken struct {
	bun.BaseModel `bun:"table:user_tokens"`

	ID        uuid.UUID    `bun:"id,pk,type:uuid"`
	UserID    uuid.UUID    `bun:"user_id,type:uuid"`
	Purpose   Purpose      `bun:"purpose"`
	TokenHash []byte       `bun:"token_hash"`
	CreatedAt time.Time    `bun:"created_at"`
	ExpiresAt time.Time    `bun:"expires_at"`
	UsedAt    bun.NullTime `bun:"used_at"`
}

// IssueToken creates a single-use link token for a user and voids the earlier unused ones of the same
// purpose, so that only the newest link works.
func IssueToken(ctx context.Context, db bun.IDB, userID uuid.UUID, p Purpose, now time.Time) (string, error) {
	ttl := ResetTTL
	if p == PurposeInvite {
		ttl = InviteTTL
	}
	if _, err := db.NewUpdate().Model((*userToken)(nil)).Set("used_at = ?", now.UTC()).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL", userID, p).Exec(ctx); err != nil {
		return "", fmt.Errorf("accounts: void tokens: %w", err)
	}
	tok, hash := NewToken()
	t := &userToken{ID: uuid.Must(uuid.NewV7()), UserID: userID, Purpose: p, TokenHash: hash,
		CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(ttl)}
	if _, err := db.NewInsert().Model(t).Exec(ctx); err != nil {
		return "", fmt.Errorf("accounts: issue token: %w", err)
	}
	return tok, nil
}

// PeekToken returns the user of a valid, unused token without using it (to show the form).
func PeekToken(ctx context.Context, db bun.IDB, tok string, p Purpose, now time.Time) (*User, error) {
	t, err := findToken(ctx, db, tok, p, now, false)
	if err != nil {
		return nil, err
	}
	return UserByID(ctx, db, t.UserID)
}

// UseToken marks a valid token used and returns its user; run it in the transaction that acts on it.
// An unknown, expired, used or voided token is NotFound.
func UseToken(ctx context.Context, db bun.IDB, tok string, p Purpose, now time.Time) (*User, error) {
	t, err := findToken(ctx, db, tok, p, now, true)
	if err != nil {
		return nil, err
	}
	if _, err := db.NewUpdate().Model((*userToken)(nil)).Set("used_at = ?", now.UTC()).Where("id = ?", t.ID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("accounts: use token: %w", err)
	}
	return UserByID(ctx, db, t.UserID)
}

func findToken(ctx context.Context, db bun.IDB, tok string, p Purpose, now time.Time, lock bool) (*userToken, error) {
	if tok == "" || len(tok) > 100 {
		return nil, apperr.NotFoundf("token")
	}
	t := new(userToken)
	q := db.NewSelect().Model(t).Where("token_hash = ? AND purpose = ?", HashToken(tok), p)
	if lock {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, apperr.NotFoundf("token")
		}
		return nil, fmt.Errorf("accounts: find token: %w", err)
	}
	if !t.UsedAt.IsZero() || now.After(t.ExpiresAt) {
		return nil, apperr.NotFoundf("token")
	}
	return t, nil
}
