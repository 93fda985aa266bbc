// Package apperr gives errors a kind, so that every layer can say what went wrong without knowing
// about HTTP; the web layer turns kinds into statuses in one place.
package apperr

import (
	"errors"
	"sort"
	"strings"
)

// Kind classifies an error for the person who caused it.
type Kind int

// The kinds. Internal is the zero value: anything not classified is our fault.
const (
	Internal Kind = iota
	Invalid
	NotFound
	Forbidden
	Conflict
	Unauthorized
	TooMany
)

// Error is a classified error. Message is a catalogue key (or plain text) shown to the user; Fields
// maps a form field to the catalogue key of its problem.
type Error struct {
	Kind    Kind
	Message string
	Fields  map[string]string
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString(" " + k + ": " + e.Fields[k] + ";")
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Fields collects per-field problems while a form or a domain value is validated.
type Fields map[string]string

// Add records the first problem of a field; later ones for the same field are ignored.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns an Invalid error when any problem was recorded, else nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Message: "error.invalid", Fields: f}
}

// Invalidf returns an Invalid error with a general message and no field.
func Invalidf(msg string) error { return &Error{Kind: Invalid, Message: msg} }

// NotFoundf returns a NotFound error; the message is for logs, users see a generic page.
func NotFoundf(msg string) error { return &Error{Kind: NotFound, Message: msg} }

// Forbiddenf returns a Forbidden error.
func Forbiddenf(msg string) error { return &Error{Kind: Forbidden, Message: msg} }

// Conflictf returns a Conflict error, for stale versions and transitions that are no longer possible.
func Conflictf(msg string) error { return &Error{Kind: Conflict, Message: msg} }

// Unauthorizedf returns an Unauthorized error, for failed authentication.
func Unauthorizedf(msg string) error { return &Error{Kind: Unauthorized, Message: msg} }

// TooManyf returns a TooMany error, for rate limits.
func TooManyf(msg string) error { return &Error{Kind: TooMany, Message: msg} }

// KindOf returns the kind of the first classified error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the classified error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// FieldsOf returns the per-field problems of an Invalid error, or nil.
func FieldsOf(err error) map[string]string {
	if e, ok := As(err); ok && e.Kind == Invalid {
		return e.Fields
	}
	return nil
}
