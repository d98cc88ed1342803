from odoo import api, fields, models

from ..tools.jalali import is_persian


class ResUsers(models.Model):
    _inherit = "res.users"

    calendar_system = fields.Selection(
        [("auto", "From my language"),
         ("gregorian", "Gregorian"),
         ("jalali", "Jalali (Solar Hijri)")],
        string="Calendar", required=True, default="auto",
        help="The calendar in which dates are shown, typed and picked. "
             "'From my language' means Jalali for Persian, Gregorian "
             "otherwise. Stored dates do not change.")

    def __init__(self, pool, cr):
        super().__init__(pool, cr)
        # Every user chooses their own calendar in their preferences.
        type(self).SELF_READABLE_FIELDS = list(
            self.SELF_READABLE_FIELDS) + ["calendar_system"]
        type(self).SELF_WRITEABLE_FIELDS = list(
            self.SELF_WRITEABLE_FIELDS) + ["calendar_system"]

    @api.model
    def _uses_jalali(self):
        """Whether the current user reads dates in the Jalali calendar, in
        the language of the context (the web client sends the user's)."""
        system = self.env.user.calendar_system
        if system == "auto":
            return is_persian(self.env.context.get("lang") or self.env.user.lang)
        return system == "jalali"
