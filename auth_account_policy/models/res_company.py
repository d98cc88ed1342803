from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    password_portal_length = fields.Integer(
        "Portal Users' Characters", default=10,
        help="Minimum number of characters of a portal user's (a "
             "student's) password. Their passwords need no character "
             "classes and do not expire; the history applies.")
