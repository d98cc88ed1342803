from odoo import http
from odoo.http import CommonController, request
from odoo.addons.web.controllers.main import Home, Session

from ..exceptions import LoginThrottled


def raise_if_throttled():
    """Answer a login that res.users refused for its address with the
    reason, not as a wrong password."""
    message = getattr(request, "auth_throttled", None)
    if message:
        raise LoginThrottled(message)


class ThrottledHome(Home):

    @http.route()
    def web_login(self, redirect=None, **kw):
        response = super().web_login(redirect=redirect, **kw)
        message = getattr(request, "auth_throttled", None)
        if message and getattr(response, "qcontext", None) is not None:
            response.qcontext["error"] = message
        return response


class ThrottledSession(Session):

    @http.route()
    def authenticate(self, db, login, password, base_location=None):
        result = super().authenticate(
            db, login, password, base_location=base_location)
        raise_if_throttled()
        return result


class ThrottledCommonController(CommonController):

    @http.route()
    def jsonrpc(self, service, method, args):
        result = super().jsonrpc(service, method, args)
        raise_if_throttled()
        return result
