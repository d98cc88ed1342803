from contextlib import contextmanager
from threading import current_thread

from odoo import SUPERUSER_ID, api, http, models

from ..exceptions import LoginThrottled


class ResUsers(models.Model):
    """Refuse every login of a banned address before its password is
    checked, on every path that takes a password: ``authenticate`` (the
    login form, JSON-RPC ``/web/session/authenticate``, XML-RPC
    ``common.authenticate``), ``_login`` (XML-RPC ``common.login``) and
    ``check`` (XML-RPC and JSON-RPC ``object.execute_kw``, which send the
    password at every call). OCA's addon checks the ban only where the
    password is compared, which ``check`` skips once a password is in its
    cache, and answers a ban as a wrong password."""

    _inherit = "res.users"

    @classmethod
    def _throttle_remote(cls):
        """The caller's address: auth_brute_force keeps the WSGI environ
        of the request on its thread (XML-RPC has no web request)."""
        environ = getattr(current_thread(), "environ", None) or {}
        remote = environ.get("REMOTE_ADDR")
        if not remote and http.request:
            remote = http.request.httprequest.remote_addr
        return remote or False

    @classmethod
    @contextmanager
    def _throttle_checked(cls):
        """Within, the nested login methods do not check the ban again."""
        thread = current_thread()
        outer = getattr(thread, "auth_throttle_checked", False)
        thread.auth_throttle_checked = True
        try:
            yield
        finally:
            thread.auth_throttle_checked = outer

    @classmethod
    def _throttle_banned(cls, login=None, uid=None):
        """The message refusing this login if its address is banned (the
        refusal is recorded as a banned attempt), or None."""
        if getattr(current_thread(), "auth_throttle_checked", False):
            return None
        remote = cls._throttle_remote()
        if not remote:
            return None
        with cls.pool.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = env["res.users"]
            if uid is not None:
                user = user.browse(uid).exists()
                login = user.login
            elif login:
                user = user.search([("login", "=", login)], limit=1)
            attempts = env["res.authentication.attempt"]
            if attempts._trusted(remote, login or False):
                return None
            attempts.create({
                "login": login, "remote": remote, "result": "banned"})
            lang = user.lang or "en_US"
            if http.request:
                lang = http.request.context.get("lang") or lang
            return attempts.with_context(lang=lang)._throttle_message()

    @classmethod
    def _throttle_gate(cls, login):
        """True if the login is refused. A web request is told so (its
        controllers answer with the message); RPC gets the error."""
        if not isinstance(login, str):
            return False
        message = cls._throttle_banned(login=login)
        if message is None:
            return False
        if http.request:
            http.request.auth_throttled = message
            return True
        raise LoginThrottled(message)

    @classmethod
    def _login(cls, db, login, password):
        if cls._throttle_gate(login):
            return False
        with cls._throttle_checked():
            return super(ResUsers, cls)._login(db, login, password)

    @classmethod
    def authenticate(cls, db, login, password, user_agent_env):
        if cls._throttle_gate(login):
            return False
        with cls._throttle_checked():
            return super(ResUsers, cls).authenticate(
                db, login, password, user_agent_env)

    @classmethod
    def check(cls, db, uid, passwd):
        if passwd and isinstance(uid, int):
            message = cls._throttle_banned(uid=uid)
            if message is not None:
                raise LoginThrottled(message)
        return super(ResUsers, cls).check(db, uid, passwd)
