"""Student Accounting's automatic check: the student's open customer
invoices in Odoo Accounting."""
from odoo.exceptions import AccessError

from odoo.addons.clearance_request.tests.common import ClearanceCase

SYSTEM = "clearance_request.partner_clearance_system"


class TestAccountCheck(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage = cls.stages["student_accounting"]
        cls.stage.sudo(cls.manager).check_active = True
        cls.system = cls.env.ref(SYSTEM)
        env = cls.env
        Account = env["account.account"]
        cls.receivable = Account.create({
            "code": "T1201", "name": "Students receivable", "reconcile": True,
            "user_type_id": env.ref("account.data_account_type_receivable").id})
        cls.income = Account.create({
            "code": "T4001", "name": "Tuition",
            "user_type_id": env.ref("account.data_account_type_revenue").id})
        cls.journal = env["account.journal"].create({
            "name": "Tuition invoices", "code": "TTUI", "type": "sale",
            "default_credit_account_id": cls.income.id,
            "default_debit_account_id": cls.income.id})

    def invoice(self, student, amount, validate=True):
        invoice = self.env["account.invoice"].create({
            "partner_id": student.partner_id.id, "type": "out_invoice",
            "account_id": self.receivable.id, "journal_id": self.journal.id,
            "date_invoice": "2026-09-01", "date_due": "2026-10-01",
            "invoice_line_ids": [(0, 0, {
                "name": "Tuition", "quantity": 1, "price_unit": amount,
                "account_id": self.income.id})]})
        if validate:
            invoice.action_invoice_open()
        return invoice

    def at_accounting(self, student=None):
        return self.advance_to(self.new_request(student), "nutrition")

    def accounting_line(self, request):
        return request.sudo().line_ids.filtered(
            lambda l: l.stage_id == self.stage)

    def test_no_open_invoice_the_system_clears_accounting(self):
        self.invoice(self.student_day, 500, validate=False)  # a draft
        request = self.at_accounting()
        nutrition = self.officers["nutrition"]
        # the nutrition officer has no right on Accounting; the check reads it
        with self.assertRaises(AccessError):
            self.env["account.invoice"].sudo(nutrition).search([])
        self.forward(request, nutrition)
        self.assertEqual(request.stage_id, self.stages["dormitories"])
        line = self.accounting_line(request)
        self.assertEqual((line.state, line.auto_decided), ("done", True))
        self.assertFalse(line.officer_id)
        self.assertIn("no open invoices", line.check_result)
        self.assertIn("balance", line.check_result)
        message = request.sudo().message_ids.filtered(
            lambda m: m.tracking_value_ids)[0]
        self.assertEqual(message.author_id, self.system)
        self.assertIn("no open invoices", message.body)

    def test_an_open_invoice_keeps_the_request_at_accounting(self):
        invoice = self.invoice(self.student_day, 1200000)
        self.invoice(self.student_other, 700)  # another student's
        request = self.at_accounting()
        self.forward(request, self.officers["nutrition"])
        self.assertEqual(request.stage_id, self.stage)
        officer = self.officers["student_accounting"]
        found = request.sudo(officer).cur_check_result
        self.assertIn(invoice.number, found)
        self.assertIn("1 open invoices", found)
        self.assertNotIn("700", found)
        self.assertFalse(self.accounting_line(request).auto_decided)
        self.assertTodosFor(request, "student_accounting")
        # the officer decides by hand
        self.forward(request, officer)
        self.assertEqual(request.stage_id, self.stages["dormitories"])
        self.assertEqual(self.accounting_line(request).officer_id, officer)

    def test_a_cancelled_invoice_owes_nothing(self):
        invoice = self.invoice(self.student_day, 900)
        invoice.journal_id.update_posted = True
        invoice.action_invoice_cancel()
        request = self.at_accounting()
        self.forward(request, self.officers["nutrition"])
        self.assertEqual(request.stage_id, self.stages["dormitories"])

    def test_the_accounting_officer_reopens_the_systems_decision(self):
        request = self.at_accounting()
        self.forward(request, self.officers["nutrition"])
        officer = self.officers["student_accounting"]
        with self.assertRaises(AccessError):
            self.accounting_line(request).sudo(
                self.officers["dormitories"]).action_reopen_check()
        self.accounting_line(request).sudo(officer).action_reopen_check()
        request.invalidate_cache()
        self.assertEqual(request.stage_id, self.stage)
        self.assertTrue(request.sudo(officer).is_my_turn)
        self.forward(request, officer)
        self.assertEqual(self.accounting_line(request).officer_id, officer)


class TestDemoClearedAutomatically(ClearanceCase):
    """The demo: 9811006 cleared by the three libraries and Student
    Accounting without an officer."""

    def test_demo_student_cleared_through_both_checks(self):
        request = self.env.ref("clearance_request.request_9811006_demo")
        self.assertEqual(request.stage_id, self.stages["dormitories"])
        auto = request.line_ids.filtered("auto_decided")
        self.assertEqual(auto.mapped("stage_id"), self.stages["library_kharazmi"]
                         | self.stages["library_shirazi"]
                         | self.stages["library_mullasadra"]
                         | self.stages["student_accounting"])
        self.assertFalse(auto.mapped("officer_id"))
        system = request.message_ids.filtered(
            lambda m: m.author_id == self.env.ref(SYSTEM))
        self.assertEqual(len(system), 4)
        self.assertIn("no book out", auto[0].check_result)
        self.assertIn("no open invoices", auto[-1].check_result)
        # the checks are off again, as installed
        self.assertFalse(self.env["clearance.stage"].search(
            [("check_active", "=", True)]))
