from odoo import api, models

from .res_groups import OFFICES_CATEGORY

MY_QUEUE = "clearance_request.clearance_request_action_my_queue"


def touches_groups(vals):
    """Whether these values of a user change their groups: groups_id, or
    the user form's reified group fields (in_group_N, sel_groups_N_M)."""
    return any(name == "groups_id" or name.startswith(
        ("in_group_", "sel_groups_")) for name in vals)


class ResUsers(models.Model):
    """Officers land on My queue, whichever way they joined an office:
    Settings › Users (the form's group fields), the staffing dialog, a
    group's users, the university directory (clearance_ldap)."""

    _inherit = "res.users"

    @api.model
    def create(self, vals):
        user = super().create(vals)
        user._set_office_home_action()
        return user

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if touches_groups(vals):
            self._set_office_home_action()
        return result

    @api.multi
    def _set_office_home_action(self):
        """An internal user in an office starts their day in their office's
        queue, not in Discuss, unless a home action was chosen for them."""
        category = self.env.ref(OFFICES_CATEGORY, raise_if_not_found=False)
        queue = self.env.ref(MY_QUEUE, raise_if_not_found=False)
        if not category or not queue:
            return  # the module's data is not loaded yet
        # sudo: the home action and the groups of the users whose groups the
        # caller just changed (a right the caller's write already checked).
        officers = self.sudo().filtered(
            lambda user: not user.share and not user.action_id and any(
                group.category_id == category for group in user.groups_id))
        if officers:
            officers.write({"action_id": queue.id})
