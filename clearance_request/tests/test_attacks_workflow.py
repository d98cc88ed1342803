"""Attacks on the workflow's own entry points: the portal's forms, the
request's fields over JSON-RPC, and what a student may read of the offices'
work. Each test acts as the attacker, through the entry point they would use."""
from odoo.exceptions import AccessError, UserError

from .common import ClearanceCase
from .test_portal import PortalCase

CALL_KW = "/web/dataset/call_kw"


class RpcCase(PortalCase):

    def call(self, model, method, args, kwargs=None):
        """A JSON-RPC call as the logged-in user: its result, or its error."""
        return self.json_call(CALL_KW, model=model, method=method, args=args,
                              kwargs=kwargs or {})

    def assertClearError(self, reply, *words):
        """The call failed with an Odoo error a user can read (not a raw
        database error) naming `words`."""
        self.assertIn("error", reply, reply)
        data = reply["error"]["data"]
        self.assertIn(data["name"], (
            "odoo.exceptions.UserError", "odoo.exceptions.AccessError",
            "odoo.exceptions.ValidationError"), data)
        for word in words:
            self.assertIn(word, data["message"])
        self.assertNotIn("psycopg2", data["debug"])


class TestStudentFormAttacks(RpcCase):

    def test_student_cannot_hand_their_draft_to_another_student(self):
        """Item 11: refused explicitly, whatever the constraints say."""
        record = self.Request.sudo(self.student).create({
            "partner_id": self.student.partner_id.id, "reason": "withdrawal"})
        self.allow_portal_rpc("clearance.request", "write")
        self.login(self.student)
        reply = self.call("clearance.request", "write", [
            [record.id], {"partner_id": self.other.partner_id.id}])
        self.assertClearError(reply, "cannot change whose clearance request")
        self.assertEqual(record.partner_id, self.student.partner_id)
        # and through the model, as the student
        with self.assertRaises(AccessError):
            record.sudo(self.student).write(
                {"partner_id": self.other.partner_id.id})

    def test_student_note_of_a_megabyte_is_refused(self):
        record = self.Request.sudo(self.student).create({
            "partner_id": self.student.partner_id.id, "reason": "withdrawal"})
        self.allow_portal_rpc("clearance.request", "write")
        self.login(self.student)
        reply = self.call("clearance.request", "write", [
            [record.id], {"student_note": "x" * 1000000}])
        self.assertClearError(reply, "too long", "2000")
        self.assertFalse(record.student_note)

    def test_student_note_that_is_not_text_is_refused(self):
        record = self.Request.sudo(self.student).create({
            "partner_id": self.student.partner_id.id, "reason": "withdrawal"})
        self.allow_portal_rpc("clearance.request", "write")
        self.login(self.student)
        reply = self.call("clearance.request", "write", [
            [record.id], {"student_note": {"a": 1}}])
        self.assertClearError(reply, "Expected a text")
        self.assertFalse(record.student_note)
        reply = self.call("clearance.request", "write", [
            [record.id], {"reason": "bribe"}])
        self.assertClearError(reply, "listed reasons")
        self.assertEqual(record.reason, "withdrawal")

    def test_nul_byte_in_the_resubmit_form(self):
        record = self.returned_request()
        self.login(self.student)
        page = self.tracker(record)
        response = self.open("/my/clearance/%d/resubmit" % record.id, data={
            "csrf_token": self.csrf(page), "note": "fixed\x00it",
            "reason": "withdrawal"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("not allowed (NUL)", response.text)
        self.assertNotIn("Traceback", response.text)
        self.assertEqual(record.state, "returned")
        self.assertFalse(record.student_note)

    def test_nul_byte_in_the_verify_page_code(self):
        response = self.open("/clearance/verify/ABC%00DEF")
        self.assertEqual(response.status_code, 400)
        self.assertIn("not allowed (NUL)", response.text)

    def test_nul_byte_in_an_office_text_over_rpc(self):
        record = self.new_request()
        self.login(self.department)
        reply = self.call("clearance.request", "return_to_student", [
            [record.id]], {"reason": "bad\x00reason"})
        self.assertClearError(reply, "not allowed (NUL)")
        self.assertEqual(record.state, "progress")
        reply = self.call("clearance.request", "write", [
            [record.id], {"cur_visit_instructions": "x" * 2001}])
        self.assertClearError(reply, "too long")

    def test_bad_ids_and_domain_values_over_rpc(self):
        self.new_request()
        self.login(self.department)
        for args in ([[2 ** 40], ["name"]], [["abc"], ["name"]]):
            reply = self.call("clearance.request", "read", args)
            self.assertClearError(reply)
        for domain in ([("id", "=", "abc")], [("stage_date", "<", "yesterday")],
                       [("id", "in", [2 ** 40])]):
            reply = self.call("clearance.request", "search_read", [domain],
                              {"fields": ["name"]})
            self.assertClearError(reply)


class TestWorkflowFieldsOverRpc(RpcCase):

    def test_office_cannot_move_a_request_by_writing_it(self):
        """The workflow guard, as an officer over JSON-RPC: the stage, the
        status and the steps change only through the actions."""
        record = self.new_request()
        line = record.current_line_id
        welfare = self.env.ref("clearance_request.stage_welfare")
        self.login(self.department)
        for vals in ({"state": "cleared"}, {"stage_id": welfare.id},
                     {"current_line_id": False}):
            reply = self.call("clearance.request", "write", [[record.id], vals])
            self.assertClearError(reply, "clearance actions")
        reply = self.call("clearance.request.line", "write", [
            line.ids, {"state": "done", "officer_id": self.department.id}])
        self.assertClearError(reply, "clearance actions")
        reply = self.call("clearance.request.line", "create", [{
            "request_id": record.id, "stage_id": welfare.id}])
        self.assertClearError(reply, "clearance actions")
        self.assertEqual(record.state, "progress")
        self.assertEqual(record.current_line_id, line)
        self.assertEqual(line.state, "current")

    def test_office_cannot_put_words_in_the_steps_chatter_line(self):
        """The office's words on a step's chatter line come only from a visit
        or a return: a forward's context sent over JSON-RPC cannot put a text
        of its own on the line the student reads as the office's."""
        record = self.new_request()
        record.sudo(self.department).write({"cur_card_received": True})
        self.login(self.department)
        reply = self.call("clearance.request", "action_forward", [[record.id]], {
            "context": {"lang": "en_US",
                        "clearance_words": "Pay 5,000,000 rial to account 1234."}})
        self.assertNotIn("error", reply, reply)
        record.invalidate_cache()
        self.assertEqual(record.stage_id.group_id.name, "Kharazmi Library")
        line = record.sudo().message_ids.filtered("tracking_value_ids")[:1]
        self.assertTrue(line)
        self.assertNotIn("5,000,000", line.body or "")
        self.assertFalse(record.sudo().message_ids.filtered(
            lambda m: "5,000,000" in (m.body or "")))


class TestButtonsAreTheRpcMethods(RpcCase):
    """A button and an RPC client call the same method: Odoo 11's web client
    sends the button's context where the method's optional argument is."""

    def press(self, record, method, context):
        return self.json_call(
            "/web/dataset/call_button", model="clearance.request",
            method=method, args=[[record.id], context], context_id=1)

    def test_hold_button_takes_the_forms_instructions_and_context(self):
        record = self.forward(self.new_request())
        record.sudo(self.kharazmi).write({
            "cur_visit_required": True,
            "cur_visit_instructions": "Bring back the two books."})
        self.login(self.kharazmi)
        # the button's context reaches the action: a stale screen is refused
        reply = self.press(record, "hold_for_visit", {
            "lang": "en_US", "clearance_expected_line_id": -1})
        self.assertClearError(reply, "moved on")
        self.assertEqual(record.state, "progress")
        reply = self.press(record, "hold_for_visit", {
            "lang": "en_US",
            "clearance_expected_line_id": record.current_line_id.id})
        self.assertNotIn("error", reply, reply)
        record.invalidate_cache()
        self.assertEqual(record.state, "hold")
        self.assertEqual(record.current_line_id.visit_instructions,
                         "Bring back the two books.")

    def test_return_button_and_rpc_argument(self):
        record = self.new_request()
        self.login(self.department)
        reply = self.press(record, "return_to_student", {"lang": "en_US"})
        self.assertClearError(reply, "reason is required")
        self.assertEqual(record.state, "progress")
        reply = self.call("clearance.request", "return_to_student",
                          [[record.id]], {"reason": "The photo is missing."})
        self.assertNotIn("error", reply, reply)
        record.invalidate_cache()
        self.assertEqual(record.state, "returned")
        self.assertEqual(record.current_line_id.return_reason,
                         "The photo is missing.")


class TestResubmitWithFollowers(RpcCase):

    def test_resubmit_with_a_changed_reason_while_an_employee_follows(self):
        """Item 9: an employee follows the request with the Note subtype; the
        student's resubmission with another reason still goes through, and
        the student never sees a raw error."""
        record = self.returned_request()
        employee = self.department
        record.sudo().message_subscribe(
            partner_ids=employee.partner_id.ids,
            subtype_ids=self.env.ref("mail.mt_note").ids)
        self.login(self.student)
        page = self.tracker(record)
        response = self.open("/my/clearance/%d/resubmit" % record.id, data={
            "csrf_token": self.csrf(page), "note": "Faculty added.",
            "reason": "expulsion"}, redirects=False)
        self.assertIn(response.status_code, (302, 303), response.text[:2000])
        self.assertEqual(record.state, "progress")
        self.assertEqual(record.reason, "expulsion")
        page = self.tracker(record)
        self.assertNotIn("Traceback", page.text)
        self.assertNotIn("token=", page.text)


class TestOfficeNoteIsInternal(ClearanceCase):
    """Item 8: the offices' note is for the offices; the student reads the
    visit instructions and the return reason, which are addressed to them."""

    def test_student_cannot_read_the_office_note(self):
        request = self.new_request()
        department = self.officers["department"]
        request.sudo(department).write({"cur_note": "Card looked forged."})
        as_student = request.sudo(self.student_day)
        with self.assertRaises(AccessError):
            as_student.read(["cur_note"])
        with self.assertRaises(AccessError):
            as_student.line_ids.read(["note"])
        # what the student reads of their steps does not carry it
        values = as_student.line_ids.read()
        self.assertTrue(values)
        self.assertTrue(all("note" not in line for line in values))
        # the offices read it
        self.assertEqual(
            request.sudo(department).cur_note, "Card looked forged.")

    def test_officer_of_the_next_office_reads_the_note_after_the_forward(self):
        request = self.new_request()
        request.sudo(self.officers["department"]).write(
            {"cur_note": "Card handed in late."})
        self.forward(request)
        kharazmi = self.officers["library_kharazmi"]
        notes = request.sudo(kharazmi).line_ids.mapped("note")
        self.assertIn("Card handed in late.", notes)

    def test_text_limits_hold_for_the_model_too(self):
        request = self.new_request()
        department = request.sudo(self.officers["department"])
        with self.assertRaises(UserError) as caught:
            department.return_to_student("x" * 2001)
        self.assertIn("too long", caught.exception.name)
        self.assertEqual(request.state, "progress")


class TestFollowersFromBefore(ClearanceCase):

    def test_the_update_removes_followers_who_may_not_read_the_request(self):
        """Entries made before following needed the right to read (the
        update from 11.0.1.1.0 runs this): the other student goes, the
        request's own student and the office that handled it stay."""
        request = self.forward(self.new_request())
        Followers = self.env["mail.followers"].sudo()
        for partner in (self.student_other.partner_id,
                        self.officers["department"].partner_id):
            Followers.create({"res_model": "clearance.request",
                              "res_id": request.id,
                              "partner_id": partner.id})
        removed = self.Request._remove_unreadable_followers()
        self.assertGreaterEqual(removed, 1)
        self.assertEqual(
            request.sudo().message_partner_ids,
            self.student_day.partner_id | self.officers["department"].partner_id)
