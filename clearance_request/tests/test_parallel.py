"""Parallel offices: stages that share a parallel group act at the same time,
in any order; the next stage starts when all of them are done."""
import re

from odoo.exceptions import AccessError, UserError

from .common import ClearanceCase
from .test_portal import PortalCase

LIBRARIES = ["library_kharazmi", "library_shirazi", "library_mullasadra"]


class TestParallel(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a manager puts the three libraries in one parallel group
        for key in LIBRARIES:
            cls.stages[key].sudo(cls.manager).parallel_group = "libraries"

    def line_of(self, request, office):
        return request.line_ids.filtered(
            lambda l: l.stage_id == self.stages[office])

    def at_libraries(self, student=None):
        request = self.new_request(student)
        self.forward(request)  # the department
        return request

    def assert_group_open(self, request, offices):
        request.invalidate_cache()
        self.assertIn(request.stage_id,
                      [self.stages[key] for key in offices])
        for key in offices:
            self.assertEqual(self.line_of(request, key).state, "current")
            as_officer = request.sudo(self.officers[key])
            self.assertTrue(as_officer.is_my_turn)
            self.assertIn(request, self.Request.sudo(
                self.officers[key]).search([("is_my_turn", "=", True)]))
        # the next stage waits for the whole group
        with self.assertRaises(AccessError):
            request.sudo(self.officers["counselling"]).action_forward()
        self.assertNotIn(request, self.Request.sudo(
            self.officers["counselling"]).search([("is_my_turn", "=", True)]))

    def run_in_order(self, order):
        request = self.at_libraries()
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        # all three libraries at once, each with its to-do
        self.assert_group_open(request, LIBRARIES)
        todo_users = request.sudo().activity_ids.mapped("user_id")
        for key in LIBRARIES:
            self.assertIn(self.officers[key], todo_users)
        self.assertNotIn(self.officers["counselling"], todo_users)
        done = []
        for key in order:
            request.sudo(self.officers[key]).action_forward()
            done.append(key)
            request.invalidate_cache()
            line = self.line_of(request, key)
            self.assertEqual(line.state, "done")
            self.assertEqual(line.officer_id, self.officers[key])
            left = [k for k in LIBRARIES if k not in done]
            todo_users = request.sudo().activity_ids.mapped("user_id")
            self.assertNotIn(self.officers[key], todo_users)
            if left:
                self.assertEqual(request.state, "progress")
                self.assert_group_open(request, left)
                for other in left:
                    self.assertIn(self.officers[other], todo_users)
        # the last one sends it on
        self.assertEqual(request.stage_id, self.stages["counselling"])
        todo_users = request.sudo().activity_ids.mapped("user_id")
        self.assertIn(self.officers["counselling"], todo_users)
        for key in LIBRARIES:
            self.assertNotIn(self.officers[key], todo_users)
        self.forward(request)
        self.assertEqual(request.stage_id, self.stages["nutrition"])
        return request

    def test_group_in_one_order(self):
        self.run_in_order(
            ["library_shirazi", "library_mullasadra", "library_kharazmi"])

    def test_group_in_another_order(self):
        request = self.run_in_order(
            ["library_kharazmi", "library_mullasadra", "library_shirazi"])
        # the route runs to the end
        while request.state == "progress":
            self.forward(request)
        self.assertEqual(request.state, "cleared")

    def test_an_office_of_the_group_cannot_act_twice(self):
        request = self.at_libraries()
        shirazi = request.sudo(self.officers["library_shirazi"])
        shirazi.action_forward()
        with self.assertRaises(AccessError):
            shirazi.action_forward()
        with self.assertRaises(AccessError):
            shirazi.return_to_student("Again")
        with self.assertRaises(AccessError):
            shirazi.write({"cur_note": "after the fact"})
        self.assertFalse(shirazi.is_my_turn)
        # it still reads the request it handled
        self.assertEqual(shirazi.read(["name"])[0]["name"], request.name)
        request.invalidate_cache()
        self.assertEqual(self.line_of(request, "library_shirazi").decision,
                         "forwarded")
        self.assert_group_open(request, ["library_kharazmi",
                                         "library_mullasadra"])

    def test_each_office_reads_and_fills_its_own_step(self):
        request = self.at_libraries()
        mullasadra = request.sudo(self.officers["library_mullasadra"])
        # not the current step of the request, yet its office reads it ...
        self.assertNotEqual(request.stage_id,
                            self.stages["library_mullasadra"])
        self.assertEqual(mullasadra.read(["name"])[0]["name"], request.name)
        # ... sees its own step in the stage form and fills it
        self.assertEqual(mullasadra.acting_line_id,
                         self.line_of(request, "library_mullasadra"))
        mullasadra.write({"cur_note": "No books out"})
        request.invalidate_cache()
        self.assertEqual(self.line_of(request, "library_mullasadra").note,
                         "No books out")
        self.assertFalse(self.line_of(request, "library_kharazmi").note)
        # but not another office's step of the group
        with self.assertRaises(AccessError):
            self.line_of(request, "library_kharazmi").sudo(
                self.officers["library_mullasadra"]).write({"note": "x"})
        # the form shows the offices at work together
        self.assertEqual(
            mullasadra.parallel_stage_ids,
            self.stages["library_kharazmi"] | self.stages["library_shirazi"]
            | self.stages["library_mullasadra"])

    def test_another_offices_decision_leaves_my_form_valid(self):
        """The form's buttons send the step the officer saw: their own."""
        request = self.at_libraries()
        mine = self.line_of(request, "library_mullasadra")
        mullasadra = request.sudo(self.officers["library_mullasadra"])
        self.assertEqual(mullasadra.acting_line_id, mine)
        self.assertEqual(mullasadra.acting_line_state, "current")
        kharazmi = self.line_of(request, "library_kharazmi")
        request.sudo(self.officers["library_kharazmi"]).with_context(
            clearance_expected_line_id=kharazmi.id).action_forward()
        request.invalidate_cache()
        self.assertNotEqual(request.current_line_id, mine)
        mullasadra.with_context(
            clearance_expected_line_id=mine.id).action_forward()
        request.invalidate_cache()
        self.assertEqual(mine.state, "done")
        # a form showing a step that is no longer the user's is refused
        with self.assertRaisesRegex(UserError, "moved on"):
            request.sudo(self.manager).with_context(
                clearance_expected_line_id=mine.id).action_forward()

    def test_a_visit_hold_is_per_office(self):
        request = self.at_libraries()
        kharazmi = request.sudo(self.officers["library_kharazmi"])
        shirazi = request.sudo(self.officers["library_shirazi"])
        shirazi.hold_for_visit("Bring the borrowed atlas.")
        request.invalidate_cache()
        self.assertEqual(request.state, "hold")
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])
        self.assertEqual(self.line_of(request, "library_shirazi").state,
                         "hold")
        # the other libraries go on meanwhile, and may ask for a visit too
        kharazmi.action_forward()
        request.sudo(self.officers["library_mullasadra"]).hold_for_visit(
            "Pay the late fee at the desk.")
        request.invalidate_cache()
        self.assertEqual(request.state, "hold")
        with self.assertRaises(UserError):
            shirazi.hold_for_visit("Twice")
        # after the visits, the offices send it on; the group ends with them
        shirazi.action_forward()
        request.invalidate_cache()
        self.assertEqual(request.state, "hold")
        self.assertEqual(request.stage_id, self.stages["library_mullasadra"])
        with self.assertRaises(AccessError):
            request.sudo(self.officers["counselling"]).action_forward()
        request.sudo(self.officers["library_mullasadra"]).action_forward()
        request.invalidate_cache()
        self.assertEqual(request.state, "progress")
        self.assertEqual(request.stage_id, self.stages["counselling"])

    def test_a_return_pauses_the_whole_group(self):
        request = self.at_libraries()
        request.sudo(self.officers["library_mullasadra"]).return_to_student(
            "Write your library card number.")
        request.invalidate_cache()
        self.assertEqual(request.state, "returned")
        self.assertEqual(request.stage_id,
                         self.stages["library_mullasadra"])
        for key in LIBRARIES:
            with self.assertRaises(UserError):
                request.sudo(self.officers[key]).action_forward()
            self.assertFalse(request.sudo(self.officers[key]).is_my_turn)
        request.sudo(self.student_day).resubmit(note="Card 1234")
        request.invalidate_cache()
        self.assertEqual(request.state, "progress")
        self.assert_group_open(request, LIBRARIES)
        for key in LIBRARIES:
            request.sudo(self.officers[key]).action_forward()
        request.invalidate_cache()
        self.assertEqual(request.stage_id, self.stages["counselling"])

    def test_route_keeps_the_group_it_was_built_with(self):
        request = self.at_libraries()
        # the manager ends the group while a request is in it
        for key in LIBRARIES:
            self.stages[key].sudo(self.manager).parallel_group = False
        for key in LIBRARIES:
            request.sudo(self.officers[key]).action_forward()
        request.invalidate_cache()
        self.assertEqual(request.stage_id, self.stages["counselling"])
        # a new request follows the notice's order again
        other = self.at_libraries(self.student_other)
        self.assertEqual(self.line_of(other, "library_shirazi").state,
                         "waiting")

    def test_portal_tracker_shows_the_offices_at_work(self):
        request = self.at_libraries()
        request.sudo(self.officers["library_shirazi"]).action_forward()
        lines = request.sudo(self.student_day).line_ids
        states = {line.stage_id: line.state for line in lines}
        self.assertEqual(states[self.stages["library_kharazmi"]], "current")
        self.assertEqual(states[self.stages["library_shirazi"]], "done")
        self.assertEqual(states[self.stages["library_mullasadra"]], "current")


class TestSequentialUnchanged(ClearanceCase):
    """The seeded configuration keeps the notice's order."""

    def test_the_seeded_configuration_is_sequential(self):
        self.assertFalse(self.env["clearance.stage"].with_context(
            active_test=False).search([("parallel_group", "!=", False)]))
        request = self.new_request()
        self.forward(request)
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        shirazi = request.line_ids.filtered(
            lambda l: l.stage_id == self.stages["library_shirazi"])
        self.assertEqual(shirazi.state, "waiting")
        with self.assertRaises(AccessError):
            request.sudo(self.officers["library_shirazi"]).action_forward()
        self.assertFalse(self.Request.sudo(
            self.officers["library_shirazi"]).search([("id", "=", request.id)]))
        todo_users = request.sudo().activity_ids.mapped("user_id")
        self.assertIn(self.officers["library_kharazmi"], todo_users)
        self.assertNotIn(self.officers["library_shirazi"], todo_users)
        self.assertFalse(request.parallel_stage_ids)
        self.forward(request)
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])


class TestParallelPortal(PortalCase):
    """The student's tracker shows every office of the group at work."""

    def test_tracker_shows_the_offices_of_the_group(self):
        for key in LIBRARIES:
            self.env.ref("clearance_request.stage_%s" % key).parallel_group = \
                "libraries"
        record = self.forward(self.new_request())
        record.sudo(self.kharazmi).action_forward()
        record.invalidate_cache()
        self.login(self.student)
        page = self.tracker(record).text
        steps = re.findall(r"o_clearance_step o_clearance_step_(\w+)\"", page)
        self.assertEqual(steps[:6], [
            "done", "done", "done", "current", "current", "waiting"])
        self.assertEqual(page.count("At this office now"), 2)
        for key in ("library_shirazi", "library_mullasadra"):
            self.assertIn(self.env.ref(
                "clearance_request.stage_%s" % key).name, page)
