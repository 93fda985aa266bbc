package provider

import "testing"

func TestCheckIBAN(t *testing.T) {
	for in, want := range map[string]string{
		"FR7630006000011234567890189":           "",
		"DE89370400440532013000":                "",
		"GB82WEST12345698765432":                "",
		"FR7630006000011234567890188":           "settings.error.iban_checksum",
		"DE89370400440532013001":                "settings.error.iban_checksum",
		"FR76":                                  "settings.error.iban_format",
		"7630006000011234567890189FR":           "settings.error.iban_format",
		"FR76300060000112345678901-9":           "settings.error.iban_format",
		"FR76300060000112345678901890123456789": "settings.error.iban_format",
	} {
		if got := CheckIBAN(in); got != want {
			t.Errorf("CheckIBAN(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"AGRIFRPP": "", "AGRIFRPPXXX": "", "AGRIFRP": "settings.error.bic_format", "1GRIFRPP": "settings.error.bic_format", "AGRIFRPP-XX": "settings.error.bic_format"} {
		if got := CheckBIC(in); got != want {
			t.Errorf("CheckBIC(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateBilling(t *testing.T) {
	o := &Organisation{Name: "Maintenant", ReminderLeadDays: []int{30}, IBAN: "fr76 3000 6000 0112 3456 7890 189", BIC: "agrifrpp",
		DefaultVATBP: 2000, LatePenaltyBP: 1215, InvoiceReminderDays: []int{3, 15, 30}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.IBAN != "FR7630006000011234567890189" || o.BIC != "AGRIFRPP" {
		t.Fatalf("compacted = %q %q", o.IBAN, o.BIC)
	}
	o.DefaultVATBP, o.LatePenaltyBP, o.InternalHourlyCostCents, o.InvoiceReminderDays = 1900, -1, -1, nil
	o.IBAN = "FR7630006000011234567890188"
	err := o.Validate()
	if err == nil {
		t.Fatal("bad billing settings accepted")
	}
}
