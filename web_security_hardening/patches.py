"""Odoo 11 functions patched for the whole server process. Each patch acts
only for a database that has this addon installed (or, for what no database
is known for, when one of the server's loaded databases has it), and calls
Odoo's original otherwise."""
import collections
from contextlib import closing
import logging
import threading
import time
from xmlrpc import client as xmlrpclib

import werkzeug.exceptions
import werkzeug.serving

import odoo
from odoo import http
from odoo.addons.web.controllers import main as web_main
from odoo.modules.registry import Registry
from odoo.service import common as common_service
from odoo.service import db as db_service
from odoo.service import security
from odoo.service import wsgi_server
from odoo.tools import config

_logger = logging.getLogger(__name__)

ADDON = "web_security_hardening"
# The server's configuration option that turns the database manager on.
MANAGER_OPTION = "database_manager"
# Master password attempts: at most MASTER_MAX_FAILURES wrong ones in
# MASTER_WINDOW seconds, server-wide.
MASTER_MAX_FAILURES = 5
MASTER_WINDOW = 300
_master_failures = collections.deque()
_master_lock = threading.Lock()

# Exceptions whose message is meant for the user; any other is an internal
# error whose text (SQL, paths, values) stays in the server's log.
USER_EXCEPTIONS = (
    odoo.exceptions.except_orm, odoo.exceptions.RedirectWarning,
    odoo.exceptions.AccessDenied, http.SessionExpiredException,
    http.AuthenticationError, werkzeug.exceptions.HTTPException,
)


def installed_in(registry):
    return registry is not None and ADDON in getattr(
        registry, "_init_modules", ())


def current_request():
    try:
        return http.request._get_current_object()
    except RuntimeError:  # no request in this thread
        return None


def installed_for_request(req):
    if req is None or not req.db:
        return False
    return installed_in(Registry.registries.get(req.db))


def installed_anywhere():
    registries = Registry.registries
    return any(installed_in(registries.get(name))
               for name in list(registries.keys()))


def database_manager_enabled():
    value = config.get(MANAGER_OPTION)
    return str(value).strip().lower() in ("1", "true", "yes", "on")


# Session fixation: a new session id at each successful login ------------
_original_authenticate = http.OpenERPSession.authenticate


def authenticate(self, db, login=None, password=None, uid=None):
    result = _original_authenticate(
        self, db, login=login, password=password, uid=uid)
    if result and installed_in(Registry.registries.get(db)):
        rotate_session(self)
    return result


def rotate_session(session):
    """Give `session` a new id, and forget the one handed out before. The
    session's token is computed from its id: computed again."""
    store = http.root.session_store
    store.delete(session)
    session.sid = store.generate_key()
    if session.uid:
        session.session_token = security.compute_session_token(
            session, http.request.env)
    session.modified = True


# No traceback, nor an internal error's text, to non-administrators -------
_original_serialize_exception = http.serialize_exception


def serialize_exception(exception):
    data = _original_serialize_exception(exception)
    req = current_request()
    if installed_for_request(req) and not getattr(
            req, "web_security_is_admin", False):
        data = hide_exception_details(exception, data, req)
    return data


def _lt(source):
    """Marks `source` for the translation export; translated when used."""
    return source


INTERNAL_ERROR = _lt("The server met an internal error; its administrators "
                     "find the details in its log.")


def translate(req, source):
    """`source` in the request's language. The request's own transaction
    may have failed (the error being reported): read on a cursor of its
    own."""
    lang = (req.context or {}).get("lang")
    if not lang or lang == "en_US":
        return source
    try:
        with closing(odoo.sql_db.db_connect(req.db).cursor()) as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            return env["ir.translation"]._get_source(
                None, ("code",), lang, source) or source
    except Exception:  # pylint: disable=broad-except
        _logger.debug("no translation of %r", source, exc_info=True)
        return source


def hide_exception_details(exception, data, req=None):
    data = dict(data, debug="")
    if not isinstance(exception, USER_EXCEPTIONS):
        message = translate(req, INTERNAL_ERROR) if req else INTERNAL_ERROR
        data.update(name="odoo.exceptions.except_orm", message=message,
                    arguments=[message], exception_type="internal_error")
    return data


# XML-RPC: its faults carry no traceback nor internal error's text ---------
_original_xmlrpc_int = wsgi_server.xmlrpc_handle_exception_int
_original_xmlrpc_string = wsgi_server.xmlrpc_handle_exception_string


def _xmlrpc_internal(exception):
    return installed_anywhere() and not isinstance(
        exception, USER_EXCEPTIONS)


def xmlrpc_handle_exception_int(exception):
    if _xmlrpc_internal(exception):
        fault = xmlrpclib.Fault(
            wsgi_server.RPC_FAULT_CODE_APPLICATION_ERROR,
            "The server met an internal error.")
        return xmlrpclib.dumps(
            fault, allow_none=None)
    return _original_xmlrpc_int(exception)


def xmlrpc_handle_exception_string(exception):
    if _xmlrpc_internal(exception):
        fault = xmlrpclib.Fault(
            "The server met an internal error.", "")
        return xmlrpclib.dumps(
            fault, allow_none=None, encoding=None)
    return _original_xmlrpc_string(exception)


# Server version over XML-RPC: not told ----------------------------------
_original_common_dispatch = common_service.dispatch


def common_dispatch(method, params):
    if method in ("version", "about") and installed_anywhere():
        if method == "version":
            return {"protocol_version": 1}
        return "See http://openerp.com"
    return _original_common_dispatch(method, params)


# Database service: off unless configured on; master password throttled --
_original_check_super = db_service.check_super
_original_db_dispatch = db_service.dispatch


def check_super(passwd):
    if not installed_anywhere():
        return _original_check_super(passwd)
    if not database_manager_enabled():
        raise odoo.exceptions.AccessDenied()
    with _master_lock:
        now = time.time()
        while _master_failures and _master_failures[0] < now - MASTER_WINDOW:
            _master_failures.popleft()
        if len(_master_failures) >= MASTER_MAX_FAILURES:
            _logger.warning("master password refused: too many failures")
            raise odoo.exceptions.AccessDenied()
    try:
        return _original_check_super(passwd)
    except odoo.exceptions.AccessDenied:
        with _master_lock:
            _master_failures.append(time.time())
        _logger.warning("wrong master password")
        raise


def db_dispatch(method, params):
    if method == "server_version" and installed_anywhere():
        raise odoo.exceptions.AccessDenied()
    return _original_db_dispatch(method, params)


# The "Server:" header -----------------------------------------------------
# A response of a database with this addon carries an empty "Server"
# header: Werkzeug then adds none of its own, and this one is not sent.
_original_send_header = werkzeug.serving.WSGIRequestHandler.send_header


def send_header(self, keyword, value):
    if keyword.lower() == "server" and not value:
        return None
    return _original_send_header(self, keyword, value)


def apply():
    http.OpenERPSession.authenticate = authenticate
    http.serialize_exception = serialize_exception
    web_main._serialize_exception = serialize_exception
    wsgi_server.xmlrpc_handle_exception_int = xmlrpc_handle_exception_int
    wsgi_server.xmlrpc_handle_exception_string = \
        xmlrpc_handle_exception_string
    common_service.dispatch = common_dispatch
    db_service.check_super = check_super
    db_service.dispatch = db_dispatch
    werkzeug.serving.WSGIRequestHandler.send_header = send_header


apply()
