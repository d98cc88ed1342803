"""`bus.bus` over RPC: Odoo 11's `sendmany`, `sendone` and `poll` are public
methods, so any logged-in user sent notifications to anyone's channel (fake
Inbox messages "from Administrator") or read them. The server calls them as
internal code (chat, to-dos, presence), never over RPC; no access right of
`bus.bus` lets anyone use the model itself.

Every RPC door (the web client's call_kw and call_button, XML-RPC's and
/jsonrpc's `object` service) ends in `odoo.api.call_kw`; the web client's
controllers imported it by name. The guard acts only in the databases
where this addon is installed."""
from odoo import SUPERUSER_ID, _, api
from odoo.exceptions import AccessError

from odoo.addons.web.controllers import main as web_main

RPC_CLOSED_MODELS = ("bus.bus",)
ADDON = "mail_security"


def _guard(call_kw):
    if getattr(call_kw, "_mail_security_guard", False):
        return call_kw

    def guarded_call_kw(model, name, args, kwargs):
        env = model.env
        if model._name in RPC_CLOSED_MODELS and env.uid != SUPERUSER_ID \
                and ADDON in env.registry._init_modules:
            raise AccessError(_(
                "%(model)s is the server's own: it cannot be called "
                "remotely.") % {"model": model._name})
        return call_kw(model, name, args, kwargs)

    guarded_call_kw._mail_security_guard = True
    guarded_call_kw.__wrapped__ = call_kw
    guarded_call_kw.__doc__ = call_kw.__doc__
    return guarded_call_kw


api.call_kw = _guard(api.call_kw)
web_main.call_kw = _guard(web_main.call_kw)
