"""Automatic checks: the libraries' loans clear a student without an officer
when no book is out; otherwise the request waits at the library with what
the check found. An officer of the office can reopen the system's decision."""
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import ClearanceCase, make_student

LIBRARIES = ("library_kharazmi", "library_shirazi", "library_mullasadra")
SYSTEM = "clearance_request.partner_clearance_system"


class ChecksCase(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.library_stages = cls.env["clearance.stage"].browse(
            [cls.stages[key].id for key in LIBRARIES])
        cls.library_stages.sudo(cls.manager).write({"check_active": True})
        cls.system = cls.env.ref(SYSTEM)

    def lend(self, office, student=None, title="Calculus", returned=False,
             user=None):
        """A loan recorded by the library's officer."""
        student = student or self.student_day
        return self.env["clearance.library.loan"].sudo(
            user or self.officers[office]).create({
                "partner_id": student.partner_id.id,
                "group_id": self.env.ref(
                    "clearance_request.group_office_%s" % office).id,
                "book_title": title, "date_out": "2026-01-10",
                "date_returned": "2026-02-01" if returned else False})

    def line_of(self, request, office):
        return request.sudo().line_ids.filtered(
            lambda l: l.stage_id == self.stages[office])

    def step_messages(self, request):
        """The chatter lines of the steps, oldest first."""
        return request.sudo().message_ids.filtered(
            lambda m: m.tracking_value_ids).sorted("id")


class TestLibraryCheck(ChecksCase):

    def test_no_book_out_the_system_clears_every_library(self):
        request = self.new_request()
        self.lend("library_kharazmi", title="Old book", returned=True)
        before = len(self.step_messages(request))
        self.forward(request)  # the department, as its officer
        # the three libraries cleared in the department's transaction
        self.assertEqual(request.stage_id, self.stages["counselling"])
        self.assertEqual(request.state, "progress")
        for office in LIBRARIES:
            line = self.line_of(request, office)
            self.assertEqual((line.state, line.decision, line.auto_decided),
                             ("done", "forwarded", True), office)
            self.assertFalse(line.officer_id, office)
            self.assertIn("no book out", line.check_result)
        self.assertIn("1 loans all returned",
                      self.line_of(request, "library_kharazmi").check_result)
        self.assertIn("no loan recorded", self.line_of(
            request, "library_shirazi").check_result)
        # one chatter line per step: the department's by its officer, each
        # library's by the system with what it saw
        messages = self.step_messages(request)[before:]
        self.assertEqual(len(messages), 4)
        self.assertEqual(messages[0].author_id,
                         self.officers["department"].partner_id)
        for message, office in zip(messages[1:], LIBRARIES):
            self.assertEqual(message.author_id, self.system)
            self.assertIn("Cleared automatically", message.body)
            self.assertIn("no book out", message.body)
            self.assertIn(self.env.ref(
                "clearance_request.group_office_%s" % office).name,
                message.body)
        # the libraries keep reading the request they cleared; the to-dos
        # are the counselling centre's
        for office in LIBRARIES:
            self.assertTrue(request.sudo(self.officers[office]).read(["name"]))
        self.assertTodosFor(request, "counselling")
        # the student was told by mail of each office that cleared them
        self.assertEqual(request.sudo(self.officers["library_kharazmi"])
                         .cur_check_result, False)

    def test_a_book_out_keeps_the_request_at_the_library(self):
        self.lend("library_shirazi", title="Linear Algebra")
        self.lend("library_shirazi", title="Returned Book", returned=True)
        request = self.forward(self.new_request())
        # Kharazmi cleared by the system; Shirazi waits for its officer
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])
        self.assertEqual(request.state, "progress")
        shirazi = self.line_of(request, "library_shirazi")
        self.assertEqual(shirazi.state, "current")
        self.assertFalse(shirazi.auto_decided)
        found = request.sudo(self.officers["library_shirazi"]).cur_check_result
        self.assertIn("1 books not returned", found)
        self.assertIn("Linear Algebra", found)
        self.assertNotIn("Returned Book", found)
        self.assertTodosFor(request, "library_shirazi")
        # the officer decides: the next library's check runs on the forward
        self.forward(request)
        self.assertEqual(request.stage_id, self.stages["counselling"])
        self.assertEqual(shirazi.officer_id, self.officers["library_shirazi"])
        self.assertTrue(self.line_of(request, "library_mullasadra").auto_decided)

    def test_another_librarys_loan_or_another_students_does_not_count(self):
        self.lend("library_shirazi", student=self.student_other)
        self.lend("library_kharazmi", student=self.student_other)
        request = self.forward(self.new_request())
        self.assertEqual(request.stage_id, self.stages["counselling"])

    def test_a_switched_off_check_leaves_the_office_to_decide(self):
        self.stages["library_kharazmi"].sudo(self.manager).check_active = False
        request = self.forward(self.new_request())
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        self.assertFalse(self.line_of(request, "library_kharazmi").check_result)

    def test_a_chain_of_checks_clears_the_whole_route_in_one_transaction(self):
        """Every review stage checks; the route's forms still wait for their
        officers, and the last check clears the request."""
        reviews = self.env["clearance.stage"].search([("kind", "=", "review")])
        reviews.sudo(self.manager).write(
            {"check": "library_loans", "check_active": True})
        request = self.forward(self.new_request(self.student_second))
        self.assertEqual(request.stage_id, self.stages["dormitories"])
        self.forward(request)
        self.forward(request)  # welfare; second-shift accounting: the system
        self.assertEqual(request.state, "cleared")
        self.assertTrue(request.clear_date)
        last = self.step_messages(request)[-1]
        self.assertEqual(last.author_id, self.system)
        self.assertEqual(last.subtype_id,
                         self.env.ref("clearance_request.mt_request_cleared"))
        self.assertEqual(len(request.line_ids.filtered("auto_decided")), 7)
        self.assertFalse(request.sudo().activity_ids)

    def test_the_check_reads_loans_the_acting_officer_cannot(self):
        """The department's officer may not read the libraries' loans; the
        check still sees them."""
        self.lend("library_kharazmi", title="Hidden")
        Loan = self.env["clearance.library.loan"].sudo(self.officers["department"])
        self.assertFalse(Loan.search([]))
        request = self.forward(self.new_request())
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        self.assertIn("Hidden", request.cur_check_result)

    def test_persian_student_reads_the_systems_words_in_persian(self):
        student = make_student(self.env, "91000091", "دانشجوی خودکار",
                               lang="fa_IR")
        request = self.forward(self.new_request(student))
        message = self.step_messages(request)[-1]
        self.assertEqual(message.author_id, self.system)
        self.assertIn("به صورت خودکار", message.body)
        line = self.line_of(request, "library_mullasadra")
        self.assertIn("کتاب", line.check_result)


class TestReopenAutomaticDecision(ChecksCase):

    def cleared_by_the_libraries(self):
        request = self.forward(self.new_request())
        self.assertEqual(request.stage_id, self.stages["counselling"])
        return request

    def test_the_librarys_officer_reopens_and_decides(self):
        request = self.cleared_by_the_libraries()
        kharazmi = self.officers["library_kharazmi"]
        line = self.line_of(request, "library_kharazmi").sudo(kharazmi)
        line.action_reopen_check()
        request.invalidate_cache()
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        self.assertEqual(request.state, "progress")
        self.assertEqual((line.state, line.auto_decided), ("current", False))
        self.assertIn("no book out", line.check_result)  # what it had seen
        self.assertEqual(self.line_of(request, "counselling").state, "waiting")
        message = self.step_messages(request)[-1]
        self.assertEqual(message.author_id, kharazmi.partner_id)
        self.assertIn("reopened", message.body)
        self.assertTodosFor(request, "library_kharazmi")
        self.assertTrue(request.sudo(kharazmi).is_my_turn)
        # the office decides; the libraries cleared before are not asked again
        request.sudo(kharazmi).hold_for_visit("Bring the library card.")
        self.assertEqual(request.state, "hold")
        self.forward(request)
        self.assertEqual(request.stage_id, self.stages["counselling"])
        self.assertEqual(line.officer_id, kharazmi)

    def test_only_the_office_or_a_manager_reopens(self):
        request = self.cleared_by_the_libraries()
        line = self.line_of(request, "library_kharazmi")
        for office in ("library_shirazi", "counselling"):
            with self.assertRaises(AccessError):
                line.sudo(self.officers[office]).action_reopen_check()
        with self.assertRaises(AccessError):
            line.sudo(self.student_day).action_reopen_check()
        request.invalidate_cache()
        self.assertEqual(request.stage_id, self.stages["counselling"])
        line.sudo(self.manager).action_reopen_check()
        request.invalidate_cache()
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])

    def test_an_officers_decision_or_a_closed_request_is_not_reopened(self):
        request = self.cleared_by_the_libraries()
        department = self.line_of(request, "department")
        with self.assertRaises(UserError):
            department.sudo(self.officers["department"]).action_reopen_check()
        line = self.line_of(request, "library_kharazmi")
        request.sudo(self.student_day).action_cancel()
        with self.assertRaises(UserError):
            line.sudo(self.officers["library_kharazmi"]).action_reopen_check()
        self.assertEqual(request.state, "cancelled")

    def test_officers_find_what_their_check_cleared(self):
        request = self.cleared_by_the_libraries()
        other = self.new_request(self.student_other)
        Request = self.Request.sudo(self.officers["library_shirazi"])
        found = Request.search([("auto_cleared_by_me", "=", True)])
        self.assertIn(request, found)
        self.assertNotIn(other, found)
        self.assertFalse(self.Request.sudo(self.officers["counselling"]).search(
            [("auto_cleared_by_me", "=", True)]))


class TestCheckConfiguration(ChecksCase):

    def test_the_check_is_the_managers_data(self):
        stage = self.stages["counselling"]
        with self.assertRaises(AccessError):
            stage.sudo(self.officers["counselling"]).write(
                {"check": "library_loans", "check_active": True})
        stage.sudo(self.manager).write(
            {"check": "library_loans", "check_active": True})
        self.assertTrue(stage.check_active)

    def test_bad_configurations_are_refused(self):
        with self.assertRaises(ValidationError):
            self.stages["counselling"].sudo(self.manager).write(
                {"check": False, "check_active": True})
        with self.assertRaises(ValidationError):
            self.stages["dormitories"].sudo(self.manager).write(
                {"check": "library_loans"})


class TestLibraryLoans(ChecksCase):
    """Each library keeps its own loans, as the real users."""

    def test_a_library_keeps_its_own_loans_only(self):
        kharazmi = self.officers["library_kharazmi"]
        mine = self.lend("library_kharazmi")
        theirs = self.lend("library_shirazi")
        mine.sudo(kharazmi).write({"date_returned": "2026-03-01"})
        self.assertTrue(mine.returned)
        Loan = self.env["clearance.library.loan"].sudo(kharazmi)
        self.assertIn(mine, Loan.search([]))
        self.assertEqual(Loan.search([]).mapped("group_id"), self.env.ref(
            "clearance_request.group_office_library_kharazmi"))
        with self.assertRaises(AccessError):
            theirs.sudo(kharazmi).read(["book_title"])
        with self.assertRaises(AccessError):
            theirs.sudo(kharazmi).write({"date_returned": "2026-03-01"})
        with self.assertRaises(AccessError):
            theirs.sudo(kharazmi).unlink()
        with self.assertRaises(AccessError):
            self.lend("library_shirazi", user=kharazmi)
        self.assertFalse(theirs.returned)
        # a manager sees every library's loans
        self.assertEqual(
            self.env["clearance.library.loan"].sudo(self.manager).search(
                [("id", "in", (mine | theirs).ids)]), mine | theirs)

    def test_others_cannot_keep_loans(self):
        loan = self.lend("library_kharazmi")
        department = self.officers["department"]
        self.assertFalse(self.env["clearance.library.loan"].sudo(
            department).search([]))
        with self.assertRaises(ValidationError):
            self.lend("department", user=department)
        with self.assertRaises(AccessError):
            loan.sudo(self.student_day).read(["book_title"])
        with self.assertRaises(AccessError):
            self.lend("library_kharazmi", user=self.student_day)
        with self.assertRaises(AccessError):
            self.lend("library_kharazmi", user=self.employee)

    def test_bad_loans_are_refused(self):
        with self.assertRaises(ValidationError):
            self.env["clearance.library.loan"].sudo(
                self.officers["library_kharazmi"]).create({
                    "partner_id": self.officers["counselling"].partner_id.id,
                    "group_id": self.env.ref(
                        "clearance_request.group_office_library_kharazmi").id,
                    "book_title": "Not a student's"})
        loan = self.lend("library_kharazmi")
        with self.assertRaises(ValidationError):
            loan.sudo(self.officers["library_kharazmi"]).write(
                {"date_returned": "2025-01-01"})
