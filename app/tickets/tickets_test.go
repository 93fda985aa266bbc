package tickets

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"maintenant/app/apperr"
	"maintenant/app/sla"
)

func TestReference(t *testing.T) {
	if got, want := Reference(42), "T-0042"; got != want {
		t.Errorf("Reference(42) = %q, want %q", got, want)
	}
	if got, want := Reference(1042), "T-1042"; got != want {
		t.Errorf("Reference(1042) = %q, want %q", got, want)
	}
	for in, want := range map[string]int{"T-1042": 1042, "t1042": 1042, " #42 ": 42, "0042": 42, "T-0": 0, "T-": 0, "abc": 0, "-5": 0, "1234567890": 0} {
		n, ok := ParseReference(in)
		if ok != (want > 0) || n != want {
			t.Errorf("ParseReference(%q) = %d, %v; want %d", in, n, ok, want)
		}
	}
}

func TestOpenInputValidate(t *testing.T) {
	valid := func() OpenInput {
		return OpenInput{ClientID: uuid.New(), Title: "  Le site   ne répond plus ", Description: "Depuis ce matin.\r\nErreur 500.",
			Priority: sla.High, Channel: ChannelPortal, ReporterID: uuid.New(), ContactPhone: "01 23 45 67 89"}
	}
	tests := []struct {
		name   string
		change func(in *OpenInput)
		want   map[string]string
	}{
		{"valid", func(*OpenInput) {}, nil},
		{"empty title", func(in *OpenInput) { in.Title = "   " }, map[string]string{"title": "error.required"}},
		{"long title", func(in *OpenInput) { in.Title = strings.Repeat("é", MaxTitle+1) }, map[string]string{"title": "error.too_long"}},
		{"title at the limit", func(in *OpenInput) { in.Title = strings.Repeat("é", MaxTitle) }, nil},
		{"empty description", func(in *OpenInput) { in.Description = "\n \n" }, map[string]string{"description": "error.required"}},
		{"huge description", func(in *OpenInput) { in.Description = strings.Repeat("a", MaxDescription+1) }, map[string]string{"description": "error.too_long"}},
		{"no priority", func(in *OpenInput) { in.Priority = 0 }, map[string]string{"priority": "tickets.error.priority"}},
		{"bad channel", func(in *OpenInput) { in.Channel = "fax" }, map[string]string{"channel": "tickets.error.channel"}},
		{"bad phone", func(in *OpenInput) { in.ContactPhone = "<script>" }, map[string]string{"contact_phone": "tickets.error.phone_invalid"}},
		{"no phone is fine", func(in *OpenInput) { in.ContactPhone = "" }, nil},
		{"no client", func(in *OpenInput) { in.ClientID = uuid.Nil }, map[string]string{"client_id": "error.required"}},
		{"nobody reported it", func(in *OpenInput) { in.ReporterID = uuid.Nil }, map[string]string{"reporter_label": "error.required"}},
		{"reported by a named caller", func(in *OpenInput) { in.ReporterID, in.ReporterLabel = uuid.Nil, "M. Martin (téléphone)" }, nil},
		{"service without contract", func(in *OpenInput) { in.ServiceLabel = "boulangerie-martin.fr" }, map[string]string{"service_label": "tickets.error.service_without_contract"}},
	}
	for _, tt := range tests {
		in := valid()
		tt.change(&in)
		in.Normalize()
		got := apperr.FieldsOf(in.Validate())
		if !maps.Equal(got, tt.want) {
			t.Errorf("%s: fields = %v, want %v", tt.name, got, tt.want)
		}
	}
	in := valid()
	in.Normalize()
	if in.Title != "Le site ne répond plus" || in.Description != "Depuis ce matin.\nErreur 500." {
		t.Errorf("normalized = %q / %q", in.Title, in.Description)
	}
}

func TestImpacts(t *testing.T) {
	got := Impacts()
	if len(got) != 4 || got[0].Priority != sla.Critical || got[0].Key != "tickets.impact.critical" || got[3].Key != "tickets.impact.low" {
		t.Errorf("Impacts() = %+v", got)
	}
	if PriorityKey(sla.High) != "tickets.priority.high" || ChannelPhone.Label() != "tickets.channel.phone" {
		t.Error("catalogue keys")
	}
}

func TestClientMayReopen(t *testing.T) {
	resolved := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	tk := &Ticket{Status: StatusResolved}
	tk.ResolvedAt.Time = resolved
	if !tk.ClientMayReopen(resolved.Add(ReopenWindow-time.Second)) || tk.ClientMayReopen(resolved.Add(ReopenWindow)) {
		t.Error("the reopen window is 14 days from the resolution")
	}
	if !tk.ReopenDeadline().Equal(resolved.Add(ReopenWindow)) || !tk.ClientMayClose() {
		t.Error("deadline / close")
	}
	tk.Status = StatusClosed
	if tk.ClientMayReopen(resolved) || tk.ClientMayClose() || !tk.ReopenDeadline().IsZero() {
		t.Error("a closed ticket is over")
	}
}

func TestSanitizeFilename(t *testing.T) {
	long := strings.Repeat("é", 200) + ".png" // 404 bytes
	tests := map[string]string{
		"photo.png":                         "photo.png",
		"../../etc/passwd":                  "passwd",
		`C:\Users\marie\Bureau\capture.png`: "capture.png",
		"  ":                                FallbackFilename,
		"..":                                FallbackFilename,
		"dir/":                              FallbackFilename,
		"fact\x00ure\n.pdf":                 "facture.pdf",
		"image\u202Egnp.exe":                "imagegnp.exe",
		"bad\xffutf8.txt":                   "badutf8.txt",
		"<script>alert(1)</script>.png":     "script>.png",
	}
	for in, want := range tests {
		if got := SanitizeFilename(in); got != want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", in, got, want)
		}
	}
	got := SanitizeFilename(long)
	if len(got) > MaxFilename || !strings.HasSuffix(got, ".png") || !strings.HasPrefix(got, "éé") || !utf8Valid(got) {
		t.Errorf("long name = %q (%d bytes)", got, len(got))
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestSniffType(t *testing.T) {
	var pngBuf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		head []byte
		want string
		ok   bool
	}{
		{"png", pngBuf.Bytes(), "image/png", true},
		{"pdf", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj"), "application/pdf", true},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "image/gif", true},
		{"log", []byte("2026-03-09 10:00:01 ERROR payment failed\n"), "text/plain; charset=utf-8", true},
		{"html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), "text/html; charset=utf-8", false},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "text/xml; charset=utf-8", false},
		{"script in text", []byte("hello\n<SCRIPT>alert(1)</SCRIPT>"), "text/plain; charset=utf-8", false},
		{"svg later in text", []byte(strings.Repeat("a", 700) + "<svg>"), "text/plain; charset=utf-8", false},
		{"zip", []byte("PK\x03\x04\x14\x00"), "application/zip", false},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), "application/octet-stream", false},
	}
	for _, tt := range tests {
		got, ok := SniffType(tt.head)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: SniffType = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEscalationKey(t *testing.T) {
	if got := EscalationKey(2); got != "tickets.escalation.2" {
		t.Errorf("EscalationKey(2) = %q", got)
	}
}
