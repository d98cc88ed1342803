from odoo import models
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import OFFICES, ClearanceCase


class TestWorkflow(ClearanceCase):

    def test_submit_sends_to_the_department(self):
        request = self.new_request(submit=False)
        self.assertEqual(request.state, "draft")
        self.assertTrue(request.name.startswith("CLR/"))
        request.sudo(self.student_day).action_submit()
        self.assertEqual(request.state, "progress")
        self.assertEqual(request.stage_id, self.stages["department"])
        self.assertTrue(request.submit_date)
        create_line = request.line_ids.filtered(lambda l: l.kind == "create")
        self.assertEqual(create_line.state, "done")
        self.assertEqual(create_line.officer_id, self.student_day)
        self.assertEqual(request.current_line_id.stage_id,
                         self.stages["department"])
        with self.assertRaises(UserError):
            request.sudo(self.student_day).action_submit()

    def test_day_student_route_skips_second_shift_accounting(self):
        request = self.new_request(self.student_day)
        route = request.line_ids.mapped("stage_id")
        self.assertNotIn(self.stages["second_shift_accounting"], route)
        self.assertEqual(len(route), 10)
        visited = []
        while request.state == "progress":
            visited.append(self.office_of(request))
            self.forward(request)
        self.assertEqual(visited, OFFICES[:-1])
        self.assertEqual(request.state, "cleared")
        self.assertTrue(request.clear_date)
        self.assertFalse(request.current_line_id)
        office_lines = request.line_ids.filtered(lambda l: l.kind != "create")
        self.assertEqual(set(office_lines.mapped("state")), {"done"})
        for line in office_lines:
            self.assertEqual(line.officer_id,
                             self.officers[OFFICES[visited.index(
                                 self.office_of_stage(line.stage_id))]])
            self.assertEqual(line.decision, "forwarded")
            self.assertTrue(line.date_done)

    def office_of_stage(self, stage):
        return next(k for k, s in self.stages.items() if s == stage)

    def test_second_shift_student_passes_stage_eleven(self):
        request = self.new_request(self.student_second)
        self.assertEqual(len(request.line_ids), 11)
        self.advance_to(request, "second_shift_accounting")
        self.assertEqual(request.state, "progress")
        self.forward(request)
        self.assertEqual(request.state, "cleared")

    def test_stage_condition_is_data(self):
        """An admin makes stage 11 apply to everyone and archives a library."""
        self.stages["second_shift_accounting"].condition = "[]"
        self.stages["library_shirazi"].active = False
        request = self.new_request(self.student_day)
        route = request.line_ids.mapped("stage_id")
        self.assertIn(self.stages["second_shift_accounting"], route)
        self.assertNotIn(self.stages["library_shirazi"], route)
        with self.assertRaises(ValidationError):
            self.stages["nutrition"].condition = "[('no_such_field', '=', 1)]"

    def test_a_twelfth_office_is_data(self):
        group = self.env["res.groups"].create({
            "name": "Sports Office",
            "category_id": self.env.ref(
                "clearance_request.module_category_clearance_offices").id,
            "implied_ids": [(4, self.env.ref(
                "clearance_request.group_clearance_officer").id)]})
        stage = self.env["clearance.stage"].create({
            "name": "Review by the Sports Office", "sequence": 75,
            "kind": "review", "group_id": group.id, "allow_hold": True})
        sports = self.env["res.users"].with_context(
            no_reset_password=True).create({
                "name": "Sports", "login": "t.sports",
                "email": "sports@staff.test",
                "groups_id": [(6, 0, [group.id])]})
        request = self.new_request()
        self.advance_to(request, "nutrition")
        self.forward(request)
        self.assertEqual(request.stage_id, stage)
        with self.assertRaises(AccessError):
            request.sudo(self.officers["student_accounting"]).action_forward()
        request.sudo(sports).action_forward()
        self.assertEqual(request.stage_id, self.stages["student_accounting"])

    def test_office_stage_needs_a_group(self):
        with self.assertRaises(ValidationError):
            self.env["clearance.stage"].create({
                "name": "Nobody's stage", "kind": "review"})

    # stage forms --------------------------------------------------------
    def test_card_must_be_handed_in(self):
        request = self.new_request()
        officer = self.officers["department"]
        with self.assertRaisesRegex(UserError, "student card"):
            request.sudo(officer).action_forward()
        self.assertEqual(request.stage_id, self.stages["department"])
        request.sudo(officer).write({"cur_card_received": True})
        request.sudo(officer).action_forward()
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        self.assertTrue(request.line_ids.filtered(
            lambda l: l.kind == "card").card_received)

    def test_debt_form(self):
        request = self.advance_to(self.new_request(), "dormitories")
        officer = self.officers["dormitories"]
        as_officer = request.sudo(officer)
        with self.assertRaisesRegex(UserError, "debt status"):
            as_officer.action_forward()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            as_officer.write({"cur_debt_amount": -5})
        request.invalidate_cache()
        self.assertEqual(request.cur_debt_amount, 0)
        as_officer.write({"cur_debt_status": "outstanding",
                          "cur_debt_amount": 1500000})
        with self.assertRaisesRegex(UserError, "outstanding debt"):
            as_officer.action_forward()
        as_officer.write({"cur_debt_status": "settled", "cur_debt_amount": 0})
        with self.assertRaisesRegex(UserError, "amount"):
            as_officer.action_forward()
        as_officer.write({"cur_debt_amount": 1500000})
        as_officer.action_forward()
        self.assertEqual(request.stage_id, self.stages["welfare"])
        line = request.line_ids.filtered(lambda l: l.kind == "debt")
        self.assertEqual((line.debt_status, line.debt_amount),
                         ("settled", 1500000))

    def test_installments_form(self):
        request = self.advance_to(self.new_request(), "welfare")
        as_officer = request.sudo(self.officers["welfare"])
        as_officer.write({"cur_debt_status": "none", "cur_has_loan": True})
        with self.assertRaisesRegex(UserError, "instalments"):
            as_officer.action_forward()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            as_officer.write({"cur_installment_start": "2026-09-01",
                              "cur_installment_end": "2026-03-01"})
        request.invalidate_cache()
        self.assertFalse(request.cur_installment_start)
        as_officer.write({"cur_installment_start": "2026-03-01",
                          "cur_installment_end": "2028-03-01"})
        as_officer.action_forward()
        self.assertEqual(request.state, "cleared")

    # hold, return, cancel ------------------------------------------------
    def test_in_person_visit_holds_at_the_stage(self):
        request = self.advance_to(self.new_request(), "library_kharazmi")
        officer = self.officers["library_kharazmi"]
        as_officer = request.sudo(officer)
        as_officer.write({"cur_visit_required": True})
        with self.assertRaisesRegex(UserError, "Initial approval"):
            as_officer.action_forward()
        with self.assertRaisesRegex(UserError, "instructions"):
            as_officer.hold_for_visit()
        as_officer.write({"cur_visit_instructions": "Return two books."})
        messages_before = len(request.message_ids)
        as_officer.hold_for_visit()
        request.invalidate_cache()
        self.assertEqual(request.state, "hold")
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        self.assertEqual(request.current_line_id.decision, "visit")
        told = request.message_ids[:len(request.message_ids) - messages_before]
        student_msgs = told.filtered(
            lambda m: self.student_day.partner_id in m.partner_ids)
        self.assertTrue(student_msgs, "the student is told")
        self.assertIn("Return two books.", student_msgs[0].body)
        with self.assertRaises(UserError):
            as_officer.hold_for_visit()
        # the student came: the officer sends the request on
        as_officer.action_forward()
        self.assertEqual(request.state, "progress")
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])

    def test_hold_only_where_the_stage_allows_it(self):
        request = self.new_request()
        as_officer = request.sudo(self.officers["department"])
        with self.assertRaisesRegex(UserError, "in person"):
            as_officer.hold_for_visit("Come over")
        self.assertEqual(request.state, "progress")

    def test_return_and_resubmit_resumes_at_the_same_stage(self):
        request = self.advance_to(self.new_request(), "counselling")
        as_officer = request.sudo(self.officers["counselling"])
        with self.assertRaisesRegex(UserError, "reason"):
            as_officer.return_to_student()
        as_officer.return_to_student("The reason does not match your file.")
        self.assertEqual(request.state, "returned")
        with self.assertRaises(UserError):
            as_officer.action_forward()
        with self.assertRaises(AccessError):
            request.sudo(self.student_other).resubmit()
        request.sudo(self.student_day).resubmit(
            note="Corrected", reason="expulsion")
        self.assertEqual(request.state, "progress")
        self.assertEqual(request.reason, "expulsion")
        self.assertEqual(request.stage_id, self.stages["counselling"])
        self.assertEqual(request.current_line_id.state, "current")
        self.forward(request)
        self.assertEqual(request.stage_id, self.stages["nutrition"])

    def test_cancel_and_reopen(self):
        request = self.advance_to(self.new_request(), "library_shirazi")
        with self.assertRaises(AccessError):
            request.sudo(self.student_other).action_cancel()
        request.sudo(self.student_day).action_cancel()
        self.assertEqual(request.state, "cancelled")
        with self.assertRaisesRegex(UserError, "nothing more"):
            self.forward(request)
        with self.assertRaises(AccessError):
            request.sudo(self.student_day).action_reopen()
        with self.assertRaises(AccessError):
            request.sudo(self.officers["library_shirazi"]).action_reopen()
        request.sudo(self.manager).action_reopen()
        self.assertEqual(request.state, "progress")
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])
        self.forward(request)
        self.assertEqual(request.stage_id, self.stages["library_mullasadra"])

    def test_cleared_request_is_closed(self):
        request = self.new_request()
        while request.state == "progress":
            self.forward(request)
        for action in ("action_forward", "hold_for_visit", "return_to_student"):
            with self.assertRaises(UserError):
                getattr(request.sudo(self.manager), action)()
        with self.assertRaises(UserError):
            request.sudo(self.student_day).action_cancel()
        with self.assertRaises(UserError):
            request.sudo(self.manager).unlink()

    def test_one_open_request_per_student(self):
        first = self.new_request()
        with self.assertRaisesRegex(ValidationError, "open clearance request"):
            self.new_request()
        first.sudo(self.student_day).action_cancel()
        second = self.new_request()
        self.assertEqual(second.state, "progress")
        with self.assertRaises(ValidationError):
            first.sudo(self.manager).action_reopen()

    def test_only_students_ask_for_clearance(self):
        with self.assertRaisesRegex(ValidationError, "student number"):
            self.Request.sudo(self.manager).create({
                "partner_id": self.manager.partner_id.id, "reason": "withdrawal"})

    # no skipping ------------------------------------------------------
    def test_workflow_fields_cannot_be_written_directly(self):
        request = self.new_request()
        officer = self.officers["department"]
        for user in (officer, self.manager, self.student_day):
            for vals in ({"stage_id": self.stages["welfare"].id},
                         {"state": "cleared"},
                         {"line_ids": [(2, request.line_ids[0].id)]},
                         {"handled_group_ids": [(4, self.env.ref(
                             "clearance_request.group_office_welfare").id)]}):
                with self.assertRaises(AccessError):
                    request.sudo(user).write(vals)
        line = request.current_line_id
        with self.assertRaises(AccessError):
            line.sudo(officer).write({"state": "done"})
        with self.assertRaises(AccessError):
            line.sudo(officer).write({"officer_id": officer.id})
        request.invalidate_cache()
        self.assertEqual(request.stage_id, self.stages["department"])
        self.assertEqual(request.state, "progress")

    def test_superuser_writes_no_workflow_field_either(self):
        """One way past the guard, the workflow's transition: the superuser
        (data files, scripts, the admin over RPC) is refused like anyone."""
        request = self.new_request().with_context(lang="en_US")
        line = request.current_line_id
        welfare = self.stages["welfare"]
        for vals in ({"state": "cleared"}, {"stage_id": welfare.id},
                     {"certificate_code": "FORGED"}):
            with self.assertRaisesRegex(AccessError, "clearance actions"):
                request.write(vals)
        with self.assertRaisesRegex(AccessError, "clearance actions"):
            request.create({
                "partner_id": self.student_other.partner_id.id,
                "reason": "withdrawal", "state": "cleared"})
        with self.assertRaisesRegex(AccessError, "clearance actions"):
            line.write({"state": "done"})
        with self.assertRaisesRegex(AccessError, "clearance actions"):
            line.create({
                "request_id": request.id, "stage_id": welfare.id})
        with self.assertRaisesRegex(UserError, "never deleted"):
            line.unlink()
        request.invalidate_cache()
        self.assertEqual(request.state, "progress")
        self.assertEqual(request.stage_id, self.stages["department"])
        self.assertEqual(line.state, "current")
        self.assertFalse(request.certificate_code)
        # the stage form stays the office's (and the manager's) to fill
        request.write({"cur_card_received": True})
        self.assertTrue(line.card_received)

    def test_every_writable_field_is_the_users_or_the_workflows(self):
        """Each field a write can change is either in the model's list of
        workflow fields or one of those a user fills in: a new field must be
        put on one side."""
        Request = self.env["clearance.request"]
        Line = self.env["clearance.request.line"]
        form = {"card_received", "debt_amount", "debt_status", "has_loan",
                "installment_start", "installment_end", "visit_required",
                "visit_instructions", "return_reason", "note"}
        users = {
            Request: {"partner_id", "reason", "student_note"} | {
                name for name, field in Request._fields.items()
                if field.related
                and field.related[0] in ("current_line_id", "acting_line_id")
                and field.related[-1] in form},
            Line: form,
        }
        unlisted = []
        for model, user_fields in users.items():
            self.assertFalse(model._workflow_fields & user_fields)
            for name, field in model._fields.items():
                if name in models.MAGIC_COLUMNS or name in (
                        "display_name", model.CONCURRENCY_CHECK_FIELD) \
                        or name.startswith(
                            ("message_", "activity_", "website_message_")) \
                        or not (field.store or field.inverse):
                    continue
                if name not in model._workflow_fields | user_fields:
                    unlisted.append("%s.%s" % (model._name, name))
        self.assertEqual(unlisted, [])

    def test_chatter_tracks_each_stage_change(self):
        request = self.new_request()
        officer = self.officers["department"]
        self.forward(request)
        tracked = request.sudo().message_ids.filtered(
            lambda m: m.author_id == officer.partner_id
            and m.tracking_value_ids.filtered(
                lambda t: t.field == "stage_id"))
        self.assertTrue(tracked, "the stage change is tracked under the officer")
        value = tracked[0].tracking_value_ids.filtered(
            lambda t: t.field == "stage_id")
        self.assertEqual(value.new_value_char, self.stages["library_kharazmi"].name)

    def test_office_gets_activities_closed_when_it_acts(self):
        colleague = self.officers["department"].copy({
            "login": "t.officer.department.2", "name": "Colleague"})
        request = self.new_request()
        todo = request.sudo().activity_ids
        office = self.env.ref("clearance_request.group_office_department")
        self.assertIn(colleague, office.users)
        self.assertEqual(todo.mapped("user_id"), office.users)
        self.forward(request)
        self.assertEqual(
            request.sudo().activity_ids.mapped("user_id"),
            self.env.ref("clearance_request.group_office_library_kharazmi").users)

    def test_my_queue_is_the_offices_turn(self):
        day = self.new_request(self.student_day)
        second = self.new_request(self.student_second)
        self.forward(second)
        Department = self.Request.sudo(self.officers["department"])
        queue = Department.search([("is_my_turn", "=", True)])
        self.assertIn(day, queue)
        self.assertNotIn(second, queue)
        self.assertEqual(set(queue.mapped("stage_id")), {self.stages["department"]})
        self.assertEqual(queue.mapped("stage_date"), sorted(queue.mapped("stage_date")),
                         queue.read(["name", "stage_date"]))
        Kharazmi = self.Request.sudo(self.officers["library_kharazmi"])
        queue = Kharazmi.search([("is_my_turn", "=", True)])
        self.assertIn(second, queue)
        self.assertNotIn(day, queue)
