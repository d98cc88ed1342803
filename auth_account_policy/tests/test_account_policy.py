import os
import re
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests.common import HttpCase, at_install, post_install
from odoo.tools import mute_logger

from odoo.addons.password_security.exceptions import PassError


@at_install(False)
@post_install(True)
class AccountPolicyCase(HttpCase):

    def setUp(self):
        super().setUp()
        # Odoo 11's HTTP server works in the registry's test cursor.
        original = self.cr, self.env
        self.addCleanup(self._restore_cursor, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.env.ref("base.lang_en").active = True
        users = self.env["res.users"].with_context(no_reset_password=True)
        # an administrator makes accounts with any first password
        self.officer = users.create({
            "name": "Policy Officer", "login": "t.policy.officer",
            "password": "t.policy.officer", "lang": "en_US",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        self.student = users.create({
            "name": "Policy Student", "login": "t.policy.student",
            "password": "t.policy.student", "lang": "en_US",
            "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]})

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def keep(self):
        self.registry.test_cr.commit()  # pylint: disable=invalid-commit
        self.env.cache.invalidate()

    @staticmethod
    def url(path):
        return "http://127.0.0.1:%s%s" % (odoo.tools.config["http_port"], path)

    def json(self, path, **params):
        self.keep()
        response = self.opener.post(self.url(path), timeout=30, json={
            "jsonrpc": "2.0", "method": "call", "params": params}).json()
        self.env.cache.invalidate()
        return response

    def context_get(self):
        return self.json("/web/dataset/call_kw/res.users/context_get",
                         model="res.users", method="context_get", args=[],
                         kwargs={})

    def change_password(self, user, old, new):
        """The user's own change of password, as the web client sends it."""
        self.authenticate(user.login, old)
        return self.json("/web/session/change_password", fields=[
            {"name": "old_pwd", "value": old},
            {"name": "new_password", "value": new},
            {"name": "confirm_pwd", "value": new}])

    def assert_password(self, user, password):
        self.env["res.users"].sudo(user).check_credentials(password)

    @mute_logger("odoo.http")
    def test_officer_weak_password_refused_on_change(self):
        for weak in ("short1!A", "nocapitals-or-digits", "NoDigitsOrSymbols"):
            answer = self.change_password(
                self.officer, self.officer.login, weak)
            self.assertIn("12 characters", str(answer), weak)
            self.assert_password(self.officer, self.officer.login)
        strong = "Kh@razmi-Lib2026"
        answer = self.change_password(self.officer, self.officer.login, strong)
        self.assertNotIn("error", answer)
        self.assert_password(self.officer, strong)
        # nor the same one again
        with self.assertRaises(PassError):
            self.officer.write({"password": strong})

    @mute_logger("odoo.http")
    def test_student_password_by_length(self):
        answer = self.change_password(self.student, self.student.login, "kootah")
        self.assertIn("at least 10 characters", str(answer))
        self.assert_password(self.student, self.student.login)
        # a long password in lower case letters is enough for a student
        answer = self.change_password(
            self.student, self.student.login, "ramzedaneshgah")
        self.assertNotIn("error", answer)
        self.assert_password(self.student, "ramzedaneshgah")
        self.assertFalse(self.student._password_has_expired())

    def test_staff_policy_expires_and_resets_on_the_first_day(self):
        """Staff passwords expire (180 days); a new account may set its
        first password through "Reset password" on its first day."""
        self.officer._validate_pass_reset()
        self.officer.password_write_date = "2020-01-01 00:00:00"
        self.assertTrue(self.officer._password_has_expired())
        self.assertEqual(self.officer.company_id.password_expiration, 180)

    def test_expired_staff_password_leads_to_a_new_one(self):
        """At the login form, an expired password sends the officer to the
        page that sets a new one."""
        self.officer.password_write_date = "2020-01-01 00:00:00"
        self.keep()
        page = self.opener.get(self.url("/web/login?db=%s" % (
            odoo.tests.common.get_db_name())), timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.keep()
        response = self.opener.post(self.url("/web/login"), data={
            "login": self.officer.login, "password": self.officer.login,
            "csrf_token": token}, timeout=30, allow_redirects=False)
        # a redirection, or Odoo 11's page that redirects keeping the hash
        target = response.headers.get("Location", "") + response.text
        self.assertIn("/web/reset_password", target)
        self.assertIn("token=", target)
        # and the officer is not logged in
        self.assertNotIn("result", self.context_get())

    def test_module_data_keep_their_passwords(self):
        """Demo users are written again at each update of their module,
        with the password they ship ("demo")."""
        self.registry.ready = False
        try:
            self.officer.write({"password": "demo"})
        finally:
            self.registry.ready = True
        self.assert_password(self.officer, "demo")
        with self.assertRaises(PassError):
            self.officer.write({"password": "demo"})

    def test_anonymous_visitor_is_not_sent_away(self):
        """A public page with a new session (no file yet) answers."""
        self.opener.cookies.clear()
        self.keep()
        response = self.opener.get(
            self.url("/report/barcode/QR/clearance?width=100&height=100"),
            timeout=30, allow_redirects=False)
        self.assertEqual(response.status_code, 200)

    @mute_logger("odoo.http")
    def test_idle_session_ends(self):
        self.authenticate(self.officer.login, self.officer.login)
        self.assertEqual(self.context_get()["result"]["uid"], self.officer.id)
        path = odoo.http.root.session_store.get_session_filename(
            self.session_id)
        two_hours_ago = time.time() - 7300
        os.utime(path, (two_hours_ago, two_hours_ago))
        answer = self.context_get()
        self.assertEqual(answer["error"]["message"], "Odoo Session Expired")
        self.assertEqual(
            self.env["ir.config_parameter"].sudo().get_param(
                "inactive_session_time_out_delay"), "7200")

    def test_officer_cannot_expire_another_users_password(self):
        token = self.student.partner_id.sudo().signup_token
        self.authenticate(self.officer.login, self.officer.login)
        answer = self.json(
            "/web/dataset/call_kw/res.users/action_expire_password",
            model="res.users", method="action_expire_password",
            args=[self.student.ids], kwargs={})
        self.assertEqual(answer["error"]["data"]["name"],
                         "odoo.exceptions.AccessError", answer)
        self.assertEqual(self.student.partner_id.sudo().signup_token, token)
        # their own, as OCA's login does with an old password; and an admin
        self.env["res.users"].sudo(self.officer).browse(
            self.officer.id).action_expire_password()
        self.assertTrue(self.officer.partner_id.sudo().signup_token)
        self.student.action_expire_password()
        self.assertTrue(self.student.partner_id.sudo().signup_token)
