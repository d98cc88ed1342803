import logging

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError, UserError

from .clearance_request import workflow_action

_logger = logging.getLogger(__name__)

OFFICES_CATEGORY = "clearance_request.module_category_clearance_offices"


class ResGroups(models.Model):
    """Offices are groups of the category "Clearance offices". Clearance
    managers staff them through the two actions below only: they have no
    write access on groups, so nothing else of a group or of a user (its
    other groups, its password) is theirs to change."""

    _inherit = "res.groups"

    @api.model
    def create(self, vals):
        group = super().create(vals)
        if vals.get("users"):
            group._offices().mapped("users")._set_office_home_action()
        return group

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if "users" in vals:
            # users joining an office through the group land on My queue
            # (res_users.py), as users joining it through their own form
            self._offices().mapped("users")._set_office_home_action()
        return result

    def _offices(self):
        """These groups that are clearance offices."""
        category = self.env.ref(OFFICES_CATEGORY, raise_if_not_found=False)
        # sudo: a group's category, to tell offices from other groups
        return self.filtered(
            lambda group: category and group.sudo().category_id == category)

    @api.multi
    @workflow_action
    def action_add_staff(self, user_ids):
        """Make these existing internal users officers of these offices."""
        users = self._clearance_staff(user_ids)
        # sudo: the manager may not write groups; what is written is exactly
        # the validated users joining the validated offices (and, through
        # them, the officer group the offices imply).
        # (write: they land on My queue, see res_users.py)
        self.sudo().write({"users": [(4, user.id) for user in users]})
        _logger.info("user %s added users %s to the offices %s",
                     self.env.uid, users.ids, self.ids)
        return True

    @api.multi
    @workflow_action
    def action_remove_staff(self, user_ids):
        """These users no longer work in these offices."""
        users = self._clearance_staff(user_ids)
        # sudo: as in action_add_staff, for validated users and offices.
        self.sudo().write({"users": [(3, user.id) for user in users]})
        _logger.info("user %s removed users %s from the offices %s",
                     self.env.uid, users.ids, self.ids)
        return True

    def _check_clearance_offices(self):
        """Raise unless the user is a clearance manager and these groups are
        clearance offices."""
        if not self.env.user.has_group(
                "clearance_request.group_clearance_manager"):
            raise AccessError(_(
                "Only a clearance manager can change who works in an office."))
        category = self.env.ref(OFFICES_CATEGORY)
        for group in self:
            # sudo: the category of a group the user may read
            if group.sudo().category_id != category:
                raise AccessError(_(
                    "%(group)s is not a clearance office: its members are "
                    "changed in Settings only.") % {"group": group.name})

    def _clearance_staff(self, user_ids):
        """The users of user_ids, once checked that they may be staffed by
        this user into these offices; nothing is changed on refusal."""
        self._check_clearance_offices()
        if isinstance(user_ids, models.BaseModel):
            user_ids = user_ids.ids
        if isinstance(user_ids, int) and not isinstance(user_ids, bool):
            user_ids = [user_ids]
        if not isinstance(user_ids, (list, tuple)) or not all(
                isinstance(uid, int) and not isinstance(uid, bool)
                and uid > 0 for uid in user_ids):
            raise UserError(_("Choose the users by their ids."))
        # sudo: archived users and the users' groups are read to refuse them;
        # a manager may not read those.
        users = self.env["res.users"].sudo().with_context(
            active_test=False).browse(list(set(user_ids)))
        missing = users - users.exists()
        if missing:
            raise UserError(_("These users do not exist: %(ids)s") % {
                "ids": ", ".join(str(uid) for uid in missing.ids)})
        for user in users:
            if user.id == SUPERUSER_ID or user.has_group(
                    "base.group_erp_manager"):
                raise UserError(_(
                    "%(user)s is an administrator: only an administrator "
                    "changes their offices, in Settings.") % {"user": user.name})
            if user.share:
                raise UserError(_(
                    "%(user)s is a portal user (a student): only the "
                    "university's internal users work in an office.")
                    % {"user": user.name})
            if not user.active:
                raise UserError(_(
                    "%(user)s is archived: only active users work in an "
                    "office.") % {"user": user.name})
        return users.with_env(self.env)
