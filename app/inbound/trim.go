package inbound

import (
	"regexp"
	"strings"
)

// Lines that begin the quoted earlier message of a reply, in the forms French and English mail
// programs write them, or a signature.
var (
	// "Le 22 nov. 2026 à 10:00, Jean <jean@x.fr> a écrit :", "On Mon, … wrote:" (possibly over two lines).
	replyIntro = regexp.MustCompile(`(?i)^(le\s.+\sa\s+[ée]crit\s*:|on\s.+\swrote\s*:|.+\s(a\s+[ée]crit|wrote)\s*:)\s*$`)
	// Outlook: "-----Original Message-----", "-----Message d'origine-----", "________________".
	outlookSep = regexp.MustCompile(`(?i)^(-{2,}\s*(original message|message d'origine|message original|forwarded message|message transféré)\s*-{2,}|_{10,})\s*$`)
	// Outlook's header block: "De : …" / "From: …" followed by "Envoyé :" / "Sent:".
	headerFrom = regexp.MustCompile(`(?i)^\*?(de|from)\s?:\*?\s`)
	headerSent = regexp.MustCompile(`(?i)^\*?(envoy[ée]|sent|date)\s?:\*?\s`)
	// Mobile signatures.
	mobileSig = regexp.MustCompile(`(?i)^(envoy[ée] de mon|sent from my|provenance\s*:|get outlook for)\b`)
)

// TrimReply keeps what the sender wrote in a reply: the text before the quoted earlier message
// ("> …" lines, "Le … a écrit :", Outlook's "De : … Envoyé : …" block) and before the signature
// ("-- " line, "Envoyé de mon iPhone"). When nothing would be left, the text is kept whole: the
// original always stays viewable anyway.
func TrimReply(s string) string {
	lines := strings.Split(s, "\n")
	cut := len(lines)
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case l == "-- " || t == "--" || t == "—" || mobileSig.MatchString(t):
			cut = i
		case outlookSep.MatchString(t):
			cut = i
		case replyIntro.MatchString(t):
			cut = i
		case (strings.HasPrefix(strings.ToLower(t), "le ") || strings.HasPrefix(strings.ToLower(t), "on ")) &&
			i+1 < len(lines) && replyIntro.MatchString(t+" "+strings.TrimSpace(lines[i+1])):
			cut = i
		case headerFrom.MatchString(t) && i+3 < len(lines) && anyMatch(headerSent, lines[i+1:i+4]):
			cut = i
		case strings.HasPrefix(t, ">") && quotedTail(lines[i:]):
			cut = i
		}
		if cut != len(lines) {
			break
		}
	}
	out := normalizeText(strings.Join(lines[:cut], "\n"))
	if out == "" {
		return s
	}
	return out
}

func anyMatch(re *regexp.Regexp, ls []string) bool {
	for _, l := range ls {
		if re.MatchString(strings.TrimSpace(l)) {
			return true
		}
	}
	return false
}

// quotedTail tells whether the rest of a text is quotation (lines starting with ">", blank lines)
// give or take a signature: interleaved answers between quoted lines are kept.
func quotedTail(ls []string) bool {
	for _, l := range ls {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, ">") {
			return false
		}
	}
	return true
}
