package policy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/policy"
	"maintenant/app/testutil"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func draft(purpose string) policy.Draft {
	return policy.Draft{Title: "Politique de maintenance", Sections: map[policy.Section]string{
		policy.SectionPurpose: purpose, policy.SectionScope: "Tous les services maintenus.",
	}}
}

func TestRenderSanitises(t *testing.T) {
	cases := []struct {
		name, src string
		absent    []string
		present   []string
	}{
		{"script tag", "Bonjour <script>alert(1)</script> **gras**", []string{"<script", "alert(1)</script"}, []string{"<strong>gras</strong>"}},
		{"htmx attributes", `<div hx-get="/admin/settings" hx-trigger="load">x</div>` + "\n\n" + `<a href="/x" hx-post="/logout">lien</a>`,
			[]string{"hx-get", "hx-trigger", "hx-post", "<div"}, nil},
		{"javascript link", "[cliquez](javascript:alert(1)) et [site](https://example.org)",
			[]string{"javascript:"}, []string{`href="https://example.org"`, `rel="nofollow noreferrer"`}},
		{"event handler", `<img src=x onerror="alert(1)">` + "\n\n*ok*", []string{"onerror", "<img"}, []string{"<em>ok</em>"}},
		{"lists and headings", "# Titre\n\n- un\n- deux", []string{"<h1>"}, []string{"<h3>Titre</h3>", "<li>un</li>"}},
		{"data url", "[x](data:text/html;base64,PHNjcmlwdD4=)", []string{"data:"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := string(policy.Render(c.src))
			for _, a := range c.absent {
				if strings.Contains(strings.ToLower(got), strings.ToLower(a)) {
					t.Errorf("Render(%q) = %q, must not contain %q", c.src, got, a)
				}
			}
			for _, p := range c.present {
				if !strings.Contains(got, p) {
					t.Errorf("Render(%q) = %q, want %q", c.src, got, p)
				}
			}
		})
	}
}

func TestBlocks(t *testing.T) {
	got := policy.Blocks("Intro **gras** et [lien](https://x.test).\n\n## Sous-titre\n\n- un\n- deux <b>x</b>")
	want := []policy.Block{{"paragraph", "Intro gras et lien."}, {"heading", "Sous-titre"}, {"item", "un"}, {"item", "deux x"}}
	if len(got) != len(want) {
		t.Fatalf("Blocks = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPublishAndRevise(t *testing.T) {
	db := testutil.DB(t)
	ctx := context.Background()

	// Bad input: nothing saved.
	for _, c := range []struct {
		name  string
		d     policy.Draft
		pub   policy.Publication
		field string
	}{
		{"empty policy", policy.Draft{Title: "Politique"}, policy.Publication{ApproverName: "C. Garcia", ApprovedOn: day("2026-11-20"), EffectiveOn: day("2026-12-01")}, "sections"},
		{"no effective date", draft("Objet."), policy.Publication{ApproverName: "C. Garcia", ApprovedOn: day("2026-11-20")}, "effective_on"},
		{"no approver", draft("Objet."), policy.Publication{ApprovedOn: day("2026-11-20"), EffectiveOn: day("2026-12-01")}, "approver_name"},
		{"effective before approval", draft("Objet."), policy.Publication{ApproverName: "C. Garcia", ApprovedOn: day("2026-11-20"), EffectiveOn: day("2026-11-01")}, "effective_on"},
	} {
		_, err := policy.Publish(ctx, db.Bun, uuid.Nil, c.d, c.pub, 0, uuid.Nil, now)
		if apperr.KindOf(err) != apperr.Invalid || apperr.FieldsOf(err)[c.field] == "" {
			t.Errorf("%s: err = %v, want a problem on %s", c.name, err, c.field)
		}
	}
	if vs, _ := policy.List(ctx, db.Bun); len(vs) != 0 {
		t.Fatalf("refused publications saved %d versions", len(vs))
	}

	v1, err := policy.Publish(ctx, db.Bun, uuid.Nil, draft("Définir les procédures."),
		policy.Publication{ApproverName: "Clément Garcia Carballa", ApprovedOn: day("2026-01-05"), EffectiveOn: day("2026-01-15")}, 0, uuid.Nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if v1.No != 1 || !v1.Published() {
		t.Fatalf("first version = %d %s", v1.No, v1.Status)
	}

	// A published version is never edited: saving over it is a conflict, and the database refuses too.
	if _, err := policy.SaveDraft(ctx, db.Bun, v1.ID, draft("Changé."), v1.Version, uuid.Nil, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("saving over a published version: %v, want Conflict", err)
	}
	if _, err := db.Bun.ExecContext(ctx, "UPDATE policy_versions SET title = 'x' WHERE no = 1"); err == nil {
		t.Fatal("the database let a published version change")
	}
	if _, err := db.Bun.ExecContext(ctx, "DELETE FROM policy_versions WHERE no = 1"); err == nil {
		t.Fatal("the database let a published version be deleted")
	}

	// A revision: a draft, then published with what changed and why.
	d, err := policy.SaveDraft(ctx, db.Bun, uuid.Nil, draft("Définir les procédures et les délais."), 0, uuid.Nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := policy.SaveDraft(ctx, db.Bun, uuid.Nil, draft("Un autre brouillon."), 0, uuid.Nil, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("a second draft: %v, want Conflict", err)
	}
	if _, err := policy.SaveDraft(ctx, db.Bun, d.ID, draft("Périmé."), d.Version-1, uuid.Nil, now); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("a stale save: %v, want Conflict", err)
	}
	pub := policy.Publication{ApproverName: "Clément Garcia Carballa", ApprovedOn: day("2026-11-20"), EffectiveOn: day("2026-12-01")}
	if _, err := policy.Publish(ctx, db.Bun, d.ID, draft("Définir les procédures et les délais."), pub, d.Version, uuid.Nil, now); apperr.FieldsOf(err)["change_summary"] == "" {
		t.Fatalf("a revision without what changed: %v", err)
	}
	early := pub
	early.ApprovedOn, early.EffectiveOn = day("2026-01-01"), day("2026-01-10")
	rev := draft("Définir les procédures et les délais.")
	rev.ChangeSummary = "Délais ajoutés à la demande des clients."
	if _, err := policy.Publish(ctx, db.Bun, d.ID, rev, early, d.Version, uuid.Nil, now); apperr.FieldsOf(err)["effective_on"] != policy.ErrEffectiveDate {
		t.Fatalf("a revision effective before the previous one: %v", err)
	}
	v2, err := policy.Publish(ctx, db.Bun, d.ID, rev, pub, d.Version, uuid.Nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if v2.No != 2 || v2.ID != d.ID {
		t.Fatalf("revision = no %d id %s, want 2 and the draft's id", v2.No, v2.ID)
	}
	if _, err := policy.GetDraft(ctx, db.Bun); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("a draft remains after publication: %v", err)
	}

	// In force: the first until the revision's effective date, then the revision.
	for _, c := range []struct {
		on   string
		want int
	}{{"2026-01-14", 0}, {"2026-01-15", 1}, {"2026-11-30", 1}, {"2026-12-01", 2}} {
		got, err := policy.InForceNo(ctx, db.Bun, day(c.on))
		if err != nil || got != c.want {
			t.Errorf("in force on %s = %d (%v), want %d", c.on, got, err, c.want)
		}
	}
	up, err := policy.Upcoming(ctx, db.Bun, day("2026-11-22"))
	if err != nil || len(up) != 1 || up[0].No != 2 {
		t.Fatalf("upcoming = %v (%v)", up, err)
	}

	// Notification: once, and superseded versions are never announced late.
	if _, err := policy.DueNotification(ctx, db.Bun, day("2026-12-01")); err != nil {
		t.Fatalf("due notification: %v", err)
	}
	if ok, err := policy.MarkNotified(ctx, db.Bun, 2, now); !ok || err != nil {
		t.Fatalf("mark notified = %v, %v", ok, err)
	}
	if ok, _ := policy.MarkNotified(ctx, db.Bun, 2, now); ok {
		t.Fatal("marked twice")
	}
	v1again, _ := policy.Get(ctx, db.Bun, 1)
	if v1again.NotifiedAt.IsZero() {
		t.Fatal("the superseded version 1 is still to announce")
	}
	if _, err := policy.DueNotification(ctx, db.Bun, day("2026-12-02")); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("due notification after marking: %v", err)
	}
}
