from odoo import api, models

from ..models.clearance_certificate import CERTIFICATE_REPORT


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.multi
    def render_qweb_pdf(self, res_ids=None, data=None):
        if self.report_name != CERTIFICATE_REPORT:
            return super().render_qweb_pdf(res_ids=res_ids, data=data)
        # The certificate is one self-contained page (inline style, QR code
        # as a data URI): wkhtmltopdf fetches nothing from the server, so the
        # PDF is the same in production and in tests; its Persian text is
        # laid out by report_wkhtmltopdf_bidi.
        return self._render_bidi_pdf(res_ids, data=data)
