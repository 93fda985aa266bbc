package documents

import (
	"fmt"

	"maintenant/app/policy"
	"maintenant/app/provider"
)

// PolicyData is what the maintenance policy document shows.
type PolicyData struct {
	Version  *policy.Version
	Provider *provider.Organisation
}

// Policy renders a published version of the provider's maintenance policy: its sections in order
// (Markdown written as headings, paragraphs and bullets), then the approval block (approver,
// approval date, effective date) and, for a revision, what changed and why.
func Policy(d PolicyData, t Translate) ([]byte, error) {
	v := d.Version
	if v == nil || !v.Published() {
		return nil, fmt.Errorf("documents: policy: not a published version")
	}
	w := &contractWriter{t: t, data: ContractData{Provider: d.Provider}}
	doc := New(Meta{
		Title: t("policy.document.title"), Reference: t("policy.version_label", "No", v.No), Date: v.EffectiveOn.Time,
		DateLabel: t("policy.document.effective_label"), Provider: providerParty(d.Provider), Footer: w.footer(),
		PageLabel: t("documents.page"), SIRENLabel: t("documents.siren"), VATLabel: t("documents.vat"),
	})
	w.doc = doc
	pdf := doc.pdf
	pdf.SetSubject(v.Title, true)
	pdf.SetFont("dejavu", "B", 15)
	pdf.MultiCell(bodyWidth, 7, v.Title, "", "L", false)
	w.note(t("policy.document.subtitle", "No", v.No, "Date", date(v.EffectiveOn.Time)))
	pdf.Ln(2)

	for _, s := range policy.Sections() {
		if v.Sections[s] == "" {
			continue
		}
		w.article(t(s.Label()))
		var items []string
		flush := func() {
			if len(items) > 0 {
				w.bullets(items)
				items = nil
			}
		}
		for _, b := range policy.Blocks(v.Sections[s]) {
			switch b.Kind {
			case "item":
				items = append(items, b.Text)
			case "heading":
				flush()
				w.subheading(b.Text)
			default:
				flush()
				doc.Paragraph(b.Text)
			}
		}
		flush()
	}

	doc.Heading(t("policy.document.approval"))
	rows := [][2]string{
		{t("policy.field.approver_name"), v.ApproverName},
		{t("policy.field.approved_on"), date(v.ApprovedOn.Time)},
		{t("policy.field.effective_on"), date(v.EffectiveOn.Time)},
	}
	if v.ChangeSummary != "" {
		rows = append(rows, [2]string{t("policy.field.change_summary"), v.ChangeSummary})
	}
	doc.KeyValues(rows)
	return doc.Bytes()
}
