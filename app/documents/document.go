// Package documents renders the PDF documents of the product (contracts today; quotes, invoices,
// intervention sheets and the register later) with one visual identity: the provider's identity at the
// top, the reference and date, the content, legal mentions and page numbers in the footer.
package documents

import (
	"bytes"
	_ "embed" // the fonts travel inside the binary
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// DejaVu Sans (free licence, see fonts/LICENSE) covers French accents, € and the typographic spaces.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// Party is one side of a document: the provider or a client.
type Party struct {
	Name      string
	Lines     []string // address lines, already formatted
	SIREN     string
	VATNumber string
	Email     string
	Phone     string
}

// Meta is what the top of every document says.
type Meta struct {
	Title     string // "Contrat de maintenance"
	Reference string // "C-2026-001"
	Date      time.Time
	DateLabel string // "Date : %s" in the reader's language (a pattern for the formatted date)
	Provider  Party
	Footer    string // legal mentions
	PageLabel string // "Page %d / %s" pattern in the reader's language
	// SIRENLabel and VATLabel introduce the identifiers ("SIREN", "TVA").
	SIRENLabel string
	VATLabel   string
}

// Doc is a PDF being written.
type Doc struct {
	pdf  *fpdf.Fpdf
	meta Meta
	// w and h are the page's width and height in millimetres (A4 portrait or landscape).
	w, h float64
}

const (
	margin     = 18.0
	pageWidth  = 210.0
	pageHeight = 297.0
	// bodyWidth is the width of the text of a portrait page.
	bodyWidth = pageWidth - 2*margin
	lineH     = 5.0
)

// New starts an A4 portrait document with the shared header and footer.
func New(m Meta) *Doc { return newDoc(m, "P") }

// NewLandscape starts an A4 landscape document (wide tables such as the register) with the shared
// header and footer.
func NewLandscape(m Meta) *Doc { return newDoc(m, "L") }

func newDoc(m Meta, orientation string) *Doc {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, 22)
	pdf.AddUTF8FontFromBytes("dejavu", "", fontRegular)
	pdf.AddUTF8FontFromBytes("dejavu", "B", fontBold)
	// Fixed dates and sorted catalog: the same document gives the same bytes (hashable evidence).
	pdf.SetCreationDate(m.Date)
	pdf.SetModificationDate(m.Date)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(m.Title+" "+m.Reference, true)
	pdf.SetAuthor(m.Provider.Name, true)
	pdf.SetCreator("Maintenant", true)
	pdf.AliasNbPages("{nb}")
	d := &Doc{pdf: pdf, meta: m, w: pageWidth, h: pageHeight}
	if orientation == "L" {
		d.w, d.h = pageHeight, pageWidth
	}
	pdf.SetHeaderFunc(d.header)
	pdf.SetFooterFunc(d.footer)
	pdf.AddPage()
	return d
}

// bodyW is the width of the text between the margins.
func (d *Doc) bodyW() float64 { return d.w - 2*margin }

func (d *Doc) header() {
	p := d.pdf
	m := d.meta
	p.SetY(12)
	p.SetFont("dejavu", "B", 12)
	p.SetTextColor(29, 78, 216)
	p.CellFormat(d.bodyW()/2, 6, m.Provider.Name, "", 0, "L", false, 0, "")
	p.SetTextColor(15, 23, 42)
	p.SetFont("dejavu", "B", 12)
	p.CellFormat(d.bodyW()/2, 6, m.Title, "", 1, "R", false, 0, "")
	p.SetFont("dejavu", "", 8)
	p.SetTextColor(71, 85, 105)
	left := d.partyLines(m.Provider)
	right := []string{m.Reference}
	if !m.Date.IsZero() {
		right = append(right, fmt.Sprintf(m.DateLabel, m.Date.Format("02/01/2006")))
	}
	n := len(left)
	if len(right) > n {
		n = len(right)
	}
	for i := 0; i < n; i++ {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		p.CellFormat(d.bodyW()/2, 4, l, "", 0, "L", false, 0, "")
		p.CellFormat(d.bodyW()/2, 4, r, "", 1, "R", false, 0, "")
	}
	p.SetDrawColor(203, 213, 225)
	y := p.GetY() + 2
	p.Line(margin, y, d.w-margin, y)
	p.SetY(y + 5)
	p.SetTextColor(15, 23, 42)
}

func (d *Doc) partyLines(pt Party) []string {
	lines := append([]string{}, pt.Lines...)
	var ids []string
	if pt.SIREN != "" {
		ids = append(ids, d.meta.SIRENLabel+" "+pt.SIREN)
	}
	if pt.VATNumber != "" {
		ids = append(ids, d.meta.VATLabel+" "+pt.VATNumber)
	}
	if len(ids) > 0 {
		lines = append(lines, strings.Join(ids, " · "))
	}
	var contact []string
	if pt.Email != "" {
		contact = append(contact, pt.Email)
	}
	if pt.Phone != "" {
		contact = append(contact, pt.Phone)
	}
	if len(contact) > 0 {
		lines = append(lines, strings.Join(contact, " · "))
	}
	return lines
}

func (d *Doc) footer() {
	p := d.pdf
	p.SetY(-16)
	p.SetFont("dejavu", "", 7)
	p.SetTextColor(100, 116, 139)
	if d.meta.Footer != "" {
		p.MultiCell(d.bodyW(), 3.5, d.meta.Footer, "", "C", false)
	}
	label := d.meta.PageLabel
	if label == "" {
		label = "%d / %s"
	}
	p.CellFormat(d.bodyW(), 4, fmt.Sprintf(label, p.PageNo(), "{nb}"), "", 0, "R", false, 0, "")
	p.SetTextColor(15, 23, 42)
}

// Heading writes a section title.
func (d *Doc) Heading(text string) {
	p := d.pdf
	if p.GetY() > d.h-47 {
		p.AddPage()
	}
	p.Ln(2)
	p.SetFont("dejavu", "B", 11)
	p.SetTextColor(29, 78, 216)
	p.MultiCell(d.bodyW(), 6, text, "", "L", false)
	p.SetTextColor(15, 23, 42)
	p.Ln(1)
}

// Paragraph writes plain text; line breaks in the text are kept. An empty text writes dash.
func (d *Doc) Paragraph(text string) {
	p := d.pdf
	p.SetFont("dejavu", "", 9.5)
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		text = "—"
	}
	p.MultiCell(d.bodyW(), lineH, text, "", "L", false)
	p.Ln(1)
}

// KeyValues writes label/value rows, the label in bold on the left third.
func (d *Doc) KeyValues(rows [][2]string) {
	p := d.pdf
	for _, r := range rows {
		if p.GetY() > d.h-32 {
			p.AddPage()
		}
		y := p.GetY()
		p.SetFont("dejavu", "B", 9)
		p.MultiCell(d.bodyW()*0.36, lineH, r[0], "", "L", false)
		yLabel := p.GetY()
		p.SetXY(margin+d.bodyW()*0.36, y)
		p.SetFont("dejavu", "", 9.5)
		v := r[1]
		if strings.TrimSpace(v) == "" {
			v = "—"
		}
		p.MultiCell(d.bodyW()*0.64, lineH, v, "", "L", false)
		if yLabel > p.GetY() {
			p.SetY(yLabel)
		}
	}
	p.Ln(1)
}

// Table writes a table with a header row. widths are fractions of the body width; aligns are "L",
// "R" or "C" per column.
func (d *Doc) Table(headers []string, widths []float64, aligns []string, rows [][]string) {
	p := d.pdf
	p.SetFont("dejavu", "B", 8.5)
	p.SetFillColor(241, 245, 249)
	for i, h := range headers {
		p.CellFormat(d.bodyW()*widths[i], 6, h, "B", 0, aligns[i], true, 0, "")
	}
	p.Ln(-1)
	p.SetFont("dejavu", "", 9)
	for _, r := range rows {
		// Row height from the tallest cell.
		h := 0.0
		for i, c := range r {
			lines := p.SplitText(c, d.bodyW()*widths[i]-2)
			if hh := float64(len(lines)) * lineH; hh > h {
				h = hh
			}
		}
		if h == 0 {
			h = lineH
		}
		if p.GetY()+h > d.h-27 {
			p.AddPage()
		}
		x, y := p.GetX(), p.GetY()
		for i, c := range r {
			p.SetXY(x, y)
			p.MultiCell(d.bodyW()*widths[i], lineH, c, "", aligns[i], false)
			x += d.bodyW() * widths[i]
		}
		p.SetXY(margin, y+h)
		p.SetDrawColor(226, 232, 240)
		p.Line(margin, y+h, d.w-margin, y+h)
	}
	p.Ln(2)
}

// Parties writes the two parties side by side under their role labels.
func (d *Doc) Parties(leftLabel string, left Party, rightLabel string, right Party) {
	p := d.pdf
	y := p.GetY()
	col := func(x float64, label string, pt Party) float64 {
		p.SetXY(x, y)
		p.SetFont("dejavu", "", 8)
		p.SetTextColor(100, 116, 139)
		p.CellFormat(d.bodyW()/2-4, 4, label, "", 2, "L", false, 0, "")
		p.SetTextColor(15, 23, 42)
		p.SetX(x)
		p.SetFont("dejavu", "B", 10)
		p.MultiCell(d.bodyW()/2-4, 5, pt.Name, "", "L", false)
		p.SetFont("dejavu", "", 9)
		for _, l := range d.partyLines(pt) {
			p.SetX(x)
			p.MultiCell(d.bodyW()/2-4, 4.5, l, "", "L", false)
		}
		return p.GetY()
	}
	y1 := col(margin, leftLabel, left)
	y2 := col(margin+d.bodyW()/2+4, rightLabel, right)
	if y2 > y1 {
		y1 = y2
	}
	p.SetXY(margin, y1+4)
}

// Signatures writes signature boxes, one per label ("Pour le prestataire", "Pour le client").
func (d *Doc) Signatures(note string, labels ...string) {
	p := d.pdf
	if p.GetY() > d.h-72 {
		p.AddPage()
	}
	p.Ln(4)
	if note != "" {
		p.SetFont("dejavu", "", 8.5)
		p.MultiCell(d.bodyW(), 4.5, note, "", "L", false)
		p.Ln(2)
	}
	w := (d.bodyW() - 8*float64(len(labels)-1)) / float64(len(labels))
	y := p.GetY()
	for i, l := range labels {
		x := margin + float64(i)*(w+8)
		p.SetXY(x, y)
		p.SetFont("dejavu", "B", 9)
		p.CellFormat(w, 5, l, "", 2, "L", false, 0, "")
		p.SetDrawColor(148, 163, 184)
		p.Rect(x, y+6, w, 28, "D")
	}
	p.SetXY(margin, y+38)
}

// Bytes finishes the document.
func (d *Doc) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("documents: render: %w", err)
	}
	return buf.Bytes(), nil
}
