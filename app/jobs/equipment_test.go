package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"maintenant/app/accounts"
	"maintenant/app/clients"
	"maintenant/app/equipment"
	"maintenant/app/i18n"
	"maintenant/app/jobs"
	"maintenant/app/mail"
	"maintenant/app/testutil"
)

// TestEquipmentExpiries runs the daily expiry job on 22/11/2026 with the default lead times (90, 30
// and 7 days): a warranty ending on 12/12 is announced once at 30 days (the 90-day reminder is
// recorded silently), a licence expiring on 01/04/2027 is not due yet, a retired item and a past
// warranty are ignored; a second run sends nothing; on 05/12 the 7-day reminder goes out.
func TestEquipmentExpiries(t *testing.T) {
	ctx := context.Background()
	db := testutil.DB(t)
	at := time.Date(2026, 11, 22, 7, 0, 0, 0, paris)
	clock := testutil.NewClock(at)
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := mailViews(cat)
	if err != nil {
		t.Fatal(err)
	}
	w := &jobs.EquipmentExpiriesWorker{DB: db, Now: clock.Now, Location: paris, Composer: &mail.Composer{Views: set, Catalogue: cat},
		Outbox: &mail.Outbox{}, BaseURL: "http://maintenant.test", Logger: quiet}
	cl := &clients.Client{Name: "Cabinet Durand Avocats"}
	if err := clients.Create(ctx, db.Bun, cl, at); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*accounts.User{
		{Kind: accounts.Staff, Role: accounts.Manager, Email: "sophie@asevo.test", Name: "Sophie", Active: true, Language: "fr"},
		{Kind: accounts.Staff, Role: accounts.Technician, Email: "karim@asevo.test", Name: "Karim", Active: true, Language: "fr"},
	} {
		if err := accounts.CreateUser(ctx, db.Bun, u, at); err != nil {
			t.Fatal(err)
		}
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, in := range []equipment.Input{
		{Kind: equipment.KindWorkstation, Name: "2023-12-12", Make: "Dell", Model: "OptiPlex", WarrantyEndsOn: day("2026-12-12")},
		{Kind: equipment.KindLicence, Name: "Microsoft 365", Seats: 6, LicenceExpiresOn: day("2027-04-01")},
		{Kind: equipment.KindServer, Name: "Ancien serveur", Status: equipment.StatusRetired, WarrantyEndsOn: day("2026-11-30")},
		{Kind: equipment.KindPrinter, Name: "Imprimante", WarrantyEndsOn: day("2026-11-01")},
	} {
		in.ClientID = cl.ID
		if _, err := equipment.Create(ctx, db.Bun, in, at); err != nil {
			t.Fatal(err)
		}
	}
	subjects := func() []string {
		var s []string
		if err := db.Bun.NewRaw("SELECT subject FROM outbox_messages WHERE kind = 'equipment_expiry' ORDER BY created_at, subject").Scan(ctx, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	run, err := w.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if run.Reminders != 1 || run.Mails != 1 {
		t.Fatalf("first run %+v", run)
	}
	got := subjects()
	if len(got) != 1 || !strings.Contains(got[0], "Fin de garantie le 12/12/2026") || !strings.Contains(got[0], "Cabinet Durand Avocats") {
		t.Fatalf("mails %q", got)
	}
	if run, err := w.Run(ctx); err != nil || run.Mails != 0 {
		t.Fatalf("second run %+v %v", run, err)
	}
	var recorded int
	if err := db.Bun.NewRaw("SELECT count(*) FROM equipment_reminders").Scan(ctx, &recorded); err != nil || recorded != 2 {
		t.Fatalf("%d reminders recorded (90 silently and 30), %v", recorded, err)
	}
	clock.Advance(13 * 24 * time.Hour) // 05/12, a week before
	if run, err := w.Run(ctx); err != nil || run.Mails != 1 {
		t.Fatalf("on 05/12 %+v %v", run, err)
	}
}
