from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ClearanceStage(models.Model):
    """A stage's service level: its deadline and whom it escalates to."""

    _inherit = "clearance.stage"

    sla_days = fields.Float(
        string="Target (working days)", default=3.0,
        help="Working days the office has to clear a request from the moment "
             "it reaches the office; the time the request waits for the "
             "student does not count. 0: no deadline.")
    sla_escalate_days = fields.Float(
        string="Escalation after (working days)", default=6.0,
        help="Past this many working days the request is escalated to the "
             "office head: a to-do and a mail. 0: never escalated.")
    head_user_id = fields.Many2one(
        "res.users", string="Office head", ondelete="set null",
        domain=[("share", "=", False)],
        help="Receives the escalations of this stage's late requests.")
    calendar_id = fields.Many2one(
        "resource.calendar", string="Working calendar", ondelete="restrict",
        default=lambda self: self.env.ref(
            "clearance_request.resource_calendar_iranian_week",
            raise_if_not_found=False),
        help="The working days and holidays the deadlines count.")

    @api.constrains("sla_days", "sla_escalate_days")
    def _check_sla_days(self):
        for stage in self:
            if stage.sla_days < 0 or stage.sla_escalate_days < 0:
                raise ValidationError(_(
                    "The deadlines of %(stage)s cannot be negative.")
                    % {"stage": stage.name})
            if stage.sla_days and stage.sla_escalate_days and \
                    stage.sla_escalate_days < stage.sla_days:
                raise ValidationError(_(
                    "%(stage)s escalates after %(escalate)s working days, "
                    "before its target of %(target)s: the escalation limit "
                    "must be at least the target.") % {
                        "stage": stage.name,
                        "escalate": stage.sla_escalate_days,
                        "target": stage.sla_days})

    @api.constrains("head_user_id")
    def _check_head_user(self):
        for stage in self:
            head = stage.head_user_id
            if head.share:
                raise ValidationError(_(
                    "The office head of %(stage)s must be an employee, not a "
                    "portal user.") % {"stage": stage.name})
            # the head opens the escalated request: its office's or a manager
            if head and stage.group_id not in head.groups_id and not \
                    head.has_group("clearance_request.group_clearance_manager"):
                raise ValidationError(_(
                    "%(user)s cannot head %(stage)s: the office head must be "
                    "a member of the office %(office)s or a clearance manager, "
                    "to open the requests escalated to them.") % {
                        "user": head.name, "stage": stage.name,
                        "office": stage.group_id.name})

    def _sla_calendar(self):
        """The calendar the stage's deadlines count on."""
        self.ensure_one()
        # sudo: the deadlines are computed for students' actions too, and
        # students may not read the working calendar.
        return (self.sudo().calendar_id or self.env.ref(
            "clearance_request.resource_calendar_iranian_week")).sudo()
