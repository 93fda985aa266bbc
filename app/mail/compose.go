package mail

import (
	"bytes"
	"fmt"

	"maintenant/app/i18n"
	"maintenant/app/templates"
)

// Composer renders a mail from views/emails/NAME.html and NAME.txt in the recipient's language; the
// subject is the catalogue message "mail.NAME.subject".
type Composer struct {
	Views     *templates.Set
	Catalogue *i18n.Catalogue
}

// Compose renders a message for one recipient. data is passed to both templates and to the subject.
func (c *Composer) Compose(name string, lang i18n.Lang, to, toName string, data map[string]any) (*Message, error) {
	args := make([]any, 0, 2*len(data))
	for k, v := range data {
		if s, ok := v.(string); ok {
			args = append(args, k, s)
		}
	}
	subject := c.Catalogue.T(lang, "mail."+name+".subject", args...)
	text, err := c.Views.RenderText(lang, "emails/"+name, data)
	if err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", name, err)
	}
	var html bytes.Buffer
	if err := c.Views.Render(&html, lang, "emails/"+name, "layouts/email", data); err != nil {
		return nil, fmt.Errorf("mail: compose %s: %w", name, err)
	}
	return &Message{ToAddress: to, ToName: toName, Subject: subject, TextBody: text, HTMLBody: html.String(), Kind: name}, nil
}
