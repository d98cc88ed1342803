from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

# What places an activity on a document.
LINK_FIELDS = frozenset(["res_model", "res_model_id", "res_id"])


class MailActivity(models.Model):
    """mail.activity writes as the superuser once its own check passed, and
    that check lets the activity's user write it on any document: moving it
    (res_model/res_id) to a document the user may not change would give
    that document a to-do. An activity moved is checked as one created
    there (the right to change the document)."""

    _inherit = "mail.activity"

    @api.multi
    def write(self, values):
        result = super().write(values)
        if self._uid != SUPERUSER_ID and LINK_FIELDS & set(values):
            try:
                self._check_access("create")
            except AccessError:
                raise AccessError(_(
                    "You cannot move an activity to a document you may not "
                    "change."))
        return result
