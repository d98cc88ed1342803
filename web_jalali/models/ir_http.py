from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        info = super().session_info()
        if request.session.uid:
            # The web client formats, parses and picks dates in this calendar.
            info["calendar_system"] = (
                "jalali" if request.env["res.users"]._uses_jalali()
                else "gregorian")
        return info
