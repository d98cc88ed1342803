from odoo import api, fields, models

ADMINS = "base.group_system"


class ResPartner(models.Model):
    """Odoo 11 keeps the token itself for "Access Rights" managers, but any
    employee reads ``signup_url`` of a partner whose users are portal users,
    and the link carries the token: while a student has a pending reset, an
    officer sets the student's password at ``/web/reset_password``. The
    mails that carry the link render it as the system (the reset form, the
    portal invitation) or as the administrator who sends them."""

    _inherit = "res.partner"

    signup_token = fields.Char(groups=ADMINS)
    signup_type = fields.Char(groups=ADMINS)
    signup_expiration = fields.Datetime(groups=ADMINS)
    signup_valid = fields.Boolean(groups=ADMINS)
    signup_url = fields.Char(groups=ADMINS)

    @api.multi
    @api.depends("signup_token", "signup_expiration")
    def _compute_signup_valid(self):
        """Odoo's computes on sudo() copies, whose cache is not the
        reader's in Odoo 11: an administrator read False for every valid
        token."""
        now = fields.Datetime.now()
        for partner, system in zip(self, self.sudo()):
            partner.signup_valid = bool(system.signup_token) and (
                not system.signup_expiration
                or now <= system.signup_expiration)
