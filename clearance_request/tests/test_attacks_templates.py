"""Attacks on the workflow's mail templates (issue 21, item 3): an officer
rewrites the templates the automated actions render as the superuser; a
student renders Jinja as the superuser through render_template or the
composer's render_message on their own request. And item 8's
ir.actions.server.run: a student or an officer runs the daily service-level
job's code."""
from odoo.exceptions import AccessError
from odoo.tests import common as odoo_tests

from .common import ClearanceCase, HttpCursorCase

TEMPLATES = [
    "mail_template_request_submitted", "mail_template_request_forwarded",
    "mail_template_request_new_office", "mail_template_sla_digest"]
FIELDS = ["email_to", "partner_to", "reply_to", "email_from", "subject",
          "body_html"]


class TestOfficerRewritesTemplates(ClearanceCase):

    def template(self, name):
        return self.env.ref("clearance_request.%s" % name)

    def test_library_officer_cannot_rewrite_the_workflows_templates(self):
        officer = self.officers["library_kharazmi"]
        for name in TEMPLATES:
            template = self.template(name)
            before = template.read(FIELDS)
            as_officer = template.sudo(officer)
            for values in (
                    {"email_to": "t.officer.library_kharazmi@staff.test"},
                    {"partner_to": str(officer.partner_id.id)},
                    {"reply_to": "${object.sudo().student_note}"},
                    {"body_html": "<p>${object.sudo().student_note}</p>"}):
                with self.assertRaises(AccessError):
                    as_officer.write(values)
            # nor in the students' language, nor by a copy
            with self.assertRaises(AccessError):
                as_officer.with_context(lang="fa_IR").write(
                    {"body_html": "<p>${object.sudo().student_note}</p>"})
            with self.assertRaises(AccessError):
                as_officer.copy()
            template.invalidate_cache()
            self.assertEqual(template.read(FIELDS), before)
        # the next student's mail goes to the student, as written
        request = self.new_request(self.student_day)
        mails = self.env["mail.mail"].search([
            ("model", "=", "clearance.request"), ("res_id", "=", request.id)])
        self.assertTrue(mails)
        self.assertNotIn(officer.partner_id, mails.mapped("recipient_ids"))
        self.assertFalse(any(mails.mapped("email_to")))

    def test_manager_edits_the_templates(self):
        template = self.template("mail_template_request_submitted")
        template.sudo(self.manager).write({"reply_to": "office@uni.test"})
        self.assertEqual(template.reply_to, "office@uni.test")


class TestStudentRendersTemplates(HttpCursorCase):

    context = {"mail_notify_force_send": False}

    def setUp(self):
        super().setUp()
        self.make_people("tpl", "950001", ("Tpl Student", "Tpl Victim"))
        self.mine = self.new_request(self.student)
        self.victim = self.new_request(self.other)
        self.victim.sudo().write({"student_note": "victim's private note"})

    def new_request(self, student):
        request = self.env["clearance.request"].sudo(student).create({
            "partner_id": student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()
        return request.sudo()

    @staticmethod
    def url(path):
        return "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path)

    def call_kw(self, model, method, *args, **kwargs):
        self.registry.test_cr.commit()
        response = self.opener.post(
            self.url("/web/dataset/call_kw/%s/%s" % (model, method)),
            timeout=30, json={"jsonrpc": "2.0", "method": "call", "params": {
                "model": model, "method": method, "args": list(args),
                "kwargs": kwargs}})
        self.env.cache.invalidate()
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data")

    def assert_refused(self, call_result):
        result, error = call_result
        self.assertIsNone(result)
        self.assertTrue(error, "the call was refused")
        self.assertNotIn("victim's private note", repr(error))

    def payloads(self):
        return [
            "${object.sudo().env['clearance.request'].browse(%d)"
            ".student_note}" % self.victim.id,
            "${object.sudo().student_note}",
            "${user.sudo().env['res.users'].browse(1).password_crypt}",
        ]

    def test_student_cannot_render_as_the_superuser(self):
        self.authenticate(self.student.login, self.student.login)
        for source in self.payloads():
            self.assert_refused(self.call_kw(
                "mail.template", "render_template", source,
                "clearance.request", [self.mine.id]))

    def test_student_cannot_render_through_the_composer(self):
        self.authenticate(self.student.login, self.student.login)
        mails = self.env["mail.mail"].search_count([])
        for source in self.payloads():
            composer, error = self.call_kw(
                "mail.compose.message", "create", {
                    "composition_mode": "mass_mail",
                    "model": "clearance.request",
                    "subject": source, "body": "<p>%s</p>" % source})
            if error:  # refused at once: nothing to render
                continue
            self.assert_refused(self.call_kw(
                "mail.compose.message", "render_message", [composer],
                [self.mine.id]))
            self.assert_refused(self.call_kw(
                "mail.compose.message", "send_mail", [composer]))
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)

    def test_student_and_officer_cannot_run_the_service_level_job(self):
        job = self.env.ref("clearance_request.ir_cron_service_levels")
        action = job.ir_actions_server_id
        # the job would mail the offices of late requests: make one late
        line = self.mine.current_line_id
        self.env.cr.execute(
            "UPDATE clearance_request_line SET date_due = '2000-01-01', "
            "date_escalate = '2000-01-02' WHERE id = %s", [line.id])
        self.env.cache.invalidate()
        mails = self.env["mail.mail"].search_count([])
        activities = self.env["mail.activity"].search_count([])
        self.allow_portal_rpc(
            "ir.actions.server", "run", "run_action_code_multi")
        for user in (self.student, self.kharazmi):
            self.authenticate(user.login, user.login)
            result, error = self.call_kw(
                "ir.actions.server", "run", [action.id])
            self.assertIsNone(result)
            self.assertEqual(error["name"], "odoo.exceptions.AccessError")
            # refused before the job runs, not when it reaches a record
            # the caller may not read
            self.assertIn("You may not run the action", error["message"])
            result, error = self.call_kw(
                "ir.actions.server", "run_action_code_multi", action.id, {})
            self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        self.assertEqual(self.env["mail.activity"].search_count([]),
                         activities)
        self.assertFalse(line.sla_level)
