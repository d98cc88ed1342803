import werkzeug.exceptions

from odoo import _, models
from odoo.http import request


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, (list, tuple)):
        return any(_has_nul(item) for item in value)
    return False


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _postprocess_args(cls, arguments, rule):
        """Refuse a page's parameters that hold a NUL character.

        Odoo 11 hands them to PostgreSQL, which refuses NUL in any text, and
        the visitor gets an HTTP 500 instead of a reason (a verify page's
        code, a portal form's note). A clear 400 for every route, before
        any handler runs."""
        values = list(arguments.values()) + list(request.params.values())
        if _has_nul(request.httprequest.path) or any(
                _has_nul(value) for value in values):
            return werkzeug.exceptions.BadRequest(_(
                "The page was sent a character that is not allowed (NUL). "
                "Correct the address or the text and try again."))
        return super()._postprocess_args(arguments, rule)
