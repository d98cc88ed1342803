import logging

from odoo import api, fields, models, tools

from .base_automation import CLEARANCE_EVENTS
from .clearance_request import STATES

_logger = logging.getLogger(__name__)

# The chatter entry of each event: its subtype stays internal (mt_note), as
# Odoo's own tracking messages, so that students read the office's words,
# not the bookkeeping.
TRACKED = ("stage_id", "state")


class ClearanceEvent(models.Model):
    """One step of a request's workflow, recorded by the transition itself.

    A transition writes the request, its steps and this record in one short
    transaction. What follows from it (the chatter entry with the tracked
    changes, the next office's to-dos, the automated actions: the mails) is
    done by `_process_pending`, run by a scheduled action a moment later, one
    event per transaction: the event is marked done in the transaction that
    did its work, so after a crash every event is done exactly once. Events of
    one request are done in order, from what the event recorded, so a mail
    names the office of its own step however late it is sent."""

    _name = "clearance.event"
    _description = "Clearance event"
    _order = "id desc"
    _rec_name = "event"

    request_id = fields.Many2one(
        "clearance.request", string="Request", required=True, readonly=True,
        index=True, ondelete="cascade")
    event = fields.Selection(CLEARANCE_EVENTS, required=True, readonly=True)
    line_id = fields.Many2one(
        "clearance.request.line", string="Step", readonly=True,
        help="The office's step the event is about: the one that acted, or "
             "the one the request reached.")
    user_id = fields.Many2one(
        "res.users", string="By", required=True, readonly=True,
        default=lambda self: self.env.uid)
    date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now)
    from_stage_id = fields.Many2one(
        "clearance.stage", string="From stage", readonly=True)
    stage_id = fields.Many2one(
        "clearance.stage", string="To stage", readonly=True)
    office_id = fields.Many2one(
        related="stage_id.group_id", string="Office", readonly=True)
    from_state = fields.Selection(STATES, string="From status", readonly=True)
    to_state = fields.Selection(STATES, string="To status", readonly=True)
    note = fields.Text(
        readonly=True,
        help="What the office told the student: the instructions for the "
             "visit or the reason for returning.")
    state = fields.Selection([
        ("pending", "Pending"),
        ("done", "Done"),
        ("failed", "Failed"),
    ], default="pending", required=True, readonly=True, index=True)
    date_done = fields.Datetime(string="Done on", readonly=True)
    error = fields.Text(readonly=True)

    @api.model_cr
    def init(self):
        # The queue: pending events in order, and each request's oldest.
        # Pending events are few next to the done ones (a million at 100k
        # requests), and the statistics usually say none: these partial
        # indexes keep the claim an index walk whatever the planner thinks.
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS clearance_event_queue_idx
            ON clearance_event (id) WHERE state = 'pending'
        """)
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS clearance_event_pending_idx
            ON clearance_event (request_id, id) WHERE state = 'pending'
        """)

    # ------------------------------------------------------------------
    # processing
    # ------------------------------------------------------------------
    def _claim(self, limit):
        """Pending events no other worker holds, each the oldest pending
        event of its request, locked for this transaction."""
        # The oldest pending event of its request, as a subquery on one
        # request: an anti-join of pending events with pending events was
        # planned as a nested loop over all of them (8 s with 11k waiting).
        self.env.cr.execute("""
            SELECT e.id FROM clearance_event e
            WHERE e.state = 'pending' AND e.id = (
                SELECT min(p.id) FROM clearance_event p
                WHERE p.request_id = e.request_id AND p.state = 'pending')
            ORDER BY e.id LIMIT %s
            FOR UPDATE SKIP LOCKED""", [limit])
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _process_pending(self, limit=None, commit=False):
        """Do the pending events, oldest first, and return how many.

        Without commit, in the caller's transaction (tests, demo data). With
        commit (the scheduled action), each event in a transaction of its own
        on a new cursor: the event is marked done in the transaction that did
        its work, and an event that fails is rolled back whole and marked
        failed, with its error, without stopping the others."""
        done = 0
        while limit is None or done < limit:
            if not commit:
                events = self.sudo()._claim(1)
                if not events:
                    break
                events._run()
            elif not self._process_one_committed():
                break
            done += 1
        return done

    def _process_one_committed(self):
        """One event on its own cursor; False when none is waiting."""
        event_id = error = None
        try:
            with api.Environment.manage(), self.pool.cursor() as cr:
                events = self.with_env(self.env(cr=cr)).sudo()._claim(1)
                if not events:
                    return False
                event_id = events.id
                events._run()
        except Exception as err:  # pylint: disable=broad-except
            if event_id is None:
                raise
            _logger.exception("clearance event %s failed", event_id)
            error = tools.ustr(err)
        if error is not None:
            with api.Environment.manage(), self.pool.cursor() as cr:
                self.with_env(self.env(cr=cr)).sudo().browse(event_id).write(
                    {"state": "failed", "error": error})
        return True

    @api.model
    def _cron_process(self):
        self._process_pending(commit=True)

    @api.multi
    def action_retry(self):
        """A manager sends failed events back to the queue."""
        self.filtered(lambda e: e.state == "failed").write(
            {"state": "pending", "error": False})
        return True

    def _run(self):
        self.ensure_one()
        request = self.request_id.sudo()
        request.invalidate_cache()
        self._post_tracking(request)
        self._post_office_words(request)
        request._sync_office_activities()
        self._run_automations()
        self.write({"state": "done", "date_done": fields.Datetime.now()})

    def _post_tracking(self, request):
        """The chatter entry of the step: what changed, signed by the user
        who acted, at the moment they acted."""
        Tracking = self.env["mail.tracking.value"]
        # In the language of the user who acted, as Odoo's own tracking.
        request = request.with_context(lang=self.user_id.lang)
        fields_info = request.fields_get(list(TRACKED))
        event = self.with_context(lang=self.user_id.lang)
        old = {"stage_id": event.from_stage_id, "state": self.from_state}
        new = {"stage_id": event.stage_id, "state": self.to_state}
        values = []
        for name in TRACKED:
            if old[name] == new[name]:
                continue
            vals = Tracking.create_tracking_values(
                old[name], new[name], name, fields_info[name])
            if vals:
                values.append((0, 0, vals))
        if not values:
            return
        request.message_post(
            author_id=self.user_id.partner_id.id, tracking_value_ids=values,
            subtype="mail.mt_note", date=self.date)

    def _post_office_words(self, request):
        """A visit asked or a return: the office's words on the thread, in
        the student's language, for the portal's chatter."""
        if self.event in ("hold", "returned"):
            request.with_context(lang=request.partner_id.lang)._post_office_words(
                self.event, self.line_id, self.note or "", self.user_id)

    def _run_automations(self):
        """The automated actions attached to this event
        (data/base_automation_data.xml). They run as the queue does, as the
        superuser: the event's user (`object.user_id`) may be a student, who
        may read neither the event nor the offices' members."""
        actions = self.env["base.automation"].sudo().search([
            ("model_name", "=", self._name),
            ("trigger", "=", "on_clearance_event"),
            ("clearance_event", "=", self.event)])
        actions = actions.with_context(__action_done={})
        for action in actions:
            action._process(action._filter_post(self.sudo()))

    def _send_mail(self, template_xmlid):
        """Queue the mail of a template about this event (automated actions).

        The template names the recipients and their language; the mail waits
        in the mail queue for the scheduler. Its message is kept on the
        request's thread, addressed to the recipients, after the sent mail is
        deleted, so that the offices see what the student was told."""
        template = self.env.ref(template_xmlid)
        Mail = self.env["mail.mail"].sudo()
        for event in self:
            request = event.request_id.sudo()
            # sudo: students and officers cause these mails but may not read
            # mail templates or every office's members.
            mail = Mail.browse(template.sudo().send_mail(event.id))
            mail.write({
                "notification": True,
                "model": request._name, "res_id": request.id,
                "record_name": request.name,
                "partner_ids": [(6, 0, mail.recipient_ids.ids)]})

    @api.multi
    def name_get(self):
        labels = dict(self._fields["event"]._description_selection(self.env))
        return [(event.id, "%s: %s" % (event.request_id.name, labels[event.event]))
                for event in self]
