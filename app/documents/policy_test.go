package documents_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/documents"
	"maintenant/app/i18n"
	"maintenant/app/policy"
	"maintenant/app/provider"
)

// TestPolicyDocument renders a published revision: its sections in order with their Markdown read as
// text (no markup, no raw HTML), bullets, and the approval block with what changed.
func TestPolicyDocument(t *testing.T) {
	tr, _ := translator(t, i18n.FR)
	day := func(s string) bun.NullTime { d, _ := time.Parse(time.DateOnly, s); return bun.NullTime{Time: d} }
	v := &policy.Version{ID: uuid.Must(uuid.NewV7()), No: 2, Status: policy.StatusPublished, Title: "Politique de maintenance",
		Sections: map[policy.Section]string{
			policy.SectionPurpose:     "Définir les **procédures** et les responsabilités. <script>alert(1)</script>",
			policy.SectionDefinitions: "- **Maintenance préventive** : entretien planifié.\n- **Maintenance corrective** : réparations.",
		},
		ChangeSummary: "Délais précisés à la demande des clients.", ApproverName: "Clément Garcia Carballa",
		ApprovedOn: day("2026-11-20"), EffectiveOn: day("2026-12-01"), PublishedAt: day("2026-11-22")}
	b, err := documents.Policy(documents.PolicyData{Version: v, Provider: &provider.Organisation{Name: "AsevoDigital", SIREN: "123456789"}}, tr)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, writePDF(t, b))
	for _, want := range []string{"Politique de maintenance", "Version 2", "Objet de la politique", "Définir les procédures et les responsabilités.",
		"Définitions", "• Maintenance préventive : entretien planifié.", "Approuvée par Clément Garcia Carballa",
		"En vigueur à partir du 01/12/2026", "Délais précisés à la demande des clients."} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF has no %q in\n%s", want, text)
		}
	}
	for _, bad := range []string{"**", "<script", "alert(1)", "Portée"} {
		if strings.Contains(text, bad) {
			t.Errorf("PDF shows %q", bad)
		}
	}
	if _, err := documents.Policy(documents.PolicyData{Version: &policy.Version{Status: policy.StatusDraft}, Provider: &provider.Organisation{}}, tr); err == nil {
		t.Error("a draft was rendered as the policy")
	}
}
