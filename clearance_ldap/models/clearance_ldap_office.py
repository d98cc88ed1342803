from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.clearance_request.models.res_groups import OFFICES_CATEGORY


class ClearanceLdapOffice(models.Model):
    """A directory group whose members work in a clearance office."""

    _name = "clearance.ldap.office"
    _description = "Directory group of an office"
    _order = "ldap_id, directory_group"

    ldap_id = fields.Many2one(
        "res.company.ldap", string="Directory server", required=True,
        ondelete="cascade")
    directory_group = fields.Char(
        required=True,
        help="The group of the directory: its DN "
             "(cn=library,ou=groups,dc=university,dc=ir) or its name (cn).")
    group_id = fields.Many2one(
        "res.groups", string="Office", required=True, ondelete="cascade",
        domain=lambda self: [("category_id", "=", self.env.ref(
            OFFICES_CATEGORY).id)])

    _sql_constraints = [
        ("directory_group_office_unique",
         "unique(ldap_id, directory_group, group_id)",
         "This directory group already maps to this office."),
    ]

    @api.constrains("group_id")
    def _check_group_id(self):
        category = self.env.ref(OFFICES_CATEGORY)
        for mapping in self:
            if mapping.group_id.category_id != category:
                raise ValidationError(_(
                    "%(group)s is not a clearance office: a directory group "
                    "maps only to an office.") % {
                        "group": mapping.group_id.name})
