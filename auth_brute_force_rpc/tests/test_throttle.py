import json
import re
import xmlrpc.client

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests.common import HttpCase, at_install, post_install
from odoo.tools import mute_logger

THROTTLED = "Too many failed logins from your address"
# Expected refusals: the brute-force filter warns, the login logs failures.
QUIET = ("odoo.addons.auth_brute_force.models.res_authentication_attempt",
         "odoo.addons.base.res.res_users", "odoo.service.common",
         "odoo.http", "werkzeug")


@at_install(False)
@post_install(True)
class ThrottleCase(HttpCase):
    """An attacker guesses a student's password through each entry point."""

    def setUp(self):
        super().setUp()
        # Odoo 11's HTTP server works in the registry's test cursor, not in
        # the one TransactionCase opened: the data are made there.
        original = self.cr, self.env
        self.addCleanup(self._restore_cursor, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.env.ref("base.lang_en").active = True
        users = self.env["res.users"].with_context(no_reset_password=True)
        self.student = users.create({
            "name": "Throttled Student", "login": "t.throttle.student",
            "password": "t.throttle.student", "lang": "en_US",
            "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]})
        self.officer = users.create({
            "name": "Throttled Officer", "login": "t.throttle.officer",
            "password": "t.throttle.officer", "lang": "en_US",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        self.admin = users.create({
            "name": "Throttle Admin", "login": "t.throttle.admin",
            "password": "t.throttle.admin", "lang": "en_US",
            "groups_id": [(6, 0, [self.env.ref("base.group_system").id])]})
        self.attempts = self.env["res.authentication.attempt"]
        # The limits this addon ships; the test starts with a clean count.
        self.set_params(max_by_ip=50, max_by_ip_user=10)
        self.attempts.search([]).unlink()
        self.db = odoo.tests.common.get_db_name()
        port = odoo.tools.config["http_port"]
        self.common = xmlrpc.client.ServerProxy(
            "http://127.0.0.1:%s/xmlrpc/2/common" % port)
        self.object = xmlrpc.client.ServerProxy(
            "http://127.0.0.1:%s/xmlrpc/2/object" % port)

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

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
        """A refused request rolls the test cursor back to its last commit,
        which only moves a savepoint inside this test."""
        self.registry.test_cr.commit()  # pylint: disable=invalid-commit
        self.env.cache.invalidate()

    def set_params(self, **values):
        for key, value in values.items():
            self.env["ir.config_parameter"].sudo().set_param(
                "auth_brute_force.%s" % key, str(value))

    @staticmethod
    def url(path):
        return "http://127.0.0.1:%s%s" % (odoo.tools.config["http_port"], path)

    # The three entry points, as an attacker uses them.
    def form_login(self, login, password):
        """Post the login form; the logged-in uid or the page's error."""
        self.keep()
        page = self.url_open("/web/login?db=%s" % self.db, timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open("/web/login", data={
            "login": login, "password": password, "csrf_token": token,
        }, timeout=30)
        error = re.search(r'<p class="alert alert-danger">\s*([^<]*?)\s*</p>',
                          response.text)
        return error.group(1) if error else "logged in"

    def json_login(self, login, password):
        self.keep()
        response = self.opener.post(
            self.url("/web/session/authenticate"), data=json.dumps({
                "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                    "db": self.db, "login": login, "password": password},
            }), headers={"Content-Type": "application/json"}, timeout=30,
        ).json()
        if "error" in response:
            return response["error"]["data"]["message"]
        return response["result"]["uid"]

    def xmlrpc_login(self, login, password):
        self.keep()
        try:
            return self.common.authenticate(self.db, login, password, {})
        except xmlrpc.client.Fault as fault:
            return fault.faultString

    def execute_kw(self, uid, password):
        self.keep()
        try:
            return self.object.execute_kw(
                self.db, uid, password, "res.users", "read", [[uid]],
                {"fields": ["login"]})
        except xmlrpc.client.Fault as fault:
            return fault.faultString

    def guess(self, entry, login, count=60):
        for number in range(count):
            self.assertNotEqual(
                entry(login, "wrong-%d" % number), self.student.id)

    def spread_in_time(self):
        """The attempts of a test share its transaction's time: one second
        apart instead, in their order."""
        self.cr.execute("""
            UPDATE res_authentication_attempt
               SET create_date = (now() AT TIME ZONE 'UTC')
                   - interval '1 second' * (
                       (SELECT max(id) FROM res_authentication_attempt) - id)
        """)
        self.keep()

    def failures(self):
        self.attempts.invalidate_cache()
        return self.attempts.search([("result", "!=", "successful")])

    @mute_logger(*QUIET)
    def test_form_refuses_the_right_password_after_guesses(self):
        self.guess(self.form_login, self.student.login)
        self.assertIn(THROTTLED, self.form_login(
            self.student.login, self.student.login))
        # an unknown login from the same address reads the same, so that
        # the refusal does not tell which logins exist
        self.guess(self.form_login, "t.nobody", count=10)
        self.assertIn(THROTTLED, self.form_login("t.nobody", "x"))
        self.assertTrue(self.failures().filtered(
            lambda a: a.result == "banned" and a.remote == "127.0.0.1"))

    @mute_logger(*QUIET)
    def test_json_rpc_refuses_the_right_password_after_guesses(self):
        self.guess(self.json_login, self.student.login)
        answer = self.json_login(self.student.login, self.student.login)
        self.assertIn(THROTTLED, str(answer))

    @mute_logger(*QUIET)
    def test_xml_rpc_refuses_the_right_password_after_guesses(self):
        self.allow_portal_rpc("res.users", "read")
        self.guess(self.xmlrpc_login, self.student.login)
        self.assertIn(THROTTLED, str(self.xmlrpc_login(
            self.student.login, self.student.login)))
        try:
            self.keep()
            answer = self.common.login(
                self.db, self.student.login, self.student.login)
        except xmlrpc.client.Fault as fault:
            answer = fault.faultString
        self.assertIn(THROTTLED, str(answer))
        self.assertIn(THROTTLED, str(self.execute_kw(
            self.student.id, self.student.login)))

    @mute_logger(*QUIET)
    def test_execute_kw_guesses_count_and_cached_password_is_refused(self):
        """execute_kw sends the password at each call: wrong ones count,
        and once the address is banned even a password that the server
        has in its cache (the student's own client used it) is refused."""
        self.allow_portal_rpc("res.users", "read")
        self.assertEqual(self.execute_kw(self.student.id, self.student.login),
                         [{"id": self.student.id, "login": self.student.login}])
        for number in range(10):
            self.assertIn("Access", str(self.execute_kw(
                self.student.id, "wrong-%d" % number)))
        self.assertEqual(len(self.failures()), 10)
        self.assertIn(THROTTLED, str(self.execute_kw(
            self.student.id, self.student.login)))

    @mute_logger(*QUIET)
    def test_own_successes_do_not_clear_a_spraying_address(self):
        """An attacker with an account of their own tries a few passwords
        on many student numbers, logging in as themselves in between."""
        self.set_params(max_by_ip=5, max_by_ip_user=10)
        guesses = [(self.student.login, 1), ("t.throttle.other1", 2),
                   ("t.throttle.other2", 2)]
        for victim, count in guesses:
            self.assertEqual(self.xmlrpc_login(
                self.officer.login, self.officer.login), self.officer.id)
            for number in range(count):
                self.assertFalse(self.xmlrpc_login(victim, "wrong-%d" % number))
        # five failures from the address, one on the student's login; in
        # life, each attempt is a transaction and a moment of its own
        self.spread_in_time()
        self.assertIn(THROTTLED, str(self.xmlrpc_login(
            self.student.login, self.student.login)))

    @mute_logger(*QUIET)
    def test_other_login_from_the_address_until_the_address_limit(self):
        """A ban of one login from an address leaves the other users of
        that address (a faculty's network) in, until the address as a whole
        reaches its limit."""
        self.guess(self.xmlrpc_login, self.student.login, count=10)
        self.assertIn(THROTTLED, str(self.xmlrpc_login(
            self.student.login, self.student.login)))
        self.assertEqual(self.xmlrpc_login(
            self.officer.login, self.officer.login), self.officer.id)
        self.set_params(max_by_ip=11)
        self.spread_in_time()
        self.assertIn(THROTTLED, str(self.xmlrpc_login(
            self.officer.login, self.officer.login)))

    @mute_logger(*QUIET)
    def test_admin_sees_and_lifts_the_ban(self):
        self.guess(self.xmlrpc_login, self.student.login)
        self.assertIn(THROTTLED, str(self.xmlrpc_login(
            self.student.login, self.student.login)))
        # only an administrator reads the attempts or lifts a ban
        for user in (self.student, self.officer):
            with self.assertRaises(odoo.exceptions.AccessError):
                self.attempts.sudo(user).search([])
            with self.assertRaises(odoo.exceptions.AccessError):
                self.failures().sudo(user).action_lift_ban()
        self.assertIn(THROTTLED, str(self.xmlrpc_login(
            self.student.login, self.student.login)))
        # the administrator's menu shows the ban
        action = self.env.ref("auth_brute_force.action_res_authentication_attempt")
        menu = self.env.ref("auth_brute_force.menu_res_authentication_attempt")
        self.assertIn(menu, self.env["ir.ui.menu"].sudo(self.admin).search([]))
        banned = self.attempts.sudo(self.admin).search(
            [("result", "=", "banned"), ("login", "=", self.student.login)])
        self.assertTrue(banned)
        self.assertEqual(action.res_model, banned._name)
        banned[0].action_lift_ban()
        self.assertEqual(self.xmlrpc_login(
            self.student.login, self.student.login), self.student.id)
        self.assertEqual(self.json_login(
            self.student.login, self.student.login), self.student.id)
        self.assertEqual(self.form_login(
            self.student.login, self.student.login), "logged in")

    @mute_logger(*QUIET)
    def test_a_busy_xml_rpc_client_is_not_banned(self):
        """A client that sends its password with each of 1000 calls."""
        for _number in range(1000):
            self.assertEqual(
                self.execute_kw(self.officer.id, self.officer.login),
                [{"id": self.officer.id, "login": self.officer.login}])
        self.assertFalse(self.failures())
        self.assertEqual(self.xmlrpc_login(
            self.officer.login, self.officer.login), self.officer.id)
