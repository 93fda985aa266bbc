// Package audit writes the append-only log of security events and of every change to contracts,
// quotes, invoices, payments and the register: who, what, when, from where.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Actor is who did something, and from where.
type Actor struct {
	UserID    uuid.UUID
	Label     string
	IP        string
	UserAgent string
}

// Entry is one line of the audit log.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID         uuid.UUID      `bun:"id,pk,type:uuid"`
	At         time.Time      `bun:"at"`
	ActorID    uuid.NullUUID  `bun:"actor_id,type:uuid"`
	ActorLabel string         `bun:"actor_label"`
	Action     string         `bun:"action"`
	TargetType string         `bun:"target_type"`
	TargetID   string         `bun:"target_id"`
	ClientID   uuid.NullUUID  `bun:"client_id,type:uuid"`
	IP         string         `bun:"ip"`
	UserAgent  string         `bun:"user_agent"`
	Details    map[string]any `bun:"details,type:jsonb"`
}

// Event names a thing that happened to a target; Details are small facts worth keeping.
type Event struct {
	Action     string
	TargetType string
	TargetID   string
	ClientID   uuid.UUID
	Details    map[string]any
}

// Security and account actions.
const (
	LoginOK        = "login.ok"
	LoginFailed    = "login.failed"
	LoginLimited   = "login.rate_limited"
	Logout         = "logout"
	PasswordReset  = "password.reset"
	PasswordChange = "password.change"
	ResetRequested = "password.reset_requested"
	InviteSent     = "invite.sent"
	InviteAccepted = "invite.accepted"
	RoleChanged    = "user.role_changed"
	AccessDenied   = "access.denied"
	TOTPEnabled    = "totp.enabled"
	TOTPDisabled   = "totp.disabled"
	SettingsChange = "settings.changed"
	UserCreated    = "user.created"
)

// KnownActions lists the actions the log filter offers, by area.
var KnownActions = join(
	[]string{
		LoginOK, LoginFailed, LoginLimited, Logout, PasswordReset, PasswordChange, ResetRequested,
		InviteSent, InviteAccepted, RoleChanged, AccessDenied, TOTPEnabled, TOTPDisabled, SettingsChange, UserCreated,
	},
	[]string{ClientCreated, ClientUpdated, ClientArchived, ClientUnarchived, ContactDeactivated, ContactReactivated},
	SLAPolicyActions,
	ContractActions,
	TicketActions,
	InterventionActions,
	QuoteActions,
	InvoiceActions,
	SchedulingActions,
	PolicyActions,
	KitActions,
	InboundActions,
)

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Write appends one entry; run it in the transaction of the change it records.
func Write(ctx context.Context, db bun.IDB, now time.Time, actor Actor, ev Event) error {
	e := &Entry{
		ID:         uuid.Must(uuid.NewV7()),
		At:         now.UTC(),
		ActorLabel: actor.Label,
		Action:     ev.Action,
		TargetType: ev.TargetType,
		TargetID:   ev.TargetID,
		IP:         actor.IP,
		UserAgent:  truncate(actor.UserAgent, 300),
		Details:    ev.Details,
	}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	if actor.UserID != uuid.Nil {
		e.ActorID = uuid.NullUUID{UUID: actor.UserID, Valid: true}
	}
	if ev.ClientID != uuid.Nil {
		e.ClientID = uuid.NullUUID{UUID: ev.ClientID, Valid: true}
	}
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("audit: write %s: %w", ev.Action, err)
	}
	return nil
}

// Filter narrows a page of the log.
type Filter struct {
	Action string
	// Before is the keyset cursor: entries strictly older than (At, ID).
	BeforeAt time.Time
	BeforeID uuid.UUID
	Limit    int
}

// List returns a page of entries, newest first, and whether more follow.
func List(ctx context.Context, db bun.IDB, f Filter) ([]Entry, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []Entry
	q := db.NewSelect().Model(&out).OrderExpr("at DESC, id DESC").Limit(int64(f.Limit + 1))
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.BeforeAt.IsZero() {
		q = q.Where("(at, id) < (?, ?)", f.BeforeAt, f.BeforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("audit: list: %w", err)
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}

// DetailsJSON renders the details for display.
func (e Entry) DetailsJSON() string {
	if len(e.Details) == 0 {
		return ""
	}
	b, _ := json.Marshal(e.Details)
	return string(b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
