package audit_test

import (
	"testing"

	"maintenant/app/audit"
	"maintenant/app/i18n"
)

// TestKnownActionsHaveLabels keeps the audit filter readable: every action has a label in both
// languages.
func TestKnownActionsHaveLabels(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range audit.KnownActions {
		if seen[a] {
			t.Errorf("%s listed twice", a)
		}
		seen[a] = true
		for _, l := range i18n.Langs {
			if !cat.Has(l, "audit.action."+a) {
				t.Errorf("no %s label for audit action %s", l, a)
			}
		}
	}
}
