from odoo.exceptions import AccessError, ValidationError

from ..upgrade import move_mails_to_events
from .common import ClearanceCase


class TestEventQueue(ClearanceCase):
    """A step is one short transaction and one event; the event queue does
    the rest (chatter, to-dos, mails), in order, from what the event
    recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["clearance.event"]
        cls.Request = cls.Request.with_context(mail_notify_force_send=False)

    def submitted(self, student=None):
        """A request submitted by its student, its event not done yet."""
        student = student or self.student_day
        request = self.Request.sudo(student).create({
            "partner_id": student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()
        return request.sudo(self.manager)

    def forward_only(self, request):
        """An officer's forward, the queue not run."""
        officer = self.officers[self.office_of(request)]
        self.fill_form(request, officer).action_forward()
        request.invalidate_cache()
        return officer

    def mails_about(self, request):
        return self.env["mail.mail"].search([
            ("model", "=", "clearance.request"), ("res_id", "=", request.id)],
            order="id")

    def test_a_step_records_one_event_and_the_queue_does_the_rest(self):
        request = self.submitted()
        event = request.sudo().event_ids
        self.assertEqual(len(event), 1)
        self.assertEqual(
            (event.event, event.state, event.user_id, event.from_state,
             event.to_state, event.from_stage_id, event.stage_id, event.line_id),
            ("submitted", "pending", self.student_day, "draft", "progress",
             self.env["clearance.stage"], self.stages["department"],
             request.current_line_id))
        # the step's own transaction did only the step
        self.assertFalse(self.mails_about(request))
        self.assertFalse(request.sudo().activity_ids)
        self.assertFalse(request.sudo().message_ids.mapped(
            "tracking_value_ids").filtered(lambda t: t.field in ("stage_id", "state")))

        self.assertEqual(self.process_events(), 1)
        self.assertEqual(event.state, "done")
        self.assertTrue(event.date_done)
        self.assertEqual(len(self.mails_about(request)), 2,
                         "the student's and the first office's mails")
        self.assertEqual(
            request.sudo().activity_ids.mapped("user_id"),
            self.env.ref("clearance_request.group_office_department").users)
        entry = request.sudo().message_ids.filtered(
            lambda m: m.tracking_value_ids.filtered(lambda t: t.field == "state"))
        self.assertEqual(entry.author_id, self.student_day.partner_id)
        self.assertEqual(entry.date, event.date)
        self.assertEqual(entry.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(
            sorted(entry.tracking_value_ids.mapped("field")), ["stage_id", "state"])
        # nothing left: a second run does nothing
        self.assertEqual(self.process_events(), 0)
        self.assertEqual(len(self.mails_about(request)), 2)

    def test_a_late_queue_names_each_steps_own_offices(self):
        request = self.submitted()
        self.process_events()
        first = self.forward_only(request)
        second = self.forward_only(request)
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])
        before = len(self.mails_about(request))
        self.assertEqual(self.process_events(), 2)
        mails = self.mails_about(request)[before:]
        self.assertEqual(len(mails), 2)
        self.assertIn("Department</strong> cleared", mails[0].body_html)
        self.assertIn("next office is <strong>Kharazmi Library", mails[0].body_html)
        self.assertIn("Kharazmi Library</strong> cleared", mails[1].body_html)
        self.assertIn("next office is <strong>Mirza-ye Shirazi Library",
                      mails[1].body_html)
        entries = request.sudo().message_ids.filtered(
            lambda m: m.tracking_value_ids.filtered(lambda t: t.field == "stage_id"))
        self.assertEqual(
            sorted((m.author_id.id, m.tracking_value_ids.filtered(
                lambda t: t.field == "stage_id").new_value_char) for m in entries),
            sorted([(self.student_day.partner_id.id, self.stages["department"].name),
                    (first.partner_id.id, self.stages["library_kharazmi"].name),
                    (second.partner_id.id, self.stages["library_shirazi"].name)]))
        # the to-dos follow where the request is now, not each step
        self.assertEqual(
            request.sudo().activity_ids.mapped("user_id"),
            self.env.ref("clearance_request.group_office_library_shirazi").users)

    def test_events_of_a_request_are_claimed_oldest_first(self):
        one = self.submitted()
        self.process_events()
        self.forward_only(one)
        self.forward_only(one)
        other = self.submitted(self.student_second)
        waiting = one.sudo().event_ids.filtered(
            lambda e: e.state == "pending").sorted("id")
        self.assertEqual(len(waiting), 2)
        claimed = self.Event.sudo()._claim(10)
        self.assertEqual(claimed, waiting[0] | other.sudo().event_ids)

    def test_officers_do_not_follow_and_questions_reach_the_office(self):
        request = self.new_request()
        self.forward(request)
        self.assertEqual(request.sudo().message_partner_ids,
                         self.student_day.partner_id,
                         "to-dos do not make officers followers: %s" %
                         request.sudo().message_partner_ids.mapped("name"))
        question = "Is my card needed?"
        message = request.sudo(self.student_day).message_post(
            body=question, message_type="comment",
            subtype="mail.mt_comment")
        office = self.env.ref("clearance_request.group_office_library_kharazmi")
        self.assertIn(self.officers["library_kharazmi"], office.users)
        self.assertEqual(message.sudo().needaction_partner_ids,
                         office.users.mapped("partner_id"))
        # an office's own note reaches nobody new
        words = "Card checked."
        note = request.sudo(self.officers["library_kharazmi"]).message_post(
            body=words, message_type="comment",
            subtype="mail.mt_note")
        self.assertFalse(note.sudo().needaction_partner_ids)

    def test_event_actions_are_on_the_event_model_with_an_event(self):
        model = self.env.ref("clearance_request.model_clearance_request")
        Automation = self.env["base.automation"].with_context(lang="en_US")
        with self.assertRaisesRegex(ValidationError, "model Clearance event"):
            Automation.with_context(import_file=True).create({
                "name": "Wrong model", "model_id": model.id,
                "trigger": "on_clearance_event", "clearance_event": "cleared",
                "state": "code", "code": "pass"})
        with self.assertRaisesRegex(ValidationError, "Choose the clearance event"):
            Automation.with_context(import_file=True).create({
                "name": "No event",
                "model_id": self.env.ref(
                    "clearance_request.model_clearance_event").id,
                "trigger": "on_clearance_event",
                "state": "code", "code": "pass"})

    def test_an_action_added_by_an_admin_runs_on_its_event(self):
        # import_file: keep the test's transaction (no registry reload)
        self.env["base.automation"].with_context(import_file=True).create({
            "name": "Tell the welfare office of every return",
            "model_id": self.env.ref("clearance_request.model_clearance_event").id,
            "trigger": "on_clearance_event", "clearance_event": "returned",
            "filter_domain": "[('request_id.student_shift', '=', 'day')]",
            "state": "code",
            "code": "record.request_id.message_post(body='Returned: ' + record.note)"})
        request = self.new_request()
        request.sudo(self.officers["department"]).return_to_student("Wrong reason.")
        self.process_events()
        self.assertIn("Returned: Wrong reason.",
                      " ".join(request.sudo().message_ids.mapped("body")))
        second = self.new_request(self.student_second)
        second.sudo(self.officers["department"]).return_to_student("Wrong reason.")
        self.process_events()
        self.assertNotIn("Returned: Wrong reason.",
                         " ".join(second.sudo().message_ids.mapped("body")))


class TestEventAccess(ClearanceCase):

    def test_only_managers_read_the_queue(self):
        request = self.new_request()
        events = request.sudo().event_ids
        self.assertTrue(events)
        for user in (self.officers["department"], self.student_day, self.employee):
            with self.assertRaises(AccessError):
                self.env["clearance.event"].sudo(user).search([])
            with self.assertRaises(AccessError):
                events.sudo(user).read(["event"])
            with self.assertRaises(AccessError):
                events.sudo(user).action_retry()
        self.assertEqual(events.sudo(self.manager).read(["event"])[0]["event"],
                         "submitted")

    def test_retry_sends_a_failed_event_back(self):
        request = self.new_request()
        event = request.sudo().event_ids
        event.write({"state": "failed", "error": "SMTP down"})
        event.sudo(self.manager).action_retry()
        self.assertEqual((event.state, event.error), ("pending", False))
        event.write({"state": "done"})
        event.sudo(self.manager).action_retry()
        self.assertEqual(event.state, "done", "only a failed event goes back")

    def test_officers_form_hides_the_events(self):
        view = self.Request.sudo(self.officers["department"]).fields_view_get(
            view_type="form")
        self.assertNotIn("event_ids", view["fields"])
        view = self.Request.sudo(self.manager).fields_view_get(view_type="form")
        self.assertIn("event_ids", view["fields"])


class TestUpgradeToEvents(ClearanceCase):
    """11.0.1.1.0 moved the mails to the events: an older database's
    actions and templates, edited by an admin, are carried over."""

    def test_older_actions_and_edited_templates_move_to_the_events(self):
        action = self.env.ref("clearance_request.automation_request_forwarded")
        template = self.env.ref("clearance_request.mail_template_request_forwarded")
        request_model = self.env.ref("clearance_request.model_clearance_request")
        # import_file: keep the test's transaction (no registry reload)
        action.with_context(import_file=True).write({
            "model_id": request_model.id, "trigger": "on_write",
            "filter_pre_domain": "[('state', 'in', ('progress', 'hold'))]",
            "filter_domain": "[('state', '=', 'progress')]",
            "code": 'record._send_clearance_mail('
                    '"clearance_request.mail_template_request_forwarded")'})
        template.write({
            "model_id": request_model.id,
            "partner_to": "${object.partner_id.id}",
            "lang": "${object.partner_id.lang}",
            "subject": "${object.name}: on to ${object.office_id.name} (edited)",
            "body_html": "<div>\n    % set cleared = object.line_ids.filtered("
                         "'date_done').sorted('sequence')[-1:]\n"
                         "<p>Hello ${object.partner_id.name}: "
                         "${cleared.group_id.name} signed on "
                         "${object.format_date(cleared.date_done)}.</p></div>"})

        move_mails_to_events(self.env)

        self.assertEqual(
            (action.model_id.model, action.trigger, action.clearance_event,
             action.filter_pre_domain, action.filter_domain),
            ("clearance.event", "on_clearance_event", "forwarded", False, False))
        self.assertIn("record._send_mail(", action.code)
        self.assertEqual(template.model_id.model, "clearance.event")
        self.assertEqual(template.subject,
                         "${object.request_id.name}: on to ${object.office_id.name} "
                         "(edited)")
        request = self.new_request()
        self.forward(request)
        mail = self.env["mail.mail"].search([
            ("model", "=", "clearance.request"), ("res_id", "=", request.id),
            ("subject", "like", "(edited)")])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject,
                         "%s: on to Kharazmi Library (edited)" % request.name)
        self.assertIn("Hello Day Student: Department signed on", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.student_day.partner_id)
        # run again, nothing changes
        move_mails_to_events(self.env)
        self.assertIn("(edited)", template.subject)
