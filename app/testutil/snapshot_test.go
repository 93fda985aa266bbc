package testutil

import (
	"context"
	"testing"
)

// The demo data copied back from the snapshot is the data the seed writes: the same rows in every
// table, and logging in works on the copy.
func TestDemoSnapshotMatchesSeed(t *testing.T) {
	ctx := context.Background()
	counts := func(a *App) map[string]int {
		var rows []struct {
			Name string `bun:"name"`
			N    int    `bun:"n"`
		}
		if err := a.DB.Bun.NewRaw(`SELECT tablename AS name,
			(xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM public.' || quote_ident(tablename), false, true, '')))[1]::text::int AS n
			FROM pg_tables WHERE schemaname = 'public'`).Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, r := range rows {
			m[r.Name] = r.N
		}
		return m
	}
	first := NewApp(t, Options{}) // written by the seed (or copied back, if an earlier test seeded)
	want := counts(first)
	if want["users"] == 0 || want["invoices"] == 0 {
		t.Fatalf("demo data missing: %v", want)
	}
	second := NewApp(t, Options{})
	got := counts(second)
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s: %d rows after the copy, want %d", name, got[name], n)
		}
	}
	var super bool
	if err := second.DB.Bun.NewRaw("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(ctx, &super); err != nil {
		t.Fatal(err)
	}
	if super && snapErr != nil {
		t.Errorf("the demo data snapshot was given up: %v", snapErr)
	}
	c := second.LoginAs(t, BoulangerieUser)
	if r := c.Get("/portal"); r.StatusCode != 200 {
		t.Fatalf("portal after the copy: %d", r.StatusCode)
	}
}
