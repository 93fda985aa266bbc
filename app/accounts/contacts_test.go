package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/clients"
	"maintenant/app/testutil"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func TestContacts(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()
	mine, other := &clients.Client{Name: "Mine"}, &clients.Client{Name: "Other"}
	for _, c := range []*clients.Client{mine, other} {
		if err := clients.Create(ctx, db.Bun, c, now); err != nil {
			t.Fatal(err)
		}
	}
	add := func(c *clients.Client, name, email string) *accounts.User {
		u := &accounts.User{Kind: accounts.Client, Email: email, Name: name, Role: accounts.Member,
			ClientID: uuid.NullUUID{UUID: c.ID, Valid: true}, Active: true, Language: "fr"}
		if err := accounts.CreateUser(ctx, db.Bun, u, now); err != nil {
			t.Fatal(err)
		}
		return u
	}
	zoe := add(mine, "zoé Petit", "zoe@mine.test")
	ana := add(mine, "Ana Blanc", "ana@mine.test")
	bob := add(other, "Bob Noir", "bob@other.test")

	list, err := accounts.ListClientUsers(ctx, db.Bun, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != ana.ID || list[1].ID != zoe.ID {
		t.Fatalf("list: %+v", list)
	}

	// Another client's user is not found, for every function.
	if _, err := accounts.ClientUser(ctx, db.Bun, mine.ID, bob.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("ClientUser of another client: %v", err)
	}
	if _, err := accounts.UpdateContact(ctx, db.Bun, mine.ID, bob.ID, accounts.Admin, true, 1, now); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("UpdateContact of another client: %v", err)
	}
	if err := accounts.SetActive(ctx, db.Bun, mine.ID, bob.ID, false, now); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("SetActive of another client: %v", err)
	}
	if b, _ := accounts.UserByID(ctx, db.Bun, bob.ID); b.Role != accounts.Member || !b.Active || b.Version != 1 {
		t.Errorf("another client's user changed: %+v", b)
	}

	// Role and right change; a second save at the old version is stale.
	got, err := accounts.UpdateContact(ctx, db.Bun, mine.ID, ana.ID, accounts.Admin, true, 1, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Role != accounts.Admin || !got.CanApproveAndPay || got.Version != 2 {
		t.Errorf("after update: %+v", got)
	}
	_, err = accounts.UpdateContact(ctx, db.Bun, mine.ID, ana.ID, accounts.Member, false, 1, now)
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict || e.Message != "error.stale" {
		t.Errorf("stale update: %v", err)
	}
	if _, err := accounts.UpdateContact(ctx, db.Bun, mine.ID, ana.ID, accounts.Manager, false, 2, now); apperr.FieldsOf(err)["role"] != "error.role_invalid" {
		t.Errorf("staff role for a contact: %v", err)
	}

	// Deactivating ends the user's sessions; reactivating lets them in again.
	if _, err := accounts.StartSession(ctx, db.Bun, zoe, true, time.Hour, "", "", now); err != nil {
		t.Fatal(err)
	}
	if err := accounts.SetActive(ctx, db.Bun, mine.ID, zoe.ID, false, now); err != nil {
		t.Fatal(err)
	}
	var sessions int
	if err := db.Bun.NewRaw("SELECT count(*) FROM sessions WHERE user_id = ?", zoe.ID).Scan(ctx, &sessions); err != nil || sessions != 0 {
		t.Errorf("sessions after deactivation: %d %v", sessions, err)
	}
	if z, _ := accounts.UserByID(ctx, db.Bun, zoe.ID); z.Active {
		t.Error("still active")
	}
	if err := accounts.SetActive(ctx, db.Bun, mine.ID, zoe.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if z, _ := accounts.UserByID(ctx, db.Bun, zoe.ID); !z.Active {
		t.Error("not reactivated")
	}
}
