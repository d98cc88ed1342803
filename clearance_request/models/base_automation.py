from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# What happens to a clearance request, as its automated actions see it. Each
# transition of the workflow announces its event once, after its writes; the
# actions an administrator attached to the event then run (mail the student,
# warn an office, ...).
CLEARANCE_EVENTS = [
    ("submitted", "Submitted by the student"),
    ("forwarded", "Forwarded by an office"),
    ("hold", "In-person visit required"),
    ("returned", "Returned to the student"),
    ("resubmitted", "Sent again by the student"),
    ("cleared", "Cleared by the last office"),
    ("cancelled", "Cancelled"),
    ("reopened", "Reopened"),
]


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    trigger = fields.Selection(selection_add=[
        ("on_clearance_event", "On a clearance event")])
    clearance_event = fields.Selection(
        CLEARANCE_EVENTS,
        help="The step of the clearance workflow that runs this action, once "
             "per request, right after the step is recorded.")

    @api.constrains("trigger", "clearance_event", "model_id")
    def _check_clearance_event(self):
        for automation in self:
            if automation.trigger != "on_clearance_event":
                continue
            if automation.model_id.model != "clearance.event":
                raise ValidationError(_(
                    "An action on a clearance event applies to the model "
                    "Clearance event."))
            if not automation.clearance_event:
                raise ValidationError(_(
                    "Choose the clearance event that runs %(action)s.")
                    % {"action": automation.name})
