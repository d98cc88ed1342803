"""The web layer's guards, tried over HTTP as an anonymous visitor, a portal
user, an employee and an administrator would."""
import io
import json
import re
from unittest import mock
from xmlrpc import client as xmlrpclib

from PIL import Image

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import common
from odoo.tools import mute_logger

from .. import patches

# Seconds an HTTP request may take on a loaded test machine.
TIMEOUT = 120
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
EVIL = ("https://evil.example/", "//evil.example", "\\\\evil.example",
        "/\\evil.example", "javascript:alert(1)", " https://evil.example")


@common.at_install(False)
@common.post_install(True)
class WebSecurityCase(common.HttpCase):
    """Data are built in the registry's test cursor, where the HTTP server
    works."""

    def setUp(self):
        super().setUp()
        self.addCleanup(self._restore_cursor, self.cr, self.env)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        Users = self.env["res.users"].with_context(no_reset_password=True)

        def user(login, *groups):
            return Users.create({
                "name": login.title(), "login": login, "password": login,
                "email": "%s@example.test" % login,
                "groups_id": [(6, 0, [self.env.ref(g).id for g in groups])],
            })

        self.portal = user("t.hardening.portal", "base.group_portal")
        self.employee = user("t.hardening.employee", "base.group_user")
        self.admin = user("t.hardening.admin", "base.group_user",
                          "base.group_system")
        url = "http://127.0.0.1:%s/xmlrpc/2/" % odoo.tools.config["http_port"]
        self.xmlrpc_common = xmlrpclib.ServerProxy(url + "common")
        self.xmlrpc_db = xmlrpclib.ServerProxy(url + "db")
        self.xmlrpc_object = xmlrpclib.ServerProxy(url + "object")
        self.keep()

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

    # helpers ------------------------------------------------------------
    @staticmethod
    def url(path):
        return "http://%s:%s%s" % (common.HOST, common.PORT, path)

    def sid(self):
        return self.opener.cookies.get("session_id")

    def set_sid(self, sid):
        """One session cookie, as a browser keeps it."""
        self.opener.cookies.clear()
        self.opener.cookies.set("session_id", sid)

    def login_as(self, user):
        """Log `user` in on the test's session, as HttpCase does."""
        self.authenticate(user.login, user.login)
        self.set_sid(self.session_id)

    def allow_portal_rpc(self, model, *methods):
        """base_rpc_allowlist, where installed, refuses portal users' RPC
        calls before the guard under test sees them: open `methods` of
        `model` for this test, so that this addon's guard is tried through
        the same entry point."""
        cls = type(self.env[model])
        had = "_portal_rpc_methods" in cls.__dict__
        old = cls.__dict__.get("_portal_rpc_methods")
        cls._portal_rpc_methods = frozenset(old or ()) | frozenset(methods)

        def restore():
            if had:
                cls._portal_rpc_methods = old
            else:
                del cls._portal_rpc_methods
        self.addCleanup(restore)

    def keep(self):
        """A failed request rolls the test cursor back to its last commit;
        this cursor's commit only moves a savepoint inside the test."""
        self.registry.test_cr.commit()

    def _kept(self, response):
        sid = response.cookies.get("session_id")
        if sid:
            self.set_sid(sid)
        return response

    def get(self, path, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return self._kept(self.opener.get(self.url(path), timeout=TIMEOUT,
                                          **kwargs))

    def post(self, path, data, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return self._kept(self.opener.post(self.url(path), data=data,
                                           timeout=TIMEOUT, **kwargs))

    def jsonrpc(self, path, params=None):
        response = self._kept(self.opener.post(
            self.url(path), timeout=TIMEOUT, data=json.dumps({
                "jsonrpc": "2.0", "method": "call", "id": 1,
                "params": params or {}}),
            headers={"Content-Type": "application/json"}))
        return response.json()

    def csrf_token(self, path):
        page = self.get(path)
        self.assertEqual(page.status_code, 200, path)
        return CSRF_RE.search(page.text).group(1)

    def anonymous(self):
        """A new anonymous session on the test database."""
        store = odoo.http.root.session_store
        session = store.new()
        session.db = self.cr.dbname
        store.save(session)
        self.set_sid(session.sid)
        return session.sid

    def stored_session(self, sid):
        return odoo.http.root.session_store.get(sid)

    def login_form(self, user, redirect=""):
        token = self.csrf_token("/web/login")
        return self.post("/web/login", {
            "login": user.login, "password": user.login,
            "csrf_token": token, "redirect": redirect})

    @staticmethod
    def image_size(response):
        return Image.open(io.BytesIO(response.content)).size


class TestSessions(WebSecurityCase):

    def test_form_login_rotates_session(self):
        before = self.sid()
        response = self.login_form(self.portal)
        self.assertIn(response.status_code, (200, 303))
        after = self.sid()
        self.assertNotEqual(after, before,
                            "the id handed out before login is not kept")
        self.assertEqual(self.stored_session(after).uid, self.portal.id)
        self.assertFalse(self.stored_session(before).uid,
                         "the old id logs nobody in")
        # the new one works
        response = self.get("/my/home")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.portal.name, response.text)

    def test_json_login_rotates_session(self):
        before = self.sid()
        result = self.jsonrpc("/web/session/authenticate", {
            "db": self.cr.dbname, "login": self.employee.login,
            "password": self.employee.login})["result"]
        after = self.sid()
        self.assertNotEqual(after, before)
        self.assertEqual(result["session_id"], after)
        self.assertEqual(self.stored_session(after).uid, self.employee.id)
        self.assertFalse(self.stored_session(before).uid)
        self.assertEqual(self.jsonrpc("/web/session/get_session_info")[
            "result"]["uid"], self.employee.id)

    def test_get_logout_keeps_session(self):
        self.login_as(self.portal)
        sid = self.sid()
        page = self.get("/web/session/logout?redirect=/")
        self.assertEqual(page.status_code, 200)
        self.assertIn('action="/web/session/logout"', page.text)
        self.assertIn('method="post"', page.text)
        self.assertEqual(self.stored_session(sid).uid, self.portal.id)
        self.assertEqual(self.get("/my/home").status_code, 200)
        # nor a POST without the session's CSRF token
        with mute_logger("odoo.http"):
            refused = self.post("/web/session/logout", {"redirect": "/"})
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(self.stored_session(sid).uid, self.portal.id)

    def test_post_logout_with_csrf_ends_session(self):
        self.login_as(self.portal)
        sid = self.sid()
        token = CSRF_RE.search(
            self.get("/web/session/logout").text).group(1)
        response = self.post("/web/session/logout", {
            "csrf_token": token, "redirect": "/web/login"})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/web/login"))
        self.assertFalse(self.stored_session(sid).uid)
        self.assertFalse(self.stored_session(
            self.sid()).uid)

    def test_portal_menu_logs_out_by_post(self):
        self.login_as(self.portal)
        page = self.get("/my/home")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn('href="/web/session/logout', page.text)
        form = re.search(
            r'<form action="/web/session/logout" method="post"'
            r'.*?name="csrf_token" value="([^"]+)".*?</form>',
            page.text, re.S)
        self.assertTrue(form, "the portal's menu has a logout form")
        response = self.post("/web/session/logout", {
            "csrf_token": form.group(1), "redirect": "/"})
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.stored_session(
            self.sid()).uid)

    def test_backend_logout_posts(self):
        files, _remains = self.env["ir.qweb"]._get_asset_content(
            "web.assets_backend", {})
        self.assertIn("/web_security_hardening/static/src/js/logout.js",
                      [f["url"] for f in files])
        script = self.get("/web_security_hardening/static/src/js/logout.js")
        self.assertIn("form.method = 'POST'", script.text)
        self.assertIn("csrf_token", script.text)


class TestRedirects(WebSecurityCase):

    def assertSameSite(self, response):
        self.assertNotIn("evil", response.headers.get("Location", ""))
        self.assertNotIn("evil", response.text)
        self.assertNotIn("javascript:", response.headers.get("Location", ""))

    def test_login_redirect_same_site(self):
        for target in EVIL:
            self.anonymous()
            self.assertSameSite(self.login_form(self.portal, target))
        # a page of this site is kept
        self.anonymous()
        response = self.login_form(self.portal, "/my/home?x=1#y")
        self.assertIn("/my/home?x=1", response.headers.get(
            "Location", response.text))
        response = self.get("/web/login", params={
            "redirect": self.url("/my/home")})
        self.assertIn("/my/home", response.headers.get(
            "Location", response.text))
        self.assertNotIn("127.0.0.1", response.headers.get(
            "Location", response.text), "made relative to the site")
        # logged in, a GET of the login page redirects at once
        for target in EVIL:
            self.assertSameSite(self.get("/web/login", params={
                "redirect": target}))
            self.assertSameSite(self.get("/web", params={
                "redirect": target}))

    def test_logout_redirect_same_site(self):
        for target in EVIL:
            self.login_as(self.employee)
            token = self.csrf_token("/web/session/logout")
            response = self.post("/web/session/logout", {
                "csrf_token": token, "redirect": target})
            self.assertEqual(response.status_code, 303)
            self.assertSameSite(response)


class TestHeaders(WebSecurityCase):

    def assertHardened(self, response):
        headers = response.headers
        self.assertIn(headers.get("X-Frame-Options"), ("SAMEORIGIN", "DENY"),
                      "one X-Frame-Options value")
        self.assertRegex(headers.get("Content-Security-Policy", ""),
                         r"frame-ancestors '(self|none)'")
        self.assertEqual(headers.get("X-Content-Type-Options"), "nosniff")
        self.assertEqual(headers.get("Referrer-Policy"), "same-origin")
        self.assertNotIn("Server", headers)

    def test_headers(self):
        self.assertHardened(self.get("/web/login"))
        self.login_as(self.portal)
        page = self.get("/my/home")
        self.assertEqual(page.status_code, 200)
        self.assertHardened(page)
        self.login_as(self.employee)
        page = self.get("/web")
        self.assertEqual(page.status_code, 200)
        self.assertHardened(page)
        self.assertHardened(self.opener.post(
            self.url("/web/webclient/version_info"), data="{}",
            headers={"Content-Type": "application/json"}))


class TestDisclosure(WebSecurityCase):

    def call_with_bad_argument(self):
        """A call that fails inside the server (an internal error, not a
        refusal of its arguments, which base_orm_guard gives in clear words
        where it is installed): a method the model does not have."""
        return self.jsonrpc("/web/dataset/call_kw", {
            "model": "res.partner", "method": "no_such_argument",
            "args": [[]], "kwargs": {}})

    @mute_logger("odoo.http")
    def test_json_error_without_traceback(self):
        self.allow_portal_rpc("res.partner", "no_such_argument")
        self.portal.lang = "fa_IR"
        self.keep()
        self.login_as(self.portal)
        error = self.call_with_bad_argument()["error"]
        self.assertEqual(error["data"]["message"], "خطایی درونی در کارگزار رخ "
                         "داد؛ مدیران سامانه جزئیات آن را در گزارش کارگزار "
                         "می‌بینند.", "a general message, in Persian")
        self.assertFalse(error["data"]["debug"])
        self.assertNotIn("Traceback", json.dumps(error))
        self.assertNotIn("site-packages", json.dumps(error))
        self.assertNotIn("no_such_argument", json.dumps(error))
        # anonymous too
        self.anonymous()
        self.assertNotIn("Traceback", json.dumps(self.jsonrpc(
            "/web/session/authenticate", {"db": self.cr.dbname})))
        # an administrator reads it
        self.login_as(self.admin)
        error = self.call_with_bad_argument()["error"]
        self.assertIn("Traceback", error["data"]["debug"])
        self.assertIn("no_such_argument", error["data"]["message"])

    def test_versions_and_modules(self):
        self.login_as(self.portal)
        info = self.jsonrpc("/web/webclient/version_info")["result"]
        self.assertNotIn("server_version", info)
        self.assertNotIn("server_version_info", info)
        modules = self.jsonrpc("/web/session/modules")
        self.assertNotIn("result", modules)
        self.assertEqual(modules["error"]["data"]["exception_type"],
                         "access_error")
        session = self.jsonrpc("/web/session/get_session_info")["result"]
        self.assertEqual(session["uid"], self.portal.id)
        self.assertNotIn("server_version", session)
        version = self.xmlrpc_common.version()
        self.assertNotIn("server_version", version)
        self.assertNotIn(odoo.release.version, self.xmlrpc_common.about(True))
        with self.assertRaises(xmlrpclib.Fault):
            self.xmlrpc_db.server_version()
        # administrators read them
        self.login_as(self.admin)
        info = self.jsonrpc("/web/webclient/version_info")["result"]
        self.assertEqual(info["server_version"], odoo.release.version)
        self.assertIn("web_security_hardening",
                      self.jsonrpc("/web/session/modules")["result"])

    @mute_logger("odoo.service.model", "odoo.http", "odoo.sql_db",
                 "odoo.service.wsgi_server")
    def test_xmlrpc_fault_without_traceback(self):
        self.allow_portal_rpc("res.partner", "search")
        with self.assertRaises(xmlrpclib.Fault) as caught:
            self.xmlrpc_object.execute_kw(
                self.cr.dbname, self.portal.id, self.portal.login,
                "res.partner", "search", [[]], {"no_such_argument": 1})
        self.assertNotIn("Traceback", caught.exception.faultString)
        self.assertNotIn("no_such_argument", caught.exception.faultString)


class TestDatabaseManager(WebSecurityCase):

    def tearDown(self):
        patches._master_failures.clear()
        super().tearDown()

    @mute_logger("odoo.service.db", "odoo.addons.web_security_hardening.patches")
    def test_manager_off_by_default(self):
        self.assertFalse(odoo.tools.config.get("database_manager"))
        for path in ("/web/database/manager", "/web/database/selector"):
            self.assertEqual(self.get(path).status_code, 404, path)
        for path in ("/web/database/drop", "/web/database/backup",
                     "/web/database/duplicate"):
            self.assertEqual(self.post(path, {
                "master_pwd": "x", "name": "x", "new_name": "y"}
            ).status_code, 404, path)
        self.assertNotIn("result", self.jsonrpc("/web/database/list"))
        self.assertNotIn("/web/database/manager", self.get("/web/login").text)
        # Odoo's default lists the databases; the manager stays off.
        with mock.patch.dict(odoo.tools.config.options, {
                "admin_passwd": "hd-master", "list_db": True}):
            with self.assertRaises(xmlrpclib.Fault):
                self.xmlrpc_db.drop("hd-master", "no_such_database_hd")

    @mute_logger("odoo.service.db", "odoo.addons.web_security_hardening.patches")
    def test_master_password_throttled(self):
        patches._master_failures.clear()
        with mock.patch.dict(odoo.tools.config.options, {
                "database_manager": "True", "admin_passwd": "hd-master",
                "list_db": True}):
            self.assertEqual(self.get("/web/database/manager").status_code,
                             200)
            self.assertIs(self.xmlrpc_db.drop("hd-master",
                                              "no_such_database_hd"), False)
            for _attempt in range(patches.MASTER_MAX_FAILURES):
                with self.assertRaises(xmlrpclib.Fault):
                    self.xmlrpc_db.drop("guess", "no_such_database_hd")
            with self.assertRaises(xmlrpclib.Fault):
                self.xmlrpc_db.drop("hd-master", "no_such_database_hd")


class TestImages(WebSecurityCase):

    def test_barcode_capped(self):
        response = self.get("/report/barcode/", params={
            "type": "QR", "value": "hello", "width": 3000, "height": 3000})
        self.assertEqual(response.status_code, 200)
        width, height = self.image_size(response)
        self.assertLessEqual(max(width, height), 1024)
        response = self.get("/report/barcode/QR/hello", params={
            "width": 200, "height": 200})
        self.assertEqual(self.image_size(response), (200, 200))
        self.assertEqual(self.get("/report/barcode/QR/%s" % ("x" * 3000))
                         .status_code, 400)

    def test_font_to_img_capped(self):
        response = self.get("/web_editor/font_to_img/61440/rgb(0,0,0)/2500")
        self.assertEqual(response.status_code, 200)
        self.assertLessEqual(max(self.image_size(response)), 1024)
        response = self.get("/web_editor/font_to_img/61440", params={
            "size": "2500", "font": "/../../../../etc/passwd"})
        self.assertEqual(response.status_code, 200)
        self.assertLessEqual(max(self.image_size(response)), 1024)
        response = self.get("/web_editor/font_to_img/61440/rgb(0,0,0)/40")
        self.assertEqual(self.image_size(response)[1], 40)

    def test_web_image_size_checked(self):
        partner = self.env.ref("base.partner_root")
        self.login_as(self.admin)
        path = "/web/image/res.partner/%d/image" % partner.id
        with mute_logger("odoo.http", "werkzeug"):
            response = self.get(path, params={"width": "3000x", "crop": 1})
        self.assertEqual(response.status_code, 400)
        response = self.get(path, params={"width": 3000, "height": 3000})
        self.assertLessEqual(max(self.image_size(response)), 1024)
        response = self.get(path + "/64x64")
        self.assertEqual(response.status_code, 200)
        self.assertLessEqual(max(self.image_size(response)), 64)


class TestWebEditor(WebSecurityCase):

    def test_template_from_query_refused(self):
        self.login_as(self.employee)
        script = "<script>alert('hd')</script>"
        for params in ({"template": "web.layout", "head": script},
                       {"head": script}, {"add_html": script},
                       {"template": "web.login"}):
            params.update(datarecord="{}", callback="FieldTextHtml_0")
            for path in ("/web_editor/field/html",
                         "/web_editor/field/html/inline"):
                response = self.get(path, params=params)
                self.assertIn(response.status_code, (403, 404), params)
                self.assertNotIn(script, response.text)
        # the html field's own editor still opens
        response = self.get("/web_editor/field/html", params={
            "callback": "FieldTextHtml_0", "enable_editor": 1,
            "datarecord": "{}"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("editable_area", response.text)


class TestReports(WebSecurityCase):

    def test_report_of_unreadable_record(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "base")])
        self.login_as(self.portal)
        for converter in ("pdf", "html", "text"):
            response = self.get("/report/%s/base.report_irmodulereference/%d"
                                % (converter, module.id))
            self.assertIn(response.status_code, (403, 404), converter)
        self.assertIn(self.get(
            "/report/html/base.report_irmodulereference/999999999"
        ).status_code, (403, 404))
        self.assertEqual(self.get("/report/html/no.such_report/1")
                         .status_code, 404)
        response = self.get("/report/download", params={
            "token": "1", "data": json.dumps([
                "/report/pdf/base.report_irmodulereference/%d" % module.id,
                "qweb-pdf"])})
        self.assertIn(response.status_code, (403, 404))
        # an administrator prints it
        self.login_as(self.admin)
        response = self.get("/report/html/base.report_irmodulereference/%d"
                            % module.id)
        self.assertEqual(response.status_code, 200)
        self.assertIn("base", response.text)

    def test_accounting_report_for_accountants_only(self):
        if "account" not in self.registry._init_modules:
            self.skipTest("the account addon is not installed")
        params = {
            "options": json.dumps({"form": {
                "display_account": "all", "initial_balance": False,
                "sortby": "sort_date", "target_move": "all",
                "used_context": {}, "date_from": False, "date_to": False,
                "journal_ids": []}}),
            "context": json.dumps({
                "active_model": "account.report.general.ledger",
                "active_ids": []}),
        }
        path = "/report/html/account.report_generalledger"
        self.login_as(self.employee)
        response = self.get(path, params=params)
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn("101200", response.text)
        # nor with a wizard of their own as the report's record
        wizard = self.env["account.report.general.ledger"].create({})
        self.cr.execute("UPDATE account_report_general_ledger"
                        " SET create_uid = %s WHERE id = %s",
                        (self.employee.id, wizard.id))
        self.keep()
        response = self.get("%s/%d" % (path, wizard.id), params=params)
        self.assertIn(response.status_code, (403, 404))
        accountant = self.env["res.users"].with_context(
            no_reset_password=True).create({
                "name": "Accountant", "login": "t.hardening.accountant",
                "password": "t.hardening.accountant",
                "groups_id": [(6, 0, [
                    self.env.ref("base.group_user").id,
                    self.env.ref("account.group_account_user").id,
                    self.env.ref("account.group_account_manager").id])]})
        self.keep()
        self.login_as(accountant)
        response = self.get(path, params=params)
        self.assertEqual(response.status_code, 200)
        self.assertIn("101200", response.text, "the receivable account")
