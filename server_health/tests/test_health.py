import json

from odoo import SUPERUSER_ID, api
from odoo.tests.common import HttpCase, at_install, post_install
from odoo.tools import mute_logger

from ..controllers.main import Health


@at_install(False)
@post_install(True)
class TestHealth(HttpCase):

    def setUp(self):
        super().setUp()
        # Odoo 11's HTTP server works in the registry's test cursor, not in
        # the one the test case opened: the data are made there.
        self.env = api.Environment(self.registry.test_cr, SUPERUSER_ID, {})
        # A healthy starting point, whatever the database held before.
        self.env.cr.execute("UPDATE mail_mail SET state = 'sent' "
                            "WHERE state = 'outgoing'")
        self.env.cr.execute(
            "UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') "
            "+ interval '1 hour' WHERE active")

    def health(self):
        # a savepoint: a request that fails rolls the test cursor back to it
        self.registry.test_cr.commit()
        response = self.url_open("/health")
        return response.status_code, json.loads(response.text)

    def test_healthy_server_answers_200_with_its_figures(self):
        status, report = self.health()
        self.assertEqual(status, 200)
        self.assertEqual(report["status"], "ok")
        self.assertEqual(report["database"], "ok")
        self.assertEqual(report["mail_outgoing"], 0)
        self.assertEqual(report["cron_most_late_seconds"], 0)
        self.assertEqual(report["problems"], [])

    def old_mail(self, minutes):
        mail = self.env["mail.mail"].create({
            "subject": "health", "body_html": "<p>x</p>",
            "email_to": "someone@example.com"})
        self.env.cr.execute(
            "UPDATE mail_mail SET create_date = (now() AT TIME ZONE 'UTC') "
            "- %s * interval '1 minute' WHERE id = %s", [minutes, mail.id])
        return mail

    def test_a_mail_waiting_too_long_answers_503(self):
        self.old_mail(5)
        status, report = self.health()
        self.assertEqual(status, 200, report)
        self.assertEqual(report["mail_outgoing"], 1)
        self.assertGreaterEqual(report["mail_oldest_outgoing_seconds"], 300)
        self.old_mail(45)
        status, report = self.health()
        self.assertEqual(status, 503)
        self.assertEqual(report["status"], "fail")
        self.assertEqual(report["problems"], ["mail_queue"])
        self.assertGreaterEqual(report["mail_oldest_outgoing_seconds"], 2700)

    def test_limits_are_system_parameters(self):
        self.old_mail(5)
        self.env["ir.config_parameter"].sudo().set_param(
            "server_health.mail_max_age", "120")
        status, report = self.health()
        self.assertEqual(status, 503)
        self.assertEqual(report["limits"]["mail_max_age"], 120)

    def test_a_late_scheduled_action_answers_503(self):
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        cron.write({"active": True})
        self.env.cr.execute(
            "UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') "
            "- interval '2 hours' WHERE id = %s", [cron.id])
        status, report = self.health()
        self.assertEqual(status, 503)
        self.assertEqual(report["problems"], ["cron"])
        self.assertGreaterEqual(report["cron_most_late_seconds"], 7200)

    def test_anonymous_answer_names_nothing_of_the_database(self):
        mail = self.old_mail(45)
        self.registry.test_cr.commit()
        response = self.url_open("/health")
        self.assertNotIn("someone@example.com", response.text)
        self.assertNotIn(mail.subject, response.text)

    @mute_logger("odoo.addons.server_health.controllers.main")
    def test_a_database_that_cannot_be_reached_is_unhealthy(self):
        # (a server with no database selected; the production test stops
        # PostgreSQL under a running server)
        healthy, report = Health.report(None)
        self.assertFalse(healthy)
        self.assertEqual(report, {"database": "unreachable",
                                  "status": "fail"})
        healthy, report = Health.report(self.env.cr.dbname)
        self.assertTrue(healthy, report)
