package backoffice

import "testing"

// SetRegisterPDFMax lowers the number of entries a register PDF prints, for one test.
func SetRegisterPDFMax(t testing.TB, n int) {
	old := registerPDFMax
	registerPDFMax = n
	t.Cleanup(func() { registerPDFMax = old })
}
