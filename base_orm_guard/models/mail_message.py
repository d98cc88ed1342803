from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

# What places a message on a document (or in a thread).
LINK_FIELDS = frozenset(["model", "res_id", "parent_id"])


class MailMessage(models.Model):
    """mail.message's rules live in check_access_rule, which lets an author
    write their own message whatever document it is on: moving it
    (model/res_id, parent) to a document the author may not post on would
    show it there. A message moved is checked as one posted there."""

    _inherit = "mail.message"

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if self._uid != SUPERUSER_ID and LINK_FIELDS & set(vals):
            try:
                self.check_access_rule("create")
            except AccessError:
                raise AccessError(_(
                    "You cannot move a message to a document you may not "
                    "post on."))
        return result
