"""What keeps wkhtmltopdf from misplacing mixed Persian text."""
from odoo.tests.common import TransactionCase, at_install, post_install

from ..tools import isolate_runs


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestIsolateRuns(TransactionCase):

    def test_persian_runs_get_their_own_spans(self):
        html = isolate_runs(
            '<html><head><style>p {}</style></head><body>'
            '<p>این گواهی، کد: <b>ABC2</b> ۱۴۰۵/۰۹ آموزش‌ها.</p></body></html>')
        body = html.decode().split("<body>")[1]
        self.assertEqual(body, (
            "<p><span>این</span> <span>گواهی</span><span>،</span> "
            "<span>کد</span><span>:</span> <b><span>ABC2</span></b> "
            "<span>۱۴۰۵</span><span>/</span><span>۰۹</span> "
            "<span>آموزش\u200cها</span><span>.</span></p></body></html>"))
        self.assertIn("<style>p {}</style>", html.decode())

    def test_the_report_renders_through_wkhtmltopdf(self):
        report = self.env["ir.actions.report"].create({
            "name": "Bidi test", "model": "res.partner",
            "report_type": "qweb-pdf",
            "report_name": "report_wkhtmltopdf_bidi.test_page"})
        view = self.env["ir.ui.view"].create({
            "name": "report_wkhtmltopdf_bidi.test_page", "type": "qweb",
            "arch": '<t t-name="report_wkhtmltopdf_bidi.test_page">'
                    '<html><body><p>گواهی ۱۴۰۵</p></body></html></t>'})
        # QWeb finds a report's template by its external id.
        self.env["ir.model.data"].create({
            "module": "report_wkhtmltopdf_bidi", "name": "test_page",
            "model": "ir.ui.view", "res_id": view.id})
        partner = self.env.ref("base.main_partner")
        pdf, kind = report._render_bidi_pdf(partner.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
