import threading

from .common import ClearanceCase
from .inbox import LocalInbox

UNIVERSITY = "clearance@university.test"


class TestSenderAddress(ClearanceCase):
    """An officer without an e-mail address forwards and holds; the mails go
    from the university's address and none fails because of its sender."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.company_id.email = UNIVERSITY
        for office in ("department", "library_kharazmi"):
            cls.officers[office].email = False
        cls.Request = cls.Request.with_context(mail_notify_force_send=False)

    def setUp(self):
        super().setUp()
        self.inbox = LocalInbox()
        self.addCleanup(self.inbox.stop)
        self.env["ir.mail_server"].search([]).write({"active": False})
        self.env["ir.mail_server"].create({
            "name": "Local test inbox", "smtp_host": "127.0.0.1",
            "smtp_port": self.inbox.port, "smtp_encryption": "none"})
        self.since = self.env["mail.mail"].search(
            [], order="id desc", limit=1).id or 0

    def queued(self):
        return self.env["mail.mail"].search([("id", ">", self.since)])

    def send_queue(self):
        """Send this test's queued mails as the scheduler does (mails other
        tests left in the queue are not this test's)."""
        # Odoo skips SMTP on a thread flagged as testing: lift the flag for
        # this sending only.
        thread = threading.currentThread()
        testing = getattr(thread, "testing", False)
        thread.testing = False
        try:
            # the scheduler's own sending, without its commit after each
            # mail (which would commit this test's transaction)
            self.queued().filtered(
                lambda mail: mail.state == "outgoing").send(auto_commit=False)
        finally:
            thread.testing = testing

    def test_officer_without_email_forwards_and_holds(self):
        request = self.new_request()
        department = self.officers["department"]
        self.assertFalse(department.email)
        self.forward(request, department)
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        request.sudo(self.officers["library_kharazmi"]).hold_for_visit(
            "Bring the borrowed books.")
        self.assertEqual(request.state, "hold")
        # the steps' chatter lines: the officer's, from the university
        lines = request.message_ids.filtered(
            lambda message: message.author_id in (
                department | self.officers["library_kharazmi"]).mapped(
                    "partner_id"))
        self.assertEqual(len(lines), 2)
        for line in lines:
            self.assertIn(UNIVERSITY, line.email_from)
        mails = self.queued()
        self.assertTrue(mails.filtered(
            lambda mail: self.student_day.partner_id in mail.recipient_ids))
        for mail in mails:
            self.assertIn(UNIVERSITY, mail.email_from, mail.subject)
        self.send_queue()
        self.assertFalse(mails.exists(), "every mail was sent")
        self.assertTrue(self.inbox.received)
        for _recipients, message in self.inbox.received:
            self.assertIn(UNIVERSITY, message["From"])

    def test_queued_mail_without_sender_is_sent_from_the_university(self):
        request = self.new_request()
        mail = self.env["mail.mail"].create({
            "subject": "Queued without a sender", "body_html": "<p>x</p>",
            "email_to": "someone@students.test", "model": request._name,
            "res_id": request.id})
        mail.mail_message_id.email_from = False
        self.assertFalse(mail.email_from)
        self.send_queue()
        self.assertEqual(mail.state, "sent")
        delivered = [message for recipients, message in self.inbox.received
                     if recipients == ["someone@students.test"]]
        self.assertEqual(len(delivered), 1)
        self.assertIn(UNIVERSITY, delivered[0]["From"])

    def test_catchall_when_the_university_has_no_address(self):
        self.env.user.company_id.email = False
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("mail.catchall.alias", "catchall")
        parameters.set_param("mail.catchall.domain", "university.test")
        request = self.new_request()
        self.forward(request, self.officers["department"])
        line = request.message_ids.filtered(
            lambda message: message.author_id ==
            self.officers["department"].partner_id)
        self.assertEqual(len(line), 1)
        self.assertIn("catchall@university.test", line.email_from)
        mails = self.queued()
        self.assertTrue(mails)
        for mail in mails:
            self.assertTrue(mail.email_from, mail.subject)
        self.send_queue()
        self.assertFalse(mails.exists(), "every mail was sent")
        self.assertEqual(len(self.inbox.received), len(mails))
