"""Who acts on a request now: the offices of its open steps (one, or all the
offices of a parallel group), and the substitutes they named."""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .clearance_request import (
    in_transition, transition, with_words, words_of, workflow_action)

OPEN_LINE_STATES = ("current", "hold")
# The officers the current user decides for, by request id: set by the
# office actions for the chatter line of their step.
ON_BEHALF_KEY = "clearance_on_behalf"


class ClearanceStage(models.Model):
    _inherit = "clearance.stage"

    parallel_group = fields.Char(
        help="Stages that follow one another with the same parallel group "
             "act at the same time, in any order; the next stage starts "
             "when all of them are done. Empty: the stage acts alone, after "
             "the one before it.")


class ClearanceRequestLine(models.Model):
    _inherit = "clearance.request.line"

    parallel_group = fields.Char(
        readonly=True,
        help="The stage's parallel group when the route was built.")
    on_behalf_of_id = fields.Many2one(
        "res.users", string="On behalf of", readonly=True,
        help="The officer whose substitute made the decision.")
    acting_user_ids = fields.Many2many(
        "res.users", string="May act on it now",
        compute="_compute_acting_user_ids", search="_search_acting_user_ids",
        help="The users who may fill this step now: its office's officers "
             "and their substitutes, while the step is open.")
    reading_user_ids = fields.Many2many(
        "res.users", string="May read it", compute="_compute_reading_user_ids",
        search="_search_reading_user_ids",
        help="The users who may read this step: those who may read its "
             "request.")

    @api.model
    def create(self, vals):
        if "parallel_group" not in vals and vals.get("stage_id"):
            vals = dict(vals, parallel_group=self.env["clearance.stage"].browse(
                vals["stage_id"]).parallel_group or False)
        return super().create(vals)

    def _compute_acting_user_ids(self):
        for line in self:
            request = line.request_id
            line.acting_user_ids = (
                request._office_group_users(line.group_id)
                if line.state in OPEN_LINE_STATES
                and request.state in ("progress", "hold") else False)

    def _search_acting_user_ids(self, operator, value):
        if operator != "in":
            raise UserError(_("Unsupported search on who may act."))
        groups_sql, params = self.env[
            "clearance.substitution"]._office_groups_sql(_ids(value))
        return [("id", "inselect", (
            'SELECT line.id FROM clearance_request_line line '
            'JOIN clearance_request request ON request.id = line.request_id '
            'WHERE line.id = "clearance_request_line".id '
            "AND line.state IN ('current', 'hold') "
            "AND request.state IN ('progress', 'hold') "
            'AND line.group_id IN ' + groups_sql, params))]

    def _compute_reading_user_ids(self):
        for line in self:
            line.reading_user_ids = line.request_id.reading_user_ids

    def _search_reading_user_ids(self, operator, value):
        if operator != "in":
            raise UserError(_("Unsupported search on who may read."))
        return [("id", "inselect", _office_query(
            self.env, _ids(value), True,
            'SELECT line.id FROM clearance_request_line line '
            'JOIN clearance_request request ON request.id = line.request_id '
            'WHERE line.id = "clearance_request_line".id AND '))]


def _ids(value):
    return [value] if isinstance(value, int) else list(value)


# The steps of the request's current parallel group that were decided: in
# the transaction of a decision, the step is closed before the request is
# written, and an office of a group is not always the request's current one.
_DECIDED_IN_GROUP = (
    "(step.state = 'done' AND step.parallel_group = ("
    " SELECT cur.parallel_group FROM clearance_request_line cur"
    " WHERE cur.id = request.current_line_id))")


def _office_query(env, user_ids, reading, select):
    """`select` (a SELECT whose WHERE ends with AND, on a row `request`)
    completed with the condition: one of the offices of the users (their own
    or delegated to them today) has the request at its stage or has an open
    step on it (a parallel group); for reading, or acted on it; for acting,
    the request waits for an office.

    The users' offices are a named subquery, written once: PostgreSQL plans
    it once instead of once for each place it is used (a record rule is
    planned at every read: 3 ms down to under 1)."""
    groups_sql, params = env["clearance.substitution"]._office_groups_sql(
        user_ids)
    offices = "(SELECT office.gid FROM office)"
    # a returned step is open for reading; for acting, only in the
    # transaction of the return (the request is returned once it is written)
    open_states = "'current', 'hold', 'returned'"
    parts = [
        "EXISTS (SELECT 1 FROM clearance_stage stage"
        " WHERE stage.id = request.stage_id AND stage.group_id IN %s)"
        % offices,
        "EXISTS (SELECT 1 FROM clearance_request_line step"
        " WHERE step.request_id = request.id AND step.group_id IN %s"
        " AND (step.state IN (%s) OR %s))"
        % (offices, open_states, _DECIDED_IN_GROUP),
    ]
    if reading:
        parts.append(
            "EXISTS (SELECT 1 FROM clearance_request_handled_group_rel rel"
            " WHERE rel.request_id = request.id AND rel.group_id IN %s)"
            % offices)
    condition = "(%s)" % " OR ".join(parts)
    if not reading:
        condition = "request.state IN ('progress', 'hold') AND " + condition
    return "WITH office(gid) AS %s %s(%s)" % (
        groups_sql, select, condition), params


class ClearanceRequest(models.Model):
    _inherit = "clearance.request"

    acting_line_id = fields.Many2one(
        "clearance.request.line", string="Your step",
        compute="_compute_acting_line_id",
        help="The step you act on: your office's open step (in a parallel "
             "group each office has its own), otherwise the current step.")
    parallel_stage_ids = fields.Many2many(
        "clearance.stage", string="Offices at work together",
        compute="_compute_parallel_stage_ids",
        help="The offices of the parallel group the request is in that have "
             "not cleared the student yet.")
    acting_user_ids = fields.Many2many(
        "res.users", string="May act on it now",
        compute="_compute_acting_user_ids", search="_search_acting_user_ids",
        help="The officers of the offices the request waits for, and their "
             "substitutes.")
    reading_user_ids = fields.Many2many(
        "res.users", string="May read it", compute="_compute_reading_user_ids",
        search="_search_reading_user_ids",
        help="The officers whose offices have the request, acted on it or "
             "have an open step on it, and their substitutes.")
    writing_user_ids = fields.Many2many(
        "res.users", string="May change it",
        compute="_compute_acting_user_ids", search="_search_writing_user_ids",
        help="The officers of the offices the request waits for and their "
             "substitutes, also while their decision is being recorded.")

    acting_line_state = fields.Selection(
        related="acting_line_id.state", string="Your step's status")
    # The stage form: the fields of the step the user acts on.
    current_kind = fields.Selection(related="acting_line_id.kind",
                                    readonly=True)
    current_allow_hold = fields.Boolean(
        related="acting_line_id.stage_id.allow_hold", readonly=True)
    cur_card_received = fields.Boolean(
        related="acting_line_id.card_received",
        string="Student card handed in")
    cur_debt_amount = fields.Float(
        related="acting_line_id.debt_amount", string="Debt amount (rial)")
    cur_debt_status = fields.Selection(
        related="acting_line_id.debt_status", string="Debt status")
    cur_has_loan = fields.Boolean(
        related="acting_line_id.has_loan", string="Has a student loan")
    cur_installment_start = fields.Date(
        related="acting_line_id.installment_start",
        string="Instalments start")
    cur_installment_end = fields.Date(
        related="acting_line_id.installment_end", string="Instalments end")
    cur_visit_required = fields.Boolean(
        related="acting_line_id.visit_required",
        string="The student's in-person visit is required")
    cur_visit_instructions = fields.Text(
        related="acting_line_id.visit_instructions",
        string="Instructions for the visit")
    cur_return_reason = fields.Text(
        related="acting_line_id.return_reason",
        string="Reason for returning")
    # The offices' internal note: never shown to the student.
    cur_note = fields.Text(
        related="acting_line_id.note", string="Office note",
        groups="clearance_request.group_clearance_officer")

    # ------------------------------------------------------------------
    # computes and searches
    # ------------------------------------------------------------------
    def _compute_acting_line_id(self):
        for request in self:
            request.acting_line_id = request._acting_line()

    def _compute_parallel_stage_ids(self):
        for request in self:
            line = request.sudo().current_line_id
            request.parallel_stage_ids = line.parallel_group and request._parallel_run(
                line).filtered(lambda l: l.state in OPEN_LINE_STATES + (
                    "returned",)).mapped("stage_id").sudo(self.env.uid)

    def _compute_acting_user_ids(self):
        for request in self:
            users = self.env["res.users"]
            if request.state in ("progress", "hold"):
                for line in request._open_lines():
                    users |= request._office_group_users(line.group_id)
            request.acting_user_ids = request.writing_user_ids = users

    def _search_acting_user_ids(self, operator, value):
        if operator != "in":
            raise UserError(_("Unsupported search on who may act."))
        groups_sql, params = self.env[
            "clearance.substitution"]._office_groups_sql(_ids(value))
        # Not correlated: My queue lists the open steps of the user's
        # offices (indexed by state and office) once, not one lookup per
        # open request.
        return ["&", ("state", "in", ("progress", "hold")), (
            "id", "inselect", (
                'SELECT line.request_id FROM clearance_request_line line '
                "WHERE line.state IN ('current', 'hold') "
                'AND line.group_id IN ' + groups_sql, params))]

    def _search_writing_user_ids(self, operator, value):
        if operator != "in":
            raise UserError(_("Unsupported search on who may act."))
        return [("id", "inselect", _office_query(
            self.env, _ids(value), False,
            'SELECT request.id FROM clearance_request request '
            'WHERE request.id = "clearance_request".id AND '))]

    def _compute_reading_user_ids(self):
        for request in self:
            # sudo: who reads a request depends on every step of its route
            groups = request.sudo().stage_id.group_id | \
                request.sudo().handled_group_ids | request.sudo().line_ids.filtered(
                    lambda l: l.state in OPEN_LINE_STATES + ("returned",)
                ).mapped("group_id")
            users = self.env["res.users"]
            for group in groups:
                users |= request._office_group_users(group)
            request.reading_user_ids = users

    def _search_reading_user_ids(self, operator, value):
        if operator != "in":
            raise UserError(_("Unsupported search on who may read."))
        return [("id", "inselect", _office_query(
            self.env, _ids(value), True,
            'SELECT request.id FROM clearance_request request '
            'WHERE request.id = "clearance_request".id AND '))]

    # ------------------------------------------------------------------
    # who acts
    # ------------------------------------------------------------------
    def _office_group_users(self, group):
        """The active members of an office and the substitutes it has
        today."""
        # sudo: who serves an office is not every officer's business, but
        # who may act depends on it.
        group = group.sudo()
        users = group.users.filtered("active")
        Substitution = self.env["clearance.substitution"].sudo()
        for sub in Substitution.search([
                ("state", "=", "active"), ("officer_id", "in", users.ids)]):
            if sub.substitute_id.active and group.id in Substitution._delegations(
                    sub.substitute_id):
                users |= sub.substitute_id
        return users.sudo(self.env.uid)

    def _open_lines(self):
        """The steps open now: the current one, or those of a parallel
        group."""
        self.ensure_one()
        # sudo: the route's bookkeeping, whichever office's step it is. One
        # indexed search: reading the route would read every step.
        return self.env["clearance.request.line"].sudo().search([
            ("request_id", "=", self.id),
            ("state", "in", OPEN_LINE_STATES)]).sudo(self.env.uid)

    def _my_line(self, delegations=None):
        """The open step of one of the user's own offices, otherwise of an
        office delegated to them today; empty when it is not their turn."""
        self.ensure_one()
        if self.env.user.share or self.state not in ("progress", "hold"):
            return self.env["clearance.request.line"]
        lines = self._open_lines()
        if not lines:
            return lines
        groups = self.env.user.groups_id
        mine = lines.filtered(lambda l: l.group_id in groups)
        if not mine:
            if delegations is None:
                delegations = self.env["clearance.substitution"]._delegations()
            mine = lines.filtered(lambda l: l.group_id.id in delegations)
        return (mine & self.current_line_id) or mine[:1]

    def _bulk_refusal(self):
        """Why the user may not act on this request now (in a bulk action):
        "unreadable" when they may not even read it, "not_waiting" when it
        does not wait for one of their offices; False when they may act."""
        self.ensure_one()
        if not self.exists():
            return "unreadable"
        try:
            self.check_access_rights("read")
            self.check_access_rule("read")
        except AccessError:
            return "unreadable"
        return False if self.can_act else "not_waiting"

    def _acting_line(self):
        """The step an action of the current user decides: theirs, or for a
        clearance manager the current step."""
        self.ensure_one()
        return self._my_line() or self.current_line_id

    def _lock(self):
        """The form's buttons send the step the officer saw: in a parallel
        group it is their own office's, which another office's decision
        does not move."""
        expected = self.env.context.get("clearance_expected_line_id")
        if not expected:
            return super()._lock()
        super(ClearanceRequest, self.with_context(
            clearance_expected_line_id=False))._lock()
        if any(request._acting_line().id != expected for request in self):
            raise UserError(_(
                "This request has moved on since you opened it. Reload it to "
                "see where it is now."))
        return None

    def _on_behalf_of(self, line, delegations=None):
        """The officer the current user decides for on `line`, when they act
        as a substitute; empty otherwise."""
        if not line or line.group_id in self.env.user.groups_id:
            return self.env["res.users"]
        if delegations is None:
            delegations = self.env["clearance.substitution"]._delegations()
        officer_id = delegations.get(line.group_id.id)
        return self.env["res.users"].browse(officer_id)

    def _with_on_behalf(self):
        """The requests in an environment that tells their steps' chatter
        lines for whom the current user decides."""
        pairs = []
        # Most users stand in for nobody today: then no step is read here
        # (the action reads them in its own environment).
        delegations = self.env["clearance.substitution"]._delegations()
        for request in self if delegations else ():
            officer = request._on_behalf_of(
                request._my_line(delegations), delegations)
            if officer:
                pairs.append((request.id, officer.id))
        return self.with_context(**{ON_BEHALF_KEY: tuple(pairs)})

    # ------------------------------------------------------------------
    # the office actions, recorded on the officer's behalf
    # ------------------------------------------------------------------
    @api.multi
    @workflow_action
    def action_forward(self):
        if ON_BEHALF_KEY not in self.env.context:
            return self._with_on_behalf().action_forward()
        return super().action_forward()

    @api.multi
    @workflow_action
    def hold_for_visit(self, instructions=None):
        if ON_BEHALF_KEY not in self.env.context:
            return self._with_on_behalf().hold_for_visit(instructions)
        return super().hold_for_visit(instructions)

    @api.multi
    @workflow_action
    def return_to_student(self, reason=None):
        if ON_BEHALF_KEY not in self.env.context:
            return self._with_on_behalf().return_to_student(reason)
        return super().return_to_student(reason)

    def _record_decision(self, line, line_vals):
        """The step decided is the user's (in a parallel group, not always
        the current one); a substitute decides on the officer's behalf."""
        self.ensure_one()
        officer = self._on_behalf_of(line)
        vals = super()._record_decision(
            line, dict(line_vals, on_behalf_of_id=officer.id))
        if line != self.current_line_id:
            # the request shows the office that decided last (its visit or
            # its return is what the student reads)
            vals.update(current_line_id=line.id, stage_id=line.stage_id.id)
        return vals

    @api.multi
    @api.returns("self", lambda value: value.id)
    def message_post(self, body="", subject=None, message_type="notification",
                     subtype=None, parent_id=False, attachments=None,
                     content_subtype="html", **kwargs):
        """A step decided by a substitute says so on its chatter line."""
        pairs = dict(self.env.context.get(ON_BEHALF_KEY) or ())
        records = self
        if len(self) == 1 and self.id in pairs and in_transition(self) \
                and kwargs.get("tracking_value_ids"):
            officer = self.env["res.users"].sudo().browse(pairs[self.id])
            student = self.with_context(lang=self.sudo().partner_id.lang)
            note = student._on_behalf_note(self.env.user.sudo(), officer)
            words = words_of(self)
            if words:
                records = with_words(self, "%s\n%s" % (words, note))
            else:
                body, content_subtype = note, "plaintext"
        return super(ClearanceRequest, records).message_post(
            body=body, subject=subject, message_type=message_type,
            subtype=subtype, parent_id=parent_id, attachments=attachments,
            content_subtype=content_subtype, **kwargs)

    def _on_behalf_note(self, user, officer):
        """The chatter line's words, in this environment's language."""
        return _("By %(user)s on behalf of %(officer)s.") % {
            "user": user.name, "officer": officer.name}

    # ------------------------------------------------------------------
    # parallel groups
    # ------------------------------------------------------------------
    def _parallel_run(self, line):
        """The steps of the route that act together with `line`: the
        neighbours in route order with the same parallel group."""
        self.ensure_one()
        if not line.parallel_group:
            return line
        route = self.sudo().line_ids.sorted(lambda l: (l.sequence, l.id))
        ids = route.ids
        start = end = ids.index(line.id)
        while start > 0 and route[start - 1].parallel_group == line.parallel_group:
            start -= 1
        while end + 1 < len(ids) and route[end + 1].parallel_group == line.parallel_group:
            end += 1
        return route[start:end + 1]

    def _next_line(self, line):
        """Inside a parallel group the request stays while another of its
        offices has not decided."""
        if line.parallel_group:
            still_open = (self._parallel_run(line) - line).filtered(
                lambda l: l.state in OPEN_LINE_STATES)
            if still_open:
                return (still_open & self.current_line_id) or still_open[:1]
        return super()._next_line(line)

    def _move_to(self, line, step, vals=None):
        """Reaching a parallel group opens the steps of all its offices;
        a decision inside the group, with offices still at work, keeps the
        request there."""
        self.ensure_one()
        if line and line.state in OPEN_LINE_STATES:
            holds = self._parallel_run(line).filtered(
                lambda l: l.state == "hold")
            vals = dict(vals or {}, stage_id=line.stage_id.id,
                        current_line_id=line.id,
                        state="hold" if holds else "progress")
            transition(self, step).write(vals)
            self._sync_office_activities()
            return
        if line and line.parallel_group:
            # sudo: the other offices' steps of the group open with it
            transition((self._parallel_run(line) - line).filtered(
                lambda l: l.state == "waiting")).sudo().write({
                    "state": "current", "date_start": fields.Datetime.now()})
        super()._move_to(line, step, vals)

    def _office_users(self):
        """Every office with an open step: the whole parallel group."""
        self.ensure_one()
        # sudo: a student's action hands the request to offices whose
        # members only employees may list.
        request = self.sudo()
        groups = request.stage_id.group_id
        if request.current_line_id.parallel_group:
            groups |= self._open_lines().sudo().mapped("group_id")
        return groups.mapped("users").filtered(lambda u: u.active)

    def _todo_summary(self):
        """A parallel group's to-do names its offices' stages."""
        line = self.sudo().current_line_id
        if not line.parallel_group:
            return super()._todo_summary()
        stages = self._parallel_run(line).mapped("stage_id").with_env(self.env)
        return _("Clearance: %(stage)s") % {
            "stage": "، ".join(stages.mapped("name"))
            if (self.env.context.get("lang") or "").startswith("fa")
            else ", ".join(stages.mapped("name"))}
