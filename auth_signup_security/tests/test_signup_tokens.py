import json
import re
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests.common import HttpCase, at_install, post_install
from odoo.tools import mute_logger

TOKEN_FIELDS = ["signup_token", "signup_url", "signup_type",
                "signup_expiration", "signup_valid"]
LINK_RE = re.compile(r'/web/reset_password\?db=[^"\s&]+&(?:amp;)?token=(\w+)')


@at_install(False)
@post_install(True)
class SignupTokenCase(HttpCase):
    """An officer reads a student's pending reset token and takes the
    account over at /web/reset_password."""

    def setUp(self):
        super().setUp()
        # Odoo 11's HTTP server works in the registry's test cursor.
        original = self.cr, self.env
        self.addCleanup(self._restore_cursor, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.env.ref("base.lang_en").active = True
        users = self.env["res.users"].with_context(no_reset_password=True)
        self.student = users.create({
            "name": "Token Student", "login": "t.token.student",
            "password": "t.token.student", "email": "t.token@students.test",
            "lang": "en_US",
            "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]})
        self.officer = users.create({
            "name": "Token Officer", "login": "t.token.officer",
            "password": "t.token.officer", "email": "t.officer@staff.test",
            "lang": "en_US", "groups_id": [(6, 0, [
                self.env.ref("base.group_user").id,
                self.env.ref("base.group_partner_manager").id])]})
        self.admin = users.create({
            "name": "Token Admin", "login": "t.token.admin",
            "password": "t.token.admin", "email": "t.admin@staff.test",
            "lang": "en_US", "groups_id": [(6, 0, [
                self.env.ref("base.group_system").id,
                self.env.ref("base.group_erp_manager").id,
                self.env.ref("base.group_partner_manager").id])]})
        # the student asked for a new password
        self.student.partner_id.signup_prepare(signup_type="reset")
        self.token = self.student.partner_id.signup_token
        self.assertTrue(self.token)

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def keep(self):
        self.registry.test_cr.commit()  # pylint: disable=invalid-commit
        self.env.cache.invalidate()

    @staticmethod
    def url(path):
        return "http://127.0.0.1:%s%s" % (odoo.tools.config["http_port"], path)

    def call_kw(self, model, method, *args, **kwargs):
        self.keep()
        response = self.opener.post(
            self.url("/web/dataset/call_kw/%s/%s" % (model, method)),
            timeout=30, json={"jsonrpc": "2.0", "method": "call", "params": {
                "model": model, "method": method, "args": list(args),
                "kwargs": kwargs}}).json()
        self.env.cache.invalidate()
        return response

    @mute_logger("odoo.http", "odoo.models")
    def test_officer_cannot_read_the_token_over_json_rpc(self):
        self.authenticate(self.officer.login, self.officer.login)
        partner = self.student.partner_id
        for field in TOKEN_FIELDS:
            for model, record in (("res.partner", partner),
                                  ("res.users", self.student)):
                answer = self.call_kw(model, "read", [record.id], [field])
                self.assertIn("error", answer, (model, field))
                self.assertNotIn(self.token, json.dumps(answer))
        # nor in a plain read of every field, nor in what the form shows
        answer = self.call_kw("res.partner", "read", [partner.id])
        self.assertNotIn(self.token, json.dumps(answer))
        self.assertNotIn("signup_url", json.dumps(self.call_kw(
            "res.partner", "fields_get")))
        # the token still works for the student, and the password is theirs
        self.assertEqual(self.student.partner_id.signup_token, self.token)

    def test_officer_cannot_read_or_set_the_token_in_the_orm(self):
        partner = self.student.partner_id.sudo(self.officer)
        for field in TOKEN_FIELDS:
            with self.assertRaises(odoo.exceptions.AccessError, msg=field):
                partner.read([field])
        with self.assertRaises(odoo.exceptions.AccessError):
            partner.signup_prepare(
                signup_type="reset", expiration="2030-01-01 00:00:00")
        self.assertEqual(self.student.partner_id.signup_token, self.token)

    def test_admin_reads_the_token(self):
        self.env.cache.invalidate()
        partner = self.student.partner_id.sudo(self.admin)
        values = partner.read(TOKEN_FIELDS)[0]
        self.assertEqual(values["signup_token"], self.token)
        self.assertIn(self.token, values["signup_url"])
        self.assertTrue(values["signup_valid"])

    def reset_mail_link(self, user):
        """The link of the reset mail the user's request sends, as an
        administrator's button or the public form's sudo sends it."""
        sent = []

        def capture(_server, message, *_args, **_kwargs):
            sent.append(message)
            return message["Message-Id"]

        server = type(self.env["ir.mail_server"])
        with patch.object(server, "send_email", capture):
            self.student.sudo(user).action_reset_password()
        bodies = "".join(
            part.get_payload(decode=True).decode()
            for message in sent for part in message.walk()
            if part.get_content_maintype() == "text")
        return LINK_RE.search(bodies)

    def test_reset_mail_carries_a_working_link(self):
        # an administrator's button, then the public form (as the system)
        self.assertTrue(self.reset_mail_link(self.admin))
        link = self.reset_mail_link(self.env.user)
        self.assertTrue(link, "the mail carries the reset link")
        token = link.group(1)
        self.keep()
        page = self.opener.get(self.url(
            "/web/reset_password?db=%s&token=%s" % (
                odoo.tests.common.get_db_name(), token)), timeout=30)
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        new_password = "Tazeh-Ramz-2026!"
        self.keep()
        self.opener.post(self.url("/web/reset_password"), data={
            "csrf_token": csrf.group(1), "token": token,
            "login": self.student.login, "name": self.student.name,
            "password": new_password, "confirm_password": new_password,
        }, timeout=30)
        self.env.cache.invalidate()
        self.env["res.users"].sudo(self.student).check_credentials(new_password)
