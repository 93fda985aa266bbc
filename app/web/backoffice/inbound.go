package backoffice

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"maintenant/app/accounts"
	"maintenant/app/apperr"
	"maintenant/app/contracts"
	"maintenant/app/database"
	"maintenant/app/inbound"
	"maintenant/app/sla"
	"maintenant/app/tickets"
	"maintenant/app/web"
)

const inboundPath = "/admin/inbound"

// inboundService is the service of the mailbox when there is one, else one built for the triage
// actions (they need no mailbox).
func (h *handler) inboundService() *inbound.Service {
	if h.Inbound != nil && h.Inbound.Service != nil {
		return h.Inbound.Service
	}
	return &inbound.Service{DB: h.DB, Files: h.Files, Outbox: h.Outbox, Composer: h.Composer, Now: h.Now,
		Location: h.Config.Location, BaseURL: h.Config.BaseURL.String(), Logger: h.Logger}
}

// inboundListPage is the view model of the inbound mail list.
type inboundListPage struct {
	web.Page
	Status   inbound.Status
	Tabs     []inboundTab
	Messages []*inbound.Message
	NextURL  string
	FirstURL string
}

// inboundTab is one status of the list, as a link.
type inboundTab struct {
	Label  string
	URL    string
	Active bool
	Count  int
}

// handleInboundIndex handles the "GET /admin/inbound" route: the mails waiting in triage (?status=
// shows the others: new tickets, replies, ignored, discarded), newest first.
func (h *handler) handleInboundIndex(c *fiber.Ctx) error {
	ctx := c.UserContext()
	status := inbound.Status(c.Query("status", string(inbound.StatusTriage)))
	if !status.Valid() {
		status = inbound.StatusTriage
	}
	page, err := inbound.List(ctx, h.DB.Bun, status, c.Query("after"), 30)
	if err != nil {
		return err
	}
	triage, err := inbound.CountTriage(ctx, h.DB.Bun)
	if err != nil {
		return err
	}
	p := &inboundListPage{Page: h.NewPage(c, "inbound.title"), Status: status, Messages: page.Messages}
	for _, s := range inbound.Statuses() {
		tab := inboundTab{Label: s.Label(), URL: inboundPath + "?status=" + string(s), Active: s == status}
		if s == inbound.StatusTriage {
			tab.URL, tab.Count = inboundPath, triage
		}
		p.Tabs = append(p.Tabs, tab)
	}
	q := url.Values{}
	if status != inbound.StatusTriage {
		q.Set("status", string(status))
	}
	if page.Next != "" {
		q.Set("after", page.Next)
		p.NextURL = inboundPath + "?" + q.Encode()
		q.Del("after")
	}
	if c.Query("after") != "" {
		p.FirstURL = inboundPath + "?" + q.Encode()
	}
	return h.Render(c, fiber.StatusOK, "backoffice/inbound/index", p)
}

// inboundShowPage is the view model of one mail.
type inboundShowPage struct {
	web.Page
	M    *inbound.Message
	Size string
	// Notes are the remarks of the record in words (files refused, acknowledgement not sent).
	Notes     []string
	Folder    string
	DecidedBy string
	// The attach form: the clients, and for the one chosen its contacts and contracts.
	Clients   []contracts.ClientChoice
	ClientID  string
	Client    string
	Contacts  []accounts.User
	Contracts []tickets.ContractChoice
	Prios     []sla.Priority
}

// inboundShowData reads a mail's page; clientID is the client chosen in the attach form (uuid.Nil
// for the mail's own, if any).
func (h *handler) inboundShowData(c *fiber.Ctx, id, clientID uuid.UUID, form map[string]string) (*inboundShowPage, error) {
	ctx := c.UserContext()
	m, err := inbound.Get(ctx, h.DB.Bun, id)
	if err != nil {
		return nil, err
	}
	p := &inboundShowPage{Page: h.NewPage(c, "inbound.title"), M: m, Size: h.fileSize(c, int(m.SizeBytes)),
		Folder: inbound.DefaultProcessedFolder, Prios: sla.Priorities()}
	if h.Inbound != nil {
		p.Folder = h.Inbound.Mailbox.Processed
	}
	for _, line := range strings.Split(m.Notes, "\n") {
		line = strings.TrimSpace(line)
		name, key, found := strings.Cut(line, ": ")
		switch {
		case line == "":
		case line == "ack_rate_limited":
			p.Notes = append(p.Notes, h.T(c, "inbound.note.ack_rate_limited"))
		case found && strings.HasPrefix(key, "tickets.error."):
			p.Notes = append(p.Notes, name+" : "+h.T(c, key))
		default:
			p.Notes = append(p.Notes, line)
		}
	}
	p.Title = m.Subject
	if p.Title == "" {
		p.Title = h.T(c, "inbound.no_subject")
	}
	if m.DecidedBy.Valid {
		if u, err := accounts.UserByID(ctx, h.DB.Bun, m.DecidedBy.UUID); err == nil {
			p.DecidedBy = u.Name
		}
	}
	p.Form = form
	if p.Form == nil {
		p.Form = map[string]string{"priority": sla.Normal.String()}
	}
	if m.Status != inbound.StatusTriage {
		return p, nil
	}
	if clientID == uuid.Nil && m.ClientID.Valid {
		clientID = m.ClientID.UUID
	}
	if p.Clients, err = contracts.ClientChoices(ctx, h.DB.Bun, uuid.Nil); err != nil {
		return nil, err
	}
	for _, ch := range p.Clients {
		if ch.ID == clientID {
			p.ClientID, p.Client = ch.ID.String(), ch.Name
		}
	}
	if p.ClientID == "" {
		return p, nil
	}
	users, err := accounts.ListClientUsers(ctx, h.DB.Bun, clientID)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Active {
			p.Contacts = append(p.Contacts, u)
			if _, set := p.Form["reporter_id"]; !set && strings.EqualFold(u.Email, m.FromAddress) {
				p.Form["reporter_id"] = u.ID.String()
			}
		}
	}
	if p.Contracts, err = tickets.ContractChoices(ctx, h.DB.Bun, clientID, h.Now(), h.Config.Location); err != nil {
		return nil, err
	}
	return p, nil
}

// handleInboundShow handles the "GET /admin/inbound/:id" route: one mail, its text kept and whole,
// its source, and in triage the forms to attach it to a client (?client= chooses it) or discard it.
func (h *handler) handleInboundShow(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	clientID, _ := uuid.Parse(c.Query("client"))
	p, err := h.inboundShowData(c, id, clientID, nil)
	if err != nil {
		return err
	}
	return h.Render(c, fiber.StatusOK, "backoffice/inbound/show", p)
}

// handleInboundSource handles the "GET /admin/inbound/:id/source" route: the mail's source as
// received (only its header for a mail over the size limit), always downloaded.
func (h *handler) handleInboundSource(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	m, err := inbound.Get(c.UserContext(), h.DB.Bun, id)
	if err != nil {
		return err
	}
	name := "message-" + m.ReceivedAt.In(h.Config.Location).Format("20060102-150405") + ".eml"
	c.Set(fiber.HeaderContentType, "message/rfc822")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Send(m.Raw)
}

// handleInboundAttach handles the "POST /admin/inbound/:id/attach" route: a ticket is opened for the
// client chosen with the mail's text and files.
func (h *handler) handleInboundAttach(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"client_id", "reporter_id", "contract_service", "priority"} {
		form[k] = c.FormValue(k)
	}
	clientID, _ := uuid.Parse(form["client_id"])
	in := inbound.AttachInput{ClientID: clientID}
	bad := apperr.Fields{}
	if clientID == uuid.Nil {
		bad.Add("client_id", "inbound.error.client")
	}
	if pr, err := sla.ParsePriority(form["priority"]); err == nil {
		in.Priority = pr
	}
	if form["reporter_id"] != "" {
		if in.ReporterID, err = uuid.Parse(form["reporter_id"]); err != nil {
			bad.Add("reporter_id", "tickets.error.reporter_unknown")
		}
	}
	var ok bool
	if in.ContractID, in.ServiceLabel, ok = ticketContractService(form["contract_service"]); !ok {
		bad.Add("contract_service", "tickets.error.contract_unknown")
	}
	u := web.CurrentUser(c)
	var t *tickets.Ticket
	if err := bad.Err(); err == nil {
		err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
			t, err = h.inboundService().AttachToClient(ctx, tx, id, in, tickets.StaffActor(web.Actor(c), u.Name))
			return err
		})
		if err != nil {
			if apperr.KindOf(err) == apperr.Conflict {
				h.SetFlash(c, web.FlashError, h.T(c, inbound.ErrNotInTriage))
				return h.Redirect(c, inboundPath+"/"+id.String())
			}
			if apperr.KindOf(err) != apperr.Invalid {
				return err
			}
			for k, v := range apperr.FieldsOf(err) {
				switch k {
				case "contract_id", "service_label":
					k = "contract_service"
				case "title", "description", "reporter_label":
					k = "client_id"
				}
				bad.Add(k, v)
			}
		}
	}
	if len(bad) > 0 {
		p, err := h.inboundShowData(c, id, clientID, form)
		if err != nil {
			return err
		}
		p.Errors = bad
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/inbound/show", p)
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "inbound.flash.attached", "Reference", t.Reference()))
	return h.Redirect(c, ticketsPath+"/"+t.ID.String())
}

// handleInboundDiscard handles the "POST /admin/inbound/:id/discard" route.
func (h *handler) handleInboundDiscard(c *fiber.Ctx) error {
	id, err := web.ParseUUID(c.Params("id"))
	if err != nil {
		return err
	}
	u := web.CurrentUser(c)
	err = h.DB.InTx(c.UserContext(), func(ctx context.Context, tx *database.Tx) error {
		return h.inboundService().Discard(ctx, tx, id, tickets.StaffActor(web.Actor(c), u.Name))
	})
	if apperr.KindOf(err) == apperr.Conflict {
		h.SetFlash(c, web.FlashError, h.T(c, inbound.ErrNotInTriage))
		return h.Redirect(c, inboundPath+"/"+id.String())
	}
	if err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "inbound.flash.discarded"))
	return h.Redirect(c, inboundPath)
}

// inboundMailboxPage is the view model of the mailbox state.
type inboundMailboxPage struct {
	web.Page
	Mailbox  *inbound.Mailbox
	State    *inbound.State
	Triage   int
	Interval string
	Address  string
}

// handleInboundMailbox handles the "GET /admin/inbound/mailbox" route: the mailbox polled, its last
// poll and error, the mails waiting; for the demo mailbox, a form to drop a test message.
func (h *handler) handleInboundMailbox(c *fiber.Ctx) error {
	p, err := h.inboundMailboxData(c)
	if err != nil {
		return err
	}
	p.Form = map[string]string{"from": "client@boulangerie.demo.test"}
	return h.Render(c, fiber.StatusOK, "backoffice/inbound/mailbox", p)
}

func (h *handler) inboundMailboxData(c *fiber.Ctx) (*inboundMailboxPage, error) {
	ctx := c.UserContext()
	st, err := inbound.GetState(ctx, h.DB.Bun)
	if err != nil {
		return nil, err
	}
	n, err := inbound.CountTriage(ctx, h.DB.Bun)
	if err != nil {
		return nil, err
	}
	p := &inboundMailboxPage{Page: h.NewPage(c, "inbound.mailbox.title"), State: st, Triage: n,
		Interval: pollInterval(h.Config.IMAPPollInterval), Address: h.Outbox.ReplyTo}
	if h.Inbound != nil {
		p.Mailbox = h.Inbound.Mailbox
	}
	return p, nil
}

// handleInboundPoll handles the "POST /admin/inbound/poll" route: the mailbox is read now, in the
// request (the periodic job does the same on its own).
func (h *handler) handleInboundPoll(c *fiber.Ctx) error {
	if h.Inbound == nil {
		return apperr.NotFoundf("mailbox")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 50*time.Second)
	defer cancel()
	once := *h.Inbound // read and leave: the periodic job is the one that waits with IDLE
	once.Idle = 0
	res, err := once.Poll(ctx)
	switch {
	case err != nil:
		h.SetFlash(c, web.FlashError, h.T(c, "inbound.mailbox.poll_failed", "Error", err.Error()))
	case res.Busy:
		h.SetFlash(c, web.FlashError, h.T(c, "inbound.mailbox.busy"))
	default:
		h.SetFlash(c, web.FlashSuccess, h.T(c, "inbound.mailbox.polled", "Read", res.Read, "Waiting", res.Waiting))
	}
	return h.Redirect(c, inboundPath+"/mailbox")
}

// handleInboundDrop handles the "POST /admin/inbound/demo" route: a test message is put into the
// demo mailbox as if the address given had sent it. Only the demo mailbox takes it.
func (h *handler) handleInboundDrop(c *fiber.Ctx) error {
	if h.Inbound == nil || !h.Inbound.Mailbox.Demo {
		return apperr.NotFoundf("demo mailbox")
	}
	form := map[string]string{"from": strings.TrimSpace(c.FormValue("from")), "subject": c.FormValue("subject"), "body": c.FormValue("body")}
	bad := apperr.Fields{}
	from, err := mail.ParseAddress(form["from"])
	if err != nil || len(form["from"]) > 254 {
		bad.Add("from", "inbound.error.email")
	}
	subject := strings.Join(strings.Fields(form["subject"]), " ")
	switch {
	case subject == "":
		bad.Add("subject", "error.required")
	case len(subject) > 300:
		bad.Add("subject", "error.too_long")
	}
	body := strings.TrimSpace(form["body"])
	switch {
	case body == "":
		bad.Add("body", "error.required")
	case len(body) > 20000:
		bad.Add("body", "error.too_long")
	}
	if len(bad) > 0 {
		p, err := h.inboundMailboxData(c)
		if err != nil {
			return err
		}
		p.Form, p.Errors = form, bad
		return h.Render(c, fiber.StatusUnprocessableEntity, "backoffice/inbound/mailbox", p)
	}
	raw := demoMessage(from, subject, body, h.Now())
	if err := h.Inbound.Mailbox.Append(raw); err != nil {
		return err
	}
	h.SetFlash(c, web.FlashSuccess, h.T(c, "inbound.drop.done"))
	return h.Redirect(c, inboundPath+"/mailbox")
}

// demoMessage writes a plain text mail from an address to the demo mailbox, accents encoded.
func demoMessage(from *mail.Address, subject, body string, now time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: <%s>\r\n", inbound.DemoAddress)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@demo.maintenant.test>\r\n", uuid.Must(uuid.NewV7()))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return b.Bytes()
}

// pollInterval writes a polling interval for people: "1 min", "30 s", "2 h".
func pollInterval(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return fmt.Sprintf("%d s", d/time.Second)
}
