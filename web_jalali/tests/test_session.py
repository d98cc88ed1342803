"""What the web client learns about the user's calendar, and who may change it."""
from odoo.exceptions import AccessError
from odoo.tests import common
from odoo.tests.common import HttpCase, at_install, post_install


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestSession(HttpCase):

    def setUp(self):
        super().setUp()
        # On 11.0 the HTTP server works in the registry's test cursor, not in
        # the one TransactionCase opened: build the data where it sees them.
        self.addCleanup(self._restore_cursor, self.cr, self.env)
        self.cr = self.registry.test_cr
        self.env = self.env(cr=self.cr)
        self.env.ref("base.lang_en").active = True
        Users = self.env["res.users"].with_context(no_reset_password=True)
        self.users = {}
        for login, lang, calendar in (("t.cal.fa", "fa_IR", "auto"),
                                      ("t.cal.en", "en_US", "auto"),
                                      ("t.cal.enj", "en_US", "jalali"),
                                      ("t.cal.fag", "fa_IR", "gregorian")):
            self.users[login] = Users.create({
                "name": login, "login": login, "password": login, "lang": lang,
                "calendar_system": calendar, "tz": "Asia/Tehran",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def session_calendar(self, login):
        self.authenticate(login, login)
        response = self.opener.post(
            "http://127.0.0.1:%s/web/session/get_session_info" % common.PORT,
            json={"jsonrpc": "2.0", "method": "call", "params": {}}, timeout=60)
        return response.json()["result"].get("calendar_system")

    def test_calendar_in_the_session(self):
        self.assertEqual(self.session_calendar("t.cal.fa"), "jalali")
        self.assertEqual(self.session_calendar("t.cal.en"), "gregorian")
        self.assertEqual(self.session_calendar("t.cal.enj"), "jalali")
        self.assertEqual(self.session_calendar("t.cal.fag"), "gregorian")

    def test_backend_page_tells_the_calendar(self):
        for login, calendar in (("t.cal.fa", "jalali"), ("t.cal.en", "gregorian")):
            self.authenticate(login, login)
            # (the first page of a test may compile the asset bundles)
            page = self.url_open("/web", timeout=120).text
            self.assertIn('"calendar_system": "%s"' % calendar, page)
        # the browser libraries the project's setup copies from npm are served
        for path in ("jalaali-js/jalaali.js", "jalalidatepicker/jalalidatepicker.min.js",
                     "jalalidatepicker/jalalidatepicker.min.css"):
            response = self.url_open("/web_jalali/static/lib/" + path, timeout=60)
            self.assertEqual(response.status_code, 200, path)

    def test_users_choose_their_own_calendar(self):
        user = self.users["t.cal.en"]
        user.sudo(user).write({"calendar_system": "jalali"})
        self.assertEqual(user.calendar_system, "jalali")
        self.assertEqual(self.session_calendar("t.cal.en"), "jalali")
        # but not another user's
        with self.assertRaises(AccessError):
            self.users["t.cal.fa"].sudo(user).write({"calendar_system": "gregorian"})
