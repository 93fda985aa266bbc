package einvoice

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Meta is what the PDF says about itself, in its Info dictionary and, identically, its XMP.
type Meta struct {
	Title, Author, Subject string
	// Date is the creation and modification date (the issue date: the same invoice, the same bytes).
	Date time.Time
	// Lang is the document's language ("fr-FR").
	Lang string
}

// Creator and producer written in every Factur-X file.
const (
	creatorTool = "Maintenant"
	producer    = "Maintenant (go-pdf/fpdf, Factur-X container)"
)

// ErrNotFPDF is returned for a PDF this package cannot rewrite (not a classic xref table).
var ErrNotFPDF = errors.New("einvoice: PDF layout not understood")

var (
	reStartXref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	reRoot      = regexp.MustCompile(`/Root\s+(\d+)\s+0\s+R`)
	reInfo      = regexp.MustCompile(`/Info\s+(\d+)\s+0\s+R`)
	rePages     = regexp.MustCompile(`/Pages\s+(\d+)\s+0\s+R`)
	reObjHead   = regexp.MustCompile(`^(\d+)\s+0\s+obj`)
)

// FacturX wraps the PDF of an invoice (as fpdf writes it: fonts embedded, a classic cross-reference
// table) into a Factur-X file, PDF/A-3b: it keeps every object of the page and adds the sRGB
// OutputIntent with its ICC profile, the XMP metadata (pdfaid part 3 conformance B, the Factur-X
// extension schema and properties: INVOICE, factur-x.xml, 1.0, EN 16931), an Info dictionary saying
// the same, the XML as the embedded file factur-x.xml (text/xml, AFRelationship Alternative) listed
// in the EmbeddedFiles name tree and the catalog's AF array, and a trailer ID. The file is written
// whole again (header with binary marker, one cross-reference table), deterministic for the same
// input.
func FacturX(pdf, xml []byte, m Meta) ([]byte, error) {
	objs, size, root, info, err := parseClassic(pdf)
	if err != nil {
		return nil, err
	}
	pages := rePages.FindSubmatch(objs[root])
	if pages == nil {
		return nil, fmt.Errorf("%w: catalog without pages", ErrNotFPDF)
	}
	tagSubsets(objs)
	date := pdfDate(m.Date)
	if m.Lang == "" {
		m.Lang = "fr-FR"
	}
	iccN, intentN, xmpN, fileN, specN := size, size+1, size+2, size+3, size+4

	objs[iccN] = stream("<< /N 3 /Alternate /DeviceRGB /Filter /FlateDecode /Length %d >>", deflate(SRGBProfile()))
	objs[intentN] = []byte(fmt.Sprintf("<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) /RegistryName (http://www.color.org) /DestOutputProfile %d 0 R >>", iccN))
	objs[xmpN] = stream("<< /Type /Metadata /Subtype /XML /Length %d >>", xmpPacket(m))
	sum := md5.Sum(xml)
	objs[fileN] = stream(fmt.Sprintf("<< /Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size %d /CheckSum <%s> /ModDate %s >> /Filter /FlateDecode /Length %%d >>",
		len(xml), hex.EncodeToString(sum[:]), date), deflate(xml))
	objs[specN] = []byte(fmt.Sprintf("<< /Type /Filespec /F (%s) /UF %s /Desc (Factur-X invoice) /AFRelationship /Alternative /EF << /F %d 0 R /UF %d 0 R >> >>",
		FileName, text(FileName), fileN, fileN))
	objs[root] = []byte(fmt.Sprintf("<< /Type /Catalog /Pages %s 0 R /Metadata %d 0 R /OutputIntents [%d 0 R] /Names << /EmbeddedFiles << /Names [(%s) %d 0 R] >> >> /AF [%d 0 R] /PageMode /UseAttachments /Lang %s /ViewerPreferences << /DisplayDocTitle true >> >>",
		pages[1], xmpN, intentN, FileName, specN, specN, text(m.Lang)))
	objs[info] = []byte(fmt.Sprintf("<< /Title %s /Author %s /Subject %s /Creator %s /Producer %s /CreationDate %s /ModDate %s >>",
		text(m.Title), text(m.Author), text(m.Subject), text(creatorTool), text(producer), date, date))
	return writeClassic(objs, size+5, root, info), nil
}

var reFontName = regexp.MustCompile(`/(BaseFont|FontName)\s*/([A-Za-z0-9_.-]+)`)

// tagSubsets names the embedded fonts as the subsets they are: fpdf embeds only the glyphs used
// but names the font without the six-letter subset tag ISO 32000 asks ("ABCDEF+Name"). The tag is
// derived from the name, so that the font dictionaries and descriptors keep agreeing.
func tagSubsets(objs map[int][]byte) {
	for n, o := range objs {
		if bytes.Contains(o, []byte("stream")) {
			continue
		}
		objs[n] = reFontName.ReplaceAllFunc(o, func(m []byte) []byte {
			sub := reFontName.FindSubmatch(m)
			sum := md5.Sum(sub[2])
			tag := make([]byte, 6)
			for i := range tag {
				tag[i] = 'A' + sum[i]%26
			}
			return []byte("/" + string(sub[1]) + " /" + string(tag) + "+" + string(sub[2]))
		})
	}
}

// parseClassic reads the objects of a PDF with one classic cross-reference table: each object's
// bytes run from its offset to the next object's (stream data is never searched for keywords).
func parseClassic(pdf []byte) (map[int][]byte, int, int, int, error) {
	m := reStartXref.FindSubmatch(pdf)
	if m == nil {
		return nil, 0, 0, 0, fmt.Errorf("%w: no startxref", ErrNotFPDF)
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref <= 0 || xref >= len(pdf) || !bytes.HasPrefix(pdf[xref:], []byte("xref")) {
		return nil, 0, 0, 0, fmt.Errorf("%w: no xref table", ErrNotFPDF)
	}
	tail := pdf[xref:]
	trailerAt := bytes.Index(tail, []byte("trailer"))
	if trailerAt < 0 {
		return nil, 0, 0, 0, fmt.Errorf("%w: no trailer", ErrNotFPDF)
	}
	lines := strings.Split(strings.TrimSpace(string(tail[len("xref"):trailerAt])), "\n")
	var first, count int
	if _, err := fmt.Sscanf(lines[0], "%d %d", &first, &count); err != nil || first != 0 || len(lines) != count+1 {
		return nil, 0, 0, 0, fmt.Errorf("%w: xref subsections", ErrNotFPDF)
	}
	type at struct{ n, off int }
	var offs []at
	for n := 1; n < count; n++ {
		var off, gen int
		var kind string
		if _, err := fmt.Sscanf(lines[n+1], "%d %d %s", &off, &gen, &kind); err != nil {
			return nil, 0, 0, 0, fmt.Errorf("%w: xref entry %d", ErrNotFPDF, n)
		}
		if kind == "n" {
			offs = append(offs, at{n, off})
		}
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i].off < offs[j].off })
	objs := map[int][]byte{}
	for i, o := range offs {
		end := xref
		if i+1 < len(offs) {
			end = offs[i+1].off
		}
		if o.off <= 0 || end > len(pdf) || o.off >= end {
			return nil, 0, 0, 0, fmt.Errorf("%w: object %d offset", ErrNotFPDF, o.n)
		}
		body := bytes.TrimSpace(pdf[o.off:end])
		head := reObjHead.FindSubmatch(body)
		if head == nil || string(head[1]) != strconv.Itoa(o.n) || !bytes.HasSuffix(body, []byte("endobj")) {
			return nil, 0, 0, 0, fmt.Errorf("%w: object %d", ErrNotFPDF, o.n)
		}
		objs[o.n] = bytes.TrimSpace(body[len(head[0]) : len(body)-len("endobj")])
	}
	trailer := tail[trailerAt:]
	root, info := reRoot.FindSubmatch(trailer), reInfo.FindSubmatch(trailer)
	if root == nil || info == nil {
		return nil, 0, 0, 0, fmt.Errorf("%w: trailer without root or info", ErrNotFPDF)
	}
	r, _ := strconv.Atoi(string(root[1]))
	in, _ := strconv.Atoi(string(info[1]))
	if objs[r] == nil || objs[in] == nil {
		return nil, 0, 0, 0, fmt.Errorf("%w: root or info missing", ErrNotFPDF)
	}
	return objs, count, r, in, nil
}

// writeClassic writes objects 1..size-1 with a header marked binary, a cross-reference table and a
// trailer whose ID is the MD5 of the body.
func writeClassic(objs map[int][]byte, size, root, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, size)
	for n := 1; n < size; n++ {
		offsets[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", n)
		b.Write(objs[n])
		b.WriteString("\nendobj\n")
	}
	id := md5.Sum(b.Bytes())
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", size)
	for n := 1; n < size; n++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", offsets[n])
	}
	hexID := hex.EncodeToString(id[:])
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n", size, root, info, hexID, hexID, xref)
	return b.Bytes()
}

// stream is a stream object: dict has one %d for the length.
func stream(dict string, data []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, dict, len(data))
	b.WriteString("\nstream\n")
	b.Write(data)
	b.WriteString("\nendstream")
	return b.Bytes()
}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	_, _ = w.Write(data)
	_ = w.Close()
	return b.Bytes()
}

// text is a PDF text string: UTF-16BE with its byte-order mark, in hexadecimal.
func text(s string) string {
	var b strings.Builder
	b.WriteString("<feff")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04x", u)
	}
	b.WriteString(">")
	return b.String()
}

// pdfDate is a date in UTC as a PDF date, and xmpDate the same instant as XMP writes it.
func pdfDate(t time.Time) string { return t.UTC().Format("(D:20060102150405Z)") }
func xmpDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// xmlEscape escapes text for the XMP packet.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// xmpPacket is the XMP metadata: Dublin Core, XMP and PDF properties equal to the Info dictionary,
// the PDF/A identification (part 3, conformance B), the Factur-X properties and the PDF/A extension
// schema that declares them.
func xmpPacket(m Meta) []byte {
	r := strings.NewReplacer(
		"{title}", xmlEscape(m.Title), "{author}", xmlEscape(m.Author), "{subject}", xmlEscape(m.Subject),
		"{creator}", xmlEscape(creatorTool), "{producer}", xmlEscape(producer), "{date}", xmpDate(m.Date),
		"{file}", FileName,
	)
	return []byte(r.Replace(xmpTemplate))
}

const xmpTemplate = `<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{producer}</pdf:Producer>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
   <fx:DocumentType>INVOICE</fx:DocumentType>
   <fx:DocumentFileName>{file}</fx:DocumentFileName>
   <fx:Version>1.0</fx:Version>
   <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>DocumentFileName</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>The name of the embedded XML document</pdfaProperty:description>
        </rdf:li>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>DocumentType</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>The type of the hybrid document in capital letters, e.g. INVOICE or ORDER</pdfaProperty:description>
        </rdf:li>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>Version</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>The actual version of the standard applying to the embedded XML document</pdfaProperty:description>
        </rdf:li>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>ConformanceLevel</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>The conformance level of the embedded XML document</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`
