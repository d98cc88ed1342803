from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    """The context a JSON request sends beside its parameters becomes the
    environment of any controller (a chat post, a portal form): its
    `default_*` keys would reach every record the route creates. Only the
    ORM's RPC entry (rpc.py) passes a caller's defaults on, to the model
    the call names."""

    _inherit = "ir.http"

    @classmethod
    def _dispatch(cls):
        context = getattr(request, "context", None)
        if isinstance(context, dict) and any(
                isinstance(key, str) and key.startswith("default_")
                for key in context):
            request.context = {
                key: value for key, value in context.items()
                if not (isinstance(key, str) and key.startswith("default_"))}
        return super()._dispatch()
