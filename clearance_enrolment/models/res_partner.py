import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .student_import import PARAM_THRESHOLD, QUIET


class ResPartner(models.Model):
    _inherit = "res.partner"

    national_code = fields.Char(
        copy=False, groups="base.group_user",
        help="The student's ten-digit Iranian national code, as the "
             "registrar's import read it.")

    @api.model
    def _get_default_image(self, partner_type, is_company, parent_id):
        """No generated avatar for imported students (the portal shows its
        placeholder): it cost three attachments and an image resize per
        student, a third of an import's time."""
        if self.env.context.get("clearance_enrolment_import"):
            return False
        return super()._get_default_image(partner_type, is_company,
                                          parent_id)

    @api.multi
    def _action_clearance_send_invitations(self):
        """The registrar's "Send invitations" on a selection of students
        (the partners list's server action; private: not an RPC method)."""
        self.env["clearance.student.import"]._check_registrar()
        limit = int(self.env["ir.config_parameter"].sudo().get_param(
            PARAM_THRESHOLD, 500))
        if len(self) > limit:
            raise UserError(_(
                "Select at most %s students, or send the invitations from "
                "their import, which sends them in the background.") % limit)
        self._clearance_invite()
        return True

    def _clearance_invite(self):
        """Queue the set-password (signup) mail of these partners' portal
        users who have an e-mail address; the number queued. As the
        system: the caller checked the registrar's right, and the token
        is for administrators only (auth_signup_security)."""
        partners = self.sudo().with_context(**QUIET).filtered(
            lambda p: p.email and p.user_ids)
        if not partners:
            return 0
        expiration = fields.Datetime.to_string(
            datetime.datetime.now() + datetime.timedelta(days=14))
        partners.signup_prepare(signup_type="reset", expiration=expiration)
        template = self.env.ref("auth_signup.set_password_email").sudo()
        for partner in partners:
            user = partner.user_ids[0]
            template.with_context(lang=user.lang).send_mail(
                user.id, force_send=False, raise_exception=True)
        return len(partners)
