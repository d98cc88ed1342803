"""Service levels of the clearance steps: each step's deadline in working
days, the clock that stops while the request waits for the student, the
daily reminders and escalations, and the expected completion dates shown to
the student.

The clock follows the step's state, which only the workflow writes
(clearance_request.py, _move_to and the action_* methods): reaching a step
starts it, a visit asked (hold), a return or a cancellation stops it, the
step being current again resumes it and moves the deadlines by the working
time spent waiting."""
import datetime
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .clearance_request import transition

_logger = logging.getLogger(__name__)

PAUSED_STATES = ("hold", "returned", "cancelled")
SLA_LEVELS = [
    ("overdue", "Past the target"),
    ("escalated", "Escalated to the office head"),
]
# How far back an office's real durations are read for the expected dates.
HISTORY_DAYS = 90


class ClearanceRequestLine(models.Model):
    _inherit = "clearance.request.line"

    date_due = fields.Datetime(
        string="Due", readonly=True, copy=False, index=True,
        help="When the office should have cleared the request: its target in "
             "working days from the moment the request reached it, moved by "
             "the working time the request waited for the student.")
    date_escalate = fields.Datetime(
        string="Escalated after", readonly=True, copy=False,
        help="Past this moment the request is escalated to the office head.")
    date_paused = fields.Datetime(
        string="Clock stopped since", readonly=True, copy=False,
        help="The request waits for the student since then: the deadline's "
             "clock is stopped.")
    wait_hours = fields.Float(
        string="Working hours waited for the student", readonly=True,
        copy=False)
    days_taken = fields.Float(
        string="Working days at the office", readonly=True, copy=False,
        help="Working days between reaching the office and its decision, "
             "without the time the request waited for the student.")
    # What a breach recorded: for the offices and managers, never students.
    sla_level = fields.Selection(
        SLA_LEVELS, string="Breach", readonly=True, copy=False,
        groups="clearance_request.group_clearance_officer")
    date_reminded = fields.Datetime(
        string="Overdue since", readonly=True, copy=False,
        groups="clearance_request.group_clearance_officer")
    date_escalated = fields.Datetime(
        string="Escalated on", readonly=True, copy=False,
        groups="clearance_request.group_clearance_officer")

    @api.model_cr
    def init(self):
        # The offices' real durations of the last days (expected dates).
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS clearance_request_line_done_idx
            ON clearance_request_line (stage_id, date_done)
            WHERE state = 'done'
        """)

    # ------------------------------------------------------------------
    # the clock, driven by the workflow's writes of the step's state
    # ------------------------------------------------------------------
    @api.multi
    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        now = vals.get("date_done") or vals.get("date_start") or \
            fields.Datetime.now()
        clocks = {line: line._clock_vals(vals, now) for line in self}
        if not any(clocks.values()):
            return super().write(vals)
        for line, extra in clocks.items():
            super(ClearanceRequestLine, line).write(dict(vals, **extra))
        return True

    def _clock_vals(self, vals, now):
        """What the step's clock records when the workflow writes `vals`."""
        self.ensure_one()
        state, old = vals["state"], self.state
        stage = self.stage_id
        if state == "current" and vals.get("date_start"):
            start = vals["date_start"]
            if not (stage.sla_days or stage.sla_escalate_days):
                return {"date_due": False, "date_escalate": False}
            # the calendar's holidays read once for both deadlines
            calendar = stage._sla_calendar()._in_tz(start)
            hours = calendar.hours_per_day
            return {
                "date_due": stage.sla_days and calendar.clearance_plan(
                    start, stage.sla_days * hours),
                "date_escalate": stage.sla_escalate_days and
                calendar.clearance_plan(start, stage.sla_escalate_days * hours),
                "date_paused": False, "wait_hours": 0.0, "days_taken": 0.0,
            }
        if not self.date_start:
            return {}
        if state in PAUSED_STATES and old == "current":
            return {"date_paused": now}
        if state not in ("current", "done") or (
                state == "current" and not self.date_paused):
            return {}
        calendar = stage._sla_calendar()._in_tz(self.date_start)
        extra = {}
        if self.date_paused:
            waited = calendar.clearance_work_hours(self.date_paused, now)
            extra = {"date_paused": False,
                     "wait_hours": self.wait_hours + waited}
            if state == "current":
                extra.update(
                    date_due=self.date_due and calendar.clearance_plan(
                        self.date_due, waited),
                    date_escalate=self.date_escalate and
                    calendar.clearance_plan(self.date_escalate, waited))
        if state == "done":
            worked = calendar.clearance_work_hours(self.date_start, now) - \
                extra.get("wait_hours", self.wait_hours)
            extra["days_taken"] = max(worked, 0.0) / calendar.hours_per_day
        return extra

    # ------------------------------------------------------------------
    # reminders and escalation (the daily scheduled action)
    # ------------------------------------------------------------------
    @api.model
    def _cron_service_levels(self):
        """Record the new breaches on their steps and in their requests'
        history, escalate past the second limit, and send each officer of an
        office one digest of the office's overdue requests."""
        now = fields.Datetime.now()
        # sudo: the scheduled action watches every office's steps.
        Line = self.sudo()
        Line._start_missing_clocks(now)
        overdue = Line.search([
            ("state", "=", "current"), ("date_due", "!=", False),
            ("date_due", "<", now)])
        for line in overdue.filtered(lambda l: not l.sla_level):
            line._record_breach("overdue", now)
        for line in overdue.filtered(
                lambda l: l.date_escalate and l.date_escalate < now
                and l.sla_level != "escalated"):
            line._record_breach("escalated", now)
            line._escalate()
        self._send_digests(overdue)
        return True

    @api.model
    def _start_missing_clocks(self, now):
        """Steps at an office without a due date (reached before the service
        levels were installed, or before their stage had a target): their
        clock starts from the moment they reached the office; one waiting
        for the student stops it now."""
        missing = self.search([
            ("state", "in", ("current", "hold", "returned")),
            ("date_start", "!=", False), ("date_due", "=", False),
            "|", ("stage_id.sla_days", ">", 0),
            ("stage_id.sla_escalate_days", ">", 0)])
        for line in missing:
            vals = line._clock_vals(
                {"state": "current", "date_start": line.date_start},
                line.date_start)
            if line.state != "current":
                vals["date_paused"] = now
            transition(line).write(vals)

    def _record_breach(self, level, now):
        """The breach on the step, and once in the request's history."""
        self.ensure_one()
        vals = {"sla_level": level}
        vals["date_reminded" if level == "overdue" else "date_escalated"] = now
        if level == "escalated" and not self.date_reminded:
            vals["date_reminded"] = now
        transition(self).write(vals)
        reader = self._office_reader()
        body = self.with_context(lang=reader.lang, tz=reader.tz)._breach_text(
            level)
        self.request_id.message_post(
            body=body, message_type="notification",
            subtype="clearance_request.mt_request_%s" % level,
            content_subtype="plaintext")

    def _breach_text(self, level):
        """The history line of a breach, in this environment's language."""
        request = self.request_id.with_env(self.env)
        values = {
            "office": self.group_id.with_env(self.env).name,
            "due": request.format_date(self.date_due, with_time=True),
            "limit": request.format_date(self.date_escalate, with_time=True),
            "head": self.stage_id.head_user_id.name or _("nobody"),
        }
        if level == "overdue":
            return _("%(office)s has passed its deadline of %(due)s.") % values
        return _("%(office)s has passed its escalation limit of %(limit)s: "
                 "escalated to the office head, %(head)s.") % values

    def _escalation_summary(self):
        """The title of the head's to-do, in this environment's language."""
        return _("Escalated: %(request)s is late at %(office)s") % {
            "request": self.request_id.name,
            "office": self.group_id.with_env(self.env).name}

    def _office_reader(self):
        """Whose language the office's history lines are written in."""
        return (self.stage_id.head_user_id
                or self.group_id.users.filtered(lambda u: not u.share)[:1]
                or self.env.user)

    def _escalate(self):
        """The office head's to-do and mail."""
        self.ensure_one()
        head = self.stage_id.head_user_id
        if not head:
            _logger.info("No office head on %s: escalation recorded only",
                         self.stage_id.name)
            return
        request = self.request_id
        # sudo: the escalation goes to the head, whom the scheduled action
        # assigns; heads are not made followers (no later step's mails).
        self.env["mail.activity"].sudo().with_context(
            clearance_no_follow=True).create({
                "res_model_id": self.env["ir.model"]._get_id(request._name),
                "res_id": request.id,
                "activity_type_id": self.env.ref(
                    "mail.mail_activity_data_todo").id,
                "user_id": head.id,
                "summary": self.with_context(
                    lang=head.lang)._escalation_summary(),
                "date_deadline": fields.Date.context_today(
                    request.with_context(tz=head.tz)),
            })
        self.env.ref("clearance_request.mail_template_sla_escalation") \
            .send_mail(self.id)

    @api.model
    def _send_digests(self, overdue):
        """One mail a day to each officer of an office with overdue requests."""
        template = self.env.ref("clearance_request.mail_template_sla_digest")
        for office in overdue.mapped("group_id"):
            lines = overdue.filtered(lambda l: l.group_id == office).sorted(
                lambda l: (l.date_due, l.id))
            officers = office.users.filtered(lambda u: u.active and not u.share)
            for officer in officers:
                template.with_context(
                    clearance_office_name=office.with_context(
                        lang=officer.lang).name,
                    clearance_line_ids=lines.ids,
                    # the records: a template reaches no other model
                    clearance_lines=lines).send_mail(officer.id)

    # ------------------------------------------------------------------
    # expected completion, for the student
    # ------------------------------------------------------------------
    @api.model
    def _recent_medians(self, stages):
        """Each stage's median working days at the office over the last
        HISTORY_DAYS days: {stage id: days}. The ORM has no median; one
        query computes them all, on the index of init()."""
        if not stages:
            return {}
        since = fields.Datetime.to_string(
            datetime.datetime.utcnow() - datetime.timedelta(days=HISTORY_DAYS))
        self.env.cr.execute("""
            SELECT stage_id,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY days_taken)
            FROM clearance_request_line
            WHERE state = 'done' AND stage_id IN %s AND date_done >= %s
              AND date_start IS NOT NULL
            GROUP BY stage_id
        """, (tuple(stages.ids), since))
        return dict(self.env.cr.fetchall())

    @api.multi
    def _expected_dates(self):
        """When each open step of these (one request's, in order) steps is
        expected to be done: {line id: naive UTC string}.

        An office is expected to take the larger of its target and its
        recent median: the target is a promise, the median what the office
        really does; the student is better told the later date than one that
        slips. The current office counts from the moment the request reached
        it (the time waited for the student excluded), the next ones one
        after the other; a request waiting for the student is expected to
        go on now. A request that is not under way (draft, cleared,
        cancelled) expects nothing."""
        # sudo: the student's tracker reads the offices' durations and the
        # calendar, which students may not read.
        lines = self.sudo().filtered(
            lambda l: l.request_id.state in ("progress", "hold", "returned")
        ).sorted(lambda l: (l.sequence, l.id))
        medians = self._recent_medians(lines.mapped("stage_id"))
        now = fields.Datetime.now()
        open_lines = lines.filtered(
            lambda l: l.state not in ("done", "cancelled")
            and l.kind != "create")
        since = min([now] + [
            line.date_start for line in open_lines if line.date_start])
        # each calendar and its holidays read once for the whole route
        calendars = {}
        for stage in open_lines.mapped("stage_id"):
            calendar = stage.calendar_id
            if calendar.id not in calendars:
                calendars[calendar.id] = stage._sla_calendar()._in_tz(since)
        expected, previous = {}, now
        for line in open_lines:
            stage = line.stage_id
            calendar = calendars[stage.calendar_id.id]
            days = max(stage.sla_days or 0.0, medians.get(stage.id) or 0.0)
            hours = days * calendar.hours_per_day
            if line.state in ("current", "hold", "returned") and line.date_start:
                waited = line.wait_hours
                if line.date_paused:
                    waited += calendar.clearance_work_hours(
                        line.date_paused, now)
                end = calendar.clearance_plan(line.date_start, hours + waited)
                end = max(end, now)
            else:
                end = calendar.clearance_plan(previous, hours)
            expected[line.id] = previous = end
        return expected


class ClearanceRequest(models.Model):
    _inherit = "clearance.request"

    # The current step's, not stored: the step changes it as the office
    # works, and the request may no longer be the acting officer's to
    # write. My queue lists the oldest first, hence the most overdue.
    date_due = fields.Datetime(
        related="current_line_id.date_due", readonly=True,
        string="Due at the office",
        help="When the office the request waits for should have cleared it.")
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="The request waits for an office past the office's target.")

    @api.depends("date_due", "state")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for request in self:
            request.is_overdue = request.state == "progress" and bool(
                request.date_due) and request.date_due < now

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on overdue requests."))
        now = fields.Datetime.now()
        if (operator == "=") == value:
            return ["&", ("state", "=", "progress"), ("date_due", "<", now)]
        return ["|", "|", ("state", "!=", "progress"),
                ("date_due", "=", False), ("date_due", ">=", now)]
