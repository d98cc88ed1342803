import re

import odoo
from odoo.addons.clearance_request.tests.common import (
    HttpCursorCase, make_officer, make_student)
from odoo.tests.common import at_install, post_install
from odoo.tools import mute_logger

from .common import csv_file

PASSWORD = "Tazeh-Ramz-2026!"


@at_install(False)
@post_install(True)
class TestStudentLogins(HttpCursorCase):
    """The imported students' logins, the reset form, and the import's
    methods over RPC."""

    def setUp(self):
        super().setUp()
        self.registrar = make_officer(
            self.env, "t.login.registrar",
            "clearance_enrolment.group_clearance_registrar")
        self.officer = make_officer(
            self.env, "t.login.officer",
            "clearance_request.group_office_library_kharazmi")
        self.student = make_student(self.env, "91990002", "Login Student")
        self.record = self.env["clearance.student.import"].sudo(
            self.registrar).create({"name": "Logins", "file": csv_file(),
                                    "filename": "students.csv"})
        self.record.action_import()
        self.Users = self.env["res.users"]

    def keep(self):
        result = super().keep()
        self.env.cache.invalidate()
        return result

    @staticmethod
    def url(path):
        return "http://127.0.0.1:%s%s" % (odoo.tools.config["http_port"], path)

    def test_student_without_email_signs_in_with_the_number(self):
        user = self.Users.search([("login", "=", "4011002")])
        self.assertTrue(user)
        self.assertFalse(user.email)
        self.assertEqual(user.partner_id.student_number, "4011002")
        user.password = PASSWORD
        self.keep()
        db = odoo.tests.common.get_db_name()
        self.assertEqual(self.Users._login(db, "4011002", PASSWORD), user.id)
        self.assertFalse(self.Users._login(db, "4011002", "wrong-password"))
        # and through the login form
        self.keep()
        page = self.opener.get(self.url("/web/login"), timeout=30)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        response = self.opener.post(self.url("/web/login"), data={
            "csrf_token": csrf.group(1), "login": "4011002",
            "password": PASSWORD, "redirect": "/my"}, timeout=30)
        # Odoo 11 sends the browser on with a script (redirect_with_hash)
        self.assertNotIn("oe_login_form", response.text)
        self.assertIn("/my", response.text)
        self.keep()
        page = self.opener.get(self.url("/my/home"), timeout=30)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("/web/login", page.url)
        self.assertIn(user.name, page.text)

    def test_reset_password_from_the_login_page(self):
        self.keep()
        page = self.opener.get(self.url("/web/login"), timeout=30)
        self.assertIn("/web/reset_password", page.text)
        page = self.opener.get(self.url("/web/reset_password"), timeout=30)
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        Mail = self.env["mail.mail"]
        before = Mail.search([]).ids
        self.keep()
        page = self.opener.post(self.url("/web/reset_password"), data={
            "csrf_token": csrf.group(1), "login": "4011001"}, timeout=30)
        self.assertEqual(page.status_code, 200)
        self.assertIn("alert-success", page.text)
        self.env.cache.invalidate()
        mails = Mail.search([("id", "not in", before)])
        self.assertEqual(mails.mapped("email_to"), ["ali@students.test"])
        self.assertEqual(mails.state, "outgoing")  # queued, not sent
        link = re.search(r"/web/reset_password\?db=[^\"&]+&(?:amp;)?token="
                         r"(\w+)", mails.body_html)
        self.assertTrue(link)
        # the link sets the student's password
        token = link.group(1)
        self.keep()
        page = self.opener.get(self.url(
            "/web/reset_password?db=%s&token=%s" % (
                odoo.tests.common.get_db_name(), token)), timeout=30)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        self.keep()
        self.opener.post(self.url("/web/reset_password"), data={
            "csrf_token": csrf.group(1), "token": token, "login": "4011001",
            "name": "علی رضایی", "password": PASSWORD,
            "confirm_password": PASSWORD}, timeout=30)
        self.env.cache.invalidate()
        user = self.Users.search([("login", "=", "4011001")])
        self.Users.sudo(user).check_credentials(PASSWORD)
        # a student without an e-mail is told so; nothing is queued
        self.keep()
        page = self.opener.get(self.url("/web/reset_password"), timeout=30)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        before = Mail.search([]).ids
        self.keep()
        page = self.opener.post(self.url("/web/reset_password"), data={
            "csrf_token": csrf.group(1), "login": "4011002"}, timeout=30)
        self.assertIn("alert-danger", page.text)
        self.assertIn("registrar", page.text)
        self.env.cache.invalidate()
        self.assertFalse(Mail.search([("id", "not in", before)]))

    @mute_logger("odoo.http", "odoo.models")
    def test_student_and_officer_cannot_call_the_import_over_rpc(self):
        for user in (self.student, self.officer):
            self.authenticate(user.login, user.login)
            for method, args in (
                    ("read", [[self.record.id], ["name"]]),
                    ("create", [{"name": "x", "file": csv_file().decode()}]),
                    ("action_preview", [[self.record.id]]),
                    ("action_import", [[self.record.id]]),
                    ("action_send_invitations", [[self.record.id]])):
                self.keep()
                answer = self.opener.post(
                    self.url("/web/dataset/call_kw/clearance.student.import/"
                             + method), timeout=30,
                    json={"jsonrpc": "2.0", "method": "call", "params": {
                        "model": "clearance.student.import",
                        "method": method, "args": args, "kwargs": {}}}).json()
                self.assertIn("error", answer, (user.login, method))
                self.assertNotIn("result", answer)
        self.env.cache.invalidate()
        self.assertEqual(self.env["clearance.student.import"].search_count(
            [("name", "=", "x")]), 0)
