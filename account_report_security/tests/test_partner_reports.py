from odoo import SUPERUSER_ID, api
from odoo.tests.common import HttpCase, at_install, post_install


@at_install(False)
@post_install(True)
class TestPartnerReports(HttpCase):

    def setUp(self):
        super().setUp()
        # Odoo 11's HTTP server works in the registry's test cursor.
        original = self.cr, self.env
        self.addCleanup(self._restore_cursor, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.env.ref("base.lang_en").active = True
        users = self.env["res.users"].with_context(no_reset_password=True)
        self.partner = self.env["res.partner"].create(
            {"name": "Student With Debts"})
        self.employee = users.create({
            "name": "Library Officer", "login": "t.reports.employee",
            "password": "t.reports.employee", "lang": "en_US",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        self.billing = users.create({
            "name": "Billing Clerk", "login": "t.reports.billing",
            "password": "t.reports.billing", "lang": "en_US",
            "groups_id": [(6, 0, [
                self.env.ref("base.group_user").id,
                self.env.ref("account.group_account_invoice").id])]})

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def get(self, login, report):
        self.registry.test_cr.commit()  # a savepoint in test mode
        self.authenticate(login, login)
        return self.url_open("/report/html/%s/%d" % (report, self.partner.id),
                             timeout=60)

    def test_employee_cannot_print_a_partners_due_payments(self):
        for report in ("account.report_overdue",
                       "account.report_agedpartnerbalance"):
            response = self.get(self.employee.login, report)
            self.assertIn(response.status_code, (403, 404), report)
            self.assertNotIn("Student With Debts", response.text)

    def test_billing_user_prints_the_due_payments(self):
        # the employee may read the partner: the report's groups decide
        self.assertTrue(self.partner.sudo(self.employee).name)
        response = self.get(self.billing.login, "account.report_overdue")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Student With Debts", response.text)
