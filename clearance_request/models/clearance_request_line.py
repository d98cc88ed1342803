from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .clearance_request import (
    check_text, chosen_defaults, in_transition)
from .clearance_stage import STAGE_KINDS


class ClearanceRequestLine(models.Model):
    """One office's step on one request: its decision and its stage form."""

    _name = "clearance.request.line"
    _inherit = ["clearance.input.mixin"]
    _description = "Clearance step"
    _order = "request_id, sequence, id"
    # The fields only the workflow's actions write (_check_workflow_fields);
    # the others are the stage form, which the office whose turn it is fills
    # in (the request shows it as its cur_* fields).
    _workflow_fields = frozenset([
        "request_id", "stage_id", "sequence", "kind", "group_id", "state",
        "decision", "officer_id", "date_start", "date_done",
        # service levels: the step's clock and its breaches
        "date_due", "date_escalate", "date_paused", "wait_hours",
        "days_taken", "sla_level", "date_reminded", "date_escalated",
        # automatic checks, parallel groups, substitutes
        "auto_decided", "check_result", "parallel_group", "on_behalf_of_id",
    ])

    request_id = fields.Many2one(
        "clearance.request", required=True, ondelete="cascade", index=True,
        readonly=True)
    stage_id = fields.Many2one(
        "clearance.stage", required=True, ondelete="restrict", readonly=True)
    sequence = fields.Integer(readonly=True)
    kind = fields.Selection(
        STAGE_KINDS, related="stage_id.kind", store=True, readonly=True)
    group_id = fields.Many2one(
        "res.groups", string="Office", related="stage_id.group_id",
        store=True, readonly=True, index=True)
    state = fields.Selection([
        ("waiting", "Waiting"),
        ("current", "At this office"),
        ("hold", "Waiting for the student's visit"),
        ("returned", "Returned to student"),
        ("done", "Cleared"),
        ("cancelled", "Cancelled"),
    ], default="waiting", required=True, readonly=True, index=True)
    decision = fields.Selection([
        ("forwarded", "Forwarded"),
        ("visit", "In-person visit required"),
        ("returned", "Returned"),
    ], readonly=True)
    officer_id = fields.Many2one("res.users", string="Officer", readonly=True)
    date_start = fields.Datetime(string="Reached", readonly=True)
    date_done = fields.Datetime(string="Cleared on", readonly=True)
    # The offices' internal note: never shown to the student.
    note = fields.Text(
        "Office note", groups="clearance_request.group_clearance_officer")

    # stage forms
    card_received = fields.Boolean(string="Student card handed in")
    debt_amount = fields.Float(string="Debt amount (rial)", digits=(16, 0))
    debt_status = fields.Selection([
        ("none", "No debt"),
        ("settled", "Debt settled"),
        ("outstanding", "Outstanding debt"),
    ])
    has_loan = fields.Boolean(string="Has a student loan")
    installment_start = fields.Date(string="Instalments start")
    installment_end = fields.Date(string="Instalments end")
    visit_required = fields.Boolean(
        string="The student's in-person visit is required")
    visit_instructions = fields.Text(string="Instructions for the visit")
    return_reason = fields.Text(string="Reason for returning")

    readable_by_group_ids = fields.Many2many(
        "res.groups", string="Readable by", compute="_compute_readable_by",
        search="_search_readable_by",
        help="The offices whose officers may read this step: the office "
             "where its request is now, and the offices that acted on it.")

    @api.depends("request_id.stage_id", "request_id.handled_group_ids")
    def _compute_readable_by(self):
        for line in self:
            line.readable_by_group_ids = (
                line.request_id.stage_id.group_id
                | line.request_id.handled_group_ids)

    def _search_readable_by(self, operator, value):
        """Steps of requests at, or handled by, one of the groups `value`;
        correlated with the step being read, so that the record rules cost
        one index lookup per step whatever the number of requests."""
        if operator != "in":
            raise UserError(_("Unsupported search on the offices that read."))
        group_ids = tuple(value) or (0,)
        return [("id", "inselect", (
            'SELECT line.id FROM clearance_request_line line '
            'JOIN clearance_request request ON request.id = line.request_id '
            'LEFT JOIN clearance_stage stage ON stage.id = request.stage_id '
            'WHERE line.id = "clearance_request_line".id '
            'AND (stage.group_id IN %s OR EXISTS ('
            ' SELECT 1 FROM clearance_request_handled_group_rel rel'
            ' WHERE rel.request_id = request.id AND rel.group_id IN %s))',
            (group_ids, group_ids)))]

    @api.constrains("debt_amount")
    def _check_debt_amount(self):
        for line in self:
            if line.debt_amount < 0:
                raise ValidationError(_(
                    "A debt cannot be negative (%(amount)s).")
                    % {"amount": line.debt_amount})

    @api.constrains("installment_start", "installment_end")
    def _check_installments(self):
        for line in self:
            if (line.installment_start and line.installment_end
                    and line.installment_end < line.installment_start):
                raise ValidationError(_(
                    "The instalments cannot end (%(end)s) before they start "
                    "(%(start)s).") % {"end": line.installment_end,
                                       "start": line.installment_start})

    @api.multi
    def write(self, vals):
        self._check_ids()
        for name in ("visit_instructions", "return_reason", "note"):
            if name in vals:
                check_text(self.env, vals[name], self._fields[name])
        self._check_workflow_fields(vals)
        if not in_transition(self):
            for line in self:
                if line.state not in ("current", "hold"):
                    raise UserError(_(
                        "The form of %(stage)s can be changed only while the "
                        "request is at that stage.") % {"stage": line.stage_id.name})
            self.mapped("request_id")._check_office_turn()
        return super().write(vals)

    @api.model
    def create(self, vals):
        # the values that will be stored: also those of the caller's context
        # and own defaults (chosen_defaults)
        if not in_transition(self):
            self._check_workflow_fields(dict(chosen_defaults(self, vals), **vals))
        return super().create(vals)

    def _add_missing_default_values(self, values):
        if not in_transition(self):
            self._check_workflow_fields(chosen_defaults(self, values))
        return super()._add_missing_default_values(values)

    @api.multi
    def unlink(self):
        if not in_transition(self):
            raise UserError(_("Steps of a clearance route are never deleted."))
        return super().unlink()

    def _check_workflow_fields(self, vals):
        """The workflow guard of a step (see the request's): only the
        workflow's actions write its workflow fields, and create steps."""
        if in_transition(self):
            return
        owned = sorted(self._workflow_fields.intersection(vals))
        if owned:
            raise AccessError(_(
                "These fields change only through the clearance actions: "
                "%(fields)s") % {"fields": ", ".join(owned)})

    def _check_complete(self):
        """The stage form is complete enough to send the request on."""
        for line in self:
            problems = []
            if line.kind == "card" and not line.card_received:
                problems.append(_("the student card has not been handed in"))
            if line.kind in ("debt", "installments"):
                if not line.debt_status:
                    problems.append(_("the debt status is not set"))
                elif line.debt_status == "outstanding":
                    problems.append(_(
                        "the student still has an outstanding debt"))
                if line.debt_status in ("settled", "outstanding") and not line.debt_amount:
                    problems.append(_("the debt amount is missing"))
            if line.kind == "installments" and line.has_loan and not (
                    line.installment_start and line.installment_end):
                problems.append(_(
                    "the start and end dates of the loan instalments are "
                    "missing"))
            if line.visit_required and line.state != "hold":
                problems.append(_(
                    "the in-person visit is ticked: press Initial approval of "
                    "the form to tell the student, or untick it"))
            if problems:
                raise UserError(_(
                    "%(stage)s cannot send the request on yet: %(problems)s.")
                    % {"stage": line.stage_id.name,
                       "problems": "; ".join(problems)})
