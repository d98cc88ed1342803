"""What follows a step, in the step's own transaction: the chatter line
(Odoo's tracking, a subtype per kind of step), the office's words to the
student, the to-dos of the office the request reached, and the mails of the
automated actions on the request, which an administrator edits as data."""
import threading

from odoo.tests.common import TransactionCase, at_install, post_install

from .common import ClearanceCase, make_student
from .test_notifications import LocalInbox

SHIPPED_AUTOMATIONS = [
    "automation_request_submitted", "automation_request_new_office",
    "automation_request_forwarded", "automation_request_hold",
    "automation_request_returned", "automation_request_cleared",
    "automation_request_cancelled",
]


class ConsequencesCase(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mails of posted messages stay queued too, to be counted.
        cls.Request = cls.Request.with_context(mail_notify_force_send=False)

    def setUp(self):
        super().setUp()
        self.since = self.env["mail.mail"].search(
            [], order="id desc", limit=1).id or 0

    def mails(self, partner=None):
        """Mails queued since the test began, to `partner` if given."""
        domain = [("id", ">", self.since)]
        if partner:
            domain.append(("recipient_ids", "in", partner.ids))
        return self.env["mail.mail"].search(domain, order="id")

    def tracking_messages(self, request):
        return request.sudo().message_ids.filtered("tracking_value_ids")

    def as_admin(self, record):
        # import_file: an automated action's change commits and reloads the
        # registry otherwise; the patched models already look actions up
        # on every write.
        return record.sudo(self.env.ref("base.user_root")).with_context(
            import_file=True)


class TestStepConsequences(ConsequencesCase):

    def test_a_forward_does_all_its_work_in_its_own_transaction(self):
        request = self.new_request()
        department = self.officers["department"]
        offices = {key: self.env.ref("clearance_request.group_office_%s" % key)
                   for key in ("department", "library_kharazmi")}
        self.assertEqual(request.sudo().activity_ids.mapped("user_id"),
                         offices["department"].users)
        before = request.sudo().message_ids
        mails_before = self.mails()
        self.fill_form(request, department).action_forward()
        request.invalidate_cache()
        # the chatter line, signed by the officer, as Odoo tracks a field
        line = request.sudo().message_ids - before
        tracked = line.filtered("tracking_value_ids")
        self.assertEqual(len(tracked), 1)
        self.assertEqual(tracked.author_id, department.partner_id)
        self.assertEqual(tracked.subtype_id,
                         self.env.ref("clearance_request.mt_request_stage"))
        values = {(t.field, t.old_value_char, t.new_value_char)
                  for t in tracked.tracking_value_ids}
        self.assertIn(("stage_id", self.stages["department"].name,
                       self.stages["library_kharazmi"].name), values)
        # the to-dos moved to the next office
        self.assertEqual(request.sudo().activity_ids.mapped("user_id"),
                         offices["library_kharazmi"].users)
        # the student's mail is queued, naming both offices
        mail = self.mails(self.student_day.partner_id) - mails_before
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        # kept on the thread, addressed to the student
        self.assertEqual(line.filtered(lambda m: m.message_type == "email"),
                         mail.mail_message_id)
        self.assertEqual((mail.model, mail.res_id),
                         ("clearance.request", request.id))
        self.assertIn("Kharazmi", mail.subject)
        self.assertIn("Department", mail.body_html)

    def test_each_kind_of_step_has_its_subtype(self):
        subtype = {key: self.env.ref("clearance_request.mt_request_%s" % key)
                   for key in ("stage", "hold", "returned", "cleared",
                               "cancelled")}
        request = self.advance_to(self.new_request(), "library_kharazmi")
        request.sudo(self.officers["library_kharazmi"]).hold_for_visit(
            "Bring the two books.")
        self.assertEqual(self.tracking_messages(request)[:1].subtype_id,
                         subtype["hold"])
        self.forward(request)
        self.assertEqual(self.tracking_messages(request)[:1].subtype_id,
                         subtype["stage"])
        request.sudo(self.officers["library_shirazi"]).return_to_student(
            "The photo is missing.")
        self.assertEqual(self.tracking_messages(request)[:1].subtype_id,
                         subtype["returned"])
        request.sudo(self.student_day).resubmit("Photo added.")
        self.assertEqual(self.tracking_messages(request)[:1].subtype_id,
                         subtype["stage"])
        while request.state != "cleared":
            self.forward(request)
        self.assertEqual(self.tracking_messages(request)[:1].subtype_id,
                         subtype["cleared"])
        other = self.new_request(self.student_other)
        other.sudo(self.student_other).action_cancel()
        self.assertEqual(self.tracking_messages(other)[:1].subtype_id,
                         subtype["cancelled"])

    def test_a_manager_may_follow_only_the_holds(self):
        manager = self.manager
        request = self.advance_to(self.new_request(), "library_kharazmi")
        request.sudo().message_subscribe(
            partner_ids=manager.partner_id.ids,
            subtype_ids=self.env.ref("clearance_request.mt_request_hold").ids)
        self.forward(request)
        self.assertFalse(self.env["mail.notification"].search([
            ("res_partner_id", "=", manager.partner_id.id),
            ("mail_message_id.res_id", "=", request.id)]))
        self.advance_to(request, "counselling")
        request.sudo(self.officers["counselling"]).hold_for_visit(
            "Come on Sunday.")
        told = self.env["mail.notification"].search([
            ("res_partner_id", "=", manager.partner_id.id),
            ("mail_message_id.model", "=", "clearance.request"),
            ("mail_message_id.res_id", "=", request.id)])
        self.assertEqual(len(told), 1)
        self.assertEqual(told.mail_message_id.subtype_id,
                         self.env.ref("clearance_request.mt_request_hold"))

    def test_a_hold_is_one_chatter_line_the_student_reads(self):
        """The office's words and the tracked changes are one comment: the
        student reads the words on the portal, a manager who follows the
        holds is told once."""
        request = self.advance_to(self.new_request(), "library_kharazmi")
        before = request.sudo().message_ids
        request.sudo(self.officers["library_kharazmi"]).hold_for_visit(
            "Bring the two books.")
        line = (request.sudo().message_ids - before).filtered(
            lambda m: m.message_type != "email")  # the mail to the student
        self.assertEqual(len(line), 1)
        self.assertEqual(line.message_type, "comment")
        self.assertIn("Bring the two books.", line.body)
        self.assertTrue(line.tracking_value_ids)
        portal = self.env["mail.message"].sudo(self.student_day).search([
            ("model", "=", "clearance.request"), ("res_id", "=", request.id),
            ("message_type", "=", "comment")])
        self.assertIn(line, portal)
        # the forward's line is the offices' (no words): not on the portal
        forwarded = self.tracking_messages(request) - line
        self.assertTrue(forwarded)
        self.assertFalse(forwarded & portal)

    def test_officers_do_not_follow_and_questions_reach_the_office(self):
        request = self.advance_to(self.new_request(), "nutrition")
        followers = request.sudo().message_partner_ids
        self.assertEqual(followers, self.student_day.partner_id)
        text = "When can I come?"
        request.sudo(self.student_day).message_post(
            body=text, message_type="comment",
            subtype="mail.mt_comment")
        question = request.sudo().message_ids[:1]
        self.assertEqual(question.partner_ids, self.env.ref(
            "clearance_request.group_office_nutrition").users.mapped(
                "partner_id"))

    def test_a_step_cannot_be_claimed_from_outside(self):
        """The step a forward records is the workflow's: a client naming it
        in its context sends no mail."""
        request = self.Request.sudo(self.student_day).create({
            "partner_id": self.student_day.partner_id.id,
            "reason": "withdrawal"})
        request.with_context(clearance_step="forwarded").write(
            {"student_note": "Please hurry."})
        self.assertFalse(self.mails())
        self.assertFalse(self.Request.sudo(self.student_day).with_context(
            clearance_step="forwarded").search(
                [("workflow_step", "=", "forwarded")]))


class TestAutomatedActionsAreData(ConsequencesCase):
    """The student's notifications are automated actions on the request: an
    administrator switches one off, changes its template or adds one."""

    def template(self, name, partner_to, subject):
        return self.as_admin(self.env["mail.template"]).create({
            "name": name, "subject": subject, "partner_to": partner_to,
            "model_id": self.env.ref(
                "clearance_request.model_clearance_request").id,
            "body_html": "<p>${object.name}</p>", "auto_delete": True})

    def test_the_mails_are_automated_actions_on_the_request(self):
        actions = self.env["base.automation"].search(
            [("model_id.model", "=", "clearance.request")])
        shipped = [self.env.ref("clearance_request.%s" % xmlid)
                   for xmlid in SHIPPED_AUTOMATIONS]
        self.assertTrue(set(shipped) <= set(actions))
        for action in shipped:
            self.assertEqual((action.trigger, action.state), ("on_write", "email"))
            self.assertEqual(action.template_id.model, "clearance.request")
        self.assertFalse(self.env["base.automation"].search([
            ("model_id.model", "like", "clearance.event")]))

    def test_an_admin_changes_the_template_of_an_action(self):
        template = self.template(
            "Forward, short", "${object.partner_id.id}",
            "${object.name}: one more office done")
        self.as_admin(self.env.ref(
            "clearance_request.automation_request_forwarded")).template_id = template
        request = self.new_request()
        self.forward(request)
        mail = self.mails(self.student_day.partner_id).filtered(
            lambda m: "office done" in m.subject)
        self.assertEqual(mail.subject, "%s: one more office done" % request.name)

    def test_an_admin_adds_a_mail_to_the_dormitories_when_a_resident_arrives(self):
        dormitories = self.stages["dormitories"]
        dorm_officer = self.officers["dormitories"]
        template = self.template(
            "Dorm resident arrives",
            "${object.office_id.users.mapped('partner_id').ids|join(',')}",
            "${object.name}: a dormitory resident reached your office")
        self.as_admin(self.env["base.automation"]).create({
            "name": "Clearance: tell the dormitories a resident arrived",
            "model_id": self.env.ref(
                "clearance_request.model_clearance_request").id,
            "trigger": "on_write",
            "filter_pre_domain": "[('stage_id', '!=', %d)]" % dormitories.id,
            "filter_domain": "[('stage_id', '=', %d), "
                             "('student_dormitory', '=', True)]" % dormitories.id,
            "state": "email", "template_id": template.id,
        })
        resident = make_student(self.env, "91000090", "Dorm Resident",
                                student_dormitory=True)
        outsider = make_student(self.env, "91000091", "Lives At Home")
        for student in (resident, outsider):
            self.advance_to(self.new_request(student), "dormitories")
        told = self.mails(dorm_officer.partner_id).filtered(
            lambda m: "dormitory resident" in m.subject)
        self.assertEqual(len(told), 1)
        self.assertIn(self.Request.sudo().search(
            [("partner_id", "=", resident.partner_id.id)]).name, told.subject)
        # once: the resident's stage form saved at the office sends nothing more
        request = self.Request.sudo().search(
            [("partner_id", "=", resident.partner_id.id)])
        request.sudo(dorm_officer).write({"cur_debt_status": "none"})
        self.assertEqual(len(self.mails(dorm_officer.partner_id).filtered(
            lambda m: "dormitory resident" in m.subject)), 1)


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestMailQueue(TransactionCase):
    """The mail server down: mails wait in the queue, and leave once when
    it is back."""

    def send(self, mails):
        """What the scheduler and the after-commit sending do (without the
        scheduler's commits). Odoo skips SMTP on a thread flagged as
        testing: lift the flag for this call only."""
        thread = threading.currentThread()
        testing = getattr(thread, "testing", False)
        thread.testing = False
        try:
            mails.send()
        finally:
            thread.testing = testing

    def test_mails_wait_while_the_server_is_down_and_leave_once(self):
        self.env.ref("base.lang_en").active = True
        inbox = LocalInbox()
        port = inbox.port
        inbox.stop()  # the mail server is down
        self.env["ir.mail_server"].search([]).write({"active": False})
        server = self.env["ir.mail_server"].create({
            "name": "Local test inbox", "smtp_host": "127.0.0.1",
            "smtp_port": port, "smtp_encryption": "none"})
        student = make_student(self.env, "91900002", "Queue Student")
        request = self.env["clearance.request"].create({
            "partner_id": student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()  # the click succeeds
        mails = self.env["mail.mail"].search(
            [("model", "=", "clearance.request"), ("res_id", "=", request.id)])
        self.assertEqual(len(mails), 2)  # the student and the first office
        self.send(mails)
        self.assertEqual(mails.mapped("state"), ["outgoing", "outgoing"])
        inbox = LocalInbox()
        self.addCleanup(inbox.stop)
        server.smtp_port = inbox.port  # the mail server is back
        self.send(mails.exists())
        self.assertFalse(mails.exists(), "sent mails are deleted")
        expected = sorted([student.email] + request.office_id.users.filtered(
            "email").mapped("email"))
        received = sorted(rcpt for rcpts, _msg in inbox.received
                          for rcpt in rcpts)
        self.assertEqual(received, expected)
        self.send(self.env["mail.mail"].search([
            ("model", "=", "clearance.request"), ("res_id", "=", request.id)]))
        self.assertEqual(len(inbox.received), len(expected),
                         "nothing is sent twice")

    def test_a_user_is_created_while_the_mail_server_is_down(self):
        """A new user's invitation asks for the mail server's error: it gets
        Odoo's MailDeliveryException, which the invitation handles, so the
        user is created (the socket's own error would fail the creation)."""
        inbox = LocalInbox()
        port = inbox.port
        inbox.stop()
        self.env["ir.mail_server"].search([]).write({"active": False})
        self.env["ir.mail_server"].create({
            "name": "Closed port", "smtp_host": "127.0.0.1",
            "smtp_port": port, "smtp_encryption": "none"})
        thread = threading.currentThread()
        testing = getattr(thread, "testing", False)
        thread.testing = False
        try:
            user = self.env["res.users"].create({
                "name": "New Officer", "login": "new.officer@uni.test",
                "email": "new.officer@uni.test"})
        finally:
            thread.testing = testing
        self.assertTrue(user.exists())
