from odoo import _, api, models
from odoo.exceptions import AccessError


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.multi
    def write(self, vals):
        # Clearance managers staff the offices (the groups' users) without
        # being administrators: they may change nothing else on a group.
        if (set(vals) - {"users"} and self._uid != 1
                and not self.env.user.has_group("base.group_erp_manager")):
            raise AccessError(_(
                "Clearance managers can change only who works in an office."))
        return super().write(vals)
