from odoo import api, models

# Languages written right to left that Odoo 11.0 ships marked left-to-right.
RTL_PREFIXES = ("fa",)


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def create(self, vals):
        if vals.get("code", "").startswith(RTL_PREFIXES):
            vals["direction"] = "rtl"
        return super().create(vals)

    @api.multi
    def _fix_direction(self):
        self.filtered(
            lambda lang: lang.code.startswith(RTL_PREFIXES)
            and lang.direction != "rtl").write({"direction": "rtl"})
