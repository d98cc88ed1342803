from odoo import api, models

from .. import guard
from .ir_actions_server import check_administrator


class IrCron(models.Model):
    _inherit = "ir.cron"

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

    @api.model
    def _callback(self, cron_name, server_action_id, job_id):
        """The job runs as the scheduled action's user, whom the
        administrator chose."""
        with guard.Flag(guard.SERVER_RUN, True):
            return super()._callback(cron_name, server_action_id, job_id)

    @api.multi
    def method_direct_trigger(self):
        # "Run Manually": Odoo checks the caller's write right on the
        # scheduled actions first, then runs them as their user.
        self.check_access_rights("write")
        check_administrator(self.env, self)
        with guard.Flag(guard.SERVER_RUN, True):
            return super().method_direct_trigger()
