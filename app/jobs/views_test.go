package jobs_test

import (
	"maintenant/app/i18n"
	"maintenant/app/templates"
	"maintenant/views"
)

// mailViews parses every view as the server does, with the functions the web layer adds given
// neutral stand-ins: the mails the jobs write call none of them.
func mailViews(cat *i18n.Catalogue) (*templates.Set, error) {
	return templates.New(views.FS, templates.Options{Catalogue: cat, Location: paris,
		Funcs: map[string]any{"asset": func(s string) string { return s }, "einvoice": func(any) string { return "" }}})
}
