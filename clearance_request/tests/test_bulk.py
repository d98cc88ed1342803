"""Bulk clearing: an officer forwards (or holds for a visit) many requests of
the queue through one confirmation; each request gets its own step and
chatter line, and those that cannot move are listed with the reason."""
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError

from .common import ClearanceCase, make_officer


class TestBulkClearing(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the workflow as installed: no automatic check clears a stage
        cls.env["clearance.stage"].search([]).write({"check_active": False})
        cls.department = cls.officers["department"]
        cls.department_2 = make_officer(
            cls.env, "t.officer.department.2",
            "clearance_request.group_office_department")

    def students(self, count, prefix):
        Partner = self.env["res.partner"]
        return Partner.concat(*[Partner.create({
            "name": "Bulk Student %s" % number,
            "student_number": "%s%04d" % (prefix, number),
            "student_shift": "day", "lang": "en_US"})
            for number in range(count)])

    def requests_at_department(self, count, prefix="93"):
        """Submitted requests of `count` students, waiting at the department."""
        Request = self.Request.sudo(self.manager)
        requests = Request.concat(*[
            Request.create({"partner_id": partner.id, "reason": "withdrawal"})
            for partner in self.students(count, prefix)])
        requests.action_submit()
        return requests

    def wizard(self, user, requests, **values):
        Wizard = self.env["clearance.bulk.action"].sudo(user).with_context(
            active_model="clearance.request", active_ids=requests.ids)
        values = dict(Wizard.default_get(list(Wizard._fields)), **values)
        return Wizard.create(values)

    def step_messages(self, request):
        return request.sudo().message_ids.filtered(lambda m: m.tracking_value_ids)

    def test_bulk_forward_of_200_with_3_that_cannot_move(self):
        requests = self.requests_at_department(200)
        no_card, taken, elsewhere = requests[:3]
        # the department fills the forms, all but one
        (requests - no_card).mapped("current_line_id").sudo(
            self.department).write({"card_received": True})
        # one request had left the department before the officer selected
        elsewhere.sudo(self.department).action_forward()
        before = {r.id: len(self.step_messages(r)) for r in requests}
        wizard = self.wizard(self.department, requests)
        # the one that left is not in the list, and the wizard says so
        self.assertEqual(len(wizard.line_ids), 199)
        self.assertNotIn(elsewhere, wizard.line_ids.mapped("request_id"))
        self.assertIn(elsewhere.name, wizard.left_out)
        self.assertIn("Not waiting for your office", wizard.left_out)
        # ... and another officer acts on one while the wizard is open
        taken.sudo(self.department_2).action_forward()
        taken_steps = len(self.step_messages(taken))
        result = wizard.action_confirm()
        self.assertEqual(result["res_id"], wizard.id)
        self.assertEqual((wizard.state, wizard.done_count, wizard.refused_count),
                         ("done", 197, 2))
        reasons = {line.request_id: line.reason for line in wizard.line_ids
                   if line.result == "refused"}
        self.assertEqual(set(reasons), {no_card, taken})
        self.assertIn("the student card has not been handed in", reasons[no_card])
        self.assertIn("Another officer acted first", reasons[taken])
        self.assertIn("Kharazmi Library", reasons[taken])
        # the refused ones are as they were
        requests.invalidate_cache()
        self.assertEqual(no_card.stage_id, self.stages["department"])
        self.assertEqual(len(self.step_messages(no_card)), before[no_card.id])
        self.assertEqual(len(self.step_messages(taken)), taken_steps)
        self.assertEqual(taken.line_ids.filtered(
            lambda l: l.stage_id == self.stages["department"]).officer_id,
            self.department_2)
        self.assertEqual(elsewhere.stage_id, self.stages["library_kharazmi"])
        # the others moved, each with its own step and chatter line
        moved = requests - no_card - taken - elsewhere
        self.assertEqual(set(moved.mapped("stage_id")),
                         {self.stages["library_kharazmi"]})
        for request in moved:
            step = request.line_ids.filtered(
                lambda l: l.stage_id == self.stages["department"])
            self.assertEqual((step.state, step.decision, step.officer_id),
                             ("done", "forwarded", self.department))
            messages = self.step_messages(request)
            self.assertEqual(len(messages), before[request.id] + 1)
            self.assertEqual(messages[0].author_id, self.department.partner_id)
            self.assertEqual(messages[0].subtype_id, self.env.ref(
                "clearance_request.mt_request_stage"))
        self.assertTodosFor(moved, "library_kharazmi")
        with self.assertRaises(UserError):
            wizard.action_confirm()

    def test_a_request_failing_midway_leaves_nothing_behind(self):
        """A request fails after its office's step and its move were written
        (the next stage's automatic check breaks): that request is as it
        was, the others moved."""
        requests = self.requests_at_department(3, prefix="97")
        requests.mapped("current_line_id").sudo(self.department).write(
            {"card_received": True})
        refused = requests[1]
        self.stages["library_kharazmi"].check_active = True
        Stage = type(self.env["clearance.stage"])
        original = Stage._auto_check_library_loans

        def check(stage, request):
            if request.partner_id == refused.partner_id:
                raise UserError(  # pylint: disable=translation-required
                    "The library catalogue does not answer.")
            return original(stage, request)

        before = len(self.step_messages(refused))
        wizard = self.wizard(self.department, requests)
        with patch.object(Stage, "_auto_check_library_loans", check):
            wizard.action_confirm()
        self.assertEqual((wizard.done_count, wizard.refused_count), (2, 1))
        line = wizard.line_ids.filtered(lambda l: l.result == "refused")
        self.assertEqual(line.request_id, refused)
        self.assertEqual(line.reason, "The library catalogue does not answer.")
        requests.invalidate_cache()
        self.assertEqual(refused.stage_id, self.stages["department"])
        steps = refused.line_ids.filtered(lambda l: l.kind != "create")
        self.assertEqual((steps[0].state, steps[0].officer_id.id),
                         ("current", False))
        self.assertEqual(steps[1].state, "waiting")
        self.assertEqual(len(self.step_messages(refused)), before)
        self.assertEqual(set((requests - refused).mapped("stage_id")),
                         {self.stages["library_shirazi"]})

    def test_bulk_visit_with_one_instruction_text(self):
        kharazmi = self.officers["library_kharazmi"]
        requests = self.requests_at_department(3, prefix="94")
        requests.mapped("current_line_id").sudo(self.department).write(
            {"card_received": True})
        for request in requests:
            request.sudo(self.department).action_forward()
        stranger = self.requests_at_department(1, prefix="95")
        wizard = self.wizard(kharazmi, requests | stranger, action="hold",
                             instructions="Bring your library card.")
        # the request the library may not read is left out, unnamed
        self.assertEqual(wizard.line_ids.mapped("request_id"), requests)
        self.assertNotIn(stranger.name, wizard.left_out)
        self.assertIn("1 selected requests that you may not read",
                      wizard.left_out)
        wizard.action_confirm()
        self.assertEqual((wizard.done_count, wizard.refused_count), (3, 0))
        for request in requests:
            self.assertEqual(request.state, "hold")
            self.assertEqual(request.current_line_id.visit_instructions,
                             "Bring your library card.")
            told = request.sudo().message_ids.filtered(
                lambda m: m.subtype_id == self.env.ref(
                    "clearance_request.mt_request_hold"))
            self.assertEqual(len(told), 1)
            self.assertIn("Bring your library card.", told.body)
        self.assertEqual(stranger.state, "progress")

    def test_a_visit_needs_instructions_and_changes_nothing_without(self):
        requests = self.requests_at_department(2, prefix="96")
        requests.mapped("current_line_id").sudo(self.department).write(
            {"card_received": True})
        for request in requests:
            request.sudo(self.department).action_forward()
        wizard = self.wizard(self.officers["library_kharazmi"], requests,
                             action="hold", instructions="   ")
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(set(requests.mapped("state")), {"progress"})
        self.assertEqual(wizard.state, "draft")
        self.assertFalse(wizard.line_ids.filtered("result"))

    def test_a_student_cannot_forward_in_bulk(self):
        request = self.new_request()
        with self.assertRaises(AccessError):
            self.wizard(self.student_day, request)
        self.assertEqual(request.stage_id, self.stages["department"])
        self.assertFalse(self.env["clearance.bulk.action.line"].search(
            [("request_id", "=", request.id)]))

    # issue #21 -----------------------------------------------------------
    def test_lines_accept_only_requests_the_officer_may_act_on(self):
        """Refused before anything is stored (and read back): a request
        that moved on, one the officer may not read, a foreign wizard."""
        mine, moved = self.requests_at_department(2, prefix="81")
        self.fill_form(moved)
        moved.sudo(self.department).action_forward()
        stranger = self.new_request(self.student_other)
        kharazmi = self.officers["library_kharazmi"]
        Line = self.env["clearance.bulk.action.line"]
        wizard = self.env["clearance.bulk.action"].sudo(kharazmi).create({})
        # read by the library (it cleared nothing yet, the request left the
        # department for it): it may act on `moved`, not on the others
        with self.assertRaises(AccessError) as caught:
            Line.sudo(kharazmi).create({
                "wizard_id": wizard.id, "request_id": stranger.id})
        self.assertNotIn(stranger.name, caught.exception.name)
        self.assertIn("you may not read this one", caught.exception.name)
        department_wizard = self.env["clearance.bulk.action"].sudo(
            self.department).create({})
        with self.assertRaises(AccessError) as caught:
            Line.sudo(self.department).create({
                "wizard_id": department_wizard.id, "request_id": moved.id})
        self.assertIn("%s is not waiting for your office" % moved.name,
                      caught.exception.name)
        # nor through the wizard's lines, nor by writing a line
        with self.assertRaises(AccessError):
            department_wizard.write({"line_ids": [(0, 0, {
                "request_id": moved.id})]})
        line = Line.sudo(self.department).create({
            "wizard_id": department_wizard.id, "request_id": mine.id,
            "expected_line_id": mine.current_line_id.id})
        with self.assertRaises(AccessError):
            line.write({"request_id": moved.id})
        # a step of another request as the one expected
        with self.assertRaises(AccessError):
            line.write({"expected_line_id": moved.current_line_id.id})
        # a line slipped into another officer's wizard
        with self.assertRaises(AccessError):
            Line.sudo(kharazmi).create({
                "wizard_id": department_wizard.id, "request_id": moved.id})
        self.assertEqual(
            Line.search([("request_id", "in", (moved | stranger).ids)]),
            Line.browse())
        self.assertEqual(department_wizard.line_ids, line)

    def test_bulk_forward_by_an_office_of_a_parallel_group(self):
        """Issue #25: an office of a parallel group that is not the
        request's current step forwards in bulk; its own step is the one
        expected, which the other offices' decisions do not move."""
        libraries = ["library_kharazmi", "library_shirazi",
                     "library_mullasadra"]
        for key in libraries:
            self.stages[key].sudo(self.manager).parallel_group = "libraries"
        requests = self.requests_at_department(2, prefix="82")
        for request in requests:
            self.forward(request)
        self.assertEqual(set(requests.mapped("stage_id")),
                         {self.stages["library_kharazmi"]})
        shirazi = self.officers["library_shirazi"]
        wizard = self.wizard(shirazi, requests)
        self.assertEqual(len(wizard.line_ids), 2)
        # the first library decides on one while the wizard is open
        requests[0].sudo(self.officers["library_kharazmi"]).action_forward()
        wizard.action_confirm()
        self.assertEqual((wizard.done_count, wizard.refused_count), (2, 0),
                         wizard.line_ids.mapped("reason"))
        for request in requests:
            step = request.line_ids.filtered(
                lambda l: l.stage_id == self.stages["library_shirazi"])
            self.assertEqual((step.state, step.officer_id),
                             ("done", shirazi))
