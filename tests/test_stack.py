import os

import odoo
from odoo.tests.common import HttpCase, TransactionCase


class TestStack(TransactionCase):
    def test_orm_reaches_postgresql(self):
        self.env.cr.execute("SELECT version()")
        version = self.env.cr.fetchone()[0]
        self.assertIn("PostgreSQL 15", version)
        module = self.env["ir.module.module"].search(
            [("name", "=", "clearance_request")])
        self.assertEqual(module.state, "installed")

    def test_persian_is_right_to_left(self):
        lang = self.env["res.lang"].search([("code", "=", "fa_IR")])
        self.assertTrue(lang, "the test database loads Persian")
        self.assertEqual(lang.direction, "rtl")
        other = self.env["res.lang"].with_context(active_test=False).search(
            [("code", "=", "fa_AF")])
        if not other:
            self.env["res.lang"].load_lang("fa_AF")
            other = self.env["res.lang"].search([("code", "=", "fa_AF")])
        self.assertEqual(other.direction, "rtl")


class TestHttp(HttpCase):
    def test_login_page_served_without_asset_errors(self):
        log = odoo.tools.config["logfile"] or os.path.join(
            os.environ.get("CLEARANCE_ROOT", "."), ".state", "logs",
            "test-odoo.log")
        start = os.path.getsize(log) if os.path.exists(log) else 0
        response = self.url_open("/web/login", timeout=60)
        self.assertEqual(response.status_code, 200)
        self.assertIn(b'name="login"', response.content)
        # The backend's stylesheets compile (lessc) on the running server.
        self.authenticate("admin", "admin")
        response = self.url_open("/web", timeout=120)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(b"Could not execute command", response.content)
        css = [line for line in response.content.split(b'"')
               if line.startswith(b"/web/content/") and line.endswith(b".css")]
        self.assertTrue(css, "the backend page links its compiled CSS bundle")
        body = self.url_open(css[0].decode(), timeout=120).content
        self.assertNotIn(b"Could not execute command", body)
        self.assertNotIn(b"lessc", body[:2000])
        if os.path.exists(log):
            with open(log, "rb") as handle:
                handle.seek(start)
                self.assertNotIn(b"Could not execute command", handle.read())
