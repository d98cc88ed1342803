from odoo import api, models

from .. import guard
from .ir_actions_server import check_administrator


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    @api.model
    def create(self, vals):
        check_administrator(self.env, self)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        check_administrator(self.env, self)
        return super().write(vals)

    @api.multi
    def unlink(self):
        check_administrator(self.env, self)
        return super().unlink()

    def _process(self, records):
        """An automated action runs its server action for the user whose
        change triggered it: the rule is the administrator's."""
        with guard.Flag(guard.SERVER_RUN, True):
            return super()._process(records)
