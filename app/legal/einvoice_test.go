package legal

import "testing"

func TestCheckEInvoiceAddress(t *testing.T) {
	for _, c := range []struct{ addr, siren, want string }{
		{"", "812345676", ""},
		{"812345676", "812345676", ""},
		{"812345676_COMPTA", "812345676", ""},
		{"812345676 COMPTA", "812345676", "einvoice.error.address_format"},
		{"812345676/COMPTA", "812345676", "einvoice.error.address_format"},
		{"523456788_COMPTA", "812345676", "einvoice.error.address_siren"},
		{"812345676_X", "", "einvoice.error.address_siren"},
		{"812345676" + string(make([]byte, 0)) + "_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "812345676", "einvoice.error.address_format"},
	} {
		if got := CheckEInvoiceAddress(c.addr, c.siren); got != c.want {
			t.Errorf("CheckEInvoiceAddress(%q, %q) = %q, want %q", c.addr, c.siren, got, c.want)
		}
	}
}
