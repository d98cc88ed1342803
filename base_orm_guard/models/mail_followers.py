from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

# What makes a follower entry follow a document, and whom.
LINK_FIELDS = frozenset(["res_model", "res_id", "partner_id", "channel_id"])


class MailFollowers(models.Model):
    """mail's rule lets users write their own follower entries, on any
    document: moving one (res_model/res_id) to a document the user may not
    read would send them its messages. After such a write the entry must be
    one message_subscribe would make: following as oneself needs the right
    to read the document, making another partner or a channel follow needs
    the right to change it."""

    _inherit = "mail.followers"

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if self._uid != SUPERUSER_ID and LINK_FIELDS & set(vals):
            own = self.env.user.partner_id
            for follower in self.sudo():
                themself = (follower.partner_id == own
                            and not follower.channel_id)
                operation = "read" if themself else "write"
                if follower.res_model not in self.env:
                    raise AccessError(_(
                        "A follower needs the document it follows."))
                document = self.env[follower.res_model].browse(
                    follower.res_id)
                try:
                    document.check_access_rights(operation)
                    document.check_access_rule(operation)
                except AccessError:
                    raise AccessError(_(
                        "You cannot make anyone follow a document you may "
                        "not read, or others follow one you may not "
                        "change."))
        return result
