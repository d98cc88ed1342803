import json

from werkzeug.exceptions import Forbidden, NotFound

from odoo import SUPERUSER_ID, models
from odoo.http import request


def _param(name):
    return lambda params: params.get(name)


def _fixed(model_name):
    return lambda params: model_name


def _export_model(params):
    try:
        return json.loads(params.get("data") or "{}").get("model")
    except (TypeError, ValueError, AttributeError):
        return None


#: The routes of Odoo's addons that run a model's method chosen by the
#: client, or on a model chosen by the client: the route's pattern, the
#: model it acts on and the method it amounts to, which must be listed for
#: the (portal or public) user. `None` as method: the request's `method`.
#: The portal's own routes (/my, /mail/chatter_*, /mail/view, the mail
#: avatars, /longpolling) are made for portal users and check the record
#: themselves; the generic ORM doors are listed here and also guarded in
#: `odoo.api.call_kw` (see rpc.py).
ROUTE_DOORS = {
    # web: the generic ORM doors of the web client
    "/web/dataset/search_read": (_param("model"), "search_read"),
    "/web/dataset/load": (_param("model"), "read"),
    "/web/dataset/call": (_param("model"), None),
    "/web/dataset/call_kw": (_param("model"), None),
    "/web/dataset/call_kw/<path:path>": (_param("model"), None),
    "/web/dataset/call_button": (_param("model"), None),
    "/web/dataset/resequence": (_param("model"), "write"),
    "/web/action/load": (_fixed("ir.actions.actions"), "read"),
    "/web/action/run": (_fixed("ir.actions.server"), "run"),
    "/web/export/get_fields": (_param("model"), "fields_get"),
    "/web/export/namelist": (_fixed("ir.exports"), "read"),
    "/web/export/csv": (_export_model, "export_data"),
    "/web/export/xls": (_export_model, "export_data"),
    "/web/view/edit_custom": (_fixed("ir.ui.view.custom"), "write"),
    "/web/binary/upload_attachment": (_fixed("ir.attachment"), "create"),
    # mail: the backend's followers widget, links and systray
    "/mail/read_followers": (_fixed("mail.followers"), "read"),
    "/mail/read_subscription_data": (_fixed("mail.followers"), "read"),
    "/mail/follow": (_param("model"), "message_subscribe"),
    "/mail/unfollow": (_param("model"), "message_unsubscribe"),
    "/mail/new": (_param("model"), "create"),
    "/mail/assign": (_param("model"), "write"),
    "/mail/needaction": (_fixed("res.partner"), "get_needaction_count"),
    "/mail/client_action": (_fixed("mail.channel"), "channel_fetch_slot"),
    # web_editor, web_diagram and base_import: backend editors
    "/web_editor/field/html": (_param("model"), "read"),
    "/web_editor/field/html/inline": (_param("model"), "read"),
    "/web_editor/attachment/add": (_fixed("ir.attachment"), "create"),
    "/web_editor/attachment/remove": (_fixed("ir.attachment"), "unlink"),
    "/web_editor/get_assets_editor_resources": (
        _fixed("ir.ui.view"), "read"),
    "/web_editor/save_less": (_fixed("ir.ui.view"), "write"),
    "/web_editor/reset_less": (_fixed("ir.ui.view"), "write"),
    "/web_diagram/diagram/get_diagram_info": (_param("model"), "read"),
    "/base_import/set_file": (_fixed("base_import.import"), "write"),
}


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _authenticate(cls, auth_method="user"):
        result = super()._authenticate(auth_method=auth_method)
        if request.uid and request.uid != SUPERUSER_ID:
            cls._rpc_allowlist_check_route()
        return result

    @classmethod
    def _rpc_allowlist_check_route(cls):
        """Refuse a restricted user the routes of ROUTE_DOORS, unless the
        model declares the method the route amounts to."""
        allowlist = request.env["rpc.allowlist"]
        if not allowlist._rpc_restricted():
            return
        try:
            rule = cls._find_handler(return_rule=True)[0]
        except NotFound:
            return
        door = ROUTE_DOORS.get(rule.rule)
        if not door:
            return
        params = request.params
        model_name = door[0](params)
        method = door[1] or params.get("method")
        if allowlist._rpc_allowed(model_name, method):
            return
        error = allowlist._rpc_refusal(model_name, method)
        if request._request_type == "json":
            raise error
        raise Forbidden(error.name)
