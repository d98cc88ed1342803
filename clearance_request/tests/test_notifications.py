import importlib.util
import re
import threading

from odoo.modules.module import get_module_resource
from odoo.sql_db import db_connect
from odoo.tests.common import TransactionCase, at_install, get_db_name, post_install

from .common import OFFICES, ClearanceCase, make_student
from .inbox import LocalInbox

PERSIAN_DATE = re.compile("^[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}$")


class TestNotifications(ClearanceCase):
    """Every step mails the student once, in the student's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mails of posted messages stay in the queue as well (instead of being
        # sent and deleted at once in test mode): every mail a step creates
        # is then counted.
        cls.Request = cls.Request.with_context(mail_notify_force_send=False)
        for lang in ("en_US", "fa_IR"):
            cls.env["res.lang"].load_lang(lang)
        for student in (cls.student_day, cls.student_second):
            student.lang = "en_US"
        cls.student_fa = make_student(
            cls.env, "91000004", "Persian Student", lang="fa_IR")

    def setUp(self):
        super().setUp()
        self.mark()

    # helpers ---------------------------------------------------------
    def mark(self):
        """Count mails from now on."""
        self.since = self.env["mail.mail"].search(
            [], order="id desc", limit=1).id or 0

    def mails_to(self, partner):
        """Mails queued for `partner` since the last mark, by the step's own
        transaction."""
        return self.env["mail.mail"].search([
            ("id", ">", self.since), "|",
            ("recipient_ids", "in", partner.ids),
            ("email_to", "ilike", partner.email)])

    def one_mail_to(self, partner):
        mails = self.mails_to(partner)
        self.assertEqual(len(mails), 1, "one mail to %s, got: %s" % (
            partner.name, mails.mapped("subject")))
        self.assertEqual(mails.state, "outgoing")
        self.assertEqual(mails.model, "clearance.request")
        self.mark()
        return mails

    def date(self, request, value, lang):
        # The student reads the day on the student's own clock.
        return request.format_date(value, lang=lang,
                                   reader=request.partner_id)

    def portal_comments(self, request, student):
        """What the student's portal chatter lists for the request."""
        return self.env["mail.message"].sudo(student).search([
            ("model", "=", "clearance.request"), ("res_id", "=", request.id),
            ("message_type", "=", "comment"),
            ("subtype_id", "!=", False), ("subtype_id.internal", "=", False)])

    # steps -----------------------------------------------------------
    def test_submission_mails_the_student_and_the_first_office(self):
        request = self.new_request(self.student_day)
        office_mail = self.mails_to(self.officers["department"].partner_id)

        mail = self.one_mail_to(self.student_day.partner_id)
        self.assertEqual(mail.recipient_ids, self.student_day.partner_id)
        self.assertIn(request.name, mail.subject)
        self.assertIn("received", mail.subject)
        self.assertIn("Department", mail.body_html)
        self.assertIn(self.date(request, request.submit_date, "en_US"),
                      mail.body_html)
        self.assertIn("/my/clearance/%d" % request.id, mail.body_html)

        self.assertEqual(len(office_mail), 1)
        self.assertNotEqual(office_mail, mail)
        self.assertNotIn(self.student_day.partner_id, office_mail.recipient_ids)
        self.assertIn(self.officers["department"].partner_id,
                      office_mail.recipient_ids)
        self.assertNotIn(self.officers["library_kharazmi"].partner_id,
                         office_mail.recipient_ids)
        self.assertIn(request.name, office_mail.subject)
        self.assertIn("Department", office_mail.subject)
        self.assertIn("Day Student (91000001)", office_mail.body_html)

    def test_mail_is_rendered_in_the_students_language(self):
        request_fa = self.new_request(self.student_fa)
        mail_fa = self.one_mail_to(self.student_fa.partner_id)
        request_en = self.new_request(self.student_day)
        mail_en = self.one_mail_to(self.student_day.partner_id)

        jalali = self.date(request_fa, request_fa.submit_date, "fa_IR")
        iso = self.date(request_fa, request_fa.submit_date, "en_US")
        self.assertRegex(jalali, PERSIAN_DATE)
        self.assertIn(jalali, mail_fa.body_html)
        self.assertNotIn(iso, mail_fa.body_html)
        self.assertIn(self.date(request_en, request_en.submit_date, "en_US"),
                      mail_en.body_html)
        self.assertNotIn(
            self.date(request_en, request_en.submit_date, "fa_IR"),
            mail_en.body_html)

    def test_mail_dates_are_on_the_students_clock(self):
        """Whoever's action sends it, the student's mail gives the day in the
        student's time zone. Kiritimati (UTC+14) and Pago Pago (UTC-11) are
        never on the same day, so the test holds at any hour."""
        self.student_day.tz = "Pacific/Kiritimati"
        self.officers["department"].tz = "Pacific/Pago_Pago"
        request = self.new_request(self.student_day)
        mail = self.one_mail_to(self.student_day.partner_id)
        self.mark()
        self.forward(request)
        forwarded = self.one_mail_to(self.student_day.partner_id)
        done = request.last_done_line_id.date_done
        for value, body in ((request.submit_date, mail.body_html),
                            (done, forwarded.body_html)):
            theirs = request.with_context(
                tz="Pacific/Kiritimati").format_date(value)
            officers = request.with_context(
                tz="Pacific/Pago_Pago").format_date(value)
            self.assertNotEqual(theirs, officers)
            self.assertIn(theirs, body)
            self.assertNotIn(officers, body)

    def test_update_moves_the_templates_to_the_students_clock(self):
        """A database made before 11.0.2.2.0 keeps its (possibly edited)
        templates on update; the migration changes only the date expression,
        in the template and in its Persian translation."""
        template = self.env.ref(
            "clearance_request.mail_template_request_cancelled")
        new = "format_date(object.cancel_date, reader=object.partner_id)"
        old = "format_date(object.cancel_date)"
        edited = template.body_html.replace(new, old).replace(
            "No office will act on it any more.", "Edited by the registrar.")
        template.with_context(lang="en_US").body_html = edited
        persian = template.with_context(lang="fa_IR").body_html
        self.assertIn(new, persian)
        template.with_context(lang="fa_IR").body_html = persian.replace(
            new, old)
        path = get_module_resource(
            "clearance_request", "migrations", "11.0.2.2.0",
            "post-migration.py")
        spec = importlib.util.spec_from_file_location("post_migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "11.0.2.1.0")
        template.invalidate_cache()
        english = template.with_context(lang="en_US").body_html
        self.assertIn(new, english)
        self.assertIn("Edited by the registrar.", english)
        self.assertEqual(template.with_context(lang="fa_IR").body_html,
                         persian)

    def test_template_translation_follows_the_students_language(self):
        template = self.env.ref(
            "clearance_request.mail_template_request_submitted")
        self.env["ir.translation"].create({
            "type": "model", "name": "mail.template,subject",
            "res_id": template.id, "lang": "fa_IR", "state": "translated",
            "src": template.subject,
            "value": "${object.name}: درخواست تسویه حساب شما دریافت شد"})
        request_fa = self.new_request(self.student_fa)
        self.assertEqual(
            self.one_mail_to(self.student_fa.partner_id).subject,
            "%s: درخواست تسویه حساب شما دریافت شد" % request_fa.name)
        request_en = self.new_request(self.student_day)
        self.assertEqual(
            self.one_mail_to(self.student_day.partner_id).subject,
            "%s: your clearance request was received" % request_en.name)

    def test_forward_names_the_office_that_cleared_and_the_next(self):
        request = self.new_request()
        self.one_mail_to(self.student_day.partner_id)
        self.forward(request)
        mail = self.one_mail_to(self.student_day.partner_id)
        self.assertIn(request.name, mail.subject)
        self.assertIn("Kharazmi Library", mail.subject)
        self.assertRegex(
            mail.body_html,
            r"<strong>Department</strong> cleared your request "
            r"<strong>%s</strong> on %s" % (
                re.escape(request.name),
                self.date(request, request.line_ids.filtered(
                    lambda l: l.kind == "card").date_done, "en_US")))
        self.assertIn("next office is <strong>Kharazmi Library</strong>",
                      mail.body_html)
        self.assertIn("/my/clearance/%d" % request.id, mail.body_html)

    def test_forward_mail_in_persian_has_jalali_dates(self):
        request = self.new_request(self.student_fa)
        self.one_mail_to(self.student_fa.partner_id)
        self.forward(request)
        mail = self.one_mail_to(self.student_fa.partner_id)
        done = request.line_ids.filtered(lambda l: l.kind == "card").date_done
        self.assertIn(self.date(request, done, "fa_IR"), mail.body_html)
        self.assertNotIn(self.date(request, done, "en_US"), mail.body_html)

    def test_hold_tells_the_office_and_its_instructions_once(self):
        request = self.advance_to(self.new_request(), "library_kharazmi")
        self.mark()
        request.sudo(self.officers["library_kharazmi"]).hold_for_visit(
            "Bring the two borrowed books to room 12.")
        mail = self.one_mail_to(self.student_day.partner_id)
        self.assertIn(request.name, mail.subject)
        self.assertIn("Kharazmi Library", mail.subject)
        self.assertIn("Bring the two borrowed books to room 12.",
                      mail.body_html)
        self.assertIn("/my/clearance/%d" % request.id, mail.body_html)
        # The office's words stay on the thread, for the student's portal.
        comments = self.portal_comments(request, self.student_day)
        self.assertTrue(any("room 12" in c.body for c in comments))

        # After the visit the office sends the request on: one more mail.
        self.forward(request)
        mail = self.one_mail_to(self.student_day.partner_id)
        self.assertIn("<strong>Kharazmi Library</strong> cleared",
                      mail.body_html)
        self.assertIn("Mirza-ye Shirazi Library", mail.subject)

    def test_return_gives_the_reason_once(self):
        request = self.advance_to(self.new_request(), "counselling")
        self.mark()
        request.sudo(self.officers["counselling"]).return_to_student(
            "Your phone number is missing.")
        mail = self.one_mail_to(self.student_day.partner_id)
        self.assertIn(request.name, mail.subject)
        self.assertIn("returned", mail.subject)
        self.assertIn("Counselling Centre", mail.body_html)
        self.assertIn("Your phone number is missing.", mail.body_html)
        comments = self.portal_comments(request, self.student_day)
        self.assertTrue(any("phone number" in c.body for c in comments))

        # The student's own resubmission mails nobody.
        request.sudo(self.student_day).resubmit(note="Added it.")
        self.assertFalse(self.mails_to(self.student_day.partner_id))

    def test_every_step_to_clearance_mails_once(self):
        request = self.new_request(self.student_second)
        partner = self.student_second.partner_id
        subjects = [self.one_mail_to(partner).subject]
        while request.state == "progress":
            self.forward(request)
            subjects.append(self.one_mail_to(partner).subject)
        self.assertEqual(request.state, "cleared")
        self.assertEqual(len(subjects), 1 + len(OFFICES))  # submission + offices
        self.assertEqual(subjects[-1], "%s: you are cleared" % request.name)
        mail = self.env["mail.mail"].search(
            [("recipient_ids", "in", partner.ids)], order="id desc", limit=1)
        self.assertIn("collect the documents of your previous degree",
                      mail.body_html)
        self.assertIn(self.date(request, request.clear_date, "en_US"),
                      mail.body_html)

    def test_cancellation_mails_the_student_once(self):
        request = self.new_request()
        self.one_mail_to(self.student_day.partner_id)
        request.sudo(self.student_day).action_cancel()
        mail = self.one_mail_to(self.student_day.partner_id)
        self.assertEqual(
            mail.subject,
            "%s: your clearance request was cancelled" % request.name)
        self.assertIn(self.date(request, request.cancel_date, "en_US"),
                      mail.body_html)
        self.assertFalse(self.mails_to(self.officers["department"].partner_id))

    def test_an_automation_switched_off_sends_nothing(self):
        # import_file: keep the test's transaction (switching an automation
        # commits and reloads the registry otherwise).
        self.env.ref("clearance_request.automation_request_hold").with_context(
            import_file=True).active = False
        request = self.advance_to(self.new_request(), "library_kharazmi")
        self.mark()
        request.sudo(self.officers["library_kharazmi"]).hold_for_visit(
            "Come to room 12.")
        self.assertEqual(request.state, "hold")
        self.assertFalse(self.mails_to(self.student_day.partner_id))
        self.assertTrue(any("room 12" in c.body for c in self.portal_comments(
            request, self.student_day)))
        # The other automations still work.
        self.forward(request)
        self.one_mail_to(self.student_day.partner_id)


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestMailDelivery(TransactionCase):
    """The mail leaves through Odoo's queue and reaches an SMTP server."""

    def cursor(self):
        # The queue commits after each mail it sends: on a test cursor a
        # commit is a savepoint, and closing the cursor rolls everything back.
        cr = db_connect(get_db_name()).test_cursor()
        cr.acquire()
        self.addCleanup(cr.force_close)
        return cr

    def test_queued_mail_reaches_the_smtp_server(self):
        inbox = LocalInbox()
        self.addCleanup(inbox.stop)
        self.env["ir.mail_server"].search([]).write({"active": False})
        self.env["ir.mail_server"].create({
            "name": "Local test inbox", "smtp_host": "127.0.0.1",
            "smtp_port": inbox.port, "smtp_encryption": "none"})
        student = make_student(
            self.env, "91900001", "Mail Test Student", lang="fa_IR")
        request = self.env["clearance.request"].create({
            "partner_id": student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()
        # queued by the step's own transaction
        mail = self.env["mail.mail"].search(
            [("recipient_ids", "in", student.partner_id.ids)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        message = mail.mail_message_id

        # Odoo skips SMTP on a thread flagged as testing: lift the flag for
        # the scheduler's run only.
        thread = threading.currentThread()
        testing = getattr(thread, "testing", False)
        thread.testing = False
        try:
            self.env["mail.mail"].process_email_queue()
        finally:
            thread.testing = testing

        self.assertFalse(mail.exists(), "sent mails are deleted")
        # What the student was sent stays on the request's thread.
        self.assertEqual(message.model, "clearance.request")
        self.assertEqual(message.res_id, request.id)
        self.assertEqual(message.partner_ids, student.partner_id)
        self.assertIn(request.name, message.subject)
        delivered = [msg for rcpttos, msg in inbox.received
                     if rcpttos == [student.email]]
        self.assertEqual(len(delivered), 1)
        msg = delivered[0]
        self.assertIn(student.email, msg["To"])
        # A Persian student reads the Persian subject.
        subject = self.env.ref(
            "clearance_request.mail_template_request_submitted").with_context(
                lang="fa_IR").subject
        self.assertNotIn("your clearance request", subject)
        self.assertEqual(msg["Subject"], subject.replace("${object.name}", request.name))
        html = msg.get_body(("html",)).get_content()
        base_url = self.env["ir.config_parameter"].sudo().get_param(
            "web.base.url")
        self.assertIn('href="%s/my/clearance/%d"' % (base_url, request.id),
                      html)
        self.assertIn(request.format_date(request.submit_date, lang="fa_IR",
                                          reader=request.partner_id), html)
        self.assertIn(request.office_id.with_context(lang="fa_IR").name, html)
