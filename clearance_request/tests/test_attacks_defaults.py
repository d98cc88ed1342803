"""Issue #21: the guards check the values that will be stored, not only
those the caller sent. Odoo's create() fills the fields it was not passed
from the context's default_* keys; a student's JSON-RPC call carries any
context. Each test acts as the attacker, through the entry point they
would use."""
from odoo.exceptions import AccessError

from ..models.clearance_certificate import new_certificate_code
from ..models.clearance_request import transition
from .common import ClearanceCase
from .test_attacks_workflow import RpcCase

# A value of each kind of workflow field, as a forger would send it.
FORGED_BY_TYPE = {
    "char": "FORGED", "text": "FORGED", "boolean": True,
    "datetime": "2026-01-01 08:00:00", "date": "2026-01-01",
    "integer": 1, "float": 1.0,
}


class TestForgedDefaultsOverRpc(RpcCase):

    def forged_value(self, field):
        """A value for `field` that a forger would put in the context."""
        if field.type == "selection":
            selection = field._description_selection(self.env)
            values = [value for value, _label in selection]
            return "cleared" if "cleared" in values else values[-1]
        if field.type == "many2one":
            return self.env[field.comodel_name].search([], limit=1).id
        if field.type == "many2many":
            return [(6, 0, self.env[field.comodel_name].search([], limit=1).ids)]
        if field.type == "one2many":
            return [(0, 0, {"stage_id": self.env.ref(
                "clearance_request.stage_welfare").id, "state": "done"})]
        return FORGED_BY_TYPE[field.type]

    def student_requests(self):
        return self.Request.search(
            [("partner_id", "=", self.student.partner_id.id)])

    def test_student_cannot_create_a_cleared_request_with_a_certificate(self):
        """The issue's attack: a cleared request with a certificate of the
        student's choosing; the verify page and the PDF would vouch for
        it."""
        code = new_certificate_code()
        self.allow_portal_rpc("clearance.request", "create")
        self.login(self.student)
        reply = self.call("clearance.request", "create", [{
            "partner_id": self.student.partner_id.id,
            "reason": "withdrawal"}], {"context": {
                "lang": "en_US", "default_state": "cleared",
                "default_certificate_code": code,
                "default_certified_name": "Forged Name",
                "default_certified_student_number": "99999999"}})
        self.assertClearError(reply, "clearance actions", "state",
                              "certificate_code", "certified_name")
        self.assertFalse(self.student_requests())
        self.assertFalse(self.Request.search([("certificate_code", "=", code)]))
        response = self.open("/clearance/verify/%s?lang=en_US" % code)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Forged Name", response.text)

    def test_no_workflow_field_can_be_set_by_the_context(self):
        """Every workflow field of the request, one at a time."""
        self.allow_portal_rpc("clearance.request", "create")
        self.login(self.student)
        as_student = self.Request.sudo(self.student)
        dropped = {}
        for name in sorted(self.Request._workflow_fields):
            field = self.Request._fields[name]
            value = self.forged_value(field)
            if not as_student._orm_guard_default_allowed(name, True):
                # base_orm_guard drops the default of a field no create
                # stores (computed, no inverse) before the model sees it;
                # the request's own guard refuses it behind that layer.
                with self.assertRaisesRegex(AccessError, "clearance actions"):
                    as_student.with_context(**{"default_" + name: value}) \
                        .create({"partner_id": self.student.partner_id.id,
                                 "reason": "withdrawal"})
                dropped["default_" + name] = value
                continue
            reply = self.call("clearance.request", "create", [{
                "partner_id": self.student.partner_id.id,
                "reason": "withdrawal"}], {"context": {
                    "lang": "en_US", "default_" + name: value}})
            self.assertClearError(reply, "clearance actions", name)
            self.assertFalse(self.student_requests(), name)
        # over RPC those defaults never reach the request: a plain draft
        if dropped:
            reply = self.call("clearance.request", "create", [{
                "partner_id": self.student.partner_id.id,
                "reason": "withdrawal"}], {"context": dict(
                    dropped, lang="en_US")})
            self.assertNotIn("error", reply, reply)
            request = self.student_requests()
            self.assertEqual(request.ids, [reply["result"]])
            self.assertEqual((request.state, request.certificate_code),
                             ("draft", False))

    def test_values_checks_see_the_contexts_values(self):
        """The reason and the note a student may write are checked also
        when they come from the context."""
        self.allow_portal_rpc("clearance.request", "create")
        self.login(self.student)
        for key, value, words in (
                ("default_reason", "bribe", "listed reasons"),
                ("default_student_note", "x\x00y", "not allowed (NUL)"),
                ("default_student_note", "x" * 2001, "too long")):
            reply = self.call("clearance.request", "create", [{
                "partner_id": self.student.partner_id.id,
                "reason": "withdrawal"} if key != "default_reason" else {
                    "partner_id": self.student.partner_id.id}],
                {"context": {"lang": "en_US", key: value}})
            self.assertClearError(reply, words)
            self.assertFalse(self.student_requests(), key)

    def test_submit_ignores_the_callers_defaults(self):
        """action_submit with a context that would decide the route's
        steps: the submission goes through, the steps are the offices'."""
        record = self.Request.sudo(self.student).create({
            "partner_id": self.student.partner_id.id, "reason": "withdrawal"})
        self.allow_portal_rpc("clearance.request", "action_submit")
        self.login(self.student)
        reply = self.call("clearance.request", "action_submit", [[record.id]], {
            "context": {"lang": "en_US", "default_state": "done",
                        "default_decision": "forwarded",
                        "default_auto_decided": True,
                        "default_check_result": "Cleared by the context",
                        "default_officer_id": self.department.id,
                        "default_date_done": "2026-01-01 08:00:00",
                        "default_note": "<b>Pay to account 1234</b>",
                        "default_summary": "Forged"}})
        self.assertNotIn("error", reply, reply)
        record = record.sudo()
        record.invalidate_cache()
        self.assertEqual(record.state, "progress")
        self.assertEqual(record.stage_id,
                         self.env.ref("clearance_request.stage_department"))
        steps = record.line_ids.filtered(lambda l: l.kind != "create")
        self.assertEqual(steps[0].state, "current")
        self.assertEqual(set(steps[1:].mapped("state")), {"waiting"})
        self.assertFalse(steps.filtered(
            lambda l: l.decision or l.auto_decided or l.check_result
            or l.officer_id or l.date_done))
        # the offices' to-dos carry the workflow's words only
        todos = record.activity_ids
        self.assertTrue(todos)
        self.assertFalse(todos.filtered(
            lambda t: "1234" in (t.note or "") or t.summary == "Forged"))

    def test_office_actions_ignore_the_callers_defaults(self):
        record = self.new_request()
        record.sudo(self.department).write({"cur_card_received": True})
        self.login(self.department)
        reply = self.call("clearance.request", "action_forward", [[record.id]], {
            "context": {"lang": "en_US", "default_state": "done",
                        "default_auto_decided": True,
                        "default_officer_id": self.kharazmi.id}})
        self.assertNotIn("error", reply, reply)
        record.invalidate_cache()
        self.assertEqual(record.stage_id.group_id.name, "Kharazmi Library")
        department, library = record.line_ids.filtered(
            lambda l: l.kind != "create")[:2]
        self.assertEqual((department.state, department.officer_id,
                          department.auto_decided),
                         ("done", self.department, False))
        self.assertEqual((library.state, library.officer_id),
                         ("current", self.kharazmi.browse()))

    def test_student_cannot_create_a_bulk_line_on_another_students_request(self):
        """The issue's attack: a bulk line on another student's request,
        whose reference the student then read back."""
        foreign = self.new_request(self.other)
        Line = self.env["clearance.bulk.action.line"]
        self.allow_portal_rpc("clearance.bulk.action", "create")
        self.allow_portal_rpc("clearance.bulk.action.line", "create")
        self.login(self.student)
        reply = self.call("clearance.bulk.action", "create", [{
            "line_ids": [(0, 0, {"request_id": foreign.id})]}])
        self.assertClearError(reply, "officers")
        self.assertNotIn(foreign.name, reply["error"]["data"]["message"])
        # a line alone, in a wizard the student would name
        wizard = self.env["clearance.bulk.action"].create({})
        reply = self.call("clearance.bulk.action.line", "create", [{
            "wizard_id": wizard.id, "request_id": foreign.id}])
        self.assertClearError(reply, "officers")
        self.assertFalse(Line.search([("request_id", "=", foreign.id)]))
        self.assertFalse(self.env["clearance.bulk.action"].search(
            [("create_uid", "=", self.student.id)]))

    def test_officer_bulk_over_rpc_still_works(self):
        record = self.new_request()
        record.sudo(self.department).write({"cur_card_received": True})
        self.login(self.department)
        reply = self.call("clearance.bulk.action", "default_get", [
            ["action", "line_ids", "left_out"]], {"context": {
                "lang": "en_US", "active_model": "clearance.request",
                "active_ids": [record.id]}})
        self.assertNotIn("error", reply, reply)
        values = reply["result"]
        reply = self.call("clearance.bulk.action", "create", [values])
        self.assertNotIn("error", reply, reply)
        reply = self.call("clearance.bulk.action", "action_confirm",
                          [[reply["result"]]])
        self.assertNotIn("error", reply, reply)
        record.invalidate_cache()
        self.assertEqual(record.stage_id.group_id.name, "Kharazmi Library")


class TestForgedDefaultsOnOtherModels(ClearanceCase):
    """The same guard on the steps, the substitutions, the loans and the
    messages: what the context adds is checked as if it had been passed."""

    def test_step_created_from_defaults_is_refused_even_as_superuser(self):
        request = self.new_request()
        Line = self.env["clearance.request.line"]
        count = Line.search_count([])
        with self.assertRaises(AccessError):
            Line.with_context(
                default_request_id=request.id,
                default_stage_id=self.stages["welfare"].id,
                default_state="done").create({})
        self.assertEqual(Line.search_count([]), count)
        # the workflow itself still builds routes
        self.assertTrue(transition(Line).create({
            "request_id": request.id, "stage_id": self.stages["welfare"].id}))

    def test_substitution_for_someone_else_from_the_context(self):
        officer = self.officers["library_kharazmi"]
        colleague = self.officers["library_shirazi"]
        substitute = self.officers["counselling"]
        Substitution = self.env["clearance.substitution"]
        with self.assertRaises(AccessError) as caught:
            Substitution.sudo(officer).with_context(
                default_officer_id=colleague.id).create({
                    "substitute_id": substitute.id,
                    "date_to": "2099-01-01"})
        self.assertIn("only for themself", caught.exception.name)
        with self.assertRaises(AccessError) as caught:
            Substitution.sudo(officer).with_context(
                default_state="cancelled").create({
                    "substitute_id": substitute.id,
                    "date_to": "2099-01-01"})
        self.assertIn("by Cancel", caught.exception.name)
        self.assertFalse(Substitution.search(
            [("substitute_id", "=", substitute.id)]))
        # the legitimate use
        sub = Substitution.sudo(officer).create({
            "substitute_id": substitute.id, "date_to": "2099-01-01"})
        self.assertEqual((sub.officer_id, sub.state), (officer, "active"))

    def test_loan_for_another_library_from_the_context(self):
        kharazmi = self.officers["library_kharazmi"]
        shirazi = self.env.ref("clearance_request.group_office_library_shirazi")
        Loan = self.env["clearance.library.loan"]
        with self.assertRaises(AccessError) as caught:
            Loan.sudo(kharazmi).with_context(
                default_group_id=shirazi.id).create({
                    "partner_id": self.student_day.partner_id.id,
                    "book_title": "Planted"})
        self.assertIn("your own library", caught.exception.name)
        loan = Loan.sudo(kharazmi).create({
            "partner_id": self.student_day.partner_id.id,
            "book_title": "Lent"})
        with self.assertRaises(AccessError):
            loan.write({"group_id": shirazi.id})
        self.assertFalse(Loan.search([("book_title", "=", "Planted")]))
        self.assertEqual(loan.group_id, self.env.ref(
            "clearance_request.group_office_library_kharazmi"))

    def test_student_message_in_an_officers_name_from_the_context(self):
        request = self.new_request()
        officer = self.officers["department"]
        Message = self.env["mail.message"]
        comment = self.env.ref("mail.mt_comment")
        before = Message.search_count([])
        for context in ({"default_author_id": officer.partner_id.id},
                        {"default_partner_ids": [
                            (4, self.student_other.partner_id.id)]},
                        {"default_reply_to": "thief@example.com"}):
            with self.assertRaises(AccessError):
                Message.sudo(self.student_day).with_context(**context).create({
                    "model": "clearance.request", "res_id": request.id,
                    "body": "Pay to account 1234", "message_type": "comment",
                    "subtype_id": comment.id})
        self.assertEqual(Message.search_count([]), before)
        # the student still writes on their request
        message = Message.sudo(self.student_day).create({
            "model": "clearance.request", "res_id": request.id,
            "body": "My card is at the desk.", "message_type": "comment",
            "subtype_id": comment.id})
        self.assertEqual(message.author_id, self.student_day.partner_id)

    def test_an_officers_own_defaults_are_checked_too(self):
        """ir.default: a manager's own default for a workflow field."""
        self.env["ir.default"].set(
            "clearance.request", "state", "cleared", user_id=self.manager.id)
        with self.assertRaises(AccessError):
            self.Request.sudo(self.manager).create({
                "partner_id": self.student_other.partner_id.id,
                "reason": "withdrawal"})
        self.assertFalse(self.Request.search(
            [("partner_id", "=", self.student_other.partner_id.id)]))
