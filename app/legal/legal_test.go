package legal

import "testing"

func TestCheckSIREN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"732829320", ""},
		{"552100554", ""},
		{"542065479", ""},
		{"356000000", ""},
		{"732829321", "clients.error.siren_checksum"},
		{"123456789", "clients.error.siren_checksum"},
		{"73282932", "clients.error.siren_format"},
		{"7328293200", "clients.error.siren_format"},
		{"73282932A", "clients.error.siren_format"},
		{"", "clients.error.siren_format"},
	}
	for _, tt := range tests {
		if got := CheckSIREN(tt.in); got != tt.want {
			t.Errorf("CheckSIREN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckSIRET(t *testing.T) {
	tests := []struct{ in, want string }{
		{"73282932000074", ""},
		{"55210055400013", ""},
		{"35600000000048", ""},                             // La Poste's head office: Luhn holds
		{"35600000049837", ""},                             // a La Poste office: digit sum multiple of 5
		{"35600000000000", "clients.error.siret_checksum"}, // La Poste, neither rule
		{"73282932000075", "clients.error.siret_checksum"}, // last digit wrong
		{"12345678900017", "clients.error.siret_checksum"}, // its SIREN is not valid
		{"7328293200007", "clients.error.siret_format"},    // 13 digits
		{"7328293200007X", "clients.error.siret_format"},   // a letter
		{"732829320000740", "clients.error.siret_format"},  // 15 digits
	}
	for _, tt := range tests {
		if got := CheckSIRET(tt.in); got != tt.want {
			t.Errorf("CheckSIRET(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFrenchVAT(t *testing.T) {
	for siren, want := range map[string]string{
		"732829320": "FR44732829320",
		"552100554": "FR96552100554",
		"542065479": "FR82542065479",
	} {
		if got := FrenchVATNumber(siren); got != want {
			t.Errorf("FrenchVATNumber(%s) = %s, want %s", siren, got, want)
		}
	}
	tests := []struct{ in, want string }{
		{"FR44732829320", ""},
		{"FR96552100554", ""},
		{"FR45732829320", "clients.error.vat_fr_key"},   // wrong key
		{"FR44732829321", "clients.error.vat_fr_key"},   // SIREN typo
		{"FR4473282932", "clients.error.vat_fr_format"}, // one digit short
		{"FRXX732829320", "clients.error.vat_fr_format"},
		{"DE123456789", ""},
		{"BE0123456789", ""},
		{"NL123456789B01", ""},
		{"ESX1234567X", ""},
		{"D1", "clients.error.vat_format"},
		{"DE1", "clients.error.vat_format"},
		{"1E123456789", "clients.error.vat_format"},
		{"DE12345678901234", "clients.error.vat_format"}, // 14 after the prefix
		{"DE12-345", "clients.error.vat_format"},
	}
	for _, tt := range tests {
		if got := CheckVAT(tt.in); got != tt.want {
			t.Errorf("CheckVAT(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidPhone(t *testing.T) {
	for in, want := range map[string]bool{
		"01 23 45 67 89": true, "+33 (0)1.23.45.67.89": true, "04/72/00/00/00": true,
		"123": false, "01 23 45 67 89 ext. 4": false, "+33+1": false, "": false,
	} {
		if got := ValidPhone(in); got != want {
			t.Errorf("ValidPhone(%q) = %v, want %v", in, got, want)
		}
	}
}
