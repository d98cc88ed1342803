import base64
from unittest.mock import patch

from odoo.addons.clearance_request.tests.common import (
    make_officer, make_student)
from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import SavepointCase, at_install, post_install
from odoo.tools import mute_logger

from .common import (HEADERS_EN, PROBLEM_ROWS, ROWS, VALID_ROWS, csv_file,
                     xlsx_file)


@at_install(False)
@post_install(True)
class TestStudentImport(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.ref("base.lang_en").active = True
        cls.manager = make_officer(
            env, "t.enrol.manager", "clearance_request.group_clearance_manager")
        cls.registrar = make_officer(
            env, "t.enrol.registrar", "clearance_enrolment.group_clearance_registrar")
        cls.officer = make_officer(
            env, "t.enrol.officer", "clearance_request.group_office_library_kharazmi")
        cls.student = make_student(env, "91990001", "Enrol Student")
        # row 8's student, enrolled before with another faculty
        cls.enrolled = make_student(
            env, "4011005", "سارا نیکو", student_faculty="E-Learning")
        cls.Import = env["clearance.student.import"]

    def counts(self):
        return (self.env["res.partner"].with_context(
                    active_test=False).search_count([]),
                self.env["res.users"].with_context(
                    active_test=False).search_count([]),
                self.env["mail.mail"].search_count([]))

    def new_import(self, user, data, filename="students.csv"):
        return self.Import.sudo(user).create({
            "name": "Test import", "file": data, "filename": filename})

    def problems(self, record):
        return {line.row_number: line.problems
                for line in record.line_ids if line.status == "problem"}

    def test_preview_lists_problems_and_writes_nothing(self):
        before = self.counts()
        record = self.new_import(self.registrar, csv_file())
        record.action_preview()
        self.assertEqual(self.counts(), before)
        self.assertEqual(record.state, "previewed")
        self.assertEqual((record.total_rows, record.valid_rows,
                          record.problem_rows),
                         (len(ROWS), VALID_ROWS, PROBLEM_ROWS))
        problems = self.problems(record)
        self.assertEqual(sorted(problems), [4, 5, 6, 7])
        self.assertIn("0499370898", problems[4])
        self.assertIn("check digit", problems[4])
        self.assertIn("row 2", problems[5])
        self.assertIn("نامعلوم", problems[6])
        self.assertIn("40AB", problems[7])
        self.assertIn("12345", problems[7])
        first = record.line_ids.filtered(lambda l: l.row_number == 2)
        self.assertEqual(first.student_number, "4011001")
        self.assertEqual(first.student_name, "علی رضایی")
        self.assertEqual(first.status, "valid")

    def check_students(self):
        Partner = self.env["res.partner"]
        ali = Partner.search([("student_number", "=", "4011001")])
        self.assertEqual(len(ali), 1)
        self.assertEqual(ali.name, "علی رضایی")
        self.assertEqual(ali.national_code, "0499370899")
        self.assertEqual(ali.student_faculty, "مهندسی - کامپیوتر")
        self.assertEqual((ali.student_degree, ali.student_shift,
                          ali.student_dormitory),
                         ("bachelor", "day", True))
        self.assertEqual(ali.mobile, "09121234567")
        self.assertEqual(ali.email, "ali@students.test")
        self.assertEqual(ali.user_ids.login, "4011001")
        self.assertTrue(ali.user_ids.has_group("base.group_portal"))
        self.assertFalse(ali.user_ids.has_group("base.group_user"))
        maryam = Partner.search([("student_number", "=", "4011002")])
        self.assertFalse(maryam.email)
        self.assertEqual(maryam.mobile, "09121234568")
        self.assertEqual((maryam.student_degree, maryam.student_shift),
                         ("master", "second"))
        self.assertEqual(maryam.user_ids.login, "4011002")
        self.assertEqual(self.enrolled.partner_id.student_faculty,
                         "علوم پایه - فیزیک")
        self.assertEqual(self.enrolled.partner_id.student_degree, "doctorate")
        for number in ("4011003", "4011004", "40AB"):
            self.assertFalse(Partner.search([("student_number", "=", number)]))

    def import_twice(self, data, filename):
        mails = self.env["mail.mail"].search_count([])
        record = self.new_import(self.registrar, data, filename)
        record.action_preview()
        record.action_import()
        self.assertEqual(record.state, "done")
        self.assertEqual(
            (record.created_count, record.updated_count,
             record.unchanged_count, record.skipped_count),
            (2, 1, 0, PROBLEM_ROWS))
        self.assertEqual(record.progress, 100)
        self.check_students()
        # nothing mailed on import
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        before = self.counts()
        again = self.new_import(self.registrar, data, filename)
        again.action_import()  # previews by itself
        self.assertEqual(
            (again.created_count, again.updated_count,
             again.unchanged_count, again.skipped_count),
            (0, 0, VALID_ROWS, PROBLEM_ROWS))
        self.assertEqual(self.counts(), before)
        self.check_students()

    def test_import_csv_twice(self):
        self.import_twice(csv_file(), "students.csv")

    def test_import_xlsx_twice(self):
        self.import_twice(xlsx_file(), "students.xlsx")

    def test_csv_comma_tab_without_bom_english_headers(self):
        for delimiter in (",", "\t"):
            record = self.new_import(self.registrar, csv_file(
                HEADERS_EN, ROWS, delimiter=delimiter, bom=False))
            record.action_preview()
            self.assertEqual(record.valid_rows, VALID_ROWS, delimiter)

    def test_manager_not_admin_imports(self):
        self.assertFalse(self.manager.has_group("base.group_system"))
        record = self.new_import(self.manager, csv_file())
        record.action_import()
        self.assertEqual(record.created_count, 2)
        self.assertTrue(self.env["res.users"].search(
            [("login", "=", "4011002")]))

    @mute_logger("odoo.models")
    def test_student_and_officer_cannot_import(self):
        record = self.new_import(self.registrar, csv_file())
        record.action_preview()
        for user in (self.student, self.officer):
            with self.assertRaises(AccessError):
                self.new_import(user, csv_file())
            as_user = record.sudo(user)
            with self.assertRaises(AccessError):
                as_user.read(["name"])
            with self.assertRaises(AccessError):
                record.line_ids.sudo(user).read(["problems"])
            for method in ("action_preview", "action_import",
                           "action_send_invitations"):
                with self.assertRaises(AccessError, msg=method):
                    getattr(as_user, method)()
            with self.assertRaises(AccessError):
                self.enrolled.partner_id.sudo(
                    user)._action_clearance_send_invitations()
        self.assertFalse(self.env["res.users"].search(
            [("login", "=", "4011001")]))

    def test_bad_files_change_nothing(self):
        before = self.counts()
        not_spreadsheet = base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
        broken_xlsx = base64.b64encode(b"PK\x03\x04 not really a workbook")
        missing = csv_file(["Name", "Mobile"], [["x", "09121234567"]])
        record = self.new_import(self.registrar, not_spreadsheet, "a.png")
        for data in (not_spreadsheet, broken_xlsx, missing):
            record.file = data
            with self.assertRaises(UserError):
                record.action_import()
            self.assertEqual(record.state, "draft")
            self.assertFalse(record.line_ids)
        self.assertEqual(self.counts(), before)

    def test_missing_columns_error_is_translated(self):
        self.env["ir.translation"].load_module_terms(
            ["clearance_enrolment"], ["fa_IR"])
        record = self.new_import(self.registrar, csv_file(
            ["Name", "Mobile"], [["x", "09121234567"]]))
        with self.assertRaises(UserError) as raised:
            record.with_context(lang="fa_IR").action_preview()
        self.assertIn("ستون", raised.exception.name)
        self.assertIn("شماره دانشجویی", raised.exception.name)

    def test_invitations_only_to_students_with_email(self):
        record = self.new_import(self.registrar, csv_file())
        record.action_import()
        Mail = self.env["mail.mail"]
        before = Mail.search([]).ids
        record.action_send_invitations()
        mails = Mail.search([("id", "not in", before)])
        # 4011001 and 4011005 have an e-mail; 4011002 has none
        self.assertEqual(sorted(mails.mapped("email_to")),
                         ["4011005@students.test", "ali@students.test"])
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertTrue(all("/web/reset_password" in mail.body_html
                            for mail in mails))
        self.assertEqual(record.invited_count, 2)
        self.assertEqual(record.invitation_state, "done")
        # from the students' list, as the registrar: the selected ones
        partners = self.env["res.partner"].search(
            [("student_number", "in", ("4011001", "4011002"))])
        action = self.env.ref(
            "clearance_enrolment.action_partner_send_invitations")
        action.sudo(self.registrar).with_context(
            active_model="res.partner", active_ids=partners.ids,
            active_id=partners[0].id).run()
        # Odoo 11 runs a server action for anybody: the method checks
        with self.assertRaises(AccessError):
            action.sudo(self.officer).with_context(
                active_model="res.partner", active_ids=partners.ids,
                active_id=partners[0].id).run()
        self.assertEqual(
            Mail.search([("id", "not in", before)]).mapped("email_to").count(
                "ali@students.test"), 2)

    def test_background_batches(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("clearance_enrolment.background_threshold", "1")
        params.set_param("clearance_enrolment.batch_size", "2")
        record = self.new_import(self.registrar, csv_file())
        record.action_import()
        # the button returned at once: queued, nothing imported yet
        self.assertEqual(record.state, "queued")
        self.assertEqual(record.progress, 0)
        self.assertFalse(self.env["res.users"].search(
            [("login", "=", "4011001")]))
        cron = self.env.ref("clearance_enrolment.ir_cron_student_import")
        self.assertLessEqual(cron.nextcall, fields.Datetime.now())
        self.Import._cron_process(time_budget=0)  # one batch of 2 rows
        self.assertEqual(record.state, "queued")
        self.assertEqual(record.processed_rows, 2)
        self.assertAlmostEqual(record.progress, 200.0 / 3)
        # the next batch crashes before its commit: its work is lost ...
        Import = type(self.Import)
        original = Import.write

        def crash(records, vals):
            if "processed_rows" in vals:
                raise RuntimeError("worker killed")
            return original(records, vals)

        with self.assertRaises(RuntimeError), self.env.cr.savepoint(), \
                patch.object(Import, "write", crash):
            self.Import._cron_process(time_budget=0)
        self.env.cache.invalidate()
        self.assertEqual(record.processed_rows, 2)
        # ... and the next run does it again, nothing twice
        self.Import._cron_process(time_budget=0)
        self.assertEqual(record.state, "done")
        self.assertEqual(record.progress, 100)
        self.assertEqual(
            (record.created_count, record.updated_count,
             record.skipped_count), (2, 1, PROBLEM_ROWS))
        self.assertEqual(self.env["res.partner"].search_count(
            [("student_number", "=", "4011001")]), 1)
        self.assertFalse(self.Import._cron_process(time_budget=0))
