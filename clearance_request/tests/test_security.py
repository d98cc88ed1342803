import logging
import threading

import odoo
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import TransactionCase, at_install, post_install

from .common import OFFICES, ClearanceCase, make_student


class Rollback(Exception):
    """Raised inside a savepoint to undo an allowed action after checking it."""


class TestSecurityMatrix(ClearanceCase):
    """Every office × every stage × read / write / forward / hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One second-shift request parked at each office stage.
        cls.parked = {}
        for index, office in enumerate(OFFICES):
            student = make_student(
                cls.env, "93%06d" % index, "Parked %s" % office, shift="second")
            request = cls.Request.sudo(student).create({
                "partner_id": student.partner_id.id, "reason": "withdrawal"})
            request.action_submit()
            request = request.sudo(cls.manager)
            while request.stage_id != cls.stages[office]:
                current = next(k for k, s in cls.stages.items()
                               if s == request.stage_id)
                officer = cls.officers[current]
                kind = request.current_line_id.kind
                as_officer = request.sudo(officer)
                if kind == "card":
                    as_officer.write({"cur_card_received": True})
                elif kind in ("debt", "installments"):
                    as_officer.write({"cur_debt_status": "none"})
                as_officer.action_forward()
                request.invalidate_cache()
            cls.parked[office] = request

    def allowed(self, action):
        """True if `action` runs without an access or workflow refusal."""
        self.env["clearance.request"].invalidate_cache()
        try:
            with self.env.cr.savepoint():
                action()
                raise Rollback()
        except Rollback:
            return True
        except (AccessError, UserError):
            return False
        finally:
            self.env["clearance.request"].invalidate_cache()

    def test_matrix(self):
        mismatches = []
        for stage_index, stage_office in enumerate(OFFICES):
            request = self.parked[stage_office]
            for user_index, user_office in enumerate(OFFICES):
                officer = self.officers[user_office]
                mine = user_office == stage_office
                handled = user_index < stage_index
                as_officer = request.sudo(officer)
                expected = {
                    "read": mine or handled,
                    "search": mine or handled,
                    "write": mine,
                    "write_line": mine,
                    "forward": mine,
                    "hold": mine and self.stages[stage_office].allow_hold,
                    "return": mine,
                }
                got = {
                    "read": self.allowed(lambda: as_officer.read(["name", "stage_id"])),
                    "search": bool(self.Request.sudo(officer).search(
                        [("id", "=", request.id)])),
                    "write": self.allowed(lambda: as_officer.write(
                        {"cur_note": "checked"})),
                    "write_line": self.allowed(
                        lambda: request.current_line_id.sudo(officer).write(
                            {"note": "checked"})),
                    "forward": self.allowed(lambda: self.fill_form(
                        request, officer).action_forward()),
                    "hold": self.allowed(lambda: as_officer.hold_for_visit("Come")),
                    "return": self.allowed(lambda: as_officer.return_to_student("Fix")),
                }
                for op, want in expected.items():
                    if got[op] != want:
                        mismatches.append((user_office, stage_office, op, want, got[op]))
        self.assertEqual(mismatches, [], "(office, stage, operation, expected, got)")

    def test_officer_cannot_write_an_earlier_offices_line(self):
        request = self.parked["nutrition"]
        officer = self.officers["nutrition"]
        done_line = request.line_ids.filtered(
            lambda l: l.stage_id == self.stages["library_kharazmi"])
        self.assertEqual(done_line.state, "done")
        for vals in ({"note": "rewritten"}, {"card_received": False}):
            self.assertFalse(self.allowed(
                lambda: done_line.sudo(officer).write(vals)))
        # even the office that handled it cannot change its closed line
        kharazmi = self.officers["library_kharazmi"]
        self.assertFalse(self.allowed(
            lambda: done_line.sudo(kharazmi).write({"note": "rewritten"})))

    def test_employee_without_office_sees_nothing(self):
        Request = self.Request.sudo(self.employee)
        self.assertFalse(self.allowed(lambda: Request.search([])))
        self.assertFalse(self.allowed(
            lambda: self.parked["department"].sudo(self.employee).read(["name"])))

    def test_manager_sees_and_acts_everywhere(self):
        Request = self.Request.sudo(self.manager)
        ids = [r.id for r in self.parked.values()]
        self.assertEqual(len(Request.search([("id", "in", ids)])), len(ids))
        for office, request in self.parked.items():
            self.assertTrue(self.allowed(lambda: self.fill_form(
                request, self.manager).action_forward()), office)

    def test_manager_edits_stages_officers_do_not(self):
        stage = self.stages["nutrition"]
        self.assertTrue(self.allowed(
            lambda: stage.sudo(self.manager).write({"name": "Food services"})))
        self.assertFalse(self.allowed(
            lambda: stage.sudo(self.officers["nutrition"]).write({"name": "x"})))
        self.assertFalse(self.allowed(
            lambda: stage.sudo(self.student_day).write({"name": "x"})))

    def test_manager_staffs_offices_but_nothing_else(self):
        office = self.env.ref("clearance_request.group_office_welfare")
        new_officer = self.employee
        self.assertTrue(self.allowed(lambda: office.sudo(
            self.manager).action_add_staff(new_officer.ids)))
        self.assertFalse(self.allowed(lambda: office.sudo(self.manager).write(
            {"implied_ids": [(4, self.env.ref("base.group_system").id)]})))
        system = self.env.ref("base.group_system")
        self.assertFalse(self.allowed(lambda: system.sudo(self.manager).write(
            {"users": [(4, self.manager.id)]})))
        self.assertFalse(self.allowed(lambda: system.sudo(
            self.manager).action_add_staff(self.manager.ids)))
        self.assertFalse(self.allowed(lambda: office.sudo(
            self.officers["welfare"]).action_add_staff(new_officer.ids)))


class TestStudentAccess(ClearanceCase):

    def test_students_see_only_their_own(self):
        mine = self.new_request(self.student_day)
        theirs = self.new_request(self.student_other)
        Request = self.Request.sudo(self.student_day)
        self.assertEqual(Request.search([]), mine.sudo(self.student_day))
        with self.assertRaises(AccessError):
            theirs.sudo(self.student_day).read(["name"])
        Line = self.env["clearance.request.line"].sudo(self.student_day)
        self.assertEqual(Line.search([]).mapped("request_id").ids, mine.ids)

    def test_students_cannot_decide_or_fill_stage_forms(self):
        mine = self.new_request(self.student_day).sudo(self.student_day)
        for vals in ({"cur_card_received": True}, {"cur_note": "ok"},
                     {"state": "cleared"}, {"stage_id": self.stages["welfare"].id}):
            with self.assertRaises(AccessError):
                mine.write(vals)
        with self.assertRaises(AccessError):
            mine.current_line_id.write({"card_received": True})
        for action in ("action_forward", "hold_for_visit", "return_to_student"):
            with self.assertRaises(AccessError):
                getattr(mine, action)()
        mine.invalidate_cache()
        self.assertEqual(mine.stage_id, self.stages["department"])

    def test_students_cannot_file_for_someone_else(self):
        with self.assertRaises(AccessError):
            self.Request.sudo(self.student_day).create({
                "partner_id": self.student_other.partner_id.id,
                "reason": "withdrawal"})
        with self.assertRaises(AccessError):
            self.Request.sudo(self.student_day).create({
                "partner_id": self.student_day.partner_id.id,
                "reason": "withdrawal", "state": "cleared"})


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestConcurrentForward(TransactionCase):
    """Two database cursors forward the same request at the same moment.

    The fixture is committed (other cursors must see it) and removed after;
    this test's own transaction writes nothing, so it holds no locks."""

    # The officer who comes second finds the request locked (NOWAIT): an
    # ordinary clash, logged as information, never at ERROR (which trips
    # the log alerts of a production server).
    def test_two_officers_advance_once(self):
        records = []
        handler = logging.Handler(logging.DEBUG)
        handler.emit = records.append
        watched = [logging.getLogger(name) for name in (
            "odoo.sql_db", "odoo.addons.clearance_request.models"
                           ".clearance_request")]
        levels = [logger.level for logger in watched]
        for logger in watched:
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
        try:
            self.advance_once_each_time()
        finally:
            for logger, level in zip(watched, levels):
                logger.removeHandler(handler)
                logger.setLevel(level)
        # (a clash at each of the five rounds is likely, not certain: the
        # second officer may also come after the first one's commit)
        self.assertFalse([r.getMessage() for r in records
                          if r.levelno >= logging.WARNING])

    def advance_once_each_time(self):
        registry = odoo.registry(self.env.cr.dbname)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            student = env.ref("clearance_request.user_student_9811001_demo")
            request = env["clearance.request"].create({
                "partner_id": student.partner_id.id, "reason": "withdrawal"})
            request.action_submit()
            request.write({"cur_card_received": True})
            ids = {"request": request.id, "line": request.current_line_id.id}
            users = [env.ref("clearance_request.user_officer_department_demo").id,
                     env.ref("clearance_request.user_manager_demo").id]
            cr.commit()  # pylint: disable=invalid-commit
        results = []
        barrier = threading.Barrier(2)

        def forward(uid):
            with odoo.api.Environment.manage(), registry.cursor() as cr:
                env = odoo.api.Environment(cr, uid, {
                    "clearance_expected_line_id": ids["line"]})
                record = env["clearance.request"].browse(ids["request"])
                # both transactions read the same state first
                self.assertTrue(record.stage_id.name)
                barrier.wait(timeout=10)
                try:
                    record.action_forward()
                    cr.commit()  # pylint: disable=invalid-commit
                    results.append("ok")
                except (UserError, AccessError) as err:
                    cr.rollback()
                    results.append(err.name)

        try:
            for _attempt in range(5):
                threads = [threading.Thread(target=forward, args=(uid,))
                           for uid in users]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(30)
                self.assertEqual(len(results), 2, results)
                self.assertEqual(results.count("ok"), 1, results)
                with registry.cursor() as cr:
                    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                    request = env["clearance.request"].browse(ids["request"])
                    done = request.line_ids.filtered(lambda l: l.state == "done")
                    self.assertEqual(request.current_line_id.state, "current")
                    self.assertEqual(request.stage_id, request.current_line_id.stage_id)
                    self.assertEqual(len(done), 2 + _attempt)
                    if request.current_line_id.kind in ("debt", "installments"):
                        break
                    ids["line"] = request.current_line_id.id
                    users = (request.stage_id.group_id.users.filtered("active")[:1]
                             | env.ref("clearance_request.user_manager_demo")).ids
                results.clear()
        finally:
            with registry.cursor() as cr:
                # The committed fixture goes away with its activities.
                cr.execute("DELETE FROM mail_activity WHERE res_model = "
                           "'clearance.request' AND res_id = %s", [ids["request"]])
                cr.execute("DELETE FROM clearance_request WHERE id = %s",
                           [ids["request"]])
