from odoo import api, models


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model
    def create(self, vals):
        """The floor's mails leave right after the commit, as the forward's."""
        mail = super().create(vals)
        if vals.get("model") == "clearance.bench.floor":
            mail._send_after_commit()
        return mail
