"""Automatic checks: a stage may clear a student without an officer when
Odoo's own data proves the student owes the office nothing.

A stage carries the name of its check and whether it is on (data a manager
edits). When a request reaches such a stage, `clearance.stage._run_check`
runs the check by name in the same transaction: each check is a method
`_auto_check_<name>(request)` returning (ok, what_it_saw). If it is ok, the
system records the office's decision on the step (no officer, with what it
saw) and sends the request on, through the same `_move_to` as an officer's
forward; otherwise the step keeps what the check found and the request waits
for the office. An officer of that office (or a manager) may reopen an
automatic decision while the request is still open.
"""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .clearance_request import transition, with_words, workflow_action

# Set while the checks of a request run: the forwards they make do not run
# the checks again (one loop, bounded by the number of steps, does).
CHECKING_KEY = "clearance_checking"
# The author of a step's chatter line when it is not the user whose action
# caused it: (_AUTHOR, partner id). Only this object passes; a client can
# put a number in a context, never this object.
_AUTHOR = object()
AUTHOR_KEY = "clearance_author"
SYSTEM_PARTNER = "clearance_request.partner_clearance_system"


class ClearanceStage(models.Model):
    _inherit = "clearance.stage"

    check = fields.Selection(
        [("library_loans", "Library: books not returned")],
        string="Automatic check",
        help="Data in Odoo that can clear a student at this stage without "
             "an officer: when it proves the student owes this office "
             "nothing, the system sends the request on; otherwise the "
             "request waits here with what the check found.")
    check_active = fields.Boolean(
        string="Automatic check on",
        help="Run the automatic check when a request reaches this stage.")

    @api.constrains("check", "check_active", "kind")
    def _check_automatic_check(self):
        for stage in self:
            if stage.check_active and not stage.check:
                raise ValidationError(_(
                    "Choose which automatic check the stage %(stage)s runs "
                    "before switching it on.") % {"stage": stage.name})
            if stage.check and stage.kind != "review":
                raise ValidationError(_(
                    "The stage %(stage)s has a form to fill: only review "
                    "stages can be cleared by an automatic check.")
                    % {"stage": stage.name})

    def _run_check(self, request):
        """Run this stage's check on `request`: (ok, what it saw). The
        message is in this environment's language."""
        self.ensure_one()
        method = getattr(self, "_auto_check_%s" % self.check, None) \
            if self.check else None
        if method is None:
            return False, _("The automatic check %(check)s is not available: "
                            "clear the request by hand.") % {
                                "check": self.check or "-"}
        return method(request)

    def _auto_check_library_loans(self, request):
        """The library's loans to the student that are not returned."""
        # sudo: the check reads the library's loans for the system, whoever's
        # action brought the request to the library.
        Loan = self.env["clearance.library.loan"].sudo()
        loans = Loan.search([
            ("partner_id", "=", request.sudo().partner_id.id),
            ("group_id", "=", self.group_id.id)], order="date_out, id")
        out = loans.filtered(lambda loan: not loan.date_returned)
        office = self.group_id.name
        if not loans:
            return True, _("%(office)s: no book out, no loan recorded.") % {
                "office": office}
        if not out:
            return True, _(
                "%(office)s: no book out, %(count)s loans all returned.") % {
                    "office": office, "count": len(loans)}
        books = "; ".join(
            _("%(title)s, out since %(date)s") % {
                "title": loan.book_title,
                "date": request.format_date(loan.date_out)}
            for loan in out)
        return False, _(
            "%(office)s: %(count)s books not returned: %(books)s.") % {
                "office": office, "count": len(out), "books": books}


class ClearanceRequestLine(models.Model):
    _inherit = "clearance.request.line"

    auto_decided = fields.Boolean(
        string="Cleared by the system", readonly=True,
        help="The office's automatic check cleared this step, without an "
             "officer.")
    check_result = fields.Text(
        string="What the automatic check found", readonly=True)

    @api.multi
    @workflow_action
    def action_reopen_check(self):
        """Give the office back a step its automatic check cleared: the
        request returns to this stage and waits for an officer."""
        self.ensure_one()
        request = self.request_id
        if not (self.group_id in self.env.user.groups_id
                or request._is_manager()):
            raise AccessError(_(
                "Only an officer of %(office)s or a clearance manager can "
                "reopen its automatic decision.") % {
                    "office": self.group_id.name})
        request._lock()
        self.invalidate_cache()
        if not (self.auto_decided and self.state == "done"):
            raise UserError(_(
                "Only a step cleared by an automatic check can be reopened "
                "(%(stage)s).") % {"stage": self.stage_id.name})
        if request.state not in ("progress", "hold"):
            raise UserError(_(
                "%(request)s is no longer waiting for an office: an automatic "
                "decision can be reopened only while the request is open.")
                % {"request": request.name})
        now = fields.Datetime.now()
        current = request.current_line_id
        # sudo: the route's steps are the workflow's bookkeeping; the office
        # reopening its step moves the request away from another office.
        if current != self:
            transition(current.sudo()).write({
                "state": "waiting", "decision": False, "date_start": False})
        transition(self.sudo()).write({
            "state": "current", "decision": False, "auto_decided": False,
            "date_start": now, "date_done": False})
        student = request.with_context(lang=request.sudo().partner_id.lang)
        words = student._check_words("reopened", self)
        with_words(transition(request.sudo(), "reopened"), words).with_context(**{
            AUTHOR_KEY: (_AUTHOR, self.env.user.partner_id.id),
        }).write({
            "state": "progress", "stage_id": self.stage_id.id,
            "current_line_id": self.id, "stage_date": now})
        request._sync_office_activities()
        return True


class ClearanceRequest(models.Model):
    _inherit = "clearance.request"

    cur_check_result = fields.Text(
        related="current_line_id.check_result",
        string="What the automatic check found", readonly=True)
    auto_cleared_by_me = fields.Boolean(
        string="Cleared automatically for my office",
        compute="_compute_auto_cleared_by_me",
        search="_search_auto_cleared_by_me",
        help="An automatic check cleared the step of one of your offices: "
             "you may reopen it while the request is open.")

    def _compute_auto_cleared_by_me(self):
        groups = self.env.user.groups_id
        for request in self:
            request.auto_cleared_by_me = bool(request.line_ids.filtered(
                lambda l: l.auto_decided and l.group_id in groups))

    def _search_auto_cleared_by_me(self, operator, value):
        positive = (operator == "=") == bool(value)
        # sudo: the steps of one's offices, whatever the record rules let
        # one read of the rest of the route
        lines = self.env["clearance.request.line"].sudo().search([
            ("auto_decided", "=", True),
            ("group_id", "in", self.env.user.groups_id.ids)])
        domain = [("id", "in", lines.mapped("request_id").ids)]
        return domain if positive else ["!"] + domain

    @api.multi
    @api.returns("self", lambda value: value.id)
    def message_post(self, body="", subject=None, message_type="notification",
                     subtype=None, parent_id=False, attachments=None,
                     content_subtype="html", **kwargs):
        """A step made by the system, or for another office, names its real
        author on its chatter line."""
        author = self.env.context.get(AUTHOR_KEY)
        if (isinstance(author, tuple) and len(author) == 2
                and author[0] is _AUTHOR and kwargs.get("tracking_value_ids")):
            kwargs["author_id"] = author[1]
        return super().message_post(
            body=body, subject=subject, message_type=message_type,
            subtype=subtype, parent_id=parent_id, attachments=attachments,
            content_subtype=content_subtype, **kwargs)

    def _move_to(self, line, step, vals=None):
        result = super()._move_to(line, step, vals)
        # The request now waits at `line`: the checks run from there, and
        # only when its stage has one. sudo: a stage's check is the offices'
        # setting (the workflow's line is read as the system already).
        stage = line.sudo().stage_id
        if stage.check and stage.check_active \
                and not self.env.context.get(CHECKING_KEY):
            self._run_automatic_checks()
        return result

    def _run_automatic_checks(self):
        """Run the checks of the stages the request reaches, one after
        another, in this transaction: each check that passes clears its step
        and moves the request on; the first that does not leaves it there
        with what it found. At most one pass per step of the route."""
        self.ensure_one()
        # alone in its prefetch: re-reading its step does not re-read the
        # other requests of a bulk action. sudo: where the request went is
        # the route's bookkeeping, which the acting user (whose office it
        # just left) may no longer read; the system runs the checks.
        request = self.sudo().browse(self.id).with_context(
            **{CHECKING_KEY: True})
        student_lang = None
        for _step in range(len(request.line_ids)):
            # the step just written, possibly in another environment
            request.invalidate_cache(["state", "current_line_id"], request.ids)
            request.line_ids.invalidate_cache(["state"], request.line_ids.ids)
            line = request.current_line_id
            stage = line.stage_id
            if request.state != "progress" or line.state != "current" \
                    or not (stage.check and stage.check_active):
                return
            if student_lang is None:
                student_lang = request.partner_id.lang
            # sudo: the check's data belongs to its office; the system reads
            # it, whoever's action brought the request here.
            ok, saw = stage.sudo().with_context(lang=student_lang)._run_check(
                request.with_context(lang=student_lang))
            if not ok:
                transition(line.sudo()).write({"check_result": saw})
                return
            request._clear_by_check(line, saw, student_lang)

    def _clear_by_check(self, line, saw, lang):
        """The system clears `line` on what its check saw, and sends the
        request on: the step records no officer, the chatter line is the
        system's with what it saw."""
        now = fields.Datetime.now()
        # sudo: the system decides for the office; the user whose action
        # brought the request here may not write the office's step.
        transition(line.sudo()).write({
            "state": "done", "decision": "forwarded", "officer_id": False,
            "auto_decided": True, "check_result": saw, "date_done": now})
        following = self._next_line(line)
        words = self.with_context(lang=lang)._check_words("cleared", line, saw)
        system = self.env.ref(SYSTEM_PARTNER)
        # sudo: the request now waits for an office the acting user may not
        # write for; the system moves it.
        with_words(self.sudo(), words).with_context(**{
            AUTHOR_KEY: (_AUTHOR, system.id),
        })._move_to(following, "forwarded" if following else "cleared",
                    {"handled_group_ids": [(4, line.group_id.id)]})

    def _check_words(self, event, line, saw=None):
        """The chatter line's text of an automatic decision or of its
        reopening, in this environment's language."""
        if event == "cleared":
            return _("Cleared automatically by the system: %(saw)s") % {
                "saw": saw}
        office = line.with_env(self.env).group_id.name
        return _("%(office)s reopened the decision of its automatic check; "
                 "the request waits for the office again.") % {
                     "office": office}
