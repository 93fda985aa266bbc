package documents

import (
	"fmt"
	"time"

	"maintenant/app/clients"
	"maintenant/app/equipment"
	"maintenant/app/i18n"
	"maintenant/app/provider"
)

// IntakeData is what a workshop intake receipt prints.
type IntakeData struct {
	// Intake is the stay with its loans (equipment.GetIntake).
	Intake   *equipment.Intake
	Provider *provider.Organisation
	Client   *clients.Client
	Lang     i18n.Lang
	// Location is the provider's time zone, for the instants (nil: UTC).
	Location *time.Location
}

// Intake renders the receipt of a machine left at the workshop: what was left, by whom and when,
// why, its condition and accessories, the label it wears, the backup before any work (or the
// client's refusal), the loan device lent meanwhile and, once the stay is closed, the return (to
// whom, when, accessories handed back). It is given at check-in and completed at return.
func Intake(d IntakeData, t Translate) ([]byte, error) {
	i := d.Intake
	if i == nil {
		return nil, fmt.Errorf("documents: intake: no intake")
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	at := func(v time.Time) string {
		if v.IsZero() {
			return ""
		}
		return i18n.DateTime(d.Lang, v.In(loc))
	}
	issued := i.BroughtAt
	if !i.Open() {
		issued = i.ReturnedAt
	}
	doc := New(Meta{
		Title: t("documents.intake.title"), Reference: i.Reference(), Date: issued.In(loc),
		DateLabel: t("documents.issued_on"), Provider: providerParty(d.Provider), Footer: legalFooter(d.Provider, t),
		PageLabel: t("documents.page"), SIRENLabel: t("documents.siren"), VATLabel: t("documents.vat"),
	})
	pdf := doc.pdf
	pdf.SetSubject(t("documents.intake.title")+" "+i.Reference()+" · "+i.EquipmentName, true)
	pdf.SetFont("dejavu", "B", 15)
	pdf.MultiCell(bodyWidth, 7, t("documents.intake.heading", "Name", i.EquipmentName), "", "L", false)
	pdf.SetFont("dejavu", "", 9)
	pdf.SetTextColor(71, 85, 105)
	status := t("documents.intake.in_workshop")
	if !i.Open() {
		status = t("documents.intake.closed")
	}
	pdf.MultiCell(bodyWidth, 4.5, status, "", "L", false)
	pdf.SetTextColor(15, 23, 42)
	pdf.Ln(3)
	doc.Parties(t("documents.contract.provider_role"), providerParty(d.Provider), t("documents.contract.client_role"), clientParty(d.Client))

	none := t("documents.intake.none")
	or := func(s string) string {
		if s == "" {
			return none
		}
		return s
	}
	doc.Heading(t("documents.intake.machine"))
	machine := [][2]string{{t("documents.intake.name"), i.EquipmentName}, {t("documents.intake.kind"), t(i.EquipmentKind.Label())}}
	if i.EquipmentMakeModel != "" {
		machine = append(machine, [2]string{t("documents.intake.make_model"), i.EquipmentMakeModel})
	}
	if i.EquipmentSerial != "" {
		machine = append(machine, [2]string{t("documents.intake.serial"), i.EquipmentSerial})
	}
	machine = append(machine, [2]string{t("documents.intake.label"), or(i.Label)})
	doc.KeyValues(machine)

	doc.Heading(t("documents.intake.checkin"))
	doc.KeyValues([][2]string{
		{t("documents.intake.brought_by"), i.BroughtBy},
		{t("documents.intake.brought_at"), at(i.BroughtAt)},
		{t("documents.intake.received_by"), or(i.CheckedInByName)},
		{t("documents.intake.reason"), i.Reason},
		{t("documents.intake.condition"), or(i.Condition)},
		{t("documents.intake.accessories"), or(i.Accessories)},
		{t("documents.intake.sheet"), fmt.Sprintf("I-%04d", i.InterventionNumber)},
	})

	doc.Heading(t("documents.intake.backup"))
	switch i.BackupState {
	case equipment.BackupDone:
		doc.Paragraph(t("documents.intake.backup_done", "Where", i.BackupLocation, "Who", i.BackupByName, "When", at(i.BackupAt)))
	case equipment.BackupRefused:
		doc.Paragraph(t("documents.intake.backup_refused", "Who", i.RefusedBy, "How", i.RefusedHow, "When", at(i.RefusedAt)))
	default:
		doc.Paragraph(t("documents.intake.backup_pending"))
	}

	doc.Heading(t("documents.intake.loans"))
	if len(i.Loans) == 0 {
		doc.Paragraph(t("documents.intake.no_loan"))
	} else {
		var rows [][]string
		for _, l := range i.Loans {
			back := t("documents.intake.loan_out")
			if !l.Out() {
				back = at(l.ReturnedAt)
			}
			rows = append(rows, []string{l.EquipmentName + " " + l.EquipmentMakeModel, at(l.LentAt), back})
		}
		doc.Table([]string{t("documents.intake.loan_device"), t("documents.intake.lent_at"), t("documents.intake.given_back")},
			[]float64{0.5, 0.25, 0.25}, []string{"L", "L", "L"}, rows)
	}

	doc.Heading(t("documents.intake.return"))
	switch {
	case i.Open():
		doc.Paragraph(t("documents.intake.return_pending"))
	case i.KeptInStock:
		doc.Paragraph(t("documents.intake.kept_in_stock", "When", at(i.ReturnedAt)))
	default:
		rows := [][2]string{{t("documents.intake.returned_to"), i.ReturnedTo}, {t("documents.intake.returned_at"), at(i.ReturnedAt)},
			{t("documents.intake.returned_by"), or(i.ReturnedByName)}}
		if i.Accessories != "" {
			back := t("documents.intake.accessories_not_back")
			if i.AccessoriesBack {
				back = t("documents.intake.accessories_back")
			}
			rows = append(rows, [2]string{t("documents.intake.accessories"), back})
		}
		doc.KeyValues(rows)
	}
	if i.ReturnNotes != "" {
		doc.Paragraph(i.ReturnNotes)
	}
	if i.Open() {
		doc.Signatures(t("documents.intake.sign_checkin"), t("documents.intake.sign_client"), t("documents.intake.sign_provider"))
	} else {
		doc.Signatures(t("documents.intake.sign_return"), t("documents.intake.sign_client"), t("documents.intake.sign_provider"))
	}
	return doc.Bytes()
}
