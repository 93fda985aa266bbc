package portal_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"maintenant/app/policy"
	"maintenant/app/testutil"
)

// contractRefs returns the references of a client's contracts that record a policy version.
func contractRefs(t *testing.T, app *testutil.App, client string) []string {
	t.Helper()
	var refs []string
	err := app.DB.Bun.NewRaw(`SELECT c.reference FROM contracts c JOIN clients cl ON cl.id = c.client_id
		JOIN contract_versions v ON v.contract_id = c.id AND v.no = c.current_version
		WHERE cl.name = ? AND c.status <> 'draft' AND v.policy_version_no IS NOT NULL ORDER BY 1`, client).Scan(context.Background(), &refs)
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

func TestPortalPolicyEachClientNoOtherContracts(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	boulangerie := contractRefs(t, app, "Boulangerie Martin")
	cabinet := contractRefs(t, app, "Cabinet Durand Avocats")
	if len(boulangerie) == 0 || len(cabinet) == 0 {
		t.Fatalf("demo contracts recording the policy: %v / %v", boulangerie, cabinet)
	}
	for _, c := range []struct {
		user        string
		own, others []string
	}{
		{testutil.BoulangerieUser, boulangerie, cabinet},
		{testutil.CabinetUser, cabinet, boulangerie},
	} {
		cl := app.LoginAs(t, c.user)
		for _, path := range []string{"/portal/policy", "/portal/policy/1"} {
			res := cl.Get(path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d", c.user, path, res.StatusCode)
			}
			body := res.Text(t)
			doc := res.Doc(t)
			if !strings.Contains(body, "Objet de la politique") || !strings.Contains(body, "Clément Garcia Carballa") {
				t.Errorf("%s %s: the policy is not shown", c.user, path)
			}
			if !strings.Contains(doc.Find("article").Text(), "15/01/2026") {
				t.Errorf("%s %s: no effective date", c.user, path)
			}
			for _, ref := range c.own {
				if !strings.Contains(body, ref) {
					t.Errorf("%s %s: own contract %s missing", c.user, path, ref)
				}
			}
			for _, ref := range c.others {
				if strings.Contains(body, ref) {
					t.Errorf("%s %s: shows another client's contract %s", c.user, path, ref)
				}
			}
		}
		res := cl.Get("/portal/policy/1.pdf")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(res.Body), "%PDF") {
			t.Fatalf("%s: PDF %d", c.user, res.StatusCode)
		}
		for _, path := range []string{"/portal/policy/2", "/portal/policy/2.pdf", "/portal/policy/abc"} {
			if res := cl.Get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", c.user, path, res.StatusCode)
			}
		}
	}

	// Staff do not use the portal's pages.
	if res := app.LoginAs(t, testutil.Manager).Get("/portal/policy"); res.StatusCode == http.StatusOK {
		t.Fatalf("manager on the portal: %d", res.StatusCode)
	}
}

func TestPortalPolicyUpcomingRevision(t *testing.T) {
	app := testutil.NewApp(t, testutil.Options{})
	ctx := context.Background()
	v1, err := policy.Get(ctx, app.DB.Bun, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := policy.Draft{Title: v1.Title, Sections: v1.Sections, ChangeSummary: "Signalement aussi depuis le portail."}
	pub := policy.Publication{ApproverName: "Clément Garcia Carballa", ApprovedOn: testutil.DefaultNow, EffectiveOn: testutil.DefaultNow.AddDate(0, 0, 9)}
	if _, err := policy.Publish(ctx, app.DB.Bun, uuid.Nil, d, pub, 0, uuid.Nil, testutil.DefaultNow); err != nil {
		t.Fatal(err)
	}
	res := app.LoginAs(t, testutil.CabinetUser).Get("/portal/policy")
	body := res.Text(t)
	// Version 1 stays in force until the revision's date, which is announced.
	if !strings.Contains(body, "version 2") || !strings.Contains(body, "01/12/2026") {
		t.Fatalf("the upcoming revision is not announced:\n%s", body)
	}
	if got := res.Doc(t).Find("article h2#policy-title").Parent().Text(); !strings.Contains(got, "Version 1") {
		t.Fatalf("the version shown is not the one in force: %q", got)
	}
}
