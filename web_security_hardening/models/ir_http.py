import werkzeug.exceptions
import werkzeug.urls

from odoo import api, models
from odoo.http import Response, request

# The request parameters that name where to send the browser next.
REDIRECT_PARAMS = ("redirect",)
DEFAULT_REDIRECT = "/web"


def same_site_redirect(url, default=DEFAULT_REDIRECT):
    """`url` if it leads to a page of this site, else `default`: no other
    host (absolute or scheme-relative), no scheme of its own (javascript:,
    data:), no backslash or control character a browser would read as a
    host separator or drop."""
    if not isinstance(url, str):
        return default
    value = url.strip()
    if not value:
        return value
    if any(char == "\\" or ord(char) < 32 or ord(char) == 127
           for char in value):
        return default
    parsed = werkzeug.urls.url_parse(value)
    if parsed.scheme or parsed.netloc:
        if parsed.scheme in ("http", "https") \
                and parsed.netloc == request.httprequest.host:
            local = parsed.replace(scheme="", netloc="").to_url()
            return local if local.startswith("/") else "/" + local
        return default
    if value.startswith("//"):
        return default
    return value if value.startswith("/") else "/" + value


def add_security_headers(response):
    headers = response.headers
    if "X-Frame-Options" not in headers:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    ancestors = ("frame-ancestors 'none'"
                 if headers.get("X-Frame-Options", "").upper() == "DENY"
                 else "frame-ancestors 'self'")
    policy = headers.get("Content-Security-Policy")
    if not policy:
        headers["Content-Security-Policy"] = ancestors
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = "%s; %s" % (policy, ancestors)
    headers["X-Content-Type-Options"] = "nosniff"
    if "Referrer-Policy" not in headers:
        headers["Referrer-Policy"] = "same-origin"
    # Empty: Werkzeug's server adds no "Server" header of its own, and this
    # one is not sent (patches.send_header).
    headers["Server"] = ""
    return response


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _authenticate(cls, auth_method="user"):
        result = super()._authenticate(auth_method=auth_method)
        uid = request.uid or request.session.uid
        request.web_security_is_admin = bool(uid) and api.Environment(
            request.cr, uid, {})["res.users"].has_group("base.group_system")
        return result

    @classmethod
    def _dispatch(cls):
        for name in REDIRECT_PARAMS:
            if name in request.params:
                request.params[name] = same_site_redirect(
                    request.params[name])
        result = super()._dispatch()
        if isinstance(result, werkzeug.exceptions.HTTPException):
            result = result.get_response(request.httprequest.environ)
        elif isinstance(result, (bytes, str)):
            result = Response(result, mimetype="text/html")
        if hasattr(result, "headers"):
            add_security_headers(result)
        return result

    def session_info(self):
        info = super().session_info()
        if not self.env.user.has_group("base.group_system"):
            # The web client reads the edition only in the tours, which
            # take a missing one for the community edition.
            info.pop("server_version", None)
            info.pop("server_version_info", None)
        return info
