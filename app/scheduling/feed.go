package scheduling

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
	"maintenant/app/database"
	"maintenant/app/interventions"
)

// Feed is a technician's personal calendar feed: the token is only kept hashed.
type Feed struct {
	bun.BaseModel `bun:"table:calendar_feeds,alias:cf"`

	UserID    uuid.UUID `bun:"user_id,pk,type:uuid"`
	TokenHash []byte    `bun:"token_hash"`
	CreatedAt time.Time `bun:"created_at"`
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// GetFeed returns the staff user's feed, or nil when there is none.
func GetFeed(ctx context.Context, db bun.IDB, userID uuid.UUID) (*Feed, error) {
	f := new(Feed)
	if err := db.NewSelect().Model(f).Where("user_id = ?", userID).Scan(ctx); err != nil {
		if database.NoRows(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("scheduling: feed: %w", err)
	}
	return f, nil
}

// RenewFeed gives the user a new secret token (the old one stops working) and returns it; it is
// shown once.
func RenewFeed(ctx context.Context, db bun.IDB, userID uuid.UUID, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("scheduling: feed token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	f := &Feed{UserID: userID, TokenHash: hashToken(token), CreatedAt: now.UTC().Truncate(time.Microsecond)}
	if _, err := db.NewInsert().Model(f).On("CONFLICT (user_id) DO UPDATE").
		Set("token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at").Exec(ctx); err != nil {
		return "", fmt.Errorf("scheduling: renew feed: %w", err)
	}
	return token, nil
}

// RevokeFeed deletes the user's feed: its address answers 404 from then on.
func RevokeFeed(ctx context.Context, db bun.IDB, userID uuid.UUID) error {
	if _, err := db.NewDelete().Model((*Feed)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("scheduling: revoke feed: %w", err)
	}
	return nil
}

// FeedOwner returns the active staff user whose feed has this token: NotFound for a wrong or
// revoked token, or a user no longer active.
func FeedOwner(ctx context.Context, db bun.IDB, token string) (uuid.UUID, string, error) {
	var row struct {
		ID   uuid.UUID `bun:"id,type:uuid"`
		Name string    `bun:"name"`
	}
	if len(token) < 20 || len(token) > 100 {
		return uuid.Nil, "", apperr.NotFoundf("feed")
	}
	err := db.NewSelect().TableExpr("calendar_feeds AS cf").ColumnExpr("u.id, u.name").
		Join("JOIN users AS u ON u.id = cf.user_id").
		Where("cf.token_hash = ? AND u.active AND u.kind = 'staff'", hashToken(token)).Scan(ctx, &row)
	if err != nil {
		if database.NoRows(err) {
			return uuid.Nil, "", apperr.NotFoundf("feed")
		}
		return uuid.Nil, "", fmt.Errorf("scheduling: feed owner: %w", err)
	}
	return row.ID, row.Name, nil
}

// FeedEntries are the technician's interventions from 30 days ago to a year ahead, cancelled ones
// included (calendar apps then drop them).
func FeedEntries(ctx context.Context, db bun.IDB, userID uuid.UUID, now time.Time) ([]*Entry, error) {
	return List(ctx, db, Filter{From: now.AddDate(0, 0, -30), To: now.AddDate(1, 0, 0), TechnicianID: userID, WithCancelled: true, Limit: 2000})
}

// WriteICS writes the entries as an RFC 5545 calendar: one VEVENT per intervention (UID stable
// across versions, SEQUENCE its version, STATUS CANCELLED for cancelled ones), times in UTC, lines
// folded at 75 octets. link gives each event's URL.
func WriteICS(w *strings.Builder, name string, entries []*Entry, now time.Time, link func(*Entry) string) {
	line := func(s string) {
		for len(s) > 75 {
			cut := 75
			for cut > 0 && !utf8Start(s[cut]) {
				cut--
			}
			w.WriteString(s[:cut] + "\r\n")
			s = " " + s[cut:]
		}
		w.WriteString(s + "\r\n")
	}
	stamp := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Maintenant//Planning//FR")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(name))
	for _, e := range entries {
		line("BEGIN:VEVENT")
		line("UID:" + e.ID.String() + "@maintenant")
		line("DTSTAMP:" + stamp(now))
		line("DTSTART:" + stamp(e.ScheduledAt))
		line("DTEND:" + stamp(e.End()))
		line(fmt.Sprintf("SEQUENCE:%d", e.Version))
		line("SUMMARY:" + escapeText(e.Reference()+" "+e.Title+" — "+e.ClientName))
		desc := e.ClientName
		if e.ContractReference != "" {
			desc += " (" + e.ContractReference + ")"
		}
		if e.Summary != "" {
			desc += "\n" + e.Summary
		}
		line("DESCRIPTION:" + escapeText(desc))
		line("URL:" + link(e))
		switch e.Status {
		case interventions.StatusCancelled:
			line("STATUS:CANCELLED")
		default:
			line("STATUS:CONFIRMED")
		}
		line("CATEGORIES:" + escapeText(string(e.Kind)))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// escapeText escapes a TEXT value (RFC 5545 §3.3.11).
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`).Replace(s)
}
