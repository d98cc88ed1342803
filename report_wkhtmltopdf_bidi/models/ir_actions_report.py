from odoo import api, models

from ..tools import isolate_runs


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.multi
    def _render_bidi_pdf(self, res_ids=None, data=None):
        """The report as a PDF of one self-contained page (inline style,
        images as data URIs: wkhtmltopdf fetches nothing from the server),
        every run of one script in its own span so that wkhtmltopdf lays
        mixed Persian text out right. Returns (pdf, "pdf") as
        render_qweb_pdf does."""
        self.ensure_one()
        html = self.render_qweb_html(res_ids, data=data)[0]
        return self._run_wkhtmltopdf([isolate_runs(html)]), "pdf"
