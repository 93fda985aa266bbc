// Package policy is the provider's maintenance policy: the manager writes it by sections in Markdown,
// publishes it as a numbered version (approver, approval date, effective date, and for a revision
// what changed and why) that never changes afterwards, and clients read the version in force.
package policy

import (
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"maintenant/app/apperr"
)

// Status is where a version stands: a draft being written, or published (frozen).
type Status string

// The statuses.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Limits of what the manager types (the database holds the same ones).
const (
	MaxTitle         = 200
	MaxSection       = 20000
	MaxChangeSummary = 4000
	MaxApprover      = 200
)

// Catalogue keys of the refusals.
const (
	ErrPublished     = "policy.error.published"
	ErrStale         = "error.stale"
	ErrEmpty         = "policy.error.empty"
	ErrNoDraft       = "policy.error.no_draft"
	ErrDraftExists   = "policy.error.draft_exists"
	ErrEffectiveDate = "policy.error.effective_before_previous"
)

// Section names one section of the policy, in the order of the source document.
type Section string

// The sections of the policy.
const (
	SectionPurpose          Section = "purpose"
	SectionScope            Section = "scope"
	SectionDefinitions      Section = "definitions"
	SectionResponsibilities Section = "responsibilities"
	SectionPreventive       Section = "preventive"
	SectionCorrective       Section = "corrective"
	SectionServices         Section = "services"
	SectionDocumentation    Section = "documentation"
	SectionRevision         Section = "revision"
)

// Sections lists every section in the order the policy shows them.
func Sections() []Section {
	return []Section{SectionPurpose, SectionScope, SectionDefinitions, SectionResponsibilities, SectionPreventive,
		SectionCorrective, SectionServices, SectionDocumentation, SectionRevision}
}

// Label is the catalogue key naming the section ("policy.section.purpose").
func (s Section) Label() string { return "policy.section." + string(s) }

// Hint is the catalogue key of what the section is for.
func (s Section) Hint() string { return "policy.section_hint." + string(s) }

// Version is one version of the policy: the draft being written (no number yet) or a published
// version, numbered from 1. Dates are civil dates at UTC midnight.
type Version struct {
	bun.BaseModel `bun:"table:policy_versions,alias:pv"`

	ID            uuid.UUID          `bun:"id,pk,type:uuid"`
	No            int                `bun:"no,nullzero"`
	Status        Status             `bun:"status"`
	Title         string             `bun:"title"`
	Sections      map[Section]string `bun:"sections,type:jsonb"`
	ChangeSummary string             `bun:"change_summary"`
	ApproverName  string             `bun:"approver_name"`
	ApprovedOn    bun.NullTime       `bun:"approved_on,type:date"`
	EffectiveOn   bun.NullTime       `bun:"effective_on,type:date"`
	PublishedAt   bun.NullTime       `bun:"published_at"`
	PublishedBy   uuid.NullUUID      `bun:"published_by,type:uuid"`
	NotifiedAt    bun.NullTime       `bun:"notified_at"`
	CreatedBy     uuid.NullUUID      `bun:"created_by,type:uuid"`
	CreatedAt     time.Time          `bun:"created_at"`
	UpdatedAt     time.Time          `bun:"updated_at"`
	// Version counts saves of a draft, for optimistic locking.
	Version int `bun:"version"`

	// PublishedByName is read with the version, for display.
	PublishedByName string `bun:"published_by_name,scanonly"`
}

// Published tells whether the version is published (and so frozen).
func (v *Version) Published() bool { return v.Status == StatusPublished }

// Section returns the Markdown of one section.
func (v *Version) Section(s Section) string { return v.Sections[s] }

// Rendered returns a section as safe HTML.
func (v *Version) Rendered(s Section) any { return Render(v.Sections[s]) }

// Effective returns the effective date (zero for a draft).
func (v *Version) Effective() time.Time { return v.EffectiveOn.Time }

// Empty tells whether every section is blank.
func (v *Version) Empty() bool {
	for _, s := range Sections() {
		if trimmed(v.Sections[s]) != "" {
			return false
		}
	}
	return true
}

// InForceOn tells whether the version is published and effective on or before day.
func (v *Version) InForceOn(day time.Time) bool {
	return v.Published() && !v.EffectiveOn.IsZero() && !v.EffectiveOn.Time.After(Day(day))
}

// Draft is what the manager types into the editor.
type Draft struct {
	Title         string
	Sections      map[Section]string
	ChangeSummary string
}

// Publication is what publishing a draft adds: who approved it, when, and from when it is in force.
type Publication struct {
	ApproverName string
	ApprovedOn   time.Time
	EffectiveOn  time.Time
}

// normalize trims the draft and keeps only the known sections.
func (d *Draft) normalize() {
	d.Title = oneLine(d.Title)
	secs := make(map[Section]string, len(Sections()))
	for _, s := range Sections() {
		secs[s] = trimmed(d.Sections[s])
	}
	d.Sections = secs
	d.ChangeSummary = trimmed(d.ChangeSummary)
}

// check records the problems of a draft in f.
func (d *Draft) check(f apperr.Fields) {
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		f.Add("title", "error.required")
	case n > MaxTitle:
		f.Add("title", "error.too_long")
	}
	for _, s := range Sections() {
		if utf8.RuneCountInString(d.Sections[s]) > MaxSection {
			f.Add("section_"+string(s), "error.too_long")
		}
	}
	if utf8.RuneCountInString(d.ChangeSummary) > MaxChangeSummary {
		f.Add("change_summary", "error.too_long")
	}
}

// Day returns the civil date of t (its year, month and day) at UTC midnight.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
