"""Issue 21's attacks on the ORM itself, as JSON-RPC calls of a logged-in
student or officer through the web client's /web/dataset/call_kw (the
base_orm_guard addon closes them): restricted fields as search and
grouping oracles, a loan moved out of its library, context defaults that
forge a cleared request, bad values in RPC payloads."""
from odoo.tests import common as odoo_tests

from ..models.clearance_request import transition

from .common import HttpCursorCase, make_officer

HIDDEN_NOTE = "Owes the dean three books"


class TestOrmAttacksOverRpc(HttpCursorCase):

    context = {"mail_notify_force_send": False}

    def setUp(self):
        super().setUp()
        self.make_people("orm", "950001", ("Orm Student", "Orm Victim"))
        self.shirazi = make_officer(
            self.env, "t.orm.shirazi",
            "clearance_request.group_office_library_shirazi")

    def new_request(self, student):
        request = self.env["clearance.request"].sudo(student).create({
            "partner_id": student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()
        return request.sudo()

    def login(self, user):
        self.authenticate(user.login, user.login)

    @staticmethod
    def url(path):
        return "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path)

    def call_kw(self, model, method, args, kwargs=None):
        """A JSON-RPC call as the web client makes it; the answer's
        result, or its error's data."""
        # A failed call rolls the test cursor back to its last commit,
        # which only moves a savepoint inside this test.
        self.registry.test_cr.commit()
        response = self.opener.post(
            self.url("/web/dataset/call_kw/%s/%s" % (model, method)),
            timeout=60, json={"jsonrpc": "2.0", "method": "call", "params": {
                "model": model, "method": method, "args": list(args),
                "kwargs": kwargs or {}}})
        self.env.cache.invalidate()
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data")

    def assert_refused(self, call_result, error="AccessError"):
        result, data = call_result
        self.assertIsNone(result)
        self.assertTrue(data, "the call was refused")
        self.assertEqual(data["name"], "odoo.exceptions.%s" % error,
                         data.get("message"))
        self.assertNotIn("psycopg2", data.get("message", ""))

    def test_student_cannot_group_or_count_office_notes(self):
        request = self.new_request(self.student)
        request.sudo(self.department).write({"cur_note": HIDDEN_NOTE})
        transition(request.current_line_id.sudo()).write(
            {"sla_level": "overdue"})
        self.allow_portal_rpc(
            "clearance.request.line", "read_group", "search_count",
            "search_read")
        self.allow_portal_rpc("clearance.request", "search_count")
        self.login(self.student)
        self.assert_refused(self.call_kw(
            "clearance.request.line", "read_group",
            [[], ["note"], ["note"]]))
        self.assert_refused(self.call_kw(
            "clearance.request.line", "read_group",
            [[], ["stage_id"], ["note"]], {"lazy": False}))
        self.assert_refused(self.call_kw(
            "clearance.request", "search_count",
            [[("cur_note", "=like", "Owes%")]]))
        self.assert_refused(self.call_kw(
            "clearance.request", "search_count",
            [[("line_ids.note", "=like", "Owes%")]]))
        self.assert_refused(self.call_kw(
            "clearance.request.line", "search_read",
            [[], ["stage_id"]], {"order": "note"}))
        for call in (
                ("read_group", [[], ["stage_id"], ["sla_level"]]),
                ("search_count", [[("sla_level", "=", "overdue")]])):
            self.assert_refused(self.call_kw(
                "clearance.request.line", *call))
        # the student's own searches still work
        result, error = self.call_kw(
            "clearance.request", "search_count",
            [[("state", "=", "progress")]])
        self.assertEqual((result, error), (1, None))
        # and the office keeps its notes searchable (through the steps: the
        # current form's field is not stored, and Odoo ignores a search on it)
        self.login(self.department)
        result, error = self.call_kw(
            "clearance.request", "search_count",
            [[("line_ids.note", "=like", "Owes%")]])
        self.assertIsNone(error)
        self.assertGreaterEqual(result, 1)

    def test_library_officer_cannot_move_a_loan_to_another_library(self):
        kharazmi_group = self.env.ref(
            "clearance_request.group_office_library_kharazmi")
        shirazi_group = self.env.ref(
            "clearance_request.group_office_library_shirazi")
        loan = self.env["clearance.library.loan"].sudo(self.kharazmi).create({
            "partner_id": self.student.partner_id.id,
            "group_id": kharazmi_group.id, "book_title": "Calculus",
            "date_out": "2026-01-10"}).sudo()
        self.login(self.kharazmi)
        self.assert_refused(self.call_kw(
            "clearance.library.loan", "write",
            [loan.ids, {"group_id": shirazi_group.id}]))
        loan.invalidate_cache()
        self.assertEqual(loan.group_id, kharazmi_group)
        # the library still edits its own loan
        result, error = self.call_kw(
            "clearance.library.loan", "write",
            [loan.ids, {"date_returned": "2026-02-01"}])
        self.assertEqual((result, error), (True, None))

    def test_student_cannot_forge_a_cleared_request_with_context_defaults(
            self):
        Request = self.env["clearance.request"]
        self.allow_portal_rpc("clearance.request", "create", "action_submit")
        self.login(self.student)
        result, error = self.call_kw("clearance.request", "create", [{
            "partner_id": self.student.partner_id.id,
            "reason": "withdrawal"}], {"context": {
                "default_state": "cleared",
                "default_certificate_code": "FORGEDFORGEDFORGED",
                "default_certified_name": "Forged Name"}})
        self.assertIsNone(result)
        self.assertTrue(error)
        self.assertFalse(Request.search([
            ("partner_id", "=", self.student.partner_id.id)]))
        self.assertFalse(Request.search([
            ("certificate_code", "=", "FORGEDFORGEDFORGED")]))
        # the student's plain request works, and submitting it with a
        # forged default leaves the steps and the mails alone
        result, error = self.call_kw("clearance.request", "create", [{
            "partner_id": self.student.partner_id.id,
            "reason": "withdrawal"}])
        self.assertFalse(error, error)
        request = Request.browse(result)
        self.assertEqual(request.state, "draft")
        result, error = self.call_kw(
            "clearance.request", "action_submit", [request.ids],
            {"context": {"default_state": "done"}})
        self.assertFalse(error, error)
        request.invalidate_cache()
        self.assertEqual(request.state, "progress")
        # the student's own step only, as without the forged default
        self.assertEqual(request.line_ids.mapped("state").count("done"), 1)
        self.assertEqual(request.current_line_id.state, "current")
        mails = self.env["mail.mail"].search([
            ("model", "=", "clearance.request"), ("res_id", "=", request.id)])
        self.assertTrue(mails)
        self.assertNotIn("done", mails.mapped("state"))

    def test_bad_values_on_clearance_models_get_a_clear_error(self):
        kharazmi_group = self.env.ref(
            "clearance_request.group_office_library_kharazmi")
        Loan = self.env["clearance.library.loan"]
        count = Loan.search_count([])
        self.login(self.kharazmi)
        base = {"partner_id": self.student.partner_id.id,
                "group_id": kharazmi_group.id, "book_title": "Calculus",
                "date_out": "2026-01-10"}
        for bad in ({"book_title": "Calc\x00ulus"},
                    {"book_title": {"title": "Calculus"}},
                    {"date_out": "2026-02-30"},
                    {"date_out": "10/01/2026"},
                    {"group_id": [kharazmi_group.id]}):
            self.assert_refused(self.call_kw(
                "clearance.library.loan", "create", [dict(base, **bad)]),
                error="UserError")
        self.assertEqual(Loan.search_count([]), count)
        self.assert_refused(self.call_kw(
            "clearance.library.loan", "search_count",
            [[("date_out", ">", "1404-13-01")]]), error="UserError")
        # a student's request with a NUL inside its values
        self.allow_portal_rpc("clearance.request", "create")
        self.login(self.student)
        self.assert_refused(self.call_kw("clearance.request", "create", [{
            "partner_id": self.student.partner_id.id, "reason": "withdrawal",
            "student_note": "note\x00"}]), error="UserError")
        self.assert_refused(self.call_kw("clearance.request", "create", [{
            "partner_id": self.student.partner_id.id,
            "reason": {"why": "withdrawal"}}]), error="UserError")
        self.assertFalse(self.env["clearance.request"].search([
            ("partner_id", "=", self.student.partner_id.id)]))
