"""The generic doors of the RPC services: JSON-RPC's /web/dataset/call,
call_kw and call_button (through the web client's `call_kw`) and XML-RPC's
and /jsonrpc's `object` service (execute, execute_kw, through
`odoo.service.model.execute_cr`) all end in `odoo.api.call_kw`.

These are functions of the server process: the guard acts only in the
databases where this addon is installed (its model is in the registry)."""
from odoo import SUPERUSER_ID, api
from odoo.addons.web.controllers import main as web_main


def _guard(call_kw):
    if getattr(call_kw, "_rpc_allowlist_guard", False):
        return call_kw

    def guarded_call_kw(model, name, args, kwargs):
        env = model.env
        if env.uid != SUPERUSER_ID and "rpc.allowlist" in env.registry:
            env["rpc.allowlist"]._rpc_check(model._name, name)
        return call_kw(model, name, args, kwargs)

    guarded_call_kw._rpc_allowlist_guard = True
    guarded_call_kw.__wrapped__ = call_kw
    guarded_call_kw.__doc__ = call_kw.__doc__
    return guarded_call_kw


api.call_kw = _guard(api.call_kw)
# the web client's controllers imported the function by name
web_main.call_kw = _guard(web_main.call_kw)
