from odoo import api, fields, models


class ClearanceBenchDocument(models.Model):
    """A student's clearance as OCA's tier validation would run it: one
    document, eleven tiers, each approved by its reviewers."""

    _name = "clearance.bench.document"
    _inherit = ["mail.thread", "tier.validation"]
    _description = "Tier-validated clearance (benchmark peer)"
    _state_from = ["draft"]
    _state_to = ["confirmed"]

    name = fields.Char(required=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Student", index=True)
    state = fields.Selection([
        ("draft", "Draft"),
        ("confirmed", "Cleared"),
        ("cancel", "Cancelled"),
    ], default="draft", required=True, index=True,
        track_visibility="onchange")

    @api.multi
    def action_confirm(self):
        return self.write({"state": "confirmed"})
