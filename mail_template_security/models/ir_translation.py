from odoo import _, api, models
from odoo.exceptions import AccessError

from .. import guard

# The models whose translated texts are rendered or run.
GUARDED_MODELS = ("mail.template", "ir.actions.server", "base.automation",
                  "ir.cron")


class IrTranslation(models.Model):
    _inherit = "ir.translation"

    @api.multi
    def check(self, mode):
        """A translation of a template's subject or body is rendered as the
        template is: only its editors write it."""
        if mode != "read" and not guard.is_editor(self.env):
            for translation in self:
                if translation.type == "model" and \
                        translation.name.split(",")[0] in GUARDED_MODELS:
                    raise AccessError(_(
                        "Only administrators and template editors may "
                        "translate mail templates and actions."))
        return super().check(mode)
