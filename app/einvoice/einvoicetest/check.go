// Package einvoicetest checks e-invoices from tests with independent tools: the Factur-X container
// with qpdf (its JSON view of every object), pdfdetach and pdffonts (poppler), and the XML with the
// official XSD (xmllint) and schematrons (Saxon-HE) kept outside the repository in ../shared/einvoice.
package einvoicetest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// need skips the test when a program is missing, saying how to get it.
func need(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed: scripts/system-deps.sh installs it (Debian packages qpdf, poppler-utils, libxml2-utils, libsaxonhe-java)", p)
		}
	}
}

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// qpdfObjects is qpdf's JSON view of a PDF: each object's value, or its stream dictionary.
type qpdfObjects map[string]struct {
	Value  any `json:"value"`
	Stream *struct {
		Dict map[string]any `json:"dict"`
		Data string         `json:"data"`
	} `json:"stream"`
}

// dict returns object ref's dictionary (a stream's or a plain one).
func (q qpdfObjects) dict(ref string) map[string]any {
	o, ok := q["obj:"+ref]
	if !ok {
		return nil
	}
	if o.Stream != nil {
		return o.Stream.Dict
	}
	d, _ := o.Value.(map[string]any)
	return d
}

// CheckFacturX checks every point of the Factur-X PDF/A-3b container of pdf and that its embedded
// factur-x.xml is byte for byte wantXML: qpdf finds no error; the trailer has an ID and no Encrypt;
// the catalog has Metadata, an sRGB GTS_PDFA1 OutputIntent whose ICC profile is embedded (N 3, an
// "acsp" RGB display profile), the EmbeddedFiles name tree and the AF array naming the same file
// specification (factur-x.xml, AFRelationship Alternative, Subtype text/xml); the XMP says pdfaid
// part 3 conformance B, the Factur-X properties and their extension schema, and agrees with the Info
// dictionary; pdffonts lists every font as embedded.
func CheckFacturX(t testing.TB, pdf, wantXML []byte) {
	t.Helper()
	need(t, "qpdf", "pdfdetach", "pdffonts")
	dir := t.TempDir()
	path := filepath.Join(dir, "invoice.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3")) {
		t.Error("header is not %PDF-1.7 followed by a binary comment")
	}
	if out := run(t, "qpdf", "--check", path); !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Errorf("qpdf --check: %s", out)
	}

	var j struct {
		QPDF []json.RawMessage `json:"qpdf"`
	}
	if err := json.Unmarshal(run(t, "qpdf", "--json", "--json-key=qpdf", "--decode-level=generalized", "--json-stream-data=inline", path), &j); err != nil || len(j.QPDF) < 2 {
		t.Fatalf("qpdf --json: %v", err)
	}
	var objs qpdfObjects
	if err := json.Unmarshal(j.QPDF[1], &objs); err != nil {
		t.Fatal(err)
	}
	trailer, _ := objs["trailer"].Value.(map[string]any)
	if ids, _ := trailer["/ID"].([]any); len(ids) != 2 {
		t.Errorf("trailer ID: %v", trailer["/ID"])
	}
	if _, enc := trailer["/Encrypt"]; enc {
		t.Error("the file is encrypted")
	}
	root, _ := trailer["/Root"].(string)
	cat := objs.dict(root)
	if cat == nil {
		t.Fatalf("no catalog (%v)", trailer)
	}

	// OutputIntent with the embedded sRGB profile.
	intents, _ := cat["/OutputIntents"].([]any)
	if len(intents) != 1 {
		t.Fatalf("OutputIntents: %v", cat["/OutputIntents"])
	}
	intent := objs.dict(intents[0].(string))
	if intent["/S"] != "/GTS_PDFA1" || intent["/OutputConditionIdentifier"] != "u:sRGB IEC61966-2.1" {
		t.Errorf("OutputIntent: %v", intent)
	}
	iccRef, _ := intent["/DestOutputProfile"].(string)
	icc := objs["obj:"+iccRef].Stream
	if icc == nil || icc.Dict["/N"] != float64(3) {
		t.Fatalf("ICC profile stream: %v", icc)
	}
	if prof := decode(t, icc.Data); len(prof) < 132 || string(prof[36:40]) != "acsp" || string(prof[12:16]) != "mntr" || string(prof[16:20]) != "RGB " {
		t.Error("the OutputIntent's profile is not an RGB display ICC profile")
	}

	// The embedded file, in the name tree and the AF array.
	names, _ := cat["/Names"].(map[string]any)
	ef, _ := names["/EmbeddedFiles"].(map[string]any)
	tree, _ := ef["/Names"].([]any)
	af, _ := cat["/AF"].([]any)
	if len(tree) != 2 || tree[0] != "u:factur-x.xml" || len(af) != 1 || af[0] != tree[1] {
		t.Fatalf("EmbeddedFiles %v and AF %v do not name one factur-x.xml", tree, af)
	}
	spec := objs.dict(tree[1].(string))
	if spec["/Type"] != "/Filespec" || spec["/F"] != "u:factur-x.xml" || spec["/UF"] != "u:factur-x.xml" || spec["/AFRelationship"] != "/Alternative" {
		t.Errorf("file specification: %v", spec)
	}
	efd, _ := spec["/EF"].(map[string]any)
	file := objs.dict(fmt.Sprint(efd["/F"]))
	if file["/Type"] != "/EmbeddedFile" || !strings.EqualFold(fmt.Sprint(file["/Subtype"]), "/text#2fxml") && file["/Subtype"] != "/text/xml" {
		t.Errorf("embedded file: %v", file)
	}
	out := filepath.Join(dir, "factur-x.xml")
	if list := run(t, "pdfdetach", "-list", path); !bytes.Contains(list, []byte("1 embedded files\n1: factur-x.xml")) {
		t.Errorf("pdfdetach -list: %s", list)
	}
	run(t, "pdfdetach", "-save", "1", "-o", out, path)
	if got, _ := os.ReadFile(out); !bytes.Equal(got, wantXML) {
		t.Error("the embedded factur-x.xml differs from the generated XML")
	}

	// XMP and Info agree.
	metaRef, _ := cat["/Metadata"].(string)
	meta := objs["obj:"+metaRef].Stream
	if meta == nil {
		t.Fatal("no XMP metadata stream")
	}
	xmp := string(decode(t, meta.Data))
	for _, want := range []string{
		"<pdfaid:part>3</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>",
		"<fx:DocumentType>INVOICE</fx:DocumentType>", "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
		"<fx:Version>1.0</fx:Version>", "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
		"<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>",
		`xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"`,
	} {
		if !strings.Contains(xmp, want) {
			t.Errorf("XMP lacks %s", want)
		}
	}
	if err := xml.Unmarshal([]byte(xmp[strings.Index(xmp, "<x:xmpmeta"):strings.LastIndex(xmp, "<?xpacket")]), new(any)); err != nil {
		t.Errorf("XMP is not well-formed XML: %v", err)
	}
	infoRef, _ := trailer["/Info"].(string)
	info := objs.dict(infoRef)
	pairs := map[string]string{"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description", "/Creator": "xmp:CreatorTool", "/Producer": "pdf:Producer"}
	for key, prop := range pairs {
		v, _ := info[key].(string)
		v = strings.TrimPrefix(v, "u:")
		if v == "" {
			t.Errorf("Info %s is empty", key)
			continue
		}
		if got := xmpValue(xmp, prop); got != v {
			t.Errorf("Info %s %q but XMP %s %q", key, v, prop, got)
		}
	}
	for key, prop := range map[string]string{"/CreationDate": "xmp:CreateDate", "/ModDate": "xmp:ModifyDate"} {
		v, _ := info[key].(string)
		d := regexp.MustCompile(`^u:D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$`).FindStringSubmatch(v)
		if d == nil || xmpValue(xmp, prop) != fmt.Sprintf("%s-%s-%sT%s:%s:%sZ", d[1], d[2], d[3], d[4], d[5], d[6]) {
			t.Errorf("Info %s %q and XMP %s %q differ", key, v, prop, xmpValue(xmp, prop))
		}
	}

	// Every font embedded.
	fonts := strings.Split(strings.TrimSpace(string(run(t, "pdffonts", path))), "\n")
	if len(fonts) < 3 {
		t.Errorf("pdffonts found no font: %v", fonts)
	}
	for _, l := range fonts[2:] {
		f := strings.Fields(l)
		if len(f) < 5 || f[len(f)-5] != "yes" {
			t.Errorf("font not embedded: %s", l)
		}
	}
}

// decode reads qpdf's inline stream data (base64, already decoded from Flate).
func decode(t testing.TB, data string) []byte {
	t.Helper()
	var b []byte
	if err := json.Unmarshal([]byte(`"`+data+`"`), &b); err != nil {
		t.Fatalf("stream data: %v", err)
	}
	return b
}

// xmpValue is the text of an XMP property (inside rdf:li when it is a list), unescaped.
func xmpValue(xmp, prop string) string {
	m := regexp.MustCompile(`<` + prop + `>(?:<rdf:(?:Alt|Seq)><rdf:li[^>]*>)?([^<]*)<`).FindStringSubmatch(xmp)
	if m == nil {
		return ""
	}
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(m[1])
}

// RepoRoot is the folder holding go.mod above the working directory.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// Dir is the folder of the official validation artefacts (../shared/einvoice from the repository);
// the test is skipped, saying so, when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(), "..", "shared", "einvoice")
	if _, err := os.Stat(filepath.Join(dir, "cen-en16931", "EN16931-CII-validation.xslt")); err != nil {
		t.Skipf("the official e-invoice rule sets are absent (%s): XSD and schematron checks skipped; CI has them", dir)
	}
	return dir
}

// Saxon is the Saxon-HE jar.
const Saxon = "/usr/share/java/Saxon-HE.jar"

// Failure is one failed assertion of a schematron.
type Failure struct {
	ID, Flag, Text string
}

// Validate checks files (name → XML) with the XSD of the Factur-X EN 16931 profile (xmllint) and
// the three schematrons (CEN EN 16931 CII, Factur-X 1.09 EN 16931, French BR-FR), one Saxon run per
// rule set over a folder. extraCEN are more files (name → path) checked with the CEN rules only,
// such as the official negative examples. It returns the failed assertions per file, the rule set
// in front of the id ("cen:BR-CO-10"); an XSD error fails the test.
func Validate(t testing.TB, files map[string][]byte, extraCEN map[string]string) map[string][]Failure {
	t.Helper()
	dir := Dir(t)
	need(t, "xmllint", "java")
	if _, err := os.Stat(Saxon); err != nil {
		t.Skipf("Saxon-HE is not installed (%s): scripts/system-deps.sh installs libsaxonhe-java", Saxon)
	}
	tmp := t.TempDir()
	gen, cen := filepath.Join(tmp, "gen"), filepath.Join(tmp, "cen")
	for _, d := range []string{gen, cen} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var paths []string
	for name, b := range files {
		for _, d := range []string{gen, cen} {
			if err := os.WriteFile(filepath.Join(d, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		paths = append(paths, filepath.Join(gen, name))
	}
	for name, src := range extraCEN {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cen, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(paths)
	run(t, "xmllint", append([]string{"--noout", "--schema", filepath.Join(dir, "factur-x-1.09", "Factur-X_EN16931.xsd")}, paths...)...)

	// The three rule sets run side by side (each JVM spends most of its time compiling its XSLT).
	sets := []struct{ name, in, xsl string }{
		{"cen", cen, filepath.Join(dir, "cen-en16931", "EN16931-CII-validation.xslt")},
		{"fx", gen, filepath.Join(dir, "factur-x-1.09", "Factur-X_1.09_EN16931.xsl")},
		{"brfr", gen, filepath.Join(dir, "br-fr", "BR-FR-Flux2-Schematron-CII.xslt")},
	}
	errs := make([]error, len(sets))
	var wg sync.WaitGroup
	for i, rs := range sets {
		res := filepath.Join(tmp, "svrl-"+rs.name)
		if err := os.MkdirAll(res, 0o755); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := exec.Command("java", "-cp", Saxon, "net.sf.saxon.Transform", "-s:"+rs.in, "-xsl:"+rs.xsl, "-o:"+res).CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("saxon %s: %v\n%s", rs.name, err, out)
			}
		}()
	}
	wg.Wait()
	out := map[string][]Failure{}
	for i, rs := range sets {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		entries, err := os.ReadDir(rs.in)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(tmp, "svrl-"+rs.name, e.Name()))
			if err != nil {
				t.Fatalf("%s: no report for %s: %v", rs.name, e.Name(), err)
			}
			fails := failures(t, b)
			for i := range fails {
				fails[i].ID = rs.name + ":" + fails[i].ID
			}
			out[e.Name()] = append(out[e.Name()], fails...)
		}
	}
	return out
}

// failures reads the failed assertions of an SVRL report.
func failures(t testing.TB, svrl []byte) []Failure {
	t.Helper()
	var doc struct {
		Failed []struct {
			ID   string `xml:"id,attr"`
			Flag string `xml:"flag,attr"`
			Text string `xml:"text"`
		} `xml:"failed-assert"`
	}
	if err := xml.Unmarshal(svrl, &doc); err != nil {
		t.Fatalf("SVRL: %v", err)
	}
	var out []Failure
	for _, f := range doc.Failed {
		out = append(out, Failure{ID: f.ID, Flag: f.Flag, Text: strings.Join(strings.Fields(f.Text), " ")})
	}
	return out
}
