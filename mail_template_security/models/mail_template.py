from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.tools import pycompat

from .. import guard
from ..sandbox import STRICT


def check_template_editor(env):
    if not guard.is_editor(env):
        raise AccessError(_(
            "Only administrators and template editors may create, change or "
            "delete mail templates."))


def check_readable(env, model, res_ids):
    """A user who is not a template editor renders only on records of an
    existing model that they may read."""
    if guard.is_editor(env):
        return
    if isinstance(res_ids, pycompat.integer_types):
        res_ids = [res_ids]
    if not model or model not in env:
        raise AccessError(_(
            "Only template editors may render a template on the model "
            "%(model)s.") % {"model": model or "-"})
    records = env[model].browse([res_id for res_id in res_ids or ()
                                 if res_id])
    records.check_access_rights("read")
    records.check_access_rule("read")


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.model
    def create(self, vals):
        check_template_editor(self.env)
        return super().create(vals)

    @api.multi
    def write(self, vals):
        check_template_editor(self.env)
        return super().write(vals)

    @api.multi
    def unlink(self):
        check_template_editor(self.env)
        return super().unlink()

    @api.model
    def render_template(self, template_txt, model, res_ids,
                        post_process=False):
        """A text with expressions is rendered for template editors, or
        when it is a stored template's (see guard.py); every rendering of
        a database with this addon uses the strict sandbox."""
        if not guard.is_editor(self.env) and \
                not guard.is_trusted(template_txt) and \
                guard.is_dynamic(template_txt):
            raise AccessError(_(
                "Only administrators and template editors may render "
                "template expressions."))
        with guard.Flag(STRICT, True):
            return super().render_template(
                template_txt, model, res_ids, post_process=post_process)

    @api.multi
    def get_email_template(self, res_ids):
        for template in self:
            check_readable(self.env, template.model, res_ids)
        with guard.Flag(guard.TRUSTED, guard.ALL):
            return super().get_email_template(res_ids)

    @api.multi
    def generate_email(self, res_ids, fields=None):
        """A stored template's fields, written by its editors, are rendered
        on records the user may read."""
        for template in self:
            check_readable(self.env, template.model, res_ids)
        with guard.Flag(guard.TRUSTED, guard.ALL):
            return super().generate_email(res_ids, fields=fields)
