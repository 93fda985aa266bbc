package documents

import (
	"strconv"
	"strings"
	"time"

	"maintenant/app/interventions"
	"maintenant/app/provider"
)

// RegisterData is what the register document prints: the entries of a filter, newest first, and
// the totals of the whole filter.
type RegisterData struct {
	Provider *provider.Organisation
	// Scope says whose register it is: a client's name, or every client.
	Scope string
	// Filter is the filter in words, label and value; empty for the whole register.
	Filter [][2]string
	// ShowClient adds a column with each entry's client (the staff's register of every client).
	ShowClient bool
	Entries    []*interventions.RegisterEntry
	// Totals are those of the whole filter, even when Entries stops short of it.
	Totals interventions.RegisterTotals
	// Truncated says that Entries holds only the newest entries of the filter.
	Truncated bool
	// Today is the provider's day: the document's date.
	Today time.Time
}

// Register renders the filtered maintenance register as a landscape PDF: the filter in words, the
// totals of time and cost, then one line per entry (date, sheet and addendum mark, client,
// contract, kind, equipment or service, actions, time by category, materials, cost, technicians),
// the column headings repeated on every page. t gives every label in the reader's language and money
// formats amounts of cents; the same data gives the same bytes.
func Register(d RegisterData, t Translate, money func(cents int64) string) ([]byte, error) {
	doc := NewLandscape(Meta{
		Title: t("register.title"), Reference: d.Scope, Date: d.Today,
		DateLabel: t("documents.issued_on"), Provider: providerParty(d.Provider), Footer: legalFooter(d.Provider, t),
		PageLabel: t("documents.page"), SIRENLabel: t("documents.siren"), VATLabel: t("documents.vat"),
	})
	p := doc.pdf
	p.SetSubject(t("register.title")+" · "+d.Scope, true)
	w := &registerWriter{doc: doc, t: t, money: money, data: d}

	p.SetFont("dejavu", "B", 14)
	p.MultiCell(doc.bodyW(), 7, t("documents.register.heading", "Scope", d.Scope), "", "L", false)
	p.Ln(1)
	w.filter()
	w.totals()
	if d.Truncated {
		w.warning(t("documents.register.truncated", "Count", len(d.Entries), "Total", d.Totals.Entries))
	}
	w.entries()
	return doc.Bytes()
}

// registerWriter writes the register's parts in order.
type registerWriter struct {
	doc   *Doc
	t     Translate
	money func(int64) string
	data  RegisterData
}

const (
	registerFont  = 7
	registerLineH = 3.4
	// registerPad is the room left on each side of a cell's text.
	registerPad = 0.6
	// registerCellLines bounds the lines of one cell, so that no entry is taller than a page.
	registerCellLines = 14
)

// filter writes what the register is narrowed to.
func (w *registerWriter) filter() {
	p, t := w.doc.pdf, w.t
	p.SetFont("dejavu", "", 9)
	p.SetTextColor(51, 65, 85)
	if len(w.data.Filter) == 0 {
		p.MultiCell(w.doc.bodyW(), 4.6, t("documents.register.no_filter"), "", "L", false)
	} else {
		parts := make([]string, 0, len(w.data.Filter))
		for _, f := range w.data.Filter {
			parts = append(parts, f[0]+t("contract.colon")+" "+f[1])
		}
		p.MultiCell(w.doc.bodyW(), 4.6, t("documents.register.filter", "Filter", strings.Join(parts, " · ")), "", "L", false)
	}
	p.SetTextColor(15, 23, 42)
	p.Ln(2)
}

// totals writes the totals of the whole filter as a band of figures.
func (w *registerWriter) totals() {
	p, t, tot := w.doc.pdf, w.t, w.data.Totals
	cells := [][2]string{
		{t("documents.register.entries"), strconv.Itoa(tot.Entries)},
		{t("documents.register.col.work"), minutes(tot.MinutesWork)},
		{t("documents.register.col.travel"), minutes(tot.MinutesTravel)},
		{t("documents.register.col.on_site"), minutes(tot.MinutesOnSite)},
		{t("documents.register.col.research"), minutes(tot.MinutesResearch)},
		{t("register.totals.time"), minutes(tot.TotalMinutes())},
		{t("register.totals.materials"), w.money(tot.MaterialsCents)},
		{t("register.totals.time_cost"), w.money(tot.TimeCostCents)},
		{t("register.totals.cost"), w.money(tot.TotalCostCents)},
	}
	cw := w.doc.bodyW() / float64(len(cells))
	y := p.GetY()
	p.SetFillColor(241, 245, 249)
	p.Rect(margin, y, w.doc.bodyW(), 13, "F")
	for i, c := range cells {
		x := margin + float64(i)*cw
		p.SetXY(x+1.5, y+1.5)
		p.SetFont("dejavu", "", 7)
		p.SetTextColor(71, 85, 105)
		p.CellFormat(cw-3, 4, c[0], "", 2, "L", false, 0, "")
		p.SetX(x + 1.5)
		p.SetFont("dejavu", "B", 10)
		p.SetTextColor(15, 23, 42)
		p.CellFormat(cw-3, 6, c[1], "", 0, "L", false, 0, "")
	}
	p.SetXY(margin, y+14)
	p.SetFont("dejavu", "", 7.5)
	p.SetTextColor(71, 85, 105)
	p.MultiCell(w.doc.bodyW(), 3.8, t("documents.register.totals_note"), "", "L", false)
	p.SetTextColor(15, 23, 42)
	p.Ln(2)
}

// warning writes a sentence the reader must not miss.
func (w *registerWriter) warning(s string) {
	p := w.doc.pdf
	p.SetFont("dejavu", "B", 8.5)
	p.SetTextColor(180, 83, 9)
	p.MultiCell(w.doc.bodyW(), 4.4, s, "", "L", false)
	p.SetTextColor(15, 23, 42)
	p.Ln(2)
}

// registerColumn is one column of the entries' table.
type registerColumn struct {
	head  string
	width float64 // fraction of the body width
	align string
	cell  func(e *interventions.RegisterEntry) string
}

func (w *registerWriter) columns() []registerColumn {
	t := w.t
	cols := []registerColumn{
		{t("interventions.register.col.seq"), 0.025, "R", func(e *interventions.RegisterEntry) string { return strconv.Itoa(e.Seq) }},
		{t("interventions.register.col.date"), 0.068, "L", func(e *interventions.RegisterEntry) string { return date(e.OccurredOn) }},
		{t("interventions.register.col.sheet"), 0.055, "L", func(e *interventions.RegisterEntry) string {
			if e.IsAddendum() {
				return e.SheetReference + "\n" + t("register.addendum")
			}
			return e.SheetReference
		}},
	}
	actions := 0.226
	if w.data.ShowClient {
		cols = append(cols, registerColumn{t("interventions.register.col.client"), 0.085, "L", func(e *interventions.RegisterEntry) string { return e.ClientName }})
	} else {
		actions += 0.085
	}
	cols = append(cols,
		registerColumn{t("interventions.register.col.contract"), 0.072, "L", func(e *interventions.RegisterEntry) string {
			if !e.ContractID.Valid {
				return t("register.no_contract")
			}
			return e.ContractReference
		}},
		registerColumn{t("interventions.register.col.kind"), 0.066, "L", func(e *interventions.RegisterEntry) string { return t(e.Kind.Label()) }},
		registerColumn{t("interventions.register.col.subject"), 0.1, "L", func(e *interventions.RegisterEntry) string {
			return strings.ReplaceAll(e.Subject, " ; ", "\n")
		}},
		registerColumn{t("interventions.register.col.actions"), actions, "L", func(e *interventions.RegisterEntry) string { return e.Actions }},
	)
	cols = append(cols, registerColumn{t("documents.register.col.time"), 0.105, "L", func(e *interventions.RegisterEntry) string {
		var lines []string
		for _, c := range []struct {
			key     string
			minutes int
		}{
			{"documents.register.col.work", e.MinutesWork}, {"documents.register.col.travel", e.MinutesTravel},
			{"documents.register.col.on_site", e.MinutesOnSite}, {"documents.register.col.research", e.MinutesResearch},
		} {
			if c.minutes > 0 {
				lines = append(lines, t(c.key)+" "+minutes(c.minutes))
			}
		}
		if len(lines) > 1 {
			lines = append(lines, t("documents.register.col.total")+" "+minutes(e.TotalMinutes()))
		}
		if len(lines) == 0 {
			return "—"
		}
		return strings.Join(lines, "\n")
	}})
	cols = append(cols,
		registerColumn{t("documents.register.col.materials"), 0.058, "R", func(e *interventions.RegisterEntry) string { return w.money(e.MaterialsCents) }},
		registerColumn{t("documents.register.col.cost"), 0.06, "R", func(e *interventions.RegisterEntry) string { return w.money(e.TotalCostCents) }},
		registerColumn{t("interventions.register.col.technicians"), 0.08, "L", func(e *interventions.RegisterEntry) string { return e.Technicians }},
	)
	return cols
}

// cellLines splits a cell's text to its column, at most registerCellLines lines (the last one
// ends with "…" when the text goes on).
func (w *registerWriter) cellLines(text string, width float64) []string {
	p := w.doc.pdf
	var lines []string
	for _, para := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n") {
		if para == "" {
			lines = append(lines, "")
			continue
		}
		lines = append(lines, p.SplitText(para, width)...)
		if len(lines) > registerCellLines {
			break
		}
	}
	if len(lines) > registerCellLines {
		lines = lines[:registerCellLines]
		last := []rune(lines[registerCellLines-1])
		for len(last) > 0 && p.GetStringWidth(string(last)+"…") > width {
			last = last[:len(last)-1]
		}
		lines[registerCellLines-1] = string(last) + "…"
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// head writes the table's column headings.
func (w *registerWriter) head(cols []registerColumn) {
	p, bw := w.doc.pdf, w.doc.bodyW()
	p.SetFont("dejavu", "B", 6.5)
	h := 0.0
	heads := make([][]string, len(cols))
	for i, c := range cols {
		heads[i] = p.SplitText(c.head, bw*c.width-2*registerPad)
		h = max(h, float64(len(heads[i]))*3.3)
	}
	h += 2
	y := p.GetY()
	p.SetFillColor(241, 245, 249)
	p.Rect(margin, y, bw, h, "F")
	x := margin
	for i, c := range cols {
		for n, l := range heads[i] {
			p.SetXY(x+registerPad, y+1+float64(n)*3.3)
			p.CellFormat(bw*c.width-2*registerPad, 3.3, l, "", 0, c.align, false, 0, "")
		}
		x += bw * c.width
	}
	p.SetDrawColor(148, 163, 184)
	p.Line(margin, y+h, margin+bw, y+h)
	p.SetXY(margin, y+h)
}

// entries writes one line per entry, the headings again at the top of every page, and the totals
// of the printed entries at the end.
func (w *registerWriter) entries() {
	p, t, bw := w.doc.pdf, w.t, w.doc.bodyW()
	if len(w.data.Entries) == 0 {
		w.warning(t("documents.register.empty"))
		return
	}
	cols := w.columns()
	bottom := w.doc.h - 24
	// Leave the automatic page break to this table: a row moves whole to the next page.
	p.SetAutoPageBreak(false, 0)
	defer p.SetAutoPageBreak(true, 22)
	if p.GetY() > bottom-30 {
		p.AddPage()
	}
	w.head(cols)
	for n, e := range w.data.Entries {
		p.SetFont("dejavu", "", registerFont)
		cells := make([][]string, len(cols))
		lines := 1
		for i, c := range cols {
			cells[i] = w.cellLines(c.cell(e), bw*c.width-2*registerPad)
			lines = max(lines, len(cells[i]))
		}
		h := float64(lines)*registerLineH + 1.6
		if p.GetY()+h > bottom {
			p.AddPage()
			w.head(cols)
			p.SetFont("dejavu", "", registerFont)
		}
		y := p.GetY()
		if n%2 == 1 {
			p.SetFillColor(248, 250, 252)
			p.Rect(margin, y, bw, h, "F")
		}
		if e.IsAddendum() {
			p.SetTextColor(146, 64, 14)
		}
		x := margin
		for i, c := range cols {
			for k, l := range cells[i] {
				p.SetXY(x+registerPad, y+0.8+float64(k)*registerLineH)
				p.CellFormat(bw*c.width-2*registerPad, registerLineH, l, "", 0, c.align, false, 0, "")
			}
			x += bw * c.width
		}
		p.SetTextColor(15, 23, 42)
		p.SetDrawColor(226, 232, 240)
		p.Line(margin, y+h, margin+bw, y+h)
		p.SetXY(margin, y+h)
	}
	if p.GetY() > bottom-12 {
		p.AddPage()
	}
	p.Ln(2)
	p.SetFont("dejavu", "", 7.5)
	p.SetTextColor(71, 85, 105)
	p.MultiCell(bw, 3.8, t("documents.register.chain_note"), "", "L", false)
	p.SetTextColor(15, 23, 42)
}
