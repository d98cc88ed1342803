from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..models.res_groups import OFFICES_CATEGORY


class ClearanceOfficeStaff(models.TransientModel):
    """Who works in an office, as a list the manager edits; applying it adds
    and removes users through the office's staffing actions, which check
    the manager's right and every user."""

    _name = "clearance.office.staff"
    _description = "Office staff"

    office_id = fields.Many2one(
        "res.groups", string="Office", required=True, ondelete="cascade",
        domain=lambda self: [("category_id", "=", self.env.ref(
            OFFICES_CATEGORY).id)])
    # No domain on the field: a user who may not be staffed is refused by
    # the staffing actions with a message, not silently dropped.
    user_ids = fields.Many2many(
        "res.users", string="Staff",
        help="The internal users who act for this office.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        office = self.env["res.groups"].browse(values.get("office_id"))
        # opened from an office or from a stage (its office)
        context = self.env.context
        if not office and context.get("active_id"):
            if context.get("active_model") == "res.groups":
                office = office.browse(context["active_id"])
            elif context.get("active_model") == "clearance.stage":
                office = self.env["clearance.stage"].browse(
                    context["active_id"]).group_id
            if "office_id" in fields_list:
                values["office_id"] = office.id
        if "user_ids" in fields_list and office:
            values["user_ids"] = [(6, 0, office.users.ids)]
        return values

    @api.model
    def create(self, vals):
        # A transient model has no access rights in Odoo 11: everyone may
        # create one (and read back an office's staff).
        self._check_manager()
        return super().create(vals)

    @api.multi
    def write(self, vals):
        self._check_manager()
        return super().write(vals)

    def _check_manager(self):
        if not self.env.user.has_group(
                "clearance_request.group_clearance_manager"):
            raise AccessError(_(
                "Only a clearance manager can change who works in an office."))

    @api.multi
    def action_apply(self):
        self.ensure_one()
        office = self.office_id
        current = office.users
        added = self.user_ids - current
        removed = current - self.user_ids
        # One check of everything before any change: a refused user leaves
        # the office as it was.
        office._clearance_staff((added | removed).ids)
        if added:
            office.action_add_staff(added.ids)
        if removed:
            office.action_remove_staff(removed.ids)
        return {"type": "ir.actions.act_window_close"}
