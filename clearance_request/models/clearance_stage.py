from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

STAGE_KINDS = [
    ("create", "Creation by the student"),
    ("card", "Student card handed in"),
    ("review", "Review"),
    ("debt", "Debt status"),
    ("installments", "Debt status and loan instalments"),
]


class ClearanceStage(models.Model):
    """One office's step of the clearance route. Policy lives here, as data."""

    _name = "clearance.stage"
    _description = "Clearance stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, required=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        STAGE_KINDS, required=True, default="review",
        help="Which form the office fills at this stage.")
    group_id = fields.Many2one(
        "res.groups", string="Office",
        ondelete="restrict",
        domain=lambda self: [("category_id", "=", self.env.ref(
            "clearance_request.module_category_clearance_offices").id)],
        help="Members of this group act on requests at this stage. "
             "Empty only for the student's own creation stage.")
    office_user_ids = fields.Many2many(
        "res.users", string="Office staff", related="group_id.users",
        readonly=True)
    condition = fields.Char(
        default="[]", required=True,
        help="Domain on the clearance request: the stage is part of a "
             "request's route only when the request matches it, e.g. "
             "[('student_shift', '=', 'second')].")
    allow_hold = fields.Boolean(
        string="In-person visit possible",
        help="The office may require the student to come in person and hold "
             "the request at this stage until the visit.")
    description = fields.Text(
        translate=True, help="What the office checks at this stage.")
    fold = fields.Boolean(string="Folded in kanban")

    @api.multi
    def name_get(self):
        # The request's statusbar shows the whole route: office names keep it
        # on one line, where the notice's full stage names would not fit.
        if not self.env.context.get("clearance_stage_short"):
            return super().name_get()
        return [(stage.id, stage.group_id.sudo().name or stage.name)
                for stage in self]

    @api.constrains("kind", "group_id")
    def _check_group(self):
        for stage in self:
            if stage.kind != "create" and not stage.group_id:
                raise ValidationError(_(
                    "The stage %(stage)s needs an office group: its officers "
                    "act on the requests that reach it.") % {"stage": stage.name})

    @api.constrains("condition")
    def _check_condition(self):
        for stage in self:
            try:
                domain = safe_eval(stage.condition or "[]")
                self.env["clearance.request"].search_count(domain)
            except Exception as err:
                raise ValidationError(_(
                    "The condition of stage %(stage)s is not a valid domain "
                    "on clearance requests: %(error)s") % {
                        "stage": stage.name, "error": err})

    def _condition_domain(self):
        self.ensure_one()
        return safe_eval(self.condition or "[]")

    def _applies_to(self, request):
        """True when the request matches this stage's condition."""
        self.ensure_one()
        domain = self._condition_domain()
        if not domain:
            return True
        return bool(request.search_count([("id", "=", request.id)] + domain))
